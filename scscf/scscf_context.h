/*
 * scscf_context: the S-CSCF's configuration and run-time handles, reached
 * through scscf_self().
 *
 * The configuration part is filled once by scscf_context_load() before the
 * loop runs and is read-only afterwards. The handles (loop, SIP stack, store)
 * are set by main.c and used only on the loop thread.
 */
#ifndef IMSCORE_SCSCF_CONTEXT_H
#define IMSCORE_SCSCF_CONTEXT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/cfg.h"
#include "sqldb/sqldb.h"

#define SCSCF_MAX_ALIASES 16

/* Re-registration challenge policy (auth.reregister_challenge). */
enum scscf_rereg_policy {
    SCSCF_REREG_IF_NOT_PROTECTED = 0, /* integrity-protected re-REGISTER needs no challenge */
    SCSCF_REREG_ALWAYS = 1,           /* every REGISTER is challenged */
};

struct scscf_context {
    struct cfg *cfg; /* owned; strings below point into it */
    char state_dir[PATH_MAX];
    char run_dir[PATH_MAX]; /* state_dir/run/scscf: generated freeDiameter files */
    char store_path[PATH_MAX];
    char fd_conf[PATH_MAX];

    const char *server_name; /* our SIP URI: MAR/SAR Server-Name, Service-Route, From of NOTIFY */
    const char *home_domain; /* realm of the Digest challenge */
    const char *identity;    /* Diameter identity */
    const char *realm;       /* Diameter realm */
    const char *hss_identity;
    const char *hss_realm;

    const char *sip_listen;
    const char *sip_advertise;
    int sip_port;
    const char *aliases[SCSCF_MAX_ALIASES];
    size_t n_aliases;

    uint32_t min_expires, max_expires, default_expires;
    unsigned auth_vectors;
    unsigned challenge_timeout_s;
    enum scscf_rereg_policy rereg_policy;
    bool qop_auth_int; /* offer qop="auth,auth-int" (else "auth") */
    unsigned cx_timeout_ms;
    uint32_t sub_min_expires, sub_max_expires, sub_default_expires;
    unsigned third_party_expires_extra;

    struct loop *loop;
    struct sipstack *sip;
    enum sqldb_sync store_sync; /* store.synchronous */
};

/* The configuration schema of scscf.conf (ended by {NULL}). */
extern const struct cfg_spec scscf_schema[];

/* The daemon's context (zeroed until scscf_context_load()). */
struct scscf_context *scscf_self(void);

/*
 * Fills scscf_self() from *cfg, taking ownership of it (*cfg set NULL; it is
 * freed by scscf_context_free() even on failure). The state directory is
 * state_dir when not NULL, else $IMS_STATE_DIR, else the state_dir setting;
 * relative paths in the configuration resolve against it. Creates the state
 * and run directories when create_dirs. Returns 0 or a negative errno (logged).
 */
int scscf_context_load(struct cfg **cfg, const char *state_dir, bool create_dirs);

/* Frees what scscf_context_load() holds. Safe to call twice. */
void scscf_context_free(void);

/* Wall-clock seconds (registrations expire in wall time, which survives restarts). */
int64_t scscf_now(void);

#endif
