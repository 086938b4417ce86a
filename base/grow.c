/* base/grow.c — growing an array by doubling (see grow.h). */
#include "base/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int zc_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : first;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (nc > SIZE_MAX / size)
        return -1;
    void *old;
    memcpy(&old, arr, sizeof old);
    void *np = realloc(old, nc * size);
    if (np == NULL)
        return -1;
    memcpy(arr, &np, sizeof np);
    *cap = nc;
    return 0;
}
