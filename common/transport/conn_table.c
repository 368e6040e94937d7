/*
 * Open TCP connections, found by id (tp_send() with a flow) and by remote
 * address (connection reuse). Two chained hash tables sharing one bucket
 * count, doubled when the load passes one connection per bucket.
 */
#include "transport_internal.h"

#include <errno.h>
#include <stdlib.h>

#define INITIAL_BUCKETS 64

static size_t id_slot(const struct tp__conn_table *t, uint64_t id)
{
    uint64_t h = id * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (t->nbuckets - 1);
}

static size_t addr_slot(const struct tp__conn_table *t, const struct tp_addr *a)
{
    return (size_t)tp__addr_hash(a) & (t->nbuckets - 1);
}

int tp__conn_table_init(struct tp__conn_table *t)
{
    t->nbuckets = INITIAL_BUCKETS;
    t->count = 0;
    t->by_id = calloc(t->nbuckets, sizeof(*t->by_id));
    t->by_addr = calloc(t->nbuckets, sizeof(*t->by_addr));
    if (!t->by_id || !t->by_addr) {
        tp__conn_table_fini(t);
        return -ENOMEM;
    }
    return 0;
}

void tp__conn_table_fini(struct tp__conn_table *t)
{
    free(t->by_id);
    free(t->by_addr);
    t->by_id = NULL;
    t->by_addr = NULL;
    t->nbuckets = 0;
    t->count = 0;
}

static void insert(struct tp__conn_table *t, struct tp__conn *c)
{
    size_t i = id_slot(t, c->id);
    c->next_id = t->by_id[i];
    t->by_id[i] = c;
    size_t j = addr_slot(t, &c->remote);
    c->next_addr = t->by_addr[j];
    t->by_addr[j] = c;
}

static int grow(struct tp__conn_table *t)
{
    struct tp__conn_table n = {.nbuckets = t->nbuckets * 2, .count = t->count};
    n.by_id = calloc(n.nbuckets, sizeof(*n.by_id));
    n.by_addr = calloc(n.nbuckets, sizeof(*n.by_addr));
    if (!n.by_id || !n.by_addr) {
        tp__conn_table_fini(&n);
        return -ENOMEM;
    }
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct tp__conn *c = t->by_id[i];
        while (c) {
            struct tp__conn *next = c->next_id;
            insert(&n, c);
            c = next;
        }
    }
    tp__conn_table_fini(t);
    *t = n;
    return 0;
}

int tp__conn_table_add(struct tp__conn_table *t, struct tp__conn *c)
{
    if (t->count >= t->nbuckets)
        (void)grow(t); /* on failure the chains just get longer */
    insert(t, c);
    t->count++;
    return 0;
}

void tp__conn_table_remove(struct tp__conn_table *t, struct tp__conn *c)
{
    struct tp__conn **pp = &t->by_id[id_slot(t, c->id)];
    while (*pp && *pp != c)
        pp = &(*pp)->next_id;
    if (!*pp)
        return;
    *pp = c->next_id;
    pp = &t->by_addr[addr_slot(t, &c->remote)];
    while (*pp && *pp != c)
        pp = &(*pp)->next_addr;
    if (*pp)
        *pp = c->next_addr;
    c->next_id = c->next_addr = NULL;
    t->count--;
}

struct tp__conn *tp__conn_table_by_id(const struct tp__conn_table *t, uint64_t id)
{
    for (struct tp__conn *c = t->by_id[id_slot(t, id)]; c; c = c->next_id)
        if (c->id == id)
            return c;
    return NULL;
}

struct tp__conn *tp__conn_table_by_addr(const struct tp__conn_table *t, const struct tp_addr *a)
{
    for (struct tp__conn *c = t->by_addr[addr_slot(t, a)]; c; c = c->next_addr)
        if (tp__conn_is_usable(c) && tp_addr_is_equal(&c->remote, a))
            return c;
    return NULL;
}

struct tp__conn *tp__conn_table_by_addr_from(const struct tp__conn_table *t,
                                             const struct tp_addr *a, uint16_t local_port)
{
    for (struct tp__conn *c = t->by_addr[addr_slot(t, a)]; c; c = c->next_addr)
        if (tp__conn_is_usable(c) && c->local.port == local_port && tp_addr_is_equal(&c->remote, a))
            return c;
    return NULL;
}

struct tp__conn *tp__conn_table_pop(struct tp__conn_table *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        if (t->by_id[i]) {
            struct tp__conn *c = t->by_id[i];
            tp__conn_table_remove(t, c);
            return c;
        }
    }
    return NULL;
}
