/*
 * loadgen/sched.c: the open model's rate profile. With stages the rate
 * ramps linearly from the previous stage's rate (0 before the first) to
 * the stage's own over its duration; without, it is the constant `rate`.
 * The intended time of the n-th request is where the integral of the
 * rate reaches n.
 */
#include <math.h>

#include "loadgen/lg_int.h"

/* Time x in [0, d] at which a ramp from r0 to r1 over d has sent `need`. */
static double ramp_solve(double r0, double r1, double d, double need)
{
    double a = (r1 - r0) / (2.0 * d); /* area(x) = r0 x + a x^2 */
    if (need <= 0)
        return 0;
    if (fabs(a) < 1e-12)
        return r0 > 0 ? need / r0 : d;
    double disc = r0 * r0 + 4.0 * a * need;
    if (disc < 0)
        disc = 0;
    /* the root written so that it stays accurate when a is small */
    double x = 2.0 * need / (r0 + sqrt(disc));
    return x > d ? d : x;
}

double lg_sched_time(const struct loadgen *lg, double count)
{
    if (!lg->cfg.nstages)
        return count / lg->cfg.rate;
    double t = 0, sent = 0, prev = 0;
    for (size_t i = 0; i < lg->cfg.nstages; i++) {
        const struct loadgen_stage *s = &lg->stages[i];
        double area = (prev + s->rate) / 2.0 * s->duration_s;
        if (count < sent + area)
            return t + ramp_solve(prev, s->rate, s->duration_s, count - sent);
        sent += area;
        t += s->duration_s;
        prev = s->rate;
    }
    return -1;
}

double lg_sched_count(const struct loadgen *lg, double t)
{
    if (!(t > 0))
        return 0;
    if (!lg->cfg.nstages)
        return lg->cfg.rate * t;
    double start = 0, sent = 0, prev = 0;
    for (size_t i = 0; i < lg->cfg.nstages; i++) {
        const struct loadgen_stage *s = &lg->stages[i];
        double d = s->duration_s;
        if (t < start + d) {
            double x = t - start;
            return sent + prev * x + (s->rate - prev) / (2.0 * d) * x * x;
        }
        sent += (prev + s->rate) / 2.0 * d;
        start += d;
        prev = s->rate;
    }
    return sent;
}
