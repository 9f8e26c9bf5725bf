/* check.c: the integrity check.  Everything in one read snapshot, so the
 * answer describes one consistent state even while others write. */
#include "config.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wexmatch/audit.h"
#include "wexmatch/check.h"
#include "wexmatch/runstore.h"
#include "wexmatch/keys.h"
#include "wexmatch/record.h"

struct check_ctx {
	wx_check_report_fn report;
	void *rctx;
	struct wx_check_result *res;
};

static void problem(struct check_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct check_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->res->problems++;
	if (!c->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->report(c->rctx, msg);
}

static int check_schema(struct wx_txn *t, struct check_ctx *c)
{
	struct wx_val v;
	int rc = wx_get(t, WX_TB_META, "schema", 6, &v);

	if (rc == WX_ENOTFOUND) {
		problem(c, "meta: no schema version");
		return WX_OK;
	}
	if (rc != WX_OK)
		return rc;
	if (v.len != 4)
		problem(c, "meta: schema version of %zu bytes (expected 4)", v.len);
	else if (wx_get_be32(v.data) != WX_SCHEMA_VERSION)
		problem(c, "meta: schema version %u (expected %u)", wx_get_be32(v.data),
			WX_SCHEMA_VERSION);
	return WX_OK;
}

static int check_records(struct wx_txn *t, struct check_ctx *c, enum wx_kind k)
{
	const char *kn = wx_kind_name(k);
	struct wx_cursor *cur;
	struct wx_val key, val;
	struct wx_record r;
	uint64_t counter, iid;
	int rc;

	rc = wx_peek_seq(t, kn, &counter);
	if (rc != WX_OK)
		return rc;
	wx_record_init(&r);
	rc = wx_cursor_open(t, wx_tb_records(k), NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		const char *id;

		c->res->records++;
		if (key.len != 8) {
			problem(c, "%s: a record key of %zu bytes (expected 8)", kn, key.len);
			continue;
		}
		iid = wx_get_be64(key.data);
		if (iid > counter)
			problem(c, "%s #%llu: internal id beyond the counter (%llu)", kn,
				(unsigned long long)iid, (unsigned long long)counter);
		if (wx_record_decode(val.data, val.len, iid, &r) != WX_OK) {
			problem(c, "%s #%llu: the record cannot be decoded", kn,
				(unsigned long long)iid);
			continue;
		}
		id = wx_record_get(&r, "id");
		if (!id || !*id) {
			problem(c, "%s #%llu: the record has no id", kn, (unsigned long long)iid);
		} else {
			uint64_t found;
			int lr = wx_record_lookup(t, k, id, &found);

			if (lr == WX_ENOTFOUND)
				problem(c, "%s #%llu: id %s is missing from the index", kn,
					(unsigned long long)iid, id);
			else if (lr != WX_OK)
				rc = lr;
			else if (found != iid)
				problem(c, "%s #%llu: the index maps id %s to #%llu", kn,
					(unsigned long long)iid, id, (unsigned long long)found);
		}
	}
	wx_cursor_close(cur);
	wx_record_free(&r);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int check_index(struct wx_txn *t, struct check_ctx *c, enum wx_kind k)
{
	const char *kn = wx_kind_name(k);
	struct wx_cursor *cur;
	struct wx_val key, val, rec;
	struct wx_record r;
	int rc;

	wx_record_init(&r);
	rc = wx_cursor_open(t, wx_tb_ids(k), NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		unsigned char rk[8];
		const char *id;
		uint64_t iid;
		int gr;

		c->res->index_entries++;
		if (val.len != 8) {
			problem(c, "%s.id: an entry of %zu bytes (expected 8)", kn, val.len);
			continue;
		}
		iid = wx_get_be64(val.data);
		memcpy(rk, val.data, 8);
		gr = wx_get(t, wx_tb_records(k), rk, 8, &rec);
		if (gr == WX_ENOTFOUND) {
			problem(c, "%s.id: an id points to missing record #%llu", kn,
				(unsigned long long)iid);
			continue;
		}
		if (gr != WX_OK) {
			rc = gr;
			break;
		}
		if (wx_record_decode(rec.data, rec.len, iid, &r) != WX_OK)
			continue;   /* reported by check_records */
		id = wx_record_get(&r, "id");
		if (!id || strlen(id) != key.len || memcmp(id, key.data, key.len) != 0)
			problem(c, "%s.id: an entry points to #%llu, whose id differs", kn,
				(unsigned long long)iid);
	}
	wx_cursor_close(cur);
	wx_record_free(&r);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int check_audit(struct wx_txn *t, struct check_ctx *c)
{
	struct wx_cursor *cur;
	struct wx_val key, val, ix;
	uint64_t counter, prev = 0;
	int rc = wx_peek_seq(t, "audit", &counter);

	if (rc != WX_OK)
		return rc;
	rc = wx_cursor_open(t, WX_TB_AUDIT, NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		struct wx_audit_entry e;
		unsigned char ik[17];
		uint64_t seq;
		int gr;

		c->res->audit_entries++;
		if (key.len != 8) {
			problem(c, "audit: a key of %zu bytes (expected 8)", key.len);
			continue;
		}
		seq = wx_get_be64(key.data);
		if (seq == 0 || seq > counter)
			problem(c, "audit #%llu: outside the counter (%llu)", (unsigned long long)seq,
				(unsigned long long)counter);
		if (seq <= prev)
			problem(c, "audit #%llu: out of order", (unsigned long long)seq);
		prev = seq;
		gr = wx_audit_decode(val.data, val.len, seq, &e);
		if (gr == WX_ENOMEM) {
			rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
			break;
		}
		if (gr != WX_OK) {
			problem(c, "audit #%llu: the entry is not well formed", (unsigned long long)seq);
			continue;
		}
		if (e.time_ns <= 0)
			problem(c, "audit #%llu: no time", (unsigned long long)seq);
		if ((e.kind == WX_AUDIT_KIND_NONE) !=
		    (e.action == WX_AUDIT_INIT || e.action == WX_AUDIT_MIGRATE ||
		     e.action == WX_AUDIT_POLICY || e.action == WX_AUDIT_GEO ||
		     e.action == WX_AUDIT_MATCH))
			problem(c, "audit #%llu: %s of kind %d", (unsigned long long)seq,
				wx_audit_action_name(e.action), e.kind);
		ik[0] = (unsigned char)e.kind;
		wx_put_be64(ik + 1, e.iid);
		wx_put_be64(ik + 9, seq);
		wx_audit_entry_free(&e);
		gr = wx_get(t, WX_TB_AUDIT_REC, ik, sizeof ik, &ix);
		if (gr == WX_ENOTFOUND)
			problem(c, "audit #%llu: missing from audit_by_record", (unsigned long long)seq);
		else if (gr != WX_OK)
			rc = gr;
	}
	wx_cursor_close(cur);
	if (rc != WX_ENOTFOUND)
		return rc;

	rc = wx_cursor_open(t, WX_TB_AUDIT_REC, NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		struct wx_audit_entry e;
		uint64_t seq;
		int gr;

		c->res->index_entries++;
		if (key.len != 17) {
			problem(c, "audit_by_record: a key of %zu bytes (expected 17)", key.len);
			continue;
		}
		seq = wx_get_be64((const unsigned char *)key.data + 9);
		gr = wx_get(t, WX_TB_AUDIT, (const unsigned char *)key.data + 9, 8, &ix);
		if (gr == WX_ENOTFOUND) {
			problem(c, "audit_by_record: points to missing audit #%llu",
				(unsigned long long)seq);
			continue;
		}
		if (gr != WX_OK) {
			rc = gr;
			break;
		}
		if (wx_audit_decode(ix.data, ix.len, seq, &e) != WX_OK)
			continue;   /* reported above */
		if (e.kind != ((const unsigned char *)key.data)[0] ||
		    e.iid != wx_get_be64((const unsigned char *)key.data + 1))
			problem(c, "audit_by_record: entry for audit #%llu names another record",
				(unsigned long long)seq);
		wx_audit_entry_free(&e);
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

/* Policies: versions 1, 2, ... without gaps, each with its header. */
static int check_policies(struct wx_txn *t, struct check_ctx *c)
{
	struct wx_cursor *cur;
	struct wx_val key, val;
	uint32_t expect = 1;
	int rc = wx_cursor_open(t, WX_TB_POLICY, NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		const unsigned char *v = val.data;

		if (key.len != 4) {
			problem(c, "policy: a key of %zu bytes (expected 4)", key.len);
			continue;
		}
		if (wx_get_be32(key.data) != expect)
			problem(c, "policy: version %u where %u was expected", wx_get_be32(key.data),
				expect);
		expect = wx_get_be32(key.data) + 1;
		if (val.len < 14 || v[12] > 32 || val.len < 14u + v[12])
			problem(c, "policy version %u: damaged", wx_get_be32(key.data));
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

/* Match runs: every key names a run the counter has reached and a known
 * part; every row decodes; every run with rows has its summary (a save
 * cut short is noted in meta and removed by the next run, so it is not a
 * problem); every summary is a JSON object. */
static int check_runs(struct wx_txn *t, struct check_ctx *c)
{
	struct wx_cursor *cur;
	struct wx_val key, val, v;
	uint64_t last = 0, cur_run = 0, saving = 0;
	int has_summary = 0, rc;

	if ((rc = wx_runs_latest(t, &last)) != WX_OK)
		return rc;
	if (wx_get(t, WX_TB_META, "run_saving", 10, &v) == WX_OK && v.len == 8)
		saving = wx_get_be64(v.data);
	rc = wx_cursor_open(t, WX_TB_RUNS, NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
		const unsigned char *k = key.data;
		char idbuf[256];
		uint64_t run;
		int ok = 1;

		if (key.len < 9) {
			problem(c, "runs: a key of %zu bytes (expected at least 9)", key.len);
			continue;
		}
		run = wx_get_be64(k);
		if (run != cur_run) {
			if (cur_run && !has_summary && cur_run != saving)
				problem(c, "run %llu: rows without a summary",
					(unsigned long long)cur_run);
			cur_run = run;
			has_summary = 0;
		}
		if (run == 0 || run > last)
			problem(c, "run %llu: past the run counter (%llu)", (unsigned long long)run,
				(unsigned long long)last);
		switch (k[8]) {
		case 'h': {
			json_error_t je;
			json_t *o = json_loadb(val.data, val.len, 0, &je);
			ok = json_is_object(o);
			json_decref(o);
			has_summary = 1;
			break;
		}
		case 't':
			break;
		case 'c': {
			struct wx_run_row r;
			ok = wx_run_row_decode(key.data, key.len, val.data, val.len, &r, idbuf,
					       sizeof idbuf) == WX_OK;
			break;
		}
		case 'p': {
			struct wx_run_place_row r;
			ok = wx_run_place_row_decode(key.data, key.len, val.data, val.len, &r, idbuf,
						     sizeof idbuf) == WX_OK;
			break;
		}
		case 'a': {
			struct wx_amb_row r;
			ok = wx_amb_row_decode(key.data, key.len, val.data, val.len, &r, idbuf,
					       sizeof idbuf) == WX_OK;
			break;
		}
		default:
			ok = 0;
		}
		if (!ok)
			problem(c, "run %llu: a damaged entry (part '%c')", (unsigned long long)run,
				k[8] >= 'a' && k[8] <= 'z' ? k[8] : '?');
	}
	wx_cursor_close(cur);
	if (rc == WX_ENOTFOUND && cur_run && !has_summary && cur_run != saving)
		problem(c, "run %llu: rows without a summary", (unsigned long long)cur_run);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int check_fn(struct wx_txn *t, void *vctx)
{
	struct check_ctx *c = vctx;
	int rc;

	/* the callback may run again after a retry: start from nothing */
	memset(c->res, 0, sizeof *c->res);
	rc = check_schema(t, c);
	for (int k = 0; rc == WX_OK && k < WX_KIND_COUNT; k++) {
		rc = check_records(t, c, (enum wx_kind)k);
		if (rc == WX_OK)
			rc = check_index(t, c, (enum wx_kind)k);
	}
	if (rc == WX_OK)
		rc = check_audit(t, c);
	if (rc == WX_OK)
		rc = check_policies(t, c);
	if (rc == WX_OK)
		rc = check_runs(t, c);
	return rc;
}

int wx_check(struct wx_store *s, wx_check_report_fn report, void *ctx,
	     struct wx_check_result *res, struct wx_err *err)
{
	struct check_ctx c = { report, ctx, res };

	return wx_store_read(s, check_fn, &c, err);
}
