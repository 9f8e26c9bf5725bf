/* list.c: a list per kind.
 *
 * Two modes, chosen by what is asked:
 * - Browsing by id (no filter, sorted by id): nothing is loaded.  The list
 *   keeps the key of its top row in the id index and, at each redraw, opens
 *   a short read transaction, seeks to that key and reads one page forward;
 *   moving up steps the cursor backward.  Memory does not depend on the
 *   number of records, and End, Home or a page move cost one seek.
 * - Filtered or sorted by another column: one scan of the kind's records in
 *   a single snapshot, reading only the displayed columns from each encoded
 *   record, keeps a compact entry per selected record: its internal id and
 *   a 16-byte order-preserving prefix of the sort value (24 bytes: 24 MB for
 *   a million).  Entries are sorted by prefix; the few runs whose prefixes
 *   are equal and full are put in exact order by reading their whole
 *   values; other ties stay in the order the records were added.  Pages are
 *   then read by internal id, again one short transaction per redraw.
 *
 * The filter is a PCRE2 pattern (caseless, Unicode classes, the match
 * limits of regex.h) searched in the text of the displayed columns; it is
 * applied as it is typed, with the number of matches shown.  A pattern
 * that does not compile, or that hits a match limit, leaves the previous
 * result on screen with the reason on the message line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "wexmatch/escape.h"
#include "wexmatch/keys.h"
#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"
#include "wexmatch/utf8.h"
#include "wexmatch/values.h"

enum { OP_NONE, OP_UP, OP_DOWN, OP_PGUP, OP_PGDN, OP_HOME, OP_END };

static const char *const plural[] = { "candidates", "placements", "ambassadors", "requests",
				      "equality records" };

void tui_list_init(struct tui *t, struct tui_list *l, enum wx_kind k)
{
	const struct wx_form *form = t->forms->form[k];

	memset(l, 0, sizeof *l);
	l->kind = k;
	l->form = form;
	l->sortcol = -1;
	for (size_t i = 0; i < form->n && l->ncol < TUI_MAXCOLS; i++) {
		const struct wx_form_field *f = &form->f[i];

		if (!f->list_column)
			continue;
		l->col[l->ncol] = f;
		l->colw[l->ncol] = f->list_width > 0 ? f->list_width : f->width > 20 ? 20 : f->width;
		l->ncol++;
	}
	if (l->ncol == 0) {
		l->col[0] = wx_form_find(form, "id");
		l->colw[0] = 20;
		l->ncol = 1;
	}
}

static void cache_drop(struct tui_cache *c)
{
	free(c->e);
	free(c->text);
	memset(c, 0, sizeof *c);
}

void tui_list_free(struct tui_list *l)
{
	cache_drop(&l->cache);
	free(l->v);
	wx_regex_free(l->re);
	l->v = NULL;
	l->re = NULL;
}

void tui_list_refresh(struct tui_list *l)
{
	cache_drop(&l->cache);
	if (l->array)
		l->dirty = 1;
}

static int want_array(const struct tui_list *l)
{
	return l->re != NULL || l->sortcol >= 0 || l->desc;
}

static int is_id_col(const struct tui_list *l, int c)
{
	return c >= 0 && strcmp(l->col[c]->name, "id") == 0;
}

/* ---- one row ---- */

static void render_row(struct tui *t, struct tui_list *l, const void *buf, size_t len,
		       struct tui_row *r)
{
	size_t o = 0;

	r->line[0] = '\0';
	for (int c = 0; c < l->ncol; c++) {
		const char *v = "";
		size_t vl = 0;
		char cell[512];

		/* peek leaves val pointing elsewhere when the field is absent */
		if (wx_record_peek(buf, len, l->col[c]->name, &v, &vl) != WX_OK) {
			v = "";
			vl = 0;
		}
		tui_fit(t, v, vl, l->colw[c], cell, sizeof cell);
		if (o + strlen(cell) + 3 >= sizeof r->line)
			break;
		if (c > 0) {
			memcpy(r->line + o, "  ", 2);
			o += 2;
		}
		memcpy(r->line + o, cell, strlen(cell) + 1);
		o += strlen(cell);
	}
	while (o > 0 && r->line[o - 1] == ' ')
		r->line[--o] = '\0';
}

static int fill_row(struct wx_txn *tx, struct tui *t, struct tui_list *l, uint64_t iid,
		    struct tui_row *r)
{
	unsigned char key[8];
	struct wx_val v;
	const char *id = "";
	size_t idl = 0;
	int rc;

	r->iid = iid;
	wx_put_be64(key, iid);
	rc = wx_get(tx, wx_tb_records(l->kind), key, 8, &v);
	if (rc != WX_OK) {
		r->version = 0;
		r->idlen = 0;
		r->id[0] = '\0';
		snprintf(r->line, sizeof r->line, "(deleted)");
		return rc;
	}
	r->version = 0;
	{
		struct wx_record_iter it;

		wx_record_iter_init(&it, v.data, v.len, &r->version);
	}
	if (wx_record_peek(v.data, v.len, "id", &id, &idl) != WX_OK) {
		id = "";
		idl = 0;
	}
	if (idl > WX_ID_MAX)
		idl = WX_ID_MAX;
	memcpy(r->id, id, idl);
	r->id[idl] = '\0';
	r->idlen = idl;
	render_row(t, l, v.data, v.len, r);
	return WX_OK;
}

/* ---- browsing the id index ---- */

struct load_ctx {
	struct tui *t;
	struct tui_list *l;
	int rows;
};

static void set_top(struct tui_list *l, const struct wx_val *k)
{
	size_t n = k->len > WX_ID_MAX ? WX_ID_MAX : k->len;

	memcpy(l->topkey, k->data, n);
	l->topklen = n;
}

/* step back up to n entries from the top key; returns how many */
static int back_from_top(struct wx_cursor *c, struct tui_list *l, int n)
{
	struct wx_val k;
	int i = 0, rc = wx_cursor_seek(c, l->topkey, l->topklen, &k, NULL);

	if (rc == WX_ENOTFOUND)
		rc = WX_OK;   /* beyond the end: prev gives the last */
	else if (rc != WX_OK)
		return 0;
	while (i < n && wx_cursor_prev(c, &k, NULL) == WX_OK) {
		set_top(l, &k);
		i++;
	}
	return i;
}

static int collect(struct wx_txn *tx, struct wx_cursor *c, struct load_ctx *x)
{
	struct tui_list *l = x->l;
	struct wx_val k, v;
	int n = 0, rc = wx_cursor_seek(c, l->topkey, l->topklen, &k, &v);

	l->more = 0;
	while (rc == WX_OK) {
		if (n == x->rows) {
			l->more = 1;
			break;
		}
		if (v.len == 8) {
			struct tui_row *r = &l->rows[n];

			fill_row(tx, x->t, l, wx_get_be64(v.data), r);
			/* the key is the id as indexed (the stored id, trimmed) */
			r->idlen = k.len > WX_ID_MAX ? WX_ID_MAX : k.len;
			memcpy(r->id, k.data, r->idlen);
			r->id[r->idlen] = '\0';
			n++;
		}
		rc = wx_cursor_next(c, &k, &v);
	}
	l->nrows = n;
	return rc == WX_ENOTFOUND || rc == WX_OK ? WX_OK : rc;
}

static int browse_fn(struct wx_txn *tx, void *vctx)
{
	struct load_ctx *x = vctx;
	struct tui_list *l = x->l;
	struct wx_cursor *c;
	struct wx_val k;
	int rc = wx_cursor_open(tx, wx_tb_ids(l->kind), NULL, 0, &c), i;

	if (rc != WX_OK)
		return rc;
	wx_count(tx, wx_tb_records(l->kind), &l->total);
	switch (l->op) {
	case OP_UP:
		back_from_top(c, l, 1);
		break;
	case OP_DOWN:
		if (wx_cursor_seek(c, l->topkey, l->topklen, &k, NULL) == WX_OK &&
		    wx_cursor_next(c, &k, NULL) == WX_OK)
			set_top(l, &k);
		break;
	case OP_PGDN:
		if (wx_cursor_seek(c, l->topkey, l->topklen, &k, NULL) == WX_OK) {
			for (i = 0; i < x->rows && wx_cursor_next(c, &k, NULL) == WX_OK; i++)
				;
			if (i == x->rows)
				set_top(l, &k);
			else
				l->sel = x->rows - 1;
		}
		break;
	case OP_PGUP:
		if (back_from_top(c, l, x->rows) == 0)
			l->sel = 0;
		break;
	case OP_HOME:
		l->topklen = 0;
		l->sel = 0;
		break;
	case OP_END:
		if (wx_cursor_last(c, &k, NULL) == WX_OK) {
			set_top(l, &k);
			for (i = 1; i < x->rows && wx_cursor_prev(c, &k, NULL) == WX_OK; i++)
				set_top(l, &k);
		}
		l->sel = x->rows - 1;
		break;
	default:
		break;
	}
	l->op = OP_NONE;
	rc = collect(tx, c, x);
	if (rc == WX_OK && l->nrows < x->rows && l->total > (uint64_t)l->nrows) {
		/* the end is on screen but the page is not full (records were
		 * deleted, or End): end the page at the last record */
		int got = l->nrows;

		if (wx_cursor_last(c, &k, NULL) == WX_OK) {
			set_top(l, &k);
			for (i = 1; i < x->rows && wx_cursor_prev(c, &k, NULL) == WX_OK; i++)
				set_top(l, &k);
		}
		rc = collect(tx, c, x);
		l->sel += l->nrows - got;
	}
	wx_cursor_close(c);
	/* keys typed ahead act on this page before it is drawn */
	if (l->sel >= l->nrows)
		l->sel = l->nrows - 1;
	if (l->sel < 0)
		l->sel = 0;
	return rc;
}

/* ---- the scan for a filter or a sort ---- */

struct scan_ctx {
	struct tui *t;
	struct tui_list *l;
	struct tui_entry *v;
	size_t n, cap;
	int numeric;       /* 0 bytes, 1 integer, 2 date-time */
	const char *sortname;
	struct wx_err merr;
	uint64_t total;
};

static void make_key(const struct scan_ctx *c, const char *val, size_t vl, unsigned char *key)
{
	int64_t num;
	int32_t ns;

	memset(key, 0, 16);
	if (vl == 0) {
		key[0] = 2;     /* empty: last */
		return;
	}
	if (c->numeric == 1 && wx_parse_int(val, vl, &num) == WX_OK) {
		wx_put_be64(key + 1, (uint64_t)num ^ (UINT64_C(1) << 63));
		return;
	}
	if (c->numeric == 2 && wx_parse_datetime(val, vl, &num, &ns, NULL) == WX_OK) {
		wx_put_be64(key + 1, (uint64_t)num ^ (UINT64_C(1) << 63));
		wx_put_be32(key + 9, (uint32_t)ns);
		return;
	}
	key[0] = (unsigned char)(c->numeric ? 1 : 0);
	memcpy(key + 1, val, vl < 15 ? vl : 15);
}

static int scan_fn(struct wx_txn *tx, void *vctx)
{
	struct scan_ctx *c = vctx;
	struct tui_list *l = c->l;
	struct wx_cursor *cur;
	struct wx_val k, v;
	size_t snl = strlen(c->sortname), cnl[TUI_MAXCOLS];
	int rc = wx_cursor_open(tx, wx_tb_records(l->kind), NULL, 0, &cur), sortcol = -1;
	int need;

	/* the fields to read: the displayed columns and the sort field */
	for (int i = 0; i < l->ncol; i++) {
		cnl[i] = strlen(l->col[i]->name);
		if (cnl[i] == snl && memcmp(l->col[i]->name, c->sortname, snl) == 0)
			sortcol = i;
	}
	need = (l->re ? l->ncol : 0) + (sortcol < 0 || !l->re ? 1 : 0);
	c->n = 0;
	c->total = 0;
	{
		/* room for every record at once: no doubling (and no copy) */
		uint64_t count = 0;

		if (rc == WX_OK && wx_count(tx, wx_tb_records(l->kind), &count) == WX_OK &&
		    count > c->cap && count < ((uint64_t)1 << 32)) {
			struct tui_entry *nv = realloc(c->v, (size_t)(count + 1) * sizeof *nv);

			if (nv) {
				c->v = nv;
				c->cap = (size_t)count + 1;
			}
		}
	}
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		const char *name, *val, *sv = NULL;
		size_t nl, vl, svl = 0;
		int ok = l->re == NULL, found = 0;

		if (k.len != 8 || wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			continue;
		if ((++c->total & 8191) == 0)
			wx_store_release_pages(wx_txn_store(tx));
		/* one pass over the fields, stopping once everything needed was
		 * seen (list columns come early in the forms) */
		while (found < need && wx_record_iter_next(&it, &name, &nl, &val, &vl) == WX_OK) {
			if (nl == snl && memcmp(name, c->sortname, nl) == 0) {
				sv = val;
				svl = vl;
				if (sortcol < 0 || !l->re)
					found++;
			}
			if (!l->re)
				continue;
			for (int i = 0; i < l->ncol; i++) {
				if (cnl[i] != nl || memcmp(l->col[i]->name, name, nl) != 0)
					continue;
				found++;
				if (!ok && vl > 0) {
					rc = wx_regex_match(l->re, val, vl, &c->merr);
					if (rc == WX_OK) {
						ok = 1;
					} else if (rc == WX_EDATA) {
						wx_cursor_close(cur);
						return wx_txn_fail(tx, WX_EDATA, "%s", c->merr.msg);
					}
					rc = WX_OK;
				}
				break;
			}
		}
		if (!ok)
			continue;
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			struct tui_entry *nv = realloc(c->v, cap * sizeof *nv);

			if (!nv) {
				wx_cursor_close(cur);
				return wx_txn_fail(tx, WX_ENOMEM, "out of memory");
			}
			c->v = nv;
			c->cap = cap;
		}
		c->v[c->n].iid = wx_get_be64(k.data);
		make_key(c, sv, sv ? svl : 0, c->v[c->n].key);
		c->n++;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

/* An in-place sort (quicksort, median of three, insertion sort for short
 * ranges, recursion on the smaller side only): qsort in glibc allocates a
 * copy of the whole array, which for a million entries would double the
 * memory of a sorted list.  The comparisons never tie (the internal id
 * decides last), so equal keys cannot make it quadratic. */
typedef int (*cmp_fn)(const void *, const void *, void *);

static void swap_el(unsigned char *a, unsigned char *b, size_t size)
{
	unsigned char tmp[64];

	memcpy(tmp, a, size);
	memcpy(a, b, size);
	memcpy(b, tmp, size);
}

static void sort_inplace(void *base, size_t n, size_t size, cmp_fn cmp, void *arg)
{
	unsigned char *v = base;

	while (n > 12) {
		size_t mid = n / 2, i, j;
		unsigned char *lo = v, *m = v + mid * size, *hi = v + (n - 1) * size;

		/* median of three to the front as the pivot */
		if (cmp(m, lo, arg) < 0)
			swap_el(m, lo, size);
		if (cmp(hi, m, arg) < 0) {
			swap_el(hi, m, size);
			if (cmp(m, lo, arg) < 0)
				swap_el(m, lo, size);
		}
		swap_el(v, m, size);
		i = 0;
		j = n;
		for (;;) {
			do
				i++;
			while (i < n && cmp(v + i * size, v, arg) < 0);
			do
				j--;
			while (cmp(v + j * size, v, arg) > 0);
			if (i >= j)
				break;
			swap_el(v + i * size, v + j * size, size);
		}
		swap_el(v, v + j * size, size);
		/* [0, j) and [j + 1, n): recurse into the smaller */
		if (j < n - j - 1) {
			sort_inplace(v, j, size, cmp, arg);
			v += (j + 1) * size;
			n -= j + 1;
		} else {
			sort_inplace(v + (j + 1) * size, n - j - 1, size, cmp, arg);
			n = j;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(v + (j - 1) * size, v + j * size, arg) > 0; j--)
			swap_el(v + (j - 1) * size, v + j * size, size);
}

static int cmp_entry(const void *a, const void *b, void *arg)
{
	const struct tui_entry *x = a, *y = b;
	int desc = *(const int *)arg, r;

	if ((x->key[0] == 2) != (y->key[0] == 2))
		return x->key[0] == 2 ? 1 : -1;      /* empty last, either way */
	r = memcmp(x->key, y->key, 16);
	if (desc)
		r = -r;
	if (r)
		return r;
	return x->iid < y->iid ? -1 : x->iid > y->iid;
}

/* exact order inside runs of equal, full prefixes */
struct fix_ctx {
	struct tui_list *l;
	struct wx_txn *tx;
	const char *sortname;
	int desc;
};

/* one entry of a run, with its whole sort value */
struct full {
	struct tui_entry e;
	char *val;
	size_t len;
};

static int cmp_full(const void *a, const void *b, void *arg)
{
	const struct full *x = a, *y = b;
	int desc = *(const int *)arg;
	int r = memcmp(x->val, y->val, x->len < y->len ? x->len : y->len);

	if (r == 0)
		r = (x->len > y->len) - (x->len < y->len);
	if (desc)
		r = -r;
	return r ? r : (x->e.iid < y->e.iid ? -1 : x->e.iid > y->e.iid);
}

struct fixrun_ctx {
	struct fix_ctx f;
	struct tui_entry *v;
	size_t n;
};

/* Put a run of equal, full prefixes in exact order: each record's whole
 * value is read once (not at each comparison), then the run is sorted. */
static int fix_run(struct wx_txn *tx, struct fix_ctx *f, struct tui_entry *v, size_t n,
		   size_t *reads)
{
	struct full *a = calloc(n, sizeof *a);

	if (!a)
		return WX_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned char key[8];
		struct wx_val rv;
		const char *s = "";
		size_t sl = 0;

		a[i].e = v[i];
		wx_put_be64(key, v[i].iid);
		if (wx_get(tx, wx_tb_records(f->l->kind), key, 8, &rv) == WX_OK &&
		    wx_record_peek(rv.data, rv.len, f->sortname, &s, &sl) != WX_OK) {
			s = "";
			sl = 0;
		}
		a[i].val = malloc(sl + 1);
		if (a[i].val)
			memcpy(a[i].val, s, sl);
		a[i].len = a[i].val ? sl : 0;
		if ((++*reads & 127) == 0)   /* random reads map much more than they read */
			wx_store_release_pages(wx_txn_store(tx));
	}
	qsort_r(a, n, sizeof *a, cmp_full, &f->desc);
	for (size_t i = 0; i < n; i++) {
		v[i] = a[i].e;
		free(a[i].val);
	}
	free(a);
	return WX_OK;
}

static int fix_fn(struct wx_txn *tx, void *vctx)
{
	struct fixrun_ctx *c = vctx;

	size_t reads = 0;

	c->f.tx = tx;
	for (size_t i = 0; i < c->n;) {
		size_t j = i + 1;

		while (j < c->n && memcmp(c->v[j].key, c->v[i].key, 16) == 0)
			j++;
		if (j - i > 1 && c->v[i].key[0] != 2 && c->v[i].key[15] != 0 &&
		    fix_run(tx, &c->f, c->v + i, j - i, &reads) != WX_OK)
			return wx_txn_fail(tx, WX_ENOMEM, "out of memory");
		i = j;
	}
	return WX_OK;
}


/* ---- the column cache ---- */

struct cache_ctx {
	struct tui_list *l;
	struct scan_ctx *sc;
	int ok;                  /* 0: over the bound, given up */
};

static int cache_put(struct tui_cache *c, const void *p, size_t n)
{
	if (c->tlen + n > c->tcap) {
		size_t cap = c->tcap ? c->tcap * 2 : 1 << 20;
		char *nt;

		while (cap < c->tlen + n)
			cap *= 2;
		nt = realloc(c->text, cap);
		if (!nt)
			return -1;
		c->text = nt;
		c->tcap = cap;
	}
	memcpy(c->text + c->tlen, p, n);
	c->tlen += n;
	return 0;
}

static int cache_fn(struct wx_txn *tx, void *vctx)
{
	struct cache_ctx *x = vctx;
	struct tui_list *l = x->l;
	struct tui_cache *c = &l->cache;
	struct wx_cursor *cur;
	struct wx_val k, v;
	size_t cnl[TUI_MAXCOLS];
	int sortcol = c->sortcol;
	int rc = wx_cursor_open(tx, wx_tb_records(l->kind), NULL, 0, &cur);

	for (int i = 0; i < l->ncol; i++)
		cnl[i] = strlen(l->col[i]->name);
	c->n = 0;
	c->tlen = 0;
	x->ok = 1;
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		const char *name, *val, *cv[TUI_MAXCOLS];
		size_t nl, vl, cvl[TUI_MAXCOLS];
		int found = 0;

		if (k.len != 8 || wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			continue;
		if (((c->n + 1) & 8191) == 0)
			wx_store_release_pages(wx_txn_store(tx));
		for (int i = 0; i < l->ncol; i++) {
			cv[i] = "";
			cvl[i] = 0;
		}
		while (found < l->ncol && wx_record_iter_next(&it, &name, &nl, &val, &vl) == WX_OK)
			for (int i = 0; i < l->ncol; i++)
				if (cnl[i] == nl && memcmp(l->col[i]->name, name, nl) == 0) {
					cv[i] = val;
					cvl[i] = vl > 65535 ? 65535 : vl;
					found++;
					break;
				}
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			struct tui_centry *ne = realloc(c->e, cap * sizeof *ne);

			if (!ne) {
				x->ok = 0;
				break;
			}
			c->e = ne;
			c->cap = cap;
		}
		c->e[c->n].iid = wx_get_be64(k.data);
		c->e[c->n].off = (uint32_t)c->tlen;
		make_key(x->sc, cv[sortcol], cvl[sortcol], c->e[c->n].key);
		for (int i = 0; i < l->ncol; i++) {
			unsigned char len2[2] = { (unsigned char)(cvl[i] >> 8), (unsigned char)cvl[i] };

			if (cache_put(c, len2, 2) != 0 || cache_put(c, cv[i], cvl[i]) != 0) {
				x->ok = 0;
				break;
			}
		}
		c->n++;
		if (!x->ok || c->tlen + c->cap * sizeof *c->e > TUI_CACHE_MAX ||
		    c->tlen > UINT32_MAX - 65536) {
			x->ok = 0;
			break;
		}
	}
	wx_cursor_close(cur);
	x->sc->total = c->n;
	return rc == WX_ENOTFOUND || rc == WX_OK ? WX_OK : rc;
}

/* a column's text of a cached entry */
static const char *cache_col(const struct tui_cache *c, const struct tui_centry *e, int col,
			     size_t *len)
{
	const unsigned char *p = (const unsigned char *)c->text + e->off;

	for (int i = 0; i < col; i++)
		p += 2 + ((size_t)p[0] << 8 | p[1]);
	*len = (size_t)p[0] << 8 | p[1];
	return (const char *)p + 2;
}

static const struct tui_cache *cmp_cache_c;

static int cmp_cached(const void *a, const void *b, void *arg)
{
	const struct tui_centry *x = a, *y = b;
	int desc = *(const int *)arg, r;

	if ((x->key[0] == 2) != (y->key[0] == 2))
		return x->key[0] == 2 ? 1 : -1;
	r = memcmp(x->key, y->key, 16);
	if (r == 0 && x->key[0] != 2 && x->key[15] != 0) {
		/* equal full prefixes: the whole values decide */
		size_t lx, ly;
		const char *sx = cache_col(cmp_cache_c, x, cmp_cache_c->sortcol, &lx);
		const char *sy = cache_col(cmp_cache_c, y, cmp_cache_c->sortcol, &ly);

		r = memcmp(sx, sy, lx < ly ? lx : ly);
		if (r == 0)
			r = (lx > ly) - (lx < ly);
	}
	if (desc)
		r = -r;
	if (r)
		return r;
	return x->iid < y->iid ? -1 : x->iid > y->iid;
}

/* Build the cache (one scan, sorted once); 0 when the kind is too big. */
static int cache_build(struct tui *t, struct tui_list *l, struct scan_ctx *sc, int sortcol)
{
	struct cache_ctx x = { l, sc, 0 };
	struct tui_cache *c = &l->cache;
	int desc = l->desc;

	cache_drop(c);
	c->sortcol = sortcol;
	c->desc = l->desc;
	/* a kind whose cache would pass the bound is not tried: with about 40
	 * bytes of column text a record, that is beyond some 300,000 records */
	if (l->total * (sizeof *c->e + 40) > TUI_CACHE_MAX)
		return 0;
	wx_err_clear(&t->err);
	if (wx_store_read(t->s, cache_fn, &x, &t->err) != WX_OK || !x.ok) {
		cache_drop(c);
		return 0;
	}
	wx_store_release_pages(t->s);
	cmp_cache_c = c;
	sort_inplace(c->e, c->n, sizeof *c->e, cmp_cached, &desc);
	c->valid = 1;
	return 1;
}

/* The selection from the cache: entries in cache order that pass the filter. */
static int cache_filter(struct tui_list *l, struct scan_ctx *sc)
{
	struct tui_cache *c = &l->cache;

	sc->v = malloc((c->n ? c->n : 1) * sizeof *sc->v);
	if (!sc->v)
		return WX_ENOMEM;
	sc->cap = c->n ? c->n : 1;
	sc->n = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct tui_centry *e = &c->e[i];
		int ok = l->re == NULL;

		for (int col = 0; !ok && col < l->ncol; col++) {
			size_t len;
			const char *s = cache_col(c, e, col, &len);
			int rc;

			if (len == 0)
				continue;
			rc = wx_regex_match(l->re, s, len, &sc->merr);
			if (rc == WX_OK)
				ok = 1;
			else if (rc == WX_EDATA) {
				free(sc->v);
				sc->v = NULL;
				return WX_EDATA;
			}
		}
		if (ok) {
			sc->v[sc->n].iid = e->iid;
			memcpy(sc->v[sc->n].key, e->key, 16);
			sc->n++;
		}
	}
	sc->total = c->n;
	return WX_OK;
}

static void rescan(struct tui *t, struct tui_list *l)
{
	struct scan_ctx c;
	uint64_t keep = 0;
	int has_keep = 0;

	memset(&c, 0, sizeof c);
	c.t = t;
	c.l = l;
	if (l->array && l->top + (size_t)l->sel < l->n) {
		keep = l->v[l->top + (size_t)l->sel].iid;
		has_keep = 1;
	} else if (!l->array && l->sel < l->nrows) {
		keep = l->rows[l->sel].iid;
		has_keep = 1;
	}
	{
		const struct wx_form_field *sf = l->sortcol >= 0 ? l->col[l->sortcol]
								 : wx_form_find(l->form, "id");

		c.sortname = sf ? sf->name : "id";
		c.numeric = sf && sf->type == WX_FT_INTEGER ? 1 : sf && sf->type == WX_FT_DATETIME ? 2 : 0;
	}
	wx_err_clear(&c.merr);
	wx_err_clear(&t->err);
	if (l->v && l->n * sizeof *l->v > ((size_t)8 << 20)) {
		/* a big result is not kept beside the next one (two arrays of a
		 * million would pass 50 MB): if the next scan fails, the list
		 * is empty with the reason, not the last result */
		free(l->v);
		l->v = NULL;
		l->n = l->cap = 0;
		l->top = 0;
	}
	{
		/* the sort column among the displayed ones (the cache holds those) */
		int scol = -1;

		for (int i = 0; i < l->ncol; i++)
			if (strcmp(l->col[i]->name, c.sortname) == 0)
				scol = i;
		if (scol >= 0 && (!l->cache.valid || l->cache.sortcol != scol ||
				  l->cache.desc != l->desc))
			cache_build(t, l, &c, scol);
		if (scol >= 0 && l->cache.valid) {
			int rc = cache_filter(l, &c);

			if (rc == WX_OK)
				goto have;
			if (rc == WX_EDATA) {
				tui_fit(t, c.merr.msg, strlen(c.merr.msg), -1, l->ferr, sizeof l->ferr);
				l->dirty = 0;
				return;
			}
		}
	}
	if (wx_store_read(t->s, scan_fn, &c, &t->err) != WX_OK) {
		free(c.v);
		if (t->err.code == WX_EDATA)
			tui_fit(t, t->err.msg, strlen(t->err.msg), -1, l->ferr, sizeof l->ferr);
		else
			tui_message(t, 1, "%s", t->err.msg);
		l->dirty = 0;
		return;
	}
	{
		int desc = l->desc;
		struct fixrun_ctx fc;

		sort_inplace(c.v, c.n, sizeof *c.v, cmp_entry, &desc);
		memset(&fc, 0, sizeof fc);
		fc.f.l = l;
		fc.f.sortname = c.sortname;
		fc.f.desc = l->desc;
		fc.v = c.v;
		fc.n = c.n;
		wx_store_read(t->s, fix_fn, &fc, &t->err);
	}
	wx_store_release_pages(t->s);   /* a scan of the store: keep the resident set small */
have:
	free(l->v);
	l->v = c.v;
	l->n = c.n;
	l->cap = c.cap;
	l->total = c.total;
	l->array = 1;
	l->dirty = 0;
	l->top = 0;
	l->sel = 0;
	if (has_keep) {
		for (size_t i = 0; i < l->n; i++) {
			if (l->v[i].iid == keep) {
				int rows = tui_body_rows() - 1;

				l->top = i >= (size_t)rows / 2 ? i - (size_t)rows / 2 : 0;
				l->sel = (int)(i - l->top);
				break;
			}
		}
	}
}

static void leave_array(struct tui_list *l)
{
	/* back to browsing, from the record that was selected */
	if (l->array && l->top + (size_t)l->sel < l->n && l->sel < l->nrows && l->rows[l->sel].idlen) {
		memcpy(l->topkey, l->rows[l->sel].id, l->rows[l->sel].idlen);
		l->topklen = l->rows[l->sel].idlen;
	}
	l->sel = 0;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->array = 0;
}

static int array_fn(struct wx_txn *tx, void *vctx)
{
	struct load_ctx *x = vctx;
	struct tui_list *l = x->l;
	int n = 0;

	for (size_t i = l->top; i < l->n && n < x->rows; i++, n++)
		fill_row(tx, x->t, l, l->v[i].iid, &l->rows[n]);
	l->nrows = n;
	l->more = l->top + (size_t)n < l->n;
	return WX_OK;
}

static void load_browse(struct tui *t, struct tui_list *l)
{
	struct load_ctx x;
	int rows = tui_body_rows() - 1;

	x.t = t;
	x.l = l;
	x.rows = rows > TUI_MAXROWS ? TUI_MAXROWS : rows;
	wx_err_clear(&t->err);
	if (wx_store_read(t->s, browse_fn, &x, &t->err) != WX_OK)
		tui_message(t, 1, "%s", t->err.msg);
}

/* ---- drawing ---- */

static void draw_header(struct tui *t, struct tui_list *l, int y)
{
	int x = 0;

	move(y, 0);
	clrtoeol();
	for (int c = 0; c < l->ncol && x < COLS; c++) {
		char lab[512];
		int sorted = c == l->sortcol || (l->sortcol < 0 && is_id_col(l, c));
		int w = l->colw[c];

		/* the label, then ^ or v on the sorted column */
		tui_fit(t, l->col[c]->label, strlen(l->col[c]->label), sorted ? w - 2 : w, lab,
			sizeof lab - 3);
		if (sorted)
			strcat(lab, l->desc ? " v" : " ^");
		attrset(tui_attr(t, c == l->curcol ? TR_HEADSEL : TR_HEADER));
		mvaddstr(y, x, lab);
		attrset(A_NORMAL);
		x += w + 2;
	}
}

static void draw_status(struct tui *t, struct tui_list *l)
{
	char buf[1200], pos[64] = "";
	int y = LINES - 2;

	if (l->array && l->n)
		snprintf(pos, sizeof pos, "  row %zu of %zu", l->top + (size_t)l->sel + 1, l->n);
	if (l->editing || l->re || l->ferr[0]) {
		char pat[600];

		tui_fit(t, l->filter, l->flen, -1, pat, sizeof pat);
		if (l->ferr[0])
			snprintf(buf, sizeof buf, "/%s  %s", pat, l->ferr);
		else
			snprintf(buf, sizeof buf, "/%s  %zu of %llu match%s", pat, l->re ? l->n : (size_t)l->total,
				 (unsigned long long)l->total, pos);
	} else {
		char lab[300] = "";

		if (l->sortcol >= 0)
			tui_fit(t, l->col[l->sortcol]->label, strlen(l->col[l->sortcol]->label), -1, lab,
				sizeof lab);
		snprintf(buf, sizeof buf, "%llu %s%s%s%s", (unsigned long long)l->total,
			 l->total == 1 ? wx_kind_name(l->kind) : plural[l->kind],
			 l->sortcol >= 0 ? ", sorted by " : "", lab, pos);
		if (l->sortcol < 0 && l->desc)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ", by id reversed");
	}
	if (!l->editing && t->msg[0])
		return;   /* the message line shows the message */
	move(y, 0);
	clrtoeol();
	/* buf was built from escaped parts: show it as it is */
	attrset(tui_attr(t, l->ferr[0] ? TR_ERROR : TR_NORMAL));
	mvaddnstr(y, 0, buf, COLS - 1);
	attrset(A_NORMAL);
	if (l->editing) {
		char pre[600];
		size_t w;

		tui_fit(t, l->filter, l->fcur, -1, pre, sizeof pre);
		w = wx_text_width(pre) + 1;
		curs_set(1);
		move(y, (int)(w < (size_t)COLS ? w : (size_t)COLS - 1));
	}
}

void tui_list_draw(struct tui *t)
{
	struct tui_list *l = &t->list[t->cur];
	struct load_ctx x;
	int top = tui_body_top(), rows = tui_body_rows() - 1;

	if (rows > TUI_MAXROWS)
		rows = TUI_MAXROWS;
	curs_set(0);
	if (want_array(l) && (!l->array || l->dirty))
		rescan(t, l);
	else if (!want_array(l) && l->array)
		leave_array(l);
	x.t = t;
	x.l = l;
	x.rows = rows;
	wx_err_clear(&t->err);
	if (l->array) {
		if (l->n == 0) {
			l->top = 0;
			l->sel = 0;
		} else {
			if (l->top >= l->n)
				l->top = l->n - 1;
			if (l->top + (size_t)rows > l->n)
				l->top = l->n > (size_t)rows ? l->n - (size_t)rows : 0;
			if (l->top + (size_t)l->sel >= l->n)
				l->sel = (int)(l->n - 1 - l->top);
		}
		wx_store_read(t->s, array_fn, &x, &t->err);
	} else {
		load_browse(t, l);
	}
	if (l->sel >= l->nrows)
		l->sel = l->nrows - 1;
	if (l->sel < 0)
		l->sel = 0;
	draw_header(t, l, top);
	for (int i = 0; i < rows; i++) {
		int y = top + 1 + i;

		move(y, 0);
		clrtoeol();
		if (i < l->nrows) {
			char cut[2048];

			/* rows hold escaped text: cut (or, selected, pad) to the
			 * width, so that a line never wraps onto the next */
			wx_text_fit(l->rows[i].line, (size_t)COLS, cut, sizeof cut);
			if (i != l->sel) {
				size_t n = strlen(cut);

				while (n > 0 && cut[n - 1] == ' ')
					cut[--n] = '\0';
			}
			attrset(i == l->sel ? tui_attr(t, TR_SELECT) : (int)A_NORMAL);
			mvaddstr(y, 0, cut);
			attrset(A_NORMAL);
		}
	}
	if (l->nrows == 0) {
		const char *m = l->re ? "No record matches the filter." : "No records yet: a adds one.";

		mvaddstr(top + 2, 2, m);
	}
	draw_status(t, l);
}

/* ---- keys ---- */

int tui_list_current(struct tui *t, uint64_t *iid, uint64_t *version)
{
	struct tui_list *l = &t->list[t->cur];

	if (l->sel < 0 || l->sel >= l->nrows || l->rows[l->sel].version == 0)
		return 0;
	*iid = l->rows[l->sel].iid;
	*version = l->rows[l->sel].version;
	return 1;
}

static void set_filter(struct tui *t, struct tui_list *l)
{
	struct wx_regex *re = NULL;
	struct wx_err e;
	size_t off = 0;

	l->ferr[0] = '\0';
	if (l->flen == 0) {
		wx_regex_free(l->re);
		l->re = NULL;
		l->dirty = 1;
		return;
	}
	if (wx_utf8_valid_prefix((const unsigned char *)l->filter, l->flen) != l->flen)
		return;   /* a character still being typed */
	wx_err_clear(&e);
	if (wx_regex_compile(&re, l->filter, WX_RE_CASELESS | WX_RE_UCP, &off, &e) != WX_OK) {
		char m[sizeof l->ferr];

		tui_fit(t, e.msg, strlen(e.msg), -1, m, sizeof m);
		snprintf(l->ferr, sizeof l->ferr, "%s", m);
		return;
	}
	wx_regex_free(l->re);
	l->re = re;
	l->dirty = 1;
	if (!l->array) {
		l->array = 0;
	}
}

static void filter_key(struct tui *t, struct tui_list *l, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		l->editing = 0;
		if (l->ferr[0]) {
			/* keep what works: the last pattern that compiled */
			if (l->re) {
				snprintf(l->filter, sizeof l->filter, "%s", wx_regex_pattern(l->re));
				l->flen = l->fcur = strlen(l->filter);
			} else {
				l->flen = l->fcur = 0;
				l->filter[0] = '\0';
			}
			l->ferr[0] = '\0';
		}
		return;
	}
	if (ch == 27 || ch == TUI_CTRL('c') || ch == TUI_CTRL('x')) {
		l->editing = 0;
		l->flen = l->fcur = 0;
		l->filter[0] = '\0';
		set_filter(t, l);
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == TUI_CTRL('h')) {
		size_t p = l->fcur;

		if (p == 0)
			return;
		p--;
		while (p > 0 && ((unsigned char)l->filter[p] & 0xC0) == 0x80)
			p--;
		memmove(l->filter + p, l->filter + l->fcur, l->flen - l->fcur + 1);
		l->flen -= l->fcur - p;
		l->fcur = p;
		set_filter(t, l);
		return;
	}
	if (ch == KEY_LEFT) {
		while (l->fcur > 0 && ((unsigned char)l->filter[--l->fcur] & 0xC0) == 0x80)
			;
		return;
	}
	if (ch == KEY_RIGHT) {
		while (l->fcur < l->flen && ((unsigned char)l->filter[++l->fcur] & 0xC0) == 0x80)
			;
		return;
	}
	if (ch == TUI_CTRL('u')) {
		l->flen = l->fcur = 0;
		l->filter[0] = '\0';
		set_filter(t, l);
		return;
	}
	if (ch >= 0x20 && ch < 0x100 && ch != 127 && l->flen + 1 < sizeof l->filter) {
		memmove(l->filter + l->fcur + 1, l->filter + l->fcur, l->flen - l->fcur + 1);
		l->filter[l->fcur++] = (char)ch;
		l->flen++;
		set_filter(t, l);
	}
}

static void move_array(struct tui_list *l, int action, int rows)
{
	size_t idx = l->top + (size_t)l->sel;

	if (l->n == 0)
		return;
	switch (action) {
	case TA_DOWN: case TA_NEXT: if (idx + 1 < l->n) idx++; break;
	case TA_UP: case TA_PREV: if (idx > 0) idx--; break;
	case TA_PGDN: idx = idx + (size_t)rows < l->n ? idx + (size_t)rows : l->n - 1;
		if (l->top + 2 * (size_t)rows <= l->n) l->top += (size_t)rows;
		else l->top = l->n > (size_t)rows ? l->n - (size_t)rows : 0;
		break;
	case TA_PGUP: idx = idx > (size_t)rows ? idx - (size_t)rows : 0;
		l->top = l->top > (size_t)rows ? l->top - (size_t)rows : 0;
		break;
	case TA_HOME: idx = 0; break;
	case TA_END: idx = l->n - 1; break;
	default: break;
	}
	if (idx < l->top)
		l->top = idx;
	if (idx >= l->top + (size_t)rows)
		l->top = idx - (size_t)rows + 1;
	l->sel = (int)(idx - l->top);
}

static void load_browse(struct tui *t, struct tui_list *l);

static void move_browse(struct tui *t, struct tui_list *l, int action, int rows)
{
	switch (action) {
	case TA_DOWN: case TA_NEXT:
		if (l->sel + 1 < l->nrows)
			l->sel++;
		else if (l->more)
			l->op = OP_DOWN;
		break;
	case TA_UP: case TA_PREV:
		if (l->sel > 0)
			l->sel--;
		else
			l->op = OP_UP;
		break;
	case TA_PGDN: l->op = OP_PGDN; break;
	case TA_PGUP: l->op = OP_PGUP; break;
	case TA_HOME: l->op = OP_HOME; break;
	case TA_END: l->op = OP_END; break;
	default: break;
	}
	(void)rows;
	/* apply the move now: keys typed ahead come before the next redraw */
	if (l->op != OP_NONE)
		load_browse(t, l);
}

void tui_list_key(struct tui *t, int action, int ch)
{
	struct tui_list *l = &t->list[t->cur];
	int rows = tui_body_rows() - 1;
	uint64_t iid, version;

	if (l->editing) {
		filter_key(t, l, ch);
		return;
	}
	switch (action) {
	case TA_FILTER:
		/* read the columns once now: each keystroke then filters in memory */
		if (!l->cache.valid) {
			struct scan_ctx sc;
			int scol = -1;
			const char *sn = l->sortcol >= 0 ? l->col[l->sortcol]->name : "id";
			const struct wx_form_field *sf = wx_form_find(l->form, sn);

			memset(&sc, 0, sizeof sc);
			sc.t = t;
			sc.l = l;
			sc.sortname = sn;
			sc.numeric = sf && sf->type == WX_FT_INTEGER ? 1 : sf && sf->type == WX_FT_DATETIME ? 2 : 0;
			for (int i = 0; i < l->ncol; i++)
				if (strcmp(l->col[i]->name, sn) == 0)
					scol = i;
			if (scol >= 0)
				cache_build(t, l, &sc, scol);
			wx_store_release_pages(t->s);
		}
		l->editing = 1;
		memcpy(l->kept, l->filter, sizeof l->kept);
		l->fcur = l->flen;
		break;
	case TA_NEXT: case TA_PREV:
		if (!l->re) {
			tui_message(t, 0, "No filter: / sets one.");
			break;
		}
		/* fall through */
	case TA_DOWN: case TA_UP: case TA_PGDN: case TA_PGUP: case TA_HOME: case TA_END:
		if (l->array)
			move_array(l, action, rows);
		else
			move_browse(t, l, action, rows);
		break;
	case TA_LEFT:
		if (l->curcol > 0)
			l->curcol--;
		break;
	case TA_RIGHT:
		if (l->curcol + 1 < l->ncol)
			l->curcol++;
		break;
	case TA_SORT: {
		int target = is_id_col(l, l->curcol) ? -1 : l->curcol;

		if (target == l->sortcol) {
			l->desc = !l->desc;
		} else {
			l->sortcol = target;
			l->desc = 0;
		}
		l->dirty = 1;
		break;
	}
	case TA_OPEN:
		if (tui_list_current(t, &iid, &version)) {
			t->vkind = l->kind;
			t->viid = iid;
			t->vtop = 0;
			tui_push(t, TS_VIEW);
		}
		break;
	case TA_ADD:
		tui_edit_open(t, l->kind, 0);
		break;
	case TA_EDIT:
		if (tui_list_current(t, &iid, &version))
			tui_edit_open(t, l->kind, iid);
		break;
	case TA_DELETE:
		if (tui_list_current(t, &iid, &version))
			tui_delete(t, l->kind, iid, version);
		break;
	case TA_ERASE:
		if (tui_list_current(t, &iid, &version))
			tui_erase(t, l->kind, iid);
		break;
	case TA_HISTORY:
		if (tui_list_current(t, &iid, &version)) {
			t->vkind = l->kind;
			t->viid = iid;
			t->vtop = 0;
			tui_push(t, TS_HIST);
		}
		break;
	case TA_TAB:
		t->cur = (t->cur + 1) % TUI_LISTS;
		if (t->cur == TUI_LISTS - 1)
			t->screen = TS_RUNS;
		clear();
		break;
	case TA_LIST1: case TA_LIST2: case TA_LIST3: case TA_LIST4: case TA_LIST5:
		t->cur = action - TA_LIST1;
		if (t->cur == TUI_LISTS - 1)
			t->screen = TS_RUNS;
		clear();
		break;
	case TA_MATCH:
		t->cur = TUI_LISTS - 1;
		t->screen = TS_RUNS;
		clear();
		break;
	case TA_QUIT:
		t->quit = 1;
		break;
	default:
		break;
	}
}
