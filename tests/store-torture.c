/* store-torture: a helper for the multi-process store tests (the shell tests
 * in this directory).
 *
 * It uses only the public API (store.h, record.h, audit.h) and runs one of
 * these modes:
 *
 *   store-torture write DIR N WRITER     N write transactions, each inserting
 *                                        candidate "W<WRITER>-<n>"; prints
 *                                        "acked W<WRITER>-<n>" after each commit
 *   store-torture read DIR N [WRITERS]   N read snapshots checking that the
 *                                        candidate count never decreases, that
 *                                        the records and id index agree, and
 *                                        that records of writers 0..WRITERS-1
 *                                        (default 4) are whole and in order
 *   store-torture hold DIR               a read transaction that never ends:
 *                                        prints "holding", waits to be killed
 *   store-torture idle DIR               keeps the environment open with no
 *                                        transaction: prints "open", waits
 *   store-torture update DIR N [K]       N write transactions, each rewriting
 *                                        candidates U-1..U-K (default 10),
 *                                        inserting them when absent
 *   store-torture count DIR              prints the number of candidates
 *   store-torture has DIR FILE           checks that every id in FILE (one per
 *                                        line, "acked " prefix allowed; lines
 *                                        with other spaces are ignored) is a
 *                                        candidate; lists missing ones
 *   store-torture create DIR             creates the database and exits
 *   store-torture damage DIR             writes an id index entry "ghost" that
 *                                        points to no record, and a candidate
 *                                        record that does not decode, for
 *                                        `wexmatch check` to find
 *
 * The environment variable WX_TORTURE_MAP sets the initial map size (bytes)
 * of a database this program creates, so tests can force map growth.
 *
 * Exit codes: 0 fine, 1 inconsistency found, 2 bad usage, 3 store error. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wexmatch/audit.h"
#include "wexmatch/record.h"
#include "wexmatch/store.h"

#define FILLER_LEN 200

static const char *prog = "store-torture";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s write DIR N WRITER | read DIR N [WRITERS] | hold DIR |\n"
		"       idle DIR | update DIR N [K] | count DIR | has DIR FILE | create DIR |\n"
		"       damage DIR\n",
		prog);
	exit(2);
}

static unsigned long parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "%s: not a count: %s\n", prog, s);
		exit(2);
	}
	return v;
}

static void die_err(const char *what, const struct wx_err *err, int rc)
{
	fprintf(stderr, "%s: %s failed (%s): %s\n", prog, what, wx_status_name(rc),
		err->code != WX_OK ? err->msg : "(no message)");
	exit(3);
}

static struct wx_store *open_store(const char *dir, unsigned flags)
{
	struct wx_store_opts o;
	struct wx_store *s = NULL;
	struct wx_err err;
	const char *map = getenv("WX_TORTURE_MAP");
	int rc;

	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.flags = flags;
	if (map && *map)
		o.initial_map = (size_t)parse_count(map);
	wx_err_clear(&err);
	rc = wx_store_open(&s, &o, &err);
	if (rc != WX_OK)
		die_err("open", &err, rc);
	return s;
}

/* The filler of a record: FILLER_LEN bytes derived from its id and a round. */
static void make_filler(char *buf, const char *id, unsigned long round)
{
	char seed[WX_ID_MAX + 32];
	size_t n, i;

	n = (size_t)snprintf(seed, sizeof seed, "%s/%lu:", id, round);
	if (n >= sizeof seed)
		n = sizeof seed - 1;
	for (i = 0; i < FILLER_LEN; i++)
		buf[i] = seed[i % n];
	buf[FILLER_LEN] = '\0';
}

/* ---- write ---- */

struct insert_ctx {
	const char *id;
};

static int insert_one(struct wx_txn *t, void *vctx)
{
	struct insert_ctx *ctx = vctx;
	struct wx_record r;
	char filler[FILLER_LEN + 1];
	int rc;

	/* Start from the inputs only: the store may run this more than once. */
	wx_record_init(&r);
	make_filler(filler, ctx->id, 0);
	rc = wx_record_set(&r, "id", ctx->id, strlen(ctx->id));
	if (rc == WX_OK)
		rc = wx_record_set(&r, "filler", filler, FILLER_LEN);
	if (rc == WX_OK)
		rc = wx_record_save(t, WX_KIND_CANDIDATE, &r, 0);
	wx_record_free(&r);
	return rc;
}

static int do_write(const char *dir, unsigned long n, const char *writer)
{
	struct wx_store *s = open_store(dir, WX_OPEN_CREATE);
	char id[WX_ID_MAX + 1];
	struct insert_ctx ctx;
	struct wx_err err;
	unsigned long i;
	int rc;

	for (i = 1; i <= n; i++) {
		snprintf(id, sizeof id, "W%s-%lu", writer, i);
		ctx.id = id;
		wx_err_clear(&err);
		rc = wx_store_write(s, insert_one, &ctx, &err);
		if (rc != WX_OK) {
			fprintf(stderr, "%s: inserting %s: ", prog, id);
			die_err("write", &err, rc);
		}
		printf("acked %s\n", id);
		fflush(stdout);
	}
	fprintf(stderr, "%s: writer %s done, map growths: %u\n", prog, writer,
		wx_store_map_growths(s));
	wx_store_close(s);
	return 0;
}

/* ---- read ---- */

struct read_ctx {
	uint64_t count;      /* out: candidates in this snapshot */
	unsigned writers;
	unsigned probes;
	unsigned seed;
	int bad;             /* out: inconsistencies found */
	char msg[512];       /* out: the first one */
};

static void read_bad(struct read_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void read_bad(struct read_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->bad) {
		va_start(ap, fmt);
		vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
		va_end(ap);
	}
	ctx->bad++;
}

/* Check a loaded record: its id field, its filler, its header. */
static void check_record(struct read_ctx *ctx, struct wx_txn *t, const char *id,
			 const struct wx_record *r)
{
	char filler[FILLER_LEN + 1];
	const struct wx_field *f;
	const char *got = wx_record_get(r, "id");
	uint64_t iid = 0;

	if (!got || strcmp(got, id) != 0) {
		read_bad(ctx, "record %s has id field '%s'", id, got ? got : "(none)");
		return;
	}
	make_filler(filler, id, 0);
	f = wx_record_field(r, "filler");
	if (!f || f->vlen != FILLER_LEN || memcmp(f->value, filler, FILLER_LEN) != 0)
		read_bad(ctx, "record %s: filler damaged", id);
	if (r->iid == 0 || r->version == 0)
		read_bad(ctx, "record %s: no internal id or version", id);
	if (wx_record_lookup(t, WX_KIND_CANDIDATE, id, &iid) != WX_OK || iid != r->iid)
		read_bad(ctx, "record %s: index does not point back to it", id);
}

static int read_one(struct wx_txn *t, void *vctx)
{
	struct read_ctx *ctx = vctx;
	uint64_t nrec = 0, nidx = 0;
	unsigned seed = ctx->seed, p;
	int rc;

	ctx->bad = 0;
	ctx->msg[0] = '\0';
	rc = wx_count(t, wx_tb_records(WX_KIND_CANDIDATE), &nrec);
	if (rc == WX_OK)
		rc = wx_count(t, wx_tb_ids(WX_KIND_CANDIDATE), &nidx);
	if (rc != WX_OK)
		return rc;
	ctx->count = nrec;
	if (nrec != nidx)
		read_bad(ctx, "%" PRIu64 " records but %" PRIu64
			 " id index entries in one snapshot", nrec, nidx);

	/* Probe a few ids.  Each writer commits W<w>-1, W<w>-2, ... in order, so
	 * a snapshot holding W<w>-n must also hold W<w>-(n-1), and the first
	 * record of a writer is there whenever that writer has started. */
	for (p = 0; p < ctx->probes && ctx->writers > 0; p++) {
		char id[64], prev[64];
		struct wx_record r;
		unsigned w = (unsigned)rand_r(&seed) % ctx->writers;
		/* probe near the end of what may be there, and sometimes low */
		uint64_t span = nrec / ctx->writers + 2;
		unsigned long n = 1 + (unsigned long)((uint64_t)rand_r(&seed) % span);

		snprintf(id, sizeof id, "W%u-%lu", w, n);
		wx_record_init(&r);
		rc = wx_record_load_by_id(t, WX_KIND_CANDIDATE, id, &r);
		if (rc == WX_OK) {
			check_record(ctx, t, id, &r);
			wx_record_free(&r);
			if (n > 1) {
				snprintf(prev, sizeof prev, "W%u-%lu", w, n - 1);
				wx_record_init(&r);
				rc = wx_record_load_by_id(t, WX_KIND_CANDIDATE, prev, &r);
				if (rc == WX_ENOTFOUND)
					read_bad(ctx, "%s is there but %s is not", id, prev);
				else if (rc == WX_OK)
					check_record(ctx, t, prev, &r);
				wx_record_free(&r);
			}
		} else {
			wx_record_free(&r);
		}
		if (rc != WX_OK && rc != WX_ENOTFOUND)
			return rc;
	}
	return WX_OK;
}

#define HIST 12   /* counts kept to show around a decrease */

static int do_read(const char *dir, unsigned long n, unsigned writers)
{
	struct wx_store *s = open_store(dir, WX_OPEN_READONLY);
	struct read_ctx ctx;
	struct wx_err err;
	uint64_t prev = 0, hist[HIST];
	unsigned long i;
	int rc, bad = 0, after = 0;

	memset(&ctx, 0, sizeof ctx);
	ctx.writers = writers;
	ctx.probes = 4;
	for (i = 1; i <= n; i++) {
		ctx.seed = (unsigned)getpid() * 2654435761u + (unsigned)i;
		wx_err_clear(&err);
		rc = wx_store_read(s, read_one, &ctx, &err);
		if (rc != WX_OK)
			die_err("read", &err, rc);
		if (ctx.bad) {
			fprintf(stderr, "%s: snapshot %lu: %d problem(s), first: %s\n", prog, i,
				ctx.bad, ctx.msg);
			bad++;
		}
		hist[i % HIST] = ctx.count;
		if (ctx.count < prev) {
			fprintf(stderr, "%s: snapshot %lu: candidate count went down from %" PRIu64
				" to %" PRIu64 "\n", prog, i, prev, ctx.count);
			bad++;
			after = 5;
		}
		prev = ctx.count;
		if (after && --after == 0) {
			unsigned long j = i >= HIST ? i - HIST + 1 : 1;

			fprintf(stderr, "%s: counts of snapshots %lu-%lu:", prog, j, i);
			for (; j <= i; j++)
				fprintf(stderr, " %" PRIu64, hist[j % HIST]);
			fputc('\n', stderr);
		}
		if (bad >= 10 && !after)
			break;
	}
	fprintf(stderr, "%s: reader done, last count %" PRIu64 ", map growths: %u\n", prog,
		prev, wx_store_map_growths(s));
	wx_store_close(s);
	return bad ? 1 : 0;
}

/* ---- hold and idle ---- */

static int hold_forever(struct wx_txn *t, void *ctx)
{
	uint64_t n = 0;

	(void)ctx;
	/* Touch the snapshot so the transaction is really in use. */
	(void)wx_count(t, wx_tb_records(WX_KIND_CANDIDATE), &n);
	printf("holding %" PRIu64 "\n", n);
	fflush(stdout);
	for (;;)
		pause();
	return WX_OK;
}

static int do_hold(const char *dir)
{
	struct wx_store *s = open_store(dir, 0);
	struct wx_err err;
	int rc;

	wx_err_clear(&err);
	rc = wx_store_read(s, hold_forever, NULL, &err);
	die_err("read", &err, rc);
	return 3;
}

static int do_idle(const char *dir)
{
	struct wx_store *s = open_store(dir, 0);

	printf("open\n");
	fflush(stdout);
	for (;;)
		pause();
	wx_store_close(s);
	return 0;
}

/* ---- update ---- */

struct update_ctx {
	unsigned long k;
	unsigned long round;
};

static int update_some(struct wx_txn *t, void *vctx)
{
	struct update_ctx *ctx = vctx;
	char id[64], filler[FILLER_LEN + 1];
	unsigned long j;
	int rc = WX_OK;

	for (j = 1; j <= ctx->k && rc == WX_OK; j++) {
		struct wx_record r;
		uint64_t base = 0;

		snprintf(id, sizeof id, "U-%lu", j);
		wx_record_init(&r);
		rc = wx_record_load_by_id(t, WX_KIND_CANDIDATE, id, &r);
		if (rc == WX_ENOTFOUND) {
			rc = wx_record_set(&r, "id", id, strlen(id));
		} else if (rc == WX_OK) {
			base = r.version;
		}
		make_filler(filler, id, ctx->round);
		if (rc == WX_OK)
			rc = wx_record_set(&r, "filler", filler, FILLER_LEN);
		if (rc == WX_OK)
			rc = wx_record_save(t, WX_KIND_CANDIDATE, &r, base);
		wx_record_free(&r);
	}
	return rc;
}

static int do_update(const char *dir, unsigned long n, unsigned long k)
{
	struct wx_store *s = open_store(dir, WX_OPEN_CREATE);
	struct update_ctx ctx;
	struct wx_err err;
	unsigned long i;
	int rc;

	ctx.k = k;
	for (i = 1; i <= n; i++) {
		ctx.round = i;
		wx_err_clear(&err);
		rc = wx_store_write(s, update_some, &ctx, &err);
		if (rc != WX_OK)
			die_err("update", &err, rc);
	}
	fprintf(stderr, "%s: %lu updates of %lu records done, map growths: %u\n", prog, n,
		k, wx_store_map_growths(s));
	wx_store_close(s);
	return 0;
}

/* ---- count and has ---- */

struct count_ctx {
	uint64_t n;
};

static int count_one(struct wx_txn *t, void *vctx)
{
	struct count_ctx *ctx = vctx;

	return wx_count(t, wx_tb_records(WX_KIND_CANDIDATE), &ctx->n);
}

static int do_count(const char *dir)
{
	struct wx_store *s = open_store(dir, WX_OPEN_READONLY);
	struct count_ctx ctx = { 0 };
	struct wx_err err;
	int rc;

	wx_err_clear(&err);
	rc = wx_store_read(s, count_one, &ctx, &err);
	if (rc != WX_OK)
		die_err("read", &err, rc);
	printf("%" PRIu64 "\n", ctx.n);
	wx_store_close(s);
	return 0;
}

struct has_ctx {
	char **ids;
	size_t n;
	unsigned long missing;  /* out */
};

static int has_all(struct wx_txn *t, void *vctx)
{
	struct has_ctx *ctx = vctx;
	size_t i;

	ctx->missing = 0;
	for (i = 0; i < ctx->n; i++) {
		struct wx_record r;
		int rc;

		wx_record_init(&r);
		rc = wx_record_load_by_id(t, WX_KIND_CANDIDATE, ctx->ids[i], &r);
		if (rc == WX_OK) {
			const char *got = wx_record_get(&r, "id");
			if (!got || strcmp(got, ctx->ids[i]) != 0) {
				printf("wrong %s\n", ctx->ids[i]);
				ctx->missing++;
			}
		}
		wx_record_free(&r);
		if (rc == WX_ENOTFOUND) {
			printf("missing %s\n", ctx->ids[i]);
			ctx->missing++;
		} else if (rc != WX_OK) {
			return rc;
		}
	}
	return WX_OK;
}

static int do_has(const char *dir, const char *file)
{
	struct has_ctx ctx = { NULL, 0, 0 };
	size_t cap = 0, i;
	char line[1024];
	struct wx_store *s;
	struct wx_err err;
	FILE *f;
	int rc;

	f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof line, f)) {
		char *id = line;
		size_t len;

		len = strlen(id);
		if (len == 0 || id[len - 1] != '\n')
			continue;   /* an unfinished last line: never acknowledged */
		id[--len] = '\0';
		if (strncmp(id, "acked ", 6) == 0)
			id += 6;
		if (!*id || strchr(id, ' '))
			continue;
		if (ctx.n == cap) {
			char **nids;
			cap = cap ? cap * 2 : 256;
			nids = realloc(ctx.ids, cap * sizeof *nids);
			if (!nids) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 3;
			}
			ctx.ids = nids;
		}
		ctx.ids[ctx.n] = strdup(id);
		if (!ctx.ids[ctx.n]) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 3;
		}
		ctx.n++;
	}
	fclose(f);

	s = open_store(dir, WX_OPEN_READONLY);
	wx_err_clear(&err);
	rc = wx_store_read(s, has_all, &ctx, &err);
	if (rc != WX_OK)
		die_err("read", &err, rc);
	wx_store_close(s);
	if (ctx.missing)
		fprintf(stderr, "%s: %lu of %zu ids missing\n", prog, ctx.missing, ctx.n);
	for (i = 0; i < ctx.n; i++)
		free(ctx.ids[i]);
	free(ctx.ids);
	return ctx.missing ? 1 : 0;
}

static int do_create(const char *dir)
{
	struct wx_store *s = open_store(dir, WX_OPEN_CREATE);

	wx_store_close(s);
	return 0;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static int damage_fn(struct wx_txn *t, void *ctx)
{
	unsigned char iid[8];
	int rc;

	(void)ctx;
	put_be64(iid, UINT64_C(999999));
	rc = wx_put(t, wx_tb_ids(WX_KIND_CANDIDATE), "ghost", 5, iid, sizeof iid, 0);
	put_be64(iid, UINT64_C(999998));
	if (rc == WX_OK)
		rc = wx_put(t, wx_tb_records(WX_KIND_CANDIDATE), iid, sizeof iid,
			    "\xff\xfegarbage", 9, 0);
	return rc;
}

static int do_damage(const char *dir)
{
	struct wx_store *s = open_store(dir, 0);
	struct wx_err err;
	int rc;

	wx_err_clear(&err);
	rc = wx_store_write(s, damage_fn, NULL, &err);
	if (rc != WX_OK)
		die_err("damage", &err, rc);
	wx_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode;

	if (argc < 3)
		usage();
	mode = argv[1];
	/* Die quietly if the test closed our output (kill-writer does). */
	signal(SIGPIPE, SIG_DFL);

	if (strcmp(mode, "write") == 0 && argc == 5)
		return do_write(argv[2], parse_count(argv[3]), argv[4]);
	if (strcmp(mode, "read") == 0 && (argc == 4 || argc == 5))
		return do_read(argv[2], parse_count(argv[3]),
			       argc == 5 ? (unsigned)parse_count(argv[4]) : 4);
	if (strcmp(mode, "hold") == 0 && argc == 3)
		return do_hold(argv[2]);
	if (strcmp(mode, "idle") == 0 && argc == 3)
		return do_idle(argv[2]);
	if (strcmp(mode, "update") == 0 && (argc == 4 || argc == 5))
		return do_update(argv[2], parse_count(argv[3]),
				 argc == 5 ? parse_count(argv[4]) : 10);
	if (strcmp(mode, "count") == 0 && argc == 3)
		return do_count(argv[2]);
	if (strcmp(mode, "has") == 0 && argc == 4)
		return do_has(argv[2], argv[3]);
	if (strcmp(mode, "create") == 0 && argc == 3)
		return do_create(argv[2]);
	if (strcmp(mode, "damage") == 0 && argc == 3)
		return do_damage(argv[2]);
	usage();
	return 2;
}
