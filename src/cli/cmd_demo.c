/* cmd_demo.c: demo [--candidates N] [--placements N] [--ambassadors N]
 * [--requests N] [--seed S] [--max-choices K]. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wexmatch/cli.h"
#include "wexmatch/demo.h"
#include "wexmatch/form.h"

struct demo_cli {
	const struct wx_command *cmd;
	struct wx_demo_opts o;
};

static int parse_count(const struct wx_command *cmd, const char *opt, const char *arg,
		       unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*arg < '0' || *arg > '9')
		return wx_cli_usage_error(cmd, "demo: %s needs a number", opt);
	v = strtoul(arg, &end, 10);
	if (*end != '\0' || v > max)
		return wx_cli_usage_error(cmd, "demo: %s needs a number from 0 to %lu", opt, max);
	*out = v;
	return WX_EXIT_OK;
}

static int demo_opt(int c, const char *arg, void *vctx)
{
	struct demo_cli *d = vctx;
	unsigned long v;
	int rc;

	switch (c) {
	case 'c':
		return parse_count(d->cmd, "--candidates", arg, 100000000, &d->o.candidates);
	case 'p':
		return parse_count(d->cmd, "--placements", arg, 10000000, &d->o.placements);
	case 'a':
		return parse_count(d->cmd, "--ambassadors", arg, 10000000, &d->o.ambassadors);
	case 'r':
		return parse_count(d->cmd, "--requests", arg, 10000000, &d->o.requests);
	case 's':
		rc = parse_count(d->cmd, "--seed", arg, (unsigned long)-1, &v);
		d->o.seed = v;
		return rc;
	case 'k':
		rc = parse_count(d->cmd, "--max-choices", arg, 10, &v);
		if (rc == WX_EXIT_OK && v == 0)
			return wx_cli_usage_error(d->cmd, "demo: --max-choices needs 1 to 10");
		d->o.max_choices = (unsigned)v;
		return rc;
	default:
		return WX_EXIT_USAGE;
	}
}

static void progress(void *ctx, const char *what, unsigned long done, unsigned long total)
{
	(void)ctx;
	fprintf(stderr, "\rdemo: %s %lu/%lu", what, done, total);
	if (done == total)
		fputc('\n', stderr);
}

int wx_cmd_demo(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "candidates", required_argument, NULL, 'c' },
		{ "placements", required_argument, NULL, 'p' },
		{ "ambassadors", required_argument, NULL, 'a' },
		{ "requests", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "max-choices", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct demo_cli d;
	struct wx_forms *forms = NULL;
	struct wx_store *s = NULL;
	struct wx_err err;
	int done, rc;

	memset(&d, 0, sizeof d);
	d.cmd = wx_cli_find("demo");
	d.o.candidates = 500;
	d.o.placements = 60;
	d.o.ambassadors = 40;
	d.o.requests = 30;
	d.o.seed = 1;
	d.o.max_choices = 5;
	rc = wx_cli_getopt(g, d.cmd, argc, argv, "", opts, demo_opt, &d, &done);
	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind != argc)
		return wx_cli_usage_error(d.cmd, "demo: unexpected argument %s", argv[optind]);
	rc = wx_cli_forms(g, &forms);
	if (rc != WX_EXIT_OK)
		return rc;
	rc = wx_cli_open(g, WX_OPEN_CREATE, NULL, &s);
	if (rc == WX_EXIT_OK) {
		wx_err_clear(&err);
		if (wx_demo_fill(s, forms, &d.o, isatty(STDERR_FILENO) ? progress : NULL, NULL,
				 &err) != WX_OK)
			rc = wx_cli_fail(&err);
		else
			fprintf(stderr,
				"demo: %lu candidates, %lu placements, %lu ambassadors, %lu requests (seed %llu)\n",
				d.o.candidates, d.o.placements, d.o.ambassadors, d.o.requests,
				(unsigned long long)d.o.seed);
	}
	wx_store_close(s);
	wx_forms_free(forms);
	return rc;
}
