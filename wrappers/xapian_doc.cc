/* xapian_doc.cc — documents being built for indexing (zc_xap_doc): data,
 * values, terms and postings.
 *
 * Owns: the zc_xap_doc handle.  Must never: accept a term Xapian would
 * refuse only later, at write time (over 245 bytes: ZC_ETOOLONG here).
 */
#include <string>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

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
