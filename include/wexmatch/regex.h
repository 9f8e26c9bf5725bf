/* regex.h: the one PCRE2 module.  Patterns are compiled once (UTF mode,
 * matching invalid UTF-8 subjects without failing), JIT-compiled
 * when the platform allows with the interpreter as fallback, and matched
 * with match, depth and heap limits so a runaway pattern such as (a+)+$ on a
 * long value ends in milliseconds with a clear error instead of hanging. */
#ifndef WEXMATCH_REGEX_H
#define WEXMATCH_REGEX_H

#include <stddef.h>

#include "wexmatch/error.h"

#define WX_REGEX_MAX_PATTERN 16000  /* bytes: room for the 4000 characters forms allow */

enum wx_regex_flags {
	WX_RE_WHOLE = 1 << 0,     /* the whole value must match (form fields) */
	WX_RE_CASELESS = 1 << 1,
	WX_RE_UCP = 1 << 2        /* \d \w \s \b follow Unicode (filters); forms
	                           * leave it off so \d is exactly [0-9] */
};

struct wx_regex;

/* Compile; on a bad pattern returns WX_EUSAGE with PCRE2's message and the
 * offset (also stored in *erroffset when not NULL; counted in bytes). */
int wx_regex_compile(struct wx_regex **out, const char *pattern, unsigned flags,
		     size_t *erroffset, struct wx_err *err);
/* WX_OK on a match, WX_ENOTFOUND on none, WX_EDATA when a limit stopped the
 * match (the message says so). */
int wx_regex_match(struct wx_regex *re, const char *s, size_t len, struct wx_err *err);
const char *wx_regex_pattern(const struct wx_regex *re);
/* 1 when the pattern runs JIT-compiled (benchmarks and tests). */
int wx_regex_is_jit(const struct wx_regex *re);
void wx_regex_free(struct wx_regex *re);

#endif
