/* reports/cost.c: what watching cost the target, in words (report.html
 * always, the console when it is worth a look). */
#include "reports/cost.h"

#include <math.h>

static void item(struct lc_buf *b, const char *what, const struct report_cost_item *it)
{
    lc_buf_printf(b, "%u %s", it->count, what);
    if (it->count)
        lc_buf_printf(b, " (%.0f ms in all, longest %.0f ms)", it->seconds * 1000,
                      it->max_seconds * 1000);
}

void report_cost_text(struct lc_buf *b, const struct report_observer_cost *c)
{
    lc_buf_puts(b, "Watching cost the target, as fetch times: stopping its world, ");
    item(b, "goroutine dumps", &c->goroutine_dumps);
    lc_buf_puts(b, ", ");
    item(b, "debug=2 dumps", &c->full_dumps);
    lc_buf_puts(b, ", ");
    item(b, "forced GCs", &c->forced_gcs);
    lc_buf_puts(b, "; not stopping it, ");
    item(b, "heap profiles", &c->heap_profiles);
    lc_buf_printf(b, "; %u rounds read the goroutine count, %u dumped", c->count_rounds,
                  c->dump_rounds);
    if (isfinite(c->target_cpu_s) && isfinite(c->cpu_window_s) && c->cpu_window_s > 0)
        lc_buf_printf(b, ". The target used %.2f CPU-s over %.1f s (%.1f%% of a core, its own work "
                      "included)",
                      c->target_cpu_s, c->cpu_window_s, 100 * c->target_cpu_s / c->cpu_window_s);
    lc_buf_puts(b, ".");
}

double report_cost_stopped_s(const struct report_observer_cost *c)
{
    return c->goroutine_dumps.seconds + c->full_dumps.seconds + c->forced_gcs.seconds;
}

double report_cost_longest_s(const struct report_observer_cost *c)
{
    return fmax(c->goroutine_dumps.max_seconds,
                fmax(c->full_dumps.max_seconds, c->forced_gcs.max_seconds));
}
