/* docmodel.c — parsing, validating and serializing documents (docmodel.h).
 *
 * Owns: the JSON tree of one document (jansson) and every rule of
 * protocol.md "Documents".  Each rule failure is a ZC_EINVAL whose
 * err->field names the field and whose message starts with
 * "field 'NAME': " so that programs can print it as it is.
 * Must never: touch the index, print, or keep state between calls.
 *
 * Decisions:
 *  - Duplicate keys are refused (JSON_REJECT_DUPLICATES); the error names
 *    the key, recovered from the position jansson reports (just past the
 *    key's closing quote).  A stored document must have one value per field,
 *    else GET could not return "what was stored".
 *  - "\u0000" and raw NUL bytes are refused (JSON_ALLOW_NUL off), so every
 *    stored string is a C string too.
 *  - A detected lang replaces an empty "lang" in place, or is appended as
 *    the last field when "lang" is absent.
 *  - Serialization: compact, input order, UTF-8 kept as is (no
 *    JSON_ENSURE_ASCII), reals with 17 significant digits so they round-trip.
 *    jansson escapes every control character inside strings, so the stored
 *    JSON never holds a raw newline and fits on one protocol line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "lib/docmodel.h"
#include "base/error.h"
#include "base/utf8.h"
#include "lib/limits.h"
#include "lib/norm.h"

/* Language detection reads at most this much of the body: a prefix is as
 * telling as the whole text and keeps detection O(1) per document. */
#define DETECT_BODY_BYTES (16u * 1024u)

/* Longest piece of a value quoted inside an error message. */
#define MSG_VALUE_BYTES 80

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* ---- dates ------------------------------------------------------------ */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && is_leap(y))
        return 29;
    return days[m - 1];
}

/* Reads exactly n ASCII digits at s; -1 if any is not a digit. */
static int read_digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

zc_status zc_date_parse(const char *s, size_t len, zc_date *out, zc_error *err)
{
    zc_date d = {0, 0, 0};
    if (out != NULL)
        *out = d;
    if (s == NULL || (len != 4 && len != 7 && len != 10))
        goto bad;
    d.year = read_digits(s, 4);
    if (d.year < 1)
        goto bad;
    if (len >= 7) {
        if (s[4] != '-')
            goto bad;
        d.month = read_digits(s + 5, 2);
        if (d.month < 1 || d.month > 12)
            goto bad;
    }
    if (len == 10) {
        if (s[7] != '-')
            goto bad;
        d.day = read_digits(s + 8, 2);
        if (d.day < 1 || d.day > days_in_month(d.year, d.month))
            goto bad;
    }
    if (out != NULL)
        *out = d;
    return ZC_OK;
bad:
    return zc_error_set(err, ZC_EINVAL, NULL,
                        "not a real calendar date (YYYY, YYYY-MM or YYYY-MM-DD)");
}

void zc_date_key(const zc_date *d, int last_day, char buf[9])
{
    int m = d->month, day = d->day;
    if (m == 0)
        m = last_day ? 12 : 1;
    if (day == 0)
        day = last_day ? days_in_month(d->year, m) : 1;
    /* Values are range-checked by zc_date_parse (year 1..9999), so the
     * digits are written by hand: exactly 8, no sign, no truncation. */
    unsigned y = (unsigned)d->year % 10000u, mm = (unsigned)m % 100u,
             dd = (unsigned)day % 100u;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = (char)('0' + mm / 10);
    buf[5] = (char)('0' + mm % 10);
    buf[6] = (char)('0' + dd / 10);
    buf[7] = (char)('0' + dd % 10);
    buf[8] = '\0';
}

/* ---- helpers ---------------------------------------------------------- */

/* Quotes a value for an error message: JSON-escaped (one line, no control
 * characters) and cut to MSG_VALUE_BYTES on a UTF-8 boundary. */
static void quote_value(const char *s, size_t len, char *buf, size_t cap)
{
    size_t n = len;
    int cut = 0;
    if (n > MSG_VALUE_BYTES) {
        n = MSG_VALUE_BYTES;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    }
    json_t *js = json_stringn_nocheck(s, n);
    size_t w = js ? json_dumpb(js, buf, cap - 4, JSON_ENCODE_ANY) : 0;
    json_decref(js);
    if (w == 0 || w > cap - 4) {
        snprintf(buf, cap, "(value)");
        return;
    }
    if (cut)
        memcpy(buf + w, "...", 3), w += 3;
    buf[w] = '\0';
}

static zc_status field_error(zc_error *err, zc_status code, const char *field,
                             const char *what)
{
    return zc_error_set(err, code, field, "field '%s': %s", field, what);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Gets an optional string field into *f (ptr NULL when absent). */
static zc_status get_string(json_t *obj, const char *name, zc_field *f, zc_error *err)
{
    f->ptr = NULL;
    f->len = 0;
    json_t *v = json_object_get(obj, name);
    if (v == NULL)
        return ZC_OK;
    if (!json_is_string(v)) {
        return zc_error_set(err, ZC_EINVAL, name, "field '%s': must be a string, not %s",
                            name, type_name(v));
    }
    f->ptr = json_string_value(v);
    f->len = json_string_length(v);
    return ZC_OK;
}

/* Recovers the duplicated key from jansson's error position, which points
 * just past the key's closing quote.  Returns 1 and fills key if found. */
static int duplicate_key(const char *json, size_t len, size_t pos, char *key,
                         size_t cap)
{
    if (pos == 0 || pos > len || json[pos - 1] != '"')
        return 0;
    /* Walk back to the opening quote: a quote preceded by an even number of
     * backslashes. */
    size_t i = pos - 1;
    while (i > 0) {
        i--;
        if (json[i] != '"')
            continue;
        size_t bs = 0;
        while (bs < i && json[i - 1 - bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            break;
    }
    if (json[i] != '"')
        return 0;
    json_error_t je;
    json_t *s = json_loadb(json + i, pos - i, JSON_DECODE_ANY, &je);
    if (s == NULL || !json_is_string(s)) {
        json_decref(s);
        return 0;
    }
    /* Cut a long key on a UTF-8 boundary: it becomes err->field and is
     * quoted in the message, both of which must stay valid UTF-8 (a plain
     * snprintf cut inside a character; found by tests/fuzz/fuzz_doc.c). */
    const char *v = json_string_value(s);
    size_t n = strlen(v);
    /* A key with a control character (an escaped newline...) would break
     * the one-line message: the generic JSON error is used instead. */
    for (size_t j = 0; j < n; j++) {
        if ((unsigned char)v[j] < 0x20 || v[j] == 0x7F) {
            json_decref(s);
            return 0;
        }
    }
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(key, v, n);
    key[n] = '\0';
    json_decref(s);
    return 1;
}

static zc_status json_error_to_status(const char *json, size_t len,
                                      const json_error_t *je, zc_error *err)
{
    if (json_error_code(je) == json_error_duplicate_key) {
        char key[ZC_ERROR_FIELD_MAX];
        if (duplicate_key(json, len, (size_t)je->position, key, sizeof key))
            return zc_error_set(err, ZC_EINVAL, key, "field '%s': given twice", key);
    }
    char text[sizeof je->text];
    zc_norm_sanitize(je->text, text, sizeof text);
    return zc_error_set(err, ZC_EINVAL, "",
                        "invalid JSON at byte %d (line %d, column %d): %s",
                        je->position, je->line, je->column, text);
}

/* ---- parse ------------------------------------------------------------ */

/* A space character (Unicode category Zs: U+0020, U+00A0, U+3000, ...)
 * at the start or the end of s.  Invalid UTF-8 is not a space: the
 * caller's UTF-8 check reports it. */
static int id_edge_space(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    const unsigned char *t = (const unsigned char *)s;
    uint32_t cp;
    if (zc_utf8_decode(t, len, 0, &cp) > 0 && utf8proc_category((utf8proc_int32_t)cp) ==
                                                  UTF8PROC_CATEGORY_ZS)
        return 1;
    size_t k = len - 1;
    while (k > 0 && len - k < 4 && (t[k] & 0xC0) == 0x80)
        k--;
    return zc_utf8_decode(t, len, k, &cp) > 0 &&
           utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ZS;
}

static zc_status check_id(const zc_field *id, zc_error *err);

zc_status zc_doc_check_id(const char *id, size_t len, zc_error *err)
{
    zc_field f = {id, len};
    return check_id(&f, err);
}

/* id: 1..ZC_ID_MAX_BYTES bytes, no control characters (C0, DEL, C1), no
 * space at either end. */
static zc_status check_id(const zc_field *id, zc_error *err)
{
    if (id->ptr == NULL)
        return field_error(err, ZC_EINVAL, "id", "required");
    if (id->len == 0)
        return field_error(err, ZC_EINVAL, "id", "must not be empty");
    if (id->len > ZC_ID_MAX_BYTES) {
        return zc_error_set(err, ZC_EINVAL, "id",
                            "field 'id': %zu bytes, over the limit of %u", id->len,
                            (unsigned)ZC_ID_MAX_BYTES);
    }
    /* The line protocol skips the spaces between a verb and its argument,
     * so GET and DEL could never name an id that starts with one; an id
     * that ends with one is as easy to mistype.  One rule, here, for ADD,
     * the indexer and the C API (GET and DEL apply it too). */
    if (id_edge_space(id->ptr, id->len))
        return zc_error_set(err, ZC_EINVAL, "id",
                            "field 'id': must not start or end with a space");
    const unsigned char *p = (const unsigned char *)id->ptr;
    for (size_t i = 0; i < id->len; i++) {
        int bad = p[i] < 0x20 || p[i] == 0x7F;
        /* C1 controls U+0080..U+009F are encoded C2 80..C2 9F. */
        if (p[i] == 0xC2 && i + 1 < id->len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
            bad = 1;
        if (bad) {
            return zc_error_set(err, ZC_EINVAL, "id",
                                "field 'id': control character at byte %zu", i);
        }
    }
    return ZC_OK;
}

static void detect_lang(zc_doc *doc, char out[3])
{
    size_t blen = doc->body.ptr ? doc->body.len : 0;
    if (blen > DETECT_BODY_BYTES) {
        blen = DETECT_BODY_BYTES;
        while (blen > 0 && ((unsigned char)doc->body.ptr[blen] & 0xC0) == 0x80)
            blen--;
    }
    size_t tlen = doc->title.len;
    char *buf = malloc(tlen + 1 + blen + 1);
    const char *l;
    if (buf == NULL) {
        /* Detection on the title alone is still a sound answer. */
        l = zc_detect_lang(doc->title.ptr, tlen);
    } else {
        memcpy(buf, doc->title.ptr, tlen);
        buf[tlen] = '\n';
        if (blen)
            memcpy(buf + tlen + 1, doc->body.ptr, blen);
        l = zc_detect_lang(buf, tlen + 1 + blen);
        free(buf);
    }
    out[0] = (l && l[0] == 'e') ? 'e' : 'z';
    out[1] = (l && l[0] == 'e') ? 'n' : 'h';
    out[2] = '\0';
}

/* The JSON object of json[0..len): *root returns new; json_decref it. */
static zc_status load_object(const char *json, size_t len, json_t **root, zc_error *err)
{
    *root = NULL;
    if (json == NULL && len > 0)
        return zc_error_set(err, ZC_EINVAL, "", "no document");
    if (len > ZC_DOC_MAX_BYTES) {
        return zc_error_set(err, ZC_ETOOLONG, "",
                            "document of %zu bytes, over the limit of %u bytes", len,
                            (unsigned)ZC_DOC_MAX_BYTES);
    }
    json_error_t je;
    json_t *r = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (r == NULL) {
        if (json_error_code(&je) == json_error_out_of_memory)
            return zc_error_set(err, ZC_ENOMEM, "", "out of memory parsing a document");
        return json_error_to_status(json, len, &je, err);
    }
    if (!json_is_object(r)) {
        zc_status st = zc_error_set(err, ZC_EINVAL, "",
                                    "a document must be a JSON object, not %s",
                                    type_name(r));
        json_decref(r);
        return st;
    }
    *root = r;
    return ZC_OK;
}

/* The string fields, the id rule and the required title. */
static zc_status get_strings(json_t *root, zc_doc *doc, zc_error *err)
{
    struct { const char *name; zc_field *f; } strs[] = {
        {"id", &doc->id},         {"lang", &doc->lang},     {"title", &doc->title},
        {"body", &doc->body},     {"date", &doc->date},     {"issuer", &doc->issuer},
        {"docno", &doc->docno},   {"pair", &doc->pair},     {"url", &doc->url},
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        zc_status st = get_string(root, strs[i].name, strs[i].f, err);
        if (st != ZC_OK)
            return st;
    }
    zc_status st = check_id(&doc->id, err);
    if (st != ZC_OK)
        return st;
    if (doc->title.ptr == NULL)
        return field_error(err, ZC_EINVAL, "title", "required");
    return ZC_OK;
}

/* lang, when given, is "zh" or "en"; date, when given, a real calendar
 * date (parsed into doc->date_parsed). */
static zc_status check_lang_date(zc_doc *doc, zc_error *err)
{
    char q[MSG_VALUE_BYTES * 6 + 16];
    if (doc->lang.ptr != NULL && doc->lang.len > 0) {
        if (!(doc->lang.len == 2 && (memcmp(doc->lang.ptr, "zh", 2) == 0 ||
                                     memcmp(doc->lang.ptr, "en", 2) == 0))) {
            quote_value(doc->lang.ptr, doc->lang.len, q, sizeof q);
            return zc_error_set(err, ZC_EINVAL, "lang",
                                "field 'lang': %s is not \"zh\" or \"en\"", q);
        }
    }
    if (doc->date.ptr != NULL && doc->date.len > 0) {
        if (zc_date_parse(doc->date.ptr, doc->date.len, &doc->date_parsed, NULL) != ZC_OK) {
            quote_value(doc->date.ptr, doc->date.len, q, sizeof q);
            return zc_error_set(err, ZC_EINVAL, "date",
                                "field 'date': %s is not a real calendar date "
                                "(YYYY, YYYY-MM or YYYY-MM-DD)", q);
        }
    }
    return ZC_OK;
}

/* tags, when given: an array of strings, borrowed into doc->tags. */
static zc_status get_tags(json_t *root, zc_doc *doc, zc_error *err)
{
    json_t *tags = json_object_get(root, "tags");
    if (tags == NULL)
        return ZC_OK;
    if (!json_is_array(tags)) {
        return zc_error_set(err, ZC_EINVAL, "tags",
                            "field 'tags': must be an array of strings, not %s",
                            type_name(tags));
    }
    size_t n = json_array_size(tags);
    if (n == 0)
        return ZC_OK;
    zc_field *tf = calloc(n, sizeof *tf);
    if (tf == NULL)
        return zc_error_set(err, ZC_ENOMEM, "", "out of memory");
    doc->tags = tf;
    doc->n_tags = n;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tags, i);
        if (!json_is_string(t)) {
            return zc_error_set(err, ZC_EINVAL, "tags",
                                "field 'tags': element %zu must be a string, not %s", i,
                                type_name(t));
        }
        tf[i].ptr = json_string_value(t);
        tf[i].len = json_string_length(t);
    }
    return ZC_OK;
}

/* An absent or empty lang: detected, and set in the tree so that the
 * stored document carries it. */
static zc_status add_detected_lang(json_t *root, zc_doc *doc, zc_error *err)
{
    if (doc->lang.ptr != NULL && doc->lang.len > 0)
        return ZC_OK;
    char l[3];
    detect_lang(doc, l);
    json_t *v = json_string(l);
    if (v == NULL || json_object_set_new(root, "lang", v) != 0)
        return zc_error_set(err, ZC_ENOMEM, "", "out of memory");
    v = json_object_get(root, "lang");
    doc->lang.ptr = json_string_value(v);
    doc->lang.len = json_string_length(v);
    doc->lang_detected = 1;
    return ZC_OK;
}

zc_status zc_doc_parse(const char *json, size_t len, zc_doc **out, zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "zc_doc_parse: out is NULL");
    *out = NULL;
    json_t *root = NULL;
    zc_status st = load_object(json, len, &root, err);
    if (st != ZC_OK)
        return st;
    zc_doc *doc = calloc(1, sizeof *doc);
    if (doc == NULL) {
        json_decref(root);
        return zc_error_set(err, ZC_ENOMEM, "", "out of memory");
    }
    doc->priv = root;
    if ((st = get_strings(root, doc, err)) != ZC_OK ||
        (st = check_lang_date(doc, err)) != ZC_OK || (st = get_tags(root, doc, err)) != ZC_OK ||
        (st = add_detected_lang(root, doc, err)) != ZC_OK) {
        zc_doc_free(doc);
        return st;
    }
    *out = doc;
    return ZC_OK;
}

void zc_doc_free(zc_doc *doc)
{
    if (doc == NULL)
        return;
    free((void *)doc->tags);
    json_decref((json_t *)doc->priv);
    free(doc);
}

/* ---- serialize -------------------------------------------------------- */

static zc_status dump(const json_t *j, char **out, size_t *len_out, zc_error *err)
{
    size_t need = json_dumpb(j, NULL, 0, DUMP_FLAGS);
    if (need == 0)
        return zc_error_set(err, ZC_EINTERNAL, "", "could not serialize the document");
    char *buf = malloc(need + 1);
    if (buf == NULL)
        return zc_error_set(err, ZC_ENOMEM, "", "out of memory");
    size_t got = json_dumpb(j, buf, need, DUMP_FLAGS);
    if (got != need) {
        free(buf);
        return zc_error_set(err, ZC_EINTERNAL, "", "could not serialize the document");
    }
    buf[need] = '\0';
    *out = buf;
    if (len_out)
        *len_out = need;
    return ZC_OK;
}

zc_status zc_doc_serialize(const zc_doc *doc, char **out, size_t *len_out,
                           zc_error *err)
{
    if (out)
        *out = NULL;
    if (len_out)
        *len_out = 0;
    if (doc == NULL || out == NULL)
        return zc_error_set(err, ZC_EINTERNAL, "", "zc_doc_serialize: NULL argument");
    return dump((const json_t *)doc->priv, out, len_out, err);
}

static int add_field(json_t *o, const char *name, const zc_field *f, int keep_empty)
{
    if (f->ptr == NULL || (f->len == 0 && !keep_empty))
        return 0;
    json_t *v = json_stringn_nocheck(f->ptr, f->len);
    return v == NULL ? -1 : json_object_set_new_nocheck(o, name, v);
}

zc_status zc_doc_hit_json(const zc_doc *doc, char **out, size_t *len_out,
                          zc_error *err)
{
    if (out)
        *out = NULL;
    if (len_out)
        *len_out = 0;
    if (doc == NULL || out == NULL)
        return zc_error_set(err, ZC_EINTERNAL, "", "zc_doc_hit_json: NULL argument");
    json_t *o = json_object();
    if (o == NULL)
        return zc_error_set(err, ZC_ENOMEM, "", "out of memory");
    /* id, lang and title are always there (title may be ""); the optional
     * hit fields only when non-empty (protocol: "only when the document has
     * them"). */
    int rc = add_field(o, "id", &doc->id, 1) | add_field(o, "lang", &doc->lang, 1) |
             add_field(o, "title", &doc->title, 1) | add_field(o, "date", &doc->date, 0) |
             add_field(o, "issuer", &doc->issuer, 0) |
             add_field(o, "docno", &doc->docno, 0) | add_field(o, "pair", &doc->pair, 0);
    zc_status st = rc != 0 ? zc_error_set(err, ZC_ENOMEM, "", "out of memory")
                           : dump(o, out, len_out, err);
    json_decref(o);
    return st;
}
