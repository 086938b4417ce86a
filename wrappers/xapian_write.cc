/* xapian_write.cc — writes through a writable zc_xap_db: replacing and
 * deleting documents by their unique term, metadata, and the commit.
 *
 * Owns: the atomicity of a commit.  A writable handle always has a
 * (flushed) Xapian transaction open (begun by zc_xap_db_open).  That is what
 * makes zc_xap_db_commit atomic (Xapian otherwise auto-commits every
 * XAPIAN_FLUSH_THRESHOLD documents) and what makes close discard
 * uncommitted changes (Xapian's destructor otherwise commits them).  The
 * price: pending changes live in memory until the caller commits.
 * Must never: write through a read handle (ZC_EREADONLY), or leave a
 * writable handle without an open transaction.
 */
#include <string>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

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
