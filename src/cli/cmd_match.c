/* cmd_match.c: match, runs, run show, explain, offer: the batch front end
 * of the run layer (run.h, runstore.h). */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wexmatch/ambrun.h"
#include "wexmatch/audit.h"
#include "wexmatch/cli.h"
#include "wexmatch/csv.h"
#include "wexmatch/escape.h"
#include "wexmatch/explain.h"
#include "wexmatch/form.h"
#include "wexmatch/offer.h"
#include "wexmatch/policy.h"
#include "wexmatch/policystore.h"
#include "wexmatch/record.h"
#include "wexmatch/run.h"
#include "wexmatch/runstore.h"
#include "wexmatch/values.h"

/* ---- shared ---- */

static int parse_run(const struct wx_command *cmd, const char *s, uint64_t *run)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return wx_cli_usage_error(cmd, "'%s' is not a run number (see wexmatch runs)", s);
	v = strtoull(s, &end, 10);
	if (*end || v == 0)
		return wx_cli_usage_error(cmd, "'%s' is not a run number (see wexmatch runs)", s);
	*run = v;
	return WX_EXIT_OK;
}

/* Progress on stderr when it is a terminal: one line, rewritten. */
struct progress {
	int tty;
	int shown;
	time_t last;
};

static void progress_fn(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	time_t now = time(NULL);

	if (!p->tty || (p->shown && now == p->last && done))
		return;
	p->last = now;
	p->shown = 1;
	if (total)
		fprintf(stderr, "\r\033[K%s: %llu of %llu", stage, (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "\r\033[K%s...", stage);
	fflush(stderr);
}

static void progress_end(struct progress *p)
{
	if (p->tty && p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

static void slot_text(int32_t slot, const struct wx_match_category *cat, size_t ncat, char *buf,
		      size_t cap)
{
	if (slot == WX_SLOT_OPEN)
		snprintf(buf, cap, "open");
	else if (slot >= 0 && (size_t)slot < ncat)
		snprintf(buf, cap, "reserve:%s", cat[slot].name);
	else
		snprintf(buf, cap, "none");
}

/* Load the policy a run uses: --policy FILE, else the latest stored
 * version, else the shipped default. */
struct policy_choice {
	struct wx_policy *pol;
	char *text;
	size_t len;
	uint32_t version;
	const char *source;
	const char *path;
};

static int get_policy_fn(struct wx_txn *t, void *vctx)
{
	struct wx_stored_policy *sp = vctx;
	wx_stored_policy_free(sp);
	return wx_policy_store_get(t, 0, sp);
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	wx_fputs_escaped(msg, stderr);
	fputc('\n', stderr);
}

static int choose_policy(struct wx_global *g, struct wx_store *s, struct wx_forms **forms,
			 const char *path, struct policy_choice *pc)
{
	struct wx_stored_policy sp;
	struct wx_err err;
	int rc;

	memset(pc, 0, sizeof *pc);
	if (path) {
		pc->source = "file";
		pc->path = path;
		return wx_cli_policy_file(g, path, forms, &pc->pol, &pc->text, &pc->len);
	}
	memset(&sp, 0, sizeof sp);
	wx_err_clear(&err);
	rc = wx_store_read(s, get_policy_fn, &sp, &err);
	if (rc == WX_OK) {
		pc->text = sp.text;
		pc->len = sp.len;
		pc->version = sp.version;
		pc->source = "stored";
		sp.text = NULL;
	} else if (rc == WX_ENOTFOUND) {
		pc->text = strdup(wx_policy_default_text());
		pc->len = pc->text ? strlen(pc->text) : 0;
		pc->source = "default";
	} else {
		return wx_cli_fail(&err);
	}
	wx_stored_policy_free(&sp);
	if (!pc->text)
		return wx_cli_fail(&(struct wx_err){ WX_ENOMEM, "out of memory" });
	rc = wx_policy_parse(&pc->pol, pc->version ? "stored policy" : "default policy", pc->text,
			     pc->len, *forms, print_problem, NULL, &err);
	if (rc == WX_EDATA) {
		wx_cli_error("the %s policy no longer fits the forms: set a new one with wexmatch policy set FILE",
			     pc->source);
		return WX_EXIT_DATA;
	}
	return rc == WX_OK ? WX_EXIT_OK : wx_cli_fail(&err);
}

static void policy_choice_free(struct policy_choice *pc)
{
	wx_policy_free(pc->pol);
	free(pc->text);
}

static uint64_t random_seed(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		v = (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)ts.tv_sec ^
			(uint64_t)getpid() << 32;
	}
	/* JSON readers lose integers past 2^53: keep seeds exact everywhere */
	return v & ((UINT64_C(1) << 53) - 1);
}

/* ---- match ---- */

struct match_opts {
	const struct wx_command *cmd;
	const char *policy;
	uint64_t seed;
	int has_seed, dry_run, ambassadors;
	enum wx_format format;
};

static int match_opt(int c, const char *arg, void *vctx)
{
	struct match_opts *o = vctx;
	char *end;

	switch (c) {
	case 'p':
		o->policy = arg;
		return WX_EXIT_OK;
	case 's':
		if (*arg < '0' || *arg > '9')
			return wx_cli_usage_error(o->cmd, "--seed needs a whole number");
		o->seed = strtoull(arg, &end, 10);
		if (*end)
			return wx_cli_usage_error(o->cmd, "--seed needs a whole number");
		o->has_seed = 1;
		return WX_EXIT_OK;
	case 'n':
		o->dry_run = 1;
		return WX_EXIT_OK;
	case 'a':
		o->ambassadors = 1;
		return WX_EXIT_OK;
	case 'f':
		return wx_cli_format(o->cmd, arg, &o->format);
	default:
		return WX_EXIT_USAGE;
	}
}

static void json_row(FILE *f, const struct wx_run_row *r, const char *slot, int first)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "candidate_id", json_string(r->cand_id));
	json_object_set_new(o, "placement_id", *r->place_id ? json_string(r->place_id) : json_null());
	json_object_set_new(o, "slot", json_string(slot));
	json_object_set_new(o, "score", json_integer(r->score));
	json_object_set_new(o, "choice_rank", r->choice_rank ? json_integer(r->choice_rank) : json_null());
	json_object_set_new(o, "reason", json_string(wx_match_reason_name(r->reason)));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fprintf(f, "%s\n  %s", first ? "" : ",", s ? s : "null");
	free(s);
	json_decref(o);
}

static int write_results(FILE *f, const struct wx_run *w, enum wx_format fmt, const char *summary)
{
	static const unsigned char is_text[6] = { 1, 1, 0, 0, 0, 0 };
	char slot[64], score[16], rank[16];

	if (fmt == WX_FMT_CSV) {
		const char *h[6] = { "candidate_id", "placement_id", "slot", "score", "choice_rank",
				     "reason" };
		size_t hl[6];
		for (int k = 0; k < 6; k++)
			hl[k] = strlen(h[k]);
		if (wx_csv_write_row(f, 6, h, hl, NULL) != WX_OK)
			return WX_EIO;
	} else if (fmt == WX_FMT_JSON) {
		fprintf(f, "{\"run\": %s,\n \"assignments\": [", summary ? summary : "null");
	} else {
		fprintf(f, "%-12s  %-12s  %-14s  %5s  %4s  %s\n", "CANDIDATE", "PLACEMENT", "SLOT",
			"SCORE", "RANK", "REASON");
	}
	for (size_t i = 0; i < w->in.ncand; i++) {
		struct wx_run_row r;

		wx_run_fill_row(w, i, &r, 0);
		slot_text(r.slot, w->cat, w->in.ncat, slot, sizeof slot);
		snprintf(score, sizeof score, "%d", (int)r.score);
		if (r.choice_rank)
			snprintf(rank, sizeof rank, "%u", (unsigned)r.choice_rank);
		else
			rank[0] = '\0';
		if (fmt == WX_FMT_CSV) {
			const char *v[6] = { r.cand_id, r.place_id, slot, score, rank,
					     wx_match_reason_name(r.reason) };
			size_t l[6];
			for (int k = 0; k < 6; k++)
				l[k] = strlen(v[k]);
			if (wx_csv_write_row(f, 6, v, l, is_text) != WX_OK)
				return WX_EIO;
		} else if (fmt == WX_FMT_JSON) {
			json_row(f, &r, slot, i == 0);
		} else {
			char a[64], b[64];
			char *ea = wx_escape(r.cand_id, strlen(r.cand_id));
			char *eb = wx_escape(r.place_id, strlen(r.place_id));
			wx_text_fit(ea ? ea : "?", 12, a, sizeof a);
			wx_text_fit(eb ? eb : "?", 12, b, sizeof b);
			fprintf(f, "%s  %s  %-14s  %5s  %4s  %s\n", a, b, slot, score, rank,
				wx_match_reason_name(r.reason));
			free(ea);
			free(eb);
		}
	}
	if (fmt == WX_FMT_JSON)
		fputs("\n]}\n", f);
	return ferror(f) ? WX_EIO : WX_OK;
}

static void print_summary_words(FILE *f, const struct wx_run *w, uint64_t run)
{
	if (run)
		fprintf(f, "run %llu: ", (unsigned long long)run);
	else
		fprintf(f, "dry run (not recorded): ");
	fprintf(f, "%zu of %zu candidates placed in %zu placements; blocking pairs %llu, wasted seats %llu\n",
		w->fig.placed, w->in.ncand, w->in.nplace,
		(unsigned long long)w->fig.checks.blocking_pairs,
		(unsigned long long)w->fig.checks.wasted_seats);
	fprintf(f, "priority group (score %d or more): %zu of %zu placed; without priority or reserves: %zu\n",
		WX_RUN_GROUP_SCORE, w->fig.group_placed, w->fig.group, w->cf.group_placed);
	for (size_t k = 0; k < w->in.ncat; k++)
		fprintf(f, "reserve %s: %llu seats, %llu held by members; members placed %zu of %zu (%zu without the policy)\n",
			w->cat[k].name, (unsigned long long)w->fig.checks.reserved[k],
			(unsigned long long)w->fig.checks.reserved_members[k], w->fig.members_placed[k],
			w->fig.members[k], w->cf.members_placed[k]);
}

/* What both kinds of run need: the database, the forms, the policy,
 * progress on a terminal. */
struct match_env {
	struct wx_store *s;
	struct wx_forms *forms;
	struct policy_choice pc;
	struct progress pg;
	struct wx_err err;
	struct wx_run_meta meta;
};

static int match_begin(struct wx_global *g, const struct match_opts *o, struct match_env *e)
{
	int rc;

	memset(e, 0, sizeof *e);
	e->pg.tty = isatty(2);
	wx_err_clear(&e->err);
	rc = wx_cli_open(g, o->dry_run ? 0 : WX_OPEN_CREATE, NULL, &e->s);
	if (rc == WX_EXIT_OK)
		rc = wx_cli_forms(g, &e->forms);
	if (rc == WX_EXIT_OK)
		rc = choose_policy(g, e->s, &e->forms, o->policy, &e->pc);
	return rc;
}

/* What the run records about how it was made. */
static void match_meta(struct match_env *e, uint64_t seed)
{
	e->meta.seed = seed;
	e->meta.policy_version = e->pc.version;
	e->meta.policy_source = e->pc.source;
	e->meta.policy_path = e->pc.path;
	e->meta.policy_text = e->pc.text;
	e->meta.policy_len = e->pc.len;
	e->meta.time_ns = wx_now_ns();
	e->meta.user = wx_store_user(e->s);
}

/* A failure of the run layer: the progress line cleared, the message. */
static int match_fail(struct match_env *e)
{
	progress_end(&e->pg);
	return wx_cli_fail(&e->err);
}

/* The distances note: said when distance gates were skipped. */
static void distance_note(int geo_loaded, const char *what, unsigned long a, const char *what2,
			  unsigned long b, unsigned long pairs)
{
	if (!geo_loaded)
		fprintf(stderr, "wexmatch: no postcode lookup loaded: distance gates skipped (wexmatch geo import FILE)\n");
	else if (a || b)
		fprintf(stderr, "wexmatch: %lu %s and %lu %s could not be located: their distance gates were skipped (%lu pairs)\n",
			a, what, b, what2, pairs);
}

typedef int (*match_writer)(FILE *f, const void *run, enum wx_format fmt, const char *summary);

/* The results to stdout (escaped on a terminal, exact otherwise). */
static int match_output(match_writer write, const void *run, enum wx_format fmt,
			const char *summary)
{
	struct wx_data_out d;
	FILE *f = wx_cli_data_begin(&d);
	int wr = write(f, run, fmt, summary);

	wx_cli_data_end(&d);
	if (wr != WX_OK || fflush(stdout) != 0) {
		wx_cli_error("writing the results failed");
		return WX_EXIT_DB;
	}
	return WX_EXIT_OK;
}

static void match_end(struct match_env *e)
{
	policy_choice_free(&e->pc);
	wx_forms_free(e->forms);
	wx_store_close(e->s);
}

static int write_work(FILE *f, const void *run, enum wx_format fmt, const char *summary)
{
	return write_results(f, run, fmt, summary);
}

static int match_work(struct wx_global *g, struct match_opts *o)
{
	struct match_env e;
	struct wx_run_opts ro;
	struct wx_run w;
	uint64_t run = 0;
	char *summary = NULL;
	int rc = match_begin(g, o, &e);

	memset(&w, 0, sizeof w);
	if (rc != WX_EXIT_OK)
		goto out;
	memset(&ro, 0, sizeof ro);
	ro.forms = e.forms;
	ro.policy = e.pc.pol;
	ro.seed = o->has_seed ? o->seed : random_seed();
	ro.today = wx_now_ns() / 1000000000 / 86400;
	ro.progress = progress_fn;
	ro.pctx = &e.pg;
	if (wx_run_prepare(e.s, &ro, &w, &e.err) != WX_OK) {
		rc = match_fail(&e);
		goto out;
	}
	progress_fn(&e.pg, "matching", 0, 0);
	if (wx_run_match(&w, &e.err) != WX_OK) {
		rc = match_fail(&e);
		goto out;
	}
	progress_end(&e.pg);
	distance_note(w.geo_loaded, "candidates", w.cand_not_located, "placements",
		      w.place_not_located, w.distance_skipped);
	if (w.unreadable)
		fprintf(stderr, "wexmatch: %lu stored values could not be read and were taken as empty (see wexmatch check)\n",
			w.unreadable);
	match_meta(&e, ro.seed);
	if (o->dry_run) {
		summary = wx_run_summary(&w, &e.meta, 0);
	} else {
		progress_fn(&e.pg, "recording the run", 0, 0);
		if (wx_run_save(e.s, &w, &e.meta, &run, &summary, &e.err) != WX_OK) {
			rc = match_fail(&e);
			goto out;
		}
	}
	progress_end(&e.pg);
	rc = match_output(write_work, &w, o->format, summary);
	print_summary_words(stderr, &w, run);
	if (w.fig.checks.blocking_pairs || w.fig.checks.wasted_seats ||
	    w.fig.checks.ineligible_pairs || w.fig.checks.over_capacity) {
		wx_cli_error("the run's checks failed: please report this as a bug");
		rc = WX_EXIT_DB;
	}
out:
	free(summary);
	wx_run_free(&w);
	match_end(&e);
	return rc;
}

static int match_ambassadors(struct wx_global *g, struct match_opts *o);

int wx_cmd_match(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "ambassadors", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct match_opts o;
	int done, rc;

	memset(&o, 0, sizeof o);
	o.cmd = wx_cli_find("match");
	rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, match_opt, &o, &done);
	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc)
		return wx_cli_usage_error(o.cmd, "unexpected argument '%s'", argv[optind]);
	o.format = wx_cli_default_format(o.format, stdout);
	if (o.ambassadors)
		return match_ambassadors(g, &o);
	return match_work(g, &o);
}

/* ---- match --ambassadors ---- */

static int write_amb(FILE *f, const struct wx_amb_run *w, enum wx_format fmt, const char *summary)
{
	static const unsigned char is_text[5] = { 1, 1, 0, 0, 0 };
	int first = 1;

	if (fmt == WX_FMT_CSV) {
		const char *h[5] = { "request_id", "ambassador_id", "tier", "distance_km", "reason" };
		size_t hl[5];
		for (int k = 0; k < 5; k++)
			hl[k] = strlen(h[k]);
		if (wx_csv_write_row(f, 5, h, hl, NULL) != WX_OK)
			return WX_EIO;
	} else if (fmt == WX_FMT_JSON) {
		fprintf(f, "{\"run\": %s,\n \"assignments\": [", summary ? summary : "null");
	} else {
		fprintf(f, "%-12s  %-12s  %4s  %8s  %s\n", "REQUEST", "AMBASSADOR", "TIER", "KM",
			"REASON");
	}
	for (size_t r = 0; r < w->nreq; r++)
		for (uint32_t k = 0; k < w->in.req[r].places; k++) {
			struct wx_amb_row row;
			char tier[8], km[32];

			wx_amb_fill_row(w, r, k, &row);
			snprintf(tier, sizeof tier, "%u", (unsigned)row.tier);
			if (row.distance_m != UINT32_MAX && *row.ambassador_id)
				snprintf(km, sizeof km, "%.1f", row.distance_m / 1000.0);
			else
				km[0] = '\0';
			const char *reason = wx_amb_reason_name(row.reason);
			if (fmt == WX_FMT_CSV) {
				const char *v[5] = { row.request_id, row.ambassador_id, tier, km, reason };
				size_t l[5];
				for (int q = 0; q < 5; q++)
					l[q] = strlen(v[q]);
				if (wx_csv_write_row(f, 5, v, l, is_text) != WX_OK)
					return WX_EIO;
			} else if (fmt == WX_FMT_JSON) {
				json_t *o = json_object();
				char *txt;
				json_object_set_new(o, "request_id", json_string(row.request_id));
				json_object_set_new(o, "ambassador_id", *row.ambassador_id ?
						    json_string(row.ambassador_id) : json_null());
				json_object_set_new(o, "tier", json_integer(row.tier));
				json_object_set_new(o, "distance_km", km[0] ? json_real(atof(km)) : json_null());
				json_object_set_new(o, "reason", json_string(reason));
				txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
						 JSON_REAL_PRECISION(10));
				fprintf(f, "%s\n  %s", first ? "" : ",", txt ? txt : "null");
				free(txt);
				json_decref(o);
				first = 0;
			} else {
				char a[64], b[64];
				char *ea = wx_escape(row.request_id, strlen(row.request_id));
				char *eb = wx_escape(row.ambassador_id, strlen(row.ambassador_id));
				wx_text_fit(ea ? ea : "?", 12, a, sizeof a);
				wx_text_fit(eb ? eb : "?", 12, b, sizeof b);
				fprintf(f, "%s  %s  %4s  %8s  %s\n", a, b, tier, km, reason);
				free(ea);
				free(eb);
			}
		}
	if (fmt == WX_FMT_JSON)
		fputs("\n]}\n", f);
	return ferror(f) ? WX_EIO : WX_OK;
}

static int write_amb_run(FILE *f, const void *run, enum wx_format fmt, const char *summary)
{
	return write_amb(f, run, fmt, summary);
}

static int match_ambassadors(struct wx_global *g, struct match_opts *o)
{
	struct match_env e;
	struct wx_amb_run w;
	uint64_t run = 0;
	char *summary = NULL;
	int rc;

	memset(&w, 0, sizeof w);
	if (o->has_seed)
		fprintf(stderr, "wexmatch: --seed has no effect on an ambassador run (it has no lottery)\n");
	rc = match_begin(g, o, &e);
	if (rc != WX_EXIT_OK)
		goto out;
	if (wx_amb_run_prepare(e.s, e.forms, e.pc.pol, progress_fn, &e.pg, &w, &e.err) != WX_OK) {
		rc = match_fail(&e);
		goto out;
	}
	progress_fn(&e.pg, "assigning", 0, 0);
	if (wx_amb_run_match(&w, &e.err) != WX_OK) {
		rc = match_fail(&e);
		goto out;
	}
	progress_end(&e.pg);
	distance_note(w.geo_loaded, "ambassadors", w.amb_not_located, "requests", w.req_not_located,
		      w.distance_skipped);
	match_meta(&e, 0);
	if (o->dry_run) {
		summary = wx_amb_run_summary(&w, &e.meta, 0);
	} else if (wx_amb_run_save(e.s, &w, &e.meta, &run, &summary, &e.err) != WX_OK) {
		rc = match_fail(&e);
		goto out;
	}
	rc = match_output(write_amb_run, &w, o->format, summary);
	if (run)
		fprintf(stderr, "run %llu: ", (unsigned long long)run);
	else
		fprintf(stderr, "dry run (not recorded): ");
	fprintf(stderr, "%llu of %llu places filled (tier 1: %llu of %llu, tier 2: %llu of %llu, tier 3: %llu of %llu); %llu of %zu requests served; %.1f km in all\n",
		(unsigned long long)(w.res.filled[0] + w.res.filled[1] + w.res.filled[2]),
		(unsigned long long)(w.places[0] + w.places[1] + w.places[2]),
		(unsigned long long)w.res.filled[0], (unsigned long long)w.places[0],
		(unsigned long long)w.res.filled[1], (unsigned long long)w.places[1],
		(unsigned long long)w.res.filled[2], (unsigned long long)w.places[2],
		(unsigned long long)w.res.served, w.nreq, (double)w.res.distance / 1000.0);
out:
	free(summary);
	wx_amb_run_free(&w);
	match_end(&e);
	return rc;
}

/* ---- runs, run show ---- */

struct runs_ctx {
	uint64_t want;     /* 0: all */
	json_t *list;
	char *policy;
};

static int runs_fn(struct wx_txn *t, void *vctx)
{
	struct runs_ctx *c = vctx;
	uint64_t last = 0;
	int rc;

	json_decref(c->list);
	c->list = json_array();
	free(c->policy);
	c->policy = NULL;
	if (!c->list)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if ((rc = wx_runs_latest(t, &last)) != WX_OK)
		return rc;
	for (uint64_t r = last; r >= 1; r--) {
		char *text = NULL;
		json_error_t je;
		json_t *o;

		if (c->want && r != c->want)
			continue;
		rc = wx_runs_get_text(t, r, 'h', &text, NULL);
		if (rc == WX_ENOTFOUND)
			continue;
		if (rc != WX_OK)
			return rc;
		o = json_loads(text, 0, &je);
		free(text);
		if (!o)
			return wx_txn_fail(t, WX_EDATA, "run %llu: its summary is damaged",
					   (unsigned long long)r);
		json_array_append_new(c->list, o);
		if (c->want) {
			rc = wx_runs_get_text(t, r, 't', &c->policy, NULL);
			if (rc != WX_OK && rc != WX_ENOTFOUND)
				return rc;
			break;
		}
	}
	return WX_OK;
}

static json_int_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

struct fmt_opts {
	const struct wx_command *cmd;
	enum wx_format format;
};

static int fmt_opt(int c, const char *arg, void *vctx)
{
	struct fmt_opts *o = vctx;
	if (c == 'f')
		return wx_cli_format(o->cmd, arg, &o->format);
	return WX_EXIT_USAGE;
}

static void run_line(FILE *f, json_t *o)
{
	int amb = strcmp(jstr(o, "kind"), "ambassadors") == 0;
	json_t *pv = json_object_get(o, "policy_version");
	char pol[32];
	char *user = wx_escape(jstr(o, "user"), strlen(jstr(o, "user")));

	if (json_is_integer(pv))
		snprintf(pol, sizeof pol, "v%lld", (long long)json_integer_value(pv));
	else
		snprintf(pol, sizeof pol, "%s", jstr(o, "policy_source"));
	if (amb)
		fprintf(f, "%5lld  %-20s  %-10.10s  ambassadors  %7lld requests  %7lld of %lld places filled  policy %s\n",
			(long long)jint(o, "id"), jstr(o, "time"), user ? user : "?",
			(long long)jint(o, "requests"), (long long)jint(o, "filled"),
			(long long)jint(o, "places"), pol);
	else
		fprintf(f, "%5lld  %-20s  %-10.10s  work         %7lld candidates  %7lld placed  %7lld offered  policy %s  seed %s\n",
			(long long)jint(o, "id"), jstr(o, "time"), user ? user : "?",
			(long long)jint(o, "candidates"), (long long)jint(o, "placed"),
			(long long)jint(o, "offered"), pol, jstr(o, "seed_text"));
	free(user);
}

int wx_cmd_runs(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct fmt_opts o = { wx_cli_find("runs"), WX_FMT_DEFAULT };
	struct runs_ctx c = { 0, NULL, NULL };
	struct wx_store *s = NULL;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, fmt_opt, &o, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc)
		return wx_cli_usage_error(o.cmd, "unexpected argument '%s'", argv[optind]);
	o.format = wx_cli_default_format(o.format, stdout);
	wx_err_clear(&err);
	if ((rc = wx_cli_open(g, 0, NULL, &s)) != WX_EXIT_OK)
		return rc;
	if (wx_store_read(s, runs_fn, &c, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
	} else {
		struct wx_data_out d;
		FILE *f = wx_cli_data_begin(&d);
		size_t i;
		json_t *r;

		if (o.format == WX_FMT_JSON) {
			char *txt = json_dumps(c.list, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
			fprintf(f, "%s\n", txt ? txt : "[]");
			free(txt);
		} else if (o.format == WX_FMT_CSV) {
			fputs("run,time,user,kind,candidates,placed,offered,requests,filled,policy_version,seed\r\n", f);
			json_array_foreach(c.list, i, r) {
				json_t *pv = json_object_get(r, "policy_version");
				const char *v[11];
				size_t l[11];
				char b[6][24];
				snprintf(b[0], 24, "%lld", (long long)jint(r, "id"));
				snprintf(b[1], 24, "%lld", (long long)jint(r, "candidates"));
				snprintf(b[2], 24, "%lld", (long long)jint(r, "placed"));
				snprintf(b[3], 24, "%lld", (long long)jint(r, "offered"));
				snprintf(b[4], 24, "%lld", (long long)jint(r, "requests"));
				snprintf(b[5], 24, "%lld", (long long)jint(r, "filled"));
				char pvb[24] = "";
				if (json_is_integer(pv))
					snprintf(pvb, sizeof pvb, "%lld", (long long)json_integer_value(pv));
				v[0] = b[0];
				v[1] = jstr(r, "time");
				v[2] = jstr(r, "user");
				v[3] = jstr(r, "kind");
				v[4] = b[1];
				v[5] = b[2];
				v[6] = b[3];
				v[7] = b[4];
				v[8] = b[5];
				v[9] = pvb;
				v[10] = jstr(r, "seed_text");
				for (int k = 0; k < 11; k++)
					l[k] = strlen(v[k]);
				wx_csv_write_row(f, 11, v, l, NULL);
			}
		} else {
			if (!json_array_size(c.list))
				fprintf(stderr, "no runs yet: wexmatch match records one\n");
			json_array_foreach(c.list, i, r)
				run_line(f, r);
		}
		wx_cli_data_end(&d);
	}
	json_decref(c.list);
	free(c.policy);
	wx_store_close(s);
	return rc;
}

int wx_cmd_run(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct fmt_opts o = { wx_cli_find("run"), WX_FMT_DEFAULT };
	struct runs_ctx c = { 0, NULL, NULL };
	struct wx_store *s = NULL;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, fmt_opt, &o, &done);
	const char *arg;

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc && strcmp(argv[optind], "show") == 0)
		optind++;
	if (optind + 1 != argc)
		return wx_cli_usage_error(o.cmd, "give one run number: wexmatch run show RUN");
	arg = argv[optind];
	if ((rc = parse_run(o.cmd, arg, &c.want)) != WX_EXIT_OK)
		return rc;
	o.format = wx_cli_default_format(o.format, stdout);
	wx_err_clear(&err);
	if ((rc = wx_cli_open(g, 0, NULL, &s)) != WX_EXIT_OK)
		return rc;
	if (wx_store_read(s, runs_fn, &c, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
	} else if (!json_array_size(c.list)) {
		wx_cli_error("no run %s (see wexmatch runs)", arg);
		rc = WX_EXIT_DATA;
	} else {
		json_t *r = json_array_get(c.list, 0);
		struct wx_data_out d;
		FILE *f = wx_cli_data_begin(&d);

		if (o.format == WX_FMT_TABLE) {
			/* every figure, one per line, keys as recorded */
			const char *k;
			json_t *v;
			json_object_foreach(r, k, v) {
				char *txt = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
						       JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
				fprintf(f, "%-24s %s\n", k, txt ? txt : "?");
				free(txt);
			}
			if (c.policy) {
				fputs("\n# the policy this run used\n", f);
				fputs(c.policy, f);
			}
		} else {
			/* JSON (and CSV, which has no shape for this): the object */
			char *txt = json_dumps(r, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
			fprintf(f, "%s\n", txt ? txt : "{}");
			free(txt);
		}
		wx_cli_data_end(&d);
	}
	json_decref(c.list);
	free(c.policy);
	wx_store_close(s);
	return rc;
}

/* ---- explain ---- */

int wx_cmd_explain(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("explain");
	struct wx_store *s = NULL;
	struct wx_forms *forms = NULL;
	struct wx_err err;
	uint64_t run;
	char *text = NULL;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, "", NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 2 != argc)
		return wx_cli_usage_error(cmd, "give a run number and a candidate id");
	if ((rc = parse_run(cmd, argv[optind], &run)) != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc == WX_EXIT_OK)
		rc = wx_cli_forms(g, &forms);
	if (rc == WX_EXIT_OK) {
		int r = wx_run_explain_text(s, forms, run, argv[optind + 1], &text, &err);
		if (r == WX_OK)
			fputs(text, stdout);
		else
			rc = wx_cli_fail(&err);
		if (r == WX_ENOTFOUND)
			rc = WX_EXIT_DATA;   /* a run number that is not there: bad data */
	}
	free(text);
	wx_forms_free(forms);
	wx_store_close(s);
	return rc;
}

struct offer_opts {
	const struct wx_command *cmd;
	int all;
};

static int offer_opt(int c, const char *arg, void *vctx)
{
	struct offer_opts *o = vctx;
	(void)arg;
	if (c != 'a')
		return WX_EXIT_USAGE;
	o->all = 1;
	return WX_EXIT_OK;
}

int wx_cmd_offer(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct offer_opts o = { wx_cli_find("offer"), 0 };
	struct wx_offer_report c;
	struct wx_store *s = NULL;
	struct wx_err err;
	uint64_t run;
	size_t nids;
	int done, rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, offer_opt, &o, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind >= argc)
		return wx_cli_usage_error(o.cmd, "give a run number, then --all or candidate ids");
	if ((rc = parse_run(o.cmd, argv[optind], &run)) != WX_EXIT_OK)
		return rc;
	nids = (size_t)(argc - optind - 1);
	if (o.all == (nids > 0))
		return wx_cli_usage_error(o.cmd, "give either --all or candidate ids");
	wx_err_clear(&err);
	if ((rc = wx_cli_open(g, 0, NULL, &s)) != WX_EXIT_OK)
		return rc;
	rc = wx_run_offer(s, run, o.all, (const char *const *)(argv + optind + 1), nids, &c, &err);
	if (rc == WX_ENOTFOUND) {
		wx_cli_error("no run %s (see wexmatch runs)", argv[optind]);
		rc = WX_EXIT_DATA;
	} else if (rc != WX_OK) {
		rc = wx_cli_fail(&err);
	} else if (c.not_work) {
		wx_cli_error("run %s is an ambassador run: it has no offers", argv[optind]);
		rc = WX_EXIT_DATA;
	} else {
		/* every refusal, a line each, as wexmatch: ID: why */
		for (const char *p = c.problems; p && *p;) {
			size_t n = strcspn(p, "\n");
			fprintf(stderr, "wexmatch: %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		fprintf(stderr, "%lu offered from run %llu%s", c.offered, (unsigned long long)run,
			c.refused ? "" : "\n");
		if (c.refused)
			fprintf(stderr, "; %lu could not be\n", c.refused);
		rc = c.refused ? WX_EXIT_DATA : WX_EXIT_OK;
	}
	wx_offer_report_free(&c);
	wx_store_close(s);
	return rc;
}
