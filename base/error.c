/* base/error.c — filling a zc_error, and the names of the statuses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        /* Back off to a UTF-8 boundary so a cut message stays valid. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

zc_status zc_error_set(zc_error *err, zc_status code, const char *field,
                       const char *fmt, ...)
{
    if (err == NULL)
        return code;
    char buf[ZC_ERROR_MESSAGE_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    err->code = code;
    copy_cut(err->field, sizeof err->field, field ? field : "");
    copy_cut(err->message, sizeof err->message, buf);
    return code;
}

void zc_error_clear(zc_error *err)
{
    if (err == NULL)
        return;
    err->code = ZC_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

ZC_API const char *zc_status_name(zc_status s)
{
    switch (s) {
    case ZC_OK: return "ZC_OK";
    case ZC_EINVAL: return "ZC_EINVAL";
    case ZC_ENOTFOUND: return "ZC_ENOTFOUND";
    case ZC_ENOMEM: return "ZC_ENOMEM";
    case ZC_EIO: return "ZC_EIO";
    case ZC_ELOCKED: return "ZC_ELOCKED";
    case ZC_ECORRUPT: return "ZC_ECORRUPT";
    case ZC_EVERSION: return "ZC_EVERSION";
    case ZC_ETIMEOUT: return "ZC_ETIMEOUT";
    case ZC_EREADONLY: return "ZC_EREADONLY";
    case ZC_ETOOLONG: return "ZC_ETOOLONG";
    case ZC_EMODIFIED: return "ZC_EMODIFIED";
    case ZC_EINTERNAL: return "ZC_EINTERNAL";
    }
    return "ZC_EUNKNOWN";
}
