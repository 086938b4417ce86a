/* synonyms.h — synonym lists: their file format, and the table a query
 * looks its words up in.
 *
 * Owns: the format (docs/synonyms.md), its limits, the match form of a
 * piece of text, the table (which alternatives a key has, and its
 * canonical form) and the built-in list (data/synonyms.txt, compiled into
 * the library).  The format, in short:
 *
 *   # a comment (a '#' at the start of a line or after whitespace)
 *   国家发展和改革委员会 | 国家发展改革委 | 发展改革委 | 发改委
 *   EO | E.O. => Executive Order
 *   !no-default
 *
 * A line is a group: alternatives separated by '|', each finding the
 * others; with '=>', a one-way rule: each alternative on the left finds
 * those on the right, not the other way round.  An alternative is one or
 * more words; what counts is its match form (below), so case, width,
 * Traditional characters and punctuation between words do not.  The
 * canonical form of a key is the first alternative of its group (of the
 * right side of a rule); the first group that names a key gives it.
 * "!no-default" (a line of its own, in an index's list) turns the built-in
 * list off for that index.
 *
 * Match form: the text's analyzed words and CJK characters (the tokens
 * every analyzer mode makes alike), normalized and folded, each followed
 * by 0x1F.  A query word, or a run of them, matches a key when their
 * forms are equal: 发改委, 發改委 and "发 改委" match 发改委; "E.O." and
 * "E O" match each other but not "EO".
 *
 * Must never: read a file (callers hand the text over), grow past its
 * limits (ZC_SYN_MAX_*: an error names the line), or change once built
 * (tables are shared read-only by the threads of a process).
 */
#ifndef ZC_SYNONYMS_H
#define ZC_SYNONYMS_H

#include <stddef.h>

#include "base/strbuf.h"
#include "lib/analyzer.h"
#include "lib/zhengce.h"

/* Limits of one list, each with its reason. */
/* A list is hand-written: 1 MiB is tens of thousands of groups. */
#define ZC_SYN_MAX_BYTES (1024u * 1024u)
/* Bytes of one line. */
#define ZC_SYN_MAX_LINE 4096
/* Alternatives of a group, and of a key after merging groups: each is
 * searched. */
#define ZC_SYN_MAX_ALTS 32
/* Whitespace-separated words of one alternative: the longest run of query
 * words looked up. */
#define ZC_SYN_MAX_WORDS 8
/* Bytes of an alternative's match form. */
#define ZC_SYN_MAX_FORM 512

typedef struct zc_syn_table zc_syn_table;

/* One alternative of a key.  Borrowed from its table. */
typedef struct zc_syn_alt {
    const char *text; /* as written in the list (words separated by one
                           * space), NUL-terminated */
    size_t len;
    const char *form; /* its match form, NUL-terminated */
    size_t form_len;
    int phrase; /* its match form has two or more tokens: searched
                           * as a phrase; else as a word */
} zc_syn_alt;

/* Parses a list.  name names it in error messages ("synonyms", a file
 * name).  ZC_EINVAL ("synonyms") for a list that breaks the format or its
 * limits (the message gives the line), ZC_ETOOLONG past ZC_SYN_MAX_BYTES,
 * ZC_ENOMEM, or the analyzer's errors.  An empty list (or only comments)
 * is a table with no group.  *out: returns new; free with
 * zc_syn_table_free. */
zc_status zc_syn_parse(const char *text, size_t len, const char *name, zc_syn_table **out,
                       zc_error *err);

void zc_syn_table_free(zc_syn_table *t);

/* The built-in list, parsed once per process (thread-safe).  *out:
 * borrowed for the life of the process.  Errors as zc_syn_parse (a
 * built-in list that does not parse is a build defect: tests parse it). */
zc_status zc_syn_builtin(const zc_syn_table **out, zc_error *err);

/* The built-in list's text (data/synonyms.txt at build time); static. */
const char *zc_syn_builtin_text(size_t *len);

/* Groups and rules of the list (lines that are not comments). */
size_t zc_syn_groups(const zc_syn_table *t);

/* 1 if the list says "!no-default". */
int zc_syn_no_default(const zc_syn_table *t);

/* Most words in one alternative of the list (0 for an empty list): the
 * longest run of query words worth looking up. */
size_t zc_syn_max_words(const zc_syn_table *t);

/* Appends the match form of text[0, len) to out, analyzed by a (any mode:
 * the form uses only tokens every mode makes).  ZC_ENOMEM, or the
 * analyzer's errors. */
zc_status zc_syn_form(zc_analyzer *a, const char *text, size_t len, zc_strbuf *out, zc_error *err);

/* The key whose match form is form[0, len): 1 and its alternatives (*alts
 * borrowed, *n of them, the key itself not among them) and its canonical
 * form (*canon, borrowed; may be the key itself), or 0 when the list has
 * no such key. */
int zc_syn_lookup(const zc_syn_table *t, const char *form, size_t len, const zc_syn_alt **alts,
                  size_t *n, const zc_syn_alt **canon);

#endif
