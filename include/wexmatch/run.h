/* run.h: a work-experience match run on the data of a store (matching.md,
 * "Work experience", sections 1-4 and 8-9): who takes part, the gates, the
 * preference lists, the priority from the policy; then the engine (match.h)
 * and the checks.  Core code: it reads the store in one read transaction and
 * prints nothing; progress goes to a callback.
 *
 * Decisions this layer makes where matching.md leaves the data open (also
 * in wexmatch(1), MATCHING):
 *
 *  - Remaining capacity: capacity minus the candidates whose `placement`
 *    field names the placement and whose status is offered, accepted,
 *    checks_pending, confirmed or completed.  `wexmatch offer` sets both.
 *  - The placement's date: its start_date, else the Monday of its week;
 *    its week: its week, else the ISO week of start_date.  A placement with
 *    neither is dated on the run's day (for the age and year gates) and
 *    passes the week gate of every candidate.
 *  - One placement per calendar year: another candidate record of the same
 *    person (the same e-mail address, ASCII case ignored, or the same given
 *    name, family name and date of birth) in status confirmed or completed
 *    whose `placement` starts in the same calendar year.
 *  - An unreadable value (a date that does not parse in an old record)
 *    counts as empty; a candidate with no date of birth fails the age gate
 *    of any placement with a min_age.
 *  - Lists built from interests can be long (a candidate with no weeks and
 *    a common profession may list thousands of placements).  The layer
 *    passes the engine each list up to its first `interest_limit` eligible
 *    entries and, when a candidate whose list was cut ends unplaced in the
 *    run or in the counterfactual, rebuilds that list whole and runs again:
 *    entries after a candidate's final placement never change a deferred
 *    acceptance run, so the result is exactly that of the whole lists.
 *    Entries failing the week gate after the last listed week are not
 *    passed at all (they can never be matched); choice_rank counts them, so
 *    it is always the position in the whole list of section 3. */
#ifndef WEXMATCH_RUN_H
#define WEXMATCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/match.h"
#include "wexmatch/policy.h"
#include "wexmatch/store.h"

#define WX_RUN_ALGORITHM "da-soft-reserves/1"   /* recorded with every run */
#define WX_RUN_GROUP_SCORE 3      /* the "priority group" of the figures */
#define WX_RUN_INTEREST_LIMIT 16  /* default eligible entries per cut list */

/* Called now and then: stage is "reading", "matching", ...; total may be 0
 * when unknown. */
typedef void (*wx_run_progress_fn)(void *ctx, const char *stage, uint64_t done,
				   uint64_t total);

struct wx_run_opts {
	const struct wx_forms *forms;
	const struct wx_policy *policy;
	uint64_t seed;
	int64_t today;            /* day number (days since 1970-01-01) of the run */
	size_t interest_limit;    /* 0: WX_RUN_INTEREST_LIMIT */
	wx_run_progress_fn progress;
	void *pctx;
};

/* A placement as the run saw it (also a choice naming no placement: then
 * known is 0). */
struct wx_run_place {
	const char *id;
	int known;                /* a placement record exists */
	uint32_t capacity;        /* the capacity field (0 when empty) */
	uint32_t occupied;        /* offered .. completed naming it */
	int taking_part;          /* status empty or open */
	int64_t day;              /* start day, INT64_MIN when undated */
	int week_key;             /* year * 64 + ISO week, 0 when undated */
	int min_age;              /* -1 when empty */
	int prof;                 /* profession index, -1 when none */
	int located;
	int32_t lat, lon;         /* microdegrees when located */
};

/* A participating candidate, indexed like in.cand. */
struct wx_run_cand {
	const char *id;
	uint32_t listed;          /* length of the whole list of section 3 */
	unsigned from_interests : 1;
	unsigned imd_from_geo : 1;
	unsigned nrule : 8;       /* rules of the policy that counted ... */
	uint32_t rule_first;      /* ... their indices: wx_run_rules() */
};

struct wx_run {
	const struct wx_policy *policy;   /* the policy of the options */
	uint64_t seed;
	/* what took part */
	size_t nplace_all;
	struct wx_run_place *place_all;   /* every placement, by id */
	uint32_t *place_of;               /* engine index -> place_all index */
	struct wx_run_cand *rc;
	struct wx_match_input in;         /* the engine's input */
	struct wx_match_category cat[WX_MATCH_MAX_CATEGORIES];
	/* the outcome */
	struct wx_match_result res;
	struct wx_match_figures fig, cf;
	int ran;
	/* notes for the caller to show */
	int geo_loaded;
	unsigned long cand_not_located, place_not_located;
	unsigned long distance_skipped;   /* pairs whose distance gate was skipped */
	unsigned long imd_filled;         /* candidates whose imd_decile came from geo */
	unsigned long unreadable;         /* values that did not parse */
	unsigned long reruns;             /* runs again after whole lists */
	uint64_t digest[2];               /* of the inputs (see run.c) */
	/* private */
	void *priv_;
};

/* Read the store and prepare the engine's input.  WX_OK; WX_EDATA (damaged
 * records); WX_EDB; WX_ENOMEM.  Free w with wx_run_free, also after a
 * failure. */
int wx_run_prepare(struct wx_store *s, const struct wx_run_opts *o, struct wx_run *w,
		   struct wx_err *err);
/* Match, check, and run the counterfactual.  After wx_run_prepare. */
int wx_run_match(struct wx_run *w, struct wx_err *err);
void wx_run_free(struct wx_run *w);

/* The indices of the policy rules that counted for candidate i (nrule of
 * them, file order). */
const uint16_t *wx_run_rules(const struct wx_run *w, size_t i);

/* Candidate i's placement (engine index, -1 when none) in the
 * counterfactual run. */
int32_t wx_run_cf_place(const struct wx_run *w, size_t i);

/* The placement id of engine index p. */
const char *wx_run_place_id(const struct wx_run *w, int32_t p);
/* The true choice_rank (section 3) of candidate i's result, 0 when unplaced. */
uint32_t wx_run_choice_rank(const struct wx_run *w, size_t i);

/* One line of an explanation: an entry better than what the candidate got. */
struct wx_run_why {
	uint32_t choice_rank;     /* true position */
	const char *place_id;     /* NULL for an entry naming no placement */
	unsigned gate;            /* 0: eligible but full */
};
/* Fills at most max entries, best first; returns how many there are. */
size_t wx_run_explain(const struct wx_run *w, size_t i, struct wx_run_why *out, size_t max);

/* Gate names in words for a coordinator ("too young on the start date"). */
const char *wx_gate_words(unsigned gate);

#endif
