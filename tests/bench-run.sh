#!/bin/bash
# bench-run.sh: end-to-end figures for the matching issue's targets (make
# bench), on demo data.  Prints figures; asserts nothing.
#   match --dry-run --format csv >/dev/null, 100k candidates x 10k
#     placements (capacity 1-4, up to 10 choices): <= 1 s
#   the same at 1M x 50k: <= 10 s, peak memory <= 1 GB
#   match --ambassadors, 5k ambassadors x 2k requests: <= 2 s
# The engine alone is timed by bench-match and bench-ambmatch.  --quick
# runs the 100k and ambassador cases only.  Databases are made under
# $TMPDIR (about 700 MB at 1M) and removed at the end.
set -u
W=${WX_BUILDDIR:-.}/wexmatch
quick=0
[ "${1:-}" = --quick ] && quick=1
d=$(mktemp -d "${TMPDIR:-/tmp}/bench-run.XXXXXX")
trap 'rm -rf "$d"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# best of three wall-clock times of a command, and its peak RSS (KB)
timed() {
	local best=0 t e rss=0
	for _ in 1 2 3; do
		t=$(date +%s%N)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f %M -o "$d/rss" "$@" >/dev/null 2>"$d/err"
			rss=$(tail -n 1 "$d/rss")
		else
			"$@" >/dev/null 2>"$d/err"
		fi
		e=$(ms "$t")
		if [ "$best" = 0 ] || [ "$e" -lt "$best" ]; then best=$e; fi
	done
	echo "$best ms, peak RSS $((rss / 1024)) MB"
}

case_work() {
	local n=$1 p=$2 target=$3
	local t
	t=$(date +%s%N)
	"$W" --db "$d/w$n" demo --candidates "$n" --placements "$p" --ambassadors 0 --requests 0 \
		--max-choices 10 >/dev/null 2>&1
	echo "demo of $n candidates x $p placements: $(ms "$t") ms"
	echo "match --dry-run --format csv, $n x $p: $(timed "$W" --db "$d/w$n" match --dry-run --seed 1 --format csv) (target <= $target)"
	sed -n 's/^dry run (not recorded): /  /p' "$d/err"
	echo "match, recorded (rows stored), $n x $p: $(timed "$W" --db "$d/w$n" match --seed 1 --format csv)"
	echo "  database: $(du -sm "$d/w$n" | cut -f1) MB after three recorded runs"
	rm -rf "$d/w$n"
}

case_work 100000 10000 "1000 ms"
t=$(date +%s%N)
"$W" --db "$d/amb" demo --candidates 0 --placements 0 --ambassadors 5000 --requests 2000 >/dev/null 2>&1
echo "demo of 5000 ambassadors x 2000 requests: $(ms "$t") ms"
echo "match --ambassadors --dry-run, 5k x 2k: $(timed "$W" --db "$d/amb" match --ambassadors --dry-run --format csv) (target <= 2000 ms)"
sed -n 's/^dry run (not recorded): /  /p' "$d/err"
rm -rf "$d/amb"
[ "$quick" = 1 ] && exit 0
case_work 1000000 50000 "10000 ms, 1 GB"
