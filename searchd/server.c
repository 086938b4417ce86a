/* searchd/server.c — listeners, signals, the wake-up from worker threads,
 * STATS and the shutdown sequence (see server.h). */
#include "server.h"

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

#include "conn.h"
#include "limits.h"
#include "log.h"

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

int zc_server_token_ok(const zc_server *srv, const char *tok, size_t len)
{
    if (srv->token == NULL)
        return 1;
    /* Constant time in the token's content: every byte of the given token
     * is compared, whatever matched before; only its length shows. */
    const unsigned char *a = (const unsigned char *)srv->token;
    const unsigned char *b = (const unsigned char *)tok;
    volatile unsigned char diff = (unsigned char)(len != srv->token_len);
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(a[i % srv->token_len] ^ b[i]);
    return diff == 0;
}

void zc_server_log_auth_failure(zc_server *srv, uint64_t conn_id, const char *peer)
{
    srv->auth_failures++;
    double now = zc_now();
    if (srv->auth_log_at > 0 && now - srv->auth_log_at < ZC_SD_AUTH_LOG_EVERY_S) {
        srv->auth_log_suppressed++;
        return;
    }
    zc_log("auth_failed", "id=%llu peer=%s suppressed=%llu", (unsigned long long)conn_id,
           peer, (unsigned long long)srv->auth_log_suppressed);
    srv->auth_log_at = now;
    srv->auth_log_suppressed = 0;
}

/* ---- STATS -------------------------------------------------------------- */

char *zc_server_stats_line(zc_server *srv, size_t *len)
{
    uint64_t docs = 0, rev = 0;
    zc_idxstat_read(&srv->idxstat, &docs, &rev);
    double up = zc_now() - srv->started;
    json_t *o = json_pack(
        "{s:b,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:f,s:f,s:f},s:I,s:b,s:s}",
        "ok", 1, "docs", (json_int_t)docs, "revision", (json_int_t)rev, "uptime_s",
        (double)(long long)(up * 10) / 10.0, "connections", (json_int_t)srv->n_conns,
        "connections_total", (json_int_t)srv->conns_total, "queries",
        (json_int_t)srv->queries, "gets", (json_int_t)srv->gets, "writes",
        (json_int_t)srv->writes, "requests", (json_int_t)srv->requests, "timeouts",
        (json_int_t)srv->timeouts, "errors", (json_int_t)srv->errors, "busy",
        (json_int_t)srv->busy, "latency_ms", "p50",
        zc_hist_percentile(&srv->latency, 50), "p99",
        zc_hist_percentile(&srv->latency, 99), "p999",
        zc_hist_percentile(&srv->latency, 99.9), "workers", (json_int_t)srv->n_workers,
        "writable", srv->writer != NULL, "version", zc_version());
    if (o == NULL)
        return NULL;
    /* Defences against hostile clients (docs/security.md). */
    json_t *d = json_pack("{s:I,s:I,s:I,s:I,s:I}", "client_memory",
                          (json_int_t)srv->client_mem, "client_memory_max",
                          (json_int_t)srv->client_mem_max, "evicted", (json_int_t)srv->evicted,
                          "auth_failures", (json_int_t)srv->auth_failures, "per_ip_refused",
                          (json_int_t)srv->per_ip_refused);
    if (d == NULL || json_object_update(o, d) != 0) {
        json_decref(d);
        json_decref(o);
        return NULL;
    }
    json_decref(d);
    char *line = zc_proto_dump_line(o, len);
    json_decref(o);
    return line;
}

static int build_help(zc_server *srv)
{
    json_t *verbs = json_array();
    size_t n;
    const zc_verb_info *v = zc_proto_verbs(&n);
    for (size_t i = 0; verbs && i < n; i++)
        json_array_append_new(verbs, json_string(v[i].name));
    json_t *o = verbs ? json_pack("{s:b,s:o}", "ok", 1, "verbs", verbs) : NULL;
    if (o == NULL)
        return -1;
    srv->help_line = zc_proto_dump_line(o, &srv->help_len);
    json_decref(o);
    return srv->help_line ? 0 : -1;
}

/* ---- jobs coming back --------------------------------------------------- */

/* Worker and writer threads: queue the job, wake the loop. */
static void job_done(void *ctx, zc_job *job)
{
    zc_server *srv = ctx;
    zc_jobq_push(&srv->done, job);
    event_active(srv->ev_wake, EV_READ, 0);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_server *srv = arg;
    zc_job *j = zc_jobq_take_all(&srv->done);
    double now = zc_now();
    while (j) {
        zc_job *next = j->next;
        j->next = NULL;
        double ms = (now - j->t_dispatch) * 1000.0;
        if (j->timed_out)
            srv->timeouts++;
        if (j->reply_len > 12 && memcmp(j->reply, "{\"ok\":false", 11) == 0) {
            srv->errors++;
            static const char internal[] = "{\"ok\":false,\"error\":{\"code\":\"internal\"";
            if (j->reply_len > sizeof internal &&
                memcmp(j->reply, internal, sizeof internal - 1) == 0)
                zc_log("internal_error", "verb=%s reply=%.*s", j->verb->name,
                       (int)(j->reply_len > 400 ? 400 : j->reply_len - 1), j->reply);
        }
        if (j->verb->verb == ZC_VERB_SEARCH) {
            srv->queries++;
            zc_hist_record(&srv->latency, ms);
        } else if (j->verb->verb == ZC_VERB_GET) {
            srv->gets++;
        }
        if (ms >= srv->cfg->slow_ms && j->verb->verb == ZC_VERB_SEARCH) {
            char echo[ZC_SD_ECHO_MAX * 4 + 16];
            zc_log("slow_query", "ms=%.1f timeout=%d q=%s", ms, j->timed_out,
                   zc_log_echo(echo, sizeof echo, j->arg, j->arg_len));
        }
        zc_conn_job_done(j);
        j = next;
    }
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
    if (srv->n_conns >= srv->cfg->max_connections) {
        /* One reply written straight to the fresh socket (its buffer is
         * empty, so it fits), then FIN and close. */
        ssize_t w = send(fd, busy_reply, sizeof busy_reply - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        shutdown(fd, SHUT_WR);
        evutil_closesocket(fd);
        srv->busy++;
        if (srv->busy == 1 || srv->busy % 1000 == 0)
            zc_log("busy", "connections=%u max=%u rejected_total=%llu", srv->n_conns,
                   srv->cfg->max_connections, (unsigned long long)srv->busy);
        return;
    }
    char peer[96], addr[64] = "";
    sockaddr_text(sa, (socklen_t)salen, peer, sizeof peer);
    sockaddr_host(sa, (socklen_t)salen, addr, sizeof addr);
    if (srv->cfg->max_conns_per_ip > 0 && addr[0] != '\0' &&
        zc_conn_count_addr(srv, addr) >= srv->cfg->max_conns_per_ip) {
        ssize_t w = send(fd, busy_ip_reply, sizeof busy_ip_reply - 1,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        shutdown(fd, SHUT_WR);
        evutil_closesocket(fd);
        srv->busy++;
        srv->per_ip_refused++;
        if (srv->per_ip_refused == 1 || srv->per_ip_refused % 1000 == 0)
            zc_log("busy", "addr=%s max_conns_per_ip=%u refused_total=%llu", addr,
                   srv->cfg->max_conns_per_ip, (unsigned long long)srv->per_ip_refused);
        return;
    }
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
        /* Replies are whole lines written at once; Nagle would only delay
         * the pipelined ones. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    zc_conn_new(srv, fd, peer, addr);
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
    if (srv->stopping && srv->n_conns == 0)
        event_base_loopexit(srv->base, NULL);
}

void zc_server_conn_closed(zc_server *srv)
{
    srv->n_conns--;
    maybe_exit(srv);
}

static void grace_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_server *srv = arg;
    zc_log("shutdown", "grace period over; closing %u connections", srv->n_conns);
    while (srv->conns)
        zc_conn_kill(srv->conns, "shutdown");
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
    zc_log("shutdown", "signal=%d connections=%u", (int)sig, srv->n_conns);
    close_listeners(srv);
    for (zc_conn *c = srv->conns, *n; c; c = n) {
        n = zc_conn_next(c);
        zc_conn_stop(c);
    }
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

int zc_server_init(zc_server *srv, zc_sd_config *cfg)
{
    memset(srv, 0, sizeof *srv);
    srv->cfg = cfg;
    srv->started = zc_now();
    atomic_init(&srv->gen, 0);
    zc_error err;
    memset(&err, 0, sizeof err);

    if (evthread_use_pthreads() != 0) {
        zc_log("error", "libevent has no pthreads support");
        return -1;
    }
    if (zc_jobq_init(&srv->done) != 0)
        return -1;
    srv->done_ready = 1;
    if (zc_idxstat_init(&srv->idxstat) != 0)
        return -1;
    srv->idxstat_ready = 1;
    srv->base = event_base_new();
    if (srv->base == NULL || build_help(srv) != 0) {
        zc_log("error", "cannot create the event loop");
        return -1;
    }
    if (cfg->token_file && read_token(srv, cfg->token_file) != 0)
        return -1;
    check_fd_limit(cfg->max_connections);

    if (cfg->writable) {
        zc_writer_config wc = {cfg->index, cfg->commit_interval, &srv->gen, job_done, srv,
                               &srv->idxstat};
        zc_status st = zc_writer_start(&wc, &srv->writer, &err);
        if (st != ZC_OK) {
            zc_log("error", "cannot open %s for writing: %s (%s)", cfg->index, err.message,
                   zc_status_name(st));
            return -1;
        }
    }
    srv->n_workers = cfg->workers ? cfg->workers : cores();
    if (srv->n_workers > ZC_SD_WORKERS_MAX)
        srv->n_workers = ZC_SD_WORKERS_MAX;
    srv->conn_inflight_max = ZC_SD_CONN_INFLIGHT_MAX ? ZC_SD_CONN_INFLIGHT_MAX : srv->n_workers;
    srv->reads_max = ZC_SD_READS_PER_WORKER * srv->n_workers;
    srv->client_mem_max = cfg->max_client_memory;
    if (srv->client_mem_max == 0) {
        srv->client_mem_max = ZC_SD_CLIENT_MEMORY_DEFAULT;
        if (srv->client_mem_max < 4 * cfg->max_line)
            srv->client_mem_max = 4 * cfg->max_line;
    }
    zc_workers_config wk = {cfg->index,   srv->n_workers, cfg->debug_delay_ms, &srv->gen,
                            job_done,     srv,            &srv->idxstat,
                            cfg->query_timeout};
    zc_status st = zc_workers_start(&wk, &srv->workers, &err);
    if (st != ZC_OK) {
        zc_log("error", "cannot open index %s: %s (%s)", cfg->index, err.message,
               zc_status_name(st));
        return -1;
    }

    srv->ev_wake = event_new(srv->base, -1, 0, wake_cb, srv);
    srv->ev_grace = evtimer_new(srv->base, grace_cb, srv);
    srv->ev_accept_retry = evtimer_new(srv->base, accept_retry_cb, srv);
    srv->ev_term = evsignal_new(srv->base, SIGTERM, stop_cb, srv);
    srv->ev_int = evsignal_new(srv->base, SIGINT, stop_cb, srv);
    srv->ev_hup = evsignal_new(srv->base, SIGHUP, hup_cb, srv);
    if (!srv->ev_wake || !srv->ev_grace || !srv->ev_accept_retry || !srv->ev_term ||
        !srv->ev_int || !srv->ev_hup || evsignal_add(srv->ev_term, NULL) != 0 ||
        evsignal_add(srv->ev_int, NULL) != 0 || evsignal_add(srv->ev_hup, NULL) != 0) {
        zc_log("error", "cannot set up events");
        return -1;
    }

    int tcp = 1;
    if (cfg->n_listen == 0) {
        if (listen_tcp(srv, ZC_SD_DEFAULT_LISTEN) != 0)
            return -1;
    } else {
        for (size_t i = 0; i < cfg->n_listen; i++) {
            if (strcmp(cfg->listen[i], "none") == 0) {
                tcp = 0;
                continue;
            }
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
    (void)tcp;
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
     * hold, then give their jobs back so the connections are freed.  A
     * query still running past its own time limit plus the grace (stuck
     * inside Xapian) does not hold the exit: the writer still commits. */
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
    zc_job *j = zc_jobq_take_all(&srv->done);
    while (j) {
        zc_job *next = j->next;
        j->next = NULL;
        zc_conn_job_done(j);
        j = next;
    }
    zc_log("stopped", "requests=%llu queries=%llu connections_total=%llu",
           (unsigned long long)srv->requests, (unsigned long long)srv->queries,
           (unsigned long long)srv->conns_total);
    return code;
}

void zc_server_free(zc_server *srv)
{
    if (srv->workers_stuck) {
        /* Threads still run inside a query and hold jobs that point at
         * connections and at this server: free nothing they could touch.
         * The process exits next. */
        zc_writer_stop(srv->writer);
        srv->writer = NULL;
        return;
    }
    while (srv->conns)
        zc_conn_kill(srv->conns, "shutdown");
    close_listeners(srv);
    zc_workers_stop(srv->workers, 0);
    srv->workers = NULL;
    zc_writer_stop(srv->writer);
    srv->writer = NULL;
    zc_job *j = srv->done_ready ? zc_jobq_take_all(&srv->done) : NULL;
    while (j) {
        zc_job *next = j->next;
        j->next = NULL;
        zc_conn_job_done(j);
        j = next;
    }
    struct event **evs[] = {&srv->ev_wake, &srv->ev_grace, &srv->ev_accept_retry,
                            &srv->ev_term, &srv->ev_int, &srv->ev_hup};
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
    free(srv->help_line);
    srv->help_line = NULL;
    if (srv->done_ready)
        zc_jobq_destroy(&srv->done);
    srv->done_ready = 0;
    if (srv->idxstat_ready)
        zc_idxstat_destroy(&srv->idxstat);
    srv->idxstat_ready = 0;
}
