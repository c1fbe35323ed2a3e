/*
 * report.c — the governance report (report.h): the same document written twice, as
 * Markdown and as self-contained HTML, through a tiny "doc" writer that emits each
 * element in both syntaxes.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adb.h"
#include "plot.h"
#include "report_attack.h"
#include "report_discover.h"
#include "stats.h"
#include "util/ofile.h"
#include "util/version.h"

char *report_base64(const unsigned char *src, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
    if (!out)
        return NULL;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8 | src[i + 2];
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = tab[v >> 6 & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)src[i] << 16 | (i + 1 < n ? (unsigned)src[i + 1] << 8 : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = 0;
    return out;
}

/* ---- the doc writer ------------------------------------------------------------ */

typedef struct doc {
    FILE *md, *html;
    const char *dir;
    int img_fail;
} doc;

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void doc_h(doc *d, int level, const char *id, const char *text)
{
    fprintf(d->md, "\n%.*s %s\n\n", level, "######", text);
    fprintf(d->html, "<h%d id=\"%s\">", level, id);
    html_text(d->html, text);
    fprintf(d->html, "</h%d>\n", level);
}

static void doc_p(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void doc_p(doc *d, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(d->md, "%s\n\n", buf);
    fputs("<p>", d->html);
    html_text(d->html, buf);
    fputs("</p>\n", d->html);
}

static void doc_table(doc *d, const char *const *head, size_t nc, char **cells, size_t nr)
{
    fputc('|', d->md);
    fputs("<table>\n<thead><tr>", d->html);
    for (size_t c = 0; c < nc; c++) {
        fputc(' ', d->md);
        md_cell(d->md, head[c]);
        fputs(" |", d->md);
        fputs("<th>", d->html);
        html_text(d->html, head[c]);
        fputs("</th>", d->html);
    }
    fputs("\n|", d->md);
    for (size_t c = 0; c < nc; c++)
        fputs(c ? "---:|" : "---|", d->md);
    fputs("\n", d->md);
    fputs("</tr></thead>\n<tbody>\n", d->html);
    for (size_t r = 0; r < nr; r++) {
        fputc('|', d->md);
        fputs("<tr>", d->html);
        for (size_t c = 0; c < nc; c++) {
            const char *s = cells[r * nc + c] ? cells[r * nc + c] : "";
            fputc(' ', d->md);
            md_cell(d->md, s);
            fputs(" |", d->md);
            fputs(c ? "<td class=\"n\">" : "<td>", d->html);
            html_text(d->html, s);
            fputs("</td>", d->html);
        }
        fputc('\n', d->md);
        fputs("</tr>\n", d->html);
    }
    fputs("\n", d->md);
    fputs("</tbody>\n</table>\n", d->html);
}

static void doc_code(doc *d, const char *text)
{
    fprintf(d->md, "```sh\n%s\n```\n\n", text);
    fputs("<pre><code>", d->html);
    html_text(d->html, text);
    fputs("</code></pre>\n", d->html);
}

/* Embeds DIR/rel (a PNG) as a data URI in the HTML; links it from the Markdown. */
static void doc_img(doc *d, const char *rel, const char *caption)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", d->dir, rel);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (f)
        fclose(f);
    char *b64 = buf ? report_base64(buf, (size_t)n) : NULL;
    free(buf);
    fprintf(d->md, "![%s](%s)\n\n*%s*\n\n", caption, rel, caption);
    fputs("<figure>", d->html);
    if (b64)
        fprintf(d->html, "<img src=\"data:image/png;base64,%s\" alt=\"", b64);
    else {
        d->img_fail = 1;
        fputs("<img src=\"\" alt=\"", d->html); /* a broken image the reader can see */
    }
    html_text(d->html, caption);
    fputs("\"><figcaption>", d->html);
    html_text(d->html, caption);
    fprintf(d->html, " <span class=\"src\">(%s, script %.*s.gp)</span></figcaption></figure>\n",
            rel, (int)(strlen(rel) - 4), rel);
    free(b64);
}

/* ---- numbers ------------------------------------------------------------------- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return strdup(buf);
}

static char *mean_ci(const stats_desc *s)
{
    if (s->n == 0)
        return strdup("no data");
    if (s->n < 2)
        return fmt("%.4g (n = 1)", s->mean);
    return fmt("%.4g [%.4g, %.4g]", s->mean, s->ci_lo, s->ci_hi);
}

static char *pval(double p)
{
    if (isnan(p))
        return strdup("-");
    if (p < 0.001)
        return strdup("< 0.001");
    return fmt("%.3f", p);
}

static int has_name(char **names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return 1;
    return 0;
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

/* Key metrics table; returns 0 or an error status. */
static int section_metrics(doc *dc, const adb *b, const adb *p, double level, crc_err *err)
{
    char **names = NULL;
    size_t n = 0;
    if (adb_key_metrics(b, &names, &n, err))
        return err->code;
    enum { NC = 8 };
    static const char *const head[NC] = {
        "metric (value per run)", "baseline mean [CI]", "proposal mean [CI]",
        "difference [CI]", "Welch p", "Mann-Whitney p", "Cliff's delta", "runs (b / p)"};
    char **cells = calloc(n * NC + 1, sizeof *cells);
    enum { NI = 3 }; /* the metrics with infinite run values, left out of the statistics */
    static const char *const inf_head[NI] = {"metric", "runs with an infinite value (b / p)",
                                             "runs (b / p)"};
    char **inf_cells = calloc(n * NI + 1, sizeof *inf_cells);
    size_t inf_rows = 0;
    double *va = malloc((b->n_runs + 1) * sizeof *va), *vb = malloc((p->n_runs + 1) * sizeof *vb);
    double *work = malloc((2 * (b->n_runs + p->n_runs) + 1) * sizeof *work);
    int rc = CRC_OK;
    size_t rows = 0;
    if (!cells || !inf_cells || !va || !vb || !work) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t m = 0; m < n; m++) {
        int sa = 0, sp = 0;
        crc_err e2;
        if (adb_run_values(b, names[m], ADB_END, va, &sa, &e2) ||
            adb_run_values(p, names[m], ADB_END, vb, &sp, &e2))
            continue;
        size_t ia = 0, ib = 0;
        size_t na = stats_finite(va, b->n_runs, &ia), nb = stats_finite(vb, p->n_runs, &ib);
        if (ia || ib) {
            char **r = inf_cells + inf_rows++ * NI;
            r[0] = fmt("%s", names[m]);
            r[1] = fmt("%zu / %zu", ia, ib);
            r[2] = fmt("%zu / %zu", b->n_runs, p->n_runs);
        }
        stats_desc da, db;
        stats_describe(va, na, level, work, &da);
        stats_describe(vb, nb, level, work, &db);
        stats_welch w;
        stats_mw mw;
        stats_welch_test(va, na, vb, nb, level, &w);
        stats_mann_whitney(va, na, vb, nb, work, &mw);
        const char *unit = plot_metric_unit(names[m]);
        char **row = cells + rows * NC;
        row[0] = fmt("%s%s%s (%s)", names[m], *unit ? ", " : "", unit,
                     sa || sp ? "summary" : "final value");
        row[1] = mean_ci(&da);
        row[2] = mean_ci(&db);
        row[3] = isnan(w.ci_lo) ? fmt("%.4g", w.diff)
                                : fmt("%+.4g [%+.4g, %+.4g]", w.diff, w.ci_lo, w.ci_hi);
        row[4] = pval(w.p);
        row[5] = pval(mw.p);
        row[6] = fmt("%+.2f", stats_cliff_delta(va, na, vb, nb));
        row[7] = fmt("%zu / %zu", na, nb);
        rows++;
    }
    if (!rows) {
        doc_p(dc, "No metric is present in both databases.");
    } else {
        doc_p(dc, "Each run contributes one value per metric: its final value (or its summary "
                  "value). Means with %g%% Student-t intervals; difference = proposal - "
                  "baseline with a %g%% Welch interval; two-sided p-values; Cliff's delta in "
                  "[-1, 1] (positive: the proposal tends to be higher).",
              100 * level, 100 * level);
        doc_table(dc, head, NC, cells, rows);
    }
    if (inf_rows) {
        doc_p(dc, "Non-finite values: these runs ended with an infinite value of the metric "
                  "(an overflow or a division by zero in the run) and are left out of the "
                  "statistics above.");
        doc_table(dc, inf_head, NI, inf_cells, inf_rows);
    }
done:
    if (cells)
        free_cells(cells, n * NC);
    if (inf_cells)
        free_cells(inf_cells, n * NI);
    free(va);
    free(vb);
    free(work);
    adb_strings_free(names, n);
    return rc;
}

static int section_criteria(doc *dc, const adb *b, const adb *p, double level, crc_err *err)
{
    char **cb = NULL, **cp = NULL;
    size_t nb = 0, np = 0;
    crc_err e2;
    adb_names(b, "criteria", &cb, &nb, &e2);
    adb_names(p, "criteria", &cp, &np, &e2);
    size_t n = nb + np;
    enum { NC = 5 };
    static const char *const head[NC] = {"criterion", "test", "baseline: P(holds) [CI]",
                                         "proposal: P(holds) [CI]", "verdict for the proposal"};
    char **cells = calloc(n * NC + 1, sizeof *cells);
    enum { NI = 3 }; /* the metrics with infinite run values, left out of the statistics */
    static const char *const inf_head[NI] = {"metric", "runs with an infinite value (b / p)",
                                             "runs (b / p)"};
    char **inf_cells = calloc(n * NI + 1, sizeof *inf_cells);
    size_t inf_rows = 0;
    int *pass = malloc((b->n_runs + p->n_runs + 1) * sizeof *pass);
    int rc = CRC_OK;
    size_t rows = 0;
    if (!cells || !pass) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = i < nb ? cb[i] : cp[i - nb];
        if (i >= nb && has_name(cb, nb, name))
            continue;
        stats_prop pr[2];
        const adb *dbs[2] = {b, p};
        for (int s = 0; s < 2; s++) {
            size_t k = 0, m = 0;
            if (adb_criterion(dbs[s], name, pass, &e2) == CRC_OK)
                for (size_t r = 0; r < dbs[s]->n_runs; r++)
                    if (pass[r] >= 0) {
                        m++;
                        k += (size_t)pass[r];
                    }
            stats_wilson(k, m, level, &pr[s]);
        }
        char test[256];
        adb_criterion_text(i < nb ? b : p, name, test, sizeof test);
        char **row = cells + rows * NC;
        row[0] = strdup(name);
        row[1] = strdup(test);
        for (int s = 0; s < 2; s++)
            row[2 + s] = pr[s].n ? fmt("%zu/%zu = %.2f [%.2f, %.2f]", pr[s].k, pr[s].n, pr[s].p,
                                       pr[s].lo, pr[s].hi)
                                 : strdup("not declared");
        const char *v;
        if (!pr[1].n)
            v = "not evaluated";
        else if (pr[1].k == pr[1].n)
            v = "PASS in every replicate";
        else if (pr[1].k == 0)
            v = "FAIL in every replicate";
        else
            v = "MIXED: fails in some replicates";
        const char *cmp = "";
        if (pr[0].n && pr[1].n) {
            if (pr[1].lo > pr[0].hi)
                cmp = "; holds more often than the baseline (intervals do not overlap)";
            else if (pr[1].hi < pr[0].lo)
                cmp = "; holds less often than the baseline (intervals do not overlap)";
            else if (pr[1].p != pr[0].p)
                cmp = "; no clear change from the baseline (intervals overlap)";
            else
                cmp = "; same pass rate as the baseline";
        }
        row[4] = fmt("%s%s", v, cmp);
        rows++;
    }
    if (!rows)
        doc_p(dc, "Neither scenario declares criteria (add `criteria:` to the scenario to get "
                  "pass/fail verdicts).");
    else {
        doc_p(dc, "P(holds) is the share of replicates in which the criterion held, with a %g%% "
                  "Wilson interval.", 100 * level);
        doc_table(dc, head, NC, cells, rows);
    }
    if (inf_rows) {
        doc_p(dc, "Non-finite values: these runs ended with an infinite value of the metric "
                  "(an overflow or a division by zero in the run) and are left out of the "
                  "statistics above.");
        doc_table(dc, inf_head, NI, inf_cells, inf_rows);
    }
done:
    if (cells)
        free_cells(cells, n * NC);
    if (inf_cells)
        free_cells(inf_cells, n * NI);
    free(pass);
    adb_strings_free(cb, nb);
    adb_strings_free(cp, np);
    return rc;
}

/* Draws one plot into DIR/plots/NAME.png and embeds it; remembers why when it cannot.
 * A full disk or a refused file ends the report (CRC_EFAIL/CRC_EINPUT in err): a report
 * without some of its pictures is only written when the pictures themselves failed. */
static int one_plot(doc *dc, const adb *b, const adb *p, const plot_opts *o0,
                    const char *name, const char *caption, char *missing, size_t mlen,
                    int *no_gnuplot, crc_err *err)
{
    if (*no_gnuplot)
        return CRC_OK;
    char out[1024], rel[256];
    snprintf(rel, sizeof rel, "plots/%s.png", name);
    snprintf(out, sizeof out, "%s/%s", dc->dir, rel);
    plot_opts o = *o0;
    o.out = out;
    crc_err e;
    crc_err_clear(&e);
    if (plot_make(b, p, &o, &e)) {
        if (ofile_is_full(&e) || ofile_is_refused(&e)) {
            *err = e;
            return e.code;
        }
        if (strstr(e.msg, "gnuplot-nox"))
            *no_gnuplot = 1;
        size_t len = strlen(missing);
        snprintf(missing + len, mlen - len, "%s%s: %s", len ? "; " : "", name, e.msg);
        return CRC_OK;
    }
    doc_img(dc, rel, caption);
    return CRC_OK;
}

static int section_plots(doc *dc, const adb *b, const adb *p, const char *lb, const char *lp,
                         int *no_gnuplot, char *missing, size_t mlen, crc_err *err)
{
    int rc = CRC_OK;
    char **mb = NULL, **mp = NULL;
    size_t nb = 0, np = 0;
    crc_err e2;
    adb_names(b, "metrics", &mb, &nb, &e2);
    adb_names(p, "metrics", &mp, &np, &e2);
    static const char *const series[] = {"price_usd", "real_yield", "self_ref_share",
                                         "farmer_capture", "mean_model_quality", "harm_rate",
                                         NULL};
    plot_opts o = {.point = -2, .label1 = lb, .label2 = lp, .level = 0.95};
    size_t drawn = 0;
    for (const char *const *s = series; *s && drawn < 4 && !rc; s++) {
        if (!has_name(mb, nb, *s) || !has_name(mp, np, *s))
            continue;
        char name[128], cap[256];
        snprintf(name, sizeof name, "timeseries_%s", *s);
        snprintf(cap, sizeof cap, "%s over time, baseline and proposal: median and 5-95%% band "
                 "over replicates", *s);
        o.kind = PLOT_TIMESERIES;
        o.metric = *s;
        rc = one_plot(dc, b, p, &o, name, cap, missing, mlen, no_gnuplot, err);
        drawn++;
    }
    o.metric = NULL;
    int rewards = 0;
    for (size_t i = 0; i < nb; i++)
        rewards |= !strncmp(mb[i], "reward_tkn.", 11);
    const adb *dbs[2] = {b, p};
    const char *side[2] = {"baseline", "proposal"};
    for (int s = 0; s < 2 && !rc; s++) {
        char name[64], cap[256];
        if (rewards) {
            o.kind = PLOT_REWARDS;
            snprintf(name, sizeof name, "rewards_%s", side[s]);
            snprintf(cap, sizeof cap, "Rewards paid by class over time, %s (stacked, mean over "
                     "replicates)", side[s]);
            if ((rc = one_plot(dc, dbs[s], NULL, &o, name, cap, missing, mlen, no_gnuplot,
                               err)))
                break;
        }
        o.kind = PLOT_FLOWS;
        snprintf(name, sizeof name, "flows_%s", side[s]);
        snprintf(cap, sizeof cap, "Token flows between classes over the run by reason, %s",
                 side[s]);
        rc = one_plot(dc, dbs[s], NULL, &o, name, cap, missing, mlen, no_gnuplot, err);
    }
    if (*missing && !rc)
        doc_p(dc, "Not drawn: %s", missing);
    adb_strings_free(mb, nb);
    adb_strings_free(mp, np);
    return rc;
}

static const char css[] =
    "body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222;"
    "line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:0.92em}"
    "th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}th{background:#f2f2f2}img{max-width:100%;"
    "border:1px solid #ddd}figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#444}"
    ".src{color:#888}pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}";

int report_plots_dir(const char *plots, crc_err *err)
{
    struct stat st;
    if (lstat(plots, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return CRC_OK;
        return crc_err_set(err, CRC_EINPUT, "%s is not a folder (the report keeps its pictures "
                           "there); it was left untouched: move it away or choose another "
                           "--out", plots);
    }
    if (mkdir(plots, 0777) != 0)
        return ofile_fail(err, plots, errno, "creating the folder");
    return CRC_OK;
}

int report_write(const report_input *in, crc_err *err)
{
    adb b = {0}, p = {0};
    char path[1024], plots[1024];
    doc dc = {.dir = in->dir};
    ofile md = {.fd = -1}, html = {.fd = -1};
    int rc = CRC_OK, no_gnuplot = 0;
    char missing[2048] = "";
    double level = in->level > 0 && in->level < 1 ? in->level : 0.95;
    if ((rc = adb_open(&b, in->base_db, err)) || (rc = adb_open(&p, in->prop_db, err)))
        goto done;
    if (!b.n_runs || !p.n_runs) {
        rc = crc_err_set(err, CRC_EFAIL, "%s: no finished run to report on" ADB_NO_RUN_FIX,
                         b.n_runs ? p.path : b.path);
        goto done;
    }
    snprintf(plots, sizeof plots, "%s/plots", in->dir);
    if ((rc = report_plots_dir(plots, err)))
        goto done;
    snprintf(path, sizeof path, "%s/report.md", in->dir);
    if ((rc = ofile_open(&md, path, err)))
        goto done;
    snprintf(path, sizeof path, "%s/report.html", in->dir);
    if ((rc = ofile_open(&html, path, err)))
        goto done;
    dc.md = md.f;
    dc.html = html.f;
    const char *lb = adb_scenario(&b), *lp = adb_scenario(&p);
    if (!strcmp(lb, lp)) {
        lb = "baseline";
        lp = "proposal";
    }
    char title[512];
    snprintf(title, sizeof title, "Governance report: %s versus %s", lp, lb);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", dc.html);
    html_text(dc.html, title);
    fprintf(dc.html, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    fprintf(dc.md, "# %s\n", title);
    fputs("<h1>", dc.html);
    html_text(dc.html, title);
    fputs("</h1>\n", dc.html);
    doc_p(&dc, "Baseline: %s (scenario %s, hash %s). Proposal: %s (scenario %s, hash %s). "
               "%zu and %zu finished replicates.",
          in->base_file ? in->base_file : b.path, adb_scenario(&b), adb_hash(&b),
          in->prop_file ? in->prop_file : p.path, adb_scenario(&p), adb_hash(&p), b.n_runs,
          p.n_runs);

    doc_h(&dc, 2, "question", "The question");
    if (in->question && *in->question)
        doc_p(&dc, "%s", in->question);
    else
        doc_p(&dc, "Does the proposal (%s) make the network's reward scheme hold up better than "
                   "the baseline (%s) in the same simulated world, with the same seeds and "
                   "replicates: does external demand pay for the incentives, do farmers and "
                   "poisoners stop profiting, and do the declared criteria hold?",
              lp, lb);

    doc_h(&dc, 2, "changes", "What the proposal changes");
    if (!in->n_changes)
        doc_p(&dc, "The two resolved scenarios have the same parameters and interventions: "
                   "only randomness can separate them (a useful A/A check).");
    else {
        static const char *const head[3] = {"parameter or intervention", "baseline", "proposal"};
        char **cells = calloc(3 * in->n_changes, sizeof *cells);
        for (size_t i = 0; cells && i < in->n_changes; i++) {
            cells[3 * i] = strdup(in->changes[i].what);
            cells[3 * i + 1] = strdup(in->changes[i].base);
            cells[3 * i + 2] = strdup(in->changes[i].prop);
        }
        if (cells)
            doc_table(&dc, head, 3, cells, in->n_changes);
        if (cells)
            free_cells(cells, 3 * in->n_changes);
    }

    doc_h(&dc, 2, "metrics", "Key metrics");
    if ((rc = section_metrics(&dc, &b, &p, level, err)))
        goto done;
    doc_h(&dc, 2, "criteria", "Criteria verdicts");
    if ((rc = section_criteria(&dc, &b, &p, level, err)) ||
        (rc = report_attack_section(dc.md, dc.html, in->dir, err)) || /* docs/attack.md */
        (rc = report_discover_section(dc.md, dc.html, in->sweep_db, plots, err)))
        goto done;
    doc_h(&dc, 2, "plots", "Plots");
    if ((rc = section_plots(&dc, &b, &p, lb, lp, &no_gnuplot, missing, sizeof missing, err)))
        goto done;

    doc_h(&dc, 2, "reproducibility", "Reproducibility");
    {
        char cmds[4096] = "";
        size_t len = 0;
        for (size_t i = 0; i < in->n_commands && len < sizeof cmds - 2; i++)
            len += (size_t)snprintf(cmds + len, sizeof cmds - len, "%s%s", i ? "\n" : "",
                                    in->commands[i]);
        if (len)
            doc_code(&dc, cmds);
        const adb_run *rb = &b.runs[0], *rp = &p.runs[0];
        static const char *const head[3] = {"", "baseline", "proposal"};
        char *cells[8 * 3] = {0};
        size_t r = 0;
#define ROW(label, vb, vp) (cells[3 * r] = strdup(label), cells[3 * r + 1] = (vb), \
                            cells[3 * r + 2] = (vp), r++)
        ROW("scenario file", strdup(in->base_file ? in->base_file : "-"),
            strdup(in->prop_file ? in->prop_file : "-"));
        ROW("scenario name", strdup(adb_scenario(&b)), strdup(adb_scenario(&p)));
        ROW("scenario hash", strdup(adb_hash(&b)), strdup(adb_hash(&p)));
        ROW("base seed", fmt("%llu", (unsigned long long)rb->seed),
            fmt("%llu", (unsigned long long)rp->seed));
        ROW("finished / failed replicates", fmt("%zu / %zu", b.n_runs, b.n_failed),
            fmt("%zu / %zu", p.n_runs, p.n_failed));
        ROW("crucible version (run)", strdup(rb->version ? rb->version : "?"),
            strdup(rp->version ? rp->version : "?"));
        ROW("git commit (run)", strdup(rb->git_commit ? rb->git_commit : "?"),
            strdup(rp->git_commit ? rp->git_commit : "?"));
        ROW("results database", strdup(b.path), strdup(p.path));
#undef ROW
        doc_table(&dc, head, 3, cells, r);
        for (size_t i = 0; i < r * 3; i++)
            free(cells[i]);
        doc_p(&dc, "Report written by crucible %s (%s). Every run is reproduced bit for bit "
                   "from its scenario hash, base seed and replicate index (docs/results.md, "
                   "\"Seeds\"). Each plot's gnuplot script and data are in plots/.",
              crc_version(), crc_git_commit());
    }

    doc_h(&dc, 2, "reading", "How to read this");
    doc_p(&dc, "A mean's interval is where the true average over all possible replicates "
               "lies with %g%% confidence, given the replicates run. A difference whose "
               "interval excludes 0 is unlikely to be noise. The Welch p-value tests equal "
               "means without assuming equal spread; the Mann-Whitney p-value tests whether "
               "one scenario's values tend to be larger, without assuming a bell curve. "
               "Cliff's delta is the probability that a proposal run beats a baseline run minus "
               "the reverse. Pass probabilities use Wilson intervals, which stay honest with "
               "few replicates. More replicates narrow every interval; docs/analysis.md "
               "explains each statistic.",
          100 * level);
    fputs("</body>\n</html>\n", dc.html);
    /* The document is whole: both files go into place (each whole or not at all). */
    if ((rc = ofile_commit(&md, err)) || (rc = ofile_commit(&html, err)))
        goto done;
    if (dc.img_fail && !no_gnuplot)
        rc = crc_err_set(err, CRC_EFAIL, "a plot could not be embedded in report.html");
    if (!rc && no_gnuplot)
        rc = crc_err_set(err, CRC_EFAIL,
                         "report written without plots: gnuplot is not on PATH; install the "
                         "Debian package gnuplot-nox and run the report again");
done:
    ofile_abort(&md); /* no-ops after a commit */
    ofile_abort(&html);
    adb_close(&b);
    adb_close(&p);
    return rc;
}
