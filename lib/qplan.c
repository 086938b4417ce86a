/* qplan.c — query planning (qplan.h): the ranking policy as data.
 *
 * Owns: the weights of the ranking-only parts (tuned with make eval and
 * shared/zh-ir) and the rules that choose them.  Must never: analyze text
 * or touch Xapian; the compiler carries the plan out.
 */
#include <string.h>

#include "lib/qplan.h"

/* Weights of the ranking-only parts (AND_MAYBE), relative to the main
 * query's own BM25 weight.  The whole free text as a phrase weighs 3 for
 * match all: a document holding the exact sequence typed should beat one
 * holding its words apart but often (make eval: known-item body pieces,
 * unquoted English phrases); 1 for match any, where a question's exact
 * wording is rarely in the answer.  The title form is off for match any: a
 * question's words in an article's name (zh-ir:
 * 中华人民共和国民法典第五十四条) tell little. */
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

static void walk(const zc_qnode *n, zc_qplan *p)
{
    switch (n->type) {
    case ZC_QN_WORD:
    case ZC_QN_PHRASE:
        if (n->field != ZC_QF_NONE || n->literal == ZC_QF_DOCNO)
            p->prox = 0;
        if (n->literal == ZC_QF_LANG)
            p->plain = 0;
        break;
    case ZC_QN_DOCNO: p->prox = 0; break;
    case ZC_QN_LANG:
    case ZC_QN_TAG: p->plain = 0; break;
    case ZC_QN_OR:
    case ZC_QN_GROUP: p->prox = 0; break;
    case ZC_QN_NOT: p->plain = 0; break;
    case ZC_QN_AND: break;
    /* Synonyms: what was typed decides (its kids[0]); the alternatives are
     * free-text leaves that change nothing here. */
    case ZC_QN_SYN: break;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        walk(n->kids[i], p);
}

void zc_qplan_make(const zc_qtree *t, int match_any, zc_qplan *out)
{
    out->match_any = match_any != 0;
    out->prox = 1;
    out->plain = 1;
    if (t->root != NULL)
        walk(t->root, out);
}

int zc_qplan_want_title_key(const zc_qplan *p, const zc_qfacts *f)
{
    return p->prox && !f->docno_word && p->plain && f->units > 0 && !p->match_any;
}

int zc_qplan_want_whole_docno(const zc_qplan *p, const zc_qfacts *f, const char *text,
                              size_t len)
{
    if (!zc_qplan_want_title_key(p, f) || f->units < 2)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] >= '0' && text[i] <= '9')
            return 1;
    /* Full-width digits (０-９, EF BC 90-99) count too. */
    for (size_t i = 0; i + 2 < len; i++)
        if ((unsigned char)text[i] == 0xEF && (unsigned char)text[i + 1] == 0xBC &&
            (unsigned char)text[i + 2] >= 0x90 && (unsigned char)text[i + 2] <= 0x99)
            return 1;
    return 0;
}

int zc_qplan_want_prox(const zc_qplan *p, const zc_qfacts *f)
{
    return p->prox && !f->docno_word && f->prox_parts >= 2 && f->prox_terms >= 2 &&
           f->prox_terms <= ZC_QPLAN_PROX_MAX_TERMS;
}

static size_t add(zc_qboost *out, size_t n, zc_qboost_kind kind, double weight, int scale,
                  int rescore)
{
    out[n].kind = kind;
    out[n].weight = weight;
    out[n].scale = scale;
    out[n].rescore = rescore;
    return n + 1;
}

size_t zc_qplan_boosts(const zc_qplan *p, const zc_qfacts *f, zc_seg_mode mode, int split,
                       zc_qboost *out)
{
    size_t n = 0;
    double title = BOOST_TITLE(p->match_any);
    if (f->title_key)
        n = add(out, n, ZC_QB_TITLE_KEY, ZC_QPLAN_TITLE_KEY_SCALE, 1, 0);
    /* (not when the text is a document number: "Executive Order 12944"
     * is the order, not the amendments whose titles cite it) */
    if (title > 0 && !f->whole_docno && f->title_units >= 2)
        n = add(out, n, ZC_QB_TITLE_ALL, BOOST_TITLE_ALL, 1, 0);
    if (title > 0 && f->title_units > 0)
        n = add(out, n, ZC_QB_TITLE, title, title != 1.0, 0);
    if (f->words)
        n = add(out, n, ZC_QB_WORDS, BOOST_WORDS, BOOST_WORDS != 1.0, 0);
    if (zc_qplan_want_prox(p, f)) {
        /* The proximity of words alone (English) is cheap: their position
         * lists are short.  With CJK terms it reads the position lists of
         * common bigrams in every candidate, long in long texts (a quarter
         * of all query time on the benchmark's 256 MiB): a rescoring boost,
         * which a caller may apply to its best hits only (search.c).  Words
         * mode matches loosely (a run is the AND of its words and
         * characters), so the phrase boost is what lifts the text holding
         * the typed sequence, often from below the window: make eval,
         * known-item body pieces 0.887 -> 0.785 MRR@10 when rescored.  One
         * pass there. */
        int rescore = f->prox_cjk && split && mode != ZC_SEG_WORDS;
        n = add(out, n, ZC_QB_PHRASE, BOOST_PHRASE(p->match_any), 1, rescore);
        n = add(out, n, ZC_QB_NEAR, BOOST_NEAR, 1, rescore);
    }
    return n;
}

/* The classic short English list (Lucene's StopAnalyzer set).  Stopwords
 * are indexed like every word, so phrases keep them; a free-text query
 * drops them from its AND unless nothing else is left. */
static const char *const STOPWORDS[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in",
    "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their",
    "then", "there", "these", "they", "this", "to", "was", "will", "with",
};

int zc_qplan_is_stopword(const char *term, size_t len)
{
    if (len == 0 || len > 5)
        return 0;
    for (size_t i = 0; i < sizeof STOPWORDS / sizeof STOPWORDS[0]; i++)
        if (strlen(STOPWORDS[i]) == len && memcmp(STOPWORDS[i], term, len) == 0)
            return 1;
    return 0;
}
