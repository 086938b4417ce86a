/* unit.h — units: dates, and numbers with their unit, in any digit width
 * and in Arabic or Chinese numerals, to one canonical form.
 *
 * Owns: what a unit is and its canonical form — the rule that makes
 * 2017年6月27日, ２０１７年６月２７日, 2017-06-27 and 二〇一七年六月二十七日 one
 * term, 5%, ５％ and 百分之五 another, 300万元 and 三百万元 a third.  The index
 * holds the canonical form of every unit of a document's title and body as
 * a term (schema.h ZC_PFX_UNIT, docbuild.c); a query word that is one unit
 * as a whole searches that term (qparse.c, qcompile.c); snippets find the
 * units of a hit's text with the same scan (snippet_scan.c).  Changing the
 * grammar or the forms changes those terms: bump ZC_FORMAT_VERSION.
 *
 * Must never: allocate, read outside (text, len), or report a span that is
 * not whole characters of the original text.
 *
 * Characters.  Digits are ASCII or full-width (０-９); '-' '.' '/' '%' may be
 * full-width (－ ． ／ ％).  Chinese digits: 零 〇 ○ 一 二 三 四 五 六 七 八 九,
 * and 两 (not in a digit-by-digit year); multipliers 十 百 千 万 亿; 点 is the
 * decimal point.  The Traditional forms 萬 億 兩 點 個 項 戶 歲 噸 畝 時 頃 are
 * read as their Simplified forms (the analyzer folds them too).
 *
 * Numbers.  Arabic: digits (groups of three after ',' allowed: 1,000),
 * optionally '.' and more digits, then optionally up to three of 百 千 万 亿
 * (3千万, 12.5亿, 1万亿).  Chinese: the usual grammar (三百万, 一万五千,
 * 十五点五, 两万, 百亿: a leading 十 百 千 means one of it, a 十 after 百 or
 * 千 one ten: 四百十一); numerals that do not read as one number (一九,
 * 三四) are none, never a part of them.  At most 18 significant digits.
 * Value = the number with every multiplier applied.
 *
 * Units and their canonical forms (ASCII letter first, then the value in
 * decimal without leading or trailing zeros, then the unit's Simplified
 * characters):
 *   dY.M.D  a date: Y年M月D日, Y-M-D, Y.M.D, Y/M/D (one separator);
 *   dY.M    a month: Y年M月, Y-M (with '-' only: 2016.04 is a number);
 *   dY      a year: Y年;
 *           Y: four Arabic digits or four Chinese digits (二〇一六, 二零一六),
 *           M 1-12, D 1-31, each 1-2 Arabic digits or a Chinese number;
 *           blanks (space, tab, U+3000, U+00A0) may stand around the
 *           numbers of the 年月日 forms (2021年1月 1日, as PDF text has it);
 *   mM.D    a day of any year: M月D日;
 *   nV%     百分之V, V% (‰ and 千分之V: nV‰);
 *   nVu     V followed by a unit u, the longest of: 元 美元 个月 个 家 项 年
 *           天 倍 人 次 户 岁 亩 吨 公里 公顷 平方米 小时 名
 *           (300万元 -> n3000000元, 12.5亿元 -> n1250000000元, 三年 -> n3年);
 *           a four-digit Arabic or digit-by-digit year before 年 is a year;
 *   nV      a number whose multipliers include 万 or 亿, alone (300万,
 *           三百万, 千万).
 *
 * A text is scanned for units from left to right.  A unit starts at a
 * digit not preceded by an ASCII letter, a digit, '.', or a ',' that
 * follows a digit (1,000; a ',' after anything else, as the full-width
 * comma of Chinese text, is punctuation), or at a
 * Chinese digit or multiplier (or 百分之, 千分之) not preceded by a Chinese
 * digit, multiplier or 点.  Where one is found the scan reports every form
 * it holds, the most specific first: 2016年4月26日 is d2016.4.26 (the whole),
 * d2016.4 (2016年4月), d2016 (2016年) and m4.26 (4月26日); 300万元 is
 * n3000000元 and n3000000 (300万).  It then goes on after the unit, so
 * 4月26日 inside that date is not reported twice.
 */
#ifndef ZC_UNIT_H
#define ZC_UNIT_H

#include <stddef.h>

/* Longest canonical form, in bytes, with its NUL. */
#define ZC_UNIT_CANON_MAX 64

typedef struct zc_unit {
    size_t start, end;    /* bytes of the original text: whole characters */
    const char *canon;    /* NUL-terminated; borrowed for the callback only */
    size_t len;           /* of canon, < ZC_UNIT_CANON_MAX */
} zc_unit;

/* Called for each unit form; return non-zero to stop the scan. */
typedef int (*zc_unit_fn)(void *ctx, const zc_unit *u);

/* Calls fn for every unit form of text[0, len), by start, the most
 * specific first at one start.  Returns what fn returned when it stopped
 * the scan, else 0.  Invalid UTF-8 only separates. */
int zc_unit_scan(const char *text, size_t len, zc_unit_fn fn, void *ctx);

/* A Chinese integer at the start of text[0, len), in the grammar above
 * (七十三, 一百零五) or digit by digit (七〇七), whichever reads more of
 * it: its value in *value and the bytes it takes, or 0 when there is none
 * (or it has 点).  For document numbers (docno.c: 主席令第七十三号). */
size_t zc_unit_cn_int(const char *text, size_t len, unsigned long long *value);

/* 1 if the whole of text[0, len) is one unit: its most specific form then
 * goes to canon (room for ZC_UNIT_CANON_MAX bytes, NUL-terminated) and its
 * length to *clen (may be NULL).  0 otherwise (canon[0] = '\0'). */
int zc_unit_whole(const char *text, size_t len, char *canon, size_t *clen);

#endif
