/* run/heap_pace.c: which sample rounds ask for the heap profile (heap_pace.h). */
#include "run/heap_pace.h"

#include <math.h>
#include <string.h>

/* The median of the recorded fetch times (0 when none). */
static double median_cost(const struct heap_pace *hp)
{
    double v[HEAP_PACE_N];
    unsigned n = hp->n < HEAP_PACE_N ? hp->n : HEAP_PACE_N;
    if (n == 0)
        return 0;
    memcpy(v, hp->secs, n * sizeof(double));
    for (unsigned i = 1; i < n; i++) /* insertion sort of at most 5 */
        for (unsigned j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double heap_pace_gap(const struct heap_pace *hp)
{
    return fmax(HEAP_PACE_MIN_GAP_S, HEAP_PACE_FACTOR * median_cost(hp));
}

int heap_pace_due(struct heap_pace *hp, unsigned long round_no, double now)
{
    int want = hp->want && round_no >= hp->want;
    /* 2% short of the gap: rounds a second apart are not put off by jitter */
    if (!want && hp->asked_t > 0 && now - hp->asked_t < 0.98 * heap_pace_gap(hp))
        return 0;
    hp->asked_t = now;
    if (want)
        hp->want = 0;
    return 1;
}

void heap_pace_served(struct heap_pace *hp, double secs)
{
    hp->secs[hp->n++ % HEAP_PACE_N] = secs;
}

void heap_pace_want(struct heap_pace *hp, unsigned long round_no)
{
    hp->want = round_no;
}
