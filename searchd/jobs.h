/* searchd/jobs.h — a request on its way from the event loop to a worker or
 * the writer and back (zc_job), and the locked FIFO that carries jobs
 * between threads (zc_jobq).
 *
 * Owns: the job's copy of the request argument and the neutral reply
 * (protocol/reply.h) the worker or the writer sets.  Whoever creates a job
 * (searchd/dispatch.c) sets its completion callback; whoever answers it
 * calls that callback, which takes the job back.  A job is touched by one
 * thread at a time; the queue's mutex orders the hand-overs.
 * Must never: know a connection, a reply slot or a transport: a job is a
 * verb, an argument, a reply and a callback. */
#ifndef ZC_SEARCHD_JOBS_H
#define ZC_SEARCHD_JOBS_H

#include <pthread.h>
#include <stddef.h>

#include "protocol/proto.h"
#include "protocol/reply.h"

typedef struct zc_job zc_job;

/* Called by a worker or the writer, from its thread, once job->reply is
 * set; ownership of the job passes to the callback.  Must be thread-safe. */
typedef void (*zc_job_done_fn)(void *ctx, zc_job *job);

struct zc_job {
    zc_job *next;                /* queue link */
    const zc_verb_info *verb;    /* static */
    char *arg;                   /* owned, NUL-terminated copy, or NULL */
    size_t arg_len;
    double t_dispatch;           /* zc_now() when handed to a worker or the writer */
    double t_start;              /* zc_now() when a worker took it */
    zc_reply reply;              /* set by whoever answers the job */
    zc_job_done_fn done;         /* the completion callback */
    void *done_ctx;
};

/* Monotonic clock, in seconds: the clock of zc_exec_clock. */
double zc_now(void);

/* Fills a job for verb and a copy of arg (may be NULL), with an empty
 * reply.  Returns 0, or -1 when memory ran out (nothing to free then). */
int zc_job_init(zc_job *job, const zc_verb_info *verb, const char *arg, size_t arg_len);
/* Frees what the job owns (argument, reply); not the job itself. */
void zc_job_fini(zc_job *job);

/* ---- Queue -------------------------------------------------------------- */

typedef struct zc_jobq {
    pthread_mutex_t mu;
    pthread_cond_t cv;           /* signalled on push and on close */
    zc_job *head, *tail;
    size_t n;
    int closed;
} zc_jobq;

/* Returns 0, or an errno value. */
int zc_jobq_init(zc_jobq *q);
/* The queue must be empty or its jobs are leaked. */
void zc_jobq_destroy(zc_jobq *q);
/* Takes ownership of the job.  Works after close too (the consumer drains). */
void zc_jobq_push(zc_jobq *q, zc_job *job);
/* Waits for a job until the absolute zc_now() deadline (0 = forever).
 * Returns the oldest job (ownership to the caller), or NULL on timeout or
 * when the queue is closed and empty (*closed, may be NULL, is set then). */
zc_job *zc_jobq_pop(zc_jobq *q, double deadline, int *closed);
/* Takes every queued job at once, oldest first (a list linked by next). */
zc_job *zc_jobq_take_all(zc_jobq *q);
/* Wakes every waiter; pop returns NULL once the queue is empty. */
void zc_jobq_close(zc_jobq *q);

#endif
