/* bench-ambmatch.c: ambassador assignment benchmarks, run by `make bench`.
 * Prints figures and the targets they are meant to meet; never asserts
 * timing.  Exits non-zero only when the engine fails or its assignment
 * breaks a capacity.
 *
 *   bench-ambmatch [--quick | --large]
 *
 * Instances are generated in memory, eligibility decided here the way the
 * run layer would (matching.md, "Ambassadors", section 1): a term of 40
 * school days; ambassadors spread over a 60 km x 60 km trust area, each
 * available on 1-5 dates, willing to travel 10-40 km, 60% accepting virtual
 * events, one of 8 professions, max_events 1-4 (mostly 1-2); requests on a
 * random date, tiers 30% / 30% / 40%, 1-4 places (mostly 1-2), 15% virtual,
 * asking for no particular profession (30%) or for 2-4 of the 8.  A pair is
 * eligible when the ambassador is available that day, the profession fits,
 * and the event is virtual (and accepted) or within the ambassador's
 * travel distance.  The "dense" case widens travel and professions so each
 * request has about 280 eligible ambassadors.  --quick uses small sizes (a
 * smoke test); --large adds 20k ambassadors x 8k requests. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "wexmatch/ambmatch.h"
#include "wexmatch/error.h"

#define NDATES 40
#define NPROF 8

static int failures;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = UINT64_C(0x853c49e6748fea9b);

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(rng_next() % n);
}

static int chance(double p)
{
	return rng_unit() < p;
}

static long peak_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;   /* kilobytes on Linux */
}

struct gen_amb {
	double x, y;           /* metres */
	double travel;         /* metres */
	int virt;
	unsigned prof;
	uint64_t dates;        /* bit d: available on day d */
};

struct gen_req {
	double x, y;
	int virt;
	unsigned profs;        /* bit mask; 0 asks for none */
};

struct instance {
	struct wx_amb_request *req;
	struct wx_amb_ambassador *amb;
	struct wx_amb_pair *pair;
	struct wx_amb_input in;
};

static void instance_free(struct instance *t)
{
	free(t->req);
	free(t->amb);
	free(t->pair);
}

static int generate(struct instance *t, size_t A, size_t R, int dense)
{
	struct gen_amb *ga = calloc(A, sizeof *ga);
	struct gen_req *gr = calloc(R, sizeof *gr);
	size_t cap = R * 64 + 1024, np = 0;
	/* ambassadors available on each date */
	uint32_t *on = malloc(A * NDATES * sizeof *on);
	size_t non[NDATES] = { 0 };

	memset(t, 0, sizeof *t);
	t->req = calloc(R, sizeof *t->req);
	t->amb = calloc(A, sizeof *t->amb);
	t->pair = malloc(cap * sizeof *t->pair);
	if (!ga || !gr || !on || !t->req || !t->amb || !t->pair)
		return -1;
	for (size_t a = 0; a < A; a++) {
		unsigned nd = 1 + rng_below(5);

		ga[a].x = rng_unit() * 60000;
		ga[a].y = rng_unit() * 60000;
		ga[a].travel = dense ? 30000 + rng_unit() * 40000 : 10000 + rng_unit() * 30000;
		ga[a].virt = chance(0.6);
		ga[a].prof = rng_below(NPROF);
		for (unsigned k = 0; k < nd; k++)
			ga[a].dates |= UINT64_C(1) << rng_below(NDATES);
		for (unsigned d = 0; d < NDATES; d++)
			if (ga[a].dates >> d & 1)
				on[d * A + non[d]++] = (uint32_t)a;
		t->amb[a].max_events = chance(0.7) ? 1 + rng_below(2) : 1 + rng_below(4);
	}
	for (size_t r = 0; r < R; r++) {
		double u = rng_unit();

		gr[r].x = rng_unit() * 60000;
		gr[r].y = rng_unit() * 60000;
		gr[r].virt = chance(0.15);
		if (dense || chance(0.3)) {
			gr[r].profs = 0;
		} else {
			unsigned k = 2 + rng_below(3);

			while (k--)
				gr[r].profs |= 1u << rng_below(NPROF);
		}
		t->req[r].tier = u < 0.3 ? 1 : u < 0.6 ? 2 : 3;
		t->req[r].date = (int32_t)(20000 + rng_below(NDATES));
		t->req[r].places = chance(0.7) ? 1 + rng_below(2) : 1 + rng_below(4);
	}
	for (size_t r = 0; r < R; r++) {
		unsigned d = (unsigned)(t->req[r].date - 20000);

		for (size_t i = 0; i < non[d]; i++) {
			uint32_t a = on[d * A + i];
			double dx = ga[a].x - gr[r].x, dy = ga[a].y - gr[r].y, dist;

			if (gr[r].profs && !(gr[r].profs >> ga[a].prof & 1))
				continue;
			if (gr[r].virt) {
				if (!ga[a].virt)
					continue;
				dist = 0;
			} else {
				dist = sqrt(dx * dx + dy * dy);
				if (dist > ga[a].travel)
					continue;
			}
			if (np == cap) {
				struct wx_amb_pair *n;

				cap *= 2;
				n = realloc(t->pair, cap * sizeof *n);
				if (!n)
					return -1;
				t->pair = n;
			}
			t->pair[np++] = (struct wx_amb_pair){ a, (uint32_t)r, (uint32_t)dist };
		}
	}
	t->in = (struct wx_amb_input){ R, t->req, A, t->amb, np, t->pair };
	free(ga);
	free(gr);
	free(on);
	return 0;
}

/* Capacities only (the unit tests judge optimality). */
static int feasible(const struct instance *t, const struct wx_amb_result *res)
{
	uint32_t *ev = calloc(t->in.namb, sizeof *ev);
	int ok = ev != NULL;

	for (size_t r = 0; ok && r < t->in.nreq; r++) {
		if (res->got[r] > t->req[r].places)
			ok = 0;
		for (uint32_t i = res->first[r]; ok && i < res->first[r + 1]; i++) {
			const struct wx_amb_pair *e = &t->pair[res->pair[i]];

			if (e->req != r || ++ev[e->amb] > t->amb[e->amb].max_events)
				ok = 0;
		}
	}
	free(ev);
	return ok;
}

static void bench(const char *label, size_t A, size_t R, int dense)
{
	struct instance t;
	struct wx_amb_result res;
	struct wx_err err = { 0 };
	uint64_t places = 0, maxdeg = 0;
	uint32_t *deg;
	double t0, ms;

	if (generate(&t, A, R, dense) != 0) {
		fprintf(stderr, "bench-ambmatch: out of memory\n");
		failures++;
		return;
	}
	deg = calloc(R, sizeof *deg);
	for (size_t p = 0; deg && p < t.in.npair; p++)
		if (++deg[t.pair[p].req] > maxdeg)
			maxdeg = deg[t.pair[p].req];
	free(deg);
	for (size_t r = 0; r < R; r++)
		places += t.req[r].places;
	t0 = now_s();
	if (wx_amb_run(&t.in, &res, &err) != WX_OK) {
		fprintf(stderr, "bench-ambmatch: %s: %s\n", label, err.msg);
		failures++;
		wx_amb_result_free(&res);
		instance_free(&t);
		return;
	}
	ms = (now_s() - t0) * 1000;
	printf("%s: %.0f ms (target <= 2000 ms)\n", label, ms);
	printf("  %zu eligible pairs (%.0f per request, at most %llu), %llu places\n",
	       t.in.npair, R ? (double)t.in.npair / (double)R : 0.0,
	       (unsigned long long)maxdeg, (unsigned long long)places);
	printf("  filled tier 1/2/3: %llu/%llu/%llu, served %llu of %zu, unfilled %llu, "
	       "distance %.0f km\n",
	       (unsigned long long)res.filled[0], (unsigned long long)res.filled[1],
	       (unsigned long long)res.filled[2], (unsigned long long)res.served, R,
	       (unsigned long long)res.unfilled, (double)res.distance / 1000);
	printf("  %llu shortest paths, %llu arcs scanned\n",
	       (unsigned long long)res.augmentations, (unsigned long long)res.scanned);
	if (!feasible(&t, &res)) {
		fprintf(stderr, "bench-ambmatch: %s: assignment breaks a capacity\n", label);
		failures++;
	}
	wx_amb_result_free(&res);
	instance_free(&t);
	printf("  peak RSS after %s: %ld MB (input included)\n", label, peak_rss_mb());
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	int large = argc > 1 && strcmp(argv[1], "--large") == 0;

	if (quick) {
		bench("ambassadors 500 x 200", 500, 200, 0);
	} else {
		bench("ambassadors 5k x 2k", 5000, 2000, 0);
		bench("ambassadors 5k x 2k dense", 5000, 2000, 1);
		if (large)   /* about a second, most of it building the network */
			bench("ambassadors 20k x 8k", 20000, 8000, 0);
	}
	return failures ? 1 : 0;
}
