/* filecache.h — derived data kept in a file between processes: what the
 * segmenter and the converter compute from their third-party data at start-up
 * (tenths of a second) is saved once and mapped read-only afterwards.
 *
 * Owns: the cache file format (a 64-byte header, then the payload), its
 * validation, the atomic replacement of a file, and the stamps that say
 * which source data a file was derived from.
 *
 * Must never: hand out a payload that failed any check (wrong magic, format
 * version or source stamp, a size that disagrees with the file, a checksum
 * mismatch), write a cache file in place (a reader must see either the old
 * file or the new one, whole), or print.
 *
 * A file is "<dir>/<name>".  Its header holds a magic (8 bytes, one per kind
 * of payload), the kind's format version, the source stamp the caller gives
 * (a hash of everything the payload was derived from: source files, the
 * library that read them, parameters), the payload size, and a 64-bit
 * checksum of the header and the payload.  The checksum catches damage
 * (truncation, a flipped byte, a half-written file after a crash), not
 * malice: a caller still bounds-checks what it reads from a payload, so a
 * crafted file can give wrong words but never an out-of-bounds read.
 *
 * Two processes saving the same file at once each write their own temporary
 * file in <dir> and rename it over <name>: rename(2) is atomic, the last one
 * wins, and both wrote the same content.
 */
#ifndef ZC_FILECACHE_H
#define ZC_FILECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/zc_status.h"

/* Bytes of the header; the payload starts here (8-byte aligned in a map). */
#define ZC_FCACHE_HEADER_BYTES 64u

typedef struct zc_fcache_map zc_fcache_map;

/* Maps "<dir>/<name>" read-only and checks it against magic (8 bytes),
 * version and stamp.  ZC_ENOTFOUND: no such file; ZC_EVERSION: another
 * magic, version or stamp (stale: derived from other data); ZC_ECORRUPT:
 * sizes or checksum wrong (damaged); ZC_EIO, ZC_ENOMEM.  The caller
 * rebuilds on any of these.  Returns new; free with zc_fcache_close. */
zc_status zc_fcache_open(const char *dir, const char *name, const char magic[8],
                         uint32_t version, uint64_t stamp, zc_fcache_map **out,
                         zc_error *err);

/* The payload of an open map, and its size in bytes.  Borrowed until
 * zc_fcache_close. */
const void *zc_fcache_data(const zc_fcache_map *m, size_t *len);

void zc_fcache_close(zc_fcache_map *m);

/* Writes payload[0..len) as "<dir>/<name>" with that magic, version and
 * stamp: into a new temporary file in dir, renamed over name once complete
 * (so readers and concurrent writers never see a partial file).  Creates
 * dir (and its parents, mode 0755) when missing.  ZC_EIO when the directory
 * cannot be made or written (the caller goes on without the cache). */
zc_status zc_fcache_save(const char *dir, const char *name, const char magic[8],
                         uint32_t version, uint64_t stamp, const void *payload,
                         size_t len, zc_error *err);

/* A 64-bit hash of p[0..n), chained from seed: fast (8 bytes a step) and
 * good enough to catch damage, not an adversary. */
uint64_t zc_fcache_hash(const void *p, size_t n, uint64_t seed);

/* Mixes into *stamp the content of the regular files of directory dir
 * whose names end with one of the NUL-terminated suffixes in suffixes[]
 * (n_suffixes of them), in name order, each with its name and size.
 * ZC_ENOTFOUND when dir cannot be read, ZC_EIO on a read error. */
zc_status zc_fcache_stamp_dir(const char *dir, const char *const *suffixes,
                              size_t n_suffixes, uint64_t *stamp, zc_error *err);

/* Mixes into *stamp the identity (path, size, modification time) of the
 * shared object that holds the function fn, so that a cache derived by a
 * library (friso, OpenCC) goes stale when that library is upgraded.  Mixes
 * nothing when it cannot be found (a static build). */
void zc_fcache_stamp_object(const void *fn, uint64_t *stamp);

#endif
