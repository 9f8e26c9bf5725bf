#!/bin/sh
# run-tests.sh: run wexmatch's tests and read their TAP output.
#
#   WX_BUILDDIR=DIR WX_SRCDIR=DIR sh tests/run-tests.sh TEST...
#
# A TEST is either a program relative to the build directory (a cmocka
# program such as tests/unit-store, run with CMOCKA_MESSAGE_OUTPUT=TAP) or a
# shell script relative to the source directory (tests/NAME.sh, run with
# bash).  Every test prints TAP: "ok N - desc", "not ok N - desc", and plans
# "1..N" (cmocka prints one plan per group; the plans are added up).
# "# SKIP" and "# TODO" directives are honoured; "Bail out!" fails the test.
#
# Each test's output goes to $WX_BUILDDIR/tests/logs/NAME.log.  One line is
# printed per test, then the end of the log of each failed test, and the
# last line is always "N passed, N failed", counting TAP lines over all the
# tests.  A test that exits non-zero (or is killed, or times out) without a
# "not ok" line counts as one more failure, and so does a test whose plan
# does not match the tests it ran, or that printed no plan.
#
# Environment: WX_TEST_TIMEOUT (seconds per test, default 600; 0 for none).
# Exit status: 0 when nothing failed, else 1.

LC_ALL=C
export LC_ALL

: "${WX_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${WX_BUILDDIR:=$WX_SRCDIR}"
: "${WX_TEST_TIMEOUT:=600}"
export WX_SRCDIR WX_BUILDDIR

logdir=$WX_BUILDDIR/tests/logs
mkdir -p "$logdir" "$WX_BUILDDIR/tests/tmp" || exit 1

if test $# -eq 0; then
	echo "usage: run-tests.sh TEST..." >&2
	exit 2
fi

have_timeout=no
if test "$WX_TEST_TIMEOUT" != 0 && command -v timeout >/dev/null 2>&1; then
	have_timeout=yes
fi

total_pass=0
total_fail=0
total_skip=0
failed_logs=

# tap_count FILE REASONFILE: prints "ok notok skip todo plans planned bailout
# skipall", and writes the reason of a "1..0 # SKIP reason" plan to REASONFILE
tap_count() {
	awk '
	BEGIN { ok = 0; nok = 0; skip = 0; todo = 0; plans = 0; planned = 0; bail = 0; skipall = 0 }
	/^Bail out!/ { bail = 1; next }
	/^1\.\.[0-9]+/ {
		n = $0; sub(/^1\.\./, "", n); sub(/[^0-9].*$/, "", n)
		plans++; planned += n
		if (n == 0 && $0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) {
			skipall = 1
			why = $0; sub(/^[^#]*#[ \t]*[Ss][Kk][Ii][Pp][ \t:]*/, "", why)
			print why > reasonfile
		}
		next
	}
	/^(not )?ok([ \t]|$)/ {
		notok = ($0 ~ /^not /)
		line = $0
		dir = ""
		# a directive follows the first unescaped "#"
		if (match(line, /[^\\]#[ \t]*[A-Za-z]+/)) {
			dir = toupper(substr(line, RSTART + 1, RLENGTH - 1))
			sub(/^#[ \t]*/, "", dir)
		}
		if (dir ~ /^SKIP/) { skip++; next }
		if (dir ~ /^TODO/) { todo++; next }
		if (notok) nok++; else ok++
		next
	}
	END { printf "%d %d %d %d %d %d %d %d\n", ok, nok, skip, todo, plans, planned, bail, skipall }
	' reasonfile="$2" "$1"
}

for t in "$@"; do
	name=$(basename "$t")
	name=${name%.sh}
	log=$logdir/$name.log
	out=$logdir/$name.out
	err=$logdir/$name.err
	rm -f "$log" "$out" "$err"

	case $t in
	*.sh)
		if test -f "$WX_SRCDIR/$t"; then
			set -- bash "$WX_SRCDIR/$t"
		elif test -f "$t"; then
			set -- bash "$t"
		else
			set -- false
		fi
		kind=script
		;;
	*)
		if test -x "$WX_BUILDDIR/$t"; then
			set -- "$WX_BUILDDIR/$t"
		else
			set -- false
		fi
		kind=program
		;;
	esac
	if test "$1" = false; then
		echo "not found: $t" >"$log"
		echo "FAIL $t (not found)"
		total_fail=$((total_fail + 1))
		failed_logs="$failed_logs $log"
		continue
	fi
	if test $have_timeout = yes; then
		set -- timeout -k 10 "$WX_TEST_TIMEOUT" "$@"
	fi

	start=$(date +%s)
	if test $kind = script; then
		# Shell tests print whole lines: keep stderr in place for context.
		(cd "$WX_BUILDDIR" && CMOCKA_MESSAGE_OUTPUT=TAP "$@" </dev/null >"$out" 2>&1)
		st=$?
		: >"$err"
	else
		# C programs buffer stdout: read TAP from stdout alone, so stderr
		# cannot cut a TAP line in two.
		(cd "$WX_BUILDDIR" && CMOCKA_MESSAGE_OUTPUT=TAP "$@" </dev/null >"$out" 2>"$err")
		st=$?
	fi
	secs=$(($(date +%s) - start))

	set -- $(tap_count "$out" "$log.skip")
	ok=$1 nok=$2 skip=$3 todo=$4 plans=$5 planned=$6 bail=$7 skipall=$8
	skipwhy=$(cat "$log.skip" 2>/dev/null)
	ran=$((ok + nok + skip + todo))
	extra=0
	why=
	if test "$bail" = 1; then
		extra=1
		why="$why, bailed out"
	fi
	if test "$st" -ne 0; then
		if test $have_timeout = yes && test "$st" -eq 124; then
			why="$why, timed out after ${WX_TEST_TIMEOUT}s"
		elif test "$st" -gt 128; then
			why="$why, killed by signal $((st - 128))"
		else
			why="$why, exit $st"
		fi
		if test "$nok" -eq 0; then
			extra=1
		fi
	fi
	if test "$plans" -eq 0; then
		extra=1
		why="$why, no plan"
	elif test "$planned" -ne "$ran"; then
		extra=1
		why="$why, planned $planned but ran $ran"
	fi
	fails=$((nok + extra))

	{
		cat "$out"
		if test -s "$err"; then
			echo "---- stderr ----"
			cat "$err"
		fi
		echo "---- exit status $st, ${secs}s ----"
	} >"$log"
	rm -f "$out" "$err" "$log.skip"

	total_pass=$((total_pass + ok))
	total_fail=$((total_fail + fails))
	total_skip=$((total_skip + skip))
	detail="$ok ok"
	test "$nok" -gt 0 && detail="$detail, $nok not ok"
	test "$skip" -gt 0 && detail="$detail, $skip skipped"
	test "$todo" -gt 0 && detail="$detail, $todo todo"
	detail="$detail$why, ${secs}s"
	if test "$fails" -gt 0; then
		echo "FAIL $t ($detail)"
		failed_logs="$failed_logs $log"
	elif test "$skipall" = 1 && test "$ran" -eq 0; then
		echo "SKIP $t (${skipwhy:-no reason given})"
	else
		echo "PASS $t ($detail)"
	fi
done

for log in $failed_logs; do
	echo
	echo "==== last 40 lines of $log ===="
	tail -n 40 "$log"
done
test "$total_skip" -gt 0 && echo "($total_skip skipped)"
rmdir "$WX_BUILDDIR/tests/tmp" 2>/dev/null
echo "$total_pass passed, $total_fail failed"
test "$total_fail" -eq 0
