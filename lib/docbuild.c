/* docbuild.c — one document onto Xapian terms, values and data (docbuild.h).
 *
 * Every term we build goes through zc_term_put (term.h), which cuts it to
 * ZC_TERM_MAX_BYTES on a UTF-8 boundary: terms are cut, never dropped.
 */
#include "lib/docbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/docgroup.h"
#include "lib/docstore.h"
#include "lib/limits.h"
#include "lib/multifacet.h"
#include "lib/norm.h"
#include "lib/sample.h"
#include "lib/schema.h"
#include "lib/term.h"
#include "lib/unit.h"
#include "base/grow.h"

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
    uint64_t h = zc_term_fnv1a64(term, len);
    size_t k = (size_t)h & (a->cap - 1);
    for (; a->slots[k] != 0; k = (k + 1) & (a->cap - 1)) {
        term_ent *e = &a->e[a->slots[k] - 1];
        if (e->h == h && e->len == len && memcmp(a->arena + e->off, term, len) == 0) {
            e->wdf += wdf;
            return 0;
        }
    }
    if (zc_grow(&a->e, &a->ecap, a->n + 1, sizeof *a->e, 512) != 0 ||
        zc_grow(&a->arena, &a->acap, a->alen + len, 1, 8192) != 0)
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
    zc_spell_set *spell;  /* NULL: no spelling words from this field */
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
    size_t n = zc_term_put(term, pfx, pfx_len, t->term, t->len);
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
        size_t n = zc_term_put(term, pfx, pl, stem, slen);
        st = add_plain(c, term, n, c->pfx_wdf);
    }
    if (st == ZC_OK && c->plain_wdf > 0) {
        size_t n = zc_term_put(term, ZC_PFX_STEM, strlen(ZC_PFX_STEM), stem, slen);
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
        if (c->st == ZC_OK && c->spell != NULL)
            c->st = zc_spell_add(c->spell, t->term, t->len, c->err);
    }
    return c->st != ZC_OK;
}

static zc_status index_field(zc_analyzer *an, zc_xap_doc *doc, term_acc *acc,
                             const zc_field *f, const char *pfx, unsigned pfx_wdf,
                             unsigned plain_wdf, zc_spell_set *spell, uint32_t *pos,
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
    size_t n = zc_term_put(term, pfx, pl, text, len);
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

/* Free text: title, then body, then the document number's words, each
 * after a gap so that no phrase spans two fields.  The title and body of an
 * "en" document feed the spelling words. */
static zc_status add_text(zc_analyzer *an, zc_xap_doc *doc, term_acc *acc, const zc_doc *d,
                          zc_spell_set *spell, zc_error *err)
{
    int en = d->lang.len == 2 && memcmp(d->lang.ptr, "en", 2) == 0;
    zc_spell_set *sp = en ? spell : NULL;
    uint32_t pos = 0;
    zc_status st = index_field(an, doc, acc, &d->title, ZC_PFX_TITLE, 1,
                               ZC_TITLE_WDF_BOOST + 1, sp, &pos, err);
    if (st != ZC_OK)
        return st;
    pos += ZC_POS_FIELD_GAP;
    if ((st = index_field(an, doc, acc, &d->body, NULL, 0, 1, sp, &pos, err)) != ZC_OK)
        return st;
    pos += ZC_POS_FIELD_GAP;
    return index_field(an, doc, acc, &d->docno, NULL, 0, 1, NULL, &pos, err);
}

static zc_status put_title_key(zc_xap_doc *doc, uint64_t key, zc_error *err)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    int n = snprintf(term, sizeof term, "%s%016llx", ZC_PFX_TITLE_KEY, (unsigned long long)key);
    return zc_xap_doc_add_term(doc, term, (size_t)n, 1, err);
}

/* The whole title as one term (a weighted term: a query that is exactly
 * this title ranks the document first). */
static zc_status add_title_key(zc_analyzer *an, zc_xap_doc *doc, const zc_field *title,
                               zc_error *err)
{
    if (title->ptr == NULL || title->len == 0)
        return ZC_OK;
    uint64_t key = zc_analyzer_text_key(an, title->ptr, title->len);
    zc_status st = key != 0 ? put_title_key(doc, key, err) : ZC_OK;
    /* A title with edition markers (（2018年修正）) also gets the key of
     * the title without them: a query that is exactly the statute's name
     * then finds every edition as it finds one whose title has no marker,
     * and the editions match it about as well as each other (docgroup.h,
     * versions.h ZC_VERSIONS_TIE). */
    size_t bare = zc_docgroup_title_len(title->ptr, title->len);
    if (st != ZC_OK || bare == title->len || bare == 0)
        return st;
    uint64_t bare_key = zc_analyzer_text_key(an, title->ptr, bare);
    return bare_key != 0 && bare_key != key ? put_title_key(doc, bare_key, err) : ZC_OK;
}

/* The units of a text (unit.h) as "XU" terms in acc, with wdf 0 (see
 * add_units). */
typedef struct unit_ctx {
    term_acc *acc;
    int oom;
} unit_ctx;

static int on_unit(void *ctx, const zc_unit *u)
{
    unit_ctx *c = ctx;
    char term[sizeof ZC_PFX_UNIT + ZC_UNIT_CANON_MAX];
    size_t pl = strlen(ZC_PFX_UNIT);
    memcpy(term, ZC_PFX_UNIT, pl);
    memcpy(term + pl, u->canon, u->len);
    if (acc_add(c->acc, term, pl + u->len, 0) != 0)
        return c->oom = 1;
    return 0;
}

/* Units of the title and the body: one term per spelling-free form, so
 * that 5%, ５％ and 百分之五 find each other.  Positionless (a unit is
 * searched alone, never inside a phrase) and with wdf 0: they match but
 * weigh nothing and leave the document's length, and so every other
 * query's BM25, exactly as it was; a unit query is ranked by the words as
 * typed (qcompile.c). */
static zc_status add_units(term_acc *acc, const zc_doc *d, zc_error *err)
{
    unit_ctx c = {acc, 0};
    if (d->title.ptr != NULL)
        (void)zc_unit_scan(d->title.ptr, d->title.len, on_unit, &c);
    if (!c.oom && d->body.ptr != NULL)
        (void)zc_unit_scan(d->body.ptr, d->body.len, on_unit, &c);
    return c.oom ? zc_error_set(err, ZC_ENOMEM, NULL, "out of memory") : ZC_OK;
}

/* Canonical docno: a weighted term (not boolean) so that a docno query
 * ranks the document it names first.  A docno with nothing canonical left
 * (only punctuation) still has its words in the free text; there is no
 * docno term to make. */
static zc_status add_docno_term(zc_xap_doc *doc, const zc_field *docno, zc_error *err)
{
    if (docno->ptr == NULL || docno->len == 0)
        return ZC_OK;
    char *canon = NULL;
    zc_error e2;
    zc_error_clear(&e2);
    zc_status st = ZC_OK;
    if (zc_docno_canonical(docno->ptr, docno->len, &canon, &e2) == ZC_OK && canon != NULL &&
        canon[0] != '\0') {
        char term[ZC_TERM_MAX_BYTES + 1];
        size_t n = zc_term_put(term, ZC_PFX_DOCNO, strlen(ZC_PFX_DOCNO), canon, strlen(canon));
        st = zc_xap_doc_add_term(doc, term, n, 1, err);
    } else if (e2.code == ZC_ENOMEM) {
        st = zc_error_set(err, ZC_ENOMEM, "docno", "out of memory");
    }
    zc_free(canon);
    return st;
}

/* The language (a filter term and a value) and the date: a year filter
 * term and the sort values; an undated document sorts last ascending. */
static zc_status add_lang_date(zc_xap_doc *doc, const zc_doc *d, zc_error *err)
{
    zc_status st;
    if ((st = add_bool(doc, ZC_PFX_LANG, d->lang.ptr, d->lang.len, err)) != ZC_OK ||
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_LANG, d->lang.ptr, d->lang.len, err)) != ZC_OK)
        return st;
    if (d->date_parsed.year == 0)
        return zc_xap_doc_add_value(doc, ZC_SLOT_DATE_ASC, "~", 1, err);
    char key[9];
    zc_date_key(&d->date_parsed, 0, key);
    if ((st = add_bool(doc, ZC_PFX_YEAR, key, 4, err)) != ZC_OK ||
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_DATE, key, 8, err)) != ZC_OK ||
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_DATE_ASC, key, 8, err)) != ZC_OK)
        return st;
    return zc_xap_doc_add_value(doc, ZC_SLOT_YEAR, key, 4, err);
}

/* The issuer value (facets), the tag filter terms and the pair term. */
static zc_status add_filters(zc_xap_doc *doc, const zc_doc *d, zc_error *err)
{
    zc_status st = ZC_OK;
    if (d->issuer.ptr != NULL && d->issuer.len > 0)
        st = zc_xap_doc_add_value(doc, ZC_SLOT_ISSUER, d->issuer.ptr, d->issuer.len, err);
    for (size_t i = 0; st == ZC_OK && i < d->n_tags; i++)
        st = add_norm_bool(doc, ZC_PFX_TAG, &d->tags[i], err);
    if (st == ZC_OK && d->pair.ptr != NULL && d->pair.len > 0) {
        char term[ZC_TERM_MAX_BYTES + 1];
        size_t n = zc_term_id(ZC_PFX_PAIR, d->pair.ptr, d->pair.len, term);
        st = zc_xap_doc_add_boolean_term(doc, term, n, err);
    }
    return st;
}

/* What a search reads back: the hit fields (a value) and the whole stored
 * document (the data, packed by docstore.c). */
static zc_status add_stored(zc_xap_doc *doc, const zc_doc *d, zc_error *err)
{
    char *json = NULL, *data = NULL, *hit = NULL;
    size_t json_len = 0, data_len = 0, hit_len = 0;
    zc_status st;
    if ((st = zc_doc_hit_json(d, &hit, &hit_len, err)) == ZC_OK &&
        (st = zc_xap_doc_add_value(doc, ZC_SLOT_HIT, hit, hit_len, err)) == ZC_OK &&
        (st = zc_doc_serialize(d, &json, &json_len, err)) == ZC_OK &&
        (st = zc_docstore_pack(json, json_len, &data, &data_len, err)) == ZC_OK)
        st = zc_xap_doc_set_data(doc, data, data_len, err);
    free(json);
    free(data);
    free(hit);
    return st;
}

zc_status zc_docbuild_make(zc_analyzer *an, const zc_doc *d, const char *idterm,
                           size_t idterm_len, zc_spell_set *spell, zc_xap_doc **out,
                           zc_error *err)
{
    zc_xap_doc *doc = NULL;
    term_acc acc = {0};
    *out = NULL;
    zc_status st = zc_xap_doc_new(&doc, err);
    if (st != ZC_OK)
        return st;
    /* The order of the steps is the order the terms were always added in:
     * every positionless term goes in through acc_flush, after the free
     * text and the issuer words that sum them. */
    if ((st = zc_xap_doc_add_boolean_term(doc, idterm, idterm_len, err)) == ZC_OK &&
        (st = add_text(an, doc, &acc, d, spell, err)) == ZC_OK &&
        (st = add_title_key(an, doc, &d->title, err)) == ZC_OK &&
        (st = add_units(&acc, d, err)) == ZC_OK) {
        /* Issuer words, in their own prefix space (positions from 0). */
        uint32_t ipos = 0;
        st = index_field(an, doc, &acc, &d->issuer, ZC_PFX_ISSUER, 1, 0, NULL, &ipos, err);
    }
    if (st == ZC_OK && (st = acc_flush(&acc, doc, err)) == ZC_OK &&
        (st = add_norm_bool(doc, ZC_PFX_ISSUER_EXACT, &d->issuer, err)) == ZC_OK &&
        (st = add_docno_term(doc, &d->docno, err)) == ZC_OK &&
        (st = add_lang_date(doc, d, err)) == ZC_OK &&
        (st = add_filters(doc, d, err)) == ZC_OK &&
        (st = zc_sample_add_terms(doc, idterm, idterm_len, err)) == ZC_OK &&
        (st = zc_docgroup_add(an, d, doc, err)) == ZC_OK &&
        (st = zc_multifacet_add(doc, d, err)) == ZC_OK) /* level, bodies, lists */
        st = add_stored(doc, d, err);
    acc_free(&acc);
    if (st != ZC_OK) {
        zc_xap_doc_free(doc);
        return st;
    }
    *out = doc;
    return ZC_OK;
}
