/* xapian.h — a C face over xapian-core 1.4, the only C++ in zhengce.
 *
 * Owns: every Xapian object the engine uses, behind opaque handles.
 * Must never: let a C++ exception cross into C.  Every function catches
 * everything and maps it (one function, xapian_error.cc) to a zc_status with the
 * exception's message:
 *   DatabaseLockError -> ZC_ELOCKED, DatabaseNotFoundError/DatabaseOpeningError
 *   on a missing path -> ZC_ENOTFOUND, DatabaseCorruptError -> ZC_ECORRUPT,
 *   DatabaseModifiedError -> ZC_EMODIFIED (only if a reopen-and-retry inside
 *   the wrapper failed too), DatabaseVersionError -> ZC_EVERSION,
 *   std::bad_alloc -> ZC_ENOMEM, other DatabaseError (disk full, I/O)
 *   -> ZC_EIO, InvalidArgumentError/QueryParserError -> ZC_EINVAL,
 *   anything else -> ZC_EINTERNAL.
 *
 * The implementation is split by what each file owns: xapian_error.cc (the
 * exception mapping), xapian_db.cc (open, reopen, reads), xapian_write.cc,
 * xapian_spelling.cc, xapian_doc.cc, xapian_stem.cc, xapian_query.cc,
 * xapian_search.cc (Enquire and match sets); xapian_internal.h holds what
 * they share.  Every query and search is shard-safe: nothing depends on one
 * database's docids or on a class a stock xapian-tcpsrv cannot unserialise.
 * Test-only faces of Xapian (its QueryParser, TermGenerator, MSet::snippet,
 * several databases as one) live in tests/unit/xapian_testutil.h.
 *
 * Conventions: text is (ptr, len); every function returns a zc_status and
 * fills the optional zc_error; out-pointers are NULL on failure; every *_free
 * accepts NULL.  A handle is used by one thread at a time.
 */
#ifndef ZC_XAPIAN_H
#define ZC_XAPIAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/zc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_xap_db zc_xap_db;
typedef struct zc_xap_doc zc_xap_doc;
typedef struct zc_xap_query zc_xap_query;
typedef struct zc_xap_mset zc_xap_mset;
typedef struct zc_xap_stem zc_xap_stem;

/* ---- Databases -------------------------------------------------------- */

/* How zc_xap_db_open opens: the same values as zhengce.h's ZC_OPEN_*
 * (the wrapper sits below the library and cannot see them; index.c checks
 * that they agree). */
enum {
    ZC_XAP_OPEN_READ = 0,    /* read-only; the directory must hold a database */
    ZC_XAP_OPEN_WRITE = 1,   /* read-write; the database must exist */
    ZC_XAP_OPEN_CREATE = 2   /* read-write; created if missing */
};

/* Opens a glass database in directory `path` (NUL-terminated).
 * mode: ZC_XAP_OPEN_READ, _WRITE or _CREATE.
 * Returns new; free with zc_xap_db_close. */
zc_status zc_xap_db_open(const char *path, int mode, zc_xap_db **out, zc_error *err);

/* Closes (a writable database is closed without committing).  Accepts NULL. */
void zc_xap_db_close(zc_xap_db *db);

int zc_xap_db_is_writable(const zc_xap_db *db);

/* Read handles: move to the newest revision.  *changed (may be NULL) is 1 if
 * the revision moved. */
zc_status zc_xap_db_reopen(zc_xap_db *db, int *changed, zc_error *err);

zc_status zc_xap_db_doc_count(zc_xap_db *db, uint64_t *out, zc_error *err);
zc_status zc_xap_db_revision(zc_xap_db *db, uint64_t *out, zc_error *err);

/* Number of documents indexing `term` (0 if none). */
zc_status zc_xap_db_term_freq(zc_xap_db *db, const char *term, size_t len,
                              uint64_t *out, zc_error *err);

/* First document id holding `term`, or 0 if none (a boolean lookup such as
 * the unique id term). */
zc_status zc_xap_db_find_term(zc_xap_db *db, const char *term, size_t len,
                              uint32_t *docid_out, zc_error *err);

/* Document data and values by Xapian docid.  ZC_ENOTFOUND if no such doc.
 * *out: returns new (NUL-terminated, may hold NULs); free with free(). */
zc_status zc_xap_db_doc_data(zc_xap_db *db, uint32_t docid, char **out,
                             size_t *len_out, zc_error *err);
zc_status zc_xap_db_doc_value(zc_xap_db *db, uint32_t docid, unsigned slot,
                              char **out, size_t *len_out, zc_error *err);

/* Metadata (user key/value store, part of the committed state).
 * A missing key gives an empty string.  *out: returns new; free with free(). */
zc_status zc_xap_db_get_metadata(zc_xap_db *db, const char *key, char **out,
                                 size_t *len_out, zc_error *err);
zc_status zc_xap_db_set_metadata(zc_xap_db *db, const char *key,
                                 const char *val, size_t len, zc_error *err);

/* Writes (writable handles only, else ZC_EREADONLY).
 * replace_by_term: replaces every document indexed by the unique `term`
 * with `doc` (inserts if none).  `doc` is borrowed. */
zc_status zc_xap_db_replace_by_term(zc_xap_db *db, const char *term, size_t len,
                                    const zc_xap_doc *doc, zc_error *err);
zc_status zc_xap_db_delete_by_term(zc_xap_db *db, const char *term, size_t len,
                                   zc_error *err);
/* Atomically makes all pending changes durable (fsync'd) and visible. */
zc_status zc_xap_db_commit(zc_xap_db *db, zc_error *err);

/* Spelling table (WritableDatabase::add_spelling): adds freq_inc to word's
 * frequency as a correction target.  Writable handles only (ZC_EREADONLY);
 * part of the pending changes like any write. */
zc_status zc_xap_db_add_spelling(zc_xap_db *db, const char *word, size_t len,
                                 unsigned freq_inc, zc_error *err);
/* Database::get_spelling_suggestion: the most frequent spelling-table word
 * within max_edit_distance edits of word, or "" when there is none.
 * *out: returns new, NUL-terminated; free with free(). */
zc_status zc_xap_db_spelling_suggestion(zc_xap_db *db, const char *word, size_t len,
                                        unsigned max_edit_distance, char **out,
                                        size_t *len_out, zc_error *err);

/* Runs Xapian's consistency check on the database at `path`.  *errors_out
 * gets the number of errors found (0 = consistent).  A database that cannot
 * even be opened returns its status (ZC_ECORRUPT, ZC_ENOTFOUND ...). */
zc_status zc_xap_db_check(const char *path, uint64_t *errors_out, zc_error *err);

/* ---- Documents -------------------------------------------------------- */

/* Returns new; free with zc_xap_doc_free. */
zc_status zc_xap_doc_new(zc_xap_doc **out, zc_error *err);
void zc_xap_doc_free(zc_xap_doc *doc);
zc_status zc_xap_doc_set_data(zc_xap_doc *doc, const char *data, size_t len,
                              zc_error *err);
zc_status zc_xap_doc_add_value(zc_xap_doc *doc, unsigned slot, const char *val,
                               size_t len, zc_error *err);
/* A term without position; wdf grows by wdf_inc. */
zc_status zc_xap_doc_add_term(zc_xap_doc *doc, const char *term, size_t len,
                              unsigned wdf_inc, zc_error *err);
/* A term with wdf 0 (filters: id, lang, year, exact issuer). */
zc_status zc_xap_doc_add_boolean_term(zc_xap_doc *doc, const char *term,
                                      size_t len, zc_error *err);
/* A term at position pos; wdf grows by wdf_inc. */
zc_status zc_xap_doc_add_posting(zc_xap_doc *doc, const char *term, size_t len,
                                 uint32_t pos, unsigned wdf_inc, zc_error *err);
/* Number of distinct terms (for tests). */
size_t zc_xap_doc_term_count(const zc_xap_doc *doc);

/* ---- Stemming --------------------------------------------------------- */

/* stem_lang: a Xapian stemmer name ("english").  Returns new; free with
 * zc_xap_stem_free.  ZC_EINVAL for an unknown language. */
zc_status zc_xap_stem_new(const char *stem_lang, zc_xap_stem **out, zc_error *err);
void zc_xap_stem_free(zc_xap_stem *st);
/* Writes the stem of word into buf (not NUL-terminated if it fills buf
 * exactly; *out_len is the full stem length, which may exceed bufsize, in
 * which case only bufsize bytes were written). */
zc_status zc_xap_stem_word(zc_xap_stem *st, const char *word, size_t len,
                           char *buf, size_t bufsize, size_t *out_len,
                           zc_error *err);

/* ---- Queries ---------------------------------------------------------- */

typedef enum zc_xap_op {
    ZC_XAP_OP_AND,
    ZC_XAP_OP_OR,
    ZC_XAP_OP_AND_NOT,    /* first AND NOT (OR of the rest) */
    ZC_XAP_OP_AND_MAYBE,  /* first, with the rest only adding weight */
    ZC_XAP_OP_FILTER,     /* first, restricted by the rest, no weight from them */
    ZC_XAP_OP_PHRASE,     /* subqueries (terms) in order within `window` positions */
    ZC_XAP_OP_NEAR,       /* subqueries (terms) in any order within `window` */
    ZC_XAP_OP_SYNONYM,    /* OR, weighted as one term */
    ZC_XAP_OP_ELITE_SET
} zc_xap_op;

/* A term query.  pos is its query position (0 = none).
 * Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_term(const char *term, size_t len, unsigned wqf,
                            unsigned pos, zc_xap_query **out, zc_error *err);
/* Combines borrowed subqueries (copied inside; the caller still frees them).
 * window: for PHRASE/NEAR, 0 = the number of subqueries.
 * Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_combine(zc_xap_op op, zc_xap_query *const *subs, size_t n,
                               unsigned window, zc_xap_query **out, zc_error *err);
/* Documents whose value in `slot` lies in [lo, hi] (string order).  lo or hi
 * may be NULL for an open end.  Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_value_range(unsigned slot, const char *lo, size_t lo_len,
                                   const char *hi, size_t hi_len,
                                   zc_xap_query **out, zc_error *err);
/* q's weight times factor (>= 0).  Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_scale(const zc_xap_query *q, double factor,
                             zc_xap_query **out, zc_error *err);
/* A weight per document from the value in `slot`: weights[i] for the value
 * keys[i] ((ptr, len) pairs, n of them), default_weight for any other value
 * or none; matches every document.  Xapian's built-in
 * ValueMapPostingSource, which a stock xapian-tcpsrv unserialises, so a
 * ranking prior built on it works on remote shards.  Weights >= 0.
 * Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_value_map(unsigned slot, const char *const *keys, const size_t *lens,
                                 const double *weights, size_t n, double default_weight,
                                 zc_xap_query **out, zc_error *err);
/* Every document.  Returns new; free with zc_xap_query_free. */
zc_status zc_xap_query_match_all(zc_xap_query **out, zc_error *err);
/* q restricted to the documents indexed by one of the boolean terms
 * terms[0..n) ((ptr, len) pairs, any order, duplicates ignored; meant for
 * unique id terms), the restriction pushed down the AND_MAYBE and FILTER
 * nodes so that no part of q reads positions elsewhere: Xapian's OP_FILTER
 * by an OR of the terms (wqf 0), so q's weights are unchanged.  known (may
 * be NULL): a query whose chain of boosts is the inner part of q's — the
 * first pass that chose the documents — whose boosts are not restricted
 * again, and db (may be NULL: every one) tells which boosts have so few
 * candidates that skipping along them costs less than filtering them (see
 * restrict_to in xapian_query.cc).  Terms, not docids: the
 * query means the same over one database, a set of shards or a remote one
 * (xapian-tcpsrv unserialises it).  n 0 matches nothing.  Returns new;
 * free with zc_xap_query_free. */
zc_status zc_xap_query_only_terms(const zc_xap_db *db, const zc_xap_query *q,
                                  const zc_xap_query *known, const char *const *terms,
                                  const size_t *lens, size_t n, zc_xap_query **out,
                                  zc_error *err);

int zc_xap_query_is_empty(const zc_xap_query *q);
/* Xapian's description of q, for debugging and tests.  Returns new; free
 * with free(). */
char *zc_xap_query_describe(const zc_xap_query *q);
void zc_xap_query_free(zc_xap_query *q);

/* ---- Searching -------------------------------------------------------- */

#define ZC_XAP_MAX_FACETS 8

typedef struct zc_xap_search_params {
    const zc_xap_query *query;   /* borrowed */
    uint32_t offset;
    uint32_t limit;
    uint32_t check_at_least;     /* 0 = Xapian's default; docs count = exact totals */
    int sort_slot;               /* -1 = relevance */
    int sort_descending;         /* with sort_slot: 1 = highest value first */
    double time_limit_s;         /* 0 = none (Enquire::set_time_limit) */
    const unsigned *facet_slots; /* value slots to count over the whole match set */
    size_t n_facet_slots;        /* <= ZC_XAP_MAX_FACETS */
    /* Weighting: BM25Weight(k1, k2 = 0, k3 = 1, b, min_normlen = 0.5) when
     * bm25_k1 > 0; 0 (a zeroed struct) keeps Xapian's default BM25 (k1 1,
     * b 0.5).  bm25_b in [0, 1]. */
    double bm25_k1;
    double bm25_b;
    /* Collapsing (Enquire::set_collapse_key): with collapse set, at most
     * collapse_max (0 = 1) documents per value of collapse_slot, the best
     * in the search's order; documents without a value are never
     * collapsed.  Facet slots count before collapsing (Xapian calls match
     * spies on every match, collapsed or not), and the bounds and estimate
     * count what is left after it. */
    int collapse;
    unsigned collapse_slot;
    unsigned collapse_max;
} zc_xap_search_params;

/* Runs the query.  A DatabaseModifiedError is handled inside: reopen, retry
 * once.  *timed_out (may be NULL) is set when Xapian stopped at the time limit.
 * Returns new; free with zc_xap_mset_free. */
zc_status zc_xap_search(zc_xap_db *db, const zc_xap_search_params *params,
                        zc_xap_mset **out, int *timed_out, zc_error *err);
void zc_xap_mset_free(zc_xap_mset *ms);

size_t zc_xap_mset_size(const zc_xap_mset *ms);
uint64_t zc_xap_mset_estimated(const zc_xap_mset *ms);
uint64_t zc_xap_mset_lower_bound(const zc_xap_mset *ms);
uint64_t zc_xap_mset_upper_bound(const zc_xap_mset *ms);

/* The highest weight of any match (MSet::get_max_attained): 0 when none
 * matched or every weight is 0. */
double zc_xap_mset_max_attained(const zc_xap_mset *ms);

/* Hit i (0-based within this mset): docid and weight. */
zc_status zc_xap_mset_hit(const zc_xap_mset *ms, size_t i, uint32_t *docid,
                          double *weight, zc_error *err);
/* Hit i's data or value.  *out: returns new; free with free(). */
zc_status zc_xap_mset_hit_data(const zc_xap_mset *ms, size_t i, char **out,
                               size_t *len_out, zc_error *err);
zc_status zc_xap_mset_hit_value(const zc_xap_mset *ms, size_t i, unsigned slot,
                                char **out, size_t *len_out, zc_error *err);

/* Hit i's values of slots[0..n) in one read of its document: out[k]
 * returns new (free each with free(); "" when absent), lens[k] its length.
 * On failure every out[k] is NULL. */
zc_status zc_xap_mset_hit_values(const zc_xap_mset *ms, size_t i, const unsigned *slots,
                                 size_t n, char **out, size_t *lens, zc_error *err);

/* Facet k (index into params.facet_slots): number of distinct values, and
 * value j (most frequent first; ties by value).  *value borrowed until
 * zc_xap_mset_free. */
size_t zc_xap_mset_facet_size(const zc_xap_mset *ms, size_t k);
zc_status zc_xap_mset_facet_value(const zc_xap_mset *ms, size_t k, size_t j,
                                  const char **value, size_t *len,
                                  uint64_t *count, zc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ZC_XAPIAN_H */
