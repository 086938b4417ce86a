/* versions.h — duplicates and versions at query time: which documents of a
 * group (the documents that share a group key, lib/docgroup.h) are the
 * same text and which are successive versions, which one is preferred,
 * the order of a group's hits in the ranking, and what a page of hits and
 * a collapsed search's counts say about groups.
 *
 * The rules (docs/protocol.md, "Duplicates and versions"):
 *  - preferred: the newest document of a group; among equal dates the one
 *    with a document number, then the longer body, then the smaller id
 *    (byte order).  The stamp's first ZC_DOCGROUP_STAMP_HEAD bytes sort
 *    that way (ZC_SLOT_GROUP_STAMP).
 *  - duplicates: two documents of a group whose body fingerprints
 *    resemble at least ZC_VERSIONS_DUP_RESEMBLANCE and whose dates are at
 *    most ZC_VERSIONS_DUP_DAYS apart (both undated counts as the same
 *    date; one dated and one not is never a duplicate).  Any other two
 *    members of a group are versions of one another.
 *  - a group is read newest first, at most ZC_VERSIONS_GROUP_MAX members.
 *  - the preference order applies among the members that match a query
 *    about as well as the group's best match (a score of at least
 *    ZC_VERSIONS_TIE of its score): a member that matches decidedly
 *    better (the document number asked for, the exact words of a body
 *    piece) keeps its place above a newer one.
 *
 * Owns: those rules and the group look-ups (one Xapian query per page,
 * by the group terms, never by docid: the same over shards).
 * Must never: change which documents match or how many do without
 * collapsing; read a hit's fields other than its id and date (search_hits.c
 * does).
 */
#ifndef ZC_VERSIONS_H
#define ZC_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/index_internal.h"
#include "lib/zhengce.h"

/* Fingerprints that agree at least this much are "nearly the same body".
 * On corpus-real, the same regulation from two sources resembles 0.97-1.00
 * (a preamble and a few characters differ), while no two versions dated
 * within a year of each other exist; the date rule below does the rest. */
#define ZC_VERSIONS_DUP_RESEMBLANCE 0.8
/* Two sources date one text differently (signed, published: 4 to 13 days
 * on corpus-real); a re-issued version comes years later. */
#define ZC_VERSIONS_DUP_DAYS 92
/* "About as well": on corpus-real the editions of a statute score 0.78
 * to 1.0 of the best edition for their exact title, while the edition a
 * document number names outscores the others 2.4 to 4.5 times. */
#define ZC_VERSIONS_TIE 0.7
/* Members read per group (newest first): a group is a handful of
 * documents; the bound keeps a page's look-up bounded whatever the index
 * holds. */
#define ZC_VERSIONS_GROUP_MAX 64

/* One hit of a match set. */
typedef struct zc_hitref {
    zc_xap_mset *ms; /* borrowed */
    size_t i;
} zc_hitref;

/* The ranking's first n hits (win[k]: the hit at rank k, best first),
 * reordered so that the members of one group that match about as well as
 * its best one keep the ranks they hold but take them in preference order
 * (the newest version first): perm[k] is the index into win of the hit
 * that takes rank k.  Every other hit keeps its rank.  Only ranks [0, need)
 * are asked for (need <= n): a hit scoring under ZC_VERSIONS_TIE of the
 * hit at rank need - 1 can neither enter those ranks nor push one out of
 * them, so the groups of those hits are not read (perm is the same there
 * as if they were).  ZC_ENOMEM or the match set's errors. */
zc_status zc_versions_order(const zc_hitref *win, size_t n, size_t need, size_t *perm,
                            zc_error *err);

/* *any: 1 when one of hits[0..n) belongs to a group of more than one
 * document in idx (its group term's frequency; no look-up), else 0: only
 * then can zc_versions_order change ranks [0, n).  The match sets' and the
 * index's errors. */
zc_status zc_versions_grouped(zc_index *idx, const zc_hitref *hits, size_t n, int *any,
                              zc_error *err);

/* The groups of a page of hits. */
typedef struct zc_versions_page zc_versions_page;

/* Looks up the groups of page[0..n) in idx: every member of each (for
 * version_of / duplicate_of and the lists), and with matching non-NULL
 * (a collapsed search: the whole query with its filter) the members that
 * match it, of which the preferred one among those that match about as
 * well as the best is shown for the group.  *out:
 * returns new; free with zc_versions_page_free.  The match sets of page
 * are borrowed until then. */
zc_status zc_versions_page_new(zc_index *idx, const zc_xap_query *matching,
                               const zc_hitref *page, size_t n, zc_versions_page **out,
                               zc_error *err);

/* The hit to read for page hit k: page[k] itself, or (collapsed) the
 * member shown for its group.  Borrowed until the page is
 * freed. */
zc_hitref zc_versions_page_shown(const zc_versions_page *p, size_t k);

/* Sets h's version_of or duplicate_of (the group's preferred document,
 * when the hit shown for page hit k is not it), and with collapsing its
 * duplicates and versions (every other member of the group, newest first;
 * r_collapse set).  h's new strings are owned by h (zc_results_free frees
 * them).  ZC_ENOMEM. */
zc_status zc_versions_page_fill(const zc_versions_page *p, size_t k, zc_hit *h,
                                zc_error *err);

/* Accepts NULL. */
void zc_versions_page_free(zc_versions_page *p);

/* A collapsed search's counts: the groups among the matches and, per facet
 * value, the matching documents that are not their group's shown hit. */
typedef struct zc_versions_tally zc_versions_tally;

/* From ms, a search that counted every match with a facet slot for
 * ZC_SLOT_GROUP (its index: group_facet) and for slots[0..n_slots): looks
 * up the members of each group with more than one match (matching: the
 * whole query with its filter) and notes the facet values of all but the
 * one shown for the group (as zc_versions_page_shown chooses it).
 * *out: returns new; free with zc_versions_tally_free.
 * ZC_ENOMEM or the look-up's errors. */
zc_status zc_versions_tally_new(zc_index *idx, const zc_xap_query *matching,
                                const zc_xap_mset *ms, size_t group_facet,
                                const unsigned *slots, size_t n_slots,
                                zc_versions_tally **out, zc_error *err);

/* The number of groups among the matches. */
uint64_t zc_versions_tally_groups(const zc_versions_tally *t);

/* How many matching documents with value[0..len) in slot are not their
 * group's shown hit (to take off that value's count). */
uint64_t zc_versions_tally_extra(const zc_versions_tally *t, unsigned slot,
                                 const char *value, size_t len);

/* Accepts NULL. */
void zc_versions_tally_free(zc_versions_tally *t);

#endif
