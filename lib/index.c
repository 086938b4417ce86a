/* index.c — the zc_index handle: open/close, writes (prepared documents,
 * add, delete, commit) and get.
 *
 * Owns: the handle, the format check on open, the look-up of a document by
 * its id (the unique id term, and the older hashed term of indexes written
 * before SHA-256), and the process-wide initialization (zc_global_init).
 * Must never: parse documents itself (docmodel.c does), map one onto terms
 * (docbuild.c does), tokenize (analyzer.c does), or touch Xapian except
 * through wrappers/xapian.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/analyzer.h"
#include "lib/docbuild.h"
#include "lib/docmodel.h"
#include "lib/docstore.h"
#include "base/error.h"
#include "lib/index_internal.h"
#include "lib/limits.h"
#include "lib/schema.h"
#include "lib/spell.h"
#include "lib/term.h"
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

/* ---- the unique id term ------------------------------------------------ */

size_t zc_index_id_term(const char *id, size_t len, char *buf)
{
    return zc_term_id(ZC_PFX_ID, id, len, buf);
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
    if ((st = zc_lexicon_load(&idx->lex, idx->db, NULL, err)) != ZC_OK)
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
        if (st == ZC_OK)
            st = zc_analyzer_set_user_words(idx->an, idx->lex.user, err);
        if (st != ZC_OK) {
            zc_analyzer_free(idx->an);
            idx->an = NULL;
            return st;
        }
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
        if (st == ZC_OK)
            st = zc_analyzer_set_user_words(idx->snip_an, idx->lex.user, err);
        if (st != ZC_OK) {
            zc_analyzer_free(idx->snip_an);
            idx->snip_an = NULL;
            return st;
        }
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
    zc_lexicon_clear(&idx->lex);
    free(idx->path);
    free(idx);
}

static zc_status need_writer(zc_index *idx, zc_error *err);

/* The handle's analyzers get the lexicon's user words again. */
static zc_status give_user_words(zc_index *idx, zc_error *err)
{
    zc_status st = ZC_OK;
    if (idx->an != NULL)
        st = zc_analyzer_set_user_words(idx->an, idx->lex.user, err);
    if (st == ZC_OK && idx->snip_an != NULL)
        st = zc_analyzer_set_user_words(idx->snip_an, idx->lex.user, err);
    return st;
}

zc_status zc_index_synonyms(zc_index *idx, const zc_syn_table **lists, size_t *n,
                            zc_error *err)
{
    return zc_lexicon_lists(&idx->lex, lists, n, err);
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
    int moved = 0, user_changed = 0;
    zc_status st = zc_xap_db_reopen(idx->db, &moved, err);
    if (changed)
        *changed = moved;
    /* A new revision may carry new lists (the stored text is compared, so
     * only a changed list is parsed again). */
    if (st == ZC_OK && moved)
        st = zc_lexicon_load(&idx->lex, idx->db, &user_changed, err);
    if (st == ZC_OK && user_changed)
        st = give_user_words(idx, err);
    return st;
}

ZC_API zc_status zc_index_set_synonyms(zc_index *idx, const char *text, size_t len,
                                       zc_error *err)
{
    zc_status st = need_writer(idx, err);
    if (st != ZC_OK)
        return st;
    return zc_lexicon_set_synonyms(&idx->lex, idx->db, text, len, err);
}

ZC_API zc_status zc_index_set_user_dict(zc_index *idx, const char *text, size_t len,
                                        zc_error *err)
{
    zc_status st = need_writer(idx, err);
    if (st != ZC_OK)
        return st;
    int user_changed = 0;
    st = zc_lexicon_set_user_dict(&idx->lex, idx->db, text, len, &user_changed, err);
    if (st == ZC_OK && user_changed)
        st = give_user_words(idx, err);
    return st;
}

ZC_API zc_status zc_index_lexicon(zc_index *idx, size_t *syn_groups, size_t *builtin_groups,
                                  size_t *user_words, zc_error *err)
{
    if (syn_groups)
        *syn_groups = 0;
    if (builtin_groups)
        *builtin_groups = 0;
    if (user_words)
        *user_words = 0;
    if (idx == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "no index handle");
    const zc_syn_table *lists[2];
    size_t n = 0;
    zc_status st = zc_lexicon_lists(&idx->lex, lists, &n, err);
    if (st != ZC_OK)
        return st;
    if (syn_groups)
        *syn_groups = zc_syn_groups(idx->lex.syn);
    if (builtin_groups && n > 0 && lists[n - 1] != idx->lex.syn)
        *builtin_groups = zc_syn_groups(lists[n - 1]);
    if (user_words)
        *user_words = idx->lex.user_words;
    return ZC_OK;
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
    zc_spell_set spell;   /* the words for the spelling table ("en" only) */
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
    /* a reference of its own: the preparer does not use idx afterwards */
    if (st == ZC_OK)
        st = zc_analyzer_set_user_words(p->an, idx->lex.user, err);
    if (st != ZC_OK) {
        zc_analyzer_free(p->an);
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
    zc_spell_clear(&pd->spell);
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
    st = zc_docbuild_make(an, d, pd->idterm, pd->idterm_len, &pd->spell, &pd->xd, err);
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
    *tl = zc_term_legacy_id(id, len, term);
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
    return zc_spell_flush(&pd->spell, idx->db, err);
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
    if (st == ZC_OK && docid == 0 && !idx->writable) {
        /* A miss is answered from the newest revision: look once more
         * after a reopen.  Under ASan, with another process committing a
         * document a time, a GET of a document present all along once
         * came back not_found (test_searches_during_frequent_commits_never_fail);
         * the cause in the read of a revision being superseded is not
         * found yet, and a miss is rare enough to pay for a reopen. */
        int moved = 0;
        st = zc_index_reopen(idx, &moved, err);
        if (st == ZC_OK && moved) {
            tl = zc_index_id_term(id, id_len, idterm);
            st = zc_xap_db_find_term(idx->db, idterm, tl, &docid, err);
            if (st == ZC_OK && docid == 0)
                st = find_legacy_id(idx, id, id_len, idterm, &tl, &docid, err);
        }
    }
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
