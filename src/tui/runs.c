/* runs.c: the runs list and the match screen.
 *
 * The run layer (stored match runs, their proposals and offers) is not in
 * this build yet: this screen says so, and is where the runs list and the
 * match review will be drawn once it is. */
#include "config.h"

#include <string.h>

#include <curses.h>

#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"

void tui_runs_draw(struct tui *t)
{
	static const char *const text[] = {
		"Match runs",
		"",
		"No runs to show: this build of wexmatch does not store match runs yet.",
		"Runs, their proposals with each candidate's explanation, and offers will",
		"be listed here once the run layer is in place.",
	};
	int top = tui_body_top();

	curs_set(0);
	erase();
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		tui_put(t, top + 1 + (int)i, 2, i == 0 ? tui_attr(t, TR_HEADER) : (int)A_NORMAL, text[i],
			strlen(text[i]), COLS - 4, 0);
}

void tui_runs_key(struct tui *t, int action, int ch)
{
	(void)ch;
	switch (action) {
	case TA_TAB:
		t->cur = 0;
		t->screen = TS_LIST;
		clear();
		break;
	case TA_LIST1: case TA_LIST2: case TA_LIST3: case TA_LIST4:
		t->cur = action - TA_LIST1;
		t->screen = TS_LIST;
		clear();
		break;
	case TA_QUIT:
		t->quit = 1;
		break;
	default:
		break;
	}
}
