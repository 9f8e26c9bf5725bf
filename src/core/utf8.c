/* utf8.c: strict UTF-8 decoding (see utf8.h). */
#include "config.h"

#include "wexmatch/utf8.h"

size_t wx_utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	size_t n = len ? wx_utf8_len(s, len) : 0;
	unsigned long c;

	switch (n) {
	case 1:
		c = s[0];
		break;
	case 2:
		c = (unsigned long)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		break;
	case 3:
		c = (unsigned long)(s[0] & 0x0F) << 12 | (unsigned long)(s[1] & 0x3F) << 6 |
		    (s[2] & 0x3F);
		break;
	case 4:
		c = (unsigned long)(s[0] & 0x07) << 18 | (unsigned long)(s[1] & 0x3F) << 12 |
		    (unsigned long)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
		break;
	default:
		return 0;
	}
	*cp = c;
	return n;
}

size_t wx_utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = wx_utf8_len(s + i, len - i);

		if (n == 0)
			break;
		i += n;
	}
	return i;
}
