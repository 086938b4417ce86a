/* test_xapian.c — the Xapian wrapper (wrappers/xapian.h) against real
 * glass databases in temporary directories under /tmp.
 *
 * Owns nothing but its temporary directories, which every test removes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "wrappers/xapian.h"
#include "xapian_testutil.h"

/* libxapian 1.4.22's Database::check, when it throws on a damaged table,
 * frees a table object through a base-class pointer of another size.  The
 * bug is inside libxapian, not ours; under `make asan` tell ASan not to
 * abort on it.  (Read only by ASan; harmless otherwise.) */
__attribute__((visibility("default"))) const char *__asan_default_options(void);
__attribute__((visibility("default"))) const char *__asan_default_options(void)
{
    return "new_delete_type_mismatch=0";
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct fixture {
    char dir[64];  /* the temporary directory */
    char path[96]; /* dir + "/db" */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    strcpy(f->dir, "/tmp/zc-test-xapian-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/db", f->dir);
    *state = f;
    return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int teardown(void **state)
{
    fixture *f = *state;
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static zc_xap_db *open_ok(const char *path, int mode)
{
    zc_error err = {0};
    zc_xap_db *db = NULL;
    zc_status st = zc_xap_db_open(path, mode, &db, &err);
    if (st != ZC_OK)
        fprintf(stderr, "open %s: %s\n", path, err.message);
    assert_int_equal(st, ZC_OK);
    assert_non_null(db);
    return db;
}

/* Adds (or replaces) the document with unique term "Q"+id: data, the
 * space-separated words of `words` as postings 1, 2, ..., and value 0. */
static void put_doc(zc_xap_db *db, const char *id, const char *data,
                    const char *words, const char *v0)
{
    zc_error err = {0};
    zc_xap_doc *doc = NULL;
    char qterm[64];
    assert_int_equal(zc_xap_doc_new(&doc, &err), ZC_OK);
    assert_int_equal(zc_xap_doc_set_data(doc, data, strlen(data), &err), ZC_OK);
    snprintf(qterm, sizeof qterm, "Q%s", id);
    assert_int_equal(zc_xap_doc_add_boolean_term(doc, qterm, strlen(qterm), &err), ZC_OK);
    uint32_t pos = 1;
    const char *p = words;
    while (*p) {
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e > p)
            assert_int_equal(zc_xap_doc_add_posting(doc, p, (size_t)(e - p), pos++, 1, &err),
                             ZC_OK);
        p = *e ? e + 1 : e;
    }
    if (v0)
        assert_int_equal(zc_xap_doc_add_value(doc, 0, v0, strlen(v0), &err), ZC_OK);
    assert_int_equal(zc_xap_db_replace_by_term(db, qterm, strlen(qterm), doc, &err), ZC_OK);
    zc_xap_doc_free(doc);
}

static zc_xap_query *term(const char *t)
{
    zc_xap_query *q = NULL;
    assert_int_equal(zc_xap_query_term(t, strlen(t), 1, 0, &q, NULL), ZC_OK);
    return q;
}

static zc_xap_query *combine(zc_xap_op op, unsigned window, size_t n, ...)
{
    zc_xap_query *subs[8];
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        subs[i] = va_arg(ap, zc_xap_query *);
    va_end(ap);
    zc_xap_query *q = NULL;
    zc_error err = {0};
    assert_int_equal(zc_xap_query_combine(op, subs, n, window, &q, &err), ZC_OK);
    for (size_t i = 0; i < n; i++)
        zc_xap_query_free(subs[i]);
    return q;
}

static zc_xap_mset *search(zc_xap_db *db, const zc_xap_query *q, int sort_slot,
                           int desc)
{
    zc_xap_search_params p = {0};
    p.query = q;
    p.limit = 100;
    p.sort_slot = sort_slot;
    p.sort_descending = desc;
    zc_xap_mset *ms = NULL;
    zc_error err = {0};
    zc_status st = zc_xap_search(db, &p, &ms, NULL, &err);
    if (st != ZC_OK)
        fprintf(stderr, "search: %s\n", err.message);
    assert_int_equal(st, ZC_OK);
    return ms;
}

/* The hits' data in rank order, comma-separated, into buf. */
static const char *hit_list(zc_xap_db *db, const zc_xap_query *q, int sort_slot,
                            int desc, char *buf, size_t cap)
{
    zc_xap_mset *ms = search(db, q, sort_slot, desc);
    buf[0] = '\0';
    for (size_t i = 0; i < zc_xap_mset_size(ms); i++) {
        char *d = NULL;
        size_t n = 0;
        assert_int_equal(zc_xap_mset_hit_data(ms, i, &d, &n, NULL), ZC_OK);
        if (i)
            strncat(buf, ",", cap - strlen(buf) - 1);
        strncat(buf, d, cap - strlen(buf) - 1);
        free(d);
    }
    zc_xap_mset_free(ms);
    return buf;
}

/* The set of hits as a bitmask of document numbers: data "dN" -> bit N. */
static unsigned hit_mask(zc_xap_db *db, zc_xap_query *q)
{
    zc_xap_mset *ms = search(db, q, -1, 0);
    unsigned mask = 0;
    for (size_t i = 0; i < zc_xap_mset_size(ms); i++) {
        char *d = NULL;
        assert_int_equal(zc_xap_mset_hit_data(ms, i, &d, NULL, NULL), ZC_OK);
        assert_true(d[0] == 'd');
        mask |= 1u << atoi(d + 1);
        free(d);
    }
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);
    return mask;
}

/* A tiny corpus:
 *   d1: apple banana cherry      (value 0: "2001")
 *   d2: banana cherry            (value 0: "2003")
 *   d3: cherry apple             (value 0: "2002")
 *   d4: durian                   (no value) */
static zc_xap_db *corpus(const char *path)
{
    zc_xap_db *db = open_ok(path, ZC_XAP_OPEN_CREATE);
    put_doc(db, "1", "d1", "apple banana cherry", "2001");
    put_doc(db, "2", "d2", "banana cherry", "2003");
    put_doc(db, "3", "d3", "cherry apple", "2002");
    put_doc(db, "4", "d4", "durian", NULL);
    assert_int_equal(zc_xap_db_commit(db, NULL), ZC_OK);
    return db;
}

/* Overwrites n bytes of path from offset `from` with a fixed garbage pattern. */
static void write_garbage(const char *path, long from, size_t n)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    char buf[256];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(0x5A ^ (i * 37));
    assert_int_equal(lseek(fd, from, SEEK_SET), from);
    while (n > 0) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        assert_int_equal(write(fd, buf, k), (ssize_t)k);
        n -= k;
    }
    close(fd);
}

/* ---- databases ---------------------------------------------------------- */

static void test_create_open_close(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    assert_true(zc_xap_db_is_writable(w));
    uint64_t n = 99, rev0 = 0, rev1 = 0;
    assert_int_equal(zc_xap_db_doc_count(w, &n, NULL), ZC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zc_xap_db_revision(w, &rev0, NULL), ZC_OK);
    put_doc(w, "1", "d1", "hello", NULL);
    assert_int_equal(zc_xap_db_doc_count(w, &n, NULL), ZC_OK);
    assert_int_equal(n, 1); /* a writer counts pending changes */
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_revision(w, &rev1, NULL), ZC_OK);
    assert_true(rev1 > rev0);
    /* A commit with nothing pending does not make a new revision. */
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_revision(w, &n, NULL), ZC_OK);
    assert_int_equal(n, rev1);
    zc_xap_db_close(w);

    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    assert_false(zc_xap_db_is_writable(r));
    assert_int_equal(zc_xap_db_doc_count(r, &n, NULL), ZC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(zc_xap_db_revision(r, &n, NULL), ZC_OK);
    assert_int_equal(n, rev1);
    zc_xap_db_close(r);

    /* ZC_XAP_OPEN_WRITE on an existing database works too. */
    w = open_ok(f->path, ZC_XAP_OPEN_WRITE);
    zc_xap_db_close(w);
    zc_xap_db_close(NULL);
}

static void test_close_discards_uncommitted(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    put_doc(w, "1", "d1", "kept", NULL);
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    put_doc(w, "2", "d2", "dropped", NULL);
    assert_int_equal(zc_xap_db_set_metadata(w, "k", "v", 1, NULL), ZC_OK);
    zc_xap_db_close(w);

    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_doc_count(r, &n, NULL), ZC_OK);
    assert_int_equal(n, 1);
    char *v = NULL;
    size_t len = 9;
    assert_int_equal(zc_xap_db_get_metadata(r, "k", &v, &len, NULL), ZC_OK);
    assert_int_equal(len, 0);
    free(v);
    zc_xap_db_close(r);
}

static void test_open_missing(void **state)
{
    fixture *f = *state;
    zc_error err = {0};
    zc_xap_db *db = (zc_xap_db *)1;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_READ, &db, &err), ZC_ENOTFOUND);
    assert_null(db);
    assert_int_equal(err.code, ZC_ENOTFOUND);
    assert_non_null(strstr(err.message, f->path));

    db = (zc_xap_db *)1;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_WRITE, &db, &err), ZC_ENOTFOUND);
    assert_null(db);

    /* A directory without an index in it. */
    db = (zc_xap_db *)1;
    assert_int_equal(zc_xap_db_open(f->dir, ZC_XAP_OPEN_READ, &db, &err), ZC_ENOTFOUND);
    assert_null(db);
    assert_true(err.message[0] != '\0');

    const char *paths[2] = {f->path, f->dir};
    assert_int_equal(zc_xap_db_open_shards(paths, 2, &db, &err), ZC_ENOTFOUND);
    assert_null(db);
    uint64_t errors = 7;
    assert_int_equal(zc_xap_db_check(f->path, &errors, &err), ZC_ENOTFOUND);
    assert_int_equal(errors, 0);

    assert_int_equal(zc_xap_db_open(NULL, ZC_XAP_OPEN_READ, &db, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_db_open(f->path, 42, &db, &err), ZC_EINVAL);
}

static void test_second_writer_locked(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    zc_error err = {0};
    zc_xap_db *w2 = (zc_xap_db *)1;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_WRITE, &w2, &err), ZC_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(err.message, "Lock"));
    /* Readers are not blocked by the writer. */
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    zc_xap_db_close(r);
    /* Closing the writer frees the lock. */
    zc_xap_db_close(w);
    w2 = open_ok(f->path, ZC_XAP_OPEN_WRITE);
    zc_xap_db_close(w2);
}

/* Builds a committed database of 200 documents, then overwrites its
 * postlist table from byte `from` to the end with garbage. */
static void make_corrupt(const char *path, long from)
{
    zc_xap_db *w = open_ok(path, ZC_XAP_OPEN_CREATE);
    char id[16], words[64];
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "%d", i);
        snprintf(words, sizeof words, "word%d common other%d", i, i % 7);
        put_doc(w, id, "data", words, NULL);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    zc_xap_db_close(w);

    char table[160];
    snprintf(table, sizeof table, "%s/postlist.glass", path);
    struct stat sb;
    assert_int_equal(stat(table, &sb), 0);
    assert_true(sb.st_size > from);
    write_garbage(table, from, (size_t)(sb.st_size - from));
}

/* Whatever the damage, the wrapper answers with statuses, never a crash. */
static void probe_corrupt(const char *path)
{
    zc_error err = {0};
    uint64_t errors = 0;
    zc_status st = zc_xap_db_check(path, &errors, &err);
    assert_true(st == ZC_ECORRUPT || (st == ZC_OK && errors > 0));
    assert_true(err.message[0] != '\0' || errors > 0);

    zc_xap_db *r = NULL;
    st = zc_xap_db_open(path, ZC_XAP_OPEN_READ, &r, &err);
    if (st != ZC_OK) {
        assert_int_equal(st, ZC_ECORRUPT);
        assert_null(r);
        return;
    }
    /* Opening may succeed; reads of the damaged table must then give a
     * status (or wrong answers Xapian cannot detect), never crash. */
    uint64_t n = 0;
    (void)zc_xap_db_term_freq(r, "common", 6, &n, &err);
    zc_xap_query *q = term("common");
    zc_xap_search_params p = {.query = q, .limit = 10, .sort_slot = -1};
    zc_xap_mset *ms = NULL;
    st = zc_xap_search(r, &p, &ms, NULL, &err);
    if (st != ZC_OK)
        assert_null(ms);
    for (size_t i = 0; i < zc_xap_mset_size(ms); i++) {
        char *d = NULL;
        if (zc_xap_mset_hit_data(ms, i, &d, NULL, &err) == ZC_OK)
            free(d);
    }
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);
    char *d = NULL;
    if (zc_xap_db_doc_data(r, 3, &d, NULL, &err) == ZC_OK)
        free(d);
    zc_xap_db_close(r);
}

static void test_corrupt_database(void **state)
{
    fixture *f = *state;
    /* The whole table: its root block is unreadable. */
    make_corrupt(f->path, 0);
    zc_error err = {0};
    zc_xap_db *r = NULL;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_READ, &r, &err), ZC_ECORRUPT);
    assert_non_null(strstr(err.message, "DatabaseCorruptError"));
    probe_corrupt(f->path);
}

/* A truncated table: Xapian calls it a plain DatabaseError ("EOF reading
 * block"); the check reports it as damage, opening as an I/O error.
 * (Garbage inside a block whose header survives is not tested: libxapian
 * 1.4 then reads past its block buffer, see valgrind.) */
static void test_truncated_table(void **state)
{
    fixture *f = *state;
    zc_xap_db_close(corpus(f->path));
    char table[160];
    snprintf(table, sizeof table, "%s/docdata.glass", f->path);
    assert_int_equal(truncate(table, 100), 0);
    zc_error err = {0};
    uint64_t errors = 0;
    assert_int_equal(zc_xap_db_check(f->path, &errors, &err), ZC_ECORRUPT);
    assert_non_null(strstr(err.message, "EOF"));
    zc_xap_db *r = NULL;
    zc_status st = zc_xap_db_open(f->path, ZC_XAP_OPEN_READ, &r, &err);
    assert_true(st == ZC_EIO || st == ZC_ECORRUPT);
    assert_null(r);
}

/* An index written by another glass format version: ZC_EVERSION.  The
 * version follows the 14-byte magic at the start of "iamglass". */
static void test_version_mismatch(void **state)
{
    fixture *f = *state;
    zc_xap_db_close(corpus(f->path));
    char rev[160];
    snprintf(rev, sizeof rev, "%s/iamglass", f->path);
    int fd = open(rev, O_RDWR);
    assert_true(fd >= 0);
    char magic[14];
    assert_int_equal(pread(fd, magic, sizeof magic, 0), (ssize_t)sizeof magic);
    assert_memory_equal(magic, "\x0f\x0dXapian Glass", sizeof magic);
    assert_int_equal(pwrite(fd, "\x09", 1, 15), 1);
    close(fd);
    zc_error err = {0};
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_READ, &db, &err), ZC_EVERSION);
    assert_null(db);
    assert_non_null(strstr(err.message, "format version"));
    assert_int_equal(zc_xap_db_open(f->path, ZC_XAP_OPEN_WRITE, &db, &err), ZC_EVERSION);
    assert_null(db);
}

/* Creating below a missing parent directory is a file system error. */
static void test_create_in_missing_parent(void **state)
{
    fixture *f = *state;
    char p[160];
    snprintf(p, sizeof p, "%s/no/such/db", f->dir);
    zc_error err = {0};
    zc_xap_db *db = NULL;
    assert_int_equal(zc_xap_db_open(p, ZC_XAP_OPEN_CREATE, &db, &err), ZC_EIO);
    assert_null(db);
    assert_non_null(strstr(err.message, "mkdir"));
}

static void test_check_good_database(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    zc_xap_db_close(w);
    uint64_t errors = 99;
    zc_error err = {0};
    assert_int_equal(zc_xap_db_check(f->path, &errors, &err), ZC_OK);
    assert_int_equal(errors, 0);
}

static void test_metadata_round_trip(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    const char val[] = "格式\0one";
    assert_int_equal(zc_xap_db_set_metadata(w, "zhengce.format", val, sizeof val - 1, NULL),
                     ZC_OK);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(zc_xap_db_get_metadata(w, "zhengce.format", &out, &len, NULL), ZC_OK);
    assert_int_equal(len, sizeof val - 1);
    assert_memory_equal(out, val, len);
    assert_int_equal(out[len], '\0');
    free(out);
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    zc_xap_db_close(w);

    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    assert_int_equal(zc_xap_db_get_metadata(r, "zhengce.format", &out, &len, NULL), ZC_OK);
    assert_int_equal(len, sizeof val - 1);
    assert_memory_equal(out, val, len);
    free(out);
    /* A missing key is an empty string, not an error. */
    assert_int_equal(zc_xap_db_get_metadata(r, "absent", &out, &len, NULL), ZC_OK);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
    zc_error err = {0};
    assert_int_equal(zc_xap_db_get_metadata(r, "", &out, &len, &err), ZC_EINVAL);
    assert_null(out);
    zc_xap_db_close(r);
}

static void test_replace_and_delete(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    put_doc(w, "a", "first", "one", NULL);
    put_doc(w, "a", "second", "two", NULL);
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_doc_count(w, &n, NULL), ZC_OK);
    assert_int_equal(n, 1);
    uint32_t id = 0;
    assert_int_equal(zc_xap_db_find_term(w, "Qa", 2, &id, NULL), ZC_OK);
    assert_true(id != 0);
    char *d = NULL;
    size_t len = 0;
    assert_int_equal(zc_xap_db_doc_data(w, id, &d, &len, NULL), ZC_OK);
    assert_string_equal(d, "second");
    free(d);
    /* The replaced document's terms are gone. */
    assert_int_equal(zc_xap_db_term_freq(w, "one", 3, &n, NULL), ZC_OK);
    assert_int_equal(n, 0);

    assert_int_equal(zc_xap_db_delete_by_term(w, "Qa", 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_delete_by_term(w, "Qnever", 6, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_doc_count(w, &n, NULL), ZC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zc_xap_db_find_term(w, "Qa", 2, &id, NULL), ZC_OK);
    assert_int_equal(id, 0);
    zc_error err = {0};
    assert_int_equal(zc_xap_db_doc_data(w, 1, &d, &len, &err), ZC_ENOTFOUND);
    assert_null(d);
    assert_int_equal(len, 0);
    assert_int_equal(zc_xap_db_doc_data(w, 0, &d, &len, &err), ZC_ENOTFOUND);
    zc_xap_db_close(w);
}

static void test_term_freq_and_find(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_term_freq(w, "cherry", 6, &n, NULL), ZC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(zc_xap_db_term_freq(w, "apple", 5, &n, NULL), ZC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(zc_xap_db_term_freq(w, "nothing", 7, &n, NULL), ZC_OK);
    assert_int_equal(n, 0);
    uint32_t id = 0;
    assert_int_equal(zc_xap_db_find_term(w, "Q3", 2, &id, NULL), ZC_OK);
    char *d = NULL;
    assert_int_equal(zc_xap_db_doc_data(w, id, &d, NULL, NULL), ZC_OK);
    assert_string_equal(d, "d3");
    free(d);
    zc_error err = {0};
    assert_int_equal(zc_xap_db_find_term(w, "", 0, &id, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_db_term_freq(w, NULL, 0, &n, &err), ZC_EINVAL);
    zc_xap_db_close(w);
}

static void test_doc_data_nul_and_values(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    zc_xap_doc *doc = NULL;
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    const char data[] = "{\"t\":\"振兴\"}\0tail\0";
    const char val[] = "\0\x01\xff";
    assert_int_equal(zc_xap_doc_set_data(doc, data, sizeof data - 1, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_add_value(doc, 3, val, sizeof val - 1, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_add_value(doc, 4, "zh", 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_add_boolean_term(doc, "Qx", 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_add_term(doc, "振兴", strlen("振兴"), 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_term_count(doc), 2);
    assert_int_equal(zc_xap_db_replace_by_term(w, "Qx", 2, doc, NULL), ZC_OK);
    zc_xap_doc_free(doc);
    zc_xap_doc_free(NULL);
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);

    uint32_t id = 0;
    assert_int_equal(zc_xap_db_find_term(w, "Qx", 2, &id, NULL), ZC_OK);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(zc_xap_db_doc_data(w, id, &out, &len, NULL), ZC_OK);
    assert_int_equal(len, sizeof data - 1);
    assert_memory_equal(out, data, len);
    assert_int_equal(out[len], '\0');
    free(out);
    assert_int_equal(zc_xap_db_doc_value(w, id, 3, &out, &len, NULL), ZC_OK);
    assert_int_equal(len, sizeof val - 1);
    assert_memory_equal(out, val, len);
    free(out);
    assert_int_equal(zc_xap_db_doc_value(w, id, 4, &out, &len, NULL), ZC_OK);
    assert_string_equal(out, "zh");
    free(out);
    /* An unset slot is empty. */
    assert_int_equal(zc_xap_db_doc_value(w, id, 9, &out, &len, NULL), ZC_OK);
    assert_int_equal(len, 0);
    free(out);
    zc_error err = {0};
    assert_int_equal(zc_xap_db_doc_value(w, id + 5, 3, &out, &len, &err), ZC_ENOTFOUND);
    assert_null(out);
    zc_xap_db_close(w);
}

static void test_term_limits(void **state)
{
    (void)state;
    zc_xap_doc *doc = NULL;
    zc_error err = {0};
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    char big[300];
    memset(big, 'x', sizeof big);
    assert_int_equal(zc_xap_doc_add_term(doc, big, sizeof big, 1, &err), ZC_ETOOLONG);
    assert_int_equal(zc_xap_doc_add_posting(doc, big, 246, 1, 1, &err), ZC_ETOOLONG);
    assert_int_equal(zc_xap_doc_add_boolean_term(doc, big, 245, &err), ZC_OK);
    assert_int_equal(zc_xap_doc_add_term(doc, "", 0, 1, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_doc_add_boolean_term(doc, NULL, 3, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_doc_set_data(doc, NULL, 3, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_doc_term_count(doc), 1);
    zc_xap_doc_free(doc);
}

/* ---- queries ------------------------------------------------------------ */

static void test_phrase_and_near(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    /* apple banana: in order only in d1. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("apple"), term("banana"))),
                     1u << 1);
    /* banana cherry adjacent in order: d1 and d2. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("banana"), term("cherry"))),
                     (1u << 1) | (1u << 2));
    /* cherry apple: only d3 (d1 has them reversed and apart). */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("cherry"), term("apple"))),
                     1u << 3);
    /* NEAR ignores order: apple/cherry within 3 positions in d1 and d3. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_NEAR, 3, 2, term("cherry"), term("apple"))),
                     (1u << 1) | (1u << 3));
    /* ...but not within 2 positions in d1 (apple@1, cherry@3). */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_NEAR, 2, 2, term("cherry"), term("apple"))),
                     1u << 3);
    /* A positioned query term still matches. */
    zc_xap_query *q = NULL;
    assert_int_equal(zc_xap_query_term("durian", 6, 1, 1, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), 1u << 4);
    zc_xap_db_close(w);
}

static void test_boolean_operators(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    const unsigned d1 = 1u << 1, d2 = 1u << 2, d3 = 1u << 3, d4 = 1u << 4;
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_AND, 0, 2, term("apple"), term("banana"))), d1);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_OR, 0, 2, term("apple"), term("durian"))),
                     d1 | d3 | d4);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_AND_NOT, 0, 2, term("cherry"), term("apple"))),
                     d2);
    /* AND_NOT of several: first minus the OR of the rest. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_AND_NOT, 0, 3, term("cherry"), term("apple"),
                                         term("durian"))),
                     d2);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_AND_NOT, 0, 3, term("cherry"), term("banana"),
                                         term("apple"))),
                     0);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_FILTER, 0, 2, term("cherry"), term("banana"))),
                     d1 | d2);
    /* FILTER of several: restricted by all of the rest. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_FILTER, 0, 3, term("cherry"), term("banana"),
                                         term("apple"))),
                     d1);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_AND_MAYBE, 0, 2, term("cherry"), term("apple"))),
                     d1 | d2 | d3);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_SYNONYM, 0, 2, term("apple"), term("durian"))),
                     d1 | d3 | d4);

    /* AND_MAYBE: the optional term only adds weight, so documents with it
     * rank first; FILTER: the filter adds none, so weights equal the
     * first subquery's alone. */
    zc_xap_query *q = combine(ZC_XAP_OP_AND_MAYBE, 0, 2, term("cherry"), term("banana"));
    zc_xap_mset *ms = search(w, q, -1, 0);
    assert_int_equal(zc_xap_mset_size(ms), 3);
    double w0, w2;
    uint32_t id0, id2;
    assert_int_equal(zc_xap_mset_hit(ms, 0, &id0, &w0, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_hit(ms, 2, &id2, &w2, NULL), ZC_OK);
    assert_true(w0 > w2);
    char *d = NULL;
    assert_int_equal(zc_xap_mset_hit_data(ms, 2, &d, NULL, NULL), ZC_OK);
    assert_string_equal(d, "d3"); /* the one without banana */
    free(d);
    zc_error err = {0};
    assert_int_equal(zc_xap_mset_hit(ms, 3, &id0, &w0, &err), ZC_EINVAL);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);

    q = combine(ZC_XAP_OP_FILTER, 0, 2, term("durian"), term("Q4"));
    ms = search(w, q, -1, 0);
    assert_int_equal(zc_xap_mset_size(ms), 1);
    zc_xap_query *plain = term("durian");
    zc_xap_mset *ms2 = search(w, plain, -1, 0);
    assert_int_equal(zc_xap_mset_hit(ms, 0, NULL, &w0, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_hit(ms2, 0, NULL, &w2, NULL), ZC_OK);
    assert_true(w0 == w2);
    zc_xap_mset_free(ms);
    zc_xap_mset_free(ms2);
    zc_xap_query_free(q);
    zc_xap_query_free(plain);

    /* Match-all and scale. */
    assert_int_equal(zc_xap_query_match_all(&q, NULL), ZC_OK);
    assert_false(zc_xap_query_is_empty(q));
    zc_xap_query *scaled = NULL;
    assert_int_equal(zc_xap_query_scale(q, 2.0, &scaled, NULL), ZC_OK);
    assert_int_equal(zc_xap_query_scale(q, -1.0, &plain, &err), ZC_EINVAL);
    assert_null(plain);
    assert_int_equal(hit_mask(w, q), d1 | d2 | d3 | d4);
    char *desc = zc_xap_query_describe(scaled);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "2"));
    free(desc);
    zc_xap_query_free(scaled);

    /* A query from no subqueries matches nothing. */
    assert_int_equal(zc_xap_query_combine(ZC_XAP_OP_OR, NULL, 0, 0, &q, NULL), ZC_OK);
    assert_true(zc_xap_query_is_empty(q));
    assert_int_equal(hit_mask(w, q), 0);
    zc_xap_db_close(w);
}

static void test_value_range(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    const unsigned d1 = 1u << 1, d2 = 1u << 2, d3 = 1u << 3;
    zc_xap_query *q = NULL;
    assert_int_equal(zc_xap_query_value_range(0, "2002", 4, "2003", 4, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), d2 | d3);
    assert_int_equal(zc_xap_query_value_range(0, "2002", 4, NULL, 0, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), d2 | d3);
    assert_int_equal(zc_xap_query_value_range(0, NULL, 0, "2002", 4, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), d1 | d3);
    assert_int_equal(zc_xap_query_value_range(0, NULL, 0, "2001", 4, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), d1);
    /* Both ends open: every document holding a value (not d4). */
    assert_int_equal(zc_xap_query_value_range(0, NULL, 0, NULL, 0, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), d1 | d2 | d3);
    assert_int_equal(zc_xap_query_value_range(0, "2004", 4, "2009", 4, &q, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, q), 0);
    /* Combined as a filter. */
    zc_xap_query *r = NULL;
    assert_int_equal(zc_xap_query_value_range(0, "2002", 4, NULL, 0, &r, NULL), ZC_OK);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_FILTER, 0, 2, term("cherry"), r)), d2 | d3);
    zc_xap_db_close(w);
}

static void test_sort_by_value(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    char buf[128];
    zc_xap_query *q = term("cherry");
    assert_string_equal(hit_list(w, q, 0, 1, buf, sizeof buf), "d2,d3,d1");
    assert_string_equal(hit_list(w, q, 0, 0, buf, sizeof buf), "d1,d3,d2");
    zc_xap_query_free(q);
    /* A document without the value sorts as "" (lowest). */
    assert_int_equal(zc_xap_query_match_all(&q, NULL), ZC_OK);
    assert_string_equal(hit_list(w, q, 0, 1, buf, sizeof buf), "d2,d3,d1,d4");
    assert_string_equal(hit_list(w, q, 0, 0, buf, sizeof buf), "d4,d1,d3,d2");
    zc_xap_query_free(q);
    zc_xap_db_close(w);
}

static void test_facets(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    /* slot 0 (year): 2003 x3, 2001 x2, 2002 x2, 1999 x1; one doc has none. */
    const char *years[] = {"2001", "2003", "2002", "2003", "1999", "2002", "2003", "2001", NULL};
    char id[16];
    for (int i = 0; i < 9; i++) {
        snprintf(id, sizeof id, "%d", i);
        put_doc(w, id, "d0", i % 2 ? "policy odd" : "policy even", years[i]);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);

    zc_xap_query *q = term("policy");
    unsigned slots[2] = {0, 7};
    zc_xap_search_params p = {.query = q, .limit = 2, .sort_slot = -1,
                              .facet_slots = slots, .n_facet_slots = 2};
    zc_xap_mset *ms = NULL;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 2);
    /* Facets count the whole match set, not just the page. */
    assert_int_equal(zc_xap_mset_facet_size(ms, 0), 4);
    const char *want[] = {"2003", "2001", "2002", "1999"};
    const uint64_t want_n[] = {3, 2, 2, 1};
    for (size_t j = 0; j < 4; j++) {
        const char *v = NULL;
        size_t len = 0;
        uint64_t n = 0;
        assert_int_equal(zc_xap_mset_facet_value(ms, 0, j, &v, &len, &n, NULL), ZC_OK);
        assert_int_equal(len, 4);
        assert_memory_equal(v, want[j], 4);
        assert_int_equal(n, want_n[j]);
    }
    assert_int_equal(zc_xap_mset_facet_size(ms, 1), 0); /* an empty slot */
    assert_int_equal(zc_xap_mset_facet_size(ms, 2), 0); /* no such facet */
    zc_error err = {0};
    const char *v = NULL;
    assert_int_equal(zc_xap_mset_facet_value(ms, 0, 4, &v, NULL, NULL, &err), ZC_EINVAL);
    assert_null(v);
    zc_xap_mset_free(ms);

    /* Facets follow the query. */
    zc_xap_query *q2 = combine(ZC_XAP_OP_FILTER, 0, 2, term("policy"), term("odd"));
    p.query = q2;
    p.n_facet_slots = 1;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    /* odd i: 1 2003, 3 2003, 5 2002, 7 2001 */
    assert_int_equal(zc_xap_mset_facet_size(ms, 0), 3);
    uint64_t n = 0;
    size_t len = 0;
    assert_int_equal(zc_xap_mset_facet_value(ms, 0, 0, &v, &len, &n, NULL), ZC_OK);
    assert_memory_equal(v, "2003", 4);
    assert_int_equal(n, 2);
    assert_int_equal(zc_xap_mset_facet_value(ms, 0, 1, &v, &len, &n, NULL), ZC_OK);
    assert_memory_equal(v, "2001", 4);
    assert_int_equal(n, 1);
    zc_xap_mset_free(ms);

    p.n_facet_slots = ZC_XAP_MAX_FACETS + 1;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, &err), ZC_EINVAL);
    assert_null(ms);
    zc_xap_query_free(q);
    zc_xap_query_free(q2);
    zc_xap_db_close(w);
}

static void test_check_at_least_exact(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    char id[16];
    int n_match = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "%d", i);
        int m = i % 3 != 0;
        n_match += m;
        put_doc(w, id, "d0", m ? "alpha beta" : "alpha gamma", NULL);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);

    zc_xap_query *q = combine(ZC_XAP_OP_AND, 0, 2, term("alpha"), term("beta"));
    zc_xap_search_params p = {.query = q, .limit = 5, .sort_slot = -1, .check_at_least = 300};
    zc_xap_mset *ms = NULL;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 5);
    assert_int_equal(zc_xap_mset_lower_bound(ms), n_match);
    assert_int_equal(zc_xap_mset_upper_bound(ms), n_match);
    assert_int_equal(zc_xap_mset_estimated(ms), n_match);
    zc_xap_mset_free(ms);

    /* Paging: offset past some hits. */
    p.offset = n_match - 2;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 2);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);
    zc_xap_db_close(w);
}

/* Collapsing on a value: one document per value (or collapse_max), the
 * documents without a value never collapsed; facet spies count every
 * match, before collapsing; several values of a hit read at once. */
static void test_collapse_and_hit_values(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    static const char *const v[] = {"g1", "g1", "g1", "g2", NULL, NULL};
    char id[16];
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "%d", i);
        put_doc(w, id, "d", "alpha", v[i]);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    zc_xap_query *q = term("alpha");
    unsigned slot0 = 0;
    zc_xap_search_params p = {.query = q, .limit = 10, .sort_slot = -1, .check_at_least = 100,
                              .facet_slots = &slot0, .n_facet_slots = 1, .collapse = 1,
                              .collapse_slot = 0};
    zc_xap_mset *ms = NULL;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 4);
    assert_int_equal(zc_xap_mset_lower_bound(ms), 4);
    assert_int_equal(zc_xap_mset_facet_size(ms, 0), 2);
    const char *fv = NULL;
    size_t fl = 0;
    uint64_t count = 0;
    assert_int_equal(zc_xap_mset_facet_value(ms, 0, 0, &fv, &fl, &count, NULL), ZC_OK);
    assert_memory_equal(fv, "g1", 2);
    assert_int_equal(count, 3);
    /* several values of one hit: one that is there, one that is not */
    unsigned slots[2] = {0, 7};
    char *vals[2];
    size_t lens[2];
    int seen_g1 = 0;
    for (size_t i = 0; i < zc_xap_mset_size(ms); i++) {
        assert_int_equal(zc_xap_mset_hit_values(ms, i, slots, 2, vals, lens, NULL), ZC_OK);
        seen_g1 += lens[0] == 2 && memcmp(vals[0], "g1", 2) == 0;
        assert_int_equal(lens[1], 0);
        assert_string_equal(vals[1], "");
        free(vals[0]);
        free(vals[1]);
    }
    assert_int_equal(seen_g1, 1);
    zc_error err = {0};
    assert_int_equal(zc_xap_mset_hit_values(ms, 99, slots, 2, vals, lens, &err), ZC_EINVAL);
    assert_null(vals[0]);
    zc_xap_mset_free(ms);
    p.collapse_max = 2;
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 5);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);
    zc_xap_db_close(w);
}

static void test_time_limit_reported(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    zc_xap_query *q = term("cherry");
    zc_xap_search_params p = {.query = q, .limit = 10, .sort_slot = -1, .time_limit_s = 1e-9};
    zc_xap_mset *ms = NULL;
    int timed_out = 0;
    assert_int_equal(zc_xap_search(w, &p, &ms, &timed_out, NULL), ZC_OK);
    assert_int_equal(timed_out, 1); /* any search takes over a nanosecond */
    zc_xap_mset_free(ms);
    p.time_limit_s = 30;
    assert_int_equal(zc_xap_search(w, &p, &ms, &timed_out, NULL), ZC_OK);
    assert_int_equal(timed_out, 0);
    assert_int_equal(zc_xap_mset_size(ms), 3);
    zc_xap_mset_free(ms);
    zc_error err = {0};
    p.time_limit_s = -1;
    assert_int_equal(zc_xap_search(w, &p, &ms, &timed_out, &err), ZC_EINVAL);
    zc_xap_query_free(q);
    zc_xap_db_close(w);
}

/* ---- shard-safe restriction and serialisation ----------------------------- */

/* q restricted to the id terms ids[0..n) (NUL-terminated). */
static zc_xap_query *only(const zc_xap_query *q, const char *const *ids, size_t n)
{
    size_t lens[8];
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(ids[i]);
    zc_xap_query *r = NULL;
    zc_error err = {0};
    assert_int_equal(zc_xap_query_only_terms(NULL, q, NULL, ids, lens, n, &r, &err), ZC_OK);
    assert_non_null(r);
    return r;
}

/* A rescoring-shaped query: cherry, with a plain boost (apple) and a
 * positional one (the phrase "banana cherry") as AND_MAYBE right sides,
 * under a FILTER. */
static zc_xap_query *boosted(void)
{
    zc_xap_query *q = combine(ZC_XAP_OP_AND_MAYBE, 0, 2, term("cherry"), term("apple"));
    q = combine(ZC_XAP_OP_AND_MAYBE, 0, 2, q,
                combine(ZC_XAP_OP_PHRASE, 0, 2, term("banana"), term("cherry")));
    zc_xap_query *all = NULL;
    assert_int_equal(zc_xap_query_match_all(&all, NULL), ZC_OK);
    return combine(ZC_XAP_OP_FILTER, 0, 2, q, all);
}

/* Weight of the hit whose data is `data` in ms, or -1. */
static double weight_of(zc_xap_mset *ms, const char *data)
{
    for (size_t i = 0; i < zc_xap_mset_size(ms); i++) {
        char *d = NULL;
        double w = 0;
        assert_int_equal(zc_xap_mset_hit_data(ms, i, &d, NULL, NULL), ZC_OK);
        assert_int_equal(zc_xap_mset_hit(ms, i, NULL, &w, NULL), ZC_OK);
        int same = strcmp(d, data) == 0;
        free(d);
        if (same)
            return w;
    }
    return -1;
}

/* The rescoring window's restriction: only the listed documents, each with
 * exactly the weight it has in the unrestricted query (the filter terms add
 * nothing), in the same order; duplicates and unknown ids are harmless. */
static void test_only_terms_keeps_weights(void **state)
{
    fixture *f = *state;
    zc_xap_db *db = corpus(f->path);
    zc_xap_query *q = boosted();
    zc_xap_mset *full = search(db, q, -1, 0);
    assert_int_equal(zc_xap_mset_size(full), 3);

    static const char *const ids[] = {"Q3", "Q1", "Q3", "Q9"};
    zc_xap_query *r = only(q, ids, 4);
    char buf[64], want[64] = "";
    hit_list(db, q, -1, 0, buf, sizeof buf);
    /* the full order with d2 left out */
    for (char *t = strtok(buf, ","); t != NULL; t = strtok(NULL, ","))
        if (strcmp(t, "d2") != 0)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", want[0] ? "," : "",
                     t);
    assert_string_equal(hit_list(db, r, -1, 0, buf, sizeof buf), want);
    zc_xap_mset *ms = search(db, r, -1, 0);
    assert_int_equal(zc_xap_mset_size(ms), 2);
    assert_true(weight_of(ms, "d1") == weight_of(full, "d1"));
    assert_true(weight_of(ms, "d3") == weight_of(full, "d3"));
    assert_true(weight_of(ms, "d1") > 0);
    zc_xap_mset_free(ms);
    zc_xap_query_free(r);

    /* No ids: nothing. */
    r = only(q, NULL, 0);
    assert_int_equal(hit_mask(db, r), 0);

    zc_error err = {0};
    size_t len0 = 0;
    const char *empty[] = {""};
    assert_int_equal(zc_xap_query_only_terms(NULL, q, NULL, empty, &len0, 1, &r, &err), ZC_EINVAL);
    assert_null(r);
    assert_int_equal(zc_xap_query_only_terms(NULL, q, NULL, NULL, NULL, 2, &r, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_query_only_terms(NULL, NULL, NULL, ids, &len0, 0, &r, &err), ZC_EINVAL);
    zc_xap_mset_free(full);
    zc_xap_query_free(q);
    zc_xap_db_close(db);
}

/* Every kind of query the wrapper builds survives Query::serialise() and
 * unserialise() with Xapian's default Registry, which is all a stock
 * xapian-tcpsrv has: no PostingSource, MatchDecider or KeyMaker of ours
 * anywhere (a docid posting source once restricted the rescoring window;
 * it could not be serialised, so a remote shard failed every rescored
 * SEARCH). */
static void test_queries_serialise_for_remote_shards(void **state)
{
    (void)state;
    zc_xap_query *v[32];
    size_t n = 0;
    static const zc_xap_op ops[] = {ZC_XAP_OP_AND,     ZC_XAP_OP_OR,      ZC_XAP_OP_AND_NOT,
                                    ZC_XAP_OP_AND_MAYBE, ZC_XAP_OP_FILTER, ZC_XAP_OP_PHRASE,
                                    ZC_XAP_OP_NEAR,    ZC_XAP_OP_SYNONYM, ZC_XAP_OP_ELITE_SET};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        v[n++] = combine(ops[i], ops[i] == ZC_XAP_OP_NEAR ? 5 : 0, 3, term("振兴"),
                         term("东北"), term("Zrevit"));
    assert_int_equal(zc_xap_query_value_range(0, "2001", 4, "2003", 4, &v[n++], NULL), ZC_OK);
    assert_int_equal(zc_xap_query_value_range(1, "2001", 4, NULL, 0, &v[n++], NULL), ZC_OK);
    assert_int_equal(zc_xap_query_value_range(1, NULL, 0, "2003", 4, &v[n++], NULL), ZC_OK);
    assert_int_equal(zc_xap_query_value_range(3, NULL, 0, NULL, 0, &v[n++], NULL), ZC_OK);
    assert_int_equal(zc_xap_query_match_all(&v[n++], NULL), ZC_OK);
    assert_int_equal(zc_xap_query_scale(v[3], 2.5, &v[n], NULL), ZC_OK);
    n++;
    zc_xap_query *q = boosted();
    static const char *const ids[] = {"Qne-2016-62-zh", "Q#0123456789abcdef长", "Q1"};
    v[n++] = only(q, ids, 3);
    /* the authority prior: Xapian's own ValueMapPostingSource, scaled,
     * beside a query and restricted to ids as the rescoring pass does */
    static const char *const keys[] = {"law/central", "local_reg/municipal"};
    static const size_t lens[] = {11, 19};
    static const double w[] = {3.0, 1.0};
    zc_xap_query *vm = NULL, *prior = NULL;
    assert_int_equal(zc_xap_query_value_map(6, keys, lens, w, 2, 0.0, &vm, NULL), ZC_OK);
    assert_int_equal(zc_xap_query_scale(vm, 2.5, &prior, NULL), ZC_OK);
    size_t first_vm = n;
    v[n++] = vm;
    zc_xap_query *with = combine(ZC_XAP_OP_AND_MAYBE, 0, 2, q, prior); /* takes q, prior */
    v[n++] = only(with, ids, 3);
    zc_xap_query_free(with);
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        char *d = zc_xap_query_describe(v[i]);
        if (!zc_xap_test_query_roundtrips(v[i], &why))
            fail_msg("%s: %s", d, why);
        if (i < first_vm)
            assert_null(strstr(d, "PostingSource"));
        else /* the built-in one, never one of ours */
            assert_non_null(strstr(d, "ValueMapPostingSource"));
        free(d);
        zc_xap_query_free(v[i]);
    }
}

/* zc_xap_query_value_map weighs each document by its value's mapping (the
 * default for other values), and only documents with a value match it; the
 * match set's max attained weight is the best hit's. */
static void test_value_map_weights(void **state)
{
    fixture *f = *state;
    zc_xap_db *db = corpus(f->path);
    static const char *const keys[] = {"2001", "2003"};
    static const size_t lens[] = {4, 4};
    static const double w[] = {3.0, 1.0};
    zc_xap_query *vm = NULL;
    assert_int_equal(zc_xap_query_value_map(0, keys, lens, w, 2, 0.5, &vm, NULL), ZC_OK);
    char buf[128];
    assert_string_equal(hit_list(db, vm, -1, 0, buf, sizeof buf), "d1,d2,d3");
    zc_xap_mset *ms = search(db, vm, -1, 0);
    double wt = 0;
    assert_int_equal(zc_xap_mset_hit(ms, 0, NULL, &wt, NULL), ZC_OK);
    assert_true(wt == 3.0);
    assert_true(zc_xap_mset_max_attained(ms) == 3.0);
    assert_int_equal(zc_xap_mset_hit(ms, 2, NULL, &wt, NULL), ZC_OK);
    assert_true(wt == 0.5);
    zc_xap_mset_free(ms);
    assert_true(zc_xap_mset_max_attained(NULL) == 0);
    /* bad weights and arguments */
    static const double neg[] = {3.0, -1.0};
    zc_xap_query *bad = NULL;
    assert_int_equal(zc_xap_query_value_map(0, keys, lens, neg, 2, 0, &bad, NULL), ZC_EINVAL);
    assert_null(bad);
    assert_int_equal(zc_xap_query_value_map(0, keys, lens, w, 2, -0.5, &bad, NULL), ZC_EINVAL);
    assert_int_equal(zc_xap_query_value_map(0, NULL, lens, w, 2, 0, &bad, NULL), ZC_EINVAL);
    assert_int_equal(zc_xap_query_value_map(0, NULL, NULL, NULL, 0, 0, &bad, NULL), ZC_OK);
    zc_xap_query_free(bad);
    zc_xap_query_free(vm);
    zc_xap_db_close(db);
}

/* ---- readers and writers ------------------------------------------------ */

static void test_reader_reopen_sees_commit(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    int changed = 7;
    assert_int_equal(zc_xap_db_reopen(r, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 0);

    put_doc(w, "5", "d5", "elderberry", NULL);
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_doc_count(r, &n, NULL), ZC_OK);
    assert_int_equal(n, 4); /* uncommitted: invisible */
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_reopen(r, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(zc_xap_db_doc_count(r, &n, NULL), ZC_OK);
    assert_int_equal(n, 5);
    assert_int_equal(hit_mask(r, term("elderberry")), 1u << 5);
    assert_int_equal(zc_xap_db_reopen(r, NULL, NULL), ZC_OK);
    zc_xap_db_close(r);
    zc_xap_db_close(w);
}

/* A reader left at an old revision while a writer commits many times has
 * its blocks recycled under it: Xapian throws DatabaseModifiedError, which
 * the wrapper must absorb (reopen, retry). */
static void test_reader_survives_many_commits(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    char id[16], words[96], data[32];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "%d", i);
        snprintf(words, sizeof words, "common word%d rev0", i);
        put_doc(w, id, "old", words, NULL);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    uint32_t first = 0;
    assert_int_equal(zc_xap_db_find_term(r, "Q0", 2, &first, NULL), ZC_OK);

    for (int round = 1; round <= 4; round++) {
        for (int i = 0; i < 300; i++) {
            snprintf(id, sizeof id, "%d", i);
            snprintf(words, sizeof words, "common word%d rev%d", i, round);
            snprintf(data, sizeof data, "new%d", round);
            put_doc(w, id, data, words, NULL);
        }
        assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);
    }

    zc_error err = {0};
    zc_xap_query *q = term("common");
    zc_xap_search_params p = {.query = q, .limit = 300, .sort_slot = -1};
    zc_xap_mset *ms = NULL;
    zc_status st = zc_xap_search(r, &p, &ms, NULL, &err);
    if (st != ZC_OK)
        fprintf(stderr, "search: %s\n", err.message);
    assert_int_equal(st, ZC_OK);
    assert_int_equal(zc_xap_mset_size(ms), 300);
    char *d = NULL;
    assert_int_equal(zc_xap_mset_hit_data(ms, 0, &d, NULL, &err), ZC_OK);
    free(d);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);
    assert_int_equal(zc_xap_db_doc_data(r, first, &d, NULL, &err), ZC_OK);
    assert_string_equal(d, "new4");
    free(d);
    zc_xap_db_close(r);
    zc_xap_db_close(w);
}

static void test_readonly_writes_refused(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    zc_xap_db_close(w);
    zc_xap_db *r = open_ok(f->path, ZC_XAP_OPEN_READ);
    zc_error err = {0};
    zc_xap_doc *doc = NULL;
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_replace_by_term(r, "Q9", 2, doc, &err), ZC_EREADONLY);
    assert_int_equal(err.code, ZC_EREADONLY);
    assert_int_equal(zc_xap_db_delete_by_term(r, "Q1", 2, &err), ZC_EREADONLY);
    assert_int_equal(zc_xap_db_set_metadata(r, "k", "v", 1, &err), ZC_EREADONLY);
    assert_int_equal(zc_xap_db_commit(r, &err), ZC_EREADONLY);
    zc_xap_doc_free(doc);
    uint64_t n = 0;
    assert_int_equal(zc_xap_db_doc_count(r, &n, NULL), ZC_OK);
    assert_int_equal(n, 4);
    zc_xap_db_close(r);
}

static void test_shards(void **state)
{
    fixture *f = *state;
    char p2[128];
    snprintf(p2, sizeof p2, "%s/db2", f->dir);
    zc_xap_db *w1 = corpus(f->path);
    zc_xap_db *w2 = open_ok(p2, ZC_XAP_OPEN_CREATE);
    put_doc(w2, "5", "d5", "cherry fig", "2005");
    assert_int_equal(zc_xap_db_commit(w2, NULL), ZC_OK);

    const char *paths[2] = {f->path, p2};
    zc_xap_db *s = NULL;
    assert_int_equal(zc_xap_db_open_shards(paths, 2, &s, NULL), ZC_OK);
    assert_false(zc_xap_db_is_writable(s));
    uint64_t n = 0, rev0 = 0, rev1 = 0;
    assert_int_equal(zc_xap_db_doc_count(s, &n, NULL), ZC_OK);
    assert_int_equal(n, 5);
    assert_int_equal(zc_xap_db_revision(s, &rev0, NULL), ZC_OK);
    assert_int_equal(hit_mask(s, term("cherry")), (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5));
    char buf[64];
    zc_xap_query *q = term("cherry");
    assert_string_equal(hit_list(s, q, 0, 1, buf, sizeof buf), "d5,d2,d3,d1");
    /* Restricted by id terms, the same documents whichever shard holds
     * them (docids interleave across shards; terms do not). */
    static const char *const ids[] = {"Q5", "Q1"};
    zc_xap_query *r = only(q, ids, 2);
    assert_int_equal(hit_mask(s, r), (1u << 1) | (1u << 5));
    zc_xap_query_free(q);

    put_doc(w2, "6", "d6", "fig", NULL);
    assert_int_equal(zc_xap_db_commit(w2, NULL), ZC_OK);
    int changed = 0;
    assert_int_equal(zc_xap_db_reopen(s, &changed, NULL), ZC_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(zc_xap_db_revision(s, &rev1, NULL), ZC_OK);
    assert_true(rev1 > rev0);
    assert_int_equal(hit_mask(s, term("fig")), (1u << 5) | (1u << 6));
    zc_xap_db_close(s);
    zc_xap_db_close(w1);
    zc_xap_db_close(w2);

    zc_error err = {0};
    assert_int_equal(zc_xap_db_open_shards(paths, 0, &s, &err), ZC_EINVAL);
    assert_null(s);
}

/* ---- stemming, term generation, query parser, snippets ------------------ */

static void test_stemmer(void **state)
{
    (void)state;
    static const struct { const char *word, *stem; } cases[] = {
        {"revitalization", "revit"},
        {"policies", "polici"},
        {"policy", "polici"},
        {"running", "run"},
        {"northeast", "northeast"},
    };
    zc_xap_stem *st = NULL;
    zc_error err = {0};
    assert_int_equal(zc_xap_stem_new("english", &st, &err), ZC_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        size_t n = 0;
        assert_int_equal(zc_xap_stem_word(st, cases[i].word, strlen(cases[i].word), buf,
                                          sizeof buf, &n, &err),
                         ZC_OK);
        assert_int_equal(n, strlen(cases[i].stem));
        assert_memory_equal(buf, cases[i].stem, n);
    }
    /* A buffer too small: the full length is reported, bufsize bytes written. */
    char small[3] = {'#', '#', '#'};
    size_t n = 0;
    assert_int_equal(zc_xap_stem_word(st, "policies", 8, small, 2, &n, &err), ZC_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(small, "po#", 3);
    zc_xap_stem_free(st);
    zc_xap_stem_free(NULL);

    st = (zc_xap_stem *)1;
    assert_int_equal(zc_xap_stem_new("klingon", &st, &err), ZC_EINVAL);
    assert_null(st);
    assert_int_equal(err.code, ZC_EINVAL);
    assert_non_null(strstr(err.message, "klingon"));
}

static void test_termgen_qp_cjk_and_snippet(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    static const char *texts[] = {
        "关于实施东北地区等老工业基地振兴战略的若干意见",
        "国务院关于加快发展养老服务业的若干意见",
        "Revitalization policies for the northeast industrial base",
    };
    for (int i = 0; i < 3; i++) {
        zc_xap_doc *doc = NULL;
        char qterm[16], data[16];
        snprintf(qterm, sizeof qterm, "Q%d", i + 1);
        snprintf(data, sizeof data, "d%d", i + 1);
        assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
        assert_int_equal(zc_xap_doc_set_data(doc, data, strlen(data), NULL), ZC_OK);
        assert_int_equal(zc_xap_termgen_index(doc, texts[i], strlen(texts[i]), "", "english",
                                              1, 1, NULL),
                         ZC_OK);
        assert_int_equal(zc_xap_termgen_index(doc, "标题", strlen("标题"), "S", NULL, 1, 1,
                                              NULL),
                         ZC_OK);
        assert_true(zc_xap_doc_term_count(doc) > 3);
        assert_int_equal(zc_xap_db_replace_by_term(w, qterm, strlen(qterm), doc, NULL), ZC_OK);
        zc_xap_doc_free(doc);
    }
    assert_int_equal(zc_xap_db_commit(w, NULL), ZC_OK);

    const char *prefixes[] = {"title", "S"};
    zc_xap_query *q = NULL;
    zc_error err = {0};
    const char *qs = "老工业基地 振兴";
    unsigned flags = ZC_XAP_QP_CJK_NGRAM | ZC_XAP_QP_DEFAULT_AND | ZC_XAP_QP_PHRASE |
                     ZC_XAP_QP_BOOLEAN | ZC_XAP_QP_LOVEHATE;
    assert_int_equal(zc_xap_qp_parse(w, qs, strlen(qs), flags, prefixes, 1, "english", &q, &err),
                     ZC_OK);
    assert_false(zc_xap_query_is_empty(q));
    zc_xap_mset *ms = search(w, q, -1, 0);
    assert_int_equal(zc_xap_mset_size(ms), 1);
    char *d = NULL;
    assert_int_equal(zc_xap_mset_hit_data(ms, 0, &d, NULL, NULL), ZC_OK);
    assert_string_equal(d, "d1");
    free(d);
    char *snip = NULL;
    size_t len = 0;
    assert_int_equal(zc_xap_mset_snippet(ms, texts[0], strlen(texts[0]), 200, "english", 1,
                                         &snip, &len, &err),
                     ZC_OK);
    assert_int_equal(strlen(snip), len);
    assert_non_null(strstr(snip, "<b>"));
    assert_non_null(strstr(snip, "</b>"));
    free(snip);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);

    /* "若干意见" is in d1 and d2. */
    qs = "若干意见";
    assert_int_equal(zc_xap_qp_parse(w, qs, strlen(qs), flags, NULL, 0, NULL, &q, &err), ZC_OK);
    assert_int_equal(hit_mask(w, q), (1u << 1) | (1u << 2));

    /* English through the stemmer: "revitalize" never occurs, its stem does. */
    qs = "revitalization policy";
    assert_int_equal(zc_xap_qp_parse(w, qs, strlen(qs), flags, prefixes, 1, "english", &q, &err),
                     ZC_OK);
    ms = search(w, q, -1, 0);
    assert_int_equal(zc_xap_mset_size(ms), 1);
    assert_int_equal(zc_xap_mset_snippet(ms, texts[2], strlen(texts[2]), 200, "english", 0,
                                         &snip, &len, &err),
                     ZC_OK);
    assert_non_null(strstr(snip, "<b>Revitalization</b>"));
    free(snip);
    zc_xap_mset_free(ms);
    zc_xap_query_free(q);

    /* A field prefix. */
    qs = "title:标题";
    assert_int_equal(zc_xap_qp_parse(w, qs, strlen(qs), flags, prefixes, 1, NULL, &q, &err),
                     ZC_OK);
    assert_int_equal(hit_mask(w, q), (1u << 1) | (1u << 2) | (1u << 3));

    /* Wildcards expand against the database. */
    qs = "revit*";
    assert_int_equal(zc_xap_qp_parse(w, qs, strlen(qs), ZC_XAP_QP_WILDCARD, NULL, 0, NULL, &q,
                                     &err),
                     ZC_OK);
    assert_int_equal(hit_mask(w, q), 1u << 3);
    assert_int_equal(zc_xap_qp_parse(NULL, qs, strlen(qs), ZC_XAP_QP_WILDCARD, NULL, 0, NULL, &q,
                                     &err),
                     ZC_EINVAL);
    assert_null(q);
    assert_int_equal(zc_xap_qp_parse(w, "x", 1, 0, NULL, 0, "klingon", &q, &err), ZC_EINVAL);

    /* The term generator's unknown stemmer is EINVAL too. */
    zc_xap_doc *doc = NULL;
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    assert_int_equal(zc_xap_termgen_index(doc, "x", 1, "", "klingon", 0, 1, &err), ZC_EINVAL);
    zc_xap_doc_free(doc);
    zc_xap_db_close(w);
}

static void test_termgen_positions_continue(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = open_ok(f->path, ZC_XAP_OPEN_CREATE);
    zc_xap_doc *doc = NULL;
    assert_int_equal(zc_xap_doc_new(&doc, NULL), ZC_OK);
    assert_int_equal(zc_xap_termgen_index(doc, "alpha beta", 10, "", NULL, 0, 1, NULL), ZC_OK);
    assert_int_equal(zc_xap_termgen_index(doc, "gamma delta", 11, "", NULL, 0, 1, NULL), ZC_OK);
    assert_int_equal(zc_xap_doc_set_data(doc, "d1", 2, NULL), ZC_OK);
    assert_int_equal(zc_xap_db_replace_by_term(w, "Q1", 2, doc, NULL), ZC_OK);
    zc_xap_doc_free(doc);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("alpha"), term("beta"))),
                     1u << 1);
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("gamma"), term("delta"))),
                     1u << 1);
    /* Two calls do not make a phrase across them. */
    assert_int_equal(hit_mask(w, combine(ZC_XAP_OP_PHRASE, 0, 2, term("beta"), term("gamma"))), 0);
    zc_xap_db_close(w);
}

/* ---- invalid arguments -------------------------------------------------- */

/* Regression (make asan, UBSan): an operator outside the enum from a C
 * caller was read as a C++ enum, which is undefined ("load of value 99,
 * which is not a valid value for type 'zc_xap_op'"); it must be a plain
 * ZC_EINVAL. */
static void test_combine_out_of_range_op_no_ub(void **state)
{
    (void)state;
    zc_error err;
    zc_xap_query *q = NULL, *subs[2] = {term("apple"), term("banana")};
    int bad[] = {99, -1, 1 << 20};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zc_xap_op op;
        memcpy(&op, &bad[i], sizeof op);
        assert_int_equal(zc_xap_query_combine(op, subs, 2, 0, &q, &err), ZC_EINVAL);
        assert_null(q);
    }
    zc_xap_query_free(subs[0]);
    zc_xap_query_free(subs[1]);
}

static void test_invalid_arguments(void **state)
{
    fixture *f = *state;
    zc_xap_db *w = corpus(f->path);
    zc_error err = {0};
    zc_xap_search_params p = {.query = NULL, .limit = 10, .sort_slot = -1};
    zc_xap_mset *ms = (zc_xap_mset *)1;
    int timed_out = 5;
    assert_int_equal(zc_xap_search(w, &p, &ms, &timed_out, &err), ZC_EINVAL);
    assert_null(ms);
    assert_int_equal(timed_out, 0);
    assert_int_equal(err.code, ZC_EINVAL);
    assert_int_equal(zc_xap_search(w, NULL, &ms, NULL, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_search(NULL, &p, &ms, NULL, &err), ZC_EINVAL);

    zc_xap_query *q = NULL, *subs[2] = {NULL, NULL};
    assert_int_equal(zc_xap_query_combine(ZC_XAP_OP_AND, subs, 2, 0, &q, &err), ZC_EINVAL);
    assert_null(q);
    subs[0] = term("apple");
    subs[1] = term("banana");
    assert_int_equal(zc_xap_query_combine(ZC_XAP_OP_AND, NULL, 2, 0, &q, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_query_term(NULL, 3, 1, 0, &q, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_query_term("", 0, 1, 0, &q, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_query_scale(NULL, 1.0, &q, &err), ZC_EINVAL);
    assert_true(zc_xap_query_is_empty(NULL));
    assert_null(zc_xap_query_describe(NULL));
    zc_xap_query_free(NULL);
    zc_xap_query_free(subs[0]);
    zc_xap_query_free(subs[1]);

    assert_int_equal(zc_xap_qp_parse(w, NULL, 4, 0, NULL, 0, NULL, &q, &err), ZC_EINVAL);
    /* Xapian's QueryParserError (an unbalanced phrase is fine; a bad
     * boolean is not, in strict mode) never escapes as an exception. */
    const char *bad = "AND OR";
    zc_status st = zc_xap_qp_parse(w, bad, strlen(bad), ZC_XAP_QP_BOOLEAN, NULL, 0, NULL, &q,
                                   &err);
    assert_true(st == ZC_OK || st == ZC_EINVAL);
    zc_xap_query_free(q);

    assert_int_equal(zc_xap_mset_size(NULL), 0);
    assert_int_equal(zc_xap_mset_facet_size(NULL, 0), 0);
    zc_xap_mset_free(NULL);
    char *out = (char *)1;
    size_t len = 5;
    assert_int_equal(zc_xap_mset_hit_data(NULL, 0, &out, &len, &err), ZC_EINVAL);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(zc_xap_db_doc_count(NULL, NULL, &err), ZC_EINVAL);
    assert_int_equal(zc_xap_db_reopen(NULL, NULL, &err), ZC_EINVAL);
    assert_false(zc_xap_db_is_writable(NULL));
    /* A NULL error pointer is allowed everywhere. */
    assert_int_equal(zc_xap_search(w, &p, &ms, NULL, NULL), ZC_EINVAL);
    zc_xap_db_close(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_open_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_discards_uncommitted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_in_missing_parent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_good_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_term_freq_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_data_nul_and_values, setup, teardown),
        cmocka_unit_test(test_term_limits),
        cmocka_unit_test_setup_teardown(test_phrase_and_near, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boolean_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sort_by_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_at_least_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collapse_and_hit_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_limit_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_reopen_sees_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_survives_many_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_writes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_terms_keeps_weights, setup, teardown),
        cmocka_unit_test(test_queries_serialise_for_remote_shards),
        cmocka_unit_test_setup_teardown(test_value_map_weights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shards, setup, teardown),
        cmocka_unit_test(test_stemmer),
        cmocka_unit_test_setup_teardown(test_termgen_qp_cjk_and_snippet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_termgen_positions_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
        cmocka_unit_test(test_combine_out_of_range_op_no_ub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
