/*
 * Unit tests of common/ctl: a real server on a loop thread and the real
 * client over a Unix socket in a temporary directory. Covered: the socket is
 * 0600; records come back on one line each with control characters cleaned;
 * answers given later from a timer reach the client; a continuation whose
 * client hung up gets -ENOENT; one request per connection; over-long and
 * unanswered requests; stale socket replaced, live one and non-socket files
 * refused; the socket file removed on stop.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/ctl.h"
#include "loop/loop.h"

struct fx {
    char dir[64];
    char path[96];
    struct loop *loop;
    struct ctl_server *srv;
    pthread_t thread;
    bool running;
};

/* What the handler saw (written on the loop thread, read after the client returned). */
static atomic_int n_requests;
static atomic_int late_rc;  /* rc of the deferred ctl_reply(), 1 while not run */
static atomic_int late_end; /* rc of the deferred ctl_end() */
static atomic_int late_conns;
static struct event *timer;
static uint64_t deferred_id;

static void *run_loop(void *arg)
{
    loop_run(arg);
    return NULL;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    int rc = ctl_reply(deferred_id, "late answer");
    atomic_store(&late_rc, rc);
    atomic_store(&late_end, ctl_end(deferred_id));
    atomic_store(&late_conns, (int)ctl_conn_count());
}

static void handler(void *arg, uint64_t id, char *line)
{
    struct fx *f = arg;
    char *fld[4];
    size_t n;

    atomic_fetch_add(&n_requests, 1);
    n = ctl_split(line, fld, 4);
    if (n == 1 && strcmp(fld[0], "list") == 0) {
        ctl_record(id, "REC");
        ctl_field_str(id, "name", "alice");
        ctl_field_int(id, "count", -3);
        ctl_record_end(id);
        ctl_record(id, "REC");
        ctl_field_str(id, "name", "evil\tvalue\nwith\rbreaks");
        ctl_field_str(id, "empty", NULL);
        ctl_record_end(id);
        ctl_reply(id, "OK");
        ctl_end(id);
    } else if (n == 2 && strcmp(fld[0], "echo") == 0) {
        ctl_reply(id, "OK %s", fld[1]);
        ctl_end(id);
    } else if (n == 1 && strcmp(fld[0], "defer") == 0) {
        struct timeval tv = {0, 150000};
        deferred_id = id;
        timer = evtimer_new(loop_base(f->loop), on_timer, NULL);
        evtimer_add(timer, &tv);
    } else if (n == 1 && strcmp(fld[0], "hang") == 0) {
        /* never answered: the client times out */
    } else {
        ctl_fail(id, "unknown\trequest");
    }
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_ctl.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.ctl", f->dir);
    assert_int_equal(loop_new(&f->loop), 0);
    atomic_store(&n_requests, 0);
    atomic_store(&late_rc, 1);
    atomic_store(&late_end, 1);
    timer = NULL;
    *state = f;
    return 0;
}

static void start(struct fx *f)
{
    assert_int_equal(ctl_server_start(f->loop, "test", f->path, handler, f, &f->srv), 0);
    assert_int_equal(pthread_create(&f->thread, NULL, run_loop, f->loop), 0);
    f->running = true;
}

static void stop(struct fx *f)
{
    if (f->running) {
        loop_stop(f->loop);
        pthread_join(f->thread, NULL);
        f->running = false;
    }
    ctl_server_stop(&f->srv);
    assert_null(f->srv);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    stop(f);
    if (timer)
        event_free(timer);
    loop_free(f->loop);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A raw client: connects and sends exactly buf (len bytes). */
static int raw_connect_send(const char *path, const char *buf, size_t len)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    return fd;
}

/* Reads until EOF into buf. */
static void raw_read_all(int fd, char *buf, size_t len)
{
    size_t got = 0;
    ssize_t r;

    while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
}

static void records_are_one_line_each(void **state)
{
    struct fx *f = *state;
    struct stat st;
    char *reply = NULL;

    start(f);
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(ctl_call(f->path, "list", 5000, &reply), 0);
    assert_string_equal(reply, "REC\tname=alice\tcount=-3\n"
                               "REC\tname=evil?value?with?breaks\tempty=\n"
                               "OK\n");
    free(reply);
    reply = NULL;
    assert_int_equal(ctl_call(f->path, "echo\thello\n", 5000, &reply), 0);
    assert_string_equal(reply, "OK hello\n");
    free(reply);
    reply = NULL;
    assert_int_equal(ctl_call(f->path, "nonsense", 5000, &reply), 0);
    assert_string_equal(reply, "ERR unknown?request\n");
    free(reply);
    assert_int_equal(atomic_load(&n_requests), 3);
}

static void deferred_answer_arrives(void **state)
{
    struct fx *f = *state;
    char *reply = NULL;

    start(f);
    assert_int_equal(ctl_call(f->path, "defer", 5000, &reply), 0);
    assert_string_equal(reply, "late answer\n");
    free(reply);
    assert_int_equal(atomic_load(&late_rc), 0);
    assert_int_equal(atomic_load(&late_end), 0);
}

static void continuation_after_hangup_is_enoent(void **state)
{
    struct fx *f = *state;
    int fd;

    start(f);
    fd = raw_connect_send(f->path, "defer\n", 6);
    usleep(30000); /* the server reads the request */
    close(fd);
    for (int i = 0; i < 200 && atomic_load(&late_rc) == 1; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&late_rc), -ENOENT);
    assert_int_equal(atomic_load(&late_end), -ENOENT);
    assert_int_equal(atomic_load(&late_conns), 0);
}

static void one_request_per_connection(void **state)
{
    struct fx *f = *state;
    char buf[256];
    int fd;

    start(f);
    fd = raw_connect_send(f->path, "echo\ta\r\necho\tb\n", 15);
    raw_read_all(fd, buf, sizeof(buf));
    close(fd);
    assert_string_equal(buf, "OK a\n");
    assert_int_equal(atomic_load(&n_requests), 1);
}

static void long_request_refused(void **state)
{
    struct fx *f = *state;
    char *big = malloc(CTL_LINE_MAX + 500);
    char buf[256];
    int fd;

    assert_non_null(big);
    memset(big, 'x', CTL_LINE_MAX + 500);
    start(f);
    fd = raw_connect_send(f->path, big, CTL_LINE_MAX + 500);
    raw_read_all(fd, buf, sizeof(buf));
    close(fd);
    free(big);
    assert_string_equal(buf, "ERR request too long\n");
    assert_int_equal(atomic_load(&n_requests), 0);
}

static void client_errors(void **state)
{
    struct fx *f = *state;
    char *reply = (char *)"untouched";
    char missing[160];

    start(f);
    assert_int_equal(ctl_call(f->path, "hang", 300, &reply), -ETIMEDOUT);
    assert_int_equal(ctl_call(f->path, "two\nlines", 300, &reply), -EINVAL);
    snprintf(missing, sizeof(missing), "%s/none.ctl", f->dir);
    assert_int_equal(ctl_call(missing, "list", 300, &reply), -ENOENT);
    assert_string_equal(reply, "untouched");
    /* the hung connection was closed by its client: the server forgot it */
    for (int i = 0; i < 100 && atomic_load(&n_requests) != 1; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&n_requests), 1);
}

static void socket_path_handling(void **state)
{
    struct fx *f = *state;
    struct ctl_server *other = NULL;
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char file[160], *reply = NULL;
    struct stat st;
    FILE *fp;
    int fd;

    /* a stale socket file (its process died) is replaced */
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    close(fd);
    assert_int_equal(stat(f->path, &st), 0);
    start(f);
    assert_int_equal(ctl_call(f->path, "echo\tup", 5000, &reply), 0);
    assert_string_equal(reply, "OK up\n");
    free(reply);
    /* a live one is not stolen */
    assert_int_equal(ctl_server_start(f->loop, "test", f->path, handler, f, &other), -EADDRINUSE);
    assert_null(other);
    /* a file that is not a socket is left alone */
    snprintf(file, sizeof(file), "%s/plain", f->dir);
    fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("data", fp);
    fclose(fp);
    assert_int_equal(ctl_server_start(f->loop, "test", file, handler, f, &other), -EEXIST);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_size, 4);
    /* bad arguments */
    assert_int_equal(ctl_server_start(f->loop, "test", "", handler, f, &other), -EINVAL);
    assert_int_equal(ctl_server_start(f->loop, "test", f->path, NULL, f, &other), -EINVAL);
    /* stop removes the socket file */
    stop(f);
    assert_int_not_equal(stat(f->path, &st), 0);
    assert_int_equal(errno, ENOENT);
}

static void split_fields(void **state)
{
    char line[] = "a\tb\t\tc d\te";
    char empty[] = "";
    char *fld[4];

    assert_int_equal(ctl_split(line, fld, 4), 4);
    assert_string_equal(fld[0], "a");
    assert_string_equal(fld[1], "b");
    assert_string_equal(fld[2], "");
    assert_string_equal(fld[3], "c d\te");
    assert_int_equal(ctl_split(empty, fld, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(records_are_one_line_each, setup, teardown),
        cmocka_unit_test_setup_teardown(deferred_answer_arrives, setup, teardown),
        cmocka_unit_test_setup_teardown(continuation_after_hangup_is_enoent, setup, teardown),
        cmocka_unit_test_setup_teardown(one_request_per_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(long_request_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(client_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(socket_path_handling, setup, teardown),
        cmocka_unit_test(split_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
