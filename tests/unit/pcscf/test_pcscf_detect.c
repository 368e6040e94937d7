/*
 * Unit test of the ESP detector on the running kernel: it must give one of
 * its defined answers with a sentence that names the cause, and leave no
 * scratch SA behind. The build machines' kernel has no ESP, so anything but
 * "available" must explain why; "available" must really have added the SA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xfrm_detect.h"

static void test_detect_clear_result(void **state)
{
    char why[256] = "";
    enum pcscf_esp_status st, again;

    (void)state;
    st = pcscf_esp_detect(why, sizeof(why));
    printf("# ESP detection: %s: %s\n", pcscf_esp_status_name(st), why);
    assert_true(st >= PCSCF_ESP_AVAILABLE && st <= PCSCF_ESP_ERROR);
    assert_true(strlen(why) > 20);
    switch (st) {
    case PCSCF_ESP_AVAILABLE:
        assert_non_null(strstr(why, "accepts ESP"));
        break;
    case PCSCF_ESP_NO_XFRM:
        assert_non_null(strstr(why, "XFRM"));
        break;
    case PCSCF_ESP_NO_PERMISSION:
        assert_non_null(strstr(why, "CAP_NET_ADMIN"));
        break;
    case PCSCF_ESP_NO_ESP:
        assert_non_null(strstr(why, "no ESP"));
        break;
    case PCSCF_ESP_ERROR:
        assert_non_null(strstr(why, "could not probe"));
        break;
    }
    /* the probe is repeatable: no scratch SA was left behind (EEXIST would show) */
    again = pcscf_esp_detect(NULL, 0);
    assert_int_equal(again, st);
    assert_string_equal(pcscf_esp_status_name(PCSCF_ESP_NO_ESP), "no-esp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_clear_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
