/* audit.c: the audit log.
 *
 * Entry layout (all integers big-endian):
 *   u8 format | s64 time_ns | u32 uid | u8 len, user | u8 action |
 *   u8 kind | u64 iid | u16 nfields | nfields x name
 * where a name is (u8 len 1..255, bytes), or in format 2 also (u8 0, u8
 * index) for a name in the frozen table of names.h, as in records.  Format
 * 2 is written; format 1 is still read.
 * Keyed by a sequence number (u64) so the log reads in order; indexed per
 * record in audit_by_record as (kind, iid, seq).  Field names only: a value
 * never enters the log, so an erased person leaves nothing personal here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wexmatch/audit.h"
#include "wexmatch/keys.h"
#include "wexmatch/names.h"

#define AUDIT_FORMAT 2      /* written; 1 is still read */

const char *wx_audit_action_name(int action)
{
	static const char *const names[] = {
		"?", "add", "edit", "delete", "erase", "init", "migrate", "policy", "geo",
		"match"
	};
	return action >= 1 && action <= WX_AUDIT_ACTION_MAX ? names[action] : "?";
}

int64_t wx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int wx_audit_write(struct wx_txn *t, int action, int kind, uint64_t iid,
		   const char *const *fields, size_t nfields)
{
	struct wx_store *s = wx_txn_store(t);
	const char *user = wx_store_user(s);
	size_t ulen = strlen(user), len = 1 + 8 + 4 + 1 + ulen + 1 + 1 + 8 + 2, i;
	unsigned char *buf, *p, key[17];
	short stack_refs[64], *refs = stack_refs;
	uint64_t seq;
	int rc;

	if (nfields > 0xffff)
		return wx_txn_fail(t, WX_EDATA, "too many fields changed at once (%zu)", nfields);
	/* each name is looked up once, and its reference kept for the writing */
	if (nfields > sizeof stack_refs / sizeof stack_refs[0] &&
	    !(refs = malloc(nfields * sizeof *refs)))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	for (i = 0; i < nfields; i++) {
		size_t n = strlen(fields[i]);

		if (n == 0 || n > 255) {
			if (refs != stack_refs)
				free(refs);
			return wx_txn_fail(t, WX_EDATA, "field name of %zu bytes", n);
		}
		refs[i] = (short)wx_name_index(fields[i], n);
		len += refs[i] >= 0 ? 2 : 1 + n;
	}
	rc = wx_next_seq(t, "audit", &seq);
	buf = rc == WX_OK ? malloc(len) : NULL;
	if (!buf) {
		if (refs != stack_refs)
			free(refs);
		return rc != WX_OK ? rc : wx_txn_fail(t, WX_ENOMEM, "out of memory");
	}
	p = buf;
	*p++ = AUDIT_FORMAT;
	wx_put_be64s(p, wx_now_ns());
	p += 8;
	wx_put_be32(p, wx_store_uid(s));
	p += 4;
	*p++ = (unsigned char)ulen;
	memcpy(p, user, ulen);
	p += ulen;
	*p++ = (unsigned char)action;
	*p++ = (unsigned char)kind;
	wx_put_be64(p, iid);
	p += 8;
	wx_put_be16(p, (uint16_t)nfields);
	p += 2;
	for (i = 0; i < nfields; i++) {
		if (refs[i] >= 0) {
			*p++ = WX_NAME_REF;
			*p++ = (unsigned char)refs[i];
		} else {
			size_t n = strlen(fields[i]);

			*p++ = (unsigned char)n;
			memcpy(p, fields[i], n);
			p += n;
		}
	}
	if (refs != stack_refs)
		free(refs);
	wx_put_be64(key, seq);
	rc = wx_put(t, WX_TB_AUDIT, key, 8, buf, len, WX_PUT_APPEND);
	free(buf);
	key[0] = (unsigned char)kind;
	wx_put_be64(key + 1, iid);
	wx_put_be64(key + 9, seq);
	if (rc == WX_OK)
		rc = wx_put(t, WX_TB_AUDIT_REC, key, sizeof key, "", 0, 0);
	return rc;
}

void wx_audit_entry_free(struct wx_audit_entry *e)
{
	if (!e->fields)
		return;
	for (size_t i = 0; i < e->nfields; i++)
		free(e->fields[i]);
	free(e->fields);
	e->fields = NULL;
	e->nfields = 0;
}

/* A field or user name: printable, no control characters. */
static int clean_name(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return n > 0;
}

int wx_audit_decode(const void *buf, size_t len, uint64_t seq, struct wx_audit_entry *e)
{
	const unsigned char *p = buf, *end = p + len;
	unsigned char format;
	size_t n, i;

	memset(e, 0, sizeof *e);
	e->seq = seq;
	if (len < 1 + 8 + 4 + 1 || (p[0] != 1 && p[0] != 2))
		return WX_EDATA;
	format = *p++;
	e->time_ns = wx_get_be64s(p);
	p += 8;
	e->uid = wx_get_be32(p);
	p += 4;
	n = *p++;
	if (n >= sizeof e->user || (size_t)(end - p) < n + 1 + 1 + 8 + 2 || !clean_name(p, n))
		return WX_EDATA;
	memcpy(e->user, p, n);
	e->user[n] = '\0';
	p += n;
	e->action = *p++;
	e->kind = *p++;
	if (e->action < 1 || e->action > WX_AUDIT_ACTION_MAX)
		return WX_EDATA;
	if (e->kind >= WX_KIND_COUNT && e->kind != WX_AUDIT_KIND_NONE)
		return WX_EDATA;
	e->iid = wx_get_be64(p);
	p += 8;
	n = wx_get_be16(p);
	p += 2;
	if ((size_t)(end - p) < n)   /* at least one byte per name: cheap bound */
		return WX_EDATA;
	e->fields = calloc(n ? n : 1, sizeof *e->fields);
	if (!e->fields)
		return WX_ENOMEM;
	e->nfields = n;
	for (i = 0; i < n; i++) {
		size_t fl;

		const unsigned char *np;

		if (p >= end)
			goto bad;
		fl = *p++;
		if (fl == WX_NAME_REF && format >= 2) {
			if (p >= end || !(np = (const unsigned char *)wx_name_at(*p)))
				goto bad;
			p++;
			fl = strlen((const char *)np);
		} else {
			if ((size_t)(end - p) < fl || !clean_name(p, fl))
				goto bad;
			np = p;
			p += fl;
		}
		e->fields[i] = malloc(fl + 1);
		if (!e->fields[i])
			goto bad;
		memcpy(e->fields[i], np, fl);
		e->fields[i][fl] = '\0';
	}
	if (p != end)
		goto bad;
	return WX_OK;
bad:
	wx_audit_entry_free(e);
	return WX_EDATA;
}
