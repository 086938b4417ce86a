/* qparse.c — recursive descent over the lexer's tokens (qparse.h).
 *
 * Owns: the grammar, the syntax-error fallback to plain words, and the
 * field values' reading (docno:, lang:, tags:).  Must never: analyze text, build
 * Xapian queries, or recurse past ZC_QPARSE_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/docno.h"
#include "base/error.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/qlex.h"
#include "lib/qparse.h"
#include "lib/unit.h"
#include "base/utf8.h"

typedef struct pctx {
    const char *text;
    size_t len;
    const zc_qtok *tok;
    size_t n_tok, i;
    int syntax_error;
    int oom;
} pctx;

static int stop(const pctx *c)
{
    return c->syntax_error || c->oom;
}

static const zc_qtok *peek(const pctx *c)
{
    return c->i < c->n_tok ? &c->tok[c->i] : NULL;
}

/* The canonical document number of a free-text word text[s, s+len) that
 * looks like one, or NULL (sets c->oom when out of memory). */
static char *word_docno(pctx *c, size_t s, size_t len)
{
    if (!zc_docno_looks_like(c->text + s, len))
        return NULL;
    char *canon = NULL;
    zc_error e2 = {0};
    if (zc_docno_canonical(c->text + s, len, &canon, &e2) == ZC_OK)
        return canon;
    if (e2.code == ZC_ENOMEM)
        c->oom = 1;
    return NULL;
}

/* A free-text WORD over text[s, s+len). */
static zc_qnode *free_word(pctx *c, size_t s, size_t len, zc_qfield literal)
{
    zc_qnode *n = zc_qnode_leaf(ZC_QN_WORD, s, len);
    if (n == NULL) {
        c->oom = 1;
        return NULL;
    }
    n->literal = literal;
    n->docno = word_docno(c, s, len);
    if (c->oom) {
        zc_qnode_free(n);
        return NULL;
    }
    return n;
}

/* Whitespace around text[*s, *s+*len) cut off: a field value's own. */
static void trim(const pctx *c, size_t *s, size_t *len)
{
    size_t a = *s, b = *s + *len, k;
    while (a < b && (k = zc_qlex_space(c->text, c->len, a)) > 0)
        a += k;
    while (b > a && (unsigned char)c->text[b - 1] <= ' ')
        b--;
    *s = a;
    *len = b - a;
}

/* docno:VALUE — the DOCNO node when the value is a document number, else
 * the whole token as a free-text word. */
static zc_qnode *docno_leaf(pctx *c, const zc_qtok *t)
{
    size_t s = t->vstart, len = t->vlen;
    trim(c, &s, &len);
    char *canon = NULL;
    zc_error e2 = {0};
    if (len > 0 && zc_docno_canonical(c->text + s, len, &canon, &e2) == ZC_OK) {
        zc_qnode *n = zc_qnode_leaf(ZC_QN_DOCNO, s, len);
        if (n == NULL) {
            free(canon);
            c->oom = 1;
            return NULL;
        }
        n->docno = canon;
        return n;
    }
    if (len > 0 && e2.code == ZC_ENOMEM) {
        c->oom = 1;
        return NULL;
    }
    return free_word(c, t->start, t->len, ZC_QF_DOCNO);
}

/* lang:zh or lang:en is a filter; any other value, the whole token as a
 * free-text word. */
static zc_qnode *lang_leaf(pctx *c, const zc_qtok *t)
{
    size_t s = t->vstart, len = t->vlen;
    trim(c, &s, &len);
    const char *lang = zc_qlex_ieq(c->text + s, len, "zh")   ? "zh"
                       : zc_qlex_ieq(c->text + s, len, "en") ? "en"
                                                             : NULL;
    if (lang == NULL)
        return free_word(c, t->start, t->len, ZC_QF_LANG);
    zc_qnode *n = zc_qnode_leaf(ZC_QN_LANG, s, len);
    if (n == NULL) {
        c->oom = 1;
        return NULL;
    }
    memcpy(n->lang, lang, 3);
    return n;
}

/* tags:VALUE (a word or a quoted phrase): the whole tag; an empty value
 * (only spaces) is the whole token as a free-text word. */
static zc_qnode *tag_leaf(pctx *c, const zc_qtok *t)
{
    size_t s = t->vstart, len = t->vlen;
    trim(c, &s, &len);
    if (len == 0)
        return free_word(c, t->start, t->len, ZC_QF_NONE);
    zc_qnode *n = zc_qnode_leaf(ZC_QN_TAG, s, len);
    if (n == NULL)
        c->oom = 1;
    return n;
}

/* The leaf a word or phrase token stands for (its '-' not included). */
static zc_qnode *leaf(pctx *c, const zc_qtok *t)
{
    /* A date or a number with its unit, unquoted, is read as one unit:
     * analysis would cut it into digits and characters that each match
     * anywhere (unit.h).  In free text it is its canonical form, whatever
     * the spelling; in a field, the phrase as written. */
    char unit[ZC_UNIT_CANON_MAX];
    int phrase = t->type == ZC_QTOK_PHRASE ||
                 (t->field != ZC_QF_DOCNO && t->field != ZC_QF_LANG && t->field != ZC_QF_TAGS &&
                  zc_unit_whole(c->text + t->vstart, t->vlen, unit, NULL));
    if (t->field == ZC_QF_DOCNO)
        return docno_leaf(c, t);
    if (t->field == ZC_QF_LANG)
        return lang_leaf(c, t);
    if (t->field == ZC_QF_TAGS)
        return tag_leaf(c, t);
    if (t->field == ZC_QF_NONE && !phrase)
        return free_word(c, t->vstart, t->vlen, ZC_QF_NONE);
    zc_qnode *n = zc_qnode_leaf(phrase ? ZC_QN_PHRASE : ZC_QN_WORD, t->vstart, t->vlen);
    if (n == NULL) {
        c->oom = 1;
        return NULL;
    }
    n->field = t->field;
    if (t->type == ZC_QTOK_WORD && t->field == ZC_QF_NONE && phrase &&
        (n->unit = strdup(unit)) == NULL) {
        zc_qnode_free(n);
        c->oom = 1;
        return NULL;
    }
    return n;
}

/* An op node of one child (NOT, GROUP); takes kid; NULL if kid is. */
static zc_qnode *wrap(pctx *c, zc_qnode_type type, zc_qnode *kid)
{
    if (kid == NULL)
        return NULL;
    zc_qnode *n = zc_qnode_op(type);
    if (n == NULL || zc_qnode_add(n, kid) != 0) {
        if (n == NULL)
            zc_qnode_free(kid);
        zc_qnode_free(n);
        c->oom = 1;
        return NULL;
    }
    return n;
}

static zc_qnode *parse_expr(pctx *c, int depth);

static zc_qnode *parse_unary(pctx *c, int depth)
{
    const zc_qtok *t = peek(c);
    if (t != NULL && t->type == ZC_QTOK_LP) {
        if (depth >= ZC_QPARSE_MAX_DEPTH) {
            c->syntax_error = 1;
            return NULL;
        }
        c->i++;
        zc_qnode *inner = parse_expr(c, depth + 1);
        const zc_qtok *r = peek(c);
        if (stop(c) || r == NULL || r->type != ZC_QTOK_RP) {
            c->syntax_error |= !c->oom;
            zc_qnode_free(inner);
            return NULL;
        }
        c->i++;
        zc_qnode *g = wrap(c, ZC_QN_GROUP, inner);
        return t->neg ? wrap(c, ZC_QN_NOT, g) : g;
    }
    if (t != NULL && (t->type == ZC_QTOK_WORD || t->type == ZC_QTOK_PHRASE)) {
        c->i++;
        zc_qnode *n = leaf(c, t);
        return t->neg ? wrap(c, ZC_QN_NOT, n) : n;
    }
    c->syntax_error = 1;
    return NULL;
}

static int ends_and(const zc_qtok *t)
{
    return t == NULL || t->type == ZC_QTOK_RP || t->type == ZC_QTOK_OR;
}

/* One item of an and_expr: 'AND'? 'NOT'? unary.  NULL on error. */
static zc_qnode *parse_item(pctx *c, int depth, size_t items)
{
    const zc_qtok *t = peek(c);
    if (t->type == ZC_QTOK_AND) {
        c->i++;
        t = peek(c);
        if (items == 0 || ends_and(t) || t->type == ZC_QTOK_AND) {
            c->syntax_error = 1;
            return NULL;
        }
    }
    if (t->type == ZC_QTOK_NOT) {
        c->i++;
        t = peek(c);
        if (ends_and(t) || t->type == ZC_QTOK_AND || t->type == ZC_QTOK_NOT) {
            c->syntax_error = 1;
            return NULL;
        }
        return wrap(c, ZC_QN_NOT, parse_unary(c, depth));
    }
    return parse_unary(c, depth);
}

/* An and_expr: its one item as it is, or an AND of them. */
static zc_qnode *parse_and(pctx *c, int depth)
{
    zc_qnode *first = NULL, *and = NULL;
    while (!stop(c) && !ends_and(peek(c))) {
        zc_qnode *n = parse_item(c, depth, first != NULL);
        if (n == NULL)
            break;
        if (first == NULL) {
            first = n;
            continue;
        }
        if (and == NULL) {
            and = zc_qnode_op(ZC_QN_AND);
            if (and == NULL || zc_qnode_add(and, first) != 0) {
                if (and == NULL)
                    zc_qnode_free(first);
                first = NULL;
                zc_qnode_free(n);
                c->oom = 1;
                break;
            }
        }
        if (zc_qnode_add(and, n) != 0)
            c->oom = 1;
    }
    if (first == NULL && !c->oom)
        c->syntax_error = 1;
    zc_qnode *res = and != NULL ? and : first;
    if (stop(c)) {
        zc_qnode_free(res);
        return NULL;
    }
    return res;
}

static zc_qnode *parse_expr(pctx *c, int depth)
{
    zc_qnode *first = parse_and(c, depth);
    const zc_qtok *t = peek(c);
    if (first == NULL || t == NULL || t->type != ZC_QTOK_OR)
        return first;
    zc_qnode *or = zc_qnode_op(ZC_QN_OR);
    if (or == NULL || zc_qnode_add(or, first) != 0) {
        if (or == NULL)
            zc_qnode_free(first);
        c->oom = 1;
        return NULL;
    }
    while ((t = peek(c)) != NULL && t->type == ZC_QTOK_OR) {
        c->i++;
        zc_qnode *n = parse_and(c, depth);
        if (n == NULL || zc_qnode_add(or, n) != 0) {
            c->oom |= n != NULL;
            zc_qnode_free(or);
            return NULL;
        }
    }
    return or;
}

/* The words and phrases among the tokens before c->i (those the
 * structured reading got through): tree->read. */
static void keep_read(pctx *c, zc_qtree *tree)
{
    size_t n = 0;
    for (size_t k = 0; k < c->i; k++)
        n += c->tok[k].type == ZC_QTOK_WORD || c->tok[k].type == ZC_QTOK_PHRASE;
    if (n == 0)
        return;
    tree->read = calloc(n, sizeof *tree->read);
    if (tree->read == NULL) {
        c->oom = 1;
        return;
    }
    for (size_t k = 0; k < c->i && !c->oom; k++) {
        const zc_qtok *t = &c->tok[k];
        if (t->type == ZC_QTOK_WORD || t->type == ZC_QTOK_PHRASE) {
            zc_qnode *l = leaf(c, t);
            if (l != NULL)
                tree->read[tree->n_read++] = l;
        }
    }
}

/* The text as whitespace-separated free-text words: tree->root. */
static void plain_words(pctx *c, zc_qtree *tree)
{
    zc_qnode *and = zc_qnode_op(ZC_QN_AND);
    size_t p = 0, k;
    if (and == NULL) {
        c->oom = 1;
        return;
    }
    while (p < c->len && !c->oom) {
        if ((k = zc_qlex_space(c->text, c->len, p)) > 0) {
            p += k;
            continue;
        }
        size_t w = p;
        while (w < c->len && !zc_qlex_space(c->text, c->len, w))
            w++;
        zc_qnode *n = free_word(c, p, w - p, ZC_QF_NONE);
        if (n != NULL && zc_qnode_add(and, n) != 0)
            c->oom = 1;
        p = w;
    }
    if (c->oom || and->n_kids == 0) {
        c->oom = 1;   /* no word in a text validated as not blank: memory */
        zc_qnode_free(and);
        return;
    }
    if (and->n_kids == 1) {
        tree->root = and->kids[0];
        and->n_kids = 0;
        zc_qnode_free(and);
        return;
    }
    tree->root = and;
}

zc_status zc_qparse(const char *text, size_t len, zc_qtree **out, zc_error *err)
{
    *out = NULL;
    if (text == NULL)
        len = 0;
    if (len > ZC_QUERY_MAX_BYTES)
        return zc_error_set(err, ZC_ETOOLONG, "q", "query is longer than %u bytes",
                            (unsigned)ZC_QUERY_MAX_BYTES);
    if (len > 0 && !zc_utf8_valid(text, len, NULL))
        return zc_error_set(err, ZC_EINVAL, "q", "query is not valid UTF-8");
    size_t p = 0, k;
    while (p < len && (k = zc_qlex_space(text, len, p)) > 0)
        p += k;
    if (p == len)
        return zc_error_set(err, ZC_EINVAL, "q", "empty query");

    zc_qtok *toks = NULL;
    size_t n_tok = 0;
    int lex_error = 0;
    zc_status st = zc_qlex(text, len, &toks, &n_tok, &lex_error, err);
    if (st != ZC_OK)
        return st;
    zc_qtree *tree = calloc(1, sizeof *tree);
    pctx c = {.text = text, .len = len, .tok = toks, .n_tok = n_tok};
    if (tree == NULL) {
        free(toks);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    tree->text = text;
    tree->len = len;
    if (!lex_error) {
        tree->root = parse_expr(&c, 0);
        /* A ')' with no '(' stops the top-level expr early. */
        if (!stop(&c) && c.i != c.n_tok)
            c.syntax_error = 1;
    }
    if (!c.oom && (lex_error || c.syntax_error)) {
        zc_qnode_free(tree->root);
        tree->root = NULL;
        tree->plain_words = 1;
        if (!lex_error)
            keep_read(&c, tree);
        plain_words(&c, tree);
    }
    free(toks);
    if (c.oom) {
        zc_qtree_free(tree);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    *out = tree;
    return ZC_OK;
}
