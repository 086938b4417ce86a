/* test_lexicon.c — an index's own word lists (lib/lexicon.c, lib/userdict.c,
 * the zc_index_set_synonyms / zc_index_set_user_dict / zc_index_lexicon
 * API) against real indexes in temporary directories: stored in the
 * metadata, read by every handle (and again by a reader that reopens), the
 * user dictionary applied to documents and queries alike and refused once
 * the index holds documents, the built-in list searched, and exact
 * phrases left exact.
 *
 * Owns nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/index_internal.h"
#include "lib/schema.h"
#include "lib/userdict.h"
#include "lib/zhengce.h"
#include "wrappers/xapian.h"

#include "fixture.h"

typedef struct fix {
    char dir[256];
    char path[300];
} fix;

static int setup(void **state)
{
    fix *f = calloc(1, sizeof *f);
    if (f == NULL || fx_tmpdir(f->dir, sizeof f->dir, "lexicon") != 0)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    fx_rmtree(f->dir);
    free(f);
    return 0;
}

static zc_index *create(const char *path, const char *mode)
{
    zc_index *idx = NULL;
    zc_error e;
    if (zc_index_create(path, mode, &idx, &e) != ZC_OK)
        fail_msg("create %s: %s", path, e.message);
    return idx;
}

static zc_index *reader(const char *path)
{
    zc_index *idx = NULL;
    zc_error e;
    if (zc_index_open(path, ZC_OPEN_READ, &idx, &e) != ZC_OK)
        fail_msg("open %s: %s", path, e.message);
    return idx;
}

static void add(zc_index *idx, const char *json)
{
    zc_error e;
    if (zc_index_add_json(idx, json, strlen(json), NULL, &e) != ZC_OK)
        fail_msg("add %s: %s", json, e.message);
}

static void commit(zc_index *idx)
{
    zc_error e;
    if (zc_index_commit(idx, &e) != ZC_OK)
        fail_msg("commit: %s", e.message);
}

static zc_status set_syn(zc_index *idx, const char *text, zc_error *e)
{
    return zc_index_set_synonyms(idx, text, strlen(text), e);
}

static zc_status set_dict(zc_index *idx, const char *text, zc_error *e)
{
    return zc_index_set_user_dict(idx, text, strlen(text), e);
}

/* The sorted ids q finds, joined by ',', into got. */
static void ids_of(zc_index *idx, const char *q, char *got, size_t cap)
{
    zc_search_opts o;
    zc_search_opts_init(&o);
    o.q = q;
    o.q_len = strlen(q);
    o.limit = 50;
    zc_results *r = NULL;
    zc_error e;
    if (zc_search(idx, &o, &r, &e) != ZC_OK)
        fail_msg("search %s: %s", q, e.message);
    fx_sorted_ids(r, got, cap);
    zc_results_free(r);
}

static uint64_t term_freq(zc_index *idx, const char *term)
{
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_term_freq(idx->db, term, strlen(term), &n, NULL), ZC_OK);
    return n;
}

static const char *DOCS[] = {
    "{\"id\":\"full\",\"title\":\"国家发展改革委关于价格的通知\",\"body\":\"各省发展改革委。\"}",
    "{\"id\":\"abbr\",\"title\":\"发改委答记者问\",\"body\":\"发改委表示。\"}",
    "{\"id\":\"none\",\"title\":\"营商环境\",\"body\":\"优化营商环境。\"}",
    "{\"id\":\"reform\",\"title\":\"推进供给侧结构性改革的意见\",\"body\":\"供给侧结构性改革。\"}",
    "{\"id\":\"eo\",\"lang\":\"en\",\"title\":\"Protecting the Nation\","
    "\"docno\":\"Executive Order 13769\",\"body\":\"Executive Order 13769 of January 27\"}",
    "{\"id\":\"cite\",\"lang\":\"en\",\"title\":\"Revocation\","
    "\"docno\":\"Executive Order 13780\",\"body\":\"Executive Order 13769 is revoked\"}",
};

static void add_docs(zc_index *idx)
{
    for (size_t i = 0; i < sizeof DOCS / sizeof DOCS[0]; i++)
        add(idx, DOCS[i]);
    commit(idx);
}

/* The built-in list: an abbreviation finds the full name and the other
 * way round; a quoted phrase stays exact; EO N finds order N first. */
static void test_builtin_search(void **state)
{
    fix *f = *state;
    zc_index *r = NULL;
    assert_int_equal(fx_build_index(f->path, "hybrid", DOCS, sizeof DOCS / sizeof DOCS[0], &r),
                     0);
    char got[512];
    ids_of(r, "发改委", got, sizeof got);
    assert_string_equal(got, "abbr,full");
    ids_of(r, "国家发展和改革委员会", got, sizeof got);
    assert_string_equal(got, "abbr,full");
    ids_of(r, "\"发改委\"", got, sizeof got);
    assert_string_equal(got, "abbr");
    ids_of(r, "title:发改委", got, sizeof got);
    assert_string_equal(got, "abbr");
    /* -发改委 excludes every form */
    ids_of(r, "(通知 OR 营商环境) -发改委", got, sizeof got);
    assert_string_equal(got, "none");
    static const char *eo[] = {"EO 13769", "E.O. 13769", "eo 13769", "Executive Order 13769"};
    for (size_t i = 0; i < 4; i++) {
        zc_search_opts o;
        zc_search_opts_init(&o);
        o.q = eo[i];
        o.q_len = strlen(eo[i]);
        zc_results *res = NULL;
        assert_int_equal(zc_search(r, &o, &res, NULL), ZC_OK);
        assert_int_equal(zc_results_count(res), 2);
        if (strcmp(zc_results_hit(res, 0)->id, "eo") != 0)
            fail_msg("%s: first hit %s", eo[i], zc_results_hit(res, 0)->id);
        zc_results_free(res);
    }
    size_t own = 9, builtin = 0, words = 9;
    assert_int_equal(zc_index_lexicon(r, &own, &builtin, &words, NULL), ZC_OK);
    assert_int_equal(own, 0);
    assert_true(builtin >= 140);
    assert_int_equal(words, 0);
    zc_index_close(r);
}

/* What was typed weighs more than an alternative (qplan.h
 * ZC_QPLAN_SYN_ALT_SCALE): of two documents alike but for the form, the one
 * holding the form typed comes first, whichever form is typed. */
static void test_typed_form_first(void **state)
{
    fix *f = *state;
    static const char *docs[] = {
        "{\"id\":\"short\",\"title\":\"价格通知\",\"body\":\"发改委发布价格通知。\"}",
        "{\"id\":\"long\",\"title\":\"价格通知\",\"body\":\"国家发展和改革委员会发布价格通知。\"}",
    };
    zc_index *r = NULL;
    assert_int_equal(fx_build_index(f->path, "hybrid", docs, 2, &r), 0);
    static const struct {
        const char *q, *first;
    } cases[] = {{"发改委", "short"}, {"国家发展和改革委员会", "long"}};
    for (size_t i = 0; i < 2; i++) {
        zc_search_opts o;
        zc_search_opts_init(&o);
        o.q = cases[i].q;
        o.q_len = strlen(cases[i].q);
        zc_results *res = NULL;
        assert_int_equal(zc_search(r, &o, &res, NULL), ZC_OK);
        assert_int_equal(zc_results_count(res), 2);
        assert_string_equal(zc_results_hit(res, 0)->id, cases[i].first);
        assert_true(zc_results_hit(res, 0)->score > zc_results_hit(res, 1)->score);
        zc_results_free(res);
    }
    zc_index_close(r);
}

/* The index's own list: stored, read by a reader when it reopens, and able
 * to turn the built-in list off. */
static void test_own_synonyms(void **state)
{
    fix *f = *state;
    zc_index *w = create(f->path, "hybrid");
    add_docs(w);
    zc_index *r = reader(f->path);
    char got[512];
    ids_of(r, "营商", got, sizeof got);
    assert_string_equal(got, "none");
    zc_error e;
    assert_int_equal(set_syn(w, "营商 | 价格\n", &e), ZC_OK);
    commit(w);
    /* the reader sees the list from its next reopen on */
    ids_of(r, "营商", got, sizeof got);
    assert_string_equal(got, "none");
    int changed = 0;
    assert_int_equal(zc_index_reopen(r, &changed, NULL), ZC_OK);
    assert_true(changed);
    ids_of(r, "营商", got, sizeof got);
    assert_string_equal(got, "full,none");
    size_t own = 0, builtin = 0;
    assert_int_equal(zc_index_lexicon(r, &own, &builtin, NULL, NULL), ZC_OK);
    assert_int_equal(own, 1);
    assert_true(builtin > 0);
    /* "!no-default": the built-in list is off for this index */
    assert_int_equal(set_syn(w, "!no-default\n营商 | 价格\n", &e), ZC_OK);
    commit(w);
    assert_int_equal(zc_index_reopen(r, NULL, NULL), ZC_OK);
    ids_of(r, "发改委", got, sizeof got);
    assert_string_equal(got, "abbr");
    assert_int_equal(zc_index_lexicon(r, &own, &builtin, NULL, NULL), ZC_OK);
    assert_int_equal(builtin, 0);
    /* a list that breaks the format is refused, and the stored one stays */
    assert_int_equal(set_syn(w, "营商 |\n", &e), ZC_EINVAL);
    assert_string_equal(e.field, "synonyms");
    assert_non_null(strstr(e.message, "line 1"));
    /* an empty list removes it */
    assert_int_equal(zc_index_set_synonyms(w, "", 0, &e), ZC_OK);
    commit(w);
    assert_int_equal(zc_index_reopen(r, NULL, NULL), ZC_OK);
    ids_of(r, "营商", got, sizeof got);
    assert_string_equal(got, "none");
    ids_of(r, "发改委", got, sizeof got);
    assert_string_equal(got, "abbr,full");
    /* a reader cannot write it */
    assert_int_equal(set_syn(r, "a | b\n", &e), ZC_EREADONLY);
    zc_index_close(r);
    zc_index_close(w);
}

/* A list stored by other means that does not parse makes the index fail
 * to open, naming the key: never searched half-read. */
static void test_damaged_list(void **state)
{
    fix *f = *state;
    zc_index *w = create(f->path, "ngram");
    static const char bad[] = "lonely\n";
    assert_int_equal(zc_xap_db_set_metadata(w->db, ZC_META_SYNONYMS, bad, sizeof bad - 1, NULL),
                     ZC_OK);
    commit(w);
    zc_index_close(w);
    zc_index *r = NULL;
    zc_error e;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_READ, &r, &e), ZC_ECORRUPT);
    assert_null(r);
    assert_non_null(strstr(e.message, ZC_META_SYNONYMS));
}

/* The user dictionary: documents and queries are segmented with it; it is
 * fixed once the index holds documents. */
static void test_user_dict(void **state)
{
    fix *f = *state;
    zc_index *w = create(f->path, "words");
    zc_error e;
    /* bad words are refused, naming the line */
    assert_int_equal(set_dict(w, "# domain words\n大湾区\nabc\n", &e), ZC_EINVAL);
    assert_string_equal(e.field, "user_dict");
    assert_non_null(strstr(e.message, "line 3"));
    assert_int_equal(set_dict(w, "供\n", &e), ZC_EINVAL);
    assert_int_equal(set_dict(w, "一二三四五六七八九\n", &e), ZC_EINVAL);
    static const char dict[] = "# domain words\n供给侧结构性改革\r\n  大湾区  \n\n";
    assert_int_equal(set_dict(w, dict, &e), ZC_OK);
    /* a preparer made now keeps the words after the handle is gone */
    zc_preparer *p = NULL;
    assert_int_equal(zc_preparer_new(w, &p, &e), ZC_OK);
    add_docs(w);
    /* the document's word is one dictionary word, not friso's pieces */
    assert_int_equal(term_freq(w, ZC_PFX_CJKWORD "供给侧结构性改革"), 1);
    assert_int_equal(term_freq(w, ZC_PFX_CJKWORD "供给"), 0);
    /* once the index holds documents: the same dictionary again is fine,
     * another (or none) is refused */
    assert_int_equal(set_dict(w, dict, &e), ZC_OK);
    assert_int_equal(set_dict(w, "大湾区\n", &e), ZC_EINVAL);
    assert_string_equal(e.field, "user_dict");
    assert_non_null(strstr(e.message, "new index"));
    assert_int_equal(zc_index_set_user_dict(w, "", 0, &e), ZC_EINVAL);
    zc_index_close(w);

    static const char more[] =
        "{\"id\":\"late\",\"title\":\"深化供给侧结构性改革\",\"body\":\"改革。\"}";
    zc_prepared *pd = NULL;
    assert_int_equal(zc_prepare_json(p, more, strlen(more), &pd, &e), ZC_OK);
    zc_preparer_free(p);
    zc_index *w2 = NULL;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_WRITE, &w2, &e), ZC_OK);
    assert_int_equal(zc_index_add_prepared(w2, pd, &e), ZC_OK);
    commit(w2);
    assert_int_equal(term_freq(w2, ZC_PFX_CJKWORD "供给侧结构性改革"), 2);
    zc_index_close(w2);

    /* a reader segments the query the same way: the word is found */
    zc_index *r = reader(f->path);
    size_t words = 0;
    assert_int_equal(zc_index_lexicon(r, NULL, NULL, &words, NULL), ZC_OK);
    assert_int_equal(words, 2);
    char got[512];
    ids_of(r, "供给侧结构性改革", got, sizeof got);
    assert_string_equal(got, "late,reform");
    zc_index_close(r);
}

/* A reader opened on an empty index picks the dictionary up when it
 * reopens (a dictionary only changes while the index is empty). */
static void test_user_dict_reader_reopens(void **state)
{
    fix *f = *state;
    zc_index *w = create(f->path, "words");
    zc_index *r = reader(f->path);
    size_t words = 9;
    assert_int_equal(zc_index_lexicon(r, NULL, NULL, &words, NULL), ZC_OK);
    assert_int_equal(words, 0);
    char got[512];
    ids_of(r, "营商环境", got, sizeof got);   /* the analyzer is made now */
    assert_string_equal(got, "");
    zc_error e;
    assert_int_equal(set_dict(w, "供给侧结构性改革\n", &e), ZC_OK);
    add_docs(w);
    assert_int_equal(zc_index_reopen(r, NULL, NULL), ZC_OK);
    assert_int_equal(zc_index_lexicon(r, NULL, NULL, &words, NULL), ZC_OK);
    assert_int_equal(words, 1);
    /* (without the words, the query would be 供给/侧/结构性/改革, each a
     * "W" term the document does not have) */
    ids_of(r, "供给侧结构性改革", got, sizeof got);
    assert_string_equal(got, "reform");
    zc_index_close(r);
    zc_index_close(w);
}

/* The dictionary's own format, with no index. */
static void test_userdict_format(void **state)
{
    (void)state;
    zc_seg_user *u = NULL;
    size_t n = 9;
    zc_error e;
    /* Traditional and full-width forms fold as the analyzer folds */
    static const char ok[] = "發改委\n  # comment\n\n大湾区 # trailing\n";
    assert_int_equal(zc_userdict_parse(ok, strlen(ok), "t", &u, &n, &e), ZC_OK);
    assert_int_equal(n, 2);
    zc_seg_user_free(u);
    assert_int_equal(zc_userdict_parse("# nothing\n", 10, "t", &u, &n, &e), ZC_OK);
    assert_null(u);
    assert_int_equal(n, 0);
    static const char *bad[] = {"大湾 区\n", "大湾区2\n", "\xff\xfe\n"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(zc_userdict_parse(bad[i], strlen(bad[i]), "t", &u, &n, &e), ZC_EINVAL);
        assert_null(u);
        assert_non_null(strstr(e.message, "line 1"));
    }
    char *big = malloc(ZC_USERDICT_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, '#', ZC_USERDICT_MAX_BYTES + 1);
    assert_int_equal(zc_userdict_parse(big, ZC_USERDICT_MAX_BYTES + 1, "t", &u, &n, &e),
                     ZC_ETOOLONG);
    memset(big, 'x', ZC_USERDICT_MAX_LINE + 1);
    assert_int_equal(zc_userdict_parse(big, ZC_USERDICT_MAX_LINE + 1, "t", &u, &n, &e),
                     ZC_EINVAL);
    assert_non_null(strstr(e.message, "longer than"));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtin_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_form_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_synonyms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_dict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_dict_reader_reopens, setup, teardown),
        cmocka_unit_test(test_userdict_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
