/*
 * tests/fuzz/fuzz_expr.c: the assertion language on arbitrary text: parse;
 * on failure render the caret under the reported column; on success check
 * and visit the metric references, classify it (expr_basis, the capped
 * references, time limits without a unit) and evaluate with a callback that answers
 * from a fixed table of awkward values (0, negatives, huge, tiny, NaN,
 * ±Inf) chosen by a hash of the reference, or fails for some references;
 * then again with trend(m)'s series: a sawtooth or a level of a length,
 * pace, warm-up and kind chosen by the hash, some points replaced by
 * awkward values (NaN gaps, ±Inf, huge).
 * The caret is also rendered at columns taken from the input.
 */
#include <math.h>

#include "assertions/expr.h"
#include "tests/fuzz/fuzz.h"

static const double values[] = {0,      1,     -1,       3,         2003,    0.5,
                                1e-300, 1e308, -1e308,   8e6,       1048576, 0.01,
                                250e-3, -0.0,  INFINITY, -INFINITY, NAN};

static int value_cb(const struct expr_metric *m, enum expr_reduce reduce, double *out,
                    struct lc_error *err, void *arg)
{
    (void)arg;
    FUZZ_CHECK(m->name && m->text && (m->nlabels == 0 || m->labels));
    uint32_t h = fuzz_hash(m->text) ^ (uint32_t)reduce * 2654435761u;
    if (h % 17 == 0)
        return -1; /* fails without a message: the evaluator must word one */
    if (h % 13 == 0) {
        lc_error_set(err, "no samples");
        return -1;
    }
    *out = values[h % LC_ARRAY_LEN(values)];
    return 0;
}

static int known_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg)
{
    (void)arg;
    if (fuzz_hash(m->text) % 11 != 0)
        return 1;
    if (hintlen)
        snprintf(hint, hintlen, "did you mean %s?", m->name);
    return 0;
}

static void visit_cb(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    size_t *count = arg;
    FUZZ_CHECK(m->name && m->text && (int)reduce >= EXPR_FINAL && reduce <= EXPR_TREND);
    for (size_t i = 0; i < m->nlabels; i++)
        FUZZ_CHECK(m->labels[i].name && m->labels[i].value);
    (*count)++;
}

/* A series for trend(m): t ascending (a pace of 0 repeats one time), a
 * rising sawtooth or level, every `every`-th value taken from the table. */
static int series_cb(const struct expr_metric *m, struct expr_series *out, struct lc_error *err,
                     void *arg)
{
    (void)arg;
    static const size_t lens[] = {0, 1, 2, 9, 49, 120, 600};
    static const double paces[] = {0.1, 1, 0, 1e-9, 3600, 1e300};
    static const double warmups[] = {-1, 0, 2, 1e308, NAN, -INFINITY};
    uint32_t h = fuzz_hash(m->text);
    if (h % 19 == 0) {
        lc_error_set(err, "no series");
        return -1;
    }
    size_t n = lens[h % LC_ARRAY_LEN(lens)], every = 1 + (h >> 8) % 23;
    double pace = paces[(h >> 4) % LC_ARRAY_LEN(paces)];
    out->n = n;
    out->t = lc_malloc((n ? n : 1) * sizeof(double));
    out->v = lc_malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        out->t[i] = (double)i * pace;
        out->v[i] = 1e6 + 1e3 * (double)i - (h & 1 ? 0 : 5e4 * (double)(i % 7));
        if (i % every == every - 1)
            out->v[i] = values[(h + i) % LC_ARRAY_LEN(values)];
    }
    out->warmup = warmups[(h >> 12) % LC_ARRAY_LEN(warmups)];
    out->kind = (enum expr_trend_kind)((h >> 16) % 3);
    out->bytes = (int)((h >> 20) & 1);
    return 0;
}

static int is_time_cb(const struct expr_metric *m, void *arg)
{
    (void)arg;
    return fuzz_hash(m->text) % 3 == 0;
}

static void use(struct expr *e, const char *text)
{
    struct lc_error err = {0};
    size_t visits = 0, capped = 0;
    FUZZ_CHECK(strcmp(expr_text(e), text) == 0);
    if (expr_check(e, known_cb, NULL, &err) != 0)
        FUZZ_CHECK(err.msg[0] != '\0');
    expr_visit(e, visit_cb, &visits);
    /* what it limits: capped references are some of the visited ones */
    FUZZ_CHECK(expr_basis(e) == EXPR_BASIS_LEVEL || expr_basis(e) == EXPR_BASIS_GROWTH);
    expr_visit_capped(e, visit_cb, &capped);
    FUZZ_CHECK(capped <= visits);
    memset(&err, 0, sizeof(err));
    if (expr_check_units(e, is_time_cb, NULL, &err))
        FUZZ_CHECK(err.msg[0] != '\0' && err.col >= 1 && (size_t)err.col <= strlen(text));
    struct expr_result res;
    memset(&err, 0, sizeof(err));
    if (expr_eval(e, value_cb, NULL, &res, &err) == 0)
        FUZZ_CHECK((res.passed == 0 || res.passed == 1) && res.message[0] != '\0');
    else
        FUZZ_CHECK(err.msg[0] != '\0');
    memset(&err, 0, sizeof(err));
    if (expr_eval_full(e, value_cb, series_cb, NULL, &res, &err) == 0)
        FUZZ_CHECK((res.passed == 0 || res.passed == 1) && res.message[0] != '\0');
    else
        FUZZ_CHECK(err.msg[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 1);
    struct lc_error err = {0};
    struct lc_buf out = {0};
    struct expr *e = expr_parse(text, &err);
    if (e) {
        use(e, text);
        expr_free(e);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0' && err.col >= 1);
        expr_caret(text, err.col, &out);
    }
    int cols[] = {0, -1, (int)size, (int)size + 2, size ? data[0] : 1};
    for (size_t i = 0; i < LC_ARRAY_LEN(cols); i++) {
        lc_buf_reset(&out);
        expr_caret(text, cols[i], &out);
    }
    lc_buf_free(&out);
    free(text);
    return 0;
}
