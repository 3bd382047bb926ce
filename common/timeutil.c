/* common/timeutil.c: clocks, Go-style durations and locale-free numbers. */
#include "common/lc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double lc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double lc_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lc_format_time(double wall, char *out, size_t outlen)
{
    time_t secs = (time_t)wall;
    int ms = (int)((wall - (double)secs) * 1000.0);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, outlen, "%s.%03dZ", base, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

int lc_parse_double(const char *s, const char **end, double *out)
{
    char *e = NULL;
    /* strtod takes hex and "nan(...)" too; the formats we read never use
     * them, and the C locale (never changed here) makes '.' the point. */
    double v = strtod(s, &e);
    if (e == s)
        return -1;
    *out = v;
    if (end)
        *end = e;
    return 0;
}

static double unit_seconds(const char *u, size_t n)
{
    static const struct {
        const char *name;
        double secs;
    } units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3},
                 {"s", 1.0},   {"m", 60.0},  {"h", 3600.0}};
    for (size_t i = 0; i < LC_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].secs;
    return -1.0;
}

int lc_parse_duration(const char *s, double *seconds, struct lc_error *err)
{
    const char *p = s;
    double total = 0.0;
    if (!s || !*s) {
        lc_error_set(err, "empty duration (expected e.g. \"250ms\", \"5s\", \"1m30s\")");
        return -1;
    }
    if (strcmp(s, "0") == 0) {
        *seconds = 0.0;
        return 0;
    }
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            goto bad;
        char *e = NULL;
        double v = strtod(p, &e);
        if (e == p || !isfinite(v))
            goto bad;
        const char *u = e;
        while (*e && !isdigit((unsigned char)*e) && *e != '.')
            e++;
        double unit = unit_seconds(u, (size_t)(e - u));
        if (unit < 0)
            goto bad;
        total += v * unit;
        p = e;
    }
    /* a year is more than any test runs; beyond it time_t conversions and
     * timers misbehave */
    if (total > 366.0 * 86400.0) {
        lc_error_set(err, "duration \"%s\" is too long (at most a year)", s);
        return -1;
    }
    *seconds = total;
    return 0;
bad:
    lc_error_set(err,
                 "bad duration \"%s\" (expected a number with a unit: ns, us, ms, s, m, h; "
                 "e.g. \"250ms\", \"1m30s\")",
                 s);
    return -1;
}
