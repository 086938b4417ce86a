/* test_authority.c — the authority classifier (lib/authority.h): the
 * golden table of real documents (tests/unit/golden/authority.tsv), the
 * bodies of joint issuers, the codes and the prior's order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "lib/authority.h"

/* The next tab-separated field of *p (moved past it); NULL when none. */
static char *field(char **p)
{
    if (*p == NULL)
        return NULL;
    char *f = *p, *tab = strchr(f, '\t');
    if (tab != NULL) {
        *tab = '\0';
        *p = tab + 1;
    } else {
        *p = NULL;
    }
    return f;
}

static void test_golden_table(void **state)
{
    (void)state;
    FILE *fp = open_golden("authority.tsv");
    char line[4096];
    int cases = 0, bad = 0, lineno = 0;
    char *rest;
    int seen_level[ZC_LEVEL_COUNT] = {0}, seen_tier[ZC_TIER_COUNT] = {0};
    while ((rest = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        const char *issuer = line;
        const char *title = field(&rest), *docno = field(&rest), *lang = field(&rest);
        const char *want = field(&rest);
        assert_non_null(want);
        zc_authority a = zc_authority_classify(issuer, strlen(issuer), title, strlen(title), docno,
                                               strlen(docno), lang, strlen(lang));
        char got[64];
        const char *tier = zc_authority_tier_name(a.tier);
        snprintf(got, sizeof got, "%s %s", zc_authority_level_name(a.level), tier[0] ? tier : "-");
        if (strcmp(got, want) != 0) {
            print_error("authority.tsv:%d: [%s|%s|%s|%s] -> [%s], expected [%s]\n", lineno, issuer,
                        title, docno, lang, got, want);
            bad++;
        }
        seen_level[a.level]++;
        seen_tier[a.tier]++;
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 50);
    assert_int_equal(bad, 0);
    /* the table covers every level and every tier */
    for (int i = 0; i < ZC_LEVEL_COUNT; i++)
        assert_true(seen_level[i] > 0);
    for (int i = 0; i < ZC_TIER_COUNT; i++)
        assert_true(seen_tier[i] > 0);
}

/* The bodies of s, joined by '|'. */
static void bodies(const char *s, char *out, size_t cap)
{
    size_t pos = 0, st = 0, bl = 0, o = 0;
    out[0] = '\0';
    while (zc_authority_next_body(s, strlen(s), &pos, &st, &bl)) {
        int n = snprintf(out + o, cap - o, "%s%.*s", o ? "|" : "", (int)bl, s + st);
        o += (size_t)n;
    }
}

static void test_joint_issuers(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"中共中央、国务院", "中共中央|国务院"},
        {"中共中央 国务院", "中共中央|国务院"},
        {"中共中央\xe3\x80\x80国务院", "中共中央|国务院"}, /* ideographic space */
        {"国务院，中央军委", "国务院|中央军委"},
        {"财政部；国家税务总局", "财政部|国家税务总局"},
        {"公安部/外交部／交通部", "公安部|外交部|交通部"},
        {"监察部、人事部、中国人民银行、海关总署、国家外汇管理局",
         "监察部|人事部|中国人民银行|海关总署|国家外汇管理局"},
        {"CPC Central Committee, State Council", "CPC Central Committee|State Council"},
        {"President William J. Clinton", "President William J. Clinton"},
        {"  国务院  ", "国务院"},
        {"国务院、、", "国务院"},
        {"、 、", ""},
        {"", ""},
    };
    char got[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bodies(cases[i][0], got, sizeof got);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("[%s] -> [%s], expected [%s]", cases[i][0], got, cases[i][1]);
    }
}

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < ZC_LEVEL_COUNT; i++) {
        const char *n = zc_authority_level_name((zc_level)i);
        zc_level l;
        assert_true(n[0] != '\0');
        assert_true(zc_authority_level_from_name(n, strlen(n), &l));
        assert_int_equal(l, i);
    }
    for (int i = 1; i < ZC_TIER_COUNT; i++) {
        const char *n = zc_authority_tier_name((zc_tier)i);
        zc_tier t;
        assert_true(zc_authority_tier_from_name(n, strlen(n), &t));
        assert_int_equal(t, i);
    }
    zc_level l;
    zc_tier t;
    /* exact codes only: no case folding, no prefixes, tiers are not levels */
    assert_false(zc_authority_level_from_name("Law", 3, &l));
    assert_false(zc_authority_level_from_name("la", 2, &l));
    assert_false(zc_authority_level_from_name("central", 7, &l));
    assert_false(zc_authority_tier_from_name("law", 3, &t));
    assert_false(zc_authority_tier_from_name("", 0, &t));
    assert_string_equal(zc_authority_tier_name(ZC_TIER_NONE), "");
    assert_string_equal(zc_authority_level_name((zc_level)99), "");
}

/* The order the issue asks for: law > admin_reg > dept_rule > local_reg >
 * local_rule > normative, and within a level central > provincial >
 * municipal > county > unknown. */
static void test_prior_order(void **state)
{
    (void)state;
    static const zc_level order[] = {ZC_LEVEL_LAW,       ZC_LEVEL_ADMIN_REG,  ZC_LEVEL_DEPT_RULE,
                                     ZC_LEVEL_LOCAL_REG, ZC_LEVEL_LOCAL_RULE, ZC_LEVEL_NORMATIVE};
    static const zc_tier tiers[] = {ZC_TIER_CENTRAL, ZC_TIER_PROVINCIAL, ZC_TIER_MUNICIPAL,
                                    ZC_TIER_COUNTY, ZC_TIER_NONE};
    for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++)
        for (size_t a = 0; a < sizeof tiers / sizeof tiers[0]; a++)
            for (size_t b = 0; b < sizeof tiers / sizeof tiers[0]; b++)
                assert_true(zc_authority_prior(order[i], tiers[a]) >
                            zc_authority_prior(order[i + 1], tiers[b]));
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        for (size_t a = 0; a + 1 < sizeof tiers / sizeof tiers[0]; a++)
            assert_true(zc_authority_prior(order[i], tiers[a]) >=
                        zc_authority_prior(order[i], tiers[a + 1]));
    assert_true(zc_authority_prior(ZC_LEVEL_LAW, ZC_TIER_CENTRAL) == 1.0);
    assert_true(zc_authority_prior(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE) == 0.0);
    assert_true(zc_authority_prior(ZC_LEVEL_LOCAL_REG, ZC_TIER_PROVINCIAL) >
                zc_authority_prior(ZC_LEVEL_LOCAL_REG, ZC_TIER_MUNICIPAL));
    assert_true(zc_authority_prior((zc_level)99, ZC_TIER_NONE) == 0.0);
}

/* Bad bytes and absent fields never match a rule, and never crash. */
static void test_hostile_input(void **state)
{
    (void)state;
    zc_authority a = zc_authority_classify(NULL, 5, NULL, 5, NULL, 5, NULL, 5);
    assert_int_equal(a.level, ZC_LEVEL_NORMATIVE);
    assert_int_equal(a.tier, ZC_TIER_NONE);
    const char bad[] = "\xe5\x9b\xbd\xff\xe5\x8a\xa1\xe9\x99\xa2"; /* 国 0xFF 务院 */
    a = zc_authority_classify(bad, sizeof bad - 1, "\xe6", 1, "\xe4\xbb", 2, "zh", 2);
    assert_int_equal(a.level, ZC_LEVEL_NORMATIVE);
    /* a title that is only a parenthesized note */
    a = zc_authority_classify("", 0, "（试行）", strlen("（试行）"), "", 0, "zh", 2);
    assert_int_equal(a.level, ZC_LEVEL_NORMATIVE);
    /* the longest prefix in one byte short of the name: no match */
    a = zc_authority_classify("国务", strlen("国务"), "节约用水条例", strlen("节约用水条例"), "", 0,
                              "zh", 2);
    assert_int_not_equal(a.level, ZC_LEVEL_ADMIN_REG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_table),     cmocka_unit_test(test_joint_issuers),
        cmocka_unit_test(test_names_round_trip), cmocka_unit_test(test_prior_order),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
