/* cli/cli_shard.c: run --shard I/N (or the CI's variables) and
 * --durations: the plan of every shard and the tests this one runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "reports/report.h"
#include "run/run_suite.h"
#include "suite/shard.h"

/* Each test's duration in the previous report (NaN when it has none), or
 * NULL after printing why the report cannot be read. */
static double *read_durations(const struct suite *s, const char *path)
{
    struct lc_error err = {0};
    struct report_run *prev = report_json_read(path, &err);
    if (!prev) {
        cli_error("--durations: %s", err.msg);
        return NULL;
    }
    double *d = lc_calloc(s->ntests + 1, sizeof(*d));
    for (size_t i = 0; i < s->ntests; i++) {
        d[i] = NAN;
        for (size_t k = 0; k < prev->ntests; k++)
            if (prev->tests[k].name && strcmp(prev->tests[k].name, s->tests[i].name) == 0)
                d[i] = prev->tests[k].duration_s;
    }
    report_run_free(prev);
    return d;
}

/* The shard from the flags, else from the CI's variables; -1 (printed). */
static int resolve(const struct cli_shard_args *a, struct shard_spec *spec, const char **from)
{
    struct shard_inputs in = {a->flag,
                              a->count,
                              getenv("CI_NODE_INDEX"),
                              getenv("CI_NODE_TOTAL"),
                              getenv("JOB_COMPLETION_INDEX"),
                              getenv("LEAKCHECK_SHARD_COUNT")};
    struct lc_error err = {0};
    if (shard_resolve(&in, spec, &err) != 0) {
        cli_error("%s", err.msg);
        return -1;
    }
    *from = a->flag                       ? "--shard"
            : in.ci_index                 ? "CI_NODE_INDEX/CI_NODE_TOTAL"
            : in.job_index && spec->count ? "JOB_COMPLETION_INDEX"
                                          : NULL;
    return 0;
}

int cli_shard_plan(const struct suite *s, const struct cli_shard_args *a, struct report_shard *out,
                   unsigned char **picked)
{
    struct shard_spec spec = {0, 0};
    const char *from = NULL;
    if (resolve(a, &spec, &from) != 0)
        return -1;
    if (!spec.count) {
        if (a->durations)
            cli_error("--durations balances shards: give --shard I/N too (or run in a CI job "
                      "that sets CI_NODE_INDEX or JOB_COMPLETION_INDEX)");
        return a->durations ? -1 : 0;
    }
    double *d = a->durations ? read_durations(s, a->durations) : NULL;
    if (a->durations && !d)
        return -1;
    const char **names = lc_calloc(s->ntests + 1, sizeof(*names));
    for (size_t i = 0; i < s->ntests; i++)
        names[i] = s->tests[i].name;
    out->index = spec.index;
    out->count = spec.count;
    out->balanced_by = a->durations ? lc_strdup(a->durations) : NULL;
    out->n = s->ntests;
    out->names = lc_calloc(s->ntests + 1, sizeof(*out->names));
    out->of = lc_calloc(s->ntests + 1, sizeof(*out->of));
    shard_assign(names, d, s->ntests, spec.count, out->of, NULL);
    if (!*picked) {
        *picked = lc_calloc(s->ntests + 1, 1);
        memset(*picked, RUN_PICK_RUN, s->ntests);
    }
    size_t mine = 0;
    for (size_t i = 0; i < s->ntests; i++) {
        out->names[i] = lc_strdup(s->tests[i].name);
        if (out->of[i] != spec.index)
            (*picked)[i] = RUN_PICK_OTHER;
        mine += out->of[i] == spec.index;
    }
    fprintf(stderr, "leakcheck: shard %u/%u (from %s): %zu of %zu tests%s%s\n", spec.index,
            spec.count, from, mine, s->ntests, a->durations ? ", balanced by " : "",
            a->durations ? a->durations : "");
    free(names);
    free(d);
    return 0;
}
