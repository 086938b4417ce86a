/* test_unit.c — units (lib/unit.c): the forms a scan finds in a text, with
 * their spans (golden cases in tests/unit/golden/unit.tsv: text TAB
 * SPAN=CANON ...), whole query words, one canonical form for every
 * spelling, and the scan's bounds on hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "base/utf8.h"
#include "lib/unit.h"

typedef struct collect {
    const char *text;
    size_t len;
    char out[4096];
    size_t o;
    size_t n, stop_after;
    size_t last_start;
} collect;

/* Appends "SPAN=CANON" and checks what every form must be. */
static int on_unit(void *ctx, const zc_unit *u)
{
    collect *c = ctx;
    assert_true(u->start < u->end && u->end <= c->len);
    assert_true(u->start >= c->last_start);   /* by start */
    c->last_start = u->start;
    assert_true(zc_utf8_valid(c->text + u->start, u->end - u->start, NULL));
    assert_int_equal(strlen(u->canon), u->len);
    assert_true(u->len > 1 && u->len < ZC_UNIT_CANON_MAX);
    assert_true(u->canon[0] == 'd' || u->canon[0] == 'm' || u->canon[0] == 'n');
    int w = snprintf(c->out + c->o, sizeof c->out - c->o, "%s%.*s=%s", c->o ? " " : "",
                     (int)(u->end - u->start), c->text + u->start, u->canon);
    assert_true(w > 0 && (size_t)w < sizeof c->out - c->o);
    c->o += (size_t)w;
    c->n++;
    return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static const char *scan(collect *c, const char *text, size_t len)
{
    memset(c, 0, sizeof *c);
    c->text = text;
    c->len = len;
    assert_int_equal(zc_unit_scan(text, len, on_unit, c), 0);
    return c->o ? c->out : "-";
}

static void test_golden(void **state)
{
    (void)state;
    FILE *fp = open_golden("unit.tsv");
    char line[4096];
    int cases = 0, bad = 0, lineno = 0;
    const char *want;
    collect c;
    while ((want = golden_next(fp, line, sizeof line, &lineno)) != NULL) {
        const char *got = scan(&c, line, strlen(line));
        if (strcmp(got, want) != 0) {
            print_error("unit.tsv:%d: [%s]\n  want %s\n  got  %s\n", lineno, line, want, got);
            bad++;
        }
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 60);
    assert_int_equal(bad, 0);
}

/* Every spelling of one unit is one canonical form. */
static void test_one_form_per_unit(void **state)
{
    (void)state;
    static const char *const groups[][8] = {
        {"d2017.6.27", "2017年6月27日", "２０１７年６月２７日", "2017-06-27", "2017.6.27",
         "2017/06/27", "二〇一七年六月二十七日", "二零一七年六月二十七日"},
        {"d2016.4", "2016年4月", "2016年04月", "２０１６年４月", "2016-04", "二〇一六年四月",
         "二○一六年四月", NULL},
        {"d2004", "2004年", "二〇〇四年", "二零零四年", "２００４年", NULL},
        {"m10.1", "10月1日", "十月一日", "１０月１日", NULL},
        {"n5%", "5%", "５％", "百分之五", "5.0%", "05%", "百分之5", NULL},
        {"n15.5%", "15.5%", "百分之十五点五", "１５．５％", NULL},
        {"n3000000元", "300万元", "三百万元", "3百万元", "３００万元", "3,000,000元", NULL},
        {"n10000元", "1万元", "一万元", "10000元", "10,000元", NULL},
        {"n1250000000元", "12.5亿元", "十二点五亿元", "1250000000元", NULL},
        {"n20000元", "两万元", "兩萬元", "2万元", NULL},
        {"n3个月", "3个月", "三个月", "三個月", NULL},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (size_t k = 1; k < 8 && groups[g][k] != NULL; k++) {
            const char *s = groups[g][k];
            char canon[ZC_UNIT_CANON_MAX];
            size_t cl = 99;
            if (!zc_unit_whole(s, strlen(s), canon, &cl))
                fail_msg("[%s] is no unit", s);
            if (strcmp(canon, groups[g][0]) != 0)
                fail_msg("[%s] -> %s, want %s", s, canon, groups[g][0]);
            assert_int_equal(cl, strlen(canon));
        }
    }
}

/* A whole word is a unit only when one form covers all of it. */
static void test_whole(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        const char *canon;   /* "" : not a unit */
    } cases[] = {
        {"2016年4月26日", "d2016.4.26"},
        {"300万元", "n3000000元"},
        {"300万", "n3000000"},
        {"千万", "n10000000"},
        {"一个", "n1个"},
        {"2016年4月26日国务院", ""},
        {"约300万元", ""},
        {"2016", ""},
        {"12.5", ""},
        {"万元", ""},
        {"6月", ""},
        {"5%%", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char canon[ZC_UNIT_CANON_MAX] = "x";
        size_t cl = 99;
        int w = zc_unit_whole(cases[i].s, strlen(cases[i].s), canon, &cl);
        if (w != (cases[i].canon[0] != '\0') || strcmp(canon, cases[i].canon) != 0)
            fail_msg("[%s] -> %d %s, want %s", cases[i].s, w, canon, cases[i].canon);
        assert_int_equal(cl, strlen(canon));
    }
    char canon[ZC_UNIT_CANON_MAX] = "x";
    assert_int_equal(zc_unit_whole(NULL, 5, canon, NULL), 0);
    assert_string_equal(canon, "");
}

/* A callback's non-zero answer stops the scan and is returned. */
static void test_stop(void **state)
{
    (void)state;
    const char *t = "2017年6月27日起，5%和300万元";
    collect c;
    memset(&c, 0, sizeof c);
    c.text = t;
    c.len = strlen(t);
    c.stop_after = 2;
    assert_int_equal(zc_unit_scan(t, c.len, on_unit, &c), 7);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.out, "2017年6月27日=d2017.6.27 2017年6月=d2017.6");
    assert_int_equal(zc_unit_scan(NULL, 0, on_unit, &c), 0);
}

/* Invalid bytes separate; a text cut inside a character, long digit runs
 * and long numeral runs stay inside the text (and cost one pass). */
static void test_hostile_bytes(void **state)
{
    (void)state;
    collect c;
    assert_string_equal(scan(&c, "5\xFF%", 3), "-");
    assert_string_equal(scan(&c, "\xFF" "5%", 3), "5%=n5%");
    /* 2016年 cut after the first byte of 年 */
    assert_string_equal(scan(&c, "2016\xE5", 5), "-");
    assert_string_equal(scan(&c, "2016年", 5), "-");
    /* a full-width digit cut short */
    assert_string_equal(scan(&c, "5\xEF\xBC", 3), "-");

    size_t n = 200000;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memset(big, '9', n);
    memcpy(big + n, "%", 2);
    assert_string_equal(scan(&c, big, n + 1), "-");   /* too many digits */
    for (size_t i = 0; i + 3 <= n; i += 3)
        memcpy(big + i, "一", 3);
    assert_string_equal(scan(&c, big, n - n % 3), "-");
    for (size_t i = 0; i + 6 <= n; i += 6)
        memcpy(big + i, "一亿", 6);
    (void)scan(&c, big, n - n % 6);   /* bounded: the spans are checked */
    for (size_t i = 0; i + 2 <= n; i += 2)
        memcpy(big + i, ",1", 2);
    (void)scan(&c, big, n - n % 2);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_one_form_per_unit),
        cmocka_unit_test(test_whole),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_hostile_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
