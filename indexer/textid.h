/* textid.h — the ids of text documents without an Id header, and the
 * run's check that no two text files share an id.
 *
 * Owns: the id rule and the table of the ids given out in one run (each id
 * with the file that holds it, by device and inode).
 *
 * The rule: the id is the file's canonical path (realpath(3): symbolic
 * links, ".", ".." and repeated slashes resolved, absolute), '/'-separated,
 * with the extension of its last component dropped (from its last '.', when
 * that is not the name's first byte).  With a root (--id-root DIR, itself
 * made canonical) the id is that path relative to the root, without a
 * leading '/'; a file outside the root gets no id.
 *   /srv/corpus/text/a.txt            -> "/srv/corpus/text/a"
 *   same, --id-root /srv/corpus       -> "text/a"
 * Why: a file has one canonical path however it is named (relative,
 * absolute, "./", "..", through a symlinked directory, by a directory walk
 * or directly) and whatever the current directory, so re-indexing the same
 * files gives the same ids; two files never share a canonical path, so only
 * dropping the extension ("a.txt", "a.md") or an Id header can make two
 * files collide, and claim() catches that.  Ids relative to the directory
 * named on the command line (the old rule) changed with how the file was
 * named; file names alone collide across folders.  Ids with the leading
 * '/' and ids under a root can never be equal.
 *
 * Must never: read the files (it resolves paths only) or print.
 */
#ifndef ZC_INDEXER_TEXTID_H
#define ZC_INDEXER_TEXTID_H

#include <stddef.h>
#include <sys/stat.h>

typedef struct zc_textid zc_textid;

/* A new table for one run; root (NULL for none) is made canonical.
 * Returns 0 and *out (returns new; free with zc_textid_free), or -1 with
 * why in msg[0..cap) (the root cannot be resolved or is not a directory;
 * *out NULL).  Aborts when out of memory, as the indexer does. */
int zc_textid_new(const char *root, zc_textid **out, char *msg, size_t cap);
void zc_textid_free(zc_textid *t);

/* The id of the file at path by the rule above.  Returns new (free with
 * free()), or NULL with why in msg[0..cap): the path cannot be resolved,
 * or it lies outside the root. */
char *zc_textid_of(const zc_textid *t, const char *path, char *msg, size_t cap);

/* Claims id for the file st (stat of the file read), named path.
 * Returns 0 when the id was free (it is now the file's), 1 when this very
 * file already holds it (named twice: read it once), or -1 when another
 * file holds it: *other is that file's path as it was named (borrowed
 * until zc_textid_free). */
int zc_textid_claim(zc_textid *t, const char *id, const struct stat *st, const char *path,
                    const char **other);

#endif
