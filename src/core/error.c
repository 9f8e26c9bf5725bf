/* error.c: the sticky error record. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "wexmatch/error.h"

int wx_err_set(struct wx_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->code != WX_OK)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void wx_err_clear(struct wx_err *e)
{
	e->code = WX_OK;
	e->msg[0] = '\0';
}

int wx_exit_code(int code)
{
	switch (code) {
	case WX_OK:
		return WX_EXIT_OK;
	case WX_EUSAGE:
		return WX_EXIT_USAGE;
	case WX_EDB:
	case WX_ENOMEM:
		return WX_EXIT_DB;
	default:
		/* not found, bad data, conflicts, taken ids, unreadable input files */
		return WX_EXIT_DATA;
	}
}

const char *wx_status_name(int code)
{
	static const char *const names[] = {
		"ok", "not found", "bad data", "bad usage", "database unavailable",
		"changed by someone else", "already exists", "out of memory", "input/output error"
	};
	if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
		return "unknown error";
	return names[code];
}
