/* protocol/exec.c — the executor (see exec.h): one function per verb, each
 * building the protocol's reply from the library's answer. */
#include "protocol/exec.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

/* Retries after "database modified": each retry reopens first, and a
 * writer would have to commit twice within one search to exhaust these. */
#define MODIFIED_RETRIES 5

static const char ping_body[] = "{\"ok\":true,\"pong\":true}";
static const char ok_body[] = "{\"ok\":true}";

double zc_exec_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* A reader racing a writer that commits often can also see blocks being
 * rewritten under it as "corrupt" (Xapian 1.4 glass reports some of these
 * races as DatabaseCorruptError rather than DatabaseModifiedError; the
 * test searches_during_frequent_commits_never_fail found it).  Such an error
 * is retried after a reopen like "modified"; a truly damaged index fails
 * again and is answered `internal`. */
static int retryable(zc_status st)
{
    return st == ZC_EMODIFIED || st == ZC_ECORRUPT;
}

static void reopen(const zc_exec_env *env, zc_status why, const zc_error *err)
{
    if (env->hooks.reopen) {
        env->hooks.reopen(env->hooks.ctx, why, err);
        return;
    }
    int changed = 0;
    zc_error e2;
    zc_index_reopen(env->idx, &changed, &e2);
}

/* A failure after the retries: "modified" would tell the client nothing it
 * can act on. */
static void reply_failure(zc_reply *out, zc_status st, const zc_error *err)
{
    zc_reply_status(out, st == ZC_EMODIFIED ? ZC_EINTERNAL : st, err);
}

static void reply_timeout(zc_reply *out)
{
    zc_reply_error(out, ZC_REPLY_TIMEOUT, "the query ran past its time limit");
}

/* One search within the deadline; *json gets the reply text.  *late is set
 * (and ZC_ETIMEOUT returned, nothing to free) when the deadline passed. */
static zc_status search_once(const zc_exec_env *env, zc_search_opts *opts, char **json,
                             size_t *len, zc_error *err, int *late)
{
    *late = 0;
    if (env->deadline > 0) {
        double left = env->deadline - zc_exec_clock();
        if (left <= 0) {
            *late = 1;
            return ZC_ETIMEOUT;
        }
        opts->time_limit_s = left;
    }
    zc_results *res = NULL;
    zc_status st = zc_search(env->idx, opts, &res, err);
    if (st == ZC_OK && env->deadline > 0 && zc_exec_clock() > env->deadline) {
        /* Xapian may stop at its time limit and return what it found; the
         * protocol calls a query that ran past its limit a timeout. */
        zc_results_free(res);
        *late = 1;
        return ZC_ETIMEOUT;
    }
    /* Serialising may still read the index (stored fields, snippets), so it
     * is inside the caller's retry too. */
    if (st == ZC_OK)
        st = zc_results_to_json(res, json, len, err);
    zc_results_free(res);
    return st;
}

static void run_search(const zc_exec_env *env, const char *arg, size_t arg_len,
                       zc_reply *out)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_search_request *req = NULL;
    zc_status st = zc_search_request_parse(arg, arg_len, &req, &err);
    if (st != ZC_OK) {
        zc_reply_status(out, st, &err);
        return;
    }
    zc_search_opts *opts = zc_search_request_opts(req);
    if (opts->exact_count < 0 && env->exact_count_set)
        opts->exact_count = env->exact_count;
    if (env->delay_s > 0) {
        /* Testing aid: stands for an expensive query.  It counts against
         * the time limit like real work does. */
        if (env->deadline > 0 && zc_exec_clock() + env->delay_s > env->deadline) {
            sleep_s(env->deadline - zc_exec_clock());
            zc_search_request_free(req);
            reply_timeout(out);
            return;
        }
        sleep_s(env->delay_s);
    }
    char *json = NULL;
    size_t len = 0;
    int late = 0;
    for (int attempt = 0;; attempt++) {
        st = search_once(env, opts, &json, &len, &err, &late);
        if (late || !retryable(st) || attempt >= MODIFIED_RETRIES)
            break;
        reopen(env, st, &err);
    }
    zc_search_request_free(req);
    if (late)
        reply_timeout(out);
    else if (st != ZC_OK)
        reply_failure(out, st, &err);
    else
        zc_reply_libjson(out, json, len, "", "");
}

static void run_get(const zc_exec_env *env, const char *arg, size_t arg_len, zc_reply *out)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    char *json = NULL;
    size_t len = 0;
    zc_status st;
    for (int attempt = 0;; attempt++) {
        st = zc_index_get(env->idx, arg, arg_len, &json, &len, &err);
        if (!retryable(st) || attempt >= MODIFIED_RETRIES)
            break;
        reopen(env, st, &err);
    }
    if (st != ZC_OK)
        reply_failure(out, st, &err);
    else
        zc_reply_libjson(out, json, len, "{\"ok\":true,\"doc\":", "}");
}

/* ---- writes --------------------------------------------------------------- */

static void changed(const zc_exec_env *env)
{
    if (env->hooks.changed)
        env->hooks.changed(env->hooks.ctx);
}

static void run_add(const zc_exec_env *env, const char *arg, size_t arg_len, zc_reply *out)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    char *id = NULL;
    zc_status st = zc_index_add_json(env->idx, arg, arg_len, &id, &err);
    if (st != ZC_OK) {
        zc_reply_status(out, st, &err);
        return;
    }
    changed(env);
    json_t *o = json_pack("{s:b,s:s}", "ok", 1, "id", id ? id : "");
    zc_free(id);
    zc_reply_json(out, o);
    json_decref(o);
}

static void run_del(const zc_exec_env *env, const char *arg, size_t arg_len, zc_reply *out)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    int existed = 0;
    zc_status st = zc_index_delete(env->idx, arg, arg_len, &existed, &err);
    if (st != ZC_OK) {
        zc_reply_status(out, st, &err);
        return;
    }
    if (existed)
        changed(env);
    json_t *o = json_pack("{s:b,s:s#,s:b}", "ok", 1, "id", arg, (int)arg_len, "deleted",
                          existed);
    zc_reply_json(out, o);
    json_decref(o);
}

static void run_commit(const zc_exec_env *env, zc_reply *out)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_status st = env->hooks.commit ? env->hooks.commit(env->hooks.ctx, &err)
                                     : zc_index_commit(env->idx, &err);
    uint64_t docs = 0;
    if (st == ZC_OK)
        st = zc_index_doc_count(env->idx, &docs, &err);
    if (st != ZC_OK) {
        zc_reply_status(out, st, &err);
        return;
    }
    json_t *o = json_pack("{s:b,s:I}", "ok", 1, "docs", (json_int_t)docs);
    zc_reply_json(out, o);
    json_decref(o);
}

/* ---- answered without the index ------------------------------------------ */

static pthread_once_t help_once = PTHREAD_ONCE_INIT;
static char *help_body;          /* built once from the verb table; never freed */
static size_t help_len;

static void build_help(void)
{
    json_t *verbs = json_array();
    size_t n;
    const zc_verb_info *v = zc_proto_verbs(&n);
    for (size_t i = 0; verbs && i < n; i++)
        json_array_append_new(verbs, json_string(v[i].name));
    json_t *o = verbs ? json_pack("{s:b,s:o}", "ok", 1, "verbs", verbs) : NULL;
    help_body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    help_len = help_body ? strlen(help_body) : 0;
    json_decref(o);
}

static void run_help(zc_reply *out)
{
    pthread_once(&help_once, build_help);
    if (help_body == NULL)
        zc_reply_oom(out);
    else
        zc_reply_set_static(out, ZC_REPLY_OK, help_body, help_len);
}

static void run_stats(const zc_exec_env *env, zc_reply *out)
{
    zc_exec_stats s;
    memset(&s, 0, sizeof s);
    s.workers = 1;
    s.writable = env->writable;
    if (env->idx != NULL) {
        zc_error err;
        memset(&err, 0, sizeof err);
        size_t sg = 0, bg = 0, uw = 0;
        zc_status st = zc_index_doc_count(env->idx, &s.docs, &err);
        if (st == ZC_OK)
            st = zc_index_revision(env->idx, &s.revision, &err);
        if (st == ZC_OK)
            st = zc_index_lexicon(env->idx, &sg, &bg, &uw, &err);
        s.synonym_groups = sg;
        s.builtin_synonym_groups = bg;
        s.user_dict_words = uw;
        if (st != ZC_OK) {
            zc_reply_status(out, st, &err);
            return;
        }
    }
    if (env->hooks.stats)
        env->hooks.stats(env->hooks.ctx, &s);
    json_t *o = json_pack(
        "{s:b,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:f,s:f,s:f},s:I,s:b,s:s}",
        "ok", 1, "docs", (json_int_t)s.docs, "revision", (json_int_t)s.revision, "uptime_s",
        (double)(long long)(s.uptime_s * 10) / 10.0, "connections", (json_int_t)s.connections,
        "connections_total", (json_int_t)s.connections_total, "queries",
        (json_int_t)s.queries, "gets", (json_int_t)s.gets, "writes", (json_int_t)s.writes,
        "requests", (json_int_t)s.requests, "timeouts", (json_int_t)s.timeouts, "errors",
        (json_int_t)s.errors, "busy", (json_int_t)s.busy, "latency_ms", "p50", s.p50_ms,
        "p99", s.p99_ms, "p999", s.p999_ms, "workers", (json_int_t)s.workers, "writable",
        s.writable, "version", zc_version());
    /* Defences against hostile clients (docs/security.md). */
    json_t *d = json_pack("{s:I,s:I,s:I,s:I,s:I}", "client_memory",
                          (json_int_t)s.client_memory, "client_memory_max",
                          (json_int_t)s.client_memory_max, "evicted", (json_int_t)s.evicted,
                          "auth_failures", (json_int_t)s.auth_failures, "per_ip_refused",
                          (json_int_t)s.per_ip_refused);
    /* The index's word lists (docs/synonyms.md). */
    json_t *l = json_pack("{s:{s:I,s:I},s:{s:I}}", "synonyms", "index_groups",
                          (json_int_t)s.synonym_groups, "builtin_groups",
                          (json_int_t)s.builtin_synonym_groups, "user_dict", "words",
                          (json_int_t)s.user_dict_words);
    if (o == NULL || d == NULL || l == NULL || json_object_update(o, d) != 0 ||
        json_object_update(o, l) != 0)
        zc_reply_oom(out);
    else
        zc_reply_json(out, o);
    json_decref(l);
    json_decref(d);
    json_decref(o);
}

/* ---- entry points --------------------------------------------------------- */

void zc_exec_run(const zc_exec_env *env, const zc_verb_info *verb, const char *arg,
                 size_t arg_len, zc_reply *out)
{
    unsigned f = verb->flags;
    if ((f & ZC_VF_WRITE) && !env->writable) {
        zc_reply_error(out, ZC_REPLY_READ_ONLY,
                       "read-only: writes need a zhengce-searchd started with --writable");
        return;
    }
    if ((verb->verb == ZC_VERB_SEARCH || verb->verb == ZC_VERB_GET || (f & ZC_VF_WRITE)) &&
        env->idx == NULL) {
        zc_reply_error(out, ZC_REPLY_INTERNAL, "verb sent to the wrong thread");
        return;
    }
    switch (verb->verb) {
    case ZC_VERB_SEARCH: run_search(env, arg, arg_len, out); break;
    case ZC_VERB_GET: run_get(env, arg, arg_len, out); break;
    case ZC_VERB_ADD: run_add(env, arg, arg_len, out); break;
    case ZC_VERB_DEL: run_del(env, arg, arg_len, out); break;
    case ZC_VERB_COMMIT: run_commit(env, out); break;
    case ZC_VERB_STATS: run_stats(env, out); break;
    case ZC_VERB_HELP: run_help(out); break;
    case ZC_VERB_PING: zc_reply_set_static(out, ZC_REPLY_OK, ping_body, sizeof ping_body - 1); break;
    /* AUTH: the caller checked the token, if it has one (protocol.md: with
     * no token configured AUTH answers ok).  QUIT: the caller closes. */
    case ZC_VERB_AUTH:
    case ZC_VERB_QUIT: zc_reply_set_static(out, ZC_REPLY_OK, ok_body, sizeof ok_body - 1); break;
    default: zc_reply_error(out, ZC_REPLY_INTERNAL, "verb has no handler"); break;
    }
}

int zc_exec_line(const zc_exec_env *env, const char *line, size_t len, zc_reply *out)
{
    zc_request req;
    zc_parse_result r = zc_proto_parse(line, len, &req);
    if (r == ZC_PARSE_EMPTY)
        return 0;
    if (r == ZC_PARSE_ERROR)
        zc_reply_error(out, req.err_code, req.err_msg);
    else
        zc_exec_run(env, req.verb, req.arg, req.arg_len, out);
    return 1;
}
