/* listfile.c — see listfile.h. */
#include "lib/listfile.h"

#include "base/error.h"
#include "base/utf8.h"

zc_status zc_listfile_check(const char *text, size_t len, size_t max, const char *name,
                            const char *key, zc_error *err)
{
    if (len > max)
        return zc_error_set(err, ZC_ETOOLONG, key, "%s is larger than %zu bytes", name, max);
    size_t bad = 0;
    if (len > 0 && !zc_utf8_valid(text, len, &bad)) {
        size_t line = 1;
        for (size_t i = 0; i < bad && i < len; i++)
            line += text[i] == '\n';
        return zc_error_set(err, ZC_EINVAL, key, "%s line %zu: not valid UTF-8", name, line);
    }
    return ZC_OK;
}

size_t zc_listfile_content_len(const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
            return i;
    return n;
}
