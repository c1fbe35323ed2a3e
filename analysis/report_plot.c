/* report_plot.c — the report's comparison picture with a difference panel (report_plot.h). */
#include "report_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "plot.h"
#include "report_cmp.h"
#include "stats.h"
#include "util/ofile.h"
#include "util/version.h"

/* One arm's samples of a metric, ordered by (t, replicate). */
typedef struct series {
    double *t, *v;
    long *rep;
    size_t n;
} series;

static void series_free(series *s)
{
    free(s->t);
    free(s->v);
    free(s->rep);
}

static int load(const adb *d, const char *metric, series *s, crc_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(d->db, "SELECT m.t, m.value, r.replicate FROM metrics m JOIN runs "
                           "r ON r.id = m.run WHERE r.status = 'done' AND m.name = ?1 AND "
                           "m.value IS NOT NULL ORDER BY m.t, r.replicate, r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return crc_err_set(err, CRC_EFAIL, "%s: %s", d->path, sqlite3_errmsg(d->db));
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    int rc = CRC_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (s->n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *t = realloc(s->t, cap * sizeof *t), *v = t ? realloc(s->v, cap * sizeof *v)
                                                                : NULL;
            long *r = v ? realloc(s->rep, cap * sizeof *r) : NULL;
            if (t)
                s->t = t;
            if (v)
                s->v = v;
            if (r)
                s->rep = r;
            if (!r) {
                rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
                break;
            }
        }
        s->t[s->n] = sqlite3_column_double(st, 0);
        s->v[s->n] = sqlite3_column_double(st, 1);
        s->rep[s->n] = sqlite3_column_int64(st, 2);
        s->n++;
    }
    sqlite3_finalize(st);
    if (!rc && !s->n) {
        char **names = NULL;
        size_t nn = 0, len = 0;
        char known[600] = "";
        crc_err e2;
        adb_names(d, "metrics", &names, &nn, &e2);
        for (size_t i = 0; i < nn && len + 2 < sizeof known; i++)
            len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                                    names[i]);
        adb_strings_free(names, nn);
        rc = crc_err_set(err, CRC_EINPUT, "--metric %s: %s has no time series of that name "
                         "(a summary value such as price_drawdown has none); time series: %s",
                         metric, d->path, known);
    }
    return rc;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The interventions of either arm, marked on the time axis: one dashed line per
 * distinct (day, parameter, value), labelled with the arm that has it when only one
 * does. */
enum { MAX_MARKS = 12 };
typedef struct mark {
    double t;
    char what[160];
    int arms; /* bit 0: baseline, bit 1: proposal */
} mark;

static void mark_interventions(FILE *gp, const adb *b, const adb *p)
{
    const adb *dbs[2] = {b, p};
    mark m[MAX_MARKS];
    size_t n = 0;
    for (int s = 0; s < 2; s++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(dbs[s]->db, "SELECT DISTINCT t, path, value FROM interventions "
                               "ORDER BY t, path", -1, &st, NULL) != SQLITE_OK)
            continue; /* no such table: nothing to mark */
        while (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *path = sqlite3_column_text(st, 1);
            const unsigned char *val = sqlite3_column_text(st, 2);
            double t = sqlite3_column_double(st, 0);
            char what[160];
            snprintf(what, sizeof what, "day %g: %s = %s", t, path ? (const char *)path : "?",
                     val ? (const char *)val : "?");
            size_t i = 0;
            while (i < n && strcmp(m[i].what, what))
                i++;
            if (i == n && n < MAX_MARKS) {
                m[n].t = t;
                snprintf(m[n].what, sizeof m[n].what, "%s", what);
                m[n++].arms = 0;
            }
            if (i < n)
                m[i].arms |= 1 << s;
        }
        sqlite3_finalize(st);
    }
    static const char *const only[4] = {"", " (baseline only)", " (proposal only)", ""};
    for (size_t i = 0; i < n; i++) {
        char text[200];
        snprintf(text, sizeof text, "%s%s", m[i].what, only[m[i].arms & 3]);
        fprintf(gp, "set arrow %zu from %.17g, graph 0 to %.17g, graph 1 nohead dt 2 lw 1.5 "
                    "lc rgb '#555555' front\nset label %zu ", 10 + i, m[i].t, m[i].t, 10 + i);
        plot_quote(gp, text);
        fprintf(gp, " at %.17g, graph %.2f left offset 0.6,0 font ',9' textcolor rgb "
                    "'#333333' front\n", m[i].t, 0.06 + 0.06 * (double)i);
    }
}

/* Writes one row per sample day: t, both arms' median/p5/p95, the paired difference's
 * median/p5/p95 and the number of pairs. Returns the rows written, or 0 when out of
 * memory; *same: every pair agreed; *tmax: the last day. */
static size_t write_rows(FILE *dat, const series *a, const series *b, int *same, double *tmax)
{
    size_t cap = a->n + b->n + 1, rows = 0;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y), *d = malloc(cap * sizeof *d);
    double *work = malloc(cap * sizeof *work);
    *same = 1;
    *tmax = 0;
    if (!x || !y || !d || !work)
        goto done;
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        double t = i < a->n && (j >= b->n || a->t[i] <= b->t[j]) ? a->t[i] : b->t[j];
        size_t ni = 0, nj = 0, nd = 0, i0 = i, j0 = j;
        while (i < a->n && a->t[i] == t)
            x[ni++] = a->v[i++];
        while (j < b->n && b->t[j] == t)
            y[nj++] = b->v[j++];
        for (size_t p = i0; p < i; p++)
            for (size_t q = j0; q < j; q++)
                if (a->rep[p] == b->rep[q]) {
                    d[nd++] = b->v[q] - a->v[p];
                    *same &= report_same_value(a->v[p], b->v[q]);
                }
        *same &= ni == nj;
        stats_desc sa, sb, sd;
        stats_describe(x, ni, 0.95, work, &sa);
        stats_describe(y, nj, 0.95, work, &sb);
        stats_describe(d, nd, 0.95, work, &sd);
        fprintf(dat, "%.17g %.10g %.10g %.10g %.10g %.10g %.10g %.10g %.10g %.10g %zu\n", t,
                sa.median, sa.p5, sa.p95, sb.median, sb.p5, sb.p95, nd ? sd.median : NAN,
                nd ? sd.p5 : NAN, nd ? sd.p95 : NAN, nd);
        *tmax = t;
        rows++;
    }
done:
    free(x);
    free(y);
    free(d);
    free(work);
    return rows;
}

int report_plot_compare(const adb *b, const adb *p, const char *metric, const char *lb,
                        const char *lp, const char *out, int *identical, crc_err *err)
{
    series sa, sb;
    char gpath[1100], dpath[1100];
    int rc;
    *identical = 0;
    if ((rc = load(b, metric, &sa, err)))
        return rc;
    if ((rc = load(p, metric, &sb, err))) {
        series_free(&sa);
        return rc;
    }
    plot_paths(out, gpath, dpath, sizeof gpath);
    ofile gp = {.fd = -1}, dat = {.fd = -1};
    if ((rc = ofile_open(&dat, dpath, err)) || (rc = ofile_open(&gp, gpath, err)))
        goto done;
    fprintf(dat.f, "# %s: %s (baseline %s) and %s (proposal %s), median / 5th / 95th "
                   "percentile over replicates; diff = proposal - baseline paired by "
                   "replicate\n# t base_median base_p5 base_p95 prop_median prop_p5 prop_p95 "
                   "diff_median diff_p5 diff_p95 pairs\n",
            metric, lb, b->path, lp, p->path);
    double tmax;
    if (!write_rows(dat.f, &sa, &sb, identical, &tmax)) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    /* The axis reads "treasury balance (TKN)"; the title names the metric as --metric
     * takes it too. A file without labels: the raw name and a unit guessed from it. */
    char label[128], unit[64], ylab[256], title[512], named[256];
    if (!adb_metric_info(b, metric, label, sizeof label, unit, sizeof unit))
        snprintf(unit, sizeof unit, "%s", plot_metric_unit(metric));
    if (strcmp(label, metric))
        snprintf(named, sizeof named, "%s (%s)", label, metric);
    else
        snprintf(named, sizeof named, "%s", metric);
    snprintf(ylab, sizeof ylab, "%s%s%s%s", label, *unit ? " (" : "", unit, *unit ? ")" : "");
    snprintf(title, sizeof title, "%s: %s versus %s (median and 5-95%% band over replicates)",
             named, lp, lb);
    FILE *g = gp.f;
    fprintf(g, "# %s — written by crucible %s (%s) from %s and %s.\n"
               "# Restyle freely and run from any folder: gnuplot %s   (data: %s)\n",
            base_name(gpath), crc_version(), crc_git_commit(), b->path, p->path,
            base_name(gpath), base_name(dpath));
    /* The data file is found beside the script, wherever gnuplot is started. */
    fputs("dir = system('dirname \"$(readlink -f \"' . ARG0 . '\")\"')\n"
          "datafile = (exists('crucible_stdout') || ARG0 eq '') ? ", g);
    plot_quote(g, base_name(dpath));
    fputs(" : dir . '/' . ", g);
    plot_quote(g, base_name(dpath));
    fputs("\nset terminal pngcairo size 1100,760 noenhanced font 'sans,10' background rgb "
          "'white'\nif (exists('crucible_stdout')) { set output } else { set output dir . '/' . ",
          g);
    plot_quote(g, base_name(out));
    fprintf(g, " }\nset encoding utf8\nset multiplot\nset lmargin at screen 0.10\n"
               "set rmargin at screen 0.97\nset grid lc rgb '#dddddd'\n"
               "set border lc rgb '#444444'\nset xrange [0:%.17g]\n", tmax);
    mark_interventions(g, b, p);
    fputs("set tmargin at screen 0.94\nset bmargin at screen 0.40\nset format x ''\n"
          "set key top left inside opaque box lc rgb '#bbbbbb'\nset title ", g);
    plot_quote(g, title);
    fputs("\nset ylabel ", g);
    plot_quote(g, ylab);
    fputs("\nset style fill transparent solid 0.22 noborder\n", g);
    if (*identical) {
        char both[300];
        snprintf(both, sizeof both, "%s and %s: identical in every replicate", lb, lp);
        fputs("plot datafile using 1:3:4 with filledcurves lc rgb '#555555' title '5-95% band', "
              "\\\n     '' using 1:2 with lines lw 2 lc rgb '#222222' title ", g);
        plot_quote(g, both);
        fputs("\n", g);
    } else {
        fprintf(g, "plot datafile using 1:3:4 with filledcurves lc rgb '#0072B2' title '%s: "
                   "5-95%%', \\\n     '' using 1:2 with lines lw 2 lc rgb '#0072B2' title '%s: "
                   "median', \\\n     '' using 1:6:7 with filledcurves lc rgb '#D55E00' title "
                   "'%s: 5-95%%', \\\n     '' using 1:5 with lines lw 2 lc rgb '#D55E00' title "
                   "'%s: median'\n",
                lb, lb, lp, lp);
    }
    fputs("unset title\nunset label\n"
          "set tmargin at screen 0.36\nset bmargin at screen 0.09\nset format x '%g'\n"
          "set xlabel 'time (days)'\nset ylabel 'proposal - baseline'\nset key bottom left\n", g);
    if (*identical)
        fputs("set label 30 'no difference: the arms are identical in every replicate' at "
              "graph 0.5, graph 0.6 center font ',11' textcolor rgb '#333333'\n"
              "set yrange [-1:1]\nunset key\nplot 0 with lines lw 2 lc rgb '#222222' notitle\n", g);
    else
        fputs("plot datafile using 1:9:10 with filledcurves lc rgb '#009E73' title "
              "'difference: 5-95% of paired replicates', \\\n     '' using 1:8 with lines "
              "lw 2 lc rgb '#009E73' title 'difference: median', \\\n     0 with lines dt 3 "
              "lc rgb '#000000' notitle\n", g);
    fputs("unset multiplot\n", g);
    if ((rc = ofile_commit(&dat, err)) || (rc = ofile_commit(&gp, err)))
        goto done;
    rc = plot_render(out, gpath, dpath, err);
done:
    ofile_abort(&dat);
    ofile_abort(&gp);
    series_free(&sa);
    series_free(&sb);
    return rc;
}
