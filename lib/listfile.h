/* listfile.h — what the word-list files of an index share (the synonym
 * list, synonyms.h, and the user dictionary, userdict.h): UTF-8 text, one
 * entry per line, '#' comments, a size limit, errors naming the line. */
#ifndef ZC_LISTFILE_H
#define ZC_LISTFILE_H

#include <stddef.h>

#include "base/zc_status.h"

/* Checks text[0, len) (text may be NULL when len is 0) against max bytes
 * and for valid UTF-8.  name: the file as the user knows it, for the
 * message; key: the error's field ("synonyms", "user_dict"). */
zc_status zc_listfile_check(const char *text, size_t len, size_t max, const char *name,
                            const char *key, zc_error *err);

/* The length of the line s[0, n) (without its LF) once a CR before the LF
 * and a comment are cut off: '#' at the start or after a space or tab
 * starts a comment, so "C#" stays a word. */
size_t zc_listfile_content_len(const char *s, size_t n);

#endif
