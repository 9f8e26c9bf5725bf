/* jsonio.h: reading and writing records as JSON, strictly.
 *
 * Reading.  The input is one JSON array of flat objects, one object per
 * record:
 *     [
 *     {"id": "C001", "name": "Ada", "age": 15, "consent": true, "notes": null},
 *     ...
 *     ]
 * A value is a string, a whole number (given back as its decimal text),
 * true or false (given back as "yes" and "no"), or null (the field is
 * absent: it is left out of the record).  A UTF-8 byte-order mark at the
 * start is skipped.  Rejected, each with
 *     FILE:LINE: FIELD: what is wrong (expected ...)
 * (FIELD left out when the problem is not in one field):
 *   - an array or object as a value, a number with a fraction or exponent,
 *     an integer outside -2^63 .. 2^63-1;
 *   - the same key twice in one object, an empty key;
 *   - bytes that are not strict UTF-8 (with their line and byte offset from
 *     the start of the file), an escaped lone surrogate such as \ud800 or
 *     \udc00, \u0000, a raw control character (a line break, say) inside a
 *     string;
 *   - an element of the array that is not an object;
 *   - a file that is not an array, a missing or extra comma, anything but
 *     white space after the closing ], the end of the file inside the array;
 *   - more than WX_JSON_FIELDS_MAX fields, a value longer than
 *     WX_JSON_VALUE_MAX bytes.
 * LINE is the line of the problem when it is known, else the line where the
 * record's { is.
 *
 * The reader finds where each element of the array ends with its own
 * scan (strings, escapes and bracket depth) before jansson parses just that
 * element, so a bad record (WX_EDATA) is skipped and the next call returns
 * the next one: an import can list every bad record.  When the structure
 * itself is broken (a missing comma, a raw line break in a string, the end
 * of the file inside a record) the error is final and later calls return
 * WX_ENOTFOUND.
 *
 * Writing.  wx_json_write_begin, wx_json_write_record (one per record) and
 * wx_json_write_end produce
 *     [\n{...},\n{...}\n]\n
 * (an empty list is "[\n]\n"): one record per line, keys in the order given,
 * every value written as a string.  In keys and values, " and \ are
 * escaped, so are \b \f \n \r \t, other C0 controls, DEL and C1 controls
 * (as \u00XX), and U+2028 and U+2029 (which break JavaScript); all other
 * UTF-8 is written as it is.  A key or value that is not valid UTF-8, holds
 * a NUL byte, or an empty key, is refused with WX_EDATA before anything of
 * the record is written, because the reader would refuse it: what is
 * written always reads back to the same keys and bytes. */
#ifndef WEXMATCH_JSONIO_H
#define WEXMATCH_JSONIO_H

#include <stddef.h>
#include <stdio.h>

#include "wexmatch/error.h"

#define WX_JSON_FIELDS_MAX 4096              /* fields in one record */
#define WX_JSON_VALUE_MAX ((size_t)1 << 20)  /* bytes in one value */

/* One record, owned by the reader and valid until the next call.  Keys and
 * values are NUL-terminated, valid UTF-8 and hold no NUL; the keys are in
 * the order of the input and all different. */
struct wx_json_record {
	size_t n;                    /* number of fields; 0 after WX_EDATA */
	const char *const *key;
	const char *const *value;
	const size_t *len;           /* length of each value */
	const unsigned long *field_line;   /* line of each key */
	unsigned long line;          /* line of the record's { */
	unsigned long index;         /* position in the array, from 1 */
};

struct wx_json_reader;

/* A reader of len bytes at buf, which must stay unchanged while it is used;
 * filename is used in messages (NULL: "<input>").  NULL when out of memory. */
struct wx_json_reader *wx_json_reader_new(const void *buf, size_t len, const char *filename);
/* A reader of everything f holds (read now; f stays the caller's).  NULL
 * with WX_EIO or WX_ENOMEM in err on failure. */
struct wx_json_reader *wx_json_reader_open(FILE *f, const char *filename, struct wx_err *err);
void wx_json_reader_free(struct wx_json_reader *r);
/* For tests: on 0, every record goes through jansson, none through the
 * fast path for simple records (see jsonio.c); the results must not
 * differ. */
void wx_json_reader_set_fast_path(struct wx_json_reader *r, int on);

/* Read the next record.  Returns WX_OK; WX_ENOTFOUND at the end; WX_EDATA
 * for a bad record or a broken file (rec->line set; see above for when
 * reading can go on); WX_ENOMEM (final).  err is sticky: clear it before
 * each call to collect one message per bad record. */
int wx_json_read_record(struct wx_json_reader *r, struct wx_json_record *rec,
			struct wx_err *err);

struct wx_json_writer {
	FILE *f;
	const char *name;            /* for messages */
	unsigned long n;             /* records written so far */
};

void wx_json_writer_init(struct wx_json_writer *w, FILE *f, const char *filename);
/* Each returns WX_OK, WX_EIO (errno set, message in err) or, for a record
 * that cannot be written, WX_EDATA. */
int wx_json_write_begin(struct wx_json_writer *w, struct wx_err *err);
int wx_json_write_record(struct wx_json_writer *w, size_t n, const char *const *key,
			 const char *const *value, const size_t *len, struct wx_err *err);
int wx_json_write_end(struct wx_json_writer *w, struct wx_err *err);

#endif
