/*
 * Unit tests of common/sip on the messages of the IMS registration flow:
 * parse, serialise and re-parse each, read every header the CSCFs use, and
 * reject malformed variants with the right 400 reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip/sip.h"
#include "test_sip_util.h"

#define D     "ims.mnc001.mcc001.3gppnetwork.org"
#define IMPI  "001010000000001@" D
#define IMPU  "sip:001010000000001@" D
#define CK    "b40ba9a3c58b2a05bbf0d987b21bf8cb"
#define IK    "f769bcd751044604127672711c6d3441"
#define NONCE "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M="

static const char *const good_files[] = {
    "reg1_ue.sip",  "reg1_401_scscf.sip", "reg1_401_pcscf.sip", "reg2_ue.sip",
    "reg2_200.sip", "subscribe_reg.sip",  "notify_reg.sip",
};

static const char *const ext_headers[] = {
    "Path",
    "Service-Route",
    "P-Associated-URI",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "P-Access-Network-Info",
    "P-Visited-Network-ID",
    "P-Charging-Vector",
    "Security-Client",
    "Security-Server",
    "Security-Verify",
    "Supported",
    "Require",
    "Proxy-Require",
    "Expires",
    "Event",
    "Subscription-State",
    "Authorization",
    "WWW-Authenticate",
    "Max-Forwards",
};

static osip_message_t *load_msg(const char *name)
{
    char why[128] = "";
    osip_message_t *m = NULL;
    size_t len = 0;
    char *buf = test_sip_load(name, &len);

    assert_non_null(buf);
    if (sip_msg_parse(buf, len, &m, why, sizeof(why)) != 0)
        fail_msg("%s: %s", name, why);
    free(buf);
    return m;
}

/* Serialises m and parses the text again. */
static osip_message_t *reparse(osip_message_t *m, char **text)
{
    osip_message_t *m2 = NULL;
    char why[128] = "";
    char *s = NULL;
    size_t len = 0;

    assert_int_equal(sip_msg_to_str(m, &s, &len), 0);
    assert_int_equal(strlen(s), len);
    if (sip_msg_parse(s, len, &m2, why, sizeof(why)) != 0)
        fail_msg("reparse: %s\n%s", why, s);
    if (text != NULL)
        *text = s;
    else
        osip_free(s);
    return m2;
}

static void test_roundtrip_all(void **state)
{
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(good_files) / sizeof(good_files[0]); i++) {
        osip_message_t *a = load_msg(good_files[i]);
        osip_message_t *b = reparse(a, NULL);

        assert_int_equal(MSG_IS_REQUEST(a), MSG_IS_REQUEST(b));
        if (MSG_IS_REQUEST(a))
            assert_string_equal(a->sip_method, b->sip_method);
        else
            assert_int_equal(a->status_code, b->status_code);
        assert_string_equal(a->call_id->number, b->call_id->number);
        assert_string_equal(a->cseq->number, b->cseq->number);
        assert_string_equal(a->cseq->method, b->cseq->method);
        assert_int_equal(osip_list_size(&a->vias), osip_list_size(&b->vias));
        assert_int_equal(osip_list_size(&a->contacts), osip_list_size(&b->contacts));
        assert_int_equal(osip_list_size(&a->routes), osip_list_size(&b->routes));
        for (k = 0; k < sizeof(ext_headers) / sizeof(ext_headers[0]); k++) {
            int n = sip_hdr_count(a, ext_headers[k]), j;
            assert_int_equal(n, sip_hdr_count(b, ext_headers[k]));
            for (j = 0; j < n; j++)
                assert_string_equal(sip_hdr_get(a, ext_headers[k], j),
                                    sip_hdr_get(b, ext_headers[k], j));
        }
        assert_int_equal(osip_list_size(&a->bodies), osip_list_size(&b->bodies));
        if (osip_list_size(&a->bodies) > 0) {
            osip_body_t *ba = osip_list_get(&a->bodies, 0), *bb = osip_list_get(&b->bodies, 0);
            assert_int_equal(ba->length, bb->length);
            assert_memory_equal(ba->body, bb->body, ba->length);
        }
        osip_message_free(a);
        osip_message_free(b);
    }
}

static void test_initial_register(void **state)
{
    osip_message_t *m = load_msg("reg1_ue.sip"), *m2;
    struct sip_auth_credentials cr;
    struct sip_sec_mech mech[SIP_SEC_MECH_MAX];
    struct sip_pani pani;
    char why[128], buf[256], *text = NULL;
    osip_contact_t *c;
    uint32_t v;

    (void)state;
    assert_true(sip_msg_is_method(m, "REGISTER"));
    assert_false(sip_msg_is_method(m, "INVITE"));

    /* Authorization with empty nonce and response survives osip */
    assert_int_equal(sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why)), 0);
    assert_string_equal(cr.scheme, "Digest");
    assert_string_equal(cr.username, IMPI);
    assert_string_equal(cr.realm, D);
    assert_string_equal(cr.nonce, "");
    assert_string_equal(cr.response, "");
    assert_string_equal(cr.uri, "sip:" D);
    assert_int_equal(sip_auth_credentials_get(m, false, 1, &cr, why, sizeof(why)), -ENOENT);

    /* Security-Client: two mechanisms in one header */
    assert_int_equal(sip_sec_get(m, "Security-Client", mech, SIP_SEC_MECH_MAX, why, sizeof(why)),
                     2);
    assert_string_equal(mech[0].mech, "ipsec-3gpp");
    assert_string_equal(mech[0].alg, "hmac-sha-1-96");
    assert_string_equal(mech[1].alg, "hmac-md5-96");
    assert_string_equal(mech[0].ealg, "null");
    assert_string_equal(mech[0].prot, "esp");
    assert_string_equal(mech[0].mod, "trans");
    assert_int_equal(mech[0].spi_c, 3929102);
    assert_int_equal(mech[0].spi_s, 3929103);
    assert_int_equal(mech[0].port_c, 50200);
    assert_int_equal(mech[0].port_s, 50201);
    assert_int_equal(mech[0].q, -1);

    /* Contact with instance, reg-id, feature tags; Expires header applies */
    c = osip_list_get(&m->contacts, 0);
    assert_non_null(c);
    assert_false(sip_contact_is_star(m));
    assert_int_equal(sip_contact_instance(c, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "<urn:gsma:imei:35622210-068740-0>");
    assert_int_equal(sip_contact_reg_id(c, &v), 0);
    assert_int_equal(v, 1);
    assert_true(sip_contact_has_param(c, "+g.3gpp.smsip"));
    assert_true(sip_contact_has_param(c, "+G.3GPP.ICSI-REF"));
    assert_int_equal(sip_contact_param_get(c, "+g.3gpp.icsi-ref", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel");
    assert_int_equal(sip_contact_param_get(c, "+g.3gpp.smsip", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    assert_int_equal(sip_contact_param_get(c, "expires", buf, sizeof(buf)), -ENOENT);
    assert_int_equal(sip_contact_expires(m, c, 3600, 0, &v), 0);
    assert_int_equal(v, 600000);
    assert_int_equal(sip_contact_expires(m, c, 3600, 7200, &v), 0);
    assert_int_equal(v, 7200);

    /* option tags, split by osip over several values */
    assert_true(sip_hdr_has_token(m, "Require", "sec-agree"));
    assert_true(sip_hdr_has_token(m, "Proxy-Require", "sec-agree"));
    assert_true(sip_hdr_has_token(m, "Supported", "path"));
    assert_true(sip_hdr_has_token(m, "k", "SEC-AGREE"));
    assert_false(sip_hdr_has_token(m, "Supported", "gruu"));
    assert_int_equal(sip_hdr_get_uint(m, "Max-Forwards", &v), 0);
    assert_int_equal(v, 70);
    assert_int_equal(sip_hdr_get_uint(m, "Min-Expires", &v), -ENOENT);

    assert_int_equal(sip_pani_get(m, 0, &pani), 0);
    assert_string_equal(pani.access_type, "3GPP-E-UTRAN-FDD");
    assert_string_equal(sip_pani_param(&pani, "utran-cell-id-3gpp"), "0010100010019B01");
    assert_false(pani.network_provided);

    /* the forwarded text keeps the raw Authorization and canonical header names */
    m2 = reparse(m, &text);
    assert_non_null(strstr(text, "\r\nAuthorization: Digest username=\"" IMPI "\", realm=\"" D
                                 "\", nonce=\"\", uri=\"sip:" D "\", response=\"\"\r\n"));
    assert_non_null(strstr(text, "\r\nSecurity-Client: ipsec-3gpp;alg=hmac-sha-1-96;"));
    assert_non_null(strstr(text, "\r\nP-Access-Network-Info: 3GPP-E-UTRAN-FDD;"));
    assert_null(strstr(text, "Security-client"));
    osip_free(text);
    osip_message_free(m2);
    osip_message_free(m);
}

static void test_401_at_pcscf(void **state)
{
    osip_message_t *m = load_msg("reg1_401_scscf.sip"), *want = load_msg("reg1_401_pcscf.sip"), *m2;
    struct sip_auth_challenge ch, ch_want;
    struct sip_sec_mech srv, got[SIP_SEC_MECH_MAX], exp[SIP_SEC_MECH_MAX];
    char why[128], ck[64], ik[64], buf[512], *text = NULL;
    int n;

    (void)state;
    assert_int_equal(sip_auth_challenge_get(m, false, 0, &ch, why, sizeof(why)), 0);
    assert_string_equal(ch.realm, D);
    assert_string_equal(ch.nonce, NONCE);
    assert_string_equal(ch.algorithm, "AKAv1-MD5");
    assert_string_equal(ch.qop, "auth,auth-int");
    assert_string_equal(ch.ck, CK);
    assert_string_equal(ch.ik, IK);
    assert_false(ch.stale);
    assert_int_equal(sip_auth_challenge_get(m, true, 0, &ch, why, sizeof(why)), -ENOENT);

    /* the P-CSCF keeps ck/ik and strips them */
    assert_int_equal(sip_auth_challenge_take_keys(m, ck, sizeof(ck), ik, sizeof(ik)), 0);
    assert_string_equal(ck, CK);
    assert_string_equal(ik, IK);
    assert_int_equal(sip_auth_challenge_get(m, false, 0, &ch, why, sizeof(why)), 0);
    assert_string_equal(ch.ck, "");
    assert_string_equal(ch.ik, "");
    assert_string_equal(ch.nonce, NONCE);
    assert_string_equal(ch.qop, "auth,auth-int");

    /* and adds Security-Server */
    sip_sec_mech_init(&srv);
    strcpy(srv.mech, "ipsec-3gpp");
    srv.q = 100;
    strcpy(srv.prot, "esp");
    strcpy(srv.mod, "trans");
    srv.spi_c = 8801;
    srv.spi_s = 8802;
    srv.port_c = 5062;
    srv.port_s = 5064;
    strcpy(srv.alg, "hmac-sha-1-96");
    strcpy(srv.ealg, "null");
    assert_int_equal(sip_sec_build(&srv, 1, buf, sizeof(buf)), 0);
    assert_string_equal(buf, sip_hdr_get(want, "Security-Server", 0));
    assert_int_equal(sip_hdr_add(m, "Security-Server", buf), 0);
    /* drop the Via of the I-CSCF and P-CSCF as the proxies would */
    while (osip_list_size(&m->vias) > 1) {
        osip_via_t *v = osip_list_get(&m->vias, 0);
        osip_list_remove(&m->vias, 0);
        osip_via_free(v);
    }

    m2 = reparse(m, &text);
    assert_null(strstr(text, "ck="));
    assert_null(strstr(text, "ik="));
    assert_non_null(strstr(text, "\r\nWWW-Authenticate: Digest realm=\"" D "\", nonce=\"" NONCE
                                 "\", algorithm=AKAv1-MD5, qop=\"auth,auth-int\"\r\n"));
    assert_int_equal(sip_auth_challenge_get(m2, false, 0, &ch, why, sizeof(why)), 0);
    assert_int_equal(sip_auth_challenge_get(want, false, 0, &ch_want, why, sizeof(why)), 0);
    assert_string_equal(ch.nonce, ch_want.nonce);
    assert_string_equal(ch.realm, ch_want.realm);
    assert_string_equal(ch.ck, ch_want.ck);
    n = sip_sec_get(m2, "Security-Server", got, SIP_SEC_MECH_MAX, why, sizeof(why));
    assert_int_equal(n, 1);
    assert_int_equal(sip_sec_get(want, "Security-Server", exp, SIP_SEC_MECH_MAX, why, sizeof(why)),
                     1);
    assert_true(sip_sec_is_equal(got, 1, exp, 1));
    assert_int_equal(sip_hdr_count(m2, "WWW-Authenticate"), 1);
    osip_free(text);
    osip_message_free(m2);
    osip_message_free(m);
    osip_message_free(want);
}

static void test_second_register(void **state)
{
    osip_message_t *m = load_msg("reg2_ue.sip"), *srv = load_msg("reg1_401_pcscf.sip");
    struct sip_auth_credentials cr;
    struct sip_sec_mech verify[SIP_SEC_MECH_MAX], server[SIP_SEC_MECH_MAX],
        client[SIP_SEC_MECH_MAX];
    char why[128];
    int nv, ns;

    (void)state;
    assert_int_equal(sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why)), 0);
    assert_string_equal(cr.username, IMPI);
    assert_string_equal(cr.nonce, NONCE);
    assert_string_equal(cr.response, "402ab8df9f3a4d63a9f47c2f90e02938");
    assert_string_equal(cr.algorithm, "AKAv1-MD5");
    assert_string_equal(cr.cnonce, "0a4f113b");
    assert_string_equal(cr.qop, "auth");
    assert_string_equal(cr.nc, "00000001");
    assert_string_equal(cr.integrity_protected, "");

    nv = sip_sec_get(m, "Security-Verify", verify, SIP_SEC_MECH_MAX, why, sizeof(why));
    ns = sip_sec_get(srv, "Security-Server", server, SIP_SEC_MECH_MAX, why, sizeof(why));
    assert_int_equal(nv, 1);
    assert_int_equal(ns, 1);
    assert_true(sip_sec_is_equal(verify, (size_t)nv, server, (size_t)ns));
    verify[0].spi_s++;
    assert_false(sip_sec_is_equal(verify, (size_t)nv, server, (size_t)ns));
    assert_int_equal(sip_sec_get(m, "Security-Client", client, SIP_SEC_MECH_MAX, why, sizeof(why)),
                     2);
    assert_false(sip_sec_is_equal(client, 1, server, 1));

    /* the P-CSCF marks the REGISTER as received over the SA */
    assert_int_equal(sip_auth_set_integrity_protected(m, "yes"), 0);
    assert_int_equal(sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why)), 0);
    assert_string_equal(cr.integrity_protected, "yes");
    assert_string_equal(cr.response, "402ab8df9f3a4d63a9f47c2f90e02938");
    assert_string_equal(cr.nc, "00000001");
    assert_int_equal(sip_auth_set_integrity_protected(m, "no"), 0);
    assert_int_equal(sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why)), 0);
    assert_string_equal(cr.integrity_protected, "no");
    assert_int_equal(sip_hdr_count(m, "Authorization"), 1);
    assert_int_equal(sip_auth_set_integrity_protected(srv, "yes"), -ENOENT);
    osip_message_free(m);
    osip_message_free(srv);
}

static void test_200_ok(void **state)
{
    osip_message_t *m = load_msg("reg2_200.sip"), *m2;
    struct sip_addr a[8];
    struct sip_pcv pcv;
    struct sip_via_info via;
    osip_contact_t *c;
    uint32_t v;
    char *text = NULL;

    (void)state;
    assert_int_equal(sip_addr_list_get(m, "Path", a, 8), 1);
    assert_string_equal(a[0].uri, "sip:term@pcscf." D ":5060;lr");
    assert_int_equal(sip_addr_list_get(m, "Service-Route", a, 8), 1);
    assert_string_equal(a[0].uri, "sip:orig@scscf." D ":6060;lr");
    assert_int_equal(sip_addr_list_get(m, "P-Associated-URI", a, 8), 3);
    assert_string_equal(a[0].uri, IMPU);
    assert_string_equal(a[1].uri, "sip:+15551234567@" D ";user=phone");
    assert_string_equal(a[2].uri, "tel:+1-555-123-4567");
    assert_int_equal(sip_addr_list_get(m, "P-Associated-URI", a, 2), -E2BIG);
    assert_true(sip_uri_aor_is_equal(a[2].uri, "tel:+15551234567"));

    c = osip_list_get(&m->contacts, 0);
    assert_int_equal(sip_contact_expires(m, c, 3600, 0, &v), 0);
    assert_int_equal(v, 600000);

    assert_int_equal(sip_pcv_get(m, &pcv), 0);
    assert_string_equal(pcv.icid, "5e5c4b1d7a3f4c2b9d8e7f6a5b4c3d2e");
    assert_string_equal(pcv.icid_gen_at, "10.45.0.1");
    assert_string_equal(pcv.orig_ioi, D);
    assert_string_equal(pcv.term_ioi, "");

    assert_int_equal(sip_via_top(m, &via), 0);
    assert_string_equal(via.host, "icscf." D);
    assert_int_equal(via.port, 4060);
    assert_string_equal(via.branch, "z9hG4bKic1");
    assert_int_equal(via.rport, -1);

    /* Date keeps its comma; the P-CSCF prepends its own Path on the way */
    assert_string_equal(sip_hdr_get(m, "Date", 0), "Wed, 25 Nov 2026 06:30:00 GMT");
    assert_int_equal(sip_addr_list_add(m, "Path", "sip:second@pcscf2." D, true, true), 0);
    m2 = reparse(m, &text);
    assert_int_equal(sip_addr_list_get(m2, "Path", a, 8), 2);
    assert_string_equal(a[0].uri, "sip:second@pcscf2." D ";lr");
    assert_string_equal(a[1].uri, "sip:term@pcscf." D ":5060;lr");
    assert_non_null(strstr(text, "\r\nPath: <sip:second@pcscf2." D ";lr>\r\nPath: <sip:term@"));
    assert_non_null(strstr(text, "\r\nP-Associated-URI: <" IMPU ">\r\n"));
    osip_free(text);
    osip_message_free(m2);
    osip_message_free(m);
}

static void test_subscribe_notify(void **state)
{
    osip_message_t *m = load_msg("subscribe_reg.sip"), *n = load_msg("notify_reg.sip");
    struct sip_addr a[4];
    struct sip_substate st;
    char pkg[32], id[32], buf[128];
    uint32_t v;
    osip_body_t *body;

    (void)state;
    assert_int_equal(sip_event_get(m, pkg, sizeof(pkg), id, sizeof(id)), 0);
    assert_string_equal(pkg, "reg");
    assert_string_equal(id, "");
    assert_int_equal(sip_hdr_get_uint(m, "Expires", &v), 0);
    assert_int_equal(v, 600000);
    assert_int_equal(sip_addr_list_get(m, "Route", a, 4), 2);
    assert_string_equal(a[0].uri, "sip:pcscf." D ":5064;lr");
    assert_string_equal(a[1].uri, "sip:orig@scscf." D ":6060;lr");
    assert_int_equal(sip_addr_list_get(m, "P-Asserted-Identity", a, 4), 2);
    assert_string_equal(a[0].display, "Alice, UE 1");
    assert_string_equal(a[0].uri, IMPU);
    assert_string_equal(a[1].uri, "tel:+15551234567");
    assert_int_equal(sip_addr_list_get(m, "P-Preferred-Identity", a, 4), 1);
    assert_string_equal(a[0].uri, IMPU);
    assert_int_equal(sip_pvni_get(m, 0, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Visited Network Number 1");
    assert_int_equal(sip_pvni_get(m, 1, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "ims.mnc002.mcc001.3gppnetwork.org");
    assert_int_equal(sip_pvni_get(m, 2, buf, sizeof(buf)), -ENOENT);

    assert_int_equal(sip_substate_get(n, &st), 0);
    assert_string_equal(st.state, "active");
    assert_int_equal(st.expires, 600000);
    assert_int_equal(st.retry_after, -1);
    assert_int_equal(sip_event_get(n, pkg, sizeof(pkg), NULL, 0), 0);
    assert_string_equal(pkg, "reg");
    assert_non_null(n->content_type);
    assert_string_equal(n->content_type->subtype, "reginfo+xml");
    body = osip_list_get(&n->bodies, 0);
    assert_non_null(body);
    assert_int_equal(body->length, 391);
    assert_non_null(
        strstr(body->body, "<registration aor=\"" IMPU "\" id=\"a7\" state=\"active\">"));
    osip_message_free(m);
    osip_message_free(n);
}

static void test_response_new(void **state)
{
    osip_message_t *req = load_msg("reg1_ue.sip"), *r = NULL, *r2;
    osip_generic_param_t *tag = NULL;
    char *text = NULL;

    (void)state;
    assert_int_equal(sip_response_new(req, 401, "Unauthorized", "abc123", &r), 0);
    assert_int_equal(r->status_code, 401);
    assert_string_equal(r->reason_phrase, "Unauthorized");
    assert_int_equal(osip_to_get_tag(r->to, &tag), 0);
    assert_string_equal(tag->gvalue, "abc123");
    r2 = reparse(r, &text);
    assert_non_null(strstr(text, "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.45.0.2:5060;"
                                 "branch=z9hG4bK1187459371;rport\r\n"));
    assert_non_null(strstr(text, "\r\nCSeq: 1 REGISTER\r\n"));
    assert_non_null(strstr(text, "\r\nCall-ID: 1870463209@10.45.0.2\r\n"));
    assert_non_null(strstr(text, "From: <" IMPU ">;tag=3817206582\r\n"));
    assert_non_null(strstr(text, "To: <" IMPU ">;tag=abc123\r\n"));
    assert_non_null(strstr(text, "Content-Length: 0\r\n\r\n"));
    osip_free(text);
    osip_message_free(r2);
    osip_message_free(r);

    assert_int_equal(sip_response_new(req, 100, NULL, NULL, &r), 0);
    assert_string_equal(r->reason_phrase, "Trying");
    tag = NULL;
    assert_int_not_equal(osip_to_get_tag(r->to, &tag), 0);
    osip_message_free(r);

    assert_int_equal(sip_response_new(req, 200, NULL, NULL, &r), 0);
    assert_int_equal(osip_to_get_tag(r->to, &tag), 0);
    assert_int_equal(strlen(tag->gvalue), 16);
    /* a response to a response, or a bad code, is refused */
    assert_int_equal(sip_response_new(r, 200, NULL, NULL, &r2), -EINVAL);
    assert_null(r2);
    assert_int_equal(sip_response_new(req, 99, NULL, NULL, &r2), -EINVAL);
    assert_int_equal(sip_response_new(req, 700, NULL, NULL, &r2), -EINVAL);
    osip_message_free(r);
    osip_message_free(req);
}

/* The bytes cannot be parsed: sip_msg_parse() refuses them with reason. */
static void expect_unparseable(const char *name, const char *reason)
{
    char why[128] = "";
    osip_message_t *m = (osip_message_t *)1;
    size_t len = 0;
    char *buf = test_sip_load(name, &len);

    assert_non_null(buf);
    assert_int_equal(sip_msg_parse(buf, len, &m, why, sizeof(why)), -EBADMSG);
    assert_null(m);
    if (strcmp(why, reason) != 0)
        fail_msg("%s: expected \"%s\", got \"%s\"", name, reason, why);
    free(buf);
}

/* The request parses but sip_msg_check() wants a 400 with reason; build it. */
static void expect_400(const char *name, const char *reason)
{
    osip_message_t *m = load_msg(name), *r = NULL;
    char why[128] = "", *text = NULL;

    assert_int_equal(sip_msg_check(m, why, sizeof(why)), -EBADMSG);
    if (strcmp(why, reason) != 0)
        fail_msg("%s: expected \"%s\", got \"%s\"", name, reason, why);
    assert_int_equal(sip_response_new(m, 400, why, NULL, &r), 0);
    assert_int_equal(sip_msg_to_str(r, &text, NULL), 0);
    assert_non_null(strstr(text, "SIP/2.0 400 "));
    assert_non_null(strstr(text, reason));
    assert_non_null(strstr(text, "\r\nVia: SIP/2.0/UDP 10.45.0.2:5060"));
    osip_free(text);
    osip_message_free(r);
    osip_message_free(m);
}

static void test_malformed(void **state)
{
    osip_message_t *m = NULL;
    struct sip_sec_mech mech[SIP_SEC_MECH_MAX];
    struct sip_auth_credentials cr;
    char why[128] = "";
    size_t i;

    (void)state;
    /* every message of the flow passes the check */
    for (i = 0; i < sizeof(good_files) / sizeof(good_files[0]); i++) {
        m = load_msg(good_files[i]);
        if (sip_msg_check(m, why, sizeof(why)) != 0)
            fail_msg("%s: %s", good_files[i], why);
        osip_message_free(m);
    }
    expect_400("bad_no_callid.sip", "Missing Call-ID");
    expect_400("bad_cseq_mismatch.sip", "CSeq method mismatch");
    expect_400("bad_no_from_tag.sip", "Missing From tag");
    expect_400("bad_no_branch.sip", "Missing Via branch");
    expect_400("bad_max_forwards.sip", "Bad Max-Forwards");
    expect_unparseable("bad_content_length.sip", "Content-Length larger than body");
    expect_unparseable("bad_start_line.sip", "Bad start line");
    assert_int_equal(sip_msg_parse("", 0, &m, why, sizeof(why)), -EBADMSG);
    assert_string_equal(why, "Empty message");
    assert_int_equal(sip_msg_parse("\x01\x02garbage\r\n\r\n", 13, &m, why, sizeof(why)), -EBADMSG);
    assert_string_equal(why, "Bad start line");

    /* these parse, but their Security-Client and Authorization are rejected */
    m = load_msg("bad_secclient.sip");
    assert_int_equal(sip_sec_get(m, "Security-Client", mech, SIP_SEC_MECH_MAX, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "spi-c out of range");
    osip_message_free(m);
    m = load_msg("bad_digest.sip");
    assert_int_equal(sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why)), -EBADMSG);
    assert_string_equal(why, "Bad auth parameter syntax");
    osip_message_free(m);
}

/* Every strict prefix of every message must be rejected, and never crash. */
static void test_truncated(void **state)
{
    size_t i, cut, len = 0;

    (void)state;
    for (i = 0; i < sizeof(good_files) / sizeof(good_files[0]); i++) {
        char *buf = test_sip_load(good_files[i], &len);
        assert_non_null(buf);
        for (cut = 0; cut < len; cut++) {
            osip_message_t *m = NULL;
            char why[128] = "";
            char *part = malloc(cut + 1);
            assert_non_null(part);
            memcpy(part, buf, cut);
            if (sip_msg_parse(part, cut, &m, why, sizeof(why)) != -EBADMSG)
                fail_msg("%s cut at %zu/%zu was accepted", good_files[i], cut, len);
            assert_null(m);
            assert_true(why[0] != '\0' || cut == 0);
            free(part);
        }
        free(buf);
    }
}

/* Random byte mutations: the parser and the helpers must never crash (ASan). */
static void test_mutations(void **state)
{
    unsigned seed = 12345;
    size_t i, len = 0;
    int iter, accepted = 0;

    (void)state;
    for (i = 0; i < sizeof(good_files) / sizeof(good_files[0]); i++) {
        char *orig = test_sip_load(good_files[i], &len);
        assert_non_null(orig);
        for (iter = 0; iter < 300; iter++) {
            char *buf = malloc(len);
            osip_message_t *m = NULL;
            struct sip_sec_mech mech[SIP_SEC_MECH_MAX];
            struct sip_auth_credentials cr;
            struct sip_auth_challenge ch;
            struct sip_addr a[8];
            char why[128];
            int k, nmut;

            assert_non_null(buf);
            memcpy(buf, orig, len);
            nmut = 1 + (int)(rand_r(&seed) % 4);
            for (k = 0; k < nmut; k++) {
                static const char pool[] = ";,=\"<>\\: \r\n0aZ\x00\xff";
                buf[rand_r(&seed) % len] = pool[rand_r(&seed) % (sizeof(pool) - 1)];
            }
            if (sip_msg_parse(buf, len, &m, why, sizeof(why)) == 0) {
                char *s = NULL;
                osip_message_t *r = NULL;
                accepted++;
                (void)sip_msg_check(m, why, sizeof(why));
                if (MSG_IS_REQUEST(m) && sip_response_new(m, 400, "Bad", NULL, &r) == 0)
                    osip_message_free(r);
                (void)sip_sec_get(m, "Security-Client", mech, SIP_SEC_MECH_MAX, why, sizeof(why));
                (void)sip_sec_get(m, "Security-Verify", mech, SIP_SEC_MECH_MAX, why, sizeof(why));
                (void)sip_auth_credentials_get(m, false, 0, &cr, why, sizeof(why));
                (void)sip_auth_challenge_get(m, false, 0, &ch, why, sizeof(why));
                (void)sip_addr_list_get(m, "Path", a, 8);
                (void)sip_addr_list_get(m, "P-Associated-URI", a, 8);
                (void)sip_addr_list_get(m, "Route", a, 8);
                (void)sip_auth_challenge_take_keys(m, NULL, 0, NULL, 0);
                (void)sip_auth_set_integrity_protected(m, "yes");
                assert_int_equal(sip_msg_to_str(m, &s, NULL), 0);
                osip_free(s);
                osip_message_free(m);
            } else {
                assert_null(m);
            }
            free(buf);
        }
        free(orig);
    }
    assert_true(accepted > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all), cmocka_unit_test(test_initial_register),
        cmocka_unit_test(test_401_at_pcscf),  cmocka_unit_test(test_second_register),
        cmocka_unit_test(test_200_ok),        cmocka_unit_test(test_subscribe_notify),
        cmocka_unit_test(test_response_new),  cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_truncated),     cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
