/* test_fcfs.c — the FIFO c-server station without departure events (engine/fcfs.h):
 * by hand and against the event-driven station on the same jobs (its M/M/c test against
 * Erlang C is in test_queue.c, beside the event-driven one). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "engine/fcfs.h"
#include "engine/rng.h"
#include "engine/sim.h"
#include "engine/station.h"

Test(fcfs, two_servers_by_hand)
{
    fcfs q;
    fcfs_init(&q, 2);
    cr_expect_eq(fcfs_jobs(&q, 0), 0);
    cr_expect_null(q.t, "no block until the first job");
    double w;
    cr_assert_eq(fcfs_arrive(&q, 0.0, 3.0, &w), 0); /* server A until 3 */
    cr_expect_eq(w, 0.0);
    cr_assert_eq(fcfs_arrive(&q, 1.0, 1.0, &w), 0); /* server B until 2 */
    cr_expect_eq(w, 0.0);
    cr_assert_eq(fcfs_arrive(&q, 1.5, 2.0, &w), 0); /* waits for B: 2 to 4 */
    cr_expect_eq(w, 0.5);
    cr_expect_eq(fcfs_jobs(&q, 1.5), 3);
    cr_expect_eq(fcfs_busy(&q, 1.5), 2);
    cr_expect_eq(fcfs_jobs(&q, 1.999), 3);
    cr_expect_eq(fcfs_jobs(&q, 2.0), 2, "a job whose departure is now has left");
    cr_expect_eq(fcfs_jobs(&q, 3.5), 1);
    cr_expect_eq(fcfs_busy(&q, 3.5), 1);
    cr_expect_eq(fcfs_drained(&q, 3.5), 4.0);
    cr_expect_eq(fcfs_jobs(&q, 4.0), 0);
    cr_expect_eq(fcfs_drained(&q, 5.0), 5.0, "nothing present: drained now");
    cr_assert_eq(fcfs_arrive(&q, 6.0, 1.0, &w), 0);
    cr_expect_eq(w, 0.0, "an idle station serves at once");
    fcfs_free(&q);
    cr_expect_null(q.t);
    fcfs_free(NULL);
}

/* ---- the same jobs through the event-driven station -------------------------------
 * Poisson arrivals, service times fixed per job in advance; the event-driven station
 * (station.h on the engine) gives each job its wait when it starts. fcfs must give
 * every job the same wait and see the same number of jobs present at each arrival. */

enum { E_ARRIVE = 0, E_DEPART = 1 };

typedef struct twin {
    station st;
    fcfs q;
    const double *arrive, *service;
    double *wait_ev;
    uint32_t n, next;
    uint32_t present_mismatch, busy_mismatch;
} twin;

static void tw_arrive(sim *s, const evq_event *ev, void *ctx)
{
    twin *t = ctx;
    uint32_t j = t->next++;
    uint32_t present = station_busy(&t->st) + station_waiting(&t->st);
    t->present_mismatch += fcfs_jobs(&t->q, s->now) != present;
    uint32_t c = t->q.servers, len = fcfs_jobs(&t->q, s->now);
    t->busy_mismatch += fcfs_busy(&t->q, s->now) != (len < c ? len : c);
    double w;
    cr_assert_eq(fcfs_arrive(&t->q, s->now, t->service[j], &w), 0);
    t->wait_ev[j] = -w; /* fcfs's wait, negated until the event-driven one is known */
    if (station_arrive(&t->st, s->now, j) == STATION_STARTED) {
        cr_expect_eq(w, 0.0, "job %u started at once in both", j);
        t->wait_ev[j] = 0.0;
        sim_at(s, s->now + t->service[j], E_DEPART, 0, j);
    }
    if (t->next < t->n)
        sim_at(s, t->arrive[t->next], E_ARRIVE, 0, 0);
}

static void tw_depart(sim *s, const evq_event *ev, void *ctx)
{
    twin *t = ctx;
    station_job nx;
    if (station_depart(&t->st, &nx)) {
        uint32_t j = (uint32_t)nx.id;
        double w = s->now - nx.arrived;
        cr_expect_eq(w, -t->wait_ev[j], "job %u: event-driven wait %g, fcfs %g", j, w, -t->wait_ev[j]);
        t->wait_ev[j] = w;
        sim_at(s, s->now + t->service[j], E_DEPART, 0, j);
    }
}

static void check_twin(uint32_t c, double rho, uint32_t n, uint64_t seed)
{
    gsl_rng *r = rng_stream_alloc(seed, 0, 7);
    double *arrive = malloc(n * sizeof *arrive), *service = malloc(n * sizeof *service);
    double *wait = malloc(n * sizeof *wait);
    cr_assert(arrive && service && wait);
    double t = 0;
    for (uint32_t j = 0; j < n; j++) {
        t += gsl_ran_exponential(r, 1.0 / (rho * c));
        arrive[j] = t;
        service[j] = gsl_ran_exponential(r, 1.0);
    }
    twin tw = {.arrive = arrive, .service = service, .wait_ev = wait, .n = n};
    station_init(&tw.st, c);
    fcfs_init(&tw.q, c);
    sim s;
    cr_assert_eq(sim_init(&s, 64, &tw), 0);
    sim_on(&s, E_ARRIVE, tw_arrive);
    sim_on(&s, E_DEPART, tw_depart);
    sim_at(&s, arrive[0], E_ARRIVE, 0, 0);
    cr_assert_eq(sim_run(&s, INFINITY), 0);
    cr_expect_eq(tw.next, n);
    cr_expect_eq(tw.present_mismatch, 0, "jobs present at an arrival differ %u times",
                 tw.present_mismatch);
    cr_expect_eq(tw.busy_mismatch, 0, "busy servers != min(jobs, c) %u times", tw.busy_mismatch);
    uint32_t waited = 0;
    for (uint32_t j = 0; j < n; j++) {
        cr_expect_geq(wait[j], 0.0, "job %u never started in the event-driven station", j);
        waited += wait[j] > 0;
    }
    cr_expect_gt(waited, n / 10, "the test must exercise the queue (%u of %u waited)", waited, n);
    cr_expect_eq(fcfs_jobs(&tw.q, INFINITY), 0);
    sim_free(&s);
    station_free(&tw.st);
    fcfs_free(&tw.q);
    free(arrive);
    free(service);
    free(wait);
    gsl_rng_free(r);
}

Test(fcfs, same_waits_as_the_event_driven_station_one_server) { check_twin(1, 0.9, 20000, 11); }
Test(fcfs, same_waits_as_the_event_driven_station_four_servers) { check_twin(4, 0.85, 20000, 12); }
/* At and past FCFS_SCAN servers the free times switch from a scanned array to a heap:
 * both must give the event-driven station's waits; at half load many jobs find the
 * station empty or with one job that has left (fcfs_arrive's shortcut). */
Test(fcfs, same_waits_as_the_event_driven_station_eight_servers) { check_twin(8, 0.8, 20000, 13); }
Test(fcfs, same_waits_as_the_event_driven_station_nine_servers) { check_twin(9, 0.8, 20000, 14); }
Test(fcfs, same_waits_as_the_event_driven_station_three_servers_half_load) { check_twin(3, 0.5, 20000, 15); }
