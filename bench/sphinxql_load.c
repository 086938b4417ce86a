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
 * 2 for usage.  Owns only its sockets and buffers.  The loop, the options
 * and the output are bench/loadloop.h's, shared with bench/loadgen.c; this
 * file is the protocol. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadloop.h"

#define SQ_PACKET_MAX (16u << 20)       /* longer packets are a protocol error here */
#define SQ_LINE_MAX 65536u              /* longer statements are skipped */
#define SQ_MORE_RESULTS 0x0008u

typedef enum sq_state {
    SQ_GREETING,      /* waiting for the server's handshake */
    SQ_AUTH,          /* sent the handshake response, waiting for OK */
    SQ_FIRST,         /* a request is out: OK, ERR or a column count */
    SQ_COLDEFS,       /* column definitions, then an EOF */
    SQ_ROWS,          /* rows until an EOF (or ERR) */
    SQ_IDLE
} sq_state;

typedef struct sq_conn {
    ll_conn base;     /* first: the generator's part */
    sq_state st;
    uint64_t cols_left;
    int reply_error;
} sq_conn;

static void put_packet(sq_conn *c, unsigned seq, const void *payload, size_t len)
{
    unsigned char h[4] = {(unsigned char)(len & 0xFF), (unsigned char)((len >> 8) & 0xFF),
                          (unsigned char)((len >> 16) & 0xFF), (unsigned char)seq};
    bufferevent_write(c->base.bev, h, 4);
    bufferevent_write(c->base.bev, payload, len);
}

static void sq_conn_init(ll_conn *k)
{
    ((sq_conn *)k)->st = SQ_GREETING;
}

/* COM_QUERY with the statement, or COM_PING. */
static void sq_write(ll_conn *k, const char *line, size_t len)
{
    sq_conn *c = (sq_conn *)k;
    static unsigned char buf[1 + SQ_LINE_MAX];
    if (line == NULL) {
        buf[0] = 0x0E;                 /* COM_PING */
        put_packet(c, 0, buf, 1);
    } else {
        buf[0] = 0x03;                 /* COM_QUERY */
        memcpy(buf + 1, line, len);
        put_packet(c, 0, buf, 1 + len);
    }
    c->st = SQ_FIRST;
    c->reply_error = 0;
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

/* One reply is complete: the generator records it and sends the next
 * request (which makes the state SQ_FIRST again), unless the run is over. */
static void reply_done(sq_conn *c)
{
    c->st = SQ_IDLE;
    ll_reply(&c->base, c->reply_error);
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
        ll_send(&c->base);
        return 0;
    case SQ_FIRST:
        if (len == 0)
            return -1;
        if (p[0] == 0x00 || p[0] == 0xFF) {      /* OK (PING) or ERR */
            if (p[0] == 0xFF) {
                c->reply_error = 1;
                if (c->base.g->errors < 5)
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

/* One packet: 1 when one was handled, 0 when in holds none complete, -1 on
 * a protocol error. */
static int sq_on_input(ll_conn *k, struct evbuffer *in)
{
    sq_conn *c = (sq_conn *)k;
    unsigned char head[4], small[16];
    size_t avail = evbuffer_get_length(in);
    if (avail < 4)
        return 0;
    evbuffer_copyout(in, head, 4);
    size_t len = (size_t)head[0] | ((size_t)head[1] << 8) | ((size_t)head[2] << 16);
    if (avail < 4 + len)
        return 0;
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
        if (!k->g->stopping)
            fprintf(stderr, "sphinxql_load: protocol error (state %d)\n", (int)c->st);
        return -1;
    }
    return 1;
}

static const ll_proto sq_proto = {
    .name = "sphinxql_load",
    .usage = "usage: sphinxql_load --addr HOST:PORT [--conns N] (--ping | --queries FILE)\n"
             "                     [--requests N] [--duration S] [--label TEXT]\n",
    .noun = "statements",
    .conn_size = sizeof(sq_conn),
    .options = 0,                      /* one request outstanding: strict request-reply */
    .append_lf = 0,
    .max_line = SQ_LINE_MAX,
    .handshake = 1,
    .conn_init = sq_conn_init,
    .write = sq_write,
    .on_input = sq_on_input,
};

int main(int argc, char **argv)
{
    return ll_main(&sq_proto, argc, argv);
}
