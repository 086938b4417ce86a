/* index.c — the zc_index handle: open/close, writes, get, and the mapping of
 * one document onto Xapian terms, values and data (lib/schema.h;
 * docs/index-format.md is the prose version).
 *
 * Owns: the index layout as written, the format check on open, and the
 * process-wide initialization (zc_global_init).
 * Must never: parse documents itself (docmodel.c does), tokenize (analyzer.c
 * does), or touch Xapian except through wrappers/xapian.h.
 *
 * Every term we build goes through put_term(), which cuts it to
 * ZC_TERM_MAX_BYTES on a UTF-8 boundary: terms are cut, never dropped.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "lib/analyzer.h"
#include "lib/docmodel.h"
#include "lib/docstore.h"
#include "base/error.h"
#include "base/utf8.h"
#include "lib/index_internal.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/schema.h"
#include "wrappers/xapian.h"

/* ---- process-wide init ------------------------------------------------ */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static zc_status g_init_status = ZC_OK;
static zc_error g_init_error;

/* Builds (and drops) one analyzer so that whatever the analysis stages load
 * lazily (converter, tables, stemmer) is loaded once, before any thread
 * races for it.  The friso dictionary is left to the first words or hybrid
 * analyzer (zc_analyzer_global_init is thread-safe too): an ngram index
 * never pays its ~0.25 s. */
static void base_init_once(void)
{
    zc_analyzer *a = NULL;
    g_init_status = zc_analyzer_new(ZC_SEG_NGRAM, &a, &g_init_error);
    if (g_init_status == ZC_OK) {
        static const char probe[] = "zhengce 政策 policies";
        char stem[64];
        zc_analyzer_stem(a, "policies", 8, stem, sizeof stem);
        (void)zc_detect_lang(probe, sizeof probe - 1);
    }
    zc_analyzer_free(a);
}

static zc_status base_init(zc_error *err)
{
    if (pthread_once(&g_once, base_init_once) != 0)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "pthread_once failed");
    if (g_init_status != ZC_OK && err != NULL)
        *err = g_init_error;
    return g_init_status;
}

_Static_assert((int)ZC_OPEN_READ == (int)ZC_XAP_OPEN_READ &&
                   (int)ZC_OPEN_WRITE == (int)ZC_XAP_OPEN_WRITE &&
                   (int)ZC_OPEN_CREATE == (int)ZC_XAP_OPEN_CREATE,
               "zhengce.h's open modes are the wrapper's");

ZC_API zc_status zc_global_init(zc_error *err)
{
    zc_status st = base_init(err);
    if (st != ZC_OK)
        return st;
    return zc_analyzer_global_init(ZC_SEG_HYBRID, err);
}

/* ---- terms ------------------------------------------------------------ */

/* Writes prefix + text into buf (ZC_TERM_MAX_BYTES + 1), the text cut on a
 * UTF-8 boundary so the term fits.  Returns the term length. */
static size_t put_term(char *buf, const char *pfx, size_t pfx_len, const char *text,
                       size_t len)
{
    memcpy(buf, pfx, pfx_len);
    size_t n = zc_utf8_cut(text, len, ZC_TERM_MAX_BYTES - pfx_len);
    memcpy(buf + pfx_len, text, n);
    buf[pfx_len + n] = '\0';
    return pfx_len + n;
}

static uint64_t fnv1a64(const char *s, size_t len)
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

/* An id-like term (the unique id term, the pair term): prefix + id when it
 * fits; otherwise prefix + "##" + the 64 hex digits of SHA-256(id) + the
 * id's first bytes up to the term limit.  SHA-256 makes two different ids
 * sharing a term as unlikely as a SHA-256 collision (FNV-1a-64, used before,
 * can be made to collide on purpose, and two ids would then share one
 * document).  "##" never begins a term of the older scheme, which put a hex
 * digit after its one '#'. */
static size_t id_like_term(const char *pfx, const char *id, size_t len, char *buf)
{
    size_t pl = strlen(pfx);
    if (!id_hashed(pl, id, len))
        return put_term(buf, pfx, pl, id, len);
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
    size_t head = pl + 2 + 2 * sizeof dig;
    size_t n = zc_utf8_cut(id, len, ZC_TERM_MAX_BYTES - head);
    memcpy(buf + head, id, n);
    buf[head + n] = '\0';
    return head + n;
}

/* The unique-id term of the older scheme (prefix + "#" + FNV-1a-64 hex +
 * the id's first bytes), which indexes written before SHA-256 hold for
 * hashed ids.  0 when the id is not hashed (its term never changed). */
static size_t legacy_id_term(const char *id, size_t len, char *buf)
{
    size_t pl = strlen(ZC_PFX_ID);
    if (!id_hashed(pl, id, len))
        return 0;
    static const char hex[] = "0123456789abcdef";
    uint64_t h = fnv1a64(id, len);
    memcpy(buf, ZC_PFX_ID, pl);
    buf[pl] = '#';
    for (int i = 0; i < 16; i++)
        buf[pl + 1 + i] = hex[(h >> (60 - 4 * i)) & 0xF];
    size_t head = pl + 17;
    size_t n = zc_utf8_cut(id, len, ZC_TERM_MAX_BYTES - head);
    memcpy(buf + head, id, n);
    buf[head + n] = '\0';
    return head + n;
}

size_t zc_index_id_term(const char *id, size_t len, char *buf)
{
    return id_like_term(ZC_PFX_ID, id, len, buf);
}

/* ---- spelling words of one document ----------------------------------- */

/* The words of one document destined for the spelling table, collected
 * while its fields are analyzed and added once per distinct word (with its
 * count) after the document is written: one add_spelling call per word
 * instead of one per occurrence. */
typedef struct spell_set {
    char *arena;          /* NUL-terminated words, back to back */
    size_t len, cap;
    size_t *off;          /* start of each word in arena */
    size_t n, cap_off;
} spell_set;

static void spell_free(spell_set *s)
{
    free(s->arena);
    free(s->off);
}

/* 1 for a word the spelling table takes: lower-case ASCII letters only,
 * ZC_SPELL_MIN_CHARS..ZC_SPELL_MAX_CHARS of them. */
static int spell_word(const char *t, size_t len)
{
    if (len < ZC_SPELL_MIN_CHARS || len > ZC_SPELL_MAX_CHARS)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] < 'a' || t[i] > 'z')
            return 0;
    return 1;
}

/* Grows *buf (capacity *cap) to hold at least need bytes, doubling from
 * first; the spelling words and a document's summed terms keep their text
 * in such arenas.  Returns 0, or -1 when out of memory (buf unchanged). */
static int grow_bytes(char **buf, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : first;
    while (nc < need)
        nc *= 2;
    char *nb = realloc(*buf, nc);
    if (nb == NULL)
        return -1;
    *buf = nb;
    *cap = nc;
    return 0;
}

static int spell_push(spell_set *s, const char *t, size_t len)
{
    if (s->n == s->cap_off) {
        size_t nc = s->cap_off ? s->cap_off * 2 : 256;
        size_t *no = realloc(s->off, nc * sizeof *no);
        if (no == NULL)
            return -1;
        s->off = no;
        s->cap_off = nc;
    }
    if (grow_bytes(&s->arena, &s->cap, s->len + len + 1, 4096) != 0)
        return -1;
    memcpy(s->arena + s->len, t, len);
    s->arena[s->len + len] = '\0';
    s->off[s->n++] = s->len;
    s->len += len + 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds every distinct collected word with its count to the spelling table. */
static zc_status spell_flush(zc_index *idx, spell_set *s, zc_error *err)
{
    if (s->n == 0)
        return ZC_OK;
    const char **v = malloc(s->n * sizeof *v);
    if (v == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++)
        v[i] = s->arena + s->off[i];
    qsort(v, s->n, sizeof *v, cmp_str);
    zc_status st = ZC_OK;
    for (size_t i = 0; i < s->n && st == ZC_OK;) {
        size_t j = i + 1;
        while (j < s->n && strcmp(v[j], v[i]) == 0)
            j++;
        st = zc_xap_db_add_spelling(idx->db, v[i], strlen(v[i]), (unsigned)(j - i), err);
        i = j;
    }
    free(v);
    return st;
}

/* Positionless terms of one document, summed before they go to Xapian.
 * A CJK text makes a bigram term per character (and, in hybrid, a word
 * term per word) but far fewer distinct ones; Xapian's Document keeps its
 * terms in a std::map, so one add_term per distinct term instead of one
 * per occurrence saves most of those look-ups (docs/benchmarks.md).
 * Terms keep their first-seen order; the wdf is the sum. */
typedef struct term_ent {
    size_t off;        /* term bytes in the arena */
    uint32_t len, wdf;
    uint64_t h;
} term_ent;

typedef struct term_acc {
    uint32_t *slots;   /* entry index + 1; 0 = empty; open addressing */
    size_t cap;        /* power of two */
    term_ent *e;
    size_t n, ecap;
    char *arena;
    size_t alen, acap;
} term_acc;

static void acc_free(term_acc *a)
{
    free(a->slots);
    free(a->e);
    free(a->arena);
    memset(a, 0, sizeof *a);
}

static int acc_grow_slots(term_acc *a)
{
    size_t ncap = a->cap ? a->cap * 2 : 1024;
    uint32_t *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return -1;
    for (size_t i = 0; i < a->n; i++) {
        size_t k = (size_t)a->e[i].h & (ncap - 1);
        while (ns[k] != 0)
            k = (k + 1) & (ncap - 1);
        ns[k] = (uint32_t)(i + 1);
    }
    free(a->slots);
    a->slots = ns;
    a->cap = ncap;
    return 0;
}

/* Adds wdf to term; returns 0, or -1 when out of memory. */
static int acc_add(term_acc *a, const char *term, size_t len, unsigned wdf)
{
    if ((a->n + 1) * 2 > a->cap && acc_grow_slots(a) != 0)
        return -1;
    uint64_t h = fnv1a64(term, len);
    size_t k = (size_t)h & (a->cap - 1);
    for (; a->slots[k] != 0; k = (k + 1) & (a->cap - 1)) {
        term_ent *e = &a->e[a->slots[k] - 1];
        if (e->h == h && e->len == len && memcmp(a->arena + e->off, term, len) == 0) {
            e->wdf += wdf;
            return 0;
        }
    }
    if (a->n == a->ecap) {
        size_t nc = a->ecap ? a->ecap * 2 : 512;
        term_ent *ne = realloc(a->e, nc * sizeof *ne);
        if (ne == NULL)
            return -1;
        a->e = ne;
        a->ecap = nc;
    }
    if (grow_bytes(&a->arena, &a->acap, a->alen + len, 8192) != 0)
        return -1;
    memcpy(a->arena + a->alen, term, len);
    a->e[a->n] = (term_ent){a->alen, (uint32_t)len, wdf, h};
    a->alen += len;
    a->slots[k] = (uint32_t)(++a->n);
    return 0;
}

/* Hands every summed term to the document. */
static zc_status acc_flush(const term_acc *a, zc_xap_doc *doc, zc_error *err)
{
    zc_status st = ZC_OK;
    for (size_t i = 0; i < a->n && st == ZC_OK; i++)
        st = zc_xap_doc_add_term(doc, a->arena + a->e[i].off, a->e[i].len, a->e[i].wdf, err);
    return st;
}

/* Indexing one analyzed field.  Every token becomes:
 *   pfx+term (wdf pfx_wdf) when pfx is set, and
 *   term     (wdf plain_wdf) when plain_wdf > 0,
 * at its position when positional; WORD tokens add "Z"+pfx+stem / "Z"+stem
 * the same way (positionless); CJK dictionary words go to the "W" namespace
 * (pfx+"W"+word, "W"+word). */
typedef struct field_ctx {
    zc_analyzer *an;
    zc_xap_doc *doc;
    term_acc *acc;        /* the positionless terms */
    const char *pfx;      /* NULL: no prefixed terms */
    size_t pfx_len;
    unsigned pfx_wdf;
    unsigned plain_wdf;   /* 0: no unprefixed terms */
    spell_set *spell;     /* NULL: no spelling words from this field */
    zc_status st;
    zc_error *err;
} field_ctx;

static zc_status add_plain(field_ctx *c, const char *term, size_t n, unsigned wdf)
{
    if (acc_add(c->acc, term, n, wdf) != 0)
        return zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
    return ZC_OK;
}

static zc_status emit(field_ctx *c, const char *pfx, size_t pfx_len, const zc_token *t,
                      unsigned wdf)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t n = put_term(term, pfx, pfx_len, t->term, t->len);
    if (n == pfx_len)
        return ZC_OK; /* nothing left after the cut: an empty term means nothing */
    if (t->positional)
        return zc_xap_doc_add_posting(c->doc, term, n, t->pos, wdf, c->err);
    return add_plain(c, term, n, wdf);
}

static zc_status emit_stem(field_ctx *c, const char *stem, size_t slen)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    char pfx[8];
    zc_status st = ZC_OK;
    if (c->pfx != NULL) {
        size_t pl = (size_t)snprintf(pfx, sizeof pfx, "%s%s", ZC_PFX_STEM, c->pfx);
        size_t n = put_term(term, pfx, pl, stem, slen);
        st = add_plain(c, term, n, c->pfx_wdf);
    }
    if (st == ZC_OK && c->plain_wdf > 0) {
        size_t n = put_term(term, ZC_PFX_STEM, strlen(ZC_PFX_STEM), stem, slen);
        st = add_plain(c, term, n, c->plain_wdf);
    }
    return st;
}

static int on_token(void *ctx, const zc_token *t)
{
    field_ctx *c = ctx;
    if (t->len == 0)
        return 0;
    if (t->kind == ZC_TOK_CJK_WORD) {
        char pfx[8];
        size_t pl = (size_t)snprintf(pfx, sizeof pfx, "%s%s", c->pfx ? c->pfx : "",
                                     ZC_PFX_CJKWORD);
        if (c->pfx != NULL)
            c->st = emit(c, pfx, pl, t, c->pfx_wdf);
        if (c->st == ZC_OK && c->plain_wdf > 0)
            c->st = emit(c, ZC_PFX_CJKWORD, strlen(ZC_PFX_CJKWORD), t, c->plain_wdf);
        return c->st != ZC_OK;
    }
    if (c->pfx != NULL)
        c->st = emit(c, c->pfx, c->pfx_len, t, c->pfx_wdf);
    if (c->st == ZC_OK && c->plain_wdf > 0)
        c->st = emit(c, "", 0, t, c->plain_wdf);
    if (c->st == ZC_OK && t->kind == ZC_TOK_WORD && !t->numeric) {
        char stem[ZC_TERM_MAX_BYTES];
        size_t sl = zc_analyzer_stem(c->an, t->term, t->len, stem, sizeof stem);
        if (sl > 0 && sl <= sizeof stem)
            c->st = emit_stem(c, stem, sl);
        if (c->st == ZC_OK && c->spell != NULL && spell_word(t->term, t->len) &&
            spell_push(c->spell, t->term, t->len) != 0)
            c->st = zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
    }
    return c->st != ZC_OK;
}

static zc_status index_field(zc_analyzer *an, zc_xap_doc *doc, term_acc *acc,
                             const zc_field *f, const char *pfx, unsigned pfx_wdf,
                             unsigned plain_wdf, spell_set *spell, uint32_t *pos,
                             zc_error *err)
{
    if (f->ptr == NULL || f->len == 0)
        return ZC_OK;
    field_ctx c = {an, doc, acc, pfx, pfx ? strlen(pfx) : 0, pfx_wdf, plain_wdf,
                   spell, ZC_OK, err};
    zc_status st = zc_analyze(an, f->ptr, f->len, pos, on_token, &c, err);
    return st != ZC_OK ? st : c.st;
}

static zc_status add_bool(zc_xap_doc *doc, const char *pfx, const char *text,
                          size_t len, zc_error *err)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t pl = strlen(pfx);
    size_t n = put_term(term, pfx, pl, text, len);
    if (n == pl)
        return ZC_OK;
    return zc_xap_doc_add_boolean_term(doc, term, n, err);
}

/* pfx + zc_norm_string(text), as a boolean term (exact issuer, tags). */
static zc_status add_norm_bool(zc_xap_doc *doc, const char *pfx, const zc_field *f,
                               zc_error *err)
{
    if (f->ptr == NULL || f->len == 0)
        return ZC_OK;
    char *norm = NULL;
    size_t nlen = 0;
    zc_status st = zc_norm_string(f->ptr, f->len, &norm, &nlen, err);
    if (st != ZC_OK)
        return st;
    st = add_bool(doc, pfx, norm, nlen, err);
    free(norm);
    return st;
}

/* Builds the Xapian document for a parsed document; the words of an "en"
 * document's title and body are collected into spell.  Returns new; free
 * with zc_xap_doc_free. */
static zc_status build_doc(zc_analyzer *an, const zc_doc *d, const char *idterm,
                           size_t idterm_len, spell_set *spell, zc_xap_doc **out,
                           zc_error *err)
{
    zc_xap_doc *doc = NULL;
    term_acc acc = {0};
    char *json = NULL, *data = NULL, *hit = NULL, *canon = NULL;
    size_t json_len = 0, data_len = 0, hit_len = 0;
    char term[ZC_TERM_MAX_BYTES + 1];
    *out = NULL;

    zc_status st = zc_xap_doc_new(&doc, err);
    if (st != ZC_OK)
        return st;
    if ((st = zc_xap_doc_add_boolean_term(doc, idterm, idterm_len, err)) != ZC_OK)
        goto done;

    /* Free text: title, then body, then the document number's words, each
     * after a gap so that no phrase spans two fields. */
    int en = d->lang.len == 2 && memcmp(d->lang.ptr, "en", 2) == 0;
    spell_set *sp = en ? spell : NULL;
    uint32_t pos = 0;
    st = index_field(an, doc, &acc, &d->title, ZC_PFX_TITLE, 1, ZC_TITLE_WDF_BOOST + 1, sp,
                     &pos, err);
    if (st != ZC_OK)
        goto done;
    pos += ZC_POS_FIELD_GAP;
    if ((st = index_field(an, doc, &acc, &d->body, NULL, 0, 1, sp, &pos, err)) != ZC_OK)
        goto done;
    pos += ZC_POS_FIELD_GAP;
    if ((st = index_field(an, doc, &acc, &d->docno, NULL, 0, 1, NULL, &pos, err)) != ZC_OK)
        goto done;

    /* The whole title as one term (a weighted term: a query that is
     * exactly this title ranks the document first). */
    if (d->title.ptr != NULL && d->title.len > 0) {
        uint64_t key = zc_analyzer_text_key(an, d->title.ptr, d->title.len);
        if (key != 0) {
            int n = snprintf(term, sizeof term, "%s%016llx", ZC_PFX_TITLE_KEY,
                             (unsigned long long)key);
            if ((st = zc_xap_doc_add_term(doc, term, (size_t)n, 1, err)) != ZC_OK)
                goto done;
        }
    }

    /* Issuer words, in their own prefix space (positions from 0). */
    uint32_t ipos = 0;
    if ((st = index_field(an, doc, &acc, &d->issuer, ZC_PFX_ISSUER, 1, 0, NULL, &ipos, err)) !=
        ZC_OK)
        goto done;
    if ((st = acc_flush(&acc, doc, err)) != ZC_OK)
        goto done;
    if ((st = add_norm_bool(doc, ZC_PFX_ISSUER_EXACT, &d->issuer, err)) != ZC_OK)
        goto done;

    /* Canonical docno: a weighted term (not boolean) so that a docno query
     * ranks the document it names first. */
    if (d->docno.ptr != NULL && d->docno.len > 0) {
        zc_error e2;
        zc_error_clear(&e2);
        if (zc_docno_canonical(d->docno.ptr, d->docno.len, &canon, &e2) == ZC_OK &&
            canon != NULL && canon[0] != '\0') {
            size_t pl = strlen(ZC_PFX_DOCNO);
            size_t n = put_term(term, ZC_PFX_DOCNO, pl, canon, strlen(canon));
            if ((st = zc_xap_doc_add_term(doc, term, n, 1, err)) != ZC_OK)
                goto done;
        } else if (e2.code == ZC_ENOMEM) {
            st = zc_error_set(err, ZC_ENOMEM, "docno", "out of memory");
            goto done;
        }
        /* A docno with nothing canonical left (only punctuation) still has
         * its words in the free text; there is no docno term to make. */
    }

    if ((st = add_bool(doc, ZC_PFX_LANG, d->lang.ptr, d->lang.len, err)) != ZC_OK)
        goto done;
    if ((st = zc_xap_doc_add_value(doc, ZC_SLOT_LANG, d->lang.ptr, d->lang.len, err)) !=
        ZC_OK)
        goto done;

    if (d->date_parsed.year > 0) {
        char key[9];
        zc_date_key(&d->date_parsed, 0, key);
        if ((st = add_bool(doc, ZC_PFX_YEAR, key, 4, err)) != ZC_OK ||
            (st = zc_xap_doc_add_value(doc, ZC_SLOT_DATE, key, 8, err)) != ZC_OK ||
            (st = zc_xap_doc_add_value(doc, ZC_SLOT_DATE_ASC, key, 8, err)) != ZC_OK ||
            (st = zc_xap_doc_add_value(doc, ZC_SLOT_YEAR, key, 4, err)) != ZC_OK)
            goto done;
    } else {
        if ((st = zc_xap_doc_add_value(doc, ZC_SLOT_DATE_ASC, "~", 1, err)) != ZC_OK)
            goto done;
    }

    if (d->issuer.ptr != NULL && d->issuer.len > 0) {
        st = zc_xap_doc_add_value(doc, ZC_SLOT_ISSUER, d->issuer.ptr, d->issuer.len, err);
        if (st != ZC_OK)
            goto done;
    }

    for (size_t i = 0; i < d->n_tags; i++) {
        if ((st = add_norm_bool(doc, ZC_PFX_TAG, &d->tags[i], err)) != ZC_OK)
            goto done;
    }

    if (d->pair.ptr != NULL && d->pair.len > 0) {
        size_t n = id_like_term(ZC_PFX_PAIR, d->pair.ptr, d->pair.len, term);
        if ((st = zc_xap_doc_add_boolean_term(doc, term, n, err)) != ZC_OK)
            goto done;
    }

    if ((st = zc_doc_hit_json(d, &hit, &hit_len, err)) != ZC_OK ||
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_HIT, hit, hit_len, err)) != ZC_OK)
        goto done;
    if ((st = zc_doc_serialize(d, &json, &json_len, err)) != ZC_OK ||
        (st = zc_docstore_pack(json, json_len, &data, &data_len, err)) != ZC_OK ||
        (st = zc_xap_doc_set_data(doc, data, data_len, err)) != ZC_OK)
        goto done;

done:
    acc_free(&acc);
    free(json);
    free(data);
    free(hit);
    zc_free(canon);
    if (st != ZC_OK) {
        zc_xap_doc_free(doc);
        return st;
    }
    *out = doc;
    return ZC_OK;
}

/* ---- handle ----------------------------------------------------------- */

/* Reads (or, for a writer on a brand-new index, writes) the format and the
 * analyzer.  want: the analyzer a creator asks for, or NULL.  Sets
 * idx->mode. */
static zc_status check_format(zc_index *idx, const char *want, zc_error *err)
{
    char *fmt = NULL, *an = NULL;
    size_t fmt_len = 0, an_len = 0;
    uint64_t docs = 0;
    zc_seg_mode mode;
    const char *name = want ? want : ZC_ANALYZER_DEFAULT;
    if (zc_analyzer_mode_parse(name, strlen(name), &mode) != 0)
        return zc_error_set(err, ZC_EINVAL, "analyzer",
                            "unknown analyzer \"%.32s\" (use ngram, words or hybrid)", name);
    zc_status st = zc_xap_db_get_metadata(idx->db, ZC_META_FORMAT, &fmt, &fmt_len, err);
    if (st != ZC_OK)
        return st;
    if (fmt_len == 0) {
        /* No format yet: a brand-new (empty) index.  A writer stamps it now
         * and commits, so readers see a stamped index from then on. */
        if ((st = zc_xap_db_doc_count(idx->db, &docs, err)) != ZC_OK)
            goto out;
        if (docs > 0) {
            st = zc_error_set(err, ZC_EVERSION, NULL,
                              "index format (none), this zhengce reads %s: rebuild the "
                              "index with zhengce-indexer",
                              ZC_FORMAT_VERSION);
            goto out;
        }
        idx->mode = mode;
        if (idx->writable) {
            const char *mn = zc_analyzer_mode_name(mode);
            if ((st = zc_xap_db_set_metadata(idx->db, ZC_META_FORMAT, ZC_FORMAT_VERSION,
                                             strlen(ZC_FORMAT_VERSION), err)) != ZC_OK ||
                (st = zc_xap_db_set_metadata(idx->db, ZC_META_ANALYZER, mn, strlen(mn),
                                             err)) != ZC_OK ||
                (st = zc_xap_db_commit(idx->db, err)) != ZC_OK)
                goto out;
        }
        goto out;
    }
    if (fmt_len != strlen(ZC_FORMAT_VERSION) || memcmp(fmt, ZC_FORMAT_VERSION, fmt_len) != 0) {
        st = zc_error_set(err, ZC_EVERSION, NULL,
                          "index format %.*s, this zhengce reads %s: rebuild the index "
                          "with zhengce-indexer",
                          (int)(fmt_len > 32 ? 32 : fmt_len), fmt, ZC_FORMAT_VERSION);
        goto out;
    }
    if ((st = zc_xap_db_get_metadata(idx->db, ZC_META_ANALYZER, &an, &an_len, err)) != ZC_OK)
        goto out;
    if (zc_analyzer_mode_parse(an, an_len, &idx->mode) != 0) {
        st = zc_error_set(err, ZC_EVERSION, NULL,
                          "index analyzer \"%.*s\" is unknown to this zhengce (it knows "
                          "ngram, words, hybrid): rebuild the index with zhengce-indexer",
                          (int)(an_len > 32 ? 32 : an_len), an ? an : "");
        goto out;
    }
    if (want != NULL && idx->mode != mode) {
        st = zc_error_set(err, ZC_EINVAL, "analyzer",
                          "index %s was built with analyzer %s, not %s: its analyzer is "
                          "fixed when it is created (use a new index directory)",
                          idx->path, zc_analyzer_mode_name(idx->mode), name);
    }
out:
    free(fmt);
    free(an);
    return st;
}

static zc_status index_open(const char *path, int mode, const char *analyzer,
                            zc_index **out, zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_index_open: out is NULL");
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return zc_error_set(err, ZC_EINVAL, "index", "no index path given");
    if (mode != ZC_OPEN_READ && mode != ZC_OPEN_WRITE && mode != ZC_OPEN_CREATE)
        return zc_error_set(err, ZC_EINVAL, "mode", "unknown open mode %d", mode);
    if (analyzer != NULL) {
        zc_seg_mode m;
        if (zc_analyzer_mode_parse(analyzer, strlen(analyzer), &m) != 0)
            return zc_error_set(err, ZC_EINVAL, "analyzer",
                                "unknown analyzer \"%.32s\" (use ngram, words or hybrid)",
                                analyzer);
    }
    zc_status st = base_init(err);
    if (st != ZC_OK)
        return st;

    zc_index *idx = calloc(1, sizeof *idx);
    if (idx == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    idx->writable = mode != ZC_OPEN_READ;
    idx->path = strdup(path);
    if (idx->path == NULL) {
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    zc_error e2;
    zc_error_clear(&e2);
    st = zc_xap_db_open(path, mode, &idx->db, &e2);
    if (st == ZC_ENOTFOUND) {
        st = zc_error_set(err, ZC_ENOTFOUND, "index", "no index at %s", path);
        goto fail;
    }
    if (st == ZC_ELOCKED) {
        st = zc_error_set(err, ZC_ELOCKED, "index", "index %s is locked by another writer",
                          path);
        goto fail;
    }
    if (st != ZC_OK) {
        st = zc_error_set(err, st, "index", "cannot open index %s: %s", path, e2.message);
        goto fail;
    }
    if ((st = check_format(idx, analyzer, err)) != ZC_OK)
        goto fail;
    *out = idx;
    return ZC_OK;
fail:
    zc_index_close(idx);
    return st;
}

zc_status zc_index_get_analyzer(zc_index *idx, zc_analyzer **out, zc_error *err)
{
    *out = NULL;
    if (idx->an == NULL) {
        zc_status st = zc_analyzer_new(idx->mode, &idx->an, err);
        if (st != ZC_OK)
            return st;
    }
    *out = idx->an;
    return ZC_OK;
}

zc_status zc_index_get_snippet_analyzer(zc_index *idx, zc_analyzer **out, zc_error *err)
{
    *out = NULL;
    if (idx->mode == ZC_SEG_NGRAM)
        return ZC_OK;
    if (idx->snip_an == NULL) {
        zc_status st = zc_analyzer_new(idx->mode, &idx->snip_an, err);
        if (st != ZC_OK)
            return st;
    }
    *out = idx->snip_an;
    return ZC_OK;
}

ZC_API zc_status zc_index_open(const char *path, int mode, zc_index **out, zc_error *err)
{
    return index_open(path, mode, NULL, out, err);
}

ZC_API zc_status zc_index_create(const char *path, const char *analyzer, zc_index **out,
                                 zc_error *err)
{
    return index_open(path, ZC_OPEN_CREATE, analyzer, out, err);
}

ZC_API const char *zc_index_analyzer(const zc_index *idx)
{
    return idx ? zc_analyzer_mode_name(idx->mode) : NULL;
}

ZC_API void zc_index_close(zc_index *idx)
{
    if (idx == NULL)
        return;
    zc_xap_db_close(idx->db);
    zc_analyzer_free(idx->an);
    zc_analyzer_free(idx->snip_an);
    free(idx->path);
    free(idx);
}

ZC_API zc_status zc_index_reopen(zc_index *idx, int *changed, zc_error *err)
{
    if (changed)
        *changed = 0;
    if (idx == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    /* A writer always sees its own latest state: nothing to move to. */
    if (idx->writable)
        return ZC_OK;
    return zc_xap_db_reopen(idx->db, changed, err);
}

ZC_API zc_status zc_index_doc_count(zc_index *idx, uint64_t *out, zc_error *err)
{
    if (out)
        *out = 0;
    if (idx == NULL || out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    return zc_xap_db_doc_count(idx->db, out, err);
}

ZC_API zc_status zc_index_revision(zc_index *idx, uint64_t *out, zc_error *err)
{
    if (out)
        *out = 0;
    if (idx == NULL || out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    return zc_xap_db_revision(idx->db, out, err);
}

static zc_status need_writer(zc_index *idx, zc_error *err)
{
    if (idx == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    if (!idx->writable)
        return zc_error_set(err, ZC_EREADONLY, NULL, "the index is open read-only");
    return ZC_OK;
}

/* ---- prepared documents ----------------------------------------------- */

struct zc_preparer {
    zc_analyzer *an;      /* owned: one per preparer, so one per thread */
    zc_seg_mode mode;
};

struct zc_prepared {
    zc_xap_doc *xd;       /* owned */
    spell_set spell;      /* the words for the spelling table ("en" only) */
    zc_seg_mode mode;     /* the analyzer that made the terms */
    char *id;             /* owned, NUL-terminated */
    size_t id_len;
    size_t idterm_len;
    char idterm[ZC_TERM_MAX_BYTES + 1];
};

ZC_API zc_status zc_preparer_new(zc_index *idx, zc_preparer **out, zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_preparer_new: out is NULL");
    *out = NULL;
    if (idx == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    zc_preparer *p = calloc(1, sizeof *p);
    if (p == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    p->mode = idx->mode;
    zc_status st = zc_analyzer_new(p->mode, &p->an, err);
    if (st != ZC_OK) {
        free(p);
        return st;
    }
    *out = p;
    return ZC_OK;
}

ZC_API void zc_preparer_free(zc_preparer *p)
{
    if (p == NULL)
        return;
    zc_analyzer_free(p->an);
    free(p);
}

ZC_API void zc_prepared_free(zc_prepared *pd)
{
    if (pd == NULL)
        return;
    zc_xap_doc_free(pd->xd);
    spell_free(&pd->spell);
    free(pd->id);
    free(pd);
}

ZC_API const char *zc_prepared_id(const zc_prepared *pd, size_t *len)
{
    if (len != NULL)
        *len = pd ? pd->id_len : 0;
    return pd ? pd->id : NULL;
}

/* Parse, validate, analyze: everything of an add but the write. */
static zc_status prepare(zc_analyzer *an, zc_seg_mode mode, const char *json, size_t len,
                         zc_prepared **out, zc_error *err)
{
    *out = NULL;
    zc_doc *d = NULL;
    zc_status st = zc_doc_parse(json, len, &d, err);
    if (st != ZC_OK)
        return st;
    zc_prepared *pd = calloc(1, sizeof *pd);
    if (pd == NULL || (pd->id = malloc(d->id.len + 1)) == NULL) {
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        goto done;
    }
    memcpy(pd->id, d->id.ptr, d->id.len);
    pd->id[d->id.len] = '\0';
    pd->id_len = d->id.len;
    pd->mode = mode;
    pd->idterm_len = zc_index_id_term(d->id.ptr, d->id.len, pd->idterm);
    st = build_doc(an, d, pd->idterm, pd->idterm_len, &pd->spell, &pd->xd, err);
done:
    zc_doc_free(d);
    if (st != ZC_OK) {
        zc_prepared_free(pd);
        return st;
    }
    *out = pd;
    return ZC_OK;
}

ZC_API zc_status zc_prepare_json(zc_preparer *p, const char *json, size_t len,
                                 zc_prepared **out, zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_prepare_json: out is NULL");
    *out = NULL;
    if (p == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no preparer");
    return prepare(p->an, p->mode, json, len, out, err);
}

/* The document an index written before SHA-256 id terms holds for a hashed
 * id, through its legacy term, when that document's stored id is this id
 * (FNV-1a-64 terms could be shared by two ids).  *term gets the legacy term
 * (its length in *tl); *docid 0 when there is none. */
static zc_status find_legacy_id(zc_index *idx, const char *id, size_t len, char *term,
                                size_t *tl, uint32_t *docid, zc_error *err)
{
    *docid = 0;
    *tl = legacy_id_term(id, len, term);
    if (*tl == 0)
        return ZC_OK;
    uint32_t d = 0;
    zc_status st = zc_xap_db_find_term(idx->db, term, *tl, &d, err);
    if (st != ZC_OK || d == 0)
        return st;
    char *data = NULL, *json = NULL;
    size_t dl = 0, jl = 0;
    st = zc_xap_db_doc_data(idx->db, d, &data, &dl, err);
    if (st == ZC_ENOTFOUND)
        return ZC_OK;
    if (st == ZC_OK)
        st = zc_docstore_unpack(data, dl, &json, &jl, err);
    free(data);
    if (st != ZC_OK)
        return st;
    json_t *root = json_loadb(json, jl, 0, NULL);
    json_t *jid = root ? json_object_get(root, "id") : NULL;
    if (json_is_string(jid) && json_string_length(jid) == len &&
        memcmp(json_string_value(jid), id, len) == 0)
        *docid = d;
    json_decref(root);
    free(json);
    return ZC_OK;
}

static zc_status write_prepared(zc_index *idx, zc_prepared *pd, zc_error *err)
{
    if (pd->mode != idx->mode)
        return zc_error_set(err, ZC_EINVAL, NULL,
                            "document prepared with analyzer %s for an index of %s",
                            zc_analyzer_mode_name(pd->mode),
                            zc_analyzer_mode_name(idx->mode));
    /* (add_document on a fresh index, skipping the id look-up, measured no
     * faster: 4.56 s against 4.55 s of CPU on 6 MB; docs/benchmarks.md.) */
    /* A long id indexed under the older hashed term: drop that copy, so
     * the document is replaced, not doubled. */
    char legacy[ZC_TERM_MAX_BYTES + 1];
    size_t ll = 0;
    uint32_t old_doc = 0;
    zc_status st = find_legacy_id(idx, pd->id, pd->id_len, legacy, &ll, &old_doc, err);
    if (st == ZC_OK && old_doc != 0)
        st = zc_xap_db_delete_by_term(idx->db, legacy, ll, err);
    if (st == ZC_OK)
        st = zc_xap_db_replace_by_term(idx->db, pd->idterm, pd->idterm_len, pd->xd, err);
    if (st != ZC_OK)
        return st;
    /* Spelling frequencies only grow: a replaced or deleted document's
     * words stay counted (as with Xapian's own TermGenerator). */
    return spell_flush(idx, &pd->spell, err);
}

ZC_API zc_status zc_index_add_prepared(zc_index *idx, zc_prepared *pd, zc_error *err)
{
    zc_status st = need_writer(idx, err);
    if (st == ZC_OK && pd == NULL)
        st = zc_error_set(err, ZC_EINVAL, NULL, "no prepared document");
    if (st == ZC_OK)
        st = write_prepared(idx, pd, err);
    zc_prepared_free(pd);
    return st;
}

ZC_API zc_status zc_index_add_json(zc_index *idx, const char *json, size_t len,
                                   char **id_out, zc_error *err)
{
    if (id_out)
        *id_out = NULL;
    zc_status st = need_writer(idx, err);
    if (st != ZC_OK)
        return st;
    zc_analyzer *an = NULL;
    zc_prepared *pd = NULL;
    if ((st = zc_index_get_analyzer(idx, &an, err)) != ZC_OK)
        return st;
    if ((st = prepare(an, idx->mode, json, len, &pd, err)) != ZC_OK)
        return st;
    if ((st = write_prepared(idx, pd, err)) == ZC_OK && id_out != NULL) {
        *id_out = pd->id;
        pd->id = NULL;
    }
    zc_prepared_free(pd);
    return st;
}

ZC_API zc_status zc_index_delete(zc_index *idx, const char *id, size_t id_len,
                                 int *existed, zc_error *err)
{
    if (existed)
        *existed = 0;
    zc_status st = need_writer(idx, err);
    if (st != ZC_OK)
        return st;
    if ((st = zc_doc_check_id(id, id_len, err)) != ZC_OK)
        return st;
    char idterm[ZC_TERM_MAX_BYTES + 1];
    size_t tl = zc_index_id_term(id, id_len, idterm);
    uint64_t freq = 0;
    /* A writable Xapian database counts its pending changes in term
     * frequencies, so this sees uncommitted ADDs and DELs. */
    if ((st = zc_xap_db_term_freq(idx->db, idterm, tl, &freq, err)) != ZC_OK)
        return st;
    if (freq == 0) {
        uint32_t old_doc = 0;
        if ((st = find_legacy_id(idx, id, id_len, idterm, &tl, &old_doc, err)) != ZC_OK ||
            old_doc == 0)
            return st;
    }
    if ((st = zc_xap_db_delete_by_term(idx->db, idterm, tl, err)) != ZC_OK)
        return st;
    if (existed)
        *existed = 1;
    return ZC_OK;
}

ZC_API zc_status zc_index_commit(zc_index *idx, zc_error *err)
{
    zc_status st = need_writer(idx, err);
    if (st != ZC_OK)
        return st;
    return zc_xap_db_commit(idx->db, err);
}

ZC_API zc_status zc_index_get(zc_index *idx, const char *id, size_t id_len,
                              char **json_out, size_t *len_out, zc_error *err)
{
    if (json_out)
        *json_out = NULL;
    if (len_out)
        *len_out = 0;
    if (idx == NULL || json_out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    zc_status st = zc_doc_check_id(id, id_len, err);
    if (st != ZC_OK)
        return st;
    char idterm[ZC_TERM_MAX_BYTES + 1];
    size_t tl = zc_index_id_term(id, id_len, idterm);
    uint32_t docid = 0;
    st = zc_xap_db_find_term(idx->db, idterm, tl, &docid, err);
    if (st == ZC_OK && docid == 0)
        st = find_legacy_id(idx, id, id_len, idterm, &tl, &docid, err);
    if (st != ZC_OK)
        return st;
    if (docid == 0) {
        int n = id_len > 200 ? 200 : (int)id_len;
        return zc_error_set(err, ZC_ENOTFOUND, "id", "no document with id %.*s", n, id);
    }
    char *data = NULL;
    size_t dl = 0;
    st = zc_xap_db_doc_data(idx->db, docid, &data, &dl, err);
    if (st == ZC_ENOTFOUND) {
        /* Deleted between the lookup and the read (a concurrent writer). */
        int n = id_len > 200 ? 200 : (int)id_len;
        return zc_error_set(err, ZC_ENOTFOUND, "id", "no document with id %.*s", n, id);
    }
    if (st != ZC_OK)
        return st;
    char *json = NULL;
    size_t jl = 0;
    st = zc_docstore_unpack(data, dl, &json, &jl, err);
    free(data);
    if (st != ZC_OK)
        return st;
    *json_out = json;
    if (len_out)
        *len_out = jl;
    return ZC_OK;
}
