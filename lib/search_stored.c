/* search_stored.c — see search_stored.h. */
#include "lib/search_stored.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/utf8.h"

/* A cursor over the JSON text: p advances, end stays. */
typedef struct jscan {
    const char *p, *end;
} jscan;

static void js_ws(jscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Skips a string whose opening quote is at s->p. */
static int js_skip_string(jscan *s)
{
    s->p++;
    while (s->p < s->end) {
        const char *q = memchr(s->p, '"', (size_t)(s->end - s->p));
        if (q == NULL)
            return -1;
        /* the quote ends the string unless an odd run of backslashes
         * stands before it */
        size_t bs = 0;
        while (q - bs > s->p && q[-(ptrdiff_t)bs - 1] == '\\')
            bs++;
        s->p = q + 1;
        if (bs % 2 == 0)
            return 0;
    }
    return -1;
}

static int js_skip_value(jscan *s)
{
    js_ws(s);
    if (s->p >= s->end)
        return -1;
    if (*s->p == '"')
        return js_skip_string(s);
    if (*s->p == '{' || *s->p == '[') {
        size_t depth = 0;
        while (s->p < s->end) {
            char c = *s->p;
            if (c == '"') {
                if (js_skip_string(s) != 0)
                    return -1;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    s->p++;
                    return 0;
                }
            }
            s->p++;
        }
        return -1;
    }
    while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']' && *s->p != ' ' &&
           *s->p != '\n' && *s->p != '\t' && *s->p != '\r')
        s->p++;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int js_hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Decodes the string at s->p (opening quote) into a new buffer, at most
 * about max bytes (cut on a character boundary).  0 ok, -1 malformed,
 * -2 out of memory. */
static int js_decode_string(jscan *s, size_t max, char **out, size_t *len_out)
{
    const char *p = s->p + 1;
    const char *q = p;
    /* the raw length bounds the decoded one */
    jscan probe = *s;
    if (js_skip_string(&probe) != 0)
        return -1;
    size_t raw = (size_t)(probe.p - 1 - p);
    size_t cap = (raw < max ? raw : max) + 8;
    char *o = malloc(cap);
    if (o == NULL)
        return -2;
    size_t n = 0;
    const char *end = probe.p - 1;
    while (q < end && n < max) {
        const char *bsl = memchr(q, '\\', (size_t)(end - q));
        const char *stop = bsl ? bsl : end;
        size_t chunk = (size_t)(stop - q);
        if (n + chunk > max) {
            chunk = max - n;
            while (chunk > 0 && ((unsigned char)q[chunk] & 0xC0) == 0x80)
                chunk--;
            memcpy(o + n, q, chunk);
            n += chunk;
            break;
        }
        memcpy(o + n, q, chunk);
        n += chunk;
        q = stop;
        if (q >= end)
            break;
        q++; /* the backslash */
        if (q >= end)
            goto bad;
        unsigned cp;
        switch (*q) {
        case '"': o[n++] = '"'; q++; break;
        case '\\': o[n++] = '\\'; q++; break;
        case '/': o[n++] = '/'; q++; break;
        case 'b': o[n++] = '\b'; q++; break;
        case 'f': o[n++] = '\f'; q++; break;
        case 'n': o[n++] = '\n'; q++; break;
        case 'r': o[n++] = '\r'; q++; break;
        case 't': o[n++] = '\t'; q++; break;
        case 'u':
            if (js_hex4(q + 1, end, &cp) != 0)
                goto bad;
            q += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (end - q >= 6 && q[0] == '\\' && q[1] == 'u' &&
                    js_hex4(q + 2, end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            n += zc_utf8_encode((uint32_t)cp, o + n);
            break;
        default:
            goto bad;
        }
    }
    o[n] = '\0';
    *out = o;
    *len_out = n;
    s->p = probe.p;
    return 0;
bad:
    free(o);
    return -1;
}

/* The walk of zc_stored_fields: 0 ok, -1 unexpected text, -2 out of
 * memory (outs all NULL on failure). */
static int top_fields(const char *data, size_t len, const char *const *keys, size_t n,
                      size_t last_max, char **outs, size_t *lens)
{
    jscan s = {data, data + len};
    for (size_t k = 0; k < n; k++) {
        outs[k] = NULL;
        lens[k] = 0;
    }
    int r = -1;
    js_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        goto fail;
    s.p++;
    for (;;) {
        js_ws(&s);
        if (s.p >= s.end)
            goto fail;
        if (*s.p == '}')
            return 0;
        if (*s.p != '"')
            goto fail;
        const char *k = s.p + 1;
        if (js_skip_string(&s) != 0)
            goto fail;
        size_t klen = (size_t)(s.p - 1 - k);
        size_t which = n;
        for (size_t j = 0; j < n; j++)
            if (outs[j] == NULL && strlen(keys[j]) == klen && memcmp(k, keys[j], klen) == 0)
                which = j;
        js_ws(&s);
        if (s.p >= s.end || *s.p != ':')
            goto fail;
        s.p++;
        js_ws(&s);
        if (which < n && s.p < s.end && *s.p == '"') {
            int d = js_decode_string(&s, which + 1 == n ? last_max : SIZE_MAX / 2,
                                     &outs[which], &lens[which]);
            if (d != 0) {
                r = d;
                goto fail;
            }
        } else if (js_skip_value(&s) != 0) {
            goto fail;
        }
        js_ws(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        if (s.p < s.end && *s.p == '}')
            return 0;
        goto fail;
    }
fail:
    for (size_t k = 0; k < n; k++) {
        free(outs[k]);
        outs[k] = NULL;
        lens[k] = 0;
    }
    return r;
}

zc_status zc_stored_fields(const char *data, size_t len, const char *const *keys, size_t n,
                           size_t last_max, char **outs, size_t *lens, zc_error *err)
{
    int r = top_fields(data, len, keys, n, last_max, outs, lens);
    if (r == -2)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (r != 0)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "stored document is not the JSON expected");
    return ZC_OK;
}
