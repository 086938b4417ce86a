/* test_query_plan.c — query planning (lib/qplan.c) and the facts the
 * compiler gathers for it (lib/qcompile.c), with no index: which ranking-
 * only parts a query gets, their weights and order, and what each query's
 * structure allows.
 *
 * Owns nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/analyzer.h"
#include "lib/qcompile.h"
#include "lib/qparse.h"
#include "lib/qplan.h"
#include "lib/zhengce.h"

static void plan_of(const char *q, int any, zc_qplan *p)
{
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse(q, strlen(q), &t, NULL), ZC_OK);
    zc_qplan_make(t, any, p);
    zc_qtree_free(t);
}

static void test_structure(void **state)
{
    (void)state;
    static const struct {
        const char *q;
        int prox, plain;
    } cases[] = {
        {"老工业基地 振兴", 1, 1},
        {"revitalize \"old industrial\"", 1, 1},
        {"国发〔2016〕62号", 1, 1},       /* a docno word: a compile-time fact */
        {"东北 OR 西北", 0, 1},
        {"(东北) 振兴", 0, 1},
        {"title:振兴 东北", 0, 1},
        {"issuer:国务院 东北", 0, 1},
        {"docno:国发〔2016〕62号", 0, 1},
        {"docno:\"〔〕\" 东北", 0, 1},       /* searched as text, still a field */
        {"振兴 -东北", 1, 0},
        {"振兴 NOT 东北", 1, 0},
        {"lang:zh 振兴", 1, 0},
        {"lang:fr 振兴", 1, 0},
        {"-(东北) 振兴", 0, 0},
        {"振兴 (东北", 1, 1},              /* plain words: no structure left */
        {"a OR", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_qplan p;
        plan_of(cases[i].q, 0, &p);
        if (p.prox != cases[i].prox || p.plain != cases[i].plain)
            fail_msg("%s: prox %d plain %d, want %d %d", cases[i].q, p.prox, p.plain,
                     cases[i].prox, cases[i].plain);
        assert_int_equal(p.match_any, 0);
        plan_of(cases[i].q, 7, &p);
        assert_int_equal(p.match_any, 1);
    }
}

/* The boosts as a string of kinds, e.g. "K A T W P N" (rescoring ones in
 * lower case), and their weights. */
static void boosts_str(const zc_qplan *p, const zc_qfacts *f, zc_seg_mode mode, int split,
                       char *out, double *w)
{
    static const char kinds[] = "KATWPN";
    zc_qboost b[ZC_QPLAN_MAX_BOOSTS];
    size_t n = zc_qplan_boosts(p, f, mode, split, b);
    assert_true(n <= ZC_QPLAN_MAX_BOOSTS);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = kinds[b[i].kind];
        out[k++] = b[i].rescore ? (char)(c - 'A' + 'a') : c;
        w[i] = b[i].scale ? b[i].weight : -1.0;   /* -1: unscaled */
        assert_true(b[i].scale || b[i].weight == 1.0);
    }
    out[k] = '\0';
}

static void test_boosts(void **state)
{
    (void)state;
    zc_qplan all = {.match_any = 0, .prox = 1, .plain = 1};
    zc_qplan any = {.match_any = 1, .prox = 1, .plain = 1};
    zc_qplan nested = {.match_any = 0, .prox = 0, .plain = 1};
    /* two free-text words, English */
    zc_qfacts two = {.units = 2, .prox_parts = 2, .prox_terms = 2, .title_units = 2,
                     .title_key = 1};
    char s[ZC_QPLAN_MAX_BOOSTS + 1];
    double w[ZC_QPLAN_MAX_BOOSTS];
    boosts_str(&all, &two, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "KATPN");
    assert_true(w[0] == 5.0 && w[1] == 1.0 && w[2] == -1.0 && w[3] == 3.0 && w[4] == 0.5);
    /* match any: no title parts, the phrase weighs 1 */
    zc_qfacts two_any = two;
    two_any.title_key = 0;
    boosts_str(&any, &two_any, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "PN");
    assert_true(w[0] == 1.0 && w[1] == 0.5);
    /* OR or parentheses: no proximity */
    boosts_str(&nested, &two_any, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "AT");
    /* a CJK term: the proximity parts rescore, when split, but in words mode */
    zc_qfacts cjk = two;
    cjk.prox_cjk = 1;
    cjk.words = 1;
    boosts_str(&all, &cjk, ZC_SEG_HYBRID, 1, s, w);
    assert_string_equal(s, "KATWpn");
    boosts_str(&all, &cjk, ZC_SEG_HYBRID, 0, s, w);
    assert_string_equal(s, "KATWPN");
    boosts_str(&all, &cjk, ZC_SEG_WORDS, 1, s, w);
    assert_string_equal(s, "KATWPN");
    /* the text a document number: not the titles citing it */
    zc_qfacts num = two;
    num.whole_docno = 1;
    boosts_str(&all, &num, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "KTPN");
    /* one unit: its title form, no all-in-title, no proximity */
    zc_qfacts one = {.units = 1, .prox_parts = 1, .prox_terms = 4, .title_units = 1};
    boosts_str(&all, &one, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "T");
    /* a docno word, or too many terms: no proximity */
    zc_qfacts dn = two;
    dn.docno_word = 1;
    boosts_str(&all, &dn, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "KAT");
    zc_qfacts many = two;
    many.prox_terms = ZC_QPLAN_PROX_MAX_TERMS + 1;
    boosts_str(&all, &many, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "KAT");
    many.prox_terms = ZC_QPLAN_PROX_MAX_TERMS;
    boosts_str(&all, &many, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "KATPN");
    /* nothing at all */
    zc_qfacts none = {0};
    boosts_str(&any, &none, ZC_SEG_NGRAM, 1, s, w);
    assert_string_equal(s, "");
}

static void test_whole_text(void **state)
{
    (void)state;
    zc_qplan all = {.match_any = 0, .prox = 1, .plain = 1};
    zc_qplan neg = {.match_any = 0, .prox = 1, .plain = 0};
    zc_qplan any = {.match_any = 1, .prox = 1, .plain = 1};
    zc_qfacts f = {.units = 3};
    assert_true(zc_qplan_want_title_key(&all, &f));
    assert_false(zc_qplan_want_title_key(&neg, &f));
    assert_false(zc_qplan_want_title_key(&any, &f));
    const char *eo = "Executive Order 13771";
    assert_true(zc_qplan_want_whole_docno(&all, &f, eo, strlen(eo)));
    const char *fw = "国发 〔２０１６〕 ６２号";   /* full-width digits count */
    assert_true(zc_qplan_want_whole_docno(&all, &f, fw, strlen(fw)));
    const char *nod = "北京市 邮政 管理";
    assert_false(zc_qplan_want_whole_docno(&all, &f, nod, strlen(nod)));
    f.units = 1;   /* one word is tried alone already */
    assert_false(zc_qplan_want_whole_docno(&all, &f, eo, strlen(eo)));
    f.units = 0;
    assert_false(zc_qplan_want_title_key(&all, &f));
    f.units = 2;
    f.docno_word = 1;
    assert_false(zc_qplan_want_title_key(&all, &f));
}

static void test_stopwords(void **state)
{
    (void)state;
    static const char *const yes[] = {"the", "a", "with", "their", "not", "or"};
    static const char *const no[] = {"northeast", "", "thee", "的", "them", "THE"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(zc_qplan_is_stopword(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(zc_qplan_is_stopword(no[i], strlen(no[i])));
}

/* ---- the facts the compiler gathers (an analyzer, no index) --------------- */

static zc_status facts_of(zc_analyzer *a, const char *q, int any, zc_qfacts *f)
{
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse(q, strlen(q), &t, NULL), ZC_OK);
    zc_qplan p;
    zc_qplan_make(t, any, &p);
    zc_xap_query *x = NULL;
    zc_status st = zc_qcompile(a, t, &p, &x, NULL, NULL, NULL, NULL, f, NULL, NULL);
    assert_true((st == ZC_OK) == (x != NULL));
    zc_xap_query_free(x);
    zc_qtree_free(t);
    return st;
}

static void test_compile_facts(void **state)
{
    (void)state;
    zc_analyzer *a = NULL;
    assert_int_equal(zc_analyzer_new(ZC_SEG_NGRAM, &a, NULL), ZC_OK);
    zc_qfacts f;
    /* two CJK words: 老工 工业 业基 基地 + 振兴 as the proximity phrase */
    assert_int_equal(facts_of(a, "老工业基地 振兴", 0, &f), ZC_OK);
    assert_int_equal(f.units, 2);
    assert_int_equal(f.prox_parts, 2);
    assert_int_equal(f.prox_terms, 5);
    assert_true(f.prox_cjk);
    assert_int_equal(f.title_units, 2);
    assert_false(f.docno_word);
    assert_true(f.title_key);
    /* English words: no CJK term */
    assert_int_equal(facts_of(a, "regarding issues", 0, &f), ZC_OK);
    assert_int_equal(f.prox_terms, 2);
    assert_false(f.prox_cjk);
    /* a negated word is no unit; a title: word no free text */
    assert_int_equal(facts_of(a, "振兴 -东北 title:规划", 0, &f), ZC_OK);
    assert_int_equal(f.units, 1);
    assert_int_equal(f.title_units, 1);
    assert_false(f.title_key);   /* not plain */
    /* a document number word */
    assert_int_equal(facts_of(a, "国发〔2016〕62号", 0, &f), ZC_OK);
    assert_true(f.docno_word);
    assert_int_equal(f.units, 0);
    /* stopwords only: read again keeping them */
    assert_int_equal(facts_of(a, "the who", 0, &f), ZC_OK);
    assert_int_equal(f.units, 2);
    /* a stopword beside a word is dropped, still a unit of the text */
    assert_int_equal(facts_of(a, "the northeast", 0, &f), ZC_OK);
    assert_int_equal(f.units, 2);
    assert_int_equal(f.title_units, 1);
    /* nothing positive: refused, facts cleared */
    f.units = 99;
    assert_int_equal(facts_of(a, "-东北", 0, &f), ZC_EINVAL);
    assert_int_equal(f.units, 0);
    assert_int_equal(facts_of(a, "lang:zh", 0, &f), ZC_EINVAL);
    zc_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_boosts),
        cmocka_unit_test(test_whole_text),
        cmocka_unit_test(test_stopwords),
        cmocka_unit_test(test_compile_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
