/* versions.c — see versions.h. */
#include "lib/versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "lib/docgroup.h"
#include "lib/schema.h"
#include "lib/search_results.h"
#include "lib/search_stored.h"

#define KEY_LEN ZC_DOCGROUP_KEY_CHARS

static zc_status oom(zc_error *err)
{
    return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
}

/* ---- one member of a group ----------------------------------------------- */

typedef struct member {
    char key[KEY_LEN + 1];
    char *id;              /* owned, NUL-terminated */
    char *date;            /* owned; NULL when undated */
    char *stamp;           /* owned (ZC_SLOT_GROUP_STAMP) */
    size_t stamp_len;
    char **extra;          /* owned: the look-up's extra slots' values */
    size_t *extra_len;
    zc_hitref ref;         /* in the look-up's match set */
    double weight;         /* its score for the look-up's query */
} member;

/* The members of some groups, from one look-up, sorted by key and then in
 * preference order. */
typedef struct member_set {
    zc_xap_mset *ms;       /* owned */
    member *m;
    size_t n, cap;
    size_t n_extra;
} member_set;

static void member_set_free(member_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->m[i].id);
        free(s->m[i].date);
        free(s->m[i].stamp);
        for (size_t k = 0; s->m[i].extra != NULL && k < s->n_extra; k++)
            free(s->m[i].extra[k]);
        free(s->m[i].extra);
        free(s->m[i].extra_len);
    }
    free(s->m);
    zc_xap_mset_free(s->ms);
    memset(s, 0, sizeof *s);
}

/* Compares two stamps' heads (date, document number, length), bytewise,
 * a shorter head below a longer one it begins. */
static int stamp_head_cmp(const void *a, size_t a_len, const void *b, size_t b_len)
{
    size_t la = a_len < ZC_DOCGROUP_STAMP_HEAD ? a_len : ZC_DOCGROUP_STAMP_HEAD;
    size_t lb = b_len < ZC_DOCGROUP_STAMP_HEAD ? b_len : ZC_DOCGROUP_STAMP_HEAD;
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c == 0 && la != lb)
        c = la < lb ? -1 : 1;
    return c;
}

/* The preference order: the stamp's head (date, document number, length)
 * highest first, then the smaller id. */
static int prefer_cmp(const member *a, const member *b)
{
    int c = stamp_head_cmp(a->stamp, a->stamp_len, b->stamp, b->stamp_len);
    if (c != 0)
        return -c;
    return strcmp(a->id, b->id);
}

static int member_cmp(const void *pa, const void *pb)
{
    const member *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c != 0 ? c : prefer_cmp(a, b);
}

/* Whether a and b are the same text (versions.h: duplicates). */
static int same_text(const member *a, const member *b)
{
    double r = zc_docgroup_resemblance(a->stamp, a->stamp_len, b->stamp, b->stamp_len);
    if (r < ZC_VERSIONS_DUP_RESEMBLANCE)
        return 0;
    long d = zc_docgroup_days_apart(a->stamp, a->stamp_len, b->stamp, b->stamp_len);
    if (d >= 0)
        return d <= ZC_VERSIONS_DUP_DAYS;
    int ua = a->stamp_len >= 8 && memcmp(a->stamp, "00000000", 8) == 0;
    int ub = b->stamp_len >= 8 && memcmp(b->stamp, "00000000", 8) == 0;
    return ua && ub;
}

/* The id and date of a hit value (ZC_SLOT_HIT).  *id: returns new, or
 * NULL when the value holds none; *date: returns new or NULL. */
static zc_status hit_id_date(const char *val, size_t len, char **id, char **date,
                             zc_error *err)
{
    static const char *const keys[] = {"id", "date"};
    char *v[2] = {NULL, NULL};
    size_t l[2] = {0, 0};
    zc_error e2;
    *id = *date = NULL;
    zc_status st = zc_stored_fields(val, len, keys, 2, 64, v, l, &e2);
    if (st == ZC_ENOMEM)
        return oom(err);
    if (st != ZC_OK)
        return ZC_OK;
    if (v[0] != NULL && l[0] == 0) {
        free(v[0]);
        v[0] = NULL;
    }
    if (v[1] != NULL && l[1] == 0) {
        free(v[1]);
        v[1] = NULL;
    }
    *id = v[0];
    *date = v[1];
    return ZC_OK;
}

/* A group term's query for key.  *out: returns new. */
static zc_status key_query(const char *key, zc_xap_query **out, zc_error *err)
{
    char term[sizeof ZC_PFX_GROUP + KEY_LEN];
    int n = snprintf(term, sizeof term, "%s%s", ZC_PFX_GROUP, key);
    return zc_xap_query_term(term, (size_t)n, 1, 0, out, err);
}

/* The documents of the groups keys[0..nk) (distinct), or with matching
 * those of them that match it, newest first, at most per_group of each
 * (0: all) and limit in all, with the values of extra[0..n_extra) too,
 * into s (sorted by member_cmp). */
static zc_status lookup(zc_index *idx, const zc_xap_query *matching, char (*keys)[KEY_LEN + 1],
                        size_t nk, unsigned per_group, uint32_t limit, const unsigned *extra,
                        size_t n_extra, member_set *s, zc_error *err)
{
    memset(s, 0, sizeof *s);
    s->n_extra = n_extra;
    if (nk == 0)
        return ZC_OK;
    zc_xap_query **tq = calloc(nk, sizeof *tq);
    if (tq == NULL)
        return oom(err);
    zc_status st = ZC_OK;
    size_t made = 0;
    for (; made < nk && st == ZC_OK; made++)
        st = key_query(keys[made], &tq[made], err);
    zc_xap_query *any = NULL, *q = NULL;
    if (st == ZC_OK)
        st = zc_xap_query_combine(ZC_XAP_OP_OR, tq, nk, 0, &any, err);
    for (size_t i = 0; i < made; i++)
        zc_xap_query_free(tq[i]);
    free(tq);
    if (st == ZC_OK && matching != NULL) {
        zc_xap_query *pair[2] = {(zc_xap_query *)matching, any};
        st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &q, err);
    }
    if (st != ZC_OK) {
        zc_xap_query_free(any);
        return st;
    }
    zc_xap_search_params sp = {0};
    sp.query = q != NULL ? q : any;
    sp.limit = limit;
    sp.sort_slot = ZC_SLOT_GROUP_STAMP;
    sp.sort_descending = 1;
    if (per_group > 0) {
        sp.collapse = 1;
        sp.collapse_slot = ZC_SLOT_GROUP;
        sp.collapse_max = per_group;
    }
    st = zc_xap_search(idx->db, &sp, &s->ms, NULL, err);
    zc_xap_query_free(any);
    zc_xap_query_free(q);
    if (st != ZC_OK)
        return st;

    size_t nh = zc_xap_mset_size(s->ms);
    unsigned slots[3 + ZC_XAP_MAX_FACETS];
    size_t ns = 3 + n_extra;
    slots[0] = ZC_SLOT_HIT;
    slots[1] = ZC_SLOT_GROUP;
    slots[2] = ZC_SLOT_GROUP_STAMP;
    for (size_t k = 0; k < n_extra; k++)
        slots[3 + k] = extra[k];
    for (size_t i = 0; i < nh; i++) {
        char *v[3 + ZC_XAP_MAX_FACETS];
        size_t l[3 + ZC_XAP_MAX_FACETS];
        if ((st = zc_xap_mset_hit_values(s->ms, i, slots, ns, v, l, err)) != ZC_OK)
            return st;
        member m = {0};
        m.ref = (zc_hitref){s->ms, i};
        st = zc_xap_mset_hit(s->ms, i, NULL, &m.weight, err);
        if (st == ZC_OK)
            st = hit_id_date(v[0], l[0], &m.id, &m.date, err);
        int usable = st == ZC_OK && m.id != NULL && l[1] == KEY_LEN;
        if (usable) {
            memcpy(m.key, v[1], KEY_LEN + 1);
            m.stamp = v[2];
            m.stamp_len = l[2];
            v[2] = NULL;
            if (n_extra > 0) {
                m.extra = calloc(n_extra, sizeof *m.extra);
                m.extra_len = calloc(n_extra, sizeof *m.extra_len);
                if (m.extra == NULL || m.extra_len == NULL)
                    st = oom(err);
                for (size_t k = 0; st == ZC_OK && k < n_extra; k++) {
                    m.extra[k] = v[3 + k];
                    m.extra_len[k] = l[3 + k];
                    v[3 + k] = NULL;
                }
            }
        }
        for (size_t k = 0; k < ns; k++)
            free(v[k]);
        if (st == ZC_OK && usable && zc_grow(&s->m, &s->cap, s->n + 1, sizeof *s->m, 16) != 0)
            st = oom(err);
        if (st == ZC_OK && usable) {
            s->m[s->n++] = m;
            continue;
        }
        free(m.id);
        free(m.date);
        free(m.stamp);
        for (size_t k = 0; m.extra != NULL && k < n_extra; k++)
            free(m.extra[k]);
        free(m.extra);
        free(m.extra_len);
        if (st != ZC_OK)
            return st;
    }
    if (s->n > 1)
        qsort(s->m, s->n, sizeof *s->m, member_cmp);
    return ZC_OK;
}

/* Of the n members g (preference order) of a group that match a query,
 * the one shown for it: the first that matches about as well as the best
 * (versions.h, ZC_VERSIONS_TIE). */
static const member *shown_of(const member *g, size_t n)
{
    double best = 0;
    for (size_t j = 0; j < n; j++)
        if (g[j].weight > best)
            best = g[j].weight;
    for (size_t j = 0; j < n; j++)
        if (g[j].weight >= ZC_VERSIONS_TIE * best)
            return &g[j];
    return n ? &g[0] : NULL;
}

/* The members of group key in s: *n of them from the returned one (NULL,
 * 0 when none). */
static const member *group_of(const member_set *s, const char *key, size_t *n)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->m[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < s->n && strcmp(s->m[end].key, key) == 0)
        end++;
    *n = end - lo;
    return *n ? &s->m[lo] : NULL;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* keys[0..*n) sorted, repeats dropped. */
static void unique_keys(char (*keys)[KEY_LEN + 1], size_t *n)
{
    if (*n < 2)
        return;
    qsort(keys, *n, sizeof *keys, key_cmp);
    size_t w = 1;
    for (size_t i = 1; i < *n; i++)
        if (strcmp(keys[i], keys[w - 1]) != 0)
            memcpy(keys[w++], keys[i], KEY_LEN + 1);
    *n = w;
}

/* The frequency of group key's term in idx into *tf. */
static zc_status key_freq(zc_index *idx, const char *key, uint64_t *tf, zc_error *err)
{
    char term[sizeof ZC_PFX_GROUP + KEY_LEN];
    int tl = snprintf(term, sizeof term, "%s%s", ZC_PFX_GROUP, key);
    return zc_xap_db_term_freq(idx->db, term, (size_t)tl, tf, err);
}

zc_status zc_versions_grouped(zc_index *idx, const zc_hitref *hits, size_t n, int *any,
                              zc_error *err)
{
    *any = 0;
    zc_status st = ZC_OK;
    for (size_t k = 0; k < n && st == ZC_OK && !*any; k++) {
        char *v = NULL;
        size_t l = 0;
        uint64_t tf = 0;
        st = zc_xap_mset_hit_value(hits[k].ms, hits[k].i, ZC_SLOT_GROUP, &v, &l, err);
        if (st == ZC_OK && l == KEY_LEN && (st = key_freq(idx, v, &tf, err)) == ZC_OK)
            *any = tf > 1;
        free(v);
    }
    return st;
}

/* ---- the window ------------------------------------------------------------- */

typedef struct win_ent {
    char key[KEY_LEN + 1];
    int has_key;
    size_t pos;
    double weight;
    char *stamp;
    size_t stamp_len;
} win_ent;

static int win_key_cmp(const void *pa, const void *pb)
{
    const win_ent *a = pa, *b = pb;
    if (a->has_key != b->has_key)
        return a->has_key ? -1 : 1;
    int c = strcmp(a->key, b->key);
    if (c != 0)
        return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Preference (stamp head, highest first), then rank. */
static int win_pref_cmp(const void *pa, const void *pb)
{
    const win_ent *a = pa, *b = pb;
    int c = stamp_head_cmp(a->stamp, a->stamp_len, b->stamp, b->stamp_len);
    if (c != 0)
        return -c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

zc_status zc_versions_order(const zc_hitref *win, size_t n, size_t need, size_t *perm,
                            zc_error *err)
{
    for (size_t k = 0; k < n; k++)
        perm[k] = k;
    if (n < 2 || need == 0)
        return ZC_OK;
    if (need > n)
        need = n;
    win_ent *e = calloc(n, sizeof *e);
    if (e == NULL)
        return oom(err);
    /* The hits that may take or leave a rank under need: those scoring at
     * least ZC_VERSIONS_TIE of the hit at rank need - 1 (a tied member
     * scores that much of its group's best, which ranks above it). */
    double floor_w = 0;
    zc_status st = zc_xap_mset_hit(win[need - 1].ms, win[need - 1].i, NULL, &floor_w, err);
    floor_w *= ZC_VERSIONS_TIE;
    size_t used = 0;
    for (size_t k = 0; k < n && st == ZC_OK; k++) {
        char *v = NULL;
        size_t l = 0;
        e[k].pos = k;
        st = zc_xap_mset_hit(win[k].ms, win[k].i, NULL, &e[k].weight, err);
        if (st != ZC_OK || (k >= need && e[k].weight < floor_w))
            break;
        st = zc_xap_mset_hit_value(win[k].ms, win[k].i, ZC_SLOT_GROUP, &v, &l, err);
        if (st == ZC_OK && l == KEY_LEN) {
            memcpy(e[k].key, v, KEY_LEN + 1);
            e[k].has_key = 1;
        }
        free(v);
        used = k + 1;
    }
    n = used;
    if (st == ZC_OK)
        qsort(e, n, sizeof *e, win_key_cmp);
    /* Each run of one key (in rank order): the ranks of the members that
     * match about as well as its best go to them in preference order; the
     * others keep theirs. */
    win_ent tied[ZC_VERSIONS_GROUP_MAX];
    size_t pos[ZC_VERSIONS_GROUP_MAX];
    for (size_t a = 0; st == ZC_OK && a < n && e[a].has_key;) {
        size_t b = a + 1;
        double best = e[a].weight;
        while (b < n && e[b].has_key && strcmp(e[b].key, e[a].key) == 0) {
            if (e[b].weight > best)
                best = e[b].weight;
            b++;
        }
        size_t m = 0;
        for (size_t j = a; j < b && b - a <= ZC_VERSIONS_GROUP_MAX; j++) {
            if (e[j].weight < ZC_VERSIONS_TIE * best)
                continue;
            st = zc_xap_mset_hit_value(win[e[j].pos].ms, win[e[j].pos].i,
                                       ZC_SLOT_GROUP_STAMP, &e[j].stamp, &e[j].stamp_len,
                                       err);
            if (st != ZC_OK)
                break;
            pos[m] = e[j].pos;
            tied[m++] = e[j];
        }
        if (st == ZC_OK && m > 1) {
            qsort(tied, m, sizeof *tied, win_pref_cmp);
            for (size_t j = 0; j < m; j++)
                perm[pos[j]] = tied[j].pos;
        }
        a = b;
    }
    for (size_t k = 0; k < n; k++)
        free(e[k].stamp);
    free(e);
    return st;
}

/* ---- a page ----------------------------------------------------------------- */

struct zc_versions_page {
    member_set all;        /* every member of the page's groups */
    member_set match;      /* collapsed: the members that match */
    int collapse;
    size_t n;
    zc_hitref *page;       /* copy of the page */
    char (*key)[KEY_LEN + 1];
    char **id;             /* owned: the page hits' ids (NULL: none) */
    int *has_key;
    const member **shown;  /* collapsed: the member shown (NULL: the page hit) */
};

void zc_versions_page_free(zc_versions_page *p)
{
    if (p == NULL)
        return;
    member_set_free(&p->all);
    member_set_free(&p->match);
    for (size_t k = 0; p->id != NULL && k < p->n; k++)
        free(p->id[k]);
    free(p->id);
    free(p->page);
    free(p->key);
    free(p->has_key);
    free(p->shown);
    free(p);
}

zc_status zc_versions_page_new(zc_index *idx, const zc_xap_query *matching,
                               const zc_hitref *page, size_t n, zc_versions_page **out,
                               zc_error *err)
{
    *out = NULL;
    zc_versions_page *p = calloc(1, sizeof *p);
    if (p == NULL)
        return oom(err);
    p->n = n;
    p->collapse = matching != NULL;
    size_t cap = n ? n : 1;
    p->page = calloc(cap, sizeof *p->page);
    p->key = calloc(cap, sizeof *p->key);
    p->id = calloc(cap, sizeof *p->id);
    p->has_key = calloc(cap, sizeof *p->has_key);
    p->shown = calloc(cap, sizeof *p->shown);
    char(*keys)[KEY_LEN + 1] = calloc(cap, sizeof *keys);
    zc_status st = ZC_OK;
    if (p->page == NULL || p->key == NULL || p->id == NULL || p->has_key == NULL ||
        p->shown == NULL || keys == NULL)
        st = oom(err);
    size_t nk = 0;
    for (size_t k = 0; k < n && st == ZC_OK; k++) {
        static const unsigned slots[2] = {ZC_SLOT_GROUP, ZC_SLOT_HIT};
        char *v[2];
        size_t l[2];
        p->page[k] = page[k];
        if ((st = zc_xap_mset_hit_values(page[k].ms, page[k].i, slots, 2, v, l, err)) != ZC_OK)
            break;
        char *date = NULL;
        st = hit_id_date(v[1], l[1], &p->id[k], &date, err);
        free(date);
        if (st == ZC_OK && l[0] == KEY_LEN && p->id[k] != NULL) {
            memcpy(p->key[k], v[0], KEY_LEN + 1);
            memcpy(keys[nk++], v[0], KEY_LEN + 1);
            p->has_key[k] = 1;
        }
        free(v[0]);
        free(v[1]);
    }
    unique_keys(keys, &nk);
    /* Most documents are a group of their own: the group term's frequency
     * says so without a look-up. */
    size_t w = 0;
    for (size_t j = 0; j < nk && st == ZC_OK; j++) {
        uint64_t tf = 0;
        st = key_freq(idx, keys[j], &tf, err);
        if (st == ZC_OK && tf > 1)
            memmove(keys[w++], keys[j], KEY_LEN + 1);
    }
    nk = w;
    uint32_t limit = (uint32_t)(nk * ZC_VERSIONS_GROUP_MAX);
    if (st == ZC_OK)
        st = lookup(idx, NULL, keys, nk, ZC_VERSIONS_GROUP_MAX, limit, NULL, 0, &p->all, err);
    if (st == ZC_OK && matching != NULL)
        st = lookup(idx, matching, keys, nk, ZC_VERSIONS_GROUP_MAX, limit, NULL, 0, &p->match,
                    err);
    for (size_t k = 0; st == ZC_OK && matching != NULL && k < n; k++) {
        size_t gn = 0;
        const member *g = p->has_key[k] ? group_of(&p->match, p->key[k], &gn) : NULL;
        p->shown[k] = shown_of(g, gn); /* NULL: the hit itself */
    }
    free(keys);
    if (st != ZC_OK) {
        zc_versions_page_free(p);
        return st;
    }
    *out = p;
    return ZC_OK;
}

zc_hitref zc_versions_page_shown(const zc_versions_page *p, size_t k)
{
    if (p->shown[k] != NULL)
        return p->shown[k]->ref;
    return p->page[k];
}

static int dup_str(const char *s, const char **out)
{
    char *d = zc_results_strdup(s, strlen(s));
    *out = d;
    return d != NULL ? 0 : -1;
}

zc_status zc_versions_page_fill(const zc_versions_page *p, size_t k, zc_hit *h, zc_error *err)
{
    if (!p->has_key[k])
        return ZC_OK;
    const char *shown_id = p->shown[k] != NULL ? p->shown[k]->id : p->id[k];
    size_t gn = 0;
    const member *g = group_of(&p->all, p->key[k], &gn);
    if (g == NULL)
        return ZC_OK;
    const member *self = NULL;
    for (size_t j = 0; j < gn && self == NULL; j++)
        if (strcmp(g[j].id, shown_id) == 0)
            self = &g[j];
    if (strcmp(g[0].id, shown_id) != 0) {
        /* Not the preferred one: a duplicate of it, or an older version
         * (a member past the group's first ZC_VERSIONS_GROUP_MAX is one). */
        int dup = self != NULL && same_text(self, &g[0]);
        if (dup_str(g[0].id, dup ? &h->duplicate_of : &h->version_of) != 0)
            return oom(err);
    }
    if (!p->collapse)
        return ZC_OK;
    size_t nd = 0, nv = 0;
    char **dups = calloc(gn, sizeof *dups);
    zc_hit_version *vers = calloc(gn, sizeof *vers);
    h->duplicates = (const char *const *)dups;
    h->versions = vers;
    if (dups == NULL || vers == NULL)
        return oom(err);
    for (size_t j = 0; j < gn; j++) {
        if (strcmp(g[j].id, shown_id) == 0)
            continue;
        if (self != NULL && same_text(&g[j], self)) {
            if ((dups[nd] = zc_results_strdup(g[j].id, strlen(g[j].id))) == NULL)
                return oom(err);
            h->n_duplicates = ++nd;
        } else {
            if (dup_str(g[j].id, &vers[nv].id) != 0 ||
                (g[j].date != NULL && dup_str(g[j].date, &vers[nv].date) != 0)) {
                h->n_versions = nv + 1; /* so the half-made entry is freed */
                return oom(err);
            }
            h->n_versions = ++nv;
        }
    }
    return ZC_OK;
}

/* ---- a collapsed search's counts ------------------------------------------ */

typedef struct extra_ent {
    unsigned slot;
    char *value;
    size_t len;
    uint64_t count;
} extra_ent;

struct zc_versions_tally {
    uint64_t groups;
    extra_ent *e;
    size_t n, cap;
};

void zc_versions_tally_free(zc_versions_tally *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].value);
    free(t->e);
    free(t);
}

static int extra_cmp3(unsigned sa, const char *va, size_t la, unsigned sb, const char *vb,
                      size_t lb)
{
    if (sa != sb)
        return sa < sb ? -1 : 1;
    int c = memcmp(va, vb, la < lb ? la : lb);
    if (c != 0)
        return c;
    return la < lb ? -1 : la > lb;
}

static int extra_cmp(const void *pa, const void *pb)
{
    const extra_ent *a = pa, *b = pb;
    return extra_cmp3(a->slot, a->value, a->len, b->slot, b->value, b->len);
}

zc_status zc_versions_tally_new(zc_index *idx, const zc_xap_query *matching,
                                const zc_xap_mset *ms, size_t group_facet,
                                const unsigned *slots, size_t n_slots,
                                zc_versions_tally **out, zc_error *err)
{
    *out = NULL;
    zc_versions_tally *t = calloc(1, sizeof *t);
    if (t == NULL)
        return oom(err);
    size_t nv = zc_xap_mset_facet_size(ms, group_facet);
    t->groups = nv;
    char(*keys)[KEY_LEN + 1] = calloc(nv ? nv : 1, sizeof *keys);
    if (keys == NULL) {
        free(t);
        return oom(err);
    }
    size_t nk = 0;
    uint64_t members = 0;
    zc_status st = ZC_OK;
    for (size_t j = 0; j < nv && st == ZC_OK; j++) {
        const char *v = NULL;
        size_t vl = 0;
        uint64_t count = 0;
        st = zc_xap_mset_facet_value(ms, group_facet, j, &v, &vl, &count, err);
        if (st == ZC_OK && count > 1 && vl == KEY_LEN) {
            memcpy(keys[nk], v, KEY_LEN);
            keys[nk++][KEY_LEN] = '\0';
            members += count;
        }
    }
    member_set s = {0};
    if (st == ZC_OK && nk > 0) {
        uint32_t limit = members > UINT32_MAX ? UINT32_MAX : (uint32_t)members;
        st = lookup(idx, matching, keys, nk, 0, limit, slots, n_slots, &s, err);
    }
    free(keys);
    /* Every member but the one shown of each group is counted off its
     * facet values. */
    for (size_t a = 0; st == ZC_OK && a < s.n;) {
        size_t b = a + 1;
        while (b < s.n && strcmp(s.m[b].key, s.m[a].key) == 0)
            b++;
        const member *shown = shown_of(&s.m[a], b - a);
        for (size_t j = a; j < b && st == ZC_OK; j++) {
            if (&s.m[j] == shown)
                continue;
            for (size_t k = 0; k < n_slots && st == ZC_OK; k++) {
                if (s.m[j].extra_len[k] == 0)
                    continue; /* no value: not in that facet's counts */
                if (zc_grow(&t->e, &t->cap, t->n + 1, sizeof *t->e, 16) != 0) {
                    st = oom(err);
                    break;
                }
                t->e[t->n++] = (extra_ent){slots[k], s.m[j].extra[k], s.m[j].extra_len[k], 1};
                s.m[j].extra[k] = NULL;
            }
        }
        a = b;
    }
    member_set_free(&s);
    if (st == ZC_OK && t->n > 1) {
        qsort(t->e, t->n, sizeof *t->e, extra_cmp);
        size_t w = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (w > 0 && extra_cmp(&t->e[w - 1], &t->e[i]) == 0) {
                t->e[w - 1].count += t->e[i].count;
                free(t->e[i].value);
            } else {
                t->e[w++] = t->e[i];
            }
        }
        t->n = w;
    }
    if (st != ZC_OK) {
        zc_versions_tally_free(t);
        return st;
    }
    *out = t;
    return ZC_OK;
}

uint64_t zc_versions_tally_groups(const zc_versions_tally *t)
{
    return t ? t->groups : 0;
}

uint64_t zc_versions_tally_extra(const zc_versions_tally *t, unsigned slot,
                                 const char *value, size_t len)
{
    if (t == NULL)
        return 0;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = extra_cmp3(t->e[mid].slot, t->e[mid].value, t->e[mid].len, slot, value, len);
        if (c == 0)
            return t->e[mid].count;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
