/* import.c: CSV and JSON import, all or nothing, in one write transaction. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/csv.h"
#include "wexmatch/import.h"
#include "wexmatch/jsonio.h"
#include "wexmatch/record.h"

/* ---- ids seen in this file: an open-addressing set ---- */

struct idset {
	char **key;
	unsigned long *line;
	size_t cap, n;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static void idset_free(struct idset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->key[i]);
	free(s->key);
	free(s->line);
	memset(s, 0, sizeof *s);
}

/* Returns 0 when added, the earlier line when already present, -1 on OOM. */
static long idset_add(struct idset *s, const char *id, unsigned long line)
{
	size_t n = strlen(id), i;

	if (s->n * 2 + 2 > s->cap) {
		struct idset g = { NULL, NULL, s->cap ? s->cap * 2 : 1024, 0 };

		g.key = calloc(g.cap, sizeof *g.key);
		g.line = calloc(g.cap, sizeof *g.line);
		if (!g.key || !g.line) {
			free(g.key);
			free(g.line);
			return -1;
		}
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->key[j])
				continue;
			i = hash_bytes(s->key[j], strlen(s->key[j])) & (g.cap - 1);
			while (g.key[i])
				i = (i + 1) & (g.cap - 1);
			g.key[i] = s->key[j];
			g.line[i] = s->line[j];
			g.n++;
		}
		free(s->key);
		free(s->line);
		*s = g;
	}
	for (i = hash_bytes(id, n) & (s->cap - 1); s->key[i]; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->key[i], id) == 0)
			return (long)s->line[i];
	s->key[i] = strdup(id);
	if (!s->key[i])
		return -1;
	s->line[i] = line;
	s->n++;
	return 0;
}

/* ---- the state of one attempt ---- */

struct imp {
	struct wx_store *s;
	const struct wx_form *form;
	const struct wx_import_opts *o;
	const char *buf;
	size_t len;
	struct wx_import_result *res;
	const char *fname;
	FILE *problems;          /* memory streams, reset on each attempt */
	char *ptext;
	size_t plen;
	FILE *rejects;
	char *rtext;
	size_t rlen;
	struct idset ids;
	struct wx_record rec;
	unsigned long line;      /* of the record being checked */
	char reason[4096];       /* problems of the record, for its reject row */
	size_t reason_len;
	int record_bad;
	int failed;              /* a problem that makes the import store nothing */
	/* CSV */
	size_t ncols;
	char **cols;
	unsigned char *is_text, *known;
	int reason_col_taken;
};

static void problem(struct imp *im, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct imp *im, const char *field, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	im->res->problems++;
	im->record_bad = 1;
	if (field)
		fprintf(im->problems, "%s:%lu: %s: %s\n", im->fname, im->line, field, msg);
	else
		fprintf(im->problems, "%s:%lu: %s\n", im->fname, im->line, msg);
	n = snprintf(im->reason + im->reason_len, sizeof im->reason - im->reason_len, "%s%s%s%s",
		     im->reason_len ? "; " : "", field ? field : "", field ? ": " : "", msg);
	if (n > 0 && im->reason_len + (size_t)n < sizeof im->reason)
		im->reason_len += (size_t)n;
}

/* A message that already carries FILE:LINE (from the readers). */
static void reader_problem(struct imp *im, const char *msg)
{
	im->res->problems++;
	im->failed = 1;
	fprintf(im->problems, "%s\n", msg);
}

static void form_problem(void *ctx, const char *field, const char *msg)
{
	problem(ctx, field, "%s", msg);
}

static void start_record(struct imp *im, unsigned long line)
{
	im->line = line;
	im->record_bad = 0;
	im->reason_len = 0;
	im->reason[0] = '\0';
	wx_record_clear_fields(&im->rec);
	im->rec.iid = 0;
	im->rec.version = 0;
}

/* Load the stored record when updating, check ids.  Returns 1 when the
 * record is an update of a stored one, 0 when new, -1 on a problem. */
static int resolve_id(struct wx_txn *t, struct imp *im, const char *raw)
{
	enum wx_kind k = im->form->kind;
	char id[WX_ID_MAX + 1];
	size_t n;
	uint64_t iid;
	long prev;
	int rc;

	/* the form stores an id trimmed of spaces and tabs: check that id */
	while (raw && (*raw == ' ' || *raw == '\t'))
		raw++;
	n = raw ? strlen(raw) : 0;
	while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
		n--;
	if (n > WX_ID_MAX) {
		problem(im, "id", "longer than %d bytes (expected an id of at most %d bytes)",
			WX_ID_MAX, WX_ID_MAX);
		return -1;
	}
	if (n)
		memcpy(id, raw, n);
	id[n] = '\0';
	if (!*id) {
		problem(im, "id", "required (expected a value)");
		return -1;
	}
	prev = idset_add(&im->ids, id, im->line);
	if (prev < 0)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory"), -1;
	if (prev > 0) {
		problem(im, "id", "%s already given on line %ld (expected each id once)", id, prev);
		return -1;
	}
	rc = wx_record_lookup(t, k, id, &iid);
	if (rc == WX_ENOTFOUND) {
		if (k == WX_KIND_EQUALITY &&
		    wx_record_lookup(t, WX_KIND_CANDIDATE, id, &iid) == WX_ENOTFOUND) {
			problem(im, "id", "no candidate %s (expected the id of a stored candidate)", id);
			return -1;
		}
		return 0;
	}
	if (rc != WX_OK)
		return -1;
	if (!im->o->update) {
		problem(im, "id", "%s %s already exists (expected a new id, or --update to change it)",
			wx_kind_name(k), id);
		return -1;
	}
	/* the stored record, into which the given columns are merged */
	rc = wx_record_load(t, k, iid, &im->rec);
	return rc == WX_OK ? 1 : -1;
}

/* Check and store one assembled record (its fields already in im->rec). */
static int finish_record(struct wx_txn *t, struct imp *im, int existing)
{
	uint64_t before = im->rec.version;
	int rc;

	if (!existing && wx_form_apply_defaults(im->form, &im->rec) != WX_OK)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if (!im->record_bad)
		wx_form_check_record(im->form, &im->rec, form_problem, im);
	if (im->record_bad) {
		if (!im->o->skip_invalid)
			im->failed = 1;
		return WX_OK;
	}
	if (im->failed)
		return WX_OK;    /* nothing will be stored: checking goes on, saving not */
	/* a new record's id was looked up by resolve_id in this transaction */
	rc = existing ? wx_record_save(t, im->form->kind, &im->rec, before)
		      : wx_record_insert_checked(t, im->form->kind, &im->rec);
	if (rc != WX_OK)
		return rc;
	if (!existing)
		im->res->added++;
	else if (im->rec.version != before)
		im->res->updated++;
	else
		im->res->unchanged++;
	return WX_OK;
}

/* ---- CSV ---- */

static void free_header(struct imp *im)
{
	for (size_t i = 0; i < im->ncols; i++)
		free(im->cols[i]);
	free(im->cols);
	free(im->is_text);
	free(im->known);
	im->cols = NULL;
	im->is_text = im->known = NULL;
	im->ncols = 0;
}

static int csv_header(struct wx_txn *t, struct imp *im, const struct wx_csv_row *row)
{
	int have_id = 0;

	im->line = row->line;
	im->ncols = row->n;
	im->cols = calloc(row->n, sizeof *im->cols);
	im->is_text = calloc(row->n, 1);
	im->known = calloc(row->n, 1);
	if (!im->cols || !im->is_text || !im->known)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	for (size_t i = 0; i < row->n; i++) {
		im->cols[i] = strndup(row->field[i], row->len[i]);
		if (!im->cols[i])
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		im->known[i] = wx_form_find(im->form, im->cols[i]) != NULL;
		im->is_text[i] = (unsigned char)wx_field_is_text(im->form, im->cols[i]);
		if (strcmp(im->cols[i], "id") == 0)
			have_id = 1;
		if (strcmp(im->cols[i], "reason") == 0)
			im->reason_col_taken = 1;
		if (row->len[i] == 0 || strlen(im->cols[i]) > 255) {
			problem(im, NULL, "column %zu has %s name (expected a field name)", i + 1,
				row->len[i] ? "a too long" : "no");
			im->failed = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(im->cols[j], im->cols[i]) == 0) {
				problem(im, im->cols[i], "column given twice (expected each column once)");
				im->failed = 1;
			}
		if (!im->known[i] && !im->o->keep_unknown) {
			problem(im, im->cols[i],
				"not a field of the %s form (expected one of its fields, or --keep-unknown to keep it as an extra field)",
				wx_kind_name(im->form->kind));
			im->failed = 1;
		}
	}
	if (!have_id) {
		problem(im, NULL, "no id column (expected a header row naming the fields, with id)");
		im->failed = 1;
	}
	return WX_OK;
}

static void csv_reject(struct imp *im, const struct wx_csv_row *row)
{
	const char **f = malloc((row->n + 1) * sizeof *f);
	size_t *l = malloc((row->n + 1) * sizeof *l);
	unsigned char *tx = malloc(row->n + 1);

	if (f && l && tx) {
		for (size_t i = 0; i < row->n; i++) {
			f[i] = row->field[i];
			l[i] = row->len[i];
			tx[i] = im->is_text[i];
		}
		f[row->n] = im->reason;
		l[row->n] = im->reason_len;
		tx[row->n] = 1;
		wx_csv_write_row(im->rejects, row->n + 1, f, l, tx);
	}
	free(f);
	free(l);
	free(tx);
	im->res->rejected++;
}

static int csv_rows(struct wx_txn *t, struct imp *im)
{
	struct wx_csv_reader *r = wx_csv_reader_new_mem(im->buf, im->len, im->fname);
	struct wx_csv_row row;
	struct wx_err rerr;
	int rc = WX_OK, first = 1;

	if (!r)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	for (;;) {
		int rr;

		wx_err_clear(&rerr);
		rr = wx_csv_read_row(r, &row, &rerr);
		if (rr == WX_ENOTFOUND)
			break;
		if (rr == WX_EDATA) {
			reader_problem(im, rerr.msg);
			continue;
		}
		if (rr != WX_OK) {
			rc = wx_txn_fail(t, rr, "%s", rerr.msg);
			break;
		}
		if (first) {
			first = 0;
			rc = csv_header(t, im, &row);
			if (rc != WX_OK)
				break;
			if (im->o->skip_invalid) {
				const char **f = calloc(im->ncols + 1, sizeof *f);
				size_t *l = calloc(im->ncols + 1, sizeof *l);
				unsigned char *no = calloc(im->ncols + 1, 1);
				const char *rname = im->reason_col_taken ? "reject_reason" : "reason";

				if (f && l && no) {
					for (size_t i = 0; i < im->ncols; i++) {
						f[i] = im->cols[i];
						l[i] = strlen(im->cols[i]);
					}
					f[im->ncols] = rname;
					l[im->ncols] = strlen(rname);
					wx_csv_write_row(im->rejects, im->ncols + 1, f, l, no);
				}
				free(f);
				free(l);
				free(no);
			}
			continue;
		}
		im->res->records++;
		start_record(im, row.line);
		if (row.n != im->ncols) {
			problem(im, NULL, "%zu fields (expected %zu, as in the header)", row.n, im->ncols);
		} else {
			const char *id = NULL;
			int existing;

			for (size_t i = 0; i < row.n; i++) {
				if (im->is_text[i])
					wx_csv_unneutralise(row.field[i], &row.len[i]);
				if (strcmp(im->cols[i], "id") == 0)
					id = row.field[i];
			}
			existing = resolve_id(t, im, id);
			if (wx_txn_status(t) != WX_OK) {
				rc = wx_txn_status(t);
				break;
			}
			for (size_t i = 0; existing >= 0 && i < row.n; i++) {
				if (row.len[i] > 0)
					/* header columns are unique: a new record appends */
					rc = existing ? wx_record_set(&im->rec, im->cols[i], row.field[i], row.len[i])
						      : wx_record_append(&im->rec, im->cols[i], row.field[i],
									 row.len[i]);
				else
					wx_record_unset(&im->rec, im->cols[i]);
				if (rc != WX_OK)
					break;
			}
			if (rc != WX_OK) {
				rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
				break;
			}
			if (existing >= 0) {
				rc = finish_record(t, im, existing);
				if (rc != WX_OK)
					break;
			}
		}
		if (im->record_bad) {
			if (im->o->skip_invalid)
				csv_reject(im, &row);
			else
				im->failed = 1;
		}
	}
	if (first && rc == WX_OK && !im->failed) {
		im->line = 1;
		problem(im, NULL, "no header row (expected a header row naming the fields)");
		im->failed = 1;
	}
	wx_csv_reader_free(r);
	return rc;
}

/* ---- JSON ---- */

static void json_reject(struct imp *im, const struct wx_json_record *jr, struct wx_json_writer *w)
{
	const char **k = malloc((jr->n + 1) * sizeof *k), **v = malloc((jr->n + 1) * sizeof *v);
	size_t *l = malloc((jr->n + 1) * sizeof *l);
	int taken = 0;
	struct wx_err e;

	if (k && v && l) {
		for (size_t i = 0; i < jr->n; i++) {
			k[i] = jr->key[i];
			v[i] = jr->value[i];
			l[i] = jr->len[i];
			taken |= strcmp(jr->key[i], "reason") == 0;
		}
		k[jr->n] = taken ? "reject_reason" : "reason";
		v[jr->n] = im->reason;
		l[jr->n] = im->reason_len;
		wx_err_clear(&e);
		wx_json_write_record(w, jr->n + 1, k, v, l, &e);
	}
	free(k);
	free(v);
	free(l);
	im->res->rejected++;
}

static int json_records(struct wx_txn *t, struct imp *im)
{
	struct wx_json_reader *r = wx_json_reader_new(im->buf, im->len, im->fname);
	struct wx_json_writer w;
	struct wx_json_record jr;
	struct wx_err rerr;
	int rc = WX_OK;

	if (!r)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	wx_json_writer_init(&w, im->rejects, NULL);
	wx_err_clear(&rerr);
	if (im->o->skip_invalid)
		wx_json_write_begin(&w, &rerr);
	for (;;) {
		const char *id = NULL;
		int rr, existing;

		wx_err_clear(&rerr);
		rr = wx_json_read_record(r, &jr, &rerr);
		if (rr == WX_ENOTFOUND)
			break;
		if (rr == WX_EDATA) {
			reader_problem(im, rerr.msg);
			continue;
		}
		if (rr != WX_OK) {
			rc = wx_txn_fail(t, rr, "%s", rerr.msg);
			break;
		}
		im->res->records++;
		start_record(im, jr.line);
		for (size_t i = 0; i < jr.n; i++) {
			if (strcmp(jr.key[i], "id") == 0)
				id = jr.value[i];
			if (!wx_form_find(im->form, jr.key[i]) && !im->o->keep_unknown) {
				im->line = jr.field_line[i];
				problem(im, jr.key[i],
					"not a field of the %s form (expected one of its fields, or --keep-unknown to keep it as an extra field)",
					wx_kind_name(im->form->kind));
				im->line = jr.line;
			}
		}
		existing = im->record_bad ? -1 : resolve_id(t, im, id);
		if (wx_txn_status(t) != WX_OK) {
			rc = wx_txn_status(t);
			break;
		}
		for (size_t i = 0; existing >= 0 && i < jr.n; i++) {
			/* the reader guarantees keys are unique: a new record appends */
			rc = !jr.len[i] ? (wx_record_unset(&im->rec, jr.key[i]), WX_OK)
			     : existing ? wx_record_set(&im->rec, jr.key[i], jr.value[i], jr.len[i])
					: wx_record_append(&im->rec, jr.key[i], jr.value[i], jr.len[i]);
			if (rc != WX_OK) {
				rc = wx_txn_fail(t, WX_ENOMEM, "out of memory");
				break;
			}
		}
		if (rc != WX_OK)
			break;
		if (existing >= 0 && (rc = finish_record(t, im, existing)) != WX_OK)
			break;
		if (im->record_bad) {
			if (im->o->skip_invalid)
				json_reject(im, &jr, &w);
			else
				im->failed = 1;
		}
	}
	if (im->o->skip_invalid)
		wx_json_write_end(&w, &rerr);
	wx_json_reader_free(r);
	return rc;
}

/* ---- the transaction ---- */

static void close_streams(struct imp *im)
{
	if (im->problems)
		fclose(im->problems);
	if (im->rejects)
		fclose(im->rejects);
	im->problems = im->rejects = NULL;
}

static int import_fn(struct wx_txn *t, void *vctx)
{
	struct imp *im = vctx;
	struct wx_import_result *res = im->res;
	int rc;

	/* a retried attempt starts from nothing */
	close_streams(im);
	free(im->ptext);
	free(im->rtext);
	im->ptext = im->rtext = NULL;
	idset_free(&im->ids);
	free_header(im);
	memset(res, 0, sizeof *res);
	im->failed = 0;
	im->reason_col_taken = 0;
	im->problems = open_memstream(&im->ptext, &im->plen);
	im->rejects = open_memstream(&im->rtext, &im->rlen);
	if (!im->problems || !im->rejects)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	rc = im->o->format == WX_FMT_JSON ? json_records(t, im) : csv_rows(t, im);
	if (rc != WX_OK)
		return rc;
	if (im->failed)
		return wx_txn_fail(t, WX_EDATA, "%s: nothing imported: %lu problem%s", im->fname,
				   res->problems, res->problems == 1 ? "" : "s");
	if (im->o->dry_run)
		wx_txn_rollback(t);
	return WX_OK;
}

int wx_import(struct wx_store *s, const struct wx_form *form, const struct wx_import_opts *o,
	      const void *buf, size_t len, struct wx_import_result *res, struct wx_err *err)
{
	struct imp im;
	int rc;

	memset(&im, 0, sizeof im);
	memset(res, 0, sizeof *res);
	im.s = s;
	im.form = form;
	im.o = o;
	im.buf = buf;
	im.len = len;
	im.res = res;
	im.fname = o->filename ? o->filename : "<input>";
	wx_record_init(&im.rec);
	/* records, indexes and audit take a few times the input's size: grow
	 * the map once now rather than running the import again and again */
	rc = wx_store_reserve(s, (uint64_t)len * 4 + ((uint64_t)1 << 20), err);
	if (rc == WX_OK)
		rc = wx_store_write(s, import_fn, &im, err);
	close_streams(&im);
	res->problem_text = im.ptext;
	res->problem_len = im.ptext ? im.plen : 0;
	res->rejects = im.rtext;
	res->rejects_len = im.rtext ? im.rlen : 0;
	idset_free(&im.ids);
	free_header(&im);
	wx_record_free(&im.rec);
	return rc;
}

void wx_import_result_free(struct wx_import_result *res)
{
	free(res->problem_text);
	free(res->rejects);
	memset(res, 0, sizeof *res);
}
