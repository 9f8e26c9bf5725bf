/* cmd_records.c: add, edit, show, delete and erase. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/cli.h"
#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/output.h"
#include "wexmatch/record.h"
#include "wexmatch/store.h"
#include "wexmatch/values.h"

/* ---- shared by the commands below ---- */

struct rec_opts {
	int keep_unknown;
	uint64_t expect_version;
	enum wx_format format;
	const struct wx_command *cmd;
};

static int rec_opt(int c, const char *arg, void *vctx)
{
	struct rec_opts *o = vctx;
	char *end;

	switch (c) {
	case 'k':
		o->keep_unknown = 1;
		return WX_EXIT_OK;
	case 'x':
		o->expect_version = strtoull(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || o->expect_version == 0)
			return wx_cli_usage_error(o->cmd, "%s: --expect-version needs a version number",
						  o->cmd->name);
		return WX_EXIT_OK;
	case 'f':
		return wx_cli_format(o->cmd, arg, &o->format);
	default:
		return WX_EXIT_USAGE;
	}
}

static const struct option rec_longopts[] = {
	{ "keep-unknown", no_argument, NULL, 'k' },
	{ "expect-version", required_argument, NULL, 'x' },
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static int parse_kind(const struct wx_command *cmd, const char *arg, enum wx_kind *k)
{
	if (wx_kind_parse(arg, k) != WX_OK)
		return wx_cli_usage_error(cmd,
					  "%s: unknown kind '%s' (expected candidate, placement, ambassador, request or equality)",
					  cmd->name, arg);
	return WX_EXIT_OK;
}

static void print_problem(void *ctx, const char *field, const char *msg)
{
	(void)ctx;
	fputs("wexmatch: ", stderr);
	wx_fputs_escaped(field, stderr);
	fputs(": ", stderr);
	wx_fputs_escaped(msg, stderr);
	fputc('\n', stderr);
}

/* Apply FIELD=VALUE arguments to r.  An empty value removes the field.  A
 * field the form does not define is refused unless keep_unknown, or unless
 * r already holds it as an extra field. */
static int apply_assignments(const struct wx_form *form, struct wx_record *r, int argc,
			     char **argv, int keep_unknown)
{
	int bad = 0;

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char name[256];
		size_t nl;

		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof name) {
			wx_cli_error("'%s': expected FIELD=VALUE", argv[i]);
			bad++;
			continue;
		}
		nl = (size_t)(eq - argv[i]);
		memcpy(name, argv[i], nl);
		name[nl] = '\0';
		if (!wx_form_find(form, name) && !keep_unknown && !wx_record_field(r, name)) {
			wx_cli_error("%s: not a field of the %s form (use --keep-unknown to keep it as an extra field)",
				     name, wx_kind_name(form->kind));
			bad++;
			continue;
		}
		if (eq[1] == '\0')
			wx_record_unset(r, name);
		else if (wx_record_set(r, name, eq + 1, strlen(eq + 1)) != WX_OK) {
			wx_cli_error("out of memory");
			return -1;
		}
	}
	return bad;
}

/* What add, edit and show begin with: the options, KIND (argv[optind]),
 * at least min_args arguments after it, and the forms.  Returns an exit
 * code; *done is set when --help or --version answered already. */
static int prologue(struct wx_global *g, struct rec_opts *o, int argc, char **argv,
		    int min_args, const char *usage, enum wx_kind *kind, struct wx_forms **forms,
		    int *done)
{
	int rc = wx_cli_getopt(g, o->cmd, argc, argv, "", rec_longopts, rec_opt, o, done);

	if (rc != WX_EXIT_OK || *done)
		return rc;
	if (optind + 1 + min_args > argc)
		return wx_cli_usage_error(o->cmd, "%s: %s", o->cmd->name, usage);
	rc = parse_kind(o->cmd, argv[optind], kind);
	return rc == WX_EXIT_OK ? wx_cli_forms(g, forms) : rc;
}

struct save_ctx {
	enum wx_kind kind;
	struct wx_record *rec;      /* the record to save (iid 0: insert) */
	const char *id;             /* for edit: the id to load */
	const struct wx_form *form;
	int argc;
	char **argv;
	int keep_unknown;
	uint64_t expect_version;
	uint64_t loaded_version;    /* edit: the version loaded */
	int invalid;                /* problems found (bad data) */
	int action;                 /* 0 add, 1 edit */
};

static int add_fn(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	const char *id = wx_record_get(c->rec, "id");
	uint64_t iid;

	/* on a retry the record is inserted afresh */
	c->rec->iid = 0;
	c->rec->version = 0;
	if (c->kind == WX_KIND_EQUALITY && id &&
	    wx_record_lookup(t, WX_KIND_CANDIDATE, id, &iid) == WX_ENOTFOUND)
		return wx_txn_fail(t, WX_EDATA,
				   "id: no candidate %s (equality answers belong to a candidate)", id);
	return wx_record_save(t, c->kind, c->rec, 0);
}

int wx_cmd_add(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("add");
	struct rec_opts o = { 0, 0, WX_FMT_DEFAULT, cmd };
	struct save_ctx c;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_record r;
	struct wx_err err;
	enum wx_kind kind;
	int done, rc = prologue(g, &o, argc, argv, 0, "which kind of record?", &kind, &forms, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	wx_record_init(&r);
	memset(&c, 0, sizeof c);
	if (apply_assignments(forms->form[kind], &r, argc - optind - 1, argv + optind + 1,
			      o.keep_unknown) != 0) {
		rc = WX_EXIT_DATA;
		goto out;
	}
	if (wx_form_apply_defaults(forms->form[kind], &r) != WX_OK ||
	    wx_form_check_record(forms->form[kind], &r, print_problem, NULL) != 0) {
		rc = WX_EXIT_DATA;
		goto out;
	}
	rc = wx_cli_open(g, WX_OPEN_CREATE, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out;
	c.kind = kind;
	c.rec = &r;
	wx_err_clear(&err);
	if (wx_store_write(s, add_fn, &c, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
		goto out;
	}
	fprintf(stderr, "added %s ", wx_kind_name(kind));
	wx_fputs_escaped(wx_record_get(&r, "id"), stderr);
	fputc('\n', stderr);
out:
	wx_record_free(&r);
	wx_store_close(s);
	wx_forms_free(forms);
	return rc;
}

static int edit_fn(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	uint64_t base;
	int rc;

	c->invalid = 0;
	rc = wx_record_load_by_id(t, c->kind, c->id, c->rec);
	if (rc == WX_ENOTFOUND)
		return wx_txn_fail(t, WX_ENOTFOUND, "no %s %s", wx_kind_name(c->kind), c->id);
	if (rc != WX_OK)
		return rc;
	c->loaded_version = c->rec->version;
	base = c->expect_version ? c->expect_version : c->rec->version;
	rc = apply_assignments(c->form, c->rec, c->argc, c->argv, c->keep_unknown);
	if (rc < 0)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if (rc == 0)
		rc = (int)wx_form_check_record(c->form, c->rec, print_problem, NULL);
	if (rc != 0) {
		c->invalid = 1;
		return wx_txn_fail(t, WX_EDATA, "%s %s not saved", wx_kind_name(c->kind), c->id);
	}
	return wx_record_save(t, c->kind, c->rec, base);
}

int wx_cmd_edit(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("edit");
	struct rec_opts o = { 0, 0, WX_FMT_DEFAULT, cmd };
	struct save_ctx c;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_record r;
	struct wx_err err;
	enum wx_kind kind;
	int done, rc = prologue(g, &o, argc, argv, 1, "give a kind, an id and FIELD=VALUE changes",
				&kind, &forms, &done);

	if (rc != WX_EXIT_OK || done)
		goto out_forms;
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out_forms;
	wx_record_init(&r);
	memset(&c, 0, sizeof c);
	c.kind = kind;
	c.rec = &r;
	c.id = argv[optind + 1];
	c.form = forms->form[kind];
	c.argc = argc - optind - 2;
	c.argv = argv + optind + 2;
	c.keep_unknown = o.keep_unknown;
	c.expect_version = o.expect_version;
	wx_err_clear(&err);
	if (wx_store_write(s, edit_fn, &c, &err) != WX_OK) {
		rc = c.invalid ? WX_EXIT_DATA : wx_cli_fail(&err);
		goto out;
	}
	fprintf(stderr, "%s %s ", r.version != c.loaded_version ? "saved" : "unchanged",
		wx_kind_name(kind));
	wx_fputs_escaped(c.id, stderr);
	fprintf(stderr, " (version %llu)\n", (unsigned long long)r.version);
out:
	wx_record_free(&r);
	wx_store_close(s);
out_forms:
	wx_forms_free(forms);
	return rc;
}

/* ---- show ---- */

struct load_ctx {
	enum wx_kind kind;
	const char *id;
	struct wx_record *rec;
};

static int load_fn(struct wx_txn *t, void *vctx)
{
	struct load_ctx *c = vctx;
	int rc = wx_record_load_by_id(t, c->kind, c->id, c->rec);

	if (rc == WX_ENOTFOUND)
		return wx_txn_fail(t, WX_ENOTFOUND, "no %s %s", wx_kind_name(c->kind), c->id);
	return rc;
}

static void show_table(const struct wx_form *form, const struct wx_record *r, FILE *f)
{
	size_t w = 0, i;
	char when[40], pad[512];

	for (i = 0; i < form->n; i++) {
		size_t lw = wx_text_width(form->f[i].label);

		if (lw > w)
			w = lw;
	}
	for (i = 0; i < r->n; i++)
		if (!wx_form_find(form, r->f[i].name) && strlen(r->f[i].name) > w)
			w = strlen(r->f[i].name);
	if (w > 40)
		w = 40;
	wx_format_utc(r->mtime_ns, when, sizeof when);
	fprintf(f, "%s ", wx_kind_name(form->kind));
	wx_fputs_escaped(wx_record_get(r, "id"), f);
	fprintf(f, "  (version %llu, saved by ", (unsigned long long)r->version);
	wx_fputs_escaped(r->muser, f);
	fprintf(f, " at %s)\n", when);
	for (i = 0; i < form->n; i++) {
		const struct wx_field *v = wx_record_field(r, form->f[i].name);
		char *label = wx_escape(form->f[i].label, strlen(form->f[i].label));

		fprintf(f, "  %s: ", wx_text_fit(label ? label : "?", w, pad, sizeof pad));
		free(label);
		if (v)
			wx_fputs_escaped(v->value, f);
		fputc('\n', f);
	}
	for (i = 0; i < r->n; i++) {
		char *name, *val;

		if (wx_form_find(form, r->f[i].name))
			continue;
		name = wx_escape(r->f[i].name, strlen(r->f[i].name));
		val = wx_escape(r->f[i].value, r->f[i].vlen);
		fprintf(f, "  %s: %s  (extra field)\n", wx_text_fit(name ? name : "?", w, pad, sizeof pad),
			val ? val : "?");
		free(name);
		free(val);
	}
}

int wx_cmd_show(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("show");
	struct rec_opts o = { 0, 0, WX_FMT_DEFAULT, cmd };
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_record r;
	struct load_ctx c;
	struct wx_err err;
	enum wx_kind kind;
	int done, rc = prologue(g, &o, argc, argv, 1, "give a kind and an id", &kind, &forms, &done);

	if (rc != WX_EXIT_OK || done)
		goto out_forms;
	if (optind + 2 != argc) {
		rc = wx_cli_usage_error(cmd, "show: give a kind and an id");
		goto out_forms;
	}
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out_forms;
	wx_record_init(&r);
	c.kind = kind;
	c.id = argv[optind + 1];
	c.rec = &r;
	wx_err_clear(&err);
	if (wx_store_read(s, load_fn, &c, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
	} else if (wx_cli_default_format(o.format, stdout) == WX_FMT_TABLE) {
		show_table(forms->form[kind], &r, stdout);
	} else {
		struct wx_data_out d;
		struct wx_out *out = wx_out_new(wx_cli_data_begin(&d),
						wx_cli_default_format(o.format, stdout),
						forms->form[kind]);

		rc = out && wx_out_note_extras(out, &r) == WX_OK && wx_out_begin(out) == WX_OK &&
				     wx_out_record(out, &r) == WX_OK && wx_out_end(out) == WX_OK
			     ? WX_EXIT_OK : WX_EXIT_DATA;
		wx_out_free(out);
		wx_cli_data_end(&d);
	}
	wx_record_free(&r);
	wx_store_close(s);
out_forms:
	wx_forms_free(forms);
	return rc;
}

/* ---- delete and erase ---- */

struct remove_ctx {
	enum wx_kind kind;
	const char *id;
	uint64_t expect_version;
	int erase;
};

static int remove_fn(struct wx_txn *t, void *vctx)
{
	struct remove_ctx *c = vctx;
	uint64_t iid;
	int rc;

	if (c->erase)
		rc = wx_record_erase(t, c->id);
	else if ((rc = wx_record_lookup(t, c->kind, c->id, &iid)) == WX_OK)
		rc = wx_record_delete(t, c->kind, iid, c->expect_version);
	if (rc == WX_ENOTFOUND)
		return wx_txn_fail(t, WX_ENOTFOUND, "no %s %s", wx_kind_name(c->kind), c->id);
	return rc;
}

static int remove_command(struct wx_global *g, int argc, char **argv, int erase)
{
	const struct wx_command *cmd = wx_cli_find(erase ? "erase" : "delete");
	struct rec_opts o = { 0, 0, WX_FMT_DEFAULT, cmd };
	struct remove_ctx c;
	struct wx_store *s;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, "", rec_longopts, rec_opt, &o, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 2 != argc)
		return wx_cli_usage_error(cmd, "%s: give a kind and an id", cmd->name);
	rc = parse_kind(cmd, argv[optind], &c.kind);
	if (rc != WX_EXIT_OK)
		return rc;
	if (erase && c.kind != WX_KIND_CANDIDATE)
		return wx_cli_usage_error(cmd, "erase: only a candidate can be erased (use delete)");
	c.id = argv[optind + 1];
	c.expect_version = o.expect_version;
	c.erase = erase;
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_store_write(s, remove_fn, &c, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
	} else {
		fprintf(stderr, "%s %s ", erase ? "erased" : "deleted", wx_kind_name(c.kind));
		wx_fputs_escaped(c.id, stderr);
		fputc('\n', stderr);
		if (erase)
			fprintf(stderr, "The record and its equality answers are gone; the audit log keeps a tombstone\n"
					"with no personal data.  Backups taken before now still hold them.\n");
	}
	wx_store_close(s);
	return rc;
}

int wx_cmd_delete(struct wx_global *g, int argc, char **argv)
{
	return remove_command(g, argc, argv, 0);
}

int wx_cmd_erase(struct wx_global *g, int argc, char **argv)
{
	return remove_command(g, argc, argv, 1);
}
