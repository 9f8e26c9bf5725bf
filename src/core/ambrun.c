/* ambrun.c: an ambassador match run on a store's data (ambrun.h). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/ambrun.h"
#include "wexmatch/geo.h"
#include "wexmatch/record.h"
#include "wexmatch/values.h"

struct amb {
	char *id;
	int located;
	int32_t lat, lon;
	int max_km;               /* -1: no limit */
	int virtual_ok, trained;
	int64_t dbs_until;        /* day, INT64_MIN when none */
	uint32_t max_events;
	int64_t *dates;           /* sorted; NULL/0: any */
	size_t ndates;
	uint64_t *prof;           /* bitset */
};

struct req {
	char *id;
	int located;
	int32_t lat, lon;
	int virtual_;
	int64_t day;
	int tier;
	uint32_t places;
	uint64_t *prof;           /* bitset; all zero: any */
	int any_prof;
};

struct priv {
	struct amb *a;
	size_t na, acap;
	struct req *r;
	size_t nr, rcap;
	size_t words;             /* of each bitset */
	const struct wx_choices *profs;
	const struct wx_policy *policy;
	struct wx_amb_request *req;
	struct wx_amb_ambassador *amb;
	struct wx_amb_pair *pair;
	size_t npair, pcap;
};

static int eq(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(v, w, n) == 0;
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int small_int(const char *v, size_t n, int *out)
{
	int64_t x;
	if (!n || wx_parse_int(v, n, &x) != WX_OK || x < 0 || x > INT_MAX)
		return 0;
	*out = (int)x;
	return 1;
}

static int day_of(const char *v, size_t n, int64_t *out)
{
	int y, m, d;
	if (!n || wx_parse_date(v, n, &y, &m, &d) != WX_OK)
		return 0;
	*out = wx_days_from_civil(y, m, d);
	return 1;
}

static void locate(struct wx_txn *t, int geo, const char *v, size_t n, int *located,
		   int32_t *lat, int32_t *lon, int *imd)
{
	char pc[64];
	struct wx_geo_point pt;

	*located = 0;
	*imd = 0;
	if (!geo || !n || n >= sizeof pc)
		return;
	memcpy(pc, v, n);
	pc[n] = '\0';
	if (wx_geo_lookup(t, pc, &pt) != WX_OK)
		return;
	*located = 1;
	*lat = pt.lat_e6;
	*lon = pt.lon_e6;
	*imd = pt.imd;
}

/* Set the profession bits of a ';'-separated list; returns how many. */
static int prof_bits(const struct priv *P, const char *v, size_t n, uint64_t *bits)
{
	const char *p = v, *end = v + n;
	int count = 0;

	while (n && p <= end) {
		const char *e = memchr(p, ';', (size_t)(end - p));
		if (!e)
			e = end;
		const struct wx_choice *c = P->profs ? wx_choices_find(P->profs, p, (size_t)(e - p)) : NULL;
		if (c) {
			size_t k = (size_t)(c - P->profs->v);
			bits[k / 64] |= UINT64_C(1) << (k % 64);
			count++;
		}
		p = e + 1;
	}
	return count;
}

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

struct read_ctx {
	struct wx_amb_run *w;
	struct priv *P;
};

#define FIELD(name_, var) if (eq(name, nlen, name_)) { var = val; var##_n = vlen; continue; }

static int read_ambassadors(struct wx_txn *t, struct read_ctx *c)
{
	struct priv *P = c->P;
	struct wx_amb_run *w = c->w;
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc = wx_cursor_open(t, wx_tb_records(WX_KIND_AMBASSADOR), NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		const char *name, *val;
		size_t nlen, vlen;
		const char *id = NULL, *st = NULL, *pr = NULL, *pc = NULL, *mk = NULL, *vo = NULL,
			   *ad = NULL, *me = NULL, *dbs = NULL, *tr = NULL;
		size_t id_n = 0, st_n = 0, pr_n = 0, pc_n = 0, mk_n = 0, vo_n = 0, ad_n = 0, me_n = 0,
		       dbs_n = 0, tr_n = 0;

		if (wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			return wx_txn_fail(t, WX_EDATA, "an ambassador record is damaged");
		while ((rc = wx_record_iter_next(&it, &name, &nlen, &val, &vlen)) == WX_OK) {
			FIELD("id", id)
			FIELD("status", st)
			FIELD("professions", pr)
			FIELD("base_postcode", pc)
			FIELD("max_travel_km", mk)
			FIELD("virtual_ok", vo)
			FIELD("available_dates", ad)
			FIELD("max_events", me)
			FIELD("dbs_expires", dbs)
			FIELD("training_done", tr)
		}
		if (rc != WX_ENOTFOUND || !id_n)
			return wx_txn_fail(t, WX_EDATA, "an ambassador record is damaged");
		rc = WX_OK;
		if (!eq(st, st_n, "active"))
			continue;
		if (P->na == P->acap) {
			size_t nc = P->acap ? P->acap * 2 : 256;
			struct amb *q = realloc(P->a, nc * sizeof *q);
			if (!q)
				return wx_txn_fail(t, WX_ENOMEM, "out of memory");
			P->a = q;
			P->acap = nc;
		}
		struct amb *a = &P->a[P->na];
		int imd, x;

		memset(a, 0, sizeof *a);
		a->id = dupn(id, id_n);
		a->prof = calloc(P->words, sizeof *a->prof);
		P->na++;
		if (!a->id || !a->prof)
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		prof_bits(P, pr, pr_n, a->prof);
		locate(t, w->geo_loaded, pc, pc_n, &a->located, &a->lat, &a->lon, &imd);
		if (w->geo_loaded && !a->located)
			w->amb_not_located++;
		a->max_km = -1;
		if (mk_n && !small_int(mk, mk_n, &a->max_km)) {
			a->max_km = -1;
			w->unreadable++;
		}
		a->virtual_ok = eq(vo, vo_n, "yes");
		a->trained = eq(tr, tr_n, "yes");
		a->dbs_until = INT64_MIN;
		if (dbs_n && !day_of(dbs, dbs_n, &a->dbs_until))
			w->unreadable++;
		a->max_events = 1;
		if (me_n) {
			if (small_int(me, me_n, &x))
				a->max_events = (uint32_t)x;
			else
				w->unreadable++;
		}
		if (ad_n) {
			size_t cnt = 1;
			for (size_t i = 0; i < ad_n; i++)
				cnt += ad[i] == ';';
			if (!(a->dates = malloc(cnt * sizeof *a->dates)))
				return wx_txn_fail(t, WX_ENOMEM, "out of memory");
			const char *p = ad, *end = ad + ad_n;
			while (p <= end) {
				const char *e = memchr(p, ';', (size_t)(end - p));
				if (!e)
					e = end;
				int64_t d;
				if (day_of(p, (size_t)(e - p), &d))
					a->dates[a->ndates++] = d;
				else if (e > p)
					w->unreadable++;
				p = e + 1;
			}
			/* dates given but none readable: a->dates is set and
			 * empty, so no date matches (not "any date") */
			qsort(a->dates, a->ndates, sizeof *a->dates, cmp_day);
		}
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int request_tier(struct wx_txn *t, struct read_ctx *c, const struct wx_val *v, int imd,
			int has_imd, int *tier)
{
	int rc;

	if (imd > 0 && !has_imd) {
		unsigned char *buf = NULL;
		size_t len = 0;
		char d[16];

		snprintf(d, sizeof d, "%d", imd);
		rc = wx_record_with_field(v->data, v->len, "imd_decile", d, &buf, &len);
		if (rc == WX_OK)
			rc = wx_policy_tier(c->P->policy, buf, len, tier);
		free(buf);
		if (rc == WX_OK)
			c->w->imd_filled++;
		return rc == WX_ENOMEM ? wx_txn_fail(t, rc, "out of memory") :
			rc != WX_OK ? wx_txn_fail(t, WX_EDATA, "a request record is damaged") : WX_OK;
	}
	if (wx_policy_tier(c->P->policy, v->data, v->len, tier) != WX_OK)
		return wx_txn_fail(t, WX_EDATA, "a request record is damaged");
	return WX_OK;
}

static int read_requests(struct wx_txn *t, struct read_ctx *c)
{
	struct priv *P = c->P;
	struct wx_amb_run *w = c->w;
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc = wx_cursor_open(t, wx_tb_records(WX_KIND_REQUEST), NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		const char *name, *val;
		size_t nlen, vlen;
		const char *id = NULL, *st = NULL, *pc = NULL, *im = NULL, *dt = NULL, *vi = NULL,
			   *pr = NULL, *ne = NULL;
		size_t id_n = 0, st_n = 0, pc_n = 0, im_n = 0, dt_n = 0, vi_n = 0, pr_n = 0, ne_n = 0;

		if (wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			return wx_txn_fail(t, WX_EDATA, "a request record is damaged");
		while ((rc = wx_record_iter_next(&it, &name, &nlen, &val, &vlen)) == WX_OK) {
			FIELD("id", id)
			FIELD("status", st)
			FIELD("postcode", pc)
			FIELD("imd_decile", im)
			FIELD("date", dt)
			FIELD("virtual", vi)
			FIELD("professions", pr)
			FIELD("ambassadors_needed", ne)
		}
		if (rc != WX_ENOTFOUND || !id_n)
			return wx_txn_fail(t, WX_EDATA, "a request record is damaged");
		rc = WX_OK;
		if (st_n && !eq(st, st_n, "open"))
			continue;
		if (P->nr == P->rcap) {
			size_t nc = P->rcap ? P->rcap * 2 : 256;
			struct req *q = realloc(P->r, nc * sizeof *q);
			if (!q)
				return wx_txn_fail(t, WX_ENOMEM, "out of memory");
			P->r = q;
			P->rcap = nc;
		}
		struct req *r = &P->r[P->nr];
		int imd, x;

		memset(r, 0, sizeof *r);
		r->id = dupn(id, id_n);
		r->prof = calloc(P->words, sizeof *r->prof);
		P->nr++;
		if (!r->id || !r->prof)
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		r->any_prof = prof_bits(P, pr, pr_n, r->prof) == 0;
		locate(t, w->geo_loaded, pc, pc_n, &r->located, &r->lat, &r->lon, &imd);
		r->virtual_ = eq(vi, vi_n, "yes");
		if (w->geo_loaded && !r->located && !r->virtual_)
			w->req_not_located++;
		r->day = INT64_MIN;
		if (!day_of(dt, dt_n, &r->day) && dt_n)
			w->unreadable++;
		if (ne_n && small_int(ne, ne_n, &x))
			r->places = (uint32_t)x > WX_AMB_MAX_PLACES ? WX_AMB_MAX_PLACES : (uint32_t)x;
		else if (ne_n)
			w->unreadable++;
		(void)im;
		if ((rc = request_tier(t, c, &v, imd, im_n > 0, &r->tier)) != WX_OK)
			return rc;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static void free_people(struct priv *P)
{
	for (size_t i = 0; i < P->na; i++) {
		free(P->a[i].id);
		free(P->a[i].dates);
		free(P->a[i].prof);
	}
	for (size_t i = 0; i < P->nr; i++) {
		free(P->r[i].id);
		free(P->r[i].prof);
	}
	P->na = P->nr = 0;
}

static int read_fn(struct wx_txn *t, void *vctx)
{
	struct read_ctx *c = vctx;
	uint64_t ngeo = 0;
	int rc;

	free_people(c->P);
	c->w->amb_not_located = c->w->req_not_located = c->w->imd_filled = c->w->unreadable = 0;
	if ((rc = wx_count(t, WX_TB_GEO, &ngeo)) != WX_OK)
		return rc;
	c->w->geo_loaded = ngeo > 0;
	if ((rc = read_ambassadors(t, c)) != WX_OK)
		return rc;
	return read_requests(t, c);
}

static int cmp_amb(const void *a, const void *b)
{
	return strcmp(((const struct amb *)a)->id, ((const struct amb *)b)->id);
}

static int cmp_req(const void *a, const void *b)
{
	return strcmp(((const struct req *)a)->id, ((const struct req *)b)->id);
}

static int has_date(const struct amb *a, int64_t day)
{
	size_t lo = 0, hi = a->ndates;

	if (!a->dates)
		return 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->dates[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->ndates && a->dates[lo] == day;
}

int wx_amb_run_prepare(struct wx_store *s, const struct wx_forms *forms,
		       const struct wx_policy *policy, wx_run_progress_fn progress, void *pctx,
		       struct wx_amb_run *w, struct wx_err *err)
{
	struct priv *P;
	struct read_ctx c;
	const struct wx_form_field *ff;
	int rc;

	memset(w, 0, sizeof *w);
	if (!(P = calloc(1, sizeof *P)))
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	w->priv_ = P;
	P->policy = policy;
	ff = forms && forms->form[WX_KIND_AMBASSADOR] ?
		wx_form_find(forms->form[WX_KIND_AMBASSADOR], "professions") : NULL;
	P->profs = ff ? ff->choices : NULL;
	P->words = P->profs ? (P->profs->n + 63) / 64 : 0;
	if (!P->words)
		P->words = 1;
	c.w = w;
	c.P = P;
	if (progress)
		progress(pctx, "reading ambassadors and requests", 0, 0);
	if ((rc = wx_store_read(s, read_fn, &c, err)) != WX_OK)
		return rc;
	qsort(P->a, P->na, sizeof *P->a, cmp_amb);
	qsort(P->r, P->nr, sizeof *P->r, cmp_req);
	w->namb = P->na;
	w->nreq = P->nr;
	w->amb_id = malloc((P->na ? P->na : 1) * sizeof *w->amb_id);
	w->req_id = malloc((P->nr ? P->nr : 1) * sizeof *w->req_id);
	P->amb = malloc((P->na ? P->na : 1) * sizeof *P->amb);
	P->req = malloc((P->nr ? P->nr : 1) * sizeof *P->req);
	if (!w->amb_id || !w->req_id || !P->amb || !P->req)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	for (size_t i = 0; i < P->na; i++) {
		w->amb_id[i] = P->a[i].id;
		P->amb[i].max_events = P->a[i].max_events;
	}
	for (size_t i = 0; i < P->nr; i++) {
		w->req_id[i] = P->r[i].id;
		P->req[i].tier = (unsigned)P->r[i].tier;
		/* the engine compares dates for equality only */
		P->req[i].date = P->r[i].day == INT64_MIN ? INT32_MIN :
			(int32_t)(P->r[i].day > INT32_MAX ? INT32_MAX : P->r[i].day);
		P->req[i].places = P->r[i].places;
		if (P->r[i].tier >= 1 && P->r[i].tier <= 3)
			w->places[P->r[i].tier - 1] += P->r[i].places;
	}
	/* the eligible pairs (section 1) */
	if (progress)
		progress(pctx, "finding eligible pairs", 0, 0);
	uint8_t *known = NULL;
	for (size_t ri = 0; ri < P->nr; ri++) {
		const struct req *r = &P->r[ri];

		if (!r->places || r->day == INT64_MIN)
			continue;
		for (size_t ai = 0; ai < P->na; ai++) {
			const struct amb *a = &P->a[ai];
			uint32_t dist = 0;
			int dk = 1;

			if (!a->max_events)
				continue;
			if (!r->any_prof) {
				size_t q;
				for (q = 0; q < P->words && !(a->prof[q] & r->prof[q]); q++)
					;
				if (q == P->words)
					continue;
			}
			if (!has_date(a, r->day))
				continue;
			if (r->virtual_) {
				if (!a->virtual_ok)
					continue;
			} else {
				if (!a->trained || a->dbs_until == INT64_MIN || a->dbs_until < r->day)
					continue;
				if (a->located && r->located) {
					struct wx_geo_point x = { a->lat, a->lon, 0 }, y = { r->lat, r->lon, 0 };
					double km = wx_geo_km(&x, &y);
					if (a->max_km >= 0 && km > a->max_km)
						continue;
					double m = km * 1000.0 + 0.5;
					dist = m >= WX_AMB_MAX_DISTANCE ? WX_AMB_MAX_DISTANCE : (uint32_t)m;
				} else {
					dk = 0;
					if (a->max_km >= 0 && w->geo_loaded)
						w->distance_skipped++;
				}
			}
			if (P->npair == P->pcap) {
				size_t nc = P->pcap ? P->pcap * 2 : 4096;
				struct wx_amb_pair *q = realloc(P->pair, nc * sizeof *q);
				uint8_t *kq;

				if (q)
					P->pair = q;
				kq = q ? realloc(known, nc) : NULL;
				if (!kq) {
					w->dist_known = known;
					return wx_err_set(err, WX_ENOMEM, "out of memory");
				}
				known = kq;
				P->pcap = nc;
			}
			P->pair[P->npair].amb = (uint32_t)ai;
			P->pair[P->npair].req = (uint32_t)ri;
			P->pair[P->npair].distance = dist;
			known[P->npair] = (uint8_t)dk;
			P->npair++;
		}
	}
	w->dist_known = known;
	w->in.nreq = P->nr;
	w->in.req = P->req;
	w->in.namb = P->na;
	w->in.amb = P->amb;
	w->in.npair = P->npair;
	w->in.pair = P->pair;
	return WX_OK;
}

int wx_amb_run_match(struct wx_amb_run *w, struct wx_err *err)
{
	int rc = wx_amb_run(&w->in, &w->res, err);

	w->ran = rc == WX_OK;
	return rc;
}

void wx_amb_run_free(struct wx_amb_run *w)
{
	struct priv *P = w->priv_;

	wx_amb_result_free(&w->res);
	if (P) {
		free_people(P);
		free(P->a);
		free(P->r);
		free(P->req);
		free(P->amb);
		free(P->pair);
		free(P);
	}
	free(w->req_id);
	free(w->amb_id);
	free(w->dist_known);
	memset(w, 0, sizeof *w);
}

const char *wx_amb_run_place(const struct wx_amb_run *w, size_t r, uint32_t k, int64_t *pair,
			     int *reason)
{
	*pair = -1;
	*reason = wx_amb_place_reason(&w->in, &w->res, r, k);
	if (k < w->res.got[r]) {
		uint32_t p = w->res.pair[w->res.first[r] + k];
		*pair = p;
		return w->amb_id[w->in.pair[p].amb];
	}
	return NULL;
}
