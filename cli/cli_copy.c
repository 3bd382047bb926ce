/* cli/cli_copy.c: copying a test's folder for `leakcheck merge`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/lc.h"

/* A report's folders are below its --out: deeper than this is not ours. */
#define COPY_MAX_DEPTH 16

static int copy_file(const char *src, const char *dst, struct lc_error *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out = -1, rc = -1;
    char buf[65536];
    if (in < 0) {
        lc_error_set(err, "%s: %s", src, strerror(errno));
        return -1;
    }
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) {
        lc_error_set(err, "%s: %s", dst, strerror(errno));
        goto cleanup;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n == 0)
            break;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            lc_error_set(err, "%s: %s", n < 0 ? src : dst, errno ? strerror(errno) : "short write");
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    if (out >= 0 && close(out) != 0 && rc == 0) {
        lc_error_set(err, "%s: %s", dst, strerror(errno));
        rc = -1;
    }
    close(in);
    return rc;
}

static int copy_tree(const char *src, const char *dst, int depth, struct lc_error *err)
{
    if (depth > COPY_MAX_DEPTH) {
        lc_error_set(err, "%s: folders nested deeper than %d", src, COPY_MAX_DEPTH);
        return -1;
    }
    DIR *d = opendir(src);
    if (!d) {
        lc_error_set(err, "%s: %s", src, strerror(errno));
        return -1;
    }
    int rc = lc_mkdirs(dst, err);
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *s = lc_asprintf("%s/%s", src, e->d_name), *t = lc_asprintf("%s/%s", dst, e->d_name);
        struct stat st;
        /* only what a run writes: files and folders; a link is not followed */
        if (lstat(s, &st) != 0) {
            lc_error_set(err, "%s: %s", s, strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode))
            rc = copy_tree(s, t, depth + 1, err);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(s, t, err);
        free(s);
        free(t);
    }
    closedir(d);
    return rc;
}

int cli_copy_test_dir(const char *from, const char *dir, const char *to, struct lc_error *err)
{
    int bad = dir[0] == '\0' || dir[0] == '/';
    for (const char *p = dir; !bad && *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : "") {
        size_t len = strcspn(p, "/");
        bad = (len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && p[0] == '.') || len == 0;
    }
    if (bad) {
        lc_error_set(err, "test folder \"%s\": not a folder below the report's", dir);
        return -1;
    }
    char *src = lc_asprintf("%s/%s", from, dir), *dst = lc_asprintf("%s/%s", to, dir);
    struct stat st;
    int rc = 0;
    /* a test that stopped before its folder was made has none to copy; a
     * link is not followed (a report could point it anywhere) */
    if (lstat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
        lc_error_set(err, "%s: not a folder", src);
        rc = -1;
    } else if (lstat(src, &st) == 0 || errno != ENOENT)
        rc = copy_tree(src, dst, 0, err);
    free(src);
    free(dst);
    return rc;
}
