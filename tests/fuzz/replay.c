/*
 * tests/fuzz/replay.c: a main for the fuzz targets when libFuzzer is not
 * linked (the ordinary build): runs every file named on the command line,
 * or found directly in a directory named there, through
 * LLVMFuzzerTestOneInput once. A path that does not exist is skipped (an
 * empty regress/ folder is not kept by git); running no file at all is a
 * failure, so a wrong path cannot pass unnoticed. A crash or a failed
 * check aborts, which fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#define REPLAY_MAX_BYTES (4u << 20)

static int run_file(const char *path)
{
    struct lc_error err = {0};
    size_t len = 0;
    char *text = lc_read_file(path, REPLAY_MAX_BYTES, &len, &err);
    if (!text) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return -1;
    }
    /* an exact-size copy, as libFuzzer passes it */
    uint8_t *data = lc_malloc(len ? len : 1);
    memcpy(data, text, len);
    free(text);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the regular files directly inside dir, in name order. Returns the
 * number run, or -1 on a read error. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        lc_grow((void **)&names, &cap, n + 1, sizeof(*names));
        names[n++] = lc_asprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    long ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran = run_file(names[i]) == 0 ? ran + 1 : -1;
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long ran;
        if (stat(argv[i], &st) != 0) {
            printf("replay: %s does not exist, skipped\n", argv[i]);
            continue;
        }
        if (S_ISDIR(st.st_mode))
            ran = run_dir(argv[i]);
        else
            ran = run_file(argv[i]) == 0 ? 1 : -1;
        if (ran < 0)
            return 1;
        printf("replay: %s: %ld inputs\n", argv[i], ran);
        total += ran;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input was run\n");
        return 1;
    }
    return 0;
}
