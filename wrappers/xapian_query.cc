/* xapian_query.cc — building Xapian queries from C (zc_xap_query).
 *
 * Owns: the zc_xap_query handle and the mapping of zc_xap_op to Xapian's
 * operators.
 * Must never: build a query a stock xapian-tcpsrv could not unserialise
 * (no PostingSource, MatchDecider or KeyMaker of ours), or one whose
 * meaning depends on a single database's docids: an index may be a set of
 * local and remote shards (docs/style: "Nothing in the search path depends
 * on one Xapian database's docids").  Only Xapian's built-in operators,
 * terms and posting sources (ValueMapPostingSource, for the authority
 * prior) are used, so Query::serialise() of every query built here
 * unserialises with the default Registry.
 */
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

zc_status zc_xap_impl::new_query(Xapian::Query q, zc_xap_query **out)
{
    *out = new zc_xap_query{std::move(q)};
    return ZC_OK;
}

extern "C" zc_status zc_xap_query_term(const char *term, size_t len, unsigned wqf,
                                       unsigned pos, zc_xap_query **out, zc_error *err)
{
    static const char what[] = "term query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL || term == NULL || len == 0)
            return bad_args(err, what);
        return new_query(Xapian::Query(std::string(term, len), wqf, pos), out);
    });
}

extern "C" zc_status zc_xap_query_combine(zc_xap_op op, zc_xap_query *const *subs,
                                          size_t n, unsigned window,
                                          zc_xap_query **out, zc_error *err)
{
    static const char what[] = "combining queries";
    if (out)
        *out = NULL;
    /* A C caller may pass any int here; in C++ reading an enum holding a
     * value outside its range is undefined (UBSan: "not a valid value for
     * type"), so the value is read as the int it is. */
    int opv;
    static_assert(sizeof opv == sizeof op, "zc_xap_op is an int");
    std::memcpy(&opv, &op, sizeof opv);
    return guarded(err, what, [&] {
        if (out == NULL || (subs == NULL && n > 0))
            return bad_args(err, what);
        std::vector<Xapian::Query> qs;
        qs.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (subs[i] == NULL)
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: subquery %zu is NULL",
                                    what, i);
            qs.push_back(subs[i]->q);
        }
        Xapian::Query::op xop;
        switch (opv) {
        case ZC_XAP_OP_AND: xop = Xapian::Query::OP_AND; break;
        case ZC_XAP_OP_OR: xop = Xapian::Query::OP_OR; break;
        case ZC_XAP_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
        case ZC_XAP_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case ZC_XAP_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
        case ZC_XAP_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
        case ZC_XAP_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
        case ZC_XAP_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
        case ZC_XAP_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
        default:
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: unknown operator %d",
                                what, opv);
        }
        if (n > 2 && (opv == ZC_XAP_OP_AND_NOT || opv == ZC_XAP_OP_AND_MAYBE ||
                      opv == ZC_XAP_OP_FILTER)) {
            /* The contract of xapian.h, spelled out rather than relying on
             * how Xapian folds a multi-way binary operator: AND_NOT and
             * AND_MAYBE take the OR of the rest; FILTER requires all of them. */
            Xapian::Query::op rest_op =
                op == ZC_XAP_OP_FILTER ? Xapian::Query::OP_AND : Xapian::Query::OP_OR;
            Xapian::Query rest(rest_op, qs.begin() + 1, qs.end());
            return new_query(Xapian::Query(xop, qs[0], rest), out);
        }
        Xapian::termcount param = 0;
        if (op == ZC_XAP_OP_PHRASE || op == ZC_XAP_OP_NEAR || op == ZC_XAP_OP_ELITE_SET)
            param = window; /* 0 = Xapian's default (number of subqueries) */
        return new_query(Xapian::Query(xop, qs.begin(), qs.end(), param), out);
    });
}

extern "C" zc_status zc_xap_query_value_range(unsigned slot, const char *lo, size_t lo_len,
                                              const char *hi, size_t hi_len,
                                              zc_xap_query **out, zc_error *err)
{
    static const char what[] = "value range query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL)
            return bad_args(err, what);
        if (lo != NULL && hi != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                           std::string(lo, lo_len),
                                           std::string(hi, hi_len)),
                             out);
        if (lo != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
                                           std::string(lo, lo_len)),
                             out);
        if (hi != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
                                           std::string(hi, hi_len)),
                             out);
        /* Both ends open: every document holding a value in the slot.  An
         * empty value means "no value" to Xapian, and every non-empty
         * string sorts at or above a single NUL byte. */
        return new_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(1, '\0')),
                         out);
    });
}

extern "C" zc_status zc_xap_query_scale(const zc_xap_query *q, double factor,
                                        zc_xap_query **out, zc_error *err)
{
    static const char what[] = "scaling query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (q == NULL || out == NULL)
            return bad_args(err, what);
        if (!(factor >= 0) || std::isinf(factor))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: factor %g is not >= 0",
                                what, factor);
        return new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    });
}

/* 1 if q checks positions somewhere (a PHRASE or NEAR in it). */
static bool positional(const Xapian::Query &q)
{
    Xapian::Query::op type = q.get_type();
    if (type == Xapian::Query::OP_PHRASE || type == Xapian::Query::OP_NEAR)
        return true;
    size_t n = q.get_num_subqueries();
    for (size_t i = 0; i < n; i++)
        if (positional(q.get_subquery(i)))
            return true;
    return false;
}

/* The AND_MAYBE right sides on q's chain of left sides (through FILTER
 * and weight-scaling nodes): how many boosts q adds to its innermost left
 * side. */
static size_t boost_depth(const Xapian::Query &q)
{
    Xapian::Query::op type = q.get_type();
    size_t n = q.get_num_subqueries();
    if (type == Xapian::Query::OP_SCALE_WEIGHT && n == 1)
        return boost_depth(q.get_subquery(0));
    if ((type != Xapian::Query::OP_AND_MAYBE && type != Xapian::Query::OP_FILTER) || n < 2)
        return 0;
    return boost_depth(q.get_subquery(0)) + (type == Xapian::Query::OP_AND_MAYBE ? n - 1 : 0);
}

/* The fewest documents any one term of q is in (q's candidates for a
 * phrase or NEAR are at most that many). */
static Xapian::doccount fewest_docs(const Xapian::Database &db, const Xapian::Query &q)
{
    Xapian::doccount least = db.get_doccount();
    for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
        least = std::min(least, db.get_termfreq(*t));
    return least;
}

/* How the restriction is pushed down (restrict_to). */
struct restriction {
    const Xapian::Database *db;
    Xapian::Query only;          /* OP_OR of the id terms */
    size_t known;                /* innermost boosts left as they are */
    Xapian::doccount worth;      /* push into a boost whose terms are each in
                                  * at least this many documents */
};

/* q with r.only pushed down its AND_MAYBE and FILTER nodes: the left side
 * filtered, nested ones too, and the AND_MAYBE right sides that would
 * otherwise scan.  Filtering the top alone leaves a right side that checks
 * positions to skip ahead from document to document until it matches,
 * checking positions all the way (Xapian's skip_to); filtered, it looks at
 * the listed documents only.  But each filter costs a look-up of every
 * term of r.only (0.2 ms for 100 id terms), so a right side is filtered
 * only when it checks positions, lies past the r.known innermost boosts
 * (the pass that chose the listed documents evaluated those over every
 * match already, so skipping along them again costs at most what that
 * pass did), and has candidates enough for the scan to cost more than the
 * filter (each of its terms in at least r.worth documents).  The weights
 * are the same either way: a filter adds 0 to a document's weight and
 * removes no document the left side keeps. */
static Xapian::Query restrict_to(const Xapian::Query &q, const restriction &r, size_t known)
{
    size_t n = q.get_num_subqueries();
    Xapian::Query::op type = q.get_type();
    bool maybe = type == Xapian::Query::OP_AND_MAYBE;
    if (n < 2 || (!maybe && type != Xapian::Query::OP_FILTER))
        return Xapian::Query(Xapian::Query::OP_FILTER, q, r.only);
    /* a FILTER's right sides (boolean) as they are */
    Xapian::Query left = q.get_subquery(0);
    size_t level = boost_depth(left);
    Xapian::Query acc = restrict_to(left, r, known);
    for (size_t i = 1; i < n; i++) {
        Xapian::Query right = q.get_subquery(i);
        bool push = maybe && ++level > known && positional(right) &&
                    (r.db == NULL || fewest_docs(*r.db, right) >= r.worth);
        acc = Xapian::Query(type, acc, push ? restrict_to(right, r, 0) : right);
    }
    return acc;
}

extern "C" zc_status zc_xap_query_only_terms(const zc_xap_db *db, const zc_xap_query *q,
                                             const zc_xap_query *known,
                                             const char *const *terms, const size_t *lens,
                                             size_t n, zc_xap_query **out, zc_error *err)
{
    static const char what[] = "term filter";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (q == NULL || out == NULL || ((terms == NULL || lens == NULL) && n > 0))
            return bad_args(err, what);
        std::vector<std::string> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (terms[i] == NULL || lens[i] == 0)
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: term %zu is empty", what, i);
            v.emplace_back(terms[i], lens[i]);
        }
        /* Sorted and unique, so the same documents give the same query
         * whatever their order. */
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        std::vector<Xapian::Query> subs;
        subs.reserve(v.size());
        /* wqf 0: a filter term adds nothing to the query's length, as the
         * docid posting source it replaces added nothing. */
        for (const std::string &t : v)
            subs.emplace_back(t, 0);
        Xapian::Query only(Xapian::Query::OP_OR, subs.begin(), subs.end());
        if (only.empty())
            return new_query(Xapian::Query::MatchNothing, out);
        /* A scan checks positions of one document in about the time a
         * filter spends on one id term (measured: 0.2 ms either way for
         * 100 terms or ~100 short candidates), so a boost is filtered when
         * its candidates may outnumber the terms. */
        restriction r = {db ? &db->db : NULL, only, known ? boost_depth(known->q) : 0,
                         (Xapian::doccount)v.size()};
        return new_query(restrict_to(q->q, r, r.known), out);
    });
}

extern "C" zc_status zc_xap_query_value_map(unsigned slot, const char *const *keys,
                                           const size_t *lens, const double *weights,
                                           size_t n, double default_weight,
                                           zc_xap_query **out, zc_error *err)
{
    static const char what[] = "value map query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL || (n > 0 && (keys == NULL || lens == NULL || weights == NULL)))
            return bad_args(err, what);
        if (!(default_weight >= 0) || std::isinf(default_weight))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: weight %g is not >= 0", what,
                                default_weight);
        std::unique_ptr<Xapian::ValueMapPostingSource> src(
            new Xapian::ValueMapPostingSource((Xapian::valueno)slot));
        for (size_t i = 0; i < n; i++) {
            if (keys[i] == NULL || !(weights[i] >= 0) || std::isinf(weights[i]))
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: mapping %zu is not valid",
                                    what, i);
            src->add_mapping(std::string(keys[i], lens[i]), weights[i]);
        }
        src->set_default_weight(default_weight);
        /* release(): the query owns the source from here (reference
         * counted), so it lives as long as any copy of the query. */
        return new_query(Xapian::Query(src.release()->release()), out);
    });
}

extern "C" zc_status zc_xap_query_match_all(zc_xap_query **out, zc_error *err)
{
    static const char what[] = "match-all query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL)
            return bad_args(err, what);
        return new_query(Xapian::Query::MatchAll, out);
    });
}

extern "C" int zc_xap_query_is_empty(const zc_xap_query *q)
{
    return q == NULL || q->q.empty();
}

extern "C" char *zc_xap_query_describe(const zc_xap_query *q)
{
    if (q == NULL)
        return NULL;
    try {
        char *s = NULL;
        if (dup_out(q->q.get_description(), &s, NULL, NULL, "") != ZC_OK)
            return NULL;
        return s;
    } catch (...) {
        return NULL;
    }
}

extern "C" void zc_xap_query_free(zc_xap_query *q)
{
    delete q;
}
