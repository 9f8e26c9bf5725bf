/* unit-form.c: form definition files and value checks (wexmatch-forms(5)).
 *
 * Every example of the page's ERRORS section is reproduced from a small
 * form text, message, line and column exactly; then the encoding rules,
 * continuation lines, sections, keys, limits, patterns, defaults, the id
 * field, the fields wexmatch reads, layout hints, list files and the
 * shipped forms; then every rule of TYPES through wx_field_check, records,
 * defaults and the cost of a check.
 *
 * The shipped forms are read from $WX_SRCDIR/forms (set by make check),
 * else ../forms.  Scratch directories go under $WX_BUILDDIR/tests/tmp when
 * that is set, else /tmp. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "wexmatch/form.h"
#include "wexmatch/record.h"
#include "wexmatch/regex.h"

/* ---- helpers ---- */

/* Text with each given piece starting on the given line, "#" lines
 * between: text_at(1, "[form]", 60, "max_lenght = 40", 0). */
static char *text_at(int line, ...)
{
	va_list ap;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int cur = 1;

	assert_non_null(buf);
	va_start(ap, line);
	while (line) {
		const char *s = va_arg(ap, const char *);
		size_t n = strlen(s);

		assert_true(line >= cur);
		while (cur < line) {
			buf[len++] = '#';
			buf[len++] = '\n';
			cur++;
		}
		while (len + n + 2 > cap)
			buf = realloc(buf, cap *= 2);
		memcpy(buf + len, s, n);
		len += n;
		buf[len++] = '\n';
		for (size_t i = 0; i < n; i++)
			cur += s[i] == '\n';
		cur++;
		line = va_arg(ap, int);
	}
	va_end(ap);
	buf[len] = '\0';
	return buf;
}

/* s with the first occurrence of old replaced by new. */
static char *replace(const char *s, const char *old, const char *new)
{
	const char *p = strstr(s, old);
	size_t a, b = strlen(old), c = strlen(new);
	char *r;

	assert_non_null(p);
	a = (size_t)(p - s);
	r = malloc(strlen(s) - b + c + 1);
	assert_non_null(r);
	memcpy(r, s, a);
	memcpy(r + a, new, c);
	strcpy(r + a + c, p + b);
	return r;
}

static struct wx_forms *fx;   /* a forms directory with a small professions */
static char tmpdir[512];

static char msgbuf[1100];

/* Parse text (length len) as a form; "OK" or the error message.  The
 * form is kept in *keep when keep is not NULL. */
static const char *parse_n(const char *path, const char *text, size_t len, enum wx_kind k,
			   struct wx_forms *forms, struct wx_form **keep, int *code)
{
	struct wx_form *f = NULL;
	struct wx_err err = { 0 };
	int rc = wx_form_parse(&f, path, text, len, k, forms, &err);

	if (code)
		*code = rc;
	if (rc != WX_OK) {
		assert_null(f);
		assert_int_equal(err.code, rc);
		snprintf(msgbuf, sizeof msgbuf, "%s", err.msg);
		return msgbuf;
	}
	assert_non_null(f);
	assert_int_equal(err.code, WX_OK);
	if (keep)
		*keep = f;
	else
		wx_form_free(f);
	return "OK";
}

static const char *parse(const char *path, const char *text, enum wx_kind k)
{
	return parse_n(path, text, strlen(text), k, fx, NULL, NULL);
}

/* Parse text and free it. */
static const char *parse_free(const char *path, char *text, enum wx_kind k)
{
	const char *m = parse(path, text, k);

	free(text);
	return m;
}

/* An equality form: its fields need special = yes, which eq() adds after
 * every [field] header but id's. */
static char *eq(const char *fields)
{
	static const char head[] = "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n";
	size_t n = strlen(fields), cap = sizeof head + 2 * n + 64, len;
	char *buf = malloc(cap + 16 * n);
	const char *p = fields;

	assert_non_null(buf);
	strcpy(buf, head);
	len = strlen(buf);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t ln = e ? (size_t)(e - p) + 1 : strlen(p);

		memcpy(buf + len, p, ln);
		len += ln;
		if (ln && p[ln - 1] != '\n')
			buf[len++] = '\n';
		if (strncmp(p, "[field ", 7) == 0) {
			memcpy(buf + len, "special = yes\n", 14);
			len += 14;
		}
		p += ln;
	}
	buf[len] = '\0';
	return buf;
}

static struct wx_form *eq_form(const char *fields)
{
	struct wx_form *f = NULL;
	char *t = eq(fields);
	const char *m = parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, NULL, &f, NULL);

	if (strcmp(m, "OK") != 0)
		fail_msg("form did not parse: %s", m);
	free(t);
	return f;
}

static const char *eq_err(const char *fields)
{
	char *t = eq(fields);
	const char *m = parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, NULL, NULL, NULL);

	free(t);
	return m;
}

static const struct wx_form_field *field(const struct wx_form *f, const char *name)
{
	const struct wx_form_field *x = wx_form_find(f, name);

	if (!x)
		fail_msg("no field %s", name);
	return x;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void make_tmpdir(char *out, size_t cap)
{
	const char *bd = getenv("WX_BUILDDIR");

	if (bd && *bd)
		snprintf(out, cap, "%s/tests/tmp/unit-form.XXXXXX", bd);
	else
		snprintf(out, cap, "/tmp/unit-form.XXXXXX");
	assert_non_null(mkdtemp(out));
}

static void remove_dir(const char *dir)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static const char professions[] =
	"# code label\n"
	"nursing        Nursing\n"
	"midwifery      Midwifery\n"
	"pharmacy       Pharmacy\n"
	"radiography    Radiography\n";

static int setup(void **state)
{
	(void)state;
	make_tmpdir(tmpdir, sizeof tmpdir);
	write_file(tmpdir, "professions", professions, strlen(professions));
	fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	fx->dir = strdup(tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wx_forms_free(fx);
	fx = NULL;
	remove_dir(tmpdir);
	return 0;
}

/* Minimal valid forms of each kind, with the fields wexmatch reads. */
static const char cand_min[] =
	"[form]\nkind = candidate\nlabel = Candidate\n"
	"[field id]\nlabel = Id\ntype = text\n"
	"[field status]\nlabel = Status\ntype = choice\n"
	"choices = received; eligible; ineligible; offered; accepted; declined; \\\n"
	"    checks_pending; confirmed; completed; no_show; cancelled; withdrawn\n"
	"[field applied_at]\nlabel = Applied\ntype = datetime\n"
	"[field date_of_birth]\nlabel = Born\ntype = date\n"
	"[field postcode]\nlabel = Postcode\ntype = text\n"
	"[field choices]\nlabel = Choices\ntype = list\nitem = text\n"
	"[field interests]\nlabel = Interests\ntype = list\nitem = choice\nchoices_from = professions\n"
	"[field available_weeks]\nlabel = Weeks\ntype = list\nitem = week\n"
	"[field max_travel_km]\nlabel = Km\ntype = integer\n"
	"[field placement]\nlabel = Placement\ntype = text\n";

static const char plac_min[] =
	"[form]\nkind = placement\nlabel = Placement\n"
	"[field id]\nlabel = Id\ntype = text\n"
	"[field status]\nlabel = Status\ntype = choice\nchoices = draft; open; full; closed; cancelled\n"
	"[field profession]\nlabel = Profession\ntype = choice\nchoices_from = professions\n"
	"[field site_postcode]\nlabel = Postcode\ntype = text\n"
	"[field min_age]\nlabel = Min age\ntype = integer\n"
	"[field week]\nlabel = Week\ntype = week\n"
	"[field start_date]\nlabel = Start\ntype = date\n"
	"[field capacity]\nlabel = Places\ntype = integer\n";

static const char amb_min[] =
	"[form]\nkind = ambassador\nlabel = Ambassador\n"
	"[field id]\nlabel = Id\ntype = text\n"
	"[field status]\nlabel = Status\ntype = choice\nchoices = active; paused; left\n"
	"[field professions]\nlabel = Professions\ntype = list\nitem = choice\nchoices_from = professions\n"
	"[field base_postcode]\nlabel = Postcode\ntype = text\n"
	"[field max_travel_km]\nlabel = Km\ntype = integer\n"
	"[field available_dates]\nlabel = Dates\ntype = list\nitem = date\n"
	"[field max_events]\nlabel = Events\ntype = integer\n"
	"[field dbs_expires]\nlabel = DBS\ntype = date\n"
	"[field training_done]\nlabel = Trained\ntype = yesno\n"
	"[field virtual_ok]\nlabel = Virtual\ntype = yesno\n";

static const char req_min[] =
	"[form]\nkind = request\nlabel = Request\n"
	"[field id]\nlabel = Id\ntype = text\n"
	"[field status]\nlabel = Status\ntype = choice\nchoices = open; filled; cancelled; done\n"
	"[field postcode]\nlabel = Postcode\ntype = text\n"
	"[field imd_decile]\nlabel = IMD\ntype = integer\n"
	"[field fsm_pct]\nlabel = FSM\ntype = integer\n"
	"[field professions]\nlabel = Professions\ntype = list\nitem = choice\nchoices_from = professions\n"
	"[field date]\nlabel = Date\ntype = date\n"
	"[field virtual]\nlabel = Virtual\ntype = yesno\n"
	"[field ambassadors_needed]\nlabel = Needed\ntype = integer\n";

/* ---- ERRORS: every example of the page ---- */

static void test_errors_examples(void **state)
{
	char cwd[4096], want[800];
	struct wx_forms *forms = NULL;
	struct wx_err err = { 0 };

	(void)state;
	assert_string_equal(parse_free("forms/candidate", text_at(
		1, "[form]\nkind = candidate\nlabel = Candidate\n[field id]\nlabel = Id\ntype = text",
		70, "[field postcode]\nlabel = Home postcode\ntype = text",
		75, "max_lenght = 10", 0), WX_KIND_CANDIDATE),
		"forms/candidate:75:1: unknown key 'max_lenght'");

	/* the postcode pattern with its ) forgotten: PCRE2 finds the problem at
	 * the end, and the column is the one just after the pattern */
	assert_string_equal(parse_free("forms/candidate", text_at(
		1, "[form]\nkind = candidate\nlabel = Candidate\n[field id]\nlabel = Id\ntype = text",
		127, "[field postcode]\nlabel = Home postcode\ntype = text\nmax_length = 10",
		131, "pattern = (?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?|[Gg][Ii][Rr] *[0-9][A-Za-z]{2}\n"
		     "pattern_help = a UK postcode such as LS1 4AP", 0), WX_KIND_CANDIDATE),
		"forms/candidate:131:75: bad pattern: missing closing parenthesis");

	assert_string_equal(parse_free("forms/placement", text_at(
		1, "[form]\nkind = placement\nlabel = Placement\n[field id]\nlabel = Id\ntype = text",
		96, "[field capacity]\nlabel = Places",
		98, "type = number", 0), WX_KIND_PLACEMENT),
		"forms/placement:98:8: unknown type 'number' (expected text, integer, date, datetime, week, yesno, choice or list)");

	assert_string_equal(parse_free("forms/placement", text_at(
		1, "[form]\nkind = placement\nlabel = Placement\n[field id]\nlabel = Id\ntype = text",
		45, "[field status]\nlabel = Status\ntype = choice\nchoices = draft; open; full; closed; cancelled",
		49, "default = oppen\nrequired = yes", 0), WX_KIND_PLACEMENT),
		"forms/placement:49:11: default 'oppen' is not one of the choices");

	assert_string_equal(parse_free("forms/placement", text_at(
		1, "[form]\nkind = placement\nlabel = Placement\n[field id]\nlabel = Id\ntype = text",
		96, "[field min_age]\nlabel = Minimum age\ntype = integer\nmin = 0\nmax = 99",
		101, "default = 16x", 0), WX_KIND_PLACEMENT),
		"forms/placement:101:11: default '16x': not an integer");

	assert_string_equal(parse_free("forms/placement", text_at(
		1, "[form]\nkind = placement\nlabel = Placement\n[field id]\nlabel = Id\ntype = text",
		38, "[field status]\nlabel = Status\ntype = choice\nchoices = draft; open; full; closed; cancelled",
		43, "list_width = 9", 0), WX_KIND_PLACEMENT),
		"forms/placement:43:1: list_width needs list_column = yes");

	assert_string_equal(parse_free("forms/placement", text_at(
		1, "[form]\nkind = placement\nlabel = Placement\n[field id]\nlabel = Id\ntype = text",
		127, "[field week]\nlabel = Week",
		129, "type = date", 0), WX_KIND_PLACEMENT),
		"forms/placement:129:8: field 'week' must have type week (wexmatch reads it)");

	assert_string_equal(parse_free("forms/request", text_at(
		30, "[form]\nkind = request\nhelp = A school's request",
		33, "label = School request",
		40, "label = Request", 0), WX_KIND_REQUEST),
		"forms/request:40:1: duplicate key 'label' (first given on line 33)");

	assert_string_equal(parse_free("forms/request", text_at(
		1, "[form]\nkind = request\nlabel = Request\n[field id]\nlabel = Id\ntype = text",
		123, "[field date]\nlabel = Date\ntype = date",
		150, "[field virtual]\nlabel = Online\ntype = yesno",
		201, "[field date]\nlabel = Date again\ntype = date", 0), WX_KIND_REQUEST),
		"forms/request:201:1: field 'date' already defined on line 123");

	assert_string_equal(parse_free("forms/equality", text_at(
		1, "[form]\nkind = equality\nlabel = Equality monitoring\n[field id]\nlabel = Id\ntype = text",
		70, "[field ethnicity]\nlabel = Ethnic group\ntype = choice\nchoices = a; b",
		80, "[field sex]\nlabel = Sex\ntype = choice\nchoices = f; m\nspecial = yes", 0),
		WX_KIND_EQUALITY),
		"forms/equality:70:1: field 'ethnicity': special = yes is required in the equality form");

	assert_string_equal(parse_free("forms/equality", text_at(
		1, "[form]\nkind = equality\nlabel = Equality monitoring\n[field id]\nlabel = Id\ntype = text",
		85, "[field sex]\nlabel = Sex",
		87, "help = \xE2\x80\xAE" "What is your sex?", 0), WX_KIND_EQUALITY),
		"forms/equality:87:8: forbidden character U+202E");
	assert_string_equal(parse_free("forms/equality", text_at(
		1, "[form]\nkind = equality\nlabel = Equality monitoring\n[field id]\nlabel = Id\ntype = text",
		85, "[field sex]\nlabel = Sex",
		87, "help = Our\xE2\x80\xAE" "Sex?", 0), WX_KIND_EQUALITY),
		"forms/equality:87:11: forbidden character U+202E");

	{
		/* cand_min without available_weeks, its [form] on line 21 */
		char *t0 = replace(cand_min, "[field available_weeks]\nlabel = Weeks\ntype = list\nitem = week\n", "");
		char *t1 = text_at(21, t0, 0);

		assert_string_equal(parse("forms/candidate", t1, WX_KIND_CANDIDATE),
				    "forms/candidate:21:1: form lacks field 'available_weeks', which wexmatch reads (a list of week)");
		free(t0);
		free(t1);
	}

	assert_string_equal(parse("forms/candidate", "# candidate\n\nkind = candidate\n[form]\n",
				  WX_KIND_CANDIDATE),
			    "forms/candidate:3:1: key line before [form]");

	assert_string_equal(parse_free("forms/ambassador", text_at(
		21, "[form]\nlabel = Ambassador\nkind = candidate", 0), WX_KIND_AMBASSADOR),
		"forms/ambassador:23:8: kind 'candidate' does not match the file name 'ambassador'");

	{
		char *t = text_at(1, "# professions", 41, "pharmacy        Pharmacy",
				  71, "pharmacy        Pharmacy again", 0);
		struct wx_choices *c = NULL;

		assert_int_equal(wx_list_parse(&c, "professions", "forms/professions", t, strlen(t), &err),
				 WX_EDATA);
		assert_null(c);
		assert_string_equal(err.msg, "forms/professions:71:1: code 'pharmacy' already given on line 41");
		free(t);
		wx_err_clear(&err);
	}

	/* a file that cannot be read: FILE: REASON, the path as opened */
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(mkdir("forms", 0700), 0);
	assert_int_equal(wx_forms_load(&forms, "forms", &err), WX_EIO);
	assert_null(forms);
	snprintf(want, sizeof want, "forms/candidate: %s", strerror(ENOENT));
	assert_string_equal(err.msg, want);
	assert_string_equal(err.msg, "forms/candidate: No such file or directory");
	assert_int_equal(rmdir("forms"), 0);
	assert_int_equal(chdir(cwd), 0);
}

/* ---- encoding and lines ---- */

static const char eq_head[] = "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n";

static void test_encoding(void **state)
{
	struct wx_form *f = NULL;
	static const char nul[] = "[form]\nlabel = a\0b\n";
	int code;

	(void)state;
	/* a byte order mark is ignored and not counted */
	assert_string_equal(parse("forms/equality", "\xEF\xBB\xBF[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n",
				  WX_KIND_EQUALITY), "OK");
	assert_string_equal(parse("forms/equality", "\xEF\xBB\xBF  x = 1\n", WX_KIND_EQUALITY),
			    "forms/equality:1:3: key line before [form]");
	/* only at the start: elsewhere U+FEFF is an ordinary character */
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = \xEF\xBB\xBF" "E\n[field id]\nlabel = Id\ntype = text\n",
				  WX_KIND_EQUALITY), "OK");
	/* CR LF line ends; the CR is not part of the value */
	assert_string_equal(parse_n("forms/equality", "[form]\r\nkind = equality\r\nlabel = E\r\nhelp = a \\\r\n  b\r\n[field id]\r\nlabel = Id\r\ntype = text\r\n",
				    strlen("[form]\r\nkind = equality\r\nlabel = E\r\nhelp = a \\\r\n  b\r\n[field id]\r\nlabel = Id\r\ntype = text\r\n"),
				    WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_string_equal(f->label, "E");
	assert_string_equal(f->help, "a b");
	assert_string_equal(f->f[0].label, "Id");
	wx_form_free(f);
	/* the last line need not end with a line feed */
	assert_string_equal(parse_n("forms/equality", eq_head, strlen(eq_head) - 1, WX_KIND_EQUALITY,
				    NULL, NULL, NULL), "OK");
	/* a carriage return anywhere else is a control character */
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\rx\n", WX_KIND_EQUALITY),
			    "forms/equality:2:16: forbidden character U+000D");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\r", WX_KIND_EQUALITY),
			    "forms/equality:3:10: forbidden character U+000D");
	/* invalid UTF-8, at the column the byte would have had */
	assert_string_equal(parse("forms/equality", "[form]\nlabel = caf\xC3\n", WX_KIND_EQUALITY),
			    "forms/equality:2:12: invalid UTF-8 (byte 0xC3)");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xC3\xA9\xFF\n", WX_KIND_EQUALITY),
			    "forms/equality:2:10: invalid UTF-8 (byte 0xFF)");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xC0\xAF\n", WX_KIND_EQUALITY),
			    "forms/equality:2:9: invalid UTF-8 (byte 0xC0)");   /* overlong */
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xED\xA0\x80\n", WX_KIND_EQUALITY),
			    "forms/equality:2:9: invalid UTF-8 (byte 0xED)");   /* surrogate */
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xF4\x90\x80\x80\n", WX_KIND_EQUALITY),
			    "forms/equality:2:9: invalid UTF-8 (byte 0xF4)");   /* > U+10FFFF */
	assert_string_equal(parse("forms/equality", "\xEF\xBB\xBF\xEF\xBB", WX_KIND_EQUALITY),
			    "forms/equality:1:1: invalid UTF-8 (byte 0xEF)");
	/* NUL, other C0, DEL, C1 */
	assert_string_equal(parse_n("forms/equality", nul, sizeof nul - 1, WX_KIND_EQUALITY, NULL, NULL,
				    &code), "forms/equality:2:10: forbidden character U+0000");
	assert_int_equal(code, WX_EDATA);
	assert_string_equal(parse("forms/equality", "[form]\nlabel = a\x1b[2J\n", WX_KIND_EQUALITY),
			    "forms/equality:2:10: forbidden character U+001B");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = a\x7f\n", WX_KIND_EQUALITY),
			    "forms/equality:2:10: forbidden character U+007F");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xC3\xA9\xC2\x85\n", WX_KIND_EQUALITY),
			    "forms/equality:2:10: forbidden character U+0085");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xC2\x9F\n", WX_KIND_EQUALITY),
			    "forms/equality:2:9: forbidden character U+009F");
	/* in comments too: the rules hold anywhere in the file */
	assert_string_equal(parse("forms/equality", "# a \x01 b\n", WX_KIND_EQUALITY),
			    "forms/equality:1:5: forbidden character U+0001");
	/* bidirectional embeddings, overrides and isolates */
	assert_string_equal(parse("forms/equality", "[form]\nlabel = a\xE2\x80\xAE" "b\n", WX_KIND_EQUALITY),
			    "forms/equality:2:10: forbidden character U+202E");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = \xE2\x80\xAA\n", WX_KIND_EQUALITY),
			    "forms/equality:2:9: forbidden character U+202A");
	assert_string_equal(parse("forms/equality", "# \xE2\x81\xA6 \xE2\x81\xA9\n", WX_KIND_EQUALITY),
			    "forms/equality:1:3: forbidden character U+2066");
	assert_string_equal(parse("forms/equality", "# ok \xE2\x81\xA5 \xE2\x81\xA9\n", WX_KIND_EQUALITY),
			    "forms/equality:1:8: forbidden character U+2069");
	/* tabs, marks (LRM, RLM, ALM) and other characters are ordinary */
	f = NULL;
	assert_string_equal(parse_n("forms/equality", "[form]\nkind\t=\tequality\nlabel\t=\tA\tB\xE2\x80\x8F\xD8\x9C\n[field id]\nlabel = Id\ntype = text\n",
				    strlen("[form]\nkind\t=\tequality\nlabel\t=\tA\tB\xE2\x80\x8F\xD8\x9C\n[field id]\nlabel = Id\ntype = text\n"),
				    WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_string_equal(f->label, "A\tB\xE2\x80\x8F\xD8\x9C");
	wx_form_free(f);
	/* an error in a continuation line is at its own line and column */
	assert_string_equal(parse("forms/equality", "[form]\nhelp = a \\\n  b\x1b\n", WX_KIND_EQUALITY),
			    "forms/equality:3:4: forbidden character U+001B");
}

static void test_continuation(void **state)
{
	struct wx_form *f = NULL;

	(void)state;
	assert_string_equal(parse_n("forms/equality",
		"[form]\nkind = equality\nlabel = E\n"
		"help = Have you already done work experience or had a job, paid or \\\n"
		"    voluntary?  People without any workplace experience get priority.\n"
		"[field id]\nlabel = Id\ntype = text\n"
		"help = one \\\n\t two\\\nthree  \\   \n   four\n"
		"pattern = [A-Z]\\\n  [0-9]\n",
		strlen("[form]\nkind = equality\nlabel = E\n"
		       "help = Have you already done work experience or had a job, paid or \\\n"
		       "    voluntary?  People without any workplace experience get priority.\n"
		       "[field id]\nlabel = Id\ntype = text\n"
		       "help = one \\\n\t two\\\nthree  \\   \n   four\n"
		       "pattern = [A-Z]\\\n  [0-9]\n"),
		WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_string_equal(f->help, "Have you already done work experience or had a job, paid or voluntary?  People without any workplace experience get priority.");
	assert_string_equal(f->f[0].help, "one two three four");
	/* the joining space is part of the pattern: a pattern needing no
	 * space cannot be split */
	assert_string_equal(f->f[0].pattern, "[A-Z] [0-9]");
	wx_form_free(f);

	/* the next line is part of the value even when it starts with # or is
	 * blank (then the value just ends) */
	f = NULL;
	assert_string_equal(parse_n("forms/equality",
		"[form]\nkind = equality\nlabel = E\nhelp = a \\\n# not a comment\n[field id]\nlabel = Id \\\n\ntype = text\n",
		strlen("[form]\nkind = equality\nlabel = E\nhelp = a \\\n# not a comment\n[field id]\nlabel = Id \\\n\ntype = text\n"),
		WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_string_equal(f->help, "a # not a comment");
	assert_string_equal(f->f[0].label, "Id");
	wx_form_free(f);
	/* a line of a backslash alone continues too */
	f = NULL;
	assert_string_equal(parse_n("forms/equality", "[form]\nkind = equality\n\\\n  label = E\n[field id]\nlabel = Id\ntype = text",
				    strlen("[form]\nkind = equality\n\\\n  label = E\n[field id]\nlabel = Id\ntype = text"),
				    WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_string_equal(f->label, "E");
	wx_form_free(f);
	/* comments, blank lines and headers never continue */
	assert_string_equal(parse("forms/equality", "# a comment \\\nx = 1\n", WX_KIND_EQUALITY),
			    "forms/equality:2:1: key line before [form]");
	assert_string_equal(parse("forms/equality", "[form] \\\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n",
				  WX_KIND_EQUALITY), "forms/equality:1:1: bad section header '[form] \\\\' (expected [form] or [field NAME])");
	/* a backslash at the end of the last line */
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\nhelp = a \\", WX_KIND_EQUALITY),
			    "forms/equality:4:10: backslash at the end of the last line (nothing to continue)");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\nhelp = a \\  \n", WX_KIND_EQUALITY),
			    "forms/equality:4:10: backslash at the end of the last line (nothing to continue)");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nhelp = a \\\n b \\\n", WX_KIND_EQUALITY),
			    "forms/equality:4:4: backslash at the end of the last line (nothing to continue)");
	/* the key may be continued too: joined with a space */
	assert_string_equal(parse("forms/equality", "[form]\nla\\\nbel = x\n", WX_KIND_EQUALITY),
			    "forms/equality:2:1: unknown key 'la bel'");
	/* positions in a continued value are those of the physical line */
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = integer\ndefault = \\\n      abc\n"),
			    "forms/equality:12:7: default 'abc': not an integer");
	assert_string_equal(eq_err("[field c]\nlabel = C\ntype = list\nitem = choice\nchoices = a; b; \\\n   c; a\n"),
			    "forms/equality:13:7: choice 'a' given twice");
	/* ... and at the joining space, that of the backslash */
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = (?<a \\\n     b>x)\n"),
			    "forms/equality:11:16: bad pattern: syntax error in subpattern name (missing terminator?)");
}

/* ---- sections ---- */

static void test_sections(void **state)
{
	struct wx_form *f = NULL;
	char name64[80], *big, *t;
	size_t len;
	int code;

	(void)state;
	assert_string_equal(parse("forms/equality", "", WX_KIND_EQUALITY),
			    "forms/equality:1:1: no [form] section");
	assert_string_equal(parse("forms/equality", "# nothing\n\n  \t\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: no [form] section");
	assert_string_equal(parse("forms/equality", "[field id]\nlabel = Id\ntype = text\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: [field id] before [form]");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[form]\n", WX_KIND_EQUALITY),
			    "forms/equality:4:1: [form] given twice (first on line 1)");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n  [form]\n", WX_KIND_EQUALITY),
			    "forms/equality:7:3: [form] given twice (first on line 1)");
	assert_string_equal(parse("forms/equality", "[form]\nlabel = E\n[field id]\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: [form] has no kind");
	assert_string_equal(parse("forms/equality", "\n[form]\nkind = equality\nlabel =\n", WX_KIND_EQUALITY),
			    "forms/equality:2:1: [form] has no label");
	/* headers: spaces and tabs inside the brackets; anything else is wrong */
	assert_string_equal(parse("forms/equality", "[ \tform\t ]\nkind = equality\nlabel = E\n[\tfield \t id ]\nlabel = Id\ntype = text\n",
				  WX_KIND_EQUALITY), "OK");
	assert_string_equal(parse("forms/equality", "[forms]\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: bad section header '[forms]' (expected [form] or [field NAME])");
	assert_string_equal(parse("forms/equality", "  [FORM]\n", WX_KIND_EQUALITY),
			    "forms/equality:1:3: bad section header '[FORM]' (expected [form] or [field NAME])");
	assert_string_equal(parse("forms/equality", "[form\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: bad section header '[form' (expected [form] or [field NAME])");
	assert_string_equal(parse("forms/equality", "[form] x\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: bad section header '[form] x' (expected [form] or [field NAME])");
	assert_string_equal(parse("forms/equality", "[form]]\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: bad section header '[form]]' (expected [form] or [field NAME])");
	assert_string_equal(eq_err("[field]\n"),
			    "forms/equality:7:1: bad section header '[field]' (expected [form] or [field NAME])");
	assert_string_equal(eq_err("[fieldx]\n"),
			    "forms/equality:7:1: bad section header '[fieldx]' (expected [form] or [field NAME])");
	assert_string_equal(eq_err("[field  ]\n"),
			    "forms/equality:7:1: bad section header '[field  ]' (expected [form] or [field NAME])");
	assert_string_equal(eq_err("[field Name]\n"),
			    "forms/equality:7:8: bad field name 'Name' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(eq_err("[field a b]\n"),
			    "forms/equality:7:8: bad field name 'a b' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(eq_err("[field 1a]\n"),
			    "forms/equality:7:8: bad field name '1a' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(eq_err("[field \xC3\xA9]\n"),
			    "forms/equality:7:8: bad field name '\xC3\xA9' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	/* names of 64 characters, not 65 */
	memset(name64, 'a', 64);
	strcpy(name64 + 64, "\n");
	t = malloc(200);
	snprintf(t, 200, "[field %.64s]\nlabel = L\ntype = text\n", name64);
	f = eq_form(t);
	assert_int_equal(strlen(f->f[1].name), 64);
	wx_form_free(f);
	snprintf(t, 200, "[field %.64sb]\n", name64);
	assert_string_equal(eq_err(t),
			    "forms/equality:7:8: bad field name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	free(t);
	/* missing keys, at the header */
	assert_string_equal(eq_err("[field a]\ntype = text\n"),
			    "forms/equality:7:1: field 'a' has no label");
	assert_string_equal(eq_err("\n[field a]\nlabel = A\n"),
			    "forms/equality:8:1: field 'a' has no type");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\n"),
			    "forms/equality:7:1: field 'a' has no item (a list needs item = TYPE)");
	/* the section before a header is checked before the header itself */
	assert_string_equal(eq_err("[field a]\nlabel = A\n[forms]\n"),
			    "forms/equality:7:1: field 'a' has no type");

	/* at most 1000 fields: id and 999 more are fine, one more is not */
	big = malloc(1001 * 64 + 200);
	strcpy(big, eq_head);
	len = strlen(big);
	for (int i = 1; i < 1000; i++)
		len += (size_t)sprintf(big + len, "[field f%d]\nlabel = F\ntype = yesno\nspecial = yes\n", i);
	f = NULL;
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_int_equal(f->n, 1000);
	assert_string_equal(f->f[999].name, "f999");
	wx_form_free(f);
	len += (size_t)sprintf(big + len, "[field f1000]\nlabel = F\ntype = yesno\nspecial = yes\n");
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, NULL, NULL),
			    "forms/equality:4003:1: more than 1000 fields");
	free(big);

	/* at most 1 MiB */
	big = malloc(1048576 + 2);
	strcpy(big, eq_head);
	len = strlen(big);
	memset(big + len, '#', 1048576 - len);
	for (size_t i = len + 100; i < 1048576; i += 100)
		big[i] = '\n';
	big[1048575] = '\n';
	assert_string_equal(parse_n("forms/equality", big, 1048576, WX_KIND_EQUALITY, NULL, NULL, NULL), "OK");
	big[1048576] = '\n';
	assert_string_equal(parse_n("forms/equality", big, 1048577, WX_KIND_EQUALITY, NULL, NULL, &code),
			    "forms/equality:1:1: file larger than 1 MiB (1048576 bytes)");
	assert_int_equal(code, WX_EDATA);
	free(big);

	/* a line of at most 65536 bytes, continuations joined */
	big = malloc(2 * 65536 + 400);
	strcpy(big, eq_head);
	len = strlen(big);
	big[len++] = '#';
	memset(big + len, 'x', 65535);
	len += 65535;
	big[len++] = '\n';
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, NULL, NULL), "OK");
	big[len - 1] = 'x';
	big[len++] = '\n';
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, NULL, NULL),
			    "forms/equality:7:1: line longer than 65536 bytes");
	/* "  help = " (9 bytes) + 40000, joined with " " to 25526: 65536 */
	strcpy(big, eq_head);
	len = strlen(big);
	len += (size_t)sprintf(big + len, "  help = ");
	memset(big + len, 'h', 40000);
	len += 40000;
	len += (size_t)sprintf(big + len, " \\\n    ");
	memset(big + len, 'h', 25526);
	len += 25526;
	big[len++] = '\n';
	f = NULL;
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, &f, NULL),
			    "forms/equality:7:10: help longer than 4000 characters");
	big[len - 1] = 'h';
	big[len++] = '\n';
	assert_string_equal(parse_n("forms/equality", big, len, WX_KIND_EQUALITY, NULL, NULL, NULL),
			    "forms/equality:7:3: line longer than 65536 bytes");
	free(big);
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	struct wx_form *f;
	char *t, *long_text;

	(void)state;
	/* [form] takes kind, label and help */
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\ntype = text\n", WX_KIND_EQUALITY),
			    "forms/equality:3:1: unknown key 'type'");
	assert_string_equal(parse("forms/equality", "[form]\n  Label = E\n", WX_KIND_EQUALITY),
			    "forms/equality:2:3: unknown key 'Label'");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equalities\n", WX_KIND_EQUALITY),
			    "forms/equality:2:8: unknown kind 'equalities' (expected candidate, placement, ambassador, request or equality)");
	assert_string_equal(eq_err("[field a]\nkind = equality\n"), "forms/equality:9:1: unknown key 'kind'");
	assert_string_equal(eq_err("[field a]\nlabel = A\nmaxlength = 3\n"),
			    "forms/equality:10:1: unknown key 'maxlength'");
	assert_string_equal(eq_err("[field a]\n\tlabel = A\n"), "forms/equality:7:1: field 'a' has no type");
	/* KEY = VALUE: no quoting, = and # in values */
	assert_string_equal(eq_err("[field a]\nlabel\n"),
			    "forms/equality:9:1: no '=' in the line (expected KEY = VALUE)");
	assert_string_equal(eq_err("[field a]\n   = x\n"),
			    "forms/equality:9:4: no key before '=' (expected KEY = VALUE)");
	f = eq_form("[field a]\nlabel=A = B # not a comment\ntype=text\nhelp =   x=y  \n");
	assert_string_equal(f->f[1].label, "A = B # not a comment");
	assert_string_equal(f->f[1].help, "x=y");
	wx_form_free(f);
	/* duplicates, even of an empty value; empty values count as not given */
	assert_string_equal(eq_err("[field a]\nlabel =\nlabel = A\n"),
			    "forms/equality:10:1: duplicate key 'label' (first given on line 9)");
	assert_string_equal(eq_err("[field a]\nlabel =\ntype = text\n"),
			    "forms/equality:7:1: field 'a' has no label");
	f = eq_form("[field a]\nlabel = A\ntype = integer\npattern =\nhelp =\nwidth =\n");
	assert_null(f->f[1].help);
	assert_null(f->f[1].pattern);
	assert_int_equal(f->f[1].width, 10);
	wx_form_free(f);
	/* types */
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = Text\n"),
			    "forms/equality:10:8: unknown type 'Text' (expected text, integer, date, datetime, week, yesno, choice or list)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = list\n"),
			    "forms/equality:11:8: bad item type 'list' (expected text, integer, date, week or choice)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = yesno\n"),
			    "forms/equality:11:8: bad item type 'yesno' (expected text, integer, date, week or choice)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = datetime\n"),
			    "forms/equality:11:8: bad item type 'datetime' (expected text, integer, date, week or choice)");
	/* keys that do not apply to the type, in any order */
	assert_string_equal(eq_err("[field a]\nlabel = A\npattern = [0-9]+\ntype = integer\n"),
			    "forms/equality:10:1: key 'pattern' does not apply to type integer");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nitem = text\n"),
			    "forms/equality:11:1: key 'item' does not apply to type text");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = yesno\nlines = 2\n"),
			    "forms/equality:11:1: key 'lines' does not apply to type yesno");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = date\nmax_length = 2\n"),
			    "forms/equality:11:1: key 'max_length' does not apply to type date");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nmin = 1\n"),
			    "forms/equality:11:1: key 'min' does not apply to type text");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices = a\nmin_items = 1\n"),
			    "forms/equality:12:1: key 'min_items' does not apply to type choice");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nchoices_from = professions\n"),
			    "forms/equality:11:1: key 'choices_from' does not apply to type text");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = date\nchoices = a\n"),
			    "forms/equality:12:1: key 'choices' does not apply to a list of date");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = choice\nchoices = a\npattern = a\n"),
			    "forms/equality:13:1: key 'pattern' does not apply to a list of choice");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = text\nmax = 3\n"),
			    "forms/equality:12:1: key 'max' does not apply to a list of text");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\npattern_help = digits\n"),
			    "forms/equality:11:1: pattern_help needs pattern");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nlist_width = 5\n"),
			    "forms/equality:11:1: list_width needs list_column = yes");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nlist_column = no\nlist_width = 5\n"),
			    "forms/equality:12:1: list_width needs list_column = yes");
	/* keys that apply, on every type they apply to */
	f = eq_form("[field a]\nlabel = A\ntype = text\nrequired = yes\nhelp = h\ndefault = x\nsection = S\n"
		    "width = 5\nlist_column = yes\nlist_width = 4\nlines = 3\nmin_length = 1\nmax_length = 9\n"
		    "pattern = [a-z]+\npattern_help = letters\n"
		    "[field b]\nlabel = B\ntype = list\nitem = integer\nmin_items = 1\nmax_items = 3\nmin = 1\nmax = 5\nlines = 2\n"
		    "[field c]\nlabel = C\ntype = list\nitem = choice\nchoices = x; y\n"
		    "[field d]\nlabel = D\ntype = datetime\nmin = 2027-01-01T00:00Z\n"
		    "[field e]\nlabel = E\ntype = week\nmax = 2027-W10\n"
		    "[field g]\nlabel = G\ntype = list\nitem = text\nmin_length = 2\npattern = x+\n");
	assert_int_equal(f->n, 7);
	wx_form_free(f);
	/* numbers and their ranges */
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nwidth = 0\n"),
			    "forms/equality:11:9: bad width value '0' (expected a number from 1 to 200)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nwidth = 201\n"),
			    "forms/equality:11:9: bad width value '201' (expected a number from 1 to 200)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nwidth = wide\n"),
			    "forms/equality:11:9: bad width value 'wide' (expected a number from 1 to 200)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nlines = 51\n"),
			    "forms/equality:11:9: bad lines value '51' (expected a number from 1 to 50)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nmin_length = 100001\n"),
			    "forms/equality:11:14: bad min_length value '100001' (expected a number from 0 to 100000)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nmax_length = 0\n"),
			    "forms/equality:11:14: bad max_length value '0' (expected a number from 1 to 100000)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = text\nmin_items = -1\n"),
			    "forms/equality:12:13: bad min_items value '-1' (expected a number from 0 to 10000)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = text\nmax_items = 10001\n"),
			    "forms/equality:12:13: bad max_items value '10001' (expected a number from 1 to 10000)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nlist_column = yes\nlist_width = 201\n"),
			    "forms/equality:12:14: bad list_width value '201' (expected a number from 1 to 200)");
	f = eq_form("[field a]\nlabel = A\ntype = text\nwidth = +020\nmin_length = 0\nmax_length = 100000\n");
	assert_int_equal(f->f[1].width, 20);
	assert_int_equal(f->f[1].max_length, 100000);
	wx_form_free(f);
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nmin_length = 10\nmax_length = 5\n"),
			    "forms/equality:11:14: min_length 10 is greater than max_length 5");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = week\nmax_items = 2\nmin_items = 3\n"),
			    "forms/equality:13:13: min_items 3 is greater than max_items 2");
	/* yes and no, in the spellings of a yesno value */
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nrequired = maybe\n"),
			    "forms/equality:11:12: bad required value 'maybe' (expected yes or no)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = text\nlist_column = 2\n"),
			    "forms/equality:11:15: bad list_column value '2' (expected yes or no)");
	f = eq_form("[field a]\nlabel = A\ntype = text\nrequired = TRUE\nlist_column = y\n"
		    "[field b]\nlabel = B\ntype = text\nrequired = 0\nlist_column = False\n");
	assert_int_equal(f->f[1].required, 1);
	assert_int_equal(f->f[1].list_column, 1);
	assert_int_equal(f->f[2].required, 0);
	assert_int_equal(f->f[2].list_column, 0);
	assert_int_equal(f->f[2].special, 1);
	wx_form_free(f);
	/* lengths of texts, in characters */
	long_text = malloc(4 * 4001 + 64);
	t = malloc(4 * 4001 + 200);
	for (int i = 0; i < 200; i++)
		memcpy(long_text + 2 * i, "\xC3\xA9", 2);
	long_text[400] = '\0';
	sprintf(t, "[field a]\nlabel = %s\ntype = text\nsection = %s\npattern = x\npattern_help = %s\n",
		long_text, long_text, long_text);
	f = eq_form(t);
	assert_int_equal(strlen(f->f[1].label), 400);
	wx_form_free(f);
	sprintf(t, "[field a]\nlabel = %sx\n", long_text);
	assert_string_equal(eq_err(t), "forms/equality:9:9: label longer than 200 characters");
	sprintf(t, "[field a]\nlabel = A\nsection = %sx\n", long_text);
	assert_string_equal(eq_err(t), "forms/equality:10:11: section longer than 200 characters");
	sprintf(t, "[field a]\nlabel = A\npattern_help = %sx\n", long_text);
	assert_string_equal(eq_err(t), "forms/equality:10:16: pattern_help longer than 200 characters");
	sprintf(t, "[form]\nkind = equality\nlabel = %sx\n", long_text);
	assert_string_equal(parse("forms/equality", t, WX_KIND_EQUALITY),
			    "forms/equality:3:9: label longer than 200 characters");
	memset(long_text, 'h', 4000);
	long_text[4000] = '\0';
	sprintf(t, "[field a]\nlabel = A\ntype = text\nhelp = %s\npattern = %s\n", long_text, long_text);
	f = eq_form(t);
	assert_int_equal(strlen(f->f[1].help), 4000);
	wx_form_free(f);
	sprintf(t, "[form]\nkind = equality\nlabel = E\nhelp = %sh\n", long_text);
	assert_string_equal(parse("forms/equality", t, WX_KIND_EQUALITY),
			    "forms/equality:4:8: help longer than 4000 characters");
	sprintf(t, "[field a]\nlabel = A\ntype = text\npattern = %sh\n", long_text);
	assert_string_equal(eq_err(t), "forms/equality:11:11: pattern longer than 4000 characters");
	/* a pattern of 2100 two-byte characters (4200 bytes) is within the
	 * form's 4000 characters, and the PCRE2 module's byte limit leaves room
	 * for it: the limit in characters is the one that holds */
	for (int i = 0; i < 2100; i++)
		memcpy(long_text + 2 * i, "\xC3\xA9", 2);
	long_text[4200] = '\0';
	sprintf(t, "[field a]\nlabel = A\ntype = text\npattern = %s\n", long_text);
	assert_string_equal(eq_err(t), "OK");
	free(long_text);
	free(t);
}

static void test_choices_key(void **state)
{
	struct wx_form *f;
	char *t;
	size_t len;

	(void)state;
	f = eq_form("[field a]\nlabel = A\ntype = choice\nchoices = school; \tcollege ;; neet;\n"
		    "[field b]\nlabel = B\ntype = choice\nchoices = \xC3\xA9t\xC3\xA9; \xC3\x89T\xC3\x89; prefer not to say\n");
	assert_non_null(f->f[1].choices);
	assert_ptr_equal(f->f[1].choices, f->f[1].own_choices);
	assert_null(f->f[1].choices->name);
	assert_int_equal(f->f[1].choices->n, 3);
	assert_string_equal(f->f[1].choices->v[0].code, "school");
	assert_string_equal(f->f[1].choices->v[1].code, "college");
	assert_string_equal(f->f[1].choices->v[2].code, "neet");
	assert_string_equal(f->f[1].choices->v[1].label, "college");
	/* only ASCII letters fold: été and ÉTÉ are two choices */
	assert_int_equal(f->f[2].choices->n, 3);
	assert_string_equal(f->f[2].choices->v[2].code, "prefer not to say");
	assert_non_null(wx_choices_find(f->f[1].choices, "SCHOOL", 6));
	assert_string_equal(wx_choices_find(f->f[1].choices, "College", 7)->code, "college");
	assert_null(wx_choices_find(f->f[1].choices, "schoo", 5));
	assert_null(wx_choices_find(f->f[1].choices, "", 0));
	assert_null(wx_choices_find(NULL, "x", 1));
	wx_form_free(f);
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices = school; college; School\n"),
			    "forms/equality:11:28: choices 'school' and 'School' differ only in the case of letters");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices = a;b;a\n"),
			    "forms/equality:11:15: choice 'a' given twice");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices = ; ;\t;\n"),
			    "forms/equality:11:11: no choices given (expected VALUE; VALUE...)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\n"),
			    "forms/equality:7:1: field 'a' has no choices (give choices or choices_from)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = list\nitem = choice\nchoices =\n"),
			    "forms/equality:7:1: field 'a' has no choices (give choices or choices_from)");
	/* 1000 choices at most, each of 200 characters at most */
	t = malloc(20000);
	len = (size_t)sprintf(t, "[field a]\nlabel = A\ntype = choice\nchoices = c0");
	for (int i = 1; i < 1000; i++)
		len += (size_t)sprintf(t + len, ";c%d", i);
	strcpy(t + len, "\n");
	f = eq_form(t);
	assert_int_equal(f->f[1].choices->n, 1000);
	assert_string_equal(f->f[1].choices->v[999].code, "c999");
	wx_form_free(f);
	strcpy(t + len, "; c1000\n");
	assert_string_equal(eq_err(t), "forms/equality:11:4902: more than 1000 choices");
	len = (size_t)sprintf(t, "[field a]\nlabel = A\ntype = choice\nchoices = a; ");
	memset(t + len, 'c', 200);
	strcpy(t + len + 200, "\n");
	f = eq_form(t);
	wx_form_free(f);
	strcpy(t + len + 200, "c\n");
	assert_string_equal(eq_err(t), "forms/equality:11:14: choice longer than 200 characters");
	free(t);
	/* choices_from */
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices_from = Professions\n"),
			    "forms/equality:11:16: bad list name 'Professions' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices_from = ../professions\n"),
			    "forms/equality:11:16: bad list name '../professions' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices_from = candidate\n"),
			    "forms/equality:11:16: list name 'candidate' is the name of a kind (expected another name)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices_from = professions\n"),
			    "forms/equality:11:16: choices_from 'professions' cannot be used here (no forms directory)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices = a\nchoices_from = professions\n"),
			    "forms/equality:12:1: both choices and choices_from given (give one)");
	assert_string_equal(eq_err("[field a]\nlabel = A\ntype = choice\nchoices_from = professions\nchoices = a\n"),
			    "forms/equality:12:1: both choices and choices_from given (give one)");
}

static void test_choices_from(void **state)
{
	struct wx_form *f = NULL, *g = NULL;
	char *t = eq("[field a]\nlabel = A\ntype = choice\nchoices_from = professions\n"
		     "[field b]\nlabel = B\ntype = list\nitem = choice\nchoices_from = professions\n");
	char want[700];
	int code;

	(void)state;
	assert_string_equal(parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, fx, &f, NULL), "OK");
	assert_string_equal(parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, fx, &g, NULL), "OK");
	/* read once (here or by an earlier test), shared */
	assert_int_equal(fx->nlists, 1);
	assert_ptr_equal(f->f[1].choices, fx->lists[0]);
	assert_ptr_equal(f->f[2].choices, fx->lists[0]);
	assert_ptr_equal(g->f[1].choices, fx->lists[0]);
	assert_null(f->f[1].own_choices);
	assert_string_equal(fx->lists[0]->name, "professions");
	assert_int_equal(fx->lists[0]->n, 4);
	assert_string_equal(fx->lists[0]->v[3].code, "radiography");
	assert_string_equal(fx->lists[0]->v[3].label, "Radiography");
	/* the box is as wide as the longest code */
	assert_int_equal(f->f[1].width, 11);
	wx_form_free(f);
	wx_form_free(g);
	free(t);
	/* a list that is not there */
	t = eq("[field a]\nlabel = A\ntype = choice\nchoices_from = trades\n");
	snprintf(want, sizeof want, "%s/trades: No such file or directory", tmpdir);
	assert_string_equal(parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, fx, NULL, &code), want);
	assert_int_equal(code, WX_EIO);
	/* a list with an error is reported in its own file */
	write_file(tmpdir, "trades", "plumbing Plumbing\nplumbing Plumbing\n", 36);
	snprintf(want, sizeof want, "%s/trades:2:1: code 'plumbing' already given on line 1", tmpdir);
	assert_string_equal(parse_n("forms/equality", t, strlen(t), WX_KIND_EQUALITY, fx, NULL, &code), want);
	assert_int_equal(code, WX_EDATA);
	free(t);
}

/* ---- the id field ---- */

static void test_id_field(void **state)
{
	struct wx_form *f;

	(void)state;
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = integer\n",
				  WX_KIND_EQUALITY), "forms/equality:6:8: field 'id' must have type text (wexmatch reads it)");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\nrequired = no\n",
				  WX_KIND_EQUALITY), "forms/equality:7:12: field 'id' is always required (remove required = no)");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\ndefault = x\n",
				  WX_KIND_EQUALITY), "forms/equality:7:1: field 'id' cannot have a default");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\nspecial = yes\n",
				  WX_KIND_EQUALITY), "forms/equality:7:11: field 'id' cannot be special");
	f = NULL;
	assert_string_equal(parse_n("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\nrequired = yes\nspecial = no\n",
				    strlen("[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\nrequired = yes\nspecial = no\n"),
				    WX_KIND_EQUALITY, NULL, &f, NULL), "OK");
	assert_int_equal(f->f[0].required, 1);
	assert_int_equal(f->f[0].special, 0);
	wx_form_free(f);
	/* required without saying so */
	f = eq_form("");
	assert_int_equal(f->f[0].required, 1);
	wx_form_free(f);
	/* in the equality form every other field is special */
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n[field id]\nlabel = Id\ntype = text\n[field sex]\nlabel = Sex\ntype = text\nspecial = no\n",
				  WX_KIND_EQUALITY), "forms/equality:10:11: field 'sex': special = yes is required in the equality form");
	/* elsewhere special is allowed and defaults to no */
	{
		char *t = replace(cand_min, "[field max_travel_km]", "[field religion]\nlabel = R\ntype = text\nspecial = yes\n[field max_travel_km]");
		struct wx_form *c = NULL;

		assert_string_equal(parse_n("forms/candidate", t, strlen(t), WX_KIND_CANDIDATE, fx, &c, NULL), "OK");
		assert_int_equal(field(c, "religion")->special, 1);
		assert_int_equal(field(c, "postcode")->special, 0);
		wx_form_free(c);
		free(t);
	}
}

/* ---- the fields wexmatch reads ---- */

/* The line of the first needle after anchor in text. */
static int line_of(const char *text, const char *anchor, const char *needle)
{
	const char *a = strstr(text, anchor), *p;
	int line = 1;

	assert_non_null(a);
	p = strstr(a, needle);
	assert_non_null(p);
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* Replace old by new in min, parse as kind k, and compare with
 * "forms/x:LINE:COL: msg" where LINE is that of needle after anchor. */
static void reads_err(const char *min, const char *old, const char *new, enum wx_kind k,
		      const char *anchor, const char *needle, int col, const char *msg)
{
	char *t = replace(min, old, new), want[400];

	snprintf(want, sizeof want, "forms/x:%d:%d: %s", line_of(t, anchor, needle), col, msg);
	assert_string_equal(parse("forms/x", t, k), want);
	free(t);
}

static void test_reads(void **state)
{
	static const char *const mins[] = { cand_min, plac_min, amb_min, req_min };

	(void)state;
	for (int k = 0; k < 4; k++)
		assert_string_equal(parse("forms/x", mins[k], (enum wx_kind)k), "OK");
	assert_string_equal(parse("forms/equality", "[form]\nkind = equality\nlabel = E\n", WX_KIND_EQUALITY),
			    "forms/equality:1:1: form lacks field 'id', which wexmatch reads (text)");
	/* a missing field: at the [form] header */
	assert_string_equal(parse("forms/equality", "# x\n\n[form]\nkind = equality\nlabel = E\n[field x]\nlabel = X\ntype = text\nspecial = yes\n",
				  WX_KIND_EQUALITY),
			    "forms/equality:3:1: form lacks field 'id', which wexmatch reads (text)");
	/* another type: at the type */
	reads_err(plac_min, "[field capacity]\nlabel = Places\ntype = integer", "[field capacity]\nlabel = Places\ntype = text",
		  WX_KIND_PLACEMENT, "[field capacity]", "type = ", 8,
		  "field 'capacity' must have type integer (wexmatch reads it)");
	reads_err(plac_min, "[field week]\nlabel = Week\ntype = week", "[field week]\nlabel = Week\ntype = date",
		  WX_KIND_PLACEMENT, "[field week]", "type = ", 8,
		  "field 'week' must have type week (wexmatch reads it)");
	reads_err(amb_min, "[field training_done]\nlabel = Trained\ntype = yesno", "[field training_done]\nlabel = Trained\ntype = choice\nchoices = yes; no",
		  WX_KIND_AMBASSADOR, "[field training_done]", "type = ", 8,
		  "field 'training_done' must have type yesno (wexmatch reads it)");
	reads_err(req_min, "[field date]\nlabel = Date\ntype = date", "[field date]\nlabel = Date\ntype = datetime",
		  WX_KIND_REQUEST, "[field date]", "type = ", 8,
		  "field 'date' must have type date (wexmatch reads it)");
	reads_err(cand_min, "[field max_travel_km]\nlabel = Km\ntype = integer", "[field max_travel_km]\nlabel = Km\ntype = list\nitem = integer",
		  WX_KIND_CANDIDATE, "[field max_travel_km]", "type = ", 8,
		  "field 'max_travel_km' must have type integer (wexmatch reads it)");
	/* the type is checked before the keys that would not apply to it */
	reads_err(plac_min, "[field status]\nlabel = Status\ntype = choice", "[field status]\nlabel = Status\ntype = text",
		  WX_KIND_PLACEMENT, "[field status]", "type = ", 8,
		  "field 'status' must have type choice (wexmatch reads it)");
	/* another item type: at the item */
	reads_err(cand_min, "item = week", "item = date", WX_KIND_CANDIDATE, "[field available_weeks]", "item = ", 8,
		  "field 'available_weeks' must have item week (wexmatch reads it)");
	reads_err(amb_min, "item = choice\nchoices_from = professions", "item = text", WX_KIND_AMBASSADOR,
		  "[field professions]", "item = ", 8,
		  "field 'professions' must have item choice (wexmatch reads it)");
	/* another source of choices: at choices, or at the other list's name */
	reads_err(plac_min, "choices_from = professions", "choices = nursing; pharmacy", WX_KIND_PLACEMENT,
		  "[field profession]", "choices = ", 1,
		  "field 'profession' must have choices_from = professions (wexmatch reads it)");
	write_file(tmpdir, "jobs", "nursing Nursing\n", 16);
	reads_err(amb_min, "choices_from = professions", "choices_from = jobs", WX_KIND_AMBASSADOR,
		  "[field professions]", "choices_from = ", 16,
		  "field 'professions' must have choices_from = professions (wexmatch reads it)");
	/* statuses: more may be added, none removed (spelt exactly) */
	reads_err(req_min, "choices = open; filled; cancelled; done", "choices = open; filled; cancelled; postponed",
		  WX_KIND_REQUEST, "[field status]", "choices = ", 11,
		  "field 'status' lacks the choice 'done' (wexmatch reads it)");
	reads_err(req_min, "choices = open; filled; cancelled; done", "choices = Open; filled; cancelled; done",
		  WX_KIND_REQUEST, "[field status]", "choices = ", 11,
		  "field 'status' lacks the choice 'open' (wexmatch reads it)");
	{
		char *t = replace(req_min, "choices = open; filled; cancelled; done",
				  "choices = draft; open; filled; cancelled; done; postponed");

		assert_string_equal(parse_free("forms/request", t, WX_KIND_REQUEST), "OK");
		/* statuses from a list file are fine too, if they are all there */
		write_file(tmpdir, "statuses", "open Open\nfilled Filled\ncancelled Cancelled\ndone Done\n", 51);
		t = replace(req_min, "choices = open; filled; cancelled; done", "choices_from = statuses");
		assert_string_equal(parse_free("forms/request", t, WX_KIND_REQUEST), "OK");
		write_file(tmpdir, "statuses2", "open Open\nfilled Filled\ncancelled Cancelled\n", 41);
		reads_err(req_min, "choices = open; filled; cancelled; done", "choices_from = statuses2",
			  WX_KIND_REQUEST, "[field status]", "choices_from = ", 16,
			  "field 'status' lacks the choice 'done' (wexmatch reads it)");
	}
	/* every field of every kind is needed */
	{
		static const struct { const char *min, *sect; enum wx_kind k; const char *msg; } miss[] = {
			{ cand_min, "[field status]", WX_KIND_CANDIDATE, "form lacks field 'status', which wexmatch reads (a choice)" },
			{ cand_min, "[field applied_at]", WX_KIND_CANDIDATE, "form lacks field 'applied_at', which wexmatch reads (a datetime)" },
			{ cand_min, "[field date_of_birth]", WX_KIND_CANDIDATE, "form lacks field 'date_of_birth', which wexmatch reads (a date)" },
			{ cand_min, "[field postcode]", WX_KIND_CANDIDATE, "form lacks field 'postcode', which wexmatch reads (text)" },
			{ cand_min, "[field choices]", WX_KIND_CANDIDATE, "form lacks field 'choices', which wexmatch reads (a list of text)" },
			{ cand_min, "[field interests]", WX_KIND_CANDIDATE, "form lacks field 'interests', which wexmatch reads (a list of choice with choices_from = professions)" },
			{ cand_min, "[field available_weeks]", WX_KIND_CANDIDATE, "form lacks field 'available_weeks', which wexmatch reads (a list of week)" },
			{ cand_min, "[field max_travel_km]", WX_KIND_CANDIDATE, "form lacks field 'max_travel_km', which wexmatch reads (an integer)" },
			{ cand_min, "[field placement]", WX_KIND_CANDIDATE, "form lacks field 'placement', which wexmatch reads (text)" },
			{ plac_min, "[field status]", WX_KIND_PLACEMENT, "form lacks field 'status', which wexmatch reads (a choice)" },
			{ plac_min, "[field profession]", WX_KIND_PLACEMENT, "form lacks field 'profession', which wexmatch reads (a choice with choices_from = professions)" },
			{ plac_min, "[field site_postcode]", WX_KIND_PLACEMENT, "form lacks field 'site_postcode', which wexmatch reads (text)" },
			{ plac_min, "[field min_age]", WX_KIND_PLACEMENT, "form lacks field 'min_age', which wexmatch reads (an integer)" },
			{ plac_min, "[field week]", WX_KIND_PLACEMENT, "form lacks field 'week', which wexmatch reads (a week)" },
			{ plac_min, "[field start_date]", WX_KIND_PLACEMENT, "form lacks field 'start_date', which wexmatch reads (a date)" },
			{ plac_min, "[field capacity]", WX_KIND_PLACEMENT, "form lacks field 'capacity', which wexmatch reads (an integer)" },
			{ amb_min, "[field status]", WX_KIND_AMBASSADOR, "form lacks field 'status', which wexmatch reads (a choice)" },
			{ amb_min, "[field professions]", WX_KIND_AMBASSADOR, "form lacks field 'professions', which wexmatch reads (a list of choice with choices_from = professions)" },
			{ amb_min, "[field base_postcode]", WX_KIND_AMBASSADOR, "form lacks field 'base_postcode', which wexmatch reads (text)" },
			{ amb_min, "[field max_travel_km]", WX_KIND_AMBASSADOR, "form lacks field 'max_travel_km', which wexmatch reads (an integer)" },
			{ amb_min, "[field available_dates]", WX_KIND_AMBASSADOR, "form lacks field 'available_dates', which wexmatch reads (a list of date)" },
			{ amb_min, "[field max_events]", WX_KIND_AMBASSADOR, "form lacks field 'max_events', which wexmatch reads (an integer)" },
			{ amb_min, "[field dbs_expires]", WX_KIND_AMBASSADOR, "form lacks field 'dbs_expires', which wexmatch reads (a date)" },
			{ amb_min, "[field training_done]", WX_KIND_AMBASSADOR, "form lacks field 'training_done', which wexmatch reads (a yesno)" },
			{ amb_min, "[field virtual_ok]", WX_KIND_AMBASSADOR, "form lacks field 'virtual_ok', which wexmatch reads (a yesno)" },
			{ req_min, "[field status]", WX_KIND_REQUEST, "form lacks field 'status', which wexmatch reads (a choice)" },
			{ req_min, "[field postcode]", WX_KIND_REQUEST, "form lacks field 'postcode', which wexmatch reads (text)" },
			{ req_min, "[field imd_decile]", WX_KIND_REQUEST, "form lacks field 'imd_decile', which wexmatch reads (an integer)" },
			{ req_min, "[field fsm_pct]", WX_KIND_REQUEST, "form lacks field 'fsm_pct', which wexmatch reads (an integer)" },
			{ req_min, "[field professions]", WX_KIND_REQUEST, "form lacks field 'professions', which wexmatch reads (a list of choice with choices_from = professions)" },
			{ req_min, "[field date]", WX_KIND_REQUEST, "form lacks field 'date', which wexmatch reads (a date)" },
			{ req_min, "[field virtual]", WX_KIND_REQUEST, "form lacks field 'virtual', which wexmatch reads (a yesno)" },
			{ req_min, "[field ambassadors_needed]", WX_KIND_REQUEST, "form lacks field 'ambassadors_needed', which wexmatch reads (an integer)" },
		};
		for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
			/* renaming the field is the same as removing it */
			char name[80], msg[300], *u;

			snprintf(name, sizeof name, "[field x%s", miss[i].sect + 7);
			u = replace(miss[i].min, miss[i].sect, name);
			snprintf(msg, sizeof msg, "forms/x:1:1: %s", miss[i].msg);
			assert_string_equal(parse("forms/x", u, miss[i].k), msg);
			free(u);
		}
	}
}

/* ---- layout hints ---- */

static void test_layout(void **state)
{
	struct wx_form *f;

	(void)state;
	f = eq_form("[field t]\nlabel = T\ntype = text\n"
		    "[field t10]\nlabel = T\ntype = text\nmax_length = 10\nsection = First\n"
		    "[field t60]\nlabel = T\ntype = text\nmax_length = 60\n"
		    "[field t61]\nlabel = T\ntype = text\nmax_length = 61\nlist_column = yes\n"
		    "[field i]\nlabel = I\ntype = integer\nsection = First\n"
		    "[field d]\nlabel = D\ntype = date\nsection = Second\nlist_column = yes\n"
		    "[field dt]\nlabel = DT\ntype = datetime\nlist_column = yes\n"
		    "[field w]\nlabel = W\ntype = week\n"
		    "[field y]\nlabel = Y\ntype = yesno\n"
		    "[field c]\nlabel = C\ntype = choice\nchoices = a; bb\n"
		    "[field c2]\nlabel = C\ntype = choice\nchoices = a; abcdefgh; \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n"
		    "[field l]\nlabel = L\ntype = list\nitem = integer\nlist_column = yes\nlist_width = 33\n"
		    "[field wide]\nlabel = W\ntype = text\nwidth = 200\nlines = 5\nlist_column = yes\n");
	assert_int_equal(f->n, 14);
	assert_int_equal(field(f, "id")->width, 40);
	assert_int_equal(field(f, "t")->width, 40);
	assert_int_equal(field(f, "t10")->width, 10);
	assert_int_equal(field(f, "t60")->width, 60);
	assert_int_equal(field(f, "t61")->width, 40);
	assert_int_equal(field(f, "i")->width, 10);
	assert_int_equal(field(f, "d")->width, 10);
	assert_int_equal(field(f, "dt")->width, 25);
	assert_int_equal(field(f, "w")->width, 8);
	assert_int_equal(field(f, "y")->width, 3);
	assert_int_equal(field(f, "c")->width, 3);
	assert_int_equal(field(f, "c2")->width, 9);   /* characters, not bytes */
	assert_int_equal(field(f, "l")->width, 40);
	assert_int_equal(field(f, "wide")->width, 200);
	/* list columns: list_width, else the width but at most 20 */
	assert_int_equal(field(f, "t")->list_width, 0);
	assert_int_equal(field(f, "t61")->list_width, 20);
	assert_int_equal(field(f, "d")->list_width, 10);
	assert_int_equal(field(f, "dt")->list_width, 20);
	assert_int_equal(field(f, "l")->list_width, 33);
	assert_int_equal(field(f, "wide")->list_width, 20);
	assert_int_equal(field(f, "wide")->list_column, 1);
	/* lines */
	assert_int_equal(field(f, "t")->lines, 1);
	assert_int_equal(field(f, "wide")->lines, 5);
	/* sections: a field without one stays in the group before it */
	assert_null(field(f, "id")->section);
	assert_null(field(f, "t")->section);
	assert_string_equal(field(f, "t10")->section, "First");
	assert_string_equal(field(f, "t60")->section, "First");
	assert_string_equal(field(f, "t61")->section, "First");
	assert_string_equal(field(f, "i")->section, "First");
	assert_string_equal(field(f, "d")->section, "Second");
	assert_string_equal(field(f, "wide")->section, "Second");
	/* form order and header lines */
	assert_string_equal(f->f[0].name, "id");
	assert_string_equal(f->f[13].name, "wide");
	assert_int_equal(f->f[0].line, 4);
	assert_int_equal(f->f[1].line, 7);
	wx_form_free(f);
}

/* ---- defaults, min and max, patterns ---- */

static void test_defaults(void **state)
{
	struct wx_form *f;
	char *t;

	(void)state;
	f = eq_form("[field n]\nlabel = N\ntype = integer\ndefault = +007\n"
		    "[field y]\ndefault = Y\nlabel = Y\ntype = yesno\n"
		    "[field w]\nlabel = W\ntype = week\ndefault = 2027-w05\n"
		    "[field c]\nlabel = C\ntype = choice\nchoices = school; college\ndefault = SCHOOL\n"
		    "[field l]\nlabel = L\ntype = list\nitem = choice\nchoices = a; b\ndefault = B ;  a ;\n"
		    "[field dt]\nlabel = DT\ntype = datetime\ndefault = 2027-03-01 09:30z\n"
		    "[field t]\nlabel = T\ntype = text\ndefault = hello\tworld\n"
		    "[field e]\nlabel = E\ntype = text\n");
	assert_string_equal(field(f, "n")->defval, "7");
	assert_string_equal(field(f, "y")->defval, "yes");
	assert_string_equal(field(f, "w")->defval, "2027-W05");
	assert_string_equal(field(f, "c")->defval, "school");
	assert_string_equal(field(f, "l")->defval, "b;a");
	assert_string_equal(field(f, "dt")->defval, "2027-03-01T09:30Z");
	assert_string_equal(field(f, "t")->defval, "hello\tworld");
	assert_null(field(f, "e")->defval);
	assert_null(field(f, "id")->defval);
	wx_form_free(f);
	/* a default must pass every check of its field; at the offending item */
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = choice\nchoices = a; b\ndefault = a; zz; b\n"),
			    "forms/equality:13:14: default item 'zz' is not one of the choices");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = choice\nchoices = a; b\ndefault = a; b; A\n"),
			    "forms/equality:13:17: default item 'A': given twice");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = choice\nchoices = a; b\nmax_items = 1\ndefault = a; b\n"),
			    "forms/equality:14:11: default 'a; b': too many items");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = integer\nmin_items = 3\ndefault = 1;2\n"),
			    "forms/equality:13:11: default '1;2': too few items");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = integer\nmax = 5\ndefault = 1; 2; 6\n"),
			    "forms/equality:13:17: default item '6': too large");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = week\ndefault = 2027-W01; 2027-W53\n"),
			    "forms/equality:12:21: default item '2027-W53': not a real week");
	assert_string_equal(eq_err("[field l]\nlabel = L\ntype = list\nitem = text\npattern = [a-z]+\ndefault = ab; Cd\n"),
			    "forms/equality:13:15: default item 'Cd': does not match the pattern");
	assert_string_equal(eq_err("[field t]\nlabel = T\ntype = text\nmax_length = 3\ndefault = abcd\n"),
			    "forms/equality:12:11: default 'abcd': too long");
	assert_string_equal(eq_err("[field t]\nlabel = T\ntype = text\nmin_length = 3\ndefault = ab\n"),
			    "forms/equality:12:11: default 'ab': too short");
	assert_string_equal(eq_err("[field t]\nlabel = T\ntype = text\ndefault = x\npattern = [0-9]+\npattern_help = digits\n"),
			    "forms/equality:11:11: default 'x': does not match the pattern");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = integer\nmin = 1\ndefault = 0\n"),
			    "forms/equality:12:11: default '0': too small");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = integer\ndefault = 99999999999999999999\n"),
			    "forms/equality:11:11: default '99999999999999999999': out of range for an integer");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = date\nmax = 2027-12-31\ndefault = 2028-01-01\n"),
			    "forms/equality:12:11: default '2028-01-01': too late");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = date\ndefault = 2027-02-29\n"),
			    "forms/equality:11:11: default '2027-02-29': not a real day");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = date\ndefault = 5 July\n"),
			    "forms/equality:11:11: default '5 July': not a date");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = datetime\nmin = 2027-01-01T00:00Z\ndefault = 2026-12-31T23:59:59.9Z\n"),
			    "forms/equality:12:11: default '2026-12-31T23:59:59.9Z': too early");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = datetime\ndefault = 2027-01-01\n"),
			    "forms/equality:11:11: default '2027-01-01': not a date and time");
	assert_string_equal(eq_err("[field d]\nlabel = D\ntype = week\ndefault = W05\n"),
			    "forms/equality:11:11: default 'W05': not a week");
	assert_string_equal(eq_err("[field y]\nlabel = Y\ntype = yesno\ndefault = maybe\n"),
			    "forms/equality:11:11: default 'maybe': not yes or no");
	/* quoted escaped, and cut when long */
	assert_string_equal(eq_err("[field y]\nlabel = Y\ntype = yesno\ndefault = a\\b\tc\n"),
			    "forms/equality:11:11: default 'a\\\\b\\tc': not yes or no");
	t = malloc(400);
	sprintf(t, "[field y]\nlabel = Y\ntype = yesno\ndefault = %0150d\n", 0);
	assert_string_equal(eq_err(t),
			    "forms/equality:11:11: default '0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000...': not yes or no");
	/* a default that makes the pattern backtrack without end */
	sprintf(t, "[field r]\nlabel = R\ntype = text\npattern = (a+)+[bc]\ndefault = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaad\n");
	assert_string_equal(eq_err(t),
			    "forms/equality:12:11: default 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaad': too complex for the pattern");
	free(t);
}

static void test_min_max(void **state)
{
	struct wx_form *f;

	(void)state;
	f = eq_form("[field n]\nlabel = N\ntype = integer\nmin = -05\nmax = +10\n"
		    "[field d]\nlabel = D\ntype = date\nmin = 2027-01-01\nmax = 2027-01-01\n"
		    "[field w]\nlabel = W\ntype = week\nmin = 2026-w53\nmax = 2027-W01\n"
		    "[field dt]\nlabel = DT\ntype = datetime\nmin = 2027-03-01 10:30+01:00\nmax = 2027-03-01t09:30:00.5z\n"
		    "[field l]\nlabel = L\ntype = list\nitem = date\nmax = 2027-12-31\n");
	assert_int_equal(field(f, "n")->min.set, 1);
	assert_true(field(f, "n")->min.v == -5);
	assert_string_equal(field(f, "n")->min.text, "-5");
	assert_string_equal(field(f, "n")->max.text, "10");
	assert_true(field(f, "d")->min.v == 20819);
	assert_string_equal(field(f, "w")->min.text, "2026-W53");
	assert_true(field(f, "w")->min.v == 20815);   /* Monday 2026-12-28 */
	assert_string_equal(field(f, "dt")->min.text, "2027-03-01T10:30+01:00");
	assert_string_equal(field(f, "dt")->max.text, "2027-03-01T09:30:00.5Z");
	assert_int_equal(field(f, "dt")->max.ns, 500000000);
	assert_true(field(f, "dt")->min.v == field(f, "dt")->max.v);
	assert_int_equal(field(f, "l")->min.set, 0);
	assert_int_equal(field(f, "l")->max.set, 1);
	wx_form_free(f);
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = integer\nmin = abc\n"),
			    "forms/equality:11:7: min 'abc': not an integer");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = list\nitem = date\nmax = 2027-02-29\n"),
			    "forms/equality:12:7: max '2027-02-29': not a real day");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = integer\nmin = 10\nmax = 5\n"),
			    "forms/equality:11:7: min 10 is greater than max 5");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = date\nmax = 2027-01-01\nmin = 2027-02-01\n"),
			    "forms/equality:12:7: min '2027-02-01' is after max '2027-01-01'");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = week\nmin = 2027-W10\nmax = 2027-w02\n"),
			    "forms/equality:11:7: min '2027-W10' is after max '2027-W02'");
	assert_string_equal(eq_err("[field n]\nlabel = N\ntype = datetime\nmin = 2027-03-01T10:30+01:00\nmax = 2027-03-01T09:29:59.999Z\n"),
			    "forms/equality:11:7: min '2027-03-01T10:30+01:00' is after max '2027-03-01T09:29:59.999Z'");
}

static void test_patterns(void **state)
{
	struct wx_form *f;

	(void)state;
	f = eq_form("[field p]\nlabel = P\ntype = text\npattern = (?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?|[Gg][Ii][Rr]) *[0-9][A-Za-z]{2}\npattern_help = a UK postcode such as LS1 4AP\n");
	assert_non_null(field(f, "p")->re);
	assert_string_equal(field(f, "p")->pattern, "(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?|[Gg][Ii][Rr]) *[0-9][A-Za-z]{2}");
	assert_string_equal(field(f, "p")->pattern_help, "a UK postcode such as LS1 4AP");
	assert_string_equal(wx_regex_pattern(field(f, "p")->re), field(f, "p")->pattern);
	wx_form_free(f);
	/* the error column: PCRE2's byte offset converted to characters */
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = ab(\n"),
			    "forms/equality:11:14: bad pattern: missing closing parenthesis");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = \xC3\xA9\xC3\xA9(\n"),
			    "forms/equality:11:14: bad pattern: missing closing parenthesis");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = \xC3\xA9\xC3\xA9**\n"),
			    "forms/equality:11:14: bad pattern: quantifier does not follow a repeatable item");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = *a\n"),
			    "forms/equality:11:11: bad pattern: quantifier does not follow a repeatable item");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\n\tpattern\t=\t[\xE2\x82\xAC-a]\n"),
			    "forms/equality:11:15: bad pattern: range out of order in character class");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = x{2,1}\n"),
			    "forms/equality:11:16: bad pattern: numbers out of order in {} quantifier");
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = \\p{Foo}\n"),
			    "forms/equality:11:18: bad pattern: unknown property after \\P or \\p");
	/* a pattern continued over lines: the column of the physical line */
	assert_string_equal(eq_err("[field p]\nlabel = P\ntype = text\npattern = [a-z]+ \\\n     x{3,2}\n"),
			    "forms/equality:12:11: bad pattern: numbers out of order in {} quantifier");
	/* bidi controls are written as escapes, and then allowed */
	f = eq_form("[field p]\nlabel = P\ntype = text\npattern = [^\\x{202A}-\\x{202E}]*\n");
	wx_form_free(f);
}

/* ---- list files ---- */

static const char *list_err(const char *text, size_t len, struct wx_choices **keep)
{
	struct wx_choices *c = NULL;
	struct wx_err err = { 0 };
	int rc = wx_list_parse(&c, "professions", "forms/professions", text, len, &err);

	if (rc != WX_OK) {
		assert_null(c);
		snprintf(msgbuf, sizeof msgbuf, "%s", err.msg);
		return msgbuf;
	}
	if (keep)
		*keep = c;
	else
		wx_choices_free(c);
	return "OK";
}

#define LIST_ERR(s) list_err(s, strlen(s), NULL)

static void test_list_files(void **state)
{
	struct wx_choices *c = NULL;
	char *big;
	size_t len;

	(void)state;
	assert_string_equal(list_err("\xEF\xBB\xBF# code label\r\n\r\nnursing\tNursing \r\n  midwifery    Midwifery and  \\  \r\n\t# indented comment\noperating_department_practice  Operating department practice",
				     strlen("\xEF\xBB\xBF# code label\r\n\r\nnursing\tNursing \r\n  midwifery    Midwifery and  \\  \r\n\t# indented comment\noperating_department_practice  Operating department practice"), &c), "OK");
	assert_string_equal(c->name, "professions");
	assert_int_equal(c->n, 3);
	assert_string_equal(c->v[0].code, "nursing");
	assert_string_equal(c->v[0].label, "Nursing");
	assert_string_equal(c->v[1].code, "midwifery");
	/* no continuation lines: a backslash is ordinary */
	assert_string_equal(c->v[1].label, "Midwifery and  \\");
	assert_string_equal(c->v[2].code, "operating_department_practice");
	assert_string_equal(c->v[2].label, "Operating department practice");
	assert_string_equal(wx_choices_find(c, "Nursing", 7)->label, "Nursing");
	wx_choices_free(c);
	assert_string_equal(LIST_ERR("Nursing Nursing\n"),
			    "forms/professions:1:1: bad code 'Nursing' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(LIST_ERR("# x\n  9lives Cats\n"),
			    "forms/professions:2:3: bad code '9lives' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(LIST_ERR("[professions]\n"),
			    "forms/professions:1:1: bad code '[professions]' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)");
	assert_string_equal(LIST_ERR("nursing = Nursing\n"), "OK");
	assert_string_equal(LIST_ERR("nursing\n"), "forms/professions:1:1: code 'nursing' has no label");
	assert_string_equal(LIST_ERR("a A\n\tnursing \t \n"), "forms/professions:2:2: code 'nursing' has no label");
	assert_string_equal(LIST_ERR("# nothing\n\n"), "forms/professions:1:1: list has no entries");
	assert_string_equal(LIST_ERR(""), "forms/professions:1:1: list has no entries");
	assert_string_equal(LIST_ERR("nursing Nurs\x1bing\n"), "forms/professions:1:13: forbidden character U+001B");
	assert_string_equal(LIST_ERR("nursing Nurs\xE2\x80\xAEing\n"), "forms/professions:1:13: forbidden character U+202E");
	assert_string_equal(LIST_ERR("nursing Nurs\xFFing\n"), "forms/professions:1:13: invalid UTF-8 (byte 0xFF)");
	/* labels of 200 characters at most */
	big = malloc(20 * 10001 + 100);
	len = (size_t)sprintf(big, "a ");
	for (int i = 0; i < 200; i++)
		len += (size_t)sprintf(big + len, "\xC3\xA9");
	assert_string_equal(list_err(big, len, NULL), "OK");
	strcpy(big + len, "x");
	assert_string_equal(list_err(big, len + 1, NULL), "forms/professions:1:3: label longer than 200 characters");
	/* 10000 entries at most */
	len = 0;
	for (int i = 0; i < 10000; i++)
		len += (size_t)sprintf(big + len, "c%d C\n", i);
	assert_string_equal(list_err(big, len, &c), "OK");
	assert_int_equal(c->n, 10000);
	assert_string_equal(c->v[9999].code, "c9999");
	wx_choices_free(c);
	len += (size_t)sprintf(big + len, "c10000 C\n");
	assert_string_equal(list_err(big, len, NULL), "forms/professions:10001:1: more than 10000 entries");
	/* duplicates among many */
	len = 0;
	for (int i = 0; i < 5000; i++)
		len += (size_t)sprintf(big + len, "c%d C\n", i);
	len += (size_t)sprintf(big + len, "# again\n    c4321 C\n");
	assert_string_equal(list_err(big, len, NULL), "forms/professions:5002:5: code 'c4321' already given on line 4322");
	free(big);
	/* the size of the file and its lines */
	big = malloc(1048578);
	memset(big, '#', 1048577);
	for (size_t i = 1000; i < 1048577; i += 1000)
		big[i] = '\n';
	memcpy(big, "a A\n", 4);
	assert_string_equal(list_err(big, 1048576, NULL), "OK");
	assert_string_equal(list_err(big, 1048577, NULL), "forms/professions:1:1: file larger than 1 MiB (1048576 bytes)");
	memset(big, 'x', 65537);
	memcpy(big, "a ", 2);
	big[65537] = '\n';
	assert_string_equal(list_err(big, 65538, NULL), "forms/professions:1:1: line longer than 65536 bytes");
	free(big);
}

/* ---- loading a directory ---- */

static const char *srcdir_forms(char *buf, size_t cap)
{
	const char *sd = getenv("WX_SRCDIR");

	if (sd && *sd)
		snprintf(buf, cap, "%s/forms", sd);
	else
		snprintf(buf, cap, "../forms");
	return buf;
}

static void expect_field(const struct wx_form *f, const char *name, enum wx_ftype t, enum wx_ftype item)
{
	const struct wx_form_field *x = field(f, name);

	if (x->type != t || (t == WX_FT_LIST && x->item != item))
		fail_msg("%s: %s is %s of %s", f->path, name, wx_ftype_name(x->type), wx_ftype_name(x->item));
}

static int has_choice(const struct wx_form_field *f, const char *code)
{
	for (size_t i = 0; i < f->choices->n; i++)
		if (strcmp(f->choices->v[i].code, code) == 0)
			return 1;
	return 0;
}

static void test_shipped_forms(void **state)
{
	char dir[600], path[700];
	struct wx_forms *forms = NULL;
	struct wx_err err = { 0 };
	const struct wx_form *c, *p, *a, *r, *e;
	const struct wx_choices *prof;

	(void)state;
	srcdir_forms(dir, sizeof dir);
	if (wx_forms_load(&forms, dir, &err) != WX_OK)
		fail_msg("the shipped forms do not load: %s", err.msg);
	assert_string_equal(forms->dir, dir);
	c = forms->form[WX_KIND_CANDIDATE];
	p = forms->form[WX_KIND_PLACEMENT];
	a = forms->form[WX_KIND_AMBASSADOR];
	r = forms->form[WX_KIND_REQUEST];
	e = forms->form[WX_KIND_EQUALITY];
	snprintf(path, sizeof path, "%s/candidate", dir);
	assert_string_equal(c->path, path);
	for (int k = 0; k < WX_KIND_COUNT; k++) {
		assert_int_equal(forms->form[k]->kind, k);
		assert_non_null(forms->form[k]->label);
		expect_field(forms->form[k], "id", WX_FT_TEXT, WX_FT_TEXT);
		assert_int_equal(field(forms->form[k], "id")->required, 1);
		assert_string_equal(forms->form[k]->f[0].name, "id");
	}
	/* one list, professions, shared by every field naming it */
	assert_int_equal(forms->nlists, 1);
	prof = forms->lists[0];
	assert_string_equal(prof->name, "professions");
	assert_true(prof->n >= 20);
	assert_non_null(wx_choices_find(prof, "nursing", 7));
	assert_non_null(wx_choices_find(prof, "pharmacy", 8));
	assert_non_null(wx_choices_find(prof, "radiography", 11));
	/* the fields wexmatch reads */
	expect_field(c, "status", WX_FT_CHOICE, 0);
	assert_true(has_choice(field(c, "status"), "received"));
	assert_true(has_choice(field(c, "status"), "withdrawn"));
	expect_field(c, "applied_at", WX_FT_DATETIME, 0);
	expect_field(c, "date_of_birth", WX_FT_DATE, 0);
	expect_field(c, "postcode", WX_FT_TEXT, 0);
	expect_field(c, "choices", WX_FT_LIST, WX_FT_TEXT);
	expect_field(c, "interests", WX_FT_LIST, WX_FT_CHOICE);
	assert_ptr_equal(field(c, "interests")->choices, prof);
	expect_field(c, "available_weeks", WX_FT_LIST, WX_FT_WEEK);
	expect_field(c, "max_travel_km", WX_FT_INTEGER, 0);
	expect_field(p, "status", WX_FT_CHOICE, 0);
	expect_field(p, "profession", WX_FT_CHOICE, 0);
	assert_ptr_equal(field(p, "profession")->choices, prof);
	expect_field(p, "site_postcode", WX_FT_TEXT, 0);
	expect_field(p, "min_age", WX_FT_INTEGER, 0);
	expect_field(p, "week", WX_FT_WEEK, 0);
	expect_field(p, "start_date", WX_FT_DATE, 0);
	expect_field(p, "capacity", WX_FT_INTEGER, 0);
	expect_field(a, "status", WX_FT_CHOICE, 0);
	expect_field(a, "professions", WX_FT_LIST, WX_FT_CHOICE);
	assert_ptr_equal(field(a, "professions")->choices, prof);
	expect_field(a, "base_postcode", WX_FT_TEXT, 0);
	expect_field(a, "available_dates", WX_FT_LIST, WX_FT_DATE);
	expect_field(a, "dbs_expires", WX_FT_DATE, 0);
	expect_field(a, "training_done", WX_FT_YESNO, 0);
	expect_field(a, "virtual_ok", WX_FT_YESNO, 0);
	expect_field(r, "status", WX_FT_CHOICE, 0);
	expect_field(r, "imd_decile", WX_FT_INTEGER, 0);
	expect_field(r, "fsm_pct", WX_FT_INTEGER, 0);
	expect_field(r, "professions", WX_FT_LIST, WX_FT_CHOICE);
	expect_field(r, "date", WX_FT_DATE, 0);
	expect_field(r, "virtual", WX_FT_YESNO, 0);
	expect_field(r, "ambassadors_needed", WX_FT_INTEGER, 0);
	/* the priority fields the shipped policy reads */
	expect_field(c, "care_experienced", WX_FT_YESNO, 0);
	expect_field(c, "fsm", WX_FT_YESNO, 0);
	/* equality: everything but id is special, and nothing elsewhere is */
	for (size_t i = 0; i < e->n; i++)
		assert_int_equal(e->f[i].special, strcmp(e->f[i].name, "id") != 0);
	assert_true(e->n > 1);
	for (size_t i = 0; i < c->n; i++)
		assert_int_equal(c->f[i].special, 0);
	/* the shipped patterns work as the page says */
	{
		static const char *const good[] = { "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH",
						    "DN55 1PT", "GIR 0AA", "ls14ap", "LS1 4AP" };
		const struct wx_form_field *pc = field(c, "postcode");
		char *norm, msg[200];
		size_t nl;

		for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
			if (wx_field_check(pc, good[i], strlen(good[i]), &norm, &nl, msg, sizeof msg) != WX_OK)
				fail_msg("%s refused: %s", good[i], msg);
			free(norm);
		}
		assert_int_equal(wx_field_check(pc, "LS1", 3, &norm, &nl, msg, sizeof msg), WX_EDATA);
		assert_string_equal(msg, "not in the expected form (expected a UK postcode such as LS1 4AP)");
		assert_int_equal(wx_regex_is_jit(pc->re), wx_regex_is_jit(pc->re));
	}
	wx_forms_free(forms);
}

static void copy_forms(const char *from, const char *to)
{
	static const char *const names[] = {
		"candidate", "placement", "ambassador", "request", "equality", "professions"
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[1400], *buf = malloc(1 << 20);
		FILE *fp;
		size_t n;

		assert_non_null(buf);
		snprintf(path, sizeof path, "%s/%s", from, names[i]);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		n = fread(buf, 1, 1 << 20, fp);
		fclose(fp);
		write_file(to, names[i], buf, n);
		free(buf);
	}
}

static void test_forms_load_errors(void **state)
{
	char dir[600], d[600], want[800], path[700];
	struct wx_forms *forms = (struct wx_forms *)1;
	struct wx_err err = { 0 };

	(void)state;
	srcdir_forms(dir, sizeof dir);
	snprintf(d, sizeof d, "%s/nonexistent", tmpdir);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EIO);
	assert_null(forms);
	snprintf(want, sizeof want, "%s: no such directory", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	snprintf(d, sizeof d, "%s/professions", tmpdir);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EIO);
	snprintf(want, sizeof want, "%s: not a directory", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	/* a copy of the shipped forms; given with a slash at the end */
	snprintf(d, sizeof d, "%s/copy", tmpdir);
	assert_int_equal(mkdir(d, 0700), 0);
	copy_forms(dir, d);
	snprintf(path, sizeof path, "%s/", d);
	assert_int_equal(wx_forms_load(&forms, path, &err), WX_OK);
	snprintf(want, sizeof want, "%s/request", d);
	assert_string_equal(forms->form[WX_KIND_REQUEST]->path, want);
	wx_forms_free(forms);
	/* every file must be there */
	snprintf(path, sizeof path, "%s/equality", d);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EIO);
	snprintf(want, sizeof want, "%s/equality: No such file or directory", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	snprintf(path, sizeof path, "%s/professions", d);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EIO);
	snprintf(want, sizeof want, "%s/professions: No such file or directory", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	/* a broken form is reported in the file as opened */
	write_file(d, "professions", professions, strlen(professions));
	write_file(d, "equality", eq_head, strlen(eq_head));
	write_file(d, "placement", plac_min, strlen(plac_min));
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_OK);
	assert_int_equal(forms->form[WX_KIND_PLACEMENT]->n, 8);
	wx_forms_free(forms);
	write_file(d, "placement", "[form]\nkind = placement\nlabel = P\n[field id]\nlabel = Id\ntype = number\n", 71);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EDATA);
	snprintf(want, sizeof want, "%s/placement:6:8: unknown type 'number' (expected text, integer, date, datetime, week, yesno, choice or list)", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	/* a form file that is a directory cannot be read */
	snprintf(path, sizeof path, "%s/placement", d);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EIO);
	snprintf(want, sizeof want, "%s/placement: Is a directory", d);
	assert_string_equal(err.msg, want);
	wx_err_clear(&err);
	assert_int_equal(rmdir(path), 0);
	/* too large, even when read from a file */
	{
		char *big = malloc(1048577);

		memset(big, '\n', 1048577);
		write_file(d, "placement", big, 1048577);
		free(big);
	}
	assert_int_equal(wx_forms_load(&forms, d, &err), WX_EDATA);
	snprintf(want, sizeof want, "%s/placement:1:1: file larger than 1 MiB (1048576 bytes)", d);
	assert_string_equal(err.msg, want);
	remove_dir(d);
}

/* ---- values: TYPES ---- */

static struct wx_form *vf;

static const char vf_text[] =
	"[field t]\nlabel = T\ntype = text\n"
	"[field tl]\nlabel = TL\ntype = text\nmin_length = 2\nmax_length = 5\n"
	"[field n]\nlabel = N\ntype = integer\nmin = -5\nmax = 10\n"
	"[field nmin]\nlabel = N\ntype = integer\nmin = 1\n"
	"[field nmax]\nlabel = N\ntype = integer\nmax = 10\n"
	"[field big]\nlabel = Big\ntype = integer\n"
	"[field d]\nlabel = D\ntype = date\nmin = 2027-01-01\nmax = 2027-12-31\n"
	"[field dany]\nlabel = D\ntype = date\n"
	"[field dmin]\nlabel = D\ntype = date\nmin = 1900-01-01\n"
	"[field dt]\nlabel = DT\ntype = datetime\nmin = 2027-03-01T00:00Z\n"
	"[field dtmax]\nlabel = DT\ntype = datetime\nmax = 2027-03-01T00:00Z\n"
	"[field w]\nlabel = W\ntype = week\nmin = 2026-W50\n"
	"[field wmax]\nlabel = W\ntype = week\nmax = 2027-W10\n"
	"[field wb]\nlabel = W\ntype = week\nmin = 2026-W01\nmax = 2027-W52\n"
	"[field yn]\nlabel = YN\ntype = yesno\n"
	"[field ch]\nlabel = CH\ntype = choice\nchoices = school; college; neet\n"
	"[field chl]\nlabel = CHL\ntype = choice\nchoices = asian_bangladeshi; asian_chinese; asian_indian; asian_pakistani; \\\n"
	"    asian_other; black_african; black_caribbean; black_other; mixed_white_asian; \\\n"
	"    mixed_white_black_african; mixed_white_black_caribbean; mixed_other; white_british; \\\n"
	"    white_irish; white_gypsy_irish_traveller; white_roma; white_other; other_arab; \\\n"
	"    other_any; prefer_not_to_say\n"
	"[field lt]\nlabel = LT\ntype = list\nitem = text\nmin_items = 2\nmax_items = 3\npattern = [a-z]+\npattern_help = lower-case words\n"
	"[field lc]\nlabel = LC\ntype = list\nitem = choice\nchoices = a; b; c\n"
	"[field li]\nlabel = LI\ntype = list\nitem = integer\nmin = 1\nmax = 9\n"
	"[field lw]\nlabel = LW\ntype = list\nitem = week\n"
	"[field ld]\nlabel = LD\ntype = list\nitem = date\nmin = 2027-01-01\n"
	"[field ltl]\nlabel = LTL\ntype = list\nitem = text\nmin_length = 2\nmax_length = 3\n"
	"[field lreq]\nlabel = LR\ntype = list\nitem = text\nrequired = yes\n"
	"[field pc]\nlabel = Home postcode\ntype = text\nmax_length = 10\n"
	"pattern = (?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?|[Gg][Ii][Rr]) *[0-9][A-Za-z]{2}\npattern_help = a UK postcode such as LS1 4AP\n"
	"[field pnh]\nlabel = P\ntype = text\npattern = [0-9]{3}\n"
	"[field rq]\nlabel = R\ntype = text\nrequired = yes\n"
	"[field run]\nlabel = Run\ntype = text\npattern = (a+)+[bc]\npattern_help = a's then b or c\n"
	"[field names]\nlabel = Name\ntype = text\npattern = \\p{L}[\\p{L}\\p{M}'\xE2\x80\x99. \\x{200C}\\x{200D}-]*\n"
	"[field digits]\nlabel = Digits\ntype = text\npattern = \\d+\n"
	"[field phone]\nlabel = Phone\ntype = text\npattern = (?=(?:[^0-9]*[0-9]){10,15}[^0-9]*\\z)[+(]?[0-9][0-9 ()-]*[0-9]\n"
	"[field email]\nlabel = Email\ntype = text\npattern = [^\\s@]+@[^\\s@.]+(?:\\.[^\\s@.]+)+\n";

static int vf_setup(void **state)
{
	(void)state;
	vf = eq_form(vf_text);
	return 0;
}

static int vf_teardown(void **state)
{
	(void)state;
	wx_form_free(vf);
	vf = NULL;
	return 0;
}

static char normbuf[70000];

/* Check value (length len) against field name: "=NORMALISED" or the message. */
static const char *chk_n(const char *name, const char *value, size_t len)
{
	const struct wx_form_field *f = field(vf, name);
	char *norm = (char *)1, msg[600];
	size_t nl = 12345;
	int rc = wx_field_check(f, value, len, &norm, &nl, msg, sizeof msg);

	if (rc == WX_OK) {
		assert_non_null(norm);
		assert_int_equal(strlen(norm), nl);
		snprintf(normbuf, sizeof normbuf, "=%s", norm);
		free(norm);
		return normbuf;
	}
	assert_int_equal(rc, WX_EDATA);
	assert_null(norm);
	snprintf(normbuf, sizeof normbuf, "%s", msg);
	return normbuf;
}

static const char *chk(const char *name, const char *value)
{
	return chk_n(name, value, strlen(value));
}

static void test_check_text(void **state)
{
	(void)state;
	assert_string_equal(chk("t", "  hello \t"), "=hello");
	assert_string_equal(chk("t", "a  \t b"), "=a  \t b");
	assert_string_equal(chk("t", ""), "=");
	assert_string_equal(chk("t", " \t "), "=");
	assert_string_equal(chk("t", "\xC3\xA9t\xC3\xA9 \xE2\x80\x8F\xD8\xB3"), "=\xC3\xA9t\xC3\xA9 \xE2\x80\x8F\xD8\xB3");
	/* control characters: C0 but tab, DEL, C1; position in characters */
	assert_string_equal(chk("t", "abc\x1b[2J"),
			    "control character U+001B at character 4 (expected text without control characters)");
	assert_string_equal(chk("t", "\t\x1b"),
			    "control character U+001B at character 1 (expected text without control characters)");
	assert_string_equal(chk("t", "a\nb"),
			    "control character U+000A at character 2 (expected text without control characters)");
	assert_string_equal(chk("t", "a\rb"),
			    "control character U+000D at character 2 (expected text without control characters)");
	assert_string_equal(chk("t", "\xC3\xA9\xC3\xA9\x7f"),
			    "control character U+007F at character 3 (expected text without control characters)");
	assert_string_equal(chk("t", "x\xC2\x85"),
			    "control character U+0085 at character 2 (expected text without control characters)");
	assert_string_equal(chk_n("t", "ab\0c", 4),
			    "control character U+0000 at character 3 (expected text without control characters)");
	/* bidirectional overrides and isolates */
	assert_string_equal(chk("t", "ab\xE2\x80\xAE" "cd"),
			    "bidirectional control character U+202E at character 3 (expected text without bidirectional controls)");
	assert_string_equal(chk("t", "\xD8\xB3\xE2\x81\xA7"),
			    "bidirectional control character U+2067 at character 2 (expected text without bidirectional controls)");
	assert_string_equal(chk("t", "\xE2\x80\xAA"),
			    "bidirectional control character U+202A at character 1 (expected text without bidirectional controls)");
	/* invalid UTF-8, at its byte */
	assert_string_equal(chk("t", "ab\xff"), "invalid UTF-8 at byte 3 (expected text in UTF-8)");
	assert_string_equal(chk("t", "\xC3\xA9\xC3"), "invalid UTF-8 at byte 3 (expected text in UTF-8)");
	assert_string_equal(chk("t", "\xC0\x80"), "invalid UTF-8 at byte 1 (expected text in UTF-8)");
	assert_string_equal(chk("t", "  \xED\xB0\x80"), "invalid UTF-8 at byte 1 (expected text in UTF-8)");
	/* lengths in characters */
	assert_string_equal(chk("tl", "a"), "too short (expected at least 2 characters)");
	assert_string_equal(chk("tl", "ab"), "=ab");
	assert_string_equal(chk("tl", "abcde"), "=abcde");
	assert_string_equal(chk("tl", "abcdef"), "too long (expected at most 5 characters)");
	assert_string_equal(chk("tl", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), "=\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
	assert_string_equal(chk("tl", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), "too long (expected at most 5 characters)");
	assert_string_equal(chk("tl", "  a  "), "too short (expected at least 2 characters)");
	/* empty: not given, so no length check */
	assert_string_equal(chk("tl", ""), "=");
	/* required */
	assert_string_equal(chk("rq", ""), "required (expected a value)");
	assert_string_equal(chk("rq", " \t "), "required (expected a value)");
	assert_string_equal(chk("rq", " x "), "=x");
	/* the id: at most 200 bytes and no ; whatever its pattern */
	{
		char id[260];

		memset(id, 'a', 200);
		id[200] = '\0';
		assert_int_equal(strlen(chk("id", id)), 201);
		strcpy(id + 200, "b");
		assert_string_equal(chk("id", id), "longer than 200 bytes (expected an id of at most 200 bytes)");
	}
	assert_string_equal(chk("id", "a;b"), "contains ; (expected an id without ;)");
	assert_string_equal(chk("id", ""), "required (expected a value)");
	assert_string_equal(chk("id", " C2027-0042 "), "=C2027-0042");
}

static void test_check_integer(void **state)
{
	(void)state;
	assert_string_equal(chk("n", "+007"), "=7");
	assert_string_equal(chk("n", "-0"), "=0");
	assert_string_equal(chk("n", "  -05 "), "=-5");
	assert_string_equal(chk("n", "10"), "=10");
	assert_string_equal(chk("n", "abc"), "not a whole number (expected a whole number from -5 to 10)");
	assert_string_equal(chk("n", "1.5"), "not a whole number (expected a whole number from -5 to 10)");
	assert_string_equal(chk("n", "1 000"), "not a whole number (expected a whole number from -5 to 10)");
	assert_string_equal(chk("n", "+"), "not a whole number (expected a whole number from -5 to 10)");
	assert_string_equal(chk("n", "11"), "too large (expected a whole number from -5 to 10)");
	assert_string_equal(chk("n", "-6"), "too small (expected a whole number from -5 to 10)");
	assert_string_equal(chk("nmin", "0"), "too small (expected 1 or more)");
	assert_string_equal(chk("nmax", "11"), "too large (expected 10 or less)");
	assert_string_equal(chk("n", ""), "=");
	assert_string_equal(chk("big", "9223372036854775807"), "=9223372036854775807");
	assert_string_equal(chk("big", "-9223372036854775808"), "=-9223372036854775808");
	assert_string_equal(chk("big", "000000000000000000000000000001"), "=1");
	assert_string_equal(chk("big", "9223372036854775808"),
			    "out of range (expected a whole number from -9223372036854775808 to 9223372036854775807)");
	assert_string_equal(chk("big", "-9223372036854775809"),
			    "out of range (expected a whole number from -9223372036854775808 to 9223372036854775807)");
	assert_string_equal(chk("big", "-"), "not a whole number (expected a whole number such as 42)");
}

static void test_check_dates(void **state)
{
	(void)state;
	assert_string_equal(chk("dany", "2028-02-29"), "=2028-02-29");
	assert_string_equal(chk("dany", "2027-02-29"), "not a real day (expected a day from 01 to 28 in 2027-02)");
	assert_string_equal(chk("dany", "2028-02-30"), "not a real day (expected a day from 01 to 29 in 2028-02)");
	assert_string_equal(chk("dany", "2027-04-31"), "not a real day (expected a day from 01 to 30 in 2027-04)");
	assert_string_equal(chk("dany", "2027-01-00"), "not a real day (expected a day from 01 to 31 in 2027-01)");
	assert_string_equal(chk("dany", "2027-13-01"), "not a real day (expected a month from 01 to 12)");
	assert_string_equal(chk("dany", "0000-01-01"), "not a real day (expected a year from 0001 to 9999)");
	assert_string_equal(chk("dany", "2027-1-1"), "not a date (expected YYYY-MM-DD, such as 2027-07-05)");
	assert_string_equal(chk("dany", "05/07/2027"), "not a date (expected YYYY-MM-DD, such as 2027-07-05)");
	assert_string_equal(chk("dany", "2027-07-0a"), "not a date (expected YYYY-MM-DD, such as 2027-07-05)");
	assert_string_equal(chk("d", "2026-12-31"), "too early (expected a date from 2027-01-01 to 2027-12-31)");
	assert_string_equal(chk("d", "2028-02-29"), "too late (expected a date from 2027-01-01 to 2027-12-31)");
	assert_string_equal(chk("dmin", "1899-12-31"), "too early (expected 1900-01-01 or later)");
	assert_string_equal(chk("d", " 2027-07-05 "), "=2027-07-05");
	/* date-times: T, t or a space; Z or z; stored with T and Z */
	assert_string_equal(chk("dt", "2027-03-01 09:30z"), "=2027-03-01T09:30Z");
	assert_string_equal(chk("dt", "2027-03-01t09:30:00.123456789+01:00"), "=2027-03-01T09:30:00.123456789+01:00");
	assert_string_equal(chk("dt", "2027-03-01T00:00"), "=2027-03-01T00:00");
	assert_string_equal(chk("dt", "2027-02-28T23:59:59.999999999Z"), "too early (expected 2027-03-01T00:00Z or later)");
	/* as an instant: 00:30 at +01:00 is 23:30 the day before */
	assert_string_equal(chk("dt", "2027-03-01T00:30+01:00"), "too early (expected 2027-03-01T00:00Z or later)");
	assert_string_equal(chk("dtmax", "2027-02-28T23:30-01:00"), "too late (expected 2027-03-01T00:00Z or earlier)");
	assert_string_equal(chk("dtmax", "2027-02-28T23:30-00:30"), "=2027-02-28T23:30-00:30");
	assert_string_equal(chk("dt", "2027-02-29T10:00"), "not a real day (expected a day from 01 to 28 in 2027-02)");
	assert_string_equal(chk("dt", "2027-03-01"),
			    "not a date and time (expected YYYY-MM-DDThh:mm, optionally with :ss, a fraction and a zone, such as 2027-03-01T09:30:00Z)");
	assert_string_equal(chk("dt", "2027-03-01T24:00"),
			    "not a date and time (expected YYYY-MM-DDThh:mm, optionally with :ss, a fraction and a zone, such as 2027-03-01T09:30:00Z)");
	/* weeks: 53 in 2026, not in 2027; w stored as W */
	assert_string_equal(chk("wb", "2026-W53"), "=2026-W53");
	assert_string_equal(chk("wb", "2027-w05"), "=2027-W05");
	assert_string_equal(chk("wb", "2027-W53"), "not a real week (expected a week from 01 to 52 in 2027)");
	assert_string_equal(chk("wb", "2027-W00"), "not a real week (expected a week from 01 to 52 in 2027)");
	assert_string_equal(chk("wb", "2032-W54"), "not a real week (expected a week from 01 to 53 in 2032)");
	assert_string_equal(chk("wb", "0000-W01"), "not a real week (expected a year from 0001 to 9999)");
	assert_string_equal(chk("wb", "2027-5"), "not a week (expected YYYY-Www, such as 2027-W27)");
	assert_string_equal(chk("wb", "2027-W5"), "not a week (expected YYYY-Www, such as 2027-W27)");
	assert_string_equal(chk("wb", "2027-W05-1"), "not a week (expected YYYY-Www, such as 2027-W27)");
	assert_string_equal(chk("wb", "2025-W52"), "too early (expected a week from 2026-W01 to 2027-W52)");
	assert_string_equal(chk("wb", "2028-W01"), "too late (expected a week from 2026-W01 to 2027-W52)");
	assert_string_equal(chk("w", "2026-W49"), "too early (expected 2026-W50 or later)");
	assert_string_equal(chk("wmax", "2027-W11"), "too late (expected 2027-W10 or earlier)");
}

static void test_check_yesno_choice(void **state)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "YES", "Yes", "Y", "True", "TRUE" };
	static const char *const no[] = { "no", "n", "false", "0", "NO", "No", "N", "False", "FALSE" };

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_string_equal(chk("yn", yes[i]), "=yes");
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_string_equal(chk("yn", no[i]), "=no");
	assert_string_equal(chk("yn", " y "), "=yes");
	assert_string_equal(chk("yn", ""), "=");
	assert_string_equal(chk("yn", "maybe"), "not yes or no (expected yes, no, y, n, true, false, 1 or 0)");
	assert_string_equal(chk("yn", "on"), "not yes or no (expected yes, no, y, n, true, false, 1 or 0)");
	/* choices: ASCII case ignored, stored in the form's spelling */
	assert_string_equal(chk("ch", "School"), "=school");
	assert_string_equal(chk("ch", " NEET "), "=neet");
	assert_string_equal(chk("ch", "college"), "=college");
	assert_string_equal(chk("ch", "uni"), "not one of the choices (expected school, college or neet)");
	assert_string_equal(chk("ch", "schoo"), "not one of the choices (expected school, college or neet)");
	assert_string_equal(chk("ch", "s\xC3\x87hool"), "not one of the choices (expected school, college or neet)");
	assert_string_equal(chk("chl", "White_British"), "=white_british");
	assert_string_equal(chk("chl", "x"), "not one of the choices (expected one of the 20 choices, such as asian_bangladeshi)");
	assert_string_equal(chk("ch", ""), "=");
}

static void test_check_list(void **state)
{
	(void)state;
	assert_string_equal(chk("lt", "a; b;"), "=a;b");
	assert_string_equal(chk("lt", "  a ;\t b  ; c "), "=a;b;c");
	assert_string_equal(chk("lt", ";;a;;b;;"), "=a;b");
	assert_string_equal(chk("lt", ";; ; "), "=");
	assert_string_equal(chk("lt", "a"), "too few items: 1 (expected at least 2)");
	assert_string_equal(chk("lt", "a;b;c;d"), "too many items: 4 (expected at most 3)");
	/* limits come before the pattern */
	assert_string_equal(chk("lt", "A;B;C;D"), "too many items: 4 (expected at most 3)");
	assert_string_equal(chk("lt", "a; B"), "item 2: not in the expected form (expected lower-case words)");
	assert_string_equal(chk("lt", "a; b; a"), "item 3: repeats item 1 (expected each item once)");
	assert_string_equal(chk("lt", "a; b\x1b"),
			    "item 2: control character U+001B at character 2 (expected text without control characters)");
	/* the type of every item comes before repeats */
	assert_string_equal(chk("lt", "a; a; \xE2\x80\xAE"),
			    "item 3: bidirectional control character U+202E at character 1 (expected text without bidirectional controls)");
	assert_string_equal(chk("ltl", "ab; c"), "item 2: too short (expected at least 2 characters)");
	assert_string_equal(chk("ltl", "ab; abcd"), "item 2: too long (expected at most 3 characters)");
	/* choices: normalised, then repeats found */
	assert_string_equal(chk("lc", "B; a"), "=b;a");
	assert_string_equal(chk("lc", "a; A"), "item 2: repeats item 1 (expected each item once)");
	assert_string_equal(chk("lc", "a; x; y"), "item 2: not one of the choices (expected a, b or c)");
	/* text items are stored as given: case matters */
	assert_string_equal(chk("lreq", "a; A"), "=a;A");
	assert_string_equal(chk("lreq", ";"), "required (expected a value)");
	assert_string_equal(chk("lreq", ""), "required (expected a value)");
	/* integers, weeks, dates */
	assert_string_equal(chk("li", "+01; 2;9"), "=1;2;9");
	assert_string_equal(chk("li", "1; 01"), "item 2: repeats item 1 (expected each item once)");
	assert_string_equal(chk("li", "1; 10"), "item 2: too large (expected a whole number from 1 to 9)");
	assert_string_equal(chk("li", "1; x"), "item 2: not a whole number (expected a whole number from 1 to 9)");
	assert_string_equal(chk("li", "5; 0; x"), "item 3: not a whole number (expected a whole number from 1 to 9)");
	assert_string_equal(chk("lw", "2027-w01;2027-W02 ; 2026-W53"), "=2027-W01;2027-W02;2026-W53");
	assert_string_equal(chk("lw", "2027-W01; 2027-w01"), "item 2: repeats item 1 (expected each item once)");
	assert_string_equal(chk("lw", "2026-W53; 2027-W53"), "item 2: not a real week (expected a week from 01 to 52 in 2027)");
	assert_string_equal(chk("ld", "2027-03-01;2028-02-29"), "=2027-03-01;2028-02-29");
	assert_string_equal(chk("ld", "2027-03-01;2026-02-28"), "item 2: too early (expected 2027-01-01 or later)");
	/* long lists: repeats found by hashing */
	{
		char buf[70000];
		size_t n = 0;

		for (int i = 0; i < 5000; i++)
			n += (size_t)sprintf(buf + n, "%d;", 1 + i % 9);
		assert_string_equal(chk("li", buf), "item 10: repeats item 1 (expected each item once)");
		n = 0;
		for (int i = 0; i < 5000; i++)
			n += (size_t)sprintf(buf + n, "w%d; ", i);
		assert_int_equal(strlen(chk("lreq", buf)), n - 5000 * 2 + 5000);
		n += (size_t)sprintf(buf + n, "w4321");
		assert_string_equal(chk("lreq", buf), "item 5001: repeats item 4322 (expected each item once)");
	}
}

static void test_check_patterns(void **state)
{
	struct wx_form *f;
	char buf[100];
	const struct wx_form_field *x;

	(void)state;
	/* the shipped postcode pattern: either case, with or without the space */
	assert_string_equal(chk("pc", "ls14ap"), "=ls14ap");
	assert_string_equal(chk("pc", "  EC1A 1BB  "), "=EC1A 1BB");
	assert_string_equal(chk("pc", "GIR 0AA"), "=GIR 0AA");
	assert_string_equal(chk("pc", "LS1"), "not in the expected form (expected a UK postcode such as LS1 4AP)");
	assert_string_equal(chk("pc", "LS1 4AP x"), "not in the expected form (expected a UK postcode such as LS1 4AP)");
	/* limits come before the pattern */
	assert_string_equal(chk("pc", "LS1 4AP 4AP"), "too long (expected at most 10 characters)");
	/* without pattern_help the pattern is quoted */
	assert_string_equal(chk("pnh", "12"), "not in the expected form (expected a value matching the pattern '[0-9]{3}')");
	assert_string_equal(chk("pnh", "123"), "=123");
	/* whole value: an alternation is anchored as a whole */
	f = eq_form("[field a]\nlabel = A\ntype = text\npattern = R|Y[0-9]\n");
	x = field(f, "a");
	{
		static const char *const good[] = { "R", "Y5" }, *const bad[] = { "RY5", "R5", "Y", "xR" };
		char *norm;

		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(wx_field_check(x, good[i], strlen(good[i]), &norm, NULL, NULL, 0), WX_OK);
			free(norm);
		}
		for (size_t i = 0; i < 4; i++)
			assert_int_equal(wx_field_check(x, bad[i], strlen(bad[i]), &norm, NULL, NULL, 0), WX_EDATA);
	}
	wx_form_free(f);
	/* no UCP: \d is ASCII only; \p{L} takes any script */
	assert_string_equal(chk("digits", "0123"), "=0123");
	assert_string_equal(chk("digits", "\xD9\xA3"), "not in the expected form (expected a value matching the pattern '\\d+')");
	assert_string_equal(chk("names", "Zo\xC3\xAB O\xE2\x80\x99" "Brien-Sm\xC3\xADth"), "=Zo\xC3\xAB O\xE2\x80\x99" "Brien-Sm\xC3\xADth");
	assert_string_equal(chk("names", "\xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0"), "=\xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0");
	assert_string_equal(chk("names", "e\xCC\x81mile"), "=e\xCC\x81mile");
	assert_string_equal(chk("names", "R2D2"), "not in the expected form (expected a value matching the pattern '\\p{L}[\\p{L}\\p{M}'\xE2\x80\x99. \\x{200C}\\x{200D}-]*')");
	assert_string_equal(chk("phone", "07700 900123"), "=07700 900123");
	assert_string_equal(chk("phone", "+44 (0)113 496 0000"), "=+44 (0)113 496 0000");
	assert_string_equal(chk("phone", "(0113) 496 0000"), "=(0113) 496 0000");
	assert_string_equal(chk("phone", "0770 090"), "not in the expected form (expected a value matching the pattern '(?=(?:[^0-9]*[0-9]){10,15}[^0-9]*\\z)[+(]?[0-9][0-9 ()-]*[0-9]')");
	assert_string_equal(chk("email", "name@example.org"), "=name@example.org");
	assert_string_equal(chk("email", "name@localhost"), "not in the expected form (expected a value matching the pattern '[^\\s@]+@[^\\s@.]+(?:\\.[^\\s@.]+)+')");
	/* a value for which the pattern reaches a limit is refused */
	memset(buf, 'a', 60);
	strcpy(buf + 60, "d");
	assert_string_equal(chk("run", buf), "the pattern is too complex for this value (expected a's then b or c)");
	assert_string_equal(chk("run", "aaab"), "=aaab");
}

static void test_check_api(void **state)
{
	const struct wx_form_field *f = field(vf, "ch");
	char *norm = NULL, msg[16];
	size_t nl = 0;

	(void)state;
	/* msg may be small or absent; normlen may be NULL */
	assert_int_equal(wx_field_check(f, "uni", 3, &norm, &nl, msg, sizeof msg), WX_EDATA);
	assert_string_equal(msg, "not one of the ");
	assert_null(norm);
	assert_int_equal(wx_field_check(f, "uni", 3, &norm, NULL, NULL, 0), WX_EDATA);
	msg[0] = 'x';
	assert_int_equal(wx_field_check(f, "uni", 3, &norm, NULL, msg, 1), WX_EDATA);
	assert_string_equal(msg, "");
	assert_int_equal(wx_field_check(f, "School", 6, &norm, NULL, msg, sizeof msg), WX_OK);
	assert_string_equal(norm, "school");
	assert_string_equal(msg, "");
	free(norm);
	/* a byte range: not read past len */
	assert_int_equal(wx_field_check(field(vf, "big"), "12345", 2, &norm, &nl, msg, sizeof msg), WX_OK);
	assert_string_equal(norm, "12");
	free(norm);
	assert_string_equal(wx_ftype_name(WX_FT_TEXT), "text");
	assert_string_equal(wx_ftype_name(WX_FT_DATETIME), "datetime");
	assert_string_equal(wx_ftype_name(WX_FT_LIST), "list");
	assert_null(wx_form_find(vf, "nope"));
	assert_ptr_equal(wx_form_find(vf, "ch"), f);
}

/* ---- records ---- */

struct problems {
	int n;
	char text[8][300];
};

static void note(void *ctx, const char *fieldname, const char *msg)
{
	struct problems *p = ctx;

	if (p->n < 8)
		snprintf(p->text[p->n], sizeof p->text[0], "%s: %s", fieldname, msg);
	p->n++;
}

static void test_records(void **state)
{
	struct wx_form *f = eq_form("[field n]\nlabel = N\ntype = integer\n"
				    "[field c]\nlabel = C\ntype = choice\nchoices = a; b\ndefault = A\n"
				    "[field l]\nlabel = L\ntype = list\nitem = text\n"
				    "[field y]\nlabel = Y\ntype = yesno\ndefault = n\n"
				    "[field r]\nlabel = R\ntype = text\nrequired = yes\n");
	struct wx_record r;
	struct problems p = { 0 };

	(void)state;
	assert_string_equal(field(f, "c")->defval, "a");
	wx_record_init(&r);
	assert_int_equal(wx_record_set(&r, "id", " X1 ", 4), WX_OK);
	assert_int_equal(wx_record_set(&r, "n", "+5", 2), WX_OK);
	assert_int_equal(wx_record_set(&r, "zz", "\x1b raw ", 6), WX_OK);
	assert_int_equal(wx_record_set(&r, "l", " ; ", 3), WX_OK);
	assert_int_equal(wx_record_set(&r, "y", "  ", 2), WX_OK);
	assert_int_equal(wx_record_set(&r, "r", "here", 4), WX_OK);
	/* defaults fill what is absent or blank, and nothing else */
	assert_int_equal(wx_form_apply_defaults(f, &r), WX_OK);
	assert_string_equal(wx_record_get(&r, "c"), "a");
	assert_string_equal(wx_record_get(&r, "y"), "no");
	assert_string_equal(wx_record_get(&r, "n"), "+5");
	assert_int_equal(wx_form_check_record(f, &r, note, &p), 0);
	assert_int_equal(p.n, 0);
	assert_string_equal(wx_record_get(&r, "id"), "X1");
	assert_int_equal(wx_record_field(&r, "id")->vlen, 2);
	assert_string_equal(wx_record_get(&r, "n"), "5");
	/* empty fields are removed; extra fields kept exactly */
	assert_null(wx_record_field(&r, "l"));
	assert_string_equal(wx_record_get(&r, "zz"), "\x1b raw ");
	assert_int_equal(r.n, 6);
	/* a value present is not replaced by the default */
	assert_int_equal(wx_record_set(&r, "c", "b", 1), WX_OK);
	assert_int_equal(wx_form_apply_defaults(f, &r), WX_OK);
	assert_string_equal(wx_record_get(&r, "c"), "b");
	/* problems, in form order, values left as they are */
	assert_int_equal(wx_record_unset(&r, "id"), WX_OK);
	assert_int_equal(wx_record_set(&r, "n", "abc", 3), WX_OK);
	assert_int_equal(wx_record_set(&r, "c", "B", 1), WX_OK);
	assert_int_equal(wx_record_set(&r, "r", " ", 1), WX_OK);
	assert_int_equal(wx_form_check_record(f, &r, note, &p), 3);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.text[0], "id: required (expected a value)");
	assert_string_equal(p.text[1], "n: not a whole number (expected a whole number such as 42)");
	assert_string_equal(p.text[2], "r: required (expected a value)");
	assert_string_equal(wx_record_get(&r, "n"), "abc");
	assert_string_equal(wx_record_get(&r, "c"), "b");
	assert_string_equal(wx_record_get(&r, "r"), " ");
	/* no report function: still counted */
	assert_int_equal(wx_form_check_record(f, &r, NULL, NULL), 3);
	wx_record_free(&r);
	wx_form_free(f);
}

/* ---- cost ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cost(void **state)
{
	const struct wx_form_field *pc = field(vf, "pc");
	const char *ld = getenv("LD_PRELOAD");
	double best = 1e9;
	int slow = ld && (strstr(ld, "valgrind") || strstr(ld, "vgpreload"));
	int n = slow ? 1000 : 200000;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	slow = 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	slow = 1;
#endif
#endif
	for (int round = 0; round < 5; round++) {
		double t0 = now(), t;

		for (int i = 0; i < n; i++) {
			char *norm;
			size_t nl;

			if (wx_field_check(pc, "LS1 4AP", 7, &norm, &nl, NULL, 0) != WX_OK)
				fail();
			free(norm);
		}
		t = (now() - t0) / n;
		if (t < best)
			best = t;
	}
	print_message("# wx_field_check on a postcode: %.0f ns (pattern %s)\n", best * 1e9,
		      wx_regex_is_jit(pc->re) ? "JIT-compiled" : "interpreted");
	/* well under a microsecond; generous under sanitizers and valgrind */
	if (!slow)
		assert_true(best < 1e-6);
	else
		assert_true(best < 1e-4);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_errors_examples),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_choices_key),
		cmocka_unit_test(test_choices_from),
		cmocka_unit_test(test_id_field),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_min_max),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_list_files),
		cmocka_unit_test(test_shipped_forms),
		cmocka_unit_test(test_forms_load_errors),
	};
	const struct CMUnitTest check_tests[] = {
		cmocka_unit_test(test_check_text),
		cmocka_unit_test(test_check_integer),
		cmocka_unit_test(test_check_dates),
		cmocka_unit_test(test_check_yesno_choice),
		cmocka_unit_test(test_check_list),
		cmocka_unit_test(test_check_patterns),
		cmocka_unit_test(test_check_api),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_cost),
	};
	int failed = cmocka_run_group_tests_name("form files", parse_tests, setup, teardown);

	failed += cmocka_run_group_tests_name("values", check_tests, vf_setup, vf_teardown);
	return failed;
}
