/* indexer/xmem.c — allocation that cannot fail (see xmem.h). */
#include "indexer/xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

static void *oom(void)
{
    fputs("zhengce-indexer: out of memory\n", stderr);
    abort();
}

void *zc_ix_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : oom();
}

void *zc_ix_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : oom();
}

char *zc_ix_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(zc_ix_xmalloc(n), s, n);
}

void zc_ix_xgrow(void *arr, size_t *cap, size_t need, size_t size, size_t first)
{
    if (zc_grow(arr, cap, need, size, first) != 0)
        oom();
}
