# lib.sh: helpers for wexmatch's shell tests (bash).  Source it first:
#
#   . "$WX_SRCDIR/tests/lib.sh"       (or: . "$(dirname "$0")/lib.sh")
#
# It sets
#   $WEXMATCH   the wexmatch program in the build tree
#   $TORTURE    tests/store-torture in the build tree
#   $T          a fresh temporary directory under $WX_BUILDDIR/tests/tmp,
#               removed on exit (kept when WX_KEEP_TMP=1); HOME and TMPDIR
#               point into it, WEXMATCH_DB, WEXMATCH_FORMS and XDG_* are unset
#
# TAP, numbered automatically:
#   plan N                      print the plan first (else done_testing does)
#   ok DESC                     a passing test
#   not_ok DESC [DIAG...]       a failing test, with diagnostics
#   check DESC CMD...           run CMD: passes when it exits 0
#   is GOT EXPECTED DESC        exact comparison; a diff on mismatch
#   isnt GOT UNEXPECTED DESC
#   like GOT ERE DESC           some line of GOT matches the extended regex
#   unlike GOT ERE DESC         no line of GOT matches
#   skip DESC REASON            a skipped test
#   skip_all REASON             skip the whole script
#   diag MSG...                 "# " lines (stdout, so they stay in order)
#   done_testing                print the plan if not yet done and exit,
#                               with status 1 when any test failed
# Running programs:
#   run CMD...                  run CMD with no input; sets $rc, $out, $err
#                               (stdout and stderr, also in $T/out, $T/err)
#   exit_is CODE DESC CMD...    run CMD, test its exit status; shows its
#                               output on mismatch
#   spawn CMD...                start CMD in the background (killed at exit);
#                               its pid is in $spawned
#   await PID                   wait for a spawned PID; returns its status
#   reap PID                    kill -9 PID and wait for it, quietly
#   wait_for_line FILE ERE [SECONDS]  wait until FILE has a line matching ERE
#   file_size FILE, file_mode FILE, file_group FILE

LC_ALL=C
export LC_ALL

if test -z "${WX_SRCDIR:-}"; then
	WX_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
: "${WX_BUILDDIR:=$WX_SRCDIR}"
export WX_SRCDIR WX_BUILDDIR

WEXMATCH=$WX_BUILDDIR/wexmatch
TORTURE=$WX_BUILDDIR/tests/store-torture

unset WEXMATCH_DB WEXMATCH_FORMS XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset XDG_CACHE_HOME XDG_RUNTIME_DIR

_tap_n=0
_tap_failed=0
_tap_plan=
_tap_done=
_bg_pids=

_test_name=$(basename "$0" .sh)
mkdir -p "$WX_BUILDDIR/tests/tmp" || exit 1
T=$(mktemp -d "$WX_BUILDDIR/tests/tmp/$_test_name.XXXXXX") || {
	echo "Bail out! cannot make a temporary directory under $WX_BUILDDIR/tests/tmp"
	exit 1
}
mkdir "$T/home" "$T/tmp"
HOME=$T/home
TMPDIR=$T/tmp
export HOME TMPDIR

_lib_cleanup() {
	local st=$? p
	for p in $_bg_pids; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $_bg_pids; do
		{ wait "$p"; } 2>/dev/null
	done
	if test -z "$_tap_done"; then
		echo "# $_test_name ended early (exit status $st) after $_tap_n tests"
	fi
	if test "${WX_KEEP_TMP:-0}" = 1; then
		echo "# kept $T"
	else
		chmod -R u+rwx "$T" 2>/dev/null
		rm -rf "$T"
	fi
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

plan() {
	_tap_plan=$1
	echo "1..$1"
}

skip_all() {
	echo "1..0 # SKIP $*"
	_tap_done=1
	exit 0
}

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
	return 0
}

not_ok() {
	local desc=$1
	shift
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $desc"
	test $# -gt 0 && diag "$@"
	return 1
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1${2:+: $2}"
	return 0
}

# _show_output: the captured output of the last run, as diagnostics.
_show_output() {
	if test -s "$T/out"; then
		diag "stdout:"
		sed -n '1,30s/^/#   /p' "$T/out"
	fi
	if test -s "$T/err"; then
		diag "stderr:"
		sed -n '1,30s/^/#   /p' "$T/err"
	fi
}

run() {
	"$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	return 0
}

check() {
	local desc=$1
	shift
	run "$@"
	if test "$rc" -eq 0; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "exit status $rc, expected 0"
		_show_output
		return 1
	fi
}

exit_is() {
	local want=$1 desc=$2
	shift 2
	run "$@"
	if test "$rc" = "$want"; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "exit status $rc, expected $want"
		_show_output
		return 1
	fi
}

is() {
	if test "$1" = "$2"; then
		ok "$3"
	else
		not_ok "$3" "got and expected differ (- expected, + got):"
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | tail -n +3 | sed 's/^/#   /'
		return 1
	fi
}

isnt() {
	if test "$1" != "$2"; then
		ok "$3"
	else
		not_ok "$3" "got '$1', which was not expected"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -e "$2"; then
		ok "$3"
	else
		not_ok "$3" "no line matches /$2/ in:"
		printf '%s\n' "$1" | sed -n '1,30s/^/#   /p'
		return 1
	fi
}

unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -e "$2"; then
		ok "$3"
	else
		not_ok "$3" "a line matches /$2/:"
		printf '%s\n' "$1" | grep -E -e "$2" | sed -n '1,10s/^/#   /p'
		return 1
	fi
}

done_testing() {
	if test -z "$_tap_plan"; then
		echo "1..$_tap_n"
	elif test "$_tap_plan" != "$_tap_n"; then
		diag "planned $_tap_plan tests but ran $_tap_n"
	fi
	_tap_done=1
	if test "$_tap_failed" -gt 0; then
		diag "$_tap_failed of $_tap_n tests failed"
		exit 1
	fi
	exit 0
}

spawn() {
	"$@" </dev/null &
	spawned=$!
	_bg_pids="$_bg_pids $spawned"
}

_forget_pid() {
	local p keep=
	for p in $_bg_pids; do
		test "$p" = "$1" || keep="$keep $p"
	done
	_bg_pids=$keep
}

reap() {
	kill -9 "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null
	_forget_pid "$1"
	return 0
}

await() {
	local st
	{ wait "$1"; } 2>/dev/null
	st=$?
	_forget_pid "$1"
	return $st
}

wait_for_line() {
	local file=$1 re=$2 secs=${3:-10} i=0
	while test $i -lt $((secs * 20)); do
		if test -f "$file" && grep -Eq -e "$re" "$file"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

file_size() {
	stat -c %s "$1"
}

file_mode() {
	stat -c %a "$1"
}

file_group() {
	stat -c %G "$1"
}

# stat_value OUTPUT KEY: the value of a "KEY: value" line in OUTPUT.
stat_value() {
	printf '%s\n' "$1" | sed -n "s/^$2: *//p" | head -n 1
}
