/*
 * control: the P-CSCF's Unix-domain control socket (control.socket, default
 * pcscf.ctl in the state directory; common/ctl), served on the loop thread,
 * that `imsctl pcscf` talks to. Read-only: it shows the UE registry
 * (pcscf_context.h).
 *
 * Request (one per connection):
 *   "list" LF
 *       one UE record per UE: id, impu, impi, state (challenged |
 *       registered), expires_in (seconds), flow ("udp:HOST:PORT" or
 *       "tcp:HOST:PORT#CONN"), contact, associated (P-Associated-URIs,
 *       comma-separated), sec (none: no sec-agree; pending: Security-Server
 *       sent with the 401, not yet verified; active: the UE registered with
 *       it), mech, alg, ealg, spis and ports ("UE-c/UE-s,PCSCF-c/PCSCF-s",
 *       empty when no SPIs were negotiated), reg_sub (none | active | ended:
 *       the P-CSCF's own reg-event subscription), sub_call_id
 * Answers are ctl.h records ended by "OK", or "ERR text".
 */
#ifndef PCSCF_CONTROL_H
#define PCSCF_CONTROL_H

struct loop;

/*
 * Listens on the control socket of pcscf_self() (its path is resolved under
 * the state directory) on loop. Returns 0 or a negative errno (logged):
 * -EADDRINUSE when another P-CSCF serves that state directory.
 */
int pcscf_control_start(struct loop *loop);

/* Closes every control connection and removes the socket file. Safe when not started. */
void pcscf_control_stop(void);

#endif
