/* seguser.h — user words for the segmenter: the words an index adds to
 * friso's dictionary (lib/userdict.h reads its file), as a word table of
 * their own (segwords.h) that the segmenter looks up beside the
 * dictionary's.  They compete in MMSEG's chunks like any word (frequency
 * 1), in sessions given them with zc_seg_session_set_user (segmenter.h),
 * which then use MMSEG's complex mode whatever an ini file chose.
 *
 * Owns: the table and its reference count.  Must never: change a table
 * once built (threads share it), or accept a word the segmenter could not
 * match (Han characters only, as friso counts them).
 */
#ifndef ZC_SEGUSER_H
#define ZC_SEGUSER_H

#include <stddef.h>

#include "base/zc_status.h"
#include "wrappers/segwords.h"

/* The longest user word, in characters: MMSEG weighs chunks of three
 * words, max_len^3 of them per character, so a session with user words
 * of 8 characters does about 4 times the work of one without. */
#define ZC_SEG_USER_MAX_CHARS 8

typedef struct zc_seg_user zc_seg_user;

/* A user word table of the n words words[i] (lens[i] bytes each; UTF-8 of
 * 2 to ZC_SEG_USER_MAX_CHARS Han characters, as the analyzer folds them:
 * Simplified, normalized; duplicates allowed).  ZC_EINVAL naming the first
 * word that is none (its index + 1), ZC_ENOMEM.  Returns new, with one
 * reference; the table is read-only, shared by threads through references
 * (zc_seg_user_ref), and freed when the last one is dropped
 * (zc_seg_user_free).  A session borrows it: hold a reference while a
 * session uses it. */
zc_status zc_seg_user_new(const char *const *words, const size_t *lens, size_t n, zc_seg_user **out,
                          zc_error *err);

/* One more reference to u (NULL stays NULL); returns u.  Thread-safe. */
zc_seg_user *zc_seg_user_ref(zc_seg_user *u);

/* Drops a reference; the last one frees the table.  NULL is allowed.
 * Thread-safe. */
void zc_seg_user_free(zc_seg_user *u);

/* Number of words given to zc_seg_user_new (0 for NULL). */
size_t zc_seg_user_size(const zc_seg_user *u);

/* The words' table (borrowed while a reference is held) and the longest
 * word, in characters: for the segmenter's look-ups. */
const zc_segw *zc_seg_user_table(const zc_seg_user *u);
size_t zc_seg_user_max_chars(const zc_seg_user *u);

#endif
