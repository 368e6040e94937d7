/*
 * Store provisioning: add / look-up / delete round trip, duplicate and owned
 * identities, all-or-nothing transactions, updates, bulk import of 5,000.
 */
#include "test_store_util.h"

#include <sys/stat.h>
#include <time.h>

static const char ifc_xml[] =
    "<InitialFilterCriteria><Priority>0</Priority><TriggerPoint>"
    "<ConditionTypeCNF>0</ConditionTypeCNF><SPT><Group>0</Group><Method>INVITE</Method></SPT>"
    "</TriggerPoint><ApplicationServer><ServerName>sip:as.ims.test</ServerName>"
    "</ApplicationServer></InitialFilterCriteria>";

static void test_round_trip(void **state)
{
    struct tdb t;
    struct store *st;
    struct store_impi impi;
    struct store_impu impu, *list = NULL;
    struct store_subscriber s;
    const struct store_new_impu impus[] = {{"sip:alice@ims.test", false},
                                           {"tel:+15551234", false},
                                           {"sip:alice-barred@ims.test", true}};
    const char *roam[] = {"visited.example.net"};
    char **nets = NULL, *xml = NULL;
    size_t n = 0;
    struct stat sb;

    tdb_init(&t);
    st = tdb_open(&t);
    assert_int_equal(stat(t.path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    tsub_init(&s, "alice@ims.test", impus, 3);
    s.schemes = STORE_SCHEME_ALL;
    s.password = "secret";
    s.sqn = 0x20;
    s.ifc_xml = ifc_xml;
    s.roaming = roam;
    s.n_roaming = 1;
    assert_int_equal(store_subscriber_add(st, &s), 0);

    assert_int_equal(store_impi_get(st, "alice@ims.test", &impi), 0);
    assert_string_equal(impi.name, "alice@ims.test");
    assert_true(impi.has_keys);
    assert_memory_equal(impi.k, s.k, 16);
    assert_memory_equal(impi.opc, s.opc, 16);
    assert_memory_equal(impi.amf, s.amf, 2);
    assert_int_equal(impi.sqn, 0x20);
    assert_int_equal(impi.schemes, STORE_SCHEME_ALL);
    assert_string_equal(impi.password, "secret");
    assert_string_equal(impi.ha1, "");
    assert_true(impi.created > 0 && impi.updated >= impi.created);

    assert_int_equal(store_impu_get(st, "tel:+15551234", &impu), 0);
    assert_string_equal(impu.impi, "alice@ims.test");
    assert_false(impu.barred);
    assert_int_equal(impu.state, STORE_NOT_REGISTERED);
    assert_string_equal(impu.scscf, "");
    assert_true(impu.profile_id > 0);
    assert_int_equal(store_impu_get(st, "sip:alice-barred@ims.test", &impu), 0);
    assert_true(impu.barred);

    assert_int_equal(store_impi_impus(st, "alice@ims.test", &list, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].uri, "sip:alice-barred@ims.test"); /* sorted */
    assert_int_equal(list[0].irs_id, list[1].irs_id);
    assert_int_equal(list[1].irs_id, list[2].irs_id);
    free(list);
    assert_int_equal(store_irs_impus(st, "sip:alice@ims.test", &list, &n), 0);
    assert_int_equal(n, 3);
    free(list);

    assert_int_equal(store_profile_get_ifc(st, impu.profile_id, &xml), 0);
    assert_string_equal(xml, ifc_xml);
    free(xml);

    assert_int_equal(store_impi_impu_check(st, "alice@ims.test", "tel:+15551234"), 0);
    assert_int_equal(store_impi_impu_check(st, "alice@ims.test", "sip:nobody@ims.test"), -ENOENT);
    assert_int_equal(store_impi_impu_check(st, "nobody@ims.test", "tel:+15551234"), -ENOENT);

    assert_int_equal(store_roaming_check(st, "alice@ims.test", "ims.test", "ims.test"), 0);
    assert_int_equal(store_roaming_check(st, "alice@ims.test", "VISITED.example.net", NULL), 0);
    assert_int_equal(store_roaming_check(st, "alice@ims.test", "other.net", "ims.test"),
                     STORE_EROAMING);
    assert_int_equal(store_roaming_list(st, "alice@ims.test", &nets, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(nets[0], "visited.example.net");
    assert_null(nets[1]);
    store_strv_free(nets);

    /* delete: everything of the subscriber goes, including its profile */
    assert_int_equal(store_subscriber_del(st, "alice@ims.test"), 0);
    assert_int_equal(store_impi_get(st, "alice@ims.test", &impi), -ENOENT);
    assert_int_equal(store_impu_get(st, "tel:+15551234", &impu), -ENOENT);
    assert_int_equal(store_profile_get_ifc(st, impu.profile_id, &xml), -ENOENT);
    assert_int_equal(store_subscriber_del(st, "alice@ims.test"), -ENOENT);
    assert_non_null(strstr(store_errmsg(st), "alice@ims.test"));
    store_close(st);
    tdb_cleanup(&t);
}

static void test_duplicate_and_owned(void **state)
{
    struct tdb t;
    struct store *st;
    struct store_subscriber s;
    struct store_impi impi;
    struct store_impu impu;
    const struct store_new_impu a[] = {{"sip:alice@ims.test", false}};
    const struct store_new_impu b[] = {{"sip:bob@ims.test", false}, {"sip:alice@ims.test", false}};

    tdb_init(&t);
    st = tdb_open(&t);
    tsub_init(&s, "alice@ims.test", a, 1);
    assert_int_equal(store_subscriber_add(st, &s), 0);
    assert_int_equal(store_subscriber_add(st, &s), -EEXIST);
    assert_int_equal(STORE_EDUP, -EEXIST);
    assert_non_null(strstr(store_errmsg(st), "already exists"));

    /* bob's second IMPU belongs to alice: nothing of bob may remain */
    tsub_init(&s, "bob@ims.test", b, 2);
    assert_int_equal(store_subscriber_add(st, &s), STORE_EOWNED);
    assert_non_null(strstr(store_errmsg(st), "alice@ims.test"));
    assert_int_equal(store_impi_get(st, "bob@ims.test", &impi), -ENOENT);
    assert_int_equal(store_impu_get(st, "sip:bob@ims.test", &impu), -ENOENT);
    assert_int_equal(store_impu_get(st, "sip:alice@ims.test", &impu), 0);
    assert_string_equal(impu.impi, "alice@ims.test");
    assert_int_equal(store_impi_impu_check(st, "alice@ims.test", "sip:alice@ims.test"), 0);

    /* a valid bob, then the association check tells them apart */
    tsub_init(&s, "bob@ims.test", b, 1);
    assert_int_equal(store_subscriber_add(st, &s), 0);
    assert_int_equal(store_impi_impu_check(st, "bob@ims.test", "sip:alice@ims.test"),
                     STORE_EMISMATCH);

    /* input validation: nothing written */
    const struct store_new_impu bad[] = {{"mailto:carol@ims.test", false}};
    tsub_init(&s, "carol@ims.test", bad, 1);
    assert_int_equal(store_subscriber_add(st, &s), -EINVAL);
    const struct store_new_impu ok[] = {{"sip:carol@ims.test", false}};
    tsub_init(&s, "carol@ims.test", ok, 1);
    s.schemes = STORE_SCHEME_DIGEST_MD5; /* digest without password */
    assert_int_equal(store_subscriber_add(st, &s), -EINVAL);
    s.schemes = STORE_SCHEME_AKAV1_MD5;
    s.has_keys = false;
    assert_int_equal(store_subscriber_add(st, &s), -EINVAL);
    assert_int_equal(store_impi_get(st, "carol@ims.test", &impi), -ENOENT);
    s.schemes = STORE_SCHEME_DIGEST_MD5;
    s.ha1 = "0123456789ABCDEF0123456789abcdef";
    assert_int_equal(store_subscriber_add(st, &s), 0);
    assert_int_equal(store_impi_get(st, "carol@ims.test", &impi), 0);
    assert_false(impi.has_keys);
    assert_string_equal(impi.ha1, "0123456789abcdef0123456789abcdef");
    store_close(st);
    tdb_cleanup(&t);
}

static void test_update(void **state)
{
    struct tdb t;
    struct store *st;
    struct store_subscriber s;
    struct store_impi impi;
    struct store_impu impu, *list = NULL;
    size_t n = 0;
    const struct store_new_impu a[] = {{"sip:alice@ims.test", false}};
    const struct store_new_impu b[] = {{"sip:bob@ims.test", false}};
    const struct store_new_impu add[] = {{"tel:+1555", false}};
    const char *del[] = {"sip:alice@ims.test"};
    const char *bar[] = {"tel:+1555"};
    const char *owned[] = {"sip:bob@ims.test"};
    uint8_t amf[2] = {0xb9, 0xb9};
    char *xml = NULL;

    tdb_init(&t);
    st = tdb_open(&t);
    tsub_init(&s, "alice@ims.test", a, 1);
    assert_int_equal(store_subscriber_add(st, &s), 0);
    tsub_init(&s, "bob@ims.test", b, 1);
    assert_int_equal(store_subscriber_add(st, &s), 0);

    struct store_update up = {0};
    up.amf = amf;
    up.set_sqn = true;
    up.sqn = 0x1234;
    up.add_impus = add;
    up.n_add_impus = 1;
    up.bar = bar;
    up.n_bar = 1;
    up.ifc_xml = ifc_xml;
    assert_int_equal(store_subscriber_update(st, "alice@ims.test", &up), 0);
    assert_int_equal(store_impi_get(st, "alice@ims.test", &impi), 0);
    assert_int_equal(impi.sqn, 0x1234);
    assert_memory_equal(impi.amf, amf, 2);
    assert_int_equal(store_irs_impus(st, "sip:alice@ims.test", &list, &n), 0);
    assert_int_equal(n, 2); /* the new IMPU joined alice's implicit set */
    free(list);
    assert_int_equal(store_impu_get(st, "tel:+1555", &impu), 0);
    assert_true(impu.barred);
    assert_int_equal(store_profile_get_ifc(st, impu.profile_id, &xml), 0);
    assert_string_equal(xml, ifc_xml);
    free(xml);

    /* digest without a password: refused, nothing changed (SQN included) */
    struct store_update bad = {0};
    bad.schemes = STORE_SCHEME_DIGEST_MD5;
    bad.set_sqn = true;
    bad.sqn = 99;
    assert_int_equal(store_subscriber_update(st, "alice@ims.test", &bad), -EINVAL);
    assert_int_equal(store_impi_get(st, "alice@ims.test", &impi), 0);
    assert_int_equal(impi.sqn, 0x1234);
    assert_int_equal(impi.schemes, STORE_SCHEME_AKAV1_MD5);

    /* another IMPI's IMPU cannot be added */
    struct store_update steal = {0};
    struct store_new_impu bobs = {owned[0], false};
    steal.add_impus = &bobs;
    steal.n_add_impus = 1;
    assert_int_equal(store_subscriber_update(st, "alice@ims.test", &steal), STORE_EOWNED);

    /* removing one IMPU works, removing the last one is refused */
    struct store_update rm = {0};
    rm.del_impus = del;
    rm.n_del_impus = 1;
    assert_int_equal(store_subscriber_update(st, "alice@ims.test", &rm), 0);
    assert_int_equal(store_impu_get(st, "sip:alice@ims.test", &impu), -ENOENT);
    rm.del_impus = bar;
    assert_int_equal(store_subscriber_update(st, "alice@ims.test", &rm), -EINVAL);
    assert_int_equal(store_impu_get(st, "tel:+1555", &impu), 0);
    assert_int_equal(store_subscriber_update(st, "nobody@ims.test", &rm), -ENOENT);
    store_close(st);
    tdb_cleanup(&t);
}

#define N_BULK 5000

static void test_bulk_import(void **state)
{
    struct tdb t;
    struct store *st;
    struct store_subscriber *subs = calloc(N_BULK, sizeof(*subs));
    struct store_new_impu *impus = calloc(N_BULK, sizeof(*impus));
    char(*names)[64] = calloc(N_BULK, 64), (*uris)[64] = calloc(N_BULK, 64);
    char **list = NULL;
    size_t n = 0, failed = 0;
    struct timespec t0, t1;
    struct store_impi impi;
    struct store_impu impu;

    assert_non_null(subs);
    assert_non_null(impus);
    assert_non_null(names);
    assert_non_null(uris);
    tdb_init(&t);
    st = tdb_open(&t);
    for (size_t i = 0; i < N_BULK; i++) {
        snprintf(names[i], 64, "user%05zu@ims.test", i);
        snprintf(uris[i], 64, "sip:user%05zu@ims.test", i);
        impus[i].uri = uris[i];
        tsub_init(&subs[i], names[i], &impus[i], 1);
        subs[i].sqn = i * 32;
    }
    /* a duplicate at the end: the whole import is rolled back */
    subs[N_BULK - 1].impi = names[10];
    assert_int_equal(store_subscriber_add_many(st, subs, N_BULK, &failed), -EEXIST);
    assert_int_equal(failed, N_BULK - 1);
    assert_int_equal(store_impi_list(st, &list, &n), 0);
    assert_int_equal(n, 0);
    store_strv_free(list);
    subs[N_BULK - 1].impi = names[N_BULK - 1];

    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(store_subscriber_add_many(st, subs, N_BULK, &failed), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("bulk import of %d subscribers: %.3f s\n", N_BULK,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

    assert_int_equal(store_impi_list(st, &list, &n), 0);
    assert_int_equal(n, N_BULK);
    for (size_t i = 0; i < N_BULK; i++) {
        assert_string_equal(list[i], names[i]);
        assert_int_equal(store_impi_get(st, names[i], &impi), 0);
        assert_int_equal(impi.sqn, i * 32);
        assert_int_equal(store_impu_get(st, uris[i], &impu), 0);
        assert_string_equal(impu.impi, names[i]);
    }
    store_strv_free(list);
    store_close(st);
    tdb_cleanup(&t);
    free(subs);
    free(impus);
    free(names);
    free(uris);
}

static void test_open_errors(void **state)
{
    struct tdb t;
    struct store *st = (struct store *)1;
    char err[256];
    FILE *fp;

    tdb_init(&t);
    assert_int_equal(store_open(NULL, &st, err, sizeof(err)), -EINVAL);
    assert_null(st);
    /* a file that is not a SQLite database */
    fp = fopen(t.path, "w");
    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to be a header..........",
          fp);
    fclose(fp);
    assert_true(store_open(t.path, &st, err, sizeof(err)) < 0);
    assert_null(st);
    assert_true(strlen(err) > 0);
    tdb_cleanup(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_duplicate_and_owned),
        cmocka_unit_test(test_update),      cmocka_unit_test(test_bulk_import),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
