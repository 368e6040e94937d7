/* ipsec_pool: SPI and protected-port slots of the P-CSCF (see ipsec_pool.h). */
#include "ipsec_pool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define POOL_MAX_SLOTS 65536u

struct pcscf_pool {
    uint32_t spi_min;
    uint16_t port_min;
    uint32_t n_slots;
    uint32_t next; /* where the next search starts */
    size_t in_use;
    uint8_t *used; /* one byte per slot */
};

int pcscf_pool_new(uint32_t spi_min, uint32_t spi_max, uint16_t port_min, uint16_t port_max,
                   struct pcscf_pool **out)
{
    struct pcscf_pool *p = NULL;
    uint64_t spi_pairs, port_pairs, n;

    if (!out || spi_min < 256 || spi_max < spi_min || port_min == 0 || port_max < port_min)
        return -EINVAL;
    spi_pairs = ((uint64_t)spi_max - spi_min + 1) / 2;
    port_pairs = ((uint64_t)port_max - port_min + 1) / 2;
    n = spi_pairs < port_pairs ? spi_pairs : port_pairs;
    if (n > POOL_MAX_SLOTS)
        n = POOL_MAX_SLOTS;
    if (n == 0)
        return -EINVAL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->used = calloc(n, 1);
    if (!p->used) {
        free(p);
        return -ENOMEM;
    }
    p->spi_min = spi_min;
    p->port_min = port_min;
    p->n_slots = (uint32_t)n;
    *out = p;
    return 0;
}

void pcscf_pool_free(struct pcscf_pool *pool)
{
    if (!pool)
        return;
    free(pool->used);
    free(pool);
}

int pcscf_pool_alloc(struct pcscf_pool *pool, struct pcscf_pool_entry *out)
{
    uint32_t i, idx;

    if (!pool || !out)
        return -EINVAL;
    for (i = 0; i < pool->n_slots; i++) {
        idx = (pool->next + i) % pool->n_slots;
        if (pool->used[idx])
            continue;
        pool->used[idx] = 1;
        pool->in_use++;
        pool->next = (idx + 1) % pool->n_slots;
        out->idx = idx;
        out->spi_c = pool->spi_min + 2 * idx;
        out->spi_s = pool->spi_min + 2 * idx + 1;
        out->port_c = (uint16_t)(pool->port_min + 2 * idx);
        out->port_s = (uint16_t)(pool->port_min + 2 * idx + 1);
        return 0;
    }
    return -ENOSPC;
}

int pcscf_pool_release(struct pcscf_pool *pool, const struct pcscf_pool_entry *e)
{
    if (!pool || !e || e->idx >= pool->n_slots || e->spi_c != pool->spi_min + 2 * e->idx ||
        e->port_c != (uint16_t)(pool->port_min + 2 * e->idx))
        return -EINVAL;
    if (!pool->used[e->idx])
        return -ENOENT;
    pool->used[e->idx] = 0;
    pool->in_use--;
    return 0;
}

size_t pcscf_pool_in_use(const struct pcscf_pool *pool)
{
    return pool ? pool->in_use : 0;
}

size_t pcscf_pool_size(const struct pcscf_pool *pool)
{
    return pool ? pool->n_slots : 0;
}
