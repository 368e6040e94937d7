/*
 * imsua: the "register" command. Registers one UE; with --subscribe it then
 * subscribes to its own reg event and prints every NOTIFY until the
 * subscription ends; with --stay it re-registers at half the granted expiry
 * and de-registers on SIGINT/SIGTERM.
 */
#include "log/log.h"
#include "loop/loop.h"
#include "ua_ue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds the UE asks for its reg-event subscription (TS 24.229 §5.1.1.3: 600000 allowed). */
#define UA_SUB_EXPIRES 600

struct run {
    const struct ua_opts *o;
    struct loop *loop;
    struct ua_net *net;
    struct ua_ue ue;
    struct ua_sub sub;
    bool sub_used;
    bool registered_once;
    bool stopping;   /* SIGINT/SIGTERM seen */
    bool failed_sub; /* de-registering because the subscription failed */
    int exit_after;  /* exit code to use once the de-registration is done */
    struct event *reg_timer;
    struct event *sub_timer;
    struct event *wait_timer;
    int result;
    bool done;
};

static void finish(struct run *r, int code)
{
    if (r->done)
        return;
    r->done = true;
    r->result = code;
    loop_stop(r->loop);
}

static void arm_s(struct event *ev, uint32_t seconds)
{
    struct timeval tv = {.tv_sec = seconds ? seconds : 1, .tv_usec = 0};
    evtimer_add(ev, &tv);
}

static void arm_ms(struct event *ev, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(ev, &tv);
}

static bool sub_is_live(const struct run *r)
{
    return r->sub_used && r->sub.state != UA_SUB_TERMINATED && r->sub.state != UA_SUB_NONE;
}

/* Starts the de-registration (--stay) or, without it, what ends the run. */
static void deregister(struct run *r)
{
    evtimer_del(r->reg_timer);
    evtimer_del(r->sub_timer);
    int rc = ua_ue_register(&r->ue, 0);
    if (rc < 0) {
        fprintf(stderr, "no answer from P-CSCF %s:%d (cannot send: %s)\n", r->o->proxy_host,
                r->o->proxy_port, strerror(-rc));
        finish(r, UA_EXIT_TIMEOUT);
    }
}

static void on_reg(struct ua_ue *ue, int code, const char *cause)
{
    struct run *r = ue->arg;
    const char *impu = ue->cred->impu;

    if (code != UA_EXIT_OK) {
        fprintf(stderr, "%s\n", cause);
        finish(r, code);
        return;
    }
    if (ue->state == UA_REG_DEREGISTERED) {
        printf("deregistered %s\n", impu);
        fflush(stdout);
        if (sub_is_live(r)) {
            /* the S-CSCF ends the subscription with a terminated NOTIFY (RFC 3680 §5.2) */
            arm_ms(r->wait_timer, r->o->timeout_ms);
            return;
        }
        finish(r, r->exit_after);
        return;
    }
    printf("%s %s (expires %u)\n", r->registered_once ? "re-registered" : "registered", impu,
           ue->granted);
    fflush(stdout);
    bool first = !r->registered_once;
    r->registered_once = true;
    if (r->stopping) {
        if (r->o->stay)
            deregister(r);
        else
            finish(r, UA_EXIT_OK);
        return;
    }
    if (r->o->stay)
        arm_s(r->reg_timer, ue->granted / 2);
    if (first && r->o->subscribe) {
        int rc = ua_sub_send(&r->sub, UA_SUB_EXPIRES);
        if (rc < 0) {
            fprintf(stderr, "cannot send SUBSCRIBE: %s\n", strerror(-rc));
            finish(r, UA_EXIT_TIMEOUT);
            return;
        }
        r->sub_used = true;
        return;
    }
    if (!r->o->stay && !r->o->subscribe)
        finish(r, UA_EXIT_OK);
}

static void on_sub(struct ua_sub *s, enum ua_sub_event ev, const char *cause)
{
    struct run *r = s->arg;
    switch (ev) {
    case UA_SUB_EV_ACCEPTED:
        if (s->expires == 0)
            return; /* our unsubscription: the terminated NOTIFY follows */
        printf("subscribed reg %s (expires %u)\n", r->ue.cred->impu, s->expires);
        fflush(stdout);
        if (!r->stopping)
            arm_s(r->sub_timer, s->expires / 2);
        return;
    case UA_SUB_EV_NOTIFY:
        return;
    case UA_SUB_EV_FAILED:
        fprintf(stderr, "%s\n", cause);
        if (r->ue.state == UA_REG_DEREGISTERED || r->ue.state == UA_REG_DEREGISTERING) {
            if (r->ue.state == UA_REG_DEREGISTERED)
                finish(r, r->exit_after);
            return;
        }
        if (r->o->stay && r->ue.state == UA_REG_REGISTERED) {
            /* leave the network clean, then report the failure */
            r->exit_after = strstr(cause, "no answer") ? UA_EXIT_TIMEOUT : UA_EXIT_REJECT;
            r->failed_sub = true;
            deregister(r);
            return;
        }
        finish(r, strstr(cause, "no answer") ? UA_EXIT_TIMEOUT : UA_EXIT_REJECT);
        return;
    case UA_SUB_EV_TERMINATED:
        printf("subscription terminated (reason %s)\n", cause);
        fflush(stdout);
        evtimer_del(r->sub_timer);
        evtimer_del(r->wait_timer);
        if (r->ue.state == UA_REG_DEREGISTERING)
            return; /* finish when the 200 to the de-REGISTER arrives */
        evtimer_del(r->reg_timer);
        finish(r, r->exit_after);
        return;
    }
}

static void on_reg_timer(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    (void)fd;
    (void)what;
    int rc = ua_ue_register(&r->ue, r->o->expires);
    if (rc < 0) {
        fprintf(stderr, "cannot send REGISTER: %s\n", strerror(-rc));
        finish(r, UA_EXIT_TIMEOUT);
    }
}

static void on_sub_timer(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    (void)fd;
    (void)what;
    if (sub_is_live(r) && ua_sub_send(&r->sub, UA_SUB_EXPIRES) < 0)
        fprintf(stderr, "cannot refresh the subscription\n");
}

static void on_wait_timer(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    (void)fd;
    (void)what;
    /* The registration (or subscription) did end: only the last NOTIFY is missing. */
    fprintf(stderr, "warning: no terminated NOTIFY within %d ms\n", r->o->timeout_ms);
    finish(r, r->exit_after);
}

static void on_term(void *arg)
{
    struct run *r = arg;
    if (r->stopping) {
        fprintf(stderr, "interrupted again: exiting now\n");
        finish(r, r->exit_after);
        return;
    }
    r->stopping = true;
    if (!r->registered_once) {
        fprintf(stderr, "interrupted before the registration completed\n");
        finish(r, UA_EXIT_TIMEOUT);
        return;
    }
    if (r->o->stay) {
        if (r->ue.state == UA_REG_REGISTERED)
            deregister(r);
        /* else a re-registration is in flight: on_reg de-registers after it */
        return;
    }
    if (sub_is_live(r) && r->sub.dialog) {
        evtimer_del(r->sub_timer);
        if (ua_sub_send(&r->sub, 0) == 0) {
            arm_ms(r->wait_timer, r->o->timeout_ms);
            return;
        }
    }
    finish(r, UA_EXIT_OK);
}

static bool on_request(void *arg, const osip_message_t *req, const struct tp_msg_info *info)
{
    struct run *r = arg;
    return r->sub_used && ua_sub_on_request(&r->sub, req, info);
}

int ua_register_run(const struct ua_opts *o)
{
    struct run r = {.o = o, .result = UA_EXIT_TIMEOUT};
    bool ue_ok = false, sub_ok = false;
    int rc;

    if ((rc = loop_new(&r.loop)) < 0)
        goto out;
    if ((rc = ua_net_new(r.loop, o, &r.net)) < 0) {
        r.result = UA_EXIT_USAGE;
        goto out;
    }
    ua_net_on_request(r.net, on_request, &r);
    if ((rc = ua_ue_init(&r.ue, r.net, &o->cred, "ue", o->security_client, o->sqn_ms, on_reg, &r)) <
        0)
        goto out;
    ue_ok = true;
    r.ue.verbose = true;
    if ((rc = ua_sub_init(&r.sub, &r.ue, on_sub, &r)) < 0)
        goto out;
    sub_ok = true;
    r.reg_timer = evtimer_new(loop_base(r.loop), on_reg_timer, &r);
    r.sub_timer = evtimer_new(loop_base(r.loop), on_sub_timer, &r);
    r.wait_timer = evtimer_new(loop_base(r.loop), on_wait_timer, &r);
    if (!r.reg_timer || !r.sub_timer || !r.wait_timer) {
        rc = -ENOMEM;
        goto out;
    }
    if ((rc = loop_on_signals(r.loop, on_term, NULL, &r)) < 0)
        goto out;
    if ((rc = ua_ue_register(&r.ue, o->expires)) < 0) {
        fprintf(stderr, "no answer from P-CSCF %s:%d (%s)\n", o->proxy_host, o->proxy_port,
                strerror(-rc));
        r.result = UA_EXIT_TIMEOUT;
        rc = 0;
        goto out;
    }
    loop_run(r.loop);
    rc = 0;
out:
    if (rc < 0 && r.result != UA_EXIT_USAGE)
        fprintf(stderr, "imsua: %s\n", strerror(-rc));
    if (r.reg_timer)
        event_free(r.reg_timer);
    if (r.sub_timer)
        event_free(r.sub_timer);
    if (r.wait_timer)
        event_free(r.wait_timer);
    if (sub_ok)
        ua_sub_fini(&r.sub);
    if (ue_ok)
        ua_ue_fini(&r.ue);
    ua_net_free(r.net);
    loop_free(r.loop);
    return r.result;
}
