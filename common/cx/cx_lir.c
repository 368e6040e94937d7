/* LIR/LIA codec (TS 29.229 §6.1.5, §6.1.6). */
#include "cx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_lir_build(const struct cx_lir *in, struct msg **out)
{
    struct msg *m = NULL;
    int ret;

    if (!in || !out || !in->public_identity)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_LIR, &in->hdr, &m)) != 0)
        return ret;
    if (in->originating_request >= 0 &&
        (ret = cx__add_i32(m, cx__avp(633), in->originating_request)) != 0)
        goto err;
    if ((ret = cx__add_str(m, cx__avp(601), in->public_identity)) != 0)
        goto err;
    if (in->auth_type >= 0 && (ret = cx__add_i32(m, cx__avp(623), in->auth_type)) != 0)
        goto err;
    if (in->session_priority >= 0 &&
        (ret = cx__add_i32(m, cx__avp(650), in->session_priority)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx_lir_parse(struct msg *msg, struct cx_lir *out)
{
    int32_t v;
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->originating_request = out->auth_type = out->session_priority = -1;
    if ((ret = cx__msg_check(msg, CX_CMD_LIR, true)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 601, V3, &out->public_identity))) != 0) {
        cx_lir_free_fields(out);
        return ret;
    }
    if (cx__avp_get_i32(msg, 633, V3, &v) == 0)
        out->originating_request = v;
    if (cx__avp_get_i32(msg, 623, V3, &v) == 0)
        out->auth_type = v;
    if (cx__avp_get_i32(msg, 650, V3, &v) == 0)
        out->session_priority = v;
    return 0;
}

int cx_lia_build(struct msg **req, const struct cx_lia *in)
{
    int ret;

    if (!in || !req || cx__msg_check(*req, CX_CMD_LIR, true) != 0)
        return -EINVAL;
    if ((ret = cx__ans_new(req, &in->result)) != 0)
        return ret;
    if (in->server_name && (ret = cx__add_str(*req, cx__avp(602), in->server_name)) != 0)
        return ret;
    if ((ret = cx__caps_add(*req, &in->caps)) != 0)
        return ret;
    if (in->wildcarded_public_identity &&
        (ret = cx__add_str(*req, cx__avp(634), in->wildcarded_public_identity)) != 0)
        return ret;
    if (in->has_lia_flags && (ret = cx__add_u32(*req, cx__avp(653), in->lia_flags)) != 0)
        return ret;
    return 0;
}

int cx_lia_parse(struct msg *msg, struct cx_lia *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_LIR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 602, V3, &out->server_name))) != 0 ||
        (ret = cx__caps_parse(msg, &out->caps)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 634, V3, &out->wildcarded_public_identity))) != 0) {
        cx_lia_free_fields(out);
        return ret;
    }
    out->has_lia_flags = cx__avp_get_u32(msg, 653, V3, &out->lia_flags) == 0;
    return 0;
}

void cx_lir_free_fields(struct cx_lir *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->public_identity);
    memset(m, 0, sizeof(*m));
}

void cx_lia_free_fields(struct cx_lia *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->server_name);
    cx__caps_free(&m->caps);
    free(m->wildcarded_public_identity);
    memset(m, 0, sizeof(*m));
}
