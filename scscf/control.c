/*
 * control.c: `imsctl reg list|show` on the S-CSCF's control socket (see
 * control.h). Runs on the loop thread; reads the registration records and
 * subscriptions, never changes them.
 */
#include "control.h"
#include "reg_event.h"
#include "regs.h"
#include "scscf_context.h"

#include "cfg/cfg.h"
#include "ctl/ctl.h"
#include "log/log.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static struct ctl_server *ctl_srv;

static const char *state_name(enum scscf_reg_state st)
{
    return st == SCSCF_REG_REGISTERED ? "registered" : "not_registered";
}

static const char *const event_names[] = {
    "registered",  "created",   "refreshed",    "shortened", "expired",
    "deactivated", "probation", "unregistered", "rejected",
};

static const char *event_name(enum scscf_contact_event ev)
{
    if (ev < 0 || (size_t)ev >= sizeof(event_names) / sizeof(event_names[0]))
        return "";
    return event_names[ev];
}

/* Adds key=<v[0],v[1],...>. Returns 0 or a negative errno. */
static int field_list(uint64_t conn, const char *key, char *const *v, size_t n)
{
    size_t len = 1;
    char *buf, *p;
    int rc;

    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    buf = malloc(len);
    if (!buf)
        return -ENOMEM;
    p = buf;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        if (i)
            *p++ = ',';
        memcpy(p, v[i], l + 1);
        p += l;
    }
    rc = ctl_field_str(conn, key, buf);
    free(buf);
    return rc;
}

/* Seconds until the earliest active contact of r expires, or -1 when none is active. */
static int64_t earliest_expiry(const struct scscf_reg *r, int64_t now)
{
    int64_t best = -1;

    for (size_t i = 0; i < r->n_contacts; i++) {
        const struct scscf_contact *c = &r->contacts[i];
        int64_t left = c->expires_at > now ? c->expires_at - now : 0;
        if (c->active && (best < 0 || left < best))
            best = left;
    }
    return best;
}

static void reg_record(uint64_t conn, const struct scscf_reg *r, int64_t now, bool full)
{
    int64_t left = earliest_expiry(r, now);

    ctl_record(conn, "REG");
    ctl_field_int(conn, "id", (long long)r->id);
    ctl_field_str(conn, "impi", r->impi);
    ctl_field_str(conn, "state", state_name(r->state));
    field_list(conn, "impus", r->impus, r->n_impus);
    if (full)
        field_list(conn, "barred", r->barred, r->n_barred);
    ctl_field_int(conn, "contacts", (long long)regs_active_contacts(r));
    if (left >= 0)
        ctl_field_int(conn, "expires_in", (long long)left);
    else
        ctl_field_str(conn, "expires_in", "");
    ctl_record_end(conn);
}

static void contact_record(uint64_t conn, const struct scscf_contact *c, int64_t now)
{
    ctl_record(conn, "CONTACT");
    ctl_field_int(conn, "id", c->id);
    ctl_field_str(conn, "uri", c->uri);
    ctl_field_str(conn, "state", c->active ? "active" : "terminated");
    ctl_field_str(conn, "event", event_name(c->event));
    ctl_field_str(conn, "params", c->params);
    ctl_field_int(conn, "expires_in", c->expires_at > now ? (long long)(c->expires_at - now) : 0);
    ctl_field_str(conn, "path", c->path);
    ctl_field_str(conn, "call_id", c->call_id);
    ctl_field_int(conn, "cseq", c->cseq);
    ctl_field_str(conn, "received", c->received);
    ctl_field_str(conn, "instance", c->instance);
    if (c->instance)
        ctl_field_int(conn, "reg_id", c->reg_id);
    else
        ctl_field_str(conn, "reg_id", "");
    ctl_field_int(conn, "registered_for",
                  now > c->registered_at ? (long long)(now - c->registered_at) : 0);
    ctl_record_end(conn);
}

struct sub_walk {
    uint64_t conn;
    int64_t now;
};

static void sub_record(void *arg, const struct scscf_reg_event_view *v)
{
    const struct sub_walk *w = arg;

    ctl_record(w->conn, "SUB");
    ctl_field_int(w->conn, "id", (long long)v->id);
    ctl_field_str(w->conn, "impu", v->impu);
    ctl_field_str(w->conn, "subscriber", v->subscriber);
    ctl_field_str(w->conn, "target", v->target);
    ctl_field_str(w->conn, "call_id", v->call_id);
    ctl_field_int(w->conn, "expires_in",
                  v->expires_at > w->now ? (long long)(v->expires_at - w->now) : 0);
    ctl_field_int(w->conn, "version", v->version);
    ctl_field_str(w->conn, "pending", v->ending ? "final_notify" : v->pending ? "notify" : "");
    ctl_record_end(w->conn);
}

static void handle_list(uint64_t conn)
{
    int64_t now = scscf_now();

    for (const struct scscf_reg *r = regs_first(); r; r = r->next)
        reg_record(conn, r, now, false);
    ctl_reply(conn, "OK");
}

static void handle_show(uint64_t conn, const char *id)
{
    const struct scscf_reg *r = regs_find_impu(id);
    struct sub_walk w = {.conn = conn, .now = scscf_now()};

    if (!r)
        r = regs_find(id, NULL);
    if (!r) {
        ctl_fail(conn, "no registration record for that identity");
        return;
    }
    reg_record(conn, r, w.now, true);
    for (size_t i = 0; i < r->n_contacts; i++)
        contact_record(conn, &r->contacts[i], w.now);
    scscf_reg_event_foreach(r, sub_record, &w);
    ctl_reply(conn, "OK");
}

/* One request of `imsctl reg` (ctl_handler_fn). */
static void on_request(void *arg, uint64_t conn, char *line)
{
    char *f[3];
    size_t n = ctl_split(line, f, 3);

    if (n == 1 && strcmp(f[0], "list") == 0) {
        log_debug("control: reg list");
        handle_list(conn);
    } else if (n == 2 && strcmp(f[0], "show") == 0 && *f[1]) {
        log_debug("control: reg show %s", f[1]);
        handle_show(conn, f[1]);
    } else {
        ctl_fail(conn, "unknown request (list, show IMPU)");
        return;
    }
    ctl_end(conn);
}

int scscf_control_start(struct loop *loop)
{
    struct scscf_context *s = scscf_self();
    char path[PATH_MAX];
    int rc = cfg_path_join(path, sizeof(path), s->state_dir, cfg_str(s->cfg, "control.socket"));

    if (rc) {
        log_error("scscf: bad control.socket path: %s", strerror(-rc));
        return rc;
    }
    return ctl_server_start(loop, "scscf", path, on_request, NULL, &ctl_srv);
}

void scscf_control_stop(void)
{
    ctl_server_stop(&ctl_srv);
}
