/* test_query.c — the query syntax (lib/query.c): what each query text
 * finds in a real index built through the public API, plus zc_query_build's
 * errors and limits.
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

#include "lib/analyzer.h"
#include "lib/limits.h"
#include "lib/qcompile.h"
#include "lib/qparse.h"
#include "lib/qplan.h"
#include "lib/query.h"
#include "lib/snippet.h"
#include "lib/zhengce.h"

#include "fixture.h"

static const char *const DOCS[] = {
    /* English words for the boolean algebra. */
    "{\"id\":\"q1\",\"lang\":\"en\",\"title\":\"alpha beta\",\"body\":\"alpha and beta common\"}",
    "{\"id\":\"q2\",\"lang\":\"en\",\"title\":\"gamma\",\"body\":\"gamma common\"}",
    "{\"id\":\"q3\",\"lang\":\"en\",\"title\":\"alpha gamma\",\"body\":\"alpha gamma common delta\"}",
    "{\"id\":\"q4\",\"lang\":\"en\",\"title\":\"beta only\",\"body\":\"beta common\"}",
    /* Chinese: a phrase together (c1) and apart (c2), a document number. */
    "{\"id\":\"c1\",\"lang\":\"zh\",\"title\":\"老工业基地振兴\","
    "\"body\":\"振兴东北地区等老工业基地。\",\"docno\":\"国发〔2016〕62号\",\"issuer\":\"国务院\","
    "\"date\":\"2016-11-01\"}",
    "{\"id\":\"c2\",\"lang\":\"zh\",\"title\":\"城市规划\","
    "\"body\":\"老工业城市建设现代产业基地。GDP增长较快。\",\"issuer\":\"国务院办公厅\"}",
    /* English stems and title ranking. */
    "{\"id\":\"e1\",\"lang\":\"en\",\"title\":\"Northeast plan\","
    "\"body\":\"Revitalizing the old industrial bases of the northeast.\","
    "\"issuer\":\"State Council\"}",
    "{\"id\":\"t1\",\"lang\":\"en\",\"title\":\"Solar power\",\"body\":\"A short text.\"}",
    "{\"id\":\"t2\",\"lang\":\"en\",\"title\":\"Energy\","
    "\"body\":\"Solar panels and solar farms, more solar.\"}",
    /* An English document number. */
    "{\"id\":\"x1\",\"lang\":\"en\",\"title\":\"Order\",\"body\":\"text\","
    "\"docno\":\"Executive Order 12944\"}",
};
#define N_DOCS (sizeof DOCS / sizeof DOCS[0])

/* The same small Chinese/English set indexed once per analyzer, for the
 * behaviour every mode must share. */
static const char *const MODE_DOCS[] = {
    "{\"id\":\"p1\",\"lang\":\"zh\",\"title\":\"老工业基地振兴\","
    "\"body\":\"振兴东北地区等老工业基地。\"}",
    "{\"id\":\"p2\",\"lang\":\"zh\",\"title\":\"城市规划\","
    "\"body\":\"老工业城市建设现代产业基地。\"}",
    "{\"id\":\"p3\",\"lang\":\"zh\",\"title\":\"國有企業\","
    "\"body\":\"深化國有企業改革，振興東北\"}",
    "{\"id\":\"p4\",\"lang\":\"zh\",\"title\":\"企业\",\"body\":\"企业改革深化\"}",
    "{\"id\":\"e1\",\"lang\":\"en\",\"title\":\"Northeast\","
    "\"body\":\"The revitalization of the northeast old industrial bases.\"}",
    "{\"id\":\"e2\",\"lang\":\"en\",\"title\":\"Town\","
    "\"body\":\"Northeast China and the old town.\"}",
    /* exact titles and document numbers against documents that only cite them */
    "{\"id\":\"t1\",\"lang\":\"zh\",\"title\":\"中华人民共和国动物防疫法\",\"body\":\"动物防疫。\"}",
    "{\"id\":\"t2\",\"lang\":\"zh\",\"title\":\"中华人民共和国动物防疫法实施条例\","
    "\"body\":\"根据中华人民共和国动物防疫法制定。中华人民共和国动物防疫法规定。\"}",
    "{\"id\":\"x1\",\"lang\":\"en\",\"title\":\"Order\",\"body\":\"Text.\","
    "\"docno\":\"Executive Order 12944\"}",
    "{\"id\":\"x2\",\"lang\":\"en\",\"title\":\"Amendment to Executive Order 12944\","
    "\"body\":\"Amends Executive Order 12944; Executive Order 12944 stays.\"}",
    /* a one-character run beside punctuation */
    "{\"id\":\"k1\",\"lang\":\"zh\",\"title\":\"停工\",\"body\":\"按规定停工。任何单位和个人不得擅自开工。\"}",
    "{\"id\":\"k2\",\"lang\":\"zh\",\"title\":\"用途\","
    "\"body\":\"任何单位和个人不得擅自改变用途。任何单位和个人不得擅自施工。\"}",
    /* the query's characters in sequence once (s1), and apart but often,
     * title included (s2) */
    "{\"id\":\"s1\",\"lang\":\"zh\",\"title\":\"放流\","
    "\"body\":\"增殖放流种类、数量、规格和时间。\"}",
    "{\"id\":\"s2\",\"lang\":\"zh\",\"title\":\"种类数量规格\","
    "\"body\":\"数量。规格。数量很多，规格很多，数量和规格。种类很多。数量，规格，类。\"}",
    /* both query words in the title (w1), one in the title and the other
     * often in the body (w2) */
    "{\"id\":\"w1\",\"lang\":\"zh\",\"title\":\"上海市实施邮政法办法\","
    "\"body\":\"为了实施邮政法，制定本办法。\"}",
    "{\"id\":\"w2\",\"lang\":\"zh\",\"title\":\"上海市通信规定\","
    "\"body\":\"邮政，邮政，邮政，邮政，邮政，邮政，邮政，邮政，邮政，邮政。\"}",
};
#define N_MODE_DOCS (sizeof MODE_DOCS / sizeof MODE_DOCS[0])

typedef struct fixture {
    char dir[64];
    zc_index *idx;
    zc_index *modes[ZC_SEG_MODES];  /* read handles, one index per analyzer */
} fixture;

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (fx_tmpdir(f->dir, sizeof f->dir, "query") != 0 ||
        fx_build_index(f->dir, NULL, DOCS, N_DOCS, &f->idx) != 0)
        return -1;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", f->dir, zc_analyzer_mode_name(m));
        if (fx_build_index(path, zc_analyzer_mode_name(m), MODE_DOCS, N_MODE_DOCS,
                           &f->modes[m]) != 0)
            return -1;
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    zc_index_close(f->idx);
    for (int m = 0; m < ZC_SEG_MODES; m++)
        zc_index_close(f->modes[m]);
    fx_rmtree(f->dir);
    free(f);
    return 0;
}

static zc_results *search(void **state, const char *q, zc_status *st, zc_error *err)
{
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = q;
    o.q_len = strlen(q);
    o.limit = 100;
    zc_results *r = NULL;
    *st = zc_search(f->idx, &o, &r, err);
    return r;
}

/* The query finds exactly these ids (sorted, comma-separated). */
static void finds(void **state, const char *q, const char *want)
{
    zc_status st;
    zc_error err;
    zc_results *r = search(state, q, &st, &err);
    if (st != ZC_OK)
        fail_msg("%s: %s %s", q, zc_status_name(st), err.message);
    char got[512];
    fx_sorted_ids(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("query '%s': got {%s}, want {%s}", q, got, want);
    zc_results_free(r);
}

/* The first hit of the query is this id. */
static void first(void **state, const char *q, const char *want)
{
    zc_status st;
    zc_error err;
    zc_results *r = search(state, q, &st, &err);
    if (st != ZC_OK)
        fail_msg("%s: %s %s", q, zc_status_name(st), err.message);
    if (zc_results_count(r) == 0)
        fail_msg("query '%s': no hit, want %s first", q, want);
    if (strcmp(zc_results_hit(r, 0)->id, want) != 0)
        fail_msg("query '%s': %s first, want %s", q, zc_results_hit(r, 0)->id, want);
    zc_results_free(r);
}

static void refused(void **state, const char *q, zc_status want)
{
    zc_status st;
    zc_error err;
    zc_results *r = search(state, q, &st, &err);
    if (st != want)
        fail_msg("query '%s': %s, want %s", q, zc_status_name(st), zc_status_name(want));
    assert_null(r);
    assert_string_equal(err.field, "q");
}

/* ---- boolean syntax ---------------------------------------------------- */

static void test_implicit_and(void **state)
{
    finds(state, "alpha beta", "q1");
    finds(state, "alpha", "q1,q3");
    finds(state, "common", "q1,q2,q3,q4");
    finds(state, "alpha AND beta", "q1");
    finds(state, "alpha　beta", "q1");            /* ideographic space */
    finds(state, "  alpha\tbeta  ", "q1");
}

static void test_or_precedence(void **state)
{
    finds(state, "alpha OR gamma", "q1,q2,q3");
    /* AND binds tighter: (alpha beta) OR gamma */
    finds(state, "alpha beta OR gamma", "q1,q2,q3");
    finds(state, "alpha AND beta OR gamma delta", "q1,q3");
    finds(state, "beta OR gamma delta", "q1,q3,q4");
    /* lower-case "or" is a word, an English stopword: dropped from the AND */
    finds(state, "alpha or gamma", "q3");
}

static void test_not_and_minus(void **state)
{
    finds(state, "common NOT alpha", "q2,q4");
    finds(state, "common -alpha", "q2,q4");
    finds(state, "common -alpha -beta", "q2");
    finds(state, "common AND NOT gamma", "q1,q4");
    finds(state, "NOT alpha common", "q2,q4");
    /* a dash inside a word is not a NOT: both parts must match */
    finds(state, "common-alpha", "q1,q3");
}

static void test_parentheses(void **state)
{
    finds(state, "alpha (beta OR gamma)", "q1,q3");
    finds(state, "(alpha OR beta) (gamma OR delta)", "q3");
    finds(state, "common -(alpha OR beta)", "q2");
    finds(state, "common NOT (gamma delta)", "q1,q2,q4");
    finds(state, "((alpha))", "q1,q3");
    finds(state, "(alpha OR gamma) NOT (beta)", "q2,q3");
}

static void test_broken_syntax_is_plain_words(void **state)
{
    /* searched as words: alpha + and (a stopword, dropped) */
    finds(state, "alpha AND", "q1,q3");
    finds(state, "((alpha", "q1,q3");
    finds(state, "alpha beta)", "q1");
    finds(state, "\"alpha beta", "q1");
    finds(state, "\"老工业基地", "c1");
    /* plain words: alpha and "or", a stopword (dropped) */
    finds(state, "(alpha OR", "q1,q3");
    finds(state, "alpha \"\" beta", "q1");
    finds(state, "OR alpha", "q1,q3");
    /* deep nesting past the parser's bound: plain words, no crash */
    char deep[512];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        deep[n++] = '(';
    memcpy(deep + n, "gamma", 5);
    n += 5;
    for (int i = 0; i < 100; i++)
        deep[n++] = ')';
    deep[n] = '\0';
    finds(state, deep, "q2,q3");
}

static void test_no_positive_term(void **state)
{
    refused(state, "", ZC_EINVAL);
    refused(state, "   ", ZC_EINVAL);
    refused(state, "　", ZC_EINVAL);
    refused(state, "-alpha", ZC_EINVAL);
    refused(state, "NOT alpha", ZC_EINVAL);
    refused(state, "-alpha -beta", ZC_EINVAL);
    refused(state, "!!! ???", ZC_EINVAL);
    refused(state, "lang:zh", ZC_EINVAL);
    refused(state, "-(alpha OR beta)", ZC_EINVAL);
    /* a single CJK character is a term */
    finds(state, "城", "c2");
}

/* ---- Chinese ------------------------------------------------------------ */

static void test_chinese_phrase_exact(void **state)
{
    finds(state, "\"老工业基地\"", "c1");
    finds(state, "“老工业基地”", "c1");         /* Chinese quote marks */
    finds(state, "老工业基地", "c1");            /* one run: its bigrams in a row */
    finds(state, "老工业 基地", "c1,c2");        /* two words, anywhere */
    finds(state, "\"老工业 基地\"", "c1");       /* a space inside the phrase */
    finds(state, "\"城市建设现代\"", "c2");
    finds(state, "\"基地老工业\"", "");
    finds(state, "老工业 -\"老工业基地\"", "c2");
}

static void test_docno_spellings(void **state)
{
    static const char *const forms[] = {
        "国发〔2016〕62号", "国发[2016]62号", "国发（２０１６）６２号", "国发(2016)62号",
        "国发〔2016〕062号", "docno:国发[2016]62号", "docno:\"国发 (2016) 62号\"",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        finds(state, forms[i], "c1");
        first(state, forms[i], "c1");
    }
    finds(state, "国发〔2016〕63号", "");
    finds(state, "docno:\"Executive Order 12944\"", "x1");
    finds(state, "docno:executive-order-12944", "x1");
}

static void test_width_and_case(void **state)
{
    finds(state, "ＧＤＰ", "c2");
    finds(state, "gdp", "c2");
    finds(state, "GDP增长", "c2");
    finds(state, "ＡＬＰＨＡ ＢＥＴＡ", "q1");
    finds(state, "Alpha BETA", "q1");
}

/* ---- fields --------------------------------------------------------------- */

static void test_fields(void **state)
{
    finds(state, "title:gamma", "q2,q3");
    finds(state, "TITLE:gamma", "q2,q3");
    finds(state, "title:delta", "");                 /* delta is in q3's body only */
    finds(state, "title:\"alpha beta\"", "q1");
    finds(state, "title:振兴", "c1");
    finds(state, "title:基地", "c1");                /* c2 has it in the body */
    finds(state, "title:基地 OR title:城市", "c1,c2");
    finds(state, "issuer:国务院", "c1,c2");           /* words of the issuer */
    finds(state, "issuer:\"国务院办公厅\"", "c2");
    finds(state, "issuer:council", "e1");
    finds(state, "lang:en alpha", "q1,q3");
    finds(state, "lang:zh alpha", "");
    finds(state, "lang:zh 老工业", "c1,c2");
    finds(state, "lang:ZH 城市", "c2");
    finds(state, "-lang:zh common", "q1,q2,q3,q4");
    /* an unknown field is plain words: foo and gamma */
    finds(state, "foo:gamma", "");
    finds(state, "title:gamma -title:alpha", "q2");
    /* "title:" with nothing after it is a word */
    finds(state, "title: gamma", "");
}

/* ---- English stems and ranking ------------------------------------------- */

static void test_stems(void **state)
{
    finds(state, "revitalize", "e1");
    finds(state, "revitalization", "e1");
    finds(state, "base", "e1");
    /* a quoted phrase is exact: no stems */
    finds(state, "\"revitalizing the old\"", "e1");
    finds(state, "\"revitalize the old\"", "");
}

static void test_title_ranks_first(void **state)
{
    /* t2 says "solar" three times in its body, t1 once in its title. */
    finds(state, "solar", "t1,t2");
    first(state, "solar", "t1");
}

/* ---- every analyzer -------------------------------------------------------- */

/* The ids (sorted, comma-separated) query q finds in the mode-m index. */
static void mfinds(void **state, int m, const char *q, int any, const char *want)
{
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = q;
    o.q_len = strlen(q);
    o.limit = 100;
    o.match_any = any;
    zc_results *r = NULL;
    zc_error err;
    zc_status st = zc_search(f->modes[m], &o, &r, &err);
    if (st != ZC_OK)
        fail_msg("%s %s: %s %s", zc_analyzer_mode_name(m), q, zc_status_name(st),
                 err.message);
    char got[512];
    fx_sorted_ids(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: query '%s'%s: got {%s}, want {%s}", zc_analyzer_mode_name(m), q,
                 any ? " (any)" : "", got, want);
    zc_results_free(r);
}

/* A quoted phrase matches exactly that sequence of characters, in every
 * mode, whatever the segmentation of the query and of the document. */
static void test_phrase_exact_every_mode(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "\"老工业基地\"", 0, "p1");
        mfinds(state, m, "\"工业基地\"", 0, "p1");
        /* 业基 stands in 老工业基地 and in 产业基地 (segmented 产业/基地) */
        mfinds(state, m, "\"业基\"", 0, "p1,p2");
        /* 企业改革 in 國有企業改革 (Traditional, segmented otherwise) too */
        mfinds(state, m, "\"企业改革\"", 0, "p3,p4");
        mfinds(state, m, "\"國有企業\"", 0, "p3");
        /* never across punctuation, never out of order */
        mfinds(state, m, "\"改革振兴\"", 0, "");
        mfinds(state, m, "\"基地老工业\"", 0, "");
        /* a space in the phrase: either side of a break in the text */
        mfinds(state, m, "\"改革 振兴\"", 0, "p3");
        mfinds(state, m, "\"老工业 基地\"", 0, "p1");
        mfinds(state, m, "\"the old\"", 0, "e2");
        mfinds(state, m, "\"old industrial bases\"", 0, "e1");
    }
}

/* Traditional and Simplified find each other, in every mode.  (Free text
 * in words mode needs the same segmentation on both sides: p1's 东北地区
 * is one word there, so 振兴东北 unquoted finds only p3: the recall the
 * hybrid analyzer's bigrams are for.) */
static void test_traditional_simplified_every_mode(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "\"振興東北\"", 0, "p1,p3");
        mfinds(state, m, "\"振兴东北\"", 0, "p1,p3");
        mfinds(state, m, "\"国有企业\"", 0, "p3");
        mfinds(state, m, "title:\"國有企業\"", 0, "p3");
        mfinds(state, m, "title:\"国有企业\"", 0, "p3");
        if (m == ZC_SEG_WORDS) {
            mfinds(state, m, "振興東北", 0, "p3");
            mfinds(state, m, "振兴东北", 0, "p3");
            continue;
        }
        mfinds(state, m, "振興東北", 0, "p1,p3");
        mfinds(state, m, "振兴东北", 0, "p1,p3");
        mfinds(state, m, "国有企业", 0, "p3");
        mfinds(state, m, "企業改革", 0, "p3,p4");
    }
}

/* English stopwords: dropped from free text unless nothing else is left,
 * kept in phrases. */
static void test_stopwords(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "the northeast", 0, "e1,e2");
        mfinds(state, m, "northeast of the", 0, "e1,e2");
        mfinds(state, m, "the", 0, "e1,e2");            /* all stopwords: searched */
        mfinds(state, m, "the of", 0, "e1");
        mfinds(state, m, "\"the northeast\"", 0, "e1"); /* kept in a phrase */
        mfinds(state, m, "\"northeast of\"", 0, "");
    }
    assert_true(zc_query_is_stopword("the", 3));
    assert_true(zc_query_is_stopword("with", 4));
    assert_false(zc_query_is_stopword("northeast", 9));
    assert_false(zc_query_is_stopword("", 0));
}

/* match any: an OR of the analyzed terms; all (default) needs every word;
 * phrases stay exact either way. */
static void test_match_any(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "老工业基地 revitalization", 0, "");
        mfinds(state, m, "老工业基地 revitalization", 1, "e1,p1,p2");
        mfinds(state, m, "town revitalization", 1, "e1,e2");
        mfinds(state, m, "\"the old\" revitalization", 1, "e1,e2");
        mfinds(state, m, "\"老工业基地\" 企业改革", 1, "p1,p3,p4");
    }
    /* The best match first: the question's words, most of them. */
    fixture *f = *state;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        zc_search_opts o;
        zc_search_opts_init(&o);
        o.q = "东北的老工业基地怎么振兴";
        o.q_len = strlen(o.q);
        o.match_any = 1;
        zc_results *r = NULL;
        assert_int_equal(zc_search(f->modes[m], &o, &r, NULL), ZC_OK);
        assert_true(zc_results_count(r) >= 2);
        assert_string_equal(zc_results_hit(r, 0)->id, "p1");
        zc_results_free(r);
    }
}

/* The first hit of query q in the mode-m index. */
static void mfirst(void **state, int m, const char *q, const char *want)
{
    fixture *f = *state;
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = q;
    o.q_len = strlen(q);
    zc_results *r = NULL;
    assert_int_equal(zc_search(f->modes[m], &o, &r, NULL), ZC_OK);
    if (zc_results_count(r) == 0 || strcmp(zc_results_hit(r, 0)->id, want) != 0)
        fail_msg("%s: query '%s': %s first, want %s", zc_analyzer_mode_name(m), q,
                 zc_results_count(r) ? zc_results_hit(r, 0)->id : "nothing", want);
    zc_results_free(r);
}

/* A query that is exactly a document's title finds that document first
 * (the exact-title term), in either script; a document number typed as
 * several words finds its document first (the whole-text docno term). */
static void test_exact_title_and_docno_first(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfirst(state, m, "中华人民共和国动物防疫法", "t1");
        mfirst(state, m, "中華人民共和國動物防疫法", "t1");
        mfirst(state, m, "中华人民共和国动物防疫法实施条例", "t2");
        mfirst(state, m, "Executive Order 12944", "x1");
        mfirst(state, m, "executive order １２９４４", "x1");
        mfirst(state, m, "Amendment to Executive Order 12944", "x2");
    }
}

/* A one-character piece of a query beside punctuation ("工。任何...") is
 * found next to the run it stood beside: the first and last characters of
 * a run carry positions. */
static void test_edge_character(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "工。任何单位和个人不得擅", 0, "k1,k2");
        mfirst(state, m, "工。任何单位和个人不得擅", "k1");
        mfirst(state, m, "任何单位和个人不得擅自施工", "k2");
        mfinds(state, m, "\"停工。任何\"", 0, "k1");
    }
}

/* Regression (found by make eval: the quoted body piece
 * "工。任何单位和个人不得擅" ranked other documents first, and
 * "类、数量、规格" in quotes missed its document): a quoted phrase with a
 * one-character run beside punctuation is a phrase, not an AND of its
 * runs, since such a character is positional (the edge of a run).  Beside
 * a space it may stand inside a longer run of the text: an AND then. */
static void test_quoted_phrase_one_char_run(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "\"工。任何单位\"", 0, "k1");
        mfinds(state, m, "\"类、数量、规格和时间\"", 0, "s1");
        mfinds(state, m, "\"种类、规格\"", 0, "");
        if (m == ZC_SEG_WORDS)
            continue;
        /* (words mode allows a position at every break: s2's 数量和规格。种类
         * holds 数量、规格、种类 there, and 数量，规格，类 类、数量、规格) */
        mfinds(state, m, "\"类、数量、规格\"", 0, "s1");
        mfinds(state, m, "\"数量、规格、种类\"", 0, "");
        mfinds(state, m, "\"工 任何单位\"", 0, "k1,k2");
    }
}

/* Regression (make eval, known-item body pieces: "类、数量、规格" ranked
 * documents holding 数量 and 规格 often, and in the title, above the one
 * holding the sequence): the document with the query's exact sequence
 * comes first. */
static void test_exact_sequence_first(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "类、数量、规格", 0, "s1,s2");
        if (m != ZC_SEG_WORDS)   /* words mode: s2 holds it too (see above) */
            mfirst(state, m, "类、数量、规格", "s1");
    }
}

/* The document whose title holds every word comes first (make eval, known
 * item by title words: 上海市 邮政 ranked a title with 上海市 and a long
 * body full of 邮政 above the title holding both; fixed by the all-words
 * title boost.  This small collection does not reproduce the real one's
 * statistics, so the test pins the behaviour rather than the defect). */
static void test_all_words_in_title_first(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        mfinds(state, m, "上海市 邮政", 0, "w1,w2");
        mfirst(state, m, "上海市 邮政", "w1");
        mfirst(state, m, "邮政 上海市", "w1");
    }
}

/* The proximity boost: the document where the query's words stand together
 * comes first, though both hold every word. */
static void test_proximity_ranks(void **state)
{
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        fixture *f = *state;
        zc_search_opts o;
        zc_search_opts_init(&o);
        o.q = "northeast old";
        o.q_len = strlen(o.q);
        zc_results *r = NULL;
        assert_int_equal(zc_search(f->modes[m], &o, &r, NULL), ZC_OK);
        assert_int_equal(zc_results_count(r), 2);
        assert_string_equal(zc_results_hit(r, 0)->id, "e1");
        zc_results_free(r);
    }
}

/* Regression (found by make eval: "regarding issues" ranked us-eo-13898
 * twice).  Xapian 1.4.22 can return one document twice when the right side
 * of an AND_MAYBE is an OR of two positional queries, which is what the
 * proximity boost (PHRASE and NEAR of the same words) used to be; now each
 * boost is its own AND_MAYBE.  The defect depends on the collection's
 * statistics: it shows with the real English corpus (1,016 documents,
 * indexed here in a few seconds) and not with a small made-up one, so this
 * test needs ZC_SHARED and is skipped without it; the plan's shape is
 * checked always: the PHRASE and the NEAR are two ranking-only parts
 * (qplan.h: each added by its own AND_MAYBE), not one. */
static void test_no_document_twice(void **state)
{
    fixture *f = *state;
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse("regarding issues", 16, &t, NULL), ZC_OK);
    char *printed = NULL;
    assert_int_equal(zc_qtree_print(t, &printed, NULL, NULL), ZC_OK);
    assert_string_equal(printed, "(and (word \"regarding\") (word \"issues\"))");
    free(printed);
    zc_qplan plan;
    zc_qplan_make(t, 0, &plan);
    assert_true(plan.prox);
    zc_analyzer *a = NULL;
    assert_int_equal(zc_analyzer_new(ZC_SEG_NGRAM, &a, NULL), ZC_OK);
    zc_xap_query *q = NULL;
    zc_qfacts facts;
    assert_int_equal(zc_qcompile(a, t, &plan, &q, NULL, NULL, NULL, NULL, &facts, NULL, NULL), ZC_OK);
    assert_int_equal(facts.prox_terms, 2);
    zc_xap_query_free(q);
    zc_analyzer_free(a);
    zc_qtree_free(t);
    zc_qboost b[ZC_QPLAN_MAX_BOOSTS];
    size_t nb = zc_qplan_boosts(&plan, &facts, ZC_SEG_NGRAM, 0, b);
    size_t phrase = nb, near = nb;
    for (size_t i = 0; i < nb; i++) {
        if (b[i].kind == ZC_QB_PHRASE)
            phrase = i;
        if (b[i].kind == ZC_QB_NEAR)
            near = i;
    }
    assert_true(phrase < nb && near < nb && phrase != near);

    const char *shared = getenv("ZC_SHARED");
    char src[1024];
    snprintf(src, sizeof src, "%s/corpus-real/policies-en.jsonl", shared ? shared : "");
    FILE *fp = shared ? fopen(src, "r") : NULL;
    if (fp == NULL) {
        print_message("ZC_SHARED/corpus-real/policies-en.jsonl not found: real-corpus part "
                      "skipped\n");
        return;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/twice", f->dir);
    zc_index *w = NULL;
    zc_error err;
    assert_int_equal(zc_index_create(path, "ngram", &w, &err), ZC_OK);
    size_t cap = 0;
    char *line = NULL;
    ssize_t n;
    while ((n = getline(&line, &cap, fp)) > 0) {
        if (line[n - 1] == '\n')
            n--;
        if (n > 0)
            assert_int_equal(zc_index_add_json(w, line, (size_t)n, NULL, &err), ZC_OK);
    }
    free(line);
    fclose(fp);
    assert_int_equal(zc_index_commit(w, &err), ZC_OK);
    zc_index_close(w);
    zc_index *r = NULL;
    assert_int_equal(zc_index_open(path, ZC_OPEN_READ, &r, &err), ZC_OK);
    static const char *const queries[] = {"regarding issues", "national security council",
                                          "federal agencies shall"};
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        for (uint32_t limit = 10; limit <= 30; limit += 10) {
            zc_search_opts o;
            zc_search_opts_init(&o);
            o.q = queries[k];
            o.q_len = strlen(queries[k]);
            o.limit = limit;
            o.snippet = 0;
            zc_results *res = NULL;
            assert_int_equal(zc_search(r, &o, &res, &err), ZC_OK);
            size_t nh = zc_results_count(res);
            for (size_t i = 0; i < nh; i++)
                for (size_t j = i + 1; j < nh; j++)
                    if (strcmp(zc_results_hit(res, i)->id, zc_results_hit(res, j)->id) == 0)
                        fail_msg("%s (limit %u): %s ranked twice", queries[k], limit,
                                 zc_results_hit(res, i)->id);
            zc_results_free(res);
        }
    }
    zc_index_close(r);
}

/* ---- zc_query_build directly --------------------------------------------- */

static void test_build_limits(void **state)
{
    (void)state;
    zc_analyzer *a = NULL;
    zc_error err;
    assert_int_equal(zc_analyzer_new(ZC_SEG_NGRAM, &a, &err), ZC_OK);
    zc_xap_query *q = NULL;
    zc_hl *hl = NULL;

    /* Too many terms: 1100 distinct words. */
    size_t cap = 1100 * 8, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 1100; i++)
        n += (size_t)snprintf(text + n, cap - n, "w%d ", i);
    assert_int_equal(zc_query_build(a, text, n, &q, &hl, &err), ZC_ETOOLONG);
    assert_string_equal(err.field, "q");
    assert_null(q);
    assert_null(hl);
    free(text);

    /* Over the byte limit. */
    n = ZC_QUERY_MAX_BYTES + 1;
    text = malloc(n);
    assert_non_null(text);
    memset(text, 'x', n);
    assert_int_equal(zc_query_build(a, text, n, &q, NULL, &err), ZC_ETOOLONG);
    free(text);

    /* Invalid UTF-8 is refused, not searched. */
    assert_int_equal(zc_query_build(a, "ab\xff", 3, &q, NULL, &err), ZC_EINVAL);
    assert_string_equal(err.field, "q");

    /* Highlight terms: positive ones only. */
    const char *s = "revitalize 老工业基地 -gamma NOT delta";
    assert_int_equal(zc_query_build(a, s, strlen(s), &q, &hl, &err), ZC_OK);
    assert_non_null(q);
    assert_int_equal(zc_hl_count(hl), 1 + 4);   /* stem + 4 bigrams */
    zc_xap_query_free(q);
    zc_hl_free(hl);

    /* hl may be NULL */
    assert_int_equal(zc_query_build(a, "alpha", 5, &q, NULL, &err), ZC_OK);
    zc_xap_query_free(q);
    zc_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implicit_and),
        cmocka_unit_test(test_or_precedence),
        cmocka_unit_test(test_not_and_minus),
        cmocka_unit_test(test_parentheses),
        cmocka_unit_test(test_broken_syntax_is_plain_words),
        cmocka_unit_test(test_no_positive_term),
        cmocka_unit_test(test_chinese_phrase_exact),
        cmocka_unit_test(test_docno_spellings),
        cmocka_unit_test(test_width_and_case),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_stems),
        cmocka_unit_test(test_title_ranks_first),
        cmocka_unit_test(test_build_limits),
        cmocka_unit_test(test_phrase_exact_every_mode),
        cmocka_unit_test(test_traditional_simplified_every_mode),
        cmocka_unit_test(test_stopwords),
        cmocka_unit_test(test_match_any),
        cmocka_unit_test(test_proximity_ranks),
        cmocka_unit_test(test_no_document_twice),
        cmocka_unit_test(test_exact_title_and_docno_first),
        cmocka_unit_test(test_edge_character),
        cmocka_unit_test(test_quoted_phrase_one_char_run),
        cmocka_unit_test(test_exact_sequence_first),
        cmocka_unit_test(test_all_words_in_title_first),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
