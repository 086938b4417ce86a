/* searchd/jobs.c — jobs and the locked job queue (see jobs.h). */
#include "jobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double zc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

zc_job *zc_job_new(const zc_verb_info *verb, const char *arg, size_t arg_len)
{
    zc_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->verb = verb;
    if (arg != NULL) {
        j->arg = malloc(arg_len + 1);
        if (j->arg == NULL) {
            free(j);
            return NULL;
        }
        memcpy(j->arg, arg, arg_len);
        j->arg[arg_len] = '\0';
        j->arg_len = arg_len;
    }
    return j;
}

static void drop_reply(zc_job *job)
{
    if (!job->reply_static)
        free(job->reply);
    job->reply = NULL;
    job->reply_len = 0;
    job->reply_static = 0;
}

void zc_job_free(zc_job *job)
{
    if (job == NULL)
        return;
    drop_reply(job);
    free(job->arg);
    free(job);
}

static void reply_oom(zc_job *job)
{
    drop_reply(job);
    job->reply = (char *)zc_proto_oom_reply(&job->reply_len);
    job->reply_static = 1;
}

void zc_job_reply_take(zc_job *job, char *line, size_t len)
{
    if (line == NULL) {
        reply_oom(job);
        return;
    }
    drop_reply(job);
    job->reply = line;
    job->reply_len = len;
}

void zc_job_reply_obj(zc_job *job, const json_t *obj)
{
    size_t len = 0;
    char *line = obj ? zc_proto_dump_line(obj, &len) : NULL;
    zc_job_reply_take(job, line, len);
}

void zc_job_reply_error(zc_job *job, const char *code, const char *message)
{
    size_t len = 0;
    char *line = zc_proto_error_reply(code, message, &len);
    zc_job_reply_take(job, line, len);
}

void zc_job_reply_status(zc_job *job, zc_status st, const zc_error *err)
{
    size_t len = 0;
    char *line = zc_proto_status_reply(st, err, &len);
    zc_job_reply_take(job, line, len);
    if (st == ZC_ETIMEOUT)
        job->timed_out = 1;
}

void zc_job_reply_libjson(zc_job *job, char *json, size_t len,
                          const char *prefix, const char *suffix)
{
    size_t plen = strlen(prefix), slen = strlen(suffix);
    char *dumped = NULL;
    const char *body = json;
    /* JSON may hold raw whitespace newlines between tokens; the reply must
     * not.  Re-serialising compactly removes them and keeps every value. */
    if (memchr(json, '\n', len) != NULL || memchr(json, '\r', len) != NULL) {
        json_error_t je;
        json_t *o = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (o == NULL) {
            zc_free(json);
            zc_job_reply_error(job, "internal", "the library returned invalid JSON");
            return;
        }
        dumped = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(o);
        if (dumped == NULL) {
            zc_free(json);
            reply_oom(job);
            return;
        }
        body = dumped;
        len = strlen(dumped);
    }
    char *line = malloc(plen + len + slen + 2);
    if (line != NULL) {
        memcpy(line, prefix, plen);
        memcpy(line + plen, body, len);
        memcpy(line + plen + len, suffix, slen);
        line[plen + len + slen] = '\n';
        line[plen + len + slen + 1] = '\0';
    }
    free(dumped);
    zc_free(json);
    zc_job_reply_take(job, line, plen + len + slen + 1);
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
