/* atomicfile.c: whole files or nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wexmatch/atomicfile.h"

int wx_atomic_open(struct wx_atomic *a, const char *path, struct wx_err *err)
{
	size_t n = strlen(path);
	int fd;

	memset(a, 0, sizeof *a);
	a->path = strdup(path);
	a->tmp = malloc(n + 16);
	if (!a->path || !a->tmp) {
		wx_atomic_abort(a);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	snprintf(a->tmp, n + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(a->tmp);
	if (fd < 0) {
		int e = errno;

		free(a->tmp);
		a->tmp = NULL;
		wx_atomic_abort(a);
		return wx_err_set(err, WX_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		close(fd);
		wx_atomic_abort(a);
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	}
	return WX_OK;
}

void wx_atomic_abort(struct wx_atomic *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof *a);
}

int wx_atomic_commit(struct wx_atomic *a, struct wx_err *err)
{
	int bad = fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0;
	int e = errno;
	char *dir, *slash;
	int fd;

	if (fclose(a->f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	a->f = NULL;
	if (!bad && rename(a->tmp, a->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		wx_err_set(err, WX_EIO, "%s: cannot write: %s", a->path, strerror(e));
		wx_atomic_abort(a);
		return WX_EIO;
	}
	/* make the rename durable */
	dir = strdup(a->path);
	if (dir) {
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(dir);
	}
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof *a);
	return WX_OK;
}

int wx_read_all(const char *path, char **buf, size_t *len, struct wx_err *err)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	size_t cap = 1 << 16, n = 0;
	struct stat st;
	char *p;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return wx_err_set(err, WX_EIO, "%s: %s", path, strerror(errno));
	/* a regular file's size is known: one allocation, no copying as it grows */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	p = malloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (!p) {
			if (fd != STDIN_FILENO)
				close(fd);
			return wx_err_set(err, WX_ENOMEM, "%s: out of memory", path);
		}
		if (n == cap) {
			char *np = realloc(p, cap * 2 + 1);

			if (!np) {
				free(p);
				p = NULL;
				continue;
			}
			p = np;
			cap *= 2;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(p);
			if (fd != STDIN_FILENO)
				close(fd);
			return wx_err_set(err, WX_EIO, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return WX_OK;
}
