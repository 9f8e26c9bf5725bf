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
#include "wexmatch/form.h"
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

int wx_cmd_explain(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("explain");
	struct explain_ctx *c;
	struct wx_store *s = NULL;
	struct wx_forms *forms = NULL;
	struct wx_policy *pol = NULL;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, "", NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 2 != argc)
		return wx_cli_usage_error(cmd, "give a run number and a candidate id");
	if (!(c = calloc(1, sizeof *c)))
		return wx_cli_fail(&(struct wx_err){ WX_ENOMEM, "out of memory" });
	if ((rc = parse_run(cmd, argv[optind], &c->run)) != WX_EXIT_OK) {
		free(c);
		return rc;
	}
	c->cand = argv[optind + 1];
	wx_err_clear(&err);
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc == WX_EXIT_OK) {
		int r = wx_store_read(s, explain_fn, c, &err);
		if (r == WX_ENOTFOUND) {
			wx_cli_error("no run %s (see wexmatch runs)", argv[optind]);
			rc = WX_EXIT_DATA;
		} else if (r != WX_OK) {
			rc = wx_cli_fail(&err);
		} else if (!c->found) {
			char *e = wx_escape(c->cand, strlen(c->cand));
			wx_cli_error("candidate %s did not take part in run %s", e ? e : "?", argv[optind]);
			free(e);
			rc = WX_EXIT_DATA;
		} else if (strcmp(jstr(c->summary, "kind"), "work_experience") != 0) {
			wx_cli_error("run %s is not a work-experience run", argv[optind]);
			rc = WX_EXIT_DATA;
		}
	}
	if (rc == WX_EXIT_OK) {
		/* the run's own policy, for the words of the score; the score
		 * itself is the recorded one either way */
		if (c->policy && wx_cli_forms(g, &forms) == WX_EXIT_OK &&
		    wx_policy_parse(&pol, "run policy", c->policy, strlen(c->policy), forms, NULL, NULL,
				    &err) != WX_OK)
			pol = NULL;
		explain_words(stdout, c, pol);
	}
	wx_policy_free(pol);
	wx_forms_free(forms);
	json_decref(c->summary);
	free(c->policy);
	free(c->rowbuf);
	free(c);
	wx_store_close(s);
	return rc;
}

/* ---- offer ---- */

struct offer_ctx {
	uint64_t run;
	int all;
	char **ids;
	size_t nids;
	unsigned long offered, refused;
	char *problems;
	size_t plen;
	int not_work;
};

static void offer_problem(struct offer_ctx *c, const char *id, const char *msg)
{
	char *e = wx_escape(id, strlen(id));
	char line[1024];
	int n = snprintf(line, sizeof line, "wexmatch: %s: %s\n", e ? e : "?", msg);
	char *p = realloc(c->problems, c->plen + (size_t)n + 1);

	free(e);
	if (!p)
		return;
	c->problems = p;
	memcpy(p + c->plen, line, (size_t)n + 1);
	c->plen += (size_t)n;
	c->refused++;
}

/* Seats taken now: candidates offered .. completed naming each placement. */
struct seats {
	size_t n, cap;
	char **id;
	long *taken;
};

static long *seats_of(struct seats *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return &s->taken[i];
	return NULL;
}

static int count_seats(struct wx_txn *t, struct seats *s)
{
	static const char *const occ[] = { "offered", "accepted", "checks_pending", "confirmed",
					   "completed" };
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc = wx_cursor_open(t, wx_tb_records(WX_KIND_CANDIDATE), NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		const char *st, *pl;
		size_t sn, pn;
		int hit = 0;

		if (wx_record_peek(v.data, v.len, "status", &st, &sn) != WX_OK ||
		    wx_record_peek(v.data, v.len, "placement", &pl, &pn) != WX_OK || !pn)
			continue;
		for (size_t i = 0; i < sizeof occ / sizeof *occ; i++)
			hit |= sn == strlen(occ[i]) && memcmp(st, occ[i], sn) == 0;
		if (!hit)
			continue;
		for (size_t i = 0; i < s->n; i++)
			if (strlen(s->id[i]) == pn && memcmp(s->id[i], pl, pn) == 0)
				s->taken[i]++;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int grow_seats(struct seats *s)
{
	if (s->n < s->cap)
		return WX_OK;
	size_t nc = s->cap ? s->cap * 2 : 64;
	char **a = realloc(s->id, nc * sizeof *a);
	if (!a)
		return WX_ENOMEM;
	s->id = a;
	long *b = realloc(s->taken, nc * sizeof *b);
	if (!b)
		return WX_ENOMEM;
	s->taken = b;
	s->cap = nc;
	return WX_OK;
}

static int offer_one(struct wx_txn *t, struct offer_ctx *c, const char *cid, struct seats *seats)
{
	struct wx_val v;
	struct wx_run_row row;
	struct wx_record cand, place;
	char idbuf[256];
	unsigned char key[9 + 256], *buf = NULL, *copy;
	size_t kl, len;
	int rc;

	rc = wx_runs_get_row(t, c->run, 'c', cid, strlen(cid), &v);
	if (rc == WX_ENOTFOUND) {
		offer_problem(c, cid, "did not take part in this run");
		return WX_OK;
	}
	if (rc != WX_OK)
		return rc;
	if (!(copy = malloc(v.len ? v.len : 1)))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	memcpy(copy, v.data, v.len);
	len = v.len;
	kl = wx_run_key(key, c->run, 'c', cid, strlen(cid));
	if (wx_run_row_decode(key, kl, copy, len, &row, idbuf, sizeof idbuf) != WX_OK) {
		free(copy);
		return wx_txn_fail(t, WX_EDATA, "run %llu: the row of a candidate is damaged",
				   (unsigned long long)c->run);
	}
	if (!*row.place_id) {
		free(copy);
		if (!c->all)
			offer_problem(c, cid, "was not placed in this run");
		return WX_OK;
	}
	if (row.offered) {
		free(copy);
		if (!c->all)
			offer_problem(c, cid, "was offered from this run already");
		return WX_OK;
	}
	wx_record_init(&cand);
	wx_record_init(&place);
	rc = wx_record_load_by_id(t, WX_KIND_CANDIDATE, cid, &cand);
	if (rc == WX_ENOTFOUND) {
		offer_problem(c, cid, "no longer exists");
		rc = WX_OK;
		goto out;
	}
	if (rc != WX_OK)
		goto out;
	{
		const char *st = wx_record_get(&cand, "status");
		if (st && *st && strcmp(st, "received") != 0 && strcmp(st, "eligible") != 0) {
			char msg[200];
			snprintf(msg, sizeof msg, "its status is now %.60s, so it cannot be offered (run a new match)", st);
			offer_problem(c, cid, msg);
			goto out;
		}
	}
	rc = wx_record_load_by_id(t, WX_KIND_PLACEMENT, row.place_id, &place);
	if (rc == WX_ENOTFOUND) {
		offer_problem(c, cid, "its placement no longer exists (run a new match)");
		rc = WX_OK;
		goto out;
	}
	if (rc != WX_OK)
		goto out;
	{
		const char *st = wx_record_get(&place, "status"), *cap = wx_record_get(&place, "capacity");
		long *taken = seats_of(seats, row.place_id);
		int64_t capn = 0;

		if (st && *st && strcmp(st, "open") != 0) {
			offer_problem(c, cid, "its placement is no longer open (run a new match)");
			goto out;
		}
		if (cap)
			(void)wx_parse_int(cap, strlen(cap), &capn);
		if (!taken || *taken >= capn) {
			offer_problem(c, cid, "its placement has no seat left now (run a new match)");
			goto out;
		}
		++*taken;
	}
	if ((rc = wx_record_set(&cand, "status", "offered", 7)) != WX_OK ||
	    (rc = wx_record_set(&cand, "placement", row.place_id, strlen(row.place_id))) != WX_OK)
		goto out;
	if ((rc = wx_record_save(t, WX_KIND_CANDIDATE, &cand, cand.version)) != WX_OK)
		goto out;
	row.offered = 1;
	row.cand_id = cid;
	if (wx_run_row_encode(&row, &buf, &len) != WX_OK) {
		rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
		goto out;
	}
	rc = wx_runs_put_row(t, c->run, 'c', cid, strlen(cid), buf, len, 0);
	c->offered++;
out:
	free(buf);
	free(copy);
	wx_record_free(&cand);
	wx_record_free(&place);
	return rc;
}

static int offer_fn(struct wx_txn *t, void *vctx)
{
	struct offer_ctx *c = vctx;
	struct seats seats = { 0, 0, NULL, NULL };
	char *text = NULL;
	json_t *sum = NULL;
	json_error_t je;
	int rc;

	c->offered = c->refused = 0;
	free(c->problems);
	c->problems = NULL;
	c->plen = 0;
	c->not_work = 0;
	if ((rc = wx_runs_get_text(t, c->run, 'h', &text, NULL)) != WX_OK)
		return rc;
	sum = json_loads(text, 0, &je);
	free(text);
	text = NULL;
	if (!sum)
		return wx_txn_fail(t, WX_EDATA, "run %llu: its summary is damaged",
				   (unsigned long long)c->run);
	if (strcmp(jstr(sum, "kind"), "work_experience") != 0) {
		json_decref(sum);
		c->not_work = 1;
		return WX_OK;
	}
	/* the placements of the run, with the seats taken now */
	{
		unsigned char prefix[9];
		struct wx_cursor *cur;
		struct wx_val k, v;

		wx_run_key(prefix, c->run, 'p', NULL, 0);
		rc = wx_cursor_open(t, WX_TB_RUNS, prefix, sizeof prefix, &cur);
		while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
			if (grow_seats(&seats) != WX_OK) {
				rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
				break;
			}
			seats.id[seats.n] = strndup((const char *)k.data + 9, k.len - 9);
			seats.taken[seats.n] = 0;
			if (!seats.id[seats.n]) {
				rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
				break;
			}
			seats.n++;
		}
		wx_cursor_close(cur);
		if (rc == WX_ENOTFOUND)
			rc = count_seats(t, &seats);
	}
	if (rc == WX_OK && c->all) {
		/* every placed candidate of the run, in id order */
		unsigned char prefix[9];
		struct wx_cursor *cur;
		struct wx_val k, v;
		char **ids = NULL;
		size_t n = 0, cap = 0;

		wx_run_key(prefix, c->run, 'c', NULL, 0);
		rc = wx_cursor_open(t, WX_TB_RUNS, prefix, sizeof prefix, &cur);
		while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
			/* placed rows: the placement string after the format byte is not empty */
			if (v.len < 2 || ((const unsigned char *)v.data)[1] == 0)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				char **q = realloc(ids, nc * sizeof *q);
				if (!q) {
					rc = WX_ENOMEM;
					break;
				}
				ids = q;
				cap = nc;
			}
			if (!(ids[n] = strndup((const char *)k.data + 9, k.len - 9))) {
				rc = WX_ENOMEM;
				break;
			}
			n++;
		}
		wx_cursor_close(cur);
		if (rc == WX_ENOTFOUND)
			rc = WX_OK;
		else if (rc == WX_ENOMEM)
			rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
		for (size_t i = 0; rc == WX_OK && i < n; i++)
			rc = offer_one(t, c, ids[i], &seats);
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
	} else {
		for (size_t i = 0; rc == WX_OK && i < c->nids; i++)
			rc = offer_one(t, c, c->ids[i], &seats);
	}
	for (size_t i = 0; i < seats.n; i++)
		free(seats.id[i]);
	free(seats.id);
	free(seats.taken);
	if (rc == WX_OK && c->offered) {
		json_object_set_new(sum, "offered", json_integer(jint(sum, "offered") + (json_int_t)c->offered));
		text = json_dumps(sum, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		rc = text ? wx_runs_put_text(t, c->run, 'h', text, strlen(text)) :
			wx_txn_fail(t, WX_ENOMEM, "out of memory");
		free(text);
	}
	json_decref(sum);
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
	struct offer_ctx c;
	struct wx_store *s = NULL;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, offer_opt, &o, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	memset(&c, 0, sizeof c);
	if (optind >= argc)
		return wx_cli_usage_error(o.cmd, "give a run number, then --all or candidate ids");
	if ((rc = parse_run(o.cmd, argv[optind], &c.run)) != WX_EXIT_OK)
		return rc;
	c.all = o.all;
	c.ids = argv + optind + 1;
	c.nids = (size_t)(argc - optind - 1);
	if (c.all == (c.nids > 0))
		return wx_cli_usage_error(o.cmd, "give either --all or candidate ids");
	wx_err_clear(&err);
	if ((rc = wx_cli_open(g, 0, NULL, &s)) != WX_EXIT_OK)
		return rc;
	rc = wx_store_write(s, offer_fn, &c, &err);
	if (rc == WX_ENOTFOUND) {
		wx_cli_error("no run %s (see wexmatch runs)", argv[optind]);
		rc = WX_EXIT_DATA;
	} else if (rc != WX_OK) {
		rc = wx_cli_fail(&err);
	} else if (c.not_work) {
		wx_cli_error("run %s is an ambassador run: it has no offers", argv[optind]);
		rc = WX_EXIT_DATA;
	} else {
		if (c.problems)
			fputs(c.problems, stderr);
		fprintf(stderr, "%lu offered from run %llu%s", c.offered, (unsigned long long)c.run,
			c.refused ? "" : "\n");
		if (c.refused)
			fprintf(stderr, "; %lu could not be\n", c.refused);
		rc = c.refused ? WX_EXIT_DATA : WX_EXIT_OK;
	}
	free(c.problems);
	wx_store_close(s);
	return rc;
}
