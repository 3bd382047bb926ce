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
    if (!(wall >= 0 && wall < 253402300800.0)) /* NaN, negative or past year 9999 */
        wall = 0;
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

/* Powers of ten that a double holds exactly. */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Reads digits at *p into *m (which wraps when there are more than 19
 * after the leading zeros: the caller checks). */
static const unsigned char *decimal_digits(const unsigned char *p, const unsigned char *end,
                                           uint64_t *m)
{
    uint64_t v = *m;
    for (unsigned d; p < end && (d = (unsigned)(*p - '0')) <= 9; p++)
        v = v * 10 + d;
    *m = v;
    return p;
}

size_t lc_parse_decimal(const char *s, size_t n, double *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *d0, *z;
    uint64_t m = 0;
    long sig, frac = 0, e = 0;
    int neg = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-'))
        p++;
    for (d0 = p; p < end && *p == '0'; p++)
        ;
    z = p;
    p = decimal_digits(p, end, &m);
    sig = p - z;
    long nd = p - d0;
    if (p < end && *p == '.') {
        const unsigned char *f0 = ++p;
        while (sig == 0 && p < end && *p == '0')
            p++; /* leading zeros of 0.000123 */
        z = p;
        p = decimal_digits(p, end, &m);
        sig += p - z;
        frac = p - f0;
        nd += frac;
    }
    if (nd == 0 || sig > 19)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const unsigned char *q = p + 1;
        int eneg = q < end && *q == '-';
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q == end || (unsigned)(*q - '0') > 9)
            return 0; /* "1e": strtod would stop before the 'e' */
        for (; q < end && (unsigned)(*q - '0') <= 9; q++)
            if (e < 100000)
                e = e * 10 + (*q - '0');
        e = eneg ? -e : e;
        p = q;
    }
    e -= frac;
    if (m > (1ull << 53) || (m != 0 && (e < -22 || e > 22)))
        return 0;
    /* both operands exact, so one IEEE operation rounds correctly (Clinger) */
    double v = (double)m;
    if (m != 0)
        v = e < 0 ? v / exact_pow10[-e] : v * exact_pow10[e];
    *out = neg ? -v : v;
    return (size_t)(p - (const unsigned char *)s);
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
