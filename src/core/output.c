/* output.c: records as CSV or JSON in the columns of their form. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/csv.h"
#include "wexmatch/form.h"
#include "wexmatch/jsonio.h"
#include "wexmatch/keys.h"
#include "wexmatch/output.h"
#include "wexmatch/store.h"

/* Column names are found through a small open-addressing hash table, so a
 * record's fields map to columns in constant time each: exporting a million
 * records must not cost columns x fields string comparisons per record. */
struct wx_out {
	FILE *f;
	enum wx_format fmt;
	const struct wx_form *form;
	size_t ncols, cap;
	char **cols;             /* form fields, then extra fields */
	unsigned char *is_text;
	const char **vals;
	size_t *lens;
	const char **jkeys;      /* JSON: the present fields of one record */
	const char **jvals;
	size_t *jlens;
	size_t hcap;
	long *hash;              /* column index, or -1 */
	int began;
	struct wx_json_writer jw;
	struct wx_err err;
};

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static long find_col(const struct wx_out *o, const char *name, size_t n)
{
	size_t i = hash_name(name, n) & (o->hcap - 1);

	for (; o->hash[i] >= 0; i = (i + 1) & (o->hcap - 1)) {
		const char *c = o->cols[o->hash[i]];

		if (strlen(c) == n && memcmp(c, name, n) == 0)
			return o->hash[i];
	}
	return -1;
}

static int rehash(struct wx_out *o)
{
	size_t cap = 64;
	long *h;

	while (cap < o->ncols * 2 + 2)
		cap *= 2;
	h = malloc(cap * sizeof *h);
	if (!h)
		return WX_ENOMEM;
	for (size_t i = 0; i < cap; i++)
		h[i] = -1;
	free(o->hash);
	o->hash = h;
	o->hcap = cap;
	for (size_t c = 0; c < o->ncols; c++) {
		size_t i = hash_name(o->cols[c], strlen(o->cols[c])) & (cap - 1);

		while (h[i] >= 0)
			i = (i + 1) & (cap - 1);
		h[i] = (long)c;
	}
	return WX_OK;
}

int wx_field_is_text(const struct wx_form *form, const char *name)
{
	const struct wx_form_field *f = wx_form_find(form, name);

	return !f || f->type == WX_FT_TEXT || (f->type == WX_FT_LIST && f->item == WX_FT_TEXT);
}

static int add_col(struct wx_out *o, const char *name, size_t n)
{
	if (o->ncols == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		char **c = realloc(o->cols, cap * sizeof *c);
		unsigned char *t;

		if (!c)
			return WX_ENOMEM;
		o->cols = c;
		t = realloc(o->is_text, cap);
		if (!t)
			return WX_ENOMEM;
		o->is_text = t;
		o->cap = cap;
	}
	o->cols[o->ncols] = strndup(name, n);
	if (!o->cols[o->ncols])
		return WX_ENOMEM;
	o->is_text[o->ncols] = (unsigned char)wx_field_is_text(o->form, o->cols[o->ncols]);
	o->ncols++;
	if (o->ncols * 2 + 2 > o->hcap)
		return rehash(o);
	{
		size_t i = hash_name(name, n) & (o->hcap - 1);

		while (o->hash[i] >= 0)
			i = (i + 1) & (o->hcap - 1);
		o->hash[i] = (long)(o->ncols - 1);
	}
	return WX_OK;
}

void wx_out_free(struct wx_out *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	free(o->cols);
	free(o->is_text);
	free(o->vals);
	free(o->lens);
	free(o->jkeys);
	free(o->jvals);
	free(o->jlens);
	free(o->hash);
	free(o);
}

struct wx_out *wx_out_new(FILE *f, enum wx_format fmt, const struct wx_form *form)
{
	struct wx_out *o = calloc(1, sizeof *o);

	if (!o)
		return NULL;
	o->f = f;
	o->fmt = fmt;
	o->form = form;
	if (rehash(o) != WX_OK)
		goto fail;
	for (size_t i = 0; i < form->n; i++)
		if (add_col(o, form->f[i].name, strlen(form->f[i].name)) != WX_OK)
			goto fail;
	wx_json_writer_init(&o->jw, f, NULL);
	return o;
fail:
	wx_out_free(o);
	return NULL;
}

static int note(struct wx_out *o, const char *name, size_t n)
{
	if (o->began)
		return WX_OK;   /* columns are fixed once the header is out */
	if (find_col(o, name, n) >= 0)
		return WX_OK;
	return add_col(o, name, n);
}

int wx_out_note_extras(struct wx_out *o, const struct wx_record *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (note(o, r->f[i].name, strlen(r->f[i].name)) != WX_OK)
			return WX_ENOMEM;
	return WX_OK;
}

int wx_out_note_extras_encoded(struct wx_out *o, const void *buf, size_t len)
{
	struct wx_record_iter it;
	const char *name, *val;
	size_t nl, vl;
	int rc = wx_record_iter_init(&it, buf, len, NULL);

	while (rc == WX_OK && (rc = wx_record_iter_next(&it, &name, &nl, &val, &vl)) == WX_OK)
		if (note(o, name, nl) != WX_OK)
			return WX_ENOMEM;
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int io_fail(struct wx_out *o)
{
	return wx_err_set(&o->err, WX_EIO, "error writing output: %s", strerror(errno));
}

int wx_out_begin(struct wx_out *o)
{
	if (o->err.code)
		return o->err.code;
	o->began = 1;
	o->vals = calloc(o->ncols, sizeof *o->vals);
	o->lens = calloc(o->ncols, sizeof *o->lens);
	o->jkeys = calloc(o->ncols, sizeof *o->jkeys);
	o->jvals = calloc(o->ncols, sizeof *o->jvals);
	o->jlens = calloc(o->ncols, sizeof *o->jlens);
	if (!o->vals || !o->lens || !o->jkeys || !o->jvals || !o->jlens)
		return wx_err_set(&o->err, WX_ENOMEM, "out of memory");
	if (o->fmt == WX_FMT_JSON)
		return wx_json_write_begin(&o->jw, &o->err);
	for (size_t i = 0; i < o->ncols; i++) {
		o->vals[i] = o->cols[i];
		o->lens[i] = strlen(o->cols[i]);
	}
	{
		/* the header holds names, not data: never neutralised */
		unsigned char *no_text = calloc(o->ncols, 1);
		int rc;

		if (!no_text)
			return wx_err_set(&o->err, WX_ENOMEM, "out of memory");
		rc = wx_csv_write_row(o->f, o->ncols, o->vals, o->lens, no_text);
		free(no_text);
		return rc == WX_OK ? WX_OK : io_fail(o);
	}
}

static int write_row(struct wx_out *o, const char *id)
{
	int rc;

	if (o->fmt == WX_FMT_JSON) {
		size_t n = 0;

		for (size_t i = 0; i < o->ncols; i++) {
			if (!o->vals[i])
				continue;
			o->jkeys[n] = o->cols[i];
			o->jvals[n] = o->vals[i];
			o->jlens[n] = o->lens[i];
			n++;
		}
		rc = wx_json_write_record(&o->jw, n, o->jkeys, o->jvals, o->jlens, &o->err);
		(void)id;
		return rc;
	}
	for (size_t i = 0; i < o->ncols; i++)
		if (!o->vals[i]) {
			o->vals[i] = "";
			o->lens[i] = 0;
		}
	rc = wx_csv_write_row(o->f, o->ncols, o->vals, o->lens, o->is_text);
	return rc == WX_OK ? WX_OK : io_fail(o);
}

int wx_out_record(struct wx_out *o, const struct wx_record *r)
{
	if (o->err.code)
		return o->err.code;
	memset(o->vals, 0, o->ncols * sizeof *o->vals);
	for (size_t i = 0; i < r->n; i++) {
		long c = find_col(o, r->f[i].name, strlen(r->f[i].name));

		if (c >= 0) {
			o->vals[c] = r->f[i].value;
			o->lens[c] = r->f[i].vlen;
		}
	}
	return write_row(o, wx_record_get(r, "id"));
}

int wx_out_record_encoded(struct wx_out *o, const void *buf, size_t len)
{
	struct wx_record_iter it;
	const char *name, *val;
	size_t nl, vl;
	int rc;

	if (o->err.code)
		return o->err.code;
	memset(o->vals, 0, o->ncols * sizeof *o->vals);
	rc = wx_record_iter_init(&it, buf, len, NULL);
	while (rc == WX_OK && (rc = wx_record_iter_next(&it, &name, &nl, &val, &vl)) == WX_OK) {
		long c = find_col(o, name, nl);

		if (c >= 0) {
			o->vals[c] = val;   /* not NUL-terminated: the writers take lengths */
			o->lens[c] = vl;
		}
	}
	if (rc != WX_ENOTFOUND)
		return wx_err_set(&o->err, WX_EDB, "a stored record is damaged (run wexmatch check)");
	return write_row(o, NULL);
}

int wx_out_end(struct wx_out *o)
{
	if (o->err.code)
		return o->err.code;
	if (o->fmt == WX_FMT_JSON)
		return wx_json_write_end(&o->jw, &o->err);
	return fflush(o->f) == 0 && !ferror(o->f) ? WX_OK : io_fail(o);
}

int wx_out_status(const struct wx_out *o, const char **msg)
{
	if (msg)
		*msg = o->err.msg;
	return o->err.code;
}

/* ---- export ---- */

struct export_ctx {
	const struct wx_form *form;
	enum wx_format fmt;
	FILE *f;
	unsigned long count;
};

static int export_fn(struct wx_txn *t, void *vctx)
{
	struct export_ctx *c = vctx;
	enum wx_kind k = c->form->kind;
	struct wx_out *o = wx_out_new(c->f, c->fmt, c->form);
	struct wx_cursor *cur;
	struct wx_val key, val, rec;
	const char *msg;
	int rc, pass;

	if (!o)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	c->count = 0;
	/* two passes over one snapshot: the extra fields first (CSV needs all
	 * its columns in the header), then the records in order of their id */
	for (pass = 0, rc = WX_OK; pass < 2 && rc == WX_OK; pass++) {
		if (pass == 1 && (rc = wx_out_begin(o)) != WX_OK)
			break;
		rc = wx_cursor_open(t, wx_tb_ids(k), NULL, 0, &cur);
		while (rc == WX_OK && (rc = wx_cursor_next(cur, &key, &val)) == WX_OK) {
			if (val.len != 8 || wx_get(t, wx_tb_records(k), val.data, 8, &rec) != WX_OK) {
				rc = wx_txn_status(t) ? wx_txn_status(t)
						      : wx_txn_fail(t, WX_EDB,
								    "the %s index is damaged (run wexmatch check)",
								    wx_kind_name(k));
				break;
			}
			if (pass == 0) {
				rc = wx_out_note_extras_encoded(o, rec.data, rec.len);
			} else {
				rc = wx_out_record_encoded(o, rec.data, rec.len);
				c->count++;
			}
		}
		wx_cursor_close(cur);
		if (rc == WX_ENOTFOUND)
			rc = WX_OK;
	}
	if (rc == WX_OK)
		rc = wx_out_end(o);
	if (rc != WX_OK && wx_out_status(o, &msg) != WX_OK)
		rc = wx_txn_fail(t, rc, "%s", msg);
	wx_out_free(o);
	return rc;
}

int wx_export(struct wx_store *s, const struct wx_form *form, enum wx_format fmt, FILE *f,
	      unsigned long *count, struct wx_err *err)
{
	struct export_ctx c = { form, fmt, f, 0 };
	int rc = wx_store_read(s, export_fn, &c, err);

	if (count)
		*count = c.count;
	return rc;
}
