/* search.c — zc_search: running a SEARCH's options over an index into
 * zc_results.
 *
 * Owns: turning options into Xapian filters, sort keys and facet slots
 * (schema.h), the rescoring window and the authority prior in it, the time
 * limit between the stages of a search, the page of hits and the facet
 * counts, and spelling suggestions.
 * Must never: parse or write the wire format (search_request.c reads the
 * options, search_reply.c writes the reply); read a hit's fields itself
 * (search_hits.c does); print.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/docmodel.h"
#include "base/error.h"
#include "lib/index_internal.h"
#include "lib/limits.h"
#include "lib/multifacet.h"
#include "lib/norm.h"
#include "lib/query.h"
#include "lib/schema.h"
#include "lib/search_count.h"
#include "lib/search_hits.h"
#include "lib/search_request.h"
#include "lib/search_results.h"
#include "lib/versions.h"

/* BM25 for match any (natural-language questions): more length
 * normalization than Xapian's default (k1 1, b 0.5) ranks the short article
 * that answers a question above long ones that share its common words
 * (tuned on shared/zh-ir; see docs/quality.md). */
#define SEARCH_ANY_BM25_K1 0.9
#define SEARCH_ANY_BM25_B 0.9

/* The authority prior (issue 13): a hit whose title holds every word of
 * the query (the query's topic) gains SEARCH_PRIOR_SCALE x the best hit's
 * weight x zc_authority_prior of its level (0 for a normative document of
 * unknown tier, 1 for a national law).  A query with rescoring boosts gets
 * it in the rescoring pass (its window of SEARCH_RESCORE_N hits, scaled by
 * the first pass's best); a query without them in its one pass, scaled by
 * a pass for the best hit alone.  Relative to the best weight, so it means
 * the same for a one-word query and a long one: among documents on the
 * topic that match about equally well the higher authority comes first,
 * while a hit far behind stays behind, and a document that only mentions
 * the words in its body is not lifted above one whose title names them.
 * Tuned on make eval (docs/quality.md, the authority class and every
 * known-item class). */
#define SEARCH_PRIOR_SCALE 0.4

/* ---- the time limit ------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
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

/* ---- filters ------------------------------------------------------------ */

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

/* Any of the issuers o->issuers[0..n_issuers) (n_issuers >= 1), each
 * matched whole after normalization. */
static zc_status issuer_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err)
{
    zc_status st = ZC_OK;
    zc_xap_query **iq = calloc(o->n_issuers, sizeof *iq);
    if (iq == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t ni = 0;
    for (size_t i = 0; i < o->n_issuers; i++) {
        const char *is = o->issuers[i] ? o->issuers[i] : "";
        char *norm = NULL;
        size_t nl = 0;
        st = zc_norm_string(is, strlen(is), &norm, &nl, err);
        if (st == ZC_EINVAL)
            st = zc_error_set(err, ZC_EINVAL, "issuer", "option \"issuer\" is not valid UTF-8");
        if (st == ZC_OK) {
            st = term_query(ZC_PFX_ISSUER_EXACT, norm, nl, &iq[ni], err);
            free(norm);
        }
        if (st != ZC_OK) {
            free_queries(iq, ni);
            free(iq);
            return st;
        }
        ni++;
    }
    st = combine_free(ZC_XAP_OP_OR, iq, ni, out, err);
    free(iq);
    return st;
}

/* The documents dated from o->from to o->to (either may be NULL: open). */
static zc_status date_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err)
{
    char lo[9], hi[9];
    zc_date d;
    if (o->from != NULL) {
        if (zc_date_parse(o->from, strlen(o->from), &d, NULL) != ZC_OK)
            return zc_error_set(err, ZC_EINVAL, "from", "option \"from\" is not a real date");
        zc_date_key(&d, 0, lo);
    }
    if (o->to != NULL) {
        if (zc_date_parse(o->to, strlen(o->to), &d, NULL) != ZC_OK)
            return zc_error_set(err, ZC_EINVAL, "to", "option \"to\" is not a real date");
        zc_date_key(&d, 1, hi);
    }
    /* Undated documents have no value in ZC_SLOT_DATE, so no range
     * (open-ended ones included) matches them. */
    return zc_xap_query_value_range(ZC_SLOT_DATE, o->from ? lo : NULL, o->from ? 8 : 0,
                                    o->to ? hi : NULL, o->to ? 8 : 0, out, err);
}

/* The filter part of the options (lang, issuers, date range, levels,
 * tiers, issued_by, tags), or NULL. */
static zc_status build_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err)
{
    zc_xap_query *parts[4] = {0};
    size_t np = 0;
    zc_status st = ZC_OK;
    *out = NULL;

    if (o->lang != NULL) {
        /* Validated already; the C API may pass "ZH", the index holds "zh". */
        const char *lang = zc_search_lang_canon(o->lang, strlen(o->lang));
        if (lang == NULL)
            lang = o->lang;
        st = term_query(ZC_PFX_LANG, lang, strlen(lang), &parts[np], err);
        if (st != ZC_OK)
            goto fail;
        np++;
    }
    if (o->issuers != NULL && o->n_issuers > 0) {
        if ((st = issuer_filter(o, &parts[np], err)) != ZC_OK)
            goto fail;
        np++;
    }
    if (o->from != NULL || o->to != NULL) {
        if ((st = date_filter(o, &parts[np], err)) != ZC_OK)
            goto fail;
        np++;
    }
    /* level, tier, issued_by, tags */
    if ((st = zc_multifacet_filter(o, &parts[np], err)) != ZC_OK)
        goto fail;
    if (parts[np] != NULL)
        np++;
    if (np == 0)
        return ZC_OK;
    return combine_free(ZC_XAP_OP_AND, parts, np, out, err);
fail:
    free_queries(parts, np);
    return st;
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

/* ---- the rescoring window ------------------------------------------------ */

/* The rescoring window: the best SEARCH_RESCORE_N hits of the cheap query
 * (zc_query_build_split's *first) are reweighted by the whole query (its
 * proximity boosts over CJK terms) and take that order; the hits below keep
 * the cheap query's order, as Elasticsearch's rescore window does.  One
 * ranking whatever the page, and the boosts' position lists are read for
 * 100 documents instead of every match (docs/benchmarks.md). */
#define SEARCH_RESCORE_N 100u

/* q with the authority prior added by AND_MAYBE: the hits whose title
 * holds the query's words (topic) gain scale x their level's prior weight
 * (zc_multifacet_prior; Xapian's own classes only).  *out: returns new;
 * free with zc_xap_query_free. */
static zc_status add_prior(const zc_xap_query *q, const zc_xap_query *topic, double scale,
                           zc_xap_query **out, zc_error *err)
{
    zc_xap_query *pq = NULL, *gated = NULL;
    *out = NULL;
    zc_status st = zc_multifacet_prior(scale, &pq, err);
    zc_xap_query *pair[2] = {pq, (zc_xap_query *)topic};
    if (st == ZC_OK)
        st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &gated, err);
    pair[0] = (zc_xap_query *)q;
    pair[1] = gated;
    if (st == ZC_OK)
        st = zc_xap_query_combine(ZC_XAP_OP_AND_MAYBE, pair, 2, 0, out, err);
    zc_xap_query_free(pq);
    zc_xap_query_free(gated);
    return st;
}

/* Reweights the first n hits of ms by q (restricted to them by their
 * unique id terms, which mean the same documents over one database, a
 * set of shards or a remote one: never by docid): *out gets them in q's
 * order (fewer if some went away meanwhile).  Returns new; free with
 * zc_xap_mset_free. */
static zc_status rescore(zc_index *idx, const zc_xap_search_params *base,
                         const zc_xap_query *q, const zc_xap_query *topic, zc_xap_mset *ms,
                         size_t n, const zc_search_opts *o, zc_xap_mset **out,
                         zc_error *err)
{
    *out = NULL;
    zc_xap_query *with_prior = NULL;
    if (!o->no_prior && topic != NULL) {
        /* The prior rides on the rescoring pass, scaled by the best
         * first-pass weight. */
        zc_status st = add_prior(q, topic, SEARCH_PRIOR_SCALE * zc_xap_mset_max_attained(ms),
                                 &with_prior, err);
        if (st != ZC_OK)
            return st;
        q = with_prior;
    }
    char(*terms)[ZC_TERM_MAX_BYTES + 1] = malloc(n * sizeof *terms);
    const char *tp[SEARCH_RESCORE_N];
    size_t tl[SEARCH_RESCORE_N];
    if (terms == NULL && n > 0) {
        zc_xap_query_free(with_prior);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        zc_status st = zc_hits_id_term(ms, i, terms[i], &tl[i], err);
        if (st != ZC_OK) {
            free(terms);
            zc_xap_query_free(with_prior);
            return st;
        }
        tp[i] = terms[i];
    }
    zc_xap_query *only = NULL;
    zc_status st = zc_xap_query_only_terms(idx->db, q, base->query, tp, tl, n, &only, err);
    free(terms);
    zc_xap_query_free(with_prior);
    if (st != ZC_OK)
        return st;
    zc_xap_search_params sp = *base;
    sp.query = only;
    sp.offset = 0;
    sp.limit = (uint32_t)n;
    sp.check_at_least = 0;
    sp.facet_slots = NULL;
    sp.n_facet_slots = 0;
    sp.collapse = 0; /* the window holds one hit per group already */
    int timed_out = 0;
    st = zc_xap_search(idx->db, &sp, out, &timed_out, err);
    zc_xap_query_free(only);
    if (st == ZC_OK && timed_out) {
        zc_xap_mset_free(*out);
        *out = NULL;
        st = timeout_error(o, err);
    }
    return st;
}

/* ---- one attempt ------------------------------------------------------------ */

/* One attempt's plan, match sets and page (run_search's steps share it). */
typedef struct search_run {
    zc_xap_search_params sp;               /* the first pass */
    unsigned slots[ZC_SEARCH_N_FACETS + 1]; /* sp.facet_slots points here (+ the group key) */
    size_t slot_of[ZC_SEARCH_N_FACETS];    /* zc_search_facets[k]'s index in slots */
    size_t group_facet;                    /* collapsing: the group key's index in slots */
    int windowed;                          /* relevance: hits are read from the first on */
    int two_pass;                          /* rank by first, rescore the top */
    int prior_pass;                        /* one pass, with the prior: its scale
                                            * from a best-hit pass first */
    zc_xap_query *with_prior;              /* owned or NULL: sp.query then */
    zc_xap_mset *ms;                       /* owned: the first pass's ranking */
    zc_xap_mset *top;                      /* owned or NULL: the rescored window */
    size_t n_top, n_re;                    /* the window's hits in ms, in top */
    size_t *perm;                          /* owned or NULL: the window's order, groups'
                                            * members newest first (zc_versions_order) */
    size_t n_perm;
    int grouped;                           /* a hit of [0, to) is in a group of several
                                            * documents: 1 yes, 0 no, -1 not known */
    size_t from, to;                       /* the page: hits [from, to) of the ranking */
} search_run;

/* Fills run's first pass from the options: query, weighting, page or
 * rescoring window, sort key, facet slots. */
static zc_status plan_run(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                          const zc_xap_query *first, const zc_xap_query *topic,
                          search_run *run, zc_error *err)
{
    zc_xap_search_params *sp = &run->sp;
    size_t n_slots = 0;
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++)
        if (o->facets & zc_search_facets[k].bit) {
            /* facets over parts of one slot share its spy */
            size_t j = 0;
            while (j < n_slots && run->slots[j] != zc_search_facets[k].slot)
                j++;
            run->slot_of[k] = j;
            if (j == n_slots)
                run->slots[n_slots++] = zc_search_facets[k].slot;
        }

    /* Relevance: rank by first, rescore the top (with the authority prior).
     * Sorted by date, the boosts change nothing: first alone.  A query
     * without rescoring boosts gets the prior in its one pass.  Hits are
     * read from the first on even without boosts, so that a group's
     * members take their ranks newest first whatever the page
     * (order_window). */
    run->windowed = o->sort == ZC_SORT_RELEVANCE;
    run->two_pass = first != NULL && run->windowed;
    run->prior_pass = first == NULL && run->windowed && !o->no_prior && topic != NULL;
    sp->query = first != NULL && (run->two_pass || o->sort != ZC_SORT_RELEVANCE) ? first : q;
    if (o->match_any) {
        sp->bm25_k1 = SEARCH_ANY_BM25_K1;
        sp->bm25_b = SEARCH_ANY_BM25_B;
    }
    sp->offset = o->offset;
    /* offset + limit stays within Xapian's 32-bit document counts: a page
     * past the last possible document is empty, never a wrapped one. */
    sp->limit = o->limit > UINT32_MAX - o->offset ? UINT32_MAX - o->offset : o->limit;
    if (run->windowed) {
        uint64_t end = (uint64_t)o->offset + o->limit;
        if (end > UINT32_MAX)
            end = UINT32_MAX;
        sp->offset = 0;
        sp->limit = (uint32_t)(end > SEARCH_RESCORE_N || !run->two_pass ? end
                                                                       : SEARCH_RESCORE_N);
    }
    sp->time_limit_s = o->time_limit_s;
    if (o->collapse) {
        /* One hit per group; the group key's counts give the groups among
         * the matches and the facet corrections (zc_versions_tally_new). */
        sp->collapse = 1;
        sp->collapse_slot = ZC_SLOT_GROUP;
        run->group_facet = n_slots;
        run->slots[n_slots++] = ZC_SLOT_GROUP;
    }
    sp->facet_slots = n_slots ? run->slots : NULL;
    sp->n_facet_slots = n_slots;
    sp->sort_slot = -1;
    if (o->sort == ZC_SORT_DATE_DESC) {
        /* Undated documents have no value: the lowest, so last. */
        sp->sort_slot = ZC_SLOT_DATE;
        sp->sort_descending = 1;
    } else if (o->sort == ZC_SORT_DATE_ASC) {
        /* Undated documents hold "~", above every digit: last. */
        sp->sort_slot = ZC_SLOT_DATE_ASC;
        sp->sort_descending = 0;
    }
    return zc_count_plan(idx, o, sp, err);
}

/* A one-pass search with the prior: the best hit's weight first (a pass
 * for one hit, which Xapian's bounds make cheap), then run's pass is q
 * with the prior scaled by it.  Over every match, not a window: the same
 * weights a rescoring window would give its hits, without reading their
 * id terms and filtering by them (docs/benchmarks.md). */
static zc_status plan_prior_pass(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                                 const zc_xap_query *topic, search_run *run, zc_error *err)
{
    zc_xap_search_params best = run->sp;
    best.offset = 0;
    best.limit = 1;
    best.check_at_least = 0;
    best.facet_slots = NULL;
    best.n_facet_slots = 0;
    zc_xap_mset *ms = NULL;
    int timed_out = 0;
    zc_status st = zc_xap_search(idx->db, &best, &ms, &timed_out, err);
    if (st == ZC_OK && timed_out)
        st = timeout_error(o, err);
    double w = st == ZC_OK ? zc_xap_mset_max_attained(ms) : 0;
    zc_xap_mset_free(ms);
    if (st != ZC_OK || !(w > 0))
        return st;
    st = add_prior(q, topic, SEARCH_PRIOR_SCALE * w, &run->with_prior, err);
    if (st == ZC_OK)
        run->sp.query = run->with_prior;
    return st;
}

/* Runs run's first pass (and the rescoring of its window) and sets the
 * page: hits [from, to) of the ranking are ms's (one pass; Xapian applied
 * the offset), or top's n_re hits followed by ms's from n_top on (two
 * passes; a page wholly below the window reads ms alone).  q: the whole
 * query, for the rescoring. */
static zc_status rank(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                      const zc_xap_query *topic, search_run *run, zc_error *err)
{
    int timed_out = 0;
    zc_status st = run->prior_pass ? plan_prior_pass(idx, o, q, topic, run, err) : ZC_OK;
    if (st == ZC_OK)
        st = zc_xap_search(idx->db, &run->sp, &run->ms, &timed_out, err);
    if (st != ZC_OK)
        return st;
    if (timed_out)
        return timeout_error(o, err);
    size_t n_ms = zc_xap_mset_size(run->ms);
    run->from = 0;
    run->to = n_ms;
    if (!run->windowed)
        return ZC_OK;
    run->n_top = n_ms < SEARCH_RESCORE_N ? n_ms : SEARCH_RESCORE_N;
    size_t ranked = n_ms;
    if (run->two_pass && run->n_top > 0 && o->offset < run->n_top) {
        st = rescore(idx, &run->sp, q, topic, run->ms, run->n_top, o, &run->top, err);
        if (st != ZC_OK)
            return st;
        run->n_re = zc_xap_mset_size(run->top);
        ranked = run->n_re + (n_ms - run->n_top);
    }
    run->from = o->offset < ranked ? o->offset : ranked;
    run->to = ranked - run->from > o->limit ? run->from + o->limit : ranked;
    return ZC_OK;
}

/* Hit k of the ranking (after the window's reordering). */
static zc_hitref hit_at(const search_run *run, size_t k)
{
    if (k < run->n_perm)
        k = run->perm[k];
    if (run->top != NULL && k < run->n_re)
        return (zc_hitref){run->top, k};
    return (zc_hitref){run->ms, run->top != NULL ? k - run->n_re + run->n_top : k};
}

/* One pass read hits [0, to) only: reads the window again, wider, into
 * top (ms keeps the total and the facets), for order_window.  The same
 * query and weights: top's first hits are ms's, in ms's order. */
static zc_status widen(zc_index *idx, const zc_search_opts *o, search_run *run, zc_error *err)
{
    zc_xap_search_params sp = run->sp;
    sp.limit = sp.limit > SEARCH_RESCORE_N ? sp.limit : SEARCH_RESCORE_N;
    sp.check_at_least = 0;
    sp.facet_slots = NULL;
    sp.n_facet_slots = 0;
    int timed_out = 0;
    zc_status st = zc_xap_search(idx->db, &sp, &run->top, &timed_out, err);
    if (st == ZC_OK && timed_out)
        st = timeout_error(o, err);
    if (st != ZC_OK)
        return st;
    run->n_re = zc_xap_mset_size(run->top);
    run->n_top = zc_xap_mset_size(run->ms); /* every hit of ms is in top */
    return ZC_OK;
}

/* The members of one group among the first hits take their ranks newest
 * first (lib/versions.h): when a hit of the page belongs to a group of
 * several documents (the common case is none: nothing to read), the window
 * (the rescored one, or for one pass a window read now) is reordered.  A
 * collapsed ranking holds one hit per group. */
static zc_status order_window(zc_index *idx, const zc_search_opts *o, search_run *run,
                              zc_error *err)
{
    size_t n = run->top != NULL ? run->n_re : run->n_top;
    size_t need = run->to < n ? run->to : n;
    if (!run->windowed || o->collapse || need == 0 || run->from >= need)
        return ZC_OK;
    zc_hitref *win = malloc(need * sizeof *win);
    if (win == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t k = 0; k < need; k++)
        win[k] = hit_at(run, k);
    int any = 0;
    zc_status st = zc_versions_grouped(idx, win, need, &any, err);
    free(win);
    if (st == ZC_OK && need == run->to)
        run->grouped = any;
    if (st != ZC_OK || !any)
        return st;
    if (!run->two_pass && run->top == NULL && (st = widen(idx, o, run, err)) != ZC_OK)
        return st;
    n = run->top != NULL ? run->n_re : run->n_top;
    win = malloc(n * sizeof *win);
    run->perm = malloc(n * sizeof *run->perm);
    if (win == NULL || run->perm == NULL) {
        free(win);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        win[k] = hit_at(run, k);
    st = zc_versions_order(win, n, need, run->perm, err);
    free(win);
    if (st == ZC_OK)
        run->n_perm = n;
    return st;
}

/* Reads the page's hits into r->hits (room for them made), checking the
 * deadline before each: reading hits and making snippets is most of a
 * search's time after the match. */
static zc_status read_page(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                           const zc_hl *hl, double deadline_ms, const search_run *run,
                           zc_results *r, zc_error *err)
{
    size_t n = run->to - run->from;
    zc_hitref *page = malloc((n ? n : 1) * sizeof *page);
    if (page == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        page[i] = hit_at(run, run->from + i);
    /* The page's groups: who is a duplicate or an older version of whom,
     * and, collapsed, which member each group shows.  Most pages hold no
     * member of a group of several documents: nothing to look up. */
    zc_versions_page *vp = NULL;
    int any = o->collapse || run->grouped != 0;
    zc_status st = ZC_OK;
    if (any && !o->collapse && run->grouped < 0)
        st = zc_versions_grouped(idx, page, n, &any, err);
    if (st == ZC_OK && any)
        st = zc_versions_page_new(idx, o->collapse ? q : NULL, page, n, &vp, err);
    for (size_t i = 0; i < n && st == ZC_OK; i++) {
        r->n_hits = i + 1;
        if (past(deadline_ms)) {
            st = timeout_error(o, err);
            break;
        }
        zc_hitref shown = any ? zc_versions_page_shown(vp, i) : page[i];
        st = zc_hits_read(idx, shown.ms, shown.i, hl, o->snippet, &r->hits[i], err);
        if (st == ZC_OK && o->collapse)
            /* the group ranks by its best match: so does its score */
            st = zc_xap_mset_hit(page[i].ms, page[i].i, NULL, &r->hits[i].score, err);
        if (st == ZC_OK && any)
            st = zc_versions_page_fill(vp, i, &r->hits[i], err);
    }
    zc_versions_page_free(vp);
    free(page);
    return st;
}

/* Facet values: most frequent first, ties by value (as the wrapper
 * sorts them). */
static int facet_value_cmp(const void *pa, const void *pb)
{
    const zc_facet_value *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->value, b->value);
}

/* Copies the facet counts asked for from run's match set into r, at most
 * o->facet_limit values each.  tally (collapsed, or NULL): counts groups,
 * not documents: each value loses the matches that are not their group's
 * shown hit, and the values are sorted again. */
static zc_status read_facets(const zc_search_opts *o, const search_run *run,
                             const zc_versions_tally *tally, zc_results *r, zc_error *err)
{
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
        if (!(o->facets & zc_search_facets[k].bit))
            continue;
        if (zc_search_facets[k].part != ZC_PART_WHOLE) {
            /* level, tier, issued_by, tags: parts of their slot's values */
            zc_status st = zc_multifacet_count(run->ms, run->slot_of[k], zc_search_facets[k].part,
                                               o->facet_limit, &r->fv[k], &r->n_fv[k], err);
            if (st != ZC_OK)
                return st;
            continue;
        }
        size_t nv = zc_xap_mset_facet_size(run->ms, run->slot_of[k]);
        if (tally == NULL && nv > o->facet_limit)
            nv = o->facet_limit;
        if (nv == 0)
            continue;
        r->fv[k] = calloc(nv, sizeof *r->fv[k]);
        if (r->fv[k] == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        for (size_t j = 0; j < nv; j++) {
            const char *v = NULL;
            size_t vl = 0;
            uint64_t count = 0;
            zc_status st =
                zc_xap_mset_facet_value(run->ms, run->slot_of[k], j, &v, &vl, &count, err);
            if (st != ZC_OK)
                return st;
            uint64_t off = zc_versions_tally_extra(tally, zc_search_facets[k].slot, v, vl);
            if (off >= count)
                continue; /* every match of this value is another group's */
            char *copy = zc_results_strdup(v ? v : "", v ? vl : 0);
            if (copy == NULL)
                return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
            r->fv[k][r->n_fv[k]].value = copy;
            r->fv[k][r->n_fv[k]].count = count - off;
            r->n_fv[k]++;
        }
        if (tally != NULL) {
            qsort(r->fv[k], r->n_fv[k], sizeof *r->fv[k], facet_value_cmp);
            for (size_t j = o->facet_limit; j < r->n_fv[k]; j++)
                free((char *)r->fv[k][j].value);
            if (r->n_fv[k] > o->facet_limit)
                r->n_fv[k] = o->facet_limit;
        }
    }
    return ZC_OK;
}

/* One attempt: runs the query and reads everything into a new zc_results.
 * q: the whole query; first: the same without its rescoring boosts, or
 * NULL (see zc_query_build_split). */
static zc_status run_search(zc_index *idx, const zc_search_opts *o, const zc_xap_query *q,
                            const zc_xap_query *first, const zc_xap_query *topic,
                            const zc_hl *hl, double deadline_ms, zc_results **out,
                            zc_error *err)
{
    *out = NULL;
    search_run run = {0};
    zc_results *r = NULL;
    zc_versions_tally *tally = NULL;
    run.grouped = -1;
    zc_status st = plan_run(idx, o, q, first, topic, &run, err);
    if (st == ZC_OK)
        st = rank(idx, o, q, topic, &run, err);
    if (st == ZC_OK)
        st = order_window(idx, o, &run, err);
    if (st == ZC_OK && o->collapse)
        st = zc_versions_tally_new(idx, q, run.ms, run.group_facet, run.slots,
                                   run.group_facet, &tally, err);
    if (st == ZC_OK)
        st = zc_results_new(o->facets, run.to - run.from, &r, err);
    if (st == ZC_OK && tally != NULL) {
        /* Collapsing counted every match: the number of groups is exact. */
        r->exact = 1;
        r->total = zc_versions_tally_groups(tally);
    } else if (st == ZC_OK) {
        st = zc_count_total(idx, o, &run.sp, run.ms, &r->total, &r->exact, err);
    }
    if (st == ZC_OK) {
        r->collapse = o->collapse != 0;
        st = read_page(idx, o, q, hl, deadline_ms, &run, r, err);
    }
    if (st == ZC_OK)
        st = read_facets(o, &run, tally, r, err);
    zc_versions_tally_free(tally);
    free(run.perm);
    zc_xap_mset_free(run.ms);
    zc_xap_mset_free(run.top);
    zc_xap_query_free(run.with_prior);
    if (st != ZC_OK) {
        zc_results_free(r);
        return st;
    }
    *out = r;
    return ZC_OK;
}

/* ---- zc_search ---------------------------------------------------------- */

/* The queries of one search, built once for all its attempts. */
typedef struct search_queries {
    zc_xap_query *q;           /* the whole query */
    zc_xap_query *first;       /* q without its rescoring boosts, or NULL */
    zc_xap_query *filter;      /* the options' filter, or NULL */
    zc_xap_query *final;       /* q filtered, or NULL when no filter */
    zc_xap_query *first_final; /* first filtered, or NULL */
    zc_xap_query *topic;       /* the authority prior's documents, or NULL */
    zc_hl *hl;                 /* the terms to highlight, or NULL: no snippets */
    zc_query_word *words;      /* spelling candidates (n_words), or NULL */
    size_t n_words;
} search_queries;              /* every member owned */

static void queries_free(search_queries *qs)
{
    free(qs->words);
    zc_xap_query_free(qs->q);
    zc_xap_query_free(qs->first);
    zc_xap_query_free(qs->filter);
    zc_xap_query_free(qs->final);
    zc_xap_query_free(qs->first_final);
    zc_xap_query_free(qs->topic);
    zc_hl_free(qs->hl);
}

/* Builds the query of opts->q with the options' filter applied.  On
 * failure qs may hold some queries: queries_free frees them. */
static zc_status build_queries(zc_index *idx, zc_analyzer *an, const zc_search_opts *opts,
                               search_queries *qs, zc_error *err)
{
    const zc_syn_table *syn[2];
    zc_query_opts qo = {.match_any = opts->match_any != 0, .syn = syn};
    zc_status st = zc_index_synonyms(idx, syn, &qo.n_syn, err);
    if (st == ZC_OK)
        st = zc_query_build_split(an, opts->q, opts->q_len, &qo, &qs->q, &qs->first,
                                  opts->snippet ? &qs->hl : NULL, &qs->words, &qs->n_words,
                                  &qs->topic, err);
    if (st != ZC_OK)
        return st;
    st = build_filter(opts, &qs->filter, err);
    if (st != ZC_OK || qs->filter == NULL)
        return st;
    zc_xap_query *pair[2] = {qs->q, qs->filter};
    st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &qs->final, err);
    if (st == ZC_OK && qs->first != NULL) {
        pair[0] = qs->first;
        st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &qs->first_final, err);
    }
    return st;
}

/* Runs the search, once more on the newest revision if the one read was
 * overwritten under it, then adds the spelling suggestion. */
static zc_status search_built(zc_index *idx, const zc_search_opts *opts,
                              const search_queries *qs, double deadline, zc_results **out,
                              zc_error *err)
{
    zc_results *r = NULL;
    const zc_xap_query *whole = qs->final ? qs->final : qs->q;
    const zc_xap_query *cheap = qs->first_final ? qs->first_final : qs->first;
    zc_status st = past(deadline) ? timeout_error(opts, err) : ZC_OK;
    if (st == ZC_OK)
        st = run_search(idx, opts, whole, cheap, qs->topic, qs->hl, deadline, &r, err);
    if (st == ZC_EMODIFIED) {
        st = zc_index_reopen(idx, NULL, err);
        if (st == ZC_OK)
            st = run_search(idx, opts, whole, cheap, qs->topic, qs->hl, deadline, &r, err);
    }
    if (st == ZC_OK && qs->n_words > 0 && past(deadline))
        st = timeout_error(opts, err);
    if (st == ZC_OK && qs->n_words > 0)
        st = suggest(idx, opts->q, opts->q_len, qs->words, qs->n_words, &r->suggest, err);
    if (st != ZC_OK) {
        zc_results_free(r);
        return st;
    }
    *out = r;
    return ZC_OK;
}

ZC_API zc_status zc_search(zc_index *idx, const zc_search_opts *opts, zc_results **out,
                           zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no place for the results");
    *out = NULL;
    if (idx == NULL || opts == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index or no options");
    zc_status st = zc_search_opts_validate(opts, err);
    if (st != ZC_OK)
        return st;
    zc_analyzer *an = NULL;
    if ((st = zc_index_get_analyzer(idx, &an, err)) != ZC_OK)
        return st;
    /* Timed from here: the index's first analyzer may have just loaded the
     * dictionary (once per process), which is not this search's time. */
    double t0 = now_ms();
    search_queries qs = {0};
    st = build_queries(idx, an, opts, &qs, err);
    double deadline = opts->time_limit_s > 0 ? t0 + opts->time_limit_s * 1000.0 : 0;
    if (st == ZC_OK)
        st = search_built(idx, opts, &qs, deadline, out, err);
    if (st == ZC_OK)
        (*out)->took_ms = now_ms() - t0;
    queries_free(&qs);
    return st;
}
