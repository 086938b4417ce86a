/* qparse.h — the query parser: query text to a query tree (qtree.h).
 *
 * Owns: the grammar of the query language (protocol.md "Query text"):
 *   expr     := and_expr ('OR' and_expr)*
 *   and_expr := item+            (implicit AND; 'AND' may stand between)
 *   item     := 'NOT'? unary     (a NOT b = a AND NOT b; -x too)
 *   unary    := '(' expr ')' | field? (phrase | word)
 * AND binds tighter than OR; parentheses nest at most ZC_QPARSE_MAX_DEPTH
 * deep.  Which field values apply (docno: a document number, lang: zh or
 * en) and which free-text words are document numbers are decided here, on
 * the text alone.
 *
 * Must never: fail on syntax (text it cannot read as structured query is
 * read as plain words: qtree.h), recurse without a bound, analyze text or
 * touch an index.
 */
#ifndef ZC_QPARSE_H
#define ZC_QPARSE_H

#include <stddef.h>

#include "lib/qtree.h"
#include "lib/zhengce.h"

/* Parentheses nest at most this deep; deeper is a syntax error (so the
 * parser's recursion is bounded whatever the input). */
#define ZC_QPARSE_MAX_DEPTH 32

/* Parses text[0, len).  ZC_ETOOLONG ("q") past ZC_QUERY_MAX_BYTES;
 * ZC_EINVAL ("q") for invalid UTF-8 or a text of whitespace only; else
 * ZC_ENOMEM only.  *out: returns new, borrowing text until it is freed;
 * free with zc_qtree_free (NULL on failure). */
zc_status zc_qparse(const char *text, size_t len, zc_qtree **out, zc_error *err);

#endif
