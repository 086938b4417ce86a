/* remote.h — `zhengce-indexer --to ADDR`: sending documents to a running
 * zhengce-searchd (started with --writable) instead of writing an index.
 *
 * Owns: one protocol connection (client/zc_client.h) and the window of
 * requests sent but not yet answered.  ADDs are pipelined: up to
 * ZC_REMOTE_WINDOW requests (and ZC_REMOTE_WINDOW_BYTES of them) are in
 * flight; each reply is handed to the caller's callback with the FILE and
 * LINE of its record, in input order.
 *
 * Line limit: the daemon closes the connection after a request longer than
 * its line limit (1 MiB by default), dropping the requests sent after it.
 * So a record longer than ZC_REMOTE_BIG_LINE is sent only when nothing else
 * is in flight; if the daemon refuses it (line_too_long), it is reported as
 * a bad record and the client reconnects (and authenticates again) before
 * going on.  A smaller record refused that way (a daemon configured with a
 * lower limit) ends the run: the requests behind it are lost.
 * Must never: print (the caller reports) or exit.
 */
#ifndef ZC_INDEXER_REMOTE_H
#define ZC_INDEXER_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/zhengce.h"

#define ZC_REMOTE_WINDOW 64
#define ZC_REMOTE_WINDOW_BYTES (8u * 1024u * 1024u)
#define ZC_REMOTE_BIG_LINE (1024u * 1024u)
#define ZC_REMOTE_TIMEOUT_S 120.0

/* One answered request.  ok: the reply's "ok"; code/message: the error
 * reply's code and message (else ""); existed: for DEL, "deleted". */
typedef struct zc_remote_reply {
    const char *file;    /* as given to zc_remote_add (borrowed) */
    uint64_t line;
    int is_delete;
    int ok;
    int existed;
    const char *code;    /* borrowed for the callback only */
    const char *message;
} zc_remote_reply;

/* Called once per ADD/DEL reply, in request order.  Return non-zero to say
 * the reply is fatal for the run (zc_remote_* then fail with ZC_EIO). */
typedef int (*zc_remote_reply_fn)(void *ctx, const zc_remote_reply *r);

typedef struct zc_remote zc_remote;

/* What a daemon started without --writable is told as: the message of
 * ZC_EREADONLY from zc_remote_open, and of a read_only reply. */
#define ZC_REMOTE_READ_ONLY_MESSAGE "the daemon is read-only: start it with --writable"

/* Connects to addr (HOST:PORT or a Unix socket path); sends AUTH with token
 * (NUL-terminated, may be NULL for none); asks STATS whether the daemon
 * takes writes: ZC_EREADONLY (ZC_REMOTE_READ_ONLY_MESSAGE) if it says not.
 * Returns new; free with zc_remote_close. */
zc_status zc_remote_open(const char *addr, const char *token, zc_remote_reply_fn fn,
                         void *ctx, zc_remote **out, zc_error *err);

/* Sends "ADD json" (json has no LF).  file is borrowed until its reply has
 * been handed to the callback. */
zc_status zc_remote_add(zc_remote *r, const char *json, size_t len, const char *file,
                        uint64_t line, zc_error *err);

/* Sends "DEL id". */
zc_status zc_remote_delete(zc_remote *r, const char *id, zc_error *err);

/* Waits for every reply (each handed to the callback). */
zc_status zc_remote_flush(zc_remote *r, zc_error *err);

/* Waits for every reply, then sends COMMIT; *docs gets its "docs". */
zc_status zc_remote_commit(zc_remote *r, uint64_t *docs, zc_error *err);

/* Closes without committing (the daemon commits on its own interval).
 * Accepts NULL. */
void zc_remote_close(zc_remote *r);

#endif
