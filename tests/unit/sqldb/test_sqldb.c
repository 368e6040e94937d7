/*
 * Unit tests of common/sqldb: a store opened twice keeps its data, the file is
 * 0600, WAL is on, foreign schemas and newer versions are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sqldb/sqldb.h"

static const struct sqldb_schema schema = {
    "test store", 2, "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL);"};

struct fx {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_sqldb.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static long long one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void creates_and_reopens(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = NULL;
    struct stat sb;
    char err[256];
    sqlite3_stmt *s = NULL;

    assert_int_equal(sqldb_open(f->path, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), 0);
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(one_int(db, "PRAGMA user_version"), 2);
    assert_int_equal(one_int(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(one_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(sqldb_exec(db, "INSERT INTO t VALUES ('a', 7)", err, sizeof(err)), 0);
    sqlite3_close(db);

    chmod(f->path, 0644);
    db = NULL;
    assert_int_equal(sqldb_open(f->path, &schema, SQLDB_SYNC_NORMAL, &db, err, sizeof(err)), 0);
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600); /* tightened */
    assert_int_equal(one_int(db, "SELECT v FROM t WHERE k = 'a'"), 7);
    assert_int_equal(one_int(db, "PRAGMA synchronous"), 1); /* NORMAL */
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    /* a constraint violation maps to -EINVAL with SQLite's message */
    assert_int_equal(sqldb_exec(db, "INSERT INTO t VALUES ('a', 8)", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "UNIQUE"));
    sqlite3_close(db);
}

static void refuses_newer_and_foreign(void **state)
{
    struct fx *f = *state;
    static const struct sqldb_schema v1 = {"test store", 1, "CREATE TABLE t (k TEXT);"};
    sqlite3 *db = NULL;
    char err[256];

    assert_int_equal(sqldb_open(f->path, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), 0);
    sqlite3_close(db);
    /* an older program meets a newer schema */
    assert_int_equal(sqldb_open(f->path, &v1, SQLDB_SYNC_FULL, &db, err, sizeof(err)), -EPROTO);
    assert_null(db);
    assert_non_null(strstr(err, "newer than this program"));
    assert_non_null(strstr(err, f->path));

    /* tables but no version: someone else's database */
    unlink(f->path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqldb_exec(db, "CREATE TABLE other (x)", err, sizeof(err)), 0);
    sqlite3_close(db);
    db = NULL;
    assert_int_equal(sqldb_open(f->path, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "not a test store"));
}

static void refuses_bad_paths(void **state)
{
    struct fx *f = *state;
    char link[160], err[256];
    sqlite3 *db = NULL;

    snprintf(link, sizeof(link), "%s/link.db", f->dir);
    assert_int_equal(symlink(f->path, link), 0);
    assert_int_equal(sqldb_open(link, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), -ELOOP);
    assert_int_equal(
        sqldb_open("/nonexistent-dir/x.db", &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)),
        -ENOENT);
    assert_int_equal(sqldb_open(NULL, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), -EINVAL);
    /* a file that is not SQLite */
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to have a header\n", fp);
    fclose(fp);
    assert_int_equal(sqldb_open(f->path, &schema, SQLDB_SYNC_FULL, &db, err, sizeof(err)), -EPROTO);
    assert_null(db);
}

static void sync_parse(void **state)
{
    enum sqldb_sync s;
    (void)state;
    assert_int_equal(sqldb_sync_parse("FULL", &s), 0);
    assert_int_equal(s, SQLDB_SYNC_FULL);
    assert_int_equal(sqldb_sync_parse("normal", &s), 0);
    assert_int_equal(s, SQLDB_SYNC_NORMAL);
    assert_int_equal(sqldb_sync_parse("off", &s), -EINVAL);
    assert_int_equal(sqldb_sync_parse(NULL, &s), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(creates_and_reopens, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_newer_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_bad_paths, setup, teardown),
        cmocka_unit_test(sync_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
