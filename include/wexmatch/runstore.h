/* runstore.h: match runs kept in the database (the runs table), so that a
 * run can be listed, shown, explained and turned into offers later, with
 * exactly the data and policy it used.
 *
 * Keys are the run number (be64) then a part:
 *   'h'             the run's summary, a JSON object (the "run" of
 *                   `wexmatch match --format json`)
 *   't'             the policy text the run used, byte for byte
 *   'c' CANDIDATE   one row per candidate who took part (wx_run_row)
 *   'p' PLACEMENT   one row per placement that took part (wx_run_place_row)
 *   'a' REQUEST k   one row per place of an ambassador request (wx_amb_row)
 * Rows are binary, starting with a format byte; the summary is JSON so
 * that new figures can be added without a new format. */
#ifndef WEXMATCH_RUNSTORE_H
#define WEXMATCH_RUNSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/match.h"
#include "wexmatch/store.h"

#define WX_RUN_WHY_MAX 20        /* better entries kept per candidate */

struct wx_run_why_row {
	uint32_t choice_rank;
	uint8_t gate;
	const char *place_id;
};

/* A candidate's outcome in a run.  Strings point into the decoded buffer
 * (wx_run_row_decode) or the caller's memory (encode). */
struct wx_run_row {
	const char *cand_id;
	const char *place_id;    /* "" when unplaced */
	int32_t slot;            /* WX_SLOT_OPEN, WX_SLOT_NONE or a category */
	int32_t score;
	uint32_t choice_rank;    /* 0 when unplaced */
	uint8_t reason;          /* enum wx_match_reason */
	uint8_t offered;         /* 1 once `offer` has offered it */
	uint8_t cf_placed;       /* placed in the counterfactual */
	uint8_t imd_from_geo;
	uint32_t rank;           /* priority rank, 0 the highest */
	uint32_t member;
	uint8_t has_applied;
	int64_t applied_s;
	int32_t applied_ns;
	uint64_t lottery;
	uint32_t listed;         /* entries in the whole list */
	uint8_t nrule;
	uint16_t rule[64];       /* policy rules that counted (first 64) */
	uint32_t nwhy;           /* better entries in all */
	uint32_t nwhy_kept;      /* of them kept (at most WX_RUN_WHY_MAX) */
	struct wx_run_why_row why[WX_RUN_WHY_MAX];
};

/* One slot kind of a placement in a run: who was admitted last. */
struct wx_run_kind_row {
	uint32_t seats, held;
	uint32_t cutoff;         /* rank, WX_MATCH_NO_RANK when none */
	int32_t cutoff_score;
	uint8_t cutoff_has_applied;
	int64_t cutoff_applied_s;
	uint32_t spare_cutoff;   /* rank of the last non-member in a spare seat */
	int32_t spare_score;
	uint8_t spare_has_applied;
	int64_t spare_applied_s;
};

struct wx_run_place_row {
	const char *place_id;
	uint32_t capacity;       /* remaining capacity in the run */
	uint32_t nkind;          /* 1 + categories */
	struct wx_run_kind_row kind[WX_MATCH_MAX_CATEGORIES + 1];
};

/* An ambassador run's place: request id, place number, ambassador or "". */
struct wx_amb_row {
	const char *request_id;
	uint32_t k;
	const char *ambassador_id;   /* "" when unfilled */
	uint8_t tier;
	uint32_t distance_m;         /* UINT32_MAX when unknown */
	uint8_t reason;              /* enum wx_amb_reason */
};

/* Encoding: *out is malloc'd.  WX_OK or WX_ENOMEM. */
int wx_run_row_encode(const struct wx_run_row *r, unsigned char **out, size_t *len);
int wx_run_place_row_encode(const struct wx_run_place_row *r, unsigned char **out, size_t *len);
int wx_amb_row_encode(const struct wx_amb_row *r, unsigned char **out, size_t *len);
/* Decoding a value (the key gives the id, copied to idbuf, truncated to
 * idcap): the other strings are stored NUL-terminated and point into buf,
 * which must outlive r.  WX_OK or WX_EDATA. */
int wx_run_row_decode(const void *key, size_t klen, const void *buf, size_t len,
		      struct wx_run_row *r, char *idbuf, size_t idcap);

/* Keys. */
size_t wx_run_key(unsigned char *key, uint64_t run, char part, const char *id, size_t idlen);

/* The next run number (a counter in meta). */
int wx_runs_new(struct wx_txn *t, uint64_t *run);
/* Put and get the summary (JSON text) and the policy text. */
int wx_runs_put_text(struct wx_txn *t, uint64_t run, char part, const char *text, size_t len);
/* WX_OK (malloc'd NUL-terminated copy in *out) or WX_ENOTFOUND. */
int wx_runs_get_text(struct wx_txn *t, uint64_t run, char part, char **out, size_t *len);
/* The latest run number, 0 when none. */
int wx_runs_latest(struct wx_txn *t, uint64_t *run);
/* Rows. */
int wx_runs_put_row(struct wx_txn *t, uint64_t run, char part, const char *id, size_t idlen,
		    const void *val, size_t vlen, unsigned flags);
int wx_runs_get_row(struct wx_txn *t, uint64_t run, char part, const char *id, size_t idlen,
		    struct wx_val *out);
int wx_run_place_row_decode(const void *key, size_t klen, const void *buf, size_t len,
			    struct wx_run_place_row *r, char *idbuf, size_t idcap);
int wx_amb_row_decode(const void *key, size_t klen, const void *buf, size_t len,
		      struct wx_amb_row *r, char *idbuf, size_t idcap);

/* ---- recording a work-experience run (run.h) ---- */

struct wx_run;
struct wx_run_meta {
	uint64_t seed;
	uint32_t policy_version;   /* the stored version, 0 when not stored */
	const char *policy_source; /* "stored", "default" or "file" */
	const char *policy_path;   /* for "file" */
	const char *policy_text;
	size_t policy_len;
	int64_t time_ns;
	const char *user;
};

/* The run's summary as compact JSON text (malloc'd, NULL when out of
 * memory); run is its number, 0 for a dry run (then "id" is null). */
char *wx_run_summary(const struct wx_run *w, const struct wx_run_meta *m, uint64_t run);
/* Record the run (summary, policy text, a row per candidate and per
 * placement, an audit entry): in batches of write transactions, the
 * summary last, so that the run appears whole or not at all (runsave.c);
 * *run gets its number and *summary (may be NULL) its summary.  WX_OK, or
 * the store's error. */
int wx_run_save(struct wx_store *s, const struct wx_run *w, const struct wx_run_meta *m,
		uint64_t *run, char **summary, struct wx_err *err);
/* The same for an ambassador run (ambrun.h). */
struct wx_amb_run;
char *wx_amb_run_summary(const struct wx_amb_run *w, const struct wx_run_meta *m, uint64_t run);
int wx_amb_run_save(struct wx_store *s, const struct wx_amb_run *w, const struct wx_run_meta *m,
		    uint64_t *run, char **summary, struct wx_err *err);
/* Fill the row of place k of request r (strings point into w). */
void wx_amb_fill_row(const struct wx_amb_run *w, size_t r, uint32_t k, struct wx_amb_row *row);

/* Fill a candidate row from the run (strings point into w); the better
 * entries (why) only when with_why. */
void wx_run_fill_row(const struct wx_run *w, size_t i, struct wx_run_row *row, int with_why);

#endif
