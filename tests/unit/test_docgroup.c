/* test_docgroup.c — what a document carries for duplicates and versions
 * (lib/docgroup.h): edition markers stripped from titles, order numbers
 * kept out of the key, the key itself (one regulation from two sources,
 * one law in two editions, two executive orders of one title), the body
 * fingerprint and the stamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/analyzer.h"
#include "lib/docgroup.h"
#include "lib/docmodel.h"
#include "lib/zhengce.h"

static zc_analyzer *an;

static int setup(void **state)
{
    (void)state;
    zc_error err;
    if (zc_analyzer_new(ZC_SEG_NGRAM, &an, &err) != ZC_OK) {
        fprintf(stderr, "analyzer: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zc_analyzer_free(an);
    return 0;
}

static void title_is(const char *title, const char *want)
{
    size_t n = zc_docgroup_title_len(title, strlen(title));
    if (n != strlen(want) || memcmp(title, want, n) != 0)
        fail_msg("title_len(%s) kept \"%.*s\", want \"%s\"", title, (int)n, title, want);
}

static void test_edition_markers(void **state)
{
    (void)state;
    /* stripped: an edition word with dates, counts and spaces around it */
    title_is("中华人民共和国农产品质量安全法（2018年修正）", "中华人民共和国农产品质量安全法");
    title_is("农药管理条例(2022修订)", "农药管理条例");
    title_is("农药管理条例 （２０２２年３月２９日第二次修订）", "农药管理条例");
    title_is("公司法【2023修订】〔2018年10月26日修正〕", "公司法");
    title_is("上海市住宅物业管理规定（修正本）", "上海市住宅物业管理规定");
    title_is("Clean Air Act (as amended)", "Clean Air Act");
    title_is("Federal Records Act (Revised 2014) ", "Federal Records Act");
    title_is("中華人民共和國統計法（2009年修訂）", "中華人民共和國統計法");
    /* kept: documents of their own, or brackets that say something else */
    title_is("中华人民共和国刑法修正案（十一）", "中华人民共和国刑法修正案（十一）");
    title_is("中华人民共和国宪法修正案（1988年）", "中华人民共和国宪法修正案（1988年）");
    title_is("中华人民共和国民法典（总则）", "中华人民共和国民法典（总则）");
    title_is("医疗机构制剂配制质量管理规范（试行）", "医疗机构制剂配制质量管理规范（试行）");
    title_is("国务院关于修改《农药管理条例》的决定（二〇二二）",
             "国务院关于修改《农药管理条例》的决定（二〇二二）");
    title_is("关于修订草案的说明（修订草案）", "关于修订草案的说明（修订草案）");
    title_is("（2018年修正）", "（2018年修正）");
    title_is("Amendments (revised list of X)", "Amendments (revised list of X)");
    title_is("", "");
}

static void test_order_numbers(void **state)
{
    (void)state;
    static const char *const orders[] = {
        "国令第707号", "国务院令第707号", "国务院、中央军事委员会令第413号",
        "中华人民共和国主席令第二十九号", "财政部令第6号", "公安部令 第16号",
    };
    static const char *const names[] = {
        "国办函〔2018〕71号", "国发[2016]62号", "Executive Order 13769", "沪府规〔2024〕3号",
    };
    for (size_t i = 0; i < sizeof orders / sizeof *orders; i++)
        if (!zc_docgroup_docno_is_order(orders[i], strlen(orders[i])))
            fail_msg("%s is an order number", orders[i]);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (zc_docgroup_docno_is_order(names[i], strlen(names[i])))
            fail_msg("%s names its document", names[i]);
    assert_false(zc_docgroup_docno_is_order("", 0));
}

/* The group key of the JSON document json into hex. */
static void key_of(const char *json, char hex[ZC_DOCGROUP_KEY_CHARS + 1])
{
    zc_doc *d = NULL;
    zc_error err;
    if (zc_doc_parse(json, strlen(json), &d, &err) != ZC_OK)
        fail_msg("parse %s: %s", json, err.message);
    assert_int_equal(zc_docgroup_key(an, d, hex, &err), ZC_OK);
    assert_int_equal(strlen(hex), ZC_DOCGROUP_KEY_CHARS);
    zc_doc_free(d);
}

static void test_keys(void **state)
{
    (void)state;
    char a[17], b[17];
    /* One regulation from two sources: the order numbers differ in the
     * issuer's abbreviation, the title is the same. */
    key_of("{\"id\":\"govcn-5351177\",\"title\":\"中华人民共和国个人所得税法实施条例\","
           "\"docno\":\"国令第707号\",\"date\":\"2018-12-22\"}", a);
    key_of("{\"id\":\"lawref-f8887263df7f\",\"title\":\"中华人民共和国个人所得税法实施条例\","
           "\"docno\":\"国务院令第707号\",\"date\":\"2018-12-18\"}", b);
    assert_string_equal(a, b);
    /* Two editions of one regulation: a new order number, or an edition
     * marker in the title, do not split them. */
    key_of("{\"id\":\"a\",\"title\":\"农药管理条例\",\"docno\":\"国务院令第677号\"}", a);
    key_of("{\"id\":\"b\",\"title\":\"农药管理条例（2022年修订）\",\"docno\":\"国务院令第216号\"}", b);
    assert_string_equal(a, b);
    /* Spacing, width and Traditional characters do not count. */
    key_of("{\"id\":\"a\",\"title\":\"中华人民共和国统计法\"}", a);
    key_of("{\"id\":\"b\",\"title\":\"中華人民共和國 統計法\"}", b);
    assert_string_equal(a, b);
    /* Two executive orders of one title are two documents: their numbers
     * name them. */
    key_of("{\"id\":\"us-eo-13322\",\"title\":\"Adjustments of Certain Rates of Pay\","
           "\"docno\":\"Executive Order 13322\"}", a);
    key_of("{\"id\":\"us-eo-13368\",\"title\":\"Adjustments of Certain Rates of Pay\","
           "\"docno\":\"Executive Order 13368\"}", b);
    assert_string_not_equal(a, b);
    /* ... while one order spelled two ways is one. */
    key_of("{\"id\":\"x\",\"title\":\"T\",\"docno\":\"国办函〔2018〕71号\"}", a);
    key_of("{\"id\":\"y\",\"title\":\"T\",\"docno\":\"国办函[2018]71号\"}", b);
    assert_string_equal(a, b);
    /* Other titles are other groups; a title without words is its own. */
    key_of("{\"id\":\"a\",\"title\":\"中华人民共和国统计法\"}", a);
    key_of("{\"id\":\"b\",\"title\":\"中华人民共和国统计法实施条例\"}", b);
    assert_string_not_equal(a, b);
    key_of("{\"id\":\"a\",\"title\":\"！！\"}", a);
    key_of("{\"id\":\"b\",\"title\":\"！！\"}", b);
    assert_string_not_equal(a, b);
}

static const char law[] =
    "第一条 为了保障农产品质量安全，维护公众健康，促进农业和农村经济发展，制定本法。\n"
    "第二条 本法所称农产品，是指来源于种植业、林业、畜牧业和渔业等的初级产品，即在农业活动中"
    "获得的植物、动物、微生物及其产品。\n"
    "第三条 与农产品质量安全有关的农产品生产经营及其监督管理活动，适用本法。\n"
    "第四条 国家加强农产品质量安全工作，实行源头治理、风险管理、全程控制，建立科学、严格的"
    "监督管理制度，构建协同、高效的社会共治体系。\n"
    "第五条 国务院农业农村主管部门、市场监督管理部门依照本法和规定的职责，对农产品质量安全实施"
    "监督管理。\n";

static void test_fingerprint(void **state)
{
    (void)state;
    uint8_t a[ZC_DOCGROUP_FP_HASHES], b[ZC_DOCGROUP_FP_HASHES];
    char sa[ZC_DOCGROUP_STAMP_MAX + 1], sb[ZC_DOCGROUP_STAMP_MAX + 1];
    assert_true(zc_docgroup_fingerprint(an, law, strlen(law), a) > 100);
    /* Line breaks, spaces, bracket and digit width: the same text. */
    char *re = strdup(law);
    for (char *p = re; *p; p++)
        if (*p == '\n')
            *p = ' ';
    zc_docgroup_fingerprint(an, re, strlen(re), b);
    assert_memory_equal(a, b, sizeof a);
    free(re);

    /* Stamps built from documents: the same body, a lightly edited one,
     * another law. */
    const char *docs[3] = {
        "{\"id\":\"a\",\"title\":\"T\",\"date\":\"2022-09-02\",\"body\":\"%s\"}",
        "{\"id\":\"b\",\"title\":\"T\",\"date\":\"2022-09-20\",\"docno\":\"x令第1号\","
        "\"body\":\"%s第六条 附则。\"}",
        "{\"id\":\"c\",\"title\":\"T\",\"body\":\"Sec. 1. Policy. It is the policy of the "
        "United States to promote the health of its citizens.\"}",
    };
    char *body = strdup(law);
    for (char *p = body; *p; p++)
        if (*p == '\n')
            *p = ' ';
    char *stamps[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        char json[4096];
        snprintf(json, sizeof json, docs[i], body);
        zc_doc *d = NULL;
        zc_error err;
        assert_int_equal(zc_doc_parse(json, strlen(json), &d, &err), ZC_OK);
        char *s = i == 0 ? sa : i == 1 ? sb : malloc(ZC_DOCGROUP_STAMP_MAX + 1);
        lens[i] = zc_docgroup_stamp(an, d, s);
        stamps[i] = s;
        zc_doc_free(d);
    }
    free(body);
    assert_int_equal(lens[0], ZC_DOCGROUP_STAMP_MAX);
    assert_memory_equal(sa, "20220902", 8);
    assert_int_equal(sa[8], '0');                 /* no document number */
    assert_int_equal(sb[8], '1');
    assert_true(memcmp(sb, sa, ZC_DOCGROUP_STAMP_HEAD) > 0); /* newer: preferred */
    assert_memory_equal(stamps[2], "00000000", 8); /* undated */
    double same = zc_docgroup_resemblance(sa, lens[0], sb, lens[1]);
    double other = zc_docgroup_resemblance(sa, lens[0], stamps[2], lens[2]);
    if (!(same >= 0.8) || !(other < 0.2))
        fail_msg("resemblance: edited %.3f (want >= 0.8), other %.3f (want < 0.2)", same,
                 other);
    assert_true(zc_docgroup_resemblance(sa, lens[0], sa, lens[0]) == 1.0);
    assert_int_equal(zc_docgroup_days_apart(sa, lens[0], sb, lens[1]), 18);
    assert_int_equal(zc_docgroup_days_apart(sa, lens[0], stamps[2], lens[2]), -1);
    assert_true(zc_docgroup_resemblance(sa, 5, sb, lens[1]) < 0); /* malformed */
    free(stamps[2]);

    /* Too short for a shingle: no fingerprint, and never "the same". */
    assert_int_equal(zc_docgroup_fingerprint(an, "法规", 6, a), 0);
    zc_doc *d = NULL;
    zc_error err;
    const char *j = "{\"id\":\"s\",\"title\":\"法规\",\"date\":\"2001\"}";
    assert_int_equal(zc_doc_parse(j, strlen(j), &d, &err), ZC_OK);
    size_t n = zc_docgroup_stamp(an, d, sa);
    zc_doc_free(d);
    assert_int_equal(n, ZC_DOCGROUP_STAMP_HEAD);
    assert_memory_equal(sa, "200101010", 9);
    assert_true(zc_docgroup_resemblance(sa, n, sa, n) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edition_markers),
        cmocka_unit_test(test_order_numbers),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_fingerprint),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
