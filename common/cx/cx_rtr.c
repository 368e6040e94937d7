/* RTR/RTA codec (TS 29.229 §6.1.9, §6.1.10). */
#include "cx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_rtr_build(const struct cx_rtr *in, struct msg **out)
{
    struct msg *m = NULL;
    struct avp *g = NULL;
    int ret;

    if (!in || !out || !in->user_name || !in->hdr.dest_host || in->reason_code < 0)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_RTR, &in->hdr, &m)) != 0)
        return ret;
    if ((ret = cx__add_str(m, cx__d.user_name, in->user_name)) != 0 ||
        (ret = cx__assoc_ids_add(m, &in->associated_identities)) != 0 ||
        (ret = cx__add_group(m, cx__avp(615), &g)) != 0 ||
        (ret = cx__add_i32(g, cx__avp(616), in->reason_code)) != 0)
        goto err;
    if (in->reason_info && (ret = cx__add_str(g, cx__avp(617), in->reason_info)) != 0)
        goto err;
    if ((ret = cx__add_strlist(m, cx__avp(601), &in->public_identities)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx_rtr_parse(struct msg *msg, struct cx_rtr *out)
{
    int32_t v;
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->reason_code = -1;
    if ((ret = cx__msg_check(msg, CX_CMD_RTR, true)) != 0)
        return ret;
    struct avp *g = cx__avp_first(msg, 615, V3);
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__assoc_ids_parse(msg, &out->associated_identities)) != 0 ||
        (ret = cx__avp_get_strlist(msg, 601, V3, &out->public_identities)) != 0 ||
        (g && (ret = cx__opt(cx__avp_get_str(g, 617, V3, &out->reason_info))) != 0)) {
        cx_rtr_free_fields(out);
        return ret;
    }
    if (g && cx__avp_get_i32(g, 616, V3, &v) == 0)
        out->reason_code = v;
    return 0;
}

int cx_rta_build(struct msg **req, const struct cx_rta *in)
{
    int ret;

    if (!in || !req || cx__msg_check(*req, CX_CMD_RTR, true) != 0)
        return -EINVAL;
    if ((ret = cx__ans_new(req, &in->result)) != 0)
        return ret;
    return cx__assoc_ids_add(*req, &in->associated_identities);
}

int cx_rta_parse(struct msg *msg, struct cx_rta *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_RTR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0 ||
        (ret = cx__assoc_ids_parse(msg, &out->associated_identities)) != 0) {
        cx_rta_free_fields(out);
        return ret;
    }
    return 0;
}

void cx_rtr_free_fields(struct cx_rtr *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    cx_strlist_free(&m->associated_identities);
    cx_strlist_free(&m->public_identities);
    free(m->reason_info);
    memset(m, 0, sizeof(*m));
}

void cx_rta_free_fields(struct cx_rta *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    cx_strlist_free(&m->associated_identities);
    memset(m, 0, sizeof(*m));
}
