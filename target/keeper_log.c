/* target/keeper_log.c: a target's log with its head and tail kept (see
 * keeper_log.h). Runs in the keeper, a fork of leakcheck. */
#include "target/keeper_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void keeper_log_init(struct keeper_log *l, int in, int file)
{
    memset(l, 0, sizeof(*l));
    l->in = in;
    l->file = file;
    l->ring = malloc(KEEPER_LOG_TAIL);
    fcntl(in, F_SETFL, O_NONBLOCK);
}

static void pwrite_all(int fd, const char *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a full disk or `ulimit -f`: the log stays short */
        p += w;
        n -= (size_t)w;
        at += w;
    }
}

/* Keeps buf[0..n) as the newest bytes of the ring. */
static void ring_put(struct keeper_log *l, const char *buf, size_t n)
{
    if (!l->ring)
        return;
    if (n > KEEPER_LOG_TAIL) {
        buf += n - KEEPER_LOG_TAIL;
        n = KEEPER_LOG_TAIL;
    }
    size_t first = KEEPER_LOG_TAIL - l->ring_at < n ? KEEPER_LOG_TAIL - l->ring_at : n;
    memcpy(l->ring + l->ring_at, buf, first);
    memcpy(l->ring, buf + first, n - first);
    l->ring_at = (l->ring_at + n) % KEEPER_LOG_TAIL;
}

static void put(struct keeper_log *l, const char *buf, size_t n)
{
    ring_put(l, buf, n);
    if (!l->capped && l->total + n <= (uint64_t)KEEPER_LOG_HEAD + KEEPER_LOG_TAIL)
        pwrite_all(l->file, buf, n, (off_t)l->total);
    else
        l->capped = l->dirty = l->ring != NULL;
    l->total += n;
}

int keeper_log_read(struct keeper_log *l, int drain)
{
    char buf[65536];
    while (l->in >= 0) {
        ssize_t n = read(l->in, buf, sizeof(buf));
        if (n > 0) {
            put(l, buf, (size_t)n);
            if (!drain)
                return 0;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        close(l->in);
        l->in = -1;
    }
    return -1;
}

uint64_t keeper_log_dropped(const struct keeper_log *l)
{
    uint64_t kept = (uint64_t)KEEPER_LOG_HEAD + KEEPER_LOG_TAIL;
    return l->capped && l->total > kept ? l->total - kept : 0;
}

void keeper_log_flush(struct keeper_log *l)
{
    if (!l->dirty)
        return;
    l->dirty = 0;
    char line[200];
    int n = snprintf(line, sizeof(line),
                     "\n[leakcheck: %llu bytes of this log dropped here; it keeps the first %d "
                     "and the last %d bytes]\n",
                     (unsigned long long)keeper_log_dropped(l), KEEPER_LOG_HEAD, KEEPER_LOG_TAIL);
    off_t at = KEEPER_LOG_HEAD;
    if (ftruncate(l->file, at) != 0)
        return;
    pwrite_all(l->file, line, (size_t)n, at);
    at += n;
    /* the ring is full once capped: its oldest byte is at ring_at */
    pwrite_all(l->file, l->ring + l->ring_at, KEEPER_LOG_TAIL - l->ring_at, at);
    pwrite_all(l->file, l->ring, l->ring_at, at + (off_t)(KEEPER_LOG_TAIL - l->ring_at));
}

void keeper_log_close(struct keeper_log *l)
{
    if (l->in >= 0)
        close(l->in);
    if (l->file >= 0)
        close(l->file);
    l->in = l->file = -1;
    free(l->ring);
    l->ring = NULL;
}
