/* search_results.c — see search_results.h. */
#include "lib/search_results.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

zc_status zc_results_new(unsigned facets, size_t n_hits, zc_results **out, zc_error *err)
{
    *out = NULL;
    zc_results *r = calloc(1, sizeof *r);
    if (r == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    r->facets = facets;
    if (n_hits > 0) {
        r->hits = calloc(n_hits, sizeof *r->hits);
        if (r->hits == NULL) {
            free(r);
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        }
    }
    *out = r;
    return ZC_OK;
}

char *zc_results_strdup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void hit_clear(zc_hit *h)
{
    free((char *)h->id);
    free((char *)h->lang);
    free((char *)h->title);
    free((char *)h->date);
    free((char *)h->issuer);
    free((char *)h->docno);
    free((char *)h->pair);
    free((char *)h->snippet);
    free((char *)h->version_of);
    free((char *)h->duplicate_of);
    for (size_t i = 0; i < h->n_duplicates; i++)
        free((char *)h->duplicates[i]);
    free((void *)h->duplicates);
    for (size_t i = 0; i < h->n_versions; i++) {
        free((char *)h->versions[i].id);
        free((char *)h->versions[i].date);
    }
    free((void *)h->versions);
    memset(h, 0, sizeof *h);
}

ZC_API void zc_results_free(zc_results *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_hits; i++)
        hit_clear(&r->hits[i]);
    free(r->hits);
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
        for (size_t j = 0; j < r->n_fv[k]; j++)
            free((char *)r->fv[k][j].value);
        free(r->fv[k]);
    }
    free(r->suggest);
    free(r);
}

ZC_API uint64_t zc_results_total(const zc_results *r, int *exact)
{
    if (exact)
        *exact = r ? r->exact : 0;
    return r ? r->total : 0;
}

ZC_API size_t zc_results_count(const zc_results *r)
{
    return r ? r->n_hits : 0;
}

ZC_API const zc_hit *zc_results_hit(const zc_results *r, size_t i)
{
    if (r == NULL || i >= r->n_hits)
        return NULL;
    return &r->hits[i];
}

ZC_API const zc_facet_value *zc_results_facet(const zc_results *r, unsigned facet,
                                              size_t *n)
{
    if (n)
        *n = 0;
    if (r == NULL)
        return NULL;
    for (size_t k = 0; k < ZC_SEARCH_N_FACETS; k++) {
        if (zc_search_facets[k].bit == facet && (r->facets & facet)) {
            if (n)
                *n = r->n_fv[k];
            return r->fv[k];
        }
    }
    return NULL;
}

ZC_API double zc_results_took_ms(const zc_results *r)
{
    return r ? r->took_ms : 0.0;
}

ZC_API const char *zc_results_suggest(const zc_results *r)
{
    return r ? r->suggest : NULL;
}
