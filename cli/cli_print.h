/* cli/cli_print.h — the `zhengce` client's output: a protocol reply object
 * printed for people (hits, a document, stats, pong, errors on stderr), and
 * the exit code a reply means.
 *
 * Owns: nothing but the colour switch.
 * Must never: send a request; it works on a reply alone, so both backends
 * print the same thing. */
#ifndef ZC_CLI_PRINT_H
#define ZC_CLI_PRINT_H

#include <stddef.h>

/* Exit codes of `zhengce`. */
enum { ZC_CLI_OK = 0, ZC_CLI_ERROR = 1, ZC_CLI_USAGE = 2 };

/* Marks matches in snippets with ANSI bold (1) or [brackets] (0).  Set once
 * by main. */
extern int zc_cli_color;

/* Prints a reply (len bytes, no LF) for a human: hits, a document, stats,
 * pong, or an error (on stderr).  `verb` is the request's verb in upper
 * case; `offset` the search offset (ranks start at offset + 1).  Returns
 * the exit code the reply means (0 ok, 1 error reply). */
int zc_cli_print_reply(const char *verb, const char *reply, size_t len, long offset);

/* Returns 0 for {"ok":true,...}, 1 otherwise (error object or not JSON). */
int zc_cli_reply_code(const char *reply, size_t len);

#endif
