/* qtree.c — the query tree's nodes and their printed form (qtree.h).
 *
 * Owns: node memory and the S-expression text.  Must never: analyze,
 * touch Xapian, or print anything but what qtree.h documents (the printed
 * form is an interface: explain and HTTP show it, tests compare it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/qtree.h"
#include "base/strbuf.h"

zc_qnode *zc_qnode_leaf(zc_qnode_type type, size_t start, size_t len)
{
    zc_qnode *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->type = type;
    n->start = start;
    n->len = len;
    return n;
}

zc_qnode *zc_qnode_alt(zc_qnode_type type, const char *text, size_t len)
{
    zc_qnode *n = zc_qnode_leaf(type, 0, len);
    if (n == NULL || (n->alt = malloc(len + 1)) == NULL) {
        free(n);
        return NULL;
    }
    memcpy(n->alt, text, len);
    n->alt[len] = '\0';
    return n;
}

zc_qnode *zc_qnode_op(zc_qnode_type type)
{
    return zc_qnode_leaf(type, 0, 0);
}

int zc_qnode_add(zc_qnode *op, zc_qnode *kid)
{
    /* Children are few (one per word of a 64 KiB text at most): grow by
     * doubling from a power of two, so the capacity is implied by n_kids. */
    size_t n = op->n_kids;
    if ((n & (n - 1)) == 0) {
        size_t ncap = n ? n * 2 : 1;
        zc_qnode **nv = realloc(op->kids, ncap * sizeof *nv);
        if (nv == NULL) {
            zc_qnode_free(kid);
            return -1;
        }
        op->kids = nv;
    }
    op->kids[op->n_kids++] = kid;
    return 0;
}

void zc_qnode_free(zc_qnode *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        zc_qnode_free(n->kids[i]);
    free(n->kids);
    free(n->docno);
    free(n->alt);
    free(n->unit);
    free(n);
}

void zc_qtree_free(zc_qtree *t)
{
    if (t == NULL)
        return;
    zc_qnode_free(t->root);
    for (size_t i = 0; i < t->n_read; i++)
        zc_qnode_free(t->read[i]);
    free(t->read);
    free(t->rewritten);
    free(t);
}

const char *zc_qnode_type_name(zc_qnode_type type)
{
    switch (type) {
    case ZC_QN_WORD: return "word";
    case ZC_QN_PHRASE: return "phrase";
    case ZC_QN_DOCNO: return "docno";
    case ZC_QN_LANG: return "lang";
    case ZC_QN_TAG: return "tag";
    case ZC_QN_AND: return "and";
    case ZC_QN_OR: return "or";
    case ZC_QN_NOT: return "not";
    case ZC_QN_GROUP: return "group";
    case ZC_QN_SYN: return "syn";
    }
    return "?";
}

static const char *field_name(zc_qfield f)
{
    switch (f) {
    case ZC_QF_TITLE: return "title";
    case ZC_QF_ISSUER: return "issuer";
    case ZC_QF_DOCNO: return "docno";
    case ZC_QF_LANG: return "lang";
    case ZC_QF_TAGS: return "tags";
    case ZC_QF_NONE: break;
    }
    return NULL;
}

static void put_string(zc_strbuf *b, const char *s, size_t n)
{
    zc_strbuf_put(b, "\"", 1);
    size_t run = 0;   /* bytes of s[i - run, i) still to copy as they are */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
            run++;
            continue;
        }
        zc_strbuf_put(b, s + i - run, run);
        run = 0;
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        zc_strbuf_puts(b, esc);
    }
    zc_strbuf_put(b, s + n - run, run);
    zc_strbuf_put(b, "\"", 1);
}

static void print_node(zc_strbuf *b, const zc_qtree *t, const zc_qnode *n)
{
    zc_strbuf_put(b, "(", 1);
    zc_strbuf_puts(b, zc_qnode_type_name(n->type));
    if (n->type == ZC_QN_WORD || n->type == ZC_QN_PHRASE) {
        const char *f = field_name(n->field);
        if (f != NULL) {
            zc_strbuf_put(b, " ", 1);
            zc_strbuf_puts(b, f);
        }
    }
    if (n->type == ZC_QN_LANG) {
        zc_strbuf_put(b, " ", 1);
        put_string(b, n->lang, strlen(n->lang));
    } else if (n->alt != NULL) {
        zc_strbuf_put(b, " ", 1);
        put_string(b, n->alt, n->len);
    } else if (n->n_kids == 0 && n->type != ZC_QN_AND && n->type != ZC_QN_OR) {
        zc_strbuf_put(b, " ", 1);
        put_string(b, t->text + n->start, n->len);
    }
    if (n->docno != NULL) {
        zc_strbuf_puts(b, n->type == ZC_QN_WORD ? " docno " : " ");
        put_string(b, n->docno, strlen(n->docno));
    }
    if (n->unit != NULL) {
        zc_strbuf_puts(b, " unit ");
        put_string(b, n->unit, strlen(n->unit));
    }
    if (n->literal != ZC_QF_NONE) {
        zc_strbuf_puts(b, " literal ");
        zc_strbuf_puts(b, field_name(n->literal));
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        zc_strbuf_put(b, " ", 1);
        print_node(b, t, n->kids[i]);
    }
    zc_strbuf_put(b, ")", 1);
}

zc_status zc_qtree_print(const zc_qtree *t, char **out, size_t *out_len, zc_error *err)
{
    zc_strbuf b = {0};
    *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (t->plain_words)
        zc_strbuf_puts(&b, "(plain-words ");
    if (t->root != NULL)
        print_node(&b, t, t->root);
    if (t->plain_words)
        zc_strbuf_put(&b, ")", 1);
    zc_strbuf_put(&b, "", 0);
    if (b.oom || b.p == NULL) {
        free(b.p);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    *out = b.p;
    if (out_len != NULL)
        *out_len = b.len;
    return ZC_OK;
}
