/* docstore.h — the stored form of a document: its compact JSON (docmodel.c
 * zc_doc_serialize) as one zstd frame, the Xapian document data of index
 * format 3 (docs/index-format.md).
 *
 * Why not leave it to Xapian: glass deflates document data itself, and
 * zlib's deflate (17 MB/s) was 7% of indexing CPU while its inflate
 * (245 MB/s) was a large part of every search's hit fetch.  zstd level 3
 * compresses ~10x and decompresses ~3.5x faster for a stored size within 2%
 * (docs/benchmarks.md); Xapian then finds the frame incompressible and
 * stores it as it is.
 *
 * Owns: the compression contexts, one of each kind per thread (kept in
 * thread-specific data, freed when the thread exits).
 * Must never: return a partial document; accept a frame whose content size
 * is unknown or above ZC_DOCSTORE_MAX_BYTES.
 */
#ifndef ZC_DOCSTORE_H
#define ZC_DOCSTORE_H

#include <stddef.h>

#include "lib/zhengce.h"

/* The largest document this store unpacks (the indexer's --max-record
 * default is 64 MiB of JSON). */
#define ZC_DOCSTORE_MAX_BYTES ((size_t)256 << 20)

/* Packs json[0..len).  *out: returns new; free with free().  ZC_ENOMEM, or
 * ZC_EINTERNAL if zstd fails. */
zc_status zc_docstore_pack(const char *json, size_t len, char **out, size_t *out_len,
                           zc_error *err);

/* Unpacks what zc_docstore_pack made.  *out: returns new, NUL-terminated
 * (not counted in *out_len); free with free().  ZC_ECORRUPT when data is not
 * such a frame ("stored document is damaged"); ZC_ENOMEM. */
zc_status zc_docstore_unpack(const char *data, size_t len, char **out, size_t *out_len,
                             zc_error *err);

#endif
