/* term.c — the bytes of an index term (term.h). */
#include "lib/term.h"

#include <string.h>

#include <nettle/sha2.h>

#include "base/utf8.h"
#include "lib/limits.h"
#include "lib/schema.h"

/* Appends text[0..len), cut to what fits the term limit after the head
 * bytes already in buf, and a NUL.  Returns the term length. */
static size_t put_tail(char *buf, size_t head, const char *text, size_t len)
{
    size_t n = zc_utf8_cut(text, len, ZC_TERM_MAX_BYTES - head);
    memcpy(buf + head, text, n);
    buf[head + n] = '\0';
    return head + n;
}

size_t zc_term_put(char *buf, const char *pfx, size_t pfx_len, const char *text, size_t len)
{
    memcpy(buf, pfx, pfx_len);
    return put_tail(buf, pfx_len, text, len);
}

uint64_t zc_term_fnv1a64(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Whether an id cannot stand in its term as it is: too long for the term
 * limit with the prefix, or starting with '#' (the namespace of hashed
 * terms, so that a short id can never spell a hashed one). */
static int id_hashed(size_t pfx_len, const char *id, size_t len)
{
    return pfx_len + len > ZC_TERM_MAX_BYTES || (len > 0 && id[0] == '#');
}

/* SHA-256 makes two different ids sharing a term as unlikely as a SHA-256
 * collision (FNV-1a-64, used before, can be made to collide on purpose, and
 * two ids would then share one document).  "##" never begins a term of the
 * older scheme, which put a hex digit after its one '#'. */
size_t zc_term_id(const char *pfx, const char *id, size_t len, char *buf)
{
    size_t pl = strlen(pfx);
    if (!id_hashed(pl, id, len))
        return zc_term_put(buf, pfx, pl, id, len);
    static const char hex[] = "0123456789abcdef";
    uint8_t dig[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)id);
    sha256_digest(&ctx, sizeof dig, dig);
    memcpy(buf, pfx, pl);
    buf[pl] = '#';
    buf[pl + 1] = '#';
    for (size_t i = 0; i < sizeof dig; i++) {
        buf[pl + 2 + 2 * i] = hex[dig[i] >> 4];
        buf[pl + 3 + 2 * i] = hex[dig[i] & 0xF];
    }
    return put_tail(buf, pl + 2 + 2 * sizeof dig, id, len);
}

size_t zc_term_legacy_id(const char *id, size_t len, char *buf)
{
    size_t pl = strlen(ZC_PFX_ID);
    if (!id_hashed(pl, id, len))
        return 0;
    static const char hex[] = "0123456789abcdef";
    uint64_t h = zc_term_fnv1a64(id, len);
    memcpy(buf, ZC_PFX_ID, pl);
    buf[pl] = '#';
    for (int i = 0; i < 16; i++)
        buf[pl + 1 + i] = hex[(h >> (60 - 4 * i)) & 0xF];
    return put_tail(buf, pl + 17, id, len);
}
