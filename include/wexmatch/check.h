/* check.h: the integrity check behind `wexmatch check`. */
#ifndef WEXMATCH_CHECK_H
#define WEXMATCH_CHECK_H

#include <stdint.h>

#include "wexmatch/store.h"

/* Called once per problem found; msg is plain text (escape before showing). */
typedef void (*wx_check_report_fn)(void *ctx, const char *msg);

struct wx_check_result {
	uint64_t records;      /* records examined */
	uint64_t index_entries;
	uint64_t audit_entries;
	uint64_t problems;
};

/* Check, in one read snapshot: the schema version; every record decodes and
 * has an external id whose index entry points back to it; every index entry
 * points to a record with that id; every audit entry decodes and is well
 * formed, and its per-record index entry exists (and every per-record index
 * entry has its audit entry); the id counters are past every id in use;
 * policy versions have no gaps; every stored match run's entries decode and
 * every run with rows has its summary (unless its save was cut short and
 * is noted as such: the next run removes it). */
int wx_check(struct wx_store *s, wx_check_report_fn report, void *ctx,
	     struct wx_check_result *res, struct wx_err *err);

#endif
