/* zc_client.h — libzhengce-client: a small blocking client of the
 * zhengce-searchd line protocol (docs/protocol.md, "C client library"),
 * used by `zhengce --server` and `zhengce-indexer --to`, and installable
 * for any C program: `#include <zc_client.h>`, link -lzhengce-client (it
 * needs nothing but libc; zhengce.h, installed beside it, gives zc_status
 * and zc_error, and no libzhengce code is linked).
 *
 * Ownership, in one rule: a zc_client owns its socket and read buffer
 * until zc_client_close; every reply line it returns is the caller's to
 * free() (the functions say "returns new"); strings passed in are borrowed
 * for the call only.
 *
 * Owns: one socket and its read buffer.  Not thread-safe: one client per
 * thread.  Replies come back in request order, so a caller may pipeline:
 * send several requests, then read as many replies.  Keep the number of
 * unanswered requests modest (a few hundred): the daemon stops reading from
 * a client whose replies pile up unread, and a client that only sends would
 * then block for ever.
 * Must never: print or exit; every failure is a status and a message. */
#ifndef ZC_CLIENT_H
#define ZC_CLIENT_H

#include <stddef.h>

#include "zc_status.h"

#ifdef __cplusplus
extern "C" {
#ifdef __cplusplus
}
#endif

#endif

/* Longest reply line accepted, in bytes: a SEARCH with limit 1000 and
 * snippets is a few MiB; a GET returns a whole document (<= 64 MiB). */
#define ZC_CLIENT_REPLY_MAX (80u * 1024u * 1024u)

typedef struct zc_client zc_client;

/* Connects to addr: "HOST:PORT", "[IPv6]:PORT", or the path of a Unix
 * socket (anything containing '/').  timeout_s bounds the connect and each
 * later send or receive (0 = wait for ever).  Errors: ZC_EINVAL (bad
 * address), ZC_EIO (cannot connect), ZC_ETIMEOUT.
 * Returns new; free with zc_client_close. */
ZC_API zc_status zc_client_connect(const char *addr, double timeout_s, zc_client **out,
                            zc_error *err);

/* Sends one request: line (len bytes, without LF) followed by LF.
 * ZC_EINVAL if the line contains LF. */
ZC_API zc_status zc_client_send(zc_client *c, const char *line, size_t len, zc_error *err);

/* Reads the next reply line.  *reply gets it without its LF, NUL-terminated
 * (returns new; free with free()), *len its length.  ZC_EIO when the server
 * closed the connection, ZC_ETIMEOUT, ZC_ETOOLONG past ZC_CLIENT_REPLY_MAX. */
ZC_API zc_status zc_client_recv(zc_client *c, char **reply, size_t *len, zc_error *err);

/* zc_client_send then zc_client_recv. */
ZC_API zc_status zc_client_request(zc_client *c, const char *line, size_t len,
                            char **reply, size_t *reply_len, zc_error *err);

/* Closes the socket and frees the client.  Accepts NULL. */
ZC_API void zc_client_close(zc_client *c);

#ifdef __cplusplus
}
#endif

#endif
