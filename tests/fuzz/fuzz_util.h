/* fuzz_util.h — helpers shared by the libFuzzer harnesses in tests/fuzz/:
 * a failed-invariant check that aborts (libFuzzer records the input as a
 * crash), a reference UTF-8 validator written independently of the ones
 * under test, and exact-size copies so AddressSanitizer sees any read past
 * the bytes a function was given.
 *
 * Owns: nothing.  Header-only (static functions), harness code only. */
#ifndef ZC_FUZZ_UTIL_H
#define ZC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/analyzer.h"
#include "lib/zhengce.h"

/* An invariant broke: say which, and abort so libFuzzer saves the input. */
#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Strict UTF-8 (RFC 3629) by decoding each sequence to its code point and
 * then rejecting overlongs, surrogates and values past U+10FFFF — a
 * different method from the table of second-byte ranges that proto.c and
 * utf8proc use, so the two can check each other.  Returns 1 if valid; else
 * 0 and *bad_at (may be NULL) gets the offset of the first bad sequence. */
static inline int fuzz_utf8_valid(const void *text, size_t len, size_t *bad_at)
{
    const unsigned char *s = text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            goto bad;
        }
        if (len - i < n)
            goto bad;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += n;
    }
    return 1;
bad:
    if (bad_at)
        *bad_at = i;
    return 0;
}

/* A heap copy of exactly len bytes (no terminator, no slack): a read past
 * the end is an ASan heap-buffer-overflow.  Never NULL for len 0 either. */
static inline char *fuzz_dup_exact(const void *p, size_t len)
{
    /* ASan's malloc(0) is a valid zero-byte block: any read of it reports. */
    char *c = malloc(len);
    if (c == NULL && len == 0)
        c = malloc(1);
    FUZZ_CHECK(c != NULL);
    if (len)
        memcpy(c, p, len);
    return c;
}

/* The same copy with a NUL after it, for functions taking C strings. */
static inline char *fuzz_dup_cstr(const void *p, size_t len)
{
    char *c = malloc(len + 1);
    FUZZ_CHECK(c != NULL);
    if (len)
        memcpy(c, p, len);
    c[len] = '\0';
    return c;
}

/* A refused input's zc_error is well-formed: it carries the status st, a
 * NUL-terminated field and a non-empty NUL-terminated message, both valid
 * UTF-8 (they reach clients in JSON replies). */
static inline void fuzz_check_error(const zc_error *err, zc_status st)
{
    FUZZ_CHECK(err->code == st);
    FUZZ_CHECK(memchr(err->field, '\0', sizeof err->field) != NULL);
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    FUZZ_CHECK(err->message[0] != '\0');
    FUZZ_CHECK(fuzz_utf8_valid(err->field, strlen(err->field), NULL));
    FUZZ_CHECK(fuzz_utf8_valid(err->message, strlen(err->message), NULL));
}

/* Makes one analyzer per segmentation mode into out (ZC_SEG_MODES slots),
 * each checked to be of its mode.  A mode that cannot load (words and
 * hybrid need friso's dictionary) is named on stderr as not fuzzed and left
 * out.  Returns how many were made, at least one. */
static inline size_t fuzz_analyzers_new(const char *harness, zc_analyzer **out)
{
    size_t n = 0;
    zc_error err;
    for (int m = 0; m < ZC_SEG_MODES; m++) {
        if (zc_analyzer_new((zc_seg_mode)m, &out[n], &err) == ZC_OK) {
            FUZZ_CHECK(zc_analyzer_mode(out[n]) == (zc_seg_mode)m);
            n++;
        } else {
            fprintf(stderr, "%s: no %s analyzer (%s); not fuzzed\n", harness,
                    zc_analyzer_mode_name((zc_seg_mode)m), err.message);
        }
    }
    FUZZ_CHECK(n > 0);
    return n;
}

#endif
