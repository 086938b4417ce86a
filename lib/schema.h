/* schema.h — the index layout: term prefixes, value slots, metadata keys.
 * docs/index-format.md is the prose version; change both together and bump
 * ZC_FORMAT_VERSION when an old index can no longer be read correctly. */
#ifndef ZC_SCHEMA_H
#define ZC_SCHEMA_H

/* Stored in the index metadata under ZC_META_FORMAT; an index whose value
 * differs is refused with ZC_EVERSION ("rebuild the index").
 * Format 2: Traditional -> Simplified folding, the analyzer modes and their
 * "W" word terms, the spelling table.  Format 3: the document data is a
 * zstd frame (docstore.h), no longer JSON deflated by Xapian.  Format 4:
 * the index's synonym list and user dictionary (ZC_META_SYNONYMS,
 * ZC_META_USERDICT); the hash-sample terms of exact counts (ZC_PFX_SAMPLE);
 * see docs/index-format.md ("Format 4").
 * Also the group term and values of duplicates and versions (ZC_PFX_GROUP,
 * ZC_SLOT_GROUP, ZC_SLOT_GROUP_STAMP; lib/docgroup.h); the authority level
 * (XL terms, slot 6) and the bodies of a joint issuer and the tags as a list
 * (XB terms, slot 7): multifacet.h; the unit terms (ZC_PFX_UNIT); document
 * numbers (XD) read E.O. and EO as Executive Order, a Chinese number after
 * 第 as its digits, and drop a lone 第 (zc_docno_canonical). */
#define ZC_FORMAT_VERSION "4"
#define ZC_META_FORMAT "zhengce.format"
/* The analyzer the terms were made with: "ngram", "words" or "hybrid"
 * (zc_analyzer_mode_name).  Written when the index is created; every
 * handle analyzes documents and queries with the index's own analyzer. */
#define ZC_META_ANALYZER "zhengce.analyzer"
/* The analyzer of a new index when the creator names none. */
#define ZC_ANALYZER_DEFAULT "hybrid"
/* The index's own synonym list (docs/synonyms.md), as its text: every
 * handle's queries look words up in it (and in the built-in list).  Absent:
 * none.  Set with zhengce-indexer --synonyms; changes apply to searches. */
#define ZC_META_SYNONYMS "zhengce.synonyms"
/* The index's user dictionary (docs/synonyms.md), as its text: words the
 * segmenter adds to friso's, for documents and queries alike.  Absent:
 * none.  Fixed once the index holds documents (zhengce-indexer
 * --user-dict on a new index). */
#define ZC_META_USERDICT "zhengce.userdict"

/* Term prefixes.  Free text (title + body) is indexed without prefix; the
 * analyzer's terms for a field get the field prefix in front. */
#define ZC_PFX_ID "Q"          /* "Q"+id, unique; ids over the term limit: "Q##"+SHA-256 hash (term.c) */
#define ZC_PFX_TITLE "S"       /* title words, for title: and title boosting */
#define ZC_PFX_ISSUER "A"      /* issuer words, for issuer: */
#define ZC_PFX_ISSUER_EXACT "XI" /* normalized whole issuer, for the issuer filter */
#define ZC_PFX_DOCNO "XD"      /* canonical document number (zc_docno_canonical) */
#define ZC_PFX_LANG "L"        /* "Lzh" / "Len" */
#define ZC_PFX_YEAR "Y"        /* "Y2003" */
#define ZC_PFX_TAG "K"         /* normalized tag */
#define ZC_PFX_PAIR "XP"       /* pair id, to find a document's translation */
#define ZC_PFX_STEM "Z"        /* English stem of an unprefixed word: "Z"+stem; field stems "Z"+pfx+stem */
#define ZC_PFX_TITLE_KEY "XT"  /* "XT" + 16 hex digits of zc_analyzer_text_key(title): the whole
                                * title, so a query that is exactly a title finds it first */
#define ZC_PFX_LEVEL "XL"      /* "XL"+level code and "XL"+tier (authority.h): "XLlaw",
                                * "XLcentral" (boolean; the level and tier filters) */
#define ZC_PFX_BODY "XB"       /* "XB"+zc_norm_string(body) for each body of the issuer
                                * (zc_authority_next_body; boolean; the issued_by filter) */
#define ZC_PFX_UNIT "XU"      /* "XU" + the canonical form of a date or a number with its unit
                                * in the title or body (unit.h: "XUd2017.6.27", "XUn5%"),
                                * positionless, wdf 0 (matched, never weighed, no part of
                                * the document length); one term for every spelling
                                * (2017-06-27, 二〇一七年六月二十七日, 百分之五) */
#define ZC_PFX_CJKWORD "W"     /* a dictionary word of 2+ CJK characters (words and hybrid
                                * analyzers): "W"+word in free text, pfx+"W"+word in a field
                                * ("SW"+word title, "AW"+word issuer).  Its own namespace, so
                                * the word 工业 and the bigram 工业 stay two terms. */
#define ZC_PFX_SAMPLE "XSAMP"  /* "XSAMP"+level: the hash sample levels a document belongs to
                                * (lib/sample.h), for estimating totals past the count bound */
#define ZC_PFX_GROUP "XG"      /* "XG" + the 16 hex digits of the document's group key
                                * (lib/docgroup.h), boolean: the documents that may be
                                * duplicates or versions of each other */

/* Value slots. */
#define ZC_SLOT_DATE 0       /* "YYYYMMDD" (partial dates: first day); absent when undated */
#define ZC_SLOT_DATE_ASC 1   /* same, but "~" when undated so it sorts last ascending */
#define ZC_SLOT_YEAR 2       /* "YYYY" for the year facet; absent when undated */
#define ZC_SLOT_ISSUER 3     /* issuer as given (facet display); absent when empty */
#define ZC_SLOT_LANG 4       /* "zh" / "en" */
#define ZC_SLOT_HIT 5        /* compact JSON of the hit fields (id,lang,title,date,issuer,docno,pair) */
#define ZC_SLOT_LEVEL 6      /* "level/tier" ("law/central"), or "level" when the tier is
                              * unknown: the level and tier facets and the ranking prior */
#define ZC_SLOT_LISTS 7      /* the document's bodies and tags, one list (multifacet.h):
                              * the issued_by and tags facets */
#define ZC_SLOT_GROUP 8      /* the group key, 16 hex digits (as in the ZC_PFX_GROUP term):
                              * the collapse key of SEARCH "collapse" */
#define ZC_SLOT_GROUP_STAMP 9 /* date, docno flag, body length and body fingerprint
                               * (lib/docgroup.h, ZC_DOCGROUP_STAMP_*) */

/* Document data: the whole document as compact JSON, fields in input order,
 * unknown fields included, a detected lang added. */

/* Positions: title words start at 0; body words start at title end +
 * ZC_POS_FIELD_GAP so no phrase spans the two fields. */
#define ZC_POS_FIELD_GAP 100

/* Title terms are also indexed unprefixed with this extra wdf.  0 since
 * format 2: title matches are rewarded at query time (the "S" title form
 * and the exact-title term, both AND_MAYBE), while an index-time boost
 * inflated the weight and length of every title word, which cost 0.01
 * nDCG@10 on shared/zh-ir (docs/quality.md). */
#define ZC_TITLE_WDF_BOOST 0

/* Spelling table (Xapian's, not a term prefix): every lower-case a-z word
 * of ZC_SPELL_MIN_CHARS..ZC_SPELL_MAX_CHARS letters in the title and body
 * of an "en" document, frequency = its occurrences.  Queries ask it for
 * suggestions (search.c). */
#define ZC_SPELL_MIN_CHARS 4
#define ZC_SPELL_MAX_CHARS 32

#endif
