/* geo.c: the postcode lookup.
 * Value layout: s32 lat_e6 | s32 lon_e6 | u8 imd decile (0: none). */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/audit.h"
#include "wexmatch/csv.h"
#include "wexmatch/geo.h"
#include "wexmatch/keys.h"

size_t wx_geo_normalise(const char *s, size_t len, char out[16])
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t')
			continue;
		if (!isalnum(c) || c >= 0x80 || n >= 7)
			return 0;
		out[n++] = (char)toupper(c);
	}
	out[n] = '\0';
	/* an outward code (2-4) or a whole postcode (5-7), starting with a letter */
	if (n < 2 || !isalpha((unsigned char)out[0]))
		return 0;
	return n;
}

static int is_whole(const char *pc, size_t n)
{
	return n >= 5 && isdigit((unsigned char)pc[n - 3]) && isalpha((unsigned char)pc[n - 2]) &&
	       isalpha((unsigned char)pc[n - 1]);
}

static int get_point(struct wx_txn *t, const char *key, size_t n, struct wx_geo_point *out)
{
	struct wx_val v;
	int rc = wx_get(t, WX_TB_GEO, key, n, &v);

	if (rc != WX_OK)
		return rc;
	if (v.len != 9)
		return wx_txn_fail(t, WX_EDB, "the postcode lookup is damaged (run wexmatch check)");
	out->lat_e6 = (int32_t)wx_get_be32(v.data);
	out->lon_e6 = (int32_t)wx_get_be32((const unsigned char *)v.data + 4);
	out->imd = ((const unsigned char *)v.data)[8];
	return WX_OK;
}

int wx_geo_lookup(struct wx_txn *t, const char *postcode, struct wx_geo_point *out)
{
	char pc[16];
	size_t n = postcode ? wx_geo_normalise(postcode, strlen(postcode), pc) : 0;
	int rc;

	if (n == 0)
		return WX_ENOTFOUND;
	rc = get_point(t, pc, n, out);
	/* not there: the outward code (all but the last three characters) */
	if (rc == WX_ENOTFOUND && is_whole(pc, n))
		rc = get_point(t, pc, n - 3, out);
	return rc;
}

double wx_geo_km(const struct wx_geo_point *a, const struct wx_geo_point *b)
{
	const double r = 6371.0088, d = 3.14159265358979323846 / 180.0 / 1e6;
	double la1 = a->lat_e6 * d, la2 = b->lat_e6 * d;
	double dla = la2 - la1, dlo = (b->lon_e6 - (double)a->lon_e6) * d;
	double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);

	return 2 * r * asin(sqrt(h > 1 ? 1 : h));
}

/* A decimal such as -1.546601 as millionths, rounded half up at the 7th
 * place; within [-limit, limit] degrees.  No strtod: no locale, no NaN. */
static int parse_degrees(const char *s, size_t n, long limit, int32_t *out)
{
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0;
	long long v = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && isdigit((unsigned char)s[i]); i++, digits++)
		if ((v = v * 10 + (s[i] - '0')) > limit)
			return -1;
	v *= 1000000;
	if (i < n && s[i] == '.') {
		long long scale = 100000;

		for (i++; i < n && isdigit((unsigned char)s[i]); i++, frac++) {
			if (frac < 6)
				v += (s[i] - '0') * scale, scale /= 10;
			else if (frac == 6 && s[i] >= '5')
				v++;
		}
		if (frac == 0)
			return -1;
	}
	if (i != n || digits == 0 || v > limit * 1000000LL)
		return -1;
	*out = (int32_t)(neg ? -v : v);
	return 0;
}

struct geo_ctx {
	const char *name;
	const void *buf;
	size_t len;
	struct wx_geo_import_result *res;
	FILE *problems;
	char *ptext;
	size_t plen;
};

static int find_col(const struct wx_csv_row *h, const char *const *names)
{
	for (size_t i = 0; i < h->n; i++)
		for (const char *const *nm = names; *nm; nm++)
			if (strcasecmp(h->field[i], *nm) == 0)
				return (int)i;
	return -1;
}

static int import_fn(struct wx_txn *t, void *vctx)
{
	static const char *const pc_names[] = { "postcode", "pcds", "pcd", "pcd7", "pcd8", NULL };
	static const char *const lat_names[] = { "latitude", "lat", NULL };
	static const char *const lon_names[] = { "longitude", "long", "lon", NULL };
	static const char *const imd_names[] = { "imd_decile", "imd", NULL };
	struct geo_ctx *c = vctx;
	struct wx_csv_reader *r;
	struct wx_csv_row row;
	struct wx_err rerr;
	int pc = -1, la = -1, lo = -1, im = -1, first = 1, rc = WX_OK, bad = 0;

	if (c->problems)
		fclose(c->problems);
	free(c->ptext);
	c->ptext = NULL;
	memset(c->res, 0, sizeof *c->res);
	c->problems = open_memstream(&c->ptext, &c->plen);
	r = wx_csv_reader_new_mem(c->buf, c->len, c->name);
	if (!c->problems || !r) {
		wx_csv_reader_free(r);
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	}
	rc = wx_clear(t, WX_TB_GEO);
	while (rc == WX_OK) {
		unsigned char v[9];
		char key[16];
		int32_t lat, lon;
		long imd = 0;
		size_t kn;
		int rr;

		wx_err_clear(&rerr);
		rr = wx_csv_read_row(r, &row, &rerr);
		if (rr == WX_ENOTFOUND)
			break;
		if (rr != WX_OK) {
			fprintf(c->problems, "%s\n", rerr.msg);
			bad++;
			if (rr != WX_EDATA)
				break;
			continue;
		}
		if (first) {
			first = 0;
			pc = find_col(&row, pc_names);
			la = find_col(&row, lat_names);
			lo = find_col(&row, lon_names);
			im = find_col(&row, imd_names);
			if (pc < 0 || la < 0 || lo < 0) {
				fprintf(c->problems,
					"%s:%lu: the header needs postcode, latitude and longitude columns (expected such as postcode,latitude,longitude[,imd_decile], or the ONS pcds,lat,long)\n",
					c->name, row.line);
				bad++;
				break;
			}
			continue;
		}
		c->res->rows++;
		if ((size_t)pc >= row.n || (size_t)la >= row.n || (size_t)lo >= row.n) {
			fprintf(c->problems, "%s:%lu: %zu fields (expected as many as the header)\n",
				c->name, row.line, row.n);
			bad++;
			continue;
		}
		/* the ONS directory marks postcodes with no location by empty
		 * coordinates or 99.999999: they cannot be placed, so skip them */
		if (row.len[la] == 0 || row.len[lo] == 0 || strncmp(row.field[la], "99.9999", 7) == 0)
			continue;
		kn = wx_geo_normalise(row.field[pc], row.len[pc], key);
		if (kn == 0) {
			fprintf(c->problems, "%s:%lu: %s: not a postcode or outward code (expected such as LS6 2AB or LS6)\n",
				c->name, row.line, row.field[pc]);
			bad++;
			continue;
		}
		if (parse_degrees(row.field[la], row.len[la], 90, &lat) != 0 ||
		    parse_degrees(row.field[lo], row.len[lo], 180, &lon) != 0) {
			fprintf(c->problems, "%s:%lu: latitude/longitude: '%s,%s' (expected decimal degrees such as 53.8008,-1.5491)\n",
				c->name, row.line, row.field[la], row.field[lo]);
			bad++;
			continue;
		}
		if (im >= 0 && (size_t)im < row.n && row.len[im] > 0) {
			char *end;

			imd = strtol(row.field[im], &end, 10);
			if (*end != '\0' || imd < 1 || imd > 10) {
				fprintf(c->problems, "%s:%lu: imd_decile: '%s' (expected a whole number from 1 to 10)\n",
					c->name, row.line, row.field[im]);
				bad++;
				continue;
			}
		}
		wx_put_be32(v, (uint32_t)lat);
		wx_put_be32(v + 4, (uint32_t)lon);
		v[8] = (unsigned char)imd;
		rr = wx_put(t, WX_TB_GEO, key, kn, v, sizeof v, WX_PUT_NOOVERWRITE);
		if (rr == WX_EEXIST) {
			/* a repeated postcode: say so, and the transaction is lost anyway */
			fprintf(c->problems, "%s:%lu: %s: given twice (expected each postcode once)\n",
				c->name, row.line, key);
			bad++;
			break;
		}
		rc = rr;
		c->res->stored++;
	}
	wx_csv_reader_free(r);
	fflush(c->problems);
	c->res->problems = (unsigned long)bad;
	if (first && !bad) {
		fprintf(c->problems, "%s:1: no header row (expected postcode,latitude,longitude)\n", c->name);
		c->res->problems = 1;
	}
	if (rc != WX_OK)
		return rc;
	if (c->res->problems)
		return wx_txn_fail(t, WX_EDATA, "%s: nothing imported: %lu problem%s", c->name,
				   c->res->problems, c->res->problems == 1 ? "" : "s");
	return wx_audit_write(t, WX_AUDIT_GEO, WX_AUDIT_KIND_NONE, c->res->stored, NULL, 0);
}

int wx_geo_import(struct wx_store *s, const char *name, const void *buf, size_t len,
		  struct wx_geo_import_result *res, struct wx_err *err)
{
	struct geo_ctx c = { name, buf, len, res, NULL, NULL, 0 };
	int rc;

	memset(res, 0, sizeof *res);
	rc = wx_store_reserve(s, (uint64_t)len * 2, err);
	if (rc == WX_OK)
		rc = wx_store_write(s, import_fn, &c, err);
	if (c.problems)
		fclose(c.problems);
	res->problem_text = c.ptext;
	res->problem_len = c.ptext ? c.plen : 0;
	return rc;
}

void wx_geo_import_result_free(struct wx_geo_import_result *res)
{
	free(res->problem_text);
	memset(res, 0, sizeof *res);
}

struct count_ctx {
	uint64_t *n;
};

static int count_fn(struct wx_txn *t, void *vctx)
{
	struct count_ctx *c = vctx;

	return wx_count(t, WX_TB_GEO, c->n);
}

int wx_geo_count(struct wx_store *s, uint64_t *n, struct wx_err *err)
{
	struct count_ctx c = { n };

	return wx_store_read(s, count_fn, &c, err);
}
