/* ambmatch.c: ambassadors to school requests as a min-cost flow, in memory.
 *
 * The network.  Nodes: the source s, one per request r, one per
 * (ambassador, date) that some eligible pair needs (an "ad" node), one per
 * ambassador, the sink t.  Arcs:
 *   s -> r        capacity places[r], split in two: the first unit costs
 *                 -(W_tier + W_served), the others -W_tier (implicit: the
 *                 source is not stored, see below);
 *   r -> ad       capacity 1, cost distance, one per eligible pair (a, r),
 *                 ad = (a, date of r);
 *   ad -> a       capacity 1: one event per date;
 *   a -> t        capacity max_events.
 * A flow of value F is an assignment and back (integral flows, capacities
 * are integers), and its cost is
 *   -(W1 n1 + W2 n2 + W3 n3 + Ws served) + distance,
 * n_k the filled places at tier k: the first unit into r is the cheap one
 * because the two arcs run in parallel and a min-cost flow takes the cheaper
 * first.  With the weights below, a cheaper flow is a lexicographically
 * better assignment, so a min-cost flow is an optimal assignment.
 *
 * The weights, and why no value overflows.  Let F = min(sum of places, P)
 * bound the flow (every unit uses its own pair), Dmax the largest distance,
 * S the requests that could be served (places > 0 and a pair), N_k =
 * min(places at tier k, pairs at tier k) bound n_k.  Take
 *   Ws = F Dmax + 1,  W3 = (S + 1) Ws,  W2 = (N3 + 1) W3,  W1 = (N2 + 1) W2.
 * Between two assignments the distance differs by at most F Dmax < Ws, so
 * one more served request wins over any distance; served differs by at most
 * S, so |Ws dServed - dDistance| <= S Ws + F Dmax < W3 and one more tier-3
 * place wins over both; likewise |W3 dn3 + ...| < (N3 + 1) W3 = W2, and so
 * on up to W1.  Hence cost order = the objective's order.  Sizes: with the
 * limits of ambmatch.h, n1 + n2 + n3 <= 2^20 so (N1+1)(N2+1)(N3+1) <=
 * (2^20/3 + 1)^3 < 2^56, S + 1 <= 2^20 + 1, F Dmax + 1 <= 2^42 + 1, and
 * every cost of an assignment or of a path lies within (N1 + 1) W1 < 2^119
 * in absolute value.  The algorithm's potentials stay within
 * [-(W1 + Ws), W1 + Ws] (they only rise, from at least -(W1 + Ws), by the
 * sum of the shortest-path lengths, which is at most the rise of the sink's
 * distance from about -(W1 + Ws) to below 0) and its keys are potential
 * differences plus one arc cost: all below 2^122, inside a signed 128-bit
 * integer.  (64 bits are not enough: 5k x 2k with 50 km distances already
 * needs about 2^71.)
 *
 * The algorithm: successive shortest paths with potentials (Dijkstra on
 * reduced costs, which potentials keep non-negative).  Starting from the
 * zero flow, whose residual network is acyclic, each step sends one unit
 * along a cheapest s-t path, so the flow stays the cheapest of its value;
 * the cost as a function of the value is convex, and every s-t path here
 * costs less than 0 (one source arc of at most -W3, plus a distance change
 * below Ws in absolute value), so we augment until t is unreachable: the
 * optimum is also a maximum flow.  (A path never returns to s, so each step
 * fills one more place at one request and keeps the others' counts: one
 * more place, at the best tier that can still grow.)  Every path has
 * bottleneck 1 (the pair arcs).
 *
 * Dijkstra stops when it pops t (distance D); popped nodes v get
 * p[v] += d[v], the others p[v] += D, which keeps reduced costs
 * non-negative (a node not popped has tentative distance >= D).  To make
 * that O(popped) rather than O(nodes) we store q[v] = p[v] - (sum of D so
 * far) and only touch popped nodes; reduced costs only use differences.  The
 * source is implicit: it is always popped first at distance 0, so its
 * potential qs just drops by D each step, and each request with a free place
 * is seeded at c(s, r) + qs - q[r].
 *
 * Complexity: at most F augmentations, each a Dijkstra on the residual
 * network, O(M log M) with M = O(P + ad nodes + A) arcs, so O(F M log M)
 * in the worst case, O(P + n) memory.  In practice a search pops the nodes
 * nearer than the next path: with the early stop, the class-aware initial
 * potentials, an ad node looking only at its one user, and request pairs
 * scanned by a lower bound (below), bench-ambmatch's 5k x 2k instance
 * (159k pairs, 3.6k places) scans about 22k arcs per path, 79M in all:
 * about 2.1-2.3 s on the 2-core machine, just short of the 2 s target (the
 * dense case, 565k pairs: 4.6-5.4 s).  A faster
 * method (cost scaling, or several augmentations per search) is the next
 * step if that matters (the objective values would not change).
 *
 * Ties: everything is computed in a fixed order from the input arrays (heap
 * ties by node index, arcs in pair order), so the same input gives the same
 * assignment. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wexmatch/ambmatch.h"

__extension__ typedef __int128 cost_t;

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

struct arc {
	uint32_t to;
	int32_t cap;     /* residual capacity */
	int32_t cost;    /* distance, its negation, or 0 */
	uint32_t rev;    /* the paired arc */
};

struct hent {
	cost_t key;
	uint32_t node;
};

struct net {
	size_t nreq, nad, namb, n;   /* n nodes: requests, ad, ambassadors, t */
	uint32_t t;
	uint32_t *head;              /* n + 1: arcs of v are arc[head[v]..head[v+1]) */
	struct arc *arc;
	uint32_t *pair_ad;           /* per pair: its ad node (0-based among ads) */
	uint32_t *pair_arc;          /* per pair: its r -> ad arc */
	uint32_t *ad_first;          /* namb + 1: ambassador a's ads */
	uint32_t *by_amb;            /* pair indexes grouped by ambassador */
	uint32_t *amb_first;         /* namb + 1 offsets into by_amb */
};

/* Heap order: key, then node.  Heap entries number nodes t = 0, v = v + 1,
 * so the sink comes first among equal keys: a path found at distance D
 * ends the search before the other nodes at D are popped. */
static int lt(const struct hent *a, const struct hent *b)
{
	return a->key < b->key || (a->key == b->key && a->node < b->node);
}

/* A 4-ary heap: half the depth of a binary one, and the four children
 * share a cache line or two. */
static void sift_down(struct hent *h, size_t n, size_t i)
{
	struct hent x = h[i];

	for (;;) {
		size_t c = 4 * i + 1, best = c;

		if (c >= n)
			break;
		for (size_t k = c + 1; k < c + 4 && k < n; k++)
			if (lt(&h[k], &h[best]))
				best = k;
		if (!lt(&h[best], &x))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = x;
}

static void sift_up(struct hent *h, size_t i)
{
	struct hent x = h[i];

	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (!lt(&x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

/* Sort key of a pair inside its ambassador's group: date, then request. */
struct pkey {
	int32_t date;
	uint32_t req, pair;
};

static int pkey_cmp(const void *x, const void *y)
{
	const struct pkey *a = x, *b = y;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->req != b->req)
		return a->req < b->req ? -1 : 1;
	return a->pair < b->pair ? -1 : a->pair > b->pair;
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

static void net_free(struct net *g)
{
	free(g->head);
	free(g->arc);
	free(g->pair_ad);
	free(g->pair_arc);
	free(g->ad_first);
	free(g->by_amb);
	free(g->amb_first);
}

/* Build the network (without the implicit source). */
static int net_build(const struct wx_amb_input *in, struct net *g, struct wx_err *err)
{
	size_t R = in->nreq, A = in->namb, P = in->npair;
	struct pkey *key = NULL;
	uint32_t *pos = NULL, *amb_of = NULL;
	size_t nad = 0, m;
	int rc = WX_ENOMEM;

	g->nreq = R;
	g->namb = A;
	g->amb_first = calloc(A + 1, sizeof *g->amb_first);
	g->by_amb = malloc((P ? P : 1) * sizeof *g->by_amb);
	g->pair_ad = malloc((P ? P : 1) * sizeof *g->pair_ad);
	g->pair_arc = malloc((P ? P : 1) * sizeof *g->pair_arc);
	g->ad_first = malloc((A + 1) * sizeof *g->ad_first);
	key = malloc((P ? P : 1) * sizeof *key);
	amb_of = malloc((P ? P : 1) * sizeof *amb_of);
	if (!g->amb_first || !g->by_amb || !g->pair_ad || !g->pair_arc || !g->ad_first ||
	    !key || !amb_of)
		goto out;

	/* pairs grouped by ambassador (counting sort, stable), then by date
	 * and request inside a group: a date's pairs share one ad node, and a
	 * repeated pair shows up as two neighbours */
	for (size_t p = 0; p < P; p++)
		g->amb_first[in->pair[p].amb + 1]++;
	for (size_t a = 0; a < A; a++)
		g->amb_first[a + 1] += g->amb_first[a];
	for (size_t p = 0; p < P; p++) {
		const struct wx_amb_pair *e = &in->pair[p];
		uint32_t at = g->amb_first[e->amb]++;

		key[at].date = in->req[e->req].date;
		key[at].req = e->req;
		key[at].pair = (uint32_t)p;
	}
	for (size_t a = A; a > 0; a--)
		g->amb_first[a] = g->amb_first[a - 1];
	g->amb_first[0] = 0;
	for (size_t a = 0; a < A; a++) {
		uint32_t b = g->amb_first[a], e = g->amb_first[a + 1];

		if (e - b > 1)
			qsort(key + b, e - b, sizeof *key, pkey_cmp);
		g->ad_first[a] = (uint32_t)nad;
		for (uint32_t i = b; i < e; i++) {
			if (i > b && key[i].req == key[i - 1].req) {
				rc = wx_err_set(err, WX_EDATA, "eligible pairs %lu and %lu repeat "
						"ambassador %zu and request %lu",
						(unsigned long)key[i - 1].pair,
						(unsigned long)key[i].pair, a,
						(unsigned long)key[i].req);
				goto out;
			}
			if (i == b || key[i].date != key[i - 1].date)
				amb_of[nad++] = (uint32_t)a;
			g->pair_ad[key[i].pair] = (uint32_t)(nad - 1);
			g->by_amb[i] = key[i].pair;
		}
	}
	g->ad_first[A] = (uint32_t)nad;
	g->nad = nad;
	g->n = R + nad + A + 1;
	g->t = (uint32_t)(R + nad + A);

	/* arcs: a pair gives r -> ad and its reverse, an ad node ad -> a and
	 * its reverse, an ambassador a -> t and its reverse */
	m = 2 * (P + nad + A);
	g->head = calloc(g->n + 1, sizeof *g->head);
	g->arc = malloc((m ? m : 1) * sizeof *g->arc);
	pos = malloc((g->n + 1) * sizeof *pos);
	if (!g->head || !g->arc || !pos)
		goto out;
	for (size_t p = 0; p < P; p++) {
		g->head[in->pair[p].req + 1]++;
		g->head[R + g->pair_ad[p] + 1]++;
	}
	for (size_t d = 0; d < nad; d++) {
		g->head[R + d + 1]++;
		g->head[R + nad + amb_of[d] + 1]++;
	}
	for (size_t a = 0; a < A; a++) {
		g->head[R + nad + a + 1]++;
		g->head[g->t + 1]++;
	}
	for (size_t v = 0; v < g->n; v++)
		g->head[v + 1] += g->head[v];
	memcpy(pos, g->head, (g->n + 1) * sizeof *pos);
#define ADD_ARC(u, v, c, w, out_fwd) do { \
		uint32_t f_ = pos[u]++, b_ = pos[v]++; \
		g->arc[f_] = (struct arc){ (uint32_t)(v), (c), (w), b_ }; \
		g->arc[b_] = (struct arc){ (uint32_t)(u), 0, -(w), f_ }; \
		out_fwd = f_; \
	} while (0)
	for (size_t p = 0; p < P; p++) {
		uint32_t f;

		ADD_ARC(in->pair[p].req, R + g->pair_ad[p], 1, (int32_t)in->pair[p].distance, f);
		g->pair_arc[p] = f;
	}
	for (size_t d = 0; d < nad; d++) {
		uint32_t f;

		ADD_ARC(R + d, R + nad + amb_of[d], 1, 0, f);
		(void)f;
	}
	for (size_t a = 0; a < A; a++) {
		uint32_t f;
		/* more than INT32_MAX events cannot be used anyway: at most one
		 * per pair */
		uint32_t cap = in->amb[a].max_events;

		if (cap > g->amb_first[a + 1] - g->amb_first[a])
			cap = g->amb_first[a + 1] - g->amb_first[a];
		ADD_ARC(R + nad + a, g->t, (int32_t)cap, 0, f);
		(void)f;
	}
#undef ADD_ARC
	rc = WX_OK;
out:
	if (rc == WX_ENOMEM)
		wx_err_set(err, WX_ENOMEM, "out of memory building the ambassador network");
	free(key);
	free(pos);
	free(amb_of);
	return rc;
}

void wx_amb_result_free(struct wx_amb_result *res)
{
	if (!res)
		return;
	free(res->mem_);
	memset(res, 0, sizeof *res);
}

/* A node's search state, together: one cache line per node touched. */
struct nodest {
	cost_t q;        /* potential, less the sum of D so far (see the top) */
	cost_t dist;     /* tentative reduced distance, valid when seen == it */
	uint32_t seen, done;   /* the search (it) that reached / popped it */
	uint32_t pred;   /* the arc it was reached by; NONE for a seed */
	uint32_t pad_;
};

/* A request's pairs in the order of a lower bound on their reduced cost.
 * The reduced cost of r -> ad is cost + q[r] - q[ad], and q never rises
 * (a popped node's q moves by d[v] - D <= 0, the others' not at all), so
 * lb = cost - q[ad], taken at any earlier time, gives cost + q[r] - q[ad]
 * >= lb + q[r].  Scanning r's pairs by lb, Dijkstra stops as soon as
 * key(r) + q[r] + lb reaches t's tentative distance: what is left could
 * only give keys of at least that, and a node with such a key would not be
 * popped before t (t wins ties), nor does the potential update need it
 * (an unpopped node's distance is at least D either way).  Without this,
 * every search would scan more pairs (bench-ambmatch: about 10% more).  The
 * order is taken once, from the initial potentials; the bounds go stale as
 * q falls but stay valid (refreshing them cost more than it saved). */
struct lbarc {
	cost_t lb;
	uint32_t arc;
};

static int lbarc_cmp(const void *x, const void *y)
{
	const struct lbarc *a = x, *b = y;

	if (a->lb != b->lb)
		return a->lb < b->lb ? -1 : 1;
	return a->arc < b->arc ? -1 : a->arc > b->arc;
}

static void sort_pairs(const struct net *g, const struct nodest *ns, struct lbarc *srt, uint32_t r)
{
	uint32_t b = g->head[r], e = g->head[r + 1];

	for (uint32_t j = b; j < e; j++) {
		const struct arc *a = &g->arc[srt[j].arc];

		srt[j].lb = a->cost - ns[a->to].q;
	}
	if (e - b > 1)
		qsort(srt + b, e - b, sizeof *srt, lbarc_cmp);
}

/* Successive shortest paths; sent[r] receives the flow out of s into r. */
static int solve(const struct wx_amb_input *in, struct net *g, uint32_t *sent,
		 struct wx_amb_result *res, struct wx_err *err)
{
	size_t R = in->nreq, n = g->n;
	cost_t wt[4], ws, qs = 0;
	struct nodest *ns = calloc(n, sizeof *ns);
	uint32_t *popped = malloc(n * sizeof *popped);
	uint32_t *live = malloc((R ? R : 1) * sizeof *live);
	size_t hcap = n + 16, nlive = 0;
	struct hent *heap = malloc(hcap * sizeof *heap);
	struct lbarc *srt = malloc((in->npair ? in->npair : 1) * sizeof *srt);
	uint32_t *ad_rev = malloc((g->nad ? g->nad : 1) * sizeof *ad_rev);
	uint32_t aduse[2], jb, je;
	int isreq, isad;
	cost_t base, limit;
	uint64_t scanned = 0;   /* res->scanned, kept in a register */
	uint64_t places = 0, fl, served_bound = 0, ntier[4] = { 0 }, ptier[4] = { 0 };
	uint32_t dmax = 0, it = 0;
	int rc = WX_ENOMEM;

	if (!ns || !popped || !live || !heap || !srt ||
	    !ad_rev)
		goto out;
	for (size_t d = 0; d < g->nad; d++)
		ad_rev[d] = NONE;   /* no ad node is used yet */

	/* the weights (see the comment at the top) */
	for (size_t p = 0; p < in->npair; p++) {
		if (in->pair[p].distance > dmax)
			dmax = in->pair[p].distance;
		ptier[in->req[in->pair[p].req].tier]++;
	}
	for (size_t r = 0; r < R; r++) {
		const struct wx_amb_request *rq = &in->req[r];

		places += rq->places;
		if (rq->places && g->head[r + 1] > g->head[r]) {
			served_bound++;
			ntier[rq->tier] += rq->places;
			live[nlive++] = (uint32_t)r;
		}
	}
	fl = places < in->npair ? places : in->npair;
	for (int k = 1; k <= 3; k++)
		if (ptier[k] < ntier[k])
			ntier[k] = ptier[k];
	ws = (cost_t)fl * dmax + 1;
	wt[3] = (cost_t)(served_bound + 1) * ws;
	wt[2] = (cost_t)(ntier[3] + 1) * wt[3];
	wt[1] = (cost_t)(ntier[2] + 1) * wt[2];
	wt[0] = 0;

	/* initial potentials: every request at the cheapest source arc of all,
	 * -(W1 + Ws), then shortest distances from there in the acyclic rest,
	 * so every arc starts with a non-negative reduced cost; p[s] = 0.  Not
	 * each request's own source cost: then every request would be seeded
	 * at 0, and each search would pop the tier-3 requests and their pairs
	 * long before their turn; this way a request's seed key starts at its
	 * class's distance from the best class (W1 - W3, say). */
	for (size_t v = 0; v < n; v++)
		ns[v].q = 0;
	for (size_t r = 0; r < R; r++)
		ns[r].q = -(wt[1] + ws);
	for (size_t r = 0; r < R; r++)
		for (uint32_t i = g->head[r]; i < g->head[r + 1]; i++) {
			const struct arc *e = &g->arc[i];

			if (e->cap > 0 && ns[r].q + e->cost < ns[e->to].q)
				ns[e->to].q = ns[r].q + e->cost;
		}
	for (size_t v = R; v < n - 1; v++)
		for (uint32_t i = g->head[v]; i < g->head[v + 1]; i++) {
			const struct arc *e = &g->arc[i];

			/* ad -> a and a -> t come after their tails in node order */
			if (e->cap > 0 && e->to > v && ns[v].q + e->cost < ns[e->to].q)
				ns[e->to].q = ns[v].q + e->cost;
		}

	for (size_t r = 0; r < R; r++) {
		for (uint32_t j = g->head[r]; j < g->head[r + 1]; j++)
			srt[j].arc = j;
		sort_pairs(g, ns, srt, (uint32_t)r);
	}

	for (;;) {
		size_t hn = 0, np = 0, w = 0;
		cost_t D;

		if (++it == UINT32_MAX) {   /* cannot happen: it <= F + 1 <= 2^20 + 1 */
			rc = wx_err_set(err, WX_EDATA, "internal: too many augmentations");
			goto out;
		}
		/* seed the requests with free places, drop the full ones */
		for (size_t i = 0; i < nlive; i++) {
			uint32_t r = live[i];
			const struct wx_amb_request *rq = &in->req[r];

			if (sent[r] >= rq->places)
				continue;
			live[w++] = r;
			ns[r].dist = -(wt[rq->tier] + (sent[r] ? 0 : ws)) + qs - ns[r].q;
			ns[r].seen = it;
			ns[r].pred = NONE;
			heap[hn].key = ns[r].dist;
			heap[hn].node = r + 1;
			hn++;
		}
		nlive = w;
		if (hn == 0)
			break;
		for (size_t i = hn / 4 + 1; i-- > 0;)
			if (i < hn)
				sift_down(heap, hn, i);
		while (hn > 0) {
			struct hent top = heap[0];
			uint32_t u = top.node ? top.node - 1 : g->t;

			heap[0] = heap[--hn];
			if (hn)
				sift_down(heap, hn, 0);
			if (ns[u].done == it || top.key != ns[u].dist)
				continue;
			ns[u].done = it;
			popped[np++] = u;
			if (u == g->t)
				break;
			isreq = u < R;
			isad = !isreq && u < R + g->nad;
			jb = g->head[u];
			je = g->head[u + 1];
			if (isad) {
				/* an ad node: of its arcs back to requests only the
				 * one to its user (if any) has residual capacity, so
				 * look at that and the arc to the ambassador, not at
				 * every request of the date */
				aduse[0] = ad_rev[u - R];
				aduse[1] = je - 1;
				jb = aduse[0] == NONE;
				je = 2;
			}
			base = top.key + ns[u].q;
			/* t is reached by a -> t arcs only, so a request's scan
			 * leaves its distance alone */
			limit = isreq && ns[g->t].seen == it ? ns[g->t].dist - base : 0;
			for (uint32_t j = jb; j < je; j++) {
				uint32_t i = isreq ? srt[j].arc : isad ? aduse[j] : j;
				const struct arc *e = &g->arc[i];
				uint32_t v = e->to;
				cost_t k;

				/* the rest of a request's pairs cannot beat the path
				 * to t in hand (see sort_pairs) */
				if (isreq && ns[g->t].seen == it && srt[j].lb >= limit)
					break;
				scanned++;
				if (e->cap <= 0 || ns[v].done == it)
					continue;
				k = base + e->cost - ns[v].q;
				if (ns[v].seen == it && k >= ns[v].dist)
					continue;
				ns[v].seen = it;
				ns[v].dist = k;
				ns[v].pred = i;
				if (hn == hcap) {
					struct hent *nh;

					hcap *= 2;
					nh = realloc(heap, hcap * sizeof *heap);
					if (!nh)
						goto out;
					heap = nh;
				}
				heap[hn].key = k;
				heap[hn].node = v == g->t ? 0 : v + 1;
				sift_up(heap, hn);
				hn++;
			}
		}
		if (ns[g->t].done != it)
			break;   /* no augmenting path left: optimal */
		D = ns[g->t].dist;
		if (D + ns[g->t].q - qs >= 0)
			break;   /* never: every s-t path costs < 0 (see the top) */
		for (size_t i = 0; i < np; i++)
			ns[popped[i]].q += ns[popped[i]].dist - D;
		qs -= D;
		/* augment one unit back from t */
		for (uint32_t v = g->t; ns[v].pred != NONE;) {
			struct arc *e = &g->arc[ns[v].pred];
			uint32_t tail = g->arc[e->rev].to;

			e->cap--;
			g->arc[e->rev].cap++;
			/* the walk goes backwards, so an ad node's old user is let
			 * go (ad -> r) before its new one takes it (r -> ad) */
			if (tail < R)
				ad_rev[v - R] = e->rev;
			else if (tail < R + g->nad && v < R && ad_rev[tail - R] == ns[v].pred)
				ad_rev[tail - R] = NONE;
			v = tail;
			if (ns[v].pred == NONE)
				sent[v]++;
		}
		res->augmentations++;
	}
	rc = WX_OK;
out:
	res->scanned = scanned;
	if (rc == WX_ENOMEM)
		wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	free(ns);
	free(popped);
	free(live);
	free(heap);
	free(srt);
	free(ad_rev);
	return rc;
}

/* The ambassador of an ad node: its last arc is ad -> a. */
static uint32_t ad_amb(const struct net *g, uint32_t ad)
{
	return g->arc[g->head[g->nreq + ad + 1] - 1].to - (uint32_t)(g->nreq + g->nad);
}

/* Fill the result arrays from the flow, the objective values and the
 * reasons for unfilled places. */
static int extract(const struct wx_amb_input *in, const struct net *g, const uint32_t *sent,
		   struct wx_amb_result *res, struct wx_err *err)
{
	size_t R = in->nreq, A = in->namb, P = in->npair, nchosen = 0;
	uint32_t *ad_user = malloc((g->nad ? g->nad : 1) * sizeof *ad_user);
	uint32_t *fill = NULL;
	size_t words;
	char *mem;
	int rc = WX_OK;

	if (!ad_user)
		return wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	for (size_t d = 0; d < g->nad; d++)
		ad_user[d] = NONE;
	for (size_t p = 0; p < P; p++)
		if (g->arc[g->pair_arc[p]].cap == 0) {
			ad_user[g->pair_ad[p]] = in->pair[p].req;
			nchosen++;
		}
	words = (R + 1) + nchosen + 3 * R + R;   /* the last R: a fill cursor */
	mem = malloc(words * sizeof(uint32_t) + P + R + 1);
	if (!mem) {
		free(ad_user);
		return wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	}
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
	for (size_t p = 0; p < P; p++) {
		res->chosen[p] = g->arc[g->pair_arc[p]].cap == 0;
		if (res->chosen[p]) {
			const struct wx_amb_pair *e = &in->pair[p];

			res->first[e->req + 1]++;
			res->distance += e->distance;
		}
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
		uint32_t nelig = 0;
		uint32_t unfilled = rq->places - got;
		unsigned worst = 0;

		/* r's arcs are its pairs; an ambassador with no events to give
		 * does not count as eligible */
		for (uint32_t i = g->head[r]; i < g->head[r + 1]; i++)
			nelig += in->amb[ad_amb(g, g->arc[i].to - (uint32_t)R)].max_events > 0;

		res->got[r] = got;
		res->filled[rq->tier - 1] += got;
		res->served += got > 0;
		res->unfilled += unfilled;
		res->no_eligible[r] = rq->places > nelig ? rq->places - nelig : 0;
		if (res->no_eligible[r] > unfilled)
			res->no_eligible[r] = unfilled;
		res->taken[r] = unfilled - res->no_eligible[r];
		res->taken_reason[r] = WX_AMB_FILLED;
		if (got != sent[r]) {
			rc = wx_err_set(err, WX_EDATA, "internal: request %zu flow %lu, pairs %lu",
					r, (unsigned long)sent[r], (unsigned long)got);
			break;
		}
		if (!res->taken[r])
			continue;
		/* who holds each eligible ambassador r did not get */
		for (uint32_t i = g->head[r]; i < g->head[r + 1]; i++) {
			const struct arc *e = &g->arc[i];
			uint32_t ad = e->to - (uint32_t)R, a, user;

			a = ad_amb(g, ad);
			if (e->cap == 0 || in->amb[a].max_events == 0)
				continue;   /* r's own, or no events to give */
			user = ad_user[ad];
			if (user != NONE) {
				if (in->req[user].tier > worst)
					worst = in->req[user].tier;
				continue;
			}
			/* free on r's date, so all of a's events must be used */
			if (g->arc[g->head[R + g->nad + a + 1] - 1].cap > 0) {
				rc = wx_err_set(err, WX_EDATA, "internal: ambassador %lu idle on "
						"request %zu's date", (unsigned long)a, r);
				break;
			}
			for (uint32_t d = g->ad_first[a]; d < g->ad_first[a + 1]; d++)
				if (ad_user[d] != NONE && in->req[ad_user[d]].tier > worst)
					worst = in->req[ad_user[d]].tier;
		}
		if (rc != WX_OK)
			break;
		if (worst > rq->tier || worst == 0)
			rc = wx_err_set(err, WX_EDATA, "internal: request %zu of tier %u unfilled "
					"while tier %u holds its ambassadors", r, rq->tier, worst);
		res->taken_reason[r] = worst == rq->tier ? WX_AMB_TAKEN_SAME_TIER
							 : WX_AMB_TAKEN_HIGHER;
	}
	free(ad_user);
	return rc;
}

int wx_amb_run(const struct wx_amb_input *in, struct wx_amb_result *res, struct wx_err *err)
{
	struct net g;
	uint32_t *sent = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&g, 0, sizeof g);
	rc = validate(in, err);
	if (rc != WX_OK)
		return rc;
	rc = net_build(in, &g, err);
	if (rc == WX_OK) {
		sent = calloc(in->nreq ? in->nreq : 1, sizeof *sent);
		if (!sent)
			rc = wx_err_set(err, WX_ENOMEM, "out of memory in the ambassador assignment");
	}
	if (rc == WX_OK)
		rc = solve(in, &g, sent, res, err);
	if (rc == WX_OK)
		rc = extract(in, &g, sent, res, err);
	free(sent);
	net_free(&g);
	return rc;
}
