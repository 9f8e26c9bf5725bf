/* policy.c: the priority policy file (policy.h) and scoring with it.
 *
 * Parsing is strict and goes on after a problem: a trust edits the file by
 * hand, `policy check` shows every mistake at once, and a rule that would
 * silently never count (a field the form does not have, a choice spelt
 * differently from the codes records store, a narrower rule after a wider
 * one) is refused rather than accepted and ignored.  Checks that involve a
 * whole section (a key it must have) run when the section ends.
 *
 * Scoring runs on every candidate of a match run (a million of them), so
 * parsing compiles the rules into a table from field name to the rules and
 * conditions on that field, and wx_policy_score makes one pass over the
 * encoded record's fields with wx_record_iter, looking each name up by the
 * address of its text (names the record format stores as references, see
 * lookup) or in an open-addressing hash table: no allocation, no decoding,
 * nothing formatted.
 * Conditions of the reserve categories are evaluated in the same pass into
 * a bit set on the stack; score conditions (score>=N) after it, on the
 * capped score. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/names.h"
#include "wexmatch/policy.h"
#include "wexmatch/record.h"
#include "wexmatch/utf8.h"
#include "wexmatch/values.h"

#define PROBLEMS_MAX 100        /* problems reported before parsing stops */
#define QUOTE_MAX 100           /* characters of file text quoted in a message */
#define NAME_MAX_LEN 32         /* bytes of a category name */
#define SLOTS_MAX 1024          /* distinct fields named (a form has <= 1000) */
#define CONDS_MAX (WX_POLICY_CATEGORIES_MAX * WX_POLICY_CONDITIONS_MAX)
#define SLOT_WORDS (SLOTS_MAX / 64)
#define COND_WORDS (CONDS_MAX / 64)
#define PCACHE 512              /* entries of the name-pointer table: 2 x 256 */

/* The default tiers of matching.md, used when the file has no [tiers]. */
#define DEFAULT_TIER1 "imd_decile<=2, fsm_pct>=30"
#define DEFAULT_TIER2 "imd_decile<=4, fsm_pct>=20"

/* How a condition is evaluated.  A bare FIELD is OP_EQ with the value
 * "yes" (flag bare), which is exactly what it means: records store yes/no
 * fields as yes or no. */
enum op {
	OP_EQ,
	OP_LE,
	OP_GE,
	OP_SCORE_LE,
	OP_SCORE_GE
};

struct cond {
	enum op op;
	int bare;           /* written as FIELD alone */
	uint32_t slot;      /* the field's slot (not for score conditions) */
	int64_t n;          /* OP_LE, OP_GE and score conditions */
	char *val;          /* OP_EQ: the value, owned */
	size_t vlen;
	char *text;         /* as written, blanks removed: "imd_decile<=2" */
	unsigned line;
};

struct rule {
	struct cond c;
	int points;
	char *label;        /* "area deprivation decile 2 or less" */
};

/* A field that rules or conditions name, and what to evaluate on it. */
struct slot {
	char *name;
	size_t nlen;
	uint32_t hash;
	size_t nrule, rcap;
	uint32_t *rule;     /* [priority] rules on this field, in file order */
	size_t ncond, ccap;
	uint32_t *cond;     /* conditions of lists (members, tiers) */
};

/* A well-known name (names.h) by the address of its text. */
struct pentry {
	const char *name;   /* NULL for an empty entry */
	size_t nlen;
	long slot;          /* -1: no rule names it */
};

/* The compiled lookups for one form (candidate or request). */
struct ruleset {
	size_t nslot, scap;
	struct slot *slot;
	uint32_t hmask;
	uint32_t *htab;     /* slot index + 1, 0 for empty */
	struct pentry *pcache;   /* PCACHE entries */
	size_t ncond, ccap;
	struct cond *cond;
};

/* A list of conditions, any of which holds (members, a tier). */
struct group {
	size_t n;
	uint32_t cond[WX_POLICY_CONDITIONS_MAX];   /* indices into the ruleset's */
};

struct category {
	char *name;
	uint32_t share;     /* millionths */
	unsigned line;
	struct group members;
};

struct wx_policy {
	char *path;
	char *text;
	size_t len;
	int cap;
	enum wx_policy_fill fill;
	int has_tiers;
	size_t nrule;
	struct rule *rule;
	size_t ncat;
	struct category cat[WX_POLICY_CATEGORIES_MAX];
	struct ruleset cand, req;
	struct group tier[2];
};

/* ---- small helpers ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

static int is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Hash of a field name, computed once per field of every record scored:
 * two word loads and one multiply rather than a multiply per byte (which
 * was most of the cost of a score).  Names up to 16 bytes are hashed
 * whole; longer ones by their length and first and last 8 bytes, which is
 * enough for a table that compares names on a match anyway. */
static uint32_t hash_name(const char *s, size_t n)
{
	uint64_t a = 0, b = 0, h;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else {
		for (size_t i = 0; i < n; i++)
			a |= (uint64_t)(unsigned char)s[i] << (8 * i);
	}
	h = (a ^ ((b << 29) | (b >> 35)) ^ ((uint64_t)n << 56)) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Text of the file for a message, cut to QUOTE_MAX characters on a
 * character boundary.  Lines are checked (valid UTF-8, no control or bidi
 * characters) before anything of them is quoted, so cutting is all it
 * needs. */
struct quoted {
	char s[QUOTE_MAX * 4 + 4];
};

static const char *quote(struct quoted *q, const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n && c < QUOTE_MAX) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	memcpy(q->s, s, i);
	if (i < n)
		memcpy(q->s + i, "...", 4);
	else
		q->s[i] = '\0';
	return q->s;
}

/* ---- the parser ---- */

enum sec {
	SEC_NONE,       /* before the first header */
	SEC_PRIORITY,
	SEC_RESERVE,
	SEC_MATCH,
	SEC_TIERS,
	SEC_SKIP        /* a section whose header was bad: its keys are ignored */
};

struct parser {
	const char *path;
	struct wx_policy *p;
	const struct wx_form *cform, *rform, *eform;
	wx_policy_problem_fn report;
	void *ctx;
	struct wx_err *err;
	unsigned problems;
	int stop;               /* too many problems, or out of memory */
	int nomem;
	const char *prefix;     /* put before messages about the default tiers */
	enum sec sec;
	unsigned sec_line;
	unsigned prio_line, cap_line, match_line, fill_line, tiers_line, tier_line[2];
	struct category *cat;   /* the [reserve] being read */
	unsigned members_line, share_line;
	size_t rcap;            /* allocated rules */
};

static void problem(struct parser *P, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct parser *P, unsigned line, const char *fmt, ...)
{
	char msg[1024], body[900];
	va_list ap;

	if (P->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof msg, "%s:%u: %s%s", P->path, line, P->prefix ? P->prefix : "", body);
	if (P->report)
		P->report(P->ctx, msg);
	wx_err_set(P->err, WX_EDATA, "%s", msg);
	if (++P->problems == PROBLEMS_MAX) {
		snprintf(msg, sizeof msg, "%s:%u: too many problems: the rest of the file was not checked",
			 P->path, line);
		if (P->report)
			P->report(P->ctx, msg);
		P->stop = 1;
	}
}

static void nomem(struct parser *P)
{
	if (!P->nomem) {
		P->nomem = 1;
		P->stop = 1;
		/* the out-of-memory status wins over a data problem seen before */
		P->err->code = WX_OK;
		wx_err_set(P->err, WX_ENOMEM, "%s: out of memory reading the policy", P->path);
	}
}

/* ---- rulesets ---- */

static int slot_of(struct parser *P, struct ruleset *rs, const char *name, uint32_t *out)
{
	size_t nl = strlen(name);
	struct slot *s;

	for (size_t i = 0; i < rs->nslot; i++)
		if (rs->slot[i].nlen == nl && memcmp(rs->slot[i].name, name, nl) == 0) {
			*out = (uint32_t)i;
			return 0;
		}
	if (rs->nslot == SLOTS_MAX) {
		/* cannot happen with a form of at most 1000 fields; kept as a bound
		 * for the bit sets of wx_policy_score */
		problem(P, 1, "more than %d fields named (expected at most %d)", SLOTS_MAX, SLOTS_MAX);
		return -1;
	}
	if (rs->nslot == rs->scap) {
		size_t cap = rs->scap ? rs->scap * 2 : 16;
		struct slot *ns = realloc(rs->slot, cap * sizeof *ns);

		if (!ns) {
			nomem(P);
			return -1;
		}
		rs->slot = ns;
		rs->scap = cap;
	}
	s = &rs->slot[rs->nslot];
	memset(s, 0, sizeof *s);
	s->name = dup_bytes(name, nl);
	if (!s->name) {
		nomem(P);
		return -1;
	}
	s->nlen = nl;
	s->hash = hash_name(name, nl);
	*out = (uint32_t)rs->nslot++;
	return 0;
}

static int push_index(struct parser *P, uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		uint32_t *nv = realloc(*v, nc * sizeof *nv);

		if (!nv) {
			nomem(P);
			return -1;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static void cond_free(struct cond *c)
{
	free(c->val);
	free(c->text);
	c->val = c->text = NULL;
}

static long find_slot(const struct ruleset *rs, const char *name, size_t nl)
{
	uint32_t h = hash_name(name, nl), i = h & rs->hmask, s;

	while ((s = rs->htab[i]) != 0) {
		const struct slot *sl = &rs->slot[s - 1];

		if (sl->hash == h && sl->nlen == nl && memcmp(sl->name, name, nl) == 0)
			return (long)(s - 1);
		i = (i + 1) & rs->hmask;
	}
	return -1;
}

static uint32_t ptr_hash(const char *p)
{
	return (uint32_t)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull) >> 55) & (PCACHE - 1);
}

/* The slot of a record's field name, or -1.  Names the record format stores
 * as references to the frozen table of names.h (every field of the shipped
 * forms) come back from wx_record_iter_next as pointers to that table's
 * text, the same pointer every time: they are found by address, without
 * hashing or comparing their bytes, which halves the cost of a score.  Any
 * other name (a trust's own field, stored as text in the record) misses
 * that table and is looked up by its bytes. */
static long lookup(const struct ruleset *rs, const char *name, size_t nl)
{
	uint32_t i = ptr_hash(name);

	for (;;) {
		const struct pentry *e = &rs->pcache[i];

		if (e->name == name && e->nlen == nl)
			return e->slot;
		if (!e->name)
			break;
		i = (i + 1) & (PCACHE - 1);
	}
	return find_slot(rs, name, nl);
}

/* Build the hash table from field name to slot, sparse (at most a quarter
 * full) so that the lookup of a field no rule names, the common case,
 * usually ends at the first empty entry. */
static int ruleset_finish(struct parser *P, struct ruleset *rs)
{
	size_t cap = 16;

	while (cap < 4 * rs->nslot)
		cap *= 2;
	rs->htab = calloc(cap, sizeof *rs->htab);
	if (!rs->htab) {
		nomem(P);
		return -1;
	}
	rs->hmask = (uint32_t)(cap - 1);
	for (size_t i = 0; i < rs->nslot; i++) {
		uint32_t h = rs->slot[i].hash & rs->hmask;

		while (rs->htab[h])
			h = (h + 1) & rs->hmask;
		rs->htab[h] = (uint32_t)i + 1;
	}
	rs->pcache = calloc(PCACHE, sizeof *rs->pcache);
	if (!rs->pcache) {
		nomem(P);
		return -1;
	}
	/* every index a record can hold (one byte), not only today's names */
	for (unsigned i = 0; i < 256; i++) {
		const char *nm = wx_name_at(i);
		uint32_t h;

		if (!nm)
			continue;
		h = ptr_hash(nm);
		while (rs->pcache[h].name)
			h = (h + 1) & (PCACHE - 1);
		rs->pcache[h].name = nm;
		rs->pcache[h].nlen = strlen(nm);
		rs->pcache[h].slot = find_slot(rs, nm, rs->pcache[h].nlen);
	}
	return 0;
}

static void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nslot; i++) {
		free(rs->slot[i].name);
		free(rs->slot[i].rule);
		free(rs->slot[i].cond);
	}
	free(rs->slot);
	free(rs->htab);
	free(rs->pcache);
	for (size_t i = 0; i < rs->ncond; i++)
		cond_free(&rs->cond[i]);
	free(rs->cond);
}

/* ---- conditions ---- */

/* 1 when b can hold only where a holds (both on one field): then a rule b
 * after a rule a on the same field never counts. */
static int covers(const struct cond *a, const struct cond *b)
{
	int64_t v;

	if (a->op == OP_EQ && b->op == OP_EQ)
		return a->vlen == b->vlen && memcmp(a->val, b->val, a->vlen) == 0;
	if (a->op == OP_LE && b->op == OP_LE)
		return a->n >= b->n;
	if (a->op == OP_GE && b->op == OP_GE)
		return a->n <= b->n;
	/* an exact integer value (stored normalised, so it parses) */
	if (b->op == OP_EQ && (a->op == OP_LE || a->op == OP_GE) &&
	    wx_parse_int(b->val, b->vlen, &v) == WX_OK)
		return a->op == OP_LE ? v <= a->n : v >= a->n;
	return 0;
}

static int same_cond(const struct cond *a, const struct cond *b)
{
	if (a->op == OP_SCORE_LE || a->op == OP_SCORE_GE || b->op == OP_SCORE_LE ||
	    b->op == OP_SCORE_GE)
		return a->op == b->op && a->n == b->n;
	return a->slot == b->slot && covers(a, b) && covers(b, a);
}

/* "a choice field", "an integer field" */
static const char *type_words(enum wx_ftype t)
{
	switch (t) {
	case WX_FT_TEXT: return "a text";
	case WX_FT_INTEGER: return "an integer";
	case WX_FT_DATE: return "a date";
	case WX_FT_DATETIME: return "a date-time";
	case WX_FT_WEEK: return "a week";
	case WX_FT_YESNO: return "a yes/no";
	case WX_FT_CHOICE: return "a choice";
	case WX_FT_LIST: return "a list";
	}
	return "a";
}

static const char *form_word(const struct parser *P, const struct wx_form *form)
{
	return form == P->rform ? "request" : "candidate";
}

/* Parse one condition s (trimmed, non-empty) against form.  With
 * allow_score, score>=N and score<=N are score conditions.  On success c
 * holds the condition (slot not set) and *fout its field (NULL for a score
 * condition).  Returns 0, or -1 after reporting the problem. */
static int parse_cond(struct parser *P, unsigned line, const char *s, size_t n,
		      const struct wx_form *form, int allow_score, struct cond *c,
		      const struct wx_form_field **fout)
{
	const struct wx_form_field *f;
	const char *name = s, *opnd;
	size_t nl = 0, ol;
	struct quoted q1, q2, q3;
	char fname[80], op[3] = "";
	int64_t v;

	memset(c, 0, sizeof *c);
	c->line = line;
	*fout = NULL;
	while (nl < n && s[nl] != '<' && s[nl] != '>' && s[nl] != '=' && s[nl] != '!')
		nl++;
	opnd = s + nl;
	ol = n - nl;
	trim(&name, &nl);
	if (nl == 0) {
		problem(P, line, "%s: no field name (expected FIELD, FIELD=VALUE, FIELD<=N or FIELD>=N)",
			quote(&q1, s, n));
		return -1;
	}
	if (ol >= 2 && (memcmp(opnd, "<=", 2) == 0 || memcmp(opnd, ">=", 2) == 0)) {
		c->op = opnd[0] == '<' ? OP_LE : OP_GE;
		memcpy(op, opnd, 2);
		op[2] = '\0';
		opnd += 2;
		ol -= 2;
	} else if (ol >= 2 && memcmp(opnd, "==", 2) == 0) {
		problem(P, line, "%s: unknown operator '==' (expected =, <= or >=)", quote(&q1, s, n));
		return -1;
	} else if (ol >= 1 && opnd[0] == '=') {
		c->op = OP_EQ;
		strcpy(op, "=");
		opnd++;
		ol--;
	} else if (ol >= 1) {
		size_t k = ol >= 2 && opnd[1] == '=' ? 2 : 1;

		problem(P, line, "%s: unknown operator '%.*s' (expected =, <= or >=)",
			quote(&q1, s, n), (int)k, opnd);
		return -1;
	} else {
		c->op = OP_EQ;
		c->bare = 1;
	}
	trim(&opnd, &ol);
	if (!c->bare && ol == 0) {
		problem(P, line, "%s: nothing after %s (expected %s%s%s)", quote(&q1, s, n), op,
			quote(&q2, name, nl), op, c->op == OP_EQ ? "VALUE" : "N");
		return -1;
	}
	if (nl >= sizeof fname) {
		problem(P, line, "%s: unknown field (expected a field of the %s form)",
			quote(&q1, s, n), form_word(P, form));
		return -1;
	}
	memcpy(fname, name, nl);
	fname[nl] = '\0';

	/* the score, in lists of members */
	if (allow_score && strcmp(fname, "score") == 0 && c->op != OP_EQ) {
		if (wx_parse_int(opnd, ol, &v) != WX_OK) {
			problem(P, line, "%s: '%s' is not a whole number (expected score%sN, N from 0 to %d)",
				quote(&q1, s, n), quote(&q2, opnd, ol), op, WX_POLICY_CAP_MAX);
			return -1;
		}
		if (v < 0 || v > WX_POLICY_CAP_MAX) {
			problem(P, line, "%s: %s is out of range (expected score%sN, N from 0 to %d)",
				quote(&q1, s, n), quote(&q2, opnd, ol), op, WX_POLICY_CAP_MAX);
			return -1;
		}
		c->op = c->op == OP_LE ? OP_SCORE_LE : OP_SCORE_GE;
		c->n = v;
		goto text;
	}

	f = wx_form_find(form, fname);
	if (!f) {
		if (allow_score && strcmp(fname, "score") == 0)
			problem(P, line, "%s: the score takes <= or >= (expected score>=N or score<=N)",
				quote(&q1, s, n));
		else if (!allow_score && form == P->cform && strcmp(fname, "score") == 0)
			problem(P, line, "%s: unknown field: score conditions belong in members "
				"(expected a field of the candidate form)", quote(&q1, s, n));
		else if (P->eform && wx_form_find(P->eform, fname))
			problem(P, line, "%s: %s is an equality-monitoring answer, kept apart and never "
				"used for priority (expected a field of the %s form)",
				quote(&q1, s, n), fname, form_word(P, form));
		else
			problem(P, line, "%s: unknown field (expected a field of the %s form)",
				quote(&q1, s, n), form_word(P, form));
		return -1;
	}
	if (f->special) {
		problem(P, line, "%s: %s is special-category data (special = yes in the %s form), "
			"never used for priority (expected a field without special = yes)",
			quote(&q1, s, n), fname, form_word(P, form));
		return -1;
	}
	if (c->bare) {
		if (f->type != WX_FT_YESNO) {
			problem(P, line, "%s: %s is %s field (expected a yes/no field for a rule "
				"without =, <= or >=, or %s=VALUE)", quote(&q1, s, n), fname,
				type_words(f->type), fname);
			return -1;
		}
		c->val = dup_bytes("yes", 3);
		c->vlen = 3;
		if (!c->val) {
			nomem(P);
			return -1;
		}
	} else if (c->op != OP_EQ) {
		if (f->type != WX_FT_INTEGER) {
			problem(P, line, "%s: %s is %s field (expected an integer field for %s)",
				quote(&q1, s, n), fname, type_words(f->type), op);
			return -1;
		}
		if (wx_parse_int(opnd, ol, &v) != WX_OK) {
			problem(P, line, "%s: '%s' is not a whole number (expected %s%sN)",
				quote(&q1, s, n), quote(&q2, opnd, ol), fname, op);
			return -1;
		}
		c->n = v;
	} else {
		char msg[512], *norm = NULL;
		size_t normlen = 0;
		int rc;

		if (f->type == WX_FT_LIST) {
			problem(P, line, "%s: %s is a list field, and = compares whole values "
				"(expected a field that holds one value)", quote(&q1, s, n), fname);
			return -1;
		}
		rc = wx_field_check(f, opnd, ol, &norm, &normlen, msg, sizeof msg);
		if (rc == WX_ENOMEM || (rc == WX_OK && !norm)) {
			free(norm);
			nomem(P);
			return -1;
		}
		if (rc != WX_OK) {
			problem(P, line, "%s: '%s': %s", quote(&q1, s, n), quote(&q2, opnd, ol), msg);
			return -1;
		}
		if (normlen != ol || memcmp(norm, opnd, ol) != 0) {
			/* records hold the normalised value: this one would never match */
			problem(P, line, "%s: never holds: records store '%s' as '%s' (expected %s=%s)",
				quote(&q1, s, n), quote(&q2, opnd, ol), quote(&q3, norm, normlen),
				fname, q3.s);
			free(norm);
			return -1;
		}
		c->val = norm;
		c->vlen = normlen;
	}
	*fout = f;
text:
	/* the condition with its blanks removed, for messages and explanations */
	{
		size_t tl = nl + strlen(op) + (c->bare ? 0 : ol);

		c->text = malloc(tl + 1);
		if (!c->text) {
			cond_free(c);
			nomem(P);
			return -1;
		}
		memcpy(c->text, name, nl);
		memcpy(c->text + nl, op, strlen(op));
		if (!c->bare)
			memcpy(c->text + nl + strlen(op), opnd, ol);
		c->text[tl] = '\0';
	}
	return 0;
}

/* Parse a comma-separated list of conditions into g and rs. */
static void parse_list(struct parser *P, unsigned line, const char *key, const char *s, size_t n,
		       const struct wx_form *form, int allow_score, struct ruleset *rs,
		       struct group *g)
{
	const char *end = s + n;

	if (n == 0) {
		problem(P, line, "%s is empty (expected conditions separated by commas, such as %s)",
			key, allow_score ? "score>=3, care_experienced" : "imd_decile<=2, fsm_pct>=30");
		return;
	}
	for (;;) {
		const char *e = memchr(s, ',', (size_t)(end - s)), *item = s;
		size_t il = (size_t)((e ? e : end) - s);
		const struct wx_form_field *f;
		struct cond c;
		size_t k;

		trim(&item, &il);
		if (il == 0) {
			problem(P, line, "%s: an empty condition in the list (expected conditions "
				"separated by commas)", key);
		} else if (parse_cond(P, line, item, il, form, allow_score, &c, &f) == 0) {
			if (f && slot_of(P, rs, f->name, &c.slot) < 0) {
				cond_free(&c);
				return;
			}
			for (k = 0; k < g->n; k++)
				if (same_cond(&rs->cond[g->cond[k]], &c))
					break;
			if (k < g->n) {
				problem(P, line, "%s: %s given twice in the list (expected each condition once)",
					key, c.text);
				cond_free(&c);
			} else if (g->n == WX_POLICY_CONDITIONS_MAX) {
				problem(P, line, "%s: more than %d conditions (expected at most %d)", key,
					WX_POLICY_CONDITIONS_MAX, WX_POLICY_CONDITIONS_MAX);
				cond_free(&c);
				return;
			} else {
				if (rs->ncond == rs->ccap) {
					size_t cap = rs->ccap ? rs->ccap * 2 : 16;
					struct cond *nc = realloc(rs->cond, cap * sizeof *nc);

					if (!nc) {
						cond_free(&c);
						nomem(P);
						return;
					}
					rs->cond = nc;
					rs->ccap = cap;
				}
				if (f && push_index(P, &rs->slot[c.slot].cond, &rs->slot[c.slot].ncond,
						    &rs->slot[c.slot].ccap, (uint32_t)rs->ncond) < 0) {
					cond_free(&c);
					return;
				}
				g->cond[g->n++] = (uint32_t)rs->ncond;
				rs->cond[rs->ncond++] = c;
			}
		}
		if (P->stop || !e)
			return;
		s = e + 1;
	}
}

/* ---- labels for explanations ---- */

/* A form label as words inside a sentence: "Care experienced" becomes
 * "care experienced"; "DBS check" stays (an initialism). */
static void put_label(char *out, size_t cap, const char *label)
{
	snprintf(out, cap, "%s", label);
	if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
		out[0] = (char)(out[0] - 'A' + 'a');
}

static char *rule_label(const struct cond *c, const struct wx_form_field *f)
{
	char lab[300], buf[700];
	const char *v = c->val;

	put_label(lab, sizeof lab, f->label ? f->label : f->name);
	if (c->bare) {
		snprintf(buf, sizeof buf, "%s", lab);
	} else if (c->op == OP_EQ) {
		/* a choice from a list file has a label of its own */
		for (size_t i = 0; f->choices && i < f->choices->n; i++)
			if (strcmp(f->choices->v[i].code, c->val) == 0)
				v = f->choices->v[i].label;
		snprintf(buf, sizeof buf, "%s is %.300s", lab, v);
	} else {
		snprintf(buf, sizeof buf, "%s %" PRId64 " or %s", lab, c->n,
			 c->op == OP_LE ? "less" : "more");
	}
	return strdup(buf);
}

/* ---- sections and keys ---- */

static void end_section(struct parser *P)
{
	switch (P->sec) {
	case SEC_PRIORITY:
		if (!P->cap_line)
			problem(P, P->sec_line, "[priority] has no cap (expected cap = the most points "
				"a candidate can have, 0 to %d, such as cap = 10)", WX_POLICY_CAP_MAX);
		break;
	case SEC_RESERVE:
		if (!P->members_line)
			problem(P, P->sec_line, "[reserve %s] has no members (expected members = "
				"conditions, such as members = score>=3, care_experienced)", P->cat->name);
		if (!P->share_line)
			problem(P, P->sec_line, "[reserve %s] has no share (expected share = a decimal "
				"above 0 and at most 1, such as share = 0.5)", P->cat->name);
		break;
	case SEC_TIERS:
		for (int t = 0; t < 2; t++)
			if (!P->tier_line[t])
				problem(P, P->sec_line, "[tiers] has no tier%d (expected tier%d = conditions, "
					"such as tier%d = %s: the section replaces the default tiers)",
					t + 1, t + 1, t + 1, t == 0 ? DEFAULT_TIER1 : DEFAULT_TIER2);
		break;
	default:
		break;
	}
	P->sec = SEC_NONE;
	P->cat = NULL;
}

static int is_cat_name(const char *s, size_t n)
{
	if (n < 1 || n > NAME_MAX_LEN || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* A once-only section: 1 when it is the first, else reports and skips. */
static int first_section(struct parser *P, unsigned line, unsigned *seen, const char *what)
{
	if (*seen) {
		problem(P, line, "%s given twice (first on line %u; expected each section once)",
			what, *seen);
		P->sec = SEC_SKIP;
		return 0;
	}
	*seen = line;
	return 1;
}

static void header(struct parser *P, unsigned line, const char *s, size_t n)
{
	struct wx_policy *p = P->p;
	const char *in = s + 1, *close = memchr(s, ']', n), *after;
	size_t il, al;
	struct quoted q1;

	end_section(P);
	P->sec = SEC_SKIP;
	P->sec_line = line;
	if (!close) {
		problem(P, line, "section header without ] (expected [NAME])");
		return;
	}
	after = close + 1;
	al = (size_t)(s + n - after);
	trim(&after, &al);
	if (al) {
		problem(P, line, "text after the section header (expected a comment starting with ; or #)");
		return;
	}
	il = (size_t)(close - in);
	trim(&in, &il);
	if (is_word(in, il, "priority")) {
		if (first_section(P, line, &P->prio_line, "[priority]"))
			P->sec = SEC_PRIORITY;
	} else if (is_word(in, il, "match")) {
		if (first_section(P, line, &P->match_line, "[match]"))
			P->sec = SEC_MATCH;
	} else if (is_word(in, il, "tiers")) {
		if (first_section(P, line, &P->tiers_line, "[tiers]")) {
			P->sec = SEC_TIERS;
			p->has_tiers = 1;
		}
	} else if (il >= 7 && memcmp(in, "reserve", 7) == 0 && (il == 7 || is_blank(in[7]))) {
		const char *name = in + 7;
		size_t nl = il - 7;
		struct category *c;

		trim(&name, &nl);
		if (nl == 0) {
			problem(P, line, "[reserve] without a name (expected [reserve NAME], such as [reserve wp])");
			return;
		}
		if (!is_cat_name(name, nl)) {
			problem(P, line, "bad category name '%s' (expected a-z, then up to %d of a-z, 0-9 "
				"and _, such as [reserve wp])", quote(&q1, name, nl), NAME_MAX_LEN - 1);
			return;
		}
		for (size_t k = 0; k < p->ncat; k++)
			if (is_word(name, nl, p->cat[k].name)) {
				problem(P, line, "[reserve %s] given twice (first on line %u; expected each "
					"category once)", p->cat[k].name, p->cat[k].line);
				return;
			}
		if (p->ncat == WX_POLICY_CATEGORIES_MAX) {
			problem(P, line, "more than %d reserve categories (expected at most %d)",
				WX_POLICY_CATEGORIES_MAX, WX_POLICY_CATEGORIES_MAX);
			return;
		}
		c = &p->cat[p->ncat];
		memset(c, 0, sizeof *c);
		c->name = dup_bytes(name, nl);
		if (!c->name) {
			nomem(P);
			return;
		}
		c->line = line;
		p->ncat++;
		P->cat = c;
		P->members_line = P->share_line = 0;
		P->sec = SEC_RESERVE;
	} else {
		problem(P, line, "unknown section [%s] (expected [priority], [reserve NAME], [match] "
			"or [tiers])", quote(&q1, in, il));
	}
}

/* A once-only key: 1 when it is the first, else reports. */
static int first_key(struct parser *P, unsigned line, unsigned *seen, const char *key)
{
	if (*seen) {
		problem(P, line, "%s given twice (first on line %u; expected it once)", key, *seen);
		return 0;
	}
	*seen = line;
	return 1;
}

/* A whole number from 0 to max, digits only. */
static int parse_count(const char *s, size_t n, int max, int *out)
{
	int64_t v;

	if (n == 0 || n > 9 || s[0] == '+' || s[0] == '-' || wx_parse_int(s, n, &v) != WX_OK)
		return -1;
	if (v > max)
		return -2;
	*out = (int)v;
	return 0;
}

/* D[.DDDDDD] or .DDDDDD in millionths, exactly: 0, -1 (not a decimal),
 * -2 (more than 6 decimals) or -3 (not above 0 and at most 1). */
static int parse_share(const char *s, size_t n, uint32_t *out)
{
	size_t i = 0, ip = 0, fd = 0;
	uint64_t whole = 0, frac = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ip++)
		if (whole <= 1)
			whole = whole * 10 + (uint64_t)(s[i] - '0');   /* 2 or more: too big anyway */
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++)
			if (fd < 6)
				frac = frac * 10 + (uint64_t)(s[i] - '0');
		if (fd == 0)
			return -1;   /* "1." or "." */
	}
	if (i != n || ip + fd == 0)
		return -1;
	if (fd > 6)
		return -2;
	for (size_t k = fd; k < 6; k++)
		frac *= 10;
	if (whole > 1 || (whole == 1 && frac > 0) || (whole == 0 && frac == 0))
		return -3;
	*out = (uint32_t)(whole * WX_POLICY_SHARE_ONE + frac);
	return 0;
}

static void priority_key(struct parser *P, unsigned line, const char *key, size_t kl,
			 const char *val, size_t vl)
{
	struct wx_policy *p = P->p;
	const struct wx_form_field *f;
	struct quoted q1, q2;
	struct rule *r;
	struct cond c;
	int pts, rc;

	if (is_word(key, kl, "cap")) {
		if (!first_key(P, line, &P->cap_line, "cap"))
			return;
		rc = parse_count(val, vl, WX_POLICY_CAP_MAX, &p->cap);
		if (rc == -1)
			problem(P, line, "cap '%s' is not a whole number (expected 0 to %d, such as cap = 10)",
				quote(&q1, val, vl), WX_POLICY_CAP_MAX);
		else if (rc == -2)
			problem(P, line, "cap '%s' is out of range (expected a whole number from 0 to %d)",
				quote(&q1, val, vl), WX_POLICY_CAP_MAX);
		return;
	}
	rc = parse_count(val, vl, WX_POLICY_POINTS_MAX, &pts);
	if (rc == -1 && vl && ((val[0] >= 'a' && val[0] <= 'z') || (val[0] >= 'A' && val[0] <= 'Z')) &&
	    !memchr(key, '<', kl) && !memchr(key, '>', kl) && !memchr(key, '=', kl)) {
		/* "route=neet" alone, split at its =, is a bare rule with points
		 * "neet": a word where the points should be means they are missing */
		problem(P, line, "'%s=%s' has no points (expected RULE = POINTS, such as "
			"care_experienced = 4)", quote(&q1, key, kl), quote(&q2, val, vl));
		return;
	}
	if (parse_cond(P, line, key, kl, P->cform, 0, &c, &f) < 0)
		return;
	if (rc < 0) {
		problem(P, line, "%s: points '%s' %s (expected a whole number from 0 to %d)", c.text,
			quote(&q2, val, vl), rc == -1 ? "are not a whole number" : "are out of range",
			WX_POLICY_POINTS_MAX);
		cond_free(&c);
		return;
	}
	if (slot_of(P, &p->cand, f->name, &c.slot) < 0) {
		cond_free(&c);
		return;
	}
	/* for one field the first rule that holds counts: one that can hold
	 * only where an earlier one holds would never count */
	for (size_t i = 0; i < p->cand.slot[c.slot].nrule; i++) {
		const struct rule *e = &p->rule[p->cand.slot[c.slot].rule[i]];

		if (covers(&e->c, &c)) {
			if (covers(&c, &e->c))
				problem(P, line, "%s given twice (first on line %u; expected each rule once)",
					c.text, e->c.line);
			else
				problem(P, line, "%s never counts: the earlier rule %s (line %u) holds "
					"whenever it does, and for one field only the first rule that holds "
					"counts (expected the narrower rule first)", c.text, e->c.text,
					e->c.line);
			cond_free(&c);
			return;
		}
	}
	if (p->nrule == WX_POLICY_RULES_MAX) {
		problem(P, line, "more than %d rules (expected at most %d)", WX_POLICY_RULES_MAX,
			WX_POLICY_RULES_MAX);
		cond_free(&c);
		return;
	}
	if (p->nrule == P->rcap) {
		size_t cap = P->rcap ? P->rcap * 2 : 16;
		struct rule *nr = realloc(p->rule, cap * sizeof *nr);

		if (!nr) {
			cond_free(&c);
			nomem(P);
			return;
		}
		p->rule = nr;
		P->rcap = cap;
	}
	if (push_index(P, &p->cand.slot[c.slot].rule, &p->cand.slot[c.slot].nrule,
		       &p->cand.slot[c.slot].rcap, (uint32_t)p->nrule) < 0) {
		cond_free(&c);
		return;
	}
	r = &p->rule[p->nrule++];
	r->c = c;
	r->points = pts;
	r->label = rule_label(&c, f);
	if (!r->label)
		nomem(P);
}

static void reserve_key(struct parser *P, unsigned line, const char *key, size_t kl,
			const char *val, size_t vl)
{
	struct category *c = P->cat;
	struct quoted q1;
	int rc;

	if (is_word(key, kl, "members")) {
		if (first_key(P, line, &P->members_line, "members"))
			parse_list(P, line, "members", val, vl, P->cform, 1, &P->p->cand, &c->members);
	} else if (is_word(key, kl, "share")) {
		if (!first_key(P, line, &P->share_line, "share"))
			return;
		rc = parse_share(val, vl, &c->share);
		if (rc == -1)
			problem(P, line, "share '%s' is not a decimal (expected a decimal above 0 and at "
				"most 1, such as 0.5)", quote(&q1, val, vl));
		else if (rc == -2)
			problem(P, line, "share '%s' has more than 6 decimals (expected at most 6, such "
				"as 0.125)", quote(&q1, val, vl));
		else if (rc == -3)
			problem(P, line, "share '%s' is out of range (expected a decimal above 0 and at "
				"most 1, such as 0.5)", quote(&q1, val, vl));
	} else {
		problem(P, line, "unknown key '%s' in [reserve %s] (expected members or share)",
			quote(&q1, key, kl), c->name);
	}
}

static void match_key(struct parser *P, unsigned line, const char *key, size_t kl,
		      const char *val, size_t vl)
{
	struct quoted q1;

	if (!is_word(key, kl, "fill_order")) {
		problem(P, line, "unknown key '%s' in [match] (expected fill_order)", quote(&q1, key, kl));
		return;
	}
	if (!first_key(P, line, &P->fill_line, "fill_order"))
		return;
	if (is_word(val, vl, "open-first"))
		P->p->fill = WX_POLICY_OPEN_FIRST;
	else if (is_word(val, vl, "reserve-first"))
		P->p->fill = WX_POLICY_RESERVE_FIRST;
	else
		problem(P, line, "unknown fill_order '%s' (expected open-first or reserve-first)",
			quote(&q1, val, vl));
}

static void tiers_key(struct parser *P, unsigned line, const char *key, size_t kl,
		      const char *val, size_t vl)
{
	struct quoted q1;
	int t = is_word(key, kl, "tier1") ? 0 : is_word(key, kl, "tier2") ? 1 : -1;

	if (t < 0) {
		problem(P, line, "unknown key '%s' in [tiers] (expected tier1 or tier2; tier 3 is "
			"every other request)", quote(&q1, key, kl));
		return;
	}
	if (first_key(P, line, &P->tier_line[t], t ? "tier2" : "tier1"))
		parse_list(P, line, t ? "tier2" : "tier1", val, vl, P->rform, 0, &P->p->req,
			   &P->p->tier[t]);
}

static void key_line(struct parser *P, unsigned line, const char *s, size_t n)
{
	/* in [priority] a rule's key holds = itself (route=neet = 3): the
	 * points are after the last =; elsewhere keys are plain words and
	 * values (members) hold =: the value starts after the first */
	const char *eq = NULL, *key = s, *val;
	size_t kl, vl;
	struct quoted q1;

	if (P->sec == SEC_SKIP)
		return;
	if (P->sec == SEC_NONE) {
		problem(P, line, "a key outside a section (expected a [priority], [reserve NAME], "
			"[match] or [tiers] header first)");
		return;
	}
	if (P->sec == SEC_PRIORITY) {
		for (size_t i = n; i-- > 0;)
			if (s[i] == '=') {
				eq = s + i;
				break;
			}
	} else {
		eq = memchr(s, '=', n);
	}
	if (!eq) {
		if (P->sec == SEC_PRIORITY)
			problem(P, line, "'%s' has no points (expected RULE = POINTS, such as "
				"care_experienced = 4)", quote(&q1, s, n));
		else
			problem(P, line, "'%s' has no = (expected KEY = VALUE)", quote(&q1, s, n));
		return;
	}
	kl = (size_t)(eq - s);
	val = eq + 1;
	vl = n - kl - 1;
	trim(&key, &kl);
	trim(&val, &vl);
	if (kl == 0) {
		problem(P, line, "nothing before = (expected KEY = VALUE)");
		return;
	}
	switch (P->sec) {
	case SEC_PRIORITY:
		priority_key(P, line, key, kl, val, vl);
		break;
	case SEC_RESERVE:
		reserve_key(P, line, key, kl, val, vl);
		break;
	case SEC_MATCH:
		match_key(P, line, key, kl, val, vl);
		break;
	case SEC_TIERS:
		tiers_key(P, line, key, kl, val, vl);
		break;
	default:
		break;
	}
}

/* Check one physical line's characters: valid UTF-8, no control characters
 * but tab, no bidirectional controls (they can make a line display
 * differently from what it says).  Returns 0, or -1 after reporting. */
static int check_chars(struct parser *P, unsigned line, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t col = 1;

	for (size_t i = 0; i < n; col++) {
		unsigned long cp;
		size_t k = wx_utf8_decode(u + i, n - i, &cp);

		if (k == 0) {
			problem(P, line, "byte 0x%02X at column %zu is not UTF-8 (expected UTF-8 text)",
				u[i], col);
			return -1;
		}
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F)) {
			problem(P, line, "control character U+%04lX at column %zu (expected text "
				"without control characters)", cp, col);
			return -1;
		}
		if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
			problem(P, line, "bidirectional control U+%04lX at column %zu (expected text "
				"without them: they make a line show differently from what it says)",
				cp, col);
			return -1;
		}
		i += k;
	}
	return 0;
}

/* The line without its comment: ; or # at the start or after a blank. */
static size_t strip_comment(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] == ';' || s[i] == '#') && (i == 0 || is_blank(s[i - 1])))
			return i;
	return n;
}

static void parse_text(struct parser *P, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && !P->stop) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *s = p;
		size_t n = (size_t)((nl ? nl : end) - p);

		line++;
		p = nl ? nl + 1 : end;
		if (n && s[n - 1] == '\r')
			n--;
		if (check_chars(P, line, s, n) < 0)
			continue;
		n = strip_comment(s, n);
		trim(&s, &n);
		if (n == 0)
			continue;
		if (s[0] == '[')
			header(P, line, s, n);
		else
			key_line(P, line, s, n);
	}
	if (!P->stop)
		end_section(P);
}

int wx_policy_parse(struct wx_policy **out, const char *path, const char *buf, size_t len,
		    const struct wx_forms *forms, wx_policy_problem_fn report, void *ctx,
		    struct wx_err *err)
{
	struct wx_err local;
	struct parser P;
	struct wx_policy *p;

	*out = NULL;
	if (!err) {
		wx_err_clear(&local);
		err = &local;
	}
	if (!path)
		path = "policy";
	if (!forms || !forms->form[WX_KIND_CANDIDATE] || !forms->form[WX_KIND_REQUEST])
		return wx_err_set(err, WX_EUSAGE, "%s: no candidate and request forms to check the "
				  "policy against", path);
	memset(&P, 0, sizeof P);
	P.path = path;
	P.cform = forms->form[WX_KIND_CANDIDATE];
	P.rform = forms->form[WX_KIND_REQUEST];
	P.eform = forms->form[WX_KIND_EQUALITY];
	P.report = report;
	P.ctx = ctx;
	P.err = err;
	if (len > WX_POLICY_FILE_MAX) {
		problem(&P, 1, "file larger than 1 MiB (%d bytes)", WX_POLICY_FILE_MAX);
		return WX_EDATA;
	}
	p = calloc(1, sizeof *p);
	if (!p)
		return wx_err_set(err, WX_ENOMEM, "%s: out of memory reading the policy", path);
	P.p = p;
	p->fill = WX_POLICY_OPEN_FIRST;
	p->path = strdup(path);
	p->text = dup_bytes(buf ? buf : "", buf ? len : 0);
	p->len = buf ? len : 0;
	if (!p->path || !p->text)
		nomem(&P);
	else
		parse_text(&P, buf ? buf : "", p->len);
	if (!P.stop && !P.prio_line)
		problem(&P, 1, "no [priority] section (expected [priority] with cap = N and the "
			"rules, such as care_experienced = 4)");
	if (!P.stop && !p->has_tiers) {
		P.prefix = "the default tiers (the file has no [tiers]): ";
		parse_list(&P, 1, "tier1", DEFAULT_TIER1, strlen(DEFAULT_TIER1), P.rform, 0, &p->req,
			   &p->tier[0]);
		parse_list(&P, 1, "tier2", DEFAULT_TIER2, strlen(DEFAULT_TIER2), P.rform, 0, &p->req,
			   &p->tier[1]);
		P.prefix = NULL;
	}
	if (!P.stop && P.problems == 0) {
		ruleset_finish(&P, &p->cand);
		ruleset_finish(&P, &p->req);
	}
	if (P.nomem || P.problems) {
		wx_policy_free(p);
		return P.nomem ? WX_ENOMEM : WX_EDATA;
	}
	*out = p;
	return WX_OK;
}

void wx_policy_free(struct wx_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrule; i++) {
		cond_free(&p->rule[i].c);
		free(p->rule[i].label);
	}
	free(p->rule);
	for (size_t k = 0; k < p->ncat; k++)
		free(p->cat[k].name);
	ruleset_free(&p->cand);
	ruleset_free(&p->req);
	free(p->path);
	free(p->text);
	free(p);
}

/* ---- scoring ---- */

static int holds(const struct cond *c, const char *v, size_t vl)
{
	int64_t x;

	switch (c->op) {
	case OP_EQ:
		return vl == c->vlen && memcmp(v, c->val, vl) == 0;
	case OP_LE:
		return wx_parse_int(v, vl, &x) == WX_OK && x <= c->n;
	case OP_GE:
		return wx_parse_int(v, vl, &x) == WX_OK && x >= c->n;
	default:
		return 0;
	}
}

static int group_holds(const struct ruleset *rs, const struct group *g, const uint64_t *held,
		       int score)
{
	for (size_t i = 0; i < g->n; i++) {
		uint32_t k = g->cond[i];
		const struct cond *c = &rs->cond[k];

		if (c->op == OP_SCORE_GE ? score >= c->n :
		    c->op == OP_SCORE_LE ? score <= c->n :
		    (held[k / 64] >> (k % 64)) & 1)
			return 1;
	}
	return 0;
}

/* One pass over the record's fields: for each field a rule names, the
 * points of its first rule that holds (into *raw, and why) and the bits of
 * its list conditions that hold.  A field given twice (only in a damaged
 * record: the store refuses it) counts once, like wx_record_peek. */
static int pass(const struct wx_policy *p, const struct ruleset *rs, const void *rec, size_t len,
		uint64_t *held, int *raw, struct wx_policy_why *why)
{
	uint64_t seen[SLOT_WORDS];
	struct wx_record_iter it;
	const char *name, *val;
	size_t nl, vl;
	int rc;

	memset(seen, 0, ((rs->nslot + 63) / 64) * sizeof *seen);
	memset(held, 0, ((rs->ncond + 63) / 64) * sizeof *held);
	if (wx_record_iter_init(&it, rec, len, NULL) != WX_OK)
		return WX_EDATA;
	while ((rc = wx_record_iter_next(&it, &name, &nl, &val, &vl)) == WX_OK) {
		long s = lookup(rs, name, nl);
		const struct slot *sl;

		if (s < 0 || (seen[s / 64] >> (s % 64)) & 1)
			continue;
		seen[s / 64] |= (uint64_t)1 << (s % 64);
		sl = &rs->slot[s];
		for (size_t i = 0; i < sl->nrule; i++) {
			const struct rule *r = &p->rule[sl->rule[i]];

			if (holds(&r->c, val, vl)) {
				*raw += r->points;
				if (why)
					why->rule[why->n++] = (uint16_t)sl->rule[i];
				break;
			}
		}
		for (size_t i = 0; i < sl->ncond; i++) {
			uint32_t k = sl->cond[i];

			if (holds(&rs->cond[k], val, vl))
				held[k / 64] |= (uint64_t)1 << (k % 64);
		}
	}
	return rc == WX_ENOTFOUND ? WX_OK : WX_EDATA;
}

int wx_policy_score(const struct wx_policy *p, const void *rec, size_t len, int *score,
		    uint32_t *members, struct wx_policy_why *why)
{
	uint64_t held[COND_WORDS];
	uint32_t m = 0;
	int raw = 0, sc;

	*score = 0;
	if (members)
		*members = 0;
	if (why) {
		why->raw = 0;
		why->n = 0;
	}
	if (pass(p, &p->cand, rec, len, held, &raw, why) != WX_OK) {
		if (why)
			why->n = 0;
		return WX_EDATA;
	}
	sc = raw < p->cap ? raw : p->cap;
	for (size_t k = 0; k < p->ncat; k++)
		if (group_holds(&p->cand, &p->cat[k].members, held, sc))
			m |= (uint32_t)1 << k;
	if (why) {
		/* rules were found in the record's field order: put them in the
		 * policy's (a handful, so insertion sort) */
		for (size_t i = 1; i < why->n; i++) {
			uint16_t x = why->rule[i];
			size_t j = i;

			for (; j > 0 && why->rule[j - 1] > x; j--)
				why->rule[j] = why->rule[j - 1];
			why->rule[j] = x;
		}
		why->raw = raw;
	}
	*score = sc;
	if (members)
		*members = m;
	return WX_OK;
}

int wx_policy_tier(const struct wx_policy *p, const void *rec, size_t len, int *tier)
{
	uint64_t held[COND_WORDS];
	int raw = 0;

	*tier = 3;
	if (pass(p, &p->req, rec, len, held, &raw, NULL) != WX_OK)
		return WX_EDATA;
	if (group_holds(&p->req, &p->tier[0], held, 0))
		*tier = 1;
	else if (group_holds(&p->req, &p->tier[1], held, 0))
		*tier = 2;
	return WX_OK;
}

/* ---- explanations ---- */

struct out {
	char *buf;
	size_t cap, len;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL, o->len < o->cap ? o->cap - o->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

size_t wx_policy_explain(const struct wx_policy *p, const struct wx_policy_why *why, char *buf,
			 size_t cap)
{
	struct out o = { buf, cap, 0 };
	int score = why->raw < p->cap ? why->raw : p->cap;

	if (cap)
		buf[0] = '\0';
	if (why->n == 0)
		outf(&o, "no priority factors; ");
	for (size_t i = 0; i < why->n; i++)
		if (why->rule[i] < p->nrule)
			outf(&o, "%s: %d; ", p->rule[why->rule[i]].label, p->rule[why->rule[i]].points);
	if (why->raw > p->cap)
		outf(&o, "total %d (%d before the cap of %d)", score, why->raw, p->cap);
	else
		outf(&o, "total %d (cap %d)", score, p->cap);
	return o.len;
}

/* ---- accessors ---- */

int wx_policy_cap(const struct wx_policy *p)
{
	return p->cap;
}

enum wx_policy_fill wx_policy_fill_order(const struct wx_policy *p)
{
	return p->fill;
}

const char *wx_policy_fill_name(enum wx_policy_fill f)
{
	return f == WX_POLICY_RESERVE_FIRST ? "reserve-first" : "open-first";
}

size_t wx_policy_ncategories(const struct wx_policy *p)
{
	return p->ncat;
}

const char *wx_policy_category_name(const struct wx_policy *p, size_t k)
{
	return k < p->ncat ? p->cat[k].name : NULL;
}

uint32_t wx_policy_category_share(const struct wx_policy *p, size_t k)
{
	return k < p->ncat ? p->cat[k].share : 0;
}

size_t wx_policy_nrules(const struct wx_policy *p)
{
	return p->nrule;
}

const char *wx_policy_rule_text(const struct wx_policy *p, size_t i)
{
	return i < p->nrule ? p->rule[i].c.text : NULL;
}

int wx_policy_rule_points(const struct wx_policy *p, size_t i)
{
	return i < p->nrule ? p->rule[i].points : 0;
}

const char *wx_policy_rule_label(const struct wx_policy *p, size_t i)
{
	return i < p->nrule ? p->rule[i].label : NULL;
}

int wx_policy_has_tiers(const struct wx_policy *p)
{
	return p->has_tiers;
}

const char *wx_policy_text(const struct wx_policy *p, size_t *len)
{
	if (len)
		*len = p->len;
	return p->text;
}

const char *wx_policy_path(const struct wx_policy *p)
{
	return p->path;
}

/* ---- the shipped default ---- */

/* Forms-independent text: checked against whatever forms are loaded, like
 * a trust's own file, so a trust that removed a field it names gets the
 * same FILE:LINE message as for its own policy. */
static const char default_text[] =
	"# wexmatch priority policy: the shipped default.\n"
	"#\n"
	"# The points below are wexmatch's default widening-participation\n"
	"# priority: socio-economic and contextual disadvantage only, never\n"
	"# ethnicity, sex or another protected characteristic (Equality Act 2010\n"
	"# s.158; disability may be favoured, s.13(3)).  Equality-monitoring\n"
	"# answers cannot be named here.  To change it, save it with\n"
	"# `wexmatch policy show > FILE`, edit the copy, check it with\n"
	"# `wexmatch policy check FILE` and load it with `wexmatch policy set FILE`.\n"
	"#\n"
	"# RULE = POINTS.  A bare field counts when it is yes; FIELD=VALUE when\n"
	"# the value is exactly VALUE; FIELD<=N and FIELD>=N compare numbers.  For\n"
	"# one field the first rule that holds counts; the total is capped.\n"
	"\n"
	"[priority]\n"
	"cap = 10\n"
	"care_experienced = 4          ; UCAS, contextual admissions, OfS\n"
	"fsm = 3                       ; free school meals, ever in secondary school\n"
	"refugee = 3                   ; refugee or asylum seeker\n"
	"route=neet = 3                ; not in education, employment or training\n"
	"route=returner_health = 3     ; returning after ill health or incapacity\n"
	"route=returner_carer = 3      ; returning after caring\n"
	"imd_decile<=2 = 3             ; home in IMD decile 1-2 ...\n"
	"imd_decile<=4 = 2             ; ... or 3-4 (the first rule that holds counts)\n"
	"young_carer = 2               ; young or adult carer\n"
	"estranged = 2                 ; estranged from family\n"
	"first_in_family = 2           ; first in family to higher education\n"
	"prior_experience=no = 2       ; no previous workplace experience\n"
	"# Disability counts only when the person opted in: the candidate form's\n"
	"# disability field is yes only when they asked for it to count towards\n"
	"# priority (empty or no otherwise).\n"
	"disability = 2\n"
	"service_child = 1             ; child of a service family\n"
	"\n"
	"# A soft reserve: a share of each placement's seats goes first to the\n"
	"# groups the NHS work experience commitment names (people not in\n"
	"# education, employment or training, people returning after ill health,\n"
	"# incapacity or caring) and to care leavers, who are far more likely than\n"
	"# their peers to be out of education, employment or training.  Each of\n"
	"# them scores 3 or 4 on that factor alone, so a pupil who adds up several\n"
	"# smaller factors outranks them everywhere; the reserve keeps them some\n"
	"# seats.  A seat nobody in the group wants goes to the next person in\n"
	"# priority order: none is wasted.  (A reserve defined by the score alone,\n"
	"# such as score>=3, would change no allocation: its members are already\n"
	"# first in the priority order.)\n"
	"# A quarter, rounded half up: one seat at placements of 2 to 5 seats, two\n"
	"# at 6 to 9, and none at single-seat placements, whose only seat would\n"
	"# otherwise be taken from priority order altogether.\n"
	"[reserve wp]\n"
	"members = care_experienced, route=neet, route=returner_health, route=returner_carer\n"
	"share = 0.25\n"
	"\n"
	"[match]\n"
	"# open-first gives the reserve's members the most seats at a placement\n"
	"# (Dur, Kominers, Pathak and Sonmez 2018).\n"
	"fill_order = open-first\n"
	"\n"
	"# Ambassador requests: tier 1 is served first, then tier 2, then the rest.\n"
	"[tiers]\n"
	"tier1 = " DEFAULT_TIER1 "    ; IMD decile 1-2, or 30% or more on free school meals\n"
	"tier2 = " DEFAULT_TIER2 "    ; IMD decile 3-4, or 20% or more\n";

const char *wx_policy_default_text(void)
{
	return default_text;
}
