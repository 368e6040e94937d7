/*
 * imsctl reg: shows the registrations of the running S-CSCF, read through its
 * control socket (scscf/control.h).
 *
 *   imsctl reg [-c SCSCF_CONF] [--state-dir DIR] [--socket PATH] [--json] list
 *   imsctl reg [...] show IMPU|IMPI
 *
 * The socket is --socket, else control.socket of the S-CSCF configuration
 * (default "scscf.ctl") in the state directory: --state-dir, else
 * $IMS_STATE_DIR, else state_dir of the configuration (default "var").
 */
#include "daemon_ctl.h"
#include "imsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 10000

static const char *prog = "imsctl reg";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-c SCSCF_CONF] [--state-dir DIR] [--socket PATH] [--json] COMMAND\n"
            "\n"
            "commands:\n"
            "  list          one line per registration record: IMPI, state, number of\n"
            "                active contacts, seconds to the earliest expiry, IMPUs\n"
            "  show IMPU     the record serving IMPU (or of an IMPI): implicit set, barred\n"
            "                identities, each contact (URI, parameters, expiry, Path,\n"
            "                Call-ID/CSeq, source, +sip.instance/reg-id) and the reg-event\n"
            "                subscriptions watching it\n"
            "\n"
            "The control socket is --socket, else control.socket of the S-CSCF\n"
            "configuration in the state directory (--state-dir, $IMS_STATE_DIR, or the\n"
            "state_dir setting). Exit status: 0 success, 1 failed (S-CSCF not running,\n"
            "unknown identity), 2 usage error.\n",
            prog);
}

int imsctl_reg_main(int argc, char **argv)
{
    static const char *const keys[] = {"impi", "state", "contacts", "expires_in", "impus", NULL};
    static const char *const heads[] = {"IMPI", "STATE", "CONTACTS", "EXPIRES", "IMPUS", NULL};
    struct imsctl_ctl_opts opts = {0};
    const char *cmd = NULL, *id = NULL;
    struct imsctl_rec *recs = NULL;
    char path[512], line[1100], *answer = NULL;
    size_t n = 0;
    int rc;

    const char *words[2];
    size_t nw;
    rc = imsctl_ctl_args(prog, argc, argv, &opts, usage, words, 2, &nw);
    if (rc)
        return rc == 1 ? 0 : rc;
    cmd = nw > 0 ? words[0] : NULL;
    id = nw > 1 ? words[1] : NULL;
    if (cmd && strcmp(cmd, "list") == 0 && !id) {
        snprintf(line, sizeof(line), "list");
    } else if (cmd && strcmp(cmd, "show") == 0 && id) {
        if (!*id || strlen(id) >= 1024 || strpbrk(id, "\t\r\n")) {
            fprintf(stderr,
                    "%s: the identity must be 1..1023 characters without TAB or line "
                    "breaks\n",
                    prog);
            return IMSCTL_EXIT_USAGE;
        }
        snprintf(line, sizeof(line), "show\t%s", id);
    } else {
        usage(stderr);
        return IMSCTL_EXIT_USAGE;
    }
    if ((rc = imsctl_socket_path(prog, &opts, "scscf.ctl", path, sizeof(path))) != 0 ||
        (rc = imsctl_ctl_request(prog, "the S-CSCF", path, line, TIMEOUT_MS, &answer)) != 0 ||
        (rc = imsctl_records_parse(prog, answer, &recs, &n)) != 0)
        goto out;
    if (opts.json)
        imsctl_print_json(stdout, recs, n, strcmp(cmd, "show") == 0);
    else if (strcmp(cmd, "list") == 0)
        imsctl_print_table(stdout, recs, n, "REG", keys, heads, "no registrations");
    else
        imsctl_print_blocks(stdout, recs, n);
out:
    free(recs);
    free(answer);
    return rc;
}
