/* demo.h: realistic synthetic data for trying wexmatch, for the tests and
 * for the benchmarks.  Names from many backgrounds (accents, apostrophes,
 * hyphens, combining marks, non-Latin scripts), plausible UK postcodes,
 * ISO weeks, professions and disadvantage flags at realistic rates.  The
 * same seed gives the same data.  Every record is checked against the
 * forms before it is stored, so the data is valid under the trust's forms
 * (or the demo stops with the first problem). */
#ifndef WEXMATCH_DEMO_H
#define WEXMATCH_DEMO_H

#include <stdint.h>

#include "wexmatch/error.h"
#include "wexmatch/form.h"
#include "wexmatch/store.h"

struct wx_demo_opts {
	unsigned long candidates;
	unsigned long placements;
	unsigned long ambassadors;
	unsigned long requests;
	uint64_t seed;
	unsigned max_choices;     /* most placement choices per candidate (1..10) */
};

/* Called now and then with how far a kind has got. */
typedef void (*wx_progress_fn)(void *ctx, const char *what, unsigned long done,
			       unsigned long total);

/* Fill the database.  Refuses (WX_EDATA) a kind that already has records, so
 * a demo never mixes with real data. */
int wx_demo_fill(struct wx_store *s, const struct wx_forms *forms,
		 const struct wx_demo_opts *o, wx_progress_fn progress, void *pctx,
		 struct wx_err *err);

/* The generator's random numbers (splitmix64), for tests and benchmarks. */
uint64_t wx_demo_rand(uint64_t *state);

#endif
