/*
 * Request validation from the TS 29.229 §6.1 presence rules, and the error
 * answers (DIAMETER_MISSING_AVP / DIAMETER_INVALID_AVP_VALUE with Failed-AVP).
 *
 * The command rules are deliberately NOT registered in the freeDiameter
 * dictionary: freeDiameter would then answer missing AVPs itself, before our
 * handlers, without Vendor-Specific-Application-Id and Auth-Session-State.
 */
#include "cx_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define V3 CX_VENDOR_3GPP

struct avp_ref {
    uint32_t code, vendor;
};

#define BASE_REQ                                                                                   \
    {263, 0}, {260, 0}, {277, 0}, {264, 0}, {296, 0},                                              \
    {                                                                                              \
        283, 0                                                                                     \
    }

/* Required AVPs of each request, in ABNF order ({} in TS 29.229 §6.1). */
static const struct {
    uint32_t cmd;
    struct avp_ref req[12];
} rules[] = {
    {CX_CMD_UAR, {BASE_REQ, {1, 0}, {601, V3}, {600, V3}}},
    {CX_CMD_SAR, {BASE_REQ, {602, V3}, {614, V3}, {624, V3}}},
    {CX_CMD_LIR, {BASE_REQ, {601, V3}}},
    {CX_CMD_MAR, {BASE_REQ, {1, 0}, {601, V3}, {607, V3}, {612, V3}, {602, V3}}},
    {CX_CMD_RTR, {BASE_REQ, {293, 0}, {1, 0}, {615, V3}}},
    {CX_CMD_PPR, {BASE_REQ, {293, 0}, {1, 0}}},
};

/* Enumerated Cx AVPs and their highest defined value (all start at 0). */
static const struct {
    uint32_t code;
    int32_t max;
} enums[] = {{614, 14}, {616, 3}, {623, 2}, {624, 1}, {633, 0}, {650, 4}};

static const char *avp_name(uint32_t code, uint32_t vendor)
{
    struct dict_object *o = NULL;
    struct dict_avp_request r = {.avp_vendor = vendor, .avp_code = code};
    struct dict_avp_data d;
    if (fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o, ENOENT) ||
        fd_dict_getval(o, &d) != 0)
        return "?";
    return d.avp_name;
}

static int check_enums(struct msg *req, struct cx_error *err)
{
    struct avp *a = NULL;
    if (fd_msg_browse(req, MSG_BRW_FIRST_CHILD, &a, NULL) != 0)
        return 0;
    /* Depth-first walk: Enumerated values inside groups are checked too. */
    for (int depth = 0; a; fd_msg_browse(a, MSG_BRW_WALK, &a, &depth)) {
        struct avp_hdr *h = NULL;
        if (fd_msg_avp_hdr(a, &h) != 0 || !h || depth < 0)
            break; /* walked back up to the message */
        if (!(h->avp_flags & AVP_FLAG_VENDOR) || h->avp_vendor != V3 || !h->avp_value)
            continue;
        for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
            if (enums[i].code != h->avp_code)
                continue;
            int32_t v = h->avp_value->i32;
            if (v < 0 || v > enums[i].max) {
                err->result_code = CX_DIAMETER_INVALID_AVP_VALUE;
                err->avp_code = h->avp_code;
                err->avp_vendor = V3;
                err->has_value = true;
                err->value = v;
                snprintf(err->message, sizeof(err->message), "%s has undefined value %d",
                         avp_name(h->avp_code, V3), v);
                return -EPROTO;
            }
        }
    }
    return 0;
}

int cx_request_check(struct msg *req, struct cx_error *err)
{
    struct msg_hdr *h = NULL;

    if (!req || !err || fd_msg_hdr(req, &h) != 0)
        return -EINVAL;
    memset(err, 0, sizeof(*err));
    if (h->msg_appl != CX_APP_ID || !(h->msg_flags & CMD_FLAG_REQUEST) ||
        cx__cmd_index(h->msg_code) < 0) {
        err->result_code = CX_DIAMETER_COMMAND_UNSUPPORTED;
        snprintf(err->message, sizeof(err->message), "not a Cx request (command %u)", h->msg_code);
        return -EPROTO;
    }
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].cmd != h->msg_code)
            continue;
        for (size_t j = 0; j < 12 && rules[i].req[j].code; j++) {
            const struct avp_ref *r = &rules[i].req[j];
            if (cx__avp_first(req, r->code, r->vendor))
                continue;
            err->result_code = CX_DIAMETER_MISSING_AVP;
            err->avp_code = r->code;
            err->avp_vendor = r->vendor;
            snprintf(err->message, sizeof(err->message), "missing AVP %s (%u)",
                     avp_name(r->code, r->vendor), r->code);
            return -EPROTO;
        }
    }
    return check_enums(req, err);
}

/* A Failed-AVP child: a copy of the bad value, or a zero value of the missing AVP. */
static int add_failed_avp(struct msg *ans, const struct cx_error *err)
{
    struct dict_object *model = NULL;
    struct dict_avp_request r = {.avp_vendor = err->avp_vendor, .avp_code = err->avp_code};
    struct avp *fa = NULL, *child = NULL;
    union avp_value v;
    int ret;

    if (fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &model,
                       ENOENT) != 0)
        return 0; /* unknown AVP: nothing meaningful to copy */
    memset(&v, 0, sizeof(v));
    v.os.data = (uint8_t *)"";
    int bt = cx__avp_basetype(model);
    if (bt == AVP_TYPE_INTEGER32 && err->has_value) {
        memset(&v, 0, sizeof(v));
        v.i32 = err->value;
    } else if (bt != AVP_TYPE_OCTETSTRING) {
        memset(&v, 0, sizeof(v)); /* numbers: 0; grouped: empty */
    }
    if ((ret = cx__add_group(ans, cx__d.failed_avp, &fa)) != 0)
        return ret;
    if ((ret = fd_msg_avp_new(model, 0, &child)) != 0)
        return -ret;
    if (bt != AVP_TYPE_GROUPED && (ret = fd_msg_avp_setvalue(child, &v)) != 0)
        goto err;
    if ((ret = fd_msg_avp_add(fa, MSG_BRW_LAST_CHILD, child)) != 0)
        goto err;
    return 0;
err:
    fd_msg_free(child);
    return -ret;
}

int cx_answer_error_build(struct msg **req, const struct cx_error *err)
{
    struct cx_result res = {.result_code = err ? err->result_code : 0};
    int ret;

    if (!req || !*req || !err || !err->result_code)
        return -EINVAL;
    if ((ret = cx__ans_new(req, &res)) != 0)
        return ret;
    if (err->message[0] && (ret = cx__add_str(*req, cx__d.error_message, err->message)) != 0)
        return ret;
    if (err->avp_code)
        return add_failed_avp(*req, err);
    return 0;
}

int cx_answer_send(struct msg **ans)
{
    int ret;
    if (!ans || !*ans)
        return -EINVAL;
    ret = fd_msg_send(ans, NULL, NULL);
    if (ret != 0) {
        log_error("cx: cannot send answer: %s", strerror(ret));
        if (*ans)
            fd_msg_free(*ans);
        *ans = NULL;
        return -ret;
    }
    return 0;
}

int cx_answer_error(struct msg **req, const struct cx_error *err)
{
    int ret;
    if (!req || !*req)
        return -EINVAL;
    log_info("cx: answering %u %s: %s", err ? err->result_code : 0,
             err ? cx_result_name(err->result_code, false) : "", err ? err->message : "");
    ret = cx_answer_error_build(req, err);
    if (ret != 0) {
        log_error("cx: cannot build error answer: %s", strerror(-ret));
        fd_msg_free(*req);
        *req = NULL;
        return ret;
    }
    return cx_answer_send(req);
}
