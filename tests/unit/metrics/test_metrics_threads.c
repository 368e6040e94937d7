/*
 * test_metrics_threads: updates from several threads at once are all counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "metrics/metrics.h"

#define NTHREADS 4
#define NITER    50000

struct shared {
    struct metrics *m;
    struct metrics_family *counter, *gauge, *hist;
    struct metrics_ims ims;
    pthread_barrier_t start;
};

/* Returns the number of failed calls (cmocka asserts only on the main thread). */
static void *worker(void *arg)
{
    struct shared *s = arg;
    static const char *const codes[] = {"200", "401", "403"};
    intptr_t errors = 0;
    pthread_barrier_wait(&s->start);
    for (int i = 0; i < NITER; i++) {
        const char *v[] = {"REGISTER", codes[i % 3]};
        errors += metrics_counter_add(s->counter, v, 1) != 0;
        errors += metrics_gauge_add(s->gauge, NULL, (i & 1) ? -1 : 2) != 0;
        errors += metrics_histogram_observe(s->hist, NULL, 0.5) != 0;
        metrics_ims_cx_request(&s->ims, "MAR");
        if (i % 1000 == 0) {
            /* Scrapes run while the others update. */
            struct evbuffer *b = evbuffer_new();
            errors += !b || metrics_render(s->m, b) != 0;
            if (b)
                evbuffer_free(b);
        }
    }
    return (void *)errors;
}

static void test_concurrent_updates(void **state)
{
    struct shared s;
    static const char *const labels[] = {"method", "code"};
    static const double bounds[] = {0.1, 1};
    memset(&s, 0, sizeof(s));
    assert_int_equal(metrics_new(&s.m), 0);
    assert_int_equal(metrics_counter_new(s.m, "t_total", "t", 2, labels, &s.counter), 0);
    assert_int_equal(metrics_gauge_new(s.m, "t_gauge", "g", 0, NULL, &s.gauge), 0);
    assert_int_equal(metrics_histogram_new(s.m, "t_seconds", "h", 0, NULL, bounds, 2, &s.hist), 0);
    assert_int_equal(metrics_ims_register(s.m, &s.ims), 0);
    assert_int_equal(pthread_barrier_init(&s.start, NULL, NTHREADS), 0);

    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &s), 0);
    for (int i = 0; i < NTHREADS; i++) {
        void *errors = NULL;
        assert_int_equal(pthread_join(th[i], &errors), 0);
        assert_int_equal((intptr_t)errors, 0);
    }
    pthread_barrier_destroy(&s.start);

    double total = 0, v = 0;
    static const char *const codes[] = {"200", "401", "403"};
    for (int c = 0; c < 3; c++) {
        const char *lv[] = {"REGISTER", codes[c]};
        assert_int_equal(metrics_value(s.counter, lv, &v), 0);
        /* NITER = 50000: codes[0] and [1] get 16667 per thread, codes[2] 16666. */
        assert_true(v == (double)NTHREADS * (NITER / 3 + (c < NITER % 3 ? 1 : 0)));
        total += v;
    }
    assert_true(total == (double)NTHREADS * NITER);
    assert_int_equal(metrics_value(s.gauge, NULL, &v), 0);
    assert_true(v == (double)NTHREADS * (NITER / 2) * (2 - 1));
    const char *mar[] = {"MAR"};
    assert_int_equal(metrics_value(s.ims.cx_requests, mar, &v), 0);
    assert_true(v == (double)NTHREADS * NITER);

    /* The histogram's count, sum and buckets agree exactly. */
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(metrics_render(s.m, b), 0);
    evbuffer_add(b, "", 1);
    const char *text = (const char *)evbuffer_pullup(b, -1);
    char want[256];
    snprintf(want, sizeof(want),
             "t_seconds_bucket{le=\"0.1\"} 0\nt_seconds_bucket{le=\"1\"} %d\n"
             "t_seconds_bucket{le=\"+Inf\"} %d\nt_seconds_sum %d\nt_seconds_count %d\n",
             NTHREADS * NITER, NTHREADS * NITER, NTHREADS * NITER / 2, NTHREADS * NITER);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof(want), "t_total{method=\"REGISTER\",code=\"200\"} %d\n",
             NTHREADS * (NITER / 3 + 1));
    assert_non_null(strstr(text, want));
    evbuffer_free(b);
    metrics_free(s.m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
