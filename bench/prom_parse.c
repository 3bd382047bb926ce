/*
 * bench/prom_parse.c: parses one /metrics file with prom_parse, or with
 * prom_parse_only when metric names follow the file, then frees what it
 * parsed, and prints how many samples were kept. The parse and the free
 * are in parse_and_free, for callgrind's --toggle-collect. bench/parse_cost.sh builds it against a
 * build directory's libraries and runs it under callgrind and /usr/bin/time.
 *
 *   prom_parse FILE [NAME...]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sources/prom.h"

/* Parses and frees: what the bench counts instructions of. */
__attribute__((noinline)) static size_t parse_and_free(const char *text, size_t len,
                                                       const char *const *names, size_t nnames,
                                                       struct lc_error *err)
{
    struct prom_set *s =
        nnames ? prom_parse_only(text, len, names, nnames, err) : prom_parse(text, len, err);
    size_t n = s ? s->nsamples : SIZE_MAX;
    prom_free(s);
    return n;
}

int main(int argc, char **argv)
{
    struct lc_error err = {0};
    size_t len = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: prom_parse FILE [NAME...]\n");
        return 2;
    }
    char *text = lc_read_file(argv[1], 1u << 30, &len, &err);
    if (!text) {
        fprintf(stderr, "prom_parse: %s\n", err.msg);
        return 1;
    }
    const char *const *names = (const char *const *)argv + 2;
    size_t nnames = (size_t)argc - 2;
    size_t kept = parse_and_free(text, len, names, nnames, &err);
    free(text);
    if (kept == SIZE_MAX) {
        fprintf(stderr, "prom_parse: %s:%d:%d: %s\n", argv[1], err.line, err.col, err.msg);
        return 1;
    }
    printf("%zu bytes, %zu samples kept\n", len, kept);
    return 0;
}
