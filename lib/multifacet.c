/* multifacet.c — levels, bodies and tags in the index, and the facets,
 * filters and prior over them (multifacet.h). */
#include "lib/multifacet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/utf8.h"
#include "lib/authority.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/schema.h"
#include "lib/term.h"

/* Kinds of list entries: their first byte. */
#define ENTRY_BODY 'b'
#define ENTRY_TAG 't'
#define ENTRY_SEP '\n'

/* "level/tier" or "level" into buf (room for 32 bytes); returns its length. */
static size_t level_value(zc_level l, zc_tier t, char *buf)
{
    const char *tier = zc_authority_tier_name(t);
    int n = snprintf(buf, 32, tier[0] ? "%s/%s" : "%s%s", zc_authority_level_name(l), tier);
    return n > 0 && n < 32 ? (size_t)n : 0;
}

/* ---- index time ------------------------------------------------------------- */

static zc_status add_bool(zc_xap_doc *doc, const char *pfx, const char *text, size_t len,
                          zc_error *err)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t pl = strlen(pfx);
    size_t n = zc_term_put(term, pfx, pl, text, len);
    if (n == pl)
        return ZC_OK; /* nothing left: no term */
    return zc_xap_doc_add_boolean_term(doc, term, n, err);
}

static zc_status add_level(zc_xap_doc *doc, const zc_doc *d, zc_error *err)
{
    zc_authority a = zc_authority_classify(d->issuer.ptr, d->issuer.len, d->title.ptr, d->title.len,
                                           d->docno.ptr, d->docno.len, d->lang.ptr, d->lang.len);
    const char *ln = zc_authority_level_name(a.level), *tn = zc_authority_tier_name(a.tier);
    char v[32];
    size_t vl = level_value(a.level, a.tier, v);
    zc_status st = add_bool(doc, ZC_PFX_LEVEL, ln, strlen(ln), err);
    if (st == ZC_OK && tn[0] != '\0')
        st = add_bool(doc, ZC_PFX_LEVEL, tn, strlen(tn), err);
    if (st == ZC_OK && vl > 0)
        st = zc_xap_doc_add_value(doc, ZC_SLOT_LEVEL, v, vl, err);
    return st;
}

/* The entries of the list value being built. */
typedef struct entries {
    char **v;
    size_t n, cap;
} entries;

static void entries_free(entries *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
}

/* Adds kind + text[0, len) (trimmed, control characters made spaces, cut
 * on a UTF-8 boundary) unless nothing is left.  -1 when out of memory. */
static int entry_add(entries *e, char kind, const char *text, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && (unsigned char)text[a] <= ' ')
        a++;
    while (b > a && (unsigned char)text[b - 1] <= ' ')
        b--;
    size_t n = zc_utf8_cut(text + a, b - a, ZC_TERM_MAX_BYTES);
    if (n == 0)
        return 0;
    char *s = malloc(n + 2);
    if (s == NULL || zc_grow(&e->v, &e->cap, e->n + 1, sizeof *e->v, 8) != 0) {
        free(s);
        return -1;
    }
    s[0] = kind;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[a + i];
        s[i + 1] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    s[n + 1] = '\0';
    e->v[e->n++] = s;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bodies' terms and list entries. */
static zc_status add_bodies(zc_xap_doc *doc, const zc_doc *d, entries *e, zc_error *err)
{
    size_t pos = 0, bs = 0, bl = 0;
    while (zc_authority_next_body(d->issuer.ptr, d->issuer.len, &pos, &bs, &bl)) {
        char *norm = NULL;
        size_t nl = 0;
        zc_status st = zc_norm_string(d->issuer.ptr + bs, bl, &norm, &nl, err);
        if (st != ZC_OK)
            return st;
        st = add_bool(doc, ZC_PFX_BODY, norm, nl, err);
        free(norm);
        if (st != ZC_OK)
            return st;
        if (entry_add(e, ENTRY_BODY, d->issuer.ptr + bs, bl) != 0)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    return ZC_OK;
}

/* The list value: distinct entries, sorted, while they fit. */
static zc_status add_list(zc_xap_doc *doc, entries *e, zc_error *err)
{
    if (e->n == 0)
        return ZC_OK;
    qsort(e->v, e->n, sizeof *e->v, cmp_str);
    char *buf = malloc(ZC_FACET_LIST_MAX_BYTES);
    if (buf == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t len = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (i > 0 && strcmp(e->v[i], e->v[i - 1]) == 0)
            continue;
        size_t n = strlen(e->v[i]);
        if (len + (len > 0) + n > ZC_FACET_LIST_MAX_BYTES)
            break;
        if (len > 0)
            buf[len++] = ENTRY_SEP;
        memcpy(buf + len, e->v[i], n);
        len += n;
    }
    zc_status st = zc_xap_doc_add_value(doc, ZC_SLOT_LISTS, buf, len, err);
    free(buf);
    return st;
}

zc_status zc_multifacet_add(zc_xap_doc *doc, const zc_doc *d, zc_error *err)
{
    entries e = {0};
    zc_status st = add_level(doc, d, err);
    if (st == ZC_OK && d->issuer.ptr != NULL)
        st = add_bodies(doc, d, &e, err);
    for (size_t i = 0; st == ZC_OK && i < d->n_tags; i++)
        if (d->tags[i].ptr != NULL && entry_add(&e, ENTRY_TAG, d->tags[i].ptr, d->tags[i].len) != 0)
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (st == ZC_OK)
        st = add_list(doc, &e, err);
    entries_free(&e);
    return st;
}

/* ---- filters ------------------------------------------------------------------ */

static void free_all(zc_xap_query **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zc_xap_query_free(v[i]);
}

/* The OR of pfx + each entry of v[0, n) (normalized when norm is set), into
 * *out (NULL when n is 0). */
static zc_status any_of(const char *name, const char *pfx, const char *const *v, size_t n, int norm,
                        zc_xap_query **out, zc_error *err)
{
    *out = NULL;
    if (n == 0)
        return ZC_OK;
    zc_xap_query **q = calloc(n, sizeof *q);
    if (q == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    zc_status st = ZC_OK;
    size_t k = 0;
    for (; k < n && st == ZC_OK; k++) {
        const char *s = v[k] ? v[k] : "";
        char *ns = NULL;
        size_t nl = strlen(s);
        if (norm) {
            st = zc_norm_string(s, nl, &ns, &nl, err);
            if (st == ZC_EINVAL)
                st = zc_error_set(err, ZC_EINVAL, name, "option \"%s\" is not valid UTF-8", name);
            if (st != ZC_OK)
                break;
            s = ns;
        }
        char term[ZC_TERM_MAX_BYTES + 1];
        size_t tl = zc_term_put(term, pfx, strlen(pfx), s, nl);
        st = zc_xap_query_term(term, tl, 1, 0, &q[k], err);
        free(ns);
    }
    if (st == ZC_OK)
        st = n == 1 ? ZC_OK : zc_xap_query_combine(ZC_XAP_OP_OR, q, n, 0, out, err);
    if (st == ZC_OK && n == 1) {
        *out = q[0];
        q[0] = NULL;
    }
    free_all(q, n);
    free(q);
    return st;
}

zc_status zc_multifacet_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err)
{
    *out = NULL;
    zc_status st = zc_search_check_levels(o, err);
    if (st != ZC_OK)
        return st;
    zc_xap_query *parts[4] = {0};
    size_t np = 0;
    struct {
        const char *name, *pfx;
        const char *const *v;
        size_t n;
        int norm;
    } lists[] = {{"level", ZC_PFX_LEVEL, o->levels, o->n_levels, 0},
                 {"tier", ZC_PFX_LEVEL, o->tiers, o->n_tiers, 0},
                 {"issued_by", ZC_PFX_BODY, o->issued_by, o->n_issued_by, 1},
                 {"tags", ZC_PFX_TAG, o->tags, o->n_tags, 1}};
    for (size_t i = 0; i < 4 && st == ZC_OK; i++) {
        zc_xap_query *q = NULL;
        st = any_of(lists[i].name, lists[i].pfx, lists[i].v, lists[i].v ? lists[i].n : 0,
                    lists[i].norm, &q, err);
        if (q != NULL)
            parts[np++] = q;
    }
    if (st == ZC_OK && np == 1) {
        *out = parts[0];
        return ZC_OK;
    }
    if (st == ZC_OK && np > 1)
        st = zc_xap_query_combine(ZC_XAP_OP_AND, parts, np, 0, out, err);
    free_all(parts, np);
    return st;
}

/* ---- facet counts ----------------------------------------------------------------- */

typedef struct count_ent {
    const char *s; /* borrowed from the match set's facet values */
    size_t len;
    uint64_t count;
} count_ent;

static int cmp_bytes(const count_ent *a, const count_ent *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static int cmp_value(const void *a, const void *b)
{
    return cmp_bytes(a, b);
}

static int cmp_count(const void *a, const void *b)
{
    const count_ent *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return cmp_bytes(x, y);
}

/* The parts of value v[0, vl) that facet part counts, each handed to add. */
static int split_value(zc_facet_part part, const char *v, size_t vl, count_ent **ents, size_t *n,
                       size_t *cap, uint64_t count)
{
    size_t a = 0;
    while (a <= vl) {
        const char *s = v + a, *e;
        size_t len;
        if (part == ZC_PART_LEVEL || part == ZC_PART_TIER) {
            /* "level/tier" or "level": one part each */
            const char *slash = memchr(v, '/', vl);
            if (part == ZC_PART_LEVEL) {
                s = v;
                len = slash ? (size_t)(slash - v) : vl;
            } else {
                if (slash == NULL)
                    return 0;
                s = slash + 1;
                len = vl - (size_t)(s - v);
            }
            a = vl + 1;
        } else {
            e = memchr(s, ENTRY_SEP, vl - a);
            len = e ? (size_t)(e - s) : vl - a;
            a += len + 1;
            char want = part == ZC_PART_BODY ? ENTRY_BODY : ENTRY_TAG;
            if (len < 2 || s[0] != want)
                continue;
            s++;
            len--;
        }
        if (len == 0)
            continue;
        if (zc_grow(ents, cap, *n + 1, sizeof **ents, 64) != 0)
            return -1;
        (*ents)[(*n)++] = (count_ent){s, len, count};
    }
    return 0;
}

zc_status zc_multifacet_count(const zc_xap_mset *ms, size_t k, zc_facet_part part, size_t limit,
                              zc_facet_value **out, size_t *n_out, zc_error *err)
{
    *out = NULL;
    *n_out = 0;
    count_ent *ents = NULL;
    size_t n = 0, cap = 0;
    size_t nv = zc_xap_mset_facet_size(ms, k);
    for (size_t j = 0; j < nv; j++) {
        const char *v = NULL;
        size_t vl = 0;
        uint64_t count = 0;
        zc_status st = zc_xap_mset_facet_value(ms, k, j, &v, &vl, &count, err);
        if (st != ZC_OK) {
            free(ents);
            return st;
        }
        if (v != NULL && split_value(part, v, vl, &ents, &n, &cap, count) != 0) {
            free(ents);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
    }
    /* Sum the counts of equal parts, then most frequent first. */
    size_t m = 0;
    if (n > 0) {
        qsort(ents, n, sizeof *ents, cmp_value);
        for (size_t i = 1; i < n; i++) {
            if (cmp_bytes(&ents[i], &ents[m]) == 0)
                ents[m].count += ents[i].count;
            else
                ents[++m] = ents[i];
        }
        m++;
        qsort(ents, m, sizeof *ents, cmp_count);
    }
    if (m > limit)
        m = limit;
    zc_facet_value *fv = m ? calloc(m, sizeof *fv) : NULL;
    if (m > 0 && fv == NULL) {
        free(ents);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        char *s = malloc(ents[i].len + 1);
        if (s == NULL) {
            for (size_t j = 0; j < i; j++)
                free((char *)fv[j].value);
            free(fv);
            free(ents);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
        memcpy(s, ents[i].s, ents[i].len);
        s[ents[i].len] = '\0';
        fv[i].value = s;
        fv[i].count = ents[i].count;
    }
    free(ents);
    *out = fv;
    *n_out = m;
    return ZC_OK;
}

/* ---- the prior ----------------------------------------------------------------------- */

zc_status zc_multifacet_prior(double scale, zc_xap_query **out, zc_error *err)
{
    enum { N = ZC_LEVEL_COUNT * ZC_TIER_COUNT };
    char keys[N][32];
    const char *kp[N];
    size_t kl[N];
    double w[N];
    size_t n = 0;
    for (int l = 0; l < ZC_LEVEL_COUNT; l++)
        for (int t = 0; t < ZC_TIER_COUNT; t++) {
            kl[n] = level_value((zc_level)l, (zc_tier)t, keys[n]);
            kp[n] = keys[n];
            w[n] = scale * zc_authority_prior((zc_level)l, (zc_tier)t);
            n++;
        }
    return zc_xap_query_value_map(ZC_SLOT_LEVEL, kp, kl, w, n, 0.0, out, err);
}
