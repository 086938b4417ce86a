/* bench/jsonl_fields.h — a trivial field extractor for the benchmark peers.
 *
 * The peers (bench/xapian_bound.cc, bench/fts5_bench.c) read the same JSON
 * Lines as zhengce-indexer but must not pay for a JSON library or for
 * zhengce's validation and normalization: they stand for "the engine used
 * plainly".  This header pulls the top-level string fields they index out of
 * one line with a single forward scan: escapes are decoded (\n, \", \\,
 * \uXXXX with surrogate pairs), every other value (numbers, arrays, nested
 * objects) is skipped with its brackets balanced.  A malformed line returns
 * -1 and the caller skips it.
 *
 * Owns: nothing but the caller's jf_doc buffers.  Header-only (static
 * functions) so that a C and a C++ program can both include it; never used
 * by the library or the programs. */
#ifndef BENCH_JSONL_FIELDS_H
#define BENCH_JSONL_FIELDS_H

#include <stdlib.h>
#include <string.h>

enum { JF_ID, JF_LANG, JF_TITLE, JF_BODY, JF_DATE, JF_ISSUER, JF_DOCNO, JF_N };

static const char *const jf_names[JF_N] = {"id", "lang", "title", "body", "date", "issuer", "docno"};

/* One field: decoded UTF-8 in buf[0..len), NUL-terminated; len 0 if absent. */
typedef struct jf_field {
    char *buf;
    size_t len, cap;
} jf_field;

typedef struct jf_doc {
    jf_field f[JF_N];
} jf_doc;

static void jf_doc_free(jf_doc *d)
{
    for (int i = 0; i < JF_N; i++)
        free(d->f[i].buf);
    memset(d, 0, sizeof *d);
}

static int jf_put(jf_field *f, const char *s, size_t n)
{
    if (f->len + n + 1 > f->cap) {
        size_t cap = f->cap ? f->cap : 256;
        while (cap < f->len + n + 1)
            cap *= 2;
        char *b = (char *)realloc(f->buf, cap);
        if (b == NULL)
            return -1;
        f->buf = b;
        f->cap = cap;
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
    f->buf[f->len] = '\0';
    return 0;
}

static int jf_hex4(const char *p, const char *end, unsigned *out)
{
    unsigned v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Scans the string starting at *pp (just past its opening quote); decodes
 * it into f when f is not NULL.  Leaves *pp past the closing quote. */
static int jf_string(const char **pp, const char *end, jf_field *f)
{
    const char *p = *pp;
    while (p < end) {
        const char *run = p;
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (f && p > run && jf_put(f, run, (size_t)(p - run)) != 0)
            return -1;
        if (p >= end)
            return -1;
        if (*p == '"') {
            *pp = p + 1;
            return 0;
        }
        p++; /* backslash */
        if (p >= end)
            return -1;
        char c = *p++, one = 0;
        switch (c) {
        case 'n': one = '\n'; break;
        case 't': one = '\t'; break;
        case 'r': one = '\r'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case '/': one = '/'; break;
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case 'u': {
            unsigned cp, lo;
            if (jf_hex4(p, end, &cp) != 0)
                return -1;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                jf_hex4(p + 2, end, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            char u[4];
            size_t n;
            if (cp < 0x80) { u[0] = (char)cp; n = 1; }
            else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
            else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
            }
            if (f && jf_put(f, u, n) != 0)
                return -1;
            continue;
        }
        default: return -1;
        }
        if (f && jf_put(f, &one, 1) != 0)
            return -1;
    }
    return -1;
}

static const char *jf_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* Skips any value that is not a wanted string: scalars up to the next
 * ',' or '}' at depth 0, containers with their brackets balanced. */
static int jf_skip(const char **pp, const char *end)
{
    const char *p = *pp;
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p++;
            if (jf_string(&p, end, NULL) != 0)
                return -1;
            if (depth == 0)
                break;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0)
                break;
            if (--depth == 0) {
                p++;
                break;
            }
        } else if (c == ',' && depth == 0)
            break;
        p++;
    }
    *pp = p;
    return 0;
}

/* Fills d from one JSON object line; fields not present get len 0.
 * Returns 0, or -1 for a line that is not a JSON object. */
static int jf_parse(jf_doc *d, const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    for (int i = 0; i < JF_N; i++) {
        d->f[i].len = 0;
        if (d->f[i].buf)
            d->f[i].buf[0] = '\0';
    }
    p = jf_ws(p, end);
    if (p >= end || *p != '{')
        return -1;
    p++;
    for (;;) {
        p = jf_ws(p, end);
        if (p < end && *p == '}')
            return 0;
        if (p >= end || *p != '"')
            return -1;
        const char *k = ++p;
        if (jf_string(&p, end, NULL) != 0)
            return -1;
        size_t klen = (size_t)(p - 1 - k);
        int which = -1;
        for (int i = 0; i < JF_N; i++)
            if (strlen(jf_names[i]) == klen && memcmp(jf_names[i], k, klen) == 0)
                which = i;
        p = jf_ws(p, end);
        if (p >= end || *p != ':')
            return -1;
        p = jf_ws(p + 1, end);
        if (which >= 0 && p < end && *p == '"') {
            p++;
            d->f[which].len = 0;
            if (jf_put(&d->f[which], "", 0) != 0 || jf_string(&p, end, &d->f[which]) != 0)
                return -1;
        } else if (jf_skip(&p, end) != 0)
            return -1;
        p = jf_ws(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            return 0;
        return -1;
    }
}

/* "2003", "2003-10", "2003-10-05" -> 20030000 + ... as a number YYYYMMDD with
 * missing parts as 01 (the protocol's "first day of the period"); 0 if none. */
static long jf_date_num(const jf_field *f)
{
    const char *s = f->buf;
    if (f->len < 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    long y = atol(s), m = 1, dd = 1;
    if (f->len >= 7 && s[4] == '-')
        m = atol(s + 5);
    if (f->len >= 10 && s[7] == '-')
        dd = atol(s + 8);
    if (m < 1 || m > 12)
        m = 1;
    if (dd < 1 || dd > 31)
        dd = 1;
    return y * 10000 + m * 100 + dd;
}

#endif
