/* snippet_window.c — which matches a snippet shows, and which characters
 * (snippet_window.h).
 *
 * Owns: the sequence check (the pieces of a phrase are shown only where
 * the whole phrase occurs), the densest-window choice, and the placement of
 * the window (from a sentence start when one is in reach, else with a
 * little context before the first match).
 * Must never: cut inside a UTF-8 character, or spend unbounded time on a
 * hostile phrase (SNIPPET_SEQ_STEPS).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/snippet_terms_internal.h"
#include "lib/snippet_window.h"
#include "base/utf8.h"

/* ---- walking the text ---------------------------------------------------- */

/* Bytes of one character at text[p] (invalid bytes count as one). */
static inline size_t char_step(const char *text, size_t len, size_t p)
{
    const unsigned char *t = (const unsigned char *)text + p;
    /* ASCII and valid 3-byte characters (all of CJK) first: every walk
     * over the text comes through here. */
    if (t[0] < 0x80)
        return 1;
    if ((t[0] & 0xF0) == 0xE0 && len - p >= 3 && (t[1] & 0xC0) == 0x80 &&
        (t[2] & 0xC0) == 0x80 && (t[0] != 0xE0 || t[1] >= 0xA0) &&
        (t[0] != 0xED || t[1] < 0xA0))
        return 3;
    uint32_t cp;
    size_t k = zc_utf8_decode(t, len - p, 0, &cp);
    return k ? k : 1;
}

/* Start of the character before byte p (p > 0), for valid text; invalid
 * bytes step back by one. */
static size_t char_back(const char *text, size_t p)
{
    size_t q = p - 1;
    size_t lim = p >= 4 ? p - 4 : 0;
    while (q > lim && ((unsigned char)text[q] & 0xC0) == 0x80)
        q--;
    return q;
}

static int is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Whitespace that the snippet may drop at its edges: ASCII whitespace and
 * the ideographic space U+3000. */
static size_t space_len(const char *text, size_t len, size_t p)
{
    unsigned char c = (unsigned char)text[p];
    if (is_ascii_space(c))
        return 1;
    if (c == 0xE3 && p + 2 < len && (unsigned char)text[p + 1] == 0x80 &&
        (unsigned char)text[p + 2] == 0x80)
        return 3;
    return 0;
}

/* 1 if a sentence or paragraph starts at byte p: the text before it ends
 * with 。！？；!?; or a newline, or with '.' and p is whitespace. */
static int sentence_start(const char *text, size_t len, size_t p)
{
    if (p == 0)
        return 1;
    size_t q = char_back(text, p);
    const char *c = text + q;
    size_t n = p - q;
    if (n == 1) {
        switch (*c) {
        case '\n': case '!': case '?': case ';':
            return 1;
        case '.':
            return p < len && is_ascii_space((unsigned char)text[p]);
        default:
            return 0;
        }
    }
    if (n == 3) {
        static const char *const marks[] = {"。", "！", "？", "；", "…"};
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
            if (memcmp(c, marks[k], 3) == 0)
                return 1;
    }
    return 0;
}


/* Byte just past max_chars characters from start (or len). */
static size_t advance_chars(const char *text, size_t len, size_t start,
                            size_t max_chars)
{
    size_t p = start;
    for (size_t k = 0; k < max_chars && p < len; k++)
        p += char_step(text, len, p);
    return p;
}

/* Characters in text[from, to). */
static size_t count_chars(const char *text, size_t len, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t p = from; p < to && p < len; p += char_step(text, len, p))
        n++;
    return n;
}

static size_t skip_spaces(const char *text, size_t len, size_t p)
{
    size_t k;
    while (p < len && (k = space_len(text, len, p)) > 0)
        p += k;
    return p;
}

/* 1 if text[p, len) holds anything but whitespace. */
static int more_text(const char *text, size_t len, size_t p)
{
    return skip_spaces(text, len, p) < len;
}

/* ---- which part matches are shown -------------------------------------- */

typedef struct pos_key {
    uint32_t pos, id;
    size_t m;           /* index into the matches */
} pos_key;

static int cmp_pos_key(const void *a, const void *b)
{
    const pos_key *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return 0;
}

/* The key of (pos, id) in keys[0..n), or NULL. */
static const pos_key *find_key(const pos_key *keys, size_t n, uint32_t pos, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].pos < pos || (keys[mid].pos == pos && keys[mid].id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo].pos == pos && keys[lo].id == id ? &keys[lo] : NULL;
}

/* Steps (find_key calls) one snippet may spend matching sequences: with
 * gaps a sequence can be tried two ways at each gap, so a hostile phrase
 * against a hostile text could otherwise take exponential time.  Past the
 * budget the remaining sequences are simply not marked. */
#define SNIPPET_SEQ_STEPS 200000u

/* 1 if items[k..n) occur after position prev (each at the next position,
 * or one further where the item allows a gap); marks what it finds, and
 * raises *end to the end of each.  Recursion depth is the sequence length,
 * which the query bounds; *budget bounds the work. */
static int seq_from(const zc_hl_seq_item *items, size_t k, size_t n, uint32_t prev,
                    const pos_key *keys, size_t nk, zc_snip_match *m, size_t *budget,
                    size_t *end)
{
    if (k == n)
        return 1;
    for (uint32_t d = 1; d <= 1u + items[k].gap; d++) {
        if (*budget == 0)
            return 0;
        (*budget)--;
        const pos_key *hit = find_key(keys, nk, prev + d, items[k].id);
        if (hit != NULL && seq_from(items, k + 1, n, prev + d, keys, nk, m, budget, end)) {
            m[hit->m].keep = 1;
            if (m[hit->m].end > *end)
                *end = m[hit->m].end;
            return 1;
        }
    }
    return 0;
}

/* zc_snip_keep; returns the new count, or SIZE_MAX when out of memory. */
static size_t keep_parts(const zc_hl *hl, zc_snip_match *m, size_t n)
{
    size_t n_seqpos = 0;
    for (size_t i = 0; i < n; i++) {
        m[i].keep = !m[i].part;
        if (m[i].positional)
            n_seqpos++;
    }
    if (hl->n_seqs > 0 && n_seqpos > 0) {
        pos_key *keys = malloc(n_seqpos * sizeof *keys);
        if (keys == NULL)
            return SIZE_MAX;
        size_t nk = 0;
        for (size_t i = 0; i < n; i++)
            if (m[i].positional)
                keys[nk++] = (pos_key){m[i].pos, m[i].id, i};
        qsort(keys, nk, sizeof *keys, cmp_pos_key);
        size_t budget = SNIPPET_SEQ_STEPS;
        for (size_t s = 0; s < hl->n_seqs; s++) {
            const zc_hl_seq_item *items = hl->items + hl->seqs[s].first;
            size_t len = hl->seqs[s].n;
            for (size_t k = 0; k < nk; k++) {
                if (keys[k].id != items[0].id)
                    continue;
                size_t end = m[keys[k].m].end;
                if (seq_from(items, 1, len, keys[k].pos, keys, nk, m, &budget, &end)) {
                    m[keys[k].m].keep = 1;
                    /* one span: the first match reaches to the last (the
                     * others lie inside it and merge with it) */
                    if (hl->seqs[s].whole)
                        m[keys[k].m].end = end;
                }
            }
        }
        free(keys);
    }
    /* Loose parts: a cluster of overlapping shown-or-loose matches keeps its
     * loose parts unless it is one loose part alone. */
    size_t out = 0, i = 0;
    while (i < n) {
        if (!m[i].keep && m[i].in_seq) {
            i++;
            continue;
        }
        size_t j = i + 1, end = m[i].end, members = 1;
        int all_loose = !m[i].keep;
        while (j < n && m[j].start < end) {
            if (!m[j].keep && m[j].in_seq) {
                j++;
                continue;
            }
            if (m[j].end > end)
                end = m[j].end;
            all_loose = all_loose && !m[j].keep;
            members++;
            j++;
        }
        int keep_cluster = !(all_loose && members == 1);
        for (size_t k = i; k < j; k++) {
            if (!m[k].keep && m[k].in_seq)
                continue;
            if (m[k].keep || keep_cluster)
                m[out++] = m[k];
        }
        i = j;
    }
    return out;
}

/* Characters in text[from, to) counted as the bytes that start one: the
 * same as char_step's count for valid UTF-8 (stored documents are
 * validated when indexed), only a window-size estimate otherwise, and
 * several times faster: this walks the text up to the last match. */
static size_t count_starts(const char *text, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t p = from; p < to; p++)
        n += ((unsigned char)text[p] & 0xC0) != 0x80;
    return n;
}

/* Fills cstart/cend of matches sorted by start, in one walk of the text. */
static void char_offsets(const char *text, size_t len, zc_snip_match *m, size_t n)
{
    size_t p = 0, ci = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = m[i].start < len ? m[i].start : len;
        size_t e = m[i].end < len ? m[i].end : len;
        if (s > p) {
            ci += count_starts(text, p, s);
            p = s;
        }
        m[i].cstart = ci;
        m[i].cend = ci + (e > p ? count_starts(text, p, e) : 0);
    }
}

zc_status zc_snip_keep(const zc_hl *hl, zc_snip_match *m, size_t *n, zc_error *err)
{
    if (*n == 0)
        return ZC_OK;
    size_t kept = keep_parts(hl, m, *n);
    if (kept == SIZE_MAX)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    *n = kept;
    return ZC_OK;
}

/* ---- the window ---------------------------------------------------------- */

/* The run m[*bi, *bj) of matches spanning <= max_chars characters with the
 * most distinct terms, then the most matches (m has character offsets; n >
 * 0).  ZC_ENOMEM. */
static zc_status best_run(const zc_snip_match *m, size_t n, size_t n_terms, size_t max_chars,
                          size_t *bi, size_t *bj, zc_error *err)
{
    uint32_t *cnt = calloc(n_terms, sizeof *cnt);
    if (cnt == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    size_t best_i = 0, best_j = 1, best_d = 0, best_n = 0;
    size_t j = 0, distinct = 0;
    for (size_t i = 0; i < n; i++) {
        /* j == i: the window is empty; take match i whatever its
         * length. */
        while (j < n && (j == i || m[j].cend - m[i].cstart <= max_chars)) {
            if (cnt[m[j].id]++ == 0)
                distinct++;
            j++;
        }
        if (distinct > best_d || (distinct == best_d && j - i > best_n)) {
            best_d = distinct;
            best_n = j - i;
            best_i = i;
            best_j = j;
        }
        if (--cnt[m[i].id] == 0)
            distinct--;
    }
    free(cnt);
    *bi = best_i;
    *bj = best_j;
    return ZC_OK;
}

static int ascii_alnum(const char *text, size_t p)
{
    unsigned char c = (unsigned char)text[p];
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Moves the edges of text[*start, *end) off the inside of an English word
 * or number (an ASCII letter/digit run), inward so the window only shrinks
 * and stays within its budget: "…ulation of ports" reads worse than
 * "…of ports".  Never past keep_from / keep_to (the shown matches), and
 * not when the window is one run. */
static void word_edges(const char *text, size_t len, size_t keep_from, size_t keep_to,
                       size_t *start, size_t *end)
{
    size_t s = *start, e = *end;
    if (s > 0 && s < e && ascii_alnum(text, s - 1) && ascii_alnum(text, s)) {
        size_t q = s;
        while (q < e && q < keep_from && ascii_alnum(text, q))
            q++;
        if (q < e && q <= keep_from && !ascii_alnum(text, q))
            s = skip_spaces(text, e, q);
        if (s > keep_from)
            s = keep_from;
    }
    if (e < len && e > s && ascii_alnum(text, e - 1) && ascii_alnum(text, e)) {
        size_t q = e;
        while (q > s && q > keep_to && ascii_alnum(text, q - 1))
            q--;
        if (q > s && q >= keep_to && !ascii_alnum(text, q - 1))
            e = q;
        while (e > s && e > keep_to && text[e - 1] == ' ')
            e--;
    }
    *start = s;
    *end = e;
}

/* Where a window showing m[bi, bj) starts: a sentence boundary shortly
 * before the first match if there is one; otherwise a little context
 * before it.  Then, when the window would reach the end of the text with
 * room to spare, earlier.  *end: byte past max_chars characters. */
static void place(const char *text, size_t len, const zc_snip_match *m, size_t bi, size_t bj,
                  size_t max_chars, size_t *start_out, size_t *end_out)
{
    size_t cs = m[bi].cstart, ce = m[bi].cend;
    size_t first = m[bi].start;
    for (size_t k = bi; k < bj; k++)
        if (m[k].cend > ce)
            ce = m[k].cend;
    size_t slack = ce - cs < max_chars ? max_chars - (ce - cs) : 0;

    size_t look = slack < max_chars / 2 ? slack : max_chars / 2;
    size_t p = first, back = 0, found = (size_t)-1, start;
    while (1) {
        if (sentence_start(text, len, p)) {
            found = p;
            break;
        }
        if (back >= look || p == 0)
            break;
        p = char_back(text, p);
        back++;
    }
    if (found != (size_t)-1) {
        start = found;
    } else {
        size_t ctx = slack / 2 < 15 ? slack / 2 : 15;
        start = first;
        for (size_t k = 0; k < ctx && start > 0; k++)
            start = char_back(text, start);
    }
    start = skip_spaces(text, len, start);
    if (start > first)
        start = first;
    size_t end = advance_chars(text, len, start, max_chars);
    if (end == len && start > 0) {
        /* The window reaches the end of the text with room to spare:
         * spend it on the text before, from a sentence start if one
         * is in reach. */
        size_t room = max_chars - count_chars(text, len, start, end);
        size_t q = start;
        for (size_t k = 0; k < room && q > 0; k++)
            q = char_back(text, q);
        size_t s2 = q;
        if (q > 0) {
            while (s2 < start && !sentence_start(text, len, s2))
                s2 += char_step(text, len, s2);
            if (s2 == start)
                s2 = q;
        }
        start = skip_spaces(text, len, s2);
    }
    size_t last = m[bi].end;
    for (size_t k = bi; k < bj; k++)
        if (m[k].end > last)
            last = m[k].end;
    word_edges(text, len, first, last < end ? last : end, &start, &end);
    *start_out = start;
    *end_out = end;
}

zc_status zc_snip_window_choose(const char *text, size_t len, size_t n_terms,
                                zc_snip_match *m, size_t n, size_t max_chars,
                                zc_snip_window *w, zc_error *err)
{
    *w = (zc_snip_window){0};
    if (n == 0) {
        /* Nothing matches: the start of the text. */
        w->start = skip_spaces(text, len, 0);
        w->end = advance_chars(text, len, w->start, max_chars);
        word_edges(text, len, w->start, w->start, &w->start, &w->end);
        w->tail = more_text(text, len, w->end);
        return ZC_OK;
    }
    char_offsets(text, len, m, n);
    size_t bi = 0, bj = 1;
    zc_status st = best_run(m, n, n_terms, max_chars, &bi, &bj, err);
    if (st != ZC_OK)
        return st;
    place(text, len, m, bi, bj, max_chars, &w->start, &w->end);

    /* Merge overlapping or touching spans into the ones to mark. */
    size_t ns = 0;
    for (size_t k = 0; k < n; k++) {
        if (ns > 0 && m[k].start <= m[ns - 1].end) {
            if (m[k].end > m[ns - 1].end)
                m[ns - 1].end = m[k].end;
        } else {
            m[ns++] = m[k];
        }
    }
    w->n_spans = ns;
    w->lead = more_text(text, w->start, 0);
    w->tail = more_text(text, len, w->end);
    return ZC_OK;
}
