/* converter.h — a thin C face over OpenCC (libopencc, C API opencc.h):
 * Traditional -> Simplified Chinese folding for indexing and querying.
 *
 * Owns: one OpenCC converter ("t2s.json") and a character table derived
 * from it at load time.
 *
 * Must never: change the number of code points (the analyzer keeps one byte
 * span of the original text per character, so 臺灣 -> 台湾 must stay two
 * characters: when OpenCC's answer for a run has another length, each
 * character is converted alone, and one that still does not map 1:1 is kept
 * as it is), print, or let an OpenCC exception escape (the C API catches
 * them; we never feed it invalid UTF-8).
 *
 * How it is fast.  OpenCC's t2s is two layers: a phrase table (TSPhrases,
 * e.g. 乾隆 stays 乾隆 while 乾燥 -> 干燥) over a character table
 * (TSCharacters, first candidate wins).  At load we ask OpenCC for every
 * Han code point alone (one call, one character per line) and keep the
 * ~4,100 that change.  A run is then converted by table lookup, and only a
 * run holding one of the few characters whose result depends on context
 * (the "context set": characters with several candidates in TSCharacters,
 * plus the characters a phrase maps differently from their first candidate,
 * 62 in OpenCC 1.1.6, listed in converter.c) goes through OpenCC itself.
 * For any run without a context-set character the table gives exactly
 * OpenCC's answer: every phrase maps its other characters to their first
 * candidates.  Simplified text almost never touches OpenCC.
 *
 * Threads: a zc_conv is read-only after zc_conv_new and may be shared by
 * all threads.  OpenCC's converter is const and documented thread-safe by
 * its maintainer (BYVoid/OpenCC issue #231, covered by its unit tests); the
 * only shared mutable state in its C API is the error string set when a
 * conversion throws, which cannot happen on valid UTF-8.  zc_conv_new costs
 * tens of milliseconds: make one per process (or per index handle), not one
 * per analyzer.
 */
#ifndef ZC_CONVERTER_H
#define ZC_CONVERTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/zc_status.h"

/* OpenCC configuration used when zc_conv_new gets NULL. */
#define ZC_CONV_DEFAULT_CONFIG "t2s.json"

typedef struct zc_conv zc_conv;

/* Opens OpenCC with config (NULL: ZC_CONV_DEFAULT_CONFIG; a bare name is
 * looked up in OpenCC's data directory, /usr/share/opencc) and builds the
 * character table.  The context set is derived for t2s.json; another
 * Traditional -> Simplified config (tw2s.json, hk2s.json) works, but its
 * extra phrase layers are then only applied to runs holding a context-set
 * character.  ZC_ENOTFOUND when OpenCC cannot open the config,
 * ZC_ENOMEM.  Returns new; free with zc_conv_free. */
zc_status zc_conv_new(const char *config, zc_conv **out, zc_error *err);

/* The same, with the character table kept in cache_dir (NULL: none, as
 * zc_conv_new): read from <cache_dir>/t2s-table.zcc when the file is valid
 * (see filecache.h; its stamp covers the config name, the content of the
 * config's directory's *.json and *.ocd2 files and OpenCC's shared
 * library), else built (~65 ms) and saved atomically.  The table, and so
 * every conversion, is the same either way.  Returns new; free with
 * zc_conv_free. */
zc_status zc_conv_new_cached(const char *config, const char *cache_dir, zc_conv **out,
                             zc_error *err);
void zc_conv_free(zc_conv *c);

/* Converts n code points in[0..n) to out[0..n) (out may equal in).  The
 * code points are one run of text (typically a run of CJK characters):
 * phrases are recognised inside it.  Other characters pass through.
 * ZC_EINVAL when a code point is not a Unicode scalar value (negative,
 * surrogate, > U+10FFFF): out is then a copy of in.  ZC_ENOMEM. */
zc_status zc_conv_t2s_chars(const zc_conv *c, const int32_t *in, size_t n, int32_t *out,
                            zc_error *err);

/* The character-level mapping of one code point (its first TSCharacters
 * candidate), or cp itself.  No phrase context: prefer zc_conv_t2s_chars
 * for text. */
int32_t zc_conv_t2s_char(const zc_conv *c, int32_t cp);

/* 1 if zc_conv_t2s_chars would leave in[0..n) unchanged without asking
 * OpenCC (no character of the run changes at character level and none is in
 * the context set): lets a caller skip work for Simplified text. */
int zc_conv_is_simplified(const zc_conv *c, const int32_t *in, size_t n);

/* 1 if cp is in the context set: its folding in a run may differ from
 * zc_conv_t2s_char (OpenCC's phrase layer decides). */
int zc_conv_is_context(const zc_conv *c, int32_t cp);

/* Converts a whole UTF-8 string (as one run) into a new NUL-terminated
 * string with the same number of code points; *out_len gets its length in
 * bytes (which may differ from len).  ZC_EINVAL on invalid UTF-8.
 * Returns new; free with free(). */
zc_status zc_conv_t2s_utf8(const zc_conv *c, const char *in, size_t len, char **out,
                           size_t *out_len, zc_error *err);

/* Number of code points the character table changes (for tests and logs). */
size_t zc_conv_table_size(const zc_conv *c);

#endif
