/* search_reply.c — see search_reply.h. */
#include "lib/search_reply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/norm.h"
#include "lib/search_request.h"
#include "lib/search_results.h"
#include "base/utf8.h"

void zc_reply_put_string(zc_strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (!zc_utf8_valid(s, n, NULL))
        n = 0;
    zc_strbuf_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        zc_strbuf_put(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (c) {
        case '"': zc_strbuf_put(b, "\\\"", 2); break;
        case '\\': zc_strbuf_put(b, "\\\\", 2); break;
        case '\b': zc_strbuf_put(b, "\\b", 2); break;
        case '\f': zc_strbuf_put(b, "\\f", 2); break;
        case '\n': zc_strbuf_put(b, "\\n", 2); break;
        case '\r': zc_strbuf_put(b, "\\r", 2); break;
        case '\t': zc_strbuf_put(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            zc_strbuf_put(b, esc, 6);
            break;
        }
    }
    zc_strbuf_put(b, s + run, n - run);
    zc_strbuf_put(b, "\"", 1);
}

/* ,"key":"value" (nothing when s is NULL); first: no comma. */
static void put_kv_string(zc_strbuf *b, const char *key, const char *s, int first)
{
    if (s == NULL)
        return;
    if (!first)
        zc_strbuf_put(b, ",", 1);
    zc_reply_put_string(b, key);
    zc_strbuf_put(b, ":", 1);
    zc_reply_put_string(b, s);
}

static void put_int(zc_strbuf *b, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%lld", v);
    zc_strbuf_put(b, t, (size_t)n);
}

void zc_reply_put_real(zc_strbuf *b, double v)
{
    char t[64];
    if (!isfinite(v)) {
        b->oom = 1; /* json_real refuses it: the reply fails as before */
        return;
    }
    int n = snprintf(t, sizeof t, "%.10g", v);
    if (n < 0 || (size_t)n >= sizeof t - 3) {
        b->oom = 1;
        return;
    }
    if (strchr(t, '.') == NULL && strchr(t, 'e') == NULL) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(t, 'e');
    if (e != NULL) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, strlen(end) + 1);
            n = (int)strlen(t);
        }
    }
    zc_strbuf_put(b, t, (size_t)n);
}

/* A hit's duplicates and versions: ,"version_of":"id" or
 * ,"duplicate_of":"id" when it is not its group's preferred document, and
 * with collapsing ,"duplicates":[ids],"versions":[{"id":…,"date":…}] (the
 * lists always, empty when the group has no other member). */
static void put_groups(zc_strbuf *b, const zc_hit *h, int collapse)
{
    put_kv_string(b, "version_of", h->version_of, 0);
    put_kv_string(b, "duplicate_of", h->duplicate_of, 0);
    if (!collapse)
        return;
    zc_strbuf_puts(b, ",\"duplicates\":[");
    for (size_t j = 0; j < h->n_duplicates; j++) {
        if (j)
            zc_strbuf_put(b, ",", 1);
        zc_reply_put_string(b, h->duplicates[j] ? h->duplicates[j] : "");
    }
    zc_strbuf_puts(b, "],\"versions\":[");
    for (size_t j = 0; j < h->n_versions; j++) {
        zc_strbuf_put(b, j ? ",{" : "{", j ? 2 : 1);
        put_kv_string(b, "id", h->versions[j].id ? h->versions[j].id : "", 1);
        put_kv_string(b, "date", h->versions[j].date, 0);
        zc_strbuf_put(b, "}", 1);
    }
    zc_strbuf_put(b, "]", 1);
}

/* ,"facets":{"issuer":[{"value":...,"count":n},...],...}: the facets asked,
 * in zc_search_facets' order, each with its values (maybe none). */
static void put_facets(zc_strbuf *b, const zc_results *r)
{
    zc_strbuf_puts(b, ",\"facets\":{");
    int first = 1;
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
        if (!(r->facets & zc_search_facets[k].bit))
            continue;
        if (!first)
            zc_strbuf_put(b, ",", 1);
        first = 0;
        zc_reply_put_string(b, zc_search_facets[k].name);
        zc_strbuf_puts(b, ":[");
        for (size_t j = 0; j < r->n_fv[k]; j++) {
            zc_strbuf_put(b, j ? ",{" : "{", j ? 2 : 1);
            put_kv_string(b, "value", r->fv[k][j].value, 1);
            zc_strbuf_puts(b, r->fv[k][j].value ? ",\"count\":" : "\"count\":");
            put_int(b, (long long)r->fv[k][j].count);
            zc_strbuf_put(b, "}", 1);
        }
        zc_strbuf_put(b, "]", 1);
    }
    zc_strbuf_put(b, "}", 1);
}

ZC_API zc_status zc_results_to_json(const zc_results *r, char **out, size_t *len_out,
                                    zc_error *err)
{
    *out = NULL;
    if (len_out)
        *len_out = 0;
    if (r == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no results");
    zc_strbuf b = {0};
    zc_strbuf_puts(&b, "{\"ok\":true,\"total\":");
    put_int(&b, (long long)r->total);
    zc_strbuf_puts(&b, r->exact ? ",\"exact\":true,\"took_ms\":" : ",\"exact\":false,\"took_ms\":");
    zc_reply_put_real(&b, round(r->took_ms * 1000.0) / 1000.0);
    zc_strbuf_puts(&b, ",\"hits\":[");
    for (size_t i = 0; i < r->n_hits; i++) {
        const zc_hit *h = &r->hits[i];
        zc_strbuf_puts(&b, i ? ",{" : "{");
        put_kv_string(&b, "id", h->id ? h->id : "", 1);
        zc_strbuf_puts(&b, ",\"score\":");
        zc_reply_put_real(&b, h->score);
        put_kv_string(&b, "lang", h->lang ? h->lang : "", 0);
        put_kv_string(&b, "title", h->title ? h->title : "", 0);
        put_kv_string(&b, "date", h->date, 0);
        put_kv_string(&b, "issuer", h->issuer, 0);
        put_kv_string(&b, "docno", h->docno, 0);
        put_kv_string(&b, "pair", h->pair, 0);
        put_kv_string(&b, "snippet", h->snippet, 0);
        put_groups(&b, h, r->collapse);
        zc_strbuf_put(&b, "}", 1);
    }
    zc_strbuf_put(&b, "]", 1);
    if (r->facets)
        put_facets(&b, r);
    put_kv_string(&b, "suggest", r->suggest, 0);
    zc_strbuf_put(&b, "}", 1);
    if (b.oom) {
        free(b.p);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    *out = b.p;
    if (len_out)
        *len_out = b.len;
    return ZC_OK;
}
