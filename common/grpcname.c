/* common/grpcname.c: see grpcname.h. */
#include "common/grpcname.h"

#include <string.h>

int grpcname_check(const char *method, struct lc_error *err)
{
    const char *m = method ? method : "";
    const char *slash = m[0] == '/' ? strchr(m + 1, '/') : NULL;
    int ok = slash && slash > m + 1 && slash[1] != '\0' && !strchr(slash + 1, '/');
    for (const char *c = m; ok && *c; c++)
        ok = *c > 0x20 && *c < 0x7f && *c != '?' && *c != '#';
    if (!ok)
        lc_error_set(err, "a gRPC method is /package.Service/Method, got \"%s\"", m);
    return ok ? 0 : -1;
}
