/* base/utf8.h — the one UTF-8 codec of zhengce: strict decoding and
 * encoding of one character, validation of a text, cutting a text on a
 * character boundary.  Every layer above uses it (wrappers, the library,
 * the protocol, the programs); nothing else decodes UTF-8 by hand.
 *
 * Owns: nothing; pure functions over bytes, never allocating.
 * Must never: accept what RFC 3629 forbids (overlong forms, surrogates,
 * code points past U+10FFFF, truncated sequences): protocol.md makes those
 * bad_request, and the index never holds them. */
#ifndef ZC_BASE_UTF8_H
#define ZC_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes u (a Unicode scalar value, checked by the caller) as UTF-8 at b,
 * which has room for 4 bytes; returns the length written, 1..4. */
static inline size_t zc_utf8_encode(uint32_t u, char *b)
{
    if (u < 0x80) {
        b[0] = (char)u;
        return 1;
    } else if (u < 0x800) {
        b[0] = (char)(0xC0 | (u >> 6));
        b[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    } else if (u < 0x10000) {
        b[0] = (char)(0xE0 | (u >> 12));
        b[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        b[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (u >> 18));
    b[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    b[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* Strict decoding of one character at t[i] (i < len): returns its length
 * 1..4 and stores the code point in *cp, or returns 0 (and leaves *cp
 * alone) when the bytes are not valid UTF-8.  Inline: the snippet scanner
 * and the segmenter call it once per character of every text. */
static inline size_t zc_utf8_decode(const unsigned char *t, size_t len, size_t i,
                                    uint32_t *cp)
{
    unsigned c = t[i];
    size_t n;
    uint32_t u, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, u = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, u = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, u = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len - i < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((t[i + k] & 0xC0) != 0x80)
            return 0;
        u = (u << 6) | (t[i + k] & 0x3F);
    }
    if (u < min || u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
        return 0;
    *cp = u;
    return n;
}

/* Returns 1 if s[0..len) is valid UTF-8 (*bad_at, may be NULL, gets len);
 * else 0 and *bad_at gets the offset of the first byte of the first bad
 * sequence. */
int zc_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* The longest prefix of valid UTF-8 text s[0..len) that is at most max
 * bytes and does not split a character (it stops early at a bad byte). */
size_t zc_utf8_cut(const char *s, size_t len, size_t max);

#endif
