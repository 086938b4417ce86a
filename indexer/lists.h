/* indexer/lists.h — zhengce-indexer's --synonyms and --user-dict: an
 * index's own word lists, read from files and written into the index.
 *
 * Owns: reading the files (bounded: a list over the library's limit is
 * refused before it is read whole).  Must never: exit, or leave a list
 * half written (the library checks a list before it stores it).
 */
#ifndef ZC_INDEXER_LISTS_H
#define ZC_INDEXER_LISTS_H

#include "lib/zhengce.h"

/* Stores the files' lists into idx (a write handle) and commits: the user
 * dictionary first (so documents added after are analyzed with it), then
 * the synonyms.  Either path may be NULL.  Returns 0, or -1 after printing
 * why on standard error. */
int zc_ix_set_lists(zc_index *idx, const char *synonyms, const char *user_dict);

#endif
