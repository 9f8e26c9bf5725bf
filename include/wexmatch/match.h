/* match.h: the work-experience matching engine (matching.md, "Work
 * experience", sections 2-10), in memory, on plain data.
 *
 * The caller (the run layer) reads candidates and placements from the store,
 * evaluates the gates and the priority policy, and fills the arrays below;
 * this module does no I/O, touches no database and prints nothing.  What it
 * computes is candidate-proposing deferred acceptance in which each
 * placement chooses through its slots (soft reserves, section 6): the unique
 * candidate-optimal stable matching for the priority order of section 4.
 *
 * Priority order (section 4), total and reproducible from the seed:
 *   1. higher score first (every score counts as equal when no_priority);
 *   2. then earlier applied_at (seconds, then nanoseconds); a candidate with
 *      no applied_at comes after every candidate of the same score that has
 *      one: an application whose time was not recorded cannot claim to be
 *      early (the run layer requires applied_at, so this is a safety net);
 *   3. then the lottery: the smaller wx_match_lottery(seed, id) first;
 *   4. then (lottery numbers equal, about 2^-64 per pair) the smaller id as
 *      bytes, then the smaller input index (only for repeated ids, which the
 *      store's unique index rules out).
 * The lottery number is a keyed hash of the id, so the relative order of two
 * tied candidates depends only on the seed and their own two ids: a late
 * application or a withdrawal does not reshuffle everyone else, and the
 * number can be shown in an explanation or an audit.  See match.c for the
 * exact function (a fixed algorithm: changing it changes recorded runs).
 *
 * Results depend on the input only through ids, scores, times, memberships,
 * preference lists and capacities: not on the order of the candidates or the
 * placements in the arrays (section 10). */
#ifndef WEXMATCH_MATCH_H
#define WEXMATCH_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"

#define WX_MATCH_MAX_CATEGORIES 32   /* bits of wx_match_cand.member */
#define WX_MATCH_SHARE_DEN_MAX 1000000000u   /* keeps c x num in 64 bits */

/* Why a (candidate, placement) pair is not eligible (section 2).  0 means
 * eligible.  The engine treats any nonzero code as a failed gate and hands
 * it back in explanations, so a caller may use codes of its own above
 * WX_GATE_USER. */
enum wx_gate {
	WX_GATE_OK = 0,
	WX_GATE_NOT_OPEN,   /* unknown placement, or one not taking part */
	WX_GATE_AGE,        /* under min_age on the placement's start date */
	WX_GATE_WEEK,       /* week not in available_weeks */
	WX_GATE_DISTANCE,   /* beyond max_travel_km */
	WX_GATE_YEAR,       /* already confirmed or completed a placement that year */
	WX_GATE_USER = 64
};
/* "eligible" (0), "not_open", "age", "week", "distance", "year"; "gate" for
 * the caller's own codes. */
const char *wx_gate_name(unsigned gate);

/* One entry of a candidate's list, best first, *before* ineligible entries
 * are dropped: the entry's 1-based position is its choice_rank. */
struct wx_match_choice {
	int32_t place;      /* placement index, or -1 when the id names none taking part */
	unsigned gate;      /* WX_GATE_OK, or the first gate the pair fails */
};

struct wx_match_cand {
	const char *id;     /* external id, unique; the lottery hashes its bytes */
	int score;          /* the policy's points, already capped */
	int has_applied;    /* 0 when applied_at is unknown (see above) */
	int64_t applied_s;  /* applied_at, seconds since the epoch (UTC) */
	int32_t applied_ns; /* 0..999999999 */
	uint32_t member;    /* bit k set: a member of reserve category k */
	size_t nchoice;
	const struct wx_match_choice *choice;
};

struct wx_match_place {
	uint32_t capacity;  /* remaining capacity c (section 1) */
};

/* A reserve category: share = num/den exactly, at most 1.  From the policy
 * (policy.h): num = wx_policy_category_share(p, k), den = WX_POLICY_SHARE_ONE
 * (0.58 is 580000/1000000). */
struct wx_match_category {
	const char *name;   /* for messages only */
	uint64_t num, den;  /* 1 <= den <= WX_MATCH_SHARE_DEN_MAX, num <= den */
};

enum wx_fill {
	WX_FILL_OPEN_FIRST = 0,   /* the default */
	WX_FILL_RESERVE_FIRST
};

struct wx_match_input {
	size_t ncand;
	const struct wx_match_cand *cand;
	size_t nplace;
	const struct wx_match_place *place;
	size_t ncat;        /* 0..WX_MATCH_MAX_CATEGORIES, in policy order */
	const struct wx_match_category *cat;
	enum wx_fill fill;
	uint64_t seed;      /* the lottery's; recorded with the run */
	int no_priority;    /* every score counts as equal (the counterfactual) */
};

/* Slot kinds: a reserve category k >= 0, or one of these. */
#define WX_SLOT_OPEN (-1)
#define WX_SLOT_NONE (-2)

enum wx_match_reason {
	WX_MATCH_PLACED = 0,
	WX_MATCH_NO_CHOICES,          /* the list was empty */
	WX_MATCH_NO_ELIGIBLE_CHOICE,  /* every entry failed a gate */
	WX_MATCH_OUTRANKED            /* eligible somewhere, placed nowhere */
};
/* "placed", "no_choices", "no_eligible_choice", "outranked". */
const char *wx_match_reason_name(int reason);

#define WX_MATCH_NO_RANK UINT32_MAX

/* The outcome, owned by wx_match_result_free (the arrays share two memory
 * blocks: never free one on its own).  Per-candidate arrays are indexed
 * like in->cand; per-slot-kind arrays are indexed p * (ncat + 1) +
 * (slot + 1): open first, then the categories in policy order
 * (wx_match_kind_index). */
struct wx_match_result {
	size_t ncand, nplace, ncat;
	int32_t *place;         /* placement index, -1 when unplaced */
	int32_t *slot;          /* the kind held when the placement's choice runs
	                         * on its final holders: WX_SLOT_OPEN, category k
	                         * (also for a non-member in a spare reserved
	                         * seat), WX_SLOT_NONE when unplaced */
	uint32_t *choice_rank;  /* 1-based, 0 when unplaced */
	uint8_t *reason;        /* enum wx_match_reason */
	uint32_t *rank;         /* priority rank, 0 = highest */
	uint32_t *by_rank;      /* the candidate index at each rank */
	uint32_t *seats;        /* slots of each kind at each placement */
	uint32_t *held;         /* how many of them are held */
	uint32_t *cutoff;       /* the lowest priority (largest rank) admitted in
	                         * that kind, WX_MATCH_NO_RANK when none: what an
	                         * explanation compares a member's rank with */
	uint32_t *spare_cutoff; /* category kinds: the lowest priority admitted
	                         * to a spare seat (a non-member), what a
	                         * non-member is compared with;
	                         * WX_MATCH_NO_RANK when members hold them all
	                         * (and always for the open kind) */
	size_t placed;
	uint64_t proposals;     /* work done: proposals made */
	void *mem_[2];          /* private: the arrays live in these two blocks */
};

static inline size_t wx_match_kind_index(const struct wx_match_result *r, size_t p, int slot)
{
	return p * (r->ncat + 1) + (size_t)(slot + 1);
}

/* Exact round-half-up slot arithmetic of section 5 for a placement of
 * remaining capacity cap: reserved[k] for each category in policy order (the
 * one that would pass cap gets what is left, later ones none) and *open the
 * rest.  The categories must be valid (see wx_match_run). */
void wx_match_slots(uint32_t cap, const struct wx_match_category *cat, size_t ncat,
		    uint32_t *reserved, uint32_t *open);

/* The lottery number of an id under a seed (smaller draws first). */
uint64_t wx_match_lottery(uint64_t seed, const char *id);

/* The priority order alone: rank[i] of every candidate and by_rank[r] its
 * inverse (either may be NULL).  WX_OK, WX_EUSAGE (a bad policy), WX_EDATA
 * (a missing id, bad applied_ns, too many candidates) or WX_ENOMEM. */
int wx_match_rank(const struct wx_match_input *in, uint32_t *rank, uint32_t *by_rank,
		  struct wx_err *err);

/* Run the match.  res is filled (free it with wx_match_result_free, also
 * after a failure).  WX_OK; WX_EUSAGE for a bad policy (too many
 * categories, a share out of range); WX_EDATA for bad data (an eligible
 * entry naming no placement, applied_ns out of range, sizes past 32 bits);
 * WX_ENOMEM.  The same input gives the same result. */
int wx_match_run(const struct wx_match_input *in, struct wx_match_result *res,
		 struct wx_err *err);
void wx_match_result_free(struct wx_match_result *res);

struct wx_match_figures;
/* A run that can go on: wx_match_start runs like wx_match_run and keeps
 * the engine's state; when the lists of candidates it left unplaced have
 * grown (entries added at the end; entries already there unchanged, and
 * nothing else in the input changed), wx_match_resume lets them propose
 * on from where they stopped and updates res: the result is that of a
 * run of the longer lists from the start, since deferred acceptance gives
 * the same result whatever the order of proposals.  The run layer uses it
 * to pass long lists only as far as they matter (run.h). */
struct wx_match_session;
int wx_match_start(const struct wx_match_input *in, struct wx_match_result *res,
		   struct wx_match_session **s, struct wx_err *err);
int wx_match_resume(struct wx_match_session *s, struct wx_match_result *res,
		    struct wx_err *err);
void wx_match_session_free(struct wx_match_session *s);
/* The counterfactual's input: *in with no categories and no priority. */
void wx_match_counterfactual_input(const struct wx_match_input *in, struct wx_match_input *cf);
/* The figures of a result res of the input run, counting groups and
 * categories by report (the real data): wx_match_figures is
 * wx_match_figures_of(in, in, ...). */
int wx_match_figures_of(const struct wx_match_input *report, const struct wx_match_input *run,
			const struct wx_match_result *res, int group_threshold,
			struct wx_match_figures *fig, struct wx_err *err);

/* An explanation (section 8) of one candidate: each entry better than the
 * one placed (every entry when unplaced), best first.  gate != 0: that gate
 * failed.  gate == 0: eligible but full (every seat held, or none at all),
 * and for every slot kind there that holds anyone the candidate ranks below
 * the cutoff that applies: cutoff for the open kind and for a category the
 * candidate is a member of; spare_cutoff for a category the candidate is not
 * a member of (NO_RANK there: members hold every seat of it).  The tests
 * check that this is always so. */
struct wx_match_why {
	uint32_t choice_rank;
	int32_t place;
	unsigned gate;
};
/* Fills at most max entries and returns how many there are. */
size_t wx_match_explain(const struct wx_match_input *in, const struct wx_match_result *res,
			size_t cand, struct wx_match_why *out, size_t max);

/* The checks of section 9, computed for any assignment (place[i] a
 * placement index or -1) under the priority ranks given (distinct, as from
 * wx_match_rank), with a choice function and bookkeeping of their own
 * (section 6 slot by slot on each placement's holders, then an O(ncat)
 * test per candidate and placement it prefers): they share no code with
 * the engine but the slot arithmetic, so they check it (the engine's own
 * O(ncat) test rests on the same fact, written separately).  The unit
 * tests hold them to a plain reference, which runs the whole choice for
 * every pair, on matchings stable or not. */
struct wx_match_checks {
	uint64_t blocking_pairs;    /* (c, p): c prefers p to what c got, and p's
	                             * choice from its holders plus c takes c */
	uint64_t wasted_seats;      /* empty seats at p, up to the number of
	                             * eligible candidates who prefer p to what
	                             * they got */
	uint64_t ineligible_pairs;  /* assigned to a placement not eligibly listed */
	uint64_t over_capacity;     /* holders past capacity, summed */
	uint64_t reserved[WX_MATCH_MAX_CATEGORIES];        /* seats of category k */
	uint64_t reserved_held[WX_MATCH_MAX_CATEGORIES];   /* held by anyone */
	uint64_t reserved_members[WX_MATCH_MAX_CATEGORIES]; /* held by members of k */
};
int wx_match_check(const struct wx_match_input *in, const int32_t *place, const uint32_t *rank,
		   struct wx_match_checks *out, struct wx_err *err);

/* The figures recorded with a run, and the same for the counterfactual. */
struct wx_match_figures {
	size_t candidates;
	size_t placed;
	size_t group;               /* candidates with score >= the threshold */
	size_t group_placed;
	size_t ncat;                /* the policy's categories (also in the
	                             * counterfactual, which reserves nothing) */
	size_t members[WX_MATCH_MAX_CATEGORIES];
	size_t members_placed[WX_MATCH_MAX_CATEGORIES];
	struct wx_match_checks checks;
};
/* Figures of a result of wx_match_run(in, ...). */
int wx_match_figures(const struct wx_match_input *in, const struct wx_match_result *res,
		     int group_threshold, struct wx_match_figures *fig, struct wx_err *err);
/* Run the same data with no priority (every score equal, so applied_at then
 * the lottery decide: the order of receipt) and no reserves, and fill the
 * same figures; groups and categories are still counted by the real scores
 * and memberships, so the two sets of figures compare. */
int wx_match_counterfactual(const struct wx_match_input *in, int group_threshold,
			    struct wx_match_figures *fig, struct wx_err *err);
/* The same, also giving the counterfactual's result (res: free it with
 * wx_match_result_free, also after a failure; its input is *in with no
 * categories and no_priority set). */
int wx_match_counterfactual_result(const struct wx_match_input *in, int group_threshold,
				   struct wx_match_figures *fig, struct wx_match_result *res,
				   struct wx_err *err);

/* Whether placement p, holding what res says, would take a candidate of
 * priority rank (res->rank numbering) and memberships member who proposed
 * to it now: a free seat, or a slot kind that prefers the candidate to the
 * worst holder it took (the test a blocking pair needs).  O(ncat).  The
 * run layer uses it to show that entries it did not pass could not have
 * changed a run. */
int wx_match_would_take(const struct wx_match_result *res, size_t p, uint32_t rank,
			uint32_t member);

#endif
