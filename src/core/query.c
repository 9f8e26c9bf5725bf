/* query.c: filters and sorting over a zero-copy scan of encoded records. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wexmatch/keys.h"
#include "wexmatch/query.h"
#include "wexmatch/record.h"
#include "wexmatch/values.h"

void wx_query_init(struct wx_query *q, const struct wx_form *form)
{
	memset(q, 0, sizeof *q);
	q->form = form;
}

void wx_query_free(struct wx_query *q)
{
	for (size_t i = 0; i < q->nwhere; i++) {
		free(q->where[i].field);
		free(q->where[i].value);
		wx_regex_free(q->where[i].re);
	}
	free(q->where);
	free(q->sort);
	memset(q, 0, sizeof *q);
}

static int known_field(const struct wx_query *q, const char *name, struct wx_err *err)
{
	if (wx_form_find(q->form, name))
		return WX_OK;
	return wx_err_set(err, WX_EUSAGE, "unknown field '%s' (expected a field of the %s form)",
			  name, wx_kind_name(q->form->kind));
}

int wx_query_where(struct wx_query *q, const char *arg, struct wx_err *err)
{
	size_t flen = strcspn(arg, "~=");
	struct wx_where w, *nw;
	int rc;

	if (arg[flen] == '\0' || flen == 0)
		return wx_err_set(err, WX_EUSAGE, "'%s': expected FIELD~PATTERN or FIELD=VALUE", arg);
	memset(&w, 0, sizeof w);
	w.op = arg[flen];
	w.field = strndup(arg, flen);
	w.value = strdup(arg + flen + 1);
	if (!w.field || !w.value) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		goto fail;
	}
	rc = known_field(q, w.field, err);
	if (rc != WX_OK)
		goto fail;
	if (w.op == WX_WHERE_MATCH) {
		struct wx_err perr;

		wx_err_clear(&perr);
		rc = wx_regex_compile(&w.re, w.value, WX_RE_UCP, NULL, &perr);
		if (rc != WX_OK) {
			wx_err_set(err, rc, "%s~%s: %s", w.field, w.value, perr.msg);
			goto fail;
		}
	}
	nw = realloc(q->where, (q->nwhere + 1) * sizeof *nw);
	if (!nw) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		goto fail;
	}
	q->where = nw;
	q->where[q->nwhere++] = w;
	return WX_OK;
fail:
	free(w.field);
	free(w.value);
	wx_regex_free(w.re);
	return rc;
}

int wx_query_sort(struct wx_query *q, const char *arg, struct wx_err *err)
{
	int desc = arg[0] == '-';
	int rc = known_field(q, arg + desc, err);

	if (rc != WX_OK)
		return rc;
	free(q->sort);
	q->sort = strdup(arg + desc);
	q->descending = desc;
	return q->sort ? WX_OK : wx_err_set(err, WX_ENOMEM, "out of memory");
}

/* One selected record: its internal id, its id and its sort key. */
struct hit {
	uint64_t iid;
	char *id;            /* malloc'd, NUL-terminated */
	char *key;           /* text key, or NULL when empty */
	int64_t num;         /* numeric key (integers, date-time seconds) */
	int32_t ns;
	int has_num;
};

struct run_ctx {
	const struct wx_query *q;
	int numeric;         /* 0 bytes, 1 integer, 2 date-time */
	struct hit *hits;
	size_t n, cap;
	struct wx_err *err;
};

static void free_hits(struct run_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->hits[i].id);
		free(c->hits[i].key);
	}
	free(c->hits);
	c->hits = NULL;
	c->n = c->cap = 0;
}

static int add_hit(struct run_ctx *c, uint64_t iid, const char *id, size_t idlen,
		   const char *key, size_t klen)
{
	struct hit *h;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct hit *nh = realloc(c->hits, cap * sizeof *nh);

		if (!nh)
			return WX_ENOMEM;
		c->hits = nh;
		c->cap = cap;
	}
	h = &c->hits[c->n];
	memset(h, 0, sizeof *h);
	h->iid = iid;
	h->id = strndup(id ? id : "", id ? idlen : 0);
	if (!h->id)
		return WX_ENOMEM;
	if (key && klen) {
		if (c->numeric == 1 && wx_parse_int(key, klen, &h->num) == WX_OK)
			h->has_num = 1;
		else if (c->numeric == 2 &&
			 wx_parse_datetime(key, klen, &h->num, &h->ns, NULL) == WX_OK)
			h->has_num = 1;
		if (!h->has_num && !(h->key = strndup(key, klen))) {
			free(h->id);
			return WX_ENOMEM;
		}
	}
	c->n++;
	return WX_OK;
}

#define MAX_WHERE 64

static int run_fn(struct wx_txn *t, void *vctx)
{
	struct run_ctx *c = vctx;
	const struct wx_query *q = c->q;
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc;

	free_hits(c);    /* a retried snapshot starts again */
	rc = wx_cursor_open(t, wx_tb_records(q->form->kind), NULL, 0, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		const char *wval[MAX_WHERE], *id = NULL, *key = NULL, *name, *val;
		size_t wlen[MAX_WHERE], idlen = 0, klen = 0, nl, vl, i;
		struct wx_record_iter it;
		int ok = 1, ir;

		if (k.len != 8 || wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			continue;   /* `wexmatch check` reports damage; a list shows what it can */
		for (i = 0; i < q->nwhere; i++) {
			wval[i] = "";
			wlen[i] = 0;
		}
		/* one pass over the fields picks up everything needed */
		while ((ir = wx_record_iter_next(&it, &name, &nl, &val, &vl)) == WX_OK) {
			if (nl == 2 && memcmp(name, "id", 2) == 0) {
				id = val;
				idlen = vl;
			}
			if (q->sort && strlen(q->sort) == nl && memcmp(q->sort, name, nl) == 0) {
				key = val;
				klen = vl;
			}
			for (i = 0; i < q->nwhere; i++) {
				if (strlen(q->where[i].field) == nl &&
				    memcmp(q->where[i].field, name, nl) == 0) {
					wval[i] = val;
					wlen[i] = vl;
				}
			}
		}
		for (i = 0; ok && i < q->nwhere; i++) {
			const struct wx_where *w = &q->where[i];

			if (w->op == WX_WHERE_EQUAL) {
				ok = strlen(w->value) == wlen[i] && memcmp(w->value, wval[i], wlen[i]) == 0;
			} else {
				int mr = wx_regex_match(w->re, wval[i], wlen[i], c->err);

				if (mr == WX_EDATA) {
					wx_cursor_close(cur);
					return wx_txn_fail(t, WX_EDATA, "%s~%s: on %s %.*s: %s", w->field,
							   w->value, wx_kind_name(q->form->kind),
							   (int)(idlen > 200 ? 200 : idlen), id ? id : "",
							   c->err->msg);
				}
				ok = mr == WX_OK;
			}
		}
		if (ok && add_hit(c, wx_get_be64(k.data), id, idlen, key, klen) != WX_OK) {
			wx_cursor_close(cur);
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		}
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int cmp_hit(const void *a, const void *b, void *arg)
{
	const struct hit *x = a, *y = b;
	int desc_order = *(const int *)arg;
	int xe = !x->has_num && !x->key, ye = !y->has_num && !y->key, r = 0;

	if (xe != ye)
		return xe - ye;         /* empty values last, whatever the direction */
	if (!xe) {
		if (x->has_num != y->has_num)
			r = y->has_num - x->has_num;   /* unparsable text after numbers */
		else if (x->has_num)
			r = x->num < y->num ? -1 : x->num > y->num ? 1
			    : (x->ns > y->ns) - (x->ns < y->ns);
		else
			r = strcmp(x->key, y->key);
		if (desc_order)
			r = -r;
	}
	return r ? r : strcmp(x->id, y->id);
}

int wx_query_run(struct wx_store *s, const struct wx_query *q, uint64_t **iids, size_t *n,
		 struct wx_err *err)
{
	struct run_ctx c;
	const struct wx_form_field *sf = q->sort ? wx_form_find(q->form, q->sort) : NULL;
	struct wx_err merr;
	int rc;

	*iids = NULL;
	*n = 0;
	if (q->nwhere > MAX_WHERE)
		return wx_err_set(err, WX_EUSAGE, "at most %d conditions", MAX_WHERE);
	memset(&c, 0, sizeof c);
	c.q = q;
	wx_err_clear(&merr);
	c.err = &merr;
	if (sf && sf->type == WX_FT_INTEGER)
		c.numeric = 1;
	else if (sf && sf->type == WX_FT_DATETIME)
		c.numeric = 2;
	rc = wx_store_read(s, run_fn, &c, err);
	if (rc == WX_OK) {
		int desc = q->descending;

		qsort_r(c.hits, c.n, sizeof *c.hits, cmp_hit, &desc);
		*iids = malloc((c.n ? c.n : 1) * sizeof **iids);
		if (!*iids)
			rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		for (size_t i = 0; *iids && i < c.n; i++)
			(*iids)[i] = c.hits[i].iid;
		if (*iids)
			*n = c.n;
	}
	free_hits(&c);
	return rc;
}
