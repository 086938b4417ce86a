/* query.c — query text to a Xapian query (protocol.md "Query text").
 *
 * Owns: the query syntax and how each piece becomes terms of the index
 * layout (schema.h).  Two stages:
 *   1. a tokenizer (a state machine over (ptr, len), no allocation per
 *      character) cuts the text into words, "phrases", ( ), AND / OR / NOT,
 *      with a '-' and a field prefix (title: issuer: docno: lang:) attached
 *      to the word or phrase they stand before;
 *   2. a recursive-descent parser:
 *        expr     := and_expr ('OR' and_expr)*
 *        and_expr := item+            (implicit AND; 'AND' may stand between)
 *        item     := 'NOT'? unary     (a NOT b = a AND NOT b; -x too)
 *        unary    := '(' expr ')' | field? (phrase | word)
 * Any syntax error (unbalanced parentheses or quotes, a dangling operator,
 * an empty phrase, nesting past QUERY_MAX_DEPTH) makes the whole text be
 * searched as plain words: never an error.  Only a query without a positive
 * term is refused (ZC_EINVAL "q").
 *
 * Every word goes through zc_analyze, the pipeline indexing uses, so the two
 * agree on what a term is.  Free-text words match title and body (unprefixed
 * terms); the same words in title form ("S" prefix) are added with
 * AND_MAYBE, so documents whose title matches rank higher.
 *
 * Must never: fail on syntax, recurse without a bound, or build more than
 * ZC_QUERY_MAX_TERMS terms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docno.h"
#include "error.h"
#include "limits.h"
#include "norm.h"
#include "query.h"
#include "schema.h"

/* Parentheses nest at most this deep; deeper is a syntax error (so the
 * parser's recursion is bounded whatever the input). */
#define QUERY_MAX_DEPTH 32

/* A document-number term outweighs the words it is made of: an exact docno
 * hit should come first. */
#define QUERY_DOCNO_SCALE 5.0
/* Likewise the exact-title term (ranking only). */
#define QUERY_TITLE_KEY_SCALE 5.0

/* ---- tokens ------------------------------------------------------------ */

typedef enum qt_type { QT_WORD, QT_PHRASE, QT_LP, QT_RP, QT_AND, QT_OR, QT_NOT } qt_type;

typedef enum qfield { QF_NONE = 0, QF_TITLE, QF_ISSUER, QF_DOCNO, QF_LANG } qfield;

typedef struct qtok {
    qt_type type;
    int neg;            /* '-' before it (words, phrases, '(') */
    qfield field;       /* field prefix before it (words, phrases) */
    size_t start, len;  /* whole token, prefixes included */
    size_t vstart, vlen;/* the word, or the text inside the quotes */
} qtok;

/* Bytes of the whitespace character at text[p] (ASCII whitespace, NBSP
 * U+00A0, ideographic space U+3000), or 0. */
static size_t ws_len(const char *t, size_t len, size_t p)
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

static int ascii_ieq(const char *a, size_t alen, const char *b)
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
 * bytes. */
static qfield field_at(const char *t, size_t len, size_t p, size_t *flen)
{
    static const struct {
        const char *name;
        qfield f;
    } fields[] = {{"title", QF_TITLE}, {"issuer", QF_ISSUER}, {"docno", QF_DOCNO},
                  {"lang", QF_LANG}};
    size_t q = p;
    while (q < len && q - p < 8 &&
           ((t[q] >= 'a' && t[q] <= 'z') || (t[q] >= 'A' && t[q] <= 'Z')))
        q++;
    if (q == p || q >= len)
        return QF_NONE;
    size_t colon = 0;
    if (t[q] == ':')
        colon = 1;
    else if (q + 2 < len && memcmp(t + q, "\xEF\xBC\x9A", 3) == 0)
        colon = 3;
    if (colon == 0)
        return QF_NONE;
    size_t v = q + colon;
    if (v >= len || ws_len(t, len, v) || t[v] == '(' || t[v] == ')')
        return QF_NONE;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (ascii_ieq(t + p, q - p, fields[i].name)) {
            *flen = v - p;
            return fields[i].f;
        }
    }
    return QF_NONE;
}

typedef struct toklist {
    qtok *v;
    size_t n, cap;
} toklist;

static int tl_push(toklist *tl, qtok tok)
{
    if (tl->n == tl->cap) {
        size_t ncap = tl->cap ? tl->cap * 2 : 32;
        qtok *nv = realloc(tl->v, ncap * sizeof *nv);
        if (nv == NULL)
            return -1;
        tl->v = nv;
        tl->cap = ncap;
    }
    tl->v[tl->n++] = tok;
    return 0;
}

/* Cuts the text into tokens.  Sets *syntax_error for an unclosed or empty
 * phrase (tokenizing stops there: the caller falls back to plain words).
 * Returns -1 only when out of memory. */
static int tokenize(const char *t, size_t len, toklist *tl, int *syntax_error)
{
    size_t p = 0, k;
    while (p < len) {
        if ((k = ws_len(t, len, p)) > 0) {
            p += k;
            continue;
        }
        qtok tok = {.start = p};
        if (t[p] == '(' || t[p] == ')') {
            tok.type = t[p] == '(' ? QT_LP : QT_RP;
            tok.len = 1;
            if (tl_push(tl, tok))
                return -1;
            p++;
            continue;
        }
        /* '-' negates what follows it directly ("-word", "-\"a b\"", "-(...)"). */
        if (t[p] == '-' && p + 1 < len && !ws_len(t, len, p + 1) && t[p + 1] != '-' &&
            t[p + 1] != ')') {
            tok.neg = 1;
            p++;
            if (t[p] == '(') {
                tok.type = QT_LP;
                tok.len = p + 1 - tok.start;
                if (tl_push(tl, tok))
                    return -1;
                p++;
                continue;
            }
        }
        size_t flen = 0;
        tok.field = field_at(t, len, p, &flen);
        p += flen;
        size_t ql = quote_len(t, len, p);
        if (ql > 0) {
            size_t q = p + ql, cl = 0;
            while (q < len && (cl = quote_len(t, len, q)) == 0)
                q++;
            if (q >= len) {
                *syntax_error = 1;   /* unclosed */
                return 0;
            }
            size_t in = p + ql, inlen = q - in;
            size_t s = in;
            while (s < q && (k = ws_len(t, len, s)) > 0)
                s += k;
            if (s == q) {
                *syntax_error = 1;   /* empty phrase */
                return 0;
            }
            tok.type = QT_PHRASE;
            tok.vstart = in;
            tok.vlen = inlen;
            p = q + cl;
            tok.len = p - tok.start;
            if (tl_push(tl, tok))
                return -1;
            continue;
        }
        /* A word runs to the next whitespace.  Parentheses inside it belong
         * to it (国发(2016)62号) unless trailing ')' close more than the
         * word opened: those close groups. */
        size_t w = p;
        while (w < len && !ws_len(t, len, w))
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
        tok.type = QT_WORD;
        tok.vstart = p;
        tok.vlen = w - p - strip;
        tok.len = w - strip - tok.start;
        if (!tok.neg && tok.field == QF_NONE) {
            if (tok.vlen == 3 && memcmp(t + p, "AND", 3) == 0)
                tok.type = QT_AND;
            else if (tok.vlen == 2 && memcmp(t + p, "OR", 2) == 0)
                tok.type = QT_OR;
            else if (tok.vlen == 3 && memcmp(t + p, "NOT", 3) == 0)
                tok.type = QT_NOT;
        }
        if (tl_push(tl, tok))
            return -1;
        for (size_t i = 0; i < strip; i++) {
            qtok rp = {.type = QT_RP, .start = w - strip + i, .len = 1};
            if (tl_push(tl, rp))
                return -1;
        }
        p = w;
    }
    return 0;
}

/* ---- query lists ------------------------------------------------------- */

typedef struct qlist {
    zc_xap_query **v;
    size_t n, cap;
} qlist;

static void ql_clear(qlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        zc_xap_query_free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* ---- parser context ---------------------------------------------------- */

/* One analyzed token, its term kept in the context's arena. */
typedef struct atok {
    size_t off, len;     /* term in arena */
    size_t start, end;   /* span in the analyzed piece of the query text */
    uint32_t pos, run;
    zc_tok_kind kind;
    int positional, numeric;
    int phrase;          /* a token phrases are made of (mark_phrase_tokens) */
} atok;

/* One token of the proximity boost: the positive free text of the whole
 * query as one phrase. */
typedef struct ptok {
    size_t off, len;     /* term in the proximity arena */
    uint32_t run;        /* run number across the whole query */
    int word;            /* an English (WORD) token: no gap next to it */
    int soft;            /* the break before it may be no break in the text
                          * (soft_break) */
} ptok;

typedef struct qctx {
    zc_analyzer *an;
    zc_seg_mode mode;    /* the analyzer's (the index's) mode */
    int match_any;       /* free text is an OR of its terms, not an AND */
    const char *text;
    size_t len;
    size_t at_base;      /* text offset of the piece c->at was analyzed from */
    zc_error *err;
    zc_status st;        /* first hard error (ENOMEM, ETOOLONG, analyzer) */
    int syntax_error;
    size_t n_terms;      /* terms of the main query, against ZC_QUERY_MAX_TERMS */
    const qtok *tok;
    size_t n_tok, i;
    zc_hl *hl;           /* positive terms to highlight (may be NULL) */
    qlist title_units;   /* title forms of positive free-text words */
    qlist word_units;    /* hybrid: "W" word terms of positive free-text runs */
    /* English stopwords */
    int drop_stop;       /* drop free-text words that are stopwords */
    size_t n_dropped;    /* words dropped so */
    /* proximity: the positive free text in query order */
    int prox_ok;         /* 0 when the query has OR, parentheses or fields */
    int plain;           /* 0 when it also has a negation: the text as a
                          * whole is then no title and no document number */
    size_t units;        /* positive free-text words and phrases */
    size_t prox_parts;   /* AND-ed subqueries of positive free text */
    ptok *pt;
    size_t n_pt, cap_pt;
    char *parena;
    size_t parena_len, parena_cap;
    uint32_t prox_run;
    /* spelling candidates */
    zc_query_word *sw;
    size_t n_sw, cap_sw;
    /* analysis scratch, reused for every word */
    atok *at;
    size_t n_at, cap_at;
    char *arena;
    size_t arena_len, arena_cap;
} qctx;

static void oom(qctx *c)
{
    if (c->st == ZC_OK)
        c->st = zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
}

static int failed(const qctx *c)
{
    return c->st != ZC_OK;
}

static void ql_push(qctx *c, qlist *l, zc_xap_query *q)
{
    if (q == NULL)
        return;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        zc_xap_query **nv = realloc(l->v, ncap * sizeof *nv);
        if (nv == NULL) {
            zc_xap_query_free(q);
            oom(c);
            return;
        }
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = q;
}

/* Combines and empties the list: NULL if it was empty, its only element if
 * it had one (for every op but those that change weights). */
static zc_xap_query *ql_take(qctx *c, qlist *l, zc_xap_op op, unsigned window)
{
    zc_xap_query *q = NULL;
    if (failed(c) || l->n == 0) {
        ql_clear(l);
        return NULL;
    }
    if (l->n == 1) {
        q = l->v[0];
        l->n = 0;
        ql_clear(l);
        return q;
    }
    zc_status st = zc_xap_query_combine(op, l->v, l->n, window, &q, c->err);
    ql_clear(l);
    if (st != ZC_OK) {
        c->st = st;
        return NULL;
    }
    return q;
}

static zc_xap_query *combine2(qctx *c, zc_xap_op op, zc_xap_query *a, zc_xap_query *b)
{
    qlist l = {0};
    ql_push(c, &l, a);
    ql_push(c, &l, b);
    if (failed(c)) {
        ql_clear(&l);
        return NULL;
    }
    if (l.n < 2) {
        zc_xap_query *only = l.n ? l.v[0] : NULL;
        free(l.v);
        return only;
    }
    return ql_take(c, &l, op, 0);
}

static zc_xap_query *scaled(qctx *c, zc_xap_query *q, double factor)
{
    if (q == NULL || failed(c))
        return q;
    zc_xap_query *s = NULL;
    zc_status st = zc_xap_query_scale(q, factor, &s, c->err);
    zc_xap_query_free(q);
    if (st != ZC_OK) {
        c->st = st;
        return NULL;
    }
    return s;
}

/* A term query for prefix+term, cut on a UTF-8 boundary to the term limit
 * (the same rule as indexing).  count: 1 for terms of the main query. */
static zc_xap_query *mk_term(qctx *c, const char *pfx, const char *term, size_t len,
                             unsigned qpos, int count)
{
    if (failed(c))
        return NULL;
    if (count && ++c->n_terms > ZC_QUERY_MAX_TERMS) {
        c->st = zc_error_set(c->err, ZC_ETOOLONG, "q",
                             "query has more than %d terms", ZC_QUERY_MAX_TERMS);
        return NULL;
    }
    char buf[ZC_TERM_MAX_BYTES + 1];
    size_t pl = strlen(pfx);
    size_t n = pl + len;
    if (n > ZC_TERM_MAX_BYTES) {
        n = ZC_TERM_MAX_BYTES;
        while (n > pl && ((unsigned char)term[n - pl] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, pfx, pl);
    memcpy(buf + pl, term, n - pl);
    zc_xap_query *q = NULL;
    zc_status st = zc_xap_query_term(buf, n, 1, qpos, &q, c->err);
    if (st != ZC_OK) {
        c->st = st;
        return NULL;
    }
    return q;
}

static void hl_add(qctx *c, const char *term, size_t len, int stem, int collect)
{
    if (!collect || c->hl == NULL || failed(c))
        return;
    zc_status st = zc_hl_add(c->hl, term, len, stem, c->err);
    if (st != ZC_OK)
        c->st = st;
}

/* A CJK dictionary word: highlighted where the text has that whole word. */
static void hl_add_word(qctx *c, const char *term, size_t len, int collect)
{
    if (!collect || c->hl == NULL || failed(c))
        return;
    zc_status st = zc_hl_add_word(c->hl, term, len, c->err);
    if (st != ZC_OK)
        c->st = st;
}

/* ---- analysis ---------------------------------------------------------- */

/* Appends bytes to an arena; returns the offset or SIZE_MAX when out of
 * memory. */
static size_t arena_put(char **arena, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n > *cap) {
        size_t ncap = *cap ? *cap : 256;
        while (ncap < *len + n)
            ncap *= 2;
        char *nb = realloc(*arena, ncap);
        if (nb == NULL)
            return SIZE_MAX;
        *arena = nb;
        *cap = ncap;
    }
    memcpy(*arena + *len, s, n);
    size_t off = *len;
    *len += n;
    return off;
}

static int collect_token(void *vctx, const zc_token *tok)
{
    qctx *c = vctx;
    if (c->n_at == c->cap_at) {
        size_t ncap = c->cap_at ? c->cap_at * 2 : 32;
        atok *na = realloc(c->at, ncap * sizeof *na);
        if (na == NULL) {
            oom(c);
            return 1;
        }
        c->at = na;
        c->cap_at = ncap;
    }
    size_t off = arena_put(&c->arena, &c->arena_len, &c->arena_cap, tok->term, tok->len);
    if (off == SIZE_MAX) {
        oom(c);
        return 1;
    }
    atok *a = &c->at[c->n_at++];
    a->off = off;
    a->len = tok->len;
    a->start = tok->start;
    a->end = tok->end;
    a->pos = tok->pos;
    a->run = tok->run;
    a->kind = tok->kind;
    a->positional = tok->positional;
    a->numeric = tok->numeric;
    return 0;
}

static void mark_phrase_tokens(qctx *c);

/* Analyzes text[s, s+len) into c->at (replacing what was there). */
static void analyze(qctx *c, size_t s, size_t len)
{
    c->n_at = 0;
    c->arena_len = 0;
    c->at_base = s;
    if (failed(c))
        return;
    uint32_t pos = 0;
    zc_status st = zc_analyze(c->an, c->text + s, len, &pos, collect_token, c, c->err);
    if (st != ZC_OK && c->st == ZC_OK)
        c->st = st;
    mark_phrase_tokens(c);
}

static const char *at_term(const qctx *c, const atok *a)
{
    return c->arena + a->off;
}

/* A phrase token: positional, and not a dictionary word (words mode
 * phrases go by characters, so they match whatever the segmentation); in
 * ngram and hybrid, not a character of a run that has bigrams (the edge
 * characters of a run are positional too, for the text side). */
static int phrase_tok(const atok *a)
{
    return a->phrase;
}

/* Sets atok.phrase for the analyzed tokens (see phrase_tok). */
static void mark_phrase_tokens(qctx *c)
{
    for (size_t i = 0; i < c->n_at;) {
        size_t j = i;
        int bigrams = 0;
        while (j < c->n_at && c->at[j].run == c->at[i].run)
            bigrams |= c->at[j++].kind == ZC_TOK_CJK_BIGRAM;
        for (size_t k = i; k < j; k++) {
            atok *a = &c->at[k];
            a->phrase = a->positional && a->kind != ZC_TOK_CJK_WORD &&
                        !(a->kind == ZC_TOK_CJK_UNIGRAM && bigrams);
        }
        i = j;
    }
}

/* Whether the break between the CJK tokens p and a (a after p, in
 * different runs of the last analyzed piece) may be no break at all in a
 * text that holds the query's characters in order, so that a phrase must
 * allow one more position there (the bigram across it).  In ngram and
 * hybrid only a break of whitespace alone is such a break: punctuation in
 * the query ("类、数量") stands in any text that holds the phrase, its runs
 * end there too, their positions follow on directly, and the characters
 * beside it are positional (the edges of a run).  In words mode a run
 * after a CJK run always starts one position further (analyzer.c), so
 * every break is one. */
static int soft_break(const qctx *c, const atok *p, const atok *a)
{
    if (p->run == a->run || p->kind == ZC_TOK_WORD || a->kind == ZC_TOK_WORD)
        return 0;
    if (c->mode == ZC_SEG_WORDS)
        return 1;
    size_t i = c->at_base + p->end, e = c->at_base + a->start, k;
    if (i >= e)
        return 0;
    while (i < e && (k = ws_len(c->text, c->len, i)) > 0)
        i += k;
    return i >= e;
}

/* ---- English stopwords ---------------------------------------------------
 * The classic short English list (Lucene's StopAnalyzer set).  Stopwords
 * are indexed like every word, so phrases keep them; a free-text query
 * drops them from its AND unless nothing else is left. */
static const char *const STOPWORDS[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in",
    "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their",
    "then", "there", "these", "they", "this", "to", "was", "will", "with",
};

int zc_query_is_stopword(const char *term, size_t len)
{
    if (len == 0 || len > 5)
        return 0;
    for (size_t i = 0; i < sizeof STOPWORDS / sizeof STOPWORDS[0]; i++)
        if (strlen(STOPWORDS[i]) == len && memcmp(STOPWORDS[i], term, len) == 0)
            return 1;
    return 0;
}

/* ---- proximity and spelling candidates ---------------------------------- */

/* Adds the phrase tokens of the analyzed unit to the proximity list. */
static void prox_add_unit(qctx *c)
{
    uint32_t last_run = UINT32_MAX;
    const atok *prev = NULL;
    for (size_t k = 0; k < c->n_at && !failed(c); k++) {
        const atok *a = &c->at[k];
        if (!phrase_tok(a))
            continue;
        /* The first token of a unit follows a space in the query (units
         * are cut at whitespace): soft unless it is a word. */
        int soft = prev != NULL ? soft_break(c, prev, a) : 1;
        prev = a;
        if (a->run != last_run) {
            c->prox_run++;
            last_run = a->run;
        }
        if (c->n_pt == c->cap_pt) {
            size_t ncap = c->cap_pt ? c->cap_pt * 2 : 32;
            ptok *np = realloc(c->pt, ncap * sizeof *np);
            if (np == NULL) {
                oom(c);
                return;
            }
            c->pt = np;
            c->cap_pt = ncap;
        }
        size_t off = arena_put(&c->parena, &c->parena_len, &c->parena_cap, at_term(c, a),
                               a->len);
        if (off == SIZE_MAX) {
            oom(c);
            return;
        }
        ptok *p = &c->pt[c->n_pt++];
        p->off = off;
        p->len = a->len;
        p->run = c->prox_run;
        p->word = a->kind == ZC_TOK_WORD;
        p->soft = soft;
    }
}

/* Records the English words of the unit at text offset s as spelling
 * candidates. */
static void spell_add_unit(qctx *c, size_t s)
{
    for (size_t k = 0; k < c->n_at && !failed(c); k++) {
        const atok *a = &c->at[k];
        if (a->kind != ZC_TOK_WORD || a->numeric || a->len < ZC_SPELL_MIN_CHARS ||
            a->len > ZC_SPELL_MAX_CHARS)
            continue;
        const char *t = at_term(c, a);
        size_t i = 0;
        while (i < a->len && t[i] >= 'a' && t[i] <= 'z')
            i++;
        if (i < a->len)
            continue;
        if (c->n_sw == c->cap_sw) {
            size_t ncap = c->cap_sw ? c->cap_sw * 2 : 8;
            zc_query_word *nw = realloc(c->sw, ncap * sizeof *nw);
            if (nw == NULL) {
                oom(c);
                return;
            }
            c->sw = nw;
            c->cap_sw = ncap;
        }
        zc_query_word *w = &c->sw[c->n_sw++];
        w->start = s + a->start;
        w->len = a->end - a->start;
        memcpy(w->term, t, a->len);
        w->term[a->len] = '\0';
        w->term_len = a->len;
    }
}

/* ---- runs ---------------------------------------------------------------- */

/* The prefix of a token's term: pfx, or pfx+"W" for a CJK dictionary word. */
static const char *tok_pfx(const char *pfx, const atok *a, char *buf, size_t cap)
{
    if (a->kind != ZC_TOK_CJK_WORD)
        return pfx;
    snprintf(buf, cap, "%s%s", pfx, ZC_PFX_CJKWORD);
    return buf;
}

/* Registers the phrase tokens at[i, j) (in order) as one highlight
 * sequence; gap[k] is set where a CJK run boundary lets the text hold one
 * extra position (a bigram across the gap, or words mode's run gap). */
static void hl_add_seq_tokens(qctx *c, const size_t *idx, size_t n, int collect)
{
    if (!collect || c->hl == NULL || failed(c) || n == 0)
        return;
    const char **terms = malloc(n * sizeof *terms);
    size_t *lens = malloc(n * sizeof *lens);
    unsigned char *gaps = malloc(n);
    if (terms == NULL || lens == NULL || gaps == NULL) {
        free(terms);
        free(lens);
        free(gaps);
        oom(c);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        const atok *a = &c->at[idx[k]];
        terms[k] = at_term(c, a);
        lens[k] = a->len;
        gaps[k] = 0;
        if (k > 0) {
            const atok *p = &c->at[idx[k - 1]];
            gaps[k] = a->run != p->run && a->kind != ZC_TOK_WORD && p->kind != ZC_TOK_WORD;
        }
    }
    zc_status st = zc_hl_add_seq(c->hl, terms, lens, gaps, n, c->err);
    if (st != ZC_OK)
        c->st = st;
    free(terms);
    free(lens);
    free(gaps);
}

/* The query for one run of analyzed tokens at[i, j):
 *  - a word: "Z"+stem when the analyzer stems it and stem_pfx is given,
 *    else the exact term;
 *  - a CJK run, ngram and hybrid: its positional tokens — one (a 1-char
 *    run's unigram or a 2-char run's bigram) is that term, more are a
 *    phrase of the bigrams (an OR of them when match_any); in hybrid, the
 *    run's dictionary words go to c->word_units (ranking only) when
 *    words is set;
 *  - a CJK run, words mode: the AND (OR when match_any) of its dictionary
 *    words ("W"+word) and of the characters no word covers.
 * *pieces gets the number of AND-ed subqueries (for the proximity boost). */
static zc_xap_query *run_query(qctx *c, size_t i, size_t j, const char *pfx,
                               const char *stem_pfx, int collect, int count, int words,
                               size_t *pieces)
{
    char wp[16];
    *pieces = 1;
    if (j - i == 1 && c->at[i].kind == ZC_TOK_WORD) {
        const atok *a = &c->at[i];
        if (stem_pfx != NULL && !a->numeric) {
            char stem[ZC_TERM_MAX_BYTES + 1];
            size_t sl = zc_analyzer_stem(c->an, at_term(c, a), a->len, stem, sizeof stem);
            if (sl > 0 && sl <= sizeof stem) {
                hl_add(c, stem, sl, 1, collect);
                return mk_term(c, stem_pfx, stem, sl, 0, count);
            }
        }
        hl_add(c, at_term(c, a), a->len, 0, collect);
        return mk_term(c, pfx, at_term(c, a), a->len, 0, count);
    }
    qlist l = {0};
    if (c->mode == ZC_SEG_WORDS) {
        uint32_t covered = 0;   /* positions below this are inside a word */
        int any = 0;
        for (size_t k = i; k < j && !failed(c); k++) {
            const atok *a = &c->at[k];
            if (a->kind == ZC_TOK_CJK_WORD) {
                hl_add_word(c, at_term(c, a), a->len, collect);
                ql_push(c, &l, mk_term(c, tok_pfx(pfx, a, wp, sizeof wp), at_term(c, a),
                                       a->len, 0, count));
                covered = a->pos + (uint32_t)zc_analyzer_term_chars(at_term(c, a), a->len);
                any = 1;
            } else if (!any || a->pos >= covered) {
                hl_add(c, at_term(c, a), a->len, 0, collect);
                ql_push(c, &l, mk_term(c, pfx, at_term(c, a), a->len, 0, count));
            }
        }
        *pieces = l.n ? l.n : 1;
        return ql_take(c, &l, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
    }
    size_t n_pos = 0;
    for (size_t k = i; k < j; k++)
        if (phrase_tok(&c->at[k]))
            n_pos++;
    size_t *seq = n_pos > 1 ? malloc(n_pos * sizeof *seq) : NULL;
    if (n_pos > 1 && seq == NULL) {
        oom(c);
        return NULL;
    }
    size_t ns = 0;
    for (size_t k = i; k < j && !failed(c); k++) {
        const atok *a = &c->at[k];
        if (a->kind == ZC_TOK_CJK_WORD) {
            if (words && c->mode == ZC_SEG_HYBRID)
                ql_push(c, &c->word_units, mk_term(c, tok_pfx(pfx, a, wp, sizeof wp),
                                                   at_term(c, a), a->len, 0, 0));
            continue;
        }
        if (n_pos > 0 && !phrase_tok(a))
            continue;
        if (n_pos > 1)
            seq[ns++] = k;
        else
            hl_add(c, at_term(c, a), a->len, 0, collect);
        ql_push(c, &l, mk_term(c, pfx, at_term(c, a), a->len, (unsigned)(k - i + 1), count));
    }
    if (ns > 1 && !c->match_any)
        hl_add_seq_tokens(c, seq, ns, collect);
    else
        for (size_t k = 0; k < ns; k++)
            hl_add(c, at_term(c, &c->at[seq[k]]), c->at[seq[k]].len, 0, collect);
    free(seq);
    if (c->match_any)
        return ql_take(c, &l, ZC_XAP_OP_OR, 0);
    /* Phrases take their terms in text order; tokens of one run come in
     * position order from the analyzer. */
    return ql_take(c, &l, n_pos > 1 ? ZC_XAP_OP_PHRASE : ZC_XAP_OP_AND, 0);
}

/* AND (OR when match_any) of the run queries of the analyzed tokens, NULL
 * if there are none.  *pieces (may be NULL) gets the number of AND-ed
 * subqueries. */
static zc_xap_query *runs_query(qctx *c, const char *pfx, const char *stem_pfx,
                                int collect, int count, int words, size_t *pieces)
{
    qlist l = {0};
    size_t i = 0, total = 0;
    while (i < c->n_at && !failed(c)) {
        size_t j = i + 1, p = 0;
        while (j < c->n_at && c->at[j].run == c->at[i].run)
            j++;
        ql_push(c, &l, run_query(c, i, j, pfx, stem_pfx, collect, count, words, &p));
        total += p;
        i = j;
    }
    if (pieces)
        *pieces = total;
    return ql_take(c, &l, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
}

/* A quoted phrase over the analyzed tokens: every phrase token, exact
 * (unstemmed), in order.  CJK runs separated only by a space in the query
 * may be one run in the text, where a bigram across the gap sits between
 * them (in words mode: also punctuation, and one run where the text has
 * two, which words mode separates by one position): the window allows one
 * extra position per such gap (soft_break).  In ngram and hybrid, a
 * 1-character CJK run has a position only at the edge of a run of the
 * text: beside punctuation ("工。任何", "类、数量") it is, and the phrase
 * stays a phrase; beside a space it may stand inside a longer run of the
 * text, so such a phrase falls back to an AND of its runs.  A phrase is
 * exact whatever match_any says. */
static zc_xap_query *phrase_query(qctx *c, const char *pfx, int collect, int count)
{
    int any = c->match_any;
    c->match_any = 0;
    size_t n_pos = 0, single = 0;
    const atok *prev = NULL;
    for (size_t k = 0; k < c->n_at; k++) {
        const atok *a = &c->at[k];
        if (!phrase_tok(a))
            continue;
        n_pos++;
        if (prev != NULL && c->mode != ZC_SEG_WORDS && soft_break(c, prev, a) &&
            (a->kind == ZC_TOK_CJK_UNIGRAM || prev->kind == ZC_TOK_CJK_UNIGRAM))
            single = 1;
        prev = a;
    }
    zc_xap_query *q = NULL;
    if (n_pos == 0 || (single && n_pos > 1)) {
        q = runs_query(c, pfx, NULL, collect, count, 0, NULL);
        c->match_any = any;
        return q;
    }
    size_t *idx = malloc(n_pos * sizeof *idx);
    if (idx == NULL) {
        oom(c);
        c->match_any = any;
        return NULL;
    }
    size_t m = 0;
    for (size_t k = 0; k < c->n_at; k++)
        if (phrase_tok(&c->at[k]))
            idx[m++] = k;
    qlist l = {0};
    unsigned gaps = 0;
    for (size_t k = 0; k < n_pos && !failed(c); k++) {
        const atok *a = &c->at[idx[k]];
        if (k > 0) {
            if (soft_break(c, &c->at[idx[k - 1]], a))
                gaps++;
        }
        ql_push(c, &l, mk_term(c, pfx, at_term(c, a), a->len, (unsigned)(k + 1), count));
    }
    /* Marked only where the whole phrase stands (English words too). */
    if (n_pos > 1)
        hl_add_seq_tokens(c, idx, n_pos, collect);
    else
        hl_add(c, at_term(c, &c->at[idx[0]]), c->at[idx[0]].len, 0, collect);
    free(idx);
    c->match_any = any;
    return ql_take(c, &l, ZC_XAP_OP_PHRASE, (unsigned)(n_pos + gaps));
}

/* ---- units: words and phrases ------------------------------------------ */

enum { K_EMPTY = 0, K_POS, K_FILTER, K_NEG };

typedef struct part {
    zc_xap_query *q;
    int kind;
} part;

static part mkpart(zc_xap_query *q, int kind)
{
    part p = {q, q ? kind : K_EMPTY};
    return p;
}

static void add_title_unit(qctx *c, zc_xap_query *q)
{
    ql_push(c, &c->title_units, q);
}

/* A free-text word: a document number (any bracket or width) is its docno
 * term OR its words; an English stopword alone is dropped (c->drop_stop);
 * other words are the AND of their runs. */
static part word_part(qctx *c, size_t s, size_t len, int collect)
{
    analyze(c, s, len);
    if (failed(c) || c->n_at == 0)
        return mkpart(NULL, K_EMPTY);
    if (zc_docno_looks_like(c->text + s, len)) {
        char *canon = NULL;
        zc_error e2 = {0};
        if (zc_docno_canonical(c->text + s, len, &canon, &e2) == ZC_OK) {
            zc_xap_query *xd = mk_term(c, ZC_PFX_DOCNO, canon, strlen(canon), 0, 1);
            free(canon);
            xd = scaled(c, xd, QUERY_DOCNO_SCALE);
            int any = c->match_any;
            c->match_any = 0;
            zc_xap_query *words = runs_query(c, "", ZC_PFX_STEM, collect, 1, 0, NULL);
            c->match_any = any;
            c->prox_ok = 0; /* a document number's words are no proximity hint */
            return mkpart(combine2(c, ZC_XAP_OP_OR, xd, words), K_POS);
        }
        if (e2.code == ZC_ENOMEM) {
            oom(c);
            return mkpart(NULL, K_EMPTY);
        }
    }
    if (collect) {
        prox_add_unit(c);
        c->units++;
    }
    if (c->drop_stop && c->n_at == 1 && c->at[0].kind == ZC_TOK_WORD &&
        zc_query_is_stopword(at_term(c, &c->at[0]), c->at[0].len)) {
        c->n_dropped++;
        return mkpart(NULL, K_EMPTY);
    }
    if (collect)
        spell_add_unit(c, s);
    size_t pieces = 0;
    zc_xap_query *body = runs_query(c, "", ZC_PFX_STEM, collect, 1, collect, &pieces);
    if (collect && body != NULL) {
        c->prox_parts += pieces;
        add_title_unit(c, runs_query(c, ZC_PFX_TITLE, ZC_PFX_STEM ZC_PFX_TITLE, 0, 0, 0,
                                     NULL));
    }
    return mkpart(body, K_POS);
}

static part phrase_part(qctx *c, size_t s, size_t len, int collect)
{
    analyze(c, s, len);
    if (failed(c) || c->n_at == 0)
        return mkpart(NULL, K_EMPTY);
    if (collect) {
        prox_add_unit(c);
        c->units++;
    }
    zc_xap_query *body = phrase_query(c, "", collect, 1);
    if (collect && body != NULL) {
        c->prox_parts++;
        analyze(c, s, len);
        add_title_unit(c, phrase_query(c, ZC_PFX_TITLE, 0, 0));
    }
    return mkpart(body, K_POS);
}

/* Trims whitespace around text[*s, *s+*len). */
static void trim(const qctx *c, size_t *s, size_t *len)
{
    size_t a = *s, b = *s + *len, k;
    while (a < b && (k = ws_len(c->text, c->len, a)) > 0)
        a += k;
    while (b > a && (unsigned char)c->text[b - 1] <= ' ')
        b--;
    *s = a;
    *len = b - a;
}

static part unit_part(qctx *c, const qtok *t, int collect)
{
    size_t s = t->vstart, len = t->vlen;
    int phrase = t->type == QT_PHRASE;
    switch (t->field) {
    case QF_NONE:
        return phrase ? phrase_part(c, s, len, collect) : word_part(c, s, len, collect);
    case QF_TITLE:
        c->prox_ok = 0;
        analyze(c, s, len);
        if (phrase)
            return mkpart(phrase_query(c, ZC_PFX_TITLE, collect, 1), K_POS);
        return mkpart(runs_query(c, ZC_PFX_TITLE, ZC_PFX_STEM ZC_PFX_TITLE, collect, 1, 0,
                                 NULL),
                      K_POS);
    case QF_ISSUER:
        /* Issuer words are indexed unstemmed. */
        c->prox_ok = 0;
        analyze(c, s, len);
        if (phrase)
            return mkpart(phrase_query(c, ZC_PFX_ISSUER, collect, 1), K_POS);
        return mkpart(runs_query(c, ZC_PFX_ISSUER, NULL, collect, 1, 0, NULL), K_POS);
    case QF_DOCNO: {
        c->prox_ok = 0;
        trim(c, &s, &len);
        char *canon = NULL;
        zc_error e2 = {0};
        if (len > 0 && zc_docno_canonical(c->text + s, len, &canon, &e2) == ZC_OK) {
            zc_xap_query *xd = mk_term(c, ZC_PFX_DOCNO, canon, strlen(canon), 0, 1);
            free(canon);
            if (collect) {
                analyze(c, s, len);
                for (size_t k = 0; k < c->n_at; k++)
                    if (phrase_tok(&c->at[k]))
                        hl_add(c, at_term(c, &c->at[k]), c->at[k].len, 0, 1);
            }
            return mkpart(xd, K_POS);
        }
        if (len > 0 && e2.code == ZC_ENOMEM) {
            oom(c);
            return mkpart(NULL, K_EMPTY);
        }
        /* Nothing usable as a number: search the token as plain words. */
        return word_part(c, t->start, t->len, collect);
    }
    case QF_LANG:
        c->plain = 0;
        trim(c, &s, &len);
        if (ascii_ieq(c->text + s, len, "zh"))
            return mkpart(mk_term(c, ZC_PFX_LANG, "zh", 2, 0, 1), K_FILTER);
        if (ascii_ieq(c->text + s, len, "en"))
            return mkpart(mk_term(c, ZC_PFX_LANG, "en", 2, 0, 1), K_FILTER);
        return word_part(c, t->start, t->len, collect);
    }
    return mkpart(NULL, K_EMPTY);
}
/* ---- parser ------------------------------------------------------------ */

static part parse_expr(qctx *c, int depth, int collect);

static const qtok *peek(const qctx *c)
{
    return c->i < c->n_tok ? &c->tok[c->i] : NULL;
}

static void part_free(part *p)
{
    zc_xap_query_free(p->q);
    p->q = NULL;
    p->kind = K_EMPTY;
}

/* NOT x: what x matched is excluded.  NOT (NOT x) restricts to x, as a
 * filter (it has no positive term of its own). */
static part negate(part p)
{
    if (p.kind == K_POS || p.kind == K_FILTER)
        p.kind = K_NEG;
    else if (p.kind == K_NEG)
        p.kind = K_FILTER;
    return p;
}

static part parse_unary(qctx *c, int depth, int collect)
{
    const qtok *t = peek(c);
    if (t == NULL) {
        c->syntax_error = 1;
        return mkpart(NULL, K_EMPTY);
    }
    if (t->type == QT_LP) {
        int neg = t->neg;
        if (depth >= QUERY_MAX_DEPTH) {
            c->syntax_error = 1;
            return mkpart(NULL, K_EMPTY);
        }
        c->i++;
        c->prox_ok = 0;
        part p = parse_expr(c, depth + 1, collect && !neg);
        const qtok *r = peek(c);
        if (c->syntax_error || failed(c) || r == NULL || r->type != QT_RP) {
            c->syntax_error = 1;
            part_free(&p);
            return p;
        }
        c->i++;
        return neg ? negate(p) : p;
    }
    if (t->type == QT_WORD || t->type == QT_PHRASE) {
        c->i++;
        part p = unit_part(c, t, collect && !t->neg);
        if (t->neg)
            c->plain = 0;
        return t->neg ? negate(p) : p;
    }
    c->syntax_error = 1;
    return mkpart(NULL, K_EMPTY);
}

static int ends_and(const qtok *t)
{
    return t == NULL || t->type == QT_RP || t->type == QT_OR;
}

static part parse_and(qctx *c, int depth, int collect)
{
    qlist pos = {0}, filt = {0}, neg = {0};
    size_t items = 0;
    while (!c->syntax_error && !failed(c)) {
        const qtok *t = peek(c);
        if (ends_and(t))
            break;
        if (t->type == QT_AND) {
            c->i++;
            t = peek(c);
            if (items == 0 || ends_and(t) || t->type == QT_AND) {
                c->syntax_error = 1;
                break;
            }
        }
        int negated = 0;
        if (t->type == QT_NOT) {
            c->i++;
            t = peek(c);
            if (ends_and(t) || t->type == QT_AND || t->type == QT_NOT) {
                c->syntax_error = 1;
                break;
            }
            negated = 1;
            c->plain = 0;
        }
        part p = parse_unary(c, depth, collect && !negated);
        if (negated)
            p = negate(p);
        items++;
        switch (p.kind) {
        case K_POS: ql_push(c, &pos, p.q); break;
        case K_FILTER: ql_push(c, &filt, p.q); break;
        case K_NEG: ql_push(c, &neg, p.q); break;
        default: break;
        }
    }
    if (items == 0)
        c->syntax_error = 1;
    if (c->syntax_error || failed(c)) {
        ql_clear(&pos);
        ql_clear(&filt);
        ql_clear(&neg);
        return mkpart(NULL, K_EMPTY);
    }
    int kind = pos.n ? K_POS : filt.n ? K_FILTER : neg.n ? K_NEG : K_EMPTY;
    zc_xap_query *q = NULL;
    if (kind == K_NEG) {
        q = ql_take(c, &neg, ZC_XAP_OP_OR, 0);
    } else if (kind != K_EMPTY) {
        if (pos.n) {
            q = ql_take(c, &pos, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
            zc_xap_query *f = ql_take(c, &filt, ZC_XAP_OP_AND, 0);
            if (f != NULL)
                q = combine2(c, ZC_XAP_OP_FILTER, q, f);
        } else {
            q = ql_take(c, &filt, ZC_XAP_OP_AND, 0);
        }
        zc_xap_query *n = ql_take(c, &neg, ZC_XAP_OP_OR, 0);
        if (n != NULL)
            q = combine2(c, ZC_XAP_OP_AND_NOT, q, n);
    }
    ql_clear(&pos);
    ql_clear(&filt);
    ql_clear(&neg);
    if (failed(c)) {
        zc_xap_query_free(q);
        return mkpart(NULL, K_EMPTY);
    }
    return mkpart(q, kind);
}

static part parse_expr(qctx *c, int depth, int collect)
{
    part first = parse_and(c, depth, collect);
    const qtok *t = peek(c);
    if (c->syntax_error || failed(c) || t == NULL || t->type != QT_OR)
        return first;   /* the common case: no OR, kept as it is */
    c->prox_ok = 0;

    qlist pos = {0}, other = {0};
    part p = first;
    for (;;) {
        if (p.kind == K_POS) {
            ql_push(c, &pos, p.q);
        } else if (p.kind == K_FILTER || p.kind == K_NEG) {
            /* A branch without positive terms still matches documents, with
             * no weight: a filter as it is, a negation as "everything but". */
            zc_xap_query *q = p.q;
            if (p.kind == K_NEG) {
                zc_xap_query *all = NULL;
                zc_status st = zc_xap_query_match_all(&all, c->err);
                if (st != ZC_OK) {
                    c->st = st;
                    zc_xap_query_free(q);
                    break;
                }
                q = combine2(c, ZC_XAP_OP_AND_NOT, all, q);
            }
            ql_push(c, &other, scaled(c, q, 0.0));
        }
        t = peek(c);
        if (failed(c) || t == NULL || t->type != QT_OR)
            break;
        c->i++;
        p = parse_and(c, depth, collect);
        if (c->syntax_error || failed(c)) {
            part_free(&p);
            break;
        }
    }
    if (c->syntax_error || failed(c)) {
        ql_clear(&pos);
        ql_clear(&other);
        return mkpart(NULL, K_EMPTY);
    }
    int kind = pos.n ? K_POS : other.n ? K_FILTER : K_EMPTY;
    for (size_t k = 0; k < other.n && !failed(c); k++) {
        ql_push(c, &pos, other.v[k]);
        other.v[k] = NULL;
    }
    zc_xap_query *q = ql_take(c, &pos, ZC_XAP_OP_OR, 0);
    ql_clear(&pos);
    ql_clear(&other);
    if (failed(c)) {
        zc_xap_query_free(q);
        return mkpart(NULL, K_EMPTY);
    }
    return mkpart(q, kind);
}

/* ---- fallback: plain words --------------------------------------------- */

/* The whole text as whitespace-separated plain words, all required. */
static part plain_words(qctx *c)
{
    qlist l = {0};
    size_t p = 0, k;
    while (p < c->len && !failed(c)) {
        if ((k = ws_len(c->text, c->len, p)) > 0) {
            p += k;
            continue;
        }
        size_t w = p;
        while (w < c->len && !ws_len(c->text, c->len, w))
            w++;
        part wp = word_part(c, p, w - p, 1);
        ql_push(c, &l, wp.q);
        p = w;
    }
    zc_xap_query *q = ql_take(c, &l, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
    return mkpart(q, q ? K_POS : K_EMPTY);
}

/* ---- entry ------------------------------------------------------------- */

/* Proximity boost terms: at most this many (a longer query is its own
 * evidence; the positional check would cost more than it tells). */
#define PROX_MAX_TERMS 64
/* Weights of the ranking-only parts (AND_MAYBE), relative to the main
 * query's own BM25 weight (tuned with make eval and shared/zh-ir).  The
 * whole free text as a phrase weighs 3 for match all: a document holding
 * the exact sequence typed should beat one holding its words apart but
 * often (make eval: known-item body pieces, unquoted English phrases);
 * 1 for match any, where a question's exact wording is rarely in the
 * answer.  The
 * title form is off for match any: a question's words in an article's
 * name (zh-ir: 中华人民共和国民法典第五十四条) tell little. */
#define BOOST_TITLE(any) ((any) ? 0.0 : 1.0)
/* Every free-text word and phrase in the title at once (match all, two or
 * more of them): someone who remembers a few words of a document's name
 * (上海市 邮政) wants the document whose title holds them all above one
 * whose title holds one and whose body holds the rest many times
 * (make eval: known item, title words). */
#define BOOST_TITLE_ALL 1.0
#define BOOST_WORDS 1.0
#define BOOST_PHRASE(any) ((any) ? 1.0 : 3.0)
#define BOOST_NEAR 0.5
/* The NEAR window: the query's own span plus this many positions. */
#define PROX_NEAR_SLACK 8

/* The proximity boosts of the positive free text: the whole of it as a
 * phrase (exact order, CJK run gaps allowed) and as a NEAR with some slack,
 * each NULL when not worth it. */
static void prox_queries(qctx *c, zc_xap_query **phrase, zc_xap_query **near)
{
    *phrase = *near = NULL;
    if (!c->prox_ok || c->prox_parts < 2 || c->n_pt < 2 || c->n_pt > PROX_MAX_TERMS)
        return;
    qlist l = {0};
    unsigned gaps = 0;
    for (size_t k = 0; k < c->n_pt && !failed(c); k++) {
        const ptok *p = &c->pt[k];
        if (k > 0 && p->run != c->pt[k - 1].run && !p->word && !c->pt[k - 1].word &&
            p->soft)
            gaps++;
        ql_push(c, &l, mk_term(c, "", c->parena + p->off, p->len, (unsigned)(k + 1), 0));
    }
    if (failed(c) || l.n < 2) {
        ql_clear(&l);
        return;
    }
    unsigned window = (unsigned)(l.n + gaps);
    zc_status st = zc_xap_query_combine(ZC_XAP_OP_PHRASE, l.v, l.n, window, phrase, c->err);
    if (st == ZC_OK)
        st = zc_xap_query_combine(ZC_XAP_OP_NEAR, l.v, l.n, window + PROX_NEAR_SLACK, near,
                                  c->err);
    ql_clear(&l);
    if (st != ZC_OK) {
        c->st = st;
        zc_xap_query_free(*phrase);
        zc_xap_query_free(*near);
        *phrase = *near = NULL;
        return;
    }
    *phrase = scaled(c, *phrase, BOOST_PHRASE(c->match_any));
    *near = scaled(c, *near, BOOST_NEAR);
}

/* The whole query text, when it is plain free text (no OR, parentheses,
 * field or negation): *xt, the exact-title term (a query that is exactly a
 * document's title, in any spelling the analyzer folds together, finds it
 * first); *xd, for two or more words, the canonical document number of
 * the whole text ("Executive Order 13771", "国发 〔2016〕 62号"), which a
 * single word already gets from word_part.  Each NULL when not wanted. */
static void whole_text_queries(qctx *c, zc_xap_query **xt, zc_xap_query **xd)
{
    *xt = *xd = NULL;
    if (!c->prox_ok || !c->plain || c->units == 0 || c->match_any || failed(c))
        return;
    uint64_t key = zc_analyzer_text_key(c->an, c->text, c->len);
    if (key != 0) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)key);
        *xt = scaled(c, mk_term(c, ZC_PFX_TITLE_KEY, hex, 16, 0, 0), QUERY_TITLE_KEY_SCALE);
    }
    if (c->units < 2)
        return;
    int digit = 0;
    for (size_t i = 0; i < c->len && !digit; i++)
        digit = c->text[i] >= '0' && c->text[i] <= '9';
    /* Full-width digits (０-９, EF BC 90-99) count too. */
    for (size_t i = 0; i + 2 < c->len && !digit; i++)
        digit = (unsigned char)c->text[i] == 0xEF && (unsigned char)c->text[i + 1] == 0xBC &&
                (unsigned char)c->text[i + 2] >= 0x90 && (unsigned char)c->text[i + 2] <= 0x99;
    if (!digit)
        return;
    char *canon = NULL;
    zc_error e2 = {0};
    if (zc_docno_canonical(c->text, c->len, &canon, &e2) == ZC_OK) {
        *xd = scaled(c, mk_term(c, ZC_PFX_DOCNO, canon, strlen(canon), 0, 0),
                     QUERY_DOCNO_SCALE);
        free(canon);
    } else if (e2.code == ZC_ENOMEM) {
        oom(c);
    }
}

static void ctx_reset(qctx *c)
{
    ql_clear(&c->title_units);
    ql_clear(&c->word_units);
    c->n_terms = 0;
    c->i = 0;
    c->syntax_error = 0;
    c->n_dropped = 0;
    c->prox_ok = 1;
    c->plain = 1;
    c->units = 0;
    c->prox_parts = 0;
    c->n_pt = 0;
    c->parena_len = 0;
    c->prox_run = 0;
    c->n_sw = 0;
}

/* One attempt at the whole query.  Returns the main part; boosts stay in
 * c. */
static part parse_all(qctx *c, const toklist *tl, int syntax_error)
{
    part res = {0};
    if (!syntax_error) {
        c->tok = tl->v;
        c->n_tok = tl->n;
        res = parse_expr(c, 0, 1);
        /* A ')' with no '(' stops the top-level expr early. */
        if (!c->syntax_error && !failed(c) && c->i != c->n_tok)
            c->syntax_error = 1;
        syntax_error = c->syntax_error;
    }
    if (failed(c) || !syntax_error)
        return res;
    part_free(&res);
    int drop = c->drop_stop;
    ctx_reset(c);
    c->drop_stop = drop;
    if (c->hl != NULL) {
        zc_hl_free(c->hl);
        c->hl = NULL;
        if (zc_hl_new(&c->hl, c->err) != ZC_OK) {
            c->st = ZC_ENOMEM;
            return res;
        }
    }
    return plain_words(c);
}

/* q with each boost of the list added by its own AND_MAYBE (never an OR of
 * them: see test_no_document_twice); empties the list. */
static zc_xap_query *with_boosts(qctx *c, zc_xap_query *q, qlist *boosts)
{
    for (size_t i = 0; i < boosts->n && !failed(c); i++) {
        q = combine2(c, ZC_XAP_OP_AND_MAYBE, q, boosts->v[i]);
        boosts->v[i] = NULL;
    }
    ql_clear(boosts);
    return q;
}

zc_status zc_query_build(zc_analyzer *a, const char *text, size_t len,
                         zc_xap_query **out, zc_hl **hl, zc_error *err)
{
    return zc_query_build_ex(a, text, len, NULL, out, hl, NULL, NULL, err);
}

zc_status zc_query_build_ex(zc_analyzer *a, const char *text, size_t len,
                            const zc_query_opts *opts, zc_xap_query **out, zc_hl **hl,
                            zc_query_word **words, size_t *n_words, zc_error *err)
{
    return zc_query_build_split(a, text, len, opts, out, NULL, hl, words, n_words, err);
}

zc_status zc_query_build_split(zc_analyzer *a, const char *text, size_t len,
                               const zc_query_opts *opts, zc_xap_query **out,
                               zc_xap_query **first, zc_hl **hl, zc_query_word **words,
                               size_t *n_words, zc_error *err)
{
    *out = NULL;
    if (first != NULL)
        *first = NULL;
    if (hl != NULL)
        *hl = NULL;
    if (words != NULL)
        *words = NULL;
    if (n_words != NULL)
        *n_words = 0;
    if (text == NULL)
        len = 0;
    if (len > ZC_QUERY_MAX_BYTES)
        return zc_error_set(err, ZC_ETOOLONG, "q", "query is longer than %u bytes",
                            (unsigned)ZC_QUERY_MAX_BYTES);
    if (len > 0 && !zc_norm_valid_utf8(text, len, NULL))
        return zc_error_set(err, ZC_EINVAL, "q", "query is not valid UTF-8");
    size_t p = 0, k;
    while (p < len && (k = ws_len(text, len, p)) > 0)
        p += k;
    if (p == len)
        return zc_error_set(err, ZC_EINVAL, "q", "empty query");

    qctx c = {.an = a, .mode = zc_analyzer_mode(a), .text = text, .len = len, .err = err,
              .drop_stop = 1, .prox_ok = 1, .plain = 1};
    c.match_any = opts != NULL && opts->match_any;
    toklist tl = {0};
    part res = {0};
    int syntax_error = 0;
    if (tokenize(text, len, &tl, &syntax_error) != 0) {
        oom(&c);
        goto done;
    }
    if (hl != NULL && zc_hl_new(&c.hl, err) != ZC_OK) {
        c.st = ZC_ENOMEM;
        goto done;
    }
    res = parse_all(&c, &tl, syntax_error);
    if (!failed(&c) && res.kind != K_POS && c.n_dropped > 0) {
        /* Only stopwords were left ("the who", "to be"): search them. */
        part_free(&res);
        ctx_reset(&c);
        c.drop_stop = 0;
        if (c.hl != NULL) {
            zc_hl_free(c.hl);
            c.hl = NULL;
            if (zc_hl_new(&c.hl, err) != ZC_OK) {
                c.st = ZC_ENOMEM;
                goto done;
            }
        }
        res = parse_all(&c, &tl, syntax_error);
    }
    if (failed(&c))
        goto done;
    if (res.kind != K_POS) {
        c.st = zc_error_set(err, ZC_EINVAL, "q", "query has no positive term");
        goto done;
    }
    /* Ranking-only parts: the title form of the free text, the dictionary
     * words (hybrid), the query as a phrase and as a NEAR.  Each is added
     * by its own AND_MAYBE, never as an OR of them: Xapian 1.4.22 can
     * return a document twice when the right side of an AND_MAYBE is an OR
     * of two positional queries (PHRASE, NEAR) — see
     * test_no_document_twice. */
    qlist boosts = {0};
    zc_xap_query *xd = NULL, *xt = NULL;
    whole_text_queries(&c, &xt, &xd);
    if (xd != NULL)
        res.q = combine2(&c, ZC_XAP_OP_OR, res.q, xd);
    ql_push(&c, &boosts, xt);
    double title_boost = BOOST_TITLE(c.match_any);
    /* (not when the text is a document number: "Executive Order 12944"
     * is the order, not the amendments whose titles cite it) */
    if (title_boost > 0 && xd == NULL && c.title_units.n >= 2 && !failed(&c)) {
        zc_xap_query *all = NULL;
        zc_status st = zc_xap_query_combine(ZC_XAP_OP_AND, c.title_units.v, c.title_units.n,
                                            0, &all, err);
        if (st != ZC_OK)
            c.st = st;
        else
            ql_push(&c, &boosts, scaled(&c, all, BOOST_TITLE_ALL));
    }
    if (title_boost > 0) {
        for (size_t i = 0; i < c.title_units.n; i++) {
            ql_push(&c, &boosts, title_boost != 1.0 ? scaled(&c, c.title_units.v[i], title_boost)
                                                    : c.title_units.v[i]);
            c.title_units.v[i] = NULL;
        }
    }
    ql_clear(&c.title_units);
    /* Word terms only (no positions): one OR is safe. */
    zc_xap_query *wq = ql_take(&c, &c.word_units, ZC_XAP_OP_OR, 0);
    ql_push(&c, &boosts, BOOST_WORDS != 1.0 ? scaled(&c, wq, BOOST_WORDS) : wq);
    zc_xap_query *pq = NULL, *nq = NULL;
    prox_queries(&c, &pq, &nq);
    /* The proximity of words alone (English) is cheap: their position
     * lists are short.  With CJK terms it reads the position lists of
     * common bigrams in every candidate, long in long texts (a quarter of
     * all query time on the benchmark's 256 MiB): a rescoring boost, which
     * a caller may apply to its best hits only (*first; search.c). */
    int prox_cjk = 0;
    for (size_t k = 0; k < c.n_pt; k++)
        prox_cjk |= !c.pt[k].word;
    /* Words mode matches loosely (a run is the AND of its words and
     * characters), so the phrase boost is what lifts the text holding the
     * typed sequence, often from below the window: make eval, known-item
     * body pieces 0.887 -> 0.785 MRR@10 when rescored.  One pass there. */
    if (!prox_cjk || first == NULL || c.mode == ZC_SEG_WORDS) {
        ql_push(&c, &boosts, pq);
        ql_push(&c, &boosts, nq);
        pq = nq = NULL;
    }
    res.q = with_boosts(&c, res.q, &boosts);
    if ((pq != NULL || nq != NULL) && !failed(&c)) {
        /* a copy (Xapian queries are shared; scaling by 1 is the query) */
        zc_status st = zc_xap_query_scale(res.q, 1.0, first, err);
        if (st != ZC_OK)
            c.st = st;
        ql_push(&c, &boosts, pq);
        ql_push(&c, &boosts, nq);
        res.q = with_boosts(&c, res.q, &boosts);
    } else {
        zc_xap_query_free(pq);
        zc_xap_query_free(nq);
    }
    if (failed(&c)) {
        if (first != NULL) {
            zc_xap_query_free(*first);
            *first = NULL;
        }
        goto done;
    }
    *out = res.q;
    res.q = NULL;
    if (hl != NULL) {
        *hl = c.hl;
        c.hl = NULL;
    }
    if (words != NULL && c.n_sw > 0) {
        *words = c.sw;
        *n_words = c.n_sw;
        c.sw = NULL;
    }
done:
    part_free(&res);
    ql_clear(&c.title_units);
    ql_clear(&c.word_units);
    zc_hl_free(c.hl);
    free(tl.v);
    free(c.at);
    free(c.arena);
    free(c.pt);
    free(c.parena);
    free(c.sw);
    return c.st;
}
