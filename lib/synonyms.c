/* synonyms.c — synonym lists (synonyms.h): the parser, the table and the
 * built-in list.
 *
 * Owns: the table's memory (an arena of texts and forms, the keys and
 * their alternatives, an open-addressing index over the keys' forms).
 * Must never: change a table after zc_syn_parse returned it, or read past
 * the text it was given.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "lib/listfile.h"
#include "lib/qlex.h"
#include "lib/synonyms.h"

/* The built-in list: data/synonyms.txt as a C string, generated at build
 * time (Makefile: $(BUILD)/gen/synonyms_builtin.c). */
extern const char zc_syn_builtin_data[];
extern const size_t zc_syn_builtin_size;

/* An alternative while parsing: offsets into the arena (it moves). */
typedef struct alt_rec {
    size_t text_off, text_len, form_off, form_len;
    int phrase;
} alt_rec;

typedef struct key_rec {
    size_t form_off, form_len; /* the key's form, in the arena */
    uint32_t *alts;            /* owned: indexes into t->recs */
    size_t n_alts, cap_alts;
    uint32_t canon;  /* index into t->recs */
    zc_syn_alt *out; /* owned: the alternatives, made at the end */
} key_rec;

struct zc_syn_table {
    char *arena;
    size_t arena_len, arena_cap;
    alt_rec *recs;
    size_t n_recs, cap_recs;
    zc_syn_alt *canon_out; /* owned: recs as zc_syn_alt, made at the end */
    key_rec *keys;
    size_t n_keys, cap_keys;
    uint32_t *slots; /* owned: key index + 1, 0 empty */
    size_t n_slots;  /* a power of two, at least twice n_keys */
    size_t groups, max_words;
    int no_default;
};

/* ---- match forms ------------------------------------------------------- */

typedef struct form_ctx {
    zc_strbuf *out;
    size_t tokens;
} form_ctx;

static int form_token(void *vctx, const zc_token *t)
{
    form_ctx *f = vctx;
    /* Words and single characters: what every mode makes for every word
     * and every CJK character (as zc_analyzer_text_key). */
    if (t->kind != ZC_TOK_WORD && t->kind != ZC_TOK_CJK_UNIGRAM)
        return 0;
    zc_strbuf_put(f->out, t->term, t->len);
    zc_strbuf_put(f->out, "\x1f", 1);
    f->tokens++;
    return 0;
}

static zc_status form_count(zc_analyzer *a, const char *text, size_t len, zc_strbuf *out,
                            size_t *tokens, zc_error *err)
{
    form_ctx f = {out, 0};
    uint32_t pos = 0;
    zc_status st = zc_analyze_ex(a, text, len, &pos, ZC_ANALYZE_NO_WORDS, form_token, &f, err);
    if (st == ZC_OK && out->oom)
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (tokens != NULL)
        *tokens = f.tokens;
    return st;
}

zc_status zc_syn_form(zc_analyzer *a, const char *text, size_t len, zc_strbuf *out, zc_error *err)
{
    return form_count(a, text, len, out, NULL, err);
}

/* ---- the table ----------------------------------------------------------- */

void zc_syn_table_free(zc_syn_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_keys; i++) {
        free(t->keys[i].alts);
        free(t->keys[i].out);
    }
    free(t->keys);
    free(t->recs);
    free(t->canon_out);
    free(t->slots);
    free(t->arena);
    free(t);
}

size_t zc_syn_groups(const zc_syn_table *t)
{
    return t ? t->groups : 0;
}

int zc_syn_no_default(const zc_syn_table *t)
{
    return t != NULL && t->no_default;
}

size_t zc_syn_max_words(const zc_syn_table *t)
{
    return t ? t->max_words : 0;
}

/* Appends s[0, n) and a NUL to the arena; its offset, or SIZE_MAX. */
static size_t arena_put(zc_syn_table *t, const char *s, size_t n)
{
    if (zc_grow(&t->arena, &t->arena_cap, t->arena_len + n + 1, 1, 4096) != 0)
        return SIZE_MAX;
    size_t off = t->arena_len;
    memcpy(t->arena + off, s, n);
    t->arena[off + n] = '\0';
    t->arena_len += n + 1;
    return off;
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 31);
}

/* The slot of the key of form s[0, n): where it is, or the empty slot it
 * would take. */
static size_t slot_of(const zc_syn_table *t, const char *arena, const char *s, size_t n)
{
    size_t mask = t->n_slots - 1;
    for (size_t i = (size_t)hash(s, n) & mask;; i = (i + 1) & mask) {
        uint32_t k = t->slots[i];
        if (k == 0)
            return i;
        const key_rec *kr = &t->keys[k - 1];
        if (kr->form_len == n && memcmp(arena + kr->form_off, s, n) == 0)
            return i;
    }
}

/* Doubles the index (or makes it) so it stays at most half full. */
static int rehash(zc_syn_table *t)
{
    if (t->n_slots != 0 && (t->n_keys + 1) * 2 <= t->n_slots)
        return 0;
    size_t ns = t->n_slots ? t->n_slots * 2 : 256;
    uint32_t *old = t->slots;
    size_t old_n = t->n_slots;
    t->slots = calloc(ns, sizeof *t->slots);
    if (t->slots == NULL) {
        t->slots = old;
        return -1;
    }
    t->n_slots = ns;
    for (size_t i = 0; i < old_n; i++)
        if (old[i] != 0) {
            const key_rec *kr = &t->keys[old[i] - 1];
            t->slots[slot_of(t, t->arena, t->arena + kr->form_off, kr->form_len)] = old[i];
        }
    free(old);
    return 0;
}

/* ---- parsing --------------------------------------------------------------- */

typedef struct pctx {
    zc_syn_table *t;
    zc_analyzer *an;
    const char *name;
    size_t line;
    zc_error *err;
    zc_status st;
    zc_strbuf form; /* scratch */
} pctx;

static zc_status fail(pctx *c, const char *what)
{
    if (c->st == ZC_OK)
        c->st =
            zc_error_set(c->err, ZC_EINVAL, "synonyms", "%s line %zu: %s", c->name, c->line, what);
    return c->st;
}

static zc_status oom(pctx *c)
{
    if (c->st == ZC_OK)
        c->st = zc_error_set(c->err, ZC_ENOMEM, NULL, "out of memory");
    return c->st;
}

static int is_space(const char *s, size_t n, size_t i, size_t *k)
{
    return (*k = zc_qlex_space(s, n, i)) > 0;
}

/* The alternative s[0, n) (trimmed, non-empty): its words joined by one
 * space and its form, into a new record; *rec its index. */
static zc_status add_alt(pctx *c, const char *s, size_t n, uint32_t *rec, size_t *words)
{
    char buf[ZC_SYN_MAX_LINE];
    size_t bl = 0, k;
    *words = 0;
    for (size_t i = 0; i < n;) {
        if (is_space(s, n, i, &k)) {
            i += k;
            continue;
        }
        if (bl > 0)
            buf[bl++] = ' ';
        (*words)++;
        while (i < n && !is_space(s, n, i, &k))
            buf[bl++] = s[i++];
    }
    if (*words > ZC_SYN_MAX_WORDS)
        return fail(c, "an alternative has more than 8 words");
    c->form.len = 0;
    size_t tokens = 0;
    zc_status st = form_count(c->an, buf, bl, &c->form, &tokens, c->err);
    if (st != ZC_OK)
        return c->st = st;
    if (tokens == 0)
        return fail(c, "an alternative has no word or character");
    if (c->form.len > ZC_SYN_MAX_FORM)
        return fail(c, "an alternative is too long");
    zc_syn_table *t = c->t;
    if (zc_grow(&t->recs, &t->cap_recs, t->n_recs + 1, sizeof *t->recs, 64) != 0)
        return oom(c);
    alt_rec *r = &t->recs[t->n_recs];
    r->text_off = arena_put(t, buf, bl);
    r->form_off = r->text_off == SIZE_MAX ? SIZE_MAX : arena_put(t, c->form.p, c->form.len);
    if (r->form_off == SIZE_MAX)
        return oom(c);
    r->text_len = bl;
    r->form_len = c->form.len;
    r->phrase = tokens > 1;
    *rec = (uint32_t)t->n_recs++;
    return ZC_OK;
}

static int same_form(const zc_syn_table *t, uint32_t a, uint32_t b)
{
    const alt_rec *x = &t->recs[a], *y = &t->recs[b];
    return x->form_len == y->form_len &&
           memcmp(t->arena + x->form_off, t->arena + y->form_off, x->form_len) == 0;
}

/* Gives the key of record `key` the alternative `alt` (canonical form
 * `canon` when the key is new). */
static zc_status link_alt(pctx *c, uint32_t key, uint32_t alt, uint32_t canon)
{
    zc_syn_table *t = c->t;
    if (same_form(t, key, alt))
        return ZC_OK;
    if (rehash(t) != 0)
        return oom(c);
    const alt_rec *kr = &t->recs[key];
    size_t i = slot_of(t, t->arena, t->arena + kr->form_off, kr->form_len);
    if (t->slots[i] == 0) {
        if (zc_grow(&t->keys, &t->cap_keys, t->n_keys + 1, sizeof *t->keys, 64) != 0)
            return oom(c);
        key_rec *k = &t->keys[t->n_keys];
        memset(k, 0, sizeof *k);
        k->form_off = kr->form_off;
        k->form_len = kr->form_len;
        k->canon = canon;
        t->slots[i] = (uint32_t)++t->n_keys;
    }
    key_rec *k = &t->keys[t->slots[i] - 1];
    for (size_t j = 0; j < k->n_alts; j++)
        if (same_form(t, k->alts[j], alt))
            return ZC_OK;
    if (k->n_alts >= ZC_SYN_MAX_ALTS)
        return fail(c, "a key has more than 32 alternatives (with the groups before)");
    if (zc_grow(&k->alts, &k->cap_alts, k->n_alts + 1, sizeof *k->alts, 4) != 0)
        return oom(c);
    k->alts[k->n_alts++] = alt;
    return ZC_OK;
}

/* Splits s[0, n) at '|' into new records; *n_out of them into recs. */
static zc_status split_alts(pctx *c, const char *s, size_t n, uint32_t *recs, size_t *n_out,
                            size_t *max_words)
{
    *n_out = 0;
    size_t i = 0;
    while (i <= n && c->st == ZC_OK) {
        const char *bar = memchr(s + i, '|', n - i);
        size_t e = bar ? (size_t)(bar - s) : n, k;
        size_t a = i, b = e;
        while (a < b && is_space(s, n, a, &k))
            a += k;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        /* U+3000 and NBSP at the end: trimmed by add_alt's word split */
        if (a == b)
            return fail(c, "an empty alternative");
        if (*n_out == ZC_SYN_MAX_ALTS)
            return fail(c, "a group has more than 32 alternatives");
        size_t words = 0;
        if (add_alt(c, s + a, b - a, &recs[*n_out], &words) != ZC_OK)
            return c->st;
        (*n_out)++;
        if (words > *max_words)
            *max_words = words;
        i = e + 1;
    }
    return c->st;
}

/* One line, its comment cut off and trimmed, not empty. */
static zc_status parse_line(pctx *c, const char *s, size_t n)
{
    static const char nodef[] = "!no-default";
    if (n == sizeof nodef - 1 && memcmp(s, nodef, n) == 0) {
        c->t->no_default = 1;
        return ZC_OK;
    }
    uint32_t left[ZC_SYN_MAX_ALTS], right[ZC_SYN_MAX_ALTS];
    size_t nl = 0, nr = 0, lw = 0, rw = 0;
    const char *arrow = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '=' && s[i + 1] == '>') {
            if (arrow != NULL)
                return fail(c, "more than one \"=>\"");
            arrow = s + i;
        }
    if (arrow == NULL) {
        if (split_alts(c, s, n, left, &nl, &lw) != ZC_OK)
            return c->st;
        if (nl < 2)
            return fail(c, "a group needs two alternatives or more (\"a | b\")");
        for (size_t i = 0; i < nl && c->st == ZC_OK; i++)
            for (size_t j = 0; j < nl && c->st == ZC_OK; j++)
                if (i != j)
                    link_alt(c, left[i], left[j], left[0]);
    } else {
        size_t al = (size_t)(arrow - s);
        if (al == 0 || al + 2 == n)
            return fail(c, "\"=>\" needs alternatives on both sides");
        if (split_alts(c, s, al, left, &nl, &lw) != ZC_OK ||
            split_alts(c, arrow + 2, n - al - 2, right, &nr, &rw) != ZC_OK)
            return c->st;
        for (size_t i = 0; i < nl && c->st == ZC_OK; i++)
            for (size_t j = 0; j < nr && c->st == ZC_OK; j++)
                link_alt(c, left[i], right[j], right[0]);
    }
    if (c->st == ZC_OK) {
        c->t->groups++;
        if (lw > c->t->max_words)
            c->t->max_words = lw;
        if (arrow == NULL && rw > c->t->max_words)
            c->t->max_words = rw;
    }
    return c->st;
}

/* The public views (zc_syn_alt) once the arena stops moving. */
static zc_status finish(zc_syn_table *t, zc_error *err)
{
    t->canon_out = malloc((t->n_recs ? t->n_recs : 1) * sizeof *t->canon_out);
    if (t->canon_out == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < t->n_recs; i++) {
        const alt_rec *r = &t->recs[i];
        t->canon_out[i] = (zc_syn_alt){t->arena + r->text_off, r->text_len, t->arena + r->form_off,
                                       r->form_len, r->phrase};
    }
    for (size_t i = 0; i < t->n_keys; i++) {
        key_rec *k = &t->keys[i];
        k->out = malloc((k->n_alts ? k->n_alts : 1) * sizeof *k->out);
        if (k->out == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        for (size_t j = 0; j < k->n_alts; j++)
            k->out[j] = t->canon_out[k->alts[j]];
    }
    return ZC_OK;
}

zc_status zc_syn_parse(const char *text, size_t len, const char *name, zc_syn_table **out,
                       zc_error *err)
{
    *out = NULL;
    if (name == NULL)
        name = "synonyms";
    if (text == NULL)
        len = 0;
    zc_status cst = zc_listfile_check(text, len, ZC_SYN_MAX_BYTES, name, "synonyms", err);
    if (cst != ZC_OK)
        return cst;
    zc_syn_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    pctx c = {.t = t, .name = name, .err = err};
    c.st = zc_analyzer_new(ZC_SEG_NGRAM, &c.an, err);
    for (size_t p = 0; p < len && c.st == ZC_OK;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) : len;
        c.line++;
        if (e - p > ZC_SYN_MAX_LINE) {
            fail(&c, "longer than 4096 bytes");
            break;
        }
        size_t n = zc_listfile_content_len(text + p, e - p), a = 0, k;
        const char *s = text + p;
        while (a < n && is_space(s, n, a, &k))
            a += k;
        while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n > a)
            parse_line(&c, s + a, n - a);
        p = e + 1;
    }
    if (c.st == ZC_OK)
        c.st = finish(t, err);
    zc_analyzer_free(c.an);
    free(c.form.p);
    if (c.st != ZC_OK) {
        zc_syn_table_free(t);
        return c.st;
    }
    *out = t;
    return ZC_OK;
}

int zc_syn_lookup(const zc_syn_table *t, const char *form, size_t len, const zc_syn_alt **alts,
                  size_t *n, const zc_syn_alt **canon)
{
    *alts = NULL;
    *n = 0;
    if (canon != NULL)
        *canon = NULL;
    if (t == NULL || t->n_keys == 0 || len == 0)
        return 0;
    uint32_t k = t->slots[slot_of(t, t->arena, form, len)];
    if (k == 0)
        return 0;
    const key_rec *kr = &t->keys[k - 1];
    *alts = kr->out;
    *n = kr->n_alts;
    if (canon != NULL)
        *canon = &t->canon_out[kr->canon];
    return 1;
}

/* ---- the built-in list -------------------------------------------------------- */

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static zc_syn_table *builtin;
static zc_status builtin_status;
static zc_error builtin_error;

static void builtin_load(void)
{
    builtin_status = zc_syn_parse(zc_syn_builtin_data, zc_syn_builtin_size, "the built-in synonyms",
                                  &builtin, &builtin_error);
}

zc_status zc_syn_builtin(const zc_syn_table **out, zc_error *err)
{
    *out = NULL;
    if (pthread_once(&builtin_once, builtin_load) != 0)
        return zc_error_set(err, ZC_EINTERNAL, NULL, "pthread_once failed");
    if (builtin_status != ZC_OK) {
        if (err != NULL)
            *err = builtin_error;
        return builtin_status;
    }
    *out = builtin;
    return ZC_OK;
}

const char *zc_syn_builtin_text(size_t *len)
{
    if (len != NULL)
        *len = zc_syn_builtin_size;
    return zc_syn_builtin_data;
}
