/* tui_actions.h: every action of the TUI, as one table.
 *
 * Each row gives the action's name, its label in the key bar (NULL: not in
 * the bar), the keys as the help screen shows them, up to three key codes,
 * the screens it applies to and its help text.  The key bar, the help
 * screen and key dispatch are all generated from this table, so a key
 * cannot work without being documented or be documented without working.
 *
 * Every action has a letter (or Ctrl-letter) key: function keys often do
 * not arrive over SSH.  On the data-entry screen letters are text, so its
 * actions use Ctrl keys. */
#ifndef WEXMATCH_TUI_ACTIONS_H
#define WEXMATCH_TUI_ACTIONS_H

#include <curses.h>

/* screens, as bits of an action's mask */
enum {
	TS_LIST = 1 << 0,
	TS_VIEW = 1 << 1,
	TS_EDIT = 1 << 2,
	TS_HIST = 1 << 3,
	TS_HELP = 1 << 4,
	TS_RUNS = 1 << 5
};

#define TUI_CTRL(c) ((c) & 0x1f)
#define TS_BROWSE (TS_LIST | TS_VIEW | TS_HIST | TS_HELP | TS_RUNS)
#define TS_MOVE (TS_LIST | TS_VIEW | TS_HIST | TS_HELP | TS_RUNS)

/*  id          bar        keys shown                 key1         key2            key3        screens           help */
#define TUI_ACTIONS(X) \
	X(HELP,      "help",    "?  F1",                   '?',         KEY_F(1),       0,          TS_BROWSE & ~TS_HELP, "show every action of this screen with its keys") \
	X(FILTER,    "filter",  "/",                       '/',         0,              0,          TS_LIST,          "filter the list as you type (PCRE2, caseless; Enter keeps it, Esc clears it)") \
	X(NEXT,      NULL,      "n",                       'n',         0,              0,          TS_LIST,          "next record matching the filter") \
	X(PREV,      NULL,      "N",                       'N',         0,              0,          TS_LIST,          "previous record matching the filter") \
	X(DOWN,      NULL,      "j  Down",                 'j',         KEY_DOWN,       0,          TS_MOVE,          "move down one line") \
	X(UP,        NULL,      "k  Up",                   'k',         KEY_UP,         0,          TS_MOVE,          "move up one line") \
	X(PGDN,      NULL,      "Space  ^F  PgDn",         ' ',         TUI_CTRL('f'),  KEY_NPAGE,  TS_MOVE,          "move down one page") \
	X(PGUP,      NULL,      "b  ^B  PgUp",             'b',         TUI_CTRL('b'),  KEY_PPAGE,  TS_MOVE,          "move up one page") \
	X(HOME,      NULL,      "g  Home",                 'g',         KEY_HOME,       0,          TS_MOVE,          "go to the first line") \
	X(END,       NULL,      "G  End",                  'G',         KEY_END,        0,          TS_MOVE,          "go to the last line") \
	X(LEFT,      NULL,      "<  Left",                 '<',         KEY_LEFT,       0,          TS_LIST,          "select the column to the left (for sorting)") \
	X(RIGHT,     NULL,      ">  Right",                '>',         KEY_RIGHT,      0,          TS_LIST,          "select the column to the right (for sorting)") \
	X(OPEN,      "open",    "o  Enter",                'o',         '\n',           KEY_ENTER,  TS_LIST,          "open the record") \
	X(ROPEN,     "open",    "Enter  x",                '\n',        'x',            KEY_ENTER,  TS_RUNS,          "on a run: review its proposals; on a candidate: their explanation") \
	X(RUNWORK,   "match",   "r",                       'r',         0,              0,          TS_RUNS,          "run a work-experience match now (recorded; proposes only, offers nothing)") \
	X(RUNAMB,    "ambassadors", "A",                   'A',         0,              0,          TS_RUNS,          "run an ambassador match now (recorded)") \
	X(OFFER,     "offer",   "O",                       'O',         0,              0,          TS_RUNS,          "in a run: offer the selected candidate their proposed placement (asks)") \
	X(OFFERALL,  "offer all", "^O",                    TUI_CTRL('o'), 0,            0,          TS_RUNS,          "in a run: offer every candidate placed and not yet offered (asks)") \
	X(ADD,       "add",     "a",                       'a',         0,              0,          TS_LIST | TS_VIEW, "add a record of this kind") \
	X(EDIT,      "edit",    "e",                       'e',         0,              0,          TS_LIST | TS_VIEW, "edit the record") \
	X(DELETE,    "delete",  "d",                       'd',         0,              0,          TS_LIST | TS_VIEW, "delete the record (asks first)") \
	X(ERASE,     NULL,      "E",                       'E',         0,              0,          TS_LIST | TS_VIEW, "erase a candidate's data for good: right to erasure (asks twice)") \
	X(HISTORY,   "history", "h",                       'h',         0,              0,          TS_LIST | TS_VIEW, "the record's audit history") \
	X(TAB,       NULL,      "Tab",                     '\t',        0,              0,          TS_LIST | TS_RUNS, "next list: candidates, placements, ambassadors, requests, runs") \
	X(LIST1,     NULL,      "1",                       '1',         0,              0,          TS_LIST | TS_RUNS, "the candidates") \
	X(LIST2,     NULL,      "2",                       '2',         0,              0,          TS_LIST | TS_RUNS, "the placements") \
	X(LIST3,     NULL,      "3",                       '3',         0,              0,          TS_LIST | TS_RUNS, "the ambassadors") \
	X(LIST4,     NULL,      "4",                       '4',         0,              0,          TS_LIST | TS_RUNS, "the schools' requests") \
	X(LIST5,     NULL,      "5",                       '5',         0,              0,          TS_LIST | TS_RUNS, "the match runs") \
	X(SORT,      "sort",    "s",                       's',         0,              0,          TS_LIST,          "sort by the selected column; again to reverse") \
	X(MATCH,     "match",   "m",                       'm',         0,              0,          TS_LIST,          "the match screen: runs, proposals, offers") \
	X(QUIT,      "quit",    "q  F10",                  'q',         KEY_F(10),      0,          TS_BROWSE,        "back to the screen before; on a list, quit") \
	X(REDRAW,    NULL,      "^L",                      TUI_CTRL('l'), 0,            0,          TS_BROWSE | TS_EDIT, "redraw the screen") \
	X(SAVE,      "save",    "^S  F2",                  TUI_CTRL('s'), KEY_F(2),     0,          TS_EDIT,          "check every field and save the record") \
	X(CANCEL,    "cancel",  "^X  Esc  F10",            TUI_CTRL('x'), 27,           KEY_F(10),  TS_EDIT,          "leave without saving (asks when something typed is not saved)") \
	X(FNEXT,     "next",    "Tab  Enter  Down",        '\t',        '\n',           KEY_DOWN,   TS_EDIT,          "next field") \
	X(FPREV,     "prev",    "^P  S-Tab  Up",           TUI_CTRL('p'), KEY_BTAB,     KEY_UP,     TS_EDIT,          "previous field") \
	X(FHELP,     "help",    "^G  F1",                  TUI_CTRL('g'), KEY_F(1),     0,          TS_EDIT,          "show the keys of this screen") \
	X(FLEFT,     NULL,      "^B  Left",                TUI_CTRL('b'), KEY_LEFT,     0,          TS_EDIT,          "cursor left") \
	X(FRIGHT,    NULL,      "^F  Right",               TUI_CTRL('f'), KEY_RIGHT,    0,          TS_EDIT,          "cursor right") \
	X(FHOME,     NULL,      "^A  Home",                TUI_CTRL('a'), KEY_HOME,     0,          TS_EDIT,          "start of the value") \
	X(FEND,      NULL,      "^E  End",                 TUI_CTRL('e'), KEY_END,      0,          TS_EDIT,          "end of the value") \
	X(FBKSP,     NULL,      "^H  Backspace",           TUI_CTRL('h'), KEY_BACKSPACE, 127,       TS_EDIT,          "delete the character before the cursor") \
	X(FDEL,      NULL,      "^D  Delete",              TUI_CTRL('d'), KEY_DC,       0,          TS_EDIT,          "delete the character under the cursor") \
	X(FKILL,     NULL,      "^U",                      TUI_CTRL('u'), 0,            0,          TS_EDIT,          "clear the value") \
	X(FKILLEND,  NULL,      "^K",                      TUI_CTRL('k'), 0,            0,          TS_EDIT,          "delete to the end of the value") \
	X(INTR,      NULL,      "^C",                      TUI_CTRL('c'), 0,            0,          TS_BROWSE | TS_EDIT, "quit wexmatch (asks when something typed is not saved)") \
	X(SUSPEND,   NULL,      "^Z",                      TUI_CTRL('z'), 0,            0,          TS_BROWSE | TS_EDIT, "suspend to the shell; fg comes back")

enum tui_action {
	TA_NONE = 0,
#define TUI_ENUM(id, bar, keys, k1, k2, k3, scr, help) TA_##id,
	TUI_ACTIONS(TUI_ENUM)
#undef TUI_ENUM
	TA_COUNT
};

struct tui_action_def {
	const char *name;
	const char *bar;
	const char *keys;
	int key[3];
	unsigned screens;
	const char *help;
};

/* The table, indexed by enum tui_action (row 0 unused). */
extern const struct tui_action_def tui_actions[TA_COUNT];

/* The action that key ch does on screen scr (one TS_ bit), or TA_NONE. */
enum tui_action tui_action_for(unsigned scr, int ch);

#endif
