#!/bin/bash
# killed-reader.sh: a reader killed with -9 inside its read transaction
# leaves its slot in the lock file, pinning the snapshot it was reading.
# The store must clear such slots when it opens (and before writes): else
# stats counts the dead reader, and every page freed after its snapshot
# stays unusable, so the data file grows with every write.
#
# An idle process keeps the environment open throughout: LMDB itself resets
# the reader table when the last process closes it, which would hide a
# store that never clears stale slots.
. "$(dirname "$0")/lib.sh"

db=$T/db
exit_is 0 "wexmatch init" "$WEXMATCH" --db "$db" init
exit_is 0 "insert 200 candidates" "$TORTURE" write "$db" 200 0
exit_is 0 "rewrite 10 candidates once" "$TORTURE" update "$db" 1 10

spawn "$TORTURE" idle "$db" >"$T/idle.out" 2>"$T/idle.err"
idle=$spawned
if wait_for_line "$T/idle.out" '^open$' 20; then
	ok "an idle process keeps the database open"
else
	not_ok "an idle process keeps the database open" "$(cat "$T/idle.err")"
fi

run "$WEXMATCH" --db "$db" stats
slots_line=$(stat_value "$out" 'reader slots in use')
like "$slots_line" '^[0-9]+ of [0-9]+$' "stats shows 'reader slots in use: N of M'"
base=${slots_line%% of *}
diag "reader slots in use before: $slots_line"

spawn "$TORTURE" hold "$db" >"$T/hold.out" 2>"$T/hold.err"
hold=$spawned
if wait_for_line "$T/hold.out" '^holding' 20; then
	ok "a reader holds a snapshot"
else
	not_ok "a reader holds a snapshot" "$(cat "$T/hold.err")"
fi

# While it lives, its slot is in use and counted.
run "$WEXMATCH" --db "$db" stats
is "$(stat_value "$out" 'reader slots in use' | sed 's/ of .*//')" "$((base + 1))" \
	"stats counts the live reader's slot"

reap "$hold"
if command -v mdb_stat >/dev/null 2>&1; then
	run mdb_stat -r "$db"
	like "$out" "^ *$hold " "the dead reader's slot is still in the lock file (mdb_stat -r)"
else
	skip "the dead reader's slot is still in the lock file" "mdb_stat (lmdb-utils) not installed"
fi

# Opening the store clears it: stats must not count it.
run "$WEXMATCH" --db "$db" stats
is "$rc" 0 "stats after the kill exits 0"
is "$(stat_value "$out" 'reader slots in use' | sed 's/ of .*//')" "$base" \
	"stats no longer counts the dead reader's slot"
if command -v mdb_stat >/dev/null 2>&1; then
	run mdb_stat -r "$db"
	unlike "$out" "^ *$hold " "the dead reader's slot is gone from the lock file (mdb_stat -r)"
else
	skip "the dead reader's slot is gone from the lock file" "mdb_stat (lmdb-utils) not installed"
fi

# Kill one more reader and go straight to writing: the writer's open must
# clear it.  Rewrite 10 records 300 times, then 1200 times more: with a pinned
# snapshot each transaction would take fresh pages (tens of MB in all); with
# freed pages reused the file grows only by the new audit entries.
spawn "$TORTURE" hold "$db" >"$T/hold2.out" 2>"$T/hold2.err"
hold=$spawned
wait_for_line "$T/hold2.out" '^holding' 20 || diag "second reader did not start: $(cat "$T/hold2.err")"
reap "$hold"

exit_is 0 "300 transactions rewriting 10 candidates" "$TORTURE" update "$db" 300 10
size1=$(file_size "$db/data.mdb")
exit_is 0 "1200 more transactions rewriting 10 candidates" "$TORTURE" update "$db" 1200 10
size2=$(file_size "$db/data.mdb")
growth=$((size2 - size1))
# 1200 transactions x 10 audit entries of some 100 bytes plus their index:
# about 2 MB.  A pinned snapshot costs at least 4 pages (16 KiB) for each
# transaction: 19 MB.
bound=$((6 * 1024 * 1024))
if test "$growth" -le "$bound"; then
	ok "data.mdb grew by $growth bytes (bound $bound): freed pages are reused"
else
	not_ok "data.mdb grew by $growth bytes, more than $bound: a dead reader pins an old snapshot" \
		"size after 300 rounds: $size1, after 1500: $size2"
fi
diag "data.mdb: $size1 bytes after 300 rounds, $size2 after 1500"

run "$WEXMATCH" --db "$db" stats
is "$(stat_value "$out" 'reader slots in use' | sed 's/ of .*//')" "$base" \
	"after the writes, no dead reader is counted"
exit_is 0 "wexmatch check is clean" "$WEXMATCH" --db "$db" check

reap "$idle"
done_testing
