/* unit-regex.c: the PCRE2 module: whole-field anchoring, compile errors with
 * offsets, limits that stop runaway patterns, UTF-8 and invalid bytes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wexmatch/regex.h"

static int match(const char *pat, unsigned flags, const char *s)
{
	struct wx_regex *re;
	struct wx_err err = { 0 };
	int rc;

	assert_int_equal(wx_regex_compile(&re, pat, flags, NULL, &err), WX_OK);
	rc = wx_regex_match(re, s, strlen(s), &err);
	wx_regex_free(re);
	return rc;
}

static void test_whole_field_anchoring(void **state)
{
	(void)state;
	assert_int_equal(match("[A-Z]{2}[0-9]", WX_RE_WHOLE, "LS1"), WX_OK);
	assert_int_equal(match("[A-Z]{2}[0-9]", WX_RE_WHOLE, "xLS1"), WX_ENOTFOUND);
	assert_int_equal(match("[A-Z]{2}[0-9]", WX_RE_WHOLE, "LS1x"), WX_ENOTFOUND);
	/* an alternation must be anchored as a whole, not only its branches */
	assert_int_equal(match("a|b", WX_RE_WHOLE, "ab"), WX_ENOTFOUND);
	/* without WHOLE it is a search */
	assert_int_equal(match("[A-Z]{2}[0-9]", 0, "xxLS1yy"), WX_OK);
	assert_int_equal(match("smith", WX_RE_CASELESS, "Goldsmith"), WX_OK);
}

static void test_compile_error_offset(void **state)
{
	struct wx_regex *re = NULL;
	struct wx_err err = { 0 };
	size_t off = 99;

	(void)state;
	assert_int_equal(wx_regex_compile(&re, "ab(c", 0, &off, &err), WX_EUSAGE);
	assert_null(re);
	assert_int_equal(off, 4);
	assert_string_equal(err.msg, "bad pattern: missing closing parenthesis at offset 4");
	wx_err_clear(&err);
	assert_int_equal(wx_regex_compile(&re, "x{2,1}", 0, &off, &err), WX_EUSAGE);
	assert_non_null(strstr(err.msg, "offset 5"));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_runaway_pattern_stops(void **state)
{
	static const char *const pats[] = { "(a+)+$", "(a|aa)+$", "(.*a){20}$", "(\\w+\\s?)+$" };
	size_t n = 50000;
	char *s = malloc(n + 1);

	(void)state;
	memset(s, 'a', n);
	s[n - 1] = '!';
	s[n] = '\0';
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		struct wx_regex *re;
		struct wx_err err = { 0 };
		double t0;
		int rc;

		assert_int_equal(wx_regex_compile(&re, pats[i], 0, NULL, &err), WX_OK);
		t0 = now();
		rc = wx_regex_match(re, s, n, &err);
		/* it must end (fast: seconds would already be a hang for a user;
		 * the bound is loose so a loaded machine or ASan cannot fail it) */
		assert_true(now() - t0 < 5.0);
		assert_true(rc == WX_EDATA || rc == WX_ENOTFOUND);
		if (rc == WX_EDATA)
			assert_non_null(strstr(err.msg, "too complex"));
		wx_regex_free(re);
	}
	free(s);
}

static void test_utf8_and_invalid_bytes(void **state)
{
	struct wx_regex *re;
	struct wx_err err = { 0 };

	(void)state;
	assert_int_equal(match("[\\p{L}\\p{M}' -]+", WX_RE_WHOLE, "Zo\xc3\xab O'Neil-\xe7\x8e\x8b"), WX_OK);
	assert_int_equal(match("[\\p{L}]+", WX_RE_WHOLE, "S\xcc\xa7u"), WX_ENOTFOUND);
	assert_int_equal(match("[\\p{L}\\p{M}]+", WX_RE_WHOLE, "S\xcc\xa7u"), WX_OK);
	/* invalid UTF-8 in a subject is not a failure: it just does not match
	 * letters, and a search can still find valid parts */
	assert_int_equal(wx_regex_compile(&re, "abc", 0, NULL, &err), WX_OK);
	assert_int_equal(wx_regex_match(re, "\xff\xfe" "abc\xc0", 6, &err), WX_OK);
	assert_int_equal(wx_regex_match(re, "\xff\xfe" "ab\xc0", 5, &err), WX_ENOTFOUND);
	wx_regex_free(re);
}

static void test_pattern_length_limit(void **state)
{
	char *p = malloc(WX_REGEX_MAX_PATTERN + 2);
	struct wx_regex *re = NULL;
	struct wx_err err = { 0 };

	(void)state;
	memset(p, 'a', WX_REGEX_MAX_PATTERN + 1);
	p[WX_REGEX_MAX_PATTERN + 1] = '\0';
	assert_int_equal(wx_regex_compile(&re, p, 0, NULL, &err), WX_EUSAGE);
	assert_null(re);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_field_anchoring),
		cmocka_unit_test(test_compile_error_offset),
		cmocka_unit_test(test_runaway_pattern_stops),
		cmocka_unit_test(test_utf8_and_invalid_bytes),
		cmocka_unit_test(test_pattern_length_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
