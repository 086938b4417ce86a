/* fuzz_doc.c — libFuzzer harness for lib/docmodel.c: zc_doc_parse on any
 * bytes, then zc_doc_serialize and a re-parse of what was stored.
 *
 * Invariants:
 *  - parse either succeeds or fails with ZC_EINVAL / ZC_ETOOLONG, *out NULL,
 *    and an error whose field and message are NUL-terminated, valid UTF-8
 *    (they end up in a JSON reply);
 *  - an accepted document obeys docmodel.h's rules: id 1..256 bytes without
 *    control characters, a title, lang "zh"/"en", a real date or "", every
 *    field valid UTF-8 without NUL;
 *  - the storage form is one line of valid UTF-8 JSON equal (jansson's
 *    json_equal, and key order) to the input object plus the detected lang;
 *  - it re-parses to the same fields, tags and date, with lang no longer
 *    "detected", and serializes again to the very same bytes (a fixed
 *    point: what GET returns can be ADDed back unchanged);
 *  - the hit JSON is an object carrying the document's id, lang and title.
 * The input is an exact-size heap copy, so reading past it is an ASan
 * report. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/docmodel.h"
#include "fuzz_util.h"
#include "lib/limits.h"
#include "lib/zhengce.h"

static void check_error(zc_status st, const zc_error *err)
{
    FUZZ_CHECK(st == ZC_EINVAL || st == ZC_ETOOLONG);
    fuzz_check_error(err, st);
}

static void check_text(const zc_field *f)
{
    if (f->ptr == NULL) {
        FUZZ_CHECK(f->len == 0);
        return;
    }
    FUZZ_CHECK(memchr(f->ptr, '\0', f->len) == NULL);
    FUZZ_CHECK(f->ptr[f->len] == '\0'); /* a C string too (docmodel.c) */
    FUZZ_CHECK(fuzz_utf8_valid(f->ptr, f->len, NULL));
}

static int same_field(const zc_field *a, const zc_field *b)
{
    if ((a->ptr == NULL) != (b->ptr == NULL))
        return 0;
    return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

static void check_doc(const zc_doc *d)
{
    const zc_field *all[] = {&d->id,     &d->lang,  &d->title, &d->body, &d->date,
                             &d->issuer, &d->docno, &d->pair,  &d->url};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_text(all[i]);
    for (size_t i = 0; i < d->n_tags; i++) {
        FUZZ_CHECK(d->tags[i].ptr != NULL);
        check_text(&d->tags[i]);
    }

    FUZZ_CHECK(d->id.ptr != NULL && d->id.len >= 1 && d->id.len <= ZC_ID_MAX_BYTES);
    const unsigned char *id = (const unsigned char *)d->id.ptr;
    for (size_t i = 0; i < d->id.len; i++) {
        FUZZ_CHECK(id[i] >= 0x20 && id[i] != 0x7F);
        if (id[i] == 0xC2 && i + 1 < d->id.len)
            FUZZ_CHECK(id[i + 1] > 0x9F); /* no C1 control */
    }
    FUZZ_CHECK(d->title.ptr != NULL);
    FUZZ_CHECK(d->lang.len == 2 &&
               (memcmp(d->lang.ptr, "zh", 2) == 0 || memcmp(d->lang.ptr, "en", 2) == 0));
    if (d->date.ptr != NULL && d->date.len > 0) {
        const zc_date *p = &d->date_parsed;
        FUZZ_CHECK(p->year >= 1 && p->year <= 9999);
        FUZZ_CHECK(p->month >= 0 && p->month <= 12);
        FUZZ_CHECK(p->day >= 0 && p->day <= 31);
        FUZZ_CHECK(p->day == 0 || p->month != 0);
        char lo[9], hi[9];
        zc_date_key(p, 0, lo);
        zc_date_key(p, 1, hi);
        FUZZ_CHECK(strlen(lo) == 8 && strlen(hi) == 8 && strcmp(lo, hi) <= 0);
        zc_date again;
        FUZZ_CHECK(zc_date_parse(d->date.ptr, d->date.len, &again, NULL) == ZC_OK);
        FUZZ_CHECK(memcmp(&again, p, sizeof again) == 0);
    } else {
        FUZZ_CHECK(d->date_parsed.year == 0);
    }
}

/* The stored JSON is the input object, in input order, plus the detected
 * lang (in place of an empty one, or appended). */
static void check_storage_form(const char *in, size_t in_len, const zc_doc *d, const char *s,
                               size_t n)
{
    json_error_t je;
    json_t *want = json_loadb(in, in_len, JSON_REJECT_DUPLICATES, &je);
    FUZZ_CHECK(want != NULL && json_is_object(want));
    if (d->lang_detected)
        FUZZ_CHECK(json_object_set_new(want, "lang", json_stringn(d->lang.ptr, d->lang.len)) == 0);
    json_t *got = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    FUZZ_CHECK(got != NULL);
    FUZZ_CHECK(json_equal(want, got));
    void *a = json_object_iter(want), *b = json_object_iter(got);
    while (a != NULL && b != NULL) {
        FUZZ_CHECK(strcmp(json_object_iter_key(a), json_object_iter_key(b)) == 0);
        a = json_object_iter_next(want, a);
        b = json_object_iter_next(got, b);
    }
    FUZZ_CHECK(a == NULL && b == NULL);
    json_decref(want);
    json_decref(got);
}

static void check_hit_json(const zc_doc *d)
{
    char *h = NULL;
    size_t hn = 0;
    zc_error err;
    FUZZ_CHECK(zc_doc_hit_json(d, &h, &hn, &err) == ZC_OK);
    FUZZ_CHECK(h != NULL && strlen(h) == hn && memchr(h, '\n', hn) == NULL);
    json_error_t je;
    json_t *o = json_loadb(h, hn, JSON_REJECT_DUPLICATES, &je);
    FUZZ_CHECK(o != NULL && json_is_object(o));
    const struct {
        const char *name;
        const zc_field *f;
    } always[] = {{"id", &d->id}, {"lang", &d->lang}, {"title", &d->title}};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(o, always[i].name);
        FUZZ_CHECK(json_is_string(v));
        FUZZ_CHECK(json_string_length(v) == always[i].f->len);
        FUZZ_CHECK(memcmp(json_string_value(v), always[i].f->ptr, always[i].f->len) == 0);
    }
    json_decref(o);
    free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_dup_exact(data, size);
    zc_doc *d1 = (zc_doc *)(uintptr_t)1;
    zc_error err;
    memset(&err, 0xA5, sizeof err);
    zc_status st = zc_doc_parse(in, size, &d1, &err);
    if (st != ZC_OK) {
        FUZZ_CHECK(d1 == NULL);
        check_error(st, &err);
        free(in);
        return 0;
    }
    FUZZ_CHECK(d1 != NULL);
    check_doc(d1);

    char *s1 = NULL;
    size_t n1 = 0;
    FUZZ_CHECK(zc_doc_serialize(d1, &s1, &n1, &err) == ZC_OK);
    FUZZ_CHECK(s1 != NULL && strlen(s1) == n1);
    FUZZ_CHECK(memchr(s1, '\n', n1) == NULL); /* fits one protocol line */
    FUZZ_CHECK(fuzz_utf8_valid(s1, n1, NULL));
    check_storage_form(in, size, d1, s1, n1);
    check_hit_json(d1);

    zc_doc *d2 = NULL;
    char *copy = fuzz_dup_exact(s1, n1);
    st = zc_doc_parse(copy, n1, &d2, &err);
    FUZZ_CHECK(st == ZC_OK && d2 != NULL);
    check_doc(d2);
    FUZZ_CHECK(d2->lang_detected == 0);
    const zc_field *f1[] = {&d1->id,     &d1->lang,  &d1->title, &d1->body, &d1->date,
                            &d1->issuer, &d1->docno, &d1->pair,  &d1->url};
    const zc_field *f2[] = {&d2->id,     &d2->lang,  &d2->title, &d2->body, &d2->date,
                            &d2->issuer, &d2->docno, &d2->pair,  &d2->url};
    for (size_t i = 0; i < sizeof f1 / sizeof f1[0]; i++)
        FUZZ_CHECK(same_field(f1[i], f2[i]));
    FUZZ_CHECK(d1->n_tags == d2->n_tags);
    for (size_t i = 0; i < d1->n_tags; i++)
        FUZZ_CHECK(same_field(&d1->tags[i], &d2->tags[i]));
    FUZZ_CHECK(memcmp(&d1->date_parsed, &d2->date_parsed, sizeof d1->date_parsed) == 0);

    char *s2 = NULL;
    size_t n2 = 0;
    FUZZ_CHECK(zc_doc_serialize(d2, &s2, &n2, &err) == ZC_OK);
    FUZZ_CHECK(n2 == n1 && memcmp(s1, s2, n1) == 0);

    free(s2);
    zc_doc_free(d2);
    free(copy);
    free(s1);
    zc_doc_free(d1);
    zc_doc_free(NULL);
    free(in);
    return 0;
}
