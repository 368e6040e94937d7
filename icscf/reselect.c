/*
 * reselect.c: S-CSCF re-selection for a REGISTER (TS 24.229 §5.3.1.3, TS
 * 29.228 §6.1.1). The I-CSCF sent the REGISTER to the S-CSCF the HSS named in
 * its UAA, without Server-Capabilities; that S-CSCF gave no final answer in
 * time, failed at the transport or answered 5xx. The I-CSCF then sends a UAR
 * with User-Authorization-Type REGISTRATION_AND_CAPABILITIES, and on the UAA
 * chooses another capable S-CSCF of its configuration (never the one that
 * failed) through cx_route.c. Each pending re-selection is kept here by the
 * server transaction's id with the failed Server-Name; at most one per
 * REGISTER transaction, so a re-selection never starts another.
 */
#include "icscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "txn/txn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reselection {
    struct reselection *next;
    uint64_t st_id;
    char failed[sizeof(((struct icscf_scscf *)0)->name)];
};

static struct reselection *pending;

static struct reselection *find(uint64_t st_id)
{
    for (struct reselection *r = pending; r; r = r->next)
        if (r->st_id == st_id)
            return r;
    return NULL;
}

static void unlink_free(struct reselection *r)
{
    for (struct reselection **p = &pending; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    free(r);
}

int icscf_reselect_start(struct txn_server *st, const char *failed)
{
    const osip_message_t *req = st ? txn_server_request(st) : NULL;
    struct icscf_reg_ids ids;
    struct icscf_reply rep;
    struct reselection *r = NULL;
    uint64_t id;
    int rc;

    if (!req || !failed || !sip_msg_is_method(req, "REGISTER"))
        return -EPERM;
    id = txn_server_id(st);
    if (find(id))
        return -EPERM;
    if (icscf_register_ids(req, &ids, &rep) != 0)
        return -EINVAL; /* was readable for the first UAR: cannot happen */
    if (ids.deregistration) {
        log_info("icscf: de-registration of %s: the S-CSCF failed, no re-selection", ids.impu);
        return -EPERM;
    }
    r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->st_id = id;
    snprintf(r->failed, sizeof(r->failed), "%s", failed);
    /* Listed before sending: the callback looks it up on the loop, after we return. */
    r->next = pending;
    pending = r;
    rc = icscf_cx_uar_send(st, &ids, CX_UAT_REGISTRATION_AND_CAPABILITIES);
    if (rc) {
        unlink_free(r);
        return rc;
    }
    log_notice("icscf: %s: S-CSCF %s failed: re-selecting with REGISTRATION_AND_CAPABILITIES",
               ids.impu, failed);
    return 0;
}

void icscf_reselect_on_uaa(uint64_t st_id, int status, const struct cx_uaa *ans)
{
    struct reselection *r = find(st_id);
    char failed[sizeof(r->failed)];

    if (!r) {
        log_info("icscf: UAA (capabilities) for a re-selection that is gone (id %llu)",
                 (unsigned long long)st_id);
        return;
    }
    memcpy(failed, r->failed, sizeof(failed));
    unlink_free(r);
    icscf_cx_route_answer(st_id, false, status, ans ? &ans->result : NULL,
                          ans ? ans->server_name : NULL, ans ? &ans->caps : NULL, failed);
    log_trace_set(NULL); /* set from the request by icscf_cx_route_answer() */
}

void icscf_reselect_free_all(void)
{
    while (pending)
        unlink_free(pending);
}
