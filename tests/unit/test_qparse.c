/* test_qparse.c — the query lexer and parser (lib/qlex.c, lib/qparse.c,
 * lib/qtree.c): query text to the printed tree, with no analyzer and no
 * index.  Table-driven: each case is a query and the tree it must print
 * (the format of qtree.h).
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

#include "lib/limits.h"
#include "lib/qlex.h"
#include "lib/qparse.h"
#include "lib/qtree.h"
#include "lib/zhengce.h"

typedef struct tcase {
    const char *q;
    const char *tree;
} tcase;

/* Parses q and returns its printed tree (free it); fails the test on any
 * error. */
static char *tree_of(const char *q, size_t len)
{
    zc_qtree *t = NULL;
    zc_error err;
    zc_status st = zc_qparse(q, len, &t, &err);
    if (st != ZC_OK)
        fail_msg("%s: status %d (%s)", q, st, err.message);
    assert_non_null(t);
    assert_non_null(t->root);
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(zc_qtree_print(t, &s, &n, &err), ZC_OK);
    assert_int_equal(strlen(s), n);
    zc_qtree_free(t);
    return s;
}

static void check_cases(const tcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = tree_of(cases[i].q, strlen(cases[i].q));
        if (strcmp(got, cases[i].tree) != 0)
            fail_msg("query [%s]\n  want %s\n  got  %s", cases[i].q, cases[i].tree, got);
        free(got);
    }
}

#define CHECK(cases) check_cases(cases, sizeof cases / sizeof cases[0])

/* ---- words and phrases ----------------------------------------------------- */

static void test_words(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"振兴", "(word \"振兴\")"},
        {"老工业基地 振兴", "(and (word \"老工业基地\") (word \"振兴\"))"},
        {"revitalize northeast", "(and (word \"revitalize\") (word \"northeast\"))"},
        {"  padded\t", "(word \"padded\")"},
        /* NBSP and the ideographic space separate words too */
        {"东北\xC2\xA0振兴", "(and (word \"东北\") (word \"振兴\"))"},
        {"东北\xE3\x80\x80振兴", "(and (word \"东北\") (word \"振兴\"))"},
        {"a\nb\rc\vd\fe", "(and (word \"a\") (word \"b\") (word \"c\") (word \"d\") (word \"e\"))"},
        /* a '-' inside a word, or doubled, or alone, is part of a word */
        {"x-ray COVID-19", "(and (word \"x-ray\") (word \"COVID-19\"))"},
        {"--a", "(word \"--a\")"},
        {"a - b", "(and (word \"a\") (word \"-\") (word \"b\"))"},
        /* lower-case operators are words (stopwords, dropped later) */
        {"and or not", "(and (word \"and\") (word \"or\") (word \"not\"))"},
        /* an unknown field is part of the word */
        {"foo:bar", "(word \"foo:bar\")"},
        {"http://example.com", "(word \"http://example.com\")"},
        /* mixed scripts, full width */
        {"ＡＢＣ１２３ GDP增长", "(and (word \"ＡＢＣ１２３\") (word \"GDP增长\"))"},
    };
    CHECK(cases);
}

static void test_phrases(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"\"老工业 基地\"", "(phrase \"老工业 基地\")"},
        {"\"northeast old industrial\"", "(phrase \"northeast old industrial\")"},
        /* curly and full-width quotes, in any pairing */
        {"\xE2\x80\x9C振兴东北\xE2\x80\x9D", "(phrase \"振兴东北\")"},
        {"\xEF\xBC\x82振兴东北\xEF\xBC\x82", "(phrase \"振兴东北\")"},
        {"\"振兴东北\xE2\x80\x9D", "(phrase \"振兴东北\")"},
        /* a phrase needs no space around it */
        {"a\"b c\"d", "(and (word \"a\\\"b\") (word \"c\\\"d\"))"},
        {"\"b c\"d", "(and (phrase \"b c\") (word \"d\"))"},
        {"东北 \"老工业 基地\" 振兴",
         "(and (word \"东北\") (phrase \"老工业 基地\") (word \"振兴\"))"},
        /* operators and parentheses inside quotes are text */
        {"\"a OR (b)\"", "(phrase \"a OR (b)\")"},
        /* the spaces inside are kept: the compiler reads gaps there */
        {"\" 老工业  基地 \"", "(phrase \" 老工业  基地 \")"},
        {"tab\t\"q\\\"", "(and (word \"tab\") (phrase \"q\\\\\"))"},
    };
    CHECK(cases);
}

/* ---- operators ------------------------------------------------------------- */

static void test_boolean(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"a AND b", "(and (word \"a\") (word \"b\"))"},
        {"alpha OR gamma", "(or (word \"alpha\") (word \"gamma\"))"},
        /* AND binds tighter than OR, explicit or implicit */
        {"a OR b c", "(or (word \"a\") (and (word \"b\") (word \"c\")))"},
        {"a b OR c d",
         "(or (and (word \"a\") (word \"b\")) (and (word \"c\") (word \"d\")))"},
        {"a AND b OR c", "(or (and (word \"a\") (word \"b\")) (word \"c\"))"},
        {"东北 OR 西北 OR 华北", "(or (word \"东北\") (word \"西北\") (word \"华北\"))"},
        /* a NOT b is a AND NOT b */
        {"a NOT b", "(and (word \"a\") (not (word \"b\")))"},
        {"a AND NOT b", "(and (word \"a\") (not (word \"b\")))"},
        {"NOT a", "(not (word \"a\"))"},
        {"振兴 NOT 东北 OR 西北",
         "(or (and (word \"振兴\") (not (word \"东北\"))) (word \"西北\"))"},
        /* '-' before a word, a phrase or a group */
        {"-a b", "(and (not (word \"a\")) (word \"b\"))"},
        {"-\"a b\" c", "(and (not (phrase \"a b\")) (word \"c\"))"},
        {"-(a b) c", "(and (not (group (and (word \"a\") (word \"b\")))) (word \"c\"))"},
        {"老工业基地 -城市", "(and (word \"老工业基地\") (not (word \"城市\")))"},
        /* NOT -x: the second negation is the '-' */
        {"a NOT -b", "(and (word \"a\") (not (not (word \"b\"))))"},
        /* an operator after '-' is a word */
        {"a -OR", "(and (word \"a\") (not (word \"OR\")))"},
    };
    CHECK(cases);
}

static void test_groups(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"(a OR b) c", "(and (group (or (word \"a\") (word \"b\"))) (word \"c\"))"},
        {"((振兴))", "(group (group (word \"振兴\")))"},
        {"c (a OR b)", "(and (word \"c\") (group (or (word \"a\") (word \"b\"))))"},
        {"NOT (a b)", "(not (group (and (word \"a\") (word \"b\"))))"},
        {"(a OR (b NOT c)) d",
         "(and (group (or (word \"a\") (group (and (word \"b\") (not (word \"c\")))))) "
         "(word \"d\"))"},
        /* parentheses inside a word belong to it (document numbers) */
        {"国发(2016)62号", "(word \"国发(2016)62号\" docno \"国发.2016.62.号\")"},
        /* trailing ')' that close more than the word opened close groups */
        {"(a b)", "(group (and (word \"a\") (word \"b\")))"},
        {"(f(x))", "(group (word \"f(x)\"))"},
        {"(国发(2016)62号 OR 振兴)",
         "(group (or (word \"国发(2016)62号\" docno \"国发.2016.62.号\") (word \"振兴\")))"},
    };
    CHECK(cases);
}

/* ---- fields and filters ---------------------------------------------------- */

static void test_fields(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"title:振兴 issuer:国务院", "(and (word title \"振兴\") (word issuer \"国务院\"))"},
        {"title:\"solar power\"", "(phrase title \"solar power\")"},
        {"issuer:\"State Council\"", "(phrase issuer \"State Council\")"},
        /* any letter case, and the full-width colon */
        {"TITLE:东北", "(word title \"东北\")"},
        {"Title\xEF\xBC\x9A东北", "(word title \"东北\")"},
        /* a field prefix must touch its value */
        {"issuer: 国务院", "(and (word \"issuer:\") (word \"国务院\"))"},
        {"title:(a)", "(word \"title:(a)\")"},
        {"-title:东北 西北", "(and (not (word title \"东北\")) (word \"西北\"))"},
        /* lang: zh or en is a filter */
        {"lang:zh 振兴", "(and (lang \"zh\") (word \"振兴\"))"},
        {"LANG:EN solar", "(and (lang \"en\") (word \"solar\"))"},
        {"lang:\" zh \" x", "(and (lang \"zh\") (word \"x\"))"},
        /* any other value: the token is searched as text */
        {"lang:fr", "(word \"lang:fr\" literal lang)"},
        {"lang:\"fr\" x", "(and (word \"lang:\\\"fr\\\"\" literal lang) (word \"x\"))"},
        {"lang: zh", "(and (word \"lang:\") (word \"zh\"))"},
    };
    CHECK(cases);
}

static void test_document_numbers(void **state)
{
    (void)state;
    static const tcase cases[] = {
        /* a free-text word that looks like a number carries its canonical form */
        {"国发〔2016〕62号", "(word \"国发〔2016〕62号\" docno \"国发.2016.62.号\")"},
        {"国发[2016]62号", "(word \"国发[2016]62号\" docno \"国发.2016.62.号\")"},
        {"国发（２０１６）６２号", "(word \"国发（２０１６）６２号\" docno \"国发.2016.62.号\")"},
        /* plain words do not */
        {"国务院 2016", "(and (word \"国务院\") (word \"2016\"))"},
        /* docno: takes its value as a number, spaces around cut */
        {"docno:国发〔2016〕62号", "(docno \"国发〔2016〕62号\" \"国发.2016.62.号\")"},
        {"docno:\"Executive Order 12944\"",
         "(docno \"Executive Order 12944\" \"executive.order.12944\")"},
        {"docno:\" 国发〔2016〕62号 \"", "(docno \"国发〔2016〕62号\" \"国发.2016.62.号\")"},
        {"-docno:国发〔2016〕62号 振兴",
         "(and (not (docno \"国发〔2016〕62号\" \"国发.2016.62.号\")) (word \"振兴\"))"},
        /* a value that is no number: the token is searched as text */
        {"docno:\"〔〕\"", "(word \"docno:\\\"〔〕\\\"\" literal docno)"},
    };
    CHECK(cases);
}

/* ---- units typed without quotes (lib/unit.h) ------------------------------- */

/* A date or a number with its unit, as a whole word, is a phrase carrying
 * its canonical unit (every spelling of it is one term); in a field, the
 * phrase as written; anything else stays a word. */
static void test_units(void **state)
{
    (void)state;
    static const tcase cases[] = {
        /* dates */
        {"2017年6月27日", "(phrase \"2017年6月27日\" unit \"d2017.6.27\")"},
        {"２０１７年６月２７日", "(phrase \"２０１７年６月２７日\" unit \"d2017.6.27\")"},
        {"2021年7月1日", "(phrase \"2021年7月1日\" unit \"d2021.7.1\")"},
        {"2021年07月", "(phrase \"2021年07月\" unit \"d2021.7\")"},
        {"2016年", "(phrase \"2016年\" unit \"d2016\")"},
        {"6月27日", "(phrase \"6月27日\" unit \"m6.27\")"},
        {"2016-04-26", "(phrase \"2016-04-26\" unit \"d2016.4.26\")"},
        {"2016-4", "(phrase \"2016-4\" unit \"d2016.4\")"},
        {"2016.04.26", "(phrase \"2016.04.26\" unit \"d2016.4.26\")"},
        {"2016/4/26", "(phrase \"2016/4/26\" unit \"d2016.4.26\")"},
        {"２０１６－０４－２６", "(phrase \"２０１６－０４－２６\" unit \"d2016.4.26\")"},
        {"２０１６／４／２６", "(phrase \"２０１６／４／２６\" unit \"d2016.4.26\")"},
        /* dates in Chinese numerals: the 〇 / 零 / ○ year, months and days */
        {"二〇一六年四月", "(phrase \"二〇一六年四月\" unit \"d2016.4\")"},
        {"二零一六年四月二十六日", "(phrase \"二零一六年四月二十六日\" unit \"d2016.4.26\")"},
        {"二○一六年", "(phrase \"二○一六年\" unit \"d2016\")"},
        {"十月一日", "(phrase \"十月一日\" unit \"m10.1\")"},
        /* numbers with their unit */
        {"5%", "(phrase \"5%\" unit \"n5%\")"},
        {"５％", "(phrase \"５％\" unit \"n5%\")"},
        {"300万元", "(phrase \"300万元\" unit \"n3000000元\")"},
        {"12.5亿元", "(phrase \"12.5亿元\" unit \"n1250000000元\")"},
        {"１２．５亿", "(phrase \"１２．５亿\" unit \"n1250000000\")"},
        {"16年", "(phrase \"16年\" unit \"n16年\")"},
        {"20160年", "(phrase \"20160年\" unit \"n20160年\")"},
        {"3万亿元 100家 20项 10个 5年 30天 2倍",
         "(and (phrase \"3万亿元\" unit \"n3000000000000元\") (phrase \"100家\" unit \"n100家\") "
         "(phrase \"20项\" unit \"n20项\") (phrase \"10个\" unit \"n10个\") "
         "(phrase \"5年\" unit \"n5年\") (phrase \"30天\" unit \"n30天\") "
         "(phrase \"2倍\" unit \"n2倍\"))"},
        /* numbers in Chinese numerals */
        {"百分之五", "(phrase \"百分之五\" unit \"n5%\")"},
        {"百分之十五点五", "(phrase \"百分之十五点五\" unit \"n15.5%\")"},
        {"百分之零点五", "(phrase \"百分之零点五\" unit \"n0.5%\")"},
        {"三百万元", "(phrase \"三百万元\" unit \"n3000000元\")"},
        {"一万五千元", "(phrase \"一万五千元\" unit \"n15000元\")"},
        {"三点五亿元", "(phrase \"三点五亿元\" unit \"n350000000元\")"},
        {"兩萬元", "(phrase \"兩萬元\" unit \"n20000元\")"},
        /* with words, operators, fields, '-' and parentheses around them */
        {"国务院 2016年4月26日",
         "(and (word \"国务院\") (phrase \"2016年4月26日\" unit \"d2016.4.26\"))"},
        {"2016年 OR 2017年",
         "(or (phrase \"2016年\" unit \"d2016\") (phrase \"2017年\" unit \"d2017\"))"},
        {"振兴 NOT 5%", "(and (word \"振兴\") (not (phrase \"5%\" unit \"n5%\")))"},
        {"-2016-04-26", "(not (phrase \"2016-04-26\" unit \"d2016.4.26\"))"},
        {"(东北 2016年)", "(group (and (word \"东北\") (phrase \"2016年\" unit \"d2016\")))"},
        /* a field keeps the phrase as written */
        {"title:2016年", "(phrase title \"2016年\")"},
        {"issuer:2016年", "(phrase issuer \"2016年\")"},
        {"docno:2016年", "(docno \"2016年\" \"2016.年\")"},   /* as before */
        /* quoted: the exact phrase, no unit */
        {"\"2017年6月27日\"", "(phrase \"2017年6月27日\")"},
        {"\"300万元 补贴\"", "(phrase \"300万元 补贴\")"},
        /* no unit, or more than the unit in the word: words as before */
        {"2016", "(word \"2016\")"},
        {"12.5", "(word \"12.5\")"},
        {"2016.04", "(word \"2016.04\")"},
        {"2016/04", "(word \"2016/04\")"},
        {"2016年4月26日国务院", "(word \"2016年4月26日国务院\")"},
        {"约300万元", "(word \"约300万元\")"},
        {"2016-13-01", "(word \"2016-13-01\")"},
        {"2016-04/26", "(word \"2016-04/26\")"},
        {"2016年13月", "(word \"2016年13月\")"},
        {"6月", "(word \"6月\")"},
        {"5%%", "(word \"5%%\")"},
        {".5%", "(word \".5%\")"},
        {"5.%", "(word \"5.%\")"},
        {"万元", "(word \"万元\")"},
        {"百分之", "(word \"百分之\")"},
        {"统一", "(word \"统一\")"},
        {"十三五", "(word \"十三五\")"},
        {"COVID-19", "(word \"COVID-19\")"},
    };
    CHECK(cases);
}

/* ---- malformed input: the whole text as plain words ------------------------ */

static void test_syntax_errors_are_plain_words(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"a (b", "(plain-words (and (word \"a\") (word \"(b\")))"},
        {"a )", "(plain-words (and (word \"a\") (word \")\")))"},
        {"()", "(plain-words (word \"()\"))"},
        {"( )", "(plain-words (and (word \"(\") (word \")\")))"},
        {"a \"b", "(plain-words (and (word \"a\") (word \"\\\"b\")))"},
        {"\"  \" x", "(plain-words (and (word \"\\\"\") (word \"\\\"\") (word \"x\")))"},
        {"a AND", "(plain-words (and (word \"a\") (word \"AND\")))"},
        {"AND a", "(plain-words (and (word \"AND\") (word \"a\")))"},
        {"OR a", "(plain-words (and (word \"OR\") (word \"a\")))"},
        {"a OR", "(plain-words (and (word \"a\") (word \"OR\")))"},
        {"a AND AND b",
         "(plain-words (and (word \"a\") (word \"AND\") (word \"AND\") (word \"b\")))"},
        {"NOT NOT a", "(plain-words (and (word \"NOT\") (word \"NOT\") (word \"a\")))"},
        {"a NOT", "(plain-words (and (word \"a\") (word \"NOT\")))"},
        {"a NOT OR b", "(plain-words (and (word \"a\") (word \"NOT\") (word \"OR\") (word \"b\")))"},
        {"振兴 (东北", "(plain-words (and (word \"振兴\") (word \"(东北\")))"},
        /* fields are no fields then; document numbers still are */
        {"title:振兴 (", "(plain-words (and (word \"title:振兴\") (word \"(\")))"},
        {"国发〔2016〕62号 )",
         "(plain-words (and (word \"国发〔2016〕62号\" docno \"国发.2016.62.号\") (word \")\")))"},
    };
    CHECK(cases);
}

/* What the structured reading got through before its error is kept apart
 * (the term limit applies to it), never in the tree. */
static void test_read_before_error(void **state)
{
    (void)state;
    static const struct {
        const char *q;
        size_t n_read;
    } cases[] = {
        {"a (b", 2},      /* a, then b inside the group, then no ')' */
        {"a AND", 1},
        {"a b c )", 3},
        {"a \"b", 0},     /* an unclosed quote: the lexer stops, nothing read */
        {"OR a", 0},
        {"a (b OR c) d )", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_qtree *t = NULL;
        assert_int_equal(zc_qparse(cases[i].q, strlen(cases[i].q), &t, NULL), ZC_OK);
        assert_true(t->plain_words);
        if (t->n_read != cases[i].n_read)
            fail_msg("%s: read %zu, want %zu", cases[i].q, t->n_read, cases[i].n_read);
        zc_qtree_free(t);
    }
    /* a well-formed query keeps nothing apart */
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse("a (b) c", 7, &t, NULL), ZC_OK);
    assert_false(t->plain_words);
    assert_int_equal(t->n_read, 0);
    assert_null(t->read);
    zc_qtree_free(t);
}

/* ---- limits and refusals --------------------------------------------------- */

static char *nested(size_t depth, const char *inner)
{
    size_t n = strlen(inner);
    char *s = malloc(2 * depth + n + 1);
    assert_non_null(s);
    memset(s, '(', depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ')', depth);
    s[2 * depth + n] = '\0';
    return s;
}

static void test_nesting_limit(void **state)
{
    (void)state;
    /* ZC_QPARSE_MAX_DEPTH levels parse... */
    char *q = nested(ZC_QPARSE_MAX_DEPTH, "a b");
    char *got = tree_of(q, strlen(q));
    assert_non_null(strstr(got, "(group (group "));
    assert_null(strstr(got, "plain-words"));
    free(got);
    free(q);
    /* ...one more is a syntax error, read as plain words, not a failure */
    q = nested(ZC_QPARSE_MAX_DEPTH + 1, "a b");
    got = tree_of(q, strlen(q));
    assert_int_equal(strncmp(got, "(plain-words (and (word \"", 25), 0);
    free(got);
    free(q);
    /* far deeper: the same, with bounded recursion */
    q = nested(20000, "x");
    got = tree_of(q, strlen(q));
    assert_int_equal(strncmp(got, "(plain-words (word \"(((", 23), 0);
    free(got);
    free(q);
}

static void test_refused(void **state)
{
    (void)state;
    zc_qtree *t = (zc_qtree *)(uintptr_t)1;
    zc_error err;
    assert_int_equal(zc_qparse("", 0, &t, &err), ZC_EINVAL);
    assert_null(t);
    assert_string_equal(err.field, "q");
    assert_int_equal(zc_qparse(" \t\xE3\x80\x80\xC2\xA0", 7, &t, &err), ZC_EINVAL);
    assert_null(t);
    assert_int_equal(zc_qparse(NULL, 5, &t, &err), ZC_EINVAL);
    assert_int_equal(zc_qparse("ab\xff", 3, &t, &err), ZC_EINVAL);
    assert_string_equal(err.field, "q");
    assert_int_equal(zc_qparse("\xE4\xB8", 2, &t, &err), ZC_EINVAL);
    /* a NUL byte is a character like any other (the protocol refuses it
     * before here): no truncation */
    assert_int_equal(zc_qparse("a\0b", 3, &t, &err), ZC_OK);
    zc_qtree_free(t);

    size_t n = ZC_QUERY_MAX_BYTES + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    assert_int_equal(zc_qparse(big, n, &t, &err), ZC_ETOOLONG);
    assert_null(t);
    assert_string_equal(err.field, "q");
    /* exactly at the limit: one long word */
    assert_int_equal(zc_qparse(big, n - 1, &t, &err), ZC_OK);
    assert_int_equal(t->root->type, ZC_QN_WORD);
    assert_int_equal(t->root->len, n - 1);
    zc_qtree_free(t);
    free(big);
}

/* Many words: one AND with every word, in order. */
static void test_many_words(void **state)
{
    (void)state;
    size_t cap = 3000 * 8, n = 0;
    char *q = malloc(cap);
    assert_non_null(q);
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(q + n, cap - n, "w%d ", i);
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse(q, n, &t, NULL), ZC_OK);
    assert_int_equal(t->root->type, ZC_QN_AND);
    assert_int_equal(t->root->n_kids, 3000);
    for (size_t i = 0; i < 3000; i++) {
        char w[16];
        int wl = snprintf(w, sizeof w, "w%zu", i);
        const zc_qnode *k = t->root->kids[i];
        assert_int_equal(k->type, ZC_QN_WORD);
        assert_int_equal(k->len, (size_t)wl);
        assert_memory_equal(q + k->start, w, (size_t)wl);
    }
    zc_qtree_free(t);
    free(q);
}

/* ---- the lexer alone ------------------------------------------------------- */

static void test_lexer_spans(void **state)
{
    (void)state;
    const char *q = "-title:\"a b\" (x) 国发(2016)62号) OR";
    zc_qtok *tok = NULL;
    size_t n = 0;
    int syn = 1;
    assert_int_equal(zc_qlex(q, strlen(q), &tok, &n, &syn, NULL), ZC_OK);
    assert_int_equal(syn, 0);
    assert_int_equal(n, 7);
    /* -title:"a b": one phrase token, negated, field title */
    assert_int_equal(tok[0].type, ZC_QTOK_PHRASE);
    assert_true(tok[0].neg);
    assert_int_equal(tok[0].field, ZC_QF_TITLE);
    assert_int_equal(tok[0].start, 0);
    assert_int_equal(tok[0].len, 12);
    assert_memory_equal(q + tok[0].vstart, "a b", tok[0].vlen);
    assert_int_equal(tok[1].type, ZC_QTOK_LP);
    assert_int_equal(tok[2].type, ZC_QTOK_WORD);   /* "x": the ')' is cut off */
    assert_int_equal(tok[2].vlen, 1);
    assert_int_equal(tok[3].type, ZC_QTOK_RP);
    /* the number keeps its own parentheses; the extra ')' closes a group */
    assert_int_equal(tok[4].type, ZC_QTOK_WORD);
    assert_int_equal(tok[4].vlen, strlen("国发(2016)62号"));
    assert_int_equal(tok[5].type, ZC_QTOK_RP);
    assert_int_equal(tok[6].type, ZC_QTOK_OR);
    free(tok);

    /* an unclosed phrase is reported, not an error */
    assert_int_equal(zc_qlex("a \"b c", 6, &tok, &n, &syn, NULL), ZC_OK);
    assert_int_equal(syn, 1);
    free(tok);
    /* nothing to cut */
    assert_int_equal(zc_qlex(" \t", 2, &tok, &n, &syn, NULL), ZC_OK);
    assert_int_equal(n, 0);
    assert_null(tok);
    assert_int_equal(syn, 0);
}

/* ---- the printed form ------------------------------------------------------ */

static void test_print_escapes(void **state)
{
    (void)state;
    static const tcase cases[] = {
        {"a\\b", "(word \"a\\\\b\")"},
        {"x\x01y", "(word \"x\\u0001y\")"},
        {"x\x7fy", "(word \"x\\u007fy\")"},
    };
    CHECK(cases);
    assert_string_equal(zc_qnode_type_name(ZC_QN_GROUP), "group");
    zc_qtree_free(NULL);
    zc_qnode_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_boolean),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_document_numbers),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_syntax_errors_are_plain_words),
        cmocka_unit_test(test_read_before_error),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_many_words),
        cmocka_unit_test(test_lexer_spans),
        cmocka_unit_test(test_print_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
