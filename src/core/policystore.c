/* policystore.c: policies by version.
 * Value layout: s64 time_ns | u32 uid | u8 len, user | the policy's text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wexmatch/audit.h"
#include "wexmatch/keys.h"
#include "wexmatch/policystore.h"

#define MAX_POLICY_TEXT ((size_t)1 << 20)

int wx_policy_store_set(struct wx_txn *t, const char *text, size_t len, uint32_t *version)
{
	struct wx_store *s = wx_txn_store(t);
	const char *user = wx_store_user(s);
	size_t ulen = strlen(user), vlen = 8 + 4 + 1 + ulen + len;
	struct wx_stored_policy last;
	unsigned char key[4], *buf;
	uint32_t next = 1;
	int rc;

	if (len == 0 || len > MAX_POLICY_TEXT)
		return wx_txn_fail(t, WX_EDATA, "a policy of %zu bytes (expected 1 byte to 1 MiB)", len);
	rc = wx_policy_store_get(t, 0, &last);
	if (rc == WX_OK) {
		next = last.version + 1;
		wx_stored_policy_free(&last);
	} else if (rc != WX_ENOTFOUND) {
		return rc;
	}
	buf = malloc(vlen);
	if (!buf)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	wx_put_be64s(buf, wx_now_ns());
	wx_put_be32(buf + 8, wx_store_uid(s));
	buf[12] = (unsigned char)ulen;
	memcpy(buf + 13, user, ulen);
	memcpy(buf + 13 + ulen, text, len);
	wx_put_be32(key, next);
	rc = wx_put(t, WX_TB_POLICY, key, 4, buf, vlen, WX_PUT_NOOVERWRITE | WX_PUT_APPEND);
	free(buf);
	if (rc == WX_OK)
		rc = wx_audit_write(t, WX_AUDIT_POLICY, WX_AUDIT_KIND_NONE, next, NULL, 0);
	if (rc == WX_OK)
		*version = next;
	return rc;
}

static int decode(struct wx_txn *t, const unsigned char *k, size_t klen,
		  const unsigned char *v, size_t vlen, struct wx_stored_policy *out)
{
	size_t ulen;

	memset(out, 0, sizeof *out);
	if (klen != 4 || vlen < 13 || (ulen = v[12]) >= sizeof out->user || vlen < 13 + ulen + 1)
		return wx_txn_fail(t, WX_EDB, "a stored policy is damaged (run wexmatch check)");
	out->version = wx_get_be32(k);
	out->time_ns = wx_get_be64s(v);
	out->uid = wx_get_be32(v + 8);
	memcpy(out->user, v + 13, ulen);
	out->user[ulen] = '\0';
	out->len = vlen - 13 - ulen;
	out->text = malloc(out->len + 1);
	if (!out->text)
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	memcpy(out->text, v + 13 + ulen, out->len);
	out->text[out->len] = '\0';
	return WX_OK;
}

int wx_policy_store_get(struct wx_txn *t, uint32_t version, struct wx_stored_policy *out)
{
	struct wx_val k, v;
	unsigned char key[4];
	int rc;

	memset(out, 0, sizeof *out);
	if (version) {
		wx_put_be32(key, version);
		rc = wx_get(t, WX_TB_POLICY, key, 4, &v);
		return rc == WX_OK ? decode(t, key, 4, v.data, v.len, out) : rc;
	}
	/* the latest: the last key (versions are big-endian, so in order) */
	{
		struct wx_cursor *c;
		int found = 0;
		unsigned char last[4];
		struct wx_val lv = { NULL, 0 };

		rc = wx_cursor_open(t, WX_TB_POLICY, NULL, 0, &c);
		while (rc == WX_OK && (rc = wx_cursor_next(c, &k, &v)) == WX_OK) {
			if (k.len != 4)
				continue;
			memcpy(last, k.data, 4);
			lv = v;
			found = 1;
		}
		wx_cursor_close(c);
		if (rc != WX_ENOTFOUND)
			return rc;
		return found ? decode(t, last, 4, lv.data, lv.len, out) : WX_ENOTFOUND;
	}
}

void wx_stored_policy_free(struct wx_stored_policy *p)
{
	free(p->text);
	memset(p, 0, sizeof *p);
}
