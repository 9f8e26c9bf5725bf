/* fuzz-policy.c: libFuzzer target for policy files.
 *
 * The input is parsed as a policy file against the shipped forms (from
 * $WX_SRCDIR/forms, else the source tree's forms the build names in
 * WX_SRC_FORMS, else ./forms).  A failed parse must have reported its
 * first problem as "fuzz:LINE: ..." in err.  A policy that parses keeps the
 * input byte for byte, parses again to the same rules, and scores records
 * made of probe values and lines of the input: every score is checked
 * against a plain reference evaluator written from policy.h's rules (the
 * rules' texts read back, each field's value found with wx_record_peek),
 * the explanation against its length, memberships against the number of
 * categories, tiers against 1..3.  Everything is freed for each input (the
 * forms, loaded once, at exit): the leak checker watches too.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined ... tests/fuzz-policy.c
 *   ./fuzz-policy tests/corpus/policy
 *
 * tests/fuzz-replay.c runs the same function on every file it is given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/form.h"
#include "wexmatch/policy.h"
#include "wexmatch/record.h"
#include "wexmatch/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 8        /* lines of the input used as values */

static const char *const probes[] = {
	"yes", "no", "", "1", "2", "3", "4", "10", "-1", "+02", "x", "neet", "school",
	"returner_carer", "9223372036854775807", "99999999999999999999", "Yes", " yes",
};
#define NPROBES (sizeof probes / sizeof probes[0])

static struct wx_forms *forms;

static void free_forms(void)
{
	wx_forms_free(forms);
	forms = NULL;
}

/* Once per process: the forms do not depend on the input. */
static void load_forms(void)
{
	const char *sd = getenv("WX_SRCDIR");
	char dir[4096];
	struct wx_err err;

	if (sd && *sd)
		snprintf(dir, sizeof dir, "%s/forms", sd);
	else
#ifdef WX_SRC_FORMS
		snprintf(dir, sizeof dir, "%s", WX_SRC_FORMS);
#else
		snprintf(dir, sizeof dir, "forms");
#endif
	wx_err_clear(&err);
	if (wx_forms_load(&forms, dir, &err) != WX_OK) {
		fprintf(stderr, "fuzz-policy: cannot load the forms: %s\n", err.msg);
		abort();
	}
	atexit(free_forms);
}

struct seen {
	size_t n;
	char first[1100];
};

static void on_problem(void *ctx, const char *msg)
{
	struct seen *s = ctx;

	if (s->n++ == 0)
		snprintf(s->first, sizeof s->first, "%s", msg);
	if (strncmp(msg, "fuzz:", 5) != 0)
		abort();
}

/* The reference: policy.h's rules, evaluated one rule at a time from their
 * texts with wx_record_peek.  For one field the first rule that holds
 * counts; the total is capped. */
static int ref_score(const struct wx_policy *p, const unsigned char *rec, size_t len, int *raw)
{
	size_t n = wx_policy_nrules(p);
	char done[256][80];
	size_t ndone = 0;

	*raw = 0;
	for (size_t i = 0; i < n; i++) {
		const char *t = wx_policy_rule_text(p, i), *op = strpbrk(t, "<>="), *v;
		size_t nl = op ? (size_t)(op - t) : strlen(t), vl, k;
		char name[80];
		int64_t x, lim;
		int h;

		if (nl >= sizeof name)
			abort();
		memcpy(name, t, nl);
		name[nl] = '\0';
		for (k = 0; k < ndone; k++)
			if (strcmp(done[k], name) == 0)
				break;
		if (k < ndone)
			continue;
		if (wx_record_peek(rec, len, name, &v, &vl) != WX_OK)
			continue;
		if (!op)
			h = vl == 3 && memcmp(v, "yes", 3) == 0;
		else if (op[0] == '=')
			h = vl == strlen(op + 1) && memcmp(v, op + 1, vl) == 0;
		else if (wx_parse_int(op + 2, strlen(op + 2), &lim) != WX_OK)
			abort();   /* the parser accepted a bound that is not a number */
		else
			h = wx_parse_int(v, vl, &x) == WX_OK && (op[0] == '<' ? x <= lim : x >= lim);
		if (h) {
			*raw += wx_policy_rule_points(p, i);
			snprintf(done[ndone++], sizeof done[0], "%s", name);
		}
	}
	return *raw < wx_policy_cap(p) ? *raw : wx_policy_cap(p);
}

static void check_record(const struct wx_policy *p, struct wx_record *r)
{
	unsigned char *buf;
	size_t len, ncat = wx_policy_ncategories(p);
	struct wx_policy_why why;
	uint32_t m, m2;
	int s, s2, raw, t;
	char text[4096];

	if (wx_record_encode(r, &buf, &len) != WX_OK)
		abort();
	if (wx_policy_score(p, buf, len, &s, &m, &why) != WX_OK)
		abort();
	if (wx_policy_score(p, buf, len, &s2, &m2, NULL) != WX_OK || s2 != s || m2 != m)
		abort();
	if (s < 0 || s > wx_policy_cap(p) || (ncat < 32 && (m >> ncat) != 0))
		abort();
	if (ref_score(p, buf, len, &raw) != s || raw != why.raw)
		abort();
	for (size_t i = 0, sum = 0; i < why.n; i++) {
		if (why.rule[i] >= wx_policy_nrules(p) || (i && why.rule[i] <= why.rule[i - 1]))
			abort();
		sum += (size_t)wx_policy_rule_points(p, why.rule[i]);
		if (i + 1 == why.n && sum != (size_t)why.raw)
			abort();
	}
	if (why.n == 0 && why.raw != 0)
		abort();
	if (wx_policy_explain(p, &why, text, sizeof text) >= sizeof text ||
	    wx_policy_explain(p, &why, NULL, 0) != strlen(text))
		abort();
	if (wx_policy_tier(p, buf, len, &t) != WX_OK || t < 1 || t > 3)
		abort();
	/* cut short: refused, never read past the end */
	if (len > 0 && wx_policy_score(p, buf, len - 1, &s, &m, &why) != WX_EDATA)
		abort();
	free(buf);
}

static void exercise(const struct wx_policy *p, const char *in, size_t size)
{
	const struct wx_form *forms_of[2] = { forms->form[WX_KIND_CANDIDATE],
					      forms->form[WX_KIND_REQUEST] };
	const char *lines[MAX_LINES];
	size_t lens[MAX_LINES], nlines = 0;
	const char *q = in, *end = in + size;

	while (q < end && nlines < MAX_LINES) {
		const char *e = memchr(q, '\n', (size_t)(end - q));
		size_t n = e ? (size_t)(e - q) : (size_t)(end - q);

		if (!memchr(q, '\0', n)) {
			lines[nlines] = q;
			lens[nlines++] = n;
		}
		q += n + 1;
	}
	for (int which = 0; which < 2; which++) {
		const struct wx_form *f = forms_of[which];

		for (size_t v = 0; v < NPROBES + nlines; v++) {
			struct wx_record r;

			wx_record_init(&r);
			for (size_t k = 0; k < f->n; k++) {
				size_t j = (v + k * 7) % (NPROBES + nlines);
				const char *val = j < NPROBES ? probes[j] : lines[j - NPROBES];
				size_t vl = j < NPROBES ? strlen(val) : lens[j - NPROBES];

				if ((v + k) % 5 == 4)
					continue;   /* some fields absent */
				if (wx_record_append(&r, f->f[k].name, val, vl) != WX_OK)
					abort();
			}
			/* a field given twice (the store refuses it): the first counts */
			if (f->n && wx_record_append(&r, f->f[v % f->n].name, "yes", 3) != WX_OK)
				abort();
			check_record(p, &r);
			wx_record_free(&r);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wx_policy *p = NULL, *again = NULL;
	struct seen seen = { 0, "" };
	struct wx_err err;
	const char *text;
	size_t len;
	int rc;

	if (!forms)
		load_forms();
	wx_err_clear(&err);
	rc = wx_policy_parse(&p, "fuzz", buf, size, forms, on_problem, &seen, &err);
	if ((rc == WX_OK) != (p != NULL))
		abort();
	if (rc != WX_OK) {
		if (err.code != rc || (rc == WX_EDATA && (seen.n == 0 || strcmp(seen.first, err.msg) != 0)))
			abort();
		return 0;
	}
	if (seen.n != 0 || err.code != WX_OK)
		abort();
	text = wx_policy_text(p, &len);
	if (len != size || (size && memcmp(text, buf, size) != 0) || text[len] != '\0')
		abort();
	if (wx_policy_ncategories(p) > WX_POLICY_CATEGORIES_MAX || wx_policy_cap(p) < 0 ||
	    wx_policy_cap(p) > WX_POLICY_CAP_MAX)
		abort();
	for (size_t k = 0; k < wx_policy_ncategories(p); k++) {
		uint32_t sh = wx_policy_category_share(p, k);

		if (sh == 0 || sh > WX_POLICY_SHARE_ONE || !wx_policy_category_name(p, k))
			abort();
	}
	for (size_t i = 0; i < wx_policy_nrules(p); i++)
		if (!wx_policy_rule_text(p, i) || !wx_policy_rule_label(p, i) ||
		    wx_policy_rule_points(p, i) < 0 || wx_policy_rule_points(p, i) > WX_POLICY_POINTS_MAX)
			abort();
	/* the kept text parses again to the same policy */
	if (wx_policy_parse(&again, "fuzz", text, len, forms, NULL, NULL, NULL) != WX_OK ||
	    wx_policy_nrules(again) != wx_policy_nrules(p) || wx_policy_cap(again) != wx_policy_cap(p))
		abort();
	for (size_t i = 0; i < wx_policy_nrules(p); i++)
		if (strcmp(wx_policy_rule_text(again, i), wx_policy_rule_text(p, i)) != 0)
			abort();
	wx_policy_free(again);
	exercise(p, buf, size);
	wx_policy_free(p);
	return 0;
}
