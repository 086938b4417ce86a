/* search_count.h — the total of a search: how many matches it counts
 * exactly, and the "total" and "exact" its reply gives.
 *
 * Owns: the count bound (SEARCH option "exact_count", -1 resolved to
 * ZC_SEARCH_EXACT_COUNT_DEFAULT), the first pass's check_at_least, and the
 * rule that makes a total quotable: exact when the matches were all
 * counted within the bound, else an estimate from a hash sample of the
 * index — and the same on every page of one query, a page reaching past
 * the bound included.
 * Must never: rank, choose the page, or read a hit (search.c does); parse
 * or write the wire format.
 */
#ifndef ZC_SEARCH_COUNT_H
#define ZC_SEARCH_COUNT_H

#include <stdint.h>

#include "lib/index_internal.h"
#include "lib/zhengce.h"

/* How many matches a search with options o counts exactly: o->exact_count,
 * or ZC_SEARCH_EXACT_COUNT_DEFAULT for -1. */
uint32_t zc_count_bound(const zc_search_opts *o);

/* Sets sp->check_at_least for a first pass whose query, sort, weighting,
 * offset, limit and facet slots are set: the page's end or the bound,
 * whichever is more, at most the index's document count (no more can
 * match); every document when facets are asked (they count the whole
 * match set).  ZC_OK, or the index's error reading its document count. */
zc_status zc_count_plan(zc_index *idx, const zc_search_opts *o, zc_xap_search_params *sp,
                        zc_error *err);

/* The total of the search whose first pass was sp (planned by
 * zc_count_plan) and found ms.  *exact 1 and the count when Xapian counted
 * every match and there are at most `bound` of them, or when Xapian knows
 * the count without counting (a single term); else *exact 0 and an
 * estimate: the exact count of the matches in the hash sample level
 * (lib/sample.h) that holds about bound / 5 of them, scaled up, to 3
 * significant digits.  Past the bound nothing the page changes is used,
 * so every page of a query reports the same.  Facets and "exact_count":0
 * keep Xapian's figures for the pass.  Errors: the count passes'
 * (zc_xap_search's, ZC_ETIMEOUT past the time limit). */
zc_status zc_count_total(zc_index *idx, const zc_search_opts *o, const zc_xap_search_params *sp,
                         const zc_xap_mset *ms, uint64_t *total, int *exact, zc_error *err);

#endif
