/* indexer/lists.c — --synonyms and --user-dict (see lists.h). */
#include "indexer/lists.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger than either list may be (1 MiB each, lib/synonyms.h and
 * lib/userdict.h): reading stops one byte past it and the library says
 * the list is too long. */
#define LIST_READ_MAX (1024u * 1024u + 1u)

/* The file's bytes (at most LIST_READ_MAX) into a new buffer.  Returns 0,
 * or -1 after printing why. */
static int read_list(const char *opt, const char *path, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "zhengce-indexer: %s %s: %s\n", opt, path, strerror(errno));
        return -1;
    }
    char *buf = malloc(LIST_READ_MAX);
    size_t n = buf ? fread(buf, 1, LIST_READ_MAX, f) : 0;
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "zhengce-indexer: %s %s: %s\n", opt, path,
                buf ? "read error" : "out of memory");
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int set_one(zc_index *idx, const char *opt, const char *path,
                   zc_status (*set)(zc_index *, const char *, size_t, zc_error *))
{
    char *text = NULL;
    size_t len = 0;
    if (path == NULL)
        return 0;
    if (read_list(opt, path, &text, &len) != 0)
        return -1;
    zc_error e;
    zc_status st = set(idx, text, len, &e);
    free(text);
    if (st != ZC_OK) {
        fprintf(stderr, "zhengce-indexer: %s %s: %s\n", opt, path, e.message);
        return -1;
    }
    return 0;
}

int zc_ix_set_lists(zc_index *idx, const char *synonyms, const char *user_dict)
{
    if (synonyms == NULL && user_dict == NULL)
        return 0;
    if (set_one(idx, "--user-dict", user_dict, zc_index_set_user_dict) != 0 ||
        set_one(idx, "--synonyms", synonyms, zc_index_set_synonyms) != 0)
        return -1;
    zc_error e;
    if (zc_index_commit(idx, &e) != ZC_OK) {
        fprintf(stderr, "zhengce-indexer: commit failed: %s\n", e.message);
        return -1;
    }
    return 0;
}
