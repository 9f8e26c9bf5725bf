/* unit-values.c: the value types of wexmatch-forms(5) (TYPES): integers and
 * their range, real days of the Gregorian calendar, ISO weeks with week 53,
 * date-times with zones and fractions, yes/no spellings, and ages around
 * 29 February. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wexmatch/values.h"

static int pint(const char *s, int64_t *v)
{
	return wx_parse_int(s, strlen(s), v);
}

static void test_int(void **state)
{
	int64_t v = 99;

	(void)state;
	assert_int_equal(pint("0", &v), WX_OK);
	assert_true(v == 0);
	assert_int_equal(pint("42", &v), WX_OK);
	assert_true(v == 42);
	assert_int_equal(pint("+007", &v), WX_OK);
	assert_true(v == 7);
	assert_int_equal(pint("-0", &v), WX_OK);
	assert_true(v == 0);
	assert_int_equal(pint("-15", &v), WX_OK);
	assert_true(v == -15);
	assert_int_equal(pint("0000000000000000000000000000012", &v), WX_OK);
	assert_true(v == 12);
	assert_int_equal(pint("9223372036854775807", &v), WX_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(pint("-9223372036854775808", &v), WX_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(pint("+09223372036854775807", &v), WX_OK);
	assert_true(v == INT64_MAX);
	/* out of range */
	v = 5;
	assert_int_equal(pint("9223372036854775808", &v), WX_EDATA);
	assert_int_equal(pint("-9223372036854775809", &v), WX_EDATA);
	assert_int_equal(pint("99999999999999999999", &v), WX_EDATA);
	assert_int_equal(pint("-99999999999999999999", &v), WX_EDATA);
	assert_true(v == 5);
	/* not integers */
	assert_int_equal(pint("", &v), WX_EDATA);
	assert_int_equal(pint("+", &v), WX_EDATA);
	assert_int_equal(pint("-", &v), WX_EDATA);
	assert_int_equal(pint("+-1", &v), WX_EDATA);
	assert_int_equal(pint(" 1", &v), WX_EDATA);
	assert_int_equal(pint("1 ", &v), WX_EDATA);
	assert_int_equal(pint("1a", &v), WX_EDATA);
	assert_int_equal(pint("1.0", &v), WX_EDATA);
	assert_int_equal(pint("1e3", &v), WX_EDATA);
	assert_int_equal(pint("\xd9\xa3", &v), WX_EDATA);   /* ARABIC-INDIC DIGIT THREE */
	/* a byte range, not a C string */
	assert_int_equal(wx_parse_int("123456", 3, &v), WX_OK);
	assert_true(v == 123);
}

static int pdate(const char *s, int *y, int *m, int *d)
{
	return wx_parse_date(s, strlen(s), y, m, d);
}

static void test_date(void **state)
{
	int y = 0, m = 0, d = 0;

	(void)state;
	assert_int_equal(pdate("2027-07-05", &y, &m, &d), WX_OK);
	assert_int_equal(y, 2027);
	assert_int_equal(m, 7);
	assert_int_equal(d, 5);
	/* 29 February: only in leap years (the century rule included) */
	assert_int_equal(pdate("2027-02-29", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2028-02-29", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("1900-02-29", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2000-02-29", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("2100-02-29", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-04-31", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-04-30", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("2027-12-31", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("2027-12-32", &y, &m, &d), WX_EDATA);
	/* the range */
	assert_int_equal(pdate("0001-01-01", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("9999-12-31", &y, &m, &d), WX_OK);
	assert_int_equal(pdate("0000-12-31", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-00-10", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-13-01", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-01-00", &y, &m, &d), WX_EDATA);
	/* exactly those digits */
	assert_int_equal(pdate("2027-7-05", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("27-07-05", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027/07/05", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-07-05 ", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("+027-07-05", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("2027-07-0x", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("12027-07-05", &y, &m, &d), WX_EDATA);
	assert_int_equal(pdate("", &y, &m, &d), WX_EDATA);
	/* a range inside a longer buffer */
	assert_int_equal(wx_parse_date("2028-02-29T12:00", 10, &y, &m, &d), WX_OK);
	assert_int_equal(d, 29);
}

static void test_day_numbers(void **state)
{
	int y, m, d;

	(void)state;
	assert_true(wx_days_from_civil(1970, 1, 1) == 0);
	assert_true(wx_days_from_civil(1969, 12, 31) == -1);
	assert_true(wx_days_from_civil(2000, 3, 1) == 11017);
	assert_true(wx_days_from_civil(2027, 7, 5) == 21004);
	assert_true(wx_days_from_civil(1, 1, 1) == -719162);
	assert_true(wx_days_from_civil(9999, 12, 31) == 2932896);
	wx_civil_from_days(-719162, &y, &m, &d);
	assert_int_equal(y, 1);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
	wx_civil_from_days(2932896, &y, &m, &d);
	assert_int_equal(y, 9999);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	/* every day of the range round-trips and follows the one before */
	for (int64_t n = -719162; n <= 2932896; n++) {
		int py = y, pm = m, pd = d;

		wx_civil_from_days(n, &y, &m, &d);
		if (wx_days_from_civil(y, m, d) != n)
			fail_msg("day %lld does not round-trip", (long long)n);
		if (n > -719162 && !((y == py && m == pm && d == pd + 1) ||
				     (y == py && m == pm + 1 && d == 1) ||
				     (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31)))
			fail_msg("day %lld (%04d-%02d-%02d) does not follow %04d-%02d-%02d",
				 (long long)n, y, m, d, py, pm, pd);
	}
}

static int pweek(const char *s, int *y, int *w)
{
	return wx_parse_week(s, strlen(s), y, w);
}

static void expect_day(int64_t days, int y, int m, int d)
{
	int yy, mm, dd;

	wx_civil_from_days(days, &yy, &mm, &dd);
	assert_int_equal(yy, y);
	assert_int_equal(mm, m);
	assert_int_equal(dd, d);
}

static void test_week(void **state)
{
	int y = 0, w = 0;

	(void)state;
	assert_int_equal(wx_iso_weeks_in_year(2026), 53);
	assert_int_equal(wx_iso_weeks_in_year(2027), 52);
	assert_int_equal(wx_iso_weeks_in_year(2032), 53);
	assert_int_equal(wx_iso_weeks_in_year(2020), 53);   /* leap, starts on a Wednesday */
	assert_int_equal(wx_iso_weeks_in_year(2015), 53);
	assert_int_equal(wx_iso_weeks_in_year(2021), 52);
	assert_int_equal(wx_iso_weeks_in_year(2024), 52);   /* leap, starts on a Monday */
	assert_int_equal(pweek("2026-W53", &y, &w), WX_OK);
	assert_int_equal(y, 2026);
	assert_int_equal(w, 53);
	assert_int_equal(pweek("2027-W53", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027-W52", &y, &w), WX_OK);
	assert_int_equal(pweek("2027-w27", &y, &w), WX_OK);
	assert_int_equal(w, 27);
	assert_int_equal(pweek("2027-W01", &y, &w), WX_OK);
	assert_int_equal(pweek("2027-W00", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027-W54", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027-W7", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027W07", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027-X07", &y, &w), WX_EDATA);
	assert_int_equal(pweek("2027-W07-1", &y, &w), WX_EDATA);
	assert_int_equal(pweek("0000-W01", &y, &w), WX_EDATA);
	assert_int_equal(pweek("0001-W01", &y, &w), WX_OK);
	assert_int_equal(pweek("9999-W52", &y, &w), WX_OK);
	/* Mondays: week 1 holds the year's first Thursday */
	expect_day(wx_week_monday(2027, 1), 2027, 1, 4);
	expect_day(wx_week_monday(2027, 27), 2027, 7, 5);
	expect_day(wx_week_monday(2026, 1), 2025, 12, 29);
	expect_day(wx_week_monday(2026, 53), 2026, 12, 28);
	expect_day(wx_week_monday(2021, 1), 2021, 1, 4);
	expect_day(wx_week_monday(2020, 53), 2020, 12, 28);
	expect_day(wx_week_monday(2015, 1), 2014, 12, 29);
	expect_day(wx_week_monday(1, 1), 1, 1, 1);
	/* week 53 ends where the next year's week 1 starts */
	assert_true(wx_week_monday(2026, 53) + 7 == wx_week_monday(2027, 1));
	assert_true(wx_week_monday(2027, 52) + 7 == wx_week_monday(2028, 1));
}

static int pdt(const char *s, int64_t *sec, int32_t *ns, char *norm)
{
	return wx_parse_datetime(s, strlen(s), sec, ns, norm);
}

static void test_datetime(void **state)
{
	int64_t sec = 0, base;
	int32_t ns = -1;
	char norm[40];

	(void)state;
	base = wx_days_from_civil(2027, 3, 1) * 86400 + 9 * 3600 + 30 * 60;
	assert_int_equal(pdt("2027-03-01T09:30:00Z", &sec, &ns, norm), WX_OK);
	assert_true(sec == base);
	assert_int_equal(ns, 0);
	assert_string_equal(norm, "2027-03-01T09:30:00Z");
	/* the same instant with an offset; stored as given */
	assert_int_equal(pdt("2027-03-01T10:30:00+01:00", &sec, &ns, norm), WX_OK);
	assert_true(sec == base);
	assert_string_equal(norm, "2027-03-01T10:30:00+01:00");
	assert_int_equal(pdt("2027-03-01T04:00-05:30", &sec, &ns, norm), WX_OK);
	assert_true(sec == base);
	/* no zone is UTC; a space or t for T, z for Z, normalised */
	assert_int_equal(pdt("2027-03-01 09:30", &sec, &ns, norm), WX_OK);
	assert_true(sec == base);
	assert_string_equal(norm, "2027-03-01T09:30");
	assert_int_equal(pdt("2027-03-01t09:30z", &sec, &ns, norm), WX_OK);
	assert_true(sec == base);
	assert_string_equal(norm, "2027-03-01T09:30Z");
	assert_int_equal(pdt("2027-03-01 09:30:00-00:00", &sec, &ns, norm), WX_OK);
	assert_string_equal(norm, "2027-03-01T09:30:00-00:00");
	/* fractions of 1 to 9 digits */
	assert_int_equal(pdt("2027-03-01T09:30:00.5Z", &sec, &ns, norm), WX_OK);
	assert_int_equal(ns, 500000000);
	assert_int_equal(pdt("2027-03-01T09:30:00.123456789", &sec, &ns, norm), WX_OK);
	assert_int_equal(ns, 123456789);
	assert_true(sec == base);
	assert_string_equal(norm, "2027-03-01T09:30:00.123456789");
	assert_int_equal(pdt("2027-03-01T09:30:00.000000001+23:59", &sec, &ns, norm), WX_OK);
	assert_int_equal(ns, 1);
	assert_string_equal(norm, "2027-03-01T09:30:00.000000001+23:59");
	assert_int_equal(pdt("2027-03-01T09:30:00.1234567890Z", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30:00.Z", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30.5", &sec, &ns, norm), WX_EDATA);
	/* ranges */
	assert_int_equal(pdt("2027-03-01T23:59:59", &sec, &ns, norm), WX_OK);
	assert_int_equal(pdt("2027-03-01T24:00", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T23:60", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T23:59:60", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30+24:00", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30+01:60", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-02-29T09:30", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2028-02-29T09:30", &sec, &ns, norm), WX_OK);
	/* shapes */
	assert_int_equal(pdt("2027-03-01", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T9:30", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01  09:30", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01_09:30", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30:0", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30Z ", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30+0100", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30+01", &sec, &ns, norm), WX_EDATA);
	assert_int_equal(pdt("2027-03-01T09:30UTC", &sec, &ns, norm), WX_EDATA);
	/* norm may be NULL */
	assert_int_equal(pdt("2027-03-01T09:30", &sec, &ns, NULL), WX_OK);
	/* before the epoch and at the ends of the range */
	assert_int_equal(pdt("0001-01-01T00:00Z", &sec, &ns, norm), WX_OK);
	assert_true(sec == -719162LL * 86400);
	assert_int_equal(pdt("9999-12-31T23:59:59.999999999Z", &sec, &ns, norm), WX_OK);
	assert_true(sec == 2932896LL * 86400 + 86399);
}

static int yn(const char *s)
{
	int b = -1;

	if (wx_parse_yesno(s, strlen(s), &b) != WX_OK)
		return -1;
	return b;
}

static void test_yesno(void **state)
{
	(void)state;
	assert_int_equal(yn("yes"), 1);
	assert_int_equal(yn("y"), 1);
	assert_int_equal(yn("true"), 1);
	assert_int_equal(yn("1"), 1);
	assert_int_equal(yn("YES"), 1);
	assert_int_equal(yn("True"), 1);
	assert_int_equal(yn("Y"), 1);
	assert_int_equal(yn("no"), 0);
	assert_int_equal(yn("n"), 0);
	assert_int_equal(yn("false"), 0);
	assert_int_equal(yn("0"), 0);
	assert_int_equal(yn("NO"), 0);
	assert_int_equal(yn("False"), 0);
	assert_int_equal(yn(""), -1);
	assert_int_equal(yn("ye"), -1);
	assert_int_equal(yn("yess"), -1);
	assert_int_equal(yn("on"), -1);
	assert_int_equal(yn("off"), -1);
	assert_int_equal(yn("2"), -1);
	assert_int_equal(yn("01"), -1);
	assert_int_equal(yn(" yes"), -1);
	assert_int_equal(yn("\xc5\xb8"), -1);   /* not ASCII */
}

static void test_age(void **state)
{
	(void)state;
	/* an ordinary birthday */
	assert_int_equal(wx_age_on(2011, 7, 5, 2027, 7, 4), 15);
	assert_int_equal(wx_age_on(2011, 7, 5, 2027, 7, 5), 16);
	assert_int_equal(wx_age_on(2011, 7, 5, 2027, 12, 31), 16);
	assert_int_equal(wx_age_on(2011, 7, 5, 2027, 1, 1), 15);
	/* 29 February: in common years the year is gained on 1 March */
	assert_int_equal(wx_age_on(2008, 2, 29, 2026, 2, 28), 17);
	assert_int_equal(wx_age_on(2008, 2, 29, 2026, 3, 1), 18);
	assert_int_equal(wx_age_on(2008, 2, 29, 2027, 2, 28), 18);
	assert_int_equal(wx_age_on(2008, 2, 29, 2027, 3, 1), 19);
	/* and on 29 February in leap years */
	assert_int_equal(wx_age_on(2008, 2, 29, 2028, 2, 28), 19);
	assert_int_equal(wx_age_on(2008, 2, 29, 2028, 2, 29), 20);
	assert_int_equal(wx_age_on(2008, 2, 29, 2028, 3, 1), 20);
	/* born on 1 March or 28 February: no special case */
	assert_int_equal(wx_age_on(2011, 3, 1, 2027, 2, 28), 15);
	assert_int_equal(wx_age_on(2011, 3, 1, 2027, 3, 1), 16);
	assert_int_equal(wx_age_on(2011, 2, 28, 2027, 2, 28), 16);
	/* on the day of birth, and before it */
	assert_int_equal(wx_age_on(2011, 7, 5, 2011, 7, 5), 0);
	assert_int_equal(wx_age_on(2011, 7, 5, 2011, 7, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_week),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_age),
	};

	return cmocka_run_group_tests_name("values", tests, NULL, NULL);
}
