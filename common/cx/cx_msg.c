/*
 * Codec pieces shared by all Cx commands: request and answer skeletons,
 * routing header, result, and the grouped AVPs used by several commands.
 */
#include "cx_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

static int add_vsai_and_state(struct msg *m)
{
    struct avp *g = NULL;
    int ret;
    if ((ret = cx__add_group(m, cx__d.vsai, &g)) != 0 ||
        (ret = cx__add_u32(g, cx__d.vendor_id, CX_VENDOR_3GPP)) != 0 ||
        (ret = cx__add_u32(g, cx__d.auth_app_id, CX_APP_ID)) != 0)
        return ret;
    return cx__add_i32(m, cx__d.auth_session_state, 1 /* NO_STATE_MAINTAINED */);
}

int cx__req_new(uint32_t code, const struct cx_hdr *hdr, struct msg **out)
{
    struct msg *m = NULL;
    struct avp *sid = NULL;
    int idx = cx__cmd_index(code);
    int ret;

    if (idx < 0 || !hdr || !hdr->dest_realm || !out)
        return -EINVAL;
    if (!cx__is_initialised())
        return -ENOTCONN;
    if ((ret = fd_msg_new(cx__d.req[idx], MSGFL_ALLOC_ETEID, &m)) != 0)
        return -ret;
    if (hdr->session_id) {
        union avp_value v = {
            .os = {.data = (uint8_t *)hdr->session_id, .len = strlen(hdr->session_id)}};
        if ((ret = fd_msg_avp_new(cx__d.session_id, 0, &sid)) != 0 ||
            (ret = fd_msg_avp_setvalue(sid, &v)) != 0 ||
            (ret = fd_msg_avp_add(m, MSG_BRW_FIRST_CHILD, sid)) != 0) {
            if (sid)
                fd_msg_free(sid);
            ret = -ret;
            goto err;
        }
    } else if ((ret = fd_msg_new_session(m, (os0_t) "cx", 2)) != 0) {
        ret = -ret;
        goto err;
    }
    if ((ret = add_vsai_and_state(m)) != 0)
        goto err;
    if ((ret = fd_msg_add_origin(m, 0)) != 0) {
        ret = -ret;
        goto err;
    }
    if (hdr->dest_host && (ret = cx__add_str(m, cx__d.dest_host, hdr->dest_host)) != 0)
        goto err;
    if ((ret = cx__add_str(m, cx__d.dest_realm, hdr->dest_realm)) != 0)
        goto err;
    *out = m;
    return 0;
err:
    fd_msg_free(m);
    return ret;
}

int cx__ans_new(struct msg **req, const struct cx_result *res)
{
    struct msg_hdr *h = NULL;
    struct avp *g = NULL;
    int ret;

    if (!req || !*req || !res || (!res->result_code && !res->exp_result))
        return -EINVAL;
    if ((ret = fd_msg_new_answer_from_req(fd_g_config->cnf_dict, req, 0)) != 0)
        return -ret;
    if ((ret = add_vsai_and_state(*req)) != 0)
        return ret;
    if (res->exp_result) {
        if ((ret = cx__add_group(*req, cx__d.exp_result, &g)) != 0 ||
            (ret = cx__add_u32(g, cx__d.vendor_id, CX_VENDOR_3GPP)) != 0 ||
            (ret = cx__add_u32(g, cx__d.exp_result_code, res->exp_result)) != 0)
            return ret;
    } else if ((ret = cx__add_u32(*req, cx__d.result_code, res->result_code)) != 0) {
        return ret;
    }
    if ((ret = fd_msg_add_origin(*req, 0)) != 0)
        return -ret;
    if (!res->exp_result && res->result_code >= 3000 && res->result_code < 4000 &&
        fd_msg_hdr(*req, &h) == 0)
        h->msg_flags |= CMD_FLAG_ERROR;
    return 0;
}

int cx__msg_check(struct msg *msg, uint32_t code, bool request)
{
    struct msg_hdr *h = NULL;
    if (!msg || fd_msg_hdr(msg, &h) != 0 || !h)
        return -EINVAL;
    if (h->msg_code != code || h->msg_appl != CX_APP_ID ||
        !!(h->msg_flags & CMD_FLAG_REQUEST) != request)
        return -EBADMSG;
    return 0;
}

int cx__hdr_parse(struct msg *msg, struct cx_hdr *hdr)
{
    struct {
        uint32_t code;
        char **dst;
    } f[] = {{263, &hdr->session_id},
             {264, &hdr->origin_host},
             {296, &hdr->origin_realm},
             {293, &hdr->dest_host},
             {283, &hdr->dest_realm}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        int ret = cx__avp_get_str(msg, f[i].code, 0, f[i].dst);
        if (ret != 0 && ret != -ENOENT)
            return ret;
    }
    return 0;
}

void cx__hdr_free(struct cx_hdr *hdr)
{
    free(hdr->session_id);
    free(hdr->origin_host);
    free(hdr->origin_realm);
    free(hdr->dest_host);
    free(hdr->dest_realm);
    memset(hdr, 0, sizeof(*hdr));
}

int cx__result_parse(struct msg *msg, struct cx_result *res)
{
    struct msg_hdr *h = NULL;
    memset(res, 0, sizeof(*res));
    if (fd_msg_hdr(msg, &h) == 0 && h)
        res->error_bit = !!(h->msg_flags & CMD_FLAG_ERROR);
    cx__avp_get_u32(msg, 268, 0, &res->result_code);
    /* Only an Experimental-Result of vendor 10415 carries a Cx code. */
    for (struct avp *g = cx__avp_first(msg, 297, 0); g; g = cx__avp_next(g, 297, 0)) {
        uint32_t vendor = 0;
        if (cx__avp_get_u32(g, 266, 0, &vendor) == 0 && vendor == CX_VENDOR_3GPP &&
            cx__avp_get_u32(g, 298, 0, &res->exp_result) == 0)
            break;
    }
    return 0;
}

int cx__caps_add(void *parent, const struct cx_caps *caps)
{
    struct avp *g = NULL;
    int ret;
    if (!caps->present)
        return 0;
    if ((ret = cx__add_group(parent, cx__avp(603), &g)) != 0)
        return ret;
    for (size_t i = 0; i < caps->n_mandatory && i < CX_MAX_CAPS; i++)
        if ((ret = cx__add_u32(g, cx__avp(604), caps->mandatory[i])) != 0)
            return ret;
    for (size_t i = 0; i < caps->n_optional && i < CX_MAX_CAPS; i++)
        if ((ret = cx__add_u32(g, cx__avp(605), caps->optional[i])) != 0)
            return ret;
    return cx__add_strlist(g, cx__avp(602), &caps->server_names);
}

static void get_u32_list(struct avp *g, uint32_t code, uint32_t *arr, size_t *n)
{
    *n = 0;
    for (struct avp *a = cx__avp_first(g, code, V3); a && *n < CX_MAX_CAPS;
         a = cx__avp_next(a, code, V3)) {
        union avp_value *v = cx__avp_val(a);
        if (v)
            arr[(*n)++] = v->u32;
    }
}

int cx__caps_parse(void *parent, struct cx_caps *caps)
{
    struct avp *g = cx__avp_first(parent, 603, V3);
    if (!g)
        return 0;
    caps->present = true;
    get_u32_list(g, 604, caps->mandatory, &caps->n_mandatory);
    get_u32_list(g, 605, caps->optional, &caps->n_optional);
    return cx__avp_get_strlist(g, 602, V3, &caps->server_names);
}

void cx__caps_free(struct cx_caps *caps)
{
    cx_strlist_free(&caps->server_names);
    memset(caps, 0, sizeof(*caps));
}

int cx__features_add(void *parent, const struct cx_features *f)
{
    struct avp *g = NULL;
    int ret;
    if (!f->present)
        return 0;
    if ((ret = cx__add_group(parent, cx__avp(628), &g)) != 0 ||
        (ret = cx__add_u32(g, cx__d.vendor_id, f->vendor_id)) != 0 ||
        (ret = cx__add_u32(g, cx__avp(629), f->list_id)) != 0)
        return ret;
    return cx__add_u32(g, cx__avp(630), f->list);
}

int cx__features_parse(void *parent, struct cx_features *f)
{
    struct avp *g = cx__avp_first(parent, 628, V3);
    if (!g)
        return 0;
    f->present = true;
    cx__avp_get_u32(g, 266, 0, &f->vendor_id);
    cx__avp_get_u32(g, 629, V3, &f->list_id);
    cx__avp_get_u32(g, 630, V3, &f->list);
    return 0;
}

int cx__charging_add(void *parent, const struct cx_charging *c)
{
    const char *v[4] = {c->primary_ecf, c->secondary_ecf, c->primary_ccf, c->secondary_ccf};
    struct avp *g = NULL;
    int ret;
    if (!v[0] && !v[1] && !v[2] && !v[3])
        return 0;
    if ((ret = cx__add_group(parent, cx__avp(618), &g)) != 0)
        return ret;
    for (int i = 0; i < 4; i++)
        if (v[i] && (ret = cx__add_str(g, cx__avp(619 + (uint32_t)i), v[i])) != 0)
            return ret;
    return 0;
}

int cx__charging_parse(void *parent, struct cx_charging *c)
{
    char **dst[4] = {&c->primary_ecf, &c->secondary_ecf, &c->primary_ccf, &c->secondary_ccf};
    struct avp *g = cx__avp_first(parent, 618, V3);
    for (int i = 0; g && i < 4; i++) {
        int ret = cx__avp_get_str(g, 619 + (uint32_t)i, V3, dst[i]);
        if (ret != 0 && ret != -ENOENT)
            return ret;
    }
    return 0;
}

void cx__charging_free(struct cx_charging *c)
{
    free(c->primary_ecf);
    free(c->secondary_ecf);
    free(c->primary_ccf);
    free(c->secondary_ccf);
    memset(c, 0, sizeof(*c));
}

static int add_opt_bytes(void *g, uint32_t code, const struct cx_bytes *b)
{
    return b->data ? cx__add_bytes(g, cx__avp(code), b->data, b->len) : 0;
}

int cx__auth_item_add(void *parent, const struct cx_auth_item *it)
{
    struct avp *g = NULL, *dg = NULL;
    int ret;
    if ((ret = cx__add_group(parent, cx__avp(612), &g)) != 0)
        return ret;
    if (it->has_item_number && (ret = cx__add_u32(g, cx__avp(613), it->item_number)) != 0)
        return ret;
    if (it->scheme && (ret = cx__add_str(g, cx__avp(608), it->scheme)) != 0)
        return ret;
    if ((ret = add_opt_bytes(g, 609, &it->sip_authenticate)) != 0 ||
        (ret = add_opt_bytes(g, 610, &it->sip_authorization)) != 0 ||
        (ret = add_opt_bytes(g, 611, &it->sip_auth_context)) != 0)
        return ret;
    if (it->has_ck && (ret = cx__add_bytes(g, cx__avp(625), it->ck, CX_KEY_LEN)) != 0)
        return ret;
    if (it->has_ik && (ret = cx__add_bytes(g, cx__avp(626), it->ik, CX_KEY_LEN)) != 0)
        return ret;
    if (!it->digest_realm && !it->digest_ha1 && !it->digest_qop && !it->digest_algorithm)
        return 0;
    if (!cx__d.digest_realm)
        return -ENOTSUP;
    if ((ret = cx__add_group(g, cx__avp(635), &dg)) != 0)
        return ret;
    if ((it->digest_realm && (ret = cx__add_str(dg, cx__d.digest_realm, it->digest_realm))) ||
        (it->digest_algorithm &&
         (ret = cx__add_str(dg, cx__d.digest_algorithm, it->digest_algorithm))) ||
        (it->digest_qop && (ret = cx__add_str(dg, cx__d.digest_qop, it->digest_qop))) ||
        (it->digest_ha1 && (ret = cx__add_str(dg, cx__d.digest_ha1, it->digest_ha1))))
        return ret;
    return 0;
}

/* 16-byte key; a value of another length is treated as absent (and logged). */
static void get_key(struct avp *g, uint32_t code, uint8_t *key, bool *has)
{
    union avp_value *v = cx__avp_val(cx__avp_first(g, code, V3));
    *has = false;
    if (!v)
        return;
    if (v->os.len != CX_KEY_LEN) {
        log_warn("cx: AVP %u has %zu octets, expected %d; ignored", code, v->os.len, CX_KEY_LEN);
        return;
    }
    memcpy(key, v->os.data, CX_KEY_LEN);
    *has = true;
}

/* Digest AVPs: RFC 4590 says vendor 0; dict_dcca_3gpp 1.2.1 has them as 10415. Accept both. */
static int get_digest(struct avp *dg, uint32_t code, char **out)
{
    int ret = cx__avp_get_str(dg, code, 0, out);
    if (ret == -ENOENT)
        ret = cx__avp_get_str(dg, code, V3, out);
    return ret == -ENOENT ? 0 : ret;
}

int cx__auth_item_parse(struct avp *g, struct cx_auth_item *it)
{
    int ret;
    it->has_item_number = cx__avp_get_u32(g, 613, V3, &it->item_number) == 0;
    ret = cx__avp_get_str(g, 608, V3, &it->scheme);
    if (ret != 0 && ret != -ENOENT)
        return ret;
    uint32_t codes[3] = {609, 610, 611};
    struct cx_bytes *dst[3] = {&it->sip_authenticate, &it->sip_authorization,
                               &it->sip_auth_context};
    for (int i = 0; i < 3; i++) {
        ret = cx__avp_get_bytes(g, codes[i], V3, dst[i]);
        if (ret != 0 && ret != -ENOENT)
            return ret;
    }
    get_key(g, 625, it->ck, &it->has_ck);
    get_key(g, 626, it->ik, &it->has_ik);
    struct avp *dg = cx__avp_first(g, 635, V3);
    if (dg && ((ret = get_digest(dg, 104, &it->digest_realm)) != 0 ||
               (ret = get_digest(dg, 111, &it->digest_algorithm)) != 0 ||
               (ret = get_digest(dg, 110, &it->digest_qop)) != 0 ||
               (ret = get_digest(dg, 121, &it->digest_ha1)) != 0))
        return ret;
    return 0;
}

void cx_auth_item_free_fields(struct cx_auth_item *it)
{
    if (!it)
        return;
    free(it->scheme);
    free(it->sip_authenticate.data);
    free(it->sip_authorization.data);
    free(it->sip_auth_context.data);
    free(it->digest_realm);
    free(it->digest_algorithm);
    free(it->digest_qop);
    free(it->digest_ha1);
    memset(it, 0, sizeof(*it));
}

int cx__assoc_ids_add(void *parent, const struct cx_strlist *l)
{
    struct avp *g = NULL;
    int ret;
    if (!l->n)
        return 0;
    if ((ret = cx__add_group(parent, cx__avp(632), &g)) != 0)
        return ret;
    return cx__add_strlist(g, cx__d.user_name, l);
}

int cx__assoc_ids_parse(void *parent, struct cx_strlist *l)
{
    struct avp *g = cx__avp_first(parent, 632, V3);
    return g ? cx__avp_get_strlist(g, 1, 0, l) : 0;
}
