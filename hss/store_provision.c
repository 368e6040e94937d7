/*
 * store_provision.c: adding, changing and deleting subscribers (imsctl). Each
 * public function is one transaction: it applies completely or not at all.
 */
#include "store_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char sql_impi_ins[] =
    "INSERT INTO impi (name, k, opc, opc_from_op, amf, sqn, schemes, password, ha1, created, "
    "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_profile_upsert[] =
    "INSERT INTO profile (name, ifc_xml) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET ifc_xml = excluded.ifc_xml RETURNING id";
static const char sql_profile_of[] = "SELECT id FROM profile WHERE name = ?";
static const char sql_irs_new[] = "SELECT COALESCE(MAX(irs_id), 0) + 1 FROM impu";
static const char sql_irs_of_impi[] = "SELECT MIN(irs_id) FROM impu WHERE impi_id = ?";
static const char sql_owner[] =
    "SELECT i.id, i.name FROM impu u JOIN impi i ON i.id = u.impi_id WHERE u.uri = ?";
static const char sql_impu_ins[] = "INSERT INTO impu (uri, impi_id, barred, irs_id, profile_id, "
                                   "updated) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_roaming_ins[] =
    "INSERT OR IGNORE INTO roaming (impi_id, network) VALUES (?, ?)";
static const char sql_roaming_del[] = "DELETE FROM roaming WHERE impi_id = ? AND network = ?";
static const char sql_impi_del[] = "DELETE FROM impi WHERE id = ?";
static const char sql_profile_gc[] = "DELETE FROM profile WHERE name = ? AND NOT EXISTS "
                                     "(SELECT 1 FROM impu WHERE impu.profile_id = profile.id)";
static const char sql_set_k[] = "UPDATE impi SET k = ? WHERE id = ?";
static const char sql_set_opc[] = "UPDATE impi SET opc = ?, opc_from_op = ? WHERE id = ?";
static const char sql_set_amf[] = "UPDATE impi SET amf = ? WHERE id = ?";
static const char sql_set_sqn[] = "UPDATE impi SET sqn = ? WHERE id = ?";
static const char sql_set_schemes[] = "UPDATE impi SET schemes = ? WHERE id = ?";
static const char sql_set_password[] = "UPDATE impi SET password = ? WHERE id = ?";
static const char sql_set_ha1[] = "UPDATE impi SET ha1 = ? WHERE id = ?";
static const char sql_set_updated[] = "UPDATE impi SET updated = ? WHERE id = ?";
static const char sql_impu_profile[] = "UPDATE impu SET profile_id = ? WHERE impi_id = ?";
static const char sql_impu_del[] = "DELETE FROM impu WHERE uri = ? AND impi_id = ?";
static const char sql_impu_bar[] = "UPDATE impu SET barred = ? WHERE uri = ? AND impi_id = ?";
static const char sql_check[] =
    "SELECT k IS NULL, opc IS NULL, schemes, password IS NOT NULL OR ha1 IS NOT NULL, "
    "(SELECT count(*) FROM impu WHERE impi_id = impi.id) FROM impi WHERE id = ?";

/* Steps a statement that returns no row; resets it. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int src = sqlite3_step(s);
    int rc = 0;

    if (src != SQLITE_DONE && src != SQLITE_ROW)
        rc = store__sqlerr(st, src, what);
    sqlite3_reset(s);
    return rc;
}

/* Steps a statement that returns one integer in column 0; resets it. */
static int step_int(struct store *st, sqlite3_stmt *s, const char *what, int64_t *val)
{
    int src = sqlite3_step(s);
    int rc = 0;

    if (src == SQLITE_ROW)
        *val = sqlite3_column_int64(s, 0);
    else if (src == SQLITE_DONE)
        rc = -ENOENT;
    else
        rc = store__sqlerr(st, src, what);
    sqlite3_reset(s);
    return rc;
}

/* Normalises a 32-hex-digit HA1 to lowercase into out. */
static bool ha1_normalise(const char *ha1, char out[STORE_HA1_SIZE])
{
    if (strlen(ha1) != 32)
        return false;
    for (size_t i = 0; i < 32; i++) {
        if (!isxdigit((unsigned char)ha1[i]))
            return false;
        out[i] = (char)tolower((unsigned char)ha1[i]);
    }
    out[32] = '\0';
    return true;
}

static int check_password(struct store *st, const char *pw)
{
    size_t n = strlen(pw);

    if (n >= STORE_PASSWORD_SIZE)
        return store__fail(st, -EINVAL, "password longer than %d characters",
                           STORE_PASSWORD_SIZE - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
            return store__fail(st, -EINVAL, "password holds a control character");
    return 0;
}

static int check_impu_uri(struct store *st, const char *uri)
{
    if (!uri || !store__uri_is_valid(uri))
        return store__fail(st, -EINVAL, "invalid IMPU '%s': expected a sip:, sips: or tel: URI",
                           uri ? uri : "(null)");
    return 0;
}

static int check_network(struct store *st, const char *net)
{
    if (!store__id_is_valid(net))
        return store__fail(st, -EINVAL, "invalid visited network name '%s'", net ? net : "");
    return 0;
}

/* Validates a subscriber before any SQL runs. */
static int check_subscriber(struct store *st, const struct store_subscriber *sub, char *ha1)
{
    int rc;

    if (!store__id_is_valid(sub->impi))
        return store__fail(st, -EINVAL, "invalid IMPI '%s'", sub->impi ? sub->impi : "");
    if (sub->n_impus == 0 || !sub->impus)
        return store__fail(st, -EINVAL, "IMPI %s: at least one IMPU is required", sub->impi);
    for (size_t i = 0; i < sub->n_impus; i++) {
        rc = check_impu_uri(st, sub->impus[i].uri);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sub->impus[i].uri, sub->impus[j].uri) == 0)
                return store__fail(st, -EINVAL, "IMPU %s listed twice", sub->impus[i].uri);
    }
    if (sub->schemes == 0 || (sub->schemes & ~STORE_SCHEME_ALL))
        return store__fail(st, -EINVAL, "IMPI %s: no valid authentication scheme", sub->impi);
    if ((sub->schemes & STORE_SCHEME_AKAV1_MD5) && !sub->has_keys)
        return store__fail(st, -EINVAL, "IMPI %s: scheme aka needs K and OP or OPc", sub->impi);
    if (sub->password && *sub->password) {
        rc = check_password(st, sub->password);
        if (rc)
            return rc;
    }
    ha1[0] = '\0';
    if (sub->ha1 && *sub->ha1 && !ha1_normalise(sub->ha1, ha1))
        return store__fail(st, -EINVAL, "IMPI %s: HA1 must be 32 hex digits", sub->impi);
    if ((sub->schemes & STORE_SCHEME_DIGEST_MD5) && !(sub->password && *sub->password) && !ha1[0])
        return store__fail(st, -EINVAL, "IMPI %s: scheme digest needs a password or HA1",
                           sub->impi);
    if (sub->sqn > STORE_SQN_MAX)
        return store__fail(st, -EINVAL, "IMPI %s: SQN is larger than 48 bits", sub->impi);
    for (size_t i = 0; i < sub->n_roaming; i++) {
        rc = check_network(st, sub->roaming[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Upserts the profile named after impi with xml; *id receives its row id. */
static int profile_upsert(struct store *st, const char *impi, const char *xml, int64_t *id)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql_profile_upsert, &rc);

    if (!s)
        return rc;
    store__bind_text(s, 1, impi);
    store__bind_text(s, 2, xml);
    rc = step_int(st, s, "profile insert", id);
    return rc == -ENOENT ? store__fail(st, -EIO, "profile insert returned nothing") : rc;
}

/*
 * Fails unless uri is free. An IMPU of impi_id itself gives STORE_EDUP, one of
 * another IMPI STORE_EOWNED naming the owner.
 */
static int impu_is_free(struct store *st, const char *uri, int64_t impi_id)
{
    int rc = 0, src;
    sqlite3_stmt *s = store__stmt(st, sql_owner, &rc);
    char owner[STORE_ID_SIZE];

    if (!s)
        return rc;
    store__bind_text(s, 1, uri);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        store__col_text(s, 1, owner, sizeof(owner));
        if (sqlite3_column_int64(s, 0) == impi_id)
            rc = store__fail(st, STORE_EDUP, "IMPU %s already belongs to IMPI %s", uri, owner);
        else
            rc = store__fail(st, STORE_EOWNED, "IMPU %s is owned by another IMPI (%s)", uri, owner);
    } else if (src != SQLITE_DONE) {
        rc = store__sqlerr(st, src, "IMPU owner");
    }
    sqlite3_reset(s);
    return rc;
}

static int impu_insert(struct store *st, const struct store_new_impu *impu, int64_t impi_id,
                       int64_t irs, int64_t profile_id, int64_t now)
{
    int rc = impu_is_free(st, impu->uri, impi_id);
    sqlite3_stmt *s;

    if (rc)
        return rc;
    s = store__stmt(st, sql_impu_ins, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, impu->uri);
    sqlite3_bind_int64(s, 2, impi_id);
    sqlite3_bind_int(s, 3, impu->barred ? 1 : 0);
    sqlite3_bind_int64(s, 4, irs);
    if (profile_id > 0)
        sqlite3_bind_int64(s, 5, profile_id);
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_int64(s, 6, now);
    return step_done(st, s, "IMPU insert");
}

static int roaming_change(struct store *st, const char *sql, int64_t impi_id, const char *net)
{
    int rc = check_network(st, net);
    sqlite3_stmt *s;

    if (rc)
        return rc;
    s = store__stmt(st, sql, &rc);
    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, impi_id);
    store__bind_text(s, 2, net);
    return step_done(st, s, "roaming update");
}

/* Adds one subscriber inside the current transaction. */
static int add_one(struct store *st, const struct store_subscriber *sub, int64_t now)
{
    char ha1[STORE_HA1_SIZE];
    int64_t impi_id, irs = 0, profile_id = 0;
    int rc = check_subscriber(st, sub, ha1), src;
    sqlite3_stmt *s;

    if (rc)
        return rc;
    s = store__stmt(st, sql_impi_ins, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, sub->impi);
    if (sub->has_keys) {
        sqlite3_bind_blob(s, 2, sub->k, STORE_K_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(s, 3, sub->opc, STORE_OPC_LEN, SQLITE_STATIC);
    }
    sqlite3_bind_int(s, 4, sub->opc_from_op ? 1 : 0);
    sqlite3_bind_blob(s, 5, sub->amf, STORE_AMF_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)sub->sqn);
    sqlite3_bind_int(s, 7, (int)sub->schemes);
    store__bind_text(s, 8, sub->password && *sub->password ? sub->password : NULL);
    store__bind_text(s, 9, ha1[0] ? ha1 : NULL);
    sqlite3_bind_int64(s, 10, now);
    sqlite3_bind_int64(s, 11, now);
    src = sqlite3_step(s);
    sqlite3_reset(s);
    if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
        return store__fail(st, STORE_EDUP, "IMPI %s already exists", sub->impi);
    if (src != SQLITE_DONE)
        return store__sqlerr(st, src, "IMPI insert");
    impi_id = sqlite3_last_insert_rowid(st->db);

    if (sub->ifc_xml) {
        rc = profile_upsert(st, sub->impi, sub->ifc_xml, &profile_id);
        if (rc)
            return rc;
    }
    s = store__stmt(st, sql_irs_new, &rc);
    if (!s)
        return rc;
    rc = step_int(st, s, "implicit set id", &irs);
    if (rc)
        return rc;
    for (size_t i = 0; i < sub->n_impus; i++) {
        rc = impu_insert(st, &sub->impus[i], impi_id, irs, profile_id, now);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < sub->n_roaming; i++) {
        rc = roaming_change(st, sql_roaming_ins, impi_id, sub->roaming[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int store_subscriber_add_many(struct store *st, const struct store_subscriber *subs, size_t n,
                              size_t *failed)
{
    int64_t now = store__now();
    size_t i = 0;
    int rc;

    if (!st || (!subs && n))
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        rc = add_one(st, &subs[i], now);
        if (rc)
            break;
    }
    if (rc) {
        if (failed)
            *failed = i;
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}

int store_subscriber_add(struct store *st, const struct store_subscriber *sub)
{
    if (!sub)
        return store__fail(st, -EINVAL, "invalid argument");
    return store_subscriber_add_many(st, sub, 1, NULL);
}

int store_subscriber_del(struct store *st, const char *impi)
{
    int64_t id = 0;
    int rc;
    sqlite3_stmt *s;

    if (!st || !impi)
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = store__impi_id(st, impi, &id);
    if (rc)
        goto out;
    s = store__stmt(st, sql_impi_del, &rc);
    if (!s)
        goto out;
    sqlite3_bind_int64(s, 1, id);
    rc = step_done(st, s, "IMPI delete");
    if (rc)
        goto out;
    s = store__stmt(st, sql_profile_gc, &rc);
    if (!s)
        goto out;
    store__bind_text(s, 1, impi);
    rc = step_done(st, s, "profile delete");
out:
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}

/* Runs "UPDATE impi SET x = ? WHERE id = ?" with a blob (NULL binds SQL NULL). */
static int set_blob(struct store *st, const char *sql, int64_t id, const uint8_t *v, int len)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql, &rc);

    if (!s)
        return rc;
    sqlite3_bind_blob(s, 1, v, len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, id);
    return step_done(st, s, "IMPI update");
}

static int set_int(struct store *st, const char *sql, int64_t id, int64_t v)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql, &rc);

    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, v);
    sqlite3_bind_int64(s, 2, id);
    return step_done(st, s, "IMPI update");
}

static int set_text(struct store *st, const char *sql, int64_t id, const char *v)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql, &rc);

    if (!s)
        return rc;
    store__bind_text(s, 1, v && *v ? v : NULL);
    sqlite3_bind_int64(s, 2, id);
    return step_done(st, s, "IMPI update");
}

/* Runs an IMPU statement (uri, impi_id) that must change exactly one row. */
static int impu_change(struct store *st, const char *sql, int bar, const char *impi,
                       int64_t impi_id, const char *uri)
{
    int rc = 0, i = 1;
    sqlite3_stmt *s = store__stmt(st, sql, &rc);

    if (!s)
        return rc;
    if (bar >= 0)
        sqlite3_bind_int(s, i++, bar);
    store__bind_text(s, i++, uri);
    sqlite3_bind_int64(s, i, impi_id);
    rc = step_done(st, s, "IMPU update");
    if (rc == 0 && sqlite3_changes(st->db) == 0)
        rc = store__fail(st, -ENOENT, "%s is not an IMPU of IMPI %s", uri, impi);
    return rc;
}

static int update_keys(struct store *st, int64_t id, const struct store_update *up)
{
    int rc = 0;

    if (up->k)
        rc = set_blob(st, sql_set_k, id, up->k, STORE_K_LEN);
    if (rc == 0 && up->opc) {
        sqlite3_stmt *s = store__stmt(st, sql_set_opc, &rc);
        if (!s)
            return rc;
        sqlite3_bind_blob(s, 1, up->opc, STORE_OPC_LEN, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, up->opc_from_op ? 1 : 0);
        sqlite3_bind_int64(s, 3, id);
        rc = step_done(st, s, "IMPI update");
    }
    if (rc == 0 && up->amf)
        rc = set_blob(st, sql_set_amf, id, up->amf, STORE_AMF_LEN);
    if (rc == 0 && up->set_sqn) {
        if (up->sqn > STORE_SQN_MAX)
            return store__fail(st, -EINVAL, "SQN is larger than 48 bits");
        rc = set_int(st, sql_set_sqn, id, (int64_t)up->sqn);
    }
    return rc;
}

static int update_auth(struct store *st, int64_t id, const struct store_update *up)
{
    char ha1[STORE_HA1_SIZE] = "";
    int rc = 0;

    if (up->schemes) {
        if (up->schemes & ~STORE_SCHEME_ALL)
            return store__fail(st, -EINVAL, "invalid authentication scheme");
        rc = set_int(st, sql_set_schemes, id, up->schemes);
    }
    if (rc == 0 && up->password) {
        rc = check_password(st, up->password);
        if (rc == 0)
            rc = set_text(st, sql_set_password, id, up->password);
    }
    if (rc == 0 && up->ha1) {
        if (*up->ha1 && !ha1_normalise(up->ha1, ha1))
            return store__fail(st, -EINVAL, "HA1 must be 32 hex digits");
        rc = set_text(st, sql_set_ha1, id, ha1);
    }
    return rc;
}

static int update_impus(struct store *st, const char *impi, int64_t id,
                        const struct store_update *up, int64_t now)
{
    int64_t irs = 0, profile_id = 0;
    int rc = 0;
    sqlite3_stmt *s;

    if (up->ifc_xml) {
        rc = profile_upsert(st, impi, up->ifc_xml, &profile_id);
        if (rc)
            return rc;
        s = store__stmt(st, sql_impu_profile, &rc);
        if (!s)
            return rc;
        sqlite3_bind_int64(s, 1, profile_id);
        sqlite3_bind_int64(s, 2, id);
        rc = step_done(st, s, "IMPU profile");
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < up->n_del_impus && rc == 0; i++)
        rc = impu_change(st, sql_impu_del, -1, impi, id, up->del_impus[i]);
    if (rc || up->n_add_impus == 0)
        goto flags;
    /* New IMPUs join the IMPI's (first) implicit set and its service profile. */
    s = store__stmt(st, sql_irs_of_impi, &rc);
    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = step_int(st, s, "implicit set", &irs);
    if (rc == 0 && irs == 0) {
        s = store__stmt(st, sql_irs_new, &rc);
        if (!s)
            return rc;
        rc = step_int(st, s, "implicit set id", &irs);
    }
    if (rc == 0 && profile_id == 0) {
        s = store__stmt(st, sql_profile_of, &rc);
        if (!s)
            return rc;
        store__bind_text(s, 1, impi);
        rc = step_int(st, s, "profile", &profile_id);
        if (rc == -ENOENT)
            rc = 0;
    }
    for (size_t i = 0; i < up->n_add_impus && rc == 0; i++) {
        rc = check_impu_uri(st, up->add_impus[i].uri);
        if (rc == 0)
            rc = impu_insert(st, &up->add_impus[i], id, irs, profile_id, now);
    }
flags:
    for (size_t i = 0; i < up->n_bar && rc == 0; i++)
        rc = impu_change(st, sql_impu_bar, 1, impi, id, up->bar[i]);
    for (size_t i = 0; i < up->n_unbar && rc == 0; i++)
        rc = impu_change(st, sql_impu_bar, 0, impi, id, up->unbar[i]);
    return rc;
}

/* The subscriber must still be usable after an update. */
static int check_consistent(struct store *st, const char *impi, int64_t id)
{
    int rc = 0, src;
    sqlite3_stmt *s = store__stmt(st, sql_check, &rc);

    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src != SQLITE_ROW) {
        rc = store__sqlerr(st, src, "consistency check");
    } else {
        bool no_k = sqlite3_column_int(s, 0), no_opc = sqlite3_column_int(s, 1);
        unsigned schemes = (unsigned)sqlite3_column_int(s, 2);
        bool has_secret = sqlite3_column_int(s, 3);
        int64_t impus = sqlite3_column_int64(s, 4);

        if (no_k != no_opc)
            rc = store__fail(st, -EINVAL, "IMPI %s: K and OPc must be set together", impi);
        else if ((schemes & STORE_SCHEME_AKAV1_MD5) && no_k)
            rc = store__fail(st, -EINVAL, "IMPI %s: scheme aka needs K and OP or OPc", impi);
        else if ((schemes & STORE_SCHEME_DIGEST_MD5) && !has_secret)
            rc = store__fail(st, -EINVAL, "IMPI %s: scheme digest needs a password or HA1", impi);
        else if (impus == 0)
            rc = store__fail(st, -EINVAL, "IMPI %s: cannot remove its last IMPU", impi);
    }
    sqlite3_reset(s);
    return rc;
}

int store_subscriber_update(struct store *st, const char *impi, const struct store_update *up)
{
    int64_t id = 0, now = store__now();
    int rc;

    if (!st || !impi || !up)
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = store__impi_id(st, impi, &id);
    if (rc == 0)
        rc = update_keys(st, id, up);
    if (rc == 0)
        rc = update_auth(st, id, up);
    if (rc == 0)
        rc = update_impus(st, impi, id, up, now);
    for (size_t i = 0; i < up->n_add_roaming && rc == 0; i++)
        rc = roaming_change(st, sql_roaming_ins, id, up->add_roaming[i]);
    for (size_t i = 0; i < up->n_del_roaming && rc == 0; i++)
        rc = roaming_change(st, sql_roaming_del, id, up->del_roaming[i]);
    if (rc == 0)
        rc = set_int(st, sql_set_updated, id, now);
    if (rc == 0)
        rc = check_consistent(st, impi, id);
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}
