/* term.h — the bytes of an index term: a prefix and a text cut to the term
 * limit, and the id-like terms (the unique id term, the pair term), hashed
 * when an id cannot stand in its term as it is.
 *
 * Owns: the term spelling that docs/index-format.md gives for those terms,
 * and the older hashed id term that indexes written before SHA-256 hold.
 * Must never: touch an index (index.c looks terms up, docbuild.c writes
 * them), allocate, or drop a term because it is too long: terms are cut on
 * a UTF-8 boundary, never dropped.
 */
#ifndef ZC_TERM_H
#define ZC_TERM_H

#include <stddef.h>
#include <stdint.h>

/* Writes pfx[0..pfx_len) + text[0..len) into buf (ZC_TERM_MAX_BYTES + 1
 * bytes), the text cut on a UTF-8 boundary so the term fits, and a NUL.
 * Returns the term length (pfx_len when nothing of the text fits). */
size_t zc_term_put(char *buf, const char *pfx, size_t pfx_len, const char *text, size_t len);

/* FNV-1a-64 of s[0..len): the older id terms' hash, and a fast hash for
 * summing a document's terms (docbuild.c).  Never for anything two
 * different inputs must not share: it can be made to collide on purpose. */
uint64_t zc_term_fnv1a64(const char *s, size_t len);

/* An id-like term of the NUL-terminated prefix pfx for id[0..len), written
 * into buf (ZC_TERM_MAX_BYTES + 1 bytes); returns its length.  pfx + id
 * when it fits; otherwise pfx + "##" + SHA-256(id) in hex + the id's head. */
size_t zc_term_id(const char *pfx, const char *id, size_t len, char *buf);

/* The unique id term of the older scheme (ZC_PFX_ID + "#" + FNV-1a-64 hex
 * + the id's head) into buf (ZC_TERM_MAX_BYTES + 1 bytes); returns its
 * length, or 0 when the id is not hashed (its term never changed). */
size_t zc_term_legacy_id(const char *id, size_t len, char *buf);

#endif
