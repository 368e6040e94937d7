/*
 * loop: the daemon's single event-loop thread (libevent) and the thread-safe
 * way into it.
 *
 * All protocol state of a daemon is owned by the loop thread. Other threads
 * (freeDiameter's) never touch it: they hand work to the loop with loop_post(),
 * which queues a callback and wakes the loop through an eventfd.
 */
#ifndef IMSCORE_LOOP_H
#define IMSCORE_LOOP_H

#include <event2/event.h>

struct loop;

typedef void (*loop_fn)(void *arg);

/*
 * Creates a loop with its own event_base. On success stores it in *out and
 * returns 0; otherwise returns a negative errno and *out is untouched.
 */
int loop_new(struct loop **out);

/*
 * Frees the loop. Callbacks still queued are dropped: each is called with its
 * argument's drop function if one was given to loop_post_owned(), else leaked
 * to the caller's responsibility. Safe on NULL.
 */
void loop_free(struct loop *loop);

/* The libevent base, for timers and sockets owned by the loop thread. */
struct event_base *loop_base(struct loop *loop);

/*
 * Queues fn(arg) to run on the loop thread. Safe from any thread.
 * Returns 0, or -ENOMEM (then fn is never called and arg stays the caller's).
 */
int loop_post(struct loop *loop, loop_fn fn, void *arg);

/*
 * Like loop_post(), but if the loop is freed before fn runs, drop(arg) is
 * called instead, so the argument is never leaked.
 */
int loop_post_owned(struct loop *loop, loop_fn fn, loop_fn drop, void *arg);

/*
 * Installs handlers for SIGTERM and SIGINT (on_term) and SIGHUP (on_hup) that
 * run on the loop thread. Either may be NULL: a NULL on_term stops the loop, a
 * NULL on_hup only reopens the log file. Returns 0 or a negative errno.
 */
int loop_on_signals(struct loop *loop, loop_fn on_term, loop_fn on_hup, void *arg);

/* Runs the loop until loop_stop() is called. Returns 0 or a negative errno. */
int loop_run(struct loop *loop);

/* Makes loop_run() return after the current callback. Safe from any thread. */
void loop_stop(struct loop *loop);

/* Nonzero when called on the thread currently inside loop_run(). */
int loop_is_loop_thread(const struct loop *loop);

/* Monotonic milliseconds, for timeouts and latency figures. */
long long loop_now_ms(void);

#endif
