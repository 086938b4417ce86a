/* textdoc.h — the indexer's plain-text document format.
 *
 * Owns: turning one text file into the JSON document the library takes.
 * The format (docs/index-format.md, "Text files"):
 *
 *     Title: 国务院关于……的通知
 *     Date: 2016-07-28
 *     Issuer: 国务院
 *     Docno: 国发〔2016〕62号
 *     Tags: 科技, 创新
 *
 *     body text, paragraphs on their own lines ...
 *
 *  - Header lines come first: `Key: value`, keys case-insensitive, one of
 *    Title, Date, Issuer, Docno, Lang, Id, Pair, Tags, Url.  A full-width
 *    colon (：) works too.  The header ends at the first blank line (which is
 *    dropped) or at the first line that is not a known header (which starts
 *    the body).  A key given twice is an error.
 *  - Tags: comma-separated (`,` or `，`), each trimmed, empty ones dropped.
 *  - Body: the rest, CRLF turned into LF, leading and trailing blank lines
 *    dropped.  A UTF-8 BOM at the start of the file is ignored.
 *  - No Title header: the first non-blank body line is the title (and stays
 *    in the body).
 *  - No Id header: the id given by the caller (the indexer derives it from
 *    the file's canonical path, see textid.h).
 * Must never: validate what the library validates (dates, lang, id rules):
 * the JSON goes through zc_index_add_json like every other document.
 */
#ifndef ZC_INDEXER_TEXTDOC_H
#define ZC_INDEXER_TEXTDOC_H

#include <stddef.h>
#include <stdint.h>

/* What went wrong, for the indexer's `FILE:LINE: error: ...` report. */
typedef struct zc_textdoc_error {
    uint64_t line;       /* 1-based line of the problem, 0 if none applies */
    uint64_t offset;     /* byte offset in the file (invalid UTF-8) */
    char message[256];
} zc_textdoc_error;

/* Where each field came from, so that the library's validation errors
 * ("field 'date': ...") can be reported at the right line of the file. */
typedef struct zc_textdoc_lines {
    uint64_t header[9]; /* line of the header of each known key, 0 if absent */
    uint64_t body;      /* first line of the body */
} zc_textdoc_lines;

/* Builds the JSON document for the text file content text[0..len).
 * default_id (NUL-terminated) is used when there is no Id header.
 * lines (may be NULL) gets the line of each field.
 * Returns 0 and *json_out (returns new, NUL-terminated; free with free()),
 * or -1 with *e filled (invalid UTF-8, a NUL byte, a repeated header, out of
 * memory). */
int zc_textdoc_to_json(const char *text, size_t len, const char *default_id,
                       char **json_out, size_t *json_len, zc_textdoc_lines *lines,
                       zc_textdoc_error *e);

/* 1 when the file had an Id header (its id is the header's), else 0. */
int zc_textdoc_has_id(const zc_textdoc_lines *lines);

/* The line of the file where `field` (a JSON field name such as "date")
 * was given: its header line, the body's first line for "body" or a title
 * taken from the body, else 1. */
uint64_t zc_textdoc_line_of(const zc_textdoc_lines *lines, const char *field);

#endif
