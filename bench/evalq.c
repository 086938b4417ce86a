/* evalq.c — the query driver of the evaluation harness (bench/eval/).
 *
 * Owns: running many SEARCH arguments against one read-only index in one
 * process, and printing one line per query:
 *   - default: the ids of the hits in rank order, tab-separated (an empty
 *     line when nothing matched);
 *   - --json: the protocol's SEARCH reply object (zc_results_to_json);
 *   - a query the library refuses: "#ERR<TAB>code<TAB>message" (with --json,
 *     the protocol's error object), so line N of the output always answers
 *     line N of the input.
 * Each input line is a SEARCH argument exactly as the daemon takes it: plain
 * query text or a JSON object (zc_search_request_parse).  An empty line is
 * answered with an empty line, not skipped, to keep the lines aligned.
 *
 * --any-words turns each (plain text) line into an "any of these words"
 * query built here, outside the library (a diagnostic: the harness sends
 * questions with the SEARCH option "match":"any", the path users get,
 * since 2026-11-28): the text is cut by the library's own
 * analyzer (lib/analyzer.h, the mode the index was built with unless
 * --analyzer says otherwise), and the original text of every term-sized
 * token (an English word, a CJK bigram, a dictionary word, a CJK character
 * no longer token covers) becomes one alternative of an OR.  So the query
 * terms are the index's terms, whatever the analyzer.  Duplicates are
 * dropped; at most ANY_MAX_PIECES are kept.
 *
 * --dry-run prints, per line, the query text that would be searched (the
 * --any-words OR query, or the line itself) and searches nothing.
 *
 * --info prints the index's stored format, analyzer and document count
 * (read through the Xapian wrapper, so it works on an index this build
 * would refuse) and exits.
 *
 * Must never: write to the index (it is opened ZC_OPEN_READ), or skip an
 * output line.  Snippets are off unless --snippets: the harness measures
 * ranking, and snippets cost time.
 *
 * Usage: evalq [--limit N] [--any-words] [--analyzer MODE] [--json]
 *              [--snippets] [--time-limit S] [--dry-run] INDEX
 *              < queries  > answers
 *        evalq --info INDEX
 * Exit status: 0 (even when some queries were refused), 2 on a usage error
 * or when the index cannot be opened.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/analyzer.h"
#include "protocol/reply.h"
#include "lib/schema.h"
#include "wrappers/xapian.h"
#include "lib/zhengce.h"

/* An OR of more pieces than this would pass the library's term limit
 * (ZC_QUERY_MAX_TERMS counts the title form and stems too); the longest
 * zh-ir question has about 150 bigrams. */
#define ANY_MAX_PIECES 300

/* Per-query time limit by default: generous, but a pathological query must
 * not hang the whole evaluation. */
#define DEFAULT_TIME_LIMIT_S 30.0

typedef struct opts {
    const char *index;
    long limit;          /* -1: keep each query's own */
    int any_words, json, snippets, info, dry_run;
    const char *analyzer; /* NULL: the index's */
    double time_limit;
} opts;

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void die_oom(void)
{
    fputs("evalq: out of memory\n", stderr);
    abort();
}

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (np == NULL)
            die_oom();
        b->p = np, b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void usage(FILE *f)
{
    fputs("usage: evalq [--limit N] [--any-words] [--analyzer ngram|words|hybrid]\n"
          "             [--json] [--snippets] [--time-limit S] [--dry-run] INDEX\n"
          "             < queries\n"
          "       evalq --info INDEX\n"
          "One SEARCH argument (plain text or JSON) per input line; one output line\n"
          "per query: hit ids tab-separated, or the JSON reply with --json;\n"
          "--dry-run prints the query that would be searched instead.\n",
          f);
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit = -1;
    o->time_limit = DEFAULT_TIME_LIMIT_S;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (strcmp(a, "--limit") == 0 && has_next) {
            char *end;
            errno = 0;
            o->limit = strtol(argv[++i], &end, 10);
            if (errno || *end || o->limit < 0 || o->limit > (long)ZC_SEARCH_LIMIT_MAX) {
                fprintf(stderr, "evalq: --limit must be 0..%u\n", ZC_SEARCH_LIMIT_MAX);
                return -1;
            }
        } else if (strcmp(a, "--time-limit") == 0 && has_next) {
            char *end;
            o->time_limit = strtod(argv[++i], &end);
            if (*end || o->time_limit < 0) {
                fputs("evalq: --time-limit must be a number of seconds >= 0\n", stderr);
                return -1;
            }
        } else if (strcmp(a, "--analyzer") == 0 && has_next) {
            o->analyzer = argv[++i];
        } else if (strcmp(a, "--any-words") == 0) {
            o->any_words = 1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--snippets") == 0) {
            o->snippets = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
        } else if (strcmp(a, "--info") == 0) {
            o->info = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "evalq: unknown option or missing value: %s\n", a);
            return -1;
        } else if (o->index == NULL) {
            o->index = a;
        } else {
            fprintf(stderr, "evalq: more than one index given: %s\n", a);
            return -1;
        }
    }
    if (o->index == NULL) {
        fputs("evalq: no INDEX given\n", stderr);
        return -1;
    }
    return 0;
}

/* Reads one metadata value of the index; "" when absent.  Returns new. */
static char *index_meta(zc_xap_db *db, const char *key)
{
    char *v = NULL;
    size_t n = 0;
    zc_error err;
    if (zc_xap_db_get_metadata(db, key, &v, &n, &err) != ZC_OK) {
        fprintf(stderr, "evalq: cannot read %s: %s\n", key, err.message);
        return strdup("");
    }
    return v;
}

static int print_info(const char *path)
{
    zc_error err;
    zc_xap_db *db = NULL;
    if (zc_xap_db_open(path, ZC_XAP_OPEN_READ, &db, &err) != ZC_OK) {
        fprintf(stderr, "evalq: cannot open index %s: %s\n", path, err.message);
        return 2;
    }
    char *fmt = index_meta(db, ZC_META_FORMAT);
    char *an = index_meta(db, ZC_META_ANALYZER);
    uint64_t docs = 0;
    if (zc_xap_db_doc_count(db, &docs, &err) != ZC_OK)
        fprintf(stderr, "evalq: cannot count documents: %s\n", err.message);
    printf("format=%s\nanalyzer=%s\ndocs=%llu\n", fmt ? fmt : "", an ? an : "",
           (unsigned long long)docs);
    free(fmt);
    free(an);
    zc_xap_db_close(db);
    return 0;
}

/* The analyzer mode for a name as indexes record it ("ngram", "words",
 * "hybrid", possibly with a suffix such as "words-2"). */
static int mode_of_name(const char *name, zc_seg_mode *out)
{
    static const struct { const char *name; zc_seg_mode mode; } names[] = {
        {"ngram", ZC_SEG_NGRAM}, {"words", ZC_SEG_WORDS}, {"hybrid", ZC_SEG_HYBRID}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (strncmp(name, names[i].name, n) == 0 &&
            (name[n] == '\0' || name[n] == '-' || name[n] == ':' || name[n] == '+')) {
            *out = names[i].mode;
            return 0;
        }
    }
    return -1;
}

/* The analyzer that cuts --any-words queries: the one named, else the
 * index's own; ngram (with a warning) when that one cannot be built here. */
static zc_analyzer *any_words_analyzer(const opts *o)
{
    char *stored = NULL;
    const char *name = o->analyzer;
    if (name == NULL) {
        zc_error err;
        zc_xap_db *db = NULL;
        if (zc_xap_db_open(o->index, ZC_XAP_OPEN_READ, &db, &err) == ZC_OK) {
            stored = index_meta(db, ZC_META_ANALYZER);
            zc_xap_db_close(db);
        }
        name = stored && stored[0] ? stored : "ngram";
    }
    zc_seg_mode mode = ZC_SEG_NGRAM;
    if (mode_of_name(name, &mode) != 0)
        fprintf(stderr, "evalq: unknown analyzer '%s': cutting queries with ngram\n", name);
    zc_analyzer *a = NULL;
    zc_error err;
    if (zc_analyzer_new(mode, &a, &err) != ZC_OK) {
        fprintf(stderr, "evalq: analyzer '%s' unavailable here (%s): cutting queries "
                        "with ngram\n", name, err.message);
        if (zc_analyzer_new(ZC_SEG_NGRAM, &a, &err) != ZC_OK) {
            fprintf(stderr, "evalq: cannot build an analyzer: %s\n", err.message);
            a = NULL;
        }
    }
    free(stored);
    return a;
}

/* ---- --any-words: text -> "p1 OR p2 OR ..." --------------------------- */

typedef struct span {
    size_t start, end;
} span;

/* Tokens kept from one question: enough for the longest zh-ir question in
 * any mode (words mode emits a word and a unigram per character). */
#define ANY_MAX_TOKENS (4 * ANY_MAX_PIECES)

typedef struct any_tok {
    span s;
    zc_tok_kind kind;
    int positional;
} any_tok;

typedef struct any_ctx {
    any_tok tok[ANY_MAX_TOKENS];
    size_t n;
    span pieces[ANY_MAX_PIECES];
    size_t n_pieces;
} any_ctx;

static int same_text(const char *t, span a, span b)
{
    return a.end - a.start == b.end - b.start &&
           memcmp(t + a.start, t + b.start, a.end - a.start) == 0;
}

static void add_piece(const char *t, any_ctx *c, span s)
{
    if (c->n_pieces >= ANY_MAX_PIECES || s.end <= s.start)
        return;
    for (size_t i = 0; i < c->n_pieces; i++)
        if (same_text(t, c->pieces[i], s))
            return;
    c->pieces[c->n_pieces++] = s;
}

static int any_token(void *ctx, const zc_token *tok)
{
    any_ctx *c = ctx;
    if (c->n < ANY_MAX_TOKENS)
        c->tok[c->n++] = (any_tok){{tok->start, tok->end}, tok->kind, tok->positional};
    return 0;
}

/* A single CJK character is a word of the question only where no longer
 * term (bigram or dictionary word) covers it: the lone character of a
 * one-character run (ngram, hybrid), or a character the segmenter left
 * alone (words mode, which also emits every character of every word). */
static int covered(const any_ctx *c, span s)
{
    for (size_t i = 0; i < c->n; i++) {
        const any_tok *t = &c->tok[i];
        if ((t->kind == ZC_TOK_CJK_BIGRAM || t->kind == ZC_TOK_CJK_WORD) &&
            t->s.start <= s.start && s.end <= t->s.end)
            return 1;
    }
    return 0;
}

/* Builds the OR query into out; returns 0, or -1 with a message in err.
 * The pieces, in text order: every word of an alphabetic script, every
 * CJK bigram and dictionary word, and every CJK character no longer term
 * covers (see covered); positionless unigrams of longer runs are not words
 * of the question. */
static int any_words_query(zc_analyzer *an, const char *text, size_t len, buf *out,
                           zc_error *err)
{
    any_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        die_oom();
    uint32_t pos = 0;
    if (zc_analyze(an, text, len, &pos, any_token, c, err) != ZC_OK) {
        free(c);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        const any_tok *t = &c->tok[i];
        if (t->kind == ZC_TOK_CJK_UNIGRAM && (!t->positional || covered(c, t->s)))
            continue;
        add_piece(text, c, t->s);
    }
    span *v = c->pieces;
    size_t n = c->n_pieces;
    out->n = 0;
    buf_add(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_add(out, " OR ", 4);
        const char *p = text + v[i].start;
        size_t pl = v[i].end - v[i].start;
        /* The words AND/OR/NOT in the text must stay words, not operators. */
        if ((pl == 2 && memcmp(p, "OR", 2) == 0) || (pl == 3 && memcmp(p, "AND", 3) == 0) ||
            (pl == 3 && memcmp(p, "NOT", 3) == 0)) {
            char low[4];
            for (size_t k = 0; k < pl; k++)
                low[k] = (char)(p[k] - 'A' + 'a');
            buf_add(out, low, pl);
        } else {
            buf_add(out, p, pl);
        }
    }
    free(c);
    return 0;
}

/* ---- one query -------------------------------------------------------- */

static void print_error(const opts *o, const zc_error *err)
{
    if (o->json) {
        /* The message goes through no JSON library here: keep it to
         * characters that need no escaping. */
        printf("{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":\"",
               zc_reply_code_name(zc_reply_code_of_status(err->code)));
        for (const char *p = err->message; *p; p++)
            if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
                putchar(*p);
        fputs("\"}}\n", stdout);
    } else {
        printf("#ERR\t%s\t", zc_reply_code_name(zc_reply_code_of_status(err->code)));
        for (const char *p = err->message; *p; p++)
            putchar((unsigned char)*p < 0x20 ? ' ' : *p);
        putchar('\n');
    }
}

static void run_query(const opts *o, zc_index *idx, zc_analyzer *an, const char *line,
                      size_t len, buf *scratch)
{
    zc_error err;
    memset(&err, 0, sizeof err);
    zc_search_request *req = NULL;
    zc_results *res = NULL;
    if (len == 0) {
        putchar('\n');
        return;
    }
    if (o->any_words) {
        if (any_words_query(an, line, len, scratch, &err) != 0) {
            print_error(o, &err);
            return;
        }
        line = scratch->p;
        len = scratch->n;
        if (len == 0) {
            /* Nothing searchable in the text: no hits, like an engine
             * answering an empty query with nothing. */
            putchar('\n');
            return;
        }
    }
    if (o->dry_run) {
        fwrite(line, 1, len, stdout);
        putchar('\n');
        return;
    }
    if (zc_search_request_parse(line, len, &req, &err) != ZC_OK) {
        print_error(o, &err);
        return;
    }
    zc_search_opts *so = zc_search_request_opts(req);
    if (o->limit >= 0)
        so->limit = (uint32_t)o->limit;
    if (!o->snippets)
        so->snippet = 0;
    so->time_limit_s = o->time_limit;
    if (zc_search(idx, so, &res, &err) != ZC_OK) {
        print_error(o, &err);
        zc_search_request_free(req);
        return;
    }
    if (o->json) {
        char *js = NULL;
        size_t jl = 0;
        if (zc_results_to_json(res, &js, &jl, &err) != ZC_OK)
            print_error(o, &err);
        else {
            fwrite(js, 1, jl, stdout);
            putchar('\n');
        }
        zc_free(js);
    } else {
        size_t n = zc_results_count(res);
        for (size_t i = 0; i < n; i++) {
            const zc_hit *h = zc_results_hit(res, i);
            if (i > 0)
                putchar('\t');
            fputs(h && h->id ? h->id : "", stdout);
        }
        putchar('\n');
    }
    zc_results_free(res);
    zc_search_request_free(req);
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    if (o.info)
        return print_info(o.index);

    zc_error err;
    zc_index *idx = NULL;
    /* A dry run searches nothing: it needs the index's analyzer name only,
     * so it works on an index this build would refuse. */
    if (!o.dry_run && zc_index_open(o.index, ZC_OPEN_READ, &idx, &err) != ZC_OK) {
        fprintf(stderr, "evalq: %s: %s\n", zc_status_name(err.code), err.message);
        return 2;
    }
    zc_analyzer *an = NULL;
    if (o.any_words && (an = any_words_analyzer(&o)) == NULL) {
        zc_index_close(idx);
        return 2;
    }

    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    buf scratch = {0};
    unsigned long long n = 0;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        run_query(&o, idx, an, line, len, &scratch);
        n++;
    }
    free(line);
    free(scratch.p);
    zc_analyzer_free(an);
    zc_index_close(idx);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "evalq: write error: %s\n", strerror(errno));
        return 2;
    }
    fprintf(stderr, "evalq: %llu queries\n", n);
    return 0;
}
