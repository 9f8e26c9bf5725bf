/* error.h: status codes and the one error record every core call fills.
 *
 * Core functions return a wx_status and, on failure, leave a human-readable
 * message in a struct wx_err.  Only the first error is kept (sticky), so the
 * message names the cause rather than a later consequence. */
#ifndef WEXMATCH_ERROR_H
#define WEXMATCH_ERROR_H

#include <stddef.h>

enum wx_status {
	WX_OK = 0,
	WX_ENOTFOUND,   /* a key or record is absent (not sticky) */
	WX_EDATA,       /* bad data: validation, decoding, integrity */
	WX_EUSAGE,      /* bad usage: unknown command, option or argument */
	WX_EDB,         /* database unavailable, locked, damaged or refused */
	WX_ECONFLICT,   /* a save based on an older version of a record */
	WX_EEXIST,      /* a unique key (external id) is already taken */
	WX_ENOMEM,      /* out of memory */
	WX_EIO          /* a file outside the database could not be read or written */
};

/* Exit codes of the wexmatch program, documented in wexmatch(1). */
enum wx_exit {
	WX_EXIT_OK = 0,
	WX_EXIT_DATA = 1,
	WX_EXIT_USAGE = 2,
	WX_EXIT_DB = 3
};

struct wx_err {
	int code;        /* enum wx_status; WX_OK when nothing failed */
	char msg[1024];
};

/* Record an error unless one is already recorded; returns code. */
int wx_err_set(struct wx_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wx_err_clear(struct wx_err *e);
/* The program's exit code for a status. */
int wx_exit_code(int code);
const char *wx_status_name(int code);

#endif
