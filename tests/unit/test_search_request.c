/* test_search_request.c — the SEARCH request (lib/search_request.c): the
 * argument read into zc_search_opts, each bad option refused naming it
 * with its own message, and zc_search_opts_validate for options filled
 * through the C API.  No index: the module never touches one.
 *
 * Owns nothing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/search_request.h"
#include "lib/zhengce.h"

static void expect_einval(const char *arg, const char *field)
{
    zc_search_request *req = NULL;
    zc_error err;
    zc_status st = zc_search_request_parse(arg, strlen(arg), &req, &err);
    if (st != ZC_EINVAL)
        fail_msg("%s: status %s, want ZC_EINVAL", arg, zc_status_name(st));
    assert_null(req);
    if (strcmp(err.field, field) != 0)
        fail_msg("%s: field \"%s\", want \"%s\"", arg, err.field, field);
    /* The message names the option, for a person reading the reply. */
    if (field[0] != '\0' && strstr(err.message, field) == NULL)
        fail_msg("%s: message \"%s\" does not name %s", arg, err.message, field);
}

/* ---- request parsing ---------------------------------------------------- */

static void test_parse_plain(void **state)
{
    (void)state;
    zc_search_request *req = NULL;
    zc_error err;
    const char *q = "振兴东北 老工业基地";
    assert_int_equal(zc_search_request_parse(q, strlen(q), &req, &err), ZC_OK);
    zc_search_opts *o = zc_search_request_opts(req);
    assert_int_equal(o->q_len, strlen(q));
    assert_memory_equal(o->q, q, strlen(q));
    assert_int_equal(o->limit, 10);
    assert_int_equal(o->offset, 0);
    assert_int_equal(o->snippet, 1);
    assert_int_equal(o->collapse, 0);
    assert_int_equal(o->facet_limit, ZC_FACET_LIMIT_DEFAULT);
    assert_int_equal(o->sort, ZC_SORT_RELEVANCE);
    assert_null(o->lang);
    zc_search_request_free(req);
    zc_search_request_free(NULL);
}

static void test_parse_json_all(void **state)
{
    (void)state;
    const char *arg =
        "  {\"q\":\"振兴\",\"limit\":5,\"offset\":3,\"lang\":\"zh\",\"issuer\":[\"国务院\",\"a\"],"
        "\"from\":\"2003\",\"to\":\"2010-12-31\",\"sort\":\"date_asc\","
        "\"facets\":[\"issuer\",\"year\",\"lang\"],\"facet_limit\":7,\"snippet\":false,"
        "\"collapse\":true,\"unknown\":{\"x\":[1,2]}}";
    zc_search_request *req = NULL;
    zc_error err;
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    zc_search_opts *o = zc_search_request_opts(req);
    assert_int_equal(o->q_len, strlen("振兴"));
    assert_memory_equal(o->q, "振兴", o->q_len);
    assert_int_equal(o->limit, 5);
    assert_int_equal(o->offset, 3);
    assert_string_equal(o->lang, "zh");
    assert_int_equal(o->n_issuers, 2);
    assert_string_equal(o->issuers[0], "国务院");
    assert_string_equal(o->issuers[1], "a");
    assert_string_equal(o->from, "2003");
    assert_string_equal(o->to, "2010-12-31");
    assert_int_equal(o->sort, ZC_SORT_DATE_ASC);
    assert_int_equal(o->facets, ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG);
    assert_int_equal(o->facet_limit, 7);
    assert_int_equal(o->snippet, 0);
    assert_int_equal(o->collapse, 1);
    zc_search_request_free(req);

    /* issuer as one string; sort date */
    arg = "{\"q\":\"x\",\"issuer\":\"国务院\",\"sort\":\"date\"}";
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    o = zc_search_request_opts(req);
    assert_int_equal(o->n_issuers, 1);
    assert_string_equal(o->issuers[0], "国务院");
    assert_int_equal(o->sort, ZC_SORT_DATE_DESC);
    zc_search_request_free(req);
}

static void test_parse_errors_name_option(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *field;
    } cases[] = {
        {"{\"limit\":10}", "q"},
        {"{\"q\":5}", "q"},
        {"{\"q\":\"\"}", "q"},
        {"", "q"},
        {"   ", "q"},
        {"{\"q\":\"x\",\"limit\":-1}", "limit"},
        {"{\"q\":\"x\",\"limit\":1001}", "limit"},
        {"{\"q\":\"x\",\"limit\":\"10\"}", "limit"},
        {"{\"q\":\"x\",\"limit\":2.5}", "limit"},
        {"{\"q\":\"x\",\"offset\":-1}", "offset"},
        {"{\"q\":\"x\",\"offset\":true}", "offset"},
        {"{\"q\":\"x\",\"lang\":\"fr\"}", "lang"},
        {"{\"q\":\"x\",\"lang\":1}", "lang"},
        {"{\"q\":\"x\",\"issuer\":5}", "issuer"},
        {"{\"q\":\"x\",\"issuer\":[\"a\",1]}", "issuer"},
        {"{\"q\":\"x\",\"from\":\"2003-02-30\"}", "from"},
        {"{\"q\":\"x\",\"from\":\"2003-13\"}", "from"},
        {"{\"q\":\"x\",\"from\":2003}", "from"},
        {"{\"q\":\"x\",\"to\":\"abc\"}", "to"},
        {"{\"q\":\"x\",\"to\":\"2003-1-5\"}", "to"},
        {"{\"q\":\"x\",\"sort\":\"newest\"}", "sort"},
        {"{\"q\":\"x\",\"sort\":[]}", "sort"},
        {"{\"q\":\"x\",\"facets\":\"issuer\"}", "facets"},
        {"{\"q\":\"x\",\"facets\":[\"issuer\",\"color\"]}", "facets"},
        {"{\"q\":\"x\",\"facet_limit\":-1}", "facet_limit"},
        {"{\"q\":\"x\",\"facet_limit\":\"5\"}", "facet_limit"},
        {"{\"q\":\"x\",\"snippet\":\"yes\"}", "snippet"},
        {"{\"q\":\"x\",\"snippet\":1}", "snippet"},
        {"{\"q\":\"x\",\"match\":\"some\"}", "match"},
        {"{\"q\":\"x\",\"match\":1}", "match"},
        {"{\"q\":\"x\",\"match\":\"ANY\"}", "match"},
        {"{\"q\":\"x\",\"collapse\":1}", "collapse"},
        {"{\"q\":\"x\",\"collapse\":\"true\"}", "collapse"},
        {"{\"q\":\"x\"", ""},
        {"{\"q\":\"x\"} trailing", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_einval(cases[i].arg, cases[i].field);
}

/* A 2016-11-30 "to" and the limits of each option's range are accepted. */
static void test_parse_edges_accepted(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "{\"q\":\"x\",\"limit\":0}",
        "{\"q\":\"x\",\"limit\":1000}",
        "{\"q\":\"x\",\"facet_limit\":0}",
        "{\"q\":\"x\",\"from\":\"2004-02-29\",\"to\":\"2016\"}",
        /* from = to, and a from inside a partial to: not an empty range. */
        "{\"q\":\"x\",\"from\":\"2016\",\"to\":\"2016\"}",
        "{\"q\":\"x\",\"from\":\"2016-12-31\",\"to\":\"2016\"}",
        "{\"q\":\"x\",\"from\":\"2016\",\"to\":\"2016-01-01\"}",
        "{\"q\":\"x\",\"from\":\"2016-02\",\"to\":\"2016-02-29\"}",
        "{\"q\":\"x\",\"facets\":[]}",
        "{\"q\":\"x\",\"whatever\":\"ignored\"}",
        "[1,2] is plain text",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        zc_search_request *req = NULL;
        zc_error err;
        if (zc_search_request_parse(ok[i], strlen(ok[i]), &req, &err) != ZC_OK)
            fail_msg("%s: %s", ok[i], err.message);
        zc_search_request_free(req);
    }
}

/* "lang" in any case is the lower-case code (the index holds "zh", "en"). */
static void test_parse_lang_any_case(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *lang;
    } cases[] = {
        {"{\"q\":\"x\",\"lang\":\"ZH\"}", "zh"},
        {"{\"q\":\"x\",\"lang\":\"Zh\"}", "zh"},
        {"{\"q\":\"x\",\"lang\":\"zh\"}", "zh"},
        {"{\"q\":\"x\",\"lang\":\"En\"}", "en"},
        {"{\"q\":\"x\",\"lang\":\"EN\"}", "en"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_search_request *req = NULL;
        zc_error err;
        if (zc_search_request_parse(cases[i].arg, strlen(cases[i].arg), &req, &err) != ZC_OK)
            fail_msg("%s: %s", cases[i].arg, err.message);
        assert_string_equal(zc_search_request_opts(req)->lang, cases[i].lang);
        zc_search_request_free(req);
    }
}

/* Every refusal's exact message: what a client reads in the bad_request
 * reply, option by option (protocol.md). */
static void test_parse_error_messages(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *field, *message;
    } cases[] = {
        {"{\"limit\":10}", "q", "option \"q\" (the query) is required"},
        {"{\"q\":null}", "q", "option \"q\" (the query) is required"},
        {"{\"q\":[\"振兴\"]}", "q", "option \"q\" must be a string"},
        {"{\"q\":\"\"}", "q", "empty query"},
        {" \t\r\n", "q", "empty query"},
        {"{\"q\":\"振兴\",\"limit\":1001}", "limit",
         "option \"limit\" must be an integer from 0 to 1000"},
        {"{\"q\":\"振兴\",\"limit\":1e20}", "limit",
         "option \"limit\" must be an integer from 0 to 1000"},
        {"{\"q\":\"振兴\",\"limit\":\"10\"}", "limit", "option \"limit\" must be an integer"},
        {"{\"q\":\"revitalize\",\"offset\":4294967296}", "offset",
         "option \"offset\" must be an integer from 0 to 4294967295"},
        {"{\"q\":\"振兴\",\"lang\":\"zh-CN\"}", "lang", "option \"lang\" must be \"zh\" or \"en\""},
        {"{\"q\":\"振兴\",\"lang\":\"Z\"}", "lang",
         "option \"lang\" must be \"zh\" or \"en\""},
        {"{\"q\":\"振兴\",\"lang\":\"ｚｈ\"}", "lang",
         "option \"lang\" must be \"zh\" or \"en\""},
        {"{\"q\":\"振兴\",\"from\":\"2017\",\"to\":\"2016\"}", "from",
         "options \"from\" (2017) and \"to\" (2016): \"from\" is after \"to\" (a partial "
         "\"from\" means its first day, a partial \"to\" its last)"},
        {"{\"q\":\"振兴\",\"from\":\"2016-11-02\",\"to\":\"2016-11-01\"}", "from",
         "options \"from\" (2016-11-02) and \"to\" (2016-11-01): \"from\" is after \"to\" "
         "(a partial \"from\" means its first day, a partial \"to\" its last)"},
        {"{\"q\":\"振兴\",\"issuer\":{\"国务院\":1}}", "issuer",
         "option \"issuer\" must be a string or an array of strings"},
        {"{\"q\":\"振兴\",\"issuer\":[\"国务院\",null]}", "issuer",
         "option \"issuer\" must be a string or an array of strings"},
        {"{\"q\":\"振兴\",\"from\":20030101}", "from",
         "option \"from\" must be a date string (YYYY, YYYY-MM or YYYY-MM-DD)"},
        {"{\"q\":\"振兴\",\"from\":\"2003-02-29\"}", "from",
         "option \"from\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)"},
        {"{\"q\":\"振兴\",\"to\":\"二〇〇三\"}", "to",
         "option \"to\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)"},
        {"{\"q\":\"振兴\",\"sort\":\"score\"}", "sort",
         "option \"sort\" must be \"relevance\", \"date\" or \"date_asc\""},
        {"{\"q\":\"振兴\",\"facets\":{}}", "facets",
         "option \"facets\" must be an array of \"issuer\", \"year\", \"lang\", \"level\", "
         "\"tier\", \"issued_by\", \"tags\""},
        {"{\"q\":\"振兴\",\"facets\":[\"issuer\",\"发文机关\"]}", "facets",
         "option \"facets\": unknown facet (use \"issuer\", \"year\", \"lang\", \"level\", "
         "\"tier\", \"issued_by\", \"tags\")"},
        {"{\"q\":\"振兴\",\"facet_limit\":10001}", "facet_limit",
         "option \"facet_limit\" must be an integer from 0 to 10000"},
        {"{\"q\":\"振兴\",\"match\":\"any \"}", "match", "option \"match\" must be \"all\" or \"any\""},
        {"{\"q\":\"振兴\",\"snippet\":null,\"snippet\":0}", "snippet",
         "option \"snippet\" must be true or false"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_search_request *req = NULL;
        zc_error err;
        const char *arg = cases[i].arg;
        zc_status st = zc_search_request_parse(arg, strlen(arg), &req, &err);
        if (st != ZC_EINVAL)
            fail_msg("%s: status %s, want ZC_EINVAL", arg, zc_status_name(st));
        assert_null(req);
        if (strcmp(err.field, cases[i].field) != 0 || strcmp(err.message, cases[i].message) != 0)
            fail_msg("%s:\n got  [%s] %s\n want [%s] %s", arg, err.field, err.message,
                     cases[i].field, cases[i].message);
    }
}

/* Text that opens like an object but is not JSON: jansson's reason and
 * column, after a fixed prefix. */
static void test_parse_bad_json(void **state)
{
    (void)state;
    static const char *const args[] = {
        "{\"q\":\"振兴\",}",
        "{\"q\":\"revitalize\"} {}",
        "  {\"q\":\"振兴\",\"limit\":10",
        "{'q':'振兴'}",
    };
    static const char prefix[] = "SEARCH argument is not valid JSON: ";
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        zc_search_request *req = NULL;
        zc_error err;
        assert_int_equal(zc_search_request_parse(args[i], strlen(args[i]), &req, &err),
                         ZC_EINVAL);
        assert_null(req);
        assert_string_equal(err.field, "");
        if (strncmp(err.message, prefix, sizeof prefix - 1) != 0 ||
            strstr(err.message, "(column ") == NULL)
            fail_msg("%s: %s", args[i], err.message);
    }
}

/* A long list is refused before it is read, with the count and the limit. */
static void test_parse_list_limits(void **state)
{
    (void)state;
    char arg[2048] = "{\"q\":\"振兴\",\"issuer\":[";
    for (int i = 0; i < 65; i++)
        strcat(arg, i ? ",\"国务院\"" : "\"国务院\"");
    strcat(arg, "]}");
    zc_search_request *req = NULL;
    zc_error err;
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_EINVAL);
    assert_string_equal(err.field, "issuer");
    assert_string_equal(err.message, "option \"issuer\": 65 issuers, over the limit of 64");

    strcpy(arg, "{\"q\":\"revitalize\",\"facets\":[");
    for (int i = 0; i < 17; i++)
        strcat(arg, i ? ",\"lang\"" : "\"lang\"");
    strcat(arg, "]}");
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_EINVAL);
    assert_string_equal(err.field, "facets");
    assert_string_equal(err.message, "option \"facets\": 17 entries, over the limit of 16");

    /* 64 issuers and 16 facet entries (repeats) are within the limits. */
    strcpy(arg, "{\"q\":\"振兴 revitalize\",\"issuer\":[");
    for (int i = 0; i < 64; i++)
        strcat(arg, i ? ",\"国务院\"" : "\"国务院\"");
    strcat(arg, "],\"facets\":[");
    for (int i = 0; i < 16; i++)
        strcat(arg, i ? ",\"year\"" : "\"year\"");
    strcat(arg, "]}");
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    assert_int_equal(zc_search_request_opts(req)->n_issuers, 64);
    assert_int_equal(zc_search_request_opts(req)->facets, ZC_FACET_YEAR);
    zc_search_request_free(req);
}

/* With two bad options, the one reported is the first in the documented
 * order (q, limit, offset, lang, issuer, from, to, sort, facets,
 * facet_limit, match, snippet, collapse), whatever the order of the keys. */
static void test_parse_first_bad_option_reported(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *field;
    } cases[] = {
        {"{\"snippet\":1,\"limit\":-1,\"q\":\"振兴\"}", "limit"},
        {"{\"match\":1,\"facet_limit\":-1,\"q\":\"振兴\"}", "facet_limit"},
        {"{\"to\":\"x\",\"from\":\"y\",\"q\":\"振兴\"}", "from"},
        {"{\"sort\":1,\"issuer\":1,\"lang\":1,\"q\":\"振兴\"}", "lang"},
        {"{\"facets\":1,\"offset\":-1,\"q\":5}", "q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_einval(cases[i].arg, cases[i].field);
}

/* An empty issuer array asks for no issuer in particular: no filter. */
static void test_parse_empty_issuers(void **state)
{
    (void)state;
    const char *arg = "{\"q\":\"乡村振兴\",\"issuer\":[]}";
    zc_search_request *req = NULL;
    zc_error err;
    assert_int_equal(zc_search_request_parse(arg, strlen(arg), &req, &err), ZC_OK);
    zc_search_opts *o = zc_search_request_opts(req);
    assert_null(o->issuers);
    assert_int_equal(o->n_issuers, 0);
    zc_search_request_free(req);
}

/* Options set through the C API get the parser's rules: one case per rule,
 * each on otherwise good options. */
static void test_opts_validate(void **state)
{
    (void)state;
    static const char *const one[1] = {"国务院"};
    static const char *const many[65] = {0};
    enum { C_OK, C_Q_NULL, C_Q_EMPTY, C_LIMIT, C_LANG, C_SORT, C_FACETS, C_FACET_LIMIT,
           C_NO_ISSUERS, C_ISSUERS, C_TIME, C_TIME_NAN, C_FROM, C_TO, C_ORDER, C_LANG_CASE,
           C_N };
    static const struct {
        const char *field, *message;
    } want[C_N] = {
        [C_OK] = {"", ""},
        [C_Q_NULL] = {"q", "empty query"},
        [C_Q_EMPTY] = {"q", "empty query"},
        [C_LIMIT] = {"limit", "option \"limit\" must be an integer from 0 to 1000"},
        [C_LANG] = {"lang", "option \"lang\" must be \"zh\" or \"en\""},
        [C_SORT] = {"sort", "option \"sort\" must be \"relevance\", \"date\" or \"date_asc\""},
        [C_FACETS] = {"facets", "option \"facets\": unknown facet"},
        [C_FACET_LIMIT] = {"facet_limit",
                           "option \"facet_limit\" must be an integer from 0 to 10000"},
        [C_NO_ISSUERS] = {"issuer", "option \"issuer\": no issuers given"},
        [C_ISSUERS] = {"issuer", "option \"issuer\": 65 issuers, over the limit of 64"},
        [C_TIME] = {"time_limit", "time limit must be >= 0"},
        [C_TIME_NAN] = {"time_limit", "time limit must be >= 0"},
        [C_FROM] = {"from", "option \"from\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)"},
        [C_TO] = {"to", "option \"to\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)"},
        [C_ORDER] = {"from", "options \"from\" (2017) and \"to\" (2016): \"from\" is after "
                             "\"to\" (a partial \"from\" means its first day, a partial "
                             "\"to\" its last)"},
        [C_LANG_CASE] = {"", ""},
    };
    for (int c = 0; c < C_N; c++) {
        zc_search_opts o;
        zc_search_opts_init(&o);
        o.q = "振兴东北 revitalize";
        o.q_len = strlen(o.q);
        o.issuers = one;
        o.n_issuers = 1;
        o.from = "2003-10";
        o.to = "2016";
        switch (c) {
        case C_Q_NULL: o.q = NULL; break;
        case C_Q_EMPTY: o.q_len = 0; break;
        case C_LIMIT: o.limit = ZC_SEARCH_LIMIT_MAX + 1; break;
        case C_LANG: o.lang = "fr"; break;
        case C_SORT: o.sort = (zc_sort)3; break;
        case C_FACETS: o.facets = ZC_FACET_TAGS << 1; break;
        case C_FACET_LIMIT: o.facet_limit = ZC_SEARCH_FACET_LIMIT_MAX + 1; break;
        case C_NO_ISSUERS: o.issuers = NULL; break;
        case C_ISSUERS: o.issuers = many; o.n_issuers = 65; break;
        case C_TIME: o.time_limit_s = -0.5; break;
        case C_TIME_NAN: o.time_limit_s = NAN; break;
        case C_FROM: o.from = "2003-02-29"; break;
        case C_TO: o.to = "16"; break;
        case C_ORDER: o.from = "2017"; break;
        case C_LANG_CASE: o.lang = "EN"; break;
        }
        zc_error err = {0};
        zc_status st = zc_search_opts_validate(&o, &err);
        if (c == C_OK || c == C_LANG_CASE) {
            if (st != ZC_OK)
                fail_msg("good options refused: %s", err.message);
            continue;
        }
        if (st != ZC_EINVAL || strcmp(err.field, want[c].field) != 0 ||
            strcmp(err.message, want[c].message) != 0)
            fail_msg("case %d: got %s [%s] %s, want [%s] %s", c, zc_status_name(st), err.field,
                     err.message, want[c].field, want[c].message);
    }
}

/* The facet table: every ZC_FACET_* bit once, named as the option and the
 * reply spell it, in the reply's order. */
static void test_facet_table(void **state)
{
    (void)state;
    static const char *const names[ZC_SEARCH_N_FACETS] = {"issuer", "year", "lang", "level",
                                                          "tier", "issued_by", "tags"};
    unsigned seen = 0;
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
        assert_string_equal(zc_search_facets[k].name, names[k]);
        assert_int_equal(seen & zc_search_facets[k].bit, 0);
        seen |= zc_search_facets[k].bit;
    }
    assert_int_equal(seen, ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG | ZC_FACET_LEVEL |
                               ZC_FACET_TIER | ZC_FACET_ISSUED_BY | ZC_FACET_TAGS);
}

/* "exact_count": an integer 0..2^32-1, true (every match) or false (the
 * page only); absent stays -1, the front end's default.  Anything else is
 * refused naming the option. */
static void test_parse_exact_count(void **state)
{
    (void)state;
    static const struct {
        const char *arg;
        int64_t want;
    } ok[] = {
        {"{\"q\":\"x\"}", -1},
        {"{\"q\":\"x\",\"exact_count\":null}", -1},
        {"{\"q\":\"x\",\"exact_count\":0}", 0},
        {"{\"q\":\"x\",\"exact_count\":250}", 250},
        {"{\"q\":\"x\",\"exact_count\":250.0}", 250},
        {"{\"q\":\"x\",\"exact_count\":4294967295}", ZC_SEARCH_EXACT_COUNT_ALL},
        {"{\"q\":\"x\",\"exact_count\":true}", ZC_SEARCH_EXACT_COUNT_ALL},
        {"{\"q\":\"x\",\"exact_count\":false}", 0},
        {"x", -1},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        zc_search_request *req = NULL;
        zc_error err;
        if (zc_search_request_parse(ok[i].arg, strlen(ok[i].arg), &req, &err) != ZC_OK)
            fail_msg("%s: %s", ok[i].arg, err.message);
        if (zc_search_request_opts(req)->exact_count != ok[i].want)
            fail_msg("%s: exact_count %lld, want %lld", ok[i].arg,
                     (long long)zc_search_request_opts(req)->exact_count,
                     (long long)ok[i].want);
        zc_search_request_free(req);
    }
    static const char *const bad[] = {
        "{\"q\":\"x\",\"exact_count\":-1}",         "{\"q\":\"x\",\"exact_count\":4294967296}",
        "{\"q\":\"x\",\"exact_count\":2.5}",        "{\"q\":\"x\",\"exact_count\":\"10\"}",
        "{\"q\":\"x\",\"exact_count\":\"all\"}",    "{\"q\":\"x\",\"exact_count\":[10]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_einval(bad[i], "exact_count");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_plain),
        cmocka_unit_test(test_parse_json_all),
        cmocka_unit_test(test_parse_errors_name_option),
        cmocka_unit_test(test_parse_edges_accepted),
        cmocka_unit_test(test_parse_lang_any_case),
        cmocka_unit_test(test_parse_error_messages),
        cmocka_unit_test(test_parse_bad_json),
        cmocka_unit_test(test_parse_list_limits),
        cmocka_unit_test(test_parse_first_bad_option_reported),
        cmocka_unit_test(test_parse_empty_issuers),
        cmocka_unit_test(test_opts_validate),
        cmocka_unit_test(test_facet_table),
        cmocka_unit_test(test_parse_exact_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
