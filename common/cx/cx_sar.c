/* SAR/SAA codec (TS 29.229 §6.1.3, §6.1.4). */
#include "cx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

int cx_sar_build(const struct cx_sar *in, struct msg **out)
{
    struct msg *m = NULL;
    int ret;

    if (!in || !out || !in->server_name || in->server_assignment_type < 0 ||
        in->user_data_already_available < 0)
        return -EINVAL;
    if ((ret = cx__req_new(CX_CMD_SAR, &in->hdr, &m)) != 0)
        return ret;
    if (in->user_name && (ret = cx__add_str(m, cx__d.user_name, in->user_name)) != 0)
        goto err;
    if ((ret = cx__features_add(m, &in->features)) != 0 ||
        (ret = cx__add_strlist(m, cx__avp(601), &in->public_identities)) != 0 ||
        (ret = cx__add_str(m, cx__avp(602), in->server_name)) != 0 ||
        (ret = cx__add_i32(m, cx__avp(614), in->server_assignment_type)) != 0 ||
        (ret = cx__add_i32(m, cx__avp(624), in->user_data_already_available)) != 0)
        goto err;
    if (in->wildcarded_public_identity &&
        (ret = cx__add_str(m, cx__avp(634), in->wildcarded_public_identity)) != 0)
        goto err;
    if (in->has_sar_flags && (ret = cx__add_u32(m, cx__avp(655), in->sar_flags)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx_sar_parse(struct msg *msg, struct cx_sar *out)
{
    int32_t v;
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->server_assignment_type = -1;
    out->user_data_already_available = -1;
    if ((ret = cx__msg_check(msg, CX_CMD_SAR, true)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__avp_get_strlist(msg, 601, V3, &out->public_identities)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 634, V3, &out->wildcarded_public_identity))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 602, V3, &out->server_name))) != 0 ||
        (ret = cx__features_parse(msg, &out->features)) != 0) {
        cx_sar_free_fields(out);
        return ret;
    }
    if (cx__avp_get_i32(msg, 614, V3, &v) == 0)
        out->server_assignment_type = v;
    if (cx__avp_get_i32(msg, 624, V3, &v) == 0)
        out->user_data_already_available = v;
    out->has_sar_flags = cx__avp_get_u32(msg, 655, V3, &out->sar_flags) == 0;
    return 0;
}

int cx_saa_build(struct msg **req, const struct cx_saa *in)
{
    int ret;

    if (!in || !req || cx__msg_check(*req, CX_CMD_SAR, true) != 0)
        return -EINVAL;
    if ((ret = cx__ans_new(req, &in->result)) != 0)
        return ret;
    if (in->user_name && (ret = cx__add_str(*req, cx__d.user_name, in->user_name)) != 0)
        return ret;
    if (in->user_data && (ret = cx__add_str(*req, cx__avp(606), in->user_data)) != 0)
        return ret;
    if ((ret = cx__charging_add(*req, &in->charging)) != 0 ||
        (ret = cx__assoc_ids_add(*req, &in->associated_identities)) != 0 ||
        (ret = cx__features_add(*req, &in->features)) != 0)
        return ret;
    if (in->server_name && (ret = cx__add_str(*req, cx__avp(602), in->server_name)) != 0)
        return ret;
    return 0;
}

int cx_saa_parse(struct msg *msg, struct cx_saa *out)
{
    int ret;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((ret = cx__msg_check(msg, CX_CMD_SAR, false)) != 0)
        return ret;
    if ((ret = cx__hdr_parse(msg, &out->hdr)) != 0 ||
        (ret = cx__result_parse(msg, &out->result)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 1, 0, &out->user_name))) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 606, V3, &out->user_data))) != 0 ||
        (ret = cx__charging_parse(msg, &out->charging)) != 0 ||
        (ret = cx__assoc_ids_parse(msg, &out->associated_identities)) != 0 ||
        (ret = cx__opt(cx__avp_get_str(msg, 602, V3, &out->server_name))) != 0 ||
        (ret = cx__features_parse(msg, &out->features)) != 0) {
        cx_saa_free_fields(out);
        return ret;
    }
    return 0;
}

void cx_sar_free_fields(struct cx_sar *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    cx_strlist_free(&m->public_identities);
    free(m->wildcarded_public_identity);
    free(m->server_name);
    memset(m, 0, sizeof(*m));
}

void cx_saa_free_fields(struct cx_saa *m)
{
    if (!m)
        return;
    cx__hdr_free(&m->hdr);
    free(m->user_name);
    free(m->user_data);
    cx__charging_free(&m->charging);
    cx_strlist_free(&m->associated_identities);
    free(m->server_name);
    memset(m, 0, sizeof(*m));
}
