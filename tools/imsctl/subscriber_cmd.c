#include "imsctl.h"

#include <stdio.h>

/* Placeholder until the HSS issue lands: the command exists but does nothing yet. */
int imsctl_subscriber_main(int argc, char **argv)
{
    fprintf(stderr, "imsctl subscriber: not implemented yet (see the HSS issue)\n");
    return 1;
}
