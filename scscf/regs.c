/*
 * regs.c: registration records in memory (a list: lab and small-network scale;
 * the look-ups are the only place to change for a hash table).
 */
#include "regs.h"

#include "log/log.h"
#include "sip/sip.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct scscf_reg *head;
static uint64_t next_id = 1;

struct scscf_reg *regs_first(void)
{
    return head;
}

bool regs_has_impu(const struct scscf_reg *r, const char *impu)
{
    for (size_t i = 0; i < r->n_impus; i++)
        if (strcmp(r->impus[i], impu) == 0 || sip_uri_aor_is_equal(r->impus[i], impu))
            return true;
    return false;
}

bool regs_is_barred(const struct scscf_reg *r, const char *impu)
{
    for (size_t i = 0; i < r->n_barred; i++)
        if (strcmp(r->barred[i], impu) == 0 || sip_uri_aor_is_equal(r->barred[i], impu))
            return true;
    return false;
}

struct scscf_reg *regs_find_impu(const char *impu)
{
    for (struct scscf_reg *r = head; r; r = r->next)
        if (regs_has_impu(r, impu))
            return r;
    return NULL;
}

struct scscf_reg *regs_find(const char *impi, const char *impu)
{
    for (struct scscf_reg *r = head; r; r = r->next)
        if (strcmp(r->impi, impi) == 0 && (!impu || regs_has_impu(r, impu)))
            return r;
    return NULL;
}

void regs_set_id(struct scscf_reg *r, uint64_t id)
{
    r->id = id;
    if (id >= next_id)
        next_id = id + 1;
}

struct scscf_reg *regs_by_id(uint64_t id)
{
    for (struct scscf_reg *r = head; r; r = r->next)
        if (r->id == id)
            return r;
    return NULL;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

struct scscf_reg *regs_new(const char *impi, const char *impu)
{
    struct scscf_reg *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->impi = strdup(impi);
    r->impus = calloc(1, sizeof(char *));
    if (!r->impi || !r->impus || !(r->impus[0] = strdup(impu))) {
        free(r->impi);
        free(r->impus);
        free(r);
        return NULL;
    }
    r->n_impus = 1;
    r->id = next_id++;
    r->next_contact_id = 1;
    r->next = head;
    head = r;
    return r;
}

int regs_set_user_data(struct scscf_reg *r, const char *xml, const char *impu)
{
    struct xml_ims_subscription *sub = NULL;
    const struct xml_public_identity **set = NULL;
    char **impus = NULL, **barred = NULL, *copy = NULL;
    size_t n = 0, nb = 0, k = 1;
    char err[160];
    int rc;

    rc = xml_userdata_parse(xml, strlen(xml), &sub, err, sizeof(err));
    if (rc) {
        log_warn("scscf: user data of %s rejected: %s", r->impi, err);
        return rc == -ENOMEM ? -ENOMEM : -EPROTO;
    }
    rc = xml_userdata_implicit_set(sub, impu, &set, &n);
    if (rc) {
        log_warn("scscf: %s is not in the user data of %s", impu, r->impi);
        rc = rc == -ENOMEM ? -ENOMEM : -EPROTO;
        goto out;
    }
    rc = -ENOMEM;
    impus = calloc(n + 1, sizeof(char *));
    barred = calloc(n + 1, sizeof(char *));
    copy = strdup(xml);
    if (!impus || !barred || !copy || !(impus[0] = strdup(impu)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        bool same = strcmp(set[i]->identity, impu) == 0;
        if (!same) {
            if (!(impus[k] = strdup(set[i]->identity)))
                goto out;
            k++;
        }
        if (set[i]->barring) {
            if (!(barred[nb] = strdup(set[i]->identity)))
                goto out;
            nb++;
        }
    }
    free_strv(r->impus, r->n_impus);
    free_strv(r->barred, r->n_barred);
    free(r->user_data);
    xml_ims_subscription_free(r->profile);
    r->impus = impus;
    r->n_impus = k;
    r->barred = barred;
    r->n_barred = nb;
    r->user_data = copy;
    r->profile = sub;
    impus = barred = NULL;
    copy = NULL;
    sub = NULL;
    rc = 0;
out:
    if (impus)
        free_strv(impus, k);
    if (barred)
        free_strv(barred, nb);
    free(copy);
    free(set);
    xml_ims_subscription_free(sub);
    return rc;
}

struct scscf_contact *regs_contact_find(struct scscf_reg *r, const char *uri, const char *instance,
                                        uint32_t reg_id)
{
    for (size_t i = 0; i < r->n_contacts; i++) {
        struct scscf_contact *c = &r->contacts[i];
        if (!c->active)
            continue;
        if (instance && *instance && c->instance && strcmp(c->instance, instance) == 0 &&
            c->reg_id == reg_id)
            return c;
        if (strcmp(c->uri, uri) == 0 || sip_uri_aor_is_equal(c->uri, uri))
            return c;
    }
    return NULL;
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

struct scscf_contact *regs_contact_add(struct scscf_reg *r, const struct scscf_contact *t)
{
    struct scscf_contact *v = realloc(r->contacts, (r->n_contacts + 1) * sizeof(*v));
    struct scscf_contact *c;

    if (!v)
        return NULL;
    r->contacts = v;
    c = &v[r->n_contacts];
    memset(c, 0, sizeof(*c));
    c->uri = strdup(t->uri);
    c->params = strdup(t->params ? t->params : "");
    c->path = dup_opt(t->path);
    c->call_id = dup_opt(t->call_id);
    c->instance = dup_opt(t->instance);
    c->received = dup_opt(t->received);
    if (!c->uri || !c->params || (t->path && !c->path) || (t->call_id && !c->call_id) ||
        (t->instance && !c->instance) || (t->received && !c->received)) {
        regs_contact_clear(c);
        return NULL;
    }
    c->expires_at = t->expires_at;
    c->cseq = t->cseq;
    c->reg_id = t->reg_id;
    c->registered_at = t->registered_at;
    c->active = true;
    c->event = t->event;
    c->id = t->id ? t->id : r->next_contact_id;
    if (c->id >= r->next_contact_id)
        r->next_contact_id = c->id + 1;
    r->n_contacts++;
    return c;
}

size_t regs_active_contacts(const struct scscf_reg *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_contacts; i++)
        n += r->contacts[i].active;
    return n;
}

void regs_contact_clear(struct scscf_contact *c)
{
    free(c->uri);
    free(c->params);
    free(c->path);
    free(c->call_id);
    free(c->instance);
    free(c->received);
    memset(c, 0, sizeof(*c));
}

void regs_contact_purge(struct scscf_reg *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_contacts; i++) {
        if (r->contacts[i].active) {
            r->contacts[i].event = SCSCF_EV_NONE;
            r->contacts[k++] = r->contacts[i];
        } else {
            regs_contact_clear(&r->contacts[i]);
        }
    }
    r->n_contacts = k;
}

void regs_free(struct scscf_reg *r)
{
    if (!r)
        return;
    for (struct scscf_reg **p = &head; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    for (size_t i = 0; i < r->n_contacts; i++)
        regs_contact_clear(&r->contacts[i]);
    free(r->contacts);
    free_strv(r->impus, r->n_impus);
    free_strv(r->barred, r->n_barred);
    free(r->impi);
    free(r->user_data);
    xml_ims_subscription_free(r->profile);
    free(r);
}

void regs_free_all(void)
{
    while (head)
        regs_free(head);
}
