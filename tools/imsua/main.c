/*
 * imsua: a command-line IMS test UE (docs/imsua.md).
 * Exit codes: 0 registered, 1 rejected, 2 usage error, 3 timeout.
 */
#include "log/log.h"
#include "ua.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    struct ua_opts o;
    int rc = ua_cli_parse(argc, argv, &o);
    if (rc)
        return rc;
    /* progress lines are read by scripts while imsua runs (--subscribe, --stay) */
    setvbuf(stdout, NULL, _IOLBF, 0);
    log_set_level(getenv("IMSUA_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
    return o.load ? ua_load_run(&o) : ua_register_run(&o);
}
