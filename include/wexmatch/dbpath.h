/* dbpath.h: where the database and the forms live, and the permissions a
 * database directory must have. */
#ifndef WEXMATCH_DBPATH_H
#define WEXMATCH_DBPATH_H

#include <stddef.h>

#include "wexmatch/error.h"

/* The database directory: the --db value if given, else $WEXMATCH_DB, else
 * $XDG_DATA_HOME/wexmatch, else ~/.local/share/wexmatch.  Returns a malloc'd
 * path or NULL with err set. */
char *wx_db_dir(const char *option, struct wx_err *err);

/* The forms directory: the --forms value, else $WEXMATCH_FORMS, else the
 * source tree's forms/ when this binary runs from its build tree, else the
 * installed copy.  Returns a malloc'd path. */
char *wx_forms_dir(const char *option);

/* Create a directory and its missing parents (parents 0700). */
int wx_mkdir_p(const char *path, struct wx_err *err);

#endif
