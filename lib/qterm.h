/* qterm.h — the query compiler's term layer: analyzed text to term
 * queries, highlights, spelling candidates and proximity material, and the
 * compiler's context that carries them.  qcompile.c (the tree and the plan
 * to the whole Xapian query) is built on it.
 *
 * Owns: the compiler's context (zc_qc).  Must never: be included outside
 * the compiler (qterm.c, qcompile.c, and qcompile.h for zc_query_word).
 */
#ifndef ZC_QTERM_H
#define ZC_QTERM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/analyzer.h"
#include "lib/limits.h"
#include "lib/qplan.h"
#include "lib/schema.h"
#include "lib/snippet.h"
#include "wrappers/xapian.h"

/* A plain English word of the query (a-z only after normalization,
 * ZC_SPELL_MIN_CHARS..ZC_SPELL_MAX_CHARS letters, positive free text): a
 * candidate for a spelling suggestion. */
typedef struct zc_query_word {
    size_t start, len;                 /* bytes of the query text */
    char term[ZC_SPELL_MAX_CHARS + 1]; /* normalized, NUL-terminated */
    size_t term_len;
} zc_query_word;

/* A list of queries being gathered for one combination. */
typedef struct zc_qc_list {
    zc_xap_query **v;    /* owned */
    size_t n, cap;
} zc_qc_list;

/* One analyzed token, its term kept in the context's arena. */
typedef struct zc_qc_atok {
    size_t off, len;     /* term in arena */
    size_t start, end;   /* span in the analyzed piece of the query text */
    uint32_t pos, run;
    zc_tok_kind kind;
    int positional, numeric;
    int phrase;          /* a token phrases are made of (qterm.c) */
} zc_qc_atok;

/* One token of the proximity boost: the positive free text of the whole
 * query as one phrase. */
typedef struct zc_qc_ptok {
    size_t off, len;     /* term in the proximity arena */
    uint32_t run;        /* run number across the whole query */
    int word;            /* an English (WORD) token: no gap next to it */
    int soft;            /* the break before it may be no break in the text
                          * (soft_break) */
} zc_qc_ptok;

typedef struct zc_qc {
    zc_analyzer *an;
    zc_seg_mode mode;    /* the analyzer's (the index's) mode */
    int match_any;       /* free text is an OR of its terms, not an AND */
    const char *text;
    size_t len;
    size_t at_base;      /* text offset of the piece c->at was analyzed from */
    zc_error *err;
    zc_status st;        /* first hard error (ENOMEM, ETOOLONG, analyzer) */
    size_t n_terms;      /* terms of the main query, against ZC_QUERY_MAX_TERMS */
    zc_hl *hl;           /* positive terms to highlight (may be NULL) */
    zc_qc_list title_units; /* title forms of positive free-text words */
    zc_qc_list word_units;  /* hybrid: "W" word terms of positive free-text runs */
    zc_qc_list topic_units; /* each positive free-text word and phrase as a title
                             * phrase (zc_qcompile's *topic), when want_topic */
    int want_topic;
    zc_qfacts facts;     /* for the plan; prox_terms, prox_cjk, title_units
                          * and words are set at the end */
    /* English stopwords */
    int drop_stop;       /* drop free-text words that are stopwords */
    size_t n_dropped;    /* words dropped so */
    /* proximity: the positive free text in query order */
    zc_qc_ptok *pt;
    size_t n_pt, cap_pt;
    char *parena;
    size_t parena_len, parena_cap;
    uint32_t prox_run;
    /* spelling candidates */
    zc_query_word *sw;
    size_t n_sw, cap_sw;
    /* analysis scratch, reused for every word */
    zc_qc_atok *at;
    size_t n_at, cap_at;
    char *arena;
    size_t arena_len, arena_cap;
} zc_qc;

void zc_qc_oom(zc_qc *c);
int zc_qc_failed(const zc_qc *c);

/* Frees the list's queries and empties it. */
void zc_qc_list_clear(zc_qc_list *l);
/* Appends q (takes ownership; NULL is ignored; freed on failure). */
void zc_qc_list_push(zc_qc *c, zc_qc_list *l, zc_xap_query *q);
/* Combines and empties the list: NULL if it was empty, its only element if
 * it had one (for every op but those that change weights).  Returns new. */
zc_xap_query *zc_qc_list_take(zc_qc *c, zc_qc_list *l, zc_xap_op op, unsigned window);
/* a op b, either NULL (then the other as it is); takes both. */
zc_xap_query *zc_qc_combine2(zc_qc *c, zc_xap_op op, zc_xap_query *a, zc_xap_query *b);
/* q scaled by factor; takes q (NULL stays NULL). */
zc_xap_query *zc_qc_scaled(zc_qc *c, zc_xap_query *q, double factor);

/* A term query for prefix+term, cut on a UTF-8 boundary to the term limit
 * (the same rule as indexing).  count: 1 for terms of the main query.
 * Returns new, or NULL after a failure (c->st). */
zc_xap_query *zc_qc_term(zc_qc *c, const char *pfx, const char *term, size_t len,
                         unsigned qpos, int count);
/* Adds a term to highlight when collect (a positive part). */
void zc_qc_hl_add(zc_qc *c, const char *term, size_t len, int stem, int collect);

/* Analyzes text[s, s+len) into c->at (replacing what was there). */
void zc_qc_analyze(zc_qc *c, size_t s, size_t len);
/* The term of an analyzed token (borrowed until the next analysis). */
const char *zc_qc_at_term(const zc_qc *c, const zc_qc_atok *a);

/* Adds the phrase tokens of the analyzed unit to the proximity list. */
void zc_qc_prox_add_unit(zc_qc *c);
/* Records the English words of the analyzed unit at text offset s as
 * spelling candidates. */
void zc_qc_spell_add_unit(zc_qc *c, size_t s);

/* AND (OR when match_any) of the run queries of the analyzed tokens, NULL
 * if there are none; words stem to stem_pfx+stem when it is not NULL; in
 * hybrid, dictionary words go to c->word_units when words is set.
 * *pieces (may be NULL) gets the number of AND-ed subqueries.  Returns
 * new. */
zc_xap_query *zc_qc_runs(zc_qc *c, const char *pfx, const char *stem_pfx, int collect,
                         int count, int words, size_t *pieces);
/* A quoted phrase over the analyzed tokens (exact whatever match_any
 * says).  Returns new. */
zc_xap_query *zc_qc_phrase(zc_qc *c, const char *pfx, int collect, int count);
/* When collect: the analyzed tokens' phrase tokens as one highlight
 * sequence marked whole (zc_hl_add_seq_whole: only where they all stand in
 * order, as one span), without making a query.  For document numbers. */
void zc_qc_hl_phrase(zc_qc *c, int collect);
/* The unit term of a canonical unit (unit.h): ZC_PFX_UNIT + canon,
 * highlighted (collect) wherever a hit's text holds the unit in any
 * spelling.  Returns new. */
zc_xap_query *zc_qc_unit(zc_qc *c, const char *canon, int collect);

#endif
