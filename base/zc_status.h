/* zc_status.h — the status and error types every layer of zhengce shares:
 * the base layer, the wrappers, the library (whose public header zhengce.h
 * includes this one), the protocol client and the programs.  Installed
 * beside zhengce.h and zc_client.h.
 *
 * Owns: nothing; types only.  The functions that fill a zc_error are in
 * base/error.h (the library's own) and zhengce.h (zc_status_name). */
#ifndef ZC_STATUS_H
#define ZC_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* What libzhengce exports (the rest of it is hidden: -fvisibility=hidden
 * and lib/libzhengce.map). */
#ifndef ZC_API
#if defined(ZC_BUILDING_LIBRARY)
#define ZC_API __attribute__((visibility("default")))
#else
#define ZC_API
#endif
#endif

typedef enum zc_status {
    ZC_OK = 0,
    ZC_EINVAL,     /* bad input: a document, an option, a query  -> bad_request */
    ZC_ENOTFOUND,  /* no such document or index                   -> not_found */
    ZC_ENOMEM,     /* allocation failed                           -> internal */
    ZC_EIO,        /* file system or I/O error (disk full, ...)   -> internal */
    ZC_ELOCKED,    /* the index is locked by another writer       -> busy */
    ZC_ECORRUPT,   /* the index is damaged                        -> internal */
    ZC_EVERSION,   /* the index was written by an incompatible format version */
    ZC_ETIMEOUT,   /* a query ran past its time limit             -> timeout */
    ZC_EREADONLY,  /* a write on a read-only handle               -> read_only */
    ZC_ETOOLONG,   /* input over a hard limit                     -> bad_request */
    ZC_EMODIFIED,  /* the index changed under a reader; reopen and retry */
    ZC_EINTERNAL   /* anything else (a bug, an unexpected exception) */
} zc_status;

#define ZC_ERROR_FIELD_MAX 64
#define ZC_ERROR_MESSAGE_MAX 512

typedef struct zc_error {
    zc_status code;
    char field[ZC_ERROR_FIELD_MAX];     /* offending field/option, or "" */
    char message[ZC_ERROR_MESSAGE_MAX]; /* human-readable, one line */
} zc_error;

/* Returns a short name for a status ("ZC_EINVAL", ...).  Static string. */
ZC_API const char *zc_status_name(zc_status s);

#ifdef __cplusplus
}
#endif

#endif
