/* searchd/stats.h — counters and a fixed-size latency histogram for STATS.
 *
 * Owns: plain numbers; no allocation, so recording never fails.  Used by the
 * loop thread only (workers hand their timings back with the job).
 * The histogram has log-linear buckets (16 per power of two, about 6 %
 * resolution) from 1 microsecond up to about 2^40 microseconds, so
 * percentiles since start cost constant memory however long we run. */
#ifndef ZC_SEARCHD_STATS_H
#define ZC_SEARCHD_STATS_H

#include <stdint.h>

#define ZC_HIST_SUB 16
#define ZC_HIST_BUCKETS (41 * ZC_HIST_SUB)

typedef struct zc_hist {
    uint64_t count;
    uint64_t buckets[ZC_HIST_BUCKETS];
} zc_hist;

/* Records one latency, in milliseconds (negative counts as 0). */
void zc_hist_record(zc_hist *h, double ms);
/* The p-th percentile (0 < p <= 100) in milliseconds: the middle of the
 * bucket holding it.  0 when nothing was recorded. */
double zc_hist_percentile(const zc_hist *h, double p);

#endif
