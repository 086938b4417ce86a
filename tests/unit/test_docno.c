/* test_docno.c — document numbers: the canonical form (every bracket style,
 * digit width, case, leading zeros), its limits and errors, and the
 * recognition of a query word as a document number.  Golden cases live in
 * tests/unit/golden/docno.tsv (input TAB canonical). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "lib/docno.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/zhengce.h"
#include "base/utf8.h"


static char *canon(const char *s)
{
    char *out = NULL;
    zc_error err;
    zc_status st = zc_docno_canonical(s, strlen(s), &out, &err);
    if (st != ZC_OK)
        fail_msg("zc_docno_canonical(%s): %s", s, err.message);
    return out;
}

static void test_golden_canonical(void **state)
{
    (void)state;
    FILE *fp = open_golden("docno.tsv");
    char line[4096];
    int cases = 0, bad = 0, lineno = 0;
    const char *want;
    while ((want = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        char *got = canon(line);
        if (strcmp(got, want) != 0) {
            print_error("docno.tsv:%d: [%s] -> [%s], expected [%s]\n", lineno, line,
                        got, want);
            bad++;
        }
        zc_free(got);
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 20);
    assert_int_equal(bad, 0);
}

static void test_every_bracket_style_is_one_term(void **state)
{
    (void)state;
    static const char *forms[] = {
        "国发〔2016〕62号", "国发[2016]62号", "国发（2016）62号", "国发(2016)62号",
        "国发【2016】62号", "国发〖2016〗62号", "国发［２０１６］６２号",
        "国发（２０１６）６２号", "国发〔２０１６〕０６２号", "国发(2016)062号",
        "国发 〔2016〕 62 号", "国发2016-62号", "国发﹝2016﹞62号",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *got = canon(forms[i]);
        if (strcmp(got, "国发.2016.62.号") != 0)
            fail_msg("%s -> %s", forms[i], got);
        zc_free(got);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct { const char *s; size_t len; } t[] = {
        { "", 0 }, { "   ", 3 }, { "〔〕（）——", 18 }, { "\u3000", 3 },
        { "国发\xFF", 7 }, { "\xE5\x9B", 2 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *out = (char *)1;
        zc_error err;
        assert_int_equal(zc_docno_canonical(t[i].s, t[i].len, &out, &err), ZC_EINVAL);
        assert_null(out);
        assert_int_equal(err.code, ZC_EINVAL);
        assert_string_equal(err.field, "docno");
    }
    char *out = (char *)1;
    assert_int_equal(zc_docno_canonical(NULL, 0, &out, NULL), ZC_EINVAL);
    assert_null(out);
}

static void test_cap_on_utf8_boundary(void **state)
{
    (void)state;
    /* 200 ideographs (600 bytes) in one piece: cut to at most 238 bytes,
     * whole characters only. */
    char in[1024];
    size_t n = 0;
    for (int i = 0; i < 200; i++) {
        memcpy(in + n, "国", 3);
        n += 3;
    }
    char *out = NULL;
    assert_int_equal(zc_docno_canonical(in, n, &out, NULL), ZC_OK);
    size_t len = strlen(out);
    assert_true(len <= ZC_TERM_MAX_BYTES - 2);
    assert_int_equal(len, 237); /* 79 ideographs */
    assert_true(zc_utf8_valid(out, len, NULL));
    zc_free(out);

    /* Many short pieces: no trailing '.', never over the cap. */
    n = 0;
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(in + n, sizeof in - n, "a%d-", i % 10);
    assert_int_equal(zc_docno_canonical(in, n, &out, NULL), ZC_OK);
    len = strlen(out);
    assert_true(len <= ZC_TERM_MAX_BYTES - 2);
    assert_true(len >= ZC_TERM_MAX_BYTES - 6);
    assert_true(out[len - 1] != '.');
    assert_memory_equal(out, "a.0.a.1.a.2", 11);
    zc_free(out);

    /* Every cut point of a mixed docno stays valid UTF-8 and under the cap. */
    const char *unit = "国发〔2016〕062号";
    n = 0;
    while (n + strlen(unit) < sizeof in) {
        memcpy(in + n, unit, strlen(unit));
        n += strlen(unit);
    }
    for (size_t cut = 1; cut <= n; cut++) {
        size_t bad;
        if (!zc_utf8_valid(in, cut, &bad))
            continue;
        if (zc_docno_canonical(in, cut, &out, NULL) != ZC_OK)
            continue;
        len = strlen(out);
        assert_true(len <= ZC_TERM_MAX_BYTES - 2);
        assert_true(zc_utf8_valid(out, len, NULL));
        assert_true(out[len - 1] != '.');
        zc_free(out);
    }
}

static void test_looks_like(void **state)
{
    (void)state;
    static const struct { const char *s; int yes; } t[] = {
        { "国发〔2016〕62号", 1 },
        { "国办发[2009]38号", 1 },
        { "辽政发（2010）12号", 1 },
        { "国发(2016)62号", 1 },
        { "国发【2016】62号", 1 },
        { "国发〖2016〗62号", 1 },
        { "国发［２０１６］６２号", 1 },
        { "国发（２０１６）６２号", 1 },
        { "国发〔2016〕62", 1 },           /* 号 optional */
        { "国发〔2016〕第62号", 1 },
        { "国函〔2016〕1号", 1 },
        { "国发[2016)62号", 1 },           /* mismatched brackets: still */
        { "国发2016-62号", 1 },             /* no bracket, a dash */
        { "国发2016.62号", 1 },
        { "国令第706号", 1 },
        { "国务院令第588号", 1 },
        { "财政部令第29号", 1 },
        { "国务院令588号", 1 },
        { "令第1号", 1 },
        { "主席令第三十号", 1 },           /* a Chinese number needs 第 and 号 */
        { "国令第七〇七号", 1 },
        { "国务院令第二百号", 1 },
        { "EO13769", 1 },                   /* E.O. and EO glued to the number */
        { "E.O.13769", 1 },
        { "eo-13769", 1 },
        /* no */
        { "", 0 },
        { "国发", 0 },
        { "经济发展", 0 },
        { "2016", 0 },
        { "62号", 0 },
        { "2016年", 0 },
        { "国发201662号", 0 },              /* a bare year glued to the number */
        { "国发〔16〕62号", 0 },            /* not a 4-digit year */
        { "国发〔2016〕号", 0 },            /* no number */
        { "国发〔2016〕1234567号", 0 },     /* number too long */
        { "国发〔2016〕62号文", 0 },        /* trailing text */
        { "〔2016〕62号", 0 },              /* no prefix */
        { "gdp", 0 },
        { "GB(2016)62", 0 },                /* prefix not CJK */
        { "国令706", 0 },                   /* 令 form needs 第 or 号 */
        { "主席令三十号", 0 },
        { "主席令第三十", 0 },
        { "主席令第三十号文", 0 },
        { "主席令第一二三四五六七八九号", 0 }, /* nine numerals */
        { "EO", 0 },
        { "EO1234567", 0 },                 /* seven digits */
        { "GEO13769", 0 },
        { "E.O.-13769", 0 },
        { "国发〔2016〕62号\xFF", 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (zc_docno_looks_like(t[i].s, strlen(t[i].s)) != t[i].yes)
            fail_msg("looks_like(%s) = %d, expected %d", t[i].s,
                     zc_docno_looks_like(t[i].s, strlen(t[i].s)), t[i].yes);
    /* Very long words are not document numbers (and are not buffered). */
    char big[600];
    memset(big, 'x', sizeof big);
    assert_int_equal(zc_docno_looks_like(big, sizeof big), 0);
}

static void test_looks_like_agrees_with_canonical(void **state)
{
    (void)state;
    /* Whatever the parser recognizes canonicalizes to CJK.year.N[.号]. */
    static const char *yes[] = {
        "国发〔2016〕62号", "国办发[2009]38号", "辽政发（2010）12号", "国发2016-62号",
    };
    static const char *want[] = {
        "国发.2016.62.号", "国办发.2009.38.号", "辽政发.2010.12.号", "国发.2016.62.号",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        assert_true(zc_docno_looks_like(yes[i], strlen(yes[i])));
        char *c = canon(yes[i]);
        assert_string_equal(c, want[i]);
        zc_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_canonical),
        cmocka_unit_test(test_every_bracket_style_is_one_term),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_cap_on_utf8_boundary),
        cmocka_unit_test(test_looks_like),
        cmocka_unit_test(test_looks_like_agrees_with_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
