/* query.h — query text (protocol.md "Query text") to a Xapian query.
 *
 * Owns: the query syntax — plain words (implicit AND), "quoted phrases",
 * AND / OR / NOT (upper case only; AND binds tighter than OR; a NOT b = a AND
 * NOT b), -word, parentheses, field prefixes title: issuer: docno: lang: tags:, and
 * document numbers in any bracket/width spelling.  Parsed by a state machine
 * over (ptr, len) with explicit limits; anything it cannot read is searched as
 * plain words, never an error.  Every word goes through zc_analyze, the same
 * pipeline as indexing.
 *
 * Free-text words match title and body.  What a CJK run matches depends on
 * the index's analyzer (zc_analyzer_mode): ngram and hybrid, the phrase of
 * its bigrams; words, the AND of its dictionary words and of the characters
 * no word covers.  A "quoted phrase" is exact in every mode (bigrams, or
 * characters in words mode).  English stopwords (zc_query_is_stopword) are
 * dropped from free text unless the query has nothing else.
 *
 * Ranking-only parts, added with AND_MAYBE: the title form of the free text
 * (documents whose title matches rank higher); in hybrid, the dictionary
 * words of the free text ("W"+word); and, when the free text has several
 * parts and no OR or parentheses, the whole of it as a phrase and as a NEAR
 * (documents where the query words stand together rank higher).
 *
 * A façade over five stages, each its own module and testable without an
 * index: qlex (text to tokens), qparse (tokens to a tree, qtree.h), qsyn
 * (synonyms, when the options give lists), qplan (the ranking policy) and
 * qcompile (tree and plan to Xapian).
 */
#ifndef ZC_QUERY_H
#define ZC_QUERY_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/qcompile.h"
#include "lib/schema.h"
#include "lib/snippet.h"
#include "lib/synonyms.h"
#include "wrappers/xapian.h"

typedef struct zc_query_opts {
    int match_any;   /* 1: free text is an OR of its analyzed terms (SEARCH
                      * "match":"any"), BM25-ranked; phrases stay exact */
    const zc_syn_table *const *syn;  /* synonym lists, looked up in order
                                      * (qsyn.h); borrowed; NULL: none */
    size_t n_syn;
} zc_query_opts;

/* zc_query_word (a spelling candidate): qcompile.h. */

/* 1 if the normalized term is an English stopword of the query's list. */
int zc_query_is_stopword(const char *term, size_t len);

/* Builds the query.  ZC_EINVAL ("q") when the query has no positive term or
 * is empty; ZC_ETOOLONG past ZC_QUERY_MAX_BYTES or ZC_QUERY_MAX_TERMS.
 * *out: returns new; free with zc_xap_query_free.
 * *hl (may be NULL): returns new; the positive terms to highlight; free with
 * zc_hl_free. */
zc_status zc_query_build(zc_analyzer *a, const char *text, size_t len,
                         zc_xap_query **out, zc_hl **hl, zc_error *err);

/* The same with options (opts may be NULL: the defaults) and, when words
 * is not NULL, the spelling candidates: *words returns new (NULL when
 * none); free with free(); *n_words their count. */
zc_status zc_query_build_ex(zc_analyzer *a, const char *text, size_t len,
                            const zc_query_opts *opts, zc_xap_query **out, zc_hl **hl,
                            zc_query_word **words, size_t *n_words, zc_error *err);

/* zc_query_build_ex, split for rescoring.  *out is the whole query, as
 * zc_query_build_ex makes it.  *first (first may be NULL): returns new, or
 * NULL when the query has no rescoring boost (then *out is all there is);
 * free with zc_xap_query_free.  It is *out without the proximity boosts
 * over CJK terms (the free text as a phrase and as a NEAR), which read
 * position lists in every candidate: it matches exactly the same
 * documents, its weights are never above *out's, and it costs far less
 * on long texts.  Ranking by *first and reweighting its best hits by *out
 * (search.c) gives those hits *out's order.  *topic (topic may be NULL):
 * returns new or NULL, free with zc_xap_query_free: the documents whose
 * title holds every positive free-text word (zc_qcompile), which the
 * authority prior is limited to (search.c). */
zc_status zc_query_build_split(zc_analyzer *a, const char *text, size_t len,
                               const zc_query_opts *opts, zc_xap_query **out,
                               zc_xap_query **first, zc_hl **hl, zc_query_word **words,
                               size_t *n_words, zc_xap_query **topic, zc_error *err);

#endif
