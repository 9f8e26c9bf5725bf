/* names.h: the frozen table of well-known field names.
 *
 * Records and audit entries (format 2) store a field name that is in this
 * table as a one-byte reference instead of its text: the shipped forms'
 * names are half of what a record weighs and nearly all of an audit entry.
 * The table is part of the stored format: entries are only ever appended,
 * never changed, removed or reordered, or stored records would change
 * meaning.  Names not in the table (a trust's own fields, extra fields) are
 * stored as text, as in format 1. */
#ifndef WEXMATCH_NAMES_H
#define WEXMATCH_NAMES_H

#include <stddef.h>

#define WX_NAME_REF 0          /* a name length of 0 means "reference" */
#define WX_NAMES_MAX 255

/* The name with index i, or NULL when there is none. */
const char *wx_name_at(unsigned i);
/* The length of the name with index i (0 when there is none). */
size_t wx_name_len(unsigned i);
/* The index of the n-byte name s, or -1 when it is not in the table. */
int wx_name_index(const char *s, size_t n);

#endif
