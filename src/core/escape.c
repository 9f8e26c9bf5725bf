/* escape.c: make any bytes safe to show on a terminal.
 *
 * ncurses and terminals interpret \r, \b, ESC sequences and bidirectional
 * overrides; a name containing them could move the cursor, repaint the
 * screen or reverse text.  Every string shown passes through here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "wexmatch/escape.h"
#include "wexmatch/utf8.h"

int wx_is_bidi_control(unsigned long cp)
{
	return (cp >= 0x202A && cp <= 0x202E) ||  /* LRE RLE PDF LRO RLO */
	       (cp >= 0x2066 && cp <= 0x2069) ||  /* LRI RLI FSI PDI */
	       cp == 0x200E || cp == 0x200F ||    /* LRM RLM */
	       cp == 0x061C;                      /* ALM */
}


struct sbuf {
	char *p;
	size_t len, cap;
};

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

char *wx_escape(const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sbuf b = { NULL, 0, 0 };
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (sb_add(&b, "", 0) < 0)
		return NULL;
	while (i < len) {
		unsigned long cp;
		size_t n = wx_utf8_decode(u + i, len - i, &cp);
		char tmp[16];
		int r;

		if (n == 0) {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[u[i] >> 4];
			tmp[3] = hex[u[i] & 15];
			r = sb_add(&b, tmp, 4);
			n = 1;
		} else if (cp == '\\') {
			r = sb_add(&b, "\\\\", 2);
		} else if (cp == '\t') {
			r = sb_add(&b, "\\t", 2);
		} else if (cp == '\n') {
			r = sb_add(&b, "\\n", 2);
		} else if (cp == '\r') {
			r = sb_add(&b, "\\r", 2);
		} else if (cp == 0x1B) {
			r = sb_add(&b, "\\e", 2);
		} else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[(cp >> 4) & 15];
			tmp[3] = hex[cp & 15];
			r = sb_add(&b, tmp, 4);
		} else if (wx_is_bidi_control(cp) || cp == 0x2028 || cp == 0x2029) {
			/* bidi controls and the Unicode line/paragraph separators */
			static const char pre[] = "\\u{";
			int k = 0;

			memcpy(tmp, pre, 3);
			k = 3;
			for (int sh = 12; sh >= 0; sh -= 4)
				tmp[k++] = hex[(cp >> sh) & 15];
			tmp[k++] = '}';
			r = sb_add(&b, tmp, (size_t)k);
		} else {
			r = sb_add(&b, (const char *)u + i, n);
		}
		if (r < 0) {
			free(b.p);
			return NULL;
		}
		i += n;
	}
	return b.p;
}

void wx_fputs_escaped(const char *s, FILE *f)
{
	char *e = wx_escape(s, strlen(s));

	if (e) {
		fputs(e, f);
		free(e);
	} else {
		fputs("(out of memory)", f);
	}
}

static int cp_width(unsigned long cp)
{
	int w;

	if (cp < 0x80)
		return 1;
	w = wcwidth((wchar_t)cp);
	/* outside a UTF-8 locale wcwidth knows nothing: count one column */
	return w < 0 ? 1 : w;
}

size_t wx_text_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, w = 0;

	while (i < len) {
		unsigned long cp;
		size_t n = wx_utf8_decode(u + i, len - i, &cp);

		if (n == 0) {
			n = 1;
			cp = '?';
		}
		w += (size_t)cp_width(cp);
		i += n;
	}
	return w;
}

char *wx_text_fit(const char *s, size_t width, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, o = 0, w = 0, total = wx_text_width(s);
	size_t room = total > width ? (width ? width - 1 : 0) : width;

	if (cap == 0)
		return out;
	while (i < len) {
		unsigned long cp;
		size_t n = wx_utf8_decode(u + i, len - i, &cp);
		int cw;

		if (n == 0) {
			n = 1;
			cp = '?';
		}
		cw = cp_width(cp);
		if (w + (size_t)cw > room || o + n + 1 >= cap)
			break;
		memcpy(out + o, u + i, n);
		o += n;
		w += (size_t)cw;
		i += n;
	}
	if (total > width && width > 0 && o + 2 < cap) {
		out[o++] = '~';
		w++;
	}
	while (w < width && o + 1 < cap) {
		out[o++] = ' ';
		w++;
	}
	out[o] = '\0';
	return out;
}
