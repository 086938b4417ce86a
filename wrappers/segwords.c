/* segwords.c — the segmenter's word table: build from friso, attach a block,
 * the cache file (see segwords.h for the layout and the contract).
 *
 * Owns: the block layout and its cache file format.
 * Must never: hand out a table whose header disagrees with its size, or
 * print.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "wrappers/segwords.h"

typedef struct zc_segw_header {
    uint32_t max_len;      /* friso's max_len the words were loaded with */
    uint32_t n_slots;      /* a power of two */
    uint32_t n_words;
    uint32_t blob_bytes;
    uint32_t units_bytes;
    uint32_t dict_size;    /* friso's count of CJK words */
    uint32_t reserved[2];
} zc_segw_header;

/* The cache file: its name in the cache directory, its magic and format
 * version (bump when the layout or how it is built changes). */
#define SEGW_FILE "friso-words.zcc"
static const char segw_magic[8] = {'Z', 'C', 'S', 'E', 'G', 'W', 'D', '1'};
#define SEGW_FORMAT 1u

/* ---- building --------------------------------------------------------- */

/* Puts the first n bytes of words[wi] in the table (a word when n is its
 * length, else a prefix).  The table has an empty slot. */
static void slot_put(zc_segw_slot *slots, size_t mask, const zc_segw_word *words,
                     const char *blob, uint32_t wi, size_t n)
{
    const char *b = blob + words[wi].off;
    uint32_t tag = zc_segw_tag(b, n);
    int is_word = n == words[wi].len;
    for (size_t i = (size_t)(tag >> 1) & mask;; i = (i + 1) & mask) {
        zc_segw_slot *s = &slots[i];
        if (s->tag == 0) {
            *s = (zc_segw_slot){tag | (uint32_t)!is_word, wi << 8 | (uint32_t)n};
            return;
        }
        if (zc_segw_holds(s, tag, words, ZC_SEGW_MAX_WORDS, blob, SIZE_MAX, b, n)) {
            /* A prefix slot met by its word (or the other way round)
             * becomes one slot that is both. */
            if (is_word)
                s->ref = wi << 8 | (uint32_t)n;
            else
                s->tag |= 1u;
            return;
        }
    }
}

static size_t pow2_above(size_t n)
{
    size_t cap = 1024;
    while (cap < n + n / 2) /* load at most 2/3 */
        cap *= 2;
    return cap;
}

/* The friso CJK entries that become words: well-formed ones.  friso's
 * length is a uchar: it always fits a slot (ZC_SEGW_MAX_BYTES). */
static int usable(hash_entry_t e)
{
    lex_entry_t l = e->_val;
    return e->_key != NULL && l != NULL && l->word != NULL && l->length > 0 &&
           strlen(e->_key) == l->length && memcmp(e->_key, l->word, l->length) == 0;
}

/* Points t at a block (built or mapped) of len bytes, after checking that
 * its header agrees with its size.  The rest is checked per look-up
 * (zc_segw_holds). */
static zc_status attach(zc_segw *t, const void *block, size_t len, uint32_t max_len,
                        zc_error *err)
{
    zc_segw_header h;
    if (len < sizeof h)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "segmenter table truncated");
    memcpy(&h, block, sizeof h);
    uint64_t need = (uint64_t)sizeof h + (uint64_t)h.n_slots * sizeof(zc_segw_slot) +
                    (uint64_t)h.n_words * sizeof(zc_segw_word) + h.blob_bytes + h.units_bytes;
    if (h.n_slots < 2 || (h.n_slots & (h.n_slots - 1)) != 0 || h.n_words >= ZC_SEGW_MAX_WORDS ||
        need != len || h.max_len != max_len ||
        (h.units_bytes > 0 && ((const char *)block)[len - 1] != '\0'))
        return zc_error_set(err, ZC_ECORRUPT, NULL, "segmenter table has a bad layout");
    t->slots = (const zc_segw_slot *)((const char *)block + sizeof h);
    t->slots_mask = h.n_slots - 1;
    t->words = (const zc_segw_word *)(t->slots + h.n_slots);
    t->n_words = h.n_words;
    t->blob = (const char *)(t->words + h.n_words);
    t->blob_bytes = h.blob_bytes;
    t->units = t->blob + h.blob_bytes;
    t->units_bytes = h.units_bytes;
    t->dict_size = h.dict_size;
    return ZC_OK;
}

/* Words, then every string into a roomy table, then the strings into one
 * sized for their real number (prefixes are shared: about half the upper
 * bound), so the cache file stays small. */
static zc_status build(zc_segw *t, friso_t friso, uint32_t max_len, zc_error *err)
{
    friso_hash_t wt = friso->dic[__LEX_CJK_WORDS__];
    friso_hash_t ut = friso->dic[__LEX_CJK_UNITS__];
    size_t n_words = 0, blob_bytes = 0, strings = 0, units_bytes = 0;
    for (uint_t i = 0; i < wt->length; i++)
        for (hash_entry_t e = wt->table[i]; e != NULL; e = e->_next) {
            if (!usable(e))
                continue;
            n_words++;
            blob_bytes += ((lex_entry_t)e->_val)->length;
            /* the word and its proper prefixes (shared ones counted again:
             * an upper bound) */
            for (const char *c = e->_key; *c; c++)
                strings += (((unsigned char)*c) & 0xC0) != 0x80;
        }
    for (uint_t i = 0; i < ut->length; i++)
        for (hash_entry_t e = ut->table[i]; e != NULL; e = e->_next)
            if (e->_key != NULL)
                units_bytes += strlen(e->_key) + 1;
    if (n_words >= ZC_SEGW_MAX_WORDS || blob_bytes > UINT32_MAX || units_bytes > UINT32_MAX)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "friso's dictionary is too large");

    size_t wide_cap = pow2_above(strings);
    zc_segw_word *words = malloc((n_words ? n_words : 1) * sizeof *words);
    char *blob = malloc(blob_bytes + 1);
    zc_segw_slot *wide = calloc(wide_cap, sizeof *wide);
    zc_status st = ZC_OK;
    if (words == NULL || blob == NULL || wide == NULL) {
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory indexing friso's words");
        goto done;
    }
    size_t w = 0, off = 0;
    for (uint_t i = 0; i < wt->length; i++)
        for (hash_entry_t e = wt->table[i]; e != NULL; e = e->_next) {
            if (!usable(e))
                continue;
            lex_entry_t l = e->_val;
            memcpy(blob + off, l->word, l->length);
            words[w++] = (zc_segw_word){(uint32_t)off, l->fre, l->length};
            off += l->length;
        }
    for (uint32_t i = 0; i < n_words; i++) {
        slot_put(wide, wide_cap - 1, words, blob, i, words[i].len);
        /* proper prefixes, on character boundaries */
        for (size_t k = 1; k < words[i].len; k++)
            if ((((unsigned char)blob[words[i].off + k]) & 0xC0) != 0x80)
                slot_put(wide, wide_cap - 1, words, blob, i, k);
    }
    size_t used = 0;
    for (size_t i = 0; i < wide_cap; i++)
        used += wide[i].tag != 0;

    size_t cap = pow2_above(used);
    size_t total = sizeof(zc_segw_header) + cap * sizeof(zc_segw_slot) +
                   n_words * sizeof(zc_segw_word) + blob_bytes + units_bytes;
    char *mem = calloc(1, total);
    if (mem == NULL) {
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory indexing friso's words");
        goto done;
    }
    zc_segw_header *h = (zc_segw_header *)mem;
    *h = (zc_segw_header){max_len, (uint32_t)cap, (uint32_t)n_words, (uint32_t)blob_bytes,
                          (uint32_t)units_bytes,
                          (uint32_t)friso_spec_dic_size(friso->dic, __LEX_CJK_WORDS__), {0, 0}};
    zc_segw_slot *slots = (zc_segw_slot *)(h + 1);
    /* Every string in wide is distinct: each goes to the first free slot
     * from its home (the tag holds all the hash bits a home needs). */
    for (size_t i = 0; i < wide_cap; i++) {
        if (wide[i].tag == 0)
            continue;
        size_t j = (size_t)(wide[i].tag >> 1) & (cap - 1);
        while (slots[j].tag != 0)
            j = (j + 1) & (cap - 1);
        slots[j] = wide[i];
    }
    char *p = (char *)(slots + cap);
    memcpy(p, words, n_words * sizeof *words);
    p += n_words * sizeof *words;
    memcpy(p, blob, blob_bytes);
    p += blob_bytes;
    for (uint_t i = 0; i < ut->length; i++)
        for (hash_entry_t e = ut->table[i]; e != NULL; e = e->_next)
            if (e->_key != NULL) {
                size_t n = strlen(e->_key) + 1;
                memcpy(p, e->_key, n);
                p += n;
            }
    t->mem = mem;
    t->mem_bytes = total;
    st = attach(t, mem, total, max_len, err);
done:
    free(words);
    free(blob);
    free(wide);
    return st;
}

zc_status zc_segw_build(friso_t friso, uint32_t max_len, zc_segw **out, zc_error *err)
{
    *out = NULL;
    zc_segw *t = calloc(1, sizeof *t);
    if (t == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory indexing friso's words");
    zc_status st = build(t, friso, max_len, err);
    if (st != ZC_OK) {
        zc_segw_free(t);
        return st;
    }
    *out = t;
    return ZC_OK;
}

zc_status zc_segw_build_list(const char *const *words, const size_t *lens, size_t n,
                             uint32_t max_len, zc_segw **out, zc_error *err)
{
    *out = NULL;
    size_t blob_bytes = 0, strings = 0;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0 || lens[i] > ZC_SEGW_MAX_BYTES)
            return zc_error_set(err, ZC_EINVAL, NULL, "word %zu has %zu bytes (1-%u allowed)",
                                i + 1, lens[i], ZC_SEGW_MAX_BYTES);
        blob_bytes += lens[i];
        strings += lens[i];   /* an upper bound of the word and its prefixes */
    }
    if (n >= ZC_SEGW_MAX_WORDS || blob_bytes > UINT32_MAX / 2)
        return zc_error_set(err, ZC_EINVAL, NULL, "too many words");
    /* One table, sized for every string (no second, tighter pass: a user
     * list is small and never saved). */
    size_t cap = pow2_above(strings);
    size_t total = sizeof(zc_segw_header) + cap * sizeof(zc_segw_slot) +
                   n * sizeof(zc_segw_word) + blob_bytes;
    zc_segw *t = calloc(1, sizeof *t);
    char *mem = calloc(1, total);
    if (t == NULL || mem == NULL) {
        free(t);
        free(mem);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory indexing words");
    }
    zc_segw_header *h = (zc_segw_header *)mem;
    *h = (zc_segw_header){max_len, (uint32_t)cap, (uint32_t)n, (uint32_t)blob_bytes, 0,
                          (uint32_t)n, {0, 0}};
    zc_segw_slot *slots = (zc_segw_slot *)(h + 1);
    zc_segw_word *w = (zc_segw_word *)(slots + cap);
    char *blob = (char *)(w + n);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(blob + off, words[i], lens[i]);
        /* friso's frequency only counts for one-character words (MMSEG's
         * fourth rule); a listed word has no frequency of its own. */
        w[i] = (zc_segw_word){(uint32_t)off, 1, (uint32_t)lens[i]};
        off += lens[i];
    }
    for (uint32_t i = 0; i < n; i++) {
        slot_put(slots, cap - 1, w, blob, i, w[i].len);
        for (size_t k = 1; k < w[i].len; k++)
            if ((((unsigned char)blob[w[i].off + k]) & 0xC0) != 0x80)
                slot_put(slots, cap - 1, w, blob, i, k);
    }
    t->mem = mem;
    t->mem_bytes = total;
    zc_status st = attach(t, mem, total, max_len, err);
    if (st != ZC_OK) {
        zc_segw_free(t);
        return st;
    }
    *out = t;
    return ZC_OK;
}

/* ---- the cache file --------------------------------------------------- */

zc_status zc_segw_stamp(const char *lexdir, uint64_t *stamp, zc_error *err)
{
    static const char *const sources[] = {".lex", ".ini"};
    uint32_t layout[3] = {SEGW_FORMAT, (uint32_t)sizeof(zc_segw_slot),
                          (uint32_t)sizeof(zc_segw_word)};
    uint64_t h = zc_fcache_hash(lexdir, strlen(lexdir), 0);
    h = zc_fcache_hash(layout, sizeof layout, h);
    zc_fcache_stamp_object((const void *)friso_dic_load_from_ifile, &h);
    zc_status st = zc_fcache_stamp_dir(lexdir, sources, 2, &h, err);
    *stamp = h;
    return st;
}

zc_status zc_segw_map(const char *cache_dir, uint64_t stamp, uint32_t max_len,
                      zc_segw **out, zc_error *err)
{
    *out = NULL;
    zc_segw *t = calloc(1, sizeof *t);
    if (t == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    zc_status st = zc_fcache_open(cache_dir, SEGW_FILE, segw_magic, SEGW_FORMAT, stamp,
                                  &t->map, err);
    if (st == ZC_OK) {
        size_t len = 0;
        const void *p = zc_fcache_data(t->map, &len);
        st = attach(t, p, len, max_len, err);
    }
    if (st != ZC_OK) {
        zc_segw_free(t);
        return st;
    }
    *out = t;
    return ZC_OK;
}

zc_status zc_segw_save(const zc_segw *t, const char *cache_dir, uint64_t stamp,
                       zc_error *err)
{
    if (t == NULL || t->mem == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "only a built table is saved");
    return zc_fcache_save(cache_dir, SEGW_FILE, segw_magic, SEGW_FORMAT, stamp, t->mem,
                          t->mem_bytes, err);
}

void zc_segw_free(zc_segw *t)
{
    if (t == NULL)
        return;
    free(t->mem);
    zc_fcache_close(t->map);
    free(t);
}

int zc_segw_is_unit(const zc_segw *t, const char *s, size_t len)
{
    if (t == NULL || s == NULL || len == 0)
        return 0;
    for (size_t i = 0; i < t->units_bytes;) {
        size_t n = strlen(t->units + i); /* the block ends with a NUL */
        if (n == len && memcmp(t->units + i, s, len) == 0)
            return 1;
        i += n + 1;
    }
    return 0;
}
