/* searchd/cli.h — what the files of the `zhengce` client share.
 *
 * The client speaks the protocol in both modes: every command becomes one
 * protocol request line ("SEARCH {...}", "GET id", ...).  With --server it
 * is sent to the daemon; with --index the same line is answered in-process
 * through libzhengce, producing the very reply object the daemon would
 * send.  Printing (JSON or readable) then works on that reply alone, so
 * both modes print the same thing.
 * Must never: link anything of the daemon but the protocol client. */
#ifndef ZC_SEARCHD_CLI_H
#define ZC_SEARCHD_CLI_H

#include <stddef.h>

#include <jansson.h>

#include "client.h"
#include "zhengce.h"

/* Exit codes. */
enum { ZC_CLI_OK = 0, ZC_CLI_ERROR = 1, ZC_CLI_USAGE = 2 };

typedef struct zc_cli_backend {
    zc_client *client;     /* --server; owned */
    zc_index *idx;         /* --index; owned */
    const char *where;     /* the address or directory, for messages */
} zc_cli_backend;

/* Answers one request line (no LF) in either mode.  *reply gets the reply
 * line without LF (returns new; free with free()).  Returns ZC_OK when a
 * reply was obtained (it may itself be an error object); another status
 * when none could be (connection lost, ...), with err filled. */
zc_status zc_cli_request(zc_cli_backend *b, const char *line, size_t len,
                         char **reply, size_t *reply_len, zc_error *err);

/* Search options given as flags; turned into the JSON argument of SEARCH. */
typedef struct zc_cli_search_opts {
    long limit, offset;
    int limit_set, offset_set; /* given on the command line */
    const char *lang, *from, *to, *sort;
    const char *issuers[32];
    size_t n_issuers;
    const char *facets;        /* comma-separated, or NULL */
    int no_snippet;
} zc_cli_search_opts;

/* Builds "SEARCH <json>" for query text q and the options.  Returns new
 * (free with free()), or NULL if q is not UTF-8 or memory ran out. */
char *zc_cli_search_line(const char *q, const zc_cli_search_opts *o, size_t *len);

/* ---- printing (cli_print.c) --------------------------------------------- */

/* Marks matches in snippets with ANSI bold (1) or [brackets] (0). */
extern int zc_cli_color;

/* Prints a reply for a human: hits, a document, stats, pong, or an error
 * (on stderr).  `verb` is the request's verb in upper case; `offset` the
 * search offset (ranks start at offset + 1).  Returns the exit code the
 * reply means (0 ok, 1 error reply). */
int zc_cli_print_reply(const char *verb, const char *reply, size_t len, long offset);

/* Returns 0 for {"ok":true,...}, 1 otherwise (error object or not JSON). */
int zc_cli_reply_code(const char *reply, size_t len);

/* ---- shell (cli_shell.c) ------------------------------------------------ */

/* The interactive session: libedit line editing and history in
 * ~/.zhengce_history.  Returns an exit code. */
int zc_cli_shell(zc_cli_backend *b, int json);

/* Runs one command given as words ("search", "get", ...): shared by the
 * command line and the shell.  Returns an exit code. */
int zc_cli_run_words(zc_cli_backend *b, int argc, char **argv, int json_default);

#endif
