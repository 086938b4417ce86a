/* bench/loadgen.c — a load generator for zhengce-searchd, on libevent.
 *
 * Opens N connections to the daemon and keeps D requests outstanding on
 * each (closed loop: a new request goes out when a reply comes back), until
 * a number of requests or a time limit is reached, whichever comes first.
 * Requests are PING, or lines from a file (one protocol request per line,
 * cycled; each connection starts at a different line).  Every reply's
 * latency is kept (bounded by --requests), so percentiles are exact.
 *
 *   loadgen --addr 127.0.0.1:7420 --conns 8 --ping --requests 200000 --duration 10
 *   loadgen --addr 127.0.0.1:7420 --conns 64 --queries mix.txt --duration 10
 *
 * Prints one line:  label conns depth requests errors secs qps p50 p99 p99.9
 * (milliseconds), or a JSON object with --json.  Exit status 0, 1 if any
 * reply was an error or a connection failed, 2 for usage.
 * Owns: only its own sockets and buffers; never touches the index. */
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

#define LG_DEPTH_MAX 256
#define LG_REQUESTS_MAX 50000000ull   /* latency array bound: 200 MB */

typedef struct lg lg;

typedef struct lg_conn {
    lg *g;
    struct bufferevent *bev;
    size_t next_q;                 /* next query line */
    double sent[LG_DEPTH_MAX];     /* send times of outstanding requests, a ring */
    unsigned head, outstanding;
    int done;
} lg_conn;

struct lg {
    struct event_base *base;
    struct sockaddr_storage addr;
    int addrlen;
    unsigned conns, depth;
    uint64_t max_requests;         /* replies to collect */
    double duration;               /* seconds */
    char **lines;                  /* request lines, each ending in LF */
    size_t *line_len, n_lines;
    uint64_t sent, received, errors;
    float *lat_ms;                 /* received latencies */
    double t0, t_end;
    unsigned open_conns;
    int stopping, conn_failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stop(lg *g)
{
    if (!g->stopping) {
        g->stopping = 1;
        g->t_end = now_s();
        event_base_loopbreak(g->base);
    }
}

static void send_one(lg_conn *c)
{
    lg *g = c->g;
    if (g->stopping || g->sent >= g->max_requests)
        return;
    size_t i = c->next_q++ % g->n_lines;
    bufferevent_write(c->bev, g->lines[i], g->line_len[i]);
    c->sent[(c->head + c->outstanding) % LG_DEPTH_MAX] = now_s();
    c->outstanding++;
    g->sent++;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    lg_conn *c = arg;
    lg *g = c->g;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
        if (p.pos < 0)
            break;
        double t = now_s();
        char head[12] = "";
        evbuffer_copyout(in, head, sizeof head - 1);
        if (strncmp(head, "{\"ok\":true", 10) != 0)
            g->errors++;
        evbuffer_drain(in, (size_t)p.pos + 1);
        if (c->outstanding == 0) {
            g->errors++;       /* a reply nobody asked for */
            continue;
        }
        double sent = c->sent[c->head];
        c->head = (c->head + 1) % LG_DEPTH_MAX;
        c->outstanding--;
        if (g->received < g->max_requests)
            g->lat_ms[g->received] = (float)((t - sent) * 1000.0);
        g->received++;
        if (g->received >= g->max_requests) {
            stop(g);
            return;
        }
        send_one(c);
    }
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    lg_conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (!c->g->stopping) {
            fprintf(stderr, "loadgen: connection %s\n",
                    (what & BEV_EVENT_EOF) ? "closed by the server"
                                           : evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
            c->g->conn_failed = 1;
            stop(c->g);
        }
    }
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stop(arg);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static double pct(const float *v, uint64_t n, double p)
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

static int load_lines(lg *g, const char *path, int ping)
{
    if (ping) {
        g->lines = malloc(sizeof *g->lines);
        g->line_len = malloc(sizeof *g->line_len);
        if (!g->lines || !g->line_len)
            return -1;
        g->lines[0] = strdup("PING\n");
        g->line_len[0] = 5;
        g->n_lines = 1;
        return g->lines[0] ? 0 : -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            len--;
        if (len == 0 || buf[0] == '#')
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            g->lines = realloc(g->lines, alloc * sizeof *g->lines);
            g->line_len = realloc(g->line_len, alloc * sizeof *g->line_len);
            if (!g->lines || !g->line_len)
                return -1;
        }
        g->lines[n] = malloc((size_t)len + 1);
        if (g->lines[n] == NULL)
            return -1;
        memcpy(g->lines[n], buf, (size_t)len);
        g->lines[n][len] = '\n';
        g->line_len[n] = (size_t)len + 1;
        n++;
    }
    free(buf);
    fclose(f);
    g->n_lines = n;
    if (n == 0) {
        fprintf(stderr, "loadgen: %s has no request lines\n", path);
        return -1;
    }
    return 0;
}

static int resolve(lg *g, const char *spec)
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

static void usage(void)
{
    fputs("usage: loadgen --addr HOST:PORT [--conns N] [--depth D]\n"
          "               (--ping | --queries FILE) [--requests N] [--duration S]\n"
          "               [--label TEXT] [--json]\n",
          stderr);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"addr", required_argument, NULL, 'a'},   {"conns", required_argument, NULL, 'c'},
        {"depth", required_argument, NULL, 'd'},  {"ping", no_argument, NULL, 'p'},
        {"queries", required_argument, NULL, 'q'}, {"requests", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 't'}, {"label", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    lg g;
    memset(&g, 0, sizeof g);
    g.conns = 1;
    g.depth = 1;
    g.max_requests = 100000;
    g.duration = 10;
    const char *addr = NULL, *queries = NULL, *label = "";
    int ping = 0, json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'a': addr = optarg; break;
        case 'c': g.conns = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'd': g.depth = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'p': ping = 1; break;
        case 'q': queries = optarg; break;
        case 'n': g.max_requests = strtoull(optarg, NULL, 10); break;
        case 't': g.duration = strtod(optarg, NULL); break;
        case 'l': label = optarg; break;
        case 'j': json = 1; break;
        default: usage(); return 2;
        }
    }
    if (addr == NULL || (ping == !!queries) || g.conns == 0 || g.conns > 100000 ||
        g.depth == 0 || g.depth > LG_DEPTH_MAX || g.max_requests == 0 ||
        g.max_requests > LG_REQUESTS_MAX || !(g.duration > 0)) {
        usage();
        return 2;
    }
    if (resolve(&g, addr) != 0) {
        fprintf(stderr, "loadgen: bad address %s\n", addr);
        return 2;
    }
    if (load_lines(&g, queries, ping) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    g.lat_ms = malloc(g.max_requests * sizeof *g.lat_ms);
    g.base = event_base_new();
    lg_conn *cs = calloc(g.conns, sizeof *cs);
    if (!g.lat_ms || !g.base || !cs) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 1;
    }
    for (unsigned i = 0; i < g.conns; i++) {
        lg_conn *k = &cs[i];
        k->g = &g;
        k->next_q = (size_t)i * 7919u;       /* spread the mix across connections */
        k->bev = bufferevent_socket_new(g.base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (k->bev == NULL)
            return 1;
        bufferevent_setcb(k->bev, read_cb, NULL, event_cb, k);
        bufferevent_enable(k->bev, EV_READ | EV_WRITE);
        if (bufferevent_socket_connect(k->bev, (struct sockaddr *)&g.addr, g.addrlen) != 0) {
            fprintf(stderr, "loadgen: cannot connect to %s\n", addr);
            return 1;
        }
    }
    /* Requests are queued at once; libevent sends them when connected. */
    g.t0 = now_s();
    for (unsigned d = 0; d < g.depth; d++)
        for (unsigned i = 0; i < g.conns; i++)
            send_one(&cs[i]);
    struct event *tm = evtimer_new(g.base, timer_cb, &g);
    struct timeval tv = {(time_t)g.duration,
                         (suseconds_t)((g.duration - (double)(time_t)g.duration) * 1e6)};
    evtimer_add(tm, &tv);
    event_base_dispatch(g.base);
    if (!g.stopping)
        g.t_end = now_s();
    double secs = g.t_end - g.t0;
    uint64_t n = g.received < g.max_requests ? g.received : g.max_requests;
    qsort(g.lat_ms, n, sizeof *g.lat_ms, cmp_float);
    double qps = secs > 0 ? (double)g.received / secs : 0;
    if (json)
        printf("{\"label\":\"%s\",\"conns\":%u,\"depth\":%u,\"requests\":%llu,\"errors\":%llu,"
               "\"secs\":%.3f,\"qps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f}\n",
               label, g.conns, g.depth, (unsigned long long)g.received,
               (unsigned long long)g.errors, secs, qps, pct(g.lat_ms, n, 50),
               pct(g.lat_ms, n, 99), pct(g.lat_ms, n, 99.9));
    else
        printf("%-8s %6u %5u %9llu %6llu %7.2f %9.0f %8.3f %8.3f %8.3f\n", label, g.conns,
               g.depth, (unsigned long long)g.received, (unsigned long long)g.errors, secs, qps,
               pct(g.lat_ms, n, 50), pct(g.lat_ms, n, 99), pct(g.lat_ms, n, 99.9));
    for (unsigned i = 0; i < g.conns; i++)
        bufferevent_free(cs[i].bev);
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
