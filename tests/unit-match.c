/* unit-match.c: the matching engine against matching.md sections 4-10.
 *
 * Three kinds of evidence:
 *   - properties on thousands of random instances (eligibility, capacity,
 *     no blocking pair, no waste, soft reserves, truthful explanations,
 *     determinism, independence from input order), judged by a reference
 *     choice function written here from section 6 slot by slot, and by the
 *     library's own checks (which must agree with it);
 *   - brute force: every matching of small instances is enumerated, the
 *     stable ones kept, and the engine's result must be the one every
 *     candidate weakly prefers; no candidate gains by misreporting;
 *   - worked examples computed by hand.
 *
 * WX_MATCH_TEST_SCALE (percent, default 100) scales the random instance
 * counts, for slow runs under valgrind. */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wexmatch/match.h"

/* ---- random numbers (splitmix64) ---- */

static uint64_t rng_s;

static uint64_t rnd(void)
{
	uint64_t z = (rng_s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* uniform in [0, n) (n small: the bias is negligible for tests) */
static size_t rn(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static size_t scaled(size_t n)
{
	const char *s = getenv("WX_MATCH_TEST_SCALE");
	long pct = s ? strtol(s, NULL, 10) : 100;
	size_t r;

	if (pct <= 0)
		pct = 100;
	r = n * (size_t)pct / 100;
	return r ? r : 1;
}

/* ---- instances ---- */

#define MAXL 8   /* longest list generated */

struct inst {
	size_t C, P, K;
	struct wx_match_cand *cand;
	struct wx_match_choice *ch;     /* C x MAXL, cand[i].choice points in */
	struct wx_match_place *place;
	struct wx_match_category cat[WX_MATCH_MAX_CATEGORIES];
	char *ids;                      /* C x 24 */
	struct wx_match_input in;
};

static void inst_alloc(struct inst *t, size_t C, size_t P, size_t K)
{
	memset(t, 0, sizeof *t);
	t->C = C;
	t->P = P;
	t->K = K;
	t->cand = calloc(C ? C : 1, sizeof *t->cand);
	t->ch = calloc((C ? C : 1) * MAXL, sizeof *t->ch);
	t->place = calloc(P ? P : 1, sizeof *t->place);
	t->ids = calloc((C ? C : 1) * 24, 1);
	assert_non_null(t->cand);
	assert_non_null(t->ch);
	assert_non_null(t->place);
	assert_non_null(t->ids);
	for (size_t i = 0; i < C; i++) {
		t->cand[i].choice = t->ch + i * MAXL;
		t->cand[i].id = t->ids + i * 24;
		t->cand[i].has_applied = 1;
	}
	t->in.ncand = C;
	t->in.cand = t->cand;
	t->in.nplace = P;
	t->in.place = t->place;
	t->in.ncat = K;
	t->in.cat = t->cat;
}

static void inst_free(struct inst *t)
{
	free(t->cand);
	free(t->ch);
	free(t->place);
	free(t->ids);
	memset(t, 0, sizeof *t);
}

static void set_id(struct inst *t, size_t i, const char *id)
{
	snprintf(t->ids + i * 24, 24, "%s", id);
}

static void add_choice(struct inst *t, size_t i, int32_t p, unsigned gate)
{
	struct wx_match_cand *c = &t->cand[i];

	assert_true(c->nchoice < MAXL);
	t->ch[i * MAXL + c->nchoice].place = p;
	t->ch[i * MAXL + c->nchoice].gate = gate;
	c->nchoice++;
}

struct gen {
	size_t cmin, cmax, pmin, pmax, lmax;
	uint32_t capmax;
	size_t kmax;
	int distinct;    /* no ties in score and applied_at */
	int dense;       /* at least one category, many members, long lists,
	                  * few gate failures: crowded, conflicting priorities,
	                  * so several stable matchings are common */
};

/* shares with exact-half cases at small capacities: 1/2 x odd, 1/4 x 2,
 * 1/8 x 4, 0.58 x 25 */
static const uint64_t shares[][2] = {
	{ 1, 2 }, { 1, 4 }, { 1, 1 }, { 3, 4 },   /* the strong ones first */
	{ 1, 8 }, { 3, 8 }, { 58, 100 }, { 1, 3 }, { 1, 10 },
	{ 0, 1 }, { 25, 100 }, { 5, 10 }, { 2, 3 },
};
static const char *const catnames[] = { "care", "fsm", "neet", "imd" };

static void gen_inst(struct inst *t, const struct gen *g)
{
	size_t C = g->cmin + rn(g->cmax - g->cmin + 1);
	size_t P = g->pmin + rn(g->pmax - g->pmin + 1);
	size_t K = g->dense && g->kmax ? 1 + rn(g->kmax) : rn(g->kmax + 1);
	size_t *perm = malloc((C ? C : 1) * sizeof *perm);

	assert_non_null(perm);
	inst_alloc(t, C, P, K);
	for (size_t k = 0; k < K; k++) {
		/* dense instances draw the shares that reserve whole seats at
		 * capacities 1-2, where placements' priorities differ most */
		size_t s = rn(g->dense ? 4 : sizeof shares / sizeof shares[0]);

		t->cat[k].name = catnames[k];
		t->cat[k].num = shares[s][0];
		t->cat[k].den = shares[s][1];
	}
	t->in.fill = rn(2) ? WX_FILL_RESERVE_FIRST : WX_FILL_OPEN_FIRST;
	t->in.seed = rnd();
	for (size_t p = 0; p < P; p++)
		t->place[p].capacity = (uint32_t)(g->dense ? 1 + rn(g->capmax) : rn(g->capmax + 1));
	/* distinct scores: a random permutation */
	for (size_t i = 0; i < C; i++)
		perm[i] = i;
	for (size_t i = C; i > 1; i--) {
		size_t j = rn(i), x = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = x;
	}
	for (size_t i = 0; i < C; i++) {
		struct wx_match_cand *c = &t->cand[i];
		char id[24];
		size_t len = (size_t)snprintf(id, sizeof id, "c%zu-", i), end = len + rn(14);

		/* ids of varied lengths (the lottery hashes 8-byte blocks); the
		 * index keeps them unique */
		while (len < end && len < sizeof id - 1)
			id[len++] = (char)('a' + rn(26));
		id[len] = '\0';
		set_id(t, i, id);
		if (g->distinct) {
			c->score = (int)perm[i] - (int)(C / 2);
			c->applied_s = (int64_t)rn(1000);
			c->applied_ns = (int32_t)rn(1000000000);
		} else {
			c->score = (int)rn(3);
			c->has_applied = rn(10) != 0;
			c->applied_s = 1700000000 + (int64_t)rn(3);
			c->applied_ns = rn(3) ? 0 : 500000000;
		}
		for (size_t k = 0; k < K; k++)
			if (rn(g->dense ? 2 : 3) == 0)
				c->member |= UINT32_C(1) << k;
		if (rn(5) == 0)
			c->member |= UINT32_C(1) << 31;   /* a bit no category uses */
		size_t L = g->dense ? 1 + rn(g->lmax) : rn(g->lmax + 1);

		for (size_t j = 0; j < L; j++) {
			int32_t p = P ? (int32_t)rn(P) : -1;
			unsigned gate = WX_GATE_OK;

			if (P == 0 || rn(g->dense ? 40 : 12) == 0) {
				p = -1;
				gate = WX_GATE_NOT_OPEN;
			} else if (rn(g->dense ? 12 : 5) == 0) {
				gate = 2 + (unsigned)rn(4);
			}
			add_choice(t, i, p, gate);
		}
	}
	free(perm);
}

/* ---- the reference: sections 5, 6 and 9 written out plainly ---- */

/* Position of p as an eligible entry of c's list (first one), or SIZE_MAX. */
static size_t ref_pos(const struct inst *t, size_t c, int32_t p)
{
	if (p < 0)
		return SIZE_MAX;
	for (size_t j = 0; j < t->cand[c].nchoice; j++)
		if (t->cand[c].choice[j].place == p && t->cand[c].choice[j].gate == WX_GATE_OK)
			return j;
	return SIZE_MAX;
}

/* The slots of p, one by one in fill order: -1 open, k a category. */
static size_t ref_slots(const struct inst *t, size_t p, int *slot, size_t max)
{
	uint64_t cap = t->place[p].capacity, left = cap;
	uint64_t r[WX_MATCH_MAX_CATEGORIES];
	size_t n = 0;

	for (size_t k = 0; k < t->K; k++) {
		/* c x num / den, rounded half up: compare the remainder twice over */
		uint64_t q = cap * t->cat[k].num / t->cat[k].den;
		uint64_t rem = cap * t->cat[k].num % t->cat[k].den;

		if (2 * rem >= t->cat[k].den)
			q++;
		r[k] = q < left ? q : left;
		left -= r[k];
	}
	assert_true(cap <= max);
	if (t->in.fill == WX_FILL_OPEN_FIRST)
		for (uint64_t s = 0; s < left; s++)
			slot[n++] = -1;
	for (size_t k = 0; k < t->K; k++)
		for (uint64_t s = 0; s < r[k]; s++)
			slot[n++] = (int)k;
	if (t->in.fill == WX_FILL_RESERVE_FIRST)
		for (uint64_t s = 0; s < left; s++)
			slot[n++] = -1;
	return n;
}

/* p's choice from applicants app[0..n-1]: kind[i] the slot taken or -2. */
static void ref_choose(const struct inst *t, const uint32_t *rank, size_t p, const size_t *app,
		       size_t n, int *kind)
{
	int slot[64];
	size_t ns = ref_slots(t, p, slot, 64);

	for (size_t i = 0; i < n; i++)
		kind[i] = -2;
	for (size_t s = 0; s < ns; s++) {
		size_t best = SIZE_MAX;

		if (slot[s] >= 0)
			for (size_t i = 0; i < n; i++)
				if (kind[i] == -2 && (t->cand[app[i]].member >> slot[s] & 1) &&
				    (best == SIZE_MAX || rank[app[i]] < rank[app[best]]))
					best = i;
		if (best == SIZE_MAX)
			for (size_t i = 0; i < n; i++)
				if (kind[i] == -2 &&
				    (best == SIZE_MAX || rank[app[i]] < rank[app[best]]))
					best = i;
		if (best != SIZE_MAX)
			kind[best] = slot[s];
	}
}

struct ref_eval {
	int valid;            /* every pair eligible, no capacity exceeded */
	uint64_t blocking, wasted, ineligible, over;
};

static size_t holders(const struct inst *t, const int32_t *place, size_t p, size_t *h)
{
	size_t n = 0;

	for (size_t i = 0; i < t->C; i++)
		if (place[i] == (int32_t)p)
			h[n++] = i;
	return n;
}

static void ref_evaluate(const struct inst *t, const uint32_t *rank, const int32_t *place,
			 struct ref_eval *ev)
{
	size_t *h = malloc((t->C + 1) * sizeof *h);
	int *kind = malloc((t->C + 1) * sizeof *kind);

	assert_non_null(h);
	assert_non_null(kind);
	memset(ev, 0, sizeof *ev);
	ev->valid = 1;
	for (size_t i = 0; i < t->C; i++)
		if (place[i] >= 0 && ref_pos(t, i, place[i]) == SIZE_MAX) {
			ev->valid = 0;
			ev->ineligible++;
		}
	for (size_t p = 0; p < t->P; p++) {
		size_t n = holders(t, place, p, h), want = 0;

		if (n > t->place[p].capacity) {
			ev->valid = 0;
			ev->over += n - t->place[p].capacity;
		}
		for (size_t c = 0; c < t->C; c++) {
			size_t mine = ref_pos(t, c, place[c]), there = ref_pos(t, c, (int32_t)p);

			/* c prefers p: p is eligibly listed before what c got */
			if (there == SIZE_MAX || (mine != SIZE_MAX && mine <= there))
				continue;
			h[n] = c;
			ref_choose(t, rank, p, h, n + 1, kind);
			if (kind[n] != -2)
				ev->blocking++;
			if (n < t->place[p].capacity)
				want++;
		}
		if (n < t->place[p].capacity) {
			size_t empty = t->place[p].capacity - n;

			ev->wasted += want < empty ? want : empty;
		}
	}
	free(h);
	free(kind);
}

/* ---- properties of one result ---- */

static uint64_t props_checked;

static void assert_same_result(const struct wx_match_result *a, const struct wx_match_result *b)
{
	size_t kinds = a->nplace * (a->ncat + 1);

	assert_int_equal(a->ncand, b->ncand);
	assert_memory_equal(a->place, b->place, a->ncand * sizeof *a->place);
	assert_memory_equal(a->slot, b->slot, a->ncand * sizeof *a->slot);
	assert_memory_equal(a->choice_rank, b->choice_rank, a->ncand * sizeof *a->choice_rank);
	assert_memory_equal(a->reason, b->reason, a->ncand * sizeof *a->reason);
	assert_memory_equal(a->rank, b->rank, a->ncand * sizeof *a->rank);
	if (kinds) {
		assert_memory_equal(a->seats, b->seats, kinds * sizeof *a->seats);
		assert_memory_equal(a->held, b->held, kinds * sizeof *a->held);
		assert_memory_equal(a->cutoff, b->cutoff, kinds * sizeof *a->cutoff);
		assert_memory_equal(a->spare_cutoff, b->spare_cutoff, kinds * sizeof *a->spare_cutoff);
	}
}

/* Section 4: rank order is score, then applied_at, then lottery, then id. */
static void check_order(const struct wx_match_input *in, const uint32_t *rank,
			const uint32_t *by_rank)
{
	for (size_t x = 0; x < in->ncand; x++)
		assert_int_equal(rank[by_rank[x]], x);
	for (size_t x = 0; x + 1 < in->ncand; x++) {
		const struct wx_match_cand *a = &in->cand[by_rank[x]], *b = &in->cand[by_rank[x + 1]];
		int sa = in->no_priority ? 0 : a->score, sb = in->no_priority ? 0 : b->score;
		uint64_t la, lb;

		if (sa != sb) {
			assert_true(sa > sb);
			continue;
		}
		if (a->has_applied != b->has_applied) {
			assert_true(a->has_applied);
			continue;
		}
		if (a->has_applied && (a->applied_s != b->applied_s || a->applied_ns != b->applied_ns)) {
			assert_true(a->applied_s < b->applied_s ||
				    (a->applied_s == b->applied_s && a->applied_ns < b->applied_ns));
			continue;
		}
		la = wx_match_lottery(in->seed, a->id);
		lb = wx_match_lottery(in->seed, b->id);
		assert_true(la < lb || (la == lb && strcmp(a->id, b->id) < 0));
	}
}

static void check_rank(const struct inst *t, const struct wx_match_result *r)
{
	check_order(&t->in, r->rank, r->by_rank);
}

static void check_props(const struct inst *t, const struct wx_match_result *r)
{
	size_t C = t->C, P = t->P, K = t->K;
	size_t *h = malloc((C + 1) * sizeof *h);
	int *kind = malloc((C + 1) * sizeof *kind);
	struct ref_eval ev;
	struct wx_match_checks ck;
	struct wx_err err = { 0 };
	size_t placed = 0;

	assert_non_null(h);
	assert_non_null(kind);
	check_rank(t, r);
	/* eligibility, choice_rank, reasons */
	for (size_t i = 0; i < C; i++) {
		const struct wx_match_cand *c = &t->cand[i];
		size_t eligible = 0;

		for (size_t j = 0; j < c->nchoice; j++)
			eligible += c->choice[j].gate == WX_GATE_OK;
		if (r->place[i] >= 0) {
			size_t pos = ref_pos(t, i, r->place[i]);

			placed++;
			assert_true(pos != SIZE_MAX);
			assert_int_equal(r->choice_rank[i], pos + 1);
			assert_int_equal(r->reason[i], WX_MATCH_PLACED);
			assert_true(r->slot[i] >= -1 && r->slot[i] < (int)K);
		} else {
			assert_int_equal(r->choice_rank[i], 0);
			assert_int_equal(r->slot[i], WX_SLOT_NONE);
			assert_int_equal(r->reason[i], c->nchoice == 0 ? WX_MATCH_NO_CHOICES :
					 eligible == 0 ? WX_MATCH_NO_ELIGIBLE_CHOICE :
					 WX_MATCH_OUTRANKED);
		}
	}
	assert_int_equal(r->placed, placed);
	/* the reference says: valid, stable, no waste */
	ref_evaluate(t, r->rank, r->place, &ev);
	assert_true(ev.valid);
	assert_int_equal(ev.blocking, 0);
	assert_int_equal(ev.wasted, 0);
	/* and so do the library's own checks */
	assert_int_equal(wx_match_check(&t->in, r->place, r->rank, &ck, &err), WX_OK);
	assert_int_equal(ck.blocking_pairs, 0);
	assert_int_equal(ck.wasted_seats, 0);
	assert_int_equal(ck.ineligible_pairs, 0);
	assert_int_equal(ck.over_capacity, 0);
	/* slot kinds, seats, held and cutoffs agree with the reference choice
	 * on the final holders; reserve fill agrees with the checks */
	{
		uint64_t rs[WX_MATCH_MAX_CATEGORIES] = { 0 }, rh[WX_MATCH_MAX_CATEGORIES] = { 0 };
		uint64_t rm[WX_MATCH_MAX_CATEGORIES] = { 0 };

		for (size_t p = 0; p < P; p++) {
			size_t n = holders(t, r->place, p, h);
			int slot[64];
			size_t ns = ref_slots(t, p, slot, 64);
			uint32_t seats[WX_MATCH_MAX_CATEGORIES + 1] = { 0 };
			uint32_t held[WX_MATCH_MAX_CATEGORIES + 1] = { 0 };
			uint32_t cut[WX_MATCH_MAX_CATEGORIES + 1], spare[WX_MATCH_MAX_CATEGORIES + 1];

			for (size_t s = 0; s < ns; s++)
				seats[slot[s] + 1]++;
			for (size_t k = 0; k <= K; k++)
				cut[k] = spare[k] = WX_MATCH_NO_RANK;
			ref_choose(t, r->rank, p, h, n, kind);
			for (size_t j = 0; j < n; j++) {
				int kd = kind[j];

				assert_int_not_equal(kd, -2);   /* a holder the choice drops */
				assert_int_equal(r->slot[h[j]], kd);
				held[kd + 1]++;
				if (cut[kd + 1] == WX_MATCH_NO_RANK || r->rank[h[j]] > cut[kd + 1])
					cut[kd + 1] = r->rank[h[j]];
				if (kd >= 0 && !(t->cand[h[j]].member >> kd & 1) &&
				    (spare[kd + 1] == WX_MATCH_NO_RANK || r->rank[h[j]] > spare[kd + 1]))
					spare[kd + 1] = r->rank[h[j]];
				if (kd >= 0) {
					rh[kd]++;
					rm[kd] += t->cand[h[j]].member >> kd & 1;
				}
			}
			for (size_t k = 0; k <= K; k++) {
				size_t ki = p * (K + 1) + k;

				assert_int_equal(r->seats[ki], seats[k]);
				assert_int_equal(r->held[ki], held[k]);
				assert_int_equal(r->cutoff[ki], cut[k]);
				assert_int_equal(r->spare_cutoff[ki], spare[k]);
				if (k)
					rs[k - 1] += seats[k];
			}
		}
		for (size_t k = 0; k < K; k++) {
			assert_int_equal(ck.reserved[k], rs[k]);
			assert_int_equal(ck.reserved_held[k], rh[k]);
			assert_int_equal(ck.reserved_members[k], rm[k]);
		}
	}
	/* soft reserves: a non-member in a category-k seat at p means every
	 * eligible member of k who listed p got p or something they prefer
	 * (else p's choice would have taken the member: see section 6) */
	for (size_t i = 0; i < C; i++) {
		int k = r->slot[i];
		int32_t p = r->place[i];

		if (k < 0 || (t->cand[i].member >> k & 1))
			continue;
		for (size_t m = 0; m < C; m++) {
			size_t there = ref_pos(t, m, p), mine = ref_pos(t, m, r->place[m]);

			if (!(t->cand[m].member >> k & 1) || there == SIZE_MAX)
				continue;
			assert_true(mine != SIZE_MAX && mine <= there);
		}
	}
	/* explanations: every better choice is a failed gate, or full, and
	 * at every kind holding someone the candidate ranks below the cutoff,
	 * unless it is a category reserved for members the candidate is not
	 * one of and only members hold it */
	for (size_t i = 0; i < C; i++) {
		struct wx_match_why why[MAXL];
		size_t n = wx_match_explain(&t->in, r, i, why, MAXL);

		assert_int_equal(n, r->place[i] >= 0 ? r->choice_rank[i] - 1 : t->cand[i].nchoice);
		for (size_t j = 0; j < n; j++) {
			int32_t p = why[j].place;
			uint32_t total = 0;

			assert_int_equal(why[j].choice_rank, j + 1);
			assert_int_equal(why[j].place, t->cand[i].choice[j].place);
			assert_int_equal(why[j].gate, t->cand[i].choice[j].gate);
			if (why[j].gate != WX_GATE_OK)
				continue;
			assert_int_not_equal(p, r->place[i]);
			for (size_t k = 0; k <= K; k++) {
				size_t ki = (size_t)p * (K + 1) + k;

				total += r->held[ki];
				if (r->held[ki] == 0)
					continue;
				assert_int_not_equal(r->cutoff[ki], WX_MATCH_NO_RANK);
				if (k == 0 || (t->cand[i].member >> (k - 1) & 1))
					assert_true(r->rank[i] > r->cutoff[ki]);
				else if (r->spare_cutoff[ki] != WX_MATCH_NO_RANK)
					assert_true(r->rank[i] > r->spare_cutoff[ki]);
			}
			assert_int_equal(total, t->place[p].capacity);   /* full */
		}
	}
	free(h);
	free(kind);
	props_checked++;
}

/* The same instance with candidates and placements in another order gives
 * the same outcome per candidate id (section 10: nothing depends on the
 * order of the arrays). */
static void check_order_free(const struct inst *t, const struct wx_match_result *r)
{
	struct inst u;
	struct wx_match_result r2;
	struct wx_err err = { 0 };
	size_t *cp = malloc((t->C ? t->C : 1) * sizeof *cp);   /* new index -> old */
	size_t *pp = malloc((t->P ? t->P : 1) * sizeof *pp);
	size_t *pinv = malloc((t->P ? t->P : 1) * sizeof *pinv);

	assert_non_null(cp);
	assert_non_null(pp);
	assert_non_null(pinv);
	for (size_t i = 0; i < t->C; i++)
		cp[i] = i;
	for (size_t i = t->C; i > 1; i--) {
		size_t j = rn(i), x = cp[i - 1];

		cp[i - 1] = cp[j];
		cp[j] = x;
	}
	for (size_t i = 0; i < t->P; i++)
		pp[i] = i;
	for (size_t i = t->P; i > 1; i--) {
		size_t j = rn(i), x = pp[i - 1];

		pp[i - 1] = pp[j];
		pp[j] = x;
	}
	for (size_t i = 0; i < t->P; i++)
		pinv[pp[i]] = i;
	inst_alloc(&u, t->C, t->P, t->K);
	memcpy(u.cat, t->cat, sizeof u.cat);
	u.in.fill = t->in.fill;
	u.in.seed = t->in.seed;
	u.in.no_priority = t->in.no_priority;
	for (size_t i = 0; i < t->P; i++)
		u.place[i] = t->place[pp[i]];
	for (size_t i = 0; i < t->C; i++) {
		const struct wx_match_cand *o = &t->cand[cp[i]];
		struct wx_match_cand *n = &u.cand[i];

		set_id(&u, i, o->id);
		n->score = o->score;
		n->has_applied = o->has_applied;
		n->applied_s = o->applied_s;
		n->applied_ns = o->applied_ns;
		n->member = o->member;
		for (size_t j = 0; j < o->nchoice; j++)
			add_choice(&u, i, o->choice[j].place < 0 ? -1 :
				   (int32_t)pinv[o->choice[j].place], o->choice[j].gate);
	}
	assert_int_equal(wx_match_run(&u.in, &r2, &err), WX_OK);
	for (size_t i = 0; i < t->C; i++) {
		size_t o = cp[i];

		assert_int_equal(r2.place[i] < 0 ? -1 : (int32_t)pp[r2.place[i]], r->place[o]);
		assert_int_equal(r2.slot[i], r->slot[o]);
		assert_int_equal(r2.choice_rank[i], r->choice_rank[o]);
		assert_int_equal(r2.reason[i], r->reason[o]);
		assert_int_equal(r2.rank[i], r->rank[o]);
	}
	wx_match_result_free(&r2);
	inst_free(&u);
	free(cp);
	free(pp);
	free(pinv);
}

/* The library's checks against the reference on matchings that are not
 * stable, not eligible or over capacity: the engine's result with a few
 * candidates moved anywhere on their lists (failed gates included) or out. */
static uint64_t perturbed_checked;

static void check_perturbed(const struct inst *t, const struct wx_match_result *r)
{
	int32_t *m = malloc((t->C ? t->C : 1) * sizeof *m);

	assert_non_null(m);
	for (int round = 0; round < 3 && t->C; round++) {
		struct ref_eval ev;
		struct wx_match_checks ck;
		struct wx_err err = { 0 };
		size_t moves = 1 + rn(4);

		memcpy(m, r->place, t->C * sizeof *m);
		for (size_t x = 0; x < moves; x++) {
			size_t i = rn(t->C);
			const struct wx_match_cand *c = &t->cand[i];

			m[i] = -1;
			if (c->nchoice && rn(4))
				m[i] = c->choice[rn(c->nchoice)].place;
		}
		ref_evaluate(t, r->rank, m, &ev);
		assert_int_equal(wx_match_check(&t->in, m, r->rank, &ck, &err), WX_OK);
		assert_int_equal(ck.blocking_pairs, ev.blocking);
		assert_int_equal(ck.wasted_seats, ev.wasted);
		assert_int_equal(ck.ineligible_pairs, ev.ineligible);
		assert_int_equal(ck.over_capacity, ev.over);
		perturbed_checked++;
	}
	free(m);
}

static void run_random(const struct gen *g, size_t count, uint64_t seed)
{
	rng_s = seed;
	for (size_t n = 0; n < count; n++) {
		struct inst t;
		struct wx_match_result r, r2;
		struct wx_err err = { 0 };

		gen_inst(&t, g);
		assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
		check_props(&t, &r);
		/* determinism: the same input and seed, the same output */
		assert_int_equal(wx_match_run(&t.in, &r2, &err), WX_OK);
		assert_same_result(&r, &r2);
		wx_match_result_free(&r2);
		check_order_free(&t, &r);
		check_perturbed(&t, &r);
		wx_match_result_free(&r);
		inst_free(&t);
	}
}

static void test_random_small(void **state)
{
	struct gen g = { 0, 12, 0, 5, 5, 4, 3, 0, 0 };
	size_t n = scaled(8000);

	(void)state;
	props_checked = 0;
	perturbed_checked = 0;
	run_random(&g, n / 4, 1);
	g.distinct = 1;
	run_random(&g, n / 4, 2);
	g.dense = 1;
	run_random(&g, n / 4, 3);
	g.distinct = 0;
	run_random(&g, n - 3 * (n / 4), 4);
	print_message("# %llu small instances checked, %llu perturbed matchings checked\n",
		      (unsigned long long)props_checked, (unsigned long long)perturbed_checked);
}

static void test_random_medium(void **state)
{
	struct gen g = { 20, 150, 5, 40, 8, 4, 3, 0, 0 };
	size_t n = scaled(1000);

	(void)state;
	props_checked = 0;
	perturbed_checked = 0;
	run_random(&g, n / 4, 5);
	g.distinct = 1;
	run_random(&g, n / 4, 6);
	g.dense = 1;
	run_random(&g, n / 4, 7);
	g.distinct = 0;
	run_random(&g, n - 3 * (n / 4), 8);
	print_message("# %llu medium instances checked, %llu perturbed matchings checked\n",
		      (unsigned long long)props_checked, (unsigned long long)perturbed_checked);
}

/* Oversubscribed and with large capacities: the engine's general path
 * (full placements, many reserved seats) under pressure. */
static void test_random_crowded(void **state)
{
	struct gen g = { 50, 300, 1, 6, 4, 12, 4, 0, 1 };
	size_t n = scaled(400);

	(void)state;
	props_checked = 0;
	perturbed_checked = 0;
	run_random(&g, n / 2, 9);
	g.kmax = 3;
	g.capmax = 40;
	run_random(&g, n - n / 2, 10);
	print_message("# %llu crowded instances checked, %llu perturbed matchings checked\n",
		      (unsigned long long)props_checked, (unsigned long long)perturbed_checked);
}

/* ---- resumable sessions (wx_match_start / wx_match_resume) ---- */

static uint64_t sessions_checked, resumes_checked, sessions_fill[2], sessions_reserved;

/* Each candidate's list cut at a random point (the rest hidden), a session
 * started on the cut lists, then the hidden entries of some unplaced
 * candidates given back in chunks of random size and the session resumed,
 * until no unplaced candidate has anything hidden.  Every result along the
 * way is that of a run from the start on the lists as they stand, and the
 * last one that of a run on the whole lists, for every candidate: the
 * placed ones' hidden entries come after the entry they hold, which never
 * changes a run. */
static void check_session(struct inst *t)
{
	size_t *full = malloc((t->C ? t->C : 1) * sizeof *full);
	size_t *pick = malloc((t->C ? t->C : 1) * sizeof *pick);
	struct wx_match_session *s = NULL;
	struct wx_match_result res, ref;
	struct wx_err err = { 0 };

	assert_non_null(full);
	assert_non_null(pick);
	for (size_t i = 0; i < t->C; i++) {
		full[i] = t->cand[i].nchoice;
		t->cand[i].nchoice = rn(full[i] + 1);
	}
	assert_int_equal(wx_match_start(&t->in, &res, &s, &err), WX_OK);
	assert_non_null(s);
	assert_int_equal(wx_match_run(&t->in, &ref, &err), WX_OK);
	assert_same_result(&res, &ref);
	wx_match_result_free(&ref);
	for (;;) {
		size_t n = 0;

		for (size_t i = 0; i < t->C; i++)
			if (res.place[i] < 0 && t->cand[i].nchoice < full[i])
				pick[n++] = i;
		if (n == 0)
			break;
		/* some of them (at least one), each a chunk of its hidden entries */
		for (size_t x = 0, given = 0; x < n; x++) {
			size_t i = pick[x], left = full[i] - t->cand[i].nchoice;

			if (rn(3) == 0 && !(x + 1 == n && given == 0))
				continue;
			t->cand[i].nchoice += 1 + rn(left);
			given++;
		}
		assert_int_equal(wx_match_resume(s, &res, &err), WX_OK);
		assert_int_equal(wx_match_run(&t->in, &ref, &err), WX_OK);
		assert_same_result(&res, &ref);
		wx_match_result_free(&ref);
		resumes_checked++;
		/* nothing new: resuming changes nothing */
		if (rn(8) == 0) {
			assert_int_equal(wx_match_resume(s, &res, &err), WX_OK);
			assert_int_equal(wx_match_run(&t->in, &ref, &err), WX_OK);
			assert_same_result(&res, &ref);
			wx_match_result_free(&ref);
		}
	}
	/* the whole lists, the placed candidates' hidden tails too */
	for (size_t i = 0; i < t->C; i++) {
		if (t->cand[i].nchoice < full[i])
			assert_true(res.place[i] >= 0);
		t->cand[i].nchoice = full[i];
	}
	assert_int_equal(wx_match_run(&t->in, &ref, &err), WX_OK);
	for (size_t i = 0; i < t->C; i++) {
		assert_int_equal(res.place[i], ref.place[i]);
		assert_int_equal(res.slot[i], ref.slot[i]);
		assert_int_equal(res.choice_rank[i], ref.choice_rank[i]);
		assert_int_equal(res.reason[i], ref.reason[i]);
	}
	assert_same_result(&res, &ref);
	assert_int_equal(res.placed, ref.placed);
	check_props(t, &res);
	wx_match_result_free(&ref);
	wx_match_result_free(&res);
	wx_match_session_free(s);
	sessions_checked++;
	sessions_fill[t->in.fill == WX_FILL_RESERVE_FIRST]++;
	sessions_reserved += t->K > 0;
	free(full);
	free(pick);
}

static void run_sessions(const struct gen *g, size_t count, uint64_t seed)
{
	rng_s = seed;
	for (size_t n = 0; n < count; n++) {
		struct inst t;

		gen_inst(&t, g);
		/* both fill orders, whatever the generator drew */
		t.in.fill = n & 1 ? WX_FILL_RESERVE_FIRST : WX_FILL_OPEN_FIRST;
		check_session(&t);
		inst_free(&t);
	}
}

static void test_session_resume(void **state)
{
	struct gen small = { 0, 12, 0, 5, 5, 4, 3, 0, 0 };
	struct gen medium = { 20, 150, 5, 40, 8, 4, 3, 0, 0 };
	struct gen crowded = { 50, 300, 1, 6, 4, 12, 4, 0, 1 };
	size_t n = scaled(4000);

	(void)state;
	sessions_checked = resumes_checked = sessions_reserved = 0;
	sessions_fill[0] = sessions_fill[1] = 0;
	run_sessions(&small, n / 2, 21);
	small.dense = 1;
	small.lmax = 8;
	run_sessions(&small, n / 4, 22);
	small.distinct = 1;
	run_sessions(&small, n / 8, 23);
	medium.dense = 1;
	run_sessions(&medium, n / 16, 24);
	crowded.capmax = 40;
	run_sessions(&crowded, n - n / 2 - n / 4 - n / 8 - n / 16, 25);
	print_message("# %llu sessions (%llu open first, %llu reserve first, %llu with reserves), "
		      "%llu resumes checked\n",
		      (unsigned long long)sessions_checked, (unsigned long long)sessions_fill[0],
		      (unsigned long long)sessions_fill[1], (unsigned long long)sessions_reserved,
		      (unsigned long long)resumes_checked);
}

/* ---- brute force ---- */

struct brute {
	const struct inst *t;
	const uint32_t *rank;
	int32_t *cur;
	uint32_t *cnt;
	int32_t *stable;     /* nstable x C */
	size_t nstable, cap;
	uint64_t leaves, crosschecked;
};

static void brute_leaf(struct brute *b)
{
	struct ref_eval ev;
	size_t C = b->t->C;

	b->leaves++;
	ref_evaluate(b->t, b->rank, b->cur, &ev);
	assert_true(ev.valid);
	/* the library's checks must count what the reference counts, on
	 * unstable matchings too */
	{
		struct wx_match_checks ck;
		struct wx_err err = { 0 };

		assert_int_equal(wx_match_check(&b->t->in, b->cur, b->rank, &ck, &err), WX_OK);
		assert_int_equal(ck.blocking_pairs, ev.blocking);
		assert_int_equal(ck.wasted_seats, ev.wasted);
		assert_int_equal(ck.ineligible_pairs, 0);
		assert_int_equal(ck.over_capacity, 0);
		b->crosschecked++;
	}
	if (ev.blocking || ev.wasted)
		return;
	if (b->nstable == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->stable = realloc(b->stable, b->cap * (C ? C : 1) * sizeof *b->stable);
		assert_non_null(b->stable);
	}
	memcpy(b->stable + b->nstable * C, b->cur, C * sizeof *b->cur);
	b->nstable++;
}

static void brute_dfs(struct brute *b, size_t i)
{
	const struct inst *t = b->t;

	if (i == t->C) {
		brute_leaf(b);
		return;
	}
	b->cur[i] = -1;
	brute_dfs(b, i + 1);
	for (size_t j = 0; j < t->cand[i].nchoice; j++) {
		int32_t p = t->cand[i].choice[j].place;

		if (t->cand[i].choice[j].gate != WX_GATE_OK || ref_pos(t, i, p) != j)
			continue;   /* ineligible, or a repeat */
		if (b->cnt[p] >= t->place[p].capacity)
			continue;
		b->cnt[p]++;
		b->cur[i] = p;
		brute_dfs(b, i + 1);
		b->cnt[p]--;
	}
	b->cur[i] = -1;
}

static void test_brute_force(void **state)
{
	/* several stable matchings are rare here (about 1 instance in 500):
	 * every placement ranks people by the same master order and differs
	 * only through its slots, so conflicts need particular capacities,
	 * memberships and fill orders; hence many instances, and
	 * test_candidate_optimal for one built by hand */
	size_t n = scaled(30000);
	uint64_t leaves = 0, stable = 0, cross = 0, multi = 0, tied = 0;

	(void)state;
	rng_s = 77;
	for (size_t x = 0; x < n; x++) {
		struct gen g = { 3, 7, 2, 4, 3, 2, 2, x % 2 == 0, x % 4 != 0 };
		struct inst t;
		struct wx_match_result r;
		struct wx_err err = { 0 };
		struct brute b;

		if (x % 4 == 0) {
			/* the sparse kind, with capacity up to 3 */
			g.cmax = 5;
			g.lmax = 4;
			g.capmax = 3;
		}
		gen_inst(&t, &g);
		tied += !g.distinct;
		assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
		memset(&b, 0, sizeof b);
		b.t = &t;
		b.rank = r.rank;   /* strict: the lottery breaks ties; checked in check_rank */
		b.cur = malloc((t.C ? t.C : 1) * sizeof *b.cur);
		b.cnt = calloc(t.P ? t.P : 1, sizeof *b.cnt);
		assert_non_null(b.cur);
		assert_non_null(b.cnt);
		brute_dfs(&b, 0);
		/* a stable matching exists, the engine's is one of them, and every
		 * candidate likes it at least as well as any other */
		assert_true(b.nstable >= 1);
		{
			int found = 0;

			for (size_t s = 0; s < b.nstable; s++) {
				const int32_t *m = b.stable + s * t.C;

				if (memcmp(m, r.place, t.C * sizeof *m) == 0)
					found = 1;
				for (size_t c = 0; c < t.C; c++)
					assert_true(ref_pos(&t, c, r.place[c]) <= ref_pos(&t, c, m[c]));
			}
			assert_true(found);
		}
		check_props(&t, &r);
		leaves += b.leaves;
		stable += b.nstable;
		cross += b.crosschecked;
		multi += b.nstable > 1;
		free(b.cur);
		free(b.cnt);
		free(b.stable);
		wx_match_result_free(&r);
		inst_free(&t);
	}
	print_message("# brute force: %zu instances (%llu with ties in score/applied_at), "
		      "%llu matchings enumerated, %llu stable (%llu instances with more than one), "
		      "%llu checked against wx_match_check\n", n, (unsigned long long)tied,
		      (unsigned long long)leaves, (unsigned long long)stable,
		      (unsigned long long)multi, (unsigned long long)cross);
}

/* Two stable matchings, and the engine must give the candidates' best.
 * Policy "care" 1/2, reserve-first.  P1: capacity 1 (one care slot); P2:
 * capacity 2 (one care slot, then one open).  z: member, rank 0, lists
 * P2; x: not a member, rank 1, lists P1, P2; y: member, rank 2, lists
 * P2, P1.
 *   S1: x-P1, y-P2, z-P2: everyone at their first choice.
 *   S2: x-P2, y-P1, z-P2: x wants P1, but P1's care slot takes y; y wants
 *       P2, but its care slot takes z and its open slot x (rank 1 < 2).
 * Both are stable; S1 is candidate-optimal. */
static void test_candidate_optimal(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };
	struct ref_eval ev;
	const int32_t s2[] = { 1, 1, 0 };

	(void)state;
	inst_alloc(&t, 3, 2, 1);
	t.cat[0].name = "care";
	t.cat[0].num = 1;
	t.cat[0].den = 2;
	t.in.fill = WX_FILL_RESERVE_FIRST;
	t.place[0].capacity = 1;
	t.place[1].capacity = 2;
	set_id(&t, 0, "z");
	t.cand[0].score = 3;
	t.cand[0].member = 1;
	add_choice(&t, 0, 1, WX_GATE_OK);
	set_id(&t, 1, "x");
	t.cand[1].score = 2;
	add_choice(&t, 1, 0, WX_GATE_OK);
	add_choice(&t, 1, 1, WX_GATE_OK);
	set_id(&t, 2, "y");
	t.cand[2].score = 1;
	t.cand[2].member = 1;
	add_choice(&t, 2, 1, WX_GATE_OK);
	add_choice(&t, 2, 0, WX_GATE_OK);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	check_props(&t, &r);
	assert_int_equal(r.place[0], 1);
	assert_int_equal(r.place[1], 0);
	assert_int_equal(r.place[2], 1);
	/* S2 is stable too, by the reference and by the library's checks */
	ref_evaluate(&t, r.rank, s2, &ev);
	assert_true(ev.valid);
	assert_int_equal(ev.blocking, 0);
	assert_int_equal(ev.wasted, 0);
	{
		struct wx_match_checks ck;

		assert_int_equal(wx_match_check(&t.in, s2, r.rank, &ck, &err), WX_OK);
		assert_int_equal(ck.blocking_pairs, 0);
		assert_int_equal(ck.wasted_seats, 0);
	}
	/* and open-first has only S1: P2's open slot goes to z, its care slot
	 * to y over x */
	wx_match_result_free(&r);
	t.in.fill = WX_FILL_OPEN_FIRST;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	ref_evaluate(&t, r.rank, s2, &ev);
	assert_true(ev.blocking > 0);
	wx_match_result_free(&r);
	inst_free(&t);
}

/* No candidate gains by misreporting: every ordered sub-list of her
 * eligible choices (every truncation and permutation) gets her nothing
 * she truly prefers to what the truth gets her. */
static void test_no_gain_from_misreport(void **state)
{
	size_t n = scaled(2000);
	uint64_t tries = 0;

	(void)state;
	rng_s = 99;
	for (size_t x = 0; x < n; x++) {
		struct gen g = { 2, 8, 1, 4, 4, 2, 2, x % 2, x % 3 != 0 };
		struct inst t;
		struct wx_match_result truth;
		struct wx_err err = { 0 };

		gen_inst(&t, &g);
		assert_int_equal(wx_match_run(&t.in, &truth, &err), WX_OK);
		for (size_t i = 0; i < t.C; i++) {
			struct wx_match_cand saved = t.cand[i];
			struct wx_match_choice lie[MAXL];
			int32_t el[MAXL];
			size_t ne = 0, truepos = ref_pos(&t, i, truth.place[i]);
			size_t idx[MAXL];

			for (size_t j = 0; j < saved.nchoice; j++)
				if (saved.choice[j].gate == WX_GATE_OK &&
				    ref_pos(&t, i, saved.choice[j].place) == j)
					el[ne++] = saved.choice[j].place;
			/* every sequence of distinct entries of el, by odometer */
			for (size_t len = 0; len <= ne; len++) {
				for (size_t j = 0; j < len; j++)
					idx[j] = 0;
				for (;;) {
					int distinct = 1;

					for (size_t a = 0; a < len; a++)
						for (size_t c = a + 1; c < len; c++)
							if (idx[a] == idx[c])
								distinct = 0;
					if (distinct) {
						struct wx_match_result r;
						size_t got;

						for (size_t j = 0; j < len; j++) {
							lie[j].place = el[idx[j]];
							lie[j].gate = WX_GATE_OK;
						}
						t.cand[i].choice = lie;
						t.cand[i].nchoice = len;
						assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
						t.cand[i] = saved;
						got = ref_pos(&t, i, r.place[i]);
						/* what she gets, judged by her true list */
						assert_true(got >= truepos);
						tries++;
						wx_match_result_free(&r);
					}
					size_t a = 0;

					while (a < len && ++idx[a] == ne)
						idx[a++] = 0;
					if (a == len)
						break;
				}
			}
		}
		wx_match_result_free(&truth);
		inst_free(&t);
	}
	print_message("# misreports tried: %llu over %zu instances\n", (unsigned long long)tries, n);
}

/* ---- worked examples ---- */

static void test_slot_arithmetic(void **state)
{
	struct wx_match_category c[3] = { { "a", 58, 100 }, { "b", 1, 2 }, { "c", 1, 1 } };
	uint32_t r[3], open;

	(void)state;
	/* 0.58 x 25 = 14.5 -> 15 exactly (in binary floating point 0.58 x 25
	 * is 14.499999..., which would round to 14) */
	wx_match_slots(25, c, 1, r, &open);
	assert_int_equal(r[0], 15);
	assert_int_equal(open, 10);
	/* then 0.5 x 25 = 12.5 -> 13 would pass 25: it gets the 10 left */
	wx_match_slots(25, c, 3, r, &open);
	assert_int_equal(r[0], 15);
	assert_int_equal(r[1], 10);
	assert_int_equal(r[2], 0);   /* later ones none */
	assert_int_equal(open, 0);
	/* halves round up: 0.5 x 1, x 3, x 5 */
	wx_match_slots(1, c + 1, 1, r, &open);
	assert_int_equal(r[0], 1);
	assert_int_equal(open, 0);
	wx_match_slots(3, c + 1, 1, r, &open);
	assert_int_equal(r[0], 2);
	assert_int_equal(open, 1);
	wx_match_slots(5, c + 1, 1, r, &open);
	assert_int_equal(r[0], 3);
	assert_int_equal(open, 2);
	/* 0.58 x 1 = 0.58 -> 1, 0.5 x 1 would pass: 0 */
	wx_match_slots(1, c, 2, r, &open);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 0);
	assert_int_equal(open, 0);
	/* 0.58 x 2 = 1.16 -> 1; 0.5 x 2 = 1 -> 1; open 0 */
	wx_match_slots(2, c, 2, r, &open);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 1);
	assert_int_equal(open, 0);
	/* capacity 0 */
	wx_match_slots(0, c, 3, r, &open);
	assert_int_equal(r[0] + r[1] + r[2] + open, 0);
	/* 1/3 x 3 = 1 exactly; 0.333333 x 3 = 0.999999 -> 1; x 1 -> 0 */
	c[0].num = 1;
	c[0].den = 3;
	wx_match_slots(3, c, 1, r, &open);
	assert_int_equal(r[0], 1);
	c[0].num = 333333;
	c[0].den = 1000000;
	wx_match_slots(3, c, 1, r, &open);
	assert_int_equal(r[0], 1);
	wx_match_slots(1, c, 1, r, &open);
	assert_int_equal(r[0], 0);
	/* the policy's millionths: 0.58 is 580000/1000000, 0.5 x 7 = 3.5 -> 4 */
	c[0].num = 580000;
	c[0].den = 1000000;
	c[1].num = 500000;
	c[1].den = 1000000;
	wx_match_slots(25, c, 1, r, &open);
	assert_int_equal(r[0], 15);
	wx_match_slots(7, c + 1, 1, r, &open);
	assert_int_equal(r[0], 4);
	assert_int_equal(open, 3);
	/* the largest capacity: no overflow */
	c[0].num = 999999999;
	c[0].den = 1000000000;
	wx_match_slots(UINT32_MAX, c, 1, r, &open);
	assert_int_equal(r[0], 4294967291u);   /* 4294967290.705... -> ...291 */
	assert_int_equal(open, 4);
}

/* A: member, 9; B: not, 7; C: member, 5; D: not, 3.  Policy: "care" 1/2.
 * P: capacity 2 (1 care slot, 1 open); Q: capacity 1 (0.5 -> 1 care slot,
 * no open one).  Lists: A: P; B: P, Q; C: P; D: Q.
 * open-first:    P chooses from {A, B, C}: open takes A, care takes C;
 *                B goes to Q, whose care slot has no member to take and
 *                takes B over D (a spare reserved seat).  Placed: A, B, C.
 * reserve-first: care takes A, open takes B; C has nothing left;
 *                D gets Q's care slot (spare).  Placed: A, B, D. */
static void fill_order_instance(struct inst *t, enum wx_fill fill)
{
	static const char *const ids[] = { "A", "B", "C", "D" };
	static const int score[] = { 9, 7, 5, 3 };

	inst_alloc(t, 4, 2, 1);
	t->cat[0].name = "care";
	t->cat[0].num = 1;
	t->cat[0].den = 2;
	t->in.fill = fill;
	t->in.seed = 1;
	t->place[0].capacity = 2;
	t->place[1].capacity = 1;
	for (size_t i = 0; i < 4; i++) {
		set_id(t, i, ids[i]);
		t->cand[i].score = score[i];
		t->cand[i].applied_s = 1700000000;
		t->cand[i].member = i == 0 || i == 2;
	}
	add_choice(t, 0, 0, WX_GATE_OK);
	add_choice(t, 1, 0, WX_GATE_OK);
	add_choice(t, 1, 1, WX_GATE_OK);
	add_choice(t, 2, 0, WX_GATE_OK);
	add_choice(t, 3, 1, WX_GATE_OK);
}

static void test_fill_order_changes_who_is_placed(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };
	struct wx_match_why why[4];

	(void)state;
	fill_order_instance(&t, WX_FILL_OPEN_FIRST);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	check_props(&t, &r);
	assert_int_equal(r.place[0], 0);
	assert_int_equal(r.slot[0], WX_SLOT_OPEN);
	assert_int_equal(r.place[1], 1);
	assert_int_equal(r.slot[1], 0);
	assert_int_equal(r.choice_rank[1], 2);
	assert_int_equal(r.place[2], 0);
	assert_int_equal(r.slot[2], 0);
	assert_int_equal(r.place[3], -1);
	assert_int_equal(r.reason[3], WX_MATCH_OUTRANKED);
	assert_int_equal(r.placed, 3);
	/* B's explanation: P (choice 1) is full; its open cutoff is A (rank 0),
	 * its care seat is held by C (rank 2), a member, and B is not one */
	assert_int_equal(wx_match_explain(&t.in, &r, 1, why, 4), 1);
	assert_int_equal(why[0].place, 0);
	assert_int_equal(why[0].gate, WX_GATE_OK);
	assert_int_equal(r.rank[1], 1);
	assert_int_equal(r.cutoff[wx_match_kind_index(&r, 0, WX_SLOT_OPEN)], 0);
	assert_int_equal(r.cutoff[wx_match_kind_index(&r, 0, 0)], 2);
	assert_int_equal(r.seats[wx_match_kind_index(&r, 0, 0)], 1);
	assert_int_equal(r.spare_cutoff[wx_match_kind_index(&r, 0, 0)], WX_MATCH_NO_RANK);
	/* D: Q full, its one seat (care, spare) went to B (rank 1), against
	 * D's 3 */
	assert_int_equal(wx_match_explain(&t.in, &r, 3, why, 4), 1);
	assert_int_equal(why[0].place, 1);
	assert_int_equal(r.seats[wx_match_kind_index(&r, 1, WX_SLOT_OPEN)], 0);
	assert_int_equal(r.cutoff[wx_match_kind_index(&r, 1, 0)], 1);
	assert_int_equal(r.spare_cutoff[wx_match_kind_index(&r, 1, 0)], 1);
	assert_int_equal(r.rank[3], 3);
	wx_match_result_free(&r);
	inst_free(&t);

	fill_order_instance(&t, WX_FILL_RESERVE_FIRST);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	check_props(&t, &r);
	assert_int_equal(r.place[0], 0);
	assert_int_equal(r.slot[0], 0);
	assert_int_equal(r.place[1], 0);
	assert_int_equal(r.slot[1], WX_SLOT_OPEN);
	assert_int_equal(r.choice_rank[1], 1);
	assert_int_equal(r.place[2], -1);
	assert_int_equal(r.reason[2], WX_MATCH_OUTRANKED);
	assert_int_equal(r.place[3], 1);
	assert_int_equal(r.slot[3], 0);
	assert_int_equal(r.placed, 3);
	wx_match_result_free(&r);
	inst_free(&t);
}

/* A spare reserved seat goes to a non-member (no seat is wasted), and is
 * reported as the reserve's. */
static void test_soft_reserve_spare_seat(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_match_checks ck;
	struct wx_err err = { 0 };

	(void)state;
	inst_alloc(&t, 2, 1, 1);
	t.cat[0].name = "care";
	t.cat[0].num = 1;
	t.cat[0].den = 2;
	t.place[0].capacity = 2;
	set_id(&t, 0, "x");
	set_id(&t, 1, "y");
	t.cand[0].score = 5;
	t.cand[1].score = 4;
	add_choice(&t, 0, 0, WX_GATE_OK);
	add_choice(&t, 1, 0, WX_GATE_OK);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.slot[0], WX_SLOT_OPEN);
	assert_int_equal(r.slot[1], 0);
	assert_int_equal(wx_match_check(&t.in, r.place, r.rank, &ck, &err), WX_OK);
	assert_int_equal(ck.reserved[0], 1);
	assert_int_equal(ck.reserved_held[0], 1);
	assert_int_equal(ck.reserved_members[0], 0);
	wx_match_result_free(&r);
	inst_free(&t);
}

/* P: capacity 3, "care" 1/3 (1 reserved, 2 open).  X1 (6 points, applied
 * day 5), X2 (4, day 6), M (0, a care member, day 7), Y1..Y3 (0, days 1-3).
 * With the policy: open takes X1, X2; care takes M.  Without (order of
 * receipt, no reserve): Y1, Y2, Y3. */
static void test_counterfactual(void **state)
{
	static const char *const ids[] = { "X1", "X2", "M", "Y1", "Y2", "Y3" };
	static const int score[] = { 6, 4, 0, 0, 0, 0 };
	static const int day[] = { 5, 6, 7, 1, 2, 3 };
	struct inst t;
	struct wx_match_result r;
	struct wx_match_figures f, cf;
	struct wx_err err = { 0 };

	(void)state;
	inst_alloc(&t, 6, 1, 1);
	t.cat[0].name = "care";
	t.cat[0].num = 1;
	t.cat[0].den = 3;
	t.in.seed = 2024;
	t.place[0].capacity = 3;
	for (size_t i = 0; i < 6; i++) {
		set_id(&t, i, ids[i]);
		t.cand[i].score = score[i];
		t.cand[i].applied_s = 1700000000 + 86400 * day[i];
		t.cand[i].member = i == 2;
		add_choice(&t, i, 0, WX_GATE_OK);
	}
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	check_props(&t, &r);
	assert_int_equal(r.place[0], 0);
	assert_int_equal(r.place[1], 0);
	assert_int_equal(r.place[2], 0);
	assert_int_equal(r.slot[2], 0);
	assert_int_equal(wx_match_figures(&t.in, &r, 3, &f, &err), WX_OK);
	assert_int_equal(wx_match_counterfactual(&t.in, 3, &cf, &err), WX_OK);
	assert_int_equal(f.placed, 3);
	assert_int_equal(f.group, 2);
	assert_int_equal(f.group_placed, 2);
	assert_int_equal(f.members[0], 1);
	assert_int_equal(f.members_placed[0], 1);
	assert_int_equal(f.checks.reserved[0], 1);
	assert_int_equal(f.checks.reserved_members[0], 1);
	assert_int_equal(f.checks.blocking_pairs, 0);
	assert_int_equal(f.checks.wasted_seats, 0);
	assert_int_equal(cf.placed, 3);
	assert_int_equal(cf.group, 2);
	assert_int_equal(cf.group_placed, 0);
	assert_int_equal(cf.ncat, 1);
	assert_int_equal(cf.members[0], 1);
	assert_int_equal(cf.members_placed[0], 0);
	assert_int_equal(cf.checks.reserved[0], 0);
	assert_int_equal(cf.checks.blocking_pairs, 0);
	assert_int_equal(cf.checks.wasted_seats, 0);
	assert_true(f.group_placed > cf.group_placed);
	/* the counterfactual is an ordinary run with no priority and no
	 * reserves: the same figures by hand */
	{
		struct wx_match_input in = t.in;
		struct wx_match_result r2;

		in.ncat = 0;
		in.no_priority = 1;
		assert_int_equal(wx_match_run(&in, &r2, &err), WX_OK);
		assert_int_equal(r2.place[3], 0);
		assert_int_equal(r2.place[4], 0);
		assert_int_equal(r2.place[5], 0);
		assert_int_equal(r2.place[0], -1);
		wx_match_result_free(&r2);
	}
	wx_match_result_free(&r);
	inst_free(&t);
}

/* The policy's figures on random data: the checks of the counterfactual
 * are zero too (it is a real run). */
static void test_counterfactual_random(void **state)
{
	struct gen g = { 20, 120, 3, 20, 6, 4, 3, 0, 1 };
	size_t n = scaled(200);

	(void)state;
	rng_s = 555;
	for (size_t x = 0; x < n; x++) {
		struct inst t;
		struct wx_match_figures cf;
		struct wx_err err = { 0 };

		gen_inst(&t, &g);
		assert_int_equal(wx_match_counterfactual(&t.in, 1, &cf, &err), WX_OK);
		assert_int_equal(cf.checks.blocking_pairs, 0);
		assert_int_equal(cf.checks.wasted_seats, 0);
		assert_int_equal(cf.checks.ineligible_pairs, 0);
		assert_int_equal(cf.checks.over_capacity, 0);
		assert_int_equal(cf.candidates, t.C);
		inst_free(&t);
	}
}

/* The lottery is a fixed function: these numbers are part of what a
 * recorded seed means, so a change here changes recorded runs. */
static void test_lottery_fixed(void **state)
{
	(void)state;
	/* computed by an independent Python transcription of the algorithm
	 * documented in match.c */
	assert_true(wx_match_lottery(0, "") == UINT64_C(0xa706dd2f4d197e6f));
	assert_true(wx_match_lottery(42, "C0001") == UINT64_C(0x6dacd61279aad005));
	assert_true(wx_match_lottery(42, "C0002") == UINT64_C(0xae8a08de960229a8));
	assert_true(wx_match_lottery(43, "C0001") == UINT64_C(0x01f8a55e08d1c010));
	assert_true(wx_match_lottery(42, "a-much-longer-candidate-id") ==
		    UINT64_C(0x02492a29c1fd0501));
}

/* Ties: applied_at breaks a score tie (seconds, then nanoseconds); a
 * missing applied_at comes after those with one at the same score but
 * before a lower score; the lottery breaks what is left, and the order of
 * two tied candidates depends only on the seed and their ids. */
static void test_ties(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };
	uint32_t rank_a, rank_b;

	(void)state;
	inst_alloc(&t, 6, 0, 0);
	set_id(&t, 0, "late");
	t.cand[0].score = 5;
	t.cand[0].applied_s = 100;
	t.cand[0].applied_ns = 2;
	set_id(&t, 1, "early");
	t.cand[1].score = 5;
	t.cand[1].applied_s = 100;
	t.cand[1].applied_ns = 1;
	set_id(&t, 2, "notime");
	t.cand[2].score = 5;
	t.cand[2].has_applied = 0;
	set_id(&t, 3, "low");
	t.cand[3].score = 4;
	t.cand[3].applied_s = -5;   /* before the epoch */
	set_id(&t, 4, "tie-a");
	t.cand[4].score = 4;
	t.cand[4].applied_s = 7;
	set_id(&t, 5, "tie-b");
	t.cand[5].score = 4;
	t.cand[5].applied_s = 7;
	t.in.seed = 12345;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.rank[1], 0);
	assert_int_equal(r.rank[0], 1);
	assert_int_equal(r.rank[2], 2);
	assert_int_equal(r.rank[3], 3);
	assert_int_equal(r.reason[0], WX_MATCH_NO_CHOICES);
	rank_a = r.rank[4];
	rank_b = r.rank[5];
	assert_true((rank_a < rank_b) == (wx_match_lottery(12345, "tie-a") <
					   wx_match_lottery(12345, "tie-b")));
	wx_match_result_free(&r);
	/* drop two others: the tied pair keeps its order */
	t.in.ncand = 4;
	t.in.cand = t.cand + 2;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_true((r.rank[2] < r.rank[3]) == (rank_a < rank_b));
	wx_match_result_free(&r);
	/* some seed orders them the other way */
	{
		int flipped = 0;

		for (uint64_t s = 0; s < 64 && !flipped; s++)
			flipped = (wx_match_lottery(s, "tie-a") < wx_match_lottery(s, "tie-b")) !=
				  (rank_a < rank_b);
		assert_true(flipped);
	}
	/* no priority: scores ignored, receipt order decides */
	t.in.ncand = 6;
	t.in.cand = t.cand;
	t.in.no_priority = 1;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.rank[3], 0);
	assert_int_equal(r.rank[2], 5);
	wx_match_result_free(&r);
	inst_free(&t);
}

/* The priority order has a radix path (scores and times folded into one
 * word with the index) and a comparison path (for ranges too wide to
 * fold); both must give section 4's order, at the extremes of int and
 * int64 too, and agree with each other. */
static void test_rank_paths(void **state)
{
	size_t n = 400;

	(void)state;
	rng_s = 4242;
	for (size_t round = 0; round < scaled(200); round++) {
		struct inst t;
		struct wx_err err = { 0 };
		uint32_t *rank = malloc((n + 2) * sizeof *rank), *by = malloc((n + 2) * sizeof *by);
		uint32_t *rank2 = malloc((n + 2) * sizeof *rank2);
		int wide = round % 4;

		assert_non_null(rank);
		assert_non_null(by);
		assert_non_null(rank2);
		inst_alloc(&t, n + 2, 0, 0);
		t.in.seed = rnd();
		t.in.no_priority = round % 7 == 0;
		for (size_t i = 0; i < n + 2; i++) {
			struct wx_match_cand *c = &t.cand[i];
			char id[24];

			snprintf(id, sizeof id, "r%zu", i);
			set_id(&t, i, id);
			c->score = (int)rn(4);
			c->has_applied = rn(6) != 0;
			c->applied_s = (int64_t)rn(5) * (round % 2 ? 1 : 86400);
			c->applied_ns = (int32_t)(rn(3) * 333333333);
			if (wide == 1 && rn(10) == 0)
				c->score = rn(2) ? INT_MAX : INT_MIN;   /* still the radix path */
		}
		if (round % 5 == 0)   /* one long run of equal keys */
			for (size_t i = 0; i < n + 2; i++) {
				t.cand[i].score = 1;
				t.cand[i].has_applied = 0;
			}
		assert_int_equal(wx_match_rank(&t.in, rank, by, &err), WX_OK);
		check_order(&t.in, rank, by);
		/* two more candidates spanning all of int64: the comparison path;
		 * the others keep their order */
		t.cand[n].applied_s = INT64_MIN;
		t.cand[n].has_applied = 1;
		t.cand[n + 1].applied_s = INT64_MAX;
		t.cand[n + 1].has_applied = 1;
		assert_int_equal(wx_match_rank(&t.in, rank2, by, &err), WX_OK);
		check_order(&t.in, rank2, by);
		t.in.ncand = n;
		assert_int_equal(wx_match_rank(&t.in, rank, NULL, &err), WX_OK);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				assert_int_equal(rank[i] < rank[j], rank2[i] < rank2[j]);
		free(rank);
		free(rank2);
		free(by);
		inst_free(&t);
	}
}

/* A placement listed twice counts where it is first listed; a candidate
 * whose entries all fail gates is no_eligible_choice; capacity 0 is full. */
static void test_lists_and_reasons(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };
	struct wx_match_why why[8];

	(void)state;
	inst_alloc(&t, 4, 3, 0);
	t.place[0].capacity = 1;
	t.place[1].capacity = 0;
	t.place[2].capacity = 1;
	set_id(&t, 0, "a");
	t.cand[0].score = 9;
	add_choice(&t, 0, -1, WX_GATE_NOT_OPEN);
	add_choice(&t, 0, 1, WX_GATE_OK);
	add_choice(&t, 0, 2, WX_GATE_AGE);
	add_choice(&t, 0, 0, WX_GATE_OK);
	add_choice(&t, 0, 0, WX_GATE_OK);
	set_id(&t, 1, "b");
	t.cand[1].score = 1;
	add_choice(&t, 1, 2, WX_GATE_WEEK);
	add_choice(&t, 1, -1, WX_GATE_NOT_OPEN);
	set_id(&t, 2, "c");
	set_id(&t, 3, "d");
	add_choice(&t, 3, 0, WX_GATE_OK);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	check_props(&t, &r);
	assert_int_equal(r.place[0], 0);
	assert_int_equal(r.choice_rank[0], 4);
	assert_int_equal(r.reason[1], WX_MATCH_NO_ELIGIBLE_CHOICE);
	assert_int_equal(r.reason[2], WX_MATCH_NO_CHOICES);
	assert_int_equal(r.reason[3], WX_MATCH_OUTRANKED);
	assert_int_equal(wx_match_explain(&t.in, &r, 0, why, 8), 3);
	assert_int_equal(why[0].gate, WX_GATE_NOT_OPEN);
	assert_int_equal(why[1].gate, WX_GATE_OK);   /* full: no seats at all */
	assert_int_equal(r.seats[wx_match_kind_index(&r, 1, WX_SLOT_OPEN)], 0);
	assert_int_equal(why[2].gate, WX_GATE_AGE);
	assert_string_equal(wx_gate_name(why[2].gate), "age");
	/* max smaller than the count: the count is still returned */
	assert_int_equal(wx_match_explain(&t.in, &r, 0, why, 1), 3);
	assert_string_equal(wx_match_reason_name(r.reason[1]), "no_eligible_choice");
	wx_match_result_free(&r);
	inst_free(&t);
}

static void test_bad_input(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };

	(void)state;
	inst_alloc(&t, 1, 1, 1);
	t.cat[0].name = "care";
	t.cat[0].num = 1;
	t.cat[0].den = 2;
	t.place[0].capacity = 1;
	set_id(&t, 0, "a");
	add_choice(&t, 0, -1, WX_GATE_OK);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_EDATA);
	assert_non_null(strstr(err.msg, "eligible but names no placement"));
	wx_match_result_free(&r);
	wx_err_clear(&err);
	t.ch[0].place = 1;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_EDATA);
	wx_match_result_free(&r);
	wx_err_clear(&err);
	t.ch[0].place = 0;
	t.cand[0].applied_ns = 1000000000;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_EDATA);
	wx_match_result_free(&r);
	wx_err_clear(&err);
	t.cand[0].applied_ns = 0;
	t.cat[0].num = 3;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_EUSAGE);
	assert_non_null(strstr(err.msg, "care"));
	wx_match_result_free(&r);
	wx_err_clear(&err);
	t.cat[0].num = 1;
	t.in.ncat = WX_MATCH_MAX_CATEGORIES + 1;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_EUSAGE);
	wx_match_result_free(&r);
	wx_err_clear(&err);
	t.in.ncat = 1;
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.place[0], 0);
	wx_match_result_free(&r);
	inst_free(&t);
	/* nothing at all */
	inst_alloc(&t, 0, 0, 0);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.placed, 0);
	wx_match_result_free(&r);
	inst_free(&t);
}

/* All 32 categories: bit 31 must work like the others. */
static void test_many_categories(void **state)
{
	struct inst t;
	struct wx_match_result r;
	struct wx_err err = { 0 };

	(void)state;
	inst_alloc(&t, 3, 1, WX_MATCH_MAX_CATEGORIES);
	for (size_t k = 0; k < WX_MATCH_MAX_CATEGORIES; k++) {
		t.cat[k].name = "k";
		t.cat[k].num = k == 31 ? 1 : 0;
		t.cat[k].den = 2;
	}
	t.place[0].capacity = 1;   /* 0.5 x 1 -> the one seat is category 31's */
	set_id(&t, 0, "top");
	t.cand[0].score = 9;
	set_id(&t, 1, "member");
	t.cand[1].score = 1;
	t.cand[1].member = UINT32_C(1) << 31;
	set_id(&t, 2, "other");
	t.cand[2].score = 5;
	t.cand[2].member = 1;
	for (size_t i = 0; i < 3; i++)
		add_choice(&t, i, 0, WX_GATE_OK);
	assert_int_equal(wx_match_run(&t.in, &r, &err), WX_OK);
	assert_int_equal(r.place[1], 0);
	assert_int_equal(r.slot[1], 31);
	assert_int_equal(r.place[0], -1);
	check_props(&t, &r);
	wx_match_result_free(&r);
	inst_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_arithmetic),
		cmocka_unit_test(test_lottery_fixed),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_rank_paths),
		cmocka_unit_test(test_lists_and_reasons),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_many_categories),
		cmocka_unit_test(test_fill_order_changes_who_is_placed),
		cmocka_unit_test(test_soft_reserve_spare_seat),
		cmocka_unit_test(test_counterfactual),
		cmocka_unit_test(test_counterfactual_random),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_medium),
		cmocka_unit_test(test_random_crowded),
		cmocka_unit_test(test_session_resume),
		cmocka_unit_test(test_candidate_optimal),
		cmocka_unit_test(test_brute_force),
		cmocka_unit_test(test_no_gain_from_misreport),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
