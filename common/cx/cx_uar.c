/* UAR/UAA codec (TS 29.229 §6.1.1, §6.1.2). */
#include "cx_internal.h"

#include <errno.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_uar_build(const struct cx_uar *in, struct msg **out)
{
    struct msg *m = NULL;
    int ret;

    if (!in || !out || !in->user_name || !in->public_identity || !in->visited_network_id.data)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_UAR, &in->hdr, &m)) != 0)
        return ret;
    if ((ret = cx__add_str(m, cx__d.user_name, in->user_name)) != 0 ||
        (ret = cx__features_add(m, &in->features)) != 0 ||
        (ret = cx__add_str(m, cx__avp(601), in->public_identity)) != 0 ||
        (ret = cx__add_bytes(m, cx__avp(600), in->visited_network_id.data,
                             in->visited_network_id.len)) != 0)
        goto err;
    if (in->auth_type >= 0 && (ret = cx__add_i32(m, cx__avp(623), in->auth_type)) != 0)
        goto err;
    if (in->has_uar_flags && (ret = cx__add_u32(m, cx__avp(637), in->uar_flags)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx_uar_parse(struct msg *msg, struct cx_uar *out)
{
    int32_t v;
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->auth_type = -1;
    if ((ret = cx__msg_check(msg, CX_CMD_UAR, true)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 601, V3, &out->public_identity))) != 0 ||
        (ret = cx__opt(cx__avp_get_bytes(msg, 600, V3, &out->visited_network_id))) != 0 ||
        (ret = cx__features_parse(msg, &out->features)) != 0)
        goto err;
    if (cx__avp_get_i32(msg, 623, V3, &v) == 0)
        out->auth_type = v;
    out->has_uar_flags = cx__avp_get_u32(msg, 637, V3, &out->uar_flags) == 0;
    return 0;
err:
    cx_uar_free_fields(out);
    return ret;
}

int cx_uaa_build(struct msg **req, const struct cx_uaa *in)
{
    int ret;

    if (!in || !req || cx__msg_check(*req, CX_CMD_UAR, true) != 0)
        return -EINVAL;
    if ((ret = cx__ans_new(req, &in->result)) != 0)
        return ret;
    if (in->server_name && (ret = cx__add_str(*req, cx__avp(602), in->server_name)) != 0)
        return ret;
    if ((ret = cx__caps_add(*req, &in->caps)) != 0)
        return ret;
    return cx__features_add(*req, &in->features);
}

int cx_uaa_parse(struct msg *msg, struct cx_uaa *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_UAR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 602, V3, &out->server_name))) != 0 ||
        (ret = cx__caps_parse(msg, &out->caps)) != 0 ||
        (ret = cx__features_parse(msg, &out->features)) != 0) {
        cx_uaa_free_fields(out);
        return ret;
    }
    return 0;
}

void cx_uar_free_fields(struct cx_uar *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    free(m->public_identity);
    free(m->visited_network_id.data);
    memset(m, 0, sizeof(*m));
}

void cx_uaa_free_fields(struct cx_uaa *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->server_name);
    cx__caps_free(&m->caps);
    memset(m, 0, sizeof(*m));
}
