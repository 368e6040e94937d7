/*
 * xfrm_detect: finds out at start whether this kernel can do what ipsec = true
 * needs: an XFRM netlink socket, the right to change the SA database
 * (CAP_NET_ADMIN) and ESP transport-mode SAs with hmac(sha1) (esp4 / xfrm
 * modules). It does so the only reliable way: it adds a scratch ESP SA
 * between 127.0.0.1 and 127.0.0.1 with a SPI from the private range
 * 0xfffff000.. and deletes it again at once.
 */
#ifndef PCSCF_XFRM_DETECT_H
#define PCSCF_XFRM_DETECT_H

#include <stddef.h>

enum pcscf_esp_status {
    PCSCF_ESP_AVAILABLE = 0, /* a scratch ESP SA was added and removed */
    PCSCF_ESP_NO_XFRM,       /* no NETLINK_XFRM socket (kernel without CONFIG_XFRM_USER) */
    PCSCF_ESP_NO_PERMISSION, /* the kernel refused: run with CAP_NET_ADMIN */
    PCSCF_ESP_NO_ESP,        /* XFRM answers but refuses ESP SAs (no esp4/esp6, no algorithm) */
    PCSCF_ESP_ERROR,         /* anything else (timeout, bad answer) */
};

/*
 * Probes the kernel as described above. why (may be NULL) receives one
 * complete sentence for the log, naming the cause and the errno text.
 * Returns the status; never fails otherwise. Leaves no SA behind.
 */
enum pcscf_esp_status pcscf_esp_detect(char *why, size_t whylen);

/* A short name of status ("available", "no-xfrm", ...), for logs and tests. */
const char *pcscf_esp_status_name(enum pcscf_esp_status status);

#endif
