/* policy.h: the priority policy (matching.md, sections 4 and 5, and
 * "Ambassadors" 3): the points a candidate gets, the reserve categories, the
 * fill order and the tiers of ambassador requests, read from a file a trust
 * can read and change.  Core code: it parses text it is given, reads encoded
 * records in place, and prints nothing.
 *
 * POLICY FILE FORMAT
 *
 * The file is UTF-8 text (a leading byte order mark is ignored; lines may end
 * in LF or CR LF; control characters other than tab, and bidirectional
 * control characters U+202A..U+202E and U+2066..U+2069, are refused), at most
 * 1 MiB.  It is made of sections, each a header line "[NAME]" followed by
 * "KEY = VALUE" lines.  Blanks (spaces and tabs) around headers, keys, values
 * and operators are ignored.  A comment starts with ";" or "#" at the start
 * of a line or after a blank, and runs to the end of the line, so
 * "cap = 10   ; the most" is "cap = 10".  Empty lines are ignored.  Keys,
 * section names and values are case-sensitive.
 *
 *   [priority]                 required, once
 *   cap = N                    required: the most points a candidate can
 *                              have, a whole number from 0 to 1000
 *   RULE = POINTS              any number (at most 256), POINTS a whole number
 *                              from 0 to 100
 *
 * A RULE is one of (FIELD a field of the candidate form):
 *   FIELD            holds when the value is exactly "yes" (records store
 *                    yes/no fields as yes or no); FIELD must be a yes/no field
 *   FIELD=VALUE      holds when the value is exactly VALUE (bytes compared);
 *                    FIELD must not be a list field; VALUE must be a value the
 *                    field can hold, written as records store it (for a choice
 *                    field one of its codes: route=neet, not route=NEET)
 *   FIELD<=N         holds when the value is a whole number at most N (at
 *   FIELD>=N         least N); FIELD must be an integer field, N a whole number
 * A rule on a field the record lacks, or on an empty value, does not hold;
 * <= and >= do not hold on a value that is not a whole number.  FIELD must
 * not be a special-category field (special = yes in the form): equality data
 * never reaches ranking.  In [priority] the points follow the last "=" of the
 * line, so "route=neet = 3" is the rule route=neet with 3 points; "cap" is
 * always the cap (a field named cap is written cap=yes).
 *
 * A candidate's score is the sum, over the fields the rules name, of the
 * points of the FIRST rule on that field (in file order) that holds, capped
 * at cap.  So
 *   imd_decile<=2 = 3
 *   imd_decile<=4 = 2
 * gives 3 for deciles 1-2 and 2 for deciles 3-4.  A rule that could never
 * count because an earlier rule on the same field holds whenever it does
 * (imd_decile<=4 before imd_decile<=2, or the same rule twice) is an error.
 *
 *   [reserve NAME]             optional, at most 32, in fill order; NAME is
 *                              a-z then up to 31 of a-z, 0-9 and _
 *   members = CONDITIONS       required: a candidate is a member when ANY
 *                              holds; CONDITIONS are separated by commas (at
 *                              most 64): score>=N or score<=N (the capped
 *                              score, N from 0 to 1000), or a RULE as above
 *   share = DECIMAL            required: above 0 and at most 1, at most 6
 *                              decimals ("0.5", "0.58", "1", ".25"); kept
 *                              exactly, as millionths
 * The shares may add up to more than 1: at a placement the category that
 * would pass its capacity gets only what is left, later ones none
 * (matching.md, section 5).
 *
 *   [match]                    optional
 *   fill_order = open-first    the default: open slots first, then the
 *                              categories in file order
 *   fill_order = reserve-first the categories' slots first
 *
 *   [tiers]                    optional: tiers of ambassador requests
 *   tier1 = CONDITIONS         required in the section: a request is tier 1
 *                              when any holds
 *   tier2 = CONDITIONS         required in the section: otherwise tier 2 when
 *                              any holds; otherwise tier 3
 * Here the conditions are RULEs on fields of the request form (no score).
 * Without a [tiers] section the tiers are matching.md's default:
 *   tier1 = imd_decile<=2, fsm_pct>=30
 *   tier2 = imd_decile<=4, fsm_pct>=20
 * A [tiers] section replaces both lines of the default.
 *
 * Unknown sections and keys, a section, category, key, rule or condition
 * given twice, and bad numbers are errors.  Every problem is reported as
 * "FILE:LINE: message", the message saying what is wrong and what was
 * expected.  A key a section lacks is reported at the section's header when
 * the section ends (so after the problems of its own lines), a problem of
 * the whole file (no [priority] section) at line 1, and one of the default
 * tiers (a trust's request form without imd_decile or fsm_pct, and no
 * [tiers]) at line 1 with "the default tiers (the file has no [tiers]): ".
 *
 * The parsed policy keeps the whole source text, byte for byte: a match run
 * records the policy it used, and `wexmatch policy show` prints it. */
#ifndef WEXMATCH_POLICY_H
#define WEXMATCH_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"

#define WX_POLICY_FILE_MAX (1024 * 1024)  /* bytes of a policy file */
#define WX_POLICY_RULES_MAX 256           /* rules in [priority] */
#define WX_POLICY_CATEGORIES_MAX 32       /* reserve categories (bits of members) */
#define WX_POLICY_CONDITIONS_MAX 64       /* conditions in one list */
#define WX_POLICY_POINTS_MAX 100
#define WX_POLICY_CAP_MAX 1000
#define WX_POLICY_SHARE_ONE 1000000u      /* a share of 1, in millionths */

/* The same values as enum wx_fill in match.h. */
enum wx_policy_fill {
	WX_POLICY_OPEN_FIRST = 0,
	WX_POLICY_RESERVE_FIRST = 1
};

struct wx_policy;

/* Called once per problem with the whole line "FILE:LINE: message". */
typedef void (*wx_policy_problem_fn)(void *ctx, const char *msg);

/* Parse a policy file's text (len bytes, not NUL-terminated; path is used in
 * messages only) against the candidate and request forms of forms (the
 * equality form too, to name equality fields in messages).  Parsing goes on
 * after a problem, so report (may be NULL) sees every problem of the file,
 * up to 100 of them; err receives the first.  Returns WX_OK with *out set,
 * WX_EDATA (bad policy), WX_EUSAGE (a form missing) or WX_ENOMEM, with *out
 * NULL on failure. */
int wx_policy_parse(struct wx_policy **out, const char *path, const char *buf, size_t len,
		    const struct wx_forms *forms, wx_policy_problem_fn report, void *ctx,
		    struct wx_err *err);
void wx_policy_free(struct wx_policy *p);

/* The shipped default policy: the table of domain.md, one reserve category
 * and the default tiers, as policy file text (NUL-terminated, static). */
const char *wx_policy_default_text(void);

/* Which rules held for one candidate, for explanations. */
struct wx_policy_why {
	int raw;        /* the points before the cap */
	size_t n;       /* rules that counted (at most one per field) */
	uint16_t rule[WX_POLICY_RULES_MAX];   /* their indices, in file order */
};

/* Score one encoded candidate record (record.h) in place: *score is the
 * capped points, *members (may be NULL) bit k set when the candidate is a
 * member of category k, why (may be NULL) the rules that counted.  One pass
 * over the record's fields; no allocation.  WX_OK, or WX_EDATA when the
 * record is damaged (then *score is 0, *members 0). */
int wx_policy_score(const struct wx_policy *p, const void *rec, size_t len, int *score,
		    uint32_t *members, struct wx_policy_why *why);

/* The tier (1, 2 or 3) of an encoded request record, in *tier.  WX_OK, or
 * WX_EDATA when the record is damaged (then *tier is 3). */
int wx_policy_tier(const struct wx_policy *p, const void *rec, size_t len, int *tier);

/* Write an explanation of a score in words, using the forms' labels:
 * "care experienced: 4; free school meals: 3; total 7 (cap 10)", with
 * "total 10 (12 before the cap of 10)" when the cap took points off, and
 * "no priority factors; total 0 (cap 10)" when no rule held.  Like snprintf:
 * writes at most cap bytes (NUL included) and returns the length the whole
 * text needs. */
size_t wx_policy_explain(const struct wx_policy *p, const struct wx_policy_why *why, char *buf,
			 size_t cap);

/* Accessors. */
int wx_policy_cap(const struct wx_policy *p);
enum wx_policy_fill wx_policy_fill_order(const struct wx_policy *p);
const char *wx_policy_fill_name(enum wx_policy_fill f);   /* "open-first", ... */
size_t wx_policy_ncategories(const struct wx_policy *p);
const char *wx_policy_category_name(const struct wx_policy *p, size_t k);
/* The share of category k in millionths (0.58 -> 580000): exactly
 * num/den = share/WX_POLICY_SHARE_ONE for the slot arithmetic. */
uint32_t wx_policy_category_share(const struct wx_policy *p, size_t k);
size_t wx_policy_nrules(const struct wx_policy *p);
/* Rule i: as written with blanks removed ("imd_decile<=2"), its points, and
 * its words for explanations ("area deprivation decile 2 or less"). */
const char *wx_policy_rule_text(const struct wx_policy *p, size_t i);
int wx_policy_rule_points(const struct wx_policy *p, size_t i);
const char *wx_policy_rule_label(const struct wx_policy *p, size_t i);
/* 1 when the file had a [tiers] section, 0 when the default tiers apply. */
int wx_policy_has_tiers(const struct wx_policy *p);
/* The source text, byte for byte (NUL-terminated; *len may be NULL). */
const char *wx_policy_text(const struct wx_policy *p, size_t *len);
const char *wx_policy_path(const struct wx_policy *p);

#endif
