/* snippet_scan.c — where a text matches a highlight term set
 * (zc_snip_scan, snippet_scan.h).
 *
 * Owns: the bounded walk of a document's ORIGINAL text.  It re-analyzes the
 * text with the same pipeline as indexing (zc_analyze_ex, without the
 * dictionary segmenter: see "matching" below), so a token matches here
 * exactly when it would match in the index, and its byte span is the
 * document's own characters; a prefilter (see "regions") keeps the analyzer
 * off the runs of text where no term can start.
 *
 * Must never: scan past SNIPPET_SCAN_MAX_BYTES, keep more than
 * SNIPPET_MATCHES_MAX matches, or report a span that is not the original
 * text's.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/limits.h"
#include "lib/snippet_terms_internal.h"
#include "lib/snippet_scan.h"
#include "lib/unit.h"
#include "base/utf8.h"
#include "base/grow.h"

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

/* ---- matching ----------------------------------------------------------
 * The text is scanned with zc_analyze_ex(ZC_ANALYZE_NO_WORDS): the same
 * words, characters, bigrams, spans and positions as indexing makes, but
 * without running the dictionary segmenter over the whole text (it was 9/10
 * of a query's time).  Dictionary words (zc_hl_add_word, words mode) are
 * first looked for as a sequence of characters in each CJK run, and only a
 * run holding one is then segmented, alone, by a second analyzer (the
 * caller's seg, zc_snip_scan; the first one is busy scanning), to confirm that the segmenter
 * makes the whole word there (工业 is not a word of 工业化).  A run
 * segmented alone cuts exactly as inside the text: the segmenter never
 * looks past a run. */

typedef struct run_unit {
    size_t start, end;      /* bytes of the original character */
    size_t off;             /* its folded character in scan_ctx.rtext */
    uint32_t pos;
} run_unit;

typedef struct scan_ctx {
    zc_analyzer *an;
    zc_analyzer *seg;  /* words: the second analyzer (borrowed) */
    const char *text;
    const zc_hl *hl;
    zc_snip_match *m;
    size_t n, cap;
    int oom;
    /* Early stop: once every term was seen within max_chars bytes (so
     * within max_chars characters), no later window can have more distinct
     * terms; the rest of a long text need not be analyzed. */
    size_t max_chars;
    size_t last[SNIPPET_EARLY_TERMS];   /* start byte of each term's last zc_snip_match */
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
static int add_match(scan_ctx *c, const zc_hl_entry *e, size_t start, size_t end, uint32_t pos,
                     int positional)
{
    if (c->n == c->cap) {
        if (c->cap >= SNIPPET_MATCHES_MAX)
            return 1;   /* enough: stop scanning */
        if (zc_grow(&c->m, &c->cap, c->n + 1, sizeof *c->m, 64) != 0) {
            c->oom = 1;
            return 1;
        }
    }
    zc_snip_match *m = &c->m[c->n++];
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
    const zc_hl_entry *e = zc_hl_find(v->c->hl, tok->term, tok->len, ZC_HL_WORD);
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
        const zc_hl_word *hw = &c->hl->words[w];
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
    if (zc_grow(&c->u, &c->ucap, c->nu + 1, sizeof *c->u, 64) != 0)
        return -1;
    if (zc_grow(&c->rtext, &c->rcap, c->rlen + tok->len, 1, 256) != 0)
        return -1;
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
    const zc_hl_entry *e = zc_hl_find(c->hl, tok->term, tok->len,
                                tok->kind == ZC_TOK_CJK_WORD ? ZC_HL_WORD : ZC_HL_EXACT);
    if (e == NULL && tok->kind == ZC_TOK_WORD && c->hl->has_stems && !tok->numeric) {
        char stem[ZC_TERM_MAX_BYTES + 1];
        size_t sl = zc_analyzer_stem(c->an, tok->term, tok->len, stem, sizeof stem);
        if (sl > 0 && sl <= sizeof stem)
            e = zc_hl_find(c->hl, stem, sl, ZC_HL_STEM);
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

/* The one process-wide state of the snippet modules, and why it is not the
 * caller's: the table is a pure function of the analysis pipeline (which is
 * the same for every mode and handle: normalization and folding come
 * before segmentation), 256 KiB, built once in a few milliseconds, then
 * only read, so every handle and thread shares it. */
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
            uint32_t cp;
            if (b < 0x80) {
                e = ct[b];
            } else if ((k = zc_utf8_decode(s, len, p, &cp)) == 0) {
                /* invalid: a separator for the analyzer too.  An overlong
                 * or surrogate three-byte form is stepped over whole. */
                k = b >= 0xE0 && b < 0xF0 && p + 2 < len && (s[p + 1] & 0xC0) == 0x80 &&
                            (s[p + 2] & 0xC0) == 0x80
                        ? 3
                        : 1;
            } else {
                e = cp <= 0xFFFF ? ct[cp] : CT_ANY; /* astral: always scanned */
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
                       zc_hl_pair_has(c->hl, prev << 16 | cp));
        }
        in_word = (e & CT_WORD) != 0;
        prev = (e & (CT_WORD | CT_ANY)) ? 0 : e & CT_CP;
        p += k;
    }
    if (rs != SIZE_MAX)
        (void)scan_region(c, text, rs, re, &pos, err);
}

/* ---- units --------------------------------------------------------------
 * A unit of the query (zc_hl_add_unit) matches every spelling of it, which
 * the analyzer's tokens cannot tell (5% is the token 5, 百分之五 three
 * characters): the text is scanned for units by unit.h's own scan, after
 * the regions, and each unit of the set is a match over the whole unit.
 * Bounded as the regions are: to the scan's length, and past
 * SNIPPET_SCAN_SOFT_BYTES only until a first full match.  (Unit terms are
 * never seen by the region scan, so its early stop never fires for such a
 * set: it could not know where the units are.) */

static int scan_unit(void *vctx, const zc_unit *u)
{
    scan_ctx *c = vctx;
    if (u->start >= SNIPPET_SCAN_SOFT_BYTES && c->n_full > 0)
        return 1;
    const zc_hl_entry *e = zc_hl_find(c->hl, u->canon, u->len, ZC_HL_UNIT);
    return e != NULL && add_match(c, e, u->start, u->end, 0, 0);
}

static int cmp_match(const void *a, const void *b)
{
    const zc_snip_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static void scan_free(scan_ctx *c)
{
    free(c->m);
    free(c->rtext);
    free(c->u);
}

zc_status zc_snip_scan(zc_analyzer *a, zc_analyzer *seg, const zc_hl *hl, const char *text,
                       size_t len, size_t max_chars, zc_snip_match **out, size_t *n_out,
                       zc_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (hl == NULL || hl->count == 0 || text == NULL || len == 0 || a == NULL ||
        max_chars == 0)
        return ZC_OK;
    scan_ctx sc = {.an = a, .hl = hl, .max_chars = max_chars, .stop_at = SIZE_MAX,
                   .run = UINT32_MAX, .text = text};
    for (size_t k = 0; k < SNIPPET_EARLY_TERMS; k++)
        sc.last[k] = SIZE_MAX;
    size_t scan_len = len;
    if (scan_len > SNIPPET_SCAN_MAX_BYTES) {
        scan_len = SNIPPET_SCAN_MAX_BYTES;
        while (scan_len > 0 && ((unsigned char)text[scan_len] & 0xC0) == 0x80)
            scan_len--;
    }
    sc.words = hl->n_words > 0 && zc_analyzer_mode(a) != ZC_SEG_NGRAM;
    zc_analyzer *own_seg = NULL;
    if (sc.words) {
        if (seg == NULL) {
            zc_status st = zc_analyzer_new(zc_analyzer_mode(a), &own_seg, err);
            /* segmented as the text was indexed: with the index's words */
            if (st == ZC_OK)
                st = zc_analyzer_set_user_words(own_seg, zc_analyzer_user_words(a), err);
            if (st != ZC_OK) {
                zc_analyzer_free(own_seg);
                return st;
            }
            seg = own_seg;
        }
        sc.seg = seg;
    }
    const uint32_t *ct = char_table(a);
    if (ct != NULL)
        scan_text(&sc, ct, text, scan_len, err);
    if (ct != NULL && hl->has_units && !sc.oom && sc.n < SNIPPET_MATCHES_MAX)
        (void)zc_unit_scan(text, scan_len, scan_unit, &sc);
    zc_analyzer_free(own_seg);
    if (ct == NULL || sc.oom) {
        scan_free(&sc);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    free(sc.rtext);
    free(sc.u);
    if (sc.n > 0)
        qsort(sc.m, sc.n, sizeof *sc.m, cmp_match);
    else {
        free(sc.m);
        sc.m = NULL;
    }
    *out = sc.m;
    *n_out = sc.n;
    return ZC_OK;
}
