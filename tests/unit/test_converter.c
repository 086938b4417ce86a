/* test_converter.c — the OpenCC face (wrappers/converter.h): golden
 * Traditional -> Simplified cases (tests/unit/golden/t2s.tsv), code point
 * count preservation, the table fast path agreeing with OpenCC itself on
 * real text, errors, threads, a speed print (no timing asserts), and the
 * table read from its cache file (same mapping; a damaged file rebuilt). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "golden.h"
#include <opencc.h>

#include "wrappers/converter.h"

static zc_conv *conv;

/* ---- helpers ------------------------------------------------------------ */


/* Lenient decoder for test input that is known to be valid. */
static size_t decode(const char *s, size_t len, int32_t *out)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned c = t[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t u = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
        for (size_t j = 1; j < k && i + j < len; j++)
            u = (u << 6) | (t[i + j] & 0x3F);
        out[n++] = (int32_t)u;
        i += k;
    }
    return n;
}

static size_t encode(const int32_t *cps, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)cps[i];
        if (u < 0x80) {
            out[o++] = (char)u;
        } else if (u < 0x800) {
            out[o++] = (char)(0xC0 | (u >> 6));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            out[o++] = (char)(0xE0 | (u >> 12));
            out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (u >> 18));
            out[o++] = (char)(0x80 | ((u >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        }
    }
    out[o] = '\0';
    return o;
}

static char *t2s(const char *s)
{
    char *out = NULL;
    size_t n = 0;
    zc_error err;
    assert_int_equal(zc_conv_t2s_utf8(conv, s, strlen(s), &out, &n, &err), ZC_OK);
    assert_non_null(out);
    assert_int_equal(n, strlen(out));
    return out;
}

static int is_han(int32_t u)
{
    return (u >= 0x3400 && u <= 0x4DBF) || (u >= 0x4E00 && u <= 0x9FFF) ||
           (u >= 0xF900 && u <= 0xFAFF) || (u >= 0x20000 && u <= 0x2FFFF);
}

/* ---- tests -------------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    /* OpenCC 1.1.6's TSCharacters changes ~4,100 characters. */
    assert_true(zc_conv_table_size(conv) > 3000);
    assert_int_equal(zc_conv_t2s_char(conv, 0x570B), 0x56FD); /* 國 -> 国 */
    assert_int_equal(zc_conv_t2s_char(conv, 0x4E7E), 0x5E72); /* 乾 -> 干 */
    assert_int_equal(zc_conv_t2s_char(conv, 0x56FD), 0x56FD); /* 国 stays */
    assert_int_equal(zc_conv_t2s_char(conv, 'A'), 'A');
    assert_int_equal(zc_conv_t2s_char(conv, -1), -1);
    assert_int_equal(zc_conv_t2s_char(conv, 0x10FFFF), 0x10FFFF);
}

static void test_golden(void **state)
{
    (void)state;
    FILE *fp = open_golden("t2s.tsv");
    char line[4096];
    int32_t in[1024], out[1024], want[1024];
    char got[4096];
    int cases = 0, bad = 0, lineno = 0;
    const char *expect;
    while ((expect = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        cases++;

        /* Whole-string API. */
        char *s = t2s(line);
        if (strcmp(s, expect) != 0) {
            bad++;
            print_message("t2s.tsv:%d: %s\n  want %s\n  got  %s\n", lineno, line, expect, s);
        }
        free(s);

        /* Code point API: same answer, same count. */
        size_t m = decode(line, strlen(line), in);
        size_t mw = decode(expect, strlen(expect), want);
        assert_int_equal(m, mw);
        zc_error err;
        assert_int_equal(zc_conv_t2s_chars(conv, in, m, out, &err), ZC_OK);
        encode(out, m, got);
        if (strcmp(got, expect) != 0) {
            bad++;
            print_message("t2s.tsv:%d (chars): %s\n  want %s\n  got  %s\n", lineno, line,
                          expect, got);
        }
    }
    fclose(fp);
    assert_true(cases >= 40);
    assert_int_equal(bad, 0);
}

static void test_in_place_and_empty(void **state)
{
    (void)state;
    int32_t buf[64];
    const char *s = "臺灣國務院乾隆乾燥";
    size_t n = decode(s, strlen(s), buf);
    zc_error err;
    assert_int_equal(zc_conv_t2s_chars(conv, buf, n, buf, &err), ZC_OK);
    char got[256];
    encode(buf, n, got);
    assert_string_equal(got, "台湾国务院乾隆干燥");

    assert_int_equal(zc_conv_t2s_chars(conv, NULL, 0, NULL, &err), ZC_OK);
    char *out = NULL;
    size_t olen = 1;
    assert_int_equal(zc_conv_t2s_utf8(conv, "", 0, &out, &olen, &err), ZC_OK);
    assert_string_equal(out, "");
    assert_int_equal(olen, 0);
    free(out);
}

static void test_is_simplified(void **state)
{
    (void)state;
    int32_t buf[64];
    size_t n = decode("国务院关于深化改革", strlen("国务院关于深化改革"), buf);
    assert_true(zc_conv_is_simplified(conv, buf, n));
    n = decode("國務院", strlen("國務院"), buf);
    assert_false(zc_conv_is_simplified(conv, buf, n));
    /* 么 is Simplified but in the context set (幺麼 and friends): the fast
     * check sends it to OpenCC, which leaves it alone. */
    n = decode("什么", strlen("什么"), buf);
    assert_false(zc_conv_is_simplified(conv, buf, n));
    assert_true(zc_conv_is_simplified(conv, buf, 0));
}

static void test_invalid(void **state)
{
    (void)state;
    int32_t in[4] = {0x570B, 0xD800, 0x570B, 0}, out[4] = {0};
    zc_error err;
    assert_int_equal(zc_conv_t2s_chars(conv, in, 3, out, &err), ZC_EINVAL);
    assert_int_equal(err.code, ZC_EINVAL);
    assert_memory_equal(in, out, 3 * sizeof in[0]); /* a copy, never garbage */
    in[1] = -5;
    assert_int_equal(zc_conv_t2s_chars(conv, in, 3, out, &err), ZC_EINVAL);
    in[1] = 0x110000;
    assert_int_equal(zc_conv_t2s_chars(conv, in, 3, out, &err), ZC_EINVAL);

    char *o = (char *)1;
    size_t olen = 7;
    assert_int_equal(zc_conv_t2s_utf8(conv, "國\xFF", 4, &o, &olen, &err), ZC_EINVAL);
    assert_null(o);
    assert_int_equal(olen, 0);
    assert_int_equal(zc_conv_t2s_utf8(conv, "\xE5\x9B", 2, &o, &olen, &err), ZC_EINVAL);
    assert_int_equal(zc_conv_t2s_utf8(NULL, "國", 3, &o, &olen, &err), ZC_EINVAL);

    zc_conv *c = (zc_conv *)1;
    assert_int_equal(zc_conv_new("no-such-config.json", &c, &err), ZC_ENOTFOUND);
    assert_null(c);
    zc_conv_free(NULL);
}

/* A run holding a NUL code point and a context character: OpenCC cannot
 * see past the NUL, so the count check falls back to the table, 1:1. */
static void test_nul_in_run(void **state)
{
    (void)state;
    int32_t in[5] = {0x4E7E, 0x71E5, 0, 0x570B, 0x5BB6}, out[5];
    zc_error err;
    assert_int_equal(zc_conv_t2s_chars(conv, in, 5, out, &err), ZC_OK);
    assert_int_equal(out[0], 0x5E72); /* 乾 -> 干 */
    assert_int_equal(out[1], 0x71E5); /* 燥 */
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 0x56FD); /* 國 -> 国 */
    assert_int_equal(out[4], 0x5BB6);
}

/* Long runs (past the stack buffer) go through the heap path. */
static void test_long_run(void **state)
{
    (void)state;
    const char *unit = "乾隆年間國務院發展";
    int32_t u[32];
    size_t un = decode(unit, strlen(unit), u);
    size_t reps = 1000, n = un * reps;
    int32_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t r = 0; r < reps; r++)
        memcpy(in + r * un, u, un * sizeof *u);
    zc_error err;
    assert_int_equal(zc_conv_t2s_chars(conv, in, n, out, &err), ZC_OK);
    char want[128], got[128];
    int32_t w[32];
    size_t wn = decode("乾隆年间国务院发展", strlen("乾隆年间国务院发展"), w);
    assert_int_equal(wn, un);
    encode(w, wn, want);
    for (size_t r = 0; r < reps; r += 97) {
        encode(out + r * un, un, got);
        assert_string_equal(got, want);
    }
    free(in);
    free(out);
}

/* The text used for the corpus comparison and the speed print: the first
 * bytes of shared/corpus-real/policies.jsonl when present (raw JSON lines:
 * the Chinese is not escaped), else a built-in paragraph repeated. */
static char *sample_text(size_t want, size_t *len)
{
    char *buf = malloc(want + 1);
    assert_non_null(buf);
    size_t n = 0;
    const char *shared = getenv("ZC_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus-real/policies.jsonl", shared ? shared : "../shared");
    FILE *f = fopen(path, "rb");
    if (f != NULL) {
        n = fread(buf, 1, want, f);
        fclose(f);
        while (n > 0 && buf[n - 1] != '\n')
            n--; /* whole lines only */
    }
    if (n == 0) {
        const char *p = "国务院办公厅关于印发政府网站集约化试点工作方案的通知。各省、自治区、"
                        "直辖市人民政府，国务院各部委、各直属机构：为深入推进东北地区等老工业"
                        "基地振兴，干部队伍建设，发展乾隆年间的文化，了解情况。\n";
        size_t pl = strlen(p);
        while (n + pl <= want) {
            memcpy(buf + n, p, pl);
            n += pl;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The table fast path must give exactly OpenCC's own t2s answer, run by
 * run, on real Simplified text and on its Traditional form (OpenCC s2t). */
static void test_matches_opencc(void **state)
{
    (void)state;
    size_t len;
    char *simp = sample_text(300 * 1024, &len);
    opencc_t s2t = opencc_open("s2t.json"), t2s_cc = opencc_open("t2s.json");
    assert_true(s2t != (opencc_t)-1 && t2s_cc != (opencc_t)-1);
    char *trad = opencc_convert_utf8(s2t, simp, len);
    assert_non_null(trad);

    const char *texts[2] = {simp, trad};
    size_t runs = 0, traditional_runs = 0, diffs = 0;
    int32_t *cps = malloc((strlen(trad) + 1) * sizeof *cps);
    int32_t *out = malloc((strlen(trad) + 1) * sizeof *out);
    char *enc = malloc(strlen(trad) * 2 + 16);
    assert_non_null(cps);
    assert_non_null(out);
    assert_non_null(enc);
    for (int t = 0; t < 2; t++) {
        size_t n = decode(texts[t], strlen(texts[t]), cps);
        for (size_t i = 0; i < n;) {
            if (!is_han(cps[i])) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && is_han(cps[j]))
                j++;
            zc_error err;
            assert_int_equal(zc_conv_t2s_chars(conv, cps + i, j - i, out, &err), ZC_OK);
            size_t el = encode(cps + i, j - i, enc);
            char *want = opencc_convert_utf8(t2s_cc, enc, el);
            assert_non_null(want);
            encode(out, j - i, enc);
            runs++;
            if (!zc_conv_is_simplified(conv, cps + i, j - i))
                traditional_runs++;
            if (strcmp(enc, want) != 0 && diffs++ < 5)
                print_message("differs from OpenCC: %s vs %s\n", enc, want);
            opencc_convert_utf8_free(want);
            i = j;
        }
    }
    print_message("compared %zu runs (%zu with Traditional characters)\n", runs,
                  traditional_runs);
    assert_true(runs > 100);
    assert_true(traditional_runs > 50);
    assert_int_equal(diffs, 0);
    free(cps);
    free(out);
    free(enc);
    opencc_convert_utf8_free(trad);
    opencc_close(s2t);
    opencc_close(t2s_cc);
    free(simp);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Speed sanity, printed only: conversion sits on the indexing hot path. */
static void test_speed_print(void **state)
{
    (void)state;
    size_t len;
    char *simp = sample_text(2 * 1024 * 1024, &len);
    opencc_t s2t = opencc_open("s2t.json");
    assert_true(s2t != (opencc_t)-1);
    char *trad = opencc_convert_utf8(s2t, simp, len);
    assert_non_null(trad);
    const char *texts[2] = {simp, trad};
    const char *names[2] = {"Simplified", "Traditional"};
    int32_t *cps = malloc((strlen(trad) + 1) * sizeof *cps);
    int32_t *out = malloc((strlen(trad) + 1) * sizeof *out);
    assert_non_null(cps);
    assert_non_null(out);
    for (int t = 0; t < 2; t++) {
        size_t bytes = strlen(texts[t]), n = decode(texts[t], bytes, cps);
        double t0 = now();
        for (size_t i = 0; i < n;) {
            if (!is_han(cps[i])) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && is_han(cps[j]))
                j++;
            zc_error err;
            assert_int_equal(zc_conv_t2s_chars(conv, cps + i, j - i, out + i, &err), ZC_OK);
            i = j;
        }
        double dt = now() - t0;
        print_message("t2s by Han run, %s text: %.1f MB in %.3f s = %.0f MB/s\n", names[t],
                      (double)bytes / 1e6, dt, dt > 0 ? (double)bytes / 1e6 / dt : 0.0);
    }
    free(cps);
    free(out);
    opencc_convert_utf8_free(trad);
    opencc_close(s2t);
    free(simp);
}

/* ---- threads ------------------------------------------------------------ */

typedef struct job {
    int mismatches;
} job;

static const char *thread_in[] = {"振興東北地區等老工業基地", "乾隆年間乾燥", "沈默的沈先生",
                                  "國務院辦公廳關於印發通知"};
static const char *thread_want[] = {"振兴东北地区等老工业基地", "乾隆年间干燥",
                                    "沉默的沈先生", "国务院办公厅关于印发通知"};

static void *thread_main(void *arg)
{
    job *j = arg;
    for (int round = 0; round < 400; round++) {
        size_t t = (size_t)round % 4;
        char *out = NULL;
        size_t olen;
        zc_error err;
        if (zc_conv_t2s_utf8(conv, thread_in[t], strlen(thread_in[t]), &out, &olen, &err) !=
                ZC_OK ||
            strcmp(out, thread_want[t]) != 0)
            j->mismatches++;
        free(out);
    }
    return NULL;
}

static void test_threads_share_conv(void **state)
{
    (void)state;
    enum { NTHREAD = 4 };
    pthread_t th[NTHREAD];
    job jobs[NTHREAD] = {{0}};
    for (int i = 0; i < NTHREAD; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
    for (int i = 0; i < NTHREAD; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].mismatches, 0);
    }
}

/* ---- the table's cache file --------------------------------------------- */

/* A converter whose table was read from the cache file maps every code
 * point, and converts text, like the one that built it; so does one after
 * the file was damaged (rebuilt). */
static void same_as_conv(const zc_conv *c)
{
    assert_int_equal(zc_conv_table_size(c), zc_conv_table_size(conv));
    for (int32_t cp = 0; cp < 0x30000; cp++)
        if (zc_conv_t2s_char(c, cp) != zc_conv_t2s_char(conv, cp))
            fail_msg("U+%04X: %d from the cache, %d built", (unsigned)cp,
                     (int)zc_conv_t2s_char(c, cp), (int)zc_conv_t2s_char(conv, cp));
    const char *t = "關於臺灣乾燥與乾隆的後續發展";
    int32_t in[64], a[64], b[64];
    size_t n = decode(t, strlen(t), in);
    zc_error err;
    assert_int_equal(zc_conv_t2s_chars(c, in, n, a, &err), ZC_OK);
    assert_int_equal(zc_conv_t2s_chars(conv, in, n, b, &err), ZC_OK);
    assert_memory_equal(a, b, n * sizeof *a);
}

static void test_cached_table(void **state)
{
    (void)state;
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/zc-convcache-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t2s-table.zcc", dir);
    zc_error err;
    for (int round = 0; round < 3; round++) {
        zc_conv *c = NULL;
        /* 0: built and saved; 1: read; 2: damaged, rebuilt */
        if (round == 2) {
            FILE *f = fopen(path, "r+b");
            assert_non_null(f);
            assert_int_equal(fseek(f, 100, SEEK_SET), 0);
            int ch = fgetc(f);
            assert_int_equal(fseek(f, 100, SEEK_SET), 0);
            fputc(ch ^ 0x5A, f);
            assert_int_equal(fclose(f), 0);
        }
        assert_int_equal(zc_conv_new_cached(NULL, dir, &c, &err), ZC_OK);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fclose(f);
        same_as_conv(c);
        zc_conv_free(c);
    }
    remove(path);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- main --------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    zc_error err;
    if (zc_conv_new(NULL, &conv, &err) != ZC_OK) {
        fprintf(stderr, "cannot open OpenCC: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zc_conv_free(conv);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_in_place_and_empty),
        cmocka_unit_test(test_is_simplified),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_nul_in_run),
        cmocka_unit_test(test_long_run),
        cmocka_unit_test(test_matches_opencc),
        cmocka_unit_test(test_speed_print),
        cmocka_unit_test(test_threads_share_conv),
        cmocka_unit_test(test_cached_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
