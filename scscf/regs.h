/*
 * regs: the S-CSCF's registration records (the "usrloc" of the S-CSCF), in
 * memory, owned by the loop thread. One record per private identity and
 * implicit registration set: its public identities, the user data from the
 * SAA, and the contacts bound to it. The store (reg_store.h) mirrors them.
 *
 * The registration state machine of a record:
 *
 *   NOT_REGISTERED --(SAA REGISTRATION ok)--> REGISTERED
 *   REGISTERED --(SAA RE_REGISTRATION ok)--> REGISTERED
 *   REGISTERED --(last contact removed / expired / RTR / AS failure)--> NOT_REGISTERED
 *
 * A record in NOT_REGISTERED with no contact is freed by regs_gc().
 */
#ifndef IMSCORE_SCSCF_REGS_H
#define IMSCORE_SCSCF_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xml_ims_subscription;

enum scscf_reg_state {
    SCSCF_REG_NOT_REGISTERED = 0,
    SCSCF_REG_REGISTERED = 1,
};

/* Contact-level reginfo state change, recorded for the next NOTIFY. */
enum scscf_contact_event {
    SCSCF_EV_NONE = -1,
    SCSCF_EV_REGISTERED = 0, /* values of enum xml_contact_event */
    SCSCF_EV_CREATED,
    SCSCF_EV_REFRESHED,
    SCSCF_EV_SHORTENED,
    SCSCF_EV_EXPIRED,
    SCSCF_EV_DEACTIVATED,
    SCSCF_EV_PROBATION,
    SCSCF_EV_UNREGISTERED,
    SCSCF_EV_REJECTED,
};

struct scscf_contact {
    char *uri;          /* Contact URI, without <> */
    char *params;       /* header parameters except expires (";+sip.instance=..;..."), or "" */
    int64_t expires_at; /* wall time, seconds */
    char *path;         /* the Path of the REGISTER as "<a>,<b>", or NULL */
    char *call_id;
    uint32_t cseq;
    char *instance; /* +sip.instance value, or NULL */
    uint32_t reg_id;
    char *received; /* "udp:1.2.3.4:5060" the REGISTER came from, or NULL */
    int64_t registered_at;
    bool active;                    /* false once expired/removed, until notified and purged */
    enum scscf_contact_event event; /* last change, for reginfo */
    unsigned id;                    /* reginfo contact id, unique in the record */
};

struct scscf_reg {
    uint64_t id; /* registry id, never reused in a process */
    enum scscf_reg_state state;
    char *impi;
    char **impus; /* implicit registration set; impus[0] is the identity that registered */
    size_t n_impus;
    char **barred; /* subset of impus that is barred */
    size_t n_barred;
    char *user_data; /* IMSSubscription XML from the SAA, or NULL */
    struct xml_ims_subscription *profile;
    struct scscf_contact *contacts;
    size_t n_contacts;
    unsigned next_contact_id;
    bool sar_busy; /* an SAR for this record is in flight */
    struct scscf_reg *next;
};

/* Finds the record serving public identity impu (any of its implicit set), or NULL. */
struct scscf_reg *regs_find_impu(const char *impu);

/* Finds the record of private identity impi holding impu (NULL impu: any), or NULL. */
struct scscf_reg *regs_find(const char *impi, const char *impu);

/*
 * Gives r the id it had before a restart (read from the store); records
 * created later get higher ids, so ids stay unique across restarts.
 */
void regs_set_id(struct scscf_reg *r, uint64_t id);

/* Finds a record by its id, or NULL. */
struct scscf_reg *regs_by_id(uint64_t id);

/* The first record (iterate with ->next). */
struct scscf_reg *regs_first(void);

/*
 * Creates an empty NOT_REGISTERED record for impi with impu as its only
 * identity. The registry owns it. Returns it, or NULL when out of memory.
 */
struct scscf_reg *regs_new(const char *impi, const char *impu);

/*
 * Replaces the user data of r with xml (copied) and its implicit set with the
 * set of impu in it (impu first). Returns 0, -EPROTO (not valid user data, or
 * impu not in it) or -ENOMEM; r is unchanged on error.
 */
int regs_set_user_data(struct scscf_reg *r, const char *xml, const char *impu);

/* True when impu is one of r's public identities (address-of-record comparison). */
bool regs_has_impu(const struct scscf_reg *r, const char *impu);

/* True when impu is barred in r. */
bool regs_is_barred(const struct scscf_reg *r, const char *impu);

/* Finds the active contact of r with this URI (or +sip.instance/reg-id pair), or NULL. */
struct scscf_contact *regs_contact_find(struct scscf_reg *r, const char *uri, const char *instance,
                                        uint32_t reg_id);

/*
 * Adds a contact to r; all strings are copied (NULL allowed for the optional
 * ones). Returns the new contact or NULL when out of memory.
 */
struct scscf_contact *regs_contact_add(struct scscf_reg *r, const struct scscf_contact *tmpl);

/* Number of active contacts of r. */
size_t regs_active_contacts(const struct scscf_reg *r);

/* Removes inactive contacts of r (after they were notified). */
void regs_contact_purge(struct scscf_reg *r);

/* Frees every contact field of c (not c itself). */
void regs_contact_clear(struct scscf_contact *c);

/* Unlinks and frees r. */
void regs_free(struct scscf_reg *r);

/* Frees every record (shutdown). */
void regs_free_all(void);

#endif
