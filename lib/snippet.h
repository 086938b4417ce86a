/* snippet.h — snippets with highlighted matches, made from the original text.
 *
 * Owns: choosing the best window of a document's text for a query and
 * marking the matched words.  Works on the original bytes (token byte spans
 * from zc_analyze), so what is shown is the document's own characters;
 * matched spans are wrapped in <b>...</b>, everything else is HTML-escaped
 * (& < > ").  Never cuts inside a UTF-8 character.
 *
 * The pieces, one module each: the term set (snippet_terms.h, included
 * here: callers build a zc_hl and pass it), the scan for matches
 * (snippet_scan.h), the choice of what is shown (snippet_window.h), and
 * the rendering (snippet.c).  The one piece of process-wide state is the
 * scan's character table (snippet_scan.c says why); everything per call or
 * per thread is the caller's: the two analyzers below.
 */
#ifndef ZC_SNIPPET_H
#define ZC_SNIPPET_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/snippet_terms.h"

/* A snippet of at most max_chars characters of text, around the densest
 * cluster of highlighted terms (the start of the text if none match).
 * a: the index's analyzer, borrowed for the call.  seg: a second analyzer of
 * a's mode, borrowed for the call, that confirms dictionary words in words
 * and hybrid modes (zc_snip_scan); NULL makes one for the call when needed
 * (a segmenter session each time: pass one when making many snippets, as
 * the index handle's, zc_index_get_snippet_analyzer).  Neither may be in
 * use by another call meanwhile (an analyzer is one thread's).
 * Returns new, NUL-terminated; free with free(). */
zc_status zc_snippet_make(zc_analyzer *a, zc_analyzer *seg, const zc_hl *hl, const char *text,
                          size_t len, size_t max_chars, char **out, size_t *len_out,
                          zc_error *err);

#endif
