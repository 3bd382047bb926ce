/*
 * loadgen/grpc_int.h: what grpc_call.c and grpc_h2.c share (not public).
 */
#ifndef LC_GRPC_INT_H
#define LC_GRPC_INT_H

#include <nghttp2/nghttp2.h>

#include "loadgen/lg_int.h"

/* One kind of gRPC call, ready for nghttp2_submit_request. */
struct lg_grpc_call {
    nghttp2_nv *nva; /* :method :scheme :authority :path, then the headers */
    size_t nnva;
    char **strs; /* what nva points into */
    size_t nstrs;
    uint8_t *body; /* the framed message */
    size_t body_len;
};

#endif
