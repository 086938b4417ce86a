/* search_stored.h — reading a few top-level strings of a stored document
 * (its compact JSON, docstore.h) without parsing all of it.
 *
 * Why: a hit's snippet needs one string of the stored JSON, and building a
 * jansson tree of a whole document costs more than the rest of the search.
 * This scanner walks the top-level object, skips the other values, and
 * decodes only the strings asked for.
 *
 * Owns: nothing past a call; the strings it returns are the caller's.
 * Must never: guess.  Stored data is jansson's own output; on anything the
 * scanner does not expect it answers ZC_ECORRUPT and returns nothing, so
 * the caller can let jansson read the document instead.
 */
#ifndef ZC_SEARCH_STORED_H
#define ZC_SEARCH_STORED_H

#include <stddef.h>

#include "lib/zhengce.h"

/* How much of a long string (the body) is kept: more than a snippet scans
 * (snippet_scan.c). */
#define ZC_STORED_BODY_MAX_BYTES (2u * 1024u * 1024u)

/* The top-level strings keys[0..n) of the JSON object data[0..len), in one
 * walk.  outs[k]: returns new (free with free()), NUL-terminated, its byte
 * length in lens[k] (a \u0000 in the text stays in it); NULL when the key
 * is absent or its value is not a string.  Keys are compared as written
 * (an escaped key matches nothing); of a key given twice, the first string
 * value counts.  The last key's string is cut to about last_max bytes, on
 * a character boundary (an escaped character may take it up to 4 bytes
 * over); the others are whole.  Escapes are decoded (a lone surrogate as
 * U+FFFD); other bytes are copied as they are.  Nothing after the object's
 * closing brace is read.
 * ZC_ECORRUPT: data is not an object the scanner reads (every outs[k]
 * NULL); ZC_ENOMEM. */
zc_status zc_stored_fields(const char *data, size_t len, const char *const *keys, size_t n,
                           size_t last_max, char **outs, size_t *lens, zc_error *err);

#endif
