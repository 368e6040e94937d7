/*
 * xfrm_sa: installs and removes the four ESP SAs of one UE and their four
 * policies (TS 33.203 §7.1) in the kernel, over an xfrm_nl handle, with the
 * messages of xfrm_msg. Install is all or nothing: a refused step takes back
 * what the call had added, in reverse order.
 *
 * Order of the requests (role = enum pcscf_sa_role of xfrm_msg.h):
 *   install: NEWSA IN_S, OUT_C, IN_C, OUT_S, then NEWPOLICY IN_S, OUT_C, IN_C, OUT_S
 *   remove:  DELPOLICY IN_S, OUT_C, IN_C, OUT_S, then DELSA IN_S, OUT_C, IN_C, OUT_S
 * Policies go last on install and first on remove, so that no policy ever
 * requires an SA that is not there (traffic would be dropped, not leaked).
 */
#ifndef PCSCF_XFRM_SA_H
#define PCSCF_XFRM_SA_H

#include "xfrm_msg.h"
#include "xfrm_nl.h"

#include <stddef.h>

/*
 * Installs the SAs and policies described by p. Logs one info line with the
 * UE and P-CSCF addresses, ports and SPIs on success. On failure, removes the
 * objects this call added (in reverse order), writes into why (may be NULL)
 * one sentence naming the SA or policy that failed and the kernel's reason,
 * and returns the negative errno: -EINVAL (bad p: family, SPI < 256, port 0,
 * unknown algorithm), the kernel's refusal (-EEXIST, -EPROTONOSUPPORT, -EPERM,
 * ...), -ETIMEDOUT or -EPROTO. Nothing of p is kept.
 */
int pcscf_xfrm_sa_install(struct pcscf_xfrm_nl *nl, const struct pcscf_xfrm_params *p, char *why,
                          size_t whylen);

/*
 * Removes the four policies, then the four SAs described by p (keys are not
 * needed). Objects already gone (ENOENT, ESRCH) are fine; any other error is
 * logged and the first one is returned after every removal was tried.
 * Logs one info line. Returns 0, -EINVAL (bad p) or that first error.
 */
int pcscf_xfrm_sa_remove(struct pcscf_xfrm_nl *nl, const struct pcscf_xfrm_params *p);

#endif
