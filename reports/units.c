/* reports/units.c: metric units from the metric table and names, numbers for people. */
#include "reports/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/lc.h"

const struct metric_def *report_metric_of(const char *metric)
{
    return metric ? metric_builtin_n(metric, strcspn(metric, "{")) : NULL;
}

/* 1 when the name (up to a label selector) ends in suffix. */
static int name_ends(const char *metric, const char *suffix)
{
    size_t len = strcspn(metric, "{"), sl = strlen(suffix);
    return len > sl && strncmp(metric + len - sl, suffix, sl) == 0;
}

int report_per_interval(const char *metric)
{
    const struct metric_def *d = report_metric_of(metric);
    return d && (d->flags & METRIC_PER_INTERVAL);
}

/* The unit of a metric: the table's for leakcheck's own metrics, the
 * Prometheus naming conventions' (_bytes, _seconds, _ratio, _per_second)
 * for the others. */
enum report_unit report_unit_of(const char *metric)
{
    if (!metric)
        return REPORT_UNIT_COUNT;
    const struct metric_def *d = report_metric_of(metric);
    if (d)
        return (enum report_unit)d->unit;
    if (name_ends(metric, "_bytes"))
        return REPORT_UNIT_BYTES;
    if (name_ends(metric, "_seconds"))
        return REPORT_UNIT_SECONDS;
    if (name_ends(metric, "_ratio"))
        return REPORT_UNIT_FRACTION;
    if (name_ends(metric, "_per_second"))
        return REPORT_UNIT_RATE;
    return REPORT_UNIT_COUNT;
}

/* Three significant digits without an exponent, trailing zeros dropped. */
static void fmt3(double v, const char *suffix, char *buf, size_t len)
{
    double a = fabs(v);
    int dec = a == 0 ? 0 : a < 1 ? 3 : a < 10 ? 2 : a < 100 ? 1 : 0;
    char num[64];
    snprintf(num, sizeof(num), "%.*f", dec, v);
    if (strchr(num, '.')) {
        size_t n = strlen(num);
        while (num[n - 1] == '0')
            num[--n] = '\0';
        if (num[n - 1] == '.')
            num[--n] = '\0';
    }
    if (strcmp(num, "-0") == 0)
        snprintf(num, sizeof(num), "0");
    snprintf(buf, len, "%s%s", num, suffix);
}

/* Scales v down by step through names until it is below step. */
static void fmt_scaled(double v, double step, const char *const *names, size_t n, char *buf,
                       size_t len)
{
    size_t k = 0;
    while (fabs(v) >= step && k + 1 < n) {
        v /= step;
        k++;
    }
    /* 999.7 rounds to "1000": move up a step instead */
    if (fabs(v) >= 999.5 && k + 1 < n) {
        v /= step;
        k++;
    }
    fmt3(v, names[k], buf, len);
}

static void fmt_seconds(double v, char *buf, size_t len)
{
    double a = fabs(v);
    if (a == 0)
        snprintf(buf, len, "0s");
    else if (a < 1e-6)
        fmt3(v * 1e9, "ns", buf, len);
    else if (a < 1e-3)
        fmt3(v * 1e6, "\xc2\xb5s", buf, len);
    else if (a < 1)
        fmt3(v * 1e3, "ms", buf, len);
    else if (a < 120)
        fmt3(v, "s", buf, len);
    else if (a < 7200)
        fmt3(v / 60, "m", buf, len);
    else
        fmt3(v / 3600, "h", buf, len);
}

static void fmt_count(double v, const char *suffix, char *buf, size_t len)
{
    static const char *const k[] = {"", "k", "M", "G", "T"};
    char num[64];
    if (fabs(v) < 10000 && v == trunc(v))
        snprintf(num, sizeof(num), "%.0f", v == 0 ? 0.0 : v);
    else if (fabs(v) < 10000)
        fmt3(v, "", num, sizeof(num));
    else
        fmt_scaled(v, 1000, k, LC_ARRAY_LEN(k), num, sizeof(num));
    snprintf(buf, len, "%s%s", num, suffix);
}

/* Formats v in unit u into buf (see units.h); never fails. */
void report_fmt_value(double v, enum report_unit u, char *buf, size_t len)
{
    static const char *const b[] = {"B", "KB", "MB", "GB", "TB"};
    if (isnan(v)) {
        snprintf(buf, len, "n/a");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, "%s", v > 0 ? "+Inf" : "-Inf");
        return;
    }
    switch (u) {
    case REPORT_UNIT_BYTES:
        fmt_scaled(v, 1024, b, LC_ARRAY_LEN(b), buf, len);
        return;
    case REPORT_UNIT_SECONDS:
        fmt_seconds(v, buf, len);
        return;
    case REPORT_UNIT_FRACTION:
        fmt3(v * 100, "%", buf, len);
        return;
    case REPORT_UNIT_RATE:
        fmt_count(v, "/s", buf, len);
        return;
    case REPORT_UNIT_COUNT:
        break;
    }
    fmt_count(v, "", buf, len);
}

/* Formats a time offset for an axis label into buf; never fails. */
void report_fmt_offset(double s, char *buf, size_t len)
{
    if (!isfinite(s))
        snprintf(buf, len, "?");
    else if (fabs(s) < 120)
        fmt3(s, "s", buf, len);
    else if (fabs(s) < 7200 && fmod(s, 60) != 0)
        snprintf(buf, len, "%.0fm%.0fs", floor(s / 60), fmod(s, 60));
    else if (fabs(s) < 7200)
        snprintf(buf, len, "%.0fm", s / 60);
    else if (fmod(s, 3600) >= 60)
        snprintf(buf, len, "%.0fh%.0fm", floor(s / 3600), floor(fmod(s, 3600) / 60));
    else
        snprintf(buf, len, "%.0fh", floor(s / 3600));
}
