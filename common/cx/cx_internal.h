/*
 * cx internals: dictionary objects, AVP helpers, shared codec pieces.
 * Never included from outside common/cx.
 */
#ifndef IMSCORE_CX_INTERNAL_H
#define IMSCORE_CX_INTERNAL_H

#include "cx/cx.h"

#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdcore.h>
#include <freeDiameter/libfdproto.h>

#define CX__AVP_FIRST 600
#define CX__AVP_LAST  655

/* Dictionary objects resolved once by cx__dict_init(). */
struct cx__dict {
    struct dict_object *vendor, *app;
    struct dict_object *req[6], *ans[6];                      /* index: command code - 300 */
    struct dict_object *cx[CX__AVP_LAST - CX__AVP_FIRST + 1]; /* vendor 10415 by code-600 */
    /* Base protocol (vendor 0) */
    struct dict_object *session_id, *origin_host, *origin_realm, *dest_host, *dest_realm;
    struct dict_object *user_name, *vsai, *vendor_id, *auth_app_id, *auth_session_state;
    struct dict_object *result_code, *exp_result, *exp_result_code, *failed_avp;
    struct dict_object *error_message;
    /* RFC 4590 (vendor 0), inside SIP-Digest-Authenticate */
    struct dict_object *digest_realm, *digest_qop, *digest_algorithm, *digest_ha1;
};

extern struct cx__dict cx__d;

/* Builds or resolves the whole Cx dictionary. Returns 0 or a negative errno. */
int cx__dict_init(void);

/* Model of Cx AVP code (vendor 10415), or NULL if unknown. */
struct dict_object *cx__avp(uint32_t code);

/* Command index 0..5 for code 300..305, or -1. */
int cx__cmd_index(uint32_t code);

/* Basetype of an AVP model (enum dict_avp_basetype), or -1. */
int cx__avp_basetype(struct dict_object *model);

/* --- Reading: all match children by (code, vendor), never by name. --- */

/* First child of parent (msg or grouped avp) with code/vendor, or NULL. */
struct avp *cx__avp_first(void *parent, uint32_t code, uint32_t vendor);
/* Next sibling after avp with code/vendor, or NULL. */
struct avp *cx__avp_next(struct avp *avp, uint32_t code, uint32_t vendor);
/* The value of an AVP, or NULL when not decoded. */
union avp_value *cx__avp_val(struct avp *avp);

/*
 * Copy of the string value of the first code/vendor child into *out (NUL
 * terminated). Returns 0, -ENOENT (absent: *out untouched) or -ENOMEM.
 */
int cx__avp_get_str(void *parent, uint32_t code, uint32_t vendor, char **out);
/* Same for an owned byte copy. */
int cx__avp_get_bytes(void *parent, uint32_t code, uint32_t vendor, struct cx_bytes *out);
/* Unsigned32 / Enumerated (as int32) value. Returns 0 or -ENOENT. */
int cx__avp_get_u32(void *parent, uint32_t code, uint32_t vendor, uint32_t *out);
int cx__avp_get_i32(void *parent, uint32_t code, uint32_t vendor, int32_t *out);
/* String copy of one AVP's value. Returns 0, -ENOENT or -ENOMEM. */
int cx__avp_str(struct avp *avp, char **out);
/* Appends copies of all code/vendor children's string values to l. */
int cx__avp_get_strlist(void *parent, uint32_t code, uint32_t vendor, struct cx_strlist *l);

/* --- Writing: parent is a msg or grouped avp; the child goes last. --- */
int cx__add_str(void *parent, struct dict_object *model, const char *s);
int cx__add_bytes(void *parent, struct dict_object *model, const void *data, size_t len);
int cx__add_u32(void *parent, struct dict_object *model, uint32_t v);
int cx__add_i32(void *parent, struct dict_object *model, int32_t v);
/* Adds an empty grouped AVP and stores it in *grp. */
int cx__add_group(void *parent, struct dict_object *model, struct avp **grp);
/* Adds every string of l. */
int cx__add_strlist(void *parent, struct dict_object *model, const struct cx_strlist *l);

/* --- Shared codec pieces --- */

/*
 * New request for command code: Session-Id (new or hdr->session_id),
 * Vendor-Specific-Application-Id, Auth-Session-State=1, Origin-*, Destination-*.
 */
int cx__req_new(uint32_t code, const struct cx_hdr *hdr, struct msg **out);
/*
 * Turns *req into its answer with VSAI, Auth-Session-State, Origin-* and the
 * result (Result-Code or Experimental-Result). E bit for 3xxx Result-Codes.
 */
int cx__ans_new(struct msg **req, const struct cx_result *res);
/* Checks command code and R bit of msg. Returns 0 or -EBADMSG. */
int cx__msg_check(struct msg *msg, uint32_t code, bool request);
/* Fills hdr from msg. */
int cx__hdr_parse(struct msg *msg, struct cx_hdr *hdr);
void cx__hdr_free(struct cx_hdr *hdr);
/* Reads Result-Code / Experimental-Result (Vendor-Id 10415 only) and the E bit. */
int cx__result_parse(struct msg *msg, struct cx_result *res);

int cx__caps_add(void *parent, const struct cx_caps *caps);
int cx__caps_parse(void *parent, struct cx_caps *caps);
void cx__caps_free(struct cx_caps *caps);
int cx__features_add(void *parent, const struct cx_features *f);
int cx__features_parse(void *parent, struct cx_features *f);
int cx__charging_add(void *parent, const struct cx_charging *c);
int cx__charging_parse(void *parent, struct cx_charging *c);
void cx__charging_free(struct cx_charging *c);
int cx__auth_item_add(void *parent, const struct cx_auth_item *it);
int cx__auth_item_parse(struct avp *grp, struct cx_auth_item *it);
/* Adds the Associated-Identities group when l is not empty. */
int cx__assoc_ids_add(void *parent, const struct cx_strlist *l);
int cx__assoc_ids_parse(void *parent, struct cx_strlist *l);

/* Converts a freeDiameter positive errno into our negative convention. */
static inline int cx__err(int fd_ret)
{
    return fd_ret > 0 ? -fd_ret : (fd_ret < 0 ? fd_ret : 0);
}

/* Treats "absent" (-ENOENT) as success, for optional AVPs. */
static inline int cx__opt(int ret)
{
    return ret == -ENOENT ? 0 : ret;
}

/* Client / server internals */
void cx__client_shutdown(void);
void cx__server_shutdown(void);
bool cx__is_initialised(void);
bool cx__is_started(void);

#endif
