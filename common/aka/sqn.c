/*
 * SQN arithmetic and the UE freshness check, TS 33.102 Annex C:
 * SQN (48 bits) = SEQ || IND, IND being the ind_bits least significant bits.
 * The HSS increments SEQ per vector; the USIM keeps the highest SEQ accepted
 * per IND slot.
 */
#include "aka/aka.h"

#include <string.h>

void aka_sqn_pack(uint64_t sqn, uint8_t out[6])
{
    for (int i = 5; i >= 0; i--) {
        out[i] = (uint8_t)(sqn & 0xff);
        sqn >>= 8;
    }
}

uint64_t aka_sqn_unpack(const uint8_t in[6])
{
    uint64_t v = 0;

    for (int i = 0; i < 6; i++)
        v = (v << 8) | in[i];
    return v;
}

uint64_t aka_sqn_seq(uint64_t sqn, unsigned ind_bits)
{
    if (ind_bits > AKA_IND_BITS_MAX)
        return 0;
    return (sqn & AKA_SQN_MAX) >> ind_bits;
}

unsigned aka_sqn_ind(uint64_t sqn, unsigned ind_bits)
{
    if (ind_bits > AKA_IND_BITS_MAX)
        return 0;
    return (unsigned)(sqn & ((UINT64_C(1) << ind_bits) - 1));
}

/* next = (seq + 1) || ind, or -ERANGE when SEQ is exhausted. */
static int sqn_compose_next(uint64_t seq, unsigned ind, unsigned ind_bits, uint64_t *next)
{
    uint64_t seq_max = AKA_SQN_MAX >> ind_bits;

    if (seq >= seq_max)
        return -ERANGE;
    *next = ((seq + 1) << ind_bits) | ind;
    return 0;
}

int aka_sqn_next(uint64_t sqn, unsigned ind_bits, uint64_t *next)
{
    if (!next || sqn > AKA_SQN_MAX || ind_bits > AKA_IND_BITS_MAX)
        return -EINVAL;
    return sqn_compose_next(aka_sqn_seq(sqn, ind_bits), aka_sqn_ind(sqn, ind_bits), ind_bits, next);
}

int aka_sqn_resync(uint64_t sqn_ms, uint64_t sqn_he, unsigned ind_bits, uint64_t *next)
{
    if (!next || sqn_ms > AKA_SQN_MAX || sqn_he > AKA_SQN_MAX || ind_bits > AKA_IND_BITS_MAX)
        return -EINVAL;
    return sqn_compose_next(aka_sqn_seq(sqn_ms, ind_bits), aka_sqn_ind(sqn_he, ind_bits), ind_bits,
                            next);
}

int aka_sqn_ms_init(struct aka_sqn_ms *ms, unsigned ind_bits, uint64_t delta, uint64_t age_limit)
{
    if (!ms || ind_bits > AKA_IND_BITS_MAX)
        return -EINVAL;
    memset(ms, 0, sizeof(*ms));
    ms->ind_bits = ind_bits;
    ms->delta = delta;
    ms->age_limit = age_limit;
    return 0;
}

/* Highest SEQ over all slots, and its slot. */
static uint64_t sqn_ms_max(const struct aka_sqn_ms *ms, unsigned *slot)
{
    unsigned slots = 1u << ms->ind_bits;
    uint64_t best = 0;

    *slot = 0;
    for (unsigned i = 0; i < slots; i++) {
        if (ms->seq[i] > best) {
            best = ms->seq[i];
            *slot = i;
        }
    }
    return best;
}

int aka_sqn_ms_check(const struct aka_sqn_ms *ms, uint64_t sqn)
{
    uint64_t seq, seq_ms;
    unsigned ind, slot;

    if (!ms || ms->ind_bits > AKA_IND_BITS_MAX || sqn > AKA_SQN_MAX)
        return -EINVAL;
    seq = aka_sqn_seq(sqn, ms->ind_bits);
    ind = aka_sqn_ind(sqn, ms->ind_bits);
    seq_ms = sqn_ms_max(ms, &slot);

    if (seq <= ms->seq[ind])
        return AKA_ESYNC; /* C.2.1: replayed or older than this slot */
    if (ms->delta != 0 && seq > seq_ms && seq - seq_ms > ms->delta)
        return AKA_ESYNC; /* C.2.2: too far ahead, wrap-around protection */
    if (ms->age_limit != 0 && seq < seq_ms && seq_ms - seq >= ms->age_limit)
        return AKA_ESYNC; /* C.2.3: too old */
    return 0;
}

int aka_sqn_ms_accept(struct aka_sqn_ms *ms, uint64_t sqn)
{
    int rc = aka_sqn_ms_check(ms, sqn);

    if (rc < 0)
        return rc;
    ms->seq[aka_sqn_ind(sqn, ms->ind_bits)] = aka_sqn_seq(sqn, ms->ind_bits);
    return 0;
}

uint64_t aka_sqn_ms_highest(const struct aka_sqn_ms *ms)
{
    unsigned slot;
    uint64_t seq;

    if (!ms || ms->ind_bits > AKA_IND_BITS_MAX)
        return 0;
    seq = sqn_ms_max(ms, &slot);
    if (seq == 0)
        return 0;
    return (seq << ms->ind_bits) | slot;
}
