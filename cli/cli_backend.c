/* cli/cli_backend.c — the two backends of `zhengce` (see cli_backend.h). */
#include "cli/cli_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/exec.h"
#include "protocol/reply.h"

static zc_status fail(zc_error *err, zc_status st, const char *msg)
{
    err->code = st;
    err->field[0] = '\0';
    snprintf(err->message, sizeof err->message, "%s", msg);
    return st;
}

zc_status zc_cli_backend_open(zc_cli_backend *b, const char *index, const char *server,
                              double timeout_s, zc_error *err)
{
    memset(b, 0, sizeof *b);
    if (server) {
        b->where = server;
        return zc_client_connect(server, timeout_s, &b->client, err);
    }
    b->where = index;
    return zc_index_open(index, ZC_OPEN_READ, &b->idx, err);
}

void zc_cli_backend_close(zc_cli_backend *b)
{
    zc_client_close(b->client);
    zc_index_close(b->idx);
    b->client = NULL;
    b->idx = NULL;
}

/* Local mode: the executor on the read-only handle, as a read-only daemon
 * would answer (STATS reports this process: no server figures). */
static zc_status local_request(zc_cli_backend *b, const char *line, size_t len, char **reply,
                               size_t *reply_len, zc_error *err)
{
    zc_exec_env env;
    memset(&env, 0, sizeof env);
    env.idx = b->idx;
    zc_reply r;
    zc_reply_init(&r);
    if (!zc_exec_line(&env, line, len, &r))
        return fail(err, ZC_EINVAL, "an empty request has no reply");
    int is_static = 0;
    char *body = zc_reply_take(&r, reply_len, &is_static);
    if (is_static) {
        char *copy = malloc(*reply_len + 1);
        if (copy == NULL)
            return fail(err, ZC_ENOMEM, "out of memory");
        memcpy(copy, body, *reply_len + 1);
        body = copy;
    }
    *reply = body;
    return ZC_OK;
}

zc_status zc_cli_backend_request(zc_cli_backend *b, const char *line, size_t len,
                                 char **reply, size_t *reply_len, zc_error *err)
{
    *reply = NULL;
    *reply_len = 0;
    if (b->client)
        return zc_client_request(b->client, line, len, reply, reply_len, err);
    return local_request(b, line, len, reply, reply_len, err);
}
