/*
 * metrics: Prometheus metrics of a daemon, served over HTTP on its loop.
 *
 * A registry (struct metrics) holds metric families: counters, gauges and
 * histograms, each with a name, a HELP text and 0 to 3 label names. A family
 * has one child per distinct tuple of label values, created on first use.
 * Every update takes the family's mutex, so any thread (the loop thread or a
 * freeDiameter thread) may update any family at any time.
 *
 * metrics_render() writes the Prometheus text exposition format 0.0.4:
 * families sorted by name, children sorted by label values, so two renders
 * of the same state are byte-identical. metrics_http_start() serves it on
 * GET /metrics with libevent's evhttp on the daemon's event_base.
 *
 * The families every imscore daemon exports are created by
 * metrics_ims_register() and updated with the metrics_ims_* helpers; see
 * docs/metrics.md for the list.
 *
 * Families are created at start-up and live until metrics_free(); the
 * struct metrics_family pointers stay valid until then.
 */
#ifndef IMSCORE_METRICS_H
#define IMSCORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"

struct event_base;
struct evbuffer;
struct metrics;
struct metrics_family;
struct metrics_http;

/* The most label names a family may have. */
#define METRICS_MAX_LABELS 3

/* The most children (label value tuples) of one family; more are refused. */
#define METRICS_MAX_CHILDREN 1024

/* The longest label value accepted, in bytes. */
#define METRICS_MAX_VALUE_LEN 128

/* Buckets of latency histograms, in seconds (11 bounds, +Inf is implicit). */
#define METRICS_LATENCY_BUCKETS                                                                    \
    {                                                                                              \
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10                                    \
    }

/* ------------------------------------------------------------------------- */
/* Registry                                                                  */
/* ------------------------------------------------------------------------- */

/*
 * Creates an empty registry in *out. Returns 0, or -EINVAL (out NULL) or
 * -ENOMEM (then *out is untouched). The caller frees it with metrics_free().
 */
int metrics_new(struct metrics **out);

/*
 * Frees the registry and all its families. Any struct metrics_http serving it
 * must be freed first. Safe on NULL.
 */
void metrics_free(struct metrics *m);

/*
 * Creates a counter family. name must match [a-zA-Z_:][a-zA-Z0-9_:]* and be
 * new in the registry; help is any text (escaped on output); labels holds
 * nlabels (0..METRICS_MAX_LABELS) distinct label names matching
 * [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__". Strings are copied.
 * On success stores the family (owned by m) in *out and returns 0; otherwise
 * returns -EINVAL (bad name, label or argument), -EEXIST (name taken) or
 * -ENOMEM. A family without labels exports 0 until first updated.
 */
int metrics_counter_new(struct metrics *m, const char *name, const char *help, int nlabels,
                        const char *const *labels, struct metrics_family **out);

/* Creates a gauge family; arguments and return as metrics_counter_new(). */
int metrics_gauge_new(struct metrics *m, const char *name, const char *help, int nlabels,
                      const char *const *labels, struct metrics_family **out);

/*
 * Creates a histogram family with nbounds (1..32) strictly increasing finite
 * upper bounds (in seconds for latencies); the +Inf bucket is added. "le" is
 * not allowed as a label name. Otherwise as metrics_counter_new().
 */
int metrics_histogram_new(struct metrics *m, const char *name, const char *help, int nlabels,
                          const char *const *labels, const double *bounds, size_t nbounds,
                          struct metrics_family **out);

/* ------------------------------------------------------------------------- */
/* Updates (any thread)                                                      */
/* ------------------------------------------------------------------------- */

/*
 * In each update, values holds one label value per label name of the family
 * (NULL when it has none). A value is valid UTF-8 of at most
 * METRICS_MAX_VALUE_LEN bytes; it is copied and escaped on output. Returns 0,
 * -EINVAL (f NULL, wrong family type, bad value), -ENOSPC (the family has
 * METRICS_MAX_CHILDREN children already) or -ENOMEM.
 */

/* Adds n to a counter. */
int metrics_counter_add(struct metrics_family *f, const char *const *values, uint64_t n);

/* Sets a gauge to v. */
int metrics_gauge_set(struct metrics_family *f, const char *const *values, double v);

/* Adds delta (negative to decrease) to a gauge. */
int metrics_gauge_add(struct metrics_family *f, const char *const *values, double delta);

/* Records one observation (in seconds for latencies) in a histogram. NaN is refused. */
int metrics_histogram_observe(struct metrics_family *f, const char *const *values, double v);

/*
 * Callback gauge read at scrape time: makes the unlabelled gauge f report
 * fn(arg) instead of its stored value. fn runs on the thread calling
 * metrics_render() (the loop thread when served by metrics_http), with the
 * family's mutex held; it must not update f. fn NULL goes back to the
 * stored value. Returns 0, or -EINVAL when f is not a gauge without labels.
 */
typedef double (*metrics_gauge_fn)(void *arg);
int metrics_gauge_set_fn(struct metrics_family *f, metrics_gauge_fn fn, void *arg);

/*
 * Reads the current value of a counter or gauge child (0 when the child does
 * not exist yet) into *out, for tests and logs. Returns 0 or -EINVAL.
 */
int metrics_value(struct metrics_family *f, const char *const *values, double *out);

/* ------------------------------------------------------------------------- */
/* Exposition                                                                */
/* ------------------------------------------------------------------------- */

/*
 * Appends the registry in the Prometheus text format 0.0.4 to buf (the
 * caller's): for each family "# HELP", "# TYPE" and its samples; histograms
 * as name_bucket{...,le="..."} (cumulative, ending with le="+Inf"),
 * name_sum and name_count. Label values are escaped (\\, \", \n), HELP
 * text likewise (\\, \n). Returns 0, or -EINVAL / -ENOMEM (buf may then hold
 * part of the text).
 */
int metrics_render(struct metrics *m, struct evbuffer *buf);

/* The Content-Type of metrics_render()'s output. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ------------------------------------------------------------------------- */
/* HTTP endpoint                                                             */
/* ------------------------------------------------------------------------- */

/*
 * Serves m on http://addr:port/metrics with evhttp on base (the daemon's
 * loop_base()); requests are answered on base's thread. GET /metrics gives
 * 200 with the exposition text; another method on /metrics gives 405 (with
 * "Allow: GET"); any other path gives 404. addr is a numeric IPv4 or IPv6
 * address; port 0 binds an ephemeral port (see metrics_http_port()).
 * m must outlive the endpoint. On success stores the endpoint in *out and
 * returns 0; otherwise returns -EINVAL, -EADDRINUSE / -EADDRNOTAVAIL /
 * -EACCES (bind failed) or -ENOMEM, and *out is untouched.
 */
int metrics_http_start(struct metrics *m, struct event_base *base, const char *addr, uint16_t port,
                       struct metrics_http **out);

/* The TCP port the endpoint listens on (useful after binding port 0). */
uint16_t metrics_http_port(const struct metrics_http *h);

/* Stops serving and frees the endpoint. Call on the loop thread. Safe on NULL. */
void metrics_http_free(struct metrics_http *h);

/*
 * The settings of the endpoint, for a daemon's cfg schema:
 *
 *   metrics = { listen = "127.0.0.1"; port = 9090; };   // port 0 disables
 *
 * default_port is a string such as "9090" ("0" leaves metrics off unless
 * configured).
 */
#define METRICS_CFG_SPECS(default_port)                                                            \
    {"metrics.listen",                                                                             \
     CFG_STRING,                                                                                   \
     0,                                                                                            \
     "127.0.0.1",                                                                                  \
     0,                                                                                            \
     0,                                                                                            \
     NULL,                                                                                         \
     "metrics HTTP listen address (numeric IPv4 or IPv6)",                                         \
     NULL},                                                                                        \
    {                                                                                              \
        "metrics.port", CFG_INT, 0, default_port, 0, 65535, NULL,                                  \
            "metrics HTTP port (GET /metrics, Prometheus text format); 0 disables", NULL           \
    }

/*
 * Checks the metrics.* settings of c (METRICS_CFG_SPECS in its schema):
 * listen must be a numeric address. Logs the problem. Returns 0 or -EINVAL.
 */
int metrics_cfg_check(const struct cfg *c);

/*
 * Starts the endpoint from the metrics.* settings of c. When metrics.port is
 * 0, stores NULL in *out and returns 0 (disabled). Otherwise as
 * metrics_http_start(), with the failure logged.
 */
int metrics_http_start_cfg(struct metrics *m, struct event_base *base, const struct cfg *c,
                           struct metrics_http **out);

/* ------------------------------------------------------------------------- */
/* The families every imscore daemon exports                                 */
/* ------------------------------------------------------------------------- */

/* Families created by metrics_ims_register(); owned by the registry. */
struct metrics_ims {
    struct metrics_family *sip_requests;      /* imscore_sip_requests_total{method} */
    struct metrics_family *sip_responses;     /* imscore_sip_responses_total{method,code} */
    struct metrics_family *registrations;     /* imscore_registrations_active */
    struct metrics_family *subscriptions;     /* imscore_subscriptions_active */
    struct metrics_family *auth_failures;     /* imscore_auth_failures_total{cause} */
    struct metrics_family *cx_requests;       /* imscore_cx_requests_total{command} */
    struct metrics_family *cx_answers;        /* imscore_cx_answers_total{command,result} */
    struct metrics_family *transactions;      /* imscore_transactions_active */
    struct metrics_family *register_duration; /* imscore_register_duration_seconds */
};

/*
 * Creates the common families in m and stores them in *out. Returns 0, or an
 * error of metrics_*_new() (families made before the failure stay in m).
 */
int metrics_ims_register(struct metrics *m, struct metrics_ims *out);

/*
 * The helpers below never fail the caller: a NULL ims does nothing, and a
 * rejected update is logged at debug level and dropped. They are safe from
 * any thread. SIP method names outside the standard set (REGISTER, INVITE,
 * ACK, BYE, CANCEL, OPTIONS, SUBSCRIBE, NOTIFY, PUBLISH, MESSAGE, INFO,
 * PRACK, UPDATE, REFER) are counted as "OTHER", so a peer cannot grow the
 * label set without bound.
 */

/* Counts one SIP request received, by method. */
void metrics_ims_sip_request(const struct metrics_ims *ims, const char *method);

/* Counts one SIP response sent or received for method, by code (100..699; others dropped). */
void metrics_ims_sip_response(const struct metrics_ims *ims, const char *method, int code);

/* Sets or moves the number of active registrations (bindings of registered IMPUs). */
void metrics_ims_registrations_set(const struct metrics_ims *ims, long n);
void metrics_ims_registrations_add(const struct metrics_ims *ims, long delta);

/* Sets or moves the number of active subscriptions (reg event dialogs). */
void metrics_ims_subscriptions_set(const struct metrics_ims *ims, long n);
void metrics_ims_subscriptions_add(const struct metrics_ims *ims, long delta);

/* Counts one authentication failure, cause a short token such as "res_mismatch". */
void metrics_ims_auth_failure(const struct metrics_ims *ims, const char *cause);

/* Counts one Cx request sent or received, command such as "UAR", "MAR", "SAR", "LIR". */
void metrics_ims_cx_request(const struct metrics_ims *ims, const char *command);

/*
 * Counts one Cx answer for command ("UAR", ...). result is the Result-Code,
 * or with experimental the Experimental-Result-Code (vendor 10415): the two
 * spaces overlap (2001 is DIAMETER_SUCCESS as a Result-Code but
 * DIAMETER_FIRST_REGISTRATION as an Experimental-Result-Code), so the label
 * is "2001" for a Result-Code and "exp:2001" for an Experimental-Result-Code.
 * result 0 means no answer (timeout or transport error): "timeout".
 */
void metrics_ims_cx_answer(const struct metrics_ims *ims, const char *command, unsigned result,
                           bool experimental);

/* Sets the number of SIP transactions alive (or use metrics_gauge_set_fn() on it). */
void metrics_ims_transactions_set(const struct metrics_ims *ims, long n);

/* Records the time from a REGISTER's arrival to its final answer, in seconds. */
void metrics_ims_register_duration(const struct metrics_ims *ims, double seconds);

/* ------------------------------------------------------------------------- */
/* A daemon's metrics in one piece                                            */
/* ------------------------------------------------------------------------- */

/*
 * Counts a Cx answer from its two result AVPs (0 when absent): the
 * Experimental-Result-Code when set, else the Result-Code; both 0 (no answer:
 * timeout or transport error) count as "timeout". ims may be NULL.
 */
void metrics_ims_cx_result(const struct metrics_ims *ims, const char *command, unsigned result_code,
                           unsigned exp_result);

/* What every daemon keeps: the registry, its IMS families and the HTTP endpoint. */
struct metrics_daemon {
    struct metrics *registry;
    struct metrics_ims ims;
    struct metrics_http *http;
    bool ready;
};

/*
 * Checks the metrics.* settings of c, creates the registry with the IMS
 * families, points imscore_registrations_active and
 * imscore_subscriptions_active at registrations and subscriptions (read at
 * scrape time on the loop thread; NULL leaves a gauge at 0), and serves it on
 * base unless metrics.port is 0. name ("scscf") prefixes the log lines.
 * Returns 0, or a negative errno (logged; d is left stopped).
 */
int metrics_daemon_start(struct metrics_daemon *d, struct event_base *base, const struct cfg *c,
                         const char *name, metrics_gauge_fn registrations,
                         metrics_gauge_fn subscriptions);

/* Stops serving and frees everything of d (safe when not started). */
void metrics_daemon_stop(struct metrics_daemon *d);

/* The families of a started d, or NULL (the metrics_ims_* helpers accept NULL). */
const struct metrics_ims *metrics_daemon_ims(const struct metrics_daemon *d);

#endif
