/* snippet_scan.h — finding where a text matches a highlight term set.
 *
 * Owns: walking a document's ORIGINAL text with the indexing pipeline and
 * recording each token that matches a term of the set, with its byte span
 * and position.  The scan is bounded (snippet_scan.c: SNIPPET_SCAN_*), so a snippet
 * stays cheap whatever the document's length.
 * Must never: decide what is shown (snippet_window.h does) or allocate per
 * token.
 */
#ifndef ZC_SNIPPET_SCAN_H
#define ZC_SNIPPET_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/analyzer.h"
#include "lib/snippet_terms.h"

/* One matched token of the text. */
typedef struct zc_snip_match {
    size_t start, end;      /* bytes */
    size_t cstart, cend;    /* characters (zc_snip_window fills them) */
    uint32_t id;            /* hl term id */
    uint32_t pos;           /* token position, valid when positional */
    int positional;
    int part;               /* a piece of a longer query word */
    int in_seq;             /* ... of a sequence (zc_hl_add_seq) */
    int keep;               /* shown (decided by zc_snip_keep) */
} zc_snip_match;

/* The matches of hl's terms in text[0, len), sorted by start then end, into
 * *out (returns new, NULL when none; free with free()) and *n_out.
 *
 * a: the analyzer of the index (borrowed for the call; its mode decides the
 * tokens).  seg: a second analyzer of a's mode (borrowed for the call), used
 * only when hl holds dictionary words (zc_hl_add_word) and a segments: a
 * CJK run that may hold one is segmented alone by seg, because a is busy
 * scanning.  seg NULL: one is made for the call and freed (a segmenter
 * session; callers that make many snippets keep one, e.g. the index
 * handle's, zc_index_get_snippet_analyzer).  max_chars: the snippet's size,
 * which lets the scan stop once a window of that size holds every term.
 * ZC_ENOMEM, or what making seg returns. */
zc_status zc_snip_scan(zc_analyzer *a, zc_analyzer *seg, const zc_hl *hl, const char *text,
                       size_t len, size_t max_chars, zc_snip_match **out, size_t *n_out,
                       zc_error *err);

#endif
