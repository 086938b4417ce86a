/* qtree.h — the query tree: what a query text says, before any analysis.
 *
 * Owns: the node types, their constructors and free functions, and the
 * printed form (zc_qtree_print), which is what an `explain` and the HTTP
 * front end show.  Must never: analyze text, touch Xapian, or hold a copy
 * of the query text (nodes point into it by offset; a synonym's
 * alternative, which the query text does not hold, has its own text).
 *
 * Node types (zc_qnode.type), and what each holds:
 *   WORD    a word of the text: span [start, start+len) (the word as
 *           written, or the whole token — '-', prefix and quotes included —
 *           when `literal` is set); field NONE (free text: title and body),
 *           TITLE or ISSUER; docno: the canonical document number when a
 *           free-text word looks like one (国发〔2016〕62号), else NULL;
 *           literal: DOCNO or LANG when the token had that field prefix but
 *           its value was no document number / no zh or en, so the token is
 *           searched as text.  Printed (word "text"), (word title "text"),
 *           (word "text" docno "canon"), (word "text" literal lang).
 *   PHRASE  a quoted phrase: span of the text inside the quotes; or an
 *           unquoted word that is as a whole a date or a number with its
 *           unit (unit.h): span of the word, and in free text (field NONE)
 *           unit: its canonical form (2017年6月27日 -> "d2017.6.27"), else
 *           NULL; field NONE, TITLE or ISSUER.  Printed (phrase "text"),
 *           (phrase title "text"), (phrase "text" unit "canon").
 *   DOCNO   docno:N whose value is a document number: span of the value,
 *           docno its canonical form.  Printed (docno "text" "canon").
 *   LANG    lang:zh or lang:en, a filter: span of the value, lang "zh" or
 *           "en".  Printed (lang "zh").
 *   TAG     tags:VALUE or tags:"a value": the documents with that tag (the
 *           whole tag, normalized as indexing does): span of the value.
 *           Printed (tag "营商环境").
 *   AND     two or more children, all required (implicit or explicit AND).
 *   OR      two or more children.
 *   NOT     one child, excluded (NOT x, -x; "a NOT b" is AND(a, NOT(b))).
 *   GROUP   one child: a parenthesized expression.
 *   SYN     a free-text word, or a run of them, with its synonyms
 *           (qsyn.h): kids[0] the words as typed (the WORD, or an AND of
 *           the WORDs), kids[1..] the alternatives, WORD or PHRASE leaves
 *           whose text is their own (`alt`, NUL-terminated; start 0, len
 *           its length).  Matches what any of them matches.  Printed
 *           (syn (word "发改委") (phrase "发展改革委") ...).
 * A tree whose text could not be read as structured query (unbalanced
 * parentheses or quotes, a dangling operator, nesting too deep) has
 * plain_words set: the root is then the AND of the text's
 * whitespace-separated pieces as free-text WORDs (or the one WORD), and the
 * tree prints as (plain-words ROOT).
 *
 * Strings are printed in double quotes with \" \\ and control bytes as
 * \u00XX escaped; every other byte as it is (the text is UTF-8).
 */
#ifndef ZC_QTREE_H
#define ZC_QTREE_H

#include <stddef.h>

#include "lib/qlex.h"
#include "lib/zhengce.h"

typedef enum zc_qnode_type {
    ZC_QN_WORD,
    ZC_QN_PHRASE,
    ZC_QN_DOCNO,
    ZC_QN_LANG,
    ZC_QN_TAG,
    ZC_QN_AND,
    ZC_QN_OR,
    ZC_QN_NOT,
    ZC_QN_GROUP,
    ZC_QN_SYN
} zc_qnode_type;

typedef struct zc_qnode {
    zc_qnode_type type;
    zc_qfield field;           /* WORD, PHRASE: NONE, TITLE or ISSUER */
    zc_qfield literal;         /* WORD: NONE, DOCNO or LANG (see above) */
    size_t start, len;         /* leaves: bytes of the query text */
    char *docno;               /* WORD, DOCNO: owned, NUL-terminated; or NULL */
    char *unit;                /* PHRASE: owned, NUL-terminated canonical unit; or NULL */
    char lang[3];              /* LANG: "zh" or "en" */
    char *alt;                 /* a SYN's alternative: its own text, owned,
                                * NUL-terminated; else NULL */
    struct zc_qnode **kids;    /* AND, OR: two or more; NOT, GROUP: one; owned */
    size_t n_kids;
} zc_qnode;

typedef struct zc_qtree {
    const char *text;          /* borrowed: the query text the spans index */
    size_t len;
    zc_qnode *root;            /* owned; never NULL in a tree zc_qparse made */
    int plain_words;           /* the text read as plain words (see above) */
    /* plain_words: the words and phrases the structured reading had got
     * through before it met the error, in text order, owned.  They are no
     * part of the query; the term limit (ZC_QUERY_MAX_TERMS) applies to
     * them too, as it always has (qcompile.c). */
    zc_qnode **read;
    size_t n_read;
    /* With synonyms (qsyn.h): the whole text with each expanded word run
     * replaced by its canonical form ("EO 13769" -> "Executive Order
     * 13769"), which is also tried as a title and a document number;
     * owned, NUL-terminated; NULL when nothing was replaced. */
    char *rewritten;
    size_t rewritten_len;
} zc_qtree;

/* A leaf of the given type over text[start, start+len).  Returns new; free
 * with zc_qnode_free; NULL when out of memory. */
zc_qnode *zc_qnode_leaf(zc_qnode_type type, size_t start, size_t len);

/* An AND, OR, NOT, GROUP or SYN node without children.  Returns new; free with
 * zc_qnode_free; NULL when out of memory. */
zc_qnode *zc_qnode_op(zc_qnode_type type);

/* A WORD or PHRASE leaf over its own copy of text[0, len) (a synonym's
 * alternative).  Returns new; free with zc_qnode_free; NULL when out of
 * memory. */
zc_qnode *zc_qnode_alt(zc_qnode_type type, const char *text, size_t len);

/* Appends kid to op's children: takes ownership of kid, also on failure
 * (then kid is freed).  Returns 0, or -1 when out of memory. */
int zc_qnode_add(zc_qnode *op, zc_qnode *kid);

/* Frees the node and its children; NULL is allowed. */
void zc_qnode_free(zc_qnode *n);

/* Frees the tree (not the text); NULL is allowed. */
void zc_qtree_free(zc_qtree *t);

/* The tree as text (format above).  *out: returns new, NUL-terminated;
 * free with free(); *out_len (may be NULL) its length.  ZC_ENOMEM only. */
zc_status zc_qtree_print(const zc_qtree *t, char **out, size_t *out_len, zc_error *err);

/* The name of a node type as printed ("word", "and", ...). */
const char *zc_qnode_type_name(zc_qnode_type type);

#endif
