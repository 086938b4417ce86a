/* fuzz_proto.c — libFuzzer harness for protocol/proto.c: the request-line
 * framer and the request parser, fed one connection's byte stream split into
 * chunks at points chosen by the input, as a socket delivers it.
 *
 * Input layout:
 *   byte 0      the line limit: high bit set -> the daemon default (1 MiB),
 *               else 1 + (b % 96) bytes, so the limit edge is hit often;
 *   byte 1      k = b % 17, the number of chunk sizes that follow;
 *   k bytes     chunk sizes (0 allowed: an empty read), used in turn and
 *               cycled until the stream is consumed;
 *   the rest    the stream.
 *
 * Invariants checked against a reference model computed from the whole
 * stream, independent of the chunking:
 *  - the framer consumes every byte exactly once, never more than it was
 *    given, and makes progress on every non-empty chunk;
 *  - it reports each complete line exactly once, with the right length,
 *    ending at the right LF; a line is line_too_long exactly when it exceeds
 *    the limit (a CR right before the LF not counted), at the byte that
 *    broke it, and never later; an unterminated last line is never a line;
 *  - every complete line gets exactly one parse outcome (request, ignored as
 *    empty, or error), the one protocol.md's precise rules prescribe; the
 *    argument is the verbatim rest of the line, inside the line;
 *  - every error reply built for it is one line of valid JSON;
 *  - zc_utf8_valid agrees with an independent validator, and
 *    zc_utf8_cut returns the longest valid prefix within its limit.
 * Each chunk and each line is an exact-size heap copy, so any read past what
 * a function was given is an ASan report.
 *
 * protocol/proto.c, utf8.c and reply.c are linked in directly (the
 * protocol layer is not part of libzhengce); they need only error.c of the
 * library. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "searchd/limits.h"
#include "protocol/proto.h"
#include "protocol/reply.h"
#include "base/utf8.h"
#include "fuzz_util.h"

/* ---- reference model ------------------------------------------------------ */

typedef enum exp_kind { EXP_LINE, EXP_TOO_LONG } exp_kind;

typedef struct expect {
    exp_kind kind;
    size_t start; /* LINE: stream offset of the line's first byte */
    size_t len;   /* LINE: bytes before the LF */
    size_t at;    /* LINE: offset of the LF; TOO_LONG: of the byte that broke it */
} expect;

/* The events the framer must report for `stream` with limit max, in order,
 * whatever the chunking.  Returns how many (at most cap). */
static size_t model_events(const char *s, size_t n, size_t max, expect *ev, size_t cap)
{
    size_t nev = 0, start = 0;
    while (start < n && nev < cap) {
        const char *lf = memchr(s + start, '\n', n - start);
        size_t L = lf ? (size_t)(lf - (s + start)) : n - start;
        /* A CR counts as line content unless the LF follows it. */
        size_t eff = (lf && L > 0 && s[start + L - 1] == '\r') ? L - 1 : L;
        if (eff > max) {
            /* The byte at offset max breaks the limit, unless it is a CR
             * (it might precede the LF): then the byte after it does. */
            size_t bad = s[start + max] == '\r' ? max + 1 : max;
            if (bad < L)
                ev[nev++] = (expect){EXP_TOO_LONG, start, 0, start + bad};
            /* else: max bytes + CR at the end of the stream — undecided. */
            return nev;
        }
        if (lf == NULL)
            return nev; /* unterminated last line: dropped */
        ev[nev++] = (expect){EXP_LINE, start, L, start + L};
        start += L + 1;
    }
    return nev;
}

static int upper_eq(const char *a, size_t alen, const char *name)
{
    size_t nl = strlen(name);
    if (alen != nl)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != name[i])
            return 0;
    }
    return 1;
}

/* ---- checks of one line ------------------------------------------------------ */

/* A reply body: one JSON object, no LF at all (the transport adds it). */
static void check_json_reply(const char *reply, size_t n, const char *code)
{
    FUZZ_CHECK(reply != NULL);
    FUZZ_CHECK(n >= 2 && strlen(reply) == n);
    FUZZ_CHECK(memchr(reply, '\n', n) == NULL);
    FUZZ_CHECK(fuzz_utf8_valid(reply, n, NULL));
    json_error_t je;
    json_t *o = json_loadb(reply, n, 0, &je);
    FUZZ_CHECK(o != NULL && json_is_object(o));
    FUZZ_CHECK(json_is_false(json_object_get(o, "ok")));
    json_t *e = json_object_get(o, "error");
    FUZZ_CHECK(json_is_object(e));
    const char *c = json_string_value(json_object_get(e, "code"));
    FUZZ_CHECK(c != NULL && json_is_string(json_object_get(e, "message")));
    if (code != NULL)
        FUZZ_CHECK(strcmp(c, code) == 0);
    FUZZ_CHECK(strcmp(c, "ok") != 0);
    json_decref(o);
}

static void check_parse(const char *line, size_t len)
{
    zc_request req;
    memset(&req, 0xA5, sizeof req); /* nothing may be left unset */
    zc_parse_result r = zc_proto_parse(line, len, &req);
    FUZZ_CHECK(r == ZC_PARSE_REQUEST || r == ZC_PARSE_EMPTY || r == ZC_PARSE_ERROR);

    /* protocol.md, "Precise rules", computed here from scratch. */
    size_t L = (len > 0 && line[len - 1] == '\r') ? len - 1 : len;
    const char *want_code = NULL;
    zc_parse_result want;
    const zc_verb_info *want_verb = NULL;
    size_t i = 0;
    while (i < L && line[i] == ' ')
        i++;
    if (memchr(line, '\0', L) != NULL || !fuzz_utf8_valid(line, L, NULL)) {
        want = ZC_PARSE_ERROR, want_code = "bad_request";
    } else if (i == L) {
        want = ZC_PARSE_EMPTY;
    } else {
        size_t vs = i;
        while (i < L && line[i] != ' ')
            i++;
        size_t vlen = i - vs;
        while (i < L && line[i] == ' ')
            i++;
        size_t nv;
        const zc_verb_info *verbs = zc_proto_verbs(&nv);
        for (size_t k = 0; k < nv; k++)
            if (upper_eq(line + vs, vlen, verbs[k].name))
                want_verb = &verbs[k];
        int has_arg = i < L;
        if (want_verb == NULL)
            want = ZC_PARSE_ERROR, want_code = "unknown_command";
        else if ((want_verb->flags & ZC_VF_ARG) && !has_arg)
            want = ZC_PARSE_ERROR, want_code = "bad_request";
        else if ((want_verb->flags & ZC_VF_NOARG) && has_arg)
            want = ZC_PARSE_ERROR, want_code = "bad_request";
        else
            want = ZC_PARSE_REQUEST;
    }
    FUZZ_CHECK(r == want);

    if (r == ZC_PARSE_REQUEST) {
        FUZZ_CHECK(req.verb == want_verb);
        if (i < L) {
            FUZZ_CHECK(req.arg == line + i); /* verbatim rest of the line */
            FUZZ_CHECK(req.arg_len == L - i);
            FUZZ_CHECK(req.arg[0] != ' ');
        } else {
            FUZZ_CHECK(req.arg == NULL && req.arg_len == 0);
        }
    } else if (r == ZC_PARSE_ERROR) {
        FUZZ_CHECK(req.verb == NULL && req.arg == NULL && req.arg_len == 0);
        FUZZ_CHECK(strcmp(zc_reply_code_name(req.err_code), want_code) == 0);
        FUZZ_CHECK(memchr(req.err_msg, '\0', sizeof req.err_msg) != NULL);
        FUZZ_CHECK(req.err_msg[0] != '\0');
        FUZZ_CHECK(fuzz_utf8_valid(req.err_msg, strlen(req.err_msg), NULL));
        zc_reply rep;
        zc_reply_init(&rep);
        zc_reply_error(&rep, req.err_code, req.err_msg);
        check_json_reply(rep.body, rep.len, want_code);
        zc_reply_clear(&rep);
    }
}

/* The reply builders take messages from anywhere (library errors quote
 * document fields): any bytes must still give one line of valid JSON. */
static void check_status_reply(const char *line, size_t len, unsigned sel)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    err.code = (zc_status)(sel % (ZC_EINTERNAL + 1));
    size_t fl = len < sizeof err.field - 1 ? len : sizeof err.field - 1;
    if (sel & 0x80) {
        memcpy(err.field, line, fl);
        err.field[strnlen(err.field, fl)] = '\0';
    }
    size_t ml = len < sizeof err.message - 1 ? len : sizeof err.message - 1;
    memcpy(err.message, line, ml);
    err.message[ml] = '\0';
    zc_reply rep;
    zc_reply_init(&rep);
    zc_reply_status(&rep, err.code, &err);
    check_json_reply(rep.body, rep.len, NULL);
    zc_reply_clear(&rep);
}

static void check_utf8_helpers(const char *s, size_t len, size_t max)
{
    size_t bad_ref = 0, bad = 0;
    int ok_ref = fuzz_utf8_valid(s, len, &bad_ref);
    int ok = zc_utf8_valid(s, len, &bad);
    FUZZ_CHECK(ok == ok_ref);
    if (!ok)
        FUZZ_CHECK(bad == bad_ref);

    size_t cut = zc_utf8_cut(s, len, max);
    FUZZ_CHECK(cut <= len && cut <= max);
    FUZZ_CHECK(fuzz_utf8_valid(s, cut, NULL));
    if (cut < len) {
        /* Longest: the next sequence is invalid or would pass max. */
        size_t k = 1;
        while (k <= 4 && cut + k <= len && !fuzz_utf8_valid(s + cut, k, NULL))
            k++;
        if (k <= 4 && cut + k <= len)
            FUZZ_CHECK(cut + k > max);
    }
}

/* ---- the connection ------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_line = (data[0] & 0x80) ? ZC_SD_MAX_LINE_DEFAULT : 1 + (size_t)(data[0] % 96);
    size_t k = data[1] % 17;
    if (size < 2 + k)
        return 0;
    const uint8_t *sizes = data + 2;
    const char *stream = (const char *)data + 2 + k;
    size_t n = size - 2 - k;

    static int table_checked;
    if (!table_checked) {
        size_t nv = 0;
        const zc_verb_info *v = zc_proto_verbs(&nv);
        FUZZ_CHECK(nv == ZC_VERB_COUNT);
        for (size_t i = 0; i < nv; i++) {
            FUZZ_CHECK(v[i].verb == (zc_verb)i);
            FUZZ_CHECK(!((v[i].flags & ZC_VF_ARG) && (v[i].flags & ZC_VF_NOARG)));
        }
        table_checked = 1;
    }

    /* At most one event per LF, plus one too-long line. */
    expect *ev = malloc((n + 1) * sizeof *ev);
    FUZZ_CHECK(ev != NULL);
    size_t nexp = model_events(stream, n, max_line, ev, n + 1);
    check_utf8_helpers(stream, n, k ? sizes[0] : n / 2);

    zc_proto_framer fr;
    zc_proto_framer_init(&fr, max_line);
    char *held = malloc(n ? n : 1); /* the current line, as the caller keeps it */
    FUZZ_CHECK(held != NULL);
    size_t held_len = 0, pos = 0, got = 0, ci = 0;
    int stopped = 0;

    while (!stopped && (pos < n || (k > 0 && ci < k))) {
        size_t csize = k ? sizes[ci % k] : n;
        if (csize == 0 && ci >= k)
            csize = 1; /* after one round, always progress */
        if (csize > n - pos)
            csize = n - pos;
        ci++;
        char *chunk = fuzz_dup_exact(stream + pos, csize);
        size_t off = 0;
        do {
            size_t used = (size_t)-1, line_len = (size_t)-1;
            zc_frame_result r = zc_proto_frame(&fr, chunk + off, csize - off, &used, &line_len);
            FUZZ_CHECK(used <= csize - off);
            if (r == ZC_FRAME_MORE) {
                FUZZ_CHECK(used == csize - off && line_len == 0);
                FUZZ_CHECK(memchr(chunk + off, '\n', used) == NULL);
                memcpy(held + held_len, chunk + off, used);
                held_len += used;
                FUZZ_CHECK(fr.seen == held_len);
                off += used;
            } else if (r == ZC_FRAME_LINE) {
                FUZZ_CHECK(used >= 1 && chunk[off + used - 1] == '\n');
                FUZZ_CHECK(memchr(chunk + off, '\n', used - 1) == NULL);
                memcpy(held + held_len, chunk + off, used - 1);
                held_len += used - 1;
                FUZZ_CHECK(line_len == held_len);
                FUZZ_CHECK(got < nexp && ev[got].kind == EXP_LINE);
                FUZZ_CHECK(ev[got].len == line_len);
                FUZZ_CHECK(ev[got].at == pos + off + used - 1);
                FUZZ_CHECK(memcmp(held, stream + ev[got].start, line_len) == 0);
                FUZZ_CHECK(fr.seen == 0);
                got++;
                char *line = fuzz_dup_exact(held, line_len);
                check_parse(line, line_len);
                check_status_reply(line, line_len, (unsigned)data[0]);
                free(line);
                held_len = 0;
                off += used;
            } else {
                FUZZ_CHECK(r == ZC_FRAME_TOO_LONG);
                FUZZ_CHECK(used >= 1 && line_len == 0);
                FUZZ_CHECK(got < nexp && ev[got].kind == EXP_TOO_LONG);
                FUZZ_CHECK(ev[got].at == pos + off + used - 1);
                got++;
                stopped = 1; /* line_too_long, then close */
                break;
            }
        } while (off < csize);
        free(chunk);
        pos += csize;
    }
    /* Every event the model predicts was reported: no line lost, no
     * too-long missed.  (The model stops at the first too-long line, and so
     * did we.) */
    FUZZ_CHECK(got == nexp);
    /* At end of stream without a too-long line, what is held is exactly the
     * unterminated last line, which is dropped. */
    if (!stopped) {
        size_t last_lf = n;
        while (last_lf > 0 && stream[last_lf - 1] != '\n')
            last_lf--;
        FUZZ_CHECK(held_len == n - last_lf);
    }
    free(held);
    free(ev);
    return 0;
}
