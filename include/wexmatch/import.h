/* import.h: importing records from CSV or JSON.
 *
 * An import is one write transaction: by default all or nothing.  Every
 * record is checked against the form and every problem is listed as
 *     FILE:LINE: FIELD: what is wrong (expected ...)
 * and when any record is invalid nothing is stored.  With skip_invalid the
 * valid records are stored and the invalid ones are given back, in the
 * input's own format with a `reason` column, so nothing is lost.  A file
 * that cannot be read as CSV or JSON at all (broken quoting, invalid UTF-8,
 * a nested JSON value), or whose header names unknown or repeated columns,
 * is refused whole even with skip_invalid: its rows could not be given back
 * faithfully.
 *
 * Ids must be new (an id given twice in the file, or already stored, is a
 * problem) unless update is set, in which case a stored record is changed:
 * the columns given replace its values, an empty cell removes a value, and
 * fields not given are kept.  Columns the form does not define are refused
 * unless keep_unknown, which keeps them as extra fields.  Text cells that
 * an export neutralised for spreadsheets are restored (csv.h). */
#ifndef WEXMATCH_IMPORT_H
#define WEXMATCH_IMPORT_H

#include <stddef.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/output.h"
#include "wexmatch/store.h"

struct wx_import_opts {
	enum wx_format format;   /* WX_FMT_CSV or WX_FMT_JSON */
	const char *filename;    /* for messages */
	int dry_run;             /* check everything, store nothing */
	int skip_invalid;
	int update;
	int keep_unknown;
};

struct wx_import_result {
	unsigned long records;   /* records read */
	unsigned long added, updated, unchanged, rejected;
	unsigned long problems;
	char *problem_text;      /* every problem, one per line (malloc'd) */
	size_t problem_len;
	char *rejects;           /* with skip_invalid: the rejected records (malloc'd) */
	size_t rejects_len;
};

/* Import the len bytes at buf (the whole input: an import that must run
 * again after the map grew reads it again).  Returns WX_OK when the records
 * were stored (or, with dry_run, would have been); WX_EDATA when the input
 * was refused (problems in res); other codes for store failures (err). */
int wx_import(struct wx_store *s, const struct wx_form *form, const struct wx_import_opts *o,
	      const void *buf, size_t len, struct wx_import_result *res, struct wx_err *err);
void wx_import_result_free(struct wx_import_result *res);

#endif
