/* xapian_error.cc — the wrapper's one exception mapping, and the small
 * helpers every entry point shares (xapian_internal.h).
 *
 * Owns: turning a Xapian or C++ exception into a zc_status and message
 * (map_exception: the table in xapian.h's header comment), and copying
 * text out to C.
 * Must never: throw (map_exception is noexcept and survives running out of
 * memory while building its message).
 */
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "wrappers/xapian_internal.h"

using namespace zc_xap_impl;

namespace zc_xap_impl {

/* True when Xapian says the error came from a missing file or directory. */
static bool is_missing_path(const Xapian::Error &e)
{
    const char *s = e.get_error_string();
    if (s == NULL)
        return false;
    return std::strcmp(s, std::strerror(ENOENT)) == 0 ||
           std::strcmp(s, std::strerror(ENOTDIR)) == 0;
}

zc_status set_xap(zc_error *err, zc_status code, const char *what,
                         const Xapian::Error &e)
{
    /* get_description() is "Type: msg (context)" plus the errno string. */
    std::string d = e.get_description();
    return zc_error_set(err, code, NULL, "%s: %s", what, d.c_str());
}

zc_status map_exception(zc_error *err, const char *what) noexcept
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

zc_status bad_args(zc_error *err, const char *what)
{
    return zc_error_set(err, ZC_EINVAL, NULL, "%s: bad arguments", what);
}

zc_status no_index(zc_error *err, const char *what, const char *path)
{
    return zc_error_set(err, ZC_ENOTFOUND, NULL,
                        "%s: no index at '%s' (no such file or directory)", what, path);
}

bool text_ok(const char *p, size_t len)
{
    return p != NULL || len == 0;
}

std::string text(const char *p, size_t len)
{
    return len ? std::string(p, len) : std::string();
}

zc_status dup_out(const std::string &s, char **out, size_t *len_out,
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

void clear_str_out(char **out, size_t *len_out)
{
    if (out)
        *out = NULL;
    if (len_out)
        *len_out = 0;
}

zc_status readonly(zc_error *err, const char *what)
{
    return zc_error_set(err, ZC_EREADONLY, NULL,
                        "%s: the database is open read-only", what);
}

} // namespace zc_xap_impl
