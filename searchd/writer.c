/* searchd/writer.c — the writer thread (see writer.h): commit policy
 * around the executor's ADD, DEL and COMMIT. */
#include "searchd/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/exec.h"
#include "searchd/log.h"

struct zc_writer {
    zc_writer_config cfg;
    zc_jobq q;
    pthread_t tid;
    int started;
    zc_index *idx;           /* owned; used by the writer thread only */
    int dirty;               /* changes since the last commit */
    double dirty_since;      /* zc_now() of the first of them */
    zc_status last_commit;   /* status of the final commit, for stop */
};

static zc_status commit(zc_writer *w, const char *why, zc_error *err)
{
    double t0 = zc_now();
    zc_status st = zc_index_commit(w->idx, err);
    if (st != ZC_OK) {
        /* The changes stay pending; the next commit tries again. */
        zc_log("commit_failed", "why=%s status=%s message=\"%s\"", why,
               zc_status_name(st), err->message);
        return st;
    }
    w->dirty = 0;
    /* Before the generation moves and before COMMIT is answered, so a
     * STATS after an acknowledged COMMIT sees its documents. */
    if (w->cfg.stat)
        zc_idxstat_publish(w->cfg.stat, w->idx);
    atomic_fetch_add(w->cfg.gen, 1);
    if (zc_log_verbose)
        zc_log("commit", "why=%s ms=%.1f", why, (zc_now() - t0) * 1000);
    return ZC_OK;
}

static void mark_dirty(zc_writer *w)
{
    if (!w->dirty) {
        w->dirty = 1;
        w->dirty_since = zc_now();
    }
}

/* The executor's hooks for ADD, DEL and COMMIT. */
static void changed_hook(void *ctx)
{
    mark_dirty(ctx);
}

static zc_status commit_hook(void *ctx, zc_error *err)
{
    return commit(ctx, "COMMIT", err);
}

static void run_job(zc_writer *w, zc_job *job)
{
    zc_exec_env env;
    memset(&env, 0, sizeof env);
    env.idx = w->idx;
    env.writable = 1;
    env.hooks.changed = changed_hook;
    env.hooks.commit = commit_hook;
    env.hooks.ctx = w;
    zc_exec_run(&env, job->verb, job->arg, job->arg_len, &job->reply);
}

static void *writer_main(void *arg)
{
    zc_writer *w = arg;
    zc_error err;
    for (;;) {
        double deadline = w->dirty ? w->dirty_since + w->cfg.commit_interval : 0;
        int closed = 0;
        zc_job *job = zc_jobq_pop(&w->q, deadline, &closed);
        if (job == NULL) {
            if (closed)
                break;
            if (w->dirty && zc_now() >= w->dirty_since + w->cfg.commit_interval &&
                commit(w, "interval", &err) != ZC_OK)
                w->dirty_since = zc_now();   /* retry after another interval */
            continue;
        }
        run_job(w, job);
        job->done(job->done_ctx, job);
        /* A steady stream of ADDs must not postpone the interval commit. */
        if (w->dirty && zc_now() >= w->dirty_since + w->cfg.commit_interval &&
            commit(w, "interval", &err) != ZC_OK)
            w->dirty_since = zc_now();
    }
    w->last_commit = w->dirty ? commit(w, "shutdown", &err) : ZC_OK;
    return NULL;
}

zc_status zc_writer_start(const zc_writer_config *cfg, zc_writer **out,
                          zc_error *err)
{
    *out = NULL;
    zc_writer *w = calloc(1, sizeof *w);
    if (w == NULL || zc_jobq_init(&w->q) != 0) {
        free(w);
        if (err) {
            err->code = ZC_ENOMEM;
            err->field[0] = '\0';
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return ZC_ENOMEM;
    }
    w->cfg = *cfg;
    zc_status st = zc_index_open(cfg->index_path, ZC_OPEN_CREATE, &w->idx, err);
    if (st == ZC_OK)
        st = zc_index_commit(w->idx, err);
    if (st != ZC_OK) {
        zc_index_close(w->idx);
        zc_jobq_destroy(&w->q);
        free(w);
        return st;
    }
    if (pthread_create(&w->tid, NULL, writer_main, w) != 0) {
        zc_index_close(w->idx);
        zc_jobq_destroy(&w->q);
        free(w);
        if (err) {
            err->code = ZC_EINTERNAL;
            err->field[0] = '\0';
            snprintf(err->message, sizeof err->message, "cannot start the writer thread");
        }
        return ZC_EINTERNAL;
    }
    w->started = 1;
    *out = w;
    return ZC_OK;
}

void zc_writer_submit(zc_writer *w, zc_job *job)
{
    zc_jobq_push(&w->q, job);
}

zc_status zc_writer_stop(zc_writer *w)
{
    if (w == NULL)
        return ZC_OK;
    zc_jobq_close(&w->q);
    if (w->started)
        pthread_join(w->tid, NULL);
    zc_status st = w->last_commit;
    zc_index_close(w->idx);
    zc_jobq_destroy(&w->q);
    free(w);
    return st;
}
