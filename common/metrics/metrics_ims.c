/*
 * metrics_ims.c: the families every imscore daemon exports, and their helpers.
 */
#include "metrics_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int metrics_ims_register(struct metrics *m, struct metrics_ims *out)
{
    static const char *const l_method[] = {"method"};
    static const char *const l_method_code[] = {"method", "code"};
    static const char *const l_cause[] = {"cause"};
    static const char *const l_command[] = {"command"};
    static const char *const l_command_result[] = {"command", "result"};
    static const double buckets[] = METRICS_LATENCY_BUCKETS;
    int rc;

    if (!m || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((rc = metrics_counter_new(m, "imscore_sip_requests_total",
                                  "SIP requests received, by method", 1, l_method,
                                  &out->sip_requests)) ||
        (rc =
             metrics_counter_new(m, "imscore_sip_responses_total",
                                 "SIP responses sent or relayed, by request method and status code",
                                 2, l_method_code, &out->sip_responses)) ||
        (rc = metrics_gauge_new(m, "imscore_registrations_active",
                                "Registered public identities (contact bindings) currently active",
                                0, NULL, &out->registrations)) ||
        (rc = metrics_gauge_new(m, "imscore_subscriptions_active",
                                "Reg event subscriptions currently active", 0, NULL,
                                &out->subscriptions)) ||
        (rc = metrics_counter_new(m, "imscore_auth_failures_total",
                                  "Authentication failures, by cause", 1, l_cause,
                                  &out->auth_failures)) ||
        (rc = metrics_counter_new(m, "imscore_cx_requests_total",
                                  "Diameter Cx requests sent or received, by command", 1, l_command,
                                  &out->cx_requests)) ||
        (rc = metrics_counter_new(m, "imscore_cx_answers_total",
                                  "Diameter Cx answers, by command and (Experimental-)Result-Code",
                                  2, l_command_result, &out->cx_answers)) ||
        (rc = metrics_gauge_new(m, "imscore_transactions_active",
                                "SIP transactions currently alive", 0, NULL, &out->transactions)) ||
        (rc = metrics_histogram_new(m, "imscore_register_duration_seconds",
                                    "Time from a REGISTER's arrival to its final answer", 0, NULL,
                                    buckets, sizeof(buckets) / sizeof(buckets[0]),
                                    &out->register_duration)))
        return rc;
    return 0;
}

/* The method as a bounded label value: a standard method name, or "OTHER". */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"REGISTER", "INVITE",    "ACK",    "BYE",     "CANCEL",
                                        "OPTIONS",  "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE",
                                        "INFO",     "PRACK",     "UPDATE", "REFER",   NULL};
    for (size_t i = 0; method && known[i]; i++)
        if (strcmp(method, known[i]) == 0)
            return known[i];
    return "OTHER";
}

static void dropped(const char *name, int rc)
{
    if (rc)
        log_debug("metrics: update of %s dropped: %s", name, strerror(-rc));
}

void metrics_ims_sip_request(const struct metrics_ims *ims, const char *method)
{
    if (!ims)
        return;
    const char *v[] = {method_label(method)};
    dropped("imscore_sip_requests_total", metrics_counter_add(ims->sip_requests, v, 1));
}

void metrics_ims_sip_response(const struct metrics_ims *ims, const char *method, int code)
{
    if (!ims)
        return;
    if (code < 100 || code > 699) {
        dropped("imscore_sip_responses_total", -EINVAL);
        return;
    }
    char cs[8];
    snprintf(cs, sizeof(cs), "%d", code);
    const char *v[] = {method_label(method), cs};
    dropped("imscore_sip_responses_total", metrics_counter_add(ims->sip_responses, v, 1));
}

void metrics_ims_registrations_set(const struct metrics_ims *ims, long n)
{
    if (ims)
        dropped("imscore_registrations_active",
                metrics_gauge_set(ims->registrations, NULL, (double)n));
}

void metrics_ims_registrations_add(const struct metrics_ims *ims, long delta)
{
    if (ims)
        dropped("imscore_registrations_active",
                metrics_gauge_add(ims->registrations, NULL, (double)delta));
}

void metrics_ims_subscriptions_set(const struct metrics_ims *ims, long n)
{
    if (ims)
        dropped("imscore_subscriptions_active",
                metrics_gauge_set(ims->subscriptions, NULL, (double)n));
}

void metrics_ims_subscriptions_add(const struct metrics_ims *ims, long delta)
{
    if (ims)
        dropped("imscore_subscriptions_active",
                metrics_gauge_add(ims->subscriptions, NULL, (double)delta));
}

void metrics_ims_auth_failure(const struct metrics_ims *ims, const char *cause)
{
    if (!ims)
        return;
    const char *v[] = {cause && *cause ? cause : "unknown"};
    dropped("imscore_auth_failures_total", metrics_counter_add(ims->auth_failures, v, 1));
}

void metrics_ims_cx_request(const struct metrics_ims *ims, const char *command)
{
    if (!ims)
        return;
    const char *v[] = {command};
    dropped("imscore_cx_requests_total", metrics_counter_add(ims->cx_requests, v, 1));
}

void metrics_ims_cx_answer(const struct metrics_ims *ims, const char *command, unsigned result,
                           bool experimental)
{
    if (!ims)
        return;
    char rs[16];
    if (result == 0)
        snprintf(rs, sizeof(rs), "timeout");
    else
        snprintf(rs, sizeof(rs), "%s%u", experimental ? "exp:" : "", result);
    const char *v[] = {command, rs};
    dropped("imscore_cx_answers_total", metrics_counter_add(ims->cx_answers, v, 1));
}

void metrics_ims_transactions_set(const struct metrics_ims *ims, long n)
{
    if (ims)
        dropped("imscore_transactions_active",
                metrics_gauge_set(ims->transactions, NULL, (double)n));
}

void metrics_ims_register_duration(const struct metrics_ims *ims, double seconds)
{
    if (ims)
        dropped("imscore_register_duration_seconds",
                metrics_histogram_observe(ims->register_duration, NULL, seconds));
}
