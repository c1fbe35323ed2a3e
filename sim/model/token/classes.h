/*
 * classes.h — who holds tokens. Every ledger account belongs to one class; flows and
 * rewards are tallied by class (metrics reward_tkn.<class>, the flows table).
 * Names are the ones MODEL.md §7 uses in metric names.
 */
#ifndef CRC_CLASSES_H
#define CRC_CLASSES_H

typedef enum acct_class {
    /* agent classes */
    CLS_HONEST,       /* honest data providers                */
    CLS_SPAMMER,      /* spam data providers                  */
    CLS_POISONER,     /* poisoning data providers             */
    CLS_BUILDER,      /* model builders                       */
    CLS_COMPUTE,      /* honest compute nodes                 */
    CLS_FAKE_COMPUTE, /* fake compute nodes                   */
    CLS_FARMER,       /* reward farmers (all strategies)      */
    CLS_STAKER,       /* passive stakers                      */
    CLS_CONSUMER,     /* external consumers                   */
    CLS_INSIDER,      /* team and investors                   */
    /* system accounts */
    CLS_RESERVE,      /* community / emission reserve         */
    CLS_TREASURY,
    CLS_AMM,          /* the AMM pool's TKN side              */
    CLS_STAKE_ESCROW,
    CLS_VESTING_ESCROW,
    CLS_BOND_ESCROW,
    CLS_ECOSYSTEM,
    CLS_MARKET,       /* outside traders: the exogenous flow   */
    CLS_COUNT
} acct_class;

/* True for the agent classes (CLS_HONEST .. CLS_INSIDER), false for system accounts. */
#define CLS_IS_AGENT(c) ((c) >= 0 && (c) < CLS_RESERVE)

/* Lower-case name used in metric names and the flows table ("fake_compute");
 * "none" for CLS_COUNT (the src of a mint, the dst of a burn), "?" out of range. */
const char *class_name(int cls);

#endif
