/* bench/sphinxql_load.c — bench/loadgen.c's design, speaking SphinxQL.
 *
 * Sphinx's searchd answers SphinxQL over the MySQL wire protocol (listen =
 * HOST:PORT:mysql41).  This is a minimal client of that protocol on
 * libevent, with the same closed loop as loadgen: N connections, one
 * request outstanding on each (MySQL's protocol is strict request-reply), a
 * new request as soon as a reply is complete, until a request count or a
 * time limit; every latency kept, exact percentiles.
 *
 * Protocol subset: read the server greeting, answer with a
 * HandshakeResponse41 (user "bench", empty password: Sphinx checks none),
 * expect OK; then COM_QUERY (a statement from the file, cycled; each
 * connection starts at a different line) or COM_PING (--ping).  A reply is
 * an OK or ERR packet, or result sets (column count, column definitions,
 * EOF, rows, EOF); an EOF whose status has SERVER_MORE_RESULTS_EXISTS
 * announces another result set (Sphinx's FACET).  ERR replies count as
 * errors.
 *
 *   sphinxql_load --addr 127.0.0.1:9306 --conns 8 --queries q.sql --duration 10
 *   sphinxql_load --addr 127.0.0.1:9306 --conns 8 --ping --requests 100000
 *
 * Prints the loadgen line: label conns depth requests errors secs qps p50 p99
 * p99.9 (ms).  Exit 0, 1 if any reply was an error or a connection failed,
 * 2 for usage.  Owns only its sockets and buffers. */
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

#define SQ_REQUESTS_MAX 50000000ull
#define SQ_PACKET_MAX (16u << 20)       /* longer packets are a protocol error here */
#define SQ_MORE_RESULTS 0x0008u

typedef struct sq sq;

typedef enum sq_state {
    SQ_GREETING,      /* waiting for the server's handshake */
    SQ_AUTH,          /* sent the handshake response, waiting for OK */
    SQ_FIRST,         /* a request is out: OK, ERR or a column count */
    SQ_COLDEFS,       /* column definitions, then an EOF */
    SQ_ROWS,          /* rows until an EOF (or ERR) */
    SQ_IDLE
} sq_state;

typedef struct sq_conn {
    sq *g;
    struct bufferevent *bev;
    size_t next_q;
    double sent;
    sq_state st;
    uint64_t cols_left;
    int reply_error;
} sq_conn;

struct sq {
    struct event_base *base;
    struct sockaddr_storage addr;
    int addrlen;
    unsigned conns;
    uint64_t max_requests;
    double duration;
    char **lines;
    size_t *line_len, n_lines;
    int ping;
    uint64_t sent, received, errors;
    float *lat_ms;
    double t0, t_end;
    int stopping, conn_failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stop(sq *g)
{
    if (!g->stopping) {
        g->stopping = 1;
        g->t_end = now_s();
        event_base_loopbreak(g->base);
    }
}

static void put_packet(sq_conn *c, unsigned seq, const void *payload, size_t len)
{
    unsigned char h[4] = {(unsigned char)(len & 0xFF), (unsigned char)((len >> 8) & 0xFF),
                          (unsigned char)((len >> 16) & 0xFF), (unsigned char)seq};
    bufferevent_write(c->bev, h, 4);
    bufferevent_write(c->bev, payload, len);
}

static void send_one(sq_conn *c)
{
    sq *g = c->g;
    if (g->stopping || g->sent >= g->max_requests) {
        c->st = SQ_IDLE;
        return;
    }
    static unsigned char buf[1 + 65536];
    if (g->ping) {
        buf[0] = 0x0E;                 /* COM_PING */
        put_packet(c, 0, buf, 1);
    } else {
        size_t i = c->next_q++ % g->n_lines;
        buf[0] = 0x03;                 /* COM_QUERY */
        memcpy(buf + 1, g->lines[i], g->line_len[i]);
        put_packet(c, 0, buf, 1 + g->line_len[i]);
    }
    c->sent = now_s();
    c->st = SQ_FIRST;
    c->reply_error = 0;
    g->sent++;
}

static void send_handshake(sq_conn *c)
{
    unsigned char p[64];
    size_t n = 0;
    uint32_t caps = 0x00000001u   /* CLIENT_LONG_PASSWORD */
                    | 0x00000200u /* CLIENT_PROTOCOL_41 */
                    | 0x00008000u /* CLIENT_SECURE_CONNECTION */
                    | 0x00020000u;/* CLIENT_MULTI_RESULTS */
    uint32_t maxp = SQ_PACKET_MAX;
    for (int i = 0; i < 4; i++)
        p[n++] = (unsigned char)(caps >> (8 * i));
    for (int i = 0; i < 4; i++)
        p[n++] = (unsigned char)(maxp >> (8 * i));
    p[n++] = 33;                       /* utf8_general_ci */
    memset(p + n, 0, 23);
    n += 23;
    memcpy(p + n, "bench", 6);
    n += 6;
    p[n++] = 0;                        /* empty auth response */
    put_packet(c, 1, p, n);
}

/* One reply is complete: record it and send the next request. */
static void reply_done(sq_conn *c)
{
    sq *g = c->g;
    double t = now_s();
    if (c->reply_error)
        g->errors++;
    if (g->received < g->max_requests)
        g->lat_ms[g->received] = (float)((t - c->sent) * 1000.0);
    g->received++;
    if (g->received >= g->max_requests) {
        stop(g);
        return;
    }
    send_one(c);
}

static int is_eof(const unsigned char *p, size_t len)
{
    return len > 0 && len < 9 && p[0] == 0xFE;
}

/* Handles one packet; returns -1 on a protocol error. */
static int on_packet(sq_conn *c, const unsigned char *p, size_t len)
{
    switch (c->st) {
    case SQ_GREETING:
        if (len == 0 || p[0] == 0xFF)
            return -1;
        send_handshake(c);
        c->st = SQ_AUTH;
        return 0;
    case SQ_AUTH:
        if (len == 0 || p[0] != 0x00)
            return -1;
        c->st = SQ_IDLE;
        send_one(c);
        return 0;
    case SQ_FIRST:
        if (len == 0)
            return -1;
        if (p[0] == 0x00 || p[0] == 0xFF) {      /* OK (PING) or ERR */
            if (p[0] == 0xFF) {
                c->reply_error = 1;
                if (c->g->errors < 5)
                    fprintf(stderr, "sphinxql_load: server error: %.*s\n",
                            (int)(len > 9 ? len - 9 : 0), (const char *)p + 9);
            }
            reply_done(c);
            return 0;
        }
        /* a column count (length-encoded; Sphinx's fit one byte) */
        c->cols_left = p[0] < 0xFB ? p[0] : 0;
        c->st = SQ_COLDEFS;
        return 0;
    case SQ_COLDEFS:
        if (c->cols_left > 0) {
            c->cols_left--;
            return 0;
        }
        if (!is_eof(p, len))
            return -1;
        c->st = SQ_ROWS;
        return 0;
    case SQ_ROWS:
        if (len > 0 && p[0] == 0xFF) {
            c->reply_error = 1;
            reply_done(c);
            return 0;
        }
        if (is_eof(p, len)) {
            unsigned status = len >= 5 ? (unsigned)(p[3] | (p[4] << 8)) : 0;
            if (status & SQ_MORE_RESULTS)
                c->st = SQ_FIRST;          /* another result set follows */
            else
                reply_done(c);
            return 0;
        }
        return 0;                          /* a row */
    case SQ_IDLE:
        return -1;                         /* nothing was asked */
    }
    return -1;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    sq_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    unsigned char head[4], small[16];
    for (;;) {
        size_t avail = evbuffer_get_length(in);
        if (avail < 4)
            return;
        evbuffer_copyout(in, head, 4);
        size_t len = (size_t)head[0] | ((size_t)head[1] << 8) | ((size_t)head[2] << 16);
        if (avail < 4 + len)
            return;
        evbuffer_drain(in, 4);
        /* Only the first bytes of a packet matter, except an ERR's text. */
        size_t keep = len < sizeof small ? len : sizeof small;
        unsigned char *p = small;
        unsigned char *big = NULL;
        if (len > sizeof small && c->st != SQ_ROWS && c->st != SQ_COLDEFS) {
            big = malloc(len);
            if (big == NULL)
                exit(1);
            p = big;
            keep = len;
        }
        evbuffer_copyout(in, p, keep);
        evbuffer_drain(in, len);
        /* on_packet reads past byte 16 only in SQ_FIRST (an ERR's text),
         * where the whole packet was copied. */
        int rc = on_packet(c, p, len);
        free(big);
        if (rc != 0) {
            if (!c->g->stopping)
                fprintf(stderr, "sphinxql_load: protocol error (state %d)\n", (int)c->st);
            c->g->conn_failed = 1;
            stop(c->g);
            return;
        }
        if (c->g->stopping)
            return;
    }
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    sq_conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (!c->g->stopping) {
            fprintf(stderr, "sphinxql_load: connection %s\n",
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

static int load_lines(sq *g, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "sphinxql_load: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            len--;
        if (len == 0 || buf[0] == '#' || len > 65536)
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            g->lines = realloc(g->lines, alloc * sizeof *g->lines);
            g->line_len = realloc(g->line_len, alloc * sizeof *g->line_len);
            if (!g->lines || !g->line_len)
                return -1;
        }
        g->lines[n] = malloc((size_t)len);
        if (g->lines[n] == NULL)
            return -1;
        memcpy(g->lines[n], buf, (size_t)len);
        g->line_len[n] = (size_t)len;
        n++;
    }
    free(buf);
    fclose(f);
    g->n_lines = n;
    if (n == 0) {
        fprintf(stderr, "sphinxql_load: %s has no statements\n", path);
        return -1;
    }
    return 0;
}

static int resolve(sq *g, const char *spec)
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
    fputs("usage: sphinxql_load --addr HOST:PORT [--conns N] (--ping | --queries FILE)\n"
          "                     [--requests N] [--duration S] [--label TEXT]\n",
          stderr);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"addr", required_argument, NULL, 'a'},     {"conns", required_argument, NULL, 'c'},
        {"ping", no_argument, NULL, 'p'},           {"queries", required_argument, NULL, 'q'},
        {"requests", required_argument, NULL, 'n'}, {"duration", required_argument, NULL, 't'},
        {"label", required_argument, NULL, 'l'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    sq g;
    memset(&g, 0, sizeof g);
    g.conns = 1;
    g.max_requests = 100000;
    g.duration = 10;
    const char *addr = NULL, *queries = NULL, *label = "";
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'a': addr = optarg; break;
        case 'c': g.conns = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'p': g.ping = 1; break;
        case 'q': queries = optarg; break;
        case 'n': g.max_requests = strtoull(optarg, NULL, 10); break;
        case 't': g.duration = strtod(optarg, NULL); break;
        case 'l': label = optarg; break;
        default: usage(); return 2;
        }
    }
    if (addr == NULL || (g.ping == !!queries) || g.conns == 0 || g.conns > 100000 ||
        g.max_requests == 0 || g.max_requests > SQ_REQUESTS_MAX || !(g.duration > 0)) {
        usage();
        return 2;
    }
    if (resolve(&g, addr) != 0) {
        fprintf(stderr, "sphinxql_load: bad address %s\n", addr);
        return 2;
    }
    if (!g.ping && load_lines(&g, queries) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    g.lat_ms = malloc(g.max_requests * sizeof *g.lat_ms);
    g.base = event_base_new();
    sq_conn *cs = calloc(g.conns, sizeof *cs);
    if (!g.lat_ms || !g.base || !cs) {
        fprintf(stderr, "sphinxql_load: out of memory\n");
        return 1;
    }
    g.t0 = now_s();
    for (unsigned i = 0; i < g.conns; i++) {
        sq_conn *k = &cs[i];
        k->g = &g;
        k->next_q = (size_t)i * 7919u;
        k->st = SQ_GREETING;
        k->bev = bufferevent_socket_new(g.base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (k->bev == NULL)
            return 1;
        bufferevent_setcb(k->bev, read_cb, NULL, event_cb, k);
        bufferevent_enable(k->bev, EV_READ | EV_WRITE);
        if (bufferevent_socket_connect(k->bev, (struct sockaddr *)&g.addr, g.addrlen) != 0) {
            fprintf(stderr, "sphinxql_load: cannot connect to %s\n", addr);
            return 1;
        }
    }
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
    printf("%-8s %6u %5u %9llu %6llu %7.2f %9.0f %8.3f %8.3f %8.3f\n", label, g.conns, 1u,
           (unsigned long long)g.received, (unsigned long long)g.errors, secs, qps,
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
