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

/* Colours that stay distinct for colour-blind readers and from each other (Paul Tol's
 * "bright" scheme, then a dark grey): no two ambers, no two blues next to each other. */
enum { N_COLOURS = 8 };
static const char *const colours[N_COLOURS] = {"#4477AA", "#EE6677", "#228833", "#CCBB44",
                                               "#66CCEE", "#AA3377", "#BBBBBB", "#444444"};

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

/* Paths relative to the script's folder (gnuplot sets ARG0 to the script's path), so
 * that it runs from any directory; without its data it stops before opening the
 * picture, leaving no empty file. */
void plot_script_prologue(FILE *gp, const char *dpath)
{
    fputs("here = ''\nif (exists('ARG0')) { crc_i = strlen(ARG0); while (crc_i > 0 && "
          "ARG0[crc_i:crc_i] ne '/') { crc_i = crc_i - 1 }; if (crc_i > 0) { here = "
          "ARG0[1:crc_i] } }\n",
          gp);
    fprintf(gp, "datafile = here.'%s'\n", base_name(dpath));
    fputs("stats datafile using 0 nooutput\nif (!exists('STATS_records')) { exit error "
          "sprintf('no data: %s (keep it beside the script)', datafile) }\n",
          gp);
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

/* A gnuplot double-quoted string, where "\n" breaks a line (titles, tic labels). */
static void gdq(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", f);
        else {
            if (*s == '"' || *s == '\\')
                fputc('\\', f);
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

static void axis_label(char *buf, size_t len, const char *name, const char *unit)
{
    if (unit && *unit)
        snprintf(buf, len, "%s (%s)", name, unit);
    else
        snprintf(buf, len, "%s", name);
}

/* A metric's label ("treasury balance") and axis text ("treasury balance (TKN)") from the
 * database's metric_info; for a file without it, the raw name and a unit guessed from
 * the name (plot_metric_unit). */
static void metric_text(const adb *d, const char *metric, char *label, size_t llen,
                        char *axis, size_t alen)
{
    char unit[128];
    if (!adb_metric_info(d, metric, label, llen, unit, sizeof unit))
        snprintf(unit, sizeof unit, "%s", plot_metric_unit(metric));
    axis_label(axis, alen, label, unit);
}

/* See plot.h. */
void plot_param_text(const char *path, char *label, size_t llen, char *axis, size_t alen)
{
    const param_def *p = params_find(path);
    if (!p || !p->doc || !*p->doc) {
        snprintf(label, llen, "%s", path);
        snprintf(axis, alen, "%s", path);
        return;
    }
    const char *doc = p->doc;
    size_t n = strlen(doc), cut = n;
    int cropped = 0;
    for (size_t i = 0; i < n; i++)
        if ((strchr(":.;,", doc[i]) && (doc[i + 1] == ' ' || !doc[i + 1]) &&
             (i >= 8 || doc[i] != ':')) ||
            (i >= 8 && doc[i] == ' ' && doc[i + 1] == '(')) {
            cut = i; /* a clause of fewer than 8 characters ("E(0):") takes the next */
            break;
        }
    if (cut > 40) {
        cut = 40;
        while (cut > 20 && doc[cut] != ' ')
            cut--;
        cropped = 1;
    }
    snprintf(label, llen, "%.*s%s", (int)cut, doc, cropped ? "..." : "");
    if (p->unit && *p->unit)
        snprintf(axis, alen, "%s (%s) [%s]", label, p->unit, path);
    else
        snprintf(axis, alen, "%s [%s]", label, path);
}

/* Breaks s into lines of about width characters at spaces (tic labels). */
static void wrap(char *s, size_t width)
{
    size_t line = 0;
    char *last_space = NULL;
    for (char *p = s; *p; p++, line++) {
        if (*p == ' ')
            last_space = p;
        if (line >= width && last_space) {
            *last_space = '\n';
            line = (size_t)(p - last_space);
            last_space = NULL;
        }
    }
}

/* The largest t in a band file's rows (the run's last stored day). */
static double t_last(const double *t, size_t n, double sofar)
{
    return n ? fmax(sofar, t[n - 1]) : sofar;
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
    fputs("if (exists('crucible_stdout')) { set output } else { set output here.", f);
    gq(f, out);
    fputs(" }\nset encoding utf8\nset title ", f);
    gdq(f, title);
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
    fputs(" at screen 0.01, screen 0.012 left font ',8' textcolor rgb '#444444'\n"
          "set bmargin 8\nset grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n"
          "set key at screen 0.5, screen 0.045 center bottom horizontal maxrows 2 box "
          "lc rgb '#bbbbbb' Left reverse width 2\n", f);
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
    double lo = INFINITY, hi = -INFINITY, tmax = 0;
    for (int k = 0; k < n_db; k++) {
        double *t, *v;
        size_t n;
        if (adb_samples(dbs[k], o->metric, o->point, &t, &v, &n, err))
            return err->code;
        fprintf(dat, "%s# %s: %s, median / 5th / 95th percentile / mean over %zu runs\n"
                     "# t median p5 p95 mean n\n",
                k ? "\n\n" : "", dbs[k]->path, o->metric, runs_at(dbs[k], o->point));
        int rc = write_bands(dat, t, v, n, &lo, &hi);
        tmax = t_last(t, n, tmax);
        free(t);
        free(v);
        if (rc)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    char title[512], label[256], ylab[400];
    metric_text(d, o->metric, label, sizeof label, ylab, sizeof ylab);
    snprintf(title, sizeof title, "%s over time: median and 5-95%% band over replicates",
             label);
    if (script_head(gp, o, d, d2, title, err))
        return err->code;
    fprintf(gp, "set xlabel 'time (days)'\nset xrange [0:%.10g]\nset ylabel ", tmax);
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
    char title[1024], xl[400], yl[400], cb[400], lx[128], ly[128], lm[256];
    plot_param_text(o->x, lx, sizeof lx, xl, sizeof xl);
    plot_param_text(o->y, ly, sizeof ly, yl, sizeof yl);
    if (is_crit) {
        char test[256];
        adb_criterion_text(d, o->metric, test, sizeof test);
        snprintf(title, sizeof title, "probability that criterion %s%s%s%s holds, by %s and %s",
                 o->metric, *test ? " (" : "", test, *test ? ")" : "", lx, ly);
        snprintf(cb, sizeof cb, "P(%s holds)", o->metric);
    } else {
        metric_text(d, o->metric, lm, sizeof lm, cb, sizeof cb);
        snprintf(title, sizeof title, "mean of %s (final value per run) by %s and %s", lm,
                 lx, ly);
    }
    if ((rc = script_head(gp, o, d, NULL, title, err)))
        goto done;
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
    /* Classes paid nothing in any epoch are left out (and named in the title), so the
     * colours go to the classes that are drawn. */
    int *shown = calloc(k, sizeof *shown);
    if (!shown) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    size_t n_shown = 0;
    char zero[512] = "";
    double tmax = 0;
    for (size_t c = 0; c < k; c++) {
        for (size_t i = 0; i < mn[c] && !shown[c]; i++)
            shown[c] = mv[c][i] != 0;
        n_shown += (size_t)shown[c];
        tmax = t_last(mt[c], mn[c], tmax);
        if (!shown[c])
            snprintf(zero + strlen(zero), sizeof zero - strlen(zero), "%s%s", *zero ? ", " : "",
                     names[c] + 11);
    }
    fprintf(dat, "# %s: rewards paid per epoch by class, mean over %zu runs; columns after t "
                 "are cumulative (0, then class 1, class 1+2, ...) for stacking; classes paid "
                 "nothing throughout are left out%s%s\n# t 0",
            d->path, runs_at(d, o->point), *zero ? ": " : "", zero);
    for (size_t c = 0; c < k; c++)
        if (shown[c])
            fprintf(dat, " %s", names[c] + 11);
    fputc('\n', dat);
    /* The time grid of the first class; classes are merged on equal t (missing = 0). */
    size_t *pos = calloc(k, sizeof *pos);
    if (!pos) {
        free(shown);
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
            if (shown[c])
                fprintf(dat, " %.10g", cum);
        }
        fputc('\n', dat);
    }
    free(pos);
    char title[1024], label[256], unit[128], ylab[300];
    if (!adb_metric_info(d, names[0], label, sizeof label, unit, sizeof unit))
        snprintf(unit, sizeof unit, "%s", plot_metric_unit(names[0]));
    axis_label(ylab, sizeof ylab, "rewards granted", unit);
    snprintf(title, sizeof title, "rewards granted by class over time (stacked; mean over %zu "
             "replicates)%s%s", runs_at(d, o->point),
             *zero ? "\nnot shown, zero throughout: " : "", zero);
    if ((rc = script_head(gp, o, d, NULL, title, err))) {
        free(shown);
        goto done;
    }
    fprintf(gp, "set xlabel 'time (days)'\nset xrange [0:%.10g]\nset ylabel ", tmax);
    gq(gp, ylab);
    fputs("\nset style fill solid 0.85 noborder\nclasses = '", gp);
    for (size_t c = 0, j = 0; c < k; c++)
        if (shown[c])
            fprintf(gp, "%s%s", j++ ? " " : "", names[c] + 11);
    fputs("'\ncolours = '", gp);
    for (size_t c = 0, j = 0; c < k; c++)
        if (shown[c])
            fprintf(gp, "%s%s", j ? " " : "", colours[j % N_COLOURS]), j++;
    if (n_shown)
        fprintf(gp, "'\nplot for [i=%zu:1:-1] datafile using 1:(column(i+1)):(column(i+2)) "
                    "with filledcurves lc rgb word(colours, i) title word(classes, i)\n",
                n_shown);
    else /* nothing paid at all: an honest empty chart rather than an error */
        fputs("'\nset yrange [0:1]\nplot datafile using 1:2 with lines lc rgb '#444444' "
              "title 'no class was paid any reward'\n", gp);
    free(shown);
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

/* The y range of Sobol bars: [0, 1] (a share of variance) widened to what the indices
 * and their intervals reach, but never beyond [-0.25, 1.25]; *cut when an interval or an
 * estimate goes past it. */
static void sobol_range(const sensdb_result *r, double *lo, double *hi, int *cut)
{
    double a = 0, b = 1;
    for (size_t j = 0; j < r->k; j++) {
        const sens_sobol_idx *x = &r->sobol[j];
        const double v[6] = {x->s1, x->s1_lo, x->s1_hi, x->st, x->st_lo, x->st_hi};
        for (int i = 0; i < 6; i++)
            if (!isnan(v[i]))
                a = fmin(a, v[i]), b = fmax(b, v[i]);
    }
    *cut = a < -0.25 || b > 1.25;
    *lo = fmax(a, -0.25) - 0.02;
    *hi = fmin(b, 1.25) + 0.02;
}

static int plot_sensitivity(FILE *gp, FILE *dat, const adb *d, const plot_opts *o,
                            crc_err *err)
{
    if (!o->metric)
        return crc_err_set(err, CRC_EINPUT, "--kind sensitivity needs --metric NAME");
    sensdb_result r;
    if (sensdb_compute(d, o->metric, o->n_boot, o->level, o->seed, &r, err))
        return err->code;
    char title[1024], label[256], axis[400], unit[128];
    if (!adb_metric_info(d, o->metric, label, sizeof label, unit, sizeof unit))
        snprintf(unit, sizeof unit, "%s", plot_metric_unit(o->metric));
    sensdb_check chk;
    sensdb_sobol_check(&r, &chk);
    if (r.kind == SENSDB_SOBOL) {
        fprintf(dat, "# %s: Sobol indices of %s, N = %zu base samples, %g%% bootstrap "
                     "intervals (%zu resamples, seed %llu)%s%s\n"
                     "# parameter S1 S1_lo S1_hi ST ST_lo ST_hi\n",
                d->path, o->metric, r.n, 100 * o->level, o->n_boot,
                (unsigned long long)o->seed, *chk.msg ? "\n# " : "", chk.msg);
        for (size_t j = 0; j < r.k; j++) {
            const sens_sobol_idx *s = &r.sobol[j];
            dq(dat, r.params[j]);
            fprintf(dat, " %.6g %.6g %.6g %.6g %.6g %.6g\n", s->s1, s->s1_lo, s->s1_hi, s->st,
                    s->st_lo, s->st_hi);
        }
        snprintf(title, sizeof title, "Sobol sensitivity of %s (N = %zu base samples; bars: "
                 "%g%% bootstrap intervals)", label, r.n, 100 * o->level);
    } else {
        fprintf(dat, "# %s: Morris elementary effects of %s, r = %zu trajectories, in units "
                     "of %s per full parameter range\n# parameter mu_star sigma mu\n",
                d->path, o->metric, r.n, *unit ? unit : o->metric);
        for (size_t j = 0; j < r.k; j++) {
            dq(dat, r.params[j]);
            fprintf(dat, " %.6g %.6g %.6g\n", r.morris[j].mu_star, r.morris[j].sigma,
                    r.morris[j].mu);
        }
        snprintf(title, sizeof title, "Morris screening of %s (r = %zu trajectories)", label,
                 r.n);
    }
    int rc = script_head(gp, o, d, NULL, title, err);
    if (!rc) {
        /* Each bar group names its parameter by the registry's label over its path. */
        fputs("set xlabel 'swept parameter'\nset xtics (", gp);
        for (size_t j = 0; j < r.k; j++) {
            char pl[128], pa[400], tic[600];
            plot_param_text(r.params[j], pl, sizeof pl, pa, sizeof pa);
            wrap(pl, 22);
            snprintf(tic, sizeof tic, "%s\n[%s]", pl, r.params[j]);
            fputs(j ? ", " : "", gp);
            gdq(gp, tic);
            fprintf(gp, " %zu", j);
        }
        fputs(") scale 0\nset xlabel offset 0, -2.5\nset style data histograms\n"
              "set style fill solid 0.85 border rgb '#333333'\nset bmargin 13\n", gp);
        if (r.kind == SENSDB_SOBOL) {
            double lo, hi;
            int cut;
            sobol_range(&r, &lo, &hi, &cut);
            fprintf(gp, "set ylabel 'share of output variance (Sobol index; 0 = none, 1 = all)'\n"
                        "set yrange [%.4g:%.4g]\n"
                        "set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb '#444444'\n"
                        "set arrow 2 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#444444'\n",
                    lo, hi);
            if (*chk.msg || cut) {
                /* The warning in the picture itself: a forum reader sees only the image. */
                char note[700];
                snprintf(note, sizeof note, "%s%s", chk.msg,
                         cut ? "\n(bars and intervals are cut at the axis; 'crucible "
                               "sensitivity' prints them whole)" : "");
                char *semi = strstr(note, "); ");
                if (semi) /* two lines: what is wrong, then how many samples would do */
                    semi[2] = '\n';
                fputs("set tmargin 8\nset label 103 ", gp);
                gdq(gp, note);
                fprintf(gp, " at screen 0.5, screen 0.925 center front textcolor rgb '%s'\n",
                        chk.too_small ? "#B00000" : "#444444");
            }
            fprintf(gp, "set style histogram errorbars gap 2 lw 1\n"
                        "plot datafile using 2:3:4 lc rgb '%s' title 'first order S1 (alone)', \\\n"
                        "     '' using 5:6:7 lc rgb '%s' title 'total order ST (with interactions)'\n",
                    colours[0], colours[1]);
        } else {
            char yl[300];
            snprintf(yl, sizeof yl, "%s per full parameter range", *unit ? unit : label);
            axis_label(axis, sizeof axis, "elementary effect", yl);
            fputs("set yrange [0:*]\nset ylabel ", gp);
            gq(gp, axis);
            fprintf(gp, "\nset style histogram clustered gap 2\n"
                        "plot datafile using 2 lc rgb '%s' title 'mu* (importance)', \\\n"
                        "     '' using 3 lc rgb '%s' title 'sigma (non-linearity, "
                        "interactions)'\n",
                    colours[0], colours[1]);
        }
    }
    sensdb_free(&r);
    return rc;
}

/* One bar of the flows plot: a src -> dst pair (or the rest grouped), by reason. */
enum { FLOW_TOP = 12, FLOW_REASONS = 8 };
typedef struct flow_bar {
    char name[160];
    double amt[FLOW_REASONS + 1]; /* the last: reasons beyond the first FLOW_REASONS */
    double total;
} flow_bar;

static int bar_by_total(const void *a, const void *b)
{
    double x = ((const flow_bar *)a)->total, y = ((const flow_bar *)b)->total;
    return x < y ? 1 : x > y ? -1 : strcmp(((const flow_bar *)a)->name, ((const flow_bar *)b)->name);
}

/* Horizontal bars, one per src -> dst pair, largest on top, stacked by reason: the
 * FLOW_TOP largest pairs and one bar for all the others, so every label is horizontal
 * and readable. */
static int plot_flows(FILE *gp, FILE *dat, const adb *d, const plot_opts *o, crc_err *err)
{
    adb_flow *rows;
    size_t n;
    if (adb_flows(d, &rows, &n, err))
        return err->code;
    flow_bar *bars = calloc(n + 1, sizeof *bars);
    if (!bars) {
        adb_flows_free(rows, n);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    char reasons[FLOW_REASONS][64];
    size_t np = 0, nr = 0;
    int other = 0;
    for (size_t i = 0; i < n; i++) { /* rows come largest first: big reasons get columns */
        char pair[160];
        snprintf(pair, sizeof pair, "%s -> %s", rows[i].src ? rows[i].src : "?",
                 rows[i].dst ? rows[i].dst : "?");
        size_t p = 0;
        while (p < np && strcmp(bars[p].name, pair))
            p++;
        if (p == np)
            snprintf(bars[np++].name, sizeof bars[0].name, "%s", pair);
        const char *why = rows[i].reason ? rows[i].reason : "?";
        size_t q = 0;
        while (q < nr && strcmp(reasons[q], why))
            q++;
        if (q == nr) {
            if (nr == FLOW_REASONS)
                other = 1; /* q == FLOW_REASONS: "other reasons" */
            else
                snprintf(reasons[nr++], sizeof reasons[0], "%s", why);
        }
        bars[p].amt[q] += rows[i].amount_tkn;
        bars[p].total += rows[i].amount_tkn;
    }
    adb_flows_free(rows, n);
    qsort(bars, np, sizeof *bars, bar_by_total);
    size_t shown = np;
    if (np > FLOW_TOP + 1) { /* the rest as one bar */
        flow_bar rest = {{0}, {0}, 0};
        for (size_t p = FLOW_TOP; p < np; p++) {
            for (size_t q = 0; q <= FLOW_REASONS; q++)
                rest.amt[q] += bars[p].amt[q];
            rest.total += bars[p].total;
        }
        snprintf(rest.name, sizeof rest.name, "%zu other pairs", np - FLOW_TOP);
        bars[FLOW_TOP] = rest;
        shown = FLOW_TOP + 1;
    }
    size_t nc = nr + (size_t)other;
    fprintf(dat, "# %s: tokens moved over the whole run, mean over %zu runs, by src -> dst "
                 "(rows, largest first) and reason; columns after the pair are cumulative "
                 "(0, reason 1, 1+2, ...) for stacking\n# row pair 0",
            d->path, d->n_runs);
    for (size_t q = 0; q < nr; q++)
        fprintf(dat, " %s", reasons[q]);
    if (other)
        fputs(" other", dat);
    fputc('\n', dat);
    for (size_t p = 0; p < shown; p++) {
        fprintf(dat, "%zu ", p);
        dq(dat, bars[p].name);
        double cum = 0;
        fputs(" 0", dat);
        for (size_t q = 0; q < nc; q++) {
            cum += bars[p].amt[q < nr ? q : FLOW_REASONS];
            fprintf(dat, " %.10g", cum);
        }
        fputc('\n', dat);
    }
    free(bars);
    char title[512];
    snprintf(title, sizeof title, "token flows between classes over the run, by reason (mean "
             "over %zu replicates)", d->n_runs);
    if (script_head(gp, o, d, NULL, title, err))
        return err->code;
    fprintf(gp, "set xlabel 'tokens moved per run (TKN; k = thousand, M = million)'\n"
                "set ylabel ''\nset format x '%%.1s%%c'\nset xrange [0:*]\n"
                "set yrange [%zu.6:-0.6]\nset ytics scale 0\nset grid noytics\nset lmargin 26\n"
                "set style fill solid 0.85 border rgb '#333333'\nreasons = '",
            shown ? shown - 1 : 0);
    for (size_t q = 0; q < nr; q++)
        fprintf(gp, "%s%s", q ? " " : "", reasons[q]);
    fputs(other ? " other'\ncolours = '" : "'\ncolours = '", gp);
    for (size_t q = 0; q < nc; q++)
        fprintf(gp, "%s%s", q ? " " : "", colours[q % N_COLOURS]);
    if (nc)
        fprintf(gp, "'\nplot for [i=1:%zu] datafile using (column(i+2)):1:(column(i+2)):"
                    "(column(i+3)):($1-0.35):($1+0.35):ytic(2) with boxxyerror "
                    "lc rgb word(colours, i) title word(reasons, i)\n", nc);
    else
        fputs("'\nset label 'no tokens moved' at graph 0.5, graph 0.5 center\n"
              "plot datafile using 1:1 with points notitle\n", gp);
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
    plot_script_prologue(gp, dpath);
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
