/* fuzz_query.c — libFuzzer harness for query translation: zc_query_build
 * (lib/query.c) on any query text, the SEARCH argument parser
 * (zc_search_request_parse, lib/search.c) on the same bytes, and a snippet
 * (lib/snippet.c) of the text highlighted with the query's own terms.
 *
 * The input is the query text.  An input starting with byte 0xFF (never
 * valid UTF-8) is the rest (after one size byte) repeated to 1 KiB .. just
 * past 64 KiB, so the term limit (ZC_QUERY_MAX_TERMS), the nesting limit and
 * the byte limit (ZC_QUERY_MAX_BYTES) are reached with small inputs.
 *
 * The last byte of the input picks the analyzer's segmentation mode (ngram,
 * words, hybrid) and the snippet length.
 *
 * Invariants:
 *  - zc_query_build never crashes and returns ZC_OK, or ZC_EINVAL /
 *    ZC_ETOOLONG naming "q" with a valid UTF-8 message, with *out and *hl
 *    NULL; invalid UTF-8 is ZC_EINVAL, over ZC_QUERY_MAX_BYTES ZC_ETOOLONG;
 *  - on ZC_OK the query is not empty, its description is valid UTF-8, and
 *    building again (zc_query_build_ex, no highlight set) gives the same
 *    status and the same query; its spelling candidates are a-z words of
 *    ZC_SPELL_MIN_CHARS..ZC_SPELL_MAX_CHARS letters at increasing spans of
 *    the text; "match":"any" succeeds exactly when "all" does; with the
 *    built-in synonym list (lib/qsyn.c) it succeeds when it does without
 *    (or is ZC_ETOOLONG: alternatives add terms), fails alike otherwise,
 *    and its description is valid UTF-8;
 *  - the query tree (zc_qparse): refused exactly as zc_query_build refuses
 *    the text before reading it (too long, invalid UTF-8, blank), with the
 *    same status; otherwise its printed form is valid UTF-8, one line, with
 *    balanced parentheses outside its quoted strings;
 *  - zc_search_request_parse returns ZC_OK or ZC_EINVAL naming an option;
 *    accepted options are within protocol.md's ranges (and pass
 *    zc_search_opts_validate), and the query they carry builds under the
 *    same rules;
 *  - the snippet is valid UTF-8 on one line, every & < > " of the text is
 *    escaped, and <b>...</b> are balanced and not nested.
 * Every function gets an exact-size heap copy of its input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/docmodel.h"
#include "fuzz_util.h"
#include "lib/limits.h"
#include "lib/qparse.h"
#include "lib/query.h"
#include "lib/synonyms.h"
#include "lib/schema.h"
#include "lib/search_request.h"
#include "lib/snippet.h"
#include "lib/zhengce.h"

/* One analyzer per segmentation mode (queries are built for the index's
 * mode); the input picks one.  Without friso's dictionary only ngram. */
static zc_analyzer *analyzers[ZC_SEG_MODES];
static size_t n_analyzers;
static zc_analyzer *an; /* the one of the current input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    n_analyzers = fuzz_analyzers_new("fuzz_query", analyzers);
    return 0;
}

/* The snippet is HTML for one JSON string: escaped, balanced, one line. */
static void check_snippet(const char *s, size_t n)
{
    FUZZ_CHECK(strlen(s) == n);
    FUZZ_CHECK(fuzz_utf8_valid(s, n, NULL));
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7F); /* no newline, no control */
        FUZZ_CHECK(c != '>' && c != '"');
        if (c == '<') {
            if (strncmp(s + i, "<b>", 3) == 0) {
                FUZZ_CHECK(!open);
                open = 1;
                i += 2;
            } else {
                FUZZ_CHECK(strncmp(s + i, "</b>", 4) == 0);
                FUZZ_CHECK(open);
                open = 0;
                i += 3;
            }
        } else if (c == '&') {
            FUZZ_CHECK(strncmp(s + i, "&amp;", 5) == 0 || strncmp(s + i, "&lt;", 4) == 0 ||
                       strncmp(s + i, "&gt;", 4) == 0 || strncmp(s + i, "&quot;", 6) == 0);
        }
    }
    FUZZ_CHECK(!open);
}

/* The tree of text[0, len); returns zc_qparse's status. */
static zc_status check_tree(const char *text, size_t len)
{
    zc_qtree *t = (zc_qtree *)(uintptr_t)1;
    zc_error err;
    zc_status st = zc_qparse(text, len, &t, &err);
    FUZZ_CHECK(st == ZC_OK || st == ZC_EINVAL || st == ZC_ETOOLONG);
    if (st != ZC_OK) {
        FUZZ_CHECK(t == NULL);
        fuzz_check_error(&err, st);
        return st;
    }
    FUZZ_CHECK(t != NULL && t->root != NULL);
    char *s = NULL;
    size_t n = 0;
    FUZZ_CHECK(zc_qtree_print(t, &s, &n, &err) == ZC_OK);
    FUZZ_CHECK(s != NULL && strlen(s) == n);
    FUZZ_CHECK(fuzz_utf8_valid(s, n, NULL));
    long depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(s[i] != '\n');
        if (in_str) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_str = 0;
        } else if (s[i] == '"') {
            in_str = 1;
        } else if (s[i] == '(') {
            depth++;
        } else if (s[i] == ')') {
            FUZZ_CHECK(--depth >= 0);
        }
    }
    FUZZ_CHECK(depth == 0 && !in_str);
    free(s);
    zc_qtree_free(t);
    return ZC_OK;
}

/* Builds the query for text[0, len) and checks every invariant; returns
 * the status. */
static zc_status check_build(const char *text, size_t len, size_t max_chars)
{
    char *q_text = fuzz_dup_exact(text, len);
    zc_xap_query *q = (zc_xap_query *)(uintptr_t)1;
    zc_hl *hl = (zc_hl *)(uintptr_t)1;
    zc_error err;
    memset(&err, 0xA5, sizeof err);
    zc_status st = zc_query_build(an, q_text, len, &q, &hl, &err);
    FUZZ_CHECK(st == ZC_OK || st == ZC_EINVAL || st == ZC_ETOOLONG);
    zc_status pst = check_tree(q_text, len);
    if (pst != ZC_OK)
        FUZZ_CHECK(st == pst);

    if (len > ZC_QUERY_MAX_BYTES)
        FUZZ_CHECK(st == ZC_ETOOLONG);
    else if (!fuzz_utf8_valid(text, len, NULL))
        FUZZ_CHECK(st == ZC_EINVAL);

    /* The same through zc_query_build_ex with default options and the
     * spelling candidates asked for: the same query. */
    zc_xap_query *q2 = (zc_xap_query *)(uintptr_t)1;
    zc_query_word *words = (zc_query_word *)(uintptr_t)1;
    size_t n_words = 99;
    zc_error err2;
    zc_status st2 = zc_query_build_ex(an, q_text, len, NULL, &q2, NULL, &words, &n_words, &err2);
    FUZZ_CHECK(st2 == st);
    if (st2 == ZC_OK) {
        FUZZ_CHECK((words == NULL) == (n_words == 0));
        for (size_t i = 0; i < n_words; i++) {
            const zc_query_word *w = &words[i];
            FUZZ_CHECK(w->len >= 1 && w->start <= len && w->len <= len - w->start);
            FUZZ_CHECK(w->term_len >= ZC_SPELL_MIN_CHARS && w->term_len <= ZC_SPELL_MAX_CHARS);
            FUZZ_CHECK(strlen(w->term) == w->term_len);
            for (size_t k = 0; k < w->term_len; k++)
                FUZZ_CHECK(w->term[k] >= 'a' && w->term[k] <= 'z');
            if (i > 0)
                FUZZ_CHECK(w->start >= words[i - 1].start + words[i - 1].len);
        }
    } else {
        FUZZ_CHECK(q2 == NULL && words == NULL && n_words == 0);
    }
    free(words);

    /* "match":"any": the same status (the same terms, ORed). */
    zc_query_opts any = {.match_any = 1};
    zc_xap_query *q3 = (zc_xap_query *)(uintptr_t)1;
    zc_status st3 = zc_query_build_ex(an, q_text, len, &any, &q3, NULL, NULL, NULL, &err2);
    FUZZ_CHECK(st3 == st);
    FUZZ_CHECK((st3 == ZC_OK) == (q3 != NULL));
    zc_xap_query_free(q3);

    /* With the built-in synonyms: what expands still builds. */
    const zc_syn_table *builtin = NULL;
    FUZZ_CHECK(zc_syn_builtin(&builtin, NULL) == ZC_OK);
    zc_query_opts syn = {.syn = &builtin, .n_syn = 1};
    zc_xap_query *q4 = (zc_xap_query *)(uintptr_t)1;
    zc_status st4 = zc_query_build_ex(an, q_text, len, &syn, &q4, NULL, NULL, NULL, &err2);
    FUZZ_CHECK(st4 == st || (st == ZC_OK && st4 == ZC_ETOOLONG));
    FUZZ_CHECK((st4 == ZC_OK) == (q4 != NULL));
    if (q4 != NULL) {
        char *d4 = zc_xap_query_describe(q4);
        FUZZ_CHECK(d4 != NULL && fuzz_utf8_valid(d4, strlen(d4), NULL));
        free(d4);
    }
    zc_xap_query_free(q4);

    if (st != ZC_OK) {
        FUZZ_CHECK(q == NULL && hl == NULL && q2 == NULL);
        fuzz_check_error(&err, st);
        FUZZ_CHECK(strcmp(err.field, "q") == 0);
        free(q_text);
        return st;
    }
    FUZZ_CHECK(q != NULL && hl != NULL && q2 != NULL);
    FUZZ_CHECK(!zc_xap_query_is_empty(q));
    char *d1 = zc_xap_query_describe(q);
    char *d2 = zc_xap_query_describe(q2);
    FUZZ_CHECK(d1 != NULL && d2 != NULL);
    FUZZ_CHECK(strcmp(d1, d2) == 0); /* the same query both ways */
    FUZZ_CHECK(fuzz_utf8_valid(d1, strlen(d1), NULL));
    free(d1);
    free(d2);

    /* The query text as the document text: its own terms match in it. */
    char *out = NULL;
    size_t n = 0;
    zc_status ss = zc_snippet_make(an, NULL, hl, q_text, len, max_chars, &out, &n, &err);
    FUZZ_CHECK(ss == ZC_OK && out != NULL);
    check_snippet(out, n);
    free(out);

    zc_hl_free(hl);
    zc_xap_query_free(q);
    zc_xap_query_free(q2);
    free(q_text);
    return st;
}

static void check_request(const char *text, size_t len, size_t max_chars)
{
    char *copy = fuzz_dup_exact(text, len);
    zc_search_request *req = (zc_search_request *)(uintptr_t)1;
    zc_error err;
    memset(&err, 0xA5, sizeof err);
    zc_status st = zc_search_request_parse(copy, len, &req, &err);
    FUZZ_CHECK(st == ZC_OK || st == ZC_EINVAL);
    if (st != ZC_OK) {
        FUZZ_CHECK(req == NULL);
        fuzz_check_error(&err, st);
        free(copy);
        return;
    }
    FUZZ_CHECK(req != NULL);
    zc_search_opts *o = zc_search_request_opts(req);
    FUZZ_CHECK(o != NULL && o->q != NULL && o->q_len > 0);
    FUZZ_CHECK(o->limit <= ZC_SEARCH_LIMIT_MAX);
    FUZZ_CHECK(o->lang == NULL || strcmp(o->lang, "zh") == 0 || strcmp(o->lang, "en") == 0);
    FUZZ_CHECK(o->n_issuers == 0 || o->issuers != NULL);
    for (size_t i = 0; i < o->n_issuers; i++)
        FUZZ_CHECK(o->issuers[i] != NULL && strlen(o->issuers[i]) < (size_t)-1);
    const char *dates[2] = {o->from, o->to};
    for (size_t i = 0; i < 2; i++) {
        zc_date d;
        if (dates[i] != NULL)
            FUZZ_CHECK(zc_date_parse(dates[i], strlen(dates[i]), &d, NULL) == ZC_OK);
    }
    FUZZ_CHECK(o->sort == ZC_SORT_RELEVANCE || o->sort == ZC_SORT_DATE_DESC ||
               o->sort == ZC_SORT_DATE_ASC);
    FUZZ_CHECK((o->facets & ~(unsigned)(ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG |
                                        ZC_FACET_LEVEL | ZC_FACET_TIER | ZC_FACET_ISSUED_BY |
                                        ZC_FACET_TAGS)) == 0);
    /* the lists of issue 13: entries present, level and tier codes known,
     * as zc_search checks them again */
    FUZZ_CHECK(o->n_levels == 0 || o->levels != NULL);
    FUZZ_CHECK(o->n_tiers == 0 || o->tiers != NULL);
    FUZZ_CHECK(o->n_issued_by == 0 || o->issued_by != NULL);
    FUZZ_CHECK(o->n_tags == 0 || o->tags != NULL);
    FUZZ_CHECK(zc_search_opts_validate(o, NULL) == ZC_OK);
    FUZZ_CHECK(o->no_prior == 0 || o->no_prior == 1);
    FUZZ_CHECK(o->snippet == 0 || o->snippet == 1);
    FUZZ_CHECK(o->match_any == 0 || o->match_any == 1);
    /* The JSON form's q is its own text (escapes decoded): build it too.
     * (Plain text is the input itself, built already.) */
    if (!(o->q_len == len && memcmp(o->q, text, len) == 0))
        check_build(o->q, o->q_len, max_chars);
    zc_search_request_free(req);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t len = size;
    char *big = NULL;
    if (size >= 3 && data[0] == 0xFF) {
        /* 1, 2, 4 ... 32 KiB, exactly the byte limit, or just past it: the
         * term limit needs a few KiB, the byte limit 64. */
        static const size_t sizes[8] = {
            1024, 2048, 4096, 8192, 16384, 32768, ZC_QUERY_MAX_BYTES, ZC_QUERY_MAX_BYTES + 1};
        size_t unit = size - 2;
        len = sizes[data[1] % 8];
        big = malloc(len);
        FUZZ_CHECK(big != NULL);
        for (size_t i = 0; i < len; i += unit)
            memcpy(big + i, data + 2, len - i < unit ? len - i : unit);
        text = big;
    }
    /* The last byte picks the analyzer mode and the snippet length. */
    unsigned last = size ? data[size - 1] : 1;
    an = analyzers[(last >> 4) % n_analyzers];
    size_t max_chars = (last & 1) ? ZC_SNIPPET_CHARS : (last >> 1) % 8 * 5;
    check_build(text, len, max_chars);
    check_request(text, len, max_chars);
    zc_search_request_free(NULL);
    free(big);
    return 0;
}
