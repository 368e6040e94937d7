/*
 * imsctl aka: computes the Milenage/AKA values for one challenge, for
 * operators checking a SIM profile or an HSS against a UE trace.
 *
 *   imsctl aka --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX
 *
 * prints one "name: hex" line (lowercase) for each of OPc, MAC-A, MAC-S, RES,
 * CK, IK, AK, AK*, AUTN, in that order. MAC-S is f1* over the given SQN and
 * AMF. Exit codes: 0 ok, 1 computation failed, 2 usage or input error.
 */
#include "imsctl.h"

#include "aka/aka.h"
#include "codec/codec.h"

#include <getopt.h>
#include <stdbool.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

enum aka_opt {
    OPT_K = 0,
    OPT_OP,
    OPT_OPC,
    OPT_RAND,
    OPT_SQN,
    OPT_AMF,
    OPT_COUNT,
};

/* Option names and the exact number of octets each one takes. */
static const struct {
    const char *name;
    size_t len;
} opt_info[OPT_COUNT] = {
    [OPT_K] = {"k", AKA_K_LEN},       [OPT_OP] = {"op", AKA_OP_LEN},
    [OPT_OPC] = {"opc", AKA_OPC_LEN}, [OPT_RAND] = {"rand", AKA_RAND_LEN},
    [OPT_SQN] = {"sqn", AKA_SQN_LEN}, [OPT_AMF] = {"amf", AKA_AMF_LEN},
};

static void aka_usage(FILE *out)
{
    fprintf(out, "usage: imsctl aka --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX\n"
                 "\n"
                 "Computes Milenage (TS 35.206) and AKA (TS 33.102) values and prints\n"
                 "OPc, MAC-A, MAC-S, RES, CK, IK, AK, AK*, AUTN as 'name: hex' lines.\n"
                 "\n"
                 "  --k HEX     subscriber key K, 16 octets (32 hex digits)\n"
                 "  --op HEX    operator variant OP, 16 octets (OPc is derived from it)\n"
                 "  --opc HEX   OPc, 16 octets (give --op or --opc, not both)\n"
                 "  --rand HEX  RAND, 16 octets\n"
                 "  --sqn HEX   SQN, 6 octets\n"
                 "  --amf HEX   AMF, 2 octets\n"
                 "  -h, --help  show this help\n");
}

static void print_hex(const char *name, const uint8_t *v, size_t len)
{
    char hex[CODEC_HEX_LEN(AKA_K_LEN) + 1];

    if (codec_hex_encode(v, len, hex, sizeof(hex)) == 0)
        printf("%s: %s\n", name, hex);
}

int imsctl_aka_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"k", required_argument, NULL, OPT_K},     {"op", required_argument, NULL, OPT_OP},
        {"opc", required_argument, NULL, OPT_OPC}, {"rand", required_argument, NULL, OPT_RAND},
        {"sqn", required_argument, NULL, OPT_SQN}, {"amf", required_argument, NULL, OPT_AMF},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    uint8_t val[OPT_COUNT][16];
    bool seen[OPT_COUNT] = {false};
    uint8_t opc[16], mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6], autn[16];
    int c, rc = 2;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            aka_usage(stdout);
            rc = 0;
            goto out;
        }
        if (c == ':') {
            fprintf(stderr, "imsctl aka: option '%s' needs a value\n", argv[optind - 1]);
            goto out;
        }
        if (c == '?') {
            if (optopt)
                fprintf(stderr, "imsctl aka: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "imsctl aka: unknown option '%s'\n", argv[optind - 1]);
            goto out;
        }
        if (c < 0 || c >= OPT_COUNT)
            goto out;
        if (seen[c]) {
            fprintf(stderr, "imsctl aka: option '--%s' given more than once\n", opt_info[c].name);
            goto out;
        }
        seen[c] = true;
        if (codec_hex_decode_exact(optarg, val[c], opt_info[c].len) < 0) {
            fprintf(stderr, "imsctl aka: option '--%s' needs exactly %zu hex digits, got '%s'\n",
                    opt_info[c].name, CODEC_HEX_LEN(opt_info[c].len), optarg);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "imsctl aka: unexpected argument '%s'\n", argv[optind]);
        goto out;
    }
    if (!seen[OPT_K]) {
        fprintf(stderr, "imsctl aka: missing option '--k'\n");
        goto out;
    }
    if (seen[OPT_OP] && seen[OPT_OPC]) {
        fprintf(stderr, "imsctl aka: give either '--op' or '--opc', not both\n");
        goto out;
    }
    if (!seen[OPT_OP] && !seen[OPT_OPC]) {
        fprintf(stderr, "imsctl aka: missing option '--op' or '--opc'\n");
        goto out;
    }
    for (int i = 0; i < OPT_COUNT; i++) {
        if (i == OPT_OP || i == OPT_OPC || seen[i])
            continue;
        fprintf(stderr, "imsctl aka: missing option '--%s'\n", opt_info[i].name);
        goto out;
    }

    rc = 1;
    if (seen[OPT_OP]) {
        if (aka_opc(val[OPT_K], val[OPT_OP], opc) < 0) {
            fprintf(stderr, "imsctl aka: OPc computation failed (OpenSSL error)\n");
            goto out;
        }
    } else {
        memcpy(opc, val[OPT_OPC], sizeof(opc));
    }
    if (aka_f1(val[OPT_K], opc, val[OPT_RAND], val[OPT_SQN], val[OPT_AMF], mac_a) < 0 ||
        aka_f1star(val[OPT_K], opc, val[OPT_RAND], val[OPT_SQN], val[OPT_AMF], mac_s) < 0 ||
        aka_f2345(val[OPT_K], opc, val[OPT_RAND], res, ck, ik, ak) < 0 ||
        aka_f5star(val[OPT_K], opc, val[OPT_RAND], ak_star) < 0) {
        fprintf(stderr, "imsctl aka: Milenage computation failed (OpenSSL error)\n");
        goto out;
    }
    for (int i = 0; i < AKA_SQN_LEN; i++)
        autn[i] = val[OPT_SQN][i] ^ ak[i];
    memcpy(autn + 6, val[OPT_AMF], AKA_AMF_LEN);
    memcpy(autn + 8, mac_a, AKA_MAC_LEN);

    print_hex("OPc", opc, sizeof(opc));
    print_hex("MAC-A", mac_a, sizeof(mac_a));
    print_hex("MAC-S", mac_s, sizeof(mac_s));
    print_hex("RES", res, sizeof(res));
    print_hex("CK", ck, sizeof(ck));
    print_hex("IK", ik, sizeof(ik));
    print_hex("AK", ak, sizeof(ak));
    print_hex("AK*", ak_star, sizeof(ak_star));
    print_hex("AUTN", autn, sizeof(autn));
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    if (rc == 2)
        fprintf(stderr, "Run 'imsctl aka --help' for usage.\n");
    OPENSSL_cleanse(val, sizeof(val));
    OPENSSL_cleanse(opc, sizeof(opc));
    OPENSSL_cleanse(ck, sizeof(ck));
    OPENSSL_cleanse(ik, sizeof(ik));
    return rc;
}
