/* unit-run.c: the run layer (run.h) on random stores.
 *
 * Each instance is a small trust: placements over three professions and
 * three weeks (some undated, some not open, some full), candidates with
 * choices (some naming unknown placements) or interests, weeks, travel
 * limits, birth dates either side of the minimum ages, and earlier
 * confirmed placements of the same people.  For every instance:
 *  - cut preference lists (interest_limit 1 and 2) give exactly the result
 *    of whole lists: the same placement, slot, choice_rank and reason for
 *    every candidate, and the same counterfactual;
 *  - every assignment passes the gates as this file computes them itself
 *    (age on the start date, week, great-circle distance, one placement a
 *    year), and a choice's choice_rank is its position in the choices;
 *  - the checks are clean (no blocking pair, no wasted seat);
 *  - inserting the same records in another order gives the same digest and
 *    result. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define TESTLIB_SEED UINT64_C(0x52554e5f4c415952)
#include "testlib.h"

#include "wexmatch/form.h"
#include "wexmatch/geo.h"
#include "wexmatch/policy.h"
#include "wexmatch/record.h"
#include "wexmatch/run.h"
#include "wexmatch/runstore.h"
#include "wexmatch/keys.h"
#include "wexmatch/check.h"
#include "wexmatch/store.h"
#include "wexmatch/values.h"

static struct wx_forms *forms;
static struct wx_policy *policy;

#define NPC 5
static const char *const postcodes[NPC] = { "LS1 3EX", "LS6 2QB", "LS14 6UH", "BD1 1AA", "YO1 7HH" };
static const double lat[NPC] = { 53.797, 53.821, 53.829, 53.795, 53.959 };
static const double lon[NPC] = { -1.549, -1.573, -1.453, -1.759, -1.081 };
static const char *const profs[3] = { "radiography", "nursing", "pharmacy" };
static const char *const weeks[3] = { "2027-W20", "2027-W22", "2027-W30" };
static const int week_no[3] = { 20, 22, 30 };

struct gplace {
	char id[16];
	int open, cap, min_age, prof, week;   /* week -1: undated */
	int pc;
	int use_start;                        /* dated by start_date, not week */
};

struct gcand {
	char id[16];
	int status;                           /* 0 received, 1 confirmed, 2 offered */
	int by, bm, bd;
	int nch, ch[5];                       /* indices into places, -1 unknown */
	int nint, in[2];
	int nwk, wk[3];
	int max_km;                           /* -1 none */
	int pc;                               /* -1 none */
	int person;                           /* same person as another */
	int placement;                        /* for confirmed/offered */
	int flags;
	int applied;
};

struct inst {
	int np, nc;
	struct gplace p[14];
	struct gcand c[48];
};

static void gen(struct inst *t)
{
	memset(t, 0, sizeof *t);
	t->np = 3 + (int)rnd(11);
	t->nc = 5 + (int)rnd(40);
	for (int i = 0; i < t->np; i++) {
		struct gplace *p = &t->p[i];
		snprintf(p->id, sizeof p->id, "P%02d", i);
		p->open = rnd(10) != 0;
		p->cap = (int)rnd(4);
		p->min_age = rnd(3) == 0 ? -1 : 14 + (int)rnd(3);
		p->prof = (int)rnd(3);
		p->week = rnd(8) == 0 ? -1 : (int)rnd(3);
		p->pc = (int)rnd(NPC + 1) - 1;
		p->use_start = rnd(2);
	}
	for (int i = 0; i < t->nc; i++) {
		struct gcand *c = &t->c[i];
		snprintf(c->id, sizeof c->id, "C%02d", (i * 7) % t->nc < 0 ? 0 : i);
		c->status = rnd(8) == 0 ? 1 + (int)rnd(2) : 0;
		c->by = 2010 + (int)rnd(4);
		c->bm = 1 + (int)rnd(12);
		c->bd = 1 + (int)rnd(28);
		if (rnd(20) == 0) {
			c->bm = 2;
			c->bd = 29;
			c->by = 2012;
		}
		if (rnd(3)) {
			c->nch = 1 + (int)rnd(5);
			for (int k = 0; k < c->nch; k++)
				c->ch[k] = rnd(12) == 0 ? -1 : (int)rnd((unsigned)t->np);
		} else {
			c->nint = 1 + (int)rnd(2);
			c->in[0] = (int)rnd(3);
			c->in[1] = (int)rnd(3);
		}
		c->nwk = (int)rnd(4);
		for (int k = 0; k < c->nwk; k++)
			c->wk[k] = (int)rnd(3);
		c->max_km = rnd(3) ? -1 : 5 + (int)rnd(60);
		c->pc = (int)rnd(NPC + 1) - 1;
		c->person = i > 0 && rnd(6) == 0 ? (int)rnd((unsigned)i) : i;
		c->placement = (int)rnd((unsigned)t->np);
		c->flags = (int)rnd(64);
		c->applied = (int)rnd(5000);
	}
}

static void set(struct wx_record *r, const char *name, const char *v)
{
	assert_int_equal(wx_record_set(r, name, v, strlen(v)), WX_OK);
}

struct put_ctx {
	const struct inst *t;
	int reverse;
};

static int put_fn(struct wx_txn *txn, void *vctx)
{
	struct put_ctx *pc = vctx;
	const struct inst *t = pc->t;
	char buf[256];

	for (int q = 0; q < t->np; q++) {
		int i = pc->reverse ? t->np - 1 - q : q;
		const struct gplace *p = &t->p[i];
		struct wx_record r;

		wx_record_init(&r);
		set(&r, "id", p->id);
		set(&r, "status", p->open ? "open" : "draft");
		set(&r, "title", "Taster");
		set(&r, "department", "Imaging");
		set(&r, "profession", profs[p->prof]);
		snprintf(buf, sizeof buf, "%d", p->cap);
		set(&r, "capacity", buf);
		if (p->min_age >= 0) {
			snprintf(buf, sizeof buf, "%d", p->min_age);
			set(&r, "min_age", buf);
		}
		if (p->week >= 0) {
			if (p->use_start) {
				int y, m, d;
				wx_civil_from_days(wx_week_monday(2027, week_no[p->week]) + 2, &y, &m, &d);
				snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
				set(&r, "start_date", buf);
			} else {
				set(&r, "week", weeks[p->week]);
			}
		}
		if (p->pc >= 0)
			set(&r, "site_postcode", postcodes[p->pc]);
		if (wx_record_save(txn, WX_KIND_PLACEMENT, &r, 0) != WX_OK)
			return wx_txn_status(txn);
		wx_record_free(&r);
	}
	for (int q = 0; q < t->nc; q++) {
		int i = pc->reverse ? t->nc - 1 - q : q;
		const struct gcand *c = &t->c[i];
		struct wx_record r;
		size_t used = 0;

		wx_record_init(&r);
		set(&r, "id", c->id);
		set(&r, "status", c->status == 1 ? "confirmed" : c->status == 2 ? "offered" : "received");
		snprintf(buf, sizeof buf, "2027-01-0%dT%02d:%02d:00Z", 1 + c->applied / 1440,
			 c->applied % 1440 / 60, c->applied % 60);
		set(&r, "applied_at", buf);
		snprintf(buf, sizeof buf, "Given%d", c->person);
		set(&r, "given_name", buf);
		set(&r, "family_name", "Family");
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", t->c[c->person].by, t->c[c->person].bm,
			 t->c[c->person].bd);
		set(&r, "date_of_birth", buf);
		set(&r, "route", "school");
		if (c->status)
			set(&r, "placement", t->p[c->placement].id);
		buf[0] = '\0';
		for (int k = 0; k < c->nch; k++)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", k ? ";" : "",
						 c->ch[k] < 0 ? "PX9" : t->p[c->ch[k]].id);
		if (c->nch)
			set(&r, "choices", buf);
		used = 0;
		for (int k = 0; k < c->nint; k++)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", k ? ";" : "",
						 profs[c->in[k]]);
		if (c->nint)
			set(&r, "interests", buf);
		used = 0;
		for (int k = 0; k < c->nwk; k++)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", k ? ";" : "",
						 weeks[c->wk[k]]);
		if (c->nwk)
			set(&r, "available_weeks", buf);
		if (c->max_km >= 0) {
			snprintf(buf, sizeof buf, "%d", c->max_km);
			set(&r, "max_travel_km", buf);
		}
		if (c->pc >= 0)
			set(&r, "postcode", postcodes[c->pc]);
		set(&r, "care_experienced", c->flags & 1 ? "yes" : "no");
		set(&r, "fsm", c->flags & 2 ? "yes" : "no");
		set(&r, "prior_experience", c->flags & 4 ? "yes" : "no");
		set(&r, "young_carer", c->flags & 8 ? "yes" : "no");
		if (wx_record_save(txn, WX_KIND_CANDIDATE, &r, 0) != WX_OK)
			return wx_txn_status(txn);
		wx_record_free(&r);
	}
	return WX_OK;
}

static struct wx_store *make_store(const struct inst *t, int reverse, char *dir)
{
	struct wx_store *s;
	struct wx_store_opts o;
	struct wx_err err;
	struct put_ctx pc = { t, reverse };
	struct wx_geo_import_result gr;
	char csv[1024];
	size_t n = (size_t)snprintf(csv, sizeof csv, "postcode,latitude,longitude\n");

	strcpy(dir, "/tmp/unit-run-XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.flags = WX_OPEN_CREATE;
	assert_int_equal(wx_store_open(&s, &o, &err), WX_OK);
	for (int i = 0; i < NPC; i++)
		n += (size_t)snprintf(csv + n, sizeof csv - n, "%s,%.3f,%.3f\n", postcodes[i], lat[i],
				      lon[i]);
	memset(&gr, 0, sizeof gr);
	assert_int_equal(wx_geo_import(s, "geo.csv", csv, n, &gr, &err), WX_OK);
	wx_geo_import_result_free(&gr);
	assert_int_equal(wx_store_write(s, put_fn, &pc, &err), WX_OK);
	return s;
}

static void drop_store(struct wx_store *s, const char *dir)
{
	char path[512];

	wx_store_close(s);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

static void run(struct wx_store *s, size_t limit, uint64_t seed, struct wx_run *w)
{
	struct wx_run_opts o;
	struct wx_err err;

	memset(&o, 0, sizeof o);
	o.forms = forms;
	o.policy = policy;
	o.seed = seed;
	o.today = wx_days_from_civil(2026, 11, 22);
	o.interest_limit = limit;
	if (wx_run_prepare(s, &o, w, &err) != WX_OK || wx_run_match(w, &err) != WX_OK)
		fail_msg("run: %s", err.msg);
}

static void assert_same(const struct wx_run *a, const struct wx_run *b)
{
	assert_int_equal(a->in.ncand, b->in.ncand);
	for (size_t i = 0; i < a->in.ncand; i++) {
		const char *pa = wx_run_place_id(a, a->res.place[i]);
		const char *pb = wx_run_place_id(b, b->res.place[i]);

		assert_string_equal(a->in.cand[i].id, b->in.cand[i].id);
		assert_string_equal(pa ? pa : "-", pb ? pb : "-");
		assert_int_equal(a->res.slot[i], b->res.slot[i]);
		assert_int_equal(wx_run_choice_rank(a, i), wx_run_choice_rank(b, i));
		assert_int_equal(a->res.reason[i], b->res.reason[i]);
		assert_int_equal(wx_run_cf_place(a, i) >= 0, wx_run_cf_place(b, i) >= 0);
	}
	assert_int_equal(a->fig.placed, b->fig.placed);
	assert_int_equal(a->cf.placed, b->cf.placed);
	assert_int_equal(a->cf.group_placed, b->cf.group_placed);
}

static double km(int a, int b)
{
	const double r = 6371.0088, d = 3.14159265358979323846 / 180.0;
	double h = pow(sin((lat[b] - lat[a]) * d / 2), 2) +
		cos(lat[a] * d) * cos(lat[b] * d) * pow(sin((lon[b] - lon[a]) * d / 2), 2);
	return 2 * r * asin(sqrt(h));
}

/* This file's own reading of the gates for candidate index ci and
 * placement index pi of the instance. */
static int eligible(const struct inst *t, int ci, int pi)
{
	const struct gcand *c = &t->c[ci];
	const struct gplace *p = &t->p[pi];
	const struct gcand *who = &t->c[c->person];
	int64_t day = p->week >= 0 ? wx_week_monday(2027, week_no[p->week]) + (p->use_start ? 2 : 0) :
		wx_days_from_civil(2026, 11, 22);
	int y, m, d;

	if (!p->open)
		return 0;
	wx_civil_from_days(day, &y, &m, &d);
	if (p->min_age >= 0) {
		int age = y - who->by - (m < who->bm || (m == who->bm && d < who->bd));
		if (age < p->min_age)
			return 0;
	}
	if (c->nwk && p->week >= 0) {
		int ok = 0;
		for (int k = 0; k < c->nwk; k++)
			ok |= c->wk[k] == p->week;
		if (!ok)
			return 0;
	}
	if (c->max_km >= 0 && c->pc >= 0 && p->pc >= 0 && km(c->pc, p->pc) > c->max_km + 1e-6)
		return 0;
	for (int o = 0; o < t->nc; o++) {
		const struct gcand *x = &t->c[o];
		if (o == ci || x->status != 1 || x->person != c->person)
			continue;
		const struct gplace *xp = &t->p[x->placement];
		int64_t xd = xp->week >= 0 ? wx_week_monday(2027, week_no[xp->week]) : wx_days_from_civil(2026, 11, 22);
		int xy, xm, xdd;
		wx_civil_from_days(xd, &xy, &xm, &xdd);
		if (xy == y)
			return 0;
	}
	return 1;
}

static int index_of(const struct inst *t, const char *id, int places)
{
	int n = places ? t->np : t->nc;
	for (int i = 0; i < n; i++)
		if (strcmp(places ? t->p[i].id : t->c[i].id, id) == 0)
			return i;
	return -1;
}

static void check_against_instance(const struct inst *t, const struct wx_run *w)
{
	size_t taking = 0;

	for (int i = 0; i < t->nc; i++)
		taking += t->c[i].status == 0;
	assert_int_equal(w->in.ncand, taking);
	assert_int_equal(w->fig.checks.blocking_pairs, 0);
	assert_int_equal(w->fig.checks.wasted_seats, 0);
	assert_int_equal(w->fig.checks.ineligible_pairs, 0);
	assert_int_equal(w->fig.checks.over_capacity, 0);
	for (size_t i = 0; i < w->in.ncand; i++) {
		int ci = index_of(t, w->in.cand[i].id, 0), pi;
		const char *pid = wx_run_place_id(w, w->res.place[i]);

		assert_true(ci >= 0);
		if (!pid)
			continue;
		pi = index_of(t, pid, 1);
		assert_true(pi >= 0);
		if (!eligible(t, ci, pi))
			fail_msg("%s placed at %s, which fails a gate", t->c[ci].id, pid);
		if (t->c[ci].nch) {
			int k;
			for (k = 0; k < t->c[ci].nch && t->c[ci].ch[k] != pi; k++)
				;
			assert_int_equal(wx_run_choice_rank(w, i), (uint32_t)k + 1);
		}
	}
	/* remaining capacity: capacity less offered and confirmed */
	for (size_t p = 0; p < w->in.nplace; p++) {
		int pi = index_of(t, wx_run_place_id(w, (int32_t)p), 1), used = 0;
		for (int i = 0; i < t->nc; i++)
			used += t->c[i].status && t->c[i].placement == pi;
		assert_int_equal(w->in.place[p].capacity,
				 (uint32_t)(t->p[pi].cap > used ? t->p[pi].cap - used : 0));
	}
}

static void test_random_stores(void **state)
{
	(void)state;
	for (int n = 0; n < 150; n++) {
		struct inst t;
		char dir[64], dir2[64];
		struct wx_store *s, *s2;
		struct wx_run whole, cut1, cut2, rev;
		uint64_t seed = rng_next();

		gen(&t);
		s = make_store(&t, 0, dir);
		s2 = make_store(&t, 1, dir2);
		run(s, 1000000, seed, &whole);
		run(s, 1, seed, &cut1);
		run(s, 2, seed, &cut2);
		run(s2, 1, seed, &rev);
		check_against_instance(&t, &whole);
		check_against_instance(&t, &cut1);
		assert_same(&whole, &cut1);
		assert_same(&whole, &cut2);
		assert_same(&whole, &rev);
		assert_memory_equal(cut1.digest, rev.digest, sizeof cut1.digest);
		wx_run_free(&whole);
		wx_run_free(&cut1);
		wx_run_free(&cut2);
		wx_run_free(&rev);
		drop_store(s, dir);
		drop_store(s2, dir2);
	}
}

/* An interest list is ordered by the candidate's weeks, then date, then
 * distance, then id; choice_rank counts the entries of other weeks. */
static void test_interest_order(void **state)
{
	struct inst t;
	char dir[64];
	struct wx_store *s;
	struct wx_run w;
	struct wx_run_why why[16];
	size_t n;

	(void)state;
	memset(&t, 0, sizeof t);
	t.np = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(t.p[i].id, sizeof t.p[i].id, "P%02d", i);
		t.p[i].open = 1;
		t.p[i].cap = 1;
		t.p[i].min_age = -1;
		t.p[i].prof = 0;
	}
	/* P00 week 30 far, P01 week 22 near, P02 week 22 far, P03 week 20 */
	t.p[0].week = 2;
	t.p[0].pc = 4;
	t.p[1].week = 1;
	t.p[1].pc = 1;
	t.p[2].week = 1;
	t.p[2].pc = 4;
	t.p[3].week = 0;
	t.p[3].pc = 0;
	t.nc = 2;
	/* C00 takes P03 with a higher score; C01 wants weeks 22 then 30 */
	snprintf(t.c[0].id, sizeof t.c[0].id, "C00");
	t.c[0].by = 2010;
	t.c[0].bm = t.c[0].bd = 1;
	t.c[0].nch = 1;
	t.c[0].ch[0] = 3;
	t.c[0].person = 0;
	t.c[0].flags = 1 | 2;
	t.c[0].max_km = -1;
	t.c[0].pc = -1;
	snprintf(t.c[1].id, sizeof t.c[1].id, "C01");
	t.c[1].by = 2010;
	t.c[1].bm = t.c[1].bd = 1;
	t.c[1].nint = 1;
	t.c[1].in[0] = 0;
	t.c[1].nwk = 2;
	t.c[1].wk[0] = 1;
	t.c[1].wk[1] = 2;
	t.c[1].max_km = -1;
	t.c[1].pc = 0;
	t.c[1].person = 1;
	s = make_store(&t, 0, dir);
	run(s, 1000000, 1, &w);
	assert_int_equal(w.in.ncand, 2);
	/* C01: P01 (week 22, near) first */
	assert_string_equal(wx_run_place_id(&w, w.res.place[1]), "P01");
	assert_int_equal(wx_run_choice_rank(&w, 1), 1);
	wx_run_free(&w);
	drop_store(s, dir);

	/* the same with P01 not open: P02 (week 22, far); with P02 not open
	 * either, P00 (week 30).  Placements not taking part are not in a
	 * list built from interests, so each is the first entry. */
	t.p[1].open = 0;
	s = make_store(&t, 0, dir);
	run(s, 1000000, 1, &w);
	assert_string_equal(wx_run_place_id(&w, w.res.place[1]), "P02");
	assert_int_equal(wx_run_choice_rank(&w, 1), 1);
	wx_run_free(&w);
	drop_store(s, dir);
	t.p[2].open = 0;
	s = make_store(&t, 0, dir);
	run(s, 1000000, 1, &w);
	assert_string_equal(wx_run_place_id(&w, w.res.place[1]), "P00");
	assert_int_equal(wx_run_choice_rank(&w, 1), 1);
	n = wx_run_explain(&w, 1, why, 16);
	assert_int_equal(n, 0);
	wx_run_free(&w);
	drop_store(s, dir);
	/* P00 full too: C01 is not placed; P03 (week 20) fails the week gate */
	t.p[0].cap = 0;
	s = make_store(&t, 0, dir);
	run(s, 1000000, 1, &w);
	assert_int_equal(w.res.place[1], -1);
	assert_int_equal(w.res.reason[1], WX_MATCH_OUTRANKED);
	wx_run_free(&w);
	drop_store(s, dir);
}


/* A save cut short (a run number taken, rows written, no summary) is
 * invisible, and the next save removes its rows. */
struct junk_ctx {
	uint64_t run;
	int found;
};

static int junk_fn(struct wx_txn *t, void *vctx)
{
	struct junk_ctx *j = vctx;
	unsigned char be[8];
	int rc;

	if ((rc = wx_runs_new(t, &j->run)) != WX_OK)
		return rc;
	wx_put_be64(be, j->run);
	if ((rc = wx_put(t, WX_TB_META, "run_saving", 10, be, 8, 0)) != WX_OK)
		return rc;
	{
		struct wx_run_row row;
		unsigned char *buf;
		size_t len;

		memset(&row, 0, sizeof row);
		row.cand_id = "C00";
		row.place_id = "";
		row.slot = WX_SLOT_NONE;
		if (wx_run_row_encode(&row, &buf, &len) != WX_OK)
			return WX_ENOMEM;
		rc = wx_runs_put_row(t, j->run, 'c', "C00", 3, buf, len, 0);
		free(buf);
		return rc;
	}
}

static int look_fn(struct wx_txn *t, void *vctx)
{
	struct junk_ctx *j = vctx;
	struct wx_val v;
	char *text = NULL;

	j->found = wx_runs_get_row(t, j->run, 'c', "C00", 3, &v) == WX_OK;
	j->found |= (wx_runs_get_text(t, j->run, 'h', &text, NULL) == WX_OK) << 1;
	free(text);
	return WX_OK;
}

static int damage_fn(struct wx_txn *t, void *vctx)
{
	struct junk_ctx *j = vctx;
	return wx_runs_put_row(t, j->run, 'c', "C99", 3, "\1", 1, 0);
}

static uint64_t problems(struct wx_store *s)
{
	struct wx_check_result res;
	struct wx_err err;

	assert_int_equal(wx_check(s, NULL, NULL, &res, &err), WX_OK);
	return res.problems;
}

static void test_unfinished_save(void **state)
{
	struct inst t;
	char dir[64];
	struct wx_store *s;
	struct wx_run w;
	struct wx_run_meta m;
	struct junk_ctx j = { 0, 0 };
	struct wx_err err;
	uint64_t saved = 0;

	(void)state;
	gen(&t);
	s = make_store(&t, 0, dir);
	assert_int_equal(wx_store_write(s, junk_fn, &j, &err), WX_OK);
	assert_int_equal(wx_store_read(s, look_fn, &j, &err), WX_OK);
	assert_int_equal(j.found, 1);          /* a row, no summary */
	assert_int_equal(problems(s), 0);      /* noted as being saved: not a problem */
	run(s, 16, 7, &w);
	memset(&m, 0, sizeof m);
	m.policy_source = "default";
	m.policy_text = wx_policy_default_text();
	m.policy_len = strlen(m.policy_text);
	m.user = "test";
	assert_int_equal(wx_run_save(s, &w, &m, &saved, NULL, &err), WX_OK);
	assert_int_equal(saved, j.run + 1);
	assert_int_equal(wx_store_read(s, look_fn, &j, &err), WX_OK);
	assert_int_equal(j.found, 0);          /* the unfinished run's rows are gone */
	j.run = saved;
	assert_int_equal(wx_store_read(s, look_fn, &j, &err), WX_OK);
	assert_int_equal(j.found & 2, 2);      /* the saved one has its summary */
	assert_int_equal(problems(s), 0);
	assert_int_equal(wx_store_write(s, damage_fn, &j, &err), WX_OK);
	assert_int_equal(problems(s), 1);      /* check finds a damaged row */
	wx_run_free(&w);
	drop_store(s, dir);
}

/* testlib.h's string helpers are for other files */
static void unused_helpers(void)
{
	struct str s = { 0 };
	str_printf(&s, "%d", 1);
	free(s.p);
}

int main(void)
{
	(void)unused_helpers;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interest_order),
		cmocka_unit_test(test_random_stores),
		cmocka_unit_test(test_unfinished_save),
	};
	struct wx_err err;
	const char *text = wx_policy_default_text();
	int rc;

	if (wx_forms_load(&forms, WX_SRC_FORMS, &err) != WX_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (wx_policy_parse(&policy, "default", text, strlen(text), forms, NULL, NULL, &err) != WX_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	wx_policy_free(policy);
	wx_forms_free(forms);
	return rc;
}
