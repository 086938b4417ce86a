/* searchd/config.c — defaults, command line and config file (see config.h).
 * One table lists every option once; argv and the file both go through
 * zc_config_set, so they accept exactly the same names and values. */
#include "searchd/config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zhengce.h"
#include "searchd/limits.h"

typedef enum opt_type { T_STR, T_FLAG, T_SECONDS, T_UINT, T_SIZE, T_LISTEN, T_MS } opt_type;

typedef struct opt {
    const char *name;
    opt_type type;
    size_t off;
    double min, max;      /* numeric bounds, inclusive */
    int hidden;           /* not in the usage text */
} opt;

#define OFF(f) offsetof(zc_sd_config, f)

static const opt opts[] = {
    {"index", T_STR, OFF(index), 0, 0, 0},
    {"listen", T_LISTEN, 0, 0, 0, 0},
    {"unix", T_STR, OFF(unix_path), 0, 0, 0},
    {"writable", T_FLAG, OFF(writable), 0, 0, 0},
    {"token-file", T_STR, OFF(token_file), 0, 0, 0},
    {"commit-interval", T_SECONDS, OFF(commit_interval), 0.001, 86400, 0},
    {"max-connections", T_UINT, OFF(max_connections), 1, 1000000, 0},
    {"max-conns-per-ip", T_UINT, OFF(max_conns_per_ip), 0, 1000000, 0},
    {"max-client-memory", T_SIZE, OFF(max_client_memory), ZC_SD_CLIENT_MEMORY_MIN,
     ZC_SD_CLIENT_MEMORY_MAX, 0},
    {"send-timeout", T_SECONDS, OFF(send_timeout), 0, 31536000, 0},
    {"max-line", T_SIZE, OFF(max_line), ZC_SD_MAX_LINE_MIN, ZC_SD_MAX_LINE_MAX, 0},
    {"idle-timeout", T_SECONDS, OFF(idle_timeout), 0, 31536000, 0},
    {"query-timeout", T_SECONDS, OFF(query_timeout), 0, 86400, 0},
    {"exact-count", T_UINT, OFF(exact_count), 0, 4294967295.0, 0},
    {"workers", T_UINT, OFF(workers), 0, ZC_SD_WORKERS_MAX, 0},
    {"pidfile", T_STR, OFF(pidfile), 0, 0, 0},
    {"slow-ms", T_MS, OFF(slow_ms), 0, 1e9, 0},
    {"verbose", T_FLAG, OFF(verbose), 0, 0, 0},
    {"debug-delay-ms", T_MS, OFF(debug_delay_ms), 0, 600000, 1},
    {"help", T_FLAG, OFF(help), 0, 0, 1},
    {"version", T_FLAG, OFF(version), 0, 0, 1},
    {"config", T_STR, 0, 0, 0, 1},   /* handled by zc_config_parse_args */
};

void zc_config_defaults(zc_sd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->commit_interval = ZC_SD_COMMIT_INTERVAL_DEFAULT;
    cfg->max_connections = ZC_SD_MAX_CONNECTIONS_DEFAULT;
    cfg->max_line = ZC_SD_MAX_LINE_DEFAULT;
    cfg->idle_timeout = ZC_SD_IDLE_TIMEOUT_DEFAULT;
    cfg->query_timeout = ZC_SD_QUERY_TIMEOUT_DEFAULT;
    cfg->exact_count = ZC_SEARCH_EXACT_COUNT_DEFAULT;
    cfg->slow_ms = ZC_SD_SLOW_MS_DEFAULT;
    cfg->send_timeout = ZC_SD_SEND_TIMEOUT_DEFAULT;
    /* max_client_memory 0: chosen from --max-line at start-up (server.c). */
}

void zc_config_free(zc_sd_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->index);
    for (size_t i = 0; i < cfg->n_listen; i++)
        free(cfg->listen[i]);
    free(cfg->unix_path);
    free(cfg->token_file);
    free(cfg->pidfile);
    memset(cfg, 0, sizeof *cfg);
}

static const opt *find_opt(const char *name)
{
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

static int parse_bool(const char *v, int *out)
{
    if (v == NULL || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") ||
        !strcmp(v, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* A decimal number with an optional size suffix (k, m, g: powers of 1024)
 * when `size` is set. */
static int parse_number(const char *v, int size, double *out)
{
    if (v == NULL || *v == '\0')
        return -1;
    errno = 0;
    char *end;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || !isfinite(d))
        return -1;
    if (size && *end) {
        switch (*end) {
        case 'k': case 'K': d *= 1024; end++; break;
        case 'm': case 'M': d *= 1024 * 1024; end++; break;
        case 'g': case 'G': d *= 1024.0 * 1024 * 1024; end++; break;
        default: return -1;
        }
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
    }
    if (*end != '\0')
        return -1;
    *out = d;
    return 0;
}

static int set_str(char **slot, const char *value)
{
    char *s = strdup(value);
    if (s == NULL)
        return -1;
    free(*slot);
    *slot = s;
    return 0;
}

int zc_config_set(zc_sd_config *cfg, const char *key, const char *value,
                  int from_cli, char *err, size_t errcap)
{
    const opt *o = find_opt(key);
    if (o == NULL) {
        snprintf(err, errcap, "unknown option '%s'", key);
        return -1;
    }
    char *base = (char *)cfg;
    if (o->type != T_FLAG && value == NULL) {
        snprintf(err, errcap, "option '%s' needs a value", key);
        return -1;
    }
    switch (o->type) {
    case T_STR:
        if (strcmp(key, "config") == 0)
            return 0;            /* read by zc_config_parse_args */
        if (*value == '\0') {
            snprintf(err, errcap, "option '%s' needs a non-empty value", key);
            return -1;
        }
        if (set_str((char **)(base + o->off), value) != 0) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
        return 0;
    case T_FLAG: {
        int b;
        if (parse_bool(value, &b) != 0) {
            snprintf(err, errcap, "option '%s': '%s' is not a boolean", key, value);
            return -1;
        }
        *(int *)(base + o->off) = b;
        return 0;
    }
    case T_LISTEN:
        if (from_cli && !cfg->listen_from_cli) {
            /* The command line replaces the config file's addresses. */
            for (size_t i = 0; i < cfg->n_listen; i++)
                free(cfg->listen[i]);
            cfg->n_listen = 0;
            cfg->listen_from_cli = 1;
        }
        if (cfg->n_listen >= ZC_SD_LISTEN_MAX) {
            snprintf(err, errcap, "at most %d --listen addresses", ZC_SD_LISTEN_MAX);
            return -1;
        }
        if (*value == '\0') {
            snprintf(err, errcap, "option 'listen' needs HOST:PORT");
            return -1;
        }
        cfg->listen[cfg->n_listen] = strdup(value);
        if (cfg->listen[cfg->n_listen] == NULL) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
        cfg->n_listen++;
        return 0;
    case T_SECONDS:
    case T_MS:
    case T_UINT:
    case T_SIZE: {
        double d;
        if (parse_number(value, o->type == T_SIZE, &d) != 0 || d < o->min || d > o->max ||
            ((o->type == T_UINT || o->type == T_SIZE) && d != floor(d))) {
            snprintf(err, errcap, "option '%s': '%s' is not a %s between %g and %g", key,
                     value,
                     o->type == T_UINT || o->type == T_SIZE ? "whole number" : "number",
                     o->min, o->max);
            return -1;
        }
        if (o->type == T_UINT)
            *(unsigned *)(base + o->off) = (unsigned)d;
        else if (o->type == T_SIZE)
            *(size_t *)(base + o->off) = (size_t)d;
        else
            *(double *)(base + o->off) = d;
        return 0;
    }
    }
    snprintf(err, errcap, "option '%s': unhandled type", key);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int zc_config_load_file(zc_sd_config *cfg, const char *path, char *err,
                        size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[ZC_SD_CONFIG_LINE_MAX];
    char msg[512];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errcap, "%s:%u: line longer than %u bytes", path, lineno,
                     ZC_SD_CONFIG_LINE_MAX - 2);
            rc = -1;
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        char *value = NULL;
        if (eq != NULL) {
            *eq = '\0';
            value = trim(eq + 1);
        }
        char *key = trim(s);
        if (strcmp(key, "config") == 0) {
            snprintf(err, errcap, "%s:%u: 'config' cannot be nested", path, lineno);
            rc = -1;
            break;
        }
        if (zc_config_set(cfg, key, value, 0, msg, sizeof msg) != 0) {
            snprintf(err, errcap, "%s:%u: %s", path, lineno, msg);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errcap, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

/* Splits "--key=value" / "--key value" at argv[*i]; advances *i past what
 * it used.  Returns 0, or -1 for something that is not an option. */
static int next_option(int argc, char **argv, int *i, char *key, size_t keycap,
                       const char **value, char *err, size_t errcap)
{
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
        snprintf(err, errcap, "unexpected argument '%s'", a);
        return -1;
    }
    a += 2;
    const char *eq = strchr(a, '=');
    size_t klen = eq ? (size_t)(eq - a) : strlen(a);
    if (klen >= keycap) {
        snprintf(err, errcap, "unknown option '--%s'", a);
        return -1;
    }
    memcpy(key, a, klen);
    key[klen] = '\0';
    const opt *o = find_opt(key);
    if (o == NULL) {
        snprintf(err, errcap, "unknown option '--%s'", key);
        return -1;
    }
    (*i)++;
    if (eq) {
        *value = eq + 1;
    } else if (o->type == T_FLAG) {
        *value = NULL;
    } else {
        if (*i >= argc) {
            snprintf(err, errcap, "option '--%s' needs a value", key);
            return -1;
        }
        *value = argv[(*i)++];
    }
    return 0;
}

int zc_config_parse_args(zc_sd_config *cfg, int argc, char **argv, char *err,
                         size_t errcap)
{
    char key[64];
    const char *value;
    char msg[512];
    /* Pass 1: the config file, so the command line can override it. */
    for (int i = 1; i < argc;) {
        if (!strcmp(argv[i], "-h")) {
            cfg->help = 1;
            return 0;
        }
        if (next_option(argc, argv, &i, key, sizeof key, &value, err, errcap) != 0)
            return -1;
        if (strcmp(key, "config") == 0 &&
            zc_config_load_file(cfg, value, err, errcap) != 0)
            return -1;
    }
    for (int i = 1; i < argc;) {
        if (next_option(argc, argv, &i, key, sizeof key, &value, err, errcap) != 0)
            return -1;
        if (zc_config_set(cfg, key, value, 1, msg, sizeof msg) != 0) {
            snprintf(err, errcap, "%s", msg);
            return -1;
        }
    }
    return 0;
}

const char *zc_config_usage(void)
{
    return "usage: zhengce-searchd --index DIR [options]\n"
           "\n"
           "Serves the zhengce line protocol (docs/protocol.md) over TCP and/or a\n"
           "Unix socket.\n"
           "\n"
           "  --index DIR             the index directory (required)\n"
           "  --listen HOST:PORT      TCP address, repeatable (default " ZC_SD_DEFAULT_LISTEN ");\n"
           "                          port 0 picks a free port (logged); 'none' = no TCP\n"
           "  --unix PATH             also listen on a Unix socket (mode 0600)\n"
           "  --writable              accept ADD, DEL and COMMIT (creates the index)\n"
           "  --token-file FILE       require AUTH <token> before write verbs\n"
           "  --commit-interval S     commit pending writes within S seconds (default 1)\n"
           "  --max-connections N     open connections before 'busy' (default 1024)\n"
           "  --max-conns-per-ip N    open connections from one client address before\n"
           "                          'busy' (default 0 = no limit)\n"
           "  --max-client-memory BYTES\n"
           "                          unfinished lines and unsent replies of all\n"
           "                          clients together; past it the largest holder is\n"
           "                          closed (default 256m, at least 4 x --max-line)\n"
           "  --send-timeout S        close a client that takes none of a pending\n"
           "                          reply for S seconds (default 60; 0 = never)\n"
           "  --max-line BYTES        longest request line (default 1048576; k/m suffixes)\n"
           "  --idle-timeout S        close idle connections after S seconds (default 300;\n"
           "                          0 = never)\n"
           "  --query-timeout S       per-query time limit (default 10; 0 = none)\n"
           "  --exact-count N         count up to N matches exactly when a SEARCH does\n"
           "                          not say (\"exact_count\"); past N the total is an\n"
           "                          estimate (default 10000; 0 = Xapian's figure)\n"
           "  --workers N             query threads (default: one per core)\n"
           "  --slow-ms MS            log queries slower than MS (default 1000)\n"
           "  --pidfile FILE          write the process id to FILE\n"
           "  --verbose               log every connection\n"
           "  --config FILE           read 'option = value' lines (command line wins)\n"
           "  --help, --version\n"
           "\n"
           "Signals: SIGTERM/SIGINT finish in-flight requests, commit and exit 0;\n"
           "SIGHUP reopens the index.\n";
}
