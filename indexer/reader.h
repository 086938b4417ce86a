/* reader.h — the indexer's record reader: a pure line framer for JSON Lines
 * input, fed chunk by chunk.
 *
 * Owns: finding records in a byte stream.  A record is one line; the framer
 * handles lines split across reads (down to one byte per feed), CRLF, a
 * UTF-8 byte order mark at the start of the stream, a last line without a
 * newline (still a record), blank lines (skipped), lines over the record
 * limit (reported once with their line number, then skipped up to the next
 * newline without being buffered), and invalid UTF-8 (reported with the
 * line and the byte offset in the stream).
 * Must never: read files itself, allocate more than max_record + 1 bytes of
 * buffer, or scan a byte twice (no quadratic re-scan on small feeds).
 *
 * Use:
 *   zc_rd rd; zc_rd_init(&rd, max);
 *   while ((n = fread(chunk, ...)) > 0) {
 *       zc_rd_feed(&rd, chunk, n);
 *       while ((r = zc_rd_next(&rd, &rec)) != ZC_RD_NEED_MORE) handle(r, &rec);
 *   }
 *   zc_rd_finish(&rd);
 *   while ((r = zc_rd_next(&rd, &rec)) != ZC_RD_END) handle(r, &rec);
 *   zc_rd_free(&rd);
 */
#ifndef ZC_INDEXER_READER_H
#define ZC_INDEXER_READER_H

#include <stddef.h>
#include <stdint.h>

typedef enum zc_rd_result {
    ZC_RD_NEED_MORE = 0, /* the chunk is used up: feed the next one, or finish */
    ZC_RD_RECORD,        /* rec holds one record */
    ZC_RD_TOO_LONG,      /* a line over max_record: rec.line/offset/length say where */
    ZC_RD_BAD_UTF8,      /* a line with invalid UTF-8: rec.bad_offset says where */
    ZC_RD_NOMEM,         /* the line buffer could not grow; the line is skipped */
    ZC_RD_END            /* after zc_rd_finish: nothing more */
} zc_rd_result;

typedef struct zc_rd_record {
    const char *ptr;     /* the record, without LF, CR or BOM; borrowed until the
                            next zc_rd_next / zc_rd_feed / zc_rd_free */
    size_t len;
    uint64_t line;       /* 1-based line number of the record */
    uint64_t offset;     /* stream offset of the line's first byte */
    uint64_t bad_offset; /* ZC_RD_BAD_UTF8: stream offset of the first bad byte */
    uint64_t length;     /* ZC_RD_TOO_LONG: bytes of the line seen when it was
                            refused (more than max_record) */
} zc_rd_record;

typedef struct zc_rd {
    size_t max_record;   /* longest record in bytes, not counting LF or CR */
    const char *in;      /* current chunk (borrowed) */
    size_t in_len, in_pos;
    char *buf;           /* owned: the part of a line split across chunks */
    size_t buf_len, buf_cap;
    int skipping;        /* inside an over-long line: drop bytes until LF */
    int finished;        /* zc_rd_finish was called */
    uint64_t line;       /* number of the line being read */
    uint64_t line_start; /* stream offset of that line */
    uint64_t chunk_start;/* stream offset of in[0] */
} zc_rd;

/* max_record: the record limit in bytes (> 0). */
void zc_rd_init(zc_rd *rd, size_t max_record);
/* Frees the line buffer.  Accepts NULL. */
void zc_rd_free(zc_rd *rd);
/* Hands over the next chunk (borrowed until zc_rd_next answers
 * ZC_RD_NEED_MORE).  Call only after ZC_RD_NEED_MORE (or right after init). */
void zc_rd_feed(zc_rd *rd, const char *data, size_t len);
/* End of input: the next calls yield a last line without newline, then
 * ZC_RD_END. */
void zc_rd_finish(zc_rd *rd);
/* The next event; see zc_rd_result. */
zc_rd_result zc_rd_next(zc_rd *rd, zc_rd_record *rec);

#endif
