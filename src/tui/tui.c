/* tui.c: the terminal, the main loop, the chrome (title line, message
 * line, key bar), the help screen, and the helpers every screen uses.
 *
 * Decisions (see also README, "The TUI"):
 * - Input is read with a half-second timeout.  While waiting for a key no
 *   transaction is open; every redraw opens its own short read
 *   transaction.  After each key or timeout the store's change marker (the
 *   last committed LMDB transaction id, read without a transaction) is
 *   compared with the one seen last: when another process wrote, lists are
 *   reloaded and the open record read again, so a change shows within a
 *   second or at the next key.
 * - raw() mode: Ctrl-C and Ctrl-Z arrive as keys, so the TUI can ask
 *   before dropping typed text, and suspends after restoring the terminal.
 * - Keys typed ahead are taken before the next redraw (typeahead), so a
 *   held key or fast typing in the filter never queues redraws.
 * - Colour roles each have a monochrome attribute; NO_COLOR, a terminal
 *   without colours or WEXMATCH_MONO get the monochrome scheme.
 * - UTF-8 is decided by nl_langinfo(CODESET); otherwise every non-ASCII
 *   character is shown as '?', one column, so alignment holds. */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "wexmatch/cli.h"
#include "wexmatch/dbpath.h"
#include "wexmatch/escape.h"
#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"
#include "wexmatch/utf8.h"

#define MIN_COLS 80
#define MIN_LINES 24

const struct tui_action_def tui_actions[TA_COUNT] = {
	{ NULL, NULL, NULL, { 0, 0, 0 }, 0, NULL },
#define TUI_ROW(id, bar, keys, k1, k2, k3, scr, help) { #id, bar, keys, { k1, k2, k3 }, scr, help },
	TUI_ACTIONS(TUI_ROW)
#undef TUI_ROW
};

enum tui_action tui_action_for(unsigned scr, int ch)
{
	if (ch == 0)
		return TA_NONE;
	for (int a = 1; a < TA_COUNT; a++) {
		const struct tui_action_def *d = &tui_actions[a];

		if (!(d->screens & scr))
			continue;
		if (d->key[0] == ch || d->key[1] == ch || d->key[2] == ch)
			return (enum tui_action)a;
		/* Enter arrives as \r or \n depending on the terminal's mode */
		if (ch == '\r' && (d->key[0] == '\n' || d->key[1] == '\n' || d->key[2] == '\n'))
			return (enum tui_action)a;
	}
	return TA_NONE;
}

/* ---- attributes ---- */

static const struct {
	short fg, bg;
	int mono;         /* the attribute without colour */
	int extra;        /* added to the colour pair */
} roles[TR_COUNT] = {
	[TR_NORMAL] = { -1, -1, A_NORMAL, 0 },
	[TR_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD },
	[TR_TAB] = { COLOR_YELLOW, COLOR_BLUE, A_REVERSE | A_BOLD | A_UNDERLINE, A_BOLD },
	[TR_HEADER] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[TR_HEADSEL] = { COLOR_BLACK, COLOR_CYAN, A_BOLD | A_UNDERLINE, 0 },
	[TR_SELECT] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, 0 },
	[TR_KEYBAR] = { COLOR_BLACK, COLOR_WHITE, A_REVERSE, 0 },
	[TR_KEY] = { COLOR_BLUE, COLOR_WHITE, A_REVERSE | A_BOLD, A_BOLD },
	[TR_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TR_NOTE] = { COLOR_GREEN, -1, A_NORMAL, 0 },
	[TR_LABEL] = { -1, -1, A_NORMAL, 0 },
	[TR_SECTION] = { COLOR_YELLOW, -1, A_BOLD | A_UNDERLINE, A_BOLD },
	[TR_FIELD] = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[TR_FIELDCUR] = { COLOR_BLACK, COLOR_YELLOW, A_REVERSE, 0 },
};

static void colors_init(struct tui *t)
{
	const char *nc = getenv("NO_COLOR"), *mono = getenv("WEXMATCH_MONO");

	t->color = 0;
	if ((nc && *nc) || (mono && *mono) || !has_colors())
		return;
	if (start_color() != OK)
		return;
	use_default_colors();
	for (int r = 1; r < TR_COUNT; r++)
		init_pair((short)r, roles[r].fg, roles[r].bg);
	t->color = 1;
}

int tui_attr(struct tui *t, enum tui_role r)
{
	if (r == TR_NORMAL)
		return A_NORMAL;
	if (!t->color)
		return roles[r].mono;
	return (int)COLOR_PAIR(r) | roles[r].extra;
}

/* ---- text ---- */

char *tui_fit(struct tui *t, const char *s, size_t len, int width, char *out, size_t cap)
{
	char *e = wx_escape(s, len);
	const char *src = e ? e : "?";
	char *tmp = NULL;

	if (!t->utf8) {
		/* one '?' per character: alignment holds, no bytes the terminal
		 * would take for a different character set */
		size_t n = strlen(src), o = 0;

		tmp = malloc(n + 1);
		if (tmp) {
			for (size_t i = 0; i < n;) {
				size_t l = wx_utf8_len((const unsigned char *)src + i, n - i);

				if (l == 0)
					l = 1;
				tmp[o++] = l == 1 ? src[i] : '?';
				i += l;
			}
			tmp[o] = '\0';
			src = tmp;
		}
	}
	if (width < 0) {
		snprintf(out, cap, "%s", src);
	} else {
		wx_text_fit(src, (size_t)width, out, cap);
	}
	free(tmp);
	free(e);
	return out;
}

void tui_put(struct tui *t, int y, int x, int a, const char *s, size_t len, int width, int pad)
{
	char buf[4096];

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	tui_fit(t, s, len, width, buf, sizeof buf);
	if (!pad) {
		size_t n = strlen(buf);

		while (n > 0 && buf[n - 1] == ' ')
			buf[--n] = '\0';
	}
	attrset(a);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

int tui_wrap(const char *shown, int width, char *out, size_t linecap, int maxl)
{
	const unsigned char *p = (const unsigned char *)shown;
	int n = 0;

	while (*p == ' ')
		p++;
	while (*p && n < maxl) {
		char *line = out + (size_t)n * linecap;
		size_t len = strlen((const char *)p), i = 0, cut = 0, w = 0;

		if (n == maxl - 1 || wx_text_width((const char *)p) <= (size_t)width) {
			wx_text_fit((const char *)p, (size_t)width, line, linecap);
			/* no padding */
			for (size_t e = strlen(line); e > 0 && line[e - 1] == ' '; e--)
				line[e - 1] = '\0';
			n++;
			break;
		}
		while (i < len) {
			size_t cl = wx_utf8_len(p + i, len - i);
			char one[8];

			if (cl == 0)
				cl = 1;
			memcpy(one, p + i, cl);
			one[cl] = '\0';
			if (w + wx_text_width(one) > (size_t)width)
				break;
			w += wx_text_width(one);
			if (p[i] == ' ')
				cut = i;
			i += cl;
		}
		if (cut == 0)
			cut = i;
		if (cut >= linecap)
			cut = linecap - 1;
		memcpy(line, p, cut);
		line[cut] = '\0';
		p += cut;
		while (*p == ' ')
			p++;
		n++;
	}
	return n;
}

int tui_body_top(void)
{
	return 1;
}

int tui_body_rows(void)
{
	return LINES - 3;
}

void tui_message(struct tui *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_err = err;
}

/* ---- chrome ---- */

static const char *const tab_names[TUI_LISTS] = {
	"Candidates", "Placements", "Ambassadors", "Requests", "Runs"
};

static void draw_title(struct tui *t)
{
	int x = 0;
	char buf[64];

	attrset(tui_attr(t, TR_TITLE));
	mvhline(0, 0, ' ', COLS);
	mvaddstr(0, 0, " wexmatch ");
	x = 10;
	for (int i = 0; i < TUI_LISTS; i++) {
		int cur = i == t->cur;

		snprintf(buf, sizeof buf, cur ? "[%d %s]" : " %d %s ", i + 1, tab_names[i]);
		attrset(tui_attr(t, cur ? TR_TAB : TR_TITLE));
		mvaddstr(0, x, buf);
		x += (int)strlen(buf) + 1;
	}
	attrset(A_NORMAL);
}

static void draw_message(struct tui *t)
{
	int y = LINES - 2;

	move(y, 0);
	clrtoeol();
	if (t->msg[0])
		tui_put(t, y, 0, tui_attr(t, t->msg_err ? TR_ERROR : TR_NOTE), t->msg,
			strlen(t->msg), COLS, 0);
}

static void draw_keybar(struct tui *t)
{
	int y = LINES - 1, x = 0;
	unsigned scr = t->screen;

	attrset(tui_attr(t, TR_KEYBAR));
	mvhline(y, 0, ' ', COLS);
	if (scr == TS_EDIT && t->edit && tui_edit_in_conflict(t)) {
		attrset(tui_attr(t, TR_KEY));
		mvaddstr(y, 0, "y");
		mvaddstr(y, 10, "r");
		mvaddstr(y, 26, "t");
		attrset(tui_attr(t, TR_KEYBAR));
		mvaddstr(y, 1, ":yours");
		mvaddstr(y, 11, ":edit again");
		mvaddstr(y, 27, ":theirs");
		attrset(A_NORMAL);
		return;
	}
	for (int a = 1; a < TA_COUNT; a++) {
		const struct tui_action_def *d = &tui_actions[a];
		char key[16];
		size_t kl;

		if (!d->bar || !(d->screens & scr))
			continue;
		if (scr == TS_EDIT && !(d->screens == TS_EDIT))
			continue;
		kl = strcspn(d->keys, " ");
		if (kl >= sizeof key)
			kl = sizeof key - 1;
		memcpy(key, d->keys, kl);
		key[kl] = '\0';
		if (x + (int)kl + 1 + (int)strlen(d->bar) + 1 > COLS)
			break;
		attrset(tui_attr(t, TR_KEY));
		mvaddstr(y, x, key);
		x += (int)kl;
		attrset(tui_attr(t, TR_KEYBAR));
		mvaddstr(y, x, ":");
		mvaddstr(y, x + 1, d->bar);
		x += 1 + (int)strlen(d->bar) + 1;
	}
	attrset(A_NORMAL);
}

/* ---- screens ---- */

void tui_push(struct tui *t, unsigned screen)
{
	if (t->depth < (int)(sizeof t->stack / sizeof t->stack[0]))
		t->stack[t->depth++] = t->screen;
	t->screen = screen;
	clear();
}

void tui_pop(struct tui *t)
{
	if (t->depth > 0)
		t->screen = t->stack[--t->depth];
	else
		t->quit = 1;
	clear();
}

/* the help screen, generated from the action table */
static int help_top;

/* the help of each action, wrapped: its lines into out (NULL: count) */
static int help_build(struct tui *t, unsigned scr, char (*out)[2][512], int max)
{
	int n = 0;

	for (int a = 1; a < TA_COUNT; a++) {
		const struct tui_action_def *d = &tui_actions[a];
		char shown[1024], parts[3][512];
		int np;

		if (!(d->screens & scr))
			continue;
		tui_fit(t, d->help, strlen(d->help), -1, shown, sizeof shown);
		np = tui_wrap(shown, COLS - 22, parts[0], sizeof parts[0], 3);
		for (int k = 0; k < np; k++, n++) {
			if (!out || n >= max)
				continue;
			snprintf(out[n][0], sizeof out[n][0], "%s", k == 0 ? d->keys : "");
			memcpy(out[n][1], parts[k], sizeof out[n][1]);
		}
	}
	return n;
}

static void help_draw(struct tui *t)
{
	static const char *const names[] = { "list", "record", "data entry", "history", "help", "runs" };
	static char lines[256][2][512];
	int rows = tui_body_rows() - 1, idx = 0, n;
	char title[128];

	for (unsigned b = t->help_for; b > 1; b >>= 1)
		idx++;
	snprintf(title, sizeof title, "Keys of the %s screen (q: back)", names[idx]);
	erase();
	tui_put(t, 1, 0, tui_attr(t, TR_HEADER), title, strlen(title), COLS, 1);
	n = help_build(t, t->help_for, lines, 256);
	if (n > 256)
		n = 256;
	if (help_top > n - rows)
		help_top = n - rows;
	if (help_top < 0)
		help_top = 0;
	for (int i = 0; i < rows && help_top + i < n; i++) {
		int y = 2 + i;

		attrset(A_BOLD);
		mvaddstr(y, 2, lines[help_top + i][0]);
		attrset(A_NORMAL);
		mvaddstr(y, 21, lines[help_top + i][1]);
	}
}

static int help_lines(struct tui *t, unsigned scr)
{
	return help_build(t, scr, NULL, 0);
}

static void help_key(struct tui *t, int action, int ch)
{
	int rows = tui_body_rows() - 1;

	(void)ch;
	switch (action) {
	case TA_DOWN: help_top++; break;
	case TA_UP: help_top--; break;
	case TA_PGDN: help_top += rows; break;
	case TA_PGUP: help_top -= rows; break;
	case TA_HOME: help_top = 0; break;
	case TA_END: help_top = help_lines(t, t->help_for); break;
	case TA_QUIT: tui_pop(t); break;
	default: break;
	}
}

static void open_help(struct tui *t, unsigned scr)
{
	t->help_for = scr;
	help_top = 0;
	tui_push(t, TS_HELP);
}

/* ---- waiting for keys ---- */

static void trace_drawn(struct tui *t)
{
	if (t->trace_fd >= 0) {
		char buf[64];
		struct timespec ts;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(buf, sizeof buf, "drawn %lld.%06ld\n", (long long)ts.tv_sec,
			     ts.tv_nsec / 1000);
		if (write(t->trace_fd, buf, (size_t)n) < 0)
			t->trace_fd = -1;
	}
}

static void check_changes(struct tui *t)
{
	uint64_t m = wx_store_change_marker(t->s);

	if (m != t->marker) {
		t->marker = m;
		for (int i = 0; i < TUI_LISTS - 1; i++)
			tui_list_refresh(&t->list[i]);
		t->changed = 1;
	}
}

static void draw_too_small(struct tui *t)
{
	char buf[160];

	(void)t;
	erase();
	snprintf(buf, sizeof buf, "The terminal is too small (%dx%d).", COLS, LINES);
	mvaddnstr(0, 0, buf, COLS);
	snprintf(buf, sizeof buf, "wexmatch needs at least %dx%d.", MIN_COLS, MIN_LINES);
	mvaddnstr(1, 0, buf, COLS);
	mvaddnstr(2, 0, "q: quit", COLS);
}

static void draw_all(struct tui *t)
{
	t->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
	if (t->too_small) {
		draw_too_small(t);
		return;
	}
	switch (t->screen) {
	case TS_LIST: tui_list_draw(t); break;
	case TS_RUNS: tui_runs_draw(t); break;
	case TS_VIEW: tui_view_draw(t); break;
	case TS_HIST: tui_hist_draw(t); break;
	case TS_EDIT: tui_edit_draw(t); break;
	case TS_HELP: help_draw(t); break;
	default: break;
	}
	if (t->screen != TS_EDIT)
		draw_title(t);   /* the data-entry screen has its own */
	/* a list shows its own status on the message line unless there is a message */
	if (t->screen != TS_LIST || t->msg[0])
		if (!(t->screen == TS_LIST && t->list[t->cur < 4 ? t->cur : 0].editing))
			draw_message(t);
	draw_keybar(t);
}

static void redraw(struct tui *t)
{
	draw_all(t);
	/* the list (its filter prompt) and the data-entry screen place the
	 * cursor themselves */
	if (t->too_small || (t->screen != TS_LIST && t->screen != TS_EDIT))
		move(LINES - 1, COLS - 1);
	refresh();
	trace_drawn(t);
}

/* Wait for a key without holding anything; a timeout every half second lets the
 * screen notice other processes' changes. */
static int next_key(struct tui *t)
{
	for (;;) {
		int ch = getch();

		if (ch != ERR)
			return ch;
		check_changes(t);
		if (t->changed)
			return ERR;
	}
}

int tui_ask(struct tui *t, const char *fmt, ...)
{
	char q[512];
	va_list ap;
	int ch;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	draw_all(t);   /* the screen the question is about, as it is now */
	for (;;) {
		move(LINES - 2, 0);
		clrtoeol();
		tui_put(t, LINES - 2, 0, tui_attr(t, TR_ERROR), q, strlen(q), COLS - 1, 0);
		refresh();
		trace_drawn(t);
		ch = getch();
		if (ch == ERR)
			continue;
		if (ch == KEY_RESIZE) {
			draw_all(t);
			continue;
		}
		break;
	}
	move(LINES - 2, 0);
	clrtoeol();
	return ch;
}

int tui_ask_text(struct tui *t, const char *question, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	draw_all(t);
	for (;;) {
		char line[1024];
		int ch;

		snprintf(line, sizeof line, "%s%s", question, buf);
		move(LINES - 2, 0);
		clrtoeol();
		tui_put(t, LINES - 2, 0, tui_attr(t, TR_ERROR), line, strlen(line), COLS - 1, 0);
		refresh();
		trace_drawn(t);
		ch = getch();
		if (ch == ERR)
			continue;
		if (ch == KEY_RESIZE) {
			draw_all(t);
			continue;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			return 1;
		if (ch == 27 || ch == TUI_CTRL('c') || ch == TUI_CTRL('x'))
			return 0;
		if (ch == KEY_BACKSPACE || ch == 127 || ch == TUI_CTRL('h')) {
			while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
				n--;
			if (n > 0)
				n--;
			buf[n] = '\0';
		} else if (ch >= 0x20 && ch < 0x100 && ch != 127 && n + 1 < cap) {
			buf[n++] = (char)ch;
			buf[n] = '\0';
		}
	}
}

void tui_suspend(struct tui *t)
{
	void (*old)(int) = signal(SIGTSTP, SIG_DFL);

	(void)t;
	def_prog_mode();
	endwin();
	kill(getpid(), SIGTSTP);
	/* here again after fg */
	signal(SIGTSTP, old);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

/* ---- the loop ---- */

static int quit_ok(struct tui *t)
{
	if (t->edit && tui_edit_unsaved(t)) {
		int ch = tui_ask(t, "Quit and lose what you typed? y: quit  any other key: stay");

		if (ch != 'y' && ch != 'Y')
			return 0;
	}
	return 1;
}

static void dispatch(struct tui *t, int ch)
{
	unsigned scr = t->screen;
	int action;

	if (t->too_small) {
		if (ch == 'q' || ch == KEY_F(10) || ch == TUI_CTRL('c'))
			t->quit = quit_ok(t);
		return;
	}
	if (scr == TS_LIST && t->list[t->cur].editing) {
		tui_list_key(t, TA_NONE, ch);
		return;
	}
	action = tui_action_for(scr, ch);
	t->msg[0] = '\0';
	switch (action) {
	case TA_HELP:
		open_help(t, scr);
		return;
	case TA_FHELP:
		open_help(t, TS_EDIT);
		return;
	case TA_REDRAW:
		clearok(curscr, TRUE);
		return;
	case TA_INTR:
		if (quit_ok(t))
			t->quit = 1;
		return;
	case TA_SUSPEND:
		tui_suspend(t);
		return;
	default:
		break;
	}
	switch (scr) {
	case TS_LIST: tui_list_key(t, action, ch); break;
	case TS_RUNS: tui_runs_key(t, action, ch); break;
	case TS_VIEW: tui_view_key(t, action, ch); break;
	case TS_HIST: tui_hist_key(t, action, ch); break;
	case TS_EDIT: tui_edit_key(t, action, ch); break;
	case TS_HELP: help_key(t, action, ch); break;
	default: break;
	}
}

static int open_all(struct tui *t, struct wx_global *g)
{
	struct wx_store_opts o = { 0 };
	char *dir, *fdir;

	wx_err_clear(&t->err);
	fdir = wx_forms_dir(g->forms);
	if (!fdir) {
		wx_cli_error("out of memory");
		return WX_EXIT_DB;
	}
	if (wx_forms_load(&t->forms, fdir, &t->err) != WX_OK) {
		free(fdir);
		wx_cli_error("%s", t->err.msg);
		return WX_EXIT_DATA;
	}
	free(fdir);
	dir = wx_db_dir(g->db, &t->err);
	if (!dir)
		return wx_cli_fail(&t->err);
	o.dir = dir;
	if (wx_store_open(&t->s, &o, &t->err) != WX_OK) {
		free(dir);
		return wx_cli_fail(&t->err);
	}
	free(dir);
	return WX_EXIT_OK;
}

int wx_tui_run(struct wx_global *g)
{
	static struct tui tui;   /* static: the pages are large */
	struct tui *t = &tui;
	const char *cs, *trace;
	int rc;

	memset(t, 0, sizeof *t);
	t->trace_fd = -1;
	rc = open_all(t, g);
	if (rc != WX_EXIT_OK) {
		wx_forms_free(t->forms);
		return rc;
	}
	trace = getenv("WEXMATCH_TUI_TRACE_FD");
	if (trace && *trace)
		t->trace_fd = atoi(trace);
	cs = nl_langinfo(CODESET);
	t->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	for (int k = 0; k < TUI_LISTS - 1; k++)
		tui_list_init(t, &t->list[k], (enum wx_kind)k);
	t->marker = wx_store_change_marker(t->s);

	set_escdelay(25);
	if (!initscr()) {
		wx_cli_error("cannot start the terminal interface");
		rc = WX_EXIT_DB;
		goto out;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	idlok(stdscr, TRUE);
	timeout(500);
	colors_init(t);
	curs_set(0);
	t->screen = TS_LIST;

	while (!t->quit) {
		int ch;

		/* keys typed ahead go first: no redraw queued behind them */
		timeout(0);
		ch = getch();
		timeout(500);
		if (ch == ERR) {
			t->changed = 0;
			redraw(t);
			ch = next_key(t);
			if (ch == ERR)
				continue;     /* a change from elsewhere: redraw */
		}
		if (ch == KEY_RESIZE)
			continue;
		check_changes(t);
		dispatch(t, ch);
	}
	endwin();
out:
	if (t->edit)
		tui_edit_close(t);
	for (int k = 0; k < TUI_LISTS - 1; k++)
		tui_list_free(&t->list[k]);
	tui_runs_free();
	wx_store_close(t->s);
	wx_forms_free(t->forms);
	return rc;
}
