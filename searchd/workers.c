/* searchd/workers.c — the query thread pool (see workers.h): each thread
 * keeps its handle current and answers through the executor. */
#include "searchd/workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "searchd/limits.h"
#include "protocol/exec.h"
#include "searchd/log.h"

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

/* The executor's reopen hook: a retry after "database modified" (or a
 * reader's "corrupt", see exec.c) moves the handle first. */
static void reopen_hook(void *ctx, zc_status why, const zc_error *err)
{
    worker *w = ctx;
    if (why == ZC_ECORRUPT)
        zc_log("read_retry", "worker=%u status=%s message=\"%s\"", w->no,
               zc_status_name(why), err->message);
    reopen(w, "modified");
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
        maybe_reopen(w);
        zc_exec_env env;
        memset(&env, 0, sizeof env);
        env.idx = w->idx;
        if (pool->cfg.query_timeout > 0)
            env.deadline = job->t_start + pool->cfg.query_timeout;
        env.delay_s = pool->cfg.debug_delay_ms / 1000.0;
        env.exact_count_set = 1;
        env.exact_count = pool->cfg.exact_count;
        env.hooks.reopen = reopen_hook;
        env.hooks.ctx = w;
        zc_exec_run(&env, job->verb, job->arg, job->arg_len, &job->reply);
        job->done(job->done_ctx, job);
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
