/* values.c: the value types of wexmatch-forms(5) (TYPES): integers, dates,
 * ISO weeks, date-times and yes/no.
 *
 * Every parser works on a byte range that need not be NUL-terminated, so a
 * field can be checked in place inside a larger buffer, and none allocates:
 * form validation runs on every keystroke of the data-entry screen and on
 * every cell of an import.  Calendar arithmetic is proleptic Gregorian on
 * day numbers (days since 1970-01-01), which is also the order min and max
 * compare in. */
#include "config.h"

#include <stdio.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wexmatch/values.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n ASCII digits at s as a number; -1 when one of them is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int wx_parse_int(const char *s, size_t len, int64_t *out)
{
	/* accumulate as a negative number: its range includes INT64_MIN, whose
	 * magnitude does not fit in an int64 */
	int64_t v = 0;
	size_t i = 0;
	int neg = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return WX_EDATA;
	for (; i < len; i++) {
		int d;

		if (!is_digit(s[i]))
			return WX_EDATA;
		d = s[i] - '0';
		if (v < (INT64_MIN + d) / 10)
			return WX_EDATA;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return WX_EDATA;
		v = -v;
	}
	*out = v;
	return WX_OK;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

int wx_parse_date(const char *s, size_t len, int *y, int *m, int *d)
{
	int yy, mm, dd;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return WX_EDATA;
	yy = digits(s, 4);
	mm = digits(s + 5, 2);
	dd = digits(s + 8, 2);
	if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm))
		return WX_EDATA;
	*y = yy;
	*m = mm;
	*d = dd;
	return WX_OK;
}

/* Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian
 * calendar, with no table and no loop. */
int64_t wx_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void wx_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

/* Day of the week, Monday 0 to Sunday 6 (1970-01-01 was a Thursday). */
static int weekday(int64_t days)
{
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int wx_iso_weeks_in_year(int year)
{
	/* a year has a week 53 when it starts on a Thursday, or is a leap year
	 * starting on a Wednesday: either way 31 December is a Thursday or
	 * 1 January is */
	int jan1 = weekday(wx_days_from_civil(year, 1, 1));

	return jan1 == 3 || (jan1 == 2 && is_leap(year)) ? 53 : 52;
}

int64_t wx_week_monday(int year, int week)
{
	/* week 1 is the week holding 4 January (so its first Thursday) */
	int64_t jan4 = wx_days_from_civil(year, 1, 4);

	return jan4 - weekday(jan4) + 7 * (int64_t)(week - 1);
}

int wx_parse_week(const char *s, size_t len, int *year, int *week)
{
	int yy, ww;

	if (len != 8 || s[4] != '-' || (s[5] != 'W' && s[5] != 'w'))
		return WX_EDATA;
	yy = digits(s, 4);
	ww = digits(s + 6, 2);
	if (yy < 1 || ww < 1 || ww > wx_iso_weeks_in_year(yy))
		return WX_EDATA;
	*year = yy;
	*week = ww;
	return WX_OK;
}

/* hh:mm at s with hh <= maxh; -1 when it is not. */
static int hhmm(const char *s, int maxh)
{
	int h, m;

	if (s[2] != ':')
		return -1;
	h = digits(s, 2);
	m = digits(s + 3, 2);
	if (h < 0 || h > maxh || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

int wx_parse_datetime(const char *s, size_t len, int64_t *sec, int32_t *nsec, char *norm)
{
	int y, mo, d, hm, ss = 0, off = 0;
	int32_t ns = 0;
	size_t i;

	/* YYYY-MM-DD, then T, t or one space, then hh:mm */
	if (len < 16 || wx_parse_date(s, 10, &y, &mo, &d) != WX_OK ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return WX_EDATA;
	hm = hhmm(s + 11, 23);
	if (hm < 0)
		return WX_EDATA;
	i = 16;
	if (i < len && s[i] == ':') {
		if (len - i < 3 || (ss = digits(s + i + 1, 2)) < 0 || ss > 59)
			return WX_EDATA;
		i += 3;
		if (i < len && s[i] == '.') {
			size_t n = 0;

			i++;
			while (i + n < len && is_digit(s[i + n]) && n < 10)
				n++;
			if (n < 1 || n > 9)
				return WX_EDATA;
			ns = digits(s + i, n);
			for (size_t k = n; k < 9; k++)
				ns *= 10;
			i += n;
		}
	}
	if (i < len) {
		if (s[i] == 'Z' || s[i] == 'z') {
			i++;
		} else if (s[i] == '+' || s[i] == '-') {
			if (len - i < 6 || (off = hhmm(s + i + 1, 23)) < 0)
				return WX_EDATA;
			if (s[i] == '-')
				off = -off;
			i += 6;
		} else {
			return WX_EDATA;
		}
	}
	if (i != len)
		return WX_EDATA;
	/* local time minus its offset from UTC is UTC */
	*sec = wx_days_from_civil(y, mo, d) * 86400 + (int64_t)hm * 60 + ss - (int64_t)off * 60;
	*nsec = ns;
	if (norm) {
		/* at most 10 + 1 + 8 + 10 + 6 = 35 bytes */
		memcpy(norm, s, len);
		norm[10] = 'T';
		if (norm[len - 1] == 'z')
			norm[len - 1] = 'Z';
		norm[len] = '\0';
	}
	return WX_OK;
}

/* ASCII lower case of c. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != w[i])
			return 0;
	return 1;
}

int wx_parse_yesno(const char *s, size_t len, int *out)
{
	if (word_is(s, len, "yes") || word_is(s, len, "y") || word_is(s, len, "true") ||
	    word_is(s, len, "1")) {
		*out = 1;
		return WX_OK;
	}
	if (word_is(s, len, "no") || word_is(s, len, "n") || word_is(s, len, "false") ||
	    word_is(s, len, "0")) {
		*out = 0;
		return WX_OK;
	}
	return WX_EDATA;
}

int wx_age_on(int by, int bm, int bd, int y, int m, int d)
{
	/* Comparing (month, day) pairs gives the 29 February rule by itself: in
	 * a common year 28 February is still before (2, 29) and 1 March is after
	 * it, so the year is gained on 1 March; in a leap year on 29 February. */
	int age = y - by;

	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

void wx_format_utc(int64_t ns, char *buf, size_t cap)
{
	int64_t sec = ns / 1000000000, days;
	int y, m, d;

	if (ns < 0 && ns % 1000000000)
		sec--;
	days = sec / 86400;
	if (sec % 86400 < 0)
		days--;
	sec -= days * 86400;
	wx_civil_from_days(days, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
}
