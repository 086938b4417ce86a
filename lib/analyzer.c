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
 * A CJK run is first folded Traditional -> Simplified (zc_conv_t2s_chars
 * on its normalized code points: the count never changes, so unit i keeps
 * its span), then, by mode:
 *   ngram:  n >= 2 units make n-1 overlapping bigrams at consecutive
 *     positions (bigram i at *pos + i, span from unit i's start to unit
 *     i+1's end), and n unigrams without position (unigram i carries the
 *     position of bigram i; the last one that of the last bigram), emitted
 *     in text order: bigram 0, unigram 0, bigram 1, unigram 1, ...,
 *     unigram n-1.  The first and the last unigram are positional (at
 *     those positions), the others not.  A run of one unit makes one
 *     positional unigram.
 *   hybrid: the same, and after unigram i the friso word of 2+ characters
 *     that starts at unit i, if any (positionless, carrying bigram i's
 *     position; span from its first unit's start to its last unit's end).
 *   words:  for each unit i: the friso word of 2+ characters starting at
 *     i, if any, at position *pos + i, then unigram i at *pos + i; the run
 *     takes n positions, plus one before it when the run before it was a
 *     CJK run too (see flush_cjk).
 * The run is segmented whole before anything is emitted (its word ends
 * are kept per unit), so tokens still come out in text order.  A CJK run is cut every RUN_MAX_UNITS
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

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "lib/analyzer.h"
#include "wrappers/converter.h"
#include "base/error.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "wrappers/segmenter.h"
#include "wrappers/xapian.h"

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
    const zc_conv *conv;        /* borrowed: the process-wide converter */
    zc_seg_session *seg;        /* owned; words and hybrid only */
    zc_seg_user *user;          /* a reference; the session's user words, or NULL */
    unit *units;                /* RUN_MAX_UNITS, the current run */
    utf8proc_int32_t *cps;      /* RUN_MAX_UNITS, word composition scratch */
    int32_t *folded;            /* RUN_MAX_UNITS, the run folded to Simplified */
    uint16_t *wend;             /* RUN_MAX_UNITS: end unit of the 2+ character
                                 * word starting at unit i, 0 = none */
    char term[ZC_WORD_MAX_BYTES + 8]; /* the token text handed to the callback */
};

/* ---- process-wide data ------------------------------------------------ */

/* Loaded once, read-only afterwards, never freed (they live as long as the
 * process; every analyzer borrows them). */
static pthread_once_t g_conv_once = PTHREAD_ONCE_INIT;
static zc_conv *g_conv;
static zc_status g_conv_status;
static zc_error g_conv_error;
static double g_conv_ms;

static pthread_once_t g_dict_once = PTHREAD_ONCE_INIT;
static zc_seg_dict *g_dict;
static zc_status g_dict_status;
static zc_error g_dict_error;
static double g_dict_ms;

/* Where the converter's and the segmenter's derived tables are cached (see
 * zc_set_cache_dir): what the program set, else the XDG default; read when
 * each is loaded.  Guarded: a program may set it while another thread
 * loads. */
static pthread_mutex_t g_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_cache_dir[4096];
static int g_cache_set; /* 1: set by zc_set_cache_dir ("" = no cache) */

ZC_API zc_status zc_set_cache_dir(const char *dir, zc_error *err)
{
    size_t n = dir != NULL ? strlen(dir) : 0;
    if (n >= sizeof g_cache_dir)
        return zc_error_set(err, ZC_ETOOLONG, "cache_dir", "cache directory name too long");
    pthread_mutex_lock(&g_cache_mu);
    memcpy(g_cache_dir, dir != NULL ? dir : "", n + 1);
    g_cache_set = 1;
    pthread_mutex_unlock(&g_cache_mu);
    return ZC_OK;
}

/* The cache directory into buf; "" for none. */
static void cache_dir(char *buf, size_t cap)
{
    pthread_mutex_lock(&g_cache_mu);
    if (g_cache_set) {
        snprintf(buf, cap, "%s", g_cache_dir);
    } else {
        /* The XDG base directory rule, the one place the library looks at
         * the environment (secure_getenv: never for a set-id program). */
        const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");
        int n = -1;
        if (xdg != NULL && xdg[0] == '/')
            n = snprintf(buf, cap, "%s/zhengce", xdg);
        else if (home != NULL && home[0] == '/')
            n = snprintf(buf, cap, "%s/.cache/zhengce", home);
        if (n < 0 || (size_t)n >= cap)
            buf[0] = '\0';
    }
    pthread_mutex_unlock(&g_cache_mu);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void conv_once(void)
{
    double t0 = mono_ms();
    char dir[sizeof g_cache_dir + 32];
    cache_dir(dir, sizeof dir);
    g_conv_status = zc_conv_new_cached(NULL, dir[0] ? dir : NULL, &g_conv, &g_conv_error);
    g_conv_ms = mono_ms() - t0;
}

static void dict_once(void)
{
    double t0 = mono_ms();
    char dir[sizeof g_cache_dir + 32];
    cache_dir(dir, sizeof dir);
    g_dict_status = zc_seg_dict_open(NULL, dir[0] ? dir : NULL, &g_dict, &g_dict_error);
    g_dict_ms = mono_ms() - t0;
}

static zc_status copy_status(zc_status st, const zc_error *saved, zc_error *err)
{
    if (st != ZC_OK && err != NULL)
        *err = *saved;
    return st;
}

zc_status zc_analyzer_global_init(zc_seg_mode mode, zc_error *err)
{
    if ((int)mode < 0 || (int)mode >= ZC_SEG_MODES)
        return zc_error_set(err, ZC_EINVAL, "analyzer", "unknown analyzer mode %d",
                            (int)mode);
    if (pthread_once(&g_conv_once, conv_once) != 0)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "pthread_once failed");
    if (g_conv_status != ZC_OK)
        return copy_status(g_conv_status, &g_conv_error, err);
    if (mode == ZC_SEG_NGRAM)
        return ZC_OK;
    if (pthread_once(&g_dict_once, dict_once) != 0)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "pthread_once failed");
    return copy_status(g_dict_status, &g_dict_error, err);
}

double zc_analyzer_dict_load_ms(void)
{
    return g_dict != NULL ? g_dict_ms : 0.0;
}

double zc_analyzer_conv_load_ms(void)
{
    return g_conv != NULL ? g_conv_ms : 0.0;
}

static const char *const mode_names[ZC_SEG_MODES] = {"ngram", "words", "hybrid"};

const char *zc_analyzer_mode_name(zc_seg_mode mode)
{
    if ((int)mode < 0 || (int)mode >= ZC_SEG_MODES)
        return "unknown";
    return mode_names[mode];
}

int zc_analyzer_mode_parse(const char *name, size_t len, zc_seg_mode *out)
{
    for (int m = 0; name != NULL && m < ZC_SEG_MODES; m++) {
        if (strlen(mode_names[m]) == len && memcmp(mode_names[m], name, len) == 0) {
            *out = (zc_seg_mode)m;
            return 0;
        }
    }
    return -1;
}

size_t zc_analyzer_term_chars(const char *term, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)term[i] & 0xC0) != 0x80;
    return n;
}

/* ---- the analyzer ----------------------------------------------------- */

zc_status zc_analyzer_new(zc_seg_mode mode, zc_analyzer **out, zc_error *err)
{
    *out = NULL;
    zc_status st = zc_analyzer_global_init(mode, err);
    if (st != ZC_OK)
        return st;
    zc_analyzer *a = calloc(1, sizeof *a);
    if (a == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    a->mode = mode;
    a->conv = g_conv;
    a->units = malloc(RUN_MAX_UNITS * sizeof *a->units);
    a->cps = malloc(RUN_MAX_UNITS * sizeof *a->cps);
    a->folded = malloc(RUN_MAX_UNITS * sizeof *a->folded);
    a->wend = calloc(RUN_MAX_UNITS, sizeof *a->wend);
    if (a->units == NULL || a->cps == NULL || a->folded == NULL || a->wend == NULL) {
        zc_analyzer_free(a);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    if (mode != ZC_SEG_NGRAM && (st = zc_seg_session_new(g_dict, &a->seg, err)) != ZC_OK) {
        zc_analyzer_free(a);
        return st;
    }
    st = zc_xap_stem_new("english", &a->stem, err);
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
    zc_seg_session_free(a->seg);
    zc_seg_user_free(a->user);
    free(a->units);
    free(a->cps);
    free(a->folded);
    free(a->wend);
    free(a);
}

zc_seg_mode zc_analyzer_mode(const zc_analyzer *a)
{
    return a->mode;
}

zc_seg_user *zc_analyzer_user_words(const zc_analyzer *a)
{
    return a->user;
}

zc_status zc_analyzer_set_user_words(zc_analyzer *a, zc_seg_user *u, zc_error *err)
{
    if (a->seg != NULL) {
        zc_status st = zc_seg_session_set_user(a->seg, u, err);
        if (st != ZC_OK)
            return st;
    }
    zc_seg_user *old = a->user;
    a->user = zc_seg_user_ref(u);
    zc_seg_user_free(old);
    return ZC_OK;
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
    int prev_cjk;       /* the last run ended was a CJK run */
    int stopped;        /* the callback asked to stop */
    int no_words;       /* ZC_ANALYZE_NO_WORDS: do not segment */
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

/* Segmentation callback: remembers the end of each word of 2+ characters
 * at its first unit (one-character words need no token of their own: the
 * unigram is there). */
static int on_seg_word(void *ctx, size_t start, size_t end)
{
    zc_analyzer *a = ctx;
    if (end - start >= 2 && start < RUN_MAX_UNITS)
        a->wend[start] = (uint16_t)end;
    return 0;
}

/* Folds the run's code points into a->folded and, for words/hybrid,
 * segments them into a->wend. */
static void fold_and_segment(zc_analyzer *a, size_t n, int no_words)
{
    int32_t *f = a->folded;
    for (size_t i = 0; i < n; i++)
        f[i] = a->units[i].cp;
    /* Simplified text (most of it) never reaches OpenCC; a conversion error
     * (only possible on a non-scalar value, which norm never makes) leaves
     * the run as it is. */
    if (a->conv != NULL && !zc_conv_is_simplified(a->conv, f, n))
        (void)zc_conv_t2s_chars(a->conv, f, n, f, NULL);
    if (a->seg == NULL || n < 2 || no_words)
        return;
    memset(a->wend, 0, n * sizeof *a->wend);
    /* On failure (out of memory inside friso's wrapper) the run simply has
     * no words: bigrams or unigrams still cover every character. */
    (void)zc_seg_cut_chars(a->seg, f, n, on_seg_word, a, NULL);
}

/* Encodes folded[i, j) into a->term, whole characters up to
 * ZC_WORD_MAX_BYTES; returns the length. */
static size_t put_chars(zc_analyzer *a, size_t i, size_t j)
{
    size_t len = 0;
    char b[4];
    for (size_t k = i; k < j; k++) {
        size_t m = zc_norm_encode(a->folded[k], b);
        if (len + m > ZC_WORD_MAX_BYTES)
            break;
        memcpy(a->term + len, b, m);
        len += m;
    }
    a->term[len] = '\0';
    return len;
}

/* The word of 2+ characters starting at unit i, if any. */
static void emit_word_at(walk *w, size_t i, uint32_t pos, int positional)
{
    zc_analyzer *a = w->a;
    size_t e = w->no_words ? 0 : a->wend[i];
    if (e == 0 || w->stopped)
        return;
    zc_token t = {
        .term = a->term, .len = put_chars(a, i, e),
        .start = a->units[i].start, .end = a->units[e - 1].end,
        .pos = pos, .run = w->run,
        .kind = ZC_TOK_CJK_WORD, .positional = positional,
    };
    emit(w, &t);
}

static void emit_unigram(walk *w, size_t i, uint32_t pos, int positional)
{
    zc_analyzer *a = w->a;
    zc_token t = {
        .term = a->term, .len = put_chars(a, i, i + 1),
        .start = a->units[i].start, .end = a->units[i].end,
        .pos = pos, .run = w->run,
        .kind = ZC_TOK_CJK_UNIGRAM, .positional = positional,
    };
    emit(w, &t);
}

static void flush_cjk(walk *w)
{
    zc_analyzer *a = w->a;
    const unit *u = a->units;
    size_t n = w->n;
    /* Words mode: a CJK run right after another (only punctuation or space
     * between) starts one position further, so that a phrase of characters
     * does not run across the break; ngram gets the same from the bigram
     * that is missing there. */
    if (a->mode == ZC_SEG_WORDS && w->prev_cjk)
        (*w->pos)++;
    uint32_t base = *w->pos;

    fold_and_segment(a, n, w->no_words);
    if (n == 1) {
        (*w->pos)++;
        emit_unigram(w, 0, base, 1);
        return;
    }
    if (a->mode == ZC_SEG_WORDS) {
        *w->pos = base + (uint32_t)n;
        for (size_t i = 0; i < n && !w->stopped; i++) {
            emit_word_at(w, i, base + (uint32_t)i, 1);
            if (!w->stopped)
                emit_unigram(w, i, base + (uint32_t)i, 1);
        }
        return;
    }
    *w->pos = base + (uint32_t)(n - 1);
    for (size_t i = 0; i < n && !w->stopped; i++) {
        uint32_t p = base + (uint32_t)(i + 1 < n ? i : n - 2);
        if (i + 1 < n) {
            zc_token t = {
                .term = a->term, .len = put_chars(a, i, i + 2),
                .start = u[i].start, .end = u[i + 1].end,
                .pos = p, .run = w->run,
                .kind = ZC_TOK_CJK_BIGRAM, .positional = 1,
            };
            emit(w, &t);
            if (w->stopped)
                break;
        }
        /* The first and last characters of a run get positions (those of
         * the first and last bigram), so a one-character query run next
         * to punctuation ("施工。任何") can still stand in a phrase with
         * the run beside it. */
        emit_unigram(w, i, p, i == 0 || i + 1 == n);
        if (a->mode == ZC_SEG_HYBRID)
            emit_word_at(w, i, p, 0);
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
    w->prev_cjk = w->cls == ZC_CC_CJK;
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
    return zc_analyze_ex(a, text, len, pos, 0, fn, ctx, err);
}

zc_status zc_analyze_ex(zc_analyzer *a, const char *text, size_t len, uint32_t *pos,
                        unsigned flags, zc_token_fn fn, void *ctx, zc_error *err)
{
    (void)err; /* nothing here can fail: invalid bytes only separate */
    walk w = { .a = a, .pos = pos, .fn = fn, .ctx = ctx, .cls = ZC_CC_SPACE,
               .no_words = (flags & ZC_ANALYZE_NO_WORDS) != 0 };
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

/* ---- Text key ----------------------------------------------------------- */

typedef struct key_ctx {
    uint64_t h;
    int any;
} key_ctx;

static int key_token(void *ctx, const zc_token *t)
{
    key_ctx *k = ctx;
    /* Words and single characters only: every mode emits both for every
     * word and every CJK character, bigrams and dictionary words are
     * mode-dependent extras. */
    if (t->kind != ZC_TOK_WORD && t->kind != ZC_TOK_CJK_UNIGRAM)
        return 0;
    for (size_t i = 0; i < t->len; i++) {
        k->h ^= (unsigned char)t->term[i];
        k->h *= 1099511628211ull;
    }
    k->h ^= 0x1F; /* token separator */
    k->h *= 1099511628211ull;
    k->any = 1;
    return 0;
}

uint64_t zc_analyzer_text_key(zc_analyzer *a, const char *text, size_t len)
{
    key_ctx k = {14695981039346656037ull, 0};
    uint32_t pos = 0;
    if (a == NULL || text == NULL || len == 0)
        return 0;
    (void)zc_analyze(a, text, len, &pos, key_token, &k, NULL);
    if (!k.any)
        return 0;
    return k.h ? k.h : 1;
}

/* ---- One character ------------------------------------------------------ */

int32_t zc_analyzer_fold_char(const zc_analyzer *a, int32_t cp, zc_cclass *cls)
{
    *cls = ZC_CC_WORD;
    if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
        (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF))
        return -1; /* jamo: see hangul_compose */
    int32_t m[ZC_NORM_CHAR_MAX];
    size_t k = zc_norm_char(cp, m);
    size_t spaces = 0;
    for (size_t i = 0; i < k; i++)
        spaces += zc_norm_class(m[i]) == ZC_CC_SPACE;
    if (k > 0 && spaces == k) {
        *cls = ZC_CC_SPACE;
        return ' ';
    }
    if (k != 1)
        return -1;
    zc_cclass c = zc_norm_class(m[0]);
    int32_t f = m[0];
    if (c == ZC_CC_CJK && a != NULL && a->conv != NULL) {
        if (zc_conv_is_context(a->conv, f))
            return -1;
        f = zc_conv_t2s_char(a->conv, f);
    }
    *cls = c;
    return f;
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
