/* snippet_terms_internal.h — what the snippet_* files share and nobody else sees:
 * the layout of the highlight term set (zc_hl, built by snippet_terms.c,
 * read by snippet_scan.c and snippet_window.c).
 *
 * Owns: nothing; types and look-ups only.  Not part of the library's
 * interface (query.c and search.c use snippet.h / snippet_terms.h).
 */
#ifndef ZC_SNIPPET_TERMS_INTERNAL_H
#define ZC_SNIPPET_TERMS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/snippet_terms.h"

/* What an entry matches: */
enum { ZC_HL_EXACT = 0, ZC_HL_STEM = 1, ZC_HL_WORD = 2, ZC_HL_UNIT = 3 };

typedef struct zc_hl_entry {
    char *term;        /* owned */
    size_t len;
    int stem;          /* ZC_HL_EXACT: a token's term; ZC_HL_STEM: a WORD token's
                        * stem; ZC_HL_WORD: a ZC_TOK_CJK_WORD token's term;
                        * ZC_HL_UNIT: a unit's canonical form (unit.h) */
    int part;          /* zc_hl_add_part / _seq: not shown on its own */
    int in_seq;        /* part of a sequence: shown only inside one */
    uint32_t id;       /* index in insertion order, for distinct counting */
} zc_hl_entry;

typedef struct zc_hl_seq_item {
    uint32_t id;       /* hl entry */
    unsigned char gap; /* one extra position may stand before it */
} zc_hl_seq_item;

typedef struct zc_hl_seq {
    size_t first, n;   /* items[first, first + n) */
    int whole;         /* zc_hl_add_seq_whole: marked as one span */
} zc_hl_seq;

typedef struct zc_hl_word {
    const char *term;  /* borrowed from the entry (never moves) */
    size_t len;
    uint32_t id;
} zc_hl_word;

struct zc_hl {
    zc_hl_entry *slots; /* open addressing; term NULL = empty */
    size_t cap;        /* power of two */
    size_t count;
    int has_stems;
    int has_units;     /* some entry is ZC_HL_UNIT: the scan looks for units */
    zc_hl_word *words; /* the ZC_HL_WORD entries, for the direct scan */
    size_t n_words, cap_words;
    uint64_t *qbits;   /* first BMP code points of the terms (snippet_scan.c,
                        * "regions") */
    uint32_t *pairs;   /* first two code points of CJK terms, cp1 << 16 | cp2;
                        * open addressing, 0 = empty */
    size_t n_pairs, cap_pairs;
    uint64_t *pfirst;  /* BMP code points that start a pair */
    size_t seq_gaps_max;  /* most gap flags of one sequence */
    size_t seq_span_max;  /* most positions one sequence can span */
    zc_hl_seq_item *items; /* every sequence's items, back to back */
    size_t n_items, cap_items;
    zc_hl_seq *seqs;
    size_t n_seqs, cap_seqs;
};

/* The entry of (term, kind) (kind: ZC_HL_*), or NULL.  Borrowed until hl
 * changes. */
const zc_hl_entry *zc_hl_find(const zc_hl *hl, const char *term, size_t len, int kind);

/* 1 if a CJK term starts with the two BMP code points of key
 * (cp1 << 16 | cp2). */
int zc_hl_pair_has(const zc_hl *hl, uint32_t key);

#endif
