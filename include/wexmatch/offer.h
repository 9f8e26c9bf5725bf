/* offer.h: offers from a recorded work-experience run (matching.md: "a run
 * proposes offers; nothing changes a candidate's status until a
 * coordinator confirms offers, all, or one by one").  Core code, used by
 * `wexmatch offer` and the TUI's run review.
 *
 * In one write transaction, for every candidate placed in the run and not
 * yet offered from it (all), or for each id given: the candidate must
 * still exist with status empty, received or eligible; the placement must
 * still exist, be open (or have no status) and have a seat left now
 * (capacity less the candidates offered .. completed naming it, counting
 * the offers being made).  Then status becomes offered and the placement
 * field names the placement (an audited edit), and the run's row and its
 * summary's offered count are updated.  Each candidate that cannot be
 * offered is reported with the reason; the others are offered. */
#ifndef WEXMATCH_OFFER_H
#define WEXMATCH_OFFER_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/store.h"

struct wx_offer_report {
	unsigned long offered, refused;
	char *problems;      /* "ID: reason" lines (ids escaped), or NULL */
	int not_work;        /* the run is an ambassador run: nothing done */
};

/* WX_OK (see the report), WX_ENOTFOUND (no such run), or the store's
 * error. */
int wx_run_offer(struct wx_store *s, uint64_t run, int all, const char *const *ids, size_t nids,
		 struct wx_offer_report *rep, struct wx_err *err);
void wx_offer_report_free(struct wx_offer_report *rep);

#endif
