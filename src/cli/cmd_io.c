/* cmd_io.c: import and export. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/atomicfile.h"
#include "wexmatch/cli.h"
#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/import.h"
#include "wexmatch/output.h"

struct io_opts {
	const struct wx_command *cmd;
	enum wx_format format;
	const char *output;
	const char *rejects;
	struct wx_import_opts imp;
};

static int io_opt(int c, const char *arg, void *vctx)
{
	struct io_opts *o = vctx;

	switch (c) {
	case 'f':
		if (wx_cli_format(o->cmd, arg, &o->format) != WX_EXIT_OK)
			return WX_EXIT_USAGE;
		if (o->format == WX_FMT_TABLE)
			return wx_cli_usage_error(o->cmd, "%s: --format is csv or json", o->cmd->name);
		return WX_EXIT_OK;
	case 'o':
		o->output = arg;
		return WX_EXIT_OK;
	case 'n':
		o->imp.dry_run = 1;
		return WX_EXIT_OK;
	case 's':
		o->imp.skip_invalid = 1;
		return WX_EXIT_OK;
	case 'r':
		o->rejects = arg;
		return WX_EXIT_OK;
	case 'u':
		o->imp.update = 1;
		return WX_EXIT_OK;
	case 'k':
		o->imp.keep_unknown = 1;
		return WX_EXIT_OK;
	default:
		return WX_EXIT_USAGE;
	}
}

static const struct option io_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "skip-invalid", no_argument, NULL, 's' },
	{ "rejects", required_argument, NULL, 'r' },
	{ "update", no_argument, NULL, 'u' },
	{ "keep-unknown", no_argument, NULL, 'k' },
	{ NULL, 0, NULL, 0 }
};

/* Print each line of text to stderr, escaped line by line. */
static void print_lines(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *e = wx_escape(p, n);

		fprintf(stderr, "%s\n", e ? e : "(out of memory)");
		free(e);
		p += n + 1;
	}
}

static int write_file(const char *path, const char *data, size_t len, struct wx_err *err)
{
	struct wx_atomic a;
	int rc = wx_atomic_open(&a, path, err);

	if (rc != WX_OK)
		return rc;
	fwrite(data, 1, len, a.f);
	return wx_atomic_commit(&a, err);
}

static enum wx_format guess_format(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && strcmp(path + n - 5, ".json") == 0 ? WX_FMT_JSON : WX_FMT_CSV;
}

int wx_cmd_import(struct wx_global *g, int argc, char **argv)
{
	struct io_opts o;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_import_result res;
	struct wx_err err;
	enum wx_kind kind;
	const char *path;
	char *buf = NULL;
	size_t len;
	int done, rc;

	memset(&o, 0, sizeof o);
	memset(&res, 0, sizeof res);
	o.cmd = wx_cli_find("import");
	rc = wx_cli_getopt(g, o.cmd, argc, argv, "f:", io_longopts, io_opt, &o, &done);
	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 2 != argc)
		return wx_cli_usage_error(o.cmd, "import: give a kind and a FILE (- for standard input)");
	if (wx_kind_parse(argv[optind], &kind) != WX_OK)
		return wx_cli_usage_error(o.cmd, "import: unknown kind '%s'", argv[optind]);
	if (o.imp.skip_invalid != (o.rejects != NULL))
		return wx_cli_usage_error(o.cmd,
					  "import: --skip-invalid and --rejects FILE go together (rejected records must go somewhere)");
	if (o.output)
		return wx_cli_usage_error(o.cmd, "import: -o is for export");
	path = argv[optind + 1];
	o.imp.format = o.format != WX_FMT_DEFAULT ? o.format : guess_format(path);
	o.imp.filename = strcmp(path, "-") == 0 ? "<stdin>" : path;
	rc = wx_cli_forms(g, &forms);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_read_all(path, &buf, &len, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
		goto out;
	}
	rc = wx_cli_open(g, WX_OPEN_CREATE, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out;
	rc = wx_import(s, forms->form[kind], &o.imp, buf, len, &res, &err);
	if (res.problem_len)
		print_lines(res.problem_text, res.problem_len);
	if (rc != WX_OK) {
		rc = wx_cli_fail(&err);
		goto out;
	}
	wx_err_clear(&err);
	if (o.rejects && !o.imp.dry_run &&
	    write_file(o.rejects, res.rejects, res.rejects_len, &err) != WX_OK) {
		/* the records are stored; say loudly that the rejects are not */
		wx_cli_error("the valid records were stored, but the rejected ones could not be written: %s",
			     err.msg);
		rc = WX_EXIT_DATA;
		goto out;
	}
	fprintf(stderr, "%s%lu %s%s read: %lu added, %lu updated, %lu unchanged, %lu rejected\n",
		o.imp.dry_run ? "dry run, nothing stored: " : "", res.records, wx_kind_name(kind),
		res.records == 1 ? "" : "s", res.added, res.updated, res.unchanged, res.rejected);
	rc = WX_EXIT_OK;
out:
	wx_import_result_free(&res);
	free(buf);
	wx_store_close(s);
	wx_forms_free(forms);
	return rc;
}

int wx_cmd_export(struct wx_global *g, int argc, char **argv)
{
	struct io_opts o;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_atomic a;
	struct wx_data_out d;
	struct wx_err err;
	enum wx_kind kind;
	unsigned long count = 0;
	FILE *f = NULL;
	int done, rc;

	memset(&o, 0, sizeof o);
	memset(&a, 0, sizeof a);
	o.cmd = wx_cli_find("export");
	rc = wx_cli_getopt(g, o.cmd, argc, argv, "f:o:", io_longopts, io_opt, &o, &done);
	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 1 != argc)
		return wx_cli_usage_error(o.cmd, "export: give one kind");
	if (wx_kind_parse(argv[optind], &kind) != WX_OK)
		return wx_cli_usage_error(o.cmd, "export: unknown kind '%s'", argv[optind]);
	if (o.imp.dry_run || o.imp.skip_invalid || o.rejects || o.imp.update || o.imp.keep_unknown)
		return wx_cli_usage_error(o.cmd, "export: that option is for import");
	if (o.format == WX_FMT_DEFAULT)
		o.format = o.output ? guess_format(o.output) : WX_FMT_CSV;
	rc = wx_cli_forms(g, &forms);
	if (rc != WX_EXIT_OK)
		return rc;
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		goto out;
	wx_err_clear(&err);
	if (o.output && strcmp(o.output, "-") != 0) {
		if (wx_atomic_open(&a, o.output, &err) != WX_OK) {
			rc = wx_cli_fail(&err);
			goto out;
		}
		f = a.f;
	}
	if (!f)
		f = wx_cli_data_begin(&d);
	if (wx_export(s, forms->form[kind], o.format, f, &count, &err) != WX_OK) {
		if (a.f) {
			/* say which file: the message alone says only "output" */
			wx_atomic_abort(&a);
			wx_cli_error("%s: %s", o.output, err.msg);
			rc = wx_exit_code(err.code);
		} else {
			wx_cli_data_end(&d);
			rc = wx_cli_fail(&err);
		}
		goto out;
	}
	if (!a.f)
		wx_cli_data_end(&d);
	if (a.f && wx_atomic_commit(&a, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
		goto out;
	}
	if (a.path == NULL && o.output)
		fprintf(stderr, "exported %lu %s%s\n", count, wx_kind_name(kind), count == 1 ? "" : "s");
out:
	wx_store_close(s);
	wx_forms_free(forms);
	return rc;
}
