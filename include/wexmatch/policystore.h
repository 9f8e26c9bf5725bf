/* policystore.h: priority policies kept in the database by version.  Each
 * `policy set` stores the policy's whole text as the next version, with who
 * set it and when (and an audit entry); a match run records the version it
 * used, so every run can be explained with the exact policy behind it. */
#ifndef WEXMATCH_POLICYSTORE_H
#define WEXMATCH_POLICYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/store.h"

struct wx_stored_policy {
	uint32_t version;
	int64_t time_ns;     /* when it was set (UTC) */
	uint32_t uid;
	char user[33];
	char *text;          /* malloc'd, NUL-terminated */
	size_t len;
};

/* Store text as the next version (the caller has checked it with
 * wx_policy_parse); *version receives its number. */
int wx_policy_store_set(struct wx_txn *t, const char *text, size_t len, uint32_t *version);
/* Load a version, or the latest with version 0: WX_OK or WX_ENOTFOUND. */
int wx_policy_store_get(struct wx_txn *t, uint32_t version, struct wx_stored_policy *out);
void wx_stored_policy_free(struct wx_stored_policy *p);

#endif
