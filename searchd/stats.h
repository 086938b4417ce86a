/* searchd/stats.h — counters and a fixed-size latency histogram for STATS.
 *
 * Owns: plain numbers; no allocation, so recording never fails.  Used by the
 * loop thread only (workers hand their timings back with the job).
 * The histogram has log-linear buckets (16 per power of two, about 6 %
 * resolution) from 1 microsecond up to about 2^40 microseconds, so
 * percentiles since start cost constant memory however long we run. */
#ifndef ZC_SEARCHD_STATS_H
#define ZC_SEARCHD_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "lib/zhengce.h"

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

/* The daemon's request counters, for STATS.  Kept by the loop thread only:
 * the transport (conn.c) counts request lines, error replies, connections
 * and evictions; the dispatcher (dispatch.c) what it hands to the threads
 * and gets back, and wrong tokens; the server refused connections. */
typedef struct zc_counters {
    uint64_t requests;          /* request lines answered or being answered */
    uint64_t errors;            /* error replies */
    uint64_t queries, gets, writes, timeouts;
    uint64_t busy;              /* connections refused */
    uint64_t per_ip_refused;    /* of those, over --max-conns-per-ip */
    uint64_t conns_total;       /* connections accepted */
    uint64_t evicted;           /* connections closed for the memory budget */
    uint64_t auth_failures;     /* wrong AUTH tokens */
    zc_hist latency;            /* SEARCH: handed to a worker -> reply ready */
} zc_counters;

/* The index's document count and revision as last read by a worker (after
 * a reopen) or the writer (after a commit), for STATS to answer in O(1) on
 * the event loop, which never opens or reopens the index itself.  Shared by
 * the loop, the workers and the writer (the mutex orders them).  Last
 * publisher wins: each one has just read the newest revision it can see, so
 * the figures are at most ZC_SD_REOPEN_CHECK_MS behind a commit by another
 * process and never behind a commit of our own writer (it publishes before
 * answering COMMIT). */
typedef struct zc_idxstat {
    pthread_mutex_t mu;
    uint64_t docs, revision;
    uint64_t publishes;       /* how many times figures were published */
    /* zc_index_lexicon: the index's synonym groups, the built-in list's,
     * its user dictionary's words */
    uint64_t syn_groups, builtin_groups, user_words;
} zc_idxstat;

/* Returns 0, or an errno value. */
int zc_idxstat_init(zc_idxstat *s);
void zc_idxstat_destroy(zc_idxstat *s);
/* Reads idx's document count and revision (no reopen) and publishes them.
 * A handle that cannot tell them publishes nothing.  Thread-safe. */
void zc_idxstat_publish(zc_idxstat *s, zc_index *idx);
/* The last published figures.  Thread-safe, O(1). */
void zc_idxstat_read(zc_idxstat *s, uint64_t *docs, uint64_t *revision);
/* The last published word-list figures (zc_index_lexicon).  Thread-safe. */
void zc_idxstat_read_lexicon(zc_idxstat *s, uint64_t *syn_groups, uint64_t *builtin_groups,
                             uint64_t *user_words);

#endif
