/*
 * hss_lab: the test bench of the HSS integration tests. It runs build/bin/hss
 * as a separate process in a temporary state directory, on ports derived
 * from the PID, and joins it as a Diameter peer that plays the S-CSCF and
 * the I-CSCF (common/cx async client on a loop, RTR/PPR served on the loop).
 */
#ifndef HSS_LAB_H
#define HSS_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cx/cx.h"
#include "loop/loop.h"
#include "store.h"

#define REALM   "ims.mnc001.mcc001.3gppnetwork.org"
#define HSS_ID  "hss." REALM
#define PEER_ID "scscf." REALM
#define SCSCF   "sip:scscf." REALM ":6060"
#define SCSCF2  "sip:scscf2." REALM ":6060"
#define VISITED "visited.example.net"

struct lab {
    char dir[256];      /* state directory */
    char hss_conf[320]; /* HSS libconfig file */
    char peer_dir[320];
    char ctl[320];
    char pcap[320];
    uint16_t hss_port, peer_port;
    pid_t hss_pid;
    pid_t tshark_pid;
    struct loop *loop;
};

extern struct lab lab;

/* Creates the state directory and the HSS configuration. Returns 0 or -errno. */
int lab_prepare(void);

/* Starts the HSS and waits for its control socket. Returns 0 or -errno. */
int lab_hss_start(void);

/* Sends sig to the HSS and waits for it; returns its wait status. */
int lab_hss_stop(int sig);

/* Starts the Diameter peer (this process) and waits for the HSS connection. */
int lab_peer_start(void);

/* Opens a store connection on the HSS's database. */
struct store *lab_store(void);

/* Runs the loop until *flag becomes true or ms elapse. Returns *flag. */
bool lab_run_until(volatile bool *flag, int ms);

/* Runs the loop until *count reaches n or ms elapse. */
void lab_run_count(volatile size_t *count, size_t n, int ms);

/* Starts tshark on the HSS port when installed (lab.tshark_pid 0 otherwise). */
void lab_capture_start(void);

/*
 * Runs argv (NULL-terminated) with its stdout and stderr captured into out
 * (size len) while the loop keeps running until the process exits or ms
 * elapse. Returns its exit status, or -1.
 */
int lab_run_cmd(char *const argv[], char *out, size_t len, int ms);

#endif
