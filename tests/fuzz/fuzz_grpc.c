/*
 * tests/fuzz/fuzz_grpc.c: the gRPC response codec (loadgen/grpc.c) on
 * arbitrary bytes, read as what the HTTP/2 layer hands over for one call:
 * a sequence of records, each a type byte (low 2 bits: 0 a header field,
 * 1 a trailer field, 2 DATA bytes, 3 a header field named from a fixed
 * list) and a length byte, then that many bytes (a field: a name-length
 * byte, the name, the value). The call is read twice, its DATA fed whole
 * and byte by byte: grpc.h promises the outcome never depends on how the
 * body was cut, so the two readings must agree (outcome, status, messages,
 * bytes, reason); and a grpc-message must come back printable ASCII.
 */
#include "loadgen/grpc.h"
#include "tests/fuzz/fuzz.h"

static const char *const known[] = {":status",       "content-type", "grpc-status", "grpc-message",
                                    "grpc-encoding", "te",           "Grpc-Status", "x-junk"};

struct reading {
    enum grpc_outcome out;
    struct grpc_resp r;
};

static void read_call(const uint8_t *data, size_t size, int bytewise, struct reading *rd)
{
    struct grpc_resp *r = &rd->r;
    grpc_resp_init(r);
    size_t pos = 0;
    while (pos + 2 <= size) {
        unsigned type = data[pos] & 3;
        size_t len = data[pos + 1];
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        char *rec = fuzz_copy(data + pos, len, 0); /* exact size for ASan */
        pos += len;
        if (type == 2) {
            size_t step = bytewise ? 1 : (len ? len : 1);
            for (size_t i = 0; i < len; i += step)
                grpc_resp_data(r, (const uint8_t *)rec + i, len - i < step ? len - i : step);
            if (len == 0)
                grpc_resp_data(r, (const uint8_t *)rec, 0);
        } else if (type == 3 && len >= 1) {
            const char *name = known[(unsigned char)rec[0] % (sizeof known / sizeof known[0])];
            grpc_resp_field(r, rec[0] & 8, name, strlen(name), rec + 1, len - 1);
        } else if (len >= 1) {
            size_t nlen = (unsigned char)rec[0] < len ? (unsigned char)rec[0] : len - 1;
            grpc_resp_field(r, type == 1, rec + 1, nlen, rec + 1 + nlen, len - 1 - nlen);
        }
        free(rec);
    }
    rd->out = grpc_resp_end(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct reading a, b;
    read_call(data, size, 0, &a);
    read_call(data, size, 1, &b);
    FUZZ_CHECK(a.out == b.out && a.r.status == b.r.status && a.r.frames == b.r.frames &&
               a.r.msg_bytes == b.r.msg_bytes);
    FUZZ_CHECK((a.r.why == NULL) == (b.r.why == NULL));
    FUZZ_CHECK(!a.r.why || strcmp(a.r.why, b.r.why) == 0);
    FUZZ_CHECK(strcmp(a.r.message, b.r.message) == 0);
    switch (a.out) {
    case GRPC_OUT_OK:
        FUZZ_CHECK(a.r.status == 0 && a.r.why == NULL);
        break;
    case GRPC_OUT_STATUS:
        FUZZ_CHECK(a.r.status > 0);
        break;
    default:
        FUZZ_CHECK(a.r.why != NULL);
    }
    for (const char *m = a.r.message; *m; m++)
        FUZZ_CHECK(*m >= 0x20 && *m < 0x7f);
    char text[GRPC_MESSAGE_LEN + 64];
    grpc_resp_describe(&a.r, text, sizeof text);
    return 0;
}
