/* store.c: the LMDB store.  The only code in wexmatch that calls LMDB.
 *
 * Schema history (WX_SCHEMA_VERSION):
 *   1  tables meta, audit, one records table and one external-id index per
 *      kind.  The layout of the first development builds.
 *   2  adds audit_by_record (kind, iid, seq), so a record's history is read
 *      without scanning the whole audit log.  Migration from 1 builds it from
 *      the audit log.
 *   3  adds policy: the priority policies set with `policy set`, by version.
 *      Migration from 2 creates the empty table.
 *   4  adds geo: the postcode lookup loaded with `geo import`.  Migration
 *      from 3 creates the empty table.
 *   5  adds runs: the match runs recorded by `match` (runstore.h).
 *      Migration from 4 creates the empty table.
 * A migration runs in one write transaction together with the new version
 * number: either the database is wholly migrated or not at all.
 *
 * Map size: a new database starts with WX_MAP_INITIAL.  When a write fails
 * with MDB_MAP_FULL the transaction is aborted, the map doubled and the
 * transaction run again; other processes see MDB_MAP_RESIZED at their next
 * transaction and adopt the new size.  Only short transactions, and never
 * MDB_NOSYNC or MDB_WRITEMAP: an acknowledged write is on disk. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lmdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wexmatch/atomicfile.h"
#include "wexmatch/audit.h"
#include "wexmatch/dbpath.h"
#include "wexmatch/keys.h"
#include "wexmatch/store.h"

#define WX_MAP_INITIAL ((size_t)64 << 20)   /* 64 MiB: grows by itself */
#define WX_MAP_LIMIT ((size_t)1 << 40)      /* refuse to grow past 1 TiB */
#define WX_MAX_DBS 32                       /* room for later tables */
#define WX_RETRIES 64

struct wx_cursor {
	MDB_cursor *cur;
	struct wx_txn *txn;
	enum wx_table tb;
	struct wx_cursor *next;
	int started;
	size_t plen;
	unsigned char prefix[512];
};

struct wx_txn {
	struct wx_store *s;
	MDB_txn *txn;
	int write;
	int code;            /* sticky first error (enum wx_status) */
	int mdb_rc;          /* the LMDB code behind it (MAP_FULL triggers growth) */
	int rollback;        /* abort at the end without an error (dry runs) */
	/* Counters read or advanced in this write transaction, written back
	 * once before the commit: an import of a million records would
	 * otherwise read and rewrite two meta entries per record. */
	struct seq_cache {
		char key[80];
		size_t klen;
		uint64_t value;
		int dirty;
	} seq[8];
	int nseq;
	struct wx_err err;
	struct wx_cursor *cursors;
};

struct wx_store {
	MDB_env *env;
	MDB_dbi dbi[WX_TB_COUNT];
	char *dir;
	unsigned flags;
	int group_mode;
	uint32_t uid;
	char user[33];
	unsigned growths;
};

static const char *const kind_names[WX_KIND_COUNT] = {
	"candidate", "placement", "ambassador", "request", "equality"
};

static const char *const table_names[WX_TB_COUNT] = {
	"meta", "audit", "audit_by_record", "policy", "geo", "runs",
	"candidate", "placement", "ambassador", "request", "equality",
	"candidate.id", "placement.id", "ambassador.id", "request.id", "equality.id"
};

const char *wx_kind_name(enum wx_kind k)
{
	return (unsigned)k < WX_KIND_COUNT ? kind_names[k] : "?";
}

int wx_kind_parse(const char *s, enum wx_kind *out)
{
	for (int k = 0; k < WX_KIND_COUNT; k++) {
		size_t n = strlen(kind_names[k]);

		if (strcmp(s, kind_names[k]) == 0 ||
		    (strncmp(s, kind_names[k], n) == 0 && strcmp(s + n, "s") == 0)) {
			*out = (enum wx_kind)k;
			return WX_OK;
		}
	}
	/* "equalities" is not a word anyone types, but be consistent */
	if (strcmp(s, "equalities") == 0) {
		*out = WX_KIND_EQUALITY;
		return WX_OK;
	}
	return WX_EUSAGE;
}

const char *wx_table_name(enum wx_table t)
{
	return (unsigned)t < WX_TB_COUNT ? table_names[t] : "?";
}

/* ---- errors ---- */

static int txn_set(struct wx_txn *t, int code, int mdb_rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int txn_set(struct wx_txn *t, int code, int mdb_rc, const char *fmt, ...)
{
	va_list ap;

	if (t->code != WX_OK)
		return t->code;
	t->code = code;
	t->mdb_rc = mdb_rc;
	t->err.code = code;
	va_start(ap, fmt);
	vsnprintf(t->err.msg, sizeof t->err.msg, fmt, ap);
	va_end(ap);
	return code;
}

static int mdb_fail(struct wx_txn *t, int rc, const char *what, enum wx_table tb)
{
	int code = WX_EDB;

	if (rc == MDB_KEYEXIST)
		code = WX_EEXIST;
	else if (rc == MDB_BAD_VALSIZE)
		code = WX_EDATA;
	else if (rc == ENOMEM)
		code = WX_ENOMEM;
	return txn_set(t, code, rc, "%s: %s in table %s: %s", t->s->dir, what,
		       wx_table_name(tb), mdb_strerror(rc));
}

int wx_txn_fail(struct wx_txn *t, int code, const char *fmt, ...)
{
	va_list ap;

	if (t->code != WX_OK)
		return t->code;
	t->code = code;
	t->mdb_rc = 0;
	t->err.code = code;
	va_start(ap, fmt);
	vsnprintf(t->err.msg, sizeof t->err.msg, fmt, ap);
	va_end(ap);
	return code;
}

void wx_txn_rollback(struct wx_txn *t)
{
	t->rollback = 1;
}

int wx_txn_status(const struct wx_txn *t)
{
	return t->code;
}

struct wx_store *wx_txn_store(struct wx_txn *t)
{
	return t->s;
}

int wx_txn_is_write(const struct wx_txn *t)
{
	return t->write;
}

/* ---- operations ---- */

int wx_get(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen,
	   struct wx_val *out)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	rc = mdb_get(t->txn, t->s->dbi[tb], &k, &v);
	if (rc == MDB_NOTFOUND)
		return WX_ENOTFOUND;
	if (rc != 0)
		return mdb_fail(t, rc, "reading", tb);
	out->data = v.mv_data;
	out->len = v.mv_size;
	return WX_OK;
}

int wx_put(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen,
	   const void *val, size_t vlen, unsigned flags)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	unsigned mf = 0;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	if (!t->write)
		return txn_set(t, WX_EDB, 0, "write in a read-only transaction");
	if (flags & WX_PUT_NOOVERWRITE)
		mf |= MDB_NOOVERWRITE;
	if (flags & WX_PUT_APPEND)
		mf |= MDB_APPEND;
	rc = mdb_put(t->txn, t->s->dbi[tb], &k, &v, mf);
	if (rc != 0)
		return mdb_fail(t, rc, "writing", tb);
	return WX_OK;
}

int wx_del(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc;

	if (t->code != WX_OK)
		return t->code;
	if (!t->write)
		return txn_set(t, WX_EDB, 0, "delete in a read-only transaction");
	rc = mdb_del(t->txn, t->s->dbi[tb], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return WX_ENOTFOUND;
	if (rc != 0)
		return mdb_fail(t, rc, "deleting", tb);
	return WX_OK;
}

int wx_clear(struct wx_txn *t, enum wx_table tb)
{
	int rc;

	if (t->code != WX_OK)
		return t->code;
	if (!t->write)
		return txn_set(t, WX_EDB, 0, "clear in a read-only transaction");
	rc = mdb_drop(t->txn, t->s->dbi[tb], 0);
	return rc == 0 ? WX_OK : mdb_fail(t, rc, "clearing", tb);
}

int wx_count(struct wx_txn *t, enum wx_table tb, uint64_t *out)
{
	MDB_stat st;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	rc = mdb_stat(t->txn, t->s->dbi[tb], &st);
	if (rc != 0)
		return mdb_fail(t, rc, "counting", tb);
	*out = st.ms_entries;
	return WX_OK;
}

static int seq_key(const char *name, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "seq:%s", name);

	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static struct seq_cache *seq_cached(struct wx_txn *t, const char *key, size_t klen)
{
	for (int i = 0; i < t->nseq; i++)
		if (t->seq[i].klen == klen && memcmp(t->seq[i].key, key, klen) == 0)
			return &t->seq[i];
	return NULL;
}

int wx_peek_seq(struct wx_txn *t, const char *name, uint64_t *out)
{
	char key[80];
	struct wx_val v;
	struct seq_cache *c;
	int n = seq_key(name, key, sizeof key), rc;

	if (n < 0)
		return wx_txn_fail(t, WX_EUSAGE, "counter name too long: %s", name);
	if ((c = seq_cached(t, key, (size_t)n)) != NULL) {
		*out = c->value;
		return WX_OK;
	}
	rc = wx_get(t, WX_TB_META, key, (size_t)n, &v);
	if (rc == WX_ENOTFOUND) {
		*out = 0;
	} else if (rc != WX_OK) {
		return rc;
	} else if (v.len != 8) {
		return txn_set(t, WX_EDB, 0, "%s: counter %s is damaged", t->s->dir, name);
	} else {
		*out = wx_get_be64(v.data);
	}
	if (t->write && t->nseq < (int)(sizeof t->seq / sizeof t->seq[0])) {
		c = &t->seq[t->nseq++];
		memcpy(c->key, key, (size_t)n);
		c->klen = (size_t)n;
		c->value = *out;
		c->dirty = 0;
	}
	return WX_OK;
}

int wx_next_seq(struct wx_txn *t, const char *name, uint64_t *out)
{
	char key[80];
	unsigned char buf[8];
	struct seq_cache *c;
	uint64_t cur;
	int n = seq_key(name, key, sizeof key), rc;

	rc = wx_peek_seq(t, name, &cur);
	if (rc != WX_OK)
		return rc;
	if (!t->write)
		return txn_set(t, WX_EDB, 0, "counter %s advanced in a read-only transaction", name);
	if ((c = seq_cached(t, key, (size_t)n)) != NULL) {
		c->value = cur + 1;
		c->dirty = 1;
		*out = cur + 1;
		return WX_OK;
	}
	/* the cache is full: write through */
	wx_put_be64(buf, cur + 1);
	rc = wx_put(t, WX_TB_META, key, (size_t)n, buf, sizeof buf, 0);
	if (rc == WX_OK)
		*out = cur + 1;
	return rc;
}

/* Write the advanced counters back; part of the transaction. */
static void flush_seqs(struct wx_txn *t)
{
	for (int i = 0; i < t->nseq && t->code == WX_OK; i++) {
		unsigned char buf[8];

		if (!t->seq[i].dirty)
			continue;
		wx_put_be64(buf, t->seq[i].value);
		wx_put(t, WX_TB_META, t->seq[i].key, t->seq[i].klen, buf, sizeof buf, 0);
	}
}

/* ---- cursors ---- */

int wx_cursor_open(struct wx_txn *t, enum wx_table tb, const void *prefix,
		   size_t plen, struct wx_cursor **out)
{
	struct wx_cursor *c;
	int rc;

	*out = NULL;
	if (t->code != WX_OK)
		return t->code;
	if (plen > sizeof c->prefix)
		return txn_set(t, WX_EUSAGE, 0, "cursor prefix too long");
	c = calloc(1, sizeof *c);
	if (!c)
		return txn_set(t, WX_ENOMEM, 0, "out of memory");
	rc = mdb_cursor_open(t->txn, t->s->dbi[tb], &c->cur);
	if (rc != 0) {
		free(c);
		return mdb_fail(t, rc, "opening a cursor", tb);
	}
	if (plen)
		memcpy(c->prefix, prefix, plen);
	c->plen = plen;
	c->txn = t;
	c->tb = tb;
	c->next = t->cursors;
	t->cursors = c;
	*out = c;
	return WX_OK;
}

int wx_cursor_next(struct wx_cursor *c, struct wx_val *key, struct wx_val *val)
{
	struct wx_txn *t = c->txn;
	MDB_val k, v;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	if (!c->started) {
		c->started = 1;
		if (c->plen) {
			k.mv_size = c->plen;
			k.mv_data = c->prefix;
			rc = mdb_cursor_get(c->cur, &k, &v, MDB_SET_RANGE);
		} else {
			rc = mdb_cursor_get(c->cur, &k, &v, MDB_FIRST);
		}
	} else {
		rc = mdb_cursor_get(c->cur, &k, &v, MDB_NEXT);
	}
	if (rc == MDB_NOTFOUND)
		return WX_ENOTFOUND;
	if (rc != 0)
		return mdb_fail(t, rc, "iterating", c->tb);
	if (c->plen && (k.mv_size < c->plen || memcmp(k.mv_data, c->prefix, c->plen) != 0))
		return WX_ENOTFOUND;
	key->data = k.mv_data;
	key->len = k.mv_size;
	if (val) {
		val->data = v.mv_data;
		val->len = v.mv_size;
	}
	return WX_OK;
}

int wx_cursor_del(struct wx_cursor *c)
{
	struct wx_txn *t = c->txn;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	rc = mdb_cursor_del(c->cur, 0);
	if (rc != 0)
		return mdb_fail(t, rc, "deleting", c->tb);
	return WX_OK;
}

void wx_cursor_close(struct wx_cursor *c)
{
	struct wx_cursor **pp;

	if (!c)
		return;
	for (pp = &c->txn->cursors; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	mdb_cursor_close(c->cur);
	free(c);
}

static void close_cursors(struct wx_txn *t)
{
	while (t->cursors)
		wx_cursor_close(t->cursors);
}

/* ---- transactions ---- */

static int grow_map(struct wx_store *s, struct wx_err *err)
{
	MDB_envinfo info;
	size_t cur, want;
	int rc;

	mdb_env_info(s->env, &info);
	cur = info.me_mapsize;
	/* adopt a size another process may have set, if that is already larger */
	rc = mdb_env_set_mapsize(s->env, 0);
	if (rc == 0) {
		mdb_env_info(s->env, &info);
		if (info.me_mapsize > cur)
			return WX_OK;
	}
	want = cur * 2;
	if (want > WX_MAP_LIMIT || want < cur)
		return wx_err_set(err, WX_EDB, "%s: database would exceed %zu bytes", s->dir,
				  (size_t)WX_MAP_LIMIT);
	rc = mdb_env_set_mapsize(s->env, want);
	if (rc != 0)
		return wx_err_set(err, WX_EDB, "%s: cannot grow the map to %zu bytes: %s", s->dir,
				  want, mdb_strerror(rc));
	s->growths++;
	return WX_OK;
}

void wx_store_release_pages(struct wx_store *s)
{
	char path[4096], line[4096 + 128];
	struct stat st;
	FILE *f;

	/* LMDB does not tell where its map is (mdb_env_info's me_mapaddr is
	 * only the MDB_FIXEDMAP address), so find it in /proc/self/maps by
	 * the data file's inode; elsewhere this does nothing */
	if (!s || snprintf(path, sizeof path, "%s/data.mdb", s->dir) >= (int)sizeof path ||
	    stat(path, &st) != 0 || !(f = fopen("/proc/self/maps", "re")))
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi, ino;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perms, &ino) == 4 &&
		    ino == (unsigned long)st.st_ino && hi > lo && perms[1] == '-')
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	fclose(f);
}

int wx_store_reserve(struct wx_store *s, uint64_t bytes, struct wx_err *err)
{
	MDB_envinfo info;
	MDB_stat st;
	uint64_t want, size;
	int rc;

	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	want = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize + bytes;
	if (want <= info.me_mapsize)
		return WX_OK;
	for (size = info.me_mapsize; size < want; size *= 2)
		;
	if (size > WX_MAP_LIMIT)
		return wx_err_set(err, WX_EDB, "%s: database would exceed %zu bytes", s->dir,
				  (size_t)WX_MAP_LIMIT);
	rc = mdb_env_set_mapsize(s->env, (size_t)size);
	if (rc != 0)
		return wx_err_set(err, WX_EDB, "%s: cannot grow the map: %s", s->dir, mdb_strerror(rc));
	s->growths++;
	return WX_OK;
}

int wx_store_clear_stale_readers(struct wx_store *s)
{
	int dead = 0;

	if (mdb_reader_check(s->env, &dead) != 0)
		return 0;
	return dead;
}

/* Begin a transaction, recovering from a map another process grew and from
 * a reader table filled by dead processes. */
static int begin(struct wx_store *s, int write, MDB_txn **out, struct wx_err *err)
{
	int rc = 0;

	for (int i = 0; i < WX_RETRIES; i++) {
		rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, out);
		if (rc == 0 && !write && i < WX_RETRIES / 2) {
			/* LMDB 0.9 registers a reader's txnid and then copies that
			 * txnid's meta page; if two commits land in between, the
			 * page it copies is already two transactions newer, and the
			 * next snapshot can be older than this one (counts going
			 * down between two reads in a row).  The meta pages show
			 * it: when they are two ahead, start again. */
			MDB_envinfo info;

			mdb_env_info(s->env, &info);
			if (info.me_last_txnid >= mdb_txn_id(*out) + 2) {
				mdb_txn_abort(*out);
				continue;
			}
		}
		if (rc == 0)
			return WX_OK;
		if (rc == MDB_MAP_RESIZED) {
			rc = mdb_env_set_mapsize(s->env, 0);
			if (rc != 0)
				break;
		} else if (rc == MDB_READERS_FULL) {
			if (wx_store_clear_stale_readers(s) == 0) {
				/* every slot belongs to a live process: wait a little */
				usleep(10000);
			}
		} else {
			break;
		}
	}
	if (rc == MDB_READERS_FULL)
		return wx_err_set(err, WX_EDB,
				  "%s: every reader slot is in use by running wexmatch processes", s->dir);
	return wx_err_set(err, WX_EDB, "%s: cannot start a transaction: %s", s->dir,
			  mdb_strerror(rc));
}

static int run_txn(struct wx_store *s, int write, wx_txn_fn fn, void *ctx, struct wx_err *err)
{
	struct wx_err local;

	if (!err) {
		wx_err_clear(&local);
		err = &local;
	}
	if (write && (s->flags & WX_OPEN_READONLY))
		return wx_err_set(err, WX_EDB, "%s: opened read-only", s->dir);
	for (int attempt = 0; attempt < WX_RETRIES; attempt++) {
		struct wx_txn t;
		int r, rc;

		memset(&t, 0, sizeof t);
		t.s = s;
		t.write = write;
		if (write)
			wx_store_clear_stale_readers(s);
		r = begin(s, write, &t.txn, err);
		if (r != WX_OK)
			return r;
		r = fn(&t, ctx);
		if (r != WX_OK && t.code == WX_OK)
			txn_set(&t, r, 0, "%s", err->code != WX_OK ? err->msg : wx_status_name(r));
		close_cursors(&t);
		if (t.code == WX_OK && write && !t.rollback)
			flush_seqs(&t);
		if (t.code == WX_OK && write && !t.rollback) {
			rc = mdb_txn_commit(t.txn);
			if (rc == 0)
				return WX_OK;
			if (rc != MDB_MAP_FULL)
				/* LMDB reports a short write (the disk filled up) as EIO;
				 * nothing of the transaction is kept either way */
				return wx_err_set(err, WX_EDB, "%s: cannot commit, nothing was saved: %s%s",
						  s->dir, mdb_strerror(rc),
						  rc == EIO || rc == ENOSPC || rc == EFBIG || rc == EDQUOT
							  ? " (is the disk full?)" : "");
		} else {
			mdb_txn_abort(t.txn);
			if (t.code == WX_OK)
				return WX_OK;
			if (t.mdb_rc != MDB_MAP_FULL) {
				wx_err_set(err, t.code, "%s", t.err.msg);
				return t.code;
			}
		}
		/* the map is full: grow it and run the whole transaction again */
		r = grow_map(s, err);
		if (r != WX_OK)
			return r;
	}
	return wx_err_set(err, WX_EDB, "%s: gave up after %d attempts", s->dir, WX_RETRIES);
}

int wx_store_write(struct wx_store *s, wx_txn_fn fn, void *ctx, struct wx_err *err)
{
	return run_txn(s, 1, fn, ctx, err);
}

int wx_store_read(struct wx_store *s, wx_txn_fn fn, void *ctx, struct wx_err *err)
{
	return run_txn(s, 0, fn, ctx, err);
}

/* ---- permissions ---- */

static int path_join(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int lookup_group(const char *name, gid_t *gid, struct wx_err *err)
{
	struct group gr, *res = NULL;
	char buf[16384];
	int rc = getgrnam_r(name, &gr, buf, sizeof buf, &res);

	if (rc != 0 || !res)
		return wx_err_set(err, WX_EUSAGE, "no such group: %s", name);
	*gid = res->gr_gid;
	return WX_OK;
}

/* Make the directory (and the files in it that we own) private or
 * group-shared.  Called when creating, and when init --group converts. */
static int apply_group(const char *dir, const char *group, struct wx_err *err)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	char path[4096];
	gid_t gid = 0;
	int rc = lookup_group(group, &gid, err);

	if (rc != WX_OK)
		return rc;
	if (chown(dir, (uid_t)-1, gid) != 0)
		return wx_err_set(err, WX_EUSAGE, "%s: cannot give the directory to group %s: %s",
				  dir, group, strerror(errno));
	if (chmod(dir, 02770) != 0)
		return wx_err_set(err, WX_EDB, "%s: chmod: %s", dir, strerror(errno));
	for (size_t i = 0; i < 2; i++) {
		if (path_join(path, sizeof path, dir, files[i]) < 0)
			return wx_err_set(err, WX_EDB, "%s: path too long", dir);
		if (access(path, F_OK) != 0)
			continue;
		if (chown(path, (uid_t)-1, gid) != 0 || chmod(path, 0660) != 0)
			return wx_err_set(err, WX_EDB, "%s: cannot share with group %s: %s", path,
					  group, strerror(errno));
	}
	return WX_OK;
}

/* After LMDB created or opened the files: give them the mode the directory
 * asks for, whatever the umask was, when we own them. */
static int fix_file_modes(struct wx_store *s, struct wx_err *err)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	mode_t want = s->group_mode ? 0660 : 0600;
	char path[4096];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		if (path_join(path, sizeof path, s->dir, files[i]) < 0 || stat(path, &st) != 0)
			continue;
		if (st.st_mode & S_IWOTH)
			return wx_err_set(err, WX_EDB,
					  "%s: refusing a world-writable database file (chmod o-w it)", path);
		if (st.st_uid == getuid() && (st.st_mode & 07777) != want && chmod(path, want) != 0)
			return wx_err_set(err, WX_EDB, "%s: chmod: %s", path, strerror(errno));
	}
	return WX_OK;
}

static int prepare_dir(struct wx_store *s, const struct wx_store_opts *o, int *fresh,
		       struct wx_err *err)
{
	struct stat st;
	char path[4096];
	int rc;

	*fresh = 0;
	if (stat(s->dir, &st) != 0) {
		if (errno != ENOENT)
			return wx_err_set(err, WX_EDB, "%s: %s", s->dir, strerror(errno));
		if (!(o->flags & WX_OPEN_CREATE))
			return wx_err_set(err, WX_EDB,
					  "%s: no database here (create one with 'wexmatch init')", s->dir);
		rc = wx_mkdir_p(s->dir, err);
		if (rc != WX_OK)
			return rc;
		/* mkdir applies the umask; set the mode we promise explicitly */
		if (chmod(s->dir, 0700) != 0)
			return wx_err_set(err, WX_EDB, "%s: chmod: %s", s->dir, strerror(errno));
		if (stat(s->dir, &st) != 0)
			return wx_err_set(err, WX_EDB, "%s: %s", s->dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return wx_err_set(err, WX_EDB, "%s: not a directory", s->dir);
	if (st.st_mode & S_IWOTH)
		return wx_err_set(err, WX_EDB,
				  "%s: refusing a world-writable database directory (chmod o-w it, or 'wexmatch init --group NAME' to share it)",
				  s->dir);
	if (path_join(path, sizeof path, s->dir, "data.mdb") < 0)
		return wx_err_set(err, WX_EDB, "%s: path too long", s->dir);
	if (access(path, F_OK) != 0) {
		if (!(o->flags & WX_OPEN_CREATE))
			return wx_err_set(err, WX_EDB,
					  "%s: no database here (create one with 'wexmatch init')", s->dir);
		*fresh = 1;
	}
	if (o->group && (o->flags & WX_OPEN_CREATE)) {
		rc = apply_group(s->dir, o->group, err);
		if (rc != WX_OK)
			return rc;
		st.st_mode |= S_ISGID | S_IWGRP;
	}
	s->group_mode = (st.st_mode & S_ISGID) && (st.st_mode & S_IWGRP);
	return WX_OK;
}

/* ---- schema ---- */

static int open_tables(struct wx_store *s, MDB_txn *txn, unsigned flags, struct wx_err *err)
{
	for (int i = 0; i < WX_TB_COUNT; i++) {
		int rc = mdb_dbi_open(txn, table_names[i], flags, &s->dbi[i]);
		if (rc != 0)
			return wx_err_set(err, WX_EDB, "%s: table %s: %s (the database is damaged)",
					  s->dir, table_names[i], mdb_strerror(rc));
	}
	return WX_OK;
}

static int read_schema(struct wx_store *s, MDB_txn *txn, unsigned *version, struct wx_err *err)
{
	MDB_dbi meta;
	MDB_val k = { 6, (void *)"schema" }, v;
	int rc = mdb_dbi_open(txn, "meta", 0, &meta);

	*version = 0;
	if (rc == MDB_NOTFOUND)
		return WX_ENOTFOUND;
	if (rc != 0)
		return wx_err_set(err, WX_EDB, "%s: %s", s->dir, mdb_strerror(rc));
	rc = mdb_get(txn, meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return WX_ENOTFOUND;
	if (rc != 0 || v.mv_size != 4)
		return wx_err_set(err, WX_EDB, "%s: the schema version is damaged", s->dir);
	*version = wx_get_be32(v.mv_data);
	return WX_OK;
}

static int write_schema(struct wx_txn *t, unsigned version)
{
	unsigned char buf[4];

	wx_put_be32(buf, version);
	return wx_put(t, WX_TB_META, "schema", 6, buf, 4, 0);
}

/* Migration 1 -> 2: build the per-record audit index from the audit log. */
static int migrate_1_to_2(struct wx_txn *t)
{
	struct wx_cursor *c;
	struct wx_val k, v;
	int rc = wx_cursor_open(t, WX_TB_AUDIT, NULL, 0, &c);

	while (rc == WX_OK && (rc = wx_cursor_next(c, &k, &v)) == WX_OK) {
		struct wx_audit_entry e;
		unsigned char key[17];

		if (k.len != 8)
			return wx_txn_fail(t, WX_EDB, "audit key of %zu bytes", k.len);
		rc = wx_audit_decode(v.data, v.len, wx_get_be64(k.data), &e);
		if (rc != WX_OK)
			return wx_txn_fail(t, WX_EDB, "audit entry %llu is damaged",
					   (unsigned long long)wx_get_be64(k.data));
		key[0] = (unsigned char)e.kind;
		wx_put_be64(key + 1, e.iid);
		wx_put_be64(key + 9, e.seq);
		wx_audit_entry_free(&e);
		rc = wx_put(t, WX_TB_AUDIT_REC, key, sizeof key, "", 0, 0);
	}
	wx_cursor_close(c);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

struct setup_ctx {
	unsigned from;     /* 0: a new database */
};

static int setup_fn(struct wx_txn *t, void *vctx)
{
	struct setup_ctx *ctx = vctx;
	struct wx_store *s = t->s;
	struct wx_err err;
	unsigned now;
	int rc;

	wx_err_clear(&err);
	/* the version may have changed since we looked: another process may
	 * have created or migrated the database meanwhile */
	rc = read_schema(s, t->txn, &now, &err);
	if (rc == WX_OK && now == WX_SCHEMA_VERSION) {
		if (open_tables(s, t->txn, 0, &err) != WX_OK)
			return txn_set(t, WX_EDB, 0, "%s", err.msg);
		return WX_OK;
	}
	if (rc == WX_EDB)
		return txn_set(t, WX_EDB, 0, "%s", err.msg);
	ctx->from = rc == WX_OK ? now : 0;
	if (ctx->from > WX_SCHEMA_VERSION)
		return txn_set(t, WX_EDB, 0,
			       "%s: the database has schema version %u, newer than this wexmatch understands (%u): use a newer wexmatch",
			       s->dir, ctx->from, WX_SCHEMA_VERSION);
	if (open_tables(s, t->txn, MDB_CREATE, &err) != WX_OK)
		return txn_set(t, WX_EDB, 0, "%s", err.msg);
	/* each step takes the layout one version further; a table a step adds
	 * was created above by open_tables */
	if (ctx->from == 1)
		rc = migrate_1_to_2(t);
	if (rc == WX_OK || rc == WX_ENOTFOUND)
		rc = write_schema(t, WX_SCHEMA_VERSION);
	if (rc == WX_OK)
		rc = wx_audit_write(t, ctx->from ? WX_AUDIT_MIGRATE : WX_AUDIT_INIT,
				    WX_AUDIT_KIND_NONE, 0, NULL, 0);
	return rc;
}

static int check_schema(struct wx_store *s, int fresh, struct wx_err *err)
{
	MDB_txn *txn;
	unsigned version = 0;
	struct setup_ctx ctx = { 0 };
	int rc = begin(s, 0, &txn, err);

	if (rc != WX_OK)
		return rc;
	rc = read_schema(s, txn, &version, err);
	if (rc == WX_OK && version == WX_SCHEMA_VERSION) {
		rc = open_tables(s, txn, 0, err);
		if (rc != WX_OK) {
			mdb_txn_abort(txn);
			return rc;
		}
		/* committing a read transaction keeps its table handles open */
		rc = mdb_txn_commit(txn);
		return rc == 0 ? WX_OK
			       : wx_err_set(err, WX_EDB, "%s: %s", s->dir, mdb_strerror(rc));
	}
	if (rc == WX_ENOTFOUND && !fresh) {
		/* an LMDB environment with tables but no wexmatch schema belongs to
		 * some other program: never add our tables beside its data */
		MDB_stat ms;

		if (mdb_stat(txn, 0, &ms) == 0 && ms.ms_entries > 0) {
			mdb_txn_abort(txn);
			return wx_err_set(err, WX_EDB,
					  "%s: an LMDB database of another program, not a wexmatch database",
					  s->dir);
		}
	}
	mdb_txn_abort(txn);
	if (rc == WX_EDB)
		return rc;
	if (rc == WX_ENOTFOUND && !fresh && !(s->flags & WX_OPEN_CREATE))
		return wx_err_set(err, WX_EDB, "%s: not a wexmatch database (no schema version)",
				  s->dir);
	if (version > WX_SCHEMA_VERSION)
		return wx_err_set(err, WX_EDB,
				  "%s: the database has schema version %u, newer than this wexmatch understands (%u): use a newer wexmatch",
				  s->dir, version, WX_SCHEMA_VERSION);
	if (version == 0 && rc == WX_OK)
		return wx_err_set(err, WX_EDB, "%s: the schema version is damaged (0)", s->dir);
	if (s->flags & WX_OPEN_READONLY)
		return wx_err_set(err, WX_EDB,
				  "%s: the database needs migrating from schema %u to %u, which a read-only open cannot do",
				  s->dir, version, WX_SCHEMA_VERSION);
	return run_txn(s, 1, setup_fn, &ctx, err);
}

/* ---- open and close ---- */

static void resolve_user(struct wx_store *s)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	s->uid = (uint32_t)getuid();
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name &&
	    strlen(res->pw_name) < sizeof s->user)
		snprintf(s->user, sizeof s->user, "%s", res->pw_name);
	else
		snprintf(s->user, sizeof s->user, "uid%u", (unsigned)s->uid);
}

int wx_store_open(struct wx_store **out, const struct wx_store_opts *o, struct wx_err *err)
{
	struct wx_store *s;
	unsigned envflags = MDB_NOTLS;
	int fresh, rc;

	*out = NULL;
	if (!o->dir || !*o->dir)
		return wx_err_set(err, WX_EUSAGE, "no database directory given");
	s = calloc(1, sizeof *s);
	if (!s || !(s->dir = strdup(o->dir))) {
		free(s);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	s->flags = o->flags;
	resolve_user(s);
	rc = prepare_dir(s, o, &fresh, err);
	if (rc != WX_OK)
		goto fail;
	rc = mdb_env_create(&s->env);
	if (rc != 0) {
		rc = wx_err_set(err, WX_EDB, "%s: %s", s->dir, mdb_strerror(rc));
		goto fail;
	}
	mdb_env_set_maxdbs(s->env, WX_MAX_DBS);
	if (fresh)
		mdb_env_set_mapsize(s->env, o->initial_map ? o->initial_map : WX_MAP_INITIAL);
	if (o->flags & WX_OPEN_READONLY)
		envflags |= MDB_RDONLY;
	rc = mdb_env_open(s->env, s->dir, envflags, s->group_mode ? 0660 : 0600);
	if (rc != 0) {
		rc = wx_err_set(err, WX_EDB, "%s: cannot open the database: %s", s->dir,
				rc == MDB_INVALID ? "not an LMDB database file, or damaged"
						  : mdb_strerror(rc));
		goto fail;
	}
	rc = fix_file_modes(s, err);
	if (rc != WX_OK)
		goto fail;
	/* use the map size recorded in the file, which others may have grown */
	if (!fresh)
		mdb_env_set_mapsize(s->env, 0);
	wx_store_clear_stale_readers(s);
	rc = check_schema(s, fresh, err);
	if (rc != WX_OK)
		goto fail;
	*out = s;
	return WX_OK;
fail:
	wx_store_close(s);
	return rc;
}

void wx_store_close(struct wx_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	free(s->dir);
	free(s);
}

const char *wx_store_dir(const struct wx_store *s)
{
	return s->dir;
}

uint32_t wx_store_uid(const struct wx_store *s)
{
	return s->uid;
}

const char *wx_store_user(const struct wx_store *s)
{
	return s->user;
}

unsigned wx_store_map_growths(const struct wx_store *s)
{
	return s->growths;
}

/* ---- stats and backup ---- */

static int count_reader_line(const char *msg, void *ctx)
{
	unsigned *n = ctx;

	/* mdb_reader_list prints a header line, then one line per slot in use */
	if (strstr(msg, "pid") == NULL && msg[0] != '(')
		(*n)++;
	return 0;
}

struct stats_ctx {
	struct wx_store_stats *st;
};

static int stats_fn(struct wx_txn *t, void *vctx)
{
	struct stats_ctx *ctx = vctx;

	struct wx_val v;

	for (int k = 0; k < WX_KIND_COUNT; k++)
		wx_count(t, wx_tb_records((enum wx_kind)k), &ctx->st->records[k]);
	if (wx_get(t, WX_TB_META, "schema", 6, &v) == WX_OK && v.len == 4)
		ctx->st->schema = wx_get_be32(v.data);
	return wx_count(t, WX_TB_AUDIT, &ctx->st->audit_entries);
}

int wx_store_stats(struct wx_store *s, struct wx_store_stats *st, struct wx_err *err)
{
	struct stats_ctx ctx = { st };
	MDB_envinfo info;
	MDB_stat est;
	struct stat fst;
	char path[4096];
	int rc;

	memset(st, 0, sizeof *st);
	rc = wx_store_read(s, stats_fn, &ctx, err);
	if (rc != WX_OK)
		return rc;
	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &est);
	st->map_bytes = info.me_mapsize;
	st->used_bytes = (uint64_t)(info.me_last_pgno + 1) * est.ms_psize;
	st->readers_max = info.me_maxreaders;
	mdb_reader_list(s->env, count_reader_line, &st->readers_used);
	if (path_join(path, sizeof path, s->dir, "data.mdb") == 0 && stat(path, &fst) == 0)
		st->file_bytes = (uint64_t)fst.st_size;
	return WX_OK;
}

int wx_store_backup(struct wx_store *s, const char *path, struct wx_err *err)
{
	struct wx_atomic a;
	int rc = wx_atomic_open(&a, path, err);

	if (rc != WX_OK)
		return rc;
	/* a compacting copy: only live pages, so freed (erased) data is not copied */
	fflush(a.f);
	rc = mdb_env_copyfd2(s->env, fileno(a.f), MDB_CP_COMPACT);
	if (rc != 0) {
		wx_atomic_abort(&a);
		/* LMDB's own failures are negative codes; a positive one is the
		 * errno of writing the copy (a full disk): the file's fault */
		return wx_err_set(err, rc > 0 ? WX_EIO : WX_EDB, "%s: backup failed: %s", path,
				  mdb_strerror(rc));
	}
	return wx_atomic_commit(&a, err);
}

/* ---- paging cursors and the change marker (added for the TUI) ----
 *
 * A list screen keeps the key of its top row, not the rows: it opens a
 * short read transaction per redraw, seeks to that key and steps forward
 * or backward from it.  These ignore a cursor's prefix. */

static int cursor_step(struct wx_cursor *c, const void *key, size_t klen, MDB_cursor_op op,
		       struct wx_val *kout, struct wx_val *vout)
{
	struct wx_txn *t = c->txn;
	MDB_val k, v;
	int rc;

	if (t->code != WX_OK)
		return t->code;
	k.mv_data = (void *)key;
	k.mv_size = klen;
	if (op == MDB_PREV && !c->started)
		op = MDB_LAST;
	rc = mdb_cursor_get(c->cur, &k, &v, op);
	if (rc == MDB_NOTFOUND) {
		/* an unpositioned cursor: the next step starts from an end again */
		c->started = 0;
		return WX_ENOTFOUND;
	}
	if (rc != 0)
		return mdb_fail(t, rc, "iterating", c->tb);
	c->started = 1;
	kout->data = k.mv_data;
	kout->len = k.mv_size;
	if (vout) {
		vout->data = v.mv_data;
		vout->len = v.mv_size;
	}
	return WX_OK;
}

int wx_cursor_seek(struct wx_cursor *c, const void *key, size_t klen, struct wx_val *kout,
		   struct wx_val *vout)
{
	if (klen == 0)
		return cursor_step(c, NULL, 0, MDB_FIRST, kout, vout);
	return cursor_step(c, key, klen, MDB_SET_RANGE, kout, vout);
}

int wx_cursor_prev(struct wx_cursor *c, struct wx_val *kout, struct wx_val *vout)
{
	return cursor_step(c, NULL, 0, MDB_PREV, kout, vout);
}

int wx_cursor_last(struct wx_cursor *c, struct wx_val *kout, struct wx_val *vout)
{
	return cursor_step(c, NULL, 0, MDB_LAST, kout, vout);
}

uint64_t wx_store_change_marker(struct wx_store *s)
{
	MDB_envinfo info;

	if (mdb_env_info(s->env, &info) != 0)
		return 0;
	return (uint64_t)info.me_last_txnid;
}

