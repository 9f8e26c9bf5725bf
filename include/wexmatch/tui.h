/* tui.h: the terminal user interface (wexmatch with no command, on a
 * terminal).  A thin front end over the core: it reads through short read
 * transactions (one per redraw, never while waiting for a key) and writes
 * through the same record functions as the batch commands.
 *
 * Screens: a list per kind (list.c), the record view and audit history
 * (view.c), data entry generated from the forms with the conflict screen
 * (edit.c), the help screen and the runs placeholder (tui.c, runs.c).
 * Each screen has a draw and a key function; tui.c owns the terminal, the
 * colour roles, the title line, the message line, the key bar and the
 * main loop. */
#ifndef WEXMATCH_TUI_H
#define WEXMATCH_TUI_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/form.h"
#include "wexmatch/record.h"
#include "wexmatch/regex.h"
#include "wexmatch/store.h"

struct wx_global;

/* Run the TUI on the database and forms named by g; an exit code. */
int wx_tui_run(struct wx_global *g);

/* ---- inside the TUI ---- */

/* colour roles; each has a monochrome attribute */
enum tui_role {
	TR_NORMAL, TR_TITLE, TR_TAB, TR_HEADER, TR_HEADSEL, TR_SELECT, TR_KEYBAR, TR_KEY,
	TR_ERROR, TR_NOTE, TR_LABEL, TR_SECTION, TR_FIELD, TR_FIELDCUR, TR_COUNT
};

#define TUI_LISTS 5          /* candidates, placements, ambassadors, requests, runs */
#define TUI_MAXROWS 256      /* most list rows drawn */
#define TUI_MAXCOLS 16

struct tui_entry {           /* one record of a sorted or filtered list */
	uint64_t iid;
	unsigned char key[16];   /* class byte, then an order-preserving prefix */
};

/* The displayed columns' text of every record of a kind, sorted, kept
 * while the data does not change, so that each filter keystroke matches
 * in memory instead of reading the store.  Bounded (TUI_CACHE_MAX bytes):
 * a bigger kind is scanned from the store at each keystroke instead. */
#define TUI_CACHE_MAX ((size_t)24 << 20)

struct tui_centry {
	uint64_t iid;
	unsigned char key[16];
	uint32_t off;            /* into text: per column a 2-byte length, then the bytes */
};

struct tui_cache {
	int valid;
	int sortcol;             /* the column the entries are sorted by */
	int desc;
	size_t n, cap;
	struct tui_centry *e;
	char *text;
	size_t tlen, tcap;
};

struct tui_row {
	uint64_t iid, version;
	size_t idlen;
	char id[WX_ID_MAX + 1];
	char line[1024];         /* escaped, fitted text */
};

struct tui_list {
	enum wx_kind kind;
	const struct wx_form *form;
	int ncol;
	const struct wx_form_field *col[TUI_MAXCOLS];
	int colw[TUI_MAXCOLS];
	int curcol;              /* the column selected for sorting */
	int sortcol;             /* -1: by id (browsing the id index) */
	int desc;
	/* filter */
	char filter[512];
	size_t flen, fcur;
	int editing;             /* typing the filter */
	char kept[512];          /* the filter before editing began (Esc) */
	struct wx_regex *re;
	char ferr[300];
	/* array mode (a filter or a sort): the selected records in order */
	int array;
	struct tui_entry *v;
	size_t n, cap;
	size_t top;              /* index of the top row */
	int dirty;               /* rescan before the next draw */
	struct tui_cache cache;
	/* browse mode: the key of the top row in the id index */
	unsigned char topkey[WX_ID_MAX + 1];
	size_t topklen;
	int op;                  /* a move to apply at the next page load */
	uint64_t total;          /* records of the kind */
	/* the page on screen */
	int sel;                 /* selected row on the page */
	int nrows;
	int more;                /* rows after the page */
	struct tui_row rows[TUI_MAXROWS];
};

struct tui_edit;

struct tui {
	struct wx_store *s;
	struct wx_forms *forms;
	int utf8;                /* the locale's codeset is UTF-8 */
	int color;
	unsigned screen;         /* TS_ bit of the screen on top */
	unsigned stack[8];
	int depth;
	int cur;                 /* current list, 0..4 */
	struct tui_list list[TUI_LISTS - 1];
	/* the record open in the view, history and edit screens */
	enum wx_kind vkind;
	uint64_t viid;
	int vtop;                /* first line shown */
	int vlines;              /* lines in the view */
	unsigned help_for;       /* the screen the help screen describes */
	struct tui_edit *edit;
	char msg[512];
	int msg_err;
	uint64_t marker;         /* the store's change marker when last read */
	int changed;             /* another process changed the data */
	int quit;
	int too_small;
	int trace_fd;            /* hidden benchmark hook, -1 if off */
	int first_drawn;
	struct wx_err err;
};

/* copy src into dst (cap bytes), cut if longer; the result ends with a NUL
 * (a cut may split a UTF-8 character: only for text shown after escaping) */
static inline void tui_copy(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	while (src[n] && n + 1 < cap)
		n++;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	dst[n] = '\0';
}

/* the window's parts */
int tui_body_top(void);
int tui_body_rows(void);

/* attributes of a role */
int tui_attr(struct tui *t, enum tui_role r);
/* Show text that came from outside (stored values, messages quoting
 * them): escaped by the one escaping function, cut or padded to width
 * columns (width < 0: as long as it is), made ASCII in a non-UTF-8 locale.
 * out gets the text; returns out. */
char *tui_fit(struct tui *t, const char *s, size_t len, int width, char *out, size_t cap);
/* Draw at (y, x) with attribute a, at most width columns (padding with
 * spaces when pad). */
void tui_put(struct tui *t, int y, int x, int a, const char *s, size_t len, int width, int pad);
/* Split shown (escaped) text into at most maxl lines of width columns,
 * breaking at spaces where possible; the last line is cut with '~' if the
 * text does not fit.  Lines go to out (each linecap bytes); returns how
 * many. */
int tui_wrap(const char *shown, int width, char *out, size_t linecap, int maxl);
void tui_message(struct tui *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ask a question on the message line and wait for one key (the data is not
 * held meanwhile); returns the key. */
int tui_ask(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ask for a line of text; 1 when entered, 0 when cancelled. */
int tui_ask_text(struct tui *t, const char *question, char *buf, size_t cap);
void tui_push(struct tui *t, unsigned screen);
void tui_pop(struct tui *t);
/* Ctrl-Z: leave the terminal as it was, stop, and come back on fg. */
void tui_suspend(struct tui *t);

/* list.c */
void tui_list_init(struct tui *t, struct tui_list *l, enum wx_kind k);
void tui_list_free(struct tui_list *l);
void tui_list_draw(struct tui *t);
void tui_list_key(struct tui *t, int action, int ch);
/* the record under the cursor: 1 and its iid/version/id, else 0 */
int tui_list_current(struct tui *t, uint64_t *iid, uint64_t *version);
/* reload after a change (own or another process's) */
void tui_list_refresh(struct tui_list *l);

/* view.c: the record view and its audit history */
void tui_view_draw(struct tui *t);
void tui_view_key(struct tui *t, int action, int ch);
void tui_hist_draw(struct tui *t);
void tui_hist_key(struct tui *t, int action, int ch);
/* delete and erase, from a list or the view (ask first) */
void tui_delete(struct tui *t, enum wx_kind k, uint64_t iid, uint64_t version);
void tui_erase(struct tui *t, enum wx_kind k, uint64_t iid);

/* edit.c: data entry (iid 0: a new record) */
void tui_edit_open(struct tui *t, enum wx_kind k, uint64_t iid);
void tui_edit_draw(struct tui *t);
void tui_edit_key(struct tui *t, int action, int ch);
/* 1 when something typed is not saved */
int tui_edit_unsaved(struct tui *t);
/* 1 when the conflict screen is showing */
int tui_edit_in_conflict(struct tui *t);
void tui_edit_close(struct tui *t);

/* runs.c: the runs list and the match screen */
void tui_runs_draw(struct tui *t);
void tui_runs_key(struct tui *t, int action, int ch);
void tui_runs_free(void);

#endif
