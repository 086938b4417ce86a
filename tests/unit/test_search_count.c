/* test_search_count.c — the total of a search (lib/search_count.c) and the
 * hash sample levels it estimates with (lib/sample.c): exact up to the
 * count bound ("exact_count"), an estimate past it, and the same total on
 * every page, whatever the sort; the sample levels' sizes and nesting.
 * Through the public API against a real index of generated documents in a
 * temporary directory (removed at the end).
 *
 * The documents: n = 0..N_DOCS-1, English, body "alpha" when n % 3 != 0,
 * "beta" when n % 2 == 0, "zcone" when n % 10 == 0, so "alpha beta" (both
 * required) matches the n % 6 in {2, 4}: exactly N_AB documents, a count
 * Xapian cannot know without counting (an AND of two terms). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/index_internal.h"
#include "lib/sample.h"
#include "lib/zhengce.h"

#include "fixture.h"

#define N_DOCS 3000
#define N_AB 1000 /* documents with n % 6 == 2 or 4 */
#define N_ONE 300 /* documents with n % 10 == 0 */

typedef fx_index fixture;

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char **docs = calloc(N_DOCS, sizeof *docs);
    if (f == NULL || docs == NULL)
        return -1;
    for (int n = 0; n < N_DOCS; n++)
        if (asprintf(&docs[n],
                     "{\"id\":\"c%04d\",\"lang\":\"en\",\"title\":\"Notice %d\","
                     "\"body\":\"A notice %s %s %s about nothing else.\",\"date\":\"%d\"}",
                     n, n, n % 3 ? "alpha" : "", n % 2 ? "" : "beta", n % 10 ? "" : "zcone",
                     1990 + n % 30) < 0)
            return -1;
    int rc = fx_tmpdir(f->dir, sizeof f->dir, "count") != 0 ||
             fx_build_index(f->dir, NULL, (const char *const *)docs, N_DOCS, &f->idx) != 0;
    for (int n = 0; n < N_DOCS; n++)
        free(docs[n]);
    free(docs);
    if (rc)
        return -1;
    *state = f;
    return 0;
}

/* The total and exactness of a SEARCH argument; fails the test on error. */
static uint64_t total_of(void **state, const char *arg, int *exact)
{
    fixture *f = *state;
    zc_search_request *req = NULL;
    zc_error err;
    if (zc_search_request_parse(arg, strlen(arg), &req, &err) != ZC_OK)
        fail_msg("parse %s: %s", arg, err.message);
    zc_search_opts *o = zc_search_request_opts(req);
    o->snippet = 0;
    zc_results *r = NULL;
    zc_status st = zc_search(f->idx, o, &r, &err);
    zc_search_request_free(req);
    if (st != ZC_OK)
        fail_msg("search %s: %s %s", arg, zc_status_name(st), err.message);
    uint64_t t = zc_results_total(r, exact);
    zc_results_free(r);
    return t;
}

static uint64_t totalf(void **state, int *exact, const char *fmt, ...)
{
    char arg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof arg, fmt, ap);
    va_end(ap);
    return total_of(state, arg, exact);
}

/* Within the default bound every count is exact, on every page: the one
 * the issue saw move from 20 to 90 to 324 as the reader paged. */
static void test_exact_within_bound(void **state)
{
    static const unsigned offsets[] = {0, 10, 40, 150, 990, 999, 1000, 5000};
    for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
        int exact = 0;
        uint64_t t = totalf(state, &exact, "{\"q\":\"alpha beta\",\"offset\":%u}", offsets[i]);
        if (!exact || t != N_AB)
            fail_msg("offset %u: total %llu exact %d, want %d exact", offsets[i],
                     (unsigned long long)t, exact, N_AB);
    }
    int exact = 0;
    assert_int_equal(totalf(state, &exact, "{\"q\":\"alpha beta\",\"sort\":\"date\"}"), N_AB);
    assert_true(exact);
    assert_int_equal(totalf(state, &exact, "{\"q\":\"alpha beta\",\"limit\":0}"), N_AB);
    assert_true(exact);
}

/* A bound equal to the count still counts it exactly (Xapian calls a count
 * exact only below what it was asked to check); one less estimates. */
static void test_bound_edge(void **state)
{
    int exact = 0;
    assert_int_equal(totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":%d}", N_AB),
                     N_AB);
    assert_true(exact);
    uint64_t t = totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":%d}", N_AB - 1);
    assert_false(exact);
    /* The sample holds about 200 matches: within 25% (the figure is
     * deterministic: it depends on the ids alone). */
    if (t < N_AB * 3 / 4 || t > N_AB * 5 / 4)
        fail_msg("estimate %llu for %d matches", (unsigned long long)t, N_AB);
    assert_true(t > N_AB - 1); /* past the bound, never below it */
}

/* Past the bound the total is one estimate, whatever the page (within the
 * bound, past it, past the end), the sort or the page size. */
static void test_estimate_same_on_every_page(void **state)
{
    static const char *const shapes[] = {
        "\"offset\":0",      "\"offset\":10",
        "\"offset\":40",     "\"offset\":150",
        "\"offset\":990",    "\"offset\":5000",
        "\"limit\":100",     "\"limit\":0",
        "\"sort\":\"date\"", "\"sort\":\"date_asc\",\"offset\":500",
        "\"snippet\":true",
    };
    int exact0 = 1;
    uint64_t t0 = totalf(state, &exact0, "{\"q\":\"alpha beta\",\"exact_count\":100}");
    assert_false(exact0);
    assert_true(t0 > 100 && t0 <= 3000);
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        int exact = 1;
        uint64_t t =
            totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":100,%s}", shapes[i]);
        if (exact || t != t0)
            fail_msg("%s: total %llu exact %d, page 1 said %llu estimated", shapes[i],
                     (unsigned long long)t, exact, (unsigned long long)t0);
    }
}

/* What Xapian knows without counting is exact past the bound too: one
 * term's document frequency. */
static void test_single_term_past_bound(void **state)
{
    int exact = 0;
    assert_int_equal(totalf(state, &exact, "{\"q\":\"zcone\",\"exact_count\":10}"), N_ONE);
    assert_true(exact);
    assert_int_equal(totalf(state, &exact, "{\"q\":\"zcone\",\"exact_count\":10,\"offset\":200}"),
                     N_ONE);
    assert_true(exact);
}

/* Facets see every match, so their total is exact at any bound; true counts
 * every match; 0 is Xapian's figure for the page alone (an AND of two terms
 * checked for a 10-hit page cannot be exact). */
static void test_facets_all_and_zero(void **state)
{
    int exact = 0;
    assert_int_equal(
        totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":5,\"facets\":[\"year\"]}"),
        N_AB);
    assert_true(exact);
    assert_int_equal(totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":true}"), N_AB);
    assert_true(exact);
    exact = 1;
    totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":0,\"limit\":10}");
    assert_false(exact);
    exact = 1;
    totalf(state, &exact, "{\"q\":\"alpha beta\",\"exact_count\":false}");
    assert_false(exact);
}

/* The C API: -1 is the default (ZC_SEARCH_EXACT_COUNT_DEFAULT); anything
 * below -1 or above ZC_SEARCH_EXACT_COUNT_ALL is refused naming the
 * option. */
static void test_api_values(void **state)
{
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    assert_int_equal(o.exact_count, -1);
    o.q = "alpha beta";
    o.q_len = strlen(o.q);
    o.snippet = 0;
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_OK);
    int exact = 0;
    assert_int_equal(zc_results_total(r, &exact), N_AB);
    assert_true(exact);
    zc_results_free(r);
    static const int64_t bad[] = {-2, ZC_SEARCH_EXACT_COUNT_ALL + 1, INT64_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.exact_count = bad[i];
        assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
        assert_null(r);
        assert_string_equal(err.field, "exact_count");
    }
}

/* ---- the sample levels ---------------------------------------------------- */

/* The hash is part of the index format: these values must never change
 * (an index would then count a different sample than it holds). */
static void test_sample_hash_pinned(void **state)
{
    (void)state;
    assert_int_equal(zc_sample_hash("Qc0000", 6), 2283737352u);
    assert_int_equal(zc_sample_hash("Qgov-1", 6), 284618450u);
    assert_int_equal(zc_sample_hash("", 0), 2847271067u);
    char t[ZC_SAMPLE_TERM_MAX];
    assert_int_equal(zc_sample_term(3, t), 6);
    assert_string_equal(t, "XSAMP3");
    assert_int_equal(zc_sample_term(ZC_SAMPLE_LEVELS, t), 7);
    assert_string_equal(t, "XSAMP24");
}

/* Over many ids each level holds about 1 / 2^L of them (within five
 * standard deviations), ids differing only in their last character
 * included. */
static void test_sample_levels_sizes(void **state)
{
    (void)state;
    enum { N = 1 << 16 };
    unsigned count[ZC_SAMPLE_LEVELS + 1] = {0};
    for (unsigned i = 0; i < N; i++) {
        char id[32];
        int n = snprintf(id, sizeof id, "Qgen-42-%u", i);
        uint32_t h = zc_sample_hash(id, (size_t)n);
        for (unsigned l = 1; l <= ZC_SAMPLE_LEVELS && (h & ((1u << l) - 1)) == 0; l++)
            count[l]++;
    }
    for (unsigned l = 1; l <= 8; l++) {
        double want = (double)N / (1u << l);
        double sd = sqrt(want * (1 - 1.0 / (1u << l)));
        if (count[l] < want - 5 * sd || count[l] > want + 5 * sd)
            fail_msg("level %u holds %u of %u ids, want about %.0f", l, count[l], N, want);
    }
}

/* In the index: each document carries the terms of its levels, each level
 * holds the next, and level 1 about half the documents. */
static void test_sample_terms_in_index(void **state)
{
    fixture *f = *state;
    uint64_t prev = N_DOCS;
    for (unsigned l = 1; l <= 6; l++) {
        char t[ZC_SAMPLE_TERM_MAX];
        size_t n = zc_sample_term(l, t);
        uint64_t freq = 0;
        assert_int_equal(zc_xap_db_term_freq(f->idx->db, t, n, &freq, NULL), ZC_OK);
        assert_true(freq <= prev);
        if (l == 1 && (freq < N_DOCS / 2 - 150 || freq > N_DOCS / 2 + 150))
            fail_msg("level 1 holds %llu of %d documents", (unsigned long long)freq, N_DOCS);
        prev = freq;
    }
    assert_true(prev > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_within_bound),
        cmocka_unit_test(test_bound_edge),
        cmocka_unit_test(test_estimate_same_on_every_page),
        cmocka_unit_test(test_single_term_past_bound),
        cmocka_unit_test(test_facets_all_and_zero),
        cmocka_unit_test(test_api_values),
        cmocka_unit_test(test_sample_hash_pinned),
        cmocka_unit_test(test_sample_levels_sizes),
        cmocka_unit_test(test_sample_terms_in_index),
    };
    zc_error err;
    if (zc_global_init(&err) != ZC_OK) {
        fprintf(stderr, "zc_global_init: %s\n", err.message);
        return 1;
    }
    return cmocka_run_group_tests(tests, group_setup, fx_index_teardown);
}
