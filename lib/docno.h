/* docno.h — document numbers (发文字号): canonical form and recognition.
 *
 * Owns: the rule that makes 国发〔2016〕62号, 国发[2016]62号, 国发（２０１６）６２号
 * and 国发(2016)62号 one term.  The canonical form is the normalized text
 * split into runs (letters/CJK vs digits; brackets, spaces and punctuation
 * only separate), leading zeros of numbers dropped, runs joined by '.':
 *   国发〔2016〕62号 -> "国发.2016.62.号",  Executive Order 12944 ->
 *   "executive.order.12944" (every separator-delimited run is a piece).
 * zc_docno_canonical (public, zhengce.h) is implemented here.
 */
#ifndef ZC_DOCNO_H
#define ZC_DOCNO_H

#include <stddef.h>

/* 1 if a query word (no spaces) looks like a Chinese document number:
 * CJK characters, then a 4-digit year in any bracket style (or none),
 * then a number, optionally 号; or 令第N号 forms.  Used by the query parser to
 * search it as a docno term. */
int zc_docno_looks_like(const char *text, size_t len);

#endif
