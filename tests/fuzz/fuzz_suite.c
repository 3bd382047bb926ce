/*
 * tests/fuzz/fuzz_suite.c: suite_load on arbitrary bytes. suite_load reads a
 * path, so each input is written to suite.json in a private temporary
 * directory (removed at exit; it also holds payloads/order.json, the
 * body_file the seed suites name), then loaded twice: with no port callback (as
 * `leakcheck validate` does) and with one that hands out ports and refuses
 * a port to the fifth test. A loaded suite is walked to check what the
 * header promises (absolute directories, NULL-terminated argv).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite/suite.h"
#include "tests/fuzz/fuzz.h"

static char dir[] = "/tmp/lc-fuzz-suite.XXXXXX";
static char *path, *payloads, *payload;

static void remove_dir(void)
{
    unlink(payload);
    rmdir(payloads);
    unlink(path);
    rmdir(dir);
    free(payload);
    free(payloads);
    free(path);
}

static const char *suite_path(void)
{
    static const char body[] = "{\"item\": \"book\", \"qty\": 2}\n";
    if (!path) {
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        path = lc_asprintf("%s/suite.json", dir);
        payloads = lc_asprintf("%s/payloads", dir);
        payload = lc_asprintf("%s/order.json", payloads);
        FUZZ_CHECK(mkdir(payloads, 0700) == 0);
        FUZZ_CHECK(lc_write_file_atomic(payload, body, sizeof(body) - 1, NULL) == 0);
        atexit(remove_dir);
    }
    return path;
}

static int port_cb(size_t index, void *arg)
{
    (void)arg;
    return index == 4 ? -1 : 20000 + (int)index;
}

static void walk(const struct suite *s)
{
    FUZZ_CHECK(s->name && s->dir && s->dir[0] == '/' && s->ntests >= 1);
    for (size_t i = 0; i < s->ntests; i++) {
        const struct suite_test *t = &s->tests[i];
        FUZZ_CHECK(t->name != NULL);
        FUZZ_CHECK(t->target.cwd == NULL || t->target.cwd[0] == '/');
        if (t->target.command)
            FUZZ_CHECK(t->target.ncommand >= 1 && t->target.command[t->target.ncommand] == NULL);
        for (size_t j = 0; j < t->nasserts; j++)
            FUZZ_CHECK(t->asserts[j] != NULL);
        for (size_t j = 0; j < t->load.nheaders; j++)
            FUZZ_CHECK(t->load.headers[j].name != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = suite_path();
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    FUZZ_CHECK(close(fd) == 0);
    for (int with_ports = 0; with_ports < 2; with_ports++) {
        struct lc_error err = {0};
        struct suite *s = suite_load(p, with_ports ? port_cb : NULL, NULL, &err);
        if (s) {
            walk(s);
            suite_free(s);
        } else {
            FUZZ_CHECK(err.msg[0] != '\0');
        }
    }
    return 0;
}
