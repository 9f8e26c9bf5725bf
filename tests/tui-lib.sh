# tui-lib.sh: helpers for the TUI's screen tests (bash), on top of lib.sh.
#
# The real wexmatch runs in a detached tmux session (its own server socket,
# no configuration) in a pseudo-terminal of a given size; keys go in with
# send-keys and the screen's text comes back with capture-pane.  Screens are
# compared whole with the expected text, after waiting for the screen to
# settle: a polling loop that ends as soon as the screen is the one expected
# (or after $TUI_WAIT seconds, then the difference is shown).
#
#   tui_start [-s WxH] [VAR=VALUE...] -- ARGS...   start wexmatch ARGS in a pane
#   tui_keys KEY...              tmux send-keys (names like Enter, Down, C-s)
#   tui_type TEXT                send TEXT literally
#   tui_screen                   the screen's text (trailing spaces trimmed)
#   tui_screen_is DESC [NORM]    compare with the expected text on stdin; NORM
#                                is a sed script applied to the screen first
#   tui_wait_for ERE [SECONDS]   wait until some line of the screen matches
#   tui_resize W H               resize the pane's window
#   tui_gone                     wait for the program to end (pane closed)
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	skip_all "tmux is not installed"
fi

TUI_SOCK=wxtest-$$
TUI_WAIT=${TUI_WAIT:-5}
_tui_n=0

tm() {
	tmux -L "$TUI_SOCK" -f /dev/null "$@"
}

_tui_cleanup() {
	tm kill-server >/dev/null 2>&1
	_lib_cleanup
}
trap _tui_cleanup EXIT

# a locale with UTF-8 for the program (tests of ASCII pass LC_ALL=C)
TUI_UTF8=C.UTF-8
if ! locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
	TUI_UTF8=$(locale -a 2>/dev/null | grep -i 'utf-\?8' | head -n 1)
fi

# the terminal type tmux emulates, so that the program reads its keys right
TUI_TERM=tmux-256color
infocmp "$TUI_TERM" >/dev/null 2>&1 || TUI_TERM=screen-256color
infocmp "$TUI_TERM" >/dev/null 2>&1 || TUI_TERM=screen

# tui_start [-s WxH] [-t TARGET] [VAR=VALUE...] -- ARGS...
tui_start() {
	local size=80x24 target=wx envs=() cmd
	while test $# -gt 0; do
		case $1 in
		-s) size=$2; shift 2 ;;
		-t) target=$2; shift 2 ;;
		--) shift; break ;;
		*) envs+=("$1"); shift ;;
		esac
	done
	cmd=$(printf '%q ' env LC_ALL="$TUI_UTF8" TERM="$TUI_TERM" "${envs[@]}" "$WEXMATCH" "$@")
	TUI_T=$target
	if tm has-session -t "$target" 2>/dev/null; then
		tm kill-session -t "$target"
	fi
	tm new-session -d -s "$target" -x "${size%x*}" -y "${size#*x}" "$cmd; echo '[exited]' \$?; sleep 60"
	tm set-option -t "$target" status off >/dev/null
	tm resize-window -t "$target" -x "${size%x*}" -y "${size#*x}" 2>/dev/null
}

tui_use() {
	TUI_T=$1
}

tui_keys() {
	tm send-keys -t "$TUI_T" "$@"
}

tui_type() {
	tm send-keys -t "$TUI_T" -l -- "$1"
}

tui_screen() {
	tm capture-pane -p -t "$TUI_T" | sed -e 's/ *$//'
}

tui_screen_attrs() {
	tm capture-pane -p -e -t "$TUI_T"
}

tui_resize() {
	tm resize-window -t "$TUI_T" -x "$1" -y "$2"
}

# tui_screen_is DESC [SED-SCRIPT] <<'EOF' ... EOF
tui_screen_is() {
	local desc=$1 norm=${2:-} want got i=0
	want=$(cat)
	if test -n "${TUI_RECORD:-}"; then
		# for writing tests: wait a moment, then record what is on screen
		sleep "${TUI_RECORD_WAIT:-0.4}"
		got=$(tui_screen)
		test -n "$norm" && got=$(printf '%s\n' "$got" | sed -e "$norm")
		got=$(printf '%s\n' "$got" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
		printf '%s\n%s\n' "=== $desc" "$got" >>"$TUI_RECORD"
	fi
	while :; do
		got=$(tui_screen)
		test -n "$norm" && got=$(printf '%s\n' "$got" | sed -e "$norm")
		# capture-pane leaves out empty lines at the end
		got=$(printf '%s\n' "$got" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
		test "$got" = "$want" && break
		i=$((i + 1))
		test $i -ge $((TUI_WAIT * 20)) && break
		sleep 0.05
	done
	is "$got" "$want" "$desc"
}

tui_wait_for() {
	local re=$1 secs=${2:-$TUI_WAIT} i=0
	while test $i -lt $((secs * 20)); do
		tui_screen | grep -Eq -e "$re" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait until the pane shows that wexmatch ended; its exit status in $tui_rc
tui_gone() {
	if tui_wait_for '^\[exited\] [0-9]+$'; then
		tui_rc=$(tui_screen | sed -n 's/^\[exited\] \([0-9]*\)$/\1/p' | tail -n 1)
		return 0
	fi
	tui_rc=
	return 1
}
