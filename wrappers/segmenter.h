/* segmenter.h — a thin C face over friso (Debian libfriso-dev + friso-dict),
 * the dictionary word segmenter for runs of Chinese characters.
 *
 * Owns: the friso instance, its dictionary and configuration (zc_seg_dict,
 * loaded once, read-only afterwards, shared by all threads), the word table
 * derived from friso's dictionary and its cache file (see
 * zc_seg_dict_open), and the per-thread segmentation state
 * (zc_seg_session).
 *
 * Must never: lose or duplicate a character (every character of the input is
 * covered by exactly one word, in order), trust friso's byte offsets (we
 * check each word against the text), read unbounded input into one buffer
 * (input is cut into chunks, see ZC_SEG_CHUNK_BYTES), or print.
 *
 * Thread safety, by construction:
 *   - friso's dictionary is a set of hash tables, read-only after loading;
 *     lookups (friso_dic_match / friso_dic_get) only read.
 *   - friso's own driver, next_mmseg_token(), is NOT safe with a shared
 *     dictionary: it writes the token offset into the dictionary's shared
 *     lex_entry (`lex->offset = ...`, friso.c 1.6.4), and on Latin text it
 *     can flip the entry's ctrlMask.  Two threads race on those fields.  So
 *     this wrapper never calls it: the session runs its own loop over the
 *     text and calls next_complex_cjk() (MMSEG's four rules) for each word,
 *     which only reads the dictionary and keeps its state in the task.
 *   - Each session owns its friso task (text, index, scratch buffers) and its
 *     own copy of the configuration, so nothing mutable is shared.
 *   A dictionary must outlive its sessions; a session is used by one thread
 *   at a time.  Checked with valgrind --tool=helgrind: four threads sharing
 *   one dictionary through this wrapper report no race, while two threads
 *   calling friso's next_mmseg_token on a shared dictionary do (a write in
 *   next_mmseg_token).
 *
 * Limits of friso itself (not fixable here): it calls exit(1) when malloc
 * fails inside a segmentation step, and it prints a warning on stdout when a
 * lexicon file named in friso.lex.ini is missing (we check the lexicon
 * directory first and fail with ZC_ENOTFOUND instead when it is absent).
 *
 * Cost: loading the Debian dictionary (~182,000 CJK words) through friso
 * and building the word table takes ~0.13 s (half each); mapping the table
 * from a valid cache file instead takes ~2 ms (checksumming it and the 2.7
 * MB of lexicons it was derived from), and friso's dictionary is then not
 * loaded at all.  Segmenting runs at roughly 2.5 MB/s of Chinese text per
 * thread.
 */
#ifndef ZC_SEGMENTER_H
#define ZC_SEGMENTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/zc_status.h"
#include "wrappers/seguser.h"

/* Where Debian's friso-dict puts the UTF-8 lexicons (with friso.lex.ini). */
#define ZC_SEG_DEFAULT_LEX_DIR "/usr/share/friso/dict/UTF-8/"

/* Longest dictionary word considered, in characters (friso's max_len).
 * friso's default, and Debian's friso.ini, is 5: longer entries are dropped
 * at load time.  5 scored best on the SIGHAN 2005 sets (PKU F1 0.823 vs
 * 0.822 at 7; MSR 0.830 vs 0.831) and segments ~35% faster than 7, since
 * MMSEG tries up to max_len^3 three-word chunks per word. */
#ifndef ZC_SEG_MAX_WORD_CHARS
#define ZC_SEG_MAX_WORD_CHARS 5
#endif

/* Input is segmented in chunks of at most this many bytes (cut on character
 * boundaries), so a session's buffer stays bounded whatever the input.  The
 * chunks overlap by the MMSEG look-ahead window, so chunking never changes
 * the result. */
#define ZC_SEG_CHUNK_BYTES (16u * 1024u)

typedef struct zc_seg_dict zc_seg_dict;
typedef struct zc_seg_session zc_seg_session;

/* Called for each word, in text order, with its byte span [start, end) in the
 * text given to zc_seg_cut.  Return 0 to go on, non-zero to stop (zc_seg_cut
 * then returns ZC_OK). */
typedef int (*zc_seg_fn)(void *ctx, size_t start, size_t end);

/* Loads friso and its dictionary, and builds the word table (no cache file).
 *   ini_path NULL: zc_seg_dict_open(NULL, NULL, ...): the Debian lexicons
 *     in ZC_SEG_DEFAULT_LEX_DIR, MMSEG
 *     complex mode, ZC_SEG_MAX_WORD_CHARS, no synonyms, no stopword removal.
 *     (/etc/friso/friso.ini is not read: the library reads no configuration
 *     on its own, and its lex_dir and max_len are what we set here anyway.)
 *   ini_path given: a friso.ini file read by friso_init_from_ifile (its
 *     lex_dir, max_len, mode); stopword removal and synonyms are then turned
 *     off, since this wrapper must cover every character.
 * ZC_ENOTFOUND when the ini file or the lexicon directory is missing,
 * ZC_ECORRUPT when the dictionary loaded no CJK word, ZC_ENOMEM.
 * Returns new; free with zc_seg_dict_free after every session is freed. */
zc_status zc_seg_dict_load(const char *ini_path, zc_seg_dict **out, zc_error *err);

/* How a dictionary got its word table. */
typedef enum zc_seg_cache_state {
    ZC_SEG_CACHE_OFF = 0,   /* built from friso; no cache directory given */
    ZC_SEG_CACHE_MAPPED,    /* mapped from a valid cache file; friso not loaded */
    ZC_SEG_CACHE_SAVED,     /* the file was missing, stale or damaged: built
                             * from friso and saved (atomically) */
    ZC_SEG_CACHE_UNSAVED    /* built from friso; the file could not be written */
} zc_seg_cache_state;

/* The default configuration (MMSEG complex mode, ZC_SEG_MAX_WORD_CHARS, as
 * zc_seg_dict_load(NULL)) over the lexicons in lex_dir (a directory holding
 * friso.lex.ini; NULL: ZC_SEG_DEFAULT_LEX_DIR), with the word table kept
 * in cache_dir (NULL: no cache, build it every time).
 *
 * The cache file, <cache_dir>/friso-words.zcc, is mapped read-only when its
 * header matches (format version, and a stamp of the lexicon directory's
 * path, the content of its *.lex and *.ini files, friso's shared library
 * and the load parameters), its size is right, its checksum holds and its
 * table stays within bounds.  Otherwise (missing, stale, damaged) the table
 * is built from friso and saved under a temporary name renamed over the
 * file, so concurrent processes never see a partial file; a directory that
 * cannot be written only means the next process builds again.  Either way
 * the words, and so every segmentation, are the same.  -DZC_SEG_VERIFY
 * builds ignore cache_dir (they check friso at every look-up).
 * ZC_ENOTFOUND when lex_dir has no friso.lex.ini, ZC_ECORRUPT when friso
 * loaded no CJK word, ZC_ENOMEM.
 * Returns new; free with zc_seg_dict_free after every session is freed. */
zc_status zc_seg_dict_open(const char *lex_dir, const char *cache_dir, zc_seg_dict **out,
                           zc_error *err);

/* How d's word table was made (for logs and tests). */
zc_seg_cache_state zc_seg_dict_cache_state(const zc_seg_dict *d);

void zc_seg_dict_free(zc_seg_dict *d);

/* Number of entries in the CJK word lexicon (for logs and tests). */
size_t zc_seg_dict_size(const zc_seg_dict *d);

/* 1 if the UTF-8 character s[0..len) is in friso's unit lexicon (年 月 日 时
 * 元 吨 ...: words friso joins to a preceding number, e.g. "2001年"). */
int zc_seg_is_unit(const zc_seg_dict *d, const char *s, size_t len);

/* A per-thread segmentation state over a shared dictionary (borrowed: must
 * outlive the session).  Returns new; free with zc_seg_session_free. */
zc_status zc_seg_session_new(zc_seg_dict *d, zc_seg_session **out, zc_error *err);
void zc_seg_session_free(zc_seg_session *s);

/* Gives the session user words (borrowed: must outlive their use by the
 * session; NULL: none), from its next cut on; forgets its cached cuts.
 * ZC_ENOMEM when the rows for longer words cannot be allocated (the
 * session keeps its previous words then). */
zc_status zc_seg_session_set_user(zc_seg_session *s, const zc_seg_user *u, zc_error *err);

/* Segments text[0..len) (UTF-8, meant for a run of CJK characters) and calls
 * fn for each word in order.  The words tile the text exactly: the first
 * starts at 0, each starts where the previous ended, the last ends at len,
 * each is at least one whole character.  Characters friso does not know
 * (not in its dictionary, non-Han, whitespace, punctuation) come out as
 * one-character words.  len 0 calls nothing.  ZC_EINVAL on invalid UTF-8
 * (nothing is emitted then).  Allocation-free apart from friso's own
 * per-word work. */
zc_status zc_seg_cut(zc_seg_session *s, const char *text, size_t len, zc_seg_fn fn,
                     void *ctx, zc_error *err);

/* The same on code points: segments cps[0..n) and calls fn with [start,
 * end) as code point indexes into cps (tiling them exactly, as above).  For
 * callers that already hold a run decoded (and normalized, and folded to
 * Simplified) as code points.  ZC_EINVAL when a code point is not a Unicode
 * scalar value (nothing is emitted then). */
zc_status zc_seg_cut_chars(zc_seg_session *s, const int32_t *cps, size_t n, zc_seg_fn fn,
                           void *ctx, zc_error *err);

#endif
