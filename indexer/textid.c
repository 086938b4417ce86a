/* textid.c — text-document ids and the run's id table (see textid.h). */
#include "indexer/textid.h"
#include "indexer/xmem.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *id;   /* owned; NULL: empty slot */
    char *path; /* owned: the file as it was named, for the error */
    dev_t dev;
    ino_t ino;
} slot;

struct zc_textid {
    char *root;    /* owned canonical root, or NULL */
    size_t root_len;
    slot *v;       /* open addressing, linear probing; cap a power of two */
    size_t n, cap;
};

int zc_textid_new(const char *root, zc_textid **out, char *msg, size_t cap)
{
    *out = NULL;
    zc_textid *t = zc_ix_xcalloc(1, sizeof *t);
    if (root != NULL) {
        char *canon = realpath(root, NULL);
        struct stat st;
        if (canon == NULL || stat(canon, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(msg, cap, "--id-root %s: %s", root,
                     canon == NULL ? strerror(errno) : "not a directory");
            free(canon);
            free(t);
            return -1;
        }
        t->root = canon;
        t->root_len = strlen(canon);
        /* "/" as the root: every path is under it, relative to it. */
        if (t->root_len == 1)
            t->root_len = 0;
    }
    *out = t;
    return 0;
}

void zc_textid_free(zc_textid *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->cap; i++) {
        free(t->v[i].id);
        free(t->v[i].path);
    }
    free(t->v);
    free(t->root);
    free(t);
}

char *zc_textid_of(const zc_textid *t, const char *path, char *msg, size_t cap)
{
    char *canon = realpath(path, NULL);
    if (canon == NULL) {
        snprintf(msg, cap, "cannot resolve the path for its id: %s", strerror(errno));
        return NULL;
    }
    const char *rel = canon;
    if (t->root != NULL) {
        size_t rl = t->root_len;
        /* Under the root: its path, then a '/' (so /a/bc is not under /a/b). */
        if (strncmp(canon, t->root, rl) != 0 || canon[rl] != '/') {
            snprintf(msg, cap, "outside --id-root %s: give it an Id: header or a wider root",
                     t->root);
            free(canon);
            return NULL;
        }
        rel = canon + rl + 1;
    }
    char *id = zc_ix_xstrdup(rel);
    free(canon);
    char *slash = strrchr(id, '/');
    char *name = slash ? slash + 1 : id;
    char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name)
        *dot = '\0';
    return id;
}

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static slot *find(slot *v, size_t cap, const char *id)
{
    size_t i = hash(id) & (cap - 1);
    while (v[i].id != NULL && strcmp(v[i].id, id) != 0)
        i = (i + 1) & (cap - 1);
    return &v[i];
}

/* Keeps the table at most half full, so probes stay short and end. */
static void grow(zc_textid *t)
{
    if (2 * (t->n + 1) <= t->cap)
        return;
    size_t ncap = t->cap ? t->cap * 2 : 64;
    slot *nv = zc_ix_xcalloc(ncap, sizeof *nv);
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].id != NULL)
            *find(nv, ncap, t->v[i].id) = t->v[i];
    free(t->v);
    t->v = nv;
    t->cap = ncap;
}

int zc_textid_claim(zc_textid *t, const char *id, const struct stat *st, const char *path,
                    const char **other)
{
    *other = NULL;
    grow(t);
    slot *s = find(t->v, t->cap, id);
    if (s->id != NULL) {
        if (s->dev == st->st_dev && s->ino == st->st_ino)
            return 1;
        *other = s->path;
        return -1;
    }
    s->id = zc_ix_xstrdup(id);
    s->path = zc_ix_xstrdup(path);
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    t->n++;
    return 0;
}
