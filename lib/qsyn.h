/* qsyn.h — synonym expansion of a query tree: the planner's step between
 * the parser (qparse.h) and the compiler (qcompile.h).
 *
 * Owns: which words of a query get synonyms and how the tree says so.  A
 * free-text word (a WORD with no field, no literal and no document
 * number), or a run of such words standing next to each other in one AND,
 * whose match form (synonyms.h) is a key of a list becomes a SYN node:
 * the words as typed, then each alternative as a WORD (one token) or a
 * PHRASE (several: "Department of Homeland Security", 发展改革委); the
 * compiler searches each alternative with the index's analyzer, as it does
 * the words typed.  The longest run that is a key wins, from the left.
 * Quoted phrases, units read as phrases (unit.h), field values (title:,
 * issuer:, docno:, lang:) and document numbers are never expanded: exact
 * stays exact.  Words under NOT are expanded like others (-发改委 excludes
 * every form).  When a key's canonical form differs from what was typed,
 * the whole text with the replacement is kept (zc_qtree.rewritten) so a
 * query such as "EO 13769" is also tried as the document number
 * "Executive Order 13769".
 *
 * Lists are looked up in order; a key's alternatives are the union of its
 * lists' (the first list's canonical form wins).
 *
 * Must never: build Xapian queries, change a tree it fails on in a way the
 * compiler cannot read (on failure the tree is as before or consistently
 * expanded), or recurse past the parser's depth.
 */
#ifndef ZC_QSYN_H
#define ZC_QSYN_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/qtree.h"
#include "lib/synonyms.h"

/* Most alternatives one expanded word run gets (the union over the
 * lists): each is searched. */
#define ZC_QSYN_MAX_ALTS 32
/* Most alternatives one query gets in all: each adds its terms to the
 * query's (at most ZC_QUERY_MAX_TERMS), so a long text of abbreviations
 * must not turn into a refused query.  Word runs past it stay as typed. */
#define ZC_QSYN_MAX_QUERY_ALTS 64

/* Expands t's free-text words with the lists lists[0, n) (NULL entries
 * skipped), computing match forms with a (the index's analyzer).  ZC_OK
 * also when nothing matched; ZC_ENOMEM, or the analyzer's errors. */
zc_status zc_qsyn_expand(zc_qtree *t, const zc_syn_table *const *lists, size_t n, zc_analyzer *a,
                         zc_error *err);

#endif
