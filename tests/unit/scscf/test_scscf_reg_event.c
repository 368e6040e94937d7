/*
 * test_scscf_reg_event: the reginfo the S-CSCF notifies (scscf/reg_event.c,
 * scscf_reginfo_build): one registration per non-barred IMPU of the implicit
 * set, contact states and events for a live registration, an expired contact
 * beside a live one, a de-registration and an RTR; the document is parsed
 * back with the real reginfo parser (common/xml).
 */
#include "reg_event.h"
#include "regs.h"

#include "xml/xml.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scscf_fixture.h"

#define NOW 1000000

static const char USER_DATA[] = FIXTURE_USER_DATA_WITH("");

static int setup(void **state)
{
    xml_init();
    return 0;
}

static int teardown(void **state)
{
    regs_free_all();
    scscf_reg_event_free();
    return 0;
}

/* A registered record with the demo implicit set and two contacts. */
static struct scscf_reg *registered(void)
{
    struct scscf_reg *r = regs_new(IMPI, IMPU);
    struct scscf_contact a = {.uri = "sip:ue@192.0.2.1:5060",
                              .expires_at = NOW + 600,
                              .call_id = "cid-1",
                              .cseq = 2,
                              .registered_at = NOW - 30,
                              .event = SCSCF_EV_REGISTERED};
    struct scscf_contact b = {.uri = "sip:ue@192.0.2.2:5060",
                              .expires_at = NOW + 100,
                              .registered_at = NOW,
                              .event = SCSCF_EV_NONE};

    assert_non_null(r);
    assert_int_equal(regs_set_user_data(r, USER_DATA, IMPU), 0);
    assert_non_null(regs_contact_add(r, &a));
    assert_non_null(regs_contact_add(r, &b));
    r->state = SCSCF_REG_REGISTERED;
    return r;
}

static struct xml_reginfo *build_parse(const struct scscf_reg *r, uint32_t version)
{
    struct xml_reginfo *ri = NULL;
    char *doc = NULL, err[160];

    assert_int_equal(scscf_reginfo_build(r, version, NOW, &doc), 0);
    assert_non_null(doc);
    assert_null(strchr(doc, '\n')); /* one line on the wire */
    assert_int_equal(xml_reginfo_parse(doc, strlen(doc), &ri, err, sizeof(err)), 0);
    free(doc);
    return ri;
}

static const struct xml_reginfo_registration *reg_of(const struct xml_reginfo *ri, const char *aor)
{
    for (size_t i = 0; i < ri->n_registrations; i++)
        if (strcmp(ri->registrations[i].aor, aor) == 0)
            return &ri->registrations[i];
    return NULL;
}

static void test_active(void **state)
{
    struct scscf_reg *r = registered();
    struct xml_reginfo *ri = build_parse(r, 7);
    const struct xml_reginfo_registration *g;

    assert_int_equal(ri->version, 7);
    assert_int_equal(ri->state, XML_REGINFO_FULL);
    assert_int_equal(ri->n_registrations, 2); /* the barred IMPU is not reported */
    assert_null(reg_of(ri, "sip:barred@ims.example.org"));
    g = reg_of(ri, IMPU);
    assert_non_null(g);
    assert_int_equal(g->state, XML_REGISTRATION_ACTIVE);
    assert_int_equal(g->n_contacts, 2);
    assert_string_equal(g->contacts[0].uri, "sip:ue@192.0.2.1:5060");
    assert_int_equal(g->contacts[0].state, XML_CONTACT_ACTIVE);
    assert_int_equal(g->contacts[0].event, XML_EVENT_REGISTERED);
    assert_int_equal(g->contacts[0].expires, 600);
    assert_int_equal(g->contacts[0].duration_registered, 30);
    assert_string_equal(g->contacts[0].callid, "cid-1");
    assert_int_equal(g->contacts[0].cseq, 2);
    assert_int_equal(g->contacts[1].event, XML_EVENT_REGISTERED); /* NONE reads registered */
    assert_int_equal(g->contacts[1].expires, 100);
    assert_string_not_equal(g->contacts[0].id, g->contacts[1].id);
    g = reg_of(ri, "tel:+15550000001");
    assert_non_null(g);
    assert_int_equal(g->state, XML_REGISTRATION_ACTIVE);
    assert_int_equal(g->n_contacts, 2);
    assert_string_not_equal(reg_of(ri, IMPU)->id, g->id);
    xml_reginfo_free(ri);
}

static void test_one_contact_expired(void **state)
{
    struct scscf_reg *r = registered();
    struct xml_reginfo *ri;
    const struct xml_reginfo_registration *g;

    r->contacts[1].active = false;
    r->contacts[1].event = SCSCF_EV_EXPIRED;
    r->contacts[0].event = SCSCF_EV_REFRESHED;
    ri = build_parse(r, 1);
    g = reg_of(ri, IMPU);
    assert_int_equal(g->state, XML_REGISTRATION_ACTIVE);
    assert_int_equal(g->contacts[0].state, XML_CONTACT_ACTIVE);
    assert_int_equal(g->contacts[0].event, XML_EVENT_REFRESHED);
    assert_int_equal(g->contacts[1].state, XML_CONTACT_TERMINATED);
    assert_int_equal(g->contacts[1].event, XML_EVENT_EXPIRED);
    assert_int_equal(g->contacts[1].expires, 0);
    xml_reginfo_free(ri);
}

static void test_deregistered(void **state)
{
    struct scscf_reg *r = registered();
    struct xml_reginfo *ri;

    for (size_t i = 0; i < r->n_contacts; i++) {
        r->contacts[i].active = false;
        r->contacts[i].event = SCSCF_EV_UNREGISTERED;
    }
    r->state = SCSCF_REG_NOT_REGISTERED;
    ri = build_parse(r, 2);
    for (size_t i = 0; i < ri->n_registrations; i++) {
        const struct xml_reginfo_registration *g = &ri->registrations[i];
        assert_int_equal(g->state, XML_REGISTRATION_TERMINATED);
        for (size_t k = 0; k < g->n_contacts; k++) {
            assert_int_equal(g->contacts[k].state, XML_CONTACT_TERMINATED);
            assert_int_equal(g->contacts[k].event, XML_EVENT_UNREGISTERED);
        }
    }
    xml_reginfo_free(ri);
}

/* A record whose state says not registered reports no active contact, even a live one. */
static void test_rtr_rejected(void **state)
{
    struct scscf_reg *r = registered();
    struct xml_reginfo *ri;
    const struct xml_reginfo_registration *g;

    r->contacts[0].active = false;
    r->contacts[0].event = SCSCF_EV_REJECTED;
    r->contacts[1].active = false;
    r->contacts[1].event = SCSCF_EV_DEACTIVATED;
    r->state = SCSCF_REG_NOT_REGISTERED;
    ri = build_parse(r, 3);
    g = reg_of(ri, "tel:+15550000001");
    assert_int_equal(g->state, XML_REGISTRATION_TERMINATED);
    assert_int_equal(g->contacts[0].event, XML_EVENT_REJECTED);
    assert_int_equal(g->contacts[1].event, XML_EVENT_DEACTIVATED);
    xml_reginfo_free(ri);
}

static void test_bad_args(void **state)
{
    char *doc = (char *)"x";

    assert_int_equal(scscf_reginfo_build(NULL, 0, NOW, &doc), -EINVAL);
    assert_int_equal(scscf_reg_event_count(), 0);
    scscf_reg_event_tick(NOW); /* nothing to expire, nothing sent */
    assert_int_equal(scscf_reg_event_count(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_active, teardown),
        cmocka_unit_test_teardown(test_one_contact_expired, teardown),
        cmocka_unit_test_teardown(test_deregistered, teardown),
        cmocka_unit_test_teardown(test_rtr_rejected, teardown),
        cmocka_unit_test_teardown(test_bad_args, teardown),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
