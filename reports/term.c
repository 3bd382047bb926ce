/* reports/term.c: stdout and stderr through the sanitiser (see term.h). */
#include "reports/term.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "reports/text.h"

/* An escape sequence cut by a stream's flush is kept back this long for
 * the next write; a longer one (an OSC never terminated) is dropped. */
#define CARRY_MAX 512

struct guard {
    int fd;
    FILE *raw;
    size_t ncarry;
    char carry[CARRY_MAX];
};

static struct guard guards[2];
static int guarded;

/* Writes all of buf to fd; errors are dropped (there is nowhere to say). */
static void write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* 1 when the escape sequence at p (p[0] is ESC) is not finished before end. */
static int escape_open(const char *p, const char *end)
{
    if (p + 1 >= end)
        return 1;
    if (p[1] == '[') {
        for (p += 2; p < end; p++)
            if (*p < 0x20 || *p > 0x3F)
                return 0;
        return 1;
    }
    if (p[1] == ']') {
        for (p += 2; p < end; p++)
            if (*p == 0x07 || *p == 0x1B)
                return p[0] == 0x1B && p + 1 >= end;
        return 1;
    }
    return 0;
}

/* How many bytes at the end of [s, end) are an unfinished UTF-8 sequence
 * or escape sequence, to keep back for the next write. */
static size_t unfinished(const char *s, const char *end)
{
    const char *from = end - (end - s > CARRY_MAX ? CARRY_MAX : end - s);
    for (const char *p = end; p > from;) {
        p--;
        if (*p == 0x1B) {
            if (escape_open(p, end))
                return (size_t)(end - p);
            break;
        }
    }
    for (size_t back = 1; back <= 3 && end - (ptrdiff_t)back >= s; back++) {
        unsigned char c = (unsigned char)end[-(ptrdiff_t)back];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

/* Cleans [s, s+n) (NUL bytes split it: they are control characters) onto fd. */
static void emit(struct guard *g, const char *s, size_t n)
{
    struct lc_buf text = {0}, out = {0};
    lc_buf_append(&text, s, n);
    for (size_t at = 0; at < n;) {
        report_text_clean(&out, text.data + at, 0);
        at += strlen(text.data + at) + 1;
    }
    write_all(g->fd, out.data, out.len);
    lc_buf_free(&out);
    lc_buf_free(&text);
}

static ssize_t guard_write(void *cookie, const char *buf, size_t size)
{
    struct guard *g = cookie;
    struct lc_buf all = {0};
    lc_buf_append(&all, g->carry, g->ncarry);
    lc_buf_append(&all, buf, size);
    size_t keep = unfinished(all.data, all.data + all.len);
    emit(g, all.data, all.len - keep);
    g->ncarry = keep;
    memcpy(g->carry, all.data + all.len - keep, keep);
    lc_buf_free(&all);
    return (ssize_t)size;
}

static FILE *guard_open(struct guard *g, FILE *raw, int fd, int mode)
{
    g->fd = fd;
    g->raw = raw;
    cookie_io_functions_t io = {.write = guard_write};
    FILE *f = fopencookie(g, "w", io);
    if (f)
        setvbuf(f, NULL, mode, BUFSIZ);
    return f;
}

void report_term_guard(void)
{
    if (guarded)
        return;
    int out_mode = isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF;
    FILE *out = guard_open(&guards[0], stdout, STDOUT_FILENO, out_mode);
    FILE *err = guard_open(&guards[1], stderr, STDERR_FILENO, _IONBF);
    if (!out || !err) {
        if (out)
            fclose(out);
        if (err)
            fclose(err);
        return;
    }
    fflush(stdout);
    stdout = out;
    stderr = err;
    guarded = 1;
}

FILE *report_term_raw(FILE *f)
{
    fflush(f);
    if (guarded && f == stdout)
        return guards[0].raw;
    if (guarded && f == stderr)
        return guards[1].raw;
    return f;
}
