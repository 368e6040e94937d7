/*
 * hss_cx: the Cx request handlers of the HSS (one file each) and the
 * HSS-initiated requests. Handlers run on freeDiameter's threads with the
 * signature of struct cx_server_handlers; each fills the answer and returns 0,
 * or returns a negative errno (answered DIAMETER_UNABLE_TO_COMPLY).
 */
#ifndef IMSCORE_HSS_CX_H
#define IMSCORE_HSS_CX_H

#include "cx/cx.h"
#include "store.h"

int hss_on_uar(const struct cx_uar *req, struct cx_uaa *ans, void *arg);
int hss_on_mar(const struct cx_mar *req, struct cx_maa *ans, void *arg);
int hss_on_sar(const struct cx_sar *req, struct cx_saa *ans, void *arg);
int hss_on_lir(const struct cx_lir *req, struct cx_lia *ans, void *arg);

/*
 * Builds the TS 29.228 IMSSubscription of impi for the public identities
 * impus[0..n) (grouped into one ServiceProfile per stored service profile,
 * with barring and the profile's iFCs). *xml is a malloc'ed document the
 * caller frees. Returns 0, -ENOENT, -EPROTO (stored iFC XML not valid),
 * -ENOMEM or -EIO.
 */
int hss_userdata_build(struct store *st, const char *impi, const struct store_impu *impus, size_t n,
                       char **xml);

/*
 * True when the service profile profile_id has an iFC that applies while the
 * user is not registered (ProfilePartIndicator absent or UNREGISTERED).
 */
bool hss_profile_has_unreg_services(struct store *st, int64_t profile_id);

/* Completion of an HSS-initiated request: status as cx_send_X, result code. */
typedef void (*hss_rtr_done)(uint64_t id, int status, uint32_t result);

/*
 * Sends an RTR (on the loop thread) for impi and its public identities
 * impus[0..n) to the S-CSCF server_name, with reason_code / reason_info.
 * On a successful RTA the identities' implicit sets become NOT_REGISTERED
 * with no S-CSCF. done(id, ...) is called once on the loop thread unless an
 * error is returned. Returns 0 or a negative errno.
 */
int hss_send_rtr(const char *impi, const char *const *impus, size_t n, const char *server_name,
                 int reason_code, const char *reason_info, hss_rtr_done done, uint64_t id);

/*
 * Sends a PPR (on the loop thread) with the current user data of impi to the
 * S-CSCF its identities are assigned to. done as for hss_send_rtr().
 * Returns 0, -ENOENT (unknown IMPI), -ENOTCONN (no S-CSCF assigned) or a
 * negative errno.
 */
int hss_send_ppr(const char *impi, hss_rtr_done done, uint64_t id);

/*
 * Called from a handler thread when a MAR moved impu's set from old_scscf to
 * another S-CSCF (TS 29.228 §8.1.1): posts an RTR (NEW_SERVER_ASSIGNED) for
 * the set to the old S-CSCF to the loop. Best effort; failures are logged.
 */
void hss_rtr_old_scscf(const char *impi, const char *impu, const char *old_scscf);

/* Frees the requests still in flight (after cx_shutdown(), which drops their callbacks). */
void hss_cx_pending_free_all(void);

#endif
