/* common/fileio.c: whole-file reads, atomic writes, mkdir -p. */
#include "common/lc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lc_write_file_atomic(const char *path, const void *data, size_t len, struct lc_error *err)
{
    char *tmp = lc_asprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0) {
        lc_error_set(err, "cannot create %s: %s", tmp, strerror(errno));
        goto cleanup;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            lc_error_set(err, "cannot write %s: %s", path, n < 0 ? strerror(errno) : "short write");
            goto cleanup;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        lc_error_set(err, "cannot write %s: fsync: %s", path, strerror(errno));
        goto cleanup;
    }
    int cfd = fd;
    fd = -1;
    if (close(cfd) != 0) {
        lc_error_set(err, "cannot write %s: close: %s", path, strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        lc_error_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

char *lc_read_file(const char *path, size_t max, size_t *len, struct lc_error *err)
{
    struct lc_buf b = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        lc_error_set(err, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > max) {
            lc_error_set(err, "%s is larger than %zu bytes", path, max);
            goto fail;
        }
        lc_buf_append(&b, chunk, n);
    }
    if (ferror(f)) {
        lc_error_set(err, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    fclose(f);
    lc_buf_append(&b, "", 0);
    if (len)
        *len = b.len;
    return b.data;
fail:
    fclose(f);
    lc_buf_free(&b);
    return NULL;
}

int lc_mkdirs(const char *path, struct lc_error *err)
{
    char *p = lc_strdup(path);
    int rc = 0;
    for (char *s = p + 1; ; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            lc_error_set(err, "cannot create directory %s: %s", p, strerror(errno));
            rc = -1;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}
