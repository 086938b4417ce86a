/* test_reader.c — the indexer's record framer (indexer/reader.c) and text
 * document format (indexer/textdoc.c).
 *
 * The indexer's modules are not in libzhengce, so they are compiled into
 * this test directly.  Every framer case is run with the input fed whole,
 * in chunks of every size from 1 to 17 bytes, and in 64 KiB chunks: the
 * events must be the same whichever way the bytes arrive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "indexer/reader.h"
#include "indexer/textdoc.h"
#include "base/utf8.h"

/* ---- framer harness ---------------------------------------------------- */

#define MAX_EVENTS 64

/* Events rendered as text: "R3@20:{...}" (record, line 3, offset 20),
 * "L5@100:70001" (too long, line 5, offset, bytes seen is only checked to be
 * over the limit), "U2@7" (bad UTF-8, line 2, first bad byte at offset 7). */
typedef struct events {
    char *ev[MAX_EVENTS];
    size_t n;
} events;

static void events_free(events *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->ev[i]);
    e->n = 0;
}

static void push(events *e, const char *s)
{
    assert_true(e->n < MAX_EVENTS);
    e->ev[e->n++] = strdup(s);
}

static void drain(zc_rd *rd, events *e, zc_rd_result stop_at, size_t max)
{
    zc_rd_record rec;
    zc_rd_result r;
    while ((r = zc_rd_next(rd, &rec)) != stop_at) {
        char buf[512];
        switch (r) {
        case ZC_RD_RECORD:
            assert_true(rec.len <= max);
            snprintf(buf, sizeof buf, "R%llu@%llu:%.*s", (unsigned long long)rec.line,
                     (unsigned long long)rec.offset, (int)(rec.len > 300 ? 300 : rec.len),
                     rec.ptr);
            break;
        case ZC_RD_TOO_LONG:
            assert_true(rec.length > max);
            snprintf(buf, sizeof buf, "L%llu@%llu", (unsigned long long)rec.line,
                     (unsigned long long)rec.offset);
            break;
        case ZC_RD_BAD_UTF8:
            snprintf(buf, sizeof buf, "U%llu@%llu", (unsigned long long)rec.line,
                     (unsigned long long)rec.bad_offset);
            break;
        default:
            fail_msg("unexpected event %d", (int)r);
        }
        push(e, buf);
    }
}

/* Feeds data in chunks of `chunk` bytes (0 = whole). */
static void frame(const char *data, size_t len, size_t max, size_t chunk, events *e)
{
    zc_rd rd;
    zc_rd_init(&rd, max);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        zc_rd_feed(&rd, data + off, n);
        drain(&rd, e, ZC_RD_NEED_MORE, max);
        /* Bounded memory: never more than the limit (+1 for a CR). */
        assert_true(rd.buf_cap <= max + 1);
    }
    zc_rd_finish(&rd);
    drain(&rd, e, ZC_RD_END, max);
    /* After the end, it stays at the end. */
    zc_rd_record rec;
    assert_int_equal(zc_rd_next(&rd, &rec), ZC_RD_END);
    zc_rd_free(&rd);
    zc_rd_free(NULL);
}

/* Runs the case under every chunking and compares with `expect`
 * (NULL-terminated). */
static void check_framing(const char *data, size_t len, size_t max, const char *const *expect)
{
    static const size_t chunks[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        events e = {0};
        frame(data, len, max, chunks[c], &e);
        size_t n = 0;
        while (expect[n] != NULL)
            n++;
        if (e.n != n) {
            for (size_t i = 0; i < e.n; i++)
                print_message("  got %s\n", e.ev[i]);
            fail_msg("chunk %zu: %zu events, want %zu", chunks[c], e.n, n);
        }
        for (size_t i = 0; i < n; i++) {
            if (strcmp(e.ev[i], expect[i]) != 0)
                fail_msg("chunk %zu event %zu: got '%s' want '%s'", chunks[c], i, e.ev[i],
                         expect[i]);
        }
        events_free(&e);
    }
}

#define CHECK(data, max, ...)                                                        \
    do {                                                                             \
        static const char d_[] = data;                                               \
        const char *const ex_[] = {__VA_ARGS__, NULL};                               \
        check_framing(d_, sizeof d_ - 1, max, ex_);                                  \
    } while (0)

/* ---- framer cases ----------------------------------------------------- */

static void test_lines(void **state)
{
    (void)state;
    CHECK("{\"a\":1}\n{\"b\":2}\n", 100, "R1@0:{\"a\":1}", "R2@8:{\"b\":2}");
    CHECK("中文\n", 100, "R1@0:中文");
}

static void test_truncated_last_line(void **state)
{
    (void)state;
    CHECK("{\"a\":1}\n{\"b\":2}", 100, "R1@0:{\"a\":1}", "R2@8:{\"b\":2}");
    CHECK("x", 100, "R1@0:x");
    CHECK("x\r", 100, "R1@0:x");
}

static void test_blank_lines_skipped(void **state)
{
    (void)state;
    CHECK("\n\na\n \t \n\r\nb\n\n", 100, "R3@2:a", "R6@10:b");
    CHECK("", 100, NULL);
    CHECK("\n", 100, NULL);
    CHECK("   ", 100, NULL);
}

static void test_crlf(void **state)
{
    (void)state;
    CHECK("a\r\nb\r\n", 100, "R1@0:a", "R2@3:b");
    /* A CR inside a line is data. */
    CHECK("a\rb\r\n", 100, "R1@0:a\rb");
}

static void test_bom(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBF{\"a\":1}\nb\n", 100, "R1@3:{\"a\":1}", "R2@11:b");
    CHECK("\xEF\xBB\xBF\n", 100, NULL);
    CHECK("\xEF\xBB\xBF", 100, NULL);
    /* Only at the start of the stream. */
    CHECK("a\n\xEF\xBB\xBFz\n", 100, "R1@0:a", "R2@2:\xEF\xBB\xBFz");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    CHECK("ok\nab\xFF\ncd\n", 100, "R1@0:ok", "U2@5", "R3@7:cd");
    /* A sequence cut by the newline. */
    CHECK("\xE4\xB8\n\xE4\xB8\xAD\n", 100, "U1@0", "R2@3:中");
    /* Overlong, surrogate, past U+10FFFF. */
    CHECK("a\xC0\xAF\nb\xED\xA0\x80\nc\xF4\x90\x80\x80\n", 100, "U1@1", "U2@5", "U3@10");
    /* In the truncated last line. */
    CHECK("x\ny\xE4", 100, "R1@0:x", "U2@3");
}

static void test_too_long(void **state)
{
    (void)state;
    /* Limit 10: 10 bytes fit, 11 do not; the next record is still read. */
    CHECK("0123456789\n0123456789A\nok\n", 10, "R1@0:0123456789", "L2@11", "R3@23:ok");
    /* A CR does not count. */
    CHECK("0123456789\r\n", 10, "R1@0:0123456789");
    CHECK("0123456789A\r\n", 10, "L1@0");
    /* Over-long line at the end, without newline. */
    CHECK("ok\n0123456789ABCDEF", 10, "R1@0:ok", "L2@3");
    /* Two in a row, then a good one. */
    CHECK("AAAAAAAAAAAAAAAAAAAA\nBBBBBBBBBBBBBBBBBBBBBBBBB\nc\n", 10, "L1@0", "L2@21", "R3@47:c");
}

static void test_huge_record_not_buffered(void **state)
{
    (void)state;
    /* 5 MB line over a 1 KiB limit, then a record: fed in 64 KiB chunks the
     * buffer never grows past the limit (frame() asserts it). */
    size_t big = 5u * 1000u * 1000u;
    char *data = malloc(big + 32);
    assert_non_null(data);
    memset(data, 'x', big);
    memcpy(data + big, "\n{\"next\":1}\n", 12);
    events e = {0};
    frame(data, big + 12, 1024, 65536, &e);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.ev[0], "L1@0");
    char want[64];
    snprintf(want, sizeof want, "R2@%zu:{\"next\":1}", big + 1);
    assert_string_equal(e.ev[1], want);
    events_free(&e);
    free(data);
}

static void test_records_in_place(void **state)
{
    (void)state;
    /* A line inside one chunk is returned without a copy. */
    static const char data[] = "abc\ndef\n";
    zc_rd rd;
    zc_rd_init(&rd, 100);
    zc_rd_feed(&rd, data, sizeof data - 1);
    zc_rd_record rec;
    assert_int_equal(zc_rd_next(&rd, &rec), ZC_RD_RECORD);
    assert_ptr_equal(rec.ptr, data);
    assert_int_equal(zc_rd_next(&rd, &rec), ZC_RD_RECORD);
    assert_ptr_equal(rec.ptr, data + 4);
    assert_int_equal(zc_rd_next(&rd, &rec), ZC_RD_NEED_MORE);
    assert_null(rd.buf);
    zc_rd_free(&rd);
}

typedef struct utf8_case {
    const char *s;
    size_t len;
    int ok;
    size_t bad;
} utf8_case;

#define U(s, ok, bad) {s, sizeof s - 1, ok, bad}

static void test_utf8_validator(void **state)
{
    (void)state;
    static const utf8_case cases[] = {
        U("", 1, 0),
        U("plain ascii", 1, 0),
        U("政策 policy é 😀", 1, 0),
        U("\xEF\xBF\xBF", 1, 0),         /* U+FFFF */
        U("\xF4\x8F\xBF\xBF", 1, 0),     /* U+10FFFF */
        U("\xED\x9F\xBF", 1, 0),         /* U+D7FF */
        U("a\x80", 0, 1),                /* lone continuation */
        U("a\xC1\xBF", 0, 1),            /* overlong 2-byte */
        U("\xE0\x9F\xBF", 0, 0),         /* overlong 3-byte */
        U("\xF0\x8F\xBF\xBF", 0, 0),     /* overlong 4-byte */
        U("ab\xED\xA0\x80", 0, 2),       /* surrogate */
        U("\xF4\x90\x80\x80", 0, 0),     /* > U+10FFFF */
        U("\xF5\x80\x80\x80", 0, 0),
        U("abc\xE4\xB8", 0, 3),          /* truncated */
        U("\xE4\x41\xAD", 0, 0),         /* bad continuation */
        U("\xFF", 0, 0),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bad = 999;
        int ok = zc_utf8_valid(cases[i].s, cases[i].len, &bad);
        if (ok != cases[i].ok)
            fail_msg("case %zu: got %d", i, ok);
        if (!ok)
            assert_int_equal(bad, cases[i].bad);
    }
}

/* ---- text documents --------------------------------------------------- */

static json_t *textdoc(const char *text, const char *id, zc_textdoc_lines *lines)
{
    char *js = NULL;
    size_t n = 0;
    zc_textdoc_error e;
    if (zc_textdoc_to_json(text, strlen(text), id, &js, &n, lines, &e) != 0)
        fail_msg("textdoc failed: line %llu: %s", (unsigned long long)e.line, e.message);
    assert_int_equal(n, strlen(js));
    json_error_t je;
    json_t *o = json_loads(js, JSON_REJECT_DUPLICATES, &je);
    assert_non_null(o);
    free(js);
    return o;
}

static const char *sfield(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return v ? json_string_value(v) : NULL;
}

static void test_textdoc_headers(void **state)
{
    (void)state;
    zc_textdoc_lines lines;
    json_t *o = textdoc("\xEF\xBB\xBFTitle: 国务院关于振兴东北的意见\r\n"
                        "DATE: 2003-10-05\r\n"
                        "issuer：国务院\r\n"
                        "Docno:  国发〔2003〕11号  \r\n"
                        "Tags: 振兴, 东北，老工业基地 ,, \r\n"
                        "Pair: en-1\r\n"
                        "Lang: zh\r\n"
                        "\r\n"
                        "第一段。\r\n第二段。\r\n\r\n",
                        "text/a", &lines);
    assert_string_equal(sfield(o, "id"), "text/a");
    assert_string_equal(sfield(o, "title"), "国务院关于振兴东北的意见");
    assert_string_equal(sfield(o, "date"), "2003-10-05");
    assert_string_equal(sfield(o, "issuer"), "国务院");
    assert_string_equal(sfield(o, "docno"), "国发〔2003〕11号");
    assert_string_equal(sfield(o, "pair"), "en-1");
    assert_string_equal(sfield(o, "lang"), "zh");
    assert_string_equal(sfield(o, "body"), "第一段。\n第二段。");
    json_t *tags = json_object_get(o, "tags");
    assert_int_equal(json_array_size(tags), 3);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "振兴");
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "东北");
    assert_string_equal(json_string_value(json_array_get(tags, 2)), "老工业基地");
    assert_int_equal(zc_textdoc_line_of(&lines, "title"), 1);
    assert_int_equal(zc_textdoc_line_of(&lines, "date"), 2);
    assert_int_equal(zc_textdoc_line_of(&lines, "lang"), 7);
    assert_int_equal(zc_textdoc_line_of(&lines, "body"), 9);
    assert_int_equal(zc_textdoc_line_of(&lines, ""), 1);
    json_decref(o);
}

static void test_textdoc_id_header_wins(void **state)
{
    (void)state;
    json_t *o = textdoc("Id: gov-1\nTitle: T\n\nbody\n", "path-id", NULL);
    assert_string_equal(sfield(o, "id"), "gov-1");
    assert_null(json_object_get(o, "lang"));
    json_decref(o);
}

static void test_textdoc_no_headers(void **state)
{
    (void)state;
    zc_textdoc_lines lines;
    /* No header: the first non-blank line is the title and stays in the body. */
    json_t *o = textdoc("\n\n关于加强管理的通知\n各省：\nNote: not a header\n", "x", &lines);
    assert_string_equal(sfield(o, "title"), "关于加强管理的通知");
    assert_string_equal(sfield(o, "body"), "关于加强管理的通知\n各省：\nNote: not a header");
    assert_int_equal(zc_textdoc_line_of(&lines, "title"), 3);
    json_decref(o);
    /* The header ends at the first line that is not a known header. */
    o = textdoc("Title: T\nSubject: not ours\nmore\n", "x", NULL);
    assert_string_equal(sfield(o, "title"), "T");
    assert_string_equal(sfield(o, "body"), "Subject: not ours\nmore");
    json_decref(o);
    /* Empty file: empty title, empty body; the library decides. */
    o = textdoc("", "x", NULL);
    assert_string_equal(sfield(o, "title"), "");
    assert_string_equal(sfield(o, "body"), "");
    json_decref(o);
}

static void test_textdoc_errors(void **state)
{
    (void)state;
    char *js = NULL;
    zc_textdoc_error e;
    static const char twice[] = "Title: a\nTITLE: b\n\nbody";
    assert_int_equal(zc_textdoc_to_json(twice, sizeof twice - 1, "x", &js, NULL, NULL, &e), -1);
    assert_null(js);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.message, "given twice"));
    static const char bad[] = "Title: a\n\nok\nbad \xFF here\n";
    assert_int_equal(zc_textdoc_to_json(bad, sizeof bad - 1, "x", &js, NULL, NULL, &e), -1);
    assert_int_equal(e.line, 4);
    assert_int_equal(e.offset, 17);
    assert_non_null(strstr(e.message, "invalid UTF-8"));
    static const char nul[] = "Title: a\n\nx\0y";
    assert_int_equal(zc_textdoc_to_json(nul, sizeof nul - 1, "x", &js, NULL, NULL, &e), -1);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.message, "NUL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_truncated_last_line),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_huge_record_not_buffered),
        cmocka_unit_test(test_records_in_place),
        cmocka_unit_test(test_utf8_validator),
        cmocka_unit_test(test_textdoc_headers),
        cmocka_unit_test(test_textdoc_id_header_wins),
        cmocka_unit_test(test_textdoc_no_headers),
        cmocka_unit_test(test_textdoc_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
