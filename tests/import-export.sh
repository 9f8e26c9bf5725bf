#!/bin/bash
# import-export.sh: CSV and JSON import (all or nothing, --skip-invalid with
# rejects, --update, --keep-unknown, --dry-run, hostile input) and export
# (formula neutralisation, round trips that give back the same records).
. "$(dirname "$0")/lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
count() { W stats | sed -n "s/^$1: //p"; }
exit_is 0 "init" W init
hdr="id,given_name,family_name,date_of_birth,route,applied_at"

# ---- all or nothing ----
printf '%s\n' "$hdr" \
	"C1,Ann,Lee,2010-01-01,school,2027-01-01T09:00Z" \
	"C2,Bob,Day,2010-13-01,school,2027-01-01T09:00Z" \
	"C3,Cy,Fox,2010-01-01,skool,2027-01-01T09:00Z" \
	"C1,Di,Ng,2010-01-01,school,2027-01-01T09:00Z" >"$T/bad.csv"
run W import candidates "$T/bad.csv"
is "$rc" 1 "an import with invalid rows: exit 1"
like "$err" "^$T/bad.csv:3: date_of_birth: " "FILE:LINE: FIELD: for a bad date"
like "$err" "^$T/bad.csv:4: route: not one of the choices" "for a bad choice"
like "$err" "^$T/bad.csv:5: id: C1 already given on line 2 \(expected each id once\)$" \
     "for an id given twice in the file"
like "$err" "nothing imported: 3 problems$" "and says nothing was imported"
is "$(count candidate)" 0 "nothing was stored"

run W import candidates "$T/bad.csv" --dry-run
is "$rc" 1 "--dry-run reports the same problems"

# ---- --skip-invalid --rejects ----
run W import candidates "$T/bad.csv" --skip-invalid --rejects "$T/rejects.csv"
is "$rc" 0 "--skip-invalid stores the valid rows"
like "$err" "^4 candidates read: 1 added, 0 updated, 0 unchanged, 3 rejected$" "and counts them"
is "$(count candidate)" 1 "one candidate stored"
is "$(head -n 1 "$T/rejects.csv" | tr -d '\r')" "$hdr,reason" "rejects: the input's header plus reason"
is "$(sed -n 2p "$T/rejects.csv" | cut -d, -f1-6 | tr -d '\r')" "C2,Bob,Day,2010-13-01,school,2027-01-01T09:00Z" \
   "rejects: the row exactly as given"
like "$(sed -n 2p "$T/rejects.csv")" ",date_of_birth: [^,]*" "rejects: with its reason"
is "$(file_mode "$T/rejects.csv")" 600 "the rejects file is private (0600)"
exit_is 2 "--skip-invalid without --rejects: exit 2" W import candidates "$T/bad.csv" --skip-invalid

printf '%s\n' "$hdr" " S1 ,Ann,Lee,2010-01-01,school,2027-01-01T09:00Z" \
	"S1,Bob,Day,2010-01-01,school,2027-01-01T09:00Z" >"$T/spaces.csv"
run W import candidates "$T/spaces.csv"
is "$rc" 1 "ids are compared as stored (trimmed): ' S1 ' and 'S1' are the same id"
like "$err" "^$T/spaces.csv:3: id: S1 already given on line 2 \(expected each id once\)$" "and say so"

# ---- ids against the store, --update ----
printf '%s\n' "id,given_name,fsm" "C1,Annie,yes" >"$T/upd.csv"
run W import candidates "$T/upd.csv"
is "$rc" 1 "an id already stored is refused without --update"
like "$err" "^$T/upd.csv:2: id: candidate C1 already exists \(expected a new id, or --update to change it\)$" \
     "saying how to change it"
run W import candidates "$T/upd.csv" --update
is "$rc:$(W show candidate C1 --format csv | sed -n 2p | cut -d, -f1,4,5,18)" "0:C1,Annie,Lee,yes" \
   "--update changes the columns given and keeps the others"
like "$err" "1 updated" "and counts it as updated"
run W import candidates "$T/upd.csv" --update
like "$err" "1 unchanged" "the same update again changes nothing"

# ---- unknown columns ----
printf '%s\r\n' "$hdr,notes" "C7,Eve,Ray,2010-01-01,school,2027-01-01T09:00Z,\"two,
lines and \"\"quotes\"\"\"" >"$T/unknown.csv"
run W import candidates "$T/unknown.csv"
is "$rc" 1 "an unknown column is refused"
like "$err" "^$T/unknown.csv:1: notes: not a field of the candidate form" "at the header"
run W import candidates "$T/unknown.csv" --keep-unknown
is "$rc" 0 "--keep-unknown keeps it (CRLF, quoted comma, newline and doubled quotes)"
W export candidates -o "$T/x.csv" 2>/dev/null
is "$(head -n 1 "$T/x.csv" | tr -d '\r' | awk -F, '{print $NF}')" "notes" "export gives extra fields as last columns"
run W show candidate C7 --format json
like "$out" '"notes":"two,\\nlines and \\"quotes\\""' "the value kept byte for byte"

# ---- BOM, invalid UTF-8, hostile CSV ----
printf '\xef\xbb\xbf%s\n%s\n' "$hdr" "C8,Zoë,Ng,2010-01-01,school,2027-01-01T09:00Z" >"$T/bom.csv"
exit_is 0 "a UTF-8 byte-order mark is skipped" W import candidates "$T/bom.csv"
printf '%s\n%s\n' "$hdr" $'C9,Zo\xe9,Ng,2010-01-01,school,2027-01-01T09:00Z' >"$T/latin1.csv"
run W import candidates "$T/latin1.csv"
is "$rc" 1 "invalid UTF-8 is refused"
like "$err" "^$T/latin1.csv:2: .*invalid UTF-8 at byte offset 62 " "with its line and byte offset"
printf '%s\n%s\n' "$hdr" 'C9,"Ann,Lee,2010-01-01,school,2027-01-01T09:00Z' >"$T/open.csv"
run W import candidates "$T/open.csv" --skip-invalid --rejects "$T/r2.csv"
is "$rc" 1 "an unterminated quote refuses the whole file, even with --skip-invalid"
like "$err" "^$T/open.csv:2: " "naming the line where the field started"
test ! -e "$T/r2.csv" && ok "no rejects file is written when nothing was imported" ||
	not_ok "no rejects file is written when nothing was imported"

# ---- formula neutralisation ----
W add placement id=P1 title="=HYPERLINK(\"http://x\")" department="+44 ward" \
	profession=nursing capacity=2 supervisor="@admin" 2>/dev/null
W export placements -o "$T/p.csv" 2>/dev/null
like "$(tr -d '\r' <"$T/p.csv")" "^P1,open,\"'=HYPERLINK\(\"\"http://x\"\"\)\",'\+44 ward," \
     "text cells starting = + are neutralised with an apostrophe"
like "$(tr -d '\r' <"$T/p.csv")" ",2,'@admin" "and @; an integer cell is left alone"
rm -rf "$T/db2"
"$WEXMATCH" --db "$T/db2" import placements "$T/p.csv" 2>/dev/null
is "$("$WEXMATCH" --db "$T/db2" export placements)" "$(cat "$T/p.csv")" \
   "importing the export gives back the same values (the apostrophe is removed again)"

# ---- JSON ----
printf '[\n{"id": "J1", "given_name": "Ann", "family_name": "Lee", "date_of_birth": "2010-01-01", "route": "school", "applied_at": "2027-01-01T09:00Z", "fsm": true, "imd_decile": 3}\n]\n' >"$T/ok.json"
exit_is 0 "a JSON import (true and numbers as values)" W import candidates "$T/ok.json"
is "$(W show candidate J1 --format csv | sed -n 2p | cut -d, -f18,26)" "yes,3" "true became yes, 3 became 3"
printf '[\n{"id": "J2", "id": "J3"}\n]\n' >"$T/dup.json"
run W import candidates "$T/dup.json"
is "$rc" 1 "duplicate keys are refused"
like "$err" "^$T/dup.json:2: " "with the line"
printf '[{"id": "J4", "given_name": "\\ud800"}]' >"$T/sur.json"
run W import candidates "$T/sur.json"
is "$rc" 1 "a lone surrogate is refused"
printf '[{"id": "J5", "given_name": {"a": 1}}]' >"$T/nest.json"
run W import candidates "$T/nest.json"
is "$rc" 1 "a nested value is refused"

# ---- round trips of demo data, every kind, both formats ----
"$WEXMATCH" --db "$T/demo" demo --candidates 300 --placements 40 --ambassadors 30 --requests 20 \
	--seed 7 2>/dev/null
for kind in candidate placement ambassador request; do
	for fmt in csv json; do
		rm -rf "$T/rt"
		"$WEXMATCH" --db "$T/demo" export $kind --format $fmt >"$T/a.$fmt"
		"$WEXMATCH" --db "$T/rt" import $kind - --format $fmt <"$T/a.$fmt" 2>"$T/rt.err"
		"$WEXMATCH" --db "$T/rt" export $kind --format $fmt >"$T/b.$fmt"
		if cmp -s "$T/a.$fmt" "$T/b.$fmt" && test -s "$T/a.$fmt"; then
			ok "$kind $fmt: export, import, export gives the same bytes"
		else
			not_ok "$kind $fmt: export, import, export gives the same bytes" "$(head -3 "$T/rt.err")"
		fi
	done
done
"$WEXMATCH" --db "$T/demo" export candidate -o "$T/c.csv"
"$WEXMATCH" --db "$T/demo2" demo --candidates 300 --placements 40 --ambassadors 30 --requests 20 \
	--seed 7 2>/dev/null
"$WEXMATCH" --db "$T/demo2" export candidate -o "$T/c2.csv"
check "demo with the same seed gives the same data" cmp -s "$T/c.csv" "$T/c2.csv"
exit_is 0 "check is clean" W check

# ---- data written to a terminal is escaped; to a pipe it is exact ----
W add candidate --keep-unknown id=T1 given_name=Ann family_name=Lee date_of_birth=2010-01-01 \
	route=school applied_at=2027-01-01T09:00Z $'notes=\e[2Jx\xe2\x80\xae' 2>/dev/null
if command -v script >/dev/null 2>&1; then
	# script(1) runs the command on a pseudo-terminal
	script -qec "'$WEXMATCH' --db '$db' list candidates --where id=T1 --format csv" \
		"$T/tty.out" </dev/null >/dev/null 2>&1
	like "$(tr -d '\r' <"$T/tty.out")" '^T1,.*,\\e\[2Jx\\u\{202E\}(\\r)?$' \
	     "on a terminal, CSV data shows control and bidi characters as escapes"
	unlike "$(cat "$T/tty.out")" $'\e\[2J' "and never writes the raw escape sequence"
else
	skip "on a terminal, CSV data is escaped" "no script(1) here"
fi
run W export candidates
like "$out" $'\e\[2Jx\xe2\x80\xae' "to a pipe, export gives the bytes exactly (for the round trip)"

done_testing
