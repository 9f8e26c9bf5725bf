/* atomicfile.h: writing a file so that it is either the old file or the
 * whole new one, never half-written (a full disk, kill -9): write to a
 * temporary file beside it, flush and fsync, then rename into place. */
#ifndef WEXMATCH_ATOMICFILE_H
#define WEXMATCH_ATOMICFILE_H

#include <stdio.h>

#include "wexmatch/error.h"

struct wx_atomic {
	FILE *f;          /* write here */
	char *path;
	char *tmp;
};

/* Create the temporary file, mode 0600: what wexmatch writes holds
 * personal data. */
int wx_atomic_open(struct wx_atomic *a, const char *path, struct wx_err *err);
/* Flush, fsync, close and rename into place; on failure the temporary file
 * is removed and the old file left alone. */
int wx_atomic_commit(struct wx_atomic *a, struct wx_err *err);
/* Give up: remove the temporary file. */
void wx_atomic_abort(struct wx_atomic *a);

/* Read a whole file ("-" is standard input) into a malloc'd buffer. */
int wx_read_all(const char *path, char **buf, size_t *len, struct wx_err *err);

#endif
