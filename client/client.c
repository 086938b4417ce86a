/* client/client.c — libzhengce-client, the blocking protocol client (see
 * zc_client.h).  Must never: call into libzhengce (only its types are
 * used), print or exit. */
#include "client/zc_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

struct zc_client {
    int fd;
    int timeout_ms;          /* per operation; -1 = none */
    char *buf;               /* received bytes not yet returned */
    size_t len, cap;
    size_t scanned;          /* bytes of buf known to hold no LF */
};

static zc_status fail(zc_error *err, zc_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static zc_status fail(zc_error *err, zc_status code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        err->field[0] = '\0';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until fd is ready for `events` or the timeout passes: 1 ready,
 * 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        return rc < 0 ? -1 : rc > 0;
    }
}

static zc_status connect_fd(int fd, const struct sockaddr *sa, socklen_t sl,
                            int timeout_ms, const char *addr, zc_error *err)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int rc = connect(fd, sa, sl);
    if (rc != 0 && errno != EINPROGRESS && errno != EAGAIN)
        return fail(err, ZC_EIO, "cannot connect to %s: %s", addr, strerror(errno));
    if (rc != 0) {
        int w = wait_fd(fd, POLLOUT, timeout_ms);
        if (w == 0)
            return fail(err, ZC_ETIMEOUT, "connecting to %s timed out", addr);
        int soerr = 0;
        socklen_t l = sizeof soerr;
        if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0 || soerr != 0)
            return fail(err, ZC_EIO, "cannot connect to %s: %s", addr,
                        strerror(soerr ? soerr : errno));
    }
    /* Non-blocking from here on; every send and receive polls first. */
    return ZC_OK;
}

ZC_API zc_status zc_client_connect(const char *addr, double timeout_s, zc_client **out,
                            zc_error *err)
{
    *out = NULL;
    if (addr == NULL || *addr == '\0')
        return fail(err, ZC_EINVAL, "empty server address");
    int timeout_ms = timeout_s > 0 ? (int)(timeout_s * 1000 + 0.5) : -1;
    int fd = -1;
    zc_status st;
    if (strchr(addr, '/') != NULL) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        if (strlen(addr) >= sizeof sun.sun_path)
            return fail(err, ZC_EINVAL, "socket path too long: %s", addr);
        strcpy(sun.sun_path, addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return fail(err, ZC_EIO, "socket: %s", strerror(errno));
        st = connect_fd(fd, (struct sockaddr *)&sun, sizeof sun, timeout_ms, addr, err);
    } else {
        const char *colon = strrchr(addr, ':');
        if (colon == NULL || colon == addr || colon[1] == '\0')
            return fail(err, ZC_EINVAL, "bad server address '%s': want HOST:PORT", addr);
        char host[256];
        size_t hl = (size_t)(colon - addr);
        const char *h = addr;
        if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
            h++;
            hl -= 2;
        }
        if (hl == 0 || hl >= sizeof host)
            return fail(err, ZC_EINVAL, "bad server address '%s': want HOST:PORT", addr);
        memcpy(host, h, hl);
        host[hl] = '\0';
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        int rc = getaddrinfo(host, colon + 1, &hints, &res);
        if (rc != 0)
            return fail(err, ZC_EINVAL, "bad server address '%s': %s", addr, gai_strerror(rc));
        st = ZC_EIO;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0)
                continue;
            st = connect_fd(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms, addr, err);
            if (st == ZC_OK)
                break;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    if (st != ZC_OK) {
        if (fd >= 0)
            close(fd);
        return st;
    }
    zc_client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return fail(err, ZC_ENOMEM, "out of memory");
    }
    c->fd = fd;
    c->timeout_ms = timeout_ms;
    *out = c;
    return ZC_OK;
}

static zc_status send_all(zc_client *c, const char *p, size_t n, zc_error *err)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(c->fd, POLLOUT, c->timeout_ms);
            if (r == 0)
                return fail(err, ZC_ETIMEOUT, "sending to the server timed out");
            if (r < 0)
                return fail(err, ZC_EIO, "poll: %s", strerror(errno));
            continue;
        }
        return fail(err, ZC_EIO, "sending to the server failed: %s",
                    w < 0 ? strerror(errno) : "no progress");
    }
    return ZC_OK;
}

ZC_API zc_status zc_client_send(zc_client *c, const char *line, size_t len, zc_error *err)
{
    if (memchr(line, '\n', len) != NULL)
        return fail(err, ZC_EINVAL, "a request cannot contain a newline");
    zc_status st = send_all(c, line, len, err);
    return st == ZC_OK ? send_all(c, "\n", 1, err) : st;
}

ZC_API zc_status zc_client_recv(zc_client *c, char **reply, size_t *rlen, zc_error *err)
{
    *reply = NULL;
    *rlen = 0;
    double deadline = c->timeout_ms >= 0 ? now_s() + c->timeout_ms / 1000.0 : 0;
    for (;;) {
        char *lf = c->len > c->scanned ? memchr(c->buf + c->scanned, '\n', c->len - c->scanned)
                                       : NULL;
        if (lf != NULL) {
            size_t n = (size_t)(lf - c->buf);
            char *r = malloc(n + 1);
            if (r == NULL)
                return fail(err, ZC_ENOMEM, "out of memory");
            memcpy(r, c->buf, n);
            r[n] = '\0';
            memmove(c->buf, lf + 1, c->len - n - 1);
            c->len -= n + 1;
            c->scanned = 0;
            *reply = r;
            *rlen = n;
            return ZC_OK;
        }
        c->scanned = c->len;
        if (c->len >= ZC_CLIENT_REPLY_MAX)
            return fail(err, ZC_ETOOLONG, "reply longer than %u bytes", ZC_CLIENT_REPLY_MAX);
        if (c->cap - c->len < 65536) {
            size_t ncap = c->cap ? c->cap * 2 : 131072;
            char *nb = realloc(c->buf, ncap);
            if (nb == NULL)
                return fail(err, ZC_ENOMEM, "out of memory");
            c->buf = nb;
            c->cap = ncap;
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r > 0) {
            c->len += (size_t)r;
            continue;
        }
        if (r == 0)
            return fail(err, ZC_EIO, "the server closed the connection");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return fail(err, ZC_EIO, "receiving from the server failed: %s", strerror(errno));
        int left = -1;
        if (deadline > 0) {
            double l = deadline - now_s();
            if (l <= 0)
                return fail(err, ZC_ETIMEOUT, "no reply from the server in time");
            left = (int)(l * 1000) + 1;
        }
        int w = wait_fd(c->fd, POLLIN, left);
        if (w == 0)
            return fail(err, ZC_ETIMEOUT, "no reply from the server in time");
        if (w < 0)
            return fail(err, ZC_EIO, "poll: %s", strerror(errno));
    }
}

ZC_API zc_status zc_client_request(zc_client *c, const char *line, size_t len,
                            char **reply, size_t *reply_len, zc_error *err)
{
    *reply = NULL;
    *reply_len = 0;
    zc_status st = zc_client_send(c, line, len, err);
    if (st != ZC_OK)
        return st;
    return zc_client_recv(c, reply, reply_len, err);
}

ZC_API void zc_client_close(zc_client *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c->buf);
    free(c);
}
