/*
 * params.h — the parameter registry and the crc_params struct generated from it.
 *
 * crc_params is a plain value (copyable; owns no memory). params_table lists every
 * parameter with its path, type, default, range, unit and doc, in params.def order.
 * This module knows nothing of YAML: it parses and validates scalar text and typed
 * values; the scenario loader (sim/scenario) binds YAML nodes to it.
 */
#ifndef CRC_PARAMS_H
#define CRC_PARAMS_H

#include <stddef.h>

#include "model/core/dist.h"
#include "model/core/tranche.h"
#include "util/err.h"

typedef struct crc_params {
#define PARAM_NUM(id, path, def, lo, hi, unit, doc) double id;
#define PARAM_INT(id, path, def, lo, hi, unit, doc) long id;
#define PARAM_BOOL(id, path, def, doc) int id;
#define PARAM_ENUM(id, path, def, choices, doc) int id;
#define PARAM_DIST(id, path, kind, a, b, lo, hi, unit, doc) crc_dist id;
#include "model/core/params.def"
#undef PARAM_NUM
#undef PARAM_INT
#undef PARAM_BOOL
#undef PARAM_ENUM
#undef PARAM_DIST
    char _end; /* keeps the struct non-empty while sections are being filled */
    /* The allocation table (tranche.h), outside the registry: a list, not a scalar.
     * n = 0 (the default): genesis uses allocation.* and vesting.insiders.*. */
    crc_tranches tranches;
} crc_params;

typedef enum param_type { PT_NUM, PT_INT, PT_BOOL, PT_ENUM, PT_DIST } param_type;

typedef struct param_def {
    const char *path;    /* dotted path, e.g. "tokenomics.emission.half_life"       */
    param_type type;
    size_t offset;       /* offsetof(crc_params, id)                                 */
    double def;          /* default (num/int/bool/enum index)                        */
    double lo, hi;       /* allowed range (num/int), clamp range of draws (dist)     */
    const char *unit;    /* "" when dimensionless                                    */
    const char *choices; /* enum: "a|b|c"; NULL otherwise                            */
    const char *doc;     /* one line                                                 */
    crc_dist def_dist;   /* dist default                                             */
} param_def;

/* A typed value for one parameter: x holds num, int, bool (0/1) and enum index; d
 * holds a distribution. Used by interventions, sweeps and --set. */
typedef struct crc_pvalue {
    double x;
    crc_dist d;
} crc_pvalue;

extern const param_def params_table[];
extern const size_t params_count;

/* Fills p with every default. */
void params_defaults(crc_params *p);

/* The parameter at a dotted path, or NULL. */
const param_def *params_find(const char *path);

/* The known path nearest to an unknown one (edit distance), for "did you mean";
 * NULL when nothing is close. */
const char *params_nearest(const char *path);

/* Index of d in params_table. */
size_t params_index(const param_def *d);

/* Parses text as a value of d ("0.1", "true", "halving", "beta(8,2)", "3" for a const
 * distribution), checks it against d's type and range, stores it in *out. On failure
 * returns CRC_EINPUT and err says what was wrong and what is allowed (no position:
 * the caller adds file:line or the --set argument). */
int params_parse(const param_def *d, const char *text, crc_pvalue *out, crc_err *err);

/* Reads text (surrounding blanks allowed) as a finite number under the one rule every
 * input uses (scenario files, --set, sweep files): decimal only, an optional sign,
 * digits, fraction and exponent. Hexadecimal (0x10, 0x1p3), octal (0o10), a leading
 * zero (010: octal in YAML 1.1, decimal in 1.2), inf and nan are refused; subnormals
 * and values that round to 0 are numbers. On failure returns -1 and writes into why
 * what was wrong and the decimal to write instead (no parameter name, no position). */
int params_parse_number(const char *text, double *out, char *why, size_t whylen);

/* Checks v against d's type and range (distributions: their arguments). */
int params_check(const param_def *d, const crc_pvalue *v, crc_err *err);

/* Stores v into p (v must already be checked). */
void params_assign(crc_params *p, const param_def *d, const crc_pvalue *v);

/* Reads d's value from p. */
void params_read(const crc_params *p, const param_def *d, crc_pvalue *out);

/* Formats d's value in p the way params_parse reads it back: numbers in the shortest
 * %g form that reads back as the same double ("0.1", "1e-07"; never more than 17
 * digits), so the text round-trips exactly; distributions as "beta(8,2)". */
void params_format(const crc_params *p, const param_def *d, char *buf, size_t len);

/* Formats a typed value v of d the same way (interventions, sweeps). */
void params_format_value(const param_def *d, const crc_pvalue *v, char *buf, size_t len);

/* A number as params_format writes it: the shortest text that reads back as exactly x,
 * in plain notation for whole numbers below 1e17 ("0.1", "180", "100000000"). */
void params_format_number(double x, char *buf, size_t len);

/* What d accepts, in words, for error messages and the reference ("a number from 0 to
 * 1 USD/query", "true or false", "one of a|b|c", "a number, or a distribution ..."). */
void params_allowed(const param_def *d, char *buf, size_t len);

/* "number", "integer", "bool", "enum" or "distribution". */
const char *params_type_name(param_type t);

/* 1 when prefix names a group of parameters ("emission.split"), i.e. some path starts
 * with prefix followed by a dot; 0 otherwise. */
int params_is_group(const char *prefix);

/* The word of words[0..n) nearest to word by edit distance, NULL when none is close
 * (for did-you-mean on keys that are not parameter paths). */
const char *params_nearest_word(const char *word, const char *const *words, size_t n);

/* Index of an enum choice by name; -1 when not a choice. */
int params_enum_index(const param_def *d, const char *name);

/* Writes enum choice i of d into buf ("" when out of range). */
void params_enum_name(const param_def *d, int i, char *buf, size_t len);

#endif
