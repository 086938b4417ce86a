/* snippet_terms.h — the set of query terms a snippet highlights (zc_hl).
 *
 * Owns: the terms (copied), what kind of token each matches, which are only
 * pieces of a longer query word, and the sequences (phrases) whose pieces
 * are shown only together; plus the per-set prefilter tables the scan
 * (snippet_scan.h) uses to skip text that cannot hold a term.
 * Must never: match anything itself (snippet_scan.c does), or keep a pointer
 * to a caller's bytes.
 */
#ifndef ZC_SNIPPET_TERMS_H
#define ZC_SNIPPET_TERMS_H

#include <stddef.h>

#include "lib/zhengce.h"

/* The set of terms to highlight (normalized terms as zc_analyze makes them,
 * and English stems). */
typedef struct zc_hl zc_hl;

/* Returns new; free with zc_hl_free. */
zc_status zc_hl_new(zc_hl **out, zc_error *err);
/* Accepts NULL. */
void zc_hl_free(zc_hl *hl);
/* Adds a term (copied). stem: 1 if it is an English stem (matched against the
 * stem of WORD tokens), 0 if an exact term. */
zc_status zc_hl_add(zc_hl *hl, const char *term, size_t len, int stem,
                    zc_error *err);
/* Adds a term that is only a piece of a longer query word (a bigram of a
 * CJK word of 3+ characters, searched as a phrase of its bigrams): it is
 * marked only where it overlaps another marked term, so the query 老工业基地
 * does not light up a lone 工业.  Adding the same term with zc_hl_add makes
 * it a full term. */
zc_status zc_hl_add_part(zc_hl *hl, const char *term, size_t len, zc_error *err);
/* Adds a CJK dictionary word (words mode): matched only against the
 * ZC_TOK_CJK_WORD tokens of the text, so the mark covers the whole word. */
zc_status zc_hl_add_word(zc_hl *hl, const char *term, size_t len, zc_error *err);
/* Adds a unit (unit.h: the canonical form, "d2017.6.27"): matched where
 * the text holds that unit in any spelling (2017年6月27日, 2017-06-27,
 * 二〇一七年六月二十七日), the whole unit marked. */
zc_status zc_hl_add_unit(zc_hl *hl, const char *canon, size_t len, zc_error *err);
/* Adds a sequence: a quoted phrase, or the bigrams of one CJK run searched
 * as a phrase.  terms[0..n) are exact terms of consecutive positions, where
 * gaps[k] != 0 lets one extra position stand before term k (a CJK run
 * boundary of the query).  Each term is added as a part, and the snippet
 * marks those parts only where the whole sequence occurs, so the query
 * 老工业基地 marks 老工业基地 but not the 工业 of 老工业城市. */
zc_status zc_hl_add_seq(zc_hl *hl, const char *const *terms, const size_t *lens,
                        const unsigned char *gaps, size_t n, zc_error *err);
/* zc_hl_add_seq for a sequence that is one thing, a document number:
 * where it occurs, one mark covers it whole, from its first piece to its
 * last, what stands between them included (国发〔2016〕12号 is marked with
 * its brackets, not as 国发, 2016 and 12号). */
zc_status zc_hl_add_seq_whole(zc_hl *hl, const char *const *terms, const size_t *lens,
                              const unsigned char *gaps, size_t n, zc_error *err);
/* Number of distinct terms (0 for NULL). */
size_t zc_hl_count(const zc_hl *hl);

#endif
