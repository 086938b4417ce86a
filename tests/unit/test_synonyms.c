/* test_synonyms.c — synonym lists (lib/synonyms.c) and their expansion
 * into the query tree (lib/qsyn.c), with no index: the file format and its
 * limits, the match forms, the look-ups, and the trees queries become
 * (printed as qtree.h says), table-driven.
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

#include "base/strbuf.h"
#include "lib/analyzer.h"
#include "lib/qcompile.h"
#include "lib/qparse.h"
#include "lib/qplan.h"
#include "lib/qsyn.h"
#include "lib/qtree.h"
#include "lib/synonyms.h"
#include "lib/zhengce.h"

static zc_analyzer *an;

static int setup(void **state)
{
    (void)state;
    zc_error err;
    return zc_analyzer_new(ZC_SEG_NGRAM, &an, &err) == ZC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    zc_analyzer_free(an);
    return 0;
}

static zc_syn_table *parse_ok(const char *text)
{
    zc_syn_table *t = NULL;
    zc_error err;
    zc_status st = zc_syn_parse(text, strlen(text), "test", &t, &err);
    if (st != ZC_OK)
        fail_msg("[%s]: status %d (%s)", text, st, err.message);
    assert_non_null(t);
    return t;
}

/* The match form of s, as a new string. */
static char *form_of(zc_analyzer *a, const char *s)
{
    zc_strbuf b = {0};
    assert_int_equal(zc_syn_form(a, s, strlen(s), &b, NULL), ZC_OK);
    zc_strbuf_put(&b, "", 0);
    assert_false(b.oom);
    return b.p;
}

/* The alternatives of key s joined by ", " into out ("-" when no key),
 * and its canonical form into canon (may be NULL). */
static void alts_of(const zc_syn_table *t, const char *s, char *out, size_t cap, char *canon)
{
    char *f = form_of(an, s);
    const zc_syn_alt *v = NULL, *c = NULL;
    size_t n = 0;
    out[0] = '\0';
    if (!zc_syn_lookup(t, f, strlen(f), &v, &n, &c)) {
        snprintf(out, cap, "-");
        if (canon)
            canon[0] = '\0';
        free(f);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s%s", i ? ", " : "", v[i].text,
                              v[i].phrase ? "*" : "");
    if (canon)
        snprintf(canon, 256, "%s", c->text);
    free(f);
}

/* ---- the format ---------------------------------------------------------- */

static void test_format(void **state)
{
    (void)state;
    zc_syn_table *t = parse_ok(
        "# a comment line\n"
        "\n"
        "   国家发展和改革委员会 | 国家发展改革委 |发展改革委| 发改委   # trailing comment\r\n"
        "EO | E.O. => Executive Order\n"
        "Department of Homeland Security | DHS\n"
        "C# | csharp\n"
        "WTO | 世界贸易组织\n"
        "World Trade Organization | WTO\n");
    char buf[1024], canon[256];
    assert_int_equal(zc_syn_groups(t), 6);
    assert_int_equal(zc_syn_max_words(t), 4);
    assert_false(zc_syn_no_default(t));
    /* a group: each finds the others (phrases marked *), the first is
     * canonical */
    alts_of(t, "发改委", buf, sizeof buf, canon);
    assert_string_equal(buf, "国家发展和改革委员会*, 国家发展改革委*, 发展改革委*");
    assert_string_equal(canon, "国家发展和改革委员会");
    alts_of(t, "国家发展和改革委员会", buf, sizeof buf, canon);
    assert_string_equal(buf, "国家发展改革委*, 发展改革委*, 发改委*");
    assert_string_equal(canon, "国家发展和改革委员会");
    /* case, width, Traditional characters and spacing do not count */
    alts_of(t, "發改委", buf, sizeof buf, NULL);
    assert_string_equal(buf, "国家发展和改革委员会*, 国家发展改革委*, 发展改革委*");
    alts_of(t, "ｄｈｓ", buf, sizeof buf, NULL);
    assert_string_equal(buf, "Department of Homeland Security*");
    alts_of(t, "department  of homeland SECURITY", buf, sizeof buf, NULL);
    assert_string_equal(buf, "DHS");
    /* one-way: the left finds the right, not the other way round; E.O.
     * is two tokens (e, o), EO one */
    alts_of(t, "EO", buf, sizeof buf, canon);
    assert_string_equal(buf, "Executive Order*");
    assert_string_equal(canon, "Executive Order");
    alts_of(t, "E.O.", buf, sizeof buf, NULL);
    assert_string_equal(buf, "Executive Order*");
    alts_of(t, "E O", buf, sizeof buf, NULL);
    assert_string_equal(buf, "Executive Order*");
    alts_of(t, "Executive Order", buf, sizeof buf, NULL);
    assert_string_equal(buf, "-");
    /* '#' inside a word is no comment */
    alts_of(t, "csharp", buf, sizeof buf, NULL);
    assert_string_equal(buf, "C#");
    /* a key of two groups gets both groups' alternatives; the first
     * group's canonical form */
    alts_of(t, "wto", buf, sizeof buf, canon);
    assert_string_equal(buf, "世界贸易组织*, World Trade Organization*");
    assert_string_equal(canon, "WTO");
    zc_syn_table_free(t);

    /* an empty list, and one of comments only: no group */
    t = parse_ok("");
    assert_int_equal(zc_syn_groups(t), 0);
    alts_of(t, "发改委", buf, sizeof buf, NULL);
    assert_string_equal(buf, "-");
    zc_syn_table_free(t);
    t = parse_ok("# only\n   # comments\n\n!no-default\n");
    assert_int_equal(zc_syn_groups(t), 0);
    assert_true(zc_syn_no_default(t));
    zc_syn_table_free(t);
}

static void test_format_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        zc_status st;
        const char *msg;   /* a piece of the message */
    } cases[] = {
        {"a | b\na |\n", ZC_EINVAL, "line 2: an empty alternative"},
        {"| a\n", ZC_EINVAL, "line 1: an empty alternative"},
        {"lonely\n", ZC_EINVAL, "line 1: a group needs two"},
        {"a => b => c\n", ZC_EINVAL, "more than one \"=>\""},
        {"=> b\n", ZC_EINVAL, "both sides"},
        {"a =>\n", ZC_EINVAL, "both sides"},
        {"a | , ;\n", ZC_EINVAL, "no word or character"},
        {"one two three four five six seven eight nine | x\n", ZC_EINVAL, "more than 8 words"},
        {"ok | fine\nbad \xff | x\n", ZC_EINVAL, "line 2: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_syn_table *t = NULL;
        zc_error err;
        zc_status st = zc_syn_parse(cases[i].text, strlen(cases[i].text), "test", &t, &err);
        if (st != cases[i].st || strstr(err.message, cases[i].msg) == NULL)
            fail_msg("[%s]: status %d (%s), want %d (%s)", cases[i].text, st, err.message,
                     cases[i].st, cases[i].msg);
        assert_null(t);
        assert_string_equal(err.field, "synonyms");
    }
    /* limits: a line, a group, a key's alternatives, the whole list */
    char *big = malloc(ZC_SYN_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, 'a', ZC_SYN_MAX_LINE + 1);
    memcpy(big + ZC_SYN_MAX_LINE + 1, " | b\n", 6);
    zc_syn_table *t = NULL;
    zc_error err;
    assert_int_equal(zc_syn_parse(big, strlen(big), "test", &t, &err), ZC_EINVAL);
    assert_non_null(strstr(err.message, "longer than 4096 bytes"));
    size_t k = 0;
    for (int i = 0; i <= ZC_SYN_MAX_ALTS; i++)
        k += (size_t)sprintf(big + k, "%sw%d", i ? " | " : "", i);
    assert_int_equal(zc_syn_parse(big, k, "test", &t, &err), ZC_EINVAL);
    assert_non_null(strstr(err.message, "more than 32 alternatives"));
    /* 32 alternatives of one key over several groups: one too many */
    k = 0;
    for (int i = 0; i <= ZC_SYN_MAX_ALTS; i++)
        k += (size_t)sprintf(big + k, "key | v%d\n", i);
    assert_int_equal(zc_syn_parse(big, k, "test", &t, &err), ZC_EINVAL);
    assert_non_null(strstr(err.message, "a key has more than 32"));
    memset(big, '#', ZC_SYN_MAX_BYTES + 1);
    assert_int_equal(zc_syn_parse(big, ZC_SYN_MAX_BYTES + 1, "test", &t, &err), ZC_ETOOLONG);
    /* exactly at the limit is fine (a comment line of 1 MiB is too long a
     * line, so lines of comments) */
    for (size_t i = 0; i + 1 < ZC_SYN_MAX_BYTES; i += 100)
        big[i + 99 < ZC_SYN_MAX_BYTES ? i + 99 : ZC_SYN_MAX_BYTES - 1] = '\n';
    big[0] = '#';
    assert_int_equal(zc_syn_parse(big, ZC_SYN_MAX_BYTES, "test", &t, &err), ZC_OK);
    zc_syn_table_free(t);
    free(big);
}

/* Match forms use only the tokens every analyzer mode makes alike. */
static void test_forms_every_mode(void **state)
{
    (void)state;
    static const char *texts[] = {"发改委", "國家發展和改革委員會", "E.O. 13769", "COVID-19",
                                  "粤港澳大湾区 建设", "Department of Homeland Security"};
    char *want[sizeof texts / sizeof texts[0]];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        want[i] = form_of(an, texts[i]);
    for (zc_seg_mode m = ZC_SEG_WORDS; m <= ZC_SEG_HYBRID; m++) {
        zc_analyzer *a = NULL;
        assert_int_equal(zc_analyzer_new(m, &a, NULL), ZC_OK);
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            char *got = form_of(a, texts[i]);
            assert_string_equal(got, want[i]);
            free(got);
        }
        zc_analyzer_free(a);
    }
    assert_string_equal(want[2], "e\x1fo\x1f" "13769\x1f");
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(want[i]);
}

/* The built-in list parses, and holds what issue 13 asked for. */
static void test_builtin(void **state)
{
    (void)state;
    const zc_syn_table *b = NULL;
    zc_error err;
    assert_int_equal(zc_syn_builtin(&b, &err), ZC_OK);
    const zc_syn_table *again = NULL;
    assert_int_equal(zc_syn_builtin(&again, &err), ZC_OK);
    assert_ptr_equal(b, again);   /* parsed once */
    assert_true(zc_syn_groups(b) >= 140);
    size_t len = 0;
    assert_non_null(zc_syn_builtin_text(&len));
    assert_true(len > 1000);
    static const struct {
        const char *key, *alt;
    } has[] = {
        {"发改委", "发展改革委"},       {"发改委", "国家发展和改革委员会"},
        {"国办", "国务院办公厅"},       {"中办", "中共中央办公厅"},
        {"人社部", "人力资源社会保障部"}, {"住建部", "住房城乡建设部"},
        {"最高法", "最高人民法院"},     {"全国人大常委会", "全国人民代表大会常务委员会"},
        {"两高", "最高人民法院、最高人民检察院"},
        {"EO", "Executive Order"},      {"E.O.", "Executive Order"},
        {"DHS", "Department of Homeland Security"},
        {"POTUS", "President of the United States"},
    };
    for (size_t i = 0; i < sizeof has / sizeof has[0]; i++) {
        char buf[2048];
        alts_of(b, has[i].key, buf, sizeof buf, NULL);
        if (strstr(buf, has[i].alt) == NULL)
            fail_msg("built-in %s: %s, want %s among them", has[i].key, buf, has[i].alt);
    }
}

/* ---- expansion --------------------------------------------------------- */

static const char *LIST =
    "国家发展和改革委员会 | 发展改革委 | 发改委\n"
    "EO | E.O. => Executive Order\n"
    "Department of Homeland Security | DHS\n"
    "Homeland Security | homeland\n"
    "价格 | 物价\n";

/* The printed tree of q expanded with lists[0, n); *rewritten (may be
 * NULL) the rewritten text or "". */
static char *expanded(const char *q, const zc_syn_table *const *lists, size_t n,
                      char *rewritten)
{
    zc_qtree *t = NULL;
    assert_int_equal(zc_qparse(q, strlen(q), &t, NULL), ZC_OK);
    zc_error err;
    zc_status st = zc_qsyn_expand(t, lists, n, an, &err);
    if (st != ZC_OK)
        fail_msg("%s: status %d (%s)", q, st, err.message);
    char *s = NULL;
    assert_int_equal(zc_qtree_print(t, &s, NULL, NULL), ZC_OK);
    if (rewritten != NULL)
        snprintf(rewritten, 256, "%s", t->rewritten ? t->rewritten : "");
    if (t->rewritten != NULL)
        assert_int_equal(strlen(t->rewritten), t->rewritten_len);
    zc_qtree_free(t);
    return s;
}

static void test_expand(void **state)
{
    (void)state;
    zc_syn_table *t = parse_ok(LIST);
    const zc_syn_table *lists[1] = {t};
    static const struct {
        const char *q, *tree, *rewritten;
    } cases[] = {
        /* a word with synonyms: the word as typed, then the alternatives */
        {"发改委", "(syn (word \"发改委\") (phrase \"国家发展和改革委员会\") (phrase \"发展改革委\"))",
         "国家发展和改革委员会"},
        {"發改委 价格",
         "(and (syn (word \"發改委\") (phrase \"国家发展和改革委员会\") (phrase \"发展改革委\")) "
         "(syn (word \"价格\") (phrase \"物价\")))",
         "国家发展和改革委员会 价格"},
        /* the canonical form typed: nothing to rewrite */
        {"国家发展和改革委员会",
         "(syn (word \"国家发展和改革委员会\") (phrase \"发展改革委\") (phrase \"发改委\"))", ""},
        /* exact stays exact: quotes, fields, units, document numbers */
        {"\"发改委\"", "(phrase \"发改委\")", ""},
        {"title:发改委 issuer:发改委",
         "(and (word title \"发改委\") (word issuer \"发改委\"))", ""},
        {"发改〔2016〕62号", "(word \"发改〔2016〕62号\" docno \"发改.2016.62.号\")", ""},
        /* a run of words: the longest key wins, from the left */
        {"Department of Homeland Security budget",
         "(and (syn (and (word \"Department\") (word \"of\") (word \"Homeland\") "
         "(word \"Security\")) (word \"DHS\")) (word \"budget\"))",
         ""},
        {"homeland security",
         "(syn (and (word \"homeland\") (word \"security\")) (word \"homeland\"))", ""},
        /* one-way: EO finds Executive Order, and the whole text is rewritten
         * (so it is also a document number) */
        {"EO 13769", "(and (syn (word \"EO\") (phrase \"Executive Order\")) (word \"13769\"))",
         "Executive Order 13769"},
        {"E.O. 13769",
         "(and (syn (word \"E.O.\") (phrase \"Executive Order\")) (word \"13769\"))",
         "Executive Order 13769"},
        {"Executive Order 13769",
         "(and (word \"Executive\") (word \"Order\") (word \"13769\"))", ""},
        /* under NOT, OR and parentheses */
        {"-发改委 物价",
         "(and (not (syn (word \"发改委\") (phrase \"国家发展和改革委员会\") "
         "(phrase \"发展改革委\"))) (syn (word \"物价\") (phrase \"价格\")))",
         "-国家发展和改革委员会 价格"},
        {"DHS OR (EO)",
         "(or (syn (word \"DHS\") (phrase \"Department of Homeland Security\")) "
         "(group (syn (word \"EO\") (phrase \"Executive Order\"))))",
         "Department of Homeland Security OR (Executive Order)"},
        /* a word not in the list stays as it is, and so does a key inside a
         * longer word */
        {"营商环境", "(word \"营商环境\")", ""},
        {"发改委2016年", "(word \"发改委2016年\")", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rw[256];
        char *got = expanded(cases[i].q, lists, 1, rw);
        if (strcmp(got, cases[i].tree) != 0 || strcmp(rw, cases[i].rewritten) != 0)
            fail_msg("query [%s]\n  want %s\n  got  %s\n  rewritten [%s], want [%s]",
                     cases[i].q, cases[i].tree, got, rw, cases[i].rewritten);
        free(got);
    }
    zc_syn_table_free(t);
}

/* Lists are looked up in order; "!no-default" turns the ones after off. */
static void test_expand_lists(void **state)
{
    (void)state;
    const zc_syn_table *b = NULL;
    assert_int_equal(zc_syn_builtin(&b, NULL), ZC_OK);
    zc_syn_table *own = parse_ok("发改委 | 计委\n");
    zc_syn_table *off = parse_ok("!no-default\n人社部 | 人事部\n");
    const zc_syn_table *both[2] = {own, b};
    char *s = expanded("发改委", both, 2, NULL);
    /* the index's alternative first, then the built-in ones */
    if (strncmp(s, "(syn (word \"发改委\") (phrase \"计委\") (phrase \"国家发展和改革委员会\")", 80) !=
        0)
        fail_msg("got %s", s);
    free(s);
    const zc_syn_table *none[2] = {off, b};
    s = expanded("发改委 人社部", none, 2, NULL);
    assert_string_equal(s, "(and (word \"发改委\") (syn (word \"人社部\") (phrase \"人事部\")))");
    free(s);
    /* NULL lists and no list: nothing happens */
    const zc_syn_table *nulls[2] = {NULL, NULL};
    s = expanded("发改委", nulls, 2, NULL);
    assert_string_equal(s, "(word \"发改委\")");
    free(s);
    /* a query's alternatives are bounded: past ZC_QSYN_MAX_QUERY_ALTS the
     * words stay as typed (1 alternative each here) */
    char q[80 * 10 + 1] = "";
    for (int i = 0; i < 80; i++)
        strcat(q, "发改委 ");
    const zc_syn_table *one[1] = {own};
    s = expanded(q, one, 1, NULL);
    size_t syns = 0;
    for (const char *p = s; (p = strstr(p, "(syn ")) != NULL; p++)
        syns++;
    assert_int_equal(syns, ZC_QSYN_MAX_QUERY_ALTS);
    free(s);
    zc_syn_table_free(own);
    zc_syn_table_free(off);
}

/* What the compiler makes of a SYN: what was typed still counts for the
 * plan (proximity, the exact title, units), an alternative adds matches
 * and highlights only, and an abbreviation is no spelling candidate. */
static void test_compile(void **state)
{
    (void)state;
    zc_syn_table *t = parse_ok("POTUS | President of the United States\n价格 | 物价\n");
    const zc_syn_table *lists[1] = {t};
    static const char *qs[] = {"POTUS budget", "potus"};
    for (size_t i = 0; i < 2; i++) {
        zc_qtree *tree = NULL;
        assert_int_equal(zc_qparse(qs[i], strlen(qs[i]), &tree, NULL), ZC_OK);
        zc_qplan before;
        zc_qplan_make(tree, 0, &before);
        assert_int_equal(zc_qsyn_expand(tree, lists, 1, an, NULL), ZC_OK);
        zc_qplan p;
        zc_qplan_make(tree, 0, &p);
        assert_int_equal(p.prox, before.prox);
        assert_int_equal(p.plain, before.plain);
        zc_xap_query *q = NULL;
        zc_hl *hl = NULL;
        zc_query_word *words = NULL;
        size_t n_words = 0;
        zc_qfacts f;
        assert_int_equal(zc_qcompile(an, tree, &p, &q, NULL, &hl, &words, &n_words, &f, NULL, NULL),
                         ZC_OK);
        char *d = zc_xap_query_describe(q);
        assert_non_null(d);
        /* the alternative is searched, as a phrase */
        if (strstr(d, "president") == NULL || strstr(d, "PHRASE") == NULL)
            fail_msg("%s: %s", qs[i], d);
        assert_int_equal(f.units, i == 0 ? 2 : 1);
        assert_int_equal(f.title_units, i == 0 ? 2 : 1);
        /* "budget" is the only spelling candidate (POTUS is no
         * misspelling) */
        assert_int_equal(n_words, i == 0 ? 1 : 0);
        if (i == 0)
            assert_string_equal(words[0].term, "budget");
        free(d);
        free(words);
        zc_hl_free(hl);
        zc_xap_query_free(q);
        zc_qtree_free(tree);
    }
    zc_syn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_forms_every_mode),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_expand_lists),
        cmocka_unit_test(test_compile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
