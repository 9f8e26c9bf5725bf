#!/bin/bash
# tui-edit.sh: data entry in the TUI: the form generated from forms/, live
# validation with the error beside the field and under it, a refused save
# that goes to the first field to correct, add, the record view, edit, the
# audit history, delete (asks), erase (asks twice), and leaving or Ctrl-C
# with something typed (asks first).
. "$(dirname "$0")/tui-lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
W init >/dev/null || { echo "Bail out! cannot make the database"; exit 1; }
# who saved and when change from run to run
norm='s/saved by [^ ]* at [0-9T:Z-]*/saved by USER at TIME/
s/^[0-9]\{4\}-[0-9-]*T[0-9:]*Z  [^ ]* */WHEN  WHO  /'

tui_start -- --db "$db"
tui_screen_is "an empty list says how to add" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route

  No records yet: a adds one.


















0 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys a
tui_screen_is "a: a new candidate, fields from the form with defaults, the field's help below" <<'EOF'
 New candidate
Record
> Candidate id          *
  Status                * received
  Applied at            *
About you
  Given name            *
  Family name           *
  Date of birth         *
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 *
  School or college
  Year group
What you would like
  Placement choices
  Interests
The reference for this request.  It cannot be reused for another candidate.


^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_type C1
tui_keys Tab Tab
tui_type 2027-01-10T09:00Z
tui_keys Tab
tui_type 'Zoë'
tui_keys Tab Tab
tui_type 2010-02-30
tui_screen_is "a required field left empty and a date that does not exist: errors beside and under the field" <<'EOF'
 New candidate
Record
  Candidate id          * C1
  Status                * received
  Applied at            * 2027-01-10T09:00Z
About you
  Given name            * Zoë
  Family name           *                                    ! required (expec~
> Date of birth         * 2010-02-30                         ! not a real day ~
                          ^ not a real day (expected a day from 01 to 28 in
                            2010-02)
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 *
  School or college
  Year group
What you would like
Date of birth as YYYY-MM-DD, for example 2010-09-14.  Some areas only take
people aged 16 or over on the first day of the placement.

^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_keys C-s
tui_screen_is "a refused save names the number of fields to correct and goes to the first" "$norm" <<'EOF'
 New candidate
Record
  Candidate id          * C1
  Status                * received
  Applied at            * 2027-01-10T09:00Z
About you
  Given name            * Zoë
> Family name           *                                    ! required (expec~
                          ^ required (expected a value)
  Date of birth         * 2010-02-30                         ! not a real day ~
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 *                                    ! required (expec~
  School or college
  Year group
What you would like
  Placement choices
Surname or family name.

Not saved: 3 fields to correct (marked !).
^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_type "O'Brien"
tui_keys Down C-u
tui_type 2010-05-01
tui_keys C-s
tui_screen_is "the next field to correct: route, with its choices in the help" <<'EOF'
 New candidate
Record
  Candidate id          * C1
  Status                * received
  Applied at            * 2027-01-10T09:00Z
About you
  Given name            * Zoë
  Family name           * O'Brien
  Date of birth         * 2010-05-01
Contact
  Email
  Phone
  Home postcode
Education and route
> Route                 *                                    ! required (expec~
                          ^ required (expected a value)
  School or college
  Year group
What you would like
  Placement choices
One of: school, college, neet, returner_health, returner_carer, adult.
school: at school; college: at college or sixth-form college; neet: not in edu~
Not saved: 1 field to correct (marked !).
^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_type school
tui_keys C-s
tui_screen_is "saved: the record view, with version, who and when" "$norm" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate C1  (version 1, saved by USER at TIME)

Record
  Candidate id            : C1
  Status                  : received
  Applied at              : 2027-01-10T09:00Z

About you
  Given name              : Zoë
  Family name             : O'Brien
  Date of birth           : 2010-05-01

Contact
  Email                   :
  Phone                   :
  Home postcode           :

Education and route
  Route                   : school
  School or college       :
  Year group              :
Added candidate C1.
?:help a:add e:edit d:delete h:history q:quit
EOF

is "$(W show candidate C1 --format csv | sed -n 2p | cut -d, -f1-6,10)" \
   "C1,received,2027-01-10T09:00Z,Zoë,O'Brien,2010-05-01,school" "the record is stored as typed"

tui_keys e Tab Tab Tab End
tui_type ' Ann'
tui_keys C-s
tui_screen_is "edit and save: version 2" "$norm" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate C1  (version 2, saved by USER at TIME)

Record
  Candidate id            : C1
  Status                  : received
  Applied at              : 2027-01-10T09:00Z

About you
  Given name              : Zoë Ann
  Family name             : O'Brien
  Date of birth           : 2010-05-01

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

tui_keys h
tui_screen_is "h: the audit history, newest first, field names only" "$norm" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
History of candidate C1, newest first (values are never logged)
when (UTC)            who         what     fields changed
WHEN  WHO  edit     given_name
WHEN  WHO  add      status, id, applied_at, given_name,
                                             family_name, date_of_birth, route

















?:help q:quit
EOF

tui_keys q q
W add candidate id=C0 given_name=Ann given_name=Ann family_name=Lee date_of_birth=2010-01-01 route=school \
	applied_at=2027-01-01T09:00Z 2>/dev/null
tui_wait_for '^C0 ' || true
tui_keys d
tui_screen_is "d asks before deleting" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C0          received        Ann           Lee              school
C1          received        Zoë Ann       O'Brien          school


















Delete candidate C0 and their equality answers? y: delete  any other key: keep~
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys n
tui_wait_for 'Nothing deleted' || true
tui_keys d y
tui_screen_is "y deletes; the list shows it at once" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C1          received        Zoë Ann       O'Brien          school



















Deleted candidate C0.
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys E y
tui_type C2
tui_keys Enter
tui_screen_is "erase asks twice: a wrong id typed erases nothing" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C1          received        Zoë Ann       O'Brien          school



















Nothing erased (the id typed was not C1).
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys E y
tui_type C1
tui_keys Enter
tui_screen_is "erase with the id typed: gone, a tombstone in the audit log" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route

  No records yet: a adds one.


















Erased candidate C1; the audit log keeps a tombstone without personal data.
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF
run W show candidate C1
is "$rc" 1 "the erased candidate is gone from the database"

tui_keys a
tui_type X
tui_keys C-x
tui_screen_is "leaving a form with something typed asks first" <<'EOF'
 New candidate
Record
> Candidate id          * X
  Status                * received
  Applied at            *
About you
  Given name            *
  Family name           *
  Date of birth         *
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 *
  School or college
  Year group
What you would like
  Placement choices
  Interests
The reference for this request.  It cannot be reused for another candidate.

Leave without saving what you typed? y: drop it  other: keep editing
^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_keys n C-c
tui_screen_is "so does Ctrl-C" <<'EOF'
 New candidate
Record
> Candidate id          * X
  Status                * received
  Applied at            *
About you
  Given name            *
  Family name           *
  Date of birth         *
Contact
  Email
  Phone
  Home postcode
Education and route
  Route                 *
  School or college
  Year group
What you would like
  Placement choices
  Interests
The reference for this request.  It cannot be reused for another candidate.

Quit and lose what you typed? y: quit  any other key: stay
^S:save ^X:cancel Tab:next ^P:prev ^G:help
EOF

tui_keys n
tui_wait_for '^> Candidate id +\* X' || true
tui_keys C-c y
tui_gone
is "$tui_rc" 0 "Ctrl-C and y: quit, status 0"
run W stats
like "$out" "^candidate: +0$" "nothing half-typed was saved"

done_testing
