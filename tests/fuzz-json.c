/* fuzz-json.c: libFuzzer target for JSON records (jsonio.h).
 *
 * For any input:
 *   - reading it ends, in at most one call per byte;
 *   - reading it through wx_json_reader_open, and reading it with every
 *     record going through jansson (no fast path), give the same records,
 *     errors and messages as reading it from memory;
 *   - every good record has NUL-terminated, NUL-free, distinct keys, and
 *     written with the writer and read back gives the same keys and values
 *     in the same order.
 * A broken promise calls abort(), which libFuzzer reports as a crash.
 *
 * Built with clang -fsanitize=fuzzer (make with --enable-fuzzing), or
 * linked with fuzz-replay.c to replay the corpus in make check. */
#include "config.h"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* open_memstream, fmemopen */
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/jsonio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= UINT64_C(0x100000001b3);
	}
}

static void round_trip(const struct wx_json_record *rec)
{
	struct wx_json_writer w;
	struct wx_json_reader *r;
	struct wx_json_record back;
	struct wx_err err;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		abort();
	wx_err_clear(&err);
	wx_json_writer_init(&w, f, "rt.json");
	if (wx_json_write_begin(&w, &err) != WX_OK ||
	    wx_json_write_record(&w, rec->n, rec->key, rec->value, rec->len, &err) != WX_OK ||
	    wx_json_write_end(&w, &err) != WX_OK)
		abort();
	fclose(f);
	r = wx_json_reader_new(out, outlen, "rt.json");
	if (!r)
		abort();
	if (wx_json_read_record(r, &back, &err) != WX_OK || back.n != rec->n)
		abort();
	for (size_t i = 0; i < back.n; i++)
		if (strcmp(back.key[i], rec->key[i]) != 0 || back.len[i] != rec->len[i] ||
		    memcmp(back.value[i], rec->value[i], back.len[i]) != 0)
			abort();
	if (wx_json_read_record(r, &back, &err) != WX_ENOTFOUND)
		abort();
	wx_json_reader_free(r);
	free(out);
}

static uint64_t read_all(struct wx_json_reader *r, size_t size, int check_records)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	struct wx_json_record rec;
	struct wx_err err;
	size_t calls = 0;
	int rc;

	for (;;) {
		if (++calls > size + 2)
			abort();   /* a call that consumed nothing */
		wx_err_clear(&err);
		rc = wx_json_read_record(r, &rec, &err);
		mix(&h, &rc, sizeof rc);
		mix(&h, &rec.line, sizeof rec.line);
		if (rc == WX_ENOTFOUND)
			break;
		if (rc != WX_OK) {
			if (err.code != rc || rec.n != 0)
				abort();
			mix(&h, err.msg, strlen(err.msg));
			if (rc != WX_EDATA)
				break;
			continue;
		}
		for (size_t i = 0; i < rec.n; i++) {
			if (rec.value[i][rec.len[i]] != '\0' || memchr(rec.value[i], 0, rec.len[i]) ||
			    rec.key[i][0] == '\0' || rec.field_line[i] < rec.line)
				abort();
			for (size_t j = 0; j < i; j++)
				if (strcmp(rec.key[i], rec.key[j]) == 0)
					abort();
			mix(&h, rec.key[i], strlen(rec.key[i]) + 1);
			mix(&h, rec.value[i], rec.len[i]);
		}
		if (check_records)
			round_trip(&rec);
	}
	if (wx_json_read_record(r, &rec, &err) != WX_ENOTFOUND)
		abort();
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wx_json_reader *r = wx_json_reader_new(data, size, "fuzz.json");
	struct wx_err err;
	uint64_t hm, hf;
	FILE *f;

	if (!r)
		abort();
	hm = read_all(r, size, 1);
	wx_json_reader_free(r);

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		abort();
	wx_err_clear(&err);
	r = wx_json_reader_open(f, "fuzz.json", &err);
	fclose(f);
	if (!r)
		abort();
	wx_json_reader_set_fast_path(r, 0);
	hf = read_all(r, size, 0);
	wx_json_reader_free(r);
	if (hm != hf)
		abort();   /* the fast path read something differently */
	return 0;
}
