/* yamlcheck.c — depth and tag pass over YAML events. See yamlcheck.h. */
#include "scenario/yamlcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "model/core/params.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* The tag as the user wrote it: !!int for the standard ones, else as is. */
static void tag_shown(const char *tag, char *buf, size_t len)
{
    size_t np = strlen(TAG_PREFIX);
    if (!strncmp(tag, TAG_PREFIX, np))
        snprintf(buf, len, "!!%.40s", tag + np);
    else
        snprintf(buf, len, "%.60s", tag);
}

static int push(ycheck *yc, size_t at, ycheck_tag t)
{
    if (yc->n == yc->cap) {
        size_t cap = yc->cap ? 2 * yc->cap : 16;
        size_t *a = realloc(yc->at, cap * sizeof *a);
        if (!a)
            return -1;
        yc->at = a;
        unsigned char *g = realloc(yc->tag, cap);
        if (!g)
            return -1;
        yc->tag = g;
        yc->cap = cap;
    }
    yc->at[yc->n] = at;
    yc->tag[yc->n++] = (unsigned char)t;
    return 0;
}

/* Applies the tag rule to one event's tag; 0 when allowed (pushing what the binding
 * needs to know), else fills err. */
static int check_tag(ycheck *yc, const yaml_event_t *ev, const char *file, crc_err *err)
{
    const char *tag = NULL;
    const char *value = NULL;
    int want = 0; /* 1 scalar, 2 mapping, 3 sequence */
    if (ev->type == YAML_SCALAR_EVENT) {
        tag = (const char *)ev->data.scalar.tag;
        value = (const char *)ev->data.scalar.value;
        want = 1;
    } else if (ev->type == YAML_MAPPING_START_EVENT) {
        tag = (const char *)ev->data.mapping_start.tag;
        want = 2;
    } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
        tag = (const char *)ev->data.sequence_start.tag;
        want = 3;
    }
    if (!tag)
        return CRC_OK;
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    char shown[80];
    tag_shown(tag, shown, sizeof shown);
    if ((want == 2 && !strcmp(tag, TAG_PREFIX "map")) ||
        (want == 3 && !strcmp(tag, TAG_PREFIX "seq")))
        return CRC_OK;
    if (want == 1 && !strcmp(tag, TAG_PREFIX "str"))
        return push(yc, ev->start_mark.index, YCHECK_STR) ? crc_err_set(err, CRC_ENOMEM,
                                                                        "out of memory")
                                                          : CRC_OK;
    int is_int = !strcmp(tag, TAG_PREFIX "int");
    if (want == 1 && (is_int || !strcmp(tag, TAG_PREFIX "float"))) {
        double x;
        char why[200];
        if (strlen(value) != ev->data.scalar.length ||
            params_parse_number(value, &x, why, sizeof why) != 0)
            return crc_err_at(err, CRC_EINPUT, file, line, col,
                              "%s on a value that is not a number: %s", shown,
                              strlen(value) != ev->data.scalar.length ? "it holds a NUL" : why);
        if (is_int && x != floor(x))
            return crc_err_at(err, CRC_EINPUT, file, line, col,
                              "!!int on '%.64s', which is not a whole number; drop the tag "
                              "or write !!float",
                              value);
        return push(yc, ev->start_mark.index, YCHECK_NUM) ? crc_err_set(err, CRC_ENOMEM,
                                                                        "out of memory")
                                                          : CRC_OK;
    }
    return crc_err_at(err, CRC_EINPUT, file, line, col,
                      "the YAML tag %s is not allowed here; tags are read only as !!int or "
                      "!!float on a number and !!str on text (and !!map, !!seq); drop the tag",
                      shown);
}

int ycheck_scan(ycheck *yc, const char *file, const char *text, size_t len, crc_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, rc = CRC_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            if (p.error == YAML_MEMORY_ERROR)
                rc = crc_err_set(err, CRC_ENOMEM, "out of memory while reading YAML");
            break; /* a syntax error: the caller's parse reports it */
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (++depth > YCHECK_MAX_DEPTH)
                rc = crc_err_at(err, CRC_EINPUT, file, (int)ev.start_mark.line + 1,
                                (int)ev.start_mark.column + 1,
                                "nested more than %d levels deep (mappings and lists inside "
                                "each other); a scenario or sweep needs about 20 at most, so "
                                "check for unclosed brackets or runaway indentation",
                                YCHECK_MAX_DEPTH);
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            depth--;
        }
        if (rc == CRC_OK)
            rc = check_tag(yc, &ev, file, err);
        yaml_event_delete(&ev);
        if (rc != CRC_OK || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

ycheck_tag ycheck_tag_at(const ycheck *yc, size_t index)
{
    size_t lo = 0, hi = yc ? yc->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (yc->at[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return yc && lo < yc->n && yc->at[lo] == index ? (ycheck_tag)yc->tag[lo] : YCHECK_UNTAGGED;
}

int ycheck_is_text(const ycheck *yc, size_t index, int quoted)
{
    ycheck_tag t = ycheck_tag_at(yc, index);
    return t == YCHECK_STR || (quoted && t != YCHECK_NUM);
}

void ycheck_quoted_number(char *buf, size_t len, const char *what, const char *text,
                          const char *expect, int tagged)
{
    double x;
    char why[8];
    const char *is = tagged ? "is tagged !!str, so it is text, not a number"
                            : "is quoted: YAML reads a quoted value as a string (text), "
                              "not as a number";
    if (params_parse_number(text, &x, why, sizeof why) == 0)
        snprintf(buf, len, "%s: \"%.64s\" %s; write %s: %.64s", what, text, is,
                 tagged ? "it without the tag" : "it without quotes", text);
    else
        snprintf(buf, len, "%s: \"%.64s\" %s; expected %s, written without %s", what, text,
                 is, expect, tagged ? "a tag" : "quotes");
}

void ycheck_free(ycheck *yc)
{
    if (!yc)
        return;
    free(yc->at);
    free(yc->tag);
    memset(yc, 0, sizeof *yc);
}
