/* xapian.cc — the C face over xapian-core 1.4 declared in wrappers/xapian.h.
 *
 * Owns: every Xapian object of the engine (databases, documents, queries,
 * match sets, stemmers), behind the opaque handles of xapian.h.
 * Must never: let a C++ exception cross into C.  Every extern "C" function
 * that can fail runs its body through guarded(), whose catch (...) hands the
 * exception to map_exception, the one place where exception types become
 * statuses.
 *
 * Two behaviours worth knowing:
 *  - A writable handle always has a (flushed) Xapian transaction open.  That
 *    is what makes zc_xap_db_commit atomic (Xapian otherwise auto-commits
 *    every XAPIAN_FLUSH_THRESHOLD documents) and what makes close discard
 *    uncommitted changes (Xapian's destructor otherwise commits them).  The
 *    price: pending changes live in memory until the caller commits.
 *  - Read handles survive a writer's commits: a DatabaseModifiedError (or a
 *    transient DatabaseError, see read_retry) during
 *    a read reopens the database and retries the operation once.
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

/* Xapian's umbrella header.  Spelled through its own include directory
 * because -Iwrappers makes a plain <xapian.h> find our wrappers/xapian.h. */
#include <xapian/../xapian.h>

extern "C" {
#include "error.h"
}
#include "xapian.h"

/* ---- Handles ------------------------------------------------------------ */

struct zc_xap_db {
    /* Every read goes through db.  For a writable handle db shares wdb's
     * internals, so reads see pending (uncommitted) changes. */
    Xapian::Database db;
    Xapian::WritableDatabase wdb; /* valid only when writable */
    /* Shards: one handle per sub-database, sharing internals with db, so
     * a revision can be computed (Database::get_revision refuses shards). */
    std::vector<Xapian::Database> shards;
    bool writable = false;
};

struct zc_xap_doc {
    Xapian::Document doc;
    /* Where zc_xap_termgen_index continues, so successive calls do not
     * restart at position 0 and make phrases across fields. */
    Xapian::termpos termgen_pos = 0;
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
    /* Kept alive for MSet::snippet, which needs the query of the search. */
    std::unique_ptr<Xapian::Enquire> enquire;
    Xapian::MSet mset;
    std::vector<zc_xap_facet> facets;
};

struct zc_xap_stem {
    Xapian::Stem stem;
};

/* ---- The one exception mapping --------------------------------------- */

/* True when Xapian says the error came from a missing file or directory. */
static bool is_missing_path(const Xapian::Error &e)
{
    const char *s = e.get_error_string();
    if (s == NULL)
        return false;
    return std::strcmp(s, std::strerror(ENOENT)) == 0 ||
           std::strcmp(s, std::strerror(ENOTDIR)) == 0;
}

static zc_status set_xap(zc_error *err, zc_status code, const char *what,
                         const Xapian::Error &e)
{
    /* get_description() is "Type: msg (context)" plus the errno string. */
    std::string d = e.get_description();
    return zc_error_set(err, code, NULL, "%s: %s", what, d.c_str());
}

/* Must be called from inside a catch block: rethrows the exception in
 * flight and turns it into a status and message.  Never throws. */
static zc_status map_exception(zc_error *err, const char *what) noexcept
{
    try {
        try {
            throw;
        } catch (const Xapian::DatabaseLockError &e) {
            return set_xap(err, ZC_ELOCKED, what, e);
        } catch (const Xapian::DatabaseNotFoundError &e) {
            return set_xap(err, ZC_ENOTFOUND, what, e);
        } catch (const Xapian::DatabaseVersionError &e) {
            return set_xap(err, ZC_EVERSION, what, e);
        } catch (const Xapian::DatabaseOpeningError &e) {
            return set_xap(err, is_missing_path(e) ? ZC_ENOTFOUND : ZC_EIO, what, e);
        } catch (const Xapian::DatabaseCorruptError &e) {
            return set_xap(err, ZC_ECORRUPT, what, e);
        } catch (const Xapian::DatabaseModifiedError &e) {
            return set_xap(err, ZC_EMODIFIED, what, e);
        } catch (const Xapian::DatabaseError &e) {
            return set_xap(err, ZC_EIO, what, e);
        } catch (const Xapian::DocNotFoundError &e) {
            return set_xap(err, ZC_ENOTFOUND, what, e);
        } catch (const Xapian::InvalidArgumentError &e) {
            return set_xap(err, ZC_EINVAL, what, e);
        } catch (const Xapian::InvalidOperationError &e) {
            return set_xap(err, ZC_EINVAL, what, e);
        } catch (const Xapian::QueryParserError &e) {
            return set_xap(err, ZC_EINVAL, what, e);
        } catch (const Xapian::WildcardError &e) {
            /* Too many wildcard expansions: the query's fault. */
            return set_xap(err, ZC_EINVAL, what, e);
        } catch (const Xapian::Error &e) {
            return set_xap(err, ZC_EINTERNAL, what, e);
        } catch (const std::bad_alloc &) {
            return zc_error_set(err, ZC_ENOMEM, NULL, "%s: out of memory", what);
        } catch (const std::exception &e) {
            return zc_error_set(err, ZC_EINTERNAL, NULL, "%s: %s", what, e.what());
        } catch (...) {
            return zc_error_set(err, ZC_EINTERNAL, NULL, "%s: unknown exception", what);
        }
    } catch (...) {
        /* Building the message itself failed (out of memory). */
        return zc_error_set(err, ZC_ENOMEM, NULL, "%s: out of memory", what);
    }
}

/* ---- Helpers ------------------------------------------------------------ */

/* Runs body, the whole of an extern "C" function's work, and returns its
 * status; whatever it throws becomes a status and message through
 * map_exception.  The one try/catch every fallible entry point shares, so no
 * exception crosses into C.  body returns a zc_status. */
template <class F>
static zc_status guarded(zc_error *err, const char *what, F body) noexcept
{
    try {
        return body();
    } catch (...) {
        return map_exception(err, what);
    }
}

static zc_status bad_args(zc_error *err, const char *what)
{
    return zc_error_set(err, ZC_EINVAL, NULL, "%s: bad arguments", what);
}

static zc_status no_index(zc_error *err, const char *what, const char *path)
{
    return zc_error_set(err, ZC_ENOTFOUND, NULL,
                        "%s: no index at '%s' (no such file or directory)", what, path);
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
static void read_retry(Xapian::Database &db, bool writable, F f)
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

/* (ptr, len) text: NULL is allowed only with len 0. */
static bool text_ok(const char *p, size_t len)
{
    return p != NULL || len == 0;
}

static std::string text(const char *p, size_t len)
{
    return len ? std::string(p, len) : std::string();
}

/* Copies s into a new NUL-terminated buffer. */
static zc_status dup_out(const std::string &s, char **out, size_t *len_out,
                         zc_error *err, const char *what)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "%s: out of memory", what);
    if (!s.empty())
        std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *out = p;
    if (len_out)
        *len_out = s.size();
    return ZC_OK;
}

static void clear_str_out(char **out, size_t *len_out)
{
    if (out)
        *out = NULL;
    if (len_out)
        *len_out = 0;
}

static zc_status readonly(zc_error *err, const char *what)
{
    return zc_error_set(err, ZC_EREADONLY, NULL,
                        "%s: the database is open read-only", what);
}

static bool path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Sum of the sub-database revisions for shards; the revision otherwise.
 * Grows whenever any shard commits. */
static uint64_t revision_of(zc_xap_db *db)
{
    if (db->shards.empty())
        return db->db.get_revision();
    uint64_t sum = 0;
    for (auto &s : db->shards)
        sum += s.get_revision();
    return sum;
}

static double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Databases ---------------------------------------------------------- */

extern "C" zc_status zc_xap_db_open(const char *path, int mode, zc_xap_db **out,
                                    zc_error *err)
{
    static const char what[] = "opening database";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (path == NULL || out == NULL || path[0] == '\0')
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no path", what);
        if (mode != ZC_OPEN_READ && mode != ZC_OPEN_WRITE && mode != ZC_OPEN_CREATE)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: bad mode %d", what, mode);
        if (mode != ZC_OPEN_CREATE && !path_exists(path))
            return no_index(err, what, path);
        std::unique_ptr<zc_xap_db> h(new zc_xap_db);
        if (mode == ZC_OPEN_READ) {
            h->db = Xapian::Database(path);
        } else {
            int flags = (mode == ZC_OPEN_CREATE ? Xapian::DB_CREATE_OR_OPEN
                                                : Xapian::DB_OPEN) |
                        Xapian::DB_BACKEND_GLASS;
            h->wdb = Xapian::WritableDatabase(path, flags);
            h->wdb.begin_transaction(true);
            h->db = h->wdb;
            h->writable = true;
        }
        *out = h.release();
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_open_shards(const char *const *paths, size_t n,
                                           zc_xap_db **out, zc_error *err)
{
    static const char what[] = "opening shards";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (paths == NULL || n == 0 || out == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no paths", what);
        std::unique_ptr<zc_xap_db> h(new zc_xap_db);
        for (size_t i = 0; i < n; i++) {
            if (paths[i] == NULL || paths[i][0] == '\0')
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: empty path", what);
            if (!path_exists(paths[i]))
                return no_index(err, what, paths[i]);
            Xapian::Database sub(paths[i]);
            h->db.add_database(sub);
            h->shards.push_back(sub);
        }
        *out = h.release();
        return ZC_OK;
    });
}

extern "C" void zc_xap_db_close(zc_xap_db *db)
{
    if (db == NULL)
        return;
    try {
        /* close() aborts the open transaction, discarding uncommitted
         * changes, and drops the write lock now rather than when the last
         * mset sharing the database is freed. */
        if (db->writable)
            db->wdb.close();
    } catch (...) {
        /* Nothing to report to: close cannot fail in the C API. */
    }
    delete db;
}

extern "C" int zc_xap_db_is_writable(const zc_xap_db *db)
{
    return db != NULL && db->writable;
}

extern "C" zc_status zc_xap_db_reopen(zc_xap_db *db, int *changed, zc_error *err)
{
    static const char what[] = "reopening database";
    if (changed)
        *changed = 0;
    return guarded(err, what, [&] {
        if (db == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no database", what);
        if (db->writable)
            return ZC_OK; /* a writer always sees the newest state */
        uint64_t before = revision_of(db);
        db->db.reopen();
        uint64_t after = revision_of(db);
        if (changed)
            *changed = before != after;
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_doc_count(zc_xap_db *db, uint64_t *out, zc_error *err)
{
    static const char what[] = "counting documents";
    if (out)
        *out = 0;
    return guarded(err, what, [&] {
        if (db == NULL || out == NULL)
            return bad_args(err, what);
        uint64_t n = 0;
        read_retry(db->db, db->writable, [&] { n = db->db.get_doccount(); });
        *out = n;
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_revision(zc_xap_db *db, uint64_t *out, zc_error *err)
{
    static const char what[] = "reading the revision";
    if (out)
        *out = 0;
    return guarded(err, what, [&] {
        if (db == NULL || out == NULL)
            return bad_args(err, what);
        *out = revision_of(db);
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_term_freq(zc_xap_db *db, const char *term, size_t len,
                                         uint64_t *out, zc_error *err)
{
    static const char what[] = "term frequency";
    if (out)
        *out = 0;
    return guarded(err, what, [&] {
        if (db == NULL || out == NULL || term == NULL || len == 0)
            return bad_args(err, what);
        std::string t(term, len);
        uint64_t n = 0;
        read_retry(db->db, db->writable, [&] { n = db->db.get_termfreq(t); });
        *out = n;
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_add_spelling(zc_xap_db *db, const char *word, size_t len,
                                            unsigned freq_inc, zc_error *err)
{
    static const char what[] = "adding a spelling";
    return guarded(err, what, [&] {
        if (db == NULL || word == NULL || len == 0)
            return bad_args(err, what);
        if (!db->writable)
            return zc_error_set(err, ZC_EREADONLY, NULL, "%s: read-only database", what);
        db->wdb.add_spelling(std::string(word, len), freq_inc ? freq_inc : 1);
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_spelling_suggestion(zc_xap_db *db, const char *word,
                                                   size_t len, unsigned max_edit_distance,
                                                   char **out, size_t *len_out,
                                                   zc_error *err)
{
    static const char what[] = "spelling suggestion";
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (db == NULL || out == NULL || !text_ok(word, len))
            return bad_args(err, what);
        std::string w = text(word, len), s;
        read_retry(db->db, db->writable,
                   [&] { s = db->db.get_spelling_suggestion(w, max_edit_distance); });
        return dup_out(s, out, len_out, err, what);
    });
}

extern "C" zc_status zc_xap_db_find_term(zc_xap_db *db, const char *term, size_t len,
                                         uint32_t *docid_out, zc_error *err)
{
    static const char what[] = "finding term";
    if (docid_out)
        *docid_out = 0;
    return guarded(err, what, [&] {
        /* An empty term would iterate every document: refuse it. */
        if (db == NULL || docid_out == NULL || term == NULL || len == 0)
            return bad_args(err, what);
        std::string t(term, len);
        Xapian::docid id = 0;
        read_retry(db->db, db->writable, [&] {
            Xapian::PostingIterator it = db->db.postlist_begin(t);
            id = it != db->db.postlist_end(t) ? *it : 0;
        });
        *docid_out = id;
        return ZC_OK;
    });
}

/* The body of zc_xap_db_doc_data and _value: copies get(document docid) out,
 * retried after a reopen. */
template <class F>
static zc_status read_doc_string(zc_xap_db *db, uint32_t docid, char **out,
                                 size_t *len_out, zc_error *err, const char *what, F get)
{
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (db == NULL || out == NULL)
            return bad_args(err, what);
        if (docid == 0)
            return zc_error_set(err, ZC_ENOTFOUND, NULL, "%s: no document 0", what);
        std::string s;
        read_retry(db->db, db->writable, [&] { s = get(db->db.get_document(docid)); });
        return dup_out(s, out, len_out, err, what);
    });
}

extern "C" zc_status zc_xap_db_doc_data(zc_xap_db *db, uint32_t docid, char **out,
                                        size_t *len_out, zc_error *err)
{
    return read_doc_string(db, docid, out, len_out, err, "reading document data",
                           [](const Xapian::Document &d) { return d.get_data(); });
}

extern "C" zc_status zc_xap_db_doc_value(zc_xap_db *db, uint32_t docid, unsigned slot,
                                         char **out, size_t *len_out, zc_error *err)
{
    return read_doc_string(db, docid, out, len_out, err, "reading document value",
                           [slot](const Xapian::Document &d) { return d.get_value(slot); });
}

extern "C" zc_status zc_xap_db_get_metadata(zc_xap_db *db, const char *key, char **out,
                                            size_t *len_out, zc_error *err)
{
    static const char what[] = "reading metadata";
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (db == NULL || key == NULL || key[0] == '\0' || out == NULL)
            return bad_args(err, what);
        std::string v;
        read_retry(db->db, db->writable, [&] { v = db->db.get_metadata(key); });
        return dup_out(v, out, len_out, err, what);
    });
}

extern "C" zc_status zc_xap_db_set_metadata(zc_xap_db *db, const char *key,
                                            const char *val, size_t len, zc_error *err)
{
    static const char what[] = "writing metadata";
    return guarded(err, what, [&] {
        if (db == NULL || key == NULL || key[0] == '\0' || !text_ok(val, len))
            return bad_args(err, what);
        if (!db->writable)
            return readonly(err, what);
        db->wdb.set_metadata(key, text(val, len));
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_replace_by_term(zc_xap_db *db, const char *term,
                                               size_t len, const zc_xap_doc *doc,
                                               zc_error *err)
{
    static const char what[] = "replacing document";
    return guarded(err, what, [&] {
        if (db == NULL || term == NULL || len == 0 || doc == NULL)
            return bad_args(err, what);
        if (!db->writable)
            return readonly(err, what);
        db->wdb.replace_document(std::string(term, len), doc->doc);
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_delete_by_term(zc_xap_db *db, const char *term,
                                              size_t len, zc_error *err)
{
    static const char what[] = "deleting document";
    return guarded(err, what, [&] {
        if (db == NULL || term == NULL || len == 0)
            return bad_args(err, what);
        if (!db->writable)
            return readonly(err, what);
        db->wdb.delete_document(std::string(term, len));
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_db_commit(zc_xap_db *db, zc_error *err)
{
    static const char what[] = "committing";
    return guarded(err, what, [&] {
        if (db == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no database", what);
        if (!db->writable)
            return readonly(err, what);
        /* A flushed transaction: commit_transaction() ends with commit(),
         * which fsyncs.  Then open the next one, whatever happened. */
        zc_status st = ZC_OK;
        try {
            db->wdb.commit_transaction();
        } catch (...) {
            st = map_exception(err, what);
        }
        try {
            db->wdb.begin_transaction(true);
        } catch (const Xapian::InvalidOperationError &) {
            /* The failed commit left its transaction open: keep it. */
        }
        return st;
    });
}

namespace {
/* Discards Database::check's report: we only want the error count. */
class NullBuf : public std::streambuf {
  protected:
    int overflow(int c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char *, std::streamsize n) override { return n; }
};
} // namespace

extern "C" zc_status zc_xap_db_check(const char *path, uint64_t *errors_out,
                                     zc_error *err)
{
    static const char what[] = "checking database";
    if (errors_out)
        *errors_out = 0;
    return guarded(err, what, [&] {
        if (path == NULL || path[0] == '\0' || errors_out == NULL)
            return bad_args(err, what);
        if (!path_exists(path))
            return no_index(err, what, path);
        NullBuf buf;
        std::ostream devnull(&buf);
        try {
            *errors_out = Xapian::Database::check(path, Xapian::DBCHECK_SHORT_TREE, &devnull);
        } catch (const Xapian::DatabaseOpeningError &) {
            throw;
        } catch (const Xapian::DatabaseLockError &) {
            throw;
        } catch (const Xapian::DatabaseError &e) {
            /* check() reports some damage (an item running off its block)
             * as a plain DatabaseError; without an errno it is not an I/O
             * failure but what the check was looking for. */
            if (e.get_error_string() == NULL && e.get_type() == std::string("DatabaseError"))
                return set_xap(err, ZC_ECORRUPT, what, e);
            throw;
        }
        return ZC_OK;
    });
}

/* ---- Documents ---------------------------------------------------------- */

extern "C" zc_status zc_xap_doc_new(zc_xap_doc **out, zc_error *err)
{
    static const char what[] = "new document";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL)
            return bad_args(err, what);
        *out = new zc_xap_doc;
        return ZC_OK;
    });
}

extern "C" void zc_xap_doc_free(zc_xap_doc *doc)
{
    delete doc; /* Document's destructor does not throw */
}

extern "C" zc_status zc_xap_doc_set_data(zc_xap_doc *doc, const char *data, size_t len,
                                         zc_error *err)
{
    static const char what[] = "setting document data";
    return guarded(err, what, [&] {
        if (doc == NULL || !text_ok(data, len))
            return bad_args(err, what);
        doc->doc.set_data(text(data, len));
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_doc_add_value(zc_xap_doc *doc, unsigned slot, const char *val,
                                          size_t len, zc_error *err)
{
    static const char what[] = "adding value";
    return guarded(err, what, [&] {
        if (doc == NULL || !text_ok(val, len))
            return bad_args(err, what);
        doc->doc.add_value(slot, text(val, len));
        return ZC_OK;
    });
}

/* The body of the three term adders: checks the term, then add(document,
 * term).  Xapian only refuses an over-long term when the document is
 * written, far from the caller who made it; say so here instead. */
template <class F>
static zc_status add_doc_term(zc_xap_doc *doc, const char *term, size_t len,
                              zc_error *err, const char *what, F add)
{
    return guarded(err, what, [&] {
        if (doc == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no document", what);
        if (term == NULL || len == 0)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: empty term", what);
        if (len > 245)
            return zc_error_set(err, ZC_ETOOLONG, NULL,
                                "%s: term of %zu bytes is over Xapian's 245-byte limit",
                                what, len);
        add(doc->doc, std::string(term, len));
        return ZC_OK;
    });
}

extern "C" zc_status zc_xap_doc_add_term(zc_xap_doc *doc, const char *term, size_t len,
                                         unsigned wdf_inc, zc_error *err)
{
    return add_doc_term(doc, term, len, err, "adding term",
                        [&](Xapian::Document &d, const std::string &t) {
                            d.add_term(t, wdf_inc);
                        });
}

extern "C" zc_status zc_xap_doc_add_boolean_term(zc_xap_doc *doc, const char *term,
                                                 size_t len, zc_error *err)
{
    return add_doc_term(doc, term, len, err, "adding boolean term",
                        [](Xapian::Document &d, const std::string &t) {
                            d.add_boolean_term(t);
                        });
}

extern "C" zc_status zc_xap_doc_add_posting(zc_xap_doc *doc, const char *term, size_t len,
                                            uint32_t pos, unsigned wdf_inc, zc_error *err)
{
    return add_doc_term(doc, term, len, err, "adding posting",
                        [&](Xapian::Document &d, const std::string &t) {
                            d.add_posting(t, pos, wdf_inc);
                        });
}

extern "C" size_t zc_xap_doc_term_count(const zc_xap_doc *doc)
{
    if (doc == NULL)
        return 0;
    try {
        return doc->doc.termlist_count();
    } catch (...) {
        return 0;
    }
}

extern "C" zc_status zc_xap_termgen_index(zc_xap_doc *doc, const char *text_p, size_t len,
                                          const char *prefix, const char *stem_lang,
                                          int cjk_ngram, unsigned wdf_inc, zc_error *err)
{
    static const char what[] = "term generation";
    return guarded(err, what, [&] {
        if (doc == NULL || !text_ok(text_p, len))
            return bad_args(err, what);
        Xapian::TermGenerator tg;
        if (cjk_ngram)
            tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
        if (stem_lang != NULL && stem_lang[0] != '\0')
            tg.set_stemmer(Xapian::Stem(stem_lang));
        tg.set_document(doc->doc); /* shares doc's internals: terms land in it */
        tg.set_termpos(doc->termgen_pos);
        tg.index_text(text(text_p, len), wdf_inc, prefix ? prefix : "");
        /* A gap so a later call (another field) does not continue a phrase. */
        tg.increase_termpos();
        doc->termgen_pos = tg.get_termpos();
        return ZC_OK;
    });
}

/* ---- Stemming ----------------------------------------------------------- */

extern "C" zc_status zc_xap_stem_new(const char *stem_lang, zc_xap_stem **out,
                                     zc_error *err)
{
    static const char what[] = "stemmer";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (stem_lang == NULL || out == NULL)
            return bad_args(err, what);
        std::unique_ptr<zc_xap_stem> st(new zc_xap_stem);
        st->stem = Xapian::Stem(stem_lang); /* InvalidArgumentError if unknown */
        *out = st.release();
        return ZC_OK;
    });
}

extern "C" void zc_xap_stem_free(zc_xap_stem *st)
{
    delete st;
}

extern "C" zc_status zc_xap_stem_word(zc_xap_stem *st, const char *word, size_t len,
                                      char *buf, size_t bufsize, size_t *out_len,
                                      zc_error *err)
{
    static const char what[] = "stemming";
    if (out_len)
        *out_len = 0;
    return guarded(err, what, [&] {
        if (st == NULL || !text_ok(word, len) || (buf == NULL && bufsize > 0) ||
            out_len == NULL)
            return bad_args(err, what);
        std::string s = st->stem(text(word, len));
        size_t n = std::min(s.size(), bufsize);
        if (n)
            std::memcpy(buf, s.data(), n);
        if (s.size() < bufsize)
            buf[s.size()] = '\0';
        *out_len = s.size();
        return ZC_OK;
    });
}

/* ---- Queries ------------------------------------------------------------ */

static zc_status new_query(Xapian::Query q, zc_xap_query **out)
{
    *out = new zc_xap_query{std::move(q)};
    return ZC_OK;
}

extern "C" zc_status zc_xap_query_term(const char *term, size_t len, unsigned wqf,
                                       unsigned pos, zc_xap_query **out, zc_error *err)
{
    static const char what[] = "term query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL || term == NULL || len == 0)
            return bad_args(err, what);
        return new_query(Xapian::Query(std::string(term, len), wqf, pos), out);
    });
}

extern "C" zc_status zc_xap_query_combine(zc_xap_op op, zc_xap_query *const *subs,
                                          size_t n, unsigned window,
                                          zc_xap_query **out, zc_error *err)
{
    static const char what[] = "combining queries";
    if (out)
        *out = NULL;
    /* A C caller may pass any int here; in C++ reading an enum holding a
     * value outside its range is undefined (UBSan: "not a valid value for
     * type"), so the value is read as the int it is. */
    int opv;
    static_assert(sizeof opv == sizeof op, "zc_xap_op is an int");
    std::memcpy(&opv, &op, sizeof opv);
    return guarded(err, what, [&] {
        if (out == NULL || (subs == NULL && n > 0))
            return bad_args(err, what);
        std::vector<Xapian::Query> qs;
        qs.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (subs[i] == NULL)
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: subquery %zu is NULL",
                                    what, i);
            qs.push_back(subs[i]->q);
        }
        Xapian::Query::op xop;
        switch (opv) {
        case ZC_XAP_OP_AND: xop = Xapian::Query::OP_AND; break;
        case ZC_XAP_OP_OR: xop = Xapian::Query::OP_OR; break;
        case ZC_XAP_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
        case ZC_XAP_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case ZC_XAP_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
        case ZC_XAP_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
        case ZC_XAP_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
        case ZC_XAP_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
        case ZC_XAP_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
        default:
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: unknown operator %d",
                                what, opv);
        }
        if (n > 2 && (opv == ZC_XAP_OP_AND_NOT || opv == ZC_XAP_OP_AND_MAYBE ||
                      opv == ZC_XAP_OP_FILTER)) {
            /* The contract of xapian.h, spelled out rather than relying on
             * how Xapian folds a multi-way binary operator: AND_NOT and
             * AND_MAYBE take the OR of the rest; FILTER requires all of them. */
            Xapian::Query::op rest_op =
                op == ZC_XAP_OP_FILTER ? Xapian::Query::OP_AND : Xapian::Query::OP_OR;
            Xapian::Query rest(rest_op, qs.begin() + 1, qs.end());
            return new_query(Xapian::Query(xop, qs[0], rest), out);
        }
        Xapian::termcount param = 0;
        if (op == ZC_XAP_OP_PHRASE || op == ZC_XAP_OP_NEAR || op == ZC_XAP_OP_ELITE_SET)
            param = window; /* 0 = Xapian's default (number of subqueries) */
        return new_query(Xapian::Query(xop, qs.begin(), qs.end(), param), out);
    });
}

extern "C" zc_status zc_xap_query_value_range(unsigned slot, const char *lo, size_t lo_len,
                                              const char *hi, size_t hi_len,
                                              zc_xap_query **out, zc_error *err)
{
    static const char what[] = "value range query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL)
            return bad_args(err, what);
        if (lo != NULL && hi != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                           std::string(lo, lo_len),
                                           std::string(hi, hi_len)),
                             out);
        if (lo != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
                                           std::string(lo, lo_len)),
                             out);
        if (hi != NULL)
            return new_query(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
                                           std::string(hi, hi_len)),
                             out);
        /* Both ends open: every document holding a value in the slot.  An
         * empty value means "no value" to Xapian, and every non-empty
         * string sorts at or above a single NUL byte. */
        return new_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(1, '\0')),
                         out);
    });
}

extern "C" zc_status zc_xap_query_scale(const zc_xap_query *q, double factor,
                                        zc_xap_query **out, zc_error *err)
{
    static const char what[] = "scaling query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (q == NULL || out == NULL)
            return bad_args(err, what);
        if (!(factor >= 0) || std::isinf(factor))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: factor %g is not >= 0",
                                what, factor);
        return new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    });
}

/* The documents of a sorted docid list, as a posting source (weight 0):
 * what zc_xap_query_only_docs filters by. */
class DocidSource : public Xapian::PostingSource {
    std::vector<Xapian::docid> ids;
    size_t pos = SIZE_MAX;   /* SIZE_MAX: before the first */

  public:
    explicit DocidSource(std::vector<Xapian::docid> v) : ids(std::move(v)) {}
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override
    {
        return static_cast<Xapian::doccount>(ids.size());
    }
    Xapian::doccount get_termfreq_max() const override
    {
        return static_cast<Xapian::doccount>(ids.size());
    }
    void init(const Xapian::Database &) override { pos = SIZE_MAX; }
    void next(double) override { pos = pos == SIZE_MAX ? 0 : pos + 1; }
    void skip_to(Xapian::docid did, double) override
    {
        if (pos == SIZE_MAX)
            pos = 0;
        while (pos < ids.size() && ids[pos] < did)
            ++pos;
    }
    bool at_end() const override { return pos != SIZE_MAX && pos >= ids.size(); }
    Xapian::docid get_docid() const override { return ids[pos]; }
    Xapian::PostingSource *clone() const override { return new DocidSource(ids); }
    std::string name() const override { return std::string(); }
};

/* q with `only` pushed down its AND_MAYBE and FILTER nodes: every left side
 * and every right side filtered, nested ones too.  Filtering the top alone
 * would leave each AND_MAYBE's right side to skip ahead from document to
 * document until it matches, checking positions all the way (Xapian's
 * skip_to); filtered, it looks at the listed documents only. */
static Xapian::Query restrict_to(const Xapian::Query &q, const Xapian::Query &only)
{
    size_t n = q.get_num_subqueries();
    Xapian::Query::op type = q.get_type();
    bool maybe = type == Xapian::Query::OP_AND_MAYBE;
    if (n < 2 || (!maybe && type != Xapian::Query::OP_FILTER))
        return Xapian::Query(Xapian::Query::OP_FILTER, q, only);
    /* the left side restricted; an AND_MAYBE's right sides too, a
     * FILTER's (boolean) as they are */
    Xapian::Query acc = restrict_to(q.get_subquery(0), only);
    for (size_t i = 1; i < n; i++)
        acc = Xapian::Query(type, acc,
                            maybe ? restrict_to(q.get_subquery(i), only) : q.get_subquery(i));
    return acc;
}

extern "C" zc_status zc_xap_query_only_docs(const zc_xap_query *q, const uint32_t *docids,
                                            size_t n, zc_xap_query **out, zc_error *err)
{
    static const char what[] = "docid filter";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (q == NULL || out == NULL || (docids == NULL && n > 0))
            return bad_args(err, what);
        std::vector<Xapian::docid> v(docids, docids + n);
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        Xapian::PostingSource *src = new DocidSource(std::move(v));
        Xapian::Query only(src->release());
        return new_query(restrict_to(q->q, only), out);
    });
}

extern "C" int zc_xap_db_is_sharded(const zc_xap_db *db)
{
    return db != NULL && !db->shards.empty();
}

extern "C" zc_status zc_xap_query_match_all(zc_xap_query **out, zc_error *err)
{
    static const char what[] = "match-all query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL)
            return bad_args(err, what);
        return new_query(Xapian::Query::MatchAll, out);
    });
}

extern "C" int zc_xap_query_is_empty(const zc_xap_query *q)
{
    return q == NULL || q->q.empty();
}

extern "C" char *zc_xap_query_describe(const zc_xap_query *q)
{
    if (q == NULL)
        return NULL;
    try {
        char *s = NULL;
        if (dup_out(q->q.get_description(), &s, NULL, NULL, "") != ZC_OK)
            return NULL;
        return s;
    } catch (...) {
        return NULL;
    }
}

extern "C" void zc_xap_query_free(zc_xap_query *q)
{
    delete q;
}

extern "C" zc_status zc_xap_qp_parse(zc_xap_db *db, const char *text_p, size_t len,
                                     unsigned flags, const char *const *prefixes,
                                     size_t n_prefixes, const char *stem_lang,
                                     zc_xap_query **out, zc_error *err)
{
    static const char what[] = "parsing query";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (out == NULL || !text_ok(text_p, len) || (prefixes == NULL && n_prefixes > 0))
            return bad_args(err, what);
        if ((flags & ZC_XAP_QP_WILDCARD) && db == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL,
                                "%s: wildcards need a database to expand against", what);
        Xapian::QueryParser qp;
        if (db != NULL)
            qp.set_database(db->db);
        for (size_t i = 0; i < n_prefixes; i++) {
            const char *field = prefixes[2 * i], *pfx = prefixes[2 * i + 1];
            if (field == NULL || pfx == NULL)
                return zc_error_set(err, ZC_EINVAL, NULL, "%s: prefix pair %zu is NULL",
                                    what, i);
            qp.add_prefix(field, pfx);
        }
        if (stem_lang != NULL && stem_lang[0] != '\0') {
            qp.set_stemmer(Xapian::Stem(stem_lang));
            qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        }
        if (flags & ZC_XAP_QP_DEFAULT_AND)
            qp.set_default_op(Xapian::Query::OP_AND);
        unsigned xf = 0;
        if (flags & ZC_XAP_QP_BOOLEAN)
            xf |= Xapian::QueryParser::FLAG_BOOLEAN;
        if (flags & ZC_XAP_QP_PHRASE)
            xf |= Xapian::QueryParser::FLAG_PHRASE;
        if (flags & ZC_XAP_QP_LOVEHATE)
            xf |= Xapian::QueryParser::FLAG_LOVEHATE;
        if (flags & ZC_XAP_QP_CJK_NGRAM)
            xf |= Xapian::QueryParser::FLAG_CJK_NGRAM;
        if (flags & ZC_XAP_QP_WILDCARD)
            xf |= Xapian::QueryParser::FLAG_WILDCARD;
        Xapian::Query q;
        /* The wildcard expansion reads the database: retry on a reopen. */
        if (db != NULL)
            read_retry(db->db, db->writable, [&] { q = qp.parse_query(text(text_p, len), xf); });
        else
            q = qp.parse_query(text(text_p, len), xf);
        return new_query(std::move(q), out);
    });
}

/* ---- Searching ---------------------------------------------------------- */

/* One attempt at a search; throws. */
static zc_xap_mset *run_search(zc_xap_db *db, const zc_xap_search_params *p,
                               int *timed_out)
{
    std::unique_ptr<zc_xap_mset> ms(new zc_xap_mset);
    ms->db = db->db;
    ms->enquire.reset(new Xapian::Enquire(ms->db));
    Xapian::Enquire &enq = *ms->enquire;
    enq.set_query(p->query->q);
    if (p->sort_slot >= 0)
        /* Xapian's flag is "reverse": with it, values sort highest first
         * (checked by test_xapian's sort test). */
        enq.set_sort_by_value_then_relevance((Xapian::valueno)p->sort_slot,
                                             p->sort_descending != 0);
    else
        enq.set_sort_by_relevance();
    if (p->time_limit_s > 0)
        enq.set_time_limit(p->time_limit_s);
    if (p->bm25_k1 > 0)
        enq.set_weighting_scheme(Xapian::BM25Weight(p->bm25_k1, 0, 1, p->bm25_b, 0.5));

    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    for (size_t k = 0; k < p->n_facet_slots; k++) {
        spies.emplace_back(new Xapian::ValueCountMatchSpy(p->facet_slots[k]));
        enq.add_matchspy(spies.back().get());
    }
    Xapian::doccount check = p->check_at_least;
    if (p->n_facet_slots > 0) {
        /* Facets count the whole match set, so every match must be seen. */
        check = std::max<Xapian::doccount>(check, ms->db.get_doccount());
    }

    double t0 = now_s();
    try {
        ms->mset = enq.get_mset(p->offset, p->limit, check);
    } catch (...) {
        enq.clear_matchspies();
        throw;
    }
    double elapsed = now_s() - t0;
    enq.clear_matchspies(); /* the spies die at the end of this function */
    if (timed_out)
        *timed_out = p->time_limit_s > 0 && elapsed >= p->time_limit_s;

    ms->facets.resize(spies.size());
    for (size_t k = 0; k < spies.size(); k++) {
        auto &vals = ms->facets[k].values;
        for (Xapian::TermIterator it = spies[k]->values_begin();
             it != spies[k]->values_end(); ++it)
            vals.emplace_back(*it, (uint64_t)it.get_termfreq());
        std::sort(vals.begin(), vals.end(), [](const auto &a, const auto &b) {
            if (a.second != b.second)
                return a.second > b.second;
            return a.first < b.first;
        });
    }
    return ms.release();
}

extern "C" zc_status zc_xap_search(zc_xap_db *db, const zc_xap_search_params *params,
                                   zc_xap_mset **out, int *timed_out, zc_error *err)
{
    static const char what[] = "searching";
    if (out)
        *out = NULL;
    if (timed_out)
        *timed_out = 0;
    return guarded(err, what, [&] {
        if (db == NULL || params == NULL || out == NULL)
            return bad_args(err, what);
        if (params->query == NULL)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no query", what);
        if (params->n_facet_slots > ZC_XAP_MAX_FACETS ||
            (params->n_facet_slots > 0 && params->facet_slots == NULL))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: at most %d facet slots",
                                what, ZC_XAP_MAX_FACETS);
        if (!(params->time_limit_s >= 0))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: negative time limit", what);
        if (params->bm25_k1 > 0 && !(params->bm25_b >= 0 && params->bm25_b <= 1))
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: BM25 b must be in [0, 1]", what);
        zc_xap_mset *ms = NULL;
        read_retry(db->db, db->writable, [&] { ms = run_search(db, params, timed_out); });
        *out = ms;
        return ZC_OK;
    });
}

extern "C" void zc_xap_mset_free(zc_xap_mset *ms)
{
    delete ms;
}

extern "C" size_t zc_xap_mset_size(const zc_xap_mset *ms)
{
    return ms ? ms->mset.size() : 0;
}

extern "C" uint64_t zc_xap_mset_estimated(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_estimated() : 0;
}

extern "C" uint64_t zc_xap_mset_lower_bound(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_lower_bound() : 0;
}

extern "C" uint64_t zc_xap_mset_upper_bound(const zc_xap_mset *ms)
{
    return ms ? ms->mset.get_matches_upper_bound() : 0;
}

extern "C" zc_status zc_xap_mset_hit(const zc_xap_mset *ms, size_t i, uint32_t *docid,
                                     double *weight, zc_error *err)
{
    static const char what[] = "reading hit";
    if (docid)
        *docid = 0;
    if (weight)
        *weight = 0;
    return guarded(err, what, [&] {
        if (ms == NULL || i >= ms->mset.size())
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no hit %zu", what, i);
        Xapian::MSetIterator it = ms->mset[(Xapian::doccount)i];
        if (docid)
            *docid = *it;
        if (weight)
            *weight = it.get_weight();
        return ZC_OK;
    });
}

/* Reads hit i's document through f(doc); on the errors read_retry retries
 * the database is reopened and the document fetched again by docid. */
template <class F>
static void with_hit_doc(const zc_xap_mset *ms, size_t i, F f)
{
    Xapian::MSetIterator it = ms->mset[(Xapian::doccount)i];
    Xapian::docid id = *it;
    try {
        f(it.get_document());
    } catch (const Xapian::DatabaseOpeningError &) {
        throw;
    } catch (const Xapian::DatabaseError &) {
        /* ms is const to the caller; its database copy is ours to move. */
        Xapian::Database &db = const_cast<Xapian::Database &>(ms->db);
        db.reopen();
        f(db.get_document(id));
    }
}

/* The body of zc_xap_mset_hit_data and _value: copies get(hit i's document)
 * out, through with_hit_doc's reopen. */
template <class F>
static zc_status read_hit_string(const zc_xap_mset *ms, size_t i, char **out,
                                 size_t *len_out, zc_error *err, const char *what, F get)
{
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (ms == NULL || out == NULL || i >= ms->mset.size())
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no hit %zu", what, i);
        std::string s;
        with_hit_doc(ms, i, [&](const Xapian::Document &d) { s = get(d); });
        return dup_out(s, out, len_out, err, what);
    });
}

extern "C" zc_status zc_xap_mset_hit_data(const zc_xap_mset *ms, size_t i, char **out,
                                          size_t *len_out, zc_error *err)
{
    return read_hit_string(ms, i, out, len_out, err, "reading hit data",
                           [](const Xapian::Document &d) { return d.get_data(); });
}

extern "C" zc_status zc_xap_mset_hit_value(const zc_xap_mset *ms, size_t i, unsigned slot,
                                           char **out, size_t *len_out, zc_error *err)
{
    return read_hit_string(ms, i, out, len_out, err, "reading hit value",
                           [slot](const Xapian::Document &d) { return d.get_value(slot); });
}

extern "C" size_t zc_xap_mset_facet_size(const zc_xap_mset *ms, size_t k)
{
    if (ms == NULL || k >= ms->facets.size())
        return 0;
    return ms->facets[k].values.size();
}

extern "C" zc_status zc_xap_mset_facet_value(const zc_xap_mset *ms, size_t k, size_t j,
                                             const char **value, size_t *len,
                                             uint64_t *count, zc_error *err)
{
    static const char what[] = "reading facet";
    if (value)
        *value = NULL;
    if (len)
        *len = 0;
    if (count)
        *count = 0;
    if (ms == NULL || k >= ms->facets.size() || j >= ms->facets[k].values.size())
        return zc_error_set(err, ZC_EINVAL, NULL, "%s: no facet value %zu of facet %zu",
                            what, j, k);
    const auto &v = ms->facets[k].values[j];
    if (value)
        *value = v.first.c_str();
    if (len)
        *len = v.first.size();
    if (count)
        *count = v.second;
    return ZC_OK;
}

extern "C" zc_status zc_xap_mset_snippet(const zc_xap_mset *ms, const char *text_p,
                                         size_t len, size_t length, const char *stem_lang,
                                         int cjk_ngram, char **out, size_t *len_out,
                                         zc_error *err)
{
    static const char what[] = "snippet";
    clear_str_out(out, len_out);
    return guarded(err, what, [&] {
        if (ms == NULL || out == NULL || !text_ok(text_p, len))
            return bad_args(err, what);
        Xapian::Stem stem;
        if (stem_lang != NULL && stem_lang[0] != '\0')
            stem = Xapian::Stem(stem_lang);
        unsigned flags = Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                         Xapian::MSet::SNIPPET_EXHAUSTIVE;
        if (cjk_ngram)
            flags |= Xapian::MSet::SNIPPET_CJK_NGRAM;
        std::string s = ms->mset.snippet(text(text_p, len), length, stem, flags,
                                         "<b>", "</b>", "...");
        return dup_out(s, out, len_out, err, what);
    });
}
