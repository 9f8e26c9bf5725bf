#!/bin/bash
# cli-basic.sh: the batch commands init, stats, check and backup, help and
# version, option placement, where the database is looked for, and exit
# codes: 0 done, 1 bad data, 2 bad usage, 3 database unavailable.
. "$(dirname "$0")/lib.sh"

db=$T/db
default_db=$HOME/.local/share/wexmatch

# ---- version and help ----
exit_is 0 "--version exits 0" "$WEXMATCH" --version
like "$out" '^wexmatch [0-9]+\.[0-9]+' "--version prints 'wexmatch VERSION'"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "--version prints one line"
exit_is 0 "-V exits 0" "$WEXMATCH" -V
version=$out

exit_is 0 "--help exits 0" "$WEXMATCH" --help
help=$out
like "$help" '^Usage: wexmatch ' "--help starts with a usage line"
# every command --help lists (so a new command is covered as soon as it exists)
commands=$(sed -n 's/^  \([a-z]\{1,\}\)  *[a-z].*/\1/p' <<<"$help" | tr '\n' ' ')
diag "commands: $commands"
for c in init stats check backup help add edit show list delete erase import export demo; do
	like "$help" "^  $c " "--help lists the command $c"
done
like "$help" 'Exit status: 0 done, 1 bad data, 2 bad usage, 3 database' "--help documents the exit codes"
is "$err" "" "--help prints nothing on stderr"
exit_is 0 "-h exits 0" "$WEXMATCH" -h
is "$out" "$help" "-h prints the same as --help"
exit_is 0 "help exits 0" "$WEXMATCH" help
is "$out" "$help" "help prints the same as --help"

for c in $commands; do
	exit_is 0 "$c --help exits 0" "$WEXMATCH" "$c" --help
	like "$(printf '%s\n' "$out" | head -n 1)" "^Usage: wexmatch .*\\b$c\\b" "$c --help starts with its usage line"
	like "$out" '--db DIR' "$c --help lists the global options"
	cmdhelp=$out
	exit_is 0 "help $c exits 0" "$WEXMATCH" help "$c"
	is "$out" "$cmdhelp" "help $c prints the same as $c --help"
	exit_is 0 "$c -h exits 0" "$WEXMATCH" "$c" -h
	is "$out" "$cmdhelp" "$c -h prints the same as $c --help"
done
like "$(printf '%s\n' "$cmdhelp")" . "help --help is not empty"
exit_is 0 "init --help with --db" "$WEXMATCH" --db "$db" init --help
check "init --help creates nothing" test ! -e "$db"
exit_is 0 "stats --version exits 0" "$WEXMATCH" stats --version
is "$out" "$version" "stats --version prints the version"
check "help and version touch no database" test ! -e "$default_db"

# ---- bad usage: exit 2, a message on stderr, nothing on stdout ----
usage_is_2() {
	local desc=$1
	shift
	exit_is 2 "$desc: exit 2" "$@"
	is "$out" "" "$desc: nothing on stdout"
	like "$err" '^wexmatch: ' "$desc: a message on stderr"
}
usage_is_2 "unknown command" "$WEXMATCH" --db "$db" frobnicate
like "$err" 'frobnicate' "the message names the unknown command"
usage_is_2 "unknown global option" "$WEXMATCH" --frobnicate stats
like "$err" 'frobnicate' "the message names the unknown option"
usage_is_2 "unknown option after the command" "$WEXMATCH" --db "$db" stats --frobnicate
usage_is_2 "unknown short option" "$WEXMATCH" --db "$db" check -z
usage_is_2 "--db without a value" "$WEXMATCH" --db
usage_is_2 "--db without a value after the command" "$WEXMATCH" stats --db
usage_is_2 "init --group without a value" "$WEXMATCH" --db "$db" init --group
usage_is_2 "init with an extra argument" "$WEXMATCH" --db "$db" init extra
usage_is_2 "stats with an extra argument" "$WEXMATCH" --db "$db" stats extra
usage_is_2 "check with an extra argument" "$WEXMATCH" --db "$db" check extra
usage_is_2 "backup without a file" "$WEXMATCH" --db "$db" backup
usage_is_2 "backup with two files" "$WEXMATCH" --db "$db" backup "$T/a" "$T/b"
usage_is_2 "help of an unknown command" "$WEXMATCH" help frobnicate
check "bad usage creates nothing" test ! -e "$db"

# ---- no database yet: exit 3 ----
for c in stats check; do
	exit_is 3 "$c on a missing database: exit 3" "$WEXMATCH" --db "$db" "$c"
	like "$err" "^wexmatch: .*$db" "$c: the message names the directory"
	like "$err" 'wexmatch init' "$c: the message says to run wexmatch init"
done
exit_is 3 "backup of a missing database: exit 3" "$WEXMATCH" --db "$db" backup "$T/nothing.mdb"
check "no backup file is written" test ! -e "$T/nothing.mdb"
check "stats, check and backup create nothing" test ! -e "$db"
exit_is 3 "no command on a missing default database: exit 3" "$WEXMATCH"

# ---- init ----
exit_is 0 "init exits 0" "$WEXMATCH" --db "$db" init
is "$out" "initialised $db" "init says 'initialised DIR'"
is "$err" "" "init prints nothing on stderr"
check "init creates data.mdb and lock.mdb" test -f "$db/data.mdb" -a -f "$db/lock.mdb"
exit_is 0 "init again exits 0" "$WEXMATCH" --db "$db" init
is "$out" "initialised $db" "init again says the same"

# ---- stats ----
norm_stats() {
	sed -e 's/^\(file size\|map size\|in use\): [0-9][0-9]* bytes$/\1: N bytes/' \
		-e 's/^\(reader slots in use: [0-9]*\) of [0-9]*$/\1 of N/'
}
expected_stats() {
	cat <<EOF
database: $1
schema: 5
candidate: $2
placement: 0
ambassador: 0
request: 0
equality: 0
audit entries: $3
file size: N bytes
map size: N bytes
in use: N bytes
reader slots in use: 0 of N
forms: $WX_SRCDIR/forms
EOF
}
exit_is 0 "stats exits 0" "$WEXMATCH" --db "$db" stats
stats=$out
is "$(printf '%s\n' "$out" | norm_stats)" "$(expected_stats "$db" 0 1)" \
	"stats of a new database (one audit entry: its creation)"
is "$err" "" "stats prints nothing on stderr"
is "$(stat_value "$stats" 'file size')" "$(file_size "$db/data.mdb") bytes" \
	"stats gives the size of data.mdb"
map=$(stat_value "$stats" 'map size')
map=${map% bytes}
check "the map ($map) is at least the file size" test "${map:-0}" -ge "$(file_size "$db/data.mdb")"

exit_is 0 "global option after the command: stats --db DIR" "$WEXMATCH" stats --db "$db"
is "$out" "$stats" "stats --db DIR prints the same"
exit_is 0 "stats --db=DIR" "$WEXMATCH" stats --db="$db"
is "$out" "$stats" "stats --db=DIR prints the same"
exit_is 0 "--db=DIR stats" "$WEXMATCH" --db="$db" stats
is "$out" "$stats" "--db=DIR stats prints the same"
exit_is 0 "no command shows the stats" "$WEXMATCH" --db "$db"
is "$out" "$stats" "no command prints the same as stats"

# ---- where the database is looked for ----
WEXMATCH_DB=$db exit_is 0 "WEXMATCH_DB picks the database" "$WEXMATCH" stats
is "$(stat_value "$out" database)" "$db" "stats names \$WEXMATCH_DB"
WEXMATCH_DB=$T/elsewhere exit_is 0 "--db wins over WEXMATCH_DB" "$WEXMATCH" --db "$db" stats
is "$(stat_value "$out" database)" "$db" "stats names the --db directory"
XDG_DATA_HOME=$T/xdg exit_is 0 "init with XDG_DATA_HOME" "$WEXMATCH" init
is "$out" "initialised $T/xdg/wexmatch" "the database is \$XDG_DATA_HOME/wexmatch"
exit_is 0 "init with only HOME" "$WEXMATCH" init
is "$out" "initialised $default_db" "the database is ~/.local/share/wexmatch"
check "~/.local/share/wexmatch/data.mdb exists" test -f "$default_db/data.mdb"
XDG_DATA_HOME=relative exit_is 0 "a relative XDG_DATA_HOME is ignored" "$WEXMATCH" stats
is "$(stat_value "$out" database)" "$default_db" "stats names ~/.local/share/wexmatch"

# ---- check ----
exit_is 0 "check of a new database exits 0" "$WEXMATCH" --db "$db" check
like "$out" '^checked 0 records, [0-9]+ index entries, 1 audit entries: 0 problems$' \
	"check prints a summary with 0 problems"
unlike "$out" '^problem' "check reports no problem"
exit_is 0 "add 50 candidates" "$TORTURE" write "$db" 50 0
exit_is 0 "check after 50 inserts exits 0" "$WEXMATCH" --db "$db" check
like "$out" '^checked 50 records, [0-9]+ index entries, 51 audit entries: 0 problems$' \
	"check counts 50 records and 51 audit entries"
exit_is 0 "check --db after the command" "$WEXMATCH" check --db "$db"
exit_is 0 "stats after 50 inserts" "$WEXMATCH" --db "$db" stats
stats=$out
is "$(printf '%s\n' "$out" | norm_stats)" "$(expected_stats "$db" 50 51)" "stats counts 50 candidates"

# ---- backup ----
exit_is 0 "backup exits 0" "$WEXMATCH" --db "$db" backup "$T/backup.mdb"
is "$out" "backed up $db to $T/backup.mdb" "backup says what it did"
check "the backup file is written" test -s "$T/backup.mdb"
is "$(file_mode "$T/backup.mdb")" 600 "the backup file is 0600"
is "$(ls "$T" | grep -c 'backup\.mdb\.')" 0 "no temporary file is left beside it"
mkdir -m 700 "$T/restored"
cp "$T/backup.mdb" "$T/restored/data.mdb"
exit_is 0 "the backup, restored as data.mdb, checks clean" "$WEXMATCH" --db "$T/restored" check
like "$out" '^checked 50 records, .*: 0 problems$' "the restored database has the 50 records"
exit_is 0 "stats of the restored database" "$WEXMATCH" --db "$T/restored" stats
is "$(printf '%s\n' "$out" | sed -n '/^schema:/,/^audit entries:/p')" \
	"$(printf '%s\n' "$stats" | sed -n '/^schema:/,/^audit entries:/p')" \
	"the restored database has the same counts"
sed -n 's/^/W0-/p' <(seq 1 50) >"$T/ids"
exit_is 0 "every record is in the restored database" "$TORTURE" has "$T/restored" "$T/ids"
exit_is 0 "backup over an existing file" "$WEXMATCH" --db "$db" backup "$T/backup.mdb"
exit_is 0 "backup --db after the command" "$WEXMATCH" backup "$T/backup2.mdb" --db "$db"
check "two backups of the same state are identical" cmp "$T/backup.mdb" "$T/backup2.mdb"
run "$WEXMATCH" --db "$db" backup "$T/no/such/dir/backup.mdb"
is "$rc" 1 "backup into a missing directory: exit 1"
like "$err" "^wexmatch: .*$T/no/such/dir/backup.mdb" "the message names the file"

# ---- data problems: exit 1 ----
cp -a "$db" "$T/damaged"
exit_is 0 "damage a copy (an id index entry with no record, a record that does not decode)" \
	"$TORTURE" damage "$T/damaged"
exit_is 1 "check of a damaged database exits 1" "$WEXMATCH" --db "$T/damaged" check
report=$out
n=$(printf '%s\n' "$report" | grep -c '^problem: ')
check "check reports each problem ($n lines)" test "$n" -ge 2
like "$report" '999999|ghost' "check names the dangling index entry"
like "$report" "^checked .*: $n problems\$" "check's summary counts them"
exit_is 0 "check of the original is still clean" "$WEXMATCH" --db "$db" check

# ---- not a database: exit 3 ----
mkdir -m 700 "$T/garbage"
head -c 65536 /dev/urandom >"$T/garbage/data.mdb"
chmod 600 "$T/garbage/data.mdb"
for c in stats check; do
	exit_is 3 "$c on a garbage data.mdb: exit 3" "$WEXMATCH" --db "$T/garbage" "$c"
	like "$err" "^wexmatch: .*$T/garbage" "$c: the message names the directory"
done
exit_is 3 "backup of a garbage data.mdb: exit 3" "$WEXMATCH" --db "$T/garbage" backup "$T/g.mdb"
exit_is 3 "init on a garbage data.mdb: exit 3" "$WEXMATCH" --db "$T/garbage" init
mkdir -m 700 "$T/text"
printf 'hello\n' >"$T/text/data.mdb"
chmod 600 "$T/text/data.mdb"
exit_is 3 "stats on a short text data.mdb: exit 3" "$WEXMATCH" --db "$T/text" stats
printf 'x\n' >"$T/plainfile"
exit_is 3 "--db naming a plain file: exit 3" "$WEXMATCH" --db "$T/plainfile" stats
like "$err" 'not a directory' "the message says it is not a directory"
exit_is 3 "init on a plain file: exit 3" "$WEXMATCH" --db "$T/plainfile" init

# ---- output errors ----
if test -w /dev/full; then
	run bash -c '"$1" --version >/dev/full' _ "$WEXMATCH"
	isnt "$rc" 0 "--version to a full device fails"
	run bash -c '"$1" --help >/dev/full' _ "$WEXMATCH"
	isnt "$rc" 0 "--help to a full device fails"
	run bash -c '"$1" --db "$2" stats >/dev/full' _ "$WEXMATCH" "$db"
	isnt "$rc" 0 "stats to a full device fails"
	like "$err" 'error writing' "and says so"
else
	skip "output errors" "no /dev/full"
fi

# ---- names are shown escaped ----
weird=$T/$'we\tird\033[31m'
exit_is 0 "init a directory whose name has a tab and an escape" "$WEXMATCH" --db "$weird" init
is "$out" "initialised $T/we\\tird\\e[31m" "init shows the name escaped"
exit_is 0 "stats of it" "$WEXMATCH" --db "$weird" stats
is "$(stat_value "$out" database)" "$T/we\\tird\\e[31m" "stats shows the name escaped"

done_testing
