/* norm.h — text normalization with utf8proc: the first stage of the analysis
 * pipeline, shared by indexing and querying.
 *
 * Owns: the mapping from one original code point to its normalized code
 * points (NFKC compatibility forms, case folding, full-width to half-width,
 * marks dropped, dash and quote variants lumped).  Never allocates in the
 * per-character path; never changes the original text.
 */
#ifndef ZC_NORM_H
#define ZC_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/zhengce.h"

/* Longest expansion of one code point we keep (utf8proc's worst case is 18). */
#define ZC_NORM_CHAR_MAX 18

/* Decodes one code point at text[*pos] (advancing *pos).  Invalid UTF-8
 * yields -1 and advances by one byte, so callers can skip or reject it. */
int32_t zc_norm_next(const char *text, size_t len, size_t *pos);

/* Normalizes one code point into out[0..n), n <= ZC_NORM_CHAR_MAX, returned.
 * 0 means the character vanishes (a combining mark, a default-ignorable). */
size_t zc_norm_char(int32_t cp, int32_t out[ZC_NORM_CHAR_MAX]);

/* Copies the NUL-terminated s into buf (cap >= 1 bytes, NUL-terminated,
 * cut on a character boundary), each byte that does not start a valid UTF-8
 * sequence replaced by '?'.  For error messages that quote raw input (jansson's
 * "near" text may end inside a character or hold invalid bytes): they go into
 * JSON replies and must stay valid UTF-8 (found by tests/fuzz/fuzz_doc.c and
 * fuzz_query.c). */
void zc_norm_sanitize(const char *s, char *buf, size_t cap);

/* Character classes after normalization, for the tokenizer. */
typedef enum zc_cclass {
    ZC_CC_SPACE = 0,   /* separators, punctuation, symbols, controls */
    ZC_CC_WORD,        /* letters and digits of alphabetic scripts */
    ZC_CC_CJK          /* Han ideographs (and kana, hangul: indexed as CJK) */
} zc_cclass;
zc_cclass zc_norm_class(int32_t cp);

/* Normalizes a whole string (every stage above, whitespace runs collapsed to
 * one space, trimmed).  Used for exact-match fields (issuer, tags).
 * Returns new, NUL-terminated; free with free().  ZC_EINVAL on invalid UTF-8. */
zc_status zc_norm_string(const char *text, size_t len, char **out,
                         size_t *len_out, zc_error *err);

/* Appends the UTF-8 encoding of cp to buf (needs 4 bytes); returns bytes. */
size_t zc_norm_encode(int32_t cp, char *buf);

#endif
