/*
 * pstream.h — a population's Poisson stream: the events (contributions, queries) of a
 * dense population whose members act at their own rates, as ONE stream of events
 * (docs/model.md §1, aggregated Poisson streams).
 *
 * Members are grouped by rate into buckets, PSTREAM_SUB per doubling: bucket k holds
 * rates in [lo(k), lo(k+1)), lo(k) = 2^(k/SUB − 24). The stream's rate is the sum of
 * every member's rate; at each event the bucket is chosen with probability
 * rate_k / rate (gsl_ran_discrete over the non-empty buckets) and the member within it
 * by rejection against the bucket's top (acceptance >= 2^(−1/SUB) = 0.958). The
 * superposition of independent Poisson processes is Poisson with the summed rate, and
 * each event belongs to member i with probability rate_i / rate, so this is exact.
 *
 * Picks come from populations far larger than the cache, so the stream draws its
 * candidates (bucket, position) two picks ahead: the entry of the one after next is
 * prefetched, and the record of the next once its entry is in cache. Candidates are
 * drawn independently of the rejection tests and discarded whenever membership changes,
 * so a pick has exactly the distribution of one drawn at the moment of the event.
 *
 * pstream_prepare also packs every bucket's members, bucket after bucket, into one
 * array that the picks read: one large block, which lives on huge pages
 * (util/bigmem.h), where the 768 buckets' own arrays are each too small for one and
 * every random read of them would walk the page table.
 *
 * The owner schedules the stream's events (ev, gen are its bookkeeping: the pending
 * event's handle and the generation carried in its payload). Members change only at
 * epoch boundaries in the model; pstream_prepare then recomputes the rates.
 * Ownership: the struct is the caller's (zeroed to start); pstream_free releases its
 * arrays.
 */
#ifndef CRC_PSTREAM_H
#define CRC_PSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "engine/evq.h"

#define PSTREAM_SUB 16      /* buckets per doubling of rate                            */
#define PSTREAM_MIN (-24)   /* bucket 0 starts at 2^-24 a day; the last ends at 2^24   */
#define PSTREAM_BUCKETS (48 * PSTREAM_SUB)

typedef struct pstream_member {
    uint32_t i;   /* the population's index of the member               */
    float rate;
    uint32_t aux; /* the owner's word about the member (consumers: taste) */
} pstream_member;

typedef struct pstream_bucket {
    pstream_member *m;
    uint32_t n, cap;
    double top;   /* upper bound on members' rates: the acceptance scale     */
} pstream_bucket;

typedef struct pstream {
    pstream_bucket bk[PSTREAM_BUCKETS];
    double rate;                   /* the stream's rate (after pstream_prepare)       */
    pstream_member *pack;          /* every bucket's members, bucket after bucket, as
                                    * of pstream_prepare: the picks read this one
                                    * array (on huge pages once large), not 768      */
    size_t pack_cap;
    uint32_t base[PSTREAM_BUCKETS]; /* bucket k's members start at pack[base[k]]    */
    gsl_ran_discrete_t *choose;    /* bucket choice over live[], by rate              */
    uint16_t live[PSTREAM_BUCKETS];
    uint32_t n_live;
    int dirty;                     /* membership changed since pstream_prepare        */
    int n_cand;                    /* 0 or 2 candidates drawn ahead                   */
    uint16_t cand_k[2];
    uint32_t cand_j[2];
    evq_handle ev;                 /* the owner's pending event                       */
    uint64_t gen;                  /* the owner's generation of that event            */
} pstream;

/* The bucket of a rate (clamped to the first and last buckets), and bucket k's lower
 * bound, exact: lo(k) <= rate < lo(k + 1) between the clamps. */
int pstream_bucket_of(double rate);
double pstream_bucket_lo(int k);

/* Adds member i with rate r > 0 and the owner's word aux; writes its bucket and
 * position to *k and *pos. 0, or -1 when out of memory (nothing changed). */
int pstream_add(pstream *s, uint32_t i, float r, uint32_t aux, uint16_t *k, uint32_t *pos);
/* Removes the entry at (k, pos); returns the member moved into pos (whose recorded
 * position the caller updates), or UINT32_MAX when pos was the last entry. */
uint32_t pstream_remove(pstream *s, int k, uint32_t pos);
/* The member at (k, pos) is now called new_i (its population moved it). */
void pstream_rename(pstream *s, int k, uint32_t pos, uint32_t new_i);

/* Sums the members' rates into the stream's rate (bucket by bucket, for the bucket
 * choice), rebuilds the bucket choice and drops the candidates. Rates are summed here
 * only, never kept up to date by add and remove. 0, or -1 when out of memory. */
int pstream_prepare(pstream *s);

/* A member picked with probability proportional to its rate; UINT32_MAX when the
 * stream is empty (or out of memory re-preparing after a change of membership). rec
 * and stride locate the members' records (record i at rec + i * stride), which are
 * prefetched for the next pick; rec may be NULL. */
uint32_t pstream_pick(pstream *s, gsl_rng *r, const void *rec, size_t stride);

/* The aux word of the next pick's first candidate, whose entry is in cache once a pick
 * has advanced the candidates (the pick may still reject it); 0 when none is drawn.
 * For the owner to prefetch what the next pick's event will read. */
int pstream_next_aux(const pstream *s, uint32_t *aux);

void pstream_free(pstream *s);

#endif
