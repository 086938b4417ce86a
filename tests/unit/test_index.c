/* test_index.c — the zc_index handle (lib/index.c) against real Xapian
 * databases in temporary directories: round trips, replace and delete
 * semantics, long ids, the format check, read-only and lock errors, and the
 * terms and values a document is indexed under (lib/schema.h). */
#include <pthread.h>
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

#include "lib/analyzer.h"
#include "lib/docmodel.h"
#include "lib/index_internal.h"
#include "lib/limits.h"
#include "lib/norm.h"
#include "lib/schema.h"
#include "wrappers/xapian.h"
#include "lib/zhengce.h"

/* ---- fixtures --------------------------------------------------------- */

typedef struct fixture {
    char dir[256];   /* temporary directory */
    char path[300];  /* index path inside it */
} fixture;

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/zc-test-index-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static zc_index *open_ok(const char *path, int mode)
{
    zc_index *idx = NULL;
    zc_error e;
    zc_status st = zc_index_open(path, mode, &idx, &e);
    if (st != ZC_OK)
        fail_msg("open %s: %s %s", path, zc_status_name(st), e.message);
    return idx;
}

static void add_ok(zc_index *idx, const char *json)
{
    zc_error e;
    char *id = NULL;
    zc_status st = zc_index_add_json(idx, json, strlen(json), &id, &e);
    if (st != ZC_OK)
        fail_msg("add %s: %s %s", json, zc_status_name(st), e.message);
    assert_non_null(id);
    zc_free(id);
}

static void commit_ok(zc_index *idx)
{
    zc_error e;
    zc_status st = zc_index_commit(idx, &e);
    if (st != ZC_OK)
        fail_msg("commit: %s %s", zc_status_name(st), e.message);
}

static uint64_t count(zc_index *idx)
{
    uint64_t n = 0;
    assert_int_equal(zc_index_doc_count(idx, &n, NULL), ZC_OK);
    return n;
}

/* The stored JSON of id, or NULL when not found. */
static char *get(zc_index *idx, const char *id)
{
    char *json = NULL;
    size_t len = 0;
    zc_error e;
    zc_status st = zc_index_get(idx, id, strlen(id), &json, &len, &e);
    if (st == ZC_ENOTFOUND) {
        assert_null(json);
        return NULL;
    }
    if (st != ZC_OK)
        fail_msg("get %s: %s %s", id, zc_status_name(st), e.message);
    assert_int_equal(len, strlen(json));
    return json;
}

static uint64_t tf(zc_index *idx, const char *term, size_t len)
{
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_term_freq(idx->db, term, len, &n, NULL), ZC_OK);
    return n;
}

static uint64_t tfs(zc_index *idx, const char *term)
{
    return tf(idx, term, strlen(term));
}

/* ---- round trips ------------------------------------------------------ */

static void test_add_get_round_trip(void **state)
{
    fixture *f = *state;
    static const char doc[] =
        "{\"id\":\"gov-2003-11\",\"lang\":\"zh\",\"title\":\"中共中央 国务院关于实施东北地区等老工业"
        "基地振兴战略的若干意见\",\"body\":\"第一段。\\n第二段 😀。\",\"date\":\"2003-10-05\","
        "\"issuer\":\"中共中央 国务院\",\"docno\":\"中发〔2003〕11号\",\"pair\":\"\",\"tags\":["
        "\"振兴\"],\"url\":\"http://www.gov.cn/\",\"x-extra\":{\"k\":[1,2]}}";
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    assert_int_equal(count(w), 0);
    add_ok(w, doc);
    assert_int_equal(count(w), 1);
    commit_ok(w);

    zc_index *r = open_ok(f->path, ZC_OPEN_READ);
    assert_int_equal(count(r), 1);
    char *got = get(r, "gov-2003-11");
    assert_non_null(got);
    assert_string_equal(got, doc);
    zc_free(got);
    assert_null(get(r, "gov-2003-12"));
    assert_null(get(r, "gov-2003-1"));

    zc_error e;
    char *j = (char *)1;
    size_t n = 7;
    assert_int_equal(zc_index_get(r, "nope", 4, &j, &n, &e), ZC_ENOTFOUND);
    assert_null(j);
    assert_int_equal(n, 0);
    assert_string_equal(e.field, "id");
    zc_index_close(r);
    zc_index_close(w);
    zc_index_close(NULL);
}

static void test_detected_lang_stored(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"a\",\"title\":\"国务院关于印发通知\"}");
    add_ok(w, "{\"id\":\"b\",\"title\":\"Executive Order on Federal Pay\",\"lang\":\"\"}");
    commit_ok(w);
    char *a = get(w, "a"), *b = get(w, "b");
    assert_string_equal(a, "{\"id\":\"a\",\"title\":\"国务院关于印发通知\",\"lang\":\"zh\"}");
    assert_string_equal(b, "{\"id\":\"b\",\"title\":\"Executive Order on Federal Pay\","
                           "\"lang\":\"en\"}");
    zc_free(a);
    zc_free(b);
    assert_int_equal(tfs(w, "Lzh"), 1);
    assert_int_equal(tfs(w, "Len"), 1);
    zc_index_close(w);
}

static void test_replace_keeps_count(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"第一版\"}");
    add_ok(w, "{\"id\":\"b\",\"lang\":\"zh\",\"title\":\"别的\"}");
    add_ok(w, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"第二版\"}");
    assert_int_equal(count(w), 2);
    commit_ok(w);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"第三版\"}");
    commit_ok(w);
    assert_int_equal(count(w), 2);
    char *a = get(w, "a");
    assert_string_equal(a, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"第三版\"}");
    zc_free(a);
    /* The old version's terms are gone with it. */
    assert_int_equal(tfs(w, "S第一"), 0);
    assert_int_equal(tfs(w, "Qa"), 1);
    zc_index_close(w);
}

static void test_delete_existed(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    zc_error e;
    int existed = -1;
    add_ok(w, "{\"id\":\"a\",\"lang\":\"en\",\"title\":\"a\"}");
    add_ok(w, "{\"id\":\"b\",\"lang\":\"en\",\"title\":\"b\"}");
    /* Uncommitted add, then delete: it existed. */
    assert_int_equal(zc_index_delete(w, "a", 1, &existed, &e), ZC_OK);
    assert_int_equal(existed, 1);
    /* Uncommitted delete, then delete again: gone. */
    assert_int_equal(zc_index_delete(w, "a", 1, &existed, &e), ZC_OK);
    assert_int_equal(existed, 0);
    assert_int_equal(zc_index_delete(w, "never", 5, &existed, &e), ZC_OK);
    assert_int_equal(existed, 0);
    assert_int_equal(count(w), 1);
    commit_ok(w);
    /* Committed, then deleted. */
    assert_int_equal(zc_index_delete(w, "b", 1, &existed, &e), ZC_OK);
    assert_int_equal(existed, 1);
    assert_int_equal(zc_index_delete(w, "b", 1, NULL, &e), ZC_OK);
    commit_ok(w);
    assert_int_equal(count(w), 0);
    assert_null(get(w, "b"));
    /* A prefix of an id is another id. */
    add_ok(w, "{\"id\":\"abc\",\"lang\":\"en\",\"title\":\"x\"}");
    assert_int_equal(zc_index_delete(w, "ab", 2, &existed, &e), ZC_OK);
    assert_int_equal(existed, 0);
    /* An empty id is a bad request. */
    assert_int_equal(zc_index_delete(w, "", 0, &existed, &e), ZC_EINVAL);
    assert_string_equal(e.field, "id");
    zc_index_close(w);
}

static void test_long_ids(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    char id1[ZC_ID_MAX_BYTES + 1], id2[ZC_ID_MAX_BYTES + 1], json[1024];
    memset(id1, 'k', ZC_ID_MAX_BYTES);
    id1[ZC_ID_MAX_BYTES] = '\0';
    memcpy(id2, id1, sizeof id1);
    id2[ZC_ID_MAX_BYTES - 1] = 'z'; /* same first 255 bytes */
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"lang\":\"en\",\"title\":\"one\"}", id1);
    add_ok(w, json);
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"lang\":\"en\",\"title\":\"two\"}", id2);
    add_ok(w, json);
    /* 85 CJK characters: 255 bytes, cut on a character boundary. */
    char cjk[300] = "";
    for (int i = 0; i < 85; i++)
        strcat(cjk, "策");
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"lang\":\"zh\",\"title\":\"三\"}", cjk);
    add_ok(w, json);
    commit_ok(w);
    assert_int_equal(count(w), 3);
    char *a = get(w, id1), *b = get(w, id2), *c = get(w, cjk);
    assert_non_null(strstr(a, "\"one\""));
    assert_non_null(strstr(b, "\"two\""));
    assert_non_null(strstr(c, "\"三\""));
    zc_free(a);
    zc_free(b);
    zc_free(c);
    int existed = 0;
    assert_int_equal(zc_index_delete(w, id1, strlen(id1), &existed, NULL), ZC_OK);
    assert_int_equal(existed, 1);
    commit_ok(w);
    assert_null(get(w, id1));
    b = get(w, id2);
    assert_non_null(b);
    zc_free(b);
    zc_index_close(w);
}

#define ABC_SHA256 "00e16e1d31c0ba2b3b3d17583bb2ac3b898666620ddf540aae5bd0703d7d02e7"

static void test_id_terms(void **state)
{
    (void)state;
    char buf[ZC_TERM_MAX_BYTES + 1], buf2[ZC_TERM_MAX_BYTES + 1];
    size_t n = zc_index_id_term("gov-1", 5, buf);
    assert_int_equal(n, 6);
    assert_string_equal(buf, "Qgov-1");
    /* The longest id that fits as is. */
    char id[300];
    memset(id, 'a', sizeof id);
    n = zc_index_id_term(id, ZC_TERM_MAX_BYTES - 1, buf);
    assert_int_equal(n, ZC_TERM_MAX_BYTES);
    assert_int_equal(buf[1], 'a');
    /* One more byte: hashed, still within the limit. */
    n = zc_index_id_term(id, ZC_TERM_MAX_BYTES, buf);
    assert_true(n <= ZC_TERM_MAX_BYTES);
    /* "Q##" + the 64 hex digits of SHA-256 + the id's head. */
    assert_memory_equal(buf, "Q##", 3);
    assert_int_equal(n, ZC_TERM_MAX_BYTES);
    for (int i = 3; i < 67; i++)
        assert_non_null(strchr("0123456789abcdef", buf[i]));
    assert_int_equal(buf[67], 'a');
    /* Hashed terms of different ids differ even when their heads agree. */
    id[ZC_ID_MAX_BYTES - 1] = 'b';
    size_t n2 = zc_index_id_term(id, ZC_ID_MAX_BYTES, buf2);
    id[ZC_ID_MAX_BYTES - 1] = 'a';
    n = zc_index_id_term(id, ZC_ID_MAX_BYTES, buf);
    assert_true(n != n2 || memcmp(buf, buf2, n) != 0);
    /* An id starting with '#' is hashed too, so no short id can spell a
     * hashed term. */
    n = zc_index_id_term("#abc", 4, buf);
    assert_memory_equal(buf, "Q##", 3);
    assert_int_equal(n, 3 + 64 + 4);
    /* SHA-256("#abc"), computed independently (sha256sum). */
    assert_memory_equal(buf + 3, ABC_SHA256, 64);
    /* Multibyte ids are cut on a character boundary. */
    char cjk[300] = "";
    for (int i = 0; i < 85; i++)
        strcat(cjk, "策");
    n = zc_index_id_term(cjk, strlen(cjk), buf);
    assert_true(n <= ZC_TERM_MAX_BYTES);
    assert_int_equal((n - 67) % 3, 0);
}

/* ---- errors ----------------------------------------------------------- */

static void test_invalid_doc_leaves_index(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"en\",\"title\":\"keep\"}");
    zc_error e;
    char *id = (char *)1;
    static const char bad[] = "{\"id\":\"a\",\"title\":\"replace\",\"date\":\"2023-02-29\"}";
    assert_int_equal(zc_index_add_json(w, bad, sizeof bad - 1, &id, &e), ZC_EINVAL);
    assert_null(id);
    assert_string_equal(e.field, "date");
    assert_int_equal(count(w), 1);
    char *a = get(w, "a");
    assert_non_null(strstr(a, "keep"));
    zc_free(a);
    zc_index_close(w);
}

static void test_readonly_write(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"en\",\"title\":\"x\"}");
    commit_ok(w);
    zc_index_close(w);
    zc_index *r = open_ok(f->path, ZC_OPEN_READ);
    zc_error e;
    static const char doc[] = "{\"id\":\"b\",\"lang\":\"en\",\"title\":\"y\"}";
    assert_int_equal(zc_index_add_json(r, doc, sizeof doc - 1, NULL, &e), ZC_EREADONLY);
    assert_int_equal(e.code, ZC_EREADONLY);
    /* read_only comes before validation. */
    assert_int_equal(zc_index_add_json(r, "nonsense", 8, NULL, &e), ZC_EREADONLY);
    int existed = -1;
    assert_int_equal(zc_index_delete(r, "a", 1, &existed, &e), ZC_EREADONLY);
    assert_int_equal(existed, 0);
    assert_int_equal(zc_index_commit(r, &e), ZC_EREADONLY);
    assert_int_equal(count(r), 1);
    zc_index_close(r);
}

static void test_second_writer_locked(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    zc_index *w2 = (zc_index *)1;
    zc_error e;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_WRITE, &w2, &e), ZC_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(e.message, "locked by another writer"));
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_CREATE, &w2, &e), ZC_ELOCKED);
    /* Readers are welcome meanwhile. */
    zc_index *r = open_ok(f->path, ZC_OPEN_READ);
    zc_index_close(r);
    zc_index_close(w);
    /* Once closed, the lock is free. */
    w2 = open_ok(f->path, ZC_OPEN_WRITE);
    zc_index_close(w2);
}

static void test_missing_index(void **state)
{
    fixture *f = *state;
    zc_index *idx = (zc_index *)1;
    zc_error e;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_READ, &idx, &e), ZC_ENOTFOUND);
    assert_null(idx);
    char want[400];
    snprintf(want, sizeof want, "no index at %s", f->path);
    assert_string_equal(e.message, want);
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_WRITE, &idx, &e), ZC_ENOTFOUND);
    assert_int_equal(zc_index_open(f->path, 99, &idx, &e), ZC_EINVAL);
    assert_int_equal(zc_index_open("", ZC_OPEN_READ, &idx, &e), ZC_EINVAL);
}

static void set_format(const char *path, const char *fmt)
{
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(path, ZC_XAP_OPEN_WRITE, &db, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_set_metadata(db, ZC_META_FORMAT, fmt, strlen(fmt), NULL), ZC_OK);
    assert_int_equal(zc_xap_db_commit(db, NULL), ZC_OK);
    zc_xap_db_close(db);
}

static void test_format_version(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"en\",\"title\":\"x\"}");
    commit_ok(w);
    char *fmt = NULL;
    size_t n = 0;
    assert_int_equal(zc_xap_db_get_metadata(w->db, ZC_META_FORMAT, &fmt, &n, NULL), ZC_OK);
    assert_string_equal(fmt, ZC_FORMAT_VERSION);
    free(fmt);
    assert_int_equal(zc_xap_db_get_metadata(w->db, ZC_META_ANALYZER, &fmt, &n, NULL), ZC_OK);
    assert_string_equal(fmt, ZC_ANALYZER_DEFAULT);
    free(fmt);
    zc_index_close(w);

    /* A format 2 index (bigram positions, before format 3). */
    set_format(f->path, "2");
    zc_index *old = (zc_index *)1;
    zc_error e1;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_READ, &old, &e1), ZC_EVERSION);
    assert_null(old);
    assert_string_equal(e1.message, "index format 2, this zhengce reads " ZC_FORMAT_VERSION
                                    ": rebuild the index with zhengce-indexer");
    assert_int_equal(zc_index_create(f->path, "ngram", &old, &e1), ZC_EVERSION);

    set_format(f->path, "0");
    zc_index *idx = (zc_index *)1;
    zc_error e;
    for (int mode = ZC_OPEN_READ; mode <= ZC_OPEN_CREATE; mode++) {
        assert_int_equal(zc_index_open(f->path, mode, &idx, &e), ZC_EVERSION);
        assert_null(idx);
        assert_string_equal(e.message, "index format 0, this zhengce reads " ZC_FORMAT_VERSION
                                       ": rebuild the index with zhengce-indexer");
    }
    set_format(f->path, ZC_FORMAT_VERSION);
    idx = open_ok(f->path, ZC_OPEN_READ);
    zc_index_close(idx);
}

static void test_unstamped_index(void **state)
{
    fixture *f = *state;
    /* A bare Xapian database with no format: fine while empty... */
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_CREATE, &db, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_commit(db, NULL), ZC_OK);
    zc_xap_db_close(db);
    zc_index *r = open_ok(f->path, ZC_OPEN_READ);
    assert_int_equal(count(r), 0);
    zc_index_close(r);

    /* ...refused once it holds documents written by someone else. */
    zc_xap_doc *doc = NULL;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_WRITE, &db, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_add_boolean_term(doc, "Qx", 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_replace_by_term(db, "Qx", 2, doc, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_commit(db, NULL), ZC_OK);
    zc_xap_doc_free(doc);
    zc_xap_db_close(db);
    zc_error e;
    zc_index *idx = NULL;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_READ, &idx, &e), ZC_EVERSION);
    assert_non_null(strstr(e.message, "rebuild the index"));
}

static void test_writer_stamps_new_index(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    /* Stamped and committed at once: a reader sees it before any add. */
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_READ, &db, NULL), ZC_OK);
    char *fmt = NULL;
    size_t n = 0;
    assert_int_equal(zc_xap_db_get_metadata(db, ZC_META_FORMAT, &fmt, &n, NULL), ZC_OK);
    assert_string_equal(fmt, ZC_FORMAT_VERSION);
    free(fmt);
    zc_xap_db_close(db);
    zc_index_close(w);
}

/* ---- readers follow commits ------------------------------------------- */

static void test_reopen_and_revision(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    zc_index *r = open_ok(f->path, ZC_OPEN_READ);
    uint64_t rev0 = 0, rev1 = 0;
    assert_int_equal(zc_index_revision(r, &rev0, NULL), ZC_OK);
    add_ok(w, "{\"id\":\"a\",\"lang\":\"en\",\"title\":\"x\"}");
    /* Not committed: readers do not see it. */
    int changed = -1;
    assert_int_equal(zc_index_reopen(r, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(count(r), 0);
    commit_ok(w);
    assert_int_equal(count(r), 0);
    assert_int_equal(zc_index_reopen(r, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(count(r), 1);
    assert_int_equal(zc_index_revision(r, &rev1, NULL), ZC_OK);
    assert_true(rev1 > rev0);
    char *a = get(r, "a");
    assert_non_null(a);
    zc_free(a);
    /* A writer's reopen is a no-op. */
    assert_int_equal(zc_index_reopen(w, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 0);
    zc_index_close(r);
    zc_index_close(w);
}

/* ---- what a document is indexed under --------------------------------- */

typedef struct term_check {
    zc_index *idx;
    const char *pfx;
    int stems;          /* also check "Z"+pfx+stem */
    int missing;
} term_check;

static int check_token(void *ctx, const zc_token *t)
{
    term_check *c = ctx;
    char term[ZC_TERM_MAX_BYTES + 8];
    size_t pl = strlen(c->pfx);
    memcpy(term, c->pfx, pl);
    if (t->kind == ZC_TOK_CJK_WORD)
        term[pl++] = 'W'; /* ZC_PFX_CJKWORD */
    memcpy(term + pl, t->term, t->len);
    if (tf(c->idx, term, pl + t->len) == 0) {
        print_message("missing term '%.*s'\n", (int)(pl + t->len), term);
        c->missing++;
    }
    if (c->stems && t->kind == ZC_TOK_WORD && !t->numeric) {
        char stem[ZC_TERM_MAX_BYTES];
        size_t sl = zc_analyzer_stem(c->idx->an, t->term, t->len, stem, sizeof stem);
        if (sl > 0) {
            size_t n = (size_t)snprintf(term, sizeof term, "Z%s%.*s", c->pfx, (int)sl, stem);
            if (tf(c->idx, term, n) == 0) {
                print_message("missing stem term '%s'\n", term);
                c->missing++;
            }
        }
    }
    return 0;
}

/* Every token of text (as the index's own analyzer makes it) is in the
 * index under pfx (and its stems). */
static void expect_analyzed(zc_index *idx, const char *text, const char *pfx)
{
    zc_analyzer *an = NULL;
    assert_int_equal(zc_analyzer_new(idx->mode, &an, NULL), ZC_OK);
    term_check c = {idx, pfx, 1, 0};
    uint32_t pos = 0;
    assert_int_equal(zc_analyze(an, text, strlen(text), &pos, check_token, &c, NULL), ZC_OK);
    assert_true(pos > 0 || strlen(text) == 0);
    assert_int_equal(c.missing, 0);
    zc_analyzer_free(an);
}

static void expect_norm_term(zc_index *idx, const char *pfx, const char *text)
{
    char *norm = NULL;
    size_t n = 0;
    assert_int_equal(zc_norm_string(text, strlen(text), &norm, &n, NULL), ZC_OK);
    char term[ZC_TERM_MAX_BYTES + 8];
    int tl = snprintf(term, sizeof term, "%s%s", pfx, norm);
    free(norm);
    assert_int_equal(tf(idx, term, (size_t)tl), 1);
}

static char *value(zc_index *idx, const char *id, unsigned slot)
{
    char term[ZC_TERM_MAX_BYTES + 1];
    size_t tl = zc_index_id_term(id, strlen(id), term);
    uint32_t did = 0;
    assert_int_equal(zc_xap_db_find_term(idx->db, term, tl, &did, NULL), ZC_OK);
    assert_true(did != 0);
    char *v = NULL;
    size_t n = 0;
    assert_int_equal(zc_xap_db_doc_value(idx->db, did, slot, &v, &n, NULL), ZC_OK);
    return v;
}

static void expect_slot(zc_index *idx, const char *id, unsigned slot, const char *want)
{
    char *v = value(idx, id, slot);
    if (strcmp(v, want) != 0)
        fail_msg("%s slot %u: got '%s' want '%s'", id, slot, v, want);
    free(v);
}

static void test_terms_and_values(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    static const char zh[] =
        "{\"id\":\"gov-1\",\"lang\":\"zh\",\"title\":\"国务院关于振兴东北老工业基地的意见\","
        "\"body\":\"为了加快 Reform 进程，制定本意见。\",\"date\":\"2003-10\",\"issuer\":"
        "\"中共中央　国务院\",\"docno\":\"中发〔2003〕11号\",\"pair\":\"en-1\",\"tags\":["
        "\"振兴东北\",\"ＡＢＣ\",\"\"]}";
    static const char en[] =
        "{\"id\":\"en-1\",\"lang\":\"en\",\"title\":\"Revitalizing Old Industrial Bases\","
        "\"body\":\"The State Council issued policies.\",\"issuer\":\"President Barack Obama\","
        "\"docno\":\"Executive Order 13500\",\"date\":\"\"}";
    add_ok(w, zh);
    add_ok(w, en);
    commit_ok(w);

    /* Free text: title words with and without the title prefix, body and
     * docno words without. */
    expect_analyzed(w, "国务院关于振兴东北老工业基地的意见", ZC_PFX_TITLE);
    expect_analyzed(w, "国务院关于振兴东北老工业基地的意见", "");
    expect_analyzed(w, "为了加快 Reform 进程，制定本意见。", "");
    expect_analyzed(w, "中发〔2003〕11号", "");
    expect_analyzed(w, "Revitalizing Old Industrial Bases", ZC_PFX_TITLE);
    expect_analyzed(w, "Revitalizing Old Industrial Bases", "");
    expect_analyzed(w, "The State Council issued policies.", "");
    expect_analyzed(w, "Executive Order 13500", "");
    /* Issuer words under their prefix, and the exact issuer. */
    expect_analyzed(w, "中共中央　国务院", ZC_PFX_ISSUER);
    expect_analyzed(w, "President Barack Obama", ZC_PFX_ISSUER);
    expect_norm_term(w, ZC_PFX_ISSUER_EXACT, "中共中央　国务院");
    expect_norm_term(w, ZC_PFX_ISSUER_EXACT, "President Barack Obama");
    /* Canonical docno. */
    char *canon = NULL;
    assert_int_equal(zc_docno_canonical("中发〔2003〕11号", strlen("中发〔2003〕11号"), &canon,
                                        NULL),
                     ZC_OK);
    char term[300];
    snprintf(term, sizeof term, "%s%s", ZC_PFX_DOCNO, canon);
    assert_int_equal(tfs(w, term), 1);
    zc_free(canon);
    assert_int_equal(zc_docno_canonical("Executive Order 13500", 21, &canon, NULL), ZC_OK);
    snprintf(term, sizeof term, "%s%s", ZC_PFX_DOCNO, canon);
    assert_int_equal(tfs(w, term), 1);
    zc_free(canon);
    /* Filters. */
    assert_int_equal(tfs(w, "Lzh"), 1);
    assert_int_equal(tfs(w, "Len"), 1);
    assert_int_equal(tfs(w, "Y2003"), 1);
    assert_int_equal(tfs(w, "XPen-1"), 1);
    assert_int_equal(tfs(w, "Qgov-1"), 1);
    assert_int_equal(tfs(w, "Qen-1"), 1);
    expect_norm_term(w, ZC_PFX_TAG, "振兴东北");
    expect_norm_term(w, ZC_PFX_TAG, "ＡＢＣ");
    assert_int_equal(tfs(w, "K"), 0);

    /* Values. */
    expect_slot(w, "gov-1", ZC_SLOT_DATE, "20031001");
    expect_slot(w, "gov-1", ZC_SLOT_DATE_ASC, "20031001");
    expect_slot(w, "gov-1", ZC_SLOT_YEAR, "2003");
    expect_slot(w, "gov-1", ZC_SLOT_ISSUER, "中共中央　国务院");
    expect_slot(w, "gov-1", ZC_SLOT_LANG, "zh");
    expect_slot(w, "gov-1", ZC_SLOT_HIT,
                 "{\"id\":\"gov-1\",\"lang\":\"zh\",\"title\":\"国务院关于振兴东北老工业基地的意见\","
                 "\"date\":\"2003-10\",\"issuer\":\"中共中央　国务院\",\"docno\":\"中发〔2003〕11号\","
                 "\"pair\":\"en-1\"}");
    /* An empty date is no date: sorts last ascending, no year. */
    expect_slot(w, "en-1", ZC_SLOT_DATE, "");
    expect_slot(w, "en-1", ZC_SLOT_DATE_ASC, "~");
    expect_slot(w, "en-1", ZC_SLOT_YEAR, "");
    expect_slot(w, "en-1", ZC_SLOT_LANG, "en");
    zc_index_close(w);
}

static void test_empty_fields_not_indexed(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    static const char doc[] = "{\"id\":\"e\",\"lang\":\"zh\",\"title\":\"标题\",\"issuer\":\"\","
                              "\"docno\":\"\",\"pair\":\"\",\"date\":\"\",\"body\":\"\"}";
    add_ok(w, doc);
    commit_ok(w);
    assert_int_equal(tfs(w, ZC_PFX_ISSUER_EXACT), 0);
    assert_int_equal(tfs(w, ZC_PFX_DOCNO), 0);
    assert_int_equal(tfs(w, ZC_PFX_PAIR), 0);
    expect_slot(w, "e", ZC_SLOT_ISSUER, "");
    expect_slot(w, "e", ZC_SLOT_DATE_ASC, "~");
    expect_slot(w, "e", ZC_SLOT_HIT, "{\"id\":\"e\",\"lang\":\"zh\",\"title\":\"标题\"}");
    /* ...but stored and returned. */
    char *got = get(w, "e");
    assert_string_equal(got, doc);
    zc_free(got);
    zc_index_close(w);
}

static void test_long_words_cut_not_dropped(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    /* A 300-byte word and a 300-byte issuer: every term stays under
     * Xapian's limit (the add would fail otherwise) and is still there. */
    char word[301], json[1600];
    memset(word, 'w', 300);
    word[300] = '\0';
    snprintf(json, sizeof json,
             "{\"id\":\"w\",\"lang\":\"en\",\"title\":\"%s\",\"issuer\":\"%s\",\"tags\":[\"%s\"],"
             "\"pair\":\"%s\"}",
             word, word, word, word);
    add_ok(w, json);
    commit_ok(w);
    assert_int_equal(count(w), 1);
    char term[ZC_TERM_MAX_BYTES + 1];
    memset(term, 'w', sizeof term);
    memcpy(term, ZC_PFX_ISSUER_EXACT, 2);
    assert_int_equal(tf(w, term, ZC_TERM_MAX_BYTES), 1);
    zc_index_close(w);
}

static void set_meta(const char *path, const char *key, const char *val)
{
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(path, ZC_XAP_OPEN_WRITE, &db, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_set_metadata(db, key, val, strlen(val), NULL), ZC_OK);
    assert_int_equal(zc_xap_db_commit(db, NULL), ZC_OK);
    zc_xap_db_close(db);
}

/* zc_index_create records the analyzer; every later open uses the index's
 * own; another analyzer on an existing index, or an unknown name, is
 * refused. */
static void test_create_analyzer(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"ngram", "words", "hybrid"};
    for (size_t i = 0; i < 3; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/an-%s", f->dir, names[i]);
        zc_index *w = NULL;
        zc_error e;
        assert_int_equal(zc_index_create(path, names[i], &w, &e), ZC_OK);
        assert_string_equal(zc_index_analyzer(w), names[i]);
        assert_null(w->an); /* made on first use */
        zc_analyzer *an = NULL;
        assert_int_equal(zc_index_get_analyzer(w, &an, &e), ZC_OK);
        assert_int_equal(zc_analyzer_mode(an), w->mode);
        add_ok(w, "{\"id\":\"a\",\"lang\":\"zh\",\"title\":\"振兴东北\"}");
        commit_ok(w);
        zc_index_close(w);
        zc_index *r = open_ok(path, ZC_OPEN_READ);
        assert_string_equal(zc_index_analyzer(r), names[i]);
        /* Words and hybrid have the dictionary words ("W", "SW" in the
         * title); ngram and hybrid the bigrams; every mode the characters. */
        assert_int_equal(tfs(r, "W东北"), i == 0 ? 0 : 1);
        assert_int_equal(tfs(r, "SW东北"), i == 0 ? 0 : 1);
        assert_int_equal(tfs(r, "东北"), i == 1 ? 0 : 1);
        assert_int_equal(tfs(r, "兴东"), i == 1 ? 0 : 1);
        assert_int_equal(tfs(r, "东"), 1);
        zc_index_close(r);
        /* Same analyzer again, or none: fine.  Another: refused. */
        assert_int_equal(zc_index_create(path, names[i], &w, &e), ZC_OK);
        zc_index_close(w);
        assert_int_equal(zc_index_create(path, NULL, &w, &e), ZC_OK);
        assert_string_equal(zc_index_analyzer(w), names[i]);
        zc_index_close(w);
        w = (zc_index *)1;
        assert_int_equal(zc_index_create(path, names[(i + 1) % 3], &w, &e), ZC_EINVAL);
        assert_null(w);
        assert_string_equal(e.field, "analyzer");
        assert_non_null(strstr(e.message, names[i]));
    }
    zc_index *w = (zc_index *)1;
    zc_error e;
    assert_int_equal(zc_index_create(f->path, "bigram", &w, &e), ZC_EINVAL);
    assert_null(w);
    assert_string_equal(e.field, "analyzer");
    assert_int_equal(access(f->path, F_OK), -1); /* nothing created */
    assert_null(zc_index_analyzer(NULL));
}

/* An index whose recorded analyzer this build does not know. */
static void test_unknown_analyzer_refused(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    zc_index_close(w);
    set_meta(f->path, ZC_META_ANALYZER, "jieba");
    zc_index *idx = (zc_index *)1;
    zc_error e;
    assert_int_equal(zc_index_open(f->path, ZC_OPEN_READ, &idx, &e), ZC_EVERSION);
    assert_null(idx);
    assert_non_null(strstr(e.message, "jieba"));
    assert_non_null(strstr(e.message, "rebuild"));
}

/* English words of "en" documents go to Xapian's spelling table (4+ a-z
 * letters), Chinese documents' do not. */
static void test_spelling_table(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    add_ok(w, "{\"id\":\"e1\",\"lang\":\"en\",\"title\":\"Revitalization of the Northeast\","
              "\"body\":\"Northeast revitalization plan, the old bases.\"}");
    add_ok(w, "{\"id\":\"z1\",\"lang\":\"zh\",\"title\":\"东北\",\"body\":\"Zebrafish 研究\"}");
    commit_ok(w);
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(zc_xap_db_spelling_suggestion(w->db, "northest", 8, 2, &s, &n, NULL),
                     ZC_OK);
    assert_string_equal(s, "northeast");
    free(s);
    assert_int_equal(zc_xap_db_spelling_suggestion(w->db, "revitalisation", 14, 2, &s, &n,
                                                   NULL),
                     ZC_OK);
    assert_string_equal(s, "revitalization");
    free(s);
    /* zh documents' English words are not spelling targets. */
    assert_int_equal(zc_xap_db_spelling_suggestion(w->db, "zebrafist", 9, 2, &s, &n, NULL),
                     ZC_OK);
    assert_string_equal(s, "");
    free(s);
    /* Words under 4 letters are not either ("the", "old"). */
    assert_int_equal(zc_xap_db_spelling_suggestion(w->db, "olf", 3, 1, &s, &n, NULL), ZC_OK);
    assert_string_equal(s, "");
    free(s);
    zc_index_close(w);
}

/* The two halves of an add (zc_prepare_json on another thread, then
 * zc_index_add_prepared): the same validation as zc_index_add_json, replace
 * by id across commits, deletes and re-opens, and a document prepared for
 * another analyzer refused. */
typedef struct prep_job {
    zc_preparer *p;
    const char *json;
    zc_prepared *out;
    zc_status st;
} prep_job;

static void *prep_thread(void *arg)
{
    prep_job *j = arg;
    zc_error e;
    j->st = zc_prepare_json(j->p, j->json, strlen(j->json), &j->out, &e);
    return NULL;
}

static void test_prepared_adds(void **state)
{
    fixture *f = *state;
    zc_index *w = open_ok(f->path, ZC_OPEN_CREATE);
    zc_error e;
    zc_preparer *p = NULL;
    assert_int_equal(zc_preparer_new(w, &p, &e), ZC_OK);
    prep_job j = {p, "{\"id\":\"p1\",\"lang\":\"zh\",\"title\":\"振兴东北老工业基地\"}", NULL,
                  ZC_EINTERNAL};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, prep_thread, &j), 0);
    pthread_join(t, NULL);
    assert_int_equal(j.st, ZC_OK);
    size_t idl = 0;
    assert_string_equal(zc_prepared_id(j.out, &idl), "p1");
    assert_int_equal(idl, 2);
    assert_int_equal(zc_index_add_prepared(w, j.out, &e), ZC_OK);
    /* A bad document is refused by the preparer, as by zc_index_add_json. */
    zc_prepared *bad = NULL;
    assert_int_equal(zc_prepare_json(p, "{\"title\":\"x\"}", 13, &bad, &e), ZC_EINVAL);
    assert_null(bad);
    zc_preparer_free(p);

    char json[128], id[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(json, sizeof json, "{\"id\":\"d%d\",\"lang\":\"en\",\"title\":\"v1 %d\"}", i, i);
        add_ok(w, json);
    }
    commit_ok(w);
    for (int i = 0; i < 3000; i += 7) {
        snprintf(json, sizeof json, "{\"id\":\"d%d\",\"lang\":\"en\",\"title\":\"v2 %d\"}", i, i);
        add_ok(w, json);
    }
    assert_int_equal(count(w), 3001);
    assert_int_equal(tfs(w, "Qd2996"), 1);
    snprintf(id, sizeof id, "d%d", 2996);
    char *got = get(w, id);
    assert_non_null(strstr(got, "v2 2996"));
    zc_free(got);
    assert_int_equal(zc_index_delete(w, "d1", 2, NULL, &e), ZC_OK);
    add_ok(w, "{\"id\":\"d2\",\"lang\":\"en\",\"title\":\"v3\"}");
    add_ok(w, "{\"id\":\"d1\",\"lang\":\"en\",\"title\":\"back\"}");
    commit_ok(w);
    assert_int_equal(count(w), 3001);
    assert_int_equal(tfs(w, "Qd2"), 1);
    assert_int_equal(tfs(w, "Qd1"), 1);
    zc_index_close(w);

    /* A reopened, non-empty index replaces by id from the start. */
    w = open_ok(f->path, ZC_OPEN_WRITE);
    add_ok(w, "{\"id\":\"d5\",\"lang\":\"en\",\"title\":\"again\"}");
    assert_int_equal(count(w), 3001);
    assert_int_equal(tfs(w, "Qd5"), 1);

    /* A document prepared for another analyzer is refused. */
    char path2[400];
    snprintf(path2, sizeof path2, "%s/ngram", f->dir);
    zc_index *ng = NULL;
    assert_int_equal(zc_index_create(path2, "ngram", &ng, &e), ZC_OK);
    assert_int_equal(zc_preparer_new(ng, &p, &e), ZC_OK);
    zc_prepared *pd = NULL;
    const char *ngdoc = "{\"id\":\"x\",\"title\":\"工业\"}";
    assert_int_equal(zc_prepare_json(p, ngdoc, strlen(ngdoc), &pd, &e), ZC_OK);
    assert_int_equal(zc_index_add_prepared(w, pd, &e), ZC_EINVAL);
    zc_preparer_free(p);
    zc_index_close(ng);
    assert_int_equal(count(w), 3001);
    zc_index_close(w);
}

static void test_global_init(void **state)
{
    (void)state;
    zc_error e;
    assert_int_equal(zc_global_init(&e), ZC_OK);
    assert_int_equal(zc_global_init(NULL), ZC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_init),
        cmocka_unit_test_setup_teardown(test_add_get_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detected_lang_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_keeps_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_existed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_ids, setup, teardown),
        cmocka_unit_test(test_id_terms),
        cmocka_unit_test_setup_teardown(test_invalid_doc_leaves_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstamped_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_stamps_new_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_and_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terms_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_fields_not_indexed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_words_cut_not_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_analyzer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_analyzer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spelling_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepared_adds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
