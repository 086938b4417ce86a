/* searchd/server.h — the daemon: one libevent loop that owns every socket
 * (listeners, connections, signals), the worker pool, the writer, the
 * dispatcher between them, and the figures STATS reports.
 *
 * Owns: everything below.  The connections (conn.h) and the dispatcher
 * (dispatch.h) never see this struct: they get their settings and a few
 * callbacks when they are made.  All fields are used by the loop thread
 * only, except `gen` (atomic) and `idxstat` (locked), which the workers and
 * the writer touch.
 * Must never: run a query, a write or an index reopen on the loop thread
 * (STATS reads the figures the workers and the writer publish). */
#ifndef ZC_SEARCHD_SERVER_H
#define ZC_SEARCHD_SERVER_H

#include <stdatomic.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "searchd/config.h"
#include "searchd/conn.h"
#include "searchd/dispatch.h"
#include "searchd/stats.h"
#include "searchd/workers.h"
#include "searchd/writer.h"

typedef struct zc_server {
    zc_sd_config *cfg;                  /* borrowed from main */
    struct event_base *base;            /* owned */
    struct evconnlistener *listeners[ZC_SD_LISTEN_MAX + 1];
    size_t n_listeners;
    int unix_bound;                     /* we created cfg->unix_path */
    struct event *ev_term, *ev_int, *ev_hup;
    struct event *ev_grace;             /* shutdown deadline */
    struct event *ev_accept_retry;      /* re-enables accepting after EMFILE */
    zc_idxstat idxstat;                 /* docs and revision, published by the
                                         * workers and the writer */
    int idxstat_ready;
    zc_workers *workers;
    zc_writer *writer;
    zc_dispatch *dispatch;
    zc_conns *conns;
    _Atomic uint64_t gen;               /* bumped on commit and SIGHUP */
    char *token;                        /* AUTH token, or NULL; never logged */
    size_t token_len;
    unsigned n_workers;
    size_t client_mem_max;              /* --max-client-memory, resolved */
    zc_counters counters;
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

#endif
