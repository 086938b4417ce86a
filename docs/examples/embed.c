/* embed.c — a program embedding libzhengce: index two documents, search,
 * print the hits.  Uses only the public header and the shared library:
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs zhengce)
 *   ./embed /tmp/embed-index 振兴东北
 */
#include <stdio.h>
#include <string.h>

#include "zhengce.h"

static int fail(const char *what, const zc_error *err)
{
    fprintf(stderr, "embed: %s: %s (%s)\n", what, err->message,
            zc_status_name(err->code));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: embed INDEX-DIR QUERY\n");
        return 2;
    }
    static const char *docs[] = {
        "{\"id\":\"ne-2003\",\"title\":\"关于实施东北地区等老工业基地振兴战略的若干意见\","
        "\"date\":\"2003-10-05\",\"issuer\":\"中共中央、国务院\",\"docno\":\"中发〔2003〕11号\","
        "\"body\":\"振兴东北地区等老工业基地是党中央作出的重大战略决策。\"}",
        "{\"id\":\"ne-2003-en\",\"lang\":\"en\",\"title\":\"Revitalizing the Old Industrial Bases of Northeast China\","
        "\"date\":\"2003-10\",\"body\":\"The revitalization of the northeast is a major strategic decision.\"}",
    };
    zc_error err;
    zc_index *idx = NULL;
    if (zc_index_open(argv[1], ZC_OPEN_CREATE, &idx, &err) != ZC_OK)
        return fail("open for writing", &err);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (zc_index_add_json(idx, docs[i], strlen(docs[i]), NULL, &err) != ZC_OK) {
            zc_index_close(idx);
            return fail("add", &err);
        }
    if (zc_index_commit(idx, &err) != ZC_OK) {
        zc_index_close(idx);
        return fail("commit", &err);
    }
    zc_index_close(idx);

    if (zc_index_open(argv[1], ZC_OPEN_READ, &idx, &err) != ZC_OK)
        return fail("open for reading", &err);
    zc_search_opts opts;
    zc_search_opts_init(&opts);
    opts.q = argv[2];
    opts.q_len = strlen(argv[2]);
    zc_results *res = NULL;
    if (zc_search(idx, &opts, &res, &err) != ZC_OK) {
        zc_index_close(idx);
        return fail("search", &err);
    }
    int exact = 0;
    unsigned long long total = zc_results_total(res, &exact);
    printf("%s%llu match(es) for %s\n", exact ? "" : "about ", total, argv[2]);
    for (size_t i = 0; i < zc_results_count(res); i++) {
        const zc_hit *h = zc_results_hit(res, i);
        printf("%zu. %s [%s] %s\n   %s\n", i + 1, h->title, h->id,
               h->date ? h->date : "", h->snippet ? h->snippet : "");
    }
    zc_results_free(res);
    zc_index_close(idx);
    return 0;
}
