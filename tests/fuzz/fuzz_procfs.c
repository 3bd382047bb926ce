/*
 * tests/fuzz/fuzz_procfs.c: the /proc text parsers on arbitrary text (NUL-
 * terminated, as procfs reads it): /proc/PID/net/tcp read as tcp and as
 * tcp6, the rows tallied against their own inodes, the status and
 * limits parsers; and the same bytes (exactly, NULs included) as an
 * environment block, GOGC and GOMEMLIMIT read off it as Go would.
 */
#include <math.h>
#include <sys/socket.h>

#include "sources/procfs.h"
#include "tests/fuzz/fuzz.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void tally(const struct procfs_tcp *rows, size_t n)
{
    uint64_t *inodes = lc_malloc((n ? n : 1) * sizeof(*inodes));
    for (size_t i = 0; i < n; i++) {
        inodes[i] = rows[i].inode;
        FUZZ_CHECK(procfs_tcp_state_name(rows[i].state) != NULL);
    }
    if (n)
        qsort(inodes, n, sizeof(*inodes), cmp_u64);
    struct procfs_sample out = {0};
    procfs_tally_tcp(rows, n, inodes, n, &out);
    FUZZ_CHECK(out.tcp_established + out.tcp_close_wait + out.tcp_listen <= (double)n);
    free(inodes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 1);
    struct procfs_tcp *rows = NULL;
    size_t n = 0, cap = 0;
    static const int families[] = {AF_INET, AF_INET6};
    for (size_t i = 0; i < LC_ARRAY_LEN(families); i++) {
        struct lc_error err = {0};
        size_t before = n;
        if (procfs_parse_net_tcp(text, families[i], &rows, &n, &cap, &err) != 0)
            FUZZ_CHECK(err.msg[0] != '\0');
        FUZZ_CHECK(n >= before && n <= cap);
    }
    tally(rows, n);
    free(rows);

    double threads, rss, soft;
    (void)procfs_parse_status(text, &threads, &rss);
    (void)procfs_parse_limits(text, &soft);
    free(text);

    char *env = fuzz_copy(data, size, 0);
    double gogc = procfs_parse_gogc(env, size), limit = procfs_parse_gomemlimit(env, size);
    FUZZ_CHECK(gogc == -1 || (gogc >= 0 && gogc <= 2147483647.0 && gogc == floor(gogc)));
    FUZZ_CHECK(limit >= 0 && limit == floor(limit)); /* INFINITY: none */
    free(env);
    return 0;
}
