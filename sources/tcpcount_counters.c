/*
 * sources/tcpcount_counters.c: the network namespace's TCP counters that
 * tell tcpcount.c whether a walk of the kernel's table is due:
 * /proc/PID/net/snmp's Tcp ActiveOpens and PassiveOpens (connections
 * made and accepted). snmp is pairs of lines, a header of column names
 * and a line of values, each starting with the table's name ("Tcp:";
 * "TcpExt:" in netstat is another table).
 */
#include "sources/tcpcount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The value in column `name` of the two-line table `prefix` ("Tcp:"). */
static int column(const char *text, const char *prefix, const char *name, uint64_t *v)
{
    size_t pl = strlen(prefix), nl = strlen(name);
    const char *head = text;
    while (head && strncmp(head, prefix, pl) != 0)
        head = (head = strchr(head, '\n')) ? head + 1 : NULL;
    const char *vals = head ? strchr(head, '\n') : NULL;
    if (!vals || strncmp(++vals, prefix, pl) != 0)
        return -1;
    const char *h = head + pl, *x = vals + pl;
    for (;;) {
        h += strspn(h, " ");
        x += strspn(x, " ");
        size_t hl = strcspn(h, " \n"), xl = strcspn(x, " \n");
        if (hl == 0 || xl == 0)
            return -1;
        if (hl == nl && strncmp(h, name, nl) == 0) {
            char *end;
            errno = 0;
            *v = strtoull(x, &end, 10);
            return errno || end != x + xl ? -1 : 0;
        }
        h += hl;
        x += xl;
    }
}

int tcpcount_parse_counters(const char *snmp, struct tcpcount_counters *c)
{
    if (!snmp)
        return -1;
    int bad = column(snmp, "Tcp:", "PassiveOpens", &c->passive_opens);
    bad |= column(snmp, "Tcp:", "ActiveOpens", &c->active_opens);
    return bad ? -1 : 0;
}

int tcpcount_read_counters(pid_t pid, struct lc_buf *b, struct tcpcount_counters *c)
{
    lc_buf_reset(b);
    if (procfs_append_text(pid, "net/snmp", b) != 0)
        return -1;
    return tcpcount_parse_counters(b->data, c);
}
