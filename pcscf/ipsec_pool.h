/*
 * ipsec_pool: the P-CSCF's own SPIs and protected ports (TS 33.203 §7.1).
 *
 * Every UE that negotiates ipsec-3gpp gets one slot: a pair of SPIs (spi-c,
 * spi-s) the P-CSCF receives on, and a pair of protected ports (port-c,
 * port-s). Slot i holds spi-c = spi_min + 2i, spi-s = spi_min + 2i + 1,
 * port-c = port_min + 2i, port-s = port_min + 2i + 1. Allocation rotates
 * through the slots so that a released slot is not handed out again at once
 * (late packets of an old SA must not hit a new one). Pure: no I/O.
 */
#ifndef PCSCF_IPSEC_POOL_H
#define PCSCF_IPSEC_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pcscf_pool;

/* One allocated slot. idx identifies it for pcscf_pool_release(). */
struct pcscf_pool_entry {
    uint32_t idx;
    uint32_t spi_c, spi_s;
    uint16_t port_c, port_s;
};

/*
 * Creates a pool over SPIs spi_min..spi_max and ports port_min..port_max
 * (inclusive). SPIs 0..255 are reserved (RFC 4303 §2.1) and refused. The
 * number of slots is the smaller of the SPI pairs and port pairs (at most
 * 65536). On success *out is owned by the caller (pcscf_pool_free()).
 * Returns 0, -EINVAL (empty or reversed range, reserved SPI, port 0) or -ENOMEM.
 */
int pcscf_pool_new(uint32_t spi_min, uint32_t spi_max, uint16_t port_min, uint16_t port_max,
                   struct pcscf_pool **out);

/* Frees the pool. Safe on NULL. */
void pcscf_pool_free(struct pcscf_pool *pool);

/*
 * Takes a free slot into *out. Returns 0, or -ENOSPC when every slot is in
 * use (the caller answers the REGISTER without Security-Server, or 503),
 * -EINVAL on NULL arguments.
 */
int pcscf_pool_alloc(struct pcscf_pool *pool, struct pcscf_pool_entry *out);

/*
 * Gives slot e back (deregistration, expiry, failed registration). Returns 0,
 * -EINVAL (e does not belong to this pool) or -ENOENT (already free).
 */
int pcscf_pool_release(struct pcscf_pool *pool, const struct pcscf_pool_entry *e);

/* Number of slots in use, and in total. */
size_t pcscf_pool_in_use(const struct pcscf_pool *pool);
size_t pcscf_pool_size(const struct pcscf_pool *pool);

#endif
