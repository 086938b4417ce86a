/* xapian_stem.cc — Xapian's Snowball stemmers (zc_xap_stem).
 *
 * Owns: the zc_xap_stem handle.  Must never: write past the caller's
 * buffer.
 */
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

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
