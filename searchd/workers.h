/* searchd/workers.h — the query thread pool.
 *
 * Owns: N threads, each with its OWN read-only zc_index handle (the library
 * allows one thread per handle), and the shared job queue that feeds them.
 * Answers SEARCH and GET jobs through the executor (protocol/exec.h) and
 * hands each back through the job's completion callback.  Before a job a worker moves its handle to the newest committed
 * revision when the shared generation counter moved (a commit by our writer,
 * SIGHUP) or at most every ZC_SD_REOPEN_CHECK_MS (a commit by another
 * process).  A "database modified" status is retried after a reopen, never
 * returned to a client.
 * Must never: touch a connection, a socket or the event loop. */
#ifndef ZC_SEARCHD_WORKERS_H
#define ZC_SEARCHD_WORKERS_H

#include <stdatomic.h>
#include <stdint.h>

#include "searchd/jobs.h"
#include "searchd/stats.h"
#include "lib/zhengce.h"

typedef struct zc_workers zc_workers;

typedef struct zc_workers_config {
    const char *index_path;        /* borrowed for the pool's life */
    unsigned n;                    /* threads, >= 1 */
    double debug_delay_ms;         /* sleep before each SEARCH (testing aid) */
    _Atomic uint64_t *gen;         /* bumped on every commit/SIGHUP; borrowed */
    zc_idxstat *stat;              /* published after each reopen; borrowed */
    double query_timeout;          /* seconds from the moment a worker takes a
                                    * SEARCH to its `timeout`; 0 = none */
    uint32_t exact_count;          /* SEARCH's "exact_count" when a request
                                    * gives none */
} zc_workers_config;

/* Opens n read handles (so a missing or broken index fails here, at
 * start-up) and starts the threads.  Returns new; stop with zc_workers_stop. */
zc_status zc_workers_start(const zc_workers_config *cfg, zc_workers **out,
                           zc_error *err);
/* Queues a SEARCH or GET job (takes ownership until it comes back through
 * its completion callback, called from a worker thread).  Thread-safe. */
void zc_workers_submit(zc_workers *w, zc_job *job);
/* Lets the threads answer what is queued, joins them, closes the handles
 * and frees the pool.  Accepts NULL.  A thread still busy after
 * wait_s seconds (> 0; 0 = wait as long as it takes) is left running and
 * the pool is not freed: the process is about to exit, and a query stuck
 * inside Xapian must not hold the shutdown.  Returns the number of threads
 * left running (0: everything was freed). */
unsigned zc_workers_stop(zc_workers *w, double wait_s);

#endif
