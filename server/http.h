/*
 * http.h - libmicrohttpd under the daemon: sockets in, srv_handle() out.
 */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "server.h"

struct srv_http;

/*
 * Listen on the options' address.  With http_threads 0 libmicrohttpd is
 * driven from loop on this thread; otherwise it runs its own threads and
 * loop only carries signals and timers.  NULL with a message in errbuf.
 */
struct srv_http *http_start(struct srv *s, uv_loop_t *loop, char *errbuf,
			    size_t len);
/* The port really bound (useful with port 0). */
unsigned http_port(const struct srv_http *h);
/* Requests waiting for the pool or the journal: http_stop may be
 * called only when there are none. */
unsigned http_suspended(const struct srv_http *h);
/* Stop accepting connections; requests under way go on. */
void http_quiesce(struct srv_http *h);
/* Close every connection and free h; call from the loop's thread. */
void http_stop(struct srv_http *h);

#endif
