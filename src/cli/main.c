/* main.c: the command table and the global options.
 *
 * Every command is one row of `commands` below; `wexmatch --help` and each
 * `wexmatch CMD --help` are generated from it.  The batch path never starts
 * curses. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wexmatch/cli.h"
#include "wexmatch/dbpath.h"
#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/store.h"
#include "wexmatch/tui.h"

static int cmd_help(struct wx_global *g, int argc, char **argv);

static const struct wx_command commands[] = {
	{ "init", "[--group NAME]", "create a database (private, or shared with a group)",
	  "Create the database directory and its files.  By default the directory is\n"
	  "0700 and the files 0600, whatever the umask.  With --group NAME the database\n"
	  "is shared with that group for several operators on one server: the\n"
	  "directory becomes 2770 and the files 0660.  Running init on an existing\n"
	  "database changes nothing but the sharing asked for.\n"
	  "\n"
	  "  -g, --group NAME   share the database with group NAME\n",
	  wx_cmd_init },
	{ "stats", "", "show records per kind, file and map size, reader slots",
	  "Print the database location, schema version, the number of records of each\n"
	  "kind and of audit entries, the size of the data file, the map size and the\n"
	  "space in use, the reader slots in use, and the forms directory.\n",
	  wx_cmd_stats },
	{ "check", "", "check the database's integrity",
	  "Check, in one consistent snapshot, that every record decodes and is reached\n"
	  "from its id index and back, that the schema version is the one this\n"
	  "wexmatch writes, and that every audit entry is well formed and indexed.\n"
	  "Prints each problem found and a summary.  Exit status 0 only when every\n"
	  "check holds, 1 when a problem was found.\n",
	  wx_cmd_check },
	{ "backup", "FILE", "write a compacted copy of the database to FILE",
	  "Write a compacted copy of the database to FILE while others keep working.\n"
	  "The copy is written to a temporary file beside FILE and renamed into place,\n"
	  "so FILE is either the old file or a whole backup.  FILE is an LMDB data\n"
	  "file: to restore, create an empty directory and copy FILE into it as\n"
	  "data.mdb, then use that directory with --db.\n",
	  wx_cmd_backup },
	{ "add", "KIND FIELD=VALUE...", "add a record",
	  "Add a record of KIND (candidate, placement, ambassador, request or equality;\n"
	  "the plural works too).  Each FIELD=VALUE sets a field of the kind's form;\n"
	  "fields not given take the form's default.  Every value is checked against\n"
	  "the form (wexmatch-forms(5)); each problem is reported as FIELD: message and\n"
	  "nothing is saved.  An equality record's id is the id of its candidate.\n"
	  "\n"
	  "      --keep-unknown   keep fields the form does not define as extra fields\n",
	  wx_cmd_add },
	{ "edit", "KIND ID FIELD=VALUE...", "change fields of a record",
	  "Change fields of the record of KIND whose id is ID.  FIELD= (nothing after\n"
	  "the =) removes a field.  The whole record is checked against the current\n"
	  "form before it is saved; a stored value that a tightened form no longer\n"
	  "accepts must be corrected in the same edit.\n"
	  "\n"
	  "      --expect-version N  refuse the change unless the record is still at\n"
	  "                          version N (as `show` printed it): someone else's\n"
	  "                          change is never overwritten silently\n"
	  "      --keep-unknown      allow setting fields the form does not define\n",
	  wx_cmd_edit },
	{ "show", "KIND ID [--format table|csv|json]", "show one record",
	  "Show the record of KIND whose id is ID: its version, who saved it last and\n"
	  "when, each field of the form, and any extra fields.  Every value is escaped.\n"
	  "\n"
	  "      --format F   table (the default on a terminal), csv or json\n",
	  wx_cmd_show },
	{ "list", "KIND [--where COND]... [--sort FIELD] [--format F]", "list records",
	  "List the records of KIND, sorted by id unless --sort is given.\n"
	  "\n"
	  "  -w, --where FIELD~PATTERN  keep records whose FIELD contains a match of the\n"
	  "                             PCRE2 PATTERN ((?i) makes it caseless)\n"
	  "  -w, --where FIELD=VALUE    keep records whose FIELD is exactly VALUE\n"
	  "  -s, --sort [-]FIELD        sort by FIELD (numbers by value, date-times as\n"
	  "                             instants; empty values last); -FIELD reverses\n"
	  "  -f, --format F             table (the default on a terminal), csv or json;\n"
	  "                             csv and json hold every field, as export does\n"
	  "\n"
	  "Several --where conditions must all hold.  A pattern that backtracks without\n"
	  "end on some value stops the list with an error (exit 2) instead of hanging.\n",
	  wx_cmd_list },
	{ "delete", "KIND ID", "delete a record",
	  "Delete the record of KIND whose id is ID (with a candidate, its equality\n"
	  "answers).  The audit log records the deletion.\n"
	  "\n"
	  "      --expect-version N  refuse unless the record is still at version N\n",
	  wx_cmd_delete },
	{ "erase", "candidate ID", "erase a person's data (right to erasure)",
	  "Erase every piece of the candidate's data: the record and the equality\n"
	  "answers.  The audit log keeps a tombstone with no personal data (the kind and\n"
	  "an internal number).  A backup taken afterwards holds none of it; backups\n"
	  "taken before still do, and must be handled by the trust's retention rules.\n",
	  wx_cmd_erase },
	{ "import", "KIND FILE|- [--format csv|json] [--dry-run] [--skip-invalid --rejects FILE] [--update] [--keep-unknown]",
	  "import records from CSV or JSON",
	  "Import records of KIND from FILE (- for standard input).  CSV needs a header\n"
	  "row naming the fields; JSON is an array of objects.  Every record is checked\n"
	  "against the form and every problem listed as FILE:LINE: FIELD: message.  By\n"
	  "default the import is all or nothing: one invalid record and nothing is\n"
	  "stored (exit 1).  A file that is not valid CSV or JSON, or whose header names\n"
	  "an unknown or repeated column, is refused whole.\n"
	  "\n"
	  "  -f, --format F       csv or json (default: json for a .json file, else csv)\n"
	  "      --dry-run        check everything, store nothing\n"
	  "      --skip-invalid   store the valid records...\n"
	  "      --rejects FILE   ...and write the invalid ones to FILE, in the input's\n"
	  "                       format with a reason column (both options go together)\n"
	  "      --update         change stored records with the same id (the columns\n"
	  "                       given replace values; an empty cell removes one)\n"
	  "      --keep-unknown   keep columns the form does not define as extra fields\n",
	  wx_cmd_import },
	{ "export", "KIND [--format csv|json] [-o FILE]", "export records as CSV or JSON",
	  "Write every record of KIND, sorted by id, from one consistent snapshot: the\n"
	  "form's fields in form order, then any extra fields.  Text cells that a\n"
	  "spreadsheet would run as a formula (starting with = + - @, tab or CR) get a\n"
	  "leading apostrophe, which import removes again: export then import gives back\n"
	  "the same records.  Files are written whole or not at all (mode 0600).\n"
	  "\n"
	  "  -f, --format F   csv (default) or json (default for a .json FILE)\n"
	  "  -o, --output F   write to F instead of standard output\n",
	  wx_cmd_export },
	{ "policy", "show [--version N] | check FILE | set FILE", "show, check or set the priority policy",
	  "The priority policy says how candidates are ranked for work experience: points\n"
	  "per circumstance (capped), reserve categories with their share of seats, and\n"
	  "the fill order.  See the policy format in wexmatch(1).\n"
	  "\n"
	  "  show         print the policy in use: the latest one set, with its version,\n"
	  "               who set it and when, or else the shipped default\n"
	  "  check FILE   check a policy file against the forms; every problem is\n"
	  "               printed as FILE:LINE: message (exit 1 when there is one)\n"
	  "  set FILE     check FILE and store it as the next version (audited); match\n"
	  "               runs record the version they used\n"
	  "\n"
	  "      --version N   with show: that version\n",
	  wx_cmd_policy },
	{ "match", "[--policy FILE] [--seed N] [--dry-run] [--ambassadors] [--format F]",
	  "propose placements (or ambassadors) and record the run",
	  "Runs the work-experience match of matching.md: candidates whose status is\n"
	  "empty, received or eligible; placements whose status is empty or open, with\n"
	  "their remaining capacity; the gates (age, week, distance, one placement a\n"
	  "year); candidate-proposing deferred acceptance with the policy's priority and\n"
	  "soft reserves.  The run is recorded (see runs, run show, explain, offer)\n"
	  "with its inputs' digest, policy, seed, checks and the counterfactual (no\n"
	  "priority, no reserves).  A run only proposes: nothing changes a candidate\n"
	  "until wexmatch offer.\n"
	  "\n"
	  "Output, one row per candidate who took part, by candidate id:\n"
	  "candidate_id,placement_id,slot,score,choice_rank,reason (slot open,\n"
	  "reserve:NAME or none; reason placed, no_choices, no_eligible_choice or\n"
	  "outranked).  JSON: {\"run\": {...}, \"assignments\": [...]}.  A summary goes to\n"
	  "standard error, and progress when it is a terminal.\n"
	  "\n"
	  "With --ambassadors: the ambassador match (tiers from the policy; most places\n"
	  "filled at tier 1, then 2, then 3, then most requests served, then least\n"
	  "travel).  Output request_id,ambassador_id,tier,distance_km,reason, one row\n"
	  "per place, unfilled places with an empty ambassador_id and their reason.\n"
	  "\n"
	  "      --policy FILE   use this policy file instead of the stored policy (or the\n"
	  "                      shipped default when none is stored); it is recorded\n"
	  "      --seed N        the lottery's seed (default: a random one, recorded)\n"
	  "  -n, --dry-run       compute and print, record nothing\n"
	  "      --ambassadors   match ambassadors to school requests instead\n"
	  "      --format F      table (default on a terminal), csv or json\n"
	  "\n"
	  "Exit status: 0 done; 1 a bad policy file; 2 usage; 3 database, or a run whose\n"
	  "checks failed (a bug: please report it).\n",
	  wx_cmd_match },
	{ "runs", "[--format F]", "list the recorded match runs, newest first",
	  "One line per run: number, time, who, kind, how many took part and were\n"
	  "placed or filled, offers made, policy version and seed.\n"
	  "\n"
	  "      --format F   table (default on a terminal), csv or json\n",
	  wx_cmd_runs },
	{ "run", "show RUN [--format F]", "show a run's figures and the policy it used",
	  "Every figure recorded with the run (checks, reserve fill, the counterfactual,\n"
	  "what could not be located) and the policy text it used.  JSON with\n"
	  "--format json.\n",
	  wx_cmd_run },
	{ "explain", "RUN CANDIDATE_ID", "why a candidate got what they got in a run",
	  "In words a coordinator can read to the candidate: their priority score and\n"
	  "what made it, when they applied, what they were offered and, for each entry\n"
	  "of their list better than that, the condition it failed or, when it was full,\n"
	  "the last candidate admitted to each kind of place against their own\n"
	  "priority.  From the data recorded with the run, whatever changed since.\n",
	  wx_cmd_explain },
	{ "offer", "RUN --all | RUN CANDIDATE_ID...", "turn a run's proposals into offers",
	  "Sets each candidate's status to offered and their placement field to the\n"
	  "placement proposed in the run (audited), in one transaction.  A candidate\n"
	  "whose status is no longer received or eligible, whose placement is gone,\n"
	  "closed or has no seat left now, or who was not placed, is not offered and\n"
	  "is reported (exit 1); the others are.\n"
	  "\n"
	  "      --all   every candidate placed in the run and not yet offered\n",
	  wx_cmd_offer },
	{ "geo", "import FILE | lookup POSTCODE [POSTCODE]", "load or query the postcode lookup",
	  "The postcode lookup gives distances (great-circle kilometres) for the travel\n"
	  "gates of matching, and an area's IMD decile where a record has none.  Load an\n"
	  "extract of the ONS Postcode Directory or Code-Point Open (Open Government\n"
	  "Licence) for the trust's area; wexmatch never downloads anything.\n"
	  "\n"
	  "  import FILE      a CSV with postcode (or outward code), latitude, longitude\n"
	  "                   and optionally imd_decile columns (the ONS names pcds, lat,\n"
	  "                   long work too; other columns are ignored).  All or nothing;\n"
	  "                   it replaces the previous lookup.  Rows without a location\n"
	  "                   are skipped.\n"
	  "  lookup PC [PC]   where a postcode is (falling back to its outward code), and\n"
	  "                   with two, the distance between them\n",
	  wx_cmd_geo },
	{ "demo", "[--candidates N] [--placements N] [--ambassadors N] [--requests N] [--seed S]",
	  "fill an empty database with realistic synthetic data",
	  "Fill an empty database with synthetic records: names from many backgrounds\n"
	  "(accents, apostrophes, hyphens, non-Latin scripts), plausible UK postcodes,\n"
	  "ISO weeks, professions and disadvantage flags at realistic rates.  Nothing in\n"
	  "it is real.  The same seed gives the same data.  Every record is checked\n"
	  "against the forms.  A database that already holds records is refused.\n"
	  "\n"
	  "      --candidates N    default 500\n"
	  "      --placements N    default 60\n"
	  "      --ambassadors N   default 40\n"
	  "      --requests N      default 30\n"
	  "      --seed S          default 1\n"
	  "      --max-choices K   most placement choices per candidate, 1-10 (default 5)\n",
	  wx_cmd_demo },
	{ "help", "[COMMAND]", "show the help of a command",
	  "Show the list of commands, or the help of one command.\n",
	  cmd_help },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

const struct wx_command *wx_cli_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char global_help[] =
	"Global options (before or after the command):\n"
	"      --db DIR      the database directory (default: $WEXMATCH_DB, else\n"
	"                    $XDG_DATA_HOME/wexmatch, else ~/.local/share/wexmatch)\n"
	"      --forms DIR   the form definitions (default: $WEXMATCH_FORMS, else the\n"
	"                    installed forms)\n"
	"  -h, --help        show help\n"
	"  -V, --version     show the version\n";

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: wexmatch [--db DIR] [--forms DIR] COMMAND [ARGS]\n"
		   "\n"
		   "wexmatch records work-experience requests, placements, NHS ambassadors and\n"
		   "schools' requests, and matches them with priority for disadvantaged and\n"
		   "under-represented groups.  With no command it opens the terminal interface\n"
		   "(on a terminal) or shows the database's stats.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n%s\n"
		   "Exit status: 0 done, 1 bad data, 2 bad usage, 3 database unavailable,\n"
		   "locked or damaged.  'wexmatch COMMAND --help' shows a command's help;\n"
		   "man wexmatch has the whole manual.\n", global_help);
}

static void print_command_help(const struct wx_command *c, FILE *f)
{
	fprintf(f, "Usage: wexmatch [--db DIR] %s%s%s\n\n%s\n%s", c->name, *c->args ? " " : "",
		c->args, c->help, global_help);
}

static void print_version(void)
{
	printf("wexmatch %s\n", PACKAGE_VERSION);
}

static void vmessage(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void vmessage(const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof buf, fmt, ap);
	fputs("wexmatch: ", stderr);
	wx_fputs_escaped(buf, stderr);
	fputc('\n', stderr);
}

void wx_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

int wx_cli_fail(const struct wx_err *err)
{
	wx_cli_error("%s", err->msg[0] ? err->msg : wx_status_name(err->code));
	return wx_exit_code(err->code);
}

int wx_cli_usage_error(const struct wx_command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "Try 'wexmatch %s --help'.\n", cmd->name);
	else
		fprintf(stderr, "Try 'wexmatch --help'.\n");
	return WX_EXIT_USAGE;
}

int wx_cli_open(struct wx_global *g, unsigned flags, const char *group,
		struct wx_store **out)
{
	struct wx_store_opts o = { 0 };
	struct wx_err err;
	char *dir;
	int rc;

	wx_err_clear(&err);
	dir = wx_db_dir(g->db, &err);
	if (!dir)
		return wx_cli_fail(&err);
	o.dir = dir;
	o.flags = flags;
	o.group = group;
	rc = wx_store_open(out, &o, &err);
	free(dir);
	return rc == WX_OK ? WX_EXIT_OK : wx_cli_fail(&err);
}

int wx_cli_forms(struct wx_global *g, struct wx_forms **out)
{
	struct wx_err err;
	char *dir = wx_forms_dir(g->forms);
	int rc;

	wx_err_clear(&err);
	if (!dir) {
		wx_cli_error("out of memory");
		return WX_EXIT_DB;
	}
	rc = wx_forms_load(out, dir, &err);
	free(dir);
	if (rc != WX_OK) {
		/* a broken form is bad data: the message names file, line, column */
		wx_cli_error("%s", err.msg);
		return WX_EXIT_DATA;
	}
	return WX_EXIT_OK;
}

int wx_cli_format(const struct wx_command *cmd, const char *arg, enum wx_format *out)
{
	if (strcmp(arg, "table") == 0)
		*out = WX_FMT_TABLE;
	else if (strcmp(arg, "csv") == 0)
		*out = WX_FMT_CSV;
	else if (strcmp(arg, "json") == 0)
		*out = WX_FMT_JSON;
	else
		return wx_cli_usage_error(cmd, "%s: unknown format '%s' (expected table, csv or json)",
					  cmd->name, arg);
	return WX_EXIT_OK;
}

FILE *wx_cli_data_begin(struct wx_data_out *d)
{
	memset(d, 0, sizeof *d);
	d->tty = isatty(STDOUT_FILENO);
	d->f = d->tty ? open_memstream(&d->buf, &d->len) : NULL;
	if (!d->f) {
		d->tty = 0;
		d->f = stdout;
	}
	return d->f;
}

void wx_cli_data_end(struct wx_data_out *d)
{
	const char *p, *end;

	if (!d->tty)
		return;
	fclose(d->f);
	for (p = d->buf, end = d->buf + d->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *e = wx_escape(p, n);

		fputs(e ? e : "(out of memory)", stdout);
		fputc('\n', stdout);
		free(e);
		p += n + 1;
	}
	free(d->buf);
	memset(d, 0, sizeof *d);
}

enum wx_format wx_cli_default_format(enum wx_format f, FILE *out)
{
	if (f != WX_FMT_DEFAULT)
		return f;
	return isatty(fileno(out)) ? WX_FMT_TABLE : WX_FMT_CSV;
}

enum { OPT_DB = 0x1000, OPT_FORMS, OPT_HELP, OPT_VERSION };

int wx_cli_getopt(struct wx_global *g, const struct wx_command *cmd, int argc, char **argv,
		  const char *shortopts, const struct option *longopts,
		  int (*on_opt)(int c, const char *arg, void *ctx), void *ctx, int *done)
{
	static const struct option globals[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "forms", required_argument, NULL, OPT_FORMS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	struct option all[64];
	char shorts[64];
	size_t n = 0;
	int c;

	*done = 0;
	for (; longopts && longopts[n].name && n < 59; n++)
		all[n] = longopts[n];
	memcpy(all + n, globals, sizeof globals);
	memset(&all[n + 4], 0, sizeof all[0]);
	/* leading ':' reports a missing argument as ':'; "hV" are the globals */
	snprintf(shorts, sizeof shorts, ":%shV", shortopts ? shortopts : "");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			g->db = optarg;
			break;
		case OPT_FORMS:
			g->forms = optarg;
			break;
		case 'h':
		case OPT_HELP:
			print_command_help(cmd, stdout);
			*done = 1;
			return WX_EXIT_OK;
		case 'V':
		case OPT_VERSION:
			print_version();
			*done = 1;
			return WX_EXIT_OK;
		case ':':
			return wx_cli_usage_error(cmd, "%s: option %s needs a value", cmd->name,
						  argv[optind - 1]);
		case '?':
			if (optopt)
				return wx_cli_usage_error(cmd, "%s: unknown option -%c", cmd->name,
							  optopt);
			return wx_cli_usage_error(cmd, "%s: unknown option %s", cmd->name,
						  argv[optind - 1]);
		default:
			if (!on_opt || on_opt(c, optarg, ctx) != WX_EXIT_OK)
				return WX_EXIT_USAGE;
		}
	}
	return WX_EXIT_OK;
}

static int cmd_help(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *c;
	int done, rc = wx_cli_getopt(g, wx_cli_find("help"), argc, argv, NULL, NULL, NULL,
				     NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind >= argc) {
		print_usage(stdout);
		return WX_EXIT_OK;
	}
	c = wx_cli_find(argv[optind]);
	if (!c)
		return wx_cli_usage_error(NULL, "no such command: %s", argv[optind]);
	print_command_help(c, stdout);
	return WX_EXIT_OK;
}

/* Take the global options that come before the command name. */
static int leading_globals(struct wx_global *g, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc; (*i)++) {
		const char *a = argv[*i];

		if (strcmp(a, "--db") == 0 || strcmp(a, "--forms") == 0) {
			if (*i + 1 >= argc)
				return wx_cli_usage_error(NULL, "option %s needs a value", a);
			if (a[2] == 'd')
				g->db = argv[++*i];
			else
				g->forms = argv[++*i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			g->db = a + 5;
		} else if (strncmp(a, "--forms=", 8) == 0) {
			g->forms = a + 8;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(stdout);
			return -1;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			print_version();
			return -1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return wx_cli_usage_error(NULL, "unknown option %s", a);
		} else {
			break;
		}
	}
	return WX_EXIT_OK;
}

/* Every path out of the program checks that what it wrote to standard
 * output really got there (a full disk, a closed pipe): a script must not
 * take a truncated export or list for a whole one. */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		wx_cli_error("error writing to standard output");
		return rc ? rc : WX_EXIT_DATA;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct wx_global g = { NULL, NULL, "wexmatch" };
	const struct wx_command *cmd;
	char *fake[2];
	int i, rc;

	setlocale(LC_ALL, "");
	rc = leading_globals(&g, argc, argv, &i);
	if (rc < 0)
		return finish(WX_EXIT_OK);
	if (rc != WX_EXIT_OK)
		return rc;
	if (i >= argc) {
		/* no command: on a terminal the TUI, otherwise the stats */
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return wx_tui_run(&g);
		fake[0] = (char *)"stats";
		fake[1] = NULL;
		return finish(wx_cmd_stats(&g, 1, fake));
	}
	cmd = wx_cli_find(argv[i]);
	if (!cmd)
		return wx_cli_usage_error(NULL, "no such command: %s", argv[i]);
	return finish(cmd->run(&g, argc - i, argv + i));
}
