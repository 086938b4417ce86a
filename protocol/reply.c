/* protocol/reply.c — reply codes, the status -> code table and the reply
 * builders (see reply.h). */
#include "protocol/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

static const char *const code_names[] = {
    [ZC_REPLY_OK] = "ok",
    [ZC_REPLY_BAD_REQUEST] = "bad_request",
    [ZC_REPLY_UNKNOWN_COMMAND] = "unknown_command",
    [ZC_REPLY_LINE_TOO_LONG] = "line_too_long",
    [ZC_REPLY_NOT_FOUND] = "not_found",
    [ZC_REPLY_READ_ONLY] = "read_only",
    [ZC_REPLY_FORBIDDEN] = "forbidden",
    [ZC_REPLY_BUSY] = "busy",
    [ZC_REPLY_TIMEOUT] = "timeout",
    [ZC_REPLY_INTERNAL] = "internal",
};

const char *zc_reply_code_name(zc_reply_code code)
{
    if ((size_t)code >= sizeof code_names / sizeof *code_names)
        return "internal";
    return code_names[code];
}

zc_reply_code zc_reply_code_of_status(zc_status st)
{
    switch (st) {
    case ZC_EINVAL:
    case ZC_ETOOLONG:
        return ZC_REPLY_BAD_REQUEST;
    case ZC_ENOTFOUND:
        return ZC_REPLY_NOT_FOUND;
    case ZC_ELOCKED:
        return ZC_REPLY_BUSY;
    case ZC_ETIMEOUT:
        return ZC_REPLY_TIMEOUT;
    case ZC_EREADONLY:
        return ZC_REPLY_READ_ONLY;
    default:
        return ZC_REPLY_INTERNAL;
    }
}

/* ---- the reply object ---------------------------------------------------- */

static const char oom_body[] =
    "{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";

void zc_reply_init(zc_reply *r)
{
    r->code = ZC_REPLY_OK;
    r->body = NULL;
    r->len = 0;
    r->is_static = 0;
}

void zc_reply_clear(zc_reply *r)
{
    if (!r->is_static)
        free(r->body);
    zc_reply_init(r);
}

char *zc_reply_take(zc_reply *r, size_t *len, int *is_static)
{
    char *b = r->body;
    *len = r->len;
    *is_static = r->is_static;
    zc_reply_init(r);
    return b;
}

void zc_reply_set_static(zc_reply *r, zc_reply_code code, const char *body, size_t len)
{
    zc_reply_clear(r);
    r->code = code;
    r->body = (char *)body;
    r->len = len;
    r->is_static = 1;
}

void zc_reply_oom(zc_reply *r)
{
    zc_reply_set_static(r, ZC_REPLY_INTERNAL, oom_body, sizeof oom_body - 1);
}

void zc_reply_set(zc_reply *r, zc_reply_code code, char *body, size_t len)
{
    if (body == NULL) {
        zc_reply_oom(r);
        return;
    }
    zc_reply_clear(r);
    r->code = code;
    r->body = body;
    r->len = len;
}

/* Compact JSON text of obj (returns new, or NULL).  jansson escapes control
 * characters, so the text never holds a raw newline. */
static char *dump(const json_t *obj, size_t *len)
{
    *len = 0;
    char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    if (s != NULL)
        *len = strlen(s);
    return s;
}

void zc_reply_json(zc_reply *r, const json_t *obj)
{
    size_t len;
    char *s = dump(obj, &len);
    zc_reply_set(r, ZC_REPLY_OK, s, len);
}

void zc_reply_error(zc_reply *r, zc_reply_code code, const char *message)
{
    if (code == ZC_REPLY_OK)
        code = ZC_REPLY_INTERNAL;       /* an error must never read as ok */
    size_t mlen = strlen(message);
    char msg[ZC_REPLY_MSG_MAX + 1];
    if (!zc_utf8_valid(message, mlen, NULL)) {
        snprintf(msg, sizeof msg, "%s", "(message was not valid UTF-8)");
        mlen = strlen(msg);
    } else {
        mlen = zc_utf8_cut(message, mlen, ZC_REPLY_MSG_MAX);
        memcpy(msg, message, mlen);
        msg[mlen] = '\0';
    }
    json_t *o = json_pack("{s:b,s:{s:s,s:s#}}", "ok", 0, "error", "code",
                          zc_reply_code_name(code), "message", msg, (int)mlen);
    size_t len;
    char *s = dump(o, &len);
    json_decref(o);
    zc_reply_set(r, code, s, len);
}

void zc_reply_status(zc_reply *r, zc_status st, const zc_error *err)
{
    const char *m = (err && err->message[0]) ? err->message : zc_status_name(st);
    char buf[ZC_ERROR_MESSAGE_MAX + ZC_ERROR_FIELD_MAX + 4];
    if (err && err->field[0] && strstr(m, err->field) == NULL)
        snprintf(buf, sizeof buf, "%s: %s", err->field, m);
    else
        snprintf(buf, sizeof buf, "%s", m);
    /* snprintf may have cut inside a character; zc_reply_error would then
     * replace the whole message, so cut on a boundary first. */
    size_t n = zc_utf8_cut(buf, strlen(buf), sizeof buf - 1);
    buf[n] = '\0';
    zc_reply_error(r, zc_reply_code_of_status(st), buf);
}

void zc_reply_libjson(zc_reply *r, char *json, size_t len, const char *prefix,
                      const char *suffix)
{
    size_t plen = strlen(prefix), slen = strlen(suffix);
    char *dumped = NULL;
    const char *body = json;
    /* JSON may hold raw whitespace newlines between tokens; a reply must
     * not.  Re-serialising compactly removes them and keeps every value. */
    if (memchr(json, '\n', len) != NULL || memchr(json, '\r', len) != NULL) {
        json_error_t je;
        json_t *o = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (o == NULL) {
            zc_free(json);
            zc_reply_error(r, ZC_REPLY_INTERNAL, "the library returned invalid JSON");
            return;
        }
        dumped = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(o);
        if (dumped == NULL) {
            zc_free(json);
            zc_reply_oom(r);
            return;
        }
        body = dumped;
        len = strlen(dumped);
    }
    char *out = malloc(plen + len + slen + 1);
    if (out != NULL) {
        memcpy(out, prefix, plen);
        memcpy(out + plen, body, len);
        memcpy(out + plen + len, suffix, slen);
        out[plen + len + slen] = '\0';
    }
    free(dumped);
    zc_free(json);
    zc_reply_set(r, ZC_REPLY_OK, out, plen + len + slen);
}
