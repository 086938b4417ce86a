/* qlex.h — the query lexer: query text (protocol.md "Query text") to tokens.
 *
 * Owns: what a token of the query language is — a word (runs to the next
 * whitespace), a "quoted phrase" (any of " “ ” ＂ opens and closes), ( and
 * ), the operators AND / OR / NOT (upper case, standing alone), with a '-'
 * and a field prefix (title: issuer: docno: lang: tags:, ASCII or full-width
 * colon, any letter case) attached to the word or phrase they stand before.
 * Whitespace is ASCII whitespace, NBSP (U+00A0) and the ideographic space
 * (U+3000).
 *
 * Must never: allocate per character, read past (text, len), or fail on
 * syntax: an unclosed or empty phrase is reported, not an error.
 */
#ifndef ZC_QLEX_H
#define ZC_QLEX_H

#include <stddef.h>

#include "lib/zhengce.h"

typedef enum zc_qtok_type {
    ZC_QTOK_WORD,
    ZC_QTOK_PHRASE,
    ZC_QTOK_LP,    /* '(' — or "-(" with neg set */
    ZC_QTOK_RP,
    ZC_QTOK_AND,
    ZC_QTOK_OR,
    ZC_QTOK_NOT
} zc_qtok_type;

/* The field prefix written before a word or phrase. */
typedef enum zc_qfield {
    ZC_QF_NONE = 0,
    ZC_QF_TITLE,
    ZC_QF_ISSUER,
    ZC_QF_DOCNO,
    ZC_QF_LANG,
    ZC_QF_TAGS
} zc_qfield;

typedef struct zc_qtok {
    zc_qtok_type type;
    int neg;               /* '-' before it (words, phrases, '(') */
    zc_qfield field;       /* field prefix before it (words, phrases) */
    size_t start, len;     /* the whole token, '-', prefix and quotes included */
    size_t vstart, vlen;   /* the word, or the text inside the quotes */
} zc_qtok;

/* Cuts text[0, len) into tokens.  *toks: returns new (NULL when there are
 * none); free with free(); *n their count.  *syntax_error is set to 1 for
 * an unclosed or empty phrase (the tokens before it are returned: the
 * text cannot be read as structured query) and to 0 otherwise.  Fails
 * only with ZC_ENOMEM (then *toks is NULL, *n 0). */
zc_status zc_qlex(const char *text, size_t len, zc_qtok **toks, size_t *n, int *syntax_error,
                  zc_error *err);

/* Bytes of the whitespace character at text[p] (p < len), or 0. */
size_t zc_qlex_space(const char *text, size_t len, size_t p);

/* 1 if a[0, alen) equals the lower-case NUL-terminated b, ASCII letters
 * compared without case. */
int zc_qlex_ieq(const char *a, size_t alen, const char *b);

#endif
