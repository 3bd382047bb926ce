/* run/loadcfg.c: a suite's load block turned into a load engine. */
#include "run/loadcfg.h"

#include <stdlib.h>

/* The engine's view of one kind of request; hdrs receives the header
 * strings (borrowed from the suite) and is freed by the caller. */
static struct loadgen_request one_request(const char *url, const char *method,
                                          const struct suite_header *headers, size_t nheaders,
                                          const char *body, size_t body_len, unsigned weight,
                                          const char ***hdrs)
{
    *hdrs = lc_calloc(nheaders + 1, sizeof(char *));
    for (size_t i = 0; i < nheaders; i++)
        (*hdrs)[i] = headers[i].name;
    struct loadgen_request r = {
        .method = method,
        .url = url,
        .headers = *hdrs,
        .nheaders = nheaders,
        .body = body,
        .body_len = body_len,
        .weight = weight,
    };
    return r;
}

struct loadgen *loadcfg_new(const struct suite_load *l, struct lc_error *err)
{
    size_t n = l->nmix ? l->nmix : 1;
    struct loadgen_request *reqs = lc_calloc(n, sizeof *reqs);
    const char ***hdrs = lc_calloc(n, sizeof *hdrs);
    if (l->nmix) {
        for (size_t i = 0; i < n; i++) {
            const struct suite_request *m = &l->mix[i];
            reqs[i] = one_request(m->url, m->method, m->headers, m->nheaders, m->body, m->body_len,
                                  m->weight, &hdrs[i]);
        }
    } else {
        reqs[0] = one_request(l->url, l->method, l->headers, l->nheaders, l->body, l->body_len, 1,
                              &hdrs[0]);
    }
    /* the loader keeps stages in its own type; the engine copies them */
    struct loadgen_stage *stages = lc_calloc(l->nstages + 1, sizeof *stages);
    for (size_t i = 0; i < l->nstages; i++) {
        stages[i].duration_s = l->stages[i].duration_s;
        stages[i].rate = l->stages[i].rate;
    }
    struct loadgen_config cfg = {
        .requests = reqs,
        .nrequests = n,
        .concurrency = l->concurrency,
        .threads = l->threads,
        .max_requests = l->requests,
        .duration_s = l->duration_s,
        .rate = l->nstages ? 0 : l->rate,
        .stages = l->nstages ? stages : NULL,
        .nstages = l->nstages,
        .timeout_s = l->timeout_s,
        .disable_keepalive = l->disable_keepalive,
        .cacert = l->cacert,
        .insecure = l->insecure,
        .h2 = l->h2,
        .streams = l->streams,
        .grpc = l->grpc_method != NULL,
    };
    struct loadgen *lg = loadgen_new(&cfg, err);
    for (size_t i = 0; i < n; i++)
        free(hdrs[i]);
    free(hdrs);
    free(reqs);
    free(stages);
    return lg;
}
