#include "imsctl.h"

#include <stdio.h>

/* Placeholder: replaced by the aka module work. */
int imsctl_aka_main(int argc, char **argv)
{
    fprintf(stderr, "imsctl aka: not implemented yet\n");
    return 1;
}
