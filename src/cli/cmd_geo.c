/* cmd_geo.c: geo import FILE | geo lookup POSTCODE [POSTCODE]. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wexmatch/atomicfile.h"
#include "wexmatch/cli.h"
#include "wexmatch/escape.h"
#include "wexmatch/geo.h"

struct lookup_ctx {
	const char *pc[2];
	int n;
	struct wx_geo_point pt[2];
	int found[2];
};

static int lookup_fn(struct wx_txn *t, void *vctx)
{
	struct lookup_ctx *c = vctx;

	for (int i = 0; i < c->n; i++) {
		int rc = wx_geo_lookup(t, c->pc[i], &c->pt[i]);

		if (rc != WX_OK && rc != WX_ENOTFOUND)
			return rc;
		c->found[i] = rc == WX_OK;
	}
	return WX_OK;
}

static void print_point(const char *pc, const struct wx_geo_point *p)
{
	wx_fputs_escaped(pc, stdout);
	printf(",%.6f,%.6f,", p->lat_e6 / 1e6, p->lon_e6 / 1e6);
	if (p->imd)
		printf("%d", p->imd);
	putchar('\n');
}

int wx_cmd_geo(struct wx_global *g, int argc, char **argv)
{
	const struct wx_command *cmd = wx_cli_find("geo");
	struct wx_store *s = NULL;
	struct wx_err err;
	const char *sub;
	int done, rc = wx_cli_getopt(g, cmd, argc, argv, "", NULL, NULL, NULL, &done);

	if (rc != WX_EXIT_OK || done)
		return rc;
	if (optind >= argc)
		return wx_cli_usage_error(cmd, "geo: import FILE or lookup POSTCODE?");
	sub = argv[optind];
	wx_err_clear(&err);
	if (strcmp(sub, "import") == 0) {
		struct wx_geo_import_result res;
		char *buf = NULL;
		size_t len = 0;
		const char *path;

		if (optind + 2 != argc)
			return wx_cli_usage_error(cmd, "geo import: give one FILE (- for standard input)");
		path = argv[optind + 1];
		if (wx_read_all(path, &buf, &len, &err) != WX_OK)
			return wx_cli_fail(&err);
		rc = wx_cli_open(g, WX_OPEN_CREATE, NULL, &s);
		if (rc == WX_EXIT_OK) {
			int ir = wx_geo_import(s, strcmp(path, "-") == 0 ? "<stdin>" : path, buf, len,
					       &res, &err);

			for (const char *p = res.problem_text, *end = p + res.problem_len; p && p < end;) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
				char *e = wx_escape(p, n);

				fprintf(stderr, "%s\n", e ? e : "?");
				free(e);
				p += n + 1;
			}
			if (ir != WX_OK)
				rc = wx_cli_fail(&err);
			else
				fprintf(stderr, "postcode lookup: %lu rows read, %lu locations stored (replacing the previous lookup)\n",
					res.rows, res.stored);
			wx_geo_import_result_free(&res);
		}
		free(buf);
	} else if (strcmp(sub, "lookup") == 0) {
		struct lookup_ctx c;

		memset(&c, 0, sizeof c);
		if (optind + 2 > argc || optind + 3 < argc)
			return wx_cli_usage_error(cmd, "geo lookup: give one or two postcodes");
		c.n = argc - optind - 1;
		c.pc[0] = argv[optind + 1];
		c.pc[1] = c.n > 1 ? argv[optind + 2] : NULL;
		rc = wx_cli_open(g, 0, NULL, &s);
		if (rc == WX_EXIT_OK && wx_store_read(s, lookup_fn, &c, &err) != WX_OK)
			rc = wx_cli_fail(&err);
		for (int i = 0; rc == WX_EXIT_OK && i < c.n; i++) {
			if (!c.found[i]) {
				wx_cli_error("%s: not in the postcode lookup (load one with 'wexmatch geo import')",
					     c.pc[i]);
				rc = WX_EXIT_DATA;
			}
		}
		if (rc == WX_EXIT_OK) {
			printf("postcode,latitude,longitude,imd_decile\n");
			for (int i = 0; i < c.n; i++)
				print_point(c.pc[i], &c.pt[i]);
			if (c.n == 2)
				printf("distance_km,%.1f\n", wx_geo_km(&c.pt[0], &c.pt[1]));
		}
	} else {
		return wx_cli_usage_error(cmd, "geo: unknown action '%s' (expected import or lookup)", sub);
	}
	wx_store_close(s);
	return rc;
}
