/* fuzz-csv.c: libFuzzer target for the CSV reader and writer (csv.h).
 *
 * For any input:
 *   - reading it from memory ends, in at most one call per byte;
 *   - reading it from a file with small reads (4 to 32 bytes, chosen by the
 *     first byte) gives exactly the same rows, errors and messages;
 *   - every good row, written with wx_csv_write_row (all fields text) and
 *     read back and unneutralised, gives exactly the same fields.
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

#include "wexmatch/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a, to compare two reads without keeping them */
static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= UINT64_C(0x100000001b3);
	}
}

static void round_trip(const struct wx_csv_row *row)
{
	struct wx_csv_reader *r;
	struct wx_csv_row back;
	struct wx_err err;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		abort();
	if (wx_csv_write_row(f, row->n, (const char *const *)row->field, row->len, NULL) != WX_OK)
		abort();
	fclose(f);
	r = wx_csv_reader_new_mem(out, outlen, "rt.csv");
	if (!r)
		abort();
	wx_err_clear(&err);
	if (wx_csv_read_row(r, &back, &err) != WX_OK || back.n != row->n)
		abort();
	for (size_t i = 0; i < back.n; i++) {
		wx_csv_unneutralise(back.field[i], &back.len[i]);
		if (back.len[i] != row->len[i] ||
		    memcmp(back.field[i], row->field[i], back.len[i]) != 0)
			abort();
	}
	if (wx_csv_read_row(r, &back, &err) != WX_ENOTFOUND)
		abort();
	wx_csv_reader_free(r);
	free(out);
}

/* Read everything; returns a hash of what was read. */
static uint64_t read_all(struct wx_csv_reader *r, size_t size, int check_rows)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	struct wx_csv_row row;
	struct wx_err err;
	size_t calls = 0;
	int rc;

	for (;;) {
		if (++calls > size + 2)
			abort();   /* a call that consumed nothing */
		wx_err_clear(&err);
		rc = wx_csv_read_row(r, &row, &err);
		mix(&h, &rc, sizeof rc);
		mix(&h, &row.line, sizeof row.line);
		if (rc == WX_ENOTFOUND)
			break;
		if (rc != WX_OK) {
			if (err.code != rc || row.n != 0)
				abort();
			mix(&h, err.msg, strlen(err.msg));
			if (rc != WX_EDATA)
				break;
			continue;
		}
		mix(&h, &row.n, sizeof row.n);
		for (size_t i = 0; i < row.n; i++) {
			if (row.field[i][row.len[i]] != '\0' || memchr(row.field[i], 0, row.len[i]))
				abort();
			mix(&h, &row.len[i], sizeof row.len[i]);
			mix(&h, row.field[i], row.len[i]);
		}
		if (check_rows)
			round_trip(&row);
	}
	if (wx_csv_read_row(r, &row, &err) != WX_ENOTFOUND)
		abort();
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wx_csv_reader *r = wx_csv_reader_new_mem(data, size, "fuzz.csv");
	uint64_t hm, hf;
	FILE *f;

	if (!r)
		abort();
	hm = read_all(r, size, 1);
	wx_csv_reader_free(r);

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		abort();
	r = wx_csv_reader_new_bufsize(f, "fuzz.csv", 4 + data[0] % 29);
	if (!r)
		abort();
	hf = read_all(r, size, 0);
	wx_csv_reader_free(r);
	fclose(f);
	if (hm != hf)
		abort();   /* the read size changed what was read */
	return 0;
}
