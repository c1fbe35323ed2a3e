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
#include "fmt.h"
#include "report_attack.h"
#include "report_discover.h"
#include "report_cmp.h"
#include "report_pdf.h"
#include "report_plot.h"
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
    char buf[256];
    if (s->n == 0)
        return strdup("no data");
    if (s->n < 2)
        return fmt("%s (n = 1)", fmt_sig(buf, sizeof buf, s->mean, 4));
    return strdup(fmt_mean_ci(buf, sizeof buf, s->mean, s->ci_lo, s->ci_hi));
}

static char *pval(double p)
{
    if (isnan(p))
        return strdup("-");
    if (p < 0.001)
        return strdup("< 0.001");
    return fmt("%.3f", p);
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

/* A unit short enough to follow a number ("6,616 TKN"); "" for the others. */
static const char *short_unit(const char *u)
{
    return *u && !strpbrk(u, " ,") && strlen(u) <= 8 ? u : "";
}

/* How the report names a metric: "treasury balance (treasury_tkn)", the label the
 * results file gives it followed by the name --metric and the other commands take;
 * the name alone in a file without labels. */
static void titled(const char *label, const char *name, char *buf, size_t len)
{
    if (strcmp(label, name))
        snprintf(buf, len, "%s (%s)", label, name);
    else
        snprintf(buf, len, "%s", name);
}

static void metric_title(const report_metric *m, char *buf, size_t len)
{
    titled(m->label, m->name, buf, len);
}

/* The same for a name looked up in d's metric_info. */
static void name_title(const adb *d, const char *name, char *buf, size_t len)
{
    char label[128], unit[64];
    adb_metric_info(d, name, label, sizeof label, unit, sizeof unit);
    titled(label, name, buf, len);
}

/* "treasury balance (treasury_tkn) falls by 6,616 TKN, −6.0% [−6.6% to −5.5%] (95%
 * interval of the change −7,201 to −6,031 TKN; mean 109,586 → 102,970 TKN)". */
static void moved_phrase(const report_metric *m, double level, char *buf, size_t len)
{
    const stats_welch *w = &m->w;
    double h = fmax(fabs(w->diff - w->ci_lo), fabs(w->ci_hi - w->diff));
    int d = fmt_decimals(h, w->diff, 4);
    char mag[64], lo[64], hi[64], pct[160], mb[64], mp[64], title[240];
    const char *u = short_unit(m->unit), *sp = *u ? " " : "";
    /* a unit too long to follow the numbers goes with the name: "price drawdown
     * (price_drawdown; fraction, 0-1)" */
    if (*u || !*m->unit)
        metric_title(m, title, sizeof title);
    else if (strcmp(m->label, m->name))
        snprintf(title, sizeof title, "%s (%s; %s)", m->label, m->name, m->unit);
    else
        snprintf(title, sizeof title, "%s (%s)", m->name, m->unit);
    fmt_fixed(mag, sizeof mag, fabs(w->diff), d, 0);
    fmt_fixed(lo, sizeof lo, w->ci_lo, d, 1);
    fmt_fixed(hi, sizeof hi, w->ci_hi, d, 1);
    fmt_pct_ci(pct, sizeof pct, w->diff, w->ci_lo, w->ci_hi, m->b.mean);
    fmt_fixed(mb, sizeof mb, m->b.mean, d, 0);
    fmt_fixed(mp, sizeof mp, m->p.mean, d, 0);
    int n = snprintf(buf, len, "%s %s by %s%s%s, %s (%g%% interval of the change %s to %s%s%s; "
                     "mean %s \xe2\x86\x92 %s%s%s)",
                     title, w->diff < 0 ? "falls" : "rises", mag, sp, u, pct, 100 * level, lo, hi,
                     sp, u, mb, mp, sp, u);
    if (n < 0 || (size_t)n >= len) /* a phrase longer than the line: end it visibly */
        snprintf(buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
}

/* Appends ", a, b and c" style lists of metric names matching pick. */
static size_t name_list(const report_metric *m, size_t n, int (*pick)(const report_metric *),
                        char *buf, size_t len)
{
    size_t k = 0, total = 0, o = strlen(buf);
    for (size_t i = 0; i < n; i++)
        total += (size_t)pick(&m[i]);
    char title[240];
    for (size_t i = 0; i < n && o < len; i++)
        if (pick(&m[i])) {
            k++;
            metric_title(&m[i], title, sizeof title);
            o += (size_t)snprintf(buf + o, len - o, "%s%s", k == 1 ? "" : k == total ? " and " : ", ",
                                  title);
        }
    return total;
}

static int is_identical(const report_metric *m) { return m->identical; }
static int is_noise(const report_metric *m) { return !m->moved && !m->identical; }

/* The report's first paragraph: what moved beyond noise, with its interval, and what
 * did not. */
static void bottom_line(const report_metric *m, size_t n, const char *lp, size_t reps,
                        double level, char *buf, size_t len)
{
    size_t moved = 0;
    for (size_t i = 0; i < n; i++)
        moved += (size_t)m[i].moved;
    size_t o = moved ? (size_t)snprintf(buf, len, "Bottom line: over %zu paired replicates, %s "
                                        "moves %zu of the %zu key metrics beyond noise", reps,
                                        lp, moved, n)
                     : (size_t)snprintf(buf, len, "Bottom line: over %zu paired replicates, %s "
                                        "moves none of the %zu key metrics beyond noise", reps,
                                        lp, n);
    const char *sep = ": ";
    for (size_t i = 0; i < n && o < len; i++)
        if (m[i].moved) {
            char ph[700];
            moved_phrase(&m[i], level, ph, sizeof ph);
            o += (size_t)snprintf(buf + o, len - o, "%s%s", sep, ph);
            sep = "; ";
        }
    if (o < len)
        o += (size_t)snprintf(buf + o, len - o, ".");
    char list[2048] = "";
    size_t same = name_list(m, n, is_identical, list, sizeof list);
    if (same && o < len)
        o += (size_t)snprintf(buf + o, len - o, " %s%zu %s identical in every replicate (%s).",
                              moved ? "Of the rest, " : "", same, same == 1 ? "is" : "are", list);
    list[0] = 0;
    size_t noise = name_list(m, n, is_noise, list, sizeof list);
    if (noise && o < len)
        snprintf(buf + o, len - o, " %zu %s by less than %s %g%% interval, which holds 0 (%s).",
                 noise, noise == 1 ? "differs" : "differ", noise == 1 ? "its" : "their",
                 100 * level, list);
}

/* A pass rate in words: "3 of 10 (30% [11% to 60%])". */
static char *rate(const stats_prop *pr)
{
    if (!pr->n)
        return strdup("could not be evaluated");
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%.0f%%", 100 * pr->lo);
    snprintf(hi, sizeof hi, "%.0f%%", 100 * pr->hi);
    return fmt("%zu of %zu (%.0f%% [%s" FMT_NBSP "to" FMT_NBSP "%s])", pr->k, pr->n, 100 * pr->p,
               lo, hi);
}

/* The second paragraph: every criterion on both arms. */
static void criteria_line(const report_crit *c, size_t n, const char *lb, const char *lp,
                          char *buf, size_t len)
{
    if (!n) {
        snprintf(buf, len, "Neither arm declares criteria.");
        return;
    }
    size_t o = (size_t)snprintf(buf, len, "Criteria, each evaluated on both arms:");
    size_t all_pass = 0, told = 0;
    for (size_t i = 0; i < n && o < len; i++) {
        const stats_prop *b = &c[i].pr[0], *p = &c[i].pr[1];
        if (b->n && p->n && b->k == b->n && p->k == p->n) {
            all_pass++;
            continue;
        }
        o += (size_t)snprintf(buf + o, len - o, "%s %s holds in %zu of %zu replicates under %s "
                              "and %zu of %zu under %s", told++ ? ";" : "", c[i].name, b->k,
                              b->n, lb, p->k, p->n, lp);
    }
    if (o >= len)
        return;
    if (all_pass == n)
        snprintf(buf + o, len - o, " all %zu hold in every replicate of both arms.", n);
    else if (all_pass)
        snprintf(buf + o, len - o, "; the other %zu hold%s in every replicate of both arms.",
                 all_pass, all_pass == 1 ? "s" : "");
    else
        snprintf(buf + o, len - o, ".");
}

/* Key metrics table; what moved comes first. */
static void section_metrics(doc *dc, const report_metric *m, size_t n, double level)
{
    enum { NC = 10 };
    char h1[64], h2[64], h3[64], h4[64];
    snprintf(h1, sizeof h1, "baseline mean [%g%% CI]", 100 * level);
    snprintf(h2, sizeof h2, "proposal mean [%g%% CI]", 100 * level);
    snprintf(h3, sizeof h3, "change [%g%% CI]", 100 * level);
    snprintf(h4, sizeof h4, "change in %% [%g%% CI]", 100 * level);
    const char *const head[NC] = {"metric (value per run)", h1, h2, h3, h4, "beyond noise?",
                                  "Welch p", "Mann-Whitney p", "Cliff's delta", "runs (b / p)"};
    char **cells = calloc(n * NC + 1, sizeof *cells);
    enum { NI = 3 };
    static const char *const inf_head[NI] = {"metric", "runs with an infinite value (b / p)",
                                             "runs (b / p)"};
    char **inf_cells = calloc(n * NI + 1, sizeof *inf_cells);
    size_t rows = 0, inf_rows = 0;
    if (!cells || !inf_cells) {
        doc_p(dc, "(out of memory: the table could not be built)");
        goto done;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const report_metric *r = &m[i];
            if (r->moved != !pass)
                continue;
            char buf[256];
            char **row = cells + rows++ * NC;
            /* "treasury balance, TKN (treasury_tkn; final value)": the label to read,
             * the name to give --metric */
            const char *how = r->from_summary ? "summary" : "final value";
            if (strcmp(r->label, r->name))
                row[0] = fmt("%s%s%s (%s; %s)", r->label, *r->unit ? ", " : "", r->unit,
                             r->name, how);
            else
                row[0] = fmt("%s%s%s (%s)", r->name, *r->unit ? ", " : "", r->unit, how);
            row[1] = mean_ci(&r->b);
            row[2] = mean_ci(&r->p);
            if (r->identical) {
                row[3] = strdup("0");
                row[4] = strdup("0%");
                row[5] = strdup("no: identical in every replicate");
            } else {
                row[3] = isnan(r->w.ci_lo)
                             ? strdup(fmt_diff_ci(buf, sizeof buf, r->w.diff, NAN, NAN))
                             : strdup(fmt_diff_ci(buf, sizeof buf, r->w.diff, r->w.ci_lo,
                                                  r->w.ci_hi));
                row[4] = strdup(fmt_pct_ci(buf, sizeof buf, r->w.diff, r->w.ci_lo, r->w.ci_hi,
                                           r->b.mean));
                row[5] = strdup(r->moved ? "YES" : "no: the interval holds 0");
            }
            row[6] = r->identical ? strdup("1") : pval(r->w.p);
            row[7] = r->identical ? strdup("1") : pval(r->mw_p);
            row[8] = isnan(r->cliff) ? strdup("-") : strdup(fmt_fixed(buf, sizeof buf, r->cliff, 2, 1));
            row[9] = fmt("%zu / %zu", r->b.n, r->p.n);
            if (r->inf_b || r->inf_p) {
                char **q = inf_cells + inf_rows++ * NI;
                metric_title(r, buf, sizeof buf);
                q[0] = fmt("%s", buf);
                q[1] = fmt("%zu / %zu", r->inf_b, r->inf_p);
                q[2] = fmt("%zu / %zu", r->b.n + r->inf_b, r->p.n + r->inf_p);
            }
        }
    if (!rows) {
        doc_p(dc, "No metric is present in both databases.");
    } else {
        doc_p(dc, "Each run contributes one value per metric: its final value (or its summary "
                  "value). Means with %g%% Student-t intervals; change = proposal - baseline "
                  "with a %g%% Welch interval, and in percent of the baseline mean. A change "
                  "is beyond noise when its interval excludes 0; numbers are shown to the "
                  "precision their interval supports, so a difference below it reads 0. The "
                  "metrics that moved come first.",
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
}

static void section_criteria(doc *dc, const report_crit *c, size_t n, double level)
{
    if (!n) {
        doc_p(dc, "Neither scenario declares criteria (add `criteria:` to the scenario to get "
                  "pass/fail verdicts).");
        return;
    }
    enum { NC = 6 };
    static const char *const head[NC] = {"criterion", "test", "declared by",
                                         "baseline: holds in [CI]", "proposal: holds in [CI]",
                                         "verdict for the proposal"};
    char **cells = calloc(n * NC + 1, sizeof *cells);
    if (!cells)
        return;
    int approx = 0;
    for (size_t i = 0; i < n; i++) {
        const report_crit *r = &c[i];
        char **row = cells + i * NC;
        row[0] = strdup(r->name);
        row[1] = strdup(r->test);
        row[2] = strdup(r->declared[0] && r->declared[1] ? "both"
                        : r->declared[0]                 ? "baseline only"
                                                         : "proposal only");
        for (int s = 0; s < 2; s++) {
            char *rt = rate(&r->pr[s]);
            row[3 + s] = r->declared[s] ? rt : fmt("%s, evaluated here%s", rt,
                                                   r->approx[s] ? " (*)" : "");
            if (!r->declared[s])
                free(rt);
            approx |= r->approx[s];
        }
        const stats_prop *b = &r->pr[0], *p = &r->pr[1];
        const char *v = !p->n              ? "not evaluated"
                        : p->k == p->n     ? "PASS in every replicate"
                        : p->k == 0        ? "FAIL in every replicate"
                                           : "MIXED: fails in some replicates";
        const char *cmp = "";
        if (b->n && p->n) {
            if (p->lo > b->hi)
                cmp = "; holds more often than the baseline (intervals do not overlap)";
            else if (p->hi < b->lo)
                cmp = "; holds less often than the baseline (intervals do not overlap)";
            else if (p->p != b->p)
                cmp = "; no clear change from the baseline (intervals overlap)";
            else
                cmp = "; same pass rate as the baseline";
        }
        row[5] = fmt("%s%s", v, cmp);
    }
    doc_p(dc, "Holds in: the replicates in which the criterion held, with a %g%% Wilson "
              "interval. Every criterion is evaluated on both arms: where an arm does not "
              "declare it, it is evaluated here from that arm's stored values (\"evaluated "
              "here\").%s", 100 * level,
          approx ? " (*) a max, min or mean evaluated here uses the stored samples (weekly "
                   "unless the scenario sets output.sample_every), where a run uses every day."
                 : "");
    doc_table(dc, head, NC, cells, n);
    free_cells(cells, n * NC);
}

/* A picture NAME that could not be drawn (why in e): a full disk or a refused file ends
 * the report (the error goes to err); otherwise the reason is remembered in missing
 * and the report goes on, since a report without some of its pictures is only written
 * when the pictures themselves failed. */
static int picture_failed(const char *name, crc_err *e, char *missing, size_t mlen,
                          int *no_gnuplot, crc_err *err)
{
    if (ofile_is_full(e) || ofile_is_refused(e)) {
        *err = *e;
        return e->code;
    }
    if (strstr(e->msg, "gnuplot-nox"))
        *no_gnuplot = 1;
    size_t len = strlen(missing);
    snprintf(missing + len, mlen - len, "%s%s: %s", len ? "; " : "", name, e->msg);
    return CRC_OK;
}

/* Draws one plot_make picture into DIR/plots/NAME.png and embeds it. */
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
    if (plot_make(b, p, &o, &e))
        return picture_failed(name, &e, missing, mlen, no_gnuplot, err);
    doc_img(dc, rel, caption);
    return CRC_OK;
}

/* The metrics the comparison pictures show: --metric, else those that moved (the
 * treasury first when it moved), else the first key metric, so that a reader sees
 * the arms side by side even when nothing moved. At most 8. */
static size_t plot_choice(const report_input *in, const report_metric *m, size_t n,
                          const char **out)
{
    size_t k = 0;
    if (in->n_metrics) {
        for (size_t i = 0; i < in->n_metrics && k < 8; i++)
            out[k++] = in->metrics[i];
        return k;
    }
    for (size_t i = 0; i < n && k < 8; i++)
        if (m[i].moved && !m[i].from_summary && !strcmp(m[i].name, "treasury_tkn"))
            out[k++] = m[i].name;
    for (size_t i = 0; i < n && k < 8; i++)
        if (m[i].moved && !m[i].from_summary && strcmp(m[i].name, "treasury_tkn"))
            out[k++] = m[i].name;
    for (size_t i = 0; i < n && !k; i++)
        if (!m[i].from_summary)
            out[k++] = m[i].name;
    return k;
}

static int section_plots(doc *dc, const report_input *in, const adb *b, const adb *p,
                         const report_metric *m, size_t n, const char *lb, const char *lp,
                         int *no_gnuplot, char *missing, size_t mlen, crc_err *err)
{
    int rc = CRC_OK;
    const char *pick[8];
    size_t k = plot_choice(in, m, n, pick);
    if (in->n_metrics)
        doc_p(dc, "The metrics asked for (--metric), each above the difference proposal - "
                  "baseline (paired by replicate); dashed lines mark the intervention days.");
    else if (k) {
        size_t moved = 0;
        for (size_t i = 0; i < n; i++)
            moved += (size_t)m[i].moved;
        if (moved)
            doc_p(dc, "The metrics that moved beyond noise, each above the difference "
                      "proposal - baseline (paired by replicate: median and the band holding "
                      "90%% of the replicates); dashed lines mark the intervention days. "
                      "Choose others with --metric.");
        else {
            char title[240];
            name_title(b, pick[0], title, sizeof title);
            doc_p(dc, "No key metric moved beyond noise; %s is shown for reference, above the "
                      "difference proposal - baseline. Choose others with --metric.",
                  title);
        }
    }
    for (size_t i = 0; i < k && !rc; i++) {
        if (*no_gnuplot)
            break;
        char name[160], rel[256], out[1024], cap[512];
        snprintf(name, sizeof name, "compare_%s", pick[i]);
        snprintf(rel, sizeof rel, "plots/%s.png", name);
        snprintf(out, sizeof out, "%s/%s", dc->dir, rel);
        int same = 0;
        crc_err e;
        crc_err_clear(&e);
        if (report_plot_compare(b, p, pick[i], lb, lp, out, &same, &e)) {
            if (e.code == CRC_EINPUT && !ofile_is_refused(&e)) {
                *err = e;
                return e.code;
            }
            rc = picture_failed(name, &e, missing, mlen, no_gnuplot, err);
            continue;
        }
        char title[240];
        name_title(b, pick[i], title, sizeof title);
        if (same)
            snprintf(cap, sizeof cap, "%s over time: %s and %s are identical in every "
                     "replicate at every stored day, so one line is drawn for both and the "
                     "difference is 0 throughout", title, lb, lp);
        else
            snprintf(cap, sizeof cap, "%s over time, %s and %s (median and 5-95%% band over "
                     "replicates), and below the difference proposal - baseline", title, lb,
                     lp);
        doc_img(dc, rel, cap);
    }
    if (rc)
        return rc;
    /* Where the tokens go, per arm. */
    plot_opts o = {.point = -2, .label1 = lb, .label2 = lp, .level = 0.95};
    char **mb = NULL;
    size_t nb = 0;
    crc_err e2;
    adb_names(b, "metrics", &mb, &nb, &e2);
    int rewards = 0;
    for (size_t i = 0; i < nb; i++)
        rewards |= !strncmp(mb[i], "reward_tkn.", 11);
    adb_strings_free(mb, nb);
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
    return rc;
}

static const char css[] =
    "body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222;"
    "line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:0.92em}"
    "th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}th{background:#f2f2f2}"
    "img{max-width:100%;border:1px solid #ddd}figure{margin:1.5em 0;break-inside:avoid}"
    "figcaption{font-size:0.9em;color:#444}.src{color:#888}"
    "pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;white-space:pre-wrap}"
    "p.lead{font-size:1.08em;background:#f4f8fb;border-left:4px solid #0072B2;"
    "padding:0.6em 0.9em}"
    "@page{size:A4 landscape;margin:12mm}@media print{body{max-width:none;margin:0;"
    "font-size:10pt}table{font-size:8.5pt}tr{break-inside:avoid}h2{break-after:avoid}}";

/* The summary card (DIR/summary.html, photographed to summary.png): the title, the
 * bottom line, the criteria and where the numbers come from, at 1200 x 630. */
static const char card_css[] =
    "html,body{margin:0;width:1200px;height:630px;overflow:hidden}body{font-family:sans-serif;"
    "color:#1b1b1b;background:#fff;box-sizing:border-box;padding:34px 44px;"
    "border-top:14px solid #0072B2}h1{font-size:30px;margin:0 0 16px}"
    "p{font-size:19px;line-height:1.4;margin:0 0 14px}p.crit{font-size:17px;color:#333}"
    "p.foot{position:absolute;bottom:14px;font-size:14px;color:#666}";

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

/* report.pdf from report.html, then the card: summary.html and its photograph
 * summary.png. */
static int print_report(const char *dir, const char *title, const char *lead,
                        const char *crit_text, const adb *b, size_t reps, crc_err *err)
{
    char html[1100], pdf[1100], card[1100], png[1100];
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    snprintf(card, sizeof card, "%s/summary.html", dir);
    snprintf(png, sizeof png, "%s/summary.png", dir);
    int rc = report_print_pdf(html, pdf, err);
    if (rc)
        return rc;
    ofile f = {.fd = -1};
    if ((rc = ofile_open(&f, card, err)))
        return rc;
    fprintf(f.f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<style>%s</style>\n</head>\n<body>\n<h1>", card_css);
    html_text(f.f, title);
    fputs("</h1>\n<p>", f.f);
    html_text(f.f, lead);
    fputs("</p>\n<p class=\"crit\">", f.f);
    html_text(f.f, crit_text);
    fprintf(f.f, "</p>\n<p class=\"foot\">Crucible %s simulation, %zu paired replicates, "
                 "base seed %llu. Intervals at 95%%. The full report: report.pdf.</p>\n"
                 "</body>\n</html>\n",
            crc_version(), reps, (unsigned long long)b->runs[0].seed);
    if ((rc = ofile_commit(&f, err)))
        return rc;
    return report_screenshot(card, png, 1200, 630, err);
}

int report_write(const report_input *in, crc_err *err)
{
    adb b = {0}, p = {0};
    char path[1024], plots[1024];
    doc dc = {.dir = in->dir};
    ofile md = {.fd = -1}, html = {.fd = -1};
    int rc = CRC_OK, no_gnuplot = 0;
    char missing[2048] = "";
    report_metric *mets = NULL;
    report_crit *crits = NULL;
    size_t n_mets = 0, n_crits = 0;
    char *lead = malloc(8192), *crit_text = malloc(4096);
    double level = in->level > 0 && in->level < 1 ? in->level : 0.95;
#define STAGE(what) (in->stage ? in->stage(in->stage_ctx, (what)) : (void)0)
    if (!lead || !crit_text) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = adb_open(&b, in->base_db, err)) || (rc = adb_open(&p, in->prop_db, err)))
        goto done;
    if (!b.n_runs || !p.n_runs) {
        rc = crc_err_set(err, CRC_EFAIL, "%s: no finished run to report on" ADB_NO_RUN_FIX,
                         b.n_runs ? p.path : b.path);
        goto done;
    }
    STAGE("comparing the arms");
    if ((rc = report_compare(&b, &p, level, &mets, &n_mets, err)) ||
        (rc = report_criteria(&b, &p, level, &crits, &n_crits, err)))
        goto done;
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
    size_t reps = b.n_runs < p.n_runs ? b.n_runs : p.n_runs;
    bottom_line(mets, n_mets, lp, reps, level, lead, 8192);
    criteria_line(crits, n_crits, lb, lp, crit_text, 4096);
    char title[512];
    snprintf(title, sizeof title, "Governance report: %s versus %s", lp, lb);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", dc.html);
    html_text(dc.html, title);
    fprintf(dc.html, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    fprintf(dc.md, "# %s\n\n", title);
    fputs("<h1>", dc.html);
    html_text(dc.html, title);
    fputs("</h1>\n", dc.html);
    /* The bottom line is the first paragraph: what a forum reader sees first. */
    fprintf(dc.md, "%s\n\n", lead);
    fputs("<p class=\"lead\">", dc.html);
    html_text(dc.html, lead);
    fputs("</p>\n", dc.html);
    doc_p(&dc, "%s", crit_text);
    doc_p(&dc, "Baseline: %s (scenario %s, hash %s). Proposal: %s (scenario %s, hash %s). "
               "%zu and %zu finished replicates, run with the same seeds.",
          in->base_file ? in->base_file : b.path, adb_scenario(&b), adb_hash(&b),
          in->prop_file ? in->prop_file : p.path, adb_scenario(&p), adb_hash(&p), b.n_runs,
          p.n_runs);
    fputs("*Pictures: this Markdown links them from plots/ beside it, so pasting it alone "
          "loses them. On a forum, upload summary.png (the one-image summary) and the "
          "pictures in plots/ with the post (most forums replace a dropped file by its "
          "link), or attach report.pdf, which holds everything; report.html is the same "
          "report with the pictures inside.*\n\n", dc.md);

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
    section_metrics(&dc, mets, n_mets, level);
    doc_h(&dc, 2, "criteria", "Criteria verdicts");
    section_criteria(&dc, crits, n_crits, level);
    if ((rc = report_attack_section(dc.md, dc.html, in->dir, err)) || /* docs/attack.md */
        (rc = report_discover_section(dc.md, dc.html, in->sweep_db, plots, err)))
        goto done;
    STAGE("drawing the plots");
    doc_h(&dc, 2, "plots", "Plots");
    if ((rc = section_plots(&dc, in, &b, &p, mets, n_mets, lb, lp, &no_gnuplot, missing,
                            sizeof missing, err)))
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
    if (in->print) {
        STAGE("printing report.pdf and summary.png (Chromium)");
        rc = print_report(in->dir, title, lead, crit_text, &b, reps, err);
        if (rc && ofile_is_full(err))
            goto done;
    }
    if (!rc && dc.img_fail && !no_gnuplot)
        rc = crc_err_set(err, CRC_EFAIL, "a plot could not be embedded in report.html");
    if (!rc && no_gnuplot)
        rc = crc_err_set(err, CRC_EFAIL,
                         "report written without plots: gnuplot is not on PATH; install the "
                         "Debian package gnuplot-nox and run the report again");
#undef STAGE
done:
    ofile_abort(&md); /* no-ops after a commit */
    ofile_abort(&html);
    free(mets);
    free(crits);
    free(lead);
    free(crit_text);
    adb_close(&b);
    adb_close(&p);
    return rc;
}
