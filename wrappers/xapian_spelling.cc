/* xapian_spelling.cc — Xapian's spelling table: adding words (writable
 * handles) and asking for a suggestion.
 *
 * Owns: nothing beyond the calls.  Must never: let a C++ exception cross
 * into C.
 */
#include <string>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

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
