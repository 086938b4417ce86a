/* base/grow.h — growing an array by doubling.
 *
 * Owns: nothing; the caller owns the array (free() it).  Every growing
 * array of the library and the programs goes through it, instead of each
 * module writing the same realloc loop again.
 * Must never: lose the array on failure (it stays as it was). */
#ifndef ZC_BASE_GROW_H
#define ZC_BASE_GROW_H

#include <stddef.h>

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap
 * elements, doubling from `first` when empty); the contents are kept.
 * Returns 0, or -1 when out of memory or the size would overflow (*arr and
 * *cap unchanged).  arr is a pointer to the array pointer, any type. */
int zc_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first);

#endif
