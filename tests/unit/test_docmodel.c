/* test_docmodel.c — the document rules of docmodel.h, table-driven: every
 * validation rule with the field it must name, dates (leap years), unknown
 * fields kept in order, byte-exact strings, NUL rejection, detected lang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/docmodel.h"
#include "lib/limits.h"

/* Parses json (NUL-terminated unless len given); returns the status. */
static zc_status parse_n(const char *json, size_t len, zc_doc **out, zc_error *err)
{
    memset(err, 0, sizeof *err);
    return zc_doc_parse(json, len, out, err);
}

static zc_status parse(const char *json, zc_doc **out, zc_error *err)
{
    return parse_n(json, strlen(json), out, err);
}

static char *serialize(const char *json)
{
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse(json, &d, &e), ZC_OK);
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(zc_doc_serialize(d, &s, &n, &e), ZC_OK);
    assert_int_equal(n, strlen(s));
    assert_null(memchr(s, '\n', n));
    zc_doc_free(d);
    return s;
}

/* ---- validation: each rule names its field ---------------------------- */

typedef struct bad_case {
    const char *json;
    const char *field;   /* expected err.field */
    const char *needle;  /* expected in err.message, or NULL */
} bad_case;

static const bad_case bad_cases[] = {
    /* not an object */
    {"", "", "invalid JSON"},
    {"[]", "", "must be a JSON object"},
    {"\"x\"", "", NULL},
    {"{\"id\":\"a\",\"title\":\"t\"", "", "invalid JSON"},
    {"{\"id\":\"a\",\"title\":\"t\"} x", "", "invalid JSON"},
    {"{\"id\":\"a\",\"title\":\"t\"}{}", "", "invalid JSON"},
    /* id */
    {"{\"title\":\"t\"}", "id", "field 'id': required"},
    {"{\"id\":\"\",\"title\":\"t\"}", "id", "field 'id'"},
    {"{\"id\":12,\"title\":\"t\"}", "id", "must be a string"},
    {"{\"id\":null,\"title\":\"t\"}", "id", "must be a string"},
    {"{\"id\":[\"a\"],\"title\":\"t\"}", "id", "must be a string"},
    {"{\"id\":\"a\\u0001b\",\"title\":\"t\"}", "id", "control character"},
    {"{\"id\":\"a\\nb\",\"title\":\"t\"}", "id", "control character"},
    {"{\"id\":\"a\\u007fb\",\"title\":\"t\"}", "id", "control character"},
    {"{\"id\":\"a\\u0085b\",\"title\":\"t\"}", "id", "control character"},
    /* title */
    {"{\"id\":\"a\"}", "title", "field 'title': required"},
    {"{\"id\":\"a\",\"title\":5}", "title", "must be a string"},
    {"{\"id\":\"a\",\"title\":{}}", "title", "must be a string"},
    /* lang */
    {"{\"id\":\"a\",\"title\":\"t\",\"lang\":\"fr\"}", "lang", "\"fr\""},
    {"{\"id\":\"a\",\"title\":\"t\",\"lang\":\"ZH\"}", "lang", NULL},
    {"{\"id\":\"a\",\"title\":\"t\",\"lang\":\"zh \"}", "lang", NULL},
    {"{\"id\":\"a\",\"title\":\"t\",\"lang\":true}", "lang", "must be a string"},
    /* optional strings */
    {"{\"id\":\"a\",\"title\":\"t\",\"body\":1}", "body", "must be a string"},
    {"{\"id\":\"a\",\"title\":\"t\",\"issuer\":[]}", "issuer", "must be a string"},
    {"{\"id\":\"a\",\"title\":\"t\",\"docno\":false}", "docno", "must be a string"},
    {"{\"id\":\"a\",\"title\":\"t\",\"pair\":2.5}", "pair", "must be a string"},
    {"{\"id\":\"a\",\"title\":\"t\",\"url\":null}", "url", "must be a string"},
    {"{\"id\":\"a\",\"title\":\"t\",\"date\":2003}", "date", "must be a string"},
    /* tags */
    {"{\"id\":\"a\",\"title\":\"t\",\"tags\":\"x\"}", "tags", "array of strings"},
    {"{\"id\":\"a\",\"title\":\"t\",\"tags\":[\"x\",1]}", "tags", "element 1"},
    {"{\"id\":\"a\",\"title\":\"t\",\"tags\":[[\"x\"]]}", "tags", "element 0"},
    /* duplicate keys name the key */
    {"{\"id\":\"a\",\"title\":\"t\",\"title\":\"u\"}", "title", "given twice"},
    {"{\"id\":\"a\",\"id\":\"b\",\"title\":\"t\"}", "id", "given twice"},
    {"{\"id\":\"a\",\"title\":\"t\",\"标题\":1,\"标题\":2}", "标题", "given twice"},
    {"{\"id\":\"a\",\"title\":\"t\",\"x\\\"y\":1,\"x\\\"y\":2}", "x\"y", "given twice"},
    {"{\"id\":\"a\",\"title\":\"t\",\"extra\":{\"k\":1,\"k\":2}}", "k", "given twice"},
    /* ...unless the key holds a control character: the message stays one line. */
    {"{\"id\":\"a\",\"title\":\"t\",\"a\\nb\":1,\"a\\nb\":2}", "", "duplicate object key"},
    /* NUL anywhere, escaped or raw, is refused */
    {"{\"id\":\"a\",\"title\":\"x\\u0000y\"}", "", NULL},
    {"{\"id\":\"a\",\"title\":\"t\",\"other\":\"\\u0000\"}", "", NULL},
    /* lone surrogate escapes are not text */
    {"{\"id\":\"a\",\"title\":\"\\ud800\"}", "", NULL},
    /* numbers jansson cannot hold */
    {"{\"id\":\"a\",\"title\":\"t\",\"n\":123456789012345678901234567890}", "", NULL},
};

static void test_bad_documents(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        zc_doc *d = (zc_doc *)1;
        zc_error e;
        zc_status st = parse(c->json, &d, &e);
        if (st != ZC_EINVAL || strcmp(e.field, c->field) != 0 ||
            (c->needle && !strstr(e.message, c->needle))) {
            fail_msg("case %zu %s: status %s field '%s' message '%s'", i, c->json,
                     zc_status_name(st), e.field, e.message);
        }
        assert_null(d);
        assert_int_equal(e.code, ZC_EINVAL);
        assert_null(strchr(e.message, '\n'));
    }
}

static void test_raw_nul_and_bad_utf8(void **state)
{
    (void)state;
    static const char nul[] = "{\"id\":\"a\",\"title\":\"x\0y\"}";
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse_n(nul, sizeof nul - 1, &d, &e), ZC_EINVAL);
    assert_null(d);
    static const char nul_outside[] = "{\"id\":\"a\",\"title\":\"x\"}\0";
    assert_int_equal(parse_n(nul_outside, sizeof nul_outside - 1, &d, &e), ZC_EINVAL);
    static const char bad[] = "{\"id\":\"a\",\"title\":\"\xff\"}";
    assert_int_equal(parse_n(bad, sizeof bad - 1, &d, &e), ZC_EINVAL);
    assert_non_null(strstr(e.message, "byte"));
    static const char overlong[] = "{\"id\":\"a\",\"title\":\"\xc0\xaf\"}";
    assert_int_equal(parse_n(overlong, sizeof overlong - 1, &d, &e), ZC_EINVAL);
    static const char surrogate[] = "{\"id\":\"a\",\"title\":\"\xed\xa0\x80\"}";
    assert_int_equal(parse_n(surrogate, sizeof surrogate - 1, &d, &e), ZC_EINVAL);
    static const char bad_id[] = "{\"id\":\"a\xe4\xb8\",\"title\":\"t\"}";
    assert_int_equal(parse_n(bad_id, sizeof bad_id - 1, &d, &e), ZC_EINVAL);
}

static void test_id_limits(void **state)
{
    (void)state;
    char json[1024];
    char id[300];
    zc_doc *d = NULL;
    zc_error e;
    memset(id, 'x', sizeof id);
    id[ZC_ID_MAX_BYTES] = '\0';
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", id);
    assert_int_equal(parse(json, &d, &e), ZC_OK);
    assert_int_equal(d->id.len, ZC_ID_MAX_BYTES);
    zc_doc_free(d);
    id[ZC_ID_MAX_BYTES] = 'x';
    id[ZC_ID_MAX_BYTES + 1] = '\0';
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", id);
    assert_int_equal(parse(json, &d, &e), ZC_EINVAL);
    assert_string_equal(e.field, "id");
    /* 85 CJK characters = 255 bytes: fine; 86 = 258 bytes: too long. */
    char cjk[300] = "";
    for (int i = 0; i < 85; i++)
        strcat(cjk, "政");
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", cjk);
    assert_int_equal(parse(json, &d, &e), ZC_OK);
    zc_doc_free(d);
    strcat(cjk, "策");
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", cjk);
    assert_int_equal(parse(json, &d, &e), ZC_EINVAL);
    assert_string_equal(e.field, "id");
    /* Spaces, slashes and CJK are fine in ids. */
    assert_int_equal(parse("{\"id\":\"国发/2016 62\",\"title\":\"t\"}", &d, &e), ZC_OK);
    zc_doc_free(d);
}

/* issue 11: the framer skips the spaces after GET and DEL, so an id that
 * starts with one could be added but never fetched or deleted.  No space
 * (any Unicode Zs) at either end; inside is fine. */
static void test_id_edge_spaces(void **state)
{
    (void)state;
    static const char *bad[] = {" a", "a ", " ", "   ", "\u3000a", "a\u3000", "\u00a0a",
                                "a\u00a0", "\u2003x"};
    zc_doc *d = NULL;
    zc_error e;
    char json[128];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", bad[i]);
        assert_int_equal(parse(json, &d, &e), ZC_EINVAL);
        assert_string_equal(e.field, "id");
        assert_non_null(strstr(e.message, "must not start or end with a space"));
    }
    static const char *good[] = {"a b", "a\u3000b", "\u653fa"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"title\":\"t\"}", good[i]);
        assert_int_equal(parse(json, &d, &e), ZC_OK);
        zc_doc_free(d);
    }
    /* The same rule alone, for GET and DEL. */
    assert_int_equal(zc_doc_check_id(" a", 2, &e), ZC_EINVAL);
    assert_int_equal(zc_doc_check_id("a ", 2, &e), ZC_EINVAL);
    assert_int_equal(zc_doc_check_id("", 0, &e), ZC_EINVAL);
    assert_int_equal(zc_doc_check_id("a b", 3, &e), ZC_OK);
}

static void test_too_long(void **state)
{
    (void)state;
    size_t n = (size_t)ZC_DOC_MAX_BYTES + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    memcpy(big, "{\"id\":\"a\",\"title\":\"t\"}", 22);
    zc_doc *d = (zc_doc *)1;
    zc_error e;
    assert_int_equal(parse_n(big, n, &d, &e), ZC_ETOOLONG);
    assert_null(d);
    /* Exactly at the limit is accepted (trailing spaces are JSON whitespace). */
    assert_int_equal(parse_n(big, n - 1, &d, &e), ZC_OK);
    zc_doc_free(d);
    free(big);
}

/* ---- dates ------------------------------------------------------------ */

typedef struct date_case {
    const char *s;
    int ok;
    int y, m, d;
} date_case;

static const date_case date_cases[] = {
    {"2003", 1, 2003, 0, 0},       {"2003-10", 1, 2003, 10, 0},
    {"2003-10-05", 1, 2003, 10, 5}, {"2024-02-29", 1, 2024, 2, 29},
    {"2000-02-29", 1, 2000, 2, 29}, {"0001-01-01", 1, 1, 1, 1},
    {"9999-12-31", 1, 9999, 12, 31}, {"2003-12-31", 1, 2003, 12, 31},
    {"2023-02-29", 0, 0, 0, 0},    {"1900-02-29", 0, 0, 0, 0},
    {"2003-02-30", 0, 0, 0, 0},    {"2003-04-31", 0, 0, 0, 0},
    {"2003-13", 0, 0, 0, 0},       {"2003-00", 0, 0, 0, 0},
    {"2003-01-00", 0, 0, 0, 0},    {"2003-01-32", 0, 0, 0, 0},
    {"0000", 0, 0, 0, 0},          {"203", 0, 0, 0, 0},
    {"20030", 0, 0, 0, 0},         {"2003-1", 0, 0, 0, 0},
    {"2003-1-5", 0, 0, 0, 0},      {"2003/10/05", 0, 0, 0, 0},
    {"20031005", 0, 0, 0, 0},      {" 2003", 0, 0, 0, 0},
    {"2003 ", 0, 0, 0, 0},         {"２００３", 0, 0, 0, 0},
    {"2003-10-05T00:00", 0, 0, 0, 0}, {"-2003", 0, 0, 0, 0},
    {"+003", 0, 0, 0, 0},          {"2003年", 0, 0, 0, 0},
};

static void test_dates(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
        const date_case *c = &date_cases[i];
        zc_date d;
        zc_error e;
        zc_status st = zc_date_parse(c->s, strlen(c->s), &d, &e);
        if ((st == ZC_OK) != c->ok)
            fail_msg("date %s: got %s", c->s, zc_status_name(st));
        if (c->ok) {
            assert_int_equal(d.year, c->y);
            assert_int_equal(d.month, c->m);
            assert_int_equal(d.day, c->d);
        }
        /* The same rule through a document, naming the field. */
        char json[256];
        snprintf(json, sizeof json, "{\"id\":\"a\",\"title\":\"t\",\"date\":\"%s\"}", c->s);
        zc_doc *doc = NULL;
        st = parse(json, &doc, &e);
        if ((st == ZC_OK) != c->ok)
            fail_msg("doc date %s: got %s", c->s, zc_status_name(st));
        if (!c->ok) {
            assert_string_equal(e.field, "date");
            assert_non_null(strstr(e.message, "field 'date': \""));
            assert_non_null(strstr(e.message, "is not a real calendar date"));
        } else {
            assert_int_equal(doc->date_parsed.year, c->y);
        }
        zc_doc_free(doc);
    }
}

static void test_date_message(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"id\":\"a\",\"title\":\"t\",\"date\":\"2003-02-30\"}", &d, &e),
                     ZC_EINVAL);
    assert_string_equal(e.message, "field 'date': \"2003-02-30\" is not a real calendar date "
                                   "(YYYY, YYYY-MM or YYYY-MM-DD)");
}

static void test_date_key(void **state)
{
    (void)state;
    struct { const char *s; const char *first, *last; } cases[] = {
        {"2003", "20030101", "20031231"},
        {"2024-02", "20240201", "20240229"},
        {"2023-02", "20230201", "20230228"},
        {"2003-10-05", "20031005", "20031005"},
        {"0001-12", "00011201", "00011231"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_date d;
        assert_int_equal(zc_date_parse(cases[i].s, strlen(cases[i].s), &d, NULL), ZC_OK);
        char buf[9];
        zc_date_key(&d, 0, buf);
        assert_string_equal(buf, cases[i].first);
        zc_date_key(&d, 1, buf);
        assert_string_equal(buf, cases[i].last);
    }
}

static void test_empty_date_is_absent(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"id\":\"a\",\"title\":\"t\",\"date\":\"\",\"issuer\":\"\"}", &d, &e),
                     ZC_OK);
    assert_int_equal(d->date_parsed.year, 0);
    assert_non_null(d->date.ptr);
    assert_int_equal(d->date.len, 0);
    assert_non_null(d->issuer.ptr);
    assert_null(d->docno.ptr);
    zc_doc_free(d);
}

/* ---- storage form ----------------------------------------------------- */

static void test_unknown_fields_kept_in_order(void **state)
{
    (void)state;
    static const char in[] =
        "{\"zeta\":1,\"id\":\"gov-1\",\"lang\":\"zh\",\"title\":\"标题\",\"alpha\":{\"b\":[1,"
        "2.5,null,true,false,\"s\"],\"a\":{}},\"body\":\"正文\",\"mid\":-7,\"url\":\"http://x/y\","
        "\"tags\":[\"科技\",\"创新\"],\"last\":[]}";
    char *s = serialize(in);
    assert_string_equal(s, in);
    free(s);
    /* Whitespace goes, order stays. */
    char *t = serialize("{ \"b\" : 1 ,\n \"id\" : \"x\" , \"title\" : \"y\", \"lang\": \"en\" }");
    assert_string_equal(t, "{\"b\":1,\"id\":\"x\",\"title\":\"y\",\"lang\":\"en\"}");
    free(t);
}

static void test_strings_round_trip(void **state)
{
    (void)state;
    /* Raw UTF-8 stays raw: Chinese, emoji (4 bytes), combining marks,
     * U+2028, full-width forms, RTL text. */
    static const char in[] =
        "{\"id\":\"e-😀\",\"lang\":\"zh\",\"title\":\"国发〔2016〕62号 😀👍🏽\",\"body\":\"é "
        "e\xcc\x81 \xe2\x80\xa8 ＡＢＣ１２３ שלום / \\\\ \\\" \\t\"}";
    char *s = serialize(in);
    assert_string_equal(s, in);
    free(s);
    /* Escapes decode to the same bytes as the raw form. */
    char *u = serialize("{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"\\u4e2d\\u6587 "
                        "\\ud83d\\ude00\",\"body\":\"\\u00e9\\/x\"}");
    assert_string_equal(u, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"中文 😀\","
                           "\"body\":\"é/x\"}");
    free(u);
}

static void test_no_raw_newline_stored(void **state)
{
    (void)state;
    char *s = serialize("{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"t\",\"body\":\"第一段\\n第二段"
                        "\\r\\n\\u0001\\u001f\"}");
    assert_null(strchr(s, '\n'));
    assert_null(strchr(s, '\r'));
    assert_non_null(strstr(s, "第一段\\n第二段\\r\\n\\u0001\\u001F"));
    free(s);
}

static void test_numbers_round_trip(void **state)
{
    (void)state;
    char *s = serialize("{\"id\":\"a\",\"lang\":\"en\",\"title\":\"t\",\"n\":[0,-1,"
                        "9223372036854775807,1.5,1e300,-0.25]}");
    assert_non_null(strstr(s, "[0,-1,9223372036854775807,1.5,"));
    zc_doc *d = NULL;
    zc_error e;
    /* Reals come back as the same double. */
    char *again = NULL;
    assert_int_equal(parse(s, &d, &e), ZC_OK);
    assert_int_equal(zc_doc_serialize(d, &again, NULL, &e), ZC_OK);
    assert_string_equal(s, again);
    zc_doc_free(d);
    free(again);
    free(s);
}

static void test_detected_lang_stored(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"id\":\"a\",\"title\":\"关于振兴东北地区等老工业基地的意见\","
                           "\"body\":\"振兴东北\"}",
                           &d, &e),
                     ZC_OK);
    assert_int_equal(d->lang_detected, 1);
    assert_int_equal(d->lang.len, 2);
    assert_memory_equal(d->lang.ptr, "zh", 2);
    char *s = NULL;
    assert_int_equal(zc_doc_serialize(d, &s, NULL, &e), ZC_OK);
    assert_string_equal(s, "{\"id\":\"a\",\"title\":\"关于振兴东北地区等老工业基地的意见\","
                           "\"body\":\"振兴东北\",\"lang\":\"zh\"}");
    free(s);
    zc_doc_free(d);

    char *en = serialize("{\"id\":\"b\",\"title\":\"Revitalizing the Northeast\",\"body\":"
                         "\"The State Council issued opinions on the old industrial bases.\"}");
    assert_non_null(strstr(en, ",\"lang\":\"en\"}"));
    free(en);

    /* An empty lang is replaced in place. */
    char *inplace = serialize("{\"id\":\"c\",\"lang\":\"\",\"title\":\"国务院关于印发通知\"}");
    assert_string_equal(inplace, "{\"id\":\"c\",\"lang\":\"zh\",\"title\":\"国务院关于印发通知\"}");
    free(inplace);

    /* A given lang wins over detection. */
    assert_int_equal(parse("{\"id\":\"d\",\"lang\":\"en\",\"title\":\"国务院\"}", &d, &e), ZC_OK);
    assert_int_equal(d->lang_detected, 0);
    assert_memory_equal(d->lang.ptr, "en", 2);
    zc_doc_free(d);
}

static void test_fields_and_tags(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"id\":\"gov-2003-11\",\"lang\":\"zh\",\"title\":\"标题\",\"body\":"
                           "\"正文\",\"date\":\"2003-10\",\"issuer\":\"国务院\",\"docno\":"
                           "\"国发〔2003〕11号\",\"pair\":\"en-1\",\"tags\":[\"振兴\",\"\"],"
                           "\"url\":\"http://www.gov.cn/\"}",
                           &d, &e),
                     ZC_OK);
    assert_int_equal(d->id.len, strlen("gov-2003-11"));
    assert_memory_equal(d->issuer.ptr, "国务院", d->issuer.len);
    assert_memory_equal(d->docno.ptr, "国发〔2003〕11号", d->docno.len);
    assert_int_equal(d->date_parsed.year, 2003);
    assert_int_equal(d->date_parsed.month, 10);
    assert_int_equal(d->date_parsed.day, 0);
    assert_int_equal(d->n_tags, 2);
    assert_memory_equal(d->tags[0].ptr, "振兴", d->tags[0].len);
    assert_int_equal(d->tags[1].len, 0);
    assert_memory_equal(d->url.ptr, "http://www.gov.cn/", d->url.len);
    zc_doc_free(d);
    zc_doc_free(NULL);
}

static void test_hit_json(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"body\":\"b\",\"id\":\"x\",\"title\":\"国务院\",\"issuer\":\"\","
                           "\"date\":\"2016\",\"docno\":\"国发〔2016〕62号\",\"pair\":\"\","
                           "\"extra\":1}",
                           &d, &e),
                     ZC_OK);
    char *h = NULL;
    size_t n = 0;
    assert_int_equal(zc_doc_hit_json(d, &h, &n, &e), ZC_OK);
    assert_string_equal(h, "{\"id\":\"x\",\"lang\":\"zh\",\"title\":\"国务院\",\"date\":\"2016\","
                           "\"docno\":\"国发〔2016〕62号\"}");
    assert_int_equal(n, strlen(h));
    free(h);
    zc_doc_free(d);
}

static void test_empty_title_allowed(void **state)
{
    (void)state;
    zc_doc *d = NULL;
    zc_error e;
    assert_int_equal(parse("{\"id\":\"a\",\"title\":\"\"}", &d, &e), ZC_OK);
    assert_int_equal(d->title.len, 0);
    zc_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_raw_nul_and_bad_utf8),
        cmocka_unit_test(test_id_limits),
        cmocka_unit_test(test_id_edge_spaces),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_date_message),
        cmocka_unit_test(test_date_key),
        cmocka_unit_test(test_empty_date_is_absent),
        cmocka_unit_test(test_unknown_fields_kept_in_order),
        cmocka_unit_test(test_strings_round_trip),
        cmocka_unit_test(test_no_raw_newline_stored),
        cmocka_unit_test(test_numbers_round_trip),
        cmocka_unit_test(test_detected_lang_stored),
        cmocka_unit_test(test_fields_and_tags),
        cmocka_unit_test(test_hit_json),
        cmocka_unit_test(test_empty_title_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
