/* bench/qmix.h — the query mix file and latency figures shared by the
 * in-process query benchmarks (bench/qbench.c, bench/xapian_bound.cc,
 * bench/fts5_bench.c), so that every engine reads the same queries and
 * reports the same statistics in the same words.
 *
 * queries.tsv (made by bench/prep.py): one query a line, tab-separated
 * columns, see QM_* below.  Results are printed as `LABEL.key=value` lines
 * that bench/report.py collects.
 *
 * Owns: the loaded lines and the latency arrays.  Header-only (static
 * functions) for one C and one C++ user each; never used by the library. */
#ifndef BENCH_QMIX_H
#define BENCH_QMIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

enum {
    QM_CLASS, QM_Q, QM_LANG, QM_ISSUER, QM_FROM, QM_TO, QM_FACETS, QM_OFFSET, QM_LIMIT,
    QM_ZJSON, QM_SPHINXQL, QM_FTS_TRI, QM_FTS_UNI, QM_NCOLS
};

#define QM_CLASSES_MAX 16

typedef struct qm_query {
    char *col[QM_NCOLS];   /* into the line's own copy; "" when missing */
    int cls;               /* index into qm_mix.classes */
} qm_query;

typedef struct qm_mix {
    qm_query *q;
    size_t n;
    char *classes[QM_CLASSES_MAX];
    int n_classes;
} qm_mix;

static double qm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads the mix; returns 0, or -1 with a message on stderr. */
static int qm_load(qm_mix *m, const char *path)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (m->n == alloc) {
            alloc = alloc ? alloc * 2 : 256;
            qm_query *nq = (qm_query *)realloc(m->q, alloc * sizeof *nq);
            if (nq == NULL)
                return -1;
            m->q = nq;
        }
        qm_query *q = &m->q[m->n];
        char *copy = strdup(line);
        if (copy == NULL)
            return -1;
        static char empty[1] = "";
        for (int i = 0; i < QM_NCOLS; i++)
            q->col[i] = empty;
        char *p = copy;
        for (int i = 0; i < QM_NCOLS && p; i++) {
            q->col[i] = p;
            char *tab = strchr(p, '\t');
            if (tab)
                *tab++ = '\0';
            p = tab;
        }
        q->cls = -1;
        for (int c = 0; c < m->n_classes; c++)
            if (strcmp(m->classes[c], q->col[QM_CLASS]) == 0)
                q->cls = c;
        if (q->cls < 0) {
            if (m->n_classes == QM_CLASSES_MAX) {
                fprintf(stderr, "%s: too many query classes\n", path);
                return -1;
            }
            m->classes[m->n_classes] = q->col[QM_CLASS];
            q->cls = m->n_classes++;
        }
        m->n++;
    }
    free(line);
    fclose(f);
    if (m->n == 0) {
        fprintf(stderr, "%s: no queries\n", path);
        return -1;
    }
    return 0;
}

static int qm_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of v[0..n) (sorted in place). */
static double qm_pct(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, qm_cmp);
    size_t r = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (r == 0)
        r = 1;
    if (r > n)
        r = n;
    return v[r - 1];
}

/* Per-class latency: run every query `passes` times after one warm-up pass,
 * one thread.  run(q, arg, &hits) returns 0 or -1 (an error); hits is the
 * match count.  Prints LABEL.q_CLASS_{p50,p99,n,matched} and LABEL.q_all_*;
 * returns the number of errors. */
static long qm_latency(const qm_mix *m, int passes, const char *label,
                              int (*run)(const qm_query *, void *, unsigned long long *),
                              void *arg)
{
    size_t total = m->n * (size_t)passes;
    double *lat = (double *)malloc(total * sizeof *lat);
    double *tmp = (double *)malloc(total * sizeof *tmp);
    int *cls = (int *)malloc(total * sizeof *cls);
    size_t matched[QM_CLASSES_MAX] = {0}, count[QM_CLASSES_MAX] = {0};
    long errors = 0;
    if (!lat || !tmp || !cls) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < m->n; i++) {       /* warm-up: caches, and matched counts */
        unsigned long long hits = 0;
        if (run(&m->q[i], arg, &hits) != 0)
            errors++;
        count[m->q[i].cls]++;
        if (hits > 0)
            matched[m->q[i].cls]++;
    }
    size_t k = 0;
    double t0 = qm_now();
    for (int p = 0; p < passes; p++)
        for (size_t i = 0; i < m->n; i++) {
            unsigned long long hits = 0;
            double t = qm_now();
            if (run(&m->q[i], arg, &hits) != 0)
                errors++;
            lat[k] = (qm_now() - t) * 1000.0;
            cls[k++] = m->q[i].cls;
        }
    double secs = qm_now() - t0;
    for (int c = -1; c < m->n_classes; c++) {
        size_t n = 0, mt = 0, cn = 0;
        for (size_t i = 0; i < k; i++)
            if (c < 0 || cls[i] == c)
                tmp[n++] = lat[i];
        for (int d = 0; d < m->n_classes; d++)
            if (c < 0 || d == c) {
                mt += matched[d];
                cn += count[d];
            }
        const char *name = c < 0 ? "all" : m->classes[c];
        printf("%s.q_%s_p50=%.3f\n", label, name, qm_pct(tmp, n, 50));
        printf("%s.q_%s_p99=%.3f\n", label, name, qm_pct(tmp, n, 99));
        printf("%s.q_%s_matched=%zu/%zu\n", label, name, mt, cn);
    }
    printf("%s.q_qps1=%.1f\n", label, secs > 0 ? (double)k / secs : 0);
    printf("%s.q_errors=%ld\n", label, errors);
    fflush(stdout);
    free(lat);
    free(tmp);
    free(cls);
    return errors;
}

/* Throughput with `threads` threads, each with its own handle from
 * open(arg) (freed with close), sharing `total` query runs of the mix (each
 * thread starting at a different query), stopping early after `max_secs`.
 * Prints LABEL.q_qps<threads>. */
typedef struct qm_thr {
    const qm_mix *m;
    void *(*open)(void *);
    void (*close)(void *);
    int (*run)(const qm_query *, void *, unsigned long long *);
    void *arg;
    unsigned long total, next, done;
    double deadline;
    long errors;
    int id, failed;
} qm_thr;

typedef struct qm_thr_arg {
    qm_thr *s;
    int id;
} qm_thr_arg;

static void *qm_thread(void *p)
{
    qm_thr_arg *a = (qm_thr_arg *)p;
    qm_thr *s = a->s;
    void *ctx = s->open(s->arg);
    if (ctx == NULL) {
        __atomic_store_n(&s->failed, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    size_t i = ((size_t)a->id * 7919u) % s->m->n;
    for (;;) {
        unsigned long k = __atomic_fetch_add(&s->next, 1, __ATOMIC_SEQ_CST);
        if (k >= s->total || ((k & 15) == 0 && qm_now() > s->deadline))
            break;
        unsigned long long hits = 0;
        if (s->run(&s->m->q[i], ctx, &hits) != 0)
            __atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&s->done, 1, __ATOMIC_SEQ_CST);
        i = (i + 1) % s->m->n;
    }
    s->close(ctx);
    return NULL;
}

static long qm_throughput(const qm_mix *m, int threads, unsigned long total, double max_secs,
                          const char *label, void *(*open)(void *), void (*close)(void *),
                          int (*run)(const qm_query *, void *, unsigned long long *), void *arg)
{
    qm_thr s;
    memset(&s, 0, sizeof s);
    s.m = m;
    s.open = open;
    s.close = close;
    s.run = run;
    s.arg = arg;
    s.total = total;
    pthread_t tid[64];
    qm_thr_arg ta[64];
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    double t0 = qm_now();
    s.deadline = t0 + max_secs;
    for (int t = 0; t < threads; t++) {
        ta[t].s = &s;
        ta[t].id = t;
        if (pthread_create(&tid[t], NULL, qm_thread, &ta[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    for (int t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    double secs = qm_now() - t0;
    if (s.failed)
        fprintf(stderr, "%s: a thread could not open its handle\n", label);
    printf("%s.q_qps%d=%.1f\n", label, threads, secs > 0 ? (double)s.done / secs : 0);
    fflush(stdout);
    return s.errors + s.failed;
}

/* Frees what qm_load made. */
static void qm_free(qm_mix *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->q[i].col[0]);
    free(m->q);
}

/* The whole measurement of the mix: qm_latency on one handle from
 * open(arg), then, with threads > 0, qm_throughput.  Returns the number of
 * errors, or -1 when the first handle cannot be opened.  (inline: qbench,
 * which prints between opening and measuring, does not use it.) */
static inline long qm_measure(const qm_mix *m, int passes, int threads, unsigned long total,
                              double max_secs, const char *label, void *(*open)(void *),
                              void (*close)(void *),
                              int (*run)(const qm_query *, void *, unsigned long long *),
                              void *arg)
{
    void *c = open(arg);
    if (c == NULL)
        return -1;
    long errors = qm_latency(m, passes, label, run, c);
    close(c);
    if (threads > 0)
        errors += qm_throughput(m, threads, total, max_secs, label, open, close, run, arg);
    return errors;
}

#endif
