/* target/ports.h: free loopback ports for the targets a suite starts. */
#ifndef LC_PORTS_H
#define LC_PORTS_H

#include <stddef.h>

/*
 * A TCP port that nothing is bound to, chosen below the kernel's ephemeral
 * range (/proc/sys/net/ipv4/ip_local_port_range) so that no outgoing
 * connection, the load generator's included, can take it between now and
 * the moment the target binds it; never one of taken[0..ntaken). Returns
 * -1 when no such port is found.
 */
int ports_pick(const int *taken, size_t ntaken);

#endif
