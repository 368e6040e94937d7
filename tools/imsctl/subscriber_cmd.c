/*
 * imsctl subscriber: provisioning of the HSS store (hss/store.h).
 *
 *   imsctl subscriber [--db PATH | -c HSS_CONF] [--secrets] ACTION [ARGS] [OPTIONS]
 *
 * Actions: add, show IMPI, list, del IMPI, set IMPI, import FILE. Options may
 * come before or after the action. Each action is one store transaction.
 * Exit status: 0 success, 1 the operation failed (duplicate, unknown, owned by
 * another IMPI, database error), 2 usage or input error. See docs/provisioning.md.
 */
#include "imsctl.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aka/aka.h"
#include "codec/codec.h"
#include "store.h"
#include "xml/xml.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define MAX_LIST     64           /* repeated options (--impu, --roaming, ...) */
#define MAX_IFC_SIZE (256 * 1024) /* an iFC file */
#define MAX_LINE     (64 * 1024)  /* an import line */

static const char *prog = "imsctl subscriber";

struct strlist {
    const char *v[MAX_LIST];
    size_t n;
};

/* Everything given on the command line, as text. */
struct opts {
    const char *db, *conf, *action, *arg;
    bool secrets, help;
    const char *impi, *k, *op, *opc, *amf, *sqn, *scheme, *password, *ha1, *ifc;
    struct strlist impus, barred, unbarred, roaming, del_roaming, add_impus, del_impus;
};

/* One subscriber's fields as text (from options or an import line). */
struct sub_text {
    const char *impi, *k, *op, *opc, *amf, *sqn, *scheme, *password, *ha1;
    const char *impus[MAX_LIST], *barred[MAX_LIST], *roaming[MAX_LIST];
    size_t n_impus, n_barred, n_roaming;
};

/* A subscriber ready for the store, with the storage its pointers use. */
struct sub_built {
    struct store_subscriber sub;
    struct store_new_impu impus[2 * MAX_LIST];
    const char *roaming[MAX_LIST];
};

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [--db PATH | -c HSS_CONF] [--secrets] ACTION ...\n"
        "\n"
        "actions:\n"
        "  add --impi IMPI --impu URI [--impu URI ...] --k HEX (--op HEX | --opc HEX)\n"
        "      [--amf HEX] [--sqn HEX] [--scheme aka|digest|both] [--password P] [--ha1 HEX]\n"
        "      [--ifc FILE] [--barred URI ...] [--roaming NETWORK ...]\n"
        "  show IMPI          print a subscriber (K, OPc, password only with --secrets)\n"
        "  list               print every IMPI with its scheme and IMPUs\n"
        "  del IMPI           delete a subscriber and its IMPUs\n"
        "  set IMPI [--k HEX] [--op HEX | --opc HEX] [--amf HEX] [--sqn HEX]\n"
        "      [--scheme S] [--password P] [--ha1 HEX] [--ifc FILE]\n"
        "      [--add-impu URI ...] [--del-impu URI ...] [--barred URI ...]\n"
        "      [--unbarred URI ...] [--roaming NETWORK ...] [--del-roaming NETWORK ...]\n"
        "  import FILE        add every subscriber of a CSV file ('-' = stdin) in one\n"
        "                     transaction; header: impi,impus,k,op,opc,amf,sqn,scheme,password\n"
        "\n"
        "K, OP and OPc are 16 bytes (32 hex digits), AMF 2 bytes (4), SQN 6 bytes (12).\n"
        "With --op, OPc is derived (TS 35.206) and only OPc is stored.\n"
        "The store is --db PATH, or the store.path setting of the HSS configuration -c.\n"
        "Exit status: 0 ok, 1 operation failed, 2 usage or input error.\n",
        prog);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'imsctl subscriber --help' for usage.\n");
    return EXIT_USAGE;
}

static int push(struct strlist *l, const char *opt, const char *v)
{
    if (l->n >= MAX_LIST)
        return usage_error("too many %s options", opt);
    l->v[l->n++] = v;
    return 0;
}

/* Options that take a value, and where it goes. */
static const char **opt_slot(struct opts *o, const char *name, struct strlist **list)
{
    static const struct {
        const char *name;
        size_t off;
    } single[] = {
        {"--db", offsetof(struct opts, db)},
        {"-c", offsetof(struct opts, conf)},
        {"--config", offsetof(struct opts, conf)},
        {"--impi", offsetof(struct opts, impi)},
        {"--k", offsetof(struct opts, k)},
        {"--op", offsetof(struct opts, op)},
        {"--opc", offsetof(struct opts, opc)},
        {"--amf", offsetof(struct opts, amf)},
        {"--sqn", offsetof(struct opts, sqn)},
        {"--scheme", offsetof(struct opts, scheme)},
        {"--password", offsetof(struct opts, password)},
        {"--ha1", offsetof(struct opts, ha1)},
        {"--ifc", offsetof(struct opts, ifc)},
    };
    static const struct {
        const char *name;
        size_t off;
    } multi[] = {
        {"--impu", offsetof(struct opts, impus)},
        {"--barred", offsetof(struct opts, barred)},
        {"--unbarred", offsetof(struct opts, unbarred)},
        {"--roaming", offsetof(struct opts, roaming)},
        {"--del-roaming", offsetof(struct opts, del_roaming)},
        {"--add-impu", offsetof(struct opts, add_impus)},
        {"--del-impu", offsetof(struct opts, del_impus)},
    };

    *list = NULL;
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        if (strcmp(name, single[i].name) == 0)
            return (const char **)((char *)o + single[i].off);
    for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
        if (strcmp(name, multi[i].name) == 0) {
            *list = (struct strlist *)((char *)o + multi[i].off);
            return NULL;
        }
    return NULL;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        struct strlist *list;
        const char **slot;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
            continue;
        }
        if (strcmp(a, "--secrets") == 0) {
            o->secrets = true;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            slot = opt_slot(o, a, &list);
            if (!slot && !list)
                return usage_error("unknown option '%s'", a);
            if (i + 1 >= argc)
                return usage_error("option %s needs a value", a);
            if (list) {
                if (push(list, a, argv[++i]))
                    return EXIT_USAGE;
            } else {
                if (*slot)
                    return usage_error("option %s given twice", a);
                *slot = argv[++i];
            }
            continue;
        }
        if (npos == 0)
            o->action = a;
        else if (npos == 1)
            o->arg = a;
        else
            return usage_error("unexpected argument '%s'", a);
        npos++;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Values                                                                     */
/* ------------------------------------------------------------------------- */

/* Decodes exactly len bytes of hex, with a message naming what is wrong. */
static int parse_hex(const char *what, const char *hex, uint8_t *out, size_t len, char *err,
                     size_t errlen)
{
    size_t n = strlen(hex);

    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)hex[i])) {
            snprintf(err, errlen, "%s: bad hex '%s' (character %zu is not a hex digit)", what, hex,
                     i + 1);
            return -EINVAL;
        }
    }
    if (n != 2 * len) {
        snprintf(err, errlen, "%s must be %zu bytes (%zu hex digits), got %zu hex digits", what,
                 len, 2 * len, n);
        return -EINVAL;
    }
    if (codec_hex_decode(hex, n, out, len, NULL) != 0) {
        snprintf(err, errlen, "%s: bad hex '%s'", what, hex);
        return -EINVAL;
    }
    return 0;
}

static int parse_sqn(const char *hex, uint64_t *sqn, char *err, size_t errlen)
{
    uint8_t b[AKA_SQN_LEN];
    int rc = parse_hex("SQN", hex, b, sizeof(b), err, errlen);

    if (rc == 0)
        *sqn = aka_sqn_unpack(b);
    return rc;
}

/* Reads and checks an iFC file: a sequence of <InitialFilterCriteria> elements. */
static int read_ifc(const char *path, char **xml, char *err, size_t errlen)
{
    static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><IMSSubscription>"
                               "<PrivateID>check@invalid</PrivateID><ServiceProfile>"
                               "<PublicIdentity><Identity>sip:check@invalid</Identity>"
                               "</PublicIdentity>";
    static const char tail[] = "</ServiceProfile></IMSSubscription>";
    struct xml_ims_subscription *sub = NULL;
    char *buf = NULL, *doc = NULL, *start, xerr[256] = "";
    size_t n = 0;
    FILE *fp = fopen(path, "rb");
    int rc = -EINVAL;

    *xml = NULL;
    if (!fp) {
        snprintf(err, errlen, "iFC file %s: %s", path, strerror(errno));
        return -EINVAL;
    }
    buf = malloc(MAX_IFC_SIZE + 1);
    if (!buf)
        goto out;
    n = fread(buf, 1, MAX_IFC_SIZE + 1, fp);
    if (n > MAX_IFC_SIZE) {
        snprintf(err, errlen, "iFC file %s: larger than %d bytes", path, MAX_IFC_SIZE);
        goto out;
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        snprintf(err, errlen, "iFC file %s: holds a NUL byte", path);
        goto out;
    }
    /* An XML declaration at the top of the file is dropped: the fragment is embedded. */
    start = buf;
    while (isspace((unsigned char)*start))
        start++;
    if (strncmp(start, "<?xml", 5) == 0) {
        char *end = strstr(start, "?>");
        start = end ? end + 2 : start;
    }
    if (asprintf(&doc, "%s%s%s", head, start, tail) < 0) {
        doc = NULL;
        goto out;
    }
    if (xml_userdata_parse(doc, strlen(doc), &sub, xerr, sizeof(xerr)) != 0) {
        snprintf(err, errlen, "iFC file %s: not a valid sequence of InitialFilterCriteria: %s",
                 path, xerr);
        goto out;
    }
    if (sub->n_profiles != 1 || sub->profiles[0].n_public_ids != 1 ||
        sub->profiles[0].n_ifcs == 0) {
        snprintf(err, errlen, "iFC file %s: must hold only <InitialFilterCriteria> elements", path);
        goto out;
    }
    *xml = strdup(start);
    rc = *xml ? 0 : -ENOMEM;
out:
    if (rc == -EINVAL && !err[0])
        snprintf(err, errlen, "iFC file %s: out of memory", path);
    xml_ims_subscription_free(sub);
    free(doc);
    free(buf);
    fclose(fp);
    return rc;
}

/*
 * Turns the text fields of one subscriber into a store_subscriber. Input errors
 * are written to err; returns 0 or -EINVAL.
 */
static int build_subscriber(const struct sub_text *t, struct sub_built *b, char *err, size_t errlen)
{
    struct store_subscriber *s = &b->sub;
    uint8_t op[AKA_OP_LEN];
    size_t n = 0;
    int rc;

    memset(b, 0, sizeof(*b));
    err[0] = '\0';
    if (!t->impi || !*t->impi) {
        snprintf(err, errlen, "--impi is required");
        return -EINVAL;
    }
    s->impi = t->impi;
    for (size_t i = 0; i < t->n_impus; i++) {
        b->impus[n].uri = t->impus[i];
        for (size_t j = 0; j < t->n_barred; j++)
            if (strcmp(t->barred[j], t->impus[i]) == 0)
                b->impus[n].barred = true;
        n++;
    }
    for (size_t j = 0; j < t->n_barred; j++) { /* barred URIs not listed as IMPUs */
        bool listed = false;
        for (size_t i = 0; i < t->n_impus; i++)
            listed |= strcmp(t->barred[j], t->impus[i]) == 0;
        if (!listed) {
            b->impus[n].uri = t->barred[j];
            b->impus[n++].barred = true;
        }
    }
    if (n == 0) {
        snprintf(err, errlen, "IMPI %s: at least one --impu is required", t->impi);
        return -EINVAL;
    }
    s->impus = b->impus;
    s->n_impus = n;

    if (t->op && t->opc) {
        snprintf(err, errlen, "give --op or --opc, not both");
        return -EINVAL;
    }
    if (t->k || t->op || t->opc) {
        if (!t->k || !(t->op || t->opc)) {
            snprintf(err, errlen, "K needs OP or OPc, and OP/OPc needs K");
            return -EINVAL;
        }
        rc = parse_hex("K", t->k, s->k, sizeof(s->k), err, errlen);
        if (rc == 0 && t->opc)
            rc = parse_hex("OPc", t->opc, s->opc, sizeof(s->opc), err, errlen);
        if (rc == 0 && t->op) {
            rc = parse_hex("OP", t->op, op, sizeof(op), err, errlen);
            if (rc == 0 && aka_opc(s->k, op, s->opc) != 0) {
                snprintf(err, errlen, "cannot derive OPc from OP");
                rc = -EINVAL;
            }
            s->opc_from_op = true;
        }
        if (rc)
            return rc;
        s->has_keys = true;
    }
    s->amf[0] = STORE_AMF_DEFAULT >> 8;
    s->amf[1] = STORE_AMF_DEFAULT & 0xff;
    if (t->amf && *t->amf && (rc = parse_hex("AMF", t->amf, s->amf, 2, err, errlen)))
        return rc;
    if (t->sqn && *t->sqn && (rc = parse_sqn(t->sqn, &s->sqn, err, errlen)))
        return rc;
    s->password = t->password && *t->password ? t->password : NULL;
    s->ha1 = t->ha1 && *t->ha1 ? t->ha1 : NULL;
    if (t->scheme && *t->scheme) {
        if (store_scheme_parse(t->scheme, &s->schemes) != 0) {
            snprintf(err, errlen, "unknown scheme '%s' (use aka, digest or both)", t->scheme);
            return -EINVAL;
        }
    } else {
        s->schemes = (s->has_keys ? STORE_SCHEME_AKAV1_MD5 : 0) |
                     (s->password || s->ha1 ? STORE_SCHEME_DIGEST_MD5 : 0);
    }
    if (s->schemes == 0) {
        snprintf(err, errlen, "IMPI %s: give --k with --op or --opc (AKA) or --password (digest)",
                 t->impi);
        return -EINVAL;
    }
    if ((s->schemes & STORE_SCHEME_AKAV1_MD5) && !s->has_keys) {
        snprintf(err, errlen, "scheme %s needs --k and --op or --opc",
                 store_scheme_name(s->schemes));
        return -EINVAL;
    }
    if ((s->schemes & STORE_SCHEME_DIGEST_MD5) && !s->password && !s->ha1) {
        snprintf(err, errlen, "scheme %s needs --password (or --ha1)",
                 store_scheme_name(s->schemes));
        return -EINVAL;
    }
    for (size_t i = 0; i < t->n_roaming; i++)
        b->roaming[i] = t->roaming[i];
    s->roaming = b->roaming;
    s->n_roaming = t->n_roaming;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Store access                                                               */
/* ------------------------------------------------------------------------- */

/* The store path: --db, else store.path of the HSS configuration. */
static int db_path(const struct opts *o, char *path, size_t len)
{
    config_t cfg;
    const char *p = NULL;
    int rc = EXIT_USAGE;

    if (o->db) {
        snprintf(path, len, "%s", o->db);
        return 0;
    }
    if (!o->conf) {
        fprintf(stderr, "%s: no store: give --db PATH or -c HSS_CONF\n", prog);
        return EXIT_USAGE;
    }
    config_init(&cfg);
    if (config_read_file(&cfg, o->conf) != CONFIG_TRUE) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            fprintf(stderr, "%s: %s: cannot read: %s\n", prog, o->conf, strerror(errno));
        else
            fprintf(stderr, "%s: %s:%d: %s\n", prog, o->conf, config_error_line(&cfg),
                    config_error_text(&cfg));
        goto out;
    }
    if (config_lookup_string(&cfg, "store.path", &p) != CONFIG_TRUE || !*p) {
        fprintf(stderr, "%s: %s: no store.path setting\n", prog, o->conf);
        goto out;
    }
    snprintf(path, len, "%s", p);
    rc = 0;
out:
    config_destroy(&cfg);
    return rc;
}

static int open_store(const struct opts *o, struct store **st)
{
    char path[4096], err[512];
    int rc = db_path(o, path, sizeof(path));

    if (rc)
        return rc;
    if (store_open(path, st, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: cannot open store: %s\n", prog, err);
        return EXIT_FAIL;
    }
    return 0;
}

/* Reports a store failure; -EINVAL is an input error, the rest failures. */
static int store_failed(struct store *st, int rc)
{
    fprintf(stderr, "%s: %s\n", prog, store_errmsg(st));
    return rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

static void copy_list(const struct strlist *l, const char **v, size_t *n)
{
    for (size_t i = 0; i < l->n; i++)
        v[i] = l->v[i];
    *n = l->n;
}

/* ------------------------------------------------------------------------- */
/* Actions                                                                    */
/* ------------------------------------------------------------------------- */

static int do_add(struct store *st, const struct opts *o)
{
    struct sub_text t = {0};
    struct sub_built *b = calloc(1, sizeof(*b));
    char err[512], *ifc = NULL;
    int rc, ret = EXIT_USAGE;

    if (!b)
        return EXIT_FAIL;
    t.impi = o->impi;
    t.k = o->k;
    t.op = o->op;
    t.opc = o->opc;
    t.amf = o->amf;
    t.sqn = o->sqn;
    t.scheme = o->scheme;
    t.password = o->password;
    t.ha1 = o->ha1;
    copy_list(&o->impus, t.impus, &t.n_impus);
    copy_list(&o->barred, t.barred, &t.n_barred);
    copy_list(&o->roaming, t.roaming, &t.n_roaming);
    if (build_subscriber(&t, b, err, sizeof(err)) != 0 ||
        (o->ifc && read_ifc(o->ifc, &ifc, err, sizeof(err)) != 0)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        goto out;
    }
    b->sub.ifc_xml = ifc;
    rc = store_subscriber_add(st, &b->sub);
    if (rc) {
        ret = store_failed(st, rc);
        goto out;
    }
    printf("added %s (%zu IMPU%s, scheme %s%s)\n", b->sub.impi, b->sub.n_impus,
           b->sub.n_impus == 1 ? "" : "s", store_scheme_name(b->sub.schemes),
           b->sub.opc_from_op ? ", OPc derived from OP; OP not stored" : "");
    ret = EXIT_OK;
out:
    memset(b, 0, sizeof(*b));
    free(b);
    free(ifc);
    return ret;
}

static void print_time(const char *label, int64_t t)
{
    char buf[64];
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
        printf("%-10s %s\n", label, buf);
}

static void print_hex(const char *label, const uint8_t *v, size_t len, const char *note)
{
    char hex[CODEC_HEX_LEN(16) + 1];

    codec_hex_encode(v, len, hex, sizeof(hex));
    printf("%-10s %s%s\n", label, hex, note);
}

static int do_show(struct store *st, const struct opts *o)
{
    struct store_impi impi;
    struct store_impu *impus = NULL;
    char **nets = NULL, *ifc = NULL;
    size_t n = 0, nn = 0;
    int rc, ret = EXIT_FAIL;
    const char *opc_note;

    rc = store_impi_get(st, o->arg, &impi);
    if (rc == 0)
        rc = store_impi_impus(st, o->arg, &impus, &n);
    if (rc == 0)
        rc = store_roaming_list(st, o->arg, &nets, &nn);
    if (rc == 0 && n > 0 && impus[0].profile_id > 0)
        rc = store_profile_get_ifc(st, impus[0].profile_id, &ifc);
    if (rc) {
        ret = store_failed(st, rc);
        goto out;
    }
    opc_note = impi.opc_from_op ? "  (derived from OP at provisioning; OP is not stored)" : "";
    printf("%-10s %s\n", "IMPI:", impi.name);
    printf("%-10s %s\n", "scheme:", store_scheme_name(impi.schemes));
    if (!impi.has_keys) {
        printf("%-10s none\n%-10s none\n", "K:", "OPc:");
    } else if (o->secrets) {
        print_hex("K:", impi.k, sizeof(impi.k), "");
        print_hex("OPc:", impi.opc, sizeof(impi.opc), opc_note);
    } else {
        printf("%-10s (hidden, use --secrets)\n", "K:");
        printf("%-10s (hidden, use --secrets)%s\n", "OPc:", opc_note);
    }
    print_hex("AMF:", impi.amf, sizeof(impi.amf), "");
    printf("%-10s %012llx (SEQ %llu, IND %u with 5 IND bits)\n",
           "SQN:", (unsigned long long)impi.sqn,
           (unsigned long long)aka_sqn_seq(impi.sqn, AKA_IND_BITS_DEFAULT),
           aka_sqn_ind(impi.sqn, AKA_IND_BITS_DEFAULT));
    printf("%-10s %s\n", "password:",
           !impi.password[0] ? "none"
           : o->secrets      ? impi.password
                             : "(hidden, use --secrets)");
    printf("%-10s %s\n", "HA1:",
           !impi.ha1[0] ? "none"
           : o->secrets ? impi.ha1
                        : "(hidden, use --secrets)");
    printf("%-10s", "roaming:");
    if (nn == 0)
        printf(" home network only");
    for (size_t i = 0; i < nn; i++)
        printf(" %s", nets[i]);
    printf("\n");
    print_time("created:", impi.created);
    print_time("updated:", impi.updated);
    printf("IMPUs:\n");
    for (size_t i = 0; i < n; i++)
        printf("  %s  irs=%lld barred=%s state=%s scscf=%s\n", impus[i].uri,
               (long long)impus[i].irs_id, impus[i].barred ? "yes" : "no",
               store_reg_state_name(impus[i].state), impus[i].scscf[0] ? impus[i].scscf : "-");
    printf("iFC:%s\n", ifc && *ifc ? "" : " none");
    if (ifc && *ifc)
        printf("%s%s", ifc, ifc[strlen(ifc) - 1] == '\n' ? "" : "\n");
    ret = EXIT_OK;
out:
    memset(&impi, 0, sizeof(impi));
    free(impus);
    free(ifc);
    store_strv_free(nets);
    return ret;
}

static int do_list(struct store *st)
{
    char **names = NULL;
    size_t n = 0;
    int rc = store_impi_list(st, &names, &n);

    if (rc)
        return store_failed(st, rc);
    for (size_t i = 0; i < n; i++) {
        struct store_impi impi;
        struct store_impu *impus = NULL;
        size_t ni = 0;

        rc = store_impi_get(st, names[i], &impi);
        if (rc == 0)
            rc = store_impi_impus(st, names[i], &impus, &ni);
        if (rc) {
            free(impus);
            store_strv_free(names);
            return store_failed(st, rc);
        }
        printf("%s\t%s\t", impi.name, store_scheme_name(impi.schemes));
        for (size_t j = 0; j < ni; j++)
            printf("%s%s", j ? " " : "", impus[j].uri);
        printf("\n");
        memset(&impi, 0, sizeof(impi));
        free(impus);
    }
    store_strv_free(names);
    return EXIT_OK;
}

static int do_del(struct store *st, const struct opts *o)
{
    int rc = store_subscriber_del(st, o->arg);

    if (rc)
        return store_failed(st, rc);
    printf("deleted %s\n", o->arg);
    return EXIT_OK;
}

static int do_set(struct store *st, const struct opts *o)
{
    struct store_update up = {0};
    struct store_impi cur;
    struct store_new_impu add[MAX_LIST];
    uint8_t k[16], opc[16], op[16], amf[2];
    char err[512] = "", *ifc = NULL;
    int rc, ret = EXIT_USAGE;

    memset(&cur, 0, sizeof(cur));
    if (o->op && o->opc) {
        snprintf(err, sizeof(err), "give --op or --opc, not both");
        goto bad;
    }
    if (o->k && parse_hex("K", o->k, k, 16, err, sizeof(err)))
        goto bad;
    if (o->k)
        up.k = k;
    if (o->opc && parse_hex("OPc", o->opc, opc, 16, err, sizeof(err)))
        goto bad;
    if (o->opc)
        up.opc = opc;
    if (o->op) {
        if (parse_hex("OP", o->op, op, 16, err, sizeof(err)))
            goto bad;
        if (!o->k) { /* derive with the stored K */
            rc = store_impi_get(st, o->arg, &cur);
            if (rc) {
                ret = store_failed(st, rc);
                goto out;
            }
            if (!cur.has_keys) {
                snprintf(err, sizeof(err), "--op needs --k: %s has no K", o->arg);
                goto bad;
            }
            memcpy(k, cur.k, 16);
        }
        if (aka_opc(k, op, opc) != 0) {
            snprintf(err, sizeof(err), "cannot derive OPc from OP");
            goto bad;
        }
        up.opc = opc;
        up.opc_from_op = true;
    }
    if (o->k && !o->op && !o->opc) {
        snprintf(err, sizeof(err), "a new --k needs --op or --opc (OPc depends on K)");
        goto bad;
    }
    if (o->amf && parse_hex("AMF", o->amf, amf, 2, err, sizeof(err)))
        goto bad;
    up.amf = o->amf ? amf : NULL;
    if (o->sqn) {
        if (parse_sqn(o->sqn, &up.sqn, err, sizeof(err)))
            goto bad;
        up.set_sqn = true;
    }
    if (o->scheme && store_scheme_parse(o->scheme, &up.schemes) != 0) {
        snprintf(err, sizeof(err), "unknown scheme '%s' (use aka, digest or both)", o->scheme);
        goto bad;
    }
    up.password = o->password;
    up.ha1 = o->ha1;
    if (o->ifc && read_ifc(o->ifc, &ifc, err, sizeof(err)))
        goto bad;
    up.ifc_xml = ifc;
    for (size_t i = 0; i < o->add_impus.n; i++)
        add[i] = (struct store_new_impu){.uri = o->add_impus.v[i], .barred = false};
    up.add_impus = add;
    up.n_add_impus = o->add_impus.n;
    up.del_impus = o->del_impus.v;
    up.n_del_impus = o->del_impus.n;
    up.bar = o->barred.v;
    up.n_bar = o->barred.n;
    up.unbar = o->unbarred.v;
    up.n_unbar = o->unbarred.n;
    up.add_roaming = o->roaming.v;
    up.n_add_roaming = o->roaming.n;
    up.del_roaming = o->del_roaming.v;
    up.n_del_roaming = o->del_roaming.n;
    rc = store_subscriber_update(st, o->arg, &up);
    if (rc) {
        ret = store_failed(st, rc);
        goto out;
    }
    printf("updated %s%s\n", o->arg, o->op ? " (OPc derived from OP; OP not stored)" : "");
    ret = EXIT_OK;
    goto out;
bad:
    fprintf(stderr, "%s: %s\n", prog, err);
out:
    memset(k, 0, sizeof(k));
    memset(opc, 0, sizeof(opc));
    memset(op, 0, sizeof(op));
    memset(&cur, 0, sizeof(cur));
    free(ifc);
    return ret;
}

/* ------------------------------------------------------------------------- */
/* Import (CSV)                                                               */
/* ------------------------------------------------------------------------- */

enum col {
    COL_IMPI,
    COL_IMPUS,
    COL_K,
    COL_OP,
    COL_OPC,
    COL_AMF,
    COL_SQN,
    COL_SCHEME,
    COL_PASSWORD,
    COL_HA1,
    COL_BARRED,
    COL_ROAMING,
    COL_COUNT
};

static const char *const col_names[COL_COUNT] = {"impi",     "impus", "k",      "op",
                                                 "opc",      "amf",   "sqn",    "scheme",
                                                 "password", "ha1",   "barred", "roaming"};

/*
 * Splits a CSV line in place into at most max fields: comma separated, a field
 * may be double-quoted with "" for a quote. Returns the number of fields or -1.
 */
static int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        char *w, *start;
        if (n == max)
            return -1;
        if (*p == '"') {
            start = w = ++p;
            for (;;) {
                if (*p == '\0')
                    return -1; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0')
                return -1;
            *w = '\0';
        } else {
            start = p;
            while (*p && *p != ',')
                p++;
        }
        fields[n++] = start;
        if (*p == '\0')
            break;
        *p++ = '\0';
    }
    /* trim blanks around unquoted fields */
    for (int i = 0; i < n; i++) {
        char *f = fields[i], *e;
        while (*f == ' ' || *f == '\t')
            f++;
        e = f + strlen(f);
        while (e > f && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        fields[i] = f;
    }
    return n;
}

/* Splits a space-separated list in place. Returns 0 or -1 when too long. */
static int split_words(char *s, const char **v, size_t *n)
{
    char *save = NULL;

    *n = 0;
    for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (*n >= MAX_LIST)
            return -1;
        v[(*n)++] = w;
    }
    return 0;
}

struct import_row {
    char *line;
    long lineno;
    struct sub_built b;
    struct sub_text t;
};

static int parse_header(char *line, int *map, int *ncols, char *err, size_t errlen)
{
    char *fields[COL_COUNT + 1];
    bool seen[COL_COUNT] = {false};
    int n = csv_split(line, fields, COL_COUNT + 1);

    if (n < 0) {
        snprintf(err, errlen, "header: malformed or more than %d columns", COL_COUNT);
        return -EINVAL;
    }
    for (int i = 0; i < n; i++) {
        int c;
        for (c = 0; c < COL_COUNT; c++)
            if (strcasecmp(fields[i], col_names[c]) == 0)
                break;
        if (c == COL_COUNT || seen[c]) {
            snprintf(err, errlen, "header: %s column '%s'", c == COL_COUNT ? "unknown" : "repeated",
                     fields[i]);
            return -EINVAL;
        }
        seen[c] = true;
        map[i] = c;
    }
    if (!seen[COL_IMPI] || !seen[COL_IMPUS]) {
        snprintf(err, errlen, "header: the impi and impus columns are required");
        return -EINVAL;
    }
    *ncols = n;
    return 0;
}

static int parse_row(struct import_row *r, const int *map, int ncols, char *err, size_t errlen)
{
    char *fields[COL_COUNT + 1];
    const char *val[COL_COUNT] = {NULL};
    int n = csv_split(r->line, fields, COL_COUNT + 1);

    if (n != ncols) {
        snprintf(err, errlen, "expected %d fields, got %d", ncols, n < 0 ? 0 : n);
        return -EINVAL;
    }
    for (int i = 0; i < n; i++)
        val[map[i]] = fields[i];
    memset(&r->t, 0, sizeof(r->t));
    r->t.impi = val[COL_IMPI];
    r->t.k = val[COL_K] && *val[COL_K] ? val[COL_K] : NULL;
    r->t.op = val[COL_OP] && *val[COL_OP] ? val[COL_OP] : NULL;
    r->t.opc = val[COL_OPC] && *val[COL_OPC] ? val[COL_OPC] : NULL;
    r->t.amf = val[COL_AMF];
    r->t.sqn = val[COL_SQN];
    r->t.scheme = val[COL_SCHEME];
    r->t.password = val[COL_PASSWORD];
    r->t.ha1 = val[COL_HA1];
    if (split_words((char *)val[COL_IMPUS], r->t.impus, &r->t.n_impus) ||
        (val[COL_BARRED] && split_words((char *)val[COL_BARRED], r->t.barred, &r->t.n_barred)) ||
        (val[COL_ROAMING] &&
         split_words((char *)val[COL_ROAMING], r->t.roaming, &r->t.n_roaming))) {
        snprintf(err, errlen, "more than %d entries in a list", MAX_LIST);
        return -EINVAL;
    }
    return build_subscriber(&r->t, &r->b, err, errlen);
}

static void free_rows(struct import_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].line);
        memset(&rows[i].b, 0, sizeof(rows[i].b));
    }
    free(rows);
}

static int do_import(struct store *st, const struct opts *o)
{
    struct import_row *rows = NULL, *tmp;
    struct store_subscriber *subs = NULL;
    size_t n = 0, cap = 0, failed = 0;
    char *line = malloc(MAX_LINE + 2), err[512] = "";
    int map[COL_COUNT + 1], ncols = 0, rc, ret = EXIT_USAGE;
    bool header = false;
    long lineno = 0;
    FILE *fp = strcmp(o->arg, "-") == 0 ? stdin : fopen(o->arg, "r");
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!fp || !line) {
        fprintf(stderr, "%s: %s: %s\n", prog, o->arg, strerror(errno));
        free(line);
        return EXIT_USAGE;
    }
    while (fgets(line, MAX_LINE + 2, fp)) {
        size_t len = strlen(line);
        lineno++;
        if (len > MAX_LINE) {
            snprintf(err, sizeof(err), "line longer than %d bytes", MAX_LINE);
            goto bad;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (!header) {
            if (parse_header(line, map, &ncols, err, sizeof(err)))
                goto bad;
            header = true;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            tmp = realloc(rows, cap * sizeof(*rows));
            if (!tmp) {
                snprintf(err, sizeof(err), "out of memory");
                goto bad;
            }
            rows = tmp;
        }
        rows[n].lineno = lineno;
        rows[n].line = strdup(line);
        if (!rows[n].line) {
            snprintf(err, sizeof(err), "out of memory");
            goto bad;
        }
        n++;
        if (parse_row(&rows[n - 1], map, ncols, err, sizeof(err)))
            goto bad;
    }
    if (ferror(fp)) {
        snprintf(err, sizeof(err), "read error: %s", strerror(errno));
        goto bad;
    }
    if (!header) {
        snprintf(err, sizeof(err), "no header line");
        goto bad;
    }
    subs = calloc(n ? n : 1, sizeof(*subs));
    if (!subs) {
        snprintf(err, sizeof(err), "out of memory");
        goto bad;
    }
    for (size_t i = 0; i < n; i++)
        subs[i] = rows[i].b.sub;
    rc = store_subscriber_add_many(st, subs, n, &failed);
    if (rc) {
        fprintf(stderr, "%s: %s:%ld: %s; nothing imported\n", prog, o->arg,
                failed < n ? rows[failed].lineno : lineno, store_errmsg(st));
        ret = rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("imported %zu subscribers in %.3f s\n", n,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    ret = EXIT_OK;
    goto out;
bad:
    fprintf(stderr, "%s: %s:%ld: %s; nothing imported\n", prog, o->arg, lineno, err);
out:
    if (fp != stdin)
        fclose(fp);
    free(subs);
    free_rows(rows, n);
    free(line);
    return ret;
}

/* ------------------------------------------------------------------------- */

/* Rejects options that mean nothing for the action. */
static int check_options(const struct opts *o)
{
    bool is_add = strcmp(o->action, "add") == 0, is_set = strcmp(o->action, "set") == 0;
    bool fields = o->k || o->op || o->opc || o->amf || o->sqn || o->scheme || o->password ||
                  o->ha1 || o->ifc || o->barred.n || o->roaming.n;

    if (!is_add && !is_set && (fields || o->impi || o->impus.n))
        return usage_error("'%s' takes no subscriber options", o->action);
    if (!is_set && (o->unbarred.n || o->del_roaming.n || o->add_impus.n || o->del_impus.n))
        return usage_error("--unbarred, --del-roaming, --add-impu and --del-impu are for "
                           "'set'");
    if (is_set && (o->impi || o->impus.n))
        return usage_error("'set' takes the IMPI as argument; use --add-impu to add an "
                           "IMPU");
    if (is_add && o->arg)
        return usage_error("'add' takes --impi, not an argument ('%s')", o->arg);
    return 0;
}

int imsctl_subscriber_main(int argc, char **argv)
{
    struct opts o = {0};
    struct store *st = NULL;
    int rc;
    bool needs_arg;

    rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!o.action)
        return usage_error("no action given");
    if (strcmp(o.action, "add") != 0 && strcmp(o.action, "show") != 0 &&
        strcmp(o.action, "list") != 0 && strcmp(o.action, "del") != 0 &&
        strcmp(o.action, "set") != 0 && strcmp(o.action, "import") != 0)
        return usage_error("unknown action '%s'", o.action);
    needs_arg = strcmp(o.action, "add") != 0 && strcmp(o.action, "list") != 0;
    if (needs_arg && !o.arg)
        return usage_error("'%s' needs an argument", o.action);
    if (!needs_arg && o.arg && strcmp(o.action, "list") == 0)
        return usage_error("'list' takes no argument ('%s')", o.arg);
    rc = check_options(&o);
    if (rc)
        return rc;
    rc = open_store(&o, &st);
    if (rc)
        return rc;
    if (strcmp(o.action, "add") == 0)
        rc = do_add(st, &o);
    else if (strcmp(o.action, "show") == 0)
        rc = do_show(st, &o);
    else if (strcmp(o.action, "list") == 0)
        rc = do_list(st);
    else if (strcmp(o.action, "del") == 0)
        rc = do_del(st, &o);
    else if (strcmp(o.action, "set") == 0)
        rc = do_set(st, &o);
    else
        rc = do_import(st, &o);
    store_close(st);
    return rc;
}
