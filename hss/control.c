/*
 * control.c: the control socket of the HSS (see control.h). Everything here
 * runs on the loop thread. Connections are found again by id when the
 * RTA/PPA comes back, because the client may have gone away meanwhile.
 */
#include "control.h"
#include "hss_context.h"
#include "hss_cx.h"

#include "ctl/ctl.h"
#include "log/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ctl_server *ctl_srv;

/* Writes the one answer line and closes the connection once it is sent. */
static void reply(uint64_t conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(uint64_t conn, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (ctl_reply(conn, "%s", buf) == 0)
        ctl_end(conn);
}

static void on_done(uint64_t id, int status, uint32_t code)
{
    uint64_t c = id; /* ctl_reply() ignores a connection imsctl closed meanwhile */

    if (status == -ETIMEDOUT)
        reply(c, "ERR no answer from the S-CSCF");
    else if (status == 0 && code >= 2000 && code < 3000)
        reply(c, "OK %u %s", code, cx_result_name(code, false));
    else if (code)
        reply(c, "FAIL %u %s", code, cx_result_name(code, false));
    else
        reply(c, "ERR request failed: %s", strerror(-status));
}

static int deregister(uint64_t c, bool *pending, const char *id, int reason, const char *info)
{
    struct store *st = hss_store();
    struct store_impu rec, *set = NULL;
    const char **uris = NULL;
    char impi[STORE_ID_SIZE], server[STORE_ID_SIZE] = "";
    size_t n = 0, m = 0;
    int rc;

    if (!st)
        return -EIO;
    if (store_impu_get(st, id, &rec) == 0) {
        if (!rec.scscf[0]) {
            reply(c, "ERR %s is not assigned to any S-CSCF", id);
            return 0;
        }
        snprintf(impi, sizeof(impi), "%s", rec.impi);
        snprintf(server, sizeof(server), "%s", rec.scscf);
        rc = store_irs_impus(st, id, &set, &n);
    } else {
        snprintf(impi, sizeof(impi), "%s", id);
        rc = store_impi_impus(st, id, &set, &n);
        if (rc == -ENOENT || rc == -EINVAL) {
            reply(c, "ERR unknown identity %s", id);
            return 0;
        }
    }
    if (rc)
        return rc;
    uris = calloc(n ? n : 1, sizeof(*uris));
    if (!uris) {
        free(set);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!set[i].scscf[0])
            continue;
        if (!server[0])
            snprintf(server, sizeof(server), "%s", set[i].scscf);
        if (strcmp(server, set[i].scscf) == 0)
            uris[m++] = set[i].uri;
    }
    if (m == 0) {
        reply(c, "ERR %s is not assigned to any S-CSCF", id);
        rc = 0;
    } else {
        rc = hss_send_rtr(impi, uris, m, server, reason, info && *info ? info : NULL, on_done, c);
        if (rc == 0)
            *pending = true;
    }
    free(uris);
    free(set);
    return rc;
}

static int push_profile(uint64_t c, bool *pending, const char *impi)
{
    int rc = hss_send_ppr(impi, on_done, c);

    if (rc == -ENOENT) {
        reply(c, "ERR unknown IMPI %s", impi);
        return 0;
    }
    if (rc == -ENOTCONN) {
        reply(c, "ERR %s is not registered at any S-CSCF", impi);
        return 0;
    }
    if (rc == 0)
        *pending = true;
    return rc;
}

/* One request of `imsctl hss` (ctl_handler_fn). */
static void handle_line(void *arg, uint64_t c, char *line)
{
    char *f[4] = {NULL};
    size_t nf = ctl_split(line, f, 4);
    bool pending = false; /* the answer comes with the S-CSCF's (on_done) */
    int rc = 0;

    if (nf >= 2 && strcmp(f[0], "deregister") == 0) {
        char *end = NULL;
        long reason = nf >= 3 ? strtol(f[2], &end, 10) : 0;
        if (nf >= 3 && (*end || end == f[2] || reason < 0 || reason > CX_REASON_REMOVE_SCSCF)) {
            reply(c, "ERR reason code must be 0..3");
            return;
        }
        log_info("control: deregister %s (reason %ld)", f[1], reason);
        rc = deregister(c, &pending, f[1], (int)reason, nf >= 4 ? f[3] : NULL);
    } else if (nf == 2 && strcmp(f[0], "push-profile") == 0) {
        log_info("control: push-profile %s", f[1]);
        rc = push_profile(c, &pending, f[1]);
    } else {
        reply(c, "ERR unknown request");
        return;
    }
    if (rc)
        reply(c, "ERR %s", strerror(-rc));
    else if (!pending)
        ctl_end(c); /* answered already (a no-op then), never left open */
}

int hss_control_start(struct loop *loop, const char *path)
{
    return ctl_server_start(loop, "hss", path, handle_line, NULL, &ctl_srv);
}

void hss_control_stop(void)
{
    ctl_server_stop(&ctl_srv);
}
