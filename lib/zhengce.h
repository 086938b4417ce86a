/* zhengce.h — the public C API of libzhengce, a full-text search engine for
 * policy texts in Chinese, English or both.
 *
 * This is the only public header.  Everything the programs (zhengce-indexer,
 * zhengce-searchd, zhengce) do, they do through these functions.
 *
 * Conventions (one rule each):
 *  - Every fallible function returns a zc_status; ZC_OK is 0.  On failure the
 *    optional zc_error out-parameter (may be NULL) is filled with the status,
 *    the name of the offending field or option (may be empty) and a message;
 *    pointer out-parameters are set to NULL and counts to 0.
 *  - Text is UTF-8, passed as (pointer, length); lengths are in bytes.
 *    Functions that take a NUL-terminated string say so.
 *  - Ownership is written next to every function: "returns new; free with X",
 *    "borrowed until Y", "takes ownership".  Every *_free accepts NULL.
 *  - The library never prints, never exits and never reads configuration
 *    (one exception, the cache directory's default: see zc_set_cache_dir).
 *
 * Thread-safety: the library has no global mutable state after
 * zc_global_init().  A zc_index handle (and every object derived from it,
 * such as zc_results) must be used by one thread at a time; open one handle
 * per thread to search in parallel.  Many read handles and one write handle
 * may be open on the same index, in one or several processes.
 */
#ifndef ZHENGCE_H
#define ZHENGCE_H

#include <stddef.h>
#include <stdint.h>

/* zc_status, zc_error, zc_status_name, and ZC_API, the mark of what the
 * library exports */
#include "zc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_VERSION_STRING "0.1.0"

/* ---- Status and errors ------------------------------------------------ */

/* The arrows name the protocol error code each status becomes; that table
 * lives in the protocol layer (protocol/reply.c), not in the library. */
/* zc_status, zc_error: in zc_status.h, the types every layer of zhengce
 * shares (installed beside this header). */

/* Returns the library version, e.g. "0.1.0".  Static string. */
ZC_API const char *zc_version(void);

/* Loads process-wide read-only data: the Traditional->Simplified converter
 * and the word segmenter's dictionary.  Optional; without it the work
 * happens on demand: the converter at the first zc_index_open, the
 * dictionary at the first search on (or document added to) a "words" or
 * "hybrid" index.  Either way it happens once per process, and a search's
 * zc_results_took_ms never counts it.  Its cost: ~5 ms when the cache
 * directory (zc_set_cache_dir) holds valid tables, else ~0.2 s to derive
 * them from friso's and OpenCC's data (then they are saved there for the
 * next process).  A daemon calls it at start so no request waits.
 * Thread-safe and idempotent. */
ZC_API zc_status zc_global_init(zc_error *err);

/* Sets the directory (NUL-terminated; copied) where the library caches the
 * tables it derives from the segmenter's dictionary and the converter's data
 * (two files, ~8 MB; each is checked against a stamp of its sources and a
 * checksum when read, rebuilt when stale or damaged, and replaced
 * atomically, so processes may share the directory).  NULL or "" turns the
 * cache off.  Default, when never called: $XDG_CACHE_HOME/zhengce, else
 * $HOME/.cache/zhengce, else no cache (the only environment variables the
 * library reads).  The directory is created when missing; one that cannot
 * be written only costs each process the ~0.2 s build.  Takes effect for
 * what is not loaded yet: call it before zc_global_init and zc_index_open.
 * ZC_ETOOLONG for a name of 4096 bytes or more. */
ZC_API zc_status zc_set_cache_dir(const char *dir, zc_error *err);

/* ---- Index ------------------------------------------------------------ */

typedef struct zc_index zc_index;

enum {
    ZC_OPEN_READ = 0,        /* read-only; the directory must hold an index */
    ZC_OPEN_WRITE = 1,       /* read-write; the index must exist */
    ZC_OPEN_CREATE = 2       /* read-write; create the index if missing */
};

/* Opens the index in directory `path` (NUL-terminated).  A writable open
 * takes the index's write lock: a second writer gets ZC_ELOCKED.
 * An index written by an incompatible format gets ZC_EVERSION with a message
 * telling the user to rebuild it.  Returns new; free with zc_index_close. */
ZC_API zc_status zc_index_open(const char *path, int mode, zc_index **out,
                               zc_error *err);

/* Opens the index in directory `path` for writing, creating it if missing
 * (ZC_OPEN_CREATE), with the analyzer `analyzer` (NUL-terminated: "ngram",
 * "words" or "hybrid"; NULL = the default, hybrid).  The analyzer is fixed
 * when the index is created and recorded in it; every later open (any
 * mode) analyzes documents and queries with the index's own analyzer.
 * ZC_EINVAL (field "analyzer") for an unknown name, or when the index
 * exists with another analyzer.  Returns new; free with zc_index_close. */
ZC_API zc_status zc_index_create(const char *path, const char *analyzer,
                                 zc_index **out, zc_error *err);

/* The index's analyzer name ("ngram", "words", "hybrid").  Static string;
 * NULL for a NULL handle. */
ZC_API const char *zc_index_analyzer(const zc_index *idx);

/* Commits nothing: uncommitted changes of a writable handle are discarded
 * unless zc_index_commit was called.  Accepts NULL. */
ZC_API void zc_index_close(zc_index *idx);

/* Read handles: moves to the latest committed revision.  *changed (may be
 * NULL) is set to 1 if the revision moved. */
ZC_API zc_status zc_index_reopen(zc_index *idx, int *changed, zc_error *err);

/* Number of documents (committed, for a reader; including pending changes,
 * for a writer). */
ZC_API zc_status zc_index_doc_count(zc_index *idx, uint64_t *out, zc_error *err);

/* The index's committed revision number. */
ZC_API zc_status zc_index_revision(zc_index *idx, uint64_t *out, zc_error *err);

/* Validates a JSON document (protocol.md, "Documents") and inserts or replaces
 * it by id.  On a validation error returns ZC_EINVAL naming the field in
 * err->field and leaves the index unchanged.  If id_out is not NULL it gets
 * the document's id (returns new; free with zc_free).  The change is pending
 * until zc_index_commit. */
ZC_API zc_status zc_index_add_json(zc_index *idx, const char *json, size_t len,
                                   char **id_out, zc_error *err);

/* Prepared documents: an add in two halves, so that analysis (parse,
 * validate, normalize, segment, build the terms) can run on one thread
 * while another writes into the index.  zc_index_add_json(idx, doc) is
 * zc_prepare_json on the handle's own analyzer + zc_index_add_prepared.
 *
 * A preparer analyzes documents for one index (its analyzer mode); it holds
 * its own analyzer, so each thread needs its own, and it does not use idx
 * after zc_preparer_new returns.  *out: returns new; free with
 * zc_preparer_free (accepts NULL). */
typedef struct zc_preparer zc_preparer;
typedef struct zc_prepared zc_prepared;
ZC_API zc_status zc_preparer_new(zc_index *idx, zc_preparer **out, zc_error *err);
ZC_API void zc_preparer_free(zc_preparer *p);

/* Parses, validates and analyzes one document, with the same checks and
 * errors as zc_index_add_json (ZC_EINVAL naming the field, ...); touches no
 * index.  *out: returns new; hand it to zc_index_add_prepared or free it
 * with zc_prepared_free (accepts NULL). */
ZC_API zc_status zc_prepare_json(zc_preparer *p, const char *json, size_t len,
                                 zc_prepared **out, zc_error *err);
ZC_API void zc_prepared_free(zc_prepared *doc);

/* The id of a prepared document (NUL-terminated; *len may be NULL):
 * borrowed until the document is freed or handed over. */
ZC_API const char *zc_prepared_id(const zc_prepared *doc, size_t *len);

/* Writes a prepared document into idx, replacing any document with the same
 * id; pending until zc_index_commit.  Takes ownership of doc (freed whatever
 * the result).  ZC_EINVAL if it was prepared for an index of another
 * analyzer. */
ZC_API zc_status zc_index_add_prepared(zc_index *idx, zc_prepared *doc, zc_error *err);

/* Deletes by id.  *existed (may be NULL) tells whether it was there,
 * counting pending changes. */
ZC_API zc_status zc_index_delete(zc_index *idx, const char *id, size_t id_len,
                                 int *existed, zc_error *err);

/* Makes pending changes durable and visible to readers (atomically). */
ZC_API zc_status zc_index_commit(zc_index *idx, zc_error *err);

/* Fetches a document by id as the JSON object that was stored (every field,
 * body included; a detected lang added).  ZC_ENOTFOUND if absent.
 * *json_out: returns new, NUL-terminated; free with zc_free. */
ZC_API zc_status zc_index_get(zc_index *idx, const char *id, size_t id_len,
                              char **json_out, size_t *len_out, zc_error *err);

/* Frees memory returned by the library.  Accepts NULL. */
ZC_API void zc_free(void *p);

/* ---- Synonyms and the user dictionary (docs/synonyms.md) ---------------
 * An index carries its own synonym list and user dictionary in its
 * metadata, so every handle of it (the daemon's, the CLI's, a remote
 * shard's) searches alike.  Queries look their free-text words up in the
 * index's list and in the built-in one (data/synonyms.txt, compiled in). */

/* Sets the index's synonym list to text[0, len) (the file format of
 * docs/synonyms.md; len 0 removes it).  A write handle; pending until
 * zc_index_commit, after which every handle's searches use it (from their
 * next reopen).  ZC_EINVAL ("synonyms") naming the line that breaks the
 * format, ZC_ETOOLONG past 1 MiB, ZC_EREADONLY. */
ZC_API zc_status zc_index_set_synonyms(zc_index *idx, const char *text, size_t len,
                                       zc_error *err);

/* Sets the index's user dictionary (words for the segmenter, one per line,
 * docs/synonyms.md; len 0 removes it).  The documents' terms depend on it,
 * so it is set on a new index, before its first document: while the index
 * holds documents a different dictionary is ZC_EINVAL ("user_dict"; the
 * same one again is accepted and changes nothing).  This handle's analysis
 * uses it at once (preparers made before keep the words they had); pending
 * until zc_index_commit.  ZC_EINVAL naming the line of a bad word,
 * ZC_ETOOLONG, ZC_EREADONLY. */
ZC_API zc_status zc_index_set_user_dict(zc_index *idx, const char *text, size_t len,
                                        zc_error *err);

/* What the handle searches with: *syn_groups the groups of the index's own
 * synonym list, *builtin_groups those of the built-in list (0 when the
 * index's list turns it off), *user_words the words of its user
 * dictionary.  Each pointer may be NULL. */
ZC_API zc_status zc_index_lexicon(zc_index *idx, size_t *syn_groups, size_t *builtin_groups,
                                  size_t *user_words, zc_error *err);

/* ---- Search ----------------------------------------------------------- */

typedef enum zc_sort {
    ZC_SORT_RELEVANCE = 0,
    ZC_SORT_DATE_DESC,   /* newest first; undated last */
    ZC_SORT_DATE_ASC     /* oldest first; undated last */
} zc_sort;

enum {
    ZC_FACET_ISSUER = 1u << 0,
    ZC_FACET_YEAR = 1u << 1,
    ZC_FACET_LANG = 1u << 2,
    /* Authority and the many-valued fields (issue 13): the level code
     * ("law", "admin_reg", ...), the tier ("central", "provincial", ...),
     * each body of a joint issuer, each tag. */
    ZC_FACET_LEVEL = 1u << 3,
    ZC_FACET_TIER = 1u << 4,
    ZC_FACET_ISSUED_BY = 1u << 5,
    ZC_FACET_TAGS = 1u << 6
};

#define ZC_SEARCH_LIMIT_MAX 1000u
/* Most issuers one search may filter by (the "issuer" option's array):
 * each is a term of the query, and Xapian builds the postings of them all
 * before its time limit applies. */
#define ZC_SEARCH_ISSUERS_MAX 64u
#define ZC_FACET_LIMIT_DEFAULT 100u
/* How many matches a search counts exactly by default (SEARCH option
 * "exact_count"): every query with at most this many matches gets an
 * exact total.  Chosen from `make bench`'s cost of counting
 * (docs/benchmarks.md, "Exact counts"). */
#define ZC_SEARCH_EXACT_COUNT_DEFAULT 10000
/* "exact_count" meaning every match, whatever it costs ("exact_count":true). */
#define ZC_SEARCH_EXACT_COUNT_ALL ((int64_t)UINT32_MAX)

/* Search options, as the protocol's SEARCH JSON form defines them.
 * Strings are borrowed from the caller for the duration of zc_search. */
typedef struct zc_search_opts {
    const char *q;            /* query text (required, non-empty) */
    size_t q_len;
    uint32_t limit;           /* 0..ZC_SEARCH_LIMIT_MAX, default 10 */
    uint32_t offset;          /* default 0 */
    const char *lang;         /* "zh", "en" (any case) or NULL for both (NUL-terminated) */
    const char *const *issuers; /* any of these issuers (NUL-terminated), or NULL */
    size_t n_issuers;
    const char *from;         /* YYYY, YYYY-MM, YYYY-MM-DD or NULL */
    const char *to;           /* idem; inclusive, a partial date means its last day;
                               * before from is ZC_EINVAL, not an empty result */
    zc_sort sort;
    unsigned facets;          /* ZC_FACET_* bits */
    uint32_t facet_limit;     /* default ZC_FACET_LIMIT_DEFAULT */
    int snippet;              /* default 1 */
    double time_limit_s;      /* 0 = none; past it the search fails ZC_ETIMEOUT */
    int match_any;            /* 0 (default): free-text words are all required;
                               * 1: any of them (an OR of the analyzed terms,
                               * BM25-ranked), for natural-language questions.
                               * SEARCH option "match": "all" | "any". */
    int64_t exact_count;      /* count the matches exactly up to this many:
                               * the total is exact whenever the query has
                               * at most this many matches (or Xapian knows
                               * the count without counting, as for one
                               * term), else an estimate from an exact count
                               * in a hash sample of the index, the same on
                               * every page.  0: Xapian's figure for the
                               * page, which may change from page to page;
                               * ZC_SEARCH_EXACT_COUNT_ALL: every match;
                               * -1 (the default): the front end's default,
                               * else ZC_SEARCH_EXACT_COUNT_DEFAULT.  Facets
                               * count every match anyway.  SEARCH option
                               * "exact_count": an integer, true or false. */
    int collapse;             /* 0 (default): every document is its own hit;
                               * 1: one hit per group of duplicates and
                               * versions, listing the others; total and
                               * facets count groups.  SEARCH option
                               * "collapse": true | false. */
    /* Authority and the many-valued fields (issue 13).  Each list means
     * any of its entries (NUL-terminated strings); the lists are ANDed with
     * each other and the options above; NULL / 0: no filter.  At most
     * ZC_SEARCH_ISSUERS_MAX entries each. */
    const char *const *levels;    /* level codes ("law", "admin_reg", ...) */
    size_t n_levels;
    const char *const *tiers;     /* tiers ("central", "provincial", ...) */
    size_t n_tiers;
    const char *const *issued_by; /* bodies, each matched against every body of
                                   * a joint issuer, normalized as "issuers" */
    size_t n_issued_by;
    const char *const *tags;      /* tags, normalized as "issuers" */
    size_t n_tags;
    int no_prior;             /* 1: rank without the authority prior (for
                               * measuring it; SEARCH option "prior": false) */
} zc_search_opts;

/* Fills defaults (limit 10, snippets on, facet_limit 100, no time limit,
 * exact_count -1). */
ZC_API void zc_search_opts_init(zc_search_opts *opts);

/* A parsed SEARCH argument: plain query text, or a JSON object (starts with
 * '{').  Owns the strings its options point to. */
typedef struct zc_search_request zc_search_request;

/* Parses a SEARCH argument.  Errors are ZC_EINVAL naming the option.
 * Returns new; free with zc_search_request_free. */
ZC_API zc_status zc_search_request_parse(const char *text, size_t len,
                                         zc_search_request **out, zc_error *err);
/* Borrowed until zc_search_request_free; the caller may change the options
 * (e.g. to set time_limit_s) before searching. */
ZC_API zc_search_opts *zc_search_request_opts(zc_search_request *req);
ZC_API void zc_search_request_free(zc_search_request *req);

typedef struct zc_results zc_results;

/* Another document of a hit's group (zc_hit.versions). */
typedef struct zc_hit_version {
    const char *id;
    const char *date;     /* NULL when the document has none */
} zc_hit_version;

typedef struct zc_hit {
    const char *id;
    double score;
    const char *lang;
    const char *title;
    const char *date;     /* NULL when the document has none */
    const char *issuer;   /* NULL when none */
    const char *docno;    /* NULL when none */
    const char *pair;     /* NULL when none */
    const char *snippet;  /* HTML: matches in <b>...</b>; NULL if not asked */
    /* Duplicates and versions (docs/protocol.md): the id of the group's
     * preferred (newest) document when this hit is an older version of it
     * or a duplicate of it; NULL otherwise. */
    const char *version_of;
    const char *duplicate_of;
    /* With zc_search_opts.collapse only: the other documents of the hit's
     * group, newest first (empty lists when it has none). */
    const char *const *duplicates;
    size_t n_duplicates;
    const zc_hit_version *versions;
    size_t n_versions;
} zc_hit;

typedef struct zc_facet_value {
    const char *value;
    uint64_t count;
} zc_facet_value;

/* Runs a search.  ZC_EINVAL for a query with no positive term or bad
 * options (naming the option), ZC_ETIMEOUT past the time limit.
 * Returns new; free with zc_results_free. */
ZC_API zc_status zc_search(zc_index *idx, const zc_search_opts *opts,
                           zc_results **out, zc_error *err);

ZC_API void zc_results_free(zc_results *r);
/* Total matches (with zc_search_opts.collapse: groups); *exact (may be
 * NULL) says whether it is exact or an estimate. */
ZC_API uint64_t zc_results_total(const zc_results *r, int *exact);
ZC_API size_t zc_results_count(const zc_results *r);
/* Borrowed until zc_results_free.  NULL if i is out of range. */
ZC_API const zc_hit *zc_results_hit(const zc_results *r, size_t i);
/* Facet values for one ZC_FACET_* bit, most frequent first.  Borrowed until
 * zc_results_free; *n gets the count (0 if the facet was not asked). */
ZC_API const zc_facet_value *zc_results_facet(const zc_results *r, unsigned facet,
                                              size_t *n);
/* Wall time the search took, in milliseconds: parsing, matching, hits and
 * snippets; not the process's one-time loading (see zc_global_init). */
ZC_API double zc_results_took_ms(const zc_results *r);
/* A spelling suggestion: the query text with its misspelled English words
 * replaced ("northest" -> "northeast"), or NULL when there is none.
 * Borrowed until zc_results_free. */
ZC_API const char *zc_results_suggest(const zc_results *r);

/* Serializes results as the protocol's SEARCH reply object
 * ({"ok":true,"total":...}), one line, no trailing newline.  With a
 * spelling suggestion the object ends with "suggest":"corrected query".
 * Returns new, NUL-terminated; free with zc_free. */
ZC_API zc_status zc_results_to_json(const zc_results *r, char **out,
                                    size_t *len_out, zc_error *err);

/* ---- Analysis (exposed for tools and tests) --------------------------- */

/* Canonical form of a document number: "国发〔2016〕62号", "国发[2016]62号",
 * "国发（２０１６）６２号" all give the same string.  Returns new,
 * NUL-terminated; free with zc_free.  ZC_EINVAL if nothing is left. */
ZC_API zc_status zc_docno_canonical(const char *docno, size_t len, char **out,
                                    zc_error *err);

/* Detects "zh" or "en" for a text.  Static string. */
ZC_API const char *zc_detect_lang(const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ZHENGCE_H */
