/* cli.h: the batch front end.  Every command is a row in one table (main.c)
 * giving its name, a one-line summary, its usage text and its handler; the
 * general --help and each command's --help are generated from that table.
 * The batch path never initialises curses. */
#ifndef WEXMATCH_CLI_H
#define WEXMATCH_CLI_H

#include <stdio.h>

#include "wexmatch/error.h"
#include "wexmatch/output.h"

/* Options every command accepts, before or after the command name. */
struct wx_global {
	const char *db;       /* --db DIR */
	const char *forms;    /* --forms DIR */
	const char *prog;     /* "wexmatch" */
};

struct wx_command {
	const char *name;
	const char *args;     /* synopsis after the name, e.g. "[--group NAME]" */
	const char *summary;  /* one line for the command list */
	const char *help;     /* the rest of `wexmatch CMD --help` */
	/* argv[0] is the command name; returns an exit code (enum wx_exit). */
	int (*run)(struct wx_global *g, int argc, char **argv);
};

/* Parse a command's options: the command's own long options plus the
 * global ones.  Handles --help (prints the command's help, returns 0 with
 * *done set).  Returns WX_EXIT_OK or WX_EXIT_USAGE (message printed). */
struct option;
int wx_cli_getopt(struct wx_global *g, const struct wx_command *cmd, int argc,
		  char **argv, const char *shortopts, const struct option *longopts,
		  int (*on_opt)(int c, const char *arg, void *ctx), void *ctx, int *done);

/* Print "wexmatch: MESSAGE" to stderr, escaped. */
void wx_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report err to stderr and return its exit code. */
int wx_cli_fail(const struct wx_err *err);
/* Usage error: message plus a hint to --help; returns WX_EXIT_USAGE. */
int wx_cli_usage_error(const struct wx_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open the database named by the global options (--db, $WEXMATCH_DB, ...).
 * On failure prints the reason and returns the exit code. */
struct wx_store;
int wx_cli_open(struct wx_global *g, unsigned flags, const char *group,
		struct wx_store **out);

/* Load the forms named by the global options; prints the loader's
 * FILE:LINE:COL message and returns the exit code on failure. */
struct wx_forms;
int wx_cli_forms(struct wx_global *g, struct wx_forms **out);

/* Read and check a policy file (- for standard input) against the forms
 * (loaded into *forms unless already there); every problem is printed as
 * FILE:LINE: message.  On success *out is the policy and *text its bytes. */
struct wx_policy;
int wx_cli_policy_file(struct wx_global *g, const char *path, struct wx_forms **forms,
		       struct wx_policy **out, char **text, size_t *len);

/* Parse "table", "csv" or "json"; WX_EXIT_OK or a usage error. */
int wx_cli_format(const struct wx_command *cmd, const char *arg, enum wx_format *out);
/* The format to use when none was asked for: table on a terminal, else csv. */
enum wx_format wx_cli_default_format(enum wx_format f, FILE *out);

/* Data output (CSV, JSON) goes to stdout as it is, byte for byte, when
 * stdout is a file or a pipe.  On a terminal the same bytes would be obeyed
 * (an escape sequence in a name repaints the screen), so there they are
 * collected and shown through the one escaping function, line by line.
 * Call wx_cli_data_begin for the stream to write to and wx_cli_data_end
 * after writing. */
struct wx_data_out {
	FILE *f;
	char *buf;
	size_t len;
	int tty;
};
FILE *wx_cli_data_begin(struct wx_data_out *d);
void wx_cli_data_end(struct wx_data_out *d);

/* Commands, in cmd_*.c files. */
int wx_cmd_init(struct wx_global *g, int argc, char **argv);
int wx_cmd_stats(struct wx_global *g, int argc, char **argv);
int wx_cmd_check(struct wx_global *g, int argc, char **argv);
int wx_cmd_backup(struct wx_global *g, int argc, char **argv);
int wx_cmd_add(struct wx_global *g, int argc, char **argv);
int wx_cmd_edit(struct wx_global *g, int argc, char **argv);
int wx_cmd_show(struct wx_global *g, int argc, char **argv);
int wx_cmd_delete(struct wx_global *g, int argc, char **argv);
int wx_cmd_erase(struct wx_global *g, int argc, char **argv);
int wx_cmd_list(struct wx_global *g, int argc, char **argv);
int wx_cmd_demo(struct wx_global *g, int argc, char **argv);
int wx_cmd_import(struct wx_global *g, int argc, char **argv);
int wx_cmd_export(struct wx_global *g, int argc, char **argv);
int wx_cmd_policy(struct wx_global *g, int argc, char **argv);
int wx_cmd_geo(struct wx_global *g, int argc, char **argv);
int wx_cmd_match(struct wx_global *g, int argc, char **argv);
int wx_cmd_runs(struct wx_global *g, int argc, char **argv);
int wx_cmd_run(struct wx_global *g, int argc, char **argv);
int wx_cmd_explain(struct wx_global *g, int argc, char **argv);
int wx_cmd_offer(struct wx_global *g, int argc, char **argv);

const struct wx_command *wx_cli_find(const char *name);

#endif
