/*
 * common/grpcname.h: what the suite loader and the load engine both check
 * of a gRPC call: the method's name and the request message's size.
 */
#ifndef LC_GRPCNAME_H
#define LC_GRPCNAME_H

#include "common/lc.h"

/* The largest request message: grpc-go servers refuse more than 4 MiB. */
#define GRPCNAME_MAX_MESSAGE (4u << 20)

/* Checks that method is "/package.Service/Method": two non-empty names of
 * visible ASCII characters (no '?' or '#'). Returns 0, or -1 with err
 * quoting it. */
int grpcname_check(const char *method, struct lc_error *err);

#endif
