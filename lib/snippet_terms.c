/* snippet_terms.c — the highlight term set (zc_hl, snippet_terms.h).
 *
 * Owns: the terms, in an open-addressing table keyed by (term, kind); the
 * sequences; the prefilter tables (the first code point of every term, the
 * first two of every CJK term) that let the scan skip runs of text where no
 * term can start.
 * Must never: grow without checking for overflow and memory, or forget a
 * term's kind (the bigram 工业 and the word 工业 are two entries).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/snippet_terms_internal.h"
#include "lib/snippet_terms.h"
#include "base/utf8.h"
#include "base/grow.h"

static uint64_t hl_hash(const char *s, size_t len, int stem)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(stem ? 0x9e37u : 0u);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

zc_status zc_hl_new(zc_hl **out, zc_error *err)
{
    *out = NULL;
    zc_hl *hl = calloc(1, sizeof *hl);
    if (hl == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    hl->cap = 16;
    hl->slots = calloc(hl->cap, sizeof *hl->slots);
    hl->qbits = calloc(0x10000 / 64, sizeof *hl->qbits);
    hl->pfirst = calloc(0x10000 / 64, sizeof *hl->pfirst);
    if (hl->slots == NULL || hl->qbits == NULL || hl->pfirst == NULL) {
        free(hl->slots);
        free(hl->qbits);
        free(hl->pfirst);
        free(hl);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    *out = hl;
    return ZC_OK;
}

void zc_hl_free(zc_hl *hl)
{
    if (hl == NULL)
        return;
    for (size_t i = 0; i < hl->cap; i++)
        free(hl->slots[i].term);
    free(hl->slots);
    free(hl->items);
    free(hl->seqs);
    free(hl->words);
    free(hl->qbits);
    free(hl->pairs);
    free(hl->pfirst);
    free(hl);
}

size_t zc_hl_count(const zc_hl *hl)
{
    return hl ? hl->count : 0;
}

/* Slot of (term, stem), or of the empty slot where it would go. */
static size_t hl_slot(const zc_hl_entry *slots, size_t cap, const char *term,
                      size_t len, int stem)
{
    size_t i = (size_t)hl_hash(term, len, stem) & (cap - 1);
    while (slots[i].term != NULL) {
        if (slots[i].len == len && slots[i].stem == stem &&
            memcmp(slots[i].term, term, len) == 0)
            return i;
        i = (i + 1) & (cap - 1);
    }
    return i;
}

const zc_hl_entry *zc_hl_find(const zc_hl *hl, const char *term, size_t len, int kind)
{
    if (hl == NULL || hl->count == 0)
        return NULL;
    size_t i = hl_slot(hl->slots, hl->cap, term, len, kind);
    return hl->slots[i].term ? &hl->slots[i] : NULL;
}

static int hl_grow(zc_hl *hl)
{
    size_t ncap = hl->cap * 2;
    zc_hl_entry *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return -1;
    for (size_t i = 0; i < hl->cap; i++) {
        if (hl->slots[i].term == NULL)
            continue;
        size_t j = hl_slot(ns, ncap, hl->slots[i].term, hl->slots[i].len,
                           hl->slots[i].stem);
        ns[j] = hl->slots[i];
    }
    free(hl->slots);
    hl->slots = ns;
    hl->cap = ncap;
    return 0;
}

/* The code point at term[0] and its length; a byte that starts no valid
 * character counts as one (such a term matches no token anyway: tokens are
 * valid UTF-8, so only the prefilter sees it). */
static uint32_t first_cp(const char *term, size_t len, size_t *k)
{
    uint32_t cp = 0;
    *k = zc_utf8_decode((const unsigned char *)term, len, 0, &cp);
    if (*k == 0) {
        *k = 1;
        cp = (unsigned char)term[0];
    }
    return cp;
}

static size_t pair_slot(const uint32_t *pairs, size_t cap, uint32_t key)
{
    size_t i = (size_t)(key * 2654435761u) & (cap - 1);
    while (pairs[i] != 0 && pairs[i] != key)
        i = (i + 1) & (cap - 1);
    return i;
}

int zc_hl_pair_has(const zc_hl *hl, uint32_t key)
{
    return hl->cap_pairs > 0 && hl->pairs[pair_slot(hl->pairs, hl->cap_pairs, key)] == key;
}

/* Adds a pair (key != 0); -1 when out of memory (the caller then falls
 * back to the first character alone, which only scans more). */
static int hl_add_pair(zc_hl *hl, uint32_t key)
{
    if ((hl->n_pairs + 1) * 2 > hl->cap_pairs) {
        size_t nc = hl->cap_pairs ? hl->cap_pairs * 2 : 32;
        uint32_t *np = calloc(nc, sizeof *np);
        if (np == NULL)
            return -1;
        for (size_t i = 0; i < hl->cap_pairs; i++)
            if (hl->pairs[i] != 0)
                np[pair_slot(np, nc, hl->pairs[i])] = hl->pairs[i];
        free(hl->pairs);
        hl->pairs = np;
        hl->cap_pairs = nc;
    }
    size_t i = pair_slot(hl->pairs, hl->cap_pairs, key);
    if (hl->pairs[i] == 0) {
        hl->pairs[i] = key;
        hl->n_pairs++;
    }
    uint32_t cp = key >> 16;
    hl->pfirst[cp >> 6] |= 1ull << (cp & 63);
    return 0;
}

/* Adds (term, stem); *id_out (may be NULL) gets its entry id, or
 * UINT32_MAX when nothing was added (empty term). */
static zc_status hl_add_id(zc_hl *hl, const char *term, size_t len, int stem, int part,
                           int in_seq, uint32_t *id_out, zc_error *err)
{
    if (id_out)
        *id_out = UINT32_MAX;
    if (hl == NULL || term == NULL || len == 0)
        return ZC_OK;
    size_t i = hl_slot(hl->slots, hl->cap, term, len, stem);
    if (hl->slots[i].term != NULL) {
        if (!part)
            hl->slots[i].part = 0;   /* a full term wins over a piece */
        if (in_seq)
            hl->slots[i].in_seq = 1;
        if (id_out)
            *id_out = hl->slots[i].id;
        return ZC_OK;
    }
    /* Keep the load under one half so probes stay short. */
    if ((hl->count + 1) * 2 > hl->cap) {
        if (hl_grow(hl) != 0)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        i = hl_slot(hl->slots, hl->cap, term, len, stem);
    }
    if (stem == ZC_HL_WORD &&
        zc_grow(&hl->words, &hl->cap_words, hl->n_words + 1, sizeof *hl->words, 8) != 0)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    memcpy(copy, term, len);
    copy[len] = '\0';
    hl->slots[i].term = copy;
    hl->slots[i].len = len;
    hl->slots[i].stem = stem;
    hl->slots[i].part = part;
    hl->slots[i].in_seq = in_seq;
    hl->slots[i].id = (uint32_t)hl->count;
    if (id_out)
        *id_out = hl->slots[i].id;
    hl->count++;
    if (stem == ZC_HL_STEM)
        hl->has_stems = 1;
    if (stem == ZC_HL_UNIT) {
        /* found by their own scan, not the analyzer's: no prefilter bits */
        hl->has_units = 1;
        return ZC_OK;
    }
    if (stem == ZC_HL_WORD)
        hl->words[hl->n_words++] = (zc_hl_word){copy, len, hl->slots[i].id};
    /* What a token matching the term starts with (see "regions"): a CJK
     * term of 2+ characters its first two characters, anything else its
     * first character (a stem has the word's first letter); astral text
     * is always scanned. */
    size_t k1 = 0;
    uint32_t cp = first_cp(copy, len, &k1);
    size_t k2 = 0;
    uint32_t cp2 = cp >= 0x80 && k1 < len ? first_cp(copy + k1, len - k1, &k2) : 0;
    if (cp2 == 0 || cp > 0xFFFF || cp2 > 0xFFFF || hl_add_pair(hl, cp << 16 | cp2) != 0) {
        if (cp <= 0xFFFF)
            hl->qbits[cp >> 6] |= 1ull << (cp & 63);
    }
    return ZC_OK;
}

zc_status zc_hl_add(zc_hl *hl, const char *term, size_t len, int stem, zc_error *err)
{
    return hl_add_id(hl, term, len, stem ? ZC_HL_STEM : ZC_HL_EXACT, 0, 0, NULL, err);
}

zc_status zc_hl_add_part(zc_hl *hl, const char *term, size_t len, zc_error *err)
{
    return hl_add_id(hl, term, len, ZC_HL_EXACT, 1, 0, NULL, err);
}

zc_status zc_hl_add_word(zc_hl *hl, const char *term, size_t len, zc_error *err)
{
    return hl_add_id(hl, term, len, ZC_HL_WORD, 0, 0, NULL, err);
}

zc_status zc_hl_add_unit(zc_hl *hl, const char *canon, size_t len, zc_error *err)
{
    return hl_add_id(hl, canon, len, ZC_HL_UNIT, 0, 0, NULL, err);
}

static zc_status add_seq(zc_hl *hl, const char *const *terms, const size_t *lens,
                         const unsigned char *gaps, size_t n, int whole, zc_error *err)
{
    if (hl == NULL || n == 0)
        return ZC_OK;
    if (n == 1)
        return hl_add_id(hl, terms[0], lens[0], ZC_HL_EXACT, 0, 0, NULL, err);
    if (zc_grow(&hl->items, &hl->cap_items, hl->n_items + n, sizeof *hl->items, 32) !=
            0 ||
        zc_grow(&hl->seqs, &hl->cap_seqs, hl->n_seqs + 1, sizeof *hl->seqs, 8) != 0)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t first = hl->n_items;
    for (size_t k = 0; k < n; k++) {
        uint32_t id;
        zc_status st = hl_add_id(hl, terms[k], lens[k], ZC_HL_EXACT, 1, 1, &id, err);
        if (st != ZC_OK)
            return st;
        if (id == UINT32_MAX)
            return ZC_OK; /* an empty term: the sequence can never occur */
        hl->items[first + k].id = id;
        hl->items[first + k].gap = gaps != NULL && gaps[k] ? 1 : 0;
    }
    hl->n_items = first + n;
    size_t g = 0;
    for (size_t k = 0; k < n; k++)
        g += hl->items[first + k].gap;
    if (g > hl->seq_gaps_max)
        hl->seq_gaps_max = g;
    if (n + g > hl->seq_span_max)
        hl->seq_span_max = n + g;
    hl->seqs[hl->n_seqs].first = first;
    hl->seqs[hl->n_seqs].n = n;
    hl->seqs[hl->n_seqs].whole = whole;
    hl->n_seqs++;
    return ZC_OK;
}

zc_status zc_hl_add_seq(zc_hl *hl, const char *const *terms, const size_t *lens,
                        const unsigned char *gaps, size_t n, zc_error *err)
{
    return add_seq(hl, terms, lens, gaps, n, 0, err);
}

zc_status zc_hl_add_seq_whole(zc_hl *hl, const char *const *terms, const size_t *lens,
                              const unsigned char *gaps, size_t n, zc_error *err)
{
    return add_seq(hl, terms, lens, gaps, n, 1, err);
}
