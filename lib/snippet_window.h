/* snippet_window.h — which matches a snippet shows, and which characters.
 *
 * Owns: deciding which matches are marked (pieces of a query word only
 * together with the rest of it), the window of at most max_chars characters
 * around the densest cluster of them, where it starts (a sentence start if
 * one is near), its edges kept off the inside of English words and numbers
 * (ASCII letter/digit runs: moved inward, never past a shown match) and the
 * spans to mark in it.
 * Must never: cut inside a UTF-8 character, or read outside text[0, len).
 */
#ifndef ZC_SNIPPET_WINDOW_H
#define ZC_SNIPPET_WINDOW_H

#include <stddef.h>

#include "lib/snippet_scan.h"
#include "lib/snippet_terms.h"

/* Decides which matches are shown and drops the others, in place: m[0..*n)
 * sorted by start (zc_snip_scan's order) becomes the shown ones, in the
 * same order.  Shown are full terms always; parts of a sequence
 * (zc_hl_add_seq) where the whole sequence occurs; other parts
 * (zc_hl_add_part) where they overlap another shown match.  ZC_ENOMEM (m
 * and *n unchanged). */
zc_status zc_snip_keep(const zc_hl *hl, zc_snip_match *m, size_t *n, zc_error *err);

/* A chosen window: text[start, end), with "…" before (lead) and after
 * (tail) when text is left out there. */
typedef struct zc_snip_window {
    size_t start, end;  /* bytes, on character boundaries */
    int lead, tail;
    size_t n_spans;     /* spans to mark: m[0, n_spans), merged, by start */
} zc_snip_window;

/* Chooses the window of text[0, len) for the shown matches m[0..n) (sorted
 * by start; n may be 0: the start of the text) of a set of n_terms terms:
 * the run of matches within max_chars characters with the most distinct
 * terms, then the most matches.  Rewrites m in place: fills the character
 * offsets, then merges overlapping or touching matches into the spans to
 * mark.  ZC_ENOMEM. */
zc_status zc_snip_window_choose(const char *text, size_t len, size_t n_terms,
                                zc_snip_match *m, size_t n, size_t max_chars,
                                zc_snip_window *w, zc_error *err);

#endif
