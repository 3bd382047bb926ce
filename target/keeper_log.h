/*
 * target/keeper_log.h (internal to the keeper): the target's stdout or
 * stderr, read from a pipe and kept in a file of bounded size. The file
 * keeps the first KEEPER_LOG_HEAD bytes and the last KEEPER_LOG_TAIL;
 * what lies between is dropped and a line in the file says how much.
 */
#ifndef LC_KEEPER_LOG_H
#define LC_KEEPER_LOG_H

#include <stddef.h>
#include <stdint.h>

#define KEEPER_LOG_HEAD (1024 * 1024)
#define KEEPER_LOG_TAIL (1024 * 1024)

struct keeper_log {
    int in;   /* the pipe's read end (non-blocking), -1 once it is closed */
    int file; /* the log file */
    uint64_t total;
    int capped; /* more than head + tail came: the file is head, line, tail */
    int dirty;  /* the tail changed since the file was last rewritten */
    char *ring; /* the last KEEPER_LOG_TAIL bytes */
    size_t ring_at;
};

/* Starts keeping what comes on in (made non-blocking) in file. */
void keeper_log_init(struct keeper_log *l, int in, int file);

/* Reads what the pipe holds now (all of it when drain is set, else one
 * read). Returns 0, or -1 once the pipe is closed (in is then -1). */
int keeper_log_read(struct keeper_log *l, int drain);

/* Rewrites the file's dropped-bytes line and tail when they changed. */
void keeper_log_flush(struct keeper_log *l);

/* Bytes dropped from the middle so far. */
uint64_t keeper_log_dropped(const struct keeper_log *l);

/* Closes the pipe and the file, frees the ring. */
void keeper_log_close(struct keeper_log *l);

#endif
