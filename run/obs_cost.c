/* run/obs_cost.c: the target's CPU time while it is watched. */
#include "run/obs_cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/lc.h"
#include "common/procstat.h"

void obs_cost_fetch(struct report_observer_cost *cost, const char *url, double secs)
{
    if (strstr(url, "/goroutine?debug=2"))
        report_cost_add(&cost->full_dumps, secs);
    else if (strstr(url, "/goroutine?debug="))
        report_cost_add(&cost->goroutine_dumps, secs);
    else if (strstr(url, "gc=1"))
        report_cost_add(&cost->forced_gcs, secs);
    else if (strstr(url, "/heap?"))
        report_cost_add(&cost->heap_profiles, secs);
}

int obs_cpu_seconds(pid_t pid, double *out)
{
    struct lc_procstat st;
    if (lc_procstat_read(pid, &st) != 0)
        return -1;
    *out = (double)(st.utime + st.stime) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

void obs_cpu_read(struct obs_cpu *c, pid_t pid, double now)
{
    double v;
    if (pid <= 0 || obs_cpu_seconds(pid, &v) != 0)
        return;
    if (pid != c->pid) {
        if (c->pid > 0)
            c->done += c->last - c->first;
        c->pid = pid;
        c->first = v;
    }
    c->last = v;
    if (c->t_first <= 0)
        c->t_first = now;
    c->t_last = now;
}

void obs_cpu_report(const struct obs_cpu *c, struct report_observer_cost *cost)
{
    int known = c->pid > 0;
    cost->target_cpu_s = known ? c->done + c->last - c->first : NAN;
    cost->cpu_window_s = known ? c->t_last - c->t_first : NAN;
}
