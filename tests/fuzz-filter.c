/* fuzz-filter.c: a user-typed filter (list --where, the TUI's /) is hostile
 * input.  The first line of the input is the pattern, the rest the value:
 * compiling and matching must never crash or leak, and must end (the match
 * limits turn runaway patterns into an error). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size;
	char *pat = malloc(plen + 1);
	struct wx_regex *re;
	struct wx_err err = { 0 };

	if (!pat)
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	if (strlen(pat) == plen &&
	    wx_regex_compile(&re, pat, WX_RE_UCP, NULL, &err) == WX_OK) {
		const char *v = nl ? (const char *)nl + 1 : "";
		size_t vlen = nl ? size - plen - 1 : 0;
		int rc = wx_regex_match(re, v, vlen, &err);

		if (rc != WX_OK && rc != WX_ENOTFOUND && rc != WX_EDATA)
			abort();
		wx_regex_free(re);
	}
	free(pat);
	return 0;
}
