/* xfrm_detect: does the kernel accept ESP SAs? (see xfrm_detect.h) */
#include "xfrm_detect.h"

#include "xfrm_msg.h"
#include "xfrm_nl.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

const char *pcscf_esp_status_name(enum pcscf_esp_status status)
{
    switch (status) {
    case PCSCF_ESP_AVAILABLE:
        return "available";
    case PCSCF_ESP_NO_XFRM:
        return "no-xfrm";
    case PCSCF_ESP_NO_PERMISSION:
        return "no-permission";
    case PCSCF_ESP_NO_ESP:
        return "no-esp";
    case PCSCF_ESP_ERROR:
    default:
        return "error";
    }
}

enum pcscf_esp_status pcscf_esp_detect(char *why, size_t whylen)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_sa sas[4];
    uint8_t msg[PCSCF_XFRM_MSG_MAX];
    struct pcscf_xfrm_nl *nl = NULL;
    enum pcscf_esp_status st;
    size_t len = 0;
    uint32_t seq;
    int rc;
    char dummy[1];

    if (!why) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    rc = pcscf_xfrm_nl_open(PCSCF_XFRM_NL_TIMEOUT_MS, &nl);
    if (rc) {
        snprintf(why, whylen,
                 "kernel has no XFRM netlink (socket(NETLINK_XFRM): %s): IPsec needs "
                 "CONFIG_XFRM_USER",
                 strerror(-rc));
        return PCSCF_ESP_NO_XFRM;
    }

    memset(&p, 0, sizeof(p));
    p.family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", p.pcscf_addr);
    inet_pton(AF_INET, "127.0.0.1", p.ue_addr);
    p.spi_ps = 0xfffff000u + (uint32_t)(getpid() & 0x7ff) * 2;
    p.spi_pc = p.spi_ps + 1;
    p.spi_uc = p.spi_ps;
    p.spi_us = p.spi_pc;
    p.port_pc = p.port_ps = p.port_uc = p.port_us = 9;
    p.alg = PCSCF_ALG_HMAC_SHA1_96;
    p.ealg = PCSCF_EALG_NONE;
    memset(p.ik, 0x5a, sizeof(p.ik));
    pcscf_xfrm_plan(&p, sas);

    seq = pcscf_xfrm_nl_next_seq(nl);
    rc = pcscf_xfrm_build_newsa(&sas[PCSCF_SA_IN_S], seq, msg, sizeof(msg), &len);
    if (rc == 0)
        rc = pcscf_xfrm_nl_transact(nl, msg, len, seq);
    if (rc == 0) {
        /* it worked: take the scratch SA away again */
        seq = pcscf_xfrm_nl_next_seq(nl);
        if (pcscf_xfrm_build_delsa(&sas[PCSCF_SA_IN_S], seq, msg, sizeof(msg), &len) == 0)
            pcscf_xfrm_nl_transact(nl, msg, len, seq);
        snprintf(why, whylen, "kernel accepts ESP transport-mode SAs (hmac(sha1)) over XFRM");
        st = PCSCF_ESP_AVAILABLE;
    } else if (rc == -EPERM || rc == -EACCES) {
        snprintf(why, whylen,
                 "kernel refused to add an ESP SA (%s): the P-CSCF needs CAP_NET_ADMIN for "
                 "ipsec = true",
                 strerror(-rc));
        st = PCSCF_ESP_NO_PERMISSION;
    } else if (rc == -EPROTONOSUPPORT || rc == -ENOENT || rc == -ENOSYS || rc == -EINVAL ||
               rc == -EAFNOSUPPORT || rc == -EOPNOTSUPP) {
        snprintf(why, whylen,
                 "kernel has no ESP support: adding a scratch ESP SA failed (%s); load esp4/esp6 "
                 "and xfrm4/xfrm6 or use ipsec = false",
                 strerror(-rc));
        st = PCSCF_ESP_NO_ESP;
    } else {
        snprintf(why, whylen, "could not probe the kernel for ESP (%s)", strerror(-rc));
        st = PCSCF_ESP_ERROR;
    }
    pcscf_xfrm_nl_close(nl);
    return st;
}
