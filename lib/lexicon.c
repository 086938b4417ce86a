/* lexicon.c — an index's own word lists, through its metadata
 * (lexicon.h).
 *
 * Owns: the stamps that tell a changed list from the one loaded.  Must
 * never: keep the metadata text once parsed.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/lexicon.h"
#include "lib/schema.h"
#include "lib/userdict.h"

/* A stamp of a stored list's text: 0 for none (empty), else never 0. */
static uint64_t stamp(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= (uint64_t)n * 0x9E3779B97F4A7C15ull;
    return h ? h : 1;
}

void zc_lexicon_clear(zc_lexicon *lx)
{
    zc_syn_table_free(lx->syn);
    zc_seg_user_free(lx->user);
    memset(lx, 0, sizeof *lx);
}

/* Parses a synonym list into lx (replacing the one it had). */
static zc_status take_synonyms(zc_lexicon *lx, const char *text, size_t len, const char *name,
                               zc_error *err)
{
    zc_syn_table *t = NULL;
    if (len > 0) {
        zc_status st = zc_syn_parse(text, len, name, &t, err);
        if (st != ZC_OK)
            return st;
    }
    zc_syn_table_free(lx->syn);
    lx->syn = t;
    lx->syn_stamp = stamp(text, len);
    return ZC_OK;
}

static zc_status take_user(zc_lexicon *lx, const char *text, size_t len, const char *name,
                           zc_error *err)
{
    zc_seg_user *u = NULL;
    size_t n = 0;
    if (len > 0) {
        zc_status st = zc_userdict_parse(text, len, name, &u, &n, err);
        if (st != ZC_OK)
            return st;
    }
    zc_seg_user_free(lx->user);
    lx->user = u;
    lx->user_words = n;
    lx->user_stamp = stamp(text, len);
    return ZC_OK;
}

zc_status zc_lexicon_load(zc_lexicon *lx, zc_xap_db *db, int *user_changed, zc_error *err)
{
    if (user_changed != NULL)
        *user_changed = 0;
    char *text = NULL;
    size_t len = 0;
    zc_status st = zc_xap_db_get_metadata(db, ZC_META_SYNONYMS, &text, &len, err);
    if (st == ZC_OK && stamp(text, len) != lx->syn_stamp) {
        zc_error e2 = {0};
        if (take_synonyms(lx, text, len, "the index's synonyms", &e2) != ZC_OK)
            st = zc_error_set(err, e2.code == ZC_ENOMEM ? ZC_ENOMEM : ZC_ECORRUPT, NULL,
                              "metadata %s: %s", ZC_META_SYNONYMS, e2.message);
    }
    free(text);
    text = NULL;
    if (st == ZC_OK)
        st = zc_xap_db_get_metadata(db, ZC_META_USERDICT, &text, &len, err);
    if (st == ZC_OK && stamp(text, len) != lx->user_stamp) {
        zc_error e2 = {0};
        if (take_user(lx, text, len, "the index's user dictionary", &e2) != ZC_OK)
            st = zc_error_set(err, e2.code == ZC_ENOMEM ? ZC_ENOMEM : ZC_ECORRUPT, NULL,
                              "metadata %s: %s", ZC_META_USERDICT, e2.message);
        else if (user_changed != NULL)
            *user_changed = 1;
    }
    free(text);
    return st;
}

zc_status zc_lexicon_lists(const zc_lexicon *lx, const zc_syn_table **lists, size_t *n,
                           zc_error *err)
{
    *n = 0;
    if (lx->syn != NULL)
        lists[(*n)++] = lx->syn;
    if (zc_syn_no_default(lx->syn))
        return ZC_OK;
    const zc_syn_table *b = NULL;
    zc_status st = zc_syn_builtin(&b, err);
    if (st == ZC_OK)
        lists[(*n)++] = b;
    return st;
}

zc_status zc_lexicon_set_synonyms(zc_lexicon *lx, zc_xap_db *db, const char *text, size_t len,
                                  zc_error *err)
{
    zc_syn_table *t = NULL;
    if (len > 0) {
        zc_status st = zc_syn_parse(text, len, "synonyms", &t, err);
        if (st != ZC_OK)
            return st;
    }
    zc_status st = zc_xap_db_set_metadata(db, ZC_META_SYNONYMS, text, len, err);
    if (st != ZC_OK) {
        zc_syn_table_free(t);
        return st;
    }
    zc_syn_table_free(lx->syn);
    lx->syn = t;
    lx->syn_stamp = stamp(text, len);
    return ZC_OK;
}

zc_status zc_lexicon_set_user_dict(zc_lexicon *lx, zc_xap_db *db, const char *text, size_t len,
                                   int *user_changed, zc_error *err)
{
    if (user_changed != NULL)
        *user_changed = 0;
    if (stamp(text, len) == lx->user_stamp)
        return ZC_OK;
    uint64_t docs = 0;
    zc_status st = zc_xap_db_doc_count(db, &docs, err);
    if (st != ZC_OK)
        return st;
    if (docs > 0)
        return zc_error_set(err, ZC_EINVAL, "user_dict",
                            "the index holds %llu document%s, segmented with the user "
                            "dictionary it has (or none): a different one needs a new index "
                            "(build it again with --user-dict)",
                            (unsigned long long)docs, docs == 1 ? "" : "s");
    zc_seg_user *u = NULL;
    size_t n = 0;
    if (len > 0 && (st = zc_userdict_parse(text, len, "user dictionary", &u, &n, err)) != ZC_OK)
        return st;
    if ((st = zc_xap_db_set_metadata(db, ZC_META_USERDICT, text, len, err)) != ZC_OK) {
        zc_seg_user_free(u);
        return st;
    }
    zc_seg_user_free(lx->user);
    lx->user = u;
    lx->user_words = n;
    lx->user_stamp = stamp(text, len);
    if (user_changed != NULL)
        *user_changed = 1;
    return ZC_OK;
}
