/* test_queue.c — the FIFO c-server station, alone and as M/M/1 and M/M/c on the engine. */
#include <criterion/criterion.h>

#include "engine/station.h"

Test(station, idle_station_costs_no_heap_and_serves_at_once)
{
    station st;
    station_init(&st, 2);
    cr_expect_eq(station_arrive(&st, 0.0, 1), STATION_STARTED);
    cr_expect_eq(station_arrive(&st, 0.5, 2), STATION_STARTED);
    cr_expect_null(st.ring, "no ring until a job has to wait");
    cr_expect_eq(station_busy(&st), 2);
    cr_expect_eq(station_depart(&st, NULL), 0);
    cr_expect_eq(station_busy(&st), 1);
    cr_expect_eq(station_waiting(&st), 0);
    station_free(&st);
}

Test(station, waiting_jobs_start_in_fifo_order_with_their_arrival_times)
{
    station st;
    station_init(&st, 1);
    cr_assert_eq(station_arrive(&st, 0.0, 100), STATION_STARTED);
    /* 37 jobs wait: forces several ring doublings with a wrapped head. */
    for (uint64_t k = 0; k < 37; k++)
        cr_assert_eq(station_arrive(&st, 1.0 + (double)k, 200 + k), STATION_QUEUED);
    cr_expect_eq(station_waiting(&st), 37);
    double now = 50.0;
    for (uint64_t k = 0; k < 37; k++) {
        station_job j;
        cr_assert_eq(station_depart(&st, &j), 1);
        cr_expect_eq(j.id, 200 + k);
        cr_expect_eq(j.arrived, 1.0 + (double)k);
        /* interleave arrivals so head and tail wrap around the ring */
        if (k % 3 == 0)
            cr_assert_eq(station_arrive(&st, now, 1000 + k), STATION_QUEUED);
        now += 1.0;
    }
    /* the 13 late arrivals are still waiting, in arrival order */
    for (uint64_t k = 0; k < 37; k += 3) {
        station_job j;
        cr_assert_eq(station_depart(&st, &j), 1);
        cr_expect_eq(j.id, 1000 + k);
        cr_expect_eq(j.arrived, 50.0 + (double)k, "arrived when job 200 + k left");
    }
    cr_expect_eq(station_depart(&st, NULL), 0);
    cr_expect_eq(station_busy(&st), 0);
    cr_expect_eq(station_waiting(&st), 0);
    station_free(&st);
    cr_expect_null(st.ring);
}

Test(station, limit_rejects_and_take_removes_oldest)
{
    station st;
    station_init(&st, 1);
    station_set_limit(&st, 2);
    cr_expect_eq(station_arrive(&st, 0, 1), STATION_STARTED);
    cr_expect_eq(station_arrive(&st, 0, 2), STATION_QUEUED);
    cr_expect_eq(station_arrive(&st, 0, 3), STATION_QUEUED);
    cr_expect_eq(station_arrive(&st, 0, 4), STATION_REJECTED);
    cr_expect_eq(station_waiting(&st), 2, "a rejected job does not wait");
    station_job j = {0};
    cr_expect_eq(station_take(&st, &j), 1);
    cr_expect_eq(j.id, 2);
    cr_expect_eq(station_waiting(&st), 1);
    cr_expect_eq(station_take(&st, &j), 1);
    cr_expect_eq(j.id, 3);
    cr_expect_eq(station_take(&st, &j), 0);
    station_free(&st);
}

/* ---- M/M/1 and M/M/c on the engine -------------------------------------------------
 * Arrivals Poisson(lambda), services Exp(mu = 1), c servers, FIFO; the mean wait in
 * queue over the customers after a warm-up is compared with theory:
 *   M/M/1: Wq = rho / (mu - lambda);   M/M/c: Wq = C(c, a) / (c mu - lambda), a = lambda/mu,
 *   C(c, a) = [a^c/c! * c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! * c/(c-a)]  (Erlang C).
 * Waits of successive customers are strongly autocorrelated (more so at rho = 0.9), so
 * the standard error comes from batch means: B consecutive batches, each far longer
 * than the queue's relaxation time, are close to independent. */

#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/fcfs.h"
#include "engine/rng.h"
#include "engine/sim.h"

enum { Q_ARRIVE = 0, Q_DEPART = 1, Q_BATCHES = 25 };

typedef struct mmc {
    station st;
    gsl_rng *arr, *svc;
    double lambda;
    uint64_t customers, arrived, warmup, counted, per_batch;
    double batch_sum[Q_BATCHES];
    uint64_t batch_n[Q_BATCHES];
    uint64_t started;        /* customers that entered service                     */
} mmc;

static void mmc_record(mmc *m, double wait)
{
    m->started++;
    if (m->arrived <= m->warmup || m->counted >= m->per_batch * Q_BATCHES)
        return;
    uint64_t b = m->counted++ / m->per_batch;
    m->batch_sum[b] += wait;
    m->batch_n[b]++;
}

static void on_arrive(sim *s, const evq_event *ev, void *ctx)
{
    mmc *m = ctx;
    m->arrived++;
    int r = station_arrive(&m->st, s->now, m->arrived);
    cr_assert(r == STATION_STARTED || r == STATION_QUEUED);
    if (r == STATION_STARTED) {
        mmc_record(m, 0.0);
        sim_after(s, gsl_ran_exponential(m->svc, 1.0), Q_DEPART, 0, m->arrived);
    }
    if (m->arrived < m->customers)
        sim_after(s, gsl_ran_exponential(m->arr, 1.0 / m->lambda), Q_ARRIVE, 0, 0);
}

static void on_depart(sim *s, const evq_event *ev, void *ctx)
{
    mmc *m = ctx;
    station_job next;
    if (station_depart(&m->st, &next)) {
        cr_assert(next.arrived <= s->now);
        mmc_record(m, s->now - next.arrived);
        sim_after(s, gsl_ran_exponential(m->svc, 1.0), Q_DEPART, 0, next.id);
    }
}

static double erlang_c(unsigned c, double a)
{
    double last = pow(a, c) / gsl_sf_fact(c) * (double)c / ((double)c - a);
    double sum = 0.0;
    for (unsigned k = 0; k < c; k++)
        sum += pow(a, k) / gsl_sf_fact(k);
    return last / (sum + last);
}

static void check_mmc(unsigned c, double rho, uint64_t customers, uint64_t seed)
{
    mmc m = {0};
    station_init(&m.st, c);
    m.lambda = rho * c;
    m.customers = customers;
    m.warmup = customers / 20;
    m.per_batch = (customers - m.warmup) / Q_BATCHES;
    m.arr = rng_stream_alloc(seed, 0, 1);
    m.svc = rng_stream_alloc(seed, 0, 2);
    sim s;
    cr_assert_eq(sim_init(&s, 64, &m), 0);
    sim_on(&s, Q_ARRIVE, on_arrive);
    sim_on(&s, Q_DEPART, on_depart);
    sim_at(&s, gsl_ran_exponential(m.arr, 1.0 / m.lambda), Q_ARRIVE, 0, 0);
    cr_assert_eq(sim_run(&s, INFINITY), 0);

    /* everyone arrived, was served (once) and left */
    cr_assert_eq(m.arrived, customers);
    cr_assert_eq(m.started, customers);
    cr_assert_eq(station_busy(&m.st), 0);
    cr_assert_eq(station_waiting(&m.st), 0);
    cr_assert_eq(s.events, 2 * customers);

    double means[Q_BATCHES], total = 0;
    uint64_t n = 0;
    for (int b = 0; b < Q_BATCHES; b++) {
        cr_assert_eq(m.batch_n[b], m.per_batch);
        means[b] = m.batch_sum[b] / (double)m.batch_n[b];
        total += m.batch_sum[b];
        n += m.batch_n[b];
    }
    double mean = total / (double)n;
    double se = gsl_stats_sd(means, 1, Q_BATCHES) / sqrt((double)Q_BATCHES);
    double a = m.lambda; /* mu = 1 */
    double theory = erlang_c(c, a) / ((double)c - a);
    if (c == 1)
        cr_assert_float_eq(theory, rho / (1.0 - rho), 1e-12, "Erlang C reduces to M/M/1");
    cr_log_info("M/M/%u rho=%.2f: Wq %.4f +- %.4f (batch-means se), theory %.4f\n", c, rho,
                mean, se, theory);
    /* the run must be long enough for the test to mean something ... */
    cr_assert_lt(se, 0.05 * theory, "M/M/%u rho=%.2f: se %.4f too large for the test", c,
                 rho, se);
    /* ... and the estimate within 4 standard errors of theory */
    cr_expect_lt(fabs(mean - theory), 4.0 * se,
                 "M/M/%u rho=%.2f: Wq %.4f, theory %.4f, se %.4f", c, rho, mean, theory, se);
    sim_free(&s);
    station_free(&m.st);
    gsl_rng_free(m.arr);
    gsl_rng_free(m.svc);
}

Test(queue, mm1_mean_wait_matches_theory_at_rho_0_5) { check_mmc(1, 0.5, 200000, 1); }
Test(queue, mm1_mean_wait_matches_theory_at_rho_0_9) { check_mmc(1, 0.9, 1500000, 2); }
Test(queue, mmc_mean_wait_matches_erlang_c_at_rho_0_5) { check_mmc(3, 0.5, 200000, 3); }
Test(queue, mmc_mean_wait_matches_erlang_c_at_rho_0_9) { check_mmc(3, 0.9, 1000000, 4); }

/* ---- fcfs (engine/fcfs.h) as M/M/c against Erlang C --------------------------------------------------------
 * Mean wait in queue Wq = C(c, a) / (c mu - lambda) with mu = 1, a = lambda; the
 * standard error from batch means (waits of successive customers are autocorrelated). */

#define F_BATCHES 25

static void check_mmc_fcfs(unsigned c, double rho, uint32_t customers, uint64_t seed)
{
    gsl_rng *arr = rng_stream_alloc(seed, 0, 1), *svc = rng_stream_alloc(seed, 0, 2);
    fcfs q;
    fcfs_init(&q, c);
    double lambda = rho * c, t = 0, sum[F_BATCHES] = {0};
    uint32_t warmup = customers / 20, per = (customers - warmup) / F_BATCHES;
    for (uint32_t k = 0; k < warmup + per * F_BATCHES; k++) {
        t += gsl_ran_exponential(arr, 1.0 / lambda);
        double w;
        cr_assert_eq(fcfs_arrive(&q, t, gsl_ran_exponential(svc, 1.0), &w), 0);
        if (k >= warmup)
            sum[(k - warmup) / per] += w;
    }
    double means[F_BATCHES];
    for (int b = 0; b < F_BATCHES; b++)
        means[b] = sum[b] / per;
    double mean = gsl_stats_mean(means, 1, F_BATCHES);
    double se = gsl_stats_sd(means, 1, F_BATCHES) / sqrt((double)F_BATCHES);
    double theory = erlang_c(c, lambda) / ((double)c - lambda);
    cr_assert_lt(se, 0.05 * theory, "M/M/%u rho=%.2f: se %.4f too large for the test", c, rho, se);
    cr_expect_lt(fabs(mean - theory), 4.0 * se, "M/M/%u rho=%.2f: Wq %.4f, theory %.4f, se %.4f",
                 c, rho, mean, theory, se);
    fcfs_free(&q);
    gsl_rng_free(arr);
    gsl_rng_free(svc);
}

Test(queue, fcfs_mm1_mean_wait_matches_theory_at_rho_0_8) { check_mmc_fcfs(1, 0.8, 600000, 21); }
Test(queue, fcfs_mm4_mean_wait_matches_theory_at_rho_0_9) { check_mmc_fcfs(4, 0.9, 1000000, 22); }
