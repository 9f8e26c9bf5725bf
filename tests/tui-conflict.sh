#!/bin/bash
# tui-conflict.sh: several operators on one database.  Two TUI instances
# edit the same record; the second save meets the first one's change: the
# conflict screen shows both, r edits again on top of theirs with nothing
# typed lost, y saves yours over theirs.  A change made by another process
# shows on an open list and an open record without a key being pressed.
. "$(dirname "$0")/tui-lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
W init >/dev/null &&
W add candidate id=C1 given_name=Ann family_name=Lee date_of_birth=2010-01-01 route=school \
	applied_at=2027-01-01T09:00Z 2>/dev/null || { echo "Bail out! cannot make the database"; exit 1; }
norm='s/saved by [^ ]* at [0-9T:Z-]*/saved by USER at TIME/
s/was changed by [^ ]* at [0-9T:Z-]*/was changed by USER at TIME/'

tui_start -t a -- --db "$db"
tui_start -t b -- --db "$db"
tui_use a
tui_wait_for '^C1 ' || true
tui_keys Enter e Tab Tab Tab End
tui_type ' Marie'
tui_use b
tui_wait_for '^C1 ' || true
tui_keys Enter e Tab Tab Tab C-u
tui_type Bea
tui_keys Tab End
tui_type -Smith
tui_keys C-s
tui_wait_for 'Saved candidate C1' || true

tui_use a
tui_keys C-s
tui_screen_is "a save based on an older version: the conflict screen, yours beside theirs" "$norm" <<'EOF'
 Conflict: candidate changed by someone else
Someone saved this candidate after you began editing version 1:
version 2, saved by USER at TIME
What changed since you began (yours: typed here; theirs: saved now):

  Given name             yours:  Ann Marie
                         theirs: Bea
  Family name            theirs: Lee-Smith

y  save yours over theirs: your changed fields win, their other changes stay
r  edit again on top of theirs: nothing you typed is lost
t  take theirs and drop what you typed (asks first)











y:yours   r:edit again    t:theirs
EOF

tui_keys r
tui_screen_is "r: editing again on top of their version; your change kept, theirs noted" "$norm" <<'EOF'
 Edit candidate C1 (version 2)
Record
  Candidate id          * C1
  Status                * received
  Applied at            * 2027-01-01T09:00Z
About you
> Given name            * Ann Marie
                          they saved: Bea
  Family name           * Lee-Smith
  Date of birth         * 2010-01-01
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 * school
  School or college
  Year group
What you would like
  Placement choices
First name, as you would like it on your certificate.

Editing on top of their version: your changes are kept; ^S saves.
^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_keys C-s
tui_wait_for 'Saved candidate C1' || true
is "$(W show candidate C1 --format csv | sed -n 2p | cut -d, -f1,4,5)" "C1,Ann Marie,Lee-Smith" \
   "saved: your given name, their family name"

# the other instance shows the new version without a key
tui_use b
tui_wait_for 'version 3' 3 || true
tui_screen_is "the other instance's open record shows the change by itself" "$norm" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate C1  (version 3, saved by USER at TIME)

Record
  Candidate id            : C1
  Status                  : received
  Applied at              : 2027-01-01T09:00Z

About you
  Given name              : Ann Marie
  Family name             : Lee-Smith
  Date of birth           : 2010-01-01

Contact
  Email                   :
  Phone                   :
  Home postcode           :

Education and route
  Route                   : school
  School or college       :
  Year group              :
Saved candidate C1.
?:help a:add e:edit d:delete h:history q:quit
EOF

# y: yours over theirs
tui_use a
tui_keys e Tab Tab Tab Tab C-u
tui_type Li
W edit candidate C1 family_name=Lim route=college >/dev/null 2>&1
tui_keys C-s
tui_wait_for 'Conflict' || true
tui_keys y
tui_wait_for 'Saved candidate C1' || true
is "$(W show candidate C1 --format csv | sed -n 2p | cut -d, -f1,4,5,10)" "C1,Ann Marie,Li,college" \
   "y: your family name over theirs, their other change (route) kept"

# a list sees records another process adds
tui_keys q
W add candidate id=C2 given_name=Bo family_name=Ng date_of_birth=2010-01-01 route=school \
	applied_at=2027-01-01T09:00Z 2>/dev/null
start=$(date +%s%N)
if tui_wait_for '^C2 ' 3; then
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	ok "a record added by another process shows on the open list by itself (${ms} ms)"
else
	not_ok "a record added by another process shows on the open list by itself"
fi
tui_screen_is "the list with the other process's record" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C1          received        Ann Marie     Li               college
C2          received        Bo            Ng               school


















2 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys q
tui_use b
tui_keys q q
tui_use a
tui_gone
is "$tui_rc" 0 "instance a quits with status 0"
tui_use b
tui_gone
is "$tui_rc" 0 "instance b quits with status 0"
run W check
is "$rc" 0 "the database checks out"

done_testing
