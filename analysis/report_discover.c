/* report_discover.c — the report's scenario-discovery section. See report_discover.h. */
#include "report_discover.h"

#include <stdlib.h>
#include <string.h>

#include "adb.h"
#include "discover.h"
#include "report.h"
#include "table.h"
#include "util/version.h"

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

static void html_table(FILE *f, const table *t)
{
    fputs("<table>\n<tr>", f);
    for (size_t c = 0; c < t->ncol; c++) {
        fputs("<th>", f);
        html_text(f, t->head[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < t->ncol; c++) {
            fputs("<td>", f);
            html_text(f, t->cells[r * t->ncol + c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The PNG at path as an <img> with a data URI; nothing when it cannot be read. */
static void html_png(FILE *f, const char *path, const char *alt)
{
    FILE *p = fopen(path, "rb");
    if (!p)
        return;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            unsigned char *b = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!b)
                break;
            buf = b;
        }
        got = fread(buf + n, 1, cap - n, p);
        n += got;
    } while (got);
    fclose(p);
    char *b64 = buf ? report_base64(buf, n) : NULL;
    if (b64) {
        fputs("<p><img alt=\"", f);
        html_text(f, alt);
        fprintf(f, "\" src=\"data:image/png;base64,%s\"></p>\n", b64);
    }
    free(b64);
    free(buf);
}

/* How many runs have a verdict of name, and how many of those fail it. */
static int verdicts(const adb *d, const char *name, size_t *n, size_t *fails, crc_err *err)
{
    int *passed = malloc((d->n_runs ? d->n_runs : 1) * sizeof *passed);
    if (!passed)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    int rc = adb_criterion(d, name, passed, err);
    *n = *fails = 0;
    for (size_t i = 0; !rc && i < d->n_runs; i++) {
        *n += passed[i] >= 0;
        *fails += passed[i] == 0;
    }
    free(passed);
    return rc;
}

/* One criterion's subsection. */
static int one_criterion(FILE *md, FILE *html, const adb *d, const char *name,
                         const char *plots_dir, int *no_gnuplot, crc_err *err)
{
    size_t n = 0, fails = 0;
    int rc = verdicts(d, name, &n, &fails, err);
    if (rc)
        return rc;
    fprintf(md, "\n### Where `%s` fails\n\n", name);
    fputs("<h3>Where <code>", html);
    html_text(html, name);
    fputs("</code> fails</h3>\n", html);
    if (!fails || fails == n) {
        fprintf(md, "It %s in all %zu runs: there is no region to find.\n", fails ? "fails" : "holds", n);
        fprintf(html, "<p>It %s in all %zu runs: there is no region to find.</p>\n",
                fails ? "fails" : "holds", n);
        return CRC_OK;
    }
    discover_opts o;
    discover_opts_default(&o);
    o.criterion = name;
    o.n_boot = 100;
    discover_result r;
    if ((rc = discover_compute(d, &o, &r, err)))
        return rc;
    char line[1024];
    snprintf(line, sizeof line, "It fails in %zu of %zu runs (%zu points). The box below (PRIM, "
             "alpha 0.05, the densest box with coverage >= 0.8, pasted) holds %zu runs at %zu "
             "points: coverage %.2f, density %.2f, mass %.2f.", r.cases, r.runs, r.points,
             r.box_runs, r.box_points, r.coverage, r.density, r.mass);
    fprintf(md, "%s\n\n", line);
    fputs("<p>", html);
    html_text(html, line);
    fputs("</p>\n", html);
    table t;
    discover_box_table(&r, &t);
    if (t.nrows) {
        table_print(&t, md, TABLE_MARKDOWN);
        html_table(html, &t);
    } else {
        fputs("The box restricts no parameter: failures are spread over the swept space.\n", md);
        fputs("<p>The box restricts no parameter: failures are spread over the swept "
              "space.</p>\n", html);
    }
    table_free(&t);
    const char *kinds[] = {"trajectory", "box"};
    for (int k = 0; k < 2 && !*no_gnuplot; k++) {
        char png[1200], cap[600];
        snprintf(png, sizeof png, "%s/discover-%s-%s.png", plots_dir, name, kinds[k]);
        snprintf(cap, sizeof cap, "scenario %s  |  hash %s  |  crucible %s  |  %s",
                 adb_scenario(d), adb_hash(d), crc_version(), d->path);
        crc_err e;
        crc_err_clear(&e);
        int prc = k ? discover_plot_box(&r, png, cap, &e) : discover_plot_trajectory(&r, png, cap, &e);
        if (prc == CRC_EFAIL) {
            *no_gnuplot = 1;
            fprintf(md, "\n(Figures not drawn: %s.)\n", e.msg);
            break;
        }
        if (prc) {
            *err = e;
            discover_free(&r);
            return prc;
        }
        const char *base = strrchr(png, '/');
        fprintf(md, "\n![PRIM %s for %s](plots/%s)\n", kinds[k], name, base ? base + 1 : png);
        html_png(html, png, kinds[k]);
    }
    discover_free(&r);
    return CRC_OK;
}

int report_discover_section(FILE *md, FILE *html, const char *sweep_db, const char *plots_dir,
                            crc_err *err)
{
    if (!sweep_db)
        return CRC_OK;
    adb d;
    int rc = adb_open(&d, sweep_db, err);
    if (rc)
        return rc;
    adb_points pts;
    char **names = NULL;
    size_t n_names = 0;
    if ((rc = adb_load_points(&d, &pts, err))) {
        adb_close(&d);
        return rc;
    }
    size_t n_points = pts.n_points;
    adb_points_free(&pts);
    if (n_points < 2) {
        adb_close(&d);
        return crc_err_set(err, CRC_EINPUT, "--sweep %s: the sweep has one point; give a "
                           "sweep of several (an lhs or sobol design)", sweep_db);
    }
    if ((rc = adb_names(&d, "criteria", &names, &n_names, err))) {
        adb_close(&d);
        return rc;
    }
    fprintf(md, "\n## Scenario discovery\n\nFrom the sweep `%s` (%zu runs, %zu points): for "
            "each criterion, the region of the swept parameters where it fails, found by "
            "PRIM (`crucible discover`, docs/analysis.md). p_value: how likely the box "
            "would be as dense by chance without that restriction; q05/q95: the bound's "
            "range over 100 bootstrap resamples of the runs.\n", sweep_db, d.n_runs, n_points);
    fputs("<h2 id=\"discovery\">Scenario discovery</h2>\n<p>From the sweep <code>", html);
    html_text(html, sweep_db);
    fprintf(html, "</code> (%zu runs, %zu points): for each criterion, the region of the "
            "swept parameters where it fails, found by PRIM (crucible discover).</p>\n",
            d.n_runs, n_points);
    int no_gnuplot = 0;
    for (size_t c = 0; c < n_names && !rc; c++)
        rc = one_criterion(md, html, &d, names[c], plots_dir, &no_gnuplot, err);
    adb_strings_free(names, n_names);
    adb_close(&d);
    return rc;
}
