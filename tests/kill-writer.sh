#!/bin/bash
# kill-writer.sh: writers killed with -9 at random moments.
#
# Part 1, 100 iterations (1000 with WEXMATCH_LONG_TESTS=1): a writer inserts
# candidates one transaction at a time and is killed after 0-60 ms.  After
# each kill the database opens and `wexmatch check` finds it clean; after
# every 10 kills, every insert those writers acknowledged (printed after the
# commit returned) is there.  One TAP line per 10 iterations; a failure names
# its iteration (a lost id Wk<i>-<n> was written in iteration i).
#
# Part 2, 20 iterations: the writer creates a new database and is killed
# after 0-6 ms, often in the middle of creating it.  Whatever was left,
# `wexmatch check` either finds a clean database (0) or reports that there is
# none yet (3), and `wexmatch init` then makes a clean database.
. "$(dirname "$0")/lib.sh"

iters=100
if test "${WEXMATCH_LONG_TESTS:-0}" = 1; then
	iters=1000
fi
group=10
start=$SECONDS

# pause_us N: wait N microseconds without starting a process (bash's read
# with a timeout on a FIFO that nobody writes to).
mkfifo "$T/fifo"
exec 9<>"$T/fifo"
pause_us() {
	test "$1" -gt 0 && read -r -t "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))" -u 9 _
	return 0
}

db=$T/db
exit_is 0 "wexmatch init" "$WEXMATCH" --db "$db" init
: >"$T/all-acked"
: >"$T/group-acked"

bad=
total_acked=0
for ((i = 1; i <= iters; i++)); do
	ms=$((RANDOM % 61))
	spawn "$TORTURE" write "$db" 100000 "k$i" >"$T/acked" 2>"$T/writer.err"
	pid=$spawned
	pause_us $((ms * 1000))
	kill -9 "$pid" 2>/dev/null
	await "$pid"
	st=$?
	n=$(grep -c '^acked ' "$T/acked")
	total_acked=$((total_acked + n))
	cat "$T/acked" >>"$T/all-acked"
	cat "$T/acked" >>"$T/group-acked"
	what="iteration $i (killed after ${ms} ms, $n acked)"
	if test "$st" -ne 137; then
		bad="${bad}$what: the writer exited $st before the kill: $(tail -n 2 "$T/writer.err")"$'\n'
	fi
	run "$WEXMATCH" --db "$db" check
	if test "$rc" -ne 0; then
		bad="${bad}$what: wexmatch check exited $rc: $(tail -n 5 "$T/out" "$T/err")"$'\n'
	fi
	if test $((i % group)) -eq 0 || test $i -eq $iters; then
		# The acknowledged ids of the group's writers: a missing id
		# Wk<i>-<n> names its iteration i.
		run "$TORTURE" has "$db" "$T/group-acked"
		if test "$rc" -ne 0; then
			bad="${bad}acknowledged inserts lost (Wk<iteration>-<n>): $(head -n 10 "$T/out" | tr '\n' ' ') $(tail -n 2 "$T/err")"$'\n'
		fi
		: >"$T/group-acked"
		desc="iterations $((i - (i - 1) % group))-$i: check clean, acknowledged writes kept"
		if test -z "$bad"; then
			ok "$desc"
		else
			not_ok "$desc" "$bad"
		fi
		bad=
	fi
done
diag "$total_acked inserts acknowledged over $iters killed writers"

exit_is 0 "every insert acknowledged in any iteration is there" "$TORTURE" has "$db" "$T/all-acked"
run "$TORTURE" count "$db"
count=$out
# Each killed writer may have committed one insert it had no time to print.
if test "$rc" -eq 0 && test "$count" -ge "$total_acked" && test "$count" -le $((total_acked + iters)); then
	ok "$count candidates: the acknowledged ones plus at most one per kill"
else
	not_ok "candidate count between $total_acked and $((total_acked + iters))" "count: $count (exit $rc) $err"
fi
diag "part 1 took $((SECONDS - start))s"

start=$SECONDS
bad=
outcomes=
for ((i = 1; i <= 20; i++)); do
	d=$T/new$i
	us=$((RANDOM % 6000))
	spawn "$TORTURE" write "$d" 100000 "c$i" >"$T/acked" 2>"$T/writer.err"
	pid=$spawned
	pause_us "$us"
	kill -9 "$pid" 2>/dev/null
	await "$pid"
	what="creation $i (killed after $us us)"
	run "$WEXMATCH" --db "$d" check
	case $rc in
	0) outcomes="$outcomes 0" ;;
	3) if test -d "$d"; then outcomes="$outcomes 3+dir"; else outcomes="$outcomes 3"; fi ;;
	*) bad="${bad}$what: wexmatch check exited $rc: $(tail -n 5 "$T/out" "$T/err")"$'\n' ;;
	esac
	if test -d "$d"; then
		run "$WEXMATCH" --db "$d" init
		if test "$rc" -ne 0; then
			bad="${bad}$what: wexmatch init afterwards exited $rc: $err"$'\n'
		else
			run "$WEXMATCH" --db "$d" check
			if test "$rc" -ne 0; then
				bad="${bad}$what: check after init exited $rc: $(tail -n 5 "$T/out" "$T/err")"$'\n'
			fi
			run "$TORTURE" has "$d" "$T/acked"
			if test "$rc" -ne 0; then
				bad="${bad}$what: acknowledged inserts lost: $(head -n 5 "$T/out")"$'\n'
			fi
		fi
	fi
	rm -rf "$d"
done
if test -z "$bad"; then
	ok "20 writers killed while creating a database: check gives 0 or 3, init then makes it clean"
else
	not_ok "20 writers killed while creating a database: check gives 0 or 3, init then makes it clean" "$bad"
fi
diag "check exit statuses right after each kill (3+dir: a directory was left):$outcomes"
diag "part 2 took $((SECONDS - start))s"

done_testing
