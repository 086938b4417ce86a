/* indexer/xmem.h — allocation that cannot fail, for zhengce-indexer's own
 * bookkeeping (the input list, the text-file ids): out of memory there
 * leaves the indexer nothing sensible to do, so it says so and aborts
 * (what it committed stays committed).  Documents go through the library,
 * which reports ZC_ENOMEM instead.
 *
 * Owns: nothing; what they return is the caller's (free() it). */
#ifndef ZC_INDEXER_XMEM_H
#define ZC_INDEXER_XMEM_H

#include <stddef.h>

void *zc_ix_xmalloc(size_t n);
void *zc_ix_xcalloc(size_t n, size_t size);
char *zc_ix_xstrdup(const char *s);
/* zc_grow (base/grow.h) that aborts instead of failing. */
void zc_ix_xgrow(void *arr, size_t *cap, size_t need, size_t size, size_t first);

#endif
