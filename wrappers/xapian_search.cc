/* xapian_search.cc — running a query (Enquire) and reading its match set:
 * hits, their data and values, bounds, and facet counts.
 *
 * Owns: the zc_xap_mset handle.  Uses only what Xapian can run over remote
 * shards: relevance or a value slot for order (no KeyMaker), built-in
 * ValueCountMatchSpy for facets, no MatchDecider.
 * Must never: let a C++ exception cross into C; a DatabaseModifiedError
 * during a search or a hit read reopens and retries once.
 */
#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

static double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One attempt at a search; throws. */
static zc_xap_mset *run_search(zc_xap_db *db, const zc_xap_search_params *p,
                               int *timed_out)
{
    std::unique_ptr<zc_xap_mset> ms(new zc_xap_mset);
    ms->db = db->db;
    ms->enquire.reset(new Xapian::Enquire(ms->db));
    Xapian::Enquire &enq = *ms->enquire;
    enq.set_query(p->query->q);
    if (p->sort_slot >= 0)
        /* Xapian's flag is "reverse": with it, values sort highest first
         * (checked by test_xapian's sort test). */
        enq.set_sort_by_value_then_relevance((Xapian::valueno)p->sort_slot,
                                             p->sort_descending != 0);
    else
        enq.set_sort_by_relevance();
    if (p->time_limit_s > 0)
        enq.set_time_limit(p->time_limit_s);
    if (p->bm25_k1 > 0)
        enq.set_weighting_scheme(Xapian::BM25Weight(p->bm25_k1, 0, 1, p->bm25_b, 0.5));
    if (p->collapse)
        enq.set_collapse_key((Xapian::valueno)p->collapse_slot,
                             p->collapse_max ? p->collapse_max : 1);

    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    for (size_t k = 0; k < p->n_facet_slots; k++) {
        spies.emplace_back(new Xapian::ValueCountMatchSpy(p->facet_slots[k]));
        enq.add_matchspy(spies.back().get());
    }
    Xapian::doccount check = p->check_at_least;
    if (p->n_facet_slots > 0) {
        /* Facets count the whole match set, so every match must be seen. */
        check = std::max<Xapian::doccount>(check, ms->db.get_doccount());
    }

    double t0 = now_s();
    try {
        ms->mset = enq.get_mset(p->offset, p->limit, check);
    } catch (...) {
        enq.clear_matchspies();
        throw;
    }
    double elapsed = now_s() - t0;
    enq.clear_matchspies(); /* the spies die at the end of this function */
    if (timed_out)
        *timed_out = p->time_limit_s > 0 && elapsed >= p->time_limit_s;

    ms->facets.resize(spies.size());
    for (size_t k = 0; k < spies.size(); k++) {
        auto &vals = ms->facets[k].values;
        for (Xapian::TermIterator it = spies[k]->values_begin();
             it != spies[k]->values_end(); ++it)
            vals.emplace_back(*it, (uint64_t)it.get_termfreq());
        std::sort(vals.begin(), vals.end(), [](const auto &a, const auto &b) {
            if (a.second != b.second)
                return a.second > b.second;
            return a.first < b.first;
        });
    }
    return ms.release();
}

extern "C" zc_status zc_xap_search(zc_xap_db *db, const zc_xap_search_params *params,
                                   zc_xap_mset **out, int *timed_out, zc_error *err)
{
    static const char what[] = "searching";
    if (out)
        *out = NULL;
    if (timed_out)
        *timed_out = 0;
    return guarded(err, what, [&] {
        if (db == NULL || params == NULL || out == NULL)
            return bad_args(err, what);
        if (params->query == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no query", what);
        if (params->n_facet_slots > ZC_XAP_MAX_FACETS ||
            (params->n_facet_slots > 0 && params->facet_slots == NULL))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: at most %d facet slots",
                                what, ZC_XAP_MAX_FACETS);
        if (!(params->time_limit_s >= 0))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: negative time limit", what);
        if (params->bm25_k1 > 0 && !(params->bm25_b >= 0 && params->bm25_b <= 1))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: BM25 b must be in [0, 1]", what);
        zc_xap_mset *ms = NULL;
        read_retry(db->db, db->writable, [&] { ms = run_search(db, params, timed_out); });
        *out = ms;
        return ZC_OK;
    });
}

extern "C" void zc_xap_mset_free(zc_xap_mset *ms)
{
    delete ms;
}

extern "C" size_t zc_xap_mset_size(const zc_xap_mset *ms)
{
    return ms ? ms->mset.size() : 0;
}

extern "C" uint64_t zc_xap_mset_estimated(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_estimated() : 0;
}

extern "C" uint64_t zc_xap_mset_lower_bound(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_lower_bound() : 0;
}

extern "C" uint64_t zc_xap_mset_upper_bound(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_upper_bound() : 0;
}

extern "C" double zc_xap_mset_max_attained(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_max_attained() : 0;
}

extern "C" zc_status zc_xap_mset_hit(const zc_xap_mset *ms, size_t i, uint32_t *docid,
                                     double *weight, zc_error *err)
{
    static const char what[] = "reading hit";
    if (docid)
        *docid = 0;
    if (weight)
        *weight = 0;
    return guarded(err, what, [&] {
        if (ms == NULL || i >= ms->mset.size())
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no hit %zu", what, i);
        Xapian::MSetIterator it = ms->mset[(Xapian::doccount)i];
        if (docid)
            *docid = *it;
        if (weight)
            *weight = it.get_weight();
        return ZC_OK;
    });
}

/* Reads hit i's document through f(doc); on the errors read_retry retries
 * the database is reopened and the document fetched again by docid. */
template <class F>
static void with_hit_doc(const zc_xap_mset *ms, size_t i, F f)
{
    Xapian::MSetIterator it = ms->mset[(Xapian::doccount)i];
    Xapian::docid id = *it;
    try {
        f(it.get_document());
    } catch (const Xapian::DatabaseOpeningError &) {
        throw;
    } catch (const Xapian::DatabaseError &) {
        /* ms is const to the caller; its database copy is ours to move. */
        Xapian::Database &db = const_cast<Xapian::Database &>(ms->db);
        db.reopen();
        f(db.get_document(id));
    }
}

/* The body of zc_xap_mset_hit_data and _value: copies get(hit i's document)
 * out, through with_hit_doc's reopen. */
template <class F>
static zc_status read_hit_string(const zc_xap_mset *ms, size_t i, char **out,
                                 size_t *len_out, zc_error *err, const char *what, F get)
{
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (ms == NULL || out == NULL || i >= ms->mset.size())
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no hit %zu", what, i);
        std::string s;
        with_hit_doc(ms, i, [&](const Xapian::Document &d) { s = get(d); });
        return dup_out(s, out, len_out, err, what);
    });
}

extern "C" zc_status zc_xap_mset_hit_data(const zc_xap_mset *ms, size_t i, char **out,
                                          size_t *len_out, zc_error *err)
{
    return read_hit_string(ms, i, out, len_out, err, "reading hit data",
                           [](const Xapian::Document &d) { return d.get_data(); });
}

extern "C" zc_status zc_xap_mset_hit_value(const zc_xap_mset *ms, size_t i, unsigned slot,
                                           char **out, size_t *len_out, zc_error *err)
{
    return read_hit_string(ms, i, out, len_out, err, "reading hit value",
                           [slot](const Xapian::Document &d) { return d.get_value(slot); });
}

extern "C" zc_status zc_xap_mset_hit_values(const zc_xap_mset *ms, size_t i,
                                            const unsigned *slots, size_t n, char **out,
                                            size_t *lens, zc_error *err)
{
    static const char what[] = "reading hit values";
    for (size_t k = 0; out != NULL && k < n; k++) {
        out[k] = NULL;
        if (lens)
            lens[k] = 0;
    }
    zc_status st = guarded(err, what, [&] {
        if (ms == NULL || out == NULL || (n > 0 && slots == NULL) || i >= ms->mset.size())
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no hit %zu", what, i);
        std::vector<std::string> v(n);
        with_hit_doc(ms, i, [&](const Xapian::Document &d) {
            for (size_t k = 0; k < n; k++)
                v[k] = d.get_value(slots[k]);
        });
        for (size_t k = 0; k < n; k++) {
            zc_status s2 = dup_out(v[k], &out[k], lens ? &lens[k] : NULL, err, what);
            if (s2 != ZC_OK)
                return s2;
        }
        return ZC_OK;
    });
    if (st != ZC_OK && out != NULL)
        for (size_t k = 0; k < n; k++) {
            free(out[k]);
            out[k] = NULL;
        }
    return st;
}

extern "C" size_t zc_xap_mset_facet_size(const zc_xap_mset *ms, size_t k)
{
    if (ms == NULL || k >= ms->facets.size())
        return 0;
    return ms->facets[k].values.size();
}

extern "C" zc_status zc_xap_mset_facet_value(const zc_xap_mset *ms, size_t k, size_t j,
                                             const char **value, size_t *len,
                                             uint64_t *count, zc_error *err)
{
    static const char what[] = "reading facet";
    if (value)
        *value = NULL;
    if (len)
        *len = 0;
    if (count)
        *count = 0;
    if (ms == NULL || k >= ms->facets.size() || j >= ms->facets[k].values.size())
        return zc_error_set(err, ZC_EINVAL, NULL, "%s: no facet value %zu of facet %zu",
                            what, j, k);
    const auto &v = ms->facets[k].values[j];
    if (value)
        *value = v.first.c_str();
    if (len)
        *len = v.first.size();
    if (count)
        *count = v.second;
    return ZC_OK;
}
