/* cli/cli_cmd.c — options and commands of `zhengce` (see cli_cmd.h). */
#include "cli/cli_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_print.h"
#include "base/utf8.h"

#define CLI_TIMEOUT_DEFAULT 60.0   /* seconds per request to a daemon */

static const char usage_text[] =
    "usage: zhengce [--index DIR | --server HOST:PORT] COMMAND [options] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  search QUERY...     search (words are joined with spaces); options go\n"
    "                      before the query: from its first word on, words\n"
    "                      starting with '-' are query text; '--' ends options\n"
    "  search --stdin      one query per input line (plain text or a JSON\n"
    "                      object); one JSON reply per output line\n"
    "  get ID              print a stored document\n"
    "  stats               index and server figures\n"
    "  ping                check that the server answers\n"
    "  shell               interactive session (line editing, history)\n"
    "\n"
    "Where:\n"
    "  --index DIR         open the index directly (read-only)\n"
    "  --server ADDR       talk to zhengce-searchd at HOST:PORT or a Unix socket\n"
    "                      path (containing '/'); default $ZHENGCE_SERVER, then\n"
    "                      --index $ZHENGCE_INDEX\n"
    "  --timeout S         seconds to wait for the server (default 60)\n"
    "\n"
    "Output:\n"
    "  --json              print exactly the protocol's reply object\n"
    "  (default)           readable: rank, title, date, issuer, docno, id and the\n"
    "                      snippet, matches in bold on a terminal, else [in brackets]\n"
    "\n"
    "Search options (see the protocol's SEARCH):\n"
    "  --limit N  --offset N  --lang zh|en\n"
    "  --issuer NAME       the whole issuer field, exactly (after normalization):\n"
    "                      --issuer 中共中央 does not match 中共中央、国务院\n"
    "  --issued-by NAME    one body of the issuer: --issued-by 中共中央 matches\n"
    "                      中共中央 and 中共中央、国务院 (joint issuers are split\n"
    "                      at 、，,；/)\n"
    "  --tag NAME          documents with that tag (the whole tag)\n"
    "  --level CODE        law, admin_reg, dept_rule, local_reg, local_rule,\n"
    "                      normative, exec_order\n"
    "  --tier NAME         central, provincial, municipal, county, federal\n"
    "                      (each of these five repeatable: any of the names)\n"
    "  --from DATE  --to DATE (YYYY, YYYY-MM or YYYY-MM-DD)\n"
    "  --sort relevance|date|date_asc  --no-snippet\n"
    "  --facets LIST       of issuer,year,lang,level,tier,issued_by,tags\n"
    "  --exact-count N|all  count up to N matches exactly (default: the server's,\n"
    "                      10000); past N the total is an estimate: \"about N\"\n"
    "  --collapse          one hit per group of duplicates and versions of a\n"
    "                      document, listing the others; counts are of groups\n"
    "\n"
    "Exit status: 0 ok, 1 error reply or not found, 2 usage error.\n";

const char *zc_cli_usage(void)
{
    return usage_text;
}

enum {
    OPT_INDEX = 256, OPT_SERVER, OPT_TIMEOUT, OPT_JSON, OPT_STDIN, OPT_LIMIT, OPT_OFFSET,
    OPT_LANG, OPT_ISSUER, OPT_FROM, OPT_TO, OPT_SORT, OPT_FACETS, OPT_NO_SNIPPET, OPT_EXACT_COUNT,
    OPT_HELP, OPT_VERSION, OPT_COLLAPSE, OPT_ISSUED_BY, OPT_TAG, OPT_LEVEL, OPT_TIER
};

static const struct option long_opts[] = {
    {"index", required_argument, NULL, OPT_INDEX},
    {"server", required_argument, NULL, OPT_SERVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"stdin", no_argument, NULL, OPT_STDIN},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"lang", required_argument, NULL, OPT_LANG},
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"issued-by", required_argument, NULL, OPT_ISSUED_BY},
    {"tag", required_argument, NULL, OPT_TAG},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"tier", required_argument, NULL, OPT_TIER},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"sort", required_argument, NULL, OPT_SORT},
    {"facets", required_argument, NULL, OPT_FACETS},
    {"no-snippet", no_argument, NULL, OPT_NO_SNIPPET},
    {"exact-count", required_argument, NULL, OPT_EXACT_COUNT},
    {"collapse", no_argument, NULL, OPT_COLLAPSE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

int zc_cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "zhengce: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(zhengce --help for usage)\n");
    return ZC_CLI_USAGE;
}

/* A whole decimal number; the range check is the server's (library's), so
 * both modes report it the same way. */
static int parse_long(const char *s, long *out)
{
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Whether the long option word s ("--name" or "--name=value") takes its
 * value from the next word, resolving abbreviations as getopt_long does. */
static int long_takes_next(const char *s)
{
    const char *name = s + 2;
    if (strchr(name, '=') != NULL)
        return 0;
    size_t n = strlen(name);
    const struct option *hit = NULL;
    int nhits = 0;
    for (const struct option *o = long_opts; o->name; o++) {
        if (strncmp(o->name, name, n) != 0)
            continue;
        if (o->name[n] == '\0')
            return o->has_arg == required_argument;
        hit = o;
        nhits++;
    }
    return nhits == 1 && hit->has_arg == required_argument;
}

/* How many words of argv getopt may look at: all of them, except after
 * "search", where the query starts at its first word that is not an
 * option (or after "--").  A query word may then start with '-'
 * (`search climate -change`), and options after the query are query words
 * rather than being moved in front of it by GNU getopt.  argv[0] is the
 * command word when command_first. */
static int option_words(int argc, char **argv, int command_first)
{
    int search = command_first && strcmp(argv[0], "search") == 0;
    int have_command = command_first;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--") == 0)
            return search ? i + 1 : argc;   /* getopt swallows the "--" */
        if (s[0] == '-' && s[1] != '\0') {
            if (s[1] == '-' && long_takes_next(s))
                i++;
            continue;
        }
        if (have_command)
            return search ? i : argc;
        have_command = 1;
        search = strcmp(s, "search") == 0;
        if (!search)
            return argc;
    }
    return argc;
}

int zc_cli_parse_args(int argc, char **argv, zc_cli_args *a, int allow_backend)
{
    memset(a, 0, sizeof *a);
    a->timeout = CLI_TIMEOUT_DEFAULT;
    optind = 0;       /* GNU: full re-initialisation, so the shell can reuse it */
    opterr = 0;
    int nopt = option_words(argc, argv, !allow_backend);
    for (;;) {
        int c = getopt_long(nopt, argv, ":h", long_opts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_INDEX:
        case OPT_SERVER:
        case OPT_TIMEOUT:
            if (!allow_backend)
                return zc_cli_usage_error("%s cannot be changed inside the shell", argv[optind - 1]);
            if (c == OPT_INDEX)
                a->index = optarg;
            else if (c == OPT_SERVER)
                a->server = optarg;
            else {
                char *end;
                a->timeout = strtod(optarg, &end);
                if (*end || a->timeout < 0)
                    return zc_cli_usage_error("bad --timeout '%s'", optarg);
            }
            break;
        case OPT_JSON: a->json = 1; break;
        case OPT_STDIN: a->stdin_mode = 1; break;
        case OPT_LIMIT:
            if (parse_long(optarg, &a->so.limit) != 0)
                return zc_cli_usage_error("--limit wants a number, not '%s'", optarg);
            a->so.limit_set = 1;
            break;
        case OPT_OFFSET:
            if (parse_long(optarg, &a->so.offset) != 0)
                return zc_cli_usage_error("--offset wants a number, not '%s'", optarg);
            a->so.offset_set = 1;
            break;
        case OPT_LANG: a->so.lang = optarg; break;
        case OPT_ISSUER:
        case OPT_ISSUED_BY:
        case OPT_TAG:
        case OPT_LEVEL:
        case OPT_TIER: {
            zc_cli_list *l = c == OPT_ISSUER      ? &a->so.issuers
                             : c == OPT_ISSUED_BY ? &a->so.issued_by
                             : c == OPT_TAG       ? &a->so.tags
                             : c == OPT_LEVEL     ? &a->so.levels
                                                  : &a->so.tiers;
            if (l->n >= sizeof l->v / sizeof *l->v)
                return zc_cli_usage_error("too many %s options", argv[optind - 1]);
            l->v[l->n++] = optarg;
            break;
        }
        case OPT_FROM: a->so.from = optarg; break;
        case OPT_TO: a->so.to = optarg; break;
        case OPT_SORT: a->so.sort = optarg; break;
        case OPT_FACETS: a->so.facets = optarg; break;
        case OPT_NO_SNIPPET: a->so.no_snippet = 1; break;
        case OPT_EXACT_COUNT: {
            long v;
            if (strcmp(optarg, "all") != 0 && parse_long(optarg, &v) != 0)
                return zc_cli_usage_error("--exact-count wants a number or 'all', not '%s'",
                                          optarg);
            a->so.exact_count = optarg;
            break;
        }
        case OPT_COLLAPSE: a->so.collapse = 1; break;
        case 'h':
        case OPT_HELP: a->help = 1; break;
        case OPT_VERSION: a->version = 1; break;
        case ':':
            return zc_cli_usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return zc_cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    a->nargs = argc - optind;
    a->args = argv + optind;
    return 0;
}

/* ---- building requests -------------------------------------------------- */

/* "key": the one value, or an array of them; nothing when the list is
 * empty. */
static void put_list(json_t *r, const char *key, const zc_cli_list *l)
{
    if (l->n == 1) {
        json_object_set_new(r, key, json_string(l->v[0]));
    } else if (l->n > 1) {
        json_t *arr = json_array();
        for (size_t i = 0; i < l->n; i++)
            json_array_append_new(arr, json_string(l->v[i]));
        json_object_set_new(r, key, arr);
    }
}

char *zc_cli_search_line(const char *q, const zc_cli_search_opts *o, size_t *len)
{
    *len = 0;
    json_t *r = json_object();
    if (r == NULL)
        return NULL;
    json_t *qs = json_string(q);     /* NULL if q is not UTF-8 */
    if (qs == NULL) {
        json_decref(r);
        return NULL;
    }
    json_object_set_new(r, "q", qs);
    if (o->limit_set)
        json_object_set_new(r, "limit", json_integer(o->limit));
    if (o->offset_set)
        json_object_set_new(r, "offset", json_integer(o->offset));
    if (o->lang)
        json_object_set_new(r, "lang", json_string(o->lang));
    put_list(r, "issuer", &o->issuers);
    put_list(r, "issued_by", &o->issued_by);
    put_list(r, "tags", &o->tags);
    put_list(r, "level", &o->levels);
    put_list(r, "tier", &o->tiers);
    if (o->from)
        json_object_set_new(r, "from", json_string(o->from));
    if (o->to)
        json_object_set_new(r, "to", json_string(o->to));
    if (o->sort)
        json_object_set_new(r, "sort", json_string(o->sort));
    if (o->facets) {
        json_t *arr = json_array();
        const char *p = o->facets;
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            if (n > 0)
                json_array_append_new(arr, json_stringn(p, n));
            p += n;
            if (*p == ',')
                p++;
        }
        json_object_set_new(r, "facets", arr);
    }
    if (o->no_snippet)
        json_object_set_new(r, "snippet", json_false());
    if (o->exact_count && strcmp(o->exact_count, "all") == 0) {
        json_object_set_new(r, "exact_count", json_true());
    } else if (o->exact_count) {
        /* Checked a number by the parser; a number the library's range
         * check refuses is sent as it is, so both modes report it alike. */
        long v = 0;
        parse_long(o->exact_count, &v);
        json_object_set_new(r, "exact_count", json_integer(v));
    }
    if (o->collapse)
        json_object_set_new(r, "collapse", json_true());
    char *body = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    if (body == NULL)
        return NULL;
    size_t bl = strlen(body);
    char *line = malloc(bl + 8);
    if (line) {
        memcpy(line, "SEARCH ", 7);
        memcpy(line + 7, body, bl + 1);
        *len = bl + 7;
    }
    free(body);
    return line;
}

/* ---- commands ----------------------------------------------------------- */

/* What the daemon answers to a query that is not UTF-8: the client cannot
 * put such a query into a JSON request, so it answers the same itself. */
static const char bad_utf8_reply[] =
    "{\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":\"the query is not valid UTF-8\"}}";

static int utf8_ok(const char *s)
{
    return zc_utf8_valid(s, strlen(s), NULL);
}

/* Sends one line and prints its reply; returns the exit code. */
static int run_line(zc_cli_backend *b, const char *verb, const char *line, size_t len,
                    int json, long offset)
{
    char *reply = NULL;
    size_t rlen = 0;
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_status st = zc_cli_backend_request(b, line, len, &reply, &rlen, &err);
    if (st != ZC_OK) {
        fprintf(stderr, "zhengce: %s: %s\n", b->where, err.message);
        return ZC_CLI_ERROR;
    }
    int code;
    if (json) {
        fwrite(reply, 1, rlen, stdout);
        fputc('\n', stdout);
        code = zc_cli_reply_code(reply, rlen);
    } else {
        code = zc_cli_print_reply(verb, reply, rlen, offset);
    }
    free(reply);
    fflush(stdout);
    return code;
}

static char *join_words(int n, char **w)
{
    size_t total = 1;
    for (int i = 0; i < n; i++)
        total += strlen(w[i]) + 1;
    char *s = malloc(total);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, w[i]);
    }
    return s;
}

/* --stdin: one query per line; one JSON reply per line.  A line starting
 * with '{' is a whole SEARCH argument; other lines are query text combined
 * with the option flags. */
static int search_stdin(zc_cli_backend *b, const zc_cli_search_opts *so)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int code = ZC_CLI_OK;
    while ((n = getline(&buf, &cap, stdin)) >= 0) {
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        size_t i = 0;
        while (i < (size_t)n && buf[i] == ' ')
            i++;
        if (i == (size_t)n)
            continue;
        char *line;
        size_t len;
        if (buf[i] == '{') {
            len = (size_t)n - i + 7;
            line = malloc(len + 1);
            if (line) {
                memcpy(line, "SEARCH ", 7);
                memcpy(line + 7, buf + i, (size_t)n - i + 1);
            }
        } else {
            line = zc_cli_search_line(buf + i, so, &len);
            if (line == NULL && !utf8_ok(buf + i)) {
                puts(bad_utf8_reply);
                code = ZC_CLI_ERROR;
                continue;
            }
        }
        if (line == NULL) {
            fprintf(stderr, "zhengce: out of memory\n");
            code = ZC_CLI_ERROR;
            break;
        }
        if (run_line(b, "SEARCH", line, len, 1, 0) != ZC_CLI_OK)
            code = ZC_CLI_ERROR;
        free(line);
    }
    free(buf);
    return code;
}

int zc_cli_run_command(zc_cli_backend *b, const zc_cli_args *a, int json)
{
    const char *cmd = a->args[0];
    int n = a->nargs - 1;
    char **w = a->args + 1;
    if (strcmp(cmd, "search") == 0) {
        if (a->stdin_mode) {
            if (n > 0)
                return zc_cli_usage_error("search --stdin takes no QUERY%s", "");
            return search_stdin(b, &a->so);
        }
        if (n == 0)
            return zc_cli_usage_error("search needs a QUERY%s", "");
        char *q = join_words(n, w);
        size_t len;
        char *line = q ? zc_cli_search_line(q, &a->so, &len) : NULL;
        if (line == NULL && q != NULL && !utf8_ok(q)) {
            free(q);
            if (json)
                puts(bad_utf8_reply);
            else
                fprintf(stderr, "zhengce: bad_request: the query is not valid UTF-8\n");
            return ZC_CLI_ERROR;
        }
        free(q);
        if (line == NULL) {
            fprintf(stderr, "zhengce: out of memory\n");
            return ZC_CLI_ERROR;
        }
        int code = run_line(b, "SEARCH", line, len, json, a->so.offset > 0 ? a->so.offset : 0);
        free(line);
        return code;
    }
    if (strcmp(cmd, "get") == 0) {
        if (n != 1)
            return zc_cli_usage_error("get needs exactly one ID%s", "");
        if (strpbrk(w[0], "\r\n") != NULL || w[0][0] == '\0')
            return zc_cli_usage_error("bad ID%s", "");
        size_t len = strlen(w[0]) + 4;
        char *line = malloc(len + 1);
        if (line == NULL)
            return ZC_CLI_ERROR;
        snprintf(line, len + 1, "GET %s", w[0]);
        int code = run_line(b, "GET", line, len, json, 0);
        free(line);
        return code;
    }
    if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "ping") == 0) {
        if (n != 0)
            return zc_cli_usage_error("%s takes no arguments", cmd);
        const char *verb = cmd[0] == 's' ? "STATS" : "PING";
        return run_line(b, verb, verb, strlen(verb), json, 0);
    }
    return zc_cli_usage_error("unknown command '%s'", cmd);
}

int zc_cli_run_words(zc_cli_backend *b, int argc, char **argv, int json_default)
{
    /* getopt wants argv[0] to be a program name: the command word is. */
    zc_cli_args a;
    int rc = zc_cli_parse_args(argc, argv, &a, 0);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(usage_text, stdout);
        return ZC_CLI_OK;
    }
    /* Put the command word back in front of the remaining words. */
    char **words = malloc(((size_t)a.nargs + 1) * sizeof *words);
    if (words == NULL)
        return ZC_CLI_ERROR;
    words[0] = argv[0];
    for (int i = 0; i < a.nargs; i++)
        words[i + 1] = a.args[i];
    a.args = words;
    a.nargs++;
    rc = zc_cli_run_command(b, &a, a.json || json_default);
    free(words);
    return rc;
}
