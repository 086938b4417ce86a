/* searchd/server.h — the daemon: one libevent loop that owns every socket
 * (listeners, connections, signals), the worker pool, the writer and the
 * counters STATS reports.
 *
 * Owns: everything below; conn.c reads these fields and calls back through
 * the functions declared here.  All fields are used by the loop thread only,
 * except `gen` (atomic) and `done` (locked queue) which workers and the
 * writer touch.
 * Must never: run a query, a write or an index reopen on the loop thread
 * (STATS reads the figures the workers and the writer publish). */
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
    zc_idxstat idxstat;                 /* docs and revision, published by the
                                         * workers and the writer */
    int idxstat_ready;
    int done_ready;                     /* done was initialised */
    zc_workers *workers;
    zc_writer *writer;
    _Atomic uint64_t gen;               /* bumped on commit and SIGHUP */
    char *token;                        /* AUTH token, or NULL; never logged */
    size_t token_len;
    unsigned n_workers;
    unsigned conn_inflight_max;         /* reads per connection at once */
    char *help_line;                    /* the HELP reply */
    size_t help_len;

    unsigned reads_running;             /* read jobs with the pool (conn.c) */
    unsigned reads_max;                 /* ZC_SD_READS_PER_WORKER x workers */
    struct zc_conn *rr_head, *rr_tail;  /* connections waiting for a worker,
                                         * round-robin (conn.c) */
    size_t client_mem;                  /* bytes held for all clients (conn.c) */
    size_t client_mem_max;              /* --max-client-memory */
    size_t freed_since_trim;            /* client bytes freed since malloc_trim */
    int enforcing;                      /* conn.c is closing clients for memory */
    uint64_t evicted;                   /* connections closed for memory */
    uint64_t auth_failures;             /* wrong AUTH tokens */
    uint64_t per_ip_refused;            /* connections over --max-conns-per-ip */
    double auth_log_at;                 /* zc_now() of the last auth_failed line */
    uint64_t auth_log_suppressed;       /* failures not logged since */
    struct zc_conn *conns;              /* open connections, a list */
    unsigned n_conns;
    uint64_t conns_total;
    uint64_t next_conn_id;
    uint64_t requests, queries, gets, writes, timeouts, errors, busy;
    zc_hist latency;                    /* SEARCH: handed to a worker -> reply ready */
    double started;                     /* zc_now() at start */
    int stopping;                       /* SIGTERM/SIGINT seen */
    int workers_stuck;                  /* a worker outlived the shutdown wait */
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
/* Logs one wrong AUTH, at most one line per ZC_SD_AUTH_LOG_EVERY_S
 * (the others counted in the next line's suppressed=). */
void zc_server_log_auth_failure(zc_server *srv, uint64_t conn_id, const char *peer);
/* Constant-time comparison against the configured token. */
int zc_server_token_ok(const zc_server *srv, const char *tok, size_t len);

#endif
