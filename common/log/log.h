/*
 * log: levelled logging to stderr (or a file), safe to call from any thread.
 *
 * Lines look like "2026-11-25T06:30:00.123456Z scscf[1234] INFO  registrar.c:88 text"
 * (microseconds, so that ./lab trace can order the lines of several daemons).
 * When stderr is connected to the systemd journal (JOURNAL_STREAM is set) the
 * timestamp and process name are left out and a "<N>" syslog priority prefix is
 * written instead, so journald records the right level.
 */
#ifndef IMSCORE_LOG_H
#define IMSCORE_LOG_H

#include <stdarg.h>

enum log_level {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_NOTICE = 2,
    LOG_LEVEL_INFO = 3,
    LOG_LEVEL_DEBUG = 4,
};

/*
 * Sets the process name shown on each line and the most verbose level written.
 * Calling it again changes both. Before any call the name is "imscore" and the
 * level is LOG_LEVEL_INFO.
 */
void log_init(const char *ident, enum log_level level);

/* Changes the most verbose level written. */
void log_set_level(enum log_level level);

/* Returns the current level. */
enum log_level log_get_level(void);

/*
 * Parses "error", "warn", "notice", "info" or "debug" into *out.
 * Returns 0, or -1 when the name is not a level (then *out is unchanged).
 */
int log_level_parse(const char *name, enum log_level *out);

/*
 * Sends log lines to the file at path (appending), or back to stderr when path
 * is NULL. Returns 0, or a negative errno when the file cannot be opened (then
 * the previous destination is kept).
 */
int log_set_file(const char *path);

/*
 * Reopens the log file, if one is set (for SIGHUP after log rotation).
 * Returns 0, or a negative errno (the old stream is then kept).
 */
int log_reopen(void);

/*
 * Sets the trace id of the calling thread: every line it logs afterwards
 * carries "[id] " before the message, until log_trace_set(NULL). The id names
 * the registration or dialog being handled (the P-Charging-Vector icid, or the
 * Call-ID), so `./lab trace` can follow one registration across the daemons.
 * id is copied (truncated to 127 bytes).
 */
void log_trace_set(const char *id);

/* The calling thread's trace id, or "" when none is set. */
const char *log_trace_get(void);

/* Returns nonzero when a line at this level would be written. */
int log_is_enabled(enum log_level level);

/* Writes one line. Use the macros below rather than calling this directly. */
void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void log_vwrite(enum log_level level, const char *file, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#define log_error(...)  log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...)   log_write(LOG_LEVEL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_notice(...) log_write(LOG_LEVEL_NOTICE, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...)   log_write(LOG_LEVEL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_is_enabled(LOG_LEVEL_DEBUG))                                                       \
            log_write(LOG_LEVEL_DEBUG, __FILE__, __LINE__, __VA_ARGS__);                           \
    } while (0)

#endif
