/* cli/cli_print.c — the readable output of `zhengce`: search hits,
 * documents, stats and errors, printed from the protocol reply object.
 *
 * Search reply: "<N> result(s) (<ms> ms)[, showing A-B]", then
 * "did you mean: <suggestion>" when the reply has one, then each hit
 * (rank = offset + position):
 *    1. <title>
 *       <date> · <issuer> · <docno> · <id> [<lang>] [(older version of ID) |
 *       (duplicate of ID)]
 *       <snippet, matches in bold on a terminal, else [in brackets]>
 *       [versions: ID (date), ...] [duplicates: ID, ...]   (--collapse)
 * Errors go to stderr as "zhengce: <code>: <message>". */
#include "cli/cli_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int zc_cli_color = 0;

int zc_cli_reply_code(const char *reply, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(reply, len, 0, &je);
    int ok = o && json_is_true(json_object_get(o, "ok"));
    json_decref(o);
    return ok ? ZC_CLI_OK : ZC_CLI_ERROR;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Prints a snippet: <b>..</b> becomes bold or brackets, the five HTML
 * entities the library writes are decoded, newlines become spaces. */
static void print_snippet(const char *s)
{
    const char *on = zc_cli_color ? "\033[1m" : "[";
    const char *off = zc_cli_color ? "\033[0m" : "]";
    static const struct { const char *from, *to; } ent[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"},
        {"&#x27;", "'"},
    };
    while (*s) {
        if (strncmp(s, "<b>", 3) == 0) {
            fputs(on, stdout);
            s += 3;
            continue;
        }
        if (strncmp(s, "</b>", 4) == 0) {
            fputs(off, stdout);
            s += 4;
            continue;
        }
        if (*s == '&') {
            size_t i;
            for (i = 0; i < sizeof ent / sizeof *ent; i++) {
                size_t n = strlen(ent[i].from);
                if (strncmp(s, ent[i].from, n) == 0) {
                    fputs(ent[i].to, stdout);
                    s += n;
                    break;
                }
            }
            if (i < sizeof ent / sizeof *ent)
                continue;
        }
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, stdout);
        s++;
    }
}

/* A collapsed hit's group: "versions: ID (date), ..." and "duplicates:
 * ID, ...", each line only when the list is not empty. */
static void print_group(json_t *h)
{
    json_t *vers = json_object_get(h, "versions");
    json_t *dups = json_object_get(h, "duplicates");
    size_t k;
    json_t *v;
    if (json_array_size(vers) > 0) {
        printf("     versions:");
        json_array_foreach(vers, k, v) {
            const char *id = str(v, "id"), *date = str(v, "date");
            printf("%s %s", k ? "," : "", id ? id : "?");
            if (date)
                printf(" (%s)", date);
        }
        printf("\n");
    }
    if (json_array_size(dups) > 0) {
        printf("     duplicates:");
        json_array_foreach(dups, k, v) {
            printf("%s %s", k ? "," : "", json_is_string(v) ? json_string_value(v) : "?");
        }
        printf("\n");
    }
}

static void print_search(json_t *o, long offset)
{
    json_t *hits = json_object_get(o, "hits");
    json_int_t total = json_integer_value(json_object_get(o, "total"));
    int exact = json_is_true(json_object_get(o, "exact"));
    double took = json_number_value(json_object_get(o, "took_ms"));
    size_t n = json_array_size(hits);
    printf("%s%lld result%s (%.1f ms)", exact ? "" : "about ", (long long)total,
           total == 1 ? "" : "s", took);
    if (n > 0 && (offset > 0 || (json_int_t)n < total))
        printf(", showing %ld-%ld", offset + 1, offset + (long)n);
    printf("\n");
    /* The reply has "suggest" only when a spelling correction was found; a
     * reader of the plain output would otherwise never see it. */
    const char *suggest = str(o, "suggest");
    if (suggest && *suggest)
        printf("did you mean: %s\n", suggest);
    for (size_t i = 0; i < n; i++) {
        json_t *h = json_array_get(hits, i);
        const char *title = str(h, "title");
        printf("\n%3ld. %s\n", offset + (long)i + 1, title && *title ? title : "(no title)");
        printf("     ");
        const char *parts[] = {str(h, "date"), str(h, "issuer"), str(h, "docno"), str(h, "id")};
        int first = 1;
        for (size_t k = 0; k < sizeof parts / sizeof *parts; k++) {
            if (parts[k] == NULL || parts[k][0] == '\0')
                continue;
            printf("%s%s", first ? "" : " · ", parts[k]);
            first = 0;
        }
        const char *lang = str(h, "lang");
        if (lang)
            printf(" [%s]", lang);
        if (str(h, "version_of"))
            printf(" (older version of %s)", str(h, "version_of"));
        if (str(h, "duplicate_of"))
            printf(" (duplicate of %s)", str(h, "duplicate_of"));
        printf("\n");
        const char *snip = str(h, "snippet");
        if (snip && *snip) {
            printf("     ");
            print_snippet(snip);
            printf("\n");
        }
        print_group(h);
    }
    json_t *facets = json_object_get(o, "facets");
    if (json_is_object(facets)) {
        const char *name;
        json_t *vals;
        printf("\n");
        json_object_foreach(facets, name, vals) {
            printf("%s:", name);
            size_t k;
            json_t *v;
            json_array_foreach(vals, k, v) {
                printf("%s %s (%lld)", k ? "," : "", str(v, "value") ? str(v, "value") : "?",
                       (long long)json_integer_value(json_object_get(v, "count")));
            }
            printf("\n");
        }
    }
}

static void print_value(const char *key, json_t *v)
{
    if (json_is_string(v)) {
        printf("%s: %s\n", key, json_string_value(v));
        return;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    printf("%s: %s\n", key, s ? s : "?");
    free(s);
}

static void print_doc(json_t *doc)
{
    static const char *order[] = {"id", "title", "lang", "date", "issuer", "docno", "pair",
                                  "url", "tags"};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        json_t *v = json_object_get(doc, order[i]);
        if (v)
            print_value(order[i], v);
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        int known = strcmp(key, "body") == 0;
        for (size_t i = 0; !known && i < sizeof order / sizeof *order; i++)
            known = strcmp(key, order[i]) == 0;
        if (!known)
            print_value(key, v);
    }
    const char *body = str(doc, "body");
    if (body && *body)
        printf("\n%s\n", body);
}

static void print_stats(json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "ok") == 0)
            continue;
        if (json_is_object(v)) {
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                char name[128];
                snprintf(name, sizeof name, "%s.%s", key, k2);
                print_value(name, v2);
            }
        } else {
            print_value(key, v);
        }
    }
}

int zc_cli_print_reply(const char *verb, const char *reply, size_t len, long offset)
{
    json_error_t je;
    json_t *o = json_loadb(reply, len, 0, &je);
    if (o == NULL) {
        fprintf(stderr, "zhengce: the reply is not JSON: %.*s\n", (int)(len > 200 ? 200 : len),
                reply);
        return ZC_CLI_ERROR;
    }
    int code = ZC_CLI_OK;
    if (!json_is_true(json_object_get(o, "ok"))) {
        json_t *e = json_object_get(o, "error");
        fprintf(stderr, "zhengce: %s: %s\n", str(e, "code") ? str(e, "code") : "error",
                str(e, "message") ? str(e, "message") : "");
        code = ZC_CLI_ERROR;
    } else if (strcmp(verb, "SEARCH") == 0) {
        print_search(o, offset);
    } else if (strcmp(verb, "GET") == 0) {
        print_doc(json_object_get(o, "doc"));
    } else if (strcmp(verb, "PING") == 0) {
        printf("pong\n");
    } else if (strcmp(verb, "STATS") == 0) {
        print_stats(o);
    } else {
        fwrite(reply, 1, len, stdout);
        fputc('\n', stdout);
    }
    json_decref(o);
    return code;
}
