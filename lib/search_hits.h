/* search_hits.h — reading one hit of a match set: its fields, its snippet,
 * its unique id term.
 *
 * Owns: where a hit's fields come from (the stored document when a snippet
 * needs its body anyway; else the hit value, ZC_SLOT_HIT; else, for an
 * index written without hit values, the stored document), and the text a
 * snippet is made from (the body, or the title when there is none).
 * Must never: decide which hits make the page or in what order (search.c
 * does); depend on a docid (an index may be a set of shards).
 */
#ifndef ZC_SEARCH_HITS_H
#define ZC_SEARCH_HITS_H

#include <stddef.h>

#include "lib/index_internal.h"
#include "lib/snippet_terms.h"
#include "lib/zhengce.h"

/* Reads hit i of ms into h (zeroed by the caller): score and fields, and
 * with want_snippet a snippet highlighting hl's terms made with idx's
 * analyzers (idx and hl are not used otherwise, and may be NULL).  id, lang and title
 * are never NULL on success.  h's strings: new, each freed with free()
 * (zc_results_free does it for a hit of results); on failure h may hold
 * some, which the caller frees the same way.  Errors: the match set's and
 * the snippet's, ZC_ECORRUPT for a document with neither hit fields nor
 * readable data, ZC_ENOMEM. */
zc_status zc_hits_read(zc_index *idx, zc_xap_mset *ms, size_t i, const zc_hl *hl,
                       int want_snippet, zc_hit *h, zc_error *err);

/* Hit i's unique id term (zc_index_id_term) into buf (ZC_TERM_MAX_BYTES + 1
 * bytes), *len its length: from the hit value's id, or the stored
 * document's for an index written without one.  ZC_ECORRUPT when neither
 * holds an id. */
zc_status zc_hits_id_term(zc_xap_mset *ms, size_t i, char *buf, size_t *len, zc_error *err);

#endif
