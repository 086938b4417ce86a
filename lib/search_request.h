/* search_request.h — the SEARCH request: its argument read into
 * zc_search_opts (zhengce.h's zc_search_request_*), and the rules every
 * zc_search_opts must keep, whoever filled it.
 *
 * Owns: the option rules of protocol.md (each bad value is ZC_EINVAL naming
 * the option), the option defaults (zc_search_opts_init), and the facets a
 * search may ask for (their bits, names and value slots).
 * Must never: touch an index or Xapian; keep a pointer into the caller's
 * argument (a request owns copies of every string its options point to).
 */
#ifndef ZC_SEARCH_REQUEST_H
#define ZC_SEARCH_REQUEST_H

#include "lib/zhengce.h"

/* facet_limit above this is refused: a facet list is for people to read. */
#define ZC_SEARCH_FACET_LIMIT_MAX 10000u

/* What a facet counts of its slot's values: the whole value, or one kind
 * of the parts multifacet.h writes there (a level value's level or tier,
 * a list value's bodies or tags). */
typedef enum zc_facet_part {
    ZC_PART_WHOLE = 0,
    ZC_PART_LEVEL,
    ZC_PART_TIER,
    ZC_PART_BODY,
    ZC_PART_TAG
} zc_facet_part;

/* The facets, in the order a reply lists them. */
#define ZC_SEARCH_N_FACETS 7
typedef struct zc_search_facet {
    unsigned bit;       /* ZC_FACET_* */
    unsigned slot;      /* the value slot counted (schema.h) */
    const char *name;   /* in the "facets" option and the reply */
    zc_facet_part part; /* what of the slot's value it counts */
} zc_search_facet;
extern const zc_search_facet zc_search_facets[ZC_SEARCH_N_FACETS];

/* Checks options however they were filled (zc_search calls it first): the
 * same rules as the parser, for callers of the C API.  ZC_EINVAL naming the
 * option, with the parser's message where there is one. */
zc_status zc_search_opts_validate(const zc_search_opts *o, zc_error *err);

/* ZC_EINVAL naming "level" or "tier" when o->levels or o->tiers holds a
 * name that is no level code or tier (authority.h); ZC_OK otherwise. */
zc_status zc_search_check_levels(const zc_search_opts *o, zc_error *err);

/* "zh" or "en" (static strings) for those two codes in any case ("ZH",
 * "En"), NULL for anything else; s need not be NUL-terminated. */
const char *zc_search_lang_canon(const char *s, size_t len);

/* ZC_EINVAL naming "from" when both dates are given and the first day of
 * from is after the last day of to (an empty range: "from":"2017",
 * "to":"2016"); ZC_OK otherwise, unreadable dates included (their own
 * checks report them).  Either may be NULL. */
zc_status zc_search_date_order(const char *from, const char *to, zc_error *err);

#endif
