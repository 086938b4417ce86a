/* test_snippet.c — the highlight set and snippets (lib/snippet*.c), with
 * highlight sets made by the real query parser from real query text.
 *
 * Owns nothing. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/analyzer.h"
#include "lib/norm.h"
#include "lib/query.h"
#include "lib/snippet.h"
#include "base/utf8.h"

static int setup(void **state)
{
    zc_analyzer *a = NULL;
    zc_error err;
    if (zc_analyzer_new(ZC_SEG_NGRAM, &a, &err) != ZC_OK)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    zc_analyzer_free(*state);
    return 0;
}

/* The snippet of text for query q (max characters max); caller frees. */
static char *snip(void **state, const char *q, const char *text, size_t max)
{
    zc_analyzer *a = *state;
    zc_error err;
    zc_xap_query *xq = NULL;
    zc_hl *hl = NULL;
    if (q != NULL && zc_query_build(a, q, strlen(q), &xq, &hl, &err) != ZC_OK)
        fail_msg("query %s: %s", q, err.message);
    zc_xap_query_free(xq);
    char *out = NULL;
    size_t len = 0;
    if (zc_snippet_make(a, NULL, hl, text, strlen(text), max, &out, &len, &err) != ZC_OK)
        fail_msg("snippet: %s", err.message);
    zc_hl_free(hl);
    assert_int_equal(strlen(out), len);
    assert_true(zc_utf8_valid(out, len, NULL));
    assert_null(strchr(out, '\n'));
    return out;
}

/* The snippet for query q made with an analyzer of mode m, both with a
 * caller's second analyzer (as the index handle passes) and without one
 * (made for the call): the two must agree. */
static void expect_mode(zc_seg_mode m, const char *q, const char *text, const char *want)
{
    zc_analyzer *a = NULL, *seg = NULL;
    zc_error err;
    assert_int_equal(zc_analyzer_new(m, &a, &err), ZC_OK);
    assert_int_equal(zc_analyzer_new(m, &seg, &err), ZC_OK);
    zc_xap_query *xq = NULL;
    zc_hl *hl = NULL;
    if (zc_query_build(a, q, strlen(q), &xq, &hl, &err) != ZC_OK)
        fail_msg("query %s: %s", q, err.message);
    zc_xap_query_free(xq);
    for (int with_seg = 0; with_seg < 2; with_seg++) {
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(zc_snippet_make(a, with_seg ? seg : NULL, hl, text, strlen(text), 120,
                                         &out, &len, &err),
                         ZC_OK);
        if (strcmp(out, want) != 0)
            fail_msg("%s%s, query %s:\n got  %s\n want %s", zc_analyzer_mode_name(m),
                     with_seg ? " (caller's seg)" : "", q, out, want);
        free(out);
    }
    zc_hl_free(hl);
    zc_analyzer_free(seg);
    zc_analyzer_free(a);
}

static void expect(void **state, const char *q, const char *text, size_t max,
                   const char *want)
{
    char *s = snip(state, q, text, max);
    if (strcmp(s, want) != 0)
        fail_msg("query %s:\n got  %s\n want %s", q ? q : "(none)", s, want);
    free(s);
}

/* Characters of the document shown: tags dropped, an entity is one
 * character, a leading/trailing ellipsis not counted. */
static size_t shown_chars(const char *s)
{
    size_t n = 0, len = strlen(s), p = 0;
    const char *ell = "…";
    if (strncmp(s, ell, 3) == 0)
        p = 3;
    if (len >= 3 && strcmp(s + len - 3, ell) == 0)
        len -= 3;
    while (p < len) {
        if (strncmp(s + p, "<b>", 3) == 0) {
            p += 3;
            continue;
        }
        if (strncmp(s + p, "</b>", 4) == 0) {
            p += 4;
            continue;
        }
        if (s[p] == '&') {
            const char *semi = strchr(s + p, ';');
            assert_non_null(semi);
            p = (size_t)(semi - s) + 1;
            n++;
            continue;
        }
        p++;
        while (p < len && ((unsigned char)s[p] & 0xC0) == 0x80)
            p++;
        n++;
    }
    return n;
}

/* ---- the set -------------------------------------------------------------- */

static void test_hl_set(void **state)
{
    (void)state;
    zc_hl *hl = NULL;
    zc_error err;
    assert_int_equal(zc_hl_new(&hl, &err), ZC_OK);
    assert_int_equal(zc_hl_count(hl), 0);
    char term[16];
    for (int i = 0; i < 500; i++) {
        int n = snprintf(term, sizeof term, "t%d", i);
        assert_int_equal(zc_hl_add(hl, term, (size_t)n, i % 2, &err), ZC_OK);
    }
    assert_int_equal(zc_hl_count(hl), 500);
    /* duplicates are not counted again; the stem flag makes a new entry */
    assert_int_equal(zc_hl_add(hl, "t0", 2, 0, &err), ZC_OK);
    assert_int_equal(zc_hl_count(hl), 500);
    assert_int_equal(zc_hl_add(hl, "t0", 2, 1, &err), ZC_OK);
    assert_int_equal(zc_hl_count(hl), 501);
    assert_int_equal(zc_hl_add_part(hl, "t0", 2, &err), ZC_OK);
    assert_int_equal(zc_hl_count(hl), 501);
    assert_int_equal(zc_hl_add(hl, "", 0, 0, &err), ZC_OK);   /* ignored */
    assert_int_equal(zc_hl_count(hl), 501);
    zc_hl_free(hl);
    zc_hl_free(NULL);
}

/* ---- Chinese ------------------------------------------------------------ */

static void test_chinese_word_one_span(void **state)
{
    expect(state, "振兴东北", "国务院决定加快振兴东北地区发展。", 120,
           "国务院决定加快<b>振兴东北</b>地区发展。");
    /* a lone bigram of the query word is not marked */
    expect(state, "老工业基地", "工业发展与老工业基地建设", 120,
           "工业发展与<b>老工业基地</b>建设");
    /* two-character words are whole words */
    expect(state, "基地 建设", "工业发展与老工业基地建设", 120,
           "工业发展与老工业<b>基地建设</b>");
    /* a single character */
    expect(state, "城", "新城建设", 120, "新<b>城</b>建设");
    /* adjacent Latin and CJK matches make one span */
    expect(state, "GDP增长", "今年GDP增长较快", 120, "今年<b>GDP增长</b>较快");
    /* full-width text matches a half-width query, shown as written */
    expect(state, "gdp", "今年ＧＤＰ增长", 120, "今年<b>ＧＤＰ</b>增长");
}

/* Every analyzer marks whole matches: a quoted phrase only where the whole
 * phrase stands, English words whole, Traditional text with its own
 * characters for a Simplified query. */
static void test_modes_whole_words(void **state)
{
    (void)state;
    static const char text[] = "工业发展与老工业基地建设，老工业城市";
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        expect_mode(m, "\"老工业基地\"", text,
                    "工业发展与<b>老工业基地</b>建设，老工业城市");
        expect_mode(m, "振兴东北", "振興東北老工業基地", "<b>振興東北</b>老工業基地");
        expect_mode(m, "振興東北", "振兴东北老工业基地", "<b>振兴东北</b>老工业基地");
        expect_mode(m, "revitalize northeast", "The revitalization of the Northeast.",
                    "The <b>revitalization</b> of the <b>Northeast</b>.");
        expect_mode(m, "\"old industrial base\"",
                    "An old base; the old industrial base.",
                    "An old base; the <b>old</b> <b>industrial</b> <b>base</b>.");
    }
    /* Free text: ngram and hybrid mark the query's run where it stands
     * whole; words mode marks each of its dictionary words, whole. */
    expect_mode(ZC_SEG_NGRAM, "老工业基地", text, "工业发展与<b>老工业基地</b>建设，老工业城市");
    expect_mode(ZC_SEG_HYBRID, "老工业基地", text, "工业发展与<b>老工业基地</b>建设，老工业城市");
    expect_mode(ZC_SEG_WORDS, "老工业基地", text,
                "<b>工业</b>发展与<b>老工业基地</b>建设，<b>老工业</b>城市");
    /* Words mode never marks part of a longer word: 工业化 is one word. */
    expect_mode(ZC_SEG_WORDS, "工业", "推进工业化和工业发展", "推进工业化和<b>工业</b>发展");
    expect_mode(ZC_SEG_NGRAM, "工业", "推进工业化和工业发展",
                "推进<b>工业</b>化和<b>工业</b>发展");
}

/* A sequence is marked only where it occurs whole, with one extra position
 * allowed where its gap flag says so. */
static void test_hl_seq(void **state)
{
    zc_analyzer *a = *state;
    zc_hl *hl = NULL;
    zc_error err;
    assert_int_equal(zc_hl_new(&hl, &err), ZC_OK);
    /* 老工 工业 | 基地: the query "老工业 基地" */
    const char *terms[] = {"老工", "工业", "基地"};
    size_t lens[] = {6, 6, 6};
    unsigned char gaps[] = {0, 0, 1};
    assert_int_equal(zc_hl_add_seq(hl, terms, lens, gaps, 3, &err), ZC_OK);
    assert_int_equal(zc_hl_count(hl), 3);
    static const struct {
        const char *text, *want;
    } t[] = {
        {"老工业基地", "<b>老工业基地</b>"},          /* one extra position: 业基 */
        {"老工业，基地", "<b>老工业</b>，<b>基地</b>"}, /* no bigram across the comma */
        {"老工业区基地", "老工业区基地"},             /* two extra: no */
        {"工业基地", "工业基地"},                     /* not whole */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(zc_snippet_make(a, NULL, hl, t[i].text, strlen(t[i].text), 120, &out, &len,
                                         &err),
                         ZC_OK);
        if (strcmp(out, t[i].want) != 0)
            fail_msg("%s: got %s want %s", t[i].text, out, t[i].want);
        free(out);
    }
    zc_hl_free(hl);
}

/* A whole sequence (a document number) is one mark over its pieces and
 * what stands between them, and only where all of it stands: never the
 * 2016 or the 号 of another number. */
static void test_hl_seq_whole(void **state)
{
    static const struct {
        const char *q, *text, *want;
    } t[] = {
        {"docno:国发〔2016〕12号", "依据国发〔2016〕12号文件。",
         "依据<b>国发〔2016〕12号</b>文件。"},
        {"docno:国发[2016]12号", "依据国发（２０１６）１２号和国发〔2016〕120号、国办发〔2016〕12号。",
         "依据<b>国发（２０１６）１２号</b>和国发〔2016〕120号、国办发〔2016〕12号。"},
        {"国发〔2016〕12号", "2016年国发12号文：见国发〔2016〕12号。",
         "2016年国发12号文：见<b>国发〔2016〕12号</b>。"},
        {"docno:国发〔2016〕12号", "国发〔2015〕3号，2016年12号。",
         "国发〔2015〕3号，2016年12号。"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        expect(state, t[i].q, t[i].text, 120, t[i].want);
    for (int m = 0; m < ZC_SEG_MODES; m++)
        expect_mode((zc_seg_mode)m, t[0].q, t[0].text, t[0].want);
}

/* An unquoted unit marks every spelling of it, whole, and nothing else
 * (not the 5 of 15%, not 百分之五十), in every analyzer mode. */
static void test_units(void **state)
{
    static const struct {
        const char *q, *text, *want;
    } t[] = {
        {"5%", "税率5%，另有百分之五和５％，不是15%或百分之五十。",
         "税率<b>5%</b>，另有<b>百分之五</b>和<b>５％</b>，不是15%或百分之五十。"},
        {"二〇一六年四月", "2016年4月26日和2016-04-01发布，2016年5月废止。",
         "<b>2016年4月</b>26日和<b>2016-04</b>-01发布，2016年5月废止。"},
        {"300万元 补助", "补助三百万元，300万人。", "<b>补助三百万元</b>，300万人。"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        expect(state, t[i].q, t[i].text, 120, t[i].want);
    for (int m = 0; m < ZC_SEG_MODES; m++)
        expect_mode((zc_seg_mode)m, t[0].q, t[0].text, t[0].want);
}

/* A phrase with a gap at every character against a text that matches
 * both ways everywhere: the sequence search is bounded (it would take
 * 2^60 steps), so the snippet comes back at once, unmarked. */
static void test_hl_seq_bounded(void **state)
{
    (void)state;
    zc_analyzer *a = NULL;
    zc_error err;
    assert_int_equal(zc_analyzer_new(ZC_SEG_WORDS, &a, &err), ZC_OK);
    char q[1024] = "\"";
    for (int i = 0; i < 60; i++)
        strcat(q, "工 ");
    strcat(q, "业\"");
    zc_xap_query *xq = NULL;
    zc_hl *hl = NULL;
    assert_int_equal(zc_query_build(a, q, strlen(q), &xq, &hl, &err), ZC_OK);
    zc_xap_query_free(xq);
    size_t n = 0, cap = 3 * 2 * 3000 + 1;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 3000; i++) {
        memcpy(text + n, i % 2 ? "工，" : "工工", 6);
        n += 6;
    }
    text[n] = '\0';
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(zc_snippet_make(a, NULL, hl, text, n, 120, &out, &len, &err), ZC_OK);
    assert_null(strstr(out, "<b>"));
    free(out);
    free(text);
    zc_hl_free(hl);
    zc_analyzer_free(a);
}

static void test_english_stems(void **state)
{
    zc_analyzer *a = *state;
    char s1[64], s2[64];
    size_t n1 = zc_analyzer_stem(a, "revitalize", 10, s1, sizeof s1);
    size_t n2 = zc_analyzer_stem(a, "revitalization", 14, s2, sizeof s2);
    assert_true(n1 > 0 && n2 > 0);
    /* The English stemmer gives both "revit". */
    assert_int_equal(n1, n2);
    assert_memory_equal(s1, s2, n1);
    expect(state, "revitalize", "The revitalization of the Northeast.", 120,
           "The <b>revitalization</b> of the Northeast.");
    expect(state, "policies", "A policy, two policies.", 120,
           "A <b>policy</b>, two <b>policies</b>.");
    /* a quoted word is exact: no stem match */
    expect(state, "\"revitalize\"", "The revitalization of the Northeast.", 120,
           "The revitalization of the Northeast.");
    /* case-insensitive, shown as written */
    expect(state, "northeast", "The NorthEast", 120, "The <b>NorthEast</b>");
}

/* The direct scan (snippet_scan.c "regions") skips runs that cannot hold a
 * term; what it shows must not change.  A sequence with a gap may stand
 * across one uninteresting run (城 here: the ngram phrase allows one extra
 * position), and no sequence is made up across skipped text. */
static void test_regions(void **state)
{
    zc_analyzer *a = *state;
    zc_hl *hl = NULL;
    zc_error err;
    assert_int_equal(zc_hl_new(&hl, &err), ZC_OK);
    const char *terms[] = {"老工", "工业", "基地"};
    size_t lens[] = {6, 6, 6};
    unsigned char gaps[] = {0, 0, 1};
    assert_int_equal(zc_hl_add_seq(hl, terms, lens, gaps, 3, &err), ZC_OK);
    static const struct {
        const char *text, *want;
    } t[] = {
        {"老工业，城，基地", "<b>老工业</b>，城，<b>基地</b>"},   /* 城: the extra position */
        {"老工业，城，市，基地", "老工业，城，市，基地"},         /* two: no */
        {"老工业。甲乙丙丁戊。基地", "老工业。甲乙丙丁戊。基地"}, /* five: no */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(zc_snippet_make(a, NULL, hl, t[i].text, strlen(t[i].text), 120, &out,
                                         &len, &err),
                         ZC_OK);
        if (strcmp(out, t[i].want) != 0)
            fail_msg("%s: got %s want %s", t[i].text, out, t[i].want);
        free(out);
    }
    zc_hl_free(hl);

    /* Matches far apart in a long text: the best window is still found,
     * in Traditional, full-width and English text too, in every mode. */
    size_t cap = 64 * 1024, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 2000; i++) {
        memcpy(text + n, i % 10 == 9 ? "。" : "甲", 3);
        n += 3;
    }
    static const char tail[] = "老工業基地的ＧＤＰ，the Revitalization。";
    memcpy(text + n, tail, sizeof tail);
    n += sizeof tail - 1;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        zc_analyzer *am = NULL;
        assert_int_equal(zc_analyzer_new(m, &am, &err), ZC_OK);
        static const struct {
            const char *q, *want;
        } w[] = {
            {"\"老工业基地\"", "<b>老工業基地</b>"},
            {"gdp", "<b>ＧＤＰ</b>"},
            {"revitalize", "<b>Revitalization</b>"},
        };
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
            zc_xap_query *xq = NULL;
            hl = NULL;
            assert_int_equal(zc_query_build(am, w[i].q, strlen(w[i].q), &xq, &hl, &err),
                             ZC_OK);
            zc_xap_query_free(xq);
            char *out = NULL;
            size_t len = 0;
            assert_int_equal(zc_snippet_make(am, NULL, hl, text, n, 40, &out, &len, &err), ZC_OK);
            if (strstr(out, w[i].want) == NULL)
                fail_msg("%s, %s: got %s", zc_analyzer_mode_name(m), w[i].q, out);
            free(out);
            zc_hl_free(hl);
        }
        zc_analyzer_free(am);
    }
    free(text);
}

/* A long text is scanned past 64 KiB only until a first match: a match
 * in the first 64 KiB is shown even when a denser cluster comes later,
 * and a match found only later is still shown. */
static void test_scan_bound(void **state)
{
    size_t cap = 300 * 1024, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    memcpy(text, "政策。", 9);
    n = 9;
    while (n < 100 * 1024) {
        memcpy(text + n, "甲乙丙丁。", 15);
        n += 15;
    }
    memcpy(text + n, "政策政策政策。", 21);
    n += 21;
    text[n] = '\0';
    char *s = snip(state, "政策", text, 20);
    assert_true(strncmp(s, "<b>政策</b>。", strlen("<b>政策</b>。")) == 0);
    free(s);
    s = snip(state, "\"政策政策\"", text, 20);
    assert_non_null(strstr(s, "<b>政策政策政策</b>"));
    free(s);
    /* Every run may hold a term (one region, analyzed every 16 KiB): a
     * phrase found only at 200 KiB is still shown. */
    n = 0;
    while (n < 200 * 1024) {
        memcpy(text + n, "政策甲。", 12);
        n += 12;
    }
    memcpy(text + n, "政策政策。", 16);
    n += 15;
    s = snip(state, "\"政策政策\"", text, 20);
    assert_non_null(strstr(s, "<b>政策政策</b>"));
    free(s);
    free(text);
}

static void test_escaping(void **state)
{
    expect(state, "policy", "a & b < c > d \"e\" policy", 120,
           "a &amp; b &lt; c &gt; d &quot;e&quot; <b>policy</b>");
    expect(state, "x", "<b>x</b>", 120, "&lt;b&gt;<b>x</b>&lt;/b&gt;");
}

static void test_newlines_and_spaces(void **state)
{
    expect(state, "政策", "第一段。\n第二段政策。", 120, "第一段。 第二段<b>政策</b>。");
    expect(state, "policy", "line one\r\n\r\n\tpolicy  here", 120,
           "line one <b>policy</b> here");
    expect(state, NULL, "\n\n  lead spaces", 120, "lead spaces");
}

static void test_no_match_prefix(void **state)
{
    expect(state, "zzz", "一二三四五六七八九十一二三四五", 10, "一二三四五六七八九十…");
    expect(state, NULL, "一二三四五", 10, "一二三四五");
    expect(state, "zzz", "", 10, "");
    expect(state, NULL, "abc", 0, "…");
}

static void test_long_text_window(void **state)
{
    /* 300 CJK characters of filler, the match, 300 more. */
    size_t cap = 4096, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 300; i++) {
        memcpy(text + n, "甲", 3);
        n += 3;
    }
    memcpy(text + n, "振兴东北", 12);
    n += 12;
    for (int i = 0; i < 300; i++) {
        memcpy(text + n, "乙", 3);
        n += 3;
    }
    text[n] = '\0';
    for (size_t max = 5; max <= 60; max += 11) {
        char *s = snip(state, "振兴东北", text, max);
        assert_non_null(strstr(s, "<b>振兴东北</b>"));
        assert_true(strncmp(s, "…", 3) == 0);
        assert_true(strcmp(s + strlen(s) - 3, "…") == 0);
        assert_true(shown_chars(s) <= max);
        free(s);
    }
    free(text);
}

static void test_sentence_start(void **state)
{
    char text[1024] = "";
    for (int i = 0; i < 40; i++)
        strcat(text, "前");
    strcat(text, "。本句提到振兴东北的事。");
    for (int i = 0; i < 60; i++)
        strcat(text, "后");
    char *s = snip(state, "振兴东北", text, 30);
    if (strncmp(s, "…本句提到<b>振兴东北</b>的事。", strlen("…本句提到<b>振兴东北</b>的事。")) != 0)
        fail_msg("snippet does not start at the sentence: %s", s);
    assert_true(shown_chars(s) <= 30);
    free(s);

    /* English sentences */
    s = snip(state, "tariffs",
             "Many words come first here and more words. Tariffs were raised in May. "
             "Then other things happened later on in the year.", 40);
    if (strncmp(s, "…<b>Tariffs</b> were raised", 29) != 0)
        fail_msg("snippet does not start at the sentence: %s", s);
    free(s);
}

static void test_densest_window(void **state)
{
    char text[2048] = "alpha ";
    for (int i = 0; i < 100; i++)
        strcat(text, "filler ");
    strcat(text, "here alpha beta together ");
    for (int i = 0; i < 100; i++)
        strcat(text, "more ");
    char *s = snip(state, "alpha beta", text, 40);
    assert_non_null(strstr(s, "<b>alpha</b> <b>beta</b>"));
    free(s);
}

/* The snippet's text without marks and "…", found in text: the characters
 * just outside it are not ASCII letters or digits. */
static void assert_word_edges(const char *text, const char *snippet)
{
    char plain[512];
    size_t n = 0;
    const char *p = snippet;
    if (strncmp(p, "…", 3) == 0)
        p += 3;
    while (*p && n + 1 < sizeof plain) {
        if (strncmp(p, "<b>", 3) == 0) {
            p += 3;
        } else if (strncmp(p, "</b>", 4) == 0) {
            p += 4;
        } else if (strcmp(p, "…") == 0) {
            break;
        } else {
            plain[n++] = *p++;
        }
    }
    plain[n] = '\0';
    const char *at = strstr(text, plain);
    if (at == NULL)
        fail_msg("snippet text not in the text: %s", snippet);
    if (at > text && isalnum((unsigned char)at[-1]))
        fail_msg("snippet starts inside a word: %s", snippet);
    if (isalnum((unsigned char)at[n]))
        fail_msg("snippet ends inside a word: %s", snippet);
}

static void test_english_word_edges(void **state)
{
    const char *text =
        "Comprehensive regulations of harbour governance are described at considerable "
        "length, including the port authority rules and further administrative "
        "arrangements for 2023456 containers handled annually across the region.";
    const char *queries[] = {"port", "containers", "harbour", "region", NULL};
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        for (size_t max = 20; max <= 90; max += 7) {
            char *s = snip(state, queries[q], text, max);
            assert_true(shown_chars(s) <= max);
            if (queries[q] != NULL)
                assert_non_null(strstr(s, "<b>"));
            assert_word_edges(text, s);
            free(s);
        }
    }
    /* One word longer than the window: cut inside it all the same. */
    char *s = snip(state, "absent", "Supercalifragilisticexpialidocious words", 10);
    if (strcmp(s, "Supercalif…") != 0)
        fail_msg("a one-word window: %s", s);
    free(s);
}

static void test_utf8_safety(void **state)
{
    zc_analyzer *a = *state;
    /* Cut at every possible size: never half a character. */
    const char *text = "中文English混合，テスト한국어😀 end";
    for (size_t max = 0; max < 40; max++) {
        char *s = snip(state, "english", text, max);
        assert_true(shown_chars(s) <= max || max == 0);
        free(s);
    }
    /* Invalid bytes in the text become U+FFFD, the output stays UTF-8. */
    zc_hl *hl = NULL;
    zc_error err;
    assert_int_equal(zc_hl_new(&hl, &err), ZC_OK);
    assert_int_equal(zc_hl_add(hl, "ok", 2, 0, &err), ZC_OK);
    const char bad[] = "ab\xff\xfe ok \xe4\xb8";
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(zc_snippet_make(a, NULL, hl, bad, sizeof bad - 1, 50, &out, &len, &err), ZC_OK);
    assert_true(zc_utf8_valid(out, len, NULL));
    assert_non_null(strstr(out, "<b>ok</b>"));
    free(out);
    zc_hl_free(hl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hl_set),
        cmocka_unit_test(test_chinese_word_one_span),
        cmocka_unit_test(test_modes_whole_words),
        cmocka_unit_test(test_hl_seq),
        cmocka_unit_test(test_hl_seq_whole),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_hl_seq_bounded),
        cmocka_unit_test(test_english_stems),
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_scan_bound),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_newlines_and_spaces),
        cmocka_unit_test(test_no_match_prefix),
        cmocka_unit_test(test_long_text_window),
        cmocka_unit_test(test_sentence_start),
        cmocka_unit_test(test_densest_window),
        cmocka_unit_test(test_english_word_edges),
        cmocka_unit_test(test_utf8_safety),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
