/* search.c — the search half of zhengce.h: SEARCH options, zc_search,
 * results and their JSON reply.
 *
 * Owns: the SEARCH option rules of protocol.md (each bad value is ZC_EINVAL
 * naming the option), turning options into Xapian filters, sort keys and
 * facet slots (schema.h), reading hits from ZC_SLOT_HIT, snippets, and the
 * exact shape of the reply object.
 * Must never: print, or let a reply hold a raw newline.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "docmodel.h"
#include "docstore.h"
#include "error.h"
#include "index_internal.h"
#include "limits.h"
#include "norm.h"
#include "query.h"
#include "schema.h"
#include "snippet.h"
#include "strbuf.h"
#include "utf8_internal.h"

/* BM25 for match any (natural-language questions): more length
 * normalization than Xapian's default (k1 1, b 0.5) ranks the short article
 * that answers a question above long ones that share its common words
 * (tuned on shared/zh-ir; see docs/quality.md). */
#define SEARCH_ANY_BM25_K1 0.9
#define SEARCH_ANY_BM25_B 0.9

/* facet_limit above this is refused: a facet list is for people to read. */
#define SEARCH_FACET_LIMIT_MAX 10000u
/* Entries of the "facets" array: there are three facets; a few repeats are
 * harmless, a million are a way to make the server parse. */
#define SEARCH_FACETS_MAX 16u

#define N_FACETS 3
static const struct {
    unsigned bit;
    unsigned slot;
    const char *name;
} facet_defs[N_FACETS] = {
    {ZC_FACET_ISSUER, ZC_SLOT_ISSUER, "issuer"},
    {ZC_FACET_YEAR, ZC_SLOT_YEAR, "year"},
    {ZC_FACET_LANG, ZC_SLOT_LANG, "lang"},
};

/* ---- options ----------------------------------------------------------- */

ZC_API void zc_search_opts_init(zc_search_opts *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->limit = 10;
    opts->offset = 0;
    opts->sort = ZC_SORT_RELEVANCE;
    opts->facet_limit = ZC_FACET_LIMIT_DEFAULT;
    opts->snippet = 1;
    opts->time_limit_s = 0;
}

struct zc_search_request {
    zc_search_opts opts;
    json_t *root;           /* owned; option strings point into it */
    char *text;             /* owned copy of a plain-text query */
    const char **issuers;   /* owned array; strings borrowed from root */
};

ZC_API zc_search_opts *zc_search_request_opts(zc_search_request *req)
{
    return req ? &req->opts : NULL;
}

ZC_API void zc_search_request_free(zc_search_request *req)
{
    if (req == NULL)
        return;
    json_decref(req->root);
    free(req->text);
    free(req->issuers);
    free(req);
}

/* An integer option in [min, max] (a JSON integer, or a real with no
 * fraction, as some clients send). */
static zc_status opt_uint(json_t *v, const char *name, uint64_t min, uint64_t max,
                          uint64_t *out, zc_error *err)
{
    double d;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
            goto range;
        *out = (uint64_t)i;
        return ZC_OK;
    }
    if (json_is_real(v)) {
        d = json_real_value(v);
        if (d != floor(d) || d < (double)min || d > (double)max)
            goto range;
        *out = (uint64_t)d;
        return ZC_OK;
    }
    return zc_error_set(err, ZC_EINVAL, name, "option \"%s\" must be an integer", name);
range:
    return zc_error_set(err, ZC_EINVAL, name,
                        "option \"%s\" must be an integer from %llu to %llu", name,
                        (unsigned long long)min, (unsigned long long)max);
}

static zc_status opt_date(json_t *v, const char *name, const char **out, zc_error *err)
{
    if (!json_is_string(v))
        return zc_error_set(err, ZC_EINVAL, name,
                            "option \"%s\" must be a date string (YYYY, YYYY-MM or "
                            "YYYY-MM-DD)", name);
    zc_date d;
    zc_error e2;
    if (zc_date_parse(json_string_value(v), json_string_length(v), &d, &e2) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, name,
                            "option \"%s\" is not a real date (YYYY, YYYY-MM or "
                            "YYYY-MM-DD)", name);
    *out = json_string_value(v);
    return ZC_OK;
}

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static zc_status parse_json_opts(zc_search_request *req, const char *text, size_t len,
                                 zc_error *err)
{
    json_error_t je;
    req->root = json_loadb(text, len, 0, &je);
    if (req->root == NULL) {
        char clean[sizeof je.text];
        zc_norm_sanitize(je.text, clean, sizeof clean);
        return zc_error_set(err, ZC_EINVAL, "", "SEARCH argument is not valid JSON: %s "
                            "(column %d)", clean, je.column);
    }
    if (!json_is_object(req->root))
        return zc_error_set(err, ZC_EINVAL, "", "SEARCH argument must be a JSON object");
    zc_search_opts *o = &req->opts;
    json_t *root = req->root, *v;
    zc_status st;
    uint64_t u;

    v = json_object_get(root, "q");
    if (v == NULL || json_is_null(v))
        return zc_error_set(err, ZC_EINVAL, "q", "option \"q\" (the query) is required");
    if (!json_is_string(v))
        return zc_error_set(err, ZC_EINVAL, "q", "option \"q\" must be a string");
    o->q = json_string_value(v);
    o->q_len = json_string_length(v);

    if ((v = json_object_get(root, "limit")) != NULL && !json_is_null(v)) {
        if ((st = opt_uint(v, "limit", 0, ZC_SEARCH_LIMIT_MAX, &u, err)) != ZC_OK)
            return st;
        o->limit = (uint32_t)u;
    }
    if ((v = json_object_get(root, "offset")) != NULL && !json_is_null(v)) {
        if ((st = opt_uint(v, "offset", 0, UINT32_MAX, &u, err)) != ZC_OK)
            return st;
        o->offset = (uint32_t)u;
    }
    if ((v = json_object_get(root, "lang")) != NULL && !json_is_null(v)) {
        const char *s = json_string_value(v);
        if (s == NULL || (strcmp(s, "zh") != 0 && strcmp(s, "en") != 0) ||
            json_string_length(v) != 2)
            return zc_error_set(err, ZC_EINVAL, "lang",
                                "option \"lang\" must be \"zh\" or \"en\"");
        o->lang = s;
    }
    if ((v = json_object_get(root, "issuer")) != NULL && !json_is_null(v)) {
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        if (!json_is_array(v) && !json_is_string(v))
            return zc_error_set(err, ZC_EINVAL, "issuer",
                                "option \"issuer\" must be a string or an array of "
                                "strings");
        if (n > ZC_SEARCH_ISSUERS_MAX)
            return zc_error_set(err, ZC_EINVAL, "issuer",
                                "option \"issuer\": %zu issuers, over the limit of %u", n,
                                ZC_SEARCH_ISSUERS_MAX);
        req->issuers = calloc(n ? n : 1, sizeof *req->issuers);
        if (req->issuers == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            if (!json_is_string(e))
                return zc_error_set(err, ZC_EINVAL, "issuer",
                                    "option \"issuer\" must be a string or an array "
                                    "of strings");
            req->issuers[i] = json_string_value(e);
        }
        /* An empty array asks for no issuer in particular: no filter. */
        o->issuers = n ? req->issuers : NULL;
        o->n_issuers = n;
    }
    if ((v = json_object_get(root, "from")) != NULL && !json_is_null(v))
        if ((st = opt_date(v, "from", &o->from, err)) != ZC_OK)
            return st;
    if ((v = json_object_get(root, "to")) != NULL && !json_is_null(v))
        if ((st = opt_date(v, "to", &o->to, err)) != ZC_OK)
            return st;
    if ((v = json_object_get(root, "sort")) != NULL && !json_is_null(v)) {
        const char *s = json_string_value(v);
        if (s != NULL && strcmp(s, "relevance") == 0)
            o->sort = ZC_SORT_RELEVANCE;
        else if (s != NULL && strcmp(s, "date") == 0)
            o->sort = ZC_SORT_DATE_DESC;
        else if (s != NULL && strcmp(s, "date_asc") == 0)
            o->sort = ZC_SORT_DATE_ASC;
        else
            return zc_error_set(err, ZC_EINVAL, "sort",
                                "option \"sort\" must be \"relevance\", \"date\" or "
                                "\"date_asc\"");
    }
    if ((v = json_object_get(root, "facets")) != NULL && !json_is_null(v)) {
        if (!json_is_array(v))
            return zc_error_set(err, ZC_EINVAL, "facets",
                                "option \"facets\" must be an array of \"issuer\", "
                                "\"year\", \"lang\"");
        if (json_array_size(v) > SEARCH_FACETS_MAX)
            return zc_error_set(err, ZC_EINVAL, "facets",
                                "option \"facets\": %zu entries, over the limit of %u",
                                json_array_size(v), SEARCH_FACETS_MAX);
        for (size_t i = 0; i < json_array_size(v); i++) {
            const char *s = json_string_value(json_array_get(v, i));
            unsigned bit = 0;
            for (size_t k = 0; s != NULL && k < N_FACETS; k++)
                if (strcmp(s, facet_defs[k].name) == 0)
                    bit = facet_defs[k].bit;
            if (bit == 0)
                return zc_error_set(err, ZC_EINVAL, "facets",
                                    "option \"facets\": unknown facet (use \"issuer\", "
                                    "\"year\", \"lang\")");
            o->facets |= bit;
        }
    }
    if ((v = json_object_get(root, "facet_limit")) != NULL && !json_is_null(v)) {
        if ((st = opt_uint(v, "facet_limit", 0, SEARCH_FACET_LIMIT_MAX, &u, err)) != ZC_OK)
            return st;
        o->facet_limit = (uint32_t)u;
    }
    if ((v = json_object_get(root, "match")) != NULL && !json_is_null(v)) {
        const char *m = json_string_value(v);
        if (m != NULL && strcmp(m, "all") == 0 && json_string_length(v) == 3)
            o->match_any = 0;
        else if (m != NULL && strcmp(m, "any") == 0 && json_string_length(v) == 3)
            o->match_any = 1;
        else
            return zc_error_set(err, ZC_EINVAL, "match",
                                "option \"match\" must be \"all\" or \"any\"");
    }
    if ((v = json_object_get(root, "snippet")) != NULL && !json_is_null(v)) {
        if (!json_is_boolean(v))
            return zc_error_set(err, ZC_EINVAL, "snippet",
                                "option \"snippet\" must be true or false");
        o->snippet = json_is_true(v);
    }
    return ZC_OK;
}

ZC_API zc_status zc_search_request_parse(const char *text, size_t len,
                                         zc_search_request **out, zc_error *err)
{
    *out = NULL;
    if (text == NULL)
        len = 0;
    zc_search_request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    zc_search_opts_init(&req->opts);
    size_t p = 0;
    while (p < len && is_space_byte(text[p]))
        p++;
    zc_status st;
    if (p < len && text[p] == '{') {
        st = parse_json_opts(req, text + p, len - p, err);
    } else {
        req->text = malloc(len + 1);
        if (req->text == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        } else {
            if (len)
                memcpy(req->text, text, len);
            req->text[len] = '\0';
            req->opts.q = req->text;
            req->opts.q_len = len;
            st = ZC_OK;
        }
    }
    if (st == ZC_OK && (req->opts.q_len == 0 || p == len))
        st = zc_error_set(err, ZC_EINVAL, "q", "empty query");
    if (st != ZC_OK) {
        zc_search_request_free(req);
        return st;
    }
    *out = req;
    return ZC_OK;
}

/* ---- results ----------------------------------------------------------- */

struct zc_results {
    uint64_t total;
    int exact;
    double took_ms;
    zc_hit *hits;               /* every string owned */
    size_t n_hits;
    unsigned facets;            /* asked */
    zc_facet_value *fv[N_FACETS];   /* values owned */
    size_t n_fv[N_FACETS];
    char *suggest;              /* owned; NULL when no suggestion */
};

static void hit_clear(zc_hit *h)
{
    free((char *)h->id);
    free((char *)h->lang);
    free((char *)h->title);
    free((char *)h->date);
    free((char *)h->issuer);
    free((char *)h->docno);
    free((char *)h->pair);
    free((char *)h->snippet);
    memset(h, 0, sizeof *h);
}

ZC_API void zc_results_free(zc_results *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_hits; i++)
        hit_clear(&r->hits[i]);
    free(r->hits);
    for (size_t k = 0; k < N_FACETS; k++) {
        for (size_t j = 0; j < r->n_fv[k]; j++)
            free((char *)r->fv[k][j].value);
        free(r->fv[k]);
    }
    free(r->suggest);
    free(r);
}

ZC_API uint64_t zc_results_total(const zc_results *r, int *exact)
{
    if (exact)
        *exact = r ? r->exact : 0;
    return r ? r->total : 0;
}

ZC_API size_t zc_results_count(const zc_results *r)
{
    return r ? r->n_hits : 0;
}

ZC_API const zc_hit *zc_results_hit(const zc_results *r, size_t i)
{
    if (r == NULL || i >= r->n_hits)
        return NULL;
    return &r->hits[i];
}

ZC_API const zc_facet_value *zc_results_facet(const zc_results *r, unsigned facet,
                                              size_t *n)
{
    if (n)
        *n = 0;
    if (r == NULL)
        return NULL;
    for (size_t k = 0; k < N_FACETS; k++) {
        if (facet_defs[k].bit == facet && (r->facets & facet)) {
            if (n)
                *n = r->n_fv[k];
            return r->fv[k];
        }
    }
    return NULL;
}

ZC_API double zc_results_took_ms(const zc_results *r)
{
    return r ? r->took_ms : 0.0;
}

ZC_API const char *zc_results_suggest(const zc_results *r)
{
    return r ? r->suggest : NULL;
}

/* ---- searching --------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* A new copy of obj[key] if it is a non-empty string, else NULL; *oom set
 * when the copy failed. */
static char *json_str_dup(json_t *obj, const char *key, int *oom)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return NULL;
    char *d = dup_n(json_string_value(v), json_string_length(v));
    if (d == NULL)
        *oom = 1;
    return d;
}

/* A term query for prefix + text, cut on a UTF-8 boundary to the term
 * limit (as indexing does). */
static zc_status term_query(const char *pfx, const char *text, size_t len,
                            zc_xap_query **out, zc_error *err)
{
    char buf[ZC_TERM_MAX_BYTES + 1];
    size_t pl = strlen(pfx), n = pl + len;
    if (n > ZC_TERM_MAX_BYTES) {
        n = ZC_TERM_MAX_BYTES;
        while (n > pl && ((unsigned char)text[n - pl] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, pfx, pl);
    memcpy(buf + pl, text, n - pl);
    return zc_xap_query_term(buf, n, 1, 0, out, err);
}

static void free_queries(zc_xap_query **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zc_xap_query_free(v[i]);
}

/* Combines v[0..n) with op into *out and frees them (n >= 1). */
static zc_status combine_free(zc_xap_op op, zc_xap_query **v, size_t n,
                              zc_xap_query **out, zc_error *err)
{
    zc_status st = ZC_OK;
    if (n == 1) {
        *out = v[0];
        return ZC_OK;
    }
    st = zc_xap_query_combine(op, v, n, 0, out, err);
    free_queries(v, n);
    return st;
}

/* The filter part of the options (lang, issuers, date range), or NULL. */
static zc_status build_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err)
{
    zc_xap_query *parts[3] = {0};
    size_t np = 0;
    zc_status st = ZC_OK;
    *out = NULL;

    if (o->lang != NULL) {
        st = term_query(ZC_PFX_LANG, o->lang, strlen(o->lang), &parts[np], err);
        if (st != ZC_OK)
            goto fail;
        np++;
    }
    if (o->issuers != NULL && o->n_issuers > 0) {
        zc_xap_query **iq = calloc(o->n_issuers, sizeof *iq);
        if (iq == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        size_t ni = 0;
        for (size_t i = 0; i < o->n_issuers; i++) {
            const char *is = o->issuers[i] ? o->issuers[i] : "";
            char *norm = NULL;
            size_t nl = 0;
            st = zc_norm_string(is, strlen(is), &norm, &nl, err);
            if (st == ZC_EINVAL)
                st = zc_error_set(err, ZC_EINVAL, "issuer",
                                  "option \"issuer\" is not valid UTF-8");
            if (st == ZC_OK) {
                st = term_query(ZC_PFX_ISSUER_EXACT, norm, nl, &iq[ni], err);
                free(norm);
            }
            if (st != ZC_OK) {
                free_queries(iq, ni);
                free(iq);
                goto fail;
            }
            ni++;
        }
        st = combine_free(ZC_XAP_OP_OR, iq, ni, &parts[np], err);
        free(iq);
        if (st != ZC_OK)
            goto fail;
        np++;
    }
    if (o->from != NULL || o->to != NULL) {
        char lo[9], hi[9];
        zc_date d;
        if (o->from != NULL) {
            if (zc_date_parse(o->from, strlen(o->from), &d, NULL) != ZC_OK) {
                st = zc_error_set(err, ZC_EINVAL, "from", "option \"from\" is not a real date");
                goto fail;
            }
            zc_date_key(&d, 0, lo);
        }
        if (o->to != NULL) {
            if (zc_date_parse(o->to, strlen(o->to), &d, NULL) != ZC_OK) {
                st = zc_error_set(err, ZC_EINVAL, "to", "option \"to\" is not a real date");
                goto fail;
            }
            zc_date_key(&d, 1, hi);
        }
        /* Undated documents have no value in ZC_SLOT_DATE, so no range
         * (open-ended ones included) matches them. */
        st = zc_xap_query_value_range(ZC_SLOT_DATE, o->from ? lo : NULL, o->from ? 8 : 0,
                                      o->to ? hi : NULL, o->to ? 8 : 0, &parts[np], err);
        if (st != ZC_OK)
            goto fail;
        np++;
    }
    if (np == 0)
        return ZC_OK;
    return combine_free(ZC_XAP_OP_AND, parts, np, out, err);
fail:
    free_queries(parts, np);
    return st;
}

static zc_status validate_opts(const zc_search_opts *o, zc_error *err)
{
    if (o->q == NULL || o->q_len == 0)
        return zc_error_set(err, ZC_EINVAL, "q", "empty query");
    if (o->limit > ZC_SEARCH_LIMIT_MAX)
        return zc_error_set(err, ZC_EINVAL, "limit",
                            "option \"limit\" must be an integer from 0 to %u",
                            ZC_SEARCH_LIMIT_MAX);
    if (o->lang != NULL && strcmp(o->lang, "zh") != 0 && strcmp(o->lang, "en") != 0)
        return zc_error_set(err, ZC_EINVAL, "lang", "option \"lang\" must be \"zh\" or \"en\"");
    if (o->sort != ZC_SORT_RELEVANCE && o->sort != ZC_SORT_DATE_DESC &&
        o->sort != ZC_SORT_DATE_ASC)
        return zc_error_set(err, ZC_EINVAL, "sort",
                            "option \"sort\" must be \"relevance\", \"date\" or \"date_asc\"");
    if (o->facets & ~(unsigned)(ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG))
        return zc_error_set(err, ZC_EINVAL, "facets", "option \"facets\": unknown facet");
    if (o->facet_limit > SEARCH_FACET_LIMIT_MAX)
        return zc_error_set(err, ZC_EINVAL, "facet_limit",
                            "option \"facet_limit\" must be an integer from 0 to %u",
                            SEARCH_FACET_LIMIT_MAX);
    if (o->n_issuers > 0 && o->issuers == NULL)
        return zc_error_set(err, ZC_EINVAL, "issuer", "option \"issuer\": no issuers given");
    if (o->n_issuers > ZC_SEARCH_ISSUERS_MAX)
        return zc_error_set(err, ZC_EINVAL, "issuer",
                            "option \"issuer\": %zu issuers, over the limit of %u",
                            o->n_issuers, ZC_SEARCH_ISSUERS_MAX);
    if (!(o->time_limit_s >= 0))
        return zc_error_set(err, ZC_EINVAL, "time_limit", "time limit must be >= 0");
    zc_date d;
    if (o->from != NULL && zc_date_parse(o->from, strlen(o->from), &d, NULL) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, "from",
                            "option \"from\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)");
    if (o->to != NULL && zc_date_parse(o->to, strlen(o->to), &d, NULL) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, "to",
                            "option \"to\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)");
    return ZC_OK;
}

/* ---- the body of a stored document, without parsing all of it ----------
 * A hit's snippet needs one string of the stored JSON.  Building a jansson
 * tree of a whole document costs more than the rest of the search, so this
 * small scanner walks the top-level object, skips the other values, and
 * decodes only the "body" string.  Stored data is jansson's own output; if
 * the scanner meets anything it does not expect it says so and the caller
 * falls back to jansson. */

#define BODY_MAX_BYTES (2u * 1024u * 1024u) /* more than snippet.c scans */

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

/* Hit i's stored document (compact JSON, NUL-terminated).  *out: returns
 * new; free with free(). */
static zc_status hit_doc(const zc_xap_mset *ms, size_t i, char **out, size_t *len,
                         zc_error *err)
{
    char *packed = NULL;
    size_t plen = 0;
    *out = NULL;
    *len = 0;
    zc_status st = zc_xap_mset_hit_data(ms, i, &packed, &plen, err);
    if (st != ZC_OK)
        return st;
    st = zc_docstore_unpack(packed, plen, out, len, err);
    free(packed);
    return st;
}

/* The top-level strings keys[0..n) of the JSON object data, in one walk:
 * outs[k] new (free with free()) or NULL when absent or not a string; the
 * last key may be long (at most BODY_MAX_BYTES kept), the others are
 * whole.  0 ok, -1 unexpected text (outs all NULL), -2 out of memory. */
static int json_top_fields(const char *data, size_t len, const char *const *keys, size_t n,
                           char **outs, size_t *lens)
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
            int d = js_decode_string(&s, which + 1 == n ? BODY_MAX_BYTES : SIZE_MAX / 2,
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

/* The top-level string `key` of the JSON object data (the body, so at most
 * BODY_MAX_BYTES kept).  1 found (*out new, free with free()), 0 absent or
 * not a string, -1 unexpected text, -2 out of memory. */
static int json_top_string(const char *data, size_t len, const char *key, char **out,
                           size_t *len_out)
{
    const char *const keys[1] = {key};
    int r = json_top_fields(data, len, keys, 1, out, len_out);
    return r < 0 ? r : *out != NULL;
}

/* Hit i's fields and the text of its snippet from its stored document, in
 * one read: the hit value (ZC_SLOT_HIT) holds copies of the same strings
 * (docmodel.c: both come from one parsed document; the hit leaves out
 * empty optional fields, and so does this), so a hit that needs its body
 * anyway skips reading and parsing the value.  *done 0 (and nothing set):
 * the stored JSON is not what the scanner expects; take the slow path.
 * *body: returns new or NULL; free with free(). */
static zc_status hit_from_data(zc_xap_mset *ms, size_t i, zc_hit *h, char **body,
                               size_t *blen, int *done, zc_error *err)
{
    static const char *const keys[] = {"id", "lang", "title", "date",
                                       "issuer", "docno", "pair", "body"};
    enum { NK = sizeof keys / sizeof keys[0] };
    *done = 0;
    *body = NULL;
    *blen = 0;
    char *data = NULL;
    size_t dlen = 0;
    zc_status st = hit_doc(ms, i, &data, &dlen, err);
    if (st != ZC_OK)
        return st;
    char *v[NK];
    size_t l[NK];
    int r = json_top_fields(data, dlen, keys, NK, v, l);
    free(data);
    if (r == -2)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (r != 0)
        return ZC_OK;
    for (size_t k = 0; k + 1 < NK; k++) {
        if (v[k] != NULL && l[k] == 0) {
            free(v[k]);
            v[k] = NULL;
        }
    }
    h->id = v[0];
    h->lang = v[1];
    h->title = v[2];
    h->date = v[3];
    h->issuer = v[4];
    h->docno = v[5];
    h->pair = v[6];
    *body = v[7];
    *blen = l[7];
    *done = 1;
    return ZC_OK;
}

/* The text a snippet is made from: the stored document's body, or its
 * title (from the hit) when it has none.  *out: returns new; free with
 * free(). */
static zc_status snippet_source(zc_xap_mset *ms, size_t i, const char *title, char **out,
                                size_t *len_out, zc_error *err)
{
    *out = NULL;
    *len_out = 0;
    char *data = NULL;
    size_t dlen = 0;
    zc_status st = hit_doc(ms, i, &data, &dlen, err);
    if (st != ZC_OK)
        return st;
    char *body = NULL;
    size_t blen = 0;
    int r = json_top_string(data, dlen, "body", &body, &blen);
    if (r == -1) {
        /* not what the scanner expects: let jansson read it */
        json_t *doc = json_loadb(data, dlen, 0, NULL);
        json_t *b = json_object_get(doc, "body");
        if (json_is_string(b)) {
            body = dup_n(json_string_value(b), json_string_length(b));
            blen = json_string_length(b);
            r = body ? 1 : -2;
        } else {
            r = 0;
        }
        json_decref(doc);
    }
    free(data);
    if (r == -2)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (r == 1 && blen > 0) {
        *out = body;
        *len_out = blen;
        return ZC_OK;
    }
    free(body);
    body = dup_n(title ? title : "", title ? strlen(title) : 0);
    if (body == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    *out = body;
    *len_out = strlen(body);
    return ZC_OK;
}

/* Hit i's fields from its hit value (or, for an index written without
 * one, its stored document) into h. */
static zc_status hit_from_value(zc_xap_mset *ms, size_t i, uint32_t docid, zc_hit *h,
                                int *oom, zc_error *err)
{
    char *val = NULL;
    size_t vlen = 0;
    zc_status st = zc_xap_mset_hit_value(ms, i, ZC_SLOT_HIT, &val, &vlen, err);
    if (st != ZC_OK)
        return st;
    json_t *hj = vlen ? json_loadb(val, vlen, 0, NULL) : NULL;
    free(val);
    if (hj == NULL) {
        /* No hit value (an index written otherwise): the stored document
         * has the same fields. */
        char *data = NULL;
        size_t dlen = 0;
        st = hit_doc(ms, i, &data, &dlen, err);
        if (st != ZC_OK)
            return st;
        hj = json_loadb(data, dlen, 0, NULL);
        free(data);
        if (hj == NULL)
            return zc_error_set(err, ZC_ECORRUPT, NULL,
                                "document %u has neither hit fields nor readable data",
                                (unsigned)docid);
    }
    h->id = json_str_dup(hj, "id", oom);
    h->lang = json_str_dup(hj, "lang", oom);
    h->title = json_str_dup(hj, "title", oom);
    h->date = json_str_dup(hj, "date", oom);
    h->issuer = json_str_dup(hj, "issuer", oom);
    h->docno = json_str_dup(hj, "docno", oom);
    h->pair = json_str_dup(hj, "pair", oom);
    json_decref(hj);
    return ZC_OK;
}

/* Reads hit i of ms into h. */
static zc_status read_hit(zc_index *idx, zc_xap_mset *ms, size_t i, const zc_hl *hl,
                          int want_snippet, zc_hit *h, zc_error *err)
{
    uint32_t docid = 0;
    double w = 0;
    zc_status st = zc_xap_mset_hit(ms, i, &docid, &w, err);
    if (st != ZC_OK)
        return st;
    h->score = w;
    char *body = NULL;
    size_t blen = 0;
    int done = 0, oom = 0;
    if (want_snippet) {
        st = hit_from_data(ms, i, h, &body, &blen, &done, err);
        if (st != ZC_OK)
            return st;
    }
    if (!done && (st = hit_from_value(ms, i, docid, h, &oom, err)) != ZC_OK)
        return st;
    /* id, lang and title are always in a reply, empty if ever missing. */
    if (!oom && h->id == NULL && (h->id = dup_n("", 0)) == NULL)
        oom = 1;
    if (!oom && h->lang == NULL && (h->lang = dup_n("", 0)) == NULL)
        oom = 1;
    if (!oom && h->title == NULL && (h->title = dup_n("", 0)) == NULL)
        oom = 1;
    if (oom) {
        free(body);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    if (want_snippet) {
        char *src = NULL;
        size_t slen = 0;
        if (done && blen > 0) {
            src = body;
            slen = blen;
        } else if (done) {
            /* no body: the title, as snippet_source does */
            free(body);
            src = dup_n(h->title, strlen(h->title));
            slen = strlen(h->title);
            if (src == NULL)
                return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        } else {
            st = snippet_source(ms, i, h->title, &src, &slen, err);
            if (st != ZC_OK)
                return st;
        }
        char *snip = NULL;
        zc_analyzer *seg = NULL;
        st = zc_index_get_snippet_analyzer(idx, &seg, err);
        if (st == ZC_OK)
            st = zc_snippet_make(idx->an, seg, hl, src ? src : "", slen, ZC_SNIPPET_CHARS,
                                 &snip, NULL, err);
        free(src);
        if (st != ZC_OK)
            return st;
        h->snippet = snip;
    }
    return ZC_OK;
}

/* ---- spelling suggestions ------------------------------------------------ */

/* A query word found in at most this many documents is checked ... */
#define SPELL_RARE_DOCS 2
/* ... and replaced by Xapian's suggestion when that is found in this many
 * times more documents (at least one). */
#define SPELL_GAIN 10
#define SPELL_MAX_EDITS 2

/* The query text with its rare English words replaced by their spelling
 * suggestions, or NULL (*out) when nothing changes.  Best effort: a failed
 * lookup only means no suggestion; only running out of memory is an
 * error.  *out: returns new; free with free(). */
static zc_status suggest(zc_index *idx, const char *q, size_t qlen, const zc_query_word *w,
                         size_t n, char **out, zc_error *err)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t freq = 0, sfreq = 0;
        if (w[i].start < last || w[i].start + w[i].len > qlen)
            continue;
        if (zc_xap_db_term_freq(idx->db, w[i].term, w[i].term_len, &freq, NULL) != ZC_OK ||
            freq > SPELL_RARE_DOCS)
            continue;
        char *sg = NULL;
        size_t sl = 0;
        zc_error e2;
        zc_status st = zc_xap_db_spelling_suggestion(idx->db, w[i].term, w[i].term_len,
                                                     SPELL_MAX_EDITS, &sg, &sl, &e2);
        if (st == ZC_ENOMEM) {
            free(buf);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
        if (st != ZC_OK || sl == 0 || (sl == w[i].term_len && memcmp(sg, w[i].term, sl) == 0) ||
            zc_xap_db_term_freq(idx->db, sg, sl, &sfreq, NULL) != ZC_OK ||
            sfreq < (freq > 0 ? freq * SPELL_GAIN : 1)) {
            free(sg);
            continue;
        }
        size_t need = len + (w[i].start - last) + sl + 1;
        if (need > cap) {
            size_t nc = cap ? cap * 2 : qlen + 64;
            while (nc < need)
                nc *= 2;
            char *nb = realloc(buf, nc);
            if (nb == NULL) {
                free(sg);
                free(buf);
                return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
            }
            buf = nb;
            cap = nc;
        }
        memcpy(buf + len, q + last, w[i].start - last);
        len += w[i].start - last;
        memcpy(buf + len, sg, sl);
        len += sl;
        last = w[i].start + w[i].len;
        free(sg);
    }
    if (buf == NULL)
        return ZC_OK;
    char *nb = realloc(buf, len + (qlen - last) + 1);
    if (nb == NULL) {
        free(buf);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    memcpy(nb + len, q + last, qlen - last);
    len += qlen - last;
    nb[len] = '\0';
    *out = nb;
    return ZC_OK;
}

/* The rescoring window: the best SEARCH_RESCORE_N hits of the cheap query
 * (zc_query_build_split's *first) are reweighted by the whole query (its
 * proximity boosts over CJK terms) and take that order; the hits below keep
 * the cheap query's order, as Elasticsearch's rescore window does.  One
 * ranking whatever the page, and the boosts' position lists are read for
 * 100 documents instead of every match (docs/benchmarks.md). */
#define SEARCH_RESCORE_N 100u

/* Hit i's unique id term (zc_index_id_term) into buf (ZC_TERM_MAX_BYTES + 1
 * bytes), *len its length: from the hit value's id, or the stored
 * document's for an index written without one.  ZC_ECORRUPT when neither
 * holds an id. */
static zc_status hit_id_term(zc_xap_mset *ms, size_t i, char *buf, size_t *len, zc_error *err)
{
    char *val = NULL;
    size_t vlen = 0;
    *len = 0;
    zc_status st = zc_xap_mset_hit_value(ms, i, ZC_SLOT_HIT, &val, &vlen, err);
    if (st != ZC_OK)
        return st;
    json_t *hj = vlen ? json_loadb(val, vlen, 0, NULL) : NULL;
    free(val);
    if (!json_is_string(json_object_get(hj, "id"))) {
        json_decref(hj);
        if ((st = hit_doc(ms, i, &val, &vlen, err)) != ZC_OK)
            return st;
        hj = json_loadb(val, vlen, 0, NULL);
        free(val);
    }
    json_t *id = json_object_get(hj, "id");
    if (json_is_string(id) && json_string_length(id) > 0)
        *len = zc_index_id_term(json_string_value(id), json_string_length(id), buf);
    json_decref(hj);
    if (*len == 0)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "hit %zu has no document id", i);
    return ZC_OK;
}

/* Reweights the first n hits of ms by q (restricted to them by their
 * unique id terms, which mean the same documents over one database, a
 * set of shards or a remote one: never by docid): *out gets them in q's
 * order (fewer if some went away meanwhile).  Returns new; free with
 * zc_xap_mset_free. */
static zc_status rescore(zc_index *idx, const zc_xap_search_params *base,
                         const zc_xap_query *q, zc_xap_mset *ms, size_t n,
                         const zc_search_opts *o, zc_xap_mset **out, zc_error *err)
{
    *out = NULL;
    char(*terms)[ZC_TERM_MAX_BYTES + 1] = malloc(n * sizeof *terms);
    const char *tp[SEARCH_RESCORE_N];
    size_t tl[SEARCH_RESCORE_N];
    if (terms == NULL && n > 0)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        zc_status st = hit_id_term(ms, i, terms[i], &tl[i], err);
        if (st != ZC_OK) {
            free(terms);
            return st;
        }
        tp[i] = terms[i];
    }
    zc_xap_query *only = NULL;
    zc_status st = zc_xap_query_only_terms(q, tp, tl, n, &only, err);
    free(terms);
    if (st != ZC_OK)
        return st;
    zc_xap_search_params sp = *base;
    sp.query = only;
    sp.offset = 0;
    sp.limit = (uint32_t)n;
    sp.check_at_least = 0;
    sp.facet_slots = NULL;
    sp.n_facet_slots = 0;
    int timed_out = 0;
    st = zc_xap_search(idx->db, &sp, out, &timed_out, err);
    zc_xap_query_free(only);
    if (st == ZC_OK && timed_out) {
        zc_xap_mset_free(*out);
        *out = NULL;
        st = zc_error_set(err, ZC_ETIMEOUT, NULL, "query ran past its time limit of %g s",
                          o->time_limit_s);
    }
    return st;
}

/* Whether the absolute now_ms() deadline (0 = none) has passed.  Xapian
 * checks its own time limit only inside its match loop; building the
 * query, reading hits and snippets, facets and suggestions are checked
 * here, between their steps. */
static int past(double deadline_ms)
{
    return deadline_ms > 0 && now_ms() > deadline_ms;
}

static zc_status timeout_error(const zc_search_opts *o, zc_error *err)
{
    return zc_error_set(err, ZC_ETIMEOUT, NULL, "query ran past its time limit of %g s",
                        o->time_limit_s);
}

/* One attempt: runs the query and reads everything into a new zc_results.
 * q: the whole query; first: the same without its rescoring boosts, or
 * NULL (see zc_query_build_split). */
static zc_status run_search(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                            const zc_xap_query *first, const zc_hl *hl, double deadline_ms,
                            zc_results **out, zc_error *err)
{
    *out = NULL;
    unsigned slots[N_FACETS];
    size_t n_slots = 0, slot_of[N_FACETS];
    for (size_t k = 0; k < N_FACETS; k++)
        if (o->facets & facet_defs[k].bit) {
            slot_of[k] = n_slots;
            slots[n_slots++] = facet_defs[k].slot;
        }

    /* Relevance: rank by first, rescore the top.  Sorted by date, the
     * boosts change nothing: first alone. */
    int two_pass = first != NULL && o->sort == ZC_SORT_RELEVANCE;
    zc_xap_search_params sp = {0};
    sp.query = first != NULL && (two_pass || o->sort != ZC_SORT_RELEVANCE) ? first : q;
    if (o->match_any) {
        sp.bm25_k1 = SEARCH_ANY_BM25_K1;
        sp.bm25_b = SEARCH_ANY_BM25_B;
    }
    sp.offset = o->offset;
    /* offset + limit stays within Xapian's 32-bit document counts: a page
     * past the last possible document is empty, never a wrapped one. */
    sp.limit = o->limit > UINT32_MAX - o->offset ? UINT32_MAX - o->offset : o->limit;
    if (two_pass) {
        uint64_t end = (uint64_t)o->offset + o->limit;
        if (end > UINT32_MAX)
            end = UINT32_MAX;
        sp.offset = 0;
        sp.limit = (uint32_t)(end > SEARCH_RESCORE_N ? end : SEARCH_RESCORE_N);
    }
    sp.time_limit_s = o->time_limit_s;
    sp.facet_slots = n_slots ? slots : NULL;
    sp.n_facet_slots = n_slots;
    sp.sort_slot = -1;
    if (o->sort == ZC_SORT_DATE_DESC) {
        /* Undated documents have no value: the lowest, so last. */
        sp.sort_slot = ZC_SLOT_DATE;
        sp.sort_descending = 1;
    } else if (o->sort == ZC_SORT_DATE_ASC) {
        /* Undated documents hold "~", above every digit: last. */
        sp.sort_slot = ZC_SLOT_DATE_ASC;
        sp.sort_descending = 0;
    }
    zc_status st;
    if (n_slots > 0) {
        /* Facets count the whole match set: look at every match. */
        uint64_t docs = 0;
        st = zc_xap_db_doc_count(idx->db, &docs, err);
        if (st != ZC_OK)
            return st;
        sp.check_at_least = docs > UINT32_MAX ? UINT32_MAX : (uint32_t)docs;
    }

    zc_xap_mset *ms = NULL, *top = NULL;
    int timed_out = 0;
    st = zc_xap_search(idx->db, &sp, &ms, &timed_out, err);
    if (st != ZC_OK)
        return st;
    if (timed_out) {
        zc_xap_mset_free(ms);
        return zc_error_set(err, ZC_ETIMEOUT, NULL, "query ran past its time limit of %g s",
                            o->time_limit_s);
    }
    /* The page is hits [from, to) of the ranking: ms's (one pass; Xapian
     * applied the offset), or top's n_re hits followed by ms's from n_top
     * on (two passes; a page wholly below the window reads ms alone). */
    size_t n_ms = zc_xap_mset_size(ms), n_top = 0, n_re = 0, from = 0, to = n_ms;
    if (two_pass) {
        n_top = n_ms < SEARCH_RESCORE_N ? n_ms : SEARCH_RESCORE_N;
        size_t ranked = n_ms;
        if (n_top > 0 && o->offset < n_top) {
            st = rescore(idx, &sp, q, ms, n_top, o, &top, err);
            if (st != ZC_OK) {
                zc_xap_mset_free(ms);
                return st;
            }
            n_re = zc_xap_mset_size(top);
            ranked = n_re + (n_ms - n_top);
        }
        from = o->offset < ranked ? o->offset : ranked;
        to = ranked - from > o->limit ? from + o->limit : ranked;
    }

    zc_results *r = calloc(1, sizeof *r);
    if (r == NULL) {
        zc_xap_mset_free(ms);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    r->facets = o->facets;
    uint64_t lo = zc_xap_mset_lower_bound(ms), hi = zc_xap_mset_upper_bound(ms);
    r->exact = lo == hi;
    r->total = r->exact ? lo : zc_xap_mset_estimated(ms);

    size_t n = to - from;
    if (n > 0) {
        r->hits = calloc(n, sizeof *r->hits);
        if (r->hits == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = from + i;
        r->n_hits = i + 1;
        if (past(deadline_ms)) {
            st = timeout_error(o, err);
            goto fail;
        }
        if (top != NULL && k < n_re)
            st = read_hit(idx, top, k, hl, o->snippet, &r->hits[i], err);
        else
            st = read_hit(idx, ms, top != NULL ? k - n_re + n_top : k, hl, o->snippet,
                          &r->hits[i], err);
        if (st != ZC_OK)
            goto fail;
    }
    for (size_t k = 0; k < N_FACETS; k++) {
        if (!(o->facets & facet_defs[k].bit))
            continue;
        size_t nv = zc_xap_mset_facet_size(ms, slot_of[k]);
        if (nv > o->facet_limit)
            nv = o->facet_limit;
        if (nv == 0)
            continue;
        r->fv[k] = calloc(nv, sizeof *r->fv[k]);
        if (r->fv[k] == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        for (size_t j = 0; j < nv; j++) {
            const char *v = NULL;
            size_t vl = 0;
            uint64_t count = 0;
            st = zc_xap_mset_facet_value(ms, slot_of[k], j, &v, &vl, &count, err);
            if (st != ZC_OK)
                goto fail;
            char *copy = dup_n(v ? v : "", v ? vl : 0);
            if (copy == NULL) {
                st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
                goto fail;
            }
            r->fv[k][j].value = copy;
            r->fv[k][j].count = count;
            r->n_fv[k] = j + 1;
        }
    }
    zc_xap_mset_free(ms);
    zc_xap_mset_free(top);
    *out = r;
    return ZC_OK;
fail:
    zc_xap_mset_free(ms);
    zc_xap_mset_free(top);
    zc_results_free(r);
    return st;
}

ZC_API zc_status zc_search(zc_index *idx, const zc_search_opts *opts, zc_results **out,
                           zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no place for the results");
    *out = NULL;
    if (idx == NULL || opts == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index or no options");
    zc_status st = validate_opts(opts, err);
    if (st != ZC_OK)
        return st;

    zc_xap_query *q = NULL, *first = NULL, *filter = NULL, *final = NULL, *first_final = NULL;
    zc_hl *hl = NULL;
    zc_query_word *words = NULL;
    size_t n_words = 0;
    zc_query_opts qo = {.match_any = opts->match_any != 0};
    zc_analyzer *an = NULL;
    if ((st = zc_index_get_analyzer(idx, &an, err)) != ZC_OK)
        return st;
    /* Timed from here: the index's first analyzer may have just loaded the
     * dictionary (once per process), which is not this search's time. */
    double t0 = now_ms();
    st = zc_query_build_split(an, opts->q, opts->q_len, &qo, &q, &first,
                              opts->snippet ? &hl : NULL, &words, &n_words, err);
    if (st != ZC_OK)
        return st;
    st = build_filter(opts, &filter, err);
    if (st != ZC_OK)
        goto done;
    if (filter != NULL) {
        zc_xap_query *pair[2] = {q, filter};
        st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &final, err);
        if (st == ZC_OK && first != NULL) {
            pair[0] = first;
            st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &first_final, err);
        }
        if (st != ZC_OK)
            goto done;
    }

    zc_results *r = NULL;
    const zc_xap_query *whole = final ? final : q, *cheap = first_final ? first_final : first;
    double deadline = opts->time_limit_s > 0 ? t0 + opts->time_limit_s * 1000.0 : 0;
    st = past(deadline) ? timeout_error(opts, err) : ZC_OK;
    if (st == ZC_OK)
        st = run_search(idx, opts, whole, cheap, hl, deadline, &r, err);
    if (st == ZC_EMODIFIED) {
        /* The revision we read was overwritten under us: move to the
         * newest one and try once more. */
        st = zc_index_reopen(idx, NULL, err);
        if (st == ZC_OK)
            st = run_search(idx, opts, whole, cheap, hl, deadline, &r, err);
    }
    if (st == ZC_OK && n_words > 0 && past(deadline)) {
        zc_results_free(r);
        r = NULL;
        st = timeout_error(opts, err);
    }
    if (st == ZC_OK && n_words > 0) {
        st = suggest(idx, opts->q, opts->q_len, words, n_words, &r->suggest, err);
        if (st != ZC_OK) {
            zc_results_free(r);
            r = NULL;
        }
    }
    if (st == ZC_OK) {
        r->took_ms = now_ms() - t0;
        *out = r;
    }
done:
    free(words);
    zc_xap_query_free(q);
    zc_xap_query_free(first);
    zc_xap_query_free(filter);
    zc_xap_query_free(final);
    zc_xap_query_free(first_final);
    zc_hl_free(hl);
    return st;
}

/* ---- the reply JSON ------------------------------------------------------
 * Written straight into one growing buffer: building a jansson tree of
 * every hit and dumping it twice (size, then text) took 5% of the daemon's
 * CPU on the benchmark's query mix.  The text is byte for byte what json_dumpb gives
 * with JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)
 * (test_reply_is_janssons checks it): keys in insertion order, strings
 * UTF-8 as they are with only " \\ and control characters escaped, reals
 * as %.10g with ".0" added to an integral value and the exponent without
 * '+' or leading zeros.  A string that is not valid UTF-8 (cannot come
 * from a validated index) is written "" as jansson would refuse it. */

static void jb_str(zc_strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (!zc_norm_valid_utf8(s, n, NULL))
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
static void jb_kv_str(zc_strbuf *b, const char *key, const char *s, int first)
{
    if (s == NULL)
        return;
    if (!first)
        zc_strbuf_put(b, ",", 1);
    jb_str(b, key);
    zc_strbuf_put(b, ":", 1);
    jb_str(b, s);
}

static void jb_int(zc_strbuf *b, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%lld", v);
    zc_strbuf_put(b, t, (size_t)n);
}

/* jansson's jsonp_dtostr with precision 10 (the C locale's '.'). */
static void jb_real(zc_strbuf *b, double v)
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
    jb_int(&b, (long long)r->total);
    zc_strbuf_puts(&b, r->exact ? ",\"exact\":true,\"took_ms\":" : ",\"exact\":false,\"took_ms\":");
    jb_real(&b, round(r->took_ms * 1000.0) / 1000.0);
    zc_strbuf_puts(&b, ",\"hits\":[");
    for (size_t i = 0; i < r->n_hits; i++) {
        const zc_hit *h = &r->hits[i];
        zc_strbuf_puts(&b, i ? ",{" : "{");
        jb_kv_str(&b, "id", h->id ? h->id : "", 1);
        zc_strbuf_puts(&b, ",\"score\":");
        jb_real(&b, h->score);
        jb_kv_str(&b, "lang", h->lang ? h->lang : "", 0);
        jb_kv_str(&b, "title", h->title ? h->title : "", 0);
        jb_kv_str(&b, "date", h->date, 0);
        jb_kv_str(&b, "issuer", h->issuer, 0);
        jb_kv_str(&b, "docno", h->docno, 0);
        jb_kv_str(&b, "pair", h->pair, 0);
        jb_kv_str(&b, "snippet", h->snippet, 0);
        zc_strbuf_put(&b, "}", 1);
    }
    zc_strbuf_put(&b, "]", 1);
    if (r->facets) {
        zc_strbuf_puts(&b, ",\"facets\":{");
        int first = 1;
        for (size_t k = 0; k < N_FACETS; k++) {
            if (!(r->facets & facet_defs[k].bit))
                continue;
            if (!first)
                zc_strbuf_put(&b, ",", 1);
            first = 0;
            jb_str(&b, facet_defs[k].name);
            zc_strbuf_puts(&b, ":[");
            for (size_t j = 0; j < r->n_fv[k]; j++) {
                zc_strbuf_put(&b, j ? ",{" : "{", j ? 2 : 1);
                jb_kv_str(&b, "value", r->fv[k][j].value, 1);
                zc_strbuf_puts(&b, r->fv[k][j].value ? ",\"count\":" : "\"count\":");
                jb_int(&b, (long long)r->fv[k][j].count);
                zc_strbuf_put(&b, "}", 1);
            }
            zc_strbuf_put(&b, "]", 1);
        }
        zc_strbuf_put(&b, "}", 1);
    }
    jb_kv_str(&b, "suggest", r->suggest, 0);
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
