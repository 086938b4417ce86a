/* search_reply.h — the SEARCH reply: results written as the protocol's
 * JSON object (zhengce.h's zc_results_to_json).
 *
 * Owns: the exact bytes of the reply: key order, which keys a hit leaves
 * out, how strings and reals are spelled.  They are what jansson's
 * json_dumpb gives with JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(10) (test_search's test_reply_is_janssons and
 * test_search_reply check it), written straight into one buffer: building
 * a jansson tree of every hit and dumping it twice (size, then text) took
 * 5% of the daemon's CPU on the benchmark's query mix.
 * Must never: write a raw newline or control character, or invalid UTF-8.
 */
#ifndef ZC_SEARCH_REPLY_H
#define ZC_SEARCH_REPLY_H

#include "base/strbuf.h"

/* Appends s (NUL-terminated) as a JSON string: UTF-8 as it is with only
 * " \ and control characters escaped (\uXXXX in upper case, the short
 * forms where JSON has them).  A string that is not valid UTF-8 (cannot
 * come from a validated index) is written "", as jansson would refuse it. */
void zc_reply_put_string(zc_strbuf *b, const char *s);

/* Appends v as jansson's jsonp_dtostr with precision 10 (the C locale's
 * '.'): %.10g, ".0" added to an integral value, the exponent without '+'
 * or leading zeros.  An infinity or NaN, which json_real refuses, sets
 * b->oom so the reply fails. */
void zc_reply_put_real(zc_strbuf *b, double v);

#endif
