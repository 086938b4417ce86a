/* snippet.c — the highlight term set (zc_hl) and snippets (zc_snippet_make).
 *
 * Owns: choosing which characters of a document's text to show for a query
 * and marking the matched words.  It re-analyzes the ORIGINAL text with the
 * same pipeline as indexing (zc_analyze_ex, without the dictionary
 * segmenter: see "matching" below), so a token matches here exactly when it
 * would match in the index, and its byte span is the document's own
 * characters.  Overlapping or touching matched spans (CJK bigrams overlap)
 * are merged into one <b>...</b>.
 *
 * Must never: cut inside a UTF-8 character, emit a raw newline (a reply is
 * one line), or emit unescaped & < > " from the document.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "limits.h"
#include "snippet.h"
#include "strbuf.h"

/* Only this much of a text is scanned for matches: a hit's snippet must stay
 * cheap even for a 64 MiB document.  Matches past it are not shown. */
#define SNIPPET_SCAN_MAX_BYTES (1024u * 1024u)
/* ... and past this much, only until a first match of a full term (a
 * piece of a phrase may not be shown): a policy text may run
 * to hundreds of KiB, and the best window of its first 64 KiB is a good
 * snippet (queries stay fast whatever the hits' length). */
#define SNIPPET_SCAN_SOFT_BYTES (64u * 1024u)
/* A region (see "regions") is analyzed once it is this long, so the two
 * bounds above also hold for a text where every run may hold a term.  A
 * sequence standing across such a cut is not marked. */
#define SNIPPET_REGION_MAX_BYTES (16u * 1024u)
/* At most this many matched tokens are kept per text (memory bound); the
 * best window is almost always among the first ones anyway. */
#define SNIPPET_MATCHES_MAX 65536u
/* Queries with up to this many highlight terms stop scanning as soon as a
 * window holds all of them (the check costs one pass over the terms). */
#define SNIPPET_EARLY_TERMS 64u

/* ---- the term set ------------------------------------------------------ */

/* What an entry matches: */
enum { HL_EXACT = 0, HL_STEM = 1, HL_WORD = 2 };

typedef struct hl_entry {
    char *term;        /* owned */
    size_t len;
    int stem;          /* HL_EXACT: a token's term; HL_STEM: a WORD token's stem;
                        * HL_WORD: a ZC_TOK_CJK_WORD token's term */
    int part;          /* zc_hl_add_part / _seq: not shown on its own */
    int in_seq;        /* part of a sequence: shown only inside one */
    uint32_t id;       /* index in insertion order, for distinct counting */
} hl_entry;

typedef struct seq_item {
    uint32_t id;       /* hl entry */
    unsigned char gap; /* one extra position may stand before it */
} seq_item;

typedef struct seq {
    size_t first, n;   /* items[first, first + n) */
} seq;

typedef struct hl_word {
    const char *term;  /* borrowed from the entry (never moves) */
    size_t len;
    uint32_t id;
} hl_word;

struct zc_hl {
    hl_entry *slots;   /* open addressing; term NULL = empty */
    size_t cap;        /* power of two */
    size_t count;
    int has_stems;
    hl_word *words;    /* the HL_WORD entries, for the direct scan */
    size_t n_words, cap_words;
    uint64_t *qbits;   /* first BMP code points of the terms (see "regions") */
    uint32_t *pairs;   /* first two code points of CJK terms, cp1 << 16 | cp2;
                        * open addressing, 0 = empty */
    size_t n_pairs, cap_pairs;
    uint64_t *pfirst;  /* BMP code points that start a pair */
    size_t seq_gaps_max;  /* most gap flags of one sequence */
    size_t seq_span_max;  /* most positions one sequence can span */
    seq_item *items;   /* every sequence's items, back to back */
    size_t n_items, cap_items;
    seq *seqs;
    size_t n_seqs, cap_seqs;
};

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
static size_t hl_slot(const hl_entry *slots, size_t cap, const char *term,
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

/* The entry of (term, stem), or NULL. */
static const hl_entry *hl_find(const zc_hl *hl, const char *term, size_t len, int stem)
{
    if (hl == NULL || hl->count == 0)
        return NULL;
    size_t i = hl_slot(hl->slots, hl->cap, term, len, stem);
    return hl->slots[i].term ? &hl->slots[i] : NULL;
}

static int hl_grow(zc_hl *hl)
{
    size_t ncap = hl->cap * 2;
    hl_entry *ns = calloc(ncap, sizeof *ns);
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

/* The code point at t[0] of a valid UTF-8 term and its length. */
static uint32_t first_cp(const char *term, size_t len, size_t *k)
{
    const unsigned char *t = (const unsigned char *)term;
    if (t[0] >= 0xF0 && len >= 4) {
        *k = 4;
        return ((t[0] & 0x07u) << 18) | ((t[1] & 0x3Fu) << 12) | ((t[2] & 0x3Fu) << 6) |
               (t[3] & 0x3Fu);
    }
    if (t[0] >= 0xE0 && len >= 3) {
        *k = 3;
        return ((t[0] & 0x0Fu) << 12) | ((t[1] & 0x3Fu) << 6) | (t[2] & 0x3Fu);
    }
    if (t[0] >= 0xC0 && len >= 2) {
        *k = 2;
        return ((t[0] & 0x1Fu) << 6) | (t[1] & 0x3Fu);
    }
    *k = 1;
    return t[0];
}

static size_t pair_slot(const uint32_t *pairs, size_t cap, uint32_t key)
{
    size_t i = (size_t)(key * 2654435761u) & (cap - 1);
    while (pairs[i] != 0 && pairs[i] != key)
        i = (i + 1) & (cap - 1);
    return i;
}

static int pair_has(const zc_hl *hl, uint32_t key)
{
    return hl->cap_pairs > 0 && hl->pairs[pair_slot(hl->pairs, hl->cap_pairs, key)] == key;
}

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap,
 * doubling from `first`); the contents are kept.  -1 when out of memory or
 * the size would overflow (*arr and *cap unchanged). */
static int grow_array(void **arr, size_t *cap, size_t need, size_t size, size_t first)
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
    void *np = realloc(*arr, nc * size);
    if (np == NULL)
        return -1;
    *arr = np;
    *cap = nc;
    return 0;
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
    if (stem == HL_WORD &&
        grow_array((void **)&hl->words, &hl->cap_words, hl->n_words + 1, sizeof *hl->words, 8) != 0)
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
    if (stem == HL_STEM)
        hl->has_stems = 1;
    if (stem == HL_WORD)
        hl->words[hl->n_words++] = (hl_word){copy, len, hl->slots[i].id};
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
    return hl_add_id(hl, term, len, stem ? HL_STEM : HL_EXACT, 0, 0, NULL, err);
}

zc_status zc_hl_add_part(zc_hl *hl, const char *term, size_t len, zc_error *err)
{
    return hl_add_id(hl, term, len, HL_EXACT, 1, 0, NULL, err);
}

zc_status zc_hl_add_word(zc_hl *hl, const char *term, size_t len, zc_error *err)
{
    return hl_add_id(hl, term, len, HL_WORD, 0, 0, NULL, err);
}

zc_status zc_hl_add_seq(zc_hl *hl, const char *const *terms, const size_t *lens,
                        const unsigned char *gaps, size_t n, zc_error *err)
{
    if (hl == NULL || n == 0)
        return ZC_OK;
    if (n == 1)
        return hl_add_id(hl, terms[0], lens[0], HL_EXACT, 0, 0, NULL, err);
    if (grow_array((void **)&hl->items, &hl->cap_items, hl->n_items + n, sizeof *hl->items, 32) !=
            0 ||
        grow_array((void **)&hl->seqs, &hl->cap_seqs, hl->n_seqs + 1, sizeof *hl->seqs, 8) != 0)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t first = hl->n_items;
    for (size_t k = 0; k < n; k++) {
        uint32_t id;
        zc_status st = hl_add_id(hl, terms[k], lens[k], HL_EXACT, 1, 1, &id, err);
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
    hl->n_seqs++;
    return ZC_OK;
}

/* ---- UTF-8 walking ----------------------------------------------------- */

/* Length of the valid UTF-8 character at s[0..n), or 0 if the bytes there
 * are not one (the caller then treats one byte as an invalid character). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    uint32_t cp = c & (0x7Fu >> need);
    for (size_t k = 1; k < need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* Bytes of one character at text[p] (invalid bytes count as one). */
static inline size_t char_step(const char *text, size_t len, size_t p)
{
    const unsigned char *t = (const unsigned char *)text + p;
    /* ASCII and valid 3-byte characters (all of CJK) first: every walk
     * over the text comes through here. */
    if (t[0] < 0x80)
        return 1;
    if ((t[0] & 0xF0) == 0xE0 && len - p >= 3 && (t[1] & 0xC0) == 0x80 &&
        (t[2] & 0xC0) == 0x80 && (t[0] != 0xE0 || t[1] >= 0xA0) &&
        (t[0] != 0xED || t[1] < 0xA0))
        return 3;
    size_t k = utf8_len((const unsigned char *)text + p, len - p);
    return k ? k : 1;
}

/* Start of the character before byte p (p > 0), for valid text; invalid
 * bytes step back by one. */
static size_t char_back(const char *text, size_t p)
{
    size_t q = p - 1;
    size_t lim = p >= 4 ? p - 4 : 0;
    while (q > lim && ((unsigned char)text[q] & 0xC0) == 0x80)
        q--;
    return q;
}

static int is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Whitespace that the snippet may drop at its edges: ASCII whitespace and
 * the ideographic space U+3000. */
static size_t space_len(const char *text, size_t len, size_t p)
{
    unsigned char c = (unsigned char)text[p];
    if (is_ascii_space(c))
        return 1;
    if (c == 0xE3 && p + 2 < len && (unsigned char)text[p + 1] == 0x80 &&
        (unsigned char)text[p + 2] == 0x80)
        return 3;
    return 0;
}

/* 1 if a sentence or paragraph starts at byte p: the text before it ends
 * with 。！？；!?; or a newline, or with '.' and p is whitespace. */
static int sentence_start(const char *text, size_t len, size_t p)
{
    if (p == 0)
        return 1;
    size_t q = char_back(text, p);
    const char *c = text + q;
    size_t n = p - q;
    if (n == 1) {
        switch (*c) {
        case '\n': case '!': case '?': case ';':
            return 1;
        case '.':
            return p < len && is_ascii_space((unsigned char)text[p]);
        default:
            return 0;
        }
    }
    if (n == 3) {
        static const char *const marks[] = {"。", "！", "？", "；", "…"};
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
            if (memcmp(c, marks[k], 3) == 0)
                return 1;
    }
    return 0;
}


/* ---- matching ----------------------------------------------------------
 * The text is scanned with zc_analyze_ex(ZC_ANALYZE_NO_WORDS): the same
 * words, characters, bigrams, spans and positions as indexing makes, but
 * without running the dictionary segmenter over the whole text (it was 9/10
 * of a query's time).  Dictionary words (zc_hl_add_word, words mode) are
 * first looked for as a sequence of characters in each CJK run, and only a
 * run holding one is then segmented, alone, by a second analyzer of the
 * thread (the first one is busy scanning), to confirm that the segmenter
 * makes the whole word there (工业 is not a word of 工业化).  A run
 * segmented alone cuts exactly as inside the text: the segmenter never
 * looks past a run. */

typedef struct match {
    size_t start, end;      /* bytes */
    size_t cstart, cend;    /* characters */
    uint32_t id;            /* hl term id */
    uint32_t pos;           /* token position, valid when positional */
    int positional;
    int part;               /* a piece of a longer query word */
    int in_seq;             /* ... of a sequence (zc_hl_add_seq) */
    int keep;               /* shown (decided by keep_parts) */
} match;

typedef struct run_unit {
    size_t start, end;      /* bytes of the original character */
    size_t off;             /* its folded character in scan_ctx.rtext */
    uint32_t pos;
} run_unit;

typedef struct scan_ctx {
    zc_analyzer *an;
    zc_analyzer *seg;  /* words: the thread's second analyzer (borrowed) */
    const char *text;
    const zc_hl *hl;
    match *m;
    size_t n, cap;
    int oom;
    /* Early stop: once every term was seen within max_chars bytes (so
     * within max_chars characters), no later window can have more distinct
     * terms; the rest of a long text need not be analyzed. */
    size_t max_chars;
    size_t last[SNIPPET_EARLY_TERMS];   /* start byte of each term's last match */
    size_t seen;
    size_t stop_at;    /* byte where scanning stops; SIZE_MAX: not yet known */
    /* Dictionary words: the current CJK run's characters (its unigrams). */
    int words;         /* the set has words and the analyzer segments */
    uint32_t run;      /* run of the buffered characters */
    char *rtext;       /* their folded characters, back to back */
    size_t rlen, rcap;
    run_unit *u;
    size_t nu, ucap;
    size_t n_full;     /* matches of full terms (shown whatever else matches) */
    size_t base;       /* byte offset of the region being analyzed */
    int stopped;       /* scan_token asked to stop */
} scan_ctx;

/* Records a match of entry e; returns non-zero to stop scanning. */
static int add_match(scan_ctx *c, const hl_entry *e, size_t start, size_t end, uint32_t pos,
                     int positional)
{
    if (c->n == c->cap) {
        if (c->cap >= SNIPPET_MATCHES_MAX)
            return 1;   /* enough: stop scanning */
        size_t ncap = c->cap ? c->cap * 2 : 64;
        match *nm = realloc(c->m, ncap * sizeof *nm);
        if (nm == NULL) {
            c->oom = 1;
            return 1;
        }
        c->m = nm;
        c->cap = ncap;
    }
    match *m = &c->m[c->n++];
    m->start = start;
    m->end = end;
    m->id = e->id;
    m->pos = pos;
    m->positional = positional;
    m->part = e->part;
    m->in_seq = e->in_seq;
    m->keep = 0;
    m->cstart = m->cend = 0;
    c->n_full += !e->part;
    if (c->hl->count <= SNIPPET_EARLY_TERMS) {
        if (c->last[e->id] == SIZE_MAX)
            c->seen++;
        c->last[e->id] = start;
        if (c->seen == c->hl->count) {
            size_t lo = start;
            for (size_t k = 0; k < c->hl->count; k++)
                if (c->last[k] < lo)
                    lo = c->last[k];
            /* Go on to the end of the longest window that can start
             * there (4 bytes a character at most), so every match it
             * shows is marked. */
            if (end - lo <= c->max_chars && c->stop_at == SIZE_MAX)
                c->stop_at = lo + 4 * c->max_chars;
        }
    }
    return 0;
}

/* Index of the buffered character whose folded text starts at off, or nu. */
static size_t unit_at(const scan_ctx *c, size_t off)
{
    size_t lo = 0, hi = c->nu;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->u[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Segmenting one run: its words that are query words become matches. */
typedef struct seg_ctx {
    scan_ctx *c;
    size_t base;
    int stop;
} seg_ctx;

static int seg_token(void *vctx, const zc_token *tok)
{
    seg_ctx *v = vctx;
    if (tok->kind != ZC_TOK_CJK_WORD)
        return 0;
    const hl_entry *e = hl_find(v->c->hl, tok->term, tok->len, HL_WORD);
    if (e != NULL && add_match(v->c, e, v->base + tok->start, v->base + tok->end, tok->pos,
                               tok->positional))
        return v->stop = 1;
    return 0;
}

/* The buffered run is complete: if a dictionary word of the query stands
 * in its characters, segment the run and take the words the segmenter
 * makes there. */
static int flush_run(scan_ctx *c)
{
    if (c->oom)
        return 1;
    int found = 0;
    for (size_t w = 0; c->nu >= 2 && w < c->hl->n_words && !found; w++) {
        const hl_word *hw = &c->hl->words[w];
        size_t off = 0;
        const char *hit;
        while (!found && off + hw->len <= c->rlen &&
               (hit = memmem(c->rtext + off, c->rlen - off, hw->term, hw->len)) != NULL) {
            /* UTF-8 matches only on character boundaries; check anyway */
            size_t o = (size_t)(hit - c->rtext);
            size_t i = unit_at(c, o);
            found = i < c->nu && c->u[i].off == o;
            off = o + 1;
        }
    }
    int stop = 0;
    if (found) {
        seg_ctx v = {c, c->u[0].start, 0};
        uint32_t pos = c->u[0].pos;
        (void)zc_analyze(c->seg, c->text + c->u[0].start, c->u[c->nu - 1].end - c->u[0].start,
                         &pos, seg_token, &v, NULL);
        stop = v.stop;
    }
    c->nu = 0;
    c->rlen = 0;
    return stop;
}

/* Buffers one character of the current CJK run (a unigram token). */
static int push_unit(scan_ctx *c, const zc_token *tok)
{
    if (c->nu == c->ucap) {
        size_t nc = c->ucap ? c->ucap * 2 : 64;
        run_unit *nu = realloc(c->u, nc * sizeof *nu);
        if (nu == NULL)
            return -1;
        c->u = nu;
        c->ucap = nc;
    }
    if (c->rlen + tok->len > c->rcap) {
        size_t nc = c->rcap ? c->rcap : 256;
        while (nc < c->rlen + tok->len)
            nc *= 2;
        char *nr = realloc(c->rtext, nc);
        if (nr == NULL)
            return -1;
        c->rtext = nr;
        c->rcap = nc;
    }
    c->u[c->nu++] = (run_unit){c->base + tok->start, c->base + tok->end, c->rlen, tok->pos};
    memcpy(c->rtext + c->rlen, tok->term, tok->len);
    c->rlen += tok->len;
    return 0;
}

static int scan_token(void *vctx, const zc_token *tok)
{
    scan_ctx *c = vctx;
    int new_run = tok->run != c->run;
    if (c->words && new_run) {
        if (flush_run(c))
            return c->stopped = 1;
        c->run = tok->run;
    }
    /* With words to confirm, stop only where a run starts: a run cut
     * short would segment differently. */
    if (c->base + tok->start >= c->stop_at && (!c->words || new_run))
        return c->stopped = 1;
    if (c->words && tok->kind == ZC_TOK_CJK_UNIGRAM && push_unit(c, tok) != 0) {
        c->oom = 1;
        return c->stopped = 1;
    }
    const hl_entry *e = hl_find(c->hl, tok->term, tok->len,
                                tok->kind == ZC_TOK_CJK_WORD ? HL_WORD : HL_EXACT);
    if (e == NULL && tok->kind == ZC_TOK_WORD && c->hl->has_stems && !tok->numeric) {
        char stem[ZC_TERM_MAX_BYTES + 1];
        size_t sl = zc_analyzer_stem(c->an, tok->term, tok->len, stem, sizeof stem);
        if (sl > 0 && sl <= sizeof stem)
            e = hl_find(c->hl, stem, sl, HL_STEM);
    }
    if (e == NULL)
        return 0;
    if (add_match(c, e, c->base + tok->start, c->base + tok->end, tok->pos, tok->positional))
        return c->stopped = 1;
    return 0;
}

/* ---- regions ------------------------------------------------------------
 * Most of a hit's text cannot hold any of the query's terms, and the
 * analyzer (normalization, folding, one token per character) costs far more
 * per byte than a look at each character.  So the text is first walked with
 * a per-process table that says what each BMP code point becomes in the
 * analysis (zc_analyzer_fold_char): a separator, or the one code point it
 * folds to, or "anything" (it expands, vanishes, or depends on its
 * neighbours).  A run (the characters between separators) is interesting
 * when a token may start in it with the first code point of a term
 * (hl->qbits): a CJK character (every one starts a unigram or bigram), or
 * the first letter of a word (an English stem keeps the word's first
 * letter); or when it holds an "anything" character or a non-ASCII letter
 * (NFC may compose it into something else).  Every token that matches a
 * term starts at such a character, so only interesting runs need the
 * analyzer.
 *
 * Consecutive interesting runs form a region, analyzed alone from its
 * first byte (a run boundary, so its tokens, spans and relative positions
 * are exactly those of the whole text).  A region stays open across up to
 * seq_gaps_max uninteresting runs, because a sequence with gaps may stand
 * across that many extra positions; past that no sequence can join the
 * runs on either side, and the next region's positions start
 * seq_span_max + 2 further on, so none is made up across the cut. */

enum {
    CT_SEP = 0x80000000u,   /* a separator (class SPACE, or invalid) */
    CT_ANY = 0x40000000u,   /* may become anything: always interesting */
    CT_WORD = 0x20000000u,  /* an ASCII word character (else CJK) */
    CT_CP = 0x001FFFFFu     /* else: the code point it folds to */
};

static pthread_mutex_t g_ct_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *g_ct;     /* 0x10000 entries, built once, never freed */

/* The character table, built on first use from the analyzer (a few
 * milliseconds); NULL when out of memory. */
static const uint32_t *char_table(const zc_analyzer *a)
{
    uint32_t *t = __atomic_load_n(&g_ct, __ATOMIC_ACQUIRE);
    if (t != NULL)
        return t;
    pthread_mutex_lock(&g_ct_lock);
    t = g_ct;
    if (t == NULL && (t = malloc(0x10000 * sizeof *t)) != NULL) {
        for (uint32_t cp = 0; cp < 0x10000; cp++) {
            zc_cclass cls;
            int32_t f = cp >= 0xD800 && cp <= 0xDFFF
                            ? -1 : zc_analyzer_fold_char(a, (int32_t)cp, &cls);
            if (f < 0 || f > 0xFFFF)
                t[cp] = CT_ANY;
            else if (cls == ZC_CC_SPACE)
                t[cp] = CT_SEP;
            else if (cls == ZC_CC_WORD && f >= 0x80)
                t[cp] = CT_ANY;
            else
                t[cp] = (uint32_t)f | (cls == ZC_CC_WORD ? CT_WORD : 0);
        }
        __atomic_store_n(&g_ct, t, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&g_ct_lock);
    return t;
}

/* Analyzes text[rs, re) as one region; returns non-zero to stop. */
static int scan_region(scan_ctx *c, const char *text, size_t rs, size_t re, uint32_t *pos,
                       zc_error *err)
{
    if (rs >= c->stop_at)
        return 1;
    uint32_t jump = (uint32_t)c->hl->seq_span_max + 2;
    /* a region makes at most one position per byte */
    if (*pos > UINT32_MAX - jump || re - rs > (size_t)(UINT32_MAX - jump - *pos))
        return 1;
    *pos += jump;
    c->base = rs;
    c->run = UINT32_MAX;
    (void)zc_analyze_ex(c->an, text + rs, re - rs, pos, ZC_ANALYZE_NO_WORDS, scan_token, c,
                        err);
    if (c->words)
        (void)flush_run(c);
    return c->stopped || c->oom;
}

/* Finds the regions of text[0, len) and analyzes each (see above). */
static void scan_text(scan_ctx *c, const uint32_t *ct, const char *text, size_t len,
                      zc_error *err)
{
    const unsigned char *s = (const unsigned char *)text;
    const uint64_t *q = c->hl->qbits;
    size_t gaps = c->hl->seq_gaps_max;
    size_t rs = SIZE_MAX, re = 0, skipped = 0, run_s = 0;
    int in_run = 0, run_int = 0, in_word = 0;
    uint32_t prev = 0;  /* the CJK character before, folded; 0: none */
    const uint64_t *pf = c->hl->pfirst;
    uint32_t pos = 0;
    size_t p = 0;
    for (;;) {
        uint32_t e = CT_SEP;
        size_t k = 1;
        if (p < len) {
            unsigned b = s[p];
            if (b < 0x80) {
                e = ct[b];
            } else if (b >= 0xE0 && b < 0xF0 && p + 2 < len && (s[p + 1] & 0xC0) == 0x80 &&
                       (s[p + 2] & 0xC0) == 0x80) {
                uint32_t cp = ((b & 0x0Fu) << 12) | ((s[p + 1] & 0x3Fu) << 6) |
                              (s[p + 2] & 0x3Fu);
                k = 3;
                /* overlong or surrogate: invalid, a separator for the
                 * analyzer too */
                e = cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) ? CT_SEP : ct[cp];
            } else {
                k = utf8_len(s + p, len - p);
                if (k == 0)
                    k = 1; /* invalid: the analyzer ends the run there */
                else if (k == 2)
                    e = ct[((b & 0x1Fu) << 6) | (s[p + 1] & 0x3Fu)];
                else
                    e = CT_ANY; /* astral */
            }
        }
        if (e == CT_SEP) {
            if (in_run) {
                in_run = 0;
                if (run_int) {
                    if (rs == SIZE_MAX)
                        rs = run_s;
                    re = p;
                    skipped = 0;
                    if (re - rs >= SNIPPET_REGION_MAX_BYTES) {
                        if (scan_region(c, text, rs, re, &pos, err))
                            return;
                        rs = SIZE_MAX;
                    }
                } else if (rs != SIZE_MAX && ++skipped > gaps) {
                    if (scan_region(c, text, rs, re, &pos, err))
                        return;
                    rs = SIZE_MAX;
                }
            }
            if (p >= len)
                break;
            /* Nothing open and past the early stop, or past the soft
             * bound with something to show: done. */
            if (rs == SIZE_MAX &&
                (p >= c->stop_at || (p >= SNIPPET_SCAN_SOFT_BYTES && c->n_full > 0)))
                return;
            p += k;
            continue;
        }
        if (!in_run) {
            in_run = 1;
            run_s = p;
            run_int = 0;
            in_word = 0;
            prev = 0;
        }
        /* A word's later letters start no token; a CJK term of two or
         * more characters needs its first two together. */
        if (!run_int && !(in_word && (e & CT_WORD))) {
            uint32_t cp = e & CT_CP;
            run_int = (e & CT_ANY) || (q[cp >> 6] >> (cp & 63) & 1) ||
                      (prev != 0 && (pf[prev >> 6] >> (prev & 63) & 1) &&
                       pair_has(c->hl, prev << 16 | cp));
        }
        in_word = (e & CT_WORD) != 0;
        prev = (e & (CT_WORD | CT_ANY)) ? 0 : e & CT_CP;
        p += k;
    }
    if (rs != SIZE_MAX)
        (void)scan_region(c, text, rs, re, &pos, err);
}

static int cmp_match(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* ---- which part matches are shown ---------------------------------------- */

typedef struct pos_key {
    uint32_t pos, id;
    size_t m;           /* index into the matches */
} pos_key;

static int cmp_pos_key(const void *a, const void *b)
{
    const pos_key *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return 0;
}

/* The key of (pos, id) in keys[0..n), or NULL. */
static const pos_key *find_key(const pos_key *keys, size_t n, uint32_t pos, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].pos < pos || (keys[mid].pos == pos && keys[mid].id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo].pos == pos && keys[lo].id == id ? &keys[lo] : NULL;
}

/* Steps (find_key calls) one snippet may spend matching sequences: with
 * gaps a sequence can be tried two ways at each gap, so a hostile phrase
 * against a hostile text could otherwise take exponential time.  Past the
 * budget the remaining sequences are simply not marked. */
#define SNIPPET_SEQ_STEPS 200000u

/* 1 if items[k..n) occur after position prev (each at the next position,
 * or one further where the item allows a gap); marks what it finds.
 * Recursion depth is the sequence length, which the query bounds;
 * *budget bounds the work. */
static int seq_from(const seq_item *items, size_t k, size_t n, uint32_t prev,
                    const pos_key *keys, size_t nk, match *m, size_t *budget)
{
    if (k == n)
        return 1;
    for (uint32_t d = 1; d <= 1u + items[k].gap; d++) {
        if (*budget == 0)
            return 0;
        (*budget)--;
        const pos_key *hit = find_key(keys, nk, prev + d, items[k].id);
        if (hit != NULL && seq_from(items, k + 1, n, prev + d, keys, nk, m, budget)) {
            m[hit->m].keep = 1;
            return 1;
        }
    }
    return 0;
}

/* Decides which matches are shown and drops the others (m sorted by
 * start; returns the new count):
 *  - full terms always;
 *  - parts of a sequence (zc_hl_add_seq) where the whole sequence occurs;
 *  - other parts (zc_hl_add_part) where they overlap another shown match.
 * Returns SIZE_MAX when out of memory. */
static size_t keep_parts(const zc_hl *hl, match *m, size_t n)
{
    size_t n_seqpos = 0;
    for (size_t i = 0; i < n; i++) {
        m[i].keep = !m[i].part;
        if (m[i].positional)
            n_seqpos++;
    }
    if (hl->n_seqs > 0 && n_seqpos > 0) {
        pos_key *keys = malloc(n_seqpos * sizeof *keys);
        if (keys == NULL)
            return SIZE_MAX;
        size_t nk = 0;
        for (size_t i = 0; i < n; i++)
            if (m[i].positional)
                keys[nk++] = (pos_key){m[i].pos, m[i].id, i};
        qsort(keys, nk, sizeof *keys, cmp_pos_key);
        size_t budget = SNIPPET_SEQ_STEPS;
        for (size_t s = 0; s < hl->n_seqs; s++) {
            const seq_item *items = hl->items + hl->seqs[s].first;
            size_t len = hl->seqs[s].n;
            for (size_t k = 0; k < nk; k++) {
                if (keys[k].id != items[0].id)
                    continue;
                if (seq_from(items, 1, len, keys[k].pos, keys, nk, m, &budget))
                    m[keys[k].m].keep = 1;
            }
        }
        free(keys);
    }
    /* Loose parts: a cluster of overlapping shown-or-loose matches keeps its
     * loose parts unless it is one loose part alone. */
    size_t out = 0, i = 0;
    while (i < n) {
        if (!m[i].keep && m[i].in_seq) {
            i++;
            continue;
        }
        size_t j = i + 1, end = m[i].end, members = 1;
        int all_loose = !m[i].keep;
        while (j < n && m[j].start < end) {
            if (!m[j].keep && m[j].in_seq) {
                j++;
                continue;
            }
            if (m[j].end > end)
                end = m[j].end;
            all_loose = all_loose && !m[j].keep;
            members++;
            j++;
        }
        int keep_cluster = !(all_loose && members == 1);
        for (size_t k = i; k < j; k++) {
            if (!m[k].keep && m[k].in_seq)
                continue;
            if (m[k].keep || keep_cluster)
                m[out++] = m[k];
        }
        i = j;
    }
    return out;
}

/* Characters in text[from, to) counted as the bytes that start one: the
 * same as char_step's count for valid UTF-8 (stored documents are
 * validated when indexed), only a window-size estimate otherwise, and
 * several times faster: this walks the text up to the last match. */
static size_t count_starts(const char *text, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t p = from; p < to; p++)
        n += ((unsigned char)text[p] & 0xC0) != 0x80;
    return n;
}

/* Fills cstart/cend of matches sorted by start, in one walk of the text. */
static void char_offsets(const char *text, size_t len, match *m, size_t n)
{
    size_t p = 0, ci = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = m[i].start < len ? m[i].start : len;
        size_t e = m[i].end < len ? m[i].end : len;
        if (s > p) {
            ci += count_starts(text, p, s);
            p = s;
        }
        m[i].cstart = ci;
        m[i].cend = ci + (e > p ? count_starts(text, p, e) : 0);
    }
}

/* ---- rendering --------------------------------------------------------- */

/* Emits text[from, to) escaped, with whitespace runs folded to one space
 * and invalid bytes replaced by U+FFFD; *last_space tracks the fold across
 * calls. */
static void emit_text(zc_strbuf *b, const char *text, size_t len, size_t from,
                      size_t to, int *last_space)
{
    size_t p = from;
    while (p < to) {
        unsigned char c = (unsigned char)text[p];
        if (c < 0x20 || c == 0x7F) {
            if (!*last_space)
                zc_strbuf_put(b, " ", 1);
            *last_space = 1;
            p++;
            continue;
        }
        if (c == ' ') {
            if (!*last_space)
                zc_strbuf_put(b, " ", 1);
            *last_space = 1;
            p++;
            continue;
        }
        *last_space = 0;
        switch (c) {
        case '&': zc_strbuf_puts(b, "&amp;"); p++; continue;
        case '<': zc_strbuf_puts(b, "&lt;"); p++; continue;
        case '>': zc_strbuf_puts(b, "&gt;"); p++; continue;
        case '"': zc_strbuf_puts(b, "&quot;"); p++; continue;
        default: break;
        }
        size_t k = utf8_len((const unsigned char *)text + p, len - p);
        if (k == 0 || p + k > to) {
            zc_strbuf_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        zc_strbuf_put(b, text + p, k);
        p += k;
    }
}

/* Renders text[start, end) with the merged spans marked. */
static void render(zc_strbuf *b, const char *text, size_t len, size_t start,
                   size_t end, const match *spans, size_t n_spans,
                   int lead_ellipsis, int tail_ellipsis)
{
    int last_space = 0;
    if (lead_ellipsis)
        zc_strbuf_puts(b, "…");
    size_t p = start;
    for (size_t i = 0; i < n_spans && p < end; i++) {
        size_t s = spans[i].start, e = spans[i].end;
        if (e <= p)
            continue;
        if (s >= end)
            break;
        if (s < p)
            s = p;
        if (e > end)
            e = end;
        emit_text(b, text, len, p, s, &last_space);
        zc_strbuf_puts(b, "<b>");
        emit_text(b, text, len, s, e, &last_space);
        zc_strbuf_puts(b, "</b>");
        last_space = 0;
        p = e;
    }
    emit_text(b, text, len, p, end, &last_space);
    /* A cut that falls on whitespace leaves a trailing space: drop it. */
    while (b->len > 0 && b->p[b->len - 1] == ' ') {
        b->len--;
        b->p[b->len] = '\0';
    }
    if (tail_ellipsis)
        zc_strbuf_puts(b, "…");
}

/* Byte just past max_chars characters from start (or len). */
static size_t advance_chars(const char *text, size_t len, size_t start,
                            size_t max_chars)
{
    size_t p = start;
    for (size_t k = 0; k < max_chars && p < len; k++)
        p += char_step(text, len, p);
    return p;
}

/* Characters in text[from, to). */
static size_t count_chars(const char *text, size_t len, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t p = from; p < to && p < len; p += char_step(text, len, p))
        n++;
    return n;
}

static size_t skip_spaces(const char *text, size_t len, size_t p)
{
    size_t k;
    while (p < len && (k = space_len(text, len, p)) > 0)
        p += k;
    return p;
}

/* 1 if text[p, len) holds anything but whitespace. */
static int more_text(const char *text, size_t len, size_t p)
{
    return skip_spaces(text, len, p) < len;
}

/* Each thread's second analyzer per mode (flush_run), made on first use
 * and freed when the thread exits. */
static pthread_once_t g_seg_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_seg_key;
static int g_seg_key_ok;

static void seg_key_free(void *p)
{
    zc_analyzer **v = p;
    for (int m = 0; m < ZC_SEG_MODES; m++)
        zc_analyzer_free(v[m]);
    free(v);
}

static void seg_key_make(void)
{
    g_seg_key_ok = pthread_key_create(&g_seg_key, seg_key_free) == 0;
}

static zc_status thread_seg(zc_seg_mode mode, zc_analyzer **out, zc_error *err)
{
    *out = NULL;
    if (pthread_once(&g_seg_once, seg_key_make) != 0 || !g_seg_key_ok)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "pthread_key_create failed");
    zc_analyzer **v = pthread_getspecific(g_seg_key);
    if (v == NULL) {
        v = calloc(ZC_SEG_MODES, sizeof *v);
        if (v == NULL || pthread_setspecific(g_seg_key, v) != 0) {
            free(v);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
    }
    if (v[mode] == NULL) {
        zc_status st = zc_analyzer_new(mode, &v[mode], err);
        if (st != ZC_OK)
            return st;
    }
    *out = v[mode];
    return ZC_OK;
}

static void scan_free(scan_ctx *c)
{
    free(c->m);
    free(c->rtext);
    free(c->u);
}

zc_status zc_snippet_make(zc_analyzer *a, const zc_hl *hl, const char *text,
                          size_t len, size_t max_chars, char **out,
                          size_t *len_out, zc_error *err)
{
    *out = NULL;
    if (len_out)
        *len_out = 0;
    if (text == NULL)
        len = 0;
    zc_strbuf b = {0};
    scan_ctx sc = {.an = a, .hl = hl, .max_chars = max_chars, .stop_at = SIZE_MAX,
                   .run = UINT32_MAX};
    for (size_t k = 0; k < SNIPPET_EARLY_TERMS; k++)
        sc.last[k] = SIZE_MAX;
    size_t start = 0, end = 0;

    if (hl != NULL && hl->count > 0 && len > 0 && a != NULL && max_chars > 0) {
        size_t scan_len = len;
        if (scan_len > SNIPPET_SCAN_MAX_BYTES) {
            scan_len = SNIPPET_SCAN_MAX_BYTES;
            while (scan_len > 0 && ((unsigned char)text[scan_len] & 0xC0) == 0x80)
                scan_len--;
        }
        sc.words = hl->n_words > 0 && zc_analyzer_mode(a) != ZC_SEG_NGRAM;
        sc.text = text;
        if (sc.words) {
            zc_status st = thread_seg(zc_analyzer_mode(a), &sc.seg, err);
            if (st != ZC_OK) {
                scan_free(&sc);
                return st;
            }
        }
        const uint32_t *ct = char_table(a);
        if (ct == NULL) {
            scan_free(&sc);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
        scan_text(&sc, ct, text, scan_len, err);
        if (sc.oom) {
            scan_free(&sc);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
    }

    if (sc.n > 0) {
        qsort(sc.m, sc.n, sizeof *sc.m, cmp_match);
        size_t kept = keep_parts(hl, sc.m, sc.n);
        if (kept == SIZE_MAX) {
            scan_free(&sc);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
        sc.n = kept;
    }
    if (sc.n == 0) {
        /* Nothing matches: the start of the text. */
        start = skip_spaces(text, len, 0);
        end = advance_chars(text, len, start, max_chars);
        render(&b, text, len, start, end, NULL, 0, 0, more_text(text, len, end));
    } else {
        char_offsets(text, len, sc.m, sc.n);

        /* The window [i, j) of matches spanning <= max_chars characters with
         * the most distinct terms, then the most matches. */
        uint32_t *cnt = calloc(hl->count, sizeof *cnt);
        if (cnt == NULL) {
            scan_free(&sc);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
        size_t best_i = 0, best_j = 1, best_d = 0, best_n = 0;
        size_t j = 0, distinct = 0;
        for (size_t i = 0; i < sc.n; i++) {
            /* j == i: the window is empty; take match i whatever its
             * length. */
            while (j < sc.n &&
                   (j == i || sc.m[j].cend - sc.m[i].cstart <= max_chars)) {
                if (cnt[sc.m[j].id]++ == 0)
                    distinct++;
                j++;
            }
            if (distinct > best_d || (distinct == best_d && j - i > best_n)) {
                best_d = distinct;
                best_n = j - i;
                best_i = i;
                best_j = j;
            }
            if (--cnt[sc.m[i].id] == 0)
                distinct--;
        }
        free(cnt);

        size_t cs = sc.m[best_i].cstart, ce = sc.m[best_i].cend;
        size_t first = sc.m[best_i].start;
        for (size_t k = best_i; k < best_j; k++)
            if (sc.m[k].cend > ce)
                ce = sc.m[k].cend;
        size_t slack = ce - cs < max_chars ? max_chars - (ce - cs) : 0;

        /* Prefer to start at a sentence boundary shortly before the first
         * match; otherwise give a little context before it. */
        size_t look = slack < max_chars / 2 ? slack : max_chars / 2;
        size_t p = first, back = 0, found = (size_t)-1;
        while (1) {
            if (sentence_start(text, len, p)) {
                found = p;
                break;
            }
            if (back >= look || p == 0)
                break;
            p = char_back(text, p);
            back++;
        }
        if (found != (size_t)-1) {
            start = found;
        } else {
            size_t ctx = slack / 2 < 15 ? slack / 2 : 15;
            start = first;
            for (size_t k = 0; k < ctx && start > 0; k++)
                start = char_back(text, start);
        }
        start = skip_spaces(text, len, start);
        if (start > first)
            start = first;
        end = advance_chars(text, len, start, max_chars);
        if (end == len && start > 0) {
            /* The window reaches the end of the text with room to spare:
             * spend it on the text before, from a sentence start if one
             * is in reach. */
            size_t room = max_chars - count_chars(text, len, start, end);
            size_t q = start;
            for (size_t k = 0; k < room && q > 0; k++)
                q = char_back(text, q);
            size_t s2 = q;
            if (q > 0) {
                while (s2 < start && !sentence_start(text, len, s2))
                    s2 += char_step(text, len, s2);
                if (s2 == start)
                    s2 = q;
            }
            start = skip_spaces(text, len, s2);
        }

        /* Merge overlapping or touching spans into the ones to mark. */
        size_t ns = 0;
        for (size_t k = 0; k < sc.n; k++) {
            if (ns > 0 && sc.m[k].start <= sc.m[ns - 1].end) {
                if (sc.m[k].end > sc.m[ns - 1].end)
                    sc.m[ns - 1].end = sc.m[k].end;
            } else {
                sc.m[ns++] = sc.m[k];
            }
        }
        render(&b, text, len, start, end, sc.m, ns,
               more_text(text, start, 0) ? 1 : 0, more_text(text, len, end));
    }
    scan_free(&sc);
    if (b.oom || b.p == NULL) {
        if (!b.oom) {
            b.p = malloc(1);
            if (b.p != NULL) {
                b.p[0] = '\0';
                b.len = 0;
            }
        }
        if (b.p == NULL || b.oom) {
            free(b.p);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
    }
    *out = b.p;
    if (len_out)
        *len_out = b.len;
    return ZC_OK;
}
