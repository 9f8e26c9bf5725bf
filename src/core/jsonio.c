/* jsonio.c: records as JSON (see jsonio.h for the rules).
 *
 * Reading.  jansson parses one value at a time and cannot go on after an
 * error, so the reader walks the top-level array itself: for each element
 * it first scans to the element's end (following strings, escapes and
 * bracket depth, checking UTF-8 as it goes, noting where each key of the
 * object is) and only then gives jansson exactly that element.  A record
 * jansson refuses is then just skipped, and jansson's error position can be
 * turned back into the key it was in and the line of the file.
 *
 * The scan gives up (a final error) when a raw CR or LF appears inside a
 * string: JSON never has one there, and the likeliest cause is a missing
 * closing quote, after which the scan could not tell strings from the rest
 * for the remainder of the file.  Nesting deeper than a value inside a
 * record is refused by the scan without calling jansson, so [[[[... of any
 * depth costs one counter.
 *
 * Fast path.  jansson builds a hash table and allocates every string of
 * every record, which caps it near 170,000 records a second.  Most records
 * are simple: strings, whole numbers, true, false and null, at most
 * FAST_FIELDS of them.  fast_record reads such a record straight from the
 * element's text (whose raw bytes the scan has already checked for UTF-8
 * and control characters), decoding escapes into a reused buffer.  Anything
 * else at all (a fraction, a nested value, \u0000, a lone surrogate, a
 * duplicate or empty key, a syntax error) makes it give up, and jansson
 * reads the record as before and reports what is wrong.  So the fast path only ever accepts, never refuses, and
 * what it accepts is exactly what jansson accepts, with the same result:
 * fuzz-json.c checks that by reading every input both ways. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "wexmatch/jsonio.h"
#include "wexmatch/utf8.h"

#define LABEL_MAX 64   /* bytes of a key shown in a message */
#define FAST_FIELDS 64 /* records with more fields go through jansson */

struct keyspan {
	size_t off;             /* offset of the key's opening quote */
	size_t end;             /* offset just after its closing quote */
	unsigned long line;
};

enum state { ST_START, ST_NEXT, ST_DONE };

struct wx_json_reader {
	const unsigned char *buf;
	size_t len;
	unsigned char *own;     /* buf when wx_json_reader_open read it */
	char *name;
	size_t pos;
	unsigned long line;     /* line of buf[pos] */
	enum state st;
	unsigned long index;    /* elements of the array seen */
	unsigned char strcls[256];   /* bytes that stop a string scan */
	json_t *obj;            /* the current record's object */

	struct keyspan *ks;     /* keys of the element being read */
	size_t nks, kscap;

	const char **key;       /* the record handed out */
	const char **value;
	size_t *vlen;
	unsigned long *fline;
	size_t cap;
	char *num;              /* decimal text of integers */
	size_t numcap;
	char *arena;            /* keys and values of a record read by fast_record */
	size_t arenacap;
	int no_fast;            /* every record through jansson (tests) */
};



/* A key fit to show in a message: at most LABEL_MAX bytes, controls and
 * bytes that are not UTF-8 shown as \xNN. */
static void label(const unsigned char *s, size_t len, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, o = 0;

	while (i < len) {
		size_t n = wx_utf8_len(s + i, len - i);

		if (o + 8 >= outsz || i >= LABEL_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 0 || s[i] < 0x20 || s[i] == 0x7F) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
}

/* The label of key k as written in the input, quotes stripped. */
static void key_label(const struct wx_json_reader *r, size_t k, char *out, size_t outsz)
{
	const struct keyspan *s = &r->ks[k];

	label(r->buf + s->off + 1, s->end - s->off - 2, out, outsz);
}

/* "'c'" for a printable ASCII byte, else "byte 0xNN". */
static void describe(int c, char *out, size_t outsz)
{
	if (c > 0x20 && c < 0x7F)
		snprintf(out, outsz, "'%c'", c);
	else
		snprintf(out, outsz, "byte 0x%02X", (unsigned)c);
}

static int fail(struct wx_json_reader *r, struct wx_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A final error: the structure is broken, nothing more can be read. */
static int fail(struct wx_json_reader *r, struct wx_err *err, int code, const char *fmt, ...)
{
	char msg[sizeof err->msg];
	va_list ap;

	r->st = ST_DONE;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return wx_err_set(err, code, "%s", msg);
}

static void skip_ws(struct wx_json_reader *r)
{
	while (r->pos < r->len) {
		unsigned char c = r->buf[r->pos];

		if (c == '\n')
			r->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		r->pos++;
	}
}

/* ---- the scan of one element ---- */

enum scan { SCAN_OK, SCAN_BAD, SCAN_FATAL };

struct scan_err {
	char msg[sizeof ((struct wx_err *)0)->msg];
};

static void serr_set(struct scan_err *se, int *have, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void serr_set(struct scan_err *se, int *have, const char *fmt, ...)
{
	va_list ap;

	if (*have)
		return;
	*have = 1;
	va_start(ap, fmt);
	vsnprintf(se->msg, sizeof se->msg, fmt, ap);
	va_end(ap);
}

static int add_key(struct wx_json_reader *r, size_t off, unsigned long line)
{
	if (r->nks == r->kscap) {
		size_t cap = r->kscap ? r->kscap * 2 : 32;
		struct keyspan *k = realloc(r->ks, cap * sizeof *k);

		if (!k)
			return -1;
		r->ks = k;
		r->kscap = cap;
	}
	r->ks[r->nks].off = off;
	r->ks[r->nks].end = off;
	r->ks[r->nks].line = line;
	r->nks++;
	return 0;
}

/* "KEY: " for messages about key k; nothing when k is (size_t)-1 or is a
 * key still being read (a problem in the key itself). */
static void field_prefix(const struct wx_json_reader *r, size_t k, char *out, size_t outsz)
{
	char lab[LABEL_MAX * 4 + 8];

	if (k == (size_t)-1 || r->ks[k].end == r->ks[k].off) {
		out[0] = '\0';
		return;
	}
	key_label(r, k, lab, sizeof lab);
	snprintf(out, outsz, "%s: ", lab);
}

/* Scan the string whose opening quote is at *pp; on return *pp is just
 * after its closing quote.  k is the key the string belongs to (or is). */
static enum scan scan_string(struct wx_json_reader *r, size_t *pp, size_t k,
			     struct scan_err *se, int *bad)
{
	const unsigned char *b = r->buf;
	size_t p = *pp + 1, len = r->len;
	char fp[LABEL_MAX * 4 + 16];

	for (;;) {
		unsigned char c;

		while (p < len && !r->strcls[b[p]])
			p++;
		if (p == len) {
			field_prefix(r, k, fp, sizeof fp);
			*bad = 0;
			serr_set(se, bad, "%s:%lu: %sstring not closed (expected a closing \" "
				 "before the end of the file)", r->name, r->line, fp);
			return SCAN_FATAL;
		}
		c = b[p];
		if (c == '"') {
			*pp = p + 1;
			return SCAN_OK;
		}
		if (c == '\\') {
			/* skip the escaped character unless it needs a check of
			 * its own (a control character or non-ASCII byte) */
			if (p + 1 < len && b[p + 1] >= 0x20 && b[p + 1] < 0x80)
				p += 2;
			else
				p++;
			continue;
		}
		field_prefix(r, k, fp, sizeof fp);
		if (c == '\n' || c == '\r') {
			*bad = 0;
			serr_set(se, bad, "%s:%lu: %sline break inside a string (expected \\n, "
				 "or a closing \" before the end of the line)", r->name, r->line, fp);
			return SCAN_FATAL;
		}
		if (c == 0) {
			serr_set(se, bad, "%s:%lu: %sNUL byte at byte offset %zu of the file "
				 "(expected text)", r->name, r->line, fp, p);
			p++;
		} else if (c < 0x20) {
			serr_set(se, bad, "%s:%lu: %scontrol character 0x%02X inside a string "
				 "(expected it written as \\u%04X)", r->name, r->line, fp,
				 (unsigned)c, (unsigned)c);
			p++;
		} else {
			size_t n = wx_utf8_len(b + p, len - p);

			if (n) {
				p += n;
			} else {
				serr_set(se, bad, "%s:%lu: %sinvalid UTF-8 at byte offset %zu of the "
					 "file (expected UTF-8 text)", r->name, r->line, fp, p);
				p++;
			}
		}
	}
}

/* Scan the element at r->pos to its end, leaving r->pos and r->line there.
 * Keys of an object are noted in r->ks.  SCAN_BAD: a problem found in the
 * element (message in se), which can be skipped; SCAN_FATAL: the structure
 * is broken. */
static enum scan scan_element(struct wx_json_reader *r, struct scan_err *se, int *nomem)
{
	const unsigned char *b = r->buf;
	size_t p = r->pos, len = r->len, depth = 0;
	int is_obj = b[p] == '{', keypos = 0, bad = 0;
	size_t curkey = (size_t)-1;
	unsigned long start_line = r->line;
	char fp[LABEL_MAX * 4 + 16];
	enum scan s;

	r->nks = 0;
	if (b[p] == '"') {
		s = scan_string(r, &p, curkey, se, &bad);
		r->pos = p;
		return s == SCAN_FATAL ? s : bad ? SCAN_BAD : SCAN_OK;
	}
	if (b[p] != '{' && b[p] != '[') {
		/* a number or a literal: up to the next delimiter; jansson
		 * judges it */
		while (p < len && !strchr(",]}{[\" \t\r\n:", b[p]) && b[p] != 0)
			p++;
		r->pos = p;
		return SCAN_OK;
	}
	for (;;) {
		unsigned char c;

		if (p == len) {
			r->pos = p;
			bad = 0;
			serr_set(se, &bad, "%s:%lu: record %lu is not closed (expected %s before the "
				 "end of the file)", r->name, start_line, r->index,
				 is_obj && depth == 1 ? "}" : "} or ]");
			return SCAN_FATAL;
		}
		c = b[p];
		switch (c) {
		case '{':
		case '[':
			depth++;
			if (depth == 3 && is_obj) {
				field_prefix(r, curkey, fp, sizeof fp);
				serr_set(se, &bad, "%s:%lu: %svalue nested inside a value (expected a "
					 "string, a whole number, true, false or null: records are flat)",
					 r->name, r->line, fp);
			}
			if (depth == 1 && is_obj)
				keypos = 1;
			p++;
			break;
		case '}':
		case ']':
			p++;
			if (--depth == 0) {
				r->pos = p;
				return bad ? SCAN_BAD : SCAN_OK;
			}
			break;
		case ',':
			if (depth == 1 && is_obj)
				keypos = 1;
			p++;
			break;
		case '"':
			if (depth == 1 && keypos) {
				keypos = 0;
				if (add_key(r, p, r->line) < 0) {
					*nomem = 1;
					return SCAN_FATAL;
				}
				curkey = r->nks - 1;
			}
			s = scan_string(r, &p, curkey, se, &bad);
			if (s == SCAN_FATAL) {
				r->pos = p;
				return s;
			}
			if (curkey != (size_t)-1 && r->ks[curkey].end == r->ks[curkey].off)
				r->ks[curkey].end = p;   /* the key just read */
			break;
		case '\n':
			r->line++;
			p++;
			break;
		default:
			if (c >= 0x80) {
				size_t n = wx_utf8_len(b + p, len - p);

				if (!n) {
					field_prefix(r, curkey, fp, sizeof fp);
					serr_set(se, &bad, "%s:%lu: %sinvalid UTF-8 at byte offset %zu "
						 "of the file (expected UTF-8 text)", r->name, r->line,
						 fp, p);
					n = 1;
				}
				p += n;
			} else {
				p++;
			}
			break;
		}
	}
}

/* ---- turning jansson's verdict into a record ---- */

/* The key whose text or value holds absolute offset off, or (size_t)-1. */
static size_t key_at(const struct wx_json_reader *r, size_t off)
{
	size_t k = (size_t)-1;

	for (size_t i = 0; i < r->nks && r->ks[i].off < off; i++)
		k = i;
	return k;
}

/* A message for jansson's error on the element [start, start+len). */
static void jansson_error(struct wx_json_reader *r, const json_error_t *je, size_t start,
			  unsigned long line, struct wx_err *err)
{
	unsigned long l = line + (je->line > 0 ? (unsigned long)je->line - 1 : 0);
	size_t k = key_at(r, start + (je->position > 0 ? (size_t)je->position : 0));
	char fp[LABEL_MAX * 4 + 16];

	field_prefix(r, k, fp, sizeof fp);
	switch (json_error_code(je)) {
	case json_error_duplicate_key:
		wx_err_set(err, WX_EDATA, "%s:%lu: %sthe same field twice in one record "
			   "(expected each field at most once)", r->name, l, fp);
		return;
	case json_error_numeric_overflow:
		wx_err_set(err, WX_EDATA, "%s:%lu: %snumber too big (expected a whole number from "
			   "-9223372036854775808 to 9223372036854775807, or the value in quotes)",
			   r->name, l, fp);
		return;
	case json_error_null_character:
		wx_err_set(err, WX_EDATA, "%s:%lu: %s\\u0000 in a string (expected text without "
			   "NUL characters)", r->name, l, fp);
		return;
	case json_error_null_byte_in_key:
		wx_err_set(err, WX_EDATA, "%s:%lu: %s\\u0000 in a field name (expected a name "
			   "without NUL characters)", r->name, l, fp);
		return;
	default:
		break;
	}
	if (strncmp(je->text, "invalid Unicode", 15) == 0) {
		/* jansson: "invalid Unicode '\uD800'": a lone or reversed
		 * surrogate; the escape text is in the message */
		const char *q = strchr(je->text, '\'');
		int n = 0;

		if (q)
			while (q[1 + n] && q[1 + n] != '\'' && n < 12)
				n++;
		wx_err_set(err, WX_EDATA, "%s:%lu: %slone surrogate %.*s (expected a surrogate pair "
			   "such as \\uD83D\\uDE00, or the character itself)", r->name, l, fp,
			   n, q ? q + 1 : "");
		return;
	}
	wx_err_set(err, WX_EDATA, "%s:%lu: %snot valid JSON: %s", r->name, l, fp, je->text);
}

static int grow_out(struct wx_json_reader *r, size_t n)
{
	const char **k, **v;
	size_t *l;
	unsigned long *fl;
	char *num;

	if (n > r->cap) {
		size_t cap = r->cap ? r->cap : 32;

		while (cap < n)
			cap *= 2;
		k = realloc(r->key, cap * sizeof *k);
		if (!k)
			return -1;
		r->key = k;
		v = realloc(r->value, cap * sizeof *v);
		if (!v)
			return -1;
		r->value = v;
		l = realloc(r->vlen, cap * sizeof *l);
		if (!l)
			return -1;
		r->vlen = l;
		fl = realloc(r->fline, cap * sizeof *fl);
		if (!fl)
			return -1;
		r->fline = fl;
		r->cap = cap;
	}
	if (n * 24 > r->numcap) {
		num = realloc(r->num, n * 24);
		if (!num)
			return -1;
		r->num = num;
		r->numcap = n * 24;
	}
	return 0;
}

/* Fill rec from r->obj, refusing what a flat record cannot hold. */
static int make_record(struct wx_json_reader *r, struct wx_json_record *rec, struct wx_err *err)
{
	size_t n = json_object_size(r->obj), i = 0, out = 0, numlen = 0;
	int keys_known = n == r->nks;   /* then key i of jansson is r->ks[i] */
	void *it;

	if (grow_out(r, n) < 0)
		return fail(r, err, WX_ENOMEM, "%s:%lu: out of memory reading a record",
			    r->name, rec->line);
	for (it = json_object_iter(r->obj); it; it = json_object_iter_next(r->obj, it), i++) {
		const char *k = json_object_iter_key(it);
		size_t klen = strlen(k);   /* no NUL: JSON_ALLOW_NUL is not used */
		json_t *v = json_object_iter_value(it);
		unsigned long line = keys_known ? r->ks[i].line : rec->line;
		char lab[LABEL_MAX * 4 + 8];
		const char *what = NULL;

		if (klen == 0)
			return wx_err_set(err, WX_EDATA, "%s:%lu: empty field name \"\" (expected a "
					  "name between the quotes)", r->name, line);
		switch (json_typeof(v)) {
		case JSON_STRING:
			if (json_string_length(v) > WX_JSON_VALUE_MAX) {
				label((const unsigned char *)k, klen, lab, sizeof lab);
				return wx_err_set(err, WX_EDATA, "%s:%lu: %s: value longer than %zu "
						  "bytes (expected at most %zu bytes)", r->name, line,
						  lab, WX_JSON_VALUE_MAX, WX_JSON_VALUE_MAX);
			}
			r->value[out] = json_string_value(v);
			r->vlen[out] = json_string_length(v);
			break;
		case JSON_INTEGER: {
			int w = snprintf(r->num + numlen, 24, "%" JSON_INTEGER_FORMAT,
					 json_integer_value(v));

			/* a pointer is made once every number is written */
			r->value[out] = NULL;
			r->vlen[out] = numlen;
			numlen += (size_t)w + 1;
			break;
		}
		case JSON_TRUE:
			r->value[out] = "yes";
			r->vlen[out] = 3;
			break;
		case JSON_FALSE:
			r->value[out] = "no";
			r->vlen[out] = 2;
			break;
		case JSON_NULL:
			continue;   /* absent */
		case JSON_REAL:
			what = "number with a fraction or an exponent (expected a whole number, "
			       "or the value in quotes as a string)";
			break;
		case JSON_OBJECT:
			what = "object inside a record (expected a string, a whole number, true, "
			       "false or null: records are flat)";
			break;
		case JSON_ARRAY:
			what = "array inside a record (expected a string, a whole number, true, "
			       "false or null: records are flat)";
			break;
		}
		if (what) {
			label((const unsigned char *)k, klen, lab, sizeof lab);
			return wx_err_set(err, WX_EDATA, "%s:%lu: %s: %s", r->name, line, lab, what);
		}
		r->key[out] = k;
		r->fline[out] = line;
		out++;
	}
	for (i = 0; i < out; i++) {
		if (!r->value[i]) {
			size_t off = r->vlen[i];

			r->value[i] = r->num + off;
			r->vlen[i] = strlen(r->num + off);
		}
	}
	rec->n = out;
	rec->key = r->key;
	rec->value = r->value;
	rec->len = r->vlen;
	rec->field_line = r->fline;
	return WX_OK;
}

static const char *json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	case JSON_NULL:
		return "null";
	case JSON_ARRAY:
		return "an array";
	default:
		return "an object";
	}
}

static size_t skip_json_ws(const unsigned char *b, size_t p, size_t end)
{
	while (p < end && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r'))
		p++;
	return p;
}

#define FAST_GIVE_UP ((size_t)-1)   /* decode_string: leave it to jansson */
#define FAST_LITERAL ((size_t)-1)   /* fast_record: true, false or null */

static int hex4(const unsigned char *b, size_t p, size_t end, unsigned long *v)
{
	unsigned long x = 0;

	if (end - p < 4)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		unsigned char c = b[p + i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned long)(c - 'A' + 10);
		else
			return 0;
	}
	*v = x;
	return 1;
}

/* Decode the string whose opening quote is at p into out (which has room:
 * a decoded string is never longer than its source); returns its length
 * with *endp just after the closing quote, or FAST_GIVE_UP for anything
 * jansson should judge (\u0000, a lone surrogate, a bad escape).  Raw
 * bytes were checked by the scan: strict UTF-8, no control characters. */
static size_t decode_string(const unsigned char *b, size_t p, size_t end, char *out,
			    size_t *endp)
{
	size_t o = 0;

	for (p++; p < end;) {
		unsigned char c = b[p];
		unsigned long cp, lo;

		if (c == '"') {
			*endp = p + 1;
			return o;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			p++;
			continue;
		}
		if (end - p < 2)
			return FAST_GIVE_UP;
		switch (b[p + 1]) {
		case '"':
		case '\\':
		case '/':
			out[o++] = (char)b[p + 1];
			p += 2;
			continue;
		case 'b': out[o++] = '\b'; p += 2; continue;
		case 'f': out[o++] = '\f'; p += 2; continue;
		case 'n': out[o++] = '\n'; p += 2; continue;
		case 'r': out[o++] = '\r'; p += 2; continue;
		case 't': out[o++] = '\t'; p += 2; continue;
		case 'u':
			break;
		default:
			return FAST_GIVE_UP;
		}
		if (!hex4(b, p + 2, end, &cp) || cp == 0)
			return FAST_GIVE_UP;
		p += 6;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return FAST_GIVE_UP;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - p < 6 || b[p] != '\\' || b[p + 1] != 'u' ||
			    !hex4(b, p + 2, end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
				return FAST_GIVE_UP;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xE0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | (cp >> 18));
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	return FAST_GIVE_UP;
}

/* The end of the integer at p (JSON grammar: -?(0|[1-9][0-9]*), within
 * int64), or 0 when there is none or it is a fraction, an exponent or too
 * big (left to jansson). */
static size_t plain_integer(const unsigned char *b, size_t p, size_t end)
{
	static const char max[] = "9223372036854775807";
	size_t s = p, digits;
	size_t neg = 0;

	if (p < end && b[p] == '-') {
		neg = 1;
		p++;
	}
	if (p == end || b[p] < '0' || b[p] > '9')
		return 0;
	if (b[p] == '0') {
		p++;
	} else {
		while (p < end && b[p] >= '0' && b[p] <= '9')
			p++;
	}
	if (p < end && ((b[p] >= '0' && b[p] <= '9') || b[p] == '.' || b[p] == 'e' || b[p] == 'E'))
		return 0;
	digits = p - s - neg;
	if (digits > 19)
		return 0;
	/* -9223372036854775808 is the one 19-digit value past max */
	if (digits == 19 && memcmp(b + s + neg, max, 19) > 0 &&
	    !(neg && memcmp(b + s + 1, "9223372036854775808", 19) == 0))
		return 0;
	return p;
}

/* Read the object element [start, r->pos) without jansson when it is
 * simple (see the top of this file).  Returns 1 with rec filled, 0 to hand
 * the element to jansson, -1 when out of memory. */
static int fast_record(struct wx_json_reader *r, size_t start, struct wx_json_record *rec)
{
	const unsigned char *b = r->buf;
	size_t end = r->pos, p = start + 1, n = 0, out = 0, used = 0;
	/* each key and value: offset and length in the arena; voff
	 * FAST_LITERAL marks a literal, with vlen 1 true, 0 false, 2 null */
	size_t koff[FAST_FIELDS], klen[FAST_FIELDS], voff[FAST_FIELDS], vlen[FAST_FIELDS];
	char *ar;

	if (r->nks > FAST_FIELDS)
		return 0;   /* the pairwise duplicate check would cost too much */
	if (grow_out(r, r->nks) < 0)
		return -1;
	if (end - start + 2 * r->nks + 1 > r->arenacap) {
		/* decoded keys and values are no longer than the element's
		 * text, plus a NUL each */
		size_t cap = (end - start + 2 * r->nks + 1) * 2;
		char *a = realloc(r->arena, cap);

		if (!a)
			return -1;
		r->arena = a;
		r->arenacap = cap;
	}
	ar = r->arena;

	p = skip_json_ws(b, p, end);
	if (p < end && b[p] == '}') {
		p++;
	} else {
		for (;;) {
			size_t e, len;

			if (p == end || b[p] != '"' || n == r->nks || r->ks[n].off != p)
				return 0;
			len = decode_string(b, p, end, ar + used, &e);
			if (len == FAST_GIVE_UP || len == 0)
				return 0;   /* for jansson, or an empty key */
			for (size_t i = 0; i < n; i++)
				if (klen[i] == len && memcmp(ar + koff[i], ar + used, len) == 0)
					return 0;   /* a duplicate */
			koff[n] = used;
			klen[n] = len;
			ar[used + len] = '\0';
			used += len + 1;
			p = skip_json_ws(b, e, end);
			if (p == end || b[p] != ':')
				return 0;
			p = skip_json_ws(b, p + 1, end);
			if (p == end)
				return 0;
			if (b[p] == '"') {
				len = decode_string(b, p, end, ar + used, &e);
				if (len == FAST_GIVE_UP || len > WX_JSON_VALUE_MAX)
					return 0;
				voff[n] = used;
				vlen[n] = len;
				ar[used + len] = '\0';
				used += len + 1;
			} else if (b[p] == '-' || (b[p] >= '0' && b[p] <= '9')) {
				e = plain_integer(b, p, end);
				if (!e)
					return 0;
				len = e - p;
				if (len == 2 && b[p] == '-' && b[p + 1] == '0') {
					p++;   /* -0 is 0, as jansson reads it */
					len = 1;
				}
				memcpy(ar + used, b + p, len);
				voff[n] = used;
				vlen[n] = len;
				ar[used + len] = '\0';
				used += len + 1;
			} else if (end - p >= 4 && memcmp(b + p, "true", 4) == 0) {
				e = p + 4;
				voff[n] = FAST_LITERAL;
				vlen[n] = 1;
			} else if (end - p >= 5 && memcmp(b + p, "false", 5) == 0) {
				e = p + 5;
				voff[n] = FAST_LITERAL;
				vlen[n] = 0;
			} else if (end - p >= 4 && memcmp(b + p, "null", 4) == 0) {
				e = p + 4;
				voff[n] = FAST_LITERAL;
				vlen[n] = 2;
			} else {
				return 0;
			}
			n++;
			p = skip_json_ws(b, e, end);
			if (p == end)
				return 0;
			if (b[p] == '}') {
				p++;
				break;
			}
			if (b[p] != ',')
				return 0;
			p = skip_json_ws(b, p + 1, end);
		}
	}
	if (p != end || n != r->nks)
		return 0;

	/* the arena no longer moves: make the pointers */
	for (size_t i = 0; i < n; i++) {
		if (voff[i] == FAST_LITERAL) {
			if (vlen[i] == 2)
				continue;   /* null: absent */
			r->value[out] = vlen[i] ? "yes" : "no";
			r->vlen[out] = vlen[i] ? 3 : 2;
		} else {
			r->value[out] = ar + voff[i];
			r->vlen[out] = vlen[i];
		}
		r->key[out] = ar + koff[i];
		r->fline[out] = r->ks[i].line;
		out++;
	}
	rec->n = out;
	rec->key = r->key;
	rec->value = r->value;
	rec->len = r->vlen;
	rec->field_line = r->fline;
	return 1;
}

static int read_element(struct wx_json_reader *r, struct wx_json_record *rec, struct wx_err *err)
{
	size_t start = r->pos;
	unsigned long line = r->line;
	struct scan_err se;
	int nomem = 0;
	enum scan s;
	json_error_t je;
	unsigned char first = r->buf[start];

	r->index++;
	rec->index = r->index;
	rec->line = line;
	if (first == '}' || first == ']' || first == ':' || first == ',') {
		char d[16];

		describe(first, d, sizeof d);
		return fail(r, err, WX_EDATA, "%s:%lu: unexpected %s (expected a record {...})",
			    r->name, line, d);
	}
	s = scan_element(r, &se, &nomem);
	if (nomem)
		return fail(r, err, WX_ENOMEM, "%s:%lu: out of memory reading a record",
			    r->name, line);
	if (s == SCAN_FATAL)
		return fail(r, err, WX_EDATA, "%s", se.msg);
	if (s == SCAN_BAD)
		return wx_err_set(err, WX_EDATA, "%s", se.msg);
	if (first == '[')
		return wx_err_set(err, WX_EDATA, "%s:%lu: record %lu is an array (expected an "
				  "object {...})", r->name, line, r->index);
	if (first != '{') {
		json_t *j;

		if (r->pos == start) {
			char d[16];

			describe(first, d, sizeof d);
			return fail(r, err, WX_EDATA, "%s:%lu: unexpected %s (expected a record {...})",
				    r->name, line, d);
		}
		j = json_loadb((const char *)r->buf + start, r->pos - start, JSON_DECODE_ANY, &je);
		if (!j) {
			jansson_error(r, &je, start, line, err);
			return WX_EDATA;
		}
		wx_err_set(err, WX_EDATA, "%s:%lu: record %lu is %s (expected an object {...})",
			   r->name, line, r->index, json_kind(j));
		json_decref(j);
		return WX_EDATA;
	}
	if (r->nks > WX_JSON_FIELDS_MAX)
		return wx_err_set(err, WX_EDATA, "%s:%lu: record %lu has more than %d fields "
				  "(expected at most %d)", r->name, line, r->index,
				  WX_JSON_FIELDS_MAX, WX_JSON_FIELDS_MAX);
	if (!r->no_fast) {
		int f = fast_record(r, start, rec);

		if (f < 0)
			return fail(r, err, WX_ENOMEM, "%s:%lu: out of memory reading a record",
				    r->name, line);
		if (f > 0)
			return WX_OK;
	}
	r->obj = json_loadb((const char *)r->buf + start, r->pos - start,
			    JSON_REJECT_DUPLICATES, &je);
	if (!r->obj) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return fail(r, err, WX_ENOMEM, "%s:%lu: out of memory reading a record",
				    r->name, line);
		jansson_error(r, &je, start, line, err);
		return WX_EDATA;
	}
	return make_record(r, rec, err);
}

int wx_json_read_record(struct wx_json_reader *r, struct wx_json_record *rec,
			struct wx_err *err)
{
	char d[16];

	memset(rec, 0, sizeof *rec);
	rec->line = r->line;
	if (r->obj) {
		json_decref(r->obj);
		r->obj = NULL;
	}
	switch (r->st) {
	case ST_DONE:
		return WX_ENOTFOUND;
	case ST_START:
		if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
			r->pos = 3;
		skip_ws(r);
		rec->line = r->line;
		if (r->pos == r->len)
			return fail(r, err, WX_EDATA, "%s:%lu: no records: the file is empty "
				    "(expected a JSON array of records: [ {...}, ... ])",
				    r->name, r->line);
		if (r->buf[r->pos] != '[') {
			describe(r->buf[r->pos], d, sizeof d);
			return fail(r, err, WX_EDATA, "%s:%lu: the file starts with %s (expected a "
				    "JSON array of records: [ {...}, ... ])", r->name, r->line, d);
		}
		r->pos++;
		skip_ws(r);
		rec->line = r->line;
		if (r->pos == r->len)
			return fail(r, err, WX_EDATA, "%s:%lu: the file ends inside the array "
				    "(expected a record or ])", r->name, r->line);
		if (r->buf[r->pos] == ']')
			goto close;
		break;
	case ST_NEXT:
		skip_ws(r);
		rec->line = r->line;
		if (r->pos == r->len)
			return fail(r, err, WX_EDATA, "%s:%lu: the file ends inside the array "
				    "(expected , or ] after record %lu)", r->name, r->line, r->index);
		if (r->buf[r->pos] == ']')
			goto close;
		if (r->buf[r->pos] != ',') {
			describe(r->buf[r->pos], d, sizeof d);
			return fail(r, err, WX_EDATA, "%s:%lu: unexpected %s after record %lu "
				    "(expected , or ]%s)", r->name, r->line, d, r->index,
				    r->buf[r->pos] == '{' ? "; is a comma missing?" : "");
		}
		r->pos++;
		skip_ws(r);
		rec->line = r->line;
		if (r->pos == r->len)
			return fail(r, err, WX_EDATA, "%s:%lu: the file ends after a comma "
				    "(expected a record, then ])", r->name, r->line);
		if (r->buf[r->pos] == ']')
			return fail(r, err, WX_EDATA, "%s:%lu: a comma before ] (expected another "
				    "record after the comma, or no comma)", r->name, r->line);
		break;
	}
	r->st = ST_NEXT;
	return read_element(r, rec, err);

close:
	r->pos++;
	r->st = ST_DONE;
	skip_ws(r);
	if (r->pos < r->len) {
		rec->line = r->line;
		describe(r->buf[r->pos], d, sizeof d);
		return wx_err_set(err, WX_EDATA, "%s:%lu: %s after the closing ] of the array "
				  "(expected nothing but white space)", r->name, r->line, d);
	}
	return WX_ENOTFOUND;
}

struct wx_json_reader *wx_json_reader_new(const void *buf, size_t len, const char *filename)
{
	struct wx_json_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->name = strdup(filename ? filename : "<input>");
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->buf = len ? buf : (const unsigned char *)"";
	r->len = len;
	r->line = 1;
	r->st = ST_START;
	for (int c = 0; c < 0x20; c++)
		r->strcls[c] = 1;
	for (int c = 0x80; c < 0x100; c++)
		r->strcls[c] = 1;
	r->strcls['"'] = r->strcls['\\'] = 1;
	return r;
}

struct wx_json_reader *wx_json_reader_open(FILE *f, const char *filename, struct wx_err *err)
{
	const char *name = filename ? filename : "<input>";
	unsigned char *buf = NULL, *nb;
	size_t len = 0, cap = 0, got;
	struct wx_json_reader *r;
	struct stat st;

	/* a regular file is read in one piece, not by doubling a buffer
	 * (which for 300 MB costs about as much as parsing it) */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < SIZE_MAX / 2) {
		cap = (size_t)st.st_size + 1;   /* + 1: the read that sees EOF */
		buf = malloc(cap);
		if (!buf) {
			wx_err_set(err, WX_ENOMEM, "%s: out of memory reading the file", name);
			return NULL;
		}
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : (size_t)1 << 16;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				wx_err_set(err, WX_ENOMEM, "%s: out of memory reading the file", name);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		wx_err_set(err, WX_EIO, "%s: cannot read: %s", name, strerror(e));
		return NULL;
	}
	r = wx_json_reader_new(buf, len, filename);
	if (!r) {
		free(buf);
		wx_err_set(err, WX_ENOMEM, "%s: out of memory reading the file", name);
		return NULL;
	}
	r->own = buf;
	return r;
}

void wx_json_reader_set_fast_path(struct wx_json_reader *r, int on)
{
	r->no_fast = !on;
}

void wx_json_reader_free(struct wx_json_reader *r)
{
	if (!r)
		return;
	json_decref(r->obj);
	free(r->own);
	free(r->name);
	free(r->ks);
	free(r->key);
	free(r->value);
	free(r->vlen);
	free(r->fline);
	free(r->num);
	free(r->arena);
	free(r);
}

/* ---- writing ---- */

void wx_json_writer_init(struct wx_json_writer *w, FILE *f, const char *filename)
{
	w->f = f;
	w->name = filename ? filename : "<output>";
	w->n = 0;
}

static int put(struct wx_json_writer *w, const void *p, size_t n, struct wx_err *err)
{
	if (n == 0 || fwrite(p, 1, n, w->f) == n)
		return WX_OK;
	return wx_err_set(err, WX_EIO, "%s: cannot write: %s", w->name,
			  strerror(errno ? errno : EIO));
}

int wx_json_write_begin(struct wx_json_writer *w, struct wx_err *err)
{
	w->n = 0;
	return put(w, "[", 1, err);
}

int wx_json_write_end(struct wx_json_writer *w, struct wx_err *err)
{
	int rc = put(w, "\n]\n", 3, err);

	if (rc == WX_OK && fflush(w->f) != 0)
		rc = wx_err_set(err, WX_EIO, "%s: cannot write: %s", w->name, strerror(errno));
	return rc;
}

/* Write s as a JSON string (s is valid UTF-8 without NUL). */
static int put_string(struct wx_json_writer *w, const unsigned char *s, size_t len,
		      struct wx_err *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;
	char esc[8];
	int rc;

	if ((rc = put(w, "\"", 1, err)) != WX_OK)
		return rc;
	while (i < len) {
		unsigned char c = s[i];
		size_t el = 0;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F && c != 0xC2 && c != 0xE2) {
			i++;
			continue;
		}
		/* C1 controls are C2 80..C2 9F; U+2028/2029 are E2 80 A8/A9 */
		if (c == 0xC2) {
			if (i + 1 < len && s[i + 1] <= 0x9F) {
				unsigned cp = s[i + 1] & 0x3F;

				cp |= 0x80;
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[cp >> 4];
				esc[5] = hex[cp & 15];
				el = 6;
			}
		} else if (c == 0xE2) {
			if (i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
				memcpy(esc, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
				el = 6;
			}
		} else {
			switch (c) {
			case '"': memcpy(esc, "\\\"", 2); el = 2; break;
			case '\\': memcpy(esc, "\\\\", 2); el = 2; break;
			case '\b': memcpy(esc, "\\b", 2); el = 2; break;
			case '\f': memcpy(esc, "\\f", 2); el = 2; break;
			case '\n': memcpy(esc, "\\n", 2); el = 2; break;
			case '\r': memcpy(esc, "\\r", 2); el = 2; break;
			case '\t': memcpy(esc, "\\t", 2); el = 2; break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				el = 6;
				break;
			}
		}
		if (el == 0) {   /* a C2 or E2 that starts an ordinary character */
			i++;
			continue;
		}
		if ((rc = put(w, s + run, i - run, err)) != WX_OK ||
		    (rc = put(w, esc, el, err)) != WX_OK)
			return rc;
		i += c == 0xE2 ? 3 : c == 0xC2 ? 2 : 1;
		run = i;
	}
	if ((rc = put(w, s + run, i - run, err)) != WX_OK)
		return rc;
	return put(w, "\"", 1, err);
}

int wx_json_write_record(struct wx_json_writer *w, size_t n, const char *const *key,
			 const char *const *value, const size_t *len, struct wx_err *err)
{
	char lab[LABEL_MAX * 4 + 8];
	int rc;

	/* refuse, before writing anything, what the reader would refuse */
	if (n > WX_JSON_FIELDS_MAX)
		return wx_err_set(err, WX_EDATA, "%s: record %lu has more than %d fields "
				  "(expected at most %d)", w->name, w->n + 1,
				  WX_JSON_FIELDS_MAX, WX_JSON_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *k = (const unsigned char *)key[i];
		const unsigned char *v = (const unsigned char *)value[i];
		size_t kl = strlen(key[i]), bad;

		if (kl == 0)
			return wx_err_set(err, WX_EDATA, "%s: record %lu: empty field name "
					  "(expected a name)", w->name, w->n + 1);
		label(k, kl, lab, sizeof lab);
		if ((bad = wx_utf8_valid_prefix(k, kl)) < kl)
			return wx_err_set(err, WX_EDATA, "%s: record %lu: field name %s: invalid "
					  "UTF-8 at byte %zu (expected UTF-8 text)", w->name,
					  w->n + 1, lab, bad);
		for (size_t j = 0; j < i; j++)
			if (strcmp(key[j], key[i]) == 0)
				return wx_err_set(err, WX_EDATA, "%s: record %lu: %s: the same "
						  "field twice (expected each field at most once)",
						  w->name, w->n + 1, lab);
		if (len[i] > WX_JSON_VALUE_MAX)
			return wx_err_set(err, WX_EDATA, "%s: record %lu: %s: value longer than "
					  "%zu bytes (expected at most %zu bytes)", w->name,
					  w->n + 1, lab, WX_JSON_VALUE_MAX, WX_JSON_VALUE_MAX);
		if (memchr(v, 0, len[i]))
			return wx_err_set(err, WX_EDATA, "%s: record %lu: %s: NUL byte in the value "
					  "(expected text)", w->name, w->n + 1, lab);
		if ((bad = wx_utf8_valid_prefix(v, len[i])) < len[i])
			return wx_err_set(err, WX_EDATA, "%s: record %lu: %s: invalid UTF-8 at "
					  "byte %zu of the value (expected UTF-8 text)", w->name,
					  w->n + 1, lab, bad);
	}
	if ((rc = put(w, w->n ? ",\n{" : "\n{", w->n ? 3 : 2, err)) != WX_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && (rc = put(w, ",", 1, err)) != WX_OK) ||
		    (rc = put_string(w, (const unsigned char *)key[i], strlen(key[i]), err)) != WX_OK ||
		    (rc = put(w, ":", 1, err)) != WX_OK ||
		    (rc = put_string(w, (const unsigned char *)value[i], len[i], err)) != WX_OK)
			return rc;
	}
	if ((rc = put(w, "}", 1, err)) != WX_OK)
		return rc;
	w->n++;
	return WX_OK;
}
