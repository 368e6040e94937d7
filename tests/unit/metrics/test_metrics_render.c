/*
 * test_metrics_render: the exposition text of each metric type, exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "metrics/metrics.h"

/* Renders m and returns the text (caller frees). */
static char *render(struct metrics *m)
{
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(metrics_render(m, b), 0);
    size_t len = evbuffer_get_length(b);
    char *s = malloc(len + 1);
    assert_non_null(s);
    evbuffer_remove(b, s, len);
    s[len] = '\0';
    evbuffer_free(b);
    return s;
}

static void assert_render(struct metrics *m, const char *want)
{
    char *got = render(m);
    assert_string_equal(got, want);
    free(got);
}

static void test_counter_labels_escaping(void **state)
{
    struct metrics *m = NULL;
    struct metrics_family *f = NULL;
    static const char *const labels[] = {"method", "code"};
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_counter_new(m, "t_requests_total", "Requests \\ with\nnewline \"q\"",
                                         2, labels, &f),
                     0);
    assert_render(m, "# HELP t_requests_total Requests \\\\ with\\nnewline \"q\"\n"
                     "# TYPE t_requests_total counter\n");

    const char *v1[] = {"REGISTER", "200"};
    const char *v2[] = {"a\"b\\c\nd", "x"};
    const char *v3[] = {"INVITE", "100"};
    assert_int_equal(metrics_counter_add(f, v1, 1), 0);
    assert_int_equal(metrics_counter_add(f, v2, 5), 0);
    assert_int_equal(metrics_counter_add(f, v1, 2), 0);
    assert_int_equal(metrics_counter_add(f, v3, 1), 0);
    assert_render(m, "# HELP t_requests_total Requests \\\\ with\\nnewline \"q\"\n"
                     "# TYPE t_requests_total counter\n"
                     "t_requests_total{method=\"INVITE\",code=\"100\"} 1\n"
                     "t_requests_total{method=\"REGISTER\",code=\"200\"} 3\n"
                     "t_requests_total{method=\"a\\\"b\\\\c\\nd\",code=\"x\"} 5\n");
    double v = 0;
    assert_int_equal(metrics_value(f, v1, &v), 0);
    assert_true(v == 3.0);
    const char *absent[] = {"BYE", "200"};
    assert_int_equal(metrics_value(f, absent, &v), 0);
    assert_true(v == 0.0);
    metrics_free(m);
}

static void test_unlabelled_and_sorted(void **state)
{
    struct metrics *m = NULL;
    struct metrics_family *z = NULL, *a = NULL, *g = NULL;
    assert_int_equal(metrics_new(&m), 0);
    /* Created out of order: rendered by name. */
    assert_int_equal(metrics_counter_new(m, "zz_total", "last", 0, NULL, &z), 0);
    assert_int_equal(metrics_gauge_new(m, "aa_gauge", "first", 0, NULL, &a), 0);
    assert_int_equal(metrics_gauge_new(m, "mm:ratio", "middle", 0, NULL, &g), 0);
    assert_render(m, "# HELP aa_gauge first\n# TYPE aa_gauge gauge\naa_gauge 0\n"
                     "# HELP mm:ratio middle\n# TYPE mm:ratio gauge\nmm:ratio 0\n"
                     "# HELP zz_total last\n# TYPE zz_total counter\nzz_total 0\n");
    assert_int_equal(metrics_counter_add(z, NULL, 7), 0);
    assert_int_equal(metrics_gauge_set(a, NULL, 10), 0);
    assert_int_equal(metrics_gauge_add(a, NULL, 1), 0);
    assert_int_equal(metrics_gauge_add(a, NULL, -3), 0);
    assert_int_equal(metrics_gauge_set(g, NULL, 0.1), 0);
    assert_render(m, "# HELP aa_gauge first\n# TYPE aa_gauge gauge\naa_gauge 8\n"
                     "# HELP mm:ratio middle\n# TYPE mm:ratio gauge\nmm:ratio 0.1\n"
                     "# HELP zz_total last\n# TYPE zz_total counter\nzz_total 7\n");
    metrics_free(m);
}

static double fixed_fn(void *arg)
{
    return *(double *)arg;
}

static void test_gauge_labels_and_callback(void **state)
{
    struct metrics *m = NULL;
    struct metrics_family *f = NULL, *cb = NULL;
    static const char *const labels[] = {"peer"};
    double cbval = 42;
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_gauge_new(m, "t_conns", "Open connections", 1, labels, &f), 0);
    assert_int_equal(metrics_gauge_new(m, "t_cb", "Callback", 0, NULL, &cb), 0);
    const char *pb[] = {"b"}, *pa[] = {"a"}, *pu[] = {"\xc3\xa9t\xc3\xa9"};
    assert_int_equal(metrics_gauge_add(f, pb, -1.5), 0);
    assert_int_equal(metrics_gauge_set(f, pa, 1e21), 0);
    assert_int_equal(metrics_gauge_set(f, pu, INFINITY), 0);
    assert_int_equal(metrics_gauge_set_fn(cb, fixed_fn, &cbval), 0);
    assert_render(m, "# HELP t_cb Callback\n# TYPE t_cb gauge\nt_cb 42\n"
                     "# HELP t_conns Open connections\n# TYPE t_conns gauge\n"
                     "t_conns{peer=\"a\"} 1e+21\n"
                     "t_conns{peer=\"b\"} -1.5\n"
                     "t_conns{peer=\"\xc3\xa9t\xc3\xa9\"} +Inf\n");
    /* The callback is read at each render. */
    cbval = 0.25;
    double v = 0;
    assert_int_equal(metrics_value(cb, NULL, &v), 0);
    assert_true(v == 0.25);
    /* Only an unlabelled gauge takes a callback. */
    assert_int_equal(metrics_gauge_set_fn(f, fixed_fn, &cbval), -EINVAL);
    assert_int_equal(metrics_gauge_set_fn(cb, NULL, NULL), 0);
    assert_int_equal(metrics_gauge_set(cb, NULL, 3), 0);
    char *got = render(m);
    assert_non_null(strstr(got, "\nt_cb 3\n"));
    free(got);
    metrics_free(m);
}

static void test_histogram(void **state)
{
    struct metrics *m = NULL;
    struct metrics_family *h = NULL, *hl = NULL;
    static const double bounds[] = {0.005, 0.1, 1};
    static const char *const labels[] = {"method"};
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_histogram_new(m, "t_lat_seconds", "Latency", 0, NULL, bounds, 3, &h),
                     0);
    assert_int_equal(
        metrics_histogram_new(m, "t_lab_seconds", "Labelled", 1, labels, bounds, 3, &hl), 0);
    assert_render(m, "# HELP t_lab_seconds Labelled\n# TYPE t_lab_seconds histogram\n"
                     "# HELP t_lat_seconds Latency\n# TYPE t_lat_seconds histogram\n"
                     "t_lat_seconds_bucket{le=\"0.005\"} 0\n"
                     "t_lat_seconds_bucket{le=\"0.1\"} 0\n"
                     "t_lat_seconds_bucket{le=\"1\"} 0\n"
                     "t_lat_seconds_bucket{le=\"+Inf\"} 0\n"
                     "t_lat_seconds_sum 0\n"
                     "t_lat_seconds_count 0\n");
    /* Upper bounds are inclusive: 0.1 falls in le="0.1". */
    assert_int_equal(metrics_histogram_observe(h, NULL, 0.001), 0);
    assert_int_equal(metrics_histogram_observe(h, NULL, 0.1), 0);
    assert_int_equal(metrics_histogram_observe(h, NULL, 0.5), 0);
    assert_int_equal(metrics_histogram_observe(h, NULL, 2.5), 0);
    assert_int_equal(metrics_histogram_observe(h, NULL, NAN), -EINVAL);
    const char *reg[] = {"REGISTER"};
    assert_int_equal(metrics_histogram_observe(hl, reg, 0.25), 0);
    assert_render(m, "# HELP t_lab_seconds Labelled\n# TYPE t_lab_seconds histogram\n"
                     "t_lab_seconds_bucket{method=\"REGISTER\",le=\"0.005\"} 0\n"
                     "t_lab_seconds_bucket{method=\"REGISTER\",le=\"0.1\"} 0\n"
                     "t_lab_seconds_bucket{method=\"REGISTER\",le=\"1\"} 1\n"
                     "t_lab_seconds_bucket{method=\"REGISTER\",le=\"+Inf\"} 1\n"
                     "t_lab_seconds_sum{method=\"REGISTER\"} 0.25\n"
                     "t_lab_seconds_count{method=\"REGISTER\"} 1\n"
                     "# HELP t_lat_seconds Latency\n# TYPE t_lat_seconds histogram\n"
                     "t_lat_seconds_bucket{le=\"0.005\"} 1\n"
                     "t_lat_seconds_bucket{le=\"0.1\"} 2\n"
                     "t_lat_seconds_bucket{le=\"1\"} 3\n"
                     "t_lat_seconds_bucket{le=\"+Inf\"} 4\n"
                     "t_lat_seconds_sum 3.101\n"
                     "t_lat_seconds_count 4\n");
    metrics_free(m);
}

static void test_validation(void **state)
{
    struct metrics *m = NULL;
    struct metrics_family *f = NULL, *c = NULL;
    static const double bounds[] = {1, 2};
    static const double bad_bounds[] = {2, 1};
    static const char *const le[] = {"le"};
    static const char *const dup[] = {"a", "a"};
    static const char *const reserved[] = {"__a"};
    static const char *const digit[] = {"1a"};
    static const char *const one[] = {"x"};
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_counter_new(m, "", "h", 0, NULL, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "9abc", "h", 0, NULL, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "a-b", "h", 0, NULL, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", NULL, 0, NULL, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", "h", 4, one, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", "h", 2, dup, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", "h", 1, reserved, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", "h", 1, digit, &f), -EINVAL);
    assert_int_equal(metrics_histogram_new(m, "ok", "h", 1, le, bounds, 2, &f), -EINVAL);
    assert_int_equal(metrics_histogram_new(m, "ok", "h", 0, NULL, bad_bounds, 2, &f), -EINVAL);
    assert_int_equal(metrics_histogram_new(m, "ok", "h", 0, NULL, bounds, 0, &f), -EINVAL);
    assert_int_equal(metrics_counter_new(m, "ok", "h", 1, one, &c), 0);
    assert_int_equal(metrics_gauge_new(m, "ok", "h", 0, NULL, &f), -EEXIST);

    /* Values: UTF-8, bounded, one per label; the right type of update. */
    const char *bad_utf8[] = {"\xc0\xaf"};
    const char *surrogate[] = {"\xed\xa0\x80"};
    const char *truncated[] = {"ab\xe2\x82"};
    const char *nullv[] = {NULL};
    char longv[METRICS_MAX_VALUE_LEN + 2];
    memset(longv, 'a', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    const char *toolong[] = {longv};
    const char *okv[] = {"ok"};
    assert_int_equal(metrics_counter_add(c, bad_utf8, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(c, surrogate, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(c, truncated, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(c, nullv, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(c, NULL, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(c, toolong, 1), -EINVAL);
    assert_int_equal(metrics_gauge_set(c, okv, 1), -EINVAL);
    assert_int_equal(metrics_histogram_observe(c, okv, 1), -EINVAL);
    assert_int_equal(metrics_counter_add(NULL, okv, 1), -EINVAL);

    /* Cardinality is bounded. */
    char buf[16];
    const char *v[] = {buf};
    for (int i = 0; i < METRICS_MAX_CHILDREN; i++) {
        snprintf(buf, sizeof(buf), "v%d", i);
        assert_int_equal(metrics_counter_add(c, v, 1), 0);
    }
    snprintf(buf, sizeof(buf), "one-more");
    assert_int_equal(metrics_counter_add(c, v, 1), -ENOSPC);
    snprintf(buf, sizeof(buf), "v7");
    assert_int_equal(metrics_counter_add(c, v, 1), 0);
    metrics_free(m);
    metrics_free(NULL);
}

static void test_ims_families(void **state)
{
    struct metrics *m = NULL;
    struct metrics_ims ims;
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_ims_register(m, &ims), 0);
    metrics_ims_sip_request(&ims, "REGISTER");
    metrics_ims_sip_request(&ims, "REGISTER");
    metrics_ims_sip_request(&ims, "FOO\"BAR"); /* counted as OTHER */
    metrics_ims_sip_response(&ims, "REGISTER", 401);
    metrics_ims_sip_response(&ims, "REGISTER", 200);
    metrics_ims_sip_response(&ims, "REGISTER", 99); /* dropped */
    metrics_ims_registrations_add(&ims, 2);
    metrics_ims_registrations_add(&ims, -1);
    metrics_ims_subscriptions_set(&ims, 1);
    metrics_ims_auth_failure(&ims, "res_mismatch");
    metrics_ims_cx_request(&ims, "MAR");
    metrics_ims_cx_answer(&ims, "MAR", 2001, false);
    metrics_ims_cx_answer(&ims, "UAR", 5001, true);
    metrics_ims_cx_answer(&ims, "UAR", 2001, true);
    metrics_ims_cx_answer(&ims, "UAR", 5012, false);
    metrics_ims_cx_answer(&ims, "SAR", 0, false);
    metrics_ims_transactions_set(&ims, 3);
    metrics_ims_register_duration(&ims, 0.02);
    metrics_ims_register_duration(&ims, 0.3);
    metrics_ims_sip_request(NULL, "REGISTER"); /* no-op */
    assert_render(
        m,
        "# HELP imscore_auth_failures_total Authentication failures, by cause\n"
        "# TYPE imscore_auth_failures_total counter\n"
        "imscore_auth_failures_total{cause=\"res_mismatch\"} 1\n"
        "# HELP imscore_cx_answers_total Diameter Cx answers, by command and "
        "(Experimental-)Result-Code\n"
        "# TYPE imscore_cx_answers_total counter\n"
        "imscore_cx_answers_total{command=\"MAR\",result=\"2001\"} 1\n"
        "imscore_cx_answers_total{command=\"SAR\",result=\"timeout\"} 1\n"
        "imscore_cx_answers_total{command=\"UAR\",result=\"5012\"} 1\n"
        "imscore_cx_answers_total{command=\"UAR\",result=\"exp:2001\"} 1\n"
        "imscore_cx_answers_total{command=\"UAR\",result=\"exp:5001\"} 1\n"
        "# HELP imscore_cx_requests_total Diameter Cx requests sent or received, by command\n"
        "# TYPE imscore_cx_requests_total counter\n"
        "imscore_cx_requests_total{command=\"MAR\"} 1\n"
        "# HELP imscore_register_duration_seconds Time from a REGISTER's arrival to its final "
        "answer\n"
        "# TYPE imscore_register_duration_seconds histogram\n"
        "imscore_register_duration_seconds_bucket{le=\"0.005\"} 0\n"
        "imscore_register_duration_seconds_bucket{le=\"0.01\"} 0\n"
        "imscore_register_duration_seconds_bucket{le=\"0.025\"} 1\n"
        "imscore_register_duration_seconds_bucket{le=\"0.05\"} 1\n"
        "imscore_register_duration_seconds_bucket{le=\"0.1\"} 1\n"
        "imscore_register_duration_seconds_bucket{le=\"0.25\"} 1\n"
        "imscore_register_duration_seconds_bucket{le=\"0.5\"} 2\n"
        "imscore_register_duration_seconds_bucket{le=\"1\"} 2\n"
        "imscore_register_duration_seconds_bucket{le=\"2.5\"} 2\n"
        "imscore_register_duration_seconds_bucket{le=\"5\"} 2\n"
        "imscore_register_duration_seconds_bucket{le=\"10\"} 2\n"
        "imscore_register_duration_seconds_bucket{le=\"+Inf\"} 2\n"
        "imscore_register_duration_seconds_sum 0.32\n"
        "imscore_register_duration_seconds_count 2\n"
        "# HELP imscore_registrations_active Registered public identities (contact bindings) "
        "currently active\n"
        "# TYPE imscore_registrations_active gauge\n"
        "imscore_registrations_active 1\n"
        "# HELP imscore_sip_requests_total SIP requests received, by method\n"
        "# TYPE imscore_sip_requests_total counter\n"
        "imscore_sip_requests_total{method=\"OTHER\"} 1\n"
        "imscore_sip_requests_total{method=\"REGISTER\"} 2\n"
        "# HELP imscore_sip_responses_total SIP responses sent or relayed, by request method and "
        "status code\n"
        "# TYPE imscore_sip_responses_total counter\n"
        "imscore_sip_responses_total{method=\"REGISTER\",code=\"200\"} 1\n"
        "imscore_sip_responses_total{method=\"REGISTER\",code=\"401\"} 1\n"
        "# HELP imscore_subscriptions_active Reg event subscriptions currently active\n"
        "# TYPE imscore_subscriptions_active gauge\n"
        "imscore_subscriptions_active 1\n"
        "# HELP imscore_transactions_active SIP transactions currently alive\n"
        "# TYPE imscore_transactions_active gauge\n"
        "imscore_transactions_active 3\n");
    /* Registering twice in one registry is refused. */
    struct metrics_ims again;
    assert_int_equal(metrics_ims_register(m, &again), -EEXIST);
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_labels_escaping),
        cmocka_unit_test(test_unlabelled_and_sorted),
        cmocka_unit_test(test_gauge_labels_and_callback),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_ims_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
