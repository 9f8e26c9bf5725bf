/* output.h: writing records as CSV or JSON, in the columns of their form.
 *
 * Columns are the form's fields in form order, then the extra fields (those
 * the form does not define) that any written record holds, in the order
 * they were first seen.  Because CSV needs every column in its header, the
 * extra fields are noted before writing begins (wx_out_note_extras*).
 * Text cells that a spreadsheet would take for a formula are neutralised in
 * CSV (see csv.h); import reverses it, so export then import gives back the
 * same records.  Shared by show, list and export. */
#ifndef WEXMATCH_OUTPUT_H
#define WEXMATCH_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "wexmatch/record.h"

enum wx_format { WX_FMT_DEFAULT, WX_FMT_TABLE, WX_FMT_CSV, WX_FMT_JSON };

struct wx_form;
struct wx_out;

/* fmt is WX_FMT_CSV or WX_FMT_JSON. */
struct wx_out *wx_out_new(FILE *f, enum wx_format fmt, const struct wx_form *form);
void wx_out_free(struct wx_out *o);
/* Note the extra fields of a record (decoded, or encoded as stored). */
int wx_out_note_extras(struct wx_out *o, const struct wx_record *r);
int wx_out_note_extras_encoded(struct wx_out *o, const void *buf, size_t len);
/* Header row, or the opening bracket. */
int wx_out_begin(struct wx_out *o);
int wx_out_record(struct wx_out *o, const struct wx_record *r);
int wx_out_record_encoded(struct wx_out *o, const void *buf, size_t len);
int wx_out_end(struct wx_out *o);
/* WX_OK, or the first error: WX_EIO when a write failed (a full disk, a
 * closed pipe), with its message in *msg when msg is not NULL. */
int wx_out_status(const struct wx_out *o, const char **msg);

/* Which columns are text, for formula neutralisation and its reversal:
 * text fields, lists of text, and fields the form does not define. */
int wx_field_is_text(const struct wx_form *form, const char *name);

/* Export every record of the form's kind, sorted by id, from one snapshot. */
struct wx_store;
int wx_export(struct wx_store *s, const struct wx_form *form, enum wx_format fmt, FILE *f,
	      unsigned long *count, struct wx_err *err);

#endif
