/* explain.h: why a candidate got what they got in a recorded
 * work-experience run (matching.md, section 8), as text a coordinator can
 * read to the candidate: their score and the rules behind it (in the
 * words of the run's own policy), when they applied, their priority
 * position, the result, and for each entry of their list better than it
 * (the first WX_RUN_WHY_MAX; the rest are counted) the gate it failed or,
 * when it was full, the last candidate admitted to each kind of place
 * against the candidate's own priority.  Every value from the data passes
 * the escaping function.  Used by `wexmatch explain` and the TUI. */
#ifndef WEXMATCH_EXPLAIN_H
#define WEXMATCH_EXPLAIN_H

#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/store.h"

/* *text (malloc'd) on WX_OK; WX_ENOTFOUND (no such run), WX_EDATA (the
 * candidate did not take part, or an ambassador run), or the store's
 * error, with the message in err.  forms may be NULL (then the score is
 * given as a number). */
int wx_run_explain_text(struct wx_store *s, const struct wx_forms *forms, uint64_t run,
			const char *cand, char **text, struct wx_err *err);

#endif
