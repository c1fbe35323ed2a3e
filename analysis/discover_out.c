/*
 * discover_out.c — what scenario discovery shows: the box and trajectory tables, the
 * recommendation table, and the two figures (trajectory; box over two parameters), the
 * figures written as plot.h describes (FILE.dat and FILE.gp beside the picture, each
 * whole or not at all).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "model/core/params.h"
#include "plot.h"
#include "util/ofile.h"

/* Dimensions in order of restriction: restricted first, narrowest box first. */
static void by_restriction(const discover_result *r, size_t *order)
{
    for (size_t j = 0; j < r->k; j++)
        order[j] = j;
    for (size_t a = 1; a < r->k; a++)
        for (size_t b = a; b > 0; b--) {
            const discover_dim *u = &r->dims[order[b - 1]], *v = &r->dims[order[b]];
            int swap = v->restricted > u->restricted ||
                       (v->restricted == u->restricted && v->narrowing < u->narrowing);
            if (!swap)
                break;
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
}

void discover_box_table(const discover_result *r, table *t)
{
    table_init(t);
    const char *num[] = {"lo", "hi", "p_value", "restricted_share", "lo_q05", "lo_q95",
                         "hi_q05", "hi_q95"};
    table_col(t, "param", 0);
    for (size_t c = 0; c < sizeof num / sizeof *num; c++)
        table_col(t, num[c], 1);
    size_t *order = malloc((r->k ? r->k : 1) * sizeof *order);
    if (!order) {
        t->oom = 1;
        return;
    }
    by_restriction(r, order);
    for (size_t a = 0; a < r->k && r->dims[order[a]].restricted; a++) {
        const discover_dim *dm = &r->dims[order[a]];
        table_cell(t, "%s", dm->param);
        double v[] = {dm->lo, dm->hi, dm->p_value, dm->share,
                      dm->lo_q05, dm->lo_q95, dm->hi_q05, dm->hi_q95};
        for (size_t c = 0; c < sizeof v / sizeof *v; c++)
            table_num(t, v[c]);
    }
    free(order);
}

void discover_traj_table(const discover_result *r, table *t)
{
    table_init(t);
    table_col(t, "box", 1);
    table_col(t, "runs", 1);
    table_col(t, "coverage", 1);
    table_col(t, "density", 1);
    table_col(t, "mass", 1);
    table_col(t, "restricted", 1);
    const prim_traj *tr = &r->traj;
    size_t all = tr->n_in[0];
    for (size_t b = 0; b < tr->n_boxes; b++) {
        size_t nr = 0;
        for (size_t j = 0; j < r->k; j++)
            nr += tr->lo[b * r->k + j] > tr->lo[j] || tr->hi[b * r->k + j] < tr->hi[j];
        table_cell(t, "%zu", b);
        table_cell(t, "%zu", tr->n_in[b]);
        table_num(t, (double)tr->n_hit[b] / (double)r->cases);
        table_num(t, (double)tr->n_hit[b] / (double)tr->n_in[b]);
        table_num(t, (double)tr->n_in[b] / (double)all);
        table_cell(t, "%zu", nr);
    }
}


static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Opens FILE.gp and FILE.dat for out and writes the script's head: terminal, output,
 * title and caption. */
static int fig_open(const char *out, const char *title, const char *caption, ofile *gf,
                    ofile *df, char *gp, char *dat, crc_err *err)
{
    size_t len = strlen(out);
    int png = len > 4 && !strcmp(out + len - 4, ".png"),
        svg = len > 4 && !strcmp(out + len - 4, ".svg"),
        pdf = len > 4 && !strcmp(out + len - 4, ".pdf");
    if (!png && !svg && !pdf)
        return crc_err_set(err, CRC_EINPUT, "%s: the picture's name must end in .png, "
                           ".svg or .pdf", out);
    plot_paths(out, gp, dat, 1024);
    int rc;
    if ((rc = ofile_check(out, err)) || (rc = ofile_check(gp, err)) ||
        (rc = ofile_check(dat, err)) || (rc = ofile_open(gf, gp, err)))
        return rc;
    if ((rc = ofile_open(df, dat, err))) {
        ofile_abort(gf);
        return rc;
    }
    FILE *g = gf->f;
    fprintf(g, "# %s — written by crucible discover. Restyle freely and run: gnuplot %s\n",
            base_of(gp), base_of(gp));
    fputs(png ? "set terminal pngcairo size 1000,650 noenhanced font 'sans,10' "
                "background rgb 'white'\n"
              : svg ? "set terminal svg size 1000,650 dynamic noenhanced font 'sans,10' "
                      "background rgb 'white'\n"
                    : "set terminal pdfcairo size 10in,6.5in noenhanced font 'sans,10'\n", g);
    fputs("if (exists('crucible_stdout')) { set output } else { set output ", g);
    plot_quote(g, base_of(out));
    fputs(" }\nset encoding utf8\nset title ", g);
    plot_quote(g, title);
    fputs("\nset label 101 ", g);
    plot_quote(g, caption);
    /* The legend below the plot, centred, as crucible plot draws it: the plot keeps the
     * figure's width. */
    fputs(" at screen 0.01, screen 0.012 left font ',8' textcolor rgb '#444444'\n"
          "set bmargin 8\nset grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n"
          "set key at screen 0.5, screen 0.045 center bottom horizontal maxrows 2 box "
          "lc rgb '#bbbbbb' Left reverse width 2\n", g);
    fprintf(g, "datafile = '%s'\n", base_of(dat));
    return CRC_OK;
}

static int fig_close(const char *out, ofile *gf, ofile *df, const char *gp, const char *dat,
                     crc_err *err)
{
    int rc;
    if ((rc = ofile_commit(df, err))) {
        ofile_abort(gf);
        return rc;
    }
    if ((rc = ofile_commit(gf, err)))
        return rc;
    return plot_render(out, gp, dat, err);
}

int discover_plot_trajectory(const discover_result *r, const char *out, const char *caption,
                             crc_err *err)
{
    ofile gf, df;
    char gp[1024], dat[1024], title[400];
    snprintf(title, sizeof title, "PRIM peeling trajectory: runs where %s", r->what);
    int rc = fig_open(out, title, caption, &gf, &df, gp, dat, err);
    if (rc)
        return rc;
    table t;
    discover_traj_table(r, &t);
    fputs("# box\truns\tcoverage\tdensity\tmass\trestricted_parameters\n", df.f);
    for (size_t b = 0; b < t.nrows; b++)
        for (size_t c = 0; c < t.ncol; c++)
            fprintf(df.f, "%s%c", t.cells[b * t.ncol + c], c + 1 < t.ncol ? '\t' : '\n');
    table_free(&t);
    fprintf(df.f, "\n\n# the chosen box after pasting: coverage\tdensity\n%.17g\t%.17g\n",
            r->coverage, r->density);
    fputs("set xlabel 'coverage (share of the runs of interest inside the box)'\n"
          "set ylabel 'density (share of the box''s runs that are of interest)'\n"
          "set xrange [0:1.05]\nset yrange [0:1.05]\n"
          "set cblabel 'parameters restricted'\nset palette defined (0 '#4575b4', "
          "1 '#fee090', 2 '#d73027')\n"
          "plot datafile index 0 using 3:4:6 with linespoints pt 7 ps 1.2 lc palette "
          "title 'boxes (colour: parameters restricted)', \\\n"
          "     datafile index 0 using 3:4:(sprintf('%d', $6)) with labels offset 0.8,0.8 "
          "font ',8' notitle, \\\n"
          "     datafile index 1 using 1:2 with points pt 6 ps 3 lw 2 lc rgb 'black' "
          "title 'chosen box (after pasting)'\n", gf.f);
    return fig_close(out, &gf, &df, gp, dat, err);
}

/* For an enum or bool parameter, tics at its levels named as a scenario file writes them
 * ("set xtics ('constant' 0, 'halving' 3)"), over the levels the runs span. */
static void level_tics(FILE *g, const char *axis, const char *path, double lo, double hi)
{
    const param_def *d = params_find(path);
    if (!d || (d->type != PT_ENUM && d->type != PT_BOOL))
        return;
    fprintf(g, "set %s (", axis);
    for (long i = (long)ceil(lo); i <= (long)floor(hi); i++) {
        char name[128];
        discover_value_text(path, (double)i, name, sizeof name);
        fprintf(g, "%s", i > (long)ceil(lo) ? ", " : "");
        plot_quote(g, name);
        fprintf(g, " %ld", i);
    }
    fputs(")\n", g);
}

int discover_plot_box(const discover_result *r, const char *out, const char *caption,
                      crc_err *err)
{
    size_t *order = malloc((r->k ? r->k : 1) * sizeof *order);
    if (!order)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    by_restriction(r, order);
    size_t a = order[0], b = r->k > 1 ? order[1] : order[0];
    free(order);
    ofile gf, df;
    char gp[1024], dat[1024], title[400];
    snprintf(title, sizeof title, "PRIM box: runs where %s (coverage %.2f, density %.2f, "
             "%zu runs at %zu points)", r->what, r->coverage, r->density, r->box_runs,
             r->box_points);
    int rc = fig_open(out, title, caption, &gf, &df, gp, dat, err);
    if (rc)
        return rc;
    const discover_dim *da = &r->dims[a], *db = &r->dims[b];
    fprintf(df.f, "# %s\t%s\tof_interest (one row per run; block 0: not of interest, "
                  "block 1: of interest)\n", da->param, db->param);
    for (int want = 0; want <= 1; want++) {
        for (size_t i = 0; i < r->runs; i++)
            if (r->y[i] == want)
                fprintf(df.f, "%.17g\t%.17g\t%d\n", r->x[i * r->k + a], r->x[i * r->k + b],
                        want);
        fputs("\n\n", df.f);
    }
    FILE *g = gf.f;
    char label[128], axis[400];
    plot_param_text(da->param, label, sizeof label, axis, sizeof axis);
    fputs("set xlabel ", g);
    plot_quote(g, axis);
    plot_param_text(db->param, label, sizeof label, axis, sizeof axis);
    fputs("\nset ylabel ", g);
    plot_quote(g, axis);
    fputc('\n', g);
    level_tics(g, "xtics", da->param, da->min, da->max);
    level_tics(g, "ytics", db->param, db->min, db->max);
    fprintf(g, "set object 1 rectangle from %.17g,%.17g to %.17g,%.17g fillstyle empty "
               "border lc rgb 'black' lw 2 front\n",
            da->lo, db->lo, da->hi, db->hi);
    fprintf(g, "plot datafile index 0 using 1:2 with points pt 6 ps 0.8 lc rgb '#4575b4' "
               "title 'runs: %s', \\\n"
               "     datafile index 1 using 1:2 with points pt 2 ps 1.0 lc rgb '#d73027' "
               "title 'runs: %s', \\\n"
               "     NaN with lines lw 2 lc rgb 'black' title 'the box'\n",
            "not of interest", "of interest");
    return fig_close(out, &gf, &df, gp, dat, err);
}

/* A parameter's value in the recommendation table: enum and bool levels by name. */
static void cell_value(table *t, const char *path, double v)
{
    char text[128];
    discover_value_text(path, v, text, sizeof text);
    table_cell(t, "%s", isfinite(v) ? text : "?");
}

void discover_safe_table(const discover_safe_result *r, table *t)
{
    table_init(t);
    table_col(t, "parameter", 0);
    table_col(t, "current", 0);
    for (int c = 0; c < DISCOVER_COLS; c++)
        table_col(t, discover_col_names[c], 0);
    size_t restricted = 0;
    for (size_t j = 0; j < r->k; j++)
        restricted += r->scheme[j] && (r->lo[j] > r->min[j] || r->hi[j] < r->max[j]);
    for (size_t j = 0; j < r->k; j++) {
        int rj = r->lo[j] > r->min[j] || r->hi[j] < r->max[j];
        if (!r->scheme[j] || (restricted && !rj))
            continue;
        table_cell(t, "%s", r->params[j]);
        cell_value(t, r->params[j], r->current[j]);
        for (int c = 0; c < DISCOVER_COLS; c++)
            cell_value(t, r->params[j], r->rec[(size_t)c * r->k + j]);
    }
    if (!r->fresh_n[0])
        return;
    table_cell(t, "P(all hold), fresh");
    table_cell(t, "%s", "");
    for (int c = 0; c < DISCOVER_COLS; c++)
        table_cell(t, "%.3f (%zu/%zu)", r->fresh_p[c], r->fresh_pass[c], r->fresh_n[c]);
    table_cell(t, "%g%% interval", 100 * r->level);
    table_cell(t, "%s", "");
    for (int c = 0; c < DISCOVER_COLS; c++)
        table_cell(t, "[%.3f, %.3f]", r->fresh_lo[c], r->fresh_hi[c]);
}
