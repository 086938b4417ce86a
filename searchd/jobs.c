/* searchd/jobs.c — jobs and the locked job queue (see jobs.h). */
#include "searchd/jobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/exec.h"

double zc_now(void)
{
    return zc_exec_clock();
}

int zc_job_init(zc_job *job, const zc_verb_info *verb, const char *arg, size_t arg_len)
{
    memset(job, 0, sizeof *job);
    job->verb = verb;
    zc_reply_init(&job->reply);
    if (arg != NULL) {
        job->arg = malloc(arg_len + 1);
        if (job->arg == NULL)
            return -1;
        memcpy(job->arg, arg, arg_len);
        job->arg[arg_len] = '\0';
        job->arg_len = arg_len;
    }
    return 0;
}

void zc_job_fini(zc_job *job)
{
    zc_reply_clear(&job->reply);
    free(job->arg);
    job->arg = NULL;
    job->arg_len = 0;
}

/* ---- Queue -------------------------------------------------------------- */

int zc_jobq_init(zc_jobq *q)
{
    memset(q, 0, sizeof *q);
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc != 0)
        return rc;
    /* Timed waits use the monotonic clock, like zc_now: a wall-clock jump
     * must not stretch the commit interval. */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return rc;
    rc = pthread_mutex_init(&q->mu, NULL);
    if (rc != 0)
        pthread_cond_destroy(&q->cv);
    return rc;
}

void zc_jobq_destroy(zc_jobq *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

void zc_jobq_push(zc_jobq *q, zc_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    q->n++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

zc_job *zc_jobq_pop(zc_jobq *q, double deadline, int *closed)
{
    zc_job *j = NULL;
    if (closed)
        *closed = 0;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->head != NULL) {
            j = q->head;
            q->head = j->next;
            if (q->head == NULL)
                q->tail = NULL;
            q->n--;
            j->next = NULL;
            break;
        }
        if (q->closed) {
            if (closed)
                *closed = 1;
            break;
        }
        if (deadline <= 0) {
            pthread_cond_wait(&q->cv, &q->mu);
            continue;
        }
        double now = zc_now();
        if (now >= deadline)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double wait = deadline - now;
        time_t s = (time_t)wait;
        long ns = (long)((wait - (double)s) * 1e9);
        ts.tv_sec += s;
        ts.tv_nsec += ns;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&q->cv, &q->mu, &ts);
        if (rc == ETIMEDOUT && q->head == NULL && !q->closed)
            break;
    }
    pthread_mutex_unlock(&q->mu);
    return j;
}

zc_job *zc_jobq_take_all(zc_jobq *q)
{
    pthread_mutex_lock(&q->mu);
    zc_job *all = q->head;
    q->head = q->tail = NULL;
    q->n = 0;
    pthread_mutex_unlock(&q->mu);
    return all;
}

void zc_jobq_close(zc_jobq *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}
