/*
 * metrics.c — the metrics of MODEL.md §7, sampled every epoch, the per-epoch token
 * flows, and the run summary (docs/model.md §metrics).
 */
#include "model/metrics.h"
#include "model/world/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_sort.h>

#include "model/adversary/attack.h"

/* For x >= 0 (and -0), the bit pattern of a double read as an integer increases with x:
 * exponent, then mantissa. So its top bits name a range of values, narrower where the
 * values are small; a bucket is one such range. */
static uint64_t sort_key(double x)
{
    uint64_t k;
    memcpy(&k, &x, sizeof k);
    return k & ~((uint64_t)1 << 63);
}

/* Sorts v[0..n) ascending by insertion: for a few values. */
static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double e = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > e; j--)
            v[j] = v[j - 1];
        v[j] = e;
    }
}

/* Sorts v[0..n) ascending: a quicksort (median of three, Hoare's partition, which splits
 * runs of equal values evenly) down to insertion-sorted runs of 16, recursing into the
 * smaller part so the depth stays under log2 n. For the crowded buckets of met_sort,
 * where gsl_sort's heapsort was 3-4% of a baseline year. */
static void quick_sort(double *v, size_t n)
{
    while (n > 16) {
        size_t m = n / 2;
        double a = v[0], b = v[m], c = v[n - 1];
        double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < p)
                i++;
            while (p < v[j])
                j--;
            if (i >= j)
                break;
            double t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* v[0..j] <= p <= v[j+1..n) */
        size_t left = j + 1;
        if (left < n - left) {
            quick_sort(v, left);
            v += left;
            n -= left;
        } else {
            quick_sort(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

void met_sort(double *x, size_t n, double *tmp, uint32_t *cnt)
{
    if (!tmp || !cnt || n < 64) {
        gsl_sort(x, 1, n);
        return;
    }
    /* Negative values (rare: an agent that paid out more than it got) go to the front
     * and are sorted as they are. */
    size_t neg = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] < 0) {
            double v = x[i];
            x[i] = x[neg];
            x[neg++] = v;
        }
    gsl_sort(x, 1, neg);
    double *y = x + neg;
    size_t m = n - neg;
    if (m < 2)
        return;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t k = sort_key(y[i]);
        kmin = k < kmin ? k : kmin;
        kmax = k > kmax ? k : kmax;
    }
    /* The narrowest buckets that make at most MET_SORT_COUNTS(n) - 1 of them. */
    size_t nb_max = MET_SORT_COUNTS(n) - 1;
    unsigned shift = 0;
    while (shift < 63 && ((kmax - kmin) >> shift) >= nb_max)
        shift++;
    size_t nb = (size_t)((kmax - kmin) >> shift) + 1;
    memset(cnt, 0, (nb + 1) * sizeof *cnt);
    for (size_t i = 0; i < m; i++)
        cnt[((sort_key(y[i]) - kmin) >> shift) + 1]++;
    for (size_t b = 1; b <= nb; b++)
        cnt[b] += cnt[b - 1];
    for (size_t i = 0; i < m; i++)
        tmp[cnt[(sort_key(y[i]) - kmin) >> shift]++] = y[i];
    /* cnt[b] is now the end of bucket b, and so the start of bucket b + 1. A bucket
     * holds one or two values: an insertion sort in place costs less than a call to
     * gsl_sort (a heapsort) each, which was 5% of a baseline year; a crowded one is
     * quick-sorted. Up to n + 1 buckets, not n/4 + 1: rewards spread over many binades
     * and bunch in a few, so a quarter as many buckets left ~40 of 20-70 values an
     * epoch to the quicksort (1.26 M mispredicted branches a baseline year, now 0.80 M).
     * The sorted array is the same whatever the sort. */
    for (size_t b = 0, start = 0; b < nb; start = cnt[b++]) {
        size_t len = cnt[b] - start;
        if (len > 16)
            quick_sort(tmp + start, len);
        else
            insertion_sort(tmp + start, len);
    }
    memcpy(y, tmp, m * sizeof *y);
}

double met_gini(double *x, size_t n, double *tmp, uint32_t *cnt)
{
    if (n == 0)
        return 0;
    /* Zeros (agents paid nothing this epoch, often most of them) need no sorting: move
     * the nonzero values to the front, sort those, and index the sorted sequence as if
     * the z zeros sat between the negative and the positive values. The sums are those
     * of the fully sorted array, term for term. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0)
            x[k++] = x[i];
    size_t z = n - k;
    met_sort(x, k, tmp, cnt);
    double sum = 0, wsum = 0;
    for (size_t i = 0; i < k; i++) {
        size_t rank = x[i] < 0 ? i + 1 : i + 1 + z;
        sum += x[i];
        wsum += (double)rank * x[i];
    }
    if (!(sum > 0))
        return 0;
    /* G = 2 Σ i x_(i) / (n Σ x) − (n + 1)/n, x sorted ascending, i from 1. */
    return 2.0 * wsum / ((double)n * sum) - ((double)n + 1.0) / (double)n;
}

double met_hhi(const double *x, size_t n)
{
    double sum = 0, h = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    if (!(sum > 0))
        return 0;
    for (size_t i = 0; i < n; i++)
        h += (x[i] / sum) * (x[i] / sum);
    return h;
}

long met_nakamoto(double *x, size_t n, double *tmp, uint32_t *cnt)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    if (!(sum > 0))
        return 0;
    met_sort(x, n, tmp, cnt);
    double acc = 0;
    long k = 0;
    for (size_t i = n; i-- > 0;) {
        acc += x[i];
        k++;
        if (acc > 0.5 * sum)
            break;
    }
    return k;
}

/* The classes that metrics name per class (MODEL.md §7). */
static const int reward_classes[] = {CLS_HONEST,  CLS_SPAMMER,      CLS_POISONER, CLS_BUILDER,
                                     CLS_COMPUTE, CLS_FAKE_COMPUTE, CLS_FARMER,   CLS_STAKER};
#define N_RC (sizeof reward_classes / sizeof *reward_classes)

typedef struct emitter {
    world *w;
    double t;
    int rc;
    int next; /* where the next metric's latest value sits if the order is last epoch's */
    int next_name; /* where the next per-class metric's name sits, likewise */
} emitter;

static void put(emitter *e, const char *name, double v)
{
    world *w = e->w;
    if (!isfinite(v))
        v = 0;
    if (e->rc == 0)
        e->rc = sink_metric(w->sink, e->t, name, v);
    /* Remember the latest value of each metric for the summary's final.* values. The
     * metrics come in the same order every epoch, so the slot after the last one is
     * tried first (the names are unique: the slot found is the one the search finds). */
    int h = e->next;
    if (h < w->n_last && w->last_name[h] == name) {
        w->last_val[h] = v;
        e->next = h + 1;
        return;
    }
    for (int i = 0; i < w->n_last; i++)
        if (w->last_name[i] == name || strcmp(w->last_name[i], name) == 0) {
            w->last_val[i] = v;
            e->next = i + 1;
            return;
        }
    if (w->n_last < WLD_MAX_METRICS) {
        w->last_name[w->n_last] = name;
        w->last_val[w->n_last++] = v;
        e->next = w->n_last;
    }
}

/* Whether name is "<prefix>.<cls>", compared piece by piece. */
static int class_metric_is(const char *name, const char *prefix, const char *cls)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] == '.' && strcmp(name + n + 1, cls) == 0;
}

static void put_class(emitter *e, const char *prefix, int cls, double v)
{
    /* Metric names must outlive the run's summary: use the world's name table. The
     * per-class metrics come in the same order every epoch, so the name after the last
     * one found is tried first, without formatting it (the names are unique: a match
     * there is the one the search finds). */
    world *w = e->w;
    int h = e->next_name;
    if (h < w->n_names && class_metric_is(w->names[h], prefix, class_name(cls))) {
        e->next_name = h + 1;
        put(e, w->names[h], v);
        return;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "%s.%s", prefix, class_name(cls));
    for (int i = 0; i < w->n_names; i++)
        if (strcmp(w->names[i], buf) == 0) {
            e->next_name = i + 1;
            put(e, w->names[i], v);
            return;
        }
    if (w->n_names < WLD_MAX_METRICS) {
        snprintf(w->names[w->n_names], sizeof w->names[0], "%s", buf);
        e->next_name = w->n_names + 1;
        put(e, w->names[w->n_names++], v);
    }
}

/* Room for n values, then met_sort's room for k of them and their bucket counts. */
static int ensure_scratch(world *w, uint32_t n, uint32_t k)
{
    if (n > UINT32_MAX - k ||
        wld_grow((void **)&w->scratch, sizeof *w->scratch, &w->cap_scratch, n + k))
        return -1;
    return wld_grow((void **)&w->scratch_cnt, sizeof *w->scratch_cnt, &w->cap_scratch_cnt,
                    (uint32_t)MET_SORT_COUNTS(k));
}

/* The price-formation metrics, each only while its mechanism is on (docs/model.md §6). */
static void met_market(emitter *e, const world *w)
{
    const crc_params *p = &w->p;
    const market *m = &w->tok->mkt;
    if (p->lp_enabled) {
        put(e, "lp_depth_usd", 2.0 * w->A->y);
        put(e, "lp_return", m->lp.rho);
    }
    if (p->ref_mode != REF_NONE) {
        put(e, "reference_price", m->arb.P);
        put(e, "arb_volume_usd", fabs(m->arb.usd_epoch));
        put(e, "arb_gain_usd", m->arb.gain_epoch);
    }
    if (p->hold_capital > 0) {
        put(e, "holder_tkn", m->sp.acct == UINT32_MAX ? 0 : ledger_balance(w->L, m->sp.acct));
        put(e, "holder_target", m->sp.target);
    }
}

int met_epoch(world *w, double t)
{
    emitter e = {w, t, 0, 0, 0};
    token *tok = w->tok;
    ledger *L = w->L;
    double price = amm_price(w->A);
    double emitted = tok->em.emitted_epoch;
    double emission_usd = emitted * price;
    put(&e, "price_usd", price);
    put(&e, "supply", ledger_supply(L));
    put(&e, "minted", ledger_minted_epoch(L));
    put(&e, "burned", ledger_burned_epoch(L));
    put(&e, "emitted_tkn", emitted);
    put(&e, "circulating", token_circulating(tok));
    put(&e, "treasury_tkn", ledger_balance(L, ledger_system(L, CLS_TREASURY)));
    put(&e, "treasury_spent_usd", tok->tr.spent_usd_epoch);
    put(&e, "staked_tkn", staking_total(tok->stake));
    met_market(&e, w);
    put(&e, "ext_queries", w->ep_ext_queries);
    put(&e, "wash_queries", w->ep_wash_queries);
    put(&e, "ext_fee_usd", w->ep_ext_fee_usd);
    put(&e, "wash_fee_usd", w->ep_wash_fee_usd);
    put(&e, "emission_usd", emission_usd);
    double ry = emission_usd > 0 ? w->ep_ext_fee_usd / emission_usd
                                 : (w->ep_ext_fee_usd > 0 ? WLD_YIELD_CAP : 0);
    if (ry > WLD_YIELD_CAP)
        ry = WLD_YIELD_CAP;
    put(&e, "real_yield", ry);
    if (ry >= 1 && w->t_real_yield < 0)
        w->t_real_yield = t;
    double fees = w->ep_ext_fee_usd + w->ep_wash_fee_usd;
    put(&e, "self_ref_share", fees > 0 ? w->ep_wash_fee_usd / fees : 0);

    wld_builders *bd = &w->bd;
    double qsum = 0, listed = 0, backdoored = 0;
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive && bd->r[b].listed) {
            listed += 1;
            qsum += bd->r[b].Q;
            backdoored += bd->r[b].backdoor;
        }
    double mq = w->ep_ext_queries > 0 ? w->ep_q_sum / w->ep_ext_queries
                                      : (listed > 0 ? qsum / listed : 0);
    put(&e, "mean_model_quality", mq);
    put(&e, "listed_models", listed);
    double pois = 0, cnt = 0, dups = 0;
    for (uint32_t d = 0; d < w->dn.n; d++) {
        pois += w->dn.poisoned[d];
        cnt += w->dn.count[d];
        dups += w->dn.dups[d];
    }
    put(&e, "data_count", cnt);
    put(&e, "duplicate_share", cnt > 0 ? dups / cnt : 0);
    put(&e, "poisoned_share", cnt > 0 ? pois / cnt : 0);
    put(&e, "backdoored_models", backdoored);
    put(&e, "harm_rate", w->ep_ext_queries > 0 ? w->ep_harm / w->ep_ext_queries : 0);
    put(&e, "consumers", (double)w->cs.n);
    double allq = w->ep_ext_queries + w->ep_inc_queries;
    put(&e, "incumbent_share", allq > 0 ? w->ep_inc_queries / allq : 0);
    put(&e, "demand_queries", allq);
    put(&e, "incumbent_quality", w->ls.q_inc);

    double total = 0, adv = 0;
    for (size_t c = 0; c < N_RC; c++) {
        int k = reward_classes[c];
        put_class(&e, "reward_tkn", k, w->cls[k].ep_tkn);
        total += w->cls[k].ep_tkn;
        if (k == CLS_SPAMMER || k == CLS_POISONER || k == CLS_FAKE_COMPUTE || k == CLS_FARMER)
            adv += w->cls[k].ep_tkn;
    }
    put(&e, "farmer_capture", total > 0 ? adv / total : 0);
    for (size_t c = 0; c < N_RC; c++)
        put_class(&e, "roi", reward_classes[c], wld_acc_roi(&w->cls[reward_classes[c]].acc));
    for (size_t c = 0; c < N_RC; c++)
        put_class(&e, "active", reward_classes[c], (double)w->cls[reward_classes[c]].active);

    /* Gini of this epoch's rewards over every agent of the rewarded classes. */
    wld_providers *pv = &w->pv;
    wld_nodes *nd = &w->nd;
    uint32_t n_ag = pv->n + bd->n + nd->n + w->sk.n + w->fm.n;
    /* met_sort sorts at most the Gini's sample or the nodes. */
    uint32_t n_sort = n_ag < WLD_GINI_SAMPLE ? n_ag : WLD_GINI_SAMPLE;
    if (n_sort < nd->n)
        n_sort = nd->n;
    if (ensure_scratch(w, n_ag + WLD_REGIONS, n_sort))
        return CRC_ENOMEM;
    double *x = w->scratch, *sort_tmp = x + n_ag + WLD_REGIONS;
    size_t m = 0;
    for (uint32_t i = 0; i < pv->n; i++)
        x[m++] = pv->ep_tkn[i];
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive)
            x[m++] = bd->r[b].ep_tkn;
    for (uint32_t n = 0; n < nd->n; n++)
        if (nd->r[n].alive && !nd->r[n].leaving)
            x[m++] = nd->r[n].ep_tkn;
    for (uint32_t i = 0; i < w->sk.n; i++)
        x[m++] = w->sk.ep_tkn[i];
    for (uint32_t i = 0; i < w->fm.n; i++)
        x[m++] = w->fm.ep_tkn[i];
    /* Beyond WLD_GINI_SAMPLE agents the Gini is estimated on a uniform sample without
     * replacement (partial Fisher-Yates, its own stream), so an epoch sorts at most that
     * many values; the sampling error is O(1/sqrt(sample)). */
    if (m > WLD_GINI_SAMPLE) {
        gsl_rng *r = wld_rng(w, RNG_METRICS);
        for (size_t i = 0; i < WLD_GINI_SAMPLE; i++) {
            size_t j = i + gsl_rng_uniform_int(r, (unsigned long)(m - i));
            double tmp = x[i];
            x[i] = x[j];
            x[j] = tmp;
        }
        m = WLD_GINI_SAMPLE;
    }
    put(&e, "reward_gini", met_gini(x, m, sort_tmp, w->scratch_cnt));

    put(&e, "compute_hhi", met_hhi(w->region_work, WLD_REGIONS));
    {
        static const char *const share_names[WLD_REGIONS] = {
            "compute_share.us", "compute_share.eu", "compute_share.asia", "compute_share.nordic"};
        static const char *const ratio_names[WLD_REGIONS] = {
            "compute_income_cost.us", "compute_income_cost.eu", "compute_income_cost.asia",
            "compute_income_cost.nordic"};
        double tot = 0;
        for (int r = 0; r < WLD_REGIONS; r++)
            tot += w->region_work[r];
        for (int r = 0; r < WLD_REGIONS; r++)
            put(&e, share_names[r], tot > 0 ? w->region_work[r] / tot : 0);
        for (int r = 0; r < WLD_REGIONS; r++)
            put(&e, ratio_names[r],
                w->region_acc[r].C > 0 ? w->region_acc[r].R / w->region_acc[r].C : 0);
    }
    m = 0;
    for (uint32_t n = 0; n < nd->n; n++)
        if (nd->r[n].ep_work > 0)
            x[m++] = nd->r[n].ep_work;
    put(&e, "nakamoto", (double)met_nakamoto(x, m, sort_tmp, w->scratch_cnt));
    put(&e, "latency_mean", w->ep_lat_n > 0 ? w->ep_lat_sum / w->ep_lat_n : 0);
    put(&e, "audits", w->ep_audits);
    put(&e, "detected", w->ep_detected);
    put(&e, "slashed_tkn", w->ep_slashed);
    if (!e.rc)
        e.rc = atk_metrics(w, t);
    if (e.rc)
        return e.rc;

    /* Token flows between classes for each reason, tallied by the ledger. */
    long every = (long)w->p.world_flows_every;
    if (every > 0 && w->epoch % every == 0) {
        for (int s = 0; s <= CLS_COUNT; s++)
            for (int d = 0; d <= CLS_COUNT; d++) {
                if (!ledger_flow_row_any(L, s, d))
                    continue; /* most pairs of classes trade nothing */
                for (int r = 0; r < RSN_COUNT; r++) {
                    double a = ledger_flow(L, s, d, r);
                    if (a != 0) {
                        int rc = sink_flow(w->sink, t, class_name(s), class_name(d),
                                           reason_name(r), a);
                        if (rc)
                            return rc;
                    }
                }
            }
    }
    double peak = w->price_peak > price ? w->price_peak : price;
    w->price_peak = peak;
    if (peak > 0 && 1.0 - price / peak > w->drawdown)
        w->drawdown = 1.0 - price / peak;
    return CRC_OK;
}

int met_summary(world *w)
{
    const crc_sink *s = w->sink;
    int rc = 0;
    char buf[96];
    for (int i = 0; i < w->n_last && !rc; i++) {
        snprintf(buf, sizeof buf, "final.%s", w->last_name[i]);
        rc = sink_summary(s, buf, w->last_val[i]);
    }
    if (!rc)
        rc = sink_summary(s, "price_drawdown", w->drawdown);
    if (!rc)
        /* "never" is NaN (stored NULL), not a number that averages into nonsense. */
        rc = sink_summary(s, "days_to_real_yield", w->t_real_yield < 0 ? NAN : w->t_real_yield);
    double att_cost = 0, att_income = 0;
    static const int cls[] = {CLS_HONEST,  CLS_SPAMMER,      CLS_POISONER, CLS_BUILDER,
                              CLS_COMPUTE, CLS_FAKE_COMPUTE, CLS_FARMER,   CLS_STAKER};
    for (size_t c = 0; c < sizeof cls / sizeof *cls && !rc; c++) {
        const wld_class *k = &w->cls[cls[c]];
        const char *nm = class_name(cls[c]);
        struct { const char *f; double v; } rows[] = {
            {"cost_usd", k->cum_cost},         {"reward_tkn", k->cum_tkn},
            {"reward_usd", k->cum_usd},        {"income_usd", k->cum_income_usd},
            {"profit_usd", k->cum_income_usd - k->cum_cost},
            {"entered", (double)k->entered},   {"exited", (double)k->exited}};
        for (size_t r = 0; r < sizeof rows / sizeof *rows && !rc; r++) {
            snprintf(buf, sizeof buf, "%s.%s", rows[r].f, nm);
            rc = sink_summary(s, buf, rows[r].v);
        }
        if (cls[c] == CLS_SPAMMER || cls[c] == CLS_POISONER || cls[c] == CLS_FAKE_COMPUTE ||
            cls[c] == CLS_FARMER) {
            att_cost += k->cum_cost;
            att_income += k->cum_income_usd;
        }
    }
    if (!rc)
        rc = sink_summary(s, "attack_cost_usd", att_cost);
    if (!rc)
        rc = sink_summary(s, "attacker_profit_usd", att_income - att_cost);
    if (!rc)
        rc = atk_summary(w);
    if (!rc)
        rc = sink_summary(s, "queries_total", w->n_queries_total);
    if (!rc)
        rc = sink_summary(s, "events", (double)w->s.events);
    return rc;
}
