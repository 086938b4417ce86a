/* test_docstore.c — lib/docstore.c: stored documents as zstd frames.  Round
 * trips of every size class (empty, small, several MiB of CJK text), one
 * context per thread used from several threads at once, and damaged data
 * (not a frame, cut short, a flipped byte, a header claiming too much) is
 * ZC_ECORRUPT, never a partial document. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zstd.h>

#include "lib/docstore.h"

static void round_trip(const char *json, size_t len)
{
    char *packed = NULL, *back = NULL;
    size_t plen = 0, blen = 0;
    zc_error err;
    assert_int_equal(zc_docstore_pack(json, len, &packed, &plen, &err), ZC_OK);
    assert_non_null(packed);
    assert_int_equal(zc_docstore_unpack(packed, plen, &back, &blen, &err), ZC_OK);
    assert_int_equal(blen, len);
    assert_memory_equal(back, json, len);
    assert_int_equal(back[blen], '\0');
    free(packed);
    free(back);
}

/* n bytes of repetitive CJK policy text in a JSON body. */
static char *cjk_json(size_t n, size_t *len)
{
    static const char piece[] = "振兴东北地区等老工业基地，深化国有企业改革。";
    char *s = malloc(n + 64);
    assert_non_null(s);
    size_t k = (size_t)sprintf(s, "{\"id\":\"x\",\"body\":\"");
    while (k + sizeof piece < n)
        k += (size_t)sprintf(s + k, "%s", piece);
    k += (size_t)sprintf(s + k, "\"}");
    *len = k;
    return s;
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip("", 0);
    round_trip("{}", 2);
    round_trip("{\"id\":\"a\",\"title\":\"振兴东北\"}", strlen("{\"id\":\"a\",\"title\":\"振兴东北\"}"));
    size_t len = 0;
    char *big = cjk_json(5u << 20, &len);
    round_trip(big, len);
    /* and it is smaller than the text */
    char *packed = NULL;
    size_t plen = 0;
    zc_error err;
    assert_int_equal(zc_docstore_pack(big, len, &packed, &plen, &err), ZC_OK);
    assert_true(plen < len / 4);
    free(packed);
    free(big);
}

static void expect_damaged(const char *data, size_t len)
{
    char *out = (char *)1;
    size_t olen = 7;
    zc_error err;
    assert_int_equal(zc_docstore_unpack(data, len, &out, &olen, &err), ZC_ECORRUPT);
    assert_null(out);
    assert_int_equal(olen, 0);
    assert_string_equal(err.message, "stored document is damaged");
}

static void test_damaged(void **state)
{
    (void)state;
    expect_damaged("", 0);
    expect_damaged("{\"id\":\"a\"}", 10);  /* a format 2 document: plain JSON */
    size_t len = 0;
    char *json = cjk_json(64 * 1024, &len);
    char *packed = NULL;
    size_t plen = 0;
    zc_error err;
    assert_int_equal(zc_docstore_pack(json, len, &packed, &plen, &err), ZC_OK);
    expect_damaged(packed, plen / 2);          /* cut short */
    expect_damaged(packed, 4);                 /* the magic number alone */
    char *bad = malloc(plen);
    assert_non_null(bad);
    memcpy(bad, packed, plen);
    bad[plen - 1] ^= 0x5a;                     /* the checksum */
    expect_damaged(bad, plen);
    memcpy(bad, packed, plen);
    bad[plen / 2] ^= 0x5a;                     /* a compressed byte */
    expect_damaged(bad, plen);
    free(bad);
    free(packed);
    free(json);

    /* A well-formed frame whose header says it holds 1 TiB: refused before
     * anything is allocated.  Magic, a descriptor with an 8-byte content
     * size and a single segment, the size, one empty last raw block. */
    static const unsigned char huge[] = {0x28, 0xB5, 0x2F, 0xFD, 0xE0,
                                         0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0, 0};
    assert_int_equal(ZSTD_getFrameContentSize(huge, sizeof huge), 1ull << 40);
    expect_damaged((const char *)huge, sizeof huge);
}

static void *pack_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        char json[128];
        int n = snprintf(json, sizeof json, "{\"id\":\"t%d\",\"body\":\"政策%d\"}", i, i);
        char *packed = NULL, *back = NULL;
        size_t plen = 0, blen = 0;
        zc_error err;
        if (zc_docstore_pack(json, (size_t)n, &packed, &plen, &err) != ZC_OK ||
            zc_docstore_unpack(packed, plen, &back, &blen, &err) != ZC_OK ||
            blen != (size_t)n || memcmp(back, json, blen) != 0) {
            free(packed);
            free(back);
            return (void *)1;
        }
        free(packed);
        free(back);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, pack_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_null(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
