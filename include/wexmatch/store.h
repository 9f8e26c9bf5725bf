/* store.h: the LMDB store.  This module is the only code that calls LMDB.
 *
 * One LMDB environment per database directory, with one named database
 * ("table") per record kind, its unique index on the external id, the audit
 * log and its per-record index, and a meta table holding the schema version
 * and id counters.
 *
 * Transactions are run through callbacks (wx_store_write, wx_store_read) so
 * that the store can retry them: when the map is full it grows the map and
 * runs the callback again from the start, and when another process grew the
 * map or a reader slot was left by a dead process it recovers and retries.
 * A callback must therefore be safe to run more than once: it must start
 * from its inputs, not from state left by an earlier attempt.
 *
 * Every operation on a transaction keeps the first error (sticky): after a
 * failure later operations return the same code at once, and the write is
 * aborted instead of committed, so nothing half-written ever lands. */
#ifndef WEXMATCH_STORE_H
#define WEXMATCH_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wexmatch/error.h"

/* The layout version this build reads and writes.  See store.c for the
 * history and the migrations from older versions. */
#define WX_SCHEMA_VERSION 5

enum wx_kind {
	WX_KIND_CANDIDATE,
	WX_KIND_PLACEMENT,
	WX_KIND_AMBASSADOR,
	WX_KIND_REQUEST,
	WX_KIND_EQUALITY,   /* equality-monitoring answers, kept apart */
	WX_KIND_COUNT
};

/* "candidate", "placement", ... */
const char *wx_kind_name(enum wx_kind k);
/* Accepts the singular or the plural; returns WX_OK or WX_EUSAGE. */
int wx_kind_parse(const char *s, enum wx_kind *out);

enum wx_table {
	WX_TB_META,        /* name -> value (schema, counters) */
	WX_TB_AUDIT,       /* seq(be64) -> audit entry (audit.h) */
	WX_TB_AUDIT_REC,   /* kind(u8) iid(be64) seq(be64) -> empty */
	WX_TB_POLICY,      /* version(be32) -> stored policy (policystore.h) */
	WX_TB_GEO,         /* normalised postcode -> location (geo.h) */
	WX_TB_RUNS,        /* run(be64) part(u8) ... -> recorded match runs (runstore.h) */
	WX_TB_REC_FIRST,   /* iid(be64) -> record (record.h), one per kind */
	WX_TB_ID_FIRST = WX_TB_REC_FIRST + WX_KIND_COUNT, /* external id -> iid(be64), one per kind */
	WX_TB_COUNT = WX_TB_ID_FIRST + WX_KIND_COUNT
};

static inline enum wx_table wx_tb_records(enum wx_kind k)
{
	return (enum wx_table)(WX_TB_REC_FIRST + (int)k);
}

static inline enum wx_table wx_tb_ids(enum wx_kind k)
{
	return (enum wx_table)(WX_TB_ID_FIRST + (int)k);
}

const char *wx_table_name(enum wx_table t);

struct wx_store;
struct wx_txn;
struct wx_cursor;

enum wx_open_flags {
	WX_OPEN_CREATE = 1 << 0,   /* create the directory and database if absent */
	WX_OPEN_READONLY = 1 << 1  /* never start a write transaction */
};

struct wx_store_opts {
	const char *dir;          /* database directory (required) */
	unsigned flags;           /* enum wx_open_flags */
	const char *group;        /* with CREATE: make a group-shared database */
	size_t initial_map;       /* map size for a new environment; 0: default */
};

/* Open (and with WX_OPEN_CREATE, create) the database in opts->dir: checks
 * permissions, clears stale reader slots, checks the schema version and
 * migrates an older layout in one write transaction.  Errors: WX_EDB. */
int wx_store_open(struct wx_store **out, const struct wx_store_opts *opts,
		  struct wx_err *err);
void wx_store_close(struct wx_store *s);

const char *wx_store_dir(const struct wx_store *s);
/* The real user, resolved once at open: uid and login name. */
uint32_t wx_store_uid(const struct wx_store *s);
const char *wx_store_user(const struct wx_store *s);

typedef int (*wx_txn_fn)(struct wx_txn *t, void *ctx);

/* Run fn in a write transaction and commit it when fn returns WX_OK and no
 * operation failed.  On a full map the map grows and fn runs again. */
int wx_store_write(struct wx_store *s, wx_txn_fn fn, void *ctx, struct wx_err *err);
/* Run fn in a read-only snapshot.  Keep it short: never wait for a person
 * inside it. */
int wx_store_read(struct wx_store *s, wx_txn_fn fn, void *ctx, struct wx_err *err);

struct wx_store *wx_txn_store(struct wx_txn *t);
int wx_txn_is_write(const struct wx_txn *t);
/* Fail the transaction with a message (sticky); returns code. */
int wx_txn_fail(struct wx_txn *t, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Make a write transaction end without committing and without an error:
 * everything it wrote is discarded (a dry run). */
void wx_txn_rollback(struct wx_txn *t);
/* The first error of the transaction, WX_OK if none. */
int wx_txn_status(const struct wx_txn *t);

/* A value inside the map: valid until the transaction ends or the next
 * write to the same table. */
struct wx_val {
	const void *data;
	size_t len;
};

enum wx_put_flags {
	WX_PUT_NOOVERWRITE = 1 << 0, /* fail with WX_EEXIST if the key exists */
	WX_PUT_APPEND = 1 << 1       /* key is greater than every key: fast bulk load */
};

/* WX_OK, WX_ENOTFOUND, or the transaction's sticky error. */
int wx_get(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen,
	   struct wx_val *out);
int wx_put(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen,
	   const void *val, size_t vlen, unsigned flags);
/* WX_OK, WX_ENOTFOUND (nothing to delete), or the sticky error. */
int wx_del(struct wx_txn *t, enum wx_table tb, const void *key, size_t klen);
/* Remove every entry of a table (write transactions only). */
int wx_clear(struct wx_txn *t, enum wx_table tb);
/* Number of entries in a table. */
int wx_count(struct wx_txn *t, enum wx_table tb, uint64_t *out);

/* Counters in the meta table: returns the next value (starting at 1). */
int wx_next_seq(struct wx_txn *t, const char *name, uint64_t *out);
/* Read a counter without changing it (0 if never used). */
int wx_peek_seq(struct wx_txn *t, const char *name, uint64_t *out);

/* Cursors iterate a table in key order, optionally limited to keys that
 * start with a prefix.  Closed automatically when the transaction ends. */
int wx_cursor_open(struct wx_txn *t, enum wx_table tb, const void *prefix,
		   size_t plen, struct wx_cursor **out);
/* WX_OK with the next entry, WX_ENOTFOUND at the end, or an error. */
int wx_cursor_next(struct wx_cursor *c, struct wx_val *key, struct wx_val *val);
/* Delete the entry the cursor is on (write transactions only). */
int wx_cursor_del(struct wx_cursor *c);
void wx_cursor_close(struct wx_cursor *c);

struct wx_store_stats {
	uint64_t records[WX_KIND_COUNT];
	uint64_t audit_entries;
	uint64_t file_bytes;     /* size of data.mdb on disk */
	uint64_t map_bytes;      /* current map size */
	uint64_t used_bytes;     /* pages in use (last page number x page size) */
	unsigned readers_used;   /* reader slots held by live or dead processes */
	unsigned readers_max;
	unsigned schema;         /* as stored in the database */
};
int wx_store_stats(struct wx_store *s, struct wx_store_stats *st, struct wx_err *err);

/* Write a compacted copy of the database to path, atomically (a temporary
 * file renamed into place), while other processes keep working. */
int wx_store_backup(struct wx_store *s, const char *path, struct wx_err *err);

/* Grow the map ahead of a bulk write of about `bytes`, so the write does not
 * have to be run again after MDB_MAP_FULL.  Only outside transactions. */
int wx_store_reserve(struct wx_store *s, uint64_t bytes, struct wx_err *err);

/* Let go of the database pages this process has mapped in (they stay in
 * the page cache, and come back on the next access): a scan of a million
 * records would otherwise keep the whole file in its resident memory.  The
 * map is read-only, so this loses nothing and pointers into it stay valid;
 * safe inside a read transaction. */
void wx_store_release_pages(struct wx_store *s);

/* Clear reader slots left by dead processes; returns how many were cleared. */
int wx_store_clear_stale_readers(struct wx_store *s);

/* How many times the map has grown in this process (tests and benchmarks). */
unsigned wx_store_map_growths(const struct wx_store *s);


/* ---- paging (added for the TUI) ----
 * Position a cursor at the first entry whose key is >= key (klen 0: the
 * first entry), step back one entry (from an unpositioned cursor: the
 * last entry), or go to the last entry.  WX_OK, WX_ENOTFOUND at an end, or
 * the sticky error.  wx_cursor_next continues forward from the position.
 * These ignore the prefix the cursor was opened with. */
int wx_cursor_seek(struct wx_cursor *c, const void *key, size_t klen, struct wx_val *kout,
		   struct wx_val *vout);
int wx_cursor_prev(struct wx_cursor *c, struct wx_val *kout, struct wx_val *vout);
int wx_cursor_last(struct wx_cursor *c, struct wx_val *kout, struct wx_val *vout);

/* A number that changes whenever any process commits a write (LMDB's last
 * transaction id); read without a transaction, so screens can poll it
 * every second to notice other operators' changes.  0 if unknown. */
uint64_t wx_store_change_marker(struct wx_store *s);

#endif
