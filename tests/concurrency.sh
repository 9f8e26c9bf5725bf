#!/bin/bash
# concurrency.sh: several writer and reader processes on one database.
#
# Part 1: 4 writers each insert 1500 candidates in separate transactions
# while 4 readers take 3000 snapshots each, checking that counts never go
# down and that every snapshot is whole (see store-torture read).  At the end
# every acknowledged id is there, the count is exact, and check is clean.
#
# Part 2: the same on a database created with a tiny map (64 KiB), so the
# writers must grow the map many times while the others keep working.
. "$(dirname "$0")/lib.sh"

# run_mix DB WRITERS PER_WRITER READERS SNAPSHOTS TAG
run_mix() {
	local db=$1 nw=$2 per=$3 nr=$4 snaps=$5 tag=$6 i pid st
	local -a wpids rpids
	for ((i = 0; i < nw; i++)); do
		spawn "$TORTURE" write "$db" "$per" "$i" >"$T/$tag-w$i.out" 2>"$T/$tag-w$i.err"
		wpids[i]=$spawned
	done
	for ((i = 0; i < nr; i++)); do
		spawn "$TORTURE" read "$db" "$snaps" "$nw" >"$T/$tag-r$i.out" 2>"$T/$tag-r$i.err"
		rpids[i]=$spawned
	done
	wbad=
	for ((i = 0; i < nw; i++)); do
		await "${wpids[i]}"
		st=$?
		test $st -eq 0 || wbad="$wbad writer $i exited $st: $(tail -n 3 "$T/$tag-w$i.err");"
	done
	rbad=
	for ((i = 0; i < nr; i++)); do
		await "${rpids[i]}"
		st=$?
		test $st -eq 0 || rbad="$rbad reader $i exited $st: $(tail -n 5 "$T/$tag-r$i.err");"
	done
	if test -z "$wbad"; then
		ok "$tag: $nw writers of $per records each exit 0"
	else
		not_ok "$tag: $nw writers of $per records each exit 0" "$wbad"
	fi
	if test -z "$rbad"; then
		ok "$tag: $nr readers of $snaps snapshots each exit 0 (counts never went down)"
	else
		not_ok "$tag: $nr readers of $snaps snapshots each exit 0 (counts never went down)" "$rbad"
	fi
	cat "$T/$tag"-w*.out >"$T/$tag-acked"
	is "$(grep -c '^acked ' "$T/$tag-acked")" "$((nw * per))" "$tag: every insert was acknowledged"
	run "$TORTURE" count "$db"
	is "$out" "$((nw * per))" "$tag: exactly $((nw * per)) candidates"
	exit_is 0 "$tag: every acknowledged id is there" "$TORTURE" has "$db" "$T/$tag-acked"
	exit_is 0 "$tag: wexmatch check is clean" "$WEXMATCH" --db "$db" check
	run "$WEXMATCH" --db "$db" stats
	is "$(stat_value "$out" candidate)" "$((nw * per))" "$tag: stats counts $((nw * per)) candidates"
}

start=$SECONDS
db=$T/db
exit_is 0 "wexmatch init" "$WEXMATCH" --db "$db" init
run_mix "$db" 4 1500 4 3000 main
diag "part 1 took $((SECONDS - start))s"

start=$SECONDS
db=$T/small
WX_TORTURE_MAP=65536 exit_is 0 "create a database with a 64 KiB map" "$TORTURE" create "$db"
run_mix "$db" 3 600 2 1500 small-map
growths=$(cat "$T"/small-map-w*.err | sed -n 's/.*map growths: \([0-9]*\).*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
if test "$growths" -gt 0; then
	ok "small-map: the writers grew the map ($growths times)"
else
	not_ok "small-map: the writers grew the map" "no growth reported: the test did not exercise it"
fi
diag "part 2 took $((SECONDS - start))s"

done_testing
