/* fuzz-form.c: libFuzzer target for form and list files.
 *
 * The input is parsed as a form file (wx_form_parse without a forms
 * directory, so choices_from is refused) for each kind whose name it
 * contains, and as equality in any case, then as a list file.  A form that
 * parses has every field checked with its default, with a few fixed probe
 * values and with lines of the input itself, and records are checked and
 * given defaults, so the value checks run on the limits, patterns and
 * choices the fuzzer made up.  Everything is freed: the leak checker
 * watches too.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined ... tests/fuzz-form.c
 *   ./fuzz-form tests/corpus/form
 *
 * tests/fuzz-replay.c runs the same function on every file it is given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/form.h"
#include "wexmatch/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 64      /* fields of a form whose values are checked */
#define MAX_LINES 16       /* lines of the input used as values */

static const char *const probes[] = {
	"", " ", "\t", "0", "+007", "-0", "9223372036854775808", "yes", "N", "2027-02-29",
	"2028-02-29", "2026-W53", "2027-w53", "2027-03-01 09:30z", "2027-03-01T10:30:00.123456789+01:00",
	"a;b;a", "a; B ;;", "LS1 4AP", "x\x1b", "\xE2\x80\xAE", "\xff", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
};

static void ignore(void *ctx, const char *field, const char *msg)
{
	(void)ctx;
	(void)field;
	(void)msg;
}

static void check(const struct wx_form_field *f, const char *s, size_t n)
{
	char *norm = NULL, msg[256];
	size_t nl = 0;

	if (wx_field_check(f, s, n, &norm, &nl, msg, sizeof msg) == WX_OK) {
		/* a normalised value is stable: checking it again changes nothing */
		char *again = NULL;
		size_t al = 0;

		if (wx_field_check(f, norm, nl, &again, &al, msg, sizeof msg) != WX_OK ||
		    al != nl || memcmp(again, norm, nl) != 0)
			abort();
		free(again);
	}
	free(norm);
}

static void exercise(const struct wx_form *form, const char *buf, size_t len)
{
	struct wx_record r;
	size_t nf = form->n < MAX_FIELDS ? form->n : MAX_FIELDS;

	wx_record_init(&r);
	for (size_t i = 0; i < nf; i++) {
		const struct wx_form_field *f = &form->f[i];
		const char *p = buf, *end = buf + len;
		int lines = 0;

		if (f->defval)
			check(f, f->defval, strlen(f->defval));
		for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++)
			check(f, probes[k], strlen(probes[k]));
		for (size_t k = 0; f->choices && k < f->choices->n && k < 4; k++)
			check(f, f->choices->v[k].code, strlen(f->choices->v[k].code));
		while (p < end && lines++ < MAX_LINES) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			size_t n = e ? (size_t)(e - p) : (size_t)(end - p);

			check(f, p, n);
			p += n + 1;
		}
		/* a record with one value a field, some of them bad */
		if (wx_record_set(&r, f->name, probes[i % (sizeof probes / sizeof probes[0])],
				  strlen(probes[i % (sizeof probes / sizeof probes[0])])) != WX_OK)
			abort();
	}
	if (wx_record_set(&r, "zz_extra", "\x1b kept", 7) != WX_OK)
		abort();
	if (wx_form_apply_defaults(form, &r) != WX_OK)
		abort();
	if (wx_form_check_record(form, &r, ignore, NULL) < 0)
		abort();
	if (!wx_record_get(&r, "zz_extra") || strcmp(wx_record_get(&r, "zz_extra"), "\x1b kept") != 0)
		abort();
	wx_record_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wx_choices *list = NULL;
	struct wx_err err;

	for (int k = 0; k < WX_KIND_COUNT; k++) {
		const char *name = wx_kind_name((enum wx_kind)k);
		struct wx_form *form = NULL;
		int rc;

		if (k != WX_KIND_EQUALITY && !memmem(buf, size, name, strlen(name)))
			continue;
		wx_err_clear(&err);
		rc = wx_form_parse(&form, "fuzz", buf, size, (enum wx_kind)k, NULL, &err);
		if ((rc == WX_OK) != (form != NULL) || (rc != WX_OK && err.code != rc))
			abort();
		if (form) {
			exercise(form, buf, size);
			wx_form_free(form);
		}
	}
	wx_err_clear(&err);
	if (wx_list_parse(&list, "fuzz", "fuzz", buf, size, &err) == WX_OK) {
		if (!list || list->n == 0 || !wx_choices_find(list, list->v[0].code, strlen(list->v[0].code)))
			abort();
		wx_choices_free(list);
	} else if (list) {
		abort();
	}
	return 0;
}
