/*
 * framework/tcpcount_counters.c: the network namespace's TCP counters that
 * tell tcpcount.c whether a walk of the kernel's table is due: sockstat's
 * "TCP: ... tw N" (TIME_WAIT sockets now), netstat's TcpExt TW,
 * TWRecycled, TWKilled (TIME_WAIT sockets gone) and snmp's Tcp
 * ActiveOpens and PassiveOpens. snmp and netstat are pairs of lines, a
 * header of column names and a line of values, each starting with the
 * table's name ("Tcp:", "TcpExt:"; "MPTcpExt:" is another table).
 */
#include "framework/tcpcount.h"

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

/* "tw N" of sockstat's "TCP:" line. */
static int sockstat_tw(const char *text, uint64_t *v)
{
    const char *l = text && strncmp(text, "TCP:", 4) == 0 ? text : NULL;
    if (!l && text && (l = strstr(text, "\nTCP:")) != NULL)
        l++;
    const char *tw = l ? strstr(l, " tw ") : NULL;
    const char *eol = l ? strchr(l, '\n') : NULL;
    if (!tw || (eol && tw > eol))
        return -1;
    char *end;
    *v = strtoull(tw + 4, &end, 10);
    return end == tw + 4 ? -1 : 0;
}

int tcpcount_parse_counters(const char *sockstat, const char *snmp, const char *netstat,
                            struct tcpcount_counters *c)
{
    if (!sockstat || !snmp || !netstat)
        return -1;
    int bad = sockstat_tw(sockstat, &c->tw_now);
    bad |= column(snmp, "Tcp:", "PassiveOpens", &c->passive_opens);
    bad |= column(snmp, "Tcp:", "ActiveOpens", &c->active_opens);
    bad |= column(netstat, "TcpExt:", "TW", &c->tw_expired);
    bad |= column(netstat, "TcpExt:", "TWRecycled", &c->tw_recycled);
    bad |= column(netstat, "TcpExt:", "TWKilled", &c->tw_killed);
    return bad ? -1 : 0;
}

int tcpcount_read_counters(pid_t pid, struct lc_buf *b, struct tcpcount_counters *c)
{
    static const char *const files[] = {"net/sockstat", "net/snmp", "net/netstat"};
    size_t at[3];
    lc_buf_reset(b);
    for (size_t i = 0; i < 3; i++) {
        at[i] = b->len;
        if (procfs_append_text(pid, files[i], b) != 0)
            return -1;
        lc_buf_append(b, "", 1); /* keep each text's NUL */
    }
    return tcpcount_parse_counters(b->data + at[0], b->data + at[1], b->data + at[2], c);
}
