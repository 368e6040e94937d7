/*
 * xfrm_nl: the P-CSCF's NETLINK_XFRM transport to the kernel's SA and policy
 * databases. One request at a time: send it, wait for the kernel's
 * NLMSG_ERROR ack carrying the same sequence number, return its errno.
 *
 * Used on the loop thread: a transaction blocks for at most the handle's
 * timeout (the kernel acks XFRM changes at once; the timeout only guards
 * against a peer that never answers). Tests adopt one end of a socketpair
 * served by a fake kernel instead of a real netlink socket.
 */
#ifndef PCSCF_XFRM_NL_H
#define PCSCF_XFRM_NL_H

#include <stddef.h>
#include <stdint.h>

struct pcscf_xfrm_nl;

/* Default time a transaction waits for its ack. */
#define PCSCF_XFRM_NL_TIMEOUT_MS 2000

/*
 * Opens a NETLINK_XFRM socket (close-on-exec) towards the kernel. timeout_ms
 * (> 0) bounds each transaction. On success *out is owned by the caller
 * (pcscf_xfrm_nl_close()). Returns 0, -EINVAL, -ENOMEM or the negative errno
 * of socket() (-EPROTONOSUPPORT: kernel without CONFIG_XFRM_USER).
 */
int pcscf_xfrm_nl_open(int timeout_ms, struct pcscf_xfrm_nl **out);

/*
 * Wraps an already open datagram socket fd (e.g. one end of a
 * socketpair(AF_UNIX, SOCK_DGRAM) served by a test peer). Ownership of fd
 * passes to the handle on success only (pcscf_xfrm_nl_close() closes it).
 * Returns 0, -EINVAL (fd < 0, timeout_ms <= 0) or -ENOMEM.
 */
int pcscf_xfrm_nl_adopt(int fd, int timeout_ms, struct pcscf_xfrm_nl **out);

/* Closes the socket and frees the handle. Safe on NULL. */
void pcscf_xfrm_nl_close(struct pcscf_xfrm_nl *nl);

/* Returns the next sequence number to put into a request (never 0). */
uint32_t pcscf_xfrm_nl_next_seq(struct pcscf_xfrm_nl *nl);

/*
 * Sends the len-byte netlink message msg (its nlmsg_seq must be seq and it
 * must ask for an ack) and waits for the NLMSG_ERROR answer of seq. Answers
 * to other sequence numbers (late acks of a request that timed out), other
 * message types and messages that do not come from the kernel are skipped.
 * Returns 0 when the kernel acked, its negative errno when it refused
 * (-EEXIST, -ENOENT, -EPROTONOSUPPORT, -EPERM, ...), -ETIMEDOUT when no
 * answer came in time, -EPROTO on a malformed answer, -EINVAL on bad
 * arguments, or the negative errno of send()/recv().
 */
int pcscf_xfrm_nl_transact(struct pcscf_xfrm_nl *nl, const void *msg, size_t len, uint32_t seq);

#endif
