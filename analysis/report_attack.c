/* report_attack.c — the report's cost-of-attack section. See report_attack.h. */
#include "report_attack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <sqlite3.h>

#define MAX_BUDGETS 64

/* One budget's best attack as stored: fresh replicates' mean and 95% t interval. */
typedef struct side {
    int found;
    double mean, lo, hi, spend;
    char params[512];
} side;

typedef struct adb_attack {
    sqlite3 *db;
    char objective[200];
    double budgets[MAX_BUDGETS];
    size_t nb;
    long replicates;
} adb_attack;

static int meta(sqlite3 *db, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *q = NULL;
    int ok = 0;
    buf[0] = 0;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
            snprintf(buf, len, "%s", (const char *)sqlite3_column_text(q, 0));
            ok = 1;
        }
    }
    sqlite3_finalize(q);
    return ok;
}

static int open_attack(adb_attack *a, const char *path, crc_err *err)
{
    memset(a, 0, sizeof *a);
    char buf[4096];
    if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        !meta(a->db, "command", buf, sizeof buf) || strcmp(buf, "attack") != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "not an attack database (meta command is not 'attack'); it is "
                          "written by `crucible report` when the baseline declares attack:");
    meta(a->db, "attack_objective", a->objective, sizeof a->objective);
    meta(a->db, "attack_search", buf, sizeof buf);
    const char *r = strstr(buf, "\nreplicates: ");
    a->replicates = r ? strtol(r + 13, NULL, 10) : 0;
    meta(a->db, "attack_budgets", buf, sizeof buf);
    for (char *s = buf, *end; *s && a->nb < MAX_BUDGETS; s = *end ? end + 1 : end) {
        a->budgets[a->nb++] = strtod(s, &end);
        if (end == s)
            break;
    }
    return CRC_OK;
}

/* The best attack of budget index b: the point with fresh replicates (>= R); the least
 * attack (point b * 1000000 + 999999, docs/attack.md) has them too, and is the best only
 * when no other point has. */
static void read_side(const adb_attack *a, size_t b, side *s)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *q = NULL;
    const char *value = strncmp(a->objective, "break", 5) ? "attack.value" : "attack.spend";
    if (sqlite3_prepare_v2(a->db,
                           "SELECT r.point, s.value, c.value FROM runs r JOIN summary s ON "
                           "s.run = r.id JOIN summary c ON c.run = r.id WHERE r.point >= ?1 AND "
                           "r.point < ?2 AND r.replicate >= ?3 AND r.status = 'done' AND "
                           "s.name = ?4 AND c.name = 'attack.spend' "
                           "ORDER BY r.point = ?5, r.point, r.replicate",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)b * 1000000);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)(b + 1) * 1000000);
    sqlite3_bind_int64(q, 3, a->replicates);
    sqlite3_bind_text(q, 4, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)b * 1000000 + 999999);
    double sum = 0, ss = 0, spend = 0;
    long n = 0, point = -1;
    double v[4096];
    while (sqlite3_step(q) == SQLITE_ROW && n < 4096) {
        if (n && (long)sqlite3_column_int64(q, 0) != point)
            break; /* the next point: the least attack */
        point = (long)sqlite3_column_int64(q, 0);
        v[n] = sqlite3_column_double(q, 1);
        sum += v[n];
        spend += sqlite3_column_double(q, 2);
        n++;
    }
    sqlite3_finalize(q);
    if (n < 2)
        return;
    s->found = 1;
    s->mean = sum / (double)n;
    for (long i = 0; i < n; i++)
        ss += (v[i] - s->mean) * (v[i] - s->mean);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sqrt(ss / (double)(n - 1)) /
                  sqrt((double)n);
    s->lo = s->mean - half;
    s->hi = s->mean + half;
    s->spend = spend / (double)n;
    if (sqlite3_prepare_v2(a->db, "SELECT path, text FROM points WHERE point = ?1 ORDER BY path",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, point);
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t l = strlen(s->params);
        snprintf(s->params + l, sizeof s->params - l, "%s%s = %s", l ? ", " : "",
                 (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        default: fputc(*s, f);
        }
}

static void cell(FILE *md, FILE *html, const char *text)
{
    fprintf(md, " %s |", text);
    fputs("<td>", html);
    html_text(html, text);
    fputs("</td>", html);
}

static void side_cells(FILE *md, FILE *html, const side *s)
{
    char buf[700];
    if (!s->found) {
        cell(md, html, "no feasible attack");
        cell(md, html, "-");
        return;
    }
    snprintf(buf, sizeof buf, "%.4g [%.4g, %.4g]; spend %.4g USD", s->mean, s->lo, s->hi,
             s->spend);
    cell(md, html, buf);
    cell(md, html, s->params);
}

int report_attack_section(FILE *md, FILE *html, const char *dir, crc_err *err)
{
    char pb[1024], pp[1024];
    snprintf(pb, sizeof pb, "%s/attack-baseline.db", dir);
    snprintf(pp, sizeof pp, "%s/attack-proposal.db", dir);
    if (access(pb, R_OK) != 0 || access(pp, R_OK) != 0)
        return CRC_OK;
    adb_attack b = {0}, p = {0};
    int rc = open_attack(&b, pb, err);
    if (rc == CRC_OK)
        rc = open_attack(&p, pp, err);
    if (rc == CRC_OK) {
        const char *intro =
            "The attack search (docs/attack.md) looked for the attacker's best response "
            "within each budget under both schemes: the best attack found, re-evaluated on "
            "fresh replicates the search never saw, with its 95% interval and measured spend.";
        fprintf(md, "## Cost of attack\n\n%s Objective: %s.\n\n", intro, b.objective);
        fputs("<h2 id=\"attack\">Cost of attack</h2>\n<p>", html);
        html_text(html, intro);
        fputs(" Objective: ", html);
        html_text(html, b.objective);
        fputs(".</p>\n<table>\n<thead><tr><th>budget (USD)</th><th>status quo: best attack"
              "</th><th>its parameters</th><th>proposal: best attack</th><th>its parameters"
              "</th></tr></thead>\n<tbody>\n",
              html);
        fputs("| budget (USD) | status quo: best attack | its parameters | proposal: best "
              "attack | its parameters |\n|---|---|---|---|---|\n",
              md);
        for (size_t i = 0; i < b.nb && i < p.nb; i++) {
            side sb, sp;
            read_side(&b, i, &sb);
            read_side(&p, i, &sp);
            char buf[64];
            snprintf(buf, sizeof buf, "%.6g", b.budgets[i]);
            fputs("|", md);
            fputs("<tr>", html);
            cell(md, html, buf);
            side_cells(md, html, &sb);
            side_cells(md, html, &sp);
            fputs("\n", md);
            fputs("</tr>\n", html);
        }
        fputs("\n", md);
        fputs("</tbody>\n</table>\n", html);
    }
    sqlite3_close(b.db);
    sqlite3_close(p.db);
    return rc;
}
