/* cli/cli_shell.h — `zhengce shell`, an interactive session (see
 * cli_shell.c).  Must never: exit. */
#ifndef ZC_CLI_SHELL_H
#define ZC_CLI_SHELL_H

#include "cli/cli_backend.h"

/* The interactive session: libedit line editing and history in
 * ~/.zhengce_history on a terminal, plain lines from a pipe.  json: client
 * commands print reply objects.  Returns an exit code. */
int zc_cli_shell(zc_cli_backend *b, int json);

#endif
