/* docmodel.h — the document model of protocol.md ("Documents"): parsing,
 * validation, storage form.
 *
 * Owns: every rule a document must follow, and the error naming the field
 * that breaks it.  Unknown fields are kept.  Stored fields come back intact:
 * the stored JSON keeps the input's fields in order with their values.
 * Must never: touch the index (docbuild.c builds terms from a zc_doc).
 *
 * Rules (each a ZC_EINVAL naming the field):
 *  - the input is one JSON object (field "" if not);
 *  - id: required string, 1..256 bytes, valid UTF-8, no control characters;
 *  - title: required string;
 *  - lang: "zh" or "en" if present; if absent (or ""), detected from title +
 *    body and added to the stored document;
 *  - body, issuer, docno, pair, url: strings if present;
 *  - date: "YYYY", "YYYY-MM" or "YYYY-MM-DD", a real calendar date (or "");
 *  - tags: an array of strings if present;
 *  - every string anywhere (unknown fields too) is valid UTF-8 (jansson
 *    checks) and holds no NUL.
 */
#ifndef ZC_DOCMODEL_H
#define ZC_DOCMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/zhengce.h"

/* A calendar date, possibly partial. */
typedef struct zc_date {
    int year;    /* 0 = no date */
    int month;   /* 0 = year only */
    int day;     /* 0 = year or year-month only */
} zc_date;

/* Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date, year
 * 1..9999).  ZC_EINVAL otherwise (field left to the caller). */
zc_status zc_date_parse(const char *s, size_t len, zc_date *out, zc_error *err);
/* "YYYYMMDD" of the first (last_day = 0) or last (last_day = 1) day of the
 * period; buf needs 9 bytes. */
void zc_date_key(const zc_date *d, int last_day, char buf[9]);

/* A text field: pointer into the parsed JSON, length in bytes.  ptr is NULL
 * when the field is absent; len 0 with a non-NULL ptr means "". */
typedef struct zc_field {
    const char *ptr;
    size_t len;
} zc_field;

typedef struct zc_doc {
    zc_field id, lang, title, body, date, issuer, docno, pair, url;
    const zc_field *tags;   /* n_tags entries */
    size_t n_tags;
    zc_date date_parsed;    /* year 0 when absent or "" */
    int lang_detected;      /* 1 if lang was absent and detected */
    void *priv;             /* the owned JSON tree */
} zc_doc;

/* Parses and validates a JSON document.  Returns new; free with
 * zc_doc_free.  Field pointers are borrowed until zc_doc_free. */
zc_status zc_doc_parse(const char *json, size_t len, zc_doc **out, zc_error *err);
void zc_doc_free(zc_doc *doc);

/* The id rule of protocol.md, alone: 1..ZC_ID_MAX_BYTES bytes, no control
 * character, no space (Unicode Zs) at either end.  ZC_EINVAL naming "id"
 * otherwise.  Used by zc_doc_parse and by GET/DEL (index.c). */
zc_status zc_doc_check_id(const char *id, size_t len, zc_error *err);

/* The storage form: compact JSON of the whole document, input field order,
 * detected lang added.  Returns new, NUL-terminated; free with free(). */
zc_status zc_doc_serialize(const zc_doc *doc, char **out, size_t *len_out,
                           zc_error *err);

/* The compact JSON of the hit fields (id, lang, title, date, issuer, docno,
 * pair; empty ones left out) stored in ZC_SLOT_HIT.  Returns new; free with
 * free(). */
zc_status zc_doc_hit_json(const zc_doc *doc, char **out, size_t *len_out,
                          zc_error *err);

#endif
