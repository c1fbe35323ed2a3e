/* classes.c — names of account classes and flow reasons, as metric names and the
 * flows table spell them (classes.h, ledger.h). */
#include "model/token/classes.h"
#include "model/token/ledger.h"

const char *class_name(int cls)
{
    static const char *const names[CLS_COUNT + 1] = {
        [CLS_HONEST] = "honest",
        [CLS_SPAMMER] = "spammer",
        [CLS_POISONER] = "poisoner",
        [CLS_BUILDER] = "builder",
        [CLS_COMPUTE] = "compute",
        [CLS_FAKE_COMPUTE] = "fake_compute",
        [CLS_FARMER] = "farmer",
        [CLS_STAKER] = "staker",
        [CLS_CONSUMER] = "consumer",
        [CLS_INSIDER] = "insider",
        [CLS_RESERVE] = "reserve",
        [CLS_TREASURY] = "treasury",
        [CLS_AMM] = "amm",
        [CLS_STAKE_ESCROW] = "stake_escrow",
        [CLS_VESTING_ESCROW] = "vesting_escrow",
        [CLS_BOND_ESCROW] = "bond_escrow",
        [CLS_ECOSYSTEM] = "ecosystem",
        [CLS_MARKET] = "market",
        [CLS_COUNT] = "none",
    };
    if (cls < 0 || cls > CLS_COUNT || !names[cls])
        return "?";
    return names[cls];
}

const char *reason_name(int reason)
{
    static const char *const names[RSN_COUNT] = {
        [RSN_EMISSION] = "emission",
        [RSN_FEE] = "fee",
        [RSN_PURCHASE] = "purchase",
        [RSN_SALE] = "sale",
        [RSN_BOND] = "bond",
        [RSN_BOND_RELEASE] = "bond_release",
        [RSN_SLASH] = "slash",
        [RSN_STAKE] = "stake",
        [RSN_UNSTAKE] = "unstake",
        [RSN_VESTING] = "vesting",
        [RSN_CLAWBACK] = "clawback",
        [RSN_UNLOCK] = "unlock",
        [RSN_COMPUTE] = "compute",
        [RSN_BUYBACK] = "buyback",
        [RSN_BURN] = "burn",
        [RSN_MINT] = "mint",
        [RSN_GATE] = "gate",
        [RSN_LIQUIDITY] = "liquidity",
        [RSN_GRANT] = "grant",
    };
    if (reason < 0 || reason >= RSN_COUNT || !names[reason])
        return "?";
    return names[reason];
}
