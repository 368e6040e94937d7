/*
 * hss_context: the HSS daemon's configuration and shared state, reached
 * through hss_self(), and the per-thread store connections.
 *
 * The context is filled once by hss_context_load() before any thread starts
 * and is read-only afterwards, so freeDiameter's handler threads read it
 * without locks. Mutable subscriber state lives in the store only.
 */
#ifndef IMSCORE_HSS_CONTEXT_H
#define IMSCORE_HSS_CONTEXT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "store.h"

#define HSS_MAX_SCSCFS 16

/* One S-CSCF of the home network as configured (scscfs list). */
struct hss_scscf {
    const char *name;          /* SIP URI, the Server-Name it sends */
    const char *diameter_host; /* its Diameter identity, or NULL */
    uint32_t mandatory[CX_MAX_CAPS];
    size_t n_mandatory;
    uint32_t optional[CX_MAX_CAPS];
    size_t n_optional;
};

struct hss_context {
    struct cfg *cfg; /* owned; strings below point into it */
    char state_dir[PATH_MAX];
    char run_dir[PATH_MAX]; /* state_dir/run/hss: generated freeDiameter files */
    char store_path[PATH_MAX];
    char fd_conf[PATH_MAX]; /* the generated freeDiameter configuration */
    char ctl_path[PATH_MAX];
    const char *identity; /* our Diameter identity */
    const char *realm;
    const char *home_network;    /* Visited-Network-Identifier of the home network */
    const char *digest_realm;    /* realm of SIP Digest HA1 computed from a password */
    const char *preferred_scscf; /* UAR: Server-Name instead of capabilities; NULL when none */
    unsigned max_vectors;
    unsigned ind_bits;
    bool keep_server_name; /* SAR *_STORE_SERVER_NAME keeps the name */
    bool rtr_on_reassign;  /* MAR from a new S-CSCF: RTR to the old one */
    unsigned rtr_timeout_ms;
    uint32_t user_mandatory[CX_MAX_CAPS]; /* capabilities a user requires by default */
    size_t n_user_mandatory;
    uint32_t user_optional[CX_MAX_CAPS];
    size_t n_user_optional;
    struct hss_scscf scscfs[HSS_MAX_SCSCFS];
    size_t n_scscfs;
    struct loop *loop; /* the daemon's loop (control socket, RTR/PPR) */
};

/* The configuration schema of hss.conf (ended by {NULL}). */
extern const struct cfg_spec hss_schema[];

/* The daemon's context (zeroed until hss_context_load()). */
struct hss_context *hss_self(void);

/*
 * Fills hss_self() from *cfg, taking ownership of it (*cfg set NULL, freed by
 * hss_context_free() even on failure). The state directory is state_dir when
 * not NULL, else $IMS_STATE_DIR, else the state_dir setting; a relative one is
 * taken from the current directory. Relative store and control socket paths
 * are resolved against it. Creates the state and run directories when
 * create_dirs. Returns 0 or a negative errno (the reason is logged).
 */
int hss_context_load(struct cfg **cfg, const char *state_dir, bool create_dirs);

/* Frees what hss_context_load() holds. Safe to call twice. */
void hss_context_free(void);

/*
 * The calling thread's store connection, opened on first use on the
 * configured store path. Returns NULL (logged) when it cannot be opened.
 * The connection belongs to the context: hss_stores_close_all() closes it.
 */
struct store *hss_store(void);

/* Closes every connection hss_store() opened. Call when no thread uses them. */
void hss_stores_close_all(void);

/*
 * Fills caps with the capabilities a user requires (the configured default)
 * and the names of the configured S-CSCFs that offer all mandatory ones.
 * caps owns the names afterwards (cx_X_free_fields frees them).
 * Returns 0 or -ENOMEM.
 */
int hss_caps_fill(struct cx_caps *caps);

/*
 * The Diameter identity and realm to send RTR/PPR to for the S-CSCF whose SIP
 * name is server_name: the Origin-Host it used in its last MAR/SAR, else the
 * configured diameter_host, else the host part of its SIP URI; realm falls
 * back to ours. host and realm are STORE_ID_SIZE buffers. Returns 0 or -ENOENT.
 */
int hss_scscf_destination(struct store *st, const char *server_name, char *host, char *realm);

/*
 * Maps a store look-up failure to an answer: -ENOENT and -EINVAL (an identity
 * that cannot exist) give DIAMETER_ERROR_USER_UNKNOWN, STORE_EMISMATCH
 * DIAMETER_ERROR_IDENTITIES_DONT_MATCH. Returns 0 when r was set, or rc
 * (a real failure the caller returns, answered DIAMETER_UNABLE_TO_COMPLY).
 */
int hss_lookup_result(int rc, struct cx_result *r);

/* A string of the request that may be absent: "" for NULL. */
static inline const char *hss_str(const char *s)
{
    return s ? s : "";
}

#endif
