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

#include "docmodel.h"
#include "norm.h"
#include "zhengce.h"

static void assert_utf8(const char *s)
{
    size_t bad = 0;
    if (!zc_norm_valid_utf8(s, strlen(s), &bad))
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_json_error_text_cut_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
