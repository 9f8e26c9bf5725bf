/* testlib.h: helpers shared by the cmocka unit tests: a seeded random
 * generator (splitmix64) and a growable string.  Header-only: include it
 * after <cmocka.h>, with TESTLIB_SEED defined to the file's own seed so
 * each test file keeps its own stream of random cases. */
#ifndef WEXMATCH_TESTLIB_H
#define WEXMATCH_TESTLIB_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TESTLIB_SEED
#error "define TESTLIB_SEED before including testlib.h"
#endif

static uint64_t rng_state = TESTLIB_SEED;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

/* ---- a growable string ---- */

struct str {
	char *p;
	size_t len, cap;
};

static void str_add(struct str *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;

		while (cap < s->len + n + 1)
			cap *= 2;
		s->p = realloc(s->p, cap);
		assert_non_null(s->p);
		s->cap = cap;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void str_printf(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void str_printf(struct str *s, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof buf);
	str_add(s, buf, (size_t)n);
}

#endif
