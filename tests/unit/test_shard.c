/* tests/unit/test_shard.c: run --shard's split and its sources
 * (suite/shard.c), and merge's checks (reports/merge.c) on runs built in
 * memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "reports/merge.h"
#include "reports/report.h"
#include "suite/shard.h"

/* Durations recorded by tests/integration/shard.sh's unsharded run of
 * tests/integration/suites/shard12.json (seconds). */
static const struct {
    const char *name;
    double secs;
} recorded[] = {
    {"orders pass", 1.786177805},
    {"registrations are cleaned up", 1.173099318},
    {"orders hold no sockets", 1.799852441},
    {"orders keep the heap flat", 1.625952771},
    {"uploads leak descriptors", 2.273954033},
    {"uploads leak descriptors slowly", 4.242960626},
    {"quotes leak goroutines", 2.301309014},
    {"quotes leak goroutines at length", 5.435083067},
    {"statements grow the heap", 4.549778682},
    {"inventory leaks connections", 4.395253108},
    {"devices pile up close-wait sockets", 3.954936479},
    {"orders answer fast", 2.592911893},
};
#define NREC LC_ARRAY_LEN(recorded)

static void test_round_robin_by_name(void **state)
{
    (void)state;
    const char *names[NREC], *rev[NREC];
    unsigned of[NREC], of_rev[NREC], per[5] = {0};
    for (size_t i = 0; i < NREC; i++) {
        names[i] = recorded[i].name;
        rev[NREC - 1 - i] = recorded[i].name;
    }
    shard_assign(names, NULL, NREC, 4, of, NULL);
    shard_assign(rev, NULL, NREC, 4, of_rev, NULL);
    for (size_t i = 0; i < NREC; i++) {
        assert_in_range(of[i], 1, 4);
        per[of[i]]++;
        /* the suite's order does not matter, only the names */
        assert_int_equal(of[i], of_rev[NREC - 1 - i]);
    }
    for (unsigned s = 1; s <= 4; s++)
        assert_int_equal(per[s], 3);
    /* sorted by name, dealt round-robin: the first name goes to shard 1 */
    assert_int_equal(of[10], 1); /* "devices pile up close-wait sockets" */
}

static void test_balanced_by_recorded_durations(void **state)
{
    (void)state;
    const char *names[NREC];
    double d[NREC], planned[4], total = 0, longest = 0;
    unsigned of[NREC];
    for (size_t i = 0; i < NREC; i++) {
        names[i] = recorded[i].name;
        d[i] = recorded[i].secs;
        total += d[i];
    }
    shard_assign(names, d, NREC, 4, of, planned);
    double sum = 0;
    for (unsigned s = 0; s < 4; s++) {
        sum += planned[s];
        longest = fmax(longest, planned[s]);
    }
    assert_true(fabs(sum - total) < 1e-9);
    assert_true(longest <= 1.25 * total / 4); /* the bound */
    /* longest first onto the least loaded: 9.37 s of a mean 9.03 s here;
     * dealing the same order round-robin gives 11.19 s */
    assert_true(longest <= 1.05 * total / 4);
    /* the longest test is first onto shard 1 */
    assert_int_equal(of[7], 1);
    /* round-robin by name would do worse here */
    shard_assign(names, NULL, NREC, 4, of, NULL);
    double rr[5] = {0};
    for (size_t i = 0; i < NREC; i++)
        rr[of[i]] += d[i];
    assert_true(fmax(fmax(rr[1], rr[2]), fmax(rr[3], rr[4])) > longest);
}

static void test_unknown_durations_and_hostile(void **state)
{
    (void)state;
    const char *names[] = {"a", "b", "c", "d", "e"};
    double d[] = {NAN, 4, -1, 2, 1000};
    double planned[3];
    unsigned of[5];
    shard_assign(names, d, 5, 3, of, planned);
    /* a and c count as the mean of the known (4 + 2 + 1000) / 3 = 335.33 */
    assert_int_equal(of[4], 1); /* 1000 s alone on shard 1 */
    assert_true(fabs(planned[0] - 1000) < 1e-9);
    assert_true(of[0] != 1 && of[2] != 1 && of[0] != of[2]);
    /* more shards than tests: some run nothing, each test in one */
    unsigned many[5];
    shard_assign(names, NULL, 5, 9, many, NULL);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(many[i], i + 1);
    /* nothing known: every test counts 1 */
    double none[] = {NAN, NAN, NAN, NAN, NAN};
    shard_assign(names, none, 5, 2, of, planned);
    assert_true(planned[0] == 3 && planned[1] == 2);
}

static void test_resolve(void **state)
{
    (void)state;
    static const struct {
        struct shard_inputs in;
        int rc;
        unsigned index, count;
        const char *msg;
    } cases[] = {
        {{"2/4", NULL, NULL, NULL, NULL, NULL}, 0, 2, 4, NULL},
        {{"1/1", NULL, "3", "4", NULL, NULL}, 0, 1, 1, NULL}, /* the flag wins */
        {{NULL, NULL, "3", "4", NULL, NULL}, 0, 3, 4, NULL},
        {{NULL, NULL, "0", "4", NULL, NULL}, -1, 0, 0, "CI_NODE_INDEX"},
        {{NULL, NULL, "2", NULL, NULL, NULL}, -1, 0, 0, "go together"},
        {{NULL, NULL, NULL, NULL, "0", "4"}, 0, 1, 4, NULL},
        {{NULL, "4", NULL, NULL, "3", "2"}, 0, 4, 4, NULL}, /* the flag over the variable */
        {{NULL, NULL, NULL, NULL, "4", "4"}, -1, 0, 0, "from 0 to 3"},
        {{NULL, NULL, NULL, NULL, "0", NULL}, -1, 0, 0, "no shard count"},
        {{NULL, NULL, NULL, NULL, "-1", "4"}, -1, 0, 0, "from 0 to 3"},
        {{NULL, "4", NULL, NULL, NULL, NULL}, -1, 0, 0, "JOB_COMPLETION_INDEX"},
        {{NULL, NULL, NULL, NULL, NULL, "4"}, 0, 0, 0, NULL}, /* a count alone: no shard */
        {{"0/4", NULL, NULL, NULL, NULL, NULL}, -1, 0, 0, "from 1 to 4"},
        {{"4", NULL, NULL, NULL, NULL, NULL}, -1, 0, 0, "I/N"},
        {{"1/10001", NULL, NULL, NULL, NULL, NULL}, -1, 0, 0, "count must be"},
        {{" 1/2", NULL, NULL, NULL, NULL, NULL}, 0, 1, 2, NULL}, /* strtol takes blanks */
        {{"1/2 ", NULL, NULL, NULL, NULL, NULL}, -1, 0, 0, "count must be"},
        {{"99999999999999999999/2", NULL, NULL, NULL, NULL, NULL}, -1, 0, 0, "I/N"},
        {{NULL, NULL, NULL, NULL, NULL, NULL}, 0, 0, 0, NULL},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        struct shard_spec spec = {9, 9};
        struct lc_error err = {0};
        int rc = shard_resolve(&cases[i].in, &spec, &err);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].rc, err.msg);
        if (rc == 0 && (spec.index != cases[i].index || spec.count != cases[i].count))
            fail_msg("case %zu: %u/%u, want %u/%u", i, spec.index, spec.count, cases[i].index,
                     cases[i].count);
        if (rc != 0 && !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].msg);
    }
}

/* Shard idx of 2 of a plan where "a" is shard 1's and "b" shard 2's, having
 * run its test. */
static struct report_run *shard_run(unsigned idx, const char *hash)
{
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite_hash = lc_strdup(hash);
    r->shard = (struct report_shard){.index = idx, .count = 2, .n = 2};
    r->shard.names = lc_calloc(2, sizeof(char *));
    r->shard.of = lc_calloc(2, sizeof(unsigned));
    r->shard.names[0] = lc_strdup("a");
    r->shard.names[1] = lc_strdup("b");
    r->shard.of[0] = 1;
    r->shard.of[1] = 2;
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup(idx == 1 ? "a" : "b");
    t->verdict = idx == 1 ? REPORT_PASS : REPORT_FAIL;
    return r;
}

static void test_merge(void **state)
{
    (void)state;
    const char *labels[] = {"one", "two"};
    struct report_run *sh[2] = {shard_run(2, "h"), shard_run(1, "h")};
    struct lc_error err = {0};
    size_t *origin = NULL;
    struct report_run *m = report_merge(sh, labels, 2, &origin, &err);
    assert_non_null(m);
    assert_int_equal(m->ntests, 2);
    assert_string_equal(m->tests[0].name, "a"); /* plan order, not argument order */
    assert_int_equal(origin[0], 1);
    assert_int_equal(m->verdict, REPORT_FAIL);
    assert_int_equal(m->shard.merged, 2);
    report_run_free(m);
    free(origin);
    /* only one of two */
    assert_null(report_merge(sh, labels, 1, &origin, &err));
    assert_non_null(strstr(err.msg, "shard 1/2 missing"));
    report_run_free(sh[0]);
    report_run_free(sh[1]);
    /* another suite */
    sh[0] = shard_run(1, "h");
    sh[1] = shard_run(2, "other");
    assert_null(report_merge(sh, labels, 2, &origin, &err));
    assert_non_null(strstr(err.msg, "two: a different suite"));
    report_run_free(sh[1]);
    /* a test in both */
    sh[1] = shard_run(2, "h");
    free(sh[1]->tests[0].name);
    sh[1]->tests[0].name = lc_strdup("a");
    assert_null(report_merge(sh, labels, 2, &origin, &err));
    assert_non_null(strstr(err.msg, "two holds test \"a\""));
    report_run_free(sh[0]);
    report_run_free(sh[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_robin_by_name),
        cmocka_unit_test(test_balanced_by_recorded_durations),
        cmocka_unit_test(test_unknown_durations_and_hostile),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
