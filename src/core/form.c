/* form.c: form definition files (wexmatch-forms(5)) and the value checks
 * they drive.
 *
 * Reading a form is strict by design: a trust edits these files by hand,
 * and a misspelt key or a default that fails its own field must stop the
 * program with the file, line and column rather than be guessed around.
 * The reader works on the whole file in memory, one physical line at a
 * time: each line's encoding is checked as it is read, continued key lines
 * are joined into one logical line, and every logical line keeps a map
 * from its bytes back to the physical line and column they came from, so
 * an error found later (a bad default, a pattern that does not compile)
 * still points at the right character.  A section is checked as a whole
 * when it ends, so rules involving several keys do not depend on the order
 * the keys were written in.
 *
 * Checking a value (wx_field_check) runs on every keystroke of the
 * data-entry screen and on every cell of an import, so it makes one
 * allocation, the result, and formats a message only on failure. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wexmatch/escape.h"
#include "wexmatch/form.h"
#include "wexmatch/utf8.h"
#include "wexmatch/values.h"

#define FILE_MAX (1024 * 1024)   /* bytes of a form or list file */
#define LINE_MAX_BYTES 65536     /* bytes of a line after joining continuations */
#define FIELDS_MAX 1000
#define ENTRIES_MAX 10000        /* entries of a list file */
#define CHOICES_MAX 1000
#define SHORT_TEXT_MAX 200       /* labels, choices, headings, pattern_help */
#define HELP_MAX 4000
#define PATTERN_MAX 4000         /* characters */
#define LENGTH_MAX 100000        /* min_length, max_length */
#define ITEMS_MAX 10000          /* min_items, max_items */
#define WIDTH_MAX 200
#define LINES_MAX 50
#define QUOTE_MAX 100            /* characters of a value quoted in a message */
#define ENUM_MAX 200             /* bytes of choices listed in a message */

const char *wx_ftype_name(enum wx_ftype t)
{
	static const char *const names[] = {
		"text", "integer", "date", "datetime", "week", "yesno", "choice", "list"
	};

	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* ---- UTF-8 ---- */


/* The embedding, override and isolate controls that wexmatch-forms(5)
 * refuses.  Narrower than wx_is_bidi_control, which escapes for display:
 * the marks (LRM, RLM, ALM) are ordinary in right-to-left names. */
static int is_bidi(unsigned long cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static int is_control(unsigned long cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
}

/* Characters (code points) in n bytes of valid UTF-8. */
static size_t nchars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int eq_fold(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* [a-z][a-z0-9_]{0,63}: field names, list names and list codes. */
static int is_name(const char *s, size_t n)
{
	if (n < 1 || n > 64 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Escape at most QUOTE_MAX characters of s for a message; a longer value is
 * cut with "..." so that the rest of the message survives. */
static char *quote(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	char *e, *r;

	while (i < n && c < QUOTE_MAX) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	e = wx_escape(s, i);
	if (!e || i == n)
		return e;
	r = malloc(strlen(e) + 4);
	if (r)
		sprintf(r, "%s...", e);
	free(e);
	return r;
}

#define Q(q) ((q) ? (q) : "(out of memory)")

/* ---- hashing, for duplicate choices, codes and list items ---- */

static uint32_t hash_bytes(const char *s, size_t n, int fold)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)(fold ? lower(s[i]) : s[i])) * 16777619u;
	return h;
}

/* A set of strings, compared exactly or ignoring ASCII case, holding their
 * indices in arrays of the caller's. */
struct hset {
	size_t cap;      /* a power of two */
	size_t *slot;    /* index + 1, 0 for empty */
	int fold;
};

static int hset_init(struct hset *h, size_t n, int fold)
{
	h->fold = fold;
	h->cap = 16;
	while (h->cap < 2 * n)
		h->cap *= 2;
	h->slot = calloc(h->cap, sizeof *h->slot);
	return h->slot ? 0 : -1;
}

/* Look s up; when absent, insert idx.  Returns the index already present,
 * or (size_t)-1 when s was new.  strs/lens give the strings by index. */
static size_t hset_add(struct hset *h, const char *const *strs, const size_t *lens, size_t idx)
{
	size_t i = hash_bytes(strs[idx], lens[idx], h->fold) & (h->cap - 1);

	while (h->slot[i]) {
		size_t o = h->slot[i] - 1;

		if (lens[o] == lens[idx] &&
		    (h->fold ? eq_fold(strs[o], strs[idx], lens[o]) :
		     memcmp(strs[o], strs[idx], lens[o]) == 0))
			return o;
		i = (i + 1) & (h->cap - 1);
	}
	h->slot[i] = idx + 1;
	return (size_t)-1;
}

/* ---- files ---- */

/* "FILE: reason", without a position (wexmatch-forms(5), ERRORS). */
static int io_err(struct wx_err *err, const char *path, int e)
{
	return wx_err_set(err, WX_EIO, "%s: %s", path, strerror(e));
}

static int read_file(const char *path, char **out, size_t *outlen, struct wx_err *err)
{
	struct stat st;
	size_t len = 0, cap;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return io_err(err, path, errno);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return io_err(err, path, EISDIR);
	}
	/* one byte more than the limit tells a file that is too large */
	cap = FILE_MAX + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			return io_err(err, path, e);
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*out = buf;
	*outlen = len;
	return WX_OK;
}

/* dir joined with name, without doubling a slash. */
static char *join_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl > 0 && dir[dl - 1] != '/';
	char *p = malloc(dl + (size_t)slash + nl + 1);

	if (p) {
		memcpy(p, dir, dl);
		if (slash)
			p[dl] = '/';
		memcpy(p + dl + (size_t)slash, name, nl + 1);
	}
	return p;
}

/* ---- reading lines ---- */

/* A piece of a logical line: the bytes from loff on came from physical line
 * `line` starting at byte poff of it; when a piece is followed by another,
 * bs is the offset of the backslash that ended it (the joining space is
 * reported there). */
struct seg {
	size_t loff;
	unsigned line;
	const char *phys;   /* start of the physical line (after a BOM) */
	size_t poff;
	size_t bs;
};

struct reader {
	const char *path;
	const char *p, *end;   /* what is left of the file */
	unsigned lineno;       /* the physical line read last */
	struct wx_err *err;
	/* the current logical line */
	char *ll;
	size_t lllen, llcap;
	struct seg *segs;
	size_t nseg, segcap;
};

static int rd_err(struct reader *R, unsigned line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int rd_err(struct reader *R, unsigned line, size_t col, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return wx_err_set(R->err, WX_EDATA, "%s:%u:%zu: %s", R->path, line, col, msg);
}

static int rd_nomem(struct reader *R)
{
	return wx_err_set(R->err, WX_ENOMEM, "out of memory");
}

static void rd_init(struct reader *R, const char *path, const char *buf, size_t len,
		    struct wx_err *err)
{
	memset(R, 0, sizeof *R);
	R->path = path;
	R->p = buf;
	R->end = buf + len;
	R->err = err;
	/* a byte order mark is ignored, and not counted in columns */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		R->p += 3;
}

static void rd_free(struct reader *R)
{
	free(R->ll);
	free(R->segs);
}

/* Refuse invalid UTF-8, NUL, control characters but tab, and bidi
 * embeddings, overrides and isolates, at the column where they are. */
static int check_encoding(struct reader *R, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, col = 1;

	while (i < n) {
		unsigned long cp;
		size_t k;

		if ((u[i] >= 0x20 && u[i] < 0x7F) || u[i] == '\t') {
			i++;
			col++;
			continue;
		}
		k = wx_utf8_decode(u + i, n - i, &cp);
		if (k == 0)
			return rd_err(R, R->lineno, col, "invalid UTF-8 (byte 0x%02X)", u[i]);
		if (is_control(cp) || is_bidi(cp))
			return rd_err(R, R->lineno, col, "forbidden character U+%04lX", cp);
		i += k;
		col++;
	}
	return WX_OK;
}

/* The next physical line, without its line feed and a carriage return just
 * before it, its encoding checked.  Returns 1, 0 at the end of the file, or
 * -1 on an error. */
static int next_line(struct reader *R, const char **s, size_t *n)
{
	const char *p = R->p, *e;
	size_t len;

	if (p >= R->end)
		return 0;
	e = memchr(p, '\n', (size_t)(R->end - p));
	if (e) {
		R->p = e + 1;
		len = (size_t)(e - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
	} else {
		R->p = R->end;
		len = (size_t)(R->end - p);
	}
	R->lineno++;
	*s = p;
	*n = len;
	return check_encoding(R, p, len) == WX_OK ? 1 : -1;
}

/* Column (from 1) of byte off of the physical line at phys. */
static size_t col_of(const char *phys, size_t off)
{
	return nchars(phys, off) + 1;
}

/* Position of byte off of a value whose pieces are segs (loff relative to
 * the value).  off == the value's length gives the column just after it. */
static void seg_pos(const struct seg *s, size_t n, size_t off, size_t vlen, unsigned *line,
		    size_t *col)
{
	size_t j = 0, past = 0;

	if (off >= vlen && vlen > 0) {
		off = vlen - 1;
		past = 1;
	}
	while (j + 1 < n && s[j + 1].loff <= off)
		j++;
	*line = s[j].line;
	if (j + 1 < n && off + 1 == s[j + 1].loff)
		*col = col_of(s[j].phys, s[j].bs);
	else
		*col = col_of(s[j].phys, s[j].poff + (off - s[j].loff));
	*col += past;
}

static int ll_add(struct reader *R, const char *s, size_t n)
{
	if (R->lllen + n + 1 > R->llcap) {
		size_t cap = R->llcap ? R->llcap : 256;
		char *p;

		while (cap < R->lllen + n + 1)
			cap *= 2;
		p = realloc(R->ll, cap);
		if (!p)
			return -1;
		R->ll = p;
		R->llcap = cap;
	}
	memcpy(R->ll + R->lllen, s, n);
	R->lllen += n;
	R->ll[R->lllen] = '\0';
	return 0;
}

static int seg_add(struct reader *R, const char *phys, size_t poff)
{
	struct seg *g;

	if (R->nseg == R->segcap) {
		size_t cap = R->segcap ? R->segcap * 2 : 8;
		struct seg *p = realloc(R->segs, cap * sizeof *p);

		if (!p)
			return -1;
		R->segs = p;
		R->segcap = cap;
	}
	g = &R->segs[R->nseg++];
	g->loff = R->lllen;
	g->line = R->lineno;
	g->phys = phys;
	g->poff = poff;
	g->bs = 0;
	return 0;
}

/* Column of the first character that is not a space or tab. */
static size_t first_col(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_blank(s[i]))
		i++;
	return col_of(s, i);
}

/* Build the logical line of a key line that starts with the physical line
 * s: while it ends in a backslash, drop the backslash and the blanks before
 * it, and join the next line, without its leading blanks, with one space. */
static int read_key_line(struct reader *R, const char *s, size_t n)
{
	unsigned first = R->lineno;
	size_t fcol = first_col(s, n);

	R->lllen = 0;
	R->nseg = 0;
	if (seg_add(R, s, 0) < 0)
		return rd_nomem(R);
	for (;;) {
		size_t end = n, bs;
		const char *ns;
		size_t nn, skip = 0;
		int r;

		while (end && is_blank(s[end - 1]))
			end--;
		if (end == 0 || s[end - 1] != '\\') {
			if (R->lllen + n > LINE_MAX_BYTES)
				return rd_err(R, first, fcol, "line longer than %d bytes", LINE_MAX_BYTES);
			if (ll_add(R, s, n) < 0)
				return rd_nomem(R);
			return WX_OK;
		}
		bs = end - 1;
		end = bs;
		while (end && is_blank(s[end - 1]))
			end--;
		if (R->lllen + end + 1 > LINE_MAX_BYTES)
			return rd_err(R, first, fcol, "line longer than %d bytes", LINE_MAX_BYTES);
		if (ll_add(R, s, end) < 0 || ll_add(R, " ", 1) < 0)
			return rd_nomem(R);
		/* the piece's bs is relative to its physical line, like poff */
		R->segs[R->nseg - 1].bs = R->segs[R->nseg - 1].poff + bs;
		r = next_line(R, &ns, &nn);
		if (r < 0)
			return R->err->code;
		if (r == 0) {
			const struct seg *g = &R->segs[R->nseg - 1];

			return rd_err(R, g->line, col_of(g->phys, g->bs),
				      "backslash at the end of the last line (nothing to continue)");
		}
		while (skip < nn && is_blank(ns[skip]))
			skip++;
		if (seg_add(R, ns, skip) < 0)
			return rd_nomem(R);
		s = ns + skip;
		n = nn - skip;
	}
}

/* ---- the sections of a form ---- */

enum key {
	K_KIND, K_LABEL, K_HELP,
	K_TYPE, K_ITEM, K_CHOICES, K_CHOICES_FROM, K_REQUIRED, K_MIN_LENGTH, K_MAX_LENGTH,
	K_MIN, K_MAX, K_MIN_ITEMS, K_MAX_ITEMS, K_PATTERN, K_PATTERN_HELP, K_DEFAULT,
	K_SECTION, K_WIDTH, K_LINES, K_LIST_COLUMN, K_LIST_WIDTH, K_SPECIAL,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"kind", "label", "help",
	"type", "item", "choices", "choices_from", "required", "min_length", "max_length",
	"min", "max", "min_items", "max_items", "pattern", "pattern_help", "default",
	"section", "width", "lines", "list_column", "list_width", "special"
};

/* One key of the current section. */
struct kv {
	unsigned order;        /* 1 + order of appearance; 0: not given */
	unsigned kline;        /* position of the key */
	size_t kcol;
	char *v;               /* the value; NULL when empty (as if not given) */
	size_t n;
	struct seg *segs;      /* where the value's bytes came from */
	size_t nseg;
	int64_t num;           /* numbers and yes/no, parsed when read */
};

enum sect_kind { S_NONE, S_FORM, S_FIELD };

struct parser {
	struct reader R;
	struct wx_form *form;
	enum wx_kind expect;
	struct wx_forms *forms;
	unsigned form_line;      /* line of [form], 0 before it */
	size_t fcap;
	/* the current section */
	enum sect_kind sk;
	unsigned sline;          /* its header's line */
	char *fname;             /* its field's name */
	unsigned nkeys;
	struct kv kv[K_COUNT];
	struct wx_choices *choices;   /* inline choices, parsed when read */
	enum wx_ftype type, item;
};

static void kv_reset(struct parser *P)
{
	for (int k = 0; k < K_COUNT; k++) {
		free(P->kv[k].v);
		free(P->kv[k].segs);
	}
	memset(P->kv, 0, sizeof P->kv);
	P->nkeys = 0;
	free(P->fname);
	P->fname = NULL;
	wx_choices_free(P->choices);
	P->choices = NULL;
	P->type = P->item = WX_FT_TEXT;
}

/* Position of byte off of key k's value. */
static void val_pos(const struct kv *kv, size_t off, unsigned *line, size_t *col)
{
	seg_pos(kv->segs, kv->nseg, off, kv->n, line, col);
}

static int val_err(struct parser *P, enum key k, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error at byte off of key k's value. */
static int val_err(struct parser *P, enum key k, size_t off, const char *fmt, ...)
{
	char msg[900];
	unsigned line;
	size_t col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	val_pos(&P->kv[k], off, &line, &col);
	return wx_err_set(P->R.err, WX_EDATA, "%s:%u:%zu: %s", P->R.path, line, col, msg);
}

/* ---- value checks: the engine behind wx_field_check ---- */

enum fk {
	F_REQUIRED, F_UTF8, F_CONTROL, F_BIDI, F_ID_LONG, F_ID_SEMI,
	F_INT, F_INT_RANGE, F_DATE, F_DATE_YEAR, F_DATE_MONTH, F_DATE_DAY,
	F_WEEK, F_WEEK_YEAR, F_WEEK_NUM, F_DATETIME, F_YESNO, F_CHOICE,
	F_SHORT, F_LONG, F_LOW, F_HIGH, F_DUP, F_FEW, F_MANY, F_PATTERN, F_COMPLEX,
	F_NOMEM
};

/* What failed, for a message written afterwards in one of two styles. */
struct fail {
	enum fk k;
	enum wx_ftype t;     /* the type checked: the item type for a list */
	size_t item;         /* 1-based item of a list, 0 for the whole value */
	size_t off, len;     /* the item (or the value) within the trimmed value */
	size_t pos;          /* a character or byte position, a count, an item */
	unsigned long cp;
	int y, m;
};

struct val {
	int64_t v;           /* integer; day number; characters of a text */
	int32_t ns;
};

static int fail(struct fail *fl, enum fk k)
{
	fl->k = k;
	return k == F_NOMEM ? WX_ENOMEM : WX_EDATA;
}

/* Why s is not a date: the shape, or which part is out of range. */
static int date_fail(const char *s, size_t n, struct fail *fl)
{
	int y = 0, m = 0, d = 0;

	if (n < 10 || s[4] != '-' || s[7] != '-')
		return fail(fl, F_DATE);
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return fail(fl, F_DATE);
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1)
		return fail(fl, F_DATE_YEAR);
	if (m < 1 || m > 12)
		return fail(fl, F_DATE_MONTH);
	(void)d;
	fl->y = y;
	fl->m = m;
	return fail(fl, F_DATE_DAY);
}

static int days_in(int y, int m)
{
	int64_t a = wx_days_from_civil(y, m, 1);
	int64_t b = m == 12 ? wx_days_from_civil(y + 1, 1, 1) : wx_days_from_civil(y, m + 1, 1);

	return (int)(b - a);
}

/* Format an int64 in decimal at dst; returns its length. */
static size_t fmt_int(char *dst, int64_t v)
{
	char tmp[24];
	size_t n = 0, i;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	i = 0;
	if (v < 0)
		dst[i++] = '-';
	while (n)
		dst[i++] = tmp[--n];
	return i;
}

/* Check s (trimmed, not empty) as a value of type t and write its
 * normalised form at dst (room for n bytes, or 3 for yesno). */
static int type_check(enum wx_ftype t, const char *s, size_t n, char *dst, size_t *dn,
		      struct val *val, struct fail *fl)
{
	fl->t = t;
	switch (t) {
	case WX_FT_TEXT: {
		const unsigned char *u = (const unsigned char *)s;
		size_t i = 0, c = 0;

		while (i < n) {
			unsigned long cp;
			size_t k;

			if (u[i] >= 0x20 && u[i] < 0x7F) {
				i++;
				c++;
				continue;
			}
			k = wx_utf8_decode(u + i, n - i, &cp);
			if (k == 0) {
				fl->pos = i + 1;
				fl->cp = u[i];
				return fail(fl, F_UTF8);
			}
			c++;
			if (is_control(cp) || is_bidi(cp)) {
				fl->pos = c;
				fl->cp = cp;
				return fail(fl, is_bidi(cp) ? F_BIDI : F_CONTROL);
			}
			i += k;
		}
		memcpy(dst, s, n);
		*dn = n;
		val->v = (int64_t)c;
		return WX_OK;
	}
	case WX_FT_INTEGER: {
		size_t i = n > 0 && (s[0] == '+' || s[0] == '-');

		if (wx_parse_int(s, n, &val->v) != WX_OK) {
			if (i == n)
				return fail(fl, F_INT);
			for (; i < n; i++)
				if (s[i] < '0' || s[i] > '9')
					return fail(fl, F_INT);
			return fail(fl, F_INT_RANGE);
		}
		*dn = fmt_int(dst, val->v);
		return WX_OK;
	}
	case WX_FT_DATE: {
		int y, m, d;

		if (wx_parse_date(s, n, &y, &m, &d) != WX_OK)
			return n == 10 ? date_fail(s, n, fl) : fail(fl, F_DATE);
		val->v = wx_days_from_civil(y, m, d);
		memcpy(dst, s, n);
		*dn = n;
		return WX_OK;
	}
	case WX_FT_DATETIME:
		if (wx_parse_datetime(s, n, &val->v, &val->ns, dst) != WX_OK) {
			int y, m, d;

			/* a date-time whose date is not a real day says so */
			if (n >= 10 && wx_parse_date(s, 10, &y, &m, &d) != WX_OK &&
			    date_fail(s, 10, fl) != WX_OK && fl->k != F_DATE)
				return WX_EDATA;
			return fail(fl, F_DATETIME);
		}
		*dn = n;
		return WX_OK;
	case WX_FT_WEEK: {
		int y, w;

		if (wx_parse_week(s, n, &y, &w) != WX_OK) {
			if (n != 8 || s[4] != '-' || (s[5] != 'W' && s[5] != 'w'))
				return fail(fl, F_WEEK);
			for (int i = 0; i < 8; i++)
				if (i != 4 && i != 5 && (s[i] < '0' || s[i] > '9'))
					return fail(fl, F_WEEK);
			y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
			if (y < 1)
				return fail(fl, F_WEEK_YEAR);
			fl->y = y;
			return fail(fl, F_WEEK_NUM);
		}
		val->v = wx_week_monday(y, w);
		memcpy(dst, s, n);
		dst[5] = 'W';
		*dn = n;
		return WX_OK;
	}
	case WX_FT_YESNO: {
		int b;

		if (wx_parse_yesno(s, n, &b) != WX_OK)
			return fail(fl, F_YESNO);
		memcpy(dst, b ? "yes" : "no", b ? 3 : 2);
		*dn = b ? 3 : 2;
		return WX_OK;
	}
	case WX_FT_CHOICE:
		/* checked against the choices next */
		memcpy(dst, s, n);
		*dn = n;
		return WX_OK;
	case WX_FT_LIST:
		break;
	}
	return fail(fl, F_INT);
}

const struct wx_choice *wx_choices_find(const struct wx_choices *c, const char *s, size_t len)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		const char *code = c->v[i].code;

		/* equal ignoring ASCII case means equal length */
		if (lower(code[0]) == lower(len ? s[0] : '\0') && strlen(code) == len &&
		    eq_fold(code, s, len))
			return &c->v[i];
	}
	return NULL;
}

/* Replace s (n bytes) by the form's spelling of the choice. */
static int choice_check(const struct wx_form_field *f, char *s, size_t n, struct fail *fl)
{
	const struct wx_choice *c = wx_choices_find(f->choices, s, n);

	if (!c)
		return fail(fl, F_CHOICE);
	memcpy(s, c->code, n);
	return WX_OK;
}

static int bound_cmp(const struct val *v, const struct wx_bound *b)
{
	if (v->v != b->v)
		return v->v < b->v ? -1 : 1;
	return v->ns < b->ns ? -1 : v->ns > b->ns;
}

/* min_length, max_length, min and max of one value or item. */
static int limits_check(const struct wx_form_field *f, enum wx_ftype t, const struct val *v,
			struct fail *fl)
{
	if (t == WX_FT_TEXT) {
		size_t c = (size_t)v->v;

		if (c < f->min_length)
			return fail(fl, F_SHORT);
		if (f->max_length && c > f->max_length)
			return fail(fl, F_LONG);
		return WX_OK;
	}
	if (f->min.set && bound_cmp(v, &f->min) < 0)
		return fail(fl, F_LOW);
	if (f->max.set && bound_cmp(v, &f->max) > 0)
		return fail(fl, F_HIGH);
	return WX_OK;
}

static int pattern_check(const struct wx_form_field *f, const char *s, size_t n, struct fail *fl)
{
	struct wx_err e;
	int rc;

	if (!f->re)
		return WX_OK;
	e.code = WX_OK;   /* the message is not needed: only the code */
	rc = wx_regex_match(f->re, s, n, &e);
	if (rc == WX_OK)
		return WX_OK;
	return fail(fl, rc == WX_ENOTFOUND ? F_PATTERN : F_COMPLEX);
}

/* The value of a text, date, week, integer item again, for its limits. */
static void reparse(enum wx_ftype t, const char *s, size_t n, struct val *v)
{
	int y, m, d;

	v->ns = 0;
	switch (t) {
	case WX_FT_TEXT:
		v->v = (int64_t)nchars(s, n);
		break;
	case WX_FT_INTEGER:
		wx_parse_int(s, n, &v->v);
		break;
	case WX_FT_DATE:
		if (wx_parse_date(s, n, &y, &m, &d) == WX_OK)
			v->v = wx_days_from_civil(y, m, d);
		break;
	case WX_FT_WEEK:
		if (wx_parse_week(s, n, &y, &m) == WX_OK)
			v->v = wx_week_monday(y, m);
		break;
	default:
		v->v = 0;
		break;
	}
}

/* Where item k (1-based) of a list value is, for the message. */
static void locate_item(const char *s, size_t n, size_t k, struct fail *fl)
{
	size_t i = 0, c = 0;

	while (i <= n) {
		size_t j = i;
		const char *p;
		size_t pn;

		while (j < n && s[j] != ';')
			j++;
		p = s + i;
		pn = j - i;
		trim(&p, &pn);
		if (pn && ++c == k) {
			fl->off = (size_t)(p - s);
			fl->len = pn;
			return;
		}
		i = j + 1;
	}
}

/* The next item of a normalised list (items joined by ';') from *i. */
static int next_item(const char *s, size_t n, size_t *i, const char **p, size_t *pn)
{
	size_t j = *i;

	if (*i >= n)
		return 0;
	while (j < n && s[j] != ';')
		j++;
	*p = s + *i;
	*pn = j - *i;
	*i = j + 1;
	return 1;
}

static int item_fail(const char *s, size_t n, size_t k, struct fail *fl, int rc)
{
	fl->item = k;
	locate_item(s, n, k, fl);
	return rc;
}

/* Items given twice, once normalised.  Quadratic for the short lists of
 * everyday use; a hash set (the only allocation besides the result) for
 * long ones. */
static int dup_check(const char *s, size_t n, size_t count, size_t *first, size_t *second)
{
	const char **strs;
	size_t *lens, i = 0, k = 0, pn;
	const char *p;
	struct hset h;
	int rc = 0;

	if (count <= 16) {
		const char *ps[16];
		size_t ls[16];

		while (next_item(s, n, &i, &p, &pn)) {
			for (size_t j = 0; j < k; j++)
				if (ls[j] == pn && memcmp(ps[j], p, pn) == 0) {
					*first = j + 1;
					*second = k + 1;
					return 1;
				}
			ps[k] = p;
			ls[k++] = pn;
		}
		return 0;
	}
	strs = malloc(count * sizeof *strs);
	lens = malloc(count * sizeof *lens);
	if (!strs || !lens || hset_init(&h, count, 0) < 0) {
		free(strs);
		free(lens);
		return -1;
	}
	/* items are normalised (choices in the form's spelling), so only
	 * exact repeats count */
	while (next_item(s, n, &i, &p, &pn)) {
		size_t o;

		strs[k] = p;
		lens[k] = pn;
		o = hset_add(&h, strs, lens, k);
		if (o != (size_t)-1) {
			*first = o + 1;
			*second = k + 1;
			rc = 1;
			break;
		}
		k++;
	}
	free(h.slot);
	free(strs);
	free(lens);
	return rc;
}

/* Bytes to allocate for a result of up to n bytes and its NUL: rounded up
 * to a multiple of 16, as malloc does anyway.  PCRE2's JIT scans subjects
 * with aligned 16-byte loads that may cover bytes past the end; the caller
 * zeroes them so that they are defined (valgrind checks them). */
static size_t room(size_t n)
{
	return (n + 16) & ~(size_t)15;
}

static int check_list(const struct wx_form_field *f, const char *s, size_t n, char **norm,
		      size_t *normlen, struct fail *fl)
{
	enum wx_ftype t = f->item;
	size_t cap = room(n);
	char *out = malloc(cap);
	size_t i = 0, olen = 0, count = 0, k, p1, p2, pn;
	const char *p;
	struct val v;
	int rc;

	if (!out)
		return fail(fl, F_NOMEM);
	/* items, their types and normalised forms */
	while (i <= n) {
		size_t j = i;
		const char *it;
		size_t in, dn;

		while (j < n && s[j] != ';')
			j++;
		it = s + i;
		in = j - i;
		i = j + 1;
		trim(&it, &in);
		if (!in)
			continue;
		count++;
		if (olen)
			out[olen++] = ';';
		rc = type_check(t, it, in, out + olen, &dn, &v, fl);
		if (rc != WX_OK) {
			free(out);
			fl->item = count;
			fl->off = (size_t)(it - s);
			fl->len = in;
			return rc;
		}
		olen += dn;
	}
	memset(out + olen, 0, cap - olen);
	if (count == 0) {
		/* a list with no items counts as not given */
		free(out);
		fl->t = WX_FT_LIST;
		if (f->required)
			return fail(fl, F_REQUIRED);
		if (!(*norm = dup_bytes("", 0)))
			return fail(fl, F_NOMEM);
		*normlen = 0;
		return WX_OK;
	}
	/* choices, stored in the form's spelling */
	if (t == WX_FT_CHOICE) {
		for (i = 0, k = 1; next_item(out, olen, &i, &p, &pn); k++)
			if ((rc = choice_check(f, out + (p - out), pn, fl)) != WX_OK) {
				free(out);
				return item_fail(s, n, k, fl, rc);
			}
	}
	rc = dup_check(out, olen, count, &p1, &p2);
	if (rc != 0) {
		free(out);
		if (rc < 0)
			return fail(fl, F_NOMEM);
		fl->pos = p1;
		fl->t = t;
		return item_fail(s, n, p2, fl, fail(fl, F_DUP));
	}
	/* limits of each item, then of the list */
	if (t != WX_FT_CHOICE) {
		for (i = 0, k = 1; next_item(out, olen, &i, &p, &pn); k++) {
			reparse(t, p, pn, &v);
			fl->t = t;
			if ((rc = limits_check(f, t, &v, fl)) != WX_OK) {
				free(out);
				return item_fail(s, n, k, fl, rc);
			}
		}
	}
	fl->t = WX_FT_LIST;
	fl->pos = count;
	if (count < f->min_items || (f->max_items && count > f->max_items)) {
		free(out);
		fl->off = 0;
		fl->len = n;
		return fail(fl, count < f->min_items ? F_FEW : F_MANY);
	}
	/* and the pattern of each item */
	if (f->re) {
		for (i = 0, k = 1; next_item(out, olen, &i, &p, &pn); k++) {
			fl->t = t;
			if ((rc = pattern_check(f, p, pn, fl)) != WX_OK) {
				free(out);
				return item_fail(s, n, k, fl, rc);
			}
		}
	}
	*norm = out;
	*normlen = olen;
	return WX_OK;
}

/* Check a value (not trimmed yet) against a field: fl says what failed,
 * with positions in the trimmed value, whose offset is in *toff. */
static int check_value(const struct wx_form_field *f, const char *s, size_t n, char **norm,
		       size_t *normlen, struct fail *fl, size_t *toff)
{
	const char *s0 = s;
	char *out;
	size_t olen, cap;
	struct val v = { 0, 0 };
	int rc;

	*norm = NULL;
	*normlen = 0;
	fl->item = 0;
	fl->t = f->type;
	trim(&s, &n);
	*toff = (size_t)(s - s0);
	fl->off = 0;
	fl->len = n;
	if (n == 0) {
		if (f->required)
			return fail(fl, F_REQUIRED);
		if (!(*norm = dup_bytes("", 0)))
			return fail(fl, F_NOMEM);
		return WX_OK;
	}
	if (f->type == WX_FT_LIST)
		return check_list(f, s, n, norm, normlen, fl);
	/* the result is never longer than the value, but for yes from y */
	cap = room(n < 3 ? 3 : n);
	out = malloc(cap);
	if (!out)
		return fail(fl, F_NOMEM);
	rc = type_check(f->type, s, n, out, &olen, &v, fl);
	if (rc == WX_OK)
		memset(out + olen, 0, cap - olen);
	if (rc == WX_OK && f->type == WX_FT_TEXT && f->name[0] == 'i' && f->name[1] == 'd' &&
	    f->name[2] == '\0') {
		/* an id is a database key and a list item elsewhere */
		if (olen > WX_ID_MAX)
			rc = fail(fl, F_ID_LONG);
		else if (memchr(out, ';', olen))
			rc = fail(fl, F_ID_SEMI);
	}
	if (rc == WX_OK && f->type == WX_FT_CHOICE)
		rc = choice_check(f, out, olen, fl);
	if (rc == WX_OK && f->type != WX_FT_CHOICE && f->type != WX_FT_YESNO)
		rc = limits_check(f, f->type, &v, fl);
	if (rc == WX_OK && f->type == WX_FT_TEXT)
		rc = pattern_check(f, out, olen, fl);
	if (rc != WX_OK) {
		free(out);
		return rc;
	}
	*norm = out;
	*normlen = olen;
	return WX_OK;
}

/* ---- messages ---- */

struct mbuf {
	char *p;
	size_t cap, len;
};

static void mb_printf(struct mbuf *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mb_printf(struct mbuf *m, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (!m->p || m->len + 1 >= m->cap)
		return;
	va_start(ap, fmt);
	r = vsnprintf(m->p + m->len, m->cap - m->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		m->len = m->len + (size_t)r < m->cap ? m->len + (size_t)r : m->cap - 1;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void expect_choices(const struct wx_form_field *f, struct mbuf *m)
{
	const struct wx_choices *c = f->choices;
	size_t total = 0;

	if (!c || c->n == 0) {
		mb_printf(m, "no choices are defined");
		return;
	}
	if (c->name) {
		mb_printf(m, "a code from %s, such as %s", c->name, c->v[0].code);
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		total += strlen(c->v[i].code) + 2;
	if (total > ENUM_MAX) {
		mb_printf(m, "one of the %zu choices, such as %s", c->n, c->v[0].code);
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		mb_printf(m, "%s%s", i == 0 ? "" : i + 1 == c->n ? " or " : ", ", c->v[i].code);
}

/* "from MIN to MAX", "MIN or more", ... in the words of the type. */
static void expect_bounds(const struct wx_form_field *f, enum wx_ftype t, struct mbuf *m)
{
	const char *what = t == WX_FT_INTEGER ? "a whole number" : t == WX_FT_DATE ? "a date" :
			   t == WX_FT_WEEK ? "a week" : "a date and time";
	int num = t == WX_FT_INTEGER;

	if (f->min.set && f->max.set)
		mb_printf(m, "%s from %s to %s", what, f->min.text, f->max.text);
	else if (f->min.set)
		mb_printf(m, "%s %s", f->min.text, num ? "or more" : "or later");
	else
		mb_printf(m, "%s %s", f->max.text, num ? "or less" : "or earlier");
}

/* The message of wx_field_check: "what is wrong (expected ...)". */
static void render_check(const struct wx_form_field *f, const struct fail *fl, struct mbuf *m)
{
	if (fl->item)
		mb_printf(m, "item %zu: ", fl->item);
	switch (fl->k) {
	case F_REQUIRED:
		mb_printf(m, "required (expected a value)");
		break;
	case F_UTF8:
		mb_printf(m, "invalid UTF-8 at byte %zu (expected text in UTF-8)", fl->pos);
		break;
	case F_CONTROL:
		mb_printf(m, "control character U+%04lX at character %zu (expected text without control characters)",
			  fl->cp, fl->pos);
		break;
	case F_BIDI:
		mb_printf(m, "bidirectional control character U+%04lX at character %zu (expected text without bidirectional controls)",
			  fl->cp, fl->pos);
		break;
	case F_ID_LONG:
		mb_printf(m, "longer than %d bytes (expected an id of at most %d bytes)", WX_ID_MAX,
			  WX_ID_MAX);
		break;
	case F_ID_SEMI:
		mb_printf(m, "contains ; (expected an id without ;)");
		break;
	case F_INT:
		if (fl->t == WX_FT_INTEGER && (f->min.set || f->max.set)) {
			mb_printf(m, "not a whole number (expected ");
			expect_bounds(f, fl->t, m);
			mb_printf(m, ")");
		} else {
			mb_printf(m, "not a whole number (expected a whole number such as 42)");
		}
		break;
	case F_INT_RANGE:
		mb_printf(m, "out of range (expected a whole number from %" PRId64 " to %" PRId64 ")",
			  INT64_MIN, INT64_MAX);
		break;
	case F_DATE:
		mb_printf(m, "not a date (expected YYYY-MM-DD, such as 2027-07-05)");
		break;
	case F_DATE_YEAR:
		mb_printf(m, "not a real day (expected a year from 0001 to 9999)");
		break;
	case F_DATE_MONTH:
		mb_printf(m, "not a real day (expected a month from 01 to 12)");
		break;
	case F_DATE_DAY:
		mb_printf(m, "not a real day (expected a day from 01 to %02d in %04d-%02d)",
			  days_in(fl->y, fl->m), fl->y, fl->m);
		break;
	case F_WEEK:
		mb_printf(m, "not a week (expected YYYY-Www, such as 2027-W27)");
		break;
	case F_WEEK_YEAR:
		mb_printf(m, "not a real week (expected a year from 0001 to 9999)");
		break;
	case F_WEEK_NUM:
		mb_printf(m, "not a real week (expected a week from 01 to %d in %04d)",
			  wx_iso_weeks_in_year(fl->y), fl->y);
		break;
	case F_DATETIME:
		mb_printf(m, "not a date and time (expected YYYY-MM-DDThh:mm, optionally with :ss, a fraction and a zone, such as 2027-03-01T09:30:00Z)");
		break;
	case F_YESNO:
		mb_printf(m, "not yes or no (expected yes, no, y, n, true, false, 1 or 0)");
		break;
	case F_CHOICE:
		mb_printf(m, "not one of the choices (expected ");
		expect_choices(f, m);
		mb_printf(m, ")");
		break;
	case F_SHORT:
		mb_printf(m, "too short (expected at least %zu character%s)", f->min_length,
			  plural(f->min_length));
		break;
	case F_LONG:
		mb_printf(m, "too long (expected at most %zu character%s)", f->max_length,
			  plural(f->max_length));
		break;
	case F_LOW:
	case F_HIGH:
		mb_printf(m, "%s (expected ", fl->t == WX_FT_INTEGER ?
			  (fl->k == F_LOW ? "too small" : "too large") :
			  (fl->k == F_LOW ? "too early" : "too late"));
		expect_bounds(f, fl->t, m);
		mb_printf(m, ")");
		break;
	case F_DUP:
		mb_printf(m, "repeats item %zu (expected each item once)", fl->pos);
		break;
	case F_FEW:
		mb_printf(m, "too few items: %zu (expected at least %zu)", fl->pos, f->min_items);
		break;
	case F_MANY:
		mb_printf(m, "too many items: %zu (expected at most %zu)", fl->pos, f->max_items);
		break;
	case F_PATTERN:
	case F_COMPLEX:
		/* what is wrong, then what was expected, like every other message */
		mb_printf(m, "%s (", fl->k == F_COMPLEX ? "the pattern is too complex for this value"
							: "not in the expected form");
		if (f->pattern_help)
			mb_printf(m, "expected %s", f->pattern_help);
		else
			mb_printf(m, "expected a value matching the pattern '%s'", f->pattern);
		mb_printf(m, ")");
		break;
	case F_NOMEM:
		mb_printf(m, "out of memory");
		break;
	}
}

/* What is wrong, in the short form used for a default, min or max in a
 * form file ("default '16x': not an integer"); the field's own keys say
 * what is expected. */
static const char *render_short(const struct fail *fl, char *buf, size_t cap)
{
	switch (fl->k) {
	case F_UTF8:
		snprintf(buf, cap, "invalid UTF-8 at byte %zu", fl->pos);
		return buf;
	case F_CONTROL:
		snprintf(buf, cap, "control character U+%04lX", fl->cp);
		return buf;
	case F_BIDI:
		snprintf(buf, cap, "bidirectional control character U+%04lX", fl->cp);
		return buf;
	case F_REQUIRED: return "empty";
	case F_ID_LONG: return "longer than 200 bytes";
	case F_ID_SEMI: return "contains ;";
	case F_INT: return "not an integer";
	case F_INT_RANGE: return "out of range for an integer";
	case F_DATE: return "not a date";
	case F_DATE_YEAR:
	case F_DATE_MONTH:
	case F_DATE_DAY: return "not a real day";
	case F_WEEK: return "not a week";
	case F_WEEK_YEAR:
	case F_WEEK_NUM: return "not a real week";
	case F_DATETIME: return "not a date and time";
	case F_YESNO: return "not yes or no";
	case F_CHOICE: return "not one of the choices";
	case F_SHORT: return "too short";
	case F_LONG: return "too long";
	case F_LOW: return fl->t == WX_FT_INTEGER ? "too small" : "too early";
	case F_HIGH: return fl->t == WX_FT_INTEGER ? "too large" : "too late";
	case F_DUP: return "given twice";
	case F_FEW: return "too few items";
	case F_MANY: return "too many items";
	case F_PATTERN: return "does not match the pattern";
	case F_COMPLEX: return "too complex for the pattern";
	case F_NOMEM: return "out of memory";
	}
	return "not valid";
}

/* "default 'oppen' is not one of the choices", "default '16x': not an
 * integer": the two forms of wexmatch-forms(5), ERRORS. */
static void short_msg(const char *what, const char *q, const struct fail *fl, char *out,
		      size_t cap)
{
	char buf[128];

	if (fl->k == F_CHOICE)
		snprintf(out, cap, "%s '%s' is not one of the choices", what, q);
	else
		snprintf(out, cap, "%s '%s': %s", what, q, render_short(fl, buf, sizeof buf));
}

int wx_field_check(const struct wx_form_field *f, const char *value, size_t len, char **norm,
		   size_t *normlen, char *msg, size_t msgcap)
{
	struct fail fl;
	struct mbuf m = { msgcap ? msg : NULL, msgcap, 0 };
	size_t nl, toff;
	int rc;

	if (m.p)
		m.p[0] = '\0';
	rc = check_value(f, value, len, norm, &nl, &fl, &toff);
	if (normlen)
		*normlen = nl;
	if (rc != WX_OK)
		render_check(f, &fl, &m);
	return rc;
}

/* ---- choices ---- */

void wx_choices_free(struct wx_choices *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].label != c->v[i].code)
			free(c->v[i].label);
		free(c->v[i].code);
	}
	free(c->v);
	free(c->name);
	free(c);
}

static int choices_add(struct wx_choices *c, size_t *cap, char *code, char *label)
{
	if (c->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct wx_choice *v = realloc(c->v, nc * sizeof *v);

		if (!v)
			return -1;
		c->v = v;
		*cap = nc;
	}
	c->v[c->n].code = code;
	c->v[c->n].label = label;
	c->n++;
	return 0;
}

/* ---- list files ---- */

int wx_list_parse(struct wx_choices **out, const char *name, const char *path, const char *buf,
		  size_t len, struct wx_err *err)
{
	struct reader R;
	struct wx_choices *c;
	unsigned *lines;
	const char **strs, *s, *q;
	size_t *lens, cap = 0, ecap = 1, n;
	struct hset h = { 0, NULL, 0 };
	int r, rc = WX_OK;

	*out = NULL;
	if (len > FILE_MAX)
		return wx_err_set(err, WX_EDATA, "%s:1:1: file larger than 1 MiB (%d bytes)", path,
				  FILE_MAX);
	/* one entry a line at most: size the duplicate check once */
	for (q = buf; (q = memchr(q, '\n', len - (size_t)(q - buf))) != NULL && ecap < ENTRIES_MAX; q++)
		ecap++;
	c = calloc(1, sizeof *c);
	lines = malloc(ecap * sizeof *lines);
	strs = malloc(ecap * sizeof *strs);
	lens = malloc(ecap * sizeof *lens);
	if (!c || !lines || !strs || !lens || (name && !(c->name = strdup(name))) ||
	    hset_init(&h, ecap, 0) < 0) {
		free(lines);
		free(strs);
		free(lens);
		wx_choices_free(c);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	rd_init(&R, path, buf, len, err);
	while ((r = next_line(&R, &s, &n)) > 0) {
		const char *t = s, *code, *label;
		size_t tn = n, cn = 0, ln, o, ccol;
		char *cs, *ls;

		trim(&t, &tn);
		if (n > LINE_MAX_BYTES) {
			rc = rd_err(&R, R.lineno, first_col(s, n), "line longer than %d bytes",
				    LINE_MAX_BYTES);
			break;
		}
		if (tn == 0 || t[0] == '#')
			continue;
		code = t;
		while (cn < tn && !is_blank(code[cn]))
			cn++;
		label = code + cn;
		ln = tn - cn;
		trim(&label, &ln);
		ccol = col_of(s, (size_t)(code - s));
		if (!is_name(code, cn)) {
			char *qc = quote(code, cn);

			rc = rd_err(&R, R.lineno, ccol,
				    "bad code '%s' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)",
				    Q(qc));
			free(qc);
			break;
		}
		if (ln == 0) {
			rc = rd_err(&R, R.lineno, ccol, "code '%.*s' has no label", (int)cn, code);
			break;
		}
		if (nchars(label, ln) > SHORT_TEXT_MAX) {
			rc = rd_err(&R, R.lineno, col_of(s, (size_t)(label - s)),
				    "label longer than %d characters", SHORT_TEXT_MAX);
			break;
		}
		if (c->n == ENTRIES_MAX) {
			rc = rd_err(&R, R.lineno, ccol, "more than %d entries", ENTRIES_MAX);
			break;
		}
		strs[c->n] = code;
		lens[c->n] = cn;
		o = hset_add(&h, strs, lens, c->n);
		if (o != (size_t)-1) {
			rc = rd_err(&R, R.lineno, ccol, "code '%.*s' already given on line %u",
				    (int)cn, code, lines[o]);
			break;
		}
		lines[c->n] = R.lineno;
		cs = dup_bytes(code, cn);
		ls = dup_bytes(label, ln);
		if (!cs || !ls || choices_add(c, &cap, cs, ls) < 0) {
			free(cs);
			free(ls);
			rc = rd_nomem(&R);
			break;
		}
	}
	if (r < 0)
		rc = err->code;
	if (rc == WX_OK && c->n == 0)
		rc = rd_err(&R, 1, 1, "list has no entries");
	free(h.slot);
	free(strs);
	free(lens);
	free(lines);
	rd_free(&R);
	if (rc != WX_OK) {
		wx_choices_free(c);
		return rc;
	}
	*out = c;
	return WX_OK;
}

/* A list named by choices_from: already loaded, or read now from the
 * forms directory. */
static int get_list(struct wx_forms *forms, const char *name, const struct wx_choices **out,
		    struct wx_err *err)
{
	struct wx_choices *c, **nl;
	char *path, *buf;
	size_t len;
	int rc;

	for (size_t i = 0; i < forms->nlists; i++)
		if (strcmp(forms->lists[i]->name, name) == 0) {
			*out = forms->lists[i];
			return WX_OK;
		}
	path = join_path(forms->dir, name);
	if (!path)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	rc = read_file(path, &buf, &len, err);
	if (rc == WX_OK) {
		rc = wx_list_parse(&c, name, path, buf, len, err);
		free(buf);
	}
	free(path);
	if (rc != WX_OK)
		return rc;
	nl = realloc(forms->lists, (forms->nlists + 1) * sizeof *nl);
	if (!nl) {
		wx_choices_free(c);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	forms->lists = nl;
	forms->lists[forms->nlists++] = c;
	*out = c;
	return WX_OK;
}

/* ---- reading keys ---- */

/* Inline choices: ';'-separated, trimmed, empty ones skipped. */
static int parse_choices(struct parser *P)
{
	const struct kv *kv = &P->kv[K_CHOICES];
	struct wx_choices *c = calloc(1, sizeof *c);
	const char **strs = NULL;
	size_t *lens = NULL, *offs = NULL, cap = 0, i = 0, n = kv->n, room;
	struct hset h = { 0, NULL, 0 };
	int rc = WX_OK;

	if (!c)
		return rd_nomem(&P->R);
	/* a choice and its ';' take two bytes: room for them all, up to the
	 * limit, which is refused before it is passed */
	room = (n + 1) / 2 < CHOICES_MAX ? (n + 1) / 2 : CHOICES_MAX;
	strs = malloc(room * sizeof *strs);
	lens = malloc(room * sizeof *lens);
	offs = malloc(room * sizeof *offs);
	if (!strs || !lens || !offs || hset_init(&h, room, 1) < 0) {
		rc = rd_nomem(&P->R);
		goto out;
	}
	while (i <= n) {
		size_t j = i, pn, o;
		const char *p;
		char *code;

		while (j < n && kv->v[j] != ';')
			j++;
		p = kv->v + i;
		pn = j - i;
		i = j + 1;
		trim(&p, &pn);
		if (!pn)
			continue;
		if (c->n == CHOICES_MAX) {
			rc = val_err(P, K_CHOICES, (size_t)(p - kv->v), "more than %d choices",
				     CHOICES_MAX);
			goto out;
		}
		if (nchars(p, pn) > SHORT_TEXT_MAX) {
			rc = val_err(P, K_CHOICES, (size_t)(p - kv->v),
				     "choice longer than %d characters", SHORT_TEXT_MAX);
			goto out;
		}
		strs[c->n] = p;
		lens[c->n] = pn;
		offs[c->n] = (size_t)(p - kv->v);
		o = hset_add(&h, strs, lens, c->n);
		if (o != (size_t)-1) {
			char *q1 = quote(p, pn), *q2 = quote(strs[o], lens[o]);

			if (memcmp(strs[o], p, pn) == 0)
				rc = val_err(P, K_CHOICES, offs[c->n], "choice '%s' given twice", Q(q1));
			else
				rc = val_err(P, K_CHOICES, offs[c->n],
					     "choices '%s' and '%s' differ only in the case of letters",
					     Q(q2), Q(q1));
			free(q1);
			free(q2);
			goto out;
		}
		code = dup_bytes(p, pn);
		if (!code || choices_add(c, &cap, code, code) < 0) {
			free(code);
			rc = rd_nomem(&P->R);
			goto out;
		}
	}
	if (c->n == 0)
		rc = val_err(P, K_CHOICES, 0, "no choices given (expected VALUE; VALUE...)");
out:
	free(h.slot);
	free(strs);
	free(lens);
	free(offs);
	if (rc != WX_OK) {
		wx_choices_free(c);
		return rc;
	}
	P->choices = c;
	return WX_OK;
}

static const char *const type_list = "text, integer, date, datetime, week, yesno, choice or list";

static int parse_type(const char *s, enum wx_ftype *t)
{
	for (int i = WX_FT_TEXT; i <= WX_FT_LIST; i++)
		if (strcmp(s, wx_ftype_name((enum wx_ftype)i)) == 0) {
			*t = (enum wx_ftype)i;
			return 0;
		}
	return -1;
}

/* A number key: an integer from lo to hi. */
static int key_number(struct parser *P, enum key k, int64_t lo, int64_t hi)
{
	struct kv *kv = &P->kv[k];

	if (wx_parse_int(kv->v, kv->n, &kv->num) != WX_OK || kv->num < lo || kv->num > hi) {
		char *q = quote(kv->v, kv->n);
		int rc = val_err(P, k, 0, "bad %s value '%s' (expected a number from %" PRId64
				 " to %" PRId64 ")", key_names[k], Q(q), lo, hi);

		free(q);
		return rc;
	}
	return WX_OK;
}

static int key_yesno(struct parser *P, enum key k)
{
	struct kv *kv = &P->kv[k];
	int b;

	if (wx_parse_yesno(kv->v, kv->n, &b) != WX_OK) {
		char *q = quote(kv->v, kv->n);
		int rc = val_err(P, k, 0, "bad %s value '%s' (expected yes or no)", key_names[k],
				 Q(q));

		free(q);
		return rc;
	}
	kv->num = b;
	return WX_OK;
}

static int key_text(struct parser *P, enum key k, size_t max)
{
	struct kv *kv = &P->kv[k];

	if (nchars(kv->v, kv->n) > max)
		return val_err(P, k, 0, "%s longer than %zu characters", key_names[k], max);
	return WX_OK;
}

/* Checks of one key's value that do not depend on other keys. */
static int check_key(struct parser *P, enum key k)
{
	struct kv *kv = &P->kv[k];
	char *q;
	int rc = WX_OK;

	switch (k) {
	case K_KIND: {
		enum wx_kind kind = WX_KIND_CANDIDATE;
		int found = 0;

		for (int i = 0; i < WX_KIND_COUNT; i++)
			if (strcmp(kv->v, wx_kind_name((enum wx_kind)i)) == 0) {
				kind = (enum wx_kind)i;
				found = 1;
			}
		q = quote(kv->v, kv->n);
		if (!found)
			rc = val_err(P, k, 0,
				     "unknown kind '%s' (expected candidate, placement, ambassador, request or equality)",
				     Q(q));
		else if (kind != P->expect)
			rc = val_err(P, k, 0, "kind '%s' does not match the file name '%s'", Q(q),
				     wx_kind_name(P->expect));
		free(q);
		return rc;
	}
	case K_LABEL:
	case K_SECTION:
	case K_PATTERN_HELP:
		return key_text(P, k, SHORT_TEXT_MAX);
	case K_HELP:
		return key_text(P, k, HELP_MAX);
	case K_PATTERN:
		return key_text(P, k, PATTERN_MAX);
	case K_TYPE:
		if (parse_type(kv->v, &P->type) == 0)
			return WX_OK;
		q = quote(kv->v, kv->n);
		rc = val_err(P, k, 0, "unknown type '%s' (expected %s)", Q(q), type_list);
		free(q);
		return rc;
	case K_ITEM:
		if (parse_type(kv->v, &P->item) == 0 && P->item != WX_FT_DATETIME &&
		    P->item != WX_FT_YESNO && P->item != WX_FT_LIST)
			return WX_OK;
		q = quote(kv->v, kv->n);
		rc = val_err(P, k, 0,
			     "bad item type '%s' (expected text, integer, date, week or choice)",
			     Q(q));
		free(q);
		return rc;
	case K_CHOICES:
		return parse_choices(P);
	case K_CHOICES_FROM:
		q = quote(kv->v, kv->n);
		if (!is_name(kv->v, kv->n))
			rc = val_err(P, k, 0,
				     "bad list name '%s' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)",
				     Q(q));
		else
			for (int i = 0; i < WX_KIND_COUNT; i++)
				if (strcmp(kv->v, wx_kind_name((enum wx_kind)i)) == 0)
					rc = val_err(P, k, 0,
						     "list name '%s' is the name of a kind (expected another name)",
						     Q(q));
		free(q);
		return rc;
	case K_REQUIRED:
	case K_LIST_COLUMN:
	case K_SPECIAL:
		return key_yesno(P, k);
	case K_MIN_LENGTH:
		return key_number(P, k, 0, LENGTH_MAX);
	case K_MAX_LENGTH:
		return key_number(P, k, 1, LENGTH_MAX);
	case K_MIN_ITEMS:
		return key_number(P, k, 0, ITEMS_MAX);
	case K_MAX_ITEMS:
		return key_number(P, k, 1, ITEMS_MAX);
	case K_WIDTH:
	case K_LIST_WIDTH:
		return key_number(P, k, 1, WIDTH_MAX);
	case K_LINES:
		return key_number(P, k, 1, LINES_MAX);
	case K_MIN:
	case K_MAX:
	case K_DEFAULT:
		/* need the type: checked when the section ends */
		return WX_OK;
	case K_COUNT:
		break;
	}
	return WX_OK;
}

/* A key line of the current logical line. */
static int key_line(struct parser *P)
{
	struct reader *R = &P->R;
	const char *ll = R->ll, *eq, *key, *val;
	size_t n = R->lllen, kn, vn, i;
	unsigned kline;
	size_t kcol;
	struct kv *kv;
	int k;

	for (i = 0; i < n && is_blank(ll[i]); i++)
		;
	seg_pos(R->segs, R->nseg, i, n, &kline, &kcol);
	if (P->sk == S_NONE)
		return rd_err(R, kline, kcol, "key line before [form]");
	eq = memchr(ll, '=', n);
	if (!eq)
		return rd_err(R, kline, kcol, "no '=' in the line (expected KEY = VALUE)");
	key = ll;
	kn = (size_t)(eq - ll);
	trim(&key, &kn);
	if (kn == 0)
		return rd_err(R, kline, kcol, "no key before '=' (expected KEY = VALUE)");
	for (k = 0; k < K_COUNT; k++)
		if (strlen(key_names[k]) == kn && memcmp(key_names[k], key, kn) == 0)
			break;
	/* [form] takes kind, label and help; a field everything but kind */
	if (k == K_COUNT || (P->sk == S_FORM && k > K_HELP) || (P->sk == S_FIELD && k == K_KIND)) {
		char *q = quote(key, kn);
		int rc = rd_err(R, kline, kcol, "unknown key '%s'", Q(q));

		free(q);
		return rc;
	}
	kv = &P->kv[k];
	if (kv->order)
		return rd_err(R, kline, kcol, "duplicate key '%s' (first given on line %u)",
			      key_names[k], kv->kline);
	kv->order = ++P->nkeys;
	kv->kline = kline;
	kv->kcol = kcol;
	val = eq + 1;
	vn = n - (size_t)(val - ll);
	trim(&val, &vn);
	if (vn == 0)
		return WX_OK;   /* as if not given, but given once */
	kv->v = dup_bytes(val, vn);
	kv->n = vn;
	/* keep where each byte of the value came from, relative to the value */
	{
		size_t voff = (size_t)(val - ll), j0 = 0, j;

		while (j0 + 1 < R->nseg && R->segs[j0 + 1].loff <= voff)
			j0++;
		kv->nseg = R->nseg - j0;
		kv->segs = malloc(kv->nseg * sizeof *kv->segs);
		if (!kv->v || !kv->segs)
			return rd_nomem(R);
		for (j = 0; j < kv->nseg; j++) {
			struct seg g = R->segs[j0 + j];

			if (g.loff < voff) {
				g.poff += voff - g.loff;
				g.loff = 0;
			} else {
				g.loff -= voff;
			}
			kv->segs[j] = g;
		}
	}
	return check_key(P, (enum key)k);
}

/* ---- the fields wexmatch itself reads ---- */

struct reads {
	const char *name;
	enum wx_ftype type, item;
	const char *from;                  /* choices_from required */
	const char *const *status;         /* choices that must be offered */
};

static const char *const st_candidate[] = {
	"received", "eligible", "ineligible", "offered", "accepted", "declined", "checks_pending",
	"confirmed", "completed", "no_show", "cancelled", "withdrawn", NULL
};
static const char *const st_placement[] = { "draft", "open", "full", "closed", "cancelled", NULL };
static const char *const st_ambassador[] = { "active", "paused", "left", NULL };
static const char *const st_request[] = { "open", "filled", "cancelled", "done", NULL };

#define TX WX_FT_TEXT
static const struct reads reads_candidate[] = {
	{ "id", TX, TX, NULL, NULL },
	{ "status", WX_FT_CHOICE, WX_FT_CHOICE, NULL, st_candidate },
	{ "applied_at", WX_FT_DATETIME, WX_FT_DATETIME, NULL, NULL },
	{ "date_of_birth", WX_FT_DATE, WX_FT_DATE, NULL, NULL },
	{ "postcode", TX, TX, NULL, NULL },
	{ "choices", WX_FT_LIST, TX, NULL, NULL },
	{ "interests", WX_FT_LIST, WX_FT_CHOICE, "professions", NULL },
	{ "available_weeks", WX_FT_LIST, WX_FT_WEEK, NULL, NULL },
	{ "max_travel_km", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "placement", TX, TX, NULL, NULL },
	{ NULL, TX, TX, NULL, NULL }
};
static const struct reads reads_placement[] = {
	{ "id", TX, TX, NULL, NULL },
	{ "status", WX_FT_CHOICE, WX_FT_CHOICE, NULL, st_placement },
	{ "profession", WX_FT_CHOICE, WX_FT_CHOICE, "professions", NULL },
	{ "site_postcode", TX, TX, NULL, NULL },
	{ "min_age", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "week", WX_FT_WEEK, WX_FT_WEEK, NULL, NULL },
	{ "start_date", WX_FT_DATE, WX_FT_DATE, NULL, NULL },
	{ "capacity", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ NULL, TX, TX, NULL, NULL }
};
static const struct reads reads_ambassador[] = {
	{ "id", TX, TX, NULL, NULL },
	{ "status", WX_FT_CHOICE, WX_FT_CHOICE, NULL, st_ambassador },
	{ "professions", WX_FT_LIST, WX_FT_CHOICE, "professions", NULL },
	{ "base_postcode", TX, TX, NULL, NULL },
	{ "max_travel_km", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "available_dates", WX_FT_LIST, WX_FT_DATE, NULL, NULL },
	{ "max_events", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "dbs_expires", WX_FT_DATE, WX_FT_DATE, NULL, NULL },
	{ "training_done", WX_FT_YESNO, WX_FT_YESNO, NULL, NULL },
	{ "virtual_ok", WX_FT_YESNO, WX_FT_YESNO, NULL, NULL },
	{ NULL, TX, TX, NULL, NULL }
};
static const struct reads reads_request[] = {
	{ "id", TX, TX, NULL, NULL },
	{ "status", WX_FT_CHOICE, WX_FT_CHOICE, NULL, st_request },
	{ "postcode", TX, TX, NULL, NULL },
	{ "imd_decile", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "fsm_pct", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ "professions", WX_FT_LIST, WX_FT_CHOICE, "professions", NULL },
	{ "date", WX_FT_DATE, WX_FT_DATE, NULL, NULL },
	{ "virtual", WX_FT_YESNO, WX_FT_YESNO, NULL, NULL },
	{ "ambassadors_needed", WX_FT_INTEGER, WX_FT_INTEGER, NULL, NULL },
	{ NULL, TX, TX, NULL, NULL }
};
static const struct reads reads_equality[] = {
	{ "id", TX, TX, NULL, NULL },
	{ NULL, TX, TX, NULL, NULL }
};
#undef TX

/* "a list of week", "an integer", "a choice with choices_from = professions" */
static void describe(enum wx_ftype t, enum wx_ftype item, const char *from, char *buf, size_t cap)
{
	static const char *const art[] = { "", "an ", "a ", "a ", "a ", "a ", "a ", "a " };
	int n;

	if (t == WX_FT_LIST)
		n = snprintf(buf, cap, "a list of %s", wx_ftype_name(item));
	else
		n = snprintf(buf, cap, "%s%s", art[t], wx_ftype_name(t));
	if (from && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, " with choices_from = %s", from);
}

/* What wexmatch reads of the kind's form, or NULL. */
static const struct reads *reads_of(enum wx_kind k)
{
	static const struct reads *const all[WX_KIND_COUNT] = {
		reads_candidate, reads_placement, reads_ambassador, reads_request, reads_equality
	};

	return all[k];
}

/* ---- the end of a section ---- */

static int given(const struct parser *P, enum key k)
{
	return P->kv[k].v != NULL;
}

static int head_err(struct parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error about the section as a whole, at its header. */
static int head_err(struct parser *P, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return rd_err(&P->R, P->sline, 1, "%s", msg);
}

static int key_err(struct parser *P, enum key k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An error at a key. */
static int key_err(struct parser *P, enum key k, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return rd_err(&P->R, P->kv[k].kline, P->kv[k].kcol, "%s", msg);
}

static char *take(struct parser *P, enum key k)
{
	char *v = P->kv[k].v;

	P->kv[k].v = NULL;
	return v;
}

static int end_form_section(struct parser *P)
{
	struct wx_form *form = P->form;

	if (!given(P, K_KIND))
		return head_err(P, "[form] has no kind");
	if (!given(P, K_LABEL))
		return head_err(P, "[form] has no label");
	form->kind = P->expect;
	form->label = take(P, K_LABEL);
	form->help = take(P, K_HELP);
	return WX_OK;
}

static int applies(enum key k, enum wx_ftype t, enum wx_ftype item)
{
	enum wx_ftype e = t == WX_FT_LIST ? item : t;

	switch (k) {
	case K_ITEM:
	case K_MIN_ITEMS:
	case K_MAX_ITEMS:
		return t == WX_FT_LIST;
	case K_LINES:
		return t == WX_FT_TEXT || t == WX_FT_LIST;
	case K_CHOICES:
	case K_CHOICES_FROM:
		return e == WX_FT_CHOICE;
	case K_MIN_LENGTH:
	case K_MAX_LENGTH:
	case K_PATTERN:
	case K_PATTERN_HELP:
		return e == WX_FT_TEXT;
	case K_MIN:
	case K_MAX:
		return e == WX_FT_INTEGER || e == WX_FT_DATE || e == WX_FT_DATETIME ||
		       e == WX_FT_WEEK;
	default:
		return 1;
	}
}

/* A min or max written as a value of the field's (item) type. */
static int parse_bound(struct parser *P, struct wx_form_field *f, enum key k, struct wx_bound *b)
{
	struct kv *kv = &P->kv[k];
	enum wx_ftype t = f->type == WX_FT_LIST ? f->item : f->type;
	struct fail fl;
	struct val v = { 0, 0 };
	char *out;
	size_t dn;
	int rc;

	if (!kv->v)
		return WX_OK;
	out = malloc(kv->n + 1);
	if (!out)
		return rd_nomem(&P->R);
	rc = type_check(t, kv->v, kv->n, out, &dn, &v, &fl);
	if (rc != WX_OK) {
		char *q = quote(kv->v, kv->n), m[400];

		free(out);
		short_msg(key_names[k], Q(q), &fl, m, sizeof m);
		rc = val_err(P, k, 0, "%s", m);
		free(q);
		return rc;
	}
	out[dn] = '\0';
	b->set = 1;
	b->v = v.v;
	b->ns = v.ns;
	b->text = out;
	return WX_OK;
}

static void field_free(struct wx_form_field *f)
{
	free(f->name);
	free(f->label);
	free(f->help);
	free(f->section);
	wx_choices_free(f->own_choices);
	free(f->min.text);
	free(f->max.text);
	free(f->pattern);
	free(f->pattern_help);
	wx_regex_free(f->re);
	free(f->defval);
}

static int compile_pattern(struct parser *P, struct wx_form_field *f)
{
	struct kv *kv = &P->kv[K_PATTERN];
	struct wx_err e = { 0 };
	size_t off = 0;
	int rc;

	if (!kv->v)
		return WX_OK;
	if (kv->n > WX_REGEX_MAX_PATTERN)
		return val_err(P, K_PATTERN, 0, "bad pattern: longer than %d bytes",
			       WX_REGEX_MAX_PATTERN);
	rc = wx_regex_compile(&f->re, kv->v, WX_RE_WHOLE, &off, &e);
	if (rc == WX_ENOMEM)
		return rd_nomem(&P->R);
	if (rc != WX_OK) {
		/* PCRE2's own words, without the byte offset: the position says it */
		char *at = strstr(e.msg, " at offset ");

		if (at)
			*at = '\0';
		/* an offset in the middle of a character counts as that character */
		while (off > 0 && off < kv->n && ((unsigned char)kv->v[off] & 0xC0) == 0x80)
			off--;
		return val_err(P, K_PATTERN, off > kv->n ? kv->n : off, "%s", e.msg);
	}
	f->pattern = take(P, K_PATTERN);
	return WX_OK;
}

/* The width of the input box when the form does not give one. */
static int default_width(const struct wx_form_field *f)
{
	switch (f->type) {
	case WX_FT_TEXT:
		return f->max_length && f->max_length <= 60 ? (int)f->max_length : 40;
	case WX_FT_INTEGER:
	case WX_FT_DATE:
		return 10;
	case WX_FT_DATETIME:
		return 25;
	case WX_FT_WEEK:
		return 8;
	case WX_FT_YESNO:
		return 3;
	case WX_FT_CHOICE: {
		size_t w = 3;

		for (size_t i = 0; f->choices && i < f->choices->n; i++) {
			size_t c = nchars(f->choices->v[i].code, strlen(f->choices->v[i].code));

			if (c > w)
				w = c;
		}
		return (int)w;
	}
	case WX_FT_LIST:
		break;
	}
	return 40;
}

static int end_field_section(struct parser *P)
{
	const struct reads *reads = NULL;
	struct wx_form *form = P->form;
	struct wx_form_field *f;
	char *q;
	int rc;

	if (!given(P, K_LABEL))
		return head_err(P, "field '%s' has no label", P->fname);
	if (!given(P, K_TYPE))
		return head_err(P, "field '%s' has no type", P->fname);
	if (P->type == WX_FT_LIST && !given(P, K_ITEM))
		return head_err(P, "field '%s' has no item (a list needs item = TYPE)", P->fname);
	/* a field wexmatch reads keeps its type and its source of choices */
	for (const struct reads *r = reads_of(P->expect); r->name; r++) {
		if (strcmp(r->name, P->fname) != 0)
			continue;
		if (P->type != r->type)
			return val_err(P, K_TYPE, 0, "field '%s' must have type %s (wexmatch reads it)",
				       P->fname, wx_ftype_name(r->type));
		if (r->type == WX_FT_LIST && P->item != r->item)
			return val_err(P, K_ITEM, 0, "field '%s' must have item %s (wexmatch reads it)",
				       P->fname, wx_ftype_name(r->item));
		if (r->from && given(P, K_CHOICES))
			return key_err(P, K_CHOICES,
				       "field '%s' must have choices_from = %s (wexmatch reads it)",
				       P->fname, r->from);
		if (r->from && given(P, K_CHOICES_FROM) && strcmp(P->kv[K_CHOICES_FROM].v, r->from) != 0)
			return val_err(P, K_CHOICES_FROM, 0,
				       "field '%s' must have choices_from = %s (wexmatch reads it)",
				       P->fname, r->from);
		reads = r;
	}
	/* keys that do not apply, in the order they were written */
	for (unsigned o = 1; o <= P->nkeys; o++)
		for (int k = 0; k < K_COUNT; k++) {
			if (P->kv[k].order != o || !P->kv[k].v)
				continue;
			if (!applies((enum key)k, P->type, P->item)) {
				if (P->type == WX_FT_LIST)
					return key_err(P, (enum key)k,
						       "key '%s' does not apply to a list of %s",
						       key_names[k], wx_ftype_name(P->item));
				return key_err(P, (enum key)k, "key '%s' does not apply to type %s",
					       key_names[k], wx_ftype_name(P->type));
			}
			if (k == K_PATTERN_HELP && !given(P, K_PATTERN))
				return key_err(P, K_PATTERN_HELP, "pattern_help needs pattern");
			if (k == K_LIST_WIDTH && (!given(P, K_LIST_COLUMN) || !P->kv[K_LIST_COLUMN].num))
				return key_err(P, K_LIST_WIDTH, "list_width needs list_column = yes");
		}
	if (applies(K_CHOICES, P->type, P->item)) {
		if (given(P, K_CHOICES) && given(P, K_CHOICES_FROM))
			return key_err(P, P->kv[K_CHOICES].order > P->kv[K_CHOICES_FROM].order ?
				       K_CHOICES : K_CHOICES_FROM,
				       "both choices and choices_from given (give one)");
		if (!given(P, K_CHOICES) && !given(P, K_CHOICES_FROM))
			return head_err(P, "field '%s' has no choices (give choices or choices_from)",
					P->fname);
	}
	if (strcmp(P->fname, "id") == 0) {
		/* its type text is checked above: every kind reads it */
		if (given(P, K_REQUIRED) && !P->kv[K_REQUIRED].num)
			return val_err(P, K_REQUIRED, 0,
				       "field 'id' is always required (remove required = no)");
		if (given(P, K_DEFAULT))
			return key_err(P, K_DEFAULT, "field 'id' cannot have a default");
		if (given(P, K_SPECIAL) && P->kv[K_SPECIAL].num)
			return val_err(P, K_SPECIAL, 0, "field 'id' cannot be special");
	} else if (P->expect == WX_KIND_EQUALITY &&
		   (!given(P, K_SPECIAL) || !P->kv[K_SPECIAL].num)) {
		/* special = no given: at the value; not given: at the header */
		if (given(P, K_SPECIAL))
			return val_err(P, K_SPECIAL, 0,
				       "field '%s': special = yes is required in the equality form",
				       P->fname);
		return head_err(P, "field '%s': special = yes is required in the equality form",
				P->fname);
	}
	if (given(P, K_MIN_LENGTH) && given(P, K_MAX_LENGTH) &&
	    P->kv[K_MIN_LENGTH].num > P->kv[K_MAX_LENGTH].num)
		return val_err(P, K_MIN_LENGTH, 0, "min_length %" PRId64
			       " is greater than max_length %" PRId64,
			       P->kv[K_MIN_LENGTH].num, P->kv[K_MAX_LENGTH].num);
	if (given(P, K_MIN_ITEMS) && given(P, K_MAX_ITEMS) &&
	    P->kv[K_MIN_ITEMS].num > P->kv[K_MAX_ITEMS].num)
		return val_err(P, K_MIN_ITEMS, 0, "min_items %" PRId64
			       " is greater than max_items %" PRId64,
			       P->kv[K_MIN_ITEMS].num, P->kv[K_MAX_ITEMS].num);

	/* the field itself */
	if (form->n == P->fcap) {
		size_t cap = P->fcap ? P->fcap * 2 : 32;
		struct wx_form_field *nf = realloc(form->f, cap * sizeof *nf);

		if (!nf)
			return rd_nomem(&P->R);
		form->f = nf;
		P->fcap = cap;
	}
	f = &form->f[form->n];
	memset(f, 0, sizeof *f);
	/* counted from here on, so that an error below frees it */
	form->n++;
	f->name = P->fname;
	P->fname = NULL;
	f->line = P->sline;
	f->label = take(P, K_LABEL);
	f->help = take(P, K_HELP);
	f->type = P->type;
	f->item = P->type == WX_FT_LIST ? P->item : P->type;
	f->required = strcmp(f->name, "id") == 0 ||
		      (given(P, K_REQUIRED) && P->kv[K_REQUIRED].num);
	f->special = given(P, K_SPECIAL) && P->kv[K_SPECIAL].num;
	f->min_length = given(P, K_MIN_LENGTH) ? (size_t)P->kv[K_MIN_LENGTH].num : 0;
	f->max_length = given(P, K_MAX_LENGTH) ? (size_t)P->kv[K_MAX_LENGTH].num : 0;
	f->min_items = given(P, K_MIN_ITEMS) ? (size_t)P->kv[K_MIN_ITEMS].num : 0;
	f->max_items = given(P, K_MAX_ITEMS) ? (size_t)P->kv[K_MAX_ITEMS].num : 0;
	f->pattern_help = take(P, K_PATTERN_HELP);
	f->lines = given(P, K_LINES) ? (int)P->kv[K_LINES].num : 1;
	f->list_column = given(P, K_LIST_COLUMN) && P->kv[K_LIST_COLUMN].num;
	if (given(P, K_CHOICES)) {
		f->own_choices = P->choices;
		f->choices = P->choices;
		P->choices = NULL;
	}
	if (given(P, K_SECTION)) {
		f->section = take(P, K_SECTION);
	} else if (form->n > 1 && form->f[form->n - 2].section) {
		/* a field without a heading stays in the group before it */
		f->section = strdup(form->f[form->n - 2].section);
		if (!f->section)
			return rd_nomem(&P->R);
	}

	if ((rc = parse_bound(P, f, K_MIN, &f->min)) != WX_OK ||
	    (rc = parse_bound(P, f, K_MAX, &f->max)) != WX_OK)
		return rc;
	if (f->min.set && f->max.set &&
	    (f->min.v > f->max.v || (f->min.v == f->max.v && f->min.ns > f->max.ns))) {
		enum wx_ftype t = f->type == WX_FT_LIST ? f->item : f->type;

		if (t == WX_FT_INTEGER)
			return val_err(P, K_MIN, 0, "min %s is greater than max %s", f->min.text,
				       f->max.text);
		return val_err(P, K_MIN, 0, "min '%s' is after max '%s'", f->min.text, f->max.text);
	}
	if ((rc = compile_pattern(P, f)) != WX_OK)
		return rc;
	if (given(P, K_CHOICES_FROM)) {
		if (!P->forms) {
			q = quote(P->kv[K_CHOICES_FROM].v, P->kv[K_CHOICES_FROM].n);
			rc = val_err(P, K_CHOICES_FROM, 0,
				     "choices_from '%s' cannot be used here (no forms directory)", Q(q));
			free(q);
			return rc;
		}
		rc = get_list(P->forms, P->kv[K_CHOICES_FROM].v, &f->choices, P->R.err);
		if (rc != WX_OK)
			return rc;
	}
	/* statuses may be added, not removed: the workflow reads them */
	for (const char *const *st = reads ? reads->status : NULL; st && *st; st++) {
		size_t i;

		for (i = 0; i < f->choices->n; i++)
			if (strcmp(f->choices->v[i].code, *st) == 0)
				break;
		if (i == f->choices->n)
			return val_err(P, given(P, K_CHOICES) ? K_CHOICES : K_CHOICES_FROM, 0,
				       "field '%s' lacks the choice '%s' (wexmatch reads it)", f->name, *st);
	}
	if (given(P, K_DEFAULT)) {
		const struct kv *kv = &P->kv[K_DEFAULT];
		struct fail fl;
		size_t nl, toff;

		rc = check_value(f, kv->v, kv->n, &f->defval, &nl, &fl, &toff);
		if (rc == WX_ENOMEM)
			return rd_nomem(&P->R);
		if (rc != WX_OK) {
			char m[400];

			q = quote(kv->v + toff + fl.off, fl.len);
			short_msg(fl.item ? "default item" : "default", Q(q), &fl, m, sizeof m);
			rc = val_err(P, K_DEFAULT, toff + fl.off, "%s", m);
			free(q);
			return rc;
		}
	}
	f->width = given(P, K_WIDTH) ? (int)P->kv[K_WIDTH].num : default_width(f);
	if (f->list_column)
		f->list_width = given(P, K_LIST_WIDTH) ? (int)P->kv[K_LIST_WIDTH].num :
				f->width < 20 ? f->width : 20;
	return WX_OK;
}

static int end_section(struct parser *P)
{
	int rc = WX_OK;

	if (P->sk == S_FORM)
		rc = end_form_section(P);
	else if (P->sk == S_FIELD)
		rc = end_field_section(P);
	kv_reset(P);
	return rc;
}

/* A [form] or [field NAME] line (trimmed: t, n). */
static int header(struct parser *P, const char *t, size_t n, size_t col)
{
	struct reader *R = &P->R;
	const char *in = t + 1, *name;
	size_t inn = n >= 2 ? n - 2 : 0, nn;
	int rc;

	/* the section before ends here, and its errors come first */
	if ((rc = end_section(P)) != WX_OK)
		return rc;
	if (n < 2 || t[n - 1] != ']')
		goto bad;
	trim(&in, &inn);
	if (inn == 4 && memcmp(in, "form", 4) == 0) {
		if (P->form_line)
			return rd_err(R, R->lineno, col, "[form] given twice (first on line %u)",
				      P->form_line);
		P->sk = S_FORM;
		P->sline = P->form_line = R->lineno;
		return WX_OK;
	}
	if (inn < 6 || memcmp(in, "field", 5) != 0 || !is_blank(in[5]))
		goto bad;
	name = in + 5;
	nn = inn - 5;
	trim(&name, &nn);
	if (!is_name(name, nn)) {
		char *q = quote(name, nn);

		/* at the name itself (col is the header's first character) */
		rc = rd_err(R, R->lineno, col + nchars(t, (size_t)(name - t)),
			    "bad field name '%s' (expected a lower-case letter followed by up to 63 lower-case letters, digits or underscores)",
			    Q(q));
		free(q);
		return rc;
	}
	if (!P->form_line)
		return rd_err(R, R->lineno, col, "[field %.*s] before [form]", (int)nn, name);
	for (size_t i = 0; i < P->form->n; i++)
		if (strlen(P->form->f[i].name) == nn && memcmp(P->form->f[i].name, name, nn) == 0)
			return rd_err(R, R->lineno, col, "field '%.*s' already defined on line %u",
				      (int)nn, name, P->form->f[i].line);
	if (P->form->n == FIELDS_MAX)
		return rd_err(R, R->lineno, col, "more than %d fields", FIELDS_MAX);
	P->sk = S_FIELD;
	P->sline = R->lineno;
	P->fname = dup_bytes(name, nn);
	if (!P->fname)
		return rd_nomem(R);
	return WX_OK;
bad:
	{
		char *q = quote(t, n);

		rc = rd_err(R, R->lineno, col,
			    "bad section header '%s' (expected [form] or [field NAME])", Q(q));
		free(q);
		return rc;
	}
}

/* At the end of the file: the fields wexmatch reads are all there (their
 * types were checked with each field). */
static int check_reads(struct parser *P)
{
	P->sline = P->form_line;
	for (const struct reads *r = reads_of(P->expect); r->name; r++)
		if (!wx_form_find(P->form, r->name)) {
			char want[96];

			describe(r->type, r->item, r->from, want, sizeof want);
			return head_err(P, "form lacks field '%s', which wexmatch reads (%s)", r->name,
					want);
		}
	return WX_OK;
}

/* ---- forms ---- */

void wx_form_free(struct wx_form *form)
{
	if (!form)
		return;
	for (size_t i = 0; i < form->n; i++)
		field_free(&form->f[i]);
	free(form->f);
	free(form->path);
	free(form->label);
	free(form->help);
	free(form);
}

const struct wx_form_field *wx_form_find(const struct wx_form *form, const char *name)
{
	for (size_t i = 0; i < form->n; i++)
		if (strcmp(form->f[i].name, name) == 0)
			return &form->f[i];
	return NULL;
}

int wx_form_parse(struct wx_form **out, const char *path, const char *buf, size_t len,
		  enum wx_kind expect, struct wx_forms *forms, struct wx_err *err)
{
	struct parser P;
	const char *s;
	size_t n;
	int r, rc = WX_OK;

	*out = NULL;
	if ((unsigned)expect >= WX_KIND_COUNT)
		return wx_err_set(err, WX_EUSAGE, "%s: no such kind", path);
	if (len > FILE_MAX)
		return wx_err_set(err, WX_EDATA, "%s:1:1: file larger than 1 MiB (%d bytes)", path,
				  FILE_MAX);
	memset(&P, 0, sizeof P);
	P.expect = expect;
	P.forms = forms;
	P.form = calloc(1, sizeof *P.form);
	if (!P.form || !(P.form->path = strdup(path))) {
		free(P.form);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	P.form->kind = expect;
	rd_init(&P.R, path, buf, len, err);
	while ((r = next_line(&P.R, &s, &n)) > 0) {
		const char *t = s;
		size_t tn = n;

		trim(&t, &tn);
		if (tn && t[0] != '#' && t[0] != '[') {
			rc = read_key_line(&P.R, s, n);
			if (rc == WX_OK)
				rc = key_line(&P);
		} else if (n > LINE_MAX_BYTES) {
			rc = rd_err(&P.R, P.R.lineno, first_col(s, n), "line longer than %d bytes",
				    LINE_MAX_BYTES);
		} else if (tn && t[0] == '[') {
			rc = header(&P, t, tn, first_col(s, n));
		}
		if (rc != WX_OK)
			break;
	}
	if (r < 0)
		rc = err->code;
	if (rc == WX_OK)
		rc = end_section(&P);
	if (rc == WX_OK && !P.form_line)
		rc = rd_err(&P.R, 1, 1, "no [form] section");
	if (rc == WX_OK)
		rc = check_reads(&P);
	kv_reset(&P);
	rd_free(&P.R);
	if (rc != WX_OK) {
		wx_form_free(P.form);
		return rc;
	}
	*out = P.form;
	return WX_OK;
}

void wx_forms_free(struct wx_forms *forms)
{
	if (!forms)
		return;
	for (int k = 0; k < WX_KIND_COUNT; k++)
		wx_form_free(forms->form[k]);
	for (size_t i = 0; i < forms->nlists; i++)
		wx_choices_free(forms->lists[i]);
	free(forms->lists);
	free(forms->dir);
	free(forms);
}

int wx_forms_load(struct wx_forms **out, const char *dir, struct wx_err *err)
{
	struct wx_forms *forms;
	struct stat st;
	int rc = WX_OK;

	*out = NULL;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			return wx_err_set(err, WX_EIO, "%s: no such directory", dir);
		return io_err(err, dir, errno);
	}
	if (!S_ISDIR(st.st_mode))
		return wx_err_set(err, WX_EIO, "%s: not a directory", dir);
	forms = calloc(1, sizeof *forms);
	if (!forms || !(forms->dir = strdup(dir))) {
		free(forms);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	for (int k = 0; k < WX_KIND_COUNT && rc == WX_OK; k++) {
		char *path = join_path(dir, wx_kind_name((enum wx_kind)k)), *buf;
		size_t len;

		if (!path) {
			rc = wx_err_set(err, WX_ENOMEM, "out of memory");
			break;
		}
		rc = read_file(path, &buf, &len, err);
		if (rc == WX_OK) {
			rc = wx_form_parse(&forms->form[k], path, buf, len, (enum wx_kind)k, forms, err);
			free(buf);
		}
		free(path);
	}
	if (rc != WX_OK) {
		wx_forms_free(forms);
		return rc;
	}
	*out = forms;
	return WX_OK;
}

/* ---- records ---- */

long wx_form_check_record(const struct wx_form *form, struct wx_record *r,
			  wx_form_problem_fn report, void *ctx)
{
	long problems = 0;
	char msg[512];

	for (size_t i = 0; i < form->n; i++) {
		const struct wx_form_field *f = &form->f[i];
		const struct wx_field *v = wx_record_field(r, f->name);
		char *norm;
		size_t nl;
		int rc;

		if (!v) {
			if (f->required) {
				problems++;
				if (report)
					report(ctx, f->name, "required (expected a value)");
			}
			continue;
		}
		rc = wx_field_check(f, v->value, v->vlen, &norm, &nl, msg, sizeof msg);
		if (rc == WX_ENOMEM)
			return -1;
		if (rc != WX_OK) {
			problems++;
			if (report)
				report(ctx, f->name, msg);
			continue;
		}
		if (nl == 0)
			rc = wx_record_unset(r, f->name);
		else if (nl != v->vlen || memcmp(norm, v->value, nl) != 0)
			rc = wx_record_set(r, f->name, norm, nl);
		free(norm);
		if (rc == WX_ENOMEM)
			return -1;
	}
	return problems;
}

int wx_form_apply_defaults(const struct wx_form *form, struct wx_record *r)
{
	for (size_t i = 0; i < form->n; i++) {
		const struct wx_form_field *f = &form->f[i];
		const struct wx_field *v;
		const char *s;
		size_t n;

		if (!f->defval)
			continue;
		v = wx_record_field(r, f->name);
		if (v) {
			/* a value of spaces only counts as not given */
			s = v->value;
			n = v->vlen;
			trim(&s, &n);
			if (n)
				continue;
		}
		if (wx_record_set(r, f->name, f->defval, strlen(f->defval)) != WX_OK)
			return WX_ENOMEM;
	}
	return WX_OK;
}
