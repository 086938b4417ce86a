/* protocol/proto.h — the v1 line protocol, without any I/O: the line
 * framer, the request parser/validator and the verb table (which verbs take
 * an argument, write, need AUTH, end the connection).  Replies are
 * protocol/reply.h's; answering a request is protocol/exec.h's.
 *
 * Owns: nothing at run time.  The framer and the parser never allocate and
 * never look at a socket; they are pure functions over bytes, so they are
 * unit-tested byte by byte (tests/unit/test_proto.c).
 * Must never: log, block, or accept a request that protocol.md rejects. */
#ifndef ZC_PROTOCOL_PROTO_H
#define ZC_PROTOCOL_PROTO_H

#include <stddef.h>

#include "protocol/reply.h"

/* ---- Framer -------------------------------------------------------------
 *
 * Finds request lines in a byte stream the caller keeps.  The caller hands
 * over each byte exactly once (in chunks of any size); the framer remembers
 * how much of the current line it has seen and whether the last byte was a
 * CR, so a client sending one byte at a time costs O(n) in total, not
 * O(n^2).  The limit is enforced as soon as the byte past it arrives, not
 * when the newline finally comes (protocol.md, "Precise rules"). */

typedef enum zc_frame_result {
    ZC_FRAME_MORE = 0,  /* no complete line yet; every byte was consumed */
    ZC_FRAME_LINE,      /* a complete line; see *line_len and *used */
    ZC_FRAME_TOO_LONG   /* the current line is over the limit */
} zc_frame_result;

typedef struct zc_proto_framer {
    size_t max_line;    /* bytes, not counting the LF or a CR right before it */
    size_t seen;        /* bytes of the current line scanned so far (no LF) */
    int last_cr;        /* the last byte scanned was CR */
} zc_proto_framer;

/* Starts a framer at the beginning of a stream. */
void zc_proto_framer_init(zc_proto_framer *fr, size_t max_line);

/* Scans `chunk` (len bytes), the next bytes of the stream that were never
 * given before; the first fr->seen bytes of the current line were given
 * earlier and the caller still holds them.
 *  - ZC_FRAME_LINE: *used = bytes of chunk up to and including the LF;
 *    *line_len = length of the whole line from its first byte, LF excluded
 *    (a CR before the LF is still counted; zc_proto_parse drops it).  The
 *    framer is ready for the next line; feed it chunk + *used.
 *  - ZC_FRAME_MORE: *used = len, *line_len = 0.
 *  - ZC_FRAME_TOO_LONG: *used = bytes up to and including the byte that
 *    broke the limit, *line_len = 0.  The stream cannot be re-synchronised;
 *    the connection should answer line_too_long and close. */
zc_frame_result zc_proto_frame(zc_proto_framer *fr, const char *chunk,
                               size_t len, size_t *used, size_t *line_len);

/* ---- Verbs -------------------------------------------------------------- */

typedef enum zc_verb {
    ZC_VERB_PING = 0,
    ZC_VERB_SEARCH,
    ZC_VERB_GET,
    ZC_VERB_ADD,
    ZC_VERB_DEL,
    ZC_VERB_COMMIT,
    ZC_VERB_STATS,
    ZC_VERB_AUTH,
    ZC_VERB_HELP,
    ZC_VERB_QUIT,
    ZC_VERB_COUNT
} zc_verb;

enum {
    ZC_VF_ARG = 1u << 0,    /* an argument is required */
    ZC_VF_NOARG = 1u << 1,  /* no argument allowed */
    ZC_VF_WRITE = 1u << 2,  /* changes the index: read_only unless --writable */
    ZC_VF_AUTH = 1u << 3,   /* forbidden until AUTH when a token is set */
    ZC_VF_LOOP = 1u << 4,   /* answered on the event-loop thread, at once */
    ZC_VF_READ = 1u << 5,   /* reads the index: sees earlier writes of its
                               connection (runs after they finished) */
    ZC_VF_LAST = 1u << 6    /* the connection ends after its reply: nothing
                               after it is read */
};

typedef struct zc_verb_info {
    const char *name;   /* upper case, as HELP lists it */
    zc_verb verb;
    unsigned flags;     /* ZC_VF_* */
} zc_verb_info;

/* The verb table, in HELP order.  *n gets its length.  Static. */
const zc_verb_info *zc_proto_verbs(size_t *n);

/* ---- Requests ----------------------------------------------------------- */

typedef enum zc_parse_result {
    ZC_PARSE_REQUEST = 0,  /* req->verb and req->arg are set */
    ZC_PARSE_EMPTY,        /* empty or spaces-only line: ignored, no reply */
    ZC_PARSE_ERROR         /* req->err_code / req->err_msg are set */
} zc_parse_result;

#define ZC_PROTO_MSG_MAX ZC_REPLY_MSG_MAX

typedef struct zc_request {
    const zc_verb_info *verb;  /* static */
    const char *arg;           /* borrowed from the line; NULL if none */
    size_t arg_len;
    zc_reply_code err_code;    /* on ZC_PARSE_ERROR */
    char err_msg[ZC_PROTO_MSG_MAX];
} zc_request;

/* Parses one line as zc_proto_frame delimited it (LF excluded; a CR at the
 * end is dropped).  Checks, in order: raw NUL (bad_request), UTF-8
 * (bad_request), empty line (ignored), verb (unknown_command), argument
 * presence (bad_request).  The verb ends at the first space; the argument
 * is the rest of the line after one or more spaces, verbatim.  Never
 * allocates. */
zc_parse_result zc_proto_parse(const char *line, size_t len, zc_request *req);

#endif
