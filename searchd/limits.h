/* searchd/limits.h — every per-connection and per-daemon limit of
 * zhengce-searchd, with its unit and the reason for its value.
 *
 * Defaults marked "(option)" can be changed on the command line or in the
 * config file; the others are hard limits of the daemon.  The library's own
 * limits (query length, document size, limit <= 1000) are in lib/limits.h and
 * lib/zhengce.h and are enforced by the library.
 *
 * Include as "limits.h" from searchd/ only: the guard differs from
 * lib/limits.h so both can be seen by one file. */
#ifndef ZC_SEARCHD_LIMITS_H
#define ZC_SEARCHD_LIMITS_H

/* Longest request line, in bytes, not counting its LF or a CR before it
 * (option --max-line).  1 MiB holds any realistic ADD document line and any
 * query; protocol.md makes it the default.  The framer enforces it before the
 * newline arrives, so a client can never make us buffer more than this plus
 * one read's worth of bytes. */
#define ZC_SD_MAX_LINE_DEFAULT (1024u * 1024u)
/* Smallest and largest accepted --max-line (bytes).  Below 64 a SEARCH with
 * a JSON argument no longer fits; above 64 MiB a line could exceed what the
 * library accepts as one document (ZC_DOC_MAX_BYTES). */
#define ZC_SD_MAX_LINE_MIN 64u
#define ZC_SD_MAX_LINE_MAX (64u * 1024u * 1024u)

/* Open connections, counted across TCP and the Unix socket (option
 * --max-connections).  Past it a new client gets one `busy` reply and is
 * closed.  1024 is the usual default fd soft limit's order of magnitude. */
#define ZC_SD_MAX_CONNECTIONS_DEFAULT 1024u

/* Seconds without any request activity after which a connection is closed
 * without a reply (option --idle-timeout).  protocol.md: default 300 s.
 * A connection with a request still being answered is never idle.  Only
 * complete request lines count as activity, not bytes of an unfinished one:
 * a slowloris client trickling a line never ending is dropped like a
 * silent one. */
#define ZC_SD_IDLE_TIMEOUT_DEFAULT 300.0

/* Seconds a query may take, counted from the moment a worker takes it:
 * time spent queued behind other clients' requests is not charged to it
 * (option --query-timeout).  The library checks it between the stages of a
 * search (building, matching, hits, facets) as well as inside Xapian's
 * match loop.
 * protocol.md: default 10 s.  Past it the reply is `timeout`. */
#define ZC_SD_QUERY_TIMEOUT_DEFAULT 10.0

/* Seconds within which uncommitted ADD/DEL are committed (option
 * --commit-interval).  protocol.md: default 1 s. */
#define ZC_SD_COMMIT_INTERVAL_DEFAULT 1.0

/* Requests read from one connection whose replies have not yet been written
 * (pipeline depth).  At this depth we stop reading from the socket until
 * replies drain: backpressure instead of unbounded queues.  1024 lets a
 * client pipeline a useful batch. */
#define ZC_SD_PIPELINE_MAX 1024u

/* Bytes of request arguments held for one connection (queued or being
 * worked on).  Bounds the memory a client can pin with many long pipelined
 * lines (1024 x 1 MiB would be 1 GiB); past it we stop reading. */
#define ZC_SD_PIPELINE_BYTES_MAX (8u * 1024u * 1024u)

/* Read-type requests of one connection handed to the worker pool at once.
 * The rest wait in the connection's own queue, so one client pipelining a
 * thousand searches cannot fill the shared job queue ahead of everyone
 * else.  0 means "the number of workers". */
#define ZC_SD_CONN_INFLIGHT_MAX 0u

/* Output not yet taken by the client (plus finished replies waiting behind
 * an earlier one), in bytes, at which we stop reading new requests from it
 * and stop starting the ones already read (soft bound): a slow reader slows
 * itself down, and at most the requests already running (a few, see
 * ZC_SD_CONN_INFLIGHT_MAX) add to its output after that. */
#define ZC_SD_OUTPUT_PAUSE (1024u * 1024u)

/* Output not yet taken by the client, in bytes, past which it is dropped
 * when one more reply is ready (hard bound).  Reached only when replies
 * already running when the soft bound was hit pile up (many workers, huge
 * GETs): keeps the daemon's memory flat against a client that never reads.
 * A single reply larger than this still goes out to a client that reads.
 * 8 MiB holds several maximal SEARCH replies (limit 1000). */
#define ZC_SD_OUTPUT_MAX (8u * 1024u * 1024u)

/* Bytes held for all clients together: unfinished request lines, queued
 * request arguments, finished replies waiting and output not yet taken
 * (option --max-client-memory).  The per-connection bounds above cap one
 * client; this caps the sum, which 1,024 clients each holding a 1 MiB
 * partial line would otherwise push to 1 GiB.  Past it the connection
 * holding the most is closed (after an error line when what it holds is
 * input), as Redis does with maxmemory-clients.  Default: 256 MiB, raised
 * to 4 x --max-line so that a few maximal lines still fit at once. */
#define ZC_SD_CLIENT_MEMORY_DEFAULT (256u * 1024u * 1024u)
#define ZC_SD_CLIENT_MEMORY_MIN (1u * 1024u * 1024u)
#define ZC_SD_CLIENT_MEMORY_MAX ((size_t)1 << 40)

/* Seconds a client may leave a reply untaken (output pending, not one byte
 * taken) before it is closed (option --send-timeout).  Without it a client
 * that asks for a 60 MB document and never reads pins that reply for the
 * whole idle timeout. */
#define ZC_SD_SEND_TIMEOUT_DEFAULT 60.0

/* Read requests (SEARCH, GET) handed to the worker pool at once, per
 * worker.  The loop keeps the rest in their connections' own queues and
 * hands them out round-robin between connections as workers free up, so
 * a connection's queued work never delays another's by more than one
 * request per connection ahead of it.  2: a worker finds its next job
 * queued when it finishes one, without waiting for the loop. */
#define ZC_SD_READS_PER_WORKER 2u

/* Wrong AUTH tokens on one connection: the n-th failure's reply is held
 * back ZC_SD_AUTH_DELAY_S * 2^(n-1) seconds (at most ZC_SD_AUTH_DELAY_MAX_S),
 * and the ZC_SD_AUTH_FAILS_MAX-th closes the connection after its reply.
 * A guessing client gets 10 tries per connection, the first ones quick
 * enough for a typo. */
#define ZC_SD_AUTH_DELAY_S 0.1
#define ZC_SD_AUTH_DELAY_MAX_S 5.0
#define ZC_SD_AUTH_FAILS_MAX 10u
/* At most one auth_failed log line per this many seconds (the others are
 * counted in the next line's suppressed=). */
#define ZC_SD_AUTH_LOG_EVERY_S 1.0

/* Seconds we keep reading (and discarding) after sending the last reply of a
 * connection we close (QUIT, line_too_long), so the client reads our reply
 * instead of a TCP reset caused by its unread bytes. */
#define ZC_SD_LINGER_S 2.0
/* Bytes we discard during that linger before closing anyway. */
#define ZC_SD_LINGER_BYTES (64u * 1024u * 1024u)

/* Seconds a shutdown (SIGTERM/SIGINT) waits for in-flight requests to be
 * answered and written before closing the remaining connections.  The
 * query timeout bounds a query, so this is that plus slack. */
#define ZC_SD_SHUTDOWN_GRACE_EXTRA_S 5.0

/* Worker threads (option --workers); 0 means one per online core.  The cap
 * keeps a typo from creating thousands of threads and index handles. */
#define ZC_SD_WORKERS_MAX 256u

/* Milliseconds between checks of the index revision by a worker before a
 * query.  Commits by another process (zhengce-indexer) become searchable
 * within this; protocol and issue require under 1 s.  Commits of our own
 * writer are seen at once (a generation counter, see workers.c). */
#define ZC_SD_REOPEN_CHECK_MS 200u

/* Queries slower than this many milliseconds are logged (option --slow-ms). */
#define ZC_SD_SLOW_MS_DEFAULT 1000.0

/* Bytes of a request echoed in a log line or an error message, cut on a
 * UTF-8 boundary: enough to recognise it, never a whole document. */
#define ZC_SD_ECHO_MAX 200u

/* Bytes of the --token-file token.  A token is a short secret. */
#define ZC_SD_TOKEN_MAX 4096u

/* Bytes of one line of the --config file. */
#define ZC_SD_CONFIG_LINE_MAX 4096u

#endif
