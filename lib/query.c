/* query.c — query text to a Xapian query (query.h): the façade over the
 * query pipeline, text -> zc_qparse (tree) -> zc_qsyn_expand (synonyms)
 * -> zc_qplan_make (plan) -> zc_qcompile (Xapian query, highlights,
 * spelling candidates).
 *
 * Owns: nothing but the order of the stages.  Must never: hold query
 * logic of its own; each stage's rules live in its module.
 */
#include "lib/qcompile.h"
#include "lib/qparse.h"
#include "lib/qplan.h"
#include "lib/qsyn.h"
#include "lib/query.h"

int zc_query_is_stopword(const char *term, size_t len)
{
    return zc_qplan_is_stopword(term, len);
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
    return zc_query_build_split(a, text, len, opts, out, NULL, hl, words, n_words, NULL, err);
}

zc_status zc_query_build_split(zc_analyzer *a, const char *text, size_t len,
                               const zc_query_opts *opts, zc_xap_query **out,
                               zc_xap_query **first, zc_hl **hl, zc_query_word **words,
                               size_t *n_words, zc_xap_query **topic, zc_error *err)
{
    *out = NULL;
    if (topic != NULL)
        *topic = NULL;
    if (first != NULL)
        *first = NULL;
    if (hl != NULL)
        *hl = NULL;
    if (words != NULL)
        *words = NULL;
    if (n_words != NULL)
        *n_words = 0;
    zc_qtree *tree = NULL;
    zc_status st = zc_qparse(text, len, &tree, err);
    if (st != ZC_OK)
        return st;
    if (opts != NULL && opts->n_syn > 0 &&
        (st = zc_qsyn_expand(tree, opts->syn, opts->n_syn, a, err)) != ZC_OK) {
        zc_qtree_free(tree);
        return st;
    }
    zc_qplan plan;
    zc_qplan_make(tree, opts != NULL && opts->match_any, &plan);
    st = zc_qcompile(a, tree, &plan, out, first, hl, words, n_words, NULL, topic, err);
    zc_qtree_free(tree);
    return st;
}
