/* search_count.c — see search_count.h.
 *
 * Why not Xapian's own estimate past the bound: ranked by relevance, once
 * Xapian has counted check_at_least matches it skips the documents that
 * can no longer reach the page, and its estimate is then little more than
 * what it counted: 200 for a query with 1,675 matches, 2,000 for 2,765
 * (docs/benchmarks.md, "Exact counts").  It also changes with the page.
 * An exact count of the matches in a hash sample of the documents
 * (lib/sample.h) costs a fraction of counting them all, is the same on
 * every page, and its error is that of a random sample: about
 * 1 / sqrt(matches counted). */
#include "lib/search_count.h"

#include <math.h>
#include <stdlib.h>

#include "base/error.h"
#include "lib/sample.h"

/* The sample an estimate counts holds about bound / COUNT_SAMPLE_DIV
 * matches: at the default bound 2,000, a relative standard error of about
 * 2.2%, for a cost of a fifth of counting the bound itself. */
#define COUNT_SAMPLE_DIV 5u
/* Sample levels tried before the last count is taken as it is: the first
 * is chosen from Xapian's upper bound, the next ones from what the
 * previous one counted (two are almost always enough). */
#define COUNT_SAMPLE_TRIES 4

uint32_t zc_count_bound(const zc_search_opts *o)
{
    if (o->exact_count < 0)
        return ZC_SEARCH_EXACT_COUNT_DEFAULT;
    if (o->exact_count > ZC_SEARCH_EXACT_COUNT_ALL)
        return UINT32_MAX;
    return (uint32_t)o->exact_count;
}

zc_status zc_count_plan(zc_index *idx, const zc_search_opts *o, zc_xap_search_params *sp,
                        zc_error *err)
{
    uint64_t docs = 0;
    zc_status st = zc_xap_db_doc_count(idx->db, &docs, err);
    if (st != ZC_OK)
        return st;
    uint64_t bound = zc_count_bound(o);
    uint64_t check = (uint64_t)sp->offset + sp->limit;
    if (sp->n_facet_slots > 0)
        check = docs; /* facets count the whole match set: every match is seen */
    /* One more than the bound: Xapian calls its count exact only when it
     * saw fewer matches than it was asked to check, so a query with
     * exactly `bound` matches is exact too. */
    else if (bound > 0 && check < bound + 1)
        check = bound + 1;
    if (check > docs)
        check = docs;
    sp->check_at_least = check > UINT32_MAX ? UINT32_MAX : (uint32_t)check;
    return ZC_OK;
}

/* A pass of sp's query that reads no hit: offset 0, limit 0, relevance
 * order (no value is read), no facets; query and check_at_least as
 * given.  *lo and *hi get Xapian's bounds on the matches. */
static zc_status count_pass(zc_index *idx, const zc_search_opts *o, const zc_xap_search_params *sp,
                            const zc_xap_query *q, uint32_t check, uint64_t *lo, uint64_t *hi,
                            zc_error *err)
{
    zc_xap_search_params cp = *sp;
    cp.query = q;
    cp.offset = 0;
    cp.limit = 0;
    cp.check_at_least = check;
    cp.facet_slots = NULL;
    cp.n_facet_slots = 0;
    cp.sort_slot = -1;
    cp.sort_descending = 0;
    zc_xap_mset *ms = NULL;
    int timed_out = 0;
    zc_status st = zc_xap_search(idx->db, &cp, &ms, &timed_out, err);
    if (st != ZC_OK)
        return st;
    *lo = zc_xap_mset_lower_bound(ms);
    *hi = zc_xap_mset_upper_bound(ms);
    zc_xap_mset_free(ms);
    if (timed_out)
        return zc_error_set(err, ZC_ETIMEOUT, NULL, "query ran past its time limit of %g s",
                            o->time_limit_s);
    return ZC_OK;
}

/* The exact number of sp's matches in sample level `level`: the query
 * unweighted (no score is computed) and filtered by the level's term,
 * every match counted. */
static zc_status sample_count(zc_index *idx, const zc_search_opts *o,
                              const zc_xap_search_params *sp, unsigned level, uint64_t *count,
                              zc_error *err)
{
    char term[ZC_SAMPLE_TERM_MAX];
    size_t n = zc_sample_term(level, term);
    zc_xap_query *t = NULL, *z = NULL, *f = NULL;
    zc_status st = zc_xap_query_term(term, n, 1, 0, &t, err);
    if (st == ZC_OK)
        st = zc_xap_query_scale(sp->query, 0, &z, err);
    if (st == ZC_OK) {
        zc_xap_query *pair[2] = {z, t};
        st = zc_xap_query_combine(ZC_XAP_OP_FILTER, pair, 2, 0, &f, err);
    }
    uint64_t lo = 0, hi = 0;
    if (st == ZC_OK)
        st = count_pass(idx, o, sp, f, UINT32_MAX, &lo, &hi, err);
    zc_xap_query_free(t);
    zc_xap_query_free(z);
    zc_xap_query_free(f);
    *count = lo;
    return st;
}

/* v to 3 significant digits: an estimate shown with more would claim a
 * precision it does not have. */
static uint64_t round3(uint64_t v)
{
    uint64_t unit = 1;
    while (v / unit >= 1000)
        unit *= 10;
    return (v + unit / 2) / unit * unit;
}

/* The estimated number of matches of sp's query, known to be more than
 * `bound` and at most hi (Xapian's upper bound before any counting): the
 * matches in the sample level that holds about bound / COUNT_SAMPLE_DIV of
 * them, times 2^level.  Depends on the query, the bound and the index
 * only, so every page gets the same figure. */
static zc_status estimate(zc_index *idx, const zc_search_opts *o, const zc_xap_search_params *sp,
                          uint32_t bound, uint64_t hi, uint64_t *total, zc_error *err)
{
    uint64_t want = bound / COUNT_SAMPLE_DIV > 0 ? bound / COUNT_SAMPLE_DIV : 1;
    /* The first level holds at most `want` matches whatever the query, so
     * its count never costs more than that. */
    unsigned level = 1;
    while (level < ZC_SAMPLE_LEVELS && (hi >> level) > want)
        level++;
    uint64_t c = 0;
    for (int tries = 0;; tries++) {
        zc_status st = sample_count(idx, o, sp, level, &c, err);
        if (st != ZC_OK)
            return st;
        if (c * 2 >= want || level == 1 || tries + 1 >= COUNT_SAMPLE_TRIES)
            break;
        /* Too few to go by: down as many levels (each doubles the sample)
         * as the count falls short of `want`, taking none found as one. */
        unsigned down = 1;
        while (down < level - 1 && ((c > 0 ? c : 1) << down) < want)
            down++;
        level -= down;
    }
    uint64_t est = round3(c << level);
    if (est <= bound)
        est = (uint64_t)bound + 1;
    if (est > hi)
        est = hi;
    *total = est;
    return ZC_OK;
}

zc_status zc_count_total(zc_index *idx, const zc_search_opts *o, const zc_xap_search_params *sp,
                         const zc_xap_mset *ms, uint64_t *total, int *exact, zc_error *err)
{
    uint64_t lo = zc_xap_mset_lower_bound(ms), hi = zc_xap_mset_upper_bound(ms);
    uint32_t bound = zc_count_bound(o);
    *exact = lo == hi;
    *total = *exact ? lo : zc_xap_mset_estimated(ms);
    /* Facets saw every match; "exact_count":0 asks for no more than
     * Xapian's figure for the page. */
    if (sp->n_facet_slots > 0 || bound == 0 || (*exact && lo <= bound))
        return ZC_OK;
    /* Past the bound, only figures that do not depend on the page: what
     * Xapian knows before counting (exact for a single term, say), else
     * the sample's estimate.  A page that counted further than the first
     * page may know more, but then the pages would disagree. */
    uint64_t blo = 0, bhi = 0;
    zc_status st = count_pass(idx, o, sp, sp->query, 0, &blo, &bhi, err);
    if (st != ZC_OK)
        return st;
    if (blo == bhi) {
        *exact = 1;
        *total = blo;
        return ZC_OK;
    }
    *exact = 0;
    return estimate(idx, o, sp, bound, bhi, total, err);
}
