/*
 * imsctl pcscf: shows the UEs the running P-CSCF serves, read through its
 * control socket (pcscf/control.h).
 *
 *   imsctl pcscf [-c PCSCF_CONF] [--state-dir DIR] [--socket PATH] [--json] list
 *
 * The socket is --socket, else control.socket of the P-CSCF configuration
 * (default "pcscf.ctl") in the state directory: --state-dir, else
 * $IMS_STATE_DIR, else state_dir of the configuration (default "var").
 */
#include "daemon_ctl.h"
#include "imsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 10000

static const char *prog = "imsctl pcscf";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-c PCSCF_CONF] [--state-dir DIR] [--socket PATH] [--json] list\n"
            "\n"
            "  list    one line per UE: IMPU, IMPI, registration state, seconds to expiry,\n"
            "          flow (transport:address:port), sec-agree state (none, pending,\n"
            "          active) with the SPIs and ports, state of the P-CSCF's reg-event\n"
            "          subscription, Contact\n"
            "\n"
            "The control socket is --socket, else control.socket of the P-CSCF\n"
            "configuration in the state directory (--state-dir, $IMS_STATE_DIR, or the\n"
            "state_dir setting). Exit status: 0 success, 1 failed (P-CSCF not running),\n"
            "2 usage error.\n",
            prog);
}

int imsctl_pcscf_main(int argc, char **argv)
{
    static const char *const keys[] = {"impu", "impi",  "state",   "expires_in", "flow", "sec",
                                       "spis", "ports", "reg_sub", "contact",    NULL};
    static const char *const heads[] = {"IMPU", "IMPI",  "STATE",  "EXPIRES", "FLOW", "SEC",
                                        "SPIS", "PORTS", "REGSUB", "CONTACT", NULL};
    struct imsctl_ctl_opts opts = {0};
    const char *cmd = NULL;
    struct imsctl_rec *recs = NULL;
    char path[512], *answer = NULL;
    size_t n = 0;
    int rc;

    const char *words[1];
    size_t nw;
    rc = imsctl_ctl_args(prog, argc, argv, &opts, usage, words, 1, &nw);
    if (rc)
        return rc == 1 ? 0 : rc;
    cmd = nw > 0 ? words[0] : NULL;
    if (!cmd || strcmp(cmd, "list") != 0) {
        usage(stderr);
        return IMSCTL_EXIT_USAGE;
    }
    if ((rc = imsctl_socket_path(prog, &opts, "pcscf.ctl", path, sizeof(path))) != 0 ||
        (rc = imsctl_ctl_request(prog, "the P-CSCF", path, "list", TIMEOUT_MS, &answer)) != 0 ||
        (rc = imsctl_records_parse(prog, answer, &recs, &n)) != 0)
        goto out;
    if (opts.json)
        imsctl_print_json(stdout, recs, n, false);
    else
        imsctl_print_table(stdout, recs, n, "UE", keys, heads, "no UEs");
out:
    free(recs);
    free(answer);
    return rc;
}
