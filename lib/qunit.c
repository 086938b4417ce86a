/* qunit.c — dates and numbers with their unit (qunit.h): a scan over
 * (ptr, len) with a cursor, no allocation.
 *
 * Owns: the spellings of digits, date separators and units.  Must never:
 * read past (text, len).
 */
#include <string.h>

#include "lib/qunit.h"

typedef struct cur {
    const char *t;
    size_t len, p;
} cur;

/* Matches the ASCII punctuation or digit c at the cursor, or its
 * full-width form (U+FF01 + c - '!': EF BC 60+c for c up to '?'), and
 * moves past it.  Returns 1 if it matched. */
static int ch(cur *c, char a)
{
    if (c->p < c->len && c->t[c->p] == a) {
        c->p++;
        return 1;
    }
    if (c->p + 2 < c->len && (unsigned char)c->t[c->p] == 0xEF &&
        (unsigned char)c->t[c->p + 1] == 0xBC &&
        (unsigned char)c->t[c->p + 2] == (unsigned char)(0x60 + a)) {
        c->p += 3;
        return 1;
    }
    return 0;
}

/* A run of digits at the cursor, at most max of them (0: any): moves past
 * it and returns how many there were; *val their value (capped, as only
 * months and days are compared). */
static size_t digits(cur *c, size_t max, unsigned *val)
{
    size_t n = 0;
    unsigned v = 0;
    for (;;) {
        size_t at = c->p;
        int d = -1;
        for (char k = '0'; k <= '9'; k++) {
            if (ch(c, k)) {
                d = k - '0';
                break;
            }
        }
        if (d < 0)
            break;
        if (max && n == max) {
            c->p = at;   /* one digit too many: the caller fails on it */
            break;
        }
        n++;
        v = v < 100000 ? v * 10 + (unsigned)d : v;
    }
    if (val)
        *val = v;
    return n;
}

/* Matches the UTF-8 string s at the cursor and moves past it. */
static int lit(cur *c, const char *s)
{
    size_t n = strlen(s);
    if (c->len - c->p < n || memcmp(c->t + c->p, s, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

static int at_end(const cur *c)
{
    return c->p == c->len;
}

/* M月, optionally followed by D日, then the end. */
static int month_day(cur *c)
{
    unsigned m, d;
    if (digits(c, 2, &m) == 0 || m < 1 || m > 12 || !lit(c, "月"))
        return 0;
    if (at_end(c))
        return 1;
    return digits(c, 2, &d) > 0 && d >= 1 && d <= 31 && lit(c, "日") && at_end(c);
}

/* Y年[M月[D日]], M月D日, Y-M, Y-M-D, Y.M.D, Y/M/D. */
static int is_date(const char *t, size_t len)
{
    cur c = {t, len, 0};
    unsigned m, d;
    size_t ny = digits(&c, 0, NULL);
    if (ny == 4 && lit(&c, "年"))
        return at_end(&c) || month_day(&c);
    if (ny == 4) {
        static const char seps[] = {'-', '.', '/'};
        for (size_t i = 0; i < sizeof seps; i++) {
            cur s = c;
            if (!ch(&s, seps[i]))
                continue;
            if (digits(&s, 2, &m) == 0 || m < 1 || m > 12)
                return 0;
            if (at_end(&s))
                return seps[i] == '-';   /* 2016.04 is a decimal number */
            return ch(&s, seps[i]) && digits(&s, 2, &d) > 0 && d >= 1 && d <= 31 &&
                   at_end(&s);
        }
        return 0;
    }
    /* M月D日: the day is required here, as 6月 alone says little */
    c.p = 0;
    return digits(&c, 2, &m) > 0 && m >= 1 && m <= 12 && lit(&c, "月") &&
           digits(&c, 2, &d) > 0 && d >= 1 && d <= 31 && lit(&c, "日") && at_end(&c);
}

/* digits[.digits] followed by a unit of the list, then the end. */
static int is_number(const char *t, size_t len)
{
    /* The unit must end the word, so 万 never takes 万元's place. */
    static const char *const units[] = {"%", "\xEF\xBC\x85", "万亿元", "万元", "亿元", "元",
                                        "万亿", "万", "亿", "个", "家", "项", "年", "天",
                                        "倍", "人", "次", "户"};
    cur c = {t, len, 0};
    if (digits(&c, 0, NULL) == 0)
        return 0;
    cur f = c;
    if (ch(&f, '.')) {
        if (digits(&f, 0, NULL) == 0)
            return 0;
        c = f;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        cur u = c;
        if (lit(&u, units[i]) && at_end(&u))
            return 1;
    }
    return 0;
}

int zc_qunit_is(const char *text, size_t len)
{
    return len > 0 && (is_date(text, len) || is_number(text, len));
}
