/*
 * cx_rtr_ppr.c: HSS-initiated requests to the S-CSCF, sent from the loop
 * thread with the async client: Registration-Termination (TS 29.228 §6.1.3)
 * and Push-Profile (§6.2.2).
 *
 * Each request in flight is remembered in a list under a key (the ctx_id of
 * cx_send_X); the answer callback finds it again by that key.
 */
#include "hss_context.h"
#include "hss_cx.h"
#include "hss_metrics.h"

#include "log/log.h"
#include "loop/loop.h"

#include <stdlib.h>
#include <string.h>

struct pending {
    uint64_t key;
    uint64_t id;
    hss_rtr_done done;
    bool clear; /* RTR: clear the assignment on success */
    char server[STORE_ID_SIZE];
    struct cx_strlist impus;
    struct pending *next;
};

static struct pending *pendings;
static uint64_t next_key = 1;

static struct pending *pending_new(uint64_t id, hss_rtr_done done, bool clear, const char *server)
{
    struct pending *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->key = next_key++;
    p->id = id;
    p->done = done;
    p->clear = clear;
    snprintf(p->server, sizeof(p->server), "%s", server);
    return p;
}

static void pending_free(struct pending *p)
{
    if (!p)
        return;
    cx_strlist_free(&p->impus);
    free(p);
}

/* Removes and returns the entry of key, or NULL. */
static struct pending *pending_take(uint64_t key)
{
    for (struct pending **pp = &pendings; *pp; pp = &(*pp)->next) {
        if ((*pp)->key == key) {
            struct pending *p = *pp;
            *pp = p->next;
            return p;
        }
    }
    return NULL;
}

void hss_cx_pending_free_all(void)
{
    while (pendings) {
        struct pending *p = pendings;
        pendings = p->next;
        pending_free(p);
    }
}

static void finish(struct pending *p, int status, uint32_t code)
{
    if (p->done)
        p->done(p->id, status, code);
    pending_free(p);
}

static uint32_t code_of(const struct cx_result *r)
{
    return r->exp_result ? r->exp_result : r->result_code;
}

static void on_rta(uint64_t key, int status, const struct cx_rta *ans)
{
    struct pending *p = pending_take(key);
    struct store *st = hss_store();
    uint32_t code = ans ? code_of(&ans->result) : 0;

    hss_metrics_answer("RTR", status, ans ? &ans->result : NULL);

    if (!p) {
        log_warn("RTA for an unknown request %llu", (unsigned long long)key);
        return;
    }
    if (status == 0 && ans && cx_result_is_success(&ans->result) && p->clear && st) {
        for (size_t i = 0; i < p->impus.n; i++) {
            struct store_impu rec;
            /* Only what that S-CSCF still holds: a new assignment may have happened. */
            if (store_impu_get(st, p->impus.v[i], &rec) == 0 && strcmp(rec.scscf, p->server) == 0 &&
                store_irs_set_state(st, rec.uri, STORE_NOT_REGISTERED, NULL) != 0)
                log_error("RTA: cannot deregister %s: %s", rec.uri, store_errmsg(st));
        }
    }
    log_info("RTA from %s: status %d, result %u (%s)", p->server, status, code,
             ans ? cx_result_name(code, ans->result.exp_result != 0) : "-");
    finish(p, status, code);
}

static void on_ppa(uint64_t key, int status, const struct cx_ppa *ans)
{
    struct pending *p = pending_take(key);
    uint32_t code = ans ? code_of(&ans->result) : 0;

    hss_metrics_answer("PPR", status, ans ? &ans->result : NULL);

    if (!p) {
        log_warn("PPA for an unknown request %llu", (unsigned long long)key);
        return;
    }
    log_info("PPA from %s: status %d, result %u", p->server, status, code);
    finish(p, status, code);
}

static int send_rtr(const char *impi, const char *const *impus, size_t n, const char *server,
                    int reason_code, const char *reason_info, hss_rtr_done done, uint64_t id,
                    bool clear)
{
    struct hss_context *h = hss_self();
    char host[STORE_ID_SIZE], realm[STORE_ID_SIZE];
    struct cx_rtr rtr = {0};
    struct pending *p = NULL;
    int rc;

    if (!impi || !server || !*server || (n && !impus))
        return -EINVAL;
    rc = hss_scscf_destination(hss_store(), server, host, realm);
    if (rc)
        return rc;
    p = pending_new(id, done, clear, server);
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if ((rc = cx_strlist_add(&p->impus, impus[i])) != 0)
            goto err;
    rtr.hdr.dest_host = host;
    rtr.hdr.dest_realm = realm;
    rtr.user_name = (char *)impi;
    rtr.public_identities = p->impus;
    rtr.reason_code = reason_code;
    rtr.reason_info = (char *)reason_info;
    metrics_ims_cx_request(hss_ims(), "RTR");
    rc = cx_send_rtr(h->loop, &rtr, on_rta, p->key, h->rtr_timeout_ms);
    if (rc)
        goto err;
    p->next = pendings;
    pendings = p;
    log_info("RTR %s (%zu identities, reason %d) sent to %s (%s)", impi, n, reason_code, server,
             host);
    return 0;
err:
    pending_free(p);
    return rc;
}

int hss_send_rtr(const char *impi, const char *const *impus, size_t n, const char *server_name,
                 int reason_code, const char *reason_info, hss_rtr_done done, uint64_t id)
{
    return send_rtr(impi, impus, n, server_name, reason_code, reason_info, done, id, true);
}

int hss_send_ppr(const char *impi, hss_rtr_done done, uint64_t id)
{
    struct hss_context *h = hss_self();
    struct store *st = hss_store();
    struct store_impu *all = NULL, *mine = NULL;
    char host[STORE_ID_SIZE], realm[STORE_ID_SIZE], server[STORE_ID_SIZE] = "";
    struct cx_ppr ppr = {0};
    struct pending *p = NULL;
    char *xml = NULL;
    size_t n = 0, m = 0;
    int rc;

    if (!st)
        return -EIO;
    rc = store_impi_impus(st, impi, &all, &n);
    if (rc)
        return rc == -EINVAL ? -ENOENT : rc;
    mine = calloc(n ? n : 1, sizeof(*mine));
    if (!mine) {
        rc = -ENOMEM;
        goto out;
    }
    /* The implicit sets with an identity served by that S-CSCF go whole, including
     * identities provisioned into them since they registered (TS 29.228 §6.1.3):
     * those are registered with the set. */
    for (size_t i = 0; i < n && !server[0]; i++)
        if (all[i].scscf[0] && all[i].state != STORE_NOT_REGISTERED)
            snprintf(server, sizeof(server), "%s", all[i].scscf);
    for (size_t i = 0; i < n && server[0]; i++) {
        bool served = false;
        for (size_t j = 0; j < n && !served; j++)
            served = all[j].irs_id == all[i].irs_id && all[j].state != STORE_NOT_REGISTERED &&
                     strcmp(all[j].scscf, server) == 0;
        if (!served)
            continue;
        if (all[i].state == STORE_NOT_REGISTERED || strcmp(all[i].scscf, server) != 0) {
            if ((rc = store_irs_set_state(st, all[i].uri, STORE_REGISTERED, server)) != 0)
                goto out;
            all[i].state = STORE_REGISTERED;
            snprintf(all[i].scscf, sizeof(all[i].scscf), "%s", server);
        }
        mine[m++] = all[i];
    }
    if (m == 0) {
        rc = -ENOTCONN;
        goto out;
    }
    if ((rc = hss_scscf_destination(st, server, host, realm)) != 0 ||
        (rc = hss_userdata_build(st, impi, mine, m, &xml)) != 0)
        goto out;
    p = pending_new(id, done, false, server);
    if (!p) {
        rc = -ENOMEM;
        goto out;
    }
    ppr.hdr.dest_host = host;
    ppr.hdr.dest_realm = realm;
    ppr.user_name = (char *)impi;
    ppr.user_data = xml;
    metrics_ims_cx_request(hss_ims(), "PPR");
    rc = cx_send_ppr(h->loop, &ppr, on_ppa, p->key, h->rtr_timeout_ms);
    if (rc) {
        pending_free(p);
        goto out;
    }
    p->next = pendings;
    pendings = p;
    log_info("PPR %s (%zu identities) sent to %s (%s)", impi, m, server, host);
out:
    free(xml);
    free(mine);
    free(all);
    return rc;
}

/* --- RTR to an S-CSCF that lost the user to another one (from a handler thread) --- */

struct old_scscf {
    char impi[STORE_ID_SIZE];
    char impu[STORE_ID_SIZE];
    char server[STORE_ID_SIZE];
};

static void rtr_old_run(void *arg)
{
    struct old_scscf *o = arg;
    struct store_impu *set = NULL;
    const char **uris = NULL;
    size_t n = 0;
    int rc;

    rc = store_irs_impus(hss_store(), o->impu, &set, &n);
    if (rc == 0 && (uris = calloc(n ? n : 1, sizeof(*uris))) != NULL) {
        for (size_t i = 0; i < n; i++)
            uris[i] = set[i].uri;
        rc = send_rtr(o->impi, uris, n, o->server, CX_REASON_NEW_SERVER_ASSIGNED, NULL, NULL, 0,
                      false);
    }
    if (rc)
        log_warn("RTR to the old S-CSCF %s of %s not sent: %s", o->server, o->impu, strerror(-rc));
    free(uris);
    free(set);
    free(o);
}

void hss_rtr_old_scscf(const char *impi, const char *impu, const char *old_scscf)
{
    struct old_scscf *o = calloc(1, sizeof(*o));

    if (!o || !hss_self()->loop)
        goto fail;
    snprintf(o->impi, sizeof(o->impi), "%s", impi);
    snprintf(o->impu, sizeof(o->impu), "%s", impu);
    snprintf(o->server, sizeof(o->server), "%s", old_scscf);
    if (loop_post_owned(hss_self()->loop, rtr_old_run, free, o) == 0)
        return;
fail:
    free(o);
    log_warn("RTR to the old S-CSCF %s of %s not queued", old_scscf, impu);
}
