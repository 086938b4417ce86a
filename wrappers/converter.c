/* converter.c — OpenCC t2s behind zc_conv_ (see converter.h for the
 * contract, the table fast path and the thread-safety argument).
 *
 * Owns: the OpenCC handle, the character table (sorted pairs plus bitmaps)
 * and the context set.
 * Must never: change the number of code points, hand OpenCC invalid UTF-8,
 * or print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opencc.h>

#include "wrappers/converter.h"
#include "base/error.h"
#include "wrappers/filecache.h"
#include "base/utf8.h"

/* Code points probed at load: every Han block where OpenCC 1.1.6's
 * TSCharacters has keys (they lie in U+346E..U+2B726), with margin. */
static const struct {
    uint32_t lo, hi;
} probe_ranges[] = {
    {0x3400, 0x4DBF},   /* Extension A */
    {0x4E00, 0x9FFF},   /* URO */
    {0xF900, 0xFAFF},   /* Compatibility Ideographs */
    {0x20000, 0x2FA1F}, /* Extensions B-F, Compatibility Supplement */
};

/* Bitmaps cover code points below this; nothing above maps. */
#define MAP_LIMIT 0x30000u

/* The context set: characters whose t2s result depends on their
 * neighbours, so a run holding one goes through OpenCC's phrase layer.
 * Derived from OpenCC 1.1.6's data with
 *   opencc_dict -i /usr/share/opencc/TSCharacters.ocd2 -o tsc.txt -f ocd2 -t text
 *   opencc_dict -i /usr/share/opencc/TSPhrases.ocd2 -o tsp.txt -f ocd2 -t text
 * as (a) the 56 keys of TSCharacters with more than one candidate, plus
 * (b) the 6 characters that some TSPhrases entry maps to something other
 * than their first candidate (么 俱 吒 昇 沈 濛; e.g. 沈默 -> 沉默).  Every
 * other character of a phrase gets its first candidate there too, so a run
 * without these characters converts exactly like OpenCC by table lookup.
 * (A newer OpenCC data set may add phrases; such a phrase is then only
 * converted at character level, still 1:1.)  Sorted. */
static const uint32_t context_set[] = {
    0x4E48, 0x4E7E, 0x4FF1, 0x5118, 0x524B, 0x5283, 0x5412, 0x5641, 0x5679, 0x5925,
    0x5D19, 0x5EEC, 0x5F77, 0x5FB5, 0x6230, 0x64E3, 0x65BC, 0x6607, 0x6C88, 0x6FDB,
    0x700B, 0x7030, 0x7274, 0x756B, 0x77AD, 0x7947, 0x7DB5, 0x7DDA, 0x85B9, 0x85C9,
    0x860B, 0x8879, 0x896C, 0x8986, 0x8A17, 0x8AEB, 0x8AEE, 0x8B7E, 0x8CB7, 0x9245,
    0x934A, 0x937E, 0x93C7, 0x9481, 0x958B, 0x9592, 0x962A, 0x9766, 0x97DD, 0x9858,
    0x9918, 0x992C, 0x9931, 0x9935, 0x9A44, 0x9D70, 0x9EAA, 0x9EB4, 0x9EB5, 0x9EBC,
    0x9EBD, 0x9F67,
};

struct zc_conv {
    opencc_t cc;
    uint32_t *from, *to;     /* sorted by from: the character table */
    size_t n;                /* pairs in the table */
    uint64_t mapped[MAP_LIMIT / 64];  /* bit set: cp is in the table */
    uint64_t context[MAP_LIMIT / 64]; /* bit set: cp is in context_set */
};

/* Scratch size for a run's UTF-8 on the stack; longer runs use the heap. */
#define STACK_UTF8 2048

static int bit_get(const uint64_t *bits, int32_t cp)
{
    return cp >= 0 && (uint32_t)cp < MAP_LIMIT &&
           ((bits[(uint32_t)cp >> 6] >> ((uint32_t)cp & 63)) & 1u);
}

static void bit_set(uint64_t *bits, uint32_t cp)
{
    if (cp < MAP_LIMIT)
        bits[cp >> 6] |= (uint64_t)1 << (cp & 63);
}

static int scalar_value(int32_t cp)
{
    return cp >= 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* ---- loading ---------------------------------------------------------- */

/* Asks OpenCC for every probed code point alone, one per line (no phrase
 * spans a line end), and keeps those that come back as one other code
 * point.  One conversion call: ~90,000 characters, well under 0.1 s. */
static zc_status build_table(zc_conv *c, zc_error *err)
{
    size_t count = 0;
    for (size_t r = 0; r < sizeof probe_ranges / sizeof probe_ranges[0]; r++)
        count += probe_ranges[r].hi - probe_ranges[r].lo + 1;

    size_t cap = count / 8 + 64; /* OpenCC 1.1.6 maps ~4,100 of ~92,000 */
    char *probe = malloc(count * 5 + 1);
    c->from = malloc(cap * sizeof *c->from);
    c->to = malloc(cap * sizeof *c->to);
    if (probe == NULL || c->from == NULL || c->to == NULL) {
        free(probe);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory building the t2s table");
    }
    size_t plen = 0;
    for (size_t r = 0; r < sizeof probe_ranges / sizeof probe_ranges[0]; r++)
        for (uint32_t u = probe_ranges[r].lo; u <= probe_ranges[r].hi; u++) {
            plen += zc_utf8_encode(u, probe + plen);
            probe[plen++] = '\n';
        }
    probe[plen] = '\0';

    char *res = opencc_convert_utf8(c->cc, probe, plen);
    free(probe);
    if (res == NULL)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "OpenCC failed on the probe text: %s",
                            opencc_error());

    const unsigned char *t = (const unsigned char *)res;
    size_t rlen = strlen(res), i = 0;
    zc_status st = ZC_OK;
    for (size_t r = 0; r < sizeof probe_ranges / sizeof probe_ranges[0] && st == ZC_OK; r++) {
        for (uint32_t u = probe_ranges[r].lo; u <= probe_ranges[r].hi; u++) {
            const char *nl = i < rlen ? memchr(res + i, '\n', rlen - i) : NULL;
            if (nl == NULL) {
                st = zc_error_set(err, ZC_EINTERNAL, NULL,
                                  "OpenCC changed the number of lines of the probe text");
                break;
            }
            size_t end = (size_t)(nl - res);
            uint32_t v;
            size_t k = i < end ? zc_utf8_decode(t, end, i, &v) : 0;
            /* Exactly one code point, different from the probe: a mapping.
             * Anything else (unchanged, or one-to-many) stays as it is. */
            if (k > 0 && i + k == end && v != u) {
                if (c->n == cap) {
                    size_t ncap = cap * 2;
                    uint32_t *nf = realloc(c->from, ncap * sizeof *nf);
                    if (nf != NULL)
                        c->from = nf;
                    uint32_t *nt = nf ? realloc(c->to, ncap * sizeof *nt) : NULL;
                    if (nt == NULL) {
                        st = zc_error_set(err, ZC_ENOMEM, NULL,
                                          "out of memory building the t2s table");
                        break;
                    }
                    c->to = nt, cap = ncap;
                }
                c->from[c->n] = u, c->to[c->n] = v, c->n++;
                bit_set(c->mapped, u);
            }
            i = end + 1;
        }
    }
    opencc_convert_utf8_free(res);
    return st;
}

/* ---- the table's cache file ------------------------------------------ *
 * Payload: uint32 n, then n from code points (ascending), then n to code
 * points.  Bump CONV_CACHE_FORMAT when that, the probe ranges or the context
 * set change. */
#define CONV_CACHE_FILE "t2s-table.zcc"
#define CONV_CACHE_FORMAT 1u
static const char conv_cache_magic[8] = {'Z', 'C', 'T', '2', 'S', 'T', 'B', '1'};
/* Where OpenCC finds a config given by bare name (its PKGDATADIR). */
#define CONV_DATA_DIR "/usr/share/opencc"

static zc_status conv_stamp(const char *config, uint64_t *stamp)
{
    static const char *const sources[] = {".json", ".ocd2", ".ocd", ".txt"};
    char dir[4096];
    const char *slash = strrchr(config, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, "%s", CONV_DATA_DIR);
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - config + 1), config);
    uint64_t h = zc_fcache_hash(config, strlen(config), 0);
    zc_fcache_stamp_object((const void *)opencc_open, &h);
    zc_status st = zc_fcache_stamp_dir(dir, sources, 4, &h, NULL);
    *stamp = h;
    return st;
}

/* Fills the table from a cache file's payload; 0, or -1 when it is
 * malformed or out of memory (then the table is built instead). */
static int table_from_cache(zc_conv *c, const unsigned char *p, size_t len)
{
    uint32_t n;
    if (len < 4)
        return -1;
    memcpy(&n, p, 4);
    if (n > MAP_LIMIT || len != 4 + (size_t)n * 8)
        return -1;
    c->from = malloc((n ? n : 1) * sizeof *c->from);
    c->to = malloc((n ? n : 1) * sizeof *c->to);
    if (c->from == NULL || c->to == NULL)
        return -1;
    memcpy(c->from, p + 4, (size_t)n * 4);
    memcpy(c->to, p + 4 + (size_t)n * 4, (size_t)n * 4);
    for (uint32_t i = 0; i < n; i++) {
        /* sorted (zc_conv_t2s_char searches it), mapped below MAP_LIMIT */
        if (c->from[i] >= MAP_LIMIT || (i > 0 && c->from[i] <= c->from[i - 1]) ||
            !scalar_value((int32_t)c->to[i]))
            return -1;
        bit_set(c->mapped, c->from[i]);
    }
    c->n = n;
    return 0;
}

/* build_table through the cache file in cache_dir. */
static zc_status cached_table(zc_conv *c, const char *config, const char *cache_dir,
                              zc_error *err)
{
    uint64_t stamp = 0;
    if (conv_stamp(config, &stamp) != ZC_OK)
        return build_table(c, err);
    zc_fcache_map *m = NULL;
    if (zc_fcache_open(cache_dir, CONV_CACHE_FILE, conv_cache_magic, CONV_CACHE_FORMAT, stamp,
                       &m, NULL) == ZC_OK) {
        size_t len = 0;
        const unsigned char *p = zc_fcache_data(m, &len);
        int ok = table_from_cache(c, p, len) == 0;
        zc_fcache_close(m);
        if (ok)
            return ZC_OK;
        free(c->from);
        free(c->to);
        c->from = c->to = NULL;
        c->n = 0;
        memset(c->mapped, 0, sizeof c->mapped);
    }
    zc_status st = build_table(c, err);
    if (st != ZC_OK)
        return st;
    size_t len = 4 + c->n * 8;
    unsigned char *p = malloc(len);
    if (p != NULL) {
        uint32_t n = (uint32_t)c->n;
        memcpy(p, &n, 4);
        memcpy(p + 4, c->from, c->n * 4);
        memcpy(p + 4 + c->n * 4, c->to, c->n * 4);
        /* Not saved (read-only directory, out of memory): the next process
         * builds the table again, nothing worse. */
        (void)zc_fcache_save(cache_dir, CONV_CACHE_FILE, conv_cache_magic, CONV_CACHE_FORMAT,
                             stamp, p, len, NULL);
        free(p);
    }
    return ZC_OK;
}

zc_status zc_conv_new(const char *config, zc_conv **out, zc_error *err)
{
    return zc_conv_new_cached(config, NULL, out, err);
}

zc_status zc_conv_new_cached(const char *config, const char *cache_dir, zc_conv **out,
                             zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_conv_new: out is NULL");
    *out = NULL;
    if (config == NULL)
        config = ZC_CONV_DEFAULT_CONFIG;
    zc_conv *c = calloc(1, sizeof *c);
    if (c == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory opening OpenCC");
    /* opencc_open reports failure as (opencc_t)-1, not NULL. */
    c->cc = opencc_open(config);
    if (c->cc == (opencc_t)-1 || c->cc == NULL) {
        zc_status st = zc_error_set(err, ZC_ENOTFOUND, NULL, "OpenCC cannot open %s: %s",
                                    config, opencc_error());
        c->cc = NULL;
        zc_conv_free(c);
        return st;
    }
    for (size_t k = 0; k < sizeof context_set / sizeof context_set[0]; k++)
        bit_set(c->context, context_set[k]);
    zc_status st = cache_dir != NULL ? cached_table(c, config, cache_dir, err)
                                     : build_table(c, err);
    if (st != ZC_OK) {
        zc_conv_free(c);
        return st;
    }
    *out = c;
    return ZC_OK;
}

void zc_conv_free(zc_conv *c)
{
    if (c == NULL)
        return;
    if (c->cc != NULL)
        opencc_close(c->cc);
    free(c->from);
    free(c->to);
    free(c);
}

size_t zc_conv_table_size(const zc_conv *c)
{
    return c ? c->n : 0;
}

/* ---- converting ------------------------------------------------------- */

int32_t zc_conv_t2s_char(const zc_conv *c, int32_t cp)
{
    if (c == NULL || !bit_get(c->mapped, cp))
        return cp;
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->from[mid] < (uint32_t)cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && c->from[lo] == (uint32_t)cp ? (int32_t)c->to[lo] : cp;
}

int zc_conv_is_simplified(const zc_conv *c, const int32_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bit_get(c->mapped, in[i]) || bit_get(c->context, in[i]))
            return 0;
    return 1;
}

int zc_conv_is_context(const zc_conv *c, int32_t cp)
{
    return c != NULL && bit_get(c->context, cp);
}

static void convert_by_table(const zc_conv *c, const int32_t *in, size_t n, int32_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zc_conv_t2s_char(c, in[i]);
}

/* The run holds a context-set character: let OpenCC's phrase layer decide,
 * and keep its answer only when it has exactly n code points. */
static zc_status convert_by_opencc(const zc_conv *c, const int32_t *in, size_t n,
                                   int32_t *out, zc_error *err)
{
    char stackbuf[STACK_UTF8];
    char *buf = stackbuf;
    if (n > (SIZE_MAX - 1) / 4)
        return zc_error_set(err, ZC_ETOOLONG, NULL, "run too long to convert");
    if (n * 4 + 1 > sizeof stackbuf) {
        buf = malloc(n * 4 + 1);
        if (buf == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory converting a run");
    }
    size_t blen = 0;
    for (size_t i = 0; i < n; i++)
        blen += zc_utf8_encode((uint32_t)in[i], buf + blen);
    buf[blen] = '\0';

    /* OpenCC copies its result with strncpy, so a NUL inside the run would
     * shorten it: the count check below then falls back to the table. */
    char *res = opencc_convert_utf8(c->cc, buf, blen);
    if (buf != stackbuf)
        free(buf);
    if (res == NULL) {
        /* Cannot happen on valid UTF-8; the table still gives a 1:1 fold. */
        convert_by_table(c, in, n, out);
        return ZC_OK;
    }
    const unsigned char *t = (const unsigned char *)res;
    size_t rlen = strlen(res), i = 0, m = 0;
    uint32_t u = 0; /* set by every decode the second loop makes; gcc cannot see that */
    while (i < rlen) {
        size_t k = zc_utf8_decode(t, rlen, i, &u);
        if (k == 0)
            break;
        i += k, m++;
    }
    if (i == rlen && m == n) {
        i = 0;
        for (size_t j = 0; j < n; j++) {
            i += zc_utf8_decode(t, rlen, i, &u);
            out[j] = (int32_t)u;
        }
    } else {
        convert_by_table(c, in, n, out);
    }
    opencc_convert_utf8_free(res);
    return ZC_OK;
}

zc_status zc_conv_t2s_chars(const zc_conv *c, const int32_t *in, size_t n, int32_t *out,
                            zc_error *err)
{
    if (c == NULL || ((in == NULL || out == NULL) && n > 0))
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_conv_t2s_chars: NULL argument");
    int context = 0;
    for (size_t i = 0; i < n; i++) {
        if (!scalar_value(in[i])) {
            if (out != in)
                memmove(out, in, n * sizeof *in);
            return zc_error_set(err, ZC_EINVAL, NULL,
                                "code point %ld at %zu is not a Unicode scalar value",
                                (long)in[i], i);
        }
        if (bit_get(c->context, in[i]))
            context = 1;
    }
    if (!context) {
        convert_by_table(c, in, n, out);
        return ZC_OK;
    }
    return convert_by_opencc(c, in, n, out, err);
}

zc_status zc_conv_t2s_utf8(const zc_conv *c, const char *in, size_t len, char **out,
                           size_t *out_len, zc_error *err)
{
    if (out == NULL || out_len == NULL || c == NULL || (in == NULL && len > 0))
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_conv_t2s_utf8: NULL argument");
    *out = NULL;
    *out_len = 0;
    if (len > (SIZE_MAX - 1) / 4 / sizeof(int32_t))
        return zc_error_set(err, ZC_ETOOLONG, NULL, "text too long to convert");
    int32_t *cps = malloc((len ? len : 1) * sizeof *cps);
    if (cps == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory converting text");
    const unsigned char *t = (const unsigned char *)in;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t u;
        size_t k = zc_utf8_decode(t, len, i, &u);
        if (k == 0) {
            free(cps);
            return zc_error_set(err, ZC_EINVAL, NULL, "invalid UTF-8 at byte %zu", i);
        }
        cps[n++] = (int32_t)u;
        i += k;
    }
    zc_status st = zc_conv_t2s_chars(c, cps, n, cps, err);
    if (st != ZC_OK) {
        free(cps);
        return st;
    }
    char *s = malloc(n * 4 + 1);
    if (s == NULL) {
        free(cps);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory converting text");
    }
    size_t slen = 0;
    for (size_t j = 0; j < n; j++)
        slen += zc_utf8_encode((uint32_t)cps[j], s + slen);
    s[slen] = '\0';
    free(cps);
    *out = s;
    *out_len = slen;
    return ZC_OK;
}
