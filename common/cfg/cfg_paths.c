/* cfg_paths.c: where a daemon keeps its state (see cfg.h). */
#include "cfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cfg_path_join(char *out, size_t len, const char *base, const char *rel)
{
    int n;

    if (!out || !len || !base || !rel || !*rel)
        return -EINVAL;
    n = rel[0] == '/' ? snprintf(out, len, "%s", rel) : snprintf(out, len, "%s/%s", base, rel);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int cfg_state_dir(const struct cfg *c, const char *cli_dir, char *out, size_t len)
{
    char cwd[PATH_MAX];
    const char *dir = cli_dir;

    if (!dir || !*dir)
        dir = getenv("IMS_STATE_DIR");
    if ((!dir || !*dir) && c && cfg__schema_find(c->schema, "state_dir") >= 0 &&
        cfg_is_set(c, "state_dir"))
        dir = cfg_str(c, "state_dir");
    if (!dir || !*dir)
        dir = "var";
    if (dir[0] == '/')
        return cfg_path_join(out, len, "/", dir);
    if (!getcwd(cwd, sizeof(cwd)))
        return -errno;
    return cfg_path_join(out, len, cwd, dir);
}

int cfg_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    size_t len = path ? strlen(path) : 0;

    if (len == 0)
        return -EINVAL;
    if (len >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}
