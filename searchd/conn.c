/* searchd/conn.c — the per-connection state machine (see conn.h).
 *
 * Every entry point (bufferevent callbacks, the timer, a job coming back,
 * a shutdown) follows the same shape: hold the connection, change state,
 * call progress(), release.  progress() is the one place that moves
 * requests along: dispatch what may run, write finished replies in order,
 * parse more input if nothing says pause, and decide whether to read,
 * close or linger.  Holding the connection (in_cb) keeps it from being
 * freed while a callback still uses it; it is freed once it is closed,
 * no callback runs on it and no thread holds one of its jobs. */
#include "conn.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "limits.h"
#include "log.h"
#include "proto.h"

typedef enum conn_state { CS_OPEN, CS_CLOSING, CS_LINGER, CS_CLOSED } conn_state;

/* The place of one request's reply in the output order. */
typedef struct zc_slot {
    struct zc_slot *next;
    char *reply;          /* owned unless is_static */
    size_t len;
    int is_static;
    int done;             /* the reply is ready */
    int close_after;      /* close the connection once this is written */
} zc_slot;

struct zc_conn {
    zc_server *srv;
    struct zc_conn *prev, *next;     /* srv->conns list */
    struct bufferevent *bev;         /* owned; NULL once closed */
    evutil_socket_t fd;
    uint64_t id;
    char peer[96];
    conn_state state;
    int eof;                 /* the client half-closed */
    zc_proto_framer fr;
    zc_slot *s_head, *s_tail;        /* replies not yet written */
    unsigned n_slots;
    zc_job *h_head, *h_tail;         /* parsed, not yet dispatched */
    size_t arg_bytes;        /* argument bytes of held and in-flight jobs */
    size_t ready_bytes;      /* finished replies waiting behind an earlier one */
    unsigned reads_inflight, writes_inflight;
    unsigned refs;           /* jobs held by a worker or the writer */
    unsigned in_cb;          /* callbacks on the stack */
    int authed;
    unsigned auth_fails;     /* wrong AUTH tokens so far */
    struct event *auth_timer;/* holds back the reply to a wrong AUTH */
    zc_slot *auth_slot;      /* that reply's slot, while held back */
    struct event *timer;     /* idle and send timeouts, then linger timeout */
    double last_active;
    size_t linger_bytes;
    char addr[64];           /* client address without port ("" for Unix) */
    struct zc_conn *rr_prev, *rr_next; /* srv's round-robin list of connections
                                        * waiting for a worker */
    int in_rr;
    int turn;                /* granted one read hand-off ahead of the queue */
    size_t mem;              /* bytes counted in srv->client_mem */
    uint64_t out_added;      /* bytes ever put in the output buffer */
    uint64_t out_taken_seen; /* bytes taken by the client at the last check */
    double last_take;        /* zc_now() when the client last took output */
};

static const char ping_reply[] = "{\"ok\":true,\"pong\":true}\n";
static const char ok_reply[] = "{\"ok\":true}\n";

static void progress(zc_conn *c);
static void arm_timer(zc_conn *c, double s);
static size_t conn_mem(const zc_conn *c);
static size_t account(zc_conn *c);
static void rr_remove(zc_conn *c);
static void memory_freed(zc_server *srv, size_t bytes);

zc_conn *zc_conn_next(zc_conn *c)
{
    return c->next;
}

/* ---- life cycle --------------------------------------------------------- */

static void free_slots_and_held(zc_conn *c)
{
    for (zc_slot *s = c->s_head, *n; s; s = n) {
        n = s->next;
        if (!s->is_static)
            free(s->reply);
        free(s);
    }
    c->s_head = c->s_tail = NULL;
    c->n_slots = 0;
    c->ready_bytes = 0;
    for (zc_job *j = c->h_head, *n; j; j = n) {
        n = j->next;
        c->arg_bytes -= j->arg_len;
        zc_job_free(j);
    }
    c->h_head = c->h_tail = NULL;
}

static void conn_close(zc_conn *c, const char *why)
{
    if (c->state == CS_CLOSED)
        return;
    c->state = CS_CLOSED;
    rr_remove(c);
    if (zc_log_verbose || (why && strcmp(why, "quit") && strcmp(why, "eof") &&
                           strcmp(why, "idle") && strcmp(why, "shutdown")))
        zc_log("conn_close", "id=%llu peer=%s why=%s", (unsigned long long)c->id,
               c->peer, why ? why : "-");
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
    if (c->auth_timer) {
        event_free(c->auth_timer);
        c->auth_timer = NULL;
    }
    c->auth_slot = NULL;
    free_slots_and_held(c);
    account(c);                      /* counts what this connection held as freed */
    zc_server *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    zc_server_conn_closed(srv);
}

/* ---- fair share of the workers ----------------------------------------
 * The loop hands at most srv->reads_max read jobs to the pool at once.
 * A connection that finds them taken joins srv's round-robin list; each
 * job that comes back grants the next connection in the list a turn (one
 * hand-off ahead of anyone who has not waited), and a connection that
 * still has work after its turn goes to the back. */

static void rr_remove(zc_conn *c)
{
    if (!c->in_rr)
        return;
    zc_server *srv = c->srv;
    if (c->rr_prev)
        c->rr_prev->rr_next = c->rr_next;
    else
        srv->rr_head = c->rr_next;
    if (c->rr_next)
        c->rr_next->rr_prev = c->rr_prev;
    else
        srv->rr_tail = c->rr_prev;
    c->rr_prev = c->rr_next = NULL;
    c->in_rr = 0;
}

static void rr_add(zc_conn *c)
{
    if (c->in_rr)
        return;
    zc_server *srv = c->srv;
    c->rr_prev = srv->rr_tail;
    c->rr_next = NULL;
    if (srv->rr_tail)
        srv->rr_tail->rr_next = c;
    else
        srv->rr_head = c;
    srv->rr_tail = c;
    c->in_rr = 1;
}

/* Whether c may hand one read job to the pool now (and counts it). */
static int read_slot(zc_conn *c)
{
    zc_server *srv = c->srv;
    if (srv->reads_running < srv->reads_max && (c->turn || srv->rr_head == NULL)) {
        srv->reads_running++;
        return 1;
    }
    rr_add(c);
    return 0;
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

static void memory_freed(zc_server *srv, size_t bytes)
{
    srv->freed_since_trim += bytes;
#ifdef __GLIBC__
    if (srv->freed_since_trim >= TRIM_AFTER_BYTES) {
        srv->freed_since_trim = 0;
        malloc_trim(0);
    }
#endif
}

static void hold(zc_conn *c)
{
    c->in_cb++;
}

static void enforce_memory(zc_server *srv);

/* Ends a callback; frees the connection when nothing needs it any more.
 * The outermost callback also brings the memory count up to date and
 * holds every client to the shared budget. */
static void release(zc_conn *c)
{
    zc_server *srv = c->srv;
    if (c->in_cb == 1 && c->state != CS_CLOSED) {
        account(c);
        if (srv->client_mem > srv->client_mem_max)
            enforce_memory(srv);
    }
    c->in_cb--;
    if (c->state == CS_CLOSED && c->in_cb == 0 && c->refs == 0)
        free(c);
}

void zc_conn_kill(zc_conn *c, const char *why)
{
    hold(c);
    conn_close(c, why);
    release(c);
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

/* Brings srv->client_mem up to date for c; returns c's share. */
static size_t account(zc_conn *c)
{
    size_t m = c->state == CS_CLOSED ? 0 : conn_mem(c);
    c->srv->client_mem = c->srv->client_mem - c->mem + m;
    if (m < c->mem)
        memory_freed(c->srv, c->mem - m);
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

static void slot_set(zc_conn *c, zc_slot *s, char *reply, size_t len, int is_static)
{
    s->reply = reply;
    s->len = len;
    s->is_static = is_static;
    s->done = 1;
    c->ready_bytes += len;
}

static void slot_error(zc_conn *c, zc_slot *s, const char *code, const char *msg)
{
    size_t len;
    char *r = zc_proto_error_reply(code, msg, &len);
    if (r == NULL)
        slot_set(c, s, (char *)zc_proto_oom_reply(&len), len, 1);
    else
        slot_set(c, s, r, len, 0);
    c->srv->errors++;
}

/* Moves finished replies at the head of the order into the output buffer.
 * Drops the client if what it has not taken exceeds the hard bound. */
static void flush_slots(zc_conn *c)
{
    if (c->state == CS_CLOSED || c->bev == NULL)
        return;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (c->s_head && c->s_head->done && evbuffer_get_length(out) == 0 &&
        c->srv->cfg->send_timeout > 0) {
        /* The client owes us nothing until now: the send timeout starts.
         * The timer goes off at the nearer of it and the idle timeout;
         * timer_cb re-arms it for whichever remains. */
        double now = zc_now(), next = c->srv->cfg->send_timeout;
        double idle = c->srv->cfg->idle_timeout;
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
        int rc = s->is_static ? evbuffer_add(out, s->reply, s->len)
                              : evbuffer_add_reference(out, s->reply, s->len,
                                                       free_reply_cb, NULL);
        if (rc != 0) {
            conn_close(c, "out_of_memory");
            return;
        }
        s->reply = NULL;                 /* the evbuffer owns it now */
        c->out_added += s->len;
        c->ready_bytes -= s->len;
        c->s_head = s->next;
        if (c->s_head == NULL)
            c->s_tail = NULL;
        c->n_slots--;
        if (s->close_after && c->state == CS_OPEN)
            c->state = CS_CLOSING;
        free(s);
    }
}

/* ---- dispatch ----------------------------------------------------------- */

static void take_held(zc_conn *c)
{
    zc_job *j = c->h_head;
    c->h_head = j->next;
    if (c->h_head == NULL)
        c->h_tail = NULL;
    j->next = NULL;
}

/* Forgets every request after slot s: none of them was started (they are
 * all held), so their slots hold no reply yet. */
static void drop_after(zc_conn *c, zc_slot *s)
{
    for (zc_slot *x = s->next, *n; x; x = n) {
        n = x->next;
        free(x);
        c->n_slots--;
    }
    s->next = NULL;
    c->s_tail = s;
    for (zc_job *j = c->h_head, *n; j; j = n) {
        n = j->next;
        c->arg_bytes -= j->arg_len;
        zc_job_free(j);
    }
    c->h_head = c->h_tail = NULL;
}

static void auth_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_conn *c = arg;
    hold(c);
    if (c->state != CS_CLOSED && c->auth_slot != NULL) {
        zc_slot *s = c->auth_slot;
        c->auth_slot = NULL;
        slot_error(c, s, "forbidden", c->auth_fails >= ZC_SD_AUTH_FAILS_MAX
                                          ? "wrong token; too many tries, closing"
                                          : "wrong token");
        if (c->auth_fails >= ZC_SD_AUTH_FAILS_MAX) {
            /* Nothing after it is answered: whatever the client pipelined
             * behind its last try is dropped with the connection. */
            drop_after(c, s);
            s->close_after = 1;
            c->state = CS_CLOSING;
        }
        progress(c);
    }
    release(c);
}

/* A wrong token: the reply is held back, longer after each failure, and
 * nothing behind it on this connection is started meanwhile (dispatch_held
 * waits for auth_slot), so guessing costs time instead of CPU and log. */
static void auth_failed(zc_conn *c, zc_slot *s)
{
    c->auth_fails++;
    zc_server_log_auth_failure(c->srv, c->id, c->peer);
    if (c->auth_timer == NULL)
        c->auth_timer = evtimer_new(c->srv->base, auth_timer_cb, c);
    if (c->auth_timer == NULL) {
        slot_error(c, s, "forbidden", "wrong token");
        return;
    }
    double d = ZC_SD_AUTH_DELAY_S;
    for (unsigned i = 1; i < c->auth_fails && d < ZC_SD_AUTH_DELAY_MAX_S; i++)
        d *= 2;
    if (d > ZC_SD_AUTH_DELAY_MAX_S)
        d = ZC_SD_AUTH_DELAY_MAX_S;
    c->auth_slot = s;
    struct timeval tv;
    tv.tv_sec = (time_t)d;
    tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
    evtimer_add(c->auth_timer, &tv);
}

/* Answers a verb that runs on the loop thread; frees the job. */
static void run_loop_verb(zc_conn *c, zc_job *j)
{
    zc_slot *s = j->slot;
    zc_server *srv = c->srv;
    size_t len;
    switch (j->verb->verb) {
    case ZC_VERB_PING:
        slot_set(c, s, (char *)ping_reply, sizeof ping_reply - 1, 1);
        break;
    case ZC_VERB_HELP:
        slot_set(c, s, srv->help_line, srv->help_len, 1);
        break;
    case ZC_VERB_QUIT:
        slot_set(c, s, (char *)ok_reply, sizeof ok_reply - 1, 1);
        s->close_after = 1;
        break;
    case ZC_VERB_AUTH:
        if (srv->token == NULL || zc_server_token_ok(srv, j->arg, j->arg_len)) {
            c->authed = 1;
            slot_set(c, s, (char *)ok_reply, sizeof ok_reply - 1, 1);
        } else {
            auth_failed(c, s);
        }
        break;
    case ZC_VERB_STATS: {
        char *r = zc_server_stats_line(srv, &len);
        if (r == NULL)
            slot_error(c, s, "internal", "out of memory");
        else
            slot_set(c, s, r, len, 0);
        break;
    }
    default:
        slot_error(c, s, "internal", "verb has no loop handler");
        break;
    }
    c->arg_bytes -= j->arg_len;
    zc_job_free(j);
}

/* Hands held requests to whoever answers them, strictly in arrival order:
 * the first one that must wait stops the others behind it. */
static void dispatch_held(zc_conn *c)
{
    zc_server *srv = c->srv;
    while (c->state != CS_CLOSED && c->h_head) {
        /* Backpressure: no new work for a client that is not taking its
         * replies; it resumes when the output drains (write_cb). */
        if (out_pending(c) >= ZC_SD_OUTPUT_PAUSE)
            break;
        /* A wrong AUTH's reply is being held back: so is the rest. */
        if (c->auth_slot != NULL)
            break;
        zc_job *j = c->h_head;
        unsigned f = j->verb->flags;
        if (f & ZC_VF_WRITE) {
            /* protocol.md: read_only, then forbidden, then validation. */
            if (!srv->cfg->writable || srv->writer == NULL) {
                take_held(c);
                slot_error(c, j->slot, "read_only",
                           "the daemon is read-only (start it with --writable)");
                c->arg_bytes -= j->arg_len;
                zc_job_free(j);
                continue;
            }
            if (srv->token && (f & ZC_VF_AUTH) && !c->authed) {
                take_held(c);
                slot_error(c, j->slot, "forbidden", "send AUTH <token> first");
                c->arg_bytes -= j->arg_len;
                zc_job_free(j);
                continue;
            }
            if (c->reads_inflight > 0)
                break;
            take_held(c);
            c->writes_inflight++;
            c->refs++;
            j->t_dispatch = zc_now();
            srv->writes++;
            zc_writer_submit(srv->writer, j);
            continue;
        }
        if ((f & ZC_VF_READ) && c->writes_inflight > 0)
            break;
        if (f & ZC_VF_LOOP) {
            take_held(c);
            run_loop_verb(c, j);
            continue;
        }
        if (c->reads_inflight >= srv->conn_inflight_max)
            break;
        /* Fair share: the pool takes a few jobs per worker at once; past
         * that, connections wait their turn round-robin (server.c). */
        if (!read_slot(c))
            break;
        c->turn = 0;
        take_held(c);
        c->reads_inflight++;
        c->refs++;
        /* The time limit starts when a worker takes the job (workers.c). */
        j->t_dispatch = zc_now();
        zc_workers_submit(srv->workers, j);
    }
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
    c->srv->requests++;
    zc_slot *s = new_slot(c);
    if (s == NULL) {
        conn_close(c, "out_of_memory");
        return;
    }
    if (r == ZC_PARSE_ERROR) {
        slot_error(c, s, req.err_code, req.err_msg);
        return;
    }
    zc_job *j = zc_job_new(req.verb, req.arg, req.arg_len);
    if (j == NULL) {
        slot_error(c, s, "internal", "out of memory");
        return;
    }
    j->conn = c;
    j->slot = s;
    j->t_read = zc_now();
    c->arg_bytes += j->arg_len;
    if (c->h_tail)
        c->h_tail->next = j;
    else
        c->h_head = j;
    c->h_tail = j;
    if (req.verb->verb == ZC_VERB_QUIT)
        c->state = CS_CLOSING;      /* nothing after QUIT is read */
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
    slot_error(c, s, "line_too_long", msg);
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
    zc_server *srv = c->srv;
    hold(c);
    srv->evicted++;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t in_len = evbuffer_get_length(in);
    zc_log("client_memory", "id=%llu peer=%s holds=%zu input=%zu all_clients=%zu max=%zu",
           (unsigned long long)c->id, c->peer, c->mem, in_len, srv->client_mem,
           srv->client_mem_max);
    zc_slot *s = NULL;
    if (c->state == CS_OPEN && in_len >= out_pending(c) + c->arg_bytes)
        s = new_slot(c);
    if (s == NULL) {
        conn_close(c, "client_memory");
    } else {
        evbuffer_drain(in, in_len);
        zc_proto_framer_init(&c->fr, c->fr.max_line);
        slot_error(c, s, "busy",
                   "the daemon's memory for clients is full; request dropped, retry later");
        s->close_after = 1;
        c->state = CS_CLOSING;
        progress(c);
        account(c);
    }
    c->in_cb--;                          /* release() without settling again */
    if (c->state == CS_CLOSED && c->in_cb == 0 && c->refs == 0)
        free(c);
}

static void enforce_memory(zc_server *srv)
{
    if (srv->enforcing)
        return;
    srv->enforcing = 1;
    while (srv->client_mem > srv->client_mem_max) {
        zc_conn *big = NULL;
        for (zc_conn *c = srv->conns; c; c = c->next)
            if (big == NULL || c->mem > big->mem)
                big = c;
        if (big == NULL || big->mem == 0)
            break;
        size_t before = srv->client_mem;
        evict(big);
        if (srv->client_mem >= before)
            break;                       /* nothing more to free this way */
    }
    srv->enforcing = 0;
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
        dispatch_held(c);
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
    dispatch_held(c);
    flush_slots(c);
    if (c->state == CS_OPEN) {
        parse_input(c);
        /* parse_input may have stopped at a line it answered itself
         * (line_too_long) or at QUIT: move those along too. */
        dispatch_held(c);
        flush_slots(c);
    }
    if (c->state == CS_CLOSED)
        return;
    int reading = (bufferevent_get_enabled(c->bev) & EV_READ) != 0;
    int want = c->state == CS_OPEN && !c->eof && !must_pause(c);
    if (want && !reading)
        bufferevent_enable(c->bev, EV_READ);
    else if (!want && reading)
        bufferevent_disable(c->bev, EV_READ);

    if (c->state == CS_CLOSING && c->h_head == NULL && c->s_head == NULL &&
        evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        if (c->eof || c->srv->stopping)
            conn_close(c, c->srv->stopping ? "shutdown" : "eof");
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
        double send = c->srv->cfg->send_timeout, idle = c->srv->cfg->idle_timeout;
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
            if (c->refs > 0) {
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

unsigned zc_conn_count_addr(zc_server *srv, const char *addr)
{
    unsigned n = 0;
    for (zc_conn *c = srv->conns; c; c = c->next)
        if (strcmp(c->addr, addr) == 0)
            n++;
    return n;
}

void zc_conn_new(zc_server *srv, evutil_socket_t fd, const char *peer, const char *addr)
{
    zc_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        evutil_closesocket(fd);
        return;
    }
    c->srv = srv;
    c->fd = fd;
    c->id = ++srv->next_conn_id;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    zc_proto_framer_init(&c->fr, srv->cfg->max_line);
    c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        evutil_closesocket(fd);
        free(c);
        return;
    }
    if (srv->cfg->idle_timeout > 0 || srv->cfg->send_timeout > 0) {
        c->timer = evtimer_new(srv->base, timer_cb, c);
        if (c->timer == NULL) {
            bufferevent_free(c->bev);
            free(c);
            return;
        }
    }
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->n_conns++;
    srv->conns_total++;
    c->last_active = zc_now();
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    /* write_cb runs when the output drains to half the pause bound, so
     * reading resumes before the client starves, and again at empty. */
    bufferevent_setwatermark(c->bev, EV_WRITE, ZC_SD_OUTPUT_PAUSE / 2, 0);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    arm_timer(c, srv->cfg->idle_timeout);
    if (zc_log_verbose)
        zc_log("conn_open", "id=%llu peer=%s", (unsigned long long)c->id, c->peer);
}

/* Gives the connections waiting for a worker their turns, in order, while
 * the pool has room. */
static void grant_turns(zc_server *srv)
{
    while (srv->rr_head && srv->reads_running < srv->reads_max) {
        zc_conn *c = srv->rr_head;
        rr_remove(c);
        hold(c);
        c->turn = 1;
        progress(c);
        c->turn = 0;                     /* unused: it had nothing to start */
        release(c);
    }
}

void zc_conn_job_done(zc_job *job)
{
    zc_conn *c = job->conn;
    hold(c);
    c->refs--;
    c->arg_bytes -= job->arg_len;
    int was_read = !(job->verb->flags & ZC_VF_WRITE);
    if (was_read) {
        c->reads_inflight--;
        c->srv->reads_running--;
    } else {
        c->writes_inflight--;
    }
    if (c->state != CS_CLOSED) {
        zc_slot *s = job->slot;
        if (job->reply_static)
            slot_set(c, s, job->reply, job->reply_len, 1);
        else
            slot_set(c, s, job->reply, job->reply_len, 0);
        job->reply = NULL;               /* the slot owns it now */
        job->reply_static = 0;
        c->last_active = zc_now();
        progress(c);
    }
    zc_job_free(job);
    zc_server *srv = c->srv;
    release(c);
    if (was_read)
        grant_turns(srv);
}

void zc_conn_stop(zc_conn *c)
{
    hold(c);
    if (c->state == CS_LINGER)
        conn_close(c, "shutdown");
    else if (c->state == CS_OPEN)
        c->state = CS_CLOSING;
    progress(c);
    release(c);
}
