/*
 * Cx codec: every message built through freeDiameter, serialised to wire
 * bytes, parsed back with the dictionary and decoded; results; validation.
 * Built twice: with the plain base dictionary and with dict_dcca_3gpp loaded
 * (CX_TEST_CONF selects the freeDiameter config).
 */
#include "cx/cx.h"
#include "log/log.h"

#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdcore.h>
#include <freeDiameter/libfdproto.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define V3 CX_VENDOR_3GPP

/* Serialises m (consumed) and parses the bytes back with the dictionary. */
static struct msg *wire(struct msg *m)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    struct msg *out = NULL;
    assert_int_equal(fd_msg_bufferize(m, &buf, &len), 0);
    fd_msg_free(m);
    assert_int_equal(fd_msg_parse_buffer(&buf, len, &out), 0);
    assert_int_equal(fd_msg_parse_dict(out, fd_g_config->cnf_dict, NULL), 0);
    assert_int_equal(fd_msg_parse_rules(out, fd_g_config->cnf_dict, NULL), 0);
    return out;
}

static uint8_t msg_flags(struct msg *m)
{
    struct msg_hdr *h = NULL;
    assert_int_equal(fd_msg_hdr(m, &h), 0);
    return h->msg_flags;
}

static struct avp *find(void *parent, uint32_t code, uint32_t vendor)
{
    struct avp *a = NULL;
    fd_msg_browse(parent, MSG_BRW_FIRST_CHILD, &a, NULL);
    while (a) {
        struct avp_hdr *h = NULL;
        fd_msg_avp_hdr(a, &h);
        if (h->avp_code == code &&
            (vendor == 0 ? !(h->avp_flags & AVP_FLAG_VENDOR) : h->avp_vendor == vendor))
            return a;
        fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL);
    }
    return NULL;
}

static int setup(void **state)
{
    char path[1024];
    const char *src = getenv("IMSCORE_SOURCE_DIR");
    log_init("test_cx_codec", LOG_LEVEL_WARN);
    snprintf(path, sizeof(path), "%s/tests/unit/cx/data/%s", src ? src : ".", CX_TEST_CONF);
    return cx_init(path);
}

static int teardown(void **state)
{
    cx_shutdown();
    return 0;
}

/* The received request a server would answer. */
static struct msg *uar_on_wire(void)
{
    struct cx_uar in = {.hdr = {.dest_realm = "localdomain"},
                        .user_name = "alice@localdomain",
                        .public_identity = "sip:alice@localdomain",
                        .visited_network_id = {(uint8_t *)"localdomain", 11},
                        .auth_type = -1};
    struct msg *m = NULL;
    assert_int_equal(cx_uar_build(&in, &m), 0);
    return wire(m);
}

static void test_uar(void **state)
{
    struct cx_uar in = {
        .hdr = {.dest_realm = "ims.example.org", .dest_host = "hss.ims.example.org"},
        .user_name = "001010000000001@ims.example.org",
        .public_identity = "sip:001010000000001@ims.example.org",
        .visited_network_id = {(uint8_t *)"visited.example.net", 19},
        .auth_type = CX_UAT_REGISTRATION_AND_CAPABILITIES,
        .has_uar_flags = true,
        .uar_flags = 1,
        .features = {.present = true, .vendor_id = V3, .list_id = 1, .list = 3},
    };
    struct cx_uar out;
    struct msg *m = NULL;

    assert_int_equal(cx_uar_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(msg_flags(m) & (CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE),
                     CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE);
    assert_int_equal(cx_uar_parse(m, &out), 0);
    assert_non_null(out.hdr.session_id);
    assert_string_equal(out.hdr.origin_host, "codec.localdomain");
    assert_string_equal(out.hdr.origin_realm, "localdomain");
    assert_string_equal(out.hdr.dest_realm, "ims.example.org");
    assert_string_equal(out.hdr.dest_host, "hss.ims.example.org");
    assert_string_equal(out.user_name, in.user_name);
    assert_string_equal(out.public_identity, in.public_identity);
    assert_int_equal(out.visited_network_id.len, 19);
    assert_memory_equal(out.visited_network_id.data, "visited.example.net", 19);
    assert_int_equal(out.auth_type, CX_UAT_REGISTRATION_AND_CAPABILITIES);
    assert_true(out.has_uar_flags);
    assert_int_equal(out.uar_flags, 1);
    assert_true(out.features.present);
    assert_int_equal(out.features.vendor_id, V3);
    assert_int_equal(out.features.list_id, 1);
    assert_int_equal(out.features.list, 3);
    /* The wrong direction / command is refused. */
    struct cx_uaa wrong;
    assert_int_equal(cx_uaa_parse(m, &wrong), -EBADMSG);
    struct cx_sar wrong2;
    assert_int_equal(cx_sar_parse(m, &wrong2), -EBADMSG);

    /* A given Session-Id is kept. */
    struct cx_uar in2 = in;
    in2.hdr.session_id = out.hdr.session_id;
    struct cx_uar out2;
    struct msg *m2 = NULL;
    assert_int_equal(cx_uar_build(&in2, &m2), 0);
    m2 = wire(m2);
    assert_int_equal(cx_uar_parse(m2, &out2), 0);
    assert_string_equal(out2.hdr.session_id, out.hdr.session_id);
    assert_int_equal(out2.auth_type, CX_UAT_REGISTRATION_AND_CAPABILITIES);
    cx_uar_free_fields(&out2);
    fd_msg_free(m2);

    cx_uar_free_fields(&out);
    fd_msg_free(m);
}

static void test_uar_required_fields(void **state)
{
    struct cx_uar in = {.hdr = {.dest_realm = "localdomain"},
                        .user_name = "alice@localdomain",
                        .visited_network_id = {(uint8_t *)"x", 1},
                        .auth_type = -1};
    struct msg *m = NULL;
    assert_int_equal(cx_uar_build(&in, &m), -EINVAL); /* no Public-Identity */
    assert_null(m);
    in.public_identity = "sip:alice@localdomain";
    in.hdr.dest_realm = NULL;
    assert_int_equal(cx_uar_build(&in, &m), -EINVAL); /* no Destination-Realm */
    struct cx_rtr rtr = {.hdr = {.dest_realm = "localdomain"}, .user_name = "a", .reason_code = 0};
    assert_int_equal(cx_rtr_build(&rtr, &m), -EINVAL); /* RTR needs Destination-Host */
}

static void test_uaa(void **state)
{
    struct msg *m = uar_on_wire();
    char *names[] = {"sip:scscf1.localdomain:6060"};
    struct cx_uaa in = {
        .result = {.exp_result = CX_DIAMETER_FIRST_REGISTRATION},
        .server_name = "sip:scscf.localdomain:6060",
        .caps = {.present = true,
                 .mandatory = {1, 7},
                 .n_mandatory = 2,
                 .optional = {9},
                 .n_optional = 1,
                 .server_names = {names, 1}},
    };
    struct cx_uaa out;

    assert_int_equal(cx_uaa_build(&m, &in), 0);
    m = wire(m);
    assert_int_equal(msg_flags(m) & (CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE | CMD_FLAG_ERROR),
                     CMD_FLAG_PROXIABLE);
    assert_int_equal(cx_uaa_parse(m, &out), 0);
    assert_string_equal(out.hdr.origin_host, "codec.localdomain");
    assert_int_equal(out.result.exp_result, 2001);
    assert_int_equal(out.result.result_code, 0);
    assert_false(out.result.error_bit);
    assert_true(cx_result_is_success(&out.result));
    assert_string_equal(out.server_name, "sip:scscf.localdomain:6060");
    assert_true(out.caps.present);
    assert_int_equal(out.caps.n_mandatory, 2);
    assert_int_equal(out.caps.mandatory[0], 1);
    assert_int_equal(out.caps.mandatory[1], 7);
    assert_int_equal(out.caps.n_optional, 1);
    assert_int_equal(out.caps.optional[0], 9);
    assert_int_equal(out.caps.server_names.n, 1);
    assert_string_equal(out.caps.server_names.v[0], "sip:scscf1.localdomain:6060");
    /* Auth-Session-State = NO_STATE_MAINTAINED and the VSAI are present. */
    struct avp *ass = find(m, 277, 0);
    assert_non_null(ass);
    struct avp_hdr *h = NULL;
    fd_msg_avp_hdr(ass, &h);
    assert_int_equal(h->avp_value->i32, 1);
    struct avp *vsai = find(m, 260, 0);
    assert_non_null(vsai);
    assert_non_null(find(vsai, 266, 0));
    assert_non_null(find(vsai, 258, 0));
    cx_uaa_free_fields(&out);
    fd_msg_free(m);
}

static void fill(uint8_t *p, size_t n, uint8_t base)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(base + i);
}

static void test_mar(void **state)
{
    uint8_t resync[30];
    fill(resync, sizeof(resync), 0x40);
    struct cx_mar in = {
        .hdr = {.dest_realm = "localdomain"},
        .user_name = "alice@localdomain",
        .public_identity = "sip:alice@localdomain",
        .server_name = "sip:scscf.localdomain:6060",
        .num_auth_items = 1,
        .auth = {.scheme = "Digest-AKAv1-MD5", .sip_authorization = {resync, sizeof(resync)}},
    };
    struct cx_mar out;
    struct msg *m = NULL;
    assert_int_equal(cx_mar_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_mar_parse(m, &out), 0);
    assert_string_equal(out.user_name, "alice@localdomain");
    assert_string_equal(out.public_identity, "sip:alice@localdomain");
    assert_string_equal(out.server_name, "sip:scscf.localdomain:6060");
    assert_int_equal(out.num_auth_items, 1);
    assert_string_equal(out.auth.scheme, "Digest-AKAv1-MD5");
    assert_int_equal(out.auth.sip_authorization.len, 30);
    assert_memory_equal(out.auth.sip_authorization.data, resync, 30);
    assert_null(out.auth.sip_authenticate.data);
    assert_false(out.auth.has_ck);
    cx_mar_free_fields(&out);
    fd_msg_free(m);
}

static void test_maa(void **state)
{
    struct cx_mar req = {.hdr = {.dest_realm = "localdomain"},
                         .user_name = "alice@localdomain",
                         .public_identity = "sip:alice@localdomain",
                         .server_name = "sip:scscf.localdomain",
                         .num_auth_items = 2,
                         .auth = {.scheme = "Digest-AKAv1-MD5"}};
    struct msg *m = NULL;
    assert_int_equal(cx_mar_build(&req, &m), 0);
    m = wire(m);

    uint8_t authn[2][32], xres[2][8];
    struct cx_maa in = {.result = {.result_code = CX_DIAMETER_SUCCESS},
                        .user_name = "alice@localdomain",
                        .public_identity = "sip:alice@localdomain",
                        .has_num_auth_items = true,
                        .num_auth_items = 2,
                        .n_items = 2};
    for (int i = 0; i < 2; i++) {
        struct cx_auth_item *it = &in.items[i];
        fill(authn[i], 32, (uint8_t)(0x10 * (i + 1)));
        fill(xres[i], 8, (uint8_t)(0xa0 + i));
        it->has_item_number = true;
        it->item_number = (uint32_t)i + 1;
        it->scheme = "Digest-AKAv1-MD5";
        it->sip_authenticate = (struct cx_bytes){authn[i], 32};
        it->sip_authorization = (struct cx_bytes){xres[i], 8};
        it->has_ck = it->has_ik = true;
        fill(it->ck, 16, (uint8_t)(0x30 + i));
        fill(it->ik, 16, (uint8_t)(0x60 + i));
    }
    assert_int_equal(cx_maa_build(&m, &in), 0);
    m = wire(m);

    struct cx_maa out;
    assert_int_equal(cx_maa_parse(m, &out), 0);
    assert_int_equal(out.result.result_code, 2001);
    assert_int_equal(out.result.exp_result, 0);
    assert_string_equal(out.user_name, "alice@localdomain");
    assert_string_equal(out.public_identity, "sip:alice@localdomain");
    assert_true(out.has_num_auth_items);
    assert_int_equal(out.num_auth_items, 2);
    assert_int_equal(out.n_items, 2);
    for (int i = 0; i < 2; i++) {
        const struct cx_auth_item *it = &out.items[i];
        assert_true(it->has_item_number);
        assert_int_equal(it->item_number, i + 1);
        assert_string_equal(it->scheme, "Digest-AKAv1-MD5");
        assert_int_equal(it->sip_authenticate.len, 32);
        assert_memory_equal(it->sip_authenticate.data, authn[i], 32);
        assert_int_equal(it->sip_authorization.len, 8);
        assert_memory_equal(it->sip_authorization.data, xres[i], 8);
        assert_true(it->has_ck);
        assert_true(it->has_ik);
        assert_memory_equal(it->ck, in.items[i].ck, 16);
        assert_memory_equal(it->ik, in.items[i].ik, 16);
        assert_null(it->digest_ha1);
    }
    cx_maa_free_fields(&out);
    fd_msg_free(m);
}

static void test_maa_sip_digest(void **state)
{
    struct cx_mar req = {.hdr = {.dest_realm = "localdomain"},
                         .user_name = "bob@localdomain",
                         .public_identity = "sip:bob@localdomain",
                         .server_name = "sip:scscf.localdomain",
                         .num_auth_items = 1,
                         .auth = {.scheme = "SIP Digest"}};
    struct msg *m = NULL;
    assert_int_equal(cx_mar_build(&req, &m), 0);
    m = wire(m);
    struct cx_maa in = {.result = {.result_code = CX_DIAMETER_SUCCESS}, .n_items = 1};
    in.items[0].scheme = "SIP Digest";
    in.items[0].digest_realm = "localdomain";
    in.items[0].digest_algorithm = "MD5";
    in.items[0].digest_qop = "auth";
    in.items[0].digest_ha1 = "0123456789abcdef0123456789abcdef";
    assert_int_equal(cx_maa_build(&m, &in), 0);
    m = wire(m);
    struct cx_maa out;
    assert_int_equal(cx_maa_parse(m, &out), 0);
    assert_int_equal(out.n_items, 1);
    assert_string_equal(out.items[0].scheme, "SIP Digest");
    assert_string_equal(out.items[0].digest_realm, "localdomain");
    assert_string_equal(out.items[0].digest_algorithm, "MD5");
    assert_string_equal(out.items[0].digest_qop, "auth");
    assert_string_equal(out.items[0].digest_ha1, "0123456789abcdef0123456789abcdef");
    /* RFC 4590 AVPs go out as vendor 0 inside SIP-Digest-Authenticate (635). */
    struct avp *item = find(m, 612, V3);
    assert_non_null(item);
    struct avp *dg = find(item, 635, V3);
    assert_non_null(dg);
    assert_non_null(find(dg, 104, 0));
    assert_non_null(find(dg, 121, 0));
    cx_maa_free_fields(&out);
    fd_msg_free(m);
}

static void test_sar_saa(void **state)
{
    char *impus[] = {"sip:alice@localdomain", "tel:+15551234"};
    struct cx_sar in = {.hdr = {.dest_realm = "localdomain"},
                        .user_name = "alice@localdomain",
                        .public_identities = {impus, 2},
                        .server_name = "sip:scscf.localdomain:6060",
                        .server_assignment_type = CX_SAT_REGISTRATION,
                        .user_data_already_available = CX_USER_DATA_NOT_AVAILABLE,
                        .has_sar_flags = true,
                        .sar_flags = 1};
    struct cx_sar out;
    struct msg *m = NULL;
    assert_int_equal(cx_sar_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_sar_parse(m, &out), 0);
    assert_string_equal(out.user_name, "alice@localdomain");
    assert_int_equal(out.public_identities.n, 2);
    assert_string_equal(out.public_identities.v[0], impus[0]);
    assert_string_equal(out.public_identities.v[1], impus[1]);
    assert_string_equal(out.server_name, "sip:scscf.localdomain:6060");
    assert_int_equal(out.server_assignment_type, CX_SAT_REGISTRATION);
    assert_int_equal(out.user_data_already_available, CX_USER_DATA_NOT_AVAILABLE);
    assert_true(out.has_sar_flags);
    assert_int_equal(out.sar_flags, 1);
    assert_null(out.wildcarded_public_identity);
    cx_sar_free_fields(&out);

    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><IMSSubscription><PrivateID>"
                      "alice@localdomain</PrivateID><ServiceProfile><PublicIdentity><Identity>"
                      "sip:alice@localdomain</Identity></PublicIdentity></ServiceProfile>"
                      "</IMSSubscription>";
    char *assoc[] = {"alice2@localdomain", "alice3@localdomain"};
    struct cx_saa ans = {.result = {.result_code = CX_DIAMETER_SUCCESS},
                         .user_name = "alice@localdomain",
                         .user_data = (char *)xml,
                         .charging = {.primary_ccf = "aaa://ccf1.localdomain",
                                      .secondary_ecf = "aaa://ecf2.localdomain"},
                         .associated_identities = {assoc, 2}};
    struct cx_saa aout;
    assert_int_equal(cx_saa_build(&m, &ans), 0);
    m = wire(m);
    assert_int_equal(cx_saa_parse(m, &aout), 0);
    assert_int_equal(aout.result.result_code, 2001);
    assert_int_equal(aout.result.exp_result, 0);
    assert_string_equal(aout.user_name, "alice@localdomain");
    assert_string_equal(aout.user_data, xml);
    assert_string_equal(aout.charging.primary_ccf, "aaa://ccf1.localdomain");
    assert_string_equal(aout.charging.secondary_ecf, "aaa://ecf2.localdomain");
    assert_null(aout.charging.primary_ecf);
    assert_null(aout.charging.secondary_ccf);
    assert_int_equal(aout.associated_identities.n, 2);
    assert_string_equal(aout.associated_identities.v[1], "alice3@localdomain");
    cx_saa_free_fields(&aout);
    fd_msg_free(m);
}

static void test_lir_lia(void **state)
{
    struct cx_lir in = {.hdr = {.dest_realm = "localdomain"},
                        .public_identity = "sip:bob@localdomain",
                        .originating_request = CX_ORIGINATING,
                        .auth_type = -1,
                        .session_priority = 2};
    struct cx_lir out;
    struct msg *m = NULL;
    assert_int_equal(cx_lir_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_lir_parse(m, &out), 0);
    assert_string_equal(out.public_identity, "sip:bob@localdomain");
    assert_int_equal(out.originating_request, 0);
    assert_int_equal(out.auth_type, -1);
    assert_int_equal(out.session_priority, 2);
    cx_lir_free_fields(&out);

    struct cx_lia ans = {.result = {.exp_result = CX_DIAMETER_UNREGISTERED_SERVICE},
                         .server_name = "sip:scscf.localdomain:6060",
                         .caps = {.present = true, .mandatory = {5}, .n_mandatory = 1},
                         .wildcarded_public_identity = "sip:!.*!@localdomain"};
    struct cx_lia aout;
    assert_int_equal(cx_lia_build(&m, &ans), 0);
    m = wire(m);
    assert_int_equal(cx_lia_parse(m, &aout), 0);
    assert_int_equal(aout.result.exp_result, 2003);
    assert_string_equal(aout.server_name, "sip:scscf.localdomain:6060");
    assert_true(aout.caps.present);
    assert_int_equal(aout.caps.n_mandatory, 1);
    assert_int_equal(aout.caps.mandatory[0], 5);
    assert_string_equal(aout.wildcarded_public_identity, "sip:!.*!@localdomain");
    assert_false(aout.has_lia_flags);
    cx_lia_free_fields(&aout);
    fd_msg_free(m);
}

static void test_rtr_rta(void **state)
{
    char *impus[] = {"sip:alice@localdomain", "sip:alice-work@localdomain", "tel:+15551234"};
    char *impis[] = {"alice-tablet@localdomain"};
    struct cx_rtr in = {.hdr = {.dest_realm = "localdomain", .dest_host = "scscf.localdomain"},
                        .user_name = "alice@localdomain",
                        .associated_identities = {impis, 1},
                        .public_identities = {impus, 3},
                        .reason_code = CX_REASON_NEW_SERVER_ASSIGNED,
                        .reason_info = "moved to another S-CSCF"};
    struct cx_rtr out;
    struct msg *m = NULL;
    assert_int_equal(cx_rtr_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_rtr_parse(m, &out), 0);
    assert_string_equal(out.hdr.dest_host, "scscf.localdomain");
    assert_string_equal(out.user_name, "alice@localdomain");
    assert_int_equal(out.associated_identities.n, 1);
    assert_string_equal(out.associated_identities.v[0], impis[0]);
    assert_int_equal(out.public_identities.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(out.public_identities.v[i], impus[i]);
    assert_int_equal(out.reason_code, CX_REASON_NEW_SERVER_ASSIGNED);
    assert_string_equal(out.reason_info, "moved to another S-CSCF");
    cx_rtr_free_fields(&out);

    struct cx_rta ans = {.result = {.result_code = CX_DIAMETER_SUCCESS},
                         .associated_identities = {impis, 1}};
    struct cx_rta aout;
    assert_int_equal(cx_rta_build(&m, &ans), 0);
    m = wire(m);
    assert_int_equal(cx_rta_parse(m, &aout), 0);
    assert_int_equal(aout.result.result_code, 2001);
    assert_int_equal(aout.associated_identities.n, 1);
    assert_string_equal(aout.associated_identities.v[0], impis[0]);
    cx_rta_free_fields(&aout);
    fd_msg_free(m);
}

static void test_ppr_ppa(void **state)
{
    struct cx_ppr in = {.hdr = {.dest_realm = "localdomain", .dest_host = "scscf.localdomain"},
                        .user_name = "alice@localdomain",
                        .user_data = "<IMSSubscription/>",
                        .charging = {.primary_ecf = "aaa://ecf.localdomain"}};
    struct cx_ppr out;
    struct msg *m = NULL;
    assert_int_equal(cx_ppr_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_ppr_parse(m, &out), 0);
    assert_string_equal(out.user_name, "alice@localdomain");
    assert_string_equal(out.user_data, "<IMSSubscription/>");
    assert_string_equal(out.charging.primary_ecf, "aaa://ecf.localdomain");
    cx_ppr_free_fields(&out);

    struct cx_ppa ans = {.result = {.exp_result = CX_DIAMETER_ERROR_USER_UNKNOWN}};
    struct cx_ppa aout;
    assert_int_equal(cx_ppa_build(&m, &ans), 0);
    m = wire(m);
    assert_int_equal(cx_ppa_parse(m, &aout), 0);
    assert_int_equal(aout.result.exp_result, 5001);
    assert_int_equal(aout.result.result_code, 0);
    assert_false(cx_result_is_success(&aout.result));
    cx_ppa_free_fields(&aout);
    fd_msg_free(m);
}

/* 5003 as Result-Code is AUTHORIZATION_REJECTED; as Cx Experimental-Result it is not. */
static void test_experimental_vs_result_code(void **state)
{
    struct cx_uaa in = {.result = {.result_code = CX_DIAMETER_AUTHORIZATION_REJECTED}};
    struct cx_uaa out;
    struct msg *m = uar_on_wire();
    assert_int_equal(cx_uaa_build(&m, &in), 0);
    m = wire(m);
    assert_int_equal(cx_uaa_parse(m, &out), 0);
    assert_int_equal(out.result.result_code, 5003);
    assert_int_equal(out.result.exp_result, 0);
    assert_null(find(m, 297, 0));
    assert_string_equal(cx_result_name(out.result.result_code, false),
                        "DIAMETER_AUTHORIZATION_REJECTED");
    cx_uaa_free_fields(&out);
    fd_msg_free(m);

    in.result = (struct cx_result){.exp_result = CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED};
    m = uar_on_wire();
    assert_int_equal(cx_uaa_build(&m, &in), 0);
    m = wire(m);
    assert_null(find(m, 268, 0)); /* no Result-Code at all */
    struct avp *er = find(m, 297, 0);
    assert_non_null(er);
    struct avp_hdr *h = NULL;
    fd_msg_avp_hdr(find(er, 266, 0), &h);
    assert_int_equal(h->avp_value->u32, V3);
    assert_int_equal(cx_uaa_parse(m, &out), 0);
    assert_int_equal(out.result.exp_result, 5003);
    assert_int_equal(out.result.result_code, 0);
    assert_string_equal(cx_result_name(out.result.exp_result, true),
                        "DIAMETER_ERROR_IDENTITY_NOT_REGISTERED");
    cx_uaa_free_fields(&out);
    fd_msg_free(m);

    /* An Experimental-Result of another vendor is not a Cx code. */
    in.result = (struct cx_result){.result_code = CX_DIAMETER_UNABLE_TO_COMPLY};
    m = uar_on_wire();
    assert_int_equal(cx_uaa_build(&m, &in), 0);
    struct dict_object *d_er = NULL, *d_vid = NULL, *d_erc = NULL;
    fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE, &(avp_code_t){297}, &d_er, ENOENT);
    fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE, &(avp_code_t){266}, &d_vid,
                   ENOENT);
    fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE, &(avp_code_t){298}, &d_erc,
                   ENOENT);
    struct avp *g = NULL, *c = NULL;
    union avp_value v;
    assert_int_equal(fd_msg_avp_new(d_er, 0, &g), 0);
    assert_int_equal(fd_msg_avp_new(d_vid, 0, &c), 0);
    v.u32 = 12345;
    fd_msg_avp_setvalue(c, &v);
    fd_msg_avp_add(g, MSG_BRW_LAST_CHILD, c);
    assert_int_equal(fd_msg_avp_new(d_erc, 0, &c), 0);
    v.u32 = 2001;
    fd_msg_avp_setvalue(c, &v);
    fd_msg_avp_add(g, MSG_BRW_LAST_CHILD, c);
    fd_msg_avp_add(m, MSG_BRW_LAST_CHILD, g);
    m = wire(m);
    assert_int_equal(cx_uaa_parse(m, &out), 0);
    assert_int_equal(out.result.result_code, 5012);
    assert_int_equal(out.result.exp_result, 0);
    assert_false(cx_result_is_success(&out.result));
    cx_uaa_free_fields(&out);
    fd_msg_free(m);
}

/* Flag masks match dict_dcca_3gpp; with it loaded, its AVPs are the ones in use. */
static void test_dictionary(void **state)
{
    struct dict_object *o = NULL;
    struct dict_avp_data d;
    struct dict_avp_request r = {.avp_vendor = V3, .avp_code = 628};
    assert_int_equal(
        fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o, ENOENT), 0);
    assert_int_equal(fd_dict_getval(o, &d), 0);
    assert_int_equal(d.avp_flag_mask, AVP_FLAG_VENDOR);
    r.avp_code = 601;
    assert_int_equal(
        fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o, ENOENT), 0);
    assert_int_equal(fd_dict_getval(o, &d), 0);
    assert_int_equal(d.avp_flag_mask, AVP_FLAG_VENDOR | AVP_FLAG_MANDATORY);
    assert_int_equal(d.avp_flag_val, AVP_FLAG_VENDOR | AVP_FLAG_MANDATORY);
    /* 3GPP-IMSI (1/10415) exists only when dict_dcca_3gpp was loaded. */
    r.avp_code = 1;
    int found = fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o,
                               ENOENT) == 0;
    assert_int_equal(found, strstr(CX_TEST_CONF, "3gpp") != NULL);
    command_code_t code = 303;
    assert_int_equal(
        fd_dict_search(fd_g_config->cnf_dict, DICT_COMMAND, CMD_BY_CODE_A, &code, &o, ENOENT), 0);
}

static void test_result_names(void **state)
{
    assert_string_equal(cx_result_name(2001, false), "DIAMETER_SUCCESS");
    assert_string_equal(cx_result_name(2001, true), "DIAMETER_FIRST_REGISTRATION");
    assert_string_equal(cx_result_name(5001, false), "DIAMETER_AVP_UNSUPPORTED");
    assert_string_equal(cx_result_name(5001, true), "DIAMETER_ERROR_USER_UNKNOWN");
    assert_string_equal(cx_result_name(5004, false), "DIAMETER_INVALID_AVP_VALUE");
    assert_string_equal(cx_result_name(5005, false), "DIAMETER_MISSING_AVP");
    assert_string_equal(cx_result_name(5012, false), "DIAMETER_UNABLE_TO_COMPLY");
    assert_string_equal(cx_result_name(3002, false), "DIAMETER_UNABLE_TO_DELIVER");
    assert_string_equal(cx_result_name(5011, true), "DIAMETER_ERROR_FEATURE_UNSUPPORTED");
    assert_string_equal(cx_result_name(4242, true), "UNKNOWN");
}

static void remove_avp(struct msg *m, uint32_t code, uint32_t vendor)
{
    struct avp *a = find(m, code, vendor);
    assert_non_null(a);
    assert_int_equal(fd_msg_free(a), 0);
    assert_null(find(m, code, vendor));
}

static void test_check_missing_public_identity(void **state)
{
    struct cx_error err;
    struct msg *m = uar_on_wire();
    assert_int_equal(cx_request_check(m, &err), 0);
    assert_int_equal(err.result_code, 0);
    remove_avp(m, 601, V3);
    m = wire(m);
    assert_int_equal(cx_request_check(m, &err), -EPROTO);
    assert_int_equal(err.result_code, CX_DIAMETER_MISSING_AVP);
    assert_int_equal(err.avp_code, 601);
    assert_int_equal(err.avp_vendor, V3);

    assert_int_equal(cx_answer_error_build(&m, &err), 0);
    m = wire(m);
    assert_int_equal(msg_flags(m) & (CMD_FLAG_REQUEST | CMD_FLAG_ERROR), 0);
    struct cx_uaa out;
    assert_int_equal(cx_uaa_parse(m, &out), 0);
    assert_int_equal(out.result.result_code, 5005);
    assert_int_equal(out.result.exp_result, 0);
    assert_non_null(out.hdr.session_id);
    cx_uaa_free_fields(&out);
    struct avp *fa = find(m, 279, 0);
    assert_non_null(fa);
    struct avp *inner = find(fa, 601, V3);
    assert_non_null(inner);
    struct avp_hdr *h = NULL;
    fd_msg_avp_hdr(inner, &h);
    assert_true(h->avp_flags & AVP_FLAG_VENDOR);
    assert_int_equal(h->avp_value->os.len, 0);
    assert_non_null(find(m, 281, 0)); /* Error-Message */
    assert_non_null(find(m, 260, 0)); /* Vendor-Specific-Application-Id */
    fd_msg_free(m);
}

static void test_check_bad_enum(void **state)
{
    struct cx_sar in = {.hdr = {.dest_realm = "localdomain"},
                        .server_name = "sip:scscf.localdomain",
                        .server_assignment_type = 99,
                        .user_data_already_available = 0};
    struct cx_error err;
    struct msg *m = NULL;
    assert_int_equal(cx_sar_build(&in, &m), 0);
    m = wire(m);
    assert_int_equal(cx_request_check(m, &err), -EPROTO);
    assert_int_equal(err.result_code, CX_DIAMETER_INVALID_AVP_VALUE);
    assert_int_equal(err.avp_code, 614);
    assert_true(err.has_value);
    assert_int_equal(err.value, 99);
    assert_int_equal(cx_answer_error_build(&m, &err), 0);
    m = wire(m);
    struct cx_saa out;
    assert_int_equal(cx_saa_parse(m, &out), 0);
    assert_int_equal(out.result.result_code, 5004);
    cx_saa_free_fields(&out);
    struct avp *inner = find(find(m, 279, 0), 614, V3);
    assert_non_null(inner);
    struct avp_hdr *h = NULL;
    fd_msg_avp_hdr(inner, &h);
    assert_int_equal(h->avp_value->i32, 99);
    fd_msg_free(m);

    /* An Enumerated value inside a group is checked too (Reason-Code in RTR). */
    struct cx_rtr rtr = {.hdr = {.dest_realm = "localdomain", .dest_host = "scscf.localdomain"},
                         .user_name = "alice@localdomain",
                         .reason_code = 7};
    assert_int_equal(cx_rtr_build(&rtr, &m), 0);
    m = wire(m);
    assert_int_equal(cx_request_check(m, &err), -EPROTO);
    assert_int_equal(err.result_code, CX_DIAMETER_INVALID_AVP_VALUE);
    assert_int_equal(err.avp_code, 616);
    fd_msg_free(m);

    /* Missing mandatory AVPs of other commands. */
    struct cx_mar mar = {.hdr = {.dest_realm = "localdomain"},
                         .user_name = "a@localdomain",
                         .public_identity = "sip:a@localdomain",
                         .server_name = "sip:s",
                         .num_auth_items = 1};
    assert_int_equal(cx_mar_build(&mar, &m), 0);
    remove_avp(m, 607, V3);
    m = wire(m);
    assert_int_equal(cx_request_check(m, &err), -EPROTO);
    assert_int_equal(err.result_code, CX_DIAMETER_MISSING_AVP);
    assert_int_equal(err.avp_code, 607);
    fd_msg_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uar),
        cmocka_unit_test(test_uar_required_fields),
        cmocka_unit_test(test_uaa),
        cmocka_unit_test(test_mar),
        cmocka_unit_test(test_maa),
        cmocka_unit_test(test_maa_sip_digest),
        cmocka_unit_test(test_sar_saa),
        cmocka_unit_test(test_lir_lia),
        cmocka_unit_test(test_rtr_rta),
        cmocka_unit_test(test_ppr_ppa),
        cmocka_unit_test(test_experimental_vs_result_code),
        cmocka_unit_test(test_dictionary),
        cmocka_unit_test(test_result_names),
        cmocka_unit_test(test_check_missing_public_identity),
        cmocka_unit_test(test_check_bad_enum),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
