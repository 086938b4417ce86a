/* test_norm.c — normalization: decoding, validation, the per-character
 * mapping, classes, whole strings.  Golden cases live in
 * tests/unit/golden/norm.tsv (input TAB expected zc_norm_string output);
 * cases that need escapes (invalid bytes, controls) are tables here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "lib/limits.h"
#include "lib/norm.h"
#include "base/utf8.h"

/* ---- helpers ------------------------------------------------------------ */

/* The golden directory: next to this source file (the tests run from the
 * repository root, as make does), or $ZC_SRCDIR/tests/unit/golden. */

static char *norm(const char *s)
{
    char *out = NULL;
    size_t n = 0;
    zc_error err;
    assert_int_equal(zc_norm_string(s, strlen(s), &out, &n, &err), ZC_OK);
    assert_non_null(out);
    assert_int_equal(n, strlen(out));
    return out;
}

/* Normalizes one code point given as UTF-8, re-encodes the result. */
static void norm1(const char *ch, char *buf)
{
    size_t p = 0, len = strlen(ch);
    int32_t cp = zc_norm_next(ch, len, &p);
    assert_true(cp >= 0);
    assert_int_equal(p, len); /* exactly one character */
    int32_t m[ZC_NORM_CHAR_MAX];
    size_t k = zc_norm_char(cp, m), o = 0;
    for (size_t i = 0; i < k; i++)
        o += zc_norm_encode(m[i], buf + o);
    buf[o] = '\0';
}

/* ---- golden ------------------------------------------------------------- */

static void test_golden_norm_string(void **state)
{
    (void)state;
    FILE *fp = open_golden("norm.tsv");
    char line[4096];
    int cases = 0, bad = 0, lineno = 0;
    const char *want;
    while ((want = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        char *got = norm(line);
        if (strcmp(got, want) != 0) {
            print_error("norm.tsv:%d: [%s] -> [%s], expected [%s]\n", lineno, line,
                        got, want);
            bad++;
        }
        free(got);
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 30);
    assert_int_equal(bad, 0);
}

/* ---- per character ------------------------------------------------------ */

static void test_char_table(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } t[] = {
        { "Ａ", "a" }, { "ｚ", "z" }, { "１", "1" }, { "９", "9" },
        { "É", "e" }, { "ñ", "n" }, { "Å", "a" }, { "ß", "ss" },
        { "ﬁ", "fi" }, { "Ⅻ", "xii" }, { "²", "2" }, { "①", "1" },
        { "—", "-" }, { "–", "-" }, { "‐", "-" }, { "−", "-" }, { "―", "-" },
        { "‘", "'" }, { "’", "'" }, { "“", "\"" }, { "”", "\"" }, { "„", "\"" },
        { "\u3000", " " }, { "\u00A0", " " },
        { "（", "(" }, { "）", ")" }, { "［", "[" }, { "］", "]" },
        { "〔", "〔" }, { "【", "【" }, { "，", "," }, { "。", "。" },
        /* kept whole: Han (Simplified and Traditional), kana, Hangul */
        { "国", "国" }, { "國", "國" }, { "發", "發" }, { "𠀀", "𠀀" },
        { "が", "が" }, { "ガ", "ガ" }, { "한", "한" },
        /* compatibility ideographs and radicals become unified ideographs */
        { "\uF900", "\u8C48" }, { "⼀", "一" }, { "㍻", "平成" },
        /* vanish: combining acute, soft hyphen, zero-width space */
        { "\u0301", "" }, { "\u00AD", "" }, { "\u200B", "" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[ZC_NORM_CHAR_MAX * 4 + 1];
        norm1(t[i].in, buf);
        if (strcmp(buf, t[i].out) != 0)
            fail_msg("[%s] -> [%s], expected [%s]", t[i].in, buf, t[i].out);
    }
}

static void test_char_ascii(void **state)
{
    (void)state;
    for (int32_t c = 0; c < 0x80; c++) {
        int32_t m[ZC_NORM_CHAR_MAX];
        assert_int_equal(zc_norm_char(c, m), 1);
        assert_int_equal(m[0], (c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
}

static void test_char_never_overflows(void **state)
{
    (void)state;
    /* Every code point: the mapping stays within ZC_NORM_CHAR_MAX, never
     * yields a surrogate or a non-character value, and is idempotent on
     * what it produces for the common scripts (Latin, CJK). */
    for (int32_t c = 0; c <= 0x10FFFF; c++) {
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t k = zc_norm_char(c, m);
        assert_true(k <= ZC_NORM_CHAR_MAX);
        for (size_t i = 0; i < k; i++) {
            assert_true(m[i] >= 0 && m[i] <= 0x10FFFF);
            assert_false(m[i] >= 0xD800 && m[i] <= 0xDFFF);
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            assert_int_equal(k, 0);
    }
    assert_int_equal(zc_norm_char(-1, (int32_t[ZC_NORM_CHAR_MAX]){0}), 0);
    assert_int_equal(zc_norm_char(0x110000, (int32_t[ZC_NORM_CHAR_MAX]){0}), 0);
}

static void test_char_idempotent(void **state)
{
    (void)state;
    /* Normalizing a normalized character changes nothing: index terms and
     * query terms agree even if a caller normalizes twice. */
    static const int32_t ranges[][2] = {
        { 0x20, 0x24F }, { 0x370, 0x52F }, { 0x2000, 0x206F },
        { 0x3000, 0x30FF }, { 0x4E00, 0x4FFF }, { 0xFF00, 0xFFEF },
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int32_t c = ranges[r][0]; c <= ranges[r][1]; c++) {
            int32_t m[ZC_NORM_CHAR_MAX];
            size_t k = zc_norm_char(c, m);
            for (size_t i = 0; i < k; i++) {
                int32_t m2[ZC_NORM_CHAR_MAX];
                size_t k2 = zc_norm_char(m[i], m2);
                if (k2 != 1 || m2[0] != m[i])
                    fail_msg("U+%04X -> U+%04X is not stable (-> %zu cps, U+%04X)",
                             (unsigned)c, (unsigned)m[i], k2, (unsigned)m2[0]);
            }
        }
    }
}

/* ---- classes ------------------------------------------------------------ */

static void test_class(void **state)
{
    (void)state;
    static const struct { int32_t cp; zc_cclass cc; } t[] = {
        { 'a', ZC_CC_WORD }, { 'Z', ZC_CC_WORD }, { '0', ZC_CC_WORD },
        { ' ', ZC_CC_SPACE }, { '-', ZC_CC_SPACE }, { '\'', ZC_CC_SPACE },
        { '_', ZC_CC_SPACE }, { '\n', ZC_CC_SPACE }, { 0, ZC_CC_SPACE },
        { 0xE9, ZC_CC_WORD },     /* é */
        { 0x434, ZC_CC_WORD },    /* д */
        { 0x3B1, ZC_CC_WORD },    /* α */
        { 0x661, ZC_CC_WORD },    /* Arabic-Indic one */
        { 0x4E00, ZC_CC_CJK }, { 0x9FA5, ZC_CC_CJK }, { 0x3400, ZC_CC_CJK },
        { 0x20000, ZC_CC_CJK }, { 0x2A700, ZC_CC_CJK }, { 0xF900, ZC_CC_CJK },
        { 0x3007, ZC_CC_CJK },    /* 〇 */
        { 0x3005, ZC_CC_CJK },    /* 々 */
        { 0x3042, ZC_CC_CJK },    /* あ */
        { 0x30AB, ZC_CC_CJK },    /* カ */
        { 0x30FC, ZC_CC_CJK },    /* ー */
        { 0xD55C, ZC_CC_CJK },    /* 한 */
        { 0x3105, ZC_CC_CJK },    /* ㄅ */
        { 0x30FB, ZC_CC_SPACE },  /* ・ */
        { 0x3001, ZC_CC_SPACE },  /* 、 */
        { 0x3002, ZC_CC_SPACE },  /* 。 */
        { 0x3014, ZC_CC_SPACE },  /* 〔 */
        { 0x3010, ZC_CC_SPACE },  /* 【 */
        { 0xFF0C, ZC_CC_SPACE },  /* ， */
        { 0x3000, ZC_CC_SPACE },  /* ideographic space */
        { 0x2014, ZC_CC_SPACE },  /* — */
        { 0x20AC, ZC_CC_SPACE },  /* € */
        { 0x1F600, ZC_CC_SPACE }, /* emoji */
        { 0x301, ZC_CC_SPACE },   /* combining acute (normally stripped) */
        { -1, ZC_CC_SPACE }, { 0x110000, ZC_CC_SPACE },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (zc_norm_class(t[i].cp) != t[i].cc)
            fail_msg("class of U+%04X is %d, expected %d", (unsigned)t[i].cp,
                     (int)zc_norm_class(t[i].cp), (int)t[i].cc);
}

/* ---- decoding and validation ------------------------------------------- */

static void test_next_decodes(void **state)
{
    (void)state;
    const char *s = "a\xC3\xA9\xE5\x9B\xBD\xF0\xA0\x80\x80"; /* a é 国 𠀀 */
    size_t p = 0, len = strlen(s);
    assert_int_equal(zc_norm_next(s, len, &p), 'a');
    assert_int_equal(p, 1);
    assert_int_equal(zc_norm_next(s, len, &p), 0xE9);
    assert_int_equal(p, 3);
    assert_int_equal(zc_norm_next(s, len, &p), 0x56FD);
    assert_int_equal(p, 6);
    assert_int_equal(zc_norm_next(s, len, &p), 0x20000);
    assert_int_equal(p, 10);
    assert_int_equal(zc_norm_next(s, len, &p), -1); /* at the end: no move */
    assert_int_equal(p, 10);
}

static void test_next_invalid_advances_one_byte(void **state)
{
    (void)state;
    /* A truncated 3-byte sequence followed by ASCII: the decoder must not
     * swallow the 'x'. */
    const char *s = "\xE5\x9Bx";
    size_t p = 0;
    assert_int_equal(zc_norm_next(s, 3, &p), -1);
    assert_int_equal(p, 1);
    assert_int_equal(zc_norm_next(s, 3, &p), -1);
    assert_int_equal(p, 2);
    assert_int_equal(zc_norm_next(s, 3, &p), 'x');
    assert_int_equal(p, 3);
}

static void test_valid_utf8_table(void **state)
{
    (void)state;
    static const struct { const char *s; size_t len; int ok; size_t bad; } t[] = {
        { "", 0, 1, 0 },
        { "plain ascii", 11, 1, 11 },
        { "国发〔2016〕62号", 21, 1, 21 },
        { "\xF0\xA0\x80\x80", 4, 1, 4 },            /* U+20000 */
        { "\xF4\x8F\xBF\xBF", 4, 1, 4 },            /* U+10FFFF */
        { "\xEF\xBF\xBF", 3, 1, 3 },                /* U+FFFF (noncharacter, valid) */
        { "ab\x80", 3, 0, 2 },                      /* lone continuation */
        { "\xC0\xAF", 2, 0, 0 },                    /* overlong '/' */
        { "\xC1\xBF", 2, 0, 0 },                    /* overlong */
        { "\xE0\x80\xAF", 3, 0, 0 },                /* overlong 3-byte */
        { "\xF0\x80\x80\xAF", 4, 0, 0 },            /* overlong 4-byte */
        { "x\xED\xA0\x80", 4, 0, 1 },               /* surrogate U+D800 */
        { "\xED\xBF\xBF", 3, 0, 0 },                /* surrogate U+DFFF */
        { "\xF4\x90\x80\x80", 4, 0, 0 },            /* U+110000 */
        { "\xF5\x80\x80\x80", 4, 0, 0 },
        { "\xFF", 1, 0, 0 },
        { "\xE5\x9B", 2, 0, 0 },                    /* truncated 国 */
        { "\xE5\x9B" "abc", 5, 0, 0 },
        { "\xF0\xA0\x80", 3, 0, 0 },                /* truncated 4-byte */
        { "0123456789abcdefghij\xC3", 21, 0, 20 },  /* past the 8-byte fast path */
        { "01234567\xC3\xA9" "0123456789\xFE", 21, 0, 20 },
        { "abc\0def", 7, 1, 7 },                    /* NUL is valid UTF-8 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t bad = 12345;
        int ok = zc_utf8_valid(t[i].s, t[i].len, &bad);
        if (ok != t[i].ok || bad != t[i].bad)
            fail_msg("case %zu: ok %d bad %zu, expected ok %d bad %zu", i, ok, bad,
                     t[i].ok, t[i].bad);
        assert_int_equal(zc_utf8_valid(t[i].s, t[i].len, NULL), t[i].ok);
    }
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    for (int32_t c = 0; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char b[4];
        size_t k = zc_norm_encode(c, b), p = 0;
        assert_true(k >= 1 && k <= 4);
        assert_true(zc_utf8_valid(b, k, NULL));
        assert_int_equal(zc_norm_next(b, k, &p), c);
        assert_int_equal(p, k);
    }
}

/* ---- whole strings ------------------------------------------------------ */

static void test_string_trim_and_collapse(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } t[] = {
        { "", "" },
        { "   ", "" },
        { " \t\r\n\u3000 ", "" },
        { "  国务院  办公厅 ", "国务院 办公厅" },
        { "\u3000中华人民共和国\u3000财政部\u3000", "中华人民共和国 财政部" },
        { "Ministry\tof\n\nFinance", "ministry of finance" },
        { "a\x01" "b", "a b" },           /* a control separates */
        { "a\u00ADb", "ab" },             /* soft hyphen vanishes, joins */
        { "a\u2028b", "a b" },            /* line separator */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *got = norm(t[i].in);
        if (strcmp(got, t[i].out) != 0)
            fail_msg("case %zu: [%s], expected [%s]", i, got, t[i].out);
        free(got);
    }
}

static void test_string_invalid_utf8(void **state)
{
    (void)state;
    char *out = (char *)1;
    size_t n = 99;
    zc_error err;
    assert_int_equal(zc_norm_string("ab\xC3(", 4, &out, &n, &err), ZC_EINVAL);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_int_equal(err.code, ZC_EINVAL);
    assert_non_null(strstr(err.message, "byte 2"));
    /* NULL error and NULL length are fine. */
    assert_int_equal(zc_norm_string("\xFF", 1, &out, NULL, NULL), ZC_EINVAL);
    assert_null(out);
}

static void test_string_decomposed_equals_composed(void **state)
{
    (void)state;
    /* "café" typed precomposed or with a combining accent: one form. */
    char *a = norm("Caf\u00E9"), *b = norm("Cafe\u0301");
    assert_string_equal(a, "cafe");
    assert_string_equal(b, "cafe");
    free(a);
    free(b);
    /* Conjoining jamo compose to the syllable that is kept whole. */
    char *h = norm("\u1112\u1161\u11AB");
    assert_string_equal(h, "한");
    free(h);
}

static void test_string_long(void **state)
{
    (void)state;
    /* A string far beyond the initial buffer, with expanding characters
     * (㍻ -> 平成, ﬃ -> ffi) to make the buffer grow. */
    size_t reps = 5000;
    const char *piece = "㍻ﬃＡ ";
    size_t pl = strlen(piece);
    char *in = malloc(reps * pl + 1);
    assert_non_null(in);
    for (size_t i = 0; i < reps; i++)
        memcpy(in + i * pl, piece, pl);
    in[reps * pl] = '\0';
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(zc_norm_string(in, reps * pl, &out, &n, NULL), ZC_OK);
    const char *want = "平成ffia";
    size_t wl = strlen(want);
    assert_int_equal(n, reps * (wl + 1) - 1);
    for (size_t i = 0; i < reps; i++)
        assert_memory_equal(out + i * (wl + 1), want, wl);
    free(in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_norm_string),
        cmocka_unit_test(test_char_table),
        cmocka_unit_test(test_char_ascii),
        cmocka_unit_test(test_char_never_overflows),
        cmocka_unit_test(test_char_idempotent),
        cmocka_unit_test(test_class),
        cmocka_unit_test(test_next_decodes),
        cmocka_unit_test(test_next_invalid_advances_one_byte),
        cmocka_unit_test(test_valid_utf8_table),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_string_trim_and_collapse),
        cmocka_unit_test(test_string_invalid_utf8),
        cmocka_unit_test(test_string_decomposed_equals_composed),
        cmocka_unit_test(test_string_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
