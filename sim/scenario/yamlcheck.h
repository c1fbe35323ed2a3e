/*
 * yamlcheck.h — a first pass over YAML text, event by event, before libyaml builds a
 * document from it. Scenario files, sweep files and --set mappings all go through it.
 *
 * Why a separate pass: libyaml's document loader builds the whole tree before anyone
 * can look at its depth, and its scanner is quadratic in the nesting depth, so a few
 * hundred kilobytes of brackets took minutes. Counting depth as the events arrive
 * stops such input after at most YCHECK_MAX_DEPTH levels (plus libyaml's bounded
 * look-ahead). The same pass applies the tag rule, which the document API cannot see
 * (an untagged plain scalar and one tagged !!str both come out tagged str):
 *
 *   !!int, !!float  allowed on a scalar that is a number under params_parse_number
 *                   (!!int: a whole one); the scalar is then a number even if quoted;
 *   !!str           makes the scalar text, exactly as quotes do;
 *   !!map, !!seq    allowed on a mapping, a sequence;
 *   any other tag   (!!null, !!bool, !custom, ...) is refused with its position.
 *
 * Ownership: ycheck_scan fills a zeroed ycheck; ycheck_free releases it.
 */
#ifndef CRC_YAMLCHECK_H
#define CRC_YAMLCHECK_H

#include <stddef.h>

#include "util/err.h"

/* Deepest nesting of mappings and sequences a scenario or sweep file may have. The
 * deepest real scenario (an intervention setting a distribution inside nested
 * parameter groups) needs about 20. */
#define YCHECK_MAX_DEPTH 64

typedef enum ycheck_tag { YCHECK_UNTAGGED, YCHECK_STR, YCHECK_NUM } ycheck_tag;

typedef struct ycheck {
    size_t *at;          /* byte offsets of tagged scalars, increasing           */
    unsigned char *tag;  /* parallel: ycheck_tag                                 */
    size_t n, cap;
} ycheck;

/* Scans text[0..len). Returns CRC_OK, or CRC_EINPUT with err at file:line:column for
 * nesting past YCHECK_MAX_DEPTH or a tag the rule refuses (CRC_ENOMEM when memory runs
 * out). A YAML syntax error is not reported here: the scan stops and returns CRC_OK,
 * and the caller's own parse reports it with its context. */
int ycheck_scan(ycheck *yc, const char *file, const char *text, size_t len, crc_err *err);

/* The tag class of the scalar whose node starts at byte offset `index` (libyaml's
 * start_mark.index of the node). */
ycheck_tag ycheck_tag_at(const ycheck *yc, size_t index);

/* Whether a scalar is text (quoted, or tagged !!str) rather than a plain value; quoted
 * is 1 for any non-plain style. */
int ycheck_is_text(const ycheck *yc, size_t index, int quoted);

/* Writes the message for a number written as text (quoted, or tagged !!str when
 * tagged is 1): what the value is, why it does not count as a number, and what to
 * write (the text without quotes or tag when it is a number itself). what names the
 * value ("fees.burn", "criteria #2: value"); expect says what is allowed. */
void ycheck_quoted_number(char *buf, size_t len, const char *what, const char *text,
                          const char *expect, int tagged);

void ycheck_free(ycheck *yc);

#endif
