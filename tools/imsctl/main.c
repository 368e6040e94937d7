#include "imsctl.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"aka", imsctl_aka_main, "compute Milenage/AKA values from K, OP or OPc, RAND, SQN, AMF"},
    {"subscriber", imsctl_subscriber_main, "provision subscribers in the HSS store"},
    {"hss", imsctl_hss_main, "ask the running HSS to send RTR or PPR"},
    {"reg", imsctl_reg_main, "show the registrations of the running S-CSCF"},
    {"pcscf", imsctl_pcscf_main, "show the UEs the running P-CSCF serves"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: imsctl COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'imsctl COMMAND --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    fprintf(stderr, "imsctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
