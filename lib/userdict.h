/* userdict.h — an index's user dictionary: domain words for the segmenter.
 *
 * Owns: the file format (docs/synonyms.md, "User dictionary") and its
 * limits.  The format: UTF-8 text, one word per line, 2 to
 * ZC_SEG_USER_MAX_CHARS Han characters (after normalization and the
 * Traditional -> Simplified folding the analyzer applies, so 發改委 is the
 * word 发改委); a '#' at the start of a line or after whitespace begins a
 * comment; blank lines are skipped.  The words join friso's dictionary in
 * the words and hybrid analyzers (ngram does not segment): 发改委 becomes
 * one word where MMSEG would cut it into pieces.
 *
 * Must never: read a file (callers hand the text over), or accept a word
 * the segmenter could not match (an error names its line).
 */
#ifndef ZC_USERDICT_H
#define ZC_USERDICT_H

#include <stddef.h>

#include "lib/zhengce.h"
#include "wrappers/segmenter.h"

/* Hand-made lists: 1 MiB is over 100,000 words. */
#define ZC_USERDICT_MAX_BYTES (1024u * 1024u)
/* Words of one dictionary: each is a slot of the segmenter's table. */
#define ZC_USERDICT_MAX_WORDS 200000u
/* Bytes of one line. */
#define ZC_USERDICT_MAX_LINE 256

/* Parses a dictionary; name names it in messages.  ZC_EINVAL ("user_dict")
 * naming the line of a word that breaks the format, ZC_ETOOLONG past a
 * limit, ZC_ENOMEM, or the analyzer's errors.  *out: returns new (NULL
 * when the text holds no word), one reference; free with
 * zc_seg_user_free.  *n_words (may be NULL): its words. */
zc_status zc_userdict_parse(const char *text, size_t len, const char *name, zc_seg_user **out,
                            size_t *n_words, zc_error *err);

#endif
