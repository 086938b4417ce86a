/* base/error.h — filling a zc_error.  Owns nothing; never allocates.
 * Used by every layer above base: the wrappers, the library, the protocol
 * layer.  (The types are in zc_status.h, public.) */
#ifndef ZC_ERROR_H
#define ZC_ERROR_H

#include "base/zc_status.h"

/* Sets err (may be NULL) to code/field/printf-message and returns code, so a
 * failing path can say `return zc_error_set(err, ZC_EINVAL, "title", "...")`.
 * field may be NULL.  The message is cut to fit, on a UTF-8 boundary. */
zc_status zc_error_set(zc_error *err, zc_status code, const char *field,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Clears err (may be NULL) to ZC_OK, empty field and message. */
void zc_error_clear(zc_error *err);

#endif
