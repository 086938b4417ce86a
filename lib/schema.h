/* schema.h — the index layout: term prefixes, value slots, metadata keys.
 * docs/index-format.md is the prose version; change both together and bump
 * ZC_FORMAT_VERSION when an old index can no longer be read correctly. */
#ifndef ZC_SCHEMA_H
#define ZC_SCHEMA_H

/* Stored in the index metadata under ZC_META_FORMAT; an index whose value
 * differs is refused with ZC_EVERSION ("rebuild the index"). */
#define ZC_FORMAT_VERSION "1"
#define ZC_META_FORMAT "zhengce.format"
#define ZC_META_ANALYZER "zhengce.analyzer"

/* Term prefixes.  Free text (title + body) is indexed without prefix; the
 * analyzer's terms for a field get the field prefix in front. */
#define ZC_PFX_ID "Q"          /* "Q"+id, unique; ids over the term limit: "Q#"+sha-ish hash (index.c) */
#define ZC_PFX_TITLE "S"       /* title words, for title: and title boosting */
#define ZC_PFX_ISSUER "A"      /* issuer words, for issuer: */
#define ZC_PFX_ISSUER_EXACT "XI" /* normalized whole issuer, for the issuer filter */
#define ZC_PFX_DOCNO "XD"      /* canonical document number (zc_docno_canonical) */
#define ZC_PFX_LANG "L"        /* "Lzh" / "Len" */
#define ZC_PFX_YEAR "Y"        /* "Y2003" */
#define ZC_PFX_TAG "K"         /* normalized tag */
#define ZC_PFX_PAIR "XP"       /* pair id, to find a document's translation */
#define ZC_PFX_STEM "Z"        /* English stem of an unprefixed word: "Z"+stem; field stems "Z"+pfx+stem */

/* Value slots. */
#define ZC_SLOT_DATE 0       /* "YYYYMMDD" (partial dates: first day); absent when undated */
#define ZC_SLOT_DATE_ASC 1   /* same, but "~" when undated so it sorts last ascending */
#define ZC_SLOT_YEAR 2       /* "YYYY" for the year facet; absent when undated */
#define ZC_SLOT_ISSUER 3     /* issuer as given (facet display); absent when empty */
#define ZC_SLOT_LANG 4       /* "zh" / "en" */
#define ZC_SLOT_HIT 5        /* compact JSON of the hit fields (id,lang,title,date,issuer,docno,pair) */

/* Document data: the whole document as compact JSON, fields in input order,
 * unknown fields included, a detected lang added. */

/* Positions: title words start at 0; body words start at title end +
 * ZC_POS_FIELD_GAP so no phrase spans the two fields. */
#define ZC_POS_FIELD_GAP 100

/* Title terms are also indexed unprefixed with this extra wdf, to rank
 * documents whose title matches above those that merely mention the words. */
#define ZC_TITLE_WDF_BOOST 3

#endif
