/* index_internal.h — what index.c shares with lib/search*.c: the zc_index handle.
 * Not public. */
#ifndef ZC_INDEX_INTERNAL_H
#define ZC_INDEX_INTERNAL_H

#include <stdint.h>

#include "lib/analyzer.h"
#include "lib/lexicon.h"
#include "wrappers/xapian.h"

struct zc_index {
    zc_xap_db *db;        /* owned */
    zc_analyzer *an;      /* owned; one per handle, so one per thread; made on
                           * first use (zc_index_get_analyzer), so opening an
                           * index to GET a document never loads a dictionary */
    zc_analyzer *snip_an; /* owned; the snippets' second analyzer (snippet.h),
                           * made on first use (zc_index_get_snippet_analyzer) */
    zc_seg_mode mode;     /* the index's analyzer (ZC_META_ANALYZER) */
    int writable;
    char *path;           /* owned, NUL-terminated */
    zc_lexicon lex;       /* owned: the index's synonyms and user words, read
                           * at open and at a reopen that moved (lexicon.h) */
};

/* The handle's analyzer (of the index's mode), made on first use.
 * *out: borrowed until zc_index_close.  ZC_ENOTFOUND when the dictionary or
 * the converter data is not installed, ZC_ENOMEM. */
zc_status zc_index_get_analyzer(zc_index *idx, zc_analyzer **out, zc_error *err);

/* A second analyzer of the index's mode for snippets (zc_snippet_make's
 * seg), made on first use; NULL (and ZC_OK) for an ngram index, whose
 * snippets never segment.  *out: borrowed until zc_index_close.  As
 * zc_index_get_analyzer for errors. */
zc_status zc_index_get_snippet_analyzer(zc_index *idx, zc_analyzer **out, zc_error *err);

/* The synonym lists a query of this index looks its words up in (room for
 * 2, in order; zc_lexicon_lists): borrowed until the handle's next reopen
 * or close.  ZC_OK, or the built-in list's error. */
zc_status zc_index_synonyms(zc_index *idx, const zc_syn_table **lists, size_t *n,
                            zc_error *err);

/* The unique id term for an id ("Q"+id, or "Q#"+hash for ids over the term
 * limit), written into buf (ZC_TERM_MAX_BYTES + 1 bytes); returns its length. */
size_t zc_index_id_term(const char *id, size_t len, char *buf);

#endif
