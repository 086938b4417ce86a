/* searchd/dispatch.h — the daemon's request policy: who may run what, when,
 * and on which thread.
 *
 * Owns: per session (one per connection) the requests read but not yet
 * started, the AUTH state and its throttling, the reads and writes in
 * flight; daemon-wide the fair round-robin turns between sessions for the
 * worker pool, the queue on which answered jobs come back to the event
 * loop, and the counting and logging of what comes back.
 *
 * Policy, in the order it is applied to the oldest held request of a
 * session (protocol.md):
 *  - nothing starts while the transport says its client is not taking
 *    replies (backpressure), nor while a wrong AUTH's reply is held back;
 *  - writes: read_only without a writer, then forbidden until AUTH where a
 *    token is set, then they go to the writer once the session's earlier
 *    reads are done;
 *  - reads (SEARCH, GET, STATS) start after the session's earlier writes;
 *  - loop verbs (PING, HELP, QUIT, AUTH, STATS) are answered at once, on
 *    the loop, by the executor;
 *  - SEARCH and GET go to the workers: at most conn_inflight_max per
 *    session, and at most ZC_SD_READS_PER_WORKER per worker daemon-wide;
 *    sessions that find the pool full take turns, round-robin, one request
 *    each;
 *  - the time limit of a query starts when a worker takes it (workers.c).
 * A held request that must wait stops every request behind it, so replies
 * can be produced in request order.
 *
 * The transport (conn.c) hands requests in with an opaque ticket and gets
 * each reply back through its callback, with that ticket, in any order; it
 * keeps the order itself.
 * Must never: touch a socket, a buffer or a connection; all of it runs on
 * the loop thread except the jobs' completion callback. */
#ifndef ZC_SEARCHD_DISPATCH_H
#define ZC_SEARCHD_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "protocol/exec.h"
#include "protocol/proto.h"
#include "protocol/reply.h"
#include "searchd/stats.h"
#include "searchd/workers.h"
#include "searchd/writer.h"

typedef struct zc_dispatch zc_dispatch;
typedef struct zc_dispatch_session zc_dispatch_session;

typedef struct zc_dispatch_config {
    struct event_base *base;       /* borrowed; the loop everything runs on */
    zc_workers *workers;           /* borrowed; started */
    zc_writer *writer;             /* borrowed; NULL = read-only daemon */
    const char *token;             /* AUTH token, or NULL; borrowed; never logged */
    size_t token_len;
    unsigned n_workers;
    double slow_ms;                /* log searches slower than this */
    zc_counters *counters;         /* borrowed */
    /* Fills what STATS reports (exec.h); called on the loop. */
    void (*stats)(void *ctx, zc_exec_stats *s);
    void *stats_ctx;
} zc_dispatch_config;

/* Returns new (free with zc_dispatch_free), or NULL when memory or the
 * wake-up event could not be had. */
zc_dispatch *zc_dispatch_new(const zc_dispatch_config *cfg);
/* Delivers the jobs the threads handed back and the loop has not taken yet
 * (the shutdown calls it once the threads are stopped). */
void zc_dispatch_drain(zc_dispatch *d);
/* Frees the dispatcher.  Every session must be closed and every job back
 * (zc_dispatch_drain after the threads stopped).  Accepts NULL. */
void zc_dispatch_free(zc_dispatch *d);

/* ---- sessions ------------------------------------------------------------ */

enum {
    /* With a reply: the connection ends after it, and the requests after
     * it are dropped unanswered (QUIT, the last wrong AUTH). */
    ZC_DISPATCH_CLOSE = 1u << 0
};

/* The transport's side of a session; called on the loop thread. */
typedef struct zc_dispatch_io {
    /* The reply to the request submitted with ticket.  Takes the reply's
     * body (zc_reply_take); may come from inside zc_dispatch_submit or
     * zc_dispatch_kick.  flags: ZC_DISPATCH_CLOSE. */
    void (*reply)(void *ctx, void *ticket, zc_reply *reply, unsigned flags);
    /* 1 while the client takes its replies, so more work may start. */
    int (*may_start)(void *ctx);
    void *ctx;
} zc_dispatch_io;

/* Opens a session for a connection (id and peer for the log; peer is
 * copied).  Returns new, or NULL when memory ran out; end it with
 * zc_dispatch_close. */
zc_dispatch_session *zc_dispatch_open(zc_dispatch *d, uint64_t id, const char *peer,
                                      const zc_dispatch_io *io);
/* Queues one parsed request (arg copied, may be NULL) behind the session's
 * others and starts what may start.  Returns 0, or -1 when memory ran out
 * (nothing was queued: the transport answers it). */
int zc_dispatch_submit(zc_dispatch_session *s, const zc_verb_info *verb, const char *arg,
                       size_t arg_len, void *ticket);
/* The transport can take more work again (its client took replies): start
 * what may start. */
void zc_dispatch_kick(zc_dispatch_session *s);
/* Requests of the session a worker or the writer holds now. */
unsigned zc_dispatch_inflight(const zc_dispatch_session *s);
/* The transport is done with the session: held requests are dropped, no
 * io callback is made any more, and the session is freed once the jobs the
 * threads still hold for it have come back. */
void zc_dispatch_close(zc_dispatch_session *s);

#endif
