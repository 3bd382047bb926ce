/*
 * tests/fuzz/fuzz_sockdiag.c: sockdiag_parse on arbitrary bytes, as one
 * datagram and copied to an odd address, with sequence ranges that take
 * every message and none; and sockdiag_bytecode on ports taken from the
 * input, read back by the kernel's audit and interpreter
 * (tests/unit/sockdiag_check.h): accepted by the audit, and accepting
 * exactly the listed ports.
 */
#include <sys/socket.h>

#include "sources/sockdiag.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/sockdiag_check.h"

static int seen_cb(uint32_t seq, int error, const struct sockdiag_sock *s, void *arg)
{
    size_t *n = arg;
    (void)seq;
    FUZZ_CHECK(error ? s == NULL && error < 0 && error >= -4095 : s != NULL);
    FUZZ_CHECK(!s || s->family == AF_INET || s->family == AF_INET6);
    FUZZ_CHECK(!s || (s->state >= 0 && s->state <= 255));
    (*n)++;
    return 0;
}

static void parse(const uint8_t *data, size_t size)
{
    char *odd = fuzz_copy(data, size, 1); /* size + 1 bytes: parse from odd + 1 */
    memmove(odd + 1, odd, size);
    size_t all = 0, none = 0;
    struct lc_error err = {0};
    int rc = sockdiag_parse(data, size, 0, UINT32_MAX, seen_cb, &all, &err);
    FUZZ_CHECK(rc == SOCKDIAG_MORE || rc == SOCKDIAG_DONE || (rc == -1 && err.msg[0]));
    /* the same bytes anywhere in memory parse the same */
    size_t again = 0;
    int rc2 = sockdiag_parse(odd + 1, size, 0, UINT32_MAX, seen_cb, &again, NULL);
    FUZZ_CHECK(rc2 == rc && again == all);
    /* with no sequence number in range nothing reaches the callback */
    rc2 = sockdiag_parse(data, size, 5, 5, seen_cb, &none, NULL);
    FUZZ_CHECK(none == 0);
    free(odd);
}

static void bytecode(const uint8_t *data, size_t size)
{
    uint16_t ports[SOCKDIAG_MAX_PORTS];
    size_t n = size / 2 < SOCKDIAG_MAX_PORTS ? size / 2 : SOCKDIAG_MAX_PORTS;
    for (size_t i = 0; i < n; i++)
        ports[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
    unsigned char bc[2048];
    size_t len = sockdiag_bytecode(ports, n, bc, sizeof(bc));
    FUZZ_CHECK((n == 0) == (len == 0));
    if (!len)
        return;
    FUZZ_CHECK(bc_audit(bc, (int)len) == 0);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(bc_run(bc, (int)len, ports[i], 0) == 1);
        uint16_t other = (uint16_t)(ports[i] + 1);
        int listed = 0;
        for (size_t k = 0; k < n; k++)
            listed |= ports[k] == other;
        FUZZ_CHECK(bc_run(bc, (int)len, other, ports[i]) == listed);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    bytecode(data, size);
    return 0;
}
