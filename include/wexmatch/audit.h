/* audit.h: the audit log.  Every write records who (the real uid and its
 * login name), when, what was done to which record of which kind, and the
 * names of the fields that changed, never their values, in the same
 * transaction as the change. */
#ifndef WEXMATCH_AUDIT_H
#define WEXMATCH_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/store.h"

enum wx_audit_action {
	WX_AUDIT_ADD = 1,
	WX_AUDIT_EDIT,
	WX_AUDIT_DELETE,
	WX_AUDIT_ERASE,     /* right to erasure: a tombstone with no personal data */
	WX_AUDIT_INIT,      /* database created */
	WX_AUDIT_MIGRATE,   /* schema migrated */
	WX_AUDIT_POLICY,    /* a priority policy set (iid: its version) */
	WX_AUDIT_GEO,       /* the postcode lookup replaced (iid: its size) */
	WX_AUDIT_MATCH,     /* a match run recorded (iid: the run number) */
	WX_AUDIT_ACTION_MAX = WX_AUDIT_MATCH
};

const char *wx_audit_action_name(int action);

#define WX_AUDIT_KIND_NONE 0xff  /* an entry about the database, not a record */

struct wx_audit_entry {
	uint64_t seq;
	int64_t time_ns;
	uint32_t uid;
	char user[33];
	int action;          /* enum wx_audit_action */
	int kind;            /* enum wx_kind or WX_AUDIT_KIND_NONE */
	uint64_t iid;
	size_t nfields;
	char **fields;       /* names of the changed fields */
};

/* Append an entry for the current user and time; also indexes it per record. */
int wx_audit_write(struct wx_txn *t, int action, int kind, uint64_t iid,
		   const char *const *fields, size_t nfields);
/* Decode an entry, checking every length and value: WX_OK or WX_EDATA. */
int wx_audit_decode(const void *buf, size_t len, uint64_t seq, struct wx_audit_entry *e);
void wx_audit_entry_free(struct wx_audit_entry *e);

/* Current time in nanoseconds since the epoch (UTC). */
int64_t wx_now_ns(void);

#endif
