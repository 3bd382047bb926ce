/* run/obs_cost.c: the target's CPU time while it is watched. */
#include "run/obs_cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/lc.h"

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

int obs_cpu_parse(const char *stat, double ticks_per_s, double *out)
{
    /* "PID (comm) S ppid ...": comm may hold anything, ')' included */
    const char *p = strrchr(stat, ')');
    if (!p || ticks_per_s <= 0)
        return -1;
    unsigned long long utime = 0, stime = 0;
    /* after comm: state (3) ... utime (14), stime (15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
        2)
        return -1;
    *out = (double)(utime + stime) / ticks_per_s;
    return 0;
}

int obs_cpu_seconds(pid_t pid, double *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return obs_cpu_parse(buf, (double)sysconf(_SC_CLK_TCK), out);
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
