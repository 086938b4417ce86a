/* strbuf.h — a growing NUL-terminated output buffer, shared by the snippet
 * renderer (snippet.c) and the reply writer (search_reply.c).
 *
 * Owns: the buffer's bytes.  Must never: abort or print on allocation
 * failure; a failed append sets oom and every later append is a no-op, so a
 * writer checks once at the end.
 */
#ifndef ZC_STRBUF_H
#define ZC_STRBUF_H

#include <stddef.h>

typedef struct zc_strbuf {
    char *p;        /* NUL-terminated once anything was appended; free() it */
    size_t len, cap;
    int oom;        /* an append failed (out of memory or size overflow) */
} zc_strbuf;        /* zero-initialize: {0} is the empty buffer */

/* Appends s[0..n); on failure sets b->oom and leaves the text as it was. */
void zc_strbuf_put(zc_strbuf *b, const char *s, size_t n);

/* Appends the NUL-terminated s. */
void zc_strbuf_puts(zc_strbuf *b, const char *s);

#endif
