/* demo.c: synthetic data.  Nothing here is real: names are drawn from lists
 * of common names of many backgrounds, phone numbers from Ofcom's range for
 * drama (07700 900000-900999), e-mail addresses from example.org. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/demo.h"
#include "wexmatch/record.h"
#include "wexmatch/values.h"

#define BATCH 5000   /* records per write transaction: short transactions */

uint64_t wx_demo_rand(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static unsigned long rnd(uint64_t *st, unsigned long n)
{
	return n ? (unsigned long)(wx_demo_rand(st) % n) : 0;
}

/* true with probability pct/1000 */
static int chance(uint64_t *st, unsigned permille)
{
	return rnd(st, 1000) < permille;
}

#define PICK(st, arr) ((arr)[rnd((st), sizeof(arr) / sizeof((arr)[0]))])

/* Given and family names of many backgrounds: accents, apostrophes,
 * hyphens, a decomposed e with a combining diaeresis, and non-Latin
 * scripts, as real applicant lists have. */
static const char *const given_names[] = {
	"Oliver", "Amelia", "Jack", "Isla", "Harry", "Ava", "George", "Mia", "Noah", "Grace",
	"Siobhán", "Niamh", "Ciarán", "Aoife", "Seán", "Rhys", "Ffion", "Dylan", "Cerys",
	"Eilidh", "Callum", "Zoë", "Zoe\xcc\x88", "Anaïs", "Chloé", "José", "Sofía", "João",
	"Łukasz", "Zofia", "Wojciech", "Małgorzata", "Şükrü", "Ayşe", "Çağla", "Priya",
	"Arjun", "Mohammed", "Fatima", "Aisha", "Yusuf", "Zainab", "Harpreet", "Gurpreet",
	"Chidi", "Oluwaseun", "Ngozi", "Adaeze", "Kwame", "Abena", "Abdi", "Hodan", "Ikram",
	"芳", "伟", "Mei", "Wei", "Thảo", "Nguyệt", "Dmitri", "Дмитрий", "Анна",
	"Δημήτρης", "Ελένη", "يوسف", "مريم", "Jean-Luc", "Mary-Jane", "D'Arcy", "Ana María",
	"Bogdan", "Ioana", "Kofi", "Tariq", "Sinéad", "Eoghan", "Ólafur", "Björk",
};

static const char *const family_names[] = {
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
	"O'Brien", "O’Neill", "Ní Bhriain", "Mac Giolla", "Smith-Jones", "Lloyd-Davies",
	"Khan", "Patel", "Begum", "Hussain", "Ahmed", "Singh", "Kaur", "Al-Hassan",
	"D'Souza", "Okafor", "Adeyemi", "Mensah", "Osei", "Mohamed", "Warsame",
	"Kowalski", "Nowak", "Wiśniewska", "Dąbrowski", "Yılmaz", "Öztürk", "Çelik",
	"王", "李", "Chen", "Nguyễn", "Trần", "Lê", "Иванов", "Смирнова", "Παπαδόπουλος",
	"Müller", "Schäfer", "García", "Fernández", "Gonçalves", "Popescu", "Horváth",
	"MacDonald", "McLeod", "Ó Súilleabháin", "St. John", "van der Berg", "Jöns",
};

/* Outward codes of real places in several regions. */
static const char *const outward[] = {
	"LS1", "LS6", "LS9", "LS11", "LS14", "BD1", "BD3", "BD8", "WF1", "WF10", "HX1",
	"M1", "M14", "M40", "B33", "B8", "B10", "E1", "E13", "SE15", "N17", "CF10", "CF24",
	"NE1", "NE4", "S2", "S5", "L4", "L8", "BS5", "NG7", "HU3", "DN1", "EC1A", "W1A", "CR2",
};

static const char inward_letters[] = "ABDEFGHJLNPQRSTUWXYZ";

static const char *const schools[] = {
	"Parkside Academy", "St Mary's Catholic High School", "Oakwood Park School",
	"Hillcrest Community College", "Ysgol Gyfun Glantaf", "Brookfield High School",
	"Riverside Sixth Form", "Northfield Academy", "City of Leeds College", "Bradford College",
	"Al-Furqan Girls' School", "Kingsway School", "Holy Family High School",
};

static const char *const sites[] = {
	"St James's Hospital", "General Infirmary", "Chapel Allerton Hospital",
	"Seacroft Hospital", "Wharfedale Hospital", "Community Health Centre",
};

static const char *const site_postcodes[] = {
	"LS9 7TF", "LS1 3EX", "LS7 4SA", "LS14 6UH", "LS21 1EY", "LS6 1PF",
};

static const char *const depts[] = {
	"Ward 7", "Radiology", "Pharmacy", "Physiotherapy", "Estates", "Medical Records",
	"Pathology", "Catering", "Children's Outpatients", "Emergency Department",
	"Occupational Therapy", "Dietetics", "IT Services", "Finance", "Human Resources",
};

static const char *const jobs[] = {
	"Staff Nurse", "Radiographer", "Pharmacist", "Physiotherapist", "Estates Officer",
	"Healthcare Assistant", "Midwife", "Paramedic", "Biomedical Scientist", "Dietitian",
	"Ward Clerk", "Junior Doctor", "Occupational Therapist", "Porter", "IT Analyst",
};

struct gen {
	uint64_t rng;
	const struct wx_forms *forms;
	const struct wx_demo_opts *o;
	char **pl_ids;        /* placement ids, for candidates' choices */
	int *pl_week;         /* their ISO week numbers (2027) */
	unsigned long npl;
	const struct wx_choices *prof;
};

static void postcode(struct gen *g, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %lu%c%c", PICK(&g->rng, outward), rnd(&g->rng, 10),
		 inward_letters[rnd(&g->rng, 20)], inward_letters[rnd(&g->rng, 20)]);
}

static void date_text(int64_t days, char *buf, size_t cap)
{
	int y, m, d;

	wx_civil_from_days(days, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

static const char *profession(struct gen *g)
{
	if (!g->prof || g->prof->n == 0)
		return NULL;
	return g->prof->v[rnd(&g->rng, g->prof->n)].code;
}

static int set(struct wx_record *r, const char *name, const char *value)
{
	return wx_record_set(r, name, value, strlen(value));
}

static int set_yesno(struct gen *g, struct wx_record *r, const char *name, unsigned permille)
{
	return set(r, name, chance(&g->rng, permille) ? "yes" : "no");
}

/* ---- the four kinds ---- */

static int gen_placement(struct gen *g, unsigned long i, struct wx_record *r)
{
	char buf[128], id[32];
	const char *prof = profession(g);
	int week = 10 + (int)rnd(&g->rng, 36);   /* spring to autumn 2027 */
	int64_t monday = wx_week_monday(2027, week);
	int clinical = chance(&g->rng, 600);
	int rc = 0;

	snprintf(id, sizeof id, "P%05lu", i + 1);
	rc |= set(r, "id", id);
	rc |= set(r, "status", "open");
	snprintf(buf, sizeof buf, "%s taster week", PICK(&g->rng, depts));
	rc |= set(r, "title", buf);
	rc |= set(r, "department", PICK(&g->rng, depts));
	if (prof)
		rc |= set(r, "profession", prof);
	rc |= set(r, "clinical", clinical ? "yes" : "no");
	rc |= set(r, "min_age", clinical ? "16" : (chance(&g->rng, 500) ? "14" : "15"));
	{
		unsigned long s = rnd(&g->rng, sizeof sites / sizeof sites[0]);

		rc |= set(r, "site", sites[s]);
		rc |= set(r, "site_postcode", site_postcodes[s]);
	}
	snprintf(buf, sizeof buf, "2027-W%02d", week);
	rc |= set(r, "week", buf);
	date_text(monday, buf, sizeof buf);
	rc |= set(r, "start_date", buf);
	date_text(monday + 4, buf, sizeof buf);
	rc |= set(r, "end_date", buf);
	snprintf(buf, sizeof buf, "%lu", 1 + rnd(&g->rng, 4));
	rc |= set(r, "capacity", buf);
	snprintf(buf, sizeof buf, "%s %s", PICK(&g->rng, given_names), PICK(&g->rng, family_names));
	rc |= set(r, "supervisor", buf);
	g->pl_ids[i] = strdup(id);
	g->pl_week[i] = week;
	return rc || !g->pl_ids[i] ? WX_ENOMEM : WX_OK;
}

static const char *route(struct gen *g)
{
	unsigned long x = rnd(&g->rng, 1000);

	return x < 550 ? "school" : x < 800 ? "college" : x < 880 ? "neet"
	       : x < 920 ? "returner_health" : x < 960 ? "returner_carer" : "adult";
}

static int gen_candidate(struct gen *g, unsigned long i, struct wx_record *r)
{
	char buf[512], id[32];
	const char *rt = route(g);
	int age, school = !strcmp(rt, "school"), rc = 0;
	int64_t day;
	size_t used = 0;

	snprintf(id, sizeof id, "C%06lu", i + 1);
	rc |= set(r, "id", id);
	rc |= set(r, "status", "received");
	snprintf(buf, sizeof buf, "2027-%02lu-%02luT%02lu:%02lu:%02luZ", 1 + rnd(&g->rng, 3),
		 1 + rnd(&g->rng, 28), 7 + rnd(&g->rng, 14), rnd(&g->rng, 60), rnd(&g->rng, 60));
	rc |= set(r, "applied_at", buf);
	rc |= set(r, "given_name", PICK(&g->rng, given_names));
	rc |= set(r, "family_name", PICK(&g->rng, family_names));
	if (school)
		age = 14 + (int)rnd(&g->rng, 5);
	else if (!strcmp(rt, "college"))
		age = 16 + (int)rnd(&g->rng, 4);
	else if (!strcmp(rt, "neet"))
		age = 16 + (int)rnd(&g->rng, 9);
	else if (!strcmp(rt, "adult"))
		age = 19 + (int)rnd(&g->rng, 27);
	else
		age = 25 + (int)rnd(&g->rng, 31);
	day = wx_days_from_civil(2027 - age, 6, 1) - (int64_t)rnd(&g->rng, 365);
	date_text(day, buf, sizeof buf);
	rc |= set(r, "date_of_birth", buf);
	snprintf(buf, sizeof buf, "candidate%lu@example.org", i + 1);
	rc |= set(r, "email", buf);
	snprintf(buf, sizeof buf, "07700 900%03lu", rnd(&g->rng, 1000));
	rc |= set(r, "phone", buf);
	postcode(g, buf, sizeof buf);
	rc |= set(r, "postcode", buf);
	rc |= set(r, "route", rt);
	if (school || !strcmp(rt, "college"))
		rc |= set(r, "school", PICK(&g->rng, schools));
	if (school) {
		snprintf(buf, sizeof buf, "Y%d", age <= 15 ? 10 : age == 16 ? 11 : age == 17 ? 12 : 13);
		rc |= set(r, "year_group", buf);
	}
	/* available weeks: none (any week) for some, else one to four */
	{
		int nweeks = chance(&g->rng, 300) ? 0 : 1 + (int)rnd(&g->rng, 4), weeks[4];

		buf[0] = '\0';
		used = 0;
		for (int w = 0; w < nweeks; w++) {
			weeks[w] = 10 + (int)rnd(&g->rng, 36);
			if (strstr(buf, "") && w > 0) {
				int dup = 0;

				for (int p = 0; p < w; p++)
					dup |= weeks[p] == weeks[w];
				if (dup)
					continue;
			}
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s2027-W%02d",
						 used ? ";" : "", weeks[w]);
		}
		if (used)
			rc |= set(r, "available_weeks", buf);
	}
	/* choices (most) or interests only (some) */
	if (g->npl && !chance(&g->rng, 300)) {
		unsigned k = 1 + (unsigned)rnd(&g->rng, g->o->max_choices ? g->o->max_choices : 5);
		unsigned long picked[10] = { 0 };
		unsigned n = 0;

		used = 0;
		for (unsigned tries = 0; n < k && n < 10 && tries < 40; tries++) {
			unsigned long p = rnd(&g->rng, g->npl), q;

			for (q = 0; q < n && picked[q] != p; q++)
				;
			if (q < n)
				continue;
			picked[n++] = p;
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? ";" : "",
						 g->pl_ids[p]);
		}
		if (used)
			rc |= set(r, "choices", buf);
	}
	{
		const char *a = profession(g), *b = profession(g);

		if (a) {
			if (b && strcmp(a, b) != 0)
				snprintf(buf, sizeof buf, "%s;%s", a, b);
			else
				snprintf(buf, sizeof buf, "%s", a);
			rc |= set(r, "interests", buf);
		}
	}
	if (!chance(&g->rng, 200)) {
		snprintf(buf, sizeof buf, "%lu", 5 + rnd(&g->rng, 46));
		rc |= set(r, "max_travel_km", buf);
	}
	/* disadvantage flags at roughly the rates seen among applicants */
	rc |= set_yesno(g, r, "care_experienced", 25);
	rc |= set_yesno(g, r, "fsm", 220);
	rc |= set_yesno(g, r, "young_carer", 60);
	rc |= set_yesno(g, r, "estranged", 15);
	rc |= set_yesno(g, r, "first_in_family", 400);
	rc |= set_yesno(g, r, "refugee", 12);
	rc |= set_yesno(g, r, "service_child", 25);
	rc |= set_yesno(g, r, "disability", 100);
	rc |= set_yesno(g, r, "prior_experience", 450);
	if (!chance(&g->rng, 150)) {
		/* skewed towards the more deprived deciles, as in an urban trust */
		unsigned long d = 1 + (rnd(&g->rng, 10) + rnd(&g->rng, 10)) / 2;

		snprintf(buf, sizeof buf, "%lu", d);
		rc |= set(r, "imd_decile", buf);
	}
	if (age < 18)
		rc |= set_yesno(g, r, "parental_consent", 700);
	rc |= set(r, "dbs_status", age < 16 ? "not_needed" : PICK(&g->rng, ((const char *const[]){ "not_needed", "needed", "pending", "clear" })));
	return rc ? WX_ENOMEM : WX_OK;
}

static int gen_ambassador(struct gen *g, unsigned long i, struct wx_record *r)
{
	char buf[512], id[32];
	size_t used = 0;
	int rc = 0;
	const char *a = profession(g), *b = profession(g);

	snprintf(id, sizeof id, "A%05lu", i + 1);
	rc |= set(r, "id", id);
	rc |= set(r, "status", chance(&g->rng, 900) ? "active" : "paused");
	rc |= set(r, "given_name", PICK(&g->rng, given_names));
	rc |= set(r, "family_name", PICK(&g->rng, family_names));
	snprintf(buf, sizeof buf, "ambassador%lu@example.org", i + 1);
	rc |= set(r, "email", buf);
	rc |= set(r, "job_title", PICK(&g->rng, jobs));
	if (a) {
		if (b && strcmp(a, b) != 0 && chance(&g->rng, 300))
			snprintf(buf, sizeof buf, "%s;%s", a, b);
		else
			snprintf(buf, sizeof buf, "%s", a);
		rc |= set(r, "professions", buf);
	}
	postcode(g, buf, sizeof buf);
	rc |= set(r, "base_postcode", buf);
	snprintf(buf, sizeof buf, "%lu", 5 + 5 * rnd(&g->rng, 8));
	rc |= set(r, "max_travel_km", buf);
	rc |= set_yesno(g, r, "virtual_ok", 600);
	{
		int n = 2 + (int)rnd(&g->rng, 7);
		int64_t base = wx_days_from_civil(2027, 2, 1);

		buf[0] = '\0';
		for (int k = 0; k < n; k++) {
			char d[16];
			int64_t day = base + 7 * (int64_t)rnd(&g->rng, 30) + (int64_t)rnd(&g->rng, 5);

			date_text(day, d, sizeof d);
			if (strstr(buf, d))
				continue;
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? ";" : "", d);
		}
		rc |= set(r, "available_dates", buf);
	}
	snprintf(buf, sizeof buf, "%lu", 1 + rnd(&g->rng, 5));
	rc |= set(r, "max_events", buf);
	date_text(wx_days_from_civil(2026, 1, 1) + (int64_t)rnd(&g->rng, 3 * 365), buf, sizeof buf);
	rc |= set(r, "dbs_expires", buf);
	rc |= set_yesno(g, r, "training_done", 900);
	return rc ? WX_ENOMEM : WX_OK;
}

static int gen_request(struct gen *g, unsigned long i, struct wx_record *r)
{
	static const char *const activities[] = { "talk", "careers_fair", "mock_interview",
						  "assembly", "virtual" };
	static const char *const years[] = { "Y9;Y10", "Y10;Y11", "Y12;Y13", "Y11", "Y7;Y8;Y9",
					     "FE" };
	char buf[256], id[32];
	const char *act = PICK(&g->rng, activities);
	int64_t day = wx_days_from_civil(2027, 2, 1) + 7 * (int64_t)rnd(&g->rng, 30) +
		      (int64_t)rnd(&g->rng, 5);
	int rc = 0;

	snprintf(id, sizeof id, "R%05lu", i + 1);
	rc |= set(r, "id", id);
	rc |= set(r, "status", "open");
	rc |= set(r, "school", PICK(&g->rng, schools));
	snprintf(buf, sizeof buf, "1%05lu", rnd(&g->rng, 50000));
	rc |= set(r, "school_urn", buf);
	postcode(g, buf, sizeof buf);
	rc |= set(r, "postcode", buf);
	snprintf(buf, sizeof buf, "%lu", 1 + rnd(&g->rng, 10));
	rc |= set(r, "imd_decile", buf);
	snprintf(buf, sizeof buf, "%lu", 5 + rnd(&g->rng, 50));
	rc |= set(r, "fsm_pct", buf);
	rc |= set(r, "activity", act);
	if (!chance(&g->rng, 300)) {
		const char *p = profession(g);

		if (p)
			rc |= set(r, "professions", p);
	}
	date_text(day, buf, sizeof buf);
	rc |= set(r, "date", buf);
	snprintf(buf, sizeof buf, "%lu", 1 + rnd(&g->rng, 3));
	rc |= set(r, "ambassadors_needed", buf);
	rc |= set(r, "virtual", !strcmp(act, "virtual") ? "yes" : "no");
	rc |= set(r, "year_groups", PICK(&g->rng, years));
	snprintf(buf, sizeof buf, "%lu", 20 + rnd(&g->rng, 280));
	rc |= set(r, "audience_size", buf);
	snprintf(buf, sizeof buf, "%s %s", PICK(&g->rng, given_names), PICK(&g->rng, family_names));
	rc |= set(r, "contact_name", buf);
	snprintf(buf, sizeof buf, "careers%lu@school.example.org", i + 1);
	rc |= set(r, "contact_email", buf);
	return rc ? WX_ENOMEM : WX_OK;
}

/* ---- writing ---- */

struct batch {
	struct gen *g;
	enum wx_kind kind;
	int (*make)(struct gen *, unsigned long, struct wx_record *);
	unsigned long from, to;
	uint64_t rng_at_start;    /* so a retried transaction makes the same records */
	struct wx_record rec;
	char problem[600];
};

static void note_problem(void *ctx, const char *field, const char *msg)
{
	struct batch *b = ctx;

	if (!b->problem[0])
		snprintf(b->problem, sizeof b->problem, "%s: %s", field, msg);
}

static int batch_fn(struct wx_txn *t, void *vctx)
{
	struct batch *b = vctx;
	const struct wx_form *form = b->g->forms->form[b->kind];

	b->g->rng = b->rng_at_start;
	for (unsigned long i = b->from; i < b->to; i++) {
		int rc;

		wx_record_clear_fields(&b->rec);
		b->rec.iid = 0;
		if (b->kind == WX_KIND_PLACEMENT)
			free(b->g->pl_ids[i]);
		if (b->make(b->g, i, &b->rec) != WX_OK)
			return wx_txn_fail(t, WX_ENOMEM, "out of memory");
		if (wx_form_check_record(form, &b->rec, note_problem, b) != 0)
			return wx_txn_fail(t, WX_EDATA,
					   "demo %s %s does not pass the %s form: %s",
					   wx_kind_name(b->kind), wx_record_get(&b->rec, "id"),
					   wx_kind_name(b->kind), b->problem);
		rc = wx_record_save(t, b->kind, &b->rec, 0);
		if (rc != WX_OK)
			return rc;
	}
	return WX_OK;
}

static int empty_fn(struct wx_txn *t, void *vctx)
{
	uint64_t *counts = vctx;

	for (int k = 0; k < WX_KIND_COUNT; k++)
		wx_count(t, wx_tb_records((enum wx_kind)k), &counts[k]);
	return wx_txn_status(t);
}

static int fill(struct gen *g, struct wx_store *s, enum wx_kind kind, unsigned long n,
		int (*make)(struct gen *, unsigned long, struct wx_record *),
		wx_progress_fn progress, void *pctx, struct wx_err *err)
{
	struct batch b;
	int rc = WX_OK;

	memset(&b, 0, sizeof b);
	b.g = g;
	b.kind = kind;
	b.make = make;
	wx_record_init(&b.rec);
	for (unsigned long at = 0; at < n && rc == WX_OK; at += BATCH) {
		b.from = at;
		b.to = n - at < BATCH ? n : at + BATCH;
		b.rng_at_start = g->rng;
		rc = wx_store_write(s, batch_fn, &b, err);
		if (progress)
			progress(pctx, wx_kind_name(kind), b.to, n);
	}
	wx_record_free(&b.rec);
	return rc;
}

int wx_demo_fill(struct wx_store *s, const struct wx_forms *forms,
		 const struct wx_demo_opts *o, wx_progress_fn progress, void *pctx,
		 struct wx_err *err)
{
	struct gen g;
	uint64_t counts[WX_KIND_COUNT];
	const struct wx_form_field *pf;
	int rc;

	rc = wx_store_read(s, empty_fn, counts, err);
	if (rc != WX_OK)
		return rc;
	for (int k = 0; k < WX_KIND_COUNT; k++)
		if (counts[k])
			return wx_err_set(err, WX_EDATA,
					  "demo: the database already holds %s records; use an empty database (--db DIR)",
					  wx_kind_name((enum wx_kind)k));
	memset(&g, 0, sizeof g);
	g.rng = o->seed ^ UINT64_C(0x5EED5EED5EED5EED);
	g.forms = forms;
	g.o = o;
	pf = wx_form_find(forms->form[WX_KIND_PLACEMENT], "profession");
	g.prof = pf ? pf->choices : NULL;
	g.pl_ids = calloc(o->placements ? o->placements : 1, sizeof *g.pl_ids);
	g.pl_week = calloc(o->placements ? o->placements : 1, sizeof *g.pl_week);
	if (!g.pl_ids || !g.pl_week) {
		rc = wx_err_set(err, WX_ENOMEM, "out of memory");
		goto out;
	}
	g.npl = o->placements;
	rc = fill(&g, s, WX_KIND_PLACEMENT, o->placements, gen_placement, progress, pctx, err);
	if (rc == WX_OK)
		rc = fill(&g, s, WX_KIND_CANDIDATE, o->candidates, gen_candidate, progress, pctx, err);
	if (rc == WX_OK)
		rc = fill(&g, s, WX_KIND_AMBASSADOR, o->ambassadors, gen_ambassador, progress, pctx,
			  err);
	if (rc == WX_OK)
		rc = fill(&g, s, WX_KIND_REQUEST, o->requests, gen_request, progress, pctx, err);
out:
	for (unsigned long i = 0; g.pl_ids && i < o->placements; i++)
		free(g.pl_ids[i]);
	free(g.pl_ids);
	free(g.pl_week);
	return rc;
}
