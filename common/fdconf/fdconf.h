/*
 * fdconf: renders a freeDiameter 1.2.1 configuration file (and the acl_wl
 * file it loads) from a daemon's own settings, so that an operator edits ONE
 * libconfig file per daemon and the freeDiameter file is generated into the
 * daemon's runtime directory at every start.
 *
 * What is written (fdconf_write):
 *
 *   <dir>/<name>.fd.conf       Identity, Realm, Port, SecPort, No_SCTP,
 *                              ListenOn, AppServThreads, NoRelay, TLS or
 *                              SecPort = 0, LoadExtension lines (absolute
 *                              paths), ConnectPeer lines;
 *   <dir>/<name>.acl_wl.conf   one "ALLOW_OLD_TLS"/"ALLOW_IPSEC" line per
 *                              allowed peer pattern (only when there is one).
 *
 * Without TLS, SecPort is 0 (freeDiameter refuses a config without TLS_Cred
 * otherwise), peers are No_TLS and the acl_wl lines are ALLOW_IPSEC, which is
 * what lets a peer connect over plain TCP. With TLS, TLS_Cred and TLS_CA are
 * written, peers negotiate TLS in CER/CEA, and acl_wl lines are ALLOW_OLD_TLS
 * (peers may also use the TLS port SecPort).
 *
 * freeDiameter resolves a relative extension *configuration* path against
 * /etc/freeDiameter, so every path written here is made absolute.
 */
#ifndef IMSCORE_FDCONF_H
#define IMSCORE_FDCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Directory of the freeDiameter extensions of the Debian package. */
#define FDCONF_EXT_DIR "/usr/lib/freeDiameter"

/* A peer to connect to (ConnectPeer). Strings are borrowed. */
struct fdconf_peer {
    const char *identity; /* Diameter identity of the peer */
    const char *address;  /* IP address (ConnectTo) */
    uint16_t port;        /* 0: the default 3868 */
};

/* TLS credentials (PEM files). Strings are borrowed. */
struct fdconf_tls {
    const char *cert;  /* certificate (chain) */
    const char *key;   /* private key */
    const char *ca;    /* CA bundle peers are verified against */
    uint16_t sec_port; /* TLS-from-the-start port; 0: Port + 1 */
};

/* The settings of one Diameter node. Everything is borrowed for the call. */
struct fdconf {
    const char *identity;       /* required: our Diameter identity (FQDN) */
    const char *realm;          /* required */
    const char *listen_address; /* NULL: all addresses */
    uint16_t port;              /* 0: 3868 */
    const char *const *allow;   /* acl_wl patterns, e.g. "*.ims.example.org" */
    size_t n_allow;
    const struct fdconf_peer *peers;
    size_t n_peers;
    const struct fdconf_tls *tls; /* NULL: plain TCP only */
    bool load_3gpp_dicts;         /* dict_nasreq, dict_dcca, dict_dcca_3gpp */
    unsigned app_threads;         /* AppServThreads; 0: freeDiameter's default (4) */
    unsigned tc_timer;            /* TcTimer (reconnect interval, s); 0: default (30) */
};

/*
 * Writes the freeDiameter configuration for c to fp. acl_path is the
 * absolute path of the acl_wl file to load (NULL: no acl_wl extension).
 * Returns 0, -EINVAL (a required field missing, a string with a quote or a
 * control character, a relative path) or -EIO.
 */
int fdconf_render(const struct fdconf *c, const char *acl_path, FILE *fp);

/*
 * Writes the acl_wl file for c->allow to fp. Returns 0, -EINVAL or -EIO.
 */
int fdconf_render_acl(const struct fdconf *c, FILE *fp);

/*
 * Renders both files into dir (created with mode 0700 when missing; made
 * absolute with realpath) as <name>.fd.conf and <name>.acl_wl.conf, each
 * written to a temporary file and renamed into place. On success the absolute
 * path of the freeDiameter file is copied to conf_path (conf_len bytes).
 * Returns 0, -EINVAL, -ENAMETOOLONG, or a negative errno from the file system.
 */
int fdconf_write(const struct fdconf *c, const char *dir, const char *name, char *conf_path,
                 size_t conf_len);

#endif
