/* cmd_policy.c: policy show [--version N] | check FILE | set FILE. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/atomicfile.h"
#include "wexmatch/cli.h"
#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/policy.h"
#include "wexmatch/policystore.h"
#include "wexmatch/values.h"

struct policy_opts {
	const struct wx_command *cmd;
	uint32_t version;
};

static int policy_opt(int c, const char *arg, void *vctx)
{
	struct policy_opts *o = vctx;
	char *end;
	unsigned long v;

	if (c != 'v')
		return WX_EXIT_USAGE;
	v = strtoul(arg, &end, 10);
	if (*arg < '1' || *arg > '9' || *end != '\0' || v > UINT32_MAX)
		return wx_cli_usage_error(o->cmd, "policy: --version needs a version number");
	o->version = (uint32_t)v;
	return WX_EXIT_OK;
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	wx_fputs_escaped(msg, stderr);
	fputc('\n', stderr);
}

/* Read and check FILE; on success *out is the parsed policy and *text its bytes. */
int wx_cli_policy_file(struct wx_global *g, const char *path, struct wx_forms **forms,
		       struct wx_policy **out, char **text, size_t *len)
{
	struct wx_err err;
	int rc = *forms ? WX_EXIT_OK : wx_cli_forms(g, forms);

	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_read_all(path, text, len, &err) != WX_OK)
		return wx_cli_fail(&err);
	rc = wx_policy_parse(out, strcmp(path, "-") == 0 ? "<stdin>" : path, *text, *len, *forms,
			     print_problem, NULL, &err);
	if (rc == WX_EDATA)
		return WX_EXIT_DATA;   /* every problem is printed already */
	return rc == WX_OK ? WX_EXIT_OK : wx_cli_fail(&err);
}

struct set_ctx {
	const char *text;
	size_t len;
	uint32_t version;
	struct wx_stored_policy got;
	uint32_t want;
};

static int set_fn(struct wx_txn *t, void *vctx)
{
	struct set_ctx *c = vctx;

	return wx_policy_store_set(t, c->text, c->len, &c->version);
}

static int get_fn(struct wx_txn *t, void *vctx)
{
	struct set_ctx *c = vctx;

	wx_stored_policy_free(&c->got);
	return wx_policy_store_get(t, c->want, &c->got);
}

static void describe(const struct wx_policy *p, FILE *f)
{
	fprintf(f, "%zu rules, cap %d, %zu reserve categor%s, fill order %s", wx_policy_nrules(p),
		wx_policy_cap(p), wx_policy_ncategories(p),
		wx_policy_ncategories(p) == 1 ? "y" : "ies",
		wx_policy_fill_name(wx_policy_fill_order(p)));
}

int wx_cmd_policy(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct policy_opts o = { wx_cli_find("policy"), 0 };
	struct wx_forms *forms = NULL;
	struct wx_policy *pol = NULL;
	struct wx_store *s = NULL;
	struct set_ctx c;
	struct wx_err err;
	const char *sub;
	char *text = NULL;
	size_t len = 0;
	int done, rc = wx_cli_getopt(g, o.cmd, argc, argv, "", opts, policy_opt, &o, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind >= argc)
		return wx_cli_usage_error(o.cmd, "policy: show, check FILE or set FILE?");
	sub = argv[optind];
	memset(&c, 0, sizeof c);
	wx_err_clear(&err);
	if (strcmp(sub, "check") == 0 || strcmp(sub, "set") == 0) {
		if (optind + 2 != argc)
			return wx_cli_usage_error(o.cmd, "policy %s: give one FILE (- for standard input)",
						  sub);
		rc = wx_cli_policy_file(g, argv[optind + 1], &forms, &pol, &text, &len);
		if (rc == WX_EXIT_OK && sub[0] == 'c') {
			fprintf(stderr, "%s: a valid policy: ", argv[optind + 1]);
			describe(pol, stderr);
			fputc('\n', stderr);
		} else if (rc == WX_EXIT_OK) {
			rc = wx_cli_open(g, WX_OPEN_CREATE, NULL, &s);
			c.text = text;
			c.len = len;
			if (rc == WX_EXIT_OK && wx_store_write(s, set_fn, &c, &err) != WX_OK)
				rc = wx_cli_fail(&err);
			if (rc == WX_EXIT_OK)
				fprintf(stderr, "policy version %u set\n", (unsigned)c.version);
		}
	} else if (strcmp(sub, "show") == 0) {
		if (optind + 1 != argc)
			return wx_cli_usage_error(o.cmd, "policy show: unexpected argument %s",
						  argv[optind + 1]);
		rc = wx_cli_open(g, 0, NULL, &s);
		c.want = o.version;
		if (rc == WX_EXIT_OK) {
			int gr = wx_store_read(s, get_fn, &c, &err);

			if (gr == WX_OK) {
				char when[40];

				wx_format_utc(c.got.time_ns, when, sizeof when);
				printf("# policy version %u, set by ", (unsigned)c.got.version);
				wx_fputs_escaped(c.got.user, stdout);
				printf(" at %s\n", when);
				/* the text as stored, escaped line by line */
				for (const char *p = c.got.text; *p;) {
					const char *nl = strchr(p, '\n');
					size_t n = nl ? (size_t)(nl - p) : strlen(p);
					char *e = wx_escape(p, n);

					printf("%s\n", e ? e : "?");
					free(e);
					p += n + (nl != NULL);
				}
			} else if (gr == WX_ENOTFOUND && o.version) {
				wx_cli_error("policy: no version %u", (unsigned)o.version);
				rc = WX_EXIT_DATA;
			} else if (gr == WX_ENOTFOUND) {
				printf("# the shipped default policy (none has been set)\n%s",
				       wx_policy_default_text());
			} else {
				rc = wx_cli_fail(&err);
			}
		}
	} else {
		return wx_cli_usage_error(o.cmd, "policy: unknown action '%s' (expected show, check or set)",
					  sub);
	}
	wx_stored_policy_free(&c.got);
	wx_policy_free(pol);
	free(text);
	wx_store_close(s);
	wx_forms_free(forms);
	return rc;
}
