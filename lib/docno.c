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
 * character like any other, so 国令第706号 -> "国令第.706.号".  The result
 * is cut to ZC_TERM_MAX_BYTES - 2 bytes (room for the "XD" prefix) on a
 * UTF-8 boundary, without a trailing '.'.
 *
 * Recognition (zc_docno_looks_like), on the normalized characters:
 *   CJK+ OPEN YYYY CLOSE 第? N 号?     国发〔2016〕62号, 国办发[2009]38号,
 *                                      辽政发（2010）12号, 国发【2016】第5号
 *   CJK+ YYYY SEP 第? N 号?            国发2016-62号 (SEP one of - . /)
 *   CJK* 令 第? N 号?  (第 or 号 needed) 国令第706号, 国务院令588号
 * with YYYY four ASCII digits, N one to six ASCII digits, OPEN one of
 * ( [ { < 〔 【 〖 〈 《 〘 〚 and CLOSE one of ) ] } > 〕 】 〗 〉 》 〙 〛 (pairs
 * need not match: users mistype them).  Not: plain words, plain numbers,
 * "2016年", 国发201662号 (a bare year glued to the number is ambiguous).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/docno.h"
#include "base/error.h"
#include "lib/limits.h"
#include "lib/norm.h"
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
        tail_ok(c, n, prefix, &has_di, &has_hao) && (has_di || has_hao))
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
