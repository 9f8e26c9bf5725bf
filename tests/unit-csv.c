/* unit-csv.c: cmocka unit tests of the CSV reader and writer (csv.h).
 *
 * Most tests turn an input into a "dump" (one line per row: "LINE:[f1][f2]",
 * or "E:message" for a bad row) and compare it with the expected text.  Each
 * input is read six ways: from memory, and from a file with reads of 4, 5,
 * 7 and 13 bytes and the default size, so that every special sequence (CR
 * LF, "", a UTF-8 sequence, the byte-order mark) is also seen split across
 * two reads; all six dumps must be the same. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wexmatch/csv.h"
#include "wexmatch/error.h"

/* a string literal with its length (it may hold NUL bytes) */
#define S(lit) (lit), (sizeof(lit) - 1)

#define TESTLIB_SEED UINT64_C(0x2545f4914f6cdd1d)
#include "testlib.h"

/* Show a field: control characters as \n \r \t or \xNN, other bytes as
 * they are. */
static void str_field(struct str *s, const char *v, size_t n)
{
	str_add(s, "[", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\n')
			str_add(s, "\\n", 2);
		else if (c == '\r')
			str_add(s, "\\r", 2);
		else if (c == '\t')
			str_add(s, "\\t", 2);
		else if (c < 0x20 || c == 0x7F)
			str_printf(s, "\\x%02X", c);
		else
			str_add(s, (const char *)&c, 1);
	}
	str_add(s, "]", 1);
}

/* ---- reading an input the six ways ---- */

static FILE *file_of(const char *in, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(in, 1, len, f), len);
	rewind(f);
	return f;
}

/* Dump everything reader r returns.  No input of n bytes may take more than
 * n + 1 calls (each call consumes input or ends it). */
static char *dump_reader(struct wx_csv_reader *r, size_t len)
{
	struct str s = { NULL, 0, 0 };
	struct wx_csv_row row;
	struct wx_err err;
	size_t calls = 0;

	str_add(&s, "", 0);
	for (;;) {
		int rc;

		if (++calls > len + 2) {
			str_add(&s, "LOOP\n", 5);
			break;
		}
		wx_err_clear(&err);
		rc = wx_csv_read_row(r, &row, &err);
		if (rc == WX_ENOTFOUND)
			break;
		if (rc == WX_EDATA) {
			assert_int_equal(row.n, 0);
			str_printf(&s, "E:%s\n", err.msg);
			continue;
		}
		if (rc != WX_OK) {
			str_printf(&s, "%s:%s\n", wx_status_name(rc), err.msg);
			/* final: the next call says so */
			assert_int_equal(wx_csv_read_row(r, &row, &err), WX_ENOTFOUND);
			break;
		}
		str_printf(&s, "%lu:", row.line);
		for (size_t i = 0; i < row.n; i++) {
			assert_int_equal(row.field[i][row.len[i]], '\0');
			str_field(&s, row.field[i], row.len[i]);
		}
		str_add(&s, "\n", 1);
	}
	/* the end stays the end */
	assert_int_equal(wx_csv_read_row(r, &row, &err), WX_ENOTFOUND);
	return s.p;
}

static char *dump_mem(const char *in, size_t len)
{
	struct wx_csv_reader *r = wx_csv_reader_new_mem(in, len, "t.csv");
	char *d;

	assert_non_null(r);
	d = dump_reader(r, len);
	wx_csv_reader_free(r);
	return d;
}

static char *dump_file(const char *in, size_t len, size_t bufsize)
{
	FILE *f = file_of(in, len);
	struct wx_csv_reader *r = bufsize ? wx_csv_reader_new_bufsize(f, "t.csv", bufsize)
					  : wx_csv_reader_new(f, "t.csv");
	char *d;

	assert_non_null(r);
	d = dump_reader(r, len);
	wx_csv_reader_free(r);
	fclose(f);
	return d;
}

static const size_t bufsizes[] = { 4, 5, 7, 13, 0 };

/* All six ways give the same dump; returns it. */
static char *dump_all(const char *in, size_t len)
{
	char *m = dump_mem(in, len);

	for (size_t i = 0; i < sizeof bufsizes / sizeof bufsizes[0]; i++) {
		char *d = dump_file(in, len, bufsizes[i]);

		if (strcmp(m, d) != 0)
			fprintf(stderr, "# bufsize %zu differs:\n# memory: %s\n# file:   %s\n",
				bufsizes[i], m, d);
		assert_string_equal(m, d);
		free(d);
	}
	return m;
}

static void check(const char *in, size_t len, const char *expected)
{
	char *d = dump_all(in, len);

	if (strcmp(d, expected) != 0)
		fprintf(stderr, "# got:\n%s# expected:\n%s", d, expected);
	assert_string_equal(d, expected);
	free(d);
}

/* ---- reading ---- */

static void test_basic(void **state)
{
	(void)state;
	check(S(""), "");
	check(S("a,b,c\nd,e,f\n"), "1:[a][b][c]\n2:[d][e][f]\n");
	check(S("a,b"), "1:[a][b]\n");
	check(S(",\n"), "1:[][]\n");
	check(S("a,"), "1:[a][]\n");
	check(S(",,"), "1:[][][]\n");
	check(S("\"\"\n"), "1:[]\n");
	check(S("\"\",\"\"\n"), "1:[][]\n");
	check(S(" a , b \n"), "1:[ a ][ b ]\n");
	check(S("Zo\xC3\xAB,\xC5\x81ukasz,\xF0\x9F\x98\x80,\xE2\x82\xAC\n"),
	      "1:[Zo\xC3\xAB][\xC5\x81ukasz][\xF0\x9F\x98\x80][\xE2\x82\xAC]\n");
}

static void test_blank_lines(void **state)
{
	(void)state;
	/* an empty last line, blank lines anywhere: not rows; lines still count */
	check(S("a\n"), "1:[a]\n");
	check(S("a\n\n"), "1:[a]\n");
	check(S("\n\n\n"), "");
	check(S("a\n\n\nb\n"), "1:[a]\n4:[b]\n");
	check(S("\r\n\r\na\r\n\r\n"), "3:[a]\n");
	check(S("\n\"\"\n\n"), "2:[]\n");
}

static void test_crlf(void **state)
{
	(void)state;
	check(S("a,b\r\nc,d\r\n"), "1:[a][b]\n2:[c][d]\n");
	check(S("a\r\nb\nc\r\nd"), "1:[a]\n2:[b]\n3:[c]\n4:[d]\n");
	/* a CR at the very end: a cut-off CRLF */
	check(S("a,b\r"), "1:[a][b]\n");
	check(S("\"a\"\r"), "1:[a]\n");
	check(S("a\r\n\r"), "1:[a]\n");
}

static void test_quotes(void **state)
{
	(void)state;
	check(S("\"a,b\",\"say \"\"hi\"\"\"\n"), "1:[a,b][say \"hi\"]\n");
	check(S("\"\"\"\"\n"), "1:[\"]\n");
	check(S("\"multi\nline\",x\nnext\n"), "1:[multi\\nline][x]\n3:[next]\n");
	check(S("\"a\n\nb\n\",c\r\nd\r\n"), "1:[a\\n\\nb\\n][c]\n5:[d]\n");
	/* a lone CR and a CRLF inside quotes are data */
	check(S("\"a\rb\",\"c\r\nd\"\r\ne\r\n"), "1:[a\\rb][c\\r\\nd]\n3:[e]\n");
	check(S("\",\",\"\n\"\n"), "1:[,][\\n]\n");
	check(S("\"a\"\"\",\"\"\"b\"\n"), "1:[a\"][\"b]\n");
	check(S("\"x\""), "1:[x]\n");
}

static void test_bom(void **state)
{
	(void)state;
	check(S("\xEF\xBB\xBF" "a,b\n"), "1:[a][b]\n");
	check(S("\xEF\xBB\xBF"), "");
	check(S("\xEF\xBB\xBF\n"), "");
	check(S("\xEF\xBB\xBF\"q\",b\r\n"), "1:[q][b]\n");
	/* only at the very start: elsewhere U+FEFF is data */
	check(S("a\n\xEF\xBB\xBF" "b\n"), "1:[a]\n2:[\xEF\xBB\xBF" "b]\n");
	check(S("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n"), "1:[\xEF\xBB\xBF" "a]\n");
	/* a cut-off mark is not UTF-8 */
	check(S("\xEF\xBB"),
	      "E:t.csv:1: field 1: invalid UTF-8 at byte offset 0 of the file (expected UTF-8 text; "
	      "from a spreadsheet, save as \"CSV UTF-8\")\n");
}

#define BAD_UTF8(line, field, off) \
	"E:t.csv:" #line ": field " #field ": invalid UTF-8 at byte offset " #off \
	" of the file (expected UTF-8 text; from a spreadsheet, save as \"CSV UTF-8\")\n"

static void test_utf8(void **state)
{
	(void)state;
	/* line and byte offset of the first bad byte; the next row is read */
	check(S("ok\nab,c\xC0\x80" "d\nnext\n"), "1:[ok]\n" BAD_UTF8(2, 2, 7) "3:[next]\n");
	check(S("\xC1\xBF\n"), BAD_UTF8(1, 1, 0));                   /* overlong */
	check(S("\xE0\x80\xAF\n"), BAD_UTF8(1, 1, 0));               /* overlong */
	check(S("\xF0\x8F\xBF\xBF\n"), BAD_UTF8(1, 1, 0));           /* overlong */
	check(S("a,\xED\xA0\x80\n"), BAD_UTF8(1, 2, 2));             /* U+D800 */
	check(S("a,\xED\xBF\xBF\n"), BAD_UTF8(1, 2, 2));             /* U+DFFF */
	check(S("\xF4\x90\x80\x80\n"), BAD_UTF8(1, 1, 0));           /* > U+10FFFF */
	check(S("\xF5\x80\x80\x80\n"), BAD_UTF8(1, 1, 0));
	check(S("x\x80\n"), BAD_UTF8(1, 1, 1));                      /* stray continuation */
	check(S("xy\xFF\n"), BAD_UTF8(1, 1, 2));
	check(S("ab\xE2\x82"), BAD_UTF8(1, 1, 2));                   /* cut off at the end */
	check(S("\xE2\x82,a\n"), BAD_UTF8(1, 1, 0));                 /* cut off by a comma */
	check(S("\xC3\n"), BAD_UTF8(1, 1, 0));
	/* inside quotes, on a later line of the row: the line of the byte */
	check(S("\"a\nb\xFF\"\nz\n"), BAD_UTF8(2, 1, 4) "3:[z]\n");
	/* the byte-order mark counts in the offset */
	check(S("\xEF\xBB\xBF\xFF\n"), BAD_UTF8(1, 1, 3));
	/* the largest and smallest of each length are fine */
	check(S("\xC2\x80,\xDF\xBF,\xE0\xA0\x80,\xEF\xBF\xBF,\xF0\x90\x80\x80,\xF4\x8F\xBF\xBF\n"),
	      "1:[\xC2\x80][\xDF\xBF][\xE0\xA0\x80][\xEF\xBF\xBF][\xF0\x90\x80\x80][\xF4\x8F\xBF\xBF]\n");
}

static void test_nul(void **state)
{
	(void)state;
	check(S("a,b\0c\nd\n"),
	      "E:t.csv:1: field 2: NUL byte at byte offset 3 of the file (expected text)\n2:[d]\n");
	check(S("\"a\nb\0\"\nd\n"),
	      "E:t.csv:2: field 1: NUL byte at byte offset 4 of the file (expected text)\n3:[d]\n");
	check(S("\0"), "E:t.csv:1: field 1: NUL byte at byte offset 0 of the file (expected text)\n");
}

static void test_unterminated(void **state)
{
	(void)state;
	/* the error names the line where the field started; then the end */
	check(S("a,b\nc,\"unclosed\nmore\nstuff\n"),
	      "1:[a][b]\nE:t.csv:2: field 2: quoted field opened on this line is never closed "
	      "(expected a closing \" before the end of the file)\n");
	check(S("\""),
	      "E:t.csv:1: field 1: quoted field opened on this line is never closed "
	      "(expected a closing \" before the end of the file)\n");
	check(S("a\n\n\"x\"\"\n"),
	      "1:[a]\nE:t.csv:3: field 1: quoted field opened on this line is never closed "
	      "(expected a closing \" before the end of the file)\n");
}

static void test_stray_quote(void **state)
{
	(void)state;
	check(S("ab\"c,d\nx\n"),
	      "E:t.csv:1: field 1: \" inside an unquoted field (expected the whole field in "
	      "double quotes, with each \" in it doubled)\n2:[x]\n");
	check(S("a,b\"\nx\n"),
	      "E:t.csv:1: field 2: \" inside an unquoted field (expected the whole field in "
	      "double quotes, with each \" in it doubled)\n2:[x]\n");
	check(S("\"ab\"c,d\nx\n"),
	      "E:t.csv:1: field 1: text after the closing quote of a quoted field (expected a "
	      "comma or the end of the line after the closing \")\n2:[x]\n");
	check(S("\"a\" ,b\n"),
	      "E:t.csv:1: field 1: text after the closing quote of a quoted field (expected a "
	      "comma or the end of the line after the closing \")\n");
	check(S("x,\"a\nb\"c\nz\n"),
	      "E:t.csv:2: field 2: text after the closing quote of a quoted field (expected a "
	      "comma or the end of the line after the closing \"; the field opened on line 1)\n"
	      "3:[z]\n");
	/* after the error the row's quotes are still followed to find its end */
	check(S("a\"b,\"c\nd\"\nnext\n"),
	      "E:t.csv:1: field 1: \" inside an unquoted field (expected the whole field in "
	      "double quotes, with each \" in it doubled)\n3:[next]\n");
}

static void test_lone_cr(void **state)
{
	(void)state;
	check(S("a\rb\nc\n"),
	      "E:t.csv:1: field 1: carriage return not followed by a line feed (expected CRLF "
	      "or LF line ends, or the field in double quotes)\n2:[c]\n");
	check(S("a,b\rc,d\re\n"),
	      "E:t.csv:1: field 2: carriage return not followed by a line feed (expected CRLF "
	      "or LF line ends, or the field in double quotes)\n");
	check(S("\"a\"\rb\n"),
	      "E:t.csv:1: field 1: carriage return not followed by a line feed (expected CRLF "
	      "or LF line ends, or the field in double quotes)\n");
}

static void test_every_bad_row(void **state)
{
	(void)state;
	/* an import lists every bad row, and gets every good one */
	check(S("id,name\n"
		"1,ok\n"
		"2,bad\"quote\n"
		"3,\"fine, quoted\"\n"
		"4,\xFF\n"
		"5,\"x\"y\n"
		"6,nul\0\n"
		"7,last\n"),
	      "1:[id][name]\n"
	      "2:[1][ok]\n"
	      "E:t.csv:3: field 2: \" inside an unquoted field (expected the whole field in "
	      "double quotes, with each \" in it doubled)\n"
	      "4:[3][fine, quoted]\n"
	      BAD_UTF8(5, 2, 44)
	      "E:t.csv:6: field 2: text after the closing quote of a quoted field (expected a "
	      "comma or the end of the line after the closing \")\n"
	      "E:t.csv:7: field 2: NUL byte at byte offset 58 of the file (expected text)\n"
	      "8:[7][last]\n");
}

static char *repeat(char c, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memset(p, c, n);
	p[n] = '\0';
	return p;
}

/* One row read from memory (big inputs: the six-way check would be slow). */
static int read_one(const char *in, size_t len, struct wx_csv_reader **rp, struct wx_csv_row *row,
		    struct wx_err *err)
{
	*rp = wx_csv_reader_new_mem(in, len, "t.csv");
	assert_non_null(*rp);
	wx_err_clear(err);
	return wx_csv_read_row(*rp, row, err);
}

static void test_limits(void **state)
{
	struct wx_csv_reader *r;
	struct wx_csv_row row;
	struct wx_err err;
	struct str s = { NULL, 0, 0 };
	char *big;

	(void)state;
	/* a field of exactly the limit, plain and quoted */
	big = repeat('x', WX_CSV_FIELD_MAX);
	str_add(&s, "a,", 2);
	str_add(&s, big, WX_CSV_FIELD_MAX);
	str_add(&s, ",\"", 2);
	str_add(&s, big, WX_CSV_FIELD_MAX);
	str_add(&s, "\"\n", 2);
	assert_int_equal(read_one(s.p, s.len, &r, &row, &err), WX_OK);
	assert_int_equal(row.n, 3);
	assert_int_equal(row.len[1], WX_CSV_FIELD_MAX);
	assert_int_equal(row.len[2], WX_CSV_FIELD_MAX);
	assert_memory_equal(row.field[2], big, WX_CSV_FIELD_MAX);
	wx_csv_reader_free(r);

	/* one byte more: an error, then the next row */
	s.len = 0;
	str_add(&s, "a,", 2);
	str_add(&s, big, WX_CSV_FIELD_MAX);
	str_add(&s, "y,b\nnext\n", 9);
	{
		char *d = dump_mem(s.p, s.len);

		assert_string_equal(d, "E:t.csv:1: field 2 is longer than 1048576 bytes (expected at "
				    "most 1048576 bytes in a field)\n2:[next]\n");
		free(d);
	}
	/* the same through small reads from a file */
	{
		char *d = dump_file(s.p, s.len, 4096);

		assert_string_equal(d, "E:t.csv:1: field 2 is longer than 1048576 bytes (expected at "
				    "most 1048576 bytes in a field)\n2:[next]\n");
		free(d);
	}

	/* a quote left open in a huge field: the unclosed quote is the error */
	s.len = 0;
	str_add(&s, "a\n\"", 3);
	str_add(&s, big, WX_CSV_FIELD_MAX);
	str_add(&s, big, WX_CSV_FIELD_MAX);
	{
		char *d = dump_mem(s.p, s.len);

		assert_string_equal(d, "1:[a]\nE:t.csv:2: field 1: quoted field opened on this line is "
				    "never closed (expected a closing \" before the end of the file)\n");
		free(d);
	}

	/* a row longer than WX_CSV_ROW_MAX */
	s.len = 0;
	for (size_t i = 0; i <= WX_CSV_ROW_MAX / WX_CSV_FIELD_MAX; i++) {
		str_add(&s, big, WX_CSV_FIELD_MAX);
		str_add(&s, ",", 1);
	}
	str_add(&s, "\nok\n", 4);
	{
		char *d = dump_mem(s.p, s.len);

		assert_string_equal(d, "E:t.csv:1: row is longer than 16777216 bytes (expected at most "
				    "16777216 bytes in a row)\n2:[ok]\n");
		free(d);
	}
	free(big);

	/* exactly WX_CSV_FIELDS_MAX fields, then one more */
	s.len = 0;
	for (int i = 0; i < WX_CSV_FIELDS_MAX; i++)
		str_add(&s, i ? ",f" : "f", i ? 2 : 1);
	str_add(&s, "\n", 1);
	assert_int_equal(read_one(s.p, s.len, &r, &row, &err), WX_OK);
	assert_int_equal(row.n, WX_CSV_FIELDS_MAX);
	wx_csv_reader_free(r);
	s.len--;
	str_add(&s, ",f\nok\n", 6);
	check(s.p, s.len, "E:t.csv:1: row has more than 4096 fields (expected at most 4096 fields "
	      "in a row)\n2:[ok]\n");
	free(s.p);
}

/* Random inputs of the bytes that matter: every read ends, in as many calls
 * as the input has bytes, and all six ways agree. */
static void test_hostile(void **state)
{
	static const char alphabet[] = { '"', '"', ',', '\r', '\n', 'a', ' ', '\0',
					  (char)0xFF, (char)0xC3, (char)0xA9, (char)0xEF,
					  (char)0xBB, (char)0xBF };
	char in[64];

	(void)state;
	for (int t = 0; t < 1500; t++) {
		size_t len = rnd(sizeof in + 1);
		char *d;

		for (size_t i = 0; i < len; i++)
			in[i] = alphabet[rnd(sizeof alphabet)];
		d = dump_all(in, len);
		assert_null(strstr(d, "LOOP"));
		free(d);
	}
}

static void test_read_error(void **state)
{
	FILE *f = fopen("/dev/null", "w");   /* reading it fails */
	struct wx_csv_reader *r;
	struct wx_csv_row row;
	struct wx_err err;

	(void)state;
	assert_non_null(f);
	r = wx_csv_reader_new(f, "t.csv");
	assert_non_null(r);
	wx_err_clear(&err);
	assert_int_equal(wx_csv_read_row(r, &row, &err), WX_EIO);
	assert_string_equal(err.msg, "t.csv: cannot read: Bad file descriptor");
	assert_int_equal(wx_csv_read_row(r, &row, &err), WX_ENOTFOUND);
	wx_csv_reader_free(r);
	fclose(f);
}

/* ---- writing ---- */

/* Write one row to memory; returns the bytes (malloc'd). */
static char *write_row(size_t n, const char *const *field, const unsigned char *is_text)
{
	size_t len[64];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		len[i] = strlen(field[i]);
	assert_int_equal(wx_csv_write_row(f, n, field, len, is_text), WX_OK);
	fclose(f);
	return out;
}

static void test_write_quoting(void **state)
{
	static const char *const f[] = {
		"a", "b c", " lead", "trail ", "\ttab", "x,y", "q\"q", "l\nf", "c\rr", "",
		"\xEF\xBB\xBF\x62om", "\xC3\xA9t\xC3\xA9", "\"", "'a"
	};
	static const unsigned char not_text[14] = { 0 };
	static const char *const empty[] = { "" };
	static const char *const two_empty[] = { "", "" };
	char *o;

	(void)state;
	o = write_row(14, f, not_text);
	assert_string_equal(o, "a,b c,\" lead\",\"trail \",\"\ttab\",\"x,y\",\"q\"\"q\",\"l\nf\","
			    "\"c\rr\",,\"\xEF\xBB\xBF" "bom\",\xC3\xA9t\xC3\xA9,\"\"\"\",'a\r\n");
	free(o);
	/* a lone empty field is quoted: an empty line would read as no row */
	o = write_row(1, empty, NULL);
	assert_string_equal(o, "\"\"\r\n");
	free(o);
	o = write_row(2, two_empty, NULL);
	assert_string_equal(o, ",\r\n");
	free(o);
	assert_int_equal(wx_csv_write_row(stdout, 0, empty, NULL, NULL), WX_EUSAGE);
}

static void test_write_neutralise(void **state)
{
	static const char *const f[] = {
		"=1+2", "+44 113", "-5", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y", "'abc", "a=b", "-5", "=2"
	};
	static const unsigned char is_text[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	char *o;

	(void)state;
	o = write_row(12, f, is_text);
	assert_string_equal(o, "'=1+2,'+44 113,'-5,'@SUM(A1),\"'\tx\",\"'\rx\",''=x,'''+y,'abc,a=b,"
			    "-5,=2\r\n");
	free(o);
	/* is_text NULL: every field is text */
	o = write_row(2, f, NULL);
	assert_string_equal(o, "'=1+2,'+44 113\r\n");
	free(o);
}

static void test_write_bom_and_errors(void **state)
{
	static const char *const f[] = { "a" };
	static const size_t len[] = { 1 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *mf = open_memstream(&out, &outlen);
	FILE *full;

	(void)state;
	assert_non_null(mf);
	assert_int_equal(wx_csv_write_bom(mf), WX_OK);
	assert_int_equal(wx_csv_write_row(mf, 1, f, len, NULL), WX_OK);
	fclose(mf);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "\xEF\xBB\xBF" "a\r\n", 6);
	free(out);

	full = fopen("/dev/full", "w");
	if (!full)
		return;   /* no /dev/full here */
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_equal(wx_csv_write_row(full, 1, f, len, NULL), WX_EIO);
	fclose(full);
}

static void test_unneutralise(void **state)
{
	static const struct {
		const char *in, *out;
		int changed;
	} cases[] = {
		{ "'=x", "=x", 1 }, { "''=x", "'=x", 1 }, { "'+", "+", 1 }, { "'-5", "-5", 1 },
		{ "'@a", "@a", 1 }, { "'\t", "\t", 1 }, { "'\r", "\r", 1 }, { "'''-", "''-", 1 },
		{ "'abc", "'abc", 0 }, { "'", "'", 0 }, { "''", "''", 0 }, { "=x", "=x", 0 },
		{ "", "", 0 }, { "a'=", "a'=", 0 }, { "' =", "' =", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[16];
		size_t len = strlen(cases[i].in);

		memcpy(buf, cases[i].in, len + 1);
		assert_int_equal(wx_csv_unneutralise(buf, &len), cases[i].changed);
		assert_int_equal(len, strlen(cases[i].out));
		assert_string_equal(buf, cases[i].out);
	}
	assert_true(wx_csv_is_formula(S("''=")));
	assert_false(wx_csv_is_formula(S("''")));
	assert_false(wx_csv_is_formula(S("a=")));
}

/* Every string over the characters that matter: neutralising then
 * unneutralising gives it back, through the writer and the reader too. */
static void test_neutralise_round_trip(void **state)
{
	static const char alphabet[] = { '\'', '=', '+', '-', '@', '\t', '\r', 'a', ',', ' ' };
	unsigned char is_text[1] = { 1 };

	(void)state;
	for (int t = 0; t < 3000; t++) {
		char v[12], *out = NULL;
		size_t vl = rnd(sizeof v - 1) + 1, outlen = 0;
		const char *fv[1] = { v };
		struct wx_csv_reader *r;
		struct wx_csv_row row;
		struct wx_err err;
		FILE *f;

		for (size_t i = 0; i < vl; i++)
			v[i] = alphabet[rnd(sizeof alphabet)];
		v[vl] = '\0';
		f = open_memstream(&out, &outlen);
		assert_non_null(f);
		assert_int_equal(wx_csv_write_row(f, 1, fv, &vl, is_text), WX_OK);
		fclose(f);
		/* a value is escaped exactly when it looks like a formula */
		if (wx_csv_is_formula(v, vl))
			assert_int_equal(out[out[0] == '"'], '\'');
		else
			assert_int_equal(out[out[0] == '"'], v[0]);
		r = wx_csv_reader_new_mem(out, outlen, "t.csv");
		assert_non_null(r);
		wx_err_clear(&err);
		assert_int_equal(wx_csv_read_row(r, &row, &err), WX_OK);
		assert_int_equal(row.n, 1);
		assert_int_equal(wx_csv_unneutralise(row.field[0], &row.len[0]),
				 wx_csv_is_formula(v, vl));
		assert_int_equal(row.len[0], vl);
		assert_memory_equal(row.field[0], v, vl);
		wx_csv_reader_free(r);
		free(out);
	}
}

/* ---- write then read: the property ---- */

/* A random valid UTF-8 value, rich in what CSV must get right. */
static size_t random_value(char *v, size_t max)
{
	static const char *const pieces[] = {
		"a", "b", "Z", "0", "9", " ", ",", "\"", "\"\"", "\n", "\r", "\r\n", "\t", "'",
		"=", "+", "-", "@", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF",
		"\xE2\x80\xAE", "\xC2\x85", "\x7F", "\x01", ";", "\\"
	};
	size_t n = rnd(12), len = 0;

	if (rnd(8) == 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
		size_t pl = strlen(p);

		if (len + pl > max)
			break;
		memcpy(v + len, p, pl);
		len += pl;
	}
	return len;
}

#define RT_ROWS 3000
#define RT_MAXF 20

struct rt_row {
	size_t n;
	char *v[RT_MAXF];
	size_t len[RT_MAXF];
};

static void check_rows(struct wx_csv_reader *r, const struct rt_row *rows, size_t nrows,
		       const unsigned char *is_text)
{
	struct wx_csv_row row;
	struct wx_err err;

	for (size_t i = 0; i < nrows; i++) {
		wx_err_clear(&err);
		if (wx_csv_read_row(r, &row, &err) != WX_OK)
			fprintf(stderr, "# row %zu: %s\n", i, err.msg);
		assert_int_equal(err.code, WX_OK);
		assert_int_equal(row.n, rows[i].n);
		for (size_t j = 0; j < row.n; j++) {
			if (is_text[j])
				wx_csv_unneutralise(row.field[j], &row.len[j]);
			assert_int_equal(row.len[j], rows[i].len[j]);
			assert_memory_equal(row.field[j], rows[i].v[j], row.len[j]);
		}
	}
	assert_int_equal(wx_csv_read_row(r, &row, &err), WX_ENOTFOUND);
}

static void test_round_trip(void **state)
{
	struct rt_row *rows = calloc(RT_ROWS, sizeof *rows);
	unsigned char is_text[RT_MAXF];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	(void)state;
	assert_non_null(rows);
	for (size_t j = 0; j < RT_MAXF; j++)
		is_text[j] = (unsigned char)(rnd(4) != 0);
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	assert_int_equal(wx_csv_write_bom(f), WX_OK);
	for (size_t i = 0; i < RT_ROWS; i++) {
		rows[i].n = rnd(RT_MAXF) + 1;
		for (size_t j = 0; j < rows[i].n; j++) {
			char buf[128];

			rows[i].len[j] = random_value(buf, sizeof buf);
			rows[i].v[j] = malloc(rows[i].len[j] + 1);
			assert_non_null(rows[i].v[j]);
			memcpy(rows[i].v[j], buf, rows[i].len[j]);
			rows[i].v[j][rows[i].len[j]] = '\0';
		}
		assert_int_equal(wx_csv_write_row(f, rows[i].n, (const char *const *)rows[i].v,
						  rows[i].len, is_text), WX_OK);
	}
	fclose(f);

	{
		struct wx_csv_reader *r = wx_csv_reader_new_mem(out, outlen, "t.csv");

		assert_non_null(r);
		check_rows(r, rows, RT_ROWS, is_text);
		wx_csv_reader_free(r);
	}
	for (size_t b = 0; b < sizeof bufsizes / sizeof bufsizes[0]; b++) {
		FILE *in = file_of(out, outlen);
		struct wx_csv_reader *r = bufsizes[b] ? wx_csv_reader_new_bufsize(in, "t.csv", bufsizes[b])
						      : wx_csv_reader_new(in, "t.csv");

		assert_non_null(r);
		check_rows(r, rows, RT_ROWS, is_text);
		wx_csv_reader_free(r);
		fclose(in);
	}
	for (size_t i = 0; i < RT_ROWS; i++)
		for (size_t j = 0; j < rows[i].n; j++)
			free(rows[i].v[j]);
	free(rows);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_stray_quote),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_every_bad_row),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_write_quoting),
		cmocka_unit_test(test_write_neutralise),
		cmocka_unit_test(test_write_bom_and_errors),
		cmocka_unit_test(test_unneutralise),
		cmocka_unit_test(test_neutralise_round_trip),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
