/* bench-store.c: store benchmarks, run by `make bench`.  Prints figures and
 * the targets they are meant to meet; never asserts timing.  Exits non-zero
 * only when the store itself fails.
 *
 *   bench-store [--quick]
 *
 * Works in a temporary directory under $TMPDIR (else /tmp), removed at the
 * end.  --quick uses small sizes (a smoke test). */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "wexmatch/error.h"
#include "wexmatch/keys.h"
#include "wexmatch/record.h"
#include "wexmatch/store.h"

#define VLEN 200

struct sizes {
	uint64_t bulk;        /* records in the one-transaction inserts */
	uint64_t reads;       /* random reads */
	uint64_t big;         /* records in the large database */
	uint64_t big_txns;    /* transactions used to build it */
	int reps;             /* open+close repetitions */
};

static const struct sizes full_sizes = { 1000000, 1000000, 5000000, 10, 20 };
static const struct sizes quick_sizes = { 20000, 20000, 100000, 4, 20 };

static char tmproot[PATH_MAX - 64];
static int failures;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = UINT64_C(0x853c49e6748fea9b);

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
		fprintf(stderr, "bench-store: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void report_err(const char *what, int rc, const struct wx_err *err)
{
	fprintf(stderr, "bench-store: %s: %s: %s\n", what, wx_status_name(rc), err->msg);
	failures++;
}

static struct wx_store *open_db(const char *name, size_t initial_map)
{
	struct wx_store_opts o;
	struct wx_store *s = NULL;
	struct wx_err err;
	char dir[PATH_MAX];
	int rc;

	snprintf(dir, sizeof dir, "%s/%s", tmproot, name);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.flags = WX_OPEN_CREATE;
	o.initial_map = initial_map;
	wx_err_clear(&err);
	rc = wx_store_open(&s, &o, &err);
	if (rc != WX_OK) {
		report_err("open", rc, &err);
		return NULL;
	}
	return s;
}

static void remove_db(const char *name)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof dir, "%s/%s", tmproot, name);
	rm_rf(dir);
}

/* ---- raw bulk insert ---- */

struct raw_ctx {
	uint64_t from, n;
	unsigned runs;
	double t_start, t_end;   /* the last run of the callback */
};

static int raw_insert_cb(struct wx_txn *t, void *vctx)
{
	struct raw_ctx *c = vctx;
	unsigned char key[8], val[VLEN];
	enum wx_table tb = wx_tb_records(WX_KIND_CANDIDATE);
	uint64_t i;
	int rc = WX_OK;

	c->runs++;
	c->t_start = now_s();
	memset(val, 'v', sizeof val);
	for (i = c->from; i < c->from + c->n && rc == WX_OK; i++) {
		wx_put_be64(key, i);
		wx_put_be64(val, i);
		rc = wx_put(t, tb, key, 8, val, VLEN, WX_PUT_APPEND);
	}
	c->t_end = now_s();
	return rc;
}

/* Insert keys [from, from+n) in one write; returns seconds or -1.  *runs:
 * how often the callback ran; *put_s: seconds in its last run (the puts). */
static double raw_insert(struct wx_store *s, uint64_t from, uint64_t n, unsigned *runs,
			 double *put_s)
{
	struct raw_ctx c = { from, n, 0, 0, 0 };
	struct wx_err err;
	double t0 = now_s(), t1;
	int rc;

	wx_err_clear(&err);
	rc = wx_store_write(s, raw_insert_cb, &c, &err);
	t1 = now_s();
	if (runs)
		*runs = c.runs;
	if (put_s)
		*put_s = c.t_end - c.t_start;
	if (rc != WX_OK) {
		report_err("raw insert", rc, &err);
		return -1;
	}
	return t1 - t0;
}

static void bench_raw_insert(const struct sizes *z, const char *name, size_t initial_map,
			     const char *label)
{
	struct wx_store *s = open_db(name, initial_map);
	unsigned runs = 0;
	double dt, put_s = 0;

	if (!s)
		return;
	dt = raw_insert(s, 1, z->bulk, &runs, &put_s);
	if (dt > 0)
		printf("bulk insert (raw, 1 txn%s): %.0f records/s (target >= 500000)"
		       " [%" PRIu64 " records in %.3f s: last run's puts %.3f s, commit and"
		       " earlier runs %.3f s; %u map growths, callback ran %u times]\n",
		       label, (double)z->bulk / dt, z->bulk, dt, put_s, dt - put_s,
		       wx_store_map_growths(s), runs);
	wx_store_close(s);
}

/* ---- record bulk insert ---- */

struct rec_ctx {
	uint64_t n;
	unsigned runs;
	uint64_t failed_at;
};

static int rec_insert_cb(struct wx_txn *t, void *vctx)
{
	struct rec_ctx *c = vctx;
	char id[32], data[VLEN], num[24];
	uint64_t i;
	int rc = WX_OK, nlen;

	c->runs++;
	memset(data, 'd', sizeof data);
	for (i = 0; i < c->n && rc == WX_OK; i++) {
		struct wx_record r;
		int idlen = snprintf(id, sizeof id, "c%09" PRIu64, i);

		/* about 200 bytes encoded: the id, a 170-byte field, names and lengths */
		nlen = snprintf(num, sizeof num, "%" PRIu64, i);
		memcpy(data, num, (size_t)nlen);
		data[nlen] = '-';
		wx_record_init(&r);
		rc = wx_record_set(&r, "id", id, (size_t)idlen);
		if (rc == WX_OK)
			rc = wx_record_set(&r, "data", data, 170);
		if (rc == WX_OK)
			rc = wx_record_save(t, WX_KIND_CANDIDATE, &r, 0);
		wx_record_free(&r);
		if (rc != WX_OK)
			c->failed_at = i;
	}
	return rc;
}

static void bench_record_insert(const struct sizes *z)
{
	struct wx_store *s = open_db("records", 0);
	struct rec_ctx c = { z->bulk, 0, 0 };
	struct wx_err err;
	double t0, dt;
	int rc;

	if (!s)
		return;
	wx_err_clear(&err);
	t0 = now_s();
	rc = wx_store_write(s, rec_insert_cb, &c, &err);
	dt = now_s() - t0;
	if (rc != WX_OK) {
		report_err("record insert", rc, &err);
	} else {
		printf("bulk insert (wx_record_save, 1 txn): %.0f records/s"
		       " [%" PRIu64 " records with index and audit in %.3f s, %u map growths,"
		       " callback ran %u times]\n",
		       (double)z->bulk / dt, z->bulk, dt, wx_store_map_growths(s), c.runs);
	}
	wx_store_close(s);
	remove_db("records");
}

/* ---- random reads ---- */

struct read_ctx {
	uint64_t n, max;      /* reads; keys are 1..max */
	uint64_t hits, bytes;
};

static int read_many_cb(struct wx_txn *t, void *vctx)
{
	struct read_ctx *c = vctx;
	enum wx_table tb = wx_tb_records(WX_KIND_CANDIDATE);
	unsigned char key[8];
	struct wx_val v;
	uint64_t i;

	c->hits = c->bytes = 0;
	for (i = 0; i < c->n; i++) {
		wx_put_be64(key, 1 + rng_next() % c->max);
		if (wx_get(t, tb, key, 8, &v) == WX_OK) {
			c->hits++;
			c->bytes += v.len + ((const unsigned char *)v.data)[v.len - 1];
		}
	}
	return wx_txn_status(t);
}

static int read_one_cb(struct wx_txn *t, void *vctx)
{
	struct read_ctx *c = vctx;
	unsigned char key[8];
	struct wx_val v;
	int rc;

	wx_put_be64(key, 1 + rng_next() % c->max);
	rc = wx_get(t, wx_tb_records(WX_KIND_CANDIDATE), key, 8, &v);
	if (rc == WX_OK) {
		c->hits++;
		c->bytes += v.len;
	}
	return rc;
}

static void bench_reads(const struct sizes *z, struct wx_store *s)
{
	struct read_ctx c = { z->reads, z->bulk, 0, 0 };
	struct wx_err err;
	double t0, dt;
	uint64_t i;
	int rc;

	/* warm the page cache so both figures measure the store, not the disk */
	c.n = z->bulk;
	wx_err_clear(&err);
	wx_store_read(s, read_many_cb, &c, &err);

	c.n = z->reads;
	wx_err_clear(&err);
	t0 = now_s();
	rc = wx_store_read(s, read_many_cb, &c, &err);
	dt = now_s() - t0;
	if (rc != WX_OK) {
		report_err("random reads", rc, &err);
	} else if (c.hits != c.n) {
		fprintf(stderr, "bench-store: random reads: %" PRIu64 " of %" PRIu64 " found\n",
			c.hits, c.n);
		failures++;
	} else {
		printf("random reads (1 read txn): %.0f reads/s (target >= 500000)"
		       " [%" PRIu64 " wx_get of %" PRIu64 " keys in %.3f s]\n",
		       (double)c.n / dt, c.n, z->bulk, dt);
	}

	c.hits = c.bytes = 0;
	t0 = now_s();
	for (i = 0; i < z->reads; i++) {
		wx_err_clear(&err);
		rc = wx_store_read(s, read_one_cb, &c, &err);
		if (rc != WX_OK) {
			report_err("random read", rc, &err);
			return;
		}
	}
	dt = now_s() - t0;
	printf("random reads (1 read txn each): %.0f reads/s"
	       " [%" PRIu64 " wx_store_read+wx_get in %.3f s]\n",
	       (double)z->reads / dt, z->reads, dt);
}

/* ---- open and close of a large database ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_open_close(const struct sizes *z)
{
	struct wx_store *s = open_db("big", 0);
	struct wx_store_stats st;
	struct wx_err err;
	struct wx_store_opts o;
	double t0, dt, total = 0, *ms;
	uint64_t per = (z->big + z->big_txns - 1) / z->big_txns, from = 1;
	char dir[PATH_MAX];
	int i, rc;

	if (!s)
		return;
	t0 = now_s();
	while (from <= z->big) {
		uint64_t n = z->big + 1 - from < per ? z->big + 1 - from : per;

		dt = raw_insert(s, from, n, NULL, NULL);
		if (dt < 0) {
			wx_store_close(s);
			remove_db("big");
			return;
		}
		from += n;
	}
	total = now_s() - t0;
	memset(&st, 0, sizeof st);
	wx_err_clear(&err);
	rc = wx_store_stats(s, &st, &err);
	if (rc != WX_OK)
		report_err("stats", rc, &err);
	printf("build large database: %.1f s [%" PRIu64 " x %d bytes in %" PRIu64
	       " append txns, data.mdb %.0f MB, map %.0f MB, %u map growths]\n",
	       total, z->big, VLEN, z->big_txns, (double)st.file_bytes / 1e6,
	       (double)st.map_bytes / 1e6, wx_store_map_growths(s));
	wx_store_close(s);

	ms = calloc((size_t)z->reps, sizeof *ms);
	if (!ms) {
		failures++;
		remove_db("big");
		return;
	}
	snprintf(dir, sizeof dir, "%s/big", tmproot);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	for (i = 0; i < z->reps; i++) {
		s = NULL;
		wx_err_clear(&err);
		t0 = now_s();
		rc = wx_store_open(&s, &o, &err);
		if (rc == WX_OK)
			wx_store_close(s);
		ms[i] = (now_s() - t0) * 1e3;
		if (rc != WX_OK) {
			report_err("reopen", rc, &err);
			free(ms);
			remove_db("big");
			return;
		}
	}
	qsort(ms, (size_t)z->reps, sizeof *ms, cmp_double);
	printf("open+close (%.0f MB database): median %.3f ms, max %.3f ms (target < 10 ms)"
	       " [%d runs]\n",
	       (double)st.file_bytes / 1e6,
	       z->reps % 2 ? ms[z->reps / 2] : (ms[z->reps / 2 - 1] + ms[z->reps / 2]) / 2,
	       ms[z->reps - 1], z->reps);
	free(ms);
	remove_db("big");
}

int main(int argc, char **argv)
{
	const struct sizes *z = &full_sizes;
	const char *tmp = getenv("TMPDIR");
	struct wx_store *s;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			z = &quick_sizes;
		} else {
			fprintf(stderr, "usage: bench-store [--quick]\n");
			return 2;
		}
	}
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(tmproot, sizeof tmproot, "%s/bench-store.XXXXXX", tmp);
	if (!mkdtemp(tmproot)) {
		fprintf(stderr, "bench-store: mkdtemp %s: %s\n", tmproot, strerror(errno));
		return 1;
	}
	printf("bench-store: %s sizes in %s\n", z == &quick_sizes ? "quick" : "full", tmproot);
	fflush(stdout);

	/* (a) bulk inserts */
	bench_raw_insert(z, "raw", 0, "");
	fflush(stdout);
	bench_raw_insert(z, "raw-presized", (size_t)1 << 30, ", map presized");
	remove_db("raw-presized");
	fflush(stdout);
	bench_record_insert(z);
	fflush(stdout);

	/* (b) random reads over the raw database */
	s = open_db("raw", 0);
	if (s) {
		bench_reads(z, s);
		wx_store_close(s);
	}
	remove_db("raw");
	fflush(stdout);

	/* (c) open and close of a large database */
	bench_open_close(z);

	rm_rf(tmproot);
	if (failures)
		fprintf(stderr, "bench-store: %d failures\n", failures);
	return failures ? 1 : 0;
}
