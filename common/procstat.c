/* common/procstat.c: one reader of /proc/PID/stat (see procstat.h). */
#include "common/procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lc_procstat_parse(const char *text, struct lc_procstat *out)
{
    const char *p = strrchr(text, ')');
    if (!p || p[1] != ' ' || p[2] == '\0' || p[3] != ' ')
        return -1;
    struct lc_procstat s = {.pid = (pid_t)strtol(text, NULL, 10), .state = p[2]};
    p += 3;
    /* after the state, fields 4..22: ppid pgrp session tty_nr tpgid flags
     * minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
     * num_threads itrealvalue starttime (priority and nice may be negative) */
    long long v[19];
    for (int i = 0; i < 19; i++) {
        char *end;
        errno = 0;
        v[i] = strtoll(p, &end, 10);
        if (end == p || errno)
            return -1;
        p = end;
    }
    s.ppid = (pid_t)v[0];
    s.pgrp = (pid_t)v[1];
    s.session = (pid_t)v[2];
    s.utime = (unsigned long long)v[10];
    s.stime = (unsigned long long)v[11];
    s.num_threads = (long)v[16];
    s.starttime = (unsigned long long)v[18];
    *out = s;
    return 0;
}

int lc_procstat_read(pid_t pid, struct lc_procstat *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf) - 1)) < 0 && errno == EINTR)
        ;
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return lc_procstat_parse(buf, out);
}
