/*
 * control: the HSS's Unix-domain control socket (hss.ctl in the state
 * directory), served on the loop thread, that `imsctl hss` talks to.
 *
 * Protocol: one request line per connection, fields separated by TAB:
 *   "deregister" TAB <IMPI or IMPU> TAB <reason code 0..3> TAB <reason info> LF
 *   "push-profile" TAB <IMPI> LF
 * and one answer line, after the S-CSCF answered (or at once on an error):
 *   "OK" SP <result code> SP <result name> LF       the S-CSCF answered 2xxx
 *   "FAIL" SP <result code> SP <result name> LF     it answered an error
 *   "ERR" SP <text> LF                              nothing was sent, or no answer
 */
#ifndef IMSCORE_HSS_CONTROL_H
#define IMSCORE_HSS_CONTROL_H

struct loop;

/*
 * Listens on path (a stale socket file is replaced; the socket is mode 0600)
 * on loop. Returns 0 or a negative errno.
 */
int hss_control_start(struct loop *loop, const char *path);

/* Stops listening, closes every connection and removes the socket file. */
void hss_control_stop(void);

#endif
