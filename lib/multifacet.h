/* multifacet.h — what a document derives or holds several of, in the
 * index: its authority level and tier (authority.h), the bodies of its
 * issuer, its tags; and the facets, filters and ranking prior over them.
 *
 * Owns: their index layout (docs/index-format.md, "Format 4"):
 *   - "XL"+level code and "XL"+tier terms (boolean) and the level value in
 *     ZC_SLOT_LEVEL: "level/tier" ("law/central"), or "level" alone when
 *     the tier is unknown ("normative");
 *   - "XB"+zc_norm_string(body) for every body of the issuer (boolean);
 *   - the list value in ZC_SLOT_LISTS: one entry per distinct body ("b"
 *     + the body as written, trimmed) and per distinct tag ("t" + the tag
 *     as written, trimmed), control characters made spaces, each cut to
 *     ZC_TERM_MAX_BYTES on a UTF-8 boundary, sorted, joined by '\n', at
 *     most ZC_FACET_LIST_MAX_BYTES (entries past it are still filtered
 *     on, by their terms, but not counted in facets); absent when empty.
 *     (The tags' "K" terms are docbuild.c's, as in format 3.)
 * Facets over fields a document has several values of cannot use one
 * value per document with Xapian's ValueCountMatchSpy, and a MatchSpy of
 * our own would not run on a stock xapian-tcpsrv (remote shards): so the
 * built-in spy counts each distinct list, and zc_multifacet_count splits
 * the lists and sums their counts per entry, which is exact (a document
 * has one list, and an entry at most once in it).
 * Must never: depend on a docid or on a class of ours inside Xapian (the
 * prior is Xapian's ValueMapPostingSource).
 */
#ifndef ZC_MULTIFACET_H
#define ZC_MULTIFACET_H

#include <stddef.h>

#include "lib/docmodel.h"
#include "lib/search_request.h"
#include "lib/zhengce.h"
#include "wrappers/xapian.h"

/* Index time: adds d's level terms and value, body terms and list value
 * to doc.  ZC_ENOMEM, or the wrapper's errors. */
zc_status zc_multifacet_add(zc_xap_doc *doc, const zc_doc *d, zc_error *err);

/* The filter of o's levels, tiers, issued_by and tags (each list any of
 * its entries; the lists ANDed), or NULL (*out) when none is given.
 * ZC_EINVAL naming the option for an unknown level or tier, or a value
 * that is not valid UTF-8.  *out: returns new; free with
 * zc_xap_query_free. */
zc_status zc_multifacet_filter(const zc_search_opts *o, zc_xap_query **out, zc_error *err);

/* The counts of one facet part (ZC_PART_LEVEL, _TIER, _BODY, _TAG) from
 * facet k of ms, the match spy over that part's slot: most frequent first,
 * ties by value (bytes), at most limit of them.  *out: returns new (NULL
 * when *n is 0), each value new too; free each value and the array with
 * free() (zc_results_free does once the results hold them).  ZC_ENOMEM. */
zc_status zc_multifacet_count(const zc_xap_mset *ms, size_t k, zc_facet_part part, size_t limit,
                              zc_facet_value **out, size_t *n, zc_error *err);

/* The ranking prior: every document weighs scale × zc_authority_prior of
 * its level value (0 without one).  scale >= 0.  *out: returns new; free
 * with zc_xap_query_free. */
zc_status zc_multifacet_prior(double scale, zc_xap_query **out, zc_error *err);

#endif
