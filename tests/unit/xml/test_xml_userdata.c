/*
 * TS 29.228 user data: parse a realistic document field by field, the look-up helpers,
 * build -> parse round trip, and malformed or hostile documents.
 */
#include "test_xml_util.h"

#include <errno.h>
#include <pthread.h>

#include <libxml/parser.h>

#include "xml/xml.h"

#define IMPI        "001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
#define IMPU_SIP    "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
#define IMPU_MSISDN "sip:+15551230001@ims.mnc001.mcc001.3gppnetwork.org"
#define IMPU_TEL    "tel:+15551230001"

static struct xml_ims_subscription *parse_data_file(void)
{
    struct xml_ims_subscription *sub = NULL;
    char err[256];
    size_t len;
    char *buf = test_xml_read_data("userdata.xml", &len);
    int rc = xml_userdata_parse(buf, len, &sub, err, sizeof(err));

    if (rc != 0)
        print_error("parse failed: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(sub);
    free(buf);
    return sub;
}

static void assert_str_eq_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void test_parse_every_field(void **state)
{
    struct xml_ims_subscription *sub = parse_data_file();
    const struct xml_service_profile *sp;
    const struct xml_ifc *ifc;
    const struct xml_spt *spt;

    assert_string_equal(sub->private_id, IMPI);
    assert_int_equal(sub->n_profiles, 1);
    sp = &sub->profiles[0];

    assert_int_equal(sp->n_public_ids, 3);
    assert_string_equal(sp->public_ids[0].identity, IMPU_SIP);
    assert_false(sp->public_ids[0].barring);
    assert_int_equal(sp->public_ids[0].identity_type, XML_IDENTITY_PUBLIC_USER);
    assert_null(sp->public_ids[0].wildcarded_psi);
    assert_null(sp->public_ids[0].display_name);
    assert_string_equal(sp->public_ids[1].identity, IMPU_MSISDN);
    assert_false(sp->public_ids[1].barring);
    assert_string_equal(sp->public_ids[1].display_name, "Alice & Co");
    assert_string_equal(sp->public_ids[2].identity, IMPU_TEL);
    assert_null(sp->public_ids[2].display_name);
    assert_int_equal(sp->subscribed_media_profile_id, 1);

    assert_int_equal(sp->n_ifcs, 2);
    /* First in the document: the originating INVITE to the TAS. */
    ifc = &sp->ifcs[0];
    assert_int_equal(ifc->priority, 20);
    assert_non_null(ifc->trigger_point);
    assert_true(ifc->trigger_point->cnf);
    assert_int_equal(ifc->trigger_point->n_spts, 3);
    spt = &ifc->trigger_point->spts[0];
    assert_false(spt->negated);
    assert_int_equal(spt->n_groups, 1);
    assert_int_equal(spt->groups[0], 0);
    assert_int_equal(spt->type, XML_SPT_METHOD);
    assert_string_equal(spt->method, "INVITE");
    assert_int_equal(spt->reg_types, 0);
    assert_null(spt->request_uri);
    spt = &ifc->trigger_point->spts[1];
    assert_int_equal(spt->groups[0], 1);
    assert_int_equal(spt->type, XML_SPT_SESSION_CASE);
    assert_int_equal(spt->session_case, XML_SESSION_ORIGINATING);
    assert_null(spt->method);
    spt = &ifc->trigger_point->spts[2];
    assert_int_equal(spt->groups[0], 2);
    assert_int_equal(spt->type, XML_SPT_SIP_HEADER);
    assert_string_equal(spt->header, "P-Access-Network-Info");
    assert_string_equal(spt->header_content, "3GPP-E-UTRAN");
    assert_int_equal(spt->session_case, -1);
    assert_string_equal(ifc->as.server_name, "sip:tas.ims.mnc001.mcc001.3gppnetwork.org:5060");
    assert_int_equal(ifc->as.default_handling, XML_DEFAULT_HANDLING_SESSION_TERMINATED);
    assert_string_equal(ifc->as.service_info, "mmtel");
    assert_false(ifc->as.include_register_request);
    assert_false(ifc->as.include_register_response);
    assert_int_equal(ifc->profile_part_indicator, XML_PROFILE_PART_REGISTERED);

    /* Second: REGISTER (initial and de-registration) to the AS on port 5070. */
    ifc = &sp->ifcs[1];
    assert_int_equal(ifc->priority, 10);
    assert_false(ifc->trigger_point->cnf);
    assert_int_equal(ifc->trigger_point->n_spts, 2);
    spt = &ifc->trigger_point->spts[0];
    assert_int_equal(spt->type, XML_SPT_METHOD);
    assert_string_equal(spt->method, "REGISTER");
    assert_int_equal(spt->reg_types,
                     XML_REG_TYPE_BIT(XML_REG_TYPE_INITIAL) | XML_REG_TYPE_BIT(XML_REG_TYPE_DE));
    spt = &ifc->trigger_point->spts[1];
    assert_int_equal(spt->type, XML_SPT_SESSION_CASE);
    assert_int_equal(spt->session_case, XML_SESSION_ORIGINATING);
    assert_int_equal(spt->groups[0], 0);
    assert_string_equal(ifc->as.server_name, "sip:as.ims.mnc001.mcc001.3gppnetwork.org:5070");
    assert_int_equal(ifc->as.default_handling, XML_DEFAULT_HANDLING_SESSION_CONTINUED);
    assert_null(ifc->as.service_info);
    assert_true(ifc->as.include_register_request);
    assert_true(ifc->as.include_register_response);
    assert_int_equal(ifc->profile_part_indicator, -1);

    xml_ims_subscription_free(sub);
}

static void test_lookup_helpers(void **state)
{
    struct xml_ims_subscription *sub = parse_data_file();
    const struct xml_public_identity **ids = NULL;
    const struct xml_service_profile *sp = NULL;
    const struct xml_ifc **ifcs = NULL;
    size_t n = 0;

    assert_ptr_equal(xml_userdata_find_profile(sub, IMPU_TEL), &sub->profiles[0]);
    assert_ptr_equal(xml_userdata_find_identity(sub, IMPU_MSISDN, &sp),
                     &sub->profiles[0].public_ids[1]);
    assert_ptr_equal(sp, &sub->profiles[0]);
    assert_null(xml_userdata_find_profile(sub, "sip:nobody@ims.mnc001.mcc001.3gppnetwork.org"));
    assert_null(xml_userdata_find_identity(sub, "tel:+1555", &sp));
    assert_null(sp);

    assert_int_equal(xml_userdata_implicit_set(sub, IMPU_TEL, &ids, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ids[0]->identity, IMPU_SIP);
    assert_string_equal(ids[1]->identity, IMPU_MSISDN);
    assert_string_equal(ids[2]->identity, IMPU_TEL);
    free(ids);
    assert_int_equal(xml_userdata_implicit_set(sub, "sip:x@y", &ids, &n), -ENOENT);
    assert_null(ids);
    assert_int_equal(n, 0);

    assert_int_equal(xml_userdata_all_public_ids(sub, &ids, &n), 0);
    assert_int_equal(n, 3);
    free(ids);

    assert_int_equal(xml_ifc_sorted(&sub->profiles[0], &ifcs, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ifcs[0]->priority, 10);
    assert_int_equal(ifcs[1]->priority, 20);
    free(ifcs);
    xml_ims_subscription_free(sub);
}

/* Two service profiles (the implicit set is per profile) and a wildcarded PSI. */
static const char two_profiles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<IMSSubscription><PrivateID>alice@example.org</PrivateID>"
    "<ServiceProfile>"
    " <PublicIdentity><Identity>sip:alice@example.org</Identity></PublicIdentity>"
    " <PublicIdentity><BarringIndication>1</BarringIndication>"
    "  <Identity>tel:+4930123</Identity></PublicIdentity>"
    "</ServiceProfile>"
    "<ServiceProfile>"
    " <PublicIdentity><Identity>sip:alice.work@example.org</Identity></PublicIdentity>"
    " <PublicIdentity><Identity>sip:chat-!.*!@example.org</Identity>"
    "  <Extension><IdentityType>2</IdentityType>"
    "   <WildcardedPSI>sip:chat-[0-9]+@example\\.org</WildcardedPSI></Extension>"
    " </PublicIdentity>"
    "</ServiceProfile></IMSSubscription>";

static void test_profiles_and_wildcards(void **state)
{
    struct xml_ims_subscription *sub = NULL;
    const struct xml_public_identity **ids = NULL;
    const struct xml_public_identity *pi;
    const struct xml_service_profile *sp = NULL;
    char err[256];
    size_t n;

    assert_int_equal(
        xml_userdata_parse(two_profiles, sizeof(two_profiles) - 1, &sub, err, sizeof(err)), 0);
    assert_int_equal(sub->n_profiles, 2);
    assert_true(sub->profiles[0].public_ids[1].barring);
    assert_int_equal(sub->profiles[0].subscribed_media_profile_id, -1);
    assert_int_equal(sub->profiles[0].n_ifcs, 0);

    assert_int_equal(xml_userdata_implicit_set(sub, "tel:+4930123", &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0]->identity, "sip:alice@example.org");
    free(ids);
    assert_int_equal(xml_userdata_implicit_set(sub, "sip:alice.work@example.org", &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[1]->identity, "sip:chat-!.*!@example.org");
    free(ids);
    assert_int_equal(xml_userdata_all_public_ids(sub, &ids, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(ids[3]->identity, "sip:chat-!.*!@example.org");
    free(ids);

    pi = xml_userdata_find_identity(sub, "sip:chat-42@example.org", &sp);
    assert_ptr_equal(pi, &sub->profiles[1].public_ids[1]);
    assert_ptr_equal(sp, &sub->profiles[1]);
    /* The expression is anchored: a longer URI is not in the wildcard range. */
    assert_null(xml_userdata_find_identity(sub, "sip:chat-42@example.org.evil", NULL));
    assert_null(xml_userdata_find_identity(sub, "sip:chat-x@example.org", NULL));
    xml_ims_subscription_free(sub);
}

static void assert_spt_equal(const struct xml_spt *a, const struct xml_spt *b)
{
    size_t i;

    assert_int_equal(a->negated, b->negated);
    assert_int_equal(a->n_groups, b->n_groups);
    for (i = 0; i < a->n_groups; i++)
        assert_int_equal(a->groups[i], b->groups[i]);
    assert_int_equal(a->type, b->type);
    assert_str_eq_null(a->request_uri, b->request_uri);
    assert_str_eq_null(a->method, b->method);
    assert_str_eq_null(a->header, b->header);
    assert_str_eq_null(a->header_content, b->header_content);
    assert_int_equal(a->session_case, b->session_case);
    assert_str_eq_null(a->sdp_line, b->sdp_line);
    assert_str_eq_null(a->sdp_content, b->sdp_content);
    assert_int_equal(a->reg_types, b->reg_types);
}

static void assert_ifc_equal(const struct xml_ifc *a, const struct xml_ifc *b)
{
    size_t i;

    assert_int_equal(a->priority, b->priority);
    assert_int_equal(a->profile_part_indicator, b->profile_part_indicator);
    assert_string_equal(a->as.server_name, b->as.server_name);
    assert_int_equal(a->as.default_handling, b->as.default_handling);
    assert_str_eq_null(a->as.service_info, b->as.service_info);
    assert_int_equal(a->as.include_register_request, b->as.include_register_request);
    assert_int_equal(a->as.include_register_response, b->as.include_register_response);
    if (a->trigger_point == NULL || b->trigger_point == NULL) {
        assert_ptr_equal(a->trigger_point, b->trigger_point);
        return;
    }
    assert_int_equal(a->trigger_point->cnf, b->trigger_point->cnf);
    assert_int_equal(a->trigger_point->n_spts, b->trigger_point->n_spts);
    for (i = 0; i < a->trigger_point->n_spts; i++)
        assert_spt_equal(&a->trigger_point->spts[i], &b->trigger_point->spts[i]);
}

static void assert_subscription_equal(const struct xml_ims_subscription *a,
                                      const struct xml_ims_subscription *b)
{
    size_t i, j;

    assert_string_equal(a->private_id, b->private_id);
    assert_int_equal(a->n_profiles, b->n_profiles);
    for (i = 0; i < a->n_profiles; i++) {
        const struct xml_service_profile *pa = &a->profiles[i], *pb = &b->profiles[i];
        assert_int_equal(pa->n_public_ids, pb->n_public_ids);
        for (j = 0; j < pa->n_public_ids; j++) {
            assert_string_equal(pa->public_ids[j].identity, pb->public_ids[j].identity);
            assert_int_equal(pa->public_ids[j].barring, pb->public_ids[j].barring);
            assert_int_equal(pa->public_ids[j].identity_type, pb->public_ids[j].identity_type);
            assert_str_eq_null(pa->public_ids[j].wildcarded_psi, pb->public_ids[j].wildcarded_psi);
            assert_str_eq_null(pa->public_ids[j].display_name, pb->public_ids[j].display_name);
        }
        assert_int_equal(pa->subscribed_media_profile_id, pb->subscribed_media_profile_id);
        assert_int_equal(pa->n_ifcs, pb->n_ifcs);
        for (j = 0; j < pa->n_ifcs; j++)
            assert_ifc_equal(&pa->ifcs[j], &pb->ifcs[j]);
    }
}

static void roundtrip(const char *doc, size_t len)
{
    struct xml_ims_subscription *a = NULL, *b = NULL;
    char *built = NULL, *built2 = NULL;
    size_t blen = 0, blen2 = 0;
    char err[256];

    assert_int_equal(xml_userdata_parse(doc, len, &a, err, sizeof(err)), 0);
    assert_int_equal(xml_userdata_build(a, &built, &blen), 0);
    assert_int_equal(strlen(built), blen);
    assert_true(strncmp(built, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
    assert_null(strstr(built, "xmlns"));
    if (xml_userdata_parse(built, blen, &b, err, sizeof(err)) != 0)
        fail_msg("re-parse failed: %s\n%s", err, built);
    assert_subscription_equal(a, b);
    /* Building again gives the same text: the builder is deterministic. */
    assert_int_equal(xml_userdata_build(b, &built2, &blen2), 0);
    assert_string_equal(built, built2);
    free(built);
    free(built2);
    xml_ims_subscription_free(a);
    xml_ims_subscription_free(b);
}

static void test_roundtrip(void **state)
{
    size_t len;
    char *buf = test_xml_read_data("userdata.xml", &len);

    roundtrip(buf, len);
    free(buf);
    roundtrip(two_profiles, sizeof(two_profiles) - 1);
}

/* Every kind of SPT and every optional field, built from structs and parsed back. */
static void test_build_from_structs(void **state)
{
    int g0[] = {0}, g01[] = {0, 1};
    struct xml_spt spts[] = {
        {.negated = true,
         .groups = g0,
         .n_groups = 1,
         .type = XML_SPT_REQUEST_URI,
         .request_uri = "^sip:.*@example\\.org$",
         .session_case = -1},
        {.groups = g01,
         .n_groups = 2,
         .type = XML_SPT_SIP_HEADER,
         .header = "Contact",
         .header_content = "\\+g\\.3gpp\\.smsip",
         .session_case = -1},
        {.groups = g0,
         .n_groups = 1,
         .type = XML_SPT_SESSION_DESCRIPTION,
         .sdp_line = "m",
         .sdp_content = "audio",
         .session_case = -1},
        {.groups = g0, .n_groups = 1, .type = XML_SPT_SESSION_CASE, .session_case = 4},
        {.groups = g0,
         .n_groups = 1,
         .type = XML_SPT_METHOD,
         .method = "REGISTER",
         .session_case = -1,
         .reg_types = XML_REG_TYPE_BIT(XML_REG_TYPE_RE)},
    };
    struct xml_trigger_point tp = {.cnf = true, .spts = spts, .n_spts = 5};
    struct xml_ifc ifcs[] = {
        {.priority = 0,
         .trigger_point = &tp,
         .as = {.server_name = "sip:as1.example.org;lr",
                .default_handling = 1,
                .service_info = "<info> & \"more\"",
                .include_register_request = true},
         .profile_part_indicator = 1},
        {.priority = 7,
         .trigger_point = NULL,
         .as = {.server_name = "sips:as2.example.org"},
         .profile_part_indicator = -1},
    };
    struct xml_public_identity ids[] = {
        {.identity = "sip:bob@example.org", .display_name = "Bob <B>"},
        {.identity = "sip:psi!.*!@example.org",
         .identity_type = 2,
         .wildcarded_psi = "sip:psi.*@example.org",
         .barring = true},
    };
    struct xml_service_profile sp = {.public_ids = ids,
                                     .n_public_ids = 2,
                                     .subscribed_media_profile_id = 0,
                                     .ifcs = ifcs,
                                     .n_ifcs = 2};
    struct xml_ims_subscription sub = {
        .private_id = "bob@example.org", .profiles = &sp, .n_profiles = 1};
    struct xml_ims_subscription *back = NULL;
    char *built = NULL;
    size_t len;
    char err[256];

    assert_int_equal(xml_userdata_build(&sub, &built, &len), 0);
    assert_non_null(strstr(built, "&lt;info&gt; &amp; \"more\""));
    if (xml_userdata_parse(built, len, &back, err, sizeof(err)) != 0)
        fail_msg("%s\n%s", err, built);
    assert_subscription_equal(&sub, back);
    free(built);
    xml_ims_subscription_free(back);

    /* Invalid structures are refused by the builder. */
    ifcs[1].as.default_handling = 7;
    assert_int_equal(xml_userdata_build(&sub, &built, &len), -EINVAL);
    assert_null(built);
    ifcs[1].as.default_handling = 0;
    ids[0].identity = NULL;
    assert_int_equal(xml_userdata_build(&sub, &built, &len), -EINVAL);
    ids[0].identity = "sip:bob@example.org";
    spts[0].n_groups = 0;
    assert_int_equal(xml_userdata_build(&sub, &built, &len), -EINVAL);
    spts[0].n_groups = 1;
    sub.n_profiles = 0;
    assert_int_equal(xml_userdata_build(&sub, &built, &len), -EINVAL);
    assert_int_equal(xml_userdata_build(NULL, &built, &len), -EINVAL);
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define PID  "<PrivateID>u@example.org</PrivateID>"
#define PUI  "<PublicIdentity><Identity>sip:u@example.org</Identity></PublicIdentity>"
#define AS   "<ApplicationServer><ServerName>sip:as.example.org</ServerName></ApplicationServer>"
#define SUB(profile)                                                                               \
    HEAD "<IMSSubscription>" PID "<ServiceProfile>" profile "</ServiceProfile></IMSSubscription>"
#define IFC(body) SUB(PUI "<InitialFilterCriteria>" body "</InitialFilterCriteria>")
#define SPT(body)                                                                                  \
    IFC("<Priority>1</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>" body     \
        "</SPT></TriggerPoint>" AS)

struct bad_doc {
    const char *what;
    const char *doc;
    int rc;
    const char *err_has; /* a word the reason must contain */
};

static const struct bad_doc bad_docs[] = {
    {"not XML", "this is not XML at all", -EPROTO, "well-formed"},
    {"truncated", HEAD "<IMSSubscription>" PID "<ServiceProfile>", -EPROTO, "well-formed"},
    {"wrong root", HEAD "<IMSSubscriptions/>", -EPROTO, "IMSSubscription"},
    {"no PrivateID",
     HEAD "<IMSSubscription><ServiceProfile>" PUI "</ServiceProfile></IMSSubscription>", -EPROTO,
     "PrivateID"},
    {"two PrivateIDs",
     HEAD "<IMSSubscription>" PID PID "<ServiceProfile>" PUI "</ServiceProfile></IMSSubscription>",
     -EPROTO, "duplicate"},
    {"no ServiceProfile", HEAD "<IMSSubscription>" PID "</IMSSubscription>", -EPROTO,
     "ServiceProfile"},
    {"no PublicIdentity", SUB(""), -EPROTO, "PublicIdentity"},
    {"missing Identity",
     SUB("<PublicIdentity><BarringIndication>0</BarringIndication></PublicIdentity>"), -EPROTO,
     "Identity"},
    {"empty Identity", SUB("<PublicIdentity><Identity>  </Identity></PublicIdentity>"), -EPROTO,
     "empty"},
    {"Identity not a URI",
     SUB("<PublicIdentity><Identity>mailto:u@example.org</Identity></PublicIdentity>"), -EPROTO,
     "URI"},
    {"Identity with markup",
     SUB("<PublicIdentity><Identity>sip:<b/>u@x</Identity></PublicIdentity>"), -EPROTO,
     "text only"},
    {"IdentityType 3",
     SUB("<PublicIdentity><Identity>sip:u@x</Identity><Extension>"
         "<IdentityType>3</IdentityType></Extension></PublicIdentity>"),
     -EPROTO, "IdentityType"},
    {"wildcard without WildcardedPSI",
     SUB("<PublicIdentity><Identity>sip:u@x</Identity><Extension>"
         "<IdentityType>2</IdentityType></Extension></PublicIdentity>"),
     -EPROTO, "WildcardedPSI"},
    {"BarringIndication 2",
     SUB("<PublicIdentity><BarringIndication>2</BarringIndication>"
         "<Identity>sip:u@x</Identity></PublicIdentity>"),
     -EPROTO, "boolean"},
    {"Priority non-numeric", IFC("<Priority>high</Priority>" AS), -EPROTO, "Priority"},
    {"Priority negative", IFC("<Priority>-1</Priority>" AS), -EPROTO, "Priority"},
    {"Priority overflow", IFC("<Priority>99999999999999999999</Priority>" AS), -EPROTO, "Priority"},
    {"Priority missing", IFC(AS), -EPROTO, "Priority"},
    {"ApplicationServer missing", IFC("<Priority>1</Priority>"), -EPROTO, "ApplicationServer"},
    {"ServerName missing",
     IFC("<Priority>1</Priority><ApplicationServer><DefaultHandling>0"
         "</DefaultHandling></ApplicationServer>"),
     -EPROTO, "ServerName"},
    {"ServerName not SIP",
     IFC("<Priority>1</Priority><ApplicationServer><ServerName>http://as"
         "</ServerName></ApplicationServer>"),
     -EPROTO, "SIP URI"},
    {"DefaultHandling 7",
     IFC("<Priority>1</Priority><ApplicationServer><ServerName>sip:as@x"
         "</ServerName><DefaultHandling>7</DefaultHandling></ApplicationServer>"),
     -EPROTO, "DefaultHandling"},
    {"ProfilePartIndicator 2",
     IFC("<Priority>1</Priority>" AS "<ProfilePartIndicator>2</ProfilePartIndicator>"), -EPROTO,
     "ProfilePartIndicator"},
    {"ConditionTypeCNF missing",
     IFC("<Priority>1</Priority><TriggerPoint><SPT><Group>0</Group>"
         "<Method>INVITE</Method></SPT></TriggerPoint>" AS),
     -EPROTO, "ConditionTypeCNF"},
    {"SPT without Group", SPT("<Method>INVITE</Method>"), -EPROTO, "Group"},
    {"SPT without condition", SPT("<Group>0</Group>"), -EPROTO, "condition"},
    {"SPT with two conditions",
     SPT("<Group>0</Group><Method>INVITE</Method><SessionCase>0</SessionCase>"), -EPROTO,
     "more than one"},
    {"SessionCase 9", SPT("<Group>0</Group><SessionCase>9</SessionCase>"), -EPROTO, "SessionCase"},
    {"Group negative", SPT("<Group>-3</Group><Method>INVITE</Method>"), -EPROTO, "Group"},
    {"SIPHeader without Header", SPT("<Group>0</Group><SIPHeader><Content>x</Content></SIPHeader>"),
     -EPROTO, "Header"},
    {"SessionDescription without Line",
     SPT("<Group>0</Group><SessionDescription><Content>x"
         "</Content></SessionDescription>"),
     -EPROTO, "Line"},
    {"RegistrationType 3",
     SPT("<Group>0</Group><Method>REGISTER</Method><Extension>"
         "<RegistrationType>3</RegistrationType></Extension>"),
     -EPROTO, "RegistrationType"},
    {"undeclared entity", HEAD "<IMSSubscription><PrivateID>&xxe;</PrivateID></IMSSubscription>",
     -EPROTO, "well-formed"},
    {"external entity (XXE)",
     HEAD "<!DOCTYPE IMSSubscription [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
          "<IMSSubscription><PrivateID>&xxe;</PrivateID><ServiceProfile>" PUI
          "</ServiceProfile></IMSSubscription>",
     -EPROTO, "DOCTYPE"},
    {"external DTD over the network",
     HEAD "<!DOCTYPE IMSSubscription SYSTEM \"http://127.0.0.1:9/cx.dtd\">"
          "<IMSSubscription>" PID "<ServiceProfile>" PUI "</ServiceProfile></IMSSubscription>",
     -EPROTO, "DOCTYPE"},
    {"billion laughs",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
     " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
     " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
     " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
     " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
     " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
     " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
     " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
     " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
     " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
     "]>\n<IMSSubscription><PrivateID>&lol9;</PrivateID><ServiceProfile>" PUI
     "</ServiceProfile></IMSSubscription>",
     -EPROTO, "DOCTYPE"},
};

static void test_malformed(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
        struct xml_ims_subscription *sub = (void *)1;
        char err[256] = "";
        int rc =
            xml_userdata_parse(bad_docs[i].doc, strlen(bad_docs[i].doc), &sub, err, sizeof(err));
        if (rc != bad_docs[i].rc || sub != NULL || strstr(err, bad_docs[i].err_has) == NULL)
            fail_msg("case \"%s\": rc %d, err \"%s\"", bad_docs[i].what, rc, err);
    }
}

static void test_limits_and_arguments(void **state)
{
    struct xml_ims_subscription *sub = NULL;
    char err[128];
    size_t big = XML_MAX_DOC_SIZE + 1;
    char *buf = malloc(big);

    assert_non_null(buf);
    memset(buf, ' ', big);
    memcpy(buf, "<IMSSubscription>", 17);
    assert_int_equal(xml_userdata_parse(buf, big, &sub, err, sizeof(err)), -EMSGSIZE);
    assert_null(sub);
    free(buf);
    assert_int_equal(xml_userdata_parse("", 0, &sub, err, sizeof(err)), -EINVAL);
    assert_int_equal(xml_userdata_parse(NULL, 10, &sub, err, sizeof(err)), -EINVAL);
    assert_int_equal(xml_userdata_parse("<a/>", 4, NULL, err, sizeof(err)), -EINVAL);
    /* err may be NULL. */
    assert_int_equal(xml_userdata_parse("<a/>", 4, &sub, NULL, 0), -EPROTO);
    xml_ims_subscription_free(NULL);
}

/* pyHSS emits empty <Extension></Extension> in SPTs and a comment before the root;
 * unknown elements and misplaced extensions are skipped. */
static void test_lenient_where_harmless(void **state)
{
    static const char doc[] =
        HEAD "<!-- pyHSS --><IMSSubscription>" PID "<ServiceProfile>" PUI
             "<InitialFilterCriteria><Priority> 5 </Priority>"
             "<TriggerPoint><ConditionTypeCNF>true</ConditionTypeCNF><SPT>"
             "<ConditionNegated>false</ConditionNegated><Group>0</Group>"
             "<Method>MESSAGE</Method><Extension><RegistrationType>1</RegistrationType>"
             "</Extension><VendorThing/></SPT>"
             "</TriggerPoint>" AS "<Unknown>x</Unknown></InitialFilterCriteria>"
             "<SharedIFCSetID>3</SharedIFCSetID></ServiceProfile></IMSSubscription>";
    struct xml_ims_subscription *sub = NULL;
    char err[256];

    if (xml_userdata_parse(doc, sizeof(doc) - 1, &sub, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(sub->profiles[0].ifcs[0].priority, 5);
    assert_true(sub->profiles[0].ifcs[0].trigger_point->cnf);
    assert_string_equal(sub->profiles[0].ifcs[0].trigger_point->spts[0].method, "MESSAGE");
    /* A RegistrationType on a non-REGISTER SPT is kept but has no effect. */
    {
        struct xml_sip_ctx ctx = {
            .method = "MESSAGE", .request_uri = "sip:x@y", .reg_type = XML_REG_TYPE_NONE};
        assert_true(xml_ifc_matches(&sub->profiles[0].ifcs[0], &ctx));
    }
    xml_ims_subscription_free(sub);
}

/* The HSS builds user data on freeDiameter threads: parse and build concurrently. */
struct thread_job {
    const char *doc;
    size_t len;
    const char *expect; /* the single-threaded build output */
    int failures;
};

static void *parse_build_loop(void *arg)
{
    struct thread_job *job = arg;
    int i;

    for (i = 0; i < 50; i++) {
        struct xml_ims_subscription *sub = NULL;
        char *built = NULL;
        size_t blen;

        if (xml_userdata_parse(job->doc, job->len, &sub, NULL, 0) != 0 ||
            xml_userdata_build(sub, &built, &blen) != 0 || strcmp(built, job->expect) != 0)
            job->failures++;
        free(built);
        xml_ims_subscription_free(sub);
    }
    return NULL;
}

static void test_concurrent_threads(void **state)
{
    struct xml_ims_subscription *sub = NULL;
    struct thread_job jobs[4];
    pthread_t tids[4];
    char *expect = NULL;
    size_t len, elen;
    char *buf = test_xml_read_data("userdata.xml", &len);
    int i;

    assert_int_equal(xml_userdata_parse(buf, len, &sub, NULL, 0), 0);
    assert_int_equal(xml_userdata_build(sub, &expect, &elen), 0);
    xml_ims_subscription_free(sub);
    for (i = 0; i < 4; i++) {
        jobs[i] = (struct thread_job){buf, len, expect, 0};
        assert_int_equal(pthread_create(&tids[i], NULL, parse_build_loop, &jobs[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(tids[i], NULL), 0);
        assert_int_equal(jobs[i].failures, 0);
    }
    free(expect);
    free(buf);
}

static int teardown_libxml(void **state)
{
    xmlCleanupParser();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_every_field),
        cmocka_unit_test(test_lookup_helpers),
        cmocka_unit_test(test_profiles_and_wildcards),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_build_from_structs),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits_and_arguments),
        cmocka_unit_test(test_lenient_where_harmless),
        cmocka_unit_test(test_concurrent_threads),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_libxml);
}
