/* search_hits.c — see search_hits.h. */
#include "lib/search_hits.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/docstore.h"
#include "base/error.h"
#include "lib/limits.h"
#include "lib/schema.h"
#include "lib/search_results.h"
#include "lib/search_stored.h"
#include "lib/snippet.h"

/* A new copy of obj[key] if it is a non-empty string, else NULL; *oom set
 * when the copy failed. */
static char *json_str_dup(json_t *obj, const char *key, int *oom)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return NULL;
    char *d = zc_results_strdup(json_string_value(v), json_string_length(v));
    if (d == NULL)
        *oom = 1;
    return d;
}

/* Hit i's stored document (compact JSON, NUL-terminated).  *out: returns
 * new; free with free(). */
static zc_status hit_doc(const zc_xap_mset *ms, size_t i, char **out, size_t *len,
                         zc_error *err)
{
    char *packed = NULL;
    size_t plen = 0;
    *out = NULL;
    *len = 0;
    zc_status st = zc_xap_mset_hit_data(ms, i, &packed, &plen, err);
    if (st != ZC_OK)
        return st;
    st = zc_docstore_unpack(packed, plen, out, len, err);
    free(packed);
    return st;
}

/* Hit i's fields and the text of its snippet from its stored document, in
 * one read: the hit value (ZC_SLOT_HIT) holds copies of the same strings
 * (docmodel.c: both come from one parsed document; the hit leaves out
 * empty optional fields, and so does this), so a hit that needs its body
 * anyway skips reading and parsing the value.  *done 0 (and nothing set):
 * the stored JSON is not what the scanner expects; take the slow path.
 * *body: returns new or NULL; free with free(). */
static zc_status hit_from_data(zc_xap_mset *ms, size_t i, zc_hit *h, char **body,
                               size_t *blen, int *done, zc_error *err)
{
    static const char *const keys[] = {"id", "lang", "title", "date",
                                       "issuer", "docno", "pair", "body"};
    enum { NK = sizeof keys / sizeof keys[0] };
    *done = 0;
    *body = NULL;
    *blen = 0;
    char *data = NULL;
    size_t dlen = 0;
    zc_status st = hit_doc(ms, i, &data, &dlen, err);
    if (st != ZC_OK)
        return st;
    char *v[NK];
    size_t l[NK];
    zc_error e2;
    st = zc_stored_fields(data, dlen, keys, NK, ZC_STORED_BODY_MAX_BYTES, v, l, &e2);
    free(data);
    if (st == ZC_ENOMEM)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (st != ZC_OK)
        return ZC_OK;
    for (size_t k = 0; k + 1 < NK; k++) {
        if (v[k] != NULL && l[k] == 0) {
            free(v[k]);
            v[k] = NULL;
        }
    }
    h->id = v[0];
    h->lang = v[1];
    h->title = v[2];
    h->date = v[3];
    h->issuer = v[4];
    h->docno = v[5];
    h->pair = v[6];
    *body = v[7];
    *blen = l[7];
    *done = 1;
    return ZC_OK;
}

/* The text a snippet is made from: the stored document's body, or its
 * title (from the hit) when it has none.  *out: returns new; free with
 * free(). */
static zc_status snippet_source(zc_xap_mset *ms, size_t i, const char *title, char **out,
                                size_t *len_out, zc_error *err)
{
    *out = NULL;
    *len_out = 0;
    char *data = NULL;
    size_t dlen = 0;
    zc_status st = hit_doc(ms, i, &data, &dlen, err);
    if (st != ZC_OK)
        return st;
    static const char *const key[1] = {"body"};
    char *body = NULL;
    size_t blen = 0;
    zc_error e2;
    st = zc_stored_fields(data, dlen, key, 1, ZC_STORED_BODY_MAX_BYTES, &body, &blen, &e2);
    int r = st == ZC_OK ? body != NULL : st == ZC_ENOMEM ? -2 : -1;
    if (r == -1) {
        /* not what the scanner expects: let jansson read it */
        json_t *doc = json_loadb(data, dlen, 0, NULL);
        json_t *b = json_object_get(doc, "body");
        if (json_is_string(b)) {
            body = zc_results_strdup(json_string_value(b), json_string_length(b));
            blen = json_string_length(b);
            r = body ? 1 : -2;
        } else {
            r = 0;
        }
        json_decref(doc);
    }
    free(data);
    if (r == -2)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (r == 1 && blen > 0) {
        *out = body;
        *len_out = blen;
        return ZC_OK;
    }
    free(body);
    body = zc_results_strdup(title ? title : "", title ? strlen(title) : 0);
    if (body == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    *out = body;
    *len_out = strlen(body);
    return ZC_OK;
}

/* Hit i's fields as a jansson object: its hit value (ZC_SLOT_HIT), or its
 * stored document, which has the same fields, when the value is missing or
 * unreadable (an index written without hit values) or, with need_id, has
 * no string "id".  *out: returns new, or NULL when the stored document is
 * not JSON either; free with json_decref. */
static zc_status hit_fields_json(zc_xap_mset *ms, size_t i, int need_id, json_t **out,
                                 zc_error *err)
{
    char *val = NULL;
    size_t vlen = 0;
    *out = NULL;
    zc_status st = zc_xap_mset_hit_value(ms, i, ZC_SLOT_HIT, &val, &vlen, err);
    if (st != ZC_OK)
        return st;
    json_t *hj = vlen ? json_loadb(val, vlen, 0, NULL) : NULL;
    free(val);
    if (hj == NULL || (need_id && !json_is_string(json_object_get(hj, "id")))) {
        json_decref(hj);
        if ((st = hit_doc(ms, i, &val, &vlen, err)) != ZC_OK)
            return st;
        hj = json_loadb(val, vlen, 0, NULL);
        free(val);
    }
    *out = hj;
    return ZC_OK;
}

/* Hit i's fields from its hit value (or, for an index written without
 * one, its stored document) into h. */
static zc_status hit_from_value(zc_xap_mset *ms, size_t i, uint32_t docid, zc_hit *h,
                                int *oom, zc_error *err)
{
    json_t *hj = NULL;
    zc_status st = hit_fields_json(ms, i, 0, &hj, err);
    if (st != ZC_OK)
        return st;
    if (hj == NULL)
        return zc_error_set(err, ZC_ECORRUPT, NULL,
                            "document %u has neither hit fields nor readable data",
                            (unsigned)docid);
    h->id = json_str_dup(hj, "id", oom);
    h->lang = json_str_dup(hj, "lang", oom);
    h->title = json_str_dup(hj, "title", oom);
    h->date = json_str_dup(hj, "date", oom);
    h->issuer = json_str_dup(hj, "issuer", oom);
    h->docno = json_str_dup(hj, "docno", oom);
    h->pair = json_str_dup(hj, "pair", oom);
    json_decref(hj);
    return ZC_OK;
}

/* h's snippet, made from src[0..slen) (taken: freed here). */
static zc_status hit_snippet(zc_index *idx, const zc_hl *hl, char *src, size_t slen, zc_hit *h,
                             zc_error *err)
{
    char *snip = NULL;
    zc_analyzer *seg = NULL;
    zc_status st = zc_index_get_snippet_analyzer(idx, &seg, err);
    if (st == ZC_OK)
        st = zc_snippet_make(idx->an, seg, hl, src ? src : "", slen, ZC_SNIPPET_CHARS, &snip,
                             NULL, err);
    free(src);
    if (st != ZC_OK)
        return st;
    h->snippet = snip;
    return ZC_OK;
}

zc_status zc_hits_read(zc_index *idx, zc_xap_mset *ms, size_t i, const zc_hl *hl,
                       int want_snippet, zc_hit *h, zc_error *err)
{
    uint32_t docid = 0;
    double w = 0;
    zc_status st = zc_xap_mset_hit(ms, i, &docid, &w, err);
    if (st != ZC_OK)
        return st;
    h->score = w;
    char *body = NULL;
    size_t blen = 0;
    int done = 0, oom = 0;
    if (want_snippet) {
        st = hit_from_data(ms, i, h, &body, &blen, &done, err);
        if (st != ZC_OK)
            return st;
    }
    if (!done && (st = hit_from_value(ms, i, docid, h, &oom, err)) != ZC_OK)
        return st;
    /* id, lang and title are always in a reply, empty if ever missing. */
    if (!oom && h->id == NULL && (h->id = zc_results_strdup("", 0)) == NULL)
        oom = 1;
    if (!oom && h->lang == NULL && (h->lang = zc_results_strdup("", 0)) == NULL)
        oom = 1;
    if (!oom && h->title == NULL && (h->title = zc_results_strdup("", 0)) == NULL)
        oom = 1;
    if (oom) {
        free(body);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    if (!want_snippet)
        return ZC_OK;
    char *src = NULL;
    size_t slen = 0;
    if (done && blen > 0) {
        src = body;
        slen = blen;
    } else if (done) {
        /* no body: the title, as snippet_source does */
        free(body);
        src = zc_results_strdup(h->title, strlen(h->title));
        slen = strlen(h->title);
        if (src == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    } else {
        st = snippet_source(ms, i, h->title, &src, &slen, err);
        if (st != ZC_OK)
            return st;
    }
    return hit_snippet(idx, hl, src, slen, h, err);
}

zc_status zc_hits_id_term(zc_xap_mset *ms, size_t i, char *buf, size_t *len, zc_error *err)
{
    json_t *hj = NULL;
    *len = 0;
    /* The rescoring window reads the ids of 100 hits per query: the
     * scanner takes the id from the hit value without building a jansson
     * tree of it (0.49 ms a query that way); anything unexpected falls
     * back to jansson below. */
    char *val = NULL, *id = NULL;
    size_t vlen = 0, idlen = 0;
    static const char *const key[] = {"id"};
    zc_error e2;
    if (zc_xap_mset_hit_value(ms, i, ZC_SLOT_HIT, &val, &vlen, &e2) == ZC_OK && vlen > 0 &&
        zc_stored_fields(val, vlen, key, 1, ZC_STORED_BODY_MAX_BYTES, &id, &idlen, &e2) ==
            ZC_OK &&
        id != NULL && idlen > 0)
        *len = zc_index_id_term(id, idlen, buf);
    free(val);
    free(id);
    if (*len > 0)
        return ZC_OK;
    zc_status st = hit_fields_json(ms, i, 1, &hj, err);
    if (st != ZC_OK)
        return st;
    json_t *jid = json_object_get(hj, "id");
    if (json_is_string(jid) && json_string_length(jid) > 0)
        *len = zc_index_id_term(json_string_value(jid), json_string_length(jid), buf);
    json_decref(hj);
    if (*len == 0)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "hit %zu has no document id", i);
    return ZC_OK;
}
