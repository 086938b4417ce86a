/* golden.h — opening golden files from unit tests (include after cmocka.h).
 * The files live in tests/unit/golden/; ZC_SRCDIR (the repo root) wins,
 * else the path is taken from this header's own location. */
#ifndef ZC_TEST_GOLDEN_H
#define ZC_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *open_golden(const char *name)
{
    char path[1024];
    const char *src = getenv("ZC_SRCDIR");
    if (src != NULL) {
        snprintf(path, sizeof path, "%s/tests/unit/golden/%s", src, name);
    } else {
        const char *f = __FILE__;
        const char *slash = strrchr(f, '/');
        int dir = slash ? (int)(slash - f) : 1;
        snprintf(path, sizeof path, "%.*s/golden/%s", dir, slash ? f : ".", name);
    }
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open golden file %s (set ZC_SRCDIR to the repo root)", path);
    return fp;
}

#endif
