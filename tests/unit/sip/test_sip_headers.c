/*
 * Unit tests of the common/sip header helpers on header values: Security-*,
 * Digest challenge and credentials, URIs and AORs, P-headers, generic
 * headers with compact forms, Subscription-State, Contact "*".
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

#define CANON                                                                                      \
    "ipsec-3gpp;q=0.1;prot=esp;mod=trans;spi-c=1111;spi-s=2222;port-c=5062;port-s=5064;"           \
    "alg=hmac-sha-1-96;ealg=null"

static void test_sec_canonical(void **state)
{
    struct sip_sec_mech a[4], b[4];
    char why[128], buf[512];
    int n;

    (void)state;
    n = sip_sec_parse("ipsec-3gpp; ealg=null ;alg=hmac-sha-1-96;port-s=5064;port-c=5062;"
                      "spi-s=2222;spi-c=1111;mod=trans;prot=esp;q=0.1",
                      a, 4, why, sizeof(why));
    assert_int_equal(n, 1);
    assert_int_equal(a[0].q, 100);
    assert_int_equal(sip_sec_mech_build(&a[0], buf, sizeof(buf)), 0);
    assert_string_equal(buf, CANON);
    assert_int_equal(sip_sec_parse(CANON, b, 4, why, sizeof(why)), 1);
    assert_true(sip_sec_is_equal(a, 1, b, 1));
    /* extremes of the ranges, unknown params kept and compared by value */
    n = sip_sec_parse("ipsec-3gpp;spi-c=0;spi-s=4294967295;port-c=1;port-s=65535;q=1;x-foo=\"a b\","
                      " tls;q=0.005",
                      a, 4, why, sizeof(why));
    assert_int_equal(n, 2);
    assert_int_equal(a[0].spi_c, 0);
    assert_int_equal(a[0].spi_s, 4294967295LL);
    assert_int_equal(a[0].port_s, 65535);
    assert_int_equal(a[0].q, 1000);
    assert_int_equal(a[0].n_unknown, 1);
    assert_string_equal(a[0].unknown[0].value, "a b");
    assert_int_equal(a[1].q, 5);
    assert_int_equal(sip_sec_build(a, 2, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "ipsec-3gpp;q=1.0;spi-c=0;spi-s=4294967295;port-c=1;port-s=65535;"
                             "x-foo=\"a b\", tls;q=0.005");
    assert_int_equal(sip_sec_parse(buf, b, 4, why, sizeof(why)), 2);
    assert_true(sip_sec_is_equal(a, 2, b, 2));
    assert_false(sip_sec_is_equal(a, 2, b, 1));
    b[0].port_c = 2;
    assert_false(sip_sec_is_equal(a, 2, b, 2));
    assert_int_equal(sip_sec_parse("tls, tls, tls", a, 2, why, sizeof(why)), -E2BIG);
}

static void expect_sec_error(const char *value, const char *reason)
{
    struct sip_sec_mech m[4];
    char why[128] = "";

    assert_int_equal(sip_sec_parse(value, m, 4, why, sizeof(why)), -EBADMSG);
    if (strcmp(why, reason) != 0)
        fail_msg("%s: expected \"%s\", got \"%s\"", value, reason, why);
}

static void test_sec_errors(void **state)
{
    (void)state;
    expect_sec_error("ipsec-3gpp;spi-c=4294967296", "spi-c out of range");
    expect_sec_error("ipsec-3gpp;spi-s=-1", "spi-s out of range");
    expect_sec_error("ipsec-3gpp;spi-s=12345678901", "spi-s out of range");
    expect_sec_error("ipsec-3gpp;port-c=0", "port-c out of range");
    expect_sec_error("ipsec-3gpp;port-s=65536", "port-s out of range");
    expect_sec_error("ipsec-3gpp;port-s=", "Bad parameter syntax in ipsec-3gpp");
    expect_sec_error("ipsec-3gpp;q=1.5", "q out of range");
    expect_sec_error("ipsec-3gpp;q=0.1234", "q out of range");
    expect_sec_error("ipsec-3gpp;prot=xyz", "Unknown prot xyz");
    expect_sec_error("ipsec-3gpp;mod=bogus", "Unknown mod bogus");
    expect_sec_error("ipsec-3gpp;alg=a;alg=b", "Duplicate parameter alg");
    expect_sec_error("ipsec-3gpp;alg", "Bad value for alg");
    expect_sec_error("ipsec-3gpp;alg=\"a b\"", "Bad value for alg");
    expect_sec_error("ipsec-3gpp;;=x", "Bad parameter syntax in ipsec-3gpp");
    expect_sec_error(";alg=x", "Missing mechanism name");
    expect_sec_error("ipsec-3gpp x", "Bad character after mechanism ipsec-3gpp");
    expect_sec_error("", "Empty Security header");
    expect_sec_error("ipsec-3gpp;x=\"unterminated", "Unterminated quote");
}

static void test_auth_challenge(void **state)
{
    struct sip_auth_challenge ch, ch2;
    char why[128], buf[1024];

    (void)state;
    assert_int_equal(sip_auth_challenge_parse("Digest realm=\"a\\\"b\",nonce=\"n1\", stale=TRUE,"
                                              "opaque=\"o\",  x-new=tok, y=\"q\\\\v\"",
                                              &ch, why, sizeof(why)),
                     0);
    assert_string_equal(ch.realm, "a\"b");
    assert_true(ch.stale);
    assert_int_equal(ch.n_extra, 2);
    assert_string_equal(ch.extra[1].value, "q\\v");
    assert_int_equal(sip_auth_challenge_build(&ch, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Digest realm=\"a\\\"b\", nonce=\"n1\", opaque=\"o\", stale=true, "
                             "x-new=tok, y=\"q\\\\v\"");
    assert_int_equal(sip_auth_challenge_parse(buf, &ch2, why, sizeof(why)), 0);
    assert_string_equal(ch2.realm, ch.realm);
    assert_string_equal(ch2.extra[1].value, "q\\v");

    assert_int_equal(sip_auth_challenge_parse("Digest realm=\"r\"", &ch, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Digest challenge without nonce");
    assert_int_equal(sip_auth_challenge_parse("Digest realm=\"r\", nonce=\"n\", stale=maybe", &ch,
                                              why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Bad stale value");
    assert_int_equal(sip_auth_challenge_parse("Digest realm=\"r\", realm=\"s\", nonce=\"n\"", &ch,
                                              why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Duplicate parameter realm");
    assert_int_equal(
        sip_auth_challenge_parse("Digest realm=\"r, nonce=\"n\"", &ch, why, sizeof(why)), -EBADMSG);
    assert_int_equal(sip_auth_challenge_parse("", &ch, why, sizeof(why)), -EBADMSG);
    assert_string_equal(why, "Missing auth scheme");
}

static void test_auth_credentials(void **state)
{
    struct sip_auth_credentials cr;
    char why[128], buf[1024];

    (void)state;
    memset(&cr, 0, sizeof(cr));
    strcpy(cr.scheme, "Digest");
    strcpy(cr.username, "001010000000001@ims.example");
    strcpy(cr.realm, "ims.example");
    strcpy(cr.uri, "sip:ims.example");
    strcpy(cr.integrity_protected, "no");
    assert_int_equal(sip_auth_credentials_build(&cr, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Digest username=\"001010000000001@ims.example\", "
                             "realm=\"ims.example\", nonce=\"\", uri=\"sip:ims.example\", "
                             "response=\"\", integrity-protected=\"no\"");

    /* resync: auts, computed with an empty password (RFC 3310) */
    assert_int_equal(sip_auth_credentials_parse(
                         "Digest username=\"u@r\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", "
                         "response=\"0123\", algorithm=AKAv1-MD5, cnonce=\"c\", qop=auth-int, "
                         "nc=0000000a, auts=\"uoU/PBI8z0TpNZbjVcY=\"",
                         &cr, why, sizeof(why)),
                     0);
    assert_string_equal(cr.auts, "uoU/PBI8z0TpNZbjVcY=");
    assert_string_equal(cr.qop, "auth-int");
    assert_string_equal(cr.nc, "0000000a");

    assert_int_equal(sip_auth_credentials_parse("Digest username=\"u\", realm=\"r\", nonce=\"\", "
                                                "uri=\"sip:r\"",
                                                &cr, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Digest credentials without response");
    assert_int_equal(sip_auth_credentials_parse("Digest username=\"\", realm=\"r\", nonce=\"\", "
                                                "uri=\"sip:r\", response=\"\"",
                                                &cr, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Empty Digest username");
    assert_int_equal(sip_auth_credentials_parse("Digest username=\"u\", realm=\"r\", nonce=\"\", "
                                                "uri=\"sip:r\", response=\"\", nc=1",
                                                &cr, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Bad nc value");
    assert_int_equal(
        sip_auth_credentials_parse("Digest username=\"u\" realm=\"r\"", &cr, why, sizeof(why)),
        -EBADMSG);
    assert_string_equal(why, "Bad auth parameter syntax");
    assert_int_equal(sip_auth_credentials_parse("Digest, username=\"u\"", &cr, why, sizeof(why)),
                     -EBADMSG);
    assert_string_equal(why, "Bad character after auth scheme");
}

static void test_auth_on_message(void **state)
{
    osip_message_t *m = NULL;
    struct sip_auth_challenge ch, got;
    char why[128], ck[64], ik[64];

    (void)state;
    /* a message built by other code, with no raw auth header yet */
    assert_int_equal(osip_message_init(&m), 0);
    memset(&ch, 0, sizeof(ch));
    strcpy(ch.scheme, "Digest");
    strcpy(ch.realm, "r");
    strcpy(ch.nonce, "bm9uY2U=");
    strcpy(ch.algorithm, "AKAv1-MD5");
    strcpy(ch.qop, "auth");
    strcpy(ch.ck, "00112233445566778899aabbccddeeff");
    strcpy(ch.ik, "ffeeddccbbaa99887766554433221100");
    assert_int_equal(sip_auth_challenge_add(m, false, &ch), 0);
    assert_int_equal(sip_auth_challenge_add(m, true, &ch), 0);
    assert_int_equal(sip_auth_challenge_get(m, true, 0, &got, why, sizeof(why)), 0);
    assert_string_equal(got.ik, ch.ik);
    assert_int_equal(sip_auth_challenge_take_keys(m, ck, sizeof(ck), ik, sizeof(ik)), 0);
    assert_string_equal(ck, ch.ck);
    assert_string_equal(ik, ch.ik);
    assert_int_equal(sip_auth_challenge_get(m, false, 0, &got, why, sizeof(why)), 0);
    assert_string_equal(got.ck, "");
    assert_string_equal(got.nonce, "bm9uY2U=");
    /* Proxy-Authenticate is left alone */
    assert_int_equal(sip_auth_challenge_get(m, true, 0, &got, why, sizeof(why)), 0);
    assert_string_equal(got.ck, ch.ck);
    assert_int_equal(sip_auth_challenge_get(m, false, 1, &got, why, sizeof(why)), -ENOENT);
    assert_int_equal(sip_auth_set_integrity_protected(m, "yes"), -ENOENT);
    osip_message_free(m);
}

static void test_uri_aor(void **state)
{
    char buf[256];

    (void)state;
    assert_int_equal(sip_uri_aor("sip:Alice@Example.COM:5060;transport=udp?x=y", buf, sizeof(buf)),
                     0);
    assert_string_equal(buf, "sip:Alice@example.com");
    assert_int_equal(sip_uri_aor("<SIPS:a@b:5061;lr>", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "sips:a@b");
    assert_int_equal(sip_uri_aor("sip:a@b:5070", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "sip:a@b:5070");
    assert_int_equal(sip_uri_aor("sip:scscf.ims.example", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "sip:scscf.ims.example");
    assert_int_equal(sip_uri_aor("tel:+1-555-123-4567", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "tel:+15551234567");
    assert_int_equal(sip_uri_aor("tel:1234;phone-context=ims.example;ext=5", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "tel:1234;phone-context=ims.example");
    assert_int_equal(sip_uri_aor("http://example.com/", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(sip_uri_aor("sip:a@b:99999", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(sip_uri_aor("<sip:a@b", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(sip_uri_aor("tel:abc-xyz", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(sip_uri_aor("sip:a@averyveryverylonghost.example", buf, 10), -ENOSPC);

    assert_true(sip_uri_aor_is_equal("sip:alice@HOST", "<sip:alice@host:5060;lr>"));
    assert_true(sip_uri_aor_is_equal("sip:%61lice@host", "sip:alice@host"));
    assert_false(sip_uri_aor_is_equal("sip:Alice@host", "sip:alice@host"));
    assert_false(sip_uri_aor_is_equal("sip:alice@host", "sips:alice@host"));
    assert_false(sip_uri_aor_is_equal("sip:alice@host:5070", "sip:alice@host"));
    assert_true(sip_uri_aor_is_equal("tel:+1-555-1234", "tel:+15551234"));
    assert_false(sip_uri_aor_is_equal("tel:+15551234", "sip:+15551234@host"));
    assert_false(sip_uri_aor_is_equal("garbage", "garbage"));
}

static void test_addr_parse(void **state)
{
    struct sip_addr a;

    (void)state;
    assert_int_equal(sip_addr_parse("\"Bob \\\"B\\\"\" <sip:bob@h;lr>;tag=1", &a), 0);
    assert_string_equal(a.display, "Bob \"B\"");
    assert_string_equal(a.uri, "sip:bob@h;lr");
    assert_string_equal(a.params, ";tag=1");
    assert_int_equal(sip_addr_parse("Bob <tel:+123>", &a), 0);
    assert_string_equal(a.display, "Bob");
    assert_string_equal(a.uri, "tel:+123");
    assert_int_equal(sip_addr_parse("sip:carol@h;tag=2", &a), 0);
    assert_string_equal(a.uri, "sip:carol@h");
    assert_string_equal(a.params, ";tag=2");
    assert_int_equal(sip_addr_parse("<sip:x@h", &a), -EBADMSG);
    assert_int_equal(sip_addr_parse("<nocolon>", &a), -EBADMSG);
    assert_int_equal(sip_addr_parse("\"open <sip:x@h>", &a), -EBADMSG);
    assert_int_equal(sip_addr_parse("<sip:x@h> junk", &a), -EBADMSG);
    assert_int_equal(sip_addr_parse("   ", &a), -EBADMSG);
}

static void test_pheaders(void **state)
{
    struct sip_pcv pcv, pcv2;
    struct sip_pani pani;
    char buf[512], icid[40], icid2[40];

    (void)state;
    assert_int_equal(sip_pcv_parse("icid-value=AyretyU0dm+6O2IrT5tAFrbHLso=023551024; "
                                   "orig-ioi=home1.net;term-ioi=\"x y\";foo",
                                   &pcv),
                     0);
    assert_string_equal(pcv.icid, "AyretyU0dm+6O2IrT5tAFrbHLso=023551024");
    assert_string_equal(pcv.orig_ioi, "home1.net");
    assert_string_equal(pcv.term_ioi, "x y");
    assert_int_equal(pcv.n_other, 1);
    assert_int_equal(sip_pcv_build(&pcv, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "icid-value=\"AyretyU0dm+6O2IrT5tAFrbHLso=023551024\";"
                             "orig-ioi=home1.net;term-ioi=\"x y\";foo");
    assert_int_equal(sip_pcv_parse(buf, &pcv2), 0);
    assert_string_equal(pcv2.icid, pcv.icid);
    assert_int_equal(sip_pcv_parse("orig-ioi=a", &pcv), -EBADMSG);
    assert_int_equal(sip_pcv_parse("icid-value=a;icid-value=b", &pcv), -EBADMSG);
    assert_int_equal(sip_icid_generate(icid, sizeof(icid)), 0);
    assert_int_equal(sip_icid_generate(icid2, sizeof(icid2)), 0);
    assert_int_equal(strlen(icid), 32);
    assert_int_equal(strspn(icid, "0123456789abcdef"), 32);
    assert_string_not_equal(icid, icid2);
    assert_int_equal(sip_icid_generate(icid, 32), -ENOSPC);

    assert_int_equal(sip_pani_parse("IEEE-802.11;i-wlan-node-id=ffffff;network-provided", &pani),
                     0);
    assert_string_equal(pani.access_type, "IEEE-802.11");
    assert_true(pani.network_provided);
    assert_string_equal(sip_pani_param(&pani, "i-wlan-node-id"), "ffffff");
    assert_null(sip_pani_param(&pani, "utran-cell-id-3gpp"));
    assert_int_equal(sip_pani_parse(";x=1", &pani), -EBADMSG);
}

static osip_message_t *parse_text(const char *text)
{
    osip_message_t *m = NULL;
    char why[128] = "";

    if (sip_msg_parse(text, strlen(text), &m, why, sizeof(why)) != 0)
        fail_msg("parse: %s", why);
    return m;
}

static void test_generic_headers(void **state)
{
    osip_message_t *m;
    struct sip_substate st;
    char pkg[16], id[16], buf[128], *s = NULL;
    uint32_t v;

    (void)state;
    m = parse_text("REGISTER sip:ims.example SIP/2.0\r\n"
                   "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa\r\n"
                   "f: <sip:u@ims.example>;tag=1\r\n"
                   "t: <sip:u@ims.example>\r\n"
                   "i: cid-1\r\n"
                   "CSeq: 7 REGISTER\r\n"
                   "m: *\r\n"
                   "Expires: 0\r\n"
                   "k: path\r\n"
                   "o: reg;id=42\r\n"
                   "Retry-After: 120 (busy);duration=60\r\n"
                   "Min-Expires: abc\r\n"
                   "l: 0\r\n\r\n");
    assert_true(sip_contact_is_star(m));
    assert_int_equal(sip_uri_to_buf(m->to->url, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "sip:u@ims.example");
    assert_int_equal(sip_uri_to_buf(m->to->url, buf, 8), -ENOSPC);
    assert_int_equal(sip_hdr_get_uint(m, "Expires", &v), 0);
    assert_int_equal(v, 0);
    assert_true(sip_hdr_has_token(m, "Supported", "path"));
    assert_int_equal(sip_event_get(m, pkg, sizeof(pkg), id, sizeof(id)), 0);
    assert_string_equal(pkg, "reg");
    assert_string_equal(id, "42");
    assert_int_equal(sip_hdr_get_uint(m, "Retry-After", &v), 0);
    assert_int_equal(v, 120);
    assert_int_equal(sip_hdr_get_uint(m, "Min-Expires", &v), -EBADMSG);

    assert_int_equal(sip_hdr_add(m, "Supported", "sec-agree"), 0);
    assert_int_equal(sip_hdr_count(m, "k"), 2);
    assert_int_equal(sip_hdr_prepend(m, "Supported", "gruu"), 0);
    assert_string_equal(sip_hdr_get(m, "Supported", 0), "gruu");
    assert_string_equal(sip_hdr_get(m, "supported", 1), "path");
    assert_null(sip_hdr_get(m, "Supported", 3));
    assert_int_equal(sip_hdr_remove(m, "SUPPORTED"), 3);
    assert_int_equal(sip_hdr_count(m, "Supported"), 0);
    assert_int_equal(sip_hdr_replace(m, "Event", "presence"), 0);
    assert_int_equal(sip_hdr_count(m, "o"), 1);
    assert_int_equal(sip_hdr_set_uint(m, "Min-Expires", 3600), 0);
    assert_int_equal(sip_hdr_get_uint(m, "Min-Expires", &v), 0);
    assert_int_equal(v, 3600);
    assert_int_equal(sip_pvni_add(m, "ims.visited.example"), 0);
    assert_int_equal(sip_pvni_add(m, "Visited \"Net\""), 0);
    assert_int_equal(sip_pvni_get(m, 1, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Visited \"Net\"");
    /* typed osip headers are refused */
    assert_int_equal(sip_hdr_add(m, "Via", "x"), -EINVAL);
    assert_int_equal(sip_hdr_count(m, "Contact"), -EINVAL);
    assert_int_equal(sip_hdr_add(m, "Bad Name", "x"), -EINVAL);
    assert_int_equal(sip_msg_to_str(m, &s, NULL), 0);
    assert_non_null(strstr(s, "\r\nEvent: presence\r\n"));
    assert_non_null(strstr(s, "\r\nP-Visited-Network-ID: \"Visited \\\"Net\\\"\"\r\n"));
    assert_non_null(strstr(s, "\r\nRetry-After: 120 (busy);duration=60\r\n"));
    osip_free(s);
    osip_message_free(m);

    assert_int_equal(sip_substate_parse("terminated;reason=deactivated;retry-after=30", &st), 0);
    assert_string_equal(st.state, "terminated");
    assert_string_equal(st.reason, "deactivated");
    assert_int_equal(st.retry_after, 30);
    assert_int_equal(st.expires, -1);
    assert_int_equal(sip_substate_build(&st, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "terminated;reason=deactivated;retry-after=30");
    assert_int_equal(sip_substate_parse("active;expires=x", &st), -EBADMSG);
    assert_int_equal(sip_substate_parse("", &st), -EBADMSG);
}

static void test_contact_helpers(void **state)
{
    osip_message_t *m;
    osip_contact_t *c;
    uint32_t v;
    char buf[64];

    (void)state;
    m = parse_text(
        "REGISTER sip:ims.example SIP/2.0\r\n"
        "Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKb;rport=5070;received=2001:db8::9\r\n"
        "From: <sip:u@ims.example>;tag=1\r\n"
        "To: <sip:u@ims.example>\r\n"
        "Call-ID: cid-2\r\n"
        "CSeq: 8 REGISTER\r\n"
        "Contact: <sip:u@[2001:db8::1]:5060>;expires=30;reg-id=0\r\n"
        "Contact: <sip:u@10.0.0.2>;reg-id=x\r\n"
        "Expires: 900\r\n"
        "Content-Length: 0\r\n\r\n");
    c = osip_list_get(&m->contacts, 0);
    assert_int_equal(sip_contact_expires(m, c, 3600, 0, &v), 0);
    assert_int_equal(v, 30);
    assert_int_equal(sip_contact_reg_id(c, &v), -EBADMSG);
    assert_int_equal(sip_contact_instance(c, buf, sizeof(buf)), -ENOENT);
    assert_int_equal(sip_contact_set_expires(c, 120), 0);
    assert_int_equal(sip_contact_expires(m, c, 3600, 0, &v), 0);
    assert_int_equal(v, 120);
    c = osip_list_get(&m->contacts, 1);
    assert_int_equal(sip_contact_expires(m, c, 3600, 600, &v), 0);
    assert_int_equal(v, 600);
    assert_int_equal(sip_contact_reg_id(c, &v), -EBADMSG);
    assert_int_equal(sip_contact_set_expires(c, 0), 0);
    assert_int_equal(sip_contact_expires(m, c, 3600, 0, &v), 0);
    assert_int_equal(v, 0);
    {
        struct sip_via_info via;
        assert_int_equal(sip_via_top(m, &via), 0);
        assert_string_equal(via.transport, "TCP");
        assert_string_equal(via.host, "2001:db8::1");
        assert_int_equal(via.port, 5060);
        assert_int_equal(via.rport, 5070);
        assert_string_equal(via.received, "2001:db8::9");
    }
    osip_message_free(m);
}

static void test_multiple_path(void **state)
{
    osip_message_t *m, *bad = NULL;
    struct sip_addr a[4];
    char *s = NULL, why[64];
    const char *nobody_ct = "MESSAGE sip:b@ims.example SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKm\r\n"
                            "From: <sip:a@ims.example>;tag=9\r\n"
                            "To: <sip:b@ims.example>\r\n"
                            "Call-ID: m1\r\n"
                            "CSeq: 1 MESSAGE\r\n"
                            "Content-Length: 2\r\n\r\nhi";

    (void)state;
    m = parse_text("REGISTER sip:ims.example SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKp\r\n"
                   "From: <sip:u@ims.example>;tag=1\r\n"
                   "To: <sip:u@ims.example>\r\n"
                   "Call-ID: p1\r\n"
                   "CSeq: 3 REGISTER\r\n"
                   "Path: <sip:a@x;lr>\r\n"
                   "Supported: path\r\n"
                   "path: <sip:b@x;lr>,\r\n <sip:c@x;lr>\r\n"
                   "Content-Length: 0\r\n\r\n");
    assert_int_equal(sip_addr_list_get(m, "Path", a, 4), 3);
    assert_string_equal(a[0].uri, "sip:a@x;lr");
    assert_string_equal(a[1].uri, "sip:b@x;lr");
    assert_string_equal(a[2].uri, "sip:c@x;lr");
    assert_int_equal(sip_addr_list_add(m, "Route", "sip:scscf.ims.example", true, false), 0);
    assert_int_equal(sip_addr_list_add(m, "Route", "sip:pcscf.ims.example;lr", true, true), 0);
    assert_int_equal(sip_addr_list_get(m, "Route", a, 4), 2);
    assert_string_equal(a[0].uri, "sip:pcscf.ims.example;lr");
    assert_string_equal(a[1].uri, "sip:scscf.ims.example;lr");
    assert_int_equal(sip_addr_list_add(m, "Path", "not a uri", true, false), -EINVAL);
    assert_int_equal(sip_msg_to_str(m, &s, NULL), 0);
    assert_non_null(strstr(s, "Path: <sip:a@x;lr>\r\nSupported: path\r\nPath: <sip:b@x;lr>\r\n"
                              "Path: <sip:c@x;lr>\r\n"));
    assert_non_null(strstr(s, "Route: <sip:pcscf.ims.example;lr>\r\nRoute: <sip:scscf."));
    osip_free(s);
    osip_message_free(m);

    assert_int_equal(sip_msg_parse(nobody_ct, strlen(nobody_ct), &bad, why, sizeof(why)), -EBADMSG);
    assert_string_equal(why, "Missing Content-Type");
}

static void test_quote(void **state)
{
    char buf[16];

    (void)state;
    assert_int_equal(sip_quote("a\"b\\c", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "\"a\\\"b\\\\c\"");
    assert_int_equal(sip_unquote(buf, strlen(buf), buf, sizeof(buf)), 0);
    assert_string_equal(buf, "a\"b\\c");
    assert_int_equal(sip_unquote("\"abc", 4, buf, sizeof(buf)), -EBADMSG);
    assert_int_equal(sip_unquote("\"ab\\\"", 5, buf, sizeof(buf)), -EBADMSG);
    assert_int_equal(sip_quote("0123456789abcd", buf, sizeof(buf)), -ENOSPC);
    assert_int_equal(sip_quote("0123456789abc", buf, sizeof(buf)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sec_canonical),   cmocka_unit_test(test_sec_errors),
        cmocka_unit_test(test_auth_challenge),  cmocka_unit_test(test_auth_credentials),
        cmocka_unit_test(test_auth_on_message), cmocka_unit_test(test_uri_aor),
        cmocka_unit_test(test_addr_parse),      cmocka_unit_test(test_pheaders),
        cmocka_unit_test(test_generic_headers), cmocka_unit_test(test_contact_helpers),
        cmocka_unit_test(test_quote),           cmocka_unit_test(test_multiple_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
