/* values.h: parsing and normalising the value types of wexmatch-forms(5):
 * integers, dates, ISO weeks, date-times and yes/no.  Shared by form
 * validation, the matcher (ages, weeks, application times) and reports.
 * Every parser takes a byte range (not NUL-terminated) and returns WX_OK or
 * WX_EDATA; none allocates. */
#ifndef WEXMATCH_VALUES_H
#define WEXMATCH_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "wexmatch/error.h"

/* [+-]digits within int64; leading zeros and a plus sign allowed. */
int wx_parse_int(const char *s, size_t len, int64_t *out);

/* YYYY-MM-DD, a real day from 0001-01-01 to 9999-12-31. */
int wx_parse_date(const char *s, size_t len, int *y, int *m, int *d);
/* Days since 1970-01-01 of a proleptic Gregorian date (negative before). */
int64_t wx_days_from_civil(int y, int m, int d);
void wx_civil_from_days(int64_t days, int *y, int *m, int *d);

/* YYYY-Www (or YYYY-www), week 01..52, or 53 in years that have one. */
int wx_parse_week(const char *s, size_t len, int *year, int *week);
int wx_iso_weeks_in_year(int year);          /* 52 or 53 */
/* Days since the epoch of the Monday of ISO week (year, week). */
int64_t wx_week_monday(int year, int week);

/* ISO 8601 date-time per wexmatch-forms(5); no zone means UTC.  *sec is
 * seconds since the epoch (UTC), *nsec the fraction.  norm (may be NULL,
 * at least 40 bytes) receives the normalised text: T and Z upper-case. */
int wx_parse_datetime(const char *s, size_t len, int64_t *sec, int32_t *nsec, char *norm);

/* Format nanoseconds since the epoch as YYYY-MM-DDThh:mm:ssZ (UTC). */
void wx_format_utc(int64_t ns, char *buf, size_t cap);

/* yes/y/true/1 -> 1, no/n/false/0 -> 0, ASCII case ignored. */
int wx_parse_yesno(const char *s, size_t len, int *out);

/* Whole years between a birth date and a day (29 February birthdays gain a
 * year on 1 March in other years). */
int wx_age_on(int by, int bm, int bd, int y, int m, int d);

#endif
