/* record.h: records and their storage.
 *
 * A record is an ordered list of named fields (text values of any bytes)
 * with a header: the internal id, a version that grows with every save, and
 * who saved it last and when.  The external id is the field "id"; a unique
 * index maps it to the internal id.  Fields the current form no longer
 * defines are kept like any other field: a record never loses a field it
 * was given.
 *
 * Saving computes which fields changed and writes an audit entry (field
 * names only) in the same transaction. */
#ifndef WEXMATCH_RECORD_H
#define WEXMATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/store.h"

#define WX_FIELD_NAME_MAX 64   /* bytes, the limit of a field name */
#define WX_ID_MAX 200          /* bytes of an external id (LMDB keys <= 511) */

struct wx_field {
	char *name;
	char *value;     /* NUL-terminated; may hold any byte but NUL */
	size_t vlen;
};

struct wx_record {
	uint64_t iid;       /* internal id, 0 for a record not yet stored */
	uint64_t version;   /* 0 for a record not yet stored */
	int64_t mtime_ns;   /* last save, nanoseconds since the epoch (UTC) */
	uint32_t muid;      /* real uid of the last save */
	char muser[33];     /* login name of the last save */
	size_t n, cap;
	struct wx_field *f;
	size_t hint;        /* where the next lookup starts: fields are usually
	                     * looked up in the order they are stored (form
	                     * order), which makes each lookup one comparison */
};

void wx_record_init(struct wx_record *r);
void wx_record_free(struct wx_record *r);
void wx_record_clear_fields(struct wx_record *r);
/* Set (replace or append) a field; returns WX_OK or WX_ENOMEM. */
int wx_record_set(struct wx_record *r, const char *name, const char *value, size_t vlen);
/* Append a field the caller knows r does not hold yet (columns of a CSV
 * header already checked for repeats, JSON keys, generated records): no
 * lookup, so building a record of n fields costs n, not n squared. */
int wx_record_append(struct wx_record *r, const char *name, const char *value, size_t vlen);
/* Remove a field; returns WX_OK or WX_ENOTFOUND. */
int wx_record_unset(struct wx_record *r, const char *name);
/* The field's value, or NULL when absent. */
const struct wx_field *wx_record_field(const struct wx_record *r, const char *name);
const char *wx_record_get(const struct wx_record *r, const char *name);

/* Binary encoding (see record.c for the layout).  encode returns a malloc'd
 * buffer; decode checks every length and returns WX_EDATA on damage. */
int wx_record_encode(const struct wx_record *r, unsigned char **out, size_t *len);
int wx_record_decode(const void *buf, size_t len, uint64_t iid, struct wx_record *r);

/* Zero-copy access to an encoded record: walk its fields, or find one, in
 * place, without allocating.  This is how lists, filters, sorting and the
 * matcher read the few values they need from many records.  The pointers
 * point into buf (values are not NUL-terminated). */
struct wx_record_iter {
	const unsigned char *p, *end;
	uint32_t left;
	unsigned char format;     /* 1: names as text; 2: names may be references */
};
/* WX_OK, or WX_EDATA when the header is damaged. */
int wx_record_iter_init(struct wx_record_iter *it, const void *buf, size_t len,
			uint64_t *version);
/* WX_OK with the next field, WX_ENOTFOUND after the last, WX_EDATA on damage. */
int wx_record_iter_next(struct wx_record_iter *it, const char **name, size_t *nlen,
			const char **val, size_t *vlen);
/* Find one field: WX_OK, WX_ENOTFOUND, or WX_EDATA on damage. */
int wx_record_peek(const void *buf, size_t len, const char *name, const char **val,
		   size_t *vlen);

/* A copy of an encoded record with one field set (added, or its value
 * replaced), encoded again: for scoring a record with a value from
 * elsewhere, such as an area's IMD decile from the postcode lookup.  *out
 * is malloc'd.  WX_OK, WX_EDATA (a damaged record) or WX_ENOMEM. */
int wx_record_with_field(const void *buf, size_t len, const char *name, const char *value,
			 unsigned char **out, size_t *outlen);

/* Storage.  Loading by internal or external id: WX_OK or WX_ENOTFOUND. */
int wx_record_load(struct wx_txn *t, enum wx_kind k, uint64_t iid, struct wx_record *r);
int wx_record_load_by_id(struct wx_txn *t, enum wx_kind k, const char *ext_id,
			 struct wx_record *r);
/* Look up the internal id of an external id. */
int wx_record_lookup(struct wx_txn *t, enum wx_kind k, const char *ext_id, uint64_t *iid);

/* Save r.  r->iid == 0 inserts a new record (WX_EEXIST when its id is taken);
 * otherwise base_version must be the version the change was based on, else
 * WX_ECONFLICT with who saved the newer version and when.  On success r's
 * iid, version and last-save fields are updated. */
int wx_record_save(struct wx_txn *t, enum wx_kind k, struct wx_record *r,
		   uint64_t base_version);
/* Insert r as a new record when the caller has just found, in this same
 * transaction, that its id is free (an import checks every id first): the
 * same as wx_record_save of a new record without looking the id up again.
 * The index write still refuses a taken id. */
int wx_record_insert_checked(struct wx_txn *t, enum wx_kind k, struct wx_record *r);
/* Delete a record and its index entry, audited; base_version 0 skips the
 * version check.  A candidate's equality answers are deleted with it. */
int wx_record_delete(struct wx_txn *t, enum wx_kind k, uint64_t iid, uint64_t base_version);
/* Right to erasure: the candidate's record and equality answers go, leaving
 * an audit tombstone (kind and internal number, no personal data). */
int wx_record_erase(struct wx_txn *t, const char *candidate_id);

#endif
