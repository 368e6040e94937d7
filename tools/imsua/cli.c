/* imsua: command-line parsing. */
#include "ua.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: imsua register --impi I --impu U (--k HEX (--op HEX|--opc HEX) [--amf HEX]"
            " | --password P)\n"
            "                      --proxy HOST:PORT [--transport udp|tcp] [--expires N]\n"
            "                      [--security-client] [--subscribe] [--stay] [--sqn-ms HEX]\n"
            "                      [--local-port N] [--timeout MS]\n");
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

int ua_cli_parse(int argc, char **argv, struct ua_opts *o)
{
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
        O_TIMEOUT,
        O_HELP
    };
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
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    uint8_t op[16];
    bool have_op = false, have_opc = false;
    long v;
    uint8_t sqn[6];

    memset(o, 0, sizeof(*o));
    o->amf[0] = 0x80; /* separation bit set, as TS 33.102 Annex F for E-UTRAN */
    o->expires = 600000 / 1000;
    o->timeout_ms = 8000;
    if (argc < 2 || strcmp(argv[1], "register") != 0) {
        if (argc >= 2 && strcmp(argv[1], "load") == 0)
            fprintf(stderr, "imsua: load mode is not implemented yet\n");
        usage();
        return UA_EXIT_USAGE;
    }
    optind = 2;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_IMPI:
            if (snprintf(o->impi, sizeof(o->impi), "%s", optarg) >= (int)sizeof(o->impi))
                return bad("--impi", optarg);
            break;
        case O_IMPU:
            if (snprintf(o->impu, sizeof(o->impu), "%s", optarg) >= (int)sizeof(o->impu) ||
                (strncmp(optarg, "sip:", 4) && strncmp(optarg, "tel:", 4)))
                return bad("--impu", optarg);
            break;
        case O_K:
            if (ua_hex_parse(optarg, o->k, 16))
                return bad("--k (32 hex digits)", optarg);
            o->have_k = true;
            break;
        case O_OP:
            if (ua_hex_parse(optarg, op, 16))
                return bad("--op (32 hex digits)", optarg);
            have_op = true;
            break;
        case O_OPC:
            if (ua_hex_parse(optarg, o->opc, 16))
                return bad("--opc (32 hex digits)", optarg);
            have_opc = true;
            break;
        case O_AMF:
            if (ua_hex_parse(optarg, o->amf, 2))
                return bad("--amf (4 hex digits)", optarg);
            break;
        case O_PROXY: {
            const char *colon = strrchr(optarg, ':');
            if (!colon || colon == optarg || (size_t)(colon - optarg) >= sizeof(o->proxy_host) ||
                parse_long(colon + 1, 1, 65535, &v))
                return bad("--proxy (HOST:PORT)", optarg);
            memcpy(o->proxy_host, optarg, (size_t)(colon - optarg));
            o->proxy_host[colon - optarg] = '\0';
            o->proxy_port = (int)v;
            break;
        }
        case O_TRANSPORT:
            if (!strcmp(optarg, "tcp"))
                o->tcp = true;
            else if (strcmp(optarg, "udp"))
                return bad("--transport (udp|tcp)", optarg);
            break;
        case O_EXPIRES:
            if (parse_long(optarg, 0, 0x7fffffff, &v))
                return bad("--expires", optarg);
            o->expires = (uint32_t)v;
            break;
        case O_PASSWORD:
            if (snprintf(o->password, sizeof(o->password), "%s", optarg) >=
                (int)sizeof(o->password))
                return bad("--password", optarg);
            o->have_password = true;
            break;
        case O_SECCLIENT:
            o->security_client = true;
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
        case O_LPORT:
            if (parse_long(optarg, 1, 65535, &v))
                return bad("--local-port", optarg);
            o->local_port = (int)v;
            break;
        case O_TIMEOUT:
            if (parse_long(optarg, 100, 600000, &v))
                return bad("--timeout", optarg);
            o->timeout_ms = (int)v;
            break;
        default:
            usage();
            return UA_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return bad("argument", argv[optind]);
    if (!o->impi[0] || !o->impu[0] || !o->proxy_host[0]) {
        fprintf(stderr, "imsua: --impi, --impu and --proxy are required\n");
        usage();
        return UA_EXIT_USAGE;
    }
    if (o->have_k == o->have_password || (o->have_k && have_op == have_opc)) {
        fprintf(stderr, "imsua: give --k with one of --op/--opc (AKA), or --password (Digest)\n");
        usage();
        return UA_EXIT_USAGE;
    }
    if (have_op && aka_opc(o->k, op, o->opc) != 0) {
        fprintf(stderr, "imsua: cannot derive OPc\n");
        return UA_EXIT_USAGE;
    }
    return 0;
}
