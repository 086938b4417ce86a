/* protocol/utf8.h — strict UTF-8 checks for text that reaches the wire:
 * request lines, error messages, log echoes.
 *
 * Owns: nothing; pure functions over bytes, never allocating.
 * Must never: accept what RFC 3629 forbids (overlongs, surrogates, code
 * points past U+10FFFF), since protocol.md makes those bad_request. */
#ifndef ZC_PROTOCOL_UTF8_H
#define ZC_PROTOCOL_UTF8_H

#include <stddef.h>

/* Returns 1 if s[0..len) is valid UTF-8; else 0 and *bad_at (may be NULL)
 * gets the offset of the first bad byte. */
int zc_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* The longest prefix of valid UTF-8 text s[0..len) that is at most max bytes
 * and does not split a character. */
size_t zc_utf8_cut(const char *s, size_t len, size_t max);

#endif
