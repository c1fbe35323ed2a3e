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
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures/analysis/fixture_db.h"
#include "report.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert(s);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    if (len)
        *len = got;
    return s;
}

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

/* Builds a report from two fixture databases in a fresh directory; returns the dir.
 * With n_inf > 0, the first n_inf baseline runs have an infinite price_drawdown. */
static char *make_report(int n_inf)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/crc-report-XXXXXX");
    cr_assert(mkdtemp(dir));
    char base[128], prop[128];
    snprintf(base, sizeof base, "%s/baseline.db", dir);
    snprintf(prop, sizeof prop, "%s/proposal.db", dir);
    fixture_plain(base, "baseline", 0.0, 8);
    fixture_plain(prop, "proposal", 0.2, 8);
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
                       .level = 0.95};
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(report_write(&in, &err), CRC_OK, "%s", err.msg);
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
    char *md = slurp(path, NULL);
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = slurp(path, NULL);
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
    char *md = slurp(path, NULL);
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
    char *html = slurp(path, &len);
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
    char *dom = slurp(out, NULL);
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
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char dir[] = "/tmp/crc-report-XXXXXX";
    cr_assert(mkdtemp(dir));
    const char *root = repo_root();
    char cmd[2048];
    /* Tiny scenarios (3 days, small populations, 2 replicates): the point is the
     * plumbing, not the economics. */
    snprintf(cmd, sizeof cmd,
             "timeout 600 '%s' report --baseline '%s/tests/fixtures/analysis/baseline.yaml' "
             "--proposal '%s/tests/fixtures/analysis/proposal.yaml' --seed 11 --out '%s/r' --metric price_usd "
             "> '%s/stdout.txt' 2> '%s/stderr.txt'",
             bin, root, root, dir, dir, dir);
    int st = system(cmd);
    char path[256];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    char *errtxt = slurp(path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit %d: %s", WEXITSTATUS(st),
              errtxt ? errtxt : "");
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
    char *md = slurp(path, NULL);
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
    st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", WEXITSTATUS(st));
    cr_expect_neq(access(dir, F_OK), 0, "nothing was created");
}
