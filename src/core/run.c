/* run.c: a work-experience match run on a store's data (run.h).
 *
 * One read transaction reads the placements, then every candidate record
 * once (zero-copy, one walk over each record's fields), keeping only what
 * the gates and preference lists need.  The transaction ends before the
 * engine runs: nothing here holds LMDB pages while computing. */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/geo.h"
#include "wexmatch/record.h"
#include "wexmatch/run.h"
#include "wexmatch/values.h"

#define GATED_MAX 20   /* failed entries passed per list (explanations:
                        * WX_RUN_WHY_MAX are kept) */
#define UNDATED_KEY INT_MAX

/* ---- small tools ---- */

/* Strings for the run's lifetime, in blocks. */
struct arena {
	char **block;
	size_t nblock, used, size;
};

static char *arena_dup(struct arena *a, const char *s, size_t n)
{
	if (!a->nblock || a->used + n + 1 > a->size) {
		size_t sz = n + 1 > 1u << 20 ? n + 1 : 1u << 20;
		char **nb = realloc(a->block, (a->nblock + 1) * sizeof *nb);

		if (!nb)
			return NULL;
		a->block = nb;
		if (!(nb[a->nblock] = malloc(sz)))
			return NULL;
		a->nblock++;
		a->used = 0;
		a->size = sz;
	}
	char *p = a->block[a->nblock - 1] + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->nblock; i++)
		free(a->block[i]);
	free(a->block);
}

/* Grow an array to hold n + more elements. */
static int grow(void *pp, size_t *cap, size_t n, size_t more, size_t elem)
{
	void **p = pp;

	if (n + more <= *cap)
		return WX_OK;
	size_t nc = *cap ? *cap : 64;
	while (nc < n + more)
		nc *= 2;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return WX_ENOMEM;
	*p = q;
	*cap = nc;
	return WX_OK;
}

/* A 64-bit hash of bytes (FNV-1a then a final mix): for the id table and
 * the history set, not for security. */
static uint64_t hash_bytes(uint64_t h, const void *s, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

#define FNV0 UINT64_C(0xcbf29ce484222325)

/* Open addressing: id -> index + 1 (0 empty). */
struct idmap {
	size_t cap, n;
	uint32_t *slot;
	uint32_t *tag;     /* the high bits of each slot's hash: most probes
	                    * that miss never touch the id string */
};

static int idmap_find(const struct idmap *m, const struct wx_run_place *pl, const char *s,
		      size_t n, uint32_t *out)
{
	if (!m->cap)
		return 0;
	uint64_t h = mix64(hash_bytes(FNV0, s, n));
	uint32_t tag = (uint32_t)(h >> 32);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		uint32_t v = m->slot[i];
		if (!v)
			return 0;
		if (m->tag[i] != tag)
			continue;
		const char *id = pl[v - 1].id;
		if (memcmp(id, s, n) == 0 && id[n] == '\0') {
			*out = v - 1;
			return 1;
		}
	}
}

static void idmap_put(uint32_t *slot, uint32_t *tags, size_t cap, uint64_t h, uint32_t v)
{
	size_t i = h & (cap - 1);
	while (slot[i])
		i = (i + 1) & (cap - 1);
	slot[i] = v;
	tags[i] = (uint32_t)(h >> 32);
}

static int idmap_add(struct idmap *m, const struct wx_run_place *pl, uint32_t idx)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		uint32_t *ns = calloc(nc, sizeof *ns), *nt = calloc(nc, sizeof *nt);

		if (!ns || !nt) {
			free(ns);
			free(nt);
			return WX_ENOMEM;
		}
		for (size_t j = 0; j < m->cap; j++) {
			uint32_t v = m->slot[j];
			if (!v)
				continue;
			const char *id = pl[v - 1].id;
			idmap_put(ns, nt, nc, mix64(hash_bytes(FNV0, id, strlen(id))), v);
		}
		free(m->slot);
		free(m->tag);
		m->slot = ns;
		m->tag = nt;
		m->cap = nc;
	}
	const char *id = pl[idx].id;
	idmap_put(m->slot, m->tag, m->cap, mix64(hash_bytes(FNV0, id, strlen(id))), idx + 1);
	m->n++;
	return WX_OK;
}

/* A set of nonzero 64-bit keys. */
struct keyset {
	size_t cap, n;
	uint64_t *k;
};

static int keyset_add(struct keyset *s, uint64_t key)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		uint64_t *nk = calloc(nc, sizeof *nk);

		if (!nk)
			return WX_ENOMEM;
		for (size_t j = 0; j < s->cap; j++)
			if (s->k[j]) {
				size_t i = mix64(s->k[j]) & (nc - 1);
				while (nk[i])
					i = (i + 1) & (nc - 1);
				nk[i] = s->k[j];
			}
		free(s->k);
		s->k = nk;
		s->cap = nc;
	}
	size_t i = mix64(key) & (s->cap - 1);
	while (s->k[i] && s->k[i] != key)
		i = (i + 1) & (s->cap - 1);
	if (!s->k[i]) {
		s->k[i] = key;
		s->n++;
	}
	return WX_OK;
}

static int keyset_has(const struct keyset *s, uint64_t key)
{
	if (!s->cap)
		return 0;
	for (size_t i = mix64(key) & (s->cap - 1); s->k[i]; i = (i + 1) & (s->cap - 1))
		if (s->k[i] == key)
			return 1;
	return 0;
}

/* ---- what the run keeps of each candidate ---- */

struct cinfo {
	int by, bm, bd;            /* date of birth, by 0 when unknown */
	int located;
	int32_t lat, lon;
	int max_km;                /* -1: no limit given */
	uint32_t weeks_first, nweeks;   /* week keys in P->weeks */
	uint32_t int_first, nint;       /* profession indices in P->ints */
	uint32_t ch_first, nch;         /* place_all indices in P->chs */
	uint64_t person[2];        /* e-mail and name+birth keys, 0 when none */
};

/* What probing a session's cut lists needs (prof_thresholds), one per
 * session so that the two can run at once. */
struct probe_state {
	uint32_t *prof_max;        /* probing thresholds (prof_thresholds) */
	/* max-trees over the thresholds in by_day and by_week order, for a
	 * non-member [0] and for a member of any category [1] */
	uint32_t *tree_day[2], *tree_week[2];
	size_t tree_size;
	size_t prof_w;
	uint32_t *free_first, *free_list, *free_fill;   /* placements with a free seat */
};

struct priv {
	struct arena strings;
	struct idmap ids;
	size_t place_cap;
	struct cinfo *ci;
	size_t ci_cap;
	int *weeks;
	size_t nweeks, weeks_cap;
	int *ints;
	size_t nints, ints_cap;
	uint32_t *chs;
	size_t nchs, chs_cap;
	uint16_t *rules;
	size_t nrules, rules_cap;
	/* the entries passed to the engine, with their true positions and
	 * the place_all index they name */
	struct wx_match_choice *ent;
	uint32_t *pos, *all;
	size_t nent, ent_cap;
	/* taking-part placements per profession, in two orders */
	size_t nprof;
	uint32_t *prof_first;      /* nprof + 1 offsets */
	uint32_t *by_week;         /* (week_key, day, id) */
	uint32_t *by_day;          /* (day, id) */
	uint64_t *phash;           /* hash of each place_all id, for the digest */
	struct listref *ref[2];    /* each candidate's list in the run [0] and the
	                            * counterfactual [1] */
	struct wx_match_cand *cf_cand;   /* the counterfactual's engine input */
	const uint32_t *place_of;  /* w->place_of */
	struct probe_state ps[2];  /* per session: the run [0], the counterfactual [1] */
	/* (person, year) of confirmed or completed placements */
	struct keyset history;
	/* placements' civil start dates */
	int *py, *pm, *pd;
	struct wx_match_cand *cand;
	struct wx_match_place *place;
	int32_t *engine_of;        /* place_all index -> engine index or -1 */
	const struct wx_choices *profs;
	size_t limit;
	int64_t today;
	const struct wx_policy *policy;
	int32_t *cf_place;
};

/* ---- reading ---- */

static int field_is(const char *name, size_t nlen, const char *want)
{
	size_t n = strlen(want);
	return nlen == n && memcmp(name, want, n) == 0;
}

static int value_is(const char *v, size_t n, const char *want)
{
	size_t m = strlen(want);
	return n == m && memcmp(v, want, m) == 0;
}

static int parse_day(const char *v, size_t n, int64_t *day, int *y, int *m, int *d)
{
	int yy, mm, dd;

	if (!v || !n || wx_parse_date(v, n, &yy, &mm, &dd) != WX_OK)
		return 0;
	if (day)
		*day = wx_days_from_civil(yy, mm, dd);
	if (y) {
		*y = yy;
		*m = mm;
		*d = dd;
	}
	return 1;
}

static int parse_small_int(const char *v, size_t n, int *out)
{
	int64_t x;

	if (!v || !n || wx_parse_int(v, n, &x) != WX_OK || x < 0 || x > INT_MAX)
		return 0;
	*out = (int)x;
	return 1;
}

/* The ISO week key (year * 64 + week) of a day. */
static int week_key_of(int64_t day)
{
	int64_t wd = ((day + 3) % 7 + 7) % 7;   /* Monday 0; 1970-01-01 was a Thursday */
	int64_t thursday = day - wd + 3;
	int y, m, d;

	wx_civil_from_days(thursday, &y, &m, &d);
	int64_t jan1 = wx_days_from_civil(y, 1, 1);
	return y * 64 + (int)((thursday - jan1) / 7 + 1);
}

static void locate(struct wx_txn *t, int geo, const char *v, size_t n, int *located,
		   int32_t *lat, int32_t *lon, int *imd)
{
	char pc[64];
	struct wx_geo_point pt;

	*located = 0;
	if (imd)
		*imd = 0;
	if (!geo || !v || !n || n >= sizeof pc)
		return;
	memcpy(pc, v, n);
	pc[n] = '\0';
	if (wx_geo_lookup(t, pc, &pt) != WX_OK)
		return;
	*located = 1;
	*lat = pt.lat_e6;
	*lon = pt.lon_e6;
	if (imd)
		*imd = pt.imd;
}

static int prof_index(const struct priv *P, const char *v, size_t n)
{
	const struct wx_choice *c = P->profs ? wx_choices_find(P->profs, v, n) : NULL;
	return c ? (int)(c - P->profs->v) : -1;
}

struct read_ctx {
	struct wx_run *w;
	struct priv *P;
	const struct wx_run_opts *o;
	struct wx_err *err;
	size_t ncand, cand_cap, rc_cap;
	struct wx_match_cand *cand;
	struct wx_run_cand *rc;
};

static int add_place(struct wx_run *w, struct priv *P, const char *id, size_t n, uint32_t *idx)
{
	if (grow(&w->place_all, &P->place_cap, w->nplace_all, 1, sizeof *w->place_all))
		return WX_ENOMEM;
	struct wx_run_place *p = &w->place_all[w->nplace_all];
	memset(p, 0, sizeof *p);
	if (!(p->id = arena_dup(&P->strings, id, n)))
		return WX_ENOMEM;
	p->day = INT64_MIN;
	p->min_age = -1;
	p->prof = -1;
	*idx = (uint32_t)w->nplace_all++;
	return idmap_add(&P->ids, w->place_all, *idx);
}

static void progress(const struct read_ctx *c, const char *stage, uint64_t done, uint64_t total)
{
	if (c->o->progress)
		c->o->progress(c->o->pctx, stage, done, total);
}

static int read_placements(struct wx_txn *t, struct read_ctx *c)
{
	struct wx_run *w = c->w;
	struct priv *P = c->P;
	struct wx_cursor *cur;
	struct wx_val k, v;
	int rc = wx_cursor_open(t, wx_tb_records(WX_KIND_PLACEMENT), NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		const char *name, *val, *id = NULL, *status = NULL, *prof = NULL, *pc = NULL;
		const char *age = NULL, *week = NULL, *start = NULL, *cap = NULL;
		size_t nlen, vlen, idn = 0, stn = 0, pfn = 0, pcn = 0, agn = 0, wkn = 0, sdn = 0,
			cpn = 0;
		uint32_t idx;

		if (wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			return wx_txn_fail(t, WX_EDATA, "a placement record is damaged");
		while ((rc = wx_record_iter_next(&it, &name, &nlen, &val, &vlen)) == WX_OK) {
#define TAKE(f, p, n) if (field_is(name, nlen, f)) { p = val; n = vlen; continue; }
			TAKE("id", id, idn)
			TAKE("status", status, stn)
			TAKE("profession", prof, pfn)
			TAKE("site_postcode", pc, pcn)
			TAKE("min_age", age, agn)
			TAKE("week", week, wkn)
			TAKE("start_date", start, sdn)
			TAKE("capacity", cap, cpn)
		}
		if (rc != WX_ENOTFOUND || !id || !idn)
			return wx_txn_fail(t, WX_EDATA, "a placement record is damaged");
		if ((rc = add_place(w, P, id, idn, &idx)) != WX_OK)
			return wx_txn_fail(t, rc, "out of memory");
		struct wx_run_place *p = &w->place_all[idx];
		int y, m, d, wy, ww;
		int64_t day;

		p->known = 1;
		p->taking_part = !stn || value_is(status, stn, "open");
		if (cpn) {
			int x;
			if (parse_small_int(cap, cpn, &x))
				p->capacity = (uint32_t)x;
			else
				w->unreadable++;
		}
		if (agn && !parse_small_int(age, agn, &p->min_age)) {
			w->unreadable++;
			p->min_age = -1;
		}
		if (sdn && parse_day(start, sdn, &day, &y, &m, &d))
			p->day = day;
		else if (sdn)
			w->unreadable++;
		if (wkn && wx_parse_week(week, wkn, &wy, &ww) == WX_OK) {
			p->week_key = wy * 64 + ww;
			if (p->day == INT64_MIN)
				p->day = wx_week_monday(wy, ww);
		} else {
			if (wkn)
				w->unreadable++;
			if (p->day != INT64_MIN)
				p->week_key = week_key_of(p->day);
		}
		if (pfn)
			p->prof = prof_index(P, prof, pfn);
		locate(t, w->geo_loaded, pc, pcn, &p->located, &p->lat, &p->lon, NULL);
		if (p->taking_part && w->geo_loaded && !p->located)
			w->place_not_located++;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

/* The candidate statuses. */
enum cstatus { CS_OTHER, CS_PART, CS_OCCUPY, CS_HISTORY };

static enum cstatus classify(const char *s, size_t n)
{
	static const char *const occupy[] = { "offered", "accepted", "checks_pending" };

	if (!s || !n || value_is(s, n, "received") || value_is(s, n, "eligible"))
		return CS_PART;
	if (value_is(s, n, "confirmed") || value_is(s, n, "completed"))
		return CS_HISTORY;
	for (size_t i = 0; i < sizeof occupy / sizeof *occupy; i++)
		if (value_is(s, n, occupy[i]))
			return CS_OCCUPY;
	return CS_OTHER;
}

/* ASCII case-folded bytes into the hash. */
static uint64_t hash_fold(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		h ^= ch;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

struct cfields {
	const char *v[14];
	size_t n[14];
};
enum { F_ID, F_STATUS, F_APPLIED, F_DOB, F_POSTCODE, F_CHOICES, F_INTERESTS, F_WEEKS, F_MAXKM,
       F_EMAIL, F_GIVEN, F_FAMILY, F_PLACEMENT, F_IMD, F_COUNT };
static const char *const cfield_names[F_COUNT] = {
	"id", "status", "applied_at", "date_of_birth", "postcode", "choices", "interests",
	"available_weeks", "max_travel_km", "email", "given_name", "family_name", "placement",
	"imd_decile"
};
/* their lengths: this is matched against every field of every record */
static const size_t cfield_len[F_COUNT] = { 2, 6, 10, 13, 8, 7, 9, 15, 13, 5, 10, 11, 9, 10 };

static void person_keys(const struct cfields *f, uint64_t out[2])
{
	out[0] = out[1] = 0;
	if (f->n[F_EMAIL])
		out[0] = mix64(hash_fold(FNV0 ^ 1, f->v[F_EMAIL], f->n[F_EMAIL])) | 1;
	if (f->n[F_GIVEN] && f->n[F_FAMILY] && f->n[F_DOB]) {
		uint64_t h = hash_fold(FNV0 ^ 2, f->v[F_GIVEN], f->n[F_GIVEN]);
		h = hash_fold(h ^ 0xff, f->v[F_FAMILY], f->n[F_FAMILY]);
		h = hash_bytes(h ^ 0xfe, f->v[F_DOB], f->n[F_DOB]);
		out[1] = mix64(h) | 1;
	}
}

static uint64_t year_key(uint64_t person, int year)
{
	return mix64(person ^ (uint64_t)(uint32_t)year * UINT64_C(0x9e3779b97f4a7c15)) | 1;
}

/* The items of a list value, separated by ';': *s and *len receive the
 * next one; returns 0 after the last. */
struct items {
	const char *p, *end;
};

static int next_item(struct items *it, const char **s, size_t *len)
{
	if (!it->p || it->p > it->end)
		return 0;
	const char *e = memchr(it->p, ';', (size_t)(it->end - it->p));
	if (!e)
		e = it->end;
	*s = it->p;
	*len = (size_t)(e - it->p);
	it->p = e + 1;
	return 1;
}

static struct items items_of(const char *v, size_t n)
{
	struct items it = { n ? v : NULL, n ? v + n : NULL };
	return it;
}

static int score_candidate(struct wx_txn *t, struct read_ctx *c, const struct wx_val *v,
			   const struct cfields *f, int imd, int *score, uint32_t *member,
			   struct wx_policy_why *why, int *filled)
{
	int rc;

	*filled = 0;
	if (imd > 0 && !f->n[F_IMD]) {
		/* the lookup's decile for a candidate who gave none: score a
		 * copy of the record with it */
		unsigned char *buf = NULL;
		size_t len = 0;
		char d[16];

		snprintf(d, sizeof d, "%d", imd);
		rc = wx_record_with_field(v->data, v->len, "imd_decile", d, &buf, &len);
		if (rc == WX_OK)
			rc = wx_policy_score(c->o->policy, buf, len, score, member, why);
		free(buf);
		if (rc == WX_OK)
			*filled = 1;
		else if (rc == WX_ENOMEM)
			return wx_txn_fail(t, rc, "out of memory");
		else
			return wx_txn_fail(t, WX_EDATA, "a candidate record is damaged");
		return WX_OK;
	}
	rc = wx_policy_score(c->o->policy, v->data, v->len, score, member, why);
	if (rc != WX_OK)
		return wx_txn_fail(t, WX_EDATA, "a candidate record is damaged");
	return WX_OK;
}

static int add_participant(struct wx_txn *t, struct read_ctx *c, const struct wx_val *v,
			   const struct cfields *f)
{
	struct wx_run *w = c->w;
	struct priv *P = c->P;
	struct wx_policy_why why;
	struct wx_match_cand *mc;
	struct wx_run_cand *r;
	struct cinfo *ci;
	int imd = 0, filled, rc;

	if (grow(&c->cand, &c->cand_cap, c->ncand, 1, sizeof *c->cand) ||
	    grow(&c->rc, &c->rc_cap, c->ncand, 1, sizeof *c->rc) ||
	    grow(&P->ci, &P->ci_cap, c->ncand, 1, sizeof *P->ci))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	mc = &c->cand[c->ncand];
	r = &c->rc[c->ncand];
	ci = &P->ci[c->ncand];
	memset(mc, 0, sizeof *mc);
	memset(r, 0, sizeof *r);
	memset(ci, 0, sizeof *ci);
	if (!(r->id = arena_dup(&P->strings, f->v[F_ID], f->n[F_ID])))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	mc->id = r->id;

	if (f->n[F_APPLIED]) {
		if (wx_parse_datetime(f->v[F_APPLIED], f->n[F_APPLIED], &mc->applied_s,
				      &mc->applied_ns, NULL) == WX_OK)
			mc->has_applied = 1;
		else
			w->unreadable++;
	}
	if (f->n[F_DOB] && !parse_day(f->v[F_DOB], f->n[F_DOB], NULL, &ci->by, &ci->bm, &ci->bd)) {
		w->unreadable++;
		ci->by = 0;
	}
	ci->max_km = -1;
	if (f->n[F_MAXKM] && !parse_small_int(f->v[F_MAXKM], f->n[F_MAXKM], &ci->max_km)) {
		w->unreadable++;
		ci->max_km = -1;
	}
	locate(t, w->geo_loaded, f->v[F_POSTCODE], f->n[F_POSTCODE], &ci->located, &ci->lat,
	       &ci->lon, &imd);
	if (w->geo_loaded && !ci->located)
		w->cand_not_located++;
	person_keys(f, ci->person);

	/* available weeks */
	ci->weeks_first = (uint32_t)P->nweeks;
	const char *s;
	size_t len;
	struct items it = items_of(f->v[F_WEEKS], f->n[F_WEEKS]);
	while (next_item(&it, &s, &len)) {
		int y, wk;
		if (wx_parse_week(s, len, &y, &wk) != WX_OK) {
			if (len)
				w->unreadable++;
			continue;
		}
		if (grow(&P->weeks, &P->weeks_cap, P->nweeks, 1, sizeof *P->weeks))
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		P->weeks[P->nweeks++] = y * 64 + wk;
	}
	ci->nweeks = (uint32_t)(P->nweeks - ci->weeks_first);

	/* choices, else interests */
	ci->ch_first = (uint32_t)P->nchs;
	it = items_of(f->v[F_CHOICES], f->n[F_CHOICES]);
	while (next_item(&it, &s, &len)) {
		uint32_t idx;
		if (!len)
			continue;
		if (!idmap_find(&P->ids, w->place_all, s, len, &idx) &&
		    (rc = add_place(w, P, s, len, &idx)) != WX_OK)
			return wx_txn_fail(t, rc, "out of memory");
		if (grow(&P->chs, &P->chs_cap, P->nchs, 1, sizeof *P->chs))
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		P->chs[P->nchs++] = idx;
	}
	ci->nch = (uint32_t)(P->nchs - ci->ch_first);
	ci->int_first = (uint32_t)P->nints;
	if (!ci->nch) {
		it = items_of(f->v[F_INTERESTS], f->n[F_INTERESTS]);
		while (next_item(&it, &s, &len)) {
			int k = len ? prof_index(P, s, len) : -1;
			if (k < 0)
				continue;
			if (grow(&P->ints, &P->ints_cap, P->nints, 1, sizeof *P->ints))
				return wx_txn_fail(t, WX_ENOMEM, "out of memory");
			P->ints[P->nints++] = k;
		}
		r->from_interests = f->n[F_INTERESTS] != 0;
	}
	ci->nint = (uint32_t)(P->nints - ci->int_first);

	rc = score_candidate(t, c, v, f, imd, &mc->score, &mc->member, &why, &filled);
	if (rc != WX_OK)
		return rc;
	r->imd_from_geo = (unsigned)filled;
	w->imd_filled += (unsigned long)filled;
	r->nrule = (unsigned)(why.n > 255 ? 255 : why.n);
	r->rule_first = (uint32_t)P->nrules;
	if (grow(&P->rules, &P->rules_cap, P->nrules, r->nrule, sizeof *P->rules))
		return wx_txn_fail(t, WX_ENOMEM, "out of memory");
	if (r->nrule)   /* P->rules is still NULL while no candidate had a rule */
		memcpy(P->rules + P->nrules, why.rule, r->nrule * sizeof *P->rules);
	P->nrules += r->nrule;
	c->ncand++;
	return WX_OK;
}

static int read_candidates(struct wx_txn *t, struct read_ctx *c, uint64_t total)
{
	struct wx_run *w = c->w;
	struct priv *P = c->P;
	struct wx_cursor *cur;
	struct wx_val k, v;
	uint64_t seen = 0;
	int rc = wx_cursor_open(t, wx_tb_records(WX_KIND_CANDIDATE), NULL, 0, &cur);

	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, &v)) == WX_OK) {
		struct wx_record_iter it;
		struct cfields f;
		const char *name, *val;
		size_t nlen, vlen;

		if (++seen % 65536 == 0) {
			progress(c, "reading candidates", seen, total);
			/* what we need is copied out: keep the file's pages from
			 * piling up in our resident memory */
			wx_store_release_pages(wx_txn_store(t));
		}
		memset(&f, 0, sizeof f);
		if (wx_record_iter_init(&it, v.data, v.len, NULL) != WX_OK)
			return wx_txn_fail(t, WX_EDATA, "a candidate record is damaged");
		while ((rc = wx_record_iter_next(&it, &name, &nlen, &val, &vlen)) == WX_OK)
			for (int i = 0; i < F_COUNT; i++)
				if (nlen == cfield_len[i] && memcmp(name, cfield_names[i], nlen) == 0) {
					f.v[i] = val;
					f.n[i] = vlen;
					break;
				}
		if (rc != WX_ENOTFOUND || !f.n[F_ID])
			return wx_txn_fail(t, WX_EDATA, "a candidate record is damaged");
		rc = WX_OK;
		enum cstatus cs = classify(f.v[F_STATUS], f.n[F_STATUS]);
		if (cs == CS_PART) {
			rc = add_participant(t, c, &v, &f);
		} else if ((cs == CS_OCCUPY || cs == CS_HISTORY) && f.n[F_PLACEMENT]) {
			uint32_t idx;
			if (idmap_find(&P->ids, w->place_all, f.v[F_PLACEMENT], f.n[F_PLACEMENT], &idx) &&
			    w->place_all[idx].known) {
				struct wx_run_place *p = &w->place_all[idx];
				p->occupied++;
				if (cs == CS_HISTORY) {
					uint64_t pk[2];
					int y, m, d;
					wx_civil_from_days(p->day != INT64_MIN ? p->day : P->today, &y,
							   &m, &d);
					person_keys(&f, pk);
					for (int i = 0; i < 2; i++)
						if (pk[i] && keyset_add(&P->history, year_key(pk[i], y)))
							return wx_txn_fail(t, WX_ENOMEM, "out of memory");
				}
			}
		}
		if (rc != WX_OK)
			return rc;
	}
	wx_cursor_close(cur);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int read_fn(struct wx_txn *t, void *vctx)
{
	struct read_ctx *c = vctx;
	struct wx_run *w = c->w;
	uint64_t ngeo = 0, ncand = 0;
	int rc;

	/* a rerun of the transaction (snapshot retry) starts again */
	w->nplace_all = 0;
	c->ncand = 0;
	c->P->ids.n = 0;
	if (c->P->ids.cap) {
		memset(c->P->ids.slot, 0, c->P->ids.cap * sizeof *c->P->ids.slot);
		memset(c->P->ids.tag, 0, c->P->ids.cap * sizeof *c->P->ids.tag);
	}
	c->P->nweeks = c->P->nints = c->P->nchs = c->P->nrules = 0;
	c->P->history.n = 0;
	if (c->P->history.cap)
		memset(c->P->history.k, 0, c->P->history.cap * sizeof *c->P->history.k);
	w->unreadable = w->cand_not_located = w->place_not_located = w->imd_filled = 0;

	if ((rc = wx_count(t, WX_TB_GEO, &ngeo)) != WX_OK)
		return rc;
	w->geo_loaded = ngeo > 0;
	if ((rc = wx_count(t, wx_tb_records(WX_KIND_CANDIDATE), &ncand)) != WX_OK)
		return rc;
	progress(c, "reading placements", 0, 0);
	if ((rc = read_placements(t, c)) != WX_OK)
		return rc;
	return read_candidates(t, c, ncand);
}

/* ---- gates and lists ---- */

static unsigned gate(struct wx_run *w, const struct priv *P, const struct cinfo *ci,
		     uint32_t pi, int count_skips)
{
	const struct wx_run_place *p = &w->place_all[pi];

	if (!p->known || !p->taking_part)
		return WX_GATE_NOT_OPEN;
	if (p->min_age >= 0) {
		if (!ci->by || wx_age_on(ci->by, ci->bm, ci->bd, P->py[pi], P->pm[pi], P->pd[pi]) <
			p->min_age)
			return WX_GATE_AGE;
	}
	if (ci->nweeks && p->week_key) {
		uint32_t i;
		for (i = 0; i < ci->nweeks && P->weeks[ci->weeks_first + i] != p->week_key; i++)
			;
		if (i == ci->nweeks)
			return WX_GATE_WEEK;
	}
	if (ci->max_km >= 0) {
		if (ci->located && p->located) {
			struct wx_geo_point a = { ci->lat, ci->lon, 0 }, b = { p->lat, p->lon, 0 };
			if (wx_geo_km(&a, &b) > ci->max_km)
				return WX_GATE_DISTANCE;
		} else if (count_skips && w->geo_loaded) {
			w->distance_skipped++;
		}
	}
	if (P->history.n && (ci->person[0] || ci->person[1])) {
		for (int i = 0; i < 2; i++)
			if (ci->person[i] && keyset_has(&P->history, year_key(ci->person[i], P->py[pi])))
				return WX_GATE_YEAR;
	}
	return WX_GATE_OK;
}

/* Room for n more entries in the three pools. */
static int reserve(struct priv *P, size_t n)
{
	if (P->nent + n > P->ent_cap) {
		size_t nc = P->ent_cap ? P->ent_cap * 2 : 4096;
		while (nc < P->nent + n)
			nc *= 2;
		void *a = realloc(P->ent, nc * sizeof *P->ent);
		if (a)
			P->ent = a;
		void *b = a ? realloc(P->pos, nc * sizeof *P->pos) : NULL;
		if (b)
			P->pos = b;
		void *c = b ? realloc(P->all, nc * sizeof *P->all) : NULL;
		if (!c)
			return WX_ENOMEM;
		P->all = c;
		P->ent_cap = nc;
	}
	return WX_OK;
}

/* Append an entry to the shared pools (room reserved by the caller). */
static void pool_put(struct priv *P, uint32_t pi, unsigned g, uint32_t pos)
{
	P->ent[P->nent].place = P->engine_of[pi];
	P->ent[P->nent].gate = g;
	P->pos[P->nent] = pos;
	P->all[P->nent] = pi;
	P->nent++;
}

static int push_entry(struct priv *P, uint32_t pi, unsigned g, uint32_t pos)
{
	if (reserve(P, 1))
		return WX_ENOMEM;
	pool_put(P, pi, g, pos);
	return WX_OK;
}

static size_t first_above(const uint32_t *t, size_t size, size_t lo, size_t hi, uint32_t x);

/* Sorting a group of placements of equal date by distance, then id. */
struct dist_item {
	double km;
	int known;
	uint32_t pi;
	const char *id;
};

static int cmp_dist(const void *a, const void *b)
{
	const struct dist_item *x = a, *y = b;

	if (x->known != y->known)
		return x->known ? -1 : 1;
	if (x->known && x->km != y->km)
		return x->km < y->km ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* A candidate's list as passed to the engine in one session (the run, or
 * the counterfactual): entries [first, first + nent) of the pools. */
struct listref {
	size_t first;        /* in the shared pools, unless oent is set: */
	struct wx_match_choice *oent;   /* a list grown in a session has arrays */
	uint32_t *opos;                 /* of its own (no garbage in the pools);
	                                 * its entries all name placements
	                                 * taking part, so no place_all array */
	size_t ocap;
	uint32_t nent;
	uint32_t last_pos;   /* true position of the last entry walked */
	uint32_t probed;     /* positions up to here would not take the candidate */
	uint8_t cut;         /* entries after last_pos were not passed */
	uint8_t settled;     /* none of them would take the candidate, ever */
};

static const struct wx_match_choice *lr_ent(const struct priv *P, const struct listref *lr);
static const uint32_t *lr_pos(const struct priv *P, const struct listref *lr);
static uint32_t lr_all(const struct priv *P, const struct listref *lr, size_t j);

/* Room for n more entries in a list's own arrays. */
static int own_reserve(struct listref *lr, size_t n)
{
	if (lr->nent + n <= lr->ocap)
		return WX_OK;
	size_t nc = lr->ocap ? lr->ocap * 2 : 64;
	while (nc < lr->nent + n)
		nc *= 2;
	void *a = realloc(lr->oent, nc * sizeof *lr->oent);
	if (!a)
		return WX_ENOMEM;
	lr->oent = a;
	void *b = realloc(lr->opos, nc * sizeof *lr->opos);
	if (!b)
		return WX_ENOMEM;
	lr->opos = b;
	lr->ocap = nc;
	return WX_OK;
}

static void own_free(struct listref *lr)
{
	free(lr->oent);
	free(lr->opos);
	lr->oent = NULL;
	lr->opos = NULL;
	lr->ocap = 0;
}

struct builder {
	struct wx_run *w;
	struct priv *P;
	const struct cinfo *ci;
	size_t limit;            /* eligible entries to pass, SIZE_MAX: all */
	size_t eligible, gated;
	uint32_t pos;            /* positions used so far */
	int stop, cut;
	struct dist_item *tmp;
	size_t tmp_cap;
	uint32_t *tmp_order;
	size_t order_cap;
	/* probing (settle_cut): walk the list without storing it, and stop
	 * at the first eligible entry past position skip_pos that res's
	 * placement would take */
	const struct wx_match_result *probe;
	uint32_t probe_rank, probe_member;
	uint32_t skip_pos;
	int found;
	uint32_t found_pos;
	struct listref *into;       /* appending: the list's own arrays */
	/* appending: only entries that this result's placements would take
	 * now (those that would not, never will in the session) */
	const struct wx_match_result *filter;
	const struct probe_state *ps;   /* probing: the session's thresholds */
	const uint32_t *cur_tree;   /* probing: the tree over the group emitted, */
	size_t cur_off;             /* and the group's first index in it */
	int prof_hopeless;       /* probing: no placement of this profession
	                          * would take the candidate */
	int prof_skip;           /* ... so the rest of it is skipped */
	/* appending (0: building from the start): only eligible entries
	 * from this position on are stored; limit counts them */
	uint32_t append_from;
};

/* Emit the placements arr[0..n) (taking part, of one date group or of a
 * whole ordered run), in order, after sorting equal dates by distance. */
static int emit_group(struct builder *b, const uint32_t *arr, size_t n)
{
	struct wx_run *w = b->w;
	struct priv *P = b->P;
	const uint32_t *order = arr;

	/* a walk that only needs positions past this group: count it */
	if ((b->probe && b->pos + n <= b->skip_pos) ||
	    (b->append_from && b->pos + n < b->append_from)) {
		b->pos += (uint32_t)n;
		return WX_OK;
	}

	if (b->ci->located && n > 1) {
		/* equal dates: nearer first, unknown distances last, then id */
		uint32_t *sorted;

		if (grow(&b->tmp, &b->tmp_cap, 0, n, sizeof *b->tmp) ||
		    grow(&b->tmp_order, &b->order_cap, 0, n, sizeof *b->tmp_order))
			return WX_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			const struct wx_run_place *p = &w->place_all[arr[i]];
			struct dist_item *d = &b->tmp[i];
			d->pi = arr[i];
			d->id = p->id;
			d->known = p->located;
			d->km = 0;
			if (d->known) {
				struct wx_geo_point x = { b->ci->lat, b->ci->lon, 0 };
				struct wx_geo_point y = { p->lat, p->lon, 0 };
				d->km = wx_geo_km(&x, &y);
			}
		}
		qsort(b->tmp, n, sizeof *b->tmp, cmp_dist);
		sorted = b->tmp_order;
		for (size_t i = 0; i < n; i++)
			sorted[i] = b->tmp[i].pi;
		order = sorted;
	}
	/* arr is in id order within the date: right as it is when the
	 * candidate cannot be located (every distance unknown) */
	if (!b->probe && (b->into ? own_reserve(b->into, n) : reserve(P, n)))
		return WX_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t pi;
		unsigned g;

		/* probing past skip_pos in the profession's own order (the
		 * candidate cannot be located): jump to the next placement
		 * whose threshold might take the candidate */
		if ((b->probe || b->filter) && b->cur_tree && order == arr &&
		    b->pos >= b->skip_pos && !b->prof_hopeless) {
			size_t j = first_above(b->cur_tree, b->ps->tree_size, b->cur_off + i,
					       b->cur_off + n, b->probe_rank);
			if (j >= b->cur_off + n) {
				b->pos += (uint32_t)(n - i);
				return WX_OK;
			}
			b->pos += (uint32_t)(j - b->cur_off - i);
			i = j - b->cur_off;
		}
		pi = order[i];

		if ((!b->append_from || b->pos >= b->append_from) && b->eligible >= b->limit) {
			b->stop = b->cut = 1;
			return WX_OK;
		}
		if (b->probe) {
			/* up to skip_pos every entry is passed, or was shown
			 * before not to take the candidate; past it only "would
			 * it take" matters, and it is cheaper than the gates */
			b->pos++;
			if (b->pos <= b->skip_pos)
				continue;
			if (b->prof_hopeless) {
				b->prof_skip = 1;
				return WX_OK;
			}
			if (!wx_match_would_take(b->probe, (size_t)P->engine_of[pi], b->probe_rank,
						 b->probe_member))
				continue;
			if (gate(w, P, b->ci, pi, 0) == WX_GATE_OK) {
				b->found = 1;
				b->found_pos = b->pos;
				b->stop = 1;
				return WX_OK;
			}
			continue;
		}
		if (b->append_from) {
			/* appending to a list: the eligible entries from there
			 * that would take the candidate */
			b->pos++;
			if (b->pos < b->append_from)
				continue;
			if (b->filter && b->prof_hopeless) {
				b->prof_skip = 1;
				return WX_OK;
			}
			if (b->filter && !wx_match_would_take(b->filter, (size_t)P->engine_of[pi],
							      b->probe_rank, b->probe_member))
				continue;
			if (gate(w, P, b->ci, pi, 0) != WX_GATE_OK)
				continue;
			b->eligible++;
			g = WX_GATE_OK;
		} else {
			g = gate(w, P, b->ci, pi, 0);
			b->pos++;
			if (g == WX_GATE_OK)
				b->eligible++;
			else if (b->gated >= GATED_MAX)
				continue;
			else
				b->gated++;
		}
		if (b->into) {
			struct listref *lr = b->into;
			lr->oent[lr->nent].place = P->engine_of[pi];
			lr->oent[lr->nent].gate = g;
			lr->opos[lr->nent] = b->pos;
			lr->nent++;
			continue;
		}
		pool_put(P, pi, g, b->pos);
	}
	return WX_OK;
}

static const struct wx_match_choice *lr_ent(const struct priv *P, const struct listref *lr)
{
	return lr->oent ? lr->oent : P->ent + lr->first;
}

static const uint32_t *lr_pos(const struct priv *P, const struct listref *lr)
{
	return lr->oent ? lr->opos : P->pos + lr->first;
}

/* The place_all index of entry j. */
static uint32_t lr_all(const struct priv *P, const struct listref *lr, size_t j)
{
	return lr->oent ? P->place_of[lr->oent[j].place] : P->all[lr->first + j];
}

/* Emit arr[0..n), ordered by day (then id), one date group at a time. */
static int emit_by_day(struct builder *b, const uint32_t *arr, size_t n)
{
	const struct priv *P = b->P;
	const struct wx_run_place *pl = b->w->place_all;
	const uint32_t *tree = NULL;
	size_t off = 0;

	if ((b->probe || b->filter) && b->ps && b->ps->tree_day[0]) {
		int mem = b->probe_member != 0;
		if (arr >= P->by_day && arr < P->by_day + P->prof_first[P->nprof]) {
			tree = b->ps->tree_day[mem];
			off = (size_t)(arr - P->by_day);
		} else {
			tree = b->ps->tree_week[mem];
			off = (size_t)(arr - P->by_week);
		}
	}
	{
		/* entries a walk only counts (before skip_pos when probing,
		 * before append_from when appending): jump to the date group
		 * that holds the first one it needs; the entry at index x has
		 * position pos + x + 1 at group boundaries */
		size_t target = 0;
		if (b->probe && b->pos < b->skip_pos)
			target = b->skip_pos - b->pos;
		else if (b->append_from && b->pos + 1 < b->append_from)
			target = b->append_from - 1 - b->pos;
		if (target >= n) {
			b->pos += (uint32_t)n;
			return WX_OK;
		}
		if (target) {
			while (target > 0 && pl[arr[target - 1]].day == pl[arr[target]].day)
				target--;
			b->pos += (uint32_t)target;
			arr += target;
			n -= target;
			off += target;
		}
	}
	for (size_t i = 0; i < n && !b->stop && !b->prof_skip;) {
		if (tree && b->pos >= b->skip_pos) {
			/* past the entries passed: jump to the first date group
			 * holding a placement that might take the candidate */
			size_t j = first_above(tree, b->ps->tree_size, off + i, off + n,
					       b->probe_rank);
			if (j >= off + n) {
				b->pos += (uint32_t)(n - i);
				return WX_OK;
			}
			j -= off;
			while (j > i && pl[arr[j - 1]].day == pl[arr[j]].day)
				j--;
			b->pos += (uint32_t)(j - i);
			i = j;
		}
		size_t j = i + 1;
		int64_t day = pl[arr[i]].day;
		while (j < n && pl[arr[j]].day == day)
			j++;
		b->cur_tree = tree;
		b->cur_off = off + i;
		if (emit_group(b, arr + i, j - i))
			return WX_ENOMEM;
		b->cur_tree = NULL;
		i = j;
	}
	return WX_OK;
}

/* Thresholds for probing (settle_cut): for each profession, the largest
 * rank any of its placements would take, for a non-member (prof_max[k *
 * (1 + ncat)]) and for a member of each category (then + 1 + c), from a
 * result.  A candidate ranked at or past all that apply to them is taken
 * by none of the profession's placements. */
#define TAKE_ALL UINT32_MAX

static void placement_thresholds(const struct wx_match_result *res, size_t p, uint32_t *t)
{
	size_t K = res->ncat, base = p * (K + 1);
	uint64_t seats = 0, held = 0;

	for (size_t k = 0; k <= K; k++) {
		seats += res->seats[base + k];
		held += res->held[base + k];
	}
	for (size_t k = 0; k <= K; k++)
		t[k] = 0;
	if (held < seats) {
		for (size_t k = 0; k <= K; k++)
			t[k] = TAKE_ALL;
		return;
	}
	if (res->held[base] && res->cutoff[base] != WX_MATCH_NO_RANK)
		t[0] = res->cutoff[base];
	for (size_t k = 0; k < K; k++) {
		size_t x = base + 1 + k;
		if (!res->held[x])
			continue;
		if (res->spare_cutoff[x] != WX_MATCH_NO_RANK) {
			if (res->spare_cutoff[x] > t[0])
				t[0] = res->spare_cutoff[x];
			t[1 + k] = TAKE_ALL;
		} else if (res->cutoff[x] != WX_MATCH_NO_RANK) {
			t[1 + k] = res->cutoff[x];
		}
	}
}

static int prof_thresholds(const struct priv *P, struct probe_state *S,
			   const struct wx_match_result *res)
{
	size_t W = 1 + res->ncat, nfree = 0;
	uint32_t t[WX_MATCH_MAX_CATEGORIES + 1];

	free(S->prof_max);
	free(S->free_first);
	free(S->free_list);
	S->free_list = NULL;
	S->prof_max = calloc(P->nprof ? P->nprof * W : 1, sizeof *S->prof_max);
	S->free_first = calloc(P->nprof + 1, sizeof *S->free_first);
	if (!S->prof_max || !S->free_first)
		return WX_ENOMEM;
	S->prof_w = W;
	/* placements with a free seat are kept apart: one of them would take
	 * anyone, but the gates usually keep the candidate out (that is why
	 * the seat is free), and a profession's threshold must not be lost
	 * to it */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < P->nprof; k++) {
			uint32_t *m = S->prof_max + k * W;
			for (uint32_t q = P->prof_first[k]; q < P->prof_first[k + 1]; q++) {
				int32_t e = P->engine_of[P->by_day[q]];
				if (e < 0)
					continue;
				placement_thresholds(res, (size_t)e, t);
				if (t[0] == TAKE_ALL) {
					if (pass == 0)
						S->free_first[k + 1]++;
					else
						S->free_list[S->free_first[k] + S->free_fill[k]++] = P->by_day[q];
					continue;
				}
				if (pass == 0)
					for (size_t x = 0; x < W; x++)
						if (t[x] > m[x])
							m[x] = t[x];
			}
		}
		if (pass == 0) {
			for (size_t k = 0; k < P->nprof; k++)
				S->free_first[k + 1] += S->free_first[k];
			nfree = S->free_first[P->nprof];
			S->free_list = malloc((nfree ? nfree : 1) * sizeof *S->free_list);
			free(S->free_fill);
			S->free_fill = calloc(P->nprof ? P->nprof : 1, sizeof *S->free_fill);
			if (!S->free_list || !S->free_fill)
				return WX_ENOMEM;
		}
	}
	/* the trees */
	{
		size_t n = P->prof_first[P->nprof], size = 1;
		while (size < n)
			size *= 2;
		if (size != S->tree_size || !S->tree_day[0]) {
			for (int q = 0; q < 2; q++) {
				free(S->tree_day[q]);
				free(S->tree_week[q]);
				S->tree_day[q] = malloc(2 * size * sizeof **S->tree_day);
				S->tree_week[q] = malloc(2 * size * sizeof **S->tree_week);
				if (!S->tree_day[q] || !S->tree_week[q])
					return WX_ENOMEM;
			}
			S->tree_size = size;
		}
		for (int q = 0; q < 2; q++) {
			memset(S->tree_day[q], 0, 2 * size * sizeof **S->tree_day);
			memset(S->tree_week[q], 0, 2 * size * sizeof **S->tree_week);
		}
		for (int o = 0; o < 2; o++) {
			const uint32_t *arr = o ? P->by_week : P->by_day;
			uint32_t **tr = o ? S->tree_week : S->tree_day;
			for (size_t x = 0; x < n; x++) {
				int32_t e = P->engine_of[arr[x]];
				uint32_t mem;
				if (e < 0)
					continue;
				placement_thresholds(res, (size_t)e, t);
				mem = t[0];
				for (size_t c = 1; c < W; c++)
					if (t[c] > mem)
						mem = t[c];
				tr[0][size + x] = t[0];
				tr[1][size + x] = mem;
			}
			for (int q = 0; q < 2; q++)
				for (size_t v = size - 1; v >= 1; v--)
					tr[q][v] = tr[q][2 * v] > tr[q][2 * v + 1] ? tr[q][2 * v] : tr[q][2 * v + 1];
		}
	}
	return WX_OK;
}

/* The first index in [lo, hi) of the tree's leaves whose value is above
 * x, or hi.  t is a max-tree with its leaves at [size, 2 size), node v's
 * children at 2v and 2v + 1.  Bottom-up: from leaf lo, step right
 * along the nearest ancestors' right siblings until one holds a value
 * above x, then down to its first such leaf; O(log size). */
static size_t first_above(const uint32_t *t, size_t size, size_t lo, size_t hi, uint32_t x)
{
	size_t i;

	if (lo >= hi)
		return hi;
	i = lo + size;
	if (t[i] <= x) {
		for (;;) {
			while (i & 1) {          /* a right child: up */
				i >>= 1;
				if (i <= 1)
					return hi;
			}
			i++;                     /* the right sibling */
			if (t[i] > x)
				break;
		}
		while (i < size)                 /* down to the first leaf above x */
			i = t[2 * i] > x ? 2 * i : 2 * i + 1;
	}
	return i - size < hi ? i - size : hi;
}

/* Whether some placement of profession k might take the candidate: one
 * with a free seat that the candidate is eligible for, or a full one whose
 * threshold for them is past their rank. */
static int prof_may_take(struct wx_run *w, const struct priv *P, const struct probe_state *S,
			 const struct cinfo *ci, int k,
			 uint32_t rank, uint32_t member)
{
	const uint32_t *m = S->prof_max + (size_t)k * S->prof_w;

	if (rank < m[0])
		return 1;
	for (size_t c = 1; c < S->prof_w; c++)
		if ((member >> (c - 1) & 1) && rank < m[c])
			return 1;
	for (uint32_t q = S->free_first[k]; q < S->free_first[k + 1]; q++)
		if (gate(w, P, ci, S->free_list[q], 0) == WX_GATE_OK)
			return 1;
	return 0;
}

/* A list built from interests (matching.md, section 3), emitted through
 * b; *listed receives the length of the whole list. */
static int walk_interests(struct builder *b, uint32_t *listed_out)
{
	struct wx_run *w = b->w;
	struct priv *P = b->P;
	const struct cinfo *ci = b->ci;
	uint32_t base = 0;

	for (uint32_t j = 0; j < ci->nint; j++) {
		int k = P->ints[ci->int_first + j], q;
		const uint32_t *wk = P->by_week + P->prof_first[k];
		const uint32_t *dy = P->by_day + P->prof_first[k];
		size_t n = P->prof_first[k + 1] - P->prof_first[k];

		for (q = 0; q < (int)j && P->ints[ci->int_first + (uint32_t)q] != k; q++)
			;
		if (q < (int)j)
			continue;
		if (b->stop) {
			/* cut: only the length of the whole list */
			base += (uint32_t)n;
			continue;
		}
		if ((b->probe && base + n <= b->skip_pos) ||
		    (b->append_from && base + n < b->append_from)) {
			base += (uint32_t)n;
			continue;
		}
		b->pos = base;
		b->prof_skip = 0;
		b->prof_hopeless = (b->probe || b->filter) &&
			!prof_may_take(w, P, b->ps, ci, k, b->probe_rank, b->probe_member);
		if (!ci->nweeks) {
			if (emit_by_day(b, dy, n))
				return WX_ENOMEM;
		} else {
			/* the listed weeks in the candidate's order, then the
			 * rest: dated ones fail the week gate and are only
			 * counted; undated ones pass it (run.h) */
			size_t undated = 0;
			for (uint32_t x = 0; x < ci->nweeks && !b->stop && !b->prof_skip; x++) {
				int key = P->weeks[ci->weeks_first + x], y;
				for (y = 0; y < (int)x && P->weeks[ci->weeks_first + (uint32_t)y] != key; y++)
					;
				if (y < (int)x)
					continue;
				size_t lo = 0, hi = n;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (w->place_all[wk[mid]].week_key < key)
						lo = mid + 1;
					else
						hi = mid;
				}
				size_t e = lo;
				while (e < n && w->place_all[wk[e]].week_key == key)
					e++;
				if (emit_by_day(b, wk + lo, e - lo))
					return WX_ENOMEM;
			}
			while (undated < n && w->place_all[wk[n - 1 - undated]].week_key == UNDATED_KEY)
				undated++;
			if (!b->stop && !b->prof_skip && undated) {
				b->pos = base + (uint32_t)(n - undated);
				if (emit_group(b, wk + n - undated, undated))
					return WX_ENOMEM;
			}
		}
		base += (uint32_t)n;
	}
	*listed_out = base;
	return WX_OK;
}

static void builder_start(struct builder *b, struct wx_run *w, struct priv *P,
			  const struct cinfo *ci, size_t limit)
{
	b->w = w;
	b->P = P;
	b->ci = ci;
	b->limit = limit;
	b->eligible = b->gated = 0;
	b->pos = 0;
	b->stop = b->cut = 0;
	b->probe = NULL;
	b->skip_pos = 0;
	b->found = 0;
	b->found_pos = 0;
	b->append_from = 0;
	b->prof_hopeless = b->prof_skip = 0;
	b->cur_tree = NULL;
	b->cur_off = 0;
	b->into = NULL;
	b->ps = NULL;
	b->filter = NULL;
}

static void builder_free(struct builder *b)
{
	free(b->tmp);
	free(b->tmp_order);
}

/* Build candidate i's list from the start, passing entries up to the
 * limit-th eligible one (SIZE_MAX: all), into *lr. */
static int build_list(struct wx_run *w, struct priv *P, size_t i, size_t limit,
		      struct listref *lr, struct builder *b)
{
	const struct cinfo *ci = &P->ci[i];
	uint32_t listed = 0;

	builder_start(b, w, P, ci, limit);
	lr->first = P->nent;
	if (ci->nch) {
		for (uint32_t j = 0; j < ci->nch; j++) {
			uint32_t pi = P->chs[ci->ch_first + j], q;
			unsigned g;

			for (q = 0; q < j && P->chs[ci->ch_first + q] != pi; q++)
				;
			if (q < j)
				continue;   /* named twice: the first counts */
			g = gate(w, P, ci, pi, 1);
			if (push_entry(P, pi, g, j + 1))
				return WX_ENOMEM;
		}
		listed = ci->nch;
	} else if (walk_interests(b, &listed)) {
		return WX_ENOMEM;
	}
	w->rc[i].listed = listed;
	lr->nent = (uint32_t)(P->nent - lr->first);
	lr->cut = (uint8_t)b->cut;
	lr->last_pos = b->cut ? b->pos : listed;
	lr->probed = 0;
	lr->settled = 0;
	return WX_OK;
}

/* Orders of the taking-part placements of a profession. */
static const struct wx_run *sort_w;

static int cmp_week(const void *a, const void *b)
{
	const struct wx_run_place *x = &sort_w->place_all[*(const uint32_t *)a];
	const struct wx_run_place *y = &sort_w->place_all[*(const uint32_t *)b];

	if (x->prof != y->prof)
		return x->prof < y->prof ? -1 : 1;
	if (x->week_key != y->week_key)
		return x->week_key < y->week_key ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_day(const void *a, const void *b)
{
	const struct wx_run_place *x = &sort_w->place_all[*(const uint32_t *)a];
	const struct wx_run_place *y = &sort_w->place_all[*(const uint32_t *)b];
	/* undated last */
	int64_t dx = x->day == INT64_MIN ? INT64_MAX : x->day;
	int64_t dy = y->day == INT64_MIN ? INT64_MAX : y->day;

	if (x->prof != y->prof)
		return x->prof < y->prof ? -1 : 1;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_place_id(const void *a, const void *b)
{
	return strcmp(sort_w->place_all[*(const uint32_t *)a].id,
		      sort_w->place_all[*(const uint32_t *)b].id);
}

/* Put the candidates read (c->cand, c->rc, P->ci, in reading order) in id
 * order into P->cand, w->rc and P->ci.  c->cand is consumed. */
struct sort_key {
	const char *id;
	uint32_t i;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct sort_key *)a)->id, ((const struct sort_key *)b)->id);
}

static int sort_by_id(struct wx_run *w, struct priv *P, struct read_ctx *c)
{
	struct sort_key *key = NULL;
	size_t n = c->ncand, m = n ? n : 1;
	struct wx_run_cand *rc = malloc(m * sizeof *rc);
	struct cinfo *ci = malloc(m * sizeof *ci);
	int status = WX_ENOMEM;

	P->cand = malloc(m * sizeof *P->cand);
	key = malloc(m * sizeof *key);
	if (rc && ci && P->cand && key) {
		int sorted = 1;
		for (size_t i = 0; i < n; i++) {
			key[i].id = c->cand[i].id;
			key[i].i = (uint32_t)i;
			if (i && sorted && strcmp(key[i - 1].id, key[i].id) > 0)
				sorted = 0;
		}
		/* records are often stored in id order (imports, the demo) */
		if (!sorted)
			qsort(key, n, sizeof *key, cmp_key);
		for (size_t i = 0; i < n; i++) {
			P->cand[i] = c->cand[key[i].i];
			rc[i] = c->rc[key[i].i];
			ci[i] = P->ci[key[i].i];
		}
		free(c->rc);
		free(P->ci);
		w->rc = rc;
		P->ci = ci;
		P->ci_cap = n;
		w->in.ncand = n;
		rc = NULL;
		ci = NULL;
		status = WX_OK;
	}
	free(key);
	free(rc);
	free(ci);
	free(c->cand);
	c->cand = NULL;
	return status;
}

/* ---- the digest of the inputs ---- */

static void dig(uint64_t d[2], const void *p, size_t n)
{
	d[0] = hash_bytes(d[0], p, n);
	d[1] = mix64(d[1] ^ hash_bytes(FNV0 ^ n, p, n));
}

static void dig_u64(uint64_t d[2], uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	dig(d, b, 8);
}

static int digest(struct wx_run *w, const struct wx_run_opts *o)
{
	struct priv *P = w->priv_;
	size_t plen;
	const char *ptext = wx_policy_text(o->policy, &plen);

	w->digest[0] = FNV0;
	w->digest[1] = UINT64_C(0x6a09e667f3bcc908);
	dig(w->digest, WX_RUN_ALGORITHM, sizeof WX_RUN_ALGORITHM);
	dig(w->digest, ptext, plen);
	dig_u64(w->digest, o->seed);
	if (!(P->phash = malloc((w->nplace_all ? w->nplace_all : 1) * sizeof *P->phash)))
		return WX_ENOMEM;
	for (size_t p = 0; p < w->nplace_all; p++)
		P->phash[p] = mix64(hash_bytes(FNV0, w->place_all[p].id, strlen(w->place_all[p].id)));
	for (size_t p = 0; p < w->in.nplace; p++) {
		const char *id = w->place_all[w->place_of[p]].id;
		dig(w->digest, id, strlen(id) + 1);
		dig_u64(w->digest, w->in.place[p].capacity);
	}
	for (size_t i = 0; i < w->in.ncand; i++) {
		const struct wx_match_cand *c = &w->in.cand[i];
		const struct wx_run_cand *r = &w->rc[i];
		dig(w->digest, c->id, strlen(c->id) + 1);
		dig_u64(w->digest, (uint64_t)(int64_t)c->score);
		dig_u64(w->digest, c->member);
		dig_u64(w->digest, c->has_applied ? (uint64_t)c->applied_s : UINT64_MAX);
		dig_u64(w->digest, (uint64_t)c->applied_ns);
		dig_u64(w->digest, r->listed);
		/* entries by the placements' own hashes (of their ids) */
		const struct listref *lr = &P->ref[0][i];
		for (uint32_t j = 0; j < lr->nent; j++) {
			uint64_t e = P->phash[lr_all(P, lr, j)] ^
				((uint64_t)lr_pos(P, lr)[j] << 8 | lr_ent(P, lr)[j].gate);
			w->digest[0] = (w->digest[0] ^ e) * UINT64_C(0x100000001b3);
			w->digest[1] = mix64(w->digest[1] + e);
		}
	}
	return WX_OK;
}

/* ---- the run ---- */

int wx_run_prepare(struct wx_store *s, const struct wx_run_opts *o, struct wx_run *w,
		   struct wx_err *err)
{
	struct priv *P;
	struct read_ctx c;
	const struct wx_form *cf;
	const struct wx_form_field *ff;
	int rc;

	memset(w, 0, sizeof *w);
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(cfield_names[i]) != cfield_len[i])
			return wx_err_set(err, WX_EUSAGE, "internal: field name lengths");
	if (!(P = calloc(1, sizeof *P)))
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	w->priv_ = P;
	w->policy = o->policy;
	w->seed = o->seed;
	P->limit = o->interest_limit ? o->interest_limit : WX_RUN_INTEREST_LIMIT;
	P->today = o->today;
	P->policy = o->policy;
	cf = o->forms ? o->forms->form[WX_KIND_CANDIDATE] : NULL;
	ff = cf ? wx_form_find(cf, "interests") : NULL;
	P->profs = ff ? ff->choices : NULL;
	P->nprof = P->profs ? P->profs->n : 0;

	memset(&c, 0, sizeof c);
	c.w = w;
	c.P = P;
	c.o = o;
	c.err = err;
	rc = wx_store_read(s, read_fn, &c, err);
	w->rc = c.rc;
	if (rc != WX_OK) {
		free(c.cand);
		return rc;
	}
	if (o->progress)
		o->progress(o->pctx, "preparing", 0, 0);

	/* sort the candidates by id: the output order (rc and ci follow) */
	if (sort_by_id(w, P, &c) != WX_OK)
		return wx_err_set(err, WX_ENOMEM, "out of memory");

	/* placements: civil dates, engine indices, per-profession orders */
	{
		size_t np = w->nplace_all, nt = 0;

		P->py = malloc((np ? np : 1) * sizeof *P->py);
		P->pm = malloc((np ? np : 1) * sizeof *P->pm);
		P->pd = malloc((np ? np : 1) * sizeof *P->pd);
		P->engine_of = malloc((np ? np : 1) * sizeof *P->engine_of);
		w->place_of = malloc((np ? np : 1) * sizeof *w->place_of);
		P->place = malloc((np ? np : 1) * sizeof *P->place);
		P->prof_first = calloc(P->nprof + 2, sizeof *P->prof_first);
		P->by_week = malloc((np ? np : 1) * sizeof *P->by_week);
		P->by_day = malloc((np ? np : 1) * sizeof *P->by_day);
		if (!P->py || !P->pm || !P->pd || !P->engine_of || !w->place_of || !P->place ||
		    !P->prof_first || !P->by_week || !P->by_day)
			return wx_err_set(err, WX_ENOMEM, "out of memory");
		size_t nin = 0;
		for (size_t p = 0; p < np; p++) {
			struct wx_run_place *pl = &w->place_all[p];
			wx_civil_from_days(pl->day != INT64_MIN ? pl->day : P->today, &P->py[p],
					   &P->pm[p], &P->pd[p]);
			P->engine_of[p] = -1;
			if (!pl->known || !pl->taking_part)
				continue;
			w->place_of[nt++] = (uint32_t)p;
			if (pl->prof >= 0) {
				P->prof_first[pl->prof + 1]++;
				if (pl->week_key == 0)
					pl->week_key = UNDATED_KEY;
				P->by_week[nin++] = (uint32_t)p;
			}
		}
		/* engine indices in id order: the same inputs in another order
		 * give the same run and digest (run.h) */
		sort_w = w;
		qsort(w->place_of, nt, sizeof *w->place_of, cmp_place_id);
		sort_w = NULL;
		for (size_t q = 0; q < nt; q++) {
			const struct wx_run_place *pl = &w->place_all[w->place_of[q]];
			P->engine_of[w->place_of[q]] = (int32_t)q;
			P->place[q].capacity = pl->capacity > pl->occupied ?
				pl->capacity - pl->occupied : 0;
		}
		for (size_t k = 0; k < P->nprof; k++)
			P->prof_first[k + 1] += P->prof_first[k];
		memcpy(P->by_day, P->by_week, nin * sizeof *P->by_day);
		sort_w = w;
		qsort(P->by_week, nin, sizeof *P->by_week, cmp_week);
		qsort(P->by_day, nin, sizeof *P->by_day, cmp_day);
		sort_w = NULL;
		w->in.nplace = nt;
		w->in.place = P->place;
		P->place_of = w->place_of;
	}

	/* the lists */
	{
		struct builder b;
		size_t n = w->in.ncand ? w->in.ncand : 1;

		P->ref[0] = calloc(n, sizeof *P->ref[0]);
		P->ref[1] = calloc(n, sizeof *P->ref[1]);
		if (!P->ref[0] || !P->ref[1])
			return wx_err_set(err, WX_ENOMEM, "out of memory");
		/* about what the lists will take, to spare the pools' growth */
		if (reserve(P, w->in.ncand * 8))
			return wx_err_set(err, WX_ENOMEM, "out of memory");
		memset(&b, 0, sizeof b);
		for (size_t i = 0; i < w->in.ncand; i++) {
			if (o->progress && i % 65536 == 0)
				o->progress(o->pctx, "building preference lists", i, w->in.ncand);
			if (build_list(w, P, i, P->limit, &P->ref[0][i], &b)) {
				builder_free(&b);
				return wx_err_set(err, WX_ENOMEM, "out of memory");
			}
			P->ref[1][i] = P->ref[0][i];
		}
		builder_free(&b);
	}

	/* the policy */
	w->in.ncat = wx_policy_ncategories(o->policy);
	if (w->in.ncat > WX_MATCH_MAX_CATEGORIES)
		return wx_err_set(err, WX_EUSAGE, "the policy has too many reserve categories");
	for (size_t k = 0; k < w->in.ncat; k++) {
		w->cat[k].name = wx_policy_category_name(o->policy, k);
		w->cat[k].num = wx_policy_category_share(o->policy, k);
		w->cat[k].den = WX_POLICY_SHARE_ONE;
	}
	w->in.cat = w->cat;
	w->in.fill = wx_policy_fill_order(o->policy) == WX_POLICY_RESERVE_FIRST ?
		WX_FILL_RESERVE_FIRST : WX_FILL_OPEN_FIRST;
	w->in.seed = o->seed;
	w->in.cand = P->cand;
	for (size_t i = 0; i < w->in.ncand; i++) {
		P->cand[i].choice = lr_ent(P, &P->ref[0][i]);
		P->cand[i].nchoice = P->ref[0][i].nent;
	}
	if (digest(w, o) != WX_OK)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	return WX_OK;
}

/* Session which (0 the run, 1 the counterfactual) left candidates whose
 * cut lists ran out unplaced.  For each: the entries that were not passed
 * either would all turn the candidate away given res's holders (a walk
 * down the rest of the list, asking each placement, or a whole profession
 * at once through its thresholds), and then the run is exactly that of
 * the whole list: deferred acceptance gives the same result whatever the
 * order of proposals, and these would come last and change nothing.  Or
 * one would take them: then the list grows from that entry, by as many
 * eligible entries as it had (geometric growth), and the session goes on.
 * A placement that would not take a candidate now never will later in the
 * same session (its holders only get better for them, and by path
 * independence a newcomer it turns away stays out), so a walk never looks
 * at an entry twice, and the entries it skipped are left out of the list
 * (positions are kept, so choice_rank stays true).  Returns how many
 * lists grew, or -1 when out of memory. */
static long settle_cut(struct wx_run *w, struct priv *P, const struct wx_match_result *res,
		       int which, struct wx_match_cand *cand, uint32_t *grown_list)
{
	struct builder b;
	long grown = 0;

	if (prof_thresholds(P, &P->ps[which], res) != WX_OK)
		return -1;
	memset(&b, 0, sizeof b);
	for (size_t i = 0; i < w->in.ncand; i++) {
		struct listref *lr = &P->ref[which][i];
		uint32_t listed, found, limit;

		if (!lr->cut || lr->settled || res->place[i] >= 0)
			continue;
		builder_start(&b, w, P, &P->ci[i], SIZE_MAX);
		b.probe = res;
		b.ps = &P->ps[which];
		b.probe_rank = res->rank[i];
		b.probe_member = which ? 0 : cand[i].member;
		b.skip_pos = lr->last_pos > lr->probed ? lr->last_pos : lr->probed;
		if (walk_interests(&b, &listed))
			goto oom;
		if (!b.found) {
			lr->settled = 1;
			lr->probed = listed;
			continue;
		}
		/* the list as passed, then eligible entries from the one found,
		 * in arrays of the list's own */
		found = b.found_pos;
		if (!lr->oent) {
			size_t first = lr->first;
			uint32_t n = lr->nent;
			lr->nent = 0;
			if (own_reserve(lr, (size_t)n * 2 + P->limit))
				goto oom;
			memcpy(lr->oent, P->ent + first, n * sizeof *lr->oent);
			memcpy(lr->opos, P->pos + first, n * sizeof *lr->opos);
			lr->nent = n;
		}
		limit = lr->nent > P->limit ? lr->nent : (uint32_t)P->limit;
		builder_start(&b, w, P, &P->ci[i], limit);
		b.append_from = found;
		b.into = lr;
		b.filter = res;
		b.ps = &P->ps[which];
		b.probe_rank = res->rank[i];
		b.probe_member = which ? 0 : cand[i].member;
		if (walk_interests(&b, &listed))
			goto oom;
		lr->probed = found - 1;
		lr->cut = (uint8_t)b.cut;
		lr->last_pos = b.cut ? b.pos : listed;
		grown_list[grown++] = (uint32_t)i;
	}
	builder_free(&b);
	/* the grown lists' arrays may have moved */
	for (long q = 0; q < grown; q++) {
		uint32_t i = grown_list[q];
		cand[i].choice = lr_ent(P, &P->ref[which][i]);
		cand[i].nchoice = P->ref[which][i].nent;
	}
	return grown;
oom:
	builder_free(&b);
	return -1;
}

/* Run one session to the end: start, then settle and resume while lists
 * grow. */
static int session(struct wx_run *w, struct priv *P, const struct wx_match_input *in, int which,
		   struct wx_match_cand *cand, struct wx_match_result *res, unsigned long *rounds,
		   struct wx_err *err)
{
	struct wx_match_session *ses = NULL;
	long grown;
	int rc;

	for (size_t i = 0; i < w->in.ncand; i++) {
		cand[i].choice = lr_ent(P, &P->ref[which][i]);
		cand[i].nchoice = P->ref[which][i].nent;
	}
	uint32_t *grown_list = malloc((w->in.ncand ? w->in.ncand : 1) * sizeof *grown_list);

	if (!grown_list)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	if ((rc = wx_match_start(in, res, &ses, err)) != WX_OK) {
		free(grown_list);
		return rc;
	}
	while ((grown = settle_cut(w, P, res, which, cand, grown_list)) > 0) {
		++*rounds;
		if ((rc = wx_match_resume_some(ses, res, grown_list, (size_t)grown, err)) != WX_OK)
			break;
	}
	free(grown_list);
	wx_match_session_free(ses);
	if (rc == WX_OK && grown < 0)
		rc = wx_err_set(err, WX_ENOMEM, "out of memory");
	return rc;
}

/* The counterfactual's session, on a thread of its own: the two sessions
 * share only what no one writes any more (the candidates' data, the first
 * lists, the placements); each has its lists' growth, thresholds, engine
 * and result. */
struct cf_job {
	struct wx_run *w;
	struct priv *P;
	struct wx_match_input in;
	struct wx_match_result res;
	unsigned long rounds;
	struct wx_err err;
	int rc;
};

static void *cf_thread(void *arg)
{
	struct cf_job *j = arg;

	j->rc = session(j->w, j->P, &j->in, 1, j->P->cf_cand, &j->res, &j->rounds, &j->err);
	return NULL;
}

int wx_run_match(struct wx_run *w, struct wx_err *err)
{
	struct priv *P = w->priv_;
	struct cf_job job;
	pthread_t th;
	int threaded, rc;
	unsigned long rounds = 0;

	/* the run, and at the same time the counterfactual with lists of its
	 * own (what a list leaves out depends on the session's holders) */
	wx_match_result_free(&w->res);
	free(P->cf_cand);
	P->cf_cand = malloc((w->in.ncand ? w->in.ncand : 1) * sizeof *P->cf_cand);
	if (!P->cf_cand)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	if (w->in.ncand)
		memcpy(P->cf_cand, P->cand, w->in.ncand * sizeof *P->cf_cand);
	memset(&job, 0, sizeof job);
	job.w = w;
	job.P = P;
	wx_match_counterfactual_input(&w->in, &job.in);
	job.in.cand = P->cf_cand;
	wx_err_clear(&job.err);
	/* a machine that cannot start a thread runs the two one after the
	 * other: the same results */
	threaded = pthread_create(&th, NULL, cf_thread, &job) == 0;
	rc = session(w, P, &w->in, 0, P->cand, &w->res, &rounds, err);
	if (threaded)
		pthread_join(th, NULL);
	else
		cf_thread(&job);
	w->reruns = rounds + job.rounds;
	if (rc == WX_OK && job.rc != WX_OK) {
		*err = job.err;
		rc = job.rc;
	}
	if (rc == WX_OK)
		rc = wx_match_figures_of(&w->in, &job.in, &job.res, WX_RUN_GROUP_SCORE, &w->cf, err);
	free(P->cf_place);
	P->cf_place = NULL;
	if (rc == WX_OK) {
		P->cf_place = malloc((w->in.ncand ? w->in.ncand : 1) * sizeof *P->cf_place);
		if (!P->cf_place)
			rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		else if (w->in.ncand)
			memcpy(P->cf_place, job.res.place, w->in.ncand * sizeof *P->cf_place);
	}
	wx_match_result_free(&job.res);
	/* the counterfactual's grown lists are not needed any more */
	for (size_t i = 0; i < w->in.ncand; i++)
		own_free(&P->ref[1][i]);
	if (rc != WX_OK)
		return rc;
	/* the run's lists (P->cand) are as its session left them: the
	 * counterfactual grew only lists of its own */
	if ((rc = wx_match_figures(&w->in, &w->res, WX_RUN_GROUP_SCORE, &w->fig, err)) != WX_OK)
		return rc;
	w->ran = 1;
	return WX_OK;
}

void wx_run_free(struct wx_run *w)
{
	struct priv *P = w->priv_;

	wx_match_result_free(&w->res);
	if (P) {
		arena_free(&P->strings);
		free(P->ids.slot);
		free(P->ids.tag);
		free(P->ci);
		free(P->weeks);
		free(P->ints);
		free(P->chs);
		free(P->rules);
		free(P->ent);
		free(P->pos);
		free(P->all);
		free(P->prof_first);
		free(P->by_week);
		free(P->by_day);
		free(P->phash);
		for (int q = 0; q < 2; q++) {
			for (size_t i = 0; P->ref[q] && i < w->in.ncand; i++)
				own_free(&P->ref[q][i]);
			free(P->ref[q]);
		}
		free(P->cf_cand);
		for (int x = 0; x < 2; x++) {
			struct probe_state *S = &P->ps[x];
			free(S->prof_max);
			for (int q = 0; q < 2; q++) {
				free(S->tree_day[q]);
				free(S->tree_week[q]);
			}
			free(S->free_first);
			free(S->free_list);
			free(S->free_fill);
		}
		free(P->history.k);
		free(P->py);
		free(P->pm);
		free(P->pd);
		free(P->cand);
		free(P->place);
		free(P->engine_of);
		free(P->cf_place);
		free(P);
	}
	free(w->place_all);
	free(w->place_of);
	free(w->rc);
	memset(w, 0, sizeof *w);
}

const uint16_t *wx_run_rules(const struct wx_run *w, size_t i)
{
	const struct priv *P = w->priv_;
	return P->rules + w->rc[i].rule_first;
}

int32_t wx_run_cf_place(const struct wx_run *w, size_t i)
{
	const struct priv *P = w->priv_;
	return P->cf_place ? P->cf_place[i] : -1;
}

const char *wx_run_place_id(const struct wx_run *w, int32_t p)
{
	if (p < 0 || (size_t)p >= w->in.nplace)
		return NULL;
	return w->place_all[w->place_of[p]].id;
}

uint32_t wx_run_choice_rank(const struct wx_run *w, size_t i)
{
	const struct priv *P = w->priv_;
	uint32_t r = w->res.choice_rank[i];

	return r ? lr_pos(P, &P->ref[0][i])[r - 1] : 0;
}

size_t wx_run_explain(const struct wx_run *w, size_t i, struct wx_run_why *out, size_t max)
{
	const struct priv *P = w->priv_;
	struct wx_match_why tmp[64];
	size_t n = wx_match_explain(&w->in, &w->res, i, tmp, 64);

	if (n > 64) {
		/* long lists: explain from the passed entries directly */
		struct wx_match_why *big = malloc(n * sizeof *big);
		size_t k = 0;
		if (big) {
			n = wx_match_explain(&w->in, &w->res, i, big, n);
			for (; k < n && k < max; k++) {
				size_t e = big[k].choice_rank - 1;
				out[k].choice_rank = lr_pos(P, &P->ref[0][i])[e];
				out[k].place_id = w->place_all[lr_all(P, &P->ref[0][i], e)].id;
				out[k].gate = big[k].gate;
			}
			free(big);
			return n;
		}
		n = 64;
	}
	for (size_t k = 0; k < n && k < max; k++) {
		size_t e = tmp[k].choice_rank - 1;
		out[k].choice_rank = lr_pos(P, &P->ref[0][i])[e];
		out[k].place_id = w->place_all[lr_all(P, &P->ref[0][i], e)].id;
		out[k].gate = tmp[k].gate;
	}
	return n;
}

const char *wx_gate_words(unsigned gate)
{
	switch (gate) {
	case WX_GATE_OK:
		return "eligible";
	case WX_GATE_NOT_OPEN:
		return "not open: no such placement, or it is not taking part in this run";
	case WX_GATE_AGE:
		return "too young on the placement's start date";
	case WX_GATE_WEEK:
		return "the placement's week is not one of the weeks you are available";
	case WX_GATE_DISTANCE:
		return "further away than the distance you can travel";
	case WX_GATE_YEAR:
		return "you already have a confirmed or completed placement that year";
	default:
		return "not eligible";
	}
}
