/*
 * SQN handling of the store: sequential and batched advances, 8 concurrent
 * connections, durability across SIGKILL, resynchronisation, exhaustion.
 */
#include "test_store_util.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#define IMPI "alice@ims.test"
#define IND  5
#define STEP (UINT64_C(1) << IND)

static const struct store_new_impu impus[] = {{"sip:alice@ims.test", false}};

static struct store *setup(struct tdb *t, uint64_t sqn)
{
    struct store_subscriber s;
    struct store *st;

    tdb_init(t);
    st = tdb_open(t);
    tsub_init(&s, IMPI, impus, 1);
    s.sqn = sqn;
    assert_int_equal(store_subscriber_add(st, &s), 0);
    return st;
}

static void test_sequential(void **state)
{
    struct tdb t;
    struct store *st = setup(&t, 3); /* IND 3 */
    struct store_auth auth;
    struct store_impi impi;
    uint64_t prev = 3, sqn = 0, batch[10];

    for (int i = 0; i < 1000; i++) {
        assert_int_equal(store_sqn_next(st, IMPI, IND, &sqn, &auth), 0);
        assert_true(sqn > prev);
        assert_int_equal(sqn, prev + STEP); /* SEQ + 1, IND kept (Annex C) */
        prev = sqn;
    }
    assert_memory_equal(auth.opc, "\xcd\x63\xcb\x71\x95\x4a\x9f\x4e", 8);
    assert_int_equal(auth.amf[0], 0x80);
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_int_equal(impi.sqn, prev);

    assert_int_equal(store_sqn_next_batch(st, IMPI, IND, 10, batch, NULL), 0);
    for (int i = 0; i < 10; i++) {
        assert_true(batch[i] > prev);
        prev = batch[i];
    }
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_int_equal(impi.sqn, batch[9]);
    assert_int_equal(store_sqn_next_batch(st, IMPI, IND, 0, batch, NULL), -EINVAL);
    assert_int_equal(store_sqn_next_batch(st, IMPI, IND, STORE_SQN_BATCH_MAX + 1, batch, NULL),
                     -EINVAL);
    assert_int_equal(store_sqn_next(st, "nobody@ims.test", IND, &sqn, NULL), -ENOENT);
    store_close(st);
    tdb_cleanup(&t);
}

#define THREADS    8
#define PER_THREAD 250

struct worker {
    const char *path;
    uint64_t sqns[PER_THREAD];
    int rc;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct store *st = NULL;

    w->rc = store_open(w->path, &st, NULL, 0);
    for (int i = 0; i < PER_THREAD && w->rc == 0; i++)
        w->rc = store_sqn_next(st, IMPI, IND, &w->sqns[i], NULL);
    store_close(st);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_concurrent(void **state)
{
    struct tdb t;
    struct store *st = setup(&t, 0);
    static struct worker w[THREADS];
    pthread_t th[THREADS];
    uint64_t *all = calloc(THREADS * PER_THREAD, sizeof(*all));
    struct store_impi impi;

    assert_non_null(all);
    for (int i = 0; i < THREADS; i++) {
        w[i].path = t.path;
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, 0);
        for (int j = 1; j < PER_THREAD; j++)
            assert_true(w[i].sqns[j] > w[i].sqns[j - 1]); /* per connection: increasing */
        memcpy(all + i * PER_THREAD, w[i].sqns, sizeof(w[i].sqns));
    }
    qsort(all, THREADS * PER_THREAD, sizeof(*all), cmp_u64);
    for (int i = 1; i < THREADS * PER_THREAD; i++)
        assert_true(all[i] > all[i - 1]); /* 2,000 distinct values */
    assert_int_equal(all[0], STEP);
    assert_int_equal(all[THREADS * PER_THREAD - 1], (uint64_t)THREADS * PER_THREAD * STEP);
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_int_equal(impi.sqn, all[THREADS * PER_THREAD - 1]);
    free(all);
    store_close(st);
    tdb_cleanup(&t);
}

/*
 * A child advances SQN in a loop and writes each value to a pipe once
 * store_sqn_next() returned (i.e. after COMMIT). It is SIGKILLed mid-way. No
 * value it reported may be handed out again after a reopen.
 */
static void test_kill9(void **state)
{
    struct tdb t;
    struct store *st = setup(&t, 0);
    int fds[2];
    pid_t pid;
    uint64_t v, last = 0, sqn = 0;
    size_t count = 0;
    struct store_impi impi;
    int status;

    store_close(st);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *cst = NULL;
        close(fds[0]);
        if (store_open(t.path, &cst, NULL, 0) != 0)
            _exit(3);
        for (;;) {
            if (store_sqn_next(cst, IMPI, IND, &v, NULL) != 0)
                _exit(4);
            if (write(fds[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
                _exit(5);
        }
    }
    close(fds[1]);
    while (read(fds[0], &v, sizeof(v)) == (ssize_t)sizeof(v)) {
        assert_true(v > last);
        last = v;
        if (++count == 300)
            kill(pid, SIGKILL);
    }
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_true(count >= 300);
    printf("child reported %zu SQNs before SIGKILL, last %llu\n", count, (unsigned long long)last);

    st = tdb_open(&t);
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_true(impi.sqn >= last);
    assert_int_equal(store_sqn_next(st, IMPI, IND, &sqn, NULL), 0);
    assert_true(sqn > last);
    store_close(st);
    tdb_cleanup(&t);
}

static void test_resync(void **state)
{
    struct tdb t;
    struct store *st = setup(&t, 10 * STEP + 2); /* SEQ 10, IND 2 */
    uint64_t sqn = 0, sqn_ms = 100 * STEP + 7;   /* the USIM is at SEQ 100 */
    struct store_impi impi;

    assert_int_equal(store_sqn_resync(st, IMPI, IND, sqn_ms), 0);
    assert_int_equal(store_sqn_next(st, IMPI, IND, &sqn, NULL), 0);
    assert_true(sqn > sqn_ms);
    assert_int_equal(sqn, 101 * STEP + 2); /* SEQ_MS + 1 with the HSS's IND */

    /* a stale SQN_MS never moves SQN_HE backwards */
    assert_int_equal(store_sqn_resync(st, IMPI, IND, 5 * STEP), 0);
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_int_equal(impi.sqn, 101 * STEP + 2);
    assert_int_equal(store_sqn_resync(st, "nobody@ims.test", IND, 5), -ENOENT);
    assert_int_equal(store_sqn_resync(st, IMPI, IND, STORE_SQN_MAX + 1), -EINVAL);

    /* survives a reopen */
    store_close(st);
    st = tdb_open(&t);
    assert_int_equal(store_sqn_next(st, IMPI, IND, &sqn, NULL), 0);
    assert_int_equal(sqn, 102 * STEP + 2);
    store_close(st);
    tdb_cleanup(&t);
}

static void test_exhausted_and_nokey(void **state)
{
    struct tdb t;
    struct store *st = setup(&t, STORE_SQN_MAX); /* last SEQ */
    struct store_subscriber s;
    const struct store_new_impu bob[] = {{"sip:bob@ims.test", false}};
    struct store_impi impi;
    uint64_t sqn = 0;

    assert_int_equal(store_sqn_next(st, IMPI, IND, &sqn, NULL), -ERANGE);
    assert_int_equal(store_impi_get(st, IMPI, &impi), 0);
    assert_int_equal(impi.sqn, STORE_SQN_MAX);

    tsub_init(&s, "bob@ims.test", bob, 1);
    s.has_keys = false;
    s.schemes = STORE_SCHEME_DIGEST_MD5;
    s.password = "pw";
    assert_int_equal(store_subscriber_add(st, &s), 0);
    assert_int_equal(store_sqn_next(st, "bob@ims.test", IND, &sqn, NULL), STORE_ENOKEY);
    store_close(st);
    tdb_cleanup(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequential),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_kill9),
        cmocka_unit_test(test_resync),
        cmocka_unit_test(test_exhausted_and_nokey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
