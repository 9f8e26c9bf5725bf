/* fuzz-record.c: stored bytes are a parser's input too (a damaged file, a
 * database written by a buggy build).  Decode arbitrary bytes as a record,
 * walk them in place, and decode them as an audit entry: no crash, no leak,
 * no read outside the input, and the in-place walk agrees with the decoder. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/audit.h"
#include "wexmatch/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wx_record r;
	struct wx_record_iter it;
	struct wx_audit_entry e;
	const char *name, *val;
	size_t nl, vl, walked = 0;
	uint64_t version;
	int dec, rc;
	/* a copy of exactly size bytes, so a read past the end is caught */
	unsigned char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	wx_record_init(&r);
	dec = wx_record_decode(buf, size, 1, &r);
	rc = wx_record_iter_init(&it, buf, size, &version);
	while (rc == WX_OK && (rc = wx_record_iter_next(&it, &name, &nl, &val, &vl)) == WX_OK)
		walked++;
	/* a record the decoder accepts is walked whole, field by field */
	if (dec == WX_OK && (rc != WX_ENOTFOUND || walked != r.n || version != r.version))
		abort();
	if (dec == WX_OK) {
		unsigned char *again;
		size_t len;

		/* encoding it and decoding that gives the same record (the bytes
		 * may differ: format 1 input is written as format 2) */
		if (wx_record_encode(&r, &again, &len) == WX_OK) {
			struct wx_record r2;

			wx_record_init(&r2);
			if (wx_record_decode(again, len, 1, &r2) != WX_OK || r2.n != r.n ||
			    r2.version != r.version || r2.mtime_ns != r.mtime_ns ||
			    strcmp(r2.muser, r.muser) != 0)
				abort();
			for (size_t i = 0; i < r.n; i++)
				if (strcmp(r.f[i].name, r2.f[i].name) != 0 || r.f[i].vlen != r2.f[i].vlen ||
				    memcmp(r.f[i].value, r2.f[i].value, r.f[i].vlen) != 0)
					abort();
			wx_record_free(&r2);
			free(again);
		}
	}
	wx_record_free(&r);
	if (wx_audit_decode(buf, size, 1, &e) == WX_OK)
		wx_audit_entry_free(&e);
	free(buf);
	return 0;
}
