/* bench/loadgen.c — a load generator for zhengce-searchd, on libevent.
 *
 * Opens N connections to the daemon and keeps D requests outstanding on
 * each (closed loop: a new request goes out when a reply comes back), until
 * a number of requests or a time limit is reached, whichever comes first.
 * Requests are PING, or lines from a file (one protocol request per line,
 * cycled; each connection starts at a different line).  Every reply's
 * latency is kept (bounded by --requests), so percentiles are exact.
 *
 *   loadgen --addr 127.0.0.1:7420 --conns 8 --ping --requests 200000 --duration 10
 *   loadgen --addr 127.0.0.1:7420 --conns 64 --queries mix.txt --duration 10
 *
 * Prints one line:  label conns depth requests errors secs qps p50 p99 p99.9
 * (milliseconds), or a JSON object with --json.  Exit status 0, 1 if any
 * reply was an error or a connection failed, 2 for usage.
 * Owns: only its own sockets and buffers; never touches the index.  The loop,
 * the options and the output are bench/loadloop.h's, shared with
 * bench/sphinxql_load.c; this file is the protocol: a request line out, a
 * reply line back. */
#include <string.h>

#include "loadloop.h"

static void lg_write(ll_conn *c, const char *line, size_t len)
{
    if (line == NULL)
        bufferevent_write(c->bev, "PING\n", 5);
    else
        bufferevent_write(c->bev, line, len);
}

/* One reply line: an error unless it starts {"ok":true. */
static int lg_on_input(ll_conn *c, struct evbuffer *in)
{
    struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
    if (p.pos < 0)
        return 0;
    char head[12] = "";
    evbuffer_copyout(in, head, sizeof head - 1);
    int error = strncmp(head, "{\"ok\":true", 10) != 0;
    evbuffer_drain(in, (size_t)p.pos + 1);
    ll_reply(c, error);
    return 1;
}

static const ll_proto lg_proto = {
    .name = "loadgen",
    .usage = "usage: loadgen --addr HOST:PORT [--conns N] [--depth D]\n"
             "               (--ping | --queries FILE) [--requests N] [--duration S]\n"
             "               [--label TEXT] [--json]\n",
    .noun = "request lines",
    .conn_size = sizeof(ll_conn),
    .options = LL_OPT_DEPTH | LL_OPT_JSON,
    .append_lf = 1,
    .write = lg_write,
    .on_input = lg_on_input,
};

int main(int argc, char **argv)
{
    return ll_main(&lg_proto, argc, argv);
}
