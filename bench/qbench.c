/* bench/qbench.c — query latency and throughput of libzhengce, in process.
 *
 * Runs the benchmark query mix (bench/prep.py's queries.tsv, column zjson:
 * the SEARCH argument the daemon would get) through the public API only:
 * zc_search_request_parse, zc_search, and, as the daemon does for every
 * reply, zc_results_to_json.  First one thread, every query `passes` times,
 * for latency per query class; then `threads` threads with a handle each for
 * throughput.
 *
 *   qbench --index DIR --queries queries.tsv [--passes 3] [--threads 2]
 *          [--total 5000] [--max-secs 20] [--label zhengce] [--no-snippets]
 *          [--exact-count N|all] [--no-prior]
 *
 * Prints LABEL.key=value lines (bench/qmix.h).  Exit 0, 1 if a query failed
 * or the index cannot be opened, 2 for usage.
 * Owns: its index handles; opens the index read-only and never writes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zhengce.h"
#include "qmix.h"

typedef struct qb {
    const char *index;
} qb;

/* --no-snippets: what a search costs without building snippets (the
 * profiles' biggest item), for comparison with the Xapian bound. */
static int g_no_snippets;
/* --exact-count: every query's "exact_count" (-1: each query's own), to
 * measure what counting matches exactly costs (bench/counts.sh). */
static int64_t g_exact_count = -1;
/* --no-prior: the same searches without the authority prior (SEARCH
 * "prior":false), for its cost (docs/benchmarks.md). */
static int g_no_prior;

static void *qb_open(void *arg)
{
    const qb *b = arg;
    zc_index *idx = NULL;
    zc_error err;
    if (zc_index_open(b->index, ZC_OPEN_READ, &idx, &err) != ZC_OK) {
        fprintf(stderr, "qbench: %s: %s\n", b->index, err.message);
        return NULL;
    }
    return idx;
}

static void qb_close(void *ctx)
{
    zc_index_close(ctx);
}

static int qb_run(const qm_query *q, void *ctx, unsigned long long *hits)
{
    zc_index *idx = ctx;
    zc_error err;
    zc_search_request *req = NULL;
    zc_results *res = NULL;
    const char *z = q->col[QM_ZJSON];
    int rc = -1;
    if (zc_search_request_parse(z, strlen(z), &req, &err) != ZC_OK) {
        fprintf(stderr, "qbench: %s: %s\n", z, err.message);
        return -1;
    }
    if (g_no_snippets)
        zc_search_request_opts(req)->snippet = 0;
    if (g_exact_count >= 0)
        zc_search_request_opts(req)->exact_count = g_exact_count;
    if (g_no_prior)
        zc_search_request_opts(req)->no_prior = 1;
    if (zc_search(idx, zc_search_request_opts(req), &res, &err) != ZC_OK) {
        fprintf(stderr, "qbench: %s: %s\n", z, err.message);
        goto out;
    }
    *hits = zc_results_total(res, NULL);
    char *json = NULL;
    size_t len = 0;
    if (zc_results_to_json(res, &json, &len, &err) != ZC_OK) {
        fprintf(stderr, "qbench: %s: %s\n", z, err.message);
        goto out;
    }
    zc_free(json);
    rc = 0;
out:
    zc_results_free(res);
    zc_search_request_free(req);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"index", required_argument, NULL, 'i'},   {"queries", required_argument, NULL, 'q'},
        {"passes", required_argument, NULL, 'p'},  {"threads", required_argument, NULL, 't'},
        {"total", required_argument, NULL, 'n'},   {"max-secs", required_argument, NULL, 's'},
        {"label", required_argument, NULL, 'l'},   {"no-snippets", no_argument, NULL, 'S'},
        {"exact-count", required_argument, NULL, 'e'},
        {"no-prior", no_argument, NULL, 'P'},      {NULL, 0, NULL, 0}};
    qb b = {NULL};
    const char *queries = NULL, *label = "zhengce";
    int passes = 3, threads = 2, c;
    unsigned long total = 5000;
    double max_secs = 20;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': b.index = optarg; break;
        case 'q': queries = optarg; break;
        case 'p': passes = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'n': total = strtoul(optarg, NULL, 10); break;
        case 's': max_secs = atof(optarg); break;
        case 'l': label = optarg; break;
        case 'S': g_no_snippets = 1; break;
        case 'e':
            g_exact_count = strcmp(optarg, "all") == 0 ? ZC_SEARCH_EXACT_COUNT_ALL
                                                      : strtoll(optarg, NULL, 10);
            if (g_exact_count < 0 || g_exact_count > ZC_SEARCH_EXACT_COUNT_ALL)
                goto usage;
            break;
        case 'P': g_no_prior = 1; break;
        default: goto usage;
        }
    }
    if (b.index == NULL || queries == NULL || passes < 1 || threads < 0 || threads > 64)
        goto usage;
    qm_mix m;
    if (qm_load(&m, queries) != 0)
        return 1;
    zc_error err;
    if (zc_global_init(&err) != ZC_OK) {
        fprintf(stderr, "qbench: %s\n", err.message);
        return 1;
    }
    void *idx = qb_open(&b);
    if (idx == NULL)
        return 1;
    printf("%s.analyzer=%s\n", label, zc_index_analyzer(idx));
    long errors = qm_latency(&m, passes, label, qb_run, idx);
    qb_close(idx);
    if (threads > 0)
        errors += qm_throughput(&m, threads, total, max_secs, label, qb_open, qb_close, qb_run, &b);
    qm_free(&m);
    return errors ? 1 : 0;
usage:
    fputs("usage: qbench --index DIR --queries FILE [--passes N] [--threads T]\n"
          "              [--total N] [--max-secs S] [--label L] [--no-snippets]\n"
          "              [--exact-count N|all] [--no-prior]\n",
          stderr);
    return 2;
}
