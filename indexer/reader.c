/* reader.c — the JSON Lines framer of reader.h.
 *
 * The state is: the current chunk and how far it was scanned, the part of
 * a line carried over from earlier chunks (at most max_record + 1 bytes),
 * and whether we are skipping the rest of an over-long line.  Each byte is
 * scanned once by memchr; a line entirely inside one chunk is returned in
 * place, without a copy.
 */
#include <stdlib.h>
#include <string.h>

#include "indexer/reader.h"
#include "base/utf8.h"

void zc_rd_init(zc_rd *rd, size_t max_record)
{
    memset(rd, 0, sizeof *rd);
    rd->max_record = max_record > 0 ? max_record : 1;
    rd->line = 1;
}

void zc_rd_free(zc_rd *rd)
{
    if (rd == NULL)
        return;
    free(rd->buf);
    rd->buf = NULL;
    rd->buf_len = rd->buf_cap = 0;
}

void zc_rd_feed(zc_rd *rd, const char *data, size_t len)
{
    rd->chunk_start += rd->in_len;
    rd->in = data;
    rd->in_len = len;
    rd->in_pos = 0;
}

void zc_rd_finish(zc_rd *rd)
{
    rd->finished = 1;
}

/* Appends to the carry-over buffer; the caller has checked the limit. */
static int buf_append(zc_rd *rd, const char *p, size_t n)
{
    if (rd->buf_len + n > rd->buf_cap) {
        size_t cap = rd->buf_cap ? rd->buf_cap : 4096;
        while (cap < rd->buf_len + n)
            cap *= 2;
        if (cap > rd->max_record + 1)
            cap = rd->max_record + 1;
        char *nb = realloc(rd->buf, cap);
        if (nb == NULL)
            return -1;
        rd->buf = nb;
        rd->buf_cap = cap;
    }
    memcpy(rd->buf + rd->buf_len, p, n);
    rd->buf_len += n;
    return 0;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    }
    return 1;
}

/* A whole line [p, p+n) (no LF) that started at stream offset `off` on line
 * `line`.  Returns the event to report, or ZC_RD_NEED_MORE to skip it. */
static zc_rd_result line_done(zc_rd *rd, const char *p, size_t n, uint64_t line,
                              uint64_t off, zc_rd_record *rec)
{
    size_t full = n;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    rec->line = line;
    rec->offset = off;
    if (n > rd->max_record) {
        rec->length = full;
        return ZC_RD_TOO_LONG;
    }
    if (line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        n -= 3;
        off += 3;
        rec->offset = off;
    }
    if (is_blank(p, n))
        return ZC_RD_NEED_MORE;
    size_t bad = 0;
    if (!zc_utf8_valid(p, n, &bad)) {
        rec->bad_offset = off + bad;
        return ZC_RD_BAD_UTF8;
    }
    rec->ptr = p;
    rec->len = n;
    return ZC_RD_RECORD;
}

zc_rd_result zc_rd_next(zc_rd *rd, zc_rd_record *rec)
{
    memset(rec, 0, sizeof *rec);
    for (;;) {
        if (rd->in_pos == rd->in_len) {
            if (!rd->finished)
                return ZC_RD_NEED_MORE;
            if (rd->skipping) {
                rd->skipping = 0;
                rd->buf_len = 0;
                continue;
            }
            if (rd->buf_len > 0) {
                /* The last line has no newline: it is still a record. */
                size_t n = rd->buf_len;
                rd->buf_len = 0;
                uint64_t line = rd->line++;
                zc_rd_result r = line_done(rd, rd->buf, n, line, rd->line_start, rec);
                rd->line_start += n;
                if (r != ZC_RD_NEED_MORE)
                    return r;
                continue;
            }
            return ZC_RD_END;
        }

        const char *p = rd->in + rd->in_pos;
        size_t avail = rd->in_len - rd->in_pos;
        const char *nl = memchr(p, '\n', avail);

        if (rd->skipping) {
            if (nl == NULL) {
                rd->in_pos = rd->in_len;
                continue;
            }
            rd->in_pos += (size_t)(nl - p) + 1;
            rd->skipping = 0;
            rd->line++;
            rd->line_start = rd->chunk_start + rd->in_pos;
            continue;
        }

        if (nl == NULL) {
            /* Part of a line: keep it, unless the line is already past the
             * limit (+1 for a CR that may precede the LF). */
            if (rd->buf_len + avail > rd->max_record + 1) {
                rec->line = rd->line;
                rec->offset = rd->line_start;
                rec->length = rd->buf_len + avail;
                rd->buf_len = 0;
                rd->in_pos = rd->in_len;
                rd->skipping = 1;
                return ZC_RD_TOO_LONG;
            }
            if (buf_append(rd, p, avail) != 0) {
                rec->line = rd->line;
                rec->offset = rd->line_start;
                rd->buf_len = 0;
                rd->in_pos = rd->in_len;
                rd->skipping = 1;
                return ZC_RD_NOMEM;
            }
            rd->in_pos = rd->in_len;
            continue;
        }

        size_t seg = (size_t)(nl - p);
        uint64_t line = rd->line, off = rd->line_start;
        const char *lp;
        size_t ln;
        rd->in_pos += seg + 1;
        rd->line++;
        rd->line_start = rd->chunk_start + rd->in_pos;
        if (rd->buf_len == 0) {
            lp = p;
            ln = seg;
        } else if (rd->buf_len + seg > rd->max_record + 1) {
            rec->line = line;
            rec->offset = off;
            rec->length = rd->buf_len + seg;
            rd->buf_len = 0;
            return ZC_RD_TOO_LONG;
        } else {
            if (buf_append(rd, p, seg) != 0) {
                rec->line = line;
                rec->offset = off;
                rd->buf_len = 0;
                return ZC_RD_NOMEM;
            }
            lp = rd->buf;
            ln = rd->buf_len;
            rd->buf_len = 0; /* buf stays valid until the next call */
        }
        zc_rd_result r = line_done(rd, lp, ln, line, off, rec);
        if (r != ZC_RD_NEED_MORE)
            return r;
    }
}
