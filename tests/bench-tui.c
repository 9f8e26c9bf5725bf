/* bench-tui: the TUI's speed figures, measured on the real program.
 *
 *   tests/bench-tui [--candidates N] [--filter-candidates M] [--dir DIR]
 *
 * Makes (once, then reuses) demo databases of N candidates (default
 * 1,000,000) and M (default 100,000) under DIR (default
 * tests/bench-tui-db), then runs ./wexmatch in a pseudo-terminal of 80x24
 * as a user would, reading everything it writes.  The program is told to
 * report each finished redraw on a pipe (WEXMATCH_TUI_TRACE_FD, a hidden
 * hook: one line after each screen update), so each figure is the time
 * from the key being written to the pty until the screen was updated, and
 * the bytes are what the terminal received for that key.
 *
 * Prints: time to the first screen; per key for a selection move, a
 * one-line scroll and a page move (median, 95th percentile, max; bytes
 * per step); End; a sort of N records; per filter keystroke over M
 * records; peak resident memory (VmHWM) with the anonymous and file-backed
 * parts after browsing, and after the sort. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct tui {
	pid_t pid;
	int pty, trace;
	char tbuf[4096];
	size_t tlen;
	unsigned long long bytes;    /* read from the pty so far */
};

/* read what is there; wait up to ms for a "drawn" line; 1 when one came */
static int pump(struct tui *t, int ms)
{
	double end = now_ms() + ms;

	for (;;) {
		struct pollfd p[2] = { { t->pty, POLLIN, 0 }, { t->trace, POLLIN, 0 } };
		char buf[65536];
		double left = end - now_ms();
		ssize_t n;
		char *nl;

		if ((nl = memchr(t->tbuf, '\n', t->tlen)) != NULL) {
			size_t used = (size_t)(nl - t->tbuf) + 1;

			memmove(t->tbuf, t->tbuf + used, t->tlen - used);
			t->tlen -= used;
			/* the screen's bytes were written before the trace line */
			while ((n = read(t->pty, buf, sizeof buf)) > 0)
				t->bytes += (unsigned long long)n;
			return 1;
		}
		if (left <= 0)
			return 0;
		if (poll(p, 2, (int)left + 1) < 0 && errno != EINTR)
			return 0;
		if (p[0].revents & POLLIN)
			while ((n = read(t->pty, buf, sizeof buf)) > 0)
				t->bytes += (unsigned long long)n;
		if (p[1].revents & POLLIN) {
			n = read(t->trace, t->tbuf + t->tlen, sizeof t->tbuf - t->tlen - 1);
			if (n > 0)
				t->tlen += (size_t)n;
		}
		if ((p[0].revents | p[1].revents) & (POLLHUP | POLLERR) && !(p[1].revents & POLLIN) &&
		    !(p[0].revents & POLLIN))
			return 0;
	}
}

static int start(struct tui *t, const char *prog, const char *db, double *first_ms)
{
	struct winsize ws = { 24, 80, 0, 0 };
	int tp[2];
	double t0;

	memset(t, 0, sizeof *t);
	if (pipe(tp) != 0)
		return -1;
	t0 = now_ms();
	t->pid = forkpty(&t->pty, NULL, NULL, &ws);
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		char fd[16];

		close(tp[0]);
		snprintf(fd, sizeof fd, "%d", tp[1]);
		setenv("WEXMATCH_TUI_TRACE_FD", fd, 1);
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("NO_COLOR");
		execl(prog, prog, "--db", db, (char *)NULL);
		_exit(127);
	}
	close(tp[1]);
	t->trace = tp[0];
	fcntl(t->pty, F_SETFL, fcntl(t->pty, F_GETFL) | O_NONBLOCK);
	fcntl(t->trace, F_SETFL, fcntl(t->trace, F_GETFL) | O_NONBLOCK);
	if (!pump(t, 20000))
		return -1;
	*first_ms = now_ms() - t0;
	return 0;
}

/* send keys, wait for the redraw; time in ms, bytes in *bytes */
static double key(struct tui *t, const char *k, unsigned long long *bytes)
{
	unsigned long long b0 = t->bytes;
	double t0 = now_ms();

	if (write(t->pty, k, strlen(k)) < 0)
		return -1;
	if (!pump(t, 30000))
		return -1;
	if (bytes)
		*bytes = t->bytes - b0;
	return now_ms() - t0;
}

static void stop(struct tui *t)
{
	int st;

	if (write(t->pty, "q", 1) < 0)
		kill(t->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		char buf[4096];

		while (read(t->pty, buf, sizeof buf) > 0)
			;
		if (waitpid(t->pid, &st, WNOHANG) == t->pid)
			break;
		usleep(20000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
	close(t->pty);
	close(t->trace);
}

struct mem {
	long hwm, rss, anon, file;
};

static void memory(pid_t pid, struct mem *m)
{
	char path[64], line[256];
	FILE *f;

	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "VmHWM: %ld", &m->hwm);
		sscanf(line, "VmRSS: %ld", &m->rss);
		sscanf(line, "RssAnon: %ld", &m->anon);
		sscanf(line, "RssFile: %ld", &m->file);
	}
	fclose(f);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *v, unsigned long long *bytes, int n)
{
	double med, p95, max;
	unsigned long long sum = 0, bmax = 0;

	for (int i = 0; i < n; i++) {
		sum += bytes[i];
		if (bytes[i] > bmax)
			bmax = bytes[i];
	}
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	med = v[n / 2];
	p95 = v[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1];
	max = v[n - 1];
	printf("  %-34s median %6.2f ms  p95 %6.2f  max %6.2f   bytes/step mean %llu, max %llu  (%d steps)\n",
	       what, med, p95, max, sum / (unsigned long long)n, bmax, n);
}

static int make_db(const char *prog, const char *db, long n)
{
	struct stat st;
	char cmd[4096];

	snprintf(cmd, sizeof cmd, "%s/data.mdb", db);
	if (stat(cmd, &st) == 0)
		return 0;
	printf("making %s with %ld candidates (once; kept for later runs)...\n", db, n);
	fflush(stdout);
	snprintf(cmd, sizeof cmd,
		 "'%s' --db '%s' demo --candidates %ld --placements 2000 --ambassadors 500 --requests 300 >/dev/null",
		 prog, db, n);
	return system(cmd) == 0 ? 0 : -1;
}

#define STEPS 200

int main(int argc, char **argv)
{
	const char *prog = "./wexmatch", *dir = "tests/bench-tui-db";
	long n = 1000000, nf = 100000;
	char db[1024], dbf[1024];
	static double tv[STEPS];
	static unsigned long long bv[STEPS];
	struct tui t;
	struct mem m;
	double first, ms;
	unsigned long long b;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--candidates") == 0 && i + 1 < argc)
			n = atol(argv[++i]);
		else if (strcmp(argv[i], "--filter-candidates") == 0 && i + 1 < argc)
			nf = atol(argv[++i]);
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--prog") == 0 && i + 1 < argc)
			prog = argv[++i];
		else if (strcmp(argv[i], "--quick") == 0) {
			n = 100000;
			nf = 20000;
		}
	}
	mkdir(dir, 0700);
	snprintf(db, sizeof db, "%s/c%ld", dir, n);
	snprintf(dbf, sizeof dbf, "%s/c%ld", dir, nf);
	if (make_db(prog, db, n) != 0 || make_db(prog, dbf, nf) != 0) {
		fprintf(stderr, "bench-tui: cannot make the demo databases\n");
		return 1;
	}

	printf("bench-tui: %s, %ld candidates, terminal 80x24\n", db, n);
	if (start(&t, prog, db, &first) != 0) {
		fprintf(stderr, "bench-tui: the TUI did not start\n");
		return 1;
	}
	printf("  %-34s %.1f ms (%llu bytes)\n", "first screen after start", first, t.bytes);
	for (int i = 0; i < STEPS; i++)
		tv[i] = key(&t, "j", &bv[i]);
	/* the first 19 move the selection on the page; the rest scroll it */
	report("j, selection within the page", tv, bv, 19);
	report("j, scrolling by one line", tv + 19, bv + 19, STEPS - 19);
	for (int i = 0; i < STEPS; i++)
		tv[i] = key(&t, "k", &bv[i]);
	report("k, back up (stepping the cursor back)", tv, bv, STEPS);
	for (int i = 0; i < 100; i++)
		tv[i] = key(&t, " ", &bv[i]);
	report("Space, page down", tv, bv, 100);
	ms = key(&t, "G", &b);
	printf("  %-34s %.2f ms (%llu bytes)\n", "G, to the end", ms, b);
	for (int i = 0; i < 100; i++)
		tv[i] = key(&t, "b", &bv[i]);
	report("b, page up from the end", tv, bv, 100);
	memory(t.pid, &m);
	printf("  %-34s peak %ld KB (now %ld KB: %ld anonymous, %ld file-backed)\n",
	       "memory after browsing", m.hwm, m.rss, m.anon, m.file);
	ms = key(&t, ">", NULL);
	ms = key(&t, ">", NULL);
	ms = key(&t, "s", &b);
	printf("  %-34s %.1f ms (given name, %ld records)\n", "s, sort by a column", ms, n);
	for (int i = 0; i < 100; i++)
		tv[i] = key(&t, "j", &bv[i]);
	report("j in the sorted list", tv, bv, 100);
	memory(t.pid, &m);
	printf("  %-34s peak %ld KB (now %ld KB: %ld anonymous, %ld file-backed)\n",
	       "memory after the sort", m.hwm, m.rss, m.anon, m.file);
	stop(&t);

	printf("bench-tui: %s, %ld candidates\n", dbf, nf);
	if (start(&t, prog, dbf, &first) != 0)
		return 1;
	printf("  %-34s %.1f ms\n", "first screen after start", first);
	ms = key(&t, "/", &b);
	printf("  %-34s %.1f ms (reads the columns of %ld records once)\n", "/, opening the filter", ms, nf);
	{
		const char *typed = "ngozi|smith";
		int k = 0;

		for (const char *p = typed; *p; p++, k++) {
			char one[2] = { *p, 0 };

			tv[k] = key(&t, one, &bv[k]);
		}
		report("filter keystroke (ngozi|smith)", tv, bv, k);
		for (int i = 0; i < k; i++)
			tv[i] = key(&t, "\x7f", &bv[i]);
		report("filter backspace", tv, bv, k);
	}
	key(&t, "\x1b", NULL);
	memory(t.pid, &m);
	printf("  %-34s peak %ld KB (now %ld KB: %ld anonymous, %ld file-backed)\n",
	       "memory after filtering", m.hwm, m.rss, m.anon, m.file);
	stop(&t);
	return 0;
}
