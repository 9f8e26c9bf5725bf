/* dbpath.c: locating the database and the forms. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wexmatch/dbpath.h"

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (h && *h)
		return strdup(h);
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_dir)
		return strdup(res->pw_dir);
	return NULL;
}

char *wx_db_dir(const char *option, struct wx_err *err)
{
	const char *env;
	char *home, *p;

	if (option && *option)
		return strdup(option);
	env = getenv("WEXMATCH_DB");
	if (env && *env)
		return strdup(env);
	env = getenv("XDG_DATA_HOME");
	/* The XDG spec says a relative XDG_DATA_HOME is invalid and ignored. */
	if (env && env[0] == '/')
		return join(env, "wexmatch");
	home = home_dir();
	if (!home) {
		wx_err_set(err, WX_EUSAGE,
			   "cannot tell where the database is: no --db, WEXMATCH_DB, XDG_DATA_HOME or HOME");
		return NULL;
	}
	p = join(home, ".local/share/wexmatch");
	free(home);
	return p;
}

/* Is this binary running from the build tree it was compiled in?  Then the
 * forms it should use are the source tree's, not an older installed copy. */
static int running_from_build_tree(void)
{
#ifdef WX_BUILDDIR
	char exe[PATH_MAX], real_build[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (!realpath(WX_BUILDDIR, real_build))
		return 0;
	/* the program itself, or a test program one level down (tests/) */
	if (strcmp(exe, real_build) == 0)
		return 1;
	slash = strrchr(exe, '/');
	return slash && (*slash = '\0', strcmp(exe, real_build) == 0);
#else
	return 0;
#endif
}

char *wx_forms_dir(const char *option)
{
	const char *env;

	if (option && *option)
		return strdup(option);
	env = getenv("WEXMATCH_FORMS");
	if (env && *env)
		return strdup(env);
#ifdef WX_SRC_FORMS
	if (running_from_build_tree())
		return strdup(WX_SRC_FORMS);
#endif
	return strdup(WX_PKGDATADIR "/forms");
}

int wx_mkdir_p(const char *path, struct wx_err *err)
{
	char *p = strdup(path);
	size_t i, len;

	if (!p)
		return wx_err_set(err, WX_ENOMEM, "out of memory");
	len = strlen(p);
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			int e = errno;

			wx_err_set(err, WX_EDB, "%s: cannot create directory: %s", p, strerror(e));
			free(p);
			return WX_EDB;
		}
		if (i < len)
			p[i] = '/';
	}
	free(p);
	return WX_OK;
}
