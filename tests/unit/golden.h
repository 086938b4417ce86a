/* golden.h — opening and reading golden files from unit tests (include
 * after cmocka.h).  The files live in tests/unit/golden/; ZC_SRCDIR (the
 * repo root) wins, else the path is taken from this header's own location. */
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

/* Reads the next case of a tab-separated golden file (input TAB expected)
 * into line (cap bytes): line ends stripped, blank lines and #-comments
 * skipped, line cut at the first tab, which every case must have.  Returns
 * the expected text (in line, after the input), or NULL at the end of the
 * file; *lineno counts the lines read, for messages. */
static inline char *golden_next(FILE *fp, char *line, size_t cap, int *lineno)
{
    while (fgets(line, (int)cap, fp) != NULL) {
        (*lineno)++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *tab = memchr(line, '\t', n);
        assert_non_null(tab);
        *tab = '\0';
        return tab + 1;
    }
    return NULL;
}

#endif
