#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct {
    pthread_mutex_t lock;
    char ident[32];
    enum log_level level;
    FILE *file; /* NULL: stderr */
    char *path;
} g_log = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .ident = "imscore",
    .level = LOG_LEVEL_INFO,
};

static const char *const level_names[] = {"error", "warn", "notice", "info", "debug"};
static const char *const level_tags[] = {"ERROR", "WARN ", "NOTE ", "INFO ", "DEBUG"};
static const int level_syslog[] = {3, 4, 5, 6, 7};

void log_init(const char *ident, enum log_level level)
{
    pthread_mutex_lock(&g_log.lock);
    snprintf(g_log.ident, sizeof(g_log.ident), "%s", ident ? ident : "imscore");
    g_log.level = level;
    pthread_mutex_unlock(&g_log.lock);
}

void log_set_level(enum log_level level)
{
    g_log.level = level;
}

enum log_level log_get_level(void)
{
    return g_log.level;
}

int log_is_enabled(enum log_level level)
{
    return level <= g_log.level;
}

int log_level_parse(const char *name, enum log_level *out)
{
    for (size_t i = 0; name && i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

static int open_locked(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -errno;
    setvbuf(f, NULL, _IOLBF, 0);
    if (g_log.file)
        fclose(g_log.file);
    g_log.file = f;
    return 0;
}

int log_set_file(const char *path)
{
    int rc = 0;
    pthread_mutex_lock(&g_log.lock);
    if (!path) {
        if (g_log.file)
            fclose(g_log.file);
        g_log.file = NULL;
        free(g_log.path);
        g_log.path = NULL;
    } else {
        char *copy = strdup(path);
        if (!copy) {
            rc = -ENOMEM;
        } else if ((rc = open_locked(path)) == 0) {
            free(g_log.path);
            g_log.path = copy;
        } else {
            free(copy);
        }
    }
    pthread_mutex_unlock(&g_log.lock);
    return rc;
}

int log_reopen(void)
{
    int rc = 0;
    pthread_mutex_lock(&g_log.lock);
    if (g_log.path)
        rc = open_locked(g_log.path);
    pthread_mutex_unlock(&g_log.lock);
    return rc;
}

static _Thread_local char trace_id[128];

void log_trace_set(const char *id)
{
    snprintf(trace_id, sizeof(trace_id), "%s", id ? id : "");
}

const char *log_trace_get(void)
{
    return trace_id;
}

static const char *base_name(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? slash + 1 : file;
}

void log_vwrite(enum log_level level, const char *file, int line, const char *fmt, va_list ap)
{
    if (level > g_log.level)
        return;
    if ((int)level < 0 || level > LOG_LEVEL_DEBUG)
        level = LOG_LEVEL_ERROR;

    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);

    pthread_mutex_lock(&g_log.lock);
    FILE *out = g_log.file ? g_log.file : stderr;
    if (!g_log.file && getenv("JOURNAL_STREAM")) {
        fprintf(out, "<%d>%s %s:%d %s%s%s%s\n", level_syslog[level], level_tags[level],
                base_name(file), line, trace_id[0] ? "[" : "", trace_id, trace_id[0] ? "] " : "",
                msg);
    } else {
        struct timeval tv;
        struct tm tm;
        char stamp[32];
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(out, "%s.%06dZ %s[%d] %s %s:%d %s%s%s%s\n", stamp, (int)tv.tv_usec, g_log.ident,
                (int)getpid(), level_tags[level], base_name(file), line, trace_id[0] ? "[" : "",
                trace_id, trace_id[0] ? "] " : "", msg);
    }
    fflush(out);
    pthread_mutex_unlock(&g_log.lock);
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, file, line, fmt, ap);
    va_end(ap);
}
