/* writer.h — the indexer's writer thread: the second stage of the indexing
 * pipeline.
 *
 * The main thread reads records and analyzes them (zc_prepare_json: JSON
 * parse, normalization, segmentation, the Xapian document); this thread
 * owns the writable index handle for the run and does the Xapian side
 * (zc_index_add_prepared, zc_index_commit), so the two halves run on two
 * cores at once.  Items go through a bounded FIFO queue (a few documents /
 * a few MiB of input: memory stays bounded and a slow writer throttles the
 * reader).
 *
 * Commit semantics are the same as a single thread's: the queue keeps input
 * order, a commit marker commits every document queued before it, and a
 * batch is reported (on_commit, e.g. --verbose's "committed batch N (D
 * documents)") only after zc_index_commit has returned for it, so nothing
 * reported committed can be missing after a crash.
 *
 * Must never: touch the index handle from another thread while the writer
 * runs (between zc_writer_start and zc_writer_finish, the handle belongs
 * to the writer thread), or report a batch before its commit returned.
 */
#ifndef ZC_INDEXER_WRITER_H
#define ZC_INDEXER_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/zhengce.h"

typedef struct zc_writer zc_writer;

/* Called on the writer thread after each successful commit: the batch's
 * number (from 1), the documents written in it, and the index's document
 * count then. */
typedef void (*zc_writer_commit_fn)(void *ctx, uint64_t batch, uint64_t docs,
                                    uint64_t index_docs);
/* Called on the writer thread when a write or a commit fails (the writer
 * then stops writing; later items are dropped): where the document came
 * from (file NULL for a commit) and the error. */
typedef void (*zc_writer_fail_fn)(void *ctx, const char *file, uint64_t line,
                                  const zc_error *err);

/* Starts the writer thread on idx (borrowed; not to be used by the caller
 * until zc_writer_finish).  Returns 0, or -1 when the thread could not be
 * started (errno set). *out: returns new; freed by zc_writer_finish. */
int zc_writer_start(zc_index *idx, zc_writer_commit_fn on_commit, zc_writer_fail_fn on_fail,
                    void *ctx, zc_writer **out);

/* Queues a prepared document (takes ownership).  file: borrowed until
 * zc_writer_finish; line: its line, for an error report; bytes: its input
 * size, which bounds the queue.  Blocks while the queue is full.  Returns 0,
 * or -1 once the writer has failed (the document is freed). */
int zc_writer_add(zc_writer *w, zc_prepared *doc, const char *file, uint64_t line,
                  size_t bytes);

/* Queues a commit of everything queued before it.  Does not wait for it.
 * Returns 0, or -1 once the writer has failed. */
int zc_writer_commit(zc_writer *w);

/* 1 once a write or commit has failed. */
int zc_writer_failed(zc_writer *w);

/* Waits until everything queued is done, stops the thread and frees w.
 * *written (may be NULL): documents written; *batches: commits made.
 * Returns 0, or -1 if a write or commit failed. */
int zc_writer_finish(zc_writer *w, uint64_t *written, uint64_t *batches);

#endif
