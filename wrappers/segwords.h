/* segwords.h — the segmenter's word table: friso's CJK words (bytes,
 * length, frequency: friso's own values), a hash index over every word and
 * every proper prefix of a word, and friso's unit words.  Only
 * wrappers/segmenter.c uses it.
 *
 * Why: friso's own table costs a full string hash, a modulo and a strcmp
 * chain walk per look-up, and it cannot say that no longer word starts with
 * a prefix; with prefixes, a row of look-ups stops as soon as the text
 * leaves the dictionary.
 *
 * Owns: the table's layout, its build from a loaded friso dictionary, and
 * its cache file (<cache_dir>/friso-words.zcc, through filecache.h).
 * Must never: read outside the table, even from a crafted file (each
 * look-up checks the slot and word it reads: a bad file can give wrong
 * words, never an out-of-bounds read), or print.
 *
 * The table is one flat block, built in memory or mapped read-only from
 * the cache file (the file's payload is the block, byte for byte):
 *
 *   zc_segw_header
 *   zc_segw_slot  slots[n_slots]    open addressing, linear probing
 *   zc_segw_word  words[n_words]
 *   char          blob[blob_bytes]  the words' bytes, back to back
 *   char          units[units_bytes] unit words, each NUL-terminated
 *
 * Cost: building it from friso's loaded dictionary ~65 ms (friso's own load
 * is another ~65 ms); mapping a valid file ~1.3 ms (its checksum), plus
 * ~0.6 ms to stamp the 2.7 MB of lexicons (zc_segw_stamp).
 */
#ifndef ZC_SEGWORDS_H
#define ZC_SEGWORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <friso/friso.h>

#include "wrappers/filecache.h"
#include "base/zc_status.h"

typedef struct zc_segw_word {
    uint32_t off;   /* its bytes: blob[off, off + len) */
    uint32_t fre;   /* friso's frequency */
    uint32_t len;   /* bytes (friso's length) */
} zc_segw_word;

/* A slot holds one string: the first len bytes of words[ref >> 8], where
 * len = ref & 0xFF.  It is a word when len is that word's whole length, else
 * only a prefix.  tag: the string's hash (bits 1..31; never 0, 0 is an empty
 * slot), bit 0 set when a longer word starts with the string.  Strings are
 * always compared byte for byte, so a tag collision costs a comparison,
 * never a wrong answer. */
typedef struct zc_segw_slot {
    uint32_t tag;
    uint32_t ref;
} zc_segw_slot;

/* Longest string a slot can hold, and most words, by the ref encoding. */
#define ZC_SEGW_MAX_BYTES 0xFFu
#define ZC_SEGW_MAX_WORDS (1u << 24)

/* A table.  The fields are here only so that zc_segw_get can be inlined in
 * the segmenter's inner loop; nothing else reads them. */
typedef struct zc_segw {
    const zc_segw_slot *slots;
    size_t slots_mask;        /* n_slots - 1 */
    const zc_segw_word *words;
    size_t n_words;
    const char *blob;
    size_t blob_bytes;
    const char *units;
    size_t units_bytes;
    size_t dict_size;         /* friso's count of CJK words */
    void *mem;                /* owned: the block, when built */
    size_t mem_bytes;
    zc_fcache_map *map;       /* owned: the block, when mapped */
} zc_segw;

/* Builds the table from friso's loaded dictionary (its CJK words and unit
 * tables), loaded with max_len.  ZC_ENOMEM; ZC_ECORRUPT when friso holds
 * more words than a table can.  Returns new; free with zc_segw_free. */
zc_status zc_segw_build(friso_t friso, uint32_t max_len, zc_segw **out, zc_error *err);

/* Builds a table of the words words[i] (lens[i] bytes each, 1 to
 * ZC_SEGW_MAX_BYTES; duplicates allowed), frequency 1, no unit words:
 * the segmenter's user words (zc_seg_user_new).  ZC_EINVAL for a word of
 * a bad length, ZC_ENOMEM.  Returns new; free with zc_segw_free. */
zc_status zc_segw_build_list(const char *const *words, const size_t *lens, size_t n,
                             uint32_t max_len, zc_segw **out, zc_error *err);

/* A stamp of everything a table built from the lexicons in lexdir (ends
 * with '/') depends on: the directory's path, the content of its *.lex and
 * *.ini files, friso's shared library, the layout.  ZC_ENOTFOUND, ZC_EIO. */
zc_status zc_segw_stamp(const char *lexdir, uint64_t *stamp, zc_error *err);

/* Maps the cache file in cache_dir when it is valid for stamp and max_len
 * (see zc_fcache_open for the statuses; ZC_ECORRUPT also for a layout that
 * disagrees with its header).  Returns new; free with zc_segw_free. */
zc_status zc_segw_map(const char *cache_dir, uint64_t stamp, uint32_t max_len,
                      zc_segw **out, zc_error *err);

/* Saves a built table as the cache file in cache_dir, atomically
 * (zc_fcache_save).  ZC_EINVAL for a mapped table. */
zc_status zc_segw_save(const zc_segw *t, const char *cache_dir, uint64_t stamp,
                       zc_error *err);

void zc_segw_free(zc_segw *t);

/* 1 if s[0..len) is one of friso's unit words (年 月 元 ...). */
int zc_segw_is_unit(const zc_segw *t, const char *s, size_t len);

/* The bytes of w (w->len of them).  Borrowed from t. */
static inline const char *zc_segw_bytes(const zc_segw *t, const zc_segw_word *w)
{
    return t->blob + w->off;
}

static inline uint32_t zc_segw_tag(const char *b, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)b[i];
        h *= 1099511628211ull;
    }
    /* mix the high bits down before taking them */
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    uint32_t tag = (uint32_t)h & ~1u;
    return tag ? tag : 2;
}

/* 1 when slot s holds b[0, n) (of that tag).  Bounds are checked here, at
 * each look-up, rather than over the whole table when a file is mapped: a
 * few compares on lines the look-up reads anyway, against a pass over 8 MB
 * at every start-up (2 ms). */
static inline int zc_segw_holds(const zc_segw_slot *s, uint32_t tag, const zc_segw_word *words,
                                size_t n_words, const char *blob, size_t blob_bytes,
                                const char *b, size_t n)
{
    if ((s->tag & ~1u) != tag || (s->ref & 0xFFu) != n || (s->ref >> 8) >= n_words)
        return 0;
    const zc_segw_word *w = &words[s->ref >> 8];
    return n <= w->len && w->off <= blob_bytes && n <= blob_bytes - w->off &&
           memcmp(blob + w->off, b, n) == 0;
}

/* The word b[0, n), or NULL; *more (may be NULL) is set to 0 when no longer
 * word starts with b[0, n).  Borrowed from t. */
static inline const zc_segw_word *zc_segw_get(const zc_segw *t, const char *b, size_t n,
                                              int *more)
{
    if (more)
        *more = 0;
    if (n == 0 || n > ZC_SEGW_MAX_BYTES)
        return NULL;
    uint32_t tag = zc_segw_tag(b, n);
    size_t i = (size_t)(tag >> 1) & t->slots_mask;
    /* At most one pass: a damaged table may have no empty slot. */
    for (size_t probes = 0; probes <= t->slots_mask; probes++, i = (i + 1) & t->slots_mask) {
        const zc_segw_slot *s = &t->slots[i];
        if (s->tag == 0)
            return NULL;
        if (zc_segw_holds(s, tag, t->words, t->n_words, t->blob, t->blob_bytes, b, n)) {
            if (more)
                *more = s->tag & 1u;
            const zc_segw_word *w = &t->words[s->ref >> 8];
            return w->len == n ? w : NULL;
        }
    }
    return NULL;
}

#endif
