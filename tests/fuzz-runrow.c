/* fuzz-runrow.c: the rows of a stored run (runstore.h) are read back from
 * the database, so a damaged file or a row written by a buggy build is
 * their decoders' input.
 *
 * The input is split into a key and a value: the first byte's low six bits
 * are the key's length (cut to what is there), its top two bits choose the
 * id buffer's size (256, 1, 9 or 64 bytes), the key follows and the rest is
 * the value.  The value is decoded as a candidate row, a placement row and
 * an ambassador row, each with the same key: no crash, no read outside the
 * key or the value (each is copied to a buffer of exactly its size), the id
 * a NUL-terminated string that fits the id buffer.  A row that decodes has
 * every string inside the value and NUL-terminated there; encoded again with
 * the matching *_encode it decodes to equal fields, and the encoding cut
 * short by any number of bytes is refused.  Any broken promise aborts.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined ... tests/fuzz-runrow.c
 *   ./fuzz-runrow tests/corpus/runrow
 *
 * tests/fuzz-replay.c runs the same function on every file it is given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/runstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t idcaps[4] = { 256, 1, 9, 64 };

/* s is a C string that ends inside [buf, buf + len) */
static void inside(const char *s, const void *buf, size_t len)
{
	const char *b = buf;

	if (!s || (uintptr_t)s < (uintptr_t)b || (uintptr_t)s >= (uintptr_t)b + len)
		abort();
	if (!memchr(s, '\0', len - (size_t)(s - b)))
		abort();
}

static void id_ok(const char *id, const char *idbuf, size_t idcap)
{
	if (id != idbuf || strlen(id) >= idcap)
		abort();
}

static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ---- candidate rows ---- */

static void run_row_strings(const struct wx_run_row *r, const void *buf, size_t len)
{
	inside(r->place_id, buf, len);
	for (uint32_t i = 0; i < r->nwhy_kept; i++)
		inside(r->why[i].place_id, buf, len);
}

static int run_row_eq(const struct wx_run_row *a, const struct wx_run_row *b)
{
	if (!str_eq(a->cand_id, b->cand_id) || !str_eq(a->place_id, b->place_id) ||
	    a->slot != b->slot || a->score != b->score || a->choice_rank != b->choice_rank ||
	    a->reason != b->reason || a->offered != b->offered || a->cf_placed != b->cf_placed ||
	    a->imd_from_geo != b->imd_from_geo || a->rank != b->rank || a->member != b->member ||
	    a->has_applied != b->has_applied || a->applied_s != b->applied_s ||
	    a->applied_ns != b->applied_ns || a->lottery != b->lottery || a->listed != b->listed ||
	    a->nrule != b->nrule || a->nwhy != b->nwhy || a->nwhy_kept != b->nwhy_kept)
		return 0;
	for (unsigned i = 0; i < a->nrule; i++)
		if (a->rule[i] != b->rule[i])
			return 0;
	for (uint32_t i = 0; i < a->nwhy_kept; i++)
		if (a->why[i].choice_rank != b->why[i].choice_rank || a->why[i].gate != b->why[i].gate ||
		    !str_eq(a->why[i].place_id, b->why[i].place_id))
			return 0;
	return 1;
}

static void check_run_row(const unsigned char *key, size_t kl, const unsigned char *val, size_t vl,
			  size_t idcap)
{
	struct wx_run_row r, r2;
	char idbuf[256], idbuf2[256];
	unsigned char *enc;
	size_t elen;

	if (wx_run_row_decode(key, kl, val, vl, &r, idbuf, idcap) != WX_OK)
		return;
	id_ok(r.cand_id, idbuf, idcap);
	if (r.nrule > 64 || r.nwhy_kept > WX_RUN_WHY_MAX)
		abort();
	run_row_strings(&r, val, vl);
	if (wx_run_row_encode(&r, &enc, &elen) != WX_OK)
		return;   /* out of memory */
	if (elen > vl || wx_run_row_decode(key, kl, enc, elen, &r2, idbuf2, idcap) != WX_OK)
		abort();
	run_row_strings(&r2, enc, elen);
	if (!run_row_eq(&r, &r2))
		abort();
	for (size_t cut = 0; cut < elen; cut++)
		if (wx_run_row_decode(key, kl, enc, cut, &r2, idbuf2, idcap) != WX_EDATA)
			abort();
	free(enc);
}

/* ---- placement rows ---- */

static int place_row_eq(const struct wx_run_place_row *a, const struct wx_run_place_row *b)
{
	if (!str_eq(a->place_id, b->place_id) || a->capacity != b->capacity || a->nkind != b->nkind)
		return 0;
	for (uint32_t k = 0; k < a->nkind; k++) {
		const struct wx_run_kind_row *x = &a->kind[k], *y = &b->kind[k];

		if (x->seats != y->seats || x->held != y->held || x->cutoff != y->cutoff ||
		    x->cutoff_score != y->cutoff_score || x->cutoff_has_applied != y->cutoff_has_applied ||
		    x->cutoff_applied_s != y->cutoff_applied_s || x->spare_cutoff != y->spare_cutoff ||
		    x->spare_score != y->spare_score || x->spare_has_applied != y->spare_has_applied ||
		    x->spare_applied_s != y->spare_applied_s)
			return 0;
	}
	return 1;
}

static void check_place_row(const unsigned char *key, size_t kl, const unsigned char *val, size_t vl,
			    size_t idcap)
{
	struct wx_run_place_row r, r2;
	char idbuf[256], idbuf2[256];
	unsigned char *enc;
	size_t elen;

	if (wx_run_place_row_decode(key, kl, val, vl, &r, idbuf, idcap) != WX_OK)
		return;
	id_ok(r.place_id, idbuf, idcap);
	if (r.nkind > WX_MATCH_MAX_CATEGORIES + 1)
		abort();
	if (wx_run_place_row_encode(&r, &enc, &elen) != WX_OK)
		return;
	if (elen > vl || wx_run_place_row_decode(key, kl, enc, elen, &r2, idbuf2, idcap) != WX_OK)
		abort();
	if (!place_row_eq(&r, &r2))
		abort();
	for (size_t cut = 0; cut < elen; cut++)
		if (wx_run_place_row_decode(key, kl, enc, cut, &r2, idbuf2, idcap) != WX_EDATA)
			abort();
	free(enc);
}

/* ---- ambassador rows ---- */

static int amb_row_eq(const struct wx_amb_row *a, const struct wx_amb_row *b)
{
	return str_eq(a->request_id, b->request_id) && a->k == b->k &&
	       str_eq(a->ambassador_id, b->ambassador_id) && a->tier == b->tier &&
	       a->distance_m == b->distance_m && a->reason == b->reason;
}

static void check_amb_row(const unsigned char *key, size_t kl, const unsigned char *val, size_t vl,
			  size_t idcap)
{
	struct wx_amb_row r, r2;
	char idbuf[256], idbuf2[256];
	unsigned char *enc;
	size_t elen;

	if (wx_amb_row_decode(key, kl, val, vl, &r, idbuf, idcap) != WX_OK)
		return;
	id_ok(r.request_id, idbuf, idcap);
	if (kl < 13)
		abort();   /* no room for the place number */
	inside(r.ambassador_id, val, vl);
	if (wx_amb_row_encode(&r, &enc, &elen) != WX_OK)
		return;
	if (elen > vl || wx_amb_row_decode(key, kl, enc, elen, &r2, idbuf2, idcap) != WX_OK)
		abort();
	inside(r2.ambassador_id, enc, elen);
	if (!amb_row_eq(&r, &r2))
		abort();
	for (size_t cut = 0; cut < elen; cut++)
		if (wx_amb_row_decode(key, kl, enc, cut, &r2, idbuf2, idcap) != WX_EDATA)
			abort();
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t kl, vl, idcap;
	unsigned char *key, *val;

	if (size == 0)
		return 0;
	kl = data[0] & 63;
	if (kl > size - 1)
		kl = size - 1;
	idcap = idcaps[data[0] >> 6];
	vl = size - 1 - kl;
	/* copies of exactly their sizes, so a read past either end is caught */
	key = malloc(kl ? kl : 1);
	val = malloc(vl ? vl : 1);
	if (!key || !val) {
		free(key);
		free(val);
		return 0;
	}
	memcpy(key, data + 1, kl);
	memcpy(val, data + 1 + kl, vl);
	check_run_row(key, kl, val, vl, idcap);
	check_place_row(key, kl, val, vl, idcap);
	check_amb_row(key, kl, val, vl, idcap);
	free(key);
	free(val);
	return 0;
}
