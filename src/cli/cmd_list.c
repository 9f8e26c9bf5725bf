/* cmd_list.c: list KIND [--where ...]... [--sort FIELD] [--format ...].
 *
 * The query collects the matching internal ids in one snapshot; the records
 * are then fetched and written in batches, each in its own short read
 * transaction, so a slow reader of our output (a pager, a slow link) never
 * holds a snapshot open.  A record deleted between batches is skipped. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/cli.h"
#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/keys.h"
#include "wexmatch/output.h"
#include "wexmatch/query.h"
#include "wexmatch/record.h"

#define BATCH 1000

struct list_opts {
	const struct wx_command *cmd;
	enum wx_format format;
	size_t nwhere;
	const char *where[64];
	const char *sort;
};

static int list_opt(int c, const char *arg, void *vctx)
{
	struct list_opts *o = vctx;

	switch (c) {
	case 'w':
		if (o->nwhere == sizeof o->where / sizeof o->where[0])
			return wx_cli_usage_error(o->cmd, "list: too many --where conditions");
		o->where[o->nwhere++] = arg;
		return WX_EXIT_OK;
	case 's':
		o->sort = arg;
		return WX_EXIT_OK;
	case 'f':
		return wx_cli_format(o->cmd, arg, &o->format);
	default:
		return WX_EXIT_USAGE;
	}
}

/* The columns of the table: list_column fields, or id alone. */
struct table {
	const struct wx_form *form;
	size_t n;
	const struct wx_form_field *col[64];
};

static void table_setup(struct table *t, const struct wx_form *form)
{
	t->form = form;
	t->n = 0;
	for (size_t i = 0; i < form->n && t->n < 64; i++)
		if (form->f[i].list_column)
			t->col[t->n++] = &form->f[i];
	if (t->n == 0)
		t->col[t->n++] = wx_form_find(form, "id");
}

static size_t col_width(const struct wx_form_field *f)
{
	return (size_t)(f->list_width > 0 ? f->list_width : f->width > 20 ? 20 : f->width);
}

static void table_cell(const char *text, size_t len, size_t width, int last, FILE *out)
{
	char *e = wx_escape(text, len), buf[1024];

	wx_text_fit(e ? e : "?", width, buf, sizeof buf);
	if (last) {
		/* no padding at the end of a line */
		size_t n = strlen(buf);

		while (n > 0 && buf[n - 1] == ' ')
			buf[--n] = '\0';
	}
	fputs(buf, out);
	if (!last)
		fputs("  ", out);
	free(e);
}

static void table_header(const struct table *t, FILE *out)
{
	for (size_t i = 0; i < t->n; i++)
		table_cell(t->col[i]->label, strlen(t->col[i]->label), col_width(t->col[i]),
			   i + 1 == t->n, out);
	fputc('\n', out);
}

static void table_row(const struct table *t, const void *buf, size_t len, FILE *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *v = "";
		size_t vl = 0;

		/* a field the record lacks (or a damaged one) shows empty:
		 * peek leaves v pointing elsewhere when it fails */
		if (wx_record_peek(buf, len, t->col[i]->name, &v, &vl) != WX_OK) {
			v = "";
			vl = 0;
		}
		table_cell(v, vl, col_width(t->col[i]), i + 1 == t->n, out);
	}
	fputc('\n', out);
}

struct batch_ctx {
	enum wx_kind kind;
	const uint64_t *iids;
	size_t n;
	int pass;              /* 0: note extra fields, 1: write */
	struct wx_out *out;
	const struct table *table;
	FILE *f;
};

static int batch_fn(struct wx_txn *t, void *vctx)
{
	struct batch_ctx *c = vctx;

	for (size_t i = 0; i < c->n; i++) {
		unsigned char key[8];
		struct wx_val v;
		int rc;

		wx_put_be64(key, c->iids[i]);
		rc = wx_get(t, wx_tb_records(c->kind), key, 8, &v);
		if (rc == WX_ENOTFOUND)
			continue;   /* deleted since the query ran */
		if (rc != WX_OK)
			return rc;
		if (c->table)
			table_row(c->table, v.data, v.len, c->f);
		else if (c->pass == 0)
			rc = wx_out_note_extras_encoded(c->out, v.data, v.len);
		else
			rc = wx_out_record_encoded(c->out, v.data, v.len);
		if (rc != WX_OK)
			return wx_txn_fail(t, rc, "error writing the list");
	}
	return WX_OK;
}

static int for_each_batch(struct wx_store *s, struct batch_ctx *c, const uint64_t *iids,
			  size_t n, struct wx_err *err)
{
	for (size_t at = 0; at < n; at += BATCH) {
		int rc;

		c->iids = iids + at;
		c->n = n - at < BATCH ? n - at : BATCH;
		rc = wx_store_read(s, batch_fn, c, err);
		if (rc != WX_OK)
			return rc;
	}
	return WX_OK;
}

int wx_cmd_list(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "where", required_argument, NULL, 'w' },
		{ "sort", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const struct wx_command *cmd = wx_cli_find("list");
	struct list_opts o;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_query q;
	struct batch_ctx bc;
	struct table table;
	struct wx_err err;
	enum wx_kind kind;
	uint64_t *iids = NULL;
	size_t n = 0;
	int done, rc;

	memset(&o, 0, sizeof o);
	o.cmd = cmd;
	rc = wx_cli_getopt(g, cmd, argc, argv, "w:s:f:", opts, list_opt, &o, &done);
	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 1 != argc)
		return wx_cli_usage_error(cmd, "list: give one kind");
	if (wx_kind_parse(argv[optind], &kind) != WX_OK)
		return wx_cli_usage_error(cmd, "list: unknown kind '%s'", argv[optind]);
	rc = wx_cli_forms(g, &forms);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_query_init(&q, forms->form[kind]);
	wx_err_clear(&err);
	for (size_t i = 0; i < o.nwhere; i++)
		if (wx_query_where(&q, o.where[i], &err) != WX_OK) {
			rc = wx_cli_usage_error(cmd, "list: --where %s", err.msg);
			goto out;
		}
	if (o.sort && wx_query_sort(&q, o.sort, &err) != WX_OK) {
		rc = wx_cli_usage_error(cmd, "list: --sort: %s", err.msg);
		goto out;
	}
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out;
	if (wx_query_run(s, &q, &iids, &n, &err) != WX_OK) {
		/* a runaway pattern is the pattern's fault: bad usage */
		rc = err.code == WX_EDATA ? (wx_cli_error("list: %s", err.msg), WX_EXIT_USAGE)
					  : wx_cli_fail(&err);
		goto out;
	}
	memset(&bc, 0, sizeof bc);
	bc.kind = kind;
	bc.f = stdout;
	o.format = wx_cli_default_format(o.format, stdout);
	if (o.format == WX_FMT_TABLE) {
		table_setup(&table, forms->form[kind]);
		bc.table = &table;
		table_header(&table, stdout);
		rc = for_each_batch(s, &bc, iids, n, &err);
	} else {
		struct wx_data_out d;

		bc.out = wx_out_new(wx_cli_data_begin(&d), o.format, forms->form[kind]);
		if (!bc.out) {
			rc = wx_err_set(&err, WX_ENOMEM, "out of memory");
		} else {
			rc = for_each_batch(s, &bc, iids, n, &err);
			if (rc == WX_OK && (rc = wx_out_begin(bc.out)) == WX_OK) {
				bc.pass = 1;
				rc = for_each_batch(s, &bc, iids, n, &err);
			}
			if (rc == WX_OK)
				rc = wx_out_end(bc.out);
			wx_out_free(bc.out);
		}
		wx_cli_data_end(&d);
	}
	rc = rc == WX_OK ? WX_EXIT_OK : wx_cli_fail(&err);
	if (rc == WX_EXIT_OK && o.format == WX_FMT_TABLE)
		fprintf(stderr, "%zu %s%s\n", n, wx_kind_name(kind), n == 1 ? "" : "s");
out:
	free(iids);
	wx_store_close(s);
	wx_query_free(&q);
	wx_forms_free(forms);
	return rc;
}
