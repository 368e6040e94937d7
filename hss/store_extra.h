/*
 * store_extra: what the HSS daemon keeps beside the subscriber store of
 * store.h: the Diameter identity (Origin-Host, Origin-Realm) of each S-CSCF,
 * keyed by its SIP Server-Name, learnt from its MARs and SARs. The HSS needs
 * it to address RTR and PPR (Destination-Host) to the S-CSCF a user is
 * assigned to. Same database, same conventions as store.h (0 or a negative
 * errno; each write committed before return).
 */
#ifndef IMSCORE_HSS_STORE_EXTRA_H
#define IMSCORE_HSS_STORE_EXTRA_H

#include "store.h"

/*
 * Creates the table of this file when missing. Call once at start, on one
 * connection, before other threads use the functions below.
 * Returns 0 or -EIO.
 */
int store_extra_init(struct store *st);

/*
 * Records that the S-CSCF whose SIP name is server_name is the Diameter node
 * host in realm (both STORE_ID_SIZE bounded). Writes only when this differs
 * from what is stored. Returns 0, -EINVAL, -EBUSY or -EIO.
 */
int store_extra_peer_set(struct store *st, const char *server_name, const char *host,
                         const char *realm);

/*
 * Copies the Diameter identity and realm recorded for server_name into host
 * and realm (STORE_ID_SIZE bytes each). Returns 0, -ENOENT, -EINVAL or -EIO.
 */
int store_extra_peer_get(struct store *st, const char *server_name, char *host, char *realm);

#endif
