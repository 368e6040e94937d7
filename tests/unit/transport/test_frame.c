/*
 * tp_frame_next(): RFC 3261 18.3 stream framing and RFC 5626 keep-alives,
 * without sockets.
 */
#include "transport/transport.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX 65535

static const char MSG1[] = "OPTIONS sip:pcscf.ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n"
                           "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
                           "Content-Length: 5\r\n"
                           "Call-ID: a84b4c76e66710\r\n"
                           "\r\n"
                           "hello";

static const char MSG2[] = "SIP/2.0 200 OK\r\n"
                           "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
                           "content-length:0\r\n"
                           "\r\n";

static void test_one_message(void **state)
{
    struct tp_frame fr;
    size_t n = strlen(MSG1);
    assert_int_equal(tp_frame_next(MSG1, n, MAX, &fr), 1);
    assert_int_equal(fr.skip, 0);
    assert_int_equal(fr.pings, 0);
    assert_int_equal(fr.len, n);
    assert_memory_equal(MSG1 + n - 5, "hello", 5);
}

static void test_two_messages(void **state)
{
    char buf[1024];
    size_t n1 = strlen(MSG1), n2 = strlen(MSG2);
    memcpy(buf, MSG1, n1);
    memcpy(buf + n1, MSG2, n2);
    struct tp_frame fr;
    assert_int_equal(tp_frame_next(buf, n1 + n2, MAX, &fr), 1);
    assert_int_equal(fr.skip, 0);
    assert_int_equal(fr.len, n1);
    assert_int_equal(tp_frame_next(buf + n1, n2, MAX, &fr), 1);
    assert_int_equal(fr.len, n2);
    assert_memory_equal(buf + n1, "SIP/2.0 200 OK\r\n", 16);
}

/* Every prefix shorter than the message needs more; the whole one completes. */
static void test_split_every_byte(void **state)
{
    size_t n = strlen(MSG1);
    for (size_t cut = 0; cut < n; cut++) {
        char *p = malloc(cut ? cut : 1); /* exact size, so ASan sees overreads */
        memcpy(p, MSG1, cut);
        struct tp_frame fr;
        int rc = tp_frame_next(p, cut, MAX, &fr);
        if (rc != 0)
            fail_msg("prefix of %zu bytes: rc %d", cut, rc);
        assert_int_equal(fr.skip, 0);
        free(p);
    }
    /* And as two reads appended in a stream buffer, for every split point. */
    for (size_t cut = 1; cut < n; cut++) {
        char stream[512];
        memcpy(stream, MSG1, cut);
        struct tp_frame fr;
        assert_int_equal(tp_frame_next(stream, cut, MAX, &fr), 0);
        memcpy(stream + cut, MSG1 + cut, n - cut);
        assert_int_equal(tp_frame_next(stream, n, MAX, &fr), 1);
        assert_int_equal(fr.len, n);
    }
}

static void test_leading_crlf(void **state)
{
    char buf[1024];
    struct tp_frame fr;
    /* A lone CRLF keep-alive (or pong) before the message is skipped, no pong owed. */
    snprintf(buf, sizeof(buf), "\r\n%s", MSG2);
    assert_int_equal(tp_frame_next(buf, strlen(buf), MAX, &fr), 1);
    assert_int_equal(fr.skip, 2);
    assert_int_equal(fr.pings, 0);
    assert_int_equal(fr.len, strlen(MSG2));
    /* Two pings and a CRLF before the message. */
    snprintf(buf, sizeof(buf), "\r\n\r\n\r\n\r\n\r\n%s", MSG2);
    assert_int_equal(tp_frame_next(buf, strlen(buf), MAX, &fr), 1);
    assert_int_equal(fr.skip, 10);
    assert_int_equal(fr.pings, 2);
    assert_memory_equal(buf + fr.skip, "SIP/2.0", 7);
    /* A bare ping: nothing to deliver, one pong owed, everything consumed. */
    assert_int_equal(tp_frame_next("\r\n\r\n", 4, MAX, &fr), 0);
    assert_int_equal(fr.skip, 4);
    assert_int_equal(fr.pings, 1);
    /* Half a ping waits for the rest rather than being taken for a pong. */
    assert_int_equal(tp_frame_next("\r\n", 2, MAX, &fr), 0);
    assert_int_equal(fr.skip, 0);
    assert_int_equal(tp_frame_next("\r\n\r", 3, MAX, &fr), 0);
    assert_int_equal(fr.skip, 0);
    assert_int_equal(fr.pings, 0);
}

static void test_compact_and_case(void **state)
{
    const char *cases[] = {
        "MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc",
        "MESSAGE sip:a@b SIP/2.0\r\nL:3\r\n\r\nabc",
        "MESSAGE sip:a@b SIP/2.0\r\nCONTENT-LENGTH   :\t3 \r\n\r\nabc",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n 3\r\n\r\nabc", /* folded */
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3\r\nl: 3\r\n\r\nabc",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_frame fr;
        size_t n = strlen(cases[i]);
        if (tp_frame_next(cases[i], n, MAX, &fr) != 1 || fr.len != n)
            fail_msg("case %zu not framed", i);
    }
    /* Headers merely containing the name do not count. */
    const char *trap = "MESSAGE sip:a@b SIP/2.0\r\nX-Content-Length: 3\r\nline: 4\r\n\r\nabc";
    struct tp_frame fr;
    assert_int_equal(tp_frame_next(trap, strlen(trap), MAX, &fr), -EBADMSG);
}

static void test_missing_content_length(void **state)
{
    const char *m = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    struct tp_frame fr;
    assert_int_equal(tp_frame_next(m, strlen(m), MAX, &fr), -EBADMSG);
    /* A start-line alone has no headers at all. */
    assert_int_equal(tp_frame_next("OPTIONS sip:a@b SIP/2.0\r\n\r\n", 27, MAX, &fr), -EBADMSG);
}

static void test_bad_content_length(void **state)
{
    const char *bad[] = {
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 12abc\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1 2\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 0x10\r\n\r\n",
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\nl: 3\r\n\r\nabc", /* conflicting */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_frame fr;
        int rc = tp_frame_next(bad[i], strlen(bad[i]), MAX, &fr);
        if (rc != -EBADMSG)
            fail_msg("case %zu: rc %d, want -EBADMSG", i, rc);
    }
}

static void test_oversize(void **state)
{
    struct tp_frame fr;
    /* Content-Length above the limit, and one that would overflow size_t. */
    const char *big = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n";
    assert_int_equal(tp_frame_next(big, strlen(big), MAX, &fr), -EMSGSIZE);
    const char *huge =
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999999999\r\n\r\n";
    assert_int_equal(tp_frame_next(huge, strlen(huge), MAX, &fr), -EMSGSIZE);
    /* Header block plus body just over a small limit, and exactly at it. */
    const char *m = "MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc";
    size_t n = strlen(m);
    assert_int_equal(tp_frame_next(m, n, n - 1, &fr), -EMSGSIZE);
    assert_int_equal(tp_frame_next(m, n, n, &fr), 1);
    /* A header block with no end within the limit. */
    size_t hn = 200;
    char *hdr = malloc(hn);
    memset(hdr, 'a', hn);
    assert_int_equal(tp_frame_next(hdr, 99, 100, &fr), 0);
    assert_int_equal(tp_frame_next(hdr, 100, 100, &fr), -EMSGSIZE);
    assert_int_equal(tp_frame_next(hdr, hn, 100, &fr), -EMSGSIZE);
    free(hdr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_message),        cmocka_unit_test(test_two_messages),
        cmocka_unit_test(test_split_every_byte),   cmocka_unit_test(test_leading_crlf),
        cmocka_unit_test(test_compact_and_case),   cmocka_unit_test(test_missing_content_length),
        cmocka_unit_test(test_bad_content_length), cmocka_unit_test(test_oversize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
