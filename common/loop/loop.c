#include "loop/loop.h"

#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

struct job {
    struct job *next;
    loop_fn fn;
    loop_fn drop;
    void *arg;
};

struct loop {
    struct event_base *base;
    struct event *wake_ev;
    int wake_fd;
    pthread_mutex_t lock;
    struct job *head, *tail;
    int stopping;
    pthread_t thread;
    int running;
    struct event *sig_ev[3];
    loop_fn on_term, on_hup;
    void *sig_arg;
};

static void run_jobs(evutil_socket_t fd, short what, void *arg)
{
    struct loop *loop = arg;
    uint64_t n;
    if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        log_warn("loop: eventfd read failed: %s", strerror(errno));

    pthread_mutex_lock(&loop->lock);
    struct job *list = loop->head;
    loop->head = loop->tail = NULL;
    int stop = loop->stopping;
    pthread_mutex_unlock(&loop->lock);

    while (list) {
        struct job *j = list;
        list = j->next;
        j->fn(j->arg);
        free(j);
    }
    if (stop)
        event_base_loopbreak(loop->base);
}

int loop_new(struct loop **out)
{
    struct loop *loop = calloc(1, sizeof(*loop));
    if (!loop)
        return -ENOMEM;
    loop->wake_fd = -1;
    pthread_mutex_init(&loop->lock, NULL);
    loop->base = event_base_new();
    if (!loop->base)
        goto err;
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->wake_fd < 0)
        goto err;
    loop->wake_ev = event_new(loop->base, loop->wake_fd, EV_READ | EV_PERSIST, run_jobs, loop);
    if (!loop->wake_ev || event_add(loop->wake_ev, NULL) != 0)
        goto err;
    *out = loop;
    return 0;
err:
    loop_free(loop);
    return -ENOMEM;
}

void loop_free(struct loop *loop)
{
    if (!loop)
        return;
    for (size_t i = 0; i < 3; i++)
        if (loop->sig_ev[i])
            event_free(loop->sig_ev[i]);
    while (loop->head) {
        struct job *j = loop->head;
        loop->head = j->next;
        if (j->drop)
            j->drop(j->arg);
        free(j);
    }
    if (loop->wake_ev)
        event_free(loop->wake_ev);
    if (loop->wake_fd >= 0)
        close(loop->wake_fd);
    if (loop->base)
        event_base_free(loop->base);
    pthread_mutex_destroy(&loop->lock);
    free(loop);
}

struct event_base *loop_base(struct loop *loop)
{
    return loop->base;
}

static void wake(struct loop *loop)
{
    uint64_t one = 1;
    if (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        log_error("loop: eventfd write failed: %s", strerror(errno));
}

int loop_post_owned(struct loop *loop, loop_fn fn, loop_fn drop, void *arg)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return -ENOMEM;
    j->fn = fn;
    j->drop = drop;
    j->arg = arg;
    pthread_mutex_lock(&loop->lock);
    if (loop->tail)
        loop->tail->next = j;
    else
        loop->head = j;
    loop->tail = j;
    pthread_mutex_unlock(&loop->lock);
    wake(loop);
    return 0;
}

int loop_post(struct loop *loop, loop_fn fn, void *arg)
{
    return loop_post_owned(loop, fn, NULL, arg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct loop *loop = arg;
    if (sig == SIGHUP) {
        log_notice("SIGHUP: reopening logs");
        log_reopen();
        if (loop->on_hup)
            loop->on_hup(loop->sig_arg);
        return;
    }
    log_notice("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (loop->on_term)
        loop->on_term(loop->sig_arg);
    else
        loop_stop(loop);
}

int loop_on_signals(struct loop *loop, loop_fn on_term, loop_fn on_hup, void *arg)
{
    static const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
    loop->on_term = on_term;
    loop->on_hup = on_hup;
    loop->sig_arg = arg;
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < 3; i++) {
        if (loop->sig_ev[i])
            continue;
        loop->sig_ev[i] = evsignal_new(loop->base, sigs[i], on_signal, loop);
        if (!loop->sig_ev[i] || event_add(loop->sig_ev[i], NULL) != 0)
            return -ENOMEM;
    }
    return 0;
}

int loop_run(struct loop *loop)
{
    loop->thread = pthread_self();
    loop->running = 1;
    pthread_mutex_lock(&loop->lock);
    loop->stopping = 0;
    pthread_mutex_unlock(&loop->lock);
    int rc = event_base_dispatch(loop->base);
    loop->running = 0;
    return rc < 0 ? -EIO : 0;
}

void loop_stop(struct loop *loop)
{
    pthread_mutex_lock(&loop->lock);
    loop->stopping = 1;
    pthread_mutex_unlock(&loop->lock);
    wake(loop);
}

int loop_is_loop_thread(const struct loop *loop)
{
    return loop->running && pthread_equal(loop->thread, pthread_self());
}

long long loop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
