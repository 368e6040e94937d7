/*
 * cx_peer: synchronous Cx calls for the tests, on top of the async client:
 * each sends one request and runs the lab loop until the answer arrives, then
 * keeps a copy of what the tests check. RTR and PPR from the HSS are served
 * on the loop and answered DIAMETER_SUCCESS (or peer_answer_code).
 */
#ifndef CX_PEER_H
#define CX_PEER_H

#include "hss_lab.h"

#define PEER_MAX_NAMES 8

struct peer_item {
    uint32_t number;
    char scheme[64];
    uint8_t authenticate[64];
    size_t authenticate_len;
    uint8_t authorization[64];
    size_t authorization_len;
    bool has_ck, has_ik;
    uint8_t ck[16], ik[16];
    char digest_realm[256], digest_algorithm[32], digest_qop[32], digest_ha1[64];
};

/* The answer of the last call. */
struct peer_ans {
    int status;
    uint32_t result_code, exp_result;
    char server_name[512];
    bool has_caps;
    uint32_t mandatory[CX_MAX_CAPS], optional[CX_MAX_CAPS];
    size_t n_mandatory, n_optional;
    char names[PEER_MAX_NAMES][256];
    size_t n_names;
    char user_name[256];
    char *user_data; /* malloc'ed, freed by the next call */
    struct peer_item items[CX_MAX_AUTH_ITEMS];
    size_t n_items;
};

/* What the HSS sent us. */
struct peer_seen {
    bool rtr, ppr;
    char user_name[256];
    char impus[8][256];
    size_t n_impus;
    int reason_code;
    char reason_info[256];
    char *user_data;
};

extern struct peer_ans ans;
extern struct peer_seen seen;
extern uint32_t peer_answer_code;

/* Registers the RTR/PPR loop handlers (before cx_start). */
int peer_serve(void);

/* Each returns the status of the exchange (0 when an answer came). */
int peer_uar(const char *impi, const char *impu, const char *visited, int type);
int peer_mar(const char *impi, const char *impu, const char *server, const char *scheme, uint32_t n,
             const uint8_t *authz, size_t authz_len);
int peer_sar(const char *impi, const char *impu, const char *server, int type, int udaa);
int peer_lir(const char *impu, int type);

/* Clears seen and ans. */
void peer_reset(void);

#endif
