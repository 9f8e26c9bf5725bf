/* ambrun.h: an ambassador match run on the data of a store (matching.md,
 * "Ambassadors"): who takes part, which pairs are eligible, the tiers from
 * the policy; then the engine (ambmatch.h).  Core code: one read
 * transaction, no output.
 *
 * Decisions where matching.md leaves the data open (also in wexmatch(1)):
 *  - Ambassadors whose status is active take part; requests whose status is
 *    open (or empty).
 *  - A virtual request needs an ambassador who accepts virtual events
 *    (virtual_ok = yes); distance does not matter for it.  An in-person
 *    request needs training_done = yes, a dbs_expires on or after the
 *    request's date, and the distance within the ambassador's
 *    max_travel_km when both postcodes can be located (otherwise that gate
 *    is skipped and counted).
 *  - max_events empty counts as 1; a request's professions empty accepts any
 *    profession; an ambassador's available_dates empty means any date.
 *  - A request without imd_decile gets its area's decile from the postcode
 *    lookup for the tiers, like a candidate's for priority. */
#ifndef WEXMATCH_AMBRUN_H
#define WEXMATCH_AMBRUN_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/ambmatch.h"
#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/policy.h"
#include "wexmatch/run.h"
#include "wexmatch/store.h"

#define WX_AMB_ALGORITHM "min-cost-flow/1"

struct wx_amb_run {
	/* requests and ambassadors taking part, each sorted by id */
	size_t nreq, namb;
	const char **req_id, **amb_id;
	uint8_t *dist_known;              /* per pair: 1 when located (or virtual) */
	struct wx_amb_input in;
	struct wx_amb_result res;
	int ran;
	int geo_loaded;
	unsigned long req_not_located, amb_not_located, distance_skipped, imd_filled;
	unsigned long unreadable;
	uint64_t places[3];               /* places asked for per tier */
	void *priv_;
};

int wx_amb_run_prepare(struct wx_store *s, const struct wx_forms *forms,
		       const struct wx_policy *policy, wx_run_progress_fn progress, void *pctx,
		       struct wx_amb_run *w, struct wx_err *err);
int wx_amb_run_match(struct wx_amb_run *w, struct wx_err *err);
void wx_amb_run_free(struct wx_amb_run *w);

/* The place k of request r: its ambassador (NULL when unfilled), the pair
 * index (or -1), and the reason (enum wx_amb_reason). */
const char *wx_amb_run_place(const struct wx_amb_run *w, size_t r, uint32_t k, int64_t *pair,
			     int *reason);

#endif
