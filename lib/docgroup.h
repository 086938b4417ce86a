/* docgroup.h — what a document carries so that its duplicates and its
 * versions can be found at query time: its group key, its body
 * fingerprint and its preference stamp (schema.h: ZC_PFX_GROUP,
 * ZC_SLOT_GROUP, ZC_SLOT_GROUP_STAMP; docs/index-format.md).
 *
 * Documents arrive one at a time (the indexer, the daemon's ADD), so no
 * group is ever fixed at build time: every document gets a key computed
 * from itself alone, and the documents that share a key are a group,
 * found at query time through the key's term (lib/versions.c judges them).
 *
 * The key is the document's title with edition markers stripped
 * (（2018年修正）, (2022修订), (as amended)), read as the analyzer reads it
 * (zc_analyzer_text_key: case, width, Traditional/Simplified, spacing and
 * punctuation do not count), plus its document number when that number
 * names the document itself (国办函〔2018〕71号, Executive Order 13769)
 * rather than the order that promulgated it (国务院令第707号, 财政部令第6号,
 * 主席令第二十九号: a revised regulation comes with a new 令 number, or keeps
 * its old one, so those never split a group).
 *
 * Owns: the key rule, the fingerprint (a b-bit one-permutation MinHash of
 * the folded body's 4-character shingles) and the stamp's layout, and their
 * comparison (zc_docgroup_resemblance, zc_docgroup_days_apart).
 * Must never: touch an index except through the Xapian document it is
 * handed; keep state between calls.
 */
#ifndef ZC_DOCGROUP_H
#define ZC_DOCGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/analyzer.h"
#include "lib/docmodel.h"
#include "wrappers/xapian.h"

/* The key in its term and value form: 16 lower-case hex digits. */
#define ZC_DOCGROUP_KEY_CHARS 16

/* MinHash bins kept per fingerprint (one byte each): 64 give a
 * resemblance estimate within about ±0.05 near 0.8.  The bin is the top
 * 6 bits of a shingle's hash: changing this changes the stamps. */
#define ZC_DOCGROUP_FP_HASHES 64

/* Characters per shingle of the folded body. */
#define ZC_DOCGROUP_SHINGLE 4

/* The stamp (ZC_SLOT_GROUP_STAMP): "YYYYMMDD" (00000000 undated), '1' or
 * '0' (has a document number), the body's length in characters as 10
 * digits, then the fingerprint as 2 * ZC_DOCGROUP_FP_HASHES hex digits
 * (absent when the body has fewer than ZC_DOCGROUP_SHINGLE characters).
 * The first 19 bytes sort as the preference order of lib/versions.c:
 * newest, then with a document number, then the longer body. */
#define ZC_DOCGROUP_STAMP_HEAD 19
#define ZC_DOCGROUP_STAMP_MAX (ZC_DOCGROUP_STAMP_HEAD + 2 * ZC_DOCGROUP_FP_HASHES)

/* The length of title[0..len) without its trailing edition markers: a
 * bracketed group at the end ((), （）, [], 【】, 〔〕) holding one of
 * 修正 修订 修改 amended revised revision (any case) and otherwise only
 * digits (any width), Chinese numerals, 年 月 日 第 次 版 本, "as", spaces
 * and . - / ,.  Repeated while one is found ("X（2018年修正）（2019修订）" ->
 * "X").  Other brackets stay: 刑法修正案（十一）, 宪法修正案（1988年） and
 * 民法典（总则） are documents of their own.  Pure. */
size_t zc_docgroup_title_len(const char *title, size_t len);

/* 1 when docno[0..len) is the number of an order (令): its canonical form
 * (zc_docno_canonical) holds 令第, or its text part ends in 令 before the
 * number.  Such a number does not enter the key. */
int zc_docgroup_docno_is_order(const char *docno, size_t len);

/* The group key of a document (title, document number and id as parsed)
 * into hex (ZC_DOCGROUP_KEY_CHARS + 1 bytes, NUL-terminated).  A title
 * with no token gets a key made from the id, so the document is a group
 * of its own.  an: borrowed for the call.  ZC_ENOMEM. */
zc_status zc_docgroup_key(zc_analyzer *an, const zc_doc *d,
                          char hex[ZC_DOCGROUP_KEY_CHARS + 1], zc_error *err);

/* The fingerprint of text[0..len) into fp; returns the number of shingles
 * (0: too short to have one, fp left as all 0xFF).  Characters are folded
 * as the analyzer folds them (zc_analyzer_fold_char); spaces, punctuation
 * and symbols are left out, so line breaks and bracket styles do not
 * count.  an: borrowed (NULL: no Traditional/Simplified folding). */
size_t zc_docgroup_fingerprint(const zc_analyzer *an, const char *text, size_t len,
                               uint8_t fp[ZC_DOCGROUP_FP_HASHES]);

/* The stamp of d into buf (ZC_DOCGROUP_STAMP_MAX + 1 bytes, NUL-terminated);
 * returns its length. */
size_t zc_docgroup_stamp(const zc_analyzer *an, const zc_doc *d,
                         char buf[ZC_DOCGROUP_STAMP_MAX + 1]);

/* The estimated resemblance (share of shingles in common, 0..1) of two
 * stamps' fingerprints (a[0..alen), b[0..blen)), or -1 when either has
 * none or a stamp is malformed. */
double zc_docgroup_resemblance(const char *a, size_t alen, const char *b, size_t blen);

/* Days between the dates of two stamps (>= 0), or -1 when either is
 * undated or malformed. */
long zc_docgroup_days_apart(const char *a, size_t alen, const char *b, size_t blen);

/* Adds d's group term (ZC_PFX_GROUP + key, boolean), its key value
 * (ZC_SLOT_GROUP) and its stamp (ZC_SLOT_GROUP_STAMP) to doc (docbuild.c
 * adds the exact-title term of the title without its edition markers,
 * zc_docgroup_title_len, beside the whole title's).
 * ZC_ENOMEM or the wrapper's errors. */
zc_status zc_docgroup_add(zc_analyzer *an, const zc_doc *d, zc_xap_doc *doc, zc_error *err);

#endif
