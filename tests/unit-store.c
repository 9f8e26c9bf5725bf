/* unit-store.c: cmocka unit tests of the store (store.h, keys.h, record.h,
 * audit.h, check.h).
 *
 * Every test works in its own temporary directory: mkdtemp under
 * $WX_BUILDDIR/tests/tmp when that is set (make check), else under /tmp.
 * Store callbacks never call cmocka assertions (a failed assertion jumps out
 * of the test and would leave a transaction open); they record what happened
 * in their context and the test asserts afterwards. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "wexmatch/audit.h"
#include "wexmatch/check.h"
#include "wexmatch/error.h"
#include "wexmatch/keys.h"
#include "wexmatch/record.h"
#include "wexmatch/store.h"

#define TINY_MAP ((size_t)64 * 1024)

/* ------------------------------------------------------------------ */
/* helpers: diagnostics, temp dirs, PRNG                               */
/* ------------------------------------------------------------------ */

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		diag("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void)
{
	const char *bd = getenv("WX_BUILDDIR");
	char base[PATH_MAX];
	char *tmpl;
	size_t n;

	if (bd && *bd) {
		snprintf(base, sizeof base, "%s/tests", bd);
		(void)mkdir(base, 0777);
		snprintf(base, sizeof base, "%s/tests/tmp", bd);
		(void)mkdir(base, 0777);
	} else {
		snprintf(base, sizeof base, "/tmp");
	}
	n = strlen(base) + sizeof "/unit-store.XXXXXX";
	tmpl = malloc(n);
	if (!tmpl)
		return NULL;
	snprintf(tmpl, n, "%s/unit-store.XXXXXX", base);
	if (!mkdtemp(tmpl)) {
		diag("mkdtemp %s: %s", tmpl, strerror(errno));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* Per-test state: a temp dir, and up to one open store closed at teardown. */
struct tstate {
	char *tmp;
	char db[PATH_MAX];
	struct wx_store *s;
};

static int setup(void **state)
{
	struct tstate *ts = calloc(1, sizeof *ts);

	if (!ts)
		return -1;
	ts->tmp = make_tmpdir();
	if (!ts->tmp) {
		free(ts);
		return -1;
	}
	snprintf(ts->db, sizeof ts->db, "%s/db", ts->tmp);
	*state = ts;
	return 0;
}

static int teardown(void **state)
{
	struct tstate *ts = *state;

	if (!ts)
		return 0;
	if (ts->s)
		wx_store_close(ts->s);
	if (ts->tmp) {
		rm_rf(ts->tmp);
		free(ts->tmp);
	}
	free(ts);
	*state = NULL;
	return 0;
}

static int open_store(struct wx_store **s, const char *dir, unsigned flags,
		      size_t initial_map, struct wx_err *err)
{
	struct wx_store_opts o;

	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.flags = flags;
	o.initial_map = initial_map;
	wx_err_clear(err);
	*s = NULL;
	return wx_store_open(s, &o, err);
}

static void open_ok(struct tstate *ts, size_t initial_map)
{
	struct wx_err err;
	int rc = open_store(&ts->s, ts->db, WX_OPEN_CREATE, initial_map, &err);

	if (rc != WX_OK)
		diag("wx_store_open(%s): %s: %s", ts->db, wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	assert_non_null(ts->s);
}

/* ------------------------------------------------------------------ */
/* helpers: records                                                    */
/* ------------------------------------------------------------------ */

static int rec_copy(struct wx_record *dst, const struct wx_record *src)
{
	size_t i;

	wx_record_init(dst);
	dst->iid = src->iid;
	dst->version = src->version;
	dst->mtime_ns = src->mtime_ns;
	dst->muid = src->muid;
	memcpy(dst->muser, src->muser, sizeof dst->muser);
	for (i = 0; i < src->n; i++) {
		int rc = wx_record_set(dst, src->f[i].name, src->f[i].value, src->f[i].vlen);
		if (rc != WX_OK) {
			wx_record_free(dst);
			return rc;
		}
	}
	return WX_OK;
}

/* Same fields, same order, same bytes. */
static void assert_same_fields(const struct wx_record *a, const struct wx_record *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->f[i].name, b->f[i].name);
		assert_int_equal(a->f[i].vlen, b->f[i].vlen);
		assert_memory_equal(a->f[i].value, b->f[i].value, a->f[i].vlen);
		assert_int_equal(a->f[i].value[a->f[i].vlen], '\0');
	}
}

static void set_field(struct wx_record *r, const char *name, const char *value)
{
	assert_int_equal(wx_record_set(r, name, value, strlen(value)), WX_OK);
}

/* Save: the callback starts from a copy of the input every time it runs
 * (the store may run it again after growing the map). */
struct save_ctx {
	enum wx_kind k;
	const struct wx_record *in;
	uint64_t base;
	struct wx_record out;
	int have_out;
	int save_rc;
	unsigned runs;
};

static int save_cb(struct wx_txn *t, void *vctx)
{
	struct save_ctx *c = vctx;
	struct wx_record r;
	int rc;

	c->runs++;
	if (c->have_out) {
		wx_record_free(&c->out);
		c->have_out = 0;
	}
	rc = rec_copy(&r, c->in);
	if (rc != WX_OK)
		return rc;
	c->save_rc = rc = wx_record_save(t, c->k, &r, c->base);
	if (rc == WX_OK) {
		c->out = r;
		c->have_out = 1;
	} else {
		wx_record_free(&r);
	}
	return rc;
}

/* Save r; on success r becomes the saved record (iid, version, ...). */
static int do_save(struct wx_store *s, enum wx_kind k, struct wx_record *r,
		   uint64_t base, struct wx_err *err)
{
	struct save_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	c.k = k;
	c.in = r;
	c.base = base;
	wx_err_clear(err);
	rc = wx_store_write(s, save_cb, &c, err);
	if (rc == WX_OK && c.have_out) {
		wx_record_free(r);
		*r = c.out;
	} else if (c.have_out) {
		wx_record_free(&c.out);
	}
	return rc;
}

struct load_ctx {
	enum wx_kind k;
	uint64_t iid;
	const char *ext;
	struct wx_record r;
	int loaded;
};

static int load_cb(struct wx_txn *t, void *vctx)
{
	struct load_ctx *c = vctx;
	int rc;

	if (c->loaded) {
		wx_record_free(&c->r);
		c->loaded = 0;
	}
	wx_record_init(&c->r);
	if (c->ext)
		rc = wx_record_load_by_id(t, c->k, c->ext, &c->r);
	else
		rc = wx_record_load(t, c->k, c->iid, &c->r);
	if (rc == WX_OK)
		c->loaded = 1;
	else
		wx_record_free(&c->r);
	return rc;
}

/* Load by internal id (ext == NULL) or external id into *out (initialised
 * even on failure, so the caller always frees it). */
static int do_load(struct wx_store *s, enum wx_kind k, uint64_t iid, const char *ext,
		   struct wx_record *out)
{
	struct load_ctx c;
	struct wx_err err;
	int rc;

	memset(&c, 0, sizeof c);
	c.k = k;
	c.iid = iid;
	c.ext = ext;
	wx_err_clear(&err);
	rc = wx_store_read(s, load_cb, &c, &err);
	if (rc == WX_OK && c.loaded) {
		*out = c.r;
	} else {
		if (c.loaded)
			wx_record_free(&c.r);
		wx_record_init(out);
	}
	return rc;
}

struct del_ctx {
	enum wx_kind k;
	uint64_t iid, base;
};

static int del_cb(struct wx_txn *t, void *vctx)
{
	struct del_ctx *c = vctx;

	return wx_record_delete(t, c->k, c->iid, c->base);
}

static int do_delete(struct wx_store *s, enum wx_kind k, uint64_t iid, uint64_t base,
		     struct wx_err *err)
{
	struct del_ctx c = { k, iid, base };

	wx_err_clear(err);
	return wx_store_write(s, del_cb, &c, err);
}

struct count_ctx {
	enum wx_table tb;
	uint64_t n;
};

static int count_cb(struct wx_txn *t, void *vctx)
{
	struct count_ctx *c = vctx;

	return wx_count(t, c->tb, &c->n);
}

static uint64_t tcount(struct wx_store *s, enum wx_table tb)
{
	struct count_ctx c = { tb, 0 };
	struct wx_err err;
	int rc;

	wx_err_clear(&err);
	rc = wx_store_read(s, count_cb, &c, &err);
	if (rc != WX_OK)
		diag("count %s: %s: %s", wx_table_name(tb), wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	return c.n;
}

struct get_ctx {
	enum wx_table tb;
	const void *key;
	size_t klen;
	unsigned char *val;
	size_t vlen;
};

static int get_cb(struct wx_txn *t, void *vctx)
{
	struct get_ctx *c = vctx;
	struct wx_val v;
	int rc = wx_get(t, c->tb, c->key, c->klen, &v);

	free(c->val);
	c->val = NULL;
	if (rc != WX_OK)
		return rc;
	c->val = malloc(v.len + 1);
	if (!c->val)
		return WX_ENOMEM;
	memcpy(c->val, v.data, v.len);
	c->vlen = v.len;
	return WX_OK;
}

/* wx_get in its own read transaction: rc, and a malloc'd copy of the value. */
static int tget(struct wx_store *s, enum wx_table tb, const void *key, size_t klen,
		unsigned char **val, size_t *vlen)
{
	struct get_ctx c;
	struct wx_err err;
	int rc;

	memset(&c, 0, sizeof c);
	c.tb = tb;
	c.key = key;
	c.klen = klen;
	wx_err_clear(&err);
	rc = wx_store_read(s, get_cb, &c, &err);
	if (val)
		*val = c.val;
	else
		free(c.val);
	if (vlen)
		*vlen = c.vlen;
	return rc;
}

static void check_report(void *ctx, const char *msg)
{
	(void)ctx;
	diag("check: %s", msg);
}

static struct wx_check_result check_clean(struct wx_store *s)
{
	struct wx_check_result res;
	struct wx_err err;
	int rc;

	memset(&res, 0, sizeof res);
	wx_err_clear(&err);
	rc = wx_check(s, check_report, NULL, &res, &err);
	if (rc != WX_OK)
		diag("wx_check: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(res.problems, 0);
	return res;
}

static struct wx_store_stats get_stats(struct wx_store *s)
{
	struct wx_store_stats st;
	struct wx_err err;
	int rc;

	memset(&st, 0, sizeof st);
	wx_err_clear(&err);
	rc = wx_store_stats(s, &st, &err);
	if (rc != WX_OK)
		diag("wx_store_stats: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	return st;
}

/* ------------------------------------------------------------------ */
/* helpers: raw table dumps                                            */
/* ------------------------------------------------------------------ */

struct kv {
	unsigned char *k, *v;
	size_t klen, vlen;
};

struct kvlist {
	struct kv *e;
	size_t n, cap;
};

static void kvlist_free(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].k);
		free(l->e[i].v);
	}
	free(l->e);
	memset(l, 0, sizeof *l);
}

struct dump_ctx {
	enum wx_table tb;
	struct kvlist l;
};

static int dump_cb(struct wx_txn *t, void *vctx)
{
	struct dump_ctx *c = vctx;
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc;

	kvlist_free(&c->l);
	rc = wx_cursor_open(t, c->tb, NULL, 0, &cur);
	if (rc != WX_OK)
		return rc;
	while ((rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct kv *e;

		if (c->l.n == c->l.cap) {
			size_t nc = c->l.cap ? c->l.cap * 2 : 64;
			struct kv *ne = realloc(c->l.e, nc * sizeof *ne);
			if (!ne) {
				rc = WX_ENOMEM;
				break;
			}
			c->l.e = ne;
			c->l.cap = nc;
		}
		e = &c->l.e[c->l.n];
		e->k = malloc(k.len + 1);
		e->v = malloc(v.len + 1);
		if (!e->k || !e->v) {
			free(e->k);
			free(e->v);
			rc = WX_ENOMEM;
			break;
		}
		memcpy(e->k, k.data, k.len);
		memcpy(e->v, v.data, v.len);
		e->klen = k.len;
		e->vlen = v.len;
		c->l.n++;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

/* Every key and value of a table, in key order. */
static void dump_table(struct wx_store *s, enum wx_table tb, struct kvlist *out)
{
	struct dump_ctx c;
	struct wx_err err;
	int rc;

	memset(&c, 0, sizeof c);
	c.tb = tb;
	wx_err_clear(&err);
	rc = wx_store_read(s, dump_cb, &c, &err);
	if (rc != WX_OK) {
		diag("dump %s: %s: %s", wx_table_name(tb), wx_status_name(rc), err.msg);
		kvlist_free(&c.l);
	}
	assert_int_equal(rc, WX_OK);
	*out = c.l;
}

static int kvlist_has_key(const struct kvlist *l, const void *key, size_t klen)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].klen == klen && memcmp(l->e[i].k, key, klen) == 0)
			return 1;
	return 0;
}

/* Decoded audit entries, in sequence order. */
struct audit_list {
	struct wx_audit_entry *e;
	size_t n;
};

static void audit_list_free(struct audit_list *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		wx_audit_entry_free(&a->e[i]);
	free(a->e);
	a->e = NULL;
	a->n = 0;
}

static void audit_collect(struct wx_store *s, struct audit_list *out)
{
	struct kvlist l;
	size_t i;

	dump_table(s, WX_TB_AUDIT, &l);
	out->n = 0;
	out->e = calloc(l.n ? l.n : 1, sizeof *out->e);
	assert_non_null(out->e);
	for (i = 0; i < l.n; i++) {
		int rc;

		assert_int_equal(l.e[i].klen, 8);
		rc = wx_audit_decode(l.e[i].v, l.e[i].vlen, wx_get_be64(l.e[i].k), &out->e[i]);
		if (rc != WX_OK) {
			diag("audit entry %zu does not decode: %s", i, wx_status_name(rc));
			kvlist_free(&l);
			audit_list_free(out);
			fail();
		}
		out->n++;
	}
	kvlist_free(&l);
}

static int audit_has_field(const struct wx_audit_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i], name) == 0)
			return 1;
	return 0;
}

static int mem_contains(const unsigned char *hay, size_t hlen, const char *needle)
{
	size_t nl = strlen(needle);

	return nl <= hlen && memmem(hay, hlen, needle, nl) != NULL;
}

/* ------------------------------------------------------------------ */
/* key encoding                                                        */
/* ------------------------------------------------------------------ */

static int sign_of(int v)
{
	return (v > 0) - (v < 0);
}

static void check_u64_pair(uint64_t a, uint64_t b)
{
	unsigned char ka[8], kb[8];
	int want = (a > b) - (a < b);

	wx_put_be64(ka, a);
	wx_put_be64(kb, b);
	if (sign_of(memcmp(ka, kb, 8)) != want) {
		diag("u64 order broken: %" PRIu64 " vs %" PRIu64, a, b);
		fail();
	}
	assert_int_equal(wx_get_be64(ka), a);
	assert_int_equal(wx_get_be64(kb), b);
}

static void check_s64_pair(int64_t a, int64_t b)
{
	unsigned char ka[8], kb[8];
	int want = (a > b) - (a < b);

	wx_put_be64s(ka, a);
	wx_put_be64s(kb, b);
	if (sign_of(memcmp(ka, kb, 8)) != want) {
		diag("s64 order broken: %" PRId64 " vs %" PRId64, a, b);
		fail();
	}
	assert_true(wx_get_be64s(ka) == a);
	assert_true(wx_get_be64s(kb) == b);
}

static void test_key_encoding(void **state)
{
	static const uint64_t uedges[] = {
		0, 1, 2, 127, 128, 255, 256, 257, 65535, 65536, 0xffffffffu,
		UINT64_C(0x100000000), UINT64_C(0x00ff00ff00ff00ff),
		UINT64_C(0x7fffffffffffffff), UINT64_C(0x8000000000000000),
		UINT64_MAX - 1, UINT64_MAX
	};
	static const int64_t sedges[] = {
		INT64_MIN, INT64_MIN + 1, -65536, -256, -255, -2, -1, 0, 1, 255, 256,
		INT64_MAX - 1, INT64_MAX
	};
	const size_t nu = sizeof uedges / sizeof uedges[0];
	const size_t ns = sizeof sedges / sizeof sedges[0];
	unsigned char b[8];
	size_t i, j;

	(void)state;
	rng_state = UINT64_C(20240601);

	/* exact bytes */
	wx_put_be64(b, UINT64_C(0x0102030405060708));
	assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	wx_put_be64(b, 0);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
	wx_put_be64(b, 255);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\xff", 8);
	wx_put_be64(b, 256);
	assert_memory_equal(b, "\0\0\0\0\0\0\x01\0", 8);
	wx_put_be64(b, UINT64_MAX);
	assert_memory_equal(b, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	wx_put_be64s(b, INT64_MIN);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
	wx_put_be64s(b, -1);
	assert_memory_equal(b, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
	wx_put_be64s(b, 0);
	assert_memory_equal(b, "\x80\0\0\0\0\0\0\0", 8);
	wx_put_be64s(b, INT64_MAX);
	assert_memory_equal(b, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	wx_put_be32(b, UINT32_C(0xdeadbeef));
	assert_memory_equal(b, "\xde\xad\xbe\xef", 4);
	assert_int_equal(wx_get_be32(b), UINT32_C(0xdeadbeef));
	wx_put_be16(b, 0xbeef);
	assert_memory_equal(b, "\xbe\xef", 2);
	assert_int_equal(wx_get_be16(b), 0xbeef);

	/* every pair of edge values */
	for (i = 0; i < nu; i++)
		for (j = 0; j < nu; j++)
			check_u64_pair(uedges[i], uedges[j]);
	for (i = 0; i < ns; i++)
		for (j = 0; j < ns; j++)
			check_s64_pair(sedges[i], sedges[j]);

	/* random pairs: fully random, sharing high bytes, and near neighbours */
	for (i = 0; i < 200000; i++) {
		uint64_t a = rng_next(), c = rng_next();
		unsigned shift = (unsigned)(rng_next() % 64);
		uint64_t mask = shift ? (UINT64_MAX >> shift) : UINT64_MAX;
		uint64_t near = a + (rng_next() % 513) - 256;

		check_u64_pair(a, c);
		check_u64_pair(a, (a & ~mask) | (c & mask));
		check_u64_pair(a, near);
		check_u64_pair(a & 0xffff, c & 0xffff);
		check_s64_pair((int64_t)a, (int64_t)c);
		check_s64_pair((int64_t)a, (int64_t)((a & ~mask) | (c & mask)));
		check_s64_pair((int64_t)(a % 2001) - 1000, (int64_t)(c % 2001) - 1000);
	}

	/* 16- and 32-bit round trips */
	for (i = 0; i < 70000; i++) {
		uint32_t v32 = (uint32_t)rng_next();
		wx_put_be16(b, (uint16_t)i);
		assert_int_equal(wx_get_be16(b), (uint16_t)i);
		wx_put_be32(b, v32);
		assert_int_equal(wx_get_be32(b), v32);
	}
}

/* ------------------------------------------------------------------ */
/* wx_kind_parse                                                       */
/* ------------------------------------------------------------------ */

static void test_kind_parse(void **state)
{
	static const struct {
		const char *s;
		enum wx_kind k;
	} good[] = {
		{ "candidate", WX_KIND_CANDIDATE },
		{ "candidates", WX_KIND_CANDIDATE },
		{ "placement", WX_KIND_PLACEMENT },
		{ "placements", WX_KIND_PLACEMENT },
		{ "ambassador", WX_KIND_AMBASSADOR },
		{ "ambassadors", WX_KIND_AMBASSADOR },
		{ "request", WX_KIND_REQUEST },
		{ "requests", WX_KIND_REQUEST },
		{ "equality", WX_KIND_EQUALITY },
		{ "equalities", WX_KIND_EQUALITY },
	};
	static const char *const bad[] = {
		"", "s", "candidat", "candidatess", "xcandidate", "candidate ", " candidate",
		"candidate\n", "placements2", "ambassador-s", "requestss", "equalit",
		"meta", "audit", "candidate.id", "all", "*",
	};
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		enum wx_kind out = WX_KIND_COUNT;
		int rc = wx_kind_parse(good[i].s, &out);
		if (rc != WX_OK || out != good[i].k)
			diag("wx_kind_parse(\"%s\"): rc %d kind %d", good[i].s, rc, (int)out);
		assert_int_equal(rc, WX_OK);
		assert_int_equal(out, good[i].k);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum wx_kind out = WX_KIND_COUNT;
		int rc = wx_kind_parse(bad[i], &out);
		if (rc != WX_EUSAGE)
			diag("wx_kind_parse(\"%s\") accepted (rc %d)", bad[i], rc);
		assert_int_equal(rc, WX_EUSAGE);
	}
	/* names round-trip */
	for (k = 0; k < WX_KIND_COUNT; k++) {
		enum wx_kind out = WX_KIND_COUNT;
		assert_non_null(wx_kind_name((enum wx_kind)k));
		assert_int_equal(wx_kind_parse(wx_kind_name((enum wx_kind)k), &out), WX_OK);
		assert_int_equal(out, k);
	}
	assert_string_equal(wx_kind_name(WX_KIND_CANDIDATE), "candidate");
	assert_string_equal(wx_kind_name(WX_KIND_EQUALITY), "equality");
}

/* ------------------------------------------------------------------ */
/* store round trip                                                    */
/* ------------------------------------------------------------------ */

#define SECRET "zq-Distinctive-Value-7731"
#define SECRET2 "Another-Distinctive-Val-8842"

/* Does str contain the broken-down time tm as YYYY-MM-DD and HH:MM? */
static int names_time(const char *str, const struct tm *tm)
{
	char date[32], hm[16];

	strftime(date, sizeof date, "%Y-%m-%d", tm);
	strftime(hm, sizeof hm, "%H:%M", tm);
	return strstr(str, date) && strstr(str, hm);
}

static void test_round_trip(void **state)
{
	struct tstate *ts = *state;
	struct wx_store *s;
	struct wx_err err;
	struct wx_record a, copy, got, dup, stale;
	struct audit_list al;
	struct kvlist raw;
	struct wx_check_result cr;
	uint64_t base_audit, v1, v2, iid;
	int64_t t0, t1;
	char big[5000];
	unsigned char idkey[16];
	size_t i, naudit_writes = 0;
	int rc;

	open_ok(ts, 0);
	s = ts->s;
	assert_string_equal(wx_store_dir(s), ts->db);
	assert_non_null(wx_store_user(s));
	assert_int_equal(wx_store_uid(s), (uint32_t)getuid());
	assert_int_equal(get_stats(s).schema, WX_SCHEMA_VERSION);
	base_audit = tcount(s, WX_TB_AUDIT);

	/* empty store */
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-1", &got), WX_ENOTFOUND);
	wx_record_free(&got);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 1, NULL, &got), WX_ENOTFOUND);
	wx_record_free(&got);

	/* insert */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[100] = 'y';
	wx_record_init(&a);
	set_field(&a, "id", "c-1");
	set_field(&a, "name", "Ada Lovelace");
	set_field(&a, "secret", SECRET);
	set_field(&a, "note", "to be removed");
	set_field(&a, "empty", "");
	assert_int_equal(wx_record_set(&a, "binary", "\x01\xff\t\n\"\\\x7f", 7), WX_OK);
	set_field(&a, "big", big);
	assert_int_equal(rec_copy(&copy, &a), WX_OK);
	t0 = wx_now_ns();
	rc = do_save(s, WX_KIND_CANDIDATE, &a, 0, &err);
	t1 = wx_now_ns();
	if (rc != WX_OK)
		diag("insert: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	naudit_writes++;
	assert_true(a.iid != 0);
	assert_true(a.version > 0);
	assert_true(a.mtime_ns >= t0 - 1000000000 && a.mtime_ns <= t1 + 1000000000);
	assert_int_equal(a.muid, wx_store_uid(s));
	assert_string_equal(a.muser, wx_store_user(s));
	assert_same_fields(&a, &copy);
	wx_record_free(&copy);
	iid = a.iid;
	v1 = a.version;

	/* read back by external id and by internal id */
	rc = do_load(s, WX_KIND_CANDIDATE, 0, "c-1", &got);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(got.iid, iid);
	assert_int_equal(got.version, v1);
	assert_true(got.mtime_ns == a.mtime_ns);
	assert_int_equal(got.muid, a.muid);
	assert_string_equal(got.muser, a.muser);
	assert_same_fields(&got, &a);
	wx_record_free(&got);
	rc = do_load(s, WX_KIND_CANDIDATE, iid, NULL, &got);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(got.iid, iid);
	assert_int_equal(got.version, v1);
	assert_same_fields(&got, &a);
	wx_record_free(&got);
	/* the kinds are separate tables */
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, 0, "c-1", &got), WX_ENOTFOUND);
	wx_record_free(&got);
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, iid, NULL, &got), WX_ENOTFOUND);
	wx_record_free(&got);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_CANDIDATE)), 1);
	assert_int_equal(tcount(s, wx_tb_ids(WX_KIND_CANDIDATE)), 1);

	/* the index entry: external id -> be64 iid */
	{
		unsigned char *v = NULL;
		size_t vlen = 0;
		rc = tget(s, wx_tb_ids(WX_KIND_CANDIDATE), "c-1", 3, &v, &vlen);
		assert_int_equal(rc, WX_OK);
		assert_int_equal(vlen, 8);
		assert_int_equal(wx_get_be64(v), iid);
		free(v);
	}

	/* keep a copy based on version v1 for the conflict below */
	assert_int_equal(rec_copy(&stale, &a), WX_OK);

	/* edit: change name, remove note, add a field */
	set_field(&a, "name", "Ada King");
	assert_int_equal(wx_record_unset(&a, "note"), WX_OK);
	assert_int_equal(wx_record_unset(&a, "note"), WX_ENOTFOUND);
	set_field(&a, "phone", SECRET2);
	t0 = wx_now_ns();
	rc = do_save(s, WX_KIND_CANDIDATE, &a, v1, &err);
	if (rc != WX_OK)
		diag("edit: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	naudit_writes++;
	assert_int_equal(a.iid, iid);
	assert_true(a.version > v1);
	v2 = a.version;
	rc = do_load(s, WX_KIND_CANDIDATE, 0, "c-1", &got);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(got.version, v2);
	assert_string_equal(wx_record_get(&got, "name"), "Ada King");
	assert_null(wx_record_get(&got, "note"));
	assert_string_equal(wx_record_get(&got, "phone"), SECRET2);
	assert_string_equal(wx_record_get(&got, "secret"), SECRET);
	assert_same_fields(&got, &a);
	wx_record_free(&got);

	/* save based on the old version: conflict naming who and when */
	set_field(&stale, "name", "Someone Else");
	rc = do_save(s, WX_KIND_CANDIDATE, &stale, v1, &err);
	if (rc != WX_ECONFLICT)
		diag("stale save: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_ECONFLICT);
	assert_int_equal(err.code, WX_ECONFLICT);
	diag("conflict message: %s", err.msg);
	assert_non_null(strstr(err.msg, wx_store_user(s)));
	{
		time_t sec = (time_t)(a.mtime_ns / 1000000000);
		struct tm ltm, utm;
		localtime_r(&sec, &ltm);
		gmtime_r(&sec, &utm);
		if (!names_time(err.msg, &ltm) && !names_time(err.msg, &utm)) {
			diag("conflict message does not name the time of the save");
			fail();
		}
	}
	/* the stale save changed nothing */
	rc = do_load(s, WX_KIND_CANDIDATE, iid, NULL, &got);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(got.version, v2);
	assert_string_equal(wx_record_get(&got, "name"), "Ada King");
	wx_record_free(&got);
	/* a base version from the future is no better */
	rc = do_save(s, WX_KIND_CANDIDATE, &stale, v2 + 5, &err);
	assert_int_equal(rc, WX_ECONFLICT);
	wx_record_free(&stale);

	/* duplicate external id: EEXIST, and nothing of that write lands */
	wx_record_init(&dup);
	set_field(&dup, "id", "c-1");
	set_field(&dup, "name", "Duplicate");
	rc = do_save(s, WX_KIND_CANDIDATE, &dup, 0, &err);
	assert_int_equal(rc, WX_EEXIST);
	assert_int_equal(err.code, WX_EEXIST);
	assert_int_equal(dup.iid, 0);
	wx_record_free(&dup);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_CANDIDATE)), 1);
	assert_int_equal(tcount(s, wx_tb_ids(WX_KIND_CANDIDATE)), 1);
	/* the same id in another kind is fine */
	wx_record_init(&dup);
	set_field(&dup, "id", "c-1");
	set_field(&dup, "site", "Ward 7");
	rc = do_save(s, WX_KIND_PLACEMENT, &dup, 0, &err);
	assert_int_equal(rc, WX_OK);
	naudit_writes++;
	wx_record_free(&dup);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_PLACEMENT)), 1);

	/* a second candidate gets a different internal id */
	wx_record_init(&dup);
	set_field(&dup, "id", "c-2");
	rc = do_save(s, WX_KIND_CANDIDATE, &dup, 0, &err);
	assert_int_equal(rc, WX_OK);
	naudit_writes++;
	assert_true(dup.iid != iid);

	/* renaming the external id moves the index entry */
	{
		uint64_t iid2 = dup.iid, ver = dup.version;
		struct wx_record again;
		struct audit_list al2;

		set_field(&dup, "id", "c-3");
		rc = do_save(s, WX_KIND_CANDIDATE, &dup, ver, &err);
		if (rc != WX_OK)
			diag("rename: %s: %s", wx_status_name(rc), err.msg);
		assert_int_equal(rc, WX_OK);
		naudit_writes++;
		assert_int_equal(dup.iid, iid2);
		assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-2", &again), WX_ENOTFOUND);
		wx_record_free(&again);
		assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-3", &again), WX_OK);
		assert_int_equal(again.iid, iid2);
		wx_record_free(&again);
		assert_int_equal(tcount(s, wx_tb_ids(WX_KIND_CANDIDATE)), 2);
		audit_collect(s, &al2);
		assert_true(al2.n > 0);
		assert_int_equal(al2.e[al2.n - 1].action, WX_AUDIT_EDIT);
		assert_int_equal(al2.e[al2.n - 1].iid, iid2);
		assert_int_equal(al2.e[al2.n - 1].nfields, 1);
		assert_true(audit_has_field(&al2.e[al2.n - 1], "id"));
		audit_list_free(&al2);
		/* renaming onto a taken id: EEXIST, nothing changes */
		set_field(&dup, "id", "c-1");
		rc = do_save(s, WX_KIND_CANDIDATE, &dup, dup.version, &err);
		assert_int_equal(rc, WX_EEXIST);
		assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-3", &again), WX_OK);
		assert_int_equal(again.iid, iid2);
		wx_record_free(&again);
		assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-1", &again), WX_OK);
		assert_int_equal(again.iid, iid);
		wx_record_free(&again);
		assert_int_equal(tcount(s, wx_tb_ids(WX_KIND_CANDIDATE)), 2);
	}
	wx_record_free(&dup);

	assert_int_equal(tcount(s, WX_TB_AUDIT), base_audit + naudit_writes);
	cr = check_clean(s);
	assert_int_equal(cr.records, 3);

	/* delete with a stale version: conflict, nothing deleted */
	rc = do_delete(s, WX_KIND_CANDIDATE, iid, v1, &err);
	assert_int_equal(rc, WX_ECONFLICT);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_CANDIDATE)), 2);
	/* delete: record and index entry gone */
	rc = do_delete(s, WX_KIND_CANDIDATE, iid, v2, &err);
	if (rc != WX_OK)
		diag("delete: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	naudit_writes++;
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, iid, NULL, &got), WX_ENOTFOUND);
	wx_record_free(&got);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-1", &got), WX_ENOTFOUND);
	wx_record_free(&got);
	assert_int_equal(tget(s, wx_tb_ids(WX_KIND_CANDIDATE), "c-1", 3, NULL, NULL),
			 WX_ENOTFOUND);
	wx_put_be64(idkey, iid);
	assert_int_equal(tget(s, wx_tb_records(WX_KIND_CANDIDATE), idkey, 8, NULL, NULL),
			 WX_ENOTFOUND);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_CANDIDATE)), 1);
	assert_int_equal(tcount(s, wx_tb_ids(WX_KIND_CANDIDATE)), 1);
	/* deleting again: not found */
	rc = do_delete(s, WX_KIND_CANDIDATE, iid, v2, &err);
	assert_int_equal(rc, WX_ENOTFOUND);
	/* the placement with the same external id is untouched */
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, 0, "c-1", &got), WX_OK);
	assert_string_equal(wx_record_get(&got, "site"), "Ward 7");
	wx_record_free(&got);

	/* audit: one entry per successful write, field names only */
	assert_int_equal(tcount(s, WX_TB_AUDIT), base_audit + naudit_writes);
	audit_collect(s, &al);
	assert_int_equal(al.n, base_audit + naudit_writes);
	{
		const struct wx_audit_entry *ins = NULL, *ed = NULL, *del = NULL;
		uint64_t prev = 0;

		for (i = 0; i < al.n; i++) {
			const struct wx_audit_entry *e = &al.e[i];

			assert_true(e->seq > prev);
			prev = e->seq;
			assert_true(e->action >= WX_AUDIT_ADD && e->action <= WX_AUDIT_ACTION_MAX);
			assert_non_null(wx_audit_action_name(e->action));
			if (i < base_audit)
				continue;
			assert_int_equal(e->uid, wx_store_uid(s));
			assert_string_equal(e->user, wx_store_user(s));
			assert_true(e->time_ns >= t0 - INT64_C(60000000000));
			if (e->kind == WX_KIND_CANDIDATE && e->iid == iid) {
				if (e->action == WX_AUDIT_ADD) {
					assert_null(ins);
					ins = e;
				} else if (e->action == WX_AUDIT_EDIT) {
					assert_null(ed);
					ed = e;
				} else if (e->action == WX_AUDIT_DELETE) {
					assert_null(del);
					del = e;
				}
			}
		}
		if (!ins || !ed || !del) {
			audit_list_free(&al);
			fail_msg("missing audit entries for the record: add %p edit %p delete %p",
				 (const void *)ins, (const void *)ed, (const void *)del);
			return;
		}
		assert_true(ins->seq < ed->seq && ed->seq < del->seq);
		/* insert: every field name */
		assert_int_equal(ins->nfields, 7);
		assert_true(audit_has_field(ins, "id"));
		assert_true(audit_has_field(ins, "name"));
		assert_true(audit_has_field(ins, "secret"));
		assert_true(audit_has_field(ins, "note"));
		assert_true(audit_has_field(ins, "empty"));
		assert_true(audit_has_field(ins, "binary"));
		assert_true(audit_has_field(ins, "big"));
		/* edit: exactly the changed, removed and added fields */
		for (i = 0; i < ed->nfields; i++)
			diag("edit audit field: %s", ed->fields[i]);
		assert_int_equal(ed->nfields, 3);
		assert_true(audit_has_field(ed, "name"));
		assert_true(audit_has_field(ed, "note"));
		assert_true(audit_has_field(ed, "phone"));
		assert_false(audit_has_field(ed, "secret"));
		assert_false(audit_has_field(ed, "id"));
	}
	audit_list_free(&al);

	/* no value anywhere in the audit tables */
	dump_table(s, WX_TB_AUDIT, &raw);
	assert_int_equal(raw.n, base_audit + naudit_writes);
	for (i = 0; i < raw.n; i++) {
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, SECRET));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, SECRET2));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, "Ada King"));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, "Lovelace"));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, "Ward 7"));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, "xxxxxxxxxxy"));
		assert_false(mem_contains(raw.e[i].k, raw.e[i].klen, SECRET));
	}
	kvlist_free(&raw);
	dump_table(s, WX_TB_AUDIT_REC, &raw);
	for (i = 0; i < raw.n; i++) {
		assert_false(mem_contains(raw.e[i].k, raw.e[i].klen, SECRET));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, SECRET));
		assert_false(mem_contains(raw.e[i].v, raw.e[i].vlen, SECRET2));
	}
	/* per-record index: the three candidate entries for iid are there */
	{
		unsigned char pk[9];
		size_t nrec = 0;

		pk[0] = (unsigned char)WX_KIND_CANDIDATE;
		wx_put_be64(pk + 1, iid);
		for (i = 0; i < raw.n; i++)
			if (raw.e[i].klen == 17 && memcmp(raw.e[i].k, pk, 9) == 0)
				nrec++;
		assert_int_equal(nrec, 3);
	}
	kvlist_free(&raw);

	cr = check_clean(s);
	assert_int_equal(cr.records, 2);
	assert_int_equal(cr.audit_entries, base_audit + naudit_writes);
	wx_record_free(&a);

	/* everything survives close and reopen */
	wx_store_close(ts->s);
	ts->s = NULL;
	open_ok(ts, 0);
	s = ts->s;
	assert_int_equal(tcount(s, WX_TB_AUDIT), base_audit + naudit_writes);
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, 0, "c-1", &got), WX_OK);
	wx_record_free(&got);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "c-3", &got), WX_OK);
	wx_record_free(&got);
	check_clean(s);
}

/* ------------------------------------------------------------------ */
/* sticky errors                                                       */
/* ------------------------------------------------------------------ */

enum sticky_mode {
	STICKY_FAIL,       /* wx_txn_fail */
	STICKY_PUT,        /* a put that fails (NOOVERWRITE on an existing key) */
	STICKY_RECORD,     /* a record save that fails (duplicate id) */
	STICKY_RETURN,     /* the callback returns an error itself */
	STICKY_NOTFOUND    /* ENOTFOUND is not sticky: the write commits */
};

struct sticky_ctx {
	enum sticky_mode mode;
	int rc[16];
	int status_after;
	int is_write;
};

static int sticky_cb(struct wx_txn *t, void *vctx)
{
	struct sticky_ctx *c = vctx;
	struct wx_val v;
	struct wx_cursor *cur = NULL;
	struct wx_record r;
	uint64_t n;

	memset(c->rc, -1, sizeof c->rc);
	c->is_write = wx_txn_is_write(t);
	c->rc[0] = wx_put(t, WX_TB_META, "sticky.k1", 9, "v1", 2, 0);
	switch (c->mode) {
	case STICKY_FAIL:
		c->rc[1] = wx_txn_fail(t, WX_EDATA, "boom %d", 42);
		break;
	case STICKY_PUT:
		c->rc[1] = wx_put(t, WX_TB_META, "sticky.k1", 9, "v2", 2, WX_PUT_NOOVERWRITE);
		break;
	case STICKY_RECORD:
		wx_record_init(&r);
		wx_record_set(&r, "id", "s-1", 3);
		c->rc[10] = wx_record_save(t, WX_KIND_REQUEST, &r, 0);
		wx_record_free(&r);
		wx_record_init(&r);
		wx_record_set(&r, "id", "s-1", 3);
		c->rc[1] = wx_record_save(t, WX_KIND_REQUEST, &r, 0);
		wx_record_free(&r);
		break;
	case STICKY_RETURN:
		c->rc[1] = WX_EDATA;
		c->status_after = wx_txn_status(t);
		return WX_EDATA;
	case STICKY_NOTFOUND:
		c->rc[1] = wx_get(t, WX_TB_META, "sticky.absent", 13, &v);
		c->rc[2] = wx_del(t, WX_TB_META, "sticky.absent", 13);
		c->rc[3] = wx_put(t, WX_TB_META, "sticky.k2", 9, "v2", 2, 0);
		c->rc[4] = wx_get(t, WX_TB_META, "sticky.k1", 9, &v);
		c->status_after = wx_txn_status(t);
		return WX_OK;
	}
	/* later operations return the first error */
	c->rc[2] = wx_txn_status(t);
	c->rc[3] = wx_get(t, WX_TB_META, "sticky.k1", 9, &v);
	c->rc[4] = wx_put(t, WX_TB_META, "sticky.k2", 9, "v2", 2, 0);
	c->rc[5] = wx_del(t, WX_TB_META, "sticky.k1", 9);
	c->rc[6] = wx_count(t, WX_TB_META, &n);
	c->rc[7] = wx_next_seq(t, "sticky.seq", &n);
	c->rc[8] = wx_cursor_open(t, WX_TB_META, NULL, 0, &cur);
	if (c->rc[8] == WX_OK && cur)
		wx_cursor_close(cur);
	wx_record_init(&r);
	wx_record_set(&r, "id", "s-2", 3);
	c->rc[9] = wx_record_save(t, WX_KIND_REQUEST, &r, 0);
	wx_record_free(&r);
	/* a second failure does not replace the first */
	(void)wx_txn_fail(t, WX_EIO, "second failure");
	c->status_after = wx_txn_status(t);
	return WX_OK;   /* the store must still abort */
}

static int read_put_cb(struct wx_txn *t, void *vctx)
{
	int *rcs = vctx;

	rcs[0] = wx_txn_is_write(t);
	rcs[1] = wx_put(t, WX_TB_META, "sticky.ro", 9, "x", 1, 0);
	return WX_OK;
}

static void test_sticky(void **state)
{
	struct tstate *ts = *state;
	struct wx_store *s;
	struct wx_err err;
	struct sticky_ctx c;
	uint64_t meta0, req0;
	int modes[] = { STICKY_FAIL, STICKY_PUT, STICKY_RECORD };
	int expect[] = { WX_EDATA, WX_EEXIST, WX_EEXIST };
	size_t m;
	int i, rc;

	open_ok(ts, 0);
	s = ts->s;
	meta0 = tcount(s, WX_TB_META);
	req0 = tcount(s, wx_tb_records(WX_KIND_REQUEST));

	for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		memset(&c, 0, sizeof c);
		c.mode = (enum sticky_mode)modes[m];
		wx_err_clear(&err);
		rc = wx_store_write(s, sticky_cb, &c, &err);
		diag("sticky mode %d: write returned %s: %s", modes[m], wx_status_name(rc), err.msg);
		assert_true(c.is_write);
		assert_int_equal(c.rc[0], WX_OK);
		assert_int_equal(c.rc[1], expect[m]);
		for (i = 2; i <= 9; i++) {
			if (c.rc[i] != expect[m])
				diag("mode %d: operation %d returned %d, want %d", modes[m], i,
				     c.rc[i], expect[m]);
			assert_int_equal(c.rc[i], expect[m]);
		}
		assert_int_equal(c.status_after, expect[m]);
		if (c.mode == STICKY_RECORD)
			assert_int_equal(c.rc[10], WX_OK);
		assert_int_equal(rc, expect[m]);
		assert_int_equal(err.code, expect[m]);
		if (c.mode == STICKY_FAIL) {
			assert_non_null(strstr(err.msg, "boom 42"));
			assert_null(strstr(err.msg, "second failure"));
		}
		/* nothing of the write is visible */
		assert_int_equal(tget(s, WX_TB_META, "sticky.k1", 9, NULL, NULL), WX_ENOTFOUND);
		assert_int_equal(tget(s, WX_TB_META, "sticky.k2", 9, NULL, NULL), WX_ENOTFOUND);
		assert_int_equal(tcount(s, WX_TB_META), meta0);
		assert_int_equal(tcount(s, wx_tb_records(WX_KIND_REQUEST)), req0);
	}

	/* the callback's own error aborts too */
	memset(&c, 0, sizeof c);
	c.mode = STICKY_RETURN;
	wx_err_clear(&err);
	rc = wx_store_write(s, sticky_cb, &c, &err);
	assert_int_equal(c.rc[0], WX_OK);
	assert_int_equal(c.status_after, WX_OK);
	assert_int_equal(rc, WX_EDATA);
	assert_int_equal(tget(s, WX_TB_META, "sticky.k1", 9, NULL, NULL), WX_ENOTFOUND);
	assert_int_equal(tcount(s, WX_TB_META), meta0);

	/* a failed write leaves the store usable; ENOTFOUND is not sticky */
	memset(&c, 0, sizeof c);
	c.mode = STICKY_NOTFOUND;
	wx_err_clear(&err);
	rc = wx_store_write(s, sticky_cb, &c, &err);
	if (rc != WX_OK)
		diag("notfound mode: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(c.rc[0], WX_OK);
	assert_int_equal(c.rc[1], WX_ENOTFOUND);
	assert_int_equal(c.rc[2], WX_ENOTFOUND);
	assert_int_equal(c.rc[3], WX_OK);
	assert_int_equal(c.rc[4], WX_OK);
	assert_int_equal(c.status_after, WX_OK);
	assert_int_equal(rc, WX_OK);
	assert_int_equal(tget(s, WX_TB_META, "sticky.k1", 9, NULL, NULL), WX_OK);
	assert_int_equal(tget(s, WX_TB_META, "sticky.k2", 9, NULL, NULL), WX_OK);
	assert_int_equal(tcount(s, WX_TB_META), meta0 + 2);

	/* a read transaction cannot write */
	{
		int rcs[2] = { -1, -1 };
		wx_err_clear(&err);
		rc = wx_store_read(s, read_put_cb, rcs, &err);
		assert_int_equal(rcs[0], 0);
		assert_int_not_equal(rcs[1], WX_OK);
		assert_int_equal(tget(s, WX_TB_META, "sticky.ro", 9, NULL, NULL), WX_ENOTFOUND);
	}
	check_clean(s);
}

/* ------------------------------------------------------------------ */
/* migrations                                                          */
/* ------------------------------------------------------------------ */

static int raw_open(const char *dir, MDB_env **env)
{
	int rc = mdb_env_create(env);

	if (rc)
		return rc;
	mdb_env_set_maxdbs(*env, 64);
	rc = mdb_env_open(*env, dir, 0, 0600);
	if (rc) {
		mdb_env_close(*env);
		*env = NULL;
		return rc;
	}
	/* room for the edits below whatever map the store left */
	rc = mdb_env_set_mapsize(*env, (size_t)256 << 20);
	if (rc) {
		mdb_env_close(*env);
		*env = NULL;
	}
	return rc;
}

/* Drop "audit_by_record" (when drop_index) and set meta "schema". */
static int raw_downgrade(const char *dir, int drop_index, uint32_t schema)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k, v;
	unsigned char be[4];
	int rc;

	rc = raw_open(dir, &env);
	if (rc) {
		diag("raw open %s: %s", dir, mdb_strerror(rc));
		return rc;
	}
	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc)
		goto out;
	if (schema < 5) {
		/* schema 5 added the runs table */
		rc = mdb_dbi_open(txn, "runs", 0, &dbi);
		if (rc)
			goto abort;
		rc = mdb_drop(txn, dbi, 1);
		if (rc)
			goto abort;
	}
	if (schema < 4) {
		/* schema 4 added the geo table */
		rc = mdb_dbi_open(txn, "geo", 0, &dbi);
		if (rc)
			goto abort;
		rc = mdb_drop(txn, dbi, 1);
		if (rc)
			goto abort;
	}
	if (schema < 3) {
		/* schema 3 added the policy table */
		rc = mdb_dbi_open(txn, "policy", 0, &dbi);
		if (rc)
			goto abort;
		rc = mdb_drop(txn, dbi, 1);
		if (rc)
			goto abort;
	}
	if (drop_index) {
		rc = mdb_dbi_open(txn, "audit_by_record", 0, &dbi);
		if (rc)
			goto abort;
		rc = mdb_drop(txn, dbi, 1);
		if (rc)
			goto abort;
	}
	rc = mdb_dbi_open(txn, "meta", 0, &dbi);
	if (rc)
		goto abort;
	wx_put_be32(be, schema);
	k.mv_data = (void *)"schema";
	k.mv_size = 6;
	v.mv_data = be;
	v.mv_size = 4;
	rc = mdb_put(txn, dbi, &k, &v, 0);
	if (rc)
		goto abort;
	rc = mdb_txn_commit(txn);
	goto out;
abort:
	mdb_txn_abort(txn);
out:
	if (rc)
		diag("raw downgrade: %s", mdb_strerror(rc));
	mdb_env_close(env);
	return rc;
}

/* 0: absent, 1: present, <0: error.  Also reads meta "schema". */
static int raw_inspect(const char *dir, int *has_index, uint32_t *schema)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k, v;
	int rc;

	rc = raw_open(dir, &env);
	if (rc)
		return rc;
	rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc)
		goto out;
	rc = mdb_dbi_open(txn, "audit_by_record", 0, &dbi);
	*has_index = rc == 0;
	rc = mdb_dbi_open(txn, "meta", 0, &dbi);
	if (rc == 0) {
		k.mv_data = (void *)"schema";
		k.mv_size = 6;
		rc = mdb_get(txn, dbi, &k, &v);
		if (rc == 0 && v.mv_size == 4)
			*schema = wx_get_be32(v.mv_data);
		else if (rc == 0)
			rc = MDB_CORRUPTED;
	}
	mdb_txn_abort(txn);
out:
	mdb_env_close(env);
	return rc;
}

static void add_records(struct wx_store *s, enum wx_kind k, const char *prefix,
			unsigned n, struct wx_err *err)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct wx_record r;
		char id[64], val[64];
		int rc;

		wx_record_init(&r);
		snprintf(id, sizeof id, "%s%u", prefix, i);
		snprintf(val, sizeof val, "value of %s%u", prefix, i);
		set_field(&r, "id", id);
		set_field(&r, "data", val);
		rc = do_save(s, k, &r, 0, err);
		if (rc != WX_OK)
			diag("save %s: %s: %s", id, wx_status_name(rc), err->msg);
		wx_record_free(&r);
		assert_int_equal(rc, WX_OK);
	}
}

static void test_migrate(void **state)
{
	struct tstate *ts = *state;
	struct wx_store *s;
	struct wx_err err;
	struct wx_record r;
	struct kvlist idx0, idx1, aud0, aud1;
	uint64_t max_seq0 = 0, iid0;
	uint32_t schema = 0;
	int has_index = -1;
	size_t i;
	int rc;

	/* a current database with records, an edit and a delete */
	open_ok(ts, 0);
	s = ts->s;
	add_records(s, WX_KIND_CANDIDATE, "cand-", 3, &err);
	add_records(s, WX_KIND_PLACEMENT, "plac-", 2, &err);
	add_records(s, WX_KIND_EQUALITY, "eq-", 1, &err);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "cand-1", &r), WX_OK);
	set_field(&r, "data", "edited");
	assert_int_equal(do_save(s, WX_KIND_CANDIDATE, &r, r.version, &err), WX_OK);
	wx_record_free(&r);
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, 0, "plac-0", &r), WX_OK);
	assert_int_equal(do_delete(s, WX_KIND_PLACEMENT, r.iid, r.version, &err), WX_OK);
	wx_record_free(&r);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "cand-0", &r), WX_OK);
	iid0 = r.iid;
	wx_record_free(&r);
	dump_table(s, WX_TB_AUDIT_REC, &idx0);
	dump_table(s, WX_TB_AUDIT, &aud0);
	assert_true(idx0.n >= 8);
	for (i = 0; i < aud0.n; i++)
		max_seq0 = wx_get_be64(aud0.e[i].k);
	check_clean(s);
	wx_store_close(ts->s);
	ts->s = NULL;

	/* make it schema 1 */
	assert_int_equal(raw_downgrade(ts->db, 1, 1), 0);
	assert_int_equal(raw_inspect(ts->db, &has_index, &schema), 0);
	assert_int_equal(has_index, 0);
	assert_int_equal(schema, 1);

	/* opening migrates */
	rc = open_store(&ts->s, ts->db, 0, 0, &err);
	if (rc != WX_OK)
		diag("open schema 1: %s: %s", wx_status_name(rc), err.msg);
	assert_int_equal(rc, WX_OK);
	s = ts->s;
	assert_int_equal(get_stats(s).schema, WX_SCHEMA_VERSION);
	dump_table(s, WX_TB_AUDIT_REC, &idx1);
	dump_table(s, WX_TB_AUDIT, &aud1);
	diag("audit entries before %zu after %zu; index entries before %zu after %zu",
	     aud0.n, aud1.n, idx0.n, idx1.n);
	/* the old audit entries are untouched */
	assert_true(aud1.n >= aud0.n);
	for (i = 0; i < aud0.n; i++) {
		assert_int_equal(aud1.e[i].klen, aud0.e[i].klen);
		assert_memory_equal(aud1.e[i].k, aud0.e[i].k, aud0.e[i].klen);
		assert_int_equal(aud1.e[i].vlen, aud0.e[i].vlen);
		assert_memory_equal(aud1.e[i].v, aud0.e[i].v, aud0.e[i].vlen);
	}
	/* the index is rebuilt exactly: every old entry back, nothing invented for
	 * the old audit entries (entries for the migration itself may follow) */
	for (i = 0; i < idx0.n; i++)
		assert_true(kvlist_has_key(&idx1, idx0.e[i].k, idx0.e[i].klen));
	for (i = 0; i < idx1.n; i++) {
		assert_int_equal(idx1.e[i].klen, 17);
		if (wx_get_be64(idx1.e[i].k + 9) <= max_seq0)
			assert_true(kvlist_has_key(&idx0, idx1.e[i].k, idx1.e[i].klen));
	}
	/* the per-record prefix finds cand-0's ADD entry */
	{
		unsigned char pk[9];
		size_t n = 0;

		pk[0] = (unsigned char)WX_KIND_CANDIDATE;
		wx_put_be64(pk + 1, iid0);
		for (i = 0; i < idx1.n; i++)
			if (memcmp(idx1.e[i].k, pk, 9) == 0)
				n++;
		assert_int_equal(n, 1);
	}
	kvlist_free(&idx0);
	kvlist_free(&aud0);
	kvlist_free(&aud1);

	/* records intact */
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_CANDIDATE)), 3);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_PLACEMENT)), 1);
	assert_int_equal(tcount(s, wx_tb_records(WX_KIND_EQUALITY)), 1);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "cand-1", &r), WX_OK);
	assert_string_equal(wx_record_get(&r, "data"), "edited");
	wx_record_free(&r);
	assert_int_equal(do_load(s, WX_KIND_CANDIDATE, 0, "cand-2", &r), WX_OK);
	assert_string_equal(wx_record_get(&r, "data"), "value of cand-2");
	wx_record_free(&r);
	assert_int_equal(do_load(s, WX_KIND_PLACEMENT, 0, "plac-0", &r), WX_ENOTFOUND);
	wx_record_free(&r);
	assert_int_equal(do_load(s, WX_KIND_EQUALITY, 0, "eq-0", &r), WX_OK);
	wx_record_free(&r);
	check_clean(s);
	/* and the store works */
	add_records(s, WX_KIND_CANDIDATE, "after-", 2, &err);
	check_clean(s);
	wx_store_close(ts->s);
	ts->s = NULL;

	assert_int_equal(raw_inspect(ts->db, &has_index, &schema), 0);
	assert_int_equal(has_index, 1);
	assert_int_equal(schema, WX_SCHEMA_VERSION);

	/* a second open does not migrate again */
	open_ok(ts, 0);
	{
		struct kvlist idx2;
		dump_table(ts->s, WX_TB_AUDIT_REC, &idx2);
		assert_int_equal(idx2.n, idx1.n + 2);
		kvlist_free(&idx2);
	}
	kvlist_free(&idx1);
	check_clean(ts->s);
	wx_store_close(ts->s);
	ts->s = NULL;
}

static void test_schema_newer(void **state)
{
	struct tstate *ts = *state;
	struct wx_err err;
	struct wx_store *s2 = NULL;
	uint32_t schema = 0;
	int has_index = -1;
	int rc, flags[2] = { 0, WX_OPEN_CREATE };
	size_t i;

	open_ok(ts, 0);
	add_records(ts->s, WX_KIND_CANDIDATE, "c", 2, &err);
	wx_store_close(ts->s);
	ts->s = NULL;
	assert_int_equal(raw_downgrade(ts->db, 0, 99), 0);

	for (i = 0; i < 2; i++) {
		rc = open_store(&s2, ts->db, (unsigned)flags[i], 0, &err);
		diag("open schema 99: %s: %s", wx_status_name(rc), err.msg);
		if (rc == WX_OK) {
			wx_store_close(s2);
			fail_msg("a database from a newer version was opened");
		}
		assert_int_equal(rc, WX_EDB);
		assert_int_equal(err.code, WX_EDB);
		assert_non_null(strstr(err.msg, "newer"));
	}
	/* and it was left alone */
	assert_int_equal(raw_inspect(ts->db, &has_index, &schema), 0);
	assert_int_equal(schema, 99);
	assert_int_equal(has_index, 1);
}

static void write_file(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static void test_garbage(void **state)
{
	struct tstate *ts = *state;
	static const size_t sizes[] = { 5, 4096, 65536 };
	char path[PATH_MAX + 32];
	unsigned char *buf, *back;
	struct wx_err err;
	struct wx_store *s2;
	size_t si, j, len;
	int fl, rc;

	rng_state = 77;
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		for (fl = 0; fl < 2; fl++) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof dir, "%s/garbage-%zu-%d", ts->tmp, si, fl);
			assert_int_equal(mkdir(dir, 0700), 0);
			snprintf(path, sizeof path, "%s/data.mdb", dir);
			buf = malloc(sizes[si]);
			assert_non_null(buf);
			for (j = 0; j < sizes[si]; j++)
				buf[j] = (unsigned char)rng_next();
			write_file(path, buf, sizes[si]);
			s2 = NULL;
			rc = open_store(&s2, dir, fl ? WX_OPEN_CREATE : 0, 0, &err);
			diag("garbage %zu bytes, flags %d: %s: %s", sizes[si], fl,
			     wx_status_name(rc), err.msg);
			if (rc == WX_OK) {
				wx_store_close(s2);
				free(buf);
				fail_msg("garbage data.mdb opened");
			}
			assert_int_equal(rc, WX_EDB);
			assert_int_equal(err.code, WX_EDB);
			assert_true(err.msg[0] != '\0');
			/* and the file was not overwritten */
			back = read_file(path, &len);
			assert_int_equal(len, sizes[si]);
			assert_memory_equal(back, buf, len);
			free(back);
			free(buf);
		}
	}
	/* a missing database without CREATE */
	snprintf(path, sizeof path, "%s/absent", ts->tmp);
	s2 = NULL;
	rc = open_store(&s2, path, 0, 0, &err);
	if (rc == WX_OK)
		wx_store_close(s2);
	assert_int_equal(rc, WX_EDB);
}

/* ------------------------------------------------------------------ */
/* map growth                                                          */
/* ------------------------------------------------------------------ */

#define GROW_VLEN 200

static void fill_value(char *buf, unsigned i)
{
	unsigned j;

	for (j = 0; j < GROW_VLEN; j++)
		buf[j] = (char)('a' + (i * 7 + j) % 26);
	snprintf(buf, 12, "%08u", i);
	buf[8] = '-';
	buf[GROW_VLEN] = '\0';
}

struct bulk_ctx {
	enum wx_kind k;
	const char *prefix;
	unsigned from, n;
	unsigned runs;
	int rc;
	unsigned failed_at;
};

static int bulk_cb(struct wx_txn *t, void *vctx)
{
	struct bulk_ctx *c = vctx;
	char id[64], val[GROW_VLEN + 1];
	unsigned i;
	int rc = WX_OK;

	c->runs++;
	for (i = c->from; i < c->from + c->n; i++) {
		struct wx_record r;

		wx_record_init(&r);
		snprintf(id, sizeof id, "%s%06u", c->prefix, i);
		fill_value(val, i);
		rc = wx_record_set(&r, "id", id, strlen(id));
		if (rc == WX_OK)
			rc = wx_record_set(&r, "data", val, GROW_VLEN);
		if (rc == WX_OK)
			rc = wx_record_save(t, c->k, &r, 0);
		wx_record_free(&r);
		if (rc != WX_OK) {
			c->failed_at = i;
			break;
		}
	}
	c->rc = rc;
	return rc;
}

static int bulk(struct wx_store *s, enum wx_kind k, const char *prefix, unsigned from,
		unsigned n, unsigned *runs)
{
	struct bulk_ctx c;
	struct wx_err err;
	int rc;

	memset(&c, 0, sizeof c);
	c.k = k;
	c.prefix = prefix;
	c.from = from;
	c.n = n;
	wx_err_clear(&err);
	rc = wx_store_write(s, bulk_cb, &c, &err);
	if (rc != WX_OK)
		diag("bulk %s%u..+%u: %s: %s (record %u, callback rc %d)", prefix, from, n,
		     wx_status_name(rc), err.msg, c.failed_at, c.rc);
	if (runs)
		*runs = c.runs;
	return rc;
}

static void verify_bulk(struct wx_store *s, enum wx_kind k, const char *prefix,
			unsigned n)
{
	static const unsigned probes[] = { 0, 1, 2, 999, 4321, 10000, 19998, 19999 };
	char id[64], val[GROW_VLEN + 1];
	size_t i;

	for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		struct wx_record r;

		if (probes[i] >= n)
			continue;
		snprintf(id, sizeof id, "%s%06u", prefix, probes[i]);
		fill_value(val, probes[i]);
		assert_int_equal(do_load(s, k, 0, id, &r), WX_OK);
		assert_non_null(wx_record_get(&r, "data"));
		assert_string_equal(wx_record_get(&r, "data"), val);
		wx_record_free(&r);
	}
	snprintf(id, sizeof id, "%s%06u", prefix, n);
	{
		struct wx_record r;
		assert_int_equal(do_load(s, k, 0, id, &r), WX_ENOTFOUND);
		wx_record_free(&r);
	}
}

#define GROW_N 20000

static void test_grow_one_txn(void **state)
{
	struct tstate *ts = *state;
	struct wx_store_stats st0, st;
	struct wx_check_result cr;
	uint64_t audit0;
	unsigned runs = 0;

	open_ok(ts, TINY_MAP);
	st0 = get_stats(ts->s);
	diag("tiny map: map_bytes %" PRIu64 " used %" PRIu64, st0.map_bytes, st0.used_bytes);
	assert_true(st0.map_bytes <= (uint64_t)1 << 20);
	audit0 = tcount(ts->s, WX_TB_AUDIT);
	assert_int_equal(bulk(ts->s, WX_KIND_CANDIDATE, "c", 0, GROW_N, &runs), WX_OK);
	st = get_stats(ts->s);
	diag("one txn of %d: callback ran %u times, %u growths, map %" PRIu64 " bytes",
	     GROW_N, runs, wx_store_map_growths(ts->s), st.map_bytes);
	assert_true(wx_store_map_growths(ts->s) > 0);
	assert_true(runs > 1);
	assert_true(st.map_bytes > st0.map_bytes);
	assert_true(st.used_bytes <= st.map_bytes);
	assert_int_equal(st.records[WX_KIND_CANDIDATE], GROW_N);
	assert_int_equal(tcount(ts->s, wx_tb_records(WX_KIND_CANDIDATE)), GROW_N);
	assert_int_equal(tcount(ts->s, wx_tb_ids(WX_KIND_CANDIDATE)), GROW_N);
	assert_int_equal(tcount(ts->s, WX_TB_AUDIT), audit0 + GROW_N);
	assert_int_equal(st.audit_entries, audit0 + GROW_N);
	verify_bulk(ts->s, WX_KIND_CANDIDATE, "c", GROW_N);
	cr = check_clean(ts->s);
	assert_int_equal(cr.records, GROW_N);
	/* and the grown map is kept */
	wx_store_close(ts->s);
	ts->s = NULL;
	open_ok(ts, TINY_MAP);
	assert_int_equal(get_stats(ts->s).records[WX_KIND_CANDIDATE], GROW_N);
	assert_int_equal(bulk(ts->s, WX_KIND_CANDIDATE, "c", GROW_N, 10, NULL), WX_OK);
	check_clean(ts->s);
}

#define SMALL_WRITES 1000
#define PER_WRITE 20

static void test_grow_small_txns(void **state)
{
	struct tstate *ts = *state;
	struct wx_store_stats st;
	struct wx_check_result cr;
	uint64_t audit0;
	unsigned w;

	open_ok(ts, TINY_MAP);
	audit0 = tcount(ts->s, WX_TB_AUDIT);
	for (w = 0; w < SMALL_WRITES; w++)
		assert_int_equal(bulk(ts->s, WX_KIND_AMBASSADOR, "a", w * PER_WRITE, PER_WRITE,
				      NULL), WX_OK);
	st = get_stats(ts->s);
	diag("%d writes of %d: %u growths, map %" PRIu64 " bytes", SMALL_WRITES, PER_WRITE,
	     wx_store_map_growths(ts->s), st.map_bytes);
	assert_true(wx_store_map_growths(ts->s) > 0);
	assert_int_equal(st.records[WX_KIND_AMBASSADOR], SMALL_WRITES * PER_WRITE);
	assert_int_equal(tcount(ts->s, wx_tb_ids(WX_KIND_AMBASSADOR)), SMALL_WRITES * PER_WRITE);
	assert_int_equal(tcount(ts->s, WX_TB_AUDIT), audit0 + SMALL_WRITES * PER_WRITE);
	verify_bulk(ts->s, WX_KIND_AMBASSADOR, "a", SMALL_WRITES * PER_WRITE);
	cr = check_clean(ts->s);
	assert_int_equal(cr.records, SMALL_WRITES * PER_WRITE);
}

#define CHILD_N 5000

/* The child: never touches anything the parent opened. */
static int child_grow(const char *db, int rfd)
{
	struct wx_store *s = NULL;
	struct wx_err err;
	char go;
	unsigned w, growths;
	int rc;

	if (read(rfd, &go, 1) != 1)
		return 10;
	close(rfd);
	rc = open_store(&s, db, 0, 0, &err);
	if (rc != WX_OK) {
		diag("child open: %s: %s", wx_status_name(rc), err.msg);
		return 11;
	}
	for (w = 0; w < CHILD_N / 500; w++) {
		rc = bulk(s, WX_KIND_CANDIDATE, "child", w * 500, 500, NULL);
		if (rc != WX_OK) {
			wx_store_close(s);
			return 12;
		}
	}
	growths = wx_store_map_growths(s);
	diag("child: %u growths", growths);
	wx_store_close(s);
	return growths > 0 ? 0 : 13;
}

static void test_grow_other_process(void **state)
{
	struct tstate *ts = *state;
	struct wx_store_stats st0, st;
	struct wx_record r;
	char id[64];
	int fds[2], status = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the child has opened nothing: it waits for the parent */
		int code;

		close(fds[1]);
		code = child_grow(ts->db, fds[0]);
		fflush(stderr);
		_exit(code);
	}
	close(fds[0]);

	/* the parent opens with a tiny map and writes a little */
	open_ok(ts, TINY_MAP);
	assert_int_equal(bulk(ts->s, WX_KIND_CANDIDATE, "parent", 0, 10, NULL), WX_OK);
	st0 = get_stats(ts->s);
	diag("parent map %" PRIu64 " bytes before the child", st0.map_bytes);
	assert_int_equal(write(fds[1], "g", 1), 1);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		diag("child exit status %d", WEXITSTATUS(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* the parent's map is now smaller than the data: it must follow */
	assert_int_equal(tcount(ts->s, wx_tb_records(WX_KIND_CANDIDATE)), 10 + CHILD_N);
	snprintf(id, sizeof id, "child%06u", CHILD_N - 1);
	assert_int_equal(do_load(ts->s, WX_KIND_CANDIDATE, 0, id, &r), WX_OK);
	wx_record_free(&r);
	verify_bulk(ts->s, WX_KIND_CANDIDATE, "child", CHILD_N);
	/* and write */
	assert_int_equal(bulk(ts->s, WX_KIND_CANDIDATE, "parent", 10, 100, NULL), WX_OK);
	assert_int_equal(bulk(ts->s, WX_KIND_CANDIDATE, "parent", 110, 3000, NULL), WX_OK);
	st = get_stats(ts->s);
	diag("parent map %" PRIu64 " bytes after, used %" PRIu64, st.map_bytes, st.used_bytes);
	assert_true(st.map_bytes > st0.map_bytes);
	assert_true(st.used_bytes <= st.map_bytes);
	assert_int_equal(st.records[WX_KIND_CANDIDATE], 3110 + CHILD_N);
	verify_bulk(ts->s, WX_KIND_CANDIDATE, "parent", 3110);
	check_clean(ts->s);
}


/* Records written by builds before the names table (format 1: every name
 * as text) still decode and are read in place; new writes use format 2,
 * which stores well-known names as one-byte references and is smaller. */
static void test_record_format1(void **state)
{
	static const unsigned char v1[] = {
		1,                                       /* format 1 */
		0, 0, 0, 0, 0, 0, 0, 7,                  /* version 7 */
		0x80, 0, 0, 0, 0, 0, 0, 42,              /* mtime 42 ns (sign bit flipped) */
		0, 0, 3, 0xe8,                           /* uid 1000 */
		3, 'b', 'o', 'b',                        /* user */
		0, 0, 0, 2,                              /* two fields */
		2, 'i', 'd', 0, 0, 0, 2, 'C', '1',
		5, 'n', 'o', 't', 'e', 's', 0, 0, 0, 1, 'x',
	};
	struct wx_record r;
	const char *v;
	size_t vl, len;
	unsigned char *enc;

	(void)state;
	wx_record_init(&r);
	assert_int_equal(wx_record_decode(v1, sizeof v1, 5, &r), WX_OK);
	assert_int_equal(r.version, 7);
	assert_int_equal(r.mtime_ns, 42);
	assert_int_equal(r.muid, 1000);
	assert_string_equal(r.muser, "bob");
	assert_int_equal(r.n, 2);
	assert_string_equal(wx_record_get(&r, "id"), "C1");
	assert_string_equal(wx_record_get(&r, "notes"), "x");
	assert_int_equal(wx_record_peek(v1, sizeof v1, "notes", &v, &vl), WX_OK);
	assert_int_equal(vl, 1);
	/* a format-1 record may not use references */
	{
		unsigned char bad[sizeof v1];

		memcpy(bad, v1, sizeof v1);
		bad[30] = 0;    /* the first name's length: 0 is a reference in format 2 only */
		assert_int_equal(wx_record_decode(bad, sizeof bad, 5, &r), WX_EDATA);
	}
	assert_int_equal(wx_record_decode(v1, sizeof v1, 5, &r), WX_OK);
	assert_int_equal(wx_record_encode(&r, &enc, &len), WX_OK);
	assert_int_equal(enc[0], 2);
	/* "id" becomes a reference (2 bytes instead of 3), "notes" stays text,
	 * and each value length takes 1 byte instead of 4 */
	assert_int_equal(len, sizeof v1 - 1 - 3 - 3);
	assert_int_equal(wx_record_peek(enc, len, "id", &v, &vl), WX_OK);
	assert_int_equal(vl, 2);
	assert_memory_equal(v, "C1", 2);
	free(enc);
	wx_record_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_encoding),
		cmocka_unit_test(test_kind_parse),
		cmocka_unit_test(test_record_format1),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sticky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow_one_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow_small_txns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow_other_process, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
