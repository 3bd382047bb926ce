/*
 * loadgen/stats.c: the figures beyond counts: error messages (distinct
 * texts, as hey shows them), the phases of each complete response (hey's
 * Details), body sizes, per-response records for -o csv, and their merge
 * across workers for a snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/lg_int.h"

void lg_count_error(struct lg_worker *w, enum loadgen_err kind, const char *msg)
{
    struct lg_counters *k = &w->c;
    lg_inc(&k->by_kind[kind], 1);
    lg_inc(&k->errors, 1);
    lg_inc(&k->requests, 1);
    lg_note_message(w, msg);
}

void lg_note_message(struct lg_worker *w, const char *msg)
{
    struct lg_counters *k = &w->c;
    unsigned n = atomic_load_explicit(&k->nmsg, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        if (strncmp(k->msg[i], msg, LOADGEN_MSG_LEN - 1) == 0) {
            lg_inc(&k->msg_n[i], 1);
            return;
        }
    if (n == LG_MSGS) {
        lg_inc(&k->msg_other, 1);
        return;
    }
    snprintf(k->msg[n], LOADGEN_MSG_LEN, "%s", msg);
    lg_inc(&k->msg_n[n], 1);
    /* the text is complete before a reader may see the slot */
    atomic_store_explicit(&k->nmsg, n + 1, memory_order_release);
}

static void phase(struct lg_counters *k, int i, uint64_t v, int first)
{
    lg_inc(&k->ph_sum[i], v);
    if (first || v < lg_get(&k->ph_min[i]))
        atomic_store_explicit(&k->ph_min[i], v, memory_order_relaxed);
    if (v > lg_get(&k->ph_max[i]))
        atomic_store_explicit(&k->ph_max[i], v, memory_order_relaxed);
}

static void keep_record(struct lg_conn *c, uint64_t now, const uint64_t ph[LOADGEN_PHASES])
{
    struct lg_worker *w = c->w;
    if (w->nrec == w->maxrec)
        return;
    if (w->nrec == w->caprec) {
        w->caprec = w->caprec ? w->caprec * 2 : 1024;
        w->caprec = w->caprec > w->maxrec ? w->maxrec : w->caprec;
        w->rec = lc_realloc(w->rec, w->caprec * sizeof *w->rec);
    }
    struct loadgen_record *r = &w->rec[w->nrec++];
    r->total = (float)((double)(now > c->t_start ? now - c->t_start : 0) / 1e9);
    r->dial = (float)((double)ph[0] / 1e9);
    r->write = (float)((double)ph[1] / 1e9);
    r->wait = (float)((double)ph[2] / 1e9);
    r->read = (float)((double)ph[3] / 1e9);
    r->offset = (float)((double)(c->t_start > w->lg->t0 ? c->t_start - w->lg->t0 : 0) / 1e9);
    r->status = c->hp.status;
    r->grpc_status = (int8_t)(w->lg->cfg.grpc ? lg_grpc_record_code(c->h2ctx) : -1);
}

void lg_record_phases(struct lg_conn *c, uint64_t now)
{
    struct lg_counters *k = &c->w->c;
    uint64_t wrote = c->t_wrote > c->t_ready ? c->t_wrote : c->t_ready;
    uint64_t first = c->t_first > wrote ? c->t_first : wrote;
    uint64_t ph[LOADGEN_PHASES] = {
        c->dial_ns,
        wrote - c->t_ready,
        first - wrote,
        now > first ? now - first : 0,
    };
    c->dial_ns = 0; /* the next response on this connection reuses it */
    int first_one = lg_get(&k->ph_n) == 0;
    for (int i = 0; i < LOADGEN_PHASES; i++)
        phase(k, i, ph[i], first_one);
    lg_inc(&k->ph_n, 1);
    lg_inc(&k->body_bytes, c->hp.body_bytes);
    if (c->w->maxrec)
        keep_record(c, now, ph);
}

static void merge_msgs(struct loadgen_stats *out, struct lg_counters *k)
{
    unsigned n = atomic_load_explicit(&k->nmsg, memory_order_acquire);
    out->msgs_other += lg_get(&k->msg_other);
    for (unsigned i = 0; i < n; i++) {
        size_t j = 0;
        while (j < out->nmsgs && strcmp(out->msgs[j].text, k->msg[i]) != 0)
            j++;
        if (j == out->nmsgs && out->nmsgs == LOADGEN_MAX_MSGS) {
            out->msgs_other += lg_get(&k->msg_n[i]);
            continue;
        }
        if (j == out->nmsgs)
            memcpy(out->msgs[out->nmsgs++].text, k->msg[i], LOADGEN_MSG_LEN);
        out->msgs[j].n += lg_get(&k->msg_n[i]);
    }
}

static int by_count(const void *a, const void *b)
{
    const struct loadgen_errmsg *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->text, y->text);
}

void lg_stats_merge(struct loadgen *lg, struct loadgen_stats *out)
{
    uint64_t n = 0, sum[LOADGEN_PHASES] = {0};
    for (unsigned w = 0; w < lg->nworkers; w++) {
        struct lg_counters *k = &lg->workers[w].c;
        out->body_bytes += lg_get(&k->body_bytes);
        out->tls_handshakes += lg_get(&k->tls_handshakes);
        out->tls_resumed += lg_get(&k->tls_resumed);
        merge_msgs(out, k);
        uint64_t kn = lg_get(&k->ph_n);
        for (int i = 0; kn && i < LOADGEN_PHASES; i++) {
            sum[i] += lg_get(&k->ph_sum[i]);
            double lo = (double)lg_get(&k->ph_min[i]) / 1e9,
                   hi = (double)lg_get(&k->ph_max[i]) / 1e9;
            out->ph_min[i] = n == 0 || lo < out->ph_min[i] ? lo : out->ph_min[i];
            out->ph_max[i] = hi > out->ph_max[i] ? hi : out->ph_max[i];
        }
        n += kn;
    }
    for (int i = 0; n && i < LOADGEN_PHASES; i++)
        out->ph_mean[i] = (double)sum[i] / 1e9 / (double)n;
    for (unsigned s = 0; s < 600; s++)
        out->responses += out->status[s];
    qsort(out->msgs, out->nmsgs, sizeof out->msgs[0], by_count);
}

size_t loadgen_records(const struct loadgen *lg,
                       void (*cb)(const struct loadgen_record *r, void *arg), void *arg)
{
    size_t n = 0;
    for (unsigned w = 0; lg->workers && w < lg->nworkers; w++)
        for (size_t i = 0; i < lg->workers[w].nrec; i++, n++)
            if (cb)
                cb(&lg->workers[w].rec[i], arg);
    return n;
}
