/* lexicon.h — an index's own word lists: its synonym list (synonyms.h)
 * and its user dictionary (userdict.h), kept in the index's metadata
 * (ZC_META_SYNONYMS, ZC_META_USERDICT) so that every handle of the index
 * — a daemon's workers, the CLI, a remote shard's server — applies the
 * same.
 *
 * Owns: reading them (parsed once per open, and again only when a reopen
 * finds the stored text changed) and writing them, with the rule that the
 * user dictionary, which the documents' terms depend on, changes only
 * while the index holds no document.
 *
 * Must never: parse per query, or hand out a list a later load frees
 * while a caller may hold it (a load happens on the handle's own thread,
 * between its searches).
 */
#ifndef ZC_LEXICON_H
#define ZC_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "lib/synonyms.h"
#include "lib/zhengce.h"
#include "wrappers/segmenter.h"
#include "wrappers/xapian.h"

typedef struct zc_lexicon {
    zc_syn_table *syn;  /* owned: the index's synonym list, or NULL */
    uint64_t syn_stamp; /* of the text it was parsed from; 0: none */
    zc_seg_user *user;  /* a reference: the user words, or NULL */
    size_t user_words;
    uint64_t user_stamp; /* 0: none */
} zc_lexicon;            /* zero-initialize */

/* Reads both lists from db's metadata, parsing a list only when its text
 * differs from the one loaded.  *user_changed (may be NULL): set to 1 when
 * the user words changed (analyzers must be given lx->user again).
 * ZC_ECORRUPT naming the key when a stored list does not parse (lists are
 * checked before they are stored), or the database's errors. */
zc_status zc_lexicon_load(zc_lexicon *lx, zc_xap_db *db, int *user_changed, zc_error *err);

/* Frees what lx holds; lx is empty afterwards. */
void zc_lexicon_clear(zc_lexicon *lx);

/* The synonym lists a query of this index looks words up in, in order,
 * into lists (room for 2): its own list, then the built-in one (unless its
 * own says "!no-default").  Returns their count; the lists are borrowed
 * until the next load or clear.  ZC_OK or the built-in list's error. */
zc_status zc_lexicon_lists(const zc_lexicon *lx, const zc_syn_table **lists, size_t *n,
                           zc_error *err);

/* Stores text[0, len) as the index's synonym list (len 0: removes it),
 * after parsing it (zc_syn_parse's errors); lx then holds it.  Pending
 * until the database is committed. */
zc_status zc_lexicon_set_synonyms(zc_lexicon *lx, zc_xap_db *db, const char *text, size_t len,
                                  zc_error *err);

/* Stores text[0, len) as the user dictionary (len 0: removes it), after
 * parsing it (zc_userdict_parse's errors).  The same text again is a no-op;
 * a different one while db holds documents is ZC_EINVAL ("user_dict").
 * *user_changed as zc_lexicon_load.  Pending until the database is
 * committed. */
zc_status zc_lexicon_set_user_dict(zc_lexicon *lx, zc_xap_db *db, const char *text, size_t len,
                                   int *user_changed, zc_error *err);

#endif
