/* tests/unit/prom_fixture.h: what the exposition parser's tests share:
 * the folder of captured expositions, reading and parsing a file of it
 * (failing the test when it does not parse), comparing values. */
#ifndef LC_TEST_PROM_FIXTURE_H
#define LC_TEST_PROM_FIXTURE_H

#include <stddef.h>

#include "sources/prom.h"

#define D "tests/data/prom/"

/* The contents of path (caller frees) and its length in *len; fails the
 * test when it cannot be read. */
char *load(const char *path, size_t *len);

/* prom_parse of the file at path; fails the test when it does not parse. */
struct prom_set *parse_file(const char *path);

/* prom_parse_only of the file at path with the nn names kept; fails the
 * test when it does not parse. */
struct prom_set *parse_file_only(const char *path, const char *const *names, size_t nn);

/* 1 when a and b are equal or both NaN, else 0. */
int same(double a, double b);

#endif
