/* explain.c: a candidate's outcome in a recorded run, in words a
 * coordinator can read to them (explain.h).  From the run's own rows and
 * policy, whatever changed since; placement titles from the records as
 * they are now (only for the reader's convenience). */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/escape.h"
#include "wexmatch/explain.h"
#include "wexmatch/policy.h"
#include "wexmatch/record.h"
#include "wexmatch/run.h"
#include "wexmatch/runstore.h"
#include "wexmatch/values.h"

static json_int_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const char *ordinal(uint32_t n, char *buf, size_t cap)
{
	const char *suf = "th";

	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suf = "st";
		else if (n % 10 == 2)
			suf = "nd";
		else if (n % 10 == 3)
			suf = "rd";
	}
	snprintf(buf, cap, "%u%s", (unsigned)n, suf);
	return buf;
}


struct explain_ctx {
	uint64_t run;
	const char *cand;
	json_t *summary;
	char *policy;
	struct wx_run_row row;
	char idbuf[256];
	unsigned char *rowbuf;
	size_t rowlen;
	/* the placements of the better entries and the one placed */
	struct {
		char id[256];
		char title[256];
		int known_row;
		struct wx_run_place_row pr;
	} pl[WX_RUN_WHY_MAX + 1];
	size_t npl;
	int found;
};

static void place_title(struct wx_txn *t, const char *id, char *out, size_t cap)
{
	struct wx_record r;

	out[0] = '\0';
	wx_record_init(&r);
	if (wx_record_load_by_id(t, WX_KIND_PLACEMENT, id, &r) == WX_OK) {
		const char *ti = wx_record_get(&r, "title"), *wk = wx_record_get(&r, "week");
		snprintf(out, cap, "%s%s%s", ti ? ti : "", ti && wk ? ", " : "", wk ? wk : "");
	}
	wx_record_free(&r);
}

static int explain_fn(struct wx_txn *t, void *vctx)
{
	struct explain_ctx *c = vctx;
	struct wx_val v;
	char *text = NULL;
	json_error_t je;
	int rc;

	json_decref(c->summary);
	c->summary = NULL;
	free(c->policy);
	c->policy = NULL;
	free(c->rowbuf);
	c->rowbuf = NULL;
	c->npl = 0;
	c->found = 0;
	rc = wx_runs_get_text(t, c->run, 'h', &text, NULL);
	if (rc != WX_OK)
		return rc;
	c->summary = json_loads(text, 0, &je);
	free(text);
	if (!c->summary)
		return wx_txn_fail(t, WX_EDATA, "run %llu: its summary is damaged",
				   (unsigned long long)c->run);
	rc = wx_runs_get_text(t, c->run, 't', &c->policy, NULL);
	if (rc != WX_OK && rc != WX_ENOTFOUND)
		return rc;
	rc = wx_runs_get_row(t, c->run, 'c', c->cand, strlen(c->cand), &v);
	if (rc == WX_ENOTFOUND)
		return WX_OK;
	if (rc != WX_OK)
		return rc;
	/* keep a copy: the row's strings must outlive the transaction */
	if (!(c->rowbuf = malloc(v.len ? v.len : 1)))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	memcpy(c->rowbuf, v.data, v.len);
	c->rowlen = v.len;
	{
		unsigned char key[9 + 256];
		size_t kl = wx_run_key(key, c->run, 'c', c->cand, strlen(c->cand));
		if (wx_run_row_decode(key, kl, c->rowbuf, c->rowlen, &c->row, c->idbuf,
				      sizeof c->idbuf) != WX_OK)
			return wx_txn_fail(t, WX_EDATA, "run %llu: the row of %s is damaged",
					   (unsigned long long)c->run, c->cand);
	}
	c->found = 1;
	for (size_t k = 0; k <= c->row.nwhy_kept; k++) {
		const char *id = k < c->row.nwhy_kept ? c->row.why[k].place_id : c->row.place_id;
		if (!*id)
			continue;
		snprintf(c->pl[c->npl].id, sizeof c->pl[c->npl].id, "%s", id);
		place_title(t, id, c->pl[c->npl].title, sizeof c->pl[c->npl].title);
		c->pl[c->npl].known_row = 0;
		rc = wx_runs_get_row(t, c->run, 'p', id, strlen(id), &v);
		if (rc == WX_OK) {
			unsigned char key[9 + 256];
			size_t kl = wx_run_key(key, c->run, 'p', id, strlen(id));
			char tmp[256];
			if (wx_run_place_row_decode(key, kl, v.data, v.len, &c->pl[c->npl].pr, tmp,
						    sizeof tmp) == WX_OK)
				c->pl[c->npl].known_row = 1;
		} else if (rc != WX_ENOTFOUND) {
			return rc;
		}
		c->npl++;
	}
	return WX_OK;
}

static void when_text(int has, int64_t s, char *buf, size_t cap)
{
	if (has)
		wx_format_utc(s * 1000000000, buf, cap);
	else
		snprintf(buf, cap, "(no application time)");
}

/* "the last admitted had score 7, applied 2027-01-03T10:00:00Z; yours is 5,
 * applied ..." and why the candidate was below it. */
static void cutoff_words(FILE *f, const struct wx_run_row *r, int32_t score, int has,
			 int64_t applied)
{
	char a[40], b[40];

	when_text(has, applied, a, sizeof a);
	when_text(r->has_applied, r->applied_s, b, sizeof b);
	fprintf(f, "the last one admitted had priority score %d (applied %s); yours is %d", (int)score,
		a, (int)r->score);
	if (score > r->score)
		fputs(": a higher score comes first", f);
	else if (score == r->score && has && (!r->has_applied || applied < r->applied_s))
		fprintf(f, " (applied %s): with equal scores the earlier application comes first", b);
	else if (score == r->score)
		fprintf(f, " (applied %s): with equal scores and times the run's lottery decided", b);
}

static void explain_full(FILE *f, const struct explain_ctx *c, const struct wx_run_place_row *pr,
			 json_t *reserves)
{
	const struct wx_run_row *r = &c->row;
	int any = 0;

	for (uint32_t k = 0; k < pr->nkind; k++) {
		const struct wx_run_kind_row *x = &pr->kind[k];
		const char *name = k ? json_string_value(json_object_get(json_array_get(reserves, k - 1),
									   "name")) : NULL;

		if (!x->held)
			continue;
		any = 1;
		if (k == 0) {
			fputs("      open places: ", f);
			cutoff_words(f, r, x->cutoff_score, x->cutoff_has_applied, x->cutoff_applied_s);
		} else if (r->member >> (k - 1) & 1) {
			fprintf(f, "      places reserved for %s (you are in this group): ", name ? name : "?");
			cutoff_words(f, r, x->cutoff_score, x->cutoff_has_applied, x->cutoff_applied_s);
		} else if (x->spare_cutoff == WX_MATCH_NO_RANK) {
			fprintf(f, "      places reserved for %s: all held by members of that group, which you are not in",
				name ? name : "?");
		} else {
			fprintf(f, "      places reserved for %s that its members did not need: ",
				name ? name : "?");
			cutoff_words(f, r, x->spare_score, x->spare_has_applied, x->spare_applied_s);
		}
		fputs("\n", f);
	}
	if (!any)
		fputs("      no places were left (the capacity was already taken by earlier offers)\n", f);
}

static void print_place(FILE *f, const struct explain_ctx *c, const char *id)
{
	wx_fputs_escaped(id, f);
	for (size_t k = 0; k < c->npl; k++)
		if (strcmp(c->pl[k].id, id) == 0 && c->pl[k].title[0]) {
			fputs(" (", f);
			wx_fputs_escaped(c->pl[k].title, f);
			fputs(")", f);
			break;
		}
}

static void explain_words(FILE *f, struct explain_ctx *c, const struct wx_policy *pol)
{
	const struct wx_run_row *r = &c->row;
	json_t *reserves = json_object_get(c->summary, "reserves");
	char ord[16], when[40];

	fputs("Candidate ", f);
	wx_fputs_escaped(r->cand_id, f);
	fprintf(f, " in run %llu (%s", (unsigned long long)c->run, jstr(c->summary, "time"));
	if (json_is_integer(json_object_get(c->summary, "policy_version")))
		fprintf(f, ", policy version %lld", (long long)jint(c->summary, "policy_version"));
	else
		fprintf(f, ", %s policy", jstr(c->summary, "policy_source"));
	fprintf(f, ", seed %s)\n", jstr(c->summary, "seed_text"));

	fprintf(f, "  Priority: ");
	if (pol) {
		struct wx_policy_why why;
		char buf[2048];

		memset(&why, 0, sizeof why);
		why.n = r->nrule;
		for (unsigned k = 0; k < r->nrule; k++) {
			why.rule[k] = r->rule[k];
			why.raw += wx_policy_rule_points(pol, r->rule[k]);
		}
		wx_policy_explain(pol, &why, buf, sizeof buf);
		wx_fputs_escaped(buf, f);
	} else {
		fprintf(f, "score %d", (int)r->score);
	}
	if (r->imd_from_geo)
		fputs(" (area deprivation decile from the postcode lookup)", f);
	when_text(r->has_applied, r->applied_s, when, sizeof when);
	fprintf(f, ".\n  Applied %s; priority position %u of %lld.\n", when, (unsigned)r->rank + 1,
		(long long)jint(c->summary, "candidates"));

	if (*r->place_id) {
		fputs("  Result: placed at ", f);
		print_place(f, c, r->place_id);
		fprintf(f, ", the %s entry of the list", ordinal(r->choice_rank, ord, sizeof ord));
		if (r->slot == WX_SLOT_OPEN)
			fputs(", in an open place.\n", f);
		else if (r->slot >= 0)
			fprintf(f, ", in a place reserved for %s.\n",
				jstr(json_array_get(reserves, (size_t)r->slot), "name"));
		else
			fputs(".\n", f);
	} else if (r->reason == WX_MATCH_NO_CHOICES) {
		fputs("  Result: not placed: the request names no placement that takes part (no choices, and no placement of the professions of interest).\n", f);
	} else if (r->reason == WX_MATCH_NO_ELIGIBLE_CHOICE) {
		fputs("  Result: not placed: every placement on the list fails a condition.\n", f);
	} else {
		fputs("  Result: not placed: every eligible placement on the list was filled by candidates ahead in priority.\n", f);
	}
	if (!r->nwhy_kept) {
		if (*r->place_id)
			fputs("  This was the first entry of the list.\n", f);
		return;
	}
	fprintf(f, "  %s:\n", *r->place_id ? "Better entries of the list" : "The list");
	for (uint32_t k = 0; k < r->nwhy_kept; k++) {
		const struct wx_run_why_row *w = &r->why[k];

		fprintf(f, "    %s: ", ordinal(w->choice_rank, ord, sizeof ord));
		print_place(f, c, w->place_id);
		if (w->gate) {
			fprintf(f, ": %s.\n", wx_gate_words(w->gate));
			continue;
		}
		fputs(": full.\n", f);
		for (size_t q = 0; q < c->npl; q++)
			if (strcmp(c->pl[q].id, w->place_id) == 0 && c->pl[q].known_row) {
				explain_full(f, c, &c->pl[q].pr, reserves);
				break;
			}
	}
	if (r->nwhy > r->nwhy_kept)
		fprintf(f, "    ... and %u more entries not shown.\n", (unsigned)(r->nwhy - r->nwhy_kept));
}


int wx_run_explain_text(struct wx_store *s, const struct wx_forms *forms, uint64_t run,
			const char *cand, char **text, struct wx_err *err)
{
	struct explain_ctx *c;
	struct wx_policy *pol = NULL;
	struct wx_err perr;
	size_t len = 0;
	FILE *f;
	int rc;

	*text = NULL;
	if (!(c = calloc(1, sizeof *c)))
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	c->run = run;
	c->cand = cand;
	rc = wx_store_read(s, explain_fn, c, err);
	if (rc == WX_ENOTFOUND) {
		rc = wx_err_set(err, WX_ENOTFOUND, "no run %llu (see wexmatch runs)",
				(unsigned long long)run);
	} else if (rc == WX_OK && !c->found) {
		char *e = wx_escape(cand, strlen(cand));
		rc = wx_err_set(err, WX_EDATA, "candidate %s did not take part in run %llu",
				e ? e : "?", (unsigned long long)run);
		free(e);
	} else if (rc == WX_OK && strcmp(jstr(c->summary, "kind"), "work_experience") != 0) {
		rc = wx_err_set(err, WX_EDATA, "run %llu is not a work-experience run",
				(unsigned long long)run);
	}
	if (rc == WX_OK) {
		/* the run's own policy, for the words of the score; the score
		 * itself is the recorded one either way */
		wx_err_clear(&perr);
		if (c->policy && forms &&
		    wx_policy_parse(&pol, "run policy", c->policy, strlen(c->policy), forms, NULL, NULL,
				    &perr) != WX_OK)
			pol = NULL;
		f = open_memstream(text, &len);
		if (!f) {
			rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		} else {
			explain_words(f, c, pol);
			if (fclose(f) != 0 || !*text)
				rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		}
		if (rc != WX_OK) {
			free(*text);
			*text = NULL;
		}
	}
	wx_policy_free(pol);
	json_decref(c->summary);
	free(c->policy);
	free(c->rowbuf);
	free(c);
	return rc;
}
