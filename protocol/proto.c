/* protocol/proto.c — the line framer, the verb table and the request
 * parser of the v1 protocol (see proto.h).  Pure: no I/O, no logging, no
 * allocation. */
#include "protocol/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

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
    {"QUIT", ZC_VERB_QUIT, ZC_VF_NOARG | ZC_VF_LOOP | ZC_VF_LAST},
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

/* ---- Parser ------------------------------------------------------------- */

static zc_parse_result parse_error(zc_request *req, zc_reply_code code,
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
    req->err_code = ZC_REPLY_OK;
    req->err_msg[0] = '\0';

    if (len > 0 && line[len - 1] == '\r')
        len--;                          /* CR before LF is dropped */
    if (len > 0 && memchr(line, '\0', len) != NULL)
        return parse_error(req, ZC_REPLY_BAD_REQUEST, "request contains a NUL byte",
                           NULL, 0);
    size_t bad;
    if (!zc_utf8_valid(line, len, &bad)) {
        char msg[64];
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", bad);
        return parse_error(req, ZC_REPLY_BAD_REQUEST, msg, NULL, 0);
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
        size_t shown = zc_utf8_cut(line + vstart, vlen, 40);
        return parse_error(req, ZC_REPLY_UNKNOWN_COMMAND,
                           shown < vlen ? "unknown command '%.*s...'; try HELP"
                                        : "unknown command '%.*s'; try HELP",
                           line + vstart, shown);
    }
    if ((v->flags & ZC_VF_ARG) && arg == NULL)
        return parse_error(req, ZC_REPLY_BAD_REQUEST, "%.*s needs an argument",
                           v->name, strlen(v->name));
    if ((v->flags & ZC_VF_NOARG) && arg != NULL)
        return parse_error(req, ZC_REPLY_BAD_REQUEST, "%.*s takes no argument",
                           v->name, strlen(v->name));
    req->verb = v;
    req->arg = arg;
    req->arg_len = arg ? arg_len : 0;
    return ZC_PARSE_REQUEST;
}

