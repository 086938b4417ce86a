/* fuzz_analyzer.c — libFuzzer harness for the analysis pipeline: the
 * normalizer (lib/norm.c), the analyzer (lib/analyzer.c), document numbers
 * (lib/docno.c) and language detection, on any bytes.
 *
 * The input is the text.  An input starting with byte 0xFF (never valid
 * UTF-8) is the rest repeated to over 4300 characters, so runs longer than
 * the analyzer's internal run cap (RUN_MAX_UNITS, 4096) are reached with
 * small inputs.
 *
 * Invariants:
 *  - zc_norm_string fails (ZC_EINVAL) exactly on invalid UTF-8; otherwise
 *    its result is valid UTF-8 without NUL, trimmed, without two spaces in
 *    a row, and normalizing it again changes nothing;
 *  - zc_analyze (each segmentation mode: ngram, words, hybrid; the last
 *    byte of the input picks one) returns ZC_OK on any bytes; every token
 *    has a non-empty valid UTF-8 term without spaces, controls or ASCII
 *    capitals, words at most ZC_WORD_MAX_BYTES, bigrams two characters,
 *    unigrams one,
 *    dictionary words two or more and only in words/hybrid mode;
 *    its span [start, end) lies inside the text, start < end, and is whole
 *    characters; starts, positions and run numbers never go back; positions
 *    lie in [first, *pos) of the call; numeric words are digits only;
 *    (The analysis is by T->S folded characters, so a CJK term need not be
 *    the text of its span.)
 *  - a callback that stops after k tokens gets exactly the first k tokens of
 *    the full run, and zc_analyze still returns ZC_OK;
 *  - zc_analyzer_stem stays within its buffer;
 *  - zc_docno_canonical fails only with ZC_EINVAL, and is idempotent on its
 *    own output; zc_detect_lang answers "zh" or "en";
 *  - zc_unit_scan (lib/unit.c): every unit's span lies inside the text,
 *    start < end, is valid UTF-8 (whole characters), starts never go back; its canonical
 *    form is non-empty printable UTF-8 under ZC_UNIT_CANON_MAX, starting
 *    with d, m or n; stopping after k forms gives the first k; zc_unit_whole
 *    answers 1 exactly when a form spans the whole text, with the first
 *    such form.
 * Every function gets an exact-size heap copy of the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/analyzer.h"
#include "lib/docno.h"
#include "fuzz_util.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/unit.h"
#include "lib/zhengce.h"
#include "base/utf8.h"

/* Amplified texts hold this many characters (lead bytes), past the
 * analyzer's run cap of 4096 units, and at most this many bytes. */
#define AMPLIFY_CHARS 4300
#define AMPLIFY_MAX_BYTES 20000
#define FIRST_POS 7u

/* One analyzer per segmentation mode; the input picks one.  Words and
 * hybrid need friso's dictionary: without it only ngram is fuzzed. */
static zc_analyzer *analyzers[ZC_SEG_MODES];
static size_t n_analyzers;
static zc_analyzer *an; /* the one of the current input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    n_analyzers = fuzz_analyzers_new("fuzz_analyzer", analyzers);
    return 0;
}

/* ---- tokens --------------------------------------------------------------- */

typedef struct tok_rec {
    size_t start, end, len;
    uint32_t pos, run;
    zc_tok_kind kind;
    int positional, numeric;
    uint64_t hash; /* of the term bytes */
} tok_rec;

typedef struct collect {
    const char *text;
    size_t text_len;
    tok_rec *v;
    size_t n, cap;
    size_t stop_after; /* 0 = never stop */
} collect;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static size_t count_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int on_token(void *vctx, const zc_token *t)
{
    collect *c = vctx;
    FUZZ_CHECK(t != NULL && t->term != NULL);
    FUZZ_CHECK(t->len >= 1);
    FUZZ_CHECK(fuzz_utf8_valid(t->term, t->len, NULL));
    for (size_t i = 0; i < t->len; i++) {
        unsigned char b = (unsigned char)t->term[i];
        FUZZ_CHECK(b > 0x20 && b != 0x7F);   /* no space, no control */
        FUZZ_CHECK(!(b >= 'A' && b <= 'Z')); /* case-folded */
    }
    switch (t->kind) {
    case ZC_TOK_WORD:
        FUZZ_CHECK(t->len <= ZC_WORD_MAX_BYTES);
        FUZZ_CHECK(t->positional);
        if (t->numeric)
            for (size_t i = 0; i < t->len; i++)
                FUZZ_CHECK(t->term[i] >= '0' && t->term[i] <= '9');
        break;
    case ZC_TOK_CJK_BIGRAM:
        FUZZ_CHECK(t->positional);
        FUZZ_CHECK(count_chars(t->term, t->len) == 2);
        break;
    case ZC_TOK_CJK_UNIGRAM:
        FUZZ_CHECK(count_chars(t->term, t->len) == 1);
        if (zc_analyzer_mode(an) == ZC_SEG_WORDS)
            FUZZ_CHECK(t->positional);
        break;
    default:
        /* Dictionary words: words and hybrid modes only, 2+ characters,
         * positional in words mode only. */
        FUZZ_CHECK(t->kind == ZC_TOK_CJK_WORD);
        FUZZ_CHECK(zc_analyzer_mode(an) != ZC_SEG_NGRAM);
        FUZZ_CHECK(count_chars(t->term, t->len) >= 2);
        FUZZ_CHECK(t->len <= ZC_WORD_MAX_BYTES);
        FUZZ_CHECK(t->positional == (zc_analyzer_mode(an) == ZC_SEG_WORDS));
        break;
    }
    if (t->kind != ZC_TOK_WORD)
        FUZZ_CHECK(zc_analyzer_term_chars(t->term, t->len) == count_chars(t->term, t->len));
    FUZZ_CHECK(t->start < t->end && t->end <= c->text_len);
    FUZZ_CHECK(fuzz_utf8_valid(c->text + t->start, t->end - t->start, NULL));
    if (c->n > 0) {
        const tok_rec *p = &c->v[c->n - 1];
        FUZZ_CHECK(t->start >= p->start);
        FUZZ_CHECK(t->pos >= p->pos);
        FUZZ_CHECK(t->run >= p->run);
    } else {
        FUZZ_CHECK(t->pos >= FIRST_POS);
    }
    if (t->kind == ZC_TOK_WORD) {
        char stem[ZC_WORD_MAX_BYTES * 2];
        size_t sn = zc_analyzer_stem(an, t->term, t->len, stem, sizeof stem);
        FUZZ_CHECK(sn <= sizeof stem);
        if (sn > 0)
            FUZZ_CHECK(fuzz_utf8_valid(stem, sn, NULL));
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        FUZZ_CHECK(c->v != NULL);
    }
    c->v[c->n++] = (tok_rec){t->start,      t->end,     t->len,
                             t->pos,        t->run,     t->kind,
                             t->positional, t->numeric, fnv1a(t->term, t->len)};
    return c->stop_after != 0 && c->n == c->stop_after;
}

static void check_analyze(const char *text, size_t len, size_t stop_after)
{
    collect full = {.text = text, .text_len = len};
    uint32_t pos = FIRST_POS;
    zc_error err;
    FUZZ_CHECK(zc_analyze(an, text, len, &pos, on_token, &full, &err) == ZC_OK);
    FUZZ_CHECK(pos >= FIRST_POS);
    for (size_t i = 0; i < full.n; i++)
        FUZZ_CHECK(full.v[i].pos < pos);
    if (len > 0 && full.n == 0) {
        /* Nothing to index: no character of the text is a letter, a digit
         * or CJK after normalization.  ASCII alphanumerics would be. */
        for (size_t i = 0; i < len; i++) {
            char ch = text[i];
            FUZZ_CHECK(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= '0' && ch <= '9')));
        }
    }

    if (stop_after > 0) {
        collect part = {.text = text, .text_len = len, .stop_after = stop_after};
        uint32_t pos2 = FIRST_POS;
        FUZZ_CHECK(zc_analyze(an, text, len, &pos2, on_token, &part, &err) == ZC_OK);
        size_t want = full.n < stop_after ? full.n : stop_after;
        FUZZ_CHECK(part.n == want);
        for (size_t i = 0; i < want; i++)
            FUZZ_CHECK(memcmp(&part.v[i], &full.v[i], sizeof part.v[i]) == 0);
        free(part.v);
    }
    free(full.v);
}

/* ---- normalization, document numbers, language ------------------------------- */

static void check_norm(const char *text, size_t len)
{
    char *out = (char *)(uintptr_t)1;
    size_t n = 99;
    zc_error err;
    zc_status st = zc_norm_string(text, len, &out, &n, &err);
    int valid = fuzz_utf8_valid(text, len, NULL);
    FUZZ_CHECK(zc_utf8_valid(text, len, NULL) == valid);
    if (!valid) {
        FUZZ_CHECK(st == ZC_EINVAL && out == NULL && n == 0);
        return;
    }
    FUZZ_CHECK(st == ZC_OK && out != NULL);
    FUZZ_CHECK(strlen(out) == n);
    FUZZ_CHECK(fuzz_utf8_valid(out, n, NULL));
    if (n > 0)
        FUZZ_CHECK(out[0] != ' ' && out[n - 1] != ' ');
    FUZZ_CHECK(strstr(out, "  ") == NULL);

    char *copy = fuzz_dup_exact(out, n);
    char *again = NULL;
    size_t n2 = 0;
    FUZZ_CHECK(zc_norm_string(copy, n, &again, &n2, &err) == ZC_OK);
    FUZZ_CHECK(n2 == n && memcmp(again, out, n) == 0);
    free(again);
    free(copy);
    free(out);
}

static void check_docno(const char *text, size_t len)
{
    char *out = (char *)(uintptr_t)1;
    zc_error err;
    zc_status st = zc_docno_canonical(text, len, &out, &err);
    if (st != ZC_OK) {
        FUZZ_CHECK(st == ZC_EINVAL && out == NULL);
        FUZZ_CHECK(fuzz_utf8_valid(err.message, strlen(err.message), NULL));
        return;
    }
    size_t n = strlen(out);
    FUZZ_CHECK(n >= 1 && n <= ZC_TERM_MAX_BYTES - 2);
    FUZZ_CHECK(fuzz_utf8_valid(out, n, NULL));
    FUZZ_CHECK(out[0] != '.' && out[n - 1] != '.');
    FUZZ_CHECK(strstr(out, "..") == NULL);
    char *copy = fuzz_dup_exact(out, n);
    char *again = NULL;
    FUZZ_CHECK(zc_docno_canonical(copy, n, &again, &err) == ZC_OK);
    FUZZ_CHECK(strcmp(again, out) == 0);
    zc_free(again);
    free(copy);
    zc_free(out);
}

typedef struct unit_ctx {
    const char *text;
    size_t len, n, stop_after, last_start;
    uint64_t h;             /* of the forms seen, in order */
    size_t mark;            /* h_mark: h after this many forms */
    uint64_t h_mark;
    char whole[ZC_UNIT_CANON_MAX];
} unit_ctx;

static int on_unit(void *vctx, const zc_unit *u)
{
    unit_ctx *c = vctx;
    FUZZ_CHECK(u->start < u->end && u->end <= c->len && u->start >= c->last_start);
    /* whole characters, all valid (invalid bytes only separate) */
    FUZZ_CHECK(fuzz_utf8_valid(c->text + u->start, u->end - u->start, NULL));
    FUZZ_CHECK(u->len >= 2 && u->len < ZC_UNIT_CANON_MAX && strlen(u->canon) == u->len);
    FUZZ_CHECK(u->canon[0] == 'd' || u->canon[0] == 'm' || u->canon[0] == 'n');
    FUZZ_CHECK(fuzz_utf8_valid(u->canon, u->len, NULL));
    for (size_t i = 0; i < u->len; i++)
        FUZZ_CHECK((unsigned char)u->canon[i] > ' ');
    c->last_start = u->start;
    if (u->start == 0 && u->end == c->len && c->whole[0] == '\0')
        memcpy(c->whole, u->canon, u->len + 1);
    c->h = c->h * 31 + fnv1a(u->canon, u->len) + u->start * 7 + u->end;
    if (++c->n == c->mark)
        c->h_mark = c->h;
    return c->n == c->stop_after ? 5 : 0;
}

static void check_units(const char *text, size_t len, size_t stop_after)
{
    unit_ctx all = {.text = text, .len = len, .mark = stop_after};
    FUZZ_CHECK(zc_unit_scan(text, len, on_unit, &all) == 0);
    char canon[ZC_UNIT_CANON_MAX];
    size_t cl = 0;
    int w = zc_unit_whole(text, len, canon, &cl);
    FUZZ_CHECK(w == (all.whole[0] != '\0'));
    FUZZ_CHECK(strcmp(canon, all.whole) == 0 && cl == strlen(canon));
    if (stop_after == 0 || stop_after >= all.n)
        return;
    unit_ctx part = {.text = text, .len = len, .stop_after = stop_after};
    FUZZ_CHECK(zc_unit_scan(text, len, on_unit, &part) == 5 && part.n == stop_after);
    FUZZ_CHECK(part.h == all.h_mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    size_t len;
    if (size >= 2 && data[0] == 0xFF) {
        size_t unit = size - 1, chars = 0;
        for (size_t i = 1; i < size; i++)
            chars += (data[i] & 0xC0) != 0x80;
        size_t reps = AMPLIFY_CHARS / (chars ? chars : 1) + 1;
        if (reps > AMPLIFY_MAX_BYTES / unit)
            reps = AMPLIFY_MAX_BYTES / unit + 1;
        len = unit * reps;
        text = malloc(len);
        FUZZ_CHECK(text != NULL);
        for (size_t r = 0; r < reps; r++)
            memcpy(text + r * unit, data + 1, unit);
        char *exact = fuzz_dup_exact(text, len);
        free(text);
        text = exact;
    } else {
        len = size;
        text = fuzz_dup_exact(data, size);
    }

    /* The last byte picks the mode and where a second run stops. */
    unsigned last = size ? data[size - 1] : 0;
    an = analyzers[(last >> 4) % n_analyzers];
    size_t stop_after = last % 16;
    check_analyze(text, len, stop_after);
    check_norm(text, len);
    check_docno(text, len);
    check_units(text, len, stop_after);
    const char *lang = zc_detect_lang(text, len);
    FUZZ_CHECK(lang != NULL && (strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0));
    int looks = zc_docno_looks_like(text, len);
    FUZZ_CHECK(looks == 0 || looks == 1);

    free(text);
    return 0;
}
