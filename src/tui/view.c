/* view.c: the record view, its audit history, delete and erase.
 *
 * Both screens read the record again at every redraw, in a short read
 * transaction, so another operator's change (or deletion) shows within a
 * second.  Every value passes the escaping function (tui_fit); long values
 * wrap onto following lines by display width. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "wexmatch/audit.h"
#include "wexmatch/escape.h"
#include "wexmatch/keys.h"
#include "wexmatch/tui.h"
#include "wexmatch/tui_actions.h"
#include "wexmatch/utf8.h"

#define LABEL_W 24

/* lines of a screen, built per redraw */
struct vline {
	int role;
	int x;
	char text[512];
};

struct vbuf {
	struct vline *v;
	int n, cap;
};

static struct vline *vadd(struct vbuf *b, int role, int x)
{
	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct vline *nv = realloc(b->v, (size_t)cap * sizeof *nv);

		if (!nv)
			return NULL;
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n].role = role;
	b->v[b->n].x = x;
	b->v[b->n].text[0] = '\0';
	return &b->v[b->n++];
}

/* Add shown (already escaped) text wrapped to width columns: the first
 * piece after prefix, the rest indented by indent. */
static void vwrap(struct vbuf *b, int role, const char *prefix, const char *shown, int width,
		  int indent)
{
	const unsigned char *s = (const unsigned char *)shown;
	size_t len = strlen(shown), i = 0;
	int first = 1;

	do {
		struct vline *l = vadd(b, role, first ? 0 : indent);
		size_t o = 0, w = 0;

		if (!l)
			return;
		if (first) {
			o = (size_t)snprintf(l->text, sizeof l->text, "%s", prefix);
			if (o >= sizeof l->text)
				o = sizeof l->text - 1;
		}
		while (i < len) {
			size_t n = wx_utf8_len(s + i, len - i);
			char one[8];
			size_t cw;

			if (n == 0)
				n = 1;
			memcpy(one, s + i, n);
			one[n] = '\0';
			cw = wx_text_width(one);
			if (w + cw > (size_t)width || o + n + 1 >= sizeof l->text)
				break;
			memcpy(l->text + o, s + i, n);
			o += n;
			w += cw;
			i += n;
		}
		l->text[o] = '\0';
		first = 0;
	} while (i < len);
}

static void fmt_time(int64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the record view ---- */

struct load_ctx {
	enum wx_kind k;
	uint64_t iid;
	struct wx_record r;
	int found;
};

static int load_fn(struct wx_txn *tx, void *vctx)
{
	struct load_ctx *c = vctx;
	int rc;

	wx_record_free(&c->r);
	wx_record_init(&c->r);
	rc = wx_record_load(tx, c->k, c->iid, &c->r);
	c->found = rc == WX_OK;
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

static int load_record(struct tui *t, enum wx_kind k, uint64_t iid, struct wx_record *r)
{
	struct load_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	wx_record_init(&c.r);
	c.k = k;
	c.iid = iid;
	wx_err_clear(&t->err);
	rc = wx_store_read(t->s, load_fn, &c, &t->err);
	*r = c.r;
	if (rc != WX_OK)
		return rc;
	return c.found ? WX_OK : WX_ENOTFOUND;
}

static void build_view(struct tui *t, const struct wx_record *r, struct vbuf *b)
{
	const struct wx_form *form = t->forms->form[t->vkind];
	const char *id = wx_record_get(r, "id");
	const char *section = NULL;
	char head[600], when[40], shown[4096], idv[300];
	struct vline *l;

	fmt_time(r->mtime_ns, when, sizeof when);
	/* raw here: the whole line is escaped once below */
	snprintf(idv, sizeof idv, "%s", id ? id : "");
	snprintf(head, sizeof head, "%s %s  (version %llu, saved by %s at %s)", form->label, idv,
		 (unsigned long long)r->version, r->muser, when);
	tui_fit(t, head, strlen(head), -1, shown, sizeof shown);
	if ((l = vadd(b, TR_HEADER, 0)) != NULL)
		tui_copy(l->text, sizeof l->text, shown);
	for (size_t i = 0; i < form->n; i++) {
		const struct wx_form_field *f = &form->f[i];
		const struct wx_field *v = wx_record_field(r, f->name);
		char prefix[200], lab[120];

		if (f->section && (!section || strcmp(section, f->section) != 0)) {
			section = f->section;
			vadd(b, TR_NORMAL, 0);
			if ((l = vadd(b, TR_SECTION, 0)) != NULL)
				tui_fit(t, section, strlen(section), -1, l->text, sizeof l->text);
		}
		tui_fit(t, f->label, strlen(f->label), LABEL_W, lab, sizeof lab);
		snprintf(prefix, sizeof prefix, "  %s: ", lab);
		tui_fit(t, v ? v->value : "", v ? v->vlen : 0, -1, shown, sizeof shown);
		vwrap(b, TR_NORMAL, prefix, shown, COLS - LABEL_W - 5, LABEL_W + 4);
	}
	for (size_t i = 0; i < r->n; i++) {
		char prefix[200], lab[120], withnote[4200];

		if (wx_form_find(form, r->f[i].name))
			continue;
		if (!section || strcmp(section, "Extra fields") != 0) {
			section = "Extra fields";
			vadd(b, TR_NORMAL, 0);
			if ((l = vadd(b, TR_SECTION, 0)) != NULL)
				snprintf(l->text, sizeof l->text, "Extra fields (not in the form)");
		}
		tui_fit(t, r->f[i].name, strlen(r->f[i].name), LABEL_W, lab, sizeof lab);
		snprintf(prefix, sizeof prefix, "  %s: ", lab);
		tui_fit(t, r->f[i].value, r->f[i].vlen, -1, shown, sizeof shown);
		snprintf(withnote, sizeof withnote, "%s  (extra field)", shown);
		vwrap(b, TR_NORMAL, prefix, withnote, COLS - LABEL_W - 5, LABEL_W + 4);
	}
}

static void draw_lines(struct tui *t, struct vbuf *b, int *top)
{
	int rows = tui_body_rows();

	if (*top > b->n - rows)
		*top = b->n - rows;
	if (*top < 0)
		*top = 0;
	for (int i = 0; i < rows; i++) {
		int y = tui_body_top() + i, k = *top + i;

		move(y, 0);
		clrtoeol();
		if (k < b->n) {
			attrset(tui_attr(t, (enum tui_role)b->v[k].role));
			/* the lines hold escaped text already */
			mvaddnstr(y, b->v[k].x, b->v[k].text, -1);
			attrset(A_NORMAL);
		}
	}
	t->vlines = b->n;
}

void tui_view_draw(struct tui *t)
{
	struct wx_record r;
	struct vbuf b = { NULL, 0, 0 };
	int rc = load_record(t, t->vkind, t->viid, &r);

	curs_set(0);
	if (rc == WX_OK) {
		build_view(t, &r, &b);
	} else {
		struct vline *l = vadd(&b, TR_ERROR, 0);

		if (l)
			snprintf(l->text, sizeof l->text, "%s",
				 rc == WX_ENOTFOUND ? "This record is gone: someone deleted it meanwhile (q: back)."
						    : "The record cannot be read.");
	}
	draw_lines(t, &b, &t->vtop);
	free(b.v);
	wx_record_free(&r);
}

static void scroll_key(struct tui *t, int action)
{
	int rows = tui_body_rows();

	switch (action) {
	case TA_DOWN: t->vtop++; break;
	case TA_UP: t->vtop--; break;
	case TA_PGDN: t->vtop += rows - 1; break;
	case TA_PGUP: t->vtop -= rows - 1; break;
	case TA_HOME: t->vtop = 0; break;
	case TA_END: t->vtop = 1 << 20; break;   /* clamped when drawn */
	default: break;
	}
}

void tui_view_key(struct tui *t, int action, int ch)
{
	struct wx_record r;

	(void)ch;
	switch (action) {
	case TA_QUIT:
		tui_pop(t);
		break;
	case TA_EDIT:
		tui_edit_open(t, t->vkind, t->viid);
		break;
	case TA_ADD:
		tui_edit_open(t, t->vkind, 0);
		break;
	case TA_DELETE:
		if (load_record(t, t->vkind, t->viid, &r) == WX_OK)
			tui_delete(t, t->vkind, t->viid, r.version);
		wx_record_free(&r);
		break;
	case TA_ERASE:
		tui_erase(t, t->vkind, t->viid);
		break;
	case TA_HISTORY:
		t->vtop = 0;
		tui_push(t, TS_HIST);
		break;
	default:
		scroll_key(t, action);
		break;
	}
}

/* ---- the audit history ---- */

struct hist_ctx {
	struct tui *t;
	struct vbuf *b;
};

static int hist_fn(struct wx_txn *tx, void *vctx)
{
	struct hist_ctx *c = vctx;
	struct tui *t = c->t;
	unsigned char prefix[9];
	struct wx_cursor *cur;
	struct wx_val k, v;
	uint64_t *seqs = NULL;
	size_t n = 0, cap = 0;
	int rc;

	c->b->n = 0;
	prefix[0] = (unsigned char)t->vkind;
	wx_put_be64(prefix + 1, t->viid);
	rc = wx_cursor_open(tx, WX_TB_AUDIT_REC, prefix, 9, &cur);
	while (rc == WX_OK && (rc = wx_cursor_next(cur, &k, NULL)) == WX_OK) {
		if (k.len != 17)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			uint64_t *ns = realloc(seqs, nc * sizeof *ns);

			if (!ns)
				break;
			seqs = ns;
			cap = nc;
		}
		seqs[n++] = wx_get_be64((const unsigned char *)k.data + 9);
	}
	wx_cursor_close(cur);
	/* newest first */
	while (n-- > 0) {
		unsigned char key[8];
		struct wx_audit_entry e;
		char when[40], line[1200], shown[1200];
		size_t o;
		struct vline *l;

		wx_put_be64(key, seqs[n]);
		if (wx_get(tx, WX_TB_AUDIT, key, 8, &v) != WX_OK ||
		    wx_audit_decode(v.data, v.len, seqs[n], &e) != WX_OK)
			continue;
		fmt_time(e.time_ns, when, sizeof when);
		o = (size_t)snprintf(line, sizeof line, "%-20s  %-10s  %-7s  ", when, e.user,
				     wx_audit_action_name(e.action));
		for (size_t i = 0; i < e.nfields && o < sizeof line; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? ", " : "",
					      e.fields[i]);
		tui_fit(t, line, strlen(line), -1, shown, sizeof shown);
		vwrap(c->b, TR_NORMAL, "", shown, COLS - 2, 44);
		(void)l;
		wx_audit_entry_free(&e);
	}
	free(seqs);
	return rc == WX_ENOTFOUND ? WX_OK : rc;
}

void tui_hist_draw(struct tui *t)
{
	struct vbuf b = { NULL, 0, 0 };
	struct hist_ctx c = { t, &b };
	struct wx_record r;
	char head[600], idv[300];
	struct vbuf all = { NULL, 0, 0 };
	struct vline *l;
	int rc = load_record(t, t->vkind, t->viid, &r);

	curs_set(0);
	if (rc == WX_OK) {
		const char *id = wx_record_get(&r, "id");

		tui_fit(t, id ? id : "", id ? strlen(id) : 0, -1, idv, sizeof idv);
	} else {
		snprintf(idv, sizeof idv, "(deleted)");
	}
	wx_record_free(&r);
	snprintf(head, sizeof head, "History of %s %s, newest first (values are never logged)",
		 wx_kind_name(t->vkind), idv);
	if ((l = vadd(&all, TR_HEADER, 0)) != NULL)
		tui_copy(l->text, sizeof l->text, head);
	if ((l = vadd(&all, TR_LABEL, 0)) != NULL)
		snprintf(l->text, sizeof l->text, "%-20s  %-10s  %-7s  %s", "when (UTC)", "who",
			 "what", "fields changed");
	wx_err_clear(&t->err);
	wx_store_read(t->s, hist_fn, &c, &t->err);
	for (int i = 0; i < b.n; i++) {
		if ((l = vadd(&all, b.v[i].role, b.v[i].x)) != NULL)
			memcpy(l->text, b.v[i].text, sizeof l->text);
	}
	draw_lines(t, &all, &t->vtop);
	free(b.v);
	free(all.v);
}

void tui_hist_key(struct tui *t, int action, int ch)
{
	(void)ch;
	if (action == TA_QUIT)
		tui_pop(t);
	else
		scroll_key(t, action);
}

/* ---- delete and erase ---- */

struct del_ctx {
	enum wx_kind k;
	uint64_t iid, version;
	const char *id;
};

static int del_fn(struct wx_txn *tx, void *vctx)
{
	struct del_ctx *c = vctx;

	return wx_record_delete(tx, c->k, c->iid, c->version);
}

static int erase_fn(struct wx_txn *tx, void *vctx)
{
	struct del_ctx *c = vctx;

	return wx_record_erase(tx, c->id);
}

static void leave_record(struct tui *t)
{
	while (t->screen != TS_LIST && t->depth > 0)
		tui_pop(t);
}

void tui_delete(struct tui *t, enum wx_kind k, uint64_t iid, uint64_t version)
{
	struct del_ctx c = { k, iid, version, NULL };
	struct wx_record r;
	char idv[300];
	int ch;

	if (load_record(t, k, iid, &r) != WX_OK) {
		wx_record_free(&r);
		tui_message(t, 1, "That record is gone already.");
		return;
	}
	/* messages hold raw text: the message line escapes it */
	snprintf(idv, sizeof idv, "%s", wx_record_get(&r, "id") ? wx_record_get(&r, "id") : "");
	wx_record_free(&r);
	ch = tui_ask(t, "Delete %s %s%s? y: delete  any other key: keep it", wx_kind_name(k), idv,
		     k == WX_KIND_CANDIDATE ? " and their equality answers" : "");
	if (ch != 'y' && ch != 'Y') {
		tui_message(t, 0, "Nothing deleted.");
		return;
	}
	wx_err_clear(&t->err);
	if (wx_store_write(t->s, del_fn, &c, &t->err) != WX_OK) {
		if (t->err.code == WX_ECONFLICT)
			tui_message(t, 1, "Not deleted: %s %s was changed meanwhile; look at it again first.",
				    wx_kind_name(k), idv);
		else
			tui_message(t, 1, "Not deleted: %s", t->err.msg);
		return;
	}
	leave_record(t);
	tui_message(t, 0, "Deleted %s %s.", wx_kind_name(k), idv);
}

void tui_erase(struct tui *t, enum wx_kind k, uint64_t iid)
{
	struct del_ctx c = { k, iid, 0, NULL };
	struct wx_record r;
	char idv[300], typed[300];
	const char *id;
	int ch;

	if (k != WX_KIND_CANDIDATE) {
		tui_message(t, 1, "Erasure is for a candidate's personal data; d deletes this record.");
		return;
	}
	if (load_record(t, k, iid, &r) != WX_OK) {
		wx_record_free(&r);
		tui_message(t, 1, "That record is gone already.");
		return;
	}
	id = wx_record_get(&r, "id");
	snprintf(idv, sizeof idv, "%s", id ? id : "");
	id = idv;
	ch = tui_ask(t, "Erase candidate %s: record and equality answers, for good? y: go on  other: keep",
		     idv);
	if (ch != 'y' && ch != 'Y') {
		wx_record_free(&r);
		tui_message(t, 0, "Nothing erased.");
		return;
	}
	if (!tui_ask_text(t, "To erase, type the candidate's id: ", typed, sizeof typed) ||
	    strcmp(typed, id) != 0) {
		wx_record_free(&r);
		tui_message(t, 0, "Nothing erased (the id typed was not %s).", idv);
		return;
	}
	c.id = id;
	wx_err_clear(&t->err);
	if (wx_store_write(t->s, erase_fn, &c, &t->err) != WX_OK) {
		tui_message(t, 1, "Not erased: %s", t->err.msg);
	} else {
		leave_record(t);
		tui_message(t, 0, "Erased candidate %s; the audit log keeps a tombstone without personal data.",
			    idv);
	}
	wx_record_free(&r);
}
