#!/bin/bash
# permissions.sh: the modes a database is created with, whatever the umask;
# group-shared databases; refusing world-writable ones.
. "$(dirname "$0")/lib.sh"

modes() {
	echo "$(file_mode "$1") $(file_mode "$1/data.mdb") $(file_mode "$1/lock.mdb")"
}

# A private database: directory 0700, files 0600, whatever the umask.
for mask in 000 022 077; do
	d=$T/u$mask/parent/db
	(umask "$mask" && exec "$WEXMATCH" --db "$d" init) >"$T/out" 2>"$T/err"
	rc=$?
	if test $rc -eq 0; then
		ok "init under umask $mask"
	else
		not_ok "init under umask $mask" "exit $rc: $(cat "$T/err")"
	fi
	is "$(modes "$d")" "700 600 600" "umask $mask: directory 0700, data.mdb and lock.mdb 0600"
	is "$(file_mode "$T/u$mask/parent")" "700" "umask $mask: a missing parent is made 0700"
	# Opening again under the same umask leaves the modes alone.
	(umask "$mask" && exec "$WEXMATCH" --db "$d" stats) >/dev/null 2>&1
	is "$(modes "$d")" "700 600 600" "umask $mask: modes unchanged after stats"
done

# A group-shared database: directory setgid 2770, files 0660, owned by the group.
g=$(id -gn)
for mask in 000 077; do
	d=$T/g$mask/db
	(umask "$mask" && exec "$WEXMATCH" --db "$d" init --group "$g") >"$T/out" 2>"$T/err"
	rc=$?
	if test $rc -eq 0; then
		ok "init --group $g under umask $mask"
	else
		not_ok "init --group $g under umask $mask" "exit $rc: $(cat "$T/err")"
	fi
	is "$(modes "$d")" "2770 660 660" "umask $mask --group: directory 2770, files 0660"
	is "$(file_group "$d") $(file_group "$d/data.mdb") $(file_group "$d/lock.mdb")" "$g $g $g" \
		"umask $mask --group: directory and files belong to group $g"
	(umask "$mask" && exec "$WEXMATCH" --db "$d" stats) >/dev/null 2>&1
	is "$(modes "$d")" "2770 660 660" "umask $mask --group: modes unchanged after stats"
done
check "stats works on a group-shared database" "$WEXMATCH" --db "$T/g077/db" stats

# init --group on an existing private database shares it.
d=$T/convert
exit_is 0 "init a private database" "$WEXMATCH" --db "$d" init
exit_is 0 "init --group $g on it" "$WEXMATCH" --db "$d" init --group "$g"
is "$(modes "$d")" "2770 660 660" "it is now group-shared: 2770, 0660"

# A group that does not exist.
run "$WEXMATCH" --db "$T/nogroup" init --group nosuchgroup
if test "$rc" = 1 || test "$rc" = 2; then
	ok "init --group nosuchgroup fails with exit 1 or 2"
else
	not_ok "init --group nosuchgroup fails with exit 1 or 2" "exit $rc"
fi
like "$err" 'nosuchgroup' "the message names the group"
like "$err" '[Nn]o such group|not a group|unknown group|does not exist' "the message says it does not exist"
is "$(find "$T/nogroup" -name data.mdb 2>/dev/null)" "" "no database was created"
exit_is 0 "a plain init afterwards works" "$WEXMATCH" --db "$T/nogroup" init

# World-writable directories and files are refused.
d=$T/ww
exit_is 0 "init a database to open up" "$WEXMATCH" --db "$d" init
for m in 0777 1777 0703; do
	chmod "$m" "$d"
	exit_is 3 "stats refuses a directory of mode $m (exit 3)" "$WEXMATCH" --db "$d" stats
	like "$err" 'world-writable' "the message says world-writable"
	exit_is 3 "check refuses it too" "$WEXMATCH" --db "$d" check
	exit_is 3 "init refuses it too" "$WEXMATCH" --db "$d" init
done
chmod 0700 "$d"
check "stats works again after chmod 0700" "$WEXMATCH" --db "$d" stats
chmod 0666 "$d/data.mdb"
exit_is 3 "stats refuses a world-writable data.mdb (exit 3)" "$WEXMATCH" --db "$d" stats
like "$err" 'world-writable' "the message says world-writable"
chmod 0600 "$d/data.mdb"
chmod 0666 "$d/lock.mdb"
exit_is 3 "stats refuses a world-writable lock.mdb (exit 3)" "$WEXMATCH" --db "$d" stats
chmod 0600 "$d/lock.mdb"
check "stats works again after chmod 0600" "$WEXMATCH" --db "$d" stats

# A sticky world-writable parent (like /tmp) is fine; the database directory
# itself is made 0700.
mkdir "$T/open"
chmod 1777 "$T/open"
exit_is 0 "init inside a sticky world-writable parent" "$WEXMATCH" --db "$T/open/db" init
is "$(file_mode "$T/open/db")" "700" "the new database directory is 0700"

done_testing
