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

		/* and encoding it gives back the same bytes */
		if (wx_record_encode(&r, &again, &len) == WX_OK) {
			if (len != size || memcmp(again, buf, size) != 0)
				abort();
			free(again);
		}
	}
	wx_record_free(&r);
	if (wx_audit_decode(buf, size, 1, &e) == WX_OK)
		wx_audit_entry_free(&e);
	free(buf);
	return 0;
}
