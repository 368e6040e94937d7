#include "imsctl.h"

#include <stdio.h>

/* Placeholder until the HSS issue lands: the command exists but does nothing yet. */
int imsctl_hss_main(int argc, char **argv)
{
    fprintf(stderr, "imsctl hss: not implemented yet (see the HSS issue)\n");
    return 1;
}
