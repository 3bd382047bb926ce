/* framework/loadcfg.c: a suite's load block turned into a load engine. */
#include "framework/loadcfg.h"

#include <stdlib.h>

struct loadgen *loadcfg_new(const struct suite_load *l, struct lc_error *err)
{
    const char **hdrs = lc_calloc(l->nheaders + 1, sizeof(char *));
    for (size_t i = 0; i < l->nheaders; i++)
        hdrs[i] = l->headers[i].name;
    struct loadgen_request req = {
        .method = l->method,
        .url = l->url,
        .headers = hdrs,
        .nheaders = l->nheaders,
        .body = l->body,
        .body_len = l->body_len,
        .weight = 1,
    };
    struct loadgen_config cfg = {
        .requests = &req,
        .nrequests = 1,
        .concurrency = l->concurrency,
        .threads = l->threads,
        .max_requests = l->requests,
        .duration_s = l->duration_s,
        .rate = l->rate,
        .timeout_s = l->timeout_s,
    };
    struct loadgen *lg = loadgen_new(&cfg, err);
    free(hdrs);
    return lg;
}
