/* unit-policy.c: the priority policy (policy.h).
 *
 * Scores are checked exactly on hand-built encoded records for every rule
 * kind, the first-rule-per-field order, the cap, empty and non-numeric
 * values, and reserve membership; every parse error is checked with its
 * exact FILE:LINE message; the shipped default policy is parsed against the
 * shipped forms and scores candidates as domain.md's table says; shares are
 * kept exactly; and a diag line gives the cost of scoring one candidate.
 *
 * The shipped forms are read from $WX_SRCDIR/forms (set by make check),
 * else ../forms. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wexmatch/form.h"
#include "wexmatch/policy.h"
#include "wexmatch/record.h"

static struct wx_forms *forms;

/* ---- helpers ---- */

static const char *forms_dir(char *buf, size_t cap)
{
	const char *sd = getenv("WX_SRCDIR");

	if (sd && *sd)
		snprintf(buf, cap, "%s/forms", sd);
	else
		snprintf(buf, cap, "../forms");
	return buf;
}

static int setup(void **state)
{
	char dir[600];
	struct wx_err err;

	(void)state;
	wx_err_clear(&err);
	if (wx_forms_load(&forms, forms_dir(dir, sizeof dir), &err) != WX_OK) {
		fprintf(stderr, "# cannot load the forms: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wx_forms_free(forms);
	forms = NULL;
	return 0;
}

/* An encoded record of NAME, VALUE pairs ending in NULL. */
struct rec {
	unsigned char *buf;
	size_t len;
};

static struct rec mkrec(const char *first, ...)
{
	struct wx_record r;
	struct rec out;
	const char *name = first;
	va_list ap;

	wx_record_init(&r);
	va_start(ap, first);
	while (name) {
		const char *val = va_arg(ap, const char *);

		assert_int_equal(wx_record_append(&r, name, val, strlen(val)), WX_OK);
		name = va_arg(ap, const char *);
	}
	va_end(ap);
	assert_int_equal(wx_record_encode(&r, &out.buf, &out.len), WX_OK);
	wx_record_free(&r);
	return out;
}

static struct wx_policy *parse_ok(const char *text)
{
	struct wx_policy *p = NULL;
	struct wx_err err;

	wx_err_clear(&err);
	if (wx_policy_parse(&p, "p.ini", text, strlen(text), forms, NULL, NULL, &err) != WX_OK)
		fail_msg("policy does not parse: %s", err.msg);
	assert_non_null(p);
	return p;
}

/* The first problem's message, "OK" when the text parses. */
static char errbuf[1100];

static const char *perr(const char *text)
{
	struct wx_policy *p = NULL;
	struct wx_err err;
	int rc;

	wx_err_clear(&err);
	rc = wx_policy_parse(&p, "p.ini", text, strlen(text), forms, NULL, NULL, &err);
	if (rc == WX_OK) {
		assert_non_null(p);
		wx_policy_free(p);
		return "OK";
	}
	assert_null(p);
	assert_int_equal(rc, WX_EDATA);
	assert_int_equal(err.code, WX_EDATA);
	snprintf(errbuf, sizeof errbuf, "%s", err.msg);
	return errbuf;
}

/* The score of a record (and its memberships in *m when m is not NULL). */
static int score_rec(const struct wx_policy *p, struct rec r, uint32_t *m)
{
	int s = -1;
	uint32_t mm = 0xdead;
	struct wx_policy_why why;

	assert_int_equal(wx_policy_score(p, r.buf, r.len, &s, &mm, &why), WX_OK);
	/* the same without the optional outputs */
	{
		int s2 = -1;

		assert_int_equal(wx_policy_score(p, r.buf, r.len, &s2, NULL, NULL), WX_OK);
		assert_int_equal(s, s2);
	}
	assert_int_equal(s, why.raw < wx_policy_cap(p) ? why.raw : wx_policy_cap(p));
	free(r.buf);
	if (m)
		*m = mm;
	return s;
}

#define SCORE(p, ...) score_rec(p, mkrec(__VA_ARGS__, NULL), NULL)
#define MEMBERS(p, mp, ...) score_rec(p, mkrec(__VA_ARGS__, NULL), mp)

static char explain_buf[1024];

static const char *explain(const struct wx_policy *p, struct rec r)
{
	struct wx_policy_why why;
	int s;
	size_t n;

	assert_int_equal(wx_policy_score(p, r.buf, r.len, &s, NULL, &why), WX_OK);
	free(r.buf);
	n = wx_policy_explain(p, &why, explain_buf, sizeof explain_buf);
	assert_int_equal(n, strlen(explain_buf));
	return explain_buf;
}

#define EXPLAIN(p, ...) explain(p, mkrec(__VA_ARGS__, NULL))

static int tier_rec(const struct wx_policy *p, struct rec r)
{
	int t = 0;

	assert_int_equal(wx_policy_tier(p, r.buf, r.len, &t), WX_OK);
	free(r.buf);
	return t;
}

#define TIER(p, ...) tier_rec(p, mkrec(__VA_ARGS__, NULL))

static const char issue_example[] =
	"[priority]\n"
	"cap = 10\n"
	"care_experienced = 4            ; a yes/no field that is yes\n"
	"route=neet = 3                  ; FIELD=VALUE\n"
	"imd_decile<=2 = 3               ; FIELD<=N, FIELD>=N; for one field the first rule that holds counts\n"
	"imd_decile<=4 = 2\n"
	"prior_experience=no = 2\n"
	"\n"
	"[reserve wp]                    ; a reserve category; several may follow, in fill order\n"
	"members = score>=3, care_experienced, route=neet    ; any of these\n"
	"share = 0.5\n"
	"\n"
	"[match]\n"
	"fill_order = open-first         ; or reserve-first\n";

/* ---- the issue's example ---- */

static void test_issue_example(void **state)
{
	struct wx_policy *p = parse_ok(issue_example);
	size_t len;
	uint32_t m;

	(void)state;
	assert_int_equal(wx_policy_cap(p), 10);
	assert_int_equal(wx_policy_nrules(p), 5);
	assert_string_equal(wx_policy_rule_text(p, 0), "care_experienced");
	assert_string_equal(wx_policy_rule_text(p, 1), "route=neet");
	assert_string_equal(wx_policy_rule_text(p, 2), "imd_decile<=2");
	assert_string_equal(wx_policy_rule_text(p, 4), "prior_experience=no");
	assert_int_equal(wx_policy_rule_points(p, 2), 3);
	assert_int_equal(wx_policy_rule_points(p, 3), 2);
	assert_null(wx_policy_rule_text(p, 5));
	assert_int_equal(wx_policy_ncategories(p), 1);
	assert_string_equal(wx_policy_category_name(p, 0), "wp");
	assert_int_equal(wx_policy_category_share(p, 0), 500000);
	assert_null(wx_policy_category_name(p, 1));
	assert_int_equal(wx_policy_fill_order(p), WX_POLICY_OPEN_FIRST);
	assert_string_equal(wx_policy_fill_name(wx_policy_fill_order(p)), "open-first");
	assert_int_equal(wx_policy_has_tiers(p), 0);
	assert_string_equal(wx_policy_path(p), "p.ini");
	/* the source, byte for byte */
	assert_string_equal(wx_policy_text(p, &len), issue_example);
	assert_int_equal(len, strlen(issue_example));

	assert_int_equal(MEMBERS(p, &m, "id", "C1", "care_experienced", "yes"), 4);
	assert_int_equal(m, 1);
	assert_int_equal(MEMBERS(p, &m, "id", "C2", "route", "neet", "imd_decile", "2",
				 "prior_experience", "no", "care_experienced", "yes"), 10);
	assert_int_equal(m, 1);
	assert_int_equal(MEMBERS(p, &m, "route", "school", "imd_decile", "4"), 2);
	assert_int_equal(m, 0);
	assert_int_equal(MEMBERS(p, &m, "route", "school", "imd_decile", "3", "prior_experience", "no"), 4);
	assert_int_equal(m, 1);   /* score>=3 */
	assert_int_equal(MEMBERS(p, &m, "route", "neet"), 3);
	assert_int_equal(m, 1);
	wx_policy_free(p);
}

/* ---- every rule kind ---- */

static void test_rule_kinds(void **state)
{
	struct wx_policy *p = parse_ok(
		"[priority]\n"
		"cap = 1000\n"
		"fsm = 1\n"                          /* bare: yes */
		"route=returner_carer = 10\n"        /* choice */
		"prior_experience=no = 100\n"        /* yes/no = no */
		"max_travel_km>=50 = 20\n"           /* >= */
		"imd_decile<=3 = 40\n"               /* <= */
		"school=St Mary's = 5\n"             /* text, exact bytes, blanks inside */
		"dbs_status=clear = 7\n");

	(void)state;
	assert_int_equal(SCORE(p, "fsm", "yes"), 1);
	assert_int_equal(SCORE(p, "fsm", "no"), 0);
	/* records store yes/no as yes or no: anything else is not yes */
	assert_int_equal(SCORE(p, "fsm", "Yes"), 0);
	assert_int_equal(SCORE(p, "fsm", "y"), 0);
	assert_int_equal(SCORE(p, "fsm", "yes "), 0);
	assert_int_equal(SCORE(p, "route", "returner_carer"), 10);
	assert_int_equal(SCORE(p, "route", "returner_health"), 0);
	assert_int_equal(SCORE(p, "route", "Returner_carer"), 0);
	assert_int_equal(SCORE(p, "route", "returner_care"), 0);
	assert_int_equal(SCORE(p, "prior_experience", "no"), 100);
	assert_int_equal(SCORE(p, "prior_experience", "yes"), 0);
	assert_int_equal(SCORE(p, "max_travel_km", "50"), 20);
	assert_int_equal(SCORE(p, "max_travel_km", "51"), 20);
	assert_int_equal(SCORE(p, "max_travel_km", "49"), 0);
	assert_int_equal(SCORE(p, "max_travel_km", "+0050"), 20);   /* a number: compared as one */
	assert_int_equal(SCORE(p, "imd_decile", "3"), 40);
	assert_int_equal(SCORE(p, "imd_decile", "4"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "-7"), 40);
	assert_int_equal(SCORE(p, "school", "St Mary's"), 5);
	assert_int_equal(SCORE(p, "school", "St Marys"), 0);
	assert_int_equal(SCORE(p, "dbs_status", "clear"), 7);
	/* everything at once: 1 + 10 + 100 + 20 + 40 + 5 + 7 */
	assert_int_equal(SCORE(p, "id", "C1", "fsm", "yes", "route", "returner_carer",
			       "prior_experience", "no", "max_travel_km", "500", "imd_decile", "1",
			       "school", "St Mary's", "dbs_status", "clear", "x_extra", "1"), 183);
	/* fields in any order */
	assert_int_equal(SCORE(p, "dbs_status", "clear", "imd_decile", "1", "fsm", "yes"), 48);
	wx_policy_free(p);

	/* blanks around the operator and the points; = in a text value */
	p = parse_ok("[priority]\ncap=10\n  route =  neet=3\nimd_decile <= 2=1\nschool = a=b = 2\n");
	assert_string_equal(wx_policy_rule_text(p, 0), "route=neet");
	assert_string_equal(wx_policy_rule_text(p, 1), "imd_decile<=2");
	assert_string_equal(wx_policy_rule_text(p, 2), "school=a=b");
	assert_int_equal(SCORE(p, "route", "neet", "imd_decile", "2", "school", "a=b"), 6);
	wx_policy_free(p);

	/* an integer field compared with = compares the stored text */
	p = parse_ok("[priority]\ncap=10\nimd_decile=5 = 1\n");
	assert_int_equal(SCORE(p, "imd_decile", "5"), 1);
	assert_int_equal(SCORE(p, "imd_decile", "05"), 0);
	wx_policy_free(p);
}

/* ---- first rule per field; cap ---- */

static void test_first_rule_per_field(void **state)
{
	struct wx_policy *p = parse_ok("[priority]\ncap = 10\nimd_decile<=2 = 3\nimd_decile<=4 = 2\n");
	static const int want[] = { 0, 3, 3, 2, 2, 0, 0, 0, 0, 0, 0 };
	char v[8];

	(void)state;
	for (int d = 1; d <= 10; d++) {
		snprintf(v, sizeof v, "%d", d);
		assert_int_equal(SCORE(p, "imd_decile", v), want[d]);
	}
	wx_policy_free(p);

	/* rules on different fields add up; rules on one field do not */
	p = parse_ok("[priority]\ncap = 100\n"
		     "route=neet = 3\nroute=returner_health = 4\n"
		     "max_travel_km>=10 = 1\nmax_travel_km<=5 = 2\n"
		     "imd_decile>=9 = 8\nimd_decile<=2 = 30\nimd_decile>=5 = 16\n");
	assert_int_equal(SCORE(p, "route", "returner_health"), 4);
	assert_int_equal(SCORE(p, "max_travel_km", "3"), 2);
	assert_int_equal(SCORE(p, "max_travel_km", "7"), 0);
	assert_int_equal(SCORE(p, "max_travel_km", "10"), 1);
	assert_int_equal(SCORE(p, "imd_decile", "10"), 8);   /* >=9 first, though >=5 holds too */
	assert_int_equal(SCORE(p, "imd_decile", "6"), 16);
	assert_int_equal(SCORE(p, "imd_decile", "1"), 30);
	assert_int_equal(SCORE(p, "route", "neet", "max_travel_km", "12", "imd_decile", "9"), 12);
	wx_policy_free(p);
}

static void test_cap(void **state)
{
	struct wx_policy *p = parse_ok("[priority]\ncap = 5\nfsm = 3\nrefugee = 3\nestranged = 0\n");
	struct wx_policy_why why;
	struct rec r = mkrec("fsm", "yes", "refugee", "yes", "estranged", "yes", NULL);
	int s;

	(void)state;
	assert_int_equal(SCORE(p, "fsm", "yes"), 3);
	assert_int_equal(SCORE(p, "fsm", "yes", "refugee", "yes"), 5);
	assert_int_equal(wx_policy_score(p, r.buf, r.len, &s, NULL, &why), WX_OK);
	assert_int_equal(s, 5);
	assert_int_equal(why.raw, 6);
	assert_int_equal(why.n, 3);   /* a rule of 0 points held too */
	free(r.buf);
	wx_policy_free(p);

	p = parse_ok("[priority]\ncap = 0\nfsm = 3\n");
	assert_int_equal(SCORE(p, "fsm", "yes"), 0);
	wx_policy_free(p);
	p = parse_ok("[priority]\ncap = 1000\nfsm = 100\n");
	assert_int_equal(SCORE(p, "fsm", "yes"), 100);
	wx_policy_free(p);
}

/* ---- values that do not hold ---- */

static void test_empty_and_non_numeric(void **state)
{
	struct wx_policy *p = parse_ok("[priority]\ncap = 100\nfsm = 1\nroute=neet = 2\n"
				       "imd_decile<=4 = 4\nmax_travel_km>=0 = 8\n"
				       "prior_experience=no = 16\n");

	(void)state;
	assert_int_equal(SCORE(p, "id", "C1"), 0);               /* fields absent */
	assert_int_equal(score_rec(p, mkrec(NULL), NULL), 0);    /* no fields at all */
	assert_int_equal(SCORE(p, "fsm", "", "route", "", "imd_decile", "", "max_travel_km", "",
			       "prior_experience", ""), 0);
	assert_int_equal(SCORE(p, "imd_decile", "x"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "2x"), 0);
	assert_int_equal(SCORE(p, "imd_decile", " 2"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "2.0"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "+"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "99999999999999999999"), 0);   /* past int64 */
	assert_int_equal(SCORE(p, "max_travel_km", "-1"), 0);
	assert_int_equal(SCORE(p, "max_travel_km", "0"), 8);
	assert_int_equal(SCORE(p, "max_travel_km", "nan"), 0);
	assert_int_equal(SCORE(p, "route", "neet2"), 0);
	wx_policy_free(p);
}

/* A record that names a field twice (the store refuses it) counts it once:
 * the first, like wx_record_peek; a damaged record is refused. */
static void test_damaged_records(void **state)
{
	struct wx_policy *p = parse_ok(issue_example);
	struct wx_record r;
	struct wx_policy_why why;
	unsigned char *buf;
	size_t len;
	uint32_t m = 7;
	int s = 7, t = 0;

	(void)state;
	wx_record_init(&r);
	assert_int_equal(wx_record_append(&r, "care_experienced", "yes", 3), WX_OK);
	assert_int_equal(wx_record_append(&r, "care_experienced", "yes", 3), WX_OK);
	assert_int_equal(wx_record_append(&r, "imd_decile", "9", 1), WX_OK);
	assert_int_equal(wx_record_append(&r, "imd_decile", "1", 1), WX_OK);
	assert_int_equal(wx_record_encode(&r, &buf, &len), WX_OK);
	wx_record_free(&r);
	assert_int_equal(wx_policy_score(p, buf, len, &s, &m, &why), WX_OK);
	assert_int_equal(s, 4);
	assert_int_equal(why.n, 1);
	/* cut short at every length: WX_EDATA, score 0, never a read past the end */
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *b = malloc(cut ? cut : 1);
		int rc;

		memcpy(b, buf, cut);
		s = 7;
		m = 7;
		rc = wx_policy_score(p, b, cut, &s, &m, &why);
		assert_int_equal(rc, WX_EDATA);
		assert_int_equal(s, 0);
		assert_int_equal(m, 0);
		assert_int_equal(why.n, 0);
		assert_int_equal(wx_policy_tier(p, b, cut, &t), WX_EDATA);
		assert_int_equal(t, 3);
		free(b);
	}
	free(buf);
	wx_policy_free(p);
}

/* ---- reserve categories ---- */

static void test_members(void **state)
{
	struct wx_policy *p = parse_ok(
		"[priority]\ncap = 6\nfsm = 3\nrefugee = 3\nyoung_carer = 2\n"
		"[reserve high]\nmembers = score>=5\nshare = 0.2\n"
		"[reserve low]\nmembers = score<=1, imd_decile>=9\nshare = 0.3\n"
		"[reserve care]\nmembers = care_experienced, route=neet, estranged=no,"
		" max_travel_km<=2\nshare = 1\n"
		"[reserve capped]\nmembers = score>=7\nshare=0.1\n");
	uint32_t m;

	(void)state;
	assert_int_equal(wx_policy_ncategories(p), 4);
	assert_string_equal(wx_policy_category_name(p, 2), "care");
	assert_int_equal(wx_policy_category_share(p, 2), 1000000);
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes"), 3);
	assert_int_equal(m, 0);
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes", "young_carer", "yes"), 5);
	assert_int_equal(m, 1);
	assert_int_equal(MEMBERS(p, &m, "id", "x"), 0);
	assert_int_equal(m, 2);
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes", "imd_decile", "9"), 3);
	assert_int_equal(m, 2);
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes", "imd_decile", "8"), 3);
	assert_int_equal(m, 0);
	assert_int_equal(MEMBERS(p, &m, "care_experienced", "yes"), 0);
	assert_int_equal(m, 2 | 4);
	assert_int_equal(MEMBERS(p, &m, "route", "neet", "fsm", "yes"), 3);
	assert_int_equal(m, 4);
	assert_int_equal(MEMBERS(p, &m, "estranged", "no", "fsm", "yes"), 3);
	assert_int_equal(m, 4);
	assert_int_equal(MEMBERS(p, &m, "estranged", "", "fsm", "yes"), 3);
	assert_int_equal(m, 0);
	assert_int_equal(MEMBERS(p, &m, "max_travel_km", "2", "fsm", "yes"), 3);
	assert_int_equal(m, 4);
	assert_int_equal(MEMBERS(p, &m, "max_travel_km", "far", "fsm", "yes"), 3);
	assert_int_equal(m, 0);
	/* score conditions read the capped score: 8 points capped at 6 */
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes", "refugee", "yes", "young_carer", "yes"), 6);
	assert_int_equal(m, 1);
	wx_policy_free(p);
}

static void test_many_categories(void **state)
{
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text, "[priority]\ncap=10\nfsm=1\n");
	struct wx_policy *p;
	uint32_t m;

	(void)state;
	for (int k = 0; k < 32; k++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "[reserve c%d]\nmembers = score>=%d\nshare = 0.%02d\n", k, k % 2, k + 1);
	p = parse_ok(text);
	assert_int_equal(wx_policy_ncategories(p), 32);
	assert_string_equal(wx_policy_category_name(p, 31), "c31");
	assert_int_equal(wx_policy_category_share(p, 31), 320000);
	assert_int_equal(MEMBERS(p, &m, "fsm", "yes"), 1);
	assert_int_equal(m, 0xFFFFFFFFu);
	assert_int_equal(MEMBERS(p, &m, "fsm", "no"), 0);
	assert_int_equal(m, 0x55555555u);
	wx_policy_free(p);
	snprintf(text + n, sizeof text - n, "[reserve c32]\nmembers = fsm\nshare = 1\n");
	assert_string_equal(perr(text), "p.ini:100: more than 32 reserve categories (expected at most 32)");
}

/* ---- shares ---- */

static uint32_t share_of(const char *s)
{
	char text[300];
	struct wx_policy *p;
	uint32_t v;

	snprintf(text, sizeof text, "[priority]\ncap=1\n[reserve a]\nmembers=fsm\nshare = %s\n", s);
	p = parse_ok(text);
	v = wx_policy_category_share(p, 0);
	wx_policy_free(p);
	return v;
}

static const char *share_err(const char *s)
{
	char text[300];

	snprintf(text, sizeof text, "[priority]\ncap=1\n[reserve a]\nmembers=fsm\nshare = %s\n", s);
	return perr(text);
}

static void test_shares(void **state)
{
	(void)state;
	assert_int_equal(share_of("0.58"), 580000);
	assert_int_equal(share_of("0.5"), 500000);
	assert_int_equal(share_of(".25"), 250000);
	assert_int_equal(share_of("1"), 1000000);
	assert_int_equal(share_of("1.0"), 1000000);
	assert_int_equal(share_of("1.000000"), 1000000);
	assert_int_equal(share_of("0.000001"), 1);
	assert_int_equal(share_of("0.999999"), 999999);
	assert_int_equal(share_of("0.123456"), 123456);
	assert_int_equal(share_of("00.1"), 100000);
	assert_int_equal(share_of("0.333333"), 333333);
	assert_string_equal(share_err("0"),
		"p.ini:5: share '0' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("0.000000"),
		"p.ini:5: share '0.000000' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("1.5"),
		"p.ini:5: share '1.5' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("1.000001"),
		"p.ini:5: share '1.000001' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("2"),
		"p.ini:5: share '2' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("99999999999999999999999"),
		"p.ini:5: share '99999999999999999999999' is out of range (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("0.1234567"),
		"p.ini:5: share '0.1234567' has more than 6 decimals (expected at most 6, such as 0.125)");
	assert_string_equal(share_err("0.5000000"),
		"p.ini:5: share '0.5000000' has more than 6 decimals (expected at most 6, such as 0.125)");
	assert_string_equal(share_err("50%"),
		"p.ini:5: share '50%' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("half"),
		"p.ini:5: share 'half' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("-0.5"),
		"p.ini:5: share '-0.5' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("+0.5"),
		"p.ini:5: share '+0.5' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("1."),
		"p.ini:5: share '1.' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("."),
		"p.ini:5: share '.' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("5e-1"),
		"p.ini:5: share '5e-1' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err("0,5"),
		"p.ini:5: share '0,5' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
	assert_string_equal(share_err(""),
		"p.ini:5: share '' is not a decimal (expected a decimal above 0 and at most 1, such as 0.5)");
}

/* ---- every error, with its line and message ---- */

struct case_ {
	const char *text;
	const char *msg;
};

#define PRIO "[priority]\ncap = 10\n"

static const struct case_ error_cases[] = {
	/* rules */
	{ PRIO "carexperienced = 4\n",
	  "p.ini:3: carexperienced: unknown field (expected a field of the candidate form)" },
	{ PRIO "fsm = 3\nethnicity=white = 1\n",
	  "p.ini:4: ethnicity=white: ethnicity is an equality-monitoring answer, kept apart and never used "
	  "for priority (expected a field of the candidate form)" },
	{ PRIO "route = 3\n",
	  "p.ini:3: route: route is a choice field (expected a yes/no field for a rule without =, <= or >=, "
	  "or route=VALUE)" },
	{ PRIO "imd_decile = 3\n",
	  "p.ini:3: imd_decile: imd_decile is an integer field (expected a yes/no field for a rule without "
	  "=, <= or >=, or imd_decile=VALUE)" },
	{ PRIO "route<=2 = 3\n",
	  "p.ini:3: route<=2: route is a choice field (expected an integer field for <=)" },
	{ PRIO "fsm>=1 = 3\n",
	  "p.ini:3: fsm>=1: fsm is a yes/no field (expected an integer field for >=)" },
	{ PRIO "date_of_birth>=2010-01-01 = 3\n",
	  "p.ini:3: date_of_birth>=2010-01-01: date_of_birth is a date field (expected an integer field for >=)" },
	{ PRIO "route=nee = 3\n",
	  "p.ini:3: route=nee: 'nee': not one of the choices (expected school, college, neet, "
	  "returner_health, returner_carer or adult)" },
	{ PRIO "route=NEET = 3\n",
	  "p.ini:3: route=NEET: never holds: records store 'NEET' as 'neet' (expected route=neet)" },
	{ PRIO "fsm=y = 3\n",
	  "p.ini:3: fsm=y: never holds: records store 'y' as 'yes' (expected fsm=yes)" },
	{ PRIO "fsm=maybe = 3\n",
	  "p.ini:3: fsm=maybe: 'maybe': not yes or no (expected yes, no, y, n, true, false, 1 or 0)" },
	{ PRIO "imd_decile=11 = 3\n",
	  "p.ini:3: imd_decile=11: '11': too large (expected a whole number from 1 to 10)" },
	{ PRIO "imd_decile=03 = 3\n",
	  "p.ini:3: imd_decile=03: never holds: records store '03' as '3' (expected imd_decile=3)" },
	{ PRIO "interests=nursing = 3\n",
	  "p.ini:3: interests=nursing: interests is a list field, and = compares whole values "
	  "(expected a field that holds one value)" },
	{ PRIO "imd_decile<=two = 3\n",
	  "p.ini:3: imd_decile<=two: 'two' is not a whole number (expected imd_decile<=N)" },
	{ PRIO "imd_decile<2 = 3\n",
	  "p.ini:3: imd_decile<2: unknown operator '<' (expected =, <= or >=)" },
	{ PRIO "route!=neet = 3\n",
	  "p.ini:3: route!=neet: unknown operator '!=' (expected =, <= or >=)" },
	{ PRIO "route==neet = 3\n",
	  "p.ini:3: route==neet: unknown operator '==' (expected =, <= or >=)" },
	{ PRIO "imd_decile<= = 3\n",
	  "p.ini:3: imd_decile<=: nothing after <= (expected imd_decile<=N)" },
	{ PRIO "route=neet\n",
	  "p.ini:3: 'route=neet' has no points (expected RULE = POINTS, such as care_experienced = 4)" },
	{ PRIO "care_experienced\n",
	  "p.ini:3: 'care_experienced' has no points (expected RULE = POINTS, such as care_experienced = 4)" },
	{ PRIO "<=2 = 3\n",
	  "p.ini:3: <=2: no field name (expected FIELD, FIELD=VALUE, FIELD<=N or FIELD>=N)" },
	{ PRIO "= 3\n", "p.ini:3: nothing before = (expected KEY = VALUE)" },
	{ PRIO "care experienced = 4\n",
	  "p.ini:3: care experienced: unknown field (expected a field of the candidate form)" },
	{ PRIO "score>=3 = 1\n",
	  "p.ini:3: score>=3: unknown field: score conditions belong in members (expected a field of "
	  "the candidate form)" },
	/* points and cap */
	{ PRIO "fsm = 101\n",
	  "p.ini:3: fsm: points '101' are out of range (expected a whole number from 0 to 100)" },
	{ PRIO "fsm = -1\n",
	  "p.ini:3: fsm: points '-1' are not a whole number (expected a whole number from 0 to 100)" },
	{ PRIO "imd_decile<=2 = 2.5\n",
	  "p.ini:3: imd_decile<=2: points '2.5' are not a whole number (expected a whole number from 0 to 100)" },
	{ PRIO "imd_decile<=2 =\n",
	  "p.ini:3: imd_decile<=2: points '' are not a whole number (expected a whole number from 0 to 100)" },
	{ "[priority]\ncap = 1001\n",
	  "p.ini:2: cap '1001' is out of range (expected a whole number from 0 to 1000)" },
	{ "[priority]\ncap = ten\n",
	  "p.ini:2: cap 'ten' is not a whole number (expected 0 to 1000, such as cap = 10)" },
	{ "[priority]\ncap = +10\n",
	  "p.ini:2: cap '+10' is not a whole number (expected 0 to 1000, such as cap = 10)" },
	{ "[priority]\ncap = 10\ncap = 10\n", "p.ini:3: cap given twice (first on line 2; expected it once)" },
	{ "[priority]\nfsm = 1\n\n[match]\n",
	  "p.ini:1: [priority] has no cap (expected cap = the most points a candidate can have, 0 to 1000, "
	  "such as cap = 10)" },
	/* duplicates and rules that never count */
	{ PRIO "fsm = 3\nfsm = 2\n", "p.ini:4: fsm given twice (first on line 3; expected each rule once)" },
	{ PRIO "fsm = 3\nfsm=yes = 2\n",
	  "p.ini:4: fsm=yes given twice (first on line 3; expected each rule once)" },
	{ PRIO "imd_decile<=4 = 2\nimd_decile<=2 = 3\n",
	  "p.ini:4: imd_decile<=2 never counts: the earlier rule imd_decile<=4 (line 3) holds whenever it "
	  "does, and for one field only the first rule that holds counts (expected the narrower rule first)" },
	{ PRIO "imd_decile>=4 = 2\nimd_decile>=6 = 3\n",
	  "p.ini:4: imd_decile>=6 never counts: the earlier rule imd_decile>=4 (line 3) holds whenever it "
	  "does, and for one field only the first rule that holds counts (expected the narrower rule first)" },
	{ PRIO "imd_decile<=4 = 2\nimd_decile=3 = 3\n",
	  "p.ini:4: imd_decile=3 never counts: the earlier rule imd_decile<=4 (line 3) holds whenever it "
	  "does, and for one field only the first rule that holds counts (expected the narrower rule first)" },
	{ PRIO "imd_decile<=2 = 2\nimd_decile<=+2 = 3\n",
	  "p.ini:4: imd_decile<=+2 given twice (first on line 3; expected each rule once)" },
	/* sections and keys */
	{ "[prio]\n", "p.ini:1: unknown section [prio] (expected [priority], [reserve NAME], [match] or [tiers])" },
	{ "[Priority]\ncap = 1\n",
	  "p.ini:1: unknown section [Priority] (expected [priority], [reserve NAME], [match] or [tiers])" },
	{ PRIO "[priority]\ncap = 3\n",
	  "p.ini:3: [priority] given twice (first on line 1; expected each section once)" },
	{ PRIO "[match]\n[match]\n", "p.ini:4: [match] given twice (first on line 3; expected each section once)" },
	{ "cap = 10\n[priority]\ncap = 10\n",
	  "p.ini:1: a key outside a section (expected a [priority], [reserve NAME], [match] or [tiers] header first)" },
	{ PRIO "[priority\n", "p.ini:3: section header without ] (expected [NAME])" },
	{ PRIO "[match] x\n", "p.ini:3: text after the section header (expected a comment starting with ; or #)" },
	{ "", "p.ini:1: no [priority] section (expected [priority] with cap = N and the rules, such as "
	  "care_experienced = 4)" },
	{ "# only a comment\n\n[match]\n", "p.ini:1: no [priority] section (expected [priority] with cap = N "
	  "and the rules, such as care_experienced = 4)" },
	{ PRIO "[match]\nfill_order = reserve_first\n",
	  "p.ini:4: unknown fill_order 'reserve_first' (expected open-first or reserve-first)" },
	{ PRIO "[match]\nfill_order = open-first\nfill_order = reserve-first\n",
	  "p.ini:5: fill_order given twice (first on line 4; expected it once)" },
	{ PRIO "[match]\nfill = open-first\n", "p.ini:4: unknown key 'fill' in [match] (expected fill_order)" },
	{ PRIO "[match]\nfill_order\n", "p.ini:4: 'fill_order' has no = (expected KEY = VALUE)" },
	/* reserve categories */
	{ PRIO "[reserve wp]\nmembers = fsm\nshare = 0.5\n[reserve wp]\nmembers = fsm\nshare = 0.5\n",
	  "p.ini:6: [reserve wp] given twice (first on line 3; expected each category once)" },
	{ PRIO "[reserve wp]\nmembers = fsm\nsahre = 0.5\n",
	  "p.ini:5: unknown key 'sahre' in [reserve wp] (expected members or share)" },
	{ PRIO "[reserve wp]\nmembers = fsm\n",
	  "p.ini:3: [reserve wp] has no share (expected share = a decimal above 0 and at most 1, such as share = 0.5)" },
	{ PRIO "[reserve wp]\nshare = 0.5\n\n[match]\n",
	  "p.ini:3: [reserve wp] has no members (expected members = conditions, such as members = score>=3, "
	  "care_experienced)" },
	{ PRIO "[reserve]\n", "p.ini:3: [reserve] without a name (expected [reserve NAME], such as [reserve wp])" },
	{ PRIO "[reserve Wp]\n",
	  "p.ini:3: bad category name 'Wp' (expected a-z, then up to 31 of a-z, 0-9 and _, such as [reserve wp])" },
	{ PRIO "[reserve w p]\n",
	  "p.ini:3: bad category name 'w p' (expected a-z, then up to 31 of a-z, 0-9 and _, such as [reserve wp])" },
	{ PRIO "[reserve abcdefghijklmnopqrstuvwxyz0123456]\n",
	  "p.ini:3: bad category name 'abcdefghijklmnopqrstuvwxyz0123456' (expected a-z, then up to 31 of a-z, "
	  "0-9 and _, such as [reserve wp])" },
	{ PRIO "[reservewp]\n",
	  "p.ini:3: unknown section [reservewp] (expected [priority], [reserve NAME], [match] or [tiers])" },
	{ PRIO "[reserve wp]\nmembers =\nshare = 1\n",
	  "p.ini:4: members is empty (expected conditions separated by commas, such as score>=3, care_experienced)" },
	{ PRIO "[reserve wp]\nmembers = fsm,,refugee\nshare = 1\n",
	  "p.ini:4: members: an empty condition in the list (expected conditions separated by commas)" },
	{ PRIO "[reserve wp]\nmembers = fsm, refugee,\nshare = 1\n",
	  "p.ini:4: members: an empty condition in the list (expected conditions separated by commas)" },
	{ PRIO "[reserve wp]\nmembers = fsm, fsm=yes\nshare = 1\n",
	  "p.ini:4: members: fsm=yes given twice in the list (expected each condition once)" },
	{ PRIO "[reserve wp]\nmembers = score>=3, score >= 3\nshare = 1\n",
	  "p.ini:4: members: score>=3 given twice in the list (expected each condition once)" },
	{ PRIO "[reserve wp]\nmembers = score\nshare = 1\n",
	  "p.ini:4: score: the score takes <= or >= (expected score>=N or score<=N)" },
	{ PRIO "[reserve wp]\nmembers = score=3\nshare = 1\n",
	  "p.ini:4: score=3: the score takes <= or >= (expected score>=N or score<=N)" },
	{ PRIO "[reserve wp]\nmembers = score>=1001\nshare = 1\n",
	  "p.ini:4: score>=1001: 1001 is out of range (expected score>=N, N from 0 to 1000)" },
	{ PRIO "[reserve wp]\nmembers = score<=x\nshare = 1\n",
	  "p.ini:4: score<=x: 'x' is not a whole number (expected score<=N, N from 0 to 1000)" },
	{ PRIO "[reserve wp]\nmembers = fsm, rout=neet\nshare = 1\n",
	  "p.ini:4: rout=neet: unknown field (expected a field of the candidate form)" },
	{ PRIO "[reserve wp]\nmembers = sex=female\nshare = 1\n",
	  "p.ini:4: sex=female: sex is an equality-monitoring answer, kept apart and never used for priority "
	  "(expected a field of the candidate form)" },
	{ PRIO "[reserve wp]\nmembers = fsm\nmembers = refugee\nshare = 1\n",
	  "p.ini:5: members given twice (first on line 4; expected it once)" },
	{ PRIO "[reserve wp]\nmembers = fsm\nshare = 1\nshare = 1\n",
	  "p.ini:6: share given twice (first on line 5; expected it once)" },
	/* tiers */
	{ PRIO "[tiers]\ntier1 = imd_decile<=2\n",
	  "p.ini:3: [tiers] has no tier2 (expected tier2 = conditions, such as tier2 = imd_decile<=4, "
	  "fsm_pct>=20: the section replaces the default tiers)" },
	{ PRIO "[tiers]\ntier1 = imd_decile<=2\ntier2 = fsm_pct>=20\ntier3 = fsm\n",
	  "p.ini:6: unknown key 'tier3' in [tiers] (expected tier1 or tier2; tier 3 is every other request)" },
	{ PRIO "[tiers]\ntier1 = fsm\ntier2 = fsm_pct>=20\n",
	  "p.ini:4: fsm: unknown field (expected a field of the request form)" },
	{ PRIO "[tiers]\ntier1 = score>=3\ntier2 = fsm_pct>=20\n",
	  "p.ini:4: score>=3: unknown field (expected a field of the request form)" },
	{ PRIO "[tiers]\ntier1 = virtual\ntier2 = activity<=3\n",
	  "p.ini:5: activity<=3: activity is a choice field (expected an integer field for <=)" },
	{ PRIO "[tiers]\ntier1 =\ntier2 = fsm_pct>=20\n",
	  "p.ini:4: tier1 is empty (expected conditions separated by commas, such as imd_decile<=2, fsm_pct>=30)" },
	/* encoding */
	{ PRIO "fsm = 3\x01\n", "p.ini:3: control character U+0001 at column 8 (expected text without control characters)" },
	{ PRIO "fsm = 3\rrefugee = 3\n",
	  "p.ini:3: control character U+000D at column 8 (expected text without control characters)" },
	{ PRIO "fsm = 3 ; \xc3\n", "p.ini:3: byte 0xC3 at column 11 is not UTF-8 (expected UTF-8 text)" },
	{ PRIO "school=\xc3\xa9\xe2\x80\xae = 1\n",
	  "p.ini:3: bidirectional control U+202E at column 9 (expected text without them: they make a line "
	  "show differently from what it says)" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const char *got = perr(error_cases[i].text);

		if (strcmp(got, error_cases[i].msg) != 0)
			fail_msg("case %zu:\n  text %s\n  got  %s\n  want %s", i, error_cases[i].text, got,
				 error_cases[i].msg);
	}
}

/* A NUL byte in the file is a control character like the others. */
static void test_nul_byte(void **state)
{
	static const char text[] = "[priority]\ncap = 1\x00\n";
	struct wx_policy *p = NULL;
	struct wx_err err;

	(void)state;
	wx_err_clear(&err);
	assert_int_equal(wx_policy_parse(&p, "p.ini", text, sizeof text - 1, forms, NULL, NULL, &err),
			 WX_EDATA);
	assert_null(p);
	assert_string_equal(err.msg, "p.ini:2: control character U+0000 at column 8 (expected text "
			    "without control characters)");
}

/* Every problem is reported, not just the first; parsing stops at 100. */
struct problems {
	size_t n;
	char msg[200][300];
};

static void collect(void *ctx, const char *msg)
{
	struct problems *pr = ctx;

	if (pr->n < 200)
		snprintf(pr->msg[pr->n], sizeof pr->msg[0], "%s", msg);
	pr->n++;
}

static void test_every_problem(void **state)
{
	static const char text[] =
		"[priority]\n"
		"fsm = 3\n"
		"refugee = 300\n"
		"nosuch = 1\n"
		"[reserve wp]\n"
		"members = fsm, nosuch\n"
		"[oops]\n"
		"x = 1\n"
		"[match]\n"
		"fill_order = sideways\n";
	struct problems *pr = calloc(1, sizeof *pr);
	struct wx_policy *p = NULL;
	struct wx_err err;
	char *big;
	size_t n = 0;

	(void)state;
	wx_err_clear(&err);
	assert_int_equal(wx_policy_parse(&p, "t.ini", text, strlen(text), forms, collect, pr, &err), WX_EDATA);
	assert_null(p);
	assert_int_equal(pr->n, 7);
	assert_string_equal(pr->msg[0], "t.ini:3: refugee: points '300' are out of range (expected a whole number from 0 to 100)");
	assert_string_equal(pr->msg[1], "t.ini:4: nosuch: unknown field (expected a field of the candidate form)");
	assert_string_equal(pr->msg[2], "t.ini:1: [priority] has no cap (expected cap = the most points a candidate can have, 0 to 1000, such as cap = 10)");
	assert_string_equal(pr->msg[3], "t.ini:6: nosuch: unknown field (expected a field of the candidate form)");
	assert_string_equal(pr->msg[4], "t.ini:5: [reserve wp] has no share (expected share = a decimal above 0 and at most 1, such as share = 0.5)");
	assert_string_equal(pr->msg[5], "t.ini:7: unknown section [oops] (expected [priority], [reserve NAME], [match] or [tiers])");
	assert_string_equal(pr->msg[6], "t.ini:10: unknown fill_order 'sideways' (expected open-first or reserve-first)");
	/* err holds the first */
	assert_string_equal(err.msg, pr->msg[0]);

	/* a thousand bad lines: 100 problems, then one line saying so */
	big = malloc(20000);
	n += (size_t)sprintf(big, "[priority]\ncap = 1\n");
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(big + n, "bad%d = 1\n", i);
	memset(pr, 0, sizeof *pr);
	assert_int_equal(wx_policy_parse(&p, "t.ini", big, n, forms, collect, pr, NULL), WX_EDATA);
	assert_null(p);
	assert_int_equal(pr->n, 101);
	assert_string_equal(pr->msg[99], "t.ini:102: bad99: unknown field (expected a field of the candidate form)");
	assert_string_equal(pr->msg[100], "t.ini:102: too many problems: the rest of the file was not checked");
	free(big);
	free(pr);
}

/* A special-category field of the candidate form (a trust's own form may
 * mark one) can never be named. */
static void test_special_field(void **state)
{
	char dir[600];
	struct wx_forms *f2 = NULL;
	struct wx_form *cf;
	struct wx_policy *p = NULL;
	struct wx_err err;
	static const char text[] = "[priority]\ncap = 10\nfsm = 3\n[reserve x]\nmembers = refugee\nshare = 1\n";
	static const char text2[] = "[priority]\ncap = 10\nrefugee = 3\n";

	(void)state;
	wx_err_clear(&err);
	assert_int_equal(wx_forms_load(&f2, forms_dir(dir, sizeof dir), &err), WX_OK);
	cf = f2->form[WX_KIND_CANDIDATE];
	for (size_t i = 0; i < cf->n; i++)
		if (strcmp(cf->f[i].name, "refugee") == 0)
			cf->f[i].special = 1;
	assert_int_equal(wx_policy_parse(&p, "p.ini", text, strlen(text), f2, NULL, NULL, &err), WX_EDATA);
	assert_string_equal(err.msg, "p.ini:5: refugee: refugee is special-category data (special = yes in "
			    "the candidate form), never used for priority (expected a field without special = yes)");
	wx_err_clear(&err);
	assert_int_equal(wx_policy_parse(&p, "p.ini", text2, strlen(text2), f2, NULL, NULL, &err), WX_EDATA);
	assert_string_equal(err.msg, "p.ini:3: refugee: refugee is special-category data (special = yes in "
			    "the candidate form), never used for priority (expected a field without special = yes)");
	/* without a request form there is nothing to check tiers against */
	wx_form_free(f2->form[WX_KIND_REQUEST]);
	f2->form[WX_KIND_REQUEST] = NULL;
	wx_err_clear(&err);
	assert_int_equal(wx_policy_parse(&p, "p.ini", text, strlen(text), f2, NULL, NULL, &err), WX_EUSAGE);
	assert_null(p);
	assert_string_equal(err.msg, "p.ini: no candidate and request forms to check the policy against");
	wx_forms_free(f2);
}

/* A trust's request form without fsm_pct and a policy without [tiers]:
 * the default tiers cannot be checked, and the message says so. */
static void test_default_tiers_need_fields(void **state)
{
	char dir[600];
	struct wx_forms *f2 = NULL;
	struct wx_form *rf;
	struct wx_policy *p = NULL;
	struct wx_err err;
	static const char text[] = "[priority]\ncap = 10\n";
	static const char text2[] = "[priority]\ncap = 10\n[tiers]\ntier1 = imd_decile<=1\ntier2 = imd_decile<=3\n";

	(void)state;
	wx_err_clear(&err);
	assert_int_equal(wx_forms_load(&f2, forms_dir(dir, sizeof dir), &err), WX_OK);
	rf = f2->form[WX_KIND_REQUEST];
	for (size_t i = 0; i < rf->n; i++)
		if (strcmp(rf->f[i].name, "fsm_pct") == 0)
			rf->f[i].name[0] = 'x';
	assert_int_equal(wx_policy_parse(&p, "p.ini", text, strlen(text), f2, NULL, NULL, &err), WX_EDATA);
	assert_string_equal(err.msg, "p.ini:1: the default tiers (the file has no [tiers]): fsm_pct>=30: "
			    "unknown field (expected a field of the request form)");
	p = NULL;
	assert_int_equal(wx_policy_parse(&p, "p.ini", text2, strlen(text2), f2, NULL, NULL, NULL), WX_OK);
	assert_int_equal(wx_policy_has_tiers(p), 1);
	wx_policy_free(p);
	wx_forms_free(f2);
}

/* ---- the text of the file ---- */

static void test_syntax(void **state)
{
	struct wx_policy *p;
	static const char crlf[] = "\xEF\xBB\xBF[priority]\r\ncap = 10\r\n\tfsm = 3\t# free school meals\r\n"
		"; a comment\r\n   # another\r\nrefugee=yes = 3;not a comment ;a comment\r\n";

	(void)state;
	/* BOM, CR LF, tabs, both comment characters */
	p = parse_ok("\xEF\xBB\xBF[priority]\r\ncap = 10\r\n\tfsm = 3\t# free school meals\r\n"
		     "; a comment\r\n   # another\r\n  [ reserve   wp ]  ; spaced\r\nmembers=fsm\r\nshare=.5");
	assert_int_equal(SCORE(p, "fsm", "yes"), 3);
	assert_string_equal(wx_policy_category_name(p, 0), "wp");
	assert_int_equal(wx_policy_category_share(p, 0), 500000);
	wx_policy_free(p);
	/* ; and # start a comment only at the start or after a blank */
	assert_string_equal(perr(crlf), "p.ini:6: refugee=yes: points '3;not a comment' are not a whole "
			    "number (expected a whole number from 0 to 100)");
	p = parse_ok("[priority]\ncap=10\nschool=a;b#c = 1\n");
	assert_string_equal(wx_policy_rule_text(p, 0), "school=a;b#c");
	assert_int_equal(SCORE(p, "school", "a;b#c"), 1);
	wx_policy_free(p);
	/* sections in any order; an empty [priority] rule list scores 0 */
	p = parse_ok("[match]\nfill_order=reserve-first\n[reserve b]\nshare=1\nmembers=score>=0\n"
		     "[priority]\ncap=0\n[reserve a]\nmembers=fsm\nshare=0.1\n");
	assert_int_equal(wx_policy_fill_order(p), WX_POLICY_RESERVE_FIRST);
	assert_string_equal(wx_policy_fill_name(WX_POLICY_RESERVE_FIRST), "reserve-first");
	assert_string_equal(wx_policy_category_name(p, 0), "b");
	assert_string_equal(wx_policy_category_name(p, 1), "a");
	assert_int_equal(wx_policy_nrules(p), 0);
	{
		uint32_t m;

		assert_int_equal(MEMBERS(p, &m, "fsm", "yes"), 0);
		assert_int_equal(m, 3);
	}
	wx_policy_free(p);
	/* non-ASCII text values are compared as bytes */
	p = parse_ok("[priority]\ncap=10\nschool=Ysgol G\xc5\xb5yr = 2\n");
	assert_int_equal(SCORE(p, "school", "Ysgol G\xc5\xb5yr"), 2);
	wx_policy_free(p);
	/* the file size limit */
	{
		size_t n = WX_POLICY_FILE_MAX + 1;
		char *big = malloc(n);
		struct wx_policy *q = NULL;
		struct wx_err err;

		memset(big, '\n', n);
		memcpy(big, "[priority]\ncap=1\n", 17);
		wx_err_clear(&err);
		assert_int_equal(wx_policy_parse(&q, "p.ini", big, n, forms, NULL, NULL, &err), WX_EDATA);
		assert_string_equal(err.msg, "p.ini:1: file larger than 1 MiB (1048576 bytes)");
		wx_err_clear(&err);
		assert_int_equal(wx_policy_parse(&q, "p.ini", big, n - 1, forms, NULL, NULL, &err), WX_OK);
		wx_policy_free(q);
		free(big);
	}
}

static void test_rule_limit(void **state)
{
	char *text = malloc(20000);
	size_t n = (size_t)sprintf(text, "[priority]\ncap=1000\n");
	struct wx_policy *p;

	(void)state;
	for (int i = 0; i < 256; i++)
		n += (size_t)sprintf(text + n, "max_travel_km=%d = 1\n", i);
	p = parse_ok(text);
	assert_int_equal(wx_policy_nrules(p), 256);
	assert_int_equal(SCORE(p, "max_travel_km", "255"), 1);
	wx_policy_free(p);
	sprintf(text + n, "max_travel_km=256 = 1\n");
	assert_string_equal(perr(text), "p.ini:259: more than 256 rules (expected at most 256)");
	free(text);

	text = malloc(20000);
	n = (size_t)sprintf(text, "[priority]\ncap=1\n[reserve a]\nshare=1\nmembers=score>=0");
	for (int i = 1; i < 64; i++)
		n += (size_t)sprintf(text + n, ", max_travel_km=%d", i);
	sprintf(text + n, "\n");
	p = parse_ok(text);
	wx_policy_free(p);
	sprintf(text + n, ", fsm\n");
	assert_string_equal(perr(text), "p.ini:5: members: more than 64 conditions (expected at most 64)");
	free(text);
}

/* ---- the shipped default ---- */

static void test_default_policy(void **state)
{
	const char *text = wx_policy_default_text();
	struct wx_policy *p = parse_ok(text);
	uint32_t m;
	size_t len;

	(void)state;
	assert_string_equal(wx_policy_text(p, &len), text);
	assert_int_equal(len, strlen(text));
	assert_int_equal(wx_policy_cap(p), 10);
	assert_int_equal(wx_policy_nrules(p), 14);
	assert_int_equal(wx_policy_ncategories(p), 1);
	assert_string_equal(wx_policy_category_name(p, 0), "wp");
	assert_int_equal(wx_policy_category_share(p, 0), 250000);
	assert_int_equal(wx_policy_fill_order(p), WX_POLICY_OPEN_FIRST);
	assert_int_equal(wx_policy_has_tiers(p), 1);

	/* domain.md's table, factor by factor */
	assert_int_equal(SCORE(p, "care_experienced", "yes"), 4);
	assert_int_equal(SCORE(p, "fsm", "yes"), 3);
	assert_int_equal(SCORE(p, "refugee", "yes"), 3);
	assert_int_equal(SCORE(p, "route", "neet"), 3);
	assert_int_equal(SCORE(p, "route", "returner_health"), 3);
	assert_int_equal(SCORE(p, "route", "returner_carer"), 3);
	assert_int_equal(SCORE(p, "route", "school"), 0);
	assert_int_equal(SCORE(p, "route", "adult"), 0);
	assert_int_equal(SCORE(p, "imd_decile", "1"), 3);
	assert_int_equal(SCORE(p, "imd_decile", "2"), 3);
	assert_int_equal(SCORE(p, "imd_decile", "3"), 2);
	assert_int_equal(SCORE(p, "imd_decile", "4"), 2);
	assert_int_equal(SCORE(p, "imd_decile", "5"), 0);
	assert_int_equal(SCORE(p, "young_carer", "yes"), 2);
	assert_int_equal(SCORE(p, "estranged", "yes"), 2);
	assert_int_equal(SCORE(p, "first_in_family", "yes"), 2);
	assert_int_equal(SCORE(p, "prior_experience", "no"), 2);
	assert_int_equal(SCORE(p, "prior_experience", "yes"), 0);
	assert_int_equal(SCORE(p, "prior_experience", ""), 0);   /* did not say: not "no" */
	assert_int_equal(SCORE(p, "disability", "yes"), 2);       /* opted in */
	assert_int_equal(SCORE(p, "disability", "no"), 0);
	assert_int_equal(SCORE(p, "service_child", "yes"), 1);

	/* example candidates */
	assert_int_equal(MEMBERS(p, &m, "id", "C1", "route", "school", "care_experienced", "yes", "fsm", "yes",
				 "prior_experience", "yes"), 7);
	assert_int_equal(m, 1);
	assert_string_equal(EXPLAIN(p, "id", "C1", "route", "school", "care_experienced", "yes", "fsm", "yes",
				    "prior_experience", "yes"),
			    "care experienced: 4; free school meals: 3; total 7 (cap 10)");
	assert_int_equal(MEMBERS(p, &m, "id", "C2", "route", "neet", "imd_decile", "1", "prior_experience", "no",
				 "young_carer", "yes"), 10);
	assert_int_equal(m, 1);
	assert_string_equal(EXPLAIN(p, "route", "neet", "imd_decile", "1", "prior_experience", "no",
				    "young_carer", "yes"),
			    "route is neet: 3; area deprivation decile 2 or less: 3; young or adult carer: 2; "
			    "previous work experience is no: 2; total 10 (cap 10)");
	/* a pupil with several smaller factors: 10 points, but not in the reserve */
	assert_int_equal(MEMBERS(p, &m, "route", "school", "fsm", "yes", "imd_decile", "2",
				 "first_in_family", "yes", "prior_experience", "no"), 10);
	assert_int_equal(m, 0);
	assert_string_equal(EXPLAIN(p, "route", "school", "fsm", "yes", "imd_decile", "2",
				    "first_in_family", "yes", "prior_experience", "no"),
			    "free school meals: 3; area deprivation decile 2 or less: 3; first in family to "
			    "higher education: 2; previous work experience is no: 2; total 10 (cap 10)");
	assert_int_equal(MEMBERS(p, &m, "route", "returner_carer"), 3);
	assert_int_equal(m, 1);
	assert_int_equal(MEMBERS(p, &m, "route", "college", "imd_decile", "3", "disability", "no",
				 "service_child", "yes"), 3);
	assert_int_equal(m, 0);
	assert_string_equal(EXPLAIN(p, "route", "college", "imd_decile", "3", "disability", "no",
				    "service_child", "yes"),
			    "area deprivation decile 4 or less: 2; service family: 1; total 3 (cap 10)");
	/* everything: 27 points, capped */
	assert_int_equal(SCORE(p, "care_experienced", "yes", "fsm", "yes", "refugee", "yes", "route", "neet",
			       "imd_decile", "1", "young_carer", "yes", "estranged", "yes", "first_in_family", "yes",
			       "prior_experience", "no", "disability", "yes", "service_child", "yes"), 10);
	assert_string_equal(EXPLAIN(p, "care_experienced", "yes", "fsm", "yes", "refugee", "yes", "route", "neet",
				    "imd_decile", "1", "young_carer", "yes", "estranged", "yes", "first_in_family",
				    "yes", "prior_experience", "no", "disability", "yes", "service_child", "yes"),
			    "care experienced: 4; free school meals: 3; refugee or asylum seeker: 3; route is neet: 3; "
			    "area deprivation decile 2 or less: 3; young or adult carer: 2; estranged: 2; first in "
			    "family to higher education: 2; previous work experience is no: 2; disability (for "
			    "priority): 2; service family: 1; total 10 (27 before the cap of 10)");
	assert_string_equal(EXPLAIN(p, "route", "adult"), "no priority factors; total 0 (cap 10)");

	/* the default tiers */
	assert_int_equal(TIER(p, "imd_decile", "1"), 1);
	assert_int_equal(TIER(p, "imd_decile", "2", "fsm_pct", "0"), 1);
	assert_int_equal(TIER(p, "imd_decile", "9", "fsm_pct", "30"), 1);
	assert_int_equal(TIER(p, "imd_decile", "3", "fsm_pct", "29"), 2);
	assert_int_equal(TIER(p, "imd_decile", "4"), 2);
	assert_int_equal(TIER(p, "fsm_pct", "20"), 2);
	assert_int_equal(TIER(p, "imd_decile", "5", "fsm_pct", "19"), 3);
	assert_int_equal(TIER(p, "id", "R1"), 3);
	assert_int_equal(TIER(p, "imd_decile", "", "fsm_pct", "lots"), 3);
	wx_policy_free(p);
}

static void test_tiers(void **state)
{
	struct wx_policy *p = parse_ok(PRIO "[tiers]\ntier1 = virtual, activity=mock_interview\n"
				       "tier2 = audience_size>=100, imd_decile<=1\n");

	(void)state;
	assert_int_equal(wx_policy_has_tiers(p), 1);
	assert_int_equal(TIER(p, "virtual", "yes"), 1);
	assert_int_equal(TIER(p, "virtual", "no", "activity", "mock_interview"), 1);
	assert_int_equal(TIER(p, "audience_size", "100"), 2);
	assert_int_equal(TIER(p, "imd_decile", "1"), 2);
	assert_int_equal(TIER(p, "imd_decile", "2", "fsm_pct", "90"), 3);
	wx_policy_free(p);

	/* no [tiers]: the default of matching.md */
	p = parse_ok(PRIO);
	assert_int_equal(wx_policy_has_tiers(p), 0);
	assert_int_equal(TIER(p, "fsm_pct", "30"), 1);
	assert_int_equal(TIER(p, "fsm_pct", "20"), 2);
	assert_int_equal(TIER(p, "imd_decile", "5"), 3);
	wx_policy_free(p);
}

static void test_explain(void **state)
{
	struct wx_policy *p = parse_ok(PRIO "max_travel_km>=30 = 1\ndbs_status=not_needed = 2\n");
	struct wx_policy_why why;
	struct rec r = mkrec("max_travel_km", "31", "dbs_status", "not_needed", NULL);
	char small[10];
	size_t n;
	int s;

	(void)state;
	assert_string_equal(wx_policy_rule_label(p, 0), "furthest travel (km) 30 or more");
	assert_string_equal(wx_policy_rule_label(p, 1), "DBS check is not_needed");
	assert_null(wx_policy_rule_label(p, 2));
	assert_int_equal(wx_policy_score(p, r.buf, r.len, &s, NULL, &why), WX_OK);
	free(r.buf);
	n = wx_policy_explain(p, &why, NULL, 0);
	assert_int_equal(n, strlen("furthest travel (km) 30 or more: 1; DBS check is not_needed: 2; total 3 (cap 10)"));
	/* cut like snprintf */
	assert_int_equal(wx_policy_explain(p, &why, small, sizeof small), n);
	assert_string_equal(small, "furthest ");
	wx_policy_free(p);
}

/* ---- what a score costs: printed as a TAP diag line ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cost(void **state)
{
	enum { NREC = 1000 };
	struct wx_policy *p = parse_ok(wx_policy_default_text());
	const struct wx_form *cf = forms->form[WX_KIND_CANDIDATE];
	struct rec *recs = calloc(NREC, sizeof *recs);
	const char *ld = getenv("LD_PRELOAD");
	int slow = ld && (strstr(ld, "valgrind") || strstr(ld, "vgpreload"));
	long rounds;
	double best = 1e9;
	long total = 0;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	slow = 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	slow = 1;
#endif
#endif
	rounds = slow ? 2 : 200;
	/* realistic records: every field of the shipped form, in form order */
	for (int i = 0; i < NREC; i++) {
		struct wx_record r;
		char v[64];

		wx_record_init(&r);
		for (size_t k = 0; k < cf->n; k++) {
			const struct wx_form_field *f = &cf->f[k];

			if (f->type == WX_FT_YESNO)
				snprintf(v, sizeof v, "%s", (i * 7 + (int)k) % 3 ? "no" : "yes");
			else if (f->type == WX_FT_INTEGER)
				snprintf(v, sizeof v, "%d", 1 + (i + (int)k) % 10);
			else if (f->type == WX_FT_CHOICE)
				snprintf(v, sizeof v, "%s", f->choices->v[(size_t)i % f->choices->n].code);
			else
				snprintf(v, sizeof v, "%s-%d", f->name, i);
			assert_int_equal(wx_record_append(&r, f->name, v, strlen(v)), WX_OK);
		}
		assert_int_equal(wx_record_encode(&r, &recs[i].buf, &recs[i].len), WX_OK);
		wx_record_free(&r);
	}
	for (int round = 0; round < 5; round++) {
		double t0 = now(), t;

		for (long k = 0; k < rounds; k++)
			for (int i = 0; i < NREC; i++) {
				int s;
				uint32_t m;

				if (wx_policy_score(p, recs[i].buf, recs[i].len, &s, &m, NULL) != WX_OK)
					fail();
				total += s + (int)m;
			}
		t = (now() - t0) / ((double)rounds * NREC);
		if (t < best)
			best = t;
	}
	print_message("# wx_policy_score, default policy (%zu rules, 1 category), %zu-field records: "
		      "%.0f ns per candidate (checksum %ld)\n", wx_policy_nrules(p), cf->n, best * 1e9, total);
	/* a figure, not a limit: a busy machine must not fail the test */
	for (int i = 0; i < NREC; i++)
		free(recs[i].buf);
	free(recs);
	wx_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example),
		cmocka_unit_test(test_rule_kinds),
		cmocka_unit_test(test_first_rule_per_field),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_empty_and_non_numeric),
		cmocka_unit_test(test_damaged_records),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_many_categories),
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_every_problem),
		cmocka_unit_test(test_special_field),
		cmocka_unit_test(test_default_tiers_need_fields),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_rule_limit),
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
