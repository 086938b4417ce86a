/* spell.h — the words of one document destined for Xapian's spelling
 * table, collected while its fields are analyzed and added once per
 * distinct word (with its count) after the document is written: one
 * add_spelling call per word instead of one per occurrence.
 *
 * Owns: the collected words (a zc_spell_set).  Must never: decide which
 * fields or languages feed it (docbuild.c does), or take a word the
 * spelling table would not suggest.
 */
#ifndef ZC_SPELL_H
#define ZC_SPELL_H

#include <stddef.h>

#include "base/strbuf.h"
#include "lib/zhengce.h"
#include "wrappers/xapian.h"

typedef struct zc_spell_set {
    zc_strbuf words; /* NUL-terminated words, back to back */
    size_t *off;     /* start of each word in words.p */
    size_t n, cap_off;
} zc_spell_set; /* zero-initialize: {0} is the empty set */

/* Frees the words s holds (s itself is the caller's); s may be NULL. */
void zc_spell_clear(zc_spell_set *s);

/* Collects t[0..len) when it is a word the spelling table takes (lower-case
 * ASCII letters only, ZC_SPELL_MIN_CHARS..ZC_SPELL_MAX_CHARS of them) and
 * ignores it otherwise.  ZC_ENOMEM. */
zc_status zc_spell_add(zc_spell_set *s, const char *t, size_t len, zc_error *err);

/* Adds every distinct collected word with its count to db's spelling
 * table; s is left as it was.  ZC_ENOMEM, or the wrapper's errors. */
zc_status zc_spell_flush(const zc_spell_set *s, zc_xap_db *db, zc_error *err);

#endif
