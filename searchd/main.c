/* searchd/main.c — zhengce-searchd: options, pidfile, exit status.
 * Everything else is in server.c; this file is the only one that exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "searchd/config.h"
#include "searchd/log.h"
#include "searchd/server.h"

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        zc_log("error", "--pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    if (fclose(f) != 0) {
        zc_log("error", "--pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    zc_sd_config cfg;
    zc_config_defaults(&cfg);
    char err[1024];
    if (zc_config_parse_args(&cfg, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "zhengce-searchd: %s\n\n%s", err, zc_config_usage());
        zc_config_free(&cfg);
        return 2;
    }
    if (cfg.help) {
        fputs(zc_config_usage(), stdout);
        zc_config_free(&cfg);
        return 0;
    }
    if (cfg.version) {
        printf("zhengce-searchd %s (libzhengce %s)\n", ZC_VERSION_STRING, zc_version());
        zc_config_free(&cfg);
        return 0;
    }
    if (cfg.index == NULL) {
        fprintf(stderr, "zhengce-searchd: --index DIR is required\n\n%s", zc_config_usage());
        zc_config_free(&cfg);
        return 2;
    }
    zc_log_verbose = cfg.verbose;
    /* A client that vanishes mid-write must cost an EPIPE, not the daemon. */
    signal(SIGPIPE, SIG_IGN);

    zc_error zerr;
    if (zc_global_init(&zerr) != ZC_OK) {
        zc_log("error", "library initialisation failed: %s", zerr.message);
        zc_config_free(&cfg);
        return 1;
    }
    static zc_server srv;
    int code = 1, pid_written = 0;
    if (zc_server_init(&srv, &cfg) == 0 &&
        (cfg.pidfile == NULL || (pid_written = write_pidfile(cfg.pidfile) == 0)))
        code = zc_server_run(&srv);
    zc_server_free(&srv);
    if (pid_written)
        unlink(cfg.pidfile);
    zc_config_free(&cfg);
    return code;
}
