/* progress.h — the indexer's progress line on stderr.
 *
 * Owns: one status line (documents, docs/s, MB/s, percent of the input
 * bytes, ETA) redrawn in place with '\r', at most ZC_PROGRESS_HZ times a
 * second.  Disabled (every call a no-op) when stderr is not a terminal, so
 * logs and pipes never see control characters.
 * Must never: write to stdout (it belongs to --json).
 */
#ifndef ZC_INDEXER_PROGRESS_H
#define ZC_INDEXER_PROGRESS_H

#include <stdint.h>

#define ZC_PROGRESS_HZ 4

typedef struct zc_progress {
    int enabled;
    int drawn;            /* a line is on screen and must be erased first */
    uint64_t total_bytes; /* 0 = unknown (stdin): no percent, no ETA */
    double start, last;   /* monotonic seconds */
} zc_progress;

/* Monotonic clock, in seconds. */
double zc_progress_now(void);

/* enabled: draw at all (the caller decides, e.g. isatty(2)). */
void zc_progress_init(zc_progress *p, int enabled, uint64_t total_bytes);

/* Redraws if 1/ZC_PROGRESS_HZ s passed since the last draw. */
void zc_progress_update(zc_progress *p, uint64_t docs, uint64_t bytes);

/* Erases the line, before other output on stderr (it is redrawn by the next
 * update). */
void zc_progress_clear(zc_progress *p);

#endif
