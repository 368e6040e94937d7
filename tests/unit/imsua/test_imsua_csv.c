/*
 * test_imsua_csv: the key syntax of imsua (hex or ascii:TEXT) and the
 * subscriber file of "imsua load": comments, header, default AMF, OPc derived
 * from OP (TS 35.208 test set 1), and errors naming FILE:LINE.
 */
#include "ua.h"

#include "aka/aka.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void test_key_parse(void **state)
{
    uint8_t k[16], amf[2];
    (void)state;

    assert_int_equal(ua_key_parse("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16), 0);
    assert_int_equal(k[0], 0x46);
    assert_int_equal(k[15], 0xbc);
    assert_int_equal(ua_key_parse("ascii:imscore-demo-k01", k, 16), 0);
    assert_memory_equal(k, "imscore-demo-k01", 16);
    assert_int_equal(ua_key_parse("ascii:00", amf, 2), 0);
    assert_memory_equal(amf, "00", 2);
    assert_int_equal(ua_key_parse("8000", amf, 2), 0);
    assert_int_equal(amf[0], 0x80);
    /* wrong lengths, bad digits, empty, non-printable ascii */
    assert_int_equal(ua_key_parse("465b5ce8b199b49faa5f0a2ee238a6", k, 16), -EINVAL);
    assert_int_equal(ua_key_parse("465b5ce8b199b49faa5f0a2ee238a6bc00", k, 16), -EINVAL);
    assert_int_equal(ua_key_parse("zz5b5ce8b199b49faa5f0a2ee238a6bc", k, 16), -EINVAL);
    assert_int_equal(ua_key_parse("ascii:short", k, 16), -EINVAL);
    assert_int_equal(ua_key_parse("ascii:imscore-demo-k\x01"
                                  "1",
                                  k, 16),
                     -EINVAL);
    assert_int_equal(ua_key_parse("", k, 16), -EINVAL);
}

static char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/test_imsua_csv.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_csv_load(void **state)
{
    /* TS 35.208 test set 1: K, OP and the OPc they give */
    static const uint8_t opc1[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                     0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
    struct ua_cred *c = NULL;
    size_t n = 0;
    char err[256];
    uint8_t op[16], opc[16];
    char *path = write_file("impi,impu,k,op,amf\n"
                            "# two subscribers\n"
                            "\n"
                            "a@ims.example.org,sip:a@ims.example.org,"
                            "465b5ce8b199b49faa5f0a2ee238a6bc,cdc202d5123e20f62b6d676ac72cb318\n"
                            "b@ims.example.org,sip:b@ims.example.org,ascii:imscore-demo-k01,"
                            "ascii:imscore-demo-op1,ascii:00\n");
    (void)state;

    assert_int_equal(ua_csv_load(path, &c, &n, err, sizeof(err)), 0);
    unlink(path);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].impi, "a@ims.example.org");
    assert_string_equal(c[0].impu, "sip:a@ims.example.org");
    assert_true(c[0].have_k);
    assert_memory_equal(c[0].opc, opc1, 16);
    assert_int_equal(c[0].amf[0], 0x80); /* default AMF 8000 */
    assert_int_equal(c[0].amf[1], 0x00);
    memcpy(op, "imscore-demo-op1", 16);
    assert_int_equal(aka_opc((const uint8_t *)"imscore-demo-k01", op, opc), 0);
    assert_memory_equal(c[1].opc, opc, 16);
    assert_memory_equal(c[1].amf, "00", 2);
    free(c);
}

static void test_csv_errors(void **state)
{
    struct ua_cred *c = (struct ua_cred *)1;
    size_t n = 7;
    char err[256], want[96];
    char *path = write_file("a@x,sip:a@x,465b5ce8b199b49faa5f0a2ee238a6bc,"
                            "cdc202d5123e20f62b6d676ac72cb318\n"
                            "b@x,sip:b@x,not-a-key,cdc202d5123e20f62b6d676ac72cb318\n");
    (void)state;

    assert_int_equal(ua_csv_load(path, &c, &n, err, sizeof(err)), -EINVAL);
    assert_null(c);
    snprintf(want, sizeof(want), "%s:2", path);
    assert_non_null(strstr(err, want)); /* names the file and the line */
    unlink(path);

    path = write_file("a@x,sip:a@x\n"); /* too few fields */
    assert_int_equal(ua_csv_load(path, &c, &n, err, sizeof(err)), -EINVAL);
    unlink(path);
    assert_int_equal(ua_csv_load("/nonexistent/subscribers.csv", &c, &n, err, sizeof(err)),
                     -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_csv_load),
        cmocka_unit_test(test_csv_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
