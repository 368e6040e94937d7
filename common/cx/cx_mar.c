/* MAR/MAA codec (TS 29.229 §6.1.7, §6.1.8). */
#include "cx_internal.h"

#include <errno.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_mar_build(const struct cx_mar *in, struct msg **out)
{
    struct msg *m = NULL;
    int ret;

    if (!in || !out || !in->user_name || !in->public_identity || !in->server_name)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_MAR, &in->hdr, &m)) != 0)
        return ret;
    if ((ret = cx__add_str(m, cx__d.user_name, in->user_name)) != 0 ||
        (ret = cx__add_str(m, cx__avp(601), in->public_identity)) != 0 ||
        (ret = cx__add_u32(m, cx__avp(607), in->num_auth_items)) != 0 ||
        (ret = cx__auth_item_add(m, &in->auth)) != 0 ||
        (ret = cx__add_str(m, cx__avp(602), in->server_name)) != 0) {
        fd_msg_free(m);
        return ret;
    }
    *out = m;
    return 0;
}

int cx_mar_parse(struct msg *msg, struct cx_mar *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_MAR, true)) != 0)
        return ret;
    struct avp *item = cx__avp_first(msg, 612, V3);
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 601, V3, &out->public_identity))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 602, V3, &out->server_name))) != 0 ||
        (item && (ret = cx__auth_item_parse(item, &out->auth)) != 0)) {
        cx_mar_free_fields(out);
        return ret;
    }
    cx__avp_get_u32(msg, 607, V3, &out->num_auth_items);
    return 0;
}

int cx_maa_build(struct msg **req, const struct cx_maa *in)
{
    int ret;

    if (!in || !req || in->n_items > CX_MAX_AUTH_ITEMS || cx__msg_check(*req, CX_CMD_MAR, true))
        return -EINVAL;
    if ((ret = cx__ans_new(req, &in->result)) != 0)
        return ret;
    if (in->user_name && (ret = cx__add_str(*req, cx__d.user_name, in->user_name)) != 0)
        return ret;
    if (in->public_identity && (ret = cx__add_str(*req, cx__avp(601), in->public_identity)) != 0)
        return ret;
    if (in->has_num_auth_items && (ret = cx__add_u32(*req, cx__avp(607), in->num_auth_items)) != 0)
        return ret;
    for (size_t i = 0; i < in->n_items; i++)
        if ((ret = cx__auth_item_add(*req, &in->items[i])) != 0)
            return ret;
    return 0;
}

int cx_maa_parse(struct msg *msg, struct cx_maa *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_MAR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 601, V3, &out->public_identity))) != 0)
        goto err;
    out->has_num_auth_items = cx__avp_get_u32(msg, 607, V3, &out->num_auth_items) == 0;
    for (struct avp *a = cx__avp_first(msg, 612, V3); a && out->n_items < CX_MAX_AUTH_ITEMS;
         a = cx__avp_next(a, 612, V3)) {
        if ((ret = cx__auth_item_parse(a, &out->items[out->n_items++])) != 0)
            goto err;
    }
    return 0;
err:
    cx_maa_free_fields(out);
    return ret;
}

void cx_mar_free_fields(struct cx_mar *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    free(m->public_identity);
    free(m->server_name);
    cx_auth_item_free_fields(&m->auth);
    memset(m, 0, sizeof(*m));
}

void cx_maa_free_fields(struct cx_maa *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    free(m->public_identity);
    for (size_t i = 0; i < CX_MAX_AUTH_ITEMS; i++)
        cx_auth_item_free_fields(&m->items[i]);
    memset(m, 0, sizeof(*m));
}
