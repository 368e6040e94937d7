/*
 * cx_rtr_ppr: requests the HSS sends to the S-CSCF (TS 29.228 §6.1.3, §6.1.4):
 * Registration-Termination (drop the listed registrations) and Push-Profile
 * (replace the user data). Served on the loop thread through cx_serve_rtr/ppr.
 */
#ifndef IMSCORE_SCSCF_CX_RTR_PPR_H
#define IMSCORE_SCSCF_CX_RTR_PPR_H

struct loop;

/*
 * Registers the RTR and PPR handlers on loop. Call after cx_init() and before
 * cx_start(). Returns 0 or a negative errno (logged).
 */
int scscf_cx_serve(struct loop *loop);

#endif
