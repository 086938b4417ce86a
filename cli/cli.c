/* cli/cli.c — `zhengce`, the command-line client: main.  The commands are
 * in cli_cmd.c, the shell in cli_shell.c, the two backends (a local index
 * answered by the executor, or a daemon) in cli_backend.c, the readable
 * output in cli_print.c.  This file is the only one that exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_backend.h"
#include "cli/cli_cmd.h"
#include "cli/cli_print.h"
#include "cli/cli_shell.h"

/* --index, --server, else $ZHENGCE_SERVER, else $ZHENGCE_INDEX.  Returns an
 * exit code (0: b is open). */
static int open_backend(const zc_cli_args *a, zc_cli_backend *b)
{
    memset(b, 0, sizeof *b);
    const char *server = a->server, *index = a->index;
    if (server && index)
        return zc_cli_usage_error("give --index or --server, not both%s", "");
    if (!server && !index) {
        server = getenv("ZHENGCE_SERVER");
        if (server == NULL || *server == '\0') {
            server = NULL;
            index = getenv("ZHENGCE_INDEX");
            if (index == NULL || *index == '\0')
                return zc_cli_usage_error("say where: --index DIR or --server HOST:PORT%s", "");
        }
    }
    zc_error err;
    memset(&err, 0, sizeof err);
    if (zc_cli_backend_open(b, index, server, a->timeout, &err) != ZC_OK) {
        if (server)
            fprintf(stderr, "zhengce: %s\n", err.message);
        else
            fprintf(stderr, "zhengce: %s: %s\n", index, err.message);
        return ZC_CLI_ERROR;
    }
    return ZC_CLI_OK;
}

int main(int argc, char **argv)
{
    zc_cli_args a;
    int rc = zc_cli_parse_args(argc, argv, &a, 1);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(zc_cli_usage(), stdout);
        return ZC_CLI_OK;
    }
    if (a.version) {
        printf("zhengce %s (libzhengce %s)\n", ZC_VERSION_STRING, zc_version());
        return ZC_CLI_OK;
    }
    if (a.nargs == 0)
        return zc_cli_usage_error("no command given%s", "");
    const char *cmd = a.args[0];
    if (strcmp(cmd, "search") && strcmp(cmd, "get") && strcmp(cmd, "stats") &&
        strcmp(cmd, "ping") && strcmp(cmd, "shell"))
        return zc_cli_usage_error("unknown command '%s'", cmd);
    const char *nc = getenv("NO_COLOR");
    zc_cli_color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
    zc_cli_backend b;
    rc = open_backend(&a, &b);
    if (rc != 0)
        return rc;
    if (strcmp(cmd, "shell") == 0)
        rc = a.nargs == 1 ? zc_cli_shell(&b, a.json)
                          : zc_cli_usage_error("shell takes no arguments%s", "");
    else
        rc = zc_cli_run_command(&b, &a, a.json);
    zc_cli_backend_close(&b);
    return rc;
}
