/* match.c: deferred acceptance with soft reserves, in memory.
 *
 * Layout.  The engine proposes straight from the caller's preference lists
 * (skipping failed gates as it goes): copying them would only touch more
 * memory, and on a virtual machine a fresh page costs more than the
 * proposals made on it.  Its own state is one cursor per candidate (kept in
 * the result's choice_rank array, which it becomes) and, per placement, a
 * small slice of one holder pool with room for min(capacity, applicants) + 1
 * entries, kept sorted best rank first; an entry carries the rank and the
 * membership bits, so a placement's choice never touches the candidate
 * arrays.  Everything is indexes into flat arrays.
 *
 * The algorithm.  A placement's choice (section 6) fills slots in order,
 * each taking the best remaining applicant it admits; it always chooses
 * min(capacity, applicants) people, and it is path independent
 * (substitutable, and rejected applicants do not change it), so a placement
 * may hold Ch(holders + newcomer) instead of Ch(everyone who ever proposed),
 * a rejected candidate is never wanted back, and the order in which
 * proposals are processed does not change the outcome: candidate-proposing
 * deferred acceptance gives the candidate-optimal stable matching.  We
 * process one proposal at a time and let a displaced candidate propose
 * again at once (McVitie and Wilson), which keeps the working set hot.  A
 * placement listed twice is proposed to twice, harmlessly: a candidate it
 * rejected or displaced stays out (substitutability), so the placement a
 * candidate ends at is always its first eligible listing.
 *
 * Cost per proposal: O(1) when the placement has a free seat, or has no
 * reserved seats (compare with the worst holder); otherwise O(ncat) to see
 * whether the choice would take the newcomer at all (admits(), from the
 * worst rank each slot kind took), and only when it would, one run of the
 * choice over the c + 1 applicants, O(c x (ncat + 1)), and an O(c)
 * insertion into the sorted holders.  So a run costs the priority order
 * (a radix sort, O(C)), O(proposals x ncat), and O(c x ncat) per proposal
 * that displaces someone. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/match.h"

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

const char *wx_gate_name(unsigned gate)
{
	switch (gate) {
	case WX_GATE_OK:
		return "eligible";
	case WX_GATE_NOT_OPEN:
		return "not_open";
	case WX_GATE_AGE:
		return "age";
	case WX_GATE_WEEK:
		return "week";
	case WX_GATE_DISTANCE:
		return "distance";
	case WX_GATE_YEAR:
		return "year";
	default:
		return "gate";
	}
}

const char *wx_match_reason_name(int reason)
{
	switch (reason) {
	case WX_MATCH_PLACED:
		return "placed";
	case WX_MATCH_NO_CHOICES:
		return "no_choices";
	case WX_MATCH_NO_ELIGIBLE_CHOICE:
		return "no_eligible_choice";
	case WX_MATCH_OUTRANKED:
		return "outranked";
	default:
		return "unknown";
	}
}

/* ---- the policy's arithmetic ---- */

void wx_match_slots(uint32_t cap, const struct wx_match_category *cat, size_t ncat,
		    uint32_t *reserved, uint32_t *open)
{
	uint64_t used = 0;

	for (size_t k = 0; k < ncat; k++) {
		/* round-half-up(cap x num / den) = floor((2 cap num + den) / 2 den),
		 * exact in integers: cap < 2^32 and num, den <= 10^9 keep
		 * 2 cap num + den below 2^64 */
		uint64_t r = (2 * (uint64_t)cap * cat[k].num + cat[k].den) / (2 * cat[k].den);

		if (r > cap - used)
			r = cap - used;   /* the category that would pass cap */
		reserved[k] = (uint32_t)r;
		used += r;
	}
	*open = (uint32_t)(cap - used);
}

static int check_input(const struct wx_match_input *in, struct wx_err *err)
{
	if (in->ncat > WX_MATCH_MAX_CATEGORIES)
		return wx_err_set(err, WX_EUSAGE, "%zu reserve categories: at most %d", in->ncat,
				  WX_MATCH_MAX_CATEGORIES);
	if ((in->ncat && !in->cat) || (in->ncand && !in->cand) || (in->nplace && !in->place))
		return wx_err_set(err, WX_EUSAGE, "match input: missing array");
	if (in->fill != WX_FILL_OPEN_FIRST && in->fill != WX_FILL_RESERVE_FIRST)
		return wx_err_set(err, WX_EUSAGE, "match input: unknown fill order %d", (int)in->fill);
	for (size_t k = 0; k < in->ncat; k++) {
		const struct wx_match_category *c = &in->cat[k];

		if (c->den == 0 || c->den > WX_MATCH_SHARE_DEN_MAX || c->num > c->den)
			return wx_err_set(err, WX_EUSAGE,
					  "reserve category %s: share %llu/%llu is not between 0 and 1 "
					  "(denominator 1 to %u)", c->name ? c->name : "?",
					  (unsigned long long)c->num, (unsigned long long)c->den,
					  WX_MATCH_SHARE_DEN_MAX);
	}
	/* ranks, candidate and placement indexes are 32-bit inside */
	if (in->ncand >= UINT32_MAX)
		return wx_err_set(err, WX_EDATA, "%zu candidates: too many", in->ncand);
	if (in->nplace > INT32_MAX)
		return wx_err_set(err, WX_EDATA, "%zu placements: too many", in->nplace);
	return WX_OK;
}

/* ---- priority order ---- */

/* The splitmix64 output function: a bijection of 64-bit words with full
 * avalanche, so xoring a word in and mixing chains like a hash. */
static uint64_t mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* h = mix64(seed); for each 8-byte block of the id (little-endian, the last
 * one padded with zero bytes) h = mix64(h ^ block); the number is
 * mix64(h ^ length).  Not a cryptographic commitment: it is fair as long
 * as the seed is drawn when the run starts, after the ids exist (so nobody
 * can pick an id that draws well), and recorded with the run. */
uint64_t wx_match_lottery(uint64_t seed, const char *id)
{
	const unsigned char *s = (const unsigned char *)id;
	size_t n = strlen(id);
	uint64_t h = mix64(seed);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;

		for (size_t j = 0; j < 8 && i + j < n; j++)
			w |= (uint64_t)s[i + j] << (8 * j);
		h = mix64(h ^ w);
	}
	return mix64(h ^ (uint64_t)n);
}

/* The sort key: the first three words compare as unsigned integers in the
 * order of section 4, so most comparisons are one or two integer compares. */
struct rkey {
	uint64_t k0;    /* score, high first, then "has applied_at" */
	uint64_t k1;    /* applied_at seconds, sign bit flipped */
	uint64_t lot;   /* lottery number */
	uint32_t ns;    /* applied_at nanoseconds */
	uint32_t idx;   /* candidate index */
};

static int rkey_before(const struct rkey *a, const struct rkey *b,
		       const struct wx_match_cand *cand)
{
	int d;

	if (a->k0 != b->k0)
		return a->k0 < b->k0;
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->ns != b->ns)
		return a->ns < b->ns;
	if (a->lot != b->lot)
		return a->lot < b->lot;
	d = strcmp(cand[a->idx].id, cand[b->idx].id);   /* compares bytes as unsigned */
	if (d != 0)
		return d < 0;
	return a->idx < b->idx;
}

/* Bottom-up merge sort (insertion sort on runs of 16 first): the comparison
 * inlines, which qsort's callback cannot, and the order is total, so the
 * result does not depend on the algorithm. */
static void rkey_sort(struct rkey *a, struct rkey *tmp, size_t n, const struct wx_match_cand *cand)
{
	const size_t run = 16;
	struct rkey *src = a, *dst = tmp;

	for (size_t lo = 0; lo < n; lo += run) {
		size_t hi = lo + run < n ? lo + run : n;

		for (size_t i = lo + 1; i < hi; i++) {
			struct rkey x = a[i];
			size_t j = i;

			while (j > lo && rkey_before(&x, &a[j - 1], cand)) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
	}
	for (size_t w = run; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;

			while (i < mid && j < hi)
				dst[o++] = rkey_before(&src[j], &src[i], cand) ? src[j++] : src[i++];
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		struct rkey *t = src;

		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

static void rkey_fill(struct rkey *k, const struct wx_match_input *in, size_t i)
{
	const struct wx_match_cand *c = &in->cand[i];
	int score = in->no_priority ? 0 : c->score;
	uint32_t sb = (uint32_t)score ^ UINT32_C(0x80000000);   /* signed order as unsigned */
	int timed = c->has_applied != 0;

	k->k0 = ((uint64_t)(uint32_t)~sb << 1) | (uint64_t)!timed;
	k->k1 = timed ? (uint64_t)c->applied_s ^ (UINT64_C(1) << 63) : 0;
	k->ns = timed ? (uint32_t)c->applied_ns : 0;
	k->lot = wx_match_lottery(in->seed, c->id);
	k->idx = (uint32_t)i;
}

static void rank_out(uint32_t *rank, uint32_t *by_rank, size_t r, uint32_t idx)
{
	if (rank)
		rank[idx] = (uint32_t)r;
	if (by_rank)
		by_rank[r] = idx;
}

/* The comparison sort over all candidates: the slow path. */
static int rank_compare(const struct wx_match_input *in, uint32_t *rank, uint32_t *by_rank)
{
	size_t n = in->ncand;
	struct rkey *key = malloc(n * sizeof *key), *tmp = malloc(n * sizeof *tmp);

	if (!key || !tmp) {
		free(key);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		rkey_fill(&key[i], in, i);
	rkey_sort(key, tmp, n, in->cand);
	for (size_t r = 0; r < n; r++)
		rank_out(rank, by_rank, r, key[r].idx);
	free(key);
	free(tmp);
	return 0;
}

static unsigned bits_for(uint64_t v)
{
	unsigned b = 0;

	while (v) {
		b++;
		v >>= 1;
	}
	return b;
}

/* What the fast path needs to know about the scores and times. */
struct span {
	int best, worst;        /* scores as ranked */
	int64_t smin, smax;     /* applied_at seconds of those who have one */
	unsigned ibits, tbits, kbits;
};

/* The fast path: score, "has a time" and seconds fold into one key
 *   (best - score) << (tbits + 1) | untimed << tbits | (seconds - earliest)
 * ordered like section 4 as far as it goes, packed with the candidate
 * index into one 64-bit word: a radix sort on the key bits, then the
 * comparison sort (nanoseconds, lottery, id) inside runs of equal keys,
 * which are short: same score, same second.  Eight bytes a candidate,
 * so little fresh memory is touched (on a virtual machine a page fault
 * costs microseconds).  scratch: n words, or NULL to allocate them. */
static int rank_radix(const struct wx_match_input *in, const struct span *sp, uint32_t *rank,
		      uint32_t *by_rank, uint64_t *scratch)
{
	enum { BITS = 11, BUCKETS = 1 << BITS };
	size_t n = in->ncand, runcap = 0;
	unsigned ib = sp->ibits, tb = sp->tbits;
	uint64_t *a = malloc(n * sizeof *a), *tmp = scratch ? scratch : malloc(n * sizeof *tmp);
	uint64_t *src, *dst;
	uint32_t *cnt = malloc(BUCKETS * sizeof *cnt);
	struct rkey *run = NULL, *runtmp = NULL;
	int rc = -1;

	if (!a || !tmp || !cnt)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct wx_match_cand *c = &in->cand[i];
		int score = in->no_priority ? 0 : c->score;
		uint64_t key = (uint64_t)((int64_t)sp->best - (int64_t)score) << (tb + 1);

		if (c->has_applied)
			key |= (uint64_t)(c->applied_s - sp->smin);
		else
			key |= UINT64_C(1) << tb;
		a[i] = key << ib | (uint64_t)i;
	}
	/* LSD over the key bits only: the index bits need no sorting, ties
	 * are settled below; a pass where every word has the same digit is
	 * skipped (the high bits of the score offset, say) */
	src = a;
	dst = tmp;
	for (unsigned d = 0; d < sp->kbits; d += BITS) {
		unsigned sh = ib + d;
		uint32_t sum = 0;

		memset(cnt, 0, BUCKETS * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> sh) & (BUCKETS - 1)]++;
		if (cnt[(src[0] >> sh) & (BUCKETS - 1)] == n)
			continue;
		for (unsigned b = 0; b < BUCKETS; b++) {
			uint32_t x = cnt[b];

			cnt[b] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> sh) & (BUCKETS - 1)]++] = src[i];
		uint64_t *t = src;

		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	/* ties: the comparison sort inside each run of equal keys */
	for (size_t lo = 0, end; lo < n; lo = end) {
		uint64_t key = a[lo] >> ib;

		for (end = lo + 1; end < n && a[end] >> ib == key; end++)
			;
		if (end - lo > 1) {
			size_t len = end - lo;

			if (len > runcap) {
				free(run);
				free(runtmp);
				runcap = len < 64 ? 64 : len;
				run = malloc(runcap * sizeof *run);
				runtmp = malloc(runcap * sizeof *runtmp);
				if (!run || !runtmp)
					goto out;
			}
			for (size_t j = 0; j < len; j++)
				rkey_fill(&run[j], in, (size_t)(a[lo + j] & ((UINT64_C(1) << ib) - 1)));
			rkey_sort(run, runtmp, len, in->cand);
			for (size_t j = 0; j < len; j++)
				a[lo + j] = key << ib | run[j].idx;
		}
	}
	/* scratch may be the rank and by_rank arrays themselves: written last */
	for (size_t r = 0; r < n; r++)
		rank_out(rank, by_rank, r, (uint32_t)(a[r] & ((UINT64_C(1) << ib) - 1)));
	rc = 0;
out:
	free(a);
	if (tmp != scratch)
		free(tmp);
	free(cnt);
	free(run);
	free(runtmp);
	return rc;
}

/* scratch: NULL, or n words the fast path may use (wx_match_run passes
 * its rank and by_rank arrays, which lie side by side). */
static int rank_into(const struct wx_match_input *in, uint32_t *rank, uint32_t *by_rank,
		     uint64_t *scratch, struct wx_err *err)
{
	size_t n = in->ncand;
	struct span sp = { INT_MIN, INT_MAX, INT64_MAX, INT64_MIN, 0, 0, 0 };
	int rc;

	if ((rc = check_input(in, err)) != WX_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct wx_match_cand *c = &in->cand[i];
		int score = in->no_priority ? 0 : c->score;

		if (!c->id)
			return wx_err_set(err, WX_EDATA, "candidate %zu has no id", i);
		if (c->has_applied) {
			if (c->applied_ns < 0 || c->applied_ns > 999999999)
				return wx_err_set(err, WX_EDATA, "candidate %s: applied_at nanoseconds "
						  "%ld out of range", c->id, (long)c->applied_ns);
			if (c->applied_s < sp.smin)
				sp.smin = c->applied_s;
			if (c->applied_s > sp.smax)
				sp.smax = c->applied_s;
		}
		if (score > sp.best)
			sp.best = score;
		if (score < sp.worst)
			sp.worst = score;
	}
	if (n == 0)
		return WX_OK;
	if (sp.smin > sp.smax)
		sp.smin = sp.smax = 0;
	sp.ibits = bits_for(n - 1);
	sp.tbits = bits_for((uint64_t)sp.smax - (uint64_t)sp.smin);
	sp.kbits = bits_for((uint64_t)((int64_t)sp.best - (int64_t)sp.worst)) + 1 + sp.tbits;
	/* the key and the index must share one word: they do unless scores or
	 * times span astronomical ranges, which are still ranked, slowly */
	if (sp.tbits < 63 && sp.kbits + sp.ibits <= 64)
		rc = rank_radix(in, &sp, rank, by_rank, scratch);
	else
		rc = rank_compare(in, rank, by_rank);
	if (rc != 0)
		return wx_err_set(err, WX_ENOMEM, "out of memory ranking %zu candidates", n);
	return WX_OK;
}

int wx_match_rank(const struct wx_match_input *in, uint32_t *rank, uint32_t *by_rank,
		  struct wx_err *err)
{
	return rank_into(in, rank, by_rank, NULL, err);
}

/* ---- a placement's choice ---- */

struct hold {
	uint32_t rank;
	uint32_t cand;
	uint32_t mask;   /* membership bits of the policy's categories */
};

/* Per placement: what the inner loop reads, 16 bytes (four to a cache line). */
struct pstate {
	uint32_t cap;      /* remaining capacity */
	uint32_t cnt;      /* holders */
	uint32_t hoff;     /* first entry in the holder pool */
	uint32_t resmask;  /* categories with at least one reserved slot here */
};

struct slots {
	const uint32_t *rsv;   /* reserved slots per category, ncat of them */
	uint32_t open;
	size_t ncat;
	int reserve_first;
};

/* Like slots are filled as a block: an open block takes the best t
 * applicants not yet chosen; a category-k block takes its members best
 * first, and when they run out the best applicants left.  That is what
 * filling its slots one by one does, since a category slot takes a
 * non-member only when no member is left, and none comes back. */
static void take_open(int8_t *kind, uint32_t m, uint32_t t)
{
	for (uint32_t i = 0; i < m && t; i++)
		if (kind[i] == WX_SLOT_NONE) {
			kind[i] = WX_SLOT_OPEN;
			t--;
		}
}

static void take_category(const struct hold *h, int8_t *kind, uint32_t m, uint32_t t, size_t k)
{
	uint32_t bit = UINT32_C(1) << k;

	for (uint32_t i = 0; i < m && t; i++)
		if (kind[i] == WX_SLOT_NONE && (h[i].mask & bit)) {
			kind[i] = (int8_t)k;
			t--;
		}
	for (uint32_t i = 0; i < m && t; i++)
		if (kind[i] == WX_SLOT_NONE) {
			kind[i] = (int8_t)k;
			t--;
		}
}

/* The choice from h[0..m-1], sorted best first: kind[i] is the slot kind
 * applicant i is chosen for, or WX_SLOT_NONE. */
static void choose(const struct hold *h, uint32_t m, const struct slots *s, int8_t *kind)
{
	for (uint32_t i = 0; i < m; i++)
		kind[i] = WX_SLOT_NONE;
	if (!s->reserve_first)
		take_open(kind, m, s->open);
	for (size_t k = 0; k < s->ncat; k++)
		if (s->rsv[k])
			take_category(h, kind, m, s->rsv[k], k);
	if (s->reserve_first)
		take_open(kind, m, s->open);
}

/* Insert x into h[0..n-1] (sorted by rank, room for one more). */
static void hold_insert(struct hold *h, uint32_t n, struct hold x)
{
	uint32_t j = n;

	while (j > 0 && h[j - 1].rank > x.rank) {
		h[j] = h[j - 1];
		j--;
	}
	h[j] = x;
}

/* ---- the run ---- */

struct engine {
	const struct wx_match_input *in;
	size_t C, P, K, W;
	uint32_t catmask;    /* the policy's membership bits */
	uint32_t *nxt;       /* each candidate's next entry (res->choice_rank) */
	const uint32_t *rank;
	const uint32_t *by_rank;
	struct pstate *ps;
	uint32_t *worst;     /* P x (1 + 2K): see admits() */
	uint32_t *rsv;       /* P x K reserved slots */
	uint32_t *open;      /* P open slots */
	struct hold *pool;
	int8_t *kind;        /* scratch for choose, the largest holder slice */
	uint64_t proposals;
	int resumable;       /* a session: holder room for every candidate */
	int own_nxt;         /* nxt is the session's own, not res->choice_rank */
};

static void engine_free(struct engine *e)
{
	if (e->own_nxt)
		free(e->nxt);
	free(e->ps);
	free(e->worst);
	free(e->rsv);
	free(e->open);
	free(e->pool);
	free(e->kind);
}

static void slots_of(const struct engine *e, size_t p, struct slots *s)
{
	s->rsv = e->rsv + p * e->K;
	s->open = e->open[p];
	s->ncat = e->K;
	s->reserve_first = e->in->fill == WX_FILL_RESERVE_FIRST;
}

/* Whether a full placement's choice from holders + x takes x.  Each slot
 * took one holder; x is taken iff some slot prefers x to the holder it
 * took (the slots before the first such slot take what they took, that
 * one takes x; with none, every slot takes its holder again).  A slot
 * prefers x to some holder it took iff it prefers x to the worst of them,
 * so w holds, from the choice on the holders: [0] the worst rank an open
 * slot took, [1 + 2k] the worst member and [2 + 2k] the worst non-member
 * a category-k slot took (NOBODY: none).  O(ncat), where running the
 * choice is O(c x ncat): most proposals to a full placement fail, so this
 * is what keeps large capacities cheap. */
#define NOBODY UINT32_MAX
/* w[0] until the placement is first full: from then on its holders change
 * only where w is updated with them */
#define STALE (UINT32_MAX - 1)

static int admits(const uint32_t *w, size_t ncat, uint32_t rank, uint32_t mask)
{
	if (rank < w[0] && w[0] != NOBODY)
		return 1;
	for (size_t k = 0; k < ncat; k++) {
		uint32_t wm = w[1 + 2 * k], wn = w[2 + 2 * k];

		if (mask >> k & 1) {
			if (wn != NOBODY || (wm != NOBODY && rank < wm))
				return 1;
		} else if (wn != NOBODY && rank < wn) {
			return 1;
		}
	}
	return 0;
}

/* Fill w from the choice kind[] over h[0..m-1]. */
static void note_worst(const struct hold *h, const int8_t *kind, uint32_t m, size_t ncat,
		       uint32_t *w)
{
	for (size_t i = 0; i < 1 + 2 * ncat; i++)
		w[i] = NOBODY;
	/* h is sorted best first, so the last one seen of a kind is its worst */
	for (uint32_t i = 0; i < m; i++) {
		int k = kind[i];

		if (k == WX_SLOT_NONE)
			continue;
		if (k == WX_SLOT_OPEN)
			w[0] = h[i].rank;
		else
			w[(h[i].mask >> k & 1) ? 1 + 2 * k : 2 + 2 * k] = h[i].rank;
	}
}

/* Candidate-proposing deferred acceptance.  Any order of proposals gives
 * the same result; candidates start in priority order, so a newcomer
 * ranks below every holder and displaces someone only through a reserve
 * (without reserves, never): displacing is what costs a run of the
 * choice.  A displaced holder proposes next, from where it left off.  The
 * order jumps around the candidate arrays, so the data of the candidates
 * a few turns ahead is prefetched. */
/* c proposes down its list from where it left off; a candidate it
 * displaces proposes on at once. */
static uint64_t propose_from(struct engine *e, uint32_t c)
{
	const struct wx_match_cand *cand = e->in->cand;
	uint64_t proposals = 0;

	for (;;) {
		const struct wx_match_choice *ch = cand[c].choice;
		size_t n = cand[c].nchoice;
		uint32_t j = e->nxt[c];

		while (j < n && ch[j].gate != WX_GATE_OK)
			j++;
		if (j == n) {
			e->nxt[c] = j;
			break;   /* c's list is used up */
		}
		e->nxt[c] = j + 1;

		uint32_t p = (uint32_t)ch[j].place;
		struct pstate *s = &e->ps[p];
		struct hold *h = e->pool + s->hoff;
		struct hold x = { e->rank[c], c, cand[c].member & e->catmask };
		struct hold out;

		proposals++;
		if (s->cnt < s->cap) {
			hold_insert(h, s->cnt++, x);
			break;
		}
		if (s->cap == 0)
			continue;
		if (!s->resmask) {
			/* all slots open: the worst of holders + x leaves */
			if (x.rank > h[s->cnt - 1].rank)
				continue;
			out = h[s->cnt - 1];
			hold_insert(h, s->cnt - 1, x);
		} else {
			struct slots sl;
			uint32_t *w = e->worst + p * e->W;
			uint32_t m = s->cnt + 1, u = 0;

			slots_of(e, p, &sl);
			if (w[0] == STALE) {
				choose(h, s->cnt, &sl, e->kind);
				note_worst(h, e->kind, s->cnt, e->K, w);
			}
			if (!admits(w, e->K, x.rank, x.mask))
				continue;
			hold_insert(h, s->cnt, x);
			choose(h, m, &sl, e->kind);
			/* the choice takes exactly cap = m - 1 applicants */
			while (e->kind[u] != WX_SLOT_NONE)
				u++;
			out = h[u];
			/* the choice on the holders left is the same: the one
			 * out was never any slot's best */
			note_worst(h, e->kind, m, e->K, w);
			memmove(h + u, h + u + 1, (m - 1 - u) * sizeof *h);
		}
		if (out.cand == c)
			continue;
		c = out.cand;   /* displaced: proposes on at once */
	}
	return proposals;
}

/* Candidate-proposing deferred acceptance.  Any order of proposals gives
 * the same result; candidates start in priority order, so a newcomer
 * ranks below every holder and displaces someone only through a reserve
 * (without reserves, never): displacing is what costs a run of the
 * choice.  A displaced holder proposes next, from where it left off.  The
 * order jumps around the candidate arrays, so the data of the candidates
 * a few turns ahead is prefetched. */
static void defer(struct engine *e)
{
	const struct wx_match_cand *cand = e->in->cand;
	const uint32_t *order = e->by_rank;
	uint64_t proposals = 0;

	for (uint32_t start = 0; start < e->C; start++) {
		if (start + 16 < e->C) {
			PREFETCH(&cand[order[start + 16]]);
			PREFETCH(&e->rank[order[start + 16]]);
			PREFETCH(&e->nxt[order[start + 16]]);
			PREFETCH(cand[order[start + 8]].choice);
		}
		proposals += propose_from(e, order[start]);
	}
	e->proposals = proposals;
}

void wx_match_result_free(struct wx_match_result *res)
{
	if (!res)
		return;
	free(res->mem_[0]);
	free(res->mem_[1]);
	memset(res, 0, sizeof *res);
}

static void *xmalloc(size_t n, size_t size)
{
	/* never 0 bytes, so NULL always means failure */
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size);
}

static void *xcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* Check every list, note each candidate's reason in case it stays
 * unplaced, and count eligible entries per placement (an upper bound on
 * its applicants). */
static int scan_lists(struct engine *e, struct wx_match_result *res, uint32_t *napp,
		      struct wx_err *err)
{
	const struct wx_match_input *in = e->in;

	for (size_t i = 0; i < e->C; i++) {
		const struct wx_match_cand *c = &in->cand[i];
		size_t eligible = 0;

		if (c->nchoice && !c->choice)
			return wx_err_set(err, WX_EUSAGE, "candidate %s: missing choices", c->id);
		if (c->nchoice >= UINT32_MAX)
			return wx_err_set(err, WX_EDATA, "candidate %s: %zu choices: too many", c->id,
					  c->nchoice);
		for (size_t j = 0; j < c->nchoice; j++) {
			int32_t p = c->choice[j].place;

			if (p < -1 || (p >= 0 && (size_t)p >= e->P))
				return wx_err_set(err, WX_EDATA, "candidate %s: choice %zu names "
						  "placement %ld of %zu", c->id, j + 1, (long)p, e->P);
			if (c->choice[j].gate != WX_GATE_OK)
				continue;
			if (p < 0)
				return wx_err_set(err, WX_EDATA, "candidate %s: choice %zu is "
						  "eligible but names no placement", c->id, j + 1);
			if (napp[p] < UINT32_MAX)
				napp[p]++;
			eligible++;
		}
		if (c->nchoice == 0)
			res->reason[i] = WX_MATCH_NO_CHOICES;
		else if (eligible == 0)
			res->reason[i] = WX_MATCH_NO_ELIGIBLE_CHOICE;
		else
			res->reason[i] = WX_MATCH_OUTRANKED;
		e->nxt[i] = 0;
	}
	return WX_OK;
}

/* Slots and holder room per placement. */
static int build_places(struct engine *e, struct wx_match_result *res, const uint32_t *napp,
			struct wx_err *err)
{
	uint64_t room = 0;
	uint32_t widest = 1;
	size_t kinds = e->K + 1;

	e->ps = xmalloc(e->P, sizeof *e->ps);
	e->worst = xmalloc(e->P * e->W, sizeof *e->worst);
	e->rsv = xmalloc(e->P * e->K, sizeof *e->rsv);
	e->open = xmalloc(e->P, sizeof *e->open);
	if (!e->ps || !e->worst || !e->rsv || !e->open)
		return wx_err_set(err, WX_ENOMEM, "out of memory for %zu placements", e->P);
	for (size_t p = 0; p < e->P; p++) {
		uint32_t cap = e->in->place[p].capacity;
		/* more room than applicants is never used (a session that may
		 * resume with longer lists counts every candidate) */
		uint32_t apps = e->resumable ? (e->C < UINT32_MAX ? (uint32_t)e->C : UINT32_MAX - 1) :
			napp[p];
		uint32_t w = (cap < apps ? cap : apps) + 1;
		uint32_t *r = e->rsv + p * e->K;

		if (room + w >= UINT32_MAX)
			return wx_err_set(err, WX_EDATA, "holder room past %llu: too large",
					  (unsigned long long)room);
		e->ps[p].cap = cap;
		e->ps[p].cnt = 0;
		e->ps[p].hoff = (uint32_t)room;
		e->ps[p].resmask = 0;
		e->worst[p * e->W] = STALE;
		wx_match_slots(cap, e->in->cat, e->K, r, &e->open[p]);
		res->seats[p * kinds] = e->open[p];
		for (size_t k = 0; k < e->K; k++) {
			res->seats[p * kinds + 1 + k] = r[k];
			if (r[k])
				e->ps[p].resmask |= UINT32_C(1) << k;
		}
		room += w;
		if (w > widest)
			widest = w;
	}
	e->pool = xmalloc((size_t)room, sizeof *e->pool);
	e->kind = xmalloc(widest, sizeof *e->kind);
	if (!e->pool || !e->kind)
		return wx_err_set(err, WX_ENOMEM, "out of memory for %llu holders",
				  (unsigned long long)room);
	return WX_OK;
}

/* Read the outcome off the holders: each placement's choice on its final
 * holders says which slot kind each holds (section 8). */
static void collect(struct engine *e, struct wx_match_result *res)
{
	size_t kinds = e->K + 1;

	for (size_t i = 0; i < e->C; i++) {
		res->place[i] = -1;
		res->slot[i] = WX_SLOT_NONE;
	}
	for (size_t i = 0; i < e->P * kinds; i++) {
		res->held[i] = 0;
		res->cutoff[i] = WX_MATCH_NO_RANK;
		res->spare_cutoff[i] = WX_MATCH_NO_RANK;
	}
	res->placed = 0;
	for (size_t p = 0; p < e->P; p++) {
		const struct pstate *s = &e->ps[p];
		const struct hold *h = e->pool + s->hoff;
		struct slots sl;

		if (s->cnt == 0)
			continue;
		slots_of(e, p, &sl);
		choose(h, s->cnt, &sl, e->kind);
		for (uint32_t j = 0; j < s->cnt; j++) {
			size_t ki = p * kinds + (size_t)(e->kind[j] + 1);

			res->place[h[j].cand] = (int32_t)p;
			res->slot[h[j].cand] = e->kind[j];
			res->reason[h[j].cand] = WX_MATCH_PLACED;
			res->held[ki]++;
			/* holders are sorted best first: the last one seen is the lowest */
			res->cutoff[ki] = h[j].rank;
			if (e->kind[j] >= 0 && !(h[j].mask >> e->kind[j] & 1))
				res->spare_cutoff[ki] = h[j].rank;
		}
		res->placed += s->cnt;
	}
	/* A placed candidate's cursor stopped just past the entry it holds,
	 * its first eligible listing of that placement (head comment): that
	 * is the choice_rank.  The cursor array becomes the choice_rank array. */
	for (size_t i = 0; i < e->C; i++)
		res->choice_rank[i] = res->place[i] < 0 ? 0 : e->nxt[i];
}

static int run_engine(const struct wx_match_input *in, struct wx_match_result *res,
		      struct engine *ep, int resumable, struct wx_err *err)
{
	struct engine e;
	uint32_t *napp = NULL;
	size_t kinds;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&e, 0, sizeof e);
	e.resumable = resumable;
	if ((rc = check_input(in, err)) != WX_OK)
		return rc;
	e.in = in;
	e.C = in->ncand;
	e.P = in->nplace;
	e.K = in->ncat;
	e.W = 1 + 2 * e.K;
	e.catmask = e.K == 32 ? UINT32_MAX : (UINT32_C(1) << e.K) - 1;
	kinds = e.K + 1;
	res->ncand = e.C;
	res->nplace = e.P;
	res->ncat = e.K;
	/* two blocks: per candidate (rank and by_rank first and side by side,
	 * so the priority sort can use them as its scratch) and per slot kind */
	res->mem_[0] = xmalloc(e.C, 5 * sizeof(uint32_t) + 1);
	res->mem_[1] = xmalloc(e.P * kinds, 4 * sizeof(uint32_t));
	napp = xcalloc(e.P, sizeof *napp);
	if (!res->mem_[0] || !res->mem_[1] || !napp) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory for a match of %zu candidates",
				e.C);
		goto out;
	}
	res->rank = res->mem_[0];
	res->by_rank = res->rank + e.C;
	res->place = (int32_t *)(res->by_rank + e.C);
	res->slot = res->place + e.C;
	res->choice_rank = (uint32_t *)(res->slot + e.C);
	res->reason = (uint8_t *)(res->choice_rank + e.C);
	res->seats = res->mem_[1];
	res->held = res->seats + e.P * kinds;
	res->cutoff = res->held + e.P * kinds;
	res->spare_cutoff = res->cutoff + e.P * kinds;
	/* a session keeps its cursors: collect zeroes the unplaced ones'
	 * choice_rank, and a resumed candidate goes on from its cursor */
	e.nxt = resumable ? xmalloc(e.C, sizeof *e.nxt) : res->choice_rank;
	e.own_nxt = resumable;
	if (!e.nxt) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory for a match of %zu candidates", e.C);
		goto out;
	}
	if ((rc = rank_into(in, res->rank, res->by_rank, (uint64_t *)res->mem_[0], err)) != WX_OK)
		goto out;
	e.rank = res->rank;
	e.by_rank = res->by_rank;
	if ((rc = scan_lists(&e, res, napp, err)) != WX_OK)
		goto out;
	if ((rc = build_places(&e, res, napp, err)) != WX_OK)
		goto out;
	defer(&e);
	collect(&e, res);
	res->proposals = e.proposals;
out:
	free(napp);
	if (ep && rc == WX_OK)
		*ep = e;
	else
		engine_free(&e);
	return rc;
}

int wx_match_run(const struct wx_match_input *in, struct wx_match_result *res,
		 struct wx_err *err)
{
	return run_engine(in, res, NULL, 0, err);
}

struct wx_match_session {
	struct engine e;
};

int wx_match_start(const struct wx_match_input *in, struct wx_match_result *res,
		   struct wx_match_session **out, struct wx_err *err)
{
	struct wx_match_session *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (!s) {
		memset(res, 0, sizeof *res);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	rc = run_engine(in, res, &s->e, 1, err);
	if (rc != WX_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return WX_OK;
}

int wx_match_resume(struct wx_match_session *s, struct wx_match_result *res, struct wx_err *err)
{
	struct engine *e = &s->e;
	const struct wx_match_input *in = e->in;

	/* entries only ever come after where a cursor stands, so a candidate
	 * whose cursor is short of its list has new entries to propose to;
	 * the holders stay as they are: deferred acceptance gives the same
	 * result whatever the order of proposals */
	for (size_t i = 0; i < e->C; i++) {
		const struct wx_match_cand *c = &in->cand[i];

		if (res->place[i] >= 0)
			continue;   /* only the unplaced propose */
		if (c->nchoice >= UINT32_MAX)
			return wx_err_set(err, WX_EDATA, "candidate %s: %zu choices: too many", c->id,
					  c->nchoice);
		for (size_t j = e->nxt[i]; j < c->nchoice; j++)
			if (c->choice[j].gate == WX_GATE_OK &&
			    (c->choice[j].place < 0 || (size_t)c->choice[j].place >= e->P))
				return wx_err_set(err, WX_EDATA, "candidate %s: choice %zu is "
						  "eligible but names no placement", c->id, j + 1);
	}
	for (size_t i = 0; i < e->C; i++) {
		const struct wx_match_cand *c = &in->cand[i];

		if (res->place[i] < 0 && e->nxt[i] < c->nchoice)
			e->proposals += propose_from(e, (uint32_t)i);
	}
	/* the reasons of the unplaced, from their lists as they are now */
	for (size_t i = 0; i < e->C; i++) {
		const struct wx_match_cand *c = &in->cand[i];
		size_t eligible = 0;

		for (size_t j = 0; j < c->nchoice && !eligible; j++)
			eligible += c->choice[j].gate == WX_GATE_OK;
		res->reason[i] = c->nchoice == 0 ? WX_MATCH_NO_CHOICES :
			eligible == 0 ? WX_MATCH_NO_ELIGIBLE_CHOICE : WX_MATCH_OUTRANKED;
		/* collect reads the cursor of the placed as their choice_rank */
	}
	collect(e, res);
	res->proposals = e->proposals;
	return WX_OK;
}

void wx_match_session_free(struct wx_match_session *s)
{
	if (s) {
		engine_free(&s->e);
		free(s);
	}
}

size_t wx_match_explain(const struct wx_match_input *in, const struct wx_match_result *res,
			size_t cand, struct wx_match_why *out, size_t max)
{
	const struct wx_match_cand *c = &in->cand[cand];
	size_t upto = res->choice_rank[cand] ? res->choice_rank[cand] - 1 : c->nchoice;
	size_t n = 0;

	for (size_t j = 0; j < upto; j++) {
		if (n < max) {
			out[n].choice_rank = (uint32_t)(j + 1);
			out[n].place = c->choice[j].place;
			out[n].gate = c->choice[j].gate;
		}
		n++;
	}
	return n;
}

/* ---- checks: an independent reading of sections 6 and 9 ---- */

struct applicant {
	uint32_t rank;
	uint32_t mask;
};

static int applicant_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct applicant *)a)->rank, y = ((const struct applicant *)b)->rank;

	return (x > y) - (x < y);
}

/* Section 6 as written, slot by slot, on applicants a[0..n-1] sorted best
 * first: an open slot takes the first one not chosen, a category-k slot the
 * first member of k not chosen, else the first not chosen.  The "first"
 * positions only move forward, so each is kept as a cursor: O(n x (ncat +
 * 1)) for all the slots.  chosen[i] gets the slot kind or WX_SLOT_NONE. */
static void slot_choice(const struct applicant *a, size_t n, uint32_t open, const uint32_t *rsv,
			size_t ncat, int reserve_first, int *chosen)
{
	size_t any = 0, mem[WX_MATCH_MAX_CATEGORIES], left = n;

	for (size_t i = 0; i < n; i++)
		chosen[i] = WX_SLOT_NONE;
	for (size_t k = 0; k < ncat; k++)
		mem[k] = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t b = 0; b <= ncat; b++) {
			/* b == ncat: the open slots, first or last by fill order */
			int is_open = b == ncat;
			uint32_t count;

			if (is_open != (pass == (reserve_first ? 1 : 0)))
				continue;
			count = is_open ? open : rsv[b];
			for (uint32_t s = 0; s < count && left; s++) {
				size_t pick = n;

				if (!is_open) {
					while (mem[b] < n && (chosen[mem[b]] != WX_SLOT_NONE ||
							      !(a[mem[b]].mask >> b & 1)))
						mem[b]++;
					pick = mem[b];
				}
				if (pick == n) {
					while (chosen[any] != WX_SLOT_NONE)
						any++;   /* left > 0: one is there */
					pick = any;
				}
				chosen[pick] = is_open ? WX_SLOT_OPEN : (int)b;
				left--;
			}
		}
	}
}

/* Whether p's choice from its holders H plus a newcomer c takes c, from
 * the choice on H alone.  With H full, each slot took one holder; c is
 * taken iff some slot prefers c to the holder it took: slots before the
 * first such slot take what they took from H (each prefers its holder to
 * c), and that slot then takes c; if there is none, every slot takes its
 * holder again and the seats run out.  A slot prefers c to some holder it
 * took iff it prefers c to the worst of them, so three numbers per slot
 * kind say it all: the worst rank taken by open slots, and by category-k
 * slots among members and among non-members (NONE: nobody). */
#define NONE_TAKEN UINT32_MAX

static int takes(const uint32_t *worst, size_t ncat, uint32_t rank, uint32_t mask)
{
	if (worst[0] != NONE_TAKEN && rank < worst[0])
		return 1;   /* an open slot */
	for (size_t k = 0; k < ncat; k++) {
		uint32_t wm = worst[1 + 2 * k], wn = worst[2 + 2 * k];

		if (mask >> k & 1) {
			/* a member beats any non-member, and a member ranked below */
			if (wn != NONE_TAKEN || (wm != NONE_TAKEN && rank < wm))
				return 1;
		} else if (wn != NONE_TAKEN && rank < wn) {
			return 1;   /* a non-member ranked below, in a spare seat */
		}
	}
	return 0;
}

int wx_match_check(const struct wx_match_input *in, const int32_t *place, const uint32_t *rank,
		   struct wx_match_checks *out, struct wx_err *err)
{
	size_t C = in->ncand, P = in->nplace, K = in->ncat, W = 1 + 2 * K;
	size_t *pos = NULL, *cnt = NULL, *hoff = NULL, *want = NULL, widest = 1;
	uint32_t *stamp = NULL, *worst = NULL;
	struct applicant *hl = NULL;
	int *chosen = NULL;
	int reserve_first = in->fill == WX_FILL_RESERVE_FIRST;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = check_input(in, err)) != WX_OK)
		return rc;
	pos = xmalloc(C, sizeof *pos);
	cnt = xcalloc(P, sizeof *cnt);
	hoff = xcalloc(P + 1, sizeof *hoff);
	want = xcalloc(P, sizeof *want);
	stamp = xcalloc(P, sizeof *stamp);
	worst = xmalloc(P * W, sizeof *worst);
	hl = xmalloc(C, sizeof *hl);
	if (!pos || !cnt || !hoff || !want || !stamp || !worst || !hl) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory checking a match");
		goto out;
	}
	/* where each candidate's assignment stands in its list */
	for (size_t i = 0; i < C; i++) {
		const struct wx_match_cand *c = &in->cand[i];
		int32_t p = place[i];

		pos[i] = c->nchoice;
		if (p < 0)
			continue;
		if ((size_t)p >= P) {
			out->ineligible_pairs++;
			continue;
		}
		for (size_t j = 0; j < c->nchoice; j++)
			if (c->choice[j].place == p && c->choice[j].gate == WX_GATE_OK) {
				pos[i] = j;
				break;
			}
		if (pos[i] == c->nchoice)
			out->ineligible_pairs++;
		cnt[p]++;
	}
	/* holders of each placement */
	for (size_t p = 0; p < P; p++) {
		hoff[p + 1] = hoff[p] + cnt[p];
		if (cnt[p] > in->place[p].capacity)
			out->over_capacity += cnt[p] - in->place[p].capacity;
		if (cnt[p] > widest)
			widest = cnt[p];
		cnt[p] = 0;
	}
	for (size_t i = 0; i < C; i++) {
		int32_t p = place[i];

		if (p < 0 || (size_t)p >= P)
			continue;
		hl[hoff[p] + cnt[p]].rank = rank[i];
		hl[hoff[p] + cnt[p]].mask = in->cand[i].member;
		cnt[p]++;
	}
	chosen = xmalloc(widest, sizeof *chosen);
	if (!chosen) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory checking a match");
		goto out;
	}
	/* the choice on each placement's final holders: reserve fill, and the
	 * worst rank each slot kind took */
	for (size_t p = 0; p < P; p++) {
		uint32_t rsv[WX_MATCH_MAX_CATEGORIES], open, *w = worst + p * W;
		const struct applicant *a = hl + hoff[p];

		qsort(hl + hoff[p], cnt[p], sizeof *hl, applicant_cmp);
		wx_match_slots(in->place[p].capacity, in->cat, K, rsv, &open);
		slot_choice(a, cnt[p], open, rsv, K, reserve_first, chosen);
		for (size_t x = 0; x < W; x++)
			w[x] = NONE_TAKEN;
		for (size_t k = 0; k < K; k++)
			out->reserved[k] += rsv[k];
		for (size_t j = 0; j < cnt[p]; j++) {
			int k = chosen[j];
			size_t x;

			if (k == WX_SLOT_NONE)
				continue;   /* over capacity: counted above */
			if (k == WX_SLOT_OPEN) {
				x = 0;
			} else {
				out->reserved_held[k]++;
				if (a[j].mask >> k & 1) {
					out->reserved_members[k]++;
					x = 1 + 2 * (size_t)k;
				} else {
					x = 2 + 2 * (size_t)k;
				}
			}
			if (w[x] == NONE_TAKEN || a[j].rank > w[x])
				w[x] = a[j].rank;
		}
	}
	/* blocking pairs and waste: every placement a candidate prefers */
	for (size_t i = 0; i < C; i++) {
		const struct wx_match_cand *c = &in->cand[i];

		for (size_t j = 0; j < pos[i]; j++) {
			int32_t p = c->choice[j].place;
			uint32_t cap;

			if (c->choice[j].gate != WX_GATE_OK || p < 0 || (size_t)p >= P)
				continue;
			if (stamp[p] == i + 1)
				continue;   /* listed twice: one pair */
			stamp[p] = (uint32_t)(i + 1);
			cap = in->place[p].capacity;
			if (cap == 0)
				continue;
			if (cnt[p] < cap) {
				/* a choice takes everyone who fits */
				out->blocking_pairs++;
				want[p]++;
			} else if (takes(worst + (size_t)p * W, K, rank[i], c->member)) {
				out->blocking_pairs++;
			}
		}
	}
	for (size_t p = 0; p < P; p++) {
		uint32_t cap = in->place[p].capacity;

		if (cnt[p] < cap)
			out->wasted_seats += want[p] < cap - cnt[p] ? want[p] : cap - cnt[p];
	}
	rc = WX_OK;
out:
	free(pos);
	free(cnt);
	free(hoff);
	free(want);
	free(stamp);
	free(worst);
	free(hl);
	free(chosen);
	return rc;
}

/* in_report: the real data (scores, memberships, categories to count);
 * in_run: the input the result was computed from, whose policy the checks
 * apply. */
static int figures(const struct wx_match_input *in_report, const struct wx_match_input *in_run,
		   const struct wx_match_result *res, int threshold, struct wx_match_figures *fig,
		   struct wx_err *err)
{
	int rc;

	memset(fig, 0, sizeof *fig);
	if ((rc = check_input(in_report, err)) != WX_OK)
		return rc;
	fig->candidates = in_report->ncand;
	fig->ncat = in_report->ncat;
	for (size_t i = 0; i < in_report->ncand; i++) {
		const struct wx_match_cand *c = &in_report->cand[i];
		int placed = res->place[i] >= 0;
		int group = c->score >= threshold;

		fig->placed += (size_t)placed;
		fig->group += (size_t)group;
		fig->group_placed += (size_t)(group && placed);
		for (size_t k = 0; k < fig->ncat; k++)
			if (c->member >> k & 1) {
				fig->members[k]++;
				fig->members_placed[k] += (size_t)placed;
			}
	}
	return wx_match_check(in_run, res->place, res->rank, &fig->checks, err);
}

int wx_match_figures_of(const struct wx_match_input *report, const struct wx_match_input *run,
			const struct wx_match_result *res, int group_threshold,
			struct wx_match_figures *fig, struct wx_err *err)
{
	return figures(report, run, res, group_threshold, fig, err);
}

void wx_match_counterfactual_input(const struct wx_match_input *in, struct wx_match_input *cf)
{
	*cf = *in;
	cf->ncat = 0;
	cf->cat = NULL;
	cf->no_priority = 1;
}

int wx_match_figures(const struct wx_match_input *in, const struct wx_match_result *res,
		     int group_threshold, struct wx_match_figures *fig, struct wx_err *err)
{
	return figures(in, in, res, group_threshold, fig, err);
}

int wx_match_counterfactual(const struct wx_match_input *in, int group_threshold,
			    struct wx_match_figures *fig, struct wx_err *err)
{
	struct wx_match_result res;
	int rc = wx_match_counterfactual_result(in, group_threshold, fig, &res, err);

	wx_match_result_free(&res);
	return rc;
}

int wx_match_would_take(const struct wx_match_result *res, size_t p, uint32_t rank,
			uint32_t member)
{
	size_t base = p * (res->ncat + 1);
	uint64_t seats = 0, held = 0;

	for (size_t k = 0; k <= res->ncat; k++) {
		seats += res->seats[base + k];
		held += res->held[base + k];
	}
	if (held < seats)
		return 1;
	if (res->held[base] && res->cutoff[base] != WX_MATCH_NO_RANK && rank < res->cutoff[base])
		return 1;
	for (size_t k = 0; k < res->ncat; k++) {
		size_t x = base + 1 + k;
		uint32_t spare = res->spare_cutoff[x];

		if (!res->held[x])
			continue;
		if (member >> k & 1) {
			/* a member beats any non-member in a spare seat, and a
			 * member ranked below (cutoff is then the worst member) */
			if (spare != WX_MATCH_NO_RANK ||
			    (res->cutoff[x] != WX_MATCH_NO_RANK && rank < res->cutoff[x]))
				return 1;
		} else if (spare != WX_MATCH_NO_RANK && rank < spare) {
			return 1;
		}
	}
	return 0;
}

int wx_match_counterfactual_result(const struct wx_match_input *in, int group_threshold,
				   struct wx_match_figures *fig, struct wx_match_result *out,
				   struct wx_err *err)
{
	struct wx_match_input cf = *in;
	int rc;

	memset(fig, 0, sizeof *fig);
	memset(out, 0, sizeof *out);
	if ((rc = check_input(in, err)) != WX_OK)
		return rc;
	cf.ncat = 0;
	cf.cat = NULL;
	cf.no_priority = 1;
	rc = wx_match_run(&cf, out, err);
	if (rc == WX_OK)
		rc = figures(in, &cf, out, group_threshold, fig, err);
	return rc;
}
