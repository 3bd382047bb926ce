/*
 * common/lc.h: the few helpers every leakcheck module shares: allocation that
 * aborts on out-of-memory, an error record, a growable byte buffer, time,
 * Go-style durations and atomic file writes.
 */
#ifndef LC_H
#define LC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define LC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LC_PRINTF(f, a)
#endif

#define LC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Ceilings on a load, shared by the engine (loadgen.h) and the suite
 * reader, which says why: more connections than one client address has
 * local ports cannot all be open to one server port; beyond this rate one
 * machine cannot send and a schedule only means "as fast as possible";
 * beyond a year time conversions overflow. */
#define LC_MAX_CONCURRENCY 50000u
#define LC_MAX_RATE 1e6
#define LC_MAX_SECONDS (366.0 * 86400.0)
/* HTTP/2 streams per connection (connections x streams <= LC_MAX_CONCURRENCY) */
#define LC_MAX_STREAMS 1000u

/* Allocation: these never return NULL; they print a message and abort when
 * memory runs out; free what they return with free(). */
void *lc_malloc(size_t n);
void *lc_calloc(size_t count, size_t size);
void *lc_realloc(void *p, size_t n);
char *lc_strdup(const char *s);
char *lc_strndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; caller frees. */
char *lc_asprintf(const char *fmt, ...) LC_PRINTF(1, 2);

/* Grows *items (of *cap elements of size elem) so that it holds at least
 * need elements; doubles the capacity. */
void lc_grow(void **items, size_t *cap, size_t need, size_t elem);

/* An error: a message and, where there is one, a 1-based line and column
 * (0 when not known). Functions take an optional `struct lc_error *err`. */
struct lc_error {
    char msg[1024];
    int line;
    int col;
};

/* Fills err (when not NULL) with a message; line and col set to 0. */
void lc_error_set(struct lc_error *err, const char *fmt, ...) LC_PRINTF(2, 3);
/* Fills err (when not NULL) with a message at line/col. */
void lc_error_at(struct lc_error *err, int line, int col, const char *fmt, ...) LC_PRINTF(4, 5);
/* Puts "prefix: " in front of err's message (when err is not NULL). */
void lc_error_prefix(struct lc_error *err, const char *fmt, ...) LC_PRINTF(2, 3);

/* A growable byte buffer, always NUL-terminated after lc_buf_* calls.
 * Initialise with {0}; release with lc_buf_free. */
struct lc_buf {
    char *data;
    size_t len;
    size_t cap;
};
void lc_buf_append(struct lc_buf *b, const void *data, size_t n);
void lc_buf_puts(struct lc_buf *b, const char *s);
void lc_buf_printf(struct lc_buf *b, const char *fmt, ...) LC_PRINTF(2, 3);
void lc_buf_vprintf(struct lc_buf *b, const char *fmt, va_list ap);
void lc_buf_reset(struct lc_buf *b);
void lc_buf_free(struct lc_buf *b);

/* Seconds from CLOCK_MONOTONIC, for durations. */
double lc_now(void);
/* Seconds since the epoch from the wall clock, for timestamps in reports. */
double lc_wall(void);
/* Formats a wall-clock time as RFC 3339 UTC ("2026-11-21T20:23:06.123Z") into out. */
void lc_format_time(double wall, char *out, size_t outlen);

/*
 * Parses a Go-style duration ("250ms", "5s", "1m30s", "1.5h", "0", "100us")
 * into seconds. Units: ns us µs ms s m h. Returns 0, or -1 with a message
 * in err for anything else (negative values included).
 */
int lc_parse_duration(const char *s, double *seconds, struct lc_error *err);

/*
 * Parses a decimal number without regard to the locale (the program never
 * calls setlocale, so strtod reads '.' as the decimal point). Accepts what
 * Go's ParseFloat does for the exposition format: NaN, +Inf, -Inf, exponents.
 * *end receives the first unparsed character. Returns 0 or -1 when no number.
 */
int lc_parse_double(const char *s, const char **end, double *out);

/*
 * Reads the plain decimal at the start of s[0..n),
 * [+-]DIGITS[.DIGITS][(e|E)[+-]DIGITS] (digits on at least one side of the
 * point), when one IEEE operation gives its value exactly rounded: at most
 * 19 significant digits worth at most 2^53, and a power of ten within +-22
 * (0 takes any). Returns how many bytes it read, with *out the value strtod
 * gives for them; or 0 when s does not start with such a decimal (NaN,
 * Inf, hex, blanks, a longer or larger number), which strtod must then
 * read. What may follow is the caller's business. The fast path of the
 * /metrics parser: most sample values are such decimals.
 */
size_t lc_parse_decimal(const char *s, size_t n, double *out);

/* The value 0..15 of hex digit c (either case), or -1. Inline: the HTTP
 * parser calls it for every digit of a chunk size. */
static inline int lc_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Writes data to path so that a reader never sees a half-written file: a
 * temporary file beside it (PATH.tmp.PID), every write checked, fsync,
 * then rename. Once written, removes the PATH.tmp.PID files a writer
 * killed mid-write left (PID gone, the file untouched for 10 minutes). Returns 0, or -1 with a
 * message naming the path and the system error.
 */
int lc_write_file_atomic(const char *path, const void *data, size_t len, struct lc_error *err);

/* Reads a whole file (at most max bytes; more is an error) into a new buffer,
 * NUL-terminated; *len gets its length. Returns NULL with err on failure. */
char *lc_read_file(const char *path, size_t max, size_t *len, struct lc_error *err);

/* Creates a directory and its parents (like mkdir -p). Returns 0 or -1 with err. */
int lc_mkdirs(const char *path, struct lc_error *err);

/* Levenshtein distance between a and b (bytes), for "did you mean"
 * suggestions. Strings longer than 64 bytes compare as very far apart. */
int lc_edit_distance(const char *a, const char *b);

/* Returns the candidate nearest to word when it is close enough to be a
 * likely typo (distance <= 2, or 1 for words of 3 bytes or fewer), or NULL. */
const char *lc_suggest(const char *word, const char *const *candidates, size_t n);

/* Returns url with its password replaced by "***" (user:***@host), or a
 * plain copy when it has none; caller frees. */
char *lc_redact_url(const char *url);

/* 1 when a header of that name carries a secret (Authorization, Cookie,
 * Proxy-Authorization, ...) whose value must not appear in reports. */
int lc_secret_header(const char *name);

#endif
