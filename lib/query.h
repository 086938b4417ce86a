/* query.h — query text (protocol.md "Query text") to a Xapian query.
 *
 * Owns: the query syntax — plain words (implicit AND), "quoted phrases",
 * AND / OR / NOT (upper case only; AND binds tighter than OR; a NOT b = a AND
 * NOT b), -word, parentheses, field prefixes title: issuer: docno: lang:, and
 * document numbers in any bracket/width spelling.  Parsed by a state machine
 * over (ptr, len) with explicit limits; anything it cannot read is searched as
 * plain words, never an error.  Every word goes through zc_analyze, the same
 * pipeline as indexing.
 *
 * Free-text words match title and body; documents whose title matches rank
 * higher (the title form of the query is added with AND_MAYBE).
 */
#ifndef ZC_QUERY_H
#define ZC_QUERY_H

#include <stddef.h>

#include "analyzer.h"
#include "snippet.h"
#include "../wrappers/xapian.h"

/* Builds the query.  ZC_EINVAL ("q") when the query has no positive term or
 * is empty; ZC_ETOOLONG past ZC_QUERY_MAX_BYTES or ZC_QUERY_MAX_TERMS.
 * *out: returns new; free with zc_xap_query_free.
 * *hl (may be NULL): returns new; the positive terms to highlight; free with
 * zc_hl_free. */
zc_status zc_query_build(zc_analyzer *a, const char *text, size_t len,
                         zc_xap_query **out, zc_hl **hl, zc_error *err);

#endif
