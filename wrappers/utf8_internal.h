/* utf8_internal.h — strict UTF-8 encoding and decoding of one character,
 * shared by the converter and segmenter wrappers, lib/search_stored.c's JSON
 * string decoder and the snippet modules (lib/snippet*.c): the library's
 * one UTF-8 codec.
 *
 * Owns: nothing; static inline helpers for the library's own files only (not part
 * of the library's interface, so nothing here is exported).
 * Must never: accept what zc_norm_valid_utf8 refuses (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences).
 */
#ifndef ZC_UTF8_INTERNAL_H
#define ZC_UTF8_INTERNAL_H

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
 * alone) when the bytes are not valid UTF-8. */
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

#endif
