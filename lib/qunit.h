/* qunit.h — units typed without quotes: dates and numbers with their unit.
 *
 * Owns: which unquoted query words are read as a phrase because analysis
 * would cut them into pieces that each match anywhere (2017年6月27日 into
 * 2017, 年, 6, …).  The rule, for the whole word (protocol.md "Units typed
 * without quotes"); digits are ASCII or full-width (０-９), and '-' '.' '/'
 * '%' may be full-width (－ ． ／ ％) too:
 *   a date    Y年, Y年M月, Y年M月D日, M月D日, Y-M, Y-M-D, Y.M.D, Y/M/D,
 *             where Y has 4 digits, M and D 1 or 2, M is 1..12 and D 1..31,
 *             and one date uses one separator;
 *   a number  digits, optionally '.' and more digits, followed by one of
 *             % 元 万元 亿元 万亿元 万 亿 万亿 个 家 项 年 天 倍 人 次 户.
 * A word with anything before or after the unit (2016年4月26日国务院) is
 * not one: it stays a word.
 *
 * Must never: allocate, or read past (text, len).
 */
#ifndef ZC_QUNIT_H
#define ZC_QUNIT_H

#include <stddef.h>

/* 1 if the whole of text[0, len) is a date or a number with its unit
 * (above), else 0. */
int zc_qunit_is(const char *text, size_t len);

#endif
