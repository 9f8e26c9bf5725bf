/* regex.c: PCRE2, compiled once, JIT with a fallback, limits always on. */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/regex.h"

/* The limits make a catastrophic pattern fail fast.  A million backtracking
 * steps take a few milliseconds; no sane field pattern needs more. */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB 20480
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

struct wx_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	int jit;
	char *pattern;
};

void wx_regex_free(struct wx_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_jit_stack_free(re->jstack);
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

int wx_regex_compile(struct wx_regex **out, const char *pattern, unsigned flags,
		     size_t *erroffset, struct wx_err *err)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	struct wx_regex *re;
	PCRE2_SIZE off = 0;
	size_t plen = strlen(pattern);
	int ec;

	*out = NULL;
	if (erroffset)
		*erroffset = 0;
	if (plen > WX_REGEX_MAX_PATTERN)
		return wx_err_set(err, WX_EUSAGE, "pattern longer than %d bytes",
				  WX_REGEX_MAX_PATTERN);
	if (flags & WX_RE_WHOLE)
		opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	if (flags & WX_RE_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & WX_RE_UCP)
		opts |= PCRE2_UCP;
	re = calloc(1, sizeof *re);
	if (!re || !(re->pattern = strdup(pattern))) {
		free(re);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	re->code = pcre2_compile((PCRE2_SPTR)pattern, plen, opts, &ec, &off, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof msg);
		if (erroffset)
			*erroffset = off;
		wx_regex_free(re);
		return wx_err_set(err, WX_EUSAGE, "bad pattern: %s at offset %zu", (char *)msg,
				  (size_t)off);
	}
	/* JIT where the platform supports it; the interpreter otherwise */
	re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->md || !re->mctx) {
		wx_regex_free(re);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	if (re->jit) {
		re->jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
		if (re->jstack)
			pcre2_jit_stack_assign(re->mctx, NULL, re->jstack);
	}
	*out = re;
	return WX_OK;
}

int wx_regex_match(struct wx_regex *re, const char *s, size_t len, struct wx_err *err)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, re->mctx);

	if (rc >= 0)
		return WX_OK;
	if (rc == PCRE2_ERROR_NOMATCH)
		return WX_ENOTFOUND;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return wx_err_set(err, WX_EDATA,
				  "pattern too complex for this value (it backtracks without end; simplify it, e.g. (a+)+ to a+)");
	{
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof msg);
		return wx_err_set(err, WX_EDATA, "pattern match failed: %s", (char *)msg);
	}
}

const char *wx_regex_pattern(const struct wx_regex *re)
{
	return re->pattern;
}

int wx_regex_is_jit(const struct wx_regex *re)
{
	return re->jit;
}
