/* test_fuzz_regressions.c — one test per defect the libFuzzer harnesses
 * (tests/fuzz/) found, each named for the bug, with the minimal input that
 * showed it.  The harness that found it and the invariant it broke are
 * named in each test's comment; `make fuzz` keeps looking for more. */
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
#include "lib/norm.h"
#include "lib/zhengce.h"
#include "base/utf8.h"

static void assert_utf8(const char *s)
{
    size_t bad = 0;
    if (!zc_utf8_valid(s, strlen(s), &bad))
        fail_msg("invalid UTF-8 at byte %zu of \"%s\"", bad, s);
}

/* Expects zc_doc_parse to refuse `json` with ZC_EINVAL and an error whose
 * field and message are valid UTF-8 (they go into a JSON reply). */
static void expect_doc_error_utf8(const char *json, size_t len)
{
    zc_doc *doc = NULL;
    zc_error err;
    assert_int_equal(zc_doc_parse(json, len, &doc, &err), ZC_EINVAL);
    assert_null(doc);
    assert_true(err.message[0] != '\0');
    assert_utf8(err.field);
    assert_utf8(err.message);
}

/* fuzz_doc, "error message is valid UTF-8": jansson's error text quotes the
 * input near the error ("invalid escape near '"line1\<first byte of 国>'"),
 * cut inside a character; docmodel.c copied it into the message as is, so
 * the daemon's reply lost the whole message.  Fixed in docmodel.c
 * (utf8_sanitize). */
static void test_doc_json_error_text_cut_utf8(void **state)
{
    (void)state;
    static const char in[] = "{\"id\":\"e\",\"title\":\"line1\\\xe5\x9b\xbd\xe5\x8a\xa1\"}";
    expect_doc_error_utf8(in, sizeof in - 1);
    /* Raw invalid bytes near a syntax error are replaced too. */
    static const char in2[] = "{\"id\":\"e\",\"title\":tru\xff\xfe}";
    expect_doc_error_utf8(in2, sizeof in2 - 1);
}

/* fuzz_doc, "error field is valid UTF-8": a duplicated key longer than
 * ZC_ERROR_FIELD_MAX was cut by snprintf inside a character, so err->field
 * and the message quoting it were invalid UTF-8.  Fixed in docmodel.c
 * (duplicate_key cuts on a boundary). */
static void test_doc_duplicate_long_key_cut_utf8(void **state)
{
    (void)state;
    /* "a" + 30 x 键: 91 bytes; a 63-byte cut falls inside the 21st 键. */
    char key[128] = "a";
    for (int i = 0; i < 30; i++)
        strcat(key, "\xe9\x94\xae");
    char in[512];
    int n = snprintf(in, sizeof in, "{\"id\":\"a\",\"title\":\"t\",\"%s\":1,\"%s\":2}", key, key);
    expect_doc_error_utf8(in, (size_t)n);
    zc_doc *doc = NULL;
    zc_error err;
    zc_doc_parse(in, (size_t)n, &doc, &err);
    assert_true(strncmp(err.field, key, strlen(err.field)) == 0);
    assert_true(strlen(err.field) >= 60); /* cut, not dropped */
}

/* fuzz_analyzer, ASan stack-buffer-overflow in zc_docno_canonical: the
 * length check ran only after an encoded character, but a separator after
 * an all-zero number writes '0' and a new piece writes '.', so a document
 * number like "0 0 0 ..." (any docno field, or docno: in a query) wrote past
 * the 246-byte stack buffer.  Fixed in docno.c (checked before every
 * character). */
static void test_docno_zero_pieces_stack_overflow(void **state)
{
    (void)state;
    static const char *const units[] = {"0 ", "00\x00 ", "0-", "\xef\xbc\x90\xe3\x80\x94"};
    /* Without a sanitizer the old overflow went unseen (it clobbered the
     * function's own locals, which happened to end the loop); `make asan`
     * runs this test under ASan, which reports it. */
    const size_t cap = 4096;
    char *in = malloc(cap);
    assert_non_null(in);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t n = 0, ul = strlen(units[u]);
        if (u == 1)
            ul = 4; /* "00", NUL, space */
        while (n + ul <= cap) {
            memcpy(in + n, units[u], ul);
            n += ul;
        }
        char *out = NULL;
        zc_error err;
        assert_int_equal(zc_docno_canonical(in, n, &out, &err), ZC_OK);
        size_t len = strlen(out);
        assert_true(len >= 1 && len <= ZC_TERM_MAX_BYTES - 2);
        assert_true(out[len - 1] != '.');
        assert_true(strncmp(out, "0.0.0.0", 7) == 0);
        zc_free(out);
    }
    free(in);
}

/* fuzz_analyzer, "zc_docno_canonical is idempotent": a 第 standing alone
 * before a number was dropped (国发〔2016〕第62号 = 国发〔2016〕62号), so
 * "$第;第;00" became "第.0", whose own 第 then stood alone before a number:
 * canonical twice gave "0".  Fixed in docno.c: only a 第 between two numbers
 * (after the bracketed year) is dropped. */
static void test_docno_lone_di_not_idempotent(void **state)
{
    (void)state;
    static const char *const in[] = {"$\xe7\xac\xac;\xe7\xac\xac;00", "\xe7\xac\xac.0",
                                     "\xe7\xac\xac\xe4\xb8\x89\xe5\x8f\xb7"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *once = NULL, *twice = NULL;
        zc_error err;
        assert_int_equal(zc_docno_canonical(in[i], strlen(in[i]), &once, &err), ZC_OK);
        assert_int_equal(zc_docno_canonical(once, strlen(once), &twice, &err), ZC_OK);
        assert_string_equal(once, twice);
        zc_free(once);
        zc_free(twice);
    }
}

/* fuzz_query, "error message is valid UTF-8": a SEARCH argument with an
 * invalid JSON escape before a Chinese character, {"q":"\振"}, got "SEARCH
 * argument is not valid JSON: invalid escape near '"\<E6>'": jansson's error
 * text cut inside the character, copied into the message as is, so the
 * daemon's bad_request reply lost its whole message.  Fixed as the docmodel
 * one above: lib/search_request.c cleans je.text with zc_norm_sanitize. */
static void test_search_json_error_text_cut_utf8(void **state)
{
    (void)state;
    static const char in[] = "{\"q\":\"\\\xe6\x8c\xaf\"}";
    zc_search_request *req = NULL;
    zc_error err;
    assert_int_equal(zc_search_request_parse(in, sizeof in - 1, &req, &err), ZC_EINVAL);
    assert_null(req);
    assert_true(err.message[0] != '\0');
    assert_utf8(err.field);
    assert_utf8(err.message);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_json_error_text_cut_utf8),
        cmocka_unit_test(test_doc_duplicate_long_key_cut_utf8),
        cmocka_unit_test(test_docno_zero_pieces_stack_overflow),
        cmocka_unit_test(test_docno_lone_di_not_idempotent),
        cmocka_unit_test(test_search_json_error_text_cut_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
