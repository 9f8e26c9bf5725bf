/* utf8.h: strict UTF-8, one definition for the whole program: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.  The CSV
 * and JSON readers, form files, validation and display escaping all decide
 * "valid UTF-8" with these functions, so they can never disagree. */
#ifndef WEXMATCH_UTF8_H
#define WEXMATCH_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid sequence at s, or 0 when s (avail >= 1 bytes)
 * does not start with one.  Inline: the readers call it per character. */
static inline size_t wx_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) ||   /* overlong */
		    (c == 0xED && s[1] >= 0xA0))    /* a surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) ||   /* overlong */
		    (c == 0xF4 && s[1] >= 0x90))    /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

/* Decode the sequence at s: its length with the code point in *cp, or 0. */
size_t wx_utf8_decode(const unsigned char *s, size_t len, unsigned long *cp);
/* Length of the longest valid prefix of s: len when s is all valid. */
size_t wx_utf8_valid_prefix(const unsigned char *s, size_t len);

#endif
