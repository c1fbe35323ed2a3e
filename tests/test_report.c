/*
 * test_report.c — the governance report: every section is present in report.md and
 * report.html, the numbers come from the databases, base64 is standard, and every
 * embedded plot actually loads in a browser (headless Chromium dumps the DOM after a
 * small script has checked each image's naturalWidth). Chromium is a Debian package
 * that `make deps` installs; when it is missing this test installs it through the
 * Makefile rather than passing silently. Slow external programs run under timeout(1)
 * rather than Criterion's .timeout (which leaked in the runner under ASan when several
 * timed tests ran in parallel).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "fixtures/analysis/fixture_db.h"
#include "fmt.h"
#include "report.h"
#include "report_pdf.h"
#include "helpers.h"

/* Removes a directory this test created with mkdtemp (never anything else). */
static void remove_dir(const char *dir)
{
    cr_assert(!strncmp(dir, "/tmp/crc-report-", 16));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* How a fixture report is made: the proposal's price shift (0: an A/A report whose
 * arms are identical), whether to print report.pdf and summary.png, the --metric list,
 * and SQL run on the proposal database before the report (NULL: none). */
typedef struct fixture_opts {
    double shift;
    int print;
    const char *const *metrics;
    size_t n_metrics;
    const char *prop_sql;
} fixture_opts;

static char *make_report_with(int n_inf, const fixture_opts *fo, crc_err *err, int *rc);

/* Builds a report from two fixture databases in a fresh directory; returns the dir.
 * With n_inf > 0, the first n_inf baseline runs have an infinite price_drawdown. */
static char *make_report(int n_inf)
{
    fixture_opts fo = {.shift = 0.2};
    crc_err err;
    int rc;
    char *dir = make_report_with(n_inf, &fo, &err, &rc);
    cr_assert_eq(rc, CRC_OK, "%s", err.msg);
    return dir;
}

static char *make_report_with(int n_inf, const fixture_opts *fo, crc_err *err, int *rc)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/crc-report-XXXXXX");
    cr_assert(mkdtemp(dir));
    char base[128], prop[128];
    snprintf(base, sizeof base, "%s/baseline.db", dir);
    snprintf(prop, sizeof prop, "%s/proposal.db", dir);
    fixture_plain(base, "baseline", 0.0, 8);
    fixture_plain(prop, fo->shift ? "proposal" : "baseline", fo->shift, 8);
    if (fo->prop_sql) {
        sqlite3 *db;
        cr_assert_eq(sqlite3_open(prop, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, fo->prop_sql, NULL, NULL, NULL), SQLITE_OK, "%s",
                     sqlite3_errmsg(db));
        sqlite3_close(db);
    }
    if (n_inf > 0) {
        sqlite3 *db;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "UPDATE summary SET value = 9e999 WHERE name = 'price_drawdown' AND run IN "
                 "(SELECT id FROM runs ORDER BY id LIMIT %d)",
                 n_inf);
        cr_assert_eq(sqlite3_open(base, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s",
                     sqlite3_errmsg(db));
        sqlite3_close(db);
    }
    report_change ch[1];
    snprintf(ch[0].what, sizeof ch[0].what, "fees.burn");
    snprintf(ch[0].base, sizeof ch[0].base, "0");
    snprintf(ch[0].prop, sizeof ch[0].prop, "0.1");
    const char *cmds[] = {"crucible report --baseline a.yaml --proposal b.yaml --replicates 8"};
    report_input in = {.dir = dir, .base_db = base, .prop_db = prop, .base_file = "a.yaml",
                       .prop_file = "b.yaml", .changes = ch, .n_changes = 1,
                       .commands = cmds, .n_commands = 1, .seed = 42, .replicates = 8,
                       .level = 0.95, .print = fo->print, .metrics = fo->metrics,
                       .n_metrics = fo->n_metrics};
    crc_err_clear(err);
    *rc = report_write(&in, err);
    return dir;
}

Test(report, base64_matches_rfc4648_vectors)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *s = report_base64((const unsigned char *)in[i], strlen(in[i]));
        cr_assert(s);
        cr_expect_str_eq(s, want[i]);
        free(s);
    }
}

Test(report, has_every_section_in_markdown_and_html)
{
    char *dir = make_report(0);
    char path[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = th_slurp(path, NULL);
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = th_slurp(path, NULL);
    cr_assert(md && html);
    static const char *const sections[] = {"The question", "What the proposal changes",
                                           "Key metrics", "Criteria verdicts", "Plots",
                                           "Reproducibility", "How to read this"};
    for (size_t i = 0; i < 7; i++) {
        char h2[128];
        snprintf(h2, sizeof h2, "## %s", sections[i]);
        cr_expect(strstr(md, h2), "report.md lacks section '%s'", sections[i]);
        cr_expect(strstr(html, sections[i]), "report.html lacks section '%s'", sections[i]);
    }
    /* The change, the metrics, the criterion, the reproducibility facts. */
    cr_expect(strstr(md, "| fees.burn | 0 | 0.1 |"));
    cr_expect(strstr(md, "price_usd, USD per TKN (final value)"));
    cr_expect(strstr(md, "price_drawdown"));
    cr_expect(strstr(md, "price_holds"));
    cr_expect(strstr(md, "| 3 of 8 (38%"), "baseline passes in 3 of 8 replicates");
    cr_expect(strstr(md, "| 8 of 8 (100%"), "the proposal passes in all 8");
    cr_expect(strstr(md, "crucible report --baseline a.yaml"));
    cr_expect(strstr(md, "0000000000005ef5"), "scenario hash");
    cr_expect(strstr(md, "| base seed | 42 | 42 |"));
    cr_expect(strstr(md, "abc123"), "git commit of the runs");
    /* Plots: linked from the markdown, embedded (not linked) in the HTML. */
    cr_expect(strstr(md, "](plots/compare_price_usd.png)"), "the price moved: it is drawn");
    cr_expect(strstr(md, "](plots/rewards_baseline.png)"));
    cr_expect(strstr(md, "](plots/flows_proposal.png)"));
    size_t imgs = count(html, "<img ");
    cr_expect_eq(imgs, count(html, "<img src=\"data:image/png;base64,iVBORw0KGgo"),
                 "every image is an embedded PNG");
    cr_expect_geq(imgs, 6);
    cr_expect(!strstr(html, "src=\"plots/"), "no external image reference");
    snprintf(path, sizeof path, "%s/plots/compare_price_usd.gp", dir);
    cr_expect_eq(access(path, R_OK), 0, "the gnuplot script sits beside the picture");
    free(md);
    free(html);
    remove_dir(dir);
}

/* A run whose value is infinite is left out of the key-metrics statistics (as summarize
 * and compare do: an infinite mean says nothing) and counted in a table of its own. */
Test(report, infinite_run_values_are_left_out_and_counted)
{
    char *dir = make_report(2);
    char path[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    const char *row = strstr(md, "| price_drawdown");
    cr_assert(row, "a key-metrics row for price_drawdown");
    const char *eol = strchr(row, '\n');
    cr_assert(eol);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row), row);
    cr_expect(strstr(line, "| 6 / 8 |"), "6 finite baseline runs of 8: %s", line);
    cr_expect_null(strstr(line, "inf"), "no infinite statistic: %s", line);
    cr_expect(strstr(md, "Non-finite values"), "the non-finite note");
    cr_expect(strstr(md, "| price_drawdown | 2 / 0 | 8 / 8 |"), "%s", md);
    free(md);
    remove_dir(dir);
}

/* The repository root: the working directory when make runs the tests, else the first
 * directory above CRUCIBLE_BIN that holds the Makefile and tests/. */
static const char *repo_root(void)
{
    static char root[1024];
    if (access("Makefile", R_OK) == 0 && access("tests/fixtures/analysis", R_OK) == 0)
        return ".";
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    snprintf(root, sizeof root, "%s", bin);
    char *slash;
    while ((slash = strrchr(root, '/'))) {
        *slash = 0;
        char probe[1100];
        snprintf(probe, sizeof probe, "%s/tests/fixtures/analysis", root);
        if (access(probe, R_OK) == 0)
            return root;
    }
    cr_assert_fail("cannot find the repository root from %s", bin);
    return NULL;
}

/* Finds chromium; installs it through `make deps` (the Makefile lists it) when absent. */
static const char *chromium(void)
{
    static const char *const names[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", NULL};
    for (int pass = 0; pass < 2; pass++) {
        for (const char *const *n = names; *n; n++)
            if (access(*n, X_OK) == 0)
                return *n;
        if (pass == 0) {
            char cmd[1200];
            snprintf(cmd, sizeof cmd, "cd '%s' && make --no-print-directory deps",
                     repo_root());
            cr_log_warn("chromium is not installed; running: %s", cmd);
            cr_expect_eq(system(cmd), 0, "make deps failed to install chromium");
        }
    }
    cr_assert_fail("chromium is still not installed after 'make deps'");
    return NULL;
}

Test(report, every_plot_loads_in_headless_chromium)
{
    char *dir = make_report(0);
    char path[256], check[256];
    snprintf(path, sizeof path, "%s/report.html", dir);
    size_t len;
    char *html = th_slurp(path, &len);
    cr_assert(html);
    size_t imgs = count(html, "<img ");
    cr_assert_geq(imgs, 6);
    /* A copy of the report with a script that, after load, counts images that decoded
     * (naturalWidth > 0) and writes the result into the DOM. */
    char *end = strstr(html, "</body>");
    cr_assert(end);
    snprintf(check, sizeof check, "%s/check.html", dir);
    FILE *f = fopen(check, "w");
    cr_assert(f);
    fwrite(html, 1, (size_t)(end - html), f);
    fputs("<script>window.addEventListener('load', function () {"
          "var ok = 0, bad = 0;"
          "for (var i = 0; i < document.images.length; i++) {"
          "  var im = document.images[i];"
          "  if (im.complete && im.naturalWidth > 0) ok++; else bad++; }"
          "var d = document.createElement('div'); d.id = 'imgcheck';"
          "d.textContent = 'IMGCHECK ok=' + ok + ' bad=' + bad + ' END';"
          "document.body.appendChild(d); });</script></body></html>\n", f);
    fclose(f);
    const char *chrome = chromium();
    char cmd[1024], out[256];
    snprintf(out, sizeof out, "%s/dom.txt", dir);
    snprintf(cmd, sizeof cmd,
             "timeout 180 '%s' --headless --no-sandbox --disable-gpu --disable-background-networking "
             "--disable-component-update --no-first-run --disable-dev-shm-usage "
             "--user-data-dir='%s/chrome' --virtual-time-budget=10000 --dump-dom "
             "'file://%s' > '%s' 2>/dev/null",
             chrome, dir, check, out);
    cr_assert_eq(system(cmd), 0, "chromium failed: %s", cmd);
    char *dom = th_slurp(out, NULL);
    cr_assert(dom);
    char want[64];
    snprintf(want, sizeof want, "IMGCHECK ok=%zu bad=0 END", imgs);
    cr_expect(strstr(dom, want), "want '%s'; chromium saw: %.200s", want,
              strstr(dom, "IMGCHECK") ? strstr(dom, "IMGCHECK") : "(no marker: script did not run)");
    free(dom);
    free(html);
    remove_dir(dir);
}

Test(report, cli_runs_both_scenarios_and_writes_the_report)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    char dir[] = "/tmp/crc-report-XXXXXX";
    cr_assert(mkdtemp(dir));
    const char *root = repo_root();
    char cmd[2048], args[2048];
    /* Tiny scenarios (3 days, small populations, 2 replicates): the point is the
     * plumbing, not the economics. */
    snprintf(args, sizeof args,
             "--baseline '%s/tests/fixtures/analysis/baseline.yaml' --proposal "
             "'%s/tests/fixtures/analysis/proposal.yaml' --seed 11 --out '%s/r' "
             "--metric price_usd", root, root, dir);
    char *errtxt = th_report_cli(dir, args);
    char path[256];
    free(errtxt);
    static const char *const files[] = {"r/baseline.db", "r/proposal.db", "r/report.md",
                                        "r/report.html", "r/report.pdf", "r/summary.png",
                                        "r/plots/compare_price_usd.png",
                                        "r/plots/compare_price_usd.gp"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cr_expect_eq(access(path, R_OK), 0, "%s missing", files[i]);
    }
    snprintf(path, sizeof path, "%s/r/report.md", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    /* The question is the proposal's description; the changes are the scenario diff. */
    cr_expect(strstr(md, "Does halving the emission half-life"), "question");
    cr_expect(strstr(md, "| emission.half_life (days) | 365 | 180 |"), "parameter diff");
    cr_expect(strstr(md, "| intervention at day 2: amm.fee | - | 0.005 |"), "intervention");
    cr_expect(strstr(md, "supply_bounded"), "criterion verdict");
    cr_expect(strstr(md, "--replicates 2 --seed 11"), "reproducible command");
    cr_expect(strstr(md, "| base seed | 11 | 11 |"));
    cr_expect(strstr(md, "| finished / failed replicates | 2 / 0 | 2 / 0 |"));
    free(md);
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
    /* Bad input: a missing scenario is exit 2 and runs nothing. */
    snprintf(cmd, sizeof cmd, "'%s' report --baseline /nonexistent.yaml --proposal x.yaml "
             "--out '%s' 2>/dev/null", bin, dir);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", WEXITSTATUS(st));
    cr_expect_neq(access(dir, F_OK), 0, "nothing was created");
}

/* ---- the bottom line, both-arm criteria, PDF and card, the tutorial ------------- */

/* The final value of metric in every done run of the database at path, by replicate. */
static size_t final_values(const char *path, const char *metric, double *out, size_t cap)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT m.value FROM metrics m JOIN runs r ON r.id = "
                                    "m.run WHERE r.status = 'done' AND m.name = ?1 AND m.t = "
                                    "(SELECT MAX(t) FROM metrics WHERE run = m.run AND name = "
                                    "?1) ORDER BY r.replicate", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < cap)
        out[n++] = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Welch's difference b − a with its 95% interval, straight from GSL (not stats.c). */
static void welch95(const double *a, size_t na, const double *b, size_t nb, double *d,
                    double *lo, double *hi)
{
    double va = gsl_stats_variance(a, 1, na) / (double)na;
    double vb = gsl_stats_variance(b, 1, nb) / (double)nb;
    double se = sqrt(va + vb);
    double df = (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
    double t = gsl_cdf_tdist_Pinv(0.975, df);
    *d = gsl_stats_mean(b, 1, nb) - gsl_stats_mean(a, 1, na);
    *lo = *d - t * se;
    *hi = *d + t * se;
}

/* The first paragraph of report.md after its title (malloc'd). */
static char *first_paragraph(const char *md)
{
    const char *p = strstr(md, "\n\n");
    cr_assert(p && !strncmp(md, "# ", 2), "report.md starts with its title");
    p += 2;
    const char *e = strstr(p, "\n\n");
    cr_assert(e);
    return strndup(p, (size_t)(e - p));
}

/* The bottom line states the moved metrics' change in the fixture's own numbers: the
 * percentage with its interval and the means, as computed here from the databases. */
Test(report, bottom_line_numbers_match_the_databases)
{
    char *dir = make_report(0);
    char path[256], base[256], prop[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    snprintf(base, sizeof base, "%s/baseline.db", dir);
    snprintf(prop, sizeof prop, "%s/proposal.db", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    char *lead = first_paragraph(md);
    cr_expect(strstr(lead, "Bottom line: over 8 paired replicates"), "%s", lead);
    static const char *const moved[] = {"price_usd", "real_yield"};
    for (size_t k = 0; k < 2; k++) {
        double a[8], b[8], d, lo, hi;
        cr_assert_eq(final_values(base, moved[k], a, 8), 8);
        cr_assert_eq(final_values(prop, moved[k], b, 8), 8);
        welch95(a, 8, b, 8, &d, &lo, &hi);
        cr_assert(lo > 0, "the fixture's shift moves %s beyond noise", moved[k]);
        char pct[128], want[400], ma[64], mb[64];
        fmt_pct_ci(pct, sizeof pct, d, lo, hi, gsl_stats_mean(a, 1, 8));
        int dec = fmt_decimals(fmax(d - lo, hi - d), d, 4);
        const char *at = strstr(lead, moved[k]), *rises = at ? strstr(at, " rises by ") : NULL;
        cr_expect(rises && rises - at < 60, "'%s ... rises by' in: %s", moved[k], lead);
        cr_expect(strstr(lead, pct), "'%s' in: %s", pct, lead);
        snprintf(want, sizeof want, "mean %s \xe2\x86\x92 %s",
                 fmt_fixed(ma, sizeof ma, gsl_stats_mean(a, 1, 8), dec, 0),
                 fmt_fixed(mb, sizeof mb, gsl_stats_mean(b, 1, 8), dec, 0));
        cr_expect(strstr(lead, want), "'%s' in: %s", want, lead);
    }
    cr_expect_null(strstr(md, "e-1"), "no floating-point noise in exponent form");
    cr_expect_null(strstr(md, "e+0"), "no exponent for ordinary numbers");
    free(lead);
    free(md);
    remove_dir(dir);
}

/* A criterion only the proposal declares is evaluated on the baseline too, from the
 * baseline's stored values: here its threshold is the baseline's median final yield,
 * so it holds in exactly the runs at or above it. */
Test(report, a_criterion_of_one_arm_is_evaluated_on_both)
{
    /* The baseline's final real_yield, to choose a threshold that splits it. */
    char dir0[] = "/tmp/crc-report-XXXXXX", base0[128];
    cr_assert(mkdtemp(dir0));
    snprintf(base0, sizeof base0, "%s/b.db", dir0);
    fixture_plain(base0, "baseline", 0.0, 8);
    double a[8], sorted[8];
    cr_assert_eq(final_values(base0, "real_yield", a, 8), 8);
    remove_dir(dir0);
    memcpy(sorted, a, sizeof a);
    for (size_t i = 0; i < 8; i++)
        for (size_t j = i + 1; j < 8; j++)
            if (sorted[j] < sorted[i]) {
                double t = sorted[i];
                sorted[i] = sorted[j];
                sorted[j] = t;
            }
    double thr = sorted[4];
    size_t k = 0;
    for (size_t i = 0; i < 8; i++)
        k += a[i] >= thr;
    cr_assert(k > 0 && k < 8);
    char sql[600];
    snprintf(sql, sizeof sql,
             "INSERT INTO criteria SELECT m.run, 'yield_high', 'real_yield', 'end', '>=', "
             "%.17g, m.value, m.value >= %.17g, NULL FROM metrics m WHERE m.name = "
             "'real_yield' AND m.t = 30", thr, thr);
    fixture_opts fo = {.shift = 0.2, .prop_sql = sql};
    crc_err err;
    int rc;
    char *dir = make_report_with(0, &fo, &err, &rc);
    cr_assert_eq(rc, CRC_OK, "%s", err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    const char *row = strstr(md, "| yield_high |");
    cr_assert(row, "a row for the proposal's criterion");
    char want[200];
    snprintf(want, sizeof want, "| proposal only | %zu of 8 (", k);
    cr_expect(strstr(row, want), "baseline evaluated here: want '%s' in %.300s", want, row);
    cr_expect(strstr(row, "evaluated here"), "%.300s", row);
    cr_expect_null(strstr(md, "not declared"));
    cr_expect(strstr(md, "yield_high holds in "), "the criteria paragraph names it");
    free(md);
    remove_dir(dir);
}

/* Counts the PDF objects whose `key` (e.g. /Type) is `val` (e.g. /Page, not /Pages). */
static size_t pdf_count(const char *pdf, size_t len, const char *key, const char *val)
{
    size_t n = 0, kl = strlen(key), vl = strlen(val);
    for (size_t i = 0; i + kl < len; i++) {
        if (memcmp(pdf + i, key, kl))
            continue;
        size_t j = i + kl;
        while (j < len && (pdf[j] == ' ' || pdf[j] == '\n' || pdf[j] == '\r'))
            j++;
        if (j + vl < len && !memcmp(pdf + j, val, vl) &&
            !((pdf[j + vl] >= 'a' && pdf[j + vl] <= 'z') || (pdf[j + vl] >= 'A' && pdf[j + vl] <= 'Z')))
            n++;
    }
    return n;
}

/* report.pdf holds the whole report: several pages and every picture of report.html;
 * summary.png is a 1200 x 630 PNG. */
Test(report, pdf_and_summary_card_hold_the_report)
{
    chromium(); /* installs it through make deps when missing */
    fixture_opts fo = {.shift = 0.2, .print = 1};
    crc_err err;
    int rc;
    char *dir = make_report_with(0, &fo, &err, &rc);
    cr_assert_eq(rc, CRC_OK, "%s", err.msg);
    char path[256];
    size_t len;
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = th_slurp(path, NULL);
    snprintf(path, sizeof path, "%s/report.pdf", dir);
    char *pdf = th_slurp(path, &len);
    cr_assert(html && pdf, "report.pdf was written");
    cr_expect(!strncmp(pdf, "%PDF-", 5), "a PDF header");
    size_t pages = pdf_count(pdf, len, "/Type", "/Page");
    size_t images = pdf_count(pdf, len, "/Subtype", "/Image");
    size_t imgs = count(html, "<img ");
    cr_expect_geq(pages, 3, "sections, tables and %zu pictures take several pages: %zu", imgs,
                  pages);
    cr_expect_leq(pages, 40, "%zu pages", pages);
    cr_expect_eq(images, imgs, "every picture of report.html is in the PDF: %zu of %zu", images,
                 imgs);
    snprintf(path, sizeof path, "%s/summary.png", dir);
    unsigned char *png = (unsigned char *)th_slurp(path, &len);
    cr_assert(png && len > 24, "summary.png was written");
    cr_expect(!memcmp(png, "\x89PNG\r\n\x1a\n", 8) && !memcmp(png + 12, "IHDR", 4));
    unsigned w = (unsigned)png[16] << 24 | (unsigned)png[17] << 16 | (unsigned)png[18] << 8 | png[19];
    unsigned h = (unsigned)png[20] << 24 | (unsigned)png[21] << 16 | (unsigned)png[22] << 8 | png[23];
    cr_expect_eq(w, 1200);
    cr_expect_eq(h, 630);
    snprintf(path, sizeof path, "%s/summary.html", dir);
    char *card = th_slurp(path, NULL);
    cr_assert(card);
    cr_expect(strstr(card, "Bottom line: over 8 paired replicates"), "the card's text");
    free(card);
    free(png);
    free(pdf);
    free(html);
    remove_dir(dir);
}

/* Without Chromium the report is still written, and the message names the package. */
Test(report, missing_chromium_is_named_and_the_report_still_written)
{
    setenv("CRUCIBLE_CHROMIUM", "/nonexistent/chromium", 1);
    fixture_opts fo = {.shift = 0.2, .print = 1};
    crc_err err;
    int rc;
    char *dir = make_report_with(0, &fo, &err, &rc);
    cr_expect_eq(rc, CRC_EFAIL);
    cr_expect(strstr(err.msg, "install the Debian package chromium"), "%s", err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    cr_expect_eq(access(path, R_OK), 0, "report.md is written");
    snprintf(path, sizeof path, "%s/report.pdf", dir);
    cr_expect_neq(access(path, F_OK), 0, "no report.pdf");
    remove_dir(dir);
}

/* A stand-in for Chromium in dir: it counts its runs in dir/runs and hangs on the first
 * `hangs` of them; later runs write --screenshot=FILE, 84 bytes ending like a PNG (in
 * the IEND chunk report_screenshot checks for). */
static void fake_chromium(const char *dir, int hangs, char *bin, size_t len)
{
    snprintf(bin, len, "%s/chromium", dir);
    FILE *f = fopen(bin, "w");
    cr_assert(f);
    fprintf(f, "#!/bin/sh\n"
               "n=$(cat '%s/runs' 2>/dev/null || echo 0); echo $((n + 1)) > '%s/runs'\n"
               "for a; do case $a in --screenshot=*) out=${a#--screenshot=};; esac; done\n"
               "[ $n -lt %d ] && exec sleep 60\n"
               "head -c 64 /dev/zero > \"$out\"\n"
               "printf '\\211PNG\\r\\n\\032\\n\\0\\0\\0\\0IEND\\256B`\\202' >> \"$out\"\n",
            dir, dir, hangs);
    fclose(f);
    chmod(bin, 0755);
}

static int fake_runs(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/runs", dir);
    char *s = th_slurp(path, NULL);
    int n = s ? atoi(s) : 0;
    free(s);
    return n;
}

/* Chromium that hangs once is stopped after CRUCIBLE_CHROMIUM_SECONDS and run again in a
 * fresh profile, and the picture is written; one that hangs every time gives an error
 * that says it was tried twice and how long, and leaves no file behind; a limit that is
 * not a whole number of seconds is an error that says what to give. */
Test(report, a_hung_chromium_is_stopped_and_tried_once_more)
{
    for (int hangs = 1; hangs <= 2; hangs++) {
        char dir[] = "/tmp/crc-report-chrome-XXXXXX", bin[600], html[600], png[600];
        cr_assert(mkdtemp(dir));
        fake_chromium(dir, hangs, bin, sizeof bin);
        snprintf(html, sizeof html, "%s/card.html", dir);
        snprintf(png, sizeof png, "%s/card.png", dir);
        FILE *f = fopen(html, "w");
        cr_assert(f);
        fputs("<html><body>card</body></html>\n", f);
        fclose(f);
        setenv("CRUCIBLE_CHROMIUM", bin, 1);
        setenv("CRUCIBLE_CHROMIUM_SECONDS", "1", 1);
        crc_err err = {0};
        int rc = report_screenshot(html, png, 1200, 630, &err);
        if (hangs == 1) { /* a limit that is not a whole number of seconds is refused */
            crc_err bad = {0};
            setenv("CRUCIBLE_CHROMIUM_SECONDS", "1.5", 1);
            cr_expect_eq(report_screenshot(html, png, 1200, 630, &bad), CRC_EINPUT);
            cr_expect(strstr(bad.msg, "CRUCIBLE_CHROMIUM_SECONDS=1.5: give a whole number"),
                      "%s", bad.msg);
        }
        unsetenv("CRUCIBLE_CHROMIUM_SECONDS");
        unsetenv("CRUCIBLE_CHROMIUM");
        cr_expect_eq(fake_runs(dir), 2, "hangs %d: run twice", hangs);
        if (hangs == 1) {
            cr_expect_eq(rc, CRC_OK, "%s", err.msg);
            cr_expect_eq(access(png, R_OK), 0, "the picture is written on the second try");
        } else {
            cr_expect_eq(rc, CRC_EFAIL);
            cr_expect(strstr(err.msg, "twice (within 1, then 3 seconds)"), "%s", err.msg);
            cr_expect(strstr(err.msg, "CRUCIBLE_CHROMIUM_SECONDS"), "%s", err.msg);
            cr_expect_neq(access(png, F_OK), 0, "no picture");
        }
        remove_dir(dir);
    }
}

/* Arms identical in every replicate (an A/A report) with --metric: the picture and its
 * caption say so, the bottom line says nothing moved, and no change reads as noise. */
Test(report, identical_arms_are_stated_plainly)
{
    static const char *const metrics[] = {"price_usd", "real_yield"};
    fixture_opts fo = {.shift = 0, .metrics = metrics, .n_metrics = 2};
    crc_err err;
    int rc;
    char *dir = make_report_with(0, &fo, &err, &rc);
    cr_assert_eq(rc, CRC_OK, "%s", err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    char *lead = first_paragraph(md);
    cr_expect(strstr(lead, "moves none of the 3 key metrics beyond noise. 3 are identical"),
              "%s", lead);
    cr_expect(strstr(lead, "identical in every replicate"), "%s", lead);
    cr_expect(strstr(md, "price_usd over time: baseline and proposal are identical in every "
                         "replicate"), "the caption says so");
    cr_expect(strstr(md, "](plots/compare_real_yield.png)"), "--metric's second metric");
    snprintf(path, sizeof path, "%s/plots/compare_price_usd.gp", dir);
    char *gp = th_slurp(path, NULL);
    cr_assert(gp);
    cr_expect(strstr(gp, "identical in every replicate"), "the picture's legend says so");
    cr_expect_null(strstr(gp, "proposal: median"), "one line for both arms, not two overlapping");
    free(gp);
    free(lead);
    free(md);
    remove_dir(dir);
}

/* A --metric with no time series is refused with the names that have one. */
Test(report, a_metric_without_a_time_series_is_refused)
{
    static const char *const metrics[] = {"price_usdd"};
    fixture_opts fo = {.shift = 0.2, .metrics = metrics, .n_metrics = 1};
    crc_err err;
    int rc;
    char *dir = make_report_with(0, &fo, &err, &rc);
    cr_expect_eq(rc, CRC_EINPUT);
    cr_expect(strstr(err.msg, "--metric price_usdd") && strstr(err.msg, "price_usd,"), "%s",
              err.msg);
    remove_dir(dir);
}

/* A misspelt --metric, or a summary value, is refused before either arm runs: exit 2,
 * the nearest name the model writes, and no output folder. */
Test(report, a_misspelt_metric_is_refused_before_anything_runs)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char dir[] = "/tmp/crc-report-XXXXXX";
    cr_assert(mkdtemp(dir));
    const char *root = repo_root();
    static const struct { const char *metric, *says; } cases[] = {
        {"price_usd,treasry_tkn", "no metric named 'treasry_tkn'; did you mean 'treasury_tkn'?"},
        {"reward_tkn.honset", "did you mean 'reward_tkn.honest'?"},
        {"price_drawdown", "--metric price_drawdown: a summary value"},
        {"final.price_usd", "--metric final.price_usd: a summary value"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char cmd[2048], path[256];
        snprintf(cmd, sizeof cmd, "'%s' report --baseline '%s/scenarios/baseline.yaml' "
                 "--proposal '%s/scenarios/baseline.yaml' --metric %s --out '%s/r' "
                 "> /dev/null 2> '%s/stderr.txt'", bin, root, root, cases[i].metric, dir, dir);
        int st = system(cmd);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: exit %d", cases[i].metric,
                  WEXITSTATUS(st));
        snprintf(path, sizeof path, "%s/stderr.txt", dir);
        char *errtxt = th_slurp(path, NULL);
        cr_assert(errtxt);
        cr_expect(strstr(errtxt, cases[i].says), "'%s' in: %s", cases[i].says, errtxt);
        free(errtxt);
        snprintf(path, sizeof path, "%s/r", dir);
        cr_expect_neq(access(path, F_OK), 0, "%s: the output folder was made", cases[i].metric);
    }
    remove_dir(dir);
}

/* The README tutorial's burn-5% proposal (step 3), reported as step 4 says (with 3
 * replicates to keep the suite quick): the first paragraph states the treasury's change,
 * in the databases' own numbers; the treasury is plotted by default; a captured stderr
 * gets one line per stage. */
Test(report, tutorial_burn_report_states_the_treasury_change_first)
{
    char dir[] = "/tmp/crc-report-XXXXXX";
    cr_assert(mkdtemp(dir));
    const char *root = repo_root();
    char yaml[256], cmd[2048], path[512];
    snprintf(yaml, sizeof yaml, "%s/burn5.yaml", dir);
    FILE *f = fopen(yaml, "w");
    cr_assert(f);
    char absroot[1024];
    cr_assert(realpath(root, absroot));
    fprintf(f, "name: burn-5pct\ndescription: From day 90, burn 5%% of every query fee, taken "
               "from the treasury's 10%%.\nextends: %s/scenarios/proposal-example/baseline.yaml\n"
               "interventions:\n  - {at: 90, set: {fees.burn: 0.05}}\ncriteria:\n"
               "  - {name: price_gain, metric: price_usd, at: end, op: \">=\", value: 0.24}\n",
            absroot);
    fclose(f);
    snprintf(cmd, sizeof cmd, "--baseline '%s/scenarios/proposal-example/baseline.yaml' "
             "--proposal '%s' --replicates 3 --out '%s/burn5'", absroot, yaml, dir);
    char *errtxt = th_report_cli(dir, cmd);
    static const char *const stages[] = {"crucible report: running the baseline",
                                         "crucible report: running the proposal",
                                         "crucible report: drawing the plots",
                                         "crucible report: printing report.pdf"};
    for (size_t i = 0; i < 4; i++)
        cr_expect(strstr(errtxt, stages[i]), "stage line '%s' in: %s", stages[i], errtxt);
    snprintf(path, sizeof path, "%s/burn5/report.md", dir);
    char *md = th_slurp(path, NULL);
    cr_assert(md);
    char *lead = first_paragraph(md);
    char base[512], prop[512];
    snprintf(base, sizeof base, "%s/burn5/baseline.db", dir);
    snprintf(prop, sizeof prop, "%s/burn5/proposal.db", dir);
    double a[3], b[3], d, lo, hi;
    cr_assert_eq(final_values(base, "treasury_tkn", a, 3), 3);
    cr_assert_eq(final_values(prop, "treasury_tkn", b, 3), 3);
    welch95(a, 3, b, 3, &d, &lo, &hi);
    char mag[64], want[200];
    fmt_fixed(mag, sizeof mag, fabs(d), fmt_decimals(fmax(d - lo, hi - d), d, 4), 0);
    snprintf(want, sizeof want, "treasury balance (treasury_tkn) falls by %s TKN", mag);
    cr_expect(strstr(lead, want), "'%s' in the first paragraph: %s", want, lead);
    cr_expect(strstr(lead, "price_usd"), "the price's (non-)change is stated too: %s", lead);
    cr_expect(strstr(md, "](plots/compare_treasury_tkn.png)"), "the treasury is plotted");
    cr_expect(strstr(md, "| price_gain | price_usd at end >= 0.24 | proposal only |"),
              "the proposal's criterion, on both arms");
    snprintf(path, sizeof path, "%s/burn5/plots/compare_treasury_tkn.gp", dir);
    char *gp = th_slurp(path, NULL);
    cr_assert(gp);
    cr_expect(strstr(gp, "day 90: fees.burn = 0.05"), "the intervention day is marked");
    free(gp);
    free(lead);
    free(md);
    free(errtxt);
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
