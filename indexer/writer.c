/* writer.c — the indexer's writer thread (see writer.h).
 *
 * Owns: the queue between the reader/analyzer thread and the writer thread,
 * and the writer thread itself.  Must never: reorder items, or call
 * on_commit before zc_index_commit returned.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "indexer/writer.h"

/* Queue bounds: enough to keep the writer busy while the reader analyzes
 * the next document; small, because a queued Xapian document takes several
 * times its input size in memory.  A record larger than the byte bound
 * still goes through, alone. */
#define QUEUE_MAX_ITEMS 64u
#define QUEUE_MAX_BYTES (8u * 1024u * 1024u)

typedef struct item {
    struct item *next;
    zc_prepared *doc;     /* owned; NULL: a commit marker */
    const char *file;     /* borrowed */
    uint64_t line;
    size_t bytes;
} item;

struct zc_writer {
    zc_index *idx;        /* borrowed; used by the writer thread only */
    zc_writer_commit_fn on_commit;
    zc_writer_fail_fn on_fail;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    item *head, *tail;    /* guarded by mu */
    size_t n_items, n_bytes;
    int closing;          /* no more items: the thread ends when the queue is empty */
    int failed;           /* guarded by mu; read without it as a hint only */
    /* The writer thread's own counters (read by others after the join). */
    uint64_t written, batches, in_batch;
};

static void set_failed(zc_writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->failed = 1;
    pthread_cond_broadcast(&w->not_full);
    pthread_mutex_unlock(&w->mu);
}

static void run_item(zc_writer *w, item *it)
{
    zc_error e = {0};
    if (it->doc != NULL) {
        zc_prepared *doc = it->doc;
        it->doc = NULL;
        if (zc_index_add_prepared(w->idx, doc, &e) != ZC_OK) {
            w->on_fail(w->ctx, it->file, it->line, &e);
            set_failed(w);
            return;
        }
        w->written++;
        w->in_batch++;
        return;
    }
    if (zc_index_commit(w->idx, &e) != ZC_OK) {
        w->on_fail(w->ctx, NULL, 0, &e);
        set_failed(w);
        return;
    }
    w->batches++;
    uint64_t docs = 0;
    zc_index_doc_count(w->idx, &docs, NULL);
    if (w->on_commit != NULL)
        w->on_commit(w->ctx, w->batches, w->in_batch, docs);
    w->in_batch = 0;
}

static void *writer_main(void *arg)
{
    zc_writer *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (w->head == NULL && !w->closing)
            pthread_cond_wait(&w->not_empty, &w->mu);
        item *it = w->head;
        if (it == NULL) { /* closing and drained */
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        w->head = it->next;
        if (w->head == NULL)
            w->tail = NULL;
        w->n_items--;
        w->n_bytes -= it->bytes;
        int failed = w->failed;
        pthread_cond_signal(&w->not_full);
        pthread_mutex_unlock(&w->mu);
        /* After a failure the rest is dropped: nothing later may be
         * committed (or reported) once an earlier write is lost. */
        if (!failed)
            run_item(w, it);
        zc_prepared_free(it->doc);
        free(it);
    }
}

int zc_writer_start(zc_index *idx, zc_writer_commit_fn on_commit, zc_writer_fail_fn on_fail,
                    void *ctx, zc_writer **out)
{
    *out = NULL;
    zc_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    w->idx = idx;
    w->on_commit = on_commit;
    w->on_fail = on_fail;
    w->ctx = ctx;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->not_empty, NULL);
    pthread_cond_init(&w->not_full, NULL);
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    if (rc != 0) {
        pthread_cond_destroy(&w->not_full);
        pthread_cond_destroy(&w->not_empty);
        pthread_mutex_destroy(&w->mu);
        free(w);
        errno = rc;
        return -1;
    }
    *out = w;
    return 0;
}

static int push(zc_writer *w, zc_prepared *doc, const char *file, uint64_t line,
                size_t bytes)
{
    item *it = malloc(sizeof *it);
    if (it == NULL) {
        zc_prepared_free(doc);
        zc_error e = {0};
        e.code = ZC_ENOMEM;
        snprintf(e.message, sizeof e.message, "out of memory queueing a document");
        w->on_fail(w->ctx, file, line, &e);
        set_failed(w);
        return -1;
    }
    it->next = NULL;
    it->doc = doc;
    it->file = file;
    it->line = line;
    it->bytes = bytes;
    pthread_mutex_lock(&w->mu);
    while (!w->failed && w->n_items > 0 &&
           (w->n_items >= QUEUE_MAX_ITEMS || w->n_bytes + bytes > QUEUE_MAX_BYTES))
        pthread_cond_wait(&w->not_full, &w->mu);
    if (w->failed) {
        pthread_mutex_unlock(&w->mu);
        zc_prepared_free(doc);
        free(it);
        return -1;
    }
    if (w->tail != NULL)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    w->n_items++;
    w->n_bytes += bytes;
    pthread_cond_signal(&w->not_empty);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int zc_writer_add(zc_writer *w, zc_prepared *doc, const char *file, uint64_t line,
                  size_t bytes)
{
    return push(w, doc, file, line, bytes);
}

int zc_writer_commit(zc_writer *w)
{
    return push(w, NULL, NULL, 0, 0);
}

int zc_writer_failed(zc_writer *w)
{
    pthread_mutex_lock(&w->mu);
    int f = w->failed;
    pthread_mutex_unlock(&w->mu);
    return f;
}

int zc_writer_finish(zc_writer *w, uint64_t *written, uint64_t *batches)
{
    pthread_mutex_lock(&w->mu);
    w->closing = 1;
    pthread_cond_signal(&w->not_empty);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    int failed = w->failed;
    if (written)
        *written = w->written;
    if (batches)
        *batches = w->batches;
    pthread_cond_destroy(&w->not_full);
    pthread_cond_destroy(&w->not_empty);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return failed ? -1 : 0;
}
