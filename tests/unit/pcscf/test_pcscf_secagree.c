/*
 * Unit tests of the P-CSCF sec-agree: choosing alg/ealg from a real
 * Security-Client (parsed from a REGISTER by common/sip), building the
 * Security-Server text, comparing Security-Verify (equal, reordered params,
 * changed SPI, missing), and the integrity-protected values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sec_agree.h"

#define SEC_CLIENT                                                                                 \
    "Security-Client: ipsec-3gpp;alg=hmac-md5-96;ealg=null;spi-c=1111;spi-s=2222;"                 \
    "port-c=5062;port-s=5064\r\n"                                                                  \
    "Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=5062;"             \
    "port-s=5064, ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc;prot=esp;mod=trans;spi-c=1111;"        \
    "spi-s=2222;port-c=5062;port-s=5064\r\n"

static osip_message_t *parse_register(const char *extra)
{
    char buf[4096];
    osip_message_t *m = NULL;
    char why[128];

    snprintf(buf, sizeof(buf),
             "REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:7560;branch=z9hG4bK-1;rport\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=a1\r\n"
             "To: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>\r\n"
             "Call-ID: reg-1@127.0.0.1\r\n"
             "CSeq: 2 REGISTER\r\n"
             "Contact: <sip:001010000000001@127.0.0.1:7560>\r\n"
             "%s"
             "Content-Length: 0\r\n\r\n",
             extra);
    assert_int_equal(sip_msg_parse(buf, strlen(buf), &m, why, sizeof(why)), 0);
    return m;
}

static void test_choose(void **state)
{
    struct sip_sec_mech client[SIP_SEC_MECH_MAX];
    const char *alg_sha[] = {"hmac-sha-1-96", "hmac-md5-96"};
    const char *alg_md5[] = {"hmac-md5-96"};
    const char *ealg_aes[] = {"aes-cbc", "null"};
    const char *ealg_null[] = {"null"};
    const char *alg_bogus[] = {"hmac-sha-256-128"};
    osip_message_t *m = parse_register(SEC_CLIENT);
    char why[128];
    int n;

    (void)state;
    n = sip_sec_get(m, "Security-Client", client, SIP_SEC_MECH_MAX, why, sizeof(why));
    assert_int_equal(n, 3);
    /* sha1 first, aes preferred: the third offer */
    assert_int_equal(pcscf_secagree_choose(client, (size_t)n, alg_sha, 2, ealg_aes, 2), 2);
    /* sha1 with null only: the second offer (no ealg counts as null) */
    assert_int_equal(pcscf_secagree_choose(client, (size_t)n, alg_sha, 2, ealg_null, 1), 1);
    assert_int_equal(pcscf_secagree_choose(client, (size_t)n, alg_md5, 1, ealg_aes, 2), 0);
    /* an algorithm we do not support is never chosen even if configured */
    assert_int_equal(pcscf_secagree_choose(client, (size_t)n, alg_bogus, 1, ealg_aes, 2), -ENOENT);
    /* md5 with aes: the UE did not offer it */
    assert_int_equal(pcscf_secagree_choose(client, 1, alg_md5, 1, ealg_aes, 1), -ENOENT);
    assert_int_equal(pcscf_secagree_choose(NULL, 1, alg_md5, 1, ealg_aes, 1), -EINVAL);
    osip_message_free(m);
}

static void test_offer_without_spi_refused(void **state)
{
    struct sip_sec_mech client[2];
    const char *alg[] = {"hmac-sha-1-96"};
    const char *ealg[] = {"null"};
    char why[128];

    (void)state;
    assert_int_equal(sip_sec_parse("ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;port-c=5062;port-s=5064,"
                                   " ipsec-3gpp;alg=hmac-sha-1-96;prot=ah;spi-c=1111;spi-s=2222;"
                                   "port-c=5062;port-s=5064",
                                   client, 2, why, sizeof(why)),
                     2);
    assert_int_equal(pcscf_secagree_choose(client, 2, alg, 1, ealg, 1), -ENOENT);
}

static void test_server_and_verify(void **state)
{
    struct sip_sec_mech client[SIP_SEC_MECH_MAX], server;
    struct pcscf_pool_entry slot = {
        .idx = 0, .spi_c = 8000, .spi_s = 8001, .port_c = 6100, .port_s = 6101};
    const char *alg[] = {"hmac-sha-1-96"};
    const char *ealg[] = {"null"};
    char hdr[512], extra[700], why[128];
    osip_message_t *m = parse_register(SEC_CLIENT);
    int n, i;

    (void)state;
    n = sip_sec_get(m, "Security-Client", client, SIP_SEC_MECH_MAX, why, sizeof(why));
    i = pcscf_secagree_choose(client, (size_t)n, alg, 1, ealg, 1);
    assert_int_equal(i, 1);
    assert_int_equal(pcscf_secagree_server(&client[i], &slot, &server), 0);
    assert_int_equal(sip_sec_mech_build(&server, hdr, sizeof(hdr)), 0);
    assert_string_equal(hdr, "ipsec-3gpp;q=0.1;prot=esp;mod=trans;spi-c=8000;spi-s=8001;"
                             "port-c=6100;port-s=6101;alg=hmac-sha-1-96;ealg=null");
    osip_message_free(m);

    /* the UE repeats it, parameters in another order: accepted */
    m = parse_register("Security-Verify: ipsec-3gpp;ealg=null;alg=hmac-sha-1-96;port-s=6101;"
                       "port-c=6100;spi-s=8001;spi-c=8000;mod=trans;prot=esp;q=0.1\r\n");
    assert_int_equal(pcscf_secagree_verify(m, &server, 1, why, sizeof(why)), 0);
    osip_message_free(m);

    /* a changed SPI: mismatch */
    snprintf(extra, sizeof(extra), "Security-Verify: %s\r\n", hdr);
    *strstr(extra, "8001") = '9';
    m = parse_register(extra);
    assert_int_equal(pcscf_secagree_verify(m, &server, 1, why, sizeof(why)), -EACCES);
    assert_non_null(strstr(why, "differs"));
    osip_message_free(m);

    /* missing */
    m = parse_register("");
    assert_int_equal(pcscf_secagree_verify(m, &server, 1, why, sizeof(why)), -ENOENT);
    osip_message_free(m);

    /* garbage */
    m = parse_register("Security-Verify: ipsec-3gpp;spi-c=99999999999\r\n");
    assert_int_equal(pcscf_secagree_verify(m, &server, 1, why, sizeof(why)), -EBADMSG);
    osip_message_free(m);
}

static void test_integrity_values(void **state)
{
    (void)state;
    assert_string_equal(pcscf_secagree_integrity(false, PCSCF_PROT_NONE), "no");
    assert_string_equal(pcscf_secagree_integrity(false, PCSCF_PROT_PENDING), "ip-assoc-pending");
    assert_string_equal(pcscf_secagree_integrity(false, PCSCF_PROT_YES), "ip-assoc-yes");
    assert_string_equal(pcscf_secagree_integrity(true, PCSCF_PROT_NONE), "no");
    assert_string_equal(pcscf_secagree_integrity(true, PCSCF_PROT_YES), "yes");
    assert_true(pcscf_secagree_alg_is_supported("HMAC-SHA-1-96"));
    assert_false(pcscf_secagree_ealg_is_supported("des-ede3-cbc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_offer_without_spi_refused),
        cmocka_unit_test(test_server_and_verify),
        cmocka_unit_test(test_integrity_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
