/* bench-records.c: what records cost in memory, printed as figures (make
 * bench).  Never asserts a time.
 *   - checking one value against a form field (a postcode with its pattern,
 *     a date, a choice), per call;
 *   - reading one field of an encoded record in place (wx_record_peek, what
 *     lists, filters and the matcher use) against decoding the whole record;
 *   - checking and normalising a whole demo-like candidate record.
 * Usage: bench-records FORMS_DIR [--quick] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wexmatch/form.h"
#include "wexmatch/record.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_field(const struct wx_form *form, const char *name, const char *value,
			  long n)
{
	const struct wx_form_field *f = wx_form_find(form, name);
	char msg[256], *norm;
	size_t nl;
	double t0 = now();

	if (!f) {
		fprintf(stderr, "no field %s\n", name);
		exit(1);
	}
	for (long i = 0; i < n; i++) {
		if (wx_field_check(f, value, strlen(value), &norm, &nl, msg, sizeof msg) != WX_OK) {
			fprintf(stderr, "%s=%s: %s\n", name, value, msg);
			exit(1);
		}
		free(norm);
	}
	return (now() - t0) / (double)n * 1e9;
}

static void fill(struct wx_record *r)
{
	static const char *const kv[][2] = {
		{ "id", "C000123" }, { "status", "received" }, { "applied_at", "2027-02-11T14:23:05Z" },
		{ "given_name", "Siobhán" }, { "family_name", "O'Brien" },
		{ "date_of_birth", "2010-05-01" }, { "email", "candidate123@example.org" },
		{ "phone", "07700 900123" }, { "postcode", "LS6 2AB" }, { "route", "school" },
		{ "school", "Parkside Academy" }, { "year_group", "Y11" },
		{ "choices", "P00012;P00450;P00031" }, { "interests", "nursing;radiography" },
		{ "available_weeks", "2027-W27;2027-W28" }, { "max_travel_km", "20" },
		{ "care_experienced", "no" }, { "fsm", "yes" }, { "young_carer", "no" },
		{ "estranged", "no" }, { "first_in_family", "yes" }, { "refugee", "no" },
		{ "service_child", "no" }, { "disability", "no" }, { "prior_experience", "no" },
		{ "imd_decile", "2" }, { "parental_consent", "yes" }, { "dbs_status", "not_needed" },
	};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		wx_record_append(r, kv[i][0], kv[i][1], strlen(kv[i][1]));
}

int main(int argc, char **argv)
{
	struct wx_forms *forms;
	struct wx_err err = { 0 };
	struct wx_record r, d;
	unsigned char *buf;
	size_t len, vl;
	const char *v;
	long n = argc > 2 && strcmp(argv[2], "--quick") == 0 ? 100000 : 1000000;
	double t0, peek, dec;
	long sink = 0;

	if (argc < 2 || wx_forms_load(&forms, argv[1], &err) != WX_OK) {
		fprintf(stderr, "bench-records FORMS_DIR: %s\n", err.msg);
		return 1;
	}
	const struct wx_form *cf = forms->form[WX_KIND_CANDIDATE];

	printf("field check, postcode (PCRE2 pattern): %.0f ns\n", bench_field(cf, "postcode", "LS6 2AB", n));
	printf("field check, given_name (PCRE2, UTF-8): %.0f ns\n", bench_field(cf, "given_name", "Siobhán", n));
	printf("field check, date_of_birth: %.0f ns\n", bench_field(cf, "date_of_birth", "2010-05-01", n));
	printf("field check, interests (list of choices): %.0f ns\n",
	       bench_field(cf, "interests", "nursing;radiography", n));

	wx_record_init(&r);
	fill(&r);
	t0 = now();
	for (long i = 0; i < n / 10; i++) {
		struct wx_record c;

		wx_record_init(&c);
		fill(&c);
		if (wx_form_check_record(cf, &c, NULL, NULL) != 0) {
			fprintf(stderr, "the bench record does not pass the form\n");
			return 1;
		}
		wx_record_free(&c);
	}
	printf("whole candidate record built, checked and normalised (28 fields): %.2f us\n",
	       (now() - t0) / (double)(n / 10) * 1e6);

	r.version = 1;
	snprintf(r.muser, sizeof r.muser, "bench");
	wx_record_encode(&r, &buf, &len);
	wx_record_init(&d);
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (wx_record_peek(buf, len, "imd_decile", &v, &vl) == WX_OK)
			sink += v[0];
	}
	peek = (now() - t0) / (double)n * 1e9;
	t0 = now();
	for (long i = 0; i < n; i++) {
		wx_record_decode(buf, len, 1, &d);
		sink += wx_record_get(&d, "imd_decile")[0];
	}
	dec = (now() - t0) / (double)n * 1e9;
	printf("one field of an encoded record (%zu bytes): in place %.0f ns, whole decode %.0f ns (%.0fx)\n",
	       len, peek, dec, dec / peek);
	free(buf);
	wx_record_free(&d);
	wx_record_free(&r);
	wx_forms_free(forms);
	return sink == 42 ? 2 : 0;
}
