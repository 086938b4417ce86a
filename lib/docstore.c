/* docstore.c — documents stored as zstd frames (see docstore.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "lib/docstore.h"
#include "base/error.h"

/* Level 3 (zstd's default): 182 MB/s in, 39.2% of the JSON on the benchmark
 * corpus, against zlib level 6's 17 MB/s and 37.5% (docs/benchmarks.md). */
#define DOCSTORE_LEVEL 3

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_cctx_key, g_dctx_key;
static int g_keys_ok;

static void free_cctx(void *p)
{
    ZSTD_freeCCtx(p);
}

static void free_dctx(void *p)
{
    ZSTD_freeDCtx(p);
}

static void keys_once(void)
{
    g_keys_ok = pthread_key_create(&g_cctx_key, free_cctx) == 0 &&
                pthread_key_create(&g_dctx_key, free_dctx) == 0;
}

/* The calling thread's context of one kind, made on first use; NULL when
 * out of memory.  A context's tables are reused by every later call, which
 * is the point: making one costs more than packing a small document. */
static ZSTD_CCtx *thread_cctx(void)
{
    if (pthread_once(&g_once, keys_once) != 0 || !g_keys_ok)
        return NULL;
    ZSTD_CCtx *c = pthread_getspecific(g_cctx_key);
    if (c == NULL && (c = ZSTD_createCCtx()) != NULL) {
        /* The 4-byte checksum: a damaged stored document is an error,
         * never a different document. */
        if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, DOCSTORE_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
            pthread_setspecific(g_cctx_key, c) != 0) {
            ZSTD_freeCCtx(c);
            return NULL;
        }
    }
    return c;
}

static ZSTD_DCtx *thread_dctx(void)
{
    if (pthread_once(&g_once, keys_once) != 0 || !g_keys_ok)
        return NULL;
    ZSTD_DCtx *d = pthread_getspecific(g_dctx_key);
    if (d == NULL && (d = ZSTD_createDCtx()) != NULL && pthread_setspecific(g_dctx_key, d) != 0) {
        ZSTD_freeDCtx(d);
        return NULL;
    }
    return d;
}

zc_status zc_docstore_pack(const char *json, size_t len, char **out, size_t *out_len,
                           zc_error *err)
{
    *out = NULL;
    *out_len = 0;
    ZSTD_CCtx *c = thread_cctx();
    size_t cap = ZSTD_compressBound(len);
    char *buf = c != NULL ? malloc(cap) : NULL;
    if (buf == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    /* compress2 writes the content size into the frame header: unpack
     * sizes its buffer from it. */
    size_t n = ZSTD_compress2(c, buf, cap, json, len);
    if (ZSTD_isError(n)) {
        free(buf);
        return zc_error_set(err, ZC_EINTERNAL, NULL, "zstd: %s", ZSTD_getErrorName(n));
    }
    char *shrunk = realloc(buf, n ? n : 1);
    *out = shrunk != NULL ? shrunk : buf;
    *out_len = n;
    return ZC_OK;
}

zc_status zc_docstore_unpack(const char *data, size_t len, char **out, size_t *out_len,
                             zc_error *err)
{
    *out = NULL;
    *out_len = 0;
    unsigned long long size = ZSTD_getFrameContentSize(data, len);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
        size > ZC_DOCSTORE_MAX_BYTES)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "stored document is damaged");
    ZSTD_DCtx *d = thread_dctx();
    char *buf = d != NULL ? malloc((size_t)size + 1) : NULL;
    if (buf == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t n = ZSTD_decompressDCtx(d, buf, (size_t)size, data, len);
    if (ZSTD_isError(n) || n != size) {
        free(buf);
        return zc_error_set(err, ZC_ECORRUPT, NULL, "stored document is damaged");
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return ZC_OK;
}
