/* search_results.h — what a search found (zhengce.h's zc_results): the
 * page of hits, the total, the facet counts and the spelling suggestion.
 *
 * Owns: every string the results point to, and freeing them; the public
 * accessors.  search.c fills a zc_results, search_reply.c writes it out;
 * both see its fields here.
 * Must never: reach the index; hand out a pointer that outlives
 * zc_results_free.
 */
#ifndef ZC_SEARCH_RESULTS_H
#define ZC_SEARCH_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/search_request.h"
#include "lib/zhengce.h"

struct zc_results {
    uint64_t total;
    int exact;
    double took_ms;
    zc_hit *hits;               /* n_hits of them; every string owned */
    size_t n_hits;
    unsigned facets;            /* the ZC_FACET_* bits asked */
    /* per zc_search_facets[k]: values owned (each string too), NULL when none */
    zc_facet_value *fv[ZC_SEARCH_N_FACETS];
    size_t n_fv[ZC_SEARCH_N_FACETS];
    char *suggest;              /* owned; NULL when no suggestion */
    int collapse;               /* the search collapsed groups: hits list theirs */
};

/* Empty results for the facets asked, with room for n_hits zeroed hits
 * (n_hits stays 0: the filler counts a hit in when it starts on it, so
 * zc_results_free frees what a half-read hit holds).  *out: returns new;
 * free with zc_results_free.  ZC_ENOMEM. */
zc_status zc_results_new(unsigned facets, size_t n_hits, zc_results **out, zc_error *err);

/* A copy of s[0..n) (bytes, NUL added) for a string of the results.
 * Returns new or NULL when out of memory; free with free() (or leave it
 * to zc_results_free once the results hold it). */
char *zc_results_strdup(const char *s, size_t n);

#endif
