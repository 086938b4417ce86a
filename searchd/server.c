/* searchd/server.c — listeners, signals, start-up, the figures STATS
 * reports and the shutdown sequence (see server.h). */
#include "searchd/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/thread.h>

#include "searchd/limits.h"
#include "searchd/log.h"

/* ---- small helpers ------------------------------------------------------ */

static void sockaddr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN + 1] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, cap, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, cap, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        (void)len;
        snprintf(buf, cap, "unix");
    } else {
        snprintf(buf, cap, "?");
    }
}

/* The client's address without its port, the key of --max-conns-per-ip;
 * "" for a Unix socket (not limited). */
static void sockaddr_host(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
    (void)len;
    buf[0] = '\0';
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
                  (socklen_t)cap);
}

/* ---- STATS ---------------------------------------------------------------- */

/* The executor's stats hook (exec.h), called on the loop: figures the
 * workers and the writer published, and the loop's own counters. */
static void stats_hook(void *ctx, zc_exec_stats *s)
{
    zc_server *srv = ctx;
    const zc_counters *k = &srv->counters;
    zc_idxstat_read(&srv->idxstat, &s->docs, &s->revision);
    zc_idxstat_read_lexicon(&srv->idxstat, &s->synonym_groups, &s->builtin_synonym_groups,
                            &s->user_dict_words);
    s->uptime_s = zc_now() - srv->started;
    s->connections = zc_conns_count(srv->conns);
    s->connections_total = k->conns_total;
    s->queries = k->queries;
    s->gets = k->gets;
    s->writes = k->writes;
    s->requests = k->requests;
    s->timeouts = k->timeouts;
    s->errors = k->errors;
    s->busy = k->busy;
    s->p50_ms = zc_hist_percentile(&k->latency, 50);
    s->p99_ms = zc_hist_percentile(&k->latency, 99);
    s->p999_ms = zc_hist_percentile(&k->latency, 99.9);
    s->workers = srv->n_workers;
    s->writable = srv->writer != NULL;
    s->client_memory = zc_conns_memory(srv->conns);
    s->client_memory_max = srv->client_mem_max;
    s->evicted = k->evicted;
    s->auth_failures = k->auth_failures;
    s->per_ip_refused = k->per_ip_refused;
}

/* ---- accepting ---------------------------------------------------------- */

static const char busy_reply[] =
    "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"too many connections; retry later\"}}\n";

static const char busy_ip_reply[] =
    "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"too many connections from "
    "your address; retry later\"}}\n";

static void accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_server *srv = arg;
    if (srv->stopping)
        return;
    for (size_t i = 0; i < srv->n_listeners; i++)
        evconnlistener_enable(srv->listeners[i]);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    zc_server *srv = arg;
    int e = EVUTIL_SOCKET_ERROR();
    zc_log("accept_error", "error=\"%s\"", evutil_socket_error_to_string(e));
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
        /* The listening socket stays readable: without a pause the loop
         * would spin.  Try again in 100 ms. */
        for (size_t i = 0; i < srv->n_listeners; i++)
            evconnlistener_disable(srv->listeners[i]);
        struct timeval tv = {0, 100000};
        evtimer_add(srv->ev_accept_retry, &tv);
    }
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    (void)l;
    zc_server *srv = arg;
    if (srv->stopping) {
        evutil_closesocket(fd);
        return;
    }
    zc_counters *k = &srv->counters;
    if (zc_conns_count(srv->conns) >= srv->cfg->max_connections) {
        /* One reply written straight to the fresh socket (its buffer is
         * empty, so it fits), then FIN and close. */
        ssize_t w = send(fd, busy_reply, sizeof busy_reply - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        shutdown(fd, SHUT_WR);
        evutil_closesocket(fd);
        k->busy++;
        if (k->busy == 1 || k->busy % 1000 == 0)
            zc_log("busy", "connections=%u max=%u rejected_total=%llu",
                   zc_conns_count(srv->conns), srv->cfg->max_connections,
                   (unsigned long long)k->busy);
        return;
    }
    char peer[96], addr[64] = "";
    sockaddr_text(sa, (socklen_t)salen, peer, sizeof peer);
    sockaddr_host(sa, (socklen_t)salen, addr, sizeof addr);
    if (srv->cfg->max_conns_per_ip > 0 && addr[0] != '\0' &&
        zc_conns_count_addr(srv->conns, addr) >= srv->cfg->max_conns_per_ip) {
        ssize_t w = send(fd, busy_ip_reply, sizeof busy_ip_reply - 1,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        shutdown(fd, SHUT_WR);
        evutil_closesocket(fd);
        k->busy++;
        k->per_ip_refused++;
        if (k->per_ip_refused == 1 || k->per_ip_refused % 1000 == 0)
            zc_log("busy", "addr=%s max_conns_per_ip=%u refused_total=%llu", addr,
                   srv->cfg->max_conns_per_ip, (unsigned long long)k->per_ip_refused);
        return;
    }
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
        /* Replies are whole lines written at once; Nagle would only delay
         * the pipelined ones. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    zc_conns_accept(srv->conns, fd, peer, addr);
}

/* HOST:PORT, [IPv6]:PORT.  Returns 0 or -1 (logged). */
static int listen_tcp(zc_server *srv, const char *spec)
{
    char host[256], port[16];
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) >= sizeof port) {
        zc_log("error", "bad --listen '%s': want HOST:PORT", spec);
        return -1;
    }
    size_t hl = (size_t)(colon - spec);
    const char *h = spec;
    if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
        h = spec + 1;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host) {
        zc_log("error", "bad --listen '%s': want HOST:PORT", spec);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        zc_log("error", "bad --listen '%s': %s", spec, gai_strerror(rc));
        return -1;
    }
    struct evconnlistener *l = evconnlistener_new_bind(
        srv->base, accept_cb, srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 511,
        res->ai_addr, (int)res->ai_addrlen);
    if (l == NULL) {
        zc_log("error", "cannot listen on %s: %s", spec,
               evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    evconnlistener_set_error_cb(l, accept_error_cb);
    srv->listeners[srv->n_listeners++] = l;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char bound[128] = "?";
    if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &sl) == 0)
        sockaddr_text((struct sockaddr *)&ss, sl, bound, sizeof bound);
    zc_log("listening", "tcp %s", bound);
    return 0;
}

static int listen_unix(zc_server *srv, const char *path)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sun.sun_path) {
        zc_log("error", "--unix path too long (max %zu bytes)", sizeof sun.sun_path - 1);
        return -1;
    }
    strcpy(sun.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            zc_log("error", "--unix %s exists and is not a socket", path);
            return -1;
        }
        /* A stale socket from a crashed daemon is replaced; a live one is
         * another daemon's. */
        int probe = socket(AF_UNIX, SOCK_STREAM, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof sun) == 0) {
            close(probe);
            zc_log("error", "--unix %s: another server is listening there", path);
            return -1;
        }
        if (probe >= 0)
            close(probe);
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        zc_log("error", "socket: %s", strerror(errno));
        return -1;
    }
    /* Created with mode 0600 from the start: no window where others could
     * connect. */
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
    umask(old);
    if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 511) != 0) {
        zc_log("error", "cannot listen on unix %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    srv->unix_bound = 1;
    evutil_make_socket_nonblocking(fd);
    struct evconnlistener *l =
        evconnlistener_new(srv->base, accept_cb, srv, LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (l == NULL) {
        close(fd);
        return -1;
    }
    evconnlistener_set_error_cb(l, accept_error_cb);
    srv->listeners[srv->n_listeners++] = l;
    zc_log("listening", "unix %s", path);
    return 0;
}

static void close_listeners(zc_server *srv)
{
    for (size_t i = 0; i < srv->n_listeners; i++)
        evconnlistener_free(srv->listeners[i]);
    srv->n_listeners = 0;
    if (srv->unix_bound) {
        unlink(srv->cfg->unix_path);
        srv->unix_bound = 0;
    }
}

/* ---- signals and shutdown ----------------------------------------------- */

static void maybe_exit(zc_server *srv)
{
    if (srv->stopping && zc_conns_count(srv->conns) == 0)
        event_base_loopexit(srv->base, NULL);
}

/* zc_conns_config.closed: a connection closed. */
static void conn_closed(void *ctx)
{
    maybe_exit(ctx);
}

static void grace_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_server *srv = arg;
    zc_log("shutdown", "grace period over; closing %u connections",
           zc_conns_count(srv->conns));
    zc_conns_kill(srv->conns, "shutdown");
    event_base_loopexit(srv->base, NULL);
}

static void stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    zc_server *srv = arg;
    if (srv->stopping) {
        zc_log("shutdown", "signal=%d again; closing now", (int)sig);
        grace_cb(-1, 0, srv);
        return;
    }
    srv->stopping = 1;
    zc_log("shutdown", "signal=%d connections=%u", (int)sig, zc_conns_count(srv->conns));
    close_listeners(srv);
    zc_conns_stop(srv->conns);
    double grace = srv->cfg->query_timeout + ZC_SD_SHUTDOWN_GRACE_EXTRA_S;
    struct timeval tv = {(time_t)grace, 0};
    evtimer_add(srv->ev_grace, &tv);
    maybe_exit(srv);
}

static void hup_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    zc_server *srv = arg;
    atomic_fetch_add(&srv->gen, 1);   /* every worker reopens before its next job */
    zc_log("reopen", "signal=SIGHUP");
}

/* ---- set-up ------------------------------------------------------------- */

static int read_token(zc_server *srv, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        zc_log("error", "--token-file %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(ZC_SD_TOKEN_MAX + 2);
    size_t n = buf ? fread(buf, 1, ZC_SD_TOKEN_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return -1;
    if (n > ZC_SD_TOKEN_MAX) {
        zc_log("error", "--token-file %s: longer than %u bytes", path, ZC_SD_TOKEN_MAX);
        free(buf);
        return -1;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n == 0 || memchr(buf, '\n', n) || memchr(buf, '\0', n)) {
        zc_log("error", "--token-file %s: want one non-empty line", path);
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    srv->token = buf;
    srv->token_len = n;
    return 0;
}

static void check_fd_limit(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t need = (rlim_t)want + 64;
    if (rl.rlim_cur >= need)
        return;
    rlim_t target = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    rl.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (target < need)
        zc_log("warning", "open-file limit %llu is below --max-connections %u + 64",
               (unsigned long long)target, want);
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* The writer (--writable), the workers, and the dispatcher and connection
 * set between them and the loop.  Returns 0, or -1 after logging why. */
static int start_threads(zc_server *srv)
{
    zc_sd_config *cfg = srv->cfg;
    zc_error err;
    memset(&err, 0, sizeof err);
    if (cfg->writable) {
        zc_writer_config wc = {cfg->index, cfg->commit_interval, &srv->gen, &srv->idxstat};
        zc_status st = zc_writer_start(&wc, &srv->writer, &err);
        if (st != ZC_OK) {
            zc_log("error", "cannot open %s for writing: %s (%s)", cfg->index, err.message,
                   zc_status_name(st));
            return -1;
        }
    }
    zc_workers_config wk = {cfg->index, srv->n_workers, cfg->debug_delay_ms, &srv->gen,
                            &srv->idxstat, cfg->query_timeout, cfg->exact_count};
    zc_status st = zc_workers_start(&wk, &srv->workers, &err);
    if (st != ZC_OK) {
        zc_log("error", "cannot open index %s: %s (%s)", cfg->index, err.message,
               zc_status_name(st));
        return -1;
    }
    zc_dispatch_config dc = {srv->base,     srv->workers,   srv->writer, srv->token,
                             srv->token_len, srv->n_workers, cfg->slow_ms, &srv->counters,
                             stats_hook,    srv};
    srv->dispatch = zc_dispatch_new(&dc);
    zc_conns_config cc = {srv->base,       cfg->max_line, cfg->idle_timeout,
                          cfg->send_timeout, srv->client_mem_max, srv->dispatch,
                          &srv->counters,  conn_closed,   srv};
    srv->conns = srv->dispatch ? zc_conns_new(&cc) : NULL;
    if (srv->conns == NULL) {
        zc_log("error", "out of memory");
        return -1;
    }
    return 0;
}

static int setup_events(zc_server *srv)
{
    srv->ev_grace = evtimer_new(srv->base, grace_cb, srv);
    srv->ev_accept_retry = evtimer_new(srv->base, accept_retry_cb, srv);
    srv->ev_term = evsignal_new(srv->base, SIGTERM, stop_cb, srv);
    srv->ev_int = evsignal_new(srv->base, SIGINT, stop_cb, srv);
    srv->ev_hup = evsignal_new(srv->base, SIGHUP, hup_cb, srv);
    if (!srv->ev_grace || !srv->ev_accept_retry || !srv->ev_term || !srv->ev_int ||
        !srv->ev_hup || evsignal_add(srv->ev_term, NULL) != 0 ||
        evsignal_add(srv->ev_int, NULL) != 0 || evsignal_add(srv->ev_hup, NULL) != 0) {
        zc_log("error", "cannot set up events");
        return -1;
    }
    return 0;
}

static int start_listeners(zc_server *srv)
{
    zc_sd_config *cfg = srv->cfg;
    if (cfg->n_listen == 0) {
        if (listen_tcp(srv, ZC_SD_DEFAULT_LISTEN) != 0)
            return -1;
    } else {
        for (size_t i = 0; i < cfg->n_listen; i++) {
            if (strcmp(cfg->listen[i], "none") == 0)
                continue;
            if (listen_tcp(srv, cfg->listen[i]) != 0)
                return -1;
        }
    }
    if (cfg->unix_path && listen_unix(srv, cfg->unix_path) != 0)
        return -1;
    if (srv->n_listeners == 0) {
        zc_log("error", "nothing to listen on (--listen none and no --unix)");
        return -1;
    }
    return 0;
}

int zc_server_init(zc_server *srv, zc_sd_config *cfg)
{
    memset(srv, 0, sizeof *srv);
    srv->cfg = cfg;
    srv->started = zc_now();
    atomic_init(&srv->gen, 0);

    if (evthread_use_pthreads() != 0) {
        zc_log("error", "libevent has no pthreads support");
        return -1;
    }
    if (zc_idxstat_init(&srv->idxstat) != 0)
        return -1;
    srv->idxstat_ready = 1;
    srv->base = event_base_new();
    if (srv->base == NULL) {
        zc_log("error", "cannot create the event loop");
        return -1;
    }
    if (cfg->token_file && read_token(srv, cfg->token_file) != 0)
        return -1;
    check_fd_limit(cfg->max_connections);
    srv->n_workers = cfg->workers ? cfg->workers : cores();
    if (srv->n_workers > ZC_SD_WORKERS_MAX)
        srv->n_workers = ZC_SD_WORKERS_MAX;
    srv->client_mem_max = cfg->max_client_memory;
    if (srv->client_mem_max == 0) {
        srv->client_mem_max = ZC_SD_CLIENT_MEMORY_DEFAULT;
        if (srv->client_mem_max < 4 * cfg->max_line)
            srv->client_mem_max = 4 * cfg->max_line;
    }
    if (start_threads(srv) != 0 || setup_events(srv) != 0 || start_listeners(srv) != 0)
        return -1;
    uint64_t docs = 0, rev = 0;
    zc_idxstat_read(&srv->idxstat, &docs, &rev);
    zc_log("ready", "pid=%d index=%s docs=%llu revision=%llu workers=%u writable=%d "
                    "auth=%d max_connections=%u max_line=%zu",
           (int)getpid(), cfg->index, (unsigned long long)docs, (unsigned long long)rev,
           srv->n_workers, srv->writer != NULL, srv->token != NULL, cfg->max_connections,
           cfg->max_line);
    return 0;
}

int zc_server_run(zc_server *srv)
{
    event_base_dispatch(srv->base);
    int code = 0;
    /* Every connection is closed now; let the threads finish what they
     * hold, then take their jobs back so the sessions are freed.  A query
     * still running past its own time limit plus the grace (stuck inside
     * Xapian) does not hold the exit: the writer still commits. */
    double wait = srv->cfg->query_timeout + ZC_SD_SHUTDOWN_GRACE_EXTRA_S;
    if (zc_workers_stop(srv->workers, wait) > 0)
        srv->workers_stuck = 1;
    srv->workers = NULL;
    zc_status st = zc_writer_stop(srv->writer);
    srv->writer = NULL;
    if (st != ZC_OK) {
        zc_log("error", "final commit failed (%s)", zc_status_name(st));
        code = 1;
    }
    zc_dispatch_drain(srv->dispatch);
    zc_log("stopped", "requests=%llu queries=%llu connections_total=%llu",
           (unsigned long long)srv->counters.requests,
           (unsigned long long)srv->counters.queries,
           (unsigned long long)srv->counters.conns_total);
    return code;
}

void zc_server_free(zc_server *srv)
{
    if (srv->workers_stuck) {
        /* Threads still run inside a query and hold jobs that point at
         * sessions and at the dispatcher: free nothing they could touch.
         * The process exits next. */
        zc_writer_stop(srv->writer);
        srv->writer = NULL;
        return;
    }
    if (srv->conns)
        zc_conns_kill(srv->conns, "shutdown");
    close_listeners(srv);
    zc_workers_stop(srv->workers, 0);
    srv->workers = NULL;
    zc_writer_stop(srv->writer);
    srv->writer = NULL;
    if (srv->dispatch)
        zc_dispatch_drain(srv->dispatch);
    zc_conns_free(srv->conns);
    srv->conns = NULL;
    zc_dispatch_free(srv->dispatch);
    srv->dispatch = NULL;
    struct event **evs[] = {&srv->ev_grace, &srv->ev_accept_retry, &srv->ev_term,
                            &srv->ev_int, &srv->ev_hup};
    for (size_t i = 0; i < sizeof evs / sizeof *evs; i++) {
        if (*evs[i])
            event_free(*evs[i]);
        *evs[i] = NULL;
    }
    if (srv->base)
        event_base_free(srv->base);
    srv->base = NULL;
    if (srv->token) {
        memset(srv->token, 0, srv->token_len);
        free(srv->token);
        srv->token = NULL;
    }
    if (srv->idxstat_ready)
        zc_idxstat_destroy(&srv->idxstat);
    srv->idxstat_ready = 0;
}
