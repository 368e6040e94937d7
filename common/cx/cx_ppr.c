/* PPR/PPA codec (TS 29.229 §6.1.11, §6.1.12). */
#include "cx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_ppr_build(const struct cx_ppr *in, struct msg **out)
{
    struct msg *m = NULL;
    int ret;

    if (!in || !out || !in->user_name || !in->hdr.dest_host)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_PPR, &in->hdr, &m)) != 0)
        return ret;
    if ((ret = cx__add_str(m, cx__d.user_name, in->user_name)) != 0)
        goto err;
    if (in->user_data && (ret = cx__add_str(m, cx__avp(606), in->user_data)) != 0)
        goto err;
    if ((ret = cx__charging_add(m, &in->charging)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx_ppr_parse(struct msg *msg, struct cx_ppr *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_PPR, true)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 606, V3, &out->user_data))) != 0 ||
        (ret = cx__charging_parse(msg, &out->charging)) != 0) {
        cx_ppr_free_fields(out);
        return ret;
    }
    return 0;
}

int cx_ppa_build(struct msg **req, const struct cx_ppa *in)
{
    if (!in || !req || cx__msg_check(*req, CX_CMD_PPR, true) != 0)
        return -EINVAL;
    return cx__ans_new(req, &in->result);
}

int cx_ppa_parse(struct msg *msg, struct cx_ppa *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_PPR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0) {
        cx_ppa_free_fields(out);
        return ret;
    }
    return 0;
}

void cx_ppr_free_fields(struct cx_ppr *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    free(m->user_data);
    cx__charging_free(&m->charging);
    memset(m, 0, sizeof(*m));
}

void cx_ppa_free_fields(struct cx_ppa *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    memset(m, 0, sizeof(*m));
}
