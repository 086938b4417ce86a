/* protocol/exec.h — the one executor: a parsed request (verb + argument)
 * and an index handle in, a neutral reply (protocol/reply.h) out.
 *
 * Every front end answers requests through it: the daemon's workers
 * (SEARCH, GET), its writer (ADD, DEL, COMMIT) and its event loop (PING,
 * HELP, QUIT, AUTH, STATS), `zhengce --index` (every verb, in-process), and
 * the HTTP front end to come.  So a request gets the same reply bytes
 * whichever way it arrives; front ends only frame and encode.
 *
 * Owns: nothing between calls (the HELP body is built once and static).
 * What differs between front ends comes in through zc_exec_env: the handle
 * (read or write), the time limit, and hooks for what only the caller
 * knows (reopening its handle, committing with its bookkeeping, the figures
 * STATS reports).
 * Must never: do policy (auth, read-only mode of a daemon, ordering,
 * deadlines' start: the caller decides those), log, or touch a transport. */
#ifndef ZC_PROTOCOL_EXEC_H
#define ZC_PROTOCOL_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/proto.h"
#include "protocol/reply.h"
#include "lib/zhengce.h"

/* What STATS reports besides the index's figures; a front end without a
 * server (zhengce --index) leaves them 0. */
typedef struct zc_exec_stats {
    uint64_t docs, revision;
    double uptime_s;
    uint64_t connections, connections_total;
    uint64_t queries, gets, writes, requests, timeouts, errors, busy;
    double p50_ms, p99_ms, p999_ms;      /* SEARCH latency */
    unsigned workers;
    int writable;
    uint64_t client_memory, client_memory_max, evicted, auth_failures, per_ip_refused;
    /* the index's word lists (zc_index_lexicon) */
    uint64_t synonym_groups, builtin_synonym_groups, user_dict_words;
} zc_exec_stats;

/* Hooks; each may be NULL (the default is said next to it).  Called on the
 * thread that called zc_exec_run, with ctx. */
typedef struct zc_exec_hooks {
    /* After "database modified" (or a reader's "corrupt", which a racing
     * writer also causes) and before the retry: bring the handle to the
     * newest revision.  Default: zc_index_reopen. */
    void (*reopen)(void *ctx, zc_status why, const zc_error *err);
    /* COMMIT.  Default: zc_index_commit. */
    zc_status (*commit)(void *ctx, zc_error *err);
    /* An ADD, or a DEL that removed a document, changed the index.
     * Default: nothing. */
    void (*changed)(void *ctx);
    /* STATS: fill in the figures (docs and revision already hold the
     * handle's, when there is one).  Default: nothing. */
    void (*stats)(void *ctx, zc_exec_stats *s);
    void *ctx;
} zc_exec_hooks;

typedef struct zc_exec_env {
    zc_index *idx;        /* borrowed; NULL: SEARCH and GET answer internal,
                           * STATS takes everything from hooks.stats */
    int writable;         /* idx is a write handle: ADD, DEL and COMMIT run;
                           * else they answer read_only */
    double deadline;      /* zc_exec_clock() time past which a SEARCH is
                           * `timeout`; 0 = none */
    double delay_s;       /* testing aid: SEARCH sleeps this long first,
                           * counted against the deadline */
    int exact_count_set;  /* exact_count holds the front end's default ... */
    uint32_t exact_count; /* ... of "exact_count" for a SEARCH that gives
                           * none (zhengce-searchd --exact-count); unset:
                           * the library's, ZC_SEARCH_EXACT_COUNT_DEFAULT */
    zc_exec_hooks hooks;
} zc_exec_env;

/* Seconds on the clock deadlines are given in (CLOCK_MONOTONIC). */
double zc_exec_clock(void);

/* Answers one request.  out must be empty (zc_reply_init); it gets exactly
 * one reply (free with zc_reply_clear).  arg (arg_len bytes, NULL when the
 * verb has none) is borrowed for the call.  Never fails otherwise: every
 * failure is an error reply. */
void zc_exec_run(const zc_exec_env *env, const zc_verb_info *verb, const char *arg,
                 size_t arg_len, zc_reply *out);

/* Parses one request line (no LF) and answers it.  Returns 0 for an empty
 * line (no reply: out stays empty), 1 otherwise (out holds the reply; a
 * line the parser refuses gets its error reply). */
int zc_exec_line(const zc_exec_env *env, const char *line, size_t len, zc_reply *out);

#endif
