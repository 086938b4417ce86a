/* snippet.c — snippets (zc_snippet_make): the entry point and the
 * rendering.
 *
 * Owns: turning a text, a term set and a size into the snippet's bytes:
 * scan (snippet_scan.c) -> keep and choose the window (snippet_window.c)
 * -> render here.  Overlapping or touching matched spans (CJK bigrams
 * overlap) are merged into one <b>...</b>.
 *
 * Must never: cut inside a UTF-8 character, emit a raw newline (a reply is
 * one line), or emit unescaped & < > " from the document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/snippet.h"
#include "lib/snippet_scan.h"
#include "lib/snippet_window.h"
#include "base/strbuf.h"
#include "base/utf8.h"

/* ---- rendering --------------------------------------------------------- */

/* Emits text[from, to) escaped, with whitespace runs folded to one space
 * and invalid bytes replaced by U+FFFD; *last_space tracks the fold across
 * calls. */
static void emit_text(zc_strbuf *b, const char *text, size_t len, size_t from,
                      size_t to, int *last_space)
{
    size_t p = from;
    while (p < to) {
        unsigned char c = (unsigned char)text[p];
        if (c < 0x20 || c == 0x7F) {
            if (!*last_space)
                zc_strbuf_put(b, " ", 1);
            *last_space = 1;
            p++;
            continue;
        }
        if (c == ' ') {
            if (!*last_space)
                zc_strbuf_put(b, " ", 1);
            *last_space = 1;
            p++;
            continue;
        }
        *last_space = 0;
        switch (c) {
        case '&': zc_strbuf_puts(b, "&amp;"); p++; continue;
        case '<': zc_strbuf_puts(b, "&lt;"); p++; continue;
        case '>': zc_strbuf_puts(b, "&gt;"); p++; continue;
        case '"': zc_strbuf_puts(b, "&quot;"); p++; continue;
        default: break;
        }
        uint32_t cp;
        size_t k = zc_utf8_decode((const unsigned char *)text, len, p, &cp);
        if (k == 0 || p + k > to) {
            zc_strbuf_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        zc_strbuf_put(b, text + p, k);
        p += k;
    }
}

/* Renders text[start, end) with the merged spans marked. */
static void render(zc_strbuf *b, const char *text, size_t len, size_t start,
                   size_t end, const zc_snip_match *spans, size_t n_spans,
                   int lead_ellipsis, int tail_ellipsis)
{
    int last_space = 0;
    if (lead_ellipsis)
        zc_strbuf_puts(b, "…");
    size_t p = start;
    for (size_t i = 0; i < n_spans && p < end; i++) {
        size_t s = spans[i].start, e = spans[i].end;
        if (e <= p)
            continue;
        if (s >= end)
            break;
        if (s < p)
            s = p;
        if (e > end)
            e = end;
        emit_text(b, text, len, p, s, &last_space);
        zc_strbuf_puts(b, "<b>");
        emit_text(b, text, len, s, e, &last_space);
        zc_strbuf_puts(b, "</b>");
        last_space = 0;
        p = e;
    }
    emit_text(b, text, len, p, end, &last_space);
    /* A cut that falls on whitespace leaves a trailing space: drop it. */
    while (b->len > 0 && b->p[b->len - 1] == ' ') {
        b->len--;
        b->p[b->len] = '\0';
    }
    if (tail_ellipsis)
        zc_strbuf_puts(b, "…");
}

/* Hands b's text to the caller (an empty string if nothing was written). */
static zc_status take_buf(zc_strbuf *b, char **out, size_t *len_out, zc_error *err)
{
    if (!b->oom && b->p == NULL) {
        b->p = malloc(1);
        if (b->p != NULL) {
            b->p[0] = '\0';
            b->len = 0;
        }
    }
    if (b->p == NULL || b->oom) {
        free(b->p);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    *out = b->p;
    if (len_out)
        *len_out = b->len;
    return ZC_OK;
}

zc_status zc_snippet_make(zc_analyzer *a, zc_analyzer *seg, const zc_hl *hl, const char *text,
                          size_t len, size_t max_chars, char **out, size_t *len_out,
                          zc_error *err)
{
    *out = NULL;
    if (len_out)
        *len_out = 0;
    if (text == NULL)
        len = 0;
    zc_snip_match *m = NULL;
    size_t n = 0;
    zc_status st = zc_snip_scan(a, seg, hl, text, len, max_chars, &m, &n, err);
    if (st != ZC_OK)
        return st;
    zc_snip_window w;
    if ((st = zc_snip_keep(hl, m, &n, err)) != ZC_OK ||
        (st = zc_snip_window_choose(text, len, zc_hl_count(hl), m, n, max_chars, &w, err)) !=
            ZC_OK) {
        free(m);
        return st;
    }
    zc_strbuf b = {0};
    render(&b, text, len, w.start, w.end, m, w.n_spans, w.lead, w.tail);
    free(m);
    return take_buf(&b, out, len_out, err);
}
