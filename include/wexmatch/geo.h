/* geo.h: the postcode lookup.  A trust loads an extract of the ONS Postcode
 * Directory or Code-Point Open (both Open Government Licence) for its area:
 * a CSV with a postcode (or an outward code such as LS6) and its latitude
 * and longitude, optionally the English IMD decile of its area.  wexmatch
 * never downloads anything.  Distances are great-circle kilometres; a
 * postcode that is not in the lookup falls back to its outward code. */
#ifndef WEXMATCH_GEO_H
#define WEXMATCH_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/store.h"

struct wx_geo_point {
	int32_t lat_e6;   /* microdegrees */
	int32_t lon_e6;
	int imd;          /* 1..10, or 0 when not given */
};

/* A postcode in the lookup's form: letters upper-cased, spaces removed.
 * Returns the length written to out (at most 8 characters + NUL), 0 when
 * s is not shaped like a UK postcode or outward code. */
size_t wx_geo_normalise(const char *s, size_t len, char out[16]);

/* Look up a postcode (any spacing or case): the whole postcode, else its
 * outward code.  WX_OK or WX_ENOTFOUND. */
int wx_geo_lookup(struct wx_txn *t, const char *postcode, struct wx_geo_point *out);

/* Great-circle distance in kilometres (haversine, mean Earth radius). */
double wx_geo_km(const struct wx_geo_point *a, const struct wx_geo_point *b);

struct wx_geo_import_result {
	unsigned long rows, stored, problems;
	char *problem_text;    /* every problem, one a line (malloc'd) */
	size_t problem_len;
};

/* Import a CSV (header naming the columns postcode, latitude, longitude and
 * optionally imd_decile; the ONS names pcds/pcd, lat, long are accepted
 * too, other columns are ignored) in one transaction, all or nothing.  The
 * lookup is one dataset: an import replaces it whole.  Rows without a
 * location (the ONS directory's empty or 99.999999 coordinates) are
 * skipped.  Problems are FILE:LINE: COLUMN: what is wrong. */
int wx_geo_import(struct wx_store *s, const char *name, const void *buf, size_t len,
		  struct wx_geo_import_result *res, struct wx_err *err);
void wx_geo_import_result_free(struct wx_geo_import_result *res);

/* Number of postcodes and outward codes in the lookup. */
int wx_geo_count(struct wx_store *s, uint64_t *n, struct wx_err *err);

#endif
