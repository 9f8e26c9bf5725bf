#!/bin/bash
# full-disk.sh: a disk that fills up in the middle of a write, and an import
# killed with -9 in the middle.  The file size limit (ulimit -f, with SIGXFSZ
# ignored) makes every write past it fail as a full disk does; nothing may be
# lost or half-written, and the message must say what happened.
. "$(dirname "$0")/lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
# full KB CMD...: run CMD as if the disk had KB kilobytes of room per file
full() { local kb=$1; shift; (trap '' XFSZ; ulimit -f "$kb"; "$@"); }

exit_is 0 "a demo database" W demo --candidates 200 --placements 20 --ambassadors 5 --requests 5
size0=$(file_size "$db/data.mdb")
"$WEXMATCH" --db "$T/big" demo --candidates 20000 --placements 500 --ambassadors 1 --requests 1 \
	2>/dev/null
# other ids than the database's own, so that every row is new
"$WEXMATCH" --db "$T/big" export candidates 2>/dev/null | sed 's/^C0/N0/' >"$T/big.csv"
W export candidates -o "$T/before.csv" 2>/dev/null

run full $(( size0 / 1024 + 64 )) "$WEXMATCH" --db "$db" import candidates "$T/big.csv"
is "$rc" 3 "an import that fills the disk fails (exit 3)"
like "$err" "cannot commit, nothing was saved: .*(Input/output error \(is the disk full\?\)|File too large|No space)" \
     "saying why"
exit_is 0 "the database still opens and check is clean" W check
W export candidates -o "$T/after.csv" 2>/dev/null
check "nothing of the failed import was stored, nothing else was lost" cmp -s "$T/before.csv" "$T/after.csv"

run full 8 "$WEXMATCH" --db "$db" export candidates -o "$T/out.csv"
is "$rc" 1 "an export to a full disk: exit 1"
like "$err" "out.csv: error writing output: File too large" "naming the file"
test ! -e "$T/out.csv" && ok "no half-written export is left" || not_ok "no half-written export is left"
test -z "$(ls "$T" | grep 'out.csv.tmp')" && ok "nor a temporary file" || not_ok "nor a temporary file"

echo old >"$T/keep.mdb"
run full 8 "$WEXMATCH" --db "$db" backup "$T/keep.mdb"
is "$rc" 1 "a backup to a full disk: exit 1"
like "$err" "keep.mdb: backup failed: File too large" "naming the file"
is "$(cat "$T/keep.mdb")" "old" "the previous file of that name is left as it was"

run full 8 "$WEXMATCH" --db "$db" import candidates "$T/big.csv" --skip-invalid --rejects "$T/rej.csv"
isnt "$rc" 0 "an import whose rejects cannot be written fails"
exit_is 0 "check is still clean" W check

# ---- kill -9 in the middle of an import: all of it or none of it ----
before=$(W stats | sed -n 's/^candidate: //p')
rows=$(( $(wc -l <"$T/big.csv") - 1 ))
for delay in 0.05 0.15 0.3; do
	"$WEXMATCH" --db "$db" import candidates "$T/big.csv" --update >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	n=$(W stats | sed -n 's/^candidate: //p')
	if [ "$n" = "$before" ] || [ "$n" = "$((before + rows))" ]; then
		ok "import killed after ${delay}s: all or nothing ($n candidates)"
	else
		not_ok "import killed after ${delay}s: all or nothing" "$n candidates, expected $before or $((before + rows))"
	fi
	exit_is 0 "check is clean after the kill" W check
	before=$n    # the next round starts from what is there now
done

done_testing
