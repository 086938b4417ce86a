/* textdoc.c — the plain-text document format of textdoc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "indexer/reader.h"
#include "indexer/textdoc.h"
#include "base/utf8.h"

enum { H_TITLE, H_DATE, H_ISSUER, H_DOCNO, H_LANG, H_ID, H_PAIR, H_TAGS, H_URL, H_N };

/* Key names as they appear in the file (case-insensitive) and in JSON. */
_Static_assert(H_N == sizeof ((zc_textdoc_lines *)0)->header / sizeof(uint64_t),
               "zc_textdoc_lines.header has one slot per key");

static const char *const h_names[H_N] = {"title", "date", "issuer", "docno", "lang",
                                         "id",    "pair", "tags",   "url"};

typedef struct span {
    const char *p;
    size_t n;
} span;

static int is_sp(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static span trim(const char *p, size_t n)
{
    while (n > 0 && is_sp(*p))
        p++, n--;
    /* U+3000 IDEOGRAPHIC SPACE, common around full-width colons. */
    while (n >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0)
        p += 3, n -= 3;
    while (n > 0 && is_sp(p[n - 1]))
        n--;
    while (n >= 3 && memcmp(p + n - 3, "\xE3\x80\x80", 3) == 0)
        n -= 3;
    span s = {p, n};
    return s;
}

static int is_blank_line(const char *p, size_t n)
{
    return trim(p, n).n == 0;
}

/* If line is `Key: value` with a known key, returns the key's index and
 * the value; else -1. */
static int header_of(const char *p, size_t n, span *val)
{
    size_t i = 0, colon = 0, clen = 0;
    for (i = 0; i < n && i < 16; i++) {
        if (p[i] == ':') {
            colon = i;
            clen = 1;
            break;
        }
        if (i + 3 <= n && memcmp(p + i, "\xEF\xBC\x9A", 3) == 0) { /* ： */
            colon = i;
            clen = 3;
            break;
        }
    }
    if (clen == 0)
        return -1;
    span key = trim(p, colon);
    for (int h = 0; h < H_N; h++) {
        if (key.n == strlen(h_names[h]) && strncasecmp(key.p, h_names[h], key.n) == 0) {
            *val = trim(p + colon + clen, n - colon - clen);
            return h;
        }
    }
    return -1;
}

static void set_error(zc_textdoc_error *e, uint64_t line, uint64_t off, const char *msg)
{
    e->line = line;
    e->offset = off;
    snprintf(e->message, sizeof e->message, "%s", msg);
}

/* Splits a Tags value on ',' and '，' into a JSON array of trimmed,
 * non-empty strings. */
static json_t *tags_array(span v)
{
    json_t *arr = json_array();
    if (arr == NULL)
        return NULL;
    size_t start = 0, i = 0;
    while (i <= v.n) {
        size_t sep = 0;
        if (i == v.n)
            sep = 1;
        else if (v.p[i] == ',')
            sep = 1;
        else if (i + 3 <= v.n && memcmp(v.p + i, "\xEF\xBC\x8C", 3) == 0)
            sep = 3;
        if (sep == 0) {
            i++;
            continue;
        }
        span t = trim(v.p + start, i - start);
        if (t.n > 0 && json_array_append_new(arr, json_stringn(t.p, t.n)) != 0) {
            json_decref(arr);
            return NULL;
        }
        i += sep;
        start = i;
        if (sep == 1 && i > v.n)
            break;
    }
    return arr;
}

int zc_textdoc_has_id(const zc_textdoc_lines *lines)
{
    return lines->header[H_ID] != 0;
}

uint64_t zc_textdoc_line_of(const zc_textdoc_lines *lines, const char *field)
{
    if (lines == NULL || field == NULL)
        return 1;
    if (strcmp(field, "body") == 0)
        return lines->body ? lines->body : 1;
    for (int h = 0; h < H_N; h++) {
        if (strcmp(field, h_names[h]) == 0) {
            if (lines->header[h])
                return lines->header[h];
            if (h == H_TITLE && lines->body)
                return lines->body;
        }
    }
    return 1;
}

/* The header lines read: each known key's value, when given. */
typedef struct headers {
    span v[H_N];
    int have[H_N];
} headers;

/* Bytes no document may hold (invalid UTF-8, a NUL), reported at their
 * line and offset: -1 with *e filled, else 0. */
static int check_bytes(const char *text, size_t len, zc_textdoc_error *e)
{
    char msg[96];
    size_t bad = 0;
    if (!zc_utf8_valid(text, len, &bad)) {
        uint64_t line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte offset %zu", bad);
        set_error(e, line, bad, msg);
        return -1;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        uint64_t line = 1;
        for (const char *q = text; q < nul; q++)
            line += *q == '\n';
        snprintf(msg, sizeof msg, "NUL byte at byte offset %zu", (size_t)(nul - text));
        set_error(e, line, (uint64_t)(nul - text), msg);
        return -1;
    }
    return 0;
}

/* Reads the header lines at the start of text[0..len) into hd and
 * lines->header.  *pos and *lineno: the byte and the line where the body
 * starts (past the blank line that ends the header, which is dropped).
 * -1 with *e filled for a key given twice, else 0. */
static int read_headers(const char *text, size_t len, headers *hd, zc_textdoc_lines *lines,
                        size_t *pos_out, uint64_t *lineno_out, zc_textdoc_error *e)
{
    uint64_t lineno = 1;
    size_t pos = 0;
    while (pos < len) {
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        if (is_blank_line(p, n)) {
            pos += n + (nl != NULL);
            lineno++;
            break;
        }
        span v;
        int h = header_of(p, n, &v);
        if (h < 0)
            break; /* the body starts here */
        if (hd->have[h]) {
            char msg[96];
            snprintf(msg, sizeof msg, "header '%s' given twice", h_names[h]);
            set_error(e, lineno, (uint64_t)pos, msg);
            return -1;
        }
        hd->have[h] = 1;
        hd->v[h] = v;
        lines->header[h] = lineno;
        pos += n + (nl != NULL);
        lineno++;
    }
    *pos_out = pos;
    *lineno_out = lineno;
    return 0;
}

/* The body, text[pos..len) (pos on line lineno): CRLF -> LF, blank lines
 * at both ends dropped.  *buf: returns new; free with free(); *out spans
 * the body inside it, and lines->body is its first line.  -1 when out of
 * memory, else 0. */
static int read_body(const char *text, size_t len, size_t pos, uint64_t lineno, char **buf,
                     span *out, zc_textdoc_lines *lines)
{
    char *body = malloc(len - pos + 1);
    *buf = body;
    if (body == NULL)
        return -1;
    size_t bl = 0;
    for (size_t i = pos; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        body[bl++] = text[i];
    }
    size_t bstart = 0;
    for (;;) { /* leading blank lines */
        const char *nl = memchr(body + bstart, '\n', bl - bstart);
        if (nl == NULL || !is_blank_line(body + bstart, (size_t)(nl - (body + bstart))))
            break;
        bstart = (size_t)(nl - body) + 1;
    }
    lines->body = lineno;
    for (size_t i = 0; i < bstart; i++)
        lines->body += body[i] == '\n';
    while (bl > bstart && (body[bl - 1] == '\n' || is_sp(body[bl - 1])))
        bl--;
    out->p = body + bstart;
    out->n = bl - bstart;
    return 0;
}

/* The document's JSON object: id, lang, title, date, issuer, docno, pair,
 * url, tags, body, in this order.  Returns new (json_decref), or NULL when
 * out of memory. */
static json_t *build_object(const headers *hd, const char *default_id, span body)
{
    json_t *o = json_object();
    int rc = o == NULL;
    const char *id = hd->have[H_ID] ? NULL : default_id;
    if (!rc && hd->have[H_ID])
        rc = json_object_set_new(o, "id", json_stringn(hd->v[H_ID].p, hd->v[H_ID].n));
    else if (!rc && id != NULL)
        rc = json_object_set_new(o, "id", json_string(id));
    if (!rc && hd->have[H_LANG])
        rc = json_object_set_new(o, "lang", json_stringn(hd->v[H_LANG].p, hd->v[H_LANG].n));
    if (!rc) {
        span t = hd->have[H_TITLE] ? hd->v[H_TITLE] : (span){NULL, 0};
        if (!hd->have[H_TITLE]) {
            const char *nl = memchr(body.p, '\n', body.n);
            t = trim(body.p, nl ? (size_t)(nl - body.p) : body.n);
        }
        rc = json_object_set_new(o, "title", json_stringn(t.p ? t.p : "", t.n));
    }
    static const int order[] = {H_DATE, H_ISSUER, H_DOCNO, H_PAIR, H_URL};
    for (size_t i = 0; !rc && i < sizeof order / sizeof order[0]; i++) {
        int h = order[i];
        if (hd->have[h])
            rc = json_object_set_new(o, h_names[h], json_stringn(hd->v[h].p, hd->v[h].n));
    }
    if (!rc && hd->have[H_TAGS]) {
        json_t *arr = tags_array(hd->v[H_TAGS]);
        rc = arr == NULL || json_object_set_new(o, "tags", arr) != 0;
    }
    if (!rc)
        rc = json_object_set_new(o, "body", json_stringn(body.p, body.n));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int zc_textdoc_to_json(const char *text, size_t len, const char *default_id,
                       char **json_out, size_t *json_len, zc_textdoc_lines *lines,
                       zc_textdoc_error *e)
{
    zc_textdoc_lines lines_scratch;
    if (lines == NULL)
        lines = &lines_scratch;
    memset(lines, 0, sizeof *lines);
    *json_out = NULL;
    if (json_len)
        *json_len = 0;
    memset(e, 0, sizeof *e);

    if (check_bytes(text, len, e) != 0)
        return -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;

    headers hd;
    memset(&hd, 0, sizeof hd);
    size_t pos = 0;
    uint64_t lineno = 1;
    if (read_headers(text, len, &hd, lines, &pos, &lineno, e) != 0)
        return -1;
    char *body = NULL;
    span bspan;
    if (read_body(text, len, pos, lineno, &body, &bspan, lines) != 0) {
        set_error(e, 0, 0, "out of memory");
        return -1;
    }
    json_t *o = build_object(&hd, default_id, bspan);
    free(body);

    char *out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (out == NULL) {
        set_error(e, 0, 0, "out of memory building the document");
        return -1;
    }
    *json_out = out;
    if (json_len)
        *json_len = strlen(out);
    return 0;
}
