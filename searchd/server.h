/* searchd/server.h — the daemon: one libevent loop that owns every socket
 * (listeners, connections, signals), the worker pool, the writer and the
 * counters STATS reports.
 *
 * Owns: everything below; conn.c reads these fields and calls back through
 * the functions declared here.  All fields are used by the loop thread only,
 * except `gen` (atomic) and `done` (locked queue) which workers and the
 * writer touch.
 * Must never: run a query or a write on the loop thread (only STATS reads
 * the document count and revision there, through loop_idx). */
#ifndef ZC_SEARCHD_SERVER_H
#define ZC_SEARCHD_SERVER_H

#include <stdatomic.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "config.h"
#include "jobs.h"
#include "stats.h"
#include "workers.h"
#include "writer.h"

struct zc_conn;

typedef struct zc_server {
    zc_sd_config *cfg;                  /* borrowed from main */
    struct event_base *base;            /* owned */
    struct evconnlistener *listeners[ZC_SD_LISTEN_MAX + 1];
    size_t n_listeners;
    int unix_bound;                     /* we created cfg->unix_path */
    struct event *ev_term, *ev_int, *ev_hup;
    struct event *ev_wake;              /* activated by workers: jobs are done */
    struct event *ev_grace;             /* shutdown deadline */
    struct event *ev_accept_retry;      /* re-enables accepting after EMFILE */
    zc_jobq done;                       /* answered jobs on their way back */
    int done_ready;                     /* done was initialised */
    zc_workers *workers;
    zc_writer *writer;
    zc_index *loop_idx;                 /* read handle for STATS; loop only */
    _Atomic uint64_t gen;               /* bumped on commit and SIGHUP */
    char *token;                        /* AUTH token, or NULL; never logged */
    size_t token_len;
    unsigned n_workers;
    unsigned conn_inflight_max;         /* reads per connection at once */
    char *help_line;                    /* the HELP reply */
    size_t help_len;

    struct zc_conn *conns;              /* open connections, a list */
    unsigned n_conns;
    uint64_t conns_total;
    uint64_t next_conn_id;
    uint64_t requests, queries, gets, writes, timeouts, errors, busy;
    uint64_t last_docs, last_revision;  /* last values STATS could read */
    zc_hist latency;                    /* SEARCH: handed to a worker -> reply ready */
    double started;                     /* zc_now() at start */
    int stopping;                       /* SIGTERM/SIGINT seen */
} zc_server;

/* Sets up everything from the configuration: index handles, threads,
 * listeners, signals; logs the bound addresses.  Returns 0, or -1 after
 * logging why. */
int zc_server_init(zc_server *srv, zc_sd_config *cfg);
/* Runs the loop until a shutdown completes.  Returns the exit code. */
int zc_server_run(zc_server *srv);
/* Frees what init made.  Safe on a partly initialised server. */
void zc_server_free(zc_server *srv);

/* For conn.c. */
void zc_server_conn_closed(zc_server *srv);
/* Builds the STATS reply.  Returns new (free with free()) or NULL. */
char *zc_server_stats_line(zc_server *srv, size_t *len);
/* Constant-time comparison against the configured token. */
int zc_server_token_ok(const zc_server *srv, const char *tok, size_t len);

#endif
