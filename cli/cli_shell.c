/* cli/cli_shell.c — `zhengce shell`: an interactive session.
 *
 * A line is either a client command in lower case (search, get, stats,
 * ping, with the same options as on the command line; readable output) or
 * a raw protocol request (anything else, e.g. `SEARCH {"q":"东北"}`), whose
 * reply is printed as the JSON line it is.  On a terminal, libedit gives
 * line editing and a history kept in ~/.zhengce_history; from a pipe the
 * lines are read plainly, without prompt, so scripts can drive it. */
#include "cli/cli_shell.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli/cli_cmd.h"
#include "cli/cli_print.h"

#define SHELL_WORDS_MAX 256

static const char shell_help[] =
    "Commands:\n"
    "  search [options] QUERY   e.g. search --limit 3 --lang en revitalization\n"
    "  get ID | stats | ping\n"
    "  VERB ...                 any protocol request, sent as typed, e.g.\n"
    "                           SEARCH {\"q\":\"振兴东北\",\"facets\":[\"year\"]}\n"
    "  help | quit\n";

/* Splits a line into words: spaces separate, '...' and "..." group, a
 * backslash escapes the next character (outside single quotes).  Writes
 * into `out` (the line's own bytes, rewritten in place).  Returns the word
 * count, or -1 for an unterminated quote. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    char *r = line, *w = line;
    while (*r) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '\0')
            break;
        if (n >= max)
            return -1;
        words[n++] = w;
        char quote = 0;
        while (*r) {
            char c = *r;
            if (quote) {
                if (c == quote) {
                    quote = 0;
                    r++;
                } else if (c == '\\' && quote == '"' && r[1]) {
                    *w++ = r[1];
                    r += 2;
                } else {
                    *w++ = c;
                    r++;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                r++;
            } else if (c == '\\' && r[1]) {
                *w++ = r[1];
                r += 2;
            } else if (c == ' ' || c == '\t') {
                r++;
                break;
            } else {
                *w++ = c;
                r++;
            }
        }
        if (quote)
            return -1;
        *w++ = '\0';
    }
    return n;
}

static int is_command(const char *w)
{
    return !strcmp(w, "search") || !strcmp(w, "get") || !strcmp(w, "stats") ||
           !strcmp(w, "ping");
}

/* Handles one line; returns 1 to leave the shell. */
static int shell_line(zc_cli_backend *b, const char *text, int json, int *last)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    char *line = malloc(len + 1);
    if (line == NULL)
        return 1;
    memcpy(line, text, len);
    line[len] = '\0';
    char *copy = strdup(line);
    char *words[SHELL_WORDS_MAX];
    int n = copy ? split_words(copy, words, SHELL_WORDS_MAX) : -1;
    int leave = 0;
    if (n == 0) {
        /* blank line */
    } else if (n > 0 && (!strcmp(words[0], "quit") || !strcmp(words[0], "exit"))) {
        leave = 1;
    } else if (n > 0 && !strcmp(words[0], "help")) {
        fputs(shell_help, stdout);
    } else if (n > 0 && is_command(words[0])) {
        *last = zc_cli_run_words(b, n, words, json);
    } else if (n < 0 && is_command(line)) {
        fprintf(stderr, "zhengce: unterminated quote\n");
        *last = ZC_CLI_USAGE;
    } else {
        char *reply = NULL;
        size_t rlen = 0;
        zc_error err;
        memset(&err, 0, sizeof err);
        if (zc_cli_backend_request(b, line, len, &reply, &rlen, &err) != ZC_OK) {
            fprintf(stderr, "zhengce: %s: %s\n", b->where, err.message);
            *last = ZC_CLI_ERROR;
            leave = b->client != NULL;     /* the connection is gone */
        } else {
            fwrite(reply, 1, rlen, stdout);
            fputc('\n', stdout);
            *last = zc_cli_reply_code(reply, rlen);
            free(reply);
        }
    }
    fflush(stdout);
    free(copy);
    free(line);
    return leave;
}

int zc_cli_shell(zc_cli_backend *b, int json)
{
    int last = ZC_CLI_OK;
    if (!isatty(STDIN_FILENO)) {
        char *buf = NULL;
        size_t cap = 0;
        while (getline(&buf, &cap, stdin) >= 0)
            if (shell_line(b, buf, json, &last))
                break;
        free(buf);
        return last;
    }
    /* libedit reads multibyte input only in a UTF-8 locale: Chinese typed
     * at the prompt would be dropped in the "C" locale.  Only the character
     * type is taken from the environment (numbers stay C-formatted). */
    const char *loc = setlocale(LC_CTYPE, "");
    if (loc == NULL || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    char hist[4096] = "";
    const char *home = getenv("HOME");
    if (home && *home)
        snprintf(hist, sizeof hist, "%s/.zhengce_history", home);
    using_history();
    stifle_history(1000);
    if (hist[0])
        read_history(hist);
    printf("zhengce %s — %s %s.  Type help for commands, quit to leave.\n", ZC_VERSION_STRING,
           b->client ? "connected to" : "index", b->where);
    for (;;) {
        char *line = readline("zhengce> ");
        if (line == NULL) {
            printf("\n");
            break;
        }
        if (line[strspn(line, " \t")] != '\0')
            add_history(line);
        int leave = shell_line(b, line, json, &last);
        free(line);
        if (leave)
            break;
    }
    if (hist[0])
        write_history(hist);
    return ZC_CLI_OK;
}
