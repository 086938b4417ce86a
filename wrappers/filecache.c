/* filecache.c — cache files: validated read-only maps, atomic saves, source
 * stamps (see filecache.h for the contract).
 *
 * Owns: the header layout below and every system call on cache files.
 * Must never: return a map whose checks failed, leave a partial file under
 * the final name, or print.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "wrappers/filecache.h"

/* The header, ZC_FCACHE_HEADER_BYTES long, in the machine's byte order (a
 * cache file is never shared between machines; bom catches it if it is). */
typedef struct fc_header {
    char magic[8];
    uint32_t bom;        /* FC_BOM as written */
    uint32_t version;    /* the payload kind's format version */
    uint64_t stamp;      /* the caller's source stamp */
    uint64_t payload;    /* payload bytes */
    uint64_t checksum;   /* of the header (this field 0) then the payload */
    char reserved[24];
} fc_header;

_Static_assert(sizeof(fc_header) == ZC_FCACHE_HEADER_BYTES, "cache header is 64 bytes");

#define FC_BOM 0x01020304u

struct zc_fcache_map {
    void *base;          /* the mapping */
    size_t size;         /* of the mapping (the whole file) */
};

/* ---- hashing ---------------------------------------------------------- */

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Four independent lanes over 32-byte blocks, so the multiplies overlap:
 * several GB/s, which keeps checking a cache file of a few MB well under a
 * millisecond. */
uint64_t zc_fcache_hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    const uint64_t k1 = 0x9e3779b185ebca87ull, k2 = 0xc2b2ae3d27d4eb4full;
    uint64_t a[4] = {seed + k1 + k2, seed + k2, seed, seed - k1};
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int l = 0; l < 4; l++) {
            uint64_t w;
            memcpy(&w, b + i + 8 * l, 8);
            a[l] = rotl(a[l] + w * k2, 31) * k1;
        }
    }
    uint64_t h = rotl(a[0], 1) + rotl(a[1], 7) + rotl(a[2], 12) + rotl(a[3], 18);
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = rotl(h ^ (w * k2), 27) * k1 + 0x85ebca77c2b2ae63ull;
    }
    for (; i < n; i++)
        h = rotl(h ^ (b[i] * k1), 11) * k2;
    return mix(h ^ (uint64_t)n);
}

static uint64_t file_checksum(const fc_header *h, const void *payload, size_t len)
{
    fc_header copy = *h;
    copy.checksum = 0;
    return zc_fcache_hash(payload, len, zc_fcache_hash(&copy, sizeof copy, 0));
}

/* ---- paths ------------------------------------------------------------ */

static zc_status join(char *buf, size_t cap, const char *dir, const char *name, zc_error *err)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return zc_error_set(err, ZC_ETOOLONG, NULL, "cache path too long: %s", dir);
    return ZC_OK;
}

/* mkdir -p: each missing component, 0755. */
static zc_status make_dirs(const char *dir, zc_error *err)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return zc_error_set(err, ZC_EIO, NULL, "bad cache directory \"%s\"", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return zc_error_set(err, ZC_EIO, NULL, "cannot create cache directory %s: %s",
                                path, strerror(errno));
        path[i] = c;
    }
    return ZC_OK;
}

/* ---- open ------------------------------------------------------------- */

zc_status zc_fcache_open(const char *dir, const char *name, const char magic[8],
                         uint32_t version, uint64_t stamp, zc_fcache_map **out,
                         zc_error *err)
{
    if (out == NULL || dir == NULL || name == NULL || magic == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_fcache_open: NULL argument");
    *out = NULL;
    char path[PATH_MAX];
    zc_status st = join(path, sizeof path, dir, name, err);
    if (st != ZC_OK)
        return st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zc_error_set(err, errno == ENOENT ? ZC_ENOTFOUND : ZC_EIO, NULL,
                            "cannot open cache file %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = zc_error_set(err, ZC_EIO, NULL, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return st;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size < (off_t)sizeof(fc_header)) {
        close(fd);
        return zc_error_set(err, ZC_ECORRUPT, NULL, "cache file %s is truncated", path);
    }
    size_t size = (size_t)sb.st_size;
    /* MAP_POPULATE: the checksum reads every page anyway, and faulting them
     * in one call is cheaper than one fault per page. */
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return zc_error_set(err, errno == ENOMEM ? ZC_ENOMEM : ZC_EIO, NULL,
                            "cannot map cache file %s: %s", path, strerror(errno));
    fc_header h;
    memcpy(&h, base, sizeof h);
    if (memcmp(h.magic, magic, sizeof h.magic) != 0 || h.bom != FC_BOM ||
        h.version != version || h.stamp != stamp)
        st = zc_error_set(err, ZC_EVERSION, NULL,
                          "cache file %s is stale (other version or source data)", path);
    else if (h.payload != size - sizeof h)
        st = zc_error_set(err, ZC_ECORRUPT, NULL, "cache file %s has the wrong size", path);
    else if (file_checksum(&h, (const char *)base + sizeof h, size - sizeof h) != h.checksum)
        st = zc_error_set(err, ZC_ECORRUPT, NULL, "cache file %s fails its checksum", path);
    zc_fcache_map *m = st == ZC_OK ? malloc(sizeof *m) : NULL;
    if (st == ZC_OK && m == NULL)
        st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    if (st != ZC_OK) {
        munmap(base, size);
        return st;
    }
    m->base = base;
    m->size = size;
    *out = m;
    return ZC_OK;
}

const void *zc_fcache_data(const zc_fcache_map *m, size_t *len)
{
    if (len != NULL)
        *len = m ? m->size - sizeof(fc_header) : 0;
    return m ? (const char *)m->base + sizeof(fc_header) : NULL;
}

void zc_fcache_close(zc_fcache_map *m)
{
    if (m == NULL)
        return;
    munmap(m->base, m->size);
    free(m);
}

/* ---- save ------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

zc_status zc_fcache_save(const char *dir, const char *name, const char magic[8],
                         uint32_t version, uint64_t stamp, const void *payload,
                         size_t len, zc_error *err)
{
    if (dir == NULL || name == NULL || magic == NULL || (payload == NULL && len > 0))
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_fcache_save: NULL argument");
    char path[PATH_MAX], tmp[PATH_MAX];
    zc_status st = join(path, sizeof path, dir, name, err);
    if (st == ZC_OK)
        st = join(tmp, sizeof tmp, dir, ".tmp-XXXXXX", err);
    if (st == ZC_OK)
        st = make_dirs(dir, err);
    if (st != ZC_OK)
        return st;

    fc_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, magic, sizeof h.magic);
    h.bom = FC_BOM;
    h.version = version;
    h.stamp = stamp;
    h.payload = len;
    h.checksum = file_checksum(&h, payload, len);

    /* A unique temporary name per writer: concurrent savers never share a
     * file, and a crash leaves at most a stray .tmp-* (never the name). */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return zc_error_set(err, ZC_EIO, NULL, "cannot create a file in %s: %s", dir,
                            strerror(errno));
    int bad = write_all(fd, &h, sizeof h) != 0 || write_all(fd, payload, len) != 0;
    int saved = errno;
    /* Readable by every user: the data is derived from public files. */
    if (!bad && fchmod(fd, 0644) != 0)
        bad = 1, saved = errno;
    if (close(fd) != 0 && !bad)
        bad = 1, saved = errno;
    /* No fsync: after a crash the file may be short or zeroed, which the
     * size and checksum catch, and the reader rebuilds it. */
    if (!bad && rename(tmp, path) != 0)
        bad = 1, saved = errno;
    if (bad) {
        unlink(tmp);
        return zc_error_set(err, ZC_EIO, NULL, "cannot write cache file %s: %s", path,
                            strerror(saved));
    }
    return ZC_OK;
}

/* ---- stamps ----------------------------------------------------------- */

static int has_suffix(const char *name, const char *const *suffixes, size_t n)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len >= sl && memcmp(name + len - sl, suffixes[i], sl) == 0)
            return 1;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static zc_status stamp_file(int dfd, const char *name, uint64_t *stamp, zc_error *err)
{
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zc_error_set(err, ZC_EIO, NULL, "cannot read %s: %s", name, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ZC_OK; /* not a regular file: not a source */
    }
    uint64_t h = zc_fcache_hash(name, strlen(name), *stamp);
    h = zc_fcache_hash(&sb.st_size, sizeof sb.st_size, h);
    char buf[64 * 1024];
    zc_status st = ZC_OK;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = zc_error_set(err, ZC_EIO, NULL, "cannot read %s: %s", name, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        h = zc_fcache_hash(buf, (size_t)r, h);
    }
    close(fd);
    *stamp = h;
    return st;
}

zc_status zc_fcache_stamp_dir(const char *dir, const char *const *suffixes,
                              size_t n_suffixes, uint64_t *stamp, zc_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return zc_error_set(err, ZC_ENOTFOUND, NULL, "cannot read directory %s: %s", dir,
                            strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    zc_status st = ZC_OK;
    for (struct dirent *e; st == ZC_OK && (e = readdir(d)) != NULL;) {
        if (!has_suffix(e->d_name, suffixes, n_suffixes))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (nn == NULL) {
                st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
                break;
            }
            names = nn, cap = ncap;
        }
        if ((names[n] = strdup(e->d_name)) == NULL)
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        else
            n++;
    }
    /* readdir's order is the file system's: sort, so the stamp is not. */
    if (st == ZC_OK && n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; st == ZC_OK && i < n; i++)
        st = stamp_file(dirfd(d), names[i], stamp, err);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return st;
}

void zc_fcache_stamp_object(const void *fn, uint64_t *stamp)
{
    Dl_info info;
    struct stat sb;
    if (dladdr(fn, &info) == 0 || info.dli_fname == NULL || stat(info.dli_fname, &sb) != 0)
        return;
    uint64_t h = zc_fcache_hash(info.dli_fname, strlen(info.dli_fname), *stamp);
    h = zc_fcache_hash(&sb.st_size, sizeof sb.st_size, h);
    h = zc_fcache_hash(&sb.st_mtim.tv_sec, sizeof sb.st_mtim.tv_sec, h);
    h = zc_fcache_hash(&sb.st_mtim.tv_nsec, sizeof sb.st_mtim.tv_nsec, h);
    *stamp = h;
}
