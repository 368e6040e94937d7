/*
 * test_scscf_reg_store: the S-CSCF's durable store (scscf/reg_store.c). A
 * record written and read back in a fresh registry has the same id, implicit
 * set, barring and contacts (every field); records without an active contact
 * are deleted; unloadable rows are dropped; subscriptions round-trip with
 * their route set, CSeqs and version; later ids stay above restored ones.
 */
#include "reg_store.h"
#include "regs.h"

#include "xml/xml.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scscf_fixture.h"

static const char USER_DATA[] = FIXTURE_USER_DATA_WITH("");

static char path[64];

static int setup(void **state)
{
    char dir[] = "/tmp/test_reg_store.XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s.sqlite", dir);
    xml_init();
    assert_int_equal(reg_store_open(path, SQLDB_SYNC_NORMAL), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    reg_store_close();
    regs_free_all();
    snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strrchr(path, '/') - path), path);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Closes and reopens the store with an empty registry: what a restart sees. */
static void restart(void)
{
    reg_store_close();
    regs_free_all();
    assert_int_equal(reg_store_open(path, SQLDB_SYNC_NORMAL), 0);
}

static struct scscf_reg *registered(void)
{
    struct scscf_reg *r = regs_new(IMPI, IMPU);
    struct scscf_contact a = {
        .uri = "sip:ue@10.0.0.1:5060",
        .params = ";+sip.instance=\"<urn:gsma:imei:35209900-176148-0>\";reg-id=1",
        .expires_at = 2000000000,
        .path = "<sip:term@pcscf.ims.example.org;lr>",
        .call_id = "abc@10.0.0.1",
        .cseq = 7,
        .instance = "<urn:gsma:imei:35209900-176148-0>",
        .reg_id = 1,
        .received = "udp:10.0.0.1:5060",
        .registered_at = 1999999000,
        .event = SCSCF_EV_REGISTERED,
    };
    struct scscf_contact b = {.uri = "sip:ue@10.0.0.2:5060", .expires_at = 2000000100};

    assert_non_null(r);
    assert_int_equal(regs_set_user_data(r, USER_DATA, IMPU), 0);
    assert_non_null(regs_contact_add(r, &a));
    assert_non_null(regs_contact_add(r, &b));
    r->state = SCSCF_REG_REGISTERED;
    return r;
}

static void test_reg_round_trip(void **state)
{
    struct scscf_reg *r = registered();
    uint64_t id = r->id;
    const struct scscf_contact *c;

    r->contacts[1].active = false; /* removed: not stored */
    assert_int_equal(reg_store_put_reg(r), 0);
    restart();
    assert_null(regs_first());
    assert_int_equal(reg_store_load_regs(), 1);
    r = regs_find(IMPI, "tel:+15550000001");
    assert_non_null(r);
    assert_int_equal(r->id, id);
    assert_int_equal(r->state, SCSCF_REG_REGISTERED);
    assert_int_equal(r->n_impus, 3);
    assert_string_equal(r->impus[0], IMPU);
    assert_true(regs_is_barred(r, "sip:barred@ims.example.org"));
    assert_non_null(r->user_data);
    assert_int_equal(r->n_contacts, 1);
    c = &r->contacts[0];
    assert_true(c->active);
    assert_string_equal(c->uri, "sip:ue@10.0.0.1:5060");
    assert_string_equal(c->params, ";+sip.instance=\"<urn:gsma:imei:35209900-176148-0>\";reg-id=1");
    assert_int_equal(c->expires_at, 2000000000);
    assert_string_equal(c->path, "<sip:term@pcscf.ims.example.org;lr>");
    assert_string_equal(c->call_id, "abc@10.0.0.1");
    assert_int_equal(c->cseq, 7);
    assert_string_equal(c->instance, "<urn:gsma:imei:35209900-176148-0>");
    assert_int_equal(c->reg_id, 1);
    assert_string_equal(c->received, "udp:10.0.0.1:5060");
    assert_int_equal(c->registered_at, 1999999000);
    assert_int_equal(c->id, 1);
    /* a record created after the restart gets a higher id */
    assert_true(regs_new("other@ims.example.org", "sip:other@ims.example.org")->id > id);
}

static void test_unregistered_is_deleted(void **state)
{
    struct scscf_reg *r = registered();

    assert_int_equal(reg_store_put_reg(r), 0);
    r->contacts[0].active = r->contacts[1].active = false;
    assert_int_equal(reg_store_put_reg(r), 0); /* no active contact: deleted */
    restart();
    assert_int_equal(reg_store_load_regs(), 0);
    r = registered();
    assert_int_equal(reg_store_put_reg(r), 0);
    assert_int_equal(reg_store_del_reg(r), 0);
    restart();
    assert_int_equal(reg_store_load_regs(), 0);
}

static void test_bad_user_data_dropped(void **state)
{
    struct scscf_reg *r = registered();

    free(r->user_data);
    r->user_data = strdup("<IMSSubscription>not closed");
    assert_int_equal(reg_store_put_reg(r), 0);
    restart();
    assert_int_equal(reg_store_load_regs(), 0);
    assert_null(regs_first());
    restart();
    assert_int_equal(reg_store_load_regs(), 0); /* and it was deleted */
}

struct seen {
    int n;
    struct reg_store_sub last;
    char routes[2][64];
    char impu[64];
};

static void on_sub(void *arg, const struct reg_store_sub *s)
{
    struct seen *v = arg;
    v->n++;
    v->last = *s;
    snprintf(v->impu, sizeof(v->impu), "%s", s->impu);
    for (size_t i = 0; i < s->n_routes && i < 2; i++)
        snprintf(v->routes[i], sizeof(v->routes[i]), "%s", s->routes[i]);
}

static void test_sub_round_trip(void **state)
{
    const char *routes[] = {"sip:pcscf.ims.example.org;lr", "sip:icscf.ims.example.org;lr"};
    struct reg_store_sub s = {
        .id = 42,
        .impu = IMPU,
        .call_id = "sub@10.0.0.1",
        .local_tag = "ltag",
        .remote_tag = "rtag",
        .local_uri = IMPU,
        .remote_uri = IMPU,
        .target = "sip:ue@10.0.0.1:5060",
        .routes = routes,
        .n_routes = 2,
        .cseq = 3,
        .remote_cseq = 9,
        .version = 4,
        .expires_at = 2000000000,
        .src = {.proto = 1, .host = "10.0.0.1", .port = 5060},
    };
    struct seen v = {0};

    assert_int_equal(reg_store_put_sub(&s), 0);
    s.cseq = 5; /* a later NOTIFY replaces the row */
    assert_int_equal(reg_store_put_sub(&s), 0);
    restart();
    assert_int_equal(reg_store_load_subs(on_sub, &v), 1);
    assert_int_equal(v.n, 1);
    assert_int_equal(v.last.id, 42);
    assert_string_equal(v.impu, IMPU);
    assert_int_equal(v.last.n_routes, 2);
    assert_string_equal(v.routes[0], routes[0]);
    assert_string_equal(v.routes[1], routes[1]);
    assert_int_equal(v.last.cseq, 5);
    assert_int_equal(v.last.remote_cseq, 9);
    assert_int_equal(v.last.version, 4);
    assert_int_equal(v.last.expires_at, 2000000000);
    assert_int_equal(v.last.src.proto, 1);
    assert_string_equal(v.last.src.host, "10.0.0.1");
    assert_int_equal(v.last.src.port, 5060);
    assert_int_equal(reg_store_del_sub(42), 0);
    memset(&v, 0, sizeof(v));
    assert_int_equal(reg_store_load_subs(on_sub, &v), 0);
    assert_int_equal(reg_store_failures(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reg_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregistered_is_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_user_data_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sub_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
