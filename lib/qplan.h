/* qplan.h — query planning: what the compiled query is made of, besides
 * the tree's own matching part, and with what weight.
 *
 * Owns: the ranking policy of a query — which ranking-only parts are added
 * (each with its own AND_MAYBE) and in what order, their weights, which of
 * them are left to rescoring, when the text as a whole is also a title or
 * a document number, and the English stopword list free text drops.  Every
 * decision is a pure function of the tree, the options and the facts the
 * compiler gathered (zc_qfacts), so the policy is testable without an
 * analyzer or an index.
 *
 * The ranking-only parts, in the order they are added:
 *   TITLE_KEY  the exact-title term of the whole text (a query that is a
 *              document's title finds it first);
 *   TITLE_ALL  every free-text word and phrase in the title at once (match
 *              all, two or more of them, the text no document number);
 *   TITLE      each free-text word's and phrase's title form (match all);
 *   WORDS      hybrid: the dictionary words of the free text;
 *   PHRASE     the positive free text as one phrase (CJK run gaps allowed);
 *   NEAR       the same as a NEAR with ZC_QPLAN_NEAR_SLACK more positions.
 * PHRASE and NEAR are rescoring boosts when they hold a CJK term and the
 * caller asked for the split (zc_query_build_split), except in words mode.
 *
 * Must never: analyze text or build Xapian queries.
 */
#ifndef ZC_QPLAN_H
#define ZC_QPLAN_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/qtree.h"

/* A document-number term outweighs the words it is made of: an exact docno
 * hit should come first. */
#define ZC_QPLAN_DOCNO_SCALE 5.0
/* Likewise the exact-title term (ranking only). */
#define ZC_QPLAN_TITLE_KEY_SCALE 5.0
/* Proximity boost terms: at most this many (a longer query is its own
 * evidence; the positional check would cost more than it tells). */
#define ZC_QPLAN_PROX_MAX_TERMS 64
/* The NEAR window: the query's own span plus this many positions. */
#define ZC_QPLAN_NEAR_SLACK 8
/* Synonyms (qsyn.h): the alternatives of a word, together, weigh this much
 * of their own BM25 weight, and as one term (OP_SYNONYM), so a document
 * holding the words as typed ranks above one holding only another form,
 * all else equal; a document that says only 国家市场监督管理总局 still
 * comes, after those that say 市场监管总局.  make eval: 1.0 cost the
 * unquoted Chinese phrase class 0.003 prec@10 (ngram, hybrid: the phrase
 * 市场监管总局 ranked the full name's documents into its top 10) and words
 * mode 0.001 fill@10; 0.5 keeps every class and finds 0.95 of the
 * documents holding only another form in the top 100 (0.25: 0.94). */
#define ZC_QPLAN_SYN_ALT_SCALE 0.5

/* The most ranking-only parts zc_qplan_boosts returns (one of each kind). */
#define ZC_QPLAN_MAX_BOOSTS 6

/* What the tree's structure allows (zc_qplan_make). */
typedef struct zc_qplan {
    int match_any;   /* free text is an OR of its terms (SEARCH "match":"any") */
    int prox;        /* no OR of two or more, no parentheses, no title:,
                      * issuer: or docno: field: the free text may get the
                      * proximity boosts and be a title or a number whole */
    int plain;       /* also no negation and no lang: filter */
} zc_qplan;

/* What compiling the tree found (qcompile.c fills it). */
typedef struct zc_qfacts {
    size_t units;        /* positive free-text words and phrases */
    size_t prox_parts;   /* AND-ed subqueries of the positive free text */
    size_t prox_terms;   /* terms of the positive free text as one phrase */
    int prox_cjk;        /* one of those is a CJK term */
    int docno_word;      /* a free-text word was searched as a document
                          * number (its words are no proximity hint) */
    size_t title_units;  /* title forms of positive free-text words, phrases */
    int words;           /* hybrid: the free text has dictionary words */
    int title_key;       /* the whole text has an exact-title term */
    int whole_docno;     /* the whole text is a document number */
} zc_qfacts;

typedef enum zc_qboost_kind {
    ZC_QB_TITLE_KEY,
    ZC_QB_TITLE_ALL,
    ZC_QB_TITLE,     /* one AND_MAYBE per title unit, in text order */
    ZC_QB_WORDS,
    ZC_QB_PHRASE,
    ZC_QB_NEAR
} zc_qboost_kind;

typedef struct zc_qboost {
    zc_qboost_kind kind;
    double weight;   /* relative to the main query's own BM25 weight */
    int scale;       /* 1: scale by weight (a scale node even at 1);
                      * 0: unscaled (weight is 1) */
    int rescore;     /* 1: added after the split (zc_query_build_split's
                      * *first is the query without it) */
} zc_qboost;

/* The plan of the tree t for the given match mode. */
void zc_qplan_make(const zc_qtree *t, int match_any, zc_qplan *out);

/* 1 when the whole text's exact-title term is wanted. */
int zc_qplan_want_title_key(const zc_qplan *p, const zc_qfacts *f);

/* 1 when the whole text text[0, len) should also be tried as a document
 * number ("Executive Order 13771", "国发 〔2016〕 62号"): two or more
 * words, a digit among them (a single word is already tried alone). */
int zc_qplan_want_whole_docno(const zc_qplan *p, const zc_qfacts *f, const char *text,
                              size_t len);

/* 1 when the positive free text gets the PHRASE and NEAR boosts. */
int zc_qplan_want_prox(const zc_qplan *p, const zc_qfacts *f);

/* The ranking-only parts to add, in order, into out (room for
 * ZC_QPLAN_MAX_BOOSTS); returns their count.  split: the caller wants the
 * rescoring split; mode: the index's analyzer. */
size_t zc_qplan_boosts(const zc_qplan *p, const zc_qfacts *f, zc_seg_mode mode, int split,
                       zc_qboost *out);

/* 1 if the normalized term is an English stopword of the query's list
 * (dropped from free text unless the query has nothing else). */
int zc_qplan_is_stopword(const char *term, size_t len);

#endif
