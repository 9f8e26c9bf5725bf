/* escape.h: the one escaping function for everything shown on a terminal or
 * written to stdout.  C0 controls (tab included), DEL, C1 controls,
 * bidirectional overrides and isolates become visible escapes (\t, \n, \r,
 * \e, \xNN, \u{202E}); invalid UTF-8 bytes become \xNN; a backslash becomes
 * a doubled backslash so that the output is unambiguous. */
#ifndef WEXMATCH_ESCAPE_H
#define WEXMATCH_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Escape len bytes of s into a malloc'd NUL-terminated string (NULL on OOM). */
char *wx_escape(const char *s, size_t len);
/* Write the escaped form of s to f. */
void wx_fputs_escaped(const char *s, FILE *f);
/* 1 if the code point is a bidirectional formatting character to escape. */
int wx_is_bidi_control(unsigned long cp);

/* Display width in terminal columns of UTF-8 text (already escaped, so it
 * holds no control characters): wide characters count 2, combining marks 0. */
size_t wx_text_width(const char *s);
/* Write s cut or padded with spaces to exactly width columns into out
 * (cap bytes); a cut value ends with '~'.  Returns out. */
char *wx_text_fit(const char *s, size_t width, char *out, size_t cap);

#endif
