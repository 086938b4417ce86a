/* searchd/config.h — the daemon's settings: defaults, the command line and
 * the --config file (`key = value` lines whose keys are the long option
 * names without the dashes).
 *
 * Owns: the strings in zc_sd_config (free with zc_config_free).
 * Precedence: defaults < config file < command line.  A --listen on the
 * command line replaces every listen of the config file.
 * Must never: exit or print (main does both from the error text). */
#ifndef ZC_SEARCHD_CONFIG_H
#define ZC_SEARCHD_CONFIG_H

#include <stddef.h>

#define ZC_SD_LISTEN_MAX 8
#define ZC_SD_DEFAULT_LISTEN "127.0.0.1:7420"

typedef struct zc_sd_config {
    char *index;                    /* --index DIR (required) */
    char *listen[ZC_SD_LISTEN_MAX]; /* --listen HOST:PORT (repeatable); "none" = no TCP */
    size_t n_listen;                /* 0 = the default address */
    char *unix_path;                /* --unix PATH */
    int writable;                   /* --writable */
    char *token_file;               /* --token-file FILE */
    double commit_interval;         /* --commit-interval S */
    unsigned max_connections;       /* --max-connections N */
    size_t max_line;                /* --max-line BYTES */
    unsigned max_conns_per_ip;      /* --max-conns-per-ip N (0 = no limit) */
    size_t max_client_memory;       /* --max-client-memory BYTES (0 = default) */
    double send_timeout;            /* --send-timeout S (0 = never) */
    double idle_timeout;            /* --idle-timeout S (0 = never) */
    double query_timeout;           /* --query-timeout S (0 = none) */
    unsigned exact_count;           /* --exact-count N: SEARCH's "exact_count" default */
    unsigned workers;               /* --workers N (0 = one per core) */
    char *pidfile;                  /* --pidfile FILE */
    double slow_ms;                 /* --slow-ms MS */
    int verbose;                    /* --verbose */
    double debug_delay_ms;          /* --debug-delay-ms MS: testing aid, see docs/protocol.md */
    int help, version;              /* --help, --version */
    int listen_from_cli;            /* internal: a --listen came from argv */
} zc_sd_config;

/* Fills the defaults of limits.h. */
void zc_config_defaults(zc_sd_config *cfg);
/* Frees the strings.  Accepts NULL. */
void zc_config_free(zc_sd_config *cfg);

/* Sets one option by its long name (no dashes).  value is NULL for a flag
 * given without a value.  from_cli says whether it came from argv (for the
 * --listen rule).  Returns 0, or -1 with a message in err (errcap bytes). */
int zc_config_set(zc_sd_config *cfg, const char *key, const char *value,
                  int from_cli, char *err, size_t errcap);

/* Reads a config file.  Blank lines and lines starting with '#' are
 * skipped; `key = value`, or `key` alone for a flag.  Returns 0, or -1 with
 * "FILE:LINE: message" in err. */
int zc_config_load_file(zc_sd_config *cfg, const char *path, char *err,
                        size_t errcap);

/* Parses argv (argv[0] skipped): first loads a --config file if one is
 * given, then applies the other options.  Returns 0, or -1 with a message
 * (a usage error). */
int zc_config_parse_args(zc_sd_config *cfg, int argc, char **argv, char *err,
                         size_t errcap);

/* The usage text (static). */
const char *zc_config_usage(void);

#endif
