/*
 * test_scscf_regs: the S-CSCF's registration records (scscf/regs.c): implicit
 * registration set and barring from the SAA user data, contact binding,
 * refresh look-up by URI and by +sip.instance/reg-id, purge, and look-ups.
 */
#include "regs.h"

#include "xml/xml.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scscf_fixture.h"

static const char USER_DATA[] = FIXTURE_USER_DATA_WITH(
    "<ServiceProfile>"
    "<PublicIdentity><Identity>sip:other-set@ims.example.org</Identity></PublicIdentity>"
    "</ServiceProfile>");

static int setup(void **state)
{
    xml_init();
    return 0;
}

static int teardown(void **state)
{
    regs_free_all();
    return 0;
}

static void test_implicit_set(void **state)
{
    struct scscf_reg *r = regs_new(IMPI, IMPU);

    assert_non_null(r);
    assert_int_equal(r->state, SCSCF_REG_NOT_REGISTERED);
    assert_int_equal(regs_set_user_data(r, USER_DATA, IMPU), 0);
    assert_int_equal(r->n_impus, 3);
    assert_string_equal(r->impus[0], IMPU); /* the registering identity first */
    assert_true(regs_has_impu(r, "tel:+15550000001"));
    assert_true(regs_has_impu(r, "sip:barred@ims.example.org"));
    assert_false(regs_has_impu(r, "sip:other-set@ims.example.org"));
    assert_true(regs_is_barred(r, "sip:barred@ims.example.org"));
    assert_false(regs_is_barred(r, IMPU));
    /* any identity of the set finds the record; AoR comparison ignores parameters */
    assert_ptr_equal(regs_find_impu("tel:+15550000001"), r);
    assert_ptr_equal(regs_find_impu("sip:001010000000001@ims.example.org;user=phone"), r);
    assert_ptr_equal(regs_find(IMPI, "tel:+15550000001"), r);
    assert_null(regs_find("someone-else@ims.example.org", NULL));
    assert_ptr_equal(regs_by_id(r->id), r);
}

static void test_bad_user_data_keeps_record(void **state)
{
    struct scscf_reg *r = regs_new(IMPI, IMPU);

    assert_non_null(r);
    assert_int_equal(regs_set_user_data(r, USER_DATA, IMPU), 0);
    assert_int_equal(regs_set_user_data(r, "<IMSSubscription><oops", IMPU), -EPROTO);
    assert_int_equal(regs_set_user_data(r, USER_DATA, "sip:not-there@ims.example.org"), -EPROTO);
    assert_int_equal(r->n_impus, 3); /* unchanged on error */
    assert_non_null(r->profile);
}

static void test_contacts(void **state)
{
    struct scscf_reg *r = regs_new(IMPI, IMPU);
    struct scscf_contact t = {
        .uri = "sip:ue@192.0.2.1:5060",
        .params = ";+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"",
        .expires_at = 1000,
        .path = "<sip:pcscf.ims.example.org;lr>",
        .call_id = "abc",
        .cseq = 1,
        .event = SCSCF_EV_REGISTERED,
    };
    struct scscf_contact *c1, *c2;

    assert_non_null(r);
    c1 = regs_contact_add(r, &t);
    assert_non_null(c1);
    assert_int_equal(c1->id, 1);
    t.uri = "sip:ue2@192.0.2.2:5060";
    t.instance = "<urn:gsma:imei:35000000-000000-0>";
    t.reg_id = 1;
    c2 = regs_contact_add(r, &t);
    assert_non_null(c2);
    assert_int_equal(c2->id, 2);
    assert_int_equal(regs_active_contacts(r), 2);
    /* the same URI (port default and parameters aside) finds the binding */
    assert_ptr_equal(regs_contact_find(r, "sip:ue@192.0.2.1:5060;transport=udp", NULL, 0),
                     &r->contacts[0]);
    /* a new address with the same instance and reg-id refreshes the same binding */
    assert_ptr_equal(
        regs_contact_find(r, "sip:ue2@198.51.100.9", "<urn:gsma:imei:35000000-000000-0>", 1),
        &r->contacts[1]);
    assert_null(regs_contact_find(r, "sip:nobody@192.0.2.3", NULL, 0));
    assert_string_equal(r->contacts[0].path, "<sip:pcscf.ims.example.org;lr>");

    r->contacts[0].active = false;
    r->contacts[0].event = SCSCF_EV_UNREGISTERED;
    assert_int_equal(regs_active_contacts(r), 1);
    assert_null(regs_contact_find(r, "sip:ue@192.0.2.1:5060", NULL, 0));
    regs_contact_purge(r);
    assert_int_equal(r->n_contacts, 1);
    assert_string_equal(r->contacts[0].uri, "sip:ue2@192.0.2.2:5060");
    assert_int_equal(r->contacts[0].event, SCSCF_EV_NONE);
    /* ids are never reused in a record */
    t.uri = "sip:ue3@192.0.2.3";
    t.instance = NULL;
    c1 = regs_contact_add(r, &t);
    assert_non_null(c1);
    assert_int_equal(c1->id, 3);
}

static void test_free_unlinks(void **state)
{
    struct scscf_reg *a = regs_new(IMPI, IMPU);
    struct scscf_reg *b = regs_new("002@ims.example.org", "sip:002@ims.example.org");

    assert_non_null(a);
    assert_non_null(b);
    assert_int_not_equal(a->id, b->id);
    regs_free(a);
    assert_null(regs_find_impu(IMPU));
    assert_ptr_equal(regs_find_impu("sip:002@ims.example.org"), b);
    assert_ptr_equal(regs_first(), b);
    assert_null(b->next);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_implicit_set, teardown),
        cmocka_unit_test_teardown(test_bad_user_data_keeps_record, teardown),
        cmocka_unit_test_teardown(test_contacts, teardown),
        cmocka_unit_test_teardown(test_free_unlinks, teardown),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
