/* searchd/conn.h — one client connection: a state machine over a
 * bufferevent.
 *
 * Owns: the socket (through the bufferevent), the framer state, the ordered
 * reply slots and the requests not yet handed to a thread.
 *
 * Life of a connection:
 *   OPEN     reading, framing and parsing requests.  Each request gets a
 *            reply slot in arrival order; replies are written strictly in
 *            slot order even when workers finish out of order (pipelining).
 *            Reading pauses (backpressure) while the connection has
 *            ZC_SD_PIPELINE_MAX unanswered requests, ZC_SD_PIPELINE_BYTES_MAX
 *            bytes of arguments held, or ZC_SD_OUTPUT_PAUSE bytes of output
 *            the client has not taken; in the last case no new request of
 *            it is started either.  A client holding more than
 *            ZC_SD_OUTPUT_MAX untaken bytes when another reply is ready is
 *            dropped; one that takes nothing at all is closed by the idle
 *            timeout.
 *   CLOSING  no more parsing (after QUIT, line_too_long, the client's
 *            half-close, or a server shutdown); requests already read are
 *            answered and written, then
 *   LINGER   our side is shut down (FIN sent) and whatever the client still
 *            sends is read and discarded for ZC_SD_LINGER_S, so it reads our
 *            last reply instead of a reset; then
 *   CLOSED   the socket is closed.  The struct lives on until every job a
 *            thread still holds for it has come back, and is then freed.
 * A connection with no request in flight and no traffic for the idle
 * timeout is closed without a reply.
 *
 * Ordering across threads: a read (SEARCH, GET, STATS) is not started while
 * an earlier write of the same connection is unfinished, and a write waits
 * for earlier reads, so a pipelined ADD, COMMIT, SEARCH finds the document.
 * Must never: block, or let one client's input or output grow without
 * bound. */
#ifndef ZC_SEARCHD_CONN_H
#define ZC_SEARCHD_CONN_H

#include <event2/util.h>

#include "jobs.h"
#include "server.h"

typedef struct zc_conn zc_conn;

/* Starts serving an accepted, non-blocking socket (takes ownership of fd;
 * closes it on failure).  peer is a printable address for the log. */
void zc_conn_new(zc_server *srv, evutil_socket_t fd, const char *peer, const char *addr);
/* Open connections from the client address addr (as given to zc_conn_new). */
unsigned zc_conn_count_addr(zc_server *srv, const char *addr);
/* A job came back from a worker or the writer (loop thread; takes
 * ownership of the job). */
void zc_conn_job_done(zc_job *job);
/* Server shutdown: stop reading new requests; close once the ones already
 * read are answered and written. */
void zc_conn_stop(zc_conn *c);
/* Closes now, dropping unwritten replies. */
void zc_conn_kill(zc_conn *c, const char *why);
/* The next connection of the server's list (for walking it). */
zc_conn *zc_conn_next(zc_conn *c);

#endif
