/* unit-json.c: cmocka unit tests of JSON records (jsonio.h).
 *
 * Most tests turn an input into a "dump" (one line per record,
 * "LINE#INDEX: key@keyline=[value] ...", or "E:message" for an error) and
 * compare it with the expected text. */
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

#include <cmocka.h>

#include "wexmatch/error.h"
#include "wexmatch/jsonio.h"

/* a string literal with its length (it may hold NUL bytes) */
#define S(lit) (lit), (sizeof(lit) - 1)

#define TESTLIB_SEED UINT64_C(0x853c49e6748fea9b)
#include "testlib.h"

static void str_value(struct str *s, const char *v, size_t n)
{
	str_add(s, "[", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\n')
			str_add(s, "\\n", 2);
		else if (c == '\t')
			str_add(s, "\\t", 2);
		else if (c < 0x20 || c == 0x7F)
			str_printf(s, "\\x%02X", c);
		else
			str_add(s, (const char *)&c, 1);
	}
	str_add(s, "]", 1);
}

/* Dump what the reader returns, with or without the fast path for simple
 * records. */
static char *dump_how(const char *in, size_t len, int fast)
{
	struct wx_json_reader *r = wx_json_reader_new(in, len, "t.json");
	struct str s = { NULL, 0, 0 };
	struct wx_json_record rec;
	struct wx_err err;
	size_t calls = 0;

	assert_non_null(r);
	wx_json_reader_set_fast_path(r, fast);
	str_add(&s, "", 0);
	for (;;) {
		int rc;

		if (++calls > len + 2) {
			str_add(&s, "LOOP\n", 5);
			break;
		}
		wx_err_clear(&err);
		rc = wx_json_read_record(r, &rec, &err);
		if (rc == WX_ENOTFOUND)
			break;
		if (rc == WX_EDATA) {
			assert_int_equal(rec.n, 0);
			str_printf(&s, "E:%s\n", err.msg);
			continue;
		}
		if (rc != WX_OK) {
			str_printf(&s, "%s:%s\n", wx_status_name(rc), err.msg);
			break;
		}
		str_printf(&s, "%lu#%lu:", rec.line, rec.index);
		for (size_t i = 0; i < rec.n; i++) {
			assert_int_equal(rec.value[i][rec.len[i]], '\0');
			str_printf(&s, " %s@%lu=", rec.key[i], rec.field_line[i]);
			str_value(&s, rec.value[i], rec.len[i]);
		}
		str_add(&s, "\n", 1);
	}
	assert_int_equal(wx_json_read_record(r, &rec, &err), WX_ENOTFOUND);
	wx_json_reader_free(r);
	return s.p;
}

/* The dump, which must be the same both ways. */
static char *dump(const char *in, size_t len)
{
	char *fast = dump_how(in, len, 1), *slow = dump_how(in, len, 0);

	if (strcmp(fast, slow) != 0)
		fprintf(stderr, "# fast path:\n%s# jansson:\n%s", fast, slow);
	assert_string_equal(fast, slow);
	free(slow);
	return fast;
}

static void check(const char *in, size_t len, const char *expected)
{
	char *d = dump(in, len);

	if (strcmp(d, expected) != 0)
		fprintf(stderr, "# got:\n%s# expected:\n%s", d, expected);
	assert_string_equal(d, expected);
	free(d);
}

#define CHECK(lit, expected) check(S(lit), expected)

/* ---- reading ---- */

static void test_basic(void **state)
{
	(void)state;
	/* values, null left out, line numbers of records and keys */
	CHECK("[\n"
	      "  {\n"
	      "    \"id\": \"C1\",\n"
	      "    \"age\": 15,\n"
	      "    \"ok\": true,\n"
	      "    \"no\": false,\n"
	      "    \"gone\": null,\n"
	      "    \"neg\": -42\n"
	      "  },\n"
	      "  {\"id\": \"C2\", \"name\": \"Zo\\u00eb \\ud83d\\ude00 \\\" \\\\ \\/ \\n\\t\"}\n"
	      "]\n",
	      "2#1: id@3=[C1] age@4=[15] ok@5=[yes] no@6=[no] neg@8=[-42]\n"
	      "10#2: id@10=[C2] name@10=[Zo\xC3\xAB \xF0\x9F\x98\x80 \" \\ / \\n\\t]\n");
	/* keys keep their order */
	CHECK("[{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}]", "1#1: z@1=[1] a@1=[2] m@1=[3]\n");
	CHECK("[{}]", "1#1:\n");
	CHECK("[{\"a\":null}]", "1#1:\n");
	CHECK("[]", "");
	CHECK(" \n[ \n\t]\r\n\n", "");
	CHECK("\xEF\xBB\xBF[{\"a\":\"b\"}]", "1#1: a@1=[b]\n");
	CHECK("[{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":-0,\"d\":0}]",
	      "1#1: a@1=[9223372036854775807] b@1=[-9223372036854775808] c@1=[0] d@1=[0]\n");
	/* raw UTF-8 passes through */
	CHECK("[{\"n\\u00e4me\":\"\xE2\x82\xAC \xF0\x9F\x98\x80\"}]",
	      "1#1: n\xC3\xA4me@1=[\xE2\x82\xAC \xF0\x9F\x98\x80]\n");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	CHECK("[{\"a\":\"1\"},\n{\"b\":\"1\",\n\"b\":\"2\"},\n{\"c\":\"3\"}]",
	      "1#1: a@1=[1]\n"
	      "E:t.json:3: b: the same field twice in one record (expected each field at most once)\n"
	      "4#3: c@4=[3]\n");
	/* the same key written two ways */
	CHECK("[{\"a\":1,\"\\u0061\":2}]",
	      "E:t.json:1: \\u0061: the same field twice in one record (expected each field at "
	      "most once)\n");
}

static void test_nested(void **state)
{
	struct str s = { NULL, 0, 0 };

	(void)state;
	CHECK("[{\"a\":\"1\",\n\"b\": {\"c\": 1}},\n{\"d\": [1, 2]},\n{\"e\":\"ok\"}]",
	      "E:t.json:2: b: object inside a record (expected a string, a whole number, true, false "
	      "or null: records are flat)\n"
	      "E:t.json:3: d: array inside a record (expected a string, a whole number, true, false "
	      "or null: records are flat)\n"
	      "4#3: e@4=[ok]\n");
	CHECK("[{\"a\":{\"b\":{\"c\":1}}},{\"z\":\"1\"}]",
	      "E:t.json:1: a: value nested inside a value (expected a string, a whole number, true, "
	      "false or null: records are flat)\n"
	      "1#2: z@1=[1]\n");

	/* deep nesting inside a record: one error, no recursion */
	str_add(&s, "[{\"deep\":", 9);
	for (int i = 0; i < 100000; i++)
		str_add(&s, "[", 1);
	for (int i = 0; i < 100000; i++)
		str_add(&s, "]", 1);
	str_add(&s, "},\n{\"x\":\"y\"}]", 13);
	check(s.p, s.len,
	      "E:t.json:1: deep: value nested inside a value (expected a string, a whole number, "
	      "true, false or null: records are flat)\n"
	      "2#2: x@2=[y]\n");

	/* deep nesting as a record, closed and not */
	s.len = 0;
	str_add(&s, "[", 1);
	for (int i = 0; i < 100000; i++)
		str_add(&s, "[", 1);
	for (int i = 0; i < 100000; i++)
		str_add(&s, "]", 1);
	str_add(&s, "]", 1);
	check(s.p, s.len, "E:t.json:1: record 1 is an array (expected an object {...})\n");
	s.len = 0;
	for (int i = 0; i < 100000; i++)
		str_add(&s, "[", 1);
	check(s.p, s.len, "E:t.json:1: record 1 is not closed (expected } or ] before the end of "
	      "the file)\n");
	free(s.p);
}

static void test_surrogates(void **state)
{
	(void)state;
	CHECK("[{\"a\":\"\\ud800\"},\n{\"b\":\"x\\udc00y\"},\n{\"c\":\"\\ud800\\u0041\"},\n"
	      "{\"d\":\"\\uDBFF\"},\n{\"e\":\"\\ud83d\\ude00\"}]",
	      "E:t.json:1: a: lone surrogate \\uD800 (expected a surrogate pair such as "
	      "\\uD83D\\uDE00, or the character itself)\n"
	      "E:t.json:2: b: lone surrogate \\uDC00 (expected a surrogate pair such as "
	      "\\uD83D\\uDE00, or the character itself)\n"
	      "E:t.json:3: c: lone surrogate \\uD800\\u0041 (expected a surrogate pair such as "
	      "\\uD83D\\uDE00, or the character itself)\n"
	      "E:t.json:4: d: lone surrogate \\uDBFF (expected a surrogate pair such as "
	      "\\uD83D\\uDE00, or the character itself)\n"
	      "5#5: e@5=[\xF0\x9F\x98\x80]\n");
	/* in a key */
	CHECK("[{\"k\\udc00\":\"v\"}]",
	      "E:t.json:1: k\\udc00: lone surrogate \\uDC00 (expected a surrogate pair such as "
	      "\\uD83D\\uDE00, or the character itself)\n");
}

static void test_nul(void **state)
{
	(void)state;
	CHECK("[{\"a\":\"x\\u0000y\"},{\"b\\u0000\":\"v\"},{\"c\":\"ok\"}]",
	      "E:t.json:1: a: \\u0000 in a string (expected text without NUL characters)\n"
	      "E:t.json:1: b\\u0000: \\u0000 in a field name (expected a name without NUL "
	      "characters)\n"
	      "1#3: c@1=[ok]\n");
	CHECK("[{\"a\":\"x\0y\"},{\"c\":\"ok\"}]",
	      "E:t.json:1: a: NUL byte at byte offset 8 of the file (expected text)\n"
	      "1#2: c@1=[ok]\n");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* line and byte offset; the next record is read */
	CHECK("[{\"a\":\"ok\"},\n{\"b\":\"x\xC0\x80\"},\n{\"c\":\"\xED\xA0\x80\"},\n"
	      "{\"d\":\"\xF4\x90\x80\x80\"},\n{\"e\":\"\xE2\x82\"},\n{\"f\":\"end\"}]",
	      "1#1: a@1=[ok]\n"
	      "E:t.json:2: b: invalid UTF-8 at byte offset 20 of the file (expected UTF-8 text)\n"
	      "E:t.json:3: c: invalid UTF-8 at byte offset 32 of the file (expected UTF-8 text)\n"
	      "E:t.json:4: d: invalid UTF-8 at byte offset 45 of the file (expected UTF-8 text)\n"
	      "E:t.json:5: e: invalid UTF-8 at byte offset 59 of the file (expected UTF-8 text)\n"
	      "6#6: f@6=[end]\n");
	/* in a key: the key is not named */
	CHECK("[{\"k\xFF\":\"v\"}]",
	      "E:t.json:1: invalid UTF-8 at byte offset 4 of the file (expected UTF-8 text)\n");
	/* outside strings: the structure is broken */
	CHECK("[{\"a\":\"1\"}\xFF]",
	      "1#1: a@1=[1]\n"
	      "E:t.json:1: unexpected byte 0xFF after record 1 (expected , or ])\n");
}

static void test_control_chars(void **state)
{
	(void)state;
	/* a raw tab: this record only */
	CHECK("[{\"a\":\"x\ty\"},{\"b\":\"ok\"}]",
	      "E:t.json:1: a: control character 0x09 inside a string (expected it written as "
	      "\\u0009)\n"
	      "1#2: b@1=[ok]\n");
	/* a raw line break: final (a closing quote is probably missing) */
	CHECK("[{\"a\":\"x\ny\"},{\"b\":\"ok\"}]",
	      "E:t.json:1: a: line break inside a string (expected \\n, or a closing \" before "
	      "the end of the line)\n");
	CHECK("[{\"name\":\"Bob,\n \"age\": 3},\n{\"b\":\"ok\"}]",
	      "E:t.json:1: name: line break inside a string (expected \\n, or a closing \" before "
	      "the end of the line)\n");
}

static void test_numbers(void **state)
{
	(void)state;
	CHECK("[{\"a\":1.5},{\"b\":1e3},{\"c\":-0.0},{\"d\":9223372036854775808},\n"
	      "{\"e\":-9223372036854775809},{\"f\":01},{\"g\":7}]",
	      "E:t.json:1: a: number with a fraction or an exponent (expected a whole number, or "
	      "the value in quotes as a string)\n"
	      "E:t.json:1: b: number with a fraction or an exponent (expected a whole number, or "
	      "the value in quotes as a string)\n"
	      "E:t.json:1: c: number with a fraction or an exponent (expected a whole number, or "
	      "the value in quotes as a string)\n"
	      "E:t.json:1: d: number too big (expected a whole number from -9223372036854775808 "
	      "to 9223372036854775807, or the value in quotes)\n"
	      "E:t.json:2: e: number too big (expected a whole number from -9223372036854775808 "
	      "to 9223372036854775807, or the value in quotes)\n"
	      "E:t.json:2: f: not valid JSON: invalid token near '0'\n"
	      "2#7: g@2=[7]\n");
}

static void test_keys(void **state)
{
	(void)state;
	CHECK("[{\"\":\"x\"},{\"a\":\"ok\"}]",
	      "E:t.json:1: empty field name \"\" (expected a name between the quotes)\n"
	      "1#2: a@1=[ok]\n");
	/* a long or odd key is shortened and made visible in messages */
	CHECK("[{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1.5}]",
	      "E:t.json:1: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: number "
	      "with a fraction or an exponent (expected a whole number, or the value in quotes as "
	      "a string)\n");
	CHECK("[{\"a\\nb\\u001b\":[]}]",
	      "E:t.json:1: a\\x0Ab\\x1B: array inside a record (expected a string, a whole number, "
	      "true, false or null: records are flat)\n");
}

static void test_not_objects(void **state)
{
	(void)state;
	CHECK("[1, \"s\", true, null, [], {\"a\":\"b\"}, -2]",
	      "E:t.json:1: record 1 is a number (expected an object {...})\n"
	      "E:t.json:1: record 2 is a string (expected an object {...})\n"
	      "E:t.json:1: record 3 is true or false (expected an object {...})\n"
	      "E:t.json:1: record 4 is null (expected an object {...})\n"
	      "E:t.json:1: record 5 is an array (expected an object {...})\n"
	      "1#6: a@1=[b]\n"
	      "E:t.json:1: record 7 is a number (expected an object {...})\n");
	CHECK("[tru, {\"a\":\"b\"}]",
	      "E:t.json:1: not valid JSON: invalid token near 'tru'\n"
	      "1#2: a@1=[b]\n");
}

static void test_not_an_array(void **state)
{
	(void)state;
	CHECK("", "E:t.json:1: no records: the file is empty (expected a JSON array of records: "
	      "[ {...}, ... ])\n");
	CHECK(" \n\n", "E:t.json:3: no records: the file is empty (expected a JSON array of "
	      "records: [ {...}, ... ])\n");
	CHECK("\xEF\xBB\xBF", "E:t.json:1: no records: the file is empty (expected a JSON array of "
	      "records: [ {...}, ... ])\n");
	CHECK("{\"a\":\"b\"}", "E:t.json:1: the file starts with '{' (expected a JSON array of "
	      "records: [ {...}, ... ])\n");
	CHECK("\n null", "E:t.json:2: the file starts with 'n' (expected a JSON array of records: "
	      "[ {...}, ... ])\n");
	CHECK("\xFF[]", "E:t.json:1: the file starts with byte 0xFF (expected a JSON array of "
	      "records: [ {...}, ... ])\n");
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	CHECK("[{\"a\":\"1\"}] x",
	      "1#1: a@1=[1]\n"
	      "E:t.json:1: 'x' after the closing ] of the array (expected nothing but white space)\n");
	CHECK("[]\n[]", "E:t.json:2: '[' after the closing ] of the array (expected nothing but "
	      "white space)\n");
	CHECK("[]\0", "E:t.json:1: byte 0x00 after the closing ] of the array (expected nothing "
	      "but white space)\n");
	CHECK("[]\n\n", "");
}

static void test_structure(void **state)
{
	(void)state;
	CHECK("[{\"a\":\"1\"} {\"b\":\"2\"}]",
	      "1#1: a@1=[1]\n"
	      "E:t.json:1: unexpected '{' after record 1 (expected , or ]; is a comma missing?)\n");
	CHECK("[{\"a\":\"1\"},\n]",
	      "1#1: a@1=[1]\n"
	      "E:t.json:2: a comma before ] (expected another record after the comma, or no "
	      "comma)\n");
	CHECK("[{\"a\":\"1\"}",
	      "1#1: a@1=[1]\n"
	      "E:t.json:1: the file ends inside the array (expected , or ] after record 1)\n");
	CHECK("[{\"a\":\"1\"},",
	      "1#1: a@1=[1]\n"
	      "E:t.json:1: the file ends after a comma (expected a record, then ])\n");
	CHECK("[\n", "E:t.json:2: the file ends inside the array (expected a record or ])\n");
	CHECK("[,]", "E:t.json:1: unexpected ',' (expected a record {...})\n");
	CHECK("[\n{\"a\":\n\"1\"", "E:t.json:2: record 1 is not closed (expected } before the end "
	      "of the file)\n");
	CHECK("[{\"a\":\"1", "E:t.json:1: a: string not closed (expected a closing \" before the end "
	      "of the file)\n");
	/* a syntax error inside a record: that record only */
	CHECK("[{\"a\" 1},\n{\"b\":\"2\"}]",
	      "E:t.json:1: a: not valid JSON: ':' expected near '1'\n"
	      "2#2: b@2=[2]\n");
	CHECK("[{\"a\":1,}, {\"b\":\"2\"}]",
	      "E:t.json:1: a: not valid JSON: string or '}' expected near '}'\n"
	      "1#2: b@1=[2]\n");
	CHECK("[{\"a\":1]}]",
	      "E:t.json:1: a: not valid JSON: '}' expected near ']'\n"
	      "E:t.json:1: unexpected '}' after record 1 (expected , or ])\n");
}

static void test_limits(void **state)
{
	struct str s = { NULL, 0, 0 };
	char *big = malloc(WX_JSON_VALUE_MAX + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', WX_JSON_VALUE_MAX + 1);
	str_add(&s, "[{\"a\":\"", 7);
	str_add(&s, big, WX_JSON_VALUE_MAX + 1);
	str_add(&s, "\"},{\"b\":\"ok\"}]", 14);
	check(s.p, s.len, "E:t.json:1: a: value longer than 1048576 bytes (expected at most 1048576 "
	      "bytes)\n1#2: b@1=[ok]\n");
	free(big);

	s.len = 0;
	str_add(&s, "[{", 2);
	for (int i = 0; i <= WX_JSON_FIELDS_MAX; i++)
		str_printf(&s, "%s\"k%d\":1", i ? "," : "", i);
	str_add(&s, "}]", 2);
	check(s.p, s.len, "E:t.json:1: record 1 has more than 4096 fields (expected at most "
	      "4096)\n");
	free(s.p);
}

static void test_open(void **state)
{
	static const char in[] = "[{\"a\":\"b\"}]";
	FILE *f = tmpfile();
	struct wx_json_reader *r;
	struct wx_json_record rec;
	struct wx_err err;

	(void)state;
	assert_non_null(f);
	fputs(in, f);
	rewind(f);
	wx_err_clear(&err);
	r = wx_json_reader_open(f, "t.json", &err);
	assert_non_null(r);
	fclose(f);   /* the reader holds its own copy */
	assert_int_equal(wx_json_read_record(r, &rec, &err), WX_OK);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.key[0], "a");
	assert_string_equal(rec.value[0], "b");
	assert_int_equal(wx_json_read_record(r, &rec, &err), WX_ENOTFOUND);
	wx_json_reader_free(r);

	f = fopen("/dev/null", "w");   /* reading it fails */
	assert_non_null(f);
	wx_err_clear(&err);
	assert_null(wx_json_reader_open(f, "t.json", &err));
	assert_int_equal(err.code, WX_EIO);
	assert_string_equal(err.msg, "t.json: cannot read: Bad file descriptor");
	fclose(f);
}

/* ---- writing ---- */

static void test_write(void **state)
{
	static const char *const k1[] = { "id", "name" };
	static const char *const v1[] = { "C1", "Ada" };
	static const size_t l1[] = { 2, 3 };
	static const char *const k2[] = { "z\"k", "notes" };
	static const char v2b[] = "\"\\/\n\r\t\b\f\x01\x1F\x7F\xC2\x85\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9"
				  "\xE2\x80\xAE\xC3\xA9\xF0\x9F\x98\x80";
	const char *v2[] = { "", v2b };
	const size_t l2[] = { 0, sizeof v2b - 1 };
	struct wx_json_writer w;
	struct wx_err err;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	assert_non_null(f);
	wx_err_clear(&err);
	wx_json_writer_init(&w, f, "out.json");
	assert_int_equal(wx_json_write_begin(&w, &err), WX_OK);
	assert_int_equal(wx_json_write_record(&w, 2, k1, v1, l1, &err), WX_OK);
	assert_int_equal(wx_json_write_record(&w, 2, k2, v2, l2, &err), WX_OK);
	assert_int_equal(wx_json_write_record(&w, 0, NULL, NULL, NULL, &err), WX_OK);
	assert_int_equal(wx_json_write_end(&w, &err), WX_OK);
	fclose(f);
	assert_string_equal(out,
			    "[\n"
			    "{\"id\":\"C1\",\"name\":\"Ada\"},\n"
			    "{\"z\\\"k\":\"\",\"notes\":\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f"
			    "\\u007f\\u0085\xC2\xA0\\u2028\\u2029\xE2\x80\xAE\xC3\xA9\xF0\x9F\x98\x80\"},\n"
			    "{}\n"
			    "]\n");
	/* and it reads back */
	{
		char *d = dump(out, outlen);

		assert_string_equal(d, "2#1: id@2=[C1] name@2=[Ada]\n"
				    "3#2: z\"k@3=[] notes@3=[\"\\/\\n\\x0D\\t\\x08\\x0C\\x01\\x1F\\x7F"
				    "\xC2\x85\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9\xE2\x80\xAE\xC3\xA9"
				    "\xF0\x9F\x98\x80]\n"
				    "4#3:\n");
		free(d);
	}
	free(out);

	/* an empty list */
	out = NULL;
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	wx_json_writer_init(&w, f, "out.json");
	assert_int_equal(wx_json_write_begin(&w, &err), WX_OK);
	assert_int_equal(wx_json_write_end(&w, &err), WX_OK);
	fclose(f);
	assert_string_equal(out, "[\n]\n");
	free(out);
}

static void write_refused(size_t n, const char *const *k, const char *const *v, const size_t *l,
			  const char *msg)
{
	struct wx_json_writer w;
	struct wx_err err;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(f);
	wx_err_clear(&err);
	wx_json_writer_init(&w, f, "out.json");
	assert_int_equal(wx_json_write_begin(&w, &err), WX_OK);
	assert_int_equal(wx_json_write_record(&w, n, k, v, l, &err), WX_EDATA);
	assert_string_equal(err.msg, msg);
	fclose(f);
	/* nothing of the record was written */
	assert_string_equal(out, "[");
	free(out);
}

static void test_write_refused(void **state)
{
	static const char *const k[] = { "a", "b" };
	static const char *const bad_key[] = { "a", "b\xFF" };
	static const char *const dup[] = { "a", "a" };
	static const char *const empty[] = { "a", "" };
	static const char *const v[] = { "ok", "x\xC0\x80" };
	static const char *const vnul[] = { "ok", "x\0y" };
	static const char *const vok[] = { "ok", "ok" };
	static const size_t l[] = { 2, 3 };

	(void)state;
	write_refused(2, k, v, l, "out.json: record 1: b: invalid UTF-8 at byte 1 of the value "
		      "(expected UTF-8 text)");
	write_refused(2, k, vnul, l, "out.json: record 1: b: NUL byte in the value (expected text)");
	write_refused(2, bad_key, vok, l, "out.json: record 1: field name b\\xFF: invalid UTF-8 at "
		      "byte 1 (expected UTF-8 text)");
	write_refused(2, dup, vok, l, "out.json: record 1: a: the same field twice (expected each "
		      "field at most once)");
	write_refused(2, empty, vok, l, "out.json: record 1: empty field name (expected a name)");
}

static void test_write_error(void **state)
{
	static const char *const k[] = { "a" };
	static const char *const v[] = { "b" };
	static const size_t l[] = { 1 };
	struct wx_json_writer w;
	struct wx_err err;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		return;   /* no /dev/full here */
	wx_err_clear(&err);
	wx_json_writer_init(&w, f, "out.json");
	assert_int_equal(wx_json_write_begin(&w, &err), WX_OK);   /* buffered */
	assert_int_equal(wx_json_write_record(&w, 1, k, v, l, &err), WX_OK);
	assert_int_equal(wx_json_write_end(&w, &err), WX_EIO);
	assert_string_equal(err.msg, "out.json: cannot write: No space left on device");
	fclose(f);
}

/* ---- write then read: the property ---- */

static size_t random_text(char *v, size_t max)
{
	static const char *const pieces[] = {
		"a", "b", "Z", "0", " ", ",", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x01",
		"\x1F", "\x7F", "'", "=", "{", "}", "[", "]", ":", "\xC3\xA9", "\xE2\x82\xAC",
		"\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\xE2\x80\xAE", "\xC2\x85", "\xE2\x80\xA8",
		"\xE2\x80\xA9", "\xED\x9F\xBF", "\xEE\x80\x80", "\xF4\x8F\xBF\xBF", "\\u0041"
	};
	size_t n = rnd(10), len = 0;

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

#define RT_RECS 2000
#define RT_MAXF 12

struct rt_rec {
	size_t n;
	char *k[RT_MAXF];
	char *v[RT_MAXF];
	size_t len[RT_MAXF];
};

static void test_round_trip(void **state)
{
	struct rt_rec *recs = calloc(RT_RECS, sizeof *recs);
	struct wx_json_writer w;
	struct wx_json_reader *r;
	struct wx_json_record rec;
	struct wx_err err;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	assert_non_null(recs);
	assert_non_null(f);
	wx_err_clear(&err);
	wx_json_writer_init(&w, f, "out.json");
	assert_int_equal(wx_json_write_begin(&w, &err), WX_OK);
	for (size_t i = 0; i < RT_RECS; i++) {
		struct rt_rec *x = &recs[i];

		x->n = rnd(RT_MAXF + 1);
		for (size_t j = 0; j < x->n; j++) {
			char buf[128];
			size_t kl;

			/* distinct, non-empty keys: a random text and the index */
			kl = random_text(buf, 40);
			buf[kl] = '\0';
			if (asprintf(&x->k[j], "%s#%zu", buf, j) < 0)
				fail();
			x->len[j] = random_text(buf, sizeof buf);
			x->v[j] = malloc(x->len[j] + 1);
			assert_non_null(x->v[j]);
			memcpy(x->v[j], buf, x->len[j]);
			x->v[j][x->len[j]] = '\0';
		}
		assert_int_equal(wx_json_write_record(&w, x->n, (const char *const *)x->k,
						      (const char *const *)x->v, x->len, &err), WX_OK);
	}
	assert_int_equal(wx_json_write_end(&w, &err), WX_OK);
	fclose(f);

	r = wx_json_reader_new(out, outlen, "out.json");
	assert_non_null(r);
	for (size_t i = 0; i < RT_RECS; i++) {
		wx_err_clear(&err);
		if (wx_json_read_record(r, &rec, &err) != WX_OK)
			fprintf(stderr, "# record %zu: %s\n", i + 1, err.msg);
		assert_int_equal(err.code, WX_OK);
		assert_int_equal(rec.line, i + 2);
		assert_int_equal(rec.n, recs[i].n);
		for (size_t j = 0; j < rec.n; j++) {
			assert_string_equal(rec.key[j], recs[i].k[j]);
			assert_int_equal(rec.len[j], recs[i].len[j]);
			assert_memory_equal(rec.value[j], recs[i].v[j], rec.len[j]);
		}
	}
	assert_int_equal(wx_json_read_record(r, &rec, &err), WX_ENOTFOUND);
	wx_json_reader_free(r);
	for (size_t i = 0; i < RT_RECS; i++)
		for (size_t j = 0; j < recs[i].n; j++) {
			free(recs[i].k[j]);
			free(recs[i].v[j]);
		}
	free(recs);
	free(out);
}

/* Random inputs of the bytes that matter: every read ends, in no more calls
 * than the input has bytes. */
static void test_hostile(void **state)
{
	static const char *const pieces[] = {
		"[", "]", "{", "}", ",", ":", "\"", "\"a\"", "\"a\":", "1", "\\", "\\u", "d800",
		" ", "\n", "\r", "\0", "\xFF", "\xC3\xA9", "true", "null", "1.5", "\\\"", "\"\\ud800\""
	};

	(void)state;
	for (int t = 0; t < 3000; t++) {
		struct str s = { NULL, 0, 0 };
		size_t n = rnd(24);
		char *d;

		str_add(&s, rnd(4) ? "[" : "", rnd(4) ? 1 : 0);
		for (size_t i = 0; i < n; i++) {
			const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];

			str_add(&s, p, p[0] ? strlen(p) : 1);
		}
		d = dump(s.p, s.len);
		assert_null(strstr(d, "LOOP"));
		free(d);
		free(s.p);
	}
}

/* Random records rich in what the fast path for simple records decodes
 * itself (escapes of every kind, surrogates, numbers at the int64 edges,
 * odd white space): dump() reads each both ways, which must agree. */
static void test_fast_path_agrees(void **state)
{
	static const char *const keys[] = {
		"\"a\"", "\"b\"", "\"\\u0061\"", "\"\"", "\"k\\n\"", "\"\\u00e9\"", "\"\xC3\xA9\""
	};
	static const char *const values[] = {
		"\"x\"", "\"\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\"",
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"",
		"\"\\ud83d\\u0041\"", "\"\\u00E9\\u20ac\\u0001\\u007F\"", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "0", "-0", "7", "-12", "01", "1.5", "1e2", "-", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "true", "false", "null", "tru", "nul", "{}", "[]", "\"\xE2\x82\xAC\""
	};
	static const char *const ws[] = { "", " ", "\n", "\r\n", "\t", "  " };

	(void)state;
	for (int t = 0; t < 3000; t++) {
		struct str s = { NULL, 0, 0 };
		size_t n = rnd(6);
		char *d;

		str_add(&s, "[", 1);
		for (int rec = 0; rec < 3; rec++) {
			str_add(&s, rec ? ",{" : "{", rec ? 2 : 1);
			for (size_t i = 0; i < n; i++) {
				const char *k = keys[rnd(sizeof keys / sizeof keys[0])];
				const char *v = values[rnd(sizeof values / sizeof values[0])];
				const char *w1 = ws[rnd(sizeof ws / sizeof ws[0])];
				const char *w2 = ws[rnd(sizeof ws / sizeof ws[0])];

				str_printf(&s, "%s%s%s%s:%s%s%s", i ? "," : "", w1, k, w2, w1, v, w2);
			}
			str_add(&s, "}", 1);
		}
		str_add(&s, "]", 1);
		d = dump(s.p, s.len);
		assert_null(strstr(d, "LOOP"));
		free(d);
		free(s.p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_not_objects),
		cmocka_unit_test(test_not_an_array),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_refused),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_fast_path_agrees),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
