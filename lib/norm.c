/* norm.c — text normalization: UTF-8 decoding and validation, the
 * per-character mapping (utf8proc), character classes, whole-string
 * normalization for exact-match fields.
 *
 * Owns: what a "normalized character" is for both indexing and querying.
 * Any change here changes every term: bump ZC_FORMAT_VERSION with it.
 * Must never: allocate in the per-character path (zc_norm_next,
 * zc_norm_char, zc_norm_class), or change the original text.
 *
 * The per-character mapping is utf8proc_decompose_char with
 *   DECOMPOSE | COMPAT   NFKD: full-width -> ASCII, ligatures split,
 *                        compatibility ideographs -> unified ones;
 *                        DECOMPOSE is required, utf8proc only applies any
 *                        decomposition (and so STRIPMARK on accents) when
 *                        DECOMPOSE or COMPOSE is given;
 *   CASEFOLD             full Unicode case folding (ß -> ss);
 *   STRIPMARK            every Mn/Mc/Me mark dropped (café -> cafe);
 *   LUMP                 dash variants -> '-', single curly quotes -> '\'',
 *                        every Zs space -> ' ';
 *   IGNORE               default-ignorables (soft hyphen, ZWSP) vanish.
 * plus three local rules:
 *   - Han ideographs, kana and Hangul syllables are kept as they are:
 *     decomposition would split a Hangul syllable into jamo and strip the
 *     voicing mark of が, and an ideograph has nothing to normalize
 *     (half-width katakana still go through NFKC, and a separate half-width
 *     voicing mark ﾞ is a mark that STRIPMARK drops: ｶﾞ -> カ; acceptable for
 *     Chinese and English texts);
 *   - double curly quotes (“ ” „ ‟ 〝 〞 〟), which LUMP leaves alone, map to
 *     '"', and ‚ ‛ to '\'', so both quote families are ASCII;
 *   - ASCII takes a fast path (only A-Z changes).
 * Composition (NFC) of what remains is the caller's business for runs
 * (analyzer.c) and is done here for whole strings (zc_norm_string).
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "base/error.h"
#include "lib/norm.h"

#include "base/utf8.h"

#define NORM_OPTIONS                                                          \
    ((utf8proc_option_t)(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |               \
                         UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |             \
                         UTF8PROC_LUMP | UTF8PROC_IGNORE))

/* ---- Decoding -------------------------------------------------------- */

int32_t zc_norm_next(const char *text, size_t len, size_t *pos)
{
    size_t p = *pos;
    if (p >= len)
        return -1; /* nothing to decode; *pos stays, callers loop on p < len */
    uint32_t cp;
    size_t n = zc_utf8_decode((const unsigned char *)text, len, p, &cp);
    if (n == 0) {
        /* One byte at a time, so the next call resynchronizes on the next
         * lead byte and no valid character after a bad byte is lost. */
        *pos = p + 1;
        return -1;
    }
    *pos = p + n;
    return (int32_t)cp;
}


size_t zc_norm_encode(int32_t cp, char *buf)
{
    unsigned char *b = (unsigned char *)buf;
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) {
        b[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (unsigned char)(0xC0 | (c >> 6));
        b[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (c >> 12));
        b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c <= 0x10FFFF) {
        b[0] = (unsigned char)(0xF0 | (c >> 18));
        b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (c & 0x3F));
        return 4;
    }
    /* Not a code point: our own bug if it happens; encode U+FFFD rather
     * than produce invalid UTF-8. */
    b[0] = (unsigned char)0xEF;
    b[1] = (unsigned char)0xBF;
    b[2] = (unsigned char)0xBD;
    return 3;
}

/* ---- Per-character mapping ------------------------------------------- */

/* Han ideographs (unified, extensions), kana and Hangul syllables: left as
 * they are (see the file comment).  CJK compatibility ideographs
 * (F900-FAFF, 2F800-2FA1F) are not here: NFKC maps them to unified ones. */
static int keep_whole(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0x20000 && cp <= 0x2F7FF) || (cp >= 0x30000 && cp <= 0x3FFFF);
}

size_t zc_norm_char(int32_t cp, int32_t out[ZC_NORM_CHAR_MAX])
{
    if (cp >= 0 && cp < 0x80) {
        out[0] = (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
        return 1;
    }
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0; /* not a character: utf8proc's tables must not see it */
    if (keep_whole(cp)) {
        out[0] = cp;
        return 1;
    }
    switch (cp) {
    case 0x201C: case 0x201D: case 0x201E: case 0x201F:
    case 0x301D: case 0x301E: case 0x301F:
        out[0] = '"';
        return 1;
    case 0x201A: case 0x201B:
        out[0] = '\'';
        return 1;
    default:
        break;
    }
    utf8proc_int32_t tmp[ZC_NORM_CHAR_MAX * 2];
    utf8proc_ssize_t n =
        utf8proc_decompose_char(cp, tmp, ZC_NORM_CHAR_MAX * 2, NORM_OPTIONS, NULL);
    if (n < 0)
        return 0;
    /* utf8proc 2.8's worst case is 18 (U+FDFA); a newer table that grows it
     * gets cut, never overruns (past bufsize tmp holds garbage, so keep the
     * original character instead). */
    if (n > ZC_NORM_CHAR_MAX * 2) {
        out[0] = cp;
        return 1;
    }
    if (n > ZC_NORM_CHAR_MAX)
        n = ZC_NORM_CHAR_MAX;
    for (utf8proc_ssize_t i = 0; i < n; i++)
        out[i] = tmp[i];
    return (size_t)n;
}

/* ---- Classes ---------------------------------------------------------- */

static int is_han(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           cp == 0x3005 || cp == 0x3006 || cp == 0x3007 || /* 々 〆 〇 */
           (cp >= 0x3021 && cp <= 0x3029) ||             /* Hangzhou numerals */
           (cp >= 0x3038 && cp <= 0x303B);               /* 〸〹〺〻 */
}

/* Scripts written without spaces that we index like Han: kana, Hangul,
 * Bopomofo.  Only their letters count; their punctuation (・, ゠) separates. */
static int is_cjk_script_block(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xA960 && cp <= 0xA97F) ||
           (cp >= 0xD7B0 && cp <= 0xD7FF) || (cp >= 0x3100 && cp <= 0x312F) ||
           (cp >= 0x31A0 && cp <= 0x31BF) || (cp >= 0xFF66 && cp <= 0xFF9D) ||
           (cp >= 0x1B000 && cp <= 0x1B16F);
}

static int is_letter_or_number(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

zc_cclass zc_norm_class(int32_t cp)
{
    if (cp < 0x80) {
        if (cp < 0)
            return ZC_CC_SPACE;
        return ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                (cp >= '0' && cp <= '9'))
                   ? ZC_CC_WORD
                   : ZC_CC_SPACE;
    }
    if (cp > 0x10FFFF)
        return ZC_CC_SPACE;
    /* Han is CJK even where utf8proc's tables do not know the ideograph yet
     * (a newer extension): the block says enough. */
    if (is_han(cp))
        return ZC_CC_CJK;
    if (!is_letter_or_number(cp))
        return ZC_CC_SPACE;
    return is_cjk_script_block(cp) ? ZC_CC_CJK : ZC_CC_WORD;
}

/* ---- Whole strings ---------------------------------------------------- */

/* Whitespace for collapsing: ASCII blanks, controls (they carry nothing in
 * an exact-match field) and every Unicode separator (Zs/Zl/Zp; after LUMP
 * Zs is already ' ', Zl/Zp are not). */
static int is_blank(int32_t cp)
{
    if (cp <= 0x20 || cp == 0x7F)
        return 1;
    if (cp < 0x80)
        return 0;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
        return 1;
    default:
        return 0;
    }
}

zc_status zc_norm_string(const char *text, size_t len, char **out,
                         size_t *len_out, zc_error *err)
{
    *out = NULL;
    if (len_out != NULL)
        *len_out = 0;
    size_t bad;
    if (!zc_utf8_valid(text, len, &bad))
        return zc_error_set(err, ZC_EINVAL, NULL,
                            "invalid UTF-8 at byte %zu", bad);

    /* Normalized code points, then NFC-composed in place, then encoded.  The
     * buffer grows as needed (a character expands to at most
     * ZC_NORM_CHAR_MAX code points). */
    size_t cap = len + 16, n = 0;
    utf8proc_int32_t *cps = malloc(cap * sizeof *cps);
    if (cps == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    int pending_space = 0;
    size_t p = 0;
    while (p < len) {
        int32_t cp = zc_norm_next(text, len, &p);
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t k = zc_norm_char(cp, m);
        for (size_t i = 0; i < k; i++) {
            if (is_blank(m[i])) {
                pending_space = n > 0; /* leading blanks are trimmed */
                continue;
            }
            if (n + 2 > cap) {
                if (cap > (SIZE_MAX / sizeof *cps) / 2) {
                    free(cps);
                    return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
                }
                size_t ncap = cap * 2;
                utf8proc_int32_t *ncps = realloc(cps, ncap * sizeof *cps);
                if (ncps == NULL) {
                    free(cps);
                    return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
                }
                cps = ncps;
                cap = ncap;
            }
            if (pending_space) {
                cps[n++] = ' ';
                pending_space = 0;
            }
            cps[n++] = m[i];
        }
    }
    /* Trailing blanks never made it in: pending_space is just dropped. */
    if (n > 1) {
        utf8proc_ssize_t r = utf8proc_normalize_utf32(
            cps, (utf8proc_ssize_t)n,
            (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (r < 0) {
            free(cps);
            return zc_error_set(err, ZC_EINTERNAL, NULL, "normalization failed: %s",
                                utf8proc_errmsg(r));
        }
        n = (size_t)r;
    }
    if (n > (SIZE_MAX - 1) / 4) {
        free(cps);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    char *s = malloc(n * 4 + 1);
    if (s == NULL) {
        free(cps);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += zc_norm_encode(cps[i], s + o);
    s[o] = '\0';
    free(cps);
    *out = s;
    if (len_out != NULL)
        *len_out = o;
    return ZC_OK;
}

void zc_norm_sanitize(const char *s, char *buf, size_t cap)
{
    size_t len = strlen(s), p = 0, w = 0;
    while (p < len) {
        size_t start = p;
        int32_t cp = zc_norm_next(s, len, &p);
        size_t k = cp < 0 ? 1 : p - start;
        if (w + k >= cap)
            break;
        if (cp < 0)
            buf[w] = '?';
        else
            memcpy(buf + w, s + start, k);
        w += k;
    }
    buf[w] = '\0';
}
