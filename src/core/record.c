/* record.c: records, their encoding and their storage.
 *
 * Encoding (integers big-endian):
 *   u8 format | u64 version | s64 mtime_ns | u32 muid | u8 len, muser |
 *   u32 nfields | nfields x (name, value length, value)
 * Format 1: a name is (u8 len 1..255, bytes) and a value length a u32.
 * Format 2 (written): a name may also be (u8 0, u8 index) for a name in the
 * frozen table of names.h, and a value length is a LEB128 varint (one byte
 * below 128), which together halve a typical record.  Format 1 is still
 * read, so no migration is needed.
 * Fields keep the order they were given in; names are any bytes but NUL,
 * so columns an older form defined, or unknown columns kept on import,
 * survive unchanged. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/audit.h"
#include "wexmatch/keys.h"
#include "wexmatch/names.h"
#include "wexmatch/record.h"
#include "wexmatch/values.h"

#define RECORD_FORMAT 2      /* written; 1 is still read */

void wx_record_init(struct wx_record *r)
{
	memset(r, 0, sizeof *r);
}

/* A field's name and value live in one allocation (name, NUL, value,
 * NUL) owned through `name`: half the allocations of two blocks, which
 * matters when an import builds a million records of thirty fields. */
static int fill_field(struct wx_field *f, const char *name, const char *value, size_t vlen)
{
	size_t nl = strlen(name);
	char *block = malloc(nl + 1 + vlen + 1);

	if (!block)
		return WX_ENOMEM;
	memcpy(block, name, nl + 1);
	memcpy(block + nl + 1, value, vlen);
	block[nl + 1 + vlen] = '\0';
	f->name = block;
	f->value = block + nl + 1;
	f->vlen = vlen;
	return WX_OK;
}

void wx_record_clear_fields(struct wx_record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->f[i].name);
	r->n = 0;
}

void wx_record_free(struct wx_record *r)
{
	wx_record_clear_fields(r);
	free(r->f);
	wx_record_init(r);
}

static struct wx_field *find(const struct wx_record *cr, const char *name)
{
	/* the hint is a cache, not part of the record's value */
	struct wx_record *r = (struct wx_record *)cr;
	size_t start = r->hint < r->n ? r->hint : 0;

	for (size_t k = 0; k < r->n; k++) {
		size_t i = start + k < r->n ? start + k : start + k - r->n;

		if (r->f[i].name[0] == name[0] && strcmp(r->f[i].name, name) == 0) {
			r->hint = i + 1;
			return &r->f[i];
		}
	}
	return NULL;
}

const struct wx_field *wx_record_field(const struct wx_record *r, const char *name)
{
	return find(r, name);
}

const char *wx_record_get(const struct wx_record *r, const char *name)
{
	const struct wx_field *f = find(r, name);

	return f ? f->value : NULL;
}

int wx_record_append(struct wx_record *r, const char *name, const char *value, size_t vlen)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct wx_field *nf = realloc(r->f, cap * sizeof *nf);

		if (!nf)
			return WX_ENOMEM;
		r->f = nf;
		r->cap = cap;
	}
	if (fill_field(&r->f[r->n], name, value, vlen) != WX_OK)
		return WX_ENOMEM;
	r->n++;
	return WX_OK;
}

int wx_record_set(struct wx_record *r, const char *name, const char *value, size_t vlen)
{
	struct wx_field *f = find(r, name), nf;

	if (!f)
		return wx_record_append(r, name, value, vlen);
	/* value may point into the field being replaced: fill first, free after */
	if (fill_field(&nf, name, value, vlen) != WX_OK)
		return WX_ENOMEM;
	free(f->name);
	*f = nf;
	return WX_OK;
}

int wx_record_unset(struct wx_record *r, const char *name)
{
	struct wx_field *f = find(r, name);
	size_t i;

	if (!f)
		return WX_ENOTFOUND;
	i = (size_t)(f - r->f);
	free(f->name);
	memmove(&r->f[i], &r->f[i + 1], (r->n - i - 1) * sizeof *f);
	r->n--;
	return WX_OK;
}

/* LEB128: 7 bits a byte, low bits first, high bit set on all but the last. */
static size_t varint_len(uint32_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *put_varint(unsigned char *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Read a varint of at most 5 bytes; NULL when cut short or too long. */
static const unsigned char *get_varint(const unsigned char *p, const unsigned char *end,
				       uint32_t *v)
{
	uint32_t x = 0;

	for (int shift = 0; shift <= 28 && p < end; shift += 7) {
		unsigned char b = *p++;

		if (shift == 28 && b > 0x0F)
			return NULL;     /* more than 32 bits */
		x |= (uint32_t)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

int wx_record_encode(const struct wx_record *r, unsigned char **out, size_t *outlen)
{
	size_t ulen = strlen(r->muser), len = 1 + 8 + 8 + 4 + 1 + ulen + 4, i;
	short stack_refs[64], *refs = stack_refs;
	unsigned char *buf, *p;

	/* each name is looked up once, and its reference kept for the writing */
	if (r->n > sizeof stack_refs / sizeof stack_refs[0] &&
	    !(refs = malloc(r->n * sizeof *refs)))
		return WX_ENOMEM;
	for (i = 0; i < r->n; i++) {
		size_t nl = strlen(r->f[i].name);

		if (nl == 0 || nl > 255 || r->f[i].vlen > UINT32_MAX) {
			if (refs != stack_refs)
				free(refs);
			return WX_EDATA;
		}
		refs[i] = (short)wx_name_index(r->f[i].name, nl);
		len += (refs[i] >= 0 ? 2 : 1 + nl) + varint_len((uint32_t)r->f[i].vlen) + r->f[i].vlen;
	}
	buf = malloc(len);
	if (!buf) {
		if (refs != stack_refs)
			free(refs);
		return WX_ENOMEM;
	}
	p = buf;
	*p++ = RECORD_FORMAT;
	wx_put_be64(p, r->version);
	p += 8;
	wx_put_be64s(p, r->mtime_ns);
	p += 8;
	wx_put_be32(p, r->muid);
	p += 4;
	*p++ = (unsigned char)ulen;
	memcpy(p, r->muser, ulen);
	p += ulen;
	wx_put_be32(p, (uint32_t)r->n);
	p += 4;
	for (i = 0; i < r->n; i++) {
		if (refs[i] >= 0) {
			*p++ = WX_NAME_REF;
			*p++ = (unsigned char)refs[i];
		} else {
			size_t nl = strlen(r->f[i].name);

			*p++ = (unsigned char)nl;
			memcpy(p, r->f[i].name, nl);
			p += nl;
		}
		p = put_varint(p, (uint32_t)r->f[i].vlen);
		memcpy(p, r->f[i].value, r->f[i].vlen);
		p += r->f[i].vlen;
	}
	if (refs != stack_refs)
		free(refs);
	*out = buf;
	*outlen = len;
	return WX_OK;
}

int wx_record_decode(const void *buf, size_t len, uint64_t iid, struct wx_record *r)
{
	const unsigned char *p = buf;
	struct wx_record_iter it;
	const char *n, *v;
	size_t nl, vl, ulen;
	int rc;

	wx_record_free(r);
	r->iid = iid;
	if (wx_record_iter_init(&it, buf, len, &r->version) != WX_OK)
		return WX_EDATA;
	r->mtime_ns = wx_get_be64s(p + 9);
	r->muid = wx_get_be32(p + 17);
	ulen = p[21];
	if (ulen >= sizeof r->muser || memchr(p + 22, '\0', ulen))
		return WX_EDATA;
	memcpy(r->muser, p + 22, ulen);
	r->muser[ulen] = '\0';
	/* each field takes at least 3 bytes: a cheap bound before allocating */
	if (it.left > (size_t)(it.end - it.p) / 3)
		return WX_EDATA;
	while ((rc = wx_record_iter_next(&it, &n, &nl, &v, &vl)) == WX_OK) {
		char name[256];

		memcpy(name, n, nl);
		name[nl] = '\0';
		if (memchr(name, '\0', nl) || memchr(v, '\0', vl) || find(r, name))
			goto bad;
		if (wx_record_append(r, name, v, vl) != WX_OK) {
			wx_record_free(r);
			return WX_ENOMEM;
		}
	}
	if (rc == WX_ENOTFOUND)
		return WX_OK;
bad:
	wx_record_free(r);
	r->iid = iid;
	return WX_EDATA;
}

/* ---- zero-copy access ---- */

int wx_record_iter_init(struct wx_record_iter *it, const void *buf, size_t len,
			uint64_t *version)
{
	const unsigned char *p = buf;
	size_t ulen;

	it->p = it->end = p;
	it->left = 0;
	if (len < 1 + 8 + 8 + 4 + 1 || (p[0] != 1 && p[0] != 2))
		return WX_EDATA;
	it->format = p[0];
	if (version)
		*version = wx_get_be64(p + 1);
	ulen = p[21];
	if (len < 22 + ulen + 4)
		return WX_EDATA;
	it->left = wx_get_be32(p + 22 + ulen);
	it->p = p + 26 + ulen;
	it->end = p + len;
	return WX_OK;
}

int wx_record_iter_next(struct wx_record_iter *it, const char **name, size_t *nlen,
			const char **val, size_t *vlen)
{
	size_t nl, vl;

	if (it->left == 0)
		return it->p == it->end ? WX_ENOTFOUND : WX_EDATA;
	if (it->end - it->p < 1)
		return WX_EDATA;
	nl = *it->p++;
	if (nl == WX_NAME_REF && it->format >= 2) {
		if (it->end - it->p < 1 || !(*name = wx_name_at(*it->p)))
			return WX_EDATA;
		*nlen = wx_name_len(*it->p);
		it->p++;
	} else {
		if (nl == 0 || (size_t)(it->end - it->p) < nl)
			return WX_EDATA;
		*name = (const char *)it->p;
		*nlen = nl;
		it->p += nl;
	}
	if (it->format >= 2) {
		uint32_t v32;

		if (!(it->p = get_varint(it->p, it->end, &v32))) {
			it->p = it->end;
			return WX_EDATA;
		}
		vl = v32;
	} else {
		if ((size_t)(it->end - it->p) < 4)
			return WX_EDATA;
		vl = wx_get_be32(it->p);
		it->p += 4;
	}
	if ((size_t)(it->end - it->p) < vl)
		return WX_EDATA;
	*val = (const char *)it->p;
	*vlen = vl;
	it->p += vl;
	it->left--;
	return WX_OK;
}

int wx_record_peek(const void *buf, size_t len, const char *name, const char **val,
		   size_t *vlen)
{
	struct wx_record_iter it;
	size_t want = strlen(name), nl;
	const char *n;
	int rc = wx_record_iter_init(&it, buf, len, NULL);

	while (rc == WX_OK && (rc = wx_record_iter_next(&it, &n, &nl, val, vlen)) == WX_OK)
		if (nl == want && memcmp(n, name, nl) == 0)
			return WX_OK;
	return rc;
}

/* ---- storage ---- */

int wx_record_lookup(struct wx_txn *t, enum wx_kind k, const char *ext_id, uint64_t *iid)
{
	struct wx_val v;
	size_t n = strlen(ext_id);
	int rc;

	if (n == 0 || n > WX_ID_MAX)
		return WX_ENOTFOUND;
	rc = wx_get(t, wx_tb_ids(k), ext_id, n, &v);
	if (rc != WX_OK)
		return rc;
	if (v.len != 8)
		return wx_txn_fail(t, WX_EDB, "the %s index entry for an id is damaged",
				   wx_kind_name(k));
	*iid = wx_get_be64(v.data);
	return WX_OK;
}

int wx_record_load(struct wx_txn *t, enum wx_kind k, uint64_t iid, struct wx_record *r)
{
	unsigned char key[8];
	struct wx_val v;
	int rc;

	wx_put_be64(key, iid);
	rc = wx_get(t, wx_tb_records(k), key, 8, &v);
	if (rc != WX_OK)
		return rc;
	rc = wx_record_decode(v.data, v.len, iid, r);
	if (rc == WX_EDATA)
		return wx_txn_fail(t, WX_EDB, "%s record %llu is damaged", wx_kind_name(k),
				   (unsigned long long)iid);
	return rc == WX_OK ? WX_OK : wx_txn_fail(t, rc, "out of memory");
}

int wx_record_load_by_id(struct wx_txn *t, enum wx_kind k, const char *ext_id,
			 struct wx_record *r)
{
	uint64_t iid;
	int rc = wx_record_lookup(t, k, ext_id, &iid);

	if (rc != WX_OK)
		return rc;
	rc = wx_record_load(t, k, iid, r);
	if (rc == WX_ENOTFOUND)
		return wx_txn_fail(t, WX_EDB, "the %s index points to a missing record",
				   wx_kind_name(k));
	return rc;
}

/* Names of fields that differ between old and new (added, changed, removed). */
static int changed_fields(const struct wx_record *old, const struct wx_record *r,
			  const char ***out, size_t *n)
{
	const char **names = malloc((old->n + r->n + 1) * sizeof *names);
	size_t i, c = 0;

	if (!names)
		return WX_ENOMEM;
	for (i = 0; i < r->n; i++) {
		const struct wx_field *of = find(old, r->f[i].name);

		if (!of || of->vlen != r->f[i].vlen ||
		    memcmp(of->value, r->f[i].value, r->f[i].vlen) != 0)
			names[c++] = r->f[i].name;
	}
	for (i = 0; i < old->n; i++)
		if (!find(r, old->f[i].name))
			names[c++] = old->f[i].name;
	*out = names;
	*n = c;
	return WX_OK;
}

static int put_record(struct wx_txn *t, enum wx_kind k, struct wx_record *r, unsigned flags)
{
	unsigned char key[8], *buf;
	size_t len;
	int rc = wx_record_encode(r, &buf, &len);

	if (rc != WX_OK)
		return wx_txn_fail(t, rc, "cannot encode the %s record", wx_kind_name(k));
	wx_put_be64(key, r->iid);
	rc = wx_put(t, wx_tb_records(k), key, 8, buf, len, flags);
	free(buf);
	return rc;
}

static int put_index(struct wx_txn *t, enum wx_kind k, const char *id, uint64_t iid)
{
	unsigned char v[8];

	wx_put_be64(v, iid);
	return wx_put(t, wx_tb_ids(k), id, strlen(id), v, 8, WX_PUT_NOOVERWRITE);
}

static void stamp(struct wx_txn *t, struct wx_record *r)
{
	struct wx_store *s = wx_txn_store(t);

	r->mtime_ns = wx_now_ns();
	r->muid = wx_store_uid(s);
	snprintf(r->muser, sizeof r->muser, "%s", wx_store_user(s));
}

static int check_id(struct wx_txn *t, enum wx_kind k, const char *id)
{
	if (!id || !*id)
		return wx_txn_fail(t, WX_EDATA, "id: a %s needs an id", wx_kind_name(k));
	if (strlen(id) > WX_ID_MAX)
		return wx_txn_fail(t, WX_EDATA, "id: longer than %d bytes", WX_ID_MAX);
	return WX_OK;
}

static int insert(struct wx_txn *t, enum wx_kind k, struct wx_record *r, const char *id,
		  int id_checked)
{
	const char **names;
	uint64_t iid;
	int rc = id_checked ? WX_ENOTFOUND : wx_record_lookup(t, k, id, &iid);

	if (rc == WX_OK)
		return wx_txn_fail(t, WX_EEXIST, "id: %s %s already exists", wx_kind_name(k), id);
	if (rc != WX_ENOTFOUND)
		return rc;
	rc = wx_next_seq(t, wx_kind_name(k), &iid);
	if (rc != WX_OK)
		return rc;
	r->iid = iid;
	r->version = 1;
	stamp(t, r);
	/* internal ids only grow, so the record goes at the end of its table */
	rc = put_record(t, k, r, WX_PUT_NOOVERWRITE | WX_PUT_APPEND);
	if (rc == WX_OK)
		rc = put_index(t, k, id, iid);
	if (rc != WX_OK)
		return rc;
	names = malloc((r->n + 1) * sizeof *names);
	if (!names)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		names[i] = r->f[i].name;
	rc = wx_audit_write(t, WX_AUDIT_ADD, (int)k, iid, names, r->n);
	free(names);
	return rc;
}

static int conflict(struct wx_txn *t, enum wx_kind k, const struct wx_record *cur,
		    uint64_t base_version)
{
	char when[40];
	const char *id = wx_record_get(cur, "id");

	wx_format_utc(cur->mtime_ns, when, sizeof when);
	return wx_txn_fail(t, WX_ECONFLICT,
			   "%s %s was changed by %s at %s (version %llu) after the version %llu this change was based on",
			   wx_kind_name(k), id ? id : "?", cur->muser, when,
			   (unsigned long long)cur->version, (unsigned long long)base_version);
}

int wx_record_insert_checked(struct wx_txn *t, enum wx_kind k, struct wx_record *r)
{
	const char *id = wx_record_get(r, "id");
	int rc = check_id(t, k, id);

	return rc == WX_OK ? insert(t, k, r, id, 1) : rc;
}

int wx_record_save(struct wx_txn *t, enum wx_kind k, struct wx_record *r, uint64_t base_version)
{
	struct wx_record old;
	const char *id = wx_record_get(r, "id"), *old_id, **names = NULL;
	size_t n = 0;
	int rc = check_id(t, k, id);

	if (rc != WX_OK)
		return rc;
	if (r->iid == 0)
		return insert(t, k, r, id, 0);
	wx_record_init(&old);
	rc = wx_record_load(t, k, r->iid, &old);
	if (rc == WX_ENOTFOUND)
		rc = wx_txn_fail(t, WX_ENOTFOUND, "%s %s was deleted meanwhile", wx_kind_name(k), id);
	if (rc == WX_OK && old.version != base_version)
		rc = conflict(t, k, &old, base_version);
	if (rc == WX_OK)
		rc = changed_fields(&old, r, &names, &n) == WX_OK
			     ? WX_OK : wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if (rc != WX_OK || n == 0) {
		/* nothing changed: no new version, no audit entry */
		if (rc == WX_OK) {
			r->version = old.version;
			r->mtime_ns = old.mtime_ns;
			r->muid = old.muid;
			memcpy(r->muser, old.muser, sizeof r->muser);
		}
		free(names);
		wx_record_free(&old);
		return rc;
	}
	old_id = wx_record_get(&old, "id");
	if (!old_id || strcmp(old_id, id) != 0) {
		uint64_t other;

		rc = wx_record_lookup(t, k, id, &other);
		if (rc == WX_OK)
			rc = wx_txn_fail(t, WX_EEXIST, "id: %s %s already exists", wx_kind_name(k), id);
		else if (rc == WX_ENOTFOUND) {
			rc = old_id ? wx_del(t, wx_tb_ids(k), old_id, strlen(old_id)) : WX_OK;
			if (rc == WX_OK || rc == WX_ENOTFOUND)
				rc = put_index(t, k, id, r->iid);
		}
	}
	if (rc == WX_OK) {
		r->version = old.version + 1;
		stamp(t, r);
		rc = put_record(t, k, r, 0);
	}
	if (rc == WX_OK)
		rc = wx_audit_write(t, WX_AUDIT_EDIT, (int)k, r->iid, names, n);
	free(names);
	wx_record_free(&old);
	return rc;
}

/* Remove a record and its index entry, with one audit entry of action. */
static int remove_record(struct wx_txn *t, enum wx_kind k, uint64_t iid, uint64_t base_version,
			 int action)
{
	struct wx_record old;
	unsigned char key[8];
	const char *id;
	int rc;

	wx_record_init(&old);
	rc = wx_record_load(t, k, iid, &old);
	if (rc == WX_OK && base_version && old.version != base_version)
		rc = conflict(t, k, &old, base_version);
	if (rc != WX_OK) {
		wx_record_free(&old);
		return rc;
	}
	id = wx_record_get(&old, "id");
	wx_put_be64(key, iid);
	rc = wx_del(t, wx_tb_records(k), key, 8);
	if (rc == WX_OK && id)
		rc = wx_del(t, wx_tb_ids(k), id, strlen(id));
	if (rc == WX_OK)
		rc = wx_audit_write(t, action, (int)k, iid, NULL, 0);
	/* a candidate's equality answers share its id and go with it */
	if (rc == WX_OK && k == WX_KIND_CANDIDATE && id) {
		uint64_t eq;
		int lr = wx_record_lookup(t, WX_KIND_EQUALITY, id, &eq);

		if (lr == WX_OK)
			rc = remove_record(t, WX_KIND_EQUALITY, eq, 0, action);
		else if (lr != WX_ENOTFOUND)
			rc = lr;
	}
	wx_record_free(&old);
	return rc;
}

int wx_record_delete(struct wx_txn *t, enum wx_kind k, uint64_t iid, uint64_t base_version)
{
	return remove_record(t, k, iid, base_version, WX_AUDIT_DELETE);
}

int wx_record_erase(struct wx_txn *t, const char *candidate_id)
{
	uint64_t iid;
	int rc = wx_record_lookup(t, WX_KIND_CANDIDATE, candidate_id, &iid);

	if (rc != WX_OK)
		return rc;
	return remove_record(t, WX_KIND_CANDIDATE, iid, 0, WX_AUDIT_ERASE);
}

int wx_record_with_field(const void *buf, size_t len, const char *name, const char *value,
			 unsigned char **out, size_t *outlen)
{
	struct wx_record r;
	int rc;

	*out = NULL;
	*outlen = 0;
	wx_record_init(&r);
	rc = wx_record_decode(buf, len, 0, &r);
	if (rc == WX_OK)
		rc = wx_record_set(&r, name, value, strlen(value));
	if (rc == WX_OK)
		rc = wx_record_encode(&r, out, outlen);
	wx_record_free(&r);
	return rc;
}
