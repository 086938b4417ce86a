/* xapian_db.cc — databases: open, close, reopen, and reading what is not a
 * search (counts, revision, terms, documents by docid, metadata, the
 * consistency check).
 *
 * Owns: the zc_xap_db handle's life.  A writable handle always has a
 * (flushed) Xapian transaction open (xapian_write.cc says why); read
 * handles survive a writer's commits through read_retry.
 * Must never: let a C++ exception cross into C (every entry point runs
 * through guarded()).
 */
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

#include <unistd.h>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

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

extern "C" zc_status zc_xap_db_open(const char *path, int mode, zc_xap_db **out,
                                    zc_error *err)
{
    static const char what[] = "opening database";
    if (out)
        *out = NULL;
    return guarded(err, what, [&] {
        if (path == NULL || out == NULL || path[0] == '\0')
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: no path", what);
        if (mode != ZC_XAP_OPEN_READ && mode != ZC_XAP_OPEN_WRITE && mode != ZC_XAP_OPEN_CREATE)
            return zc_error_set(err, ZC_EINVAL, NULL, "%s: bad mode %d", what, mode);
        if (mode != ZC_XAP_OPEN_CREATE && !path_exists(path))
            return no_index(err, what, path);
        std::unique_ptr<zc_xap_db> h(new zc_xap_db);
        if (mode == ZC_XAP_OPEN_READ) {
            h->db = Xapian::Database(path);
        } else {
            int flags = (mode == ZC_XAP_OPEN_CREATE ? Xapian::DB_CREATE_OR_OPEN
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
