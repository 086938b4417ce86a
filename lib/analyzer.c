/* analyzer.c — the analysis pipeline (normalize -> runs -> tokens), the
 * English stem of a word, and language detection (zc_detect_lang, public).
 *
 * Owns: what a token is.  Indexing and querying both come through
 * zc_analyze, so a change here changes every term: bump ZC_FORMAT_VERSION.
 * Must never: allocate per token or per call (the run buffers are made once
 * per analyzer), drop text silently, or look at which field it analyzes.
 *
 * How zc_analyze works.  The ORIGINAL text is walked code point by code
 * point; each one is normalized (zc_norm_char) into 0..18 code points, and
 * each of those is classified (zc_norm_class) and becomes a "unit" carrying
 * the byte span of the original character it came from.  Consecutive WORD
 * units form a word run, consecutive CJK units a CJK run; anything else (a
 * SPACE unit, an invalid byte) ends the current run.  A character that
 * normalizes to nothing (a combining mark, a soft hyphen, a variation
 * selector) neither ends a run nor makes a unit: it only widens the span of
 * the unit before it, so "co\u00ADoperate" is one word and a highlight of
 * 葛 + variation selector covers both.
 *
 * A word run becomes one ZC_TOK_WORD token at one position.  Its code
 * points are NFC-composed (utf8proc) and encoded; the term is cut to
 * ZC_WORD_MAX_BYTES on a UTF-8 boundary, and the rest of the word is NOT
 * emitted (index and query cut alike, so a long word is found by its first
 * 64 bytes).  The span covers the whole word.  Only the first RUN_MAX_UNITS
 * code points are buffered; later ones only widen the span and the numeric
 * flag, so a word of any length costs bounded memory and stays one token.
 *
 * A CJK run of n >= 2 units makes n-1 overlapping bigrams at consecutive
 * positions (bigram i at *pos + i, span from unit i's start to unit i+1's
 * end), and n unigrams without position (unigram i carries the position of
 * bigram i; the last one that of the last bigram), emitted in text order:
 * bigram 0, unigram 0, bigram 1, unigram 1, ..., unigram n-1.  A run of one
 * unit makes one positional unigram.  A CJK run is cut every RUN_MAX_UNITS
 * units and continues as a new run (no bigram across the cut), which bounds
 * both our buffer and what a caller that collects one run must hold.  (Word
 * runs are not cut into several runs: one token whatever the length, as
 * above.)  Conjoining Hangul jamo in a CJK run are composed into syllables
 * as they arrive (the unit's span grows), so decomposed Korean gives the
 * same terms as precomposed Korean; other CJK needs no composition.
 *
 * zc_detect_lang rule (by code point of the original text, invalid bytes
 * skipped): C = CJK characters (zc_norm_class of the original code point is
 * CJK: Han, kana, Hangul), L = letters of every other script (Unicode L*;
 * digits, punctuation and symbols do not count).  "zh" when C >= 1 and
 * C >= 20% of C + L, else "en" (also for an empty or letterless text).
 * 20% because a Chinese policy text quotes English names and acronyms
 * (GDP, WTO, COVID-19) freely, while an English text holds at most a few
 * Chinese names.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "analyzer.h"
#include "error.h"
#include "limits.h"
#include "norm.h"
#include "xapian.h"

/* Longest run kept in memory, in code points (see the file comment). */
#define RUN_MAX_UNITS 4096

/* Shortest ASCII word that gets a stem: "is", "as" would only collide. */
#define STEM_MIN_BYTES 3

typedef struct unit {
    int32_t cp;          /* normalized code point */
    size_t start, end;   /* span of the original character it came from */
} unit;

struct zc_analyzer {
    zc_seg_mode mode;
    zc_xap_stem *stem;          /* owned */
    unit *units;                /* RUN_MAX_UNITS, the current run */
    utf8proc_int32_t *cps;      /* RUN_MAX_UNITS, word composition scratch */
    char term[ZC_WORD_MAX_BYTES + 8]; /* the token text handed to the callback */
};

zc_status zc_analyzer_new(zc_seg_mode mode, zc_analyzer **out, zc_error *err)
{
    *out = NULL;
    if (mode != ZC_SEG_NGRAM)
        return zc_error_set(err, ZC_EINVAL, "segmentation",
                            "segmentation mode %d is not implemented", (int)mode);
    zc_analyzer *a = calloc(1, sizeof *a);
    if (a == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    a->mode = mode;
    a->units = malloc(RUN_MAX_UNITS * sizeof *a->units);
    a->cps = malloc(RUN_MAX_UNITS * sizeof *a->cps);
    if (a->units == NULL || a->cps == NULL) {
        zc_analyzer_free(a);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    zc_status st = zc_xap_stem_new("english", &a->stem, err);
    if (st != ZC_OK) {
        zc_analyzer_free(a);
        return st;
    }
    *out = a;
    return ZC_OK;
}

void zc_analyzer_free(zc_analyzer *a)
{
    if (a == NULL)
        return;
    zc_xap_stem_free(a->stem);
    free(a->units);
    free(a->cps);
    free(a);
}

zc_seg_mode zc_analyzer_mode(const zc_analyzer *a)
{
    return a->mode;
}

/* ---- Runs ------------------------------------------------------------- */

typedef struct walk {
    zc_analyzer *a;
    uint32_t *pos;
    uint32_t run;
    zc_token_fn fn;
    void *ctx;
    zc_cclass cls;      /* class of the open run; ZC_CC_SPACE = none open */
    size_t n;           /* units buffered */
    size_t end;         /* word runs: end of the last unit, buffered or not */
    int numeric;        /* word runs: every unit an ASCII digit so far */
    int stopped;        /* the callback asked to stop */
} walk;

static void emit(walk *w, zc_token *t)
{
    if (!w->stopped && w->fn(w->ctx, t) != 0)
        w->stopped = 1;
}

static void flush_word(walk *w)
{
    zc_analyzer *a = w->a;
    size_t n = w->n;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        a->cps[i] = a->units[i].cp;
        if (a->cps[i] >= 0x80)
            ascii = 0;
    }
    /* After STRIPMARK little is left to compose (conjoining jamo, a few
     * non-mark sequences); ASCII never needs it. */
    if (!ascii && n > 1) {
        utf8proc_ssize_t r = utf8proc_normalize_utf32(
            a->cps, (utf8proc_ssize_t)n,
            (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (r > 0)
            n = (size_t)r;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char b[4];
        size_t k = zc_norm_encode(a->cps[i], b);
        if (len + k > ZC_WORD_MAX_BYTES)
            break; /* whole characters only: the cut is on a UTF-8 boundary */
        memcpy(a->term + len, b, k);
        len += k;
    }
    a->term[len] = '\0';
    zc_token t = {
        .term = a->term, .len = len,
        .start = a->units[0].start, .end = w->end,
        .pos = *w->pos, .run = w->run,
        .kind = ZC_TOK_WORD, .positional = 1, .numeric = w->numeric,
    };
    (*w->pos)++;
    emit(w, &t);
}

static void flush_cjk(walk *w)
{
    zc_analyzer *a = w->a;
    const unit *u = a->units;
    size_t n = w->n;
    uint32_t base = *w->pos;
    zc_token t = { .term = a->term, .run = w->run };

    if (n == 1) {
        t.len = zc_norm_encode(u[0].cp, a->term);
        a->term[t.len] = '\0';
        t.start = u[0].start;
        t.end = u[0].end;
        t.pos = base;
        t.kind = ZC_TOK_CJK_UNIGRAM;
        t.positional = 1;
        (*w->pos)++;
        emit(w, &t);
        return;
    }
    *w->pos = base + (uint32_t)(n - 1);
    for (size_t i = 0; i < n && !w->stopped; i++) {
        uint32_t p = base + (uint32_t)(i + 1 < n ? i : n - 2);
        if (i + 1 < n) {
            size_t k = zc_norm_encode(u[i].cp, a->term);
            k += zc_norm_encode(u[i + 1].cp, a->term + k);
            a->term[k] = '\0';
            t.len = k;
            t.start = u[i].start;
            t.end = u[i + 1].end;
            t.pos = p;
            t.kind = ZC_TOK_CJK_BIGRAM;
            t.positional = 1;
            emit(w, &t);
            if (w->stopped)
                break;
        }
        t.len = zc_norm_encode(u[i].cp, a->term);
        a->term[t.len] = '\0';
        t.start = u[i].start;
        t.end = u[i].end;
        t.pos = p;
        t.kind = ZC_TOK_CJK_UNIGRAM;
        t.positional = 0;
        emit(w, &t);
    }
}

static void end_run(walk *w)
{
    if (w->cls == ZC_CC_WORD)
        flush_word(w);
    else if (w->cls == ZC_CC_CJK)
        flush_cjk(w);
    else
        return;
    w->run++;
    w->cls = ZC_CC_SPACE;
    w->n = 0;
}

/* Conjoining jamo (decomposed Hangul, as macOS file names and some web
 * text carry it) composed into the syllable that precomposed text has, so
 * both spellings make one term: L+V -> LV, LV+T -> LVT.  0: no pair. */
static int32_t hangul_compose(int32_t a, int32_t b)
{
    if (a >= 0x1100 && a <= 0x1112 && b >= 0x1161 && b <= 0x1175)
        return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28;
    if (a >= 0xAC00 && a <= 0xD7A3 && (a - 0xAC00) % 28 == 0 && b >= 0x11A8 &&
        b <= 0x11C2)
        return a + (b - 0x11A7);
    return 0;
}

static void add_unit(walk *w, zc_cclass cls, int32_t cp, size_t start, size_t end)
{
    if (cls != w->cls)
        end_run(w);
    if (w->stopped)
        return;
    if (cls == ZC_CC_SPACE)
        return;
    if (cls == ZC_CC_CJK && w->cls == ZC_CC_CJK && w->n > 0) {
        unit *last = &w->a->units[w->n - 1];
        int32_t syl = hangul_compose(last->cp, cp);
        if (syl != 0) {
            last->cp = syl;
            last->end = end;
            return;
        }
    }
    if (cls == ZC_CC_CJK && w->n == RUN_MAX_UNITS)
        end_run(w); /* bounded run: continue as a new one */
    if (w->cls == ZC_CC_SPACE) {
        w->cls = cls;
        w->n = 0;
        w->numeric = 1;
    }
    if (cls == ZC_CC_WORD) {
        if (!(cp >= '0' && cp <= '9'))
            w->numeric = 0;
        w->end = end;
        if (w->n == RUN_MAX_UNITS)
            return; /* past what the term can hold: only the span grows */
    }
    unit *u = &w->a->units[w->n++];
    u->cp = cp;
    u->start = start;
    u->end = end;
}

/* A character that normalized to nothing joins the unit before it. */
static void widen_last(walk *w, size_t end)
{
    if (w->cls == ZC_CC_SPACE || w->n == 0)
        return;
    if (w->cls == ZC_CC_WORD)
        w->end = end;
    if (w->cls == ZC_CC_CJK || w->n < RUN_MAX_UNITS)
        w->a->units[w->n - 1].end = end;
}

zc_status zc_analyze(zc_analyzer *a, const char *text, size_t len, uint32_t *pos,
                     zc_token_fn fn, void *ctx, zc_error *err)
{
    (void)err; /* nothing here can fail: invalid bytes only separate */
    walk w = { .a = a, .pos = pos, .fn = fn, .ctx = ctx, .cls = ZC_CC_SPACE };
    size_t p = 0;
    while (p < len && !w.stopped) {
        size_t start = p;
        int32_t cp = zc_norm_next(text, len, &p);
        if (cp < 0) {
            end_run(&w);
            continue;
        }
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t k = zc_norm_char(cp, m);
        if (k == 0) {
            widen_last(&w, p);
            continue;
        }
        for (size_t i = 0; i < k && !w.stopped; i++)
            add_unit(&w, zc_norm_class(m[i]), m[i], start, p);
    }
    if (!w.stopped)
        end_run(&w);
    return ZC_OK;
}

/* ---- Stemming --------------------------------------------------------- */

size_t zc_analyzer_stem(zc_analyzer *a, const char *term, size_t len, char *buf,
                        size_t bufsize)
{
    if (a == NULL || a->stem == NULL || len < STEM_MIN_BYTES || bufsize == 0)
        return 0;
    /* English stems only for plain a-z words: a digit, an accent or another
     * script means the Snowball English rules would be guessing. */
    for (size_t i = 0; i < len; i++)
        if (term[i] < 'a' || term[i] > 'z')
            return 0;
    size_t out_len = 0;
    if (zc_xap_stem_word(a->stem, term, len, buf, bufsize, &out_len, NULL) != ZC_OK)
        return 0;
    if (out_len == 0 || out_len > bufsize)
        return 0;
    return out_len;
}

/* ---- Language --------------------------------------------------------- */

ZC_API const char *zc_detect_lang(const char *text, size_t len)
{
    uint64_t cjk = 0, letters = 0;
    size_t p = 0;
    if (text == NULL)
        return "en";
    while (p < len) {
        unsigned char c = (unsigned char)text[p];
        if (c < 0x80) {
            p++;
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                letters++;
            continue;
        }
        int32_t cp = zc_norm_next(text, len, &p);
        if (cp < 0)
            continue;
        zc_cclass cc = zc_norm_class(cp);
        if (cc == ZC_CC_CJK) {
            cjk++;
        } else if (cc == ZC_CC_WORD) {
            utf8proc_category_t cat = utf8proc_category(cp);
            if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
                letters++;
        }
    }
    if (cjk >= 1 && cjk * 5 >= cjk + letters)
        return "zh";
    return "en";
}
