/* runstore.c: match runs in the runs table (runstore.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wexmatch/keys.h"
#include "wexmatch/runstore.h"

#define ROW_FORMAT 1

/* ---- a byte buffer ---- */

struct wbuf {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static void wb_need(struct wbuf *b, size_t more)
{
	if (b->oom || b->n + more <= b->cap)
		return;
	size_t nc = b->cap ? b->cap : 128;
	while (nc < b->n + more)
		nc *= 2;
	unsigned char *q = realloc(b->p, nc);
	if (!q) {
		b->oom = 1;
		return;
	}
	b->p = q;
	b->cap = nc;
}

static void wb_bytes(struct wbuf *b, const void *s, size_t n)
{
	wb_need(b, n);
	if (!b->oom) {
		memcpy(b->p + b->n, s, n);
		b->n += n;
	}
}

static void wb_u8(struct wbuf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	wb_bytes(b, &c, 1);
}

static void wb_u32(struct wbuf *b, uint32_t v)
{
	unsigned char c[4];
	wx_put_be32(c, v);
	wb_bytes(b, c, 4);
}

static void wb_u64(struct wbuf *b, uint64_t v)
{
	unsigned char c[8];
	wx_put_be64(c, v);
	wb_bytes(b, c, 8);
}

/* a string with its NUL, so a decoded pointer is a C string */
static void wb_str(struct wbuf *b, const char *s)
{
	wb_bytes(b, s ? s : "", strlen(s ? s : "") + 1);
}

static int wb_done(struct wbuf *b, unsigned char **out, size_t *len)
{
	if (b->oom) {
		free(b->p);
		*out = NULL;
		return WX_ENOMEM;
	}
	*out = b->p;
	*len = b->n;
	return WX_OK;
}

struct rbuf {
	const unsigned char *p, *end;
	int bad;
};

static const unsigned char *rb_take(struct rbuf *b, size_t n)
{
	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = 1;
		return NULL;
	}
	const unsigned char *q = b->p;
	b->p += n;
	return q;
}

static unsigned rb_u8(struct rbuf *b)
{
	const unsigned char *q = rb_take(b, 1);
	return q ? *q : 0;
}

static uint32_t rb_u32(struct rbuf *b)
{
	const unsigned char *q = rb_take(b, 4);
	return q ? wx_get_be32(q) : 0;
}

static uint64_t rb_u64(struct rbuf *b)
{
	const unsigned char *q = rb_take(b, 8);
	return q ? wx_get_be64(q) : 0;
}

static const char *rb_str(struct rbuf *b)
{
	if (b->bad)
		return "";
	const unsigned char *z = memchr(b->p, 0, (size_t)(b->end - b->p));
	if (!z) {
		b->bad = 1;
		return "";
	}
	const char *s = (const char *)b->p;
	b->p = z + 1;
	return s;
}

static void key_id(const void *key, size_t klen, char *idbuf, size_t idcap, size_t skip)
{
	size_t n = klen > skip ? klen - skip : 0;

	if (!idcap)
		return;
	if (n >= idcap)
		n = idcap - 1;
	memcpy(idbuf, (const char *)key + skip, n);
	idbuf[n] = '\0';
}

/* ---- candidate rows ---- */

int wx_run_row_encode(const struct wx_run_row *r, unsigned char **out, size_t *len)
{
	struct wbuf b = { 0 };

	wb_u8(&b, ROW_FORMAT);
	wb_str(&b, r->place_id);
	wb_u32(&b, (uint32_t)r->slot);
	wb_u32(&b, (uint32_t)r->score);
	wb_u32(&b, r->choice_rank);
	wb_u8(&b, r->reason);
	wb_u8(&b, r->offered);
	wb_u8(&b, r->cf_placed);
	wb_u8(&b, r->imd_from_geo);
	wb_u32(&b, r->rank);
	wb_u32(&b, r->member);
	wb_u8(&b, r->has_applied);
	wb_u64(&b, (uint64_t)r->applied_s);
	wb_u32(&b, (uint32_t)r->applied_ns);
	wb_u64(&b, r->lottery);
	wb_u32(&b, r->listed);
	wb_u8(&b, r->nrule);
	for (unsigned i = 0; i < r->nrule; i++)
		wb_u32(&b, r->rule[i]);
	wb_u32(&b, r->nwhy);
	wb_u8(&b, r->nwhy_kept);
	for (uint32_t i = 0; i < r->nwhy_kept; i++) {
		wb_u32(&b, r->why[i].choice_rank);
		wb_u8(&b, r->why[i].gate);
		wb_str(&b, r->why[i].place_id);
	}
	return wb_done(&b, out, len);
}

int wx_run_row_decode(const void *key, size_t klen, const void *buf, size_t len,
		      struct wx_run_row *r, char *idbuf, size_t idcap)
{
	struct rbuf b = { buf, (const unsigned char *)buf + len, 0 };

	memset(r, 0, sizeof *r);
	key_id(key, klen, idbuf, idcap, 9);
	r->cand_id = idbuf;
	if (rb_u8(&b) != ROW_FORMAT)
		return WX_EDATA;
	r->place_id = rb_str(&b);
	r->slot = (int32_t)rb_u32(&b);
	r->score = (int32_t)rb_u32(&b);
	r->choice_rank = rb_u32(&b);
	r->reason = (uint8_t)rb_u8(&b);
	r->offered = (uint8_t)rb_u8(&b);
	r->cf_placed = (uint8_t)rb_u8(&b);
	r->imd_from_geo = (uint8_t)rb_u8(&b);
	r->rank = rb_u32(&b);
	r->member = rb_u32(&b);
	r->has_applied = (uint8_t)rb_u8(&b);
	r->applied_s = (int64_t)rb_u64(&b);
	r->applied_ns = (int32_t)rb_u32(&b);
	r->lottery = rb_u64(&b);
	r->listed = rb_u32(&b);
	r->nrule = (uint8_t)rb_u8(&b);
	if (r->nrule > 64)
		return WX_EDATA;
	for (unsigned i = 0; i < r->nrule; i++)
		r->rule[i] = (uint16_t)rb_u32(&b);
	r->nwhy = rb_u32(&b);
	r->nwhy_kept = rb_u8(&b);
	if (r->nwhy_kept > WX_RUN_WHY_MAX)
		return WX_EDATA;
	for (uint32_t i = 0; i < r->nwhy_kept; i++) {
		r->why[i].choice_rank = rb_u32(&b);
		r->why[i].gate = (uint8_t)rb_u8(&b);
		r->why[i].place_id = rb_str(&b);
	}
	return b.bad || b.p != b.end ? WX_EDATA : WX_OK;   /* nothing after the last field */
}

/* ---- placement rows ---- */

int wx_run_place_row_encode(const struct wx_run_place_row *r, unsigned char **out, size_t *len)
{
	struct wbuf b = { 0 };

	wb_u8(&b, ROW_FORMAT);
	wb_u32(&b, r->capacity);
	wb_u8(&b, r->nkind);
	for (uint32_t k = 0; k < r->nkind; k++) {
		const struct wx_run_kind_row *x = &r->kind[k];
		wb_u32(&b, x->seats);
		wb_u32(&b, x->held);
		wb_u32(&b, x->cutoff);
		wb_u32(&b, (uint32_t)x->cutoff_score);
		wb_u8(&b, x->cutoff_has_applied);
		wb_u64(&b, (uint64_t)x->cutoff_applied_s);
		wb_u32(&b, x->spare_cutoff);
		wb_u32(&b, (uint32_t)x->spare_score);
		wb_u8(&b, x->spare_has_applied);
		wb_u64(&b, (uint64_t)x->spare_applied_s);
	}
	return wb_done(&b, out, len);
}

int wx_run_place_row_decode(const void *key, size_t klen, const void *buf, size_t len,
			    struct wx_run_place_row *r, char *idbuf, size_t idcap)
{
	struct rbuf b = { buf, (const unsigned char *)buf + len, 0 };

	memset(r, 0, sizeof *r);
	key_id(key, klen, idbuf, idcap, 9);
	r->place_id = idbuf;
	if (rb_u8(&b) != ROW_FORMAT)
		return WX_EDATA;
	r->capacity = rb_u32(&b);
	r->nkind = rb_u8(&b);
	if (r->nkind > WX_MATCH_MAX_CATEGORIES + 1)
		return WX_EDATA;
	for (uint32_t k = 0; k < r->nkind; k++) {
		struct wx_run_kind_row *x = &r->kind[k];
		x->seats = rb_u32(&b);
		x->held = rb_u32(&b);
		x->cutoff = rb_u32(&b);
		x->cutoff_score = (int32_t)rb_u32(&b);
		x->cutoff_has_applied = (uint8_t)rb_u8(&b);
		x->cutoff_applied_s = (int64_t)rb_u64(&b);
		x->spare_cutoff = rb_u32(&b);
		x->spare_score = (int32_t)rb_u32(&b);
		x->spare_has_applied = (uint8_t)rb_u8(&b);
		x->spare_applied_s = (int64_t)rb_u64(&b);
	}
	return b.bad || b.p != b.end ? WX_EDATA : WX_OK;   /* nothing after the last field */
}

/* ---- ambassador rows ---- */

int wx_amb_row_encode(const struct wx_amb_row *r, unsigned char **out, size_t *len)
{
	struct wbuf b = { 0 };

	wb_u8(&b, ROW_FORMAT);
	wb_str(&b, r->ambassador_id);
	wb_u8(&b, r->tier);
	wb_u32(&b, r->distance_m);
	wb_u8(&b, r->reason);
	return wb_done(&b, out, len);
}

int wx_amb_row_decode(const void *key, size_t klen, const void *buf, size_t len,
		      struct wx_amb_row *r, char *idbuf, size_t idcap)
{
	struct rbuf b = { buf, (const unsigned char *)buf + len, 0 };

	memset(r, 0, sizeof *r);
	/* key: run(8) 'a' id k(4) */
	if (klen < 13)
		return WX_EDATA;
	key_id(key, klen - 4, idbuf, idcap, 9);
	r->request_id = idbuf;
	r->k = wx_get_be32((const unsigned char *)key + klen - 4);
	if (rb_u8(&b) != ROW_FORMAT)
		return WX_EDATA;
	r->ambassador_id = rb_str(&b);
	r->tier = (uint8_t)rb_u8(&b);
	r->distance_m = rb_u32(&b);
	r->reason = (uint8_t)rb_u8(&b);
	return b.bad || b.p != b.end ? WX_EDATA : WX_OK;   /* nothing after the last field */
}

/* ---- the table ---- */

size_t wx_run_key(unsigned char *key, uint64_t run, char part, const char *id, size_t idlen)
{
	wx_put_be64(key, run);
	key[8] = (unsigned char)part;
	if (idlen)
		memcpy(key + 9, id, idlen);
	return 9 + idlen;
}

int wx_runs_new(struct wx_txn *t, uint64_t *run)
{
	return wx_next_seq(t, "run", run);
}

int wx_runs_put_text(struct wx_txn *t, uint64_t run, char part, const char *text, size_t len)
{
	unsigned char key[9];

	wx_run_key(key, run, part, NULL, 0);
	return wx_put(t, WX_TB_RUNS, key, sizeof key, text, len, 0);
}

int wx_runs_get_text(struct wx_txn *t, uint64_t run, char part, char **out, size_t *len)
{
	unsigned char key[9];
	struct wx_val v;
	int rc;

	*out = NULL;
	wx_run_key(key, run, part, NULL, 0);
	if ((rc = wx_get(t, WX_TB_RUNS, key, sizeof key, &v)) != WX_OK)
		return rc;
	if (!(*out = malloc(v.len + 1)))
		return WX_ENOMEM;
	memcpy(*out, v.data, v.len);
	(*out)[v.len] = '\0';
	if (len)
		*len = v.len;
	return WX_OK;
}

int wx_runs_latest(struct wx_txn *t, uint64_t *run)
{
	return wx_peek_seq(t, "run", run);
}

int wx_runs_put_row(struct wx_txn *t, uint64_t run, char part, const char *id, size_t idlen,
		    const void *val, size_t vlen, unsigned flags)
{
	unsigned char key[9 + 256];

	if (idlen > 256)
		return wx_txn_fail(t, WX_EDATA, "an id of %zu bytes is too long", idlen);
	return wx_put(t, WX_TB_RUNS, key, wx_run_key(key, run, part, id, idlen), val, vlen, flags);
}

int wx_runs_get_row(struct wx_txn *t, uint64_t run, char part, const char *id, size_t idlen,
		    struct wx_val *out)
{
	unsigned char key[9 + 256];

	if (idlen > 256)
		return WX_ENOTFOUND;
	return wx_get(t, WX_TB_RUNS, key, wx_run_key(key, run, part, id, idlen), out);
}
