/* analyzer.h — the one analysis pipeline: normalize -> segment -> terms.
 * Indexing (index.c) and querying (query.c) both call zc_analyze, so the two
 * never disagree about what a word is.
 *
 * Stages, each swappable:
 *   1. normalize + tokenize (norm.h): walks the ORIGINAL text code point by
 *      code point, normalizes each, and cuts runs of word characters (Latin,
 *      digits, other alphabetic scripts) and runs of CJK characters.  Every
 *      token keeps the byte span [start, end) of the original text it came
 *      from, so snippets and highlights stay exact.
 *   2. segment CJK runs: ZC_SEG_NGRAM emits overlapping bigrams (positional)
 *      plus unigrams (positionless); a run of one character emits its unigram
 *      at a position.  (Word segmentation modes come with the quality work;
 *      they plug in here.)
 *   3. terms: words longer than ZC_WORD_MAX_BYTES are cut on a UTF-8
 *      boundary (never dropped); English words also have a stem
 *      (zc_analyzer_stem) that index.c stores as "Z"+stem.
 *
 * Must never: drop text silently, allocate per token (buffers are reused per
 * analyzer), or depend on the field being indexed (prefixes are added by the
 * caller).
 *
 * An analyzer holds a stemmer and scratch buffers: one per thread.
 */
#ifndef ZC_ANALYZER_H
#define ZC_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "zhengce.h"

typedef enum zc_seg_mode {
    ZC_SEG_NGRAM = 0,   /* CJK bigrams + unigrams (default in format 1) */
    ZC_SEG_WORDS,       /* dictionary words (reserved for the segmenter stage) */
    ZC_SEG_HYBRID       /* words + bigrams (reserved) */
} zc_seg_mode;

typedef enum zc_tok_kind {
    ZC_TOK_WORD = 1,    /* a run of word characters (Latin, digits, ...) */
    ZC_TOK_CJK_BIGRAM,  /* two CJK characters, positional */
    ZC_TOK_CJK_UNIGRAM, /* one CJK character; positional only when its run has one character */
    ZC_TOK_CJK_WORD     /* a segmenter word (reserved) */
} zc_tok_kind;

typedef struct zc_token {
    const char *term;   /* normalized term text, no prefix; borrowed for the callback only */
    size_t len;         /* bytes, <= ZC_WORD_MAX_BYTES for words */
    size_t start, end;  /* byte span in the original text */
    uint32_t pos;       /* position, valid when positional */
    uint32_t run;       /* index of the run (word or CJK run) it came from, from 0 per call */
    zc_tok_kind kind;
    int positional;     /* 0: index without position (CJK unigrams of longer runs) */
    int numeric;        /* WORD made of digits only: not stemmed */
} zc_token;

/* Called for each token in text order.  Return 0 to go on, non-zero to stop
 * (zc_analyze then returns ZC_OK). */
typedef int (*zc_token_fn)(void *ctx, const zc_token *tok);

typedef struct zc_analyzer zc_analyzer;

/* Returns new; free with zc_analyzer_free. */
zc_status zc_analyzer_new(zc_seg_mode mode, zc_analyzer **out, zc_error *err);
void zc_analyzer_free(zc_analyzer *a);
zc_seg_mode zc_analyzer_mode(const zc_analyzer *a);

/* Analyzes text.  Positions start at *pos; on return *pos is one past the
 * last position used.  Invalid UTF-8 bytes act as separators (documents are
 * validated before they get here; queries too).  Runs cap at an internal
 * length and continue as a new run, so memory stays bounded. */
zc_status zc_analyze(zc_analyzer *a, const char *text, size_t len, uint32_t *pos,
                     zc_token_fn fn, void *ctx, zc_error *err);

/* English stem of a WORD token's term into buf; returns the stem length
 * (<= bufsize), or 0 when the word is not stemmed (numeric, non-Latin, or
 * the stem equals nothing useful). */
size_t zc_analyzer_stem(zc_analyzer *a, const char *term, size_t len, char *buf,
                        size_t bufsize);

#endif
