/*
 * plot.c — gnuplot scripts and their data for the five plot kinds (plot.h). The numbers
 * are computed here (GSL through stats.h and sens.h); gnuplot only draws them. Every
 * file is written whole or not at all (util/ofile.h): gnuplot prints the picture on its
 * standard output and we store it, checked, under the final name.
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>

#include "model/core/params.h"
#include "sensdb.h"
#include "stats.h"
#include "util/ofile.h"
#include "util/version.h"

static const char *const kind_names[PLOT_KIND_COUNT] = {"timeseries", "heatmap", "rewards",
                                                         "sensitivity", "flows"};

/* Two colours that stay distinct in grey and for colour-blind readers (Okabe–Ito). */
static const char *const colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#F0E442", "#000000"};

int plot_kind_from_name(const char *name)
{
    for (int i = 0; i < PLOT_KIND_COUNT; i++)
        if (!strcmp(name, kind_names[i]))
            return i;
    return -1;
}

const char *plot_kind_name(int kind)
{
    return kind >= 0 && kind < PLOT_KIND_COUNT ? kind_names[kind] : NULL;
}

int plot_find_gnuplot(char *buf, size_t len)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return -1;
    const char *p = path;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0 && n + 9 < len) {
            snprintf(buf, len, "%.*s/gnuplot", (int)n, p);
            if (access(buf, X_OK) == 0)
                return 0;
        }
        p += n;
        if (*p == ':')
            p++;
    }
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

const char *plot_metric_unit(const char *m)
{
    static const struct { const char *name, *unit; } exact[] = {
        {"price_usd", "USD per TKN"}, {"supply", "TKN"}, {"minted", "TKN per epoch"},
        {"burned", "TKN per epoch"}, {"real_yield", "external fees / emissions"},
        {"latency_mean", "days"}, {"ext_queries", "queries per epoch"},
        {"wash_queries", "queries per epoch"}, {"consumers", "agents"},
        {"backdoored_models", "models"}, {"audits", "per epoch"}, {"detected", "per epoch"},
        {"compute_hhi", "HHI, 0-1"}, {"nakamoto", "operators"},
        {"mean_model_quality", "quality, 0-1"}, {"reward_gini", "Gini, 0-1"},
        {"price_drawdown", "fraction"}, {NULL, NULL}};
    for (size_t i = 0; exact[i].name; i++)
        if (!strcmp(m, exact[i].name))
            return exact[i].unit;
    if (!strncmp(m, "reward_tkn.", 11))
        return "TKN per epoch";
    if (!strncmp(m, "active.", 7))
        return "agents";
    if (!strncmp(m, "roi.", 4))
        return "return on cost";
    if (!strncmp(m, "time_to_", 8))
        return "days";
    if (ends_with(m, "_usd"))
        return "USD";
    if (ends_with(m, "_tkn"))
        return "TKN";
    if (ends_with(m, "share") || ends_with(m, "rate") || ends_with(m, "capture"))
        return "fraction";
    return "";
}

void plot_paths(const char *out, char *gp, char *dat, size_t len)
{
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - out) : strlen(out);
    snprintf(gp, len, "%.*s.gp", (int)stem, out);
    snprintf(dat, len, "%.*s.dat", (int)stem, out);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A gnuplot single-quoted string: no escapes except '' for '. */
static void gq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s != '\n')
            fputc(*s, f);
    }
    fputc('\'', f);
}

void plot_quote(FILE *f, const char *s)
{
    gq(f, s);
}

/* A data-file string field: double-quoted, no quotes inside. */
static void dq(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s, f);
    fputc('"', f);
}

static void axis_label(char *buf, size_t len, const char *name, const char *unit)
{
    if (unit && *unit)
        snprintf(buf, len, "%s (%s)", name, unit);
    else
        snprintf(buf, len, "%s", name);
}

static const char *db_label(const adb *d, const char *given)
{
    return given ? given : adb_scenario(d);
}

/* Terminal, output, caption and common style. */
static int script_head(FILE *f, const plot_opts *o, const adb *d, const adb *d2,
                       const char *title, crc_err *err)
{
    const char *out = base_name(o->out);
    if (ends_with(o->out, ".png"))
        fputs("set terminal pngcairo size 1100,650 noenhanced font 'sans,10' "
              "background rgb 'white'\n", f);
    else if (ends_with(o->out, ".svg"))
        fputs("set terminal svg size 1100,650 dynamic noenhanced font 'sans,10' "
              "background rgb 'white'\n", f);
    else if (ends_with(o->out, ".pdf"))
        fputs("set terminal pdfcairo size 11in,6.5in noenhanced font 'sans,10'\n", f);
    else
        return crc_err_set(err, CRC_EINPUT, "--out %s: the picture's name must end in .png, "
                           ".svg or .pdf", o->out);
    /* crucible runs the script with crucible_stdout set and stores the picture itself
     * (whole or not at all); run by hand, the script writes the file. */
    fputs("if (exists('crucible_stdout')) { set output } else { set output ", f);
    gq(f, out);
    fputs(" }\nset encoding utf8\nset title ", f);
    gq(f, title);
    char cap[1024];
    const char *ver = adb_version(d);
    if (d2)
        snprintf(cap, sizeof cap,
                 "%s: scenario %s, hash %s  |  %s: scenario %s, hash %s  |  crucible %s",
                 db_label(d, o->label1), adb_scenario(d), adb_hash(d), db_label(d2, o->label2),
                 adb_scenario(d2), adb_hash(d2), strcmp(ver, "?") ? ver : crc_version());
    else
        snprintf(cap, sizeof cap, "scenario %s  |  hash %s  |  crucible %s  |  %s",
                 adb_scenario(d), adb_hash(d), strcmp(ver, "?") ? ver : crc_version(),
                 base_name(d->path));
    fputs("\nset label 101 ", f);
    gq(f, cap);
    fputs(" at screen 0.01, screen 0.015 left font ',8' textcolor rgb '#444444'\n"
          "set bmargin 6\nset grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n"
          "set key outside right top box lc rgb '#bbbbbb'\n", f);
    return CRC_OK;
}

/* Groups (t, v) samples sorted by t and writes "t median p5 p95 mean n" rows; widens
 * [*lo, *hi] to the values written. */
static int write_bands(FILE *f, const double *t, const double *v, size_t n, double *lo,
                       double *hi)
{
    double *work = malloc((n ? n : 1) * sizeof *work);
    if (!work)
        return -1;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j] == t[i])
            j++;
        stats_desc s;
        stats_describe(v + i, j - i, 0.95, work, &s);
        fprintf(f, "%.10g %.10g %.10g %.10g %.10g %zu\n", t[i], s.median, s.p5, s.p95, s.mean,
                s.n);
        *lo = fmin(*lo, s.min);
        *hi = fmax(*hi, s.max);
        i = j;
    }
    free(work);
    return 0;
}

static size_t runs_at(const adb *d, long point)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_runs; i++)
        n += point == -2 || d->runs[i].point == point;
    return n;
}

static int plot_timeseries(FILE *gp, FILE *dat, const adb *d, const adb *d2,
                           const plot_opts *o, crc_err *err)
{
    if (!o->metric)
        return crc_err_set(err, CRC_EINPUT, "--kind timeseries needs --metric NAME");
    const adb *dbs[2] = {d, d2};
    int n_db = d2 ? 2 : 1;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n_db; k++) {
        double *t, *v;
        size_t n;
        if (adb_samples(dbs[k], o->metric, o->point, &t, &v, &n, err))
            return err->code;
        fprintf(dat, "%s# %s: %s, median / 5th / 95th percentile / mean over %zu runs\n"
                     "# t median p5 p95 mean n\n",
                k ? "\n\n" : "", dbs[k]->path, o->metric, runs_at(dbs[k], o->point));
        int rc = write_bands(dat, t, v, n, &lo, &hi);
        free(t);
        free(v);
        if (rc)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    char title[512], ylab[256];
    snprintf(title, sizeof title, "%s over time: median and 5-95%% band over replicates",
             o->metric);
    if (script_head(gp, o, d, d2, title, err))
        return err->code;
    axis_label(ylab, sizeof ylab, o->metric, plot_metric_unit(o->metric));
    fputs("set xlabel 'time (days)'\nset ylabel ", gp);
    gq(gp, ylab);
    if (lo == hi) /* a constant series: give gnuplot a range instead of a warning */
        fprintf(gp, "\nset yrange [%.10g:%.10g]", lo - fmax(1e-9, fabs(lo) * 0.1),
                hi + fmax(1e-9, fabs(hi) * 0.1));
    fputs("\nset style fill transparent solid 0.25 noborder\nplot ", gp);
    for (int k = 0; k < n_db; k++) {
        char band[300], med[300];
        const char *lab = db_label(dbs[k], k ? o->label2 : o->label1);
        snprintf(band, sizeof band, "%s: 5-95%% of %zu runs", lab, runs_at(dbs[k], o->point));
        snprintf(med, sizeof med, "%s: median", lab);
        fprintf(gp, "%sdatafile index %d using 1:3:4 with filledcurves lc rgb '%s' title ",
                k ? ", \\\n     " : "", k, colours[k]);
        gq(gp, band);
        fprintf(gp, ", \\\n     '' index %d using 1:2 with lines lw 2 lc rgb '%s' title ", k,
                colours[k]);
        gq(gp, med);
    }
    fputc('\n', gp);
    return CRC_OK;
}

/* Sorted distinct values. */
static size_t distinct(const double *x, size_t n, size_t stride, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        int seen = 0;
        for (size_t j = 0; j < m && !seen; j++)
            seen = out[j] == v;
        if (!seen)
            out[m++] = v;
    }
    gsl_sort(out, 1, m);
    return m;
}

static size_t index_of(const double *v, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return i;
    return SIZE_MAX;
}

static int plot_heatmap(FILE *gp, FILE *dat, const adb *d, const plot_opts *o, crc_err *err)
{
    if (!o->metric || !o->x || !o->y)
        return crc_err_set(err, CRC_EINPUT, "--kind heatmap needs --metric (a metric or a "
                           "criterion), --x PARAM and --y PARAM (two swept parameters)");
    adb_points pts;
    if (adb_load_points(d, &pts, err))
        return err->code;
    size_t jx = SIZE_MAX, jy = SIZE_MAX;
    for (size_t j = 0; j < pts.n_params; j++) {
        if (!strcmp(pts.paths[j], o->x))
            jx = j;
        if (!strcmp(pts.paths[j], o->y))
            jy = j;
    }
    int rc = CRC_OK;
    double *rv = NULL, *xs = NULL, *ys = NULL, *sum = NULL, *cnt = NULL;
    int *pass = NULL;
    if (jx == SIZE_MAX || jy == SIZE_MAX) {
        char list[512] = "";
        size_t len = 0;
        for (size_t j = 0; j < pts.n_params && len < sizeof list - 80; j++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "",
                                    pts.paths[j]);
        rc = crc_err_set(err, CRC_EINPUT, "--%s %s is not a swept parameter of %s; swept: %s",
                         jx == SIZE_MAX ? "x" : "y", jx == SIZE_MAX ? o->x : o->y, d->path,
                         list);
        goto done;
    }
    rv = malloc((d->n_runs ? d->n_runs : 1) * sizeof *rv);
    pass = malloc((d->n_runs ? d->n_runs : 1) * sizeof *pass);
    xs = malloc(pts.n_points * sizeof *xs);
    ys = malloc(pts.n_points * sizeof *ys);
    if (!rv || !pass || !xs || !ys) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    /* A criterion's pass probability when the name is a criterion, else the metric. */
    crc_err e2;
    int is_crit = adb_criterion(d, o->metric, pass, &e2) == CRC_OK;
    if (is_crit)
        for (size_t i = 0; i < d->n_runs; i++)
            rv[i] = pass[i] < 0 ? NAN : pass[i];
    else if ((rc = adb_run_values(d, o->metric, ADB_END, rv, NULL, err)))
        goto done;
    size_t nx = distinct(pts.x + jx, pts.n_points, pts.n_params, xs);
    size_t ny = distinct(pts.x + jy, pts.n_points, pts.n_params, ys);
    sum = calloc(nx * ny + 1, sizeof *sum);
    cnt = calloc(nx * ny + 1, sizeof *cnt);
    if (!sum || !cnt) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    /* Every run counts once in its (x, y) cell: replicates and any other swept
     * parameters are pooled. */
    size_t p = 0;
    for (size_t i = 0; i < d->n_runs; i++) {
        while (p < pts.n_points && pts.ids[p] < d->runs[i].point)
            p++;
        if (p == pts.n_points || pts.ids[p] != d->runs[i].point || isnan(rv[i]))
            continue;
        size_t ix = index_of(xs, nx, pts.x[p * pts.n_params + jx]);
        size_t iy = index_of(ys, ny, pts.x[p * pts.n_params + jy]);
        if (ix == SIZE_MAX || iy == SIZE_MAX)
            continue;
        sum[ix * ny + iy] += rv[i];
        cnt[ix * ny + iy] += 1;
    }
    fprintf(dat, "# %s: %s of %s per cell, over the runs of the sweep points with these values\n"
                 "# ix iy value runs %s %s\n",
            d->path, is_crit ? "pass probability" : "mean final value", o->metric, o->x, o->y);
    for (size_t ix = 0; ix < nx; ix++) {
        for (size_t iy = 0; iy < ny; iy++) {
            double c = cnt[ix * ny + iy];
            fprintf(dat, "%zu %zu %.10g %.0f %.10g %.10g\n", ix, iy,
                    c ? sum[ix * ny + iy] / c : NAN, c, xs[ix], ys[iy]);
        }
        fputc('\n', dat);
    }
    char title[512], xl[256], yl[256], cb[256];
    if (is_crit)
        snprintf(title, sizeof title, "probability that criterion %s holds, by %s and %s",
                 o->metric, o->x, o->y);
    else
        snprintf(title, sizeof title, "mean of %s (final value per run) by %s and %s",
                 o->metric, o->x, o->y);
    if ((rc = script_head(gp, o, d, NULL, title, err)))
        goto done;
    const param_def *px = params_find(o->x), *py = params_find(o->y);
    axis_label(xl, sizeof xl, o->x, px ? px->unit : "");
    axis_label(yl, sizeof yl, o->y, py ? py->unit : "");
    if (is_crit)
        snprintf(cb, sizeof cb, "P(%s holds)", o->metric);
    else
        axis_label(cb, sizeof cb, o->metric, plot_metric_unit(o->metric));
    fputs("set xlabel ", gp);
    gq(gp, xl);
    fputs("\nset ylabel ", gp);
    gq(gp, yl);
    fputs("\nset cblabel ", gp);
    gq(gp, cb);
    fputs("\nset xtics (", gp);
    for (size_t ix = 0; ix < nx; ix++)
        fprintf(gp, "%s'%.6g' %zu", ix ? ", " : "", xs[ix], ix);
    fputs(")\nset ytics (", gp);
    for (size_t iy = 0; iy < ny; iy++)
        fprintf(gp, "%s'%.6g' %zu", iy ? ", " : "", ys[iy], iy);
    fprintf(gp, ")\nset xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\nunset grid\n"
                "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', "
                "0.75 '#5ec962', 1 '#fde725')\n",
            nx - 1, ny - 1);
    if (is_crit)
        fputs("set cbrange [0:1]\n", gp);
    fputs("set key off\nset style textbox opaque noborder\n"
          "plot datafile using 1:2:3 with image title 'cell value', \\\n"
          "     '' using 1:2:(sprintf('%.3g', $3)) with labels boxed textcolor rgb 'black' "
          "title ''\n", gp);
done:
    adb_points_free(&pts);
    free(rv);
    free(pass);
    free(xs);
    free(ys);
    free(sum);
    free(cnt);
    return rc;
}

static int plot_rewards(FILE *gp, FILE *dat, const adb *d, const plot_opts *o, crc_err *err)
{
    char **names = NULL;
    size_t n_names = 0;
    if (adb_names(d, "metrics", &names, &n_names, err))
        return err->code;
    size_t k = 0;
    for (size_t i = 0; i < n_names; i++)
        if (!strncmp(names[i], "reward_tkn.", 11))
            names[k++] = names[i];
        else
            free(names[i]);
    n_names = k;
    int rc = CRC_OK;
    double **mt = calloc(k ? k : 1, sizeof *mt), **mv = calloc(k ? k : 1, sizeof *mv);
    size_t *mn = calloc(k ? k : 1, sizeof *mn);
    if (!k) {
        rc = crc_err_set(err, CRC_EINPUT, "%s has no reward_tkn.<class> metric to stack",
                         d->path);
        goto done;
    }
    if (!mt || !mv || !mn) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    /* Mean over runs per (class, t): band rows give the mean in column 5. */
    for (size_t c = 0; c < k; c++) {
        double *t, *v;
        size_t n;
        if ((rc = adb_samples(d, names[c], o->point, &t, &v, &n, err)))
            goto done;
        mt[c] = malloc(n * sizeof *mt[c]);
        mv[c] = malloc(n * sizeof *mv[c]);
        if (!mt[c] || !mv[c]) {
            free(t);
            free(v);
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            goto done;
        }
        size_t m = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            double s = 0;
            while (j < n && t[j] == t[i])
                s += v[j++];
            mt[c][m] = t[i];
            mv[c][m++] = s / (double)(j - i);
            i = j;
        }
        mn[c] = m;
        free(t);
        free(v);
    }
    fprintf(dat, "# %s: rewards paid per epoch by class, mean over %zu runs; columns after t "
                 "are cumulative (0, then class 1, class 1+2, ...) for stacking\n# t 0",
            d->path, runs_at(d, o->point));
    for (size_t c = 0; c < k; c++)
        fprintf(dat, " %s", names[c] + 11);
    fputc('\n', dat);
    /* The time grid of the first class; classes are merged on equal t (missing = 0). */
    size_t *pos = calloc(k, sizeof *pos);
    if (!pos) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < mn[0]; i++) {
        double t = mt[0][i], cum = 0;
        fprintf(dat, "%.10g 0", t);
        for (size_t c = 0; c < k; c++) {
            while (pos[c] < mn[c] && mt[c][pos[c]] < t)
                pos[c]++;
            if (pos[c] < mn[c] && mt[c][pos[c]] == t)
                cum += mv[c][pos[c]];
            fprintf(dat, " %.10g", cum);
        }
        fputc('\n', dat);
    }
    free(pos);
    char title[512];
    snprintf(title, sizeof title, "rewards paid by class over time (stacked; mean over %zu "
             "replicates)", runs_at(d, o->point));
    if ((rc = script_head(gp, o, d, NULL, title, err)))
        goto done;
    fputs("set xlabel 'time (days)'\nset ylabel 'rewards (TKN per epoch)'\n"
          "set style fill solid 0.85 noborder\nclasses = '", gp);
    for (size_t c = 0; c < k; c++)
        fprintf(gp, "%s%s", c ? " " : "", names[c] + 11);
    fputs("'\ncolours = '", gp);
    for (size_t c = 0; c < k; c++)
        fprintf(gp, "%s%s", c ? " " : "", colours[c % 8]);
    fprintf(gp, "'\nplot for [i=%zu:1:-1] datafile using 1:(column(i+1)):(column(i+2)) "
                "with filledcurves lc rgb word(colours, i) title word(classes, i)\n",
            k);
done:
    for (size_t c = 0; c < k; c++) {
        if (mt)
            free(mt[c]);
        if (mv)
            free(mv[c]);
    }
    free(mt);
    free(mv);
    free(mn);
    adb_strings_free(names, n_names);
    return rc;
}

static int plot_sensitivity(FILE *gp, FILE *dat, const adb *d, const plot_opts *o,
                            crc_err *err)
{
    if (!o->metric)
        return crc_err_set(err, CRC_EINPUT, "--kind sensitivity needs --metric NAME");
    sensdb_result r;
    if (sensdb_compute(d, o->metric, o->n_boot, o->level, o->seed, &r, err))
        return err->code;
    char title[512];
    if (r.kind == SENSDB_SOBOL) {
        fprintf(dat, "# %s: Sobol indices of %s, N = %zu base samples, %g%% bootstrap "
                     "intervals (%zu resamples, seed %llu)\n"
                     "# parameter S1 S1_lo S1_hi ST ST_lo ST_hi\n",
                d->path, o->metric, r.n, 100 * o->level, o->n_boot,
                (unsigned long long)o->seed);
        for (size_t j = 0; j < r.k; j++) {
            const sens_sobol_idx *s = &r.sobol[j];
            dq(dat, r.params[j]);
            fprintf(dat, " %.6g %.6g %.6g %.6g %.6g %.6g\n", s->s1, s->s1_lo, s->s1_hi, s->st,
                    s->st_lo, s->st_hi);
        }
        snprintf(title, sizeof title, "Sobol sensitivity of %s (N = %zu; bars: %g%% bootstrap "
                 "intervals)", o->metric, r.n, 100 * o->level);
    } else {
        fprintf(dat, "# %s: Morris elementary effects of %s, r = %zu trajectories, in units "
                     "of %s per full parameter range\n# parameter mu_star sigma mu\n",
                d->path, o->metric, r.n, o->metric);
        for (size_t j = 0; j < r.k; j++) {
            dq(dat, r.params[j]);
            fprintf(dat, " %.6g %.6g %.6g\n", r.morris[j].mu_star, r.morris[j].sigma,
                    r.morris[j].mu);
        }
        snprintf(title, sizeof title, "Morris screening of %s (r = %zu trajectories)",
                 o->metric, r.n);
    }
    int rc = script_head(gp, o, d, NULL, title, err);
    if (!rc) {
        fputs("set xlabel 'swept parameter'\nset xtics rotate by -25 left\n"
              "set style data histograms\nset style fill solid 0.85 border rgb '#333333'\n"
              "set bmargin 9\n", gp);
        if (r.kind == SENSDB_SOBOL)
            fprintf(gp, "set ylabel 'share of output variance (Sobol index)'\n"
                        "set style histogram errorbars gap 2 lw 1\nset yrange [*:*]\n"
                        "plot datafile using 2:3:4:xtic(1) lc rgb '%s' title 'first order S1', \\\n"
                        "     '' using 5:6:7 lc rgb '%s' title 'total order ST'\n",
                    colours[0], colours[1]);
        else {
            char yl[256];
            snprintf(yl, sizeof yl, "elementary effect (%s per full range)", o->metric);
            fputs("set ylabel ", gp);
            gq(gp, yl);
            fprintf(gp, "\nset style histogram clustered gap 2\n"
                        "plot datafile using 2:xtic(1) lc rgb '%s' title 'mu* (importance)', \\\n"
                        "     '' using 3 lc rgb '%s' title 'sigma (non-linearity, "
                        "interactions)'\n",
                    colours[0], colours[1]);
        }
    }
    sensdb_free(&r);
    return rc;
}

static int plot_flows(FILE *gp, FILE *dat, const adb *d, const plot_opts *o, crc_err *err)
{
    adb_flow *rows;
    size_t n;
    if (adb_flows(d, &rows, &n, err))
        return err->code;
    /* Pairs (src -> dst) as bars, reasons as stacked segments; the 20 largest pairs. */
    enum { MAX_PAIRS = 20, MAX_REASONS = 8 };
    char pairs[MAX_PAIRS][160], reasons[MAX_REASONS][64];
    double amt[MAX_PAIRS][MAX_REASONS + 1];
    size_t np = 0, nr = 0;
    int other = 0;
    memset(amt, 0, sizeof amt);
    for (size_t i = 0; i < n; i++) {
        char pair[160];
        snprintf(pair, sizeof pair, "%s -> %s", rows[i].src ? rows[i].src : "?",
                 rows[i].dst ? rows[i].dst : "?");
        size_t p = 0;
        while (p < np && strcmp(pairs[p], pair))
            p++;
        if (p == np) {
            if (np == MAX_PAIRS)
                continue;
            snprintf(pairs[np++], sizeof pairs[0], "%s", pair);
        }
        const char *why = rows[i].reason ? rows[i].reason : "?";
        size_t q = 0;
        while (q < nr && strcmp(reasons[q], why))
            q++;
        if (q == nr) {
            if (nr == MAX_REASONS) {
                q = MAX_REASONS; /* "other reasons" column */
                other = 1;
            } else
                snprintf(reasons[nr++], sizeof reasons[0], "%s", why);
        }
        amt[p][q] += rows[i].amount_tkn;
    }
    adb_flows_free(rows, n);
    fprintf(dat, "# %s: tokens moved over the whole run, mean over %zu runs, by src -> dst "
                 "(rows) and reason (columns)\n\"pair\"",
            d->path, d->n_runs);
    for (size_t q = 0; q < nr; q++) {
        fputc(' ', dat);
        dq(dat, reasons[q]);
    }
    if (other)
        fputs(" \"other\"", dat);
    fputc('\n', dat);
    for (size_t p = 0; p < np; p++) {
        dq(dat, pairs[p]);
        for (size_t q = 0; q < nr + (size_t)other; q++)
            fprintf(dat, " %.10g", amt[p][q]);
        fputc('\n', dat);
    }
    char title[512];
    snprintf(title, sizeof title, "token flows between classes over the run, by reason (mean "
             "over %zu replicates)", d->n_runs);
    if (script_head(gp, o, d, NULL, title, err))
        return err->code;
    fprintf(gp, "set xlabel 'from -> to'\nset ylabel 'tokens moved per run (TKN)'\n"
                "set xtics rotate by -30 left\nset bmargin 10\nset yrange [0:*]\nset offsets 0, 0, graph 0.05, 0\nset style data histograms\n"
                "set style histogram rowstacked\nset boxwidth 0.7\n"
                "set style fill solid 0.85 border rgb '#333333'\nset key autotitle columnhead\n"
                "colours = '");
    for (size_t q = 0; q < nr + (size_t)other; q++)
        fprintf(gp, "%s%s", q ? " " : "", colours[q % 8]);
    fprintf(gp, "'\nplot for [i=2:%zu] datafile using i:xtic(1) lc rgb word(colours, i-1)\n",
            nr + (size_t)other + 1);
    (void)o;
    return CRC_OK;
}

/* Whether the last bytes of a picture end it as its format requires (a PNG's IEND
 * chunk, a PDF's %%EOF, an SVG's closing tag): gnuplot may exit 0 after a failed write. */
static int picture_complete(const char *out, const unsigned char *tail, size_t n)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60,
                                           0x82};
    if (ends_with(out, ".png"))
        return n >= sizeof iend && !memcmp(tail + n - sizeof iend, iend, sizeof iend);
    const char *mark = ends_with(out, ".pdf") ? "%%EOF" : "</svg>";
    size_t m = strlen(mark);
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(tail + i, mark, m))
            return 1;
    return 0;
}

/* Runs `gnuplot -e crucible_stdout=1 SCRIPT` in dir and writes what it prints on its
 * standard output into pic. Returns gnuplot's exit status (-1 when it could not run);
 * *bytes and the last bytes (tail, *n_tail) say what arrived. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *script, ofile *pic,
                       size_t *bytes, unsigned char *tail, size_t tail_cap, size_t *n_tail)
{
    int fds[2];
    *bytes = *n_tail = 0;
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (chdir(dir) != 0 || dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(126);
        close(fds[1]);
        execl(gnuplot, "gnuplot", "-e", "crucible_stdout=1", script, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    unsigned char buf[65536];
    for (;;) {
        ssize_t r = read(fds[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t n = (size_t)r;
        if (fwrite(buf, 1, n, pic->f) != n)
            break; /* disk full or the like: ofile_commit says which; gnuplot gets EPIPE */
        *bytes += n;
        if (n >= tail_cap) {
            memcpy(tail, buf + n - tail_cap, tail_cap);
            *n_tail = tail_cap;
        } else {
            size_t keep = *n_tail + n > tail_cap ? tail_cap - n : *n_tail;
            memmove(tail, tail + *n_tail - keep, keep);
            memcpy(tail + keep, buf, n);
            *n_tail = keep + n;
        }
    }
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int plot_render(const char *out, const char *gpath, const char *dpath, crc_err *err)
{
    int rc;
    char gnuplot[1024];
    if (plot_find_gnuplot(gnuplot, sizeof gnuplot))
        return crc_err_set(err, CRC_EFAIL,
                           "gnuplot is not on PATH: install the Debian package gnuplot-nox "
                           "(apt-get install gnuplot-nox, or 'make deps'). The script %s and "
                           "its data %s were written; run 'gnuplot %s' once it is installed",
                           gpath, dpath, base_name(gpath));
    char dir[1024];
    const char *slash = strrchr(out, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    else
        snprintf(dir, sizeof dir, ".");
    if (!*dir)
        snprintf(dir, sizeof dir, "/");
    ofile pic;
    if ((rc = ofile_open(&pic, out, err)))
        return rc;
    unsigned char tail[32];
    size_t bytes, n_tail;
    int st = run_gnuplot(gnuplot, dir, base_name(gpath), &pic, &bytes, tail, sizeof tail,
                         &n_tail);
    if (ferror(pic.f)) /* the write failed: that, not gnuplot, is the news */
        return ofile_commit(&pic, err);
    if (st != 0 || !picture_complete(out, tail, n_tail)) {
        ofile_abort(&pic);
        if (st != 0)
            return crc_err_set(err, CRC_EFAIL, "gnuplot failed on %s (exit status %d); its "
                               "messages are above; %s was not written", gpath, st, out);
        return crc_err_set(err, CRC_EFAIL, "gnuplot exited without a complete picture for "
                           "%s (%zu bytes); its messages are above; %s was not written",
                           gpath, bytes, out);
    }
    return ofile_commit(&pic, err);
}

int plot_make(const adb *d, const adb *d2, const plot_opts *o, crc_err *err)
{
    if (!o->out || !(ends_with(o->out, ".png") || ends_with(o->out, ".svg") ||
                     ends_with(o->out, ".pdf")))
        return crc_err_set(err, CRC_EINPUT, "--out %s: the picture's name must end in .png, "
                           ".svg or .pdf", o->out ? o->out : "(none)");
    if (!d->n_runs)
        return crc_err_set(err, CRC_EINPUT, "%s: no finished run to plot"
                    ADB_NO_RUN_FIX, d->path);
    char gpath[1024], dpath[1024];
    plot_paths(o->out, gpath, dpath, sizeof gpath);
    /* All three targets are checked before any is written: a refused one leaves the
     * others untouched too. */
    int rc;
    if ((rc = ofile_check(o->out, err)) || (rc = ofile_check(gpath, err)) ||
        (rc = ofile_check(dpath, err)))
        return rc;
    ofile gf, df;
    if ((rc = ofile_open(&gf, gpath, err)))
        return rc;
    if ((rc = ofile_open(&df, dpath, err))) {
        ofile_abort(&gf);
        return rc;
    }
    FILE *gp = gf.f, *dat = df.f;
    fprintf(gp, "# %s — written by crucible %s (%s) from %s%s%s.\n"
                "# Restyle freely and run: gnuplot %s   (data: %s)\n",
            base_name(gpath), crc_version(), crc_git_commit(), d->path, d2 ? " and " : "",
            d2 ? d2->path : "", base_name(gpath), base_name(dpath));
    fprintf(gp, "datafile = '%s'\n", base_name(dpath));
    switch (o->kind) {
    case PLOT_TIMESERIES: rc = plot_timeseries(gp, dat, d, d2, o, err); break;
    case PLOT_HEATMAP: rc = plot_heatmap(gp, dat, d, o, err); break;
    case PLOT_REWARDS: rc = plot_rewards(gp, dat, d, o, err); break;
    case PLOT_SENSITIVITY: rc = plot_sensitivity(gp, dat, d, o, err); break;
    case PLOT_FLOWS: rc = plot_flows(gp, dat, d, o, err); break;
    default: rc = crc_err_set(err, CRC_EINPUT, "unknown plot kind %d", o->kind);
    }
    if (rc) {
        ofile_abort(&gf);
        ofile_abort(&df);
        return rc;
    }
    if ((rc = ofile_commit(&df, err))) {
        ofile_abort(&gf);
        return rc;
    }
    if ((rc = ofile_commit(&gf, err)))
        return rc;

    return plot_render(o->out, gpath, dpath, err);
}
