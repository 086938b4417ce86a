/* searchd/jobs.h — a request on its way from the event loop to a worker or
 * the writer and back (zc_job), and the locked FIFO that carries jobs
 * between threads (zc_jobq).
 *
 * Owns: the job's copy of the request argument and the reply the worker
 * builds.  The loop thread creates a job, a worker or the writer fills in
 * the reply, the loop thread takes it back and frees it.  A job is touched
 * by one thread at a time; the queue's mutex orders the hand-overs.
 * Must never: touch a connection or a socket (only the loop thread does). */
#ifndef ZC_SEARCHD_JOBS_H
#define ZC_SEARCHD_JOBS_H

#include <pthread.h>
#include <stddef.h>

#include "proto.h"

struct zc_conn;
struct zc_slot;

typedef struct zc_job {
    struct zc_job *next;         /* queue link */
    const zc_verb_info *verb;    /* static */
    char *arg;                   /* owned, NUL-terminated copy, or NULL */
    size_t arg_len;
    struct zc_conn *conn;        /* borrowed; read and written by the loop only */
    struct zc_slot *slot;        /* borrowed; loop only */
    double t_read;               /* zc_now() when the request line was read */
    double t_dispatch;           /* zc_now() when handed to a worker or the writer */
    double t_start;              /* zc_now() when a worker took it */
    double deadline;             /* zc_now() past which a query is `timeout`; 0 = none;
                                  * set by the worker when it takes the job */
    /* Filled by whoever answers the job: */
    char *reply;                 /* one reply line ending in LF; owned unless reply_static */
    size_t reply_len;
    int reply_static;            /* reply points to static memory */
    int timed_out;               /* answered `timeout` */
} zc_job;

/* Monotonic clock, in seconds. */
double zc_now(void);

/* Returns new (arg copied; may be NULL), or NULL when memory ran out.
 * Free with zc_job_free. */
zc_job *zc_job_new(const zc_verb_info *verb, const char *arg, size_t arg_len);
/* Frees the job, its argument and its reply.  Accepts NULL. */
void zc_job_free(zc_job *job);

/* Set the job's reply (replacing any earlier one).  zc_job_reply_take takes
 * ownership of a malloc'ed line; the others build one.  On allocation
 * failure they fall back to the static out-of-memory reply, so a job always
 * ends with exactly one reply. */
void zc_job_reply_take(zc_job *job, char *line, size_t len);
void zc_job_reply_obj(zc_job *job, const json_t *obj);
void zc_job_reply_error(zc_job *job, const char *code, const char *message);
void zc_job_reply_status(zc_job *job, zc_status st, const zc_error *err);
/* Appends LF to a NUL-terminated JSON text the library returned (freeing it
 * with zc_free) and makes it the reply.  Re-serialises it if it holds a raw
 * CR or LF, so the reply stays one line. */
void zc_job_reply_libjson(zc_job *job, char *json, size_t len,
                          const char *prefix, const char *suffix);

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

/* Called by a worker or the writer when a job is answered; hands the job
 * back to the loop thread (ownership passes).  Thread-safe. */
typedef void (*zc_job_done_fn)(void *ctx, zc_job *job);

#endif
