/*
 * control: the S-CSCF's Unix-domain control socket (control.socket, default
 * scscf.ctl in the state directory; common/ctl), served on the loop thread,
 * that `imsctl reg` talks to. Read-only: it shows the registration records
 * (regs.h) and the reg-event subscriptions watching them (reg_event.h).
 *
 * Requests (one per connection, fields separated by TAB):
 *   "list" LF
 *       one REG record per registration record: id, impi, state
 *       (registered | not_registered), impus (comma-separated implicit set),
 *       contacts (active ones), expires_in (seconds until the earliest active
 *       contact expires; empty when none)
 *   "show" TAB <IMPU or IMPI> LF
 *       the REG record (id, impi, state, impus, barred, contacts), then one
 *       CONTACT record per contact (id, uri, state, event, params,
 *       expires_in, path, call_id, cseq, received, instance, reg_id,
 *       registered_for) and one SUB record per reg-event subscription watching
 *       the implicit set (id, impu, subscriber, target, call_id, expires_in,
 *       version, pending)
 * Answers are ctl.h records ended by "OK", or "ERR text".
 */
#ifndef IMSCORE_SCSCF_CONTROL_H
#define IMSCORE_SCSCF_CONTROL_H

struct loop;

/*
 * Listens on the control socket of scscf_self() (its path is resolved under
 * the state directory) on loop. Returns 0 or a negative errno (logged):
 * -EADDRINUSE when another S-CSCF serves that state directory.
 */
int scscf_control_start(struct loop *loop);

/* Closes every control connection and removes the socket file. Safe when not started. */
void scscf_control_stop(void);

#endif
