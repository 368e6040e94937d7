/*
 * iFC evaluation (TS 29.228 Annex B): a table of trigger points and requests, and the
 * selection of application servers in priority order.
 */
#include "test_xml_util.h"

#include <errno.h>

#include <libxml/parser.h>

#include "xml/xml.h"

#define HEAD                                                                                       \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><IMSSubscription><PrivateID>u@x</PrivateID>"        \
    "<ServiceProfile><PublicIdentity><Identity>sip:u@x</Identity></PublicIdentity>"
#define TAIL "</ServiceProfile></IMSSubscription>"
#define AS(n)                                                                                      \
    "<ApplicationServer><ServerName>sip:" n "@as.example.org</ServerName></ApplicationServer>"
#define SPT(neg, grp, cond)                                                                        \
    "<SPT><ConditionNegated>" #neg "</ConditionNegated><Group>" #grp "</Group>" cond "</SPT>"
#define TP(cnf, spts)                                                                              \
    "<TriggerPoint><ConditionTypeCNF>" #cnf "</ConditionTypeCNF>" spts "</TriggerPoint>"
#define METHOD(m) "<Method>" m "</Method>"
#define CASE(c)   "<SessionCase>" #c "</SessionCase>"

/* Parses a subscription made of HEAD, the given iFCs and TAIL. */
static struct xml_ims_subscription *parse_ifcs(const char *ifcs)
{
    struct xml_ims_subscription *sub = NULL;
    char err[256];
    size_t len = strlen(HEAD) + strlen(ifcs) + strlen(TAIL);
    char *doc = malloc(len + 1);

    assert_non_null(doc);
    snprintf(doc, len + 1, "%s%s%s", HEAD, ifcs, TAIL);
    if (xml_userdata_parse(doc, len, &sub, err, sizeof(err)) != 0)
        fail_msg("parse: %s\n%s", err, doc);
    free(doc);
    return sub;
}

struct req {
    const char *method;
    const char *ruri;
    int session_case;
    int reg_type;
    const struct test_hdr *hdrs;
    const char *const *sdp;
    size_t n_sdp;
};

struct ifc_case {
    const char *what;
    const char *ifc; /* the inside of one <InitialFilterCriteria> */
    struct req req;
    bool expect;
};

static const struct test_hdr no_hdrs[] = {{NULL, NULL}};
static const struct test_hdr with_server[] = {{"Server", "Acme/1.0"}, {NULL, NULL}};
static const struct test_hdr pani_lte[] = {
    {"Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1"},
    {"p-access-network-info", "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B"},
    {NULL, NULL}};
static const struct test_hdr pani_wifi[] = {{"P-Access-Network-Info", "IEEE-802.11"}, {NULL, NULL}};
static const struct test_hdr pani_two[] = {
    {"P-Access-Network-Info", "IEEE-802.11"},
    {"P-Access-Network-Info", "3GPP-E-UTRAN-TDD; utran-cell-id-3gpp=00101000100001"},
    {NULL, NULL}};
static const char *const sdp_audio[] = {"v=0", "o=- 1 1 IN IP4 10.0.0.1", "c=IN IP4 10.0.0.1",
                                        "b=AS:64", "m=audio 49170 RTP/AVP 0 8 97"};
static const char *const sdp_video[] = {"v=0", "m=video 51372 RTP/AVP 31"};

#define INV_ORIG                                                                                   \
    {                                                                                              \
        "INVITE", "sip:bob@example.org", 0, -1, no_hdrs, NULL, 0                                   \
    }
#define INV_TERM                                                                                   \
    {                                                                                              \
        "INVITE", "sip:bob@example.org", 1, -1, no_hdrs, NULL, 0                                   \
    }
#define MSG_ORIG                                                                                   \
    {                                                                                              \
        "MESSAGE", "sip:bob@example.org", 0, -1, no_hdrs, NULL, 0                                  \
    }
#define OPT_ORIG                                                                                   \
    {                                                                                              \
        "OPTIONS", "sip:bob@example.org", 0, -1, no_hdrs, NULL, 0                                  \
    }
#define REG(t)                                                                                     \
    {                                                                                              \
        "REGISTER", "sip:example.org", 0, t, no_hdrs, NULL, 0                                      \
    }

/* CNF: (INVITE or MESSAGE) and originating. */
#define CNF_OR_AND                                                                                 \
    "<Priority>1</Priority>" TP(1, SPT(0, 0, METHOD("INVITE")) SPT(0, 0, METHOD("MESSAGE"))        \
                                       SPT(0, 1, CASE(0))) AS("a")
/* DNF: (INVITE and terminating-registered) or MESSAGE. */
#define DNF_AND_OR                                                                                 \
    "<Priority>1</Priority>" TP(0, SPT(0, 0, METHOD("INVITE")) SPT(0, 0, CASE(1))                  \
                                       SPT(0, 1, METHOD("MESSAGE"))) AS("a")
/* INVITE without a Server header (negated presence check). */
#define NEG_HDR                                                                                    \
    "<Priority>1</Priority>" TP(1, SPT(0, 0, METHOD("INVITE")) SPT(                                \
                                       1, 1, "<SIPHeader><Header>Server</Header></SIPHeader>"))    \
        AS("a")
#define REG_TYPES                                                                                  \
    "<Priority>1</Priority>" TP(                                                                   \
        0, SPT(0, 0,                                                                               \
               METHOD("REGISTER") "<Extension><RegistrationType>0"                                 \
                                  "</RegistrationType><RegistrationType>2</RegistrationType>"      \
                                  "</Extension>")) AS("a")
#define REG_ANY "<Priority>1</Priority>" TP(0, SPT(0, 0, METHOD("REGISTER"))) AS("a")
#define CASE_TU "<Priority>1</Priority>" TP(1, SPT(0, 0, CASE(2))) AS("a")
#define PANI_RE                                                                                    \
    "<Priority>1</Priority>" TP(                                                                   \
        1, SPT(0, 0,                                                                               \
               "<SIPHeader><Header>P-Access-Network-Info</Header>"                                 \
               "<Content>^3GPP-E-UTRAN(-FDD|-TDD)?</Content></SIPHeader>")) AS("a")
#define RURI_RE                                                                                    \
    "<Priority>1</Priority>" TP(1, SPT(0, 0,                                                       \
                                       "<RequestURI>^(sip|tel):\\+?1555[0-9]+"                     \
                                       "(@example\\.org)?$</RequestURI>")) AS("a")
#define SDP_AUDIO                                                                                  \
    "<Priority>1</Priority>" TP(1, SPT(0, 0,                                                       \
                                       "<SessionDescription><Line>m</Line>"                        \
                                       "<Content>^audio </Content></SessionDescription>")) AS("a")
#define SDP_BW                                                                                     \
    "<Priority>1</Priority>" TP(1, SPT(0, 0,                                                       \
                                       "<SessionDescription><Line>b</Line>"                        \
                                       "</SessionDescription>")) AS("a")
#define BAD_RE                                                                                     \
    "<Priority>1</Priority>" TP(1, SPT(0, 0, "<RequestURI>(unclosed</RequestURI>")) AS("a")
#define BAD_RE_NEG                                                                                 \
    "<Priority>1</Priority>" TP(1, SPT(1, 0, "<RequestURI>(unclosed</RequestURI>")) AS("a")
/* One SPT in two groups (CNF): group 0 = {A}, group 1 = {A, B}. */
#define MULTI_GROUP                                                                                \
    "<Priority>1</Priority>" TP(1, "<SPT><Group>0</Group><Group>1</Group>" METHOD(                 \
                                       "INVITE") "</SPT>" SPT(0, 1, CASE(1))) AS("a")
#define EMPTY_TP "<Priority>1</Priority>" TP(0, "") AS("a")

static const struct ifc_case cases[] = {
    {"no TriggerPoint, INVITE", "<Priority>1</Priority>" AS("a"), INV_ORIG, true},
    {"no TriggerPoint, REGISTER", "<Priority>1</Priority>" AS("a"), REG(0), true},
    {"TriggerPoint without SPT", EMPTY_TP, OPT_ORIG, true},
    {"CNF INVITE orig", CNF_OR_AND, INV_ORIG, true},
    {"CNF MESSAGE orig (OR inside group)", CNF_OR_AND, MSG_ORIG, true},
    {"CNF INVITE term (second group false)", CNF_OR_AND, INV_TERM, false},
    {"CNF OPTIONS orig (first group false)", CNF_OR_AND, OPT_ORIG, false},
    {"DNF INVITE term (first group all true)", DNF_AND_OR, INV_TERM, true},
    {"DNF INVITE orig (no group all true)", DNF_AND_OR, INV_ORIG, false},
    {"DNF MESSAGE orig (second group)", DNF_AND_OR, MSG_ORIG, true},
    {"DNF OPTIONS", DNF_AND_OR, OPT_ORIG, false},
    {"negated header absent", NEG_HDR, INV_ORIG, true},
    {"negated header present", NEG_HDR, {"INVITE", "sip:b@x", 0, -1, with_server, NULL, 0}, false},
    {"RegistrationType initial", REG_TYPES, REG(XML_REG_TYPE_INITIAL), true},
    {"RegistrationType re-registration", REG_TYPES, REG(XML_REG_TYPE_RE), false},
    {"RegistrationType de-registration", REG_TYPES, REG(XML_REG_TYPE_DE), true},
    {"RegistrationType unknown type", REG_TYPES, REG(XML_REG_TYPE_NONE), false},
    {"RegistrationType INVITE", REG_TYPES, INV_ORIG, false},
    {"REGISTER without RegistrationType, re-reg", REG_ANY, REG(XML_REG_TYPE_RE), true},
    {"method is case-sensitive", REG_ANY, {"register", "sip:x", 0, 0, no_hdrs, NULL, 0}, false},
    {"SessionCase 2 on term-unreg", CASE_TU, {"INVITE", "sip:b@x", 2, -1, no_hdrs, NULL, 0}, true},
    {"SessionCase 2 on term-reg", CASE_TU, INV_TERM, false},
    {"SessionCase 2 on orig-unreg", CASE_TU, {"INVITE", "sip:b@x", 3, -1, no_hdrs, NULL, 0}, false},
    {"SIPHeader regex LTE", PANI_RE, {"INVITE", "sip:b@x", 0, -1, pani_lte, NULL, 0}, true},
    {"SIPHeader regex WiFi", PANI_RE, {"INVITE", "sip:b@x", 0, -1, pani_wifi, NULL, 0}, false},
    {"SIPHeader regex second value",
     PANI_RE,
     {"INVITE", "sip:b@x", 0, -1, pani_two, NULL, 0},
     true},
    {"SIPHeader absent", PANI_RE, INV_ORIG, false},
    {"SIPHeader with no accessor", PANI_RE, {"INVITE", "sip:b@x", 0, -1, NULL, NULL, 0}, false},
    {"RequestURI regex tel",
     RURI_RE,
     {"INVITE", "tel:+15551230002", 0, -1, no_hdrs, NULL, 0},
     true},
    {"RequestURI regex sip",
     RURI_RE,
     {"INVITE", "sip:+15551230002@example.org", 0, -1, no_hdrs, NULL, 0},
     true},
    {"RequestURI regex other domain",
     RURI_RE,
     {"INVITE", "sip:+15551230002@example.org.evil", 0, -1, no_hdrs, NULL, 0},
     false},
    {"RequestURI absent", RURI_RE, {"INVITE", NULL, 0, -1, no_hdrs, NULL, 0}, false},
    {"SDP m=audio", SDP_AUDIO, {"INVITE", "sip:b@x", 0, -1, no_hdrs, sdp_audio, 5}, true},
    {"SDP m=video", SDP_AUDIO, {"INVITE", "sip:b@x", 0, -1, no_hdrs, sdp_video, 2}, false},
    {"SDP no body", SDP_AUDIO, INV_ORIG, false},
    {"SDP b= line present", SDP_BW, {"INVITE", "sip:b@x", 0, -1, no_hdrs, sdp_audio, 5}, true},
    {"SDP b= line absent", SDP_BW, {"INVITE", "sip:b@x", 0, -1, no_hdrs, sdp_video, 2}, false},
    {"bad regex never matches", BAD_RE, INV_ORIG, false},
    {"bad regex negated never matches", BAD_RE_NEG, INV_ORIG, false},
    {"SPT in two groups, CNF true", MULTI_GROUP, INV_TERM, true},
    {"SPT in two groups, CNF false", MULTI_GROUP, MSG_ORIG, false},
};

static void fill_ctx(struct xml_sip_ctx *ctx, const struct req *r)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->method = r->method;
    ctx->request_uri = r->ruri;
    ctx->session_case = r->session_case;
    ctx->reg_type = r->reg_type;
    if (r->hdrs != NULL) {
        ctx->header_value = test_xml_header_value;
        ctx->header_arg = (void *)r->hdrs;
    }
    ctx->sdp_lines = r->sdp;
    ctx->n_sdp_lines = r->n_sdp;
}

static void test_evaluation_table(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xml_ims_subscription *sub;
        struct xml_sip_ctx ctx;
        char ifc[4096];
        bool got;

        snprintf(ifc, sizeof(ifc), "<InitialFilterCriteria>%s</InitialFilterCriteria>",
                 cases[i].ifc);
        sub = parse_ifcs(ifc);
        fill_ctx(&ctx, &cases[i].req);
        got = xml_ifc_matches(&sub->profiles[0].ifcs[0], &ctx);
        if (got != cases[i].expect)
            fail_msg("case \"%s\": got %d, expected %d", cases[i].what, got, cases[i].expect);
        xml_ims_subscription_free(sub);
    }
    assert_false(xml_ifc_matches(NULL, NULL));
}

/* The realistic document: REGISTER goes to the AS on :5070, INVITE to the TAS. */
static void test_select_userdata(void **state)
{
    struct xml_ims_subscription *sub = NULL;
    const struct xml_ifc **sel = NULL;
    struct xml_sip_ctx ctx;
    char err[256];
    size_t len, n;
    char *buf = test_xml_read_data("userdata.xml", &len);
    struct req reg = REG(XML_REG_TYPE_INITIAL);
    struct req rereg = REG(XML_REG_TYPE_RE);
    struct req inv = {"INVITE", "tel:+15551230002", 0, -1, pani_lte, NULL, 0};
    struct req inv_unreg = {"INVITE", "tel:+15551230002", 3, -1, pani_lte, NULL, 0};

    assert_int_equal(xml_userdata_parse(buf, len, &sub, err, sizeof(err)), 0);
    free(buf);

    fill_ctx(&ctx, &reg);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(sel[0]->as.server_name, "sip:as.ims.mnc001.mcc001.3gppnetwork.org:5070");
    assert_int_equal(sel[0]->as.default_handling, 0);
    assert_true(sel[0]->as.include_register_request);
    free(sel);

    fill_ctx(&ctx, &rereg);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 0);
    assert_null(sel);

    fill_ctx(&ctx, &inv);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(sel[0]->as.server_name, "sip:tas.ims.mnc001.mcc001.3gppnetwork.org:5060");
    free(sel);

    /* An unregistered originator gets neither AS: the TAS iFC needs SessionCase 0. */
    fill_ctx(&ctx, &inv_unreg);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 0);
    xml_ims_subscription_free(sub);
}

static void test_select_priority_order(void **state)
{
    struct xml_ims_subscription *sub =
        parse_ifcs("<InitialFilterCriteria><Priority>30</Priority>" AS(
            "p30") "</InitialFilterCriteria>"
                   "<InitialFilterCriteria><Priority>5</Priority>" TP(1,
                                                                      SPT(0, 0, METHOD("INVITE")))
                       AS("p5") "</InitialFilterCriteria>"
                                "<InitialFilterCriteria><Priority>10</Priority>" AS(
                                    "p10a") "</InitialFilterCriteria>"
                                            "<InitialFilterCriteria><Priority>10</Priority>" AS(
                                                "p10b") "</InitialFilterCriteria>"
                                                        "<InitialFilterCriteria><Priority>0</"
                                                        "Priority>" TP(1,
                                                                       SPT(0, 0, METHOD("MESSAGE")))
                                                            AS("p0") "</InitialFilterCriteria>"
                                                                     "<InitialFilterCriteria><"
                                                                     "Priority>1</Priority>" AS(
                                                                         "unreg_only") "<ProfilePar"
                                                                                       "tIndicator>"
                                                                                       "1</"
                                                                                       "ProfilePart"
                                                                                       "Indicator><"
                                                                                       "/InitialFil"
                                                                                       "terCriteria"
                                                                                       ">"
                                                                                       "<InitialFil"
                                                                                       "terCriteria"
                                                                                       "><Priority>"
                                                                                       "2</"
                                                                                       "Priority"
                                                                                       ">" AS(
                                                                                           "reg_"
                                                                                           "only") "<ProfilePartIndicator>0</ProfilePartIndicator></InitialFilterCriteria>");
    const struct xml_ifc **sel = NULL;
    struct xml_sip_ctx ctx;
    struct req inv = INV_ORIG;
    struct req inv_tu = {"INVITE", "sip:u@x", 2, -1, no_hdrs, NULL, 0};
    size_t n;

    fill_ctx(&ctx, &inv);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(sel[0]->as.server_name, "sip:reg_only@as.example.org");
    assert_string_equal(sel[1]->as.server_name, "sip:p5@as.example.org");
    assert_string_equal(sel[2]->as.server_name, "sip:p10a@as.example.org");
    assert_string_equal(sel[3]->as.server_name, "sip:p10b@as.example.org");
    assert_string_equal(sel[4]->as.server_name, "sip:p30@as.example.org");
    free(sel);

    /* Continue the chain after the AS of priority 5 returned the request. */
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, 5, &sel, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sel[0]->priority, 10);
    assert_int_equal(sel[2]->priority, 30);
    free(sel);

    /* Terminating, unregistered user: the UNREGISTERED part applies, REGISTERED not. */
    fill_ctx(&ctx, &inv_tu);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], &ctx, -1, &sel, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(sel[0]->as.server_name, "sip:unreg_only@as.example.org");
    assert_int_equal(sel[1]->priority, 5);
    free(sel);

    assert_int_equal(xml_ifc_select(NULL, &ctx, -1, &sel, &n), -EINVAL);
    assert_int_equal(xml_ifc_select(&sub->profiles[0], NULL, -1, &sel, &n), -EINVAL);
    xml_ims_subscription_free(sub);
}

static int teardown_libxml(void **state)
{
    xmlCleanupParser();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluation_table),
        cmocka_unit_test(test_select_userdata),
        cmocka_unit_test(test_select_priority_order),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_libxml);
}
