/* docbuild.h — the mapping of one parsed document onto a Xapian document:
 * its terms, positions, values and data (lib/schema.h; docs/index-format.md
 * is the prose version).
 *
 * Owns: the index layout of one document as written.
 * Must never: parse documents (docmodel.c does), tokenize (analyzer.c
 * does), write to an index (index.c does), or touch Xapian except through
 * wrappers/xapian.h.
 */
#ifndef ZC_DOCBUILD_H
#define ZC_DOCBUILD_H

#include <stddef.h>

#include "lib/analyzer.h"
#include "lib/docmodel.h"
#include "lib/spell.h"
#include "wrappers/xapian.h"

/* Builds the Xapian document for d, whose unique id term (zc_index_id_term)
 * is idterm[0..idterm_len); the words of an "en" document's title and body
 * are collected into spell.  an: borrowed for the call.  *out: returns new;
 * free with zc_xap_doc_free (NULL on failure, spell then holds what was
 * collected so far).  ZC_ENOMEM, or the analyzer's and the wrapper's
 * errors. */
zc_status zc_docbuild_make(zc_analyzer *an, const zc_doc *d, const char *idterm, size_t idterm_len,
                           zc_spell_set *spell, zc_xap_doc **out, zc_error *err);

#endif
