/* xapian_testutil.h — Xapian's own faces the unit tests use as baselines
 * and tools, kept out of libzhengce: several databases opened as one, the
 * TermGenerator, the QueryParser, MSet::snippet, and a check that a query
 * survives Query::serialise() / unserialise() as a remote shard needs.
 *
 * Owns: nothing; test support compiled into the unit tests that link it
 * (Makefile: TESTUTIL_TESTS).  Same conventions as wrappers/xapian.h.
 */
#ifndef ZC_XAPIAN_TESTUTIL_H
#define ZC_XAPIAN_TESTUTIL_H

#include <stddef.h>

#include "wrappers/xapian.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens several databases as one read-only index (shards): Xapian's
 * Database::add_database.  Document ids are interleaved by Xapian.  Returns new; free with zc_xap_db_close. */
zc_status zc_xap_db_open_shards(const char *const *paths, size_t n,
                                zc_xap_db **out, zc_error *err);

/* Xapian's own TermGenerator (test_xapian's baseline of term generation): indexes text
 * into doc with `prefix` (may be ""), CJK n-grams when cjk_ngram != 0, and
 * the stemmer for stem_lang (e.g. "english"; NULL or "" = none). */
zc_status zc_xap_termgen_index(zc_xap_doc *doc, const char *text, size_t len,
                               const char *prefix, const char *stem_lang,
                               int cjk_ngram, unsigned wdf_inc, zc_error *err);

/* Xapian's own QueryParser.  flags:
 * ZC_XAP_QP_* bits.  default_prefix may be NULL.  prefixes: pairs of
 * (field name, term prefix), n_prefixes pairs.  stem_lang may be NULL.
 * Returns new; free with zc_xap_query_free. */
enum {
    ZC_XAP_QP_BOOLEAN = 1 << 0,
    ZC_XAP_QP_PHRASE = 1 << 1,
    ZC_XAP_QP_LOVEHATE = 1 << 2,
    ZC_XAP_QP_CJK_NGRAM = 1 << 3,
    ZC_XAP_QP_WILDCARD = 1 << 4,
    ZC_XAP_QP_DEFAULT_AND = 1 << 5
};
zc_status zc_xap_qp_parse(zc_xap_db *db, const char *text, size_t len,
                          unsigned flags, const char *const *prefixes,
                          size_t n_prefixes, const char *stem_lang,
                          zc_xap_query **out, zc_error *err);

/* Xapian's MSet::snippet over text (with its own term generation, so only
 * meaningful for queries made by the QueryParser with the same settings).
 * Returns new; free with free(). */
zc_status zc_xap_mset_snippet(const zc_xap_mset *ms, const char *text, size_t len,
                              size_t length, const char *stem_lang, int cjk_ngram,
                              char **out, size_t *len_out, zc_error *err);

/* 1 when q's Query::serialise() unserialises with Xapian's default
 * Registry (what a stock xapian-tcpsrv has) into a query that serialises to
 * the same bytes and has the same description; 0 otherwise (*why, may be
 * NULL, gets Xapian's message: borrowed until the next call). */
int zc_xap_test_query_roundtrips(const zc_xap_query *q, const char **why);

#ifdef __cplusplus
}
#endif

#endif
