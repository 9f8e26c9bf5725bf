/* unit-ambmatch.c: the ambassador assignment engine against matching.md,
 * "Ambassadors", sections 2, 4 and 5.
 *
 * Evidence:
 *   - brute force: every assignment of thousands of small random instances
 *     (up to 6 ambassadors, 5 requests, 1-3 dates) is enumerated, and the
 *     engine's objective vector must equal the best one found, compared
 *     lexicographically (tier-1 places, tier 2, tier 3, served, then least
 *     distance);
 *   - on every instance, small or larger: the assignment is feasible (only
 *     eligible pairs, places, max_events, one event per date), the reported
 *     objective values match a recount, and the reasons for unfilled places
 *     are recomputed here from the assignment alone;
 *   - determinism: the same input twice gives the same assignment;
 *   - worked examples computed by hand, and bad input.
 *
 * WX_AMB_TEST_SCALE (percent, default 100) scales the random instance
 * counts, for slow runs under valgrind. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wexmatch/ambmatch.h"

/* ---- random numbers (splitmix64) ---- */

static uint64_t rng_s;

static uint64_t rnd(void)
{
	uint64_t z = (rng_s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static size_t rn(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static size_t scaled(size_t n)
{
	const char *s = getenv("WX_AMB_TEST_SCALE");
	long pct = s ? strtol(s, NULL, 10) : 100;
	size_t r;

	if (pct <= 0)
		pct = 100;
	r = n * (size_t)pct / 100;
	return r ? r : 1;
}

/* ---- instances ---- */

#define MAXR 64
#define MAXA 64
#define MAXP 1024

struct inst {
	struct wx_amb_request req[MAXR];
	struct wx_amb_ambassador amb[MAXA];
	struct wx_amb_pair pair[MAXP];
	struct wx_amb_input in;
};

static void inst_init(struct inst *t, size_t nreq, size_t namb)
{
	memset(t, 0, sizeof *t);
	t->in.nreq = nreq;
	t->in.req = t->req;
	t->in.namb = namb;
	t->in.amb = t->amb;
	t->in.pair = t->pair;
}

static void add_pair(struct inst *t, uint32_t a, uint32_t r, uint32_t dist)
{
	assert_true(t->in.npair < MAXP);
	t->pair[t->in.npair++] = (struct wx_amb_pair){ a, r, dist };
}

/* the objective, best = lexicographically largest (distance negated) */
struct obj {
	uint64_t f[3], served, dist;
};

static int obj_cmp(const struct obj *a, const struct obj *b)
{
	for (int k = 0; k < 3; k++)
		if (a->f[k] != b->f[k])
			return a->f[k] > b->f[k] ? 1 : -1;
	if (a->served != b->served)
		return a->served > b->served ? 1 : -1;
	if (a->dist != b->dist)
		return a->dist < b->dist ? 1 : -1;
	return 0;
}

/* Recount an assignment (chosen per pair), checking feasibility as it goes:
 * returns 0 when infeasible. */
static int recount(const struct inst *t, const uint8_t *chosen, struct obj *o)
{
	uint32_t got[MAXR] = { 0 }, ev[MAXA] = { 0 };

	memset(o, 0, sizeof *o);
	for (size_t p = 0; p < t->in.npair; p++) {
		const struct wx_amb_pair *e = &t->pair[p];

		if (!chosen[p])
			continue;
		got[e->req]++;
		ev[e->amb]++;
		o->f[t->req[e->req].tier - 1]++;
		o->dist += e->distance;
		/* one event per date */
		for (size_t q = 0; q < p; q++)
			if (chosen[q] && t->pair[q].amb == e->amb &&
			    t->req[t->pair[q].req].date == t->req[e->req].date)
				return 0;
	}
	for (size_t r = 0; r < t->in.nreq; r++) {
		if (got[r] > t->req[r].places)
			return 0;
		o->served += got[r] > 0;
	}
	for (size_t a = 0; a < t->in.namb; a++)
		if (ev[a] > t->amb[a].max_events)
			return 0;
	return 1;
}

/* ---- brute force: every assignment ---- */

struct bf {
	const struct inst *t;
	uint8_t chosen[MAXP];
	uint32_t got[MAXR], ev[MAXA];
	uint8_t busy[MAXA][4];   /* ambassador a on date d (dates 0..3) */
	struct obj best;
	uint64_t leaves;
};

static void bf_rec(struct bf *b, size_t p)
{
	const struct inst *t = b->t;

	if (p == t->in.npair) {
		struct obj o;

		b->leaves++;
		assert_true(recount(t, b->chosen, &o));
		if (obj_cmp(&o, &b->best) > 0)
			b->best = o;
		return;
	}
	b->chosen[p] = 0;
	bf_rec(b, p + 1);
	{
		const struct wx_amb_pair *e = &t->pair[p];
		int d = t->req[e->req].date;

		if (b->got[e->req] < t->req[e->req].places && b->ev[e->amb] < t->amb[e->amb].max_events &&
		    !b->busy[e->amb][d]) {
			b->chosen[p] = 1;
			b->got[e->req]++;
			b->ev[e->amb]++;
			b->busy[e->amb][d] = 1;
			bf_rec(b, p + 1);
			b->busy[e->amb][d] = 0;
			b->ev[e->amb]--;
			b->got[e->req]--;
			b->chosen[p] = 0;
		}
	}
}

static struct obj brute_best(const struct inst *t)
{
	struct bf *b = calloc(1, sizeof *b);
	struct obj o;

	assert_non_null(b);
	b->t = t;
	bf_rec(b, 0);   /* the empty assignment is a leaf, so best is set */
	o = b->best;
	free(b);
	return o;
}

/* ---- the checks every result must pass ---- */

static void check_result(const struct inst *t, const struct wx_amb_result *res)
{
	size_t R = t->in.nreq, P = t->in.npair;
	struct obj o;
	uint64_t unfilled = 0;

	assert_int_equal(res->nreq, R);
	assert_int_equal(res->npair, P);
	assert_true(recount(t, res->chosen, &o));
	assert_int_equal(o.f[0], res->filled[0]);
	assert_int_equal(o.f[1], res->filled[1]);
	assert_int_equal(o.f[2], res->filled[2]);
	assert_int_equal(o.served, res->served);
	assert_int_equal(o.dist, res->distance);
	assert_int_equal(res->first[0], 0);
	for (size_t r = 0; r < R; r++) {
		const struct wx_amb_request *rq = &t->req[r];
		uint32_t got = 0, nelig = 0, none, unf;
		unsigned worst = 0;

		/* the per-request list: exactly r's chosen pairs, by ambassador */
		for (size_t p = 0; p < P; p++)
			if (t->pair[p].req == r) {
				nelig += t->amb[t->pair[p].amb].max_events > 0;
				got += res->chosen[p];
			}
		assert_int_equal(res->first[r + 1] - res->first[r], got);
		assert_int_equal(res->got[r], got);
		for (uint32_t i = res->first[r]; i < res->first[r + 1]; i++) {
			uint32_t p = res->pair[i];

			assert_true(p < P);
			assert_true(res->chosen[p]);
			assert_int_equal(t->pair[p].req, r);
			if (i > res->first[r])
				assert_true(t->pair[res->pair[i - 1]].amb < t->pair[p].amb);
		}
		unf = rq->places - got;
		unfilled += unf;
		none = rq->places > nelig ? rq->places - nelig : 0;
		if (none > unf)
			none = unf;
		assert_int_equal(res->no_eligible[r], none);
		assert_int_equal(res->taken[r], unf - none);
		/* the reason, from the assignment alone: who holds each eligible
		 * ambassador r did not get */
		for (size_t p = 0; p < P; p++) {
			const struct wx_amb_pair *e = &t->pair[p];
			int on_date = 0;
			uint32_t ev = 0;

			if (e->req != r || res->chosen[p] || unf - none == 0 ||
			    t->amb[e->amb].max_events == 0)
				continue;
			for (size_t q = 0; q < P; q++) {
				const struct wx_amb_pair *f = &t->pair[q];

				if (!res->chosen[q] || f->amb != e->amb)
					continue;
				ev++;
				if (t->req[f->req].date == rq->date) {
					on_date = 1;
					if (t->req[f->req].tier > worst)
						worst = t->req[f->req].tier;
				}
			}
			if (!on_date) {
				/* not taken on the date: must be out of events */
				assert_int_equal(ev, t->amb[e->amb].max_events);
				for (size_t q = 0; q < P; q++)
					if (res->chosen[q] && t->pair[q].amb == e->amb &&
					    t->req[t->pair[q].req].tier > worst)
						worst = t->req[t->pair[q].req].tier;
			}
		}
		if (unf - none == 0) {
			assert_int_equal(res->taken_reason[r], WX_AMB_FILLED);
		} else {
			/* a lower tier never holds an ambassador r could use */
			assert_true(worst >= 1 && worst <= rq->tier);
			assert_int_equal(res->taken_reason[r], worst == rq->tier
					 ? WX_AMB_TAKEN_SAME_TIER : WX_AMB_TAKEN_HIGHER);
		}
		for (uint32_t k = 0; k < rq->places; k++) {
			int why = wx_amb_place_reason(&t->in, res, r, k);

			if (k < got)
				assert_int_equal(why, WX_AMB_FILLED);
			else if (k < got + none)
				assert_int_equal(why, WX_AMB_NO_ELIGIBLE);
			else
				assert_int_equal(why, res->taken_reason[r]);
		}
	}
	assert_int_equal(res->unfilled, unfilled);
}

static void run_ok(const struct inst *t, struct wx_amb_result *res)
{
	struct wx_err err = { 0 };
	int rc = wx_amb_run(&t->in, res, &err);

	if (rc != WX_OK)
		fail_msg("wx_amb_run: %s", err.msg);
	check_result(t, res);
}

static void res_obj(const struct wx_amb_result *res, struct obj *o)
{
	o->f[0] = res->filled[0];
	o->f[1] = res->filled[1];
	o->f[2] = res->filled[2];
	o->served = res->served;
	o->dist = res->distance;
}

/* A random small instance: dates 0..ndate-1, at most maxp pairs. */
static void random_small(struct inst *t, size_t maxp)
{
	size_t R = 1 + rn(5), A = 1 + rn(6), ndate = 1 + rn(3);
	unsigned pe = 20 + (unsigned)rn(60);   /* eligibility percent */

	inst_init(t, R, A);
	for (size_t r = 0; r < R; r++) {
		t->req[r].tier = 1 + (unsigned)rn(3);
		t->req[r].date = (int32_t)rn(ndate);
		t->req[r].places = (uint32_t)rn(4);   /* 0..3 */
	}
	for (size_t a = 0; a < A; a++)
		t->amb[a].max_events = (uint32_t)rn(4);   /* 0..3 */
	for (size_t a = 0; a < A; a++)
		for (size_t r = 0; r < R; r++)
			if (t->in.npair < maxp && rn(100) < pe) {
				/* few distinct distances, so ties on distance happen,
				 * and sometimes 0 (virtual) */
				uint32_t d = rn(4) == 0 ? 0 : (uint32_t)(1 + rn(rn(2) ? 5 : 40000));

				add_pair(t, (uint32_t)a, (uint32_t)r, d);
			}
	/* shuffle the pairs: the engine must not depend on their being sorted */
	for (size_t i = t->in.npair; i > 1; i--) {
		size_t j = rn(i);
		struct wx_amb_pair x = t->pair[i - 1];

		t->pair[i - 1] = t->pair[j];
		t->pair[j] = x;
	}
}

static void test_brute_force(void **state)
{
	size_t n = scaled(6000), strict = 0;

	(void)state;
	rng_s = 20260611;
	for (size_t i = 0; i < n; i++) {
		struct inst *t = malloc(sizeof *t);
		struct wx_amb_result res;
		struct obj want, got;

		assert_non_null(t);
		random_small(t, 18);
		run_ok(t, &res);
		want = brute_best(t);
		res_obj(&res, &got);
		if (obj_cmp(&got, &want) != 0)
			fail_msg("instance %zu: engine (%lu %lu %lu served %lu dist %lu) "
				 "best (%lu %lu %lu served %lu dist %lu)", i,
				 (unsigned long)got.f[0], (unsigned long)got.f[1],
				 (unsigned long)got.f[2], (unsigned long)got.served,
				 (unsigned long)got.dist, (unsigned long)want.f[0],
				 (unsigned long)want.f[1], (unsigned long)want.f[2],
				 (unsigned long)want.served, (unsigned long)want.dist);
		/* count instances where something had to give way */
		for (size_t r = 0; r < t->in.nreq; r++)
			if (res.taken[r]) {
				strict++;
				break;
			}
		wx_amb_result_free(&res);
		free(t);
	}
	/* the generator must produce contested instances, not only easy ones */
	assert_true(strict > n / 20);
	print_message("# %zu instances, %zu contested\n", n, strict);
}

/* Larger random instances: feasibility, recounts, reasons (no brute force),
 * and determinism. */
static void test_random_larger(void **state)
{
	(void)state;
	rng_s = 77;
	for (size_t i = 0; i < scaled(300); i++) {
		struct inst *t = malloc(sizeof *t);
		struct wx_amb_result a, b;
		size_t R = 1 + rn(MAXR), A = 1 + rn(MAXA), ndate = 1 + rn(6);

		assert_non_null(t);
		inst_init(t, R, A);
		for (size_t r = 0; r < R; r++) {
			t->req[r].tier = 1 + (unsigned)rn(3);
			t->req[r].date = (int32_t)(1000 + rn(ndate));
			t->req[r].places = (uint32_t)rn(5);
		}
		for (size_t x = 0; x < A; x++)
			t->amb[x].max_events = (uint32_t)rn(4);
		for (size_t x = 0; x < A; x++)
			for (size_t r = 0; r < R; r++)
				if (t->in.npair < MAXP && rn(100) < 15)
					add_pair(t, (uint32_t)x, (uint32_t)r, (uint32_t)rn(80000));
		run_ok(t, &a);
		run_ok(t, &b);
		assert_memory_equal(a.chosen, b.chosen, t->in.npair ? t->in.npair : 1);
		assert_memory_equal(a.taken_reason, b.taken_reason, R);
		wx_amb_result_free(&a);
		wx_amb_result_free(&b);
		free(t);
	}
}

/* ---- a reference: plain min-cost flow on lexicographic cost vectors ----
 *
 * Independent of the engine's weights and potentials: arc costs are
 * vectors (tier-1, tier-2, tier-3 places, served, distance), added
 * componentwise and compared lexicographically (an ordered group, so
 * shortest paths and the optimality of successive shortest paths work as
 * with numbers).  From the zero flow, augment one unit along a cheapest
 * source-sink path (Bellman-Ford, queue-based: residual costs may be
 * negative) while that path has negative cost.  Slow, and simple. */

#define RN (2 + MAXR + MAXP + MAXA)              /* nodes */
#define RM (2 * (2 * MAXR + 2 * MAXP + MAXA))    /* arcs, with reverses */

struct rvec {
	int64_t c[5];
};

struct rarc {
	uint32_t to, rev;
	int64_t cap;
	struct rvec w;
};

struct refnet {
	struct rarc arc[RM];
	uint32_t next[RM], head[RN];
	size_t m, n;
};

static int rvec_cmp(const struct rvec *a, const struct rvec *b)
{
	for (int k = 0; k < 5; k++)
		if (a->c[k] != b->c[k])
			return a->c[k] < b->c[k] ? -1 : 1;
	return 0;
}

static void ref_arc(struct refnet *g, uint32_t u, uint32_t v, int64_t cap, struct rvec w)
{
	struct rvec nw;

	for (int k = 0; k < 5; k++)
		nw.c[k] = -w.c[k];
	assert_true(g->m + 2 <= RM);
	g->arc[g->m] = (struct rarc){ v, (uint32_t)g->m + 1, cap, w };
	g->next[g->m] = g->head[u];
	g->head[u] = (uint32_t)g->m++;
	g->arc[g->m] = (struct rarc){ u, (uint32_t)g->m - 1, 0, nw };
	g->next[g->m] = g->head[v];
	g->head[v] = (uint32_t)g->m++;
}

static struct obj reference_best(const struct inst *t)
{
	struct refnet *g = calloc(1, sizeof *g);
	size_t R = t->in.nreq, A = t->in.namb, P = t->in.npair, nad = 0;
	uint32_t ad_amb[MAXP], sN, tN;
	int32_t ad_date[MAXP];
	struct rvec total = { { 0 } };
	struct obj o;

	assert_non_null(g);
	/* nodes: s = 0, requests 1..R, ad nodes, ambassadors, t */
	uint32_t *pad = calloc(P ? P : 1, sizeof *pad);
	assert_non_null(pad);
	for (size_t p = 0; p < P; p++) {
		uint32_t a = t->pair[p].amb;
		int32_t d = t->req[t->pair[p].req].date;
		size_t k = 0;

		while (k < nad && !(ad_amb[k] == a && ad_date[k] == d))
			k++;
		if (k == nad) {
			ad_amb[nad] = a;
			ad_date[nad++] = d;
		}
		pad[p] = (uint32_t)k;
	}
	sN = 0;
	tN = (uint32_t)(1 + R + nad + A);
	g->n = tN + 1;
	for (size_t v = 0; v < g->n; v++)
		g->head[v] = UINT32_MAX;
	for (size_t r = 0; r < R; r++) {
		struct rvec first = { { 0 } }, more = { { 0 } };

		first.c[t->req[r].tier - 1] = -1;
		first.c[3] = -1;
		more.c[t->req[r].tier - 1] = -1;
		if (t->req[r].places > 0)
			ref_arc(g, sN, (uint32_t)(1 + r), 1, first);
		if (t->req[r].places > 1)
			ref_arc(g, sN, (uint32_t)(1 + r), t->req[r].places - 1, more);
	}
	for (size_t p = 0; p < P; p++) {
		struct rvec w = { { 0 } };

		w.c[4] = t->pair[p].distance;
		ref_arc(g, 1 + t->pair[p].req, (uint32_t)(1 + R + pad[p]), 1, w);
	}
	for (size_t k = 0; k < nad; k++) {
		struct rvec z = { { 0 } };

		ref_arc(g, (uint32_t)(1 + R + k), (uint32_t)(1 + R + nad + ad_amb[k]), 1, z);
	}
	for (size_t a = 0; a < A; a++) {
		struct rvec z = { { 0 } };

		ref_arc(g, (uint32_t)(1 + R + nad + a), tN, t->amb[a].max_events, z);
	}
	for (;;) {
		static struct rvec dist[RN];
		static uint32_t pred[RN], queue[RN];
		static uint8_t inq[RN], seen[RN];
		size_t qh = 0, qn = 0;

		memset(seen, 0, sizeof seen);
		memset(inq, 0, sizeof inq);
		seen[sN] = 1;
		memset(&dist[sN], 0, sizeof dist[sN]);
		queue[qn++ % RN] = sN;
		inq[sN] = 1;
		while (qh != qn) {
			uint32_t u = queue[qh++ % RN];

			inq[u] = 0;
			for (uint32_t i = g->head[u]; i != UINT32_MAX; i = g->next[i]) {
				const struct rarc *e = &g->arc[i];
				struct rvec nd;

				if (e->cap <= 0)
					continue;
				for (int k = 0; k < 5; k++)
					nd.c[k] = dist[u].c[k] + e->w.c[k];
				if (seen[e->to] && rvec_cmp(&nd, &dist[e->to]) >= 0)
					continue;
				seen[e->to] = 1;
				dist[e->to] = nd;
				pred[e->to] = i;
				if (!inq[e->to]) {
					inq[e->to] = 1;
					queue[qn++ % RN] = e->to;
				}
			}
		}
		{
			struct rvec zero = { { 0 } };

			if (!seen[tN] || rvec_cmp(&dist[tN], &zero) >= 0)
				break;
		}
		for (uint32_t v = tN; v != sN;) {
			struct rarc *e = &g->arc[pred[v]];

			e->cap--;
			g->arc[e->rev].cap++;
			v = g->arc[e->rev].to;
		}
		for (int k = 0; k < 5; k++)
			total.c[k] += dist[tN].c[k];
	}
	o.f[0] = (uint64_t)-total.c[0];
	o.f[1] = (uint64_t)-total.c[1];
	o.f[2] = (uint64_t)-total.c[2];
	o.served = (uint64_t)-total.c[3];
	o.dist = (uint64_t)total.c[4];
	free(pad);
	free(g);
	return o;
}

/* Medium instances (up to 64 requests and ambassadors, 1024 pairs) against
 * the reference, in several shapes: sparse with spread distances, ties
 * (distances 0-3, or all equal), few ambassadors for many places (most
 * places unfilled), and dense on one or two dates. */
static void test_reference(void **state)
{
	size_t n = scaled(400);

	(void)state;
	rng_s = 9001;
	for (size_t i = 0; i < n; i++) {
		struct inst *t = malloc(sizeof *t);
		struct wx_amb_result res;
		struct obj want, got;
		unsigned shape = (unsigned)(i % 4);
		size_t R = 1 + rn(MAXR), A = 1 + rn(MAXA), ndate = 1 + rn(shape == 3 ? 2 : 6);
		unsigned pe = shape == 3 ? 40 + (unsigned)rn(60) : 5 + (unsigned)rn(25);

		assert_non_null(t);
		if (shape == 2)
			A = 1 + rn(12);
		inst_init(t, R, A);
		for (size_t r = 0; r < R; r++) {
			t->req[r].tier = 1 + (unsigned)rn(3);
			t->req[r].date = (int32_t)(500 + rn(ndate));
			t->req[r].places = (uint32_t)rn(6);
		}
		for (size_t x = 0; x < A; x++)
			t->amb[x].max_events = (uint32_t)rn(5);
		for (size_t x = 0; x < A; x++)
			for (size_t r = 0; r < R; r++)
				if (t->in.npair < MAXP && rn(100) < pe) {
					uint32_t d = shape == 0 ? (uint32_t)rn(WX_AMB_MAX_DISTANCE + 1)
						   : shape == 1 ? (rn(2) ? 4000 : (uint32_t)rn(4))
						   : (uint32_t)rn(50000);

					add_pair(t, (uint32_t)x, (uint32_t)r, d);
				}
		run_ok(t, &res);
		want = reference_best(t);
		res_obj(&res, &got);
		if (obj_cmp(&got, &want) != 0)
			fail_msg("instance %zu (shape %u): engine (%lu %lu %lu served %lu dist %lu) "
				 "reference (%lu %lu %lu served %lu dist %lu)", i, shape,
				 (unsigned long)got.f[0], (unsigned long)got.f[1],
				 (unsigned long)got.f[2], (unsigned long)got.served,
				 (unsigned long)got.dist, (unsigned long)want.f[0],
				 (unsigned long)want.f[1], (unsigned long)want.f[2],
				 (unsigned long)want.served, (unsigned long)want.dist);
		wx_amb_result_free(&res);
		free(t);
	}
}

/* One ambassador could do a tier-3 request or a tier-1 request (same date):
 * tier 1 gets it, even though the tier-3 request is nearer and listed
 * first; the tier-3 place is "taken by a higher tier". */
static void test_tier_first(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 2, 1);
	t.req[0] = (struct wx_amb_request){ 3, 10, 1 };
	t.req[1] = (struct wx_amb_request){ 1, 10, 1 };
	t.amb[0].max_events = 5;
	add_pair(&t, 0, 0, 100);
	add_pair(&t, 0, 1, 90000);
	run_ok(&t, &res);
	assert_int_equal(res.chosen[0], 0);
	assert_int_equal(res.chosen[1], 1);
	assert_int_equal(res.filled[0], 1);
	assert_int_equal(res.filled[2], 0);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 0, 0), WX_AMB_TAKEN_HIGHER);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 1, 0), WX_AMB_FILLED);
	wx_amb_result_free(&res);

	/* different dates but max_events 1: the same outcome */
	t.req[0].date = 11;
	t.amb[0].max_events = 1;
	run_ok(&t, &res);
	assert_int_equal(res.chosen[1], 1);
	assert_int_equal(res.taken_reason[0], WX_AMB_TAKEN_HIGHER);
	wx_amb_result_free(&res);

	/* with two events and two dates, both */
	t.amb[0].max_events = 2;
	run_ok(&t, &res);
	assert_int_equal(res.chosen[0] + res.chosen[1], 2);
	assert_int_equal(res.unfilled, 0);
	wx_amb_result_free(&res);
}

/* Tier 2 beats tier 3 too, and tier 1 beats tier 2, also when it means
 * fewer requests served in total. */
static void test_tier_over_served(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	/* a0 and a1 both eligible for the tier-2 request r0 (2 places) and
	 * for tier-3 requests r1 and r2; same date, one event each: filling
	 * r0 twice beats serving r1 and r2 */
	inst_init(&t, 3, 2);
	t.req[0] = (struct wx_amb_request){ 2, 5, 2 };
	t.req[1] = (struct wx_amb_request){ 3, 5, 1 };
	t.req[2] = (struct wx_amb_request){ 3, 5, 1 };
	t.amb[0].max_events = 1;
	t.amb[1].max_events = 1;
	add_pair(&t, 0, 1, 1);
	add_pair(&t, 1, 2, 1);
	add_pair(&t, 0, 0, 50000);
	add_pair(&t, 1, 0, 50000);
	run_ok(&t, &res);
	assert_int_equal(res.got[0], 2);
	assert_int_equal(res.served, 1);
	assert_int_equal(res.filled[1], 2);
	assert_int_equal(res.taken_reason[1], WX_AMB_TAKEN_HIGHER);
	assert_int_equal(res.taken_reason[2], WX_AMB_TAKEN_HIGHER);
	wx_amb_result_free(&res);
}

/* Two tier-2 requests; r0 already has a0 (only eligible for r0), and a1
 * could be r0's second or r1's first: r1 gets it (one more request served),
 * although r0's pair is shorter; r0's second place is "taken by the same
 * tier". */
static void test_first_before_second(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 2, 2);
	t.req[0] = (struct wx_amb_request){ 2, 7, 2 };
	t.req[1] = (struct wx_amb_request){ 2, 7, 2 };
	t.amb[0].max_events = 1;
	t.amb[1].max_events = 1;
	add_pair(&t, 0, 0, 10);
	add_pair(&t, 1, 0, 10);
	add_pair(&t, 1, 1, 30000);
	run_ok(&t, &res);
	assert_int_equal(res.chosen[0], 1);
	assert_int_equal(res.chosen[1], 0);
	assert_int_equal(res.chosen[2], 1);
	assert_int_equal(res.served, 2);
	assert_int_equal(res.distance, 30010);
	assert_int_equal(res.taken[0], 1);
	assert_int_equal(res.no_eligible[0], 0);
	assert_int_equal(res.taken_reason[0], WX_AMB_TAKEN_SAME_TIER);
	/* r1 had one eligible ambassador for two places */
	assert_int_equal(res.no_eligible[1], 1);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 1, 1), WX_AMB_NO_ELIGIBLE);
	wx_amb_result_free(&res);
}

/* Least distance last: two ambassadors, two requests, every pair eligible,
 * same tier, one event each on one date: the cheaper of the two perfect
 * assignments. */
static void test_least_distance(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 2, 2);
	t.req[0] = (struct wx_amb_request){ 1, 3, 1 };
	t.req[1] = (struct wx_amb_request){ 1, 3, 1 };
	t.amb[0].max_events = 1;
	t.amb[1].max_events = 1;
	add_pair(&t, 0, 0, 5000);   /* a0 r0 + a1 r1 = 5000 + 5000 */
	add_pair(&t, 0, 1, 1000);   /* a0 r1 + a1 r0 = 1000 + 7000 */
	add_pair(&t, 1, 0, 7000);
	add_pair(&t, 1, 1, 5000);
	run_ok(&t, &res);
	assert_int_equal(res.distance, 8000);
	assert_int_equal(res.chosen[1], 1);
	assert_int_equal(res.chosen[2], 1);
	wx_amb_result_free(&res);

	/* and a virtual event (distance 0) is the nearest of all */
	t.pair[0].distance = 0;
	run_ok(&t, &res);
	assert_int_equal(res.distance, 5000);
	assert_int_equal(res.chosen[0], 1);
	assert_int_equal(res.chosen[3], 1);
	wx_amb_result_free(&res);
}

/* Edge cases: nothing at all, no pairs, places 0, max_events 0. */
static void test_empty_and_zero(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 0, 0);
	run_ok(&t, &res);
	assert_int_equal(res.served, 0);
	wx_amb_result_free(&res);

	inst_init(&t, 3, 2);
	t.req[0] = (struct wx_amb_request){ 1, 1, 2 };
	t.req[1] = (struct wx_amb_request){ 2, 1, 0 };
	t.req[2] = (struct wx_amb_request){ 3, 2, 1 };
	t.amb[0].max_events = 0;
	t.amb[1].max_events = 3;
	add_pair(&t, 0, 0, 1);
	add_pair(&t, 1, 1, 1);
	run_ok(&t, &res);
	assert_int_equal(res.unfilled, 3);
	/* a0 has no events, so r0 has no eligible ambassador */
	assert_int_equal(res.no_eligible[0], 2);
	assert_int_equal(res.taken[0], 0);
	assert_int_equal(res.no_eligible[2], 1);
	assert_int_equal(res.got[1], 0);           /* asks for nobody */
	assert_int_equal(res.taken_reason[1], WX_AMB_FILLED);
	wx_amb_result_free(&res);
}

static void test_bad_input(void **state)
{
	struct inst t;
	struct wx_amb_result res;
	struct wx_err err = { 0 };

	(void)state;
	inst_init(&t, 2, 2);
	t.req[0] = (struct wx_amb_request){ 1, 1, 1 };
	t.req[1] = (struct wx_amb_request){ 4, 1, 1 };
	t.amb[0].max_events = 1;
	t.amb[1].max_events = 1;
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	t.req[1].tier = 0;
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	t.req[1].tier = 2;

	add_pair(&t, 0, 2, 1);   /* no request 2 */
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	t.pair[0] = (struct wx_amb_pair){ 2, 0, 1 };   /* no ambassador 2 */
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	t.pair[0] = (struct wx_amb_pair){ 0, 0, WX_AMB_MAX_DISTANCE + 1 };
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	t.pair[0] = (struct wx_amb_pair){ 0, 0, WX_AMB_MAX_DISTANCE };
	add_pair(&t, 1, 1, 3);
	add_pair(&t, 0, 0, 2);   /* repeats pair 0 */
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	assert_non_null(strstr(err.msg, "repeat"));
	wx_amb_result_free(&res);
	t.in.npair = 2;
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_OK);
	assert_int_equal(res.distance, WX_AMB_MAX_DISTANCE + 3);
	wx_amb_result_free(&res);
	t.req[0].places = WX_AMB_MAX_PLACES;   /* with the other: past the limit */
	wx_err_clear(&err);
	assert_int_equal(wx_amb_run(&t.in, &res, &err), WX_EDATA);
	wx_amb_result_free(&res);
	assert_string_equal(wx_amb_reason_name(WX_AMB_TAKEN_HIGHER), "taken_by_higher_tier");
	assert_string_equal(wx_amb_reason_name(WX_AMB_NO_ELIGIBLE), "no_eligible");
}

/* Brute force again, on instances made of ties: distances from {0, 1, 2},
 * up to 5 places (so several places of a request go unfilled at once),
 * max_events up to 4 on at most 2 dates (one event per date binds), and
 * requests whose every eligible ambassador has max_events 0.  Each
 * instance also runs twice with the same result. */
static void test_brute_force_ties(void **state)
{
	size_t n = scaled(4000), strict = 0;

	(void)state;
	rng_s = 4242;
	for (size_t i = 0; i < n; i++) {
		struct inst *t = malloc(sizeof *t);
		struct wx_amb_result res, again;
		struct obj want, got;
		size_t R = 1 + rn(5), A = 1 + rn(6), ndate = 1 + rn(2);
		unsigned pe = 20 + (unsigned)rn(70);

		assert_non_null(t);
		inst_init(t, R, A);
		for (size_t r = 0; r < R; r++) {
			t->req[r].tier = 1 + (unsigned)rn(3);
			t->req[r].date = (int32_t)rn(ndate);
			t->req[r].places = (uint32_t)rn(6);   /* 0..5 */
		}
		for (size_t a = 0; a < A; a++)
			t->amb[a].max_events = (uint32_t)rn(5);   /* 0..4 */
		for (size_t a = 0; a < A; a++)
			for (size_t r = 0; r < R; r++)
				if (t->in.npair < 16 && rn(100) < pe)
					add_pair(t, (uint32_t)a, (uint32_t)r, (uint32_t)rn(3));
		run_ok(t, &res);
		run_ok(t, &again);
		assert_memory_equal(res.chosen, again.chosen, t->in.npair ? t->in.npair : 1);
		want = brute_best(t);
		res_obj(&res, &got);
		if (obj_cmp(&got, &want) != 0)
			fail_msg("instance %zu: engine (%lu %lu %lu served %lu dist %lu) "
				 "best (%lu %lu %lu served %lu dist %lu)", i,
				 (unsigned long)got.f[0], (unsigned long)got.f[1],
				 (unsigned long)got.f[2], (unsigned long)got.served,
				 (unsigned long)got.dist, (unsigned long)want.f[0],
				 (unsigned long)want.f[1], (unsigned long)want.f[2],
				 (unsigned long)want.served, (unsigned long)want.dist);
		for (size_t r = 0; r < R; r++)
			if (res.taken[r]) {
				strict++;
				break;
			}
		wx_amb_result_free(&res);
		wx_amb_result_free(&again);
		free(t);
	}
	assert_true(strict > n / 20);
	print_message("# %zu instances, %zu contested\n", n, strict);
}

/* Many places, few ambassadors: the places beyond the eligible ones are
 * no_eligible, those lost to others taken_*; a request whose only
 * eligible ambassador has no events gets nothing, all no_eligible. */
static void test_many_places(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	/* r0 (tier 1, 5 places) and r1 (tier 3, 4 places) share a0 and a1 on
	 * one date; r1 also has a2, which r0 cannot use; r2 has only a3, who
	 * takes no events */
	inst_init(&t, 3, 4);
	t.req[0] = (struct wx_amb_request){ 1, 9, 5 };
	t.req[1] = (struct wx_amb_request){ 3, 9, 4 };
	t.req[2] = (struct wx_amb_request){ 2, 9, 3 };
	t.amb[0].max_events = 2;
	t.amb[1].max_events = 1;
	t.amb[2].max_events = 7;
	t.amb[3].max_events = 0;
	add_pair(&t, 0, 1, 10);
	add_pair(&t, 1, 1, 10);
	add_pair(&t, 0, 0, 900);
	add_pair(&t, 1, 0, 900);
	add_pair(&t, 2, 1, 500);
	add_pair(&t, 3, 2, 1);
	run_ok(&t, &res);
	assert_int_equal(res.got[0], 2);
	assert_int_equal(res.no_eligible[0], 3);
	assert_int_equal(res.taken[0], 0);
	assert_int_equal(res.got[1], 1);
	assert_int_equal(res.chosen[4], 1);
	assert_int_equal(res.no_eligible[1], 1);
	assert_int_equal(res.taken[1], 2);
	assert_int_equal(res.taken_reason[1], WX_AMB_TAKEN_HIGHER);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 1, 1), WX_AMB_NO_ELIGIBLE);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 1, 2), WX_AMB_TAKEN_HIGHER);
	assert_int_equal(wx_amb_place_reason(&t.in, &res, 1, 3), WX_AMB_TAKEN_HIGHER);
	assert_int_equal(res.got[2], 0);
	assert_int_equal(res.no_eligible[2], 3);
	assert_int_equal(res.unfilled, 3 + 3 + 3);
	wx_amb_result_free(&res);

	/* the same ambassadors on two dates: a0 (2 events) does both r0 and
	 * r1 now, a1 (1 event) stays with tier 1 */
	t.req[1].date = 10;
	run_ok(&t, &res);
	assert_int_equal(res.got[0], 2);
	assert_int_equal(res.got[1], 2);
	assert_int_equal(res.chosen[0], 1);
	assert_int_equal(res.chosen[1], 0);
	assert_int_equal(res.taken_reason[1], WX_AMB_TAKEN_HIGHER);
	wx_amb_result_free(&res);
}

/* Within one tier a request may lose its only ambassador to another one
 * when that serves one more request: r0 (2 places) is routed first and
 * takes the nearer a0; r1 (1 place) has only a0, so a0 moves to r1 and r0
 * keeps a1. */
static void test_same_tier_moves(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 2, 2);
	t.req[0] = (struct wx_amb_request){ 2, 4, 2 };
	t.req[1] = (struct wx_amb_request){ 2, 4, 1 };
	t.amb[0].max_events = 1;
	t.amb[1].max_events = 1;
	add_pair(&t, 0, 0, 5);
	add_pair(&t, 1, 0, 7000);
	add_pair(&t, 0, 1, 9000);
	run_ok(&t, &res);
	assert_int_equal(res.served, 2);
	assert_int_equal(res.chosen[0], 0);
	assert_int_equal(res.chosen[1], 1);
	assert_int_equal(res.chosen[2], 1);
	assert_int_equal(res.distance, 16000);
	assert_int_equal(res.taken_reason[0], WX_AMB_TAKEN_SAME_TIER);
	wx_amb_result_free(&res);
}

/* Large distances and many places near the limits the weights are argued
 * for: still exact (compared with a hand count). */
static void test_big_numbers(void **state)
{
	struct inst t;
	struct wx_amb_result res;

	(void)state;
	inst_init(&t, 3, 3);
	t.req[0] = (struct wx_amb_request){ 1, 1, 300000 };
	t.req[1] = (struct wx_amb_request){ 1, 1, 300000 };
	t.req[2] = (struct wx_amb_request){ 1, 1, 300000 };
	for (size_t a = 0; a < 3; a++) {
		t.amb[a].max_events = UINT32_MAX;
		for (uint32_t r = 0; r < 3; r++)
			add_pair(&t, (uint32_t)a, r, WX_AMB_MAX_DISTANCE - (uint32_t)a * r);
	}
	run_ok(&t, &res);
	/* one date: each ambassador once; best is one each (served), and the least
	 * distance subtracts the most: a0 r0, a1 r1, a2 r2 (0 + 1 + 4) */
	assert_int_equal(res.served, 3);
	assert_int_equal(res.filled[0], 3);
	assert_int_equal(res.distance, 3 * (uint64_t)WX_AMB_MAX_DISTANCE - 5);
	for (uint32_t a = 0; a < 3; a++)
		assert_int_equal(res.chosen[a * 3 + a], 1);
	wx_amb_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tier_first),
		cmocka_unit_test(test_tier_over_served),
		cmocka_unit_test(test_first_before_second),
		cmocka_unit_test(test_least_distance),
		cmocka_unit_test(test_empty_and_zero),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_random_larger),
		cmocka_unit_test(test_brute_force),
		cmocka_unit_test(test_brute_force_ties),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_many_places),
		cmocka_unit_test(test_same_tier_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
