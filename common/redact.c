/* common/redact.c: keeping secrets out of reports and logs. */
#include "common/lc.h"

#include <string.h>
#include <strings.h>

char *lc_redact_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : url;
    size_t hostpart = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', hostpart);
    if (!at)
        return lc_strdup(url);
    /* keep the user name, hide the password: user:***@host */
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    const char *user_end = colon ? colon : at;
    return lc_asprintf("%.*s%s@%s", (int)(user_end - url), url, colon ? ":***" : "", at + 1);
}

int lc_secret_header(const char *name)
{
    static const char *secret[] = {"authorization", "proxy-authorization", "cookie",
                                   "set-cookie", "x-api-key"};
    for (size_t i = 0; i < LC_ARRAY_LEN(secret); i++)
        if (strcasecmp(name, secret[i]) == 0)
            return 1;
    return 0;
}
