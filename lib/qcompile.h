/* qcompile.h — the query compiler: a query tree (qtree.h) and its plan
 * (qplan.h) to a Xapian query.
 *
 * Owns: what each node matches in the index layout (schema.h), and
 * carrying out the plan.  Free-text words match title and body (unprefixed
 * terms); what a CJK run matches depends on the index's analyzer
 * (zc_analyzer_mode): ngram and hybrid, the phrase of its bigrams; words,
 * the AND of its dictionary words and of the characters no word covers.  A
 * quoted phrase is exact in every mode (bigrams, or characters in words
 * mode).  title: and issuer: words match those fields only; a DOCNO is its
 * document-number term; a LANG filters without weight.  In an AND, NOT
 * parts are excluded (AND_NOT) and filters restrict (FILTER); an OR branch
 * without positive terms matches with no weight.  English stopwords
 * (zc_qplan_is_stopword) are dropped from free text unless nothing else is
 * left.  Alongside the query it gathers the positive terms to highlight and
 * the spelling candidates.
 *
 * Must never: fail on anything a query text can say but the term limit
 * (ZC_QUERY_MAX_TERMS) and a query without a positive term.
 */
#ifndef ZC_QCOMPILE_H
#define ZC_QCOMPILE_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/limits.h"
#include "lib/qplan.h"
#include "lib/qterm.h"
#include "lib/qtree.h"
#include "lib/schema.h"
#include "lib/snippet.h"
#include "wrappers/xapian.h"


/* Compiles tree t with plan p (zc_qplan_make of t) for analyzer a.
 * ZC_EINVAL ("q") when the query has no positive term; ZC_ETOOLONG ("q")
 * past ZC_QUERY_MAX_TERMS.  Outputs as zc_query_build_split (query.h):
 * *out returns new, free with zc_xap_query_free; *first (first may be
 * NULL) returns new or NULL, the query without its rescoring boosts; *hl
 * (hl may be NULL) returns new, free with zc_hl_free; *words (words may
 * be NULL) returns new or NULL, free with free(), *n_words their count.
 * *facts (facts may be NULL): what the plan was applied to (for an
 * explain, and tests).  *topic (topic may be NULL): returns new or NULL,
 * free with zc_xap_query_free: the documents whose title holds every
 * positive free-text word and phrase, each as a phrase (a query to filter
 * by: its weight is not meant to count), NULL when the query has none.  Every output is
 * NULL/0 on failure. */
zc_status zc_qcompile(zc_analyzer *a, const zc_qtree *t, const zc_qplan *p,
                      zc_xap_query **out, zc_xap_query **first, zc_hl **hl,
                      zc_query_word **words, size_t *n_words, zc_qfacts *facts,
                      zc_xap_query **topic, zc_error *err);

#endif
