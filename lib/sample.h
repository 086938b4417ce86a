/* sample.h — the hash sample levels of the index: nested subsets of the
 * documents, chosen by a hash of each document's unique id term, in which
 * a search can count its matches to estimate the whole (search_count.c).
 *
 * A document belongs to level L (1..ZC_SAMPLE_LEVELS) when the low L bits
 * of its hash are 0, so level L holds about 1 / 2^L of the documents, each
 * level holds the next, and a document's levels never change (they depend
 * on its id alone, not on when or where it was indexed).  Level L's term is
 * ZC_PFX_SAMPLE + L in decimal ("XSAMP3"); a document gets the term of
 * every level it belongs to (one term on average).
 *
 * Owns: the hash and the level terms (docs/index-format.md, "Sample
 * terms"); changing either changes the index format.
 * Must never: search, or depend on a docid (an index may be a set of
 * shards: the terms mean the same in each).
 */
#ifndef ZC_SAMPLE_H
#define ZC_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/zc_status.h"
#include "wrappers/xapian.h"

/* The deepest level: 1 / 2^24 of the documents. */
#define ZC_SAMPLE_LEVELS 24u
/* Room for a level term and its NUL. */
#define ZC_SAMPLE_TERM_MAX 16u

/* The sample hash of a unique id term (zc_index_id_term's bytes). */
uint32_t zc_sample_hash(const char *idterm, size_t len);

/* Writes level's term (1 <= level <= ZC_SAMPLE_LEVELS) and a NUL into buf
 * (ZC_SAMPLE_TERM_MAX bytes); returns its length. */
size_t zc_sample_term(unsigned level, char *buf);

/* Adds to doc the boolean term of every level the document with unique id
 * term idterm[0..len) belongs to.  Errors: the wrapper's (ZC_ENOMEM). */
zc_status zc_sample_add_terms(zc_xap_doc *doc, const char *idterm, size_t len, zc_error *err);

#endif
