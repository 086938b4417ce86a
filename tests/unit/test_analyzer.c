/* test_analyzer.c — the analysis pipeline: token streams (golden file
 * tests/unit/golden/analyze.txt, every mode), byte spans back into the
 * original text, Traditional -> Simplified folding, positions for phrases,
 * the 64-byte word cut, invalid UTF-8, long runs, stopping, stemming and
 * language detection.
 *
 * Golden format: "= <input>" starts a case; each following line is one
 * token, "<kind> <term> <start> <end> p<pos> r<run>[ -][ n] |<span>|", kind
 * W (word), B (CJK bigram), U (CJK unigram), D (CJK dictionary word); " -"
 * marks a token without position, " n" a numeric word; span is the
 * original text [start, end).  A blank line or the next "=" ends the case.
 * "@ ngram", "@ words", "@ hybrid" switch the analyzer for the cases after
 * it (ngram first).  Run with ZC_GOLDEN_PRINT=1 to print what the analyzer
 * makes for every case (to review a change). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/analyzer.h"
#include "lib/limits.h"
#include "lib/norm.h"

#include "golden.h"
#include "base/utf8.h"

/* ---- helpers ------------------------------------------------------------ */

#define MAX_TOKS 20000

typedef struct tok {
    char term[ZC_WORD_MAX_BYTES + 1];
    size_t len, start, end;
    uint32_t pos, run;
    zc_tok_kind kind;
    int positional, numeric;
} tok;

typedef struct collect {
    const char *text;  /* for span checks */
    size_t text_len;
    tok *t;
    size_t n;
    size_t stop_after; /* 0: never stop */
} collect;

static int on_token(void *ctx, const zc_token *k)
{
    collect *c = ctx;
    /* Invariants every token must keep. */
    assert_true(k->start < k->end);
    assert_true(k->end <= c->text_len);
    assert_true(k->len > 0);
    assert_true(zc_utf8_valid(k->term, k->len, NULL));
    if (k->kind == ZC_TOK_WORD)
        assert_true(k->len <= ZC_WORD_MAX_BYTES);
    else if (k->kind == ZC_TOK_CJK_WORD)
        assert_true(zc_analyzer_term_chars(k->term, k->len) >= 2);
    else
        assert_true(k->len <= 8);
    assert_true(zc_utf8_valid(c->text + k->start, k->end - k->start, NULL));
    if (c->n > 0) /* text order */
        assert_true(c->t[c->n - 1].start <= k->start);
    assert_true(c->n < MAX_TOKS);
    tok *t = &c->t[c->n++];
    memcpy(t->term, k->term, k->len);
    t->term[k->len] = '\0';
    t->len = k->len;
    t->start = k->start;
    t->end = k->end;
    t->pos = k->pos;
    t->run = k->run;
    t->kind = k->kind;
    t->positional = k->positional;
    t->numeric = k->numeric;
    return c->stop_after != 0 && c->n >= c->stop_after;
}

static zc_analyzer *an;               /* the analyzer in use (ngram unless switched) */
static zc_analyzer *modes[ZC_SEG_MODES];

/* One token buffer for every test (a collector is used one at a time):
 * allocating it per call made the sanitizer build crawl. */
static tok g_toks[MAX_TOKS];

static int setup(void **state)
{
    (void)state;
    zc_error err;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        if (zc_analyzer_new((zc_seg_mode)m, &modes[m], &err) != ZC_OK) {
            fprintf(stderr, "zc_analyzer_new(%d): %s\n", m, err.message);
            return -1;
        }
    }
    an = modes[ZC_SEG_NGRAM];
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        zc_analyzer_free(modes[m]);
        modes[m] = NULL;
    }
    an = NULL;
    return 0;
}

/* Analyzes text into a fresh collector (positions from *pos, or 0). */
static collect run(const char *text, size_t len, uint32_t *pos)
{
    collect c = { .text = text, .text_len = len, .t = g_toks };
    uint32_t p0 = 0;
    assert_int_equal(zc_analyze(an, text, len, pos ? pos : &p0, on_token, &c, NULL),
                     ZC_OK);
    return c;
}

static collect runs(const char *text)
{
    return run(text, strlen(text), NULL);
}

static void done(collect *c)
{
    c->n = 0;
}

static int format_tok(char *buf, size_t cap, const collect *c, const tok *t)
{
    char k = t->kind == ZC_TOK_WORD         ? 'W'
             : t->kind == ZC_TOK_CJK_BIGRAM ? 'B'
             : t->kind == ZC_TOK_CJK_WORD   ? 'D'
                                            : 'U';
    return snprintf(buf, cap, "%c %s %zu %zu p%u r%u%s%s |%.*s|", k, t->term,
                    t->start, t->end, t->pos, t->run, t->positional ? "" : " -",
                    t->numeric ? " n" : "", (int)(t->end - t->start),
                    c->text + t->start);
}

/* ---- golden ------------------------------------------------------------- */

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int check_case(const char *input, char expect[][512], size_t n_expect, int lineno)
{
    collect c = runs(input);
    int bad = 0;
    int print = getenv("ZC_GOLDEN_PRINT") != NULL;
    if (print)
        printf("= %s\n", input);
    for (size_t i = 0; i < c.n || i < n_expect; i++) {
        char got[512] = "(none)";
        if (i < c.n)
            format_tok(got, sizeof got, &c, &c.t[i]);
        if (print && i < c.n)
            printf("%s\n", got);
        if (i >= n_expect || strcmp(got, expect[i]) != 0) {
            if (!bad)
                print_error("analyze.txt:%d: [%s]\n", lineno, input);
            print_error("  token %zu: got      %s\n  token %zu: expected %s\n", i, got,
                        i, i < n_expect ? expect[i] : "(none)");
            bad = 1;
        }
    }
    if (print)
        printf("\n");
    done(&c);
    return bad;
}

static void test_golden_analyze(void **state)
{
    (void)state;
    FILE *fp = open_golden("analyze.txt");
    static char expect[256][512];
    char line[4096], input[4096];
    size_t n_expect = 0;
    int have = 0, cases = 0, bad = 0, lineno = 0, case_line = 0;
    an = modes[ZC_SEG_NGRAM];
    for (;;) {
        char *l = fgets(line, sizeof line, fp);
        if (l != NULL) {
            lineno++;
            chomp(line);
            if (line[0] == '#')
                continue;
        }
        if (l == NULL || line[0] == '\0' || line[0] == '=' || line[0] == '@') {
            if (have) {
                bad += check_case(input, expect, n_expect, case_line);
                cases++;
                have = 0;
            }
            if (l == NULL)
                break;
            if (line[0] == '@') {
                zc_seg_mode m;
                assert_true(strlen(line) > 2);
                assert_int_equal(zc_analyzer_mode_parse(line + 2, strlen(line + 2), &m), 0);
                if (getenv("ZC_GOLDEN_PRINT") != NULL)
                    printf("%s\n\n", line);
                an = modes[m];
                continue;
            }
            if (line[0] == '=') {
                assert_true(line[1] == ' ');
                memcpy(input, line + 2, strlen(line + 2) + 1);
                have = 1;
                n_expect = 0;
                case_line = lineno;
            }
            continue;
        }
        assert_true(have);
        assert_true(n_expect < 256);
        size_t ll = strlen(line);
        assert_true(ll < sizeof expect[0]);
        memcpy(expect[n_expect++], line, ll + 1);
    }
    fclose(fp);
    an = modes[ZC_SEG_NGRAM];
    assert_true(cases >= 20);
    assert_int_equal(bad, 0);
}

/* ---- spans, positions, runs --------------------------------------------- */

static void test_spans_are_original_bytes(void **state)
{
    (void)state;
    const char *text = "ＧＤＰ增长２０１６年，Café “naïve”";
    collect c = runs(text);
    static const struct { zc_tok_kind kind; const char *term, *span; } want[] = {
        { ZC_TOK_WORD, "gdp", "ＧＤＰ" },
        { ZC_TOK_CJK_BIGRAM, "增长", "增长" },
        { ZC_TOK_CJK_UNIGRAM, "增", "增" },
        { ZC_TOK_CJK_UNIGRAM, "长", "长" },
        { ZC_TOK_WORD, "2016", "２０１６" },
        { ZC_TOK_CJK_UNIGRAM, "年", "年" },
        { ZC_TOK_WORD, "cafe", "Café" },
        { ZC_TOK_WORD, "naive", "naïve" },
    };
    assert_int_equal(c.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < c.n; i++) {
        assert_int_equal(c.t[i].kind, want[i].kind);
        assert_string_equal(c.t[i].term, want[i].term);
        assert_int_equal(c.t[i].end - c.t[i].start, strlen(want[i].span));
        assert_memory_equal(text + c.t[i].start, want[i].span, strlen(want[i].span));
    }
    assert_true(c.t[4].numeric);
    assert_false(c.t[0].numeric);
    done(&c);
}

static void test_positions_for_phrases(void **state)
{
    (void)state;
    /* "经济 发展 economic development": bigrams and words take consecutive
     * positions, so a phrase query's terms line up. */
    const char *text = "推进经济发展 economic development";
    collect c = runs(text);
    /* 推进经济发展 is one run of six characters: five bigrams at 0..4,
     * then the two words at 5 and 6. */
    uint32_t bigram_pos[8];
    size_t nb = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.t[i].kind == ZC_TOK_CJK_BIGRAM)
            bigram_pos[nb++] = c.t[i].pos;
    assert_int_equal(nb, 5);
    for (size_t i = 0; i < nb; i++)
        assert_int_equal(bigram_pos[i], i);
    assert_string_equal(c.t[c.n - 2].term, "economic");
    assert_int_equal(c.t[c.n - 2].pos, 5);
    assert_string_equal(c.t[c.n - 1].term, "development");
    assert_int_equal(c.t[c.n - 1].pos, 6);
    done(&c);

    /* Positions continue across calls (title then body) from *pos. */
    uint32_t pos = 100;
    c = run("经济发展", strlen("经济发展"), &pos);
    assert_int_equal(pos, 103); /* three bigrams */
    assert_int_equal(c.t[0].pos, 100);
    assert_int_equal(c.t[0].run, 0); /* runs count from 0 per call */
    done(&c);
    c = run("GDP", 3, &pos);
    assert_int_equal(pos, 104);
    assert_int_equal(c.t[0].pos, 103);
    done(&c);
    c = run("年", strlen("年"), &pos);
    assert_int_equal(pos, 105);
    assert_true(c.t[0].positional);
    done(&c);
}

static void test_mixed_runs(void **state)
{
    (void)state;
    collect c = runs("GDP增长2016年");
    static const char *terms[] = { "gdp", "增长", "增", "长", "2016", "年" };
    static const uint32_t runs_[] = { 0, 1, 1, 1, 2, 3 };
    static const uint32_t pos[] = { 0, 1, 1, 1, 2, 3 };
    assert_int_equal(c.n, 6);
    for (size_t i = 0; i < c.n; i++) {
        assert_string_equal(c.t[i].term, terms[i]);
        assert_int_equal(c.t[i].run, runs_[i]);
        assert_int_equal(c.t[i].pos, pos[i]);
    }
    assert_true(c.t[4].numeric);
    done(&c);
}

static void test_word_cut_on_utf8_boundary(void **state)
{
    (void)state;
    /* 100 x 'é' normalizes to 100 x 'e': cut to 64 bytes. */
    char text[1024];
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(text + n, "\xC3\xA9", 2);
        n += 2;
    }
    collect c = run(text, n, NULL);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.t[0].len, ZC_WORD_MAX_BYTES);
    for (size_t i = 0; i < c.t[0].len; i++)
        assert_int_equal(c.t[0].term[i], 'e');
    assert_int_equal(c.t[0].start, 0);
    assert_int_equal(c.t[0].end, n); /* the span is the whole word */
    done(&c);

    /* 100 x 'Д' (2 bytes) -> 32 x 'д' = 64 bytes exactly. */
    n = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(text + n, "Д", 2);
        n += 2;
    }
    c = run(text, n, NULL);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.t[0].len, 64);
    for (size_t i = 0; i < 64; i += 2)
        assert_memory_equal(c.t[0].term + i, "д", 2);
    done(&c);

    /* 30 x Georgian 'ა' (3 bytes): 21 fit in 63 bytes, the 22nd would not. */
    n = 0;
    for (int i = 0; i < 30; i++) {
        memcpy(text + n, "ა", 3);
        n += 3;
    }
    memcpy(text + n, " next", 5);
    n += 5;
    c = run(text, n, NULL);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.t[0].len, 63);
    assert_true(zc_utf8_valid(c.t[0].term, c.t[0].len, NULL));
    assert_int_equal(c.t[0].end, 90);
    assert_string_equal(c.t[1].term, "next");
    assert_int_equal(c.t[1].pos, 1); /* the rest of the long word is no token */
    done(&c);
}

static void test_invalid_utf8_separates(void **state)
{
    (void)state;
    static const struct { const char *text; size_t len; const char *terms; } t[] = {
        { "abc\xFF" "def", 7, "abc def" },
        { "abc\xE5\x9B" "def", 8, "abc def" },            /* truncated 国 */
        { "经济\xC0\xAF发展", 14, "经济 经 济 发展 发 展" },
        { "\xFF\xFE", 2, "" },
        { "GDP\xED\xA0\x80增长", 12, "gdp 增长 增 长" },   /* a surrogate */
        { "x\0y", 3, "x y" },                              /* NUL separates */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        collect c = run(t[i].text, t[i].len, NULL);
        char got[256] = "";
        size_t o = 0;
        for (size_t j = 0; j < c.n; j++)
            o += (size_t)snprintf(got + o, sizeof got - o, "%s%s", j ? " " : "",
                                  c.t[j].term);
        if (strcmp(got, t[i].terms) != 0)
            fail_msg("case %zu: [%s], expected [%s]", i, got, t[i].terms);
        done(&c);
    }
    /* The spans around the bad bytes are exact. */
    collect c = run("经济\xC0\xAF发展", 14, NULL);
    assert_int_equal(c.t[0].start, 0);
    assert_int_equal(c.t[0].end, 6);
    assert_int_equal(c.t[3].start, 8);
    assert_int_equal(c.t[3].end, 14);
    assert_int_equal(c.t[3].run, 1);
    done(&c);
}

static void test_empty_input(void **state)
{
    (void)state;
    uint32_t pos = 7;
    collect c = run("", 0, &pos);
    assert_int_equal(c.n, 0);
    assert_int_equal(pos, 7);
    done(&c);
    c = run(NULL, 0, &pos);
    assert_int_equal(c.n, 0);
    done(&c);
    c = runs(" \t\n，。、——“”（）");
    assert_int_equal(c.n, 0);
    done(&c);
}

static void test_vanishing_chars_widen_span(void **state)
{
    (void)state;
    /* A decomposed é: the combining accent belongs to the word's span. */
    const char *text = "cafe\xCC\x81 co\xC2\xAD" "operate";
    collect c = runs(text);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.t[0].term, "cafe");
    assert_int_equal(c.t[0].end, 6);
    assert_string_equal(c.t[1].term, "cooperate"); /* soft hyphen joins */
    assert_int_equal(c.t[1].start, 7);
    assert_int_equal(c.t[1].end, strlen(text));
    done(&c);

    /* A variation selector after an ideograph widens its unigram's span. */
    const char *ivs = "葛\xF3\xA0\x84\x80城";
    c = runs(ivs);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.t[0].term, "葛城");
    assert_int_equal(c.t[0].end, strlen(ivs));
    assert_string_equal(c.t[1].term, "葛");
    assert_int_equal(c.t[1].end, 7);
    done(&c);
}

static void test_hangul_jamo_compose(void **state)
{
    (void)state;
    /* 한국 decomposed into conjoining jamo gives the same terms as 한국. */
    const char *nfd = "\u1112\u1161\u11AB\u1100\u116E\u11A8";
    collect c = runs(nfd);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.t[0].term, "한국");
    assert_int_equal(c.t[0].start, 0);
    assert_int_equal(c.t[0].end, strlen(nfd));
    assert_string_equal(c.t[1].term, "한");
    assert_int_equal(c.t[1].end, 9);
    done(&c);
}

static void test_long_cjk_run_splits(void **state)
{
    (void)state;
    /* 5000 ideographs: the run is cut after 4096 and continues as run 1. */
    size_t nch = 5000;
    char *text = malloc(nch * 3);
    assert_non_null(text);
    for (size_t i = 0; i < nch; i++)
        memcpy(text + i * 3, (i % 2) ? "济" : "经", 3);
    uint32_t pos = 0;
    collect c = run(text, nch * 3, &pos);
    size_t bigrams[2] = { 0, 0 }, unigrams[2] = { 0, 0 };
    for (size_t i = 0; i < c.n; i++) {
        assert_true(c.t[i].run <= 1);
        if (c.t[i].kind == ZC_TOK_CJK_BIGRAM)
            bigrams[c.t[i].run]++;
        else
            unigrams[c.t[i].run]++;
    }
    assert_int_equal(bigrams[0], 4095);
    assert_int_equal(unigrams[0], 4096);
    assert_int_equal(bigrams[1], 5000 - 4096 - 1);
    assert_int_equal(unigrams[1], 5000 - 4096);
    assert_int_equal(pos, 4095 + 903);
    /* Positions strictly increase across bigrams, also over the cut. */
    uint32_t last = 0;
    int first = 1;
    for (size_t i = 0; i < c.n; i++) {
        if (c.t[i].kind != ZC_TOK_CJK_BIGRAM)
            continue;
        if (!first)
            assert_true(c.t[i].pos == last + 1);
        last = c.t[i].pos;
        first = 0;
    }
    done(&c);
    free(text);
}

static void test_long_word_is_one_token(void **state)
{
    (void)state;
    size_t n = 10000;
    char *text = malloc(n + 4);
    assert_non_null(text);
    memset(text, 'A', n);
    memcpy(text + n, " b", 2);
    uint32_t pos = 0;
    collect c = run(text, n + 2, &pos);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.t[0].len, 64);
    assert_int_equal(c.t[0].end, n);
    assert_int_equal(c.t[0].term[0], 'a');
    assert_string_equal(c.t[1].term, "b");
    assert_int_equal(c.t[1].run, 1);
    assert_int_equal(pos, 2);
    done(&c);
    /* A long number stays numeric. */
    memset(text, '7', n);
    c = run(text, n, NULL);
    assert_int_equal(c.n, 1);
    assert_true(c.t[0].numeric);
    done(&c);
    free(text);
}

static void test_stop_early(void **state)
{
    (void)state;
    const char *text = "one two three 经济发展";
    collect c = { .text = text, .text_len = strlen(text), .stop_after = 2,
                  .t = g_toks };
    uint32_t pos = 0;
    assert_int_equal(zc_analyze(an, text, strlen(text), &pos, on_token, &c, NULL),
                     ZC_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(pos, 2);
    done(&c);
    c = (collect){ .text = text, .text_len = strlen(text), .stop_after = 5,
                   .t = g_toks };
    pos = 0;
    assert_int_equal(zc_analyze(an, text, strlen(text), &pos, on_token, &c, NULL),
                     ZC_OK);
    assert_int_equal(c.n, 5); /* stops inside the CJK run */
    assert_string_equal(c.t[4].term, "经");
    done(&c);
}

/* Traditional characters fold to Simplified terms in every mode, and each
 * token's span is still the original (Traditional) characters. */
static void test_traditional_folds(void **state)
{
    (void)state;
    const char *text = "經濟發展";
    collect c = runs(text);
    assert_string_equal(c.t[0].term, "经济");
    assert_string_equal(c.t[2].term, "济发");
    assert_string_equal(c.t[4].term, "发展");
    assert_memory_equal(text + c.t[0].start, "經濟", c.t[0].end - c.t[0].start);
    assert_memory_equal(text + c.t[4].start, "發展", c.t[4].end - c.t[4].start);
    done(&c);
    /* The same terms from both scripts, in every mode. */
    static const char *const pairs[][2] = {
        {"振興東北老工業基地", "振兴东北老工业基地"},
        {"國有企業改革", "国有企业改革"},
        {"臺灣的發展", "台湾的发展"},
    };
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        an = modes[m];
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            char a[4096] = "", b[4096] = "";
            collect ct = runs(pairs[i][0]);
            for (size_t k = 0; k < ct.n; k++) {
                strcat(a, ct.t[k].term);
                strcat(a, "|");
            }
            done(&ct);
            collect cs = runs(pairs[i][1]);
            for (size_t k = 0; k < cs.n; k++) {
                strcat(b, cs.t[k].term);
                strcat(b, "|");
            }
            done(&cs);
            if (strcmp(a, b) != 0)
                fail_msg("mode %s: %s gives %s, %s gives %s", zc_analyzer_mode_name(m),
                         pairs[i][0], a, pairs[i][1], b);
        }
    }
    an = modes[ZC_SEG_NGRAM];
}

static void test_mode(void **state)
{
    (void)state;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        assert_int_equal(zc_analyzer_mode(modes[m]), m);
        zc_seg_mode back;
        const char *name = zc_analyzer_mode_name((zc_seg_mode)m);
        assert_int_equal(zc_analyzer_mode_parse(name, strlen(name), &back), 0);
        assert_int_equal(back, m);
    }
    assert_string_equal(zc_analyzer_mode_name(ZC_SEG_HYBRID), "hybrid");
    zc_seg_mode x;
    assert_int_equal(zc_analyzer_mode_parse("bigram", 6, &x), -1);
    assert_int_equal(zc_analyzer_mode_parse("ngra", 4, &x), -1);
    zc_analyzer *a = (zc_analyzer *)1;
    zc_error err;
    assert_int_equal(zc_analyzer_new((zc_seg_mode)7, &a, &err), ZC_EINVAL);
    assert_null(a);
    zc_analyzer_free(NULL);
    /* The dictionary was loaded once, by the first words analyzer. */
    assert_true(zc_analyzer_dict_load_ms() > 0);
    assert_true(zc_analyzer_conv_load_ms() > 0);
}

/* Words mode: every character a positional unigram at its own position, a
 * dictionary word at its first character's position, and one position
 * between two CJK runs, so a phrase of characters never spans a break. */
static void test_words_positions(void **state)
{
    (void)state;
    an = modes[ZC_SEG_WORDS];
    uint32_t pos = 10;
    const char *text = "国有企业改革，深化 reform";
    collect c = run(text, strlen(text), &pos);
    uint32_t want_uni[] = {10, 11, 12, 13, 14, 15, 17, 18};
    size_t u = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (c.t[k].kind == ZC_TOK_CJK_UNIGRAM) {
            assert_true(c.t[k].positional);
            assert_true(u < 8);
            assert_int_equal(c.t[k].pos, want_uni[u++]);
        } else if (c.t[k].kind == ZC_TOK_CJK_WORD) {
            assert_true(c.t[k].positional);
            if (strcmp(c.t[k].term, "国有企业") == 0)
                assert_int_equal(c.t[k].pos, 10);
            if (strcmp(c.t[k].term, "改革") == 0)
                assert_int_equal(c.t[k].pos, 14);
            if (strcmp(c.t[k].term, "深化") == 0)
                assert_int_equal(c.t[k].pos, 17);
        } else {
            assert_int_equal(c.t[k].kind, ZC_TOK_WORD);
            assert_int_equal(c.t[k].pos, 19);
        }
    }
    assert_int_equal(u, 8);
    assert_int_equal(pos, 20);
    done(&c);
    an = modes[ZC_SEG_NGRAM];
}

/* Hybrid: the ngram stream, plus positionless dictionary words whose span
 * is the whole word. */
static void test_hybrid_words(void **state)
{
    (void)state;
    const char *text = "振兴东北老工业基地";
    an = modes[ZC_SEG_NGRAM];
    collect g = runs(text);
    size_t ngram_n = g.n;
    done(&g);
    an = modes[ZC_SEG_HYBRID];
    uint32_t pos = 0;
    collect c = run(text, strlen(text), &pos);
    size_t words = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (c.t[k].kind != ZC_TOK_CJK_WORD)
            continue;
        words++;
        assert_false(c.t[k].positional);
        assert_int_equal(c.t[k].end - c.t[k].start, c.t[k].len);
        assert_memory_equal(text + c.t[k].start, c.t[k].term, c.t[k].len);
    }
    assert_true(words >= 3);          /* 振兴 东北 工业 基地 */
    assert_int_equal(c.n, ngram_n + words);
    assert_int_equal(pos, 8);          /* the bigrams' positions, as ngram */
    done(&c);
    an = modes[ZC_SEG_NGRAM];
}

/* ZC_ANALYZE_NO_WORDS (what snippets scan with): in every mode, the
 * zc_analyze stream without its dictionary words, every other token the
 * same (term, span, position, run, flags), and the same end position. */
static tok g_nowords[MAX_TOKS];

static void test_no_words_flag(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "振兴东北老工业基地，国发〔2016〕62号。Revitalizing the Northeast",
        "振興東北老工業基地的若干意見 全面振兴 2016年",
        "老工业基地",
    };
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            const char *text = texts[t];
            collect c = { .text = text, .text_len = strlen(text), .t = g_toks };
            uint32_t p1 = 3, p2 = 3;
            assert_int_equal(zc_analyze_ex(modes[m], text, strlen(text), &p1,
                                           ZC_ANALYZE_NO_WORDS, on_token, &c, NULL),
                             ZC_OK);
            size_t nw = c.n;
            memcpy(g_nowords, g_toks, nw * sizeof *g_toks);
            c.n = 0;
            assert_int_equal(zc_analyze(modes[m], text, strlen(text), &p2, on_token, &c,
                                        NULL),
                             ZC_OK);
            assert_int_equal(p1, p2);
            size_t k = 0, words = 0;
            for (size_t i = 0; i < c.n; i++) {
                if (c.t[i].kind == ZC_TOK_CJK_WORD) {
                    words++;
                    continue;
                }
                assert_true(k < nw);
                const tok *a = &g_nowords[k++], *b = &c.t[i];
                assert_string_equal(a->term, b->term);
                assert_int_equal(a->start, b->start);
                assert_int_equal(a->end, b->end);
                assert_int_equal(a->pos, b->pos);
                assert_int_equal(a->run, b->run);
                assert_int_equal(a->kind, b->kind);
                assert_int_equal(a->positional, b->positional);
            }
            assert_int_equal(k, nw);
            assert_true(m == ZC_SEG_NGRAM ? words == 0 : words > 0);
            done(&c);
        }
    }
}

/* zc_analyzer_fold_char agrees with the analyzer on every BMP character
 * it gives an answer for: alone in a text, the character makes one token
 * whose term is that code point (or none, for a separator). */
static void test_fold_char(void **state)
{
    (void)state;
    size_t answered = 0;
    for (int32_t cp = 1; cp <= 0xFFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        zc_cclass cls;
        int32_t f = zc_analyzer_fold_char(modes[ZC_SEG_NGRAM], cp, &cls);
        if (f < 0)
            continue;
        answered++;
        char text[8], want[8];
        size_t len = zc_norm_encode(cp, text), wl = zc_norm_encode(f, want);
        collect c = { .text = text, .text_len = len, .t = g_toks };
        uint32_t pos = 0;
        assert_int_equal(zc_analyze(modes[ZC_SEG_NGRAM], text, len, &pos, on_token, &c,
                                    NULL),
                         ZC_OK);
        if (cls == ZC_CC_SPACE) {
            if (c.n != 0)
                fail_msg("U+%04X: a separator made %zu tokens", (unsigned)cp, c.n);
        } else if (c.n != 1 || c.t[0].len != wl || memcmp(c.t[0].term, want, wl) != 0 ||
                   (c.t[0].kind == ZC_TOK_WORD) != (cls == ZC_CC_WORD)) {
            fail_msg("U+%04X: fold_char says U+%04X, the analyzer %zu tokens (%s)",
                     (unsigned)cp, (unsigned)f, c.n, c.n ? c.t[0].term : "");
        }
        done(&c);
    }
    assert_true(answered > 60000);
    zc_cclass cls;
    assert_int_equal(zc_analyzer_fold_char(an, 0x8AA0, &cls), 0x8BDA); /* 誠 -> 诚 */
    assert_int_equal(cls, ZC_CC_CJK);
    assert_int_equal(zc_analyzer_fold_char(an, 0xFF27, &cls), 'g');    /* Ｇ */
    assert_int_equal(zc_analyzer_fold_char(an, 0x3002, &cls), ' ');    /* 。 */
    assert_int_equal(cls, ZC_CC_SPACE);
    assert_int_equal(zc_analyzer_fold_char(an, 0x1100, &cls), -1);     /* jamo */
    assert_int_equal(zc_analyzer_fold_char(an, 0x00AD, &cls), -1);     /* vanishes */
}

static void test_random_bytes(void **state)
{
    (void)state;
    /* Hostile input: random mixes of ASCII, UTF-8 fragments, whole
     * characters and bad bytes.  on_token checks every invariant (spans
     * inside the text and valid UTF-8, terms valid and bounded, text
     * order); positions must grow by what the tokens used. */
    static const char *pieces[] = {
        "a", "Z", "9", " ", "-", "\xC3\xA9", "\xCC\x81", "\xE5\x9B\xBD", "\xE5\x9B",
        "\xF0\xA0\x80\x80", "\xF0\xA0", "\xFF", "\x80", "\xED\xA0\x80", "\xEF\xBC\xA1",
        "\xE3\x8D\xBB", "\xEF\xAC\x83", "\xE1\x84\x92", "\xE1\x85\xA1", "\xC2\xAD",
        "\xE3\x80\x80", "\xE3\x80\x94", "\xF3\xA0\x84\x80", "\xD0\x94", "\0",
    };
    unsigned seed = 12345;
    char buf[1024];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t k = (seed >> 16) % 120;
        for (size_t j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t pl = p[0] ? strlen(p) : 1;
            if (n + pl > sizeof buf)
                break;
            memcpy(buf + n, p, pl);
            n += pl;
        }
        uint32_t pos = 3;
        collect c = run(buf, n, &pos);
        uint32_t maxpos = 2;
        for (size_t j = 0; j < c.n; j++) {
            assert_true(c.t[j].pos >= 3);
            if (c.t[j].positional && c.t[j].pos > maxpos)
                maxpos = c.t[j].pos;
        }
        assert_int_equal(pos, maxpos + 1);
        done(&c);
        (void)zc_detect_lang(buf, n);
    }
}

/* ---- stemming ----------------------------------------------------------- */

static void test_stem(void **state)
{
    (void)state;
    static const struct { const char *word, *stem; } t[] = {
        { "economic", "econom" }, { "development", "develop" },
        { "running", "run" }, { "policies", "polici" }, { "policy", "polici" },
        { "revitalize", "revit" }, { "revitalizing", "revit" },
        { "northeast", "northeast" }, { "the", "the" },
        /* not stemmed */
        { "2016", "" }, { "ab", "" }, { "a", "" }, { "covid19", "" },
        { "été", "" }, { "москва", "" }, { "GDP", "" }, { "", "" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[ZC_TERM_MAX_BYTES];
        size_t n = zc_analyzer_stem(an, t[i].word, strlen(t[i].word), buf, sizeof buf);
        if (n != strlen(t[i].stem) || memcmp(buf, t[i].stem, n) != 0)
            fail_msg("stem(%s) = [%.*s], expected [%s]", t[i].word, (int)n, buf,
                     t[i].stem);
    }
    char small[3];
    assert_int_equal(zc_analyzer_stem(an, "development", 11, small, sizeof small), 0);
    char fit[7];
    assert_int_equal(zc_analyzer_stem(an, "development", 11, fit, sizeof fit), 7);
    assert_memory_equal(fit, "develop", 7);
}

/* ---- language ----------------------------------------------------------- */

static void test_detect_lang(void **state)
{
    (void)state;
    static const struct { const char *text, *lang; } t[] = {
        { "", "en" },
        { "12345 ...", "en" },
        { "国务院关于推进经济发展的意见", "zh" },
        { "經濟發展", "zh" },
        { "The State Council issued an opinion on economic development.", "en" },
        { "Ｔｈｅ　Ｓｔａｔｅ　Ｃｏｕｎｃｉｌ", "en" },
        /* A Chinese text that quotes English: still zh. */
        { "推进WTO改革，促进GDP增长，落实COVID-19防控", "zh" },
        /* An English text naming one Chinese ministry: en. */
        { "The Ministry of Finance (财政部) released the annual budget report today", "en" },
        /* Exactly 20%: 2 CJK, 8 letters -> zh; 1 CJK, 8 letters -> en. */
        { "国务 abcdefgh", "zh" },
        { "国 abcdefgh", "en" },
        { "国", "zh" },
        { "\xFF\xFE 国", "zh" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(zc_detect_lang(t[i].text, strlen(t[i].text)), t[i].lang) != 0)
            fail_msg("detect_lang(%s) = %s, expected %s", t[i].text,
                     zc_detect_lang(t[i].text, strlen(t[i].text)), t[i].lang);
    assert_string_equal(zc_detect_lang(NULL, 0), "en");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_analyze),
        cmocka_unit_test(test_spans_are_original_bytes),
        cmocka_unit_test(test_positions_for_phrases),
        cmocka_unit_test(test_mixed_runs),
        cmocka_unit_test(test_word_cut_on_utf8_boundary),
        cmocka_unit_test(test_invalid_utf8_separates),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_vanishing_chars_widen_span),
        cmocka_unit_test(test_hangul_jamo_compose),
        cmocka_unit_test(test_long_cjk_run_splits),
        cmocka_unit_test(test_long_word_is_one_token),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_traditional_folds),
        cmocka_unit_test(test_mode),
        cmocka_unit_test(test_words_positions),
        cmocka_unit_test(test_hybrid_words),
        cmocka_unit_test(test_no_words_flag),
        cmocka_unit_test(test_fold_char),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_stem),
        cmocka_unit_test(test_detect_lang),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
