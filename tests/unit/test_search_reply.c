/* test_search_reply.c — the reply writer (lib/search_reply.c) on its own:
 * strings and reals spelled exactly as jansson spells them, and whole
 * replies of hand-made results (optional fields missing, facets asked with
 * no values, a suggestion) byte for byte what jansson dumps of the same
 * object.  No index.
 *
 * Owns nothing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/search_reply.h"
#include "lib/search_results.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* Takes j: its compact dump, to compare with ours. */
static char *dump(json_t *j)
{
    assert_non_null(j);
    char *d = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);
    assert_non_null(d);
    json_decref(j);
    return d;
}

/* Takes b's text and j: b holds what jansson writes of j. */
static void expect_as_jansson(zc_strbuf *b, json_t *j)
{
    assert_false(b->oom);
    char *want = dump(j);
    if (strcmp(b->p, want) != 0)
        fail_msg("ours    %s\njansson %s", b->p, want);
    free(want);
    free(b->p);
}

static void test_strings_as_jansson(void **state)
{
    (void)state;
    static const char *const strs[] = {
        "",
        "振兴东北地区等老工业基地",
        "Executive Order 12944: \"Pay\" \\ rates / allowances",
        "东北 Northeast 😀 \xe2\x80\xa8 mixed",
        "\x01\x02\x07\b\t\n\v\f\r\x0e\x1b\x1f\x7f end",
        "<b>振兴</b> &amp; \"引号\"",
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        zc_strbuf b = {0};
        zc_reply_put_string(&b, strs[i]);
        expect_as_jansson(&b, json_string(strs[i]));
    }
    /* Not UTF-8 (jansson refuses such a string): written "". */
    static const char *const bad[] = {"\xff", "ab\xc0\xaf", "\xed\xa0\x80", "振\xe5\x85"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(json_string(bad[i]));
        zc_strbuf b = {0};
        zc_reply_put_string(&b, bad[i]);
        assert_string_equal(b.p, "\"\"");
        free(b.p);
    }
}

static void test_reals_as_jansson(void **state)
{
    (void)state;
    static const double reals[] = {
        0.0, -0.0, 1.0, -1.0, 1.5, 0.1, 6.536903734, 12.34567890123, 123456789012.0,
        1e-5, 1e-7, 0.000123, 1e15, 1e16, 1e17, 1e21, 1e22, 1e100, 1e-100, -2.5e-300,
        5e-324, DBL_MAX, -DBL_MAX, DBL_MIN, 0.001, 1234.5678,
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        zc_strbuf b = {0};
        zc_reply_put_real(&b, reals[i]);
        expect_as_jansson(&b, json_real(reals[i]));
    }
    /* json_real refuses these: the reply fails (as out of memory). */
    static const double refused[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_null(json_real(refused[i]));
        zc_strbuf b = {0};
        zc_reply_put_real(&b, refused[i]);
        assert_true(b.oom);
        free(b.p);
    }
}

static char *dupz(const char *s)
{
    return s ? zc_results_strdup(s, strlen(s)) : NULL;
}

static void set_hit(zc_hit *h, const char *id, double score, const char *lang,
                    const char *title, const char *date, const char *issuer, const char *docno,
                    const char *pair, const char *snippet)
{
    h->id = dupz(id);
    h->score = score;
    h->lang = dupz(lang);
    h->title = dupz(title);
    h->date = dupz(date);
    h->issuer = dupz(issuer);
    h->docno = dupz(docno);
    h->pair = dupz(pair);
    h->snippet = dupz(snippet);
}

/* The reply object built with jansson, key by key as protocol.md has it. */
static json_t *jansson_reply(const zc_results *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_true());
    json_object_set_new(o, "total", json_integer((json_int_t)r->total));
    json_object_set_new(o, "exact", json_boolean(r->exact));
    json_object_set_new(o, "took_ms", json_real(round(r->took_ms * 1000.0) / 1000.0));
    json_t *hits = json_array();
    for (size_t i = 0; i < r->n_hits; i++) {
        const zc_hit *h = &r->hits[i];
        json_t *jh = json_object();
        json_object_set_new(jh, "id", json_string(h->id ? h->id : ""));
        json_object_set_new(jh, "score", json_real(h->score));
        json_object_set_new(jh, "lang", json_string(h->lang ? h->lang : ""));
        json_object_set_new(jh, "title", json_string(h->title ? h->title : ""));
        const char *opt[] = {h->date, h->issuer, h->docno, h->pair, h->snippet};
        const char *names[] = {"date", "issuer", "docno", "pair", "snippet"};
        for (size_t k = 0; k < 5; k++)
            if (opt[k] != NULL)
                json_object_set_new(jh, names[k], json_string(opt[k]));
        json_array_append_new(hits, jh);
    }
    json_object_set_new(o, "hits", hits);
    if (r->facets) {
        json_t *f = json_object();
        for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
            if (!(r->facets & zc_search_facets[k].bit))
                continue;
            json_t *a = json_array();
            for (size_t j = 0; j < r->n_fv[k]; j++) {
                json_t *v = json_object();
                json_object_set_new(v, "value", json_string(r->fv[k][j].value));
                json_object_set_new(v, "count", json_integer((json_int_t)r->fv[k][j].count));
                json_array_append_new(a, v);
            }
            json_object_set_new(f, zc_search_facets[k].name, a);
        }
        json_object_set_new(o, "facets", f);
    }
    if (r->suggest)
        json_object_set_new(o, "suggest", json_string(r->suggest));
    return o;
}

static void expect_janssons(const zc_results *r)
{
    char *s = NULL;
    size_t len = 0;
    zc_error err;
    assert_int_equal(zc_results_to_json(r, &s, &len, &err), ZC_OK);
    assert_int_equal(len, strlen(s));
    char *want = dump(jansson_reply(r));
    if (strcmp(s, want) != 0)
        fail_msg("ours    %s\njansson %s", s, want);
    free(want);
    zc_free(s);
}

/* Hits with and without their optional fields, facets asked (one with no
 * values, one not asked), a suggestion, an estimated total. */
static void test_reply_of_made_results(void **state)
{
    (void)state;
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(zc_results_new(ZC_FACET_ISSUER | ZC_FACET_LANG, 3, &r, &err), ZC_OK);
    r->total = 4155;
    r->exact = 0;
    r->took_ms = 12.3456789;
    set_hit(&r->hits[0], "zh-1", 6.536903734, "zh", "关于实施东北地区等老工业基地振兴战略的若干意见",
            "2003-10-05", "中共中央 国务院", "中发〔2003〕11号", "en-1",
            "<b>振兴</b>东北地区等老工业基地是党中央作出的重大战略决策。");
    r->n_hits = 1;
    set_hit(&r->hits[1], "en-2", 0.5, "en", "Order on \"trade\"", NULL, NULL, NULL, NULL,
            "Tariffs &amp; quotas &lt;limits&gt;");
    r->n_hits = 2;
    set_hit(&r->hits[2], NULL, 1e-7, NULL, NULL, "2016", NULL, NULL, NULL, NULL);
    r->n_hits = 3;
    r->fv[0] = calloc(2, sizeof *r->fv[0]);
    assert_non_null(r->fv[0]);
    r->fv[0][0].value = dupz("国务院");
    r->fv[0][0].count = 1234;
    r->fv[0][1].value = dupz("State Council");
    r->fv[0][1].count = 1;
    r->n_fv[0] = 2;
    r->suggest = dupz("revitalize \"northeast\"");
    expect_janssons(r);

    /* no hits, every facet asked and empty, exact total, no suggestion */
    zc_results *e = NULL;
    assert_int_equal(zc_results_new(ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG, 0, &e, &err),
                     ZC_OK);
    e->exact = 1;
    expect_janssons(e);
    zc_results_free(e);

    /* a score jansson cannot write: the reply fails, nothing returned */
    r->hits[1].score = NAN;
    char *s = (char *)1;
    size_t len = 7;
    assert_int_equal(zc_results_to_json(r, &s, &len, &err), ZC_ENOMEM);
    assert_null(s);
    assert_int_equal(len, 0);
    zc_results_free(r);

    assert_int_equal(zc_results_to_json(NULL, &s, NULL, &err), ZC_EINVAL);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_as_jansson),
        cmocka_unit_test(test_reals_as_jansson),
        cmocka_unit_test(test_reply_of_made_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
