/* offer.c: turning a work-experience run's proposals into offers
 * (offer.h), for the batch command and the TUI alike. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/escape.h"
#include "wexmatch/offer.h"
#include "wexmatch/record.h"
#include "wexmatch/runstore.h"
#include "wexmatch/values.h"


struct offer_ctx {
	uint64_t run;
	int all;
	const char *const *ids;
	size_t nids;
	struct wx_offer_report *rep;
	size_t plen;
};

static void offer_problem(struct offer_ctx *c, const char *id, const char *msg)
{
	char *e = wx_escape(id, strlen(id));
	char line[1024];
	int n = snprintf(line, sizeof line, "%s: %s\n", e ? e : "?", msg);
	char *p;

	free(e);
	c->rep->refused++;
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	p = realloc(c->rep->problems, c->plen + (size_t)n + 1);
	if (!p)
		return;
	c->rep->problems = p;
	memcpy(p + c->plen, line, (size_t)n + 1);
	c->plen += (size_t)n;
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
	c->rep->offered++;
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

	c->rep->offered = c->rep->refused = 0;
	free(c->rep->problems);
	c->rep->problems = NULL;
	c->plen = 0;
	c->rep->not_work = 0;
	if ((rc = wx_runs_get_text(t, c->run, 'h', &text, NULL)) != WX_OK)
		return rc;
	sum = json_loads(text, 0, &je);
	free(text);
	text = NULL;
	if (!sum)
		return wx_txn_fail(t, WX_EDATA, "run %llu: its summary is damaged",
				   (unsigned long long)c->run);
	if (!json_is_string(json_object_get(sum, "kind")) ||
	    strcmp(json_string_value(json_object_get(sum, "kind")), "work_experience") != 0) {
		json_decref(sum);
		c->rep->not_work = 1;
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
	if (rc == WX_OK && c->rep->offered) {
		json_object_set_new(sum, "offered",
				    json_integer(json_integer_value(json_object_get(sum, "offered")) +
						 (json_int_t)c->rep->offered));
		text = json_dumps(sum, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		rc = text ? wx_runs_put_text(t, c->run, 'h', text, strlen(text)) :
			wx_txn_fail(t, WX_ENOMEM, "out of memory");
		free(text);
	}
	json_decref(sum);
	return rc;
}


int wx_run_offer(struct wx_store *s, uint64_t run, int all, const char *const *ids, size_t nids,
		 struct wx_offer_report *rep, struct wx_err *err)
{
	struct offer_ctx c;

	memset(rep, 0, sizeof *rep);
	memset(&c, 0, sizeof c);
	c.run = run;
	c.all = all;
	c.ids = ids;
	c.nids = nids;
	c.rep = rep;
	return wx_store_write(s, offer_fn, &c, err);
}

void wx_offer_report_free(struct wx_offer_report *rep)
{
	free(rep->problems);
	rep->problems = NULL;
}
