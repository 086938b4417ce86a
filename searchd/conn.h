/* searchd/conn.h — the line protocol's transport: client connections, each a
 * state machine over a bufferevent, and the set of them.
 *
 * Owns: the sockets (through the bufferevents), the framer state, the
 * ordered reply slots, the memory all clients hold (and its budget), the
 * idle, send and linger timers.  What a request may do and when is the
 * dispatcher's (searchd/dispatch.h): a connection parses a line, hands the
 * request over with its reply slot as the ticket, and writes the replies
 * that come back in slot order.
 *
 * Life of a connection:
 *   OPEN     reading, framing and parsing requests.  Each request gets a
 *            reply slot in arrival order; replies are written strictly in
 *            slot order even when they come back out of order (pipelining).
 *            Reading pauses (backpressure) while the connection has
 *            ZC_SD_PIPELINE_MAX unanswered requests, ZC_SD_PIPELINE_BYTES_MAX
 *            bytes of arguments held, or ZC_SD_OUTPUT_PAUSE bytes of output
 *            the client has not taken; in the last case the dispatcher
 *            starts none of its queued requests either.  A client holding
 *            more than ZC_SD_OUTPUT_MAX untaken bytes when another reply is
 *            ready is dropped; one that takes nothing at all is closed by the
 *            send timeout.
 *   CLOSING  no more parsing (after a verb that ends the connection,
 *            line_too_long, the client's half-close, or a server shutdown);
 *            requests already read are answered and written, then
 *   LINGER   our side is shut down (FIN sent) and whatever the client still
 *            sends is read and discarded for ZC_SD_LINGER_S, so it reads our
 *            last reply instead of a reset; then
 *   CLOSED   the socket is closed and the dispatcher's session ended; the
 *            struct is freed when no callback of ours is on the stack.
 * A connection with no request in flight and no complete request for the
 * idle timeout is closed without a reply.
 * Must never: decide policy (auth, read-only, ordering between reads and
 * writes, deadlines), block, or let one client's input or output grow
 * without bound. */
#ifndef ZC_SEARCHD_CONN_H
#define ZC_SEARCHD_CONN_H

#include <stddef.h>

#include <event2/event.h>
#include <event2/util.h>

#include "searchd/dispatch.h"
#include "searchd/stats.h"

typedef struct zc_conns zc_conns;

typedef struct zc_conns_config {
    struct event_base *base;       /* borrowed */
    size_t max_line;               /* --max-line */
    double idle_timeout;           /* --idle-timeout; 0 = never */
    double send_timeout;           /* --send-timeout; 0 = never */
    size_t client_mem_max;         /* --max-client-memory, resolved */
    zc_dispatch *dispatch;         /* borrowed */
    zc_counters *counters;         /* borrowed */
    /* A connection closed (after it left the set). */
    void (*closed)(void *ctx);
    void *ctx;
} zc_conns_config;

/* Returns new (free with zc_conns_free), or NULL when memory ran out. */
zc_conns *zc_conns_new(const zc_conns_config *cfg);
/* Closes every connection and frees the set.  Accepts NULL. */
void zc_conns_free(zc_conns *cs);

/* Starts serving an accepted, non-blocking socket (takes ownership of fd;
 * closes it on failure).  peer is a printable address for the log; addr
 * the client's address without port ("" for a Unix socket). */
void zc_conns_accept(zc_conns *cs, evutil_socket_t fd, const char *peer, const char *addr);
/* Open connections, all of them or from the client address addr. */
unsigned zc_conns_count(const zc_conns *cs);
unsigned zc_conns_count_addr(const zc_conns *cs, const char *addr);
/* Bytes all clients hold now (see --max-client-memory). */
size_t zc_conns_memory(const zc_conns *cs);

/* Server shutdown: every connection stops reading new requests and closes
 * once the ones already read are answered and written. */
void zc_conns_stop(zc_conns *cs);
/* Closes every connection now, dropping unwritten replies. */
void zc_conns_kill(zc_conns *cs, const char *why);

#endif
