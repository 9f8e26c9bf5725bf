#!/bin/bash
# bench-records.sh: end-to-end figures for issue 3's targets (make bench).
# Prints figures; asserts nothing.  BENCH_N sets the number of candidates
# (default 1000000; --quick: 100000).
#   import of N demo candidates from CSV with every validation (>= 100k rows/s)
#   export (>= 200k rows/s)
#   list --where family_name~PATTERN over N records (< 1 s)
set -u
W=${WX_BUILDDIR:-.}/wexmatch
n=${BENCH_N:-1000000}
[ "${1:-}" = --quick ] && n=100000
d=$(mktemp -d "${TMPDIR:-/tmp}/bench-records.XXXXXX")
trap 'rm -rf "$d"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rate() { echo $(( $1 * 1000 / ($2 > 0 ? $2 : 1) )); }

t=$(date +%s%N)
"$W" --db "$d/a" demo --candidates "$n" --placements $((n / 10)) --ambassadors 10 --requests 10 2>/dev/null
echo "demo of $n candidates and $((n / 10)) placements: $(ms "$t") ms"

t=$(date +%s%N)
"$W" --db "$d/a" export candidates -o "$d/c.csv" 2>/dev/null
e=$(ms "$t")
echo "export of $n candidates to CSV: $e ms, $(rate "$n" "$e") rows/s (target >= 200000)"
echo "  CSV size: $(stat -c %s "$d/c.csv") bytes"

t=$(date +%s%N)
"$W" --db "$d/b" import candidates "$d/c.csv" 2>/dev/null
i=$(ms "$t")
echo "import of $n candidates from CSV, every field checked, one transaction: $i ms, $(rate "$n" "$i") rows/s (target >= 100000)"
echo "  database size after import: $(stat -c %s "$d/b/data.mdb") bytes"

t=$(date +%s%N)
m=$( { /usr/bin/time -f '%M' "$W" --db "$d/b" list candidates --where 'family_name~(?i)^o.?b' --format csv | wc -l; } 2>"$d/time" )
l=$(ms "$t")
echo "list --where 'family_name~(?i)^o.?b' over $n candidates: $l ms, $((m - 1)) matches (target < 1000 ms), peak RSS $(tail -n 1 "$d/time") KiB"

t=$(date +%s%N)
"$W" --db "$d/b" list candidates --where 'family_name~(a+)+$' --format csv >/dev/null 2>&1
echo "runaway pattern over the same records: $(ms "$t") ms to the error"

if cmp -s <("$W" --db "$d/b" export candidates) "$d/c.csv"; then
	echo "export of the imported database: identical to the first export"
else
	echo "export of the imported database: DIFFERS from the first export"
fi
