/* cli/cli_cmd.h — the `zhengce` client's commands: the command line's
 * options, and search, get, stats and ping turned into one protocol
 * request each and run on a backend.  Shared by the command line (cli.c)
 * and the shell (cli_shell.c).
 *
 * Owns: nothing between calls.
 * Must never: exit (it returns exit codes). */
#ifndef ZC_CLI_CMD_H
#define ZC_CLI_CMD_H

#include <stddef.h>

#include "cli/cli_backend.h"

/* A repeatable flag's values (borrowed from argv). */
typedef struct zc_cli_list {
    const char *v[32];
    size_t n;
} zc_cli_list;

/* Search options given as flags; turned into the JSON argument of SEARCH. */
typedef struct zc_cli_search_opts {
    long limit, offset;
    int limit_set, offset_set; /* given on the command line */
    const char *lang, *from, *to, *sort;
    zc_cli_list issuers;       /* --issuer: whole issuer fields */
    zc_cli_list issued_by;     /* --issued-by: bodies of (joint) issuers */
    zc_cli_list tags, levels, tiers;
    const char *facets;        /* comma-separated, or NULL */
    int no_snippet;
    const char *exact_count;   /* a number or "all" (every match), or NULL */
    int collapse;              /* --collapse: "collapse":true */
} zc_cli_search_opts;

/* The command line, parsed.  Strings are borrowed from argv. */
typedef struct zc_cli_args {
    const char *index, *server;
    double timeout;
    int json, stdin_mode, help, version;
    zc_cli_search_opts so;
    int nargs;                 /* words after the options: the command and its arguments */
    char **args;
} zc_cli_args;

/* The --help text.  Static. */
const char *zc_cli_usage(void);

/* Prints "zhengce: " + fmt (one %s: arg) + a hint to stderr; returns
 * ZC_CLI_USAGE. */
int zc_cli_usage_error(const char *fmt, const char *arg);

/* Parses argv from index 0 (the program, or a command word in the shell);
 * allow_backend says whether --index, --server and --timeout may be given
 * (0 only in the shell, where argv[0] is the command word).  Options may
 * come anywhere, except that a search's query begins at its first word that
 * is not an option, or after "--": from there on every word, even one
 * starting with '-', is query text.
 * Returns 0, or ZC_CLI_USAGE after printing why. */
int zc_cli_parse_args(int argc, char **argv, zc_cli_args *a, int allow_backend);

/* Builds "SEARCH <json>" for query text q and the options.  Returns new
 * (free with free()), or NULL if q is not UTF-8 or memory ran out. */
char *zc_cli_search_line(const char *q, const zc_cli_search_opts *o, size_t *len);

/* Runs the command a->args[0] (search, get, stats, ping) with its words and
 * options; json: print the reply object as it is.  Returns an exit code. */
int zc_cli_run_command(zc_cli_backend *b, const zc_cli_args *a, int json);

/* Runs one command given as words ("search", "--limit", "3", "东北"), as
 * the shell reads them.  Returns an exit code. */
int zc_cli_run_words(zc_cli_backend *b, int argc, char **argv, int json_default);

#endif
