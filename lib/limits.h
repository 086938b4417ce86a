/* limits.h — every hard limit of the library, with its unit and reason.
 * Programs add their own (connection, line) limits in their own headers but
 * may rely on these. */
#ifndef ZC_LIMITS_H
#define ZC_LIMITS_H

/* Xapian refuses terms over 245 bytes (its B-tree key limit).  Every term we
 * make, prefix included, is cut on a UTF-8 boundary to stay below this. */
#define ZC_TERM_MAX_BYTES 240

/* Words longer than this (bytes, after normalization) are cut on a UTF-8
 * boundary, the same at index and query time, so they stay findable by their
 * first 64 bytes.  Matches Xapian's TermGenerator word limit. */
#define ZC_WORD_MAX_BYTES 64

/* Document id: protocol.md says 1..256 bytes.  The id term "Q"+id must still
 * fit ZC_TERM_MAX_BYTES, so long ids are indexed through a hash (term.c). */
#define ZC_ID_MAX_BYTES 256

/* A whole JSON document (ADD line or JSON Lines record): 64 MiB.  Larger
 * records are rejected with a clear error, never truncated. */
#define ZC_DOC_MAX_BYTES (64u * 1024u * 1024u)

/* A query text: 64 KiB; past it ZC_ETOOLONG (bad_request). */
#define ZC_QUERY_MAX_BYTES (64u * 1024u)

/* Query terms after analysis: keeps one query from eating the machine. */
#define ZC_QUERY_MAX_TERMS 1024

/* The list value of a document's bodies and tags (multifacet.h), in bytes:
 * 16 KiB.  Every facet count over issued_by or tags carries the lists of
 * the matching documents; a document with thousands of tags keeps them
 * all as filter terms, but only the entries that fit are counted. */
#define ZC_FACET_LIST_MAX_BYTES (16u * 1024u)

/* Snippet length, in characters of the original text. */
#define ZC_SNIPPET_CHARS 120

#endif
