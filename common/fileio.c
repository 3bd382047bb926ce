/* common/fileio.c: whole-file reads, atomic writes, mkdir -p. */
#include "common/lc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A PATH.tmp.PID older than this is no write under way (a report is
 * written in well under a second): PID may be in another PID namespace
 * (a container sharing the folder) where kill() cannot see it. */
#define STALE_TEMP_S (10 * 60)

/* Removes the PATH.tmp.PID files a writer killed mid-write left beside
 * path: regular files, PID a process that is gone, not modified for
 * STALE_TEMP_S. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? lc_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : lc_strdup(".");
    const char *base = slash ? slash + 1 : path;
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    time_t now = time(NULL);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, base, bl) != 0 || strncmp(e->d_name + bl, ".tmp.", 5) != 0)
            continue;
        const char *pid = e->d_name + bl + 5;
        size_t pl = strlen(pid);
        if (pl == 0 || pl > 9 || pid[0] == '0' || strspn(pid, "0123456789") != pl)
            continue;
        long v = strtol(pid, NULL, 10);
        struct stat st;
        if (v == (long)getpid() || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || now - st.st_mtime < STALE_TEMP_S)
            continue;
        if (kill((pid_t)v, 0) != 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d)
        closedir(d);
    free(dir);
}

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
    remove_stale_temps(path);
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
    FILE *f = fopen(path, "rb");
    if (!f) {
        lc_error_set(err, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    /* read straight into a buffer of the file's size (plus the NUL and a
     * byte to see the end), growing it only when the file grows */
    struct stat st;
    size_t cap = 65536, n = 0, limit = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uintmax_t)st.st_size < max)
        cap = (size_t)st.st_size + 2;
    char *data = lc_malloc(cap);
    for (;;) {
        size_t got = fread(data + n, 1, cap - 1 - n, f);
        n += got;
        if (n > max) {
            lc_error_set(err, "%s is larger than %zu bytes", path, max);
            goto fail;
        }
        if (n < cap - 1)
            break; /* end of file or an error */
        cap = cap > limit / 2 ? limit : cap * 2;
        data = lc_realloc(data, cap);
    }
    if (ferror(f)) {
        lc_error_set(err, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    fclose(f);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
fail:
    fclose(f);
    free(data);
    return NULL;
}

int lc_mkdirs(const char *path, struct lc_error *err)
{
    char *p = lc_strdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
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
