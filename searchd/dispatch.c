/* searchd/dispatch.c — the daemon's request policy (see dispatch.h).
 *
 * A request is a `dreq`: a job (jobs.h) plus the session it belongs to and
 * the transport's ticket.  It waits in its session's held list until the
 * policy lets it start, then is answered on the loop (loop verbs, refusals)
 * or by a worker or the writer, whose completion callback queues it back
 * to the loop (wake_cb).  A session is freed when the transport closed it
 * and nothing refers to it any more: each job in flight and each of our
 * own callbacks on the stack hold a reference. */
#include "searchd/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/limits.h"
#include "searchd/jobs.h"
#include "searchd/log.h"

typedef struct dreq {
    zc_job job;                       /* first: a job handed back is its dreq */
    struct zc_dispatch_session *s;
    void *ticket;                     /* the transport's; opaque here */
} dreq;

struct zc_dispatch_session {
    zc_dispatch *d;
    zc_dispatch_io io;
    uint64_t id;
    char peer[96];
    dreq *h_head, *h_tail;            /* held: read, not yet started */
    unsigned reads_inflight, writes_inflight;
    unsigned refs;                    /* the transport's (until closed), jobs
                                       * in flight, our callbacks running */
    int closed;
    int authed;
    unsigned auth_fails;              /* wrong tokens so far */
    struct event *auth_timer;         /* holds back the reply to a wrong AUTH */
    dreq *auth_held;                  /* that request, while held back */
    struct zc_dispatch_session *rr_prev, *rr_next;
    int in_rr;                        /* waiting in the round-robin list */
    int turn;                         /* granted one read hand-off ahead of the queue */
};

struct zc_dispatch {
    zc_dispatch_config cfg;
    unsigned conn_inflight_max;       /* reads per session at once */
    unsigned reads_running;           /* read jobs with the pool */
    unsigned reads_max;               /* ZC_SD_READS_PER_WORKER x workers */
    zc_dispatch_session *rr_head, *rr_tail; /* sessions waiting for a worker */
    zc_jobq done;                     /* answered jobs on their way back */
    struct event *ev_wake;            /* activated by the threads */
    double auth_log_at;               /* zc_now() of the last auth_failed line */
    uint64_t auth_log_suppressed;     /* failures not logged since */
};

static void dispatch_held(zc_dispatch_session *s);

/* ---- references --------------------------------------------------------- */

static void hold(zc_dispatch_session *s)
{
    s->refs++;
}

static void free_held(zc_dispatch_session *s)
{
    for (dreq *r = s->h_head, *n; r; r = n) {
        n = (dreq *)r->job.next;
        zc_job_fini(&r->job);
        free(r);
    }
    s->h_head = s->h_tail = NULL;
}

static void unhold(zc_dispatch_session *s)
{
    if (--s->refs > 0)
        return;
    free_held(s);
    if (s->auth_held) {
        zc_job_fini(&s->auth_held->job);
        free(s->auth_held);
    }
    if (s->auth_timer)
        event_free(s->auth_timer);
    free(s);
}

/* ---- replies to the transport ----------------------------------------- */

/* Hands r's reply to the transport (unless the session is closed) and frees
 * r. */
static void answer(zc_dispatch_session *s, dreq *r, unsigned flags)
{
    if (!s->closed)
        s->io.reply(s->io.ctx, r->ticket, &r->job.reply, flags);
    zc_job_fini(&r->job);
    free(r);
}

static void answer_error(zc_dispatch_session *s, dreq *r, zc_reply_code code,
                         const char *msg, unsigned flags)
{
    zc_reply_error(&r->job.reply, code, msg);
    answer(s, r, flags);
}

/* ---- the pool's fair share ---------------------------------------------
 * The loop hands at most reads_max read jobs to the pool at once.  A
 * session that finds them taken joins the round-robin list; each job that
 * comes back grants the next session in the list a turn (one hand-off
 * ahead of anyone who has not waited), and a session that still has work
 * after its turn goes to the back. */

static void rr_remove(zc_dispatch_session *s)
{
    if (!s->in_rr)
        return;
    zc_dispatch *d = s->d;
    if (s->rr_prev)
        s->rr_prev->rr_next = s->rr_next;
    else
        d->rr_head = s->rr_next;
    if (s->rr_next)
        s->rr_next->rr_prev = s->rr_prev;
    else
        d->rr_tail = s->rr_prev;
    s->rr_prev = s->rr_next = NULL;
    s->in_rr = 0;
}

static void rr_add(zc_dispatch_session *s)
{
    if (s->in_rr)
        return;
    zc_dispatch *d = s->d;
    s->rr_prev = d->rr_tail;
    s->rr_next = NULL;
    if (d->rr_tail)
        d->rr_tail->rr_next = s;
    else
        d->rr_head = s;
    d->rr_tail = s;
    s->in_rr = 1;
}

/* Whether s may hand one read job to the pool now (and counts it). */
static int read_slot(zc_dispatch_session *s)
{
    zc_dispatch *d = s->d;
    if (d->reads_running < d->reads_max && (s->turn || d->rr_head == NULL)) {
        d->reads_running++;
        return 1;
    }
    rr_add(s);
    return 0;
}

/* Gives the sessions waiting for a worker their turns, in order, while the
 * pool has room. */
static void grant_turns(zc_dispatch *d)
{
    while (d->rr_head && d->reads_running < d->reads_max) {
        zc_dispatch_session *s = d->rr_head;
        rr_remove(s);
        hold(s);
        s->turn = 1;
        dispatch_held(s);
        s->turn = 0;                     /* unused: it had nothing to start */
        unhold(s);
    }
}

/* ---- AUTH ----------------------------------------------------------------- */

/* Constant time in the token's content: every byte of the given token is
 * compared, whatever matched before; only its length shows. */
static int token_ok(const zc_dispatch *d, const char *tok, size_t len)
{
    if (d->cfg.token == NULL)
        return 1;
    const unsigned char *a = (const unsigned char *)d->cfg.token;
    const unsigned char *b = (const unsigned char *)tok;
    volatile unsigned char diff = (unsigned char)(len != d->cfg.token_len);
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(a[i % d->cfg.token_len] ^ b[i]);
    return diff == 0;
}

/* One auth_failed line per ZC_SD_AUTH_LOG_EVERY_S at most; the others are
 * counted in the next line's suppressed=. */
static void log_auth_failure(zc_dispatch_session *s)
{
    zc_dispatch *d = s->d;
    d->cfg.counters->auth_failures++;
    double now = zc_now();
    if (d->auth_log_at > 0 && now - d->auth_log_at < ZC_SD_AUTH_LOG_EVERY_S) {
        d->auth_log_suppressed++;
        return;
    }
    zc_log("auth_failed", "id=%llu peer=%s suppressed=%llu", (unsigned long long)s->id,
           s->peer, (unsigned long long)d->auth_log_suppressed);
    d->auth_log_at = now;
    d->auth_log_suppressed = 0;
}

static void auth_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_dispatch_session *s = arg;
    hold(s);
    if (!s->closed && s->auth_held != NULL) {
        dreq *r = s->auth_held;
        s->auth_held = NULL;
        int last = s->auth_fails >= ZC_SD_AUTH_FAILS_MAX;
        /* After the last try nothing more is answered: whatever the client
         * pipelined behind it is dropped with the connection. */
        if (last)
            free_held(s);
        answer_error(s, r, ZC_REPLY_FORBIDDEN,
                     last ? "wrong token; too many tries, closing" : "wrong token",
                     last ? ZC_DISPATCH_CLOSE : 0);
        dispatch_held(s);
    }
    unhold(s);
}

/* A wrong token: the reply is held back, longer after each failure, and
 * nothing behind it in this session is started meanwhile (dispatch_held
 * waits for auth_held), so guessing costs time instead of CPU and log. */
static void auth_failed(zc_dispatch_session *s, dreq *r)
{
    s->auth_fails++;
    log_auth_failure(s);
    if (s->auth_timer == NULL)
        s->auth_timer = evtimer_new(s->d->cfg.base, auth_timer_cb, s);
    if (s->auth_timer == NULL) {
        answer_error(s, r, ZC_REPLY_FORBIDDEN, "wrong token", 0);
        return;
    }
    double t = ZC_SD_AUTH_DELAY_S;
    for (unsigned i = 1; i < s->auth_fails && t < ZC_SD_AUTH_DELAY_MAX_S; i++)
        t *= 2;
    if (t > ZC_SD_AUTH_DELAY_MAX_S)
        t = ZC_SD_AUTH_DELAY_MAX_S;
    s->auth_held = r;
    struct timeval tv;
    tv.tv_sec = (time_t)t;
    tv.tv_usec = (suseconds_t)((t - (double)tv.tv_sec) * 1e6);
    evtimer_add(s->auth_timer, &tv);
}

/* ---- starting requests ---------------------------------------------------- */

/* A verb answered on the loop thread, at once, by the executor. */
static void run_loop_verb(zc_dispatch_session *s, dreq *r)
{
    zc_dispatch *d = s->d;
    zc_verb v = r->job.verb->verb;
    if (v == ZC_VERB_AUTH && !token_ok(d, r->job.arg, r->job.arg_len)) {
        auth_failed(s, r);
        return;
    }
    if (v == ZC_VERB_AUTH)
        s->authed = 1;
    zc_exec_env env;
    memset(&env, 0, sizeof env);
    env.writable = d->cfg.writer != NULL;
    env.hooks.stats = d->cfg.stats;
    env.hooks.ctx = d->cfg.stats_ctx;
    zc_exec_run(&env, r->job.verb, r->job.arg, r->job.arg_len, &r->job.reply);
    answer(s, r, (r->job.verb->flags & ZC_VF_LAST) ? ZC_DISPATCH_CLOSE : 0);
}

static dreq *take_held(zc_dispatch_session *s)
{
    dreq *r = s->h_head;
    s->h_head = (dreq *)r->job.next;
    if (s->h_head == NULL)
        s->h_tail = NULL;
    r->job.next = NULL;
    return r;
}

/* Refuses or hands over the write at the head of s's queue; returns 0 when
 * it must wait for the session's reads. */
static int start_write(zc_dispatch_session *s)
{
    zc_dispatch *d = s->d;
    if (d->cfg.writer == NULL) {
        /* protocol.md: read_only, then forbidden, then validation.  The
         * executor answers read_only when it has no write handle. */
        dreq *r = take_held(s);
        zc_exec_env env;
        memset(&env, 0, sizeof env);
        zc_exec_run(&env, r->job.verb, r->job.arg, r->job.arg_len, &r->job.reply);
        answer(s, r, 0);
        return 1;
    }
    if (d->cfg.token && !s->authed) {
        answer_error(s, take_held(s), ZC_REPLY_FORBIDDEN, "send AUTH <token> first", 0);
        return 1;
    }
    if (s->reads_inflight > 0)
        return 0;
    dreq *r = take_held(s);
    s->writes_inflight++;
    hold(s);
    r->job.t_dispatch = zc_now();
    d->cfg.counters->writes++;
    zc_writer_submit(d->cfg.writer, &r->job);
    return 1;
}

/* Hands held requests to whoever answers them, strictly in arrival order:
 * the first one that must wait stops the others behind it. */
static void dispatch_held(zc_dispatch_session *s)
{
    zc_dispatch *d = s->d;
    hold(s);
    while (!s->closed && s->h_head) {
        /* Backpressure: no new work for a client that is not taking its
         * replies; the transport kicks us when its output drains. */
        if (!s->io.may_start(s->io.ctx))
            break;
        /* A wrong AUTH's reply is being held back: so is the rest. */
        if (s->auth_held != NULL)
            break;
        unsigned f = s->h_head->job.verb->flags;
        if (f & ZC_VF_WRITE) {
            if (!start_write(s))
                break;
            continue;
        }
        if ((f & ZC_VF_READ) && s->writes_inflight > 0)
            break;
        if (f & ZC_VF_LOOP) {
            run_loop_verb(s, take_held(s));
            continue;
        }
        if (s->reads_inflight >= d->conn_inflight_max)
            break;
        if (!read_slot(s))
            break;
        s->turn = 0;
        dreq *r = take_held(s);
        s->reads_inflight++;
        hold(s);
        /* The time limit starts when a worker takes the job (workers.c). */
        r->job.t_dispatch = zc_now();
        zc_workers_submit(d->cfg.workers, &r->job);
    }
    unhold(s);
}

/* ---- jobs coming back ----------------------------------------------------- */

/* The jobs' completion callback (worker and writer threads): queue the job
 * for the loop and wake it. */
static void job_done(void *ctx, zc_job *job)
{
    zc_dispatch *d = ctx;
    zc_jobq_push(&d->done, job);
    event_active(d->ev_wake, EV_READ, 0);
}

/* Counts and logs what a thread answered. */
static void account_job(zc_dispatch *d, const zc_job *j, double now)
{
    zc_counters *k = d->cfg.counters;
    double ms = (now - j->t_dispatch) * 1000.0;
    if (j->reply.code == ZC_REPLY_TIMEOUT)
        k->timeouts++;
    if (j->reply.code == ZC_REPLY_INTERNAL && j->reply.body)
        zc_log("internal_error", "verb=%s reply=%.*s", j->verb->name,
               (int)(j->reply.len > 400 ? 400 : j->reply.len), j->reply.body);
    if (j->verb->verb == ZC_VERB_SEARCH) {
        k->queries++;
        zc_hist_record(&k->latency, ms);
        if (ms >= d->cfg.slow_ms) {
            char echo[ZC_SD_ECHO_MAX * 4 + 16];
            zc_log("slow_query", "ms=%.1f timeout=%d q=%s", ms,
                   j->reply.code == ZC_REPLY_TIMEOUT,
                   zc_log_echo(echo, sizeof echo, j->arg, j->arg_len));
        }
    } else if (j->verb->verb == ZC_VERB_GET) {
        k->gets++;
    }
}

static void complete(zc_dispatch *d, dreq *r, double now)
{
    zc_dispatch_session *s = r->s;
    account_job(d, &r->job, now);
    int was_read = !(r->job.verb->flags & ZC_VF_WRITE);
    if (was_read) {
        s->reads_inflight--;
        d->reads_running--;
    } else {
        s->writes_inflight--;
    }
    answer(s, r, 0);
    /* A finished write may let the reads behind it start. */
    dispatch_held(s);
    unhold(s);                           /* the job's reference */
    if (was_read)
        grant_turns(d);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    zc_dispatch_drain(arg);
}

void zc_dispatch_drain(zc_dispatch *d)
{
    zc_job *j = zc_jobq_take_all(&d->done);
    double now = zc_now();
    while (j) {
        zc_job *next = j->next;
        j->next = NULL;
        complete(d, (dreq *)j, now);
        j = next;
    }
}

/* ---- entry points --------------------------------------------------------- */

zc_dispatch *zc_dispatch_new(const zc_dispatch_config *cfg)
{
    zc_dispatch *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->cfg = *cfg;
    unsigned n = cfg->n_workers ? cfg->n_workers : 1;
    d->conn_inflight_max = ZC_SD_CONN_INFLIGHT_MAX ? ZC_SD_CONN_INFLIGHT_MAX : n;
    d->reads_max = ZC_SD_READS_PER_WORKER * n;
    if (zc_jobq_init(&d->done) != 0) {
        free(d);
        return NULL;
    }
    d->ev_wake = event_new(cfg->base, -1, 0, wake_cb, d);
    if (d->ev_wake == NULL) {
        zc_jobq_destroy(&d->done);
        free(d);
        return NULL;
    }
    return d;
}

void zc_dispatch_free(zc_dispatch *d)
{
    if (d == NULL)
        return;
    event_free(d->ev_wake);
    zc_jobq_destroy(&d->done);
    free(d);
}

zc_dispatch_session *zc_dispatch_open(zc_dispatch *d, uint64_t id, const char *peer,
                                      const zc_dispatch_io *io)
{
    zc_dispatch_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->d = d;
    s->io = *io;
    s->id = id;
    snprintf(s->peer, sizeof s->peer, "%s", peer);
    s->refs = 1;                         /* the transport's */
    return s;
}

int zc_dispatch_submit(zc_dispatch_session *s, const zc_verb_info *verb, const char *arg,
                       size_t arg_len, void *ticket)
{
    dreq *r = malloc(sizeof *r);
    if (r == NULL)
        return -1;
    if (zc_job_init(&r->job, verb, arg, arg_len) != 0) {
        free(r);
        return -1;
    }
    r->job.done = job_done;
    r->job.done_ctx = s->d;
    r->s = s;
    r->ticket = ticket;
    if (s->h_tail)
        s->h_tail->job.next = &r->job;
    else
        s->h_head = r;
    s->h_tail = r;
    dispatch_held(s);
    return 0;
}

void zc_dispatch_kick(zc_dispatch_session *s)
{
    dispatch_held(s);
}

unsigned zc_dispatch_inflight(const zc_dispatch_session *s)
{
    return s->reads_inflight + s->writes_inflight;
}

void zc_dispatch_close(zc_dispatch_session *s)
{
    if (s == NULL || s->closed)
        return;
    s->closed = 1;
    rr_remove(s);
    free_held(s);
    if (s->auth_timer)
        evtimer_del(s->auth_timer);
    unhold(s);                           /* the transport's reference */
}
