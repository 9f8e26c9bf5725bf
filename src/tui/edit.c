/* edit.c: data entry, generated from the form, and the conflict screen.
 *
 * One line per field of the form, in form order under its section titles:
 * the label, the value box and, beside it, what is wrong with the value.
 * Every keystroke checks the field against the form (wx_field_check: type,
 * required, limits, pattern): the error of the field under the cursor is
 * written in full on the line below it, and the field's help text at the
 * bottom.  Errors of other fields show once they were visited or a save was
 * tried.  ^S checks the whole record (wx_form_check_record) and saves it
 * with the version the edit started from.
 *
 * The value boxes are drawn by this module rather than by the form
 * library: every character shown, typed ones included, passes the one
 * escaping function, so a value holding control characters (an extra
 * field, an older database) cannot move the cursor even while edited.
 *
 * When someone else saved the record meanwhile, the save is refused by
 * wx_record_save (WX_ECONFLICT) and the conflict screen shows, field by
 * field, what you typed beside what they saved.  y saves yours on top of
 * theirs (your changed fields win, their other changes stay), t takes
 * theirs and drops your changes (asks), r goes back to editing on top of
 * their version with your changes kept.  Nothing typed is lost unless the
 * operator says so. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "wexmatch/escape.h"
#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"
#include "wexmatch/utf8.h"

#define LABEL_W 22
#define VALUE_X (2 + LABEL_W + 2)

struct tui_edit {
	enum wx_kind k;
	const struct wx_form *form;
	uint64_t iid, base;
	uint64_t start_version;      /* the version shown when the conflict arose */
	struct wx_record orig;       /* as loaded: extra fields are kept */
	size_t n;
	char **buf;                  /* the values being typed */
	size_t *len;
	char **start;                /* the values when editing began (or rebased) */
	char **err;                  /* what is wrong, or NULL */
	char **note;                 /* after a rebase: their value, where both changed */
	int *touched;
	int cur;
	size_t pos;                  /* byte offset of the cursor in buf[cur] */
	int top;                     /* first line shown */
	int conflict;                /* showing the conflict screen */
	struct wx_record theirs;
	char cmsg[600];              /* who changed it, when */
	int from_view;
};

static int load_fn(struct wx_txn *tx, void *vctx)
{
	struct tui_edit *e = vctx;
	int rc;

	wx_record_free(&e->theirs);
	wx_record_init(&e->theirs);
	rc = wx_record_load(tx, e->k, e->iid, &e->theirs);
	return rc;
}

static void set_str(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = NULL;
	if (s) {
		*dst = malloc(n + 1);
		if (*dst) {
			memcpy(*dst, s, n);
			(*dst)[n] = '\0';
		}
	}
}

static void check_field(struct tui_edit *e, int i)
{
	char msg[512], *norm = NULL;
	size_t nl;

	if (wx_field_check(&e->form->f[i], e->buf[i], e->len[i], &norm, &nl, msg, sizeof msg) == WX_OK)
		set_str(&e->err[i], NULL, 0);
	else
		set_str(&e->err[i], msg, strlen(msg));
	free(norm);
}

static void set_value(struct tui_edit *e, int i, const char *v, size_t n)
{
	set_str(&e->buf[i], v ? v : "", v ? n : 0);
	e->len[i] = e->buf[i] ? n : 0;
	if (!e->buf[i]) {
		set_str(&e->buf[i], "", 0);
		e->len[i] = 0;
	}
}

static void free_edit(struct tui_edit *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->buf[i]);
		free(e->start[i]);
		free(e->err[i]);
		free(e->note[i]);
	}
	free(e->buf);
	free(e->len);
	free(e->start);
	free(e->err);
	free(e->note);
	free(e->touched);
	wx_record_free(&e->orig);
	wx_record_free(&e->theirs);
	free(e);
}

/* values of orig into the boxes */
static void take_record(struct tui_edit *e, const struct wx_record *r)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct wx_field *f = wx_record_field(r, e->form->f[i].name);

		set_value(e, (int)i, f ? f->value : "", f ? f->vlen : 0);
		set_str(&e->start[i], e->buf[i], e->len[i]);
		check_field(e, (int)i);
	}
}

void tui_edit_open(struct tui *t, enum wx_kind k, uint64_t iid)
{
	struct tui_edit *e = calloc(1, sizeof *e);
	unsigned from = t->screen;

	if (!e) {
		tui_message(t, 1, "out of memory");
		return;
	}
	if (t->edit)
		tui_edit_close(t);
	e->k = k;
	e->form = t->forms->form[k];
	e->iid = iid;
	e->n = e->form->n;
	wx_record_init(&e->orig);
	wx_record_init(&e->theirs);
	e->buf = calloc(e->n, sizeof *e->buf);
	e->len = calloc(e->n, sizeof *e->len);
	e->start = calloc(e->n, sizeof *e->start);
	e->err = calloc(e->n, sizeof *e->err);
	e->note = calloc(e->n, sizeof *e->note);
	e->touched = calloc(e->n, sizeof *e->touched);
	if (!e->buf || !e->len || !e->start || !e->err || !e->note || !e->touched) {
		free_edit(e);
		tui_message(t, 1, "out of memory");
		return;
	}
	if (iid) {
		wx_err_clear(&t->err);
		if (wx_store_read(t->s, load_fn, e, &t->err) != WX_OK) {
			free_edit(e);
			tui_message(t, 1, "That record is gone: someone deleted it meanwhile.");
			return;
		}
		e->orig = e->theirs;
		wx_record_init(&e->theirs);
		e->base = e->orig.version;
	} else {
		wx_form_apply_defaults(e->form, &e->orig);
	}
	take_record(e, &e->orig);
	e->from_view = from == TS_VIEW;
	t->edit = e;
	tui_push(t, TS_EDIT);
}

int tui_edit_unsaved(struct tui *t)
{
	struct tui_edit *e = t->edit;

	if (!e)
		return 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->len[i] != strlen(e->start[i]) || memcmp(e->buf[i], e->start[i], e->len[i]) != 0)
			return 1;
	return 0;
}

int tui_edit_in_conflict(struct tui *t)
{
	return t->edit && t->edit->conflict;
}

void tui_edit_close(struct tui *t)
{
	if (t->edit)
		free_edit(t->edit);
	t->edit = NULL;
}

/* ---- drawing ---- */

/* the part of shown (escaped) text to display in width columns so that
 * the column curw (the cursor) is visible; *skipw gets the columns cut */
static const char *visible_from(const char *shown, size_t curw, int width, size_t *skipw)
{
	const unsigned char *s = (const unsigned char *)shown;
	size_t len = strlen(shown), i = 0, w = 0;

	*skipw = 0;
	while (curw - w >= (size_t)width && i < len) {
		size_t n = wx_utf8_len(s + i, len - i);
		char one[8];

		if (n == 0)
			n = 1;
		memcpy(one, s + i, n);
		one[n] = '\0';
		w += wx_text_width(one);
		i += n;
	}
	*skipw = w;
	return shown + i;
}

static int field_width(int cols)
{
	int w = cols - VALUE_X - 20;

	return w < 10 ? 10 : w;
}

static int body_rows(void)
{
	return LINES - 1 - 4;   /* title, then the body, two help lines, message, keys */
}

static void draw_conflict(struct tui *t, struct tui_edit *e);

#define ERR_LINES 3
/* the error of the current field, wrapped under it */
static int error_lines(struct tui *t, const char *msg, char out[ERR_LINES][512])
{
	char shown[1200], m[1100];

	snprintf(m, sizeof m, "^ %s", msg);
	tui_fit(t, m, strlen(m), -1, shown, sizeof shown);
	return tui_wrap(shown, COLS - VALUE_X - 1, out[0], sizeof out[0], ERR_LINES);
}

void tui_edit_draw(struct tui *t)
{
	struct tui_edit *e = t->edit;
	const char *section = NULL;
	int rows = body_rows(), line = 0, cury = -1, curx = 0, vw = field_width(COLS);
	char title[700], idv[300];
	const char *id;

	if (!e)
		return;
	erase();
	if (e->conflict) {
		draw_conflict(t, e);
		return;
	}
	id = wx_record_get(&e->orig, "id");
	tui_fit(t, id ? id : "", id ? strlen(id) : 0, -1, idv, sizeof idv);
	if (e->iid)
		snprintf(title, sizeof title, " Edit %s %s (version %llu)", wx_kind_name(e->k), idv,
			 (unsigned long long)e->base);
	else
		snprintf(title, sizeof title, " New %s", wx_kind_name(e->k));
	attrset(tui_attr(t, TR_TITLE));
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 0, title, COLS);
	attrset(A_NORMAL);
	/* first pass: the line of the current field, to scroll to it */
	{
		int l = 0;
		const char *sec = NULL;

		for (size_t i = 0; i < e->n; i++) {
			const struct wx_form_field *f = &e->form->f[i];

			if (f->section && (!sec || strcmp(sec, f->section) != 0)) {
				sec = f->section;
				l++;
			}
			if ((int)i == e->cur) {
				char el[ERR_LINES][512];
				int extra = (e->err[i] && e->touched[i] ? error_lines(t, e->err[i], el) : 0) +
					    (e->note[i] ? 1 : 0);

				if (l < e->top)
					e->top = l > 0 && (i == 0 || (f->section && sec == f->section)) ? l - 1 : l;
				if (l + extra >= e->top + rows)
					e->top = l + extra - rows + 1;
				break;
			}
			l++;
		}
		if (e->cur == 0)
			e->top = 0;
	}
	for (size_t i = 0; i < e->n; i++) {
		const struct wx_form_field *f = &e->form->f[i];
		int y, iscur = (int)i == e->cur;
		char lab[200], shown[8192], cell[8192], errs[600];
		size_t skip = 0;

		if (f->section && (!section || strcmp(section, f->section) != 0)) {
			section = f->section;
			y = 1 + line++ - e->top;
			if (y >= 1 && y <= rows)
				tui_put(t, y, 0, tui_attr(t, TR_SECTION), section, strlen(section), COLS, 0);
		}
		y = 1 + line++ - e->top;
		tui_fit(t, f->label, strlen(f->label), LABEL_W, lab, sizeof lab);
		if (y >= 1 && y <= rows) {
			attrset(f->required ? A_BOLD : A_NORMAL);
			mvaddstr(y, 0, iscur ? "> " : "  ");
			mvaddstr(y, 2, lab);
			attrset(A_NORMAL);
			mvaddstr(y, 2 + LABEL_W, f->required ? "* " : "  ");
			tui_fit(t, e->buf[i], e->len[i], -1, shown, sizeof shown);
			if (iscur) {
				char pre[8192];
				size_t cw;
				const char *from;

				tui_fit(t, e->buf[i], e->pos, -1, pre, sizeof pre);
				cw = wx_text_width(pre);
				from = visible_from(shown, cw, vw, &skip);
				wx_text_fit(from, (size_t)vw, cell, sizeof cell);
				/* wx_text_fit marks a cut with '~': fine */
				attrset(tui_attr(t, TR_FIELDCUR));
				mvaddstr(y, VALUE_X, cell);
				attrset(A_NORMAL);
				cury = y;
				curx = VALUE_X + (int)(cw - skip);
			} else {
				wx_text_fit(shown, (size_t)vw, cell, sizeof cell);
				attrset(tui_attr(t, TR_FIELD));
				mvaddstr(y, VALUE_X, cell);
				attrset(A_NORMAL);
			}
			if (e->err[i] && e->touched[i]) {
				tui_fit(t, e->err[i], strlen(e->err[i]), COLS - VALUE_X - vw - 4, errs,
					sizeof errs);
				attrset(tui_attr(t, TR_ERROR));
				mvaddstr(y, VALUE_X + vw + 1, "! ");
				mvaddstr(y, VALUE_X + vw + 3, errs);
				attrset(A_NORMAL);
			}
		}
		if (iscur && e->err[i] && e->touched[i]) {
			char el[ERR_LINES][512];
			int nl = error_lines(t, e->err[i], el);

			for (int k = 0; k < nl; k++) {
				y = 1 + line++ - e->top;
				if (y >= 1 && y <= rows) {
					attrset(tui_attr(t, TR_ERROR));
					mvaddstr(y, VALUE_X + (k ? 2 : 0), el[k]);
					attrset(A_NORMAL);
				}
			}
		}
		if (e->note[i]) {
			y = 1 + line++ - e->top;
			if (y >= 1 && y <= rows)
				tui_put(t, y, VALUE_X, tui_attr(t, TR_NOTE), e->note[i], strlen(e->note[i]),
					COLS - VALUE_X, 0);
		}
	}
	/* the help of the current field */
	{
		const struct wx_form_field *f = &e->form->f[e->cur];
		char h[2000];
		int y = LINES - 4;

		move(y, 0);
		clrtoeol();
		move(y + 1, 0);
		clrtoeol();
		h[0] = '\0';
		if (f->choices) {
			size_t o = (size_t)snprintf(h, sizeof h, "%s", f->type == WX_FT_LIST
						    ? "Some of (separated by ;):" : "One of:");

			for (size_t c = 0; c < f->choices->n && o < sizeof h; c++)
				o += (size_t)snprintf(h + o, sizeof h - o, "%s %s", c ? "," : "",
						      f->choices->v[c].code);
			if (o < sizeof h)
				snprintf(h + o, sizeof h - o, ".  %s", f->help ? f->help : "");
		} else {
			snprintf(h, sizeof h, "%s", f->help ? f->help : "");
		}
		{
			char shown[4000], hl[2][512];
			int nl;

			tui_fit(t, h, strlen(h), -1, shown, sizeof shown);
			nl = tui_wrap(shown, COLS - 1, hl[0], sizeof hl[0], 2);
			attrset(A_DIM);
			for (int k = 0; k < nl; k++)
				mvaddstr(y + k, 0, hl[k]);
			attrset(A_NORMAL);
		}
	}
	move(LINES - 2, 0);
	clrtoeol();
	if (cury >= 0) {
		curs_set(1);
		move(cury, curx < COLS ? curx : COLS - 1);
	}
}

static void conflict_row(struct tui *t, int y, const char *label, const char *who, const char *v,
			 size_t vl, int role)
{
	char lab[200];
	int x = 2 + LABEL_W + 1;

	if (y < 1 || y > body_rows())
		return;
	tui_fit(t, label, strlen(label), LABEL_W, lab, sizeof lab);
	mvaddstr(y, 2, lab);
	mvaddstr(y, x, who);
	tui_put(t, y, x + 8, tui_attr(t, (enum tui_role)role), v, vl, COLS - x - 8, 0);
}

static void draw_conflict(struct tui *t, struct tui_edit *e)
{
	int y = 1;
	char title[200];

	snprintf(title, sizeof title, " Conflict: %s changed by someone else", wx_kind_name(e->k));
	attrset(tui_attr(t, TR_TITLE));
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 0, title, COLS);
	attrset(A_NORMAL);
	{
		char line[300], when[40];
		time_t sec = (time_t)(e->theirs.mtime_ns / 1000000000);
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(line, sizeof line, "Someone saved this %s after you began editing version %llu:",
			 wx_kind_name(e->k), (unsigned long long)e->start_version);
		tui_put(t, y++, 0, tui_attr(t, TR_ERROR), line, strlen(line), COLS, 0);
		snprintf(line, sizeof line, "version %llu, saved by %s at %s",
			 (unsigned long long)e->theirs.version, e->theirs.muser, when);
		tui_put(t, y++, 0, tui_attr(t, TR_ERROR), line, strlen(line), COLS, 0);
	}
	tui_put(t, y++, 0, A_NORMAL, "What changed since you began (yours: typed here; theirs: saved now):",
		68, COLS, 0);
	y++;
	for (size_t i = 0; i < e->n && y <= body_rows() - 4; i++) {
		const struct wx_form_field *f = &e->form->f[i];
		const struct wx_field *th = wx_record_field(&e->theirs, f->name);
		const char *tv = th ? th->value : "";
		size_t tl = th ? th->vlen : 0, sl = strlen(e->start[i]);
		int mine = e->len[i] != sl || memcmp(e->buf[i], e->start[i], sl) != 0;
		int theirs = tl != sl || memcmp(tv, e->start[i], sl) != 0;

		if (!mine && !theirs)
			continue;
		if (mine)
			conflict_row(t, y++, f->label, "yours: ", e->buf[i], e->len[i], TR_NORMAL);
		if (theirs)
			conflict_row(t, y++, mine ? "" : f->label, "theirs:", tv, tl, TR_NOTE);
	}
	{
		static const char *const choices[] = {
			"y  save yours over theirs: your changed fields win, their other changes stay",
			"r  edit again on top of theirs: nothing you typed is lost",
			"t  take theirs and drop what you typed (asks first)",
		};

		y++;
		if (y > body_rows() - 3)
			y = body_rows() - 3;
		for (int k = 0; k < 3; k++)
			tui_put(t, y + k, 0, A_BOLD, choices[k], strlen(choices[k]), COLS, 0);
	}
	move(LINES - 2, 0);
	clrtoeol();
	curs_set(0);
}

/* ---- saving ---- */

struct save_ctx {
	struct tui_edit *e;
	struct wx_record r;          /* the record to save, fresh for each attempt */
	const struct wx_record *src;
};

static int copy_record(const struct wx_record *src, struct wx_record *dst)
{
	wx_record_free(dst);
	wx_record_init(dst);
	dst->iid = src->iid;
	for (size_t i = 0; i < src->n; i++)
		if (wx_record_append(dst, src->f[i].name, src->f[i].value, src->f[i].vlen) != WX_OK)
			return WX_ENOMEM;
	return WX_OK;
}

static int save_fn(struct wx_txn *tx, void *vctx)
{
	struct save_ctx *c = vctx;

	if (copy_record(c->src, &c->r) != WX_OK)
		return wx_txn_fail(tx, WX_ENOMEM, "out of memory");
	return wx_record_save(tx, c->e->k, &c->r, c->e->base);
}

struct problem_ctx {
	struct tui_edit *e;
	int first;
};

static void on_problem(void *vctx, const char *field, const char *msg)
{
	struct problem_ctx *p = vctx;

	for (size_t i = 0; i < p->e->n; i++)
		if (strcmp(p->e->form->f[i].name, field) == 0) {
			set_str(&p->e->err[i], msg, strlen(msg));
			p->e->touched[i] = 1;
			if (p->first < 0)
				p->first = (int)i;
		}
}

/* the record as typed: orig's fields (extras kept) with the boxes' values */
static int build(struct tui_edit *e, struct wx_record *r)
{
	if (copy_record(&e->orig, r) != WX_OK)
		return WX_ENOMEM;
	r->iid = e->iid;
	for (size_t i = 0; i < e->n; i++) {
		const char *name = e->form->f[i].name;

		if (e->len[i])
			wx_record_set(r, name, e->buf[i], e->len[i]);
		else
			wx_record_unset(r, name);
	}
	return WX_OK;
}

static void after_save(struct tui *t, struct tui_edit *e, uint64_t iid, int added)
{
	char idv[WX_ID_MAX + 1];
	enum wx_kind k = e->k;
	int from_view = e->from_view;
	const char *id = NULL;

	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->form->f[i].name, "id") == 0)
			id = e->buf[i];
	snprintf(idv, sizeof idv, "%s", id ? id : "");
	tui_edit_close(t);
	tui_pop(t);
	t->vkind = k;
	t->viid = iid;
	t->vtop = 0;
	if (!from_view)
		tui_push(t, TS_VIEW);
	tui_message(t, 0, "%s %s %s.", added ? "Added" : "Saved", wx_kind_name(k), idv);
}

/* Their version becomes the base; the fields you changed keep your values,
 * and where they changed one too, a note shows theirs. */
static void rebase(struct tui_edit *e)
{
	for (size_t i = 0; i < e->n; i++) {
		const char *name = e->form->f[i].name;
		const struct wx_field *th = wx_record_field(&e->theirs, name);
		const char *tv = th ? th->value : "";
		size_t tl = th ? th->vlen : 0;
		int mine = e->len[i] != strlen(e->start[i]) || memcmp(e->buf[i], e->start[i], e->len[i]) != 0;
		int theirs = tl != strlen(e->start[i]) || memcmp(tv, e->start[i], tl) != 0;

		free(e->note[i]);
		e->note[i] = NULL;
		if (mine && theirs && (tl != e->len[i] || memcmp(tv, e->buf[i], tl) != 0)) {
			size_t n = tl + 64;

			e->note[i] = malloc(n);
			if (e->note[i])
				snprintf(e->note[i], n, "they saved: %.*s", (int)tl, tv);
		}
		/* their value is the new starting point */
		set_str(&e->start[i], tv, tl);
		if (!mine)
			set_value(e, (int)i, tv, tl);
		check_field(e, (int)i);
	}
	/* extra fields: theirs */
	wx_record_free(&e->orig);
	e->orig = e->theirs;
	wx_record_init(&e->theirs);
	e->base = e->orig.version;
}

static void save(struct tui *t, struct tui_edit *e)
{
	struct save_ctx c;
	struct problem_ctx p = { e, -1 };
	struct wx_record r;
	long problems;
	int rc;

	wx_record_init(&r);
	if (build(e, &r) != WX_OK) {
		wx_record_free(&r);
		tui_message(t, 1, "out of memory");
		return;
	}
	problems = wx_form_check_record(e->form, &r, on_problem, &p);
	if (problems != 0) {
		wx_record_free(&r);
		if (p.first >= 0) {
			e->cur = p.first;
			e->pos = e->len[p.first];
		}
		tui_message(t, 1, "Not saved: %ld field%s to correct (marked !).", problems,
			    problems == 1 ? "" : "s");
		return;
	}
	memset(&c, 0, sizeof c);
	c.e = e;
	c.src = &r;
	wx_record_init(&c.r);
	wx_err_clear(&t->err);
	rc = wx_store_write(t->s, save_fn, &c, &t->err);
	wx_record_free(&r);
	if (rc == WX_OK) {
		uint64_t iid = c.r.iid;
		int added = e->iid == 0;

		wx_record_free(&c.r);
		after_save(t, e, iid, added);
		return;
	}
	wx_record_free(&c.r);
	if (rc == WX_ECONFLICT) {
		/* wx_record_save says who changed it and when */
		tui_copy(e->cmsg, sizeof e->cmsg, t->err.msg[0] ? t->err.msg : "Changed meanwhile");
		e->start_version = e->base;
		wx_err_clear(&t->err);
		if (wx_store_read(t->s, load_fn, e, &t->err) == WX_OK) {
			e->conflict = 1;
			clear();
			return;
		}
		rc = WX_ENOTFOUND;
	}
	if (rc == WX_ENOTFOUND) {
		/* deleted meanwhile: keep everything typed; a save adds it again */
		e->iid = 0;
		e->base = 0;
		wx_record_free(&e->orig);
		wx_record_init(&e->orig);
		tui_message(t, 1, "Someone deleted this record meanwhile: ^S adds it again, ^X leaves.");
		return;
	}
	if (rc == WX_EEXIST) {
		for (size_t i = 0; i < e->n; i++)
			if (strcmp(e->form->f[i].name, "id") == 0) {
				set_str(&e->err[i], "this id is taken (expected a new id)", 36);
				e->touched[i] = 1;
				e->cur = (int)i;
				e->pos = e->len[i];
			}
		tui_message(t, 1, "Not saved: the id is taken.");
		return;
	}
	tui_message(t, 1, "Not saved: %s", t->err.msg);
}

/* ---- keys ---- */

static void conflict_key(struct tui *t, struct tui_edit *e, int ch)
{
	if (ch == 'y' || ch == 'Y') {
		e->conflict = 0;
		rebase(e);
		save(t, e);
	} else if (ch == 't' || ch == 'T') {
		int a = tui_ask(t, "Drop what you typed and keep their version? y: drop  other: back");

		if (a == 'y' || a == 'Y') {
			uint64_t iid = e->iid;

			e->conflict = 0;
			after_save(t, e, iid, 0);
			tui_message(t, 0, "Kept their version; your changes were dropped.");
		}
	} else if (ch == 'r' || ch == 'R') {
		e->conflict = 0;
		rebase(e);
		tui_message(t, 0, "Editing on top of their version: your changes are kept; ^S saves.");
	}
	clear();
}

static void insert_byte(struct tui_edit *e, int ch)
{
	int i = e->cur;
	char *nb = realloc(e->buf[i], e->len[i] + 2);

	if (!nb)
		return;
	e->buf[i] = nb;
	memmove(nb + e->pos + 1, nb + e->pos, e->len[i] - e->pos + 1);
	nb[e->pos++] = (char)ch;
	e->len[i]++;
}

static size_t prev_char(const char *s, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80)
		pos--;
	return pos;
}

static size_t next_char(const char *s, size_t len, size_t pos)
{
	if (pos >= len)
		return len;
	pos++;
	while (pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
		pos++;
	return pos;
}

static void leave(struct tui *t)
{
	if (tui_edit_unsaved(t)) {
		int ch = tui_ask(t, "Leave without saving what you typed? y: drop it  other: keep editing");

		if (ch != 'y' && ch != 'Y')
			return;
	}
	tui_edit_close(t);
	tui_pop(t);
	tui_message(t, 0, "Nothing saved.");
}

void tui_edit_key(struct tui *t, int action, int ch)
{
	struct tui_edit *e = t->edit;
	int i;

	if (!e)
		return;
	if (e->conflict) {
		conflict_key(t, e, ch);
		return;
	}
	i = e->cur;
	switch (action) {
	case TA_SAVE:
		e->touched[i] = 1;
		save(t, e);
		return;
	case TA_CANCEL:
		leave(t);
		return;
	case TA_FNEXT:
		e->touched[i] = 1;
		if (e->cur + 1 < (int)e->n)
			e->cur++;
		e->pos = e->len[e->cur];
		return;
	case TA_FPREV:
		e->touched[i] = 1;
		if (e->cur > 0)
			e->cur--;
		e->pos = e->len[e->cur];
		return;
	case TA_FLEFT:
		e->pos = prev_char(e->buf[i], e->pos);
		return;
	case TA_FRIGHT:
		e->pos = next_char(e->buf[i], e->len[i], e->pos);
		return;
	case TA_FHOME:
		e->pos = 0;
		return;
	case TA_FEND:
		e->pos = e->len[i];
		return;
	case TA_FBKSP:
		if (e->pos > 0) {
			size_t p = prev_char(e->buf[i], e->pos);

			memmove(e->buf[i] + p, e->buf[i] + e->pos, e->len[i] - e->pos + 1);
			e->len[i] -= e->pos - p;
			e->pos = p;
		}
		break;
	case TA_FDEL:
		if (e->pos < e->len[i]) {
			size_t q = next_char(e->buf[i], e->len[i], e->pos);

			memmove(e->buf[i] + e->pos, e->buf[i] + q, e->len[i] - q + 1);
			e->len[i] -= q - e->pos;
		}
		break;
	case TA_FKILL:
		e->buf[i][0] = '\0';
		e->len[i] = 0;
		e->pos = 0;
		break;
	case TA_FKILLEND:
		e->buf[i][e->pos] = '\0';
		e->len[i] = e->pos;
		break;
	default:
		if (ch >= 0x20 && ch < 0x100 && ch != 127)
			insert_byte(e, ch);
		else
			return;
		break;
	}
	/* the value changed: check it now */
	e->touched[i] = 1;
	free(e->note[i]);
	e->note[i] = NULL;
	check_field(e, i);
}
