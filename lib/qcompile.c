/* qcompile.c — the query compiler (qcompile.h): the tree's nodes to
 * Xapian queries, then the plan's ranking-only parts around them.
 *
 * Owns: the boolean shape of the compiled query (how AND, OR, NOT, filters
 * and empty parts combine), the two readings a query may get (stopwords
 * dropped, then kept when nothing else is left) and the assembly of the
 * ranking-only parts.  The term level is qterm.c's.
 *
 * Must never: fail on syntax (the tree has none), or build more than
 * ZC_QUERY_MAX_TERMS terms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/docno.h"
#include "lib/norm.h"
#include "base/error.h"
#include "lib/qterm.h"
#include "lib/schema.h"

/* ---- parts ------------------------------------------------------------- */

/* What a node compiled to: a query with positive terms, a filter (no
 * weight of its own), an exclusion, or nothing (a word of punctuation, a
 * dropped stopword). */
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

/* ---- leaves ------------------------------------------------------------ */

/* A free-text word: a document number (any bracket or width) is its docno
 * term OR its words as a phrase; an English stopword alone is dropped (c->drop_stop);
 * other words are the AND of their runs. */
static part word_part(zc_qc *c, const zc_qnode *n, int collect)
{
    size_t s = n->start;
    zc_qc_analyze(c, s, n->len);
    if (zc_qc_failed(c) || c->n_at == 0)
        return mkpart(NULL, K_EMPTY);
    if (n->docno != NULL) {
        zc_xap_query *xd = zc_qc_term(c, ZC_PFX_DOCNO, n->docno, strlen(n->docno), 0, 1);
        xd = zc_qc_scaled(c, xd, ZC_QPLAN_DOCNO_SCALE);
        /* Its words only where they stand together, as the number: a
         * document that cites it, not one holding 国发, 2016 and 12
         * apart (a phrase is exact whatever match_any says). */
        zc_xap_query *words = zc_qc_phrase(c, "", 0, 1);
        zc_qc_hl_phrase(c, collect);
        c->facts.docno_word = 1;
        return mkpart(zc_qc_combine2(c, ZC_XAP_OP_OR, xd, words), K_POS);
    }
    if (collect) {
        zc_qc_prox_add_unit(c);
        c->facts.units++;
    }
    if (c->drop_stop && c->n_at == 1 && c->at[0].kind == ZC_TOK_WORD &&
        zc_qplan_is_stopword(zc_qc_at_term(c, &c->at[0]), c->at[0].len)) {
        c->n_dropped++;
        return mkpart(NULL, K_EMPTY);
    }
    if (collect)
        zc_qc_spell_add_unit(c, s);
    size_t pieces = 0;
    zc_xap_query *body = zc_qc_runs(c, "", ZC_PFX_STEM, collect, 1, collect, &pieces);
    if (collect && body != NULL) {
        c->facts.prox_parts += pieces;
        zc_qc_list_push(c, &c->title_units,
                        zc_qc_runs(c, ZC_PFX_TITLE, ZC_PFX_STEM ZC_PFX_TITLE, 0, 0, 0, NULL));
        if (c->want_topic) {
            zc_qc_analyze(c, s, n->len);
            zc_qc_list_push(c, &c->topic_units, zc_qc_phrase(c, ZC_PFX_TITLE, 0, 0));
        }
    }
    return mkpart(body, K_POS);
}

static part phrase_part(zc_qc *c, const zc_qnode *n, int collect)
{
    zc_qc_analyze(c, n->start, n->len);
    if (zc_qc_failed(c) || c->n_at == 0)
        return mkpart(NULL, K_EMPTY);
    if (collect) {
        zc_qc_prox_add_unit(c);
        c->facts.units++;
    }
    /* An unquoted unit: its unit term, every spelling of it (unit.h),
     * which weighs nothing (wdf 0, docbuild.c); the words as typed rank
     * the documents that write it so. */
    zc_xap_query *body =
        n->unit != NULL
            ? zc_qc_combine2(c, ZC_XAP_OP_AND_MAYBE, zc_qc_unit(c, n->unit, collect),
                             zc_qc_phrase(c, "", 0, 1))
            : zc_qc_phrase(c, "", collect, 1);
    if (collect && body != NULL) {
        c->facts.prox_parts++;
        zc_qc_analyze(c, n->start, n->len);
        zc_qc_list_push(c, &c->title_units, zc_qc_phrase(c, ZC_PFX_TITLE, 0, 0));
        if (c->want_topic) {
            zc_qc_analyze(c, n->start, n->len);
            zc_qc_list_push(c, &c->topic_units, zc_qc_phrase(c, ZC_PFX_TITLE, 0, 0));
        }
    }
    return mkpart(body, K_POS);
}

/* A word or phrase of a field: title words stem to title stems; issuer
 * words are indexed unstemmed. */
static part field_part(zc_qc *c, const zc_qnode *n, int collect)
{
    int title = n->field == ZC_QF_TITLE;
    const char *pfx = title ? ZC_PFX_TITLE : ZC_PFX_ISSUER;
    zc_qc_analyze(c, n->start, n->len);
    if (n->type == ZC_QN_PHRASE)
        return mkpart(zc_qc_phrase(c, pfx, collect, 1), K_POS);
    return mkpart(zc_qc_runs(c, pfx, title ? ZC_PFX_STEM ZC_PFX_TITLE : NULL, collect, 1, 0,
                             NULL),
                  K_POS);
}

/* docno:N — its document-number term; the number's own characters are
 * highlighted where they stand together (the whole number, never the 2016
 * or the 号 of another number). */
static part docno_part(zc_qc *c, const zc_qnode *n, int collect)
{
    zc_xap_query *xd = zc_qc_term(c, ZC_PFX_DOCNO, n->docno, strlen(n->docno), 0, 1);
    if (collect) {
        zc_qc_analyze(c, n->start, n->len);
        zc_qc_hl_phrase(c, 1);
    }
    return mkpart(xd, K_POS);
}

/* tags:VALUE — the tag term ("K" + the value normalized as indexing
 * normalizes tags); weightless (a boolean term), but a part of its own, so
 * that tags:X alone is a query. */
static part tag_part(zc_qc *c, const zc_qnode *n)
{
    char *norm = NULL;
    size_t nl = 0;
    zc_error e2 = {0};
    if (zc_norm_string(c->text + n->start, n->len, &norm, &nl, &e2) != ZC_OK) {
        if (e2.code == ZC_ENOMEM)
            zc_qc_oom(c);
        return mkpart(NULL, K_EMPTY);
    }
    zc_xap_query *q = nl > 0 ? zc_qc_term(c, ZC_PFX_TAG, norm, nl, 0, 1) : NULL;
    free(norm);
    return mkpart(q, K_POS);
}

static part leaf_part(zc_qc *c, const zc_qnode *n, int collect)
{
    switch (n->type) {
    case ZC_QN_WORD:
    case ZC_QN_PHRASE:
        if (n->field != ZC_QF_NONE)
            return field_part(c, n, collect);
        return n->type == ZC_QN_WORD ? word_part(c, n, collect) : phrase_part(c, n, collect);
    case ZC_QN_DOCNO: return docno_part(c, n, collect);
    case ZC_QN_LANG: return mkpart(zc_qc_term(c, ZC_PFX_LANG, n->lang, 2, 0, 1), K_FILTER);
    case ZC_QN_TAG: return tag_part(c, n);
    default: break;
    }
    return mkpart(NULL, K_EMPTY);
}

/* ---- operators --------------------------------------------------------- */

static part node_part(zc_qc *c, const zc_qnode *n, int collect);

/* AND: the positive parts ANDed (ORed when match_any), restricted by the
 * filters, minus the OR of the exclusions.  Without positive parts it is a
 * filter, or an exclusion. */
static part and_part(zc_qc *c, const zc_qnode *n, int collect)
{
    zc_qc_list pos = {0}, filt = {0}, neg = {0};
    for (size_t i = 0; i < n->n_kids && !zc_qc_failed(c); i++) {
        part p = node_part(c, n->kids[i], collect);
        switch (p.kind) {
        case K_POS: zc_qc_list_push(c, &pos, p.q); break;
        case K_FILTER: zc_qc_list_push(c, &filt, p.q); break;
        case K_NEG: zc_qc_list_push(c, &neg, p.q); break;
        default: break;
        }
    }
    int kind = pos.n ? K_POS : filt.n ? K_FILTER : neg.n ? K_NEG : K_EMPTY;
    zc_xap_query *q = NULL;
    if (zc_qc_failed(c)) {
        kind = K_EMPTY;
    } else if (kind == K_NEG) {
        q = zc_qc_list_take(c, &neg, ZC_XAP_OP_OR, 0);
    } else if (kind != K_EMPTY) {
        if (pos.n) {
            q = zc_qc_list_take(c, &pos, c->match_any ? ZC_XAP_OP_OR : ZC_XAP_OP_AND, 0);
            zc_xap_query *f = zc_qc_list_take(c, &filt, ZC_XAP_OP_AND, 0);
            if (f != NULL)
                q = zc_qc_combine2(c, ZC_XAP_OP_FILTER, q, f);
        } else {
            q = zc_qc_list_take(c, &filt, ZC_XAP_OP_AND, 0);
        }
        zc_xap_query *x = zc_qc_list_take(c, &neg, ZC_XAP_OP_OR, 0);
        if (x != NULL)
            q = zc_qc_combine2(c, ZC_XAP_OP_AND_NOT, q, x);
    }
    zc_qc_list_clear(&pos);
    zc_qc_list_clear(&filt);
    zc_qc_list_clear(&neg);
    if (zc_qc_failed(c)) {
        zc_xap_query_free(q);
        return mkpart(NULL, K_EMPTY);
    }
    return mkpart(q, kind);
}

/* OR: of its branches.  A branch without positive terms still matches
 * documents, with no weight: a filter as it is, an exclusion as
 * "everything but".  With no positive branch the OR is a filter. */
static part or_part(zc_qc *c, const zc_qnode *n, int collect)
{
    zc_qc_list pos = {0}, other = {0};
    for (size_t i = 0; i < n->n_kids && !zc_qc_failed(c); i++) {
        part p = node_part(c, n->kids[i], collect);
        if (p.kind == K_POS) {
            zc_qc_list_push(c, &pos, p.q);
        } else if (p.kind == K_FILTER || p.kind == K_NEG) {
            zc_xap_query *q = p.q;
            if (p.kind == K_NEG) {
                zc_xap_query *all = NULL;
                zc_status st = zc_xap_query_match_all(&all, c->err);
                if (st != ZC_OK) {
                    c->st = st;
                    zc_xap_query_free(q);
                    break;
                }
                q = zc_qc_combine2(c, ZC_XAP_OP_AND_NOT, all, q);
            }
            zc_qc_list_push(c, &other, zc_qc_scaled(c, q, 0.0));
        }
    }
    int kind = pos.n ? K_POS : other.n ? K_FILTER : K_EMPTY;
    for (size_t k = 0; k < other.n && !zc_qc_failed(c); k++) {
        zc_qc_list_push(c, &pos, other.v[k]);
        other.v[k] = NULL;
    }
    zc_xap_query *q = zc_qc_list_take(c, &pos, ZC_XAP_OP_OR, 0);
    zc_qc_list_clear(&pos);
    zc_qc_list_clear(&other);
    if (zc_qc_failed(c)) {
        zc_xap_query_free(q);
        return mkpart(NULL, K_EMPTY);
    }
    return mkpart(q, kind);
}

/* One alternative of a SYN, over its own text: its query goes to pos and,
 * when titles is not NULL, its title form to titles.  A word is searched
 * as a typed word is (stemmed), a phrase as a quoted phrase; either is
 * highlighted when collect, and neither counts for spelling, proximity or
 * the exact title (what was typed does). */
static void alt_part(zc_qc *c, const zc_qnode *n, int collect, zc_qc_list *pos,
                     zc_qc_list *titles)
{
    const char *text = c->text;
    size_t len = c->len;
    c->text = n->alt;
    c->len = n->len;
    int phrase = n->type == ZC_QN_PHRASE;
    zc_qc_analyze(c, 0, n->len);
    if (!zc_qc_failed(c) && c->n_at > 0) {
        zc_qc_list_push(c, pos, phrase ? zc_qc_phrase(c, "", collect, 1)
                                       : zc_qc_runs(c, "", ZC_PFX_STEM, collect, 1, 0, NULL));
        if (titles != NULL) {
            zc_qc_analyze(c, 0, n->len);
            zc_qc_list_push(c, titles,
                            phrase ? zc_qc_phrase(c, ZC_PFX_TITLE, 0, 0)
                                   : zc_qc_runs(c, ZC_PFX_TITLE, ZC_PFX_STEM ZC_PFX_TITLE, 0, 0,
                                                0, NULL));
        }
    }
    c->text = text;
    c->len = len;
}

/* SYN (qsyn.h): the words as typed OR the alternatives, these as one
 * OP_SYNONYM (weighted as a single term, so a long full name of nine
 * bigrams does not outweigh the three characters typed) scaled by
 * ZC_QPLAN_SYN_ALT_SCALE.  What was typed counts as it would without
 * synonyms (units, proximity, the exact title);
 * its title forms become one title unit that the alternatives' title forms
 * also satisfy, so a title holding the full name ranks like one holding
 * the abbreviation.  An abbreviation is no misspelling: it gives no
 * spelling candidate. */
static part syn_part(zc_qc *c, const zc_qnode *n, int collect)
{
    size_t sw = c->n_sw, tu = c->title_units.n;
    part orig = node_part(c, n->kids[0], collect);
    c->n_sw = sw;
    zc_qc_list pos = {0}, alts = {0}, titles = {0};
    int want_titles = collect && c->title_units.n > tu;
    if (orig.kind == K_POS) {
        zc_qc_list_push(c, &pos, orig.q);
        orig.q = NULL;
    }
    part_free(&orig);
    for (size_t i = 1; i < n->n_kids && !zc_qc_failed(c); i++)
        alt_part(c, n->kids[i], collect, &alts, want_titles ? &titles : NULL);
    zc_xap_query *syn = NULL;
    if (alts.n > 0 && !zc_qc_failed(c)) {
        zc_status st = zc_xap_query_combine(ZC_XAP_OP_SYNONYM, alts.v, alts.n, 0, &syn, c->err);
        if (st != ZC_OK)
            c->st = st;
    }
    zc_qc_list_clear(&alts);
    zc_qc_list_push(c, &pos, zc_qc_scaled(c, syn, ZC_QPLAN_SYN_ALT_SCALE));
    if (want_titles && !zc_qc_failed(c)) {
        zc_qc_list typed = {0};
        for (size_t i = tu; i < c->title_units.n; i++) {
            zc_qc_list_push(c, &typed, c->title_units.v[i]);
            c->title_units.v[i] = NULL;
        }
        c->title_units.n = tu;
        zc_xap_query *all = zc_qc_list_take(c, &typed, ZC_XAP_OP_AND, 0);
        zc_qc_list any = {0};
        zc_qc_list_push(c, &any, all);
        for (size_t i = 0; i < titles.n && !zc_qc_failed(c); i++) {
            zc_qc_list_push(c, &any, titles.v[i]);
            titles.v[i] = NULL;
        }
        zc_qc_list_push(c, &c->title_units, zc_qc_list_take(c, &any, ZC_XAP_OP_OR, 0));
        zc_qc_list_clear(&any);
        zc_qc_list_clear(&typed);
    }
    zc_qc_list_clear(&titles);
    zc_xap_query *q = zc_qc_list_take(c, &pos, ZC_XAP_OP_OR, 0);
    zc_qc_list_clear(&pos);
    if (zc_qc_failed(c)) {
        zc_xap_query_free(q);
        return mkpart(NULL, K_EMPTY);
    }
    return mkpart(q, K_POS);
}

/* collect: the node stands under no NOT (its terms are highlighted, and
 * count for spelling, titles and proximity). */
static part node_part(zc_qc *c, const zc_qnode *n, int collect)
{
    switch (n->type) {
    case ZC_QN_AND: return and_part(c, n, collect);
    case ZC_QN_OR: return or_part(c, n, collect);
    case ZC_QN_SYN: return syn_part(c, n, collect);
    case ZC_QN_NOT: return negate(node_part(c, n->kids[0], 0));
    case ZC_QN_GROUP: return node_part(c, n->kids[0], collect);
    default: return leaf_part(c, n, collect);
    }
}

/* ---- one reading ------------------------------------------------------- */

/* Forgets everything gathered by a reading (drop_stop stays). */
static void ctx_reset(zc_qc *c)
{
    zc_qc_list_clear(&c->title_units);
    zc_qc_list_clear(&c->word_units);
    zc_qc_list_clear(&c->topic_units);
    memset(&c->facts, 0, sizeof c->facts);
    c->n_terms = 0;
    c->n_dropped = 0;
    c->n_pt = 0;
    c->parena_len = 0;
    c->prox_run = 0;
    c->n_sw = 0;
}

/* The main part of one reading of the tree.  A tree read as plain words
 * first compiles, and throws away, the words and phrases the structured
 * reading got through (tree->read): the term limit has always applied to
 * them. */
static part reading(zc_qc *c, const zc_qtree *t)
{
    for (size_t i = 0; i < t->n_read && !zc_qc_failed(c); i++) {
        part p = leaf_part(c, t->read[i], 0);
        part_free(&p);
    }
    if (zc_qc_failed(c))
        return mkpart(NULL, K_EMPTY);
    ctx_reset(c);
    return node_part(c, t->root, 1);
}

/* A new, empty highlight set in c->hl when the caller wants one. */
static void hl_renew(zc_qc *c)
{
    if (c->hl == NULL)
        return;
    zc_hl_free(c->hl);
    c->hl = NULL;
    if (zc_hl_new(&c->hl, c->err) != ZC_OK)
        c->st = ZC_ENOMEM;
}

/* ---- the ranking-only parts -------------------------------------------- */

/* The positive free text as one phrase (exact order, CJK run gaps
 * allowed) and as a NEAR with some slack, weighted per the plan. */
static void prox_queries(zc_qc *c, const zc_qboost *ph, const zc_qboost *nr,
                         zc_xap_query **phrase, zc_xap_query **near)
{
    zc_qc_list l = {0};
    unsigned gaps = 0;
    *phrase = *near = NULL;
    for (size_t k = 0; k < c->n_pt && !zc_qc_failed(c); k++) {
        const zc_qc_ptok *p = &c->pt[k];
        if (k > 0 && p->run != c->pt[k - 1].run && !p->word && !c->pt[k - 1].word &&
            p->soft)
            gaps++;
        zc_qc_list_push(c, &l, zc_qc_term(c, "", c->parena + p->off, p->len,
                                          (unsigned)(k + 1), 0));
    }
    if (zc_qc_failed(c) || l.n < 2) {
        zc_qc_list_clear(&l);
        return;
    }
    unsigned window = (unsigned)(l.n + gaps);
    zc_status st = zc_xap_query_combine(ZC_XAP_OP_PHRASE, l.v, l.n, window, phrase, c->err);
    if (st == ZC_OK)
        st = zc_xap_query_combine(ZC_XAP_OP_NEAR, l.v, l.n, window + ZC_QPLAN_NEAR_SLACK,
                                  near, c->err);
    zc_qc_list_clear(&l);
    if (st != ZC_OK) {
        c->st = st;
        zc_xap_query_free(*phrase);
        zc_xap_query_free(*near);
        *phrase = *near = NULL;
        return;
    }
    *phrase = zc_qc_scaled(c, *phrase, ph->weight);
    *near = zc_qc_scaled(c, *near, nr->weight);
}

/* The whole text text[0, len), when the plan wants it: *xt its
 * exact-title term (a query that is exactly a document's title, in any
 * spelling the analyzer folds together, finds it first); *xd its canonical
 * document number.  Each NULL when not wanted or not found. */
static void text_queries(zc_qc *c, const zc_qplan *p, const char *text, size_t len,
                         zc_xap_query **xt, zc_xap_query **xd)
{
    *xt = *xd = NULL;
    if (!zc_qplan_want_title_key(p, &c->facts) || zc_qc_failed(c))
        return;
    uint64_t key = zc_analyzer_text_key(c->an, text, len);
    if (key != 0) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)key);
        *xt = zc_qc_scaled(c, zc_qc_term(c, ZC_PFX_TITLE_KEY, hex, 16, 0, 0),
                           ZC_QPLAN_TITLE_KEY_SCALE);
    }
    if (!zc_qplan_want_whole_docno(p, &c->facts, text, len))
        return;
    char *canon = NULL;
    zc_error e2 = {0};
    if (zc_docno_canonical(text, len, &canon, &e2) == ZC_OK) {
        *xd = zc_qc_scaled(c, zc_qc_term(c, ZC_PFX_DOCNO, canon, strlen(canon), 0, 0),
                           ZC_QPLAN_DOCNO_SCALE);
        free(canon);
    } else if (e2.code == ZC_ENOMEM) {
        zc_qc_oom(c);
    }
}

/* text_queries of the text as typed and, when synonyms rewrote it
 * ("EO 13769" -> "Executive Order 13769", qsyn.h), of the rewritten text,
 * either matching. */
static void whole_text_queries(zc_qc *c, const zc_qtree *t, const zc_qplan *p,
                               zc_xap_query **xt, zc_xap_query **xd)
{
    text_queries(c, p, c->text, c->len, xt, xd);
    if (t->rewritten == NULL)
        return;
    zc_xap_query *rt = NULL, *rd = NULL;
    text_queries(c, p, t->rewritten, t->rewritten_len, &rt, &rd);
    *xt = zc_qc_combine2(c, ZC_XAP_OP_OR, *xt, rt);
    *xd = zc_qc_combine2(c, ZC_XAP_OP_OR, *xd, rd);
}

static zc_xap_query *weighted(zc_qc *c, zc_xap_query *q, const zc_qboost *b)
{
    return b->scale ? zc_qc_scaled(c, q, b->weight) : q;
}

/* Appends the queries of one ranking-only part to the list. */
static void boost_queries(zc_qc *c, const zc_qboost *b, zc_xap_query *xt, zc_qc_list *l)
{
    switch (b->kind) {
    case ZC_QB_TITLE_KEY:
        zc_qc_list_push(c, l, xt);   /* scaled when made */
        break;
    case ZC_QB_TITLE_ALL: {
        zc_xap_query *all = NULL;
        zc_status st = zc_xap_query_combine(ZC_XAP_OP_AND, c->title_units.v,
                                            c->title_units.n, 0, &all, c->err);
        if (st != ZC_OK)
            c->st = st;
        else
            zc_qc_list_push(c, l, weighted(c, all, b));
        break;
    }
    case ZC_QB_TITLE:
        for (size_t i = 0; i < c->title_units.n; i++) {
            zc_qc_list_push(c, l, weighted(c, c->title_units.v[i], b));
            c->title_units.v[i] = NULL;
        }
        zc_qc_list_clear(&c->title_units);
        break;
    case ZC_QB_WORDS:
        /* Word terms only (no positions): one OR is safe. */
        zc_qc_list_push(c, l, weighted(c, zc_qc_list_take(c, &c->word_units, ZC_XAP_OP_OR, 0),
                                       b));
        break;
    case ZC_QB_PHRASE:
    case ZC_QB_NEAR: break;   /* made together: add_boosts */
    }
}

/* q with each query of the list added by its own AND_MAYBE (never an OR of
 * them: see test_no_document_twice); empties the list. */
static zc_xap_query *with_boosts(zc_qc *c, zc_xap_query *q, zc_qc_list *boosts)
{
    for (size_t i = 0; i < boosts->n && !zc_qc_failed(c); i++) {
        q = zc_qc_combine2(c, ZC_XAP_OP_AND_MAYBE, q, boosts->v[i]);
        boosts->v[i] = NULL;
    }
    zc_qc_list_clear(boosts);
    return q;
}

/* Adds the plan's ranking-only parts to q (taken); returns the result.
 * Each is added by its own AND_MAYBE, never as an OR of them: Xapian
 * 1.4.22 can return a document twice when the right side of an AND_MAYBE
 * is an OR of two positional queries (PHRASE, NEAR) — see
 * test_no_document_twice.  *first (first may be NULL) gets q before the
 * rescoring parts, when there are some. */
static zc_xap_query *add_boosts(zc_qc *c, const zc_qplan *p, zc_xap_query *q,
                                zc_xap_query *xt, zc_xap_query **first)
{
    zc_qboost b[ZC_QPLAN_MAX_BOOSTS];
    size_t n = zc_qplan_boosts(p, &c->facts, c->mode, first != NULL, b);
    zc_qc_list now = {0}, later = {0};
    int used_xt = 0;
    for (size_t i = 0; i < n && !zc_qc_failed(c); i++) {
        if (b[i].kind == ZC_QB_PHRASE && i + 1 < n && b[i + 1].kind == ZC_QB_NEAR) {
            zc_xap_query *pq = NULL, *nq = NULL;
            prox_queries(c, &b[i], &b[i + 1], &pq, &nq);
            zc_qc_list_push(c, b[i].rescore ? &later : &now, pq);
            zc_qc_list_push(c, b[i + 1].rescore ? &later : &now, nq);
            i++;
            continue;
        }
        used_xt |= b[i].kind == ZC_QB_TITLE_KEY;
        boost_queries(c, &b[i], xt, &now);
    }
    if (!used_xt)
        zc_xap_query_free(xt);
    q = with_boosts(c, q, &now);
    if (later.n > 0 && !zc_qc_failed(c)) {
        /* a copy (Xapian queries are shared; scaling by 1 is the query) */
        zc_status st = zc_xap_query_scale(q, 1.0, first, c->err);
        if (st != ZC_OK)
            c->st = st;
        q = with_boosts(c, q, &later);
    }
    zc_qc_list_clear(&later);
    return q;
}

/* ---- entry ------------------------------------------------------------- */

static void ctx_free(zc_qc *c)
{
    zc_qc_list_clear(&c->title_units);
    zc_qc_list_clear(&c->word_units);
    zc_qc_list_clear(&c->topic_units);
    zc_hl_free(c->hl);
    free(c->at);
    free(c->arena);
    free(c->pt);
    free(c->parena);
    free(c->sw);
}

/* The main part: the tree read with stopwords dropped, or, when only
 * stopwords were left ("the who", "to be"), read again keeping them. */
static part main_part(zc_qc *c, const zc_qtree *t)
{
    part res = reading(c, t);
    if (!zc_qc_failed(c) && res.kind != K_POS && c->n_dropped > 0) {
        part_free(&res);
        ctx_reset(c);
        c->drop_stop = 0;
        hl_renew(c);
        if (!zc_qc_failed(c))
            res = reading(c, t);
    }
    return res;
}

/* Sets the facts only the end of a reading knows. */
static void finish_facts(zc_qc *c)
{
    c->facts.prox_terms = c->n_pt;
    c->facts.prox_cjk = 0;
    for (size_t k = 0; k < c->n_pt; k++)
        c->facts.prox_cjk |= !c->pt[k].word;
    c->facts.title_units = c->title_units.n;
    c->facts.words = c->word_units.n > 0;
}

/* The documents whose title holds each positive free-text word and phrase
 * as it stands (a title phrase each, even in words mode, where a word's
 * title form is the AND of its words and characters: 全机 must not gate
 * in a title holding 安全 and 计算机), or NULL when there are none. */
static zc_xap_query *topic_query(zc_qc *c)
{
    if (c->topic_units.n == 0 || zc_qc_failed(c))
        return NULL;
    return zc_qc_list_take(c, &c->topic_units, ZC_XAP_OP_AND, 0);
}

zc_status zc_qcompile(zc_analyzer *a, const zc_qtree *t, const zc_qplan *p,
                      zc_xap_query **out, zc_xap_query **first, zc_hl **hl,
                      zc_query_word **words, size_t *n_words, zc_qfacts *facts,
                      zc_xap_query **topic, zc_error *err)
{
    *out = NULL;
    if (topic != NULL)
        *topic = NULL;
    if (facts != NULL)
        memset(facts, 0, sizeof *facts);
    if (first != NULL)
        *first = NULL;
    if (hl != NULL)
        *hl = NULL;
    if (words != NULL)
        *words = NULL;
    if (n_words != NULL)
        *n_words = 0;
    zc_qc c = {.an = a, .mode = zc_analyzer_mode(a), .match_any = p->match_any,
               .text = t->text, .len = t->len, .err = err, .drop_stop = 1,
               .want_topic = topic != NULL};
    if (hl != NULL && zc_hl_new(&c.hl, err) != ZC_OK) {
        ctx_free(&c);
        return ZC_ENOMEM;
    }
    part res = main_part(&c, t);
    if (!zc_qc_failed(&c) && res.kind != K_POS)
        c.st = zc_error_set(err, ZC_EINVAL, "q", "query has no positive term");
    if (zc_qc_failed(&c))
        goto done;
    finish_facts(&c);
    zc_xap_query *tq = topic != NULL ? topic_query(&c) : NULL;
    zc_xap_query *xd = NULL, *xt = NULL;
    whole_text_queries(&c, t, p, &xt, &xd);
    c.facts.title_key = xt != NULL;
    c.facts.whole_docno = xd != NULL;
    if (xd != NULL)
        res.q = zc_qc_combine2(&c, ZC_XAP_OP_OR, res.q, xd);
    res.q = add_boosts(&c, p, res.q, xt, first);
    if (zc_qc_failed(&c)) {
        if (first != NULL) {
            zc_xap_query_free(*first);
            *first = NULL;
        }
        zc_xap_query_free(tq);
        goto done;
    }
    *out = res.q;
    res.q = NULL;
    if (topic != NULL)
        *topic = tq;
    if (facts != NULL)
        *facts = c.facts;
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
    ctx_free(&c);
    return c.st;
}
