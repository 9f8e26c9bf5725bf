#!/bin/sh
# dev.sh: the two commands of the README's Quick start.
#
#   sh ./dev.sh run    install what is missing, build, create a database filled
#                      with demo data (once) and start wexmatch on it
#   sh ./dev.sh test   install what is missing, build with -Werror and run the
#                      whole test suite: a plain build, an ASan+UBSan build and
#                      `make distcheck`; ends with a line "N passed, N failed"
#
# Only Debian packages are used; nothing is downloaded but those.
set -u
top=$(cd "$(dirname "$0")" && pwd)
cd "$top" || exit 2

PACKAGES="gcc make autoconf automake pkg-config libncurses-dev libpcre2-dev liblmdb-dev libjansson-dev libcmocka-dev tmux"

say() { printf 'dev.sh: %s\n' "$*" >&2; }

install_missing() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages:$missing"
		echo "Run this, then run dev.sh again:"
		echo "  sudo apt-get install -y$missing"
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing >/dev/null; } ||
		{ say "apt-get install failed"; exit 1; }
}

jobs() { nproc 2>/dev/null || echo 2; }

# build DIR [configure options]: an out-of-tree build in DIR
build() {
	dir=$1; shift
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >"$top/autoreconf.log" 2>&1) ||
		{ cat "$top/autoreconf.log"; say "autoreconf failed"; exit 1; }
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$top/configure" -q "$@") || { say "configure failed (see $dir/config.log)"; exit 1; }
	fi
	make -s -C "$dir" -j"$(jobs)" >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; say "build failed in $dir"; exit 1; }
}

case "${1:-}" in
run)
	install_missing
	build "$top/build" --enable-werror
	db=${WEXMATCH_DB:-$top/demo-db}
	if [ ! -e "$db/data.mdb" ]; then
		"$top/build/wexmatch" --db "$db" init || exit $?
		"$top/build/wexmatch" --db "$db" demo || exit $?
	fi
	exec "$top/build/wexmatch" --db "$db"
	;;
test)
	install_missing
	passed=0 failed=0
	# suite NAME DIR: run make check in DIR, add its "N passed, N failed"
	suite() {
		log="$2/check.log"
		make -C "$2" check >"$log" 2>&1
		status=$?
		grep -E '^(PASS|FAIL) ' "$log"
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			tail -n 40 "$log"
			say "$1: make check ended without a summary (status $status)"
			failed=$((failed + 1))
			return
		fi
		echo "$1: $line"
		p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
		passed=$((passed + p)); failed=$((failed + f))
		[ "$status" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
	}
	build "$top/build" --enable-werror
	suite "plain build" "$top/build"
	build "$top/build-asan" --enable-werror --enable-sanitizers
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 suite "ASan+UBSan build" "$top/build-asan"
	if make -C "$top/build" distcheck >"$top/build/distcheck.log" 2>&1; then
		echo "make distcheck: ok"; passed=$((passed + 1))
	else
		tail -n 40 "$top/build/distcheck.log"
		echo "make distcheck: FAILED (see build/distcheck.log)"; failed=$((failed + 1))
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
*)
	echo "usage: sh ./dev.sh run|test" >&2
	exit 2
	;;
esac
