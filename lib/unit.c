/* unit.c — units: dates and numbers with their unit to their canonical
 * form (unit.h).
 *
 * Owns: the grammar of dates, numbers and units in Arabic and Chinese
 * numerals, and the canonical forms.  A scan over (ptr, len) with byte
 * cursors: no allocation, no normalization library (the few characters a
 * unit is made of are mapped here: full-width ASCII to ASCII, a dozen
 * Traditional characters to Simplified), so the scan stays cheap enough to
 * run over every indexed text and every snippet.
 * Must never: read outside (text, len), or hand out a span that cuts a
 * character.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "lib/unit.h"

/* 18 significant digits: the value stays exact in a uint64_t. */
#define MANT_LIMIT 1000000000000000000ull
/* Decimal exponents a canonical value may have (it stays under
 * ZC_UNIT_CANON_MAX: 18 digits, 30 zeros, a unit of 9 bytes). */
#define EXP_MAX 30
#define EXP_MIN (-18)

/* Not a character a unit holds: an invalid byte. */
#define CP_BAD 0xFFFD
/* Past the end. */
#define CP_END (-1)

enum {
    C_LING = 0x96F6,   /* 零 */
    C_ZERO = 0x3007,   /* 〇 */
    C_CIRCLE = 0x25CB, /* ○ */
    C_LIANG = 0x4E24,  /* 两 */
    C_SHI = 0x5341,    /* 十 */
    C_BAI = 0x767E,    /* 百 */
    C_QIAN = 0x5343,   /* 千 */
    C_WAN = 0x4E07,    /* 万 */
    C_YI = 0x4EBF,     /* 亿 */
    C_DIAN = 0x70B9,   /* 点 */
    C_NIAN = 0x5E74,   /* 年 */
    C_YUE = 0x6708,    /* 月 */
    C_RI = 0x65E5,     /* 日 */
    C_FEN = 0x5206,    /* 分 */
    C_ZHI = 0x4E4B     /* 之 */
};

typedef struct rd {
    const unsigned char *t;
    size_t len;
} rd;

/* Traditional characters of units read as their Simplified forms. */
static int32_t simplify(uint32_t cp)
{
    switch (cp) {
    case 0x842C: return 0x4E07;   /* 萬 万 */
    case 0x5104: return 0x4EBF;   /* 億 亿 */
    case 0x5169: return 0x4E24;   /* 兩 两 */
    case 0x9EDE: return 0x70B9;   /* 點 点 */
    case 0x500B: return 0x4E2A;   /* 個 个 */
    case 0x9805: return 0x9879;   /* 項 项 */
    case 0x6236: return 0x6237;   /* 戶 户 */
    case 0x6B72: return 0x5C81;   /* 歲 岁 */
    case 0x5678: return 0x5428;   /* 噸 吨 */
    case 0x755D: return 0x4EA9;   /* 畝 亩 */
    case 0x6642: return 0x65F6;   /* 時 时 */
    case 0x9803: return 0x9877;   /* 頃 顷 */
    default: return (int32_t)cp;
    }
}

/* The character at byte p as units read it (full-width ASCII as ASCII,
 * the Traditional forms above as Simplified), *next the byte after it;
 * CP_END at the end, CP_BAD for an invalid byte (one byte long). */
static int32_t cp_at(const rd *r, size_t p, size_t *next)
{
    if (p >= r->len) {
        *next = p;
        return CP_END;
    }
    unsigned b = r->t[p];
    if (b < 0x80) {
        *next = p + 1;
        return (int32_t)b;
    }
    uint32_t cp;
    size_t k = zc_utf8_decode(r->t, r->len, p, &cp);
    if (k == 0) {
        *next = p + 1;
        return CP_BAD;
    }
    *next = p + k;
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return (int32_t)(cp - 0xFEE0);
    return simplify(cp);
}

/* The character before byte p (CP_END at the start). */
static int32_t cp_before(const rd *r, size_t p)
{
    if (p == 0)
        return CP_END;
    size_t q = p - 1;
    while (q > 0 && p - q < 4 && (r->t[q] & 0xC0) == 0x80)
        q--;
    size_t next;
    int32_t c = cp_at(r, q, &next);
    return next == p ? c : CP_BAD;
}

static int is_digit(int32_t c)
{
    return c >= '0' && c <= '9';
}

/* A Chinese digit's value (零 〇 ○ are 0), or -1.  两 is not one here: it
 * is no digit of a year written digit by digit. */
static int cn_digit(int32_t c)
{
    switch (c) {
    case C_LING: case C_ZERO: case C_CIRCLE: return 0;
    case 0x4E00: return 1;   /* 一 */
    case 0x4E8C: return 2;   /* 二 */
    case 0x4E09: return 3;   /* 三 */
    case 0x56DB: return 4;   /* 四 */
    case 0x4E94: return 5;   /* 五 */
    case 0x516D: return 6;   /* 六 */
    case 0x4E03: return 7;   /* 七 */
    case 0x516B: return 8;   /* 八 */
    case 0x4E5D: return 9;   /* 九 */
    default: return -1;
    }
}

/* A character of a Chinese number (a unit never starts right after one). */
static int cn_numeral(int32_t c)
{
    return cn_digit(c) >= 0 || c == C_LIANG || c == C_SHI || c == C_BAI || c == C_QIAN ||
           c == C_WAN || c == C_YI || c == C_DIAN;
}

/* ---- numbers ------------------------------------------------------------ */

typedef struct num {
    uint64_t mant;   /* value = mant * 10^exp */
    int exp;
    int big;         /* 万 or 亿 was applied */
    int nd;          /* Arabic: digits before the point */
    size_t end;      /* byte after the number */
} num;

/* What an Arabic number may have besides its digits. */
#define A_MORE 1     /* groups after ',', '.' and digits, multipliers */

/* m = m * 10 + d; 0 when m would pass 18 significant digits. */
static int push_digit(uint64_t *m, int d)
{
    if (*m >= MANT_LIMIT / 10)
        return 0;
    *m = *m * 10 + (uint64_t)d;
    return 1;
}

/* Up to three multipliers 百 千 万 亿 after a number (3千万, 12.5亿). */
static void multipliers(const rd *r, num *n)
{
    for (int k = 0; k < 3; k++) {
        size_t nx;
        int32_t c = cp_at(r, n->end, &nx);
        int e = c == C_BAI ? 2 : c == C_QIAN ? 3 : c == C_WAN ? 4 : c == C_YI ? 8 : 0;
        if (e == 0 || n->exp + e > EXP_MAX)
            return;
        n->exp += e;
        n->big |= c == C_WAN || c == C_YI;
        n->end = nx;
    }
}

/* Arabic digits at p, with A_MORE: [groups of three after ','] ['.'
 * digits] [multipliers].  0 when there is no digit or too many. */
static int arabic(const rd *r, size_t p, unsigned flags, num *n)
{
    size_t q = p, nx;
    int32_t c;
    int nd = 0;
    *n = (num){0};
    while (is_digit(c = cp_at(r, q, &nx))) {
        if (!push_digit(&n->mant, c - '0'))
            return 0;
        nd++;
        q = nx;
    }
    n->nd = nd;
    n->end = q;
    if (nd == 0 || !(flags & A_MORE))
        return nd > 0;
    /* 1,000,000: after one to three digits, groups of a ',' and exactly
     * three digits (ASCII ',' only: the full-width one separates list
     * items in Chinese text). */
    while (nd <= 3 && q < r->len && r->t[q] == ',') {
        size_t g = q + 1;
        uint64_t m = n->mant;
        int k = 0;
        while (k < 3 && is_digit(c = cp_at(r, g, &nx)) && push_digit(&m, c - '0')) {
            g = nx;
            k++;
        }
        if (k != 3 || is_digit(cp_at(r, g, &nx)))
            break;
        n->mant = m;
        q = g;
    }
    size_t dp;
    if (cp_at(r, q, &dp) == '.' && is_digit(cp_at(r, dp, &nx))) {
        q = dp;
        while (is_digit(c = cp_at(r, q, &nx))) {
            if (!push_digit(&n->mant, c - '0') || n->exp <= EXP_MIN)
                return 0;
            n->exp--;
            q = nx;
        }
    }
    n->end = q;
    multipliers(r, n);
    return 1;
}

/* A Chinese number at p (三百万, 一万五千, 十五点五, 两万, 百亿, 四百十一).
 * 0 when there is none, or when the numerals there do not read as one
 * number (一九, 一十一百): a unit is never read from part of them.  A second
 * 万 multiplies what stands before it (八万六千万 = 860000000, the old
 * 万万). */
static int chinese(const rd *r, size_t p, num *n)
{
    const uint64_t cap = 10000000000ull; /* parts of 亿: the value stays < 10^18 */
    uint64_t yi = 0, wan = 0, sec = 0, last = 0; /* last: unit of sec's last term */
    int dig = -1;
    size_t q = p, nx, end = p;
    *n = (num){0};
    for (;;) {
        int32_t c = cp_at(r, q, &nx);
        int d = c == C_LIANG ? 2 : cn_digit(c);
        if (d >= 0) {
            if (dig > 0 || (dig == 0 && d == 0))
                return 0;   /* 一九, 零零: digits in a row are no number of this grammar */
            dig = d;
        } else if (c == C_SHI || c == C_BAI || c == C_QIAN) {
            uint64_t u = c == C_SHI ? 10 : c == C_BAI ? 100 : 1000;
            uint64_t k;
            if (dig > 0)
                k = (uint64_t)dig;
            else if ((dig < 0 && q == p) || (c == C_SHI && last >= 100))
                k = 1;   /* a leading 十 百 千 (十五, 百亿), 十 after 百 (四百十一) */
            else
                return 0;
            if (last != 0 && u >= last)
                return 0;   /* 一十一百 */
            sec += k * u;
            last = u;
            dig = -1;
        } else if (c == C_WAN || c == C_YI) {
            uint64_t part = sec + (dig > 0 ? (uint64_t)dig : 0);
            if (c == C_WAN) {
                if (q == p)
                    break;   /* 万 starts no number */
                if (wan != 0) {
                    /* 八万六千万: 86000 of 万 (the old 万万, 亿) */
                    part += wan;
                    if (yi + part >= cap * 10000)
                        return 0;
                    yi += part * 10000;
                    wan = 0;
                } else if (part == 0) {
                    return 0;
                } else {
                    wan = part * 10000;
                }
            } else {
                part += wan;
                if (part == 0 || yi + part >= cap) {
                    if (q == p)
                        break;
                    return 0;
                }
                yi = (yi + part) * 100000000ull;
                wan = 0;
            }
            n->big = 1;
            sec = last = 0;
            dig = -1;
        } else {
            break;
        }
        q = nx;
        end = q;
    }
    if (end == p)
        return 0;
    n->mant = yi + wan + sec + (dig > 0 ? (uint64_t)dig : 0);
    n->end = end;
    /* 十五点五, 三点五亿: digits after 点, then 万 or 亿 */
    int32_t c = cp_at(r, end, &nx);
    if (c == C_DIAN && cn_digit(cp_at(r, nx, &q)) >= 0) {
        q = nx;
        int d;
        while ((d = cn_digit(cp_at(r, q, &nx))) >= 0) {
            if (!push_digit(&n->mant, d) || n->exp <= EXP_MIN)
                return 0;
            n->exp--;
            q = nx;
        }
        n->end = q;
        for (int k = 0; k < 2; k++) {
            c = cp_at(r, n->end, &nx);
            if (c != C_WAN && c != C_YI)
                break;
            n->exp += c == C_WAN ? 4 : 8;
            n->big = 1;
            n->end = nx;
        }
    }
    return 1;
}

/* A number at p, Arabic (with multipliers) or Chinese. */
static int number(const rd *r, size_t p, num *n)
{
    size_t nx;
    return is_digit(cp_at(r, p, &nx)) ? arabic(r, p, A_MORE, n) : chinese(r, p, n);
}

/* The value in decimal into out (no leading or trailing zeros); returns
 * its length, 0 when it does not fit in cap. */
static size_t put_value(uint64_t mant, int exp, char *out, size_t cap)
{
    char d[24];
    int nd;
    if (mant == 0) {
        if (cap < 2)
            return 0;
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    while (mant % 10 == 0) {
        mant /= 10;
        exp++;
    }
    nd = snprintf(d, sizeof d, "%llu", (unsigned long long)mant);
    size_t o = 0;
    if (exp >= 0) {
        if ((size_t)nd + (size_t)exp + 1 > cap)
            return 0;
        memcpy(out, d, (size_t)nd);
        o = (size_t)nd;
        for (int k = 0; k < exp; k++)
            out[o++] = '0';
    } else {
        int frac = -exp;
        int lead = frac >= nd ? frac - nd : 0;   /* zeros after "0." */
        if ((size_t)nd + (size_t)lead + 3 > cap)
            return 0;
        if (frac >= nd) {
            out[o++] = '0';
            out[o++] = '.';
            for (int k = 0; k < lead; k++)
                out[o++] = '0';
            memcpy(out + o, d, (size_t)nd);
            o += (size_t)nd;
        } else {
            memcpy(out, d, (size_t)(nd - frac));
            o = (size_t)(nd - frac);
            out[o++] = '.';
            memcpy(out + o, d + nd - frac, (size_t)frac);
            o += (size_t)frac;
        }
    }
    out[o] = '\0';
    return o;
}

/* ---- units ----------------------------------------------------------------- */

/* Longest first where one unit begins another (个月 before 个, 美元 before
 * 元 does not matter: they start differently). */
#define U(s) {s, sizeof s - 1}
static const struct {
    const char *s;
    size_t len;
} units[] = {
    U("%"), U("\xE2\x80\xB0") /* ‰ */, U("元"), U("美元"), U("个月"), U("个"), U("家"),
    U("项"), U("年"), U("天"), U("倍"), U("人"), U("次"), U("户"), U("岁"), U("亩"), U("吨"),
    U("公里"), U("公顷"), U("平方米"), U("小时"), U("名"),
};
#undef U

/* The unit at p: its index and end, or -1. */
static int unit_at(const rd *r, size_t p, size_t *end)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        const unsigned char *u = (const unsigned char *)units[i].s;
        size_t ul = units[i].len, k = 0, q = p, nx;
        while (k < ul) {
            uint32_t want = 0;
            size_t w = zc_utf8_decode(u, ul, k, &want);
            if (cp_at(r, q, &nx) != (int32_t)want)
                break;
            k += w;
            q = nx;
        }
        if (k == ul) {
            *end = q;
            return (int)i;
        }
    }
    return -1;
}

typedef struct emitter {
    zc_unit_fn fn;
    void *ctx;
    int stop;        /* what fn returned, once non-zero */
} emitter;

static void emit(emitter *o, size_t start, size_t end, const char *canon, size_t len)
{
    if (o->stop || len == 0 || len >= ZC_UNIT_CANON_MAX)
        return;
    zc_unit u = {start, end, canon, len};
    o->stop = o->fn(o->ctx, &u);
}

/* 'n' + the value + unit (NULL: none). */
static void emit_number(emitter *o, size_t start, size_t end, const num *n, const char *unit)
{
    char buf[ZC_UNIT_CANON_MAX];
    size_t ul = unit != NULL ? strlen(unit) : 0;
    buf[0] = 'n';
    size_t vl = put_value(n->mant, n->exp, buf + 1, sizeof buf - 1 - ul);
    if (vl == 0)
        return;
    memcpy(buf + 1 + vl, unit != NULL ? unit : "", ul + 1);
    emit(o, start, end, buf, 1 + vl + ul);
}

static void emit_date(emitter *o, size_t start, size_t end, char kind, unsigned a, int b,
                      int c)
{
    char buf[ZC_UNIT_CANON_MAX];
    int n = b < 0   ? snprintf(buf, sizeof buf, "%c%u", kind, a)
            : c < 0 ? snprintf(buf, sizeof buf, "%c%u.%d", kind, a, b)
                    : snprintf(buf, sizeof buf, "%c%u.%d.%d", kind, a, b, c);
    emit(o, start, end, buf, (size_t)n);
}

/* Past the blanks at p (ASCII space and tab, U+3000, U+00A0): texts
 * taken from PDFs write 2021年1月 1日. */
static size_t blanks(const rd *r, size_t p)
{
    for (;;) {
        size_t nx;
        int32_t c = cp_at(r, p, &nx);
        if (c != ' ' && c != '\t' && c != 0x3000 && c != 0xA0)
            return p;
        p = nx;
    }
}

/* A four-digit year at p: four Arabic digits, or four Chinese digits
 * written one by one (二〇一六); *arabic says which. */
static int year_at(const rd *r, size_t p, unsigned *y, size_t *end, int *arab)
{
    size_t q = p, nx;
    unsigned v = 0;
    int32_t c = cp_at(r, p, &nx);
    *arab = is_digit(c);
    for (int k = 0; k < 4; k++) {
        c = cp_at(r, q, &nx);
        int d = *arab ? (is_digit(c) ? c - '0' : -1) : cn_digit(c);
        if (d < 0)
            return 0;
        v = v * 10 + (unsigned)d;
        q = nx;
    }
    c = cp_at(r, q, &nx);
    if (*arab ? is_digit(c) : cn_numeral(c))
        return 0;
    *y = v;
    *end = q;
    return 1;
}

/* A month (max 12) or day (max 31) at p: one or two Arabic digits, or a
 * Chinese number; 1..max. */
static int small_at(const rd *r, size_t p, unsigned max, int *v, size_t *end)
{
    num n;
    size_t nx;
    if (is_digit(cp_at(r, p, &nx))) {
        if (!arabic(r, p, 0, &n) || n.nd > 2)
            return 0;
    } else if (!chinese(r, p, &n) || n.exp != 0 || n.big) {
        return 0;
    }
    if (n.mant < 1 || n.mant > max)
        return 0;
    *v = (int)n.mant;
    *end = n.end;
    return 1;
}

/* M月D日 at p (blanks allowed around the numbers); *me the end of 月,
 * *de of 日. */
static int month_day(const rd *r, size_t p, int *m, int *d, size_t *me, size_t *de)
{
    size_t q, nx;
    if (!small_at(r, p, 12, m, &q) || cp_at(r, blanks(r, q), &nx) != C_YUE)
        return 0;
    *me = nx;
    if (!small_at(r, blanks(r, nx), 31, d, &q) || cp_at(r, blanks(r, q), &nx) != C_RI)
        return 0;
    *de = nx;
    return 1;
}

/* A date with a year at p; returns its end, or 0. */
static size_t date(const rd *r, size_t p, emitter *o)
{
    unsigned y;
    size_t ye, nx, me = 0, de = 0;
    int arab, m, d;
    if (!year_at(r, p, &y, &ye, &arab))
        return 0;
    int32_t sep = cp_at(r, ye, &nx);
    if (sep != C_NIAN && cp_at(r, blanks(r, ye), &nx) == C_NIAN)
        sep = C_NIAN;   /* 2021 年 */
    if (sep == C_NIAN) {
        size_t ne = nx, ms = blanks(r, ne);
        if (month_day(r, ms, &m, &d, &me, &de)) {
            emit_date(o, p, de, 'd', y, m, d);
            emit_date(o, p, me, 'd', y, m, -1);
            emit_date(o, p, ne, 'd', y, -1, -1);
            emit_date(o, ms, de, 'm', (unsigned)m, d, -1);
            return de;
        }
        size_t q;
        if (small_at(r, ms, 12, &m, &q) && cp_at(r, blanks(r, q), &me) == C_YUE) {
            emit_date(o, p, me, 'd', y, m, -1);
            emit_date(o, p, ne, 'd', y, -1, -1);
            return me;
        }
        emit_date(o, p, ne, 'd', y, -1, -1);
        return ne;
    }
    if (!arab || (sep != '-' && sep != '.' && sep != '/'))
        return 0;
    size_t ms = nx, q;
    num n;
    if (!arabic(r, ms, 0, &n) || n.nd > 2 || n.mant < 1 || n.mant > 12)
        return 0;
    m = (int)n.mant;
    me = n.end;
    if (cp_at(r, me, &q) == sep && is_digit(cp_at(r, q, &nx))) {
        if (!arabic(r, q, 0, &n) || n.nd > 2 || n.mant < 1 || n.mant > 31)
            return 0;
        de = n.end;
        if (cp_at(r, de, &q) == sep && is_digit(cp_at(r, q, &nx)))
            return 0;   /* a fourth piece: a version or a code, no date */
        d = (int)n.mant;
        emit_date(o, p, de, 'd', y, m, d);
        emit_date(o, p, me, 'd', y, m, -1);
        emit_date(o, p, ye, 'd', y, -1, -1);
        emit_date(o, ms, de, 'm', (unsigned)m, d, -1);
        return de;
    }
    if (sep != '-')
        return 0;   /* 2016.04 is a number, 2016/04 a fraction or a code */
    emit_date(o, p, me, 'd', y, m, -1);
    emit_date(o, p, ye, 'd', y, -1, -1);
    return me;
}

/* 百分之V, 千分之V. */
static size_t per(const rd *r, size_t p, emitter *o)
{
    size_t q, nx;
    int32_t c = cp_at(r, p, &q);
    if ((c != C_BAI && c != C_QIAN) || cp_at(r, q, &q) != C_FEN || cp_at(r, q, &nx) != C_ZHI)
        return 0;
    num n;
    if (!number(r, nx, &n))
        return 0;
    emit_number(o, p, n.end, &n, c == C_BAI ? "%" : "\xE2\x80\xB0");
    return n.end;
}

/* A number with a unit, or with 万 or 亿, at p. */
static size_t number_unit(const rd *r, size_t p, emitter *o)
{
    num n;
    size_t ue;
    if (!number(r, p, &n))
        return 0;
    int u = unit_at(r, n.end, &ue);
    if (u >= 0)
        emit_number(o, p, ue, &n, units[u].s);
    if (n.big)
        emit_number(o, p, n.end, &n, NULL);
    return u >= 0 ? ue : n.big ? n.end : 0;
}

/* Whether a unit may start at p, whose character is c (the character
 * before is looked at only for the few that can start one). */
static int may_start(const rd *r, size_t p, int32_t c)
{
    if (is_digit(c)) {
        int32_t b = cp_before(r, p);
        if (b == ',') {
            /* 1,000 goes on; after 通过， (a full-width comma reads as ',')
             * a date starts */
            size_t q = p;
            while (q > 0 && (r->t[--q] & 0xC0) == 0x80)
                ;
            return !is_digit(cp_before(r, q));
        }
        return !(is_digit(b) || b == '.' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'));
    }
    if (cn_digit(c) >= 0 || c == C_LIANG || c == C_SHI || c == C_BAI || c == C_QIAN)
        return !cn_numeral(cp_before(r, p));
    return 0;
}

/* Whether the character at p may start a unit, cheaply: most of a text
 * is Han characters and punctuation that cannot (the scan runs over every
 * indexed text).  The blocks (code point >> 8) that hold a Chinese digit
 * or multiplier, or 〇 ○ and the full-width digits; then the exact test. */
static int starter(const rd *r, size_t p, int32_t *c, size_t *nx)
{
    unsigned b = r->t[p];
    if (b < 0x80) {
        *nx = p + 1;
        *c = (int32_t)b;
        return is_digit(*c);
    }
    uint32_t cp;
    size_t k = zc_utf8_decode(r->t, r->len, p, &cp);
    *nx = p + (k ? k : 1);
    if (k != 3)
        return 0;
    switch (cp >> 8) {
    case 0x25: case 0x30: case 0x4E: case 0x51: case 0x53: case 0x56: case 0x76: case 0x96:
    case 0xFF:
        *c = cp_at(r, p, nx);
        return is_digit(*c) || cn_digit(*c) >= 0 || *c == C_LIANG || *c == C_SHI ||
               *c == C_BAI || *c == C_QIAN;
    default:
        return 0;
    }
}

int zc_unit_scan(const char *text, size_t len, zc_unit_fn fn, void *ctx)
{
    rd r = {(const unsigned char *)text, text != NULL ? len : 0};
    emitter o = {fn, ctx, 0};
    size_t p = 0, nx;
    while (p < r.len && !o.stop) {
        int32_t c = 0;
        size_t end = 0;
        if (starter(&r, p, &c, &nx) && may_start(&r, p, c)) {
            int m, d;
            size_t me, de;
            if ((end = per(&r, p, &o)) == 0 && (end = date(&r, p, &o)) == 0) {
                if (month_day(&r, p, &m, &d, &me, &de)) {
                    emit_date(&o, p, de, 'm', (unsigned)m, d, -1);
                    end = de;
                } else {
                    end = number_unit(&r, p, &o);
                }
            }
        }
        p = end > p ? end : nx;
    }
    return o.stop;
}

size_t zc_unit_cn_int(const char *text, size_t len, unsigned long long *value)
{
    rd r = {(const unsigned char *)text, text != NULL ? len : 0};
    num n;
    size_t std = chinese(&r, 0, &n) && n.exp == 0 ? n.end : 0;
    uint64_t v = 0;
    size_t q = 0, nx;
    int d;
    while ((d = cn_digit(cp_at(&r, q, &nx))) >= 0 && push_digit(&v, d))
        q = nx;
    if (q > std) {
        *value = v;
        return q;
    }
    if (std > 0)
        *value = n.mant;
    return std;
}

typedef struct whole_ctx {
    size_t len;
    char *canon;
    size_t clen;
    int found;
} whole_ctx;

static int on_whole(void *ctx, const zc_unit *u)
{
    whole_ctx *w = ctx;
    if (u->start != 0)
        return 1;   /* nothing starts at 0 any more */
    if (u->end != w->len)
        return 0;
    memcpy(w->canon, u->canon, u->len + 1);
    w->clen = u->len;
    w->found = 1;
    return 1;
}

int zc_unit_whole(const char *text, size_t len, char *canon, size_t *clen)
{
    whole_ctx w = {len, canon, 0, 0};
    canon[0] = '\0';
    if (text != NULL && len > 0)
        (void)zc_unit_scan(text, len, on_whole, &w);
    if (clen != NULL)
        *clen = w.clen;
    return w.found;
}
