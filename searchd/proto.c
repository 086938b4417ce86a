/* searchd/proto.c — the line framer, the request parser and the error-reply
 * builder of the v1 protocol (see proto.h).  Pure: no I/O, no logging, no
 * allocation except in the reply builders. */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Framer ------------------------------------------------------------- */

void zc_proto_framer_init(zc_proto_framer *fr, size_t max_line)
{
    fr->max_line = max_line;
    fr->seen = 0;
    fr->last_cr = 0;
}

/* The line so far is over the limit unless it is exactly max_line bytes plus
 * a CR that may turn out to precede the LF.  `total` counts every scanned
 * byte of the line (no LF); `last_cr` is whether the last one was CR. */
static int over_limit(const zc_proto_framer *fr, size_t total, int last_cr)
{
    if (total <= fr->max_line)
        return 0;
    return !(total == fr->max_line + 1 && last_cr);
}

zc_frame_result zc_proto_frame(zc_proto_framer *fr, const char *chunk,
                               size_t len, size_t *used, size_t *line_len)
{
    *line_len = 0;
    const char *lf = len ? memchr(chunk, '\n', len) : NULL;
    size_t n = lf ? (size_t)(lf - chunk) : len;   /* bytes before any LF */
    size_t total = fr->seen + n;
    int last_cr = n ? chunk[n - 1] == '\r' : fr->last_cr;

    if (over_limit(fr, total, last_cr)) {
        /* Report the first byte that broke the limit: the byte at offset
         * max_line, or the one after it when that one was a CR. */
        size_t bad = fr->max_line;                   /* stream offset */
        if (fr->seen <= bad && bad < total && chunk[bad - fr->seen] == '\r')
            bad++;
        else if (fr->seen > bad)                     /* pending CR case */
            bad = fr->seen;
        *used = bad - fr->seen + 1;
        if (*used > len)
            *used = len;
        fr->seen = total;
        return ZC_FRAME_TOO_LONG;
    }
    if (lf == NULL) {
        fr->seen = total;
        fr->last_cr = last_cr;
        *used = len;
        return ZC_FRAME_MORE;
    }
    *line_len = total;
    *used = n + 1;
    fr->seen = 0;
    fr->last_cr = 0;
    return ZC_FRAME_LINE;
}

/* ---- Verbs -------------------------------------------------------------- */

static const zc_verb_info verbs[ZC_VERB_COUNT] = {
    {"PING", ZC_VERB_PING, ZC_VF_NOARG | ZC_VF_LOOP},
    {"SEARCH", ZC_VERB_SEARCH, ZC_VF_ARG | ZC_VF_READ},
    {"GET", ZC_VERB_GET, ZC_VF_ARG | ZC_VF_READ},
    {"ADD", ZC_VERB_ADD, ZC_VF_ARG | ZC_VF_WRITE | ZC_VF_AUTH},
    {"DEL", ZC_VERB_DEL, ZC_VF_ARG | ZC_VF_WRITE | ZC_VF_AUTH},
    {"COMMIT", ZC_VERB_COMMIT, ZC_VF_NOARG | ZC_VF_WRITE | ZC_VF_AUTH},
    /* STATS runs on the loop but reads the index, so it waits for the
     * connection's earlier writes like a search does. */
    {"STATS", ZC_VERB_STATS, ZC_VF_NOARG | ZC_VF_LOOP | ZC_VF_READ},
    {"AUTH", ZC_VERB_AUTH, ZC_VF_ARG | ZC_VF_LOOP},
    {"HELP", ZC_VERB_HELP, ZC_VF_NOARG | ZC_VF_LOOP},
    {"QUIT", ZC_VERB_QUIT, ZC_VF_NOARG | ZC_VF_LOOP},
};

const zc_verb_info *zc_proto_verbs(size_t *n)
{
    *n = ZC_VERB_COUNT;
    return verbs;
}

static int ascii_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

static const zc_verb_info *find_verb(const char *s, size_t len)
{
    for (size_t i = 0; i < ZC_VERB_COUNT; i++) {
        const char *name = verbs[i].name;
        size_t nl = strlen(name);
        if (nl != len)
            continue;
        size_t j = 0;
        while (j < len && ascii_upper((unsigned char)s[j]) == name[j])
            j++;
        if (j == len)
            return &verbs[i];
    }
    return NULL;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (len > 0 bytes available), or 0
 * if it is invalid or truncated.  Ranges from RFC 3629, section 4. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F;          /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;          /* no overlongs */
        else if (c == 0xF4)
            hi = 0x8F;          /* nothing past U+10FFFF */
    } else
        return 0;               /* continuation byte, C0, C1, F5..FF */
    if (len < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

int zc_proto_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {      /* fast path for ASCII runs */
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

size_t zc_proto_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0 || i + n > max)
            break;
        i += n;
    }
    return i;
}

/* ---- Parser ------------------------------------------------------------- */

static zc_parse_result parse_error(zc_request *req, const char *code,
                                   const char *fmt, const char *a, size_t alen)
{
    req->verb = NULL;
    req->arg = NULL;
    req->arg_len = 0;
    req->err_code = code;
    if (a)
        snprintf(req->err_msg, sizeof req->err_msg, fmt, (int)alen, a);
    else
        snprintf(req->err_msg, sizeof req->err_msg, "%s", fmt);
    return ZC_PARSE_ERROR;
}

zc_parse_result zc_proto_parse(const char *line, size_t len, zc_request *req)
{
    req->verb = NULL;
    req->arg = NULL;
    req->arg_len = 0;
    req->err_code = NULL;
    req->err_msg[0] = '\0';

    if (len > 0 && line[len - 1] == '\r')
        len--;                          /* CR before LF is dropped */
    if (len > 0 && memchr(line, '\0', len) != NULL)
        return parse_error(req, "bad_request", "request contains a NUL byte",
                           NULL, 0);
    size_t bad;
    if (!zc_proto_utf8_valid(line, len, &bad)) {
        char msg[64];
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", bad);
        return parse_error(req, "bad_request", msg, NULL, 0);
    }

    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;                            /* tolerated before the verb */
    if (i == len)
        return ZC_PARSE_EMPTY;
    size_t vstart = i;
    while (i < len && line[i] != ' ')
        i++;
    size_t vlen = i - vstart;
    while (i < len && line[i] == ' ')
        i++;
    const char *arg = i < len ? line + i : NULL;
    size_t arg_len = len - i;

    const zc_verb_info *v = find_verb(line + vstart, vlen);
    if (v == NULL) {
        size_t shown = zc_proto_utf8_cut(line + vstart, vlen, 40);
        return parse_error(req, "unknown_command",
                           shown < vlen ? "unknown command '%.*s...'; try HELP"
                                        : "unknown command '%.*s'; try HELP",
                           line + vstart, shown);
    }
    if ((v->flags & ZC_VF_ARG) && arg == NULL)
        return parse_error(req, "bad_request", "%.*s needs an argument",
                           v->name, strlen(v->name));
    if ((v->flags & ZC_VF_NOARG) && arg != NULL)
        return parse_error(req, "bad_request", "%.*s takes no argument",
                           v->name, strlen(v->name));
    req->verb = v;
    req->arg = arg;
    req->arg_len = arg ? arg_len : 0;
    return ZC_PARSE_REQUEST;
}

/* ---- Replies ------------------------------------------------------------ */

static const char oom_reply[] =
    "{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";

const char *zc_proto_oom_reply(size_t *len_out)
{
    *len_out = sizeof oom_reply - 1;
    return oom_reply;
}

char *zc_proto_dump_line(const json_t *obj, size_t *len_out)
{
    *len_out = 0;
    /* JSON_COMPACT: no spaces; jansson escapes control characters, so the
     * line never holds a raw newline. */
    char *s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (line == NULL) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len_out = n + 1;
    return line;
}

char *zc_proto_error_reply(const char *code, const char *message,
                           size_t *len_out)
{
    *len_out = 0;
    size_t mlen = strlen(message);
    char msg[ZC_PROTO_MSG_MAX + 1];
    if (!zc_proto_utf8_valid(message, mlen, NULL)) {
        snprintf(msg, sizeof msg, "%s", "(message was not valid UTF-8)");
        mlen = strlen(msg);
    } else {
        mlen = zc_proto_utf8_cut(message, mlen, ZC_PROTO_MSG_MAX);
        memcpy(msg, message, mlen);
        msg[mlen] = '\0';
    }
    json_t *o = json_pack("{s:b,s:{s:s,s:s#}}", "ok", 0, "error", "code", code,
                          "message", msg, (int)mlen);
    if (o == NULL)
        return NULL;
    char *line = zc_proto_dump_line(o, len_out);
    json_decref(o);
    return line;
}

char *zc_proto_status_reply(zc_status st, const zc_error *err, size_t *len_out)
{
    const char *code = zc_status_protocol_code(st);
    if (code == NULL || strcmp(code, "ok") == 0)
        code = "internal";          /* a failure must never read as ok */
    const char *m = (err && err->message[0]) ? err->message : zc_status_name(st);
    char buf[ZC_ERROR_MESSAGE_MAX + ZC_ERROR_FIELD_MAX + 4];
    if (err && err->field[0] && strstr(m, err->field) == NULL)
        snprintf(buf, sizeof buf, "%s: %s", err->field, m);
    else
        snprintf(buf, sizeof buf, "%s", m);
    /* snprintf may have cut inside a character; the builder cuts on a UTF-8
     * boundary and replaces invalid text, so re-cut here first. */
    size_t n = zc_proto_utf8_cut(buf, strlen(buf), sizeof buf - 1);
    buf[n] = '\0';
    return zc_proto_error_reply(code, buf, len_out);
}
