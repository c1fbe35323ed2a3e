/*
 * report_attack.h — the governance report's "Cost of attack" section: the attack
 * search's result under the status quo and under the proposal, side by side, read from
 * the two attack databases `crucible report` writes next to the report
 * (DIR/attack-baseline.db, DIR/attack-proposal.db; docs/attack.md describes them).
 * Reads only the results schema.
 */
#ifndef CRC_REPORT_ATTACK_H
#define CRC_REPORT_ATTACK_H

#include <stdio.h>

#include "util/err.h"

/* Writes the section (markdown to md, HTML to html) when both databases exist in dir;
 * writes nothing and returns CRC_OK when they do not. CRC_EINPUT when one is not an
 * attack database. */
int report_attack_section(FILE *md, FILE *html, const char *dir, crc_err *err);

#endif
