/* test_proto.c — unit tests of the protocol layer's framing and replies
 * (protocol/proto.c, utf8.c, reply.c): the line framer fed in every chunking
 * (byte at a time included), the limit at its exact edge, CRLF, NUL, strict
 * UTF-8, the verb table, the status -> code table and the reply builders.
 * The protocol layer is linked from its archive (build/lib/libzc-protocol.a). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "protocol/proto.h"
#include "protocol/reply.h"
#include "base/utf8.h"

/* ---- framer helpers ----------------------------------------------------- */

#define MAX_EVENTS 64

typedef struct frame_event {
    zc_frame_result r;
    size_t line_len;   /* for LINE */
    size_t at;         /* stream offset just past the bytes consumed */
} frame_event;

/* Feeds `stream` to a framer in chunks of `chunk` bytes (0 = all at once),
 * collecting LINE/TOO_LONG events.  Stops at TOO_LONG. */
static size_t run_framer(const char *stream, size_t len, size_t max_line,
                         size_t chunk, frame_event *ev)
{
    zc_proto_framer fr;
    zc_proto_framer_init(&fr, max_line);
    size_t nev = 0, pos = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    while (pos < len) {
        size_t end = pos + chunk < len ? pos + chunk : len;
        while (pos < end) {
            size_t used = 0, line_len = 0;
            zc_frame_result r =
                zc_proto_frame(&fr, stream + pos, end - pos, &used, &line_len);
            assert_true(used > 0 && used <= end - pos);
            pos += used;
            if (r == ZC_FRAME_MORE) {
                assert_int_equal(pos, end);
                continue;
            }
            assert_true(nev < MAX_EVENTS);
            ev[nev].r = r;
            ev[nev].line_len = line_len;
            ev[nev].at = pos;
            nev++;
            if (r == ZC_FRAME_TOO_LONG)
                return nev;
        }
    }
    return nev;
}

static const size_t chunkings[] = {0, 1, 2, 3, 7, 64};

static void test_frame_simple_lines(void **state)
{
    (void)state;
    const char s[] = "PING\nSEARCH 振兴东北\r\n\nGET x";
    for (size_t c = 0; c < sizeof chunkings / sizeof *chunkings; c++) {
        frame_event ev[MAX_EVENTS];
        size_t n = run_framer(s, strlen(s), 100, chunkings[c], ev);
        assert_int_equal(n, 3);    /* "GET x" has no LF yet: not a line */
        assert_int_equal(ev[0].r, ZC_FRAME_LINE);
        assert_int_equal(ev[0].line_len, 4);
        assert_int_equal(ev[0].at, 5);
        assert_int_equal(ev[1].line_len, strlen("SEARCH 振兴东北\r"));
        assert_int_equal(ev[2].line_len, 0);   /* the empty line */
    }
}

/* Exactly max_line bytes are allowed, with LF or CRLF; one more is not. */
static void test_frame_limit_edge(void **state)
{
    (void)state;
    enum { MAX = 16 };
    char buf[64];
    for (size_t c = 0; c < sizeof chunkings / sizeof *chunkings; c++) {
        frame_event ev[MAX_EVENTS];
        /* MAX bytes + LF */
        memset(buf, 'a', MAX);
        buf[MAX] = '\n';
        size_t n = run_framer(buf, MAX + 1, MAX, chunkings[c], ev);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].r, ZC_FRAME_LINE);
        assert_int_equal(ev[0].line_len, MAX);
        /* MAX bytes + CR LF: the CR is not counted */
        buf[MAX] = '\r';
        buf[MAX + 1] = '\n';
        n = run_framer(buf, MAX + 2, MAX, chunkings[c], ev);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].r, ZC_FRAME_LINE);
        assert_int_equal(ev[0].line_len, MAX + 1);
        /* MAX + 1 bytes + LF: too long, reported at the byte past the limit
         * (stream offset MAX), before the LF arrives */
        memset(buf, 'a', MAX + 1);
        buf[MAX + 1] = '\n';
        n = run_framer(buf, MAX + 2, MAX, chunkings[c], ev);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].r, ZC_FRAME_TOO_LONG);
        assert_int_equal(ev[0].at, MAX + 1);
        /* MAX bytes, CR, then not LF: too long at the byte after the CR */
        memset(buf, 'a', MAX);
        buf[MAX] = '\r';
        buf[MAX + 1] = 'b';
        buf[MAX + 2] = '\n';
        n = run_framer(buf, MAX + 3, MAX, chunkings[c], ev);
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].r, ZC_FRAME_TOO_LONG);
        assert_int_equal(ev[0].at, MAX + 2);
        /* MAX bytes then CR: still undecided, no event */
        memset(buf, 'a', MAX);
        buf[MAX] = '\r';
        n = run_framer(buf, MAX + 1, MAX, chunkings[c], ev);
        assert_int_equal(n, 0);
    }
}

/* The limit applies to each line, not to the stream: many short lines in
 * one chunk never add up to "too long". */
static void test_frame_many_short_lines(void **state)
{
    (void)state;
    enum { LINES = 1000 };
    size_t len = LINES * 5;
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < LINES; i++)
        memcpy(s + i * 5, "PING\n", 5);
    zc_proto_framer fr;
    zc_proto_framer_init(&fr, 64);
    size_t pos = 0, lines = 0;
    while (pos < len) {
        size_t used, ll;
        zc_frame_result r = zc_proto_frame(&fr, s + pos, len - pos, &used, &ll);
        assert_int_equal(r, ZC_FRAME_LINE);
        assert_int_equal(ll, 4);
        pos += used;
        lines++;
    }
    assert_int_equal(lines, LINES);
    free(s);
}

/* A 1 MiB line fed one byte at a time: one call per byte, each O(1), and
 * the 1 MiB + 1st byte is refused at once. */
static void test_frame_slow_client_big_line(void **state)
{
    (void)state;
    const size_t MAX = 1024 * 1024;
    zc_proto_framer fr;
    zc_proto_framer_init(&fr, MAX);
    char b = 'x';
    size_t used, ll;
    for (size_t i = 0; i < MAX; i++) {
        zc_frame_result r = zc_proto_frame(&fr, &b, 1, &used, &ll);
        assert_int_equal(r, ZC_FRAME_MORE);
    }
    assert_int_equal(fr.seen, MAX);
    b = '\n';
    assert_int_equal(zc_proto_frame(&fr, &b, 1, &used, &ll), ZC_FRAME_LINE);
    assert_int_equal(ll, MAX);
    /* and the next line starts fresh */
    for (size_t i = 0; i < MAX; i++) {
        b = 'y';
        assert_int_equal(zc_proto_frame(&fr, &b, 1, &used, &ll), ZC_FRAME_MORE);
    }
    assert_int_equal(zc_proto_frame(&fr, &b, 1, &used, &ll), ZC_FRAME_TOO_LONG);
}

/* ---- parser ------------------------------------------------------------- */

typedef struct parse_case {
    const char *line;
    size_t len;            /* 0 = strlen */
    zc_parse_result r;
    zc_verb verb;          /* for REQUEST */
    const char *arg;       /* for REQUEST; NULL = no argument */
    const char *code;      /* for ERROR */
} parse_case;

#define L(s) s, sizeof(s) - 1

static const parse_case parse_cases[] = {
    {L("PING"), ZC_PARSE_REQUEST, ZC_VERB_PING, NULL, NULL},
    {L("ping"), ZC_PARSE_REQUEST, ZC_VERB_PING, NULL, NULL},
    {L("PiNg\r"), ZC_PARSE_REQUEST, ZC_VERB_PING, NULL, NULL},
    {L("PING   "), ZC_PARSE_REQUEST, ZC_VERB_PING, NULL, NULL},
    {L("  PING"), ZC_PARSE_REQUEST, ZC_VERB_PING, NULL, NULL},
    {L("PING x"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("SEARCH 振兴东北"), ZC_PARSE_REQUEST, ZC_VERB_SEARCH, "振兴东北", NULL},
    {L("search   revitalize  the northeast  "), ZC_PARSE_REQUEST,
     ZC_VERB_SEARCH, "revitalize  the northeast  ", NULL},
    {L("SEARCH {\"q\":\"东北\",\"limit\":3}\r"), ZC_PARSE_REQUEST,
     ZC_VERB_SEARCH, "{\"q\":\"东北\",\"limit\":3}", NULL},
    {L("SEARCH"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("SEARCH   "), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("GET gov-2003-11"), ZC_PARSE_REQUEST, ZC_VERB_GET, "gov-2003-11", NULL},
    {L("GET a b"), ZC_PARSE_REQUEST, ZC_VERB_GET, "a b", NULL},
    {L("ADD {\"id\":\"x\"}"), ZC_PARSE_REQUEST, ZC_VERB_ADD, "{\"id\":\"x\"}", NULL},
    {L("del x"), ZC_PARSE_REQUEST, ZC_VERB_DEL, "x", NULL},
    {L("COMMIT"), ZC_PARSE_REQUEST, ZC_VERB_COMMIT, NULL, NULL},
    {L("COMMIT now"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("STATS"), ZC_PARSE_REQUEST, ZC_VERB_STATS, NULL, NULL},
    {L("AUTH s3cret token"), ZC_PARSE_REQUEST, ZC_VERB_AUTH, "s3cret token", NULL},
    {L("AUTH"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("HELP"), ZC_PARSE_REQUEST, ZC_VERB_HELP, NULL, NULL},
    {L("quit"), ZC_PARSE_REQUEST, ZC_VERB_QUIT, NULL, NULL},
    {L(""), ZC_PARSE_EMPTY, 0, NULL, NULL},
    {L("\r"), ZC_PARSE_EMPTY, 0, NULL, NULL},
    {L("     "), ZC_PARSE_EMPTY, 0, NULL, NULL},
    {L("   \r"), ZC_PARSE_EMPTY, 0, NULL, NULL},
    {L("FOO bar"), ZC_PARSE_ERROR, 0, NULL, "unknown_command"},
    {L("PINGX"), ZC_PARSE_ERROR, 0, NULL, "unknown_command"},
    {L("PING\tx"), ZC_PARSE_ERROR, 0, NULL, "unknown_command"},
    {L("搜索 东北"), ZC_PARSE_ERROR, 0, NULL, "unknown_command"},
    {L("\tPING"), ZC_PARSE_ERROR, 0, NULL, "unknown_command"},
    /* only one CR is dropped; a second one is part of the argument */
    {L("GET x\r\r"), ZC_PARSE_REQUEST, ZC_VERB_GET, "x\r", NULL},
    /* NUL anywhere */
    {L("PING\0"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("\0"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("SEARCH a\0b"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    /* invalid UTF-8, verb or argument */
    {L("SEARCH \xff"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    {L("SEARCH \xc0\x80"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},       /* overlong NUL */
    {L("SEARCH \xe0\x80\xaf"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},   /* overlong / */
    {L("SEARCH \xed\xa0\x80"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},   /* surrogate */
    {L("SEARCH \xf4\x90\x80\x80"), ZC_PARSE_ERROR, 0, NULL, "bad_request"}, /* > U+10FFFF */
    {L("SEARCH \xe4\xb8"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},       /* truncated 中 */
    {L("SEARCH \x80"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},           /* lone continuation */
    {L("\xfe PING"), ZC_PARSE_ERROR, 0, NULL, "bad_request"},
    /* valid edge characters */
    {L("SEARCH \xf4\x8f\xbf\xbf"), ZC_PARSE_REQUEST, ZC_VERB_SEARCH, "\xf4\x8f\xbf\xbf", NULL},
    {L("SEARCH \xef\xbc\x88\xef\xbc\x92\xef\xbc\x90"), ZC_PARSE_REQUEST, ZC_VERB_SEARCH,
     "（２０", NULL},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
        const parse_case *c = &parse_cases[i];
        zc_request req;
        zc_parse_result r = zc_proto_parse(c->line, c->len, &req);
        if (r != c->r)
            fail_msg("case %zu (%.*s): result %d, want %d (%s)", i, (int)c->len,
                     c->line, r, c->r, req.err_msg);
        if (r == ZC_PARSE_REQUEST) {
            assert_non_null(req.verb);
            assert_int_equal(req.verb->verb, c->verb);
            if (c->arg == NULL) {
                assert_null(req.arg);
                assert_int_equal(req.arg_len, 0);
            } else {
                assert_non_null(req.arg);
                assert_int_equal(req.arg_len, strlen(c->arg));
                assert_memory_equal(req.arg, c->arg, req.arg_len);
            }
        } else if (r == ZC_PARSE_ERROR) {
            assert_string_equal(zc_reply_code_name(req.err_code), c->code);
            assert_true(strlen(req.err_msg) > 0);
        }
    }
}

/* The verb table says which verbs write, need auth and run on the loop. */
static void test_verb_table(void **state)
{
    (void)state;
    size_t n;
    const zc_verb_info *v = zc_proto_verbs(&n);
    assert_int_equal(n, ZC_VERB_COUNT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].verb, (zc_verb)i);
        int w = v[i].verb == ZC_VERB_ADD || v[i].verb == ZC_VERB_DEL ||
                v[i].verb == ZC_VERB_COMMIT;
        assert_int_equal(!!(v[i].flags & ZC_VF_WRITE), w);
        assert_int_equal(!!(v[i].flags & ZC_VF_AUTH), w);
        /* exactly one of "argument required" and "no argument" */
        assert_true(!!(v[i].flags & ZC_VF_ARG) != !!(v[i].flags & ZC_VF_NOARG));
    }
}

static void test_unknown_verb_echo_is_cut(void **state)
{
    (void)state;
    char line[300];
    memset(line, 'Z', sizeof line);
    zc_request req;
    assert_int_equal(zc_proto_parse(line, sizeof line, &req), ZC_PARSE_ERROR);
    assert_int_equal(req.err_code, ZC_REPLY_UNKNOWN_COMMAND);
    assert_true(strlen(req.err_msg) < 100);
    /* a long Chinese verb is cut on a character boundary */
    char zh[200] = "";
    for (int i = 0; i < 20; i++)
        strcat(zh, "东北");
    assert_int_equal(zc_proto_parse(zh, strlen(zh), &req), ZC_PARSE_ERROR);
    assert_true(zc_utf8_valid(req.err_msg, strlen(req.err_msg), NULL));
}

/* ---- UTF-8 -------------------------------------------------------------- */

static void test_utf8(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(zc_utf8_valid("", 0, NULL));
    assert_true(zc_utf8_valid("国发〔2016〕62号 ｆｕｌｌ", strlen("国发〔2016〕62号 ｆｕｌｌ"), NULL));
    assert_false(zc_utf8_valid("ab\xe4\xb8", 4, &bad));
    assert_int_equal(bad, 2);
    assert_false(zc_utf8_valid("\xf5\x80\x80\x80", 4, &bad));
    assert_int_equal(bad, 0);
    assert_false(zc_utf8_valid("\xc1\xbf", 2, NULL));
    assert_true(zc_utf8_valid("\xc2\x80", 2, NULL));
    assert_true(zc_utf8_valid("\xed\x9f\xbf", 3, NULL));   /* U+D7FF */
    assert_false(zc_utf8_valid("\xed\xbf\xbf", 3, NULL));  /* U+DFFF */
    assert_true(zc_utf8_valid("\xf0\x90\x80\x80", 4, NULL));
    assert_false(zc_utf8_valid("\xf0\x8f\xbf\xbf", 4, NULL));
    /* cut never splits a character */
    const char *s = "东北振兴";   /* 3 bytes each */
    assert_int_equal(zc_utf8_cut(s, 12, 12), 12);
    assert_int_equal(zc_utf8_cut(s, 12, 11), 9);
    assert_int_equal(zc_utf8_cut(s, 12, 2), 0);
    assert_int_equal(zc_utf8_cut("ab\xff", 3, 10), 2);
}

/* ---- replies ------------------------------------------------------------ */

/* A reply is one JSON object with no LF at all (the transport adds it). */
static json_t *parse_reply(const zc_reply *r)
{
    assert_non_null(r->body);
    assert_true(r->len > 0);
    assert_int_equal(strlen(r->body), r->len);
    assert_null(memchr(r->body, '\n', r->len));
    json_error_t je;
    json_t *o = json_loadb(r->body, r->len, 0, &je);
    assert_non_null(o);
    return o;
}

static void test_error_reply(void **state)
{
    (void)state;
    zc_reply r;
    zc_reply_init(&r);
    zc_reply_error(&r, ZC_REPLY_BAD_REQUEST, "field \"q\":\nline\tbreak 东北");
    assert_int_equal(r.code, ZC_REPLY_BAD_REQUEST);
    json_t *o = parse_reply(&r);
    assert_true(json_is_false(json_object_get(o, "ok")));
    json_t *e = json_object_get(o, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "bad_request");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "field \"q\":\nline\tbreak 东北");
    assert_int_equal(json_object_size(o), 2);
    assert_int_equal(json_object_size(e), 2);
    json_decref(o);
    /* the exact bytes of a simple one (replacing the earlier body) */
    zc_reply_error(&r, ZC_REPLY_BUSY, "too many connections");
    assert_string_equal(r.body, "{\"ok\":false,\"error\":{\"code\":\"busy\","
                                "\"message\":\"too many connections\"}}");
    /* invalid UTF-8 in a message never reaches the wire */
    zc_reply_error(&r, ZC_REPLY_INTERNAL, "bad \xff byte");
    o = parse_reply(&r);
    json_decref(o);
    /* a huge message is cut on a boundary */
    char big[4000] = "";
    for (int i = 0; i < 1000; i++)
        strcat(big, "东");
    zc_reply_error(&r, ZC_REPLY_INTERNAL, big);
    assert_true(r.len < ZC_REPLY_MSG_MAX + 100);
    o = parse_reply(&r);
    json_decref(o);
    /* an error never reads as ok */
    zc_reply_error(&r, ZC_REPLY_OK, "x");
    assert_int_equal(r.code, ZC_REPLY_INTERNAL);
    zc_reply_clear(&r);
    assert_null(r.body);
}

static void test_status_reply(void **state)
{
    (void)state;
    zc_error err = {ZC_EINVAL, "limit", "must be 0..1000"};
    zc_reply r;
    zc_reply_init(&r);
    zc_reply_status(&r, ZC_EINVAL, &err);
    json_t *o = parse_reply(&r);
    json_t *e = json_object_get(o, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "bad_request");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "limit: must be 0..1000");
    json_decref(o);
    zc_error err2 = {ZC_ETIMEOUT, "", "query ran past 0.5 s"};
    zc_reply_status(&r, ZC_ETIMEOUT, &err2);
    assert_int_equal(r.code, ZC_REPLY_TIMEOUT);
    o = parse_reply(&r);
    e = json_object_get(o, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "timeout");
    json_decref(o);
    /* a status without error text still gets a message */
    zc_reply_status(&r, ZC_ENOTFOUND, NULL);
    o = parse_reply(&r);
    e = json_object_get(o, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "not_found");
    json_decref(o);
    zc_reply_oom(&r);
    assert_true(r.is_static);
    o = parse_reply(&r);
    json_decref(o);
    zc_reply_clear(&r);
}

/* The one status -> code table, every status. */
static void test_status_codes(void **state)
{
    (void)state;
    static const struct { zc_status st; const char *code; } t[] = {
        {ZC_OK, "internal"},             /* a failure must never read as ok */
        {ZC_EINVAL, "bad_request"},      {ZC_ETOOLONG, "bad_request"},
        {ZC_ENOTFOUND, "not_found"},     {ZC_ELOCKED, "busy"},
        {ZC_ETIMEOUT, "timeout"},        {ZC_EREADONLY, "read_only"},
        {ZC_ENOMEM, "internal"},         {ZC_EIO, "internal"},
        {ZC_ECORRUPT, "internal"},       {ZC_EVERSION, "internal"},
        {ZC_EMODIFIED, "internal"},      {ZC_EINTERNAL, "internal"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        assert_string_equal(zc_reply_code_name(zc_reply_code_of_status(t[i].st)), t[i].code);
    assert_string_equal(zc_reply_code_name(ZC_REPLY_OK), "ok");
    assert_string_equal(zc_reply_code_name(ZC_REPLY_LINE_TOO_LONG), "line_too_long");
    assert_string_equal(zc_reply_code_name(ZC_REPLY_FORBIDDEN), "forbidden");
}

static void test_json_reply(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:b,s:s}", "ok", 1, "x", "a\nb");
    zc_reply r;
    zc_reply_init(&r);
    zc_reply_json(&r, o);
    assert_int_equal(r.code, ZC_REPLY_OK);
    assert_string_equal(r.body, "{\"ok\":true,\"x\":\"a\\nb\"}");
    json_decref(o);
    /* library JSON with raw newlines between tokens becomes one line */
    char *lib = strdup("{\n \"id\": \"a\"\n}");
    zc_reply_libjson(&r, lib, strlen(lib), "{\"ok\":true,\"doc\":", "}");
    assert_string_equal(r.body, "{\"ok\":true,\"doc\":{\"id\":\"a\"}}");
    size_t len;
    int is_static;
    char *b = zc_reply_take(&r, &len, &is_static);
    assert_false(is_static);
    assert_int_equal(len, strlen(b));
    assert_null(r.body);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_simple_lines),
        cmocka_unit_test(test_frame_limit_edge),
        cmocka_unit_test(test_frame_many_short_lines),
        cmocka_unit_test(test_frame_slow_client_big_line),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_verb_table),
        cmocka_unit_test(test_unknown_verb_echo_is_cut),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_error_reply),
        cmocka_unit_test(test_status_reply),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_json_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
