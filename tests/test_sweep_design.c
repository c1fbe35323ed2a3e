/* test_sweep_design.c — sweep designs (sim/sweep/design.h) and sweep files
 * (sim/sweep/sweepfile.h): point counts and layouts of every design, and the errors a
 * user sees for a bad sweep file. */
#include <criterion/criterion.h>
#include <glob.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "sweep/design.h"
#include "sweep/sweepfile.h"

static const param_def *P(const char *path)
{
    const param_def *p = params_find(path);
    cr_assert_not_null(p, "registry parameter %s", path);
    return p;
}

static design_factor *range_factor(design *d, const char *path, int range, double a, double b)
{
    design_factor *f = design_add_factor(d, P(path));
    cr_assert_not_null(f);
    f->range = range;
    f->a = a;
    f->b = b;
    return f;
}

Test(sweep_design, grid_is_the_cartesian_product_last_factor_fastest)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_GRID;
    design_factor *q = design_add_factor(&d, P("incumbent.quality"));
    cr_assert_eq(design_add_value(q, "0.5", &err), CRC_OK);
    cr_assert_eq(design_add_value(q, "0.6", &err), CRC_OK);
    cr_assert_eq(design_add_value(q, "0.7", &err), CRC_OK);
    design_factor *n = design_add_factor(&d, P("world.datanets"));
    cr_assert_eq(design_add_range_values(n, 2, 8, 4, 0, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(d.n_points, 12);
    double want_n[4] = {2, 4, 6, 8};
    for (size_t i = 0; i < 12; i++) {
        cr_assert_float_eq(design_value(&d, i, 0), 0.5 + 0.1 * (double)(i / 4), 1e-12);
        cr_assert_eq(design_value(&d, i, 1), want_n[i % 4]);
    }
    char buf[64];
    design_text(&d, 5, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "4");
    design_free(&d);
}

Test(sweep_design, grid_log_range_is_geometric_and_ends_exactly)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_GRID;
    design_factor *f = design_add_factor(&d, P("incumbent.price"));
    cr_assert_eq(design_add_range_values(f, 0.001, 0.1, 3, 1, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_OK);
    cr_assert_eq(d.n_points, 3);
    cr_assert_float_eq(design_value(&d, 0, 0), 0.001, 1e-15);
    cr_assert_float_eq(design_value(&d, 1, 0), 0.01, 1e-15);
    cr_assert_eq(design_value(&d, 2, 0), 0.1);
    design_free(&d);
}

Test(sweep_design, grid_value_out_of_range_is_refused)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_GRID;
    design_factor *f = design_add_factor(&d, P("incumbent.quality"));
    cr_assert_eq(design_add_value(f, "1.5", &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "incumbent.quality"), "%s", err.msg);
    design_free(&d);
}

Test(sweep_design, zip_takes_lists_together_and_refuses_unequal_lengths)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_ZIP;
    design_add_factor(&d, P("incumbent.quality"));
    design_add_factor(&d, P("incumbent.price"));
    design_factor *a = &d.factors[0], *b = &d.factors[1];
    design_add_value(a, "0.5", &err);
    design_add_value(a, "0.9", &err);
    design_add_value(b, "0.01", &err);
    design_add_value(b, "0.03", &err);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(d.n_points, 2);
    cr_assert_float_eq(design_value(&d, 1, 0), 0.9, 1e-15);
    cr_assert_float_eq(design_value(&d, 1, 1), 0.03, 1e-15);
    design_add_value(b, "0.05", &err);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "same length"), "%s", err.msg);
    design_free(&d);
}

Test(sweep_design, lhs_puts_one_point_in_every_stratum_of_every_dimension)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_LHS;
    d.samples = 50;
    range_factor(&d, "incumbent.quality", RANGE_UNIFORM, 0.2, 0.9);
    range_factor(&d, "incumbent.price", RANGE_LOGUNIFORM, 0.001, 1);
    range_factor(&d, "incumbent.improvement", RANGE_NORMAL, 0.01, 0.002);
    cr_assert_eq(design_generate(&d, 99, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(d.n_points, 50);
    for (size_t j = 0; j < 3; j++) {
        int seen[50] = {0};
        for (size_t i = 0; i < 50; i++) {
            double u = d.unit[i * 3 + j];
            cr_assert(u >= 0 && u < 1);
            seen[(size_t)(u * 50)]++;
        }
        for (size_t s = 0; s < 50; s++)
            cr_assert_eq(seen[s], 1, "dimension %zu stratum %zu holds %d points", j, s, seen[s]);
    }
    /* The mapping: uniform and log-uniform stay in their ranges, in the same order. */
    for (size_t i = 0; i < 50; i++) {
        double q = design_value(&d, i, 0), p = design_value(&d, i, 1);
        cr_assert(q >= 0.2 && q <= 0.9);
        cr_assert(p >= 0.001 && p <= 1);
        cr_assert_float_eq(log(p), log(0.001) + d.unit[i * 3 + 1] * (log(1) - log(0.001)), 1e-9);
    }
    design_free(&d);
}

Test(sweep_design, random_design_is_a_function_of_its_seed)
{
    design a = {0}, b = {0}, c = {0};
    crc_err err = {0};
    design *all[3] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
        all[i]->kind = DESIGN_RANDOM;
        all[i]->samples = 20;
        range_factor(all[i], "incumbent.quality", RANGE_UNIFORM, 0.1, 0.3);
    }
    cr_assert_eq(design_generate(&a, 5, &err), CRC_OK);
    cr_assert_eq(design_generate(&b, 5, &err), CRC_OK);
    cr_assert_eq(design_generate(&c, 6, &err), CRC_OK);
    cr_assert_eq(memcmp(a.value, b.value, 20 * sizeof(double)), 0);
    cr_assert_neq(memcmp(a.value, c.value, 20 * sizeof(double)), 0);
    for (size_t i = 0; i < 20; i++)
        cr_assert(a.value[i] >= 0.1 && a.value[i] <= 0.3);
    design_free(&a);
    design_free(&b);
    design_free(&c);
}

Test(sweep_design, sobol_saltelli_layout_has_ab_i_equal_a_with_column_i_from_b)
{
    const size_t N = 16, k = 3;
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_SOBOL;
    d.samples = N;
    range_factor(&d, "incumbent.quality", RANGE_UNIFORM, 0, 1);
    range_factor(&d, "incumbent.price", RANGE_UNIFORM, 0, 1);
    range_factor(&d, "incumbent.improvement", RANGE_UNIFORM, 0, 0.1);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(d.n_points, N * (k + 2));
    /* A and B are the first and last k coordinates of GSL's 2k-dimensional Sobol
     * sequence after its origin. */
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 2 * k);
    double v[6];
    gsl_qrng_get(q, v);
    for (size_t s = 0; s < N; s++) {
        gsl_qrng_get(q, v);
        const double *A = d.unit + s * (k + 2) * k, *B = A + (k + 1) * k;
        for (size_t j = 0; j < k; j++) {
            cr_assert_eq(A[j], v[j]);
            cr_assert_eq(B[j], v[k + j]);
        }
        for (size_t i = 1; i <= k; i++) {
            const double *AB = A + i * k;
            for (size_t j = 0; j < k; j++)
                cr_assert_eq(AB[j], j == i - 1 ? B[j] : A[j], "sample %zu AB_%zu column %zu", s,
                             i, j);
        }
    }
    gsl_qrng_free(q);
    design_free(&d);
}

Test(sweep_design, sobol_refuses_more_than_twenty_factors)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_SOBOL;
    d.samples = 4;
    /* The check on k comes before any per-factor registry detail matters, so one
     * parameter repeated under distinct factor slots is not needed: count only. */
    d.k = DESIGN_SOBOL_MAX_K + 1;
    d.factors = calloc(d.k, sizeof *d.factors);
    const param_def *num[DESIGN_SOBOL_MAX_K + 1];
    size_t n = 0;
    for (size_t i = 0; i < params_count && n < d.k; i++)
        if (params_table[i].type == PT_NUM)
            num[n++] = &params_table[i];
    if (n < d.k) {
        free(d.factors);
        cr_skip_test("the registry has fewer than %d numeric parameters yet",
                     DESIGN_SOBOL_MAX_K + 1);
    }
    for (size_t j = 0; j < d.k; j++) {
        d.factors[j].param = num[j];
        d.factors[j].a = num[j]->lo;
        d.factors[j].b = num[j]->lo;
    }
    cr_assert_eq(design_check(&d, &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "at most 20"), "%s", err.msg);
    design_free(&d);
}

Test(sweep_design, morris_steps_change_exactly_one_coordinate_by_delta)
{
    const size_t r = 6, k = 4, p = 4;
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_MORRIS;
    d.trajectories = r;
    d.levels = p;
    range_factor(&d, "incumbent.quality", RANGE_UNIFORM, 0, 1);
    range_factor(&d, "incumbent.price", RANGE_LOGUNIFORM, 0.001, 0.1);
    range_factor(&d, "incumbent.improvement", RANGE_UNIFORM, 0, 0.01);
    range_factor(&d, "world.horizon", RANGE_UNIFORM, 30, 90);
    cr_assert_eq(design_generate(&d, 3, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(d.n_points, r * (k + 1));
    double delta = (double)p / (2.0 * (double)(p - 1));
    cr_assert_float_eq(d.delta, delta, 1e-15);
    for (size_t t = 0; t < r; t++) {
        int moved[4] = {0};
        for (size_t s = 1; s <= k; s++) {
            const double *prev = d.unit + (t * (k + 1) + s - 1) * k, *cur = prev + k;
            size_t changed = 0, which = k;
            for (size_t j = 0; j < k; j++) {
                cr_assert(cur[j] >= 0 && cur[j] <= 1);
                double lv = cur[j] * (double)(p - 1);
                cr_assert_float_eq(lv, round(lv), 1e-12, "coordinate on a level");
                if (cur[j] != prev[j]) {
                    changed++;
                    which = j;
                    cr_assert_float_eq(fabs(cur[j] - prev[j]), delta, 1e-12);
                }
            }
            cr_assert_eq(changed, 1, "trajectory %zu step %zu changed %zu coordinates", t, s,
                         changed);
            cr_assert_eq(which, d.order[t * k + s - 1]);
            moved[which]++;
        }
        for (size_t j = 0; j < k; j++)
            cr_assert_eq(moved[j], 1, "each factor moves once per trajectory");
    }
    design_free(&d);
}

Test(sweep_design, morris_refuses_an_odd_number_of_levels)
{
    design d = {0};
    crc_err err = {0};
    d.kind = DESIGN_MORRIS;
    d.trajectories = 2;
    d.levels = 3;
    range_factor(&d, "incumbent.quality", RANGE_UNIFORM, 0, 1);
    cr_assert_eq(design_generate(&d, 1, &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "even"), "%s", err.msg);
    design_free(&d);
}

Test(sweep_file, grid_file_resolves_base_and_reads_every_key)
{
    sweep_spec s = {0};
    crc_err err = {0};
    cr_assert_eq(sweepfile_load(&s, "tests/fixtures/sweeps/grid-file.yaml", &err), CRC_OK,
                 "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    cr_assert_str_eq(s.name, "grid-file");
    cr_assert_str_eq(s.base, "tests/fixtures/sweeps/tiny.yaml");
    cr_assert_eq(s.replicates, 2);
    cr_assert(s.has_seed);
    cr_assert_eq(s.seed, 7);
    cr_assert_eq(s.n_set, 1);
    cr_assert_str_eq(s.set[0], "incumbent.improvement=0.001");
    cr_assert_eq(design_generate(&s.design, s.seed, &err), CRC_OK);
    cr_assert_eq(s.design.n_points, 9);
    sweepfile_free(&s);
}

static void expect_error(const char *file, int line, const char *needle)
{
    sweep_spec s = {0};
    crc_err err = {0};
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/sweeps/%s", file);
    cr_assert_eq(sweepfile_load(&s, path, &err), CRC_EINPUT, "%s should be refused", file);
    cr_assert_str_eq(err.file, path);
    cr_assert_eq(err.line, line, "%s: line %d, expected %d (%s)", file, err.line, line, err.msg);
    cr_assert(err.col > 0);
    cr_assert(strstr(err.msg, needle), "%s: '%s' lacks '%s'", file, err.msg, needle);
    sweepfile_free(&s);
}

Test(sweep_file, unknown_parameter_names_the_line_and_the_nearest_path)
{
    expect_error("bad-param.yaml", 5, "did you mean 'incumbent.quality'");
}

Test(sweep_file, range_outside_the_registry_is_refused)
{
    expect_error("bad-range.yaml", 6, "allowed values");
}

Test(sweep_file, zip_of_unequal_lists_is_refused)
{
    expect_error("bad-zip.yaml", 6, "same length");
}

Test(sweep_file, unknown_top_level_key_suggests_the_right_one)
{
    expect_error("bad-key.yaml", 2, "did you mean 'replicates'");
}

Test(sweep_file, command_line_grid_and_ranges)
{
    sweep_spec s = {0};
    crc_err err = {0};
    cr_assert_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "incumbent.quality=0.5,0.6", &err),
                 CRC_OK, "%s", err.msg);
    cr_assert_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "world.datanets=1:100:3:log", &err),
                 CRC_OK, "%s", err.msg);
    cr_assert_eq(sweepfile_cli_factor(&s, DESIGN_LHS, "incumbent.price=0:1", &err), CRC_EINPUT);
    cr_assert_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "incumbent.qualty=1", &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "did you mean 'incumbent.quality'"), "%s", err.msg);
    cr_assert_eq(design_generate(&s.design, 1, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(s.design.n_points, 6);
    cr_assert_eq(design_value(&s.design, 1, 1), 10);
    sweepfile_free(&s);
}

Test(sweep_file, every_shipped_sweep_parses_and_generates_its_design)
{
    glob_t g;
    cr_assert_eq(glob("scenarios/sweeps/*.yaml", 0, NULL, &g), 0, "no shipped sweeps found");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        sweep_spec s = {0};
        crc_err err = {0};
        cr_assert_eq(sweepfile_load(&s, g.gl_pathv[i], &err), CRC_OK, "%s:%d:%d: %s", err.file,
                     err.line, err.col, err.msg);
        cr_assert_eq(design_generate(&s.design, s.seed, &err), CRC_OK, "%s: %s", g.gl_pathv[i],
                     err.msg);
        cr_assert_gt(s.design.n_points, 0);
        cr_assert_eq(strncmp(s.base, "scenarios/sweeps/", 17), 0,
                     "%s: base resolved against the sweep file's directory (%s)",
                     g.gl_pathv[i], s.base);
        sweepfile_free(&s);
    }
    globfree(&g);
}
