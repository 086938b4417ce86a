/* test_stats.c — unit tests of searchd/stats.c, the latency histogram behind
 * STATS' latency_ms: percentiles within the bucket resolution (about 6 %)
 * over the whole range, the empty and single-value cases, clamping. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "searchd/stats.h"

static void assert_near(double got, double want, double rel)
{
    if (fabs(got - want) > rel * want)
        fail_msg("got %g, want %g (+-%g%%)", got, want, rel * 100);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    static zc_hist h;
    memset(&h, 0, sizeof h);
    assert_true(zc_hist_percentile(&h, 50) == 0);
    zc_hist_record(&h, 2.5);
    assert_near(zc_hist_percentile(&h, 50), 2.5, 0.07);
    assert_near(zc_hist_percentile(&h, 99.9), 2.5, 0.07);
    assert_near(zc_hist_percentile(&h, 100), 2.5, 0.07);
}

static void test_uniform_ranges(void **state)
{
    (void)state;
    /* 1..10000 steps of one unit, at three scales: microseconds, ms, s */
    const double scales[] = {0.001, 1.0, 1000.0};
    for (size_t k = 0; k < 3; k++) {
        static zc_hist h;
        memset(&h, 0, sizeof h);
        for (int i = 1; i <= 10000; i++)
            zc_hist_record(&h, i * scales[k]);
        assert_int_equal(h.count, 10000);
        assert_near(zc_hist_percentile(&h, 50), 5000 * scales[k], 0.07);
        assert_near(zc_hist_percentile(&h, 99), 9900 * scales[k], 0.07);
        assert_near(zc_hist_percentile(&h, 99.9), 9990 * scales[k], 0.07);
        assert_true(zc_hist_percentile(&h, 50) <= zc_hist_percentile(&h, 99));
    }
}

static void test_skewed(void **state)
{
    (void)state;
    static zc_hist h;
    memset(&h, 0, sizeof h);
    for (int i = 0; i < 990; i++)
        zc_hist_record(&h, 0.2);
    for (int i = 0; i < 10; i++)
        zc_hist_record(&h, 400);
    assert_near(zc_hist_percentile(&h, 50), 0.2, 0.07);
    assert_near(zc_hist_percentile(&h, 99), 0.2, 0.07);
    assert_near(zc_hist_percentile(&h, 99.5), 400, 0.07);
}

static void test_clamping(void **state)
{
    (void)state;
    static zc_hist h;
    memset(&h, 0, sizeof h);
    zc_hist_record(&h, -5);
    zc_hist_record(&h, NAN);
    zc_hist_record(&h, 1e300);
    assert_int_equal(h.count, 3);
    assert_true(zc_hist_percentile(&h, 50) < 0.01);
    assert_true(zc_hist_percentile(&h, 100) > 1e6);   /* the top bucket, finite */
    assert_true(isfinite(zc_hist_percentile(&h, 100)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_uniform_ranges),
        cmocka_unit_test(test_skewed),
        cmocka_unit_test(test_clamping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
