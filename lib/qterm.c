/* qterm.c — the query compiler's term level (qterm.h):
 * analyzed text to term queries.
 *
 * Owns: how a piece of the query text becomes terms of the index layout
 * (schema.h): every piece goes through zc_analyze, the pipeline indexing
 * uses, so the two agree on what a term is; a word's runs, a quoted
 * phrase, the stemmed and exact forms, the term limit
 * (ZC_QUERY_MAX_TERMS), and what each piece adds to the highlights, the
 * spelling candidates and the proximity boost.
 *
 * Must never: build more than ZC_QUERY_MAX_TERMS terms of the main query,
 * or cut a term anywhere but on a UTF-8 boundary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/limits.h"
#include "lib/qterm.h"
#include "lib/qlex.h"
#include "lib/schema.h"
#include "base/grow.h"

/* ---- query lists ------------------------------------------------------- */

void zc_qc_list_clear(zc_qc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        zc_xap_query_free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void zc_qc_oom(zc_qc *c)
{
    if (c->st == ZC_OK)
        c->st = zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
}

int zc_qc_failed(const zc_qc *c)
{
    return c->st != ZC_OK;
}

void zc_qc_list_push(zc_qc *c, zc_qc_list *l, zc_xap_query *q)
{
    if (q == NULL)
        return;
    if (zc_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 8) != 0) {
        zc_xap_query_free(q);
        zc_qc_oom(c);
        return;
    }
    l->v[l->n++] = q;
}

/* Combines and empties the list: NULL if it was empty, its only element if
 * it had one (for every op but those that change weights). */
zc_xap_query *zc_qc_list_take(zc_qc *c, zc_qc_list *l, zc_xap_op op, unsigned window)
{
    zc_xap_query *q = NULL;
    if (zc_qc_failed(c) || l->n == 0) {
        zc_qc_list_clear(l);
        return NULL;
    }
    if (l->n == 1) {
        q = l->v[0];
        l->n = 0;
        zc_qc_list_clear(l);
        return q;
    }
    zc_status st = zc_xap_query_combine(op, l->v, l->n, window, &q, c->err);
    zc_qc_list_clear(l);
    if (st != ZC_OK) {
        c->st = st;
        return NULL;
    }
    return q;
}

zc_xap_query *zc_qc_combine2(zc_qc *c, zc_xap_op op, zc_xap_query *a, zc_xap_query *b)
{
    zc_qc_list l = {0};
    zc_qc_list_push(c, &l, a);
    zc_qc_list_push(c, &l, b);
    if (zc_qc_failed(c)) {
        zc_qc_list_clear(&l);
        return NULL;
    }
    if (l.n < 2) {
        zc_xap_query *only = l.n ? l.v[0] : NULL;
        free(l.v);
        return only;
    }
    return zc_qc_list_take(c, &l, op, 0);
}

zc_xap_query *zc_qc_scaled(zc_qc *c, zc_xap_query *q, double factor)
{
    if (q == NULL || zc_qc_failed(c))
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
zc_xap_query *zc_qc_term(zc_qc *c, const char *pfx, const char *term, size_t len,
                             unsigned qpos, int count)
{
    if (zc_qc_failed(c))
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

void zc_qc_hl_add(zc_qc *c, const char *term, size_t len, int stem, int collect)
{
    if (!collect || c->hl == NULL || zc_qc_failed(c))
        return;
    zc_status st = zc_hl_add(c->hl, term, len, stem, c->err);
    if (st != ZC_OK)
        c->st = st;
}

/* A CJK dictionary word: highlighted where the text has that whole word. */
static void hl_add_word(zc_qc *c, const char *term, size_t len, int collect)
{
    if (!collect || c->hl == NULL || zc_qc_failed(c))
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
    zc_qc *c = vctx;
    if (c->n_at == c->cap_at) {
        size_t ncap = c->cap_at ? c->cap_at * 2 : 32;
        zc_qc_atok *na = realloc(c->at, ncap * sizeof *na);
        if (na == NULL) {
            zc_qc_oom(c);
            return 1;
        }
        c->at = na;
        c->cap_at = ncap;
    }
    size_t off = arena_put(&c->arena, &c->arena_len, &c->arena_cap, tok->term, tok->len);
    if (off == SIZE_MAX) {
        zc_qc_oom(c);
        return 1;
    }
    zc_qc_atok *a = &c->at[c->n_at++];
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

static void mark_phrase_tokens(zc_qc *c);

/* Analyzes text[s, s+len) into c->at (replacing what was there). */
void zc_qc_analyze(zc_qc *c, size_t s, size_t len)
{
    c->n_at = 0;
    c->arena_len = 0;
    c->at_base = s;
    if (zc_qc_failed(c))
        return;
    uint32_t pos = 0;
    zc_status st = zc_analyze(c->an, c->text + s, len, &pos, collect_token, c, c->err);
    if (st != ZC_OK && c->st == ZC_OK)
        c->st = st;
    mark_phrase_tokens(c);
}

const char *zc_qc_at_term(const zc_qc *c, const zc_qc_atok *a)
{
    return c->arena + a->off;
}

/* A phrase token: positional, and not a dictionary word (words mode
 * phrases go by characters, so they match whatever the segmentation); in
 * ngram and hybrid, not a character of a run that has bigrams (the edge
 * characters of a run are positional too, for the text side). */
static int phrase_tok(const zc_qc_atok *a)
{
    return a->phrase;
}

/* Sets zc_qc_atok.phrase for the analyzed tokens (see phrase_tok). */
static void mark_phrase_tokens(zc_qc *c)
{
    for (size_t i = 0; i < c->n_at;) {
        size_t j = i;
        int bigrams = 0;
        while (j < c->n_at && c->at[j].run == c->at[i].run)
            bigrams |= c->at[j++].kind == ZC_TOK_CJK_BIGRAM;
        for (size_t k = i; k < j; k++) {
            zc_qc_atok *a = &c->at[k];
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
static int soft_break(const zc_qc *c, const zc_qc_atok *p, const zc_qc_atok *a)
{
    if (p->run == a->run || p->kind == ZC_TOK_WORD || a->kind == ZC_TOK_WORD)
        return 0;
    if (c->mode == ZC_SEG_WORDS)
        return 1;
    size_t i = c->at_base + p->end, e = c->at_base + a->start, k;
    if (i >= e)
        return 0;
    while (i < e && (k = zc_qlex_space(c->text, c->len, i)) > 0)
        i += k;
    return i >= e;
}

/* ---- proximity and spelling candidates ---------------------------------- */

/* Adds the phrase tokens of the analyzed unit to the proximity list. */
void zc_qc_prox_add_unit(zc_qc *c)
{
    uint32_t last_run = UINT32_MAX;
    const zc_qc_atok *prev = NULL;
    for (size_t k = 0; k < c->n_at && !zc_qc_failed(c); k++) {
        const zc_qc_atok *a = &c->at[k];
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
            zc_qc_ptok *np = realloc(c->pt, ncap * sizeof *np);
            if (np == NULL) {
                zc_qc_oom(c);
                return;
            }
            c->pt = np;
            c->cap_pt = ncap;
        }
        size_t off = arena_put(&c->parena, &c->parena_len, &c->parena_cap, zc_qc_at_term(c, a),
                               a->len);
        if (off == SIZE_MAX) {
            zc_qc_oom(c);
            return;
        }
        zc_qc_ptok *p = &c->pt[c->n_pt++];
        p->off = off;
        p->len = a->len;
        p->run = c->prox_run;
        p->word = a->kind == ZC_TOK_WORD;
        p->soft = soft;
    }
}

/* Whether the word ending at text offset end is (the end of) a field
 * prefix: followed, after more ASCII name bytes ("issued_by"), by ':' or
 * '：'.  The lexer takes only its known fields as fields; an unknown one
 * ("tags:营商环境") stays free text, and its name, rare in the index,
 * would be "corrected" ("lags:营商环境") although the user meant it as a
 * name, not a word. */
static int spell_field_name(const char *t, size_t len, size_t end)
{
    size_t q = end;
    while (q < len && ((t[q] >= 'a' && t[q] <= 'z') || (t[q] >= 'A' && t[q] <= 'Z') ||
                       (t[q] >= '0' && t[q] <= '9') || t[q] == '_' || t[q] == '-' ||
                       t[q] == '.'))
        q++;
    return q < len && (t[q] == ':' ||
                       (len - q >= 3 && memcmp(t + q, "\xEF\xBC\x9A", 3) == 0));
}

/* Records the English words of the unit at text offset s as spelling
 * candidates (never a field name). */
void zc_qc_spell_add_unit(zc_qc *c, size_t s)
{
    for (size_t k = 0; k < c->n_at && !zc_qc_failed(c); k++) {
        const zc_qc_atok *a = &c->at[k];
        if (a->kind != ZC_TOK_WORD || a->numeric || a->len < ZC_SPELL_MIN_CHARS ||
            a->len > ZC_SPELL_MAX_CHARS)
            continue;
        if (spell_field_name(c->text, c->len, s + a->end))
            continue;
        const char *t = zc_qc_at_term(c, a);
        size_t i = 0;
        while (i < a->len && t[i] >= 'a' && t[i] <= 'z')
            i++;
        if (i < a->len)
            continue;
        if (c->n_sw == c->cap_sw) {
            size_t ncap = c->cap_sw ? c->cap_sw * 2 : 8;
            zc_query_word *nw = realloc(c->sw, ncap * sizeof *nw);
            if (nw == NULL) {
                zc_qc_oom(c);
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
static const char *tok_pfx(const char *pfx, const zc_qc_atok *a, char *buf, size_t cap)
{
    if (a->kind != ZC_TOK_CJK_WORD)
        return pfx;
    snprintf(buf, cap, "%s%s", pfx, ZC_PFX_CJKWORD);
    return buf;
}

/* Registers the phrase tokens at[i, j) (in order) as one highlight
 * sequence; gap[k] is set where a CJK run boundary lets the text hold one
 * extra position (a bigram across the gap, or words mode's run gap).
 * whole: marked as one span (zc_hl_add_seq_whole). */
static void hl_add_seq_tokens(zc_qc *c, const size_t *idx, size_t n, int collect,
                              int whole)
{
    if (!collect || c->hl == NULL || zc_qc_failed(c) || n == 0)
        return;
    const char **terms = malloc(n * sizeof *terms);
    size_t *lens = malloc(n * sizeof *lens);
    unsigned char *gaps = malloc(n);
    if (terms == NULL || lens == NULL || gaps == NULL) {
        free(terms);
        free(lens);
        free(gaps);
        zc_qc_oom(c);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        const zc_qc_atok *a = &c->at[idx[k]];
        terms[k] = zc_qc_at_term(c, a);
        lens[k] = a->len;
        gaps[k] = 0;
        if (k > 0) {
            const zc_qc_atok *p = &c->at[idx[k - 1]];
            gaps[k] = a->run != p->run && a->kind != ZC_TOK_WORD && p->kind != ZC_TOK_WORD;
        }
    }
    zc_status st = whole ? zc_hl_add_seq_whole(c->hl, terms, lens, gaps, n, c->err)
                         : zc_hl_add_seq(c->hl, terms, lens, gaps, n, c->err);
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
static zc_xap_query *run_query(zc_qc *c, size_t i, size_t j, const char *pfx,
                               const char *stem_pfx, int collect, int count, int words,
                               size_t *pieces)
{
    char wp[16];
    *pieces = 1;
    if (j - i == 1 && c->at[i].kind == ZC_TOK_WORD) {
        const zc_qc_atok *a = &c->at[i];
        if (stem_pfx != NULL && !a->numeric) {
            char stem[ZC_TERM_MAX_BYTES + 1];
            size_t sl = zc_analyzer_stem(c->an, zc_qc_at_term(c, a), a->len, stem, sizeof stem);
            if (sl > 0 && sl <= sizeof stem) {
                zc_qc_hl_add(c, stem, sl, 1, collect);
                return zc_qc_term(c, stem_pfx, stem, sl, 0, count);
            }
        }
        zc_qc_hl_add(c, zc_qc_at_term(c, a), a->len, 0, collect);
        return zc_qc_term(c, pfx, zc_qc_at_term(c, a), a->len, 0, count);
    }
    zc_qc_list l = {0};
    if (c->mode == ZC_SEG_WORDS) {
        uint32_t covered = 0;   /* positions below this are inside a word */
        int any = 0;
        for (size_t k = i; k < j && !zc_qc_failed(c); k++) {
            const zc_qc_atok *a = &c->at[k];
            if (a->kind == ZC_TOK_CJK_WORD) {
                hl_add_word(c, zc_qc_at_term(c, a), a->len, collect);
                zc_qc_list_push(c, &l, zc_qc_term(c, tok_pfx(pfx, a, wp, sizeof wp), zc_qc_at_term(c, a),
                                       a->len, 0, count));
                covered = a->pos + (uint32_t)zc_analyzer_term_chars(zc_qc_at_term(c, a), a->len);
                any = 1;
            } else if (!any || a->pos >= covered) {
                zc_qc_hl_add(c, zc_qc_at_term(c, a), a->len, 0, collect);
                zc_qc_list_push(c, &l, zc_qc_term(c, pfx, zc_qc_at_term(c, a), a->len, 0, count));
            }
        }
        *pieces = l.n ? l.n : 1;
        return zc_qc_list_take(c, &l, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
    }
    size_t n_pos = 0;
    for (size_t k = i; k < j; k++)
        if (phrase_tok(&c->at[k]))
            n_pos++;
    size_t *seq = n_pos > 1 ? malloc(n_pos * sizeof *seq) : NULL;
    if (n_pos > 1 && seq == NULL) {
        zc_qc_oom(c);
        return NULL;
    }
    size_t ns = 0;
    for (size_t k = i; k < j && !zc_qc_failed(c); k++) {
        const zc_qc_atok *a = &c->at[k];
        if (a->kind == ZC_TOK_CJK_WORD) {
            if (words && c->mode == ZC_SEG_HYBRID)
                zc_qc_list_push(c, &c->word_units, zc_qc_term(c, tok_pfx(pfx, a, wp, sizeof wp),
                                                   zc_qc_at_term(c, a), a->len, 0, 0));
            continue;
        }
        if (n_pos > 0 && !phrase_tok(a))
            continue;
        if (n_pos > 1)
            seq[ns++] = k;
        else
            zc_qc_hl_add(c, zc_qc_at_term(c, a), a->len, 0, collect);
        zc_qc_list_push(c, &l, zc_qc_term(c, pfx, zc_qc_at_term(c, a), a->len, (unsigned)(k - i + 1), count));
    }
    if (ns > 1 && !c->match_any)
        hl_add_seq_tokens(c, seq, ns, collect, 0);
    else
        for (size_t k = 0; k < ns; k++)
            zc_qc_hl_add(c, zc_qc_at_term(c, &c->at[seq[k]]), c->at[seq[k]].len, 0, collect);
    free(seq);
    if (c->match_any)
        return zc_qc_list_take(c, &l, ZC_XAP_OP_OR, 0);
    /* Phrases take their terms in text order; tokens of one run come in
     * position order from the analyzer. */
    return zc_qc_list_take(c, &l, n_pos > 1 ? ZC_XAP_OP_PHRASE : ZC_XAP_OP_AND, 0);
}

/* AND (OR when match_any) of the run queries of the analyzed tokens, NULL
 * if there are none.  *pieces (may be NULL) gets the number of AND-ed
 * subqueries. */
zc_xap_query *zc_qc_runs(zc_qc *c, const char *pfx, const char *stem_pfx,
                                int collect, int count, int words, size_t *pieces)
{
    zc_qc_list l = {0};
    size_t i = 0, total = 0;
    while (i < c->n_at && !zc_qc_failed(c)) {
        size_t j = i + 1, p = 0;
        while (j < c->n_at && c->at[j].run == c->at[i].run)
            j++;
        zc_qc_list_push(c, &l, run_query(c, i, j, pfx, stem_pfx, collect, count, words, &p));
        total += p;
        i = j;
    }
    if (pieces)
        *pieces = total;
    return zc_qc_list_take(c, &l, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
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
zc_xap_query *zc_qc_phrase(zc_qc *c, const char *pfx, int collect, int count)
{
    int any = c->match_any;
    c->match_any = 0;
    size_t n_pos = 0, single = 0;
    const zc_qc_atok *prev = NULL;
    for (size_t k = 0; k < c->n_at; k++) {
        const zc_qc_atok *a = &c->at[k];
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
        q = zc_qc_runs(c, pfx, NULL, collect, count, 0, NULL);
        c->match_any = any;
        return q;
    }
    size_t *idx = malloc(n_pos * sizeof *idx);
    if (idx == NULL) {
        zc_qc_oom(c);
        c->match_any = any;
        return NULL;
    }
    size_t m = 0;
    for (size_t k = 0; k < c->n_at; k++)
        if (phrase_tok(&c->at[k]))
            idx[m++] = k;
    zc_qc_list l = {0};
    unsigned gaps = 0;
    for (size_t k = 0; k < n_pos && !zc_qc_failed(c); k++) {
        const zc_qc_atok *a = &c->at[idx[k]];
        if (k > 0) {
            if (soft_break(c, &c->at[idx[k - 1]], a))
                gaps++;
        }
        zc_qc_list_push(c, &l, zc_qc_term(c, pfx, zc_qc_at_term(c, a), a->len, (unsigned)(k + 1), count));
    }
    /* Marked only where the whole phrase stands (English words too). */
    if (n_pos > 1)
        hl_add_seq_tokens(c, idx, n_pos, collect, 0);
    else
        zc_qc_hl_add(c, zc_qc_at_term(c, &c->at[idx[0]]), c->at[idx[0]].len, 0, collect);
    free(idx);
    c->match_any = any;
    return zc_qc_list_take(c, &l, ZC_XAP_OP_PHRASE, (unsigned)(n_pos + gaps));
}

void zc_qc_hl_phrase(zc_qc *c, int collect)
{
    if (!collect || c->hl == NULL || zc_qc_failed(c))
        return;
    size_t n = 0;
    for (size_t k = 0; k < c->n_at; k++)
        n += phrase_tok(&c->at[k]) != 0;
    if (n == 0)
        return;
    size_t *idx = malloc(n * sizeof *idx);
    if (idx == NULL) {
        zc_qc_oom(c);
        return;
    }
    size_t m = 0;
    for (size_t k = 0; k < c->n_at; k++)
        if (phrase_tok(&c->at[k]))
            idx[m++] = k;
    if (n > 1)
        hl_add_seq_tokens(c, idx, n, collect, 1);
    else
        zc_qc_hl_add(c, zc_qc_at_term(c, &c->at[idx[0]]), c->at[idx[0]].len, 0, collect);
    free(idx);
}

zc_xap_query *zc_qc_unit(zc_qc *c, const char *canon, int collect)
{
    size_t len = strlen(canon);
    if (collect && c->hl != NULL && !zc_qc_failed(c)) {
        zc_status st = zc_hl_add_unit(c->hl, canon, len, c->err);
        if (st != ZC_OK)
            c->st = st;
    }
    return zc_qc_term(c, ZC_PFX_UNIT, canon, len, 0, 1);
}
