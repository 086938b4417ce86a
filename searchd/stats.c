/* searchd/stats.c — the latency histogram (see stats.h). */
#include "searchd/stats.h"

/* Bucket of a value in microseconds: values under 16 get their own bucket;
 * above, the top bit picks a group of 16 and the next 4 bits the bucket. */
static unsigned bucket_of(uint64_t us)
{
    if (us < ZC_HIST_SUB)
        return (unsigned)us;
    unsigned msb = 63u - (unsigned)__builtin_clzll(us);     /* >= 4 */
    unsigned sub = (unsigned)(us >> (msb - 4)) & (ZC_HIST_SUB - 1);
    unsigned b = (msb - 3) * ZC_HIST_SUB + sub;
    return b < ZC_HIST_BUCKETS ? b : ZC_HIST_BUCKETS - 1;
}

/* Lower bound and width of a bucket, in microseconds. */
static void bucket_range(unsigned b, double *lo, double *width)
{
    if (b < ZC_HIST_SUB) {
        *lo = b;
        *width = 1;
        return;
    }
    unsigned msb = b / ZC_HIST_SUB + 3;
    unsigned sub = b % ZC_HIST_SUB;
    double base = (double)(1ull << msb);
    *width = base / ZC_HIST_SUB;
    *lo = base + sub * *width;
}

void zc_hist_record(zc_hist *h, double ms)
{
    double us = ms * 1000.0;
    if (!(us > 0))
        us = 0;
    if (us > 1e15)
        us = 1e15;
    h->buckets[bucket_of((uint64_t)us)]++;
    h->count++;
}

double zc_hist_percentile(const zc_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p > 100)
        p = 100;
    /* rank = ceil(p/100 * count), at least 1 */
    double r = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < ZC_HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double lo, w;
            bucket_range(b, &lo, &w);
            return (lo + w / 2) / 1000.0;
        }
    }
    return 0;
}

/* ---- published index figures ------------------------------------------- */

int zc_idxstat_init(zc_idxstat *s)
{
    s->docs = s->revision = s->publishes = 0;
    s->syn_groups = s->builtin_groups = s->user_words = 0;
    return pthread_mutex_init(&s->mu, NULL);
}

void zc_idxstat_destroy(zc_idxstat *s)
{
    pthread_mutex_destroy(&s->mu);
}

void zc_idxstat_publish(zc_idxstat *s, zc_index *idx)
{
    uint64_t d = 0, r = 0;
    size_t sg = 0, bg = 0, uw = 0;
    if (idx == NULL || zc_index_doc_count(idx, &d, NULL) != ZC_OK ||
        zc_index_revision(idx, &r, NULL) != ZC_OK ||
        zc_index_lexicon(idx, &sg, &bg, &uw, NULL) != ZC_OK)
        return;
    pthread_mutex_lock(&s->mu);
    s->docs = d;
    s->revision = r;
    s->syn_groups = sg;
    s->builtin_groups = bg;
    s->user_words = uw;
    s->publishes++;
    pthread_mutex_unlock(&s->mu);
}

void zc_idxstat_read(zc_idxstat *s, uint64_t *docs, uint64_t *revision)
{
    pthread_mutex_lock(&s->mu);
    *docs = s->docs;
    *revision = s->revision;
    pthread_mutex_unlock(&s->mu);
}

void zc_idxstat_read_lexicon(zc_idxstat *s, uint64_t *syn_groups, uint64_t *builtin_groups,
                             uint64_t *user_words)
{
    pthread_mutex_lock(&s->mu);
    *syn_groups = s->syn_groups;
    *builtin_groups = s->builtin_groups;
    *user_words = s->user_words;
    pthread_mutex_unlock(&s->mu);
}
