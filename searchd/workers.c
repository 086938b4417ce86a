/* searchd/workers.c — the query thread pool (see workers.h). */
#include "workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "log.h"

typedef struct worker {
    struct zc_workers *pool;
    unsigned no;
    pthread_t tid;
    int started;
    zc_index *idx;               /* owned; used by this thread only */
    uint64_t gen;                /* generation the handle was last reopened at */
    double last_check;           /* zc_now() of the last revision check */
} worker;

struct zc_workers {
    zc_workers_config cfg;
    zc_jobq q;
    unsigned n;
    worker *w;
};

/* Retries after "database modified": each retry reopens first, and a
 * writer would have to commit twice within one search to exhaust these. */
#define MODIFIED_RETRIES 5

/* A reader racing a writer that commits often can also see blocks being
 * rewritten under it as "corrupt" (Xapian 1.4 glass reports some of these
 * races as DatabaseCorruptError rather than DatabaseModifiedError; the
 * test searches_during_frequent_commits_never_fail found it).  Such an error
 * is retried after a reopen like "modified"; a truly damaged index fails
 * again and is answered `internal`. */
static int retryable(zc_status st)
{
    return st == ZC_EMODIFIED || st == ZC_ECORRUPT;
}

static void note_retry(unsigned worker_no, zc_status st, const zc_error *err)
{
    if (st == ZC_ECORRUPT)
        zc_log("read_retry", "worker=%u status=%s message=\"%s\"", worker_no,
               zc_status_name(st), err->message);
}

static void reopen(worker *w, const char *why)
{
    zc_error err;
    int changed = 0;
    zc_status st = zc_index_reopen(w->idx, &changed, &err);
    if (st != ZC_OK)
        zc_log("reopen_failed", "worker=%u why=%s status=%s message=\"%s\"", w->no, why,
               zc_status_name(st), err.message);
    else if (w->pool->cfg.stat)
        zc_idxstat_publish(w->pool->cfg.stat, w->idx);
}

static void maybe_reopen(worker *w)
{
    uint64_t g = atomic_load(w->pool->cfg.gen);
    double now = zc_now();
    if (g != w->gen) {
        w->gen = g;
        w->last_check = now;
        reopen(w, "generation");
    } else if (now - w->last_check >= ZC_SD_REOPEN_CHECK_MS / 1000.0) {
        w->last_check = now;
        reopen(w, "interval");
    }
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void reply_timeout(zc_job *job)
{
    zc_job_reply_error(job, "timeout", "the query ran past its time limit");
    job->timed_out = 1;
}

static void run_search(worker *w, zc_job *job)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_search_request *req = NULL;
    zc_status st = zc_search_request_parse(job->arg, job->arg_len, &req, &err);
    if (st != ZC_OK) {
        zc_job_reply_status(job, st, &err);
        return;
    }
    zc_search_opts *opts = zc_search_request_opts(req);
    double delay = w->pool->cfg.debug_delay_ms / 1000.0;
    if (delay > 0) {
        /* Testing aid: stands for an expensive query.  It counts against
         * the time limit like real work does. */
        if (job->deadline > 0 && zc_now() + delay > job->deadline) {
            sleep_s(job->deadline - zc_now());
            reply_timeout(job);
            zc_search_request_free(req);
            return;
        }
        sleep_s(delay);
    }
    char *json = NULL;
    size_t len = 0;
    for (int attempt = 0;; attempt++) {
        if (job->deadline > 0) {
            double left = job->deadline - zc_now();
            if (left <= 0) {
                reply_timeout(job);
                zc_search_request_free(req);
                return;
            }
            opts->time_limit_s = left;
        }
        zc_results *res = NULL;
        st = zc_search(w->idx, opts, &res, &err);
        if (st == ZC_OK && job->deadline > 0 && zc_now() > job->deadline) {
            /* Xapian may stop at its time limit and return what it found;
             * the protocol calls a query that ran past its limit a timeout. */
            zc_results_free(res);
            zc_search_request_free(req);
            reply_timeout(job);
            return;
        }
        /* Serialising may still read the index (stored fields, snippets),
         * so it is inside the retry too. */
        if (st == ZC_OK)
            st = zc_results_to_json(res, &json, &len, &err);
        zc_results_free(res);
        if (!retryable(st) || attempt >= MODIFIED_RETRIES)
            break;
        note_retry(w->no, st, &err);
        reopen(w, "modified");
    }
    zc_search_request_free(req);
    if (st != ZC_OK) {
        if (st == ZC_EMODIFIED)
            st = ZC_EINTERNAL;
        zc_job_reply_status(job, st, &err);
        return;
    }
    zc_job_reply_libjson(job, json, len, "", "");
}

static void run_get(worker *w, zc_job *job)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    char *json = NULL;
    size_t len = 0;
    zc_status st;
    for (int attempt = 0;; attempt++) {
        st = zc_index_get(w->idx, job->arg, job->arg_len, &json, &len, &err);
        if (!retryable(st) || attempt >= MODIFIED_RETRIES)
            break;
        note_retry(w->no, st, &err);
        reopen(w, "modified");
    }
    if (st != ZC_OK) {
        if (st == ZC_EMODIFIED)
            st = ZC_EINTERNAL;
        zc_job_reply_status(job, st, &err);
        return;
    }
    zc_job_reply_libjson(job, json, len, "{\"ok\":true,\"doc\":", "}");
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    zc_workers *pool = w->pool;
    for (;;) {
        /* Worker 0 wakes every reopen interval when idle, so the figures
         * STATS reports follow commits by other processes on an idle
         * daemon too. */
        double wake = w->no == 0 ? zc_now() + ZC_SD_REOPEN_CHECK_MS / 1000.0 : 0;
        int closed = 0;
        zc_job *job = zc_jobq_pop(&pool->q, wake, &closed);
        if (job == NULL) {
            if (closed)
                break;                   /* closed and drained */
            maybe_reopen(w);
            continue;
        }
        /* The time limit runs from here: time spent queued behind other
         * clients' requests is not charged to this one (the loop hands out
         * at most a few jobs per worker, round-robin between connections). */
        job->t_start = zc_now();
        if (pool->cfg.query_timeout > 0)
            job->deadline = job->t_start + pool->cfg.query_timeout;
        maybe_reopen(w);
        switch (job->verb->verb) {
        case ZC_VERB_SEARCH:
            run_search(w, job);
            break;
        case ZC_VERB_GET:
            run_get(w, job);
            break;
        default:
            zc_job_reply_error(job, "internal", "verb sent to the wrong thread");
            break;
        }
        pool->cfg.done(pool->cfg.done_ctx, job);
    }
    return NULL;
}

zc_status zc_workers_start(const zc_workers_config *cfg, zc_workers **out,
                           zc_error *err)
{
    *out = NULL;
    zc_workers *p = calloc(1, sizeof *p);
    if (p == NULL)
        goto oom;
    p->cfg = *cfg;
    p->n = cfg->n ? cfg->n : 1;
    p->w = calloc(p->n, sizeof *p->w);
    if (p->w == NULL) {
        free(p);
        goto oom;
    }
    if (zc_jobq_init(&p->q) != 0) {
        free(p->w);
        free(p);
        goto oom;
    }
    uint64_t g = atomic_load(cfg->gen);
    for (unsigned i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        w->pool = p;
        w->no = i;
        w->gen = g;
        w->last_check = zc_now();
        zc_status st = zc_index_open(cfg->index_path, ZC_OPEN_READ, &w->idx, err);
        if (st != ZC_OK) {
            zc_workers_stop(p, 0);
            return st;
        }
    }
    if (cfg->stat)
        zc_idxstat_publish(cfg->stat, p->w[0].idx);
    for (unsigned i = 0; i < p->n; i++) {
        if (pthread_create(&p->w[i].tid, NULL, worker_main, &p->w[i]) != 0) {
            zc_workers_stop(p, 0);
            if (err) {
                err->code = ZC_EINTERNAL;
                err->field[0] = '\0';
                snprintf(err->message, sizeof err->message, "cannot start worker threads");
            }
            return ZC_EINTERNAL;
        }
        p->w[i].started = 1;
    }
    *out = p;
    return ZC_OK;
oom:
    if (err) {
        err->code = ZC_ENOMEM;
        err->field[0] = '\0';
        snprintf(err->message, sizeof err->message, "out of memory");
    }
    return ZC_ENOMEM;
}

void zc_workers_submit(zc_workers *w, zc_job *job)
{
    zc_jobq_push(&w->q, job);
}

unsigned zc_workers_stop(zc_workers *p, double wait_s)
{
    if (p == NULL)
        return 0;
    zc_jobq_close(&p->q);
    unsigned stuck = 0;
    for (unsigned i = 0; i < p->n; i++) {
        if (!p->w[i].started)
            continue;
        if (wait_s <= 0) {
            pthread_join(p->w[i].tid, NULL);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)wait_s;
        if (pthread_timedjoin_np(p->w[i].tid, NULL, &ts) != 0) {
            stuck++;
            wait_s = 0.001;              /* the others get no more time */
        }
    }
    if (stuck > 0) {
        zc_log("shutdown", "workers=%u still running a query; leaving them", stuck);
        return stuck;
    }
    for (unsigned i = 0; i < p->n; i++)
        zc_index_close(p->w[i].idx);
    /* Nothing can be left: the threads drained the queue before exiting. */
    zc_jobq_destroy(&p->q);
    free(p->w);
    free(p);
    return 0;
}
