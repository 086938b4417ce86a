/* qlex.c — the query lexer (qlex.h): a state machine over (ptr, len).
 *
 * Owns: cutting the query text into tokens; the spellings of whitespace,
 * quote marks, field prefixes and operators.  Must never: allocate per
 * character, or treat anything as an error but memory (syntax problems are
 * the parser's: an unclosed phrase is reported as such).
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/qlex.h"
#include "base/grow.h"

size_t zc_qlex_space(const char *t, size_t len, size_t p)
{
    unsigned char c = (unsigned char)t[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && p + 1 < len && (unsigned char)t[p + 1] == 0xA0)
        return 2;
    if (c == 0xE3 && p + 2 < len && (unsigned char)t[p + 1] == 0x80 &&
        (unsigned char)t[p + 2] == 0x80)
        return 3;
    return 0;
}

/* Bytes of the quote mark at text[p] (" “ ” ＂), or 0. */
static size_t quote_len(const char *t, size_t len, size_t p)
{
    if (t[p] == '"')
        return 1;
    if (p + 2 < len) {
        if (memcmp(t + p, "\xE2\x80\x9C", 3) == 0 || memcmp(t + p, "\xE2\x80\x9D", 3) == 0 ||
            memcmp(t + p, "\xEF\xBC\x82", 3) == 0)
            return 3;
    }
    return 0;
}

int zc_qlex_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != b[i])
            return 0;
    }
    return 1;
}

/* A field prefix "name:" (or the full-width colon "：") at text[p] followed
 * by something to apply to; returns the field and sets *flen to the prefix
 * bytes.  "title: x" and "title:(x)" are no field: the prefix must touch a
 * word or a phrase. */
static zc_qfield field_at(const char *t, size_t len, size_t p, size_t *flen)
{
    static const struct {
        const char *name;
        zc_qfield f;
    } fields[] = {{"title", ZC_QF_TITLE}, {"issuer", ZC_QF_ISSUER}, {"docno", ZC_QF_DOCNO},
                  {"lang", ZC_QF_LANG}, {"tags", ZC_QF_TAGS}};
    size_t q = p;
    while (q < len && q - p < 8 &&
           ((t[q] >= 'a' && t[q] <= 'z') || (t[q] >= 'A' && t[q] <= 'Z')))
        q++;
    if (q == p || q >= len)
        return ZC_QF_NONE;
    size_t colon = 0;
    if (t[q] == ':')
        colon = 1;
    else if (q + 2 < len && memcmp(t + q, "\xEF\xBC\x9A", 3) == 0)
        colon = 3;
    if (colon == 0)
        return ZC_QF_NONE;
    size_t v = q + colon;
    if (v >= len || zc_qlex_space(t, len, v) || t[v] == '(' || t[v] == ')')
        return ZC_QF_NONE;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (zc_qlex_ieq(t + p, q - p, fields[i].name)) {
            *flen = v - p;
            return fields[i].f;
        }
    }
    return ZC_QF_NONE;
}

typedef struct toklist {
    zc_qtok *v;
    size_t n, cap;
} toklist;

static int push(toklist *tl, zc_qtok tok)
{
    if (zc_grow(&tl->v, &tl->cap, tl->n + 1, sizeof *tl->v, 32) != 0)
        return -1;
    tl->v[tl->n++] = tok;
    return 0;
}

/* The phrase whose opening quote (ql bytes) is at text[p]: fills tok and
 * returns the offset past its closing quote, or 0 when it is unclosed or
 * holds only whitespace. */
static size_t lex_phrase(const char *t, size_t len, size_t p, size_t ql, zc_qtok *tok)
{
    size_t q = p + ql, cl = 0, k;
    while (q < len && (cl = quote_len(t, len, q)) == 0)
        q++;
    if (q >= len)
        return 0;
    size_t in = p + ql, s = in;
    while (s < q && (k = zc_qlex_space(t, len, s)) > 0)
        s += k;
    if (s == q)
        return 0;
    tok->type = ZC_QTOK_PHRASE;
    tok->vstart = in;
    tok->vlen = q - in;
    tok->len = q + cl - tok->start;
    return q + cl;
}

/* The word starting at text[p]: pushes it (or the operator it spells) and
 * the ')' cut from its end; returns the offset past them, or 0 when out of
 * memory.  A word runs to the next whitespace.  Parentheses inside it
 * belong to it (国发(2016)62号) unless trailing ')' close more than the
 * word opened: those close groups. */
static size_t lex_word(const char *t, size_t len, size_t p, zc_qtok tok, toklist *tl)
{
    size_t w = p;
    while (w < len && !zc_qlex_space(t, len, w))
        w++;
    size_t opens = 0, closes = 0, trailing = 0;
    for (size_t i = p; i < w; i++) {
        if (t[i] == '(')
            opens++;
        else if (t[i] == ')')
            closes++;
    }
    while (trailing < w - p && t[w - 1 - trailing] == ')')
        trailing++;
    size_t strip = 0;
    if (closes > opens)
        strip = closes - opens < trailing ? closes - opens : trailing;
    if (strip == w - p)
        strip = 0;   /* cannot happen: a word never starts with ')' */
    tok.type = ZC_QTOK_WORD;
    tok.vstart = p;
    tok.vlen = w - p - strip;
    tok.len = w - strip - tok.start;
    if (!tok.neg && tok.field == ZC_QF_NONE) {
        if (tok.vlen == 3 && memcmp(t + p, "AND", 3) == 0)
            tok.type = ZC_QTOK_AND;
        else if (tok.vlen == 2 && memcmp(t + p, "OR", 2) == 0)
            tok.type = ZC_QTOK_OR;
        else if (tok.vlen == 3 && memcmp(t + p, "NOT", 3) == 0)
            tok.type = ZC_QTOK_NOT;
    }
    if (push(tl, tok))
        return 0;
    for (size_t i = 0; i < strip; i++) {
        zc_qtok rp = {.type = ZC_QTOK_RP, .start = w - strip + i, .len = 1};
        if (push(tl, rp))
            return 0;
    }
    return w;
}

zc_status zc_qlex(const char *t, size_t len, zc_qtok **toks, size_t *n, int *syntax_error,
                  zc_error *err)
{
    toklist tl = {0};
    size_t p = 0, k;
    *toks = NULL;
    *n = 0;
    *syntax_error = 0;
    while (p < len) {
        if ((k = zc_qlex_space(t, len, p)) > 0) {
            p += k;
            continue;
        }
        zc_qtok tok = {.start = p};
        if (t[p] == '(' || t[p] == ')') {
            tok.type = t[p] == '(' ? ZC_QTOK_LP : ZC_QTOK_RP;
            tok.len = 1;
            if (push(&tl, tok))
                goto nomem;
            p++;
            continue;
        }
        /* '-' negates what follows it directly ("-word", "-\"a b\"", "-(...)"). */
        if (t[p] == '-' && p + 1 < len && !zc_qlex_space(t, len, p + 1) && t[p + 1] != '-' &&
            t[p + 1] != ')') {
            tok.neg = 1;
            p++;
            if (t[p] == '(') {
                tok.type = ZC_QTOK_LP;
                tok.len = p + 1 - tok.start;
                if (push(&tl, tok))
                    goto nomem;
                p++;
                continue;
            }
        }
        size_t flen = 0;
        tok.field = field_at(t, len, p, &flen);
        p += flen;
        size_t ql = quote_len(t, len, p);
        if (ql > 0) {
            p = lex_phrase(t, len, p, ql, &tok);
            if (p == 0) {
                *syntax_error = 1;
                break;
            }
            if (push(&tl, tok))
                goto nomem;
            continue;
        }
        p = lex_word(t, len, p, tok, &tl);
        if (p == 0)
            goto nomem;
    }
    *toks = tl.v;
    *n = tl.n;
    return ZC_OK;
nomem:
    free(tl.v);
    *syntax_error = 0;
    return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
}
