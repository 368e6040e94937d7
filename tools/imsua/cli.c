/* imsua: command-line parsing of "register" and "load" (docs/imsua.md). */
#include "ua.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: imsua register --impi I --impu U (--k KEY (--op KEY|--opc KEY) [--amf KEY]\n"
            "                      | --password P) --proxy HOST:PORT [common options]\n"
            "                      [--subscribe] [--stay] [--sqn-ms HEX]\n"
            "       imsua load --subscribers FILE --rate R --duration S [--concurrency C]\n"
            "                  [--json] --proxy HOST:PORT [common options]\n"
            "common options: [--transport udp|tcp] [--expires N] [--security-client]\n"
            "                [--bind ADDR] [--port N] [--advertise ADDR] [--timeout MS]\n"
            "KEY: 32 hex digits (4 for --amf) or ascii:TEXT (16 characters, 2 for --amf)\n");
}

static int bad(const char *what, const char *val)
{
    fprintf(stderr, "imsua: invalid %s '%s'\n", what, val ? val : "");
    usage();
    return UA_EXIT_USAGE;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || end == s || v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || !end || *end || end == s || !isfinite(v) || v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

static int copy(char *dst, size_t len, const char *src)
{
    return snprintf(dst, len, "%s", src) >= (int)len ? -ENOSPC : 0;
}

enum {
    O_IMPI = 256,
    O_IMPU,
    O_K,
    O_OP,
    O_OPC,
    O_AMF,
    O_PROXY,
    O_TRANSPORT,
    O_EXPIRES,
    O_PASSWORD,
    O_SECCLIENT,
    O_SUBSCRIBE,
    O_STAY,
    O_SQN,
    O_LPORT,
    O_BIND,
    O_ADVERTISE,
    O_TIMEOUT,
    O_SUBSCRIBERS,
    O_RATE,
    O_DURATION,
    O_CONCURRENCY,
    O_JSON,
    O_HELP
};

/* Options valid for both commands. Returns 0, 1 (not a common option) or UA_EXIT_USAGE. */
static int common_opt(int c, struct ua_opts *o)
{
    long v;
    switch (c) {
    case O_PROXY: {
        const char *colon = strrchr(optarg, ':');
        if (!colon || colon == optarg || (size_t)(colon - optarg) >= sizeof(o->proxy_host) ||
            parse_long(colon + 1, 1, 65535, &v))
            return bad("--proxy (HOST:PORT)", optarg);
        memcpy(o->proxy_host, optarg, (size_t)(colon - optarg));
        o->proxy_host[colon - optarg] = '\0';
        o->proxy_port = (int)v;
        return 0;
    }
    case O_TRANSPORT:
        if (!strcmp(optarg, "tcp"))
            o->tcp = true;
        else if (strcmp(optarg, "udp"))
            return bad("--transport (udp|tcp)", optarg);
        return 0;
    case O_EXPIRES:
        if (parse_long(optarg, 0, 0x7fffffff, &v))
            return bad("--expires", optarg);
        o->expires = (uint32_t)v;
        return 0;
    case O_SECCLIENT:
        o->security_client = true;
        return 0;
    case O_LPORT:
        if (parse_long(optarg, 0, 65535, &v))
            return bad("--port", optarg);
        o->local_port = (int)v;
        return 0;
    case O_BIND:
        if (copy(o->bind, sizeof(o->bind), optarg) || !optarg[0])
            return bad("--bind", optarg);
        return 0;
    case O_ADVERTISE:
        if (copy(o->advertise, sizeof(o->advertise), optarg) || !optarg[0] ||
            strpbrk(optarg, " \t\r\n<>;,[]"))
            return bad("--advertise", optarg);
        return 0;
    case O_TIMEOUT:
        if (parse_long(optarg, 100, 600000, &v))
            return bad("--timeout", optarg);
        o->timeout_ms = (int)v;
        return 0;
    default:
        return 1;
    }
}

int ua_cli_parse(int argc, char **argv, struct ua_opts *o)
{
    static const struct option longopts[] = {
        {"impi", required_argument, NULL, O_IMPI},
        {"impu", required_argument, NULL, O_IMPU},
        {"k", required_argument, NULL, O_K},
        {"op", required_argument, NULL, O_OP},
        {"opc", required_argument, NULL, O_OPC},
        {"amf", required_argument, NULL, O_AMF},
        {"proxy", required_argument, NULL, O_PROXY},
        {"transport", required_argument, NULL, O_TRANSPORT},
        {"expires", required_argument, NULL, O_EXPIRES},
        {"password", required_argument, NULL, O_PASSWORD},
        {"security-client", no_argument, NULL, O_SECCLIENT},
        {"subscribe", no_argument, NULL, O_SUBSCRIBE},
        {"stay", no_argument, NULL, O_STAY},
        {"sqn-ms", required_argument, NULL, O_SQN},
        {"local-port", required_argument, NULL, O_LPORT},
        {"port", required_argument, NULL, O_LPORT},
        {"bind", required_argument, NULL, O_BIND},
        {"advertise", required_argument, NULL, O_ADVERTISE},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"subscribers", required_argument, NULL, O_SUBSCRIBERS},
        {"rate", required_argument, NULL, O_RATE},
        {"duration", required_argument, NULL, O_DURATION},
        {"concurrency", required_argument, NULL, O_CONCURRENCY},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ua_cred *cr = &o->cred;
    uint8_t op[16];
    bool have_op = false, have_opc = false, have_rate = false, have_duration = false,
         have_password = false;
    long v;
    uint8_t sqn[6];
    int c, rc;

    memset(o, 0, sizeof(*o));
    cr->amf[0] = 0x80; /* separation bit set, as TS 33.102 Annex F for E-UTRAN */
    o->expires = 600;
    o->timeout_ms = 8000;
    o->concurrency = 100;
    snprintf(o->bind, sizeof(o->bind), "127.0.0.1");
    if (argc < 2 || (strcmp(argv[1], "register") && strcmp(argv[1], "load"))) {
        usage();
        return UA_EXIT_USAGE;
    }
    o->load = strcmp(argv[1], "load") == 0;
    optind = 2;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((rc = common_opt(c, o)) != 1) {
            if (rc)
                return rc;
            continue;
        }
        if (o->load) {
            switch (c) {
            case O_SUBSCRIBERS:
                if (copy(o->subscribers, sizeof(o->subscribers), optarg))
                    return bad("--subscribers", optarg);
                continue;
            case O_RATE:
                if (parse_double(optarg, 0.01, 100000, &o->rate))
                    return bad("--rate (registrations per second)", optarg);
                have_rate = true;
                continue;
            case O_DURATION:
                if (parse_double(optarg, 0.01, 86400, &o->duration))
                    return bad("--duration (seconds)", optarg);
                have_duration = true;
                continue;
            case O_CONCURRENCY:
                if (parse_long(optarg, 1, 100000, &v))
                    return bad("--concurrency", optarg);
                o->concurrency = (int)v;
                continue;
            case O_JSON:
                o->json = true;
                continue;
            default:
                if (c != O_HELP && c != '?')
                    fprintf(stderr, "imsua: %s is not an option of load\n", argv[optind - 1]);
                usage();
                return UA_EXIT_USAGE;
            }
        }
        switch (c) {
        case O_IMPI:
            if (copy(cr->impi, sizeof(cr->impi), optarg))
                return bad("--impi", optarg);
            break;
        case O_IMPU:
            if (copy(cr->impu, sizeof(cr->impu), optarg) ||
                (strncmp(optarg, "sip:", 4) && strncmp(optarg, "tel:", 4)))
                return bad("--impu", optarg);
            break;
        case O_K:
            if (ua_key_parse(optarg, cr->k, 16))
                return bad("--k (32 hex digits or ascii:16 characters)", optarg);
            cr->have_k = true;
            break;
        case O_OP:
            if (ua_key_parse(optarg, op, 16))
                return bad("--op (32 hex digits or ascii:16 characters)", optarg);
            have_op = true;
            break;
        case O_OPC:
            if (ua_key_parse(optarg, cr->opc, 16))
                return bad("--opc (32 hex digits or ascii:16 characters)", optarg);
            have_opc = true;
            break;
        case O_AMF:
            if (ua_key_parse(optarg, cr->amf, 2))
                return bad("--amf (4 hex digits or ascii:2 characters)", optarg);
            break;
        case O_PASSWORD:
            if (copy(cr->password, sizeof(cr->password), optarg))
                return bad("--password", optarg);
            have_password = true;
            break;
        case O_SUBSCRIBE:
            o->subscribe = true;
            break;
        case O_STAY:
            o->stay = true;
            break;
        case O_SQN:
            if (ua_hex_parse(optarg, sqn, 6))
                return bad("--sqn-ms (12 hex digits)", optarg);
            o->sqn_ms = aka_sqn_unpack(sqn);
            break;
        default:
            if (c != O_HELP && c != '?')
                fprintf(stderr, "imsua: %s is not an option of register\n", argv[optind - 1]);
            usage();
            return UA_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return bad("argument", argv[optind]);
    if (!o->proxy_host[0]) {
        fprintf(stderr, "imsua: --proxy is required\n");
        usage();
        return UA_EXIT_USAGE;
    }
    if (o->load) {
        if (!o->subscribers[0] || !have_rate || !have_duration) {
            fprintf(stderr, "imsua: load needs --subscribers, --rate and --duration\n");
            usage();
            return UA_EXIT_USAGE;
        }
        return 0;
    }
    if (!cr->impi[0] || !cr->impu[0]) {
        fprintf(stderr, "imsua: --impi, --impu and --proxy are required\n");
        usage();
        return UA_EXIT_USAGE;
    }
    if (cr->have_k == have_password || (cr->have_k && have_op == have_opc)) {
        fprintf(stderr, "imsua: give --k with one of --op/--opc (AKA), or --password (Digest)\n");
        usage();
        return UA_EXIT_USAGE;
    }
    if (have_op && aka_opc(cr->k, op, cr->opc) != 0) {
        fprintf(stderr, "imsua: cannot derive OPc\n");
        return UA_EXIT_USAGE;
    }
    return 0;
}
