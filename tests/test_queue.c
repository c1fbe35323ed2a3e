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
    cr_expect_eq(station_depart(&st, 1.0, NULL), 0);
    cr_expect_eq(station_busy(&st), 1);
    cr_expect_eq(st.started, 2);
    cr_expect_eq(st.wait_sum, 0.0);
    station_free(&st);
}

Test(station, waiting_jobs_start_in_fifo_order_and_waits_add_up)
{
    station st;
    station_init(&st, 1);
    cr_assert_eq(station_arrive(&st, 0.0, 100), STATION_STARTED);
    /* 37 jobs wait: forces several ring doublings with a wrapped head. */
    for (uint64_t k = 0; k < 37; k++)
        cr_assert_eq(station_arrive(&st, 1.0 + (double)k, 200 + k), STATION_QUEUED);
    cr_expect_eq(station_waiting(&st), 37);
    double want = 0.0, now = 50.0;
    for (uint64_t k = 0; k < 37; k++) {
        station_job j;
        cr_assert_eq(station_depart(&st, now, &j), 1);
        cr_expect_eq(j.id, 200 + k);
        cr_expect_eq(j.arrived, 1.0 + (double)k);
        want += now - j.arrived;
        /* interleave arrivals so head and tail wrap around the ring */
        if (k % 3 == 0)
            cr_assert_eq(station_arrive(&st, now, 1000 + k), STATION_QUEUED);
        now += 1.0;
    }
    /* the 13 late arrivals are still waiting, in arrival order */
    for (uint64_t k = 0; k < 37; k += 3) {
        station_job j;
        cr_assert_eq(station_depart(&st, now, &j), 1);
        cr_expect_eq(j.id, 1000 + k);
        want += now - j.arrived;
    }
    cr_expect_eq(station_depart(&st, now, NULL), 0);
    cr_expect_eq(station_busy(&st), 0);
    cr_expect_eq(st.started, 1 + 37 + 13);
    cr_expect_float_eq(st.wait_sum, want, 1e-9);
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
    cr_expect_eq(st.rejected, 1);
    station_job j;
    cr_expect_eq(station_take(&st, &j), 1);
    cr_expect_eq(j.id, 2);
    cr_expect_eq(station_waiting(&st), 1);
    cr_expect_eq(station_take(&st, &j), 1);
    cr_expect_eq(j.id, 3);
    cr_expect_eq(station_take(&st, &j), 0);
    station_free(&st);
}
