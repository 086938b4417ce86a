/* bench/loadloop.h — the closed-loop load generator that bench/loadgen.c
 * (zhengce's line protocol) and bench/sphinxql_load.c (SphinxQL over the
 * MySQL wire protocol) share; each supplies its protocol as an ll_proto.
 *
 * The loop: N connections on libevent, D requests outstanding on each (a new
 * request goes out when a reply comes back), until a number of replies or a
 * time limit, whichever comes first.  Requests are PING, or lines from a file
 * (cycled; each connection starts at a different line).  Every reply's
 * latency is kept (bounded by --requests), so percentiles are exact.  One
 * output line: label conns depth requests errors secs qps p50 p99 p99.9 (ms),
 * or a JSON object with --json where the program offers it.  Exit status 0,
 * 1 if any reply was an error or a connection failed, 2 for usage.
 *
 * Owns: only its own sockets and buffers; never touches an index.  Static
 * functions for one program each: include it from one .c file. */
#ifndef ZC_BENCH_LOADLOOP_H
#define ZC_BENCH_LOADLOOP_H

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define LL_DEPTH_MAX 256
#define LL_REQUESTS_MAX 50000000ull   /* latency array bound: 200 MB */

typedef struct ll_gen ll_gen;

/* One connection.  A protocol with per-connection state makes ll_conn the
 * first member of its own struct and names that struct's size in
 * ll_proto.conn_size. */
typedef struct ll_conn {
    ll_gen *g;
    struct bufferevent *bev;
    size_t next_q;                 /* next request line */
    double sent[LL_DEPTH_MAX];     /* send times of outstanding requests, a ring */
    unsigned head, outstanding;
} ll_conn;

/* What a program tells the generator about its protocol. */
typedef struct ll_proto {
    const char *name;       /* program name, the prefix of its messages */
    const char *usage;      /* the usage text */
    const char *noun;       /* what a request line is: "no <noun>" when none */
    size_t conn_size;       /* sizeof the program's connection struct */
    int options;            /* LL_OPT_*: the options beyond the common ones */
    int append_lf;          /* request lines keep a LF at their end */
    size_t max_line;        /* longer request lines are skipped (0: no limit) */
    /* The server speaks first (a greeting, a login): nothing is sent until
     * on_input calls ll_send, and the clock starts before connecting. */
    int handshake;
    /* Prepares a new connection (before it connects); may be NULL. */
    void (*conn_init)(ll_conn *c);
    /* Writes one request: the request line (line, len), or a PING when line
     * is NULL (--ping). */
    void (*write)(ll_conn *c, const char *line, size_t len);
    /* Reads one unit (a reply line, a packet) from in, reporting finished
     * replies with ll_reply.  Returns 1 when it read one, 0 when in holds no
     * complete unit, -1 on a protocol error (after saying why). */
    int (*on_input)(ll_conn *c, struct evbuffer *in);
} ll_proto;

#define LL_OPT_DEPTH 1u        /* --depth D */
#define LL_OPT_JSON 2u         /* --json */

struct ll_gen {
    const ll_proto *proto;
    struct event_base *base;
    struct sockaddr_storage addr;
    int addrlen;
    unsigned conns, depth;
    uint64_t max_requests;         /* replies to collect */
    double duration;               /* seconds */
    int ping, json;
    const char *label;
    char **lines;                  /* request lines (with append_lf, ending in LF) */
    size_t *line_len, n_lines;
    uint64_t sent, received, errors;
    float *lat_ms;                 /* received latencies */
    double t0, t_end;
    int stopping, conn_failed;
};

static double ll_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ll_stop(ll_gen *g)
{
    if (!g->stopping) {
        g->stopping = 1;
        g->t_end = ll_now_s();
        event_base_loopbreak(g->base);
    }
}

/* Sends the connection's next request, unless the run is over.  Returns 1
 * when it sent one. */
static int ll_send(ll_conn *c)
{
    ll_gen *g = c->g;
    if (g->stopping || g->sent >= g->max_requests)
        return 0;
    if (g->ping) {
        g->proto->write(c, NULL, 0);
    } else {
        size_t i = c->next_q++ % g->n_lines;
        g->proto->write(c, g->lines[i], g->line_len[i]);
    }
    c->sent[(c->head + c->outstanding) % LL_DEPTH_MAX] = ll_now_s();
    c->outstanding++;
    g->sent++;
    return 1;
}

/* A reply is complete (an error reply when error): records its latency and
 * sends the next request.  A reply nobody asked for is an error. */
static void ll_reply(ll_conn *c, int error)
{
    ll_gen *g = c->g;
    double t = ll_now_s();
    if (error)
        g->errors++;
    if (c->outstanding == 0) {
        g->errors++;
        return;
    }
    double sent = c->sent[c->head];
    c->head = (c->head + 1) % LL_DEPTH_MAX;
    c->outstanding--;
    if (g->received < g->max_requests)
        g->lat_ms[g->received] = (float)((t - sent) * 1000.0);
    g->received++;
    if (g->received >= g->max_requests) {
        ll_stop(g);
        return;
    }
    ll_send(c);
}

static void ll_read_cb(struct bufferevent *bev, void *arg)
{
    ll_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        int rc = c->g->proto->on_input(c, in);
        if (rc < 0) {
            c->g->conn_failed = 1;
            ll_stop(c->g);
            return;
        }
        if (rc == 0 || c->g->stopping)
            return;
    }
}

static void ll_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    ll_conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (!c->g->stopping) {
            fprintf(stderr, "%s: connection %s\n", c->g->proto->name,
                    (what & BEV_EVENT_EOF) ? "closed by the server"
                                           : evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
            c->g->conn_failed = 1;
            ll_stop(c->g);
        }
    }
}

static void ll_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ll_stop(arg);
}

static int ll_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted v[0..n). */
static double ll_pct(const float *v, uint64_t n, double p)
{
    if (n == 0)
        return 0;
    uint64_t r = (uint64_t)(p / 100.0 * (double)n + 0.999999);
    if (r == 0)
        r = 1;
    if (r > n)
        r = n;
    return v[r - 1];
}

/* Reads the request lines of path: blank lines and #-comments skipped,
 * line ends stripped (and one LF put back with append_lf). */
static int ll_load_lines(ll_gen *g, const char *path)
{
    const ll_proto *pr = g->proto;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", pr->name, path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            len--;
        if (len == 0 || buf[0] == '#' || (pr->max_line && (size_t)len > pr->max_line))
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            g->lines = realloc(g->lines, alloc * sizeof *g->lines);
            g->line_len = realloc(g->line_len, alloc * sizeof *g->line_len);
            if (!g->lines || !g->line_len)
                return -1;
        }
        size_t keep = (size_t)len + (pr->append_lf ? 1 : 0);
        g->lines[n] = malloc(keep);
        if (g->lines[n] == NULL)
            return -1;
        memcpy(g->lines[n], buf, (size_t)len);
        if (pr->append_lf)
            g->lines[n][len] = '\n';
        g->line_len[n] = keep;
        n++;
    }
    free(buf);
    fclose(f);
    g->n_lines = n;
    if (n == 0) {
        fprintf(stderr, "%s: %s has no %s\n", pr->name, path, pr->noun);
        return -1;
    }
    return 0;
}

static int ll_resolve(ll_gen *g, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    if (colon == NULL)
        return -1;
    char host[256];
    size_t hl = (size_t)(colon - spec);
    if (hl == 0 || hl >= sizeof host)
        return -1;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return -1;
    memcpy(&g->addr, res->ai_addr, res->ai_addrlen);
    g->addrlen = (int)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void ll_print(const ll_gen *g)
{
    double secs = g->t_end - g->t0;
    uint64_t n = g->received < g->max_requests ? g->received : g->max_requests;
    qsort(g->lat_ms, n, sizeof *g->lat_ms, ll_cmp_float);
    double qps = secs > 0 ? (double)g->received / secs : 0;
    if (g->json)
        printf("{\"label\":\"%s\",\"conns\":%u,\"depth\":%u,\"requests\":%llu,\"errors\":%llu,"
               "\"secs\":%.3f,\"qps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f}\n",
               g->label, g->conns, g->depth, (unsigned long long)g->received,
               (unsigned long long)g->errors, secs, qps, ll_pct(g->lat_ms, n, 50),
               ll_pct(g->lat_ms, n, 99), ll_pct(g->lat_ms, n, 99.9));
    else
        printf("%-8s %6u %5u %9llu %6llu %7.2f %9.0f %8.3f %8.3f %8.3f\n", g->label, g->conns,
               g->depth, (unsigned long long)g->received, (unsigned long long)g->errors, secs,
               qps, ll_pct(g->lat_ms, n, 50), ll_pct(g->lat_ms, n, 99),
               ll_pct(g->lat_ms, n, 99.9));
}

/* The whole program: parses the command line, runs the loop, prints the
 * line.  Returns main's exit status. */
static int ll_main(const ll_proto *pr, int argc, char **argv)
{
    static const struct option all_opts[] = {
        {"addr", required_argument, NULL, 'a'},     {"conns", required_argument, NULL, 'c'},
        {"depth", required_argument, NULL, 'd'},    {"ping", no_argument, NULL, 'p'},
        {"queries", required_argument, NULL, 'q'},  {"requests", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 't'}, {"label", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    /* The options this program offers: the common ones, plus its LL_OPT_*. */
    struct option opts[sizeof all_opts / sizeof all_opts[0]];
    size_t n_opts = 0;
    for (size_t i = 0; i < sizeof all_opts / sizeof all_opts[0]; i++) {
        int v = all_opts[i].val;
        if ((v == 'd' && !(pr->options & LL_OPT_DEPTH)) ||
            (v == 'j' && !(pr->options & LL_OPT_JSON)))
            continue;
        opts[n_opts++] = all_opts[i];
    }
    ll_gen g;
    memset(&g, 0, sizeof g);
    g.proto = pr;
    g.conns = 1;
    g.depth = 1;
    g.max_requests = 100000;
    g.duration = 10;
    g.label = "";
    const char *addr = NULL, *queries = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'a': addr = optarg; break;
        case 'c': g.conns = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'd': g.depth = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'p': g.ping = 1; break;
        case 'q': queries = optarg; break;
        case 'n': g.max_requests = strtoull(optarg, NULL, 10); break;
        case 't': g.duration = strtod(optarg, NULL); break;
        case 'l': g.label = optarg; break;
        case 'j': g.json = 1; break;
        default: fputs(pr->usage, stderr); return 2;
        }
    }
    if (addr == NULL || (g.ping == !!queries) || g.conns == 0 || g.conns > 100000 ||
        g.depth == 0 || g.depth > LL_DEPTH_MAX || g.max_requests == 0 ||
        g.max_requests > LL_REQUESTS_MAX || !(g.duration > 0)) {
        fputs(pr->usage, stderr);
        return 2;
    }
    if (ll_resolve(&g, addr) != 0) {
        fprintf(stderr, "%s: bad address %s\n", pr->name, addr);
        return 2;
    }
    if (!g.ping && ll_load_lines(&g, queries) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    g.lat_ms = malloc(g.max_requests * sizeof *g.lat_ms);
    g.base = event_base_new();
    char *cs = calloc(g.conns, pr->conn_size);
    if (!g.lat_ms || !g.base || !cs) {
        fprintf(stderr, "%s: out of memory\n", pr->name);
        return 1;
    }
    if (pr->handshake)
        g.t0 = ll_now_s();
    for (unsigned i = 0; i < g.conns; i++) {
        ll_conn *k = (ll_conn *)(cs + (size_t)i * pr->conn_size);
        k->g = &g;
        k->next_q = (size_t)i * 7919u;       /* spread the mix across connections */
        if (pr->conn_init)
            pr->conn_init(k);
        k->bev = bufferevent_socket_new(g.base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (k->bev == NULL)
            return 1;
        bufferevent_setcb(k->bev, ll_read_cb, NULL, ll_event_cb, k);
        bufferevent_enable(k->bev, EV_READ | EV_WRITE);
        if (bufferevent_socket_connect(k->bev, (struct sockaddr *)&g.addr, g.addrlen) != 0) {
            fprintf(stderr, "%s: cannot connect to %s\n", pr->name, addr);
            return 1;
        }
    }
    if (!pr->handshake) {
        /* Requests are queued at once; libevent sends them when connected. */
        g.t0 = ll_now_s();
        for (unsigned d = 0; d < g.depth; d++)
            for (unsigned i = 0; i < g.conns; i++)
                ll_send((ll_conn *)(cs + (size_t)i * pr->conn_size));
    }
    struct event *tm = evtimer_new(g.base, ll_timer_cb, &g);
    struct timeval tv = {(time_t)g.duration,
                         (suseconds_t)((g.duration - (double)(time_t)g.duration) * 1e6)};
    evtimer_add(tm, &tv);
    event_base_dispatch(g.base);
    if (!g.stopping)
        g.t_end = ll_now_s();
    ll_print(&g);
    for (unsigned i = 0; i < g.conns; i++)
        bufferevent_free(((ll_conn *)(cs + (size_t)i * pr->conn_size))->bev);
    event_free(tm);
    event_base_free(g.base);
    for (size_t i = 0; i < g.n_lines; i++)
        free(g.lines[i]);
    free(g.lines);
    free(g.line_len);
    free(g.lat_ms);
    free(cs);
    return (g.errors || g.conn_failed) ? 1 : 0;
}

#endif
