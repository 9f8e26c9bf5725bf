/* runs.c: the runs list and the match screens.
 *
 * Three views on one screen (TS_RUNS):
 * - the runs recorded in the database, newest first, from each run's
 *   summary (runstore.h), read again at every redraw;
 * - one run's proposals: a row per candidate who took part (or per place
 *   of an ambassador request), paged from the runs table like the lists
 *   (the key of the top row, a short read per redraw), under the run's
 *   figures: placed, the priority group, and the counterfactual (the same
 *   data without priority or reserves);
 * - a candidate's explanation, in the words of `wexmatch explain`.
 *
 * r runs a work-experience match and A an ambassador match in this
 * process through the run layer (run.h, ambrun.h), with progress on the
 * message line, and records it as `wexmatch match` does (the stored policy,
 * else the shipped default; a random seed, recorded).  A run only
 * proposes.  Offers (O for the selected candidate, ^O for all) and
 * explanations come from the core (offer.h, explain.h), the same code as
 * `wexmatch offer` and `wexmatch explain`: one implementation of the rules
 * an offer must pass, audited the same way, whichever front end is used. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <jansson.h>

#include "wexmatch/ambmatch.h"
#include "wexmatch/ambrun.h"
#include "wexmatch/audit.h"
#include "wexmatch/keys.h"
#include "wexmatch/match.h"
#include "wexmatch/policy.h"
#include "wexmatch/policystore.h"
#include "wexmatch/run.h"
#include "wexmatch/explain.h"
#include "wexmatch/offer.h"
#include "wexmatch/runstore.h"
#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"


enum { V_RUNS, V_RUN, V_EXPLAIN };
enum { OP_NONE, OP_UP, OP_DOWN, OP_PGUP, OP_PGDN, OP_HOME, OP_END };

static struct {
	int view;
	json_t *list;            /* summaries, newest first */
	int sel, top;
	/* the open run */
	uint64_t run;
	int amb;
	json_t *sum;
	unsigned char topkey[512];
	size_t topklen;
	int op, rsel, nrows, more;
	char rowid[TUI_MAXROWS][WX_ID_MAX + 1];
	int rowplaced[TUI_MAXROWS];
	char rowline[TUI_MAXROWS][512];
	/* the explanation */
	char **lines;
	int nlines, etop;
} R;

static json_int_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* ---- the runs list ---- */

static int list_fn(struct wx_txn *t, void *vctx)
{
	uint64_t last = 0;
	int rc;

	(void)vctx;
	json_decref(R.list);
	R.list = json_array();
	if (!R.list)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if ((rc = wx_runs_latest(t, &last)) != WX_OK)
		return rc;
	for (uint64_t r = last; r >= 1 && json_array_size(R.list) < 1000; r--) {
		char *text = NULL;
		json_t *o;

		if (wx_runs_get_text(t, r, 'h', &text, NULL) != WX_OK)
			continue;
		o = json_loads(text, 0, NULL);
		free(text);
		if (o)
			json_array_append_new(R.list, o);
	}
	return WX_OK;
}

static void policy_text(json_t *o, char *buf, size_t cap)
{
	json_t *pv = json_object_get(o, "policy_version");

	if (json_is_integer(pv))
		snprintf(buf, cap, "v%lld", (long long)json_integer_value(pv));
	else
		snprintf(buf, cap, "%s", jstr(o, "policy_source"));
}

static void run_line(json_t *o, char *buf, size_t cap)
{
	char pol[64];

	policy_text(o, pol, sizeof pol);
	if (strcmp(jstr(o, "kind"), "ambassadors") == 0)
		snprintf(buf, cap, "%5lld  %-16.16s  %-8.8s  ambassadors  %lld/%lld filled  %s",
			 (long long)jint(o, "id"), jstr(o, "time"), jstr(o, "user"),
			 (long long)jint(o, "filled"), (long long)jint(o, "places"), pol);
	else
		snprintf(buf, cap, "%5lld  %-16.16s  %-8.8s  work         %lld/%lld placed, %lld offered  %s",
			 (long long)jint(o, "id"), jstr(o, "time"), jstr(o, "user"),
			 (long long)jint(o, "placed"), (long long)jint(o, "candidates"),
			 (long long)jint(o, "offered"), pol);
}

static void draw_runs(struct tui *t)
{
	int top = tui_body_top(), rows = tui_body_rows() - 2, n;

	wx_err_clear(&t->err);
	wx_store_read(t->s, list_fn, NULL, &t->err);
	n = R.list ? (int)json_array_size(R.list) : 0;
	if (R.sel >= n)
		R.sel = n - 1;
	if (R.sel < 0)
		R.sel = 0;
	if (R.sel < R.top)
		R.top = R.sel;
	if (R.sel >= R.top + rows)
		R.top = R.sel - rows + 1;
	{
		static const char head[] = "  run  when (UTC)         who       kind         outcome, policy";

		tui_put(t, top, 0, tui_attr(t, TR_HEADER), head, strlen(head), COLS, 1);
	}
	if (n == 0) {
		static const char *const text[] = {
			"No match runs yet.",
			"r runs a work-experience match, A an ambassador match: each run is",
			"recorded and only proposes; offers are made from its review (Enter).",
		};

		for (int i = 0; i < 3; i++)
			tui_put(t, top + 2 + i, 2, A_NORMAL, text[i], strlen(text[i]), COLS - 4, 0);
	}
	for (int i = 0; i < rows && R.top + i < n; i++) {
		char line[600];

		run_line(json_array_get(R.list, (size_t)(R.top + i)), line, sizeof line);
		tui_put(t, top + 1 + i, 0, R.top + i == R.sel ? tui_attr(t, TR_SELECT) : (int)A_NORMAL, line,
			strlen(line), COLS, R.top + i == R.sel);
	}
	if (!t->msg[0]) {
		char m[80];

		snprintf(m, sizeof m, "%d run%s", n, n == 1 ? "" : "s");
		tui_put(t, LINES - 2, 0, A_NORMAL, m, strlen(m), COLS, 0);
	}
}

/* ---- one run ---- */

static void slot_name(int32_t slot, json_t *sum, char *buf, size_t cap)
{
	if (slot == WX_SLOT_OPEN)
		snprintf(buf, cap, "open");
	else if (slot == WX_SLOT_NONE)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "reserve:%s",
			 jstr(json_array_get(json_object_get(sum, "reserves"), (size_t)slot), "name"));
}

static void row_text(int i, const struct wx_val *k, const struct wx_val *v)
{
	char id[WX_ID_MAX + 1];

	R.rowline[i][0] = '\0';
	R.rowid[i][0] = '\0';
	R.rowplaced[i] = 0;
	if (!R.amb) {
		struct wx_run_row r;
		char slot[80];

		memset(&r, 0, sizeof r);
		if (wx_run_row_decode(k->data, k->len, v->data, v->len, &r, id, sizeof id) != WX_OK) {
			snprintf(R.rowline[i], sizeof R.rowline[i], "(damaged row)");
			return;
		}
		snprintf(R.rowid[i], sizeof R.rowid[i], "%s", id);
		R.rowplaced[i] = r.place_id && r.place_id[0];
		slot_name(r.slot, R.sum, slot, sizeof slot);
		if (R.rowplaced[i])
			snprintf(R.rowline[i], sizeof R.rowline[i], "%-12.12s %-19.19s %-12.12s %5d %6u  %-7s %s",
				 id, r.place_id, slot, r.score, r.choice_rank,
				 r.offered ? "offered" : "", r.cf_placed ? "placed" : "not placed");
		else
			snprintf(R.rowline[i], sizeof R.rowline[i], "%-12.12s %-19.19s %-12.12s %5d %6s  %-7s %s",
				 id, wx_match_reason_name(r.reason), "", r.score, "",
				 "", r.cf_placed ? "placed" : "not placed");
	} else {
		struct wx_amb_row a;
		char dist[32];

		memset(&a, 0, sizeof a);
		if (wx_amb_row_decode(k->data, k->len, v->data, v->len, &a, id, sizeof id) != WX_OK) {
			snprintf(R.rowline[i], sizeof R.rowline[i], "(damaged row)");
			return;
		}
		if (a.distance_m == UINT32_MAX)
			snprintf(dist, sizeof dist, "-");
		else
			snprintf(dist, sizeof dist, "%.1f km", a.distance_m / 1000.0);
		snprintf(R.rowline[i], sizeof R.rowline[i], "%-12.12s %3u  %-12.12s %4u %10s  %s", id,
			 a.k, a.ambassador_id[0] ? a.ambassador_id : "-", a.tier, dist,
			 wx_amb_reason_name(a.reason));
	}
}

static int has_prefix(const struct wx_val *k, const unsigned char *p)
{
	return k->len >= 9 && memcmp(k->data, p, 9) == 0;
}

static void set_top(const struct wx_val *k)
{
	size_t n = k->len < sizeof R.topkey ? k->len : sizeof R.topkey;

	memcpy(R.topkey, k->data, n);
	R.topklen = n;
}

static int collect(struct wx_cursor *c, const unsigned char *p, int rows)
{
	struct wx_val k, v;
	int n = 0, rc = wx_cursor_seek(c, R.topkey, R.topklen, &k, &v);

	R.more = 0;
	while (rc == WX_OK && has_prefix(&k, p)) {
		if (n == rows) {
			R.more = 1;
			break;
		}
		row_text(n++, &k, &v);
		rc = wx_cursor_next(c, &k, &v);
	}
	R.nrows = n;
	return n;
}

static int rows_fn(struct wx_txn *tx, void *vctx)
{
	int rows = *(int *)vctx, i;
	unsigned char p[9], end[9];
	struct wx_cursor *c;
	struct wx_val k;
	int rc;

	wx_run_key(p, R.run, R.amb ? 'a' : 'c', NULL, 0);
	wx_run_key(end, R.run, (char)((R.amb ? 'a' : 'c') + 1), NULL, 0);
	if (R.topklen < 9 || memcmp(R.topkey, p, 9) != 0) {
		memcpy(R.topkey, p, 9);
		R.topklen = 9;
	}
	rc = wx_cursor_open(tx, WX_TB_RUNS, NULL, 0, &c);
	if (rc != WX_OK)
		return rc;
	switch (R.op) {
	case OP_UP:
		if (wx_cursor_seek(c, R.topkey, R.topklen, &k, NULL) == WX_OK &&
		    wx_cursor_prev(c, &k, NULL) == WX_OK && has_prefix(&k, p))
			set_top(&k);
		break;
	case OP_DOWN:
		if (wx_cursor_seek(c, R.topkey, R.topklen, &k, NULL) == WX_OK &&
		    wx_cursor_next(c, &k, NULL) == WX_OK && has_prefix(&k, p))
			set_top(&k);
		break;
	case OP_PGDN:
		if (wx_cursor_seek(c, R.topkey, R.topklen, &k, NULL) == WX_OK) {
			for (i = 0; i < rows && wx_cursor_next(c, &k, NULL) == WX_OK && has_prefix(&k, p); i++)
				;
			if (i == rows)
				set_top(&k);
			else
				R.rsel = rows - 1;
		}
		break;
	case OP_PGUP:
		i = 0;
		if (wx_cursor_seek(c, R.topkey, R.topklen, &k, NULL) == WX_OK)
			for (; i < rows && wx_cursor_prev(c, &k, NULL) == WX_OK && has_prefix(&k, p); i++)
				set_top(&k);
		if (i == 0)
			R.rsel = 0;
		break;
	case OP_HOME:
		memcpy(R.topkey, p, 9);
		R.topklen = 9;
		R.rsel = 0;
		break;
	case OP_END:
		if (wx_cursor_seek(c, end, 9, &k, NULL) == WX_OK)
			rc = wx_cursor_prev(c, &k, NULL);
		else
			rc = wx_cursor_last(c, &k, NULL);
		if (rc == WX_OK && has_prefix(&k, p)) {
			set_top(&k);
			for (i = 1; i < rows && wx_cursor_prev(c, &k, NULL) == WX_OK && has_prefix(&k, p); i++)
				set_top(&k);
		}
		R.rsel = rows - 1;
		break;
	default:
		break;
	}
	R.op = OP_NONE;
	collect(c, p, rows);
	wx_cursor_close(c);
	if (R.rsel >= R.nrows)
		R.rsel = R.nrows - 1;
	if (R.rsel < 0)
		R.rsel = 0;
	return WX_OK;
}

static int sum_fn(struct wx_txn *tx, void *vctx)
{
	char *text = NULL;
	int rc;

	(void)vctx;
	json_decref(R.sum);
	R.sum = NULL;
	rc = wx_runs_get_text(tx, R.run, 'h', &text, NULL);
	if (rc != WX_OK)
		return rc == WX_ENOTFOUND ? WX_OK : rc;
	R.sum = json_loads(text, 0, NULL);
	free(text);
	return WX_OK;
}

static int run_rows(void)
{
	int n = tui_body_rows() - 6;

	return n > TUI_MAXROWS ? TUI_MAXROWS : n;
}

static void load_rows(struct tui *t)
{
	int rows = run_rows();

	wx_err_clear(&t->err);
	wx_store_read(t->s, rows_fn, &rows, &t->err);
}

static void draw_run(struct tui *t)
{
	int top = tui_body_top(), rows = run_rows(), y;
	char l1[600], l2[600], l3[600], pol[64];
	json_t *s;

	wx_err_clear(&t->err);
	wx_store_read(t->s, sum_fn, NULL, &t->err);
	load_rows(t);
	s = R.sum;
	if (!s) {
		tui_put(t, top + 1, 2, tui_attr(t, TR_ERROR), "This run is not in the database.", 32, COLS, 0);
		return;
	}
	policy_text(s, pol, sizeof pol);
	if (!R.amb) {
		json_t *g = json_object_get(s, "priority_group"), *cf = json_object_get(s, "counterfactual");

		snprintf(l1, sizeof l1, "Run %llu, work experience, %s by %s; policy %s, seed %s",
			 (unsigned long long)R.run, jstr(s, "time"), jstr(s, "user"), pol,
			 jstr(s, "seed_text")[0] ? jstr(s, "seed_text") : "-");
		snprintf(l2, sizeof l2, "Placed %lld of %lld candidates (%lld seats); priority group (score %lld+): %lld of %lld placed",
			 (long long)jint(s, "placed"), (long long)jint(s, "candidates"),
			 (long long)jint(s, "seats"), (long long)jint(g, "min_score"),
			 (long long)jint(g, "placed"), (long long)jint(g, "candidates"));
		snprintf(l3, sizeof l3, "Without priority or reserves (counterfactual): %lld placed, priority group %lld placed",
			 (long long)jint(cf, "placed"), (long long)jint(cf, "priority_group_placed"));
	} else {
		snprintf(l1, sizeof l1, "Run %llu, ambassadors, %s by %s; policy %s", (unsigned long long)R.run,
			 jstr(s, "time"), jstr(s, "user"), pol);
		snprintf(l2, sizeof l2, "%lld of %lld places filled; %lld of %lld requests served; %s km in all",
			 (long long)jint(s, "filled"), (long long)jint(s, "places"),
			 (long long)jint(s, "requests_served"), (long long)jint(s, "requests"),
			 jstr(s, "total_distance_km"));
		snprintf(l3, sizeof l3, "Ambassadors taking part: %lld; eligible pairs: %lld",
			 (long long)jint(s, "ambassadors"), (long long)jint(s, "eligible_pairs"));
	}
	tui_put(t, top, 0, tui_attr(t, TR_HEADER), l1, strlen(l1), COLS, 0);
	tui_put(t, top + 1, 0, A_NORMAL, l2, strlen(l2), COLS, 0);
	tui_put(t, top + 2, 0, A_NORMAL, l3, strlen(l3), COLS, 0);
	if (!R.amb)
		snprintf(l1, sizeof l1, "%-12s %-19s %-12s %5s %6s  %-7s %s", "candidate",
			 "placement or why not", "seat", "score", "choice", "", "no priority");
	else
		snprintf(l1, sizeof l1, "%-12s %3s  %-12s %4s %10s  %s", "request", "#", "ambassador",
			 "tier", "distance", "reason");
	tui_put(t, top + 4, 0, tui_attr(t, TR_HEADER), l1, strlen(l1), COLS, 1);
	for (int i = 0; i < rows; i++) {
		y = top + 5 + i;
		move(y, 0);
		clrtoeol();
		if (i < R.nrows)
			tui_put(t, y, 0, i == R.rsel ? tui_attr(t, TR_SELECT) : (int)A_NORMAL, R.rowline[i],
				strlen(R.rowline[i]), COLS, i == R.rsel);
	}
}

static void free_lines(void)
{
	for (int i = 0; i < R.nlines; i++)
		free(R.lines[i]);
	free(R.lines);
	R.lines = NULL;
	R.nlines = 0;
}

static void set_lines(const char *text)
{
	free_lines();
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char **nl = realloc(R.lines, (size_t)(R.nlines + 1) * sizeof *nl);

		if (!nl)
			break;
		R.lines = nl;
		R.lines[R.nlines] = strndup(p, n);
		if (R.lines[R.nlines])
			R.nlines++;
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void explain(struct tui *t, const char *cand)
{
	struct wx_err err;
	char *out = NULL;

	tui_message(t, 0, "Explaining...");
	wx_err_clear(&err);
	if (wx_run_explain_text(t->s, t->forms, R.run, cand, &out, &err) != WX_OK) {
		tui_message(t, 1, "%s", err.msg);
		return;
	}
	set_lines(out);
	free(out);
	t->msg[0] = '\0';
	R.etop = 0;
	R.view = V_EXPLAIN;
	clear();
}

static void draw_explain(struct tui *t)
{
	int top = tui_body_top(), rows = tui_body_rows(), n = 0, y = 0;
	static char wrapped[2000][512];

	/* wexmatch's output holds text from the database: escaped here, and
	 * wrapped to the width */
	for (int i = 0; i < R.nlines && n < 2000; i++) {
		char shown[4096];
		int k;

		tui_fit(t, R.lines[i], strlen(R.lines[i]), -1, shown, sizeof shown);
		if (!shown[0]) {
			wrapped[n++][0] = '\0';
			continue;
		}
		k = tui_wrap(shown, COLS - 1, wrapped[n], sizeof wrapped[n], 2000 - n > 8 ? 8 : 2000 - n);
		for (int j = 1; j < k; j++) {
			/* continuation lines indented under the text */
			char tmp[512];

			snprintf(tmp, sizeof tmp, "    %s", wrapped[n + j]);
			memcpy(wrapped[n + j], tmp, sizeof tmp);
		}
		n += k;
	}
	if (R.etop > n - rows)
		R.etop = n - rows;
	if (R.etop < 0)
		R.etop = 0;
	for (int i = R.etop; i < n && y < rows; i++, y++)
		mvaddnstr(top + y, 0, wrapped[i], -1);
}

static void offer(struct tui *t, const char *cand)
{
	struct wx_offer_report rep;
	struct wx_err err;
	int all = cand[0] == '-', ch, rc;
	char runs[32];

	snprintf(runs, sizeof runs, "%llu", (unsigned long long)R.run);
	if (all)
		ch = tui_ask(t, "Offer every candidate placed in run %s and not yet offered? y: offer  other: no",
			     runs);
	else
		ch = tui_ask(t, "Offer %s the placement proposed in run %s? y: offer  other: no", cand, runs);
	if (ch != 'y' && ch != 'Y') {
		tui_message(t, 0, "Nothing offered.");
		return;
	}
	wx_err_clear(&err);
	rc = wx_run_offer(t->s, R.run, all, all ? NULL : &cand, all ? 0 : 1, &rep, &err);
	if (rc != WX_OK)
		tui_message(t, 1, "The offer could not be made: %s", err.msg);
	else if (rep.not_work)
		tui_message(t, 1, "Run %s is an ambassador run: it has no offers.", runs);
	else if (rep.refused && rep.problems)
		tui_message(t, 1, "%lu offered, %lu not: %.*s", rep.offered, rep.refused,
			    (int)strcspn(rep.problems, "\n"), rep.problems);
	else
		tui_message(t, 0, "%lu offered from run %s", rep.offered, runs);
	wx_offer_report_free(&rep);
}

/* ---- running a match ---- */

static void progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct tui *t = ctx;
	char m[200];

	if (total)
		snprintf(m, sizeof m, "Matching: %s %llu of %llu...", stage, (unsigned long long)done,
			 (unsigned long long)total);
	else
		snprintf(m, sizeof m, "Matching: %s...", stage);
	move(LINES - 2, 0);
	clrtoeol();
	tui_put(t, LINES - 2, 0, tui_attr(t, TR_NOTE), m, strlen(m), COLS, 0);
	refresh();
}

static int policy_fn(struct wx_txn *tx, void *vctx)
{
	struct wx_stored_policy *sp = vctx;

	wx_stored_policy_free(sp);
	return wx_policy_store_get(tx, 0, sp);
}

static void run_match(struct tui *t, int amb)
{
	struct wx_stored_policy sp;
	struct wx_policy *pol = NULL;
	struct wx_run_meta meta;
	const char *text, *source;
	uint64_t run = 0, seed = 0;
	char *summary = NULL;
	size_t len;
	int rc, ch;

	ch = tui_ask(t, "Run %s match now? It is recorded and only proposes. y: run  other: no",
		     amb ? "an ambassador" : "a work-experience");
	if (ch != 'y' && ch != 'Y')
		return;
	memset(&sp, 0, sizeof sp);
	wx_err_clear(&t->err);
	rc = wx_store_read(t->s, policy_fn, &sp, &t->err);
	if (rc == WX_OK) {
		text = sp.text;
		len = sp.len;
		source = "stored";
	} else if (rc == WX_ENOTFOUND) {
		text = wx_policy_default_text();
		len = strlen(text);
		source = "default";
	} else {
		tui_message(t, 1, "%s", t->err.msg);
		return;
	}
	wx_err_clear(&t->err);
	if (wx_policy_parse(&pol, rc == WX_OK ? "stored policy" : "default policy", text, len,
			    t->forms, NULL, NULL, &t->err) != WX_OK) {
		tui_message(t, 1, "The %s policy does not fit the forms: wexmatch policy set FILE", source);
		wx_stored_policy_free(&sp);
		return;
	}
	memset(&meta, 0, sizeof meta);
	meta.policy_version = rc == WX_OK ? sp.version : 0;
	meta.policy_source = source;
	meta.policy_text = text;
	meta.policy_len = len;
	meta.user = wx_store_user(t->s);
	wx_err_clear(&t->err);
	if (!amb) {
		struct wx_run_opts ro;
		struct wx_run w;

		if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
			seed = (uint64_t)wx_now_ns();
		seed &= (UINT64_C(1) << 53) - 1;   /* exact in JSON, as the command line does */
		memset(&w, 0, sizeof w);
		memset(&ro, 0, sizeof ro);
		ro.forms = t->forms;
		ro.policy = pol;
		ro.seed = seed;
		ro.today = wx_now_ns() / 1000000000 / 86400;
		ro.progress = progress;
		ro.pctx = t;
		meta.seed = seed;
		rc = wx_run_prepare(t->s, &ro, &w, &t->err);
		if (rc == WX_OK) {
			progress(t, "matching", 0, 0);
			rc = wx_run_match(&w, &t->err);
		}
		if (rc == WX_OK) {
			progress(t, "recording the run", 0, 0);
			meta.time_ns = wx_now_ns();
			rc = wx_run_save(t->s, &w, &meta, &run, &summary, &t->err);
		}
		wx_run_free(&w);
	} else {
		struct wx_amb_run w;

		memset(&w, 0, sizeof w);
		rc = wx_amb_run_prepare(t->s, t->forms, pol, progress, t, &w, &t->err);
		if (rc == WX_OK) {
			progress(t, "assigning", 0, 0);
			rc = wx_amb_run_match(&w, &t->err);
		}
		if (rc == WX_OK) {
			meta.time_ns = wx_now_ns();
			rc = wx_amb_run_save(t->s, &w, &meta, &run, &summary, &t->err);
		}
		wx_amb_run_free(&w);
	}
	free(summary);
	wx_policy_free(pol);
	wx_stored_policy_free(&sp);
	wx_store_release_pages(t->s);
	if (rc != WX_OK) {
		tui_message(t, 1, "The match failed: %s", t->err.msg);
		return;
	}
	/* straight to its review */
	R.run = run;
	R.amb = amb;
	R.topklen = 0;
	R.rsel = 0;
	R.view = V_RUN;
	if (amb)
		tui_message(t, 0, "Run %llu recorded: it proposes; ambassadors are invited outside wexmatch.",
			    (unsigned long long)run);
	else
		tui_message(t, 0, "Run %llu recorded: it proposes; O offers the selected candidate, ^O all.",
			    (unsigned long long)run);
	clear();
}

/* ---- screen ---- */

void tui_runs_draw(struct tui *t)
{
	curs_set(0);
	erase();
	switch (R.view) {
	case V_RUN: draw_run(t); break;
	case V_EXPLAIN: draw_explain(t); break;
	default: draw_runs(t); break;
	}
}

static void open_run(struct tui *t)
{
	json_t *o;

	/* the list as it is now (keys typed ahead come before a redraw) */
	wx_err_clear(&t->err);
	wx_store_read(t->s, list_fn, NULL, &t->err);
	if (!R.list || R.sel >= (int)json_array_size(R.list))
		return;
	o = json_array_get(R.list, (size_t)R.sel);
	R.run = (uint64_t)jint(o, "id");
	R.amb = strcmp(jstr(o, "kind"), "ambassadors") == 0;
	R.topklen = 0;
	R.rsel = 0;
	R.view = V_RUN;
	clear();
}

static void run_key(struct tui *t, int action)
{
	int rows = run_rows();

	switch (action) {
	case TA_DOWN:
		if (R.rsel + 1 < R.nrows)
			R.rsel++;
		else if (R.more)
			R.op = OP_DOWN;
		break;
	case TA_UP:
		if (R.rsel > 0)
			R.rsel--;
		else
			R.op = OP_UP;
		break;
	case TA_PGDN: R.op = OP_PGDN; break;
	case TA_PGUP: R.op = OP_PGUP; break;
	case TA_HOME: R.op = OP_HOME; break;
	case TA_END: R.op = OP_END; break;
	case TA_ROPEN:
		if (!R.amb && R.rsel < R.nrows && R.rowid[R.rsel][0])
			explain(t, R.rowid[R.rsel]);
		return;
	case TA_OFFER:
		if (R.amb)
			tui_message(t, 1, "Ambassadors are invited outside wexmatch; this run records who was proposed.");
		else if (R.rsel < R.nrows && R.rowplaced[R.rsel])
			offer(t, R.rowid[R.rsel]);
		else
			tui_message(t, 1, "This candidate was not placed in the run: nothing to offer.");
		break;
	case TA_OFFERALL:
		if (R.amb)
			tui_message(t, 1, "Ambassadors are invited outside wexmatch; this run records who was proposed.");
		else
			offer(t, "--all");
		break;
	case TA_QUIT:
		R.view = V_RUNS;
		clear();
		return;
	default:
		return;
	}
	if (R.op != OP_NONE)
		load_rows(t);   /* keys typed ahead act on the page they see */
	(void)rows;
}

void tui_runs_key(struct tui *t, int action, int ch)
{
	(void)ch;
	if (R.view == V_EXPLAIN) {
		int rows = tui_body_rows();

		switch (action) {
		case TA_DOWN: R.etop++; break;
		case TA_UP: R.etop--; break;
		case TA_PGDN: R.etop += rows - 1; break;
		case TA_PGUP: R.etop -= rows - 1; break;
		case TA_HOME: R.etop = 0; break;
		case TA_END: R.etop = R.nlines; break;
		case TA_QUIT: R.view = V_RUN; clear(); break;
		default: break;
		}
		return;
	}
	if (action == TA_RUNWORK || action == TA_RUNAMB) {
		run_match(t, action == TA_RUNAMB);
		return;
	}
	if (R.view == V_RUN) {
		run_key(t, action);
		return;
	}
	switch (action) {
	case TA_DOWN: R.sel++; break;
	case TA_UP: R.sel--; break;
	case TA_PGDN: R.sel += tui_body_rows() - 3; break;
	case TA_PGUP: R.sel -= tui_body_rows() - 3; break;
	case TA_HOME: R.sel = 0; break;
	case TA_END: R.sel = 1 << 20; break;
	case TA_ROPEN: open_run(t); break;
	case TA_TAB:
		t->cur = 0;
		t->screen = TS_LIST;
		clear();
		break;
	case TA_LIST1: case TA_LIST2: case TA_LIST3: case TA_LIST4:
		t->cur = action - TA_LIST1;
		t->screen = TS_LIST;
		clear();
		break;
	case TA_QUIT:
		t->quit = 1;
		break;
	default:
		break;
	}
}

void tui_runs_free(void)
{
	json_decref(R.list);
	json_decref(R.sum);
	R.list = R.sum = NULL;
	free_lines();
}
