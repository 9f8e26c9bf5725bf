/* cmd_store.c: init, stats, check and backup. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "wexmatch/check.h"
#include "wexmatch/cli.h"
#include "wexmatch/dbpath.h"
#include "wexmatch/escape.h"
#include "wexmatch/store.h"

static void print_path_line(const char *label, const char *path)
{
	printf("%s: ", label);
	wx_fputs_escaped(path, stdout);
	putchar('\n');
}

/* ---- init ---- */

static int init_opt(int c, const char *arg, void *ctx)
{
	const char **group = ctx;

	if (c != 'g')
		return WX_EXIT_USAGE;
	*group = arg;
	return WX_EXIT_OK;
}

int wx_cmd_init(struct wx_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	const struct wx_command *cmd = wx_cli_find("init");
	const char *group = NULL;
	struct wx_store *s;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, "g:", opts, init_opt, &group, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc)
		return wx_cli_usage_error(cmd, "init: unexpected argument %s", argv[optind]);
	rc = wx_cli_open(g, WX_OPEN_CREATE, group, &s);
	if (rc != WX_EXIT_OK)
		return rc;
	printf("initialised ");
	wx_fputs_escaped(wx_store_dir(s), stdout);
	if (group) {
		printf(" (shared with group ");
		wx_fputs_escaped(group, stdout);
		printf(")");
	}
	putchar('\n');
	wx_store_close(s);
	return WX_EXIT_OK;
}

/* ---- stats ---- */

int wx_cmd_stats(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("stats");
	struct wx_store_stats st;
	struct wx_store *s;
	struct wx_err err;
	char *forms;
	struct stat fst;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, NULL, NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc)
		return wx_cli_usage_error(cmd, "stats: unexpected argument %s", argv[optind]);
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_store_stats(s, &st, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
		wx_store_close(s);
		return rc;
	}
	print_path_line("database", wx_store_dir(s));
	printf("schema: %u\n", st.schema);
	for (int k = 0; k < WX_KIND_COUNT; k++)
		printf("%s: %llu\n", wx_kind_name((enum wx_kind)k),
		       (unsigned long long)st.records[k]);
	printf("audit entries: %llu\n", (unsigned long long)st.audit_entries);
	printf("file size: %llu bytes\n", (unsigned long long)st.file_bytes);
	printf("map size: %llu bytes\n", (unsigned long long)st.map_bytes);
	printf("in use: %llu bytes\n", (unsigned long long)st.used_bytes);
	printf("reader slots in use: %u of %u\n", st.readers_used, st.readers_max);
	forms = wx_forms_dir(g->forms);
	if (forms) {
		print_path_line("forms", forms);
		if (stat(forms, &fst) != 0 || !S_ISDIR(fst.st_mode))
			wx_cli_error("the forms directory %s does not exist", forms);
		free(forms);
	}
	wx_store_close(s);
	return WX_EXIT_OK;
}

/* ---- check ---- */

static void report_problem(void *ctx, const char *msg)
{
	(void)ctx;
	printf("problem: ");
	wx_fputs_escaped(msg, stdout);
	putchar('\n');
}

int wx_cmd_check(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("check");
	struct wx_check_result res;
	struct wx_store *s;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, NULL, NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind < argc)
		return wx_cli_usage_error(cmd, "check: unexpected argument %s", argv[optind]);
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_check(s, report_problem, NULL, &res, &err) != WX_OK) {
		rc = wx_cli_fail(&err);
		wx_store_close(s);
		return rc;
	}
	printf("checked %llu records, %llu index entries, %llu audit entries: %llu problem%s\n",
	       (unsigned long long)res.records, (unsigned long long)res.index_entries,
	       (unsigned long long)res.audit_entries, (unsigned long long)res.problems,
	       res.problems == 1 ? "" : "s");
	wx_store_close(s);
	return res.problems ? WX_EXIT_DATA : WX_EXIT_OK;
}

/* ---- backup ---- */

int wx_cmd_backup(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("backup");
	struct wx_store *s;
	struct wx_err err;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, NULL, NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind + 1 != argc)
		return wx_cli_usage_error(cmd, "backup: give exactly one FILE");
	rc = wx_cli_open(g, 0, NULL, &s);
	if (rc != WX_EXIT_OK)
		return rc;
	wx_err_clear(&err);
	if (wx_store_backup(s, argv[optind], &err) != WX_OK) {
		rc = wx_cli_fail(&err);
	} else {
		printf("backed up ");
		wx_fputs_escaped(wx_store_dir(s), stdout);
		printf(" to ");
		wx_fputs_escaped(argv[optind], stdout);
		putchar('\n');
	}
	wx_store_close(s);
	return rc;
}
