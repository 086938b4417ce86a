/* authority.h — how authoritative a document is: its level (法律, 行政法规,
 * 部门规章, 地方性法规, 地方政府规章, other normative documents; U.S.
 * Executive Orders apart) and its tier (central, provincial, municipal,
 * county), read from its issuer, title and document number; and the bodies
 * a joint issuer ("中共中央、国务院") is made of.
 *
 * Owns: the level and tier codes (stable: they are index terms, value
 * contents and SEARCH option values), the classification rules
 * (docs/index-format.md, "Authority"), the split of a joint issuer into
 * bodies, and the prior weight of each level and tier in ranking.
 * Must never: allocate, fail, or look at anything but its arguments (a pure
 * function: the same document always gets the same level, at index time
 * and in tests).
 */
#ifndef ZC_AUTHORITY_H
#define ZC_AUTHORITY_H

#include <stddef.h>

/* Levels, lowest first.  The codes (zc_authority_level_name) are stable. */
typedef enum zc_level {
    ZC_LEVEL_NORMATIVE = 0, /* "normative": any other document (notices, opinions,
                             * reports, resolutions) and what cannot be classified */
    ZC_LEVEL_LOCAL_RULE,    /* "local_rule": 地方政府规章, rules of a local government */
    ZC_LEVEL_LOCAL_REG,     /* "local_reg": 地方性法规, regulations of a local congress */
    ZC_LEVEL_DEPT_RULE,     /* "dept_rule": 部门规章 and other documents of a central
                             * ministry, commission or bureau */
    ZC_LEVEL_ADMIN_REG,     /* "admin_reg": 行政法规, regulations of the State Council */
    ZC_LEVEL_LAW,           /* "law": 法律 (and the constitution) of the NPC and its
                             * Standing Committee */
    ZC_LEVEL_EXEC_ORDER,    /* "exec_order": a U.S. Executive Order (its own scale) */
    ZC_LEVEL_COUNT
} zc_level;

/* Tiers.  NONE: not known (no tier term, no tier in the level value). */
typedef enum zc_tier {
    ZC_TIER_NONE = 0,
    ZC_TIER_COUNTY,     /* "county": a county, autonomous county, banner or district */
    ZC_TIER_MUNICIPAL,  /* "municipal": a city, prefecture, autonomous prefecture */
    ZC_TIER_PROVINCIAL, /* "provincial": a province, autonomous region, the four
                             * municipalities under the central government, an SAR */
    ZC_TIER_CENTRAL,    /* "central": the central organs of the PRC */
    ZC_TIER_FEDERAL,    /* "federal": the U.S. federal government */
    ZC_TIER_COUNT
} zc_tier;

typedef struct zc_authority {
    zc_level level;
    zc_tier tier;
} zc_authority;

/* The level and tier of a document from its issuer, title, document number
 * and language ((ptr, len) each; NULL or 0 for an absent field; bytes that
 * are not valid UTF-8 never match a rule).  Always succeeds: a document no
 * rule recognizes is ZC_LEVEL_NORMATIVE with ZC_TIER_NONE. */
zc_authority zc_authority_classify(const char *issuer, size_t issuer_len, const char *title,
                                   size_t title_len, const char *docno, size_t docno_len,
                                   const char *lang, size_t lang_len);

/* The bodies of an issuer, one per call: the next body at or after *pos in
 * issuer[0, len), trimmed of spaces, as (*start, *blen); *pos moves past it.
 * Bodies are separated by 、 ， , ； ; / ／ and by spaces between two
 * non-ASCII characters ("中共中央 国务院"; "President Barack Obama" stays one
 * body).  Returns 1 when it found a body, 0 at the end. */
int zc_authority_next_body(const char *issuer, size_t len, size_t *pos, size_t *start,
                           size_t *blen);

/* The stable codes: "law", "admin_reg", ... and "central", "provincial",
 * ...; static strings; "" for ZC_TIER_NONE and for values out of range. */
const char *zc_authority_level_name(zc_level level);
const char *zc_authority_tier_name(zc_tier tier);

/* The level or tier whose code is s[0, len) (exact, lower case); 1 if
 * found (*out set), 0 otherwise.  ZC_TIER_NONE has no code. */
int zc_authority_level_from_name(const char *s, size_t len, zc_level *out);
int zc_authority_tier_from_name(const char *s, size_t len, zc_tier *out);

/* The prior weight of a level and tier in ranking, in [0, 1]: 1 for a
 * national law, 0 for a normative document of unknown tier and for U.S.
 * Executive Orders (one level, nothing to rank them against); higher
 * levels weigh more, and within a level a higher tier (docs/index-format.md
 * has the table).  search.c scales it (SEARCH_PRIOR_SCALE). */
double zc_authority_prior(zc_level level, zc_tier tier);

#endif
