/* cli/cli_backend.h — where the `zhengce` client's requests are answered:
 * in-process on an index opened read-only (--index), through the executor
 * (protocol/exec.h) that the daemon uses too, or by a daemon (--server),
 * through the protocol client (client/zc_client.h).  Either way a request
 * is one protocol line and its reply the protocol's JSON object, so
 * everything above prints the same thing in both modes.
 *
 * Owns: the index handle or the connection.
 * Must never: print (the caller reports) or exit. */
#ifndef ZC_CLI_BACKEND_H
#define ZC_CLI_BACKEND_H

#include <stddef.h>

#include "client/zc_client.h"
#include "lib/zhengce.h"

typedef struct zc_cli_backend {
    zc_client *client;     /* --server; owned */
    zc_index *idx;         /* --index; owned */
    const char *where;     /* the address or directory, for messages; borrowed */
} zc_cli_backend;

/* Opens the index read-only (index != NULL) or connects to server (with
 * timeout_s per operation).  Returns ZC_OK, or a status with err filled;
 * b is then empty.  Close with zc_cli_backend_close. */
zc_status zc_cli_backend_open(zc_cli_backend *b, const char *index, const char *server,
                              double timeout_s, zc_error *err);
/* Closes what b holds.  Accepts an empty b. */
void zc_cli_backend_close(zc_cli_backend *b);

/* Answers one request line (no LF) in either mode.  *reply gets the reply
 * line without LF (returns new; free with free()).  Returns ZC_OK when a
 * reply was obtained (it may itself be an error object); another status
 * when none could be (connection lost, an empty line, ...), with err
 * filled. */
zc_status zc_cli_backend_request(zc_cli_backend *b, const char *line, size_t len,
                                 char **reply, size_t *reply_len, zc_error *err);

#endif
