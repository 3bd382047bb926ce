/* evserver.c: a libevent evhttp server used to capture raw responses for
 * tests/data/http (see ../README). Usage: evserver PORT */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

static void ok_cb(struct evhttp_request *req, void *arg)
{
    struct evbuffer *b = evbuffer_new();
    (void)arg;
    evbuffer_add_printf(b, "hello from evhttp\n");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static void chunk_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_send_reply_start(req, 200, "OK");
    for (int i = 0; i < 3; i++) {
        struct evbuffer *b = evbuffer_new();
        evbuffer_add_printf(b, "part %d\n", i);
        evhttp_send_reply_chunk(req, b);
        evbuffer_free(b);
    }
    evhttp_send_reply_end(req);
}

static void notfound_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_send_error(req, 404, NULL);
}

int main(int argc, char **argv)
{
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    if (argc < 2 ||
        evhttp_bind_socket(http, "127.0.0.1", (unsigned short)strtol(argv[1], NULL, 10)) != 0)
        return 1;
    evhttp_set_cb(http, "/ok", ok_cb, NULL);
    evhttp_set_cb(http, "/chunked", chunk_cb, NULL);
    evhttp_set_gencb(http, notfound_cb, NULL);
    event_base_dispatch(base);
    return 0;
}
