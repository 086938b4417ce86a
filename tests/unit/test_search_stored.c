/* test_search_stored.c — the stored-document scanner (lib/search_stored.c)
 * on its own: what it reads from jansson's own output (the same strings as
 * jansson), escapes, the cut of a long body, and every kind of text it
 * must refuse (ZC_ECORRUPT with nothing returned, so the caller falls back
 * to jansson).
 *
 * Owns nothing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/search_stored.h"

static const char *const KEYS[] = {"id", "title", "body"};
#define NK 3

/* Scans data for KEYS with no cut; fails the test unless ZC_OK. */
static void scan_ok(const char *data, char **v, size_t *l)
{
    zc_error err;
    zc_status st = zc_stored_fields(data, strlen(data), KEYS, NK, SIZE_MAX / 2, v, l, &err);
    if (st != ZC_OK)
        fail_msg("%s: %s %s", data, zc_status_name(st), err.message);
}

static void free_all(char **v)
{
    for (size_t k = 0; k < NK; k++)
        free(v[k]);
}

/* Documents as the index stores them (jansson's compact output, the
 * document's own field order, fields the scanner skips): every string the
 * same as jansson reads it. */
static void test_same_as_jansson(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"id\":\"govcn-5338761\",\"lang\":\"zh\",\"title\":\"国务院办公厅关于印发《政府网站集约化"
        "试点工作方案》的通知\",\"date\":\"2018-11-09\",\"body\":\"国办函〔2018〕71号\\n各省、"
        "自治区、直辖市人民政府：\\n\\t（此件公开发布）\"}",
        "{\"title\":\"Executive Order 12944\",\"tags\":[\"pay\",\"\\\"quoted\\\" ]}\",{\"x\":"
        "[1,{\"y\":\"}\"}]}],\"n\":-1.5e3,\"t\":true,\"z\":null,\"id\":\"us-eo-12944\",\"body\":"
        "\"Section 1. \\\"Pay\\\" \\\\ rates \\/ allowances.\\r\\n\\u0001\\u001f\"}",
        "{\"id\":\"mixed-1\",\"body\":\"东北 Northeast 振兴 revitalization 😀 \\u2028\",\"title\":\"\"}",
        "{\"pair\":\"zh-1\",\"id\":\"a\\\\\",\"body\":\"\\\\\\\"\"}",
        "{}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_error_t je;
        json_t *j = json_loads(docs[i], 0, &je);
        if (j == NULL)
            fail_msg("test document %zu is not JSON: %s", i, je.text);
        char *v[NK];
        size_t l[NK];
        scan_ok(docs[i], v, l);
        for (size_t k = 0; k < NK; k++) {
            json_t *s = json_object_get(j, KEYS[k]);
            if (s == NULL) {
                assert_null(v[k]);
                continue;
            }
            assert_non_null(v[k]);
            if (l[k] != json_string_length(s) || memcmp(v[k], json_string_value(s), l[k]) != 0)
                fail_msg("doc %zu, %s: got [%s], jansson [%s]", i, KEYS[k], v[k],
                         json_string_value(s));
            assert_int_equal(v[k][l[k]], '\0');
        }
        free_all(v);
        json_decref(j);
    }
}

/* Escapes: the short forms, \u of the BMP, surrogate pairs; a lone or
 * unpaired surrogate is U+FFFD; \u0000 stays in the length. */
static void test_escapes(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
        size_t want_len;
    } cases[] = {
        {"\"\\u632f\\u5174\"", "振兴", 6},
        {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
        {"\"\\ud800x\"", "\xef\xbf\xbdx", 4},
        {"\"\\udc00\"", "\xef\xbf\xbd", 3},
        {"\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", 4},
        {"\"a\\u0000b\"", "a\0b", 3},
        {"\"\\b\\f\\n\\r\\t\\/\"", "\b\f\n\r\t/", 6},
        {"\"\\u00e9t\\u00C9\"", "ét\xc3\x89", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char data[128];
        snprintf(data, sizeof data, "{\"body\":%s}", cases[i].json);
        char *v[NK];
        size_t l[NK];
        scan_ok(data, v, l);
        assert_non_null(v[2]);
        if (l[2] != cases[i].want_len || memcmp(v[2], cases[i].want, l[2]) != 0)
            fail_msg("%s: got %zu bytes [%s]", data, l[2], v[2]);
        free_all(v);
    }
}

/* Absent keys and non-string values give NULL; of a key given twice the
 * first string value counts; keys match only as written; raw bytes are
 * copied as they are; nothing after the closing brace is read. */
static void test_keys_and_values(void **state)
{
    (void)state;
    char *v[NK];
    size_t l[NK];
    scan_ok(" { \"id\" : 12 , \"title\":null,\"body\" :{\"body\":\"内\"} } ", v, l);
    assert_null(v[0]);
    assert_null(v[1]);
    assert_null(v[2]);

    scan_ok("{\"id\":[\"x\"],\"id\":\"zh-1\",\"id\":\"zh-2\",\"i\\u0064\":\"no\",\"title\":\"乡村\"}",
            v, l);
    assert_string_equal(v[0], "zh-1");
    assert_string_equal(v[1], "乡村");
    assert_null(v[2]);
    free_all(v);

    scan_ok("{\"body\":\"\xff\xfe raw\"} trailing [unread", v, l);
    assert_int_equal(l[2], 6);
    assert_memory_equal(v[2], "\xff\xfe raw", 6);
    free_all(v);
}

/* The last key is cut to about last_max bytes on a character boundary; the
 * other keys stay whole. */
static void test_body_cut(void **state)
{
    (void)state;
    static const char title[] = "关于实施东北地区等老工业基地振兴战略的若干意见";
    static const char text[] = "{\"title\":\"关于实施东北地区等老工业基地振兴战略的若干意见\","
                               "\"body\":\"振兴东北地区 revitalize\"}";
    /* an escape reached at the cut is decoded whole: at most 4 bytes over */
    static const char esc[] = "{\"body\":\"ab\\ud83d\\ude00cd\"}";
    static const struct {
        const char *data;
        size_t max;
        const char *want;
    } cases[] = {
        {text, 0, ""}, {text, 2, ""}, {text, 3, "振"}, {text, 7, "振兴"},
        {text, 18, "振兴东北地区"}, {text, 21, "振兴东北地区 re"},
        {text, 1000, "振兴东北地区 revitalize"},
        {esc, 1, "a"}, {esc, 2, "ab\xf0\x9f\x98\x80"}, {esc, 6, "ab\xf0\x9f\x98\x80"},
        {esc, 7, "ab\xf0\x9f\x98\x80" "c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *v[NK];
        size_t l[NK];
        zc_error err;
        const char *data = cases[i].data;
        assert_int_equal(zc_stored_fields(data, strlen(data), KEYS, NK, cases[i].max, v, l, &err),
                         ZC_OK);
        if (data == text)
            assert_string_equal(v[1], title);
        assert_string_equal(v[2], cases[i].want);
        assert_int_equal(l[2], strlen(cases[i].want));
        assert_true(l[2] <= cases[i].max + 4);
        free_all(v);
    }
}

/* Text the scanner does not read: ZC_ECORRUPT, every out NULL, even when a
 * wanted string was decoded before the fault. */
static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "[\"id\",\"x\"]",
        "\"id\"",
        "{",
        "{\"id\"",
        "{\"id\":\"zh-1\"",
        "{\"id\":\"zh-1\",",
        "{\"id\" \"zh-1\"}",
        "{id:\"zh-1\"}",
        "{\"id\":\"zh-1\"]",
        "{\"id\":\"zh-1\",\"body\":\"振兴\\x\"}",
        "{\"id\":\"zh-1\",\"body\":\"\\u12G4\"}",
        "{\"id\":\"zh-1\",\"body\":\"\\u12\"}",
        "{\"id\":\"zh-1\",\"body\":\"unterminated}",
        "{\"id\":\"zh-1\",\"tags\":[1,{\"a\":\"]\"}}",
        "{\"id\":\"zh-1\",\"body\":\"ok\" \"title\":\"x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *v[NK] = {(char *)1, (char *)1, (char *)1};
        size_t l[NK] = {9, 9, 9};
        zc_error err;
        zc_status st = zc_stored_fields(bad[i], strlen(bad[i]), KEYS, NK, SIZE_MAX / 2, v, l,
                                        &err);
        if (st != ZC_ECORRUPT)
            fail_msg("[%s]: %s, want ZC_ECORRUPT", bad[i], zc_status_name(st));
        for (size_t k = 0; k < NK; k++) {
            assert_null(v[k]);
            assert_int_equal(l[k], 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_keys_and_values),
        cmocka_unit_test(test_body_cut),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
