/*
 * imsctl hss: asks the running HSS, through its control socket, to send a
 * Registration-Termination-Request or a Push-Profile-Request to the S-CSCF
 * that serves a user, and prints the S-CSCF's answer.
 *
 *   imsctl hss [-c HSS_CONF] [--state-dir DIR] [--socket PATH] deregister IMPI|IMPU
 *              [--reason N] [--info TEXT]
 *   imsctl hss [...] push-profile IMPI
 *
 * The socket is --socket, else control.socket of the HSS configuration
 * (default "hss.ctl") in the state directory: --state-dir, else
 * $IMS_STATE_DIR, else state_dir of the configuration (default "var").
 */
#include "daemon_ctl.h"
#include "imsctl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAIL  IMSCTL_EXIT_FAIL
#define EXIT_USAGE IMSCTL_EXIT_USAGE
#define TIMEOUT_MS 30000

static const char *prog = "imsctl hss";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-c HSS_CONF] [--state-dir DIR] [--socket PATH] COMMAND ...\n"
            "\n"
            "commands:\n"
            "  deregister IMPI|IMPU [--reason N] [--info TEXT]\n"
            "        send an RTR for the user (all its identities for an IMPI, the\n"
            "        implicit registration set for an IMPU) to its S-CSCF. Reason-Code N:\n"
            "        0 PERMANENT_TERMINATION (default), 1 NEW_SERVER_ASSIGNED,\n"
            "        2 SERVER_CHANGE, 3 REMOVE_S-CSCF\n"
            "  push-profile IMPI\n"
            "        send a PPR with the current user data to the user's S-CSCF\n"
            "\n"
            "The control socket is --socket, else control.socket of the HSS\n"
            "configuration in the state directory (--state-dir, $IMS_STATE_DIR, or the\n"
            "state_dir setting). Exit status: 0 the S-CSCF accepted, 1 it refused or\n"
            "the HSS could not send the request, 2 usage error.\n",
            prog);
}

/* A field that can travel in one TAB-separated line. */
static bool field_is_valid(const char *s)
{
    return s && *s && strlen(s) < 1024 && !strpbrk(s, "\t\r\n");
}

/* Sends line and prints the answer. Returns the exit status. */
static int talk(const char *path, const char *line, const char *what)
{
    char *answer = NULL;
    int rc = imsctl_ctl_request(prog, "the HSS", path, line, TIMEOUT_MS, &answer);

    if (rc)
        return rc;
    rc = EXIT_FAIL;
    answer[strcspn(answer, "\n")] = '\0';
    if (strncmp(answer, "OK ", 3) == 0) {
        printf("%s: S-CSCF answered %s\n", what, answer + 3);
        rc = 0;
    } else if (strncmp(answer, "FAIL ", 5) == 0) {
        fprintf(stderr, "%s: S-CSCF answered %s\n", what, answer + 5);
    } else if (strncmp(answer, "ERR ", 4) == 0) {
        fprintf(stderr, "%s: %s\n", what, answer + 4);
    } else {
        fprintf(stderr, "%s: unexpected answer from the HSS: '%s'\n", what, answer);
    }
    free(answer);
    return rc;
}

int imsctl_hss_main(int argc, char **argv)
{
    struct imsctl_ctl_opts opts = {0};
    const char *cmd = NULL, *id = NULL;
    const char *info = NULL;
    long reason = 0;
    char path[512], line[4096], what[1100];
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        int taken = imsctl_ctl_opt(prog, &opts, false, argc, argv, &i);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--info") == 0) {
            slot = &info;
        } else if (strcmp(a, "--reason") == 0) {
            char *end = NULL;
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: missing value after %s\n", prog, a);
                return EXIT_USAGE;
            }
            errno = 0;
            reason = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || reason < 0 || reason > 3) {
                fprintf(stderr, "%s: --reason must be 0, 1, 2 or 3\n", prog);
                return EXIT_USAGE;
            }
            continue;
        } else if (a[0] == '-') {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!cmd) {
            cmd = a;
            continue;
        } else if (!id) {
            id = a;
            continue;
        } else {
            fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: missing value after %s\n", prog, a);
            return EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    if (!cmd || !id) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!field_is_valid(id) || (info && *info && !field_is_valid(info))) {
        fprintf(stderr,
                "%s: identities and --info must be 1..1023 characters without TAB or "
                "line breaks\n",
                prog);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "deregister") == 0) {
        snprintf(line, sizeof(line), "deregister\t%s\t%ld\t%s\n", id, reason,
                 info && *info ? info : "");
    } else if (strcmp(cmd, "push-profile") == 0) {
        if (info || reason) {
            fprintf(stderr, "%s: push-profile takes no --reason or --info\n", prog);
            return EXIT_USAGE;
        }
        snprintf(line, sizeof(line), "push-profile\t%s\n", id);
    } else {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    rc = imsctl_socket_path(prog, &opts, "hss.ctl", path, sizeof(path));
    if (rc)
        return rc;
    snprintf(what, sizeof(what), "%s %s", cmd, id);
    return talk(path, line, what);
}
