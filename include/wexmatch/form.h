/* form.h: form definitions (wexmatch-forms(5)) and the validation they
 * drive.  One form per record kind, read from the forms directory; the same
 * form checks a value typed on the screen, given on the command line or
 * imported from a file, gives the columns of import and export, and lays
 * out the data-entry screens. */
#ifndef WEXMATCH_FORM_H
#define WEXMATCH_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/record.h"
#include "wexmatch/regex.h"
#include "wexmatch/store.h"

enum wx_ftype {
	WX_FT_TEXT,
	WX_FT_INTEGER,
	WX_FT_DATE,
	WX_FT_DATETIME,
	WX_FT_WEEK,
	WX_FT_YESNO,
	WX_FT_CHOICE,
	WX_FT_LIST
};

const char *wx_ftype_name(enum wx_ftype t);

struct wx_choice {
	char *code;    /* what records store */
	char *label;   /* shown on screen (the code itself for inline choices) */
};

/* A set of choices: a field's inline `choices`, or a list file such as
 * professions (shared by every field that names it in choices_from). */
struct wx_choices {
	char *name;    /* list file name, or NULL for inline choices */
	size_t n;
	struct wx_choice *v;
};

/* A min or max bound, in the order of its type: the integer itself; days
 * since the epoch for dates; the Monday's day number for weeks; seconds
 * (and nanoseconds) since the epoch for date-times. */
struct wx_bound {
	int set;
	int64_t v;
	int32_t ns;
	char *text;    /* as written in the form, normalised */
};

struct wx_form_field {
	char *name;
	char *label;
	char *help;          /* may be NULL */
	char *section;       /* may be NULL (resolved: inherits from the field before) */
	enum wx_ftype type;
	enum wx_ftype item;  /* type of each item, for WX_FT_LIST */
	int required;
	int special;         /* special-category / monitoring: never read by ranking */
	const struct wx_choices *choices;  /* choice, or list of choice; else NULL */
	struct wx_choices *own_choices;    /* inline choices owned by the field */
	size_t min_length, max_length;     /* characters; max_length 0: no limit */
	size_t min_items, max_items;       /* max_items 0: no limit */
	struct wx_bound min, max;
	char *pattern;       /* source, or NULL */
	char *pattern_help;  /* or NULL */
	struct wx_regex *re; /* compiled pattern, or NULL */
	char *defval;        /* normalised default, or NULL */
	int width;           /* resolved per LAYOUT HINTS (never 0) */
	int lines;           /* >= 1 */
	int list_column;
	int list_width;      /* resolved; 0 unless list_column */
	unsigned line;       /* line of the [field] header */
};

struct wx_form {
	enum wx_kind kind;
	char *path;          /* the file as opened */
	char *label;
	char *help;          /* may be NULL */
	size_t n;
	struct wx_form_field *f;
};

struct wx_forms {
	char *dir;
	struct wx_form *form[WX_KIND_COUNT];
	size_t nlists;
	struct wx_choices **lists;   /* list files named by choices_from */
};

/* Load the five forms and the list files they name from dir.  The first
 * problem is returned in err as "FILE:LINE:COL: message" (WX_EDATA), or
 * "FILE: reason" when a file cannot be read (WX_EIO). */
int wx_forms_load(struct wx_forms **out, const char *dir, struct wx_err *err);
void wx_forms_free(struct wx_forms *forms);

/* Parse one form file's text.  path is used in messages.  choices_from
 * lists are looked up in (and loaded into) forms->lists from forms->dir;
 * with forms NULL, choices_from is an error.  Also used by the fuzz target. */
int wx_form_parse(struct wx_form **out, const char *path, const char *buf, size_t len,
		  enum wx_kind expect, struct wx_forms *forms, struct wx_err *err);
/* Parse a list file's text (professions). */
int wx_list_parse(struct wx_choices **out, const char *name, const char *path,
		  const char *buf, size_t len, struct wx_err *err);
void wx_form_free(struct wx_form *form);
void wx_choices_free(struct wx_choices *c);

const struct wx_form_field *wx_form_find(const struct wx_form *form, const char *name);
/* The code in c equal to s ignoring ASCII case, or NULL. */
const struct wx_choice *wx_choices_find(const struct wx_choices *c, const char *s, size_t len);

/* Check one value against a field, per TYPES in wexmatch-forms(5): trims
 * spaces and tabs, checks type, choices, limits and pattern, and on success
 * returns the normalised value in *norm (malloc'd, NUL-terminated; "" when
 * the value is empty and the field not required).  On failure returns
 * WX_EDATA with msg holding "what is wrong (expected ...)", without the
 * field's name (the caller prefixes FILE:LINE: FIELD: or shows it beside
 * the field).  Control characters and bidi overrides in text are refused
 * with their code point and position. */
int wx_field_check(const struct wx_form_field *f, const char *value, size_t len,
		   char **norm, size_t *normlen, char *msg, size_t msgcap);

/* Called for each problem found in a record: field name and message. */
typedef void (*wx_form_problem_fn)(void *ctx, const char *field, const char *msg);

/* Check and normalise every field of r that the form defines (replacing
 * values with their normalised form, removing fields that are empty), and
 * report required fields that are missing.  Fields the form does not define
 * (extra fields) are left exactly as they are.  Returns the number of
 * problems (0: r is valid), or -1 when out of memory. */
long wx_form_check_record(const struct wx_form *form, struct wx_record *r,
			  wx_form_problem_fn report, void *ctx);

/* Set each field that has a default and no value in r. */
int wx_form_apply_defaults(const struct wx_form *form, struct wx_record *r);

#endif
