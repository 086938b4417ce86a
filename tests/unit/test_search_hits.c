/* test_search_hits.c — reading a hit (lib/search_hits.c) from documents
 * that zc_index_add_json never writes: no hit value (an index written by
 * an older or another writer), a hit value without an id, stored data that
 * is not JSON or not a docstore frame.  The index is made with the Xapian
 * wrapper by hand, one document per unique id term.
 *
 * Owns its temporary directory, removed at the end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/docstore.h"
#include "lib/limits.h"
#include "lib/schema.h"
#include "lib/search_hits.h"
#include "lib/search_results.h"

static const struct {
    const char *id;       /* the id term is "Q" + id */
    const char *data;     /* stored JSON */
    int pack;             /* 0: stored as it is, not a docstore frame */
    const char *hit;      /* ZC_SLOT_HIT value, or NULL for none */
} DOCS[] = {
    {"old-1",
     "{\"id\":\"old-1\",\"lang\":\"zh\",\"title\":\"关于实施东北地区等老工业基地振兴战略的若干意见\","
     "\"date\":\"2003-10-05\",\"issuer\":\"中共中央 国务院\",\"docno\":\"\",\"pair\":\"en-1\","
     "\"body\":\"振兴东北地区等老工业基地。\"}",
     1, NULL},
    {"old-2", "{\"id\":\"old-2\",\"lang\":\"en\",\"title\":\"Order on trade\",\"body\":\"Tariffs.\"}",
     1, "{\"lang\":\"en\",\"title\":\"Order on trade (hit value)\",\"issuer\":\"State Council\"}"},
    {"bad-json", "not JSON at all", 1, NULL},
    {"bad-frame", "{\"id\":\"bad-frame\",\"lang\":\"zh\",\"title\":\"未压缩\"}", 0, NULL},
};
#define N_DOCS (sizeof DOCS / sizeof DOCS[0])

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

typedef struct fixture {
    char dir[64];
    zc_xap_db *db;
} fixture;

static int add_doc(zc_xap_db *db, size_t i)
{
    zc_error err;
    zc_xap_doc *doc = NULL;
    char term[64], *packed = NULL;
    size_t tl = (size_t)snprintf(term, sizeof term, "Q%s", DOCS[i].id), plen = 0;
    const char *data = DOCS[i].data;
    size_t dlen = strlen(data);
    if (DOCS[i].pack) {
        if (zc_docstore_pack(data, dlen, &packed, &plen, &err) != ZC_OK)
            return -1;
        data = packed;
        dlen = plen;
    }
    int rc = zc_xap_doc_new(&doc, &err) == ZC_OK &&
                     zc_xap_doc_set_data(doc, data, dlen, &err) == ZC_OK &&
                     zc_xap_doc_add_boolean_term(doc, term, tl, &err) == ZC_OK &&
                     (DOCS[i].hit == NULL ||
                      zc_xap_doc_add_value(doc, ZC_SLOT_HIT, DOCS[i].hit, strlen(DOCS[i].hit),
                                           &err) == ZC_OK) &&
                     zc_xap_db_replace_by_term(db, term, tl, doc, &err) == ZC_OK
                 ? 0
                 : -1;
    zc_xap_doc_free(doc);
    free(packed);
    return rc;
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    zc_error err;
    if (f == NULL || (snprintf(f->dir, sizeof f->dir, "/tmp/zc-test-hits-XXXXXX"), mkdtemp(f->dir)) == NULL ||
        zc_xap_db_open(f->dir, ZC_XAP_OPEN_CREATE, &f->db, &err) != ZC_OK)
        return -1;
    for (size_t i = 0; i < N_DOCS; i++)
        if (add_doc(f->db, i) != 0)
            return -1;
    if (zc_xap_db_commit(f->db, &err) != ZC_OK)
        return -1;
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    zc_xap_db_close(f->db);
    nftw(f->dir, rm_one, 4, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* The match set of the one document with this id. */
static zc_xap_mset *find(void **state, const char *id)
{
    fixture *f = *state;
    zc_error err;
    char term[64];
    size_t tl = (size_t)snprintf(term, sizeof term, "Q%s", id);
    zc_xap_query *q = NULL;
    assert_int_equal(zc_xap_query_term(term, tl, 1, 0, &q, &err), ZC_OK);
    zc_xap_search_params sp = {.query = q, .limit = 10, .sort_slot = -1};
    zc_xap_mset *ms = NULL;
    assert_int_equal(zc_xap_search(f->db, &sp, &ms, NULL, &err), ZC_OK);
    zc_xap_query_free(q);
    assert_int_equal(zc_xap_mset_size(ms), 1);
    return ms;
}

/* Reads hit 0 of id's match set (no snippet) into a one-hit zc_results. */
static zc_status read_one(void **state, const char *id, zc_results **r, zc_error *err)
{
    zc_xap_mset *ms = find(state, id);
    assert_int_equal(zc_results_new(0, 1, r, err), ZC_OK);
    (*r)->n_hits = 1;
    zc_status st = zc_hits_read(NULL, ms, 0, NULL, 0, &(*r)->hits[0], err);
    zc_xap_mset_free(ms);
    return st;
}

/* No hit value: every field from the stored document, empty ones left out
 * as the hit value leaves them out. */
static void test_fields_from_stored_document(void **state)
{
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(read_one(state, "old-1", &r, &err), ZC_OK);
    const zc_hit *h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "old-1");
    assert_string_equal(h->lang, "zh");
    assert_string_equal(h->title, "关于实施东北地区等老工业基地振兴战略的若干意见");
    assert_string_equal(h->date, "2003-10-05");
    assert_string_equal(h->issuer, "中共中央 国务院");
    assert_null(h->docno);
    assert_string_equal(h->pair, "en-1");
    assert_null(h->snippet);
    zc_results_free(r);
}

/* A hit value is read as it is (no id there: "" in the reply), and the id
 * term for the rescoring window comes from the stored document. */
static void test_hit_value_without_id(void **state)
{
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(read_one(state, "old-2", &r, &err), ZC_OK);
    const zc_hit *h = zc_results_hit(r, 0);
    assert_string_equal(h->id, "");
    assert_string_equal(h->title, "Order on trade (hit value)");
    assert_string_equal(h->issuer, "State Council");
    assert_null(h->date);
    zc_results_free(r);

    zc_xap_mset *ms = find(state, "old-2");
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t len = 0;
    assert_int_equal(zc_hits_id_term(ms, 0, term, &len, &err), ZC_OK);
    assert_int_equal(len, strlen("Qold-2"));
    assert_memory_equal(term, "Qold-2", len);
    zc_xap_mset_free(ms);

    ms = find(state, "old-1");
    assert_int_equal(zc_hits_id_term(ms, 0, term, &len, &err), ZC_OK);
    assert_memory_equal(term, "Qold-1", len);
    zc_xap_mset_free(ms);
}

/* Neither a hit value nor readable data: ZC_ECORRUPT, saying which. */
static void test_unreadable_documents(void **state)
{
    zc_results *r = NULL;
    zc_error err;
    assert_int_equal(read_one(state, "bad-json", &r, &err), ZC_ECORRUPT);
    assert_non_null(strstr(err.message, "neither hit fields nor readable data"));
    zc_results_free(r);

    zc_xap_mset *ms = find(state, "bad-json");
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t len = 99;
    assert_int_equal(zc_hits_id_term(ms, 0, term, &len, &err), ZC_ECORRUPT);
    assert_int_equal(len, 0);
    assert_string_equal(err.message, "hit 0 has no document id");
    zc_xap_mset_free(ms);

    assert_int_equal(read_one(state, "bad-frame", &r, &err), ZC_ECORRUPT);
    assert_non_null(strstr(err.message, "damaged"));
    zc_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_from_stored_document),
        cmocka_unit_test(test_hit_value_without_id),
        cmocka_unit_test(test_unreadable_documents),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
