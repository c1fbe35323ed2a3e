/*
 * sink.h — where a run's results go. The model writes metrics, summary values, token
 * flows and applied interventions through this interface and knows nothing of where
 * they land: store/ provides a SQLite sink, memsink.h an in-memory one for tests and
 * for evaluating criteria. Any callback may be NULL (ignored). A callback returns 0 on
 * success; non-zero aborts the run with that status.
 */
#ifndef CRC_SINK_H
#define CRC_SINK_H

typedef struct crc_sink {
    void *ctx;
    /* One sample of a metric at time t (every epoch). */
    int (*metric)(void *ctx, double t, const char *name, double value);
    /* One value of the run summary (final values, drawdown, attacker profit, ...). */
    int (*summary)(void *ctx, const char *name, double value);
    /* Tokens moved from one class/account to another for a reason during the epoch
     * ending at t (tallied per epoch, not per transfer). */
    int (*flow)(void *ctx, double t, const char *src, const char *dst, const char *reason,
                double amount_tkn);
    /* A governance intervention applied at time t. */
    int (*intervention)(void *ctx, double t, const char *path, const char *value);
} crc_sink;

static inline int sink_metric(const crc_sink *s, double t, const char *name, double v)
{
    return s && s->metric ? s->metric(s->ctx, t, name, v) : 0;
}
static inline int sink_summary(const crc_sink *s, const char *name, double v)
{
    return s && s->summary ? s->summary(s->ctx, name, v) : 0;
}
static inline int sink_flow(const crc_sink *s, double t, const char *src, const char *dst,
                            const char *reason, double amount)
{
    return s && s->flow ? s->flow(s->ctx, t, src, dst, reason, amount) : 0;
}
static inline int sink_intervention(const crc_sink *s, double t, const char *path,
                                    const char *value)
{
    return s && s->intervention ? s->intervention(s->ctx, t, path, value) : 0;
}

#endif
