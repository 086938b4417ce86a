/* xapian_testutil.cc — test support (xapian_testutil.h): Xapian's own
 * faces the unit tests compare against, and the serialisation check of
 * queries, built from the wrapper's handles (wrappers/xapian_internal.h).
 *
 * Owns: nothing.  Must never: be linked into libzhengce (the Makefile links
 * it into TESTUTIL_TESTS only).
 */
#include <string>

#include <unistd.h>

#include "wrappers/xapian_internal.h"
#include "xapian_testutil.h"

using namespace zc_xap_impl;

/* The last position of any term of doc, 0 if none. */
static Xapian::termpos last_pos(const Xapian::Document &doc)
{
    Xapian::termpos last = 0;
    for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
        for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
            if (*p > last)
                last = *p;
    return last;
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
            if (access(paths[i], F_OK) != 0)
                return no_index(err, what, paths[i]);
            Xapian::Database sub(paths[i]);
            h->db.add_database(sub);
            h->shards.push_back(sub);
        }
        *out = h.release();
        return ZC_OK;
    });
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
        /* Continue after the document's last position, with a gap, so a
         * later call (another field) does not continue a phrase. */
        tg.set_termpos(last_pos(doc->doc));
        tg.increase_termpos();
        tg.index_text(text(text_p, len), wdf_inc, prefix ? prefix : "");
        return ZC_OK;
    });
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

extern "C" int zc_xap_test_query_roundtrips(const zc_xap_query *q, const char **why)
{
    static std::string msg;
    try {
        std::string s = q->q.serialise();
        Xapian::Query back = Xapian::Query::unserialise(s, Xapian::Registry());
        if (back.serialise() != s) {
            msg = "serialises differently after a round trip";
        } else if (back.get_description() != q->q.get_description()) {
            msg = "described differently after a round trip: " + back.get_description();
        } else {
            return 1;
        }
    } catch (const Xapian::Error &e) {
        msg = e.get_description();
    } catch (...) {
        msg = "unknown exception";
    }
    if (why)
        *why = msg.c_str();
    return 0;
}
