/* qsyn.c — synonym expansion of a query tree (qsyn.h).
 *
 * Owns: the walk over the tree, the matching of word runs against the
 * lists, the SYN nodes and the rewritten whole text.  Must never: leave a
 * node owned twice (a node moves into a SYN only once the SYN and every
 * alternative exist), or expand anything but free-text words.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/strbuf.h"
#include "lib/qsyn.h"

/* A replacement for the rewritten text: text[start, end) -> canon. */
typedef struct rewrite {
    size_t start, end;
    const zc_syn_alt *canon;
} rewrite;

typedef struct sctx {
    zc_qtree *t;
    const zc_syn_table *const *lists;
    size_t n_lists;
    size_t max_words;
    zc_analyzer *a;
    zc_error *err;
    zc_status st;
    zc_strbuf form; /* the forms of the words being tried */
    rewrite *rw;
    size_t n_rw, cap_rw;
    size_t alts; /* alternatives given so far (ZC_QSYN_MAX_QUERY_ALTS) */
} sctx;

static void oom(sctx *c)
{
    if (c->st == ZC_OK)
        c->st = zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
}

static int eligible(const zc_qnode *n)
{
    return n->type == ZC_QN_WORD && n->field == ZC_QF_NONE && n->literal == ZC_QF_NONE &&
           n->docno == NULL && n->alt == NULL;
}

/* A node of the given type holding kids[0, n) (moved in only on success:
 * on failure nothing is taken).  The capacity follows zc_qnode_add's
 * rule (a power of two at least n). */
static zc_qnode *op_with(zc_qnode_type type, zc_qnode *const *kids, size_t n)
{
    zc_qnode *op = zc_qnode_op(type);
    size_t cap = 1;
    while (cap < n)
        cap *= 2;
    zc_qnode **v = op ? malloc(cap * sizeof *v) : NULL;
    if (v == NULL) {
        zc_qnode_free(op);
        return NULL;
    }
    memcpy(v, kids, n * sizeof *v);
    op->kids = v;
    op->n_kids = n;
    return op;
}

/* The alternatives of the key form[0, len) over the lists, into alts
 * (room for ZC_QSYN_MAX_ALTS); returns their count (0: no key).  *canon
 * gets the first list's canonical form. */
static size_t gather(const sctx *c, const char *form, size_t len, const zc_syn_alt **alts,
                     const zc_syn_alt **canon)
{
    size_t n = 0;
    *canon = NULL;
    for (size_t l = 0; l < c->n_lists; l++) {
        const zc_syn_table *t = c->lists[l];
        if (t == NULL)
            continue;
        const zc_syn_alt *v = NULL, *cf = NULL;
        size_t nv = 0;
        if (zc_syn_lookup(t, form, len, &v, &nv, &cf)) {
            if (*canon == NULL)
                *canon = cf;
            for (size_t i = 0; i < nv && n < ZC_QSYN_MAX_ALTS; i++) {
                size_t j = 0;
                while (j < n && !(alts[j]->form_len == v[i].form_len &&
                                  memcmp(alts[j]->form, v[i].form, v[i].form_len) == 0))
                    j++;
                if (j == n)
                    alts[n++] = &v[i];
            }
        }
        /* "!no-default": the lists after this one (the built-in) are off */
        if (zc_syn_no_default(t))
            break;
    }
    return n;
}

/* A SYN of `orig` (the words as typed) and the alternatives; NULL when out
 * of memory (orig is not taken then). */
static zc_qnode *make_syn(zc_qnode *orig, const zc_syn_alt *const *alts, size_t n)
{
    zc_qnode *kids[1 + ZC_QSYN_MAX_ALTS];
    kids[0] = orig;
    size_t k = 1;
    for (size_t i = 0; i < n; i++) {
        kids[k] =
            zc_qnode_alt(alts[i]->phrase ? ZC_QN_PHRASE : ZC_QN_WORD, alts[i]->text, alts[i]->len);
        if (kids[k] == NULL)
            break;
        k++;
    }
    zc_qnode *syn = k == 1 + n ? op_with(ZC_QN_SYN, kids, k) : NULL;
    if (syn == NULL)
        for (size_t i = 1; i < k; i++)
            zc_qnode_free(kids[i]);
    return syn;
}

static void add_rewrite(sctx *c, size_t start, size_t end, const zc_syn_alt *canon,
                        const char *form, size_t len)
{
    if (canon == NULL || (canon->form_len == len && memcmp(canon->form, form, len) == 0))
        return;
    if (zc_grow(&c->rw, &c->cap_rw, c->n_rw + 1, sizeof *c->rw, 4) != 0) {
        oom(c);
        return;
    }
    c->rw[c->n_rw++] = (rewrite){start, end, canon};
}

/* Tries the runs of eligible words starting at kids[i] (at most m of
 * them), longest first.  On a match, kids[i, i + run) become one SYN in
 * place; returns the words taken (0: none, kids unchanged). */
static size_t try_run(sctx *c, zc_qnode **kids, size_t i, size_t m)
{
    size_t cum[ZC_SYN_MAX_WORDS + 1];
    c->form.len = 0;
    cum[0] = 0;
    for (size_t k = 0; k < m; k++) {
        const zc_qnode *w = kids[i + k];
        zc_status st = zc_syn_form(c->a, c->t->text + w->start, w->len, &c->form, c->err);
        if (st != ZC_OK) {
            c->st = st;
            return 0;
        }
        cum[k + 1] = c->form.len;
    }
    for (size_t run = m; run >= 1; run--) {
        if (cum[run] == cum[run - 1] && run > 1)
            continue; /* a word of punctuation ends no key */
        const zc_syn_alt *alts[ZC_QSYN_MAX_ALTS], *canon = NULL;
        size_t n = gather(c, c->form.p, cum[run], alts, &canon);
        if (n == 0)
            continue;
        if (c->alts + n > ZC_QSYN_MAX_QUERY_ALTS)
            return 0; /* the query's budget is spent: as typed */
        zc_qnode *orig = run == 1 ? kids[i] : op_with(ZC_QN_AND, kids + i, run);
        zc_qnode *syn = orig ? make_syn(orig, alts, n) : NULL;
        if (syn == NULL) {
            if (orig != NULL && run > 1) {
                orig->n_kids = 0; /* the words stay the caller's */
                zc_qnode_free(orig);
            }
            oom(c);
            return 0;
        }
        const zc_qnode *last = kids[i + run - 1];
        add_rewrite(c, kids[i]->start, last->start + last->len, canon, c->form.p, cum[run]);
        kids[i] = syn;
        c->alts += n;
        return run;
    }
    return 0;
}

static zc_qnode *expand(sctx *c, zc_qnode *n);

/* An AND's children: runs of words, and everything else walked. */
static void expand_and(sctx *c, zc_qnode *and)
{
    size_t i = 0;
    while (i < and->n_kids && c->st == ZC_OK) {
        if (!eligible(and->kids[i])) {
            and->kids[i] = expand(c, and->kids[i]);
            i++;
            continue;
        }
        size_t m = 1;
        while (m < c->max_words && i + m < and->n_kids && eligible(and->kids[i + m]))
            m++;
        size_t run = try_run(c, and->kids, i, m);
        if (run > 1) {
            memmove(and->kids + i + 1, and->kids + i + run,
                    (and->n_kids - i - run) * sizeof *and->kids);
            and->n_kids -= run - 1;
        }
        i++;
    }
}

/* n expanded; returns the node that takes its place. */
static zc_qnode *expand(sctx *c, zc_qnode *n)
{
    if (c->st != ZC_OK)
        return n;
    switch (n->type) {
    case ZC_QN_WORD:
        if (eligible(n)) {
            zc_qnode *one[1] = {n};
            try_run(c, one, 0, 1);
            return one[0];
        }
        return n;
    case ZC_QN_AND:
        expand_and(c, n);
        if (n->n_kids == 1) {
            /* one run took every word: the SYN stands for the AND */
            zc_qnode *only = n->kids[0];
            n->n_kids = 0;
            zc_qnode_free(n);
            return only;
        }
        return n;
    case ZC_QN_OR:
    case ZC_QN_NOT:
    case ZC_QN_GROUP:
        for (size_t i = 0; i < n->n_kids; i++)
            n->kids[i] = expand(c, n->kids[i]);
        return n;
    default: return n;
    }
}

/* t->rewritten from the replacements (in text order). */
static void rewrite_text(sctx *c)
{
    zc_strbuf b = {0};
    size_t p = 0;
    for (size_t i = 0; i < c->n_rw; i++) {
        const rewrite *r = &c->rw[i];
        if (r->start < p)
            continue;
        zc_strbuf_put(&b, c->t->text + p, r->start - p);
        zc_strbuf_put(&b, r->canon->text, r->canon->len);
        p = r->end;
    }
    zc_strbuf_put(&b, c->t->text + p, c->t->len - p);
    if (b.oom || b.p == NULL) {
        free(b.p);
        oom(c);
        return;
    }
    c->t->rewritten = b.p;
    c->t->rewritten_len = b.len;
}

zc_status zc_qsyn_expand(zc_qtree *t, const zc_syn_table *const *lists, size_t n, zc_analyzer *a,
                         zc_error *err)
{
    sctx c = {.t = t, .lists = lists, .n_lists = n, .a = a, .err = err};
    for (size_t i = 0; i < n; i++) {
        if (lists[i] == NULL)
            continue;
        size_t w = zc_syn_max_words(lists[i]);
        if (w > c.max_words)
            c.max_words = w;
        if (zc_syn_no_default(lists[i]))
            break;
    }
    if (c.max_words > ZC_SYN_MAX_WORDS)
        c.max_words = ZC_SYN_MAX_WORDS;
    if (t == NULL || t->root == NULL || c.max_words == 0)
        return ZC_OK;
    t->root = expand(&c, t->root);
    if (c.st == ZC_OK && c.n_rw > 0 && t->rewritten == NULL)
        rewrite_text(&c);
    free(c.form.p);
    free(c.rw);
    return c.st;
}
