/* searchd/log.h — the daemon's log: one line per event on stderr.
 *
 * Line format:  2024-05-01T12:00:00.123Z zhengce-searchd[1234] EVENT key=value ...
 * Each line is written with one write(2), so lines from several threads
 * never interleave.  Must never: log a token, a document body, or a request
 * argument longer than ZC_SD_ECHO_MAX bytes (zc_log_echo cuts and escapes). */
#ifndef ZC_SEARCHD_LOG_H
#define ZC_SEARCHD_LOG_H

#include <stddef.h>

/* 1 to also log per-connection events (open, close); set once at start. */
extern int zc_log_verbose;

/* Logs one line: the event word, then printf-formatted text. */
void zc_log(const char *event, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes into buf (cap bytes, NUL-terminated) a loggable rendering of the
 * request text s: cut to ZC_SD_ECHO_MAX bytes on a UTF-8 boundary, control
 * characters and quotes escaped, wrapped in double quotes.  Returns buf. */
char *zc_log_echo(char *buf, size_t cap, const char *s, size_t len);

#endif
