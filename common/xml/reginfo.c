/*
 * RFC 3680 reginfo: enumeration names and freeing.
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const reginfo_states[] = {"full", "partial"};
static const char *const registration_states[] = {"init", "active", "terminated"};
static const char *const contact_states[] = {"active", "terminated"};
static const char *const contact_events[] = {
    "registered",  "created",   "refreshed",    "shortened", "expired",
    "deactivated", "probation", "unregistered", "rejected",
};

#define NAME_OF(tab, v) ((v) >= 0 && (size_t)(v) < sizeof(tab) / sizeof(tab[0]) ? tab[(v)] : NULL)

const char *xml_reginfo_state_name(int state)
{
    return NAME_OF(reginfo_states, state);
}

const char *xml_registration_state_name(int state)
{
    return NAME_OF(registration_states, state);
}

const char *xml_contact_state_name(int state)
{
    return NAME_OF(contact_states, state);
}

const char *xml_contact_event_name(int event)
{
    return NAME_OF(contact_events, event);
}

/* Index of name in tab, or -1. */
static int lookup(const char *const *tab, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(tab[i], name) == 0)
            return (int)i;
    return -1;
}

#define LOOKUP(tab, name) lookup(tab, sizeof(tab) / sizeof(tab[0]), name)

int xml__reginfo_state_from(const char *name)
{
    return LOOKUP(reginfo_states, name);
}

int xml__registration_state_from(const char *name)
{
    return LOOKUP(registration_states, name);
}

int xml__contact_state_from(const char *name)
{
    return LOOKUP(contact_states, name);
}

int xml__contact_event_from(const char *name)
{
    return LOOKUP(contact_events, name);
}

bool xml__is_qvalue(const char *q)
{
    size_t i, digits = 0;

    if (q[0] != '0' && q[0] != '1')
        return false;
    if (q[1] == '\0')
        return true;
    if (q[1] != '.')
        return false;
    for (i = 2; q[i] != '\0'; i++, digits++) {
        if (digits == 3 || q[i] < '0' || q[i] > '9' || (q[0] == '1' && q[i] != '0'))
            return false;
    }
    return true;
}

static void contact_free(struct xml_reginfo_contact *c)
{
    size_t i;

    free(c->id);
    free(c->q);
    free(c->callid);
    free(c->uri);
    free(c->display_name);
    for (i = 0; i < c->n_params; i++) {
        free(c->params[i].name);
        free(c->params[i].value);
    }
    free(c->params);
}

void xml_reginfo_free(struct xml_reginfo *ri)
{
    size_t i, j;

    if (ri == NULL)
        return;
    for (i = 0; i < ri->n_registrations; i++) {
        struct xml_reginfo_registration *r = &ri->registrations[i];
        for (j = 0; j < r->n_contacts; j++)
            contact_free(&r->contacts[j]);
        free(r->contacts);
        free(r->aor);
        free(r->id);
    }
    free(ri->registrations);
    free(ri);
}
