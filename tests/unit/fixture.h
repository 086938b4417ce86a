/* fixture.h — small real indexes for unit tests that search one (include
 * after cmocka.h and zhengce.h, with _GNU_SOURCE defined before any header,
 * for nftw).  A fixture builds its documents into a temporary directory
 * through the public API, opens it read-only, and removes the directory at
 * the end; helpers here build, remove and compare hit sets. */
#ifndef ZC_TEST_FIXTURE_H
#define ZC_TEST_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fx_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Makes a new directory /tmp/zc-test-NAME-XXXXXX into dir (cap bytes).
 * Returns 0 or -1. */
static int fx_tmpdir(char *dir, size_t cap, const char *name)
{
    int w = snprintf(dir, cap, "/tmp/zc-test-%s-XXXXXX", name);
    if (w < 0 || (size_t)w >= cap)
        return -1;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes the directory tree at dir. */
static void fx_rmtree(const char *dir)
{
    nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Builds an index at path from the n JSON documents: created with the
 * analyzer mode (NULL: the default), the documents added, committed, closed;
 * then opened read-only into *out (returns new; free with zc_index_close).
 * Returns 0, or -1 after printing what failed. */
static int fx_build_index(const char *path, const char *mode, const char *const *docs,
                          size_t n, zc_index **out)
{
    zc_error err;
    zc_index *w = NULL;
    zc_status st = mode ? zc_index_create(path, mode, &w, &err)
                        : zc_index_open(path, ZC_OPEN_CREATE, &w, &err);
    if (st != ZC_OK) {
        fprintf(stderr, "open %s: %s\n", path, err.message);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (zc_index_add_json(w, docs[i], strlen(docs[i]), NULL, &err) != ZC_OK) {
            fprintf(stderr, "add %zu: %s (%s)\n", i, err.message, err.field);
            zc_index_close(w);
            return -1;
        }
    }
    st = zc_index_commit(w, &err);
    zc_index_close(w);
    if (st != ZC_OK || zc_index_open(path, ZC_OPEN_READ, out, &err) != ZC_OK) {
        fprintf(stderr, "commit or reopen %s: %s\n", path, err.message);
        return -1;
    }
    return 0;
}

/* A group fixture of one temporary index, opened read-only (cmocka's
 * group state): the tests that search one index share it. */
typedef struct fx_index {
    char dir[64];
    zc_index *idx;
} fx_index;

/* cmocka group teardown for an fx_index made with calloc: closes the
 * index, removes its directory, frees the fixture. */
__attribute__((unused)) static int fx_index_teardown(void **state)
{
    fx_index *f = *state;
    zc_index_close(f->idx);
    fx_rmtree(f->dir);
    free(f);
    return 0;
}

static int fx_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The hit ids of r as a set: sorted, joined with ',' into got (cap bytes;
 * fails the test past 63 hits or a full buffer). */
__attribute__((unused)) static void fx_sorted_ids(const zc_results *r, char *got, size_t cap)
{
    const char *v[64];
    size_t n = zc_results_count(r);
    assert_true(n < 64);
    for (size_t i = 0; i < n; i++)
        v[i] = zc_results_hit(r, i)->id;
    qsort(v, n, sizeof v[0], fx_cmp_str);
    size_t len = 0;
    got[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(got + len, cap - len, "%s%s", i ? "," : "", v[i]);
        assert_true(w >= 0 && (size_t)w < cap - len);
        len += (size_t)w;
    }
}

#endif
