/*
 * S-CSCF assignment and registration state of implicit registration sets,
 * and their persistence across close / reopen.
 */
#include "test_store_util.h"

static void test_assignment(void **state)
{
    struct tdb t;
    struct store *st;
    struct store_subscriber s;
    struct store_impu impu, *list = NULL;
    const struct store_new_impu a[] = {{"sip:alice@ims.test", false}, {"tel:+1555", false}};
    const struct store_new_impu b[] = {{"sip:bob@ims.test", false}};
    char cur[STORE_ID_SIZE], **impis = NULL;
    size_t n = 0;

    tdb_init(&t);
    st = tdb_open(&t);
    tsub_init(&s, "alice@ims.test", a, 2);
    assert_int_equal(store_subscriber_add(st, &s), 0);
    tsub_init(&s, "bob@ims.test", b, 1);
    assert_int_equal(store_subscriber_add(st, &s), 0);

    /* MAR: the first S-CSCF claims the set; a second one learns who has it */
    assert_int_equal(store_scscf_claim(st, "tel:+1555", "sip:scscf1.ims.test", cur), 0);
    assert_string_equal(cur, "sip:scscf1.ims.test");
    assert_int_equal(store_scscf_claim(st, "sip:alice@ims.test", "sip:scscf2.ims.test", cur),
                     STORE_EASSIGNED);
    assert_string_equal(cur, "sip:scscf1.ims.test");
    assert_int_equal(store_impu_get(st, "sip:alice@ims.test", &impu), 0);
    assert_string_equal(impu.scscf, "sip:scscf1.ims.test"); /* whole implicit set */
    assert_int_equal(impu.state, STORE_NOT_REGISTERED);

    /* SAR REGISTRATION: state and S-CSCF for the implicit set, atomically */
    assert_int_equal(
        store_irs_set_state(st, "sip:alice@ims.test", STORE_REGISTERED, "sip:scscf1.ims.test"), 0);
    assert_int_equal(
        store_irs_set_state(st, "sip:bob@ims.test", STORE_UNREGISTERED, "sip:scscf2.ims.test"), 0);
    assert_int_equal(store_irs_set_state(st, "sip:nobody@ims.test", STORE_REGISTERED, "x"),
                     -ENOENT);
    assert_int_equal(store_irs_set_state(st, "sip:bob@ims.test", (enum store_reg_state)7, NULL),
                     -EINVAL);

    /* persists across close / reopen */
    store_close(st);
    st = tdb_open(&t);
    assert_int_equal(store_irs_impus(st, "tel:+1555", &list, &n), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].state, STORE_REGISTERED);
        assert_string_equal(list[i].scscf, "sip:scscf1.ims.test");
    }
    free(list);
    assert_int_equal(store_impu_get(st, "sip:bob@ims.test", &impu), 0);
    assert_int_equal(impu.state, STORE_UNREGISTERED);
    assert_string_equal(impu.scscf, "sip:scscf2.ims.test");

    assert_int_equal(store_scscf_impis(st, "sip:scscf1.ims.test", &impis, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(impis[0], "alice@ims.test");
    store_strv_free(impis);

    /* deregistration clears both; store_scscf_set changes only the name */
    assert_int_equal(store_irs_set_state(st, "sip:alice@ims.test", STORE_NOT_REGISTERED, NULL), 0);
    assert_int_equal(store_scscf_set(st, "sip:bob@ims.test", "sip:scscf3.ims.test"), 0);
    store_close(st);
    st = tdb_open(&t);
    assert_int_equal(store_impu_get(st, "tel:+1555", &impu), 0);
    assert_int_equal(impu.state, STORE_NOT_REGISTERED);
    assert_string_equal(impu.scscf, "");
    assert_int_equal(store_impu_get(st, "sip:bob@ims.test", &impu), 0);
    assert_int_equal(impu.state, STORE_UNREGISTERED);
    assert_string_equal(impu.scscf, "sip:scscf3.ims.test");
    assert_int_equal(store_scscf_set(st, "sip:bob@ims.test", NULL), 0);
    assert_int_equal(store_impu_get(st, "sip:bob@ims.test", &impu), 0);
    assert_string_equal(impu.scscf, "");
    assert_int_equal(store_scscf_impis(st, "sip:scscf1.ims.test", &impis, &n), 0);
    assert_int_equal(n, 0);
    assert_null(impis[0]);
    store_strv_free(impis);
    store_close(st);
    tdb_cleanup(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
