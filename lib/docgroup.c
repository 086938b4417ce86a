/* docgroup.c — see docgroup.h. */
#include "lib/docgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/utf8.h"
#include "lib/norm.h"
#include "lib/schema.h"
#include "lib/zhengce.h"

/* ---- edition markers ------------------------------------------------------ */

/* The words that make a bracketed group an edition marker (UTF-8; the
 * ASCII ones are matched in any case). */
static const char *const edition_words[] = {
    "修正", "修订", "修訂", "修改", "amended", "revised", "revision",
};
/* Words allowed beside them (ASCII, any case). */
static const char *const filler_words[] = {"as"};

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The length of word w matched at t[0..n) (ASCII letters in any case),
 * or 0.  An ASCII word must not run on into more letters. */
static size_t match_word(const char *t, size_t n, const char *w)
{
    size_t wl = strlen(w);
    if (wl > n)
        return 0;
    for (size_t i = 0; i < wl; i++)
        if (ascii_lower((unsigned char)t[i]) != (unsigned char)w[i])
            return 0;
    int ascii = ((unsigned char)w[0] & 0x80) == 0;
    if (ascii && wl < n && ascii_lower((unsigned char)t[wl]) >= 'a' &&
        ascii_lower((unsigned char)t[wl]) <= 'z')
        return 0;
    return wl;
}

/* Whether cp may stand in an edition marker beside its word: digits of
 * any width, Chinese numerals, the date and count words, spaces and a few
 * separators. */
static int filler_char(uint32_t cp)
{
    static const char chars[] = "〇零一二三四五六七八九十百年月日第次版本 ，、.-/,";
    if ((cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19) || cp == 0x3000 ||
        cp == ' ' || cp == '\t')
        return 1;
    size_t i = 0, n = sizeof chars - 1;
    while (i < n) {
        uint32_t c = 0;
        size_t k = zc_utf8_decode((const unsigned char *)chars, n, i, &c);
        if (k == 0)
            return 0;
        if (c == cp)
            return 1;
        i += k;
    }
    return 0;
}

/* Whether t[0..n) (a bracket's contents) is an edition marker. */
static int edition_marker(const char *t, size_t n)
{
    int found = 0;
    size_t i = 0;
    while (i < n) {
        size_t k = 0;
        for (size_t w = 0; k == 0 && w < sizeof edition_words / sizeof *edition_words; w++)
            k = match_word(t + i, n - i, edition_words[w]);
        if (k > 0) {
            found = 1;
            i += k;
            continue;
        }
        for (size_t w = 0; k == 0 && w < sizeof filler_words / sizeof *filler_words; w++)
            k = match_word(t + i, n - i, filler_words[w]);
        if (k > 0) {
            i += k;
            continue;
        }
        uint32_t cp = 0;
        k = zc_utf8_decode((const unsigned char *)t, n, i, &cp);
        if (k == 0 || !filler_char(cp))
            return 0;
        i += k;
    }
    return found;
}

/* Byte length of the closing bracket t[..end) ends with, or 0. */
static size_t closing_at_end(const char *t, size_t end)
{
    static const char *const closers[] = {")", "]", "）", "】", "〕"};
    for (size_t i = 0; i < sizeof closers / sizeof *closers; i++) {
        size_t n = strlen(closers[i]);
        if (end >= n && memcmp(t + end - n, closers[i], n) == 0)
            return n;
    }
    return 0;
}

/* Byte length of the opening bracket at t[i..n), or 0. */
static size_t opening_at(const char *t, size_t n, size_t i)
{
    static const char *const openers[] = {"(", "[", "（", "【", "〔"};
    for (size_t k = 0; k < sizeof openers / sizeof *openers; k++) {
        size_t m = strlen(openers[k]);
        if (i + m <= n && memcmp(t + i, openers[k], m) == 0)
            return m;
    }
    return 0;
}

/* end without the spaces (ASCII or ideographic) it ends with. */
static size_t trim_end(const char *t, size_t end)
{
    for (;;) {
        if (end >= 1 && (t[end - 1] == ' ' || t[end - 1] == '\t'))
            end--;
        else if (end >= 3 && memcmp(t + end - 3, "\xE3\x80\x80", 3) == 0)
            end -= 3;
        else
            return end;
    }
}

size_t zc_docgroup_title_len(const char *title, size_t len)
{
    size_t end = trim_end(title, len);
    for (;;) {
        size_t cl = closing_at_end(title, end);
        if (cl == 0)
            return end;
        /* The nearest opening bracket before it (markers do not nest). */
        size_t open = (size_t)-1, ol = 0;
        for (size_t i = end - cl; i-- > 0;) {
            if (((unsigned char)title[i] & 0xC0) == 0x80)
                continue;
            if ((ol = opening_at(title, end - cl, i)) > 0) {
                open = i;
                break;
            }
        }
        if (open == (size_t)-1 || open == 0)
            return end; /* nothing before it: the whole title is no marker */
        if (!edition_marker(title + open + ol, end - cl - (open + ol)))
            return end;
        end = trim_end(title, open);
    }
}

/* ---- the key ----------------------------------------------------------------- */

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv_step(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= FNV_PRIME;
    }
    return h;
}

int zc_docgroup_docno_is_order(const char *docno, size_t len)
{
    char *canon = NULL;
    zc_error e2;
    if (docno == NULL || len == 0 ||
        zc_docno_canonical(docno, len, &canon, &e2) != ZC_OK || canon == NULL)
        return 0;
    /* 令第N号, or 令 just before the first number piece (国务院令.707). */
    int order = strstr(canon, "令第") != NULL || strstr(canon, "令.") != NULL;
    size_t cl = strlen(canon);
    if (cl >= 3 && strcmp(canon + cl - 3, "令") == 0)
        order = 1;
    zc_free(canon);
    return order;
}

zc_status zc_docgroup_key(zc_analyzer *an, const zc_doc *d,
                          char hex[ZC_DOCGROUP_KEY_CHARS + 1], zc_error *err)
{
    const char *t = d->title.ptr ? d->title.ptr : "";
    size_t tl = zc_docgroup_title_len(t, d->title.len);
    uint64_t tk = zc_analyzer_text_key(an, t, tl);
    uint64_t h = FNV_OFFSET;
    if (tk == 0) {
        /* No words in the title: nothing to find its versions by. */
        h = fnv_step(h, "I", 1);
        h = fnv_step(h, d->id.ptr ? d->id.ptr : "", d->id.len);
    } else {
        unsigned char b[8];
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(tk >> (8 * i));
        h = fnv_step(h, "T", 1);
        h = fnv_step(h, b, sizeof b);
        if (d->docno.ptr != NULL && d->docno.len > 0 &&
            !zc_docgroup_docno_is_order(d->docno.ptr, d->docno.len)) {
            char *canon = NULL;
            zc_error e2;
            zc_status st = zc_docno_canonical(d->docno.ptr, d->docno.len, &canon, &e2);
            if (st == ZC_ENOMEM)
                return zc_error_set(err, ZC_ENOMEM, "docno", "out of memory");
            if (st == ZC_OK && canon != NULL && canon[0] != '\0') {
                h = fnv_step(h, "\x1f", 1);
                h = fnv_step(h, canon, strlen(canon));
            }
            zc_free(canon);
        }
    }
    snprintf(hex, ZC_DOCGROUP_KEY_CHARS + 1, "%016llx", (unsigned long long)h);
    return ZC_OK;
}

/* ---- the fingerprint --------------------------------------------------------- */

typedef struct fp_ctx {
    uint32_t min[ZC_DOCGROUP_FP_HASHES]; /* per bin: the least hash seen */
    uint32_t ring[ZC_DOCGROUP_SHINGLE];
    size_t seen, shingles;
} fp_ctx;

/* One permutation hashing: a shingle's 64-bit hash picks one of the bins
 * by its top bits and competes there with its low 32 bits, so every
 * shingle costs one hash instead of one per bin (k independent MinHashes
 * took 7% of indexing time on corpus-real; this, under 1%). */
static void fp_push(fp_ctx *c, uint32_t cp)
{
    c->ring[c->seen % ZC_DOCGROUP_SHINGLE] = cp;
    c->seen++;
    if (c->seen < ZC_DOCGROUP_SHINGLE)
        return;
    /* The shingle, oldest character first, mixed into 64 bits. */
    uint64_t h = 0x243F6A8885A308D3ull;
    for (size_t k = 0; k < ZC_DOCGROUP_SHINGLE; k++) {
        h = (h ^ c->ring[(c->seen + k) % ZC_DOCGROUP_SHINGLE]) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    size_t bin = (size_t)(h >> 58); /* 64 bins: ZC_DOCGROUP_FP_HASHES */
    uint32_t v = (uint32_t)h;
    if (v < c->min[bin])
        c->min[bin] = v;
    c->shingles++;
}

size_t zc_docgroup_fingerprint(const zc_analyzer *an, const char *text, size_t len,
                               uint8_t fp[ZC_DOCGROUP_FP_HASHES])
{
    fp_ctx c;
    for (size_t i = 0; i < ZC_DOCGROUP_FP_HASHES; i++)
        c.min[i] = UINT32_MAX;
    c.seen = c.shingles = 0;
    size_t i = 0;
    while (text != NULL && i < len) {
        uint32_t cp = 0;
        size_t k = zc_utf8_decode((const unsigned char *)text, len, i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        i += k;
        zc_cclass cls;
        int32_t f = zc_analyzer_fold_char(an, (int32_t)cp, &cls);
        if (f >= 0) {
            if (cls != ZC_CC_SPACE)
                fp_push(&c, (uint32_t)f);
            continue;
        }
        int32_t m[ZC_NORM_CHAR_MAX];
        size_t n = zc_norm_char((int32_t)cp, m);
        for (size_t j = 0; j < n; j++)
            if (zc_norm_class(m[j]) != ZC_CC_SPACE)
                fp_push(&c, (uint32_t)m[j]);
    }
    /* An empty bin (a short text) takes the value of the next bin that
     * has one, mixed with the distance (rotation densification): the same
     * for two texts with the same shingles, so they still agree there. */
    for (size_t b = 0; b < ZC_DOCGROUP_FP_HASHES; b++) {
        uint32_t v = c.min[b];
        for (size_t d = 1; v == UINT32_MAX && c.shingles && d < ZC_DOCGROUP_FP_HASHES; d++) {
            uint32_t u = c.min[(b + d) % ZC_DOCGROUP_FP_HASHES];
            if (u != UINT32_MAX)
                v = (u ^ (uint32_t)(d * 0x9E3779B9u)) * 0x85EBCA6Bu;
        }
        fp[b] = c.shingles ? (uint8_t)(v & 0xFF) : 0xFF;
    }
    return c.shingles;
}

/* ---- the stamp ------------------------------------------------------------- */

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

size_t zc_docgroup_stamp(const zc_analyzer *an, const zc_doc *d,
                         char buf[ZC_DOCGROUP_STAMP_MAX + 1])
{
    char date[9] = "00000000";
    if (d->date_parsed.year != 0)
        zc_date_key(&d->date_parsed, 0, date);
    /* A document without a body is compared by its title. */
    const zc_field *text = d->body.ptr != NULL && d->body.len > 0 ? &d->body : &d->title;
    size_t chars = utf8_chars(text->ptr ? text->ptr : "", text->len);
    if (chars > 9999999999ull)
        chars = 9999999999ull;
    int n = snprintf(buf, ZC_DOCGROUP_STAMP_MAX + 1, "%.8s%c%010llu", date,
                     d->docno.ptr != NULL && d->docno.len > 0 ? '1' : '0',
                     (unsigned long long)chars);
    uint8_t fp[ZC_DOCGROUP_FP_HASHES];
    if (zc_docgroup_fingerprint(an, text->ptr, text->len, fp) == 0)
        return (size_t)n;
    static const char hexd[] = "0123456789abcdef";
    for (size_t i = 0; i < ZC_DOCGROUP_FP_HASHES; i++) {
        buf[n++] = hexd[fp[i] >> 4];
        buf[n++] = hexd[fp[i] & 15];
    }
    buf[n] = '\0';
    return (size_t)n;
}

double zc_docgroup_resemblance(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != ZC_DOCGROUP_STAMP_MAX || blen != ZC_DOCGROUP_STAMP_MAX)
        return -1;
    size_t eq = 0;
    for (size_t i = ZC_DOCGROUP_STAMP_HEAD; i < ZC_DOCGROUP_STAMP_MAX; i += 2)
        eq += a[i] == b[i] && a[i + 1] == b[i + 1];
    /* b-bit MinHash (b = 8): two different minima agree by chance once in
     * 256, so the raw share overstates the resemblance a little. */
    double p = (double)eq / ZC_DOCGROUP_FP_HASHES, c = 1.0 / 256.0;
    double r = (p - c) / (1.0 - c);
    return r < 0 ? 0 : r > 1 ? 1 : r;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

/* The stamp's date as days, or -1. */
static long stamp_days(const char *s, size_t n)
{
    if (n < 8)
        return -1;
    long v[3] = {0, 0, 0};
    static const int w[3] = {4, 2, 2};
    size_t p = 0;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < w[k]; j++, p++) {
            if (s[p] < '0' || s[p] > '9')
                return -1;
            v[k] = v[k] * 10 + (s[p] - '0');
        }
    if (v[0] == 0 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return -1;
    return days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]);
}

long zc_docgroup_days_apart(const char *a, size_t alen, const char *b, size_t blen)
{
    long da = stamp_days(a, alen), db = stamp_days(b, blen);
    if (da < 0 || db < 0)
        return -1;
    return da > db ? da - db : db - da;
}

/* ---- the hook ------------------------------------------------------------- */

zc_status zc_docgroup_add(zc_analyzer *an, const zc_doc *d, zc_xap_doc *doc, zc_error *err)
{
    char hex[ZC_DOCGROUP_KEY_CHARS + 1];
    zc_status st = zc_docgroup_key(an, d, hex, err);
    if (st != ZC_OK)
        return st;
    char term[sizeof ZC_PFX_GROUP + ZC_DOCGROUP_KEY_CHARS];
    int tn = snprintf(term, sizeof term, "%s%s", ZC_PFX_GROUP, hex);
    char stamp[ZC_DOCGROUP_STAMP_MAX + 1];
    size_t sn = zc_docgroup_stamp(an, d, stamp);
    if ((st = zc_xap_doc_add_boolean_term(doc, term, (size_t)tn, err)) != ZC_OK ||
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_GROUP, hex, ZC_DOCGROUP_KEY_CHARS, err)) !=
            ZC_OK)
        return st;
    return zc_xap_doc_add_value(doc, ZC_SLOT_GROUP_STAMP, stamp, sn, err);
}
