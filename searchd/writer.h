/* searchd/writer.h — the one writer thread of --writable mode.
 *
 * Owns: the writable zc_index handle (opened with ZC_OPEN_CREATE, so it
 * holds the index's write lock for the daemon's life) and its job queue.
 * ADD, DEL and COMMIT jobs are applied strictly in the order they were
 * queued.  Uncommitted changes are committed within the commit interval and
 * at stop.  A COMMIT job is answered only after zc_index_commit returned, so
 * an acknowledged COMMIT is durable.  After every commit the shared
 * generation counter is bumped before any reply leaves, so the workers
 * reopen before answering a query sent after that reply.
 * Must never: touch a connection, a socket or the event loop. */
#ifndef ZC_SEARCHD_WRITER_H
#define ZC_SEARCHD_WRITER_H

#include <stdatomic.h>
#include <stdint.h>

#include "searchd/jobs.h"
#include "searchd/stats.h"
#include "lib/zhengce.h"

typedef struct zc_writer zc_writer;

typedef struct zc_writer_config {
    const char *index_path;        /* borrowed for the writer's life */
    double commit_interval;        /* seconds */
    _Atomic uint64_t *gen;         /* bumped after each commit; borrowed */
    zc_idxstat *stat;              /* published after each commit; borrowed */
} zc_writer_config;

/* Opens (creating if needed) the index for writing, commits once so that a
 * brand-new index can be opened by readers, and starts the thread.
 * ZC_ELOCKED if another process holds the write lock.
 * Returns new; stop with zc_writer_stop. */
zc_status zc_writer_start(const zc_writer_config *cfg, zc_writer **out,
                          zc_error *err);
/* Queues an ADD, DEL or COMMIT job (ownership until it comes back through
 * its completion callback, called from the writer thread).  Thread-safe. */
void zc_writer_submit(zc_writer *w, zc_job *job);
/* Applies what is queued, commits, closes the index and frees the writer.
 * Returns the status of that last commit.  Accepts NULL (ZC_OK). */
zc_status zc_writer_stop(zc_writer *w);

#endif
