#!/bin/bash
# tui-list.sh: the lists of the TUI, screen by screen: the first screen at
# 80x24, moving and paging, the incremental filter with its count, a bad and
# a runaway pattern, sorting by a column and back, switching lists, the runs
# list and the help screen generated from the action table.
. "$(dirname "$0")/tui-lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
W init >/dev/null && W demo --candidates 45 --placements 8 --ambassadors 4 --requests 3 >/dev/null 2>&1 ||
	{ echo "Bail out! cannot make the demo database"; exit 1; }
# a long value for the runaway pattern
W add candidate id=C900 given_name=Ann family_name="$(printf 'a%.0s' $(seq 60))-" \
	date_of_birth=2010-01-01 route=school applied_at=2027-01-01T09:00Z 2>/dev/null

tui_start -- --db "$db"
tui_screen_is "the first screen: candidates by id, columns from the form, the key bar" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000001     received        Amelia        Kowalski         school
C000002     received        Noah          O’Neill          school
C000003     received        João          王               adult
C000004     received        Łukasz        Smith            returner_health
C000005     received        George        Смирнова         school
C000006     received        Ngozi         Taylor           college
C000007     received        Ana María     Müller           school
C000008     received        João          Gonçalves        adult
C000009     received        Ioana         Khan             school
C000010     received        Aoife         Chen             college
C000011     received        Abena         Warsame          school
C000012     received        Dmitri        Trần             college
C000013     received        Şükrü         Trần             school
C000014     received        Ελένη         Williams         school
C000015     received        Noah          Wiśniewska       school
C000016     received        Mia           李               college
C000017     received        Aisha         Schäfer          neet
C000018     received        Gurpreet      Müller           returner_carer
C000019     received        João          Popescu          college
C000020     received        Amelia        Evans            returner_health
46 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys j j j G
tui_screen_is "End: the last page, read backwards from the end of the id index" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000027     received        Ava           Okafor           school
C000028     received        Zofia         Fernández        college
C000029     received        Sofía         Smith            college
C000030     received        Şükrü         Williams         school
C000031     received        Ciarán        Adeyemi          college
C000032     received        Adaeze        Смирнова         returner_carer
C000033     received        Wei           Thomas           returner_carer
C000034     received        Zofia         Brown            school
C000035     received        Abena         MacDonald        college
C000036     received        Kofi          Jones            returner_health
C000037     received        Mary-Jane     Jöns             college
C000038     received        Noah          St. John         neet
C000039     received        Chloé         Smith            adult
C000040     received        Ava           Singh            school
C000041     received        يوسف          Kowalski         school
C000042     received        Rhys          Popescu          school
C000043     received        Chidi         Al-Hassan        neet
C000044     received        Dylan         García           college
C000045     received        Fatima        Evans            school
C900        received        Ann           aaaaaaaaaaaaaa~  school
46 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys g Space
tui_screen_is "Home then a page down" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000021     received        Mary-Jane     Singh            school
C000022     received        Anaïs         Kaur             school
C000023     received        Amelia        Taylor           school
C000024     received        Ikram         Ahmed            school
C000025     received        Ólafur        Nguyễn           neet
C000026     received        Seán          Singh            school
C000027     received        Ava           Okafor           school
C000028     received        Zofia         Fernández        college
C000029     received        Sofía         Smith            college
C000030     received        Şükrü         Williams         school
C000031     received        Ciarán        Adeyemi          college
C000032     received        Adaeze        Смирнова         returner_carer
C000033     received        Wei           Thomas           returner_carer
C000034     received        Zofia         Brown            school
C000035     received        Abena         MacDonald        college
C000036     received        Kofi          Jones            returner_health
C000037     received        Mary-Jane     Jöns             college
C000038     received        Noah          St. John         neet
C000039     received        Chloé         Smith            adult
C000040     received        Ava           Singh            school
46 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys /
tui_type 'ngozi|smith'
tui_screen_is "the filter applies as it is typed, caseless, with the count of matches" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000004     received        Łukasz        Smith            returner_health
C000006     received        Ngozi         Taylor           college
C000029     received        Sofía         Smith            college
C000039     received        Chloé         Smith            adult
















/ngozi|smith  4 of 46 match  row 1 of 4
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys Enter j
tui_screen_is "Enter keeps the filter; moving within the matches" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000004     received        Łukasz        Smith            returner_health
C000006     received        Ngozi         Taylor           college
C000029     received        Sofía         Smith            college
C000039     received        Chloé         Smith            adult
















/ngozi|smith  4 of 46 match  row 2 of 4
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys / C-u
tui_type 'ngozi|('
tui_screen_is "a bad pattern: the reason with its offset, the last result stays" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000001     received        Amelia        Kowalski         school
C000002     received        Noah          O’Neill          school
C000003     received        João          王               adult
C000004     received        Łukasz        Smith            returner_health
C000005     received        George        Смирнова         school
C000006     received        Ngozi         Taylor           college
C000007     received        Ana María     Müller           school
C000008     received        João          Gonçalves        adult
C000009     received        Ioana         Khan             school
C000010     received        Aoife         Chen             college
C000011     received        Abena         Warsame          school
C000012     received        Dmitri        Trần             college
C000013     received        Şükrü         Trần             school
C000014     received        Ελένη         Williams         school
C000015     received        Noah          Wiśniewska       school
C000016     received        Mia           李               college
C000017     received        Aisha         Schäfer          neet
C000018     received        Gurpreet      Müller           returner_carer
C000019     received        João          Popescu          college
C000020     received        Amelia        Evans            returner_health
/ngozi|(  bad pattern: missing closing parenthesis at offset 7
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys C-u
tui_type '^(a+)+$'
tui_screen_is "a runaway pattern stops at the match limit with a message, no hang" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000006     received        Ngozi         Taylor           college
C000007     received        Ana María     Müller           school
C000008     received        João          Gonçalves        adult
C000009     received        Ioana         Khan             school
C000010     received        Aoife         Chen             college
C000011     received        Abena         Warsame          school
C000012     received        Dmitri        Trần             college
C000013     received        Şükrü         Trần             school
C000014     received        Ελένη         Williams         school
C000015     received        Noah          Wiśniewska       school
C000016     received        Mia           李               college
C000017     received        Aisha         Schäfer          neet
C000018     received        Gurpreet      Müller           returner_carer
C000019     received        João          Popescu          college
C000020     received        Amelia        Evans            returner_health
C000021     received        Mary-Jane     Singh            school
C000022     received        Anaïs         Kaur             school
C000023     received        Amelia        Taylor           school
C000024     received        Ikram         Ahmed            school
C000025     received        Ólafur        Nguyễn           neet
/^(a+)+$  pattern too complex for this value (it backtracks without end; simpli
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys Escape
tui_screen_is "Esc clears the filter" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000006     received        Ngozi         Taylor           college
C000007     received        Ana María     Müller           school
C000008     received        João          Gonçalves        adult
C000009     received        Ioana         Khan             school
C000010     received        Aoife         Chen             college
C000011     received        Abena         Warsame          school
C000012     received        Dmitri        Trần             college
C000013     received        Şükrü         Trần             school
C000014     received        Ελένη         Williams         school
C000015     received        Noah          Wiśniewska       school
C000016     received        Mia           李               college
C000017     received        Aisha         Schäfer          neet
C000018     received        Gurpreet      Müller           returner_carer
C000019     received        João          Popescu          college
C000020     received        Amelia        Evans            returner_health
C000021     received        Mary-Jane     Singh            school
C000022     received        Anaïs         Kaur             school
C000023     received        Amelia        Taylor           school
C000024     received        Ikram         Ahmed            school
C000025     received        Ólafur        Nguyễn           neet
46 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys Right Right s
tui_screen_is "s sorts by the selected column (Given name)" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate~  Status          Given name ^  Family name      Route
C000018     received        Gurpreet      Müller           returner_carer
C000024     received        Ikram         Ahmed            school
C000009     received        Ioana         Khan             school
C000003     received        João          王               adult
C000008     received        João          Gonçalves        adult
C000019     received        João          Popescu          college
C000036     received        Kofi          Jones            returner_health
C000021     received        Mary-Jane     Singh            school
C000037     received        Mary-Jane     Jöns             college
C000016     received        Mia           李               college
C000006     received        Ngozi         Taylor           college
C000002     received        Noah          O’Neill          school
C000015     received        Noah          Wiśniewska       school
C000038     received        Noah          St. John         neet
C000042     received        Rhys          Popescu          school
C000026     received        Seán          Singh            school
C000029     received        Sofía         Smith            college
C000033     received        Wei           Thomas           returner_carer
C000028     received        Zofia         Fernández        college
C000034     received        Zofia         Brown            school
46 candidates, sorted by Given name  row 31 of 46
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys s
tui_screen_is "s again reverses it" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate~  Status          Given name v  Family name      Route
C000025     received        Ólafur        Nguyễn           neet
C000028     received        Zofia         Fernández        college
C000034     received        Zofia         Brown            school
C000033     received        Wei           Thomas           returner_carer
C000029     received        Sofía         Smith            college
C000026     received        Seán          Singh            school
C000042     received        Rhys          Popescu          school
C000002     received        Noah          O’Neill          school
C000015     received        Noah          Wiśniewska       school
C000038     received        Noah          St. John         neet
C000006     received        Ngozi         Taylor           college
C000016     received        Mia           李               college
C000021     received        Mary-Jane     Singh            school
C000037     received        Mary-Jane     Jöns             college
C000036     received        Kofi          Jones            returner_health
C000003     received        João          王               adult
C000008     received        João          Gonçalves        adult
C000019     received        João          Popescu          college
C000009     received        Ioana         Khan             school
C000024     received        Ikram         Ahmed            school
46 candidates, sorted by Given name  row 16 of 46
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys Left Left s
tui_screen_is "s on the id column goes back to browsing by id" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C000006     received        Ngozi         Taylor           college
C000007     received        Ana María     Müller           school
C000008     received        João          Gonçalves        adult
C000009     received        Ioana         Khan             school
C000010     received        Aoife         Chen             college
C000011     received        Abena         Warsame          school
C000012     received        Dmitri        Trần             college
C000013     received        Şükrü         Trần             school
C000014     received        Ελένη         Williams         school
C000015     received        Noah          Wiśniewska       school
C000016     received        Mia           李               college
C000017     received        Aisha         Schäfer          neet
C000018     received        Gurpreet      Müller           returner_carer
C000019     received        João          Popescu          college
C000020     received        Amelia        Evans            returner_health
C000021     received        Mary-Jane     Singh            school
C000022     received        Anaïs         Kaur             school
C000023     received        Amelia        Taylor           school
C000024     received        Ikram         Ahmed            school
C000025     received        Ólafur        Nguyễn           neet
46 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys Tab
tui_screen_is "Tab: the placements" <<'EOF'
 wexmatch  1 Candidates  [2 Placements]  3 Ambassadors   4 Requests   5 Runs
Placeme~ ^  Status     Title                     Profession      Week      Pla~
P00001      open       Estates taster week       dietetics       2027-W24  3
P00002      open       Estates taster week       optometry       2027-W21  1
P00003      open       Radiology taster week     orthoptics      2027-W37  4
P00004      open       Catering taster week      prosthetics_o~  2027-W40  2
P00005      open       Dietetics taster week     communications  2027-W32  3
P00006      open       Estates taster week       prosthetics_o~  2027-W11  3
P00007      open       Pharmacy taster week      osteopathy      2027-W13  2
P00008      open       Medical Records taster ~  orthoptics      2027-W16  4












8 placements
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys 3
tui_screen_is "3: the ambassadors" <<'EOF'
 wexmatch  1 Candidates   2 Placements  [3 Ambassadors]  4 Requests   5 Runs
Ambassa~ ^  Status  Given name    Family name      Job title
A00001      active  Callum        Warsame          Ward Clerk
A00002      active  Grace         Fernández        Physiotherapist
A00003      active  Seán          Williams         Midwife
A00004      active  Siobhán       Ní Bhriain       Pharmacist
















4 ambassadors
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_keys 5
tui_screen_is "5: the runs list" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
  run  when (UTC)         who       kind         outcome, policy

  No match runs yet.
  r runs a work-experience match, A an ambassador match: each run is
  recorded and only proposes; offers are made from its review (Enter).

















?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys 1 '?'
tui_screen_is "? shows the keys of the list screen, generated from the action table" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Keys of the list screen (q: back)
  ?  F1              show every action of this screen with its keys
  /                  filter the list as you type (PCRE2, caseless; Enter keeps
                     it, Esc clears it)
  n                  next record matching the filter
  N                  previous record matching the filter
  j  Down            move down one line
  k  Up              move up one line
  Space  ^F  PgDn    move down one page
  b  ^B  PgUp        move up one page
  g  Home            go to the first line
  G  End             go to the last line
  <  Left            select the column to the left (for sorting)
  >  Right           select the column to the right (for sorting)
  o  Enter           open the record
  a                  add a record of this kind
  e                  edit the record
  d                  delete the record (asks first)
  E                  erase a candidate's data for good: right to erasure (asks
                     twice)
  h                  the record's audit history

q:quit
EOF

tui_keys q q
tui_gone
is "$tui_rc" 0 "q leaves the help, q again quits with status 0"

done_testing
