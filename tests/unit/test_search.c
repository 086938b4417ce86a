/* test_search.c — zc_search and its options, results and JSON reply
 * (lib/search*.c), through the public API against a real index built with
 * zc_index_add_json in a temporary directory.
 *
 * Owns nothing but its temporary directory, removed at the end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/zhengce.h"

#include "fixture.h"

/* ---- the corpus --------------------------------------------------------
 * Every document holds the word "zcall", so the query "zcall" matches all
 * of them.  Dates: full, year-month, year-only and none. */
static const char *const DOCS[] = {
    "{\"id\":\"zh-1\",\"lang\":\"zh\",\"title\":\"关于实施东北地区等老工业基地振兴战略的若干意见\","
    "\"body\":\"振兴东北地区等老工业基地是党中央作出的重大战略决策。\\n要加快体制创新。zcall\","
    "\"date\":\"2003-10-05\",\"issuer\":\"中共中央 国务院\",\"docno\":\"中发〔2003〕11号\"}",

    "{\"id\":\"zh-2\",\"lang\":\"zh\",\"title\":\"国务院关于深入推进实施新一轮东北振兴战略的意见\","
    "\"body\":\"推动东北地区经济企稳向好。zcall\",\"date\":\"2016-11\",\"issuer\":\"国务院\","
    "\"docno\":\"国发〔2016〕62号\"}",

    "{\"id\":\"zh-3\",\"lang\":\"zh\",\"title\":\"产业转型升级方案\","
    "\"body\":\"支持老工业城市建设现代产业基地。zcall\",\"date\":\"2010\","
    "\"issuer\":\"国家发展改革委\"}",

    "{\"id\":\"zh-4\",\"lang\":\"zh\",\"title\":\"乡村振兴的通知\","
    "\"body\":\"关于乡村振兴 & <重要> \\\"通知\\\" 的说明。zcall\",\"issuer\":\"国务院办公厅\"}",

    "{\"id\":\"en-1\",\"lang\":\"en\",\"title\":\"Revitalizing the Northeast Industrial Base\","
    "\"body\":\"The State Council decided to revitalize old industrial bases. zcall\","
    "\"date\":\"2003-10-05\",\"issuer\":\"State Council\",\"pair\":\"zh-1\"}",

    "{\"id\":\"en-2\",\"lang\":\"en\",\"title\":\"Order on trade\","
    "\"body\":\"Tariffs & quotas <limits> \\\"fair\\\" trade. zcall\",\"date\":\"2016-11-30\","
    "\"issuer\":\"State Council\"}",

    "{\"id\":\"en-3\",\"lang\":\"en\",\"title\":\"Undated notice\","
    "\"body\":\"A notice about industrial policy. zcall\",\"issuer\":\"\"}",
};
#define N_DOCS (sizeof DOCS / sizeof DOCS[0])

typedef fx_index fixture;

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (fx_tmpdir(f->dir, sizeof f->dir, "search") != 0 ||
        fx_build_index(f->dir, NULL, DOCS, N_DOCS, &f->idx) != 0)
        return -1;
    *state = f;
    return 0;
}

/* Runs a SEARCH argument; fails the test on error. */
static zc_results *run(void **state, const char *arg)
{
    fixture *f = *state;
    zc_search_request *req = NULL;
    zc_error err;
    zc_status st = zc_search_request_parse(arg, strlen(arg), &req, &err);
    if (st != ZC_OK)
        fail_msg("parse %s: %s", arg, err.message);
    zc_results *r = NULL;
    st = zc_search(f->idx, zc_search_request_opts(req), &r, &err);
    zc_search_request_free(req);
    if (st != ZC_OK)
        fail_msg("search %s: %s %s", arg, zc_status_name(st), err.message);
    return r;
}

/* The hit ids, in order, joined with ','. */
static void ids(const zc_results *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < zc_results_count(r); i++) {
        const zc_hit *h = zc_results_hit(r, i);
        if (i)
            strncat(buf, ",", cap - strlen(buf) - 1);
        strncat(buf, h->id, cap - strlen(buf) - 1);
    }
}

static void expect_ids(void **state, const char *arg, const char *want)
{
    zc_results *r = run(state, arg);
    char got[512];
    ids(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", arg, got, want);
    zc_results_free(r);
}

/* Same ids, any order (sorted comparison of the sets). */
static void expect_set(void **state, const char *arg, const char *want_sorted)
{
    zc_results *r = run(state, arg);
    char got[512];
    fx_sorted_ids(r, got, sizeof got);
    if (strcmp(got, want_sorted) != 0)
        fail_msg("%s: got {%s}, want {%s}", arg, got, want_sorted);
    zc_results_free(r);
}

/* ---- searching ---------------------------------------------------------- */

static void test_search_all_and_total(void **state)
{
    zc_results *r = run(state, "{\"q\":\"zcall\",\"limit\":100}");
    int exact = 0;
    assert_int_equal(zc_results_total(r, &exact), N_DOCS);
    assert_true(exact);
    assert_int_equal(zc_results_count(r), N_DOCS);
    assert_true(zc_results_took_ms(r) >= 0.0);
    assert_null(zc_results_hit(r, N_DOCS));
    zc_results_free(r);
    zc_results_free(NULL);
}

static void test_search_hit_fields(void **state)
{
    zc_results *r = run(state, "{\"q\":\"revitalize\",\"lang\":\"en\"}");
    assert_int_equal(zc_results_count(r), 1);
    const zc_hit *h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "en-1");
    assert_string_equal(h->lang, "en");
    assert_string_equal(h->title, "Revitalizing the Northeast Industrial Base");
    assert_string_equal(h->date, "2003-10-05");
    assert_string_equal(h->issuer, "State Council");
    assert_null(h->docno);
    assert_string_equal(h->pair, "zh-1");
    assert_true(h->score > 0);
    assert_non_null(h->snippet);
    zc_results_free(r);

    /* Undated, empty issuer: neither is in the hit. */
    r = run(state, "{\"q\":\"undated\"}");
    assert_int_equal(zc_results_count(r), 1);
    h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "en-3");
    assert_null(h->date);
    assert_null(h->issuer);
    assert_null(h->pair);
    zc_results_free(r);

    r = run(state, "{\"q\":\"新一轮\"}");
    assert_int_equal(zc_results_count(r), 1);
    h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "zh-2");
    assert_string_equal(h->date, "2016-11");
    assert_string_equal(h->docno, "国发〔2016〕62号");
    zc_results_free(r);
}

static void test_option_lang(void **state)
{
    expect_set(state, "{\"q\":\"zcall\",\"lang\":\"zh\"}", "zh-1,zh-2,zh-3,zh-4");
    expect_set(state, "{\"q\":\"zcall\",\"lang\":\"en\"}", "en-1,en-2,en-3");
    /* Any case: the index holds the lower-case code. */
    expect_set(state, "{\"q\":\"zcall\",\"lang\":\"ZH\"}", "zh-1,zh-2,zh-3,zh-4");
    expect_set(state, "{\"q\":\"zcall\",\"lang\":\"En\"}", "en-1,en-2,en-3");
    /* Through the C API, without the parser. */
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = "zcall";
    o.q_len = 5;
    o.lang = "EN";
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_OK);
    assert_int_equal(zc_results_count(r), 3);
    zc_results_free(r);
}

static void test_option_issuer(void **state)
{
    /* Exact match: not 国务院办公厅 nor 中共中央 国务院. */
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"国务院\"}", "zh-2");
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"中共中央 国务院\"}", "zh-1");
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":[\"国务院\",\"State Council\"]}",
               "en-1,en-2,zh-2");
    /* The same normalization as indexing: case and width. */
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"ｓｔａｔｅ  COUNCIL\"}", "en-1,en-2");
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"nobody\"}", "");
    /* An empty issuer is absent: filtering on "" finds nothing. */
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"\"}", "");
    /* Combined with lang. */
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":[\"国务院\",\"State Council\"],\"lang\":\"en\"}",
               "en-1,en-2");
    /* What the option does not do, the issuer: query field does: every
     * issuer that contains the words (protocol.md points users there). */
    expect_set(state, "{\"q\":\"zcall issuer:国务院\"}", "zh-1,zh-2,zh-4");
}

static void test_option_dates(void **state)
{
    /* Year, year-month, full date, each as from and as to. */
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2003\",\"to\":\"2003\"}", "en-1,zh-1");
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2016-11\",\"to\":\"2016-11\"}", "en-2,zh-2");
    /* zh-2's 2016-11 counts as 2016-11-01. */
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2016-11-30\",\"to\":\"2016-11-30\"}", "en-2");
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2016-11-01\",\"to\":\"2016-11-01\"}", "zh-2");
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2016-11-02\"}", "en-2");
    /* zh-3's 2010 counts as 2010-01-01. */
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2010-01-01\",\"to\":\"2010-01-01\"}", "zh-3");
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"2010-01-02\",\"to\":\"2010-12-31\"}", "");
    expect_set(state, "{\"q\":\"zcall\",\"to\":\"2010\"}", "en-1,zh-1,zh-3");
    expect_set(state, "{\"q\":\"zcall\",\"to\":\"2003-10-04\"}", "");
    expect_set(state, "{\"q\":\"zcall\",\"to\":\"2003-10\"}", "en-1,zh-1");
    /* Undated documents never match a range, open-ended or not. */
    expect_set(state, "{\"q\":\"zcall\",\"from\":\"0001\"}", "en-1,en-2,zh-1,zh-2,zh-3");
    expect_set(state, "{\"q\":\"zcall\",\"to\":\"9999\"}", "en-1,en-2,zh-1,zh-2,zh-3");
    /* from after to is a mistake in the request, not an empty range. */
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = "zcall";
    o.q_len = 5;
    o.from = "2017";
    o.to = "2003";
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_null(r);
    assert_string_equal(err.field, "from");
    assert_non_null(strstr(err.message, "\"to\""));
}

static void test_option_sort(void **state)
{
    zc_results *r = run(state, "{\"q\":\"zcall\",\"sort\":\"date\",\"limit\":100}");
    char got[512];
    ids(r, got, sizeof got);
    /* 2016-11-30, 2016-11(-01), 2010, 2003-10-05 x2, then the undated two. */
    assert_int_equal(zc_results_count(r), N_DOCS);
    assert_string_equal(zc_results_hit(r, 0)->id, "en-2");
    assert_string_equal(zc_results_hit(r, 1)->id, "zh-2");
    assert_string_equal(zc_results_hit(r, 2)->id, "zh-3");
    assert_null(zc_results_hit(r, 5)->date);
    assert_null(zc_results_hit(r, 6)->date);
    assert_non_null(zc_results_hit(r, 4)->date);
    zc_results_free(r);

    r = run(state, "{\"q\":\"zcall\",\"sort\":\"date_asc\",\"limit\":100}");
    assert_int_equal(zc_results_count(r), N_DOCS);
    assert_string_equal(zc_results_hit(r, 0)->date, "2003-10-05");
    assert_string_equal(zc_results_hit(r, 1)->date, "2003-10-05");
    assert_string_equal(zc_results_hit(r, 2)->id, "zh-3");
    assert_string_equal(zc_results_hit(r, 3)->id, "zh-2");
    assert_string_equal(zc_results_hit(r, 4)->id, "en-2");
    assert_null(zc_results_hit(r, 5)->date);
    assert_null(zc_results_hit(r, 6)->date);
    zc_results_free(r);
}

static void test_option_offset_limit(void **state)
{
    expect_ids(state, "{\"q\":\"zcall\",\"sort\":\"date_asc\",\"offset\":2,\"limit\":3}",
               "zh-3,zh-2,en-2");
    expect_ids(state, "{\"q\":\"zcall\",\"offset\":100}", "");

    zc_results *r = run(state, "{\"q\":\"zcall\",\"limit\":0}");
    assert_int_equal(zc_results_count(r), 0);
    assert_true(zc_results_total(r, NULL) > 0);
    zc_results_free(r);

    r = run(state, "{\"q\":\"zcall\",\"limit\":2}");
    assert_int_equal(zc_results_count(r), 2);
    zc_results_free(r);
}

static void test_option_facets(void **state)
{
    zc_results *r = run(state, "{\"q\":\"zcall\",\"limit\":1,"
                               "\"facets\":[\"lang\",\"year\",\"issuer\"]}");
    int exact = 0;
    assert_int_equal(zc_results_total(r, &exact), N_DOCS);
    assert_true(exact);
    size_t n = 0;
    const zc_facet_value *fv = zc_results_facet(r, ZC_FACET_LANG, &n);
    assert_int_equal(n, 2);
    assert_string_equal(fv[0].value, "zh");
    assert_int_equal(fv[0].count, 4);
    assert_string_equal(fv[1].value, "en");
    assert_int_equal(fv[1].count, 3);

    fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(n, 3);
    /* 2003 and 2016 twice each (most frequent first), then 2010. */
    assert_int_equal(fv[0].count, 2);
    assert_int_equal(fv[1].count, 2);
    assert_string_equal(fv[2].value, "2010");
    assert_int_equal(fv[2].count, 1);
    assert_true(strcmp(fv[0].value, "2003") == 0 || strcmp(fv[0].value, "2016") == 0);

    fv = zc_results_facet(r, ZC_FACET_ISSUER, &n);
    /* State Council x2, then four issuers once; en-3's empty issuer is none. */
    assert_int_equal(n, 5);
    assert_string_equal(fv[0].value, "State Council");
    assert_int_equal(fv[0].count, 2);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(fv[i].count, 1);
    zc_results_free(r);

    /* facet_limit */
    r = run(state, "{\"q\":\"zcall\",\"facets\":[\"issuer\"],\"facet_limit\":1}");
    fv = zc_results_facet(r, ZC_FACET_ISSUER, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fv[0].value, "State Council");
    /* not asked: none */
    fv = zc_results_facet(r, ZC_FACET_LANG, &n);
    assert_int_equal(n, 0);
    zc_results_free(r);

    /* Counts follow the match set, filters included. */
    r = run(state, "{\"q\":\"zcall\",\"lang\":\"en\",\"facets\":[\"lang\",\"year\"]}");
    fv = zc_results_facet(r, ZC_FACET_LANG, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fv[0].value, "en");
    assert_int_equal(fv[0].count, 3);
    fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(n, 2);
    zc_results_free(r);
}

static void test_option_snippet(void **state)
{
    zc_results *r = run(state, "{\"q\":\"通知\",\"lang\":\"zh\"}");
    assert_int_equal(zc_results_count(r), 1);
    const char *s = zc_results_hit(r, 0)->snippet;
    assert_non_null(s);
    assert_non_null(strstr(s, "<b>通知</b>"));
    assert_non_null(strstr(s, "&amp;"));
    assert_non_null(strstr(s, "&lt;重要&gt;"));
    assert_non_null(strstr(s, "&quot;<b>通知</b>&quot;"));
    assert_null(strchr(s, '\n'));
    zc_results_free(r);

    r = run(state, "{\"q\":\"tariffs\"}");
    s = zc_results_hit(r, 0)->snippet;
    assert_string_equal(s, "<b>Tariffs</b> &amp; quotas &lt;limits&gt; &quot;fair&quot; trade. zcall");
    zc_results_free(r);

    r = run(state, "{\"q\":\"通知\",\"snippet\":false}");
    assert_true(zc_results_count(r) >= 1);
    assert_null(zc_results_hit(r, 0)->snippet);
    zc_results_free(r);

    /* A Chinese word is one <b> span (its bigrams merged); the newline of
     * the body is a space. */
    r = run(state, "{\"q\":\"老工业基地\",\"lang\":\"zh\"}");
    assert_int_equal(zc_results_count(r), 1);
    s = zc_results_hit(r, 0)->snippet;
    assert_non_null(strstr(s, "<b>老工业基地</b>"));
    assert_null(strchr(s, '\n'));
    assert_non_null(strstr(s, "决策。 要加快"));
    zc_results_free(r);
}

/* The rescoring window (search.c): the best 100 hits of the query without
 * its proximity boosts are reweighted by the whole query, the rest keep
 * the first order.  130 documents hold 东北 and 振兴 apart; 3 hold 东北振兴
 * twice: they come first.  Pages of 7 walk one ranking across the window's
 * edge (hits 98-104): every document once, none lost or repeated where the
 * rescored top hands over to the first order. */
static void test_rescore_window(void **state)
{
    (void)state;
    enum { APART = 130, N = APART + 3 };
    char dir[64];
    assert_int_equal(fx_tmpdir(dir, sizeof dir, "rescore"), 0);
    char *docs[N + 40];
    size_t nd = 0;
    for (int i = 0; i < N; i++) {
        char body[1024] = "";
        size_t n = 0;
        if (i < APART) {
            for (int k = 0; k < i % 8 + 1; k++)
                n += (size_t)snprintf(body + n, sizeof body - n, "东北的发展和振兴。");
        } else {
            n += (size_t)snprintf(body, sizeof body, "东北振兴。东北振兴。");
        }
        assert_true(asprintf(&docs[nd++], "{\"id\":\"r%03d\",\"lang\":\"zh\","
                                          "\"title\":\"文件\",\"body\":\"%s\"}", i, body) > 0);
    }
    for (int i = 0; i < 40; i++) /* so that the two words are not everywhere */
        assert_true(asprintf(&docs[nd++], "{\"id\":\"x%02d\",\"lang\":\"zh\","
                                          "\"title\":\"通知\",\"body\":\"其他内容。\"}", i) > 0);
    zc_index *idx = NULL;
    assert_int_equal(fx_build_index(dir, NULL, (const char *const *)docs, nd, &idx), 0);
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = "东北 振兴";
    o.q_len = strlen(o.q);
    o.snippet = 0;
    zc_results *r = NULL;
    zc_error err;
    o.limit = 3;
    assert_int_equal(zc_search(idx, &o, &r, &err), ZC_OK);
    for (size_t i = 0; i < 3; i++) {
        int k = atoi(zc_results_hit(r, i)->id + 1);
        if (k < APART)
            fail_msg("hit %zu is %s, want one of the three holding 东北振兴", i,
                     zc_results_hit(r, i)->id);
    }
    zc_results_free(r);
    int seen[N] = {0};
    for (uint32_t off = 0; off < N + 7; off += 7) {
        o.offset = off;
        o.limit = 7;
        assert_int_equal(zc_search(idx, &o, &r, &err), ZC_OK);
        for (size_t i = 0; i < zc_results_count(r); i++) {
            int k = atoi(zc_results_hit(r, i)->id + 1);
            assert_true(k >= 0 && k < N);
            seen[k]++;
        }
        zc_results_free(r);
    }
    for (int k = 0; k < N; k++)
        if (seen[k] != 1)
            fail_msg("r%03d seen %d times over the pages", k, seen[k]);
    zc_index_close(idx);
    fx_rmtree(dir);
    for (size_t i = 0; i < nd; i++)
        free(docs[i]);
}

static void test_query_errors(void **state)
{
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    zc_results *r = NULL;
    zc_error err;
    static const char *const bad[] = {"-zcall", "NOT zcall", "!!!", "lang:zh", "   "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.q = bad[i];
        o.q_len = strlen(bad[i]);
        assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
        assert_null(r);
        assert_string_equal(err.field, "q");
    }
    /* Over the byte limit. */
    size_t n = 64 * 1024 + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    o.q = big;
    o.q_len = n;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_ETOOLONG);
    free(big);

    /* Options checked in zc_search too, for C callers. */
    o.q = "zcall";
    o.q_len = 5;
    o.limit = 1001;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_string_equal(err.field, "limit");
    o.limit = 10;
    o.lang = "de";
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_string_equal(err.field, "lang");
    o.lang = NULL;
    o.from = "2001-02-29";
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_string_equal(err.field, "from");
    o.from = NULL;
    /* A time limit no search can keep: ZC_ETIMEOUT, saying so. */
    o.time_limit_s = 1e-9;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_ETIMEOUT);
    assert_null(r);
    assert_non_null(strstr(err.message, "time limit"));
    assert_int_equal(err.code, ZC_ETIMEOUT);
    /* A generous time limit is not hit. */
    o.time_limit_s = 30;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_OK);
    assert_int_equal(zc_results_count(r), N_DOCS > 10 ? 10 : N_DOCS);
    zc_results_free(r);
}

/* ---- the reply ---------------------------------------------------------- */

static json_t *reply(void **state, const char *arg, char **raw)
{
    zc_results *r = run(state, arg);
    char *s = NULL;
    size_t len = 0;
    zc_error err;
    assert_int_equal(zc_results_to_json(r, &s, &len, &err), ZC_OK);
    zc_results_free(r);
    assert_int_equal(strlen(s), len);
    assert_null(memchr(s, '\n', len));
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    if (j == NULL)
        fail_msg("reply is not JSON: %s: %s", je.text, s);
    if (raw)
        *raw = s;
    else
        zc_free(s);
    return j;
}

/* zc_results_to_json writes the reply itself (lib/search_reply.c): byte
 * for byte what jansson dumps of the same document. */
static void test_reply_is_janssons(void **state)
{
    static const char *const args[] = {
        "{\"q\":\"zcall\",\"sort\":\"date\",\"limit\":100}",
        "{\"q\":\"zcall\",\"facets\":[\"year\",\"lang\",\"issuer\"]}",
        "振兴东北",
        "Northeast Industrail Base",
        "{\"q\":\"zcall\",\"snippet\":false}",
        "qqqqqqqq",
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        zc_results *r = run(state, args[i]);
        char *s = NULL;
        size_t len = 0;
        zc_error err;
        assert_int_equal(zc_results_to_json(r, &s, &len, &err), ZC_OK);
        zc_results_free(r);
        json_error_t je;
        json_t *j = json_loads(s, 0, &je);
        if (j == NULL)
            fail_msg("%s: not JSON: %s: %s", args[i], je.text, s);
        char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        assert_non_null(d);
        if (strcmp(d, s) != 0)
            fail_msg("%s:\n ours    %s\n jansson %s", args[i], s, d);
        free(d);
        json_decref(j);
        zc_free(s);
    }
}

static void test_reply_shape(void **state)
{
    char *raw = NULL;
    json_t *j = reply(state, "{\"q\":\"zcall\",\"sort\":\"date\",\"limit\":100}", &raw);
    /* Keys in protocol order; UTF-8 as is, not \u escapes. */
    assert_true(strncmp(raw, "{\"ok\":true,\"total\":7,\"exact\":true,\"took_ms\":", 44) == 0);
    assert_non_null(strstr(raw, "国务院"));
    assert_null(strstr(raw, "\\u"));
    zc_free(raw);

    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "total")), N_DOCS);
    assert_true(json_is_boolean(json_object_get(j, "exact")));
    assert_true(json_is_number(json_object_get(j, "took_ms")));
    assert_null(json_object_get(j, "facets"));
    json_t *hits = json_object_get(j, "hits");
    assert_true(json_is_array(hits));
    assert_int_equal(json_array_size(hits), N_DOCS);
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        assert_true(json_is_string(json_object_get(h, "id")));
        assert_true(json_is_number(json_object_get(h, "score")));
        assert_true(json_is_string(json_object_get(h, "lang")));
        assert_true(json_is_string(json_object_get(h, "title")));
        assert_true(json_is_string(json_object_get(h, "snippet")));
        const char *id = json_string_value(json_object_get(h, "id"));
        if (strcmp(id, "en-3") == 0 || strcmp(id, "zh-4") == 0) {
            assert_null(json_object_get(h, "date"));
        } else {
            assert_true(json_is_string(json_object_get(h, "date")));
        }
        if (strcmp(id, "en-3") == 0)
            assert_null(json_object_get(h, "issuer"));
        if (strcmp(id, "en-1") == 0)
            assert_string_equal(json_string_value(json_object_get(h, "pair")), "zh-1");
        else
            assert_null(json_object_get(h, "pair"));
        if (strcmp(id, "zh-2") == 0)
            assert_string_equal(json_string_value(json_object_get(h, "docno")),
                                "国发〔2016〕62号");
    }
    const char *first = json_string_value(json_object_get(json_array_get(hits, 0), "id"));
    assert_string_equal(first, "en-2");
    json_decref(j);

    /* The keys of a hit, in order. */
    j = reply(state, "{\"q\":\"新一轮\"}", &raw);
    const char *keys[] = {"\"id\"", "\"score\"", "\"lang\"", "\"title\"", "\"date\"",
                          "\"issuer\"", "\"docno\"", "\"snippet\""};
    const char *p = raw;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *q = strstr(p, keys[k]);
        if (q == NULL)
            fail_msg("key %s missing or out of order in %s", keys[k], raw);
        p = q;
    }
    zc_free(raw);
    json_decref(j);
}

/* "match": "all" (the default) or "any" (an OR of the analyzed terms). */
static void test_option_match(void **state)
{
    zc_search_request *req = NULL;
    zc_error err;
    const char *arg = "{\"q\":\"x\",\"match\":\"any\"}";
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    assert_int_equal(zc_search_request_opts(req)->match_any, 1);
    zc_search_request_free(req);
    arg = "{\"q\":\"x\",\"match\":\"all\"}";
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    assert_int_equal(zc_search_request_opts(req)->match_any, 0);
    zc_search_request_free(req);
    arg = "x y";
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    assert_int_equal(zc_search_request_opts(req)->match_any, 0);
    zc_search_request_free(req);
    /* A question whose words are spread over several documents. */
    expect_set(state, "{\"q\":\"乡村 Tariffs\"}", "");
    expect_set(state, "{\"q\":\"乡村 Tariffs\",\"match\":\"any\"}", "en-2,zh-4");
    expect_set(state, "{\"q\":\"乡村 Tariffs\",\"match\":\"all\"}", "");
}

/* A misspelled English word gets "suggest": the query with the word the
 * index knows; a well-spelled query, or a Chinese one, gets none. */
static void test_suggest(void **state)
{
    char *raw = NULL;
    json_t *j = reply(state, "{\"q\":\"revitalise industral\"}", &raw);
    assert_string_equal(json_string_value(json_object_get(j, "suggest")),
                        "revitalize industrial");
    /* the last key of the reply */
    assert_non_null(strstr(raw, ",\"suggest\":\"revitalize industrial\"}"));
    zc_free(raw);
    json_decref(j);
    zc_results *r = run(state, "Northeast Industrail Base");
    assert_string_equal(zc_results_suggest(r), "Northeast industrial Base");
    zc_results_free(r);
    /* A field's value may be corrected, its name is kept (a known field's
     * value is no candidate today). */
    r = run(state, "title:industral");
    assert_true(zc_results_suggest(r) == NULL ||
                strncmp(zc_results_suggest(r), "title:", 6) == 0);
    zc_results_free(r);
    r = run(state, "topic:industral");
    assert_string_equal(zc_results_suggest(r), "topic:industrial");
    zc_results_free(r);
    /* tags: is a field (a whole tag, not words): no candidate either */
    r = run(state, "tags:industral");
    assert_true(zc_results_suggest(r) == NULL ||
                strncmp(zc_results_suggest(r), "tags:", 5) == 0);
    zc_results_free(r);
    /* A field name is never corrected ("tags" is rare, "lags" would not be
     * better), known fields or not, ASCII or full-width colon. */
    static const char *const none[] = {"revitalize industrial", "振兴东北", "zcall",
                                       "\"industrial policy\"", "qqqqqqqq",
                                       "tags:营商环境", "Tags:industrial", "industral:base",
                                       "Industral：base", "industral_by:base",
                                       "issued_by:国务院", "issuer:obama"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        r = run(state, none[i]);
        if (zc_results_suggest(r) != NULL)
            fail_msg("%s: suggest %s", none[i], zc_results_suggest(r));
        char *s = NULL;
        assert_int_equal(zc_results_to_json(r, &s, NULL, NULL), ZC_OK);
        assert_null(strstr(s, "suggest"));
        zc_free(s);
        zc_results_free(r);
    }
    assert_null(zc_results_suggest(NULL));
}

static void test_reply_facets_no_snippet(void **state)
{
    json_t *j = reply(state,
                      "{\"q\":\"zcall\",\"snippet\":false,\"facets\":[\"year\",\"lang\"]}",
                      NULL);
    json_t *hits = json_object_get(j, "hits");
    assert_int_equal(json_array_size(hits), N_DOCS);
    for (size_t i = 0; i < json_array_size(hits); i++)
        assert_null(json_object_get(json_array_get(hits, i), "snippet"));
    json_t *facets = json_object_get(j, "facets");
    assert_true(json_is_object(facets));
    assert_null(json_object_get(facets, "issuer"));
    json_t *year = json_object_get(facets, "year");
    assert_int_equal(json_array_size(year), 3);
    json_t *v = json_array_get(year, 2);
    assert_string_equal(json_string_value(json_object_get(v, "value")), "2010");
    assert_int_equal(json_integer_value(json_object_get(v, "count")), 1);
    json_t *lang = json_object_get(facets, "lang");
    assert_string_equal(json_string_value(json_object_get(json_array_get(lang, 0), "value")),
                        "zh");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(lang, 0), "count")), 4);
    json_decref(j);

    /* Facets asked but empty match set: the facet is present, empty. */
    j = reply(state, "{\"q\":\"zcall\",\"issuer\":\"nobody\",\"facets\":[\"issuer\"]}", NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    assert_true(json_is_array(json_object_get(json_object_get(j, "facets"), "issuer")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "facets"), "issuer")),
                     0);
    json_decref(j);
}

/* A reader sees a commit made after it opened once it searches again
 * (zc_search does not need the caller to reopen for correctness of what
 * it already sees; a reopen moves it forward). */
static void test_reader_reopen(void **state)
{
    fixture *f = *state;
    zc_error err;
    zc_index *w = NULL;
    assert_int_equal(zc_index_open(f->dir, ZC_OPEN_WRITE, &w, &err), ZC_OK);
    const char *doc = "{\"id\":\"late\",\"lang\":\"en\",\"title\":\"Late arrival\","
                      "\"body\":\"latecomer text\"}";
    assert_int_equal(zc_index_add_json(w, doc, strlen(doc), NULL, &err), ZC_OK);
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);
    expect_ids(state, "latecomer", "late");
    int existed = 0;
    assert_int_equal(zc_index_delete(w, "late", 4, &existed, &err), ZC_OK);
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    zc_index_close(w);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);
    expect_ids(state, "latecomer", "");
}

/* Snippets read the body out of the stored JSON: escapes, astral
 * characters, unknown fields before it with brackets and quotes in their
 * strings; the title when there is no body. */
static void test_snippet_body_source(void **state)
{
    fixture *f = *state;
    zc_error err;
    zc_index *w = NULL;
    assert_int_equal(zc_index_open(f->dir, ZC_OPEN_WRITE, &w, &err), ZC_OK);
    static const char *const docs[] = {
        "{\"id\":\"s1\",\"extra\":{\"a\":\"}\\\"]{\",\"b\":[1,{\"c\":\"\\\\\"}],\"body\":\"no\"},"
        "\"n\":-1.5e3,\"t\":true,\"title\":\"Scanner\","
        "\"body\":\"Say \\\"hi\\\" \\\\ back\\u002Fslash \\ud83d\\ude00 snipword\\nend\","
        "\"lang\":\"en\"}",
        "{\"id\":\"s2\",\"lang\":\"en\",\"title\":\"Only a snipword title\"}",
        "{\"id\":\"s3\",\"lang\":\"en\",\"title\":\"Empty body snipword\",\"body\":\"\"}",
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(zc_index_add_json(w, docs[i], strlen(docs[i]), NULL, &err), ZC_OK);
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);

    zc_results *r = run(state, "{\"q\":\"snipword\",\"limit\":10}");
    assert_int_equal(zc_results_count(r), 3);
    for (size_t i = 0; i < 3; i++) {
        const zc_hit *h = zc_results_hit(r, i);
        if (strcmp(h->id, "s1") == 0)
            assert_string_equal(h->snippet, "Say &quot;hi&quot; \\ back/slash \xF0\x9F\x98\x80 "
                                            "<b>snipword</b> end");
        else if (strcmp(h->id, "s2") == 0)
            assert_string_equal(h->snippet, "Only a <b>snipword</b> title");
        else
            assert_string_equal(h->snippet, "Empty body <b>snipword</b>");
    }
    zc_results_free(r);

    for (size_t i = 0; i < 3; i++) {
        char id[4] = {'s', (char)('1' + i), 0, 0};
        assert_int_equal(zc_index_delete(w, id, 2, NULL, &err), ZC_OK);
    }
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    zc_index_close(w);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);
    expect_ids(state, "snipword", "");
}

/* The snippet of the hit with this id for a SEARCH argument; fails when
 * it is not among the hits.  Returns new; free with free(). */
static char *snippet_of(void **state, const char *arg, const char *id)
{
    zc_results *r = run(state, arg);
    char *s = NULL;
    for (size_t i = 0; i < zc_results_count(r) && s == NULL; i++) {
        const zc_hit *h = zc_results_hit(r, i);
        if (strcmp(h->id, id) == 0)
            s = strdup(h->snippet != NULL ? h->snippet : "");
    }
    zc_results_free(r);
    if (s == NULL)
        fail_msg("%s: %s is not a hit", arg, id);
    return s;
}

static void expect_snippet(void **state, const char *arg, const char *id, const char *want)
{
    char *s = snippet_of(state, arg, id);
    if (strcmp(s, want) != 0)
        fail_msg("%s, snippet of %s:\n  got  %s\n  want %s", arg, id, s, want);
    free(s);
}

/* Adds the documents, commits and reopens the read handle; *w (may be
 * NULL) gets the writer, for unit_cleanup. */
static void unit_docs(void **state, const char *const *docs, size_t n, zc_index **w)
{
    fixture *f = *state;
    zc_error err;
    assert_int_equal(zc_index_open(f->dir, ZC_OPEN_WRITE, w, &err), ZC_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(zc_index_add_json(*w, docs[i], strlen(docs[i]), NULL, &err), ZC_OK);
    assert_int_equal(zc_index_commit(*w, &err), ZC_OK);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);
}

/* Deletes the documents "<prefix>1".."<prefix>n" and closes the writer. */
static void unit_cleanup(void **state, zc_index *w, const char *prefix, size_t n)
{
    fixture *f = *state;
    zc_error err;
    for (size_t i = 0; i < n; i++) {
        char id[32];
        int l = snprintf(id, sizeof id, "%s%zu", prefix, i + 1);
        assert_int_equal(zc_index_delete(w, id, (size_t)l, NULL, &err), ZC_OK);
    }
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    zc_index_close(w);
    assert_int_equal(zc_index_reopen(f->idx, NULL, &err), ZC_OK);
}

/* A date typed without quotes finds the documents that hold it in any
 * spelling (any digit width, dashes, Chinese numerals), and not those with
 * its digits and characters scattered (unit-2, unit-3) — lib/unit.h. */
static void test_unquoted_units(void **state)
{
    static const char *const docs[] = {
        "{\"id\":\"unit-1\",\"lang\":\"zh\",\"title\":\"会议纪要\","
        "\"body\":\"会议于2017年6月27日召开，安排资金300万元。\"}",
        "{\"id\":\"unit-2\",\"lang\":\"zh\",\"title\":\"年度计划\","
        "\"body\":\"2017年工作要点：6月完成验收，27日前上报，资金3000万元。\"}",
        "{\"id\":\"unit-3\",\"lang\":\"zh\",\"title\":\"通知\","
        "\"body\":\"27家企业在6月参加2017年评选，共6月次，300人。\"}",
        "{\"id\":\"unit-4\",\"lang\":\"zh\",\"title\":\"2017年6月27日的决定\","
        "\"body\":\"本决定自发布之日起施行。\"}",
        "{\"id\":\"unit-5\",\"lang\":\"zh\",\"title\":\"条例\","
        "\"body\":\"本条例自二〇一七年六月二十七日起施行，罚款三百万元。\"}",
        "{\"id\":\"unit-6\",\"lang\":\"zh\",\"title\":\"公告\","
        "\"body\":\"发布日期：２０１７－０６－２７。\"}",
    };
    size_t n = sizeof docs / sizeof docs[0];
    zc_index *w = NULL;
    unit_docs(state, docs, n, &w);

    /* quoted: that spelling only */
    expect_set(state, "{\"q\":\"\\\"2017年6月27日\\\"\"}", "unit-1,unit-4");
    /* unquoted: every spelling */
    static const char *const dates[] = {
        "2017年6月27日", "２０１７年６月２７日", "2017-06-27", "2017.6.27",
        "二〇一七年六月二十七日", "二零一七年六月二十七日"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        char arg[256];
        snprintf(arg, sizeof arg, "{\"q\":\"%s\"}", dates[i]);
        expect_set(state, arg, "unit-1,unit-4,unit-5,unit-6");
    }
    expect_set(state, "{\"q\":\"2017年6月\"}", "unit-1,unit-4,unit-5,unit-6");
    expect_set(state, "{\"q\":\"title:2017年6月27日\"}", "unit-4");
    expect_set(state, "{\"q\":\"300万元\"}", "unit-1,unit-5");
    expect_set(state, "{\"q\":\"三百万元\"}", "unit-1,unit-5");
    /* the words around it are required as before */
    expect_set(state, "{\"q\":\"召开 2017年6月27日\"}", "unit-1");
    expect_set(state, "{\"q\":\"施行 2017-06-27\"}", "unit-4,unit-5");
    expect_set(state, "{\"q\":\"2017年6月27日 -施行\"}", "unit-1,unit-6");

    /* the snippet marks the unit in the document's own spelling */
    expect_snippet(state, "{\"q\":\"2017年6月27日\"}", "unit-5",
                   "本条例自<b>二〇一七年六月二十七日</b>起施行，罚款三百万元。");
    expect_snippet(state, "{\"q\":\"2017年6月27日\"}", "unit-6",
                   "发布日期：<b>２０１７－０６－２７</b>。");
    expect_snippet(state, "{\"q\":\"300万元\"}", "unit-5",
                   "本条例自二〇一七年六月二十七日起施行，罚款<b>三百万元</b>。");
    /* a month marks its part of a full date */
    expect_snippet(state, "{\"q\":\"2017年6月\"}", "unit-1",
                   "会议于<b>2017年6月</b>27日召开，安排资金300万元。");

    unit_cleanup(state, w, "unit-", n);
    expect_ids(state, "{\"q\":\"2017年6月27日\"}", "");
}

#define LONG_ZH                                                                  \
    "各地区各部门要依法推进各项工作落实到位，加强统筹协调，完善工作机制，强化监督检查，" \
    "确保各项政策措施取得实效，切实维护人民群众合法权益，促进经济社会持续健康发展。"

/* Percentages and amounts: 5% is 百分之五 and ５％, never 百分之五十, 15% or a
 * lone 5; 12.5亿元 is 十二点五亿元. */
static void test_unquoted_numbers(void **state)
{
    static const char *const docs[] = {
        "{\"id\":\"num-1\",\"lang\":\"zh\",\"title\":\"税率\",\"body\":\"税率为5%。\"}",
        "{\"id\":\"num-2\",\"lang\":\"zh\",\"title\":\"税率\",\"body\":\"税率为百分之五。\"}",
        "{\"id\":\"num-3\",\"lang\":\"zh\",\"title\":\"税率\",\"body\":\"税率为５％。\"}",
        "{\"id\":\"num-4\",\"lang\":\"zh\",\"title\":\"税率\",\"body\":\"税率为百分之五十。\"}",
        "{\"id\":\"num-5\",\"lang\":\"zh\",\"title\":\"税率\",\"body\":\"税率为15%，第5条。\"}",
        "{\"id\":\"num-6\",\"lang\":\"zh\",\"title\":\"投资\",\"body\":\"投资十二点五亿元。\"}",
        "{\"id\":\"num-7\",\"lang\":\"zh\",\"title\":\"投资\",\"body\":\"投资12.5亿元。\"}",
        /* long enough that BM25 sees their length (not its 0.5 floor) */
        "{\"id\":\"num-8\",\"lang\":\"zh\",\"title\":\"比例\",\"body\":\"zcunitlen 比例5%，"
        "日期2017-06-27，2017.6.27。" LONG_ZH "\"}",
        "{\"id\":\"num-9\",\"lang\":\"zh\",\"title\":\"比例\",\"body\":\"zcunitlen 比例5，"
        "日期2017 06 27，2017 6 27。" LONG_ZH "\"}",
    };
    size_t n = sizeof docs / sizeof docs[0];
    zc_index *w = NULL;
    unit_docs(state, docs, n, &w);

    expect_set(state, "{\"q\":\"5%\"}", "num-1,num-2,num-3,num-8");
    expect_set(state, "{\"q\":\"百分之五\"}", "num-1,num-2,num-3,num-8");
    expect_set(state, "{\"q\":\"５％\"}", "num-1,num-2,num-3,num-8");
    expect_set(state, "{\"q\":\"50%\"}", "num-4");
    expect_set(state, "{\"q\":\"12.5亿元\"}", "num-6,num-7");
    expect_set(state, "{\"q\":\"十二点五亿元\"}", "num-6,num-7");
    expect_snippet(state, "{\"q\":\"5%\"}", "num-2", "税率为<b>百分之五</b>。");
    /* unit terms weigh nothing and leave the length as it was: num-8 and
     * num-9 have the same words (5% is the word 5, 2017-06-27 the words
     * 2017 06 27), only num-8 has units, and the two score the same for any
     * other query */
    zc_results *r = run(state, "{\"q\":\"比例 zcunitlen\"}");
    assert_int_equal(zc_results_count(r), 2);
    assert_true(zc_results_hit(r, 0)->score == zc_results_hit(r, 1)->score);
    zc_results_free(r);
    /* quoted, 5% is the exact phrase of its words, as before */
    expect_set(state, "{\"q\":\"\\\"百分之五\\\"\"}", "num-2,num-4");

    unit_cleanup(state, w, "num-", n);
}

/* A document number typed without quotes finds the document with that
 * number first, then those citing it, and never one holding its pieces
 * apart (dn-3); every bracket, width and alias of it (Chinese numbers,
 * E.O. = Executive Order) is the same number, but 国令 is not 国务院令
 * (another filing of a regulation: a duplicate, not a spelling); snippets
 * mark the whole number only, not the 2016 or the 号 of another. */
static void test_unquoted_docnos(void **state)
{
    static const char *const docs[] = {
        "{\"id\":\"dn-1\",\"lang\":\"zh\",\"title\":\"关于推进工作的通知\","
        "\"docno\":\"国发〔2016〕12号\",\"body\":\"各地区：现将有关事项通知如下。\"}",
        "{\"id\":\"dn-2\",\"lang\":\"zh\",\"title\":\"实施办法\","
        "\"body\":\"根据国发〔2016〕12号文件，国发〔2016〕120号和国办发〔2016〕12号废止。\"}",
        "{\"id\":\"dn-3\",\"lang\":\"zh\",\"title\":\"工作要点\","
        "\"body\":\"按国发〔2015〕3号文件，2016年起12个部门编号管理。\"}",
        "{\"id\":\"dn-4\",\"lang\":\"zh\",\"title\":\"个人所得税法实施条例\","
        "\"docno\":\"国令第707号\",\"body\":\"条例全文。\"}",
        "{\"id\":\"dn-5\",\"lang\":\"zh\",\"title\":\"主席令\","
        "\"docno\":\"主席令第三号\",\"body\":\"法律全文。\"}",
        "{\"id\":\"dn-6\",\"lang\":\"en\",\"title\":\"Protecting the Nation\","
        "\"docno\":\"Executive Order 13769\",\"body\":\"By the authority vested in me.\"}",
    };
    size_t n = sizeof docs / sizeof docs[0];
    zc_index *w = NULL;
    unit_docs(state, docs, n, &w);

    static const char *const dn1[] = {"国发〔2016〕12号", "国发[2016]12号", "国发（２０１６）１２号",
                                      "国发2016-12号"};
    for (size_t i = 0; i < sizeof dn1 / sizeof dn1[0]; i++) {
        char arg[128];
        snprintf(arg, sizeof arg, "{\"q\":\"%s\"}", dn1[i]);
        expect_ids(state, arg, "dn-1,dn-2");
    }
    /* with 第: the same number, but no citation spelled so */
    expect_ids(state, "{\"q\":\"国发(2016)第12号\"}", "dn-1");
    static const char *const dn4[] = {"国令第707号", "国令第七〇七号", "docno:国令第707号",
                                      "docno:国令第七〇七号"};
    for (size_t i = 0; i < sizeof dn4 / sizeof dn4[0]; i++) {
        char arg[128];
        snprintf(arg, sizeof arg, "{\"q\":\"%s\"}", dn4[i]);
        expect_ids(state, arg, "dn-4");
    }
    expect_ids(state, "{\"q\":\"国务院令第707号\"}", "");
    expect_ids(state, "{\"q\":\"主席令第3号\"}", "dn-5");
    expect_ids(state, "{\"q\":\"主席令第三号\"}", "dn-5");
    static const char *const dn6[] = {"E.O. 13769", "EO 13769", "EO13769", "E.O.13769",
                                      "Executive Order 13769"};
    for (size_t i = 0; i < sizeof dn6 / sizeof dn6[0]; i++) {
        char arg[128];
        snprintf(arg, sizeof arg, "{\"q\":\"%s\"}", dn6[i]);
        expect_ids(state, arg, "dn-6");
    }

    static const char *const want =
        "根据<b>国发〔2016〕12号</b>文件，国发〔2016〕120号和国办发〔2016〕12号废止。";
    expect_snippet(state, "{\"q\":\"docno:国发〔2016〕12号 OR 实施办法\"}", "dn-2", want);
    expect_snippet(state, "{\"q\":\"国发〔2016〕12号\"}", "dn-2", want);

    unit_cleanup(state, w, "dn-", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_all_and_total),
        cmocka_unit_test(test_search_hit_fields),
        cmocka_unit_test(test_option_lang),
        cmocka_unit_test(test_option_issuer),
        cmocka_unit_test(test_option_dates),
        cmocka_unit_test(test_option_sort),
        cmocka_unit_test(test_option_offset_limit),
        cmocka_unit_test(test_option_facets),
        cmocka_unit_test(test_option_snippet),
        cmocka_unit_test(test_rescore_window),
        cmocka_unit_test(test_query_errors),
        cmocka_unit_test(test_reply_is_janssons),
        cmocka_unit_test(test_reply_shape),
        cmocka_unit_test(test_option_match),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_reply_facets_no_snippet),
        cmocka_unit_test(test_reader_reopen),
        cmocka_unit_test(test_snippet_body_source),
        cmocka_unit_test(test_unquoted_units),
        cmocka_unit_test(test_unquoted_numbers),
        cmocka_unit_test(test_unquoted_docnos),
    };
    return cmocka_run_group_tests(tests, group_setup, fx_index_teardown);
}
