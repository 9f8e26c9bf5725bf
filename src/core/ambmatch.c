/* ambmatch.c: ambassadors to school requests as a min-cost flow, in memory.
 *
 * The network.  Nodes: one per request r, one per (ambassador, date) that
 * some eligible pair needs (an "ad" node), one per ambassador, the sink t.
 * Request r is a source of places[r] units of supply; t absorbs them all.
 * Arcs:
 *   r -> ad       capacity 1, cost distance, one per eligible pair (a, r),
 *                 ad = (a, date of r);
 *   ad -> a       capacity 1: one event per date;
 *   a -> t        capacity min(max_events, dates of a);
 *   r -> t        "unfilled": capacity places[r], split in two, the first
 *                 places[r] - 1 units cost W_tier each, the last one
 *                 W_tier + Ws (stored as a count, unf[r]).
 * A feasible flow is an assignment and back (integral flows: capacities
 * are integers), a unit of r that reaches t through a pair is a filled
 * place and one through r -> t an unfilled one.  A min-cost flow takes the
 * cheaper unfilled arc first, so a request with u of its P places unfilled
 * pays W_tier u, plus Ws when u = P (not served): up to a constant, the cost
 * is -(W1 n1 + W2 n2 + W3 n3 + Ws served) + distance, n_k the filled places
 * at tier k.
 *
 * The weights, and why 64 bits are enough.  Let F = min(places, pairs)
 * bound the pairs in use and Dmax be the largest distance; take
 *   Ws = (F + 1) Dmax + 1,  W3 = 2 Ws,  W2 = 4 Ws,  W1 = 8 Ws.
 * These are much smaller than weights that would separate any two whole
 * assignments, and they are enough: if our min-cost flow X were not
 * lexicographically optimal, take an optimal X* (a flow that uses the two
 * unfilled arcs in order); X* - X splits into simple cycles of X's residual
 * network, and the objective vector (n1, n2, n3, served, -distance) is
 * linear in the flow, so one of those cycles improves it.  A simple cycle
 * passes t at most once, entering by one arc into t and leaving by the
 * reverse of another, so it changes each of n1, n2, n3 and served by -1, 0
 * or +1, and the n_k changes are one +1 and one -1 at most.  It enters each
 * request once, by a reversed pair (an assigned one: at most F) or from t,
 * and leaves it by a pair or the unfilled arc, so it uses at most F + 1
 * pairs forward and its distance changes by less than Ws in absolute value.
 * Then a cycle that fills one more tier-1 place costs at most
 * -W1 + W2 + Ws + (Ws - 1) < 0, one more at tier 2 (tier 1 unchanged) at most
 * -W2 + W3 + Ws + (Ws - 1) < 0, tier 3: -W3 + Ws + (Ws - 1) < 0, one more
 * served: -Ws + (Ws - 1) < 0, and less distance alone is cheaper too: X
 * would not be a min-cost flow.  With the limits of ambmatch.h, F <= 2^20
 * and Dmax <= 2^22, so Ws < 2^42 + 2^23 and W1 + 2 Ws = 10 Ws < 2^46.
 * The potentials (below) are kept as q[v] = pi[v] - pi[t] and lie in
 * [-10 Ws, 0]: pi[t] - pi[v] starts at 0 and never falls (each search
 * raises pi[t] by D and pi[v] by at most D), and reduced costs are
 * non-negative, so it is at most the cost of a simple residual path from v
 * to t: at most F + 1 distances plus one unfilled arc, < 10 Ws (every node
 * in the network reaches t: see the argument in solve).  Search keys are a
 * key plus one arc cost plus two potentials: below 2^49, far inside int64.
 * (The previous version used weights that order whole assignments, which
 * needed __int128: 2^119.)
 *
 * The algorithm: successive shortest paths from one source at a time
 * (Hungarian style).  Potentials keep every residual arc's reduced cost
 * c(u,v) + q[u] - q[v] non-negative (all costs are >= 0 at the start, so
 * q = 0 will do).  For each unit of supply, in turn, Dijkstra from its
 * request finds a cheapest path to t and the unit is sent along it; then
 * popped nodes get q[v] += d[v] - D (D = d[t]) and the others keep q, which
 * is pi[v] += min(d[v], D) with pi[t] += D: the reduced costs stay
 * non-negative, and are 0 along the path.  When all supply is routed, the
 * flow has no negative residual cycle, so it is a min-cost flow.  The order
 * in which units are routed does not change that, only the work: we route
 * tier 1 before tier 2 before tier 3, and within a tier one unit of every
 * request before the others, which is roughly the order of value, so few
 * units later push an earlier one out.
 *
 * What keeps the searches short:
 *   - one source: a search stops at the first free ambassador event near
 *     its request, instead of looking for the cheapest path of all
 *     requests at once (the previous version);
 *   - a free ad node whose ambassador has an event to spare reaches t at
 *     its own distance (both have potential 0, see search), so t is known
 *     as soon as a request's scan meets one, and a request's pairs are
 *     scanned by distance, a lower bound on their reduced cost, stopping
 *     when the bound reaches t's tentative distance;
 *   - the queue, a radix heap (struct rheap), pushes by appending, pops t
 *     first among equal keys, and the others last in, first out: on the
 *     plateaus of reduced cost 0 that earlier searches leave, a search goes
 *     deep first and meets t sooner;
 *   - when a search ends on the source's own unfilled arc, the rest of the
 *     source's units at the same unfilled cost take that same arc (it has
 *     reduced cost 0 now, and no other arc changed), without searching.
 * Requests with no usable pair (every eligible ambassador has max_events
 * 0) are left out of the network: their places are all unfilled.
 * bench-ambmatch's 5k x 2k case scans 28k arcs (79M before) and runs in
 * 20-40 ms (2.1 s before), nearly all of it building the network; the
 * dense case 41k arcs (304M), 70-170 ms (4.4-6.5 s); 20k x 8k 0.5-0.7 s
 * (173 s).
 *
 * Complexity: at most one search per place, each O(M) plus at most 64
 * heap moves per node pushed (radix heap on keys < 2^64), M the arcs
 * (pairs + ad nodes + ambassadors), so O(F M) in the worst case (places
 * left unfilled after a search of everything they can reach: instances
 * with far too few ambassadors are the slowest), O(P + n) memory.  In
 * practice a search pops what lies nearer than the next free ambassador
 * event.
 *
 * Ties: everything is computed in a fixed order from the input arrays
 * (requests by index, a request's pairs by distance then ad node, heap ties
 * by the order of pushes), so the same input gives the same assignment. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wexmatch/ambmatch.h"

typedef int64_t cost_t;

#define NONE UINT32_MAX

const char *wx_amb_reason_name(int reason)
{
	switch (reason) {
	case WX_AMB_FILLED:
		return "filled";
	case WX_AMB_NO_ELIGIBLE:
		return "no_eligible";
	case WX_AMB_TAKEN_HIGHER:
		return "taken_by_higher_tier";
	case WX_AMB_TAKEN_SAME_TIER:
		return "taken_by_same_tier";
	default:
		return "unknown";
	}
}

int wx_amb_place_reason(const struct wx_amb_input *in, const struct wx_amb_result *res,
			size_t r, uint32_t k)
{
	(void)in;
	if (k < res->got[r])
		return WX_AMB_FILLED;
	k -= res->got[r];
	if (k < res->no_eligible[r])
		return WX_AMB_NO_ELIGIBLE;
	return res->taken_reason[r];
}

/* Requests are ranked by date, then index: the order of pairs inside an
 * ambassador's group (so a date's pairs are neighbours). */
struct dkey {
	int32_t date;
	uint32_t req;
};

static int dkey_cmp(const void *x, const void *y)
{
	const struct dkey *a = x, *b = y;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return a->req < b->req ? -1 : a->req > b->req;
}

static int validate(const struct wx_amb_input *in, struct wx_err *err)
{
	uint64_t places = 0;

	if (in->nreq > WX_AMB_MAX_REQUESTS || in->namb > WX_AMB_MAX_AMBASSADORS ||
	    in->npair > WX_AMB_MAX_PAIRS)
		return wx_err_set(err, WX_EDATA, "ambassador run too large: %zu requests, "
				  "%zu ambassadors, %zu eligible pairs", in->nreq, in->namb, in->npair);
	if ((in->nreq && !in->req) || (in->namb && !in->amb) || (in->npair && !in->pair))
		return wx_err_set(err, WX_EDATA, "ambassador run: missing array");
	for (size_t r = 0; r < in->nreq; r++) {
		if (in->req[r].tier < 1 || in->req[r].tier > 3)
			return wx_err_set(err, WX_EDATA, "request %zu: tier %u is not 1, 2 or 3",
					  r, in->req[r].tier);
		places += in->req[r].places;
	}
	if (places > WX_AMB_MAX_PLACES)
		return wx_err_set(err, WX_EDATA, "ambassador run: %llu places in all, at most %lu",
				  (unsigned long long)places, (unsigned long)WX_AMB_MAX_PLACES);
	for (size_t p = 0; p < in->npair; p++) {
		const struct wx_amb_pair *e = &in->pair[p];

		if (e->amb >= in->namb || e->req >= in->nreq)
			return wx_err_set(err, WX_EDATA, "eligible pair %zu names no %s", p,
					  e->amb >= in->namb ? "ambassador" : "request");
		if (e->distance > WX_AMB_MAX_DISTANCE)
			return wx_err_set(err, WX_EDATA, "eligible pair %zu: distance %lu m past %lu m",
					  p, (unsigned long)e->distance,
					  (unsigned long)WX_AMB_MAX_DISTANCE);
	}
	return WX_OK;
}

/* A request's usable pair as the request sees it.  A request's pairs are
 * sorted by distance, and the distance is a lower bound on the reduced
 * cost of r -> ad less q[r]: that is dist + q[r] - q[ad] - q[r], and q
 * starts at 0 and never rises (popped nodes move by d[v] - D <= 0, the
 * others not at all).  (Sorting again by dist - q[ad] as q falls would give
 * tighter bounds, but costs more than it saves.)  8 bytes: the searches
 * read these more than anything else. */
struct ent {
	uint32_t ad;            /* ad node, 0-based among ads */
	uint32_t dist : 31;     /* at most 2^22 */
	uint32_t own : 1;       /* the request holds this pair: kept here
	                         * (and in the ad node) so that a search needs
	                         * not look at the ad node to skip it */
};

/* An ad node: who uses it (NONE: nobody, and ad -> a is free). */
struct adst {
	uint32_t user;   /* request */
	uint32_t udist;  /* the user's pair: distance and ent index */
	uint32_t uent;
	uint32_t amb;
};

struct net {
	size_t nreq, nad, namb, n;   /* n nodes: requests, ads, ambassadors, t */
	uint32_t t;
	uint32_t *rfirst;            /* nreq + 1: request r's pairs are ent[rfirst[r]..) */
	struct ent *ent;
	uint32_t *ent_pair;          /* per ent: the index in in->pair */
	struct adst *ad;
	uint32_t *ad_first;          /* namb + 1: ambassador a's ads */
	uint32_t *used, *cap;        /* per ambassador: events used, a -> t capacity */
	uint32_t *unf;               /* per request: units sent through r -> t */
	uint32_t *pair_ad;           /* per pair: its ad node */
	uint32_t *by_amb;            /* pair indexes grouped by ambassador */
	uint32_t *amb_first;         /* namb + 1 offsets into by_amb */
};

static void net_free(struct net *g)
{
	free(g->rfirst);
	free(g->ent);
	free(g->ent_pair);
	free(g->ad);
	free(g->ad_first);
	free(g->used);
	free(g->cap);
	free(g->unf);
	free(g->pair_ad);
	free(g->by_amb);
	free(g->amb_first);
}

/* Build the network.  All orders come from counting and radix sorts, so
 * building is linear in the pairs (plus sorting the requests by date). */
static int net_build(const struct wx_amb_input *in, struct net *g, struct wx_err *err)
{
	size_t R = in->nreq, A = in->namb, P = in->npair;
	struct dkey *dk = NULL;
	uint32_t *pos = NULL, *byreq = NULL, *tmp = NULL, *tmp2 = NULL;
	size_t nad = 0, nent = 0;
	int rc = WX_ENOMEM;

	g->nreq = R;
	g->namb = A;
	g->amb_first = calloc(A + 1, sizeof *g->amb_first);
	g->by_amb = malloc((P ? P : 1) * sizeof *g->by_amb);
	g->pair_ad = malloc((P ? P : 1) * sizeof *g->pair_ad);
	g->ad_first = malloc((A + 1) * sizeof *g->ad_first);
	g->ad = malloc((P ? P : 1) * sizeof *g->ad);
	g->used = calloc(A ? A : 1, sizeof *g->used);
	g->cap = calloc(A ? A : 1, sizeof *g->cap);
	g->unf = calloc(R ? R : 1, sizeof *g->unf);
	g->rfirst = calloc(R + 1, sizeof *g->rfirst);
	dk = malloc((R ? R : 1) * sizeof *dk);
	pos = calloc(R + 1, sizeof *pos);
	byreq = malloc((P ? P : 1) * sizeof *byreq);
	if (!g->amb_first || !g->by_amb || !g->pair_ad || !g->ad_first || !g->ad || !g->used ||
	    !g->cap || !g->unf || !g->rfirst || !dk || !pos || !byreq)
		goto out;

	/* pairs grouped by ambassador, then by date and request inside a
	 * group: a date's pairs share one ad node, and a repeated pair shows
	 * up as two neighbours.  Pairs by request first (counting sort), then
	 * taken request by request in date order into their ambassador's
	 * group (counting sort again, stable) */
	for (size_t p = 0; p < P; p++) {
		pos[in->pair[p].req + 1]++;
		g->amb_first[in->pair[p].amb + 1]++;
	}
	for (size_t r = 0; r < R; r++)
		pos[r + 1] += pos[r];
	for (size_t a = 0; a < A; a++)
		g->amb_first[a + 1] += g->amb_first[a];
	for (size_t p = 0; p < P; p++)
		byreq[pos[in->pair[p].req]++] = (uint32_t)p;
	/* pos[r] is now the end of r's pairs, pos[r - 1] (or 0) their start */
	for (size_t r = 0; r < R; r++)
		dk[r] = (struct dkey){ in->req[r].date, (uint32_t)r };
	if (R > 1)
		qsort(dk, R, sizeof *dk, dkey_cmp);
	for (size_t i = 0; i < R; i++) {
		uint32_t r = dk[i].req;

		for (uint32_t k = r ? pos[r - 1] : 0; k < pos[r]; k++) {
			uint32_t p = byreq[k];

			g->by_amb[g->amb_first[in->pair[p].amb]++] = p;
		}
	}
	for (size_t a = A; a > 0; a--)
		g->amb_first[a] = g->amb_first[a - 1];
	g->amb_first[0] = 0;
	for (size_t a = 0; a < A; a++) {
		uint32_t b = g->amb_first[a], e = g->amb_first[a + 1];

		g->ad_first[a] = (uint32_t)nad;
		for (uint32_t i = b; i < e; i++) {
			const struct wx_amb_pair *x = &in->pair[g->by_amb[i]];
			const struct wx_amb_pair *y = i > b ? &in->pair[g->by_amb[i - 1]] : NULL;

			if (y && x->req == y->req) {
				rc = wx_err_set(err, WX_EDATA, "eligible pairs %lu and %lu repeat "
						"ambassador %zu and request %lu",
						(unsigned long)g->by_amb[i - 1],
						(unsigned long)g->by_amb[i], a,
						(unsigned long)x->req);
				goto out;
			}
			if (!y || in->req[x->req].date != in->req[y->req].date)
				g->ad[nad++] = (struct adst){ NONE, 0, NONE, (uint32_t)a };
			g->pair_ad[g->by_amb[i]] = (uint32_t)(nad - 1);
		}
		/* at most one event per date: more cannot be used */
		g->cap[a] = in->amb[a].max_events;
		if (g->cap[a] > (uint32_t)nad - g->ad_first[a])
			g->cap[a] = (uint32_t)nad - g->ad_first[a];
	}
	g->ad_first[A] = (uint32_t)nad;
	g->nad = nad;
	g->n = R + nad + A + 1;
	g->t = (uint32_t)(R + nad + A);

	/* each request's usable pairs (the ambassador has an event to give and
	 * the request asks for somebody), sorted by distance, then ad node:
	 * the usable pairs in ad order (by_amb's), radix sorted by distance
	 * (two stable passes of 12 bits: distances have at most 23), then
	 * dealt out to their requests, stably */
	tmp = malloc((P ? P : 1) * sizeof *tmp);
	tmp2 = byreq;   /* done with: fresh memory costs page faults */
	byreq = NULL;
	if (!tmp)
		goto out;
	for (size_t i = 0; i < P; i++) {
		uint32_t p = g->by_amb[i];
		const struct wx_amb_pair *e = &in->pair[p];

		if (g->cap[e->amb] > 0 && in->req[e->req].places > 0) {
			tmp[nent++] = p;
			g->rfirst[e->req + 1]++;
		}
	}
	for (unsigned shift = 0; shift < 24; shift += 12) {
		uint32_t cnt[4097] = { 0 };

		for (size_t i = 0; i < nent; i++)
			cnt[((in->pair[tmp[i]].distance >> shift) & 4095) + 1]++;
		for (unsigned k = 0; k < 4096; k++)
			cnt[k + 1] += cnt[k];
		for (size_t i = 0; i < nent; i++)
			tmp2[cnt[(in->pair[tmp[i]].distance >> shift) & 4095]++] = tmp[i];
		{
			uint32_t *x = tmp;

			tmp = tmp2;
			tmp2 = x;
		}
	}
	for (size_t r = 0; r < R; r++)
		g->rfirst[r + 1] += g->rfirst[r];
	g->ent = malloc((nent ? nent : 1) * sizeof *g->ent);
	g->ent_pair = malloc((nent ? nent : 1) * sizeof *g->ent_pair);
	if (!g->ent || !g->ent_pair)
		goto out;
	memcpy(pos, g->rfirst, (R + 1) * sizeof *pos);
	for (size_t i = 0; i < nent; i++) {
		uint32_t p = tmp[i], at = pos[in->pair[p].req]++;
		uint32_t dist = in->pair[p].distance;

		g->ent[at] = (struct ent){ g->pair_ad[p], dist, 0 };
		g->ent_pair[at] = p;
	}
	rc = WX_OK;
out:
	if (rc == WX_ENOMEM)
		wx_err_set(err, WX_ENOMEM, "out of memory building the ambassador network");
	free(dk);
	free(pos);
	free(byreq);
	free(tmp);
	free(tmp2);
	return rc;
}

void wx_amb_result_free(struct wx_amb_result *res)
{
	if (!res)
		return;
	free(res->mem_);
	memset(res, 0, sizeof *res);
}

/* A node's search state, together: half a cache line per node touched. */
struct nodest {
	cost_t q;        /* potential less t's (see the top): in [-10 Ws, 0] */
	cost_t dist;     /* tentative reduced distance, valid when seen == it */
	uint32_t seen, done;   /* the search (it) that reached / popped it */
	uint32_t pred;   /* the node it was reached from; NONE for the source */
	uint32_t pent;   /* for an ad reached from a request: the ent used */
};

struct hent {
	cost_t key;
	uint32_t node;
};

/* The search's priority queue: a radix heap.  Dijkstra's keys never fall
 * below the last one popped (reduced costs are non-negative), so an entry
 * can go to the bucket of the highest bit in which it differs from that
 * key: pushing is an append, and only the lowest non-empty bucket is ever
 * sorted out (its entries move to lower buckets, so each moves at most 64
 * times).  Most entries here are pushed and never popped (the search ends
 * at t first), and those sit untouched in high buckets: this is what makes
 * it cheaper than a binary or 4-ary heap here. */
#define NBUCKET 65

struct rheap {
	struct hent *b[NBUCKET];
	size_t n[NBUCKET], cap[NBUCKET];
	uint64_t last;   /* the key last popped */
};

static unsigned bucket_of(uint64_t last, uint64_t key)
{
	return key == last ? 0 : 64 - (unsigned)__builtin_clzll(key ^ last);
}

static int rh_push(struct rheap *h, cost_t key, uint32_t node)
{
	unsigned i = bucket_of(h->last, (uint64_t)key);

	if (h->n[i] == h->cap[i]) {
		size_t nc = h->cap[i] ? 2 * h->cap[i] : 64;
		struct hent *nb = realloc(h->b[i], nc * sizeof *nb);

		if (!nb)
			return -1;
		h->b[i] = nb;
		h->cap[i] = nc;
	}
	h->b[i][h->n[i]++] = (struct hent){ key, node };
	return 0;
}

static void rh_clear(struct rheap *h)
{
	for (unsigned i = 0; i < NBUCKET; i++)
		h->n[i] = 0;
	h->last = 0;
}

static void rh_free(struct rheap *h)
{
	for (unsigned i = 0; i < NBUCKET; i++)
		free(h->b[i]);
}

/* The search state of solve. */
struct search {
	struct nodest *ns;
	struct rheap h;
	uint32_t it, t;
	uint64_t scanned;
};

/* Take a node of least tentative distance off the heap into *u (NONE when
 * empty), dropping stale entries on the way; -1 when out of memory.  Among
 * nodes at the least distance t comes first, so a search ends before the
 * others at its distance are popped. */
static int rh_pop(struct search *s, uint32_t *u)
{
	struct rheap *h = &s->h;
	struct nodest *ns = s->ns;

	for (;;) {
		while (h->n[0] > 0) {
			struct hent x = h->b[0][--h->n[0]];

			if (ns[s->t].seen == s->it && ns[s->t].done != s->it &&
			    (uint64_t)ns[s->t].dist == h->last) {
				h->n[0]++;   /* keep x for later */
				*u = s->t;
				return 0;
			}
			if (ns[x.node].done != s->it && x.key == ns[x.node].dist) {
				*u = x.node;
				return 0;
			}
		}
		{
			unsigned i = 1;
			uint64_t m = UINT64_MAX;
			size_t k, n;

			while (i < NBUCKET && h->n[i] == 0)
				i++;
			if (i == NBUCKET) {
				*u = NONE;
				return 0;
			}
			/* drop the stale entries, then move the rest down */
			n = 0;
			for (k = 0; k < h->n[i]; k++) {
				struct hent x = h->b[i][k];

				if (ns[x.node].done == s->it || x.key != ns[x.node].dist)
					continue;
				h->b[i][n++] = x;
				if ((uint64_t)x.key < m)
					m = (uint64_t)x.key;
			}
			h->n[i] = 0;
			if (n == 0)
				continue;
			h->last = m;
			for (k = 0; k < n; k++) {
				struct hent x = h->b[i][k];

				/* to a lower bucket: never the one being read */
				if (rh_push(h, x.key, x.node) != 0)
					return -1;
			}
		}
	}
}

/* Reach v at reduced distance k from u (through ent e, or NONE): 1 when
 * that is nearer than before, 0 when not, -1 when out of memory. */
static int reach(struct search *s, uint32_t v, cost_t k, uint32_t u, uint32_t e)
{
	struct nodest *x = &s->ns[v];

	if (x->done == s->it || (x->seen == s->it && k >= x->dist))
		return 0;
	x->seen = s->it;
	x->dist = k;
	x->pred = u;
	x->pent = e;
	return rh_push(&s->h, k, v) == 0 ? 1 : -1;
}

/* One search from request src.  Returns 0 when t was popped (d[t] is the
 * reduced length of a cheapest path, popped[0..*np) the nodes popped), -1
 * when out of memory. */
static int search(const struct wx_amb_input *in, const struct net *g, struct search *s,
		  const cost_t *unfcost, uint32_t src, uint32_t *popped, size_t *np)
{
	struct nodest *ns = s->ns;
	size_t R = g->nreq, nad = g->nad;
	uint32_t t = g->t;

	*np = 0;
	s->it++;
	rh_clear(&s->h);
	if (reach(s, src, 0, NONE, NONE) < 0)
		return -1;
	for (;;) {
		uint32_t u;
		cost_t base;

		if (rh_pop(s, &u) != 0)
			return -1;
		if (u == NONE)
			break;
		ns[u].done = s->it;
		popped[(*np)++] = u;
		if (u == t)
			return 0;
		base = ns[u].dist + ns[u].q;
		if (u < R) {
			/* a request: its unfilled arc first (it bounds the search),
			 * then its other pairs in the order of their bounds, while
			 * they could still beat the path to t in hand: a node
			 * reached at or past d[t] would not be popped before t, and
			 * the potential update does not need it */
			const struct wx_amb_request *rq = &in->req[u];
			cost_t w = unfcost[rq->tier] + (g->unf[u] + 1 >= rq->places ? unfcost[0] : 0);

			s->scanned++;
			if (reach(s, t, base + w, u, NONE) < 0)
				return -1;
			for (uint32_t j = g->rfirst[u]; j < g->rfirst[u + 1]; j++) {
				const struct ent *e = &g->ent[j];
				uint32_t v = (uint32_t)R + e->ad;
				cost_t k = base + e->dist - ns[v].q;
				int got;

				if (base + e->dist >= ns[t].dist)
					break;   /* t is seen: its unfilled arc */
				s->scanned++;
				if (e->own)
					continue;   /* u's own: its reverse is the arc */
				got = reach(s, v, k, u, j);
				if (got < 0)
					return -1;
				/* A free ad node whose ambassador has an event to
				 * spare leads to t at its own distance: ad -> a and
				 * a -> t are residual, with reduced costs q[ad] - q[a]
				 * and q[a] - q[t] = q[a], both >= 0, and q <= 0, so
				 * q[ad] = q[a] = 0.  Reaching t now sets its distance
				 * early, which cuts this scan and the search short
				 * (on ties above all: t wins them).  The path stays
				 * tight if t is popped first: ad and a, unpopped, keep
				 * q = 0 and r -> ad gets reduced cost k - D = 0. */
				if (got > 0 && ns[v].q == 0) {
					const struct adst *d = &g->ad[e->ad];

					if (d->user == NONE && g->used[d->amb] < g->cap[d->amb] &&
					    reach(s, t, k, v, NONE) < 0)
						return -1;
				}
			}
		} else if (u < R + nad) {
			/* an ad node has one residual arc out: back to its user, or
			 * on to its ambassador when free */
			const struct adst *d = &g->ad[u - R];
			uint32_t v = d->user != NONE ? d->user : (uint32_t)(R + nad) + d->amb;
			cost_t c = d->user != NONE ? -(cost_t)d->udist : 0;

			s->scanned++;
			if (reach(s, v, base + c - ns[v].q, u, NONE) < 0)
				return -1;
		} else {
			/* an ambassador: an event to spare, or give up one of the
			 * dates in use (back to that ad node, then its user) */
			uint32_t a = u - (uint32_t)(R + nad);

			s->scanned++;
			if (g->used[a] < g->cap[a] && reach(s, t, base, u, NONE) < 0)
				return -1;
			for (uint32_t d = g->ad_first[a]; d < g->ad_first[a + 1]; d++) {
				uint32_t v = (uint32_t)R + d;

				s->scanned++;
				if (g->ad[d].user != NONE && reach(s, v, base - ns[v].q, u, NONE) < 0)
					return -1;
			}
		}
	}
	return 1;   /* t not reached: cannot happen, src has its unfilled arc */
}

/* Send one unit from src along the path of the last search. */
static void augment(const struct net *g, const struct nodest *ns)
{
	size_t R = g->nreq, nad = g->nad;
	uint32_t v = ns[g->t].pred;

	/* the last arc: unfilled, a -> t, or ad -> a -> t (see search) */
	if (v < R)
		g->unf[v]++;
	else if (v < R + nad)
		g->used[g->ad[v - R].amb]++;
	else
		g->used[v - R - nad]++;
	/* walking backwards, a request entered by a reversed pair lets its ad
	 * node go before an earlier step of the path (if any) gives the ad
	 * node its new user */
	for (; ns[v].pred != NONE; v = ns[v].pred) {
		uint32_t u = ns[v].pred;

		if (v < R) {
			struct adst *d = &g->ad[u - R];

			g->ent[d->uent].own = 0;
			d->user = NONE;
		} else if (v < R + nad && u < R) {
			struct adst *d = &g->ad[v - R];
			uint32_t j = ns[v].pent;

			d->user = u;
			d->udist = g->ent[j].dist;
			d->uent = j;
			g->ent[j].own = 1;
		}
		/* a -> ad reversed and ad -> a change no state of their own: the
		 * ad node's user says whether it holds its ambassador */
	}
}

/* Route every unit of supply; see the top. */
static int solve(const struct wx_amb_input *in, struct net *g, struct wx_amb_result *res,
		 struct wx_err *err)
{
	size_t R = in->nreq, n = g->n;
	struct search s = { 0 };
	uint32_t *popped = malloc(n * sizeof *popped);
	uint64_t places = 0, npairs = g->rfirst[R], fl;
	uint32_t dmax = 0;
	cost_t ws, unfcost[4];
	int rc = WX_ENOMEM;

	s.ns = calloc(n, sizeof *s.ns);
	s.t = g->t;
	if (!s.ns || !popped)
		goto out;

	/* the weights (see the top); unfcost[0] is the extra cost of the
	 * last unfilled place of a request, Ws */
	for (uint32_t j = 0; j < npairs; j++)
		if (g->ent[j].dist > dmax)
			dmax = g->ent[j].dist;
	for (size_t r = 0; r < R; r++)
		if (g->rfirst[r + 1] > g->rfirst[r])
			places += in->req[r].places;
	fl = places < npairs ? places : npairs;
	ws = (cost_t)(fl + 1) * dmax + 1;
	unfcost[0] = ws;
	unfcost[1] = 8 * ws;
	unfcost[2] = 4 * ws;
	unfcost[3] = 2 * ws;

	/* Every node of the network reaches t (the bound on q needs it): a
	 * request in it has pairs and a place not yet sent to t unfilled
	 * (a source has supply left; a request entered by a reversed pair has
	 * a filled place), an ad node reaches its user or its ambassador, and
	 * an ambassador (capacity >= 1, or it has no ad nodes in use) has an
	 * event to spare or an ad node in use, whose user reaches t. */
	for (unsigned tier = 1; tier <= 3; tier++)
		for (int pass = 0; pass < 2; pass++)
			for (size_t r = 0; r < R; r++) {
				const struct wx_amb_request *rq = &in->req[r];
				uint32_t left;

				if (rq->tier != tier || rq->places == 0)
					continue;
				left = pass == 0 ? 1 : rq->places - 1;
				if (g->rfirst[r + 1] == g->rfirst[r]) {
					g->unf[r] += left;   /* left out of the network */
					continue;
				}
				while (left > 0) {
					size_t np;
					cost_t D;
					int sr = search(in, g, &s, unfcost, (uint32_t)r, popped, &np);

					if (sr < 0)
						goto out;
					if (sr > 0) {
						rc = wx_err_set(err, WX_EDATA,
								"internal: request %zu reaches no sink", r);
						goto out;
					}
					D = s.ns[g->t].dist;
					for (size_t i = 0; i < np; i++)
						s.ns[popped[i]].q += s.ns[popped[i]].dist - D;
					res->augmentations++;
					if (s.ns[g->t].pred == r) {
						/* the unfilled arc itself: the other units at
						 * the same cost follow it, no search needed.
						 * Room at this cost: places - 1 - unf on the
						 * W_tier part, or the last place (+ Ws) */
						uint32_t room = g->unf[r] + 1 < rq->places
							? rq->places - 1 - g->unf[r] : 1;
						uint32_t k = left < room ? left : room;

						g->unf[r] += k;
						left -= k;
						continue;
					}
					augment(g, s.ns);
					left--;
				}
			}
	rc = WX_OK;
out:
	res->scanned = s.scanned;
	if (rc == WX_ENOMEM)
		wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	free(s.ns);
	rh_free(&s.h);
	free(popped);
	return rc;
}

/* Fill the result arrays from the flow, the objective values and the
 * reasons for unfilled places. */
static int extract(const struct wx_amb_input *in, const struct net *g, struct wx_amb_result *res,
		   struct wx_err *err)
{
	size_t R = in->nreq, A = in->namb, P = in->npair, nchosen = 0;
	uint32_t *fill = NULL;
	size_t words;
	char *mem;
	int rc = WX_OK;

	for (size_t d = 0; d < g->nad; d++)
		nchosen += g->ad[d].user != NONE;
	words = (R + 1) + nchosen + 3 * R + R;   /* the last R: a fill cursor */
	mem = malloc(words * sizeof(uint32_t) + P + R + 1);
	if (!mem)
		return wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	res->mem_ = mem;
	res->nreq = R;
	res->npair = P;
	res->first = (uint32_t *)(void *)mem;
	res->pair = res->first + R + 1;
	res->got = res->pair + nchosen;
	res->no_eligible = res->got + R;
	res->taken = res->no_eligible + R;
	fill = res->taken + R;
	res->chosen = (uint8_t *)(fill + R);
	res->taken_reason = res->chosen + P;

	memset(res->first, 0, (R + 1) * sizeof *res->first);
	memset(res->chosen, 0, P);
	for (size_t d = 0; d < g->nad; d++) {
		const struct adst *x = &g->ad[d];

		if (x->user == NONE)
			continue;
		res->chosen[g->ent_pair[x->uent]] = 1;
		res->first[x->user + 1]++;
		res->distance += x->udist;
	}
	for (size_t r = 0; r < R; r++)
		res->first[r + 1] += res->first[r];
	memcpy(fill, res->first, R * sizeof *fill);
	/* by ambassador: a request has at most one pair with each */
	for (size_t a = 0; a < A; a++)
		for (uint32_t i = g->amb_first[a]; i < g->amb_first[a + 1]; i++) {
			uint32_t p = g->by_amb[i];

			if (res->chosen[p])
				res->pair[fill[in->pair[p].req]++] = p;
		}

	for (size_t r = 0; r < R && rc == WX_OK; r++) {
		const struct wx_amb_request *rq = &in->req[r];
		uint32_t got = res->first[r + 1] - res->first[r];
		/* r's usable pairs are exactly those whose ambassador has an
		 * event to give (places > 0; else none, and none are needed) */
		uint32_t nelig = g->rfirst[r + 1] - g->rfirst[r];
		uint32_t unfilled = rq->places - got;
		unsigned worst = 0;

		res->got[r] = got;
		res->filled[rq->tier - 1] += got;
		res->served += got > 0;
		res->unfilled += unfilled;
		res->no_eligible[r] = rq->places > nelig ? rq->places - nelig : 0;
		if (res->no_eligible[r] > unfilled)
			res->no_eligible[r] = unfilled;
		res->taken[r] = unfilled - res->no_eligible[r];
		res->taken_reason[r] = WX_AMB_FILLED;
		if (got + g->unf[r] != rq->places) {
			rc = wx_err_set(err, WX_EDATA, "internal: request %zu: %lu places, %lu "
					"filled, %lu unfilled", r, (unsigned long)rq->places,
					(unsigned long)got, (unsigned long)g->unf[r]);
			break;
		}
		if (!res->taken[r])
			continue;
		/* who holds each eligible ambassador r did not get */
		for (uint32_t j = g->rfirst[r]; j < g->rfirst[r + 1]; j++) {
			const struct adst *x = &g->ad[g->ent[j].ad];
			uint32_t a = x->amb;

			if (x->user == r)
				continue;   /* r's own */
			if (x->user != NONE) {
				if (in->req[x->user].tier > worst)
					worst = in->req[x->user].tier;
				continue;
			}
			/* free on r's date, so all of a's events must be used */
			if (g->used[a] < g->cap[a]) {
				rc = wx_err_set(err, WX_EDATA, "internal: ambassador %lu idle on "
						"request %zu's date", (unsigned long)a, r);
				break;
			}
			for (uint32_t d = g->ad_first[a]; d < g->ad_first[a + 1]; d++)
				if (g->ad[d].user != NONE && in->req[g->ad[d].user].tier > worst)
					worst = in->req[g->ad[d].user].tier;
		}
		if (rc != WX_OK)
			break;
		if (worst > rq->tier || worst == 0)
			rc = wx_err_set(err, WX_EDATA, "internal: request %zu of tier %u unfilled "
					"while tier %u holds its ambassadors", r, rq->tier, worst);
		res->taken_reason[r] = worst == rq->tier ? WX_AMB_TAKEN_SAME_TIER
							 : WX_AMB_TAKEN_HIGHER;
	}
	return rc;
}

int wx_amb_run(const struct wx_amb_input *in, struct wx_amb_result *res, struct wx_err *err)
{
	struct net g;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&g, 0, sizeof g);
	rc = validate(in, err);
	if (rc != WX_OK)
		return rc;
	rc = net_build(in, &g, err);
	if (rc == WX_OK)
		rc = solve(in, &g, res, err);
	if (rc == WX_OK)
		rc = extract(in, &g, res, err);
	net_free(&g);
	return rc;
}
