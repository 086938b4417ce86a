/* protocol/reply.h — the neutral reply every front end gets from the
 * executor, the protocol's error codes, and the one table that maps a
 * library status to such a code.
 *
 * A reply is a status (ZC_REPLY_OK or an error code) and the protocol's
 * JSON object for it, without LF and without anything of a transport: the
 * line protocol appends LF, an HTTP front end would map the code to an HTTP
 * status and send the same body.
 * Owns: the body of each zc_reply (unless it is static).
 * Must never: log, do I/O, or build an error object anywhere else: every
 * {"ok":false,...} of the product comes from zc_reply_error. */
#ifndef ZC_PROTOCOL_REPLY_H
#define ZC_PROTOCOL_REPLY_H

#include <stddef.h>

#include <jansson.h>

#include "lib/zhengce.h"

/* The protocol's reply codes (../shared/protocol.md, "Error codes"). */
typedef enum zc_reply_code {
    ZC_REPLY_OK = 0,          /* {"ok":true,...} */
    ZC_REPLY_BAD_REQUEST,
    ZC_REPLY_UNKNOWN_COMMAND,
    ZC_REPLY_LINE_TOO_LONG,
    ZC_REPLY_NOT_FOUND,
    ZC_REPLY_READ_ONLY,
    ZC_REPLY_FORBIDDEN,
    ZC_REPLY_BUSY,
    ZC_REPLY_TIMEOUT,
    ZC_REPLY_INTERNAL
} zc_reply_code;

/* The code's name on the wire ("ok", "bad_request", ...).  Static. */
const char *zc_reply_code_name(zc_reply_code code);

/* The one status -> code table: ZC_EINVAL and ZC_ETOOLONG are bad_request,
 * ZC_ENOTFOUND not_found, ZC_ELOCKED busy, ZC_ETIMEOUT timeout,
 * ZC_EREADONLY read_only, everything else (ZC_OK included: a failure must
 * never read as ok) internal. */
zc_reply_code zc_reply_code_of_status(zc_status st);

/* Longest error message on the wire, in bytes (cut on a UTF-8 boundary). */
#define ZC_REPLY_MSG_MAX 600

typedef struct zc_reply {
    zc_reply_code code;   /* ZC_REPLY_OK for an ok reply */
    char *body;           /* one JSON object, no LF, NUL-terminated; owned
                           * unless is_static; NULL while empty */
    size_t len;           /* bytes of body, NUL excluded */
    int is_static;        /* body points to static memory */
} zc_reply;

/* An empty reply (no body).  Any zc_reply_* below may then be called. */
void zc_reply_init(zc_reply *r);
/* Frees the body unless static and leaves r empty.  Accepts an empty r. */
void zc_reply_clear(zc_reply *r);
/* Gives the body away: returns it (owned by the caller unless *is_static;
 * free with free()) and leaves r empty. */
char *zc_reply_take(zc_reply *r, size_t *len, int *is_static);

/* Each of these replaces r's body (freeing the old one).  On allocation
 * failure they leave the static `internal` "out of memory" reply, so r
 * always ends with exactly one reply. */

/* Takes ownership of body (malloc'ed, NUL-terminated, len bytes, no LF);
 * NULL means memory ran out. */
void zc_reply_set(zc_reply *r, zc_reply_code code, char *body, size_t len);
/* A static body (borrowed for ever). */
void zc_reply_set_static(zc_reply *r, zc_reply_code code, const char *body, size_t len);
/* An ok reply: obj serialised compactly (borrows obj; NULL = out of memory). */
void zc_reply_json(zc_reply *r, const json_t *obj);
/* {"ok":false,"error":{"code":code,"message":message}}: message
 * (NUL-terminated) cut to ZC_REPLY_MSG_MAX bytes; invalid UTF-8 in it is
 * replaced by a fixed text. */
void zc_reply_error(zc_reply *r, zc_reply_code code, const char *message);
/* The same for a library error: the code from zc_reply_code_of_status; the
 * message prefixed with the offending field when it does not name it. */
void zc_reply_status(zc_reply *r, zc_status st, const zc_error *err);
/* An ok reply made of prefix + json + suffix, where json is a JSON text the
 * library returned (takes ownership; freed with zc_free).  Re-serialised
 * when it holds a raw CR or LF, so the reply stays one line. */
void zc_reply_libjson(zc_reply *r, char *json, size_t len, const char *prefix,
                      const char *suffix);
/* The static `internal` "out of memory" reply. */
void zc_reply_oom(zc_reply *r);

#endif
