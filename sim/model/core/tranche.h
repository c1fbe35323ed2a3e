/*
 * tranche.h — the allocation and unlock table of a token (docs/model.md §10 "Genesis and
 * allocation", "Unlocks"): any number of tranches up to CRC_MAX_TRANCHES, each a share
 * of the initial supply with a role (where its tokens go), an unlock at TGE, a cliff, a
 * vesting duration and shape, and a sale propensity.
 *
 * The table is part of crc_params (a plain value, copyable, owning no memory). n = 0
 * means "no table": genesis then uses the six allocation.* shares and the insider
 * cliff of vesting.insiders.* (token.c), as before the table existed. The scenario
 * loader fills it from a YAML list or a CSV file (sim/scenario/tranches.c); the model
 * reads it; nothing else changes it.
 */
#ifndef CRC_TRANCHE_H
#define CRC_TRANCHE_H

#define CRC_MAX_TRANCHES 64
#define CRC_TRANCHE_NAME 32

/* Where a tranche's tokens go. Locked tokens wait in the vesting escrow and unlock to
 * the role's account: holder (a CLS_INSIDER account of its own, which sells `sell` of
 * its holdings each epoch), treasury (spent by the treasury policy), ecosystem (idle).
 * reserve, liquidity and market are whole at TGE: the emission reserve, the AMM's TKN
 * side and the outside traders' float. */
enum { TR_HOLDER, TR_RESERVE, TR_LIQUIDITY, TR_MARKET, TR_TREASURY, TR_ECOSYSTEM, TR_ROLES };

/* How the part after the cliff unlocks: linearly over `vesting` months, or in equal
 * steps at the end of each month. */
enum { TR_LINEAR, TR_MONTHLY, TR_SHAPES };

#define CRC_TRANCHE_ROLES "holder|reserve|liquidity|market|treasury|ecosystem"
#define CRC_TRANCHE_SHAPES "linear|monthly"

typedef struct crc_tranche {
    char name[CRC_TRANCHE_NAME]; /* letters, digits, '-', '_', '.'                    */
    double share;   /* of token.initial_supply                                       */
    double tge;     /* share of the tranche unlocked at t = 0                        */
    double cliff;   /* months (30.4375 days) before the rest starts to unlock        */
    double vesting; /* months over which the rest unlocks after the cliff            */
    double sell;    /* holder: share of its holdings sold on the AMM each epoch      */
    int role;       /* TR_HOLDER...                                                  */
    int shape;      /* TR_LINEAR or TR_MONTHLY (whole months of vesting)             */
} crc_tranche;

typedef struct crc_tranches {
    int n;
    crc_tranche t[CRC_MAX_TRANCHES];
} crc_tranches;

#endif
