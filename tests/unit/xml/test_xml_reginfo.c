/*
 * RFC 3680 reginfo: build -> parse round trip, a hand-written RFC example, and
 * documents with a wrong namespace, missing attributes or invalid enumerations.
 */
#include "test_xml_util.h"

#include <errno.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "xml/xml.h"

static void assert_str_eq_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_reginfo_equal(const struct xml_reginfo *a, const struct xml_reginfo *b)
{
    size_t i, j, k;

    assert_int_equal(a->version, b->version);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->n_registrations, b->n_registrations);
    for (i = 0; i < a->n_registrations; i++) {
        const struct xml_reginfo_registration *ra = &a->registrations[i];
        const struct xml_reginfo_registration *rb = &b->registrations[i];
        assert_string_equal(ra->aor, rb->aor);
        assert_string_equal(ra->id, rb->id);
        assert_int_equal(ra->state, rb->state);
        assert_int_equal(ra->n_contacts, rb->n_contacts);
        for (j = 0; j < ra->n_contacts; j++) {
            const struct xml_reginfo_contact *ca = &ra->contacts[j], *cb = &rb->contacts[j];
            assert_string_equal(ca->id, cb->id);
            assert_int_equal(ca->state, cb->state);
            assert_int_equal(ca->event, cb->event);
            assert_int_equal(ca->expires, cb->expires);
            assert_int_equal(ca->duration_registered, cb->duration_registered);
            assert_int_equal(ca->retry_after, cb->retry_after);
            assert_str_eq_null(ca->q, cb->q);
            assert_str_eq_null(ca->callid, cb->callid);
            assert_int_equal(ca->cseq, cb->cseq);
            assert_string_equal(ca->uri, cb->uri);
            assert_str_eq_null(ca->display_name, cb->display_name);
            assert_int_equal(ca->n_params, cb->n_params);
            for (k = 0; k < ca->n_params; k++) {
                assert_string_equal(ca->params[k].name, cb->params[k].name);
                assert_str_eq_null(ca->params[k].value, cb->params[k].value);
            }
        }
    }
}

#define AOR1 "sip:+15551230001@ims.mnc001.mcc001.3gppnetwork.org"
#define AOR2 "tel:+15551230001"

static struct xml_reginfo_param params_ue1[] = {
    {"+sip.instance", "\"<urn:gsma:imei:35209900-176148-0>\""},
    {"+g.3gpp.icsi-ref", "\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\""},
    {"video", NULL},
};

static struct xml_reginfo_contact contacts1[] = {
    {.id = "c1",
     .state = XML_CONTACT_ACTIVE,
     .event = XML_EVENT_REGISTERED,
     .expires = 600000,
     .duration_registered = 0,
     .retry_after = -1,
     .q = "0.5",
     .callid = "a84b4c76e66710@pc33.example.org",
     .cseq = 2,
     .uri = "sip:001010000000001@10.45.0.2:5060;transport=udp",
     .display_name = "Alice & <Co>",
     .params = params_ue1,
     .n_params = 3},
    {.id = "c2",
     .state = XML_CONTACT_ACTIVE,
     .event = XML_EVENT_REFRESHED,
     .expires = 3600,
     .duration_registered = 7200,
     .retry_after = -1,
     .q = NULL,
     .callid = NULL,
     .cseq = -1,
     .uri = "sip:alice@[2001:db8::2]:5060"},
};

static struct xml_reginfo_contact contacts2[] = {
    {.id = "c3",
     .state = XML_CONTACT_TERMINATED,
     .event = XML_EVENT_PROBATION,
     .expires = 0,
     .duration_registered = -1,
     .retry_after = 30,
     .q = "1.000",
     .cseq = 99999999999LL,
     .uri = "sip:001010000000001@10.45.0.3:5060"},
};

static struct xml_reginfo_registration regs[] = {
    {.aor = AOR1,
     .id = "r1",
     .state = XML_REGISTRATION_ACTIVE,
     .contacts = contacts1,
     .n_contacts = 2},
    {.aor = AOR2,
     .id = "r2",
     .state = XML_REGISTRATION_TERMINATED,
     .contacts = contacts2,
     .n_contacts = 1},
};

static void test_build_parse_roundtrip(void **state)
{
    struct xml_reginfo ri = {
        .version = 7, .state = XML_REGINFO_FULL, .registrations = regs, .n_registrations = 2};
    struct xml_reginfo *back = NULL;
    char *text = NULL;
    size_t len = 0;
    char err[256];

    assert_int_equal(xml_reginfo_build(&ri, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_non_null(strstr(text, "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"7\" "
                                 "state=\"full\">"));
    assert_non_null(strstr(text, "<registration aor=\"" AOR1 "\" id=\"r1\" state=\"active\">"));
    assert_non_null(strstr(text, "<unknown-param name=\"+sip.instance\">"
                                 "\"&lt;urn:gsma:imei:35209900-176148-0&gt;\"</unknown-param>"));
    assert_non_null(strstr(text, "event=\"probation\""));
    assert_non_null(strstr(text, "cseq=\"99999999999\""));
    if (xml_reginfo_parse(text, len, &back, err, sizeof(err)) != 0)
        fail_msg("%s\n%s", err, text);
    assert_reginfo_equal(&ri, back);
    assert_string_equal(back->registrations[0].contacts[0].display_name, "Alice & <Co>");
    assert_null(back->registrations[0].contacts[0].params[2].value);
    free(text);
    xml_reginfo_free(back);
}

static void test_version_is_caller_set(void **state)
{
    static const uint32_t versions[] = {0, 1, 2, 4294967295u};
    struct xml_reginfo ri = {.state = XML_REGINFO_PARTIAL};
    struct xml_reginfo *back = NULL;
    char expect[64];
    char *text = NULL;
    size_t i, len;

    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        ri.version = versions[i];
        assert_int_equal(xml_reginfo_build(&ri, &text, &len), 0);
        snprintf(expect, sizeof(expect), "version=\"%u\" state=\"partial\"", versions[i]);
        assert_non_null(strstr(text, expect));
        assert_int_equal(xml_reginfo_parse(text, len, &back, NULL, 0), 0);
        assert_int_equal(back->version, versions[i]);
        assert_int_equal(back->state, XML_REGINFO_PARTIAL);
        assert_int_equal(back->n_registrations, 0);
        free(text);
        xml_reginfo_free(back);
    }
}

static void test_parse_rfc_example(void **state)
{
    struct xml_reginfo *ri = NULL;
    const struct xml_reginfo_contact *c;
    char err[256];
    size_t len;
    char *buf = test_xml_read_data("reginfo_rfc3680.xml", &len);

    if (xml_reginfo_parse(buf, len, &ri, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    free(buf);
    assert_int_equal(ri->version, 0);
    assert_int_equal(ri->state, XML_REGINFO_FULL);
    assert_int_equal(ri->n_registrations, 1);
    assert_string_equal(ri->registrations[0].aor, "sip:user@example.com");
    assert_string_equal(ri->registrations[0].id, "as9");
    assert_int_equal(ri->registrations[0].state, XML_REGISTRATION_ACTIVE);
    assert_int_equal(ri->registrations[0].n_contacts, 2);
    c = &ri->registrations[0].contacts[0];
    assert_string_equal(c->id, "76");
    assert_int_equal(c->state, XML_CONTACT_ACTIVE);
    assert_int_equal(c->event, XML_EVENT_REGISTERED);
    assert_int_equal(c->duration_registered, 7322);
    assert_int_equal(c->expires, -1);
    assert_int_equal(c->retry_after, -1);
    assert_int_equal(c->cseq, -1);
    assert_string_equal(c->q, "0.8");
    assert_null(c->callid);
    assert_string_equal(c->uri, "sip:user@pc887.example.com");
    assert_null(c->display_name);
    assert_int_equal(c->n_params, 0);
    c = &ri->registrations[0].contacts[1];
    assert_string_equal(c->id, "77");
    assert_int_equal(c->state, XML_CONTACT_TERMINATED);
    assert_int_equal(c->event, XML_EVENT_EXPIRED);
    assert_int_equal(c->duration_registered, 3600);
    assert_string_equal(c->q, "0.5");
    assert_string_equal(c->uri, "sip:user@university.edu");
    xml_reginfo_free(ri);
}

/* A prefixed namespace is the same namespace. */
static void test_parse_prefixed_namespace(void **state)
{
    static const char doc[] =
        "<r:reginfo xmlns:r=\"urn:ietf:params:xml:ns:reginfo\" version=\"3\" state=\"partial\">"
        "<r:registration aor=\"sip:a@b\" id=\"x\" state=\"init\">"
        "<r:contact id=\"1\" state=\"terminated\" event=\"rejected\" retry-after=\"120\">"
        "<r:uri>sip:a@1.2.3.4</r:uri><r:display-name xml:lang=\"en\">A</r:display-name>"
        "<r:unknown-param name=\"reg-id\">1</r:unknown-param>"
        "</r:contact></r:registration></r:reginfo>";
    struct xml_reginfo *ri = NULL;
    char err[256];

    if (xml_reginfo_parse(doc, sizeof(doc) - 1, &ri, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(ri->version, 3);
    assert_int_equal(ri->registrations[0].state, XML_REGISTRATION_INIT);
    assert_int_equal(ri->registrations[0].contacts[0].event, XML_EVENT_REJECTED);
    assert_int_equal(ri->registrations[0].contacts[0].retry_after, 120);
    assert_string_equal(ri->registrations[0].contacts[0].display_name, "A");
    assert_string_equal(ri->registrations[0].contacts[0].params[0].name, "reg-id");
    assert_string_equal(ri->registrations[0].contacts[0].params[0].value, "1");
    xml_reginfo_free(ri);
}

#define NS                   "xmlns=\"urn:ietf:params:xml:ns:reginfo\""
#define REGINFO(attrs, body) "<reginfo " NS " " attrs ">" body "</reginfo>"
#define REGN(attrs, body)                                                                          \
    REGINFO("version=\"1\" state=\"full\"", "<registration " attrs ">" body "</registration>")
#define CONTACT(attrs, body)                                                                       \
    REGN("aor=\"sip:a@b\" id=\"r\" state=\"active\"", "<contact " attrs ">" body "</contact>")
#define URI "<uri>sip:a@1.2.3.4</uri>"

struct bad_doc {
    const char *what;
    const char *doc;
    const char *err_has;
};

static const struct bad_doc bad_docs[] = {
    {"not XML", "<reginfo", "well-formed"},
    {"no namespace", "<reginfo version=\"1\" state=\"full\"/>", "namespace"},
    {"wrong namespace",
     "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo-x\" version=\"1\" "
     "state=\"full\"/>",
     "namespace"},
    {"wrong root", "<reg " NS " version=\"1\" state=\"full\"/>", "reginfo"},
    {"missing version", REGINFO("state=\"full\"", ""), "version"},
    {"negative version", REGINFO("version=\"-1\" state=\"full\"", ""), "version"},
    {"version too big", REGINFO("version=\"4294967296\" state=\"full\"", ""), "version"},
    {"version not a number", REGINFO("version=\"one\" state=\"full\"", ""), "version"},
    {"missing state", REGINFO("version=\"1\"", ""), "state"},
    {"bad reginfo state", REGINFO("version=\"1\" state=\"complete\"", ""), "complete"},
    {"missing aor", REGN("id=\"r\" state=\"active\"", ""), "aor"},
    {"missing registration id", REGN("aor=\"sip:a@b\" state=\"active\"", ""), "id"},
    {"bad registration state", REGN("aor=\"sip:a@b\" id=\"r\" state=\"pending\"", ""), "pending"},
    {"missing contact id", CONTACT("state=\"active\" event=\"registered\"", URI), "id"},
    {"missing contact state", CONTACT("id=\"1\" event=\"registered\"", URI), "state"},
    {"bad contact state", CONTACT("id=\"1\" state=\"waiting\" event=\"registered\"", URI),
     "waiting"},
    {"missing contact event", CONTACT("id=\"1\" state=\"active\"", URI), "event"},
    {"bad contact event", CONTACT("id=\"1\" state=\"active\" event=\"renewed\"", URI), "renewed"},
    {"event case", CONTACT("id=\"1\" state=\"active\" event=\"Registered\"", URI), "Registered"},
    {"missing uri", CONTACT("id=\"1\" state=\"active\" event=\"registered\"", ""), "uri"},
    {"uri in another namespace",
     CONTACT("id=\"1\" state=\"active\" event=\"registered\"",
             "<uri xmlns=\"urn:x\">sip:a@b</uri>"),
     "uri"},
    {"bad expires", CONTACT("id=\"1\" state=\"active\" event=\"registered\" expires=\"-5\"", URI),
     "expires"},
    {"bad q", CONTACT("id=\"1\" state=\"active\" event=\"registered\" q=\"1.5\"", URI), "q"},
    {"unknown-param without name",
     CONTACT("id=\"1\" state=\"active\" event=\"registered\"",
             URI "<unknown-param>x</unknown-param>"),
     "name"},
    {"DOCTYPE",
     "<!DOCTYPE reginfo [<!ENTITY a \"aaaa\">]>" REGINFO("version=\"1\" state=\"full\"", ""),
     "DOCTYPE"},
};

static void test_invalid_documents(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
        struct xml_reginfo *ri = (void *)1;
        char err[256] = "";
        int rc = xml_reginfo_parse(bad_docs[i].doc, strlen(bad_docs[i].doc), &ri, err, sizeof(err));
        if (rc != -EPROTO || ri != NULL || strstr(err, bad_docs[i].err_has) == NULL)
            fail_msg("case \"%s\": rc %d, err \"%s\"", bad_docs[i].what, rc, err);
    }
}

static void test_build_rejects_invalid(void **state)
{
    struct xml_reginfo_contact c = {.id = "1",
                                    .state = XML_CONTACT_ACTIVE,
                                    .event = XML_EVENT_CREATED,
                                    .expires = -1,
                                    .duration_registered = -1,
                                    .retry_after = -1,
                                    .cseq = -1,
                                    .uri = "sip:a@b"};
    struct xml_reginfo_registration r = {.aor = "sip:a@b",
                                         .id = "r",
                                         .state = XML_REGISTRATION_ACTIVE,
                                         .contacts = &c,
                                         .n_contacts = 1};
    struct xml_reginfo ri = {
        .version = 1, .state = XML_REGINFO_FULL, .registrations = &r, .n_registrations = 1};
    char *text = NULL;
    size_t len;

    assert_int_equal(xml_reginfo_build(&ri, &text, &len), 0);
    free(text);
    c.event = (enum xml_contact_event)9;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    assert_null(text);
    c.event = XML_EVENT_SHORTENED;
    c.state = (enum xml_contact_state)2;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    c.state = XML_CONTACT_ACTIVE;
    c.q = "2";
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    c.q = "0.1234";
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    c.q = "0.123";
    c.uri = NULL;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    c.uri = "sip:a@b";
    r.state = (enum xml_registration_state)3;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    r.state = XML_REGISTRATION_TERMINATED;
    r.aor = NULL;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    r.aor = "sip:a@b";
    ri.state = (enum xml_reginfo_state)2;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), -EINVAL);
    ri.state = XML_REGINFO_PARTIAL;
    assert_int_equal(xml_reginfo_build(&ri, &text, &len), 0);
    free(text);
    assert_int_equal(xml_reginfo_build(NULL, &text, &len), -EINVAL);
    xml_reginfo_free(NULL);
}

static void test_enum_names(void **state)
{
    static const char *const events[] = {"registered", "created",      "refreshed",
                                         "shortened",  "expired",      "deactivated",
                                         "probation",  "unregistered", "rejected"};
    int i;

    for (i = 0; i < 9; i++)
        assert_string_equal(xml_contact_event_name(i), events[i]);
    assert_null(xml_contact_event_name(9));
    assert_null(xml_contact_event_name(-1));
    assert_string_equal(xml_registration_state_name(XML_REGISTRATION_INIT), "init");
    assert_string_equal(xml_registration_state_name(XML_REGISTRATION_TERMINATED), "terminated");
    assert_string_equal(xml_contact_state_name(XML_CONTACT_TERMINATED), "terminated");
    assert_string_equal(xml_reginfo_state_name(XML_REGINFO_PARTIAL), "partial");
    assert_null(xml_reginfo_state_name(2));
}

static int teardown_libxml(void **state)
{
    xmlCleanupParser();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_parse_roundtrip),
        cmocka_unit_test(test_version_is_caller_set),
        cmocka_unit_test(test_parse_rfc_example),
        cmocka_unit_test(test_parse_prefixed_namespace),
        cmocka_unit_test(test_invalid_documents),
        cmocka_unit_test(test_build_rejects_invalid),
        cmocka_unit_test(test_enum_names),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_libxml);
}
