/* names.c: the frozen table of well-known field names (see names.h).
 * APPEND ONLY: the index of a name is stored in every record. */
#include "config.h"

#include <string.h>

#include "wexmatch/names.h"

static const char *const names[] = {
	/* 0: candidate */
	"id", "status", "applied_at", "given_name", "family_name", "date_of_birth", "email",
	"phone", "postcode", "route", "school", "year_group", "choices", "interests",
	"available_weeks", "max_travel_km", "care_experienced", "fsm", "young_carer",
	"estranged", "first_in_family", "refugee", "service_child", "disability",
	"prior_experience", "imd_decile", "parental_consent", "oh_cleared",
	"confidentiality_signed", "dbs_status",
	/* 30: placement */
	"title", "department", "profession", "clinical", "min_age", "site", "site_postcode",
	"week", "start_date", "end_date", "capacity", "supervisor",
	/* 42: ambassador */
	"job_title", "professions", "base_postcode", "virtual_ok", "available_dates",
	"max_events", "dbs_expires", "training_done",
	/* 50: request */
	"school_urn", "fsm_pct", "activity", "date", "virtual", "ambassadors_needed",
	"year_groups", "audience_size", "contact_name", "contact_email",
	/* 60: equality */
	"ethnicity", "sex", "gender_identity", "sexual_orientation", "religion",
	/* 65: append new names below this line, never above */
};

#define NNAMES (sizeof names / sizeof names[0])

/* Lookup by a small open-addressing hash built on first use: the encoder
 * asks for every field of every record. */
#define HSIZE 512
static short table[HSIZE];
static unsigned char lens[NNAMES];

static unsigned hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h & (HSIZE - 1);
}

/* Built before main runs, so lookups need no lock and no check. */
__attribute__((constructor)) static void build(void)
{
	for (unsigned i = 0; i < HSIZE; i++)
		table[i] = -1;
	for (unsigned i = 0; i < NNAMES; i++) {
		unsigned h = hash(names[i], strlen(names[i]));

		lens[i] = (unsigned char)strlen(names[i]);
		while (table[h] >= 0)
			h = (h + 1) & (HSIZE - 1);
		table[h] = (short)i;
	}
}

const char *wx_name_at(unsigned i)
{
	return i < NNAMES ? names[i] : NULL;
}

size_t wx_name_len(unsigned i)
{
	return i < NNAMES ? lens[i] : 0;
}

int wx_name_index(const char *s, size_t n)
{
	unsigned h;

	for (h = hash(s, n); table[h] >= 0; h = (h + 1) & (HSIZE - 1)) {
		if (lens[table[h]] == n && memcmp(names[table[h]], s, n) == 0)
			return table[h];
	}
	return -1;
}
