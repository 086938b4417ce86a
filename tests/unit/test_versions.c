/* test_versions.c — duplicates and versions at query time (lib/versions.h)
 * on a small real index: the newest version ranks first and the older
 * one says so, one regulation from two sources is a duplicate, two
 * executive orders of one title are two documents, and with "collapse"
 * each group is one hit listing the others, counted once in the total and
 * the facets.  Documents added later join their group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/zhengce.h"

#include "fixture.h"

/* The old edition is short, so that without the rule it would rank above
 * the new one for its exact title (BM25 prefers the shorter document). */
#define LAW_OLD_BODY "第一条 为了保障示例安全，制定本法。第二条 本法适用于示例活动。旧法独有条款。"
#define LAW_NEW_BODY                                                                       \
    "第一条 为了保障示例安全，维护公众健康，促进经济社会发展，制定本法。第二条 本法适用于"   \
    "境内的示例活动及其监督管理。第三条 国家建立示例安全风险监测制度，定期公布结果。第四条 "  \
    "县级以上人民政府应当加强对示例安全工作的领导，将其纳入国民经济和社会发展规划。第五条 "  \
    "违反本法规定的，由有关主管部门责令改正，给予警告，并处罚款。第六条 本法自公布之日起施行。"
#define REG_BODY                                                                           \
    "第一条 根据有关法律，制定本条例。第二条 在境内有住所的个人，应当依照本条例的规定申报。"  \
    "第三条 税务机关应当为纳税人提供便利，公开办税流程和时限。第四条 本条例所称所得，是指工资"  \
    "薪金、劳务报酬、稿酬和特许权使用费所得。第五条 本条例自2019年1月1日起施行。"    \
    "第六条 纳税人应当按照规定的期限办理纳税申报，报送纳税申报表和有关资料。第七条 扣缴义务人应当依法履行"  \
    "代扣代缴义务，不得擅自更改纳税人提供的信息。第八条 税务机关应当加强对纳税信息的保密管理，"  \
    "依法保护纳税人的合法权益。第九条 违反本条例规定的，由税务机关依照有关法律的规定处理。"  \
    "第十条 国务院财政、税务主管部门可以根据本条例制定具体办法。"

static const char *const docs[] = {
    "{\"id\":\"law-old\",\"lang\":\"zh\",\"title\":\"中华人民共和国示例法\","
    "\"date\":\"2018-10-26\",\"issuer\":\"全国人民代表大会常务委员会\",\"body\":\"" LAW_OLD_BODY
    "\"}",
    "{\"id\":\"law-new\",\"lang\":\"zh\",\"title\":\"中华人民共和国示例法（2022年修订）\","
    "\"date\":\"2022-09-02\",\"issuer\":\"全国人民代表大会常务委员会\",\"body\":\"" LAW_NEW_BODY
    "\"}",
    /* one regulation from two sources: the order number spelled two ways,
     * dated signed and published, the publisher's copy with a preamble */
    "{\"id\":\"reg-gov\",\"lang\":\"zh\",\"title\":\"示例税收条例\",\"date\":\"2018-12-22\","
    "\"issuer\":\"国务院\",\"docno\":\"国令第707号\",\"body\":\"中华人民共和国国务院令 第707号 "
    "现公布修订后的《示例税收条例》。" REG_BODY "\"}",
    "{\"id\":\"reg-ref\",\"lang\":\"zh\",\"title\":\"示例税收条例\",\"date\":\"2018-12-18\","
    "\"issuer\":\"国务院\",\"docno\":\"国务院令第707号\",\"body\":\"" REG_BODY "\"}",
    /* one title, two orders */
    "{\"id\":\"eo-1\",\"lang\":\"en\",\"title\":\"Adjustments of Certain Rates of Pay\","
    "\"date\":\"2003-12-30\",\"docno\":\"Executive Order 13322\",\"body\":\"By the authority "
    "vested in me as President, the rates of basic pay are adjusted as set forth in the "
    "schedules attached hereto.\"}",
    "{\"id\":\"eo-2\",\"lang\":\"en\",\"title\":\"Adjustments of Certain Rates of Pay\","
    "\"date\":\"2004-12-30\",\"docno\":\"Executive Order 13368\",\"body\":\"By the authority "
    "vested in me as President, the rates of basic pay are adjusted as set forth in the "
    "schedules attached hereto.\"}",
    /* a regulation re-issued by a new order, whose history names the old one */
    "{\"id\":\"pest-2017\",\"lang\":\"zh\",\"title\":\"示例农药管理条例\",\"date\":\"2017-03-16\","
    "\"issuer\":\"国务院\",\"docno\":\"国务院令第677号\",\"body\":\"第一条 为了加强示例农药管理，"
    "制定本条例。第二条 本条例所称农药，是指用于预防、控制危害农业的病虫害的药剂。\"}",
    "{\"id\":\"pest-2022\",\"lang\":\"zh\",\"title\":\"示例农药管理条例\",\"date\":\"2022-03-29\","
    "\"issuer\":\"国务院\",\"docno\":\"国务院令第216号\",\"body\":\"2017年2月8日 国务院令第677号"
    "修订 2022年3月29日 修订 第一条 为了加强示例农药管理，保证农药质量，制定本条例。第二条 本条例所称"
    "农药，是指用于预防、控制危害农业、林业的病虫害的药剂。\"}",
    /* an English rule and its amended text (one pass: no proximity boosts) */
    "{\"id\":\"rec-old\",\"lang\":\"en\",\"title\":\"Records Management Rules\","
    "\"date\":\"2001-05-01\",\"body\":\"These zcrecords rules apply.\"}",
    "{\"id\":\"rec-new\",\"lang\":\"en\",\"title\":\"Records Management Rules (as amended)\","
    "\"date\":\"2015-06-01\",\"body\":\"These zcrecords rules apply to every agency of the "
    "executive branch, to its contractors and grantees, and to every record they create, receive "
    "or keep in the course of public business, in any form or medium.\"}",
    "{\"id\":\"other\",\"lang\":\"zh\",\"title\":\"示例安全管理办法\",\"date\":\"2020-01-01\","
    "\"issuer\":\"国务院\",\"body\":\"为了保障示例安全，制定本办法。中华人民共和国示例法的配套规定。\"}",
};
#define N_DOCS (sizeof docs / sizeof docs[0])

typedef struct fixture {
    char dir[64];
    zc_index *idx;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL || fx_tmpdir(f->dir, sizeof f->dir, "versions") != 0 ||
        fx_build_index(f->dir, "ngram", docs, N_DOCS, &f->idx) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_index_close(f->idx);
    fx_rmtree(f->dir);
    free(f);
    return 0;
}

static zc_results *run_on(zc_index *idx, const char *arg)
{
    zc_search_request *req = NULL;
    zc_results *r = NULL;
    zc_error err;
    if (zc_search_request_parse(arg, strlen(arg), &req, &err) != ZC_OK)
        fail_msg("parse %s: %s", arg, err.message);
    if (zc_search(idx, zc_search_request_opts(req), &r, &err) != ZC_OK)
        fail_msg("search %s: %s", arg, err.message);
    zc_search_request_free(req);
    return r;
}

static zc_results *run(void **state, const char *arg)
{
    return run_on(((fixture *)*state)->idx, arg);
}

/* "id[>version_of][=duplicate_of]" per hit, joined with ','. */
static void marks(const zc_results *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < zc_results_count(r); i++) {
        const zc_hit *h = zc_results_hit(r, i);
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s%s%s%s%s", i ? "," : "", h->id,
                 h->version_of ? ">" : "", h->version_of ? h->version_of : "",
                 h->duplicate_of ? "=" : "", h->duplicate_of ? h->duplicate_of : "");
    }
}

static void expect_marks(void **state, const char *arg, const char *want)
{
    zc_results *r = run(state, arg);
    char got[512];
    marks(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", arg, got, want);
    zc_results_free(r);
}

static void test_newest_version_first(void **state)
{
    /* Without the rule the short 2018 text ranks first for the exact
     * title; the 2022 text takes its place, and the 2018 one says whose
     * older version it is.  Every document stays its own hit. */
    expect_marks(state, "{\"q\":\"中华人民共和国示例法\",\"limit\":2}",
                 "law-new,law-old>law-new");
    zc_results *r = run(state, "{\"q\":\"中华人民共和国示例法\",\"limit\":2,\"snippet\":false}");
    char *json = NULL;
    zc_error err;
    assert_int_equal(zc_results_to_json(r, &json, NULL, &err), ZC_OK);
    if (strstr(json, "\"date\":\"2018-10-26\",\"issuer\":\"全国人民代表大会常务委员会\","
                     "\"version_of\":\"law-new\"}") == NULL ||
        strstr(json, "duplicates") != NULL || strstr(json, "\"versions\"") != NULL)
        fail_msg("reply: %s", json);
    zc_free(json);
    zc_results_free(r);
    /* The same order on every page. */
    expect_marks(state, "{\"q\":\"中华人民共和国示例法\",\"limit\":1}", "law-new");
    expect_marks(state, "{\"q\":\"中华人民共和国示例法\",\"limit\":1,\"offset\":1}",
                 "law-old>law-new");
    /* An English query has no proximity boosts (one pass): the same. */
    expect_marks(state, "zcrecords", "rec-new,rec-old>rec-new");
    expect_marks(state, "{\"q\":\"zcrecords\",\"offset\":1}", "rec-old>rec-new");
    /* Sorted by date, the order is the one asked for. */
    expect_marks(state, "{\"q\":\"中华人民共和国示例法\",\"sort\":\"date_asc\"}",
                 "law-old>law-new,other,law-new");
}

static void test_better_match_keeps_its_place(void **state)
{
    /* Its exact title: the newer text first ... */
    expect_marks(state, "{\"q\":\"示例农药管理条例\",\"limit\":2}",
                 "pest-2022,pest-2017>pest-2022");
    /* ... but the number of the order that issued the older text finds
     * that text first (the newer one only mentions it): a decidedly better
     * match keeps its place, and a collapsed answer shows it. */
    expect_marks(state, "{\"q\":\"国务院令第677号\",\"limit\":2}",
                 "pest-2017>pest-2022,pest-2022");
    zc_results *r = run(state, "{\"q\":\"国务院令第677号\",\"collapse\":true,\"facets\":[\"year\"]}");
    assert_int_equal(zc_results_total(r, NULL), 1);
    const zc_hit *h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "pest-2017");
    assert_string_equal(h->version_of, "pest-2022");
    size_t n = 0;
    const zc_facet_value *fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fv[0].value, "2017"); /* counted as the hit shown */
    zc_results_free(r);
}

static void test_duplicates(void **state)
{
    /* The publisher's copy (the later date) is preferred; the other is
     * its duplicate, not an older version. */
    expect_marks(state, "{\"q\":\"示例税收条例\"}", "reg-gov,reg-ref=reg-gov");
    expect_marks(state, "{\"q\":\"\\\"示例税收条例\\\"\",\"sort\":\"date_asc\"}",
                 "reg-ref=reg-gov,reg-gov");
}

static void test_same_title_other_orders(void **state)
{
    /* Two executive orders of one title: two documents, neither an older
     * version of the other. */
    zc_results *r = run(state, "{\"q\":\"Adjustments of Certain Rates of Pay\",\"collapse\":true}");
    char got[512];
    fx_sorted_ids(r, got, sizeof got);
    assert_string_equal(got, "eo-1,eo-2");
    assert_int_equal(zc_results_total(r, NULL), 2);
    for (size_t i = 0; i < 2; i++) {
        const zc_hit *h = zc_results_hit(r, i);
        assert_null(h->version_of);
        assert_null(h->duplicate_of);
        assert_int_equal(h->n_versions + h->n_duplicates, 0);
    }
    zc_results_free(r);
}

static void test_collapse(void **state)
{
    /* The law: one hit, the 2022 text, listing the 2018 one with its date. */
    zc_results *r = run(state, "{\"q\":\"中华人民共和国示例法\",\"collapse\":true}");
    int exact = 0;
    assert_int_equal(zc_results_total(r, &exact), 2); /* the law's group, "other" */
    assert_true(exact);
    assert_int_equal(zc_results_count(r), 2);
    const zc_hit *h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "law-new");
    assert_null(h->version_of);
    assert_int_equal(h->n_duplicates, 0);
    assert_int_equal(h->n_versions, 1);
    assert_string_equal(h->versions[0].id, "law-old");
    assert_string_equal(h->versions[0].date, "2018-10-26");
    assert_string_equal(zc_results_hit(r, 1)->id, "other");
    char *json = NULL;
    zc_error err;
    assert_int_equal(zc_results_to_json(r, &json, NULL, &err), ZC_OK);
    if (strstr(json, "\"duplicates\":[],\"versions\":[{\"id\":\"law-old\",\"date\":"
                     "\"2018-10-26\"}]}") == NULL ||
        strstr(json, "\"id\":\"other\"") == NULL)
        fail_msg("reply: %s", json);
    zc_free(json);
    zc_results_free(r);

    /* The regulation: one hit listing its duplicate; total and facets
     * count the group once. */
    r = run(state, "{\"q\":\"示例税收条例\",\"collapse\":true,\"facets\":[\"year\",\"issuer\"]}");
    assert_int_equal(zc_results_total(r, &exact), 1);
    assert_true(exact);
    h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "reg-gov");
    assert_int_equal(h->n_duplicates, 1);
    assert_string_equal(h->duplicates[0], "reg-ref");
    assert_int_equal(h->n_versions, 0);
    size_t n = 0;
    const zc_facet_value *fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fv[0].value, "2018");
    assert_int_equal(fv[0].count, 1);
    fv = zc_results_facet(r, ZC_FACET_ISSUER, &n);
    assert_int_equal(n, 1);
    assert_int_equal(fv[0].count, 1);
    zc_results_free(r);
    /* ... where without collapsing they count documents. */
    r = run(state, "{\"q\":\"示例税收条例\",\"facets\":[\"year\"]}");
    assert_int_equal(zc_results_total(r, NULL), 2);
    fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(fv[0].count, 2);
    zc_results_free(r);

    /* A query only the old text matches: the group shows the member that
     * matches, which is an older version of the preferred one. */
    r = run(state, "{\"q\":\"旧法独有条款\",\"collapse\":true,\"facets\":[\"year\"]}");
    assert_int_equal(zc_results_total(r, NULL), 1);
    h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "law-old");
    assert_string_equal(h->version_of, "law-new");
    assert_int_equal(h->n_versions, 1);
    assert_string_equal(h->versions[0].id, "law-new");
    fv = zc_results_facet(r, ZC_FACET_YEAR, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fv[0].value, "2018");
    zc_results_free(r);

    /* 9 documents (the English rules hold neither word): 6 groups (the
     * law, the regulation and the pesticide rules 2 each, the two orders
     * and "other" alone), facets by group. */
    r = run(state, "{\"q\":\"示例 OR pay\",\"collapse\":true,\"facets\":[\"lang\",\"year\"],"
                   "\"limit\":10}");
    assert_int_equal(zc_results_total(r, NULL), 6);
    assert_int_equal(zc_results_count(r), 6);
    fv = zc_results_facet(r, ZC_FACET_LANG, &n);
    assert_int_equal(n, 2);
    assert_string_equal(fv[0].value, "zh");
    assert_int_equal(fv[0].count, 4);
    assert_int_equal(fv[1].count, 2);
    zc_results_free(r);
}

static void test_documents_arriving_later(void **state)
{
    /* An index with the old edition only: nothing to say about it. */
    char dir[64];
    zc_index *idx = NULL;
    assert_int_equal(fx_tmpdir(dir, sizeof dir, "versions-add"), 0);
    assert_int_equal(fx_build_index(dir, "hybrid", docs, 1, &idx), 0);
    zc_results *r = run_on(idx, "{\"q\":\"中华人民共和国示例法\"}");
    char got[256];
    marks(r, got, sizeof got);
    assert_string_equal(got, "law-old");
    zc_results_free(r);
    /* The new edition arrives (as ADD would send it): the group forms. */
    zc_index *w = NULL;
    zc_error err;
    assert_int_equal(zc_index_open(dir, ZC_OPEN_WRITE, &w, &err), ZC_OK);
    assert_int_equal(zc_index_add_json(w, docs[1], strlen(docs[1]), NULL, &err), ZC_OK);
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    zc_index_close(w);
    assert_int_equal(zc_index_reopen(idx, NULL, &err), ZC_OK);
    r = run_on(idx, "{\"q\":\"中华人民共和国示例法\"}");
    marks(r, got, sizeof got);
    assert_string_equal(got, "law-new,law-old>law-new");
    zc_results_free(r);
    zc_index_close(idx);
    fx_rmtree(dir);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_version_first),
        cmocka_unit_test(test_better_match_keeps_its_place),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_same_title_other_orders),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_documents_arriving_later),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
