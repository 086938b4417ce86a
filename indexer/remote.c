/* remote.c — sending documents to zhengce-searchd (remote.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/zc_client.h"
#include "indexer/remote.h"

typedef struct pending {
    const char *file;
    uint64_t line;
    int is_delete;
    size_t bytes;
} pending;

struct zc_remote {
    zc_client *c;
    char *addr;
    char *token;
    zc_remote_reply_fn fn;
    void *ctx;
    pending win[ZC_REMOTE_WINDOW]; /* ring: requests sent, reply not yet read */
    size_t head, n;
    size_t bytes_in_flight;
    char *buf;                     /* the request line being built */
    size_t cap;
};

static zc_status fail(zc_error *err, zc_status code, const char *msg, const char *detail)
{
    if (err != NULL) {
        err->code = code;
        err->field[0] = '\0';
        snprintf(err->message, sizeof err->message, "%s%s%s", msg, detail ? ": " : "",
                 detail ? detail : "");
    }
    return code;
}

/* Sends "VERB[ payload]". */
static zc_status send_req(zc_remote *r, const char *verb, const char *p, size_t len,
                          zc_error *err)
{
    size_t vl = strlen(verb), need = vl + 1 + len;
    if (need > r->cap) {
        char *nb = realloc(r->buf, need);
        if (nb == NULL)
            return fail(err, ZC_ENOMEM, "out of memory", NULL);
        r->buf = nb;
        r->cap = need;
    }
    memcpy(r->buf, verb, vl);
    size_t n = vl;
    if (p != NULL) {
        r->buf[n++] = ' ';
        memcpy(r->buf + n, p, len);
        n += len;
    }
    return zc_client_send(r->c, r->buf, n, err);
}

/* Reads one reply line and parses it.  Returns new; free with json_decref. */
static zc_status recv_json(zc_remote *r, json_t **out, zc_error *err)
{
    char *line = NULL;
    size_t len = 0;
    *out = NULL;
    zc_status st = zc_client_recv(r->c, &line, &len, err);
    if (st != ZC_OK)
        return st;
    json_error_t je;
    json_t *j = json_loadb(line, len, 0, &je);
    free(line);
    if (!json_is_object(j)) {
        json_decref(j);
        return fail(err, ZC_EIO, "the server sent a reply that is not a JSON object", NULL);
    }
    *out = j;
    return ZC_OK;
}

static const char *err_field(json_t *reply, const char *k)
{
    const char *s = json_string_value(json_object_get(json_object_get(reply, "error"), k));
    return s ? s : "";
}

static zc_status authenticate(zc_remote *r, zc_error *err)
{
    if (r->token == NULL)
        return ZC_OK;
    json_t *j = NULL;
    zc_status st = send_req(r, "AUTH", r->token, strlen(r->token), err);
    if (st == ZC_OK)
        st = recv_json(r, &j, err);
    if (st == ZC_OK && !json_is_true(json_object_get(j, "ok")))
        st = fail(err, ZC_EINVAL, "AUTH refused", err_field(j, "message"));
    json_decref(j);
    return st;
}

static zc_status connect_(zc_remote *r, zc_error *err)
{
    zc_client_close(r->c);
    r->c = NULL;
    zc_status st = zc_client_connect(r->addr, ZC_REMOTE_TIMEOUT_S, &r->c, err);
    if (st != ZC_OK)
        return st;
    return authenticate(r, err);
}

/* Asks STATS whether the daemon takes writes.  Without this, a daemon
 * started without --writable refuses the first ADD, and an empty input
 * only learns it at COMMIT; a user then reads a refusal per record or a
 * summary of "0 documents" instead of the one thing to fix.  A daemon
 * whose STATS says nothing about it is let through: its ADD replies say. */
static zc_status check_writable(zc_remote *r, zc_error *err)
{
    json_t *j = NULL;
    zc_status st = send_req(r, "STATS", NULL, 0, err);
    if (st == ZC_OK)
        st = recv_json(r, &j, err);
    if (st == ZC_OK && json_is_true(json_object_get(j, "ok")) &&
        json_is_false(json_object_get(j, "writable")))
        st = fail(err, ZC_EREADONLY, ZC_REMOTE_READ_ONLY_MESSAGE, NULL);
    json_decref(j);
    return st;
}

zc_status zc_remote_open(const char *addr, const char *token, zc_remote_reply_fn fn,
                         void *ctx, zc_remote **out, zc_error *err)
{
    *out = NULL;
    zc_remote *r = calloc(1, sizeof *r);
    if (r == NULL)
        return fail(err, ZC_ENOMEM, "out of memory", NULL);
    r->fn = fn;
    r->ctx = ctx;
    r->addr = strdup(addr);
    r->token = token ? strdup(token) : NULL;
    zc_status st = ZC_OK;
    if (r->addr == NULL || (token != NULL && r->token == NULL))
        st = fail(err, ZC_ENOMEM, "out of memory", NULL);
    if (st == ZC_OK)
        st = connect_(r, err);
    if (st == ZC_OK)
        st = check_writable(r, err);
    if (st != ZC_OK) {
        zc_remote_close(r);
        return st;
    }
    *out = r;
    return ZC_OK;
}

/* Reads the oldest outstanding reply and hands it to the callback. */
static zc_status read_one(zc_remote *r, zc_error *err)
{
    json_t *j = NULL;
    zc_status st = recv_json(r, &j, err);
    if (st != ZC_OK)
        return st;
    pending p = r->win[r->head];
    r->head = (r->head + 1) % ZC_REMOTE_WINDOW;
    r->n--;
    r->bytes_in_flight -= p.bytes;

    zc_remote_reply rep = {p.file, p.line, p.is_delete, 0, 0, "", ""};
    rep.ok = json_is_true(json_object_get(j, "ok"));
    rep.existed = json_is_true(json_object_get(j, "deleted"));
    rep.code = err_field(j, "code");
    rep.message = err_field(j, "message");
    char msg[160];
    if (!rep.ok && strcmp(rep.code, "line_too_long") == 0) {
        if (p.bytes > ZC_REMOTE_BIG_LINE && r->n == 0) {
            /* Sent alone: nothing was lost behind it.  Report it, then
             * reconnect, since the server closed the connection. */
            snprintf(msg, sizeof msg,
                     "record of %zu bytes is longer than the server's line limit", p.bytes);
            rep.message = msg;
            int fatal = r->fn(r->ctx, &rep);
            json_decref(j);
            if (fatal)
                return fail(err, ZC_EIO, "stopped", NULL);
            return connect_(r, err);
        }
        json_decref(j);
        return fail(err, ZC_EIO,
                    "the server refused a record as longer than its line limit and closed "
                    "the connection; the records sent after it are lost",
                    NULL);
    }
    int fatal = r->fn(r->ctx, &rep);
    json_decref(j);
    if (fatal)
        return fail(err, ZC_EIO, "stopped", NULL);
    return ZC_OK;
}

static zc_status drain(zc_remote *r, zc_error *err)
{
    while (r->n > 0) {
        zc_status st = read_one(r, err);
        if (st != ZC_OK)
            return st;
    }
    return ZC_OK;
}

static zc_status send_tracked(zc_remote *r, const char *verb, const char *p, size_t len,
                              const char *file, uint64_t line, int is_delete, zc_error *err)
{
    size_t bytes = strlen(verb) + 1 + len;
    zc_status st;
    if (bytes > ZC_REMOTE_BIG_LINE) {
        if ((st = drain(r, err)) != ZC_OK)
            return st;
    }
    while (r->n > 0 && (r->n >= ZC_REMOTE_WINDOW || r->bytes_in_flight + bytes > ZC_REMOTE_WINDOW_BYTES)) {
        if ((st = read_one(r, err)) != ZC_OK)
            return st;
    }
    if ((st = send_req(r, verb, p, len, err)) != ZC_OK)
        return st;
    size_t slot = (r->head + r->n) % ZC_REMOTE_WINDOW;
    r->win[slot] = (pending){file, line, is_delete, bytes};
    r->n++;
    r->bytes_in_flight += bytes;
    /* A big line is answered before anything else is sent. */
    if (bytes > ZC_REMOTE_BIG_LINE)
        return drain(r, err);
    return ZC_OK;
}

zc_status zc_remote_flush(zc_remote *r, zc_error *err)
{
    return drain(r, err);
}

zc_status zc_remote_add(zc_remote *r, const char *json, size_t len, const char *file,
                        uint64_t line, zc_error *err)
{
    if (memchr(json, '\n', len) != NULL)
        return fail(err, ZC_EINVAL, "a record for the server must be one line", NULL);
    return send_tracked(r, "ADD", json, len, file, line, 0, err);
}

zc_status zc_remote_delete(zc_remote *r, const char *id, zc_error *err)
{
    if (strchr(id, '\n') != NULL || strchr(id, '\r') != NULL)
        return fail(err, ZC_EINVAL, "an id sent to the server must be one line", NULL);
    return send_tracked(r, "DEL", id, strlen(id), "--delete", 0, 1, err);
}

zc_status zc_remote_commit(zc_remote *r, uint64_t *docs, zc_error *err)
{
    if (docs)
        *docs = 0;
    zc_status st = drain(r, err);
    if (st != ZC_OK)
        return st;
    json_t *j = NULL;
    if ((st = send_req(r, "COMMIT", NULL, 0, err)) != ZC_OK ||
        (st = recv_json(r, &j, err)) != ZC_OK)
        return st;
    if (!json_is_true(json_object_get(j, "ok"))) {
        char what[64];
        snprintf(what, sizeof what, "COMMIT refused (%s)", err_field(j, "code"));
        st = fail(err, ZC_EIO, what, err_field(j, "message"));
    } else if (docs) {
        json_t *d = json_object_get(j, "docs");
        *docs = json_is_integer(d) ? (uint64_t)json_integer_value(d) : 0;
    }
    json_decref(j);
    return st;
}

void zc_remote_close(zc_remote *r)
{
    if (r == NULL)
        return;
    zc_client_close(r->c);
    free(r->addr);
    free(r->token);
    free(r->buf);
    free(r);
}
