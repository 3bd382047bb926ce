/*
 * tests/unit/sockdiag_check.h: an independent reading of inet_diag
 * bytecode, shared by test_sockdiag.c and tests/fuzz/fuzz_sockdiag.c: the
 * kernel's audit (net/ipv4/inet_diag.c: inet_diag_bc_audit, valid_cc) and
 * its interpreter (inet_diag_bc_run), for the port operations only.
 */
#ifndef LC_TEST_SOCKDIAG_CHECK_H
#define LC_TEST_SOCKDIAG_CHECK_H

#include <linux/inet_diag.h>
#include <stdint.h>
#include <string.h>

static inline struct inet_diag_bc_op bc_op(const unsigned char *bc, int at)
{
    struct inet_diag_bc_op op;
    memcpy(&op, bc + at, sizeof(op));
    return op;
}

/* 1 when remaining length cc is reached by following "yes" from the start. */
static inline int bc_valid_cc(const unsigned char *bc, int len, int cc)
{
    int at = 0;
    while (len >= 0) {
        struct inet_diag_bc_op op = bc_op(bc, at);
        if (cc > len)
            return 0;
        if (cc == len)
            return 1;
        if (op.yes < 4 || op.yes & 3)
            return 0;
        len -= op.yes;
        at += op.yes;
    }
    return 0;
}

/* 0 when the kernel would accept the program, -1 when not. */
static inline int bc_audit(const unsigned char *bc, int total)
{
    int len = total, at = 0;
    if (len < (int)sizeof(struct inet_diag_bc_op))
        return -1;
    while (len > 0) {
        int min_len = sizeof(struct inet_diag_bc_op);
        if (len < (int)sizeof(struct inet_diag_bc_op))
            return -1;
        struct inet_diag_bc_op op = bc_op(bc, at);
        switch (op.code) {
        case INET_DIAG_BC_S_GE:
        case INET_DIAG_BC_S_LE:
        case INET_DIAG_BC_D_GE:
        case INET_DIAG_BC_D_LE:
            min_len += sizeof(struct inet_diag_bc_op);
            if (len < min_len)
                return -1;
            break;
        case INET_DIAG_BC_JMP:
        case INET_DIAG_BC_NOP:
            break;
        default:
            return -1;
        }
        if (op.code != INET_DIAG_BC_NOP) {
            if (op.no < min_len || op.no > len + 4 || op.no & 3)
                return -1;
            if (op.no < len && !bc_valid_cc(bc, total, len - op.no))
                return -1;
        }
        if (op.yes < min_len || op.yes > len + 4 || op.yes & 3)
            return -1;
        at += op.yes;
        len -= op.yes;
    }
    return len == 0 ? 0 : -1;
}

/* 1 when the (audited) program accepts a socket with these ports. */
static inline int bc_run(const unsigned char *bc, int len, uint16_t sport, uint16_t dport)
{
    int at = 0;
    while (len > 0) {
        struct inet_diag_bc_op op = bc_op(bc, at);
        int yes = 1;
        uint16_t arg =
            op.code == INET_DIAG_BC_NOP || op.code == INET_DIAG_BC_JMP ? 0 : bc_op(bc, at + 4).no;
        switch (op.code) {
        case INET_DIAG_BC_JMP:
            yes = 0;
            break;
        case INET_DIAG_BC_S_GE:
            yes = sport >= arg;
            break;
        case INET_DIAG_BC_S_LE:
            yes = sport <= arg;
            break;
        case INET_DIAG_BC_D_GE:
            yes = dport >= arg;
            break;
        case INET_DIAG_BC_D_LE:
            yes = dport <= arg;
            break;
        }
        int step = yes ? op.yes : op.no;
        len -= step;
        at += step;
    }
    return len == 0;
}

#endif
