/* test_multifacet.c — the authority level, the bodies of joint issuers and
 * the tags in a real index (lib/multifacet.c through zc_search): their
 * facets, filters, the tags: query field, and the authority prior.
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

#include "lib/limits.h"
#include "lib/zhengce.h"

#include "fixture.h"

/* Every document holds "zcall".  The first two match 大气污染防治 about
 * equally well (the city's title is shorter: it wins on words alone); the
 * third is a law that holds the words once in a long body. */
static const char *const DOCS[] = {
    "{\"id\":\"law\",\"lang\":\"zh\",\"title\":\"中华人民共和国大气污染防治法\","
    "\"body\":"
    "\"为保护和改善环境，防治大气污染，制定本法。大气污染防治应当以改善大气环境质量为目标，"
    "坚持源头治理，规划先行。zcall\",\"issuer\":\"全国人民代表大会常务委员会\","
    "\"tags\":[\"环境保护\",\"大气\"]}",

    "{\"id\":\"city\",\"lang\":\"zh\",\"title\":\"菏泽市大气污染防治条例\","
    "\"body\":\"为了防治大气污染，根据本市实际，制定本条例。大气污染防治坚持源头治理。zcall\","
    "\"issuer\":\"菏泽市人民代表大会常务委员会\",\"tags\":[\"环境保护\"]}",

    "{\"id\":\"far-law\",\"lang\":\"zh\",\"title\":\"中华人民共和国环境保护法\","
    "\"body\":\"为保护和改善环境，制定本法。第一章总则。第二章监督管理。第三章保护和改善环境。"
    "第四章防治污染和其他公害，包括水污染、噪声污染和大气污染防治。第五章信息公开和公众参与。"
    "第六章法律责任。第七章附则。zcall\",\"issuer\":\"全国人民代表大会常务委员会\"}",

    "{\"id\":\"joint\",\"lang\":\"zh\",\"title\":\"中共中央 国务院关于深化改革的意见\","
    "\"body\":\"优化营商环境。zcall\",\"issuer\":\"中共中央、国务院\",\"docno\":"
    "\"中发〔2015〕22号\","
    "\"tags\":[\"营商环境\",\"改革\",\"营商环境\",\"a\\tb\"]}",

    "{\"id\":\"sc\",\"lang\":\"zh\",\"title\":\"优化营商环境条例\",\"body\":\"营商环境。zcall\","
    "\"issuer\":\"国务院\",\"docno\":\"国务院令第722号\",\"tags\":[\"营商环境\"]}",

    "{\"id\":\"cmc\",\"lang\":\"zh\",\"title\":\"通用航空飞行管制条例\",\"body\":"
    "\"飞行管制。zcall\","
    "\"issuer\":\"国务院、中央军事委员会\",\"docno\":\"国务院、中央军事委员会令第371号\"}",

    "{\"id\":\"soe-en\",\"lang\":\"en\",\"title\":\"Guiding Opinions on SOE Reform\","
    "\"body\":\"Reform of state-owned enterprises. zcall\","
    "\"issuer\":\"CPC Central Committee, State Council\",\"tags\":[\"SOE Reform\"]}",

    "{\"id\":\"eo\",\"lang\":\"en\",\"title\":\"Presidential Records\",\"body\":\"Records. zcall\","
    "\"issuer\":\"President Barack Obama\",\"docno\":\"Executive Order 13489\"}",

    "{\"id\":\"none\",\"lang\":\"zh\",\"title\":\"无名文件\",\"body\":\"说明。zcall\"}",

    /* 节约用水: the law holds the words four times in its body, the city's
     * regulation in its title; close on words alone, the city first. */
    "{\"id\":\"body-law\",\"lang\":\"zh\",\"title\":\"中华人民共和国水法\","
    "\"body\":\"国家厉行节约用水，大力推行节约用水措施。各级人民政府应当推行节约用水，"
    "发展节约用水产业。单位和个人有节约用水的义务。zcall\","
    "\"issuer\":\"全国人民代表大会常务委员会\"}",

    "{\"id\":\"title-city\",\"lang\":\"zh\",\"title\":\"洛阳市节约用水条例\","
    "\"body\":\"为了加强用水管理，根据有关法律，结合本市实际，制定本条例。本条例适用于本市行政区域"
    "内的用水管理活动，包括计划用水、用水计量、水价管理、监督检查等各项工作。zcall\","
    "\"issuer\":\"洛阳市人民代表大会常务委员会\"}",
};
#define N_DOCS (sizeof DOCS / sizeof DOCS[0])

/* A document with more tags than its list value holds: the first sort
 * into the list, the last ("z-last") does not. */
#define MANY_TAGS 3000

typedef fx_index fixture;

static char *many_tags_doc(void)
{
    size_t cap = MANY_TAGS * 16 + 256, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s, cap,
                            "{\"id\":\"many\",\"lang\":\"en\",\"title\":\"Many tags\","
                            "\"body\":\"zcall\",\"tags\":[\"SOE reform\"");
    for (int i = 0; i < MANY_TAGS - 2; i++)
        len += (size_t)snprintf(s + len, cap - len, ",\"tag%05d\"", i);
    snprintf(s + len, cap - len, ",\"z-last\"]}");
    return s;
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    const char *docs[N_DOCS + 1];
    for (size_t i = 0; i < N_DOCS; i++)
        docs[i] = DOCS[i];
    char *many = many_tags_doc();
    docs[N_DOCS] = many;
    int rc = fx_tmpdir(f->dir, sizeof f->dir, "multifacet") != 0 ||
             fx_build_index(f->dir, NULL, docs, N_DOCS + 1, &f->idx) != 0;
    free(many);
    if (rc)
        return -1;
    *state = f;
    return 0;
}

static zc_status try_run(void **state, const char *arg, zc_results **out, zc_error *err)
{
    fixture *f = *state;
    zc_search_request *req = NULL;
    *out = NULL;
    zc_status st = zc_search_request_parse(arg, strlen(arg), &req, err);
    if (st == ZC_OK)
        st = zc_search(f->idx, zc_search_request_opts(req), out, err);
    zc_search_request_free(req);
    return st;
}

static zc_results *run(void **state, const char *arg)
{
    zc_error err;
    zc_results *r = NULL;
    if (try_run(state, arg, &r, &err) != ZC_OK)
        fail_msg("%s: %s", arg, err.message);
    return r;
}

static void expect_set(void **state, const char *arg, const char *want)
{
    zc_results *r = run(state, arg);
    char got[512];
    fx_sorted_ids(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", arg, got, want);
    zc_results_free(r);
}

/* The facet as "value=count,..." in reply order. */
static void facet_str(const zc_results *r, unsigned bit, char *buf, size_t cap)
{
    size_t n = 0, len = 0;
    const zc_facet_value *v = zc_results_facet(r, bit, &n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s=%llu", i ? "," : "", v[i].value,
                                (unsigned long long)v[i].count);
}

static void expect_facet(void **state, const char *arg, unsigned bit, const char *want)
{
    zc_results *r = run(state, arg);
    char got[1024];
    facet_str(r, bit, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", arg, got, want);
    zc_results_free(r);
}

static void test_facets(void **state)
{
    const char *arg = "{\"q\":\"zcall\",\"facets\":[\"level\",\"tier\",\"issued_by\",\"tags\"],"
                      "\"limit\":0}";
    /* levels: law, city, far-law, joint (normative central), sc (admin_reg),
     * cmc (admin_reg), soe-en (normative central), eo, none, many (normative) */
    expect_facet(state, arg, ZC_FACET_LEVEL,
                 "normative=4,law=3,admin_reg=2,local_reg=2,exec_order=1");
    expect_facet(state, arg, ZC_FACET_TIER, "central=7,municipal=2,federal=1");
    /* each body of a joint issuer on its own, once per document */
    expect_facet(state, arg, ZC_FACET_ISSUED_BY,
                 "全国人民代表大会常务委员会=3,国务院=3,CPC Central Committee=1,"
                 "President Barack Obama=1,State Council=1,中共中央=1,中央军事委员会=1,"
                 "洛阳市人民代表大会常务委员会=1,菏泽市人民代表大会常务委员会=1");
    /* a tag twice in one document counts once; a control character is a
     * space; the many-tags document's list stops at its bound */
    zc_results *r = run(state, "{\"q\":\"zcall\",\"facets\":[\"tags\"],\"facet_limit\":6,"
                               "\"limit\":0}");
    char got[1024];
    facet_str(r, ZC_FACET_TAGS, got, sizeof got);
    assert_string_equal(got, "环境保护=2,营商环境=2,SOE Reform=1,SOE reform=1,a b=1,tag00000=1");
    zc_results_free(r);
    r = run(state, "{\"q\":\"zcall\",\"facets\":[\"tags\"],\"facet_limit\":10000,\"limit\":0}");
    size_t n = 0;
    const zc_facet_value *v = zc_results_facet(r, ZC_FACET_TAGS, &n);
    int last = 0;
    size_t many = 0;
    for (size_t i = 0; i < n; i++) {
        last |= strcmp(v[i].value, "z-last") == 0;
        many += strncmp(v[i].value, "tag", 3) == 0;
    }
    assert_false(last);
    assert_true(many > 100 && many < MANY_TAGS - 2);
    assert_true(many * strlen("ttag00000\n") <= ZC_FACET_LIST_MAX_BYTES);
    zc_results_free(r);
    /* the facets of a filtered search count the filtered matches */
    expect_facet(state, "{\"q\":\"zcall\",\"level\":\"admin_reg\",\"facets\":[\"issued_by\"]}",
                 ZC_FACET_ISSUED_BY, "国务院=2,中央军事委员会=1");
}

static void test_issued_by_filter(void **state)
{
    /* issuer keeps its exact meaning: the whole issuer field */
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"中共中央\"}", "");
    expect_set(state, "{\"q\":\"zcall\",\"issuer\":\"中共中央、国务院\"}", "joint");
    /* issued_by: any body of a joint issuer */
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":\"中共中央\"}", "joint");
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":\"国务院\"}", "cmc,joint,sc");
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":[\"中央军事委员会\",\"中共中央\"]}",
               "cmc,joint");
    /* normalized as the issuer is: case, width, spaces */
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":\"  state  COUNCIL \"}", "soe-en");
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":\"ＣＰＣ Central Committee\"}", "soe-en");
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":\"国务\"}", "");
    expect_set(state, "{\"q\":\"zcall\",\"issued_by\":[],\"limit\":20}",
               "body-law,city,cmc,eo,far-law,joint,law,many,none,sc,soe-en,title-city");
}

static void test_level_filter(void **state)
{
    expect_set(state, "{\"q\":\"zcall\",\"level\":\"law\"}", "body-law,far-law,law");
    expect_set(state, "{\"q\":\"zcall\",\"level\":[\"law\",\"local_reg\"]}",
               "body-law,city,far-law,law,title-city");
    expect_set(state, "{\"q\":\"zcall\",\"tier\":\"municipal\"}", "city,title-city");
    expect_set(state, "{\"q\":\"zcall\",\"level\":\"normative\",\"tier\":\"central\"}",
               "joint,soe-en");
    expect_set(state, "{\"q\":\"zcall\",\"level\":\"exec_order\",\"tier\":\"federal\"}", "eo");
    expect_set(state, "{\"q\":\"zcall\",\"level\":\"law\",\"issued_by\":\"国务院\"}", "");
    /* unknown names are bad requests naming the option */
    static const char *bad[][2] = {
        {"{\"q\":\"zcall\",\"level\":\"Law\"}", "level"},
        {"{\"q\":\"zcall\",\"level\":[\"law\",\"central\"]}", "level"},
        {"{\"q\":\"zcall\",\"tier\":\"national\"}", "tier"},
        {"{\"q\":\"zcall\",\"tier\":7}", "tier"},
        {"{\"q\":\"zcall\",\"issued_by\":{}}", "issued_by"},
        {"{\"q\":\"zcall\",\"tags\":[\"a\",1]}", "tags"},
        {"{\"q\":\"zcall\",\"prior\":\"no\"}", "prior"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zc_results *r = NULL;
        zc_error err;
        assert_int_equal(try_run(state, bad[i][0], &r, &err), ZC_EINVAL);
        assert_null(r);
        if (strcmp(err.field, bad[i][1]) != 0)
            fail_msg("%s: field [%s], want [%s]", bad[i][0], err.field, bad[i][1]);
    }
    /* the C API checks the same */
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = "zcall";
    o.q_len = 5;
    const char *lv[] = {"admin"};
    o.levels = lv;
    o.n_levels = 1;
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_string_equal(err.field, "level");
    o.levels = NULL; /* a count without entries */
    assert_int_equal(zc_search(f->idx, &o, &r, &err), ZC_EINVAL);
    assert_string_equal(err.field, "level");
}

static void test_tags_filter_and_field(void **state)
{
    expect_set(state, "{\"q\":\"zcall\",\"tags\":\"营商环境\"}", "joint,sc");
    expect_set(state, "{\"q\":\"zcall\",\"tags\":[\"国防\",\"大气\"]}", "law");
    expect_set(state, "{\"q\":\"zcall\",\"tags\":\"soe REFORM\"}", "many,soe-en");
    /* a tag past the list value's bound is still a filter term */
    expect_set(state, "{\"q\":\"zcall\",\"tags\":\"z-last\"}", "many");
    expect_set(state, "{\"q\":\"zcall\",\"tags\":\"营商\"}", "");
    /* the query field: the whole tag, alone or with words, quoted or not */
    expect_set(state, "tags:营商环境", "joint,sc");
    expect_set(state, "TAGS：营商环境", "joint,sc");
    expect_set(state, "tags:\"SOE reform\"", "many,soe-en");
    expect_set(state, "条例 tags:营商环境", "sc");
    expect_set(state, "zcall -tags:营商环境 tags:环境保护", "city,law");
    expect_set(state, "tags:营商", "");
    expect_set(state, "{\"q\":\"tags:营商环境\",\"tags\":\"改革\"}", "joint");
}

/* The position of id in r's hits, or -1. */
static int rank_of(const zc_results *r, const char *id)
{
    for (size_t i = 0; i < zc_results_count(r); i++)
        if (strcmp(zc_results_hit(r, i)->id, id) == 0)
            return (int)i;
    return -1;
}

static void test_prior_orders_equal_matches(void **state)
{
    /* On words alone the city's shorter title wins ... */
    zc_results *r = run(state, "{\"q\":\"大气污染防治\",\"prior\":false}");
    int law = rank_of(r, "law"), city = rank_of(r, "city"), far = rank_of(r, "far-law");
    assert_true(law >= 0 && city >= 0 && far >= 0);
    assert_true(city < law);
    double w_city = zc_results_hit(r, (size_t)city)->score;
    zc_results_free(r);
    /* ... the prior puts the national law first among equal matches, while
     * the law that holds the words once in its body stays behind both. */
    r = run(state, "大气污染防治");
    assert_int_equal(rank_of(r, "law"), 0);
    assert_int_equal(rank_of(r, "city"), 1);
    assert_int_equal(rank_of(r, "far-law"), 2);
    /* the hit's score is its weight with the prior added */
    assert_true(zc_results_hit(r, 1)->score > w_city);
    zc_results_free(r);
    /* two words: ranked by the first pass and rescored (the prior rides
     * on the rescoring pass) rather than one pass with the prior */
    r = run(state, "{\"q\":\"大气污染 防治\",\"prior\":false}");
    assert_true(rank_of(r, "city") < rank_of(r, "law"));
    zc_results_free(r);
    r = run(state, "大气污染 防治");
    assert_int_equal(rank_of(r, "law"), 0);
    assert_int_equal(rank_of(r, "city"), 1);
    zc_results_free(r);
    /* Only documents whose title holds the words get the prior: the law
     * that says 节约用水 four times in its body stays behind the city's
     * regulation named for it, although a prior for every hit would lift
     * it above (its weight plus the law's prior would pass the city's
     * weight plus a city regulation's: 0.4 x best x (1 - 0.34), search.c,
     * authority.c). */
    r = run(state, "{\"q\":\"节约用水\",\"prior\":false}");
    assert_int_equal(rank_of(r, "title-city"), 0);
    assert_int_equal(rank_of(r, "body-law"), 1);
    double w_city_alone = zc_results_hit(r, 0)->score, w_law_alone = zc_results_hit(r, 1)->score;
    assert_true(w_law_alone + 0.4 * w_city_alone * (1.0 - 0.34) > w_city_alone);
    zc_results_free(r);
    r = run(state, "节约用水");
    assert_int_equal(rank_of(r, "title-city"), 0);
    assert_true(zc_results_hit(r, 0)->score > w_city_alone); /* its own prior */
    assert_true(zc_results_hit(r, 1)->score == w_law_alone); /* none */
    zc_results_free(r);
    /* sorted by date, no prior (and no error) */
    r = run(state, "{\"q\":\"大气污染防治\",\"sort\":\"date\"}");
    assert_int_equal(zc_results_count(r), 3);
    zc_results_free(r);
    /* every page agrees with the first */
    r = run(state, "{\"q\":\"大气污染防治\",\"offset\":1,\"limit\":1}");
    assert_int_equal(zc_results_count(r), 1);
    assert_string_equal(zc_results_hit(r, 0)->id, "city");
    zc_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facets),
        cmocka_unit_test(test_issued_by_filter),
        cmocka_unit_test(test_level_filter),
        cmocka_unit_test(test_tags_filter_and_field),
        cmocka_unit_test(test_prior_orders_equal_matches),
    };
    return cmocka_run_group_tests(tests, group_setup, fx_index_teardown);
}
