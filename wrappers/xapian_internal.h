/* xapian_internal.h — what the wrappers/xapian_*.cc files share: the
 * handles behind xapian.h's opaque types and the helpers every entry point
 * uses (the exception guard, the reopen-and-retry, text in and out).
 *
 * Owns: nothing; C++ only, for the wrapper's own files (and the test
 * support in tests/unit/xapian_testutil.cc).  Not part of the library's
 * interface: everything here has hidden visibility.
 * Must never: be included from C.
 */
#ifndef ZC_XAPIAN_INTERNAL_H
#define ZC_XAPIAN_INTERNAL_H

#ifndef __cplusplus
#error "xapian_internal.h is C++"
#endif

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

/* Xapian's umbrella header (its <xapian/...> parts refuse to be included
 * alone).  Our own wrappers/xapian.h cannot stand in for it: the build
 * finds our headers through -iquote, by their path from the top. */
#include <xapian.h>

extern "C" {
#include "base/error.h"
}
#include "wrappers/xapian.h"

/* ---- Handles ------------------------------------------------------------ */

struct zc_xap_db {
    /* Every read goes through db.  For a writable handle db shares wdb's
     * internals, so reads see pending (uncommitted) changes. */
    Xapian::Database db;
    Xapian::WritableDatabase wdb; /* valid only when writable */
    /* Set when db was put together from several databases by the caller
     * (test support: xapian_testutil.cc): one handle per sub-database,
     * sharing internals with db, so a revision can be computed
     * (Database::get_revision refuses several sub-databases). */
    std::vector<Xapian::Database> shards;
    bool writable = false;
};

struct zc_xap_doc {
    Xapian::Document doc;
};

struct zc_xap_query {
    Xapian::Query q;
};

struct zc_xap_facet {
    std::vector<std::pair<std::string, uint64_t>> values; /* sorted */
};

struct zc_xap_mset {
    /* A copy of the searched database: shares internals with the zc_xap_db,
     * so hit data can be fetched (and a reopen retried) after the search. */
    Xapian::Database db;
    /* The search's Enquire, kept as long as its MSet (MSet::snippet and
     * other MSet calls reach back into it). */
    std::unique_ptr<Xapian::Enquire> enquire;
    Xapian::MSet mset;
    std::vector<zc_xap_facet> facets;
};

struct zc_xap_stem {
    Xapian::Stem stem;
};

namespace zc_xap_impl {

/* ---- Errors (xapian_error.cc) ------------------------------------------- */

/* Sets err to code with "what: <Xapian's description>"; returns code. */
zc_status set_xap(zc_error *err, zc_status code, const char *what, const Xapian::Error &e);

/* Must be called from inside a catch block: rethrows the exception in
 * flight and turns it into a status and message (the one place where
 * exception types become statuses).  Never throws. */
zc_status map_exception(zc_error *err, const char *what) noexcept;

/* Runs body, the whole of an extern "C" function's work, and returns its
 * status; whatever it throws becomes a status and message through
 * map_exception.  The one try/catch every fallible entry point shares, so no
 * exception crosses into C.  body returns a zc_status. */
template <class F>
static inline zc_status guarded(zc_error *err, const char *what, F body) noexcept
{
    try {
        return body();
    } catch (...) {
        return map_exception(err, what);
    }
}

/* Runs f, and on a read handle retries it once after a reopen if a writer
 * moved the database under us.  DatabaseModifiedError is the documented
 * case: a writer's commits freed blocks of the revision we read.  A reader
 * racing a writer that commits after every document has also been seen
 * (once, under ASan, in test_searches_during_frequent_commits_never_fail) to
 * get a plain DatabaseError "EOF reading block" instead; a retry on the
 * newest revision is as correct for it, and real corruption fails the retry
 * too and is reported.  Opening and lock errors (DatabaseOpeningError) are
 * not transient.  A second failure propagates (ZC_EMODIFIED for a
 * DatabaseModifiedError). */
template <class F>
static inline void read_retry(Xapian::Database &db, bool writable, F f)
{
    try {
        f();
    } catch (const Xapian::DatabaseOpeningError &) {
        throw;
    } catch (const Xapian::DatabaseError &) {
        if (writable)
            throw;
        db.reopen();
        f();
    }
}

/* ZC_EINVAL "what: bad arguments". */
zc_status bad_args(zc_error *err, const char *what);
/* ZC_ENOTFOUND "what: no index at 'path' ...". */
zc_status no_index(zc_error *err, const char *what, const char *path);
/* ZC_EREADONLY "what: the database is open read-only". */
zc_status readonly(zc_error *err, const char *what);

/* ---- Text in and out (xapian_error.cc) ---------------------------------- */

/* (ptr, len) text: NULL is allowed only with len 0. */
bool text_ok(const char *p, size_t len);
/* (ptr, len) as a string (empty when len is 0, whatever p). */
std::string text(const char *p, size_t len);
/* Copies s into a new NUL-terminated buffer: *out returns new, free with
 * free().  ZC_ENOMEM. */
zc_status dup_out(const std::string &s, char **out, size_t *len_out, zc_error *err,
                  const char *what);
/* Sets the optional (out, len_out) pair to (NULL, 0). */
void clear_str_out(char **out, size_t *len_out);

/* ---- Queries (xapian_query.cc) ------------------------------------------ */

/* *out: returns new, owning q. */
zc_status new_query(Xapian::Query q, zc_xap_query **out);

} // namespace zc_xap_impl

#endif
