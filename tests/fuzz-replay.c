/* fuzz-replay.c: run a libFuzzer target over files, without libFuzzer.
 *
 *   fuzz-replay-csv [FILE|DIR]...
 *
 * Linked with one target (fuzz-csv.c or fuzz-json.c), it calls
 * LLVMFuzzerTestOneInput once per file, each DIR standing for the files in
 * it (not recursively, dot files left out, in name order), and prints TAP:
 * "1..N", then "ok N - FILE" after each file.  A target that finds a broken
 * promise aborts, so a bad file stops the run with its name the last one
 * printed.  With no arguments it replays WX_FUZZ_CORPUS, the corpus
 * directory named when it was built, so that make check needs no clang.
 *
 * Each input is copied to a buffer of exactly its size, so that a
 * sanitizer build sees any read past its end. */
#include "config.h"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* opendir, stat */
#endif

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct list {
	char **p;
	size_t n, cap;
};

static int add(struct list *l, const char *dir, const char *name)
{
	size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **np = realloc(l->p, cap * sizeof *np);

		if (!np)
			return -1;
		l->p = np;
		l->cap = cap;
	}
	s = malloc(n);
	if (!s)
		return -1;
	if (dir)
		snprintf(s, n, "%s/%s", dir, name);
	else
		snprintf(s, n, "%s", name);
	l->p[l->n++] = s;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add path, or the files in it when it is a directory. */
static int collect(struct list *l, const char *path)
{
	struct stat st;
	struct dirent *e;
	size_t first = l->n;
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add(l, NULL, path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char *full;
		int isfile;

		if (e->d_name[0] == '.')
			continue;
		if (add(l, path, e->d_name) < 0) {
			closedir(d);
			return -1;
		}
		full = l->p[l->n - 1];
		isfile = stat(full, &st) == 0 && S_ISREG(st.st_mode);
		if (!isfile) {
			free(full);
			l->n--;
		}
	}
	closedir(d);
	qsort(l->p + first, l->n - first, sizeof *l->p, cmp);
	return 0;
}

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *exact;
	size_t len = 0, cap = 0, got;

	if (!f)
		return -1;
	do {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	struct list l = { NULL, 0, 0 };
	int bad = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (collect(&l, argv[i]) < 0)
				bad = 1;
	} else {
#ifdef WX_FUZZ_CORPUS
		if (collect(&l, WX_FUZZ_CORPUS) < 0)
			bad = 1;
#else
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
#endif
	}
	if (bad) {
		printf("Bail out! cannot list the corpus\n");
		return 1;
	}
	printf("1..%zu\n", l.n);
	fflush(stdout);
	for (size_t i = 0; i < l.n; i++) {
		if (replay(l.p[i]) < 0) {
			printf("not ok %zu - %s: cannot read: %s\n", i + 1, l.p[i], strerror(errno));
			bad = 1;
		} else {
			printf("ok %zu - %s\n", i + 1, l.p[i]);
		}
		fflush(stdout);
		free(l.p[i]);
	}
	free(l.p);
	return bad;
}
