/* query.h: selecting and ordering records for `list` (and the TUI's lists).
 *
 * A query scans one kind's records in a single read snapshot, reading only
 * the fields it needs from each encoded record (no decoding), keeps those
 * that pass every condition, and returns their internal ids in order: by
 * the sort field (integers by value, date-times as instants, the rest as
 * bytes; empty values last), then by id. */
#ifndef WEXMATCH_QUERY_H
#define WEXMATCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/regex.h"
#include "wexmatch/store.h"

enum wx_where_op {
	WX_WHERE_MATCH = '~',   /* FIELD~PATTERN: a PCRE2 search in the value */
	WX_WHERE_EQUAL = '='    /* FIELD=VALUE: the value is exactly VALUE */
};

struct wx_where {
	char *field;
	int op;
	char *value;
	struct wx_regex *re;
};

struct wx_query {
	const struct wx_form *form;
	size_t nwhere;
	struct wx_where *where;
	char *sort;          /* field, or NULL: by id */
	int descending;
};

void wx_query_init(struct wx_query *q, const struct wx_form *form);
void wx_query_free(struct wx_query *q);
/* Add "FIELD~PATTERN" or "FIELD=VALUE"; WX_EUSAGE with a message for an
 * unknown field or a bad pattern (with its offset). */
int wx_query_where(struct wx_query *q, const char *arg, struct wx_err *err);
/* Sort by FIELD, or by -FIELD for descending order. */
int wx_query_sort(struct wx_query *q, const char *arg, struct wx_err *err);
/* Run the query: *iids (malloc'd, n entries) in order.  WX_EDATA when a
 * pattern hit its match limit on some value (the message names the record). */
int wx_query_run(struct wx_store *s, const struct wx_query *q, uint64_t **iids, size_t *n,
		 struct wx_err *err);

#endif
