/* test_segmenter.c — the friso face (wrappers/segmenter.h): golden
 * segmentations (tests/unit/golden/segment.tsv), the tiling invariant on
 * mixed and hostile input, chunking of long input, early stop, errors,
 * sessions on several threads sharing one dictionary, and the word table's
 * cache file (mapped = built; a truncated, flipped, stale or unwritable
 * file is detected and rebuilt; concurrent builders leave a valid file).
 * Every segmentation is done twice, on UTF-8 (zc_seg_cut) and on code
 * points (zc_seg_cut_chars), and the two must agree. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "wrappers/segmenter.h"

/* One dictionary for the whole file: loading takes a few tenths of a second. */
static zc_seg_dict *dict;

/* ---- helpers ------------------------------------------------------------ */


typedef struct words {
    size_t (*span)[2];
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
} words;

static int collect(void *ctx, size_t start, size_t end)
{
    words *w = ctx;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->span = realloc(w->span, w->cap * sizeof *w->span);
        assert_non_null(w->span);
    }
    w->span[w->n][0] = start;
    w->span[w->n][1] = end;
    w->n++;
    return w->stop_after != 0 && w->n >= w->stop_after;
}

/* Decodes valid UTF-8 into code points; char_at[b] is the index of the
 * code point holding byte b (char_at[len] = count).  Returns the count. */
static size_t decode(const char *text, size_t len, int32_t *cps, size_t *char_at)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned c = t[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t u = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
        for (size_t j = 1; j < k; j++)
            u = (u << 6) | (t[i + j] & 0x3F);
        for (size_t j = 0; j < k; j++)
            char_at[i + j] = n;
        cps[n++] = (int32_t)u;
        i += k;
    }
    char_at[len] = n;
    return n;
}

/* Segments text; checks the words tile it on character boundaries, and that
 * zc_seg_cut_chars on the same text as code points gives the same words. */
static void cut(zc_seg_session *s, const char *text, size_t len, words *w)
{
    zc_error err;
    w->n = 0;
    assert_int_equal(zc_seg_cut(s, text, len, collect, w, &err), ZC_OK);
    size_t at = 0;
    for (size_t i = 0; i < w->n; i++) {
        assert_int_equal(w->span[i][0], at);
        assert_true(w->span[i][1] > w->span[i][0]);
        size_t e = w->span[i][1];
        assert_true(e <= len);
        /* A word never ends inside a character. */
        assert_true(e == len || ((unsigned char)text[e] & 0xC0) != 0x80);
        at = e;
    }
    assert_int_equal(at, len);

    int32_t *cps = malloc((len + 1) * sizeof *cps);
    size_t *char_at = malloc((len + 1) * sizeof *char_at);
    assert_non_null(cps);
    assert_non_null(char_at);
    size_t n = decode(text, len, cps, char_at);
    words c = {0};
    assert_int_equal(zc_seg_cut_chars(s, cps, n, collect, &c, &err), ZC_OK);
    assert_int_equal(c.n, w->n);
    for (size_t i = 0; i < w->n; i++) {
        assert_int_equal(c.span[i][0], char_at[w->span[i][0]]);
        assert_int_equal(c.span[i][1], char_at[w->span[i][1]]);
    }
    free(c.span);
    free(cps);
    free(char_at);
}

/* The words of text joined by '/', into buf. */
static void cut_joined(zc_seg_session *s, const char *text, char *buf, size_t cap)
{
    words w = {0};
    size_t len = strlen(text), o = 0;
    cut(s, text, len, &w);
    for (size_t i = 0; i < w.n; i++) {
        size_t n = w.span[i][1] - w.span[i][0];
        assert_true(o + n + 2 < cap);
        if (i > 0)
            buf[o++] = '/';
        memcpy(buf + o, text + w.span[i][0], n);
        o += n;
    }
    buf[o] = '\0';
    free(w.span);
}

static zc_seg_session *session(void)
{
    zc_seg_session *s = NULL;
    zc_error err;
    assert_int_equal(zc_seg_session_new(dict, &s, &err), ZC_OK);
    assert_non_null(s);
    return s;
}

/* ---- tests -------------------------------------------------------------- */

static void test_dict_loaded(void **state)
{
    (void)state;
    /* Debian's friso-dict has ~180,000 CJK words of up to 5 characters. */
    assert_true(zc_seg_dict_size(dict) > 100000);
    assert_true(zc_seg_is_unit(dict, "年", strlen("年")));
    assert_true(zc_seg_is_unit(dict, "元", strlen("元")));
    assert_false(zc_seg_is_unit(dict, "的", strlen("的")));
    assert_false(zc_seg_is_unit(dict, "", 0));
    assert_false(zc_seg_is_unit(NULL, "年", strlen("年")));
}

/* Runs the golden file against dictionary d. */
static void golden_on(zc_seg_dict *d)
{
    zc_seg_session *s = NULL;
    zc_error err;
    assert_int_equal(zc_seg_session_new(d, &s, &err), ZC_OK);
    FILE *fp = open_golden("segment.tsv");
    char line[4096], got[8192];
    int cases = 0, bad = 0, lineno = 0;
    const char *want;
    while ((want = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        cut_joined(s, line, got, sizeof got);
        cases++;
        if (strcmp(got, want) != 0) {
            bad++;
            print_message("segment.tsv:%d: %s\n  want %s\n  got  %s\n", lineno, line, want, got);
        }
    }
    fclose(fp);
    assert_true(cases >= 20);
    assert_int_equal(bad, 0);
    zc_seg_session_free(s);
}

static void test_golden(void **state)
{
    (void)state;
    golden_on(dict);
}

static void test_empty_input(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    words w = {0};
    cut(s, "", 0, &w);
    assert_int_equal(w.n, 0);
    cut(s, NULL, 0, &w);
    assert_int_equal(w.n, 0);
    free(w.span);
    zc_seg_session_free(s);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    static const char *bad[] = {
        "\xE5\x9B",             /* truncated 国 */
        "国\xFF务",             /* stray byte */
        "\xC0\xAF",             /* overlong '/' */
        "\xED\xA0\x80",         /* surrogate */
        "国务院\xF4\x90\x80\x80", /* > U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        words w = {0};
        zc_error err;
        assert_int_equal(zc_seg_cut(s, bad[i], strlen(bad[i]), collect, &w, &err), ZC_EINVAL);
        assert_int_equal(err.code, ZC_EINVAL);
        assert_int_equal(w.n, 0); /* nothing emitted before the error */
        free(w.span);
    }
    zc_error err;
    assert_int_equal(zc_seg_cut(s, "国", 3, NULL, NULL, &err), ZC_EINVAL);
    assert_int_equal(zc_seg_cut(NULL, "国", 3, collect, NULL, &err), ZC_EINVAL);

    /* Code points that are not Unicode scalar values. */
    static const int32_t bad_cps[][3] = {
        {0x56FD, 0xD800, 0x52A1}, {0x56FD, -1, 0x52A1}, {0x56FD, 0x110000, 0x52A1}};
    for (size_t i = 0; i < 3; i++) {
        words w = {0};
        assert_int_equal(zc_seg_cut_chars(s, bad_cps[i], 3, collect, &w, &err), ZC_EINVAL);
        assert_int_equal(w.n, 0);
        free(w.span);
    }
    assert_int_equal(zc_seg_cut_chars(s, NULL, 0, collect, NULL, &err), ZC_OK);
    assert_int_equal(zc_seg_cut_chars(s, NULL, 2, collect, NULL, &err), ZC_EINVAL);
    zc_seg_session_free(s);
}

/* NUL bytes, controls and every UTF-8 length, mixed with Han: the tiling
 * invariant holds and nothing is dropped. */
static void test_mixed_and_hostile(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    static const char nul_text[] = "国务院\0办公厅\0\0通知";
    words w = {0};
    cut(s, nul_text, sizeof nul_text - 1, &w);
    /* 国务院 / NUL / 办公厅 / NUL / NUL / 通知 */
    assert_int_equal(w.n, 6);
    assert_int_equal(w.span[1][1] - w.span[1][0], 1);

    static const char *mixed[] = {
        "Revitalize 东北 old industrial bases 老工业基地!",
        "\t\r\n国\x01务\x7F院",
        "é国ü务ß院",                 /* 2-byte Latin */
        "𠀀𠀁国务院𪚥",               /* 4-byte Extension B */
        "ｱｲｳ国务院ガギグ한국어",       /* kana, hangul */
        "〇一二三四五六七八九十",
        "国务院国务院国务院国务院国务院国务院国务院国务院国务院",
    };
    for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++)
        cut(s, mixed[i], strlen(mixed[i]), &w);

    /* Pseudo-random valid UTF-8 from a mix of Han, ASCII and symbols. */
    static const char *pieces[] = {"国", "务", "院", "东", "北", "老", "工", "业", "基", "地",
                                   "振", "兴", "的", "a", "1", " ", "，", "。", "😀", "é"};
    char buf[4096];
    uint32_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        size_t o = 0;
        int k = (int)(seed % 300);
        for (int j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t n = strlen(p);
            memcpy(buf + o, p, n);
            o += n;
        }
        cut(s, buf, o, &w);
    }
    free(w.span);
    zc_seg_session_free(s);
}

/* Input longer than a chunk: the result equals segmenting each paragraph
 * alone, although the chunk borders fall inside paragraphs and words. */
static void test_long_input_chunking(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    static const char para[] = "实施东北地区等老工业基地振兴战略加快转变经济发展方式"
                               "全面建成小康社会中小企业融资难知识产权保护";
    const size_t plen = sizeof para - 1, sep = strlen("。");
    const size_t reps = 4 * ZC_SEG_CHUNK_BYTES / plen + 3; /* ~4 chunks */
    char *text = malloc(reps * (plen + sep));
    assert_non_null(text);
    size_t len = 0;
    for (size_t r = 0; r < reps; r++) {
        memcpy(text + len, para, plen);
        len += plen;
        memcpy(text + len, "。", sep); /* not Han: MMSEG never looks past it */
        len += sep;
    }
    assert_true(len > 3 * ZC_SEG_CHUNK_BYTES);

    words one = {0}, all = {0};
    cut(s, para, plen, &one);
    cut(s, text, len, &all);
    assert_int_equal(all.n, reps * (one.n + 1));
    for (size_t r = 0; r < reps; r++) {
        size_t base = r * (plen + sep);
        for (size_t i = 0; i < one.n; i++) {
            size_t k = r * (one.n + 1) + i;
            assert_int_equal(all.span[k][0], base + one.span[i][0]);
            assert_int_equal(all.span[k][1], base + one.span[i][1]);
        }
    }

    /* One Han run longer than several chunks (no punctuation to rest on):
     * still tiles, and agrees with the short text word for word. */
    size_t hlen = 0;
    for (size_t r = 0; r < reps; r++) {
        memcpy(text + hlen, para, plen);
        hlen += plen;
    }
    cut(s, text, hlen, &all);
    /* The paragraph starts with 实施 and ends with 保护, both kept whole at
     * every repetition, so the segmentation repeats. */
    assert_int_equal(all.n, reps * one.n);
    for (size_t i = 0; i < all.n; i++) {
        size_t r = i / one.n, j = i % one.n;
        assert_int_equal(all.span[i][0], r * plen + one.span[j][0]);
        assert_int_equal(all.span[i][1], r * plen + one.span[j][1]);
    }
    free(one.span);
    free(all.span);
    free(text);
    zc_seg_session_free(s);
}

static void test_stop_early(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    words w = {0};
    w.stop_after = 2;
    const char *t = "振兴东北地区等老工业基地";
    zc_error err;
    assert_int_equal(zc_seg_cut(s, t, strlen(t), collect, &w, &err), ZC_OK);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.span[1][1], strlen("振兴东北地区"));
    free(w.span);
    zc_seg_session_free(s);
}

/* Runs of up to 48 characters are cut once per session and then replayed
 * from the session's cache (segmenter.c): the replayed cut must be the
 * computed one, a run stopped early must not be cached half-cut, and an
 * early stop must work on a replay too. */
static void test_run_cache_replays_the_same_cut(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    FILE *fp = open_golden("segment.tsv");
    char line[4096], first[8192], again[8192];
    int cases = 0, lineno = 0;
    const char *want;
    while ((want = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        cut_joined(s, line, first, sizeof first); /* computed (and cached) */
        cut_joined(s, line, again, sizeof again); /* replayed */
        assert_string_equal(first, again);
        assert_string_equal(again, want);
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 20);

    /* Stopped on the first cut (not cached), then whole, then stopped on
     * the replay. */
    const char *t = "振兴东北地区等老工业基地";
    int32_t cps[32];
    size_t char_at[64];
    size_t nc = decode(t, strlen(t), cps, char_at);
    zc_error err;
    zc_seg_session *s2 = session();
    for (int round = 0; round < 3; round++) {
        words w = {0};
        w.stop_after = round == 1 ? 0 : 2;
        assert_int_equal(zc_seg_cut_chars(s2, cps, nc, collect, &w, &err), ZC_OK);
        if (round == 1) {
            assert_true(w.n > 2);
            assert_int_equal(w.span[w.n - 1][1], nc);
        } else {
            assert_int_equal(w.n, 2);
            assert_int_equal(w.span[1][1], 6); /* 振兴/东北地区 */
        }
        free(w.span);
    }
    zc_seg_session_free(s2);
    zc_seg_session_free(s);
}

static void test_load_errors(void **state)
{
    (void)state;
    zc_seg_dict *d = (zc_seg_dict *)1;
    zc_error err;
    assert_int_equal(zc_seg_dict_load("/nonexistent/friso.ini", &d, &err), ZC_ENOTFOUND);
    assert_null(d);
    assert_int_equal(err.code, ZC_ENOTFOUND);
    assert_int_equal(zc_seg_dict_load(NULL, NULL, &err), ZC_EINVAL);
    zc_seg_session *s = (zc_seg_session *)1;
    assert_int_equal(zc_seg_session_new(NULL, &s, &err), ZC_EINVAL);
    zc_seg_dict_free(NULL);
    zc_seg_session_free(NULL);
}

/* Debian's own friso.ini names the same dictionary; loading through it
 * gives the same words for text without 6+ character entries. */
static void test_load_from_ini(void **state)
{
    (void)state;
    FILE *f = fopen("/etc/friso/friso.ini", "r");
    if (f == NULL) {
        skip();
        return;
    }
    fclose(f);
    zc_seg_dict *d = NULL;
    zc_seg_session *s = NULL;
    zc_error err;
    assert_int_equal(zc_seg_dict_load("/etc/friso/friso.ini", &d, &err), ZC_OK);
    assert_int_equal(zc_seg_session_new(d, &s, &err), ZC_OK);
    char got[1024];
    words w = {0};
    const char *t = "振兴东北地区等老工业基地";
    assert_int_equal(zc_seg_cut(s, t, strlen(t), collect, &w, &err), ZC_OK);
    size_t o = 0;
    for (size_t i = 0; i < w.n; i++) {
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%.*s", i ? "/" : "",
                              (int)(w.span[i][1] - w.span[i][0]), t + w.span[i][0]);
    }
    assert_string_equal(got, "振兴/东北地区/等/老/工业/基地");
    free(w.span);
    zc_seg_session_free(s);
    zc_seg_dict_free(d);
}

/* ---- the cache file ----------------------------------------------------- */

#define CACHE_FILE "friso-words.zcc"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/zc-segcache-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static zc_seg_dict *open_cached(const char *lex_dir, const char *cache_dir,
                                zc_seg_cache_state want)
{
    zc_seg_dict *d = NULL;
    zc_error err;
    assert_int_equal(zc_seg_dict_open(lex_dir, cache_dir, &d, &err), ZC_OK);
    assert_int_equal(zc_seg_dict_cache_state(d), want);
    return d;
}

/* Texts of every kind, cut by a and b: the same words.  Pseudo-random runs
 * of characters that make many dictionary words and prefixes. */
static void same_cuts(zc_seg_dict *a, zc_seg_dict *b)
{
    zc_seg_session *sa = NULL, *sb = NULL;
    zc_error err;
    assert_int_equal(zc_seg_session_new(a, &sa, &err), ZC_OK);
    assert_int_equal(zc_seg_session_new(b, &sb, &err), ZC_OK);
    static const char *pieces[] = {"国", "务", "院", "东", "北", "老", "工", "业", "基", "地",
                                   "振", "兴", "的", "中", "华", "人", "民", "共", "和", "发",
                                   "展", "改", "革", "委", "员", "会", "，", "a", "一", "年"};
    char buf[4096], ga[8192], gb[8192];
    uint32_t seed = 777;
    for (int round = 0; round < 300; round++) {
        size_t o = 0;
        int k = 1 + (int)(seed % 200);
        for (int j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t n = strlen(p);
            memcpy(buf + o, p, n);
            o += n;
        }
        buf[o] = '\0';
        cut_joined(sa, buf, ga, sizeof ga);
        cut_joined(sb, buf, gb, sizeof gb);
        assert_string_equal(ga, gb);
    }
    assert_int_equal(zc_seg_dict_size(a), zc_seg_dict_size(b));
    static const char *units[] = {"年", "月", "元", "的", "国务院", "吨"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        assert_int_equal(zc_seg_is_unit(a, units[i], strlen(units[i])),
                         zc_seg_is_unit(b, units[i], strlen(units[i])));
    zc_seg_session_free(sa);
    zc_seg_session_free(sb);
}

static void cache_path(char *buf, size_t cap, const char *dir)
{
    snprintf(buf, cap, "%s/%s", dir, CACHE_FILE);
}

static off_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_size;
}

/* XORs 0x5A into the byte at off of path. */
static void flip_byte(const char *path, off_t off)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, off), 1);
    c ^= 0x5A;
    assert_int_equal(pwrite(fd, &c, 1, off), 1);
    close(fd);
}

/* Files in dir other than the cache file (a leftover temporary one). */
static int stray_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, CACHE_FILE) != 0)
            n++;
    closedir(d);
    return n;
}

/* The first process builds and saves; the next maps the file, and the
 * mapped table segments exactly like the one built from friso (the
 * process-wide dict, no cache). */
static void test_cache_mapped_equals_built(void **state)
{
    (void)state;
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/a/b", dir); /* created when missing */
    zc_seg_dict *saved = open_cached(NULL, sub, ZC_SEG_CACHE_SAVED);
    zc_seg_dict *mapped = open_cached(NULL, sub, ZC_SEG_CACHE_MAPPED);
    assert_int_equal(stray_files(sub), 0);
    golden_on(mapped);
    same_cuts(dict, mapped);
    same_cuts(saved, mapped);
    assert_int_equal(zc_seg_dict_cache_state(dict), ZC_SEG_CACHE_OFF);
    zc_seg_dict_free(saved);
    zc_seg_dict_free(mapped);
    rm_tree(dir);
}

/* A damaged file is never used: truncated (to nothing, to a header, by one
 * byte) or with one byte flipped (header, table, words, end), each is
 * rebuilt, and the rebuilt file maps again. */
static void test_cache_damaged_is_rebuilt(void **state)
{
    (void)state;
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    cache_path(path, sizeof path, dir);
    zc_seg_dict_free(open_cached(NULL, dir, ZC_SEG_CACHE_SAVED));
    off_t size = file_size(path);
    assert_true(size > 1024 * 1024);

    off_t cuts[] = {0, 40, 64, size / 2, size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        assert_int_equal(truncate(path, cuts[i]), 0);
        zc_seg_dict *d = open_cached(NULL, dir, ZC_SEG_CACHE_SAVED);
        assert_int_equal(file_size(path), size);
        golden_on(d);
        zc_seg_dict_free(d);
        zc_seg_dict_free(open_cached(NULL, dir, ZC_SEG_CACHE_MAPPED));
    }
    /* magic, version, stamp, size, checksum, table header, slots, words,
     * bytes, last byte */
    off_t flips[] = {0, 12, 16, 24, 32, 64, 100, size / 3, size / 2, size - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        flip_byte(path, flips[i]);
        zc_seg_dict *d = open_cached(NULL, dir, ZC_SEG_CACHE_SAVED);
        golden_on(d);
        zc_seg_dict_free(d);
        zc_seg_dict_free(open_cached(NULL, dir, ZC_SEG_CACHE_MAPPED));
    }
    assert_int_equal(stray_files(dir), 0);
    rm_tree(dir);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* A copy of friso's lexicon directory in dir. */
static void copy_lexicons(const char *dir)
{
    DIR *d = opendir(ZC_SEG_DEFAULT_LEX_DIR);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char from[512], to[512];
        snprintf(from, sizeof from, "%s%s", ZC_SEG_DEFAULT_LEX_DIR, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        copy_file(from, to);
    }
    closedir(d);
}

/* The lexicon changes under a cache file: the file is stale, the table is
 * rebuilt from the new lexicon (it knows the new word), and the new file
 * maps.  Once by a word added, once by a byte changed in place (same size:
 * the stamp is the content, not only sizes). */
static void test_cache_stale_lexicon_is_rebuilt(void **state)
{
    (void)state;
    char lex[64], cache[64], main_lex[128];
    make_tmpdir(lex, sizeof lex);
    make_tmpdir(cache, sizeof cache);
    copy_lexicons(lex);
    snprintf(main_lex, sizeof main_lex, "%s/lex-main.lex", lex);

    zc_seg_dict *before = open_cached(lex, cache, ZC_SEG_CACHE_SAVED);
    zc_seg_dict_free(open_cached(lex, cache, ZC_SEG_CACHE_MAPPED));
    same_cuts(dict, before);

    /* 政策词甲 is not a word of friso's dictionary. */
    const char *t = "政策词甲";
    char got[256];
    zc_seg_session *s = NULL;
    zc_error err;
    assert_int_equal(zc_seg_session_new(before, &s, &err), ZC_OK);
    cut_joined(s, t, got, sizeof got);
    assert_string_not_equal(got, t);
    zc_seg_session_free(s);
    zc_seg_dict_free(before);

    FILE *f = fopen(main_lex, "a");
    assert_non_null(f);
    fputs("政策词甲/null\n", f);
    assert_int_equal(fclose(f), 0);
    zc_seg_dict *after = open_cached(lex, cache, ZC_SEG_CACHE_SAVED);
    assert_int_equal(zc_seg_dict_size(after), zc_seg_dict_size(dict) + 1);
    assert_int_equal(zc_seg_session_new(after, &s, &err), ZC_OK);
    cut_joined(s, t, got, sizeof got);
    assert_string_equal(got, t);
    zc_seg_session_free(s);
    zc_seg_dict_free(after);
    zc_seg_dict *mapped = open_cached(lex, cache, ZC_SEG_CACHE_MAPPED);
    assert_int_equal(zc_seg_dict_size(mapped), zc_seg_dict_size(dict) + 1);
    zc_seg_dict_free(mapped);

    /* 甲 -> 乙 in the added line: same size, other content. */
    off_t size = file_size(main_lex);
    int fd = open(main_lex, O_RDWR);
    assert_true(fd >= 0);
    const char *yi = "乙";
    off_t at = size - (off_t)strlen("甲/null\n");
    assert_int_equal(pwrite(fd, yi, strlen(yi), at), (ssize_t)strlen(yi));
    close(fd);
    assert_int_equal(file_size(main_lex), size);
    zc_seg_dict *changed = open_cached(lex, cache, ZC_SEG_CACHE_SAVED);
    assert_int_equal(zc_seg_session_new(changed, &s, &err), ZC_OK);
    cut_joined(s, "政策词乙", got, sizeof got);
    assert_string_equal(got, "政策词乙");
    zc_seg_session_free(s);
    zc_seg_dict_free(changed);
    rm_tree(lex);
    rm_tree(cache);
}

/* A cache directory that cannot be made: the dictionary is built and works,
 * nothing is saved. */
static void test_cache_unwritable_dir(void **state)
{
    (void)state;
    char dir[64], blocker[128], sub[160];
    make_tmpdir(dir, sizeof dir);
    snprintf(blocker, sizeof blocker, "%s/file", dir);
    FILE *f = fopen(blocker, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(sub, sizeof sub, "%s/cache", blocker); /* under a regular file */
    zc_seg_dict *d = open_cached(NULL, sub, ZC_SEG_CACHE_UNSAVED);
    same_cuts(dict, d);
    zc_seg_dict_free(d);
    rm_tree(dir);
}

/* Processes starting at once on an empty cache directory each build and
 * save (or map what another saved): every one gets a working dictionary,
 * and the directory ends with one valid file and no temporary one. */
static void test_cache_concurrent_builders(void **state)
{
    (void)state;
    enum { NPROC = 4 };
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    pid_t pid[NPROC];
    for (int i = 0; i < NPROC; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            zc_seg_dict *d = NULL;
            zc_error err;
            int ok = zc_seg_dict_open(NULL, dir, &d, &err) == ZC_OK &&
                     (zc_seg_dict_cache_state(d) == ZC_SEG_CACHE_SAVED ||
                      zc_seg_dict_cache_state(d) == ZC_SEG_CACHE_MAPPED) &&
                     zc_seg_dict_size(d) == zc_seg_dict_size(dict);
            _exit(ok ? 0 : 1);
        }
    }
    for (int i = 0; i < NPROC; i++) {
        int status = 0;
        assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(stray_files(dir), 0);
    zc_seg_dict *d = open_cached(NULL, dir, ZC_SEG_CACHE_MAPPED);
    same_cuts(dict, d);
    zc_seg_dict_free(d);
    rm_tree(dir);
}

/* ---- threads ------------------------------------------------------------ */

static const char *thread_texts[] = {
    "振兴东北地区等老工业基地",
    "中华人民共和国国务院关于深化国有企业改革的决定",
    "国务院办公厅关于印发政府网站集约化试点工作方案的通知",
    "加快转变经济发展方式全面建成小康社会",
};
#define NTEXT (sizeof thread_texts / sizeof thread_texts[0])

typedef struct job {
    char want[NTEXT][1024];
    int mismatches;
} job;

static void *thread_main(void *arg)
{
    job *j = arg;
    zc_seg_session *s = NULL;
    zc_error err;
    if (zc_seg_session_new(dict, &s, &err) != ZC_OK) {
        j->mismatches = -1;
        return NULL;
    }
    char got[1024];
    for (int round = 0; round < 300; round++) {
        size_t t = (size_t)round % NTEXT;
        cut_joined(s, thread_texts[t], got, sizeof got);
        if (strcmp(got, j->want[t]) != 0)
            j->mismatches++;
    }
    zc_seg_session_free(s);
    return NULL;
}

static void test_threads_share_dict(void **state)
{
    (void)state;
    enum { NTHREAD = 4 };
    job jobs[NTHREAD];
    zc_seg_session *s = session();
    for (size_t t = 0; t < NTEXT; t++)
        cut_joined(s, thread_texts[t], jobs[0].want[t], sizeof jobs[0].want[t]);
    zc_seg_session_free(s);
    pthread_t th[NTHREAD];
    for (int i = 0; i < NTHREAD; i++) {
        memcpy(jobs[i].want, jobs[0].want, sizeof jobs[0].want);
        jobs[i].mismatches = 0;
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < NTHREAD; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].mismatches, 0);
    }
}

/* ---- main --------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    zc_error err;
    if (zc_seg_dict_load(NULL, &dict, &err) != ZC_OK) {
        fprintf(stderr, "cannot load friso: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zc_seg_dict_free(dict);
    return 0;
}

/* User words (an index's user dictionary) join the dictionary's: words of
 * up to ZC_SEG_USER_MAX_CHARS characters, longer than friso's own, win
 * MMSEG's chunks; without them (or after they are unset) the cut is
 * friso's again.  The session's cache of cuts must not replay a cut made
 * with other words: cut() compares the UTF-8 and the code-point paths, the
 * second of which goes through that cache. */
static void test_user_words(void **state)
{
    (void)state;
    zc_seg_session *s = session();
    static const char *texts[] = {"推进供给侧结构性改革的意见", "粤港澳大湾区建设",
                                  "集中办理发改委"};
    static const char *plain[] = {"推进/供给/侧/结构性/改革/的/意见", "粤港/澳/大/湾/区/建设",
                                  "集中/办理/发改委"};
    static const char *with[] = {"推进/供给侧结构性改革/的/意见", "粤港/澳/大湾区/建设",
                                 "集中/办理/发改委"};
    char buf[512];
    for (size_t i = 0; i < 3; i++) {
        cut_joined(s, texts[i], buf, sizeof buf);
        assert_string_equal(buf, plain[i]);
    }
    const char *w[] = {"供给侧结构性改革", "大湾区", "大湾区"};
    size_t l[] = {strlen(w[0]), strlen(w[1]), strlen(w[2])};
    zc_seg_user *u = NULL;
    zc_error err;
    assert_int_equal(zc_seg_user_new(w, l, 3, &u, &err), ZC_OK);
    assert_int_equal(zc_seg_user_size(u), 3);
    assert_int_equal(zc_seg_session_set_user(s, u, &err), ZC_OK);
    for (size_t i = 0; i < 3; i++) {
        cut_joined(s, texts[i], buf, sizeof buf);
        assert_string_equal(buf, with[i]);
    }
    /* a session without them is not touched */
    zc_seg_session *other = session();
    cut_joined(other, texts[0], buf, sizeof buf);
    assert_string_equal(buf, plain[0]);
    zc_seg_session_free(other);
    assert_int_equal(zc_seg_session_set_user(s, NULL, &err), ZC_OK);
    for (size_t i = 0; i < 3; i++) {
        cut_joined(s, texts[i], buf, sizeof buf);
        assert_string_equal(buf, plain[i]);
    }
    zc_seg_session_free(s);
    /* the table lives while a reference does */
    assert_ptr_equal(zc_seg_user_ref(u), u);
    zc_seg_user_free(u);
    assert_int_equal(zc_seg_user_size(u), 3);
    zc_seg_user_free(u);
    assert_null(zc_seg_user_ref(NULL));
    zc_seg_user_free(NULL);

    /* words the segmenter could not match are refused, naming the word */
    static const char *bad[] = {"发", "发改委abc", "一二三四五六七八九", "ab", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *v[2] = {"大湾区", bad[i]};
        size_t vl[2] = {strlen(v[0]), strlen(v[1])};
        zc_seg_user *x = NULL;
        assert_int_equal(zc_seg_user_new(v, vl, 2, &x, &err), ZC_EINVAL);
        assert_null(x);
        assert_non_null(strstr(err.message, "user word 2"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_loaded),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_mixed_and_hostile),
        cmocka_unit_test(test_long_input_chunking),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_run_cache_replays_the_same_cut),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_from_ini),
        cmocka_unit_test(test_cache_mapped_equals_built),
        cmocka_unit_test(test_cache_damaged_is_rebuilt),
        cmocka_unit_test(test_cache_stale_lexicon_is_rebuilt),
        cmocka_unit_test(test_cache_unwritable_dir),
        cmocka_unit_test(test_cache_concurrent_builders),
        cmocka_unit_test(test_threads_share_dict),
        cmocka_unit_test(test_user_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
