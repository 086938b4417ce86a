/* strbuf.c — see strbuf.h. */
#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void zc_strbuf_put(zc_strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1)
            nc = nc > SIZE_MAX / 2 ? SIZE_MAX : nc * 2;
        char *np = realloc(b->p, nc);
        if (np == NULL) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void zc_strbuf_puts(zc_strbuf *b, const char *s)
{
    zc_strbuf_put(b, s, strlen(s));
}
