/* progress.c — the progress line of progress.h. */
#include <stdio.h>
#include <time.h>

#include "indexer/progress.h"

double zc_progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void zc_progress_init(zc_progress *p, int enabled, uint64_t total_bytes)
{
    p->enabled = enabled;
    p->drawn = 0;
    p->total_bytes = total_bytes;
    p->start = p->last = zc_progress_now();
}

void zc_progress_update(zc_progress *p, uint64_t docs, uint64_t bytes)
{
    if (!p->enabled)
        return;
    double now = zc_progress_now();
    if (now - p->last < 1.0 / ZC_PROGRESS_HZ)
        return;
    p->last = now;
    double el = now - p->start;
    if (el <= 0)
        el = 1e-9;
    double mbs = (double)bytes / 1e6 / el;
    char tail[64] = "";
    if (p->total_bytes > 0) {
        double frac = (double)bytes / (double)p->total_bytes;
        if (frac > 1)
            frac = 1;
        if (frac > 0) {
            double eta = el / frac - el;
            unsigned s = (unsigned)(eta + 0.5);
            snprintf(tail, sizeof tail, "  %5.1f%%  ETA %u:%02u:%02u", frac * 100, s / 3600,
                     s / 60 % 60, s % 60);
        }
    }
    fprintf(stderr, "\r%llu docs  %.0f docs/s  %.1f MB/s%s\033[K",
            (unsigned long long)docs, (double)docs / el, mbs, tail);
    fflush(stderr);
    p->drawn = 1;
}

void zc_progress_clear(zc_progress *p)
{
    if (!p->enabled || !p->drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
}
