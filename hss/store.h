/*
 * store: the HSS subscriber store (SQLite in WAL mode, the embedded default).
 *
 * This header is the whole storage interface. Only hss/store*.c know SQL, so a
 * PostgreSQL backend can implement the same functions later.
 *
 * Data model
 *  - IMPI (private identity): K, OPc (OP is never stored: provisioning derives
 *    OPc with aka_opc), AMF, SQN (48 bits, SEQ || IND per TS 33.102 Annex C),
 *    the allowed authentication schemes, a SIP Digest password and/or HA1.
 *  - IMPU (public identity, sip:/sips:/tel: URI): owned by exactly one IMPI
 *    (TS 23.228 allows an IMPU shared by several IMPIs; this store keeps one
 *    owner for now), barring flag, implicit registration set id (IMPUs with the
 *    same id register and deregister together), service profile (iFC XML),
 *    assigned S-CSCF name and registration state.
 *  - Roaming: the visited networks an IMPI may register from; the home network
 *    is always allowed.
 *
 * Concurrency: a struct store is ONE SQLite connection. Each thread that uses
 * the store (every freeDiameter handler thread of the HSS, imsctl) opens its own
 * with store_open() on the same path; a handle must not be used by two threads
 * at the same time. Connections coordinate through SQLite locks (WAL mode,
 * busy_timeout), and every write is one BEGIN IMMEDIATE transaction committed
 * with synchronous=FULL before the function returns: when a store_ function
 * that changes state returns 0, the change survives a kill -9 or a power loss.
 *
 * Return convention: 0 on success or a negative errno-style code:
 *   -EINVAL          bad argument or value (bad URI, wrong key length, ...)
 *   -ENOENT          unknown IMPI / IMPU / profile
 *   STORE_EDUP       (-EEXIST) the IMPI (or the IMPU, for the same IMPI) exists
 *   STORE_EOWNED     (-EADDRINUSE) the IMPU belongs to another IMPI
 *   STORE_EMISMATCH  (-ENXIO) IMPI and IMPU both exist but are not associated
 *   STORE_EASSIGNED  (-EALREADY) another S-CSCF is already assigned
 *   STORE_EROAMING   (-EACCES) roaming not allowed from that visited network
 *   STORE_ENOKEY     (-ENOKEY) the IMPI has no AKA keys
 *   -ERANGE          the SQN space of the IMPI is used up
 *   -EBUSY           the database stayed locked longer than the busy timeout
 *   -ENOMEM, -EIO    out of memory, SQLite or file system error
 * After a failure store_errmsg() gives a one-line human-readable reason.
 */
#ifndef IMSCORE_HSS_STORE_H
#define IMSCORE_HSS_STORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_EDUP      (-EEXIST)
#define STORE_EOWNED    (-EADDRINUSE)
#define STORE_EMISMATCH (-ENXIO)
#define STORE_EASSIGNED (-EALREADY)
#define STORE_EROAMING  (-EACCES)
#define STORE_ENOKEY    (-ENOKEY)

/* Sizes of the fixed buffers below, NUL included. Longer values are refused. */
#define STORE_ID_SIZE       256 /* IMPI, IMPU, S-CSCF name, network name */
#define STORE_PASSWORD_SIZE 256
#define STORE_HA1_SIZE      33 /* 32 lowercase hex + NUL */

#define STORE_K_LEN   16
#define STORE_OPC_LEN 16
#define STORE_AMF_LEN 2
#define STORE_SQN_MAX ((UINT64_C(1) << 48) - 1)

/* Largest number of vectors store_sqn_next_batch() reserves at once. */
#define STORE_SQN_BATCH_MAX 64

/* Default AMF when none is provisioned (separation bit set, TS 33.102 Annex H). */
#define STORE_AMF_DEFAULT 0x8000

/* Authentication schemes (bit mask). */
#define STORE_SCHEME_AKAV1_MD5  0x1u /* Digest-AKAv1-MD5: needs K and OPc */
#define STORE_SCHEME_DIGEST_MD5 0x2u /* SIP Digest MD5: needs a password or HA1 */
#define STORE_SCHEME_ALL        (STORE_SCHEME_AKAV1_MD5 | STORE_SCHEME_DIGEST_MD5)

enum store_reg_state {
    STORE_NOT_REGISTERED = 0,
    STORE_REGISTERED = 1,
    STORE_UNREGISTERED = 2, /* unregistered, but an S-CSCF holds the profile */
};

struct store;

/* Keys for vector generation (copied out; wipe after use). */
struct store_auth {
    uint8_t k[STORE_K_LEN];
    uint8_t opc[STORE_OPC_LEN];
    uint8_t amf[STORE_AMF_LEN];
};

/* A private identity as stored. */
struct store_impi {
    char name[STORE_ID_SIZE];
    bool has_keys; /* false for a Digest-only subscriber: k and opc are zero */
    uint8_t k[STORE_K_LEN];
    uint8_t opc[STORE_OPC_LEN];
    bool opc_from_op; /* OPc was derived from an OP at provisioning */
    uint8_t amf[STORE_AMF_LEN];
    uint64_t sqn;                       /* SQN of the last vector handed out (SQN_HE) */
    unsigned schemes;                   /* STORE_SCHEME_* bits */
    char password[STORE_PASSWORD_SIZE]; /* "" when none */
    char ha1[STORE_HA1_SIZE];           /* "" when none */
    int64_t created, updated;           /* Unix times, seconds */
};

/* A public identity as stored. */
struct store_impu {
    char uri[STORE_ID_SIZE];
    char impi[STORE_ID_SIZE]; /* owner */
    bool barred;
    int64_t irs_id;            /* implicit registration set */
    int64_t profile_id;        /* service profile, 0 when none */
    char scscf[STORE_ID_SIZE]; /* assigned S-CSCF, "" when none */
    enum store_reg_state state;
};

/* ------------------------------------------------------------------------- */
/* Opening                                                                    */
/* ------------------------------------------------------------------------- */

/*
 * Opens (creating when absent, with mode 0600) the database at path as a new
 * connection for the calling thread. Sets journal_mode=WAL, synchronous=FULL,
 * foreign_keys=ON and a busy timeout, and creates or checks the schema
 * (PRAGMA user_version; a database of a newer schema version is refused).
 * On success *out is a new handle the caller closes with store_close().
 * On failure *out is NULL and, when errbuf is not NULL, the reason is written
 * there (errlen bytes). Returns 0, -EINVAL, -EPROTO (not a store or a newer
 * schema), -EACCES, -ENOMEM or -EIO.
 */
int store_open(const char *path, struct store **out, char *errbuf, size_t errlen);

/* Closes the connection and frees the handle. NULL is safe. */
void store_close(struct store *st);

/* The reason for the last failure on st ("" when none). Owned by st. */
const char *store_errmsg(const struct store *st);

/* Name of a registration state ("NOT_REGISTERED", ...). */
const char *store_reg_state_name(enum store_reg_state state);

/*
 * Parses "aka", "digest" or "both" into STORE_SCHEME_* bits.
 * Returns 0 or -EINVAL.
 */
int store_scheme_parse(const char *s, unsigned *schemes);

/* "aka", "digest", "both" or "none" for a scheme mask. */
const char *store_scheme_name(unsigned schemes);

/* ------------------------------------------------------------------------- */
/* SQN (TS 33.102 Annex C)                                                    */
/* ------------------------------------------------------------------------- */

/*
 * Reserves the SQN for one new vector of impi: in one BEGIN IMMEDIATE
 * transaction reads SQN_HE, computes next = aka_sqn_next(SQN_HE, ind_bits)
 * (SEQ + 1, IND kept), stores it and commits. Only then are *sqn_out and, when
 * out is not NULL, the keys written. A value returned is never returned again,
 * even across crashes. Returns 0, -ENOENT, STORE_ENOKEY, -ERANGE (SQN space
 * exhausted), -EINVAL, -EBUSY or -EIO.
 */
int store_sqn_next(struct store *st, const char *impi, unsigned ind_bits, uint64_t *sqn_out,
                   struct store_auth *out);

/*
 * As store_sqn_next() for n vectors (1..STORE_SQN_BATCH_MAX) in one
 * transaction: sqns[0..n) receive n strictly increasing SQNs.
 */
int store_sqn_next_batch(struct store *st, const char *impi, unsigned ind_bits, size_t n,
                         uint64_t *sqns, struct store_auth *out);

/*
 * Resynchronisation (TS 33.102 §6.3.5): the caller has verified MAC-S of AUTS
 * (aka_auts_verify) and passes the SQN_MS it recovered. Sets SQN_HE so that the
 * next store_sqn_next() returns an SQN fresh for the USIM: SEQ_MS + 1 with the
 * IND of the current SQN_HE (aka_sqn_resync). SQN_HE never moves backwards:
 * when it is already beyond that point it is kept. Committed before return.
 * Returns 0, -ENOENT, -EINVAL, -ERANGE, -EBUSY or -EIO.
 */
int store_sqn_resync(struct store *st, const char *impi, unsigned ind_bits, uint64_t sqn_ms);

/* ------------------------------------------------------------------------- */
/* Look-ups                                                                   */
/* ------------------------------------------------------------------------- */

/* Copies the IMPI into *out. Returns 0, -ENOENT, -EINVAL or -EIO. */
int store_impi_get(struct store *st, const char *impi, struct store_impi *out);

/* Copies the IMPU into *out. Returns 0, -ENOENT, -EINVAL or -EIO. */
int store_impu_get(struct store *st, const char *uri, struct store_impu *out);

/*
 * The IMPUs of impi, ordered by URI. *list is a malloc'ed array of *n entries
 * the caller frees with free() (NULL when *n is 0).
 * Returns 0, -ENOENT (unknown IMPI), -EINVAL, -ENOMEM or -EIO.
 */
int store_impi_impus(struct store *st, const char *impi, struct store_impu **list, size_t *n);

/*
 * The implicit registration set of the IMPU uri (uri included), ordered by URI.
 * Ownership as store_impi_impus(). Returns 0, -ENOENT, -EINVAL, -ENOMEM, -EIO.
 */
int store_irs_impus(struct store *st, const char *uri, struct store_impu **list, size_t *n);

/*
 * Checks that impu belongs to impi (UAR/MAR/SAR). Returns 0 when it does,
 * -ENOENT when either is unknown (store_errmsg says which), STORE_EMISMATCH
 * when both exist but are not associated, -EINVAL or -EIO.
 */
int store_impi_impu_check(struct store *st, const char *impi, const char *impu);

/*
 * May impi register from visited_network? The home network (home, may be NULL)
 * is always allowed; others when provisioned. Names compare case-insensitively.
 * Returns 0 (allowed), STORE_EROAMING, -ENOENT (unknown IMPI), -EINVAL or -EIO.
 */
int store_roaming_check(struct store *st, const char *impi, const char *visited_network,
                        const char *home);

/*
 * The visited networks provisioned for impi, sorted. *nets is a NULL-terminated
 * malloc'ed array of *n strings; free it with store_strv_free().
 * Returns 0, -ENOENT, -EINVAL, -ENOMEM or -EIO.
 */
int store_roaming_list(struct store *st, const char *impi, char ***nets, size_t *n);

/*
 * The iFC XML of service profile profile_id: a sequence of
 * <InitialFilterCriteria> elements (no root). *xml is a malloc'ed string the
 * caller frees ("" when the profile has no iFC). Returns 0, -ENOENT, -ENOMEM, -EIO.
 */
int store_profile_get_ifc(struct store *st, int64_t profile_id, char **xml);

/* Replaces the iFC XML of profile_id. Returns 0, -ENOENT, -EINVAL or -EIO. */
int store_profile_set_ifc(struct store *st, int64_t profile_id, const char *xml);

/*
 * The IMPIs owning at least one IMPU assigned to scscf, sorted. Ownership as
 * store_roaming_list(). Returns 0, -EINVAL, -ENOMEM or -EIO.
 */
int store_scscf_impis(struct store *st, const char *scscf, char ***impis, size_t *n);

/*
 * Every IMPI name, sorted. Ownership as store_roaming_list().
 * Returns 0, -ENOMEM or -EIO.
 */
int store_impi_list(struct store *st, char ***impis, size_t *n);

/* Frees a NULL-terminated string array from this module. NULL is safe. */
void store_strv_free(char **v);

/* ------------------------------------------------------------------------- */
/* S-CSCF assignment and registration state (one transaction each)           */
/* ------------------------------------------------------------------------- */

/*
 * Assigns scscf to every IMPU of the implicit registration set of uri; NULL or
 * "" clears the assignment. The registration state is not changed.
 * Returns 0, -ENOENT, -EINVAL, -EBUSY or -EIO.
 */
int store_scscf_set(struct store *st, const char *uri, const char *scscf);

/*
 * MAR: assigns scscf to the implicit set of uri only when no S-CSCF is
 * assigned. Returns 0 when scscf is (now or already) the assigned one,
 * STORE_EASSIGNED when another is (its name is then copied to current, a
 * STORE_ID_SIZE buffer, when not NULL), -ENOENT, -EINVAL, -EBUSY or -EIO.
 */
int store_scscf_claim(struct store *st, const char *uri, const char *scscf, char *current);

/*
 * SAR: sets the registration state and the S-CSCF (NULL or "" clears it) of
 * every IMPU of the implicit registration set of uri, atomically.
 * Returns 0, -ENOENT, -EINVAL, -EBUSY or -EIO.
 */
int store_irs_set_state(struct store *st, const char *uri, enum store_reg_state state,
                        const char *scscf);

/* ------------------------------------------------------------------------- */
/* Provisioning (imsctl). Each call is one transaction: all or nothing.      */
/* ------------------------------------------------------------------------- */

struct store_new_impu {
    const char *uri;
    bool barred;
};

/* A subscriber to add. Pointers are borrowed for the duration of the call. */
struct store_subscriber {
    const char *impi;
    const struct store_new_impu *impus; /* at least one; they form one implicit set */
    size_t n_impus;
    bool has_keys; /* required when schemes has STORE_SCHEME_AKAV1_MD5 */
    uint8_t k[STORE_K_LEN];
    uint8_t opc[STORE_OPC_LEN];
    bool opc_from_op;
    uint8_t amf[STORE_AMF_LEN];
    uint64_t sqn;
    unsigned schemes;           /* STORE_SCHEME_* bits, not 0 */
    const char *password;       /* NULL or "": none */
    const char *ha1;            /* NULL or "": none; else 32 hex digits */
    const char *ifc_xml;        /* NULL: no service profile */
    const char *const *roaming; /* visited networks allowed */
    size_t n_roaming;
};

/*
 * Adds one subscriber: the IMPI, its IMPUs (one new implicit registration set),
 * a service profile named after the IMPI when ifc_xml is set, and the roaming
 * list. Returns 0, STORE_EDUP (IMPI exists), STORE_EOWNED (an IMPU belongs to
 * another IMPI), -EINVAL (with the reason in store_errmsg), -EBUSY or -EIO.
 * On failure nothing is changed.
 */
int store_subscriber_add(struct store *st, const struct store_subscriber *sub);

/*
 * Bulk provisioning: adds subs[0..n) in ONE transaction with prepared
 * statements. On failure nothing is added, *failed (when not NULL) is the
 * index of the subscriber that failed, and the return is as
 * store_subscriber_add().
 */
int store_subscriber_add_many(struct store *st, const struct store_subscriber *subs, size_t n,
                              size_t *failed);

/*
 * Deletes the IMPI, its IMPUs, its roaming list and its service profile when
 * no other IMPU uses it. Returns 0, -ENOENT, -EINVAL, -EBUSY or -EIO.
 */
int store_subscriber_del(struct store *st, const char *impi);

/* Changes to an existing subscriber; NULL / false / 0 members change nothing. */
struct store_update {
    const uint8_t *k; /* STORE_K_LEN octets */
    const uint8_t *opc;
    bool opc_from_op;
    const uint8_t *amf;
    bool set_sqn;
    uint64_t sqn;
    unsigned schemes;                       /* 0: unchanged */
    const char *password;                   /* "" removes it */
    const char *ha1;                        /* "" removes it */
    const char *ifc_xml;                    /* "" removes the iFCs */
    const struct store_new_impu *add_impus; /* join the IMPI's implicit set */
    size_t n_add_impus;
    const char *const *del_impus;
    size_t n_del_impus;
    const char *const *bar; /* IMPUs of this IMPI to bar */
    size_t n_bar;
    const char *const *unbar;
    size_t n_unbar;
    const char *const *add_roaming;
    size_t n_add_roaming;
    const char *const *del_roaming;
    size_t n_del_roaming;
};

/*
 * Applies *up to impi in one transaction. The result must stay consistent
 * (AKA needs keys, Digest a password or HA1, at least one IMPU) or nothing is
 * changed. Returns 0, -ENOENT, STORE_EDUP, STORE_EOWNED, -EINVAL, -EBUSY, -EIO.
 */
int store_subscriber_update(struct store *st, const char *impi, const struct store_update *up);

#endif
