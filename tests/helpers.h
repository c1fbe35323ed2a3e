/*
 * helpers.h — helpers several test files share: driving bin/crucible (CRUCIBLE_BIN) in a
 * scratch folder, reading the files and databases it writes, and running the model or a
 * scenario in process. Each asserts (Criterion) where a test would, so a failure points
 * at the helper's line and the test that called it. Prefix th_.
 *
 * Linked into the one test binary with the test files (Makefile, TEST_SRC).
 */
#ifndef CRC_TEST_HELPERS_H
#define CRC_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/core/memsink.h"
#include "model/core/params.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* ---- the program ---------------------------------------------------------------------- */

/* bin/crucible as make test passes it (CRUCIBLE_BIN); skips the test when unset. */
const char *th_bin(void);

/* A fresh folder /tmp/crucible-TAG-XXXXXX into dir (mkdtemp). */
void th_scratch(char *dir, size_t len, const char *tag);

/* Runs a shell command (printf-style); its exit status, or 128 + the signal that killed
 * it. */
int th_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command with its stdout and stderr captured into out (NUL-terminated,
 * truncated to len); its exit status as th_sh. */
int th_run(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The whole file at path (malloc'd, NUL-terminated; *len its length when len is not
 * NULL), or NULL when it cannot be opened. */
char *th_slurp(const char *path, size_t *len);

/* Runs `crucible report ARGS` with stdout and stderr captured in dir/stdout.txt and
 * dir/stderr.txt (a report runs both scenarios: up to 10 minutes); asserts that it exits 0
 * and returns the stderr text (malloc'd). */
char *th_report_cli(const char *dir, const char *args);

/* ---- results databases ------------------------------------------------------------------ */

/* FNV-1a of p[0..n) continued from h (start: 0xcbf29ce484222325). */
uint64_t th_fnv(uint64_t h, const void *p, size_t n);

/* The first column of the first row of sql on the database at path (read-only); NAN for
 * no row or NULL. */
double th_db_value(const char *path, const char *sql);

/* The runs of the database at path with status 'done'; 0 while it cannot be read (not
 * created yet, or locked by its writer for longer than a second). */
long th_done_runs(const char *path);

/* Waits (polling every 2 ms, at most polls times) until the database at path holds at
 * least n done runs: the point at which a kill test interrupts a sweep or a search that
 * is under way. Returns the count it saw last. */
long th_wait_done_runs(const char *path, long n, long polls);

/* ---- runs in process -------------------------------------------------------------------- */

/* One model run of p on (seed, replicate) into m (memsink_init'ed here: the caller frees
 * it), with interventions iv[0..n_iv) and, when check is set, the ledger invariant
 * verified every epoch; model_run's status (its message logged when not 0). */
int th_model_run(const crc_params *p, uint64_t seed, uint64_t replicate, int check,
                 const crc_intervention *iv, size_t n_iv, memsink *m);

/* A scenario file with --set style overrides (NULL-terminated, may be NULL), validated;
 * asserts each step succeeds. */
void th_load(scenario *sc, const char *path, const char *const *sets);

/* Logit (softmax) probabilities of utilities u[0..n): P_j = e^(u_j) / Σ e^(u_k), computed
 * with the largest utility taken out so that no exponential overflows. */
void th_logit(const double *u, size_t n, double *P);

#endif
