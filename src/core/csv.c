/* csv.c: RFC 4180 CSV reader and writer (see csv.h for the rules).
 *
 * The reader works on a large buffer filled by fread (or on the caller's
 * bytes).  Each field is parsed by an inner loop that skips ordinary bytes
 * through a 256-entry class table and copies whole runs with memcpy; only
 * the few special bytes (comma, quote, CR, LF, NUL and non-ASCII) leave that
 * loop.  Multi-byte lookahead (a UTF-8 sequence, CR LF, "") goes through
 * ensure(), which moves the unread tail to the front of the buffer and
 * reads more, so a sequence split across two reads is seen whole.
 *
 * A row's fields are copied into one reused byte buffer, each followed by a
 * NUL; the field pointers are made only when the row is complete, because
 * the buffer may move while it grows. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/csv.h"
#include "wexmatch/utf8.h"

#define DEFAULT_BUFSIZE ((size_t)256 * 1024)

/* byte classes: 0 ordinary, 1 special */
struct classes {
	unsigned char unquoted[256];   /* , " CR LF NUL and >= 0x80 */
	unsigned char quoted[256];     /* " LF NUL and >= 0x80 */
};

struct wx_csv_reader {
	FILE *f;                /* NULL for a memory reader */
	char *name;
	const unsigned char *buf;
	unsigned char *own;     /* buf when it is ours (FILE reader) */
	size_t cap;             /* size of own */
	size_t pos, end;        /* next byte, end of the bytes in buf */
	uint64_t base;          /* offset in the file of buf[0] */
	unsigned long line;     /* line of buf[pos] */
	int eof;                /* nothing more to read into buf */
	int ioerr;              /* errno of a failed read, 0 if none */
	int done;               /* nothing more to return */
	int started;            /* the byte-order mark has been looked for */
	struct classes cls;

	/* the row being read */
	char *data;
	size_t dlen, dcap;
	size_t *start, *len;
	char **field;
	size_t nf, fcap;
	unsigned long row_line;
	unsigned long qline;    /* line where the current quoted field opened */
	int failed;             /* the row is bad: stop storing, find its end */
	int nomem;
	struct wx_err rerr;     /* the first error of the row */
};

/* Which "field N" a message names: the one being read. */
static size_t field_no(const struct wx_csv_reader *r)
{
	return r->nf + 1;
}

static void row_error(struct wx_csv_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void row_error(struct wx_csv_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = 1;
	r->rerr.code = WX_EDATA;
	va_start(ap, fmt);
	vsnprintf(r->rerr.msg, sizeof r->rerr.msg, fmt, ap);
	va_end(ap);
}

/* Read more bytes after the unread ones.  Returns 1 when bytes were added,
 * 0 at the end of the input or on a read error (r->ioerr then set: the
 * parse ends as at EOF and the caller reports the error). */
static int refill(struct wx_csv_reader *r)
{
	size_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->own, r->own + r->pos, r->end - r->pos);
		r->base += r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	n = fread(r->own + r->end, 1, r->cap - r->end, r->f);
	if (n == 0) {
		if (ferror(r->f))
			r->ioerr = errno ? errno : EIO;
		r->eof = 1;
		return 0;
	}
	r->end += n;
	return 1;
}

/* Make at least n (<= 4) bytes available at pos if the input has them;
 * returns 1 if so. */
static int ensure(struct wx_csv_reader *r, size_t n)
{
	while (r->end - r->pos < n)
		if (!refill(r))
			return 0;
	return 1;
}


static int grow_data(struct wx_csv_reader *r, size_t need)
{
	size_t cap = r->dcap ? r->dcap : 4096;
	char *p;

	while (cap < need)
		cap *= 2;
	p = realloc(r->data, cap);
	if (!p) {
		r->nomem = 1;
		r->failed = 1;
		return -1;
	}
	r->data = p;
	r->dcap = cap;
	return 0;
}

/* Add n bytes to the current field, within the limits. */
static void append(struct wx_csv_reader *r, const void *p, size_t n)
{
	size_t flen;

	if (r->failed)
		return;
	flen = r->dlen - r->start[r->nf];
	if (flen + n > WX_CSV_FIELD_MAX) {
		row_error(r, "%s:%lu: field %zu is longer than %zu bytes (expected at most %zu bytes in a field)",
			  r->name, r->line, field_no(r), WX_CSV_FIELD_MAX, WX_CSV_FIELD_MAX);
		return;
	}
	if (r->dlen + n + 1 > WX_CSV_ROW_MAX) {
		row_error(r, "%s:%lu: row is longer than %zu bytes (expected at most %zu bytes in a row)",
			  r->name, r->line, WX_CSV_ROW_MAX, WX_CSV_ROW_MAX);
		return;
	}
	if (r->dlen + n + 1 > r->dcap && grow_data(r, r->dlen + n + 1) < 0)
		return;
	memcpy(r->data + r->dlen, p, n);
	r->dlen += n;
}

static void begin_field(struct wx_csv_reader *r)
{
	if (r->failed)
		return;
	if (r->nf == WX_CSV_FIELDS_MAX) {
		row_error(r, "%s:%lu: row has more than %d fields (expected at most %d fields in a row)",
			  r->name, r->line, WX_CSV_FIELDS_MAX, WX_CSV_FIELDS_MAX);
		return;
	}
	if (r->nf == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 32;
		size_t *s = realloc(r->start, cap * sizeof *s);
		size_t *l;
		char **f;

		if (s)
			r->start = s;
		l = s ? realloc(r->len, cap * sizeof *l) : NULL;
		if (l)
			r->len = l;
		f = l ? realloc(r->field, cap * sizeof *f) : NULL;
		if (!f) {
			r->nomem = 1;
			r->failed = 1;
			return;
		}
		r->field = f;
		r->fcap = cap;
	}
	r->start[r->nf] = r->dlen;
}

static void end_field(struct wx_csv_reader *r)
{
	if (r->failed)
		return;
	/* append() always leaves room for this NUL; an empty field may not
	 * have called it */
	if (r->dlen + 1 > r->dcap && grow_data(r, r->dlen + 1) < 0)
		return;
	r->len[r->nf] = r->dlen - r->start[r->nf];
	r->data[r->dlen++] = '\0';
	r->nf++;
}

/* The non-ASCII byte at pos: keep a valid sequence, else report it. */
static void take_utf8(struct wx_csv_reader *r)
{
	size_t n;

	(void)ensure(r, 4);
	n = wx_utf8_len(r->buf + r->pos, r->end - r->pos);
	if (n) {
		append(r, r->buf + r->pos, n);
		r->pos += n;
		return;
	}
	row_error(r, "%s:%lu: field %zu: invalid UTF-8 at byte offset %" PRIu64
		  " of the file (expected UTF-8 text; from a spreadsheet, save as \"CSV UTF-8\")",
		  r->name, r->line, field_no(r), r->base + r->pos);
	r->pos++;
}

static void take_nul(struct wx_csv_reader *r)
{
	row_error(r, "%s:%lu: field %zu: NUL byte at byte offset %" PRIu64
		  " of the file (expected text)",
		  r->name, r->line, field_no(r), r->base + r->pos);
	r->pos++;
}

enum term { T_COMMA, T_EOL, T_EOF };

/* Read an unquoted field, or (after_quote) what follows the closing quote
 * of a quoted field, up to its terminator. */
static enum term unquoted(struct wx_csv_reader *r, int after_quote)
{
	const unsigned char *cls = r->cls.unquoted;

	for (;;) {
		const unsigned char *p, *q, *e;

		if (r->pos == r->end && !refill(r))
			return T_EOF;
		p = r->buf + r->pos;
		e = r->buf + r->end;
		q = p;
		while (q < e && !cls[*q])
			q++;
		if (q > p) {
			if (after_quote)
				goto after_quote_text;
			append(r, p, (size_t)(q - p));
			r->pos += (size_t)(q - p);
			if (q == e)
				continue;
		}
		switch (*q) {
		case ',':
			r->pos++;
			return T_COMMA;
		case '\n':
			r->pos++;
			r->line++;
			return T_EOL;
		case '\r':
			if (!ensure(r, 2)) {
				/* CR at the very end: a cut-off CRLF */
				r->pos++;
				return T_EOL;
			}
			if (r->buf[r->pos + 1] == '\n') {
				r->pos += 2;
				r->line++;
				return T_EOL;
			}
			row_error(r, "%s:%lu: field %zu: carriage return not followed by a line feed "
				  "(expected CRLF or LF line ends, or the field in double quotes)",
				  r->name, r->line, field_no(r));
			r->pos++;
			continue;
		case '"':
			if (after_quote)
				goto after_quote_text;
			row_error(r, "%s:%lu: field %zu: \" inside an unquoted field (expected the "
				  "whole field in double quotes, with each \" in it doubled)",
				  r->name, r->line, field_no(r));
			r->pos++;
			continue;
		case '\0':
			take_nul(r);
			continue;
		default:
			if (after_quote)
				goto after_quote_text;
			take_utf8(r);
			continue;
		}
after_quote_text:
		if (r->qline != r->line)
			row_error(r, "%s:%lu: field %zu: text after the closing quote of a quoted field "
				  "(expected a comma or the end of the line after the closing \"; "
				  "the field opened on line %lu)",
				  r->name, r->line, field_no(r), r->qline);
		else
			row_error(r, "%s:%lu: field %zu: text after the closing quote of a quoted field "
				  "(expected a comma or the end of the line after the closing \")",
				  r->name, r->line, field_no(r));
		/* the rest of the field is read as unquoted text, to find its end */
		after_quote = 0;
	}
}

/* Read a quoted field; pos is just after the opening quote. */
static enum term quoted(struct wx_csv_reader *r)
{
	const unsigned char *cls = r->cls.quoted;

	for (;;) {
		const unsigned char *p, *q, *e;

		if (r->pos == r->end && !refill(r)) {
			/* Replace any earlier error of the row: a quote left open
			 * swallows the rest of the file, and whatever went wrong
			 * in it (a field too long, say) follows from that. */
			r->failed = 0;
			row_error(r, "%s:%lu: field %zu: quoted field opened on this line is never "
				  "closed (expected a closing \" before the end of the file)",
				  r->name, r->qline, field_no(r));
			return T_EOF;
		}
		p = r->buf + r->pos;
		e = r->buf + r->end;
		q = p;
		while (q < e && !cls[*q])
			q++;
		if (q > p) {
			append(r, p, (size_t)(q - p));
			r->pos += (size_t)(q - p);
			if (q == e)
				continue;
		}
		switch (*q) {
		case '"':
			if (ensure(r, 2) && r->buf[r->pos + 1] == '"') {
				append(r, "\"", 1);
				r->pos += 2;
				continue;
			}
			r->pos++;
			return unquoted(r, 1);
		case '\n':
			append(r, "\n", 1);
			r->pos++;
			r->line++;
			continue;
		case '\0':
			take_nul(r);
			continue;
		default:
			take_utf8(r);
			continue;
		}
	}
}

static int finish_row(struct wx_csv_reader *r, struct wx_csv_row *row, struct wx_err *err)
{
	row->line = r->row_line;
	row->n = 0;
	if (r->nomem) {
		r->done = 1;
		return wx_err_set(err, WX_ENOMEM, "%s:%lu: out of memory reading a row",
				  r->name, r->row_line);
	}
	if (r->ioerr) {
		r->done = 1;
		return wx_err_set(err, WX_EIO, "%s: cannot read: %s", r->name, strerror(r->ioerr));
	}
	if (r->failed)
		return wx_err_set(err, WX_EDATA, "%s", r->rerr.msg);
	for (size_t i = 0; i < r->nf; i++)
		r->field[i] = r->data + r->start[i];
	row->n = r->nf;
	row->field = r->field;
	row->len = r->len;
	return WX_OK;
}

int wx_csv_read_row(struct wx_csv_reader *r, struct wx_csv_row *row, struct wx_err *err)
{
	row->n = 0;
	row->line = r->line;
	if (r->done)
		return WX_ENOTFOUND;
	if (!r->started) {
		r->started = 1;
		if (ensure(r, 3) && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
			r->pos += 3;
	}

	/* blank lines are not rows */
	for (;;) {
		if (r->pos == r->end && !refill(r)) {
			r->done = 1;
			if (r->ioerr)
				return wx_err_set(err, WX_EIO, "%s: cannot read: %s", r->name,
						  strerror(r->ioerr));
			return WX_ENOTFOUND;
		}
		if (r->buf[r->pos] == '\n') {
			r->pos++;
			r->line++;
			continue;
		}
		if (r->buf[r->pos] == '\r') {
			if (!ensure(r, 2)) {
				r->pos++;
				continue;
			}
			if (r->buf[r->pos + 1] == '\n') {
				r->pos += 2;
				r->line++;
				continue;
			}
		}
		break;
	}

	r->nf = 0;
	r->dlen = 0;
	r->failed = 0;
	r->row_line = r->line;
	for (;;) {
		enum term t;

		begin_field(r);
		if (r->pos == r->end && !refill(r)) {
			/* the input ends just after a comma: an empty last field */
			end_field(r);
			return finish_row(r, row, err);
		}
		if (r->buf[r->pos] == '"') {
			r->qline = r->line;
			r->pos++;
			t = quoted(r);
		} else {
			t = unquoted(r, 0);
		}
		end_field(r);
		if (t != T_COMMA)
			return finish_row(r, row, err);
	}
}

static struct wx_csv_reader *reader_alloc(const char *filename)
{
	struct wx_csv_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->name = strdup(filename ? filename : "<input>");
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->line = 1;
	for (int c = 0x80; c < 0x100; c++) {
		r->cls.unquoted[c] = 1;
		r->cls.quoted[c] = 1;
	}
	r->cls.unquoted[','] = r->cls.unquoted['"'] = r->cls.unquoted['\r'] = 1;
	r->cls.unquoted['\n'] = r->cls.unquoted[0] = 1;
	r->cls.quoted['"'] = r->cls.quoted['\n'] = r->cls.quoted[0] = 1;
	return r;
}

struct wx_csv_reader *wx_csv_reader_new_bufsize(FILE *f, const char *filename,
						size_t bufsize)
{
	struct wx_csv_reader *r = reader_alloc(filename);

	if (!r)
		return NULL;
	if (bufsize < 4)
		bufsize = 4;   /* ensure() needs room for a whole UTF-8 sequence */
	r->own = malloc(bufsize);
	if (!r->own) {
		wx_csv_reader_free(r);
		return NULL;
	}
	r->f = f;
	r->buf = r->own;
	r->cap = bufsize;
	return r;
}

struct wx_csv_reader *wx_csv_reader_new(FILE *f, const char *filename)
{
	return wx_csv_reader_new_bufsize(f, filename, DEFAULT_BUFSIZE);
}

struct wx_csv_reader *wx_csv_reader_new_mem(const void *buf, size_t len,
					    const char *filename)
{
	struct wx_csv_reader *r = reader_alloc(filename);

	if (!r)
		return NULL;
	r->buf = len ? buf : (const unsigned char *)"";
	r->end = len;
	r->eof = 1;
	return r;
}

void wx_csv_reader_free(struct wx_csv_reader *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->own);
	free(r->data);
	free(r->start);
	free(r->len);
	free(r->field);
	free(r);
}

/* ---- writing ---- */

static int is_formula_char(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int wx_csv_is_formula(const char *value, size_t len)
{
	size_t i = 0;

	while (i < len && value[i] == '\'')
		i++;
	return i < len && is_formula_char((unsigned char)value[i]);
}

int wx_csv_unneutralise(char *value, size_t *len)
{
	if (*len < 2 || value[0] != '\'' || !wx_csv_is_formula(value, *len))
		return 0;
	memmove(value, value + 1, *len - 1);
	(*len)--;
	value[*len] = '\0';
	return 1;
}

static int needs_quotes(const char *v, size_t len, size_t nfields)
{
	if (len == 0)
		return nfields == 1;
	if (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' || v[len - 1] == '\t')
		return 1;
	if (len >= 3 && memcmp(v, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			return 1;
	}
	return 0;
}

static int put(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1;
}

int wx_csv_write_row(FILE *f, size_t n, const char *const *field, const size_t *len,
		     const unsigned char *is_text)
{
	if (n == 0)
		return WX_EUSAGE;
	for (size_t i = 0; i < n; i++) {
		const char *v = field[i];
		size_t vl = len[i];
		int q = needs_quotes(v, vl, n);
		int apos = (!is_text || is_text[i]) && wx_csv_is_formula(v, vl);

		if (i > 0 && put(f, ",", 1) < 0)
			return WX_EIO;
		if (q && put(f, "\"", 1) < 0)
			return WX_EIO;
		if (apos && put(f, "'", 1) < 0)
			return WX_EIO;
		if (q) {
			/* double each quote: write up to and including it, then
			 * start the next run at that same quote */
			const char *s = v, *endv = v + vl, *qq;

			while ((qq = memchr(s, '"', (size_t)(endv - s))) != NULL) {
				if (put(f, s, (size_t)(qq - s) + 1) < 0)
					return WX_EIO;
				s = qq;
				if (put(f, "\"", 1) < 0)
					return WX_EIO;
				s++;
			}
			if (put(f, s, (size_t)(endv - s)) < 0 || put(f, "\"", 1) < 0)
				return WX_EIO;
		} else if (put(f, v, vl) < 0) {
			return WX_EIO;
		}
	}
	return put(f, "\r\n", 2) < 0 ? WX_EIO : WX_OK;
}

int wx_csv_write_bom(FILE *f)
{
	return put(f, "\xEF\xBB\xBF", 3) < 0 ? WX_EIO : WX_OK;
}
