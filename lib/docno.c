/* docno.c — document numbers (发文字号): the canonical form
 * (zc_docno_canonical, public) and recognition of a query word as one.
 *
 * Owns: the rule that makes every bracket style and digit width of one
 * document number the same term.  Changing it changes the XD terms: bump
 * ZC_FORMAT_VERSION with it.
 * Must never: keep anything of the original spelling that a user could type
 * differently (brackets, widths, case, leading zeros).
 *
 * Canonical form: every character normalized (zc_norm_char), then cut into
 * pieces: a separator (any character whose class is not WORD or CJK: every
 * bracket 〔〕[]（）()【】〖〗, spaces, '-', '/', other punctuation) ends a
 * piece and is dropped, and a change between an ASCII digit and anything
 * else starts a new piece.  Numeric pieces lose their leading zeros ("062"
 * -> "62", "000" -> "0").  Pieces are joined with '.'.  '第' is a CJK
 * character like any other, so 国令第706号 -> "国令第.706.号".  Then the
 * aliases, so that the spellings people use for one number meet:
 *   - a Chinese number between 第 and 号 is its digits, a piece of its own
 *     (主席令第三十号 and 主席令第30号 -> "主席令第.30.号"; 七〇七 -> 707), and
 *     a 第 that is a piece of its own between two numbers is dropped
 *     (国发〔2016〕第62号 -> "国发.2016.62.号");
 *   - first pieces e.o., eo or exec.order before a number are
 *     executive.order (E.O. 13769, EO13769 -> "executive.order.13769").
 * The result is cut to ZC_TERM_MAX_BYTES - 2 bytes (room for the "XD"
 * prefix) on a UTF-8 boundary, without a trailing '.'.
 *
 * Recognition (zc_docno_looks_like), on the normalized characters:
 *   CJK+ OPEN YYYY CLOSE 第? N 号?     国发〔2016〕62号, 国办发[2009]38号,
 *                                      辽政发（2010）12号, 国发【2016】第5号
 *   CJK+ YYYY SEP 第? N 号?            国发2016-62号 (SEP one of - . /)
 *   CJK* 令 第? N 号?  (第 or 号 needed) 国令第706号, 国务院令588号
 *   CJK* 令 第? C 号                     主席令第三十号, 国令第七〇七号
 *   eo N, e.o. N, with '-' '.' or nothing between: EO13769, E.O.13769
 * with YYYY four ASCII digits, N one to six ASCII digits, C one to eight
 * Chinese numerals (零 〇 ○ 一 … 九 两 十 百 千), OPEN one of
 * ( [ { < 〔 【 〖 〈 《 〘 〚 and CLOSE one of ) ] } > 〕 】 〗 〉 》 〙 〛 (pairs
 * need not match: users mistype them).  Not: plain words, plain numbers,
 * "2016年", 国发201662号 (a bare year glued to the number is ambiguous).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/docno.h"
#include "base/error.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/unit.h"
#include "base/utf8.h"

#define DOCNO_OUT_MAX (ZC_TERM_MAX_BYTES - 2)

#define CP_DI 0x7B2C   /* 第 */
#define CP_HAO 0x53F7  /* 号 */
#define CP_LING 0x4EE4 /* 令 */

static int is_digit(int32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* ---- Canonical form --------------------------------------------------- */

/* Appends s[0, n) to out (room checked by the caller: see aliases). */
static size_t put(char *out, size_t o, const char *s, size_t n)
{
    memcpy(out + o, s, n);
    return o + n;
}

static int starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

/* A Chinese number between 第 and 号 as its digits, a piece of its own,
 * and a 第 that is a piece of its own between a number and a number
 * dropped: in[0, n) to out (room for 2 * n + 16 bytes); returns the new
 * length. */
static size_t cn_numbers(const char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned long long v;
        size_t k;
        /* 第 is a piece of its own after a number (the bracketed year):
         * only there is it dropped, so that the result is a fixed point */
        int alone = i >= 2 && in[i - 1] == '.' && in[i - 2] >= '0' && in[i - 2] <= '9';
        if (starts(in + i, n - i, "第") &&
            (k = zc_unit_cn_int(in + i + 3, n - i - 3, &v)) > 0 &&
            starts(in + i + 3 + k, n - i - 3 - k, "号")) {
            char num[24];
            int nl = snprintf(num, sizeof num, "%llu", v);
            if (!alone)
                o = put(out, o, "第.", 4);
            o = put(out, o, num, (size_t)nl);
            o = put(out, o, ".号", 4);
            i += 3 + k + 3;
            continue;
        }
        if (alone && starts(in + i, n - i, "第.") && i + 4 < n && in[i + 4] >= '0' &&
            in[i + 4] <= '9') {
            i += 4;   /* 国发〔2016〕第62号 is 国发〔2016〕62号 */
            continue;
        }
        out[o++] = in[i++];
    }
    return o;
}

/* The first pieces' alias (e.o.): in[0, n) to out (room for n + 16
 * bytes); returns the new length.  (国令 is not made 国务院令: the same
 * regulation under both numbers is a duplicate for the duplicates
 * rule to judge, and a query for one number ranks the document filed
 * under it first.) */
static size_t prefix_aliases(const char *in, size_t n, char *out)
{
    static const char *const eo[] = {"e.o.", "eo.", "exec.order."};
    for (size_t k = 0; k < sizeof eo / sizeof eo[0]; k++) {
        size_t l = strlen(eo[k]);
        if (starts(in, n, eo[k]) && n > l && in[l] >= '0' && in[l] <= '9') {
            size_t o = put(out, 0, "executive.order.", 16);
            return put(out, o, in + l, n - l);
        }
    }
    return put(out, 0, in, n);
}

ZC_API zc_status zc_docno_canonical(const char *docno, size_t len, char **out,
                                    zc_error *err)
{
    *out = NULL;
    if (docno == NULL && len > 0)
        return zc_error_set(err, ZC_EINVAL, "docno", "no document number");
    size_t bad;
    if (!zc_utf8_valid(docno, len, &bad))
        return zc_error_set(err, ZC_EINVAL, "docno",
                            "invalid UTF-8 at byte %zu", bad);

    /* DOCNO_OUT_MAX bytes, plus one character past it (so the cut below
     * can see where the last whole character ends), plus the NUL. */
    char buf[DOCNO_OUT_MAX + 8];
    size_t o = 0;
    int in_piece = 0, piece_digits = 0, piece_zero = 0; /* zero: only 0s so far */
    int full = 0;
    size_t p = 0;
    while (p < len && !full) {
        int32_t cp = zc_norm_next(docno, len, &p);
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t k = zc_norm_char(cp, m);
        for (size_t i = 0; i < k && !full; i++) {
            /* Checked before every character, not only after an encoded
             * one: separators and leading zeros write '0' and '.' too, and
             * "0 0 0 ..." used to run past buf (found by
             * tests/fuzz/fuzz_analyzer.c).  One character writes at most
             * 6 bytes ('0', '.', 4), which buf has room for. */
            if (o >= DOCNO_OUT_MAX) {
                full = 1;
                break;
            }
            int32_t c = m[i];
            if (zc_norm_class(c) == ZC_CC_SPACE) {
                if (in_piece && piece_digits && piece_zero)
                    buf[o++] = '0'; /* an all-zero number keeps one 0 */
                in_piece = 0;
                continue;
            }
            int digit = is_digit(c);
            if (in_piece && digit != piece_digits) {
                if (piece_digits && piece_zero)
                    buf[o++] = '0';
                in_piece = 0;
            }
            if (!in_piece) {
                if (o > 0)
                    buf[o++] = '.';
                in_piece = 1;
                piece_digits = digit;
                piece_zero = 1;
            }
            if (digit && piece_zero) {
                if (c == '0')
                    continue; /* a leading zero */
                piece_zero = 0;
            }
            o += zc_norm_encode(c, buf + o);
            if (o >= DOCNO_OUT_MAX)
                full = 1;
        }
    }
    if (!full && in_piece && piece_digits && piece_zero)
        buf[o++] = '0';
    /* The aliases can lengthen it (eo -> executive.order, 一亿 ->
     * 100000000): cut again below.  A Chinese number's digits take less
     * than twice its bytes (千万亿, 9 bytes, is 16 digits), and the prefix
     * adds at most 16 bytes. */
    char cn[2 * sizeof buf + 16], ali[sizeof cn + 16];
    o = prefix_aliases(cn, cn_numbers(buf, o, cn), ali);
    if (o > sizeof buf - 1)
        o = sizeof buf - 1;
    memcpy(buf, ali, o);
    if (o > DOCNO_OUT_MAX) {
        o = DOCNO_OUT_MAX;
        while (o > 0 && ((unsigned char)buf[o] & 0xC0) == 0x80)
            o--; /* buf[o] starts the character that did not fit */
    }
    while (o > 0 && buf[o - 1] == '.')
        o--;
    if (o == 0)
        return zc_error_set(err, ZC_EINVAL, "docno",
                            "document number has no letters or digits");
    char *s = malloc(o + 1);
    if (s == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    memcpy(s, buf, o);
    s[o] = '\0';
    *out = s;
    return ZC_OK;
}

/* ---- Recognition ------------------------------------------------------ */

static int is_open(int32_t c)
{
    switch (c) {
    case '(': case '[': case '{': case '<':
    case 0x3014: case 0x3010: case 0x3016: case 0x3008: case 0x300A:
    case 0x3018: case 0x301A:
        return 1;
    default:
        return 0;
    }
}

static int is_close(int32_t c)
{
    switch (c) {
    case ')': case ']': case '}': case '>':
    case 0x3015: case 0x3011: case 0x3017: case 0x3009: case 0x300B:
    case 0x3019: case 0x301B:
        return 1;
    default:
        return 0;
    }
}

/* Longest query word we try to recognize, in normalized code points: a real
 * document number is 10-20 characters. */
#define LOOKS_MAX 64

/* Counts digits from c[*i] on, advancing *i. */
static size_t digits(const int32_t *c, size_t n, size_t *i)
{
    size_t k = 0;
    while (*i < n && is_digit(c[*i])) {
        (*i)++;
        k++;
    }
    return k;
}

/* 第? N 号? to the end; N is 1..6 digits.  *has_di / *has_hao tell what was
 * there. */
static int tail_ok(const int32_t *c, size_t n, size_t i, int *has_di, int *has_hao)
{
    *has_di = *has_hao = 0;
    if (i < n && c[i] == CP_DI) {
        *has_di = 1;
        i++;
    }
    size_t k = digits(c, n, &i);
    if (k < 1 || k > 6)
        return 0;
    if (i < n && c[i] == CP_HAO) {
        *has_hao = 1;
        i++;
    }
    return i == n;
}

/* 第 C 号 to the end, C one to eight Chinese numerals. */
static int tail_cn_ok(const int32_t *c, size_t n, size_t i)
{
    if (i >= n || c[i] != CP_DI)
        return 0;
    size_t k = 0;
    for (i++; i < n && k <= 8; i++, k++) {
        switch (c[i]) {
        case 0x96F6: case 0x3007: case 0x25CB: case 0x4E00: case 0x4E8C: case 0x4E24:
        case 0x4E09: case 0x56DB: case 0x4E94: case 0x516D: case 0x4E03: case 0x516B:
        case 0x4E5D: case 0x5341: case 0x767E: case 0x5343:
            continue;   /* 零〇○一二两三四五六七八九十百千 */
        default: break;
        }
        break;
    }
    return k >= 1 && k <= 8 && i + 1 == n && c[i] == CP_HAO;
}

/* eo N or e.o. N, with '-', '.' or nothing before N (one to six digits). */
static int eo_ok(const int32_t *c, size_t n)
{
    size_t i;
    if (n >= 2 && c[0] == 'e' && c[1] == 'o')
        i = 2;
    else if (n >= 4 && c[0] == 'e' && c[1] == '.' && c[2] == 'o' && c[3] == '.')
        i = 4;
    else
        return 0;
    if (i < n && (c[i] == '-' || c[i] == '.') && i == 2)
        i++;
    size_t k = digits(c, n, &i);
    return k >= 1 && k <= 6 && i == n;
}

int zc_docno_looks_like(const char *text, size_t len)
{
    int32_t c[LOOKS_MAX];
    size_t n = 0, p = 0;
    while (p < len) {
        int32_t cp = zc_norm_next(text, len, &p);
        if (cp < 0)
            return 0;
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t k = zc_norm_char(cp, m);
        if (n + k > LOOKS_MAX)
            return 0;
        memcpy(c + n, m, k * sizeof *m);
        n += k;
    }

    /* The CJK prefix (digits, letters, anything else ends it). */
    size_t i = 0;
    while (i < n && zc_norm_class(c[i]) == ZC_CC_CJK && c[i] != CP_DI)
        i++;
    size_t prefix = i;
    int has_di, has_hao;

    /* X令第N号: the prefix ends in 令. */
    if (prefix >= 1 && c[prefix - 1] == CP_LING &&
        ((tail_ok(c, n, prefix, &has_di, &has_hao) && (has_di || has_hao)) ||
         tail_cn_ok(c, n, prefix)))
        return 1;
    if (eo_ok(c, n))
        return 1;

    if (prefix == 0 || i >= n)
        return 0;
    if (is_open(c[i])) {
        i++;
        if (digits(c, n, &i) != 4 || i >= n || !is_close(c[i]))
            return 0;
        i++;
        return tail_ok(c, n, i, &has_di, &has_hao);
    }
    if (digits(c, n, &i) != 4 || i >= n)
        return 0;
    if (c[i] != '-' && c[i] != '.' && c[i] != '/')
        return 0;
    i++;
    return tail_ok(c, n, i, &has_di, &has_hao);
}
