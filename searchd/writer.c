/* searchd/writer.c — the writer thread (see writer.h). */
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

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

static void run_add(zc_writer *w, zc_job *job)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    char *id = NULL;
    zc_status st = zc_index_add_json(w->idx, job->arg, job->arg_len, &id, &err);
    if (st != ZC_OK) {
        zc_job_reply_status(job, st, &err);
        return;
    }
    mark_dirty(w);
    json_t *o = json_pack("{s:b,s:s}", "ok", 1, "id", id ? id : "");
    zc_free(id);
    zc_job_reply_obj(job, o);
    json_decref(o);
}

static void run_del(zc_writer *w, zc_job *job)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    int existed = 0;
    zc_status st = zc_index_delete(w->idx, job->arg, job->arg_len, &existed, &err);
    if (st != ZC_OK) {
        zc_job_reply_status(job, st, &err);
        return;
    }
    if (existed)
        mark_dirty(w);
    json_t *o = json_pack("{s:b,s:s#,s:b}", "ok", 1, "id", job->arg, (int)job->arg_len,
                          "deleted", existed);
    zc_job_reply_obj(job, o);
    json_decref(o);
}

static void run_commit(zc_writer *w, zc_job *job)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_status st = commit(w, "COMMIT", &err);
    uint64_t docs = 0;
    if (st == ZC_OK)
        st = zc_index_doc_count(w->idx, &docs, &err);
    if (st != ZC_OK) {
        zc_job_reply_status(job, st, &err);
        return;
    }
    json_t *o = json_pack("{s:b,s:I}", "ok", 1, "docs", (json_int_t)docs);
    zc_job_reply_obj(job, o);
    json_decref(o);
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
        switch (job->verb->verb) {
        case ZC_VERB_ADD:
            run_add(w, job);
            break;
        case ZC_VERB_DEL:
            run_del(w, job);
            break;
        case ZC_VERB_COMMIT:
            run_commit(w, job);
            break;
        default:
            zc_job_reply_error(job, "internal", "verb sent to the wrong thread");
            break;
        }
        w->cfg.done(w->cfg.done_ctx, job);
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
