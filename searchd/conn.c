/* searchd/conn.c — the line protocol's transport (see conn.h).
 *
 * Every entry point (bufferevent callbacks, the timer, a reply coming back
 * from the dispatcher, a shutdown) follows the same shape: hold the
 * connection, change state, call progress(), release.  progress() is the
 * one place that moves requests along: let the dispatcher start what may
 * start, write finished replies in order, parse more input if nothing says
 * pause, and decide whether to read, close or linger.  Holding the
 * connection (in_cb) keeps it from being freed while a callback still uses
 * it; it is freed once it is closed and no callback runs on it (jobs still
 * held by a thread belong to the dispatcher's session, which outlives it). */
#include "searchd/conn.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "searchd/limits.h"
#include "protocol/proto.h"
#include "protocol/reply.h"
#include "searchd/jobs.h"
#include "searchd/log.h"

typedef enum conn_state { CS_OPEN, CS_CLOSING, CS_LINGER, CS_CLOSED } conn_state;

typedef struct zc_conn zc_conn;

/* The place of one request's reply in the output order. */
typedef struct zc_slot {
    struct zc_slot *next;
    char *reply;          /* the reply's JSON, no LF, NUL-terminated; owned
                           * unless is_static */
    size_t len;           /* bytes of reply */
    int is_static;
    int done;             /* the reply is ready */
    int close_after;      /* close the connection once this is written */
    size_t arg_len;       /* argument bytes the dispatcher holds for it */
} zc_slot;

struct zc_conns {
    zc_conns_config cfg;
    struct zc_conn *conns;           /* open connections, a list */
    unsigned n;
    uint64_t next_id;
    size_t client_mem;               /* bytes held for all clients */
    size_t freed_since_trim;         /* client bytes freed since malloc_trim */
    int enforcing;                   /* closing clients for memory */
    int stopping;                    /* zc_conns_stop was called */
};

struct zc_conn {
    zc_conns *cs;
    struct zc_conn *prev, *next;     /* cs->conns list */
    struct bufferevent *bev;         /* owned; NULL once closed */
    evutil_socket_t fd;
    uint64_t id;
    char peer[96];
    conn_state state;
    int eof;                 /* the client half-closed */
    zc_proto_framer fr;
    zc_dispatch_session *sess;       /* owned; NULL once closed */
    zc_slot *s_head, *s_tail;        /* replies not yet written */
    unsigned n_slots;
    size_t arg_bytes;        /* argument bytes of requests not yet answered */
    size_t ready_bytes;      /* finished replies (with their LF) waiting
                              * behind an earlier one */
    unsigned in_cb;          /* callbacks on the stack */
    unsigned in_progress;    /* progress() on the stack */
    struct event *timer;     /* idle and send timeouts, then linger timeout */
    double last_active;
    size_t linger_bytes;
    char addr[64];           /* client address without port ("" for Unix) */
    size_t mem;              /* bytes counted in cs->client_mem */
    uint64_t out_added;      /* bytes ever put in the output buffer */
    uint64_t out_taken_seen; /* bytes taken by the client at the last check */
    double last_take;        /* zc_now() when the client last took output */
};

static void progress(zc_conn *c);
static void arm_timer(zc_conn *c, double s);
static size_t account(zc_conn *c);
static void memory_freed(zc_conns *cs, size_t bytes);

/* ---- life cycle --------------------------------------------------------- */

static void free_slots(zc_conn *c)
{
    for (zc_slot *s = c->s_head, *n; s; s = n) {
        n = s->next;
        if (!s->is_static)
            free(s->reply);
        c->arg_bytes -= s->arg_len;
        free(s);
    }
    c->s_head = c->s_tail = NULL;
    c->n_slots = 0;
    c->ready_bytes = 0;
}

static void conn_close(zc_conn *c, const char *why)
{
    if (c->state == CS_CLOSED)
        return;
    c->state = CS_CLOSED;
    if (zc_log_verbose || (why && strcmp(why, "quit") && strcmp(why, "eof") &&
                           strcmp(why, "idle") && strcmp(why, "shutdown")))
        zc_log("conn_close", "id=%llu peer=%s why=%s", (unsigned long long)c->id,
               c->peer, why ? why : "-");
    /* Before the slots go: the session's held requests name them. */
    zc_dispatch_close(c->sess);
    c->sess = NULL;
    if (c->bev) {
        /* libevent frees a bufferevent's buffers later, from the loop
         * (deferred finalizers); emptied now, their memory is free when
         * memory_freed below decides to give it back. */
        struct evbuffer *in = bufferevent_get_input(c->bev);
        struct evbuffer *out = bufferevent_get_output(c->bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        evbuffer_drain(out, evbuffer_get_length(out));
        bufferevent_free(c->bev);     /* BEV_OPT_CLOSE_ON_FREE closes fd */
        c->bev = NULL;
    }
    if (c->timer) {
        event_free(c->timer);
        c->timer = NULL;
    }
    free_slots(c);
    account(c);                      /* counts what this connection held as freed */
    zc_conns *cs = c->cs;
    if (c->prev)
        c->prev->next = c->next;
    else
        cs->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    cs->n--;
    if (cs->cfg.closed)
        cs->cfg.closed(cs->cfg.ctx);
}

/* ---- memory held for clients ------------------------------------------ */

/* Gives freed memory back to the system once enough client memory has been
 * freed (account() counts every decrease: lines consumed or dropped,
 * replies taken, connections closed): the buffers were made on the loop's
 * and the workers' malloc arenas, which would otherwise keep it (300
 * clients each holding a 1 MiB partial line left the daemon 303 MiB larger
 * after they closed).  8 MiB: a busy daemon trims once per 8 MiB of
 * replies served, and keeps at most that much more than it needs. */
#define TRIM_AFTER_BYTES (8u * 1024u * 1024u)

static void memory_freed(zc_conns *cs, size_t bytes)
{
    cs->freed_since_trim += bytes;
#ifdef __GLIBC__
    if (cs->freed_since_trim >= TRIM_AFTER_BYTES) {
        cs->freed_since_trim = 0;
        malloc_trim(0);
    }
#endif
}

static void hold(zc_conn *c)
{
    c->in_cb++;
}

static void enforce_memory(zc_conns *cs);

/* Ends a callback; frees the connection when nothing needs it any more.
 * The outermost callback also brings the memory count up to date and
 * holds every client to the shared budget. */
static void release(zc_conn *c)
{
    zc_conns *cs = c->cs;
    if (c->in_cb == 1 && c->state != CS_CLOSED) {
        account(c);
        if (cs->client_mem > cs->cfg.client_mem_max)
            enforce_memory(cs);
    }
    c->in_cb--;
    if (c->state == CS_CLOSED && c->in_cb == 0)
        free(c);
}

/* ---- output ------------------------------------------------------------- */

static size_t out_pending(const zc_conn *c)
{
    return evbuffer_get_length(bufferevent_get_output(c->bev)) + c->ready_bytes;
}

/* Bytes this connection holds in the daemon: buffered input (an
 * unfinished line), queued request arguments, finished replies waiting and
 * output not yet taken. */
static size_t conn_mem(const zc_conn *c)
{
    if (c->bev == NULL)
        return 0;
    return evbuffer_get_length(bufferevent_get_input(c->bev)) + c->arg_bytes + out_pending(c);
}

/* Brings cs->client_mem up to date for c; returns c's share. */
static size_t account(zc_conn *c)
{
    size_t m = c->state == CS_CLOSED ? 0 : conn_mem(c);
    c->cs->client_mem = c->cs->client_mem - c->mem + m;
    if (m < c->mem)
        memory_freed(c->cs, c->mem - m);
    c->mem = m;
    return m;
}

static int must_pause(const zc_conn *c)
{
    return c->n_slots >= ZC_SD_PIPELINE_MAX || c->arg_bytes >= ZC_SD_PIPELINE_BYTES_MAX ||
           out_pending(c) >= ZC_SD_OUTPUT_PAUSE;
}

static void free_reply_cb(const void *data, size_t len, void *extra)
{
    (void)len;
    (void)extra;
    free((void *)data);
}

static zc_slot *new_slot(zc_conn *c)
{
    zc_slot *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (c->s_tail)
        c->s_tail->next = s;
    else
        c->s_head = s;
    c->s_tail = s;
    c->n_slots++;
    return s;
}

/* Makes r's body the slot's reply (the slot takes it). */
static void slot_set(zc_conn *c, zc_slot *s, zc_reply *r)
{
    if (r->code != ZC_REPLY_OK)
        c->cs->cfg.counters->errors++;
    if (r->body == NULL)
        zc_reply_oom(r);
    s->reply = zc_reply_take(r, &s->len, &s->is_static);
    s->done = 1;
    c->ready_bytes += s->len + 1;
    c->arg_bytes -= s->arg_len;
    s->arg_len = 0;
}

/* The transport's own error replies (parse errors, line_too_long, busy). */
static void slot_error(zc_conn *c, zc_slot *s, zc_reply_code code, const char *msg)
{
    zc_reply r;
    zc_reply_init(&r);
    zc_reply_error(&r, code, msg);
    slot_set(c, s, &r);
}

/* Moves finished replies at the head of the order into the output buffer.
 * Drops the client if what it has not taken exceeds the hard bound. */
static void flush_slots(zc_conn *c)
{
    if (c->state == CS_CLOSED || c->bev == NULL)
        return;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (c->s_head && c->s_head->done && evbuffer_get_length(out) == 0 &&
        c->cs->cfg.send_timeout > 0) {
        /* The client owes us nothing until now: the send timeout starts.
         * The timer goes off at the nearer of it and the idle timeout;
         * timer_cb re-arms it for whichever remains. */
        double now = zc_now(), next = c->cs->cfg.send_timeout;
        double idle = c->cs->cfg.idle_timeout;
        c->last_take = now;
        c->out_taken_seen = c->out_added;
        if (idle > 0 && idle - (now - c->last_active) < next)
            next = idle - (now - c->last_active);
        arm_timer(c, next > 0.001 ? next : 0.001);
    }
    while (c->s_head && c->s_head->done) {
        zc_slot *s = c->s_head;
        /* More than the hard bound not taken by the client, and yet another
         * reply: drop it.  A single reply larger than the bound still goes
         * to a client that reads. */
        if (evbuffer_get_length(out) > ZC_SD_OUTPUT_MAX) {
            conn_close(c, "output_limit");
            return;
        }
        /* The line protocol's framing: the reply, then LF.  An owned body
         * ends in its NUL, which becomes the LF, so the reply stays one
         * reference chain (a separate 1-byte add would cost a chain of
         * its own per reply); a static one is copied. */
        int rc;
        if (s->is_static) {
            rc = evbuffer_add(out, s->reply, s->len);
            if (rc == 0)
                rc = evbuffer_add(out, "\n", 1);
        } else {
            s->reply[s->len] = '\n';
            rc = evbuffer_add_reference(out, s->reply, s->len + 1, free_reply_cb, NULL);
            if (rc == 0)
                s->reply = NULL;         /* the evbuffer owns it now */
        }
        if (rc != 0) {
            conn_close(c, "out_of_memory");
            return;
        }
        c->out_added += s->len + 1;
        c->ready_bytes -= s->len + 1;
        c->s_head = s->next;
        if (c->s_head == NULL)
            c->s_tail = NULL;
        c->n_slots--;
        if (s->close_after && c->state == CS_OPEN)
            c->state = CS_CLOSING;
        free(s);
    }
}

/* ---- replies from the dispatcher ------------------------------------- */

/* Forgets every request after slot s: the dispatcher dropped them unstarted,
 * so their slots hold no reply yet. */
static void drop_after(zc_conn *c, zc_slot *s)
{
    for (zc_slot *x = s->next, *n; x; x = n) {
        n = x->next;
        c->arg_bytes -= x->arg_len;
        free(x);
        c->n_slots--;
    }
    s->next = NULL;
    c->s_tail = s;
}

/* zc_dispatch_io.reply: the reply to the request of slot `ticket`. */
static void reply_cb(void *ctx, void *ticket, zc_reply *reply, unsigned flags)
{
    zc_conn *c = ctx;
    zc_slot *s = ticket;
    hold(c);
    slot_set(c, s, reply);
    c->last_active = zc_now();
    if (flags & ZC_DISPATCH_CLOSE) {
        drop_after(c, s);
        s->close_after = 1;
        if (c->state == CS_OPEN)
            c->state = CS_CLOSING;
    }
    if (c->in_progress == 0)
        progress(c);
    release(c);
}

/* zc_dispatch_io.may_start: backpressure, no new work for a client that is
 * not taking its replies; write_cb resumes it when the output drains. */
static int may_start_cb(void *ctx)
{
    zc_conn *c = ctx;
    return c->bev != NULL && out_pending(c) < ZC_SD_OUTPUT_PAUSE;
}

/* ---- input -------------------------------------------------------------- */

static void handle_line(zc_conn *c, const char *line, size_t len)
{
    zc_request req;
    zc_parse_result r = zc_proto_parse(line, len, &req);
    if (r == ZC_PARSE_EMPTY)
        return;
    /* Only a complete request counts as activity for the idle timeout: a
     * client trickling bytes of a line that never ends (slowloris) or empty
     * lines is dropped after --idle-timeout like a silent one. */
    c->last_active = zc_now();
    c->cs->cfg.counters->requests++;
    zc_slot *s = new_slot(c);
    if (s == NULL) {
        conn_close(c, "out_of_memory");
        return;
    }
    if (r == ZC_PARSE_ERROR) {
        slot_error(c, s, req.err_code, req.err_msg);
        return;
    }
    if (req.verb->flags & ZC_VF_LAST)
        c->state = CS_CLOSING;      /* nothing after it (QUIT) is read */
    s->arg_len = req.arg_len;
    c->arg_bytes += req.arg_len;
    if (zc_dispatch_submit(c->sess, req.verb, req.arg, req.arg_len, s) != 0)
        slot_error(c, s, ZC_REPLY_INTERNAL, "out of memory");
}

static void line_too_long(zc_conn *c)
{
    zc_slot *s = new_slot(c);
    if (s == NULL) {
        conn_close(c, "out_of_memory");
        return;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "request line longer than %zu bytes", c->fr.max_line);
    slot_error(c, s, ZC_REPLY_LINE_TOO_LONG, msg);
    s->close_after = 1;
    c->state = CS_CLOSING;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    zc_log("line_too_long", "id=%llu peer=%s max=%zu", (unsigned long long)c->id, c->peer,
           c->fr.max_line);
}

/* Frees what c holds because all clients together hold more than the
 * budget.  A client whose share is mostly input (an unfinished line) gets
 * one `busy` error after its earlier replies and is closed; one whose share
 * is output it does not take is closed at once (one more line would only
 * add to it). */
static void evict(zc_conn *c)
{
    zc_conns *cs = c->cs;
    hold(c);
    cs->cfg.counters->evicted++;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t in_len = evbuffer_get_length(in);
    zc_log("client_memory", "id=%llu peer=%s holds=%zu input=%zu all_clients=%zu max=%zu",
           (unsigned long long)c->id, c->peer, c->mem, in_len, cs->client_mem,
           cs->cfg.client_mem_max);
    zc_slot *s = NULL;
    if (c->state == CS_OPEN && in_len >= out_pending(c) + c->arg_bytes)
        s = new_slot(c);
    if (s == NULL) {
        conn_close(c, "client_memory");
    } else {
        evbuffer_drain(in, in_len);
        zc_proto_framer_init(&c->fr, c->fr.max_line);
        slot_error(c, s, ZC_REPLY_BUSY,
                   "the daemon's memory for clients is full; request dropped, retry later");
        s->close_after = 1;
        c->state = CS_CLOSING;
        progress(c);
        account(c);
    }
    c->in_cb--;                          /* release() without settling again */
    if (c->state == CS_CLOSED && c->in_cb == 0)
        free(c);
}

static void enforce_memory(zc_conns *cs)
{
    if (cs->enforcing)
        return;
    cs->enforcing = 1;
    while (cs->client_mem > cs->cfg.client_mem_max) {
        zc_conn *big = NULL;
        for (zc_conn *c = cs->conns; c; c = c->next)
            if (big == NULL || c->mem > big->mem)
                big = c;
        if (big == NULL || big->mem == 0)
            break;
        size_t before = cs->client_mem;
        evict(big);
        if (cs->client_mem >= before)
            break;                       /* nothing more to free this way */
    }
    cs->enforcing = 0;
}

/* Frames and parses what is buffered, one line at a time, until the input
 * has no complete line or a bound says pause.  Each byte goes through the
 * framer once: fr.seen bytes of the current line were scanned before. */
static void parse_input(zc_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    while (c->state == CS_OPEN && !must_pause(c)) {
        size_t avail = evbuffer_get_length(in);
        if (avail <= c->fr.seen)
            break;
        struct evbuffer_ptr p;
        if (evbuffer_ptr_set(in, &p, c->fr.seen, EVBUFFER_PTR_SET) != 0)
            break;
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, &p, &v, 1) < 1 || v.iov_len == 0)
            break;
        size_t used, line_len;
        zc_frame_result r = zc_proto_frame(&c->fr, v.iov_base, v.iov_len, &used, &line_len);
        if (r == ZC_FRAME_MORE)
            continue;
        if (r == ZC_FRAME_TOO_LONG) {
            line_too_long(c);
            return;
        }
        unsigned char *line = evbuffer_pullup(in, (ev_ssize_t)line_len + 1);
        if (line == NULL) {
            conn_close(c, "out_of_memory");
            return;
        }
        handle_line(c, (const char *)line, line_len);
        if (c->state == CS_CLOSED)
            return;
        evbuffer_drain(in, line_len + 1);
        flush_slots(c);
    }
    /* Half-closed and every complete line read: the unterminated rest, if
     * any, is dropped (protocol.md). */
    if (c->state == CS_OPEN && c->eof && evbuffer_get_length(in) <= c->fr.seen) {
        evbuffer_drain(in, evbuffer_get_length(in));
        c->state = CS_CLOSING;
    }
}

/* ---- progress ----------------------------------------------------------- */

static void arm_timer(zc_conn *c, double s)
{
    if (c->timer == NULL || s <= 0)
        return;
    struct timeval tv;
    tv.tv_sec = (time_t)s;
    tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
    evtimer_add(c->timer, &tv);
}

static void start_linger(zc_conn *c)
{
    /* Our FIN goes after the last reply; the client's unread bytes are
     * drained so the kernel does not answer them with a reset. */
    if (shutdown(c->fd, SHUT_WR) != 0) {
        conn_close(c, "eof");
        return;
    }
    c->state = CS_LINGER;
    bufferevent_enable(c->bev, EV_READ);
    if (c->timer) {
        evtimer_del(c->timer);
        arm_timer(c, ZC_SD_LINGER_S);
    }
}

static void progress(zc_conn *c)
{
    if (c->state == CS_CLOSED || c->state == CS_LINGER)
        return;
    c->in_progress++;
    /* Replies the dispatcher makes meanwhile are written by the flushes
     * below, not by a nested progress(). */
    zc_dispatch_kick(c->sess);
    flush_slots(c);
    if (c->state == CS_OPEN) {
        parse_input(c);
        flush_slots(c);
    }
    c->in_progress--;
    if (c->state == CS_CLOSED)
        return;
    int reading = (bufferevent_get_enabled(c->bev) & EV_READ) != 0;
    int want = c->state == CS_OPEN && !c->eof && !must_pause(c);
    if (want && !reading)
        bufferevent_enable(c->bev, EV_READ);
    else if (!want && reading)
        bufferevent_disable(c->bev, EV_READ);

    if (c->state == CS_CLOSING && c->s_head == NULL &&
        evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        if (c->eof || c->cs->stopping)
            conn_close(c, c->cs->stopping ? "shutdown" : "eof");
        else
            start_linger(c);
    }
}

/* ---- callbacks ---------------------------------------------------------- */

static void read_cb(struct bufferevent *bev, void *arg)
{
    zc_conn *c = arg;
    hold(c);
    struct evbuffer *in = bufferevent_get_input(bev);
    if (c->state == CS_LINGER) {
        size_t n = evbuffer_get_length(in);
        c->linger_bytes += n;
        evbuffer_drain(in, n);
        if (c->linger_bytes > ZC_SD_LINGER_BYTES)
            conn_close(c, "linger_limit");
    } else {
        progress(c);
    }
    release(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    zc_conn *c = arg;
    hold(c);
    c->last_active = zc_now();
    progress(c);
    release(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    zc_conn *c = arg;
    hold(c);
    if (what & BEV_EVENT_ERROR) {
        int e = EVUTIL_SOCKET_ERROR();
        conn_close(c, (e == ECONNRESET || e == EPIPE) ? "eof" : "socket_error");
    } else if (what & BEV_EVENT_EOF) {
        if (c->state == CS_LINGER) {
            conn_close(c, "eof");
        } else {
            c->eof = 1;
            c->last_active = zc_now();
            progress(c);
        }
    }
    release(c);
}

/* The idle timeout (no request activity) and the send timeout (output
 * pending, not one byte of it taken) share one timer, armed for the nearer
 * of the two. */
static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_conn *c = arg;
    hold(c);
    if (c->state == CS_LINGER) {
        conn_close(c, "eof");
    } else if (c->state != CS_CLOSED) {
        double now = zc_now(), next = 0;
        double send = c->cs->cfg.send_timeout, idle = c->cs->cfg.idle_timeout;
        size_t out_len = evbuffer_get_length(bufferevent_get_output(c->bev));
        uint64_t taken = c->out_added - out_len;
        if (taken != c->out_taken_seen) {
            c->out_taken_seen = taken;
            c->last_take = now;
        }
        if (send > 0 && out_len > 0) {
            if (now - c->last_take >= send - 0.001) {
                conn_close(c, "send_timeout");
                release(c);
                return;
            }
            next = send - (now - c->last_take);
        }
        if (idle > 0) {
            double quiet = now - c->last_active, in = idle - quiet;
            /* A request with a worker or the writer means we owe the
             * client work: not idle.  Requests held back only because the
             * client does not take its replies do not count. */
            if (zc_dispatch_inflight(c->sess) > 0) {
                in = idle;
            } else if (quiet >= idle - 0.001) {
                conn_close(c, "idle");
                release(c);
                return;
            }
            next = next > 0 && next < in ? next : in;
        }
        arm_timer(c, next);
    }
    release(c);
}

/* ---- entry points ------------------------------------------------------- */

zc_conns *zc_conns_new(const zc_conns_config *cfg)
{
    zc_conns *cs = calloc(1, sizeof *cs);
    if (cs != NULL)
        cs->cfg = *cfg;
    return cs;
}

void zc_conns_free(zc_conns *cs)
{
    if (cs == NULL)
        return;
    zc_conns_kill(cs, "shutdown");
    free(cs);
}

unsigned zc_conns_count(const zc_conns *cs)
{
    return cs->n;
}

unsigned zc_conns_count_addr(const zc_conns *cs, const char *addr)
{
    unsigned n = 0;
    for (const zc_conn *c = cs->conns; c; c = c->next)
        if (strcmp(c->addr, addr) == 0)
            n++;
    return n;
}

size_t zc_conns_memory(const zc_conns *cs)
{
    return cs->client_mem;
}

void zc_conns_accept(zc_conns *cs, evutil_socket_t fd, const char *peer, const char *addr)
{
    zc_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        evutil_closesocket(fd);
        return;
    }
    c->cs = cs;
    c->fd = fd;
    c->id = ++cs->next_id;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    zc_proto_framer_init(&c->fr, cs->cfg.max_line);
    zc_dispatch_io io = {reply_cb, may_start_cb, c};
    c->sess = zc_dispatch_open(cs->cfg.dispatch, c->id, c->peer, &io);
    c->bev = c->sess ? bufferevent_socket_new(cs->cfg.base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (cs->cfg.idle_timeout > 0 || cs->cfg.send_timeout > 0)
        c->timer = c->bev ? evtimer_new(cs->cfg.base, timer_cb, c) : NULL;
    if (c->bev == NULL || ((cs->cfg.idle_timeout > 0 || cs->cfg.send_timeout > 0) &&
                           c->timer == NULL)) {
        zc_dispatch_close(c->sess);
        if (c->bev)
            bufferevent_free(c->bev);
        else
            evutil_closesocket(fd);
        free(c);
        return;
    }
    c->next = cs->conns;
    if (cs->conns)
        cs->conns->prev = c;
    cs->conns = c;
    cs->n++;
    cs->cfg.counters->conns_total++;
    c->last_active = zc_now();
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    /* write_cb runs when the output drains to half the pause bound, so
     * reading resumes before the client starves, and again at empty. */
    bufferevent_setwatermark(c->bev, EV_WRITE, ZC_SD_OUTPUT_PAUSE / 2, 0);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    arm_timer(c, cs->cfg.idle_timeout);
    if (zc_log_verbose)
        zc_log("conn_open", "id=%llu peer=%s", (unsigned long long)c->id, c->peer);
}

void zc_conns_stop(zc_conns *cs)
{
    cs->stopping = 1;
    for (zc_conn *c = cs->conns, *n; c; c = n) {
        n = c->next;
        hold(c);
        if (c->state == CS_LINGER)
            conn_close(c, "shutdown");
        else if (c->state == CS_OPEN)
            c->state = CS_CLOSING;
        progress(c);
        release(c);
    }
}

void zc_conns_kill(zc_conns *cs, const char *why)
{
    while (cs->conns) {
        zc_conn *c = cs->conns;
        hold(c);
        conn_close(c, why);
        release(c);
    }
}
