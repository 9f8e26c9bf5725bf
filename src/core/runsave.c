/* runsave.c: recording a work-experience run (runstore.h): its summary as
 * JSON, its rows, in one write transaction. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/ambrun.h"
#include "wexmatch/audit.h"
#include "wexmatch/keys.h"
#include "wexmatch/run.h"
#include "wexmatch/runstore.h"
#include "wexmatch/values.h"

static json_t *checks_json(json_t *o, const struct wx_match_figures *f)
{
	json_object_set_new(o, "placed", json_integer((json_int_t)f->placed));
	json_object_set_new(o, "priority_group_placed", json_integer((json_int_t)f->group_placed));
	json_object_set_new(o, "blocking_pairs", json_integer((json_int_t)f->checks.blocking_pairs));
	json_object_set_new(o, "wasted_seats", json_integer((json_int_t)f->checks.wasted_seats));
	return o;
}

static void share_text(uint32_t millionths, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%06u", millionths / 1000000u, millionths % 1000000u);
	/* trim trailing zeros: 0.500000 -> 0.5, 1.000000 -> 1 */
	char *e = buf + strlen(buf) - 1;
	while (*e == '0')
		*e-- = '\0';
	if (*e == '.')
		*e = '\0';
}

char *wx_run_summary(const struct wx_run *w, const struct wx_run_meta *m, uint64_t run)
{
	json_t *o = json_object(), *g, *cf, *res, *nl;
	char when[40], dig[40];
	uint64_t seats = 0;
	char *text;

	if (!o)
		return NULL;
	for (size_t p = 0; p < w->in.nplace; p++)
		seats += w->in.place[p].capacity;
	wx_format_utc(m->time_ns, when, sizeof when);
	snprintf(dig, sizeof dig, "%016llx%016llx", (unsigned long long)w->digest[0],
		 (unsigned long long)w->digest[1]);
	json_object_set_new(o, "id", run ? json_integer((json_int_t)run) : json_null());
	json_object_set_new(o, "kind", json_string("work_experience"));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "user", json_string(m->user ? m->user : "?"));
	/* the seed as text too: JSON readers lose integers past 2^53 */
	json_object_set_new(o, "seed", json_integer((json_int_t)m->seed));
	{
		char sb[24];
		snprintf(sb, sizeof sb, "%llu", (unsigned long long)m->seed);
		json_object_set_new(o, "seed_text", json_string(sb));
	}
	json_object_set_new(o, "policy_version",
			    m->policy_version ? json_integer(m->policy_version) : json_null());
	json_object_set_new(o, "policy_source", json_string(m->policy_source));
	if (m->policy_path)
		json_object_set_new(o, "policy_file", json_string(m->policy_path));
	json_object_set_new(o, "fill_order",
			    json_string(w->in.fill == WX_FILL_RESERVE_FIRST ? "reserve-first" :
					"open-first"));
	json_object_set_new(o, "algorithm", json_string(WX_RUN_ALGORITHM));
	json_object_set_new(o, "inputs_digest", json_string(dig));
	json_object_set_new(o, "candidates", json_integer((json_int_t)w->in.ncand));
	json_object_set_new(o, "placements", json_integer((json_int_t)w->in.nplace));
	json_object_set_new(o, "seats", json_integer((json_int_t)seats));
	json_object_set_new(o, "placed", json_integer((json_int_t)w->fig.placed));
	json_object_set_new(o, "blocking_pairs",
			    json_integer((json_int_t)w->fig.checks.blocking_pairs));
	json_object_set_new(o, "wasted_seats", json_integer((json_int_t)w->fig.checks.wasted_seats));
	json_object_set_new(o, "ineligible_pairs",
			    json_integer((json_int_t)w->fig.checks.ineligible_pairs));
	json_object_set_new(o, "over_capacity", json_integer((json_int_t)w->fig.checks.over_capacity));
	g = json_object();
	json_object_set_new(g, "min_score", json_integer(WX_RUN_GROUP_SCORE));
	json_object_set_new(g, "candidates", json_integer((json_int_t)w->fig.group));
	json_object_set_new(g, "placed", json_integer((json_int_t)w->fig.group_placed));
	json_object_set_new(o, "priority_group", g);
	res = json_array();
	for (size_t k = 0; k < w->in.ncat; k++) {
		json_t *c = json_object();
		char sh[24];

		share_text(w->policy ? wx_policy_category_share(w->policy, k) :
			   (uint32_t)(w->cat[k].num * 1000000 / w->cat[k].den), sh, sizeof sh);
		json_object_set_new(c, "name", json_string(w->cat[k].name));
		json_object_set_new(c, "share", json_string(sh));
		json_object_set_new(c, "seats", json_integer((json_int_t)w->fig.checks.reserved[k]));
		json_object_set_new(c, "held", json_integer((json_int_t)w->fig.checks.reserved_held[k]));
		json_object_set_new(c, "held_by_members",
				    json_integer((json_int_t)w->fig.checks.reserved_members[k]));
		json_object_set_new(c, "members", json_integer((json_int_t)w->fig.members[k]));
		json_object_set_new(c, "members_placed",
				    json_integer((json_int_t)w->fig.members_placed[k]));
		json_object_set_new(c, "members_placed_counterfactual",
				    json_integer((json_int_t)w->cf.members_placed[k]));
		json_array_append_new(res, c);
	}
	json_object_set_new(o, "reserves", res);
	cf = checks_json(json_object(), &w->cf);
	json_object_set_new(o, "counterfactual", cf);
	json_object_set_new(o, "distance",
			    json_string(w->geo_loaded ? "great-circle" :
					"skipped: no postcode lookup loaded"));
	nl = json_object();
	json_object_set_new(nl, "candidates", json_integer((json_int_t)w->cand_not_located));
	json_object_set_new(nl, "placements", json_integer((json_int_t)w->place_not_located));
	json_object_set_new(o, "not_located", nl);
	json_object_set_new(o, "distance_gates_skipped", json_integer((json_int_t)w->distance_skipped));
	json_object_set_new(o, "imd_from_lookup", json_integer((json_int_t)w->imd_filled));
	json_object_set_new(o, "unreadable_values", json_integer((json_int_t)w->unreadable));
	json_object_set_new(o, "offered", json_integer(0));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	return text;
}

void wx_run_fill_row(const struct wx_run *w, size_t i, struct wx_run_row *row, int with_why)
{
	const struct wx_match_cand *c = &w->in.cand[i];
	const struct wx_run_cand *r = &w->rc[i];
	struct wx_run_why why[WX_RUN_WHY_MAX];
	const uint16_t *rules = wx_run_rules(w, i);
	size_t n;

	memset(row, 0, sizeof *row);
	row->cand_id = c->id;
	row->place_id = w->res.place[i] >= 0 ? wx_run_place_id(w, w->res.place[i]) : "";
	row->slot = w->res.slot[i];
	row->score = c->score;
	row->choice_rank = wx_run_choice_rank(w, i);
	row->reason = w->res.reason[i];
	row->rank = w->res.rank[i];
	row->member = c->member;
	row->has_applied = (uint8_t)c->has_applied;
	row->applied_s = c->applied_s;
	row->applied_ns = c->applied_ns;
	row->lottery = wx_match_lottery(w->in.seed, c->id);
	row->listed = r->listed;
	row->imd_from_geo = (uint8_t)r->imd_from_geo;
	row->nrule = (uint8_t)(r->nrule > 64 ? 64 : r->nrule);
	for (unsigned k = 0; k < row->nrule; k++)
		row->rule[k] = rules[k];
	n = with_why ? wx_run_explain(w, i, why, WX_RUN_WHY_MAX) : 0;
	/* the entries passed are not all of them (failed gates past the
	 * first few, and full placements a long list skipped, run.h): count
	 * by positions, the entries before the one placed or the whole list */
	row->nwhy = w->res.place[i] >= 0 ? row->choice_rank - 1 : r->listed;
	row->nwhy_kept = (uint32_t)(n < WX_RUN_WHY_MAX ? n : WX_RUN_WHY_MAX);
	for (uint32_t k = 0; k < row->nwhy_kept; k++) {
		row->why[k].choice_rank = why[k].choice_rank;
		row->why[k].gate = (uint8_t)why[k].gate;
		row->why[k].place_id = why[k].place_id;
	}
}

/* A run is saved in steps, each its own write transaction, so that a
 * million rows never sit in one transaction's dirty pages (LMDB keeps up
 * to 512 MB of them in memory): first the run's number, its policy and
 * its placements' rows, with a note in meta that the run is being saved;
 * then the candidates' rows, 65,536 at a time; last the summary, which
 * makes the run visible (runs, run show, explain and offer read it
 * first), the audit entry, and the note removed, together.  A save cut
 * short leaves a run with no summary: invisible, and its rows are removed
 * by the next save, which finds the note. */
#define SAVE_BATCH 65536
#define SAVING_KEY "run_saving"

struct save_ctx {
	const struct wx_run *w;
	const struct wx_run_meta *m;
	uint64_t run;
	size_t from, to;
	char *summary;
};

static void kind_row(const struct wx_run *w, uint32_t rank, int32_t *score, uint8_t *has,
		     int64_t *applied)
{
	*score = 0;
	*has = 0;
	*applied = 0;
	if (rank == WX_MATCH_NO_RANK || rank >= w->in.ncand)
		return;
	const struct wx_match_cand *c = &w->in.cand[w->res.by_rank[rank]];
	*score = c->score;
	*has = (uint8_t)c->has_applied;
	*applied = c->applied_s;
}

/* Remove every row of an unfinished save, if the last one was cut short. */
static int clean_unfinished(struct wx_txn *t)
{
	unsigned char prefix[8];
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc = wx_get(t, WX_TB_META, SAVING_KEY, sizeof SAVING_KEY - 1, &v);

	if (rc == WX_ENOTFOUND)
		return WX_OK;
	if (rc != WX_OK)
		return rc;
	if (v.len != 8)
		return wx_txn_fail(t, WX_EDATA, "meta %s is damaged", SAVING_KEY);
	memcpy(prefix, v.data, 8);
	rc = wx_cursor_open(t, WX_TB_RUNS, prefix, sizeof prefix, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK)
		rc = wx_cursor_del(cur);
	wx_cursor_close(cur);
	if (rc != WX_ENOTFOUND && rc != WX_OK)
		return rc;
	rc = wx_del(t, WX_TB_META, SAVING_KEY, sizeof SAVING_KEY - 1);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int save_begin_fn(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	const struct wx_run *w = c->w;
	unsigned char be[8];
	int rc;

	if ((rc = clean_unfinished(t)) != WX_OK || (rc = wx_runs_new(t, &c->run)) != WX_OK)
		return rc;
	wx_put_be64(be, c->run);   /* the run's keys all start with it */
	if ((rc = wx_put(t, WX_TB_META, SAVING_KEY, sizeof SAVING_KEY - 1, be, 8, 0)) != WX_OK ||
	    (rc = wx_runs_put_text(t, c->run, 't', c->m->policy_text, c->m->policy_len)) != WX_OK)
		return rc;
	for (size_t p = 0; p < w->in.nplace; p++) {
		struct wx_run_place_row pr;
		unsigned char *buf;
		size_t len;

		memset(&pr, 0, sizeof pr);
		pr.place_id = wx_run_place_id(w, (int32_t)p);
		pr.capacity = w->in.place[p].capacity;
		pr.nkind = (uint32_t)w->in.ncat + 1;
		for (uint32_t k = 0; k < pr.nkind; k++) {
			size_t x = wx_match_kind_index(&w->res, p, (int)k - 1);
			struct wx_run_kind_row *kr = &pr.kind[k];

			kr->seats = w->res.seats[x];
			kr->held = w->res.held[x];
			kr->cutoff = w->res.cutoff[x];
			kr->spare_cutoff = w->res.spare_cutoff[x];
			kind_row(w, kr->cutoff, &kr->cutoff_score, &kr->cutoff_has_applied,
				 &kr->cutoff_applied_s);
			kind_row(w, kr->spare_cutoff, &kr->spare_score, &kr->spare_has_applied,
				 &kr->spare_applied_s);
		}
		if (wx_run_place_row_encode(&pr, &buf, &len) != WX_OK)
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		rc = wx_runs_put_row(t, c->run, 'p', pr.place_id, strlen(pr.place_id), buf, len, 0);
		free(buf);
		if (rc != WX_OK)
			return rc;
	}
	return WX_OK;
}

static int save_rows_fn(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	const struct wx_run *w = c->w;
	int rc;

	for (size_t i = c->from; i < c->to; i++) {
		struct wx_run_row row;
		unsigned char *buf;
		size_t len;

		wx_run_fill_row(w, i, &row, 1);
		row.cf_placed = wx_run_cf_place(w, i) >= 0;
		if (wx_run_row_encode(&row, &buf, &len) != WX_OK)
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		rc = wx_runs_put_row(t, c->run, 'c', row.cand_id, strlen(row.cand_id), buf, len, 0);
		free(buf);
		if (rc != WX_OK)
			return rc;
	}
	return WX_OK;
}

static int save_end_fn(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	int rc;

	free(c->summary);
	if (!(c->summary = wx_run_summary(c->w, c->m, c->run)))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if ((rc = wx_runs_put_text(t, c->run, 'h', c->summary, strlen(c->summary))) != WX_OK ||
	    (rc = wx_del(t, WX_TB_META, SAVING_KEY, sizeof SAVING_KEY - 1)) != WX_OK)
		return rc;
	return wx_audit_write(t, WX_AUDIT_MATCH, WX_AUDIT_KIND_NONE, c->run, NULL, 0);
}

int wx_run_save(struct wx_store *s, const struct wx_run *w, const struct wx_run_meta *m,
		uint64_t *run, char **summary, struct wx_err *err)
{
	struct save_ctx c = { w, m, 0, 0, 0, NULL };
	int rc = wx_store_write(s, save_begin_fn, &c, err);

	for (size_t i = 0; rc == WX_OK && i < w->in.ncand; i += SAVE_BATCH) {
		c.from = i;
		c.to = i + SAVE_BATCH < w->in.ncand ? i + SAVE_BATCH : w->in.ncand;
		rc = wx_store_write(s, save_rows_fn, &c, err);
		/* the pages read so far are not needed again (store.h) */
		wx_store_release_pages(s);
	}
	if (rc == WX_OK)
		rc = wx_store_write(s, save_end_fn, &c, err);
	if (rc == WX_OK) {
		*run = c.run;
		if (summary) {
			*summary = c.summary;
			c.summary = NULL;
		}
	}
	free(c.summary);
	return rc;
}

/* ---- ambassador runs ---- */

char *wx_amb_run_summary(const struct wx_amb_run *w, const struct wx_run_meta *m, uint64_t run)
{
	json_t *o = json_object(), *t;
	char when[40], km[32];
	uint64_t places = w->places[0] + w->places[1] + w->places[2];
	char *text;

	if (!o)
		return NULL;
	wx_format_utc(m->time_ns, when, sizeof when);
	json_object_set_new(o, "id", run ? json_integer((json_int_t)run) : json_null());
	json_object_set_new(o, "kind", json_string("ambassadors"));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "user", json_string(m->user ? m->user : "?"));
	json_object_set_new(o, "policy_version",
			    m->policy_version ? json_integer(m->policy_version) : json_null());
	json_object_set_new(o, "policy_source", json_string(m->policy_source));
	if (m->policy_path)
		json_object_set_new(o, "policy_file", json_string(m->policy_path));
	json_object_set_new(o, "algorithm", json_string(WX_AMB_ALGORITHM));
	json_object_set_new(o, "requests", json_integer((json_int_t)w->nreq));
	json_object_set_new(o, "ambassadors", json_integer((json_int_t)w->namb));
	json_object_set_new(o, "eligible_pairs", json_integer((json_int_t)w->in.npair));
	json_object_set_new(o, "places", json_integer((json_int_t)places));
	json_object_set_new(o, "filled", json_integer((json_int_t)(w->res.filled[0] + w->res.filled[1] +
								     w->res.filled[2])));
	t = json_array();
	for (int k = 0; k < 3; k++) {
		json_t *x = json_object();
		json_object_set_new(x, "tier", json_integer(k + 1));
		json_object_set_new(x, "places", json_integer((json_int_t)w->places[k]));
		json_object_set_new(x, "filled", json_integer((json_int_t)w->res.filled[k]));
		json_array_append_new(t, x);
	}
	json_object_set_new(o, "tiers", t);
	json_object_set_new(o, "requests_served", json_integer((json_int_t)w->res.served));
	snprintf(km, sizeof km, "%.1f", (double)w->res.distance / 1000.0);
	json_object_set_new(o, "total_distance_km", json_string(km));
	json_object_set_new(o, "distance",
			    json_string(w->geo_loaded ? "great-circle" :
					"skipped: no postcode lookup loaded"));
	t = json_object();
	json_object_set_new(t, "ambassadors", json_integer((json_int_t)w->amb_not_located));
	json_object_set_new(t, "requests", json_integer((json_int_t)w->req_not_located));
	json_object_set_new(o, "not_located", t);
	json_object_set_new(o, "distance_gates_skipped", json_integer((json_int_t)w->distance_skipped));
	json_object_set_new(o, "imd_from_lookup", json_integer((json_int_t)w->imd_filled));
	json_object_set_new(o, "unreadable_values", json_integer((json_int_t)w->unreadable));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	return text;
}

void wx_amb_fill_row(const struct wx_amb_run *w, size_t r, uint32_t k, struct wx_amb_row *row)
{
	int64_t pair;
	int reason;
	const char *amb = wx_amb_run_place(w, r, k, &pair, &reason);

	memset(row, 0, sizeof *row);
	row->request_id = w->req_id[r];
	row->k = k;
	row->ambassador_id = amb ? amb : "";
	row->tier = (uint8_t)w->in.req[r].tier;
	row->reason = (uint8_t)reason;
	row->distance_m = UINT32_MAX;
	if (pair >= 0 && w->dist_known[pair])
		row->distance_m = w->in.pair[pair].distance;
}

struct amb_save_ctx {
	const struct wx_amb_run *w;
	const struct wx_run_meta *m;
	uint64_t run;
	char *summary;
};

static int amb_save_fn(struct wx_txn *t, void *vctx)
{
	struct amb_save_ctx *c = vctx;
	const struct wx_amb_run *w = c->w;
	int rc;

	free(c->summary);
	c->summary = NULL;
	if ((rc = clean_unfinished(t)) != WX_OK || (rc = wx_runs_new(t, &c->run)) != WX_OK)
		return rc;
	if (!(c->summary = wx_amb_run_summary(w, c->m, c->run)))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if ((rc = wx_runs_put_text(t, c->run, 'h', c->summary, strlen(c->summary))) != WX_OK ||
	    (rc = wx_runs_put_text(t, c->run, 't', c->m->policy_text, c->m->policy_len)) != WX_OK)
		return rc;
	for (size_t r = 0; r < w->nreq; r++)
		for (uint32_t k = 0; k < w->in.req[r].places; k++) {
			struct wx_amb_row row;
			unsigned char *buf, id[256 + 4];
			size_t len, n = strlen(w->req_id[r]);

			if (n > 250)
				return wx_txn_fail(t, WX_EDATA, "a request id is too long");
			wx_amb_fill_row(w, r, k, &row);
			if (wx_amb_row_encode(&row, &buf, &len) != WX_OK)
				return wx_txn_fail(t, WX_ENOMEM, "out of memory");
			memcpy(id, w->req_id[r], n);
			id[n] = (unsigned char)(k >> 24);
			id[n + 1] = (unsigned char)(k >> 16);
			id[n + 2] = (unsigned char)(k >> 8);
			id[n + 3] = (unsigned char)k;
			rc = wx_runs_put_row(t, c->run, 'a', (const char *)id, n + 4, buf, len, 0);
			free(buf);
			if (rc != WX_OK)
				return rc;
		}
	return wx_audit_write(t, WX_AUDIT_MATCH, WX_AUDIT_KIND_NONE, c->run, NULL, 0);
}

int wx_amb_run_save(struct wx_store *s, const struct wx_amb_run *w, const struct wx_run_meta *m,
		    uint64_t *run, char **summary, struct wx_err *err)
{
	struct amb_save_ctx c = { w, m, 0, NULL };
	int rc = wx_store_write(s, amb_save_fn, &c, err);

	if (rc == WX_OK) {
		*run = c.run;
		if (summary) {
			*summary = c.summary;
			c.summary = NULL;
		}
	}
	free(c.summary);
	return rc;
}
