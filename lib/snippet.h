/* snippet.h — snippets with highlighted matches, made from the original text.
 *
 * Owns: choosing the best window of a document's text for a query and
 * marking the matched words.  Works on the original bytes (token byte spans
 * from zc_analyze), so what is shown is the document's own characters;
 * matched spans are wrapped in <b>...</b>, everything else is HTML-escaped
 * (& < > ").  Never cuts inside a UTF-8 character.
 */
#ifndef ZC_SNIPPET_H
#define ZC_SNIPPET_H

#include <stddef.h>

#include "analyzer.h"

/* The set of terms to highlight (normalized terms as zc_analyze makes them,
 * and English stems). */
typedef struct zc_hl zc_hl;

/* Returns new; free with zc_hl_free. */
zc_status zc_hl_new(zc_hl **out, zc_error *err);
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
/* Adds a sequence: a quoted phrase, or the bigrams of one CJK run searched
 * as a phrase.  terms[0..n) are exact terms of consecutive positions, where
 * gaps[k] != 0 lets one extra position stand before term k (a CJK run
 * boundary of the query).  Each term is added as a part, and the snippet
 * marks those parts only where the whole sequence occurs, so the query
 * 老工业基地 marks 老工业基地 but not the 工业 of 老工业城市. */
zc_status zc_hl_add_seq(zc_hl *hl, const char *const *terms, const size_t *lens,
                        const unsigned char *gaps, size_t n, zc_error *err);
size_t zc_hl_count(const zc_hl *hl);

/* A snippet of at most max_chars characters of text, around the densest
 * cluster of highlighted terms (the start of the text if none match).
 * Returns new, NUL-terminated; free with free(). */
zc_status zc_snippet_make(zc_analyzer *a, const zc_hl *hl, const char *text,
                          size_t len, size_t max_chars, char **out,
                          size_t *len_out, zc_error *err);

#endif
