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
#include "imsctl.h"

#include <errno.h>
#include <libconfig.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_FAIL  1
#define EXIT_USAGE 2
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

static int socket_path(const char *conf, const char *state_dir, const char *sock, char *out,
                       size_t len)
{
    const char *sd = state_dir, *name = "hss.ctl", *v = NULL;
    config_t cfg;
    int n, rc = 0;

    if (sock) {
        n = snprintf(out, len, "%s", sock);
        return n < 0 || (size_t)n >= len ? EXIT_USAGE : 0;
    }
    config_init(&cfg);
    if (conf) {
        if (config_read_file(&cfg, conf) != CONFIG_TRUE) {
            fprintf(stderr, "%s: %s:%d: %s\n", prog, conf, config_error_line(&cfg),
                    config_error_type(&cfg) == CONFIG_ERR_FILE_IO ? "cannot read the file"
                                                                  : config_error_text(&cfg));
            rc = EXIT_USAGE;
            goto out;
        }
        if (config_lookup_string(&cfg, "control.socket", &v) == CONFIG_TRUE && *v)
            name = v;
    }
    if (!sd || !*sd)
        sd = getenv("IMS_STATE_DIR");
    if ((!sd || !*sd) && conf && config_lookup_string(&cfg, "state_dir", &v) == CONFIG_TRUE)
        sd = v;
    if (!sd || !*sd)
        sd = "var";
    n = name[0] == '/' ? snprintf(out, len, "%s", name) : snprintf(out, len, "%s/%s", sd, name);
    if (n < 0 || (size_t)n >= len) {
        fprintf(stderr, "%s: control socket path too long\n", prog);
        rc = EXIT_USAGE;
    }
out:
    config_destroy(&cfg);
    return rc;
}

/* Sends line and prints the answer. Returns the exit status. */
static int talk(const char *path, const char *line, const char *what)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char buf[2048];
    size_t got = 0;
    int fd, rc = EXIT_FAIL;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "%s: socket path too long: %s\n", prog, path);
        return EXIT_USAGE;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
        fprintf(stderr, "%s: cannot reach the HSS at %s: %s (is it running?)\n", prog, path,
                strerror(errno));
        goto out;
    }
    for (size_t off = 0, len = strlen(line); off < len;) {
        ssize_t w = write(fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "%s: write: %s\n", prog, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, TIMEOUT_MS);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            fprintf(stderr, "%s: no answer from the HSS within %d s\n", prog, TIMEOUT_MS / 1000);
            goto out;
        }
        ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    if (strncmp(buf, "OK ", 3) == 0) {
        printf("%s: S-CSCF answered %s\n", what, buf + 3);
        rc = 0;
    } else if (strncmp(buf, "FAIL ", 5) == 0) {
        fprintf(stderr, "%s: S-CSCF answered %s\n", what, buf + 5);
    } else if (strncmp(buf, "ERR ", 4) == 0) {
        fprintf(stderr, "%s: %s\n", what, buf + 4);
    } else {
        fprintf(stderr, "%s: unexpected answer from the HSS: '%s'\n", what, buf);
    }
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int imsctl_hss_main(int argc, char **argv)
{
    const char *conf = NULL, *state_dir = NULL, *sock = NULL, *cmd = NULL, *id = NULL;
    const char *info = NULL;
    long reason = 0;
    char path[512], line[4096], what[1100];
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            slot = &conf;
        } else if (strcmp(a, "--state-dir") == 0) {
            slot = &state_dir;
        } else if (strcmp(a, "--socket") == 0) {
            slot = &sock;
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
    rc = socket_path(conf, state_dir, sock, path, sizeof(path));
    if (rc)
        return rc;
    snprintf(what, sizeof(what), "%s %s", cmd, id);
    return talk(path, line, what);
}
