/* csv.h: reading and writing RFC 4180 CSV, strictly.
 *
 * Reading.  A reader streams a FILE (or reads a byte buffer) and returns
 * one row at a time, reusing its buffers, so a million-row file needs no
 * more memory than its longest row.  Accepted:
 *   - fields separated by commas, rows ended by LF or CRLF (both, mixed);
 *   - fields in double quotes, holding commas, LF, CR and CRLF as data, and
 *     a doubled quote ("") for each quote;
 *   - a UTF-8 byte-order mark at the very start of the input (skipped);
 *   - a carriage return at the very end of the input (a cut-off CRLF).
 * A blank line (no bytes at all between two line ends) is not a row: it is
 * skipped wherever it is, so neither an empty last line nor a blank line at
 * the end of the file ever makes a row.  A line holding just "" is a row of
 * one empty field.
 *
 * Rejected, each with "FILE:LINE: what is wrong (expected ...)":
 *   - bytes that are not strict UTF-8 (overlong forms, surrogates, code
 *     points above U+10FFFF, stray or missing continuation bytes), with the
 *     line and the byte offset (from 0, counting from the start of the
 *     file, byte-order mark included) of the first bad byte;
 *   - a NUL byte;
 *   - a quote inside an unquoted field, or text after the closing quote of
 *     a quoted field;
 *   - a carriage return outside quotes not followed by a line feed;
 *   - a quoted field still open at the end of the input (the error names
 *     the line where that field started);
 *   - a field longer than WX_CSV_FIELD_MAX bytes, a row of more than
 *     WX_CSV_FIELDS_MAX fields or longer than WX_CSV_ROW_MAX bytes.
 * After a bad row (WX_EDATA) the reader has already skipped to the end of
 * that row, following quotes, so the next call returns the next row: an
 * import can list every bad row in one pass.  Every call consumes input or
 * reports the end, so a loop over wx_csv_read_row always ends.
 *
 * Writing.  wx_csv_write_row quotes a field when it holds a comma, a quote,
 * CR or LF, starts or ends with a space or tab, starts with a byte-order
 * mark, or is the only field of its row and empty (an empty line would read
 * back as no row at all).  Rows end with CRLF, as RFC 4180 says; the reader
 * accepts both.  wx_csv_write_bom writes the UTF-8 byte-order mark that
 * Excel needs to read the file as UTF-8 rather than in a Windows code page.
 *
 * Formula neutralisation.  A spreadsheet runs a cell starting with = + - @,
 * tab or CR as a formula (CSV injection).  For a text cell (is_text[i] != 0)
 * the writer puts one apostrophe in front of any value matching
 *     ^'*[=+\-@\t\r]
 * (a formula character after any number of apostrophes), so the value
 * shows literally.  The escape is reversible: on import, call
 * wx_csv_unneutralise on text values, which removes one leading apostrophe
 * from a value matching ^'+[=+\-@\t\r].  A value that needed no escape never
 * matches that pattern, so export followed by import gives back exactly
 * the original bytes.  The exporter and the importer must agree on which
 * columns are text: a column written with is_text 0 must not be
 * unneutralised on import. */
#ifndef WEXMATCH_CSV_H
#define WEXMATCH_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "wexmatch/error.h"

#define WX_CSV_FIELD_MAX ((size_t)1 << 20)   /* bytes in one field */
#define WX_CSV_FIELDS_MAX 4096               /* fields in one row */
#define WX_CSV_ROW_MAX ((size_t)16 << 20)    /* bytes in one row */

/* One row, owned by the reader and valid until the next call.  Each field
 * is NUL-terminated (field[i][len[i]] == '\0') and holds no NUL; the caller
 * may change its bytes in place (wx_csv_unneutralise does). */
struct wx_csv_row {
	size_t n;               /* number of fields; 0 after WX_EDATA */
	char **field;
	size_t *len;
	unsigned long line;     /* line where the row starts (from 1) */
};

struct wx_csv_reader;

/* A reader of f (which stays the caller's to close); filename is used in
 * messages (NULL: "<input>").  NULL when out of memory. */
struct wx_csv_reader *wx_csv_reader_new(FILE *f, const char *filename);
/* The same with reads of bufsize bytes (at least 4): for tests of input
 * that crosses read boundaries. */
struct wx_csv_reader *wx_csv_reader_new_bufsize(FILE *f, const char *filename,
						size_t bufsize);
/* A reader of len bytes at buf, which must stay unchanged while it is used. */
struct wx_csv_reader *wx_csv_reader_new_mem(const void *buf, size_t len,
					    const char *filename);
void wx_csv_reader_free(struct wx_csv_reader *r);

/* Read the next row.  Returns WX_OK; WX_ENOTFOUND at the end of the input;
 * WX_EDATA for a malformed row (row->line set, reading may go on); WX_EIO
 * when the file cannot be read, or WX_ENOMEM (both final: later calls
 * return WX_ENOTFOUND).  Errors go into err, which is sticky: clear it
 * before each call to collect one message per bad row. */
int wx_csv_read_row(struct wx_csv_reader *r, struct wx_csv_row *row, struct wx_err *err);

/* Write one row of n fields (n >= 1; WX_EUSAGE otherwise) of len[i] bytes
 * each, ended by CRLF.  is_text[i] != 0 marks a text field, to neutralise
 * (see above); is_text NULL means every field is text.  Returns WX_OK, or
 * WX_EIO with errno set when writing failed. */
int wx_csv_write_row(FILE *f, size_t n, const char *const *field, const size_t *len,
		     const unsigned char *is_text);
/* Write the UTF-8 byte-order mark; WX_OK or WX_EIO. */
int wx_csv_write_bom(FILE *f);

/* 1 when value matches ^'*[=+\-@\t\r] (the writer adds an apostrophe). */
int wx_csv_is_formula(const char *value, size_t len);
/* Undo the writer's escape in place: when value matches ^'+[=+\-@\t\r],
 * remove its first apostrophe, update *len, keep value NUL-terminated, and
 * return 1; else return 0 and leave value alone. */
int wx_csv_unneutralise(char *value, size_t *len);

#endif
