/* base/utf8.c — validating and cutting UTF-8 text (see utf8.h). */
#include "base/utf8.h"

#include <string.h>

int zc_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Eight ASCII bytes at a time: most of an English text, all of the
         * markup and digits of a Chinese one, and every protocol verb. */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = zc_utf8_decode(p, len, i, &cp);
        if (n == 0) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += n;
    }
    if (bad_at)
        *bad_at = len;
    return 1;
}

size_t zc_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = zc_utf8_decode(p, len, i, &cp);
        if (n == 0 || i + n > max)
            break;
        i += n;
    }
    return i;
}
