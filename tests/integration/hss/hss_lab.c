/* hss_lab.c: the bench of the HSS integration tests (see hss_lab.h). */
#include "hss_lab.h"

#include "fdconf/fdconf.h"
#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct lab lab;

static const char *bin_dir(void)
{
    static char path[512];
    const char *b = getenv("IMSCORE_BINARY_DIR");
    snprintf(path, sizeof(path), "%s/bin", b ? b : "build");
    return path;
}

int lab_prepare(void)
{
    FILE *fp;
    unsigned base = 20000u + ((unsigned)getpid() % 10000u) * 4u;

    lab.hss_port = (uint16_t)base;
    lab.peer_port = (uint16_t)(base + 1);
    snprintf(lab.dir, sizeof(lab.dir), "/tmp/hss-it-XXXXXX");
    if (!mkdtemp(lab.dir))
        return -errno;
    snprintf(lab.hss_conf, sizeof(lab.hss_conf), "%s/hss.conf", lab.dir);
    snprintf(lab.peer_dir, sizeof(lab.peer_dir), "%s/peer", lab.dir);
    snprintf(lab.ctl, sizeof(lab.ctl), "%s/hss.ctl", lab.dir);
    snprintf(lab.pcap, sizeof(lab.pcap), "%s/cx.pcap", lab.dir);
    fp = fopen(lab.hss_conf, "w");
    if (!fp)
        return -errno;
    fprintf(fp,
            "state_dir = \"/nonexistent\";\n" /* --state-dir must win */
            "log = { level = \"info\"; };\n"
            "diameter = { identity = \"" HSS_ID "\"; realm = \"" REALM "\";\n"
            "  listen = \"127.0.0.1\"; port = %u; allow = [ \"*." REALM "\" ];\n"
            "  threads = 1; load_3gpp_dicts = true; };\n"
            "store = { path = \"hss.sqlite\"; };\n"
            "auth = { max_vectors = 4; ind_bits = 5; };\n"
            "roaming = { home_network = \"" REALM "\"; };\n"
            "capabilities = { mandatory = [ 1 ]; optional = [ 2 ]; };\n"
            "scscfs = ( { name = \"" SCSCF "\"; mandatory = [ 1 ]; optional = [ 2 ]; },\n"
            "           { name = \"" SCSCF2 "\"; mandatory = [ 3 ]; } );\n"
            "rtr = { timeout = \"5s\"; };\n",
            lab.hss_port);
    return fclose(fp) == 0 ? 0 : -errno;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int lab_hss_start(void)
{
    char bin[600], log[320];
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/hss", bin_dir());
    snprintf(log, sizeof(log), "%s/hss.log", lab.dir);
    unlink(lab.ctl);
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(bin, "hss", "-c", lab.hss_conf, "--state-dir", lab.dir, (char *)NULL);
        _exit(127);
    }
    lab.hss_pid = pid;
    for (int i = 0; i < 500; i++) {
        struct stat sb;
        int status;
        if (stat(lab.ctl, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
            sleep_ms(100);
            return 0;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            lab.hss_pid = 0;
            fprintf(stderr, "hss exited at start (status %d), see %s\n", status, log);
            return -ECHILD;
        }
        sleep_ms(20);
    }
    return -ETIMEDOUT;
}

int lab_hss_stop(int sig)
{
    int status = -1;

    if (lab.hss_pid <= 0)
        return -1;
    kill(lab.hss_pid, sig);
    for (int i = 0; i < 1000; i++) {
        if (waitpid(lab.hss_pid, &status, WNOHANG) == lab.hss_pid)
            break;
        sleep_ms(10);
        if (i == 999) {
            kill(lab.hss_pid, SIGKILL);
            waitpid(lab.hss_pid, &status, 0);
        }
    }
    lab.hss_pid = 0;
    return status;
}

int lab_peer_start(void)
{
    const struct fdconf_peer hss = {HSS_ID, "127.0.0.1", lab.hss_port};
    struct fdconf fc = {.identity = PEER_ID,
                        .realm = REALM,
                        .listen_address = "127.0.0.1",
                        .port = lab.peer_port,
                        .peers = &hss,
                        .n_peers = 1,
                        .load_3gpp_dicts = true,
                        .tc_timer = 1};
    char conf[512];
    int rc;

    if ((rc = fdconf_write(&fc, lab.peer_dir, "peer", conf, sizeof(conf))) != 0)
        return rc;
    if ((rc = loop_new(&lab.loop)) != 0 || (rc = cx_init(conf)) != 0)
        return rc;
    return 0;
}

struct store *lab_store(void)
{
    char path[400], err[256];
    struct store *st = NULL;

    snprintf(path, sizeof(path), "%s/hss.sqlite", lab.dir);
    if (store_open(path, &st, err, sizeof(err)) != 0)
        fprintf(stderr, "store_open %s: %s\n", path, err);
    return st;
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    loop_stop(lab.loop);
}

/* Runs the loop for up to ms, returning early when cond(arg) holds. */
static void run_while(bool (*done)(void *), void *arg, int ms)
{
    long long deadline = loop_now_ms() + ms;
    struct event *t = evtimer_new(loop_base(lab.loop), stop_cb, NULL);
    struct timeval tv = {0, 20000};

    while (!done(arg) && loop_now_ms() < deadline) {
        evtimer_add(t, &tv);
        loop_run(lab.loop);
    }
    event_free(t);
}

static bool flag_set(void *arg)
{
    return *(volatile bool *)arg;
}

bool lab_run_until(volatile bool *flag, int ms)
{
    run_while(flag_set, (void *)flag, ms);
    return *flag;
}

struct count_arg {
    volatile size_t *count;
    size_t n;
};

static bool count_reached(void *arg)
{
    struct count_arg *c = arg;
    return *c->count >= c->n;
}

void lab_run_count(volatile size_t *count, size_t n, int ms)
{
    struct count_arg c = {count, n};
    run_while(count_reached, &c, ms);
}

void lab_capture_start(void)
{
    char filter[64];
    pid_t pid;

    lab.tshark_pid = 0;
    if (access("/usr/bin/tshark", X_OK) != 0)
        return;
    snprintf(filter, sizeof(filter), "tcp port %u", lab.hss_port);
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl("/usr/bin/tshark", "tshark", "-i", "lo", "-f", filter, "-w", lab.pcap, "-q",
              (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return;
    lab.tshark_pid = pid;
    /* tshark writes the pcap header once capturing. */
    for (int i = 0; i < 250; i++) {
        struct stat sb;
        if (stat(lab.pcap, &sb) == 0 && sb.st_size > 0)
            break;
        sleep_ms(20);
    }
    sleep_ms(300);
}

struct child_arg {
    pid_t pid;
    int status;
    bool exited;
};

static bool child_exited(void *arg)
{
    struct child_arg *c = arg;
    if (!c->exited && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->exited = true;
    return c->exited;
}

int lab_run_cmd(char *const argv[], char *out, size_t len, int ms)
{
    struct child_arg c = {0};
    int fds[2];
    size_t got = 0;

    if (pipe(fds) != 0)
        return -1;
    c.pid = fork();
    if (c.pid < 0)
        return -1;
    if (c.pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    run_while(child_exited, &c, ms);
    if (!c.exited) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, &c.status, 0);
    }
    for (;;) {
        ssize_t r = read(fds[0], out + got, len - 1 - got);
        if (r <= 0 || got + (size_t)r >= len - 1) {
            if (r > 0)
                got += (size_t)r;
            break;
        }
        got += (size_t)r;
    }
    out[got] = '\0';
    close(fds[0]);
    return c.exited && WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}
