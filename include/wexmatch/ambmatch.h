/* ambmatch.h: the ambassador assignment engine (matching.md,
 * "Ambassadors", sections 2, 4 and 5), in memory, on plain data.
 *
 * The caller (the run layer) reads requests and ambassadors from the store,
 * decides eligibility (section 1: profession, available dates, training and
 * DBS on the date, virtual or within max_travel_km) and the tiers (section
 * 3, from the policy), and fills the arrays below; this module does no I/O,
 * touches no database and prints nothing.
 *
 * Capacities (section 2): request r takes at most places ambassadors;
 * ambassador a takes at most max_events requests in the run and at most one
 * request per date (two requests on the same date cannot both take a).
 *
 * Objective (section 4), in strict order:
 *   1. most filled places at tier-1 requests,
 *   2. then at tier-2 requests,
 *   3. then at tier-3 requests,
 *   4. then most requests with at least one ambassador ("served"),
 *   5. then least total distance.
 * The result is an optimal assignment for this order, computed exactly (a
 * min-cost flow, see ambmatch.c).  When several assignments are optimal the
 * engine returns one of them, always the same one for the same input arrays
 * (it depends on their order, which the run layer keeps stable by sorting
 * on external ids).
 *
 * Limits, checked (WX_EDATA past them); they keep the engine's integer
 * costs exact (the argument is in ambmatch.c). */
#ifndef WEXMATCH_AMBMATCH_H
#define WEXMATCH_AMBMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"

#define WX_AMB_MAX_REQUESTS    (UINT32_C(1) << 20)
#define WX_AMB_MAX_AMBASSADORS (UINT32_C(1) << 24)
#define WX_AMB_MAX_PAIRS       (UINT32_C(1) << 26)
#define WX_AMB_MAX_PLACES      (UINT32_C(1) << 20)   /* summed over all requests */
#define WX_AMB_MAX_DISTANCE    (UINT32_C(1) << 22)   /* metres: 4194 km */

struct wx_amb_request {
	unsigned tier;      /* 1, 2 or 3 */
	int32_t date;       /* a day number; only equality matters */
	uint32_t places;    /* ambassadors_needed; 0 asks for nobody */
};

struct wx_amb_ambassador {
	uint32_t max_events;   /* events in this run; 0 takes none */
};

/* An eligible pair, as decided by the caller.  Each (amb, req) at most
 * once. */
struct wx_amb_pair {
	uint32_t amb, req;
	uint32_t distance;     /* metres; 0 for a virtual event */
};

struct wx_amb_input {
	size_t nreq;
	const struct wx_amb_request *req;
	size_t namb;
	const struct wx_amb_ambassador *amb;
	size_t npair;
	const struct wx_amb_pair *pair;
};

/* What became of one place of a request.  The places of request r are
 * numbered 0..places-1: the first got[r] are filled, the next no_eligible[r]
 * are unfilled for want of eligible ambassadors, the rest (taken[r]) are
 * unfilled with reason taken_reason[r].  How the reasons are decided:
 *   NO_ELIGIBLE: r has fewer eligible ambassadors than places, so places
 *     beyond that number could not be filled whatever else happened (every
 *     place when r has no eligible ambassador at all); an ambassador whose
 *     max_events is 0 does not count as eligible;
 *   TAKEN_HIGHER: every eligible ambassador r did not get is taken, on r's
 *     date or for all of their max_events, by requests of higher tiers only
 *     (what the tier policy is for);
 *   TAKEN_SAME_TIER: taken likewise, and at least one of them by a request of
 *     r's own tier: r lost a tie on served requests, distance, or the
 *     deterministic choice between equally good assignments.
 * An optimal assignment never leaves an eligible ambassador idle on r's date
 * with events to spare, nor lets a lower tier take one (giving it to r would
 * be better), so these cover every unfilled place; the engine checks this
 * and fails with WX_EDATA ("internal") if it were ever not so. */
enum wx_amb_reason {
	WX_AMB_FILLED = 0,
	WX_AMB_NO_ELIGIBLE,
	WX_AMB_TAKEN_HIGHER,
	WX_AMB_TAKEN_SAME_TIER
};
/* "filled", "no_eligible", "taken_by_higher_tier", "taken_by_same_tier". */
const char *wx_amb_reason_name(int reason);

/* The outcome, owned by wx_amb_result_free (one memory block: never free
 * an array on its own).  Per-request arrays are indexed like in->req,
 * chosen like in->pair. */
struct wx_amb_result {
	size_t nreq, npair;
	uint32_t *first;        /* nreq + 1 offsets into pair */
	uint32_t *pair;         /* request r's assigned pairs (indexes into
	                         * in->pair) are pair[first[r]..first[r+1]),
	                         * by ambassador index */
	uint8_t *chosen;        /* per input pair: 1 when assigned */
	uint32_t *got;          /* filled places per request */
	uint32_t *no_eligible;  /* see enum wx_amb_reason */
	uint32_t *taken;
	uint8_t *taken_reason;  /* WX_AMB_TAKEN_*, or WX_AMB_FILLED when taken is 0 */
	/* the objective values */
	uint64_t filled[3];     /* filled places at tiers 1, 2, 3 */
	uint64_t served;        /* requests with at least one ambassador */
	uint64_t distance;      /* total metres over the assigned pairs */
	uint64_t unfilled;      /* places left unfilled, all tiers */
	uint64_t augmentations; /* work done: shortest paths found */
	uint64_t scanned;       /* work done: arcs scanned */
	void *mem_;             /* private */
};

/* The reason for place k (0-based) of request r: WX_AMB_FILLED for
 * k < got[r], and so on as described above. */
int wx_amb_place_reason(const struct wx_amb_input *in, const struct wx_amb_result *res,
			size_t r, uint32_t k);

/* Run the assignment.  res is filled (free it with wx_amb_result_free, also
 * after a failure).  WX_OK; WX_EDATA for bad data (a tier not 1-3, a pair
 * naming no request or ambassador, a repeated pair, sizes, places or a
 * distance past the limits); WX_ENOMEM.  The same input gives the same
 * result. */
int wx_amb_run(const struct wx_amb_input *in, struct wx_amb_result *res, struct wx_err *err);
void wx_amb_result_free(struct wx_amb_result *res);

#endif
