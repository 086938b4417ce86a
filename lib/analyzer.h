/* analyzer.h — the one analysis pipeline: normalize -> fold -> segment ->
 * terms.  Indexing (docbuild.c) and querying (query.c) both call zc_analyze, so
 * the two never disagree about what a word is.
 *
 * Stages, each swappable:
 *   1. normalize + tokenize (norm.h): walks the ORIGINAL text code point by
 *      code point, normalizes each, and cuts runs of word characters (Latin,
 *      digits, other alphabetic scripts) and runs of CJK characters.  Every
 *      token keeps the byte span [start, end) of the original text it came
 *      from, so snippets and highlights stay exact.
 *   2. fold CJK runs Traditional -> Simplified (OpenCC t2s through
 *      wrappers/converter.h; one code point in, one out, so every character
 *      keeps its span): 振興東北 and 振兴东北 make the same terms.
 *   3. segment CJK runs, by mode (positions count CJK characters, so a
 *      phrase is exact whatever the segmentation):
 *        ZC_SEG_NGRAM   overlapping bigrams (bigram i at position base+i)
 *                       plus unigrams, positional only for the first and
 *                       last character of the run (at the first and last
 *                       bigram's position); a run of one character is one
 *                       positional unigram.
 *        ZC_SEG_WORDS   friso dictionary words of 2+ characters
 *                       (ZC_TOK_CJK_WORD, positional at the position of
 *                       their first character) plus every character as a
 *                       positional unigram at its own position (base+i):
 *                       words match and rank, characters keep quoted
 *                       phrases exact when the query and the document are
 *                       segmented differently.
 *        ZC_SEG_HYBRID  the ngram tokens, plus friso words of 2+ characters
 *                       as positionless ZC_TOK_CJK_WORD tokens (carrying
 *                       the position of their first bigram): bigrams give
 *                       recall and exact phrases, words give ranking.
 *      The friso dictionary is loaded once per process (the first words or
 *      hybrid analyzer) and shared read-only; each analyzer owns its
 *      segmentation session.
 *   4. terms: words longer than ZC_WORD_MAX_BYTES are cut on a UTF-8
 *      boundary (never dropped); English words also have a stem
 *      (zc_analyzer_stem) that docbuild.c stores as "Z"+stem.
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

#include "lib/norm.h"
#include "lib/zhengce.h"
#include "wrappers/segmenter.h"

typedef enum zc_seg_mode {
    ZC_SEG_NGRAM = 0,   /* CJK bigrams + unigrams */
    ZC_SEG_WORDS,       /* dictionary words + positional characters */
    ZC_SEG_HYBRID       /* bigrams + unigrams + positionless dictionary words */
} zc_seg_mode;

#define ZC_SEG_MODES 3

typedef enum zc_tok_kind {
    ZC_TOK_WORD = 1,    /* a run of word characters (Latin, digits, ...) */
    ZC_TOK_CJK_BIGRAM,  /* two CJK characters, positional */
    ZC_TOK_CJK_UNIGRAM, /* one CJK character; positional in words mode, and in
                         * the other modes at either end of its run */
    ZC_TOK_CJK_WORD     /* a dictionary word of 2+ CJK characters (words, hybrid) */
} zc_tok_kind;

typedef struct zc_token {
    const char *term;   /* normalized term text, no prefix; borrowed for the callback only */
    size_t len;         /* bytes, <= ZC_WORD_MAX_BYTES for words */
    size_t start, end;  /* byte span in the original text */
    uint32_t pos;       /* position, valid when positional */
    uint32_t run;       /* index of the run (word or CJK run) it came from, from 0 per call */
    zc_tok_kind kind;
    int positional;     /* 0: index without position (inner CJK unigrams of longer runs) */
    int numeric;        /* WORD made of digits only: not stemmed */
} zc_token;

/* Called for each token in text order.  Return 0 to go on, non-zero to stop
 * (zc_analyze then returns ZC_OK). */
typedef int (*zc_token_fn)(void *ctx, const zc_token *tok);

typedef struct zc_analyzer zc_analyzer;

/* Returns new; free with zc_analyzer_free.  The first analyzer of the
 * process loads the converter (and, for words/hybrid, the friso dictionary)
 * through zc_analyzer_global_init: ZC_ENOTFOUND when OpenCC's t2s data or
 * the dictionary is not installed.  ZC_EINVAL for an unknown mode. */
zc_status zc_analyzer_new(zc_seg_mode mode, zc_analyzer **out, zc_error *err);
void zc_analyzer_free(zc_analyzer *a);
zc_seg_mode zc_analyzer_mode(const zc_analyzer *a);

/* Segments with the index's user words too (lib/userdict.h), from the
 * next call on: takes a reference to u (NULL: none), dropping the one it
 * held.  Nothing changes in ngram mode, which does not segment.
 * ZC_ENOMEM (the analyzer keeps its previous words then). */
zc_status zc_analyzer_set_user_words(zc_analyzer *a, zc_seg_user *u, zc_error *err);

/* The user words a was given (borrowed while a holds them), or NULL. */
zc_seg_user *zc_analyzer_user_words(const zc_analyzer *a);

/* Loads, once per process and thread-safely (pthread_once), what analyzers
 * of `mode` share read-only: the t2s converter for every mode, the friso
 * dictionary for words and hybrid, each through the cache directory (see
 * zc_set_cache_dir: ~5 ms from valid cache files, ~0.2 s without).
 * Idempotent; later calls return the first call's status. */
zc_status zc_analyzer_global_init(zc_seg_mode mode, zc_error *err);

/* Milliseconds the process spent loading the friso dictionary and the
 * converter (0 if not loaded): for logs and the benchmark report. */
double zc_analyzer_dict_load_ms(void);
double zc_analyzer_conv_load_ms(void);

/* The mode's name as stored in the index metadata ("ngram", "words",
 * "hybrid"); static string.  zc_analyzer_mode_parse is the inverse:
 * returns 0 and sets *out, or -1 for an unknown name. */
const char *zc_analyzer_mode_name(zc_seg_mode mode);
int zc_analyzer_mode_parse(const char *name, size_t len, zc_seg_mode *out);

/* Number of characters (code points) of a token's term: 1 for unigrams, 2
 * for bigrams, 2+ for CJK words. */
size_t zc_analyzer_term_chars(const char *term, size_t len);

/* Analyzes text.  Positions start at *pos; on return *pos is one past the
 * last position used.  Invalid UTF-8 bytes act as separators (documents are
 * validated before they get here; queries too).  Runs cap at an internal
 * length and continue as a new run, so memory stays bounded. */
zc_status zc_analyze(zc_analyzer *a, const char *text, size_t len, uint32_t *pos,
                     zc_token_fn fn, void *ctx, zc_error *err);

/* Flags of zc_analyze_ex. */
#define ZC_ANALYZE_NO_WORDS 1u /* no dictionary segmentation: no ZC_TOK_CJK_WORD
                                * tokens (words, hybrid); every other token
                                * (term, span, position, run) exactly as
                                * zc_analyze makes it */

/* zc_analyze with flags (0: the same as zc_analyze).  Snippets use
 * ZC_ANALYZE_NO_WORDS to find a query's terms in a hit's text without
 * running the segmenter over the whole text. */
zc_status zc_analyze_ex(zc_analyzer *a, const char *text, size_t len, uint32_t *pos,
                        unsigned flags, zc_token_fn fn, void *ctx, zc_error *err);

/* A 64-bit key of a text's analyzed form (its words and CJK characters,
 * normalized and folded, in order; punctuation and spacing do not count),
 * or 0 when the text has no token.  Two texts get the same key when they
 * read the same to the analyzer: the exact-title term (schema.h
 * ZC_PFX_TITLE_KEY) is built from it at index and query time.  The same in
 * every mode. */
uint64_t zc_analyzer_text_key(zc_analyzer *a, const char *text, size_t len);

/* What the analyzer makes of the code point cp standing in a run of text:
 * the one code point it becomes (normalized, and folded to Simplified when
 * it is CJK), with its class in *cls; a character that normalizes to
 * separators only is ' ' (ZC_CC_SPACE).  -1 (*cls ZC_CC_WORD) when that
 * depends on more than cp: it vanishes or expands to several code points
 * that are not all separators, it is a conjoining Hangul jamo (composed
 * with its neighbours), or its folding depends on its neighbours.  For
 * scanners that skip text which cannot hold a given term (snippets); the
 * analyzer itself stays the reference. */
int32_t zc_analyzer_fold_char(const zc_analyzer *a, int32_t cp, zc_cclass *cls);

/* English stem of a WORD token's term into buf; returns the stem length
 * (<= bufsize), or 0 when the word is not stemmed (numeric, non-Latin, or
 * the stem equals nothing useful). */
size_t zc_analyzer_stem(zc_analyzer *a, const char *term, size_t len, char *buf,
                        size_t bufsize);

#endif
