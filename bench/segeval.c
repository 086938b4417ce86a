/* segeval.c — word-segmentation F1 of the zhengce segmenter (friso through
 * wrappers/segmenter.h) on a SIGHAN 2005 bakeoff test set.
 *
 * Owns: reading a *_test.utf8 file (one sentence per line, CRLF), segmenting
 * each line, optionally writing the segmentation, and scoring it against the
 * *_test_gold.utf8 file the way the bakeoff's score script does: a word is
 * correct when its start and end character offsets both match a gold word;
 * R = correct/gold, P = correct/test, F = 2PR/(P+R).
 *
 * How a line is cut:
 *   - runs of Han characters go through zc_seg_cut (friso, MMSEG);
 *   - a run of digits and Latin letters (half- or full-width) is one word;
 *     like friso's own Latin path, a '.' between digits and a '%' after
 *     digits stay in the number, and a unit character from friso's unit
 *     lexicon (年 月 日 元 ...) right after a number joins it ("2001年");
 *   - every other character (punctuation, symbols) is a word by itself,
 *     except that a run of one dash or ellipsis character (——, ……) is one
 *     mark; --plain turns this and the number rules off;
 *   - ASCII space, tab and U+3000 separate and are never words.
 * Full-width characters are written as they are: the bakeoff forbids
 * normalising the output.
 *
 * Lines whose characters differ between test and gold (16 in MSR, a quirk of
 * the release: see shared/seg-gold/README.md) are reported and skipped.
 *
 * Must never: learn anything from the gold or training files (they are
 * licensed for research use only; the segmenter uses friso's dictionary).
 *
 * Usage: segeval [--plain] [-o OUT] TEST GOLD
 * Prints one result line of key=value pairs: lines, skipped, chars, gold,
 * test, correct, P, R, F1, load_s, seg_chars_per_s, seg_MB_per_s.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrappers/segmenter.h"

/* A line longer than this (characters) is reported and skipped; the
 * bakeoff's longest lines are a few hundred characters. */
#define LINE_MAX_CHARS 65536

typedef struct span {
    uint32_t start, end; /* character offsets in the line, [start, end) */
} span;

typedef struct seg_ctx {
    span *spans;
    size_t n, cap;
    const uint32_t *boff; /* byte offset -> char index map for the line */
    size_t base_byte;     /* byte offset of the run in the line */
} seg_ctx;

static int push_span(span **v, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        span *nv = realloc(*v, nc * sizeof *nv);
        if (nv == NULL)
            return -1;
        *v = nv, *cap = nc;
    }
    (*v)[(*n)++] = (span){a, b};
    return 0;
}

static uint32_t decode(const unsigned char *t, size_t len, size_t *i)
{
    unsigned c = t[*i];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (*i + n > len)
        n = len - *i;
    uint32_t u = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; k++)
        u = (u << 6) | (t[*i + k] & 0x3F);
    *i += n;
    return u;
}

static int is_sep(uint32_t u)
{
    return u == ' ' || u == '\t' || u == 0x3000;
}

static int is_han(uint32_t u)
{
    return (u >= 0x2E80 && u <= 0x2FDF) || u == 0x3005 || u == 0x3007 ||
           (u >= 0x3400 && u <= 0x4DBF) || (u >= 0x4E00 && u <= 0x9FFF) ||
           (u >= 0xF900 && u <= 0xFAFF) || (u >= 0x20000 && u <= 0x3FFFF);
}

static int is_digit(uint32_t u)
{
    return (u >= '0' && u <= '9') || (u >= 0xFF10 && u <= 0xFF19);
}

static int is_alnum(uint32_t u)
{
    return is_digit(u) || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
           (u >= 0xFF21 && u <= 0xFF3A) || (u >= 0xFF41 && u <= 0xFF5A);
}

static int is_point(uint32_t u)
{
    return u == '.' || u == 0xFF0E;
}

static int is_percent(uint32_t u)
{
    return u == '%' || u == 0xFF05;
}

static int is_repeatable(uint32_t u)
{
    return u == 0x2014 || u == 0x2026 || u == 0x2015 || u == 0x2500;
}

static int on_word(void *vctx, size_t start, size_t end)
{
    seg_ctx *c = vctx;
    return push_span(&c->spans, &c->n, &c->cap, c->boff[c->base_byte + start],
                     c->boff[c->base_byte + end]);
}

/* Segments one line (no line end) into c->spans; chars/cps describe it. */
static int segment_line(zc_seg_session *ss, const zc_seg_dict *dict, int plain,
                        const char *line, size_t len, const uint32_t *cps,
                        const size_t *cbyte, size_t nch, uint32_t *boff, seg_ctx *c)
{
    /* Byte offset -> character index, so spans come out in characters. */
    for (size_t k = 0; k < nch; k++)
        for (size_t b = cbyte[k]; b < cbyte[k + 1]; b++)
            boff[b] = (uint32_t)k;
    boff[len] = (uint32_t)nch;
    c->boff = boff;
    c->n = 0;

    size_t k = 0;
    while (k < nch) {
        uint32_t u = cps[k];
        if (is_sep(u)) {
            k++;
        } else if (is_han(u)) {
            size_t e = k;
            while (e < nch && is_han(cps[e]))
                e++;
            zc_error err;
            c->base_byte = cbyte[k];
            if (zc_seg_cut(ss, line + cbyte[k], cbyte[e] - cbyte[k], on_word, c, &err) !=
                ZC_OK) {
                fprintf(stderr, "segeval: %s\n", err.message);
                return -1;
            }
            k = e;
        } else if (is_alnum(u)) {
            size_t e = k + 1;
            for (;;) {
                if (e < nch && is_alnum(cps[e])) {
                    e++;
                } else if (!plain && e + 1 < nch && is_point(cps[e]) && is_digit(cps[e - 1]) &&
                           is_digit(cps[e + 1])) {
                    e += 2;
                } else {
                    break;
                }
            }
            if (!plain && e < nch && is_digit(cps[e - 1])) {
                if (is_percent(cps[e]))
                    e++;
                else if (is_han(cps[e]) &&
                         zc_seg_is_unit(dict, line + cbyte[e], cbyte[e + 1] - cbyte[e]))
                    e++;
            }
            if (push_span(&c->spans, &c->n, &c->cap, (uint32_t)k, (uint32_t)e) != 0)
                return -1;
            k = e;
        } else {
            /* A dash or an ellipsis written as several characters (——,
             * ……) is one punctuation mark. */
            size_t e = k + 1;
            if (!plain && is_repeatable(u))
                while (e < nch && cps[e] == u)
                    e++;
            if (push_span(&c->spans, &c->n, &c->cap, (uint32_t)k, (uint32_t)e) != 0)
                return -1;
            k = e;
        }
    }
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "segeval: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fclose(f);
            fprintf(stderr, "segeval: out of memory\n");
            return NULL;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (nb == NULL)
            free(buf);
        buf = nb;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Next line of buf starting at *pos, without its CR/LF. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *llen)
{
    if (*pos >= len)
        return 0;
    const char *s = buf + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    *line = s, *llen = n;
    return 1;
}

/* Decodes a line into code points and their byte offsets (cbyte[count] is
 * the end); stops after LINE_MAX_CHARS.  Returns the count. */
static size_t decode_line(const char *line, size_t len, uint32_t *cps, size_t *cbyte)
{
    size_t i = 0, n = 0;
    while (i < len && n < LINE_MAX_CHARS) {
        cbyte[n] = i;
        cps[n] = decode((const unsigned char *)line, len, &i);
        n++;
    }
    cbyte[n] = i;
    return n;
}

/* Gold words of a line as character spans over the non-separator chars;
 * also fills the line's non-separator characters into chars. */
static int gold_spans(const char *line, size_t len, span **v, size_t *n, size_t *cap,
                      uint32_t *chars, size_t *nchars)
{
    size_t i = 0;
    uint32_t k = 0, start = 0;
    int in = 0;
    *n = 0;
    while (i < len && k < LINE_MAX_CHARS) {
        uint32_t u = decode((const unsigned char *)line, len, &i);
        if (is_sep(u)) {
            if (in && push_span(v, n, cap, start, k) != 0)
                return -1;
            in = 0;
        } else {
            if (!in)
                start = k, in = 1;
            chars[k++] = u;
        }
    }
    if (in && push_span(v, n, cap, start, k) != 0)
        return -1;
    *nchars = k;
    return 0;
}

int main(int argc, char **argv)
{
    int plain = 0;
    const char *outpath = NULL;
    int ai = 1;
    for (; ai < argc && argv[ai][0] == '-'; ai++) {
        if (strcmp(argv[ai], "--plain") == 0)
            plain = 1;
        else if (strcmp(argv[ai], "-o") == 0 && ai + 1 < argc)
            outpath = argv[++ai];
        else
            break;
    }
    if (argc - ai != 2) {
        fprintf(stderr, "usage: segeval [--plain] [-o OUT] TEST GOLD\n");
        return 2;
    }
    size_t tlen, glen;
    char *tbuf = read_file(argv[ai], &tlen);
    char *gbuf = read_file(argv[ai + 1], &glen);
    if (tbuf == NULL || gbuf == NULL)
        return 1;
    FILE *out = NULL;
    if (outpath != NULL && (out = fopen(outpath, "wb")) == NULL) {
        fprintf(stderr, "segeval: %s: %s\n", outpath, strerror(errno));
        return 1;
    }

    zc_error err;
    zc_seg_dict *dict;
    zc_seg_session *ss;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (zc_seg_dict_load(NULL, &dict, &err) != ZC_OK ||
        zc_seg_session_new(dict, &ss, &err) != ZC_OK) {
        fprintf(stderr, "segeval: %s\n", err.message);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double load_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    uint32_t *cps = malloc((LINE_MAX_CHARS + 1) * sizeof *cps);
    size_t *cbyte = malloc((LINE_MAX_CHARS + 1) * sizeof *cbyte);
    uint32_t *boff = malloc((LINE_MAX_CHARS * 4 + 1) * sizeof *boff);
    uint32_t *gchars = malloc((LINE_MAX_CHARS + 1) * sizeof *gchars);
    span *gold = NULL;
    size_t ngold = 0, gcap = 0;
    seg_ctx c = {0};
    if (cps == NULL || cbyte == NULL || boff == NULL || gchars == NULL) {
        fprintf(stderr, "segeval: out of memory\n");
        return 1;
    }

    size_t tpos = 0, gpos = 0, lines = 0, skipped = 0;
    uint64_t n_gold = 0, n_test = 0, n_correct = 0, n_chars = 0, n_bytes = 0;
    double seg_s = 0;
    const char *tl, *gl;
    size_t tll, gll;
    while (next_line(tbuf, tlen, &tpos, &tl, &tll)) {
        int have_gold = next_line(gbuf, glen, &gpos, &gl, &gll);
        lines++;
        size_t nch = decode_line(tl, tll, cps, cbyte);
        size_t bytes = cbyte[nch];
        if (bytes < tll) {
            skipped++;
            fprintf(stderr, "segeval: line %zu: longer than %d characters, skipped\n", lines,
                    LINE_MAX_CHARS);
            if (out != NULL)
                fputs("\r\n", out);
            continue;
        }

        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (segment_line(ss, dict, plain, tl, bytes, cps, cbyte, nch, boff, &c) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        seg_s += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        n_bytes += bytes;

        if (out != NULL) {
            for (size_t w = 0; w < c.n; w++) {
                size_t a = cbyte[c.spans[w].start], b = cbyte[c.spans[w].end];
                fwrite(tl + a, 1, b - a, out);
                fputs("  ", out);
            }
            fputs("\r\n", out);
        }

        /* Score over the non-separator characters, like the gold. */
        size_t ngch = 0;
        if (!have_gold || gold_spans(gl, gll, &gold, &ngold, &gcap, gchars, &ngch) != 0) {
            skipped++;
            continue;
        }
        /* Re-index our spans over non-separator characters and compare the
         * character sequences. */
        uint32_t *map = boff; /* reuse: char index -> non-separator index */
        size_t m = 0;
        int same = 1;
        for (size_t k = 0; k < nch; k++) {
            map[k] = (uint32_t)m;
            if (!is_sep(cps[k])) {
                if (m >= ngch || gchars[m] != cps[k])
                    same = 0;
                m++;
            }
        }
        map[nch] = (uint32_t)m;
        if (!same || m != ngch) {
            skipped++;
            fprintf(stderr, "segeval: line %zu: characters differ from the gold line, skipped\n",
                    lines);
            continue;
        }
        n_chars += m;
        size_t gi = 0;
        for (size_t w = 0; w < c.n; w++) {
            uint32_t a = map[c.spans[w].start], b = map[c.spans[w].end];
            while (gi < ngold && gold[gi].start < a)
                gi++;
            if (gi < ngold && gold[gi].start == a && gold[gi].end == b)
                n_correct++;
        }
        n_test += c.n;
        n_gold += ngold;
    }
    if (out != NULL)
        fclose(out);

    double p = n_test ? (double)n_correct / (double)n_test : 0;
    double r = n_gold ? (double)n_correct / (double)n_gold : 0;
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
    printf("lines=%zu skipped=%zu chars=%llu gold=%llu test=%llu correct=%llu "
           "P=%.4f R=%.4f F1=%.4f load_s=%.3f seg_chars_per_s=%.0f seg_MB_per_s=%.2f\n",
           lines, skipped, (unsigned long long)n_chars, (unsigned long long)n_gold,
           (unsigned long long)n_test, (unsigned long long)n_correct, p, r, f, load_s,
           seg_s > 0 ? (double)n_chars / seg_s : 0, seg_s > 0 ? (double)n_bytes / seg_s / 1e6 : 0);

    zc_seg_session_free(ss);
    zc_seg_dict_free(dict);
    free(cps);
    free(cbyte);
    free(boff);
    free(gchars);
    free(gold);
    free(c.spans);
    free(tbuf);
    free(gbuf);
    return 0;
}
