#!/bin/bash
# tui-match.sh: the match screens: the runs list, a run's review with the
# figures and the counterfactual, a candidate's explanation, offers one by
# one and all at once (asking first), an ambassador run, and a match run
# from the TUI itself (recorded like `wexmatch match`).
. "$(dirname "$0")/tui-lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
W init >/dev/null && W demo --candidates 40 --placements 8 --ambassadors 6 --requests 4 >/dev/null 2>&1 &&
	W match --seed 7 >/dev/null 2>&1 || { echo "Bail out! cannot make the database and a run"; exit 1; }
norm='s/20[0-9][0-9]-[0-9-]*T[0-9:]*Z\{0,1\}  [^ ]* */TIME  USER      /
s/, 20[0-9][0-9]-[0-9-]*T[0-9:]*Z by [^;]*;/, TIME by USER;/
s/(20[0-9][0-9]-[0-9-]*T[0-9:]*Z,/(TIME,/'

tui_start -- --db "$db"
tui_keys m
tui_screen_is "m: the runs recorded, newest first" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
  run  when (UTC)         who       kind         outcome, policy
    1  TIME  USER      work         11/40 placed, 0 offered  default




















?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys Enter
tui_screen_is "Enter: the run's figures, the counterfactual, a row per candidate" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
Run 1, work experience, TIME by USER; policy default, seed 7
Placed 11 of 40 candidates (22 seats); priority group (score 3+): 8 of 31 placed
Without priority or reserves (counterfactual): 9 placed, priority group 6 placed

candidate    placement or why not seat         score choice          no priority
C000001      no_eligible_choice                   7                 not placed
C000002      no_choices                           4                 not placed
C000003      no_eligible_choice                   6                 not placed
C000004      no_eligible_choice                   5                 not placed
C000005      no_eligible_choice                   5                 not placed
C000006      no_choices                           3                 not placed
C000007      P00005              open             4      1          placed
C000008      P00006              open             2      1          placed
C000009      no_choices                           4                 not placed
C000010      no_eligible_choice                   2                 not placed
C000011      no_choices                           7                 not placed
C000012      no_choices                           2                 not placed
C000013      no_eligible_choice                   4                 not placed
C000014      P00007              open             7      3          placed
C000015      P00005              open             4      2          placed


?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys j j j j j j Enter
tui_screen_is "Enter on a candidate: the explanation, in words" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
Candidate C000007 in run 1 (TIME, default policy, seed 7)
Priority: first in family to higher education: 2; previous work experience is
    no: 2; total 4 (cap 10).
Applied 2027-01-22T11:55:19Z; priority position 22 of 40.
Result: placed at P00005 (Dietetics taster week, 2027-W32), the 1st entry of
    the list, in an open place.
This was the first entry of the list.















?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys q O
tui_screen_is "O asks before offering" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
Run 1, work experience, TIME by USER; policy default, seed 7
Placed 11 of 40 candidates (22 seats); priority group (score 3+): 8 of 31 placed
Without priority or reserves (counterfactual): 9 placed, priority group 6 placed

candidate    placement or why not seat         score choice          no priority
C000001      no_eligible_choice                   7                 not placed
C000002      no_choices                           4                 not placed
C000003      no_eligible_choice                   6                 not placed
C000004      no_eligible_choice                   5                 not placed
C000005      no_eligible_choice                   5                 not placed
C000006      no_choices                           3                 not placed
C000007      P00005              open             4      1          placed
C000008      P00006              open             2      1          placed
C000009      no_choices                           4                 not placed
C000010      no_eligible_choice                   2                 not placed
C000011      no_choices                           7                 not placed
C000012      no_choices                           2                 not placed
C000013      no_eligible_choice                   4                 not placed
C000014      P00007              open             7      3          placed
C000015      P00005              open             4      2          placed

Offer C000007 the placement proposed in run 1? y: offer  other: no
?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys y
tui_wait_for 'offered from run 1' || true
is "$(W show candidate C000007 --format csv | tr -d '\r' | sed -n 2p | cut -d, -f2,31)" "offered,P00005" \
   "the candidate is offered the proposed placement"

tui_keys C-o y
tui_wait_for 'offered from run 1' || true
tui_screen_is "^O offers every other placed candidate" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
Run 1, work experience, TIME by USER; policy default, seed 7
Placed 11 of 40 candidates (22 seats); priority group (score 3+): 8 of 31 placed
Without priority or reserves (counterfactual): 9 placed, priority group 6 placed

candidate    placement or why not seat         score choice          no priority
C000001      no_eligible_choice                   7                 not placed
C000002      no_choices                           4                 not placed
C000003      no_eligible_choice                   6                 not placed
C000004      no_eligible_choice                   5                 not placed
C000005      no_eligible_choice                   5                 not placed
C000006      no_choices                           3                 not placed
C000007      P00005              open             4      1  offered placed
C000008      P00006              open             2      1  offered placed
C000009      no_choices                           4                 not placed
C000010      no_eligible_choice                   2                 not placed
C000011      no_choices                           7                 not placed
C000012      no_choices                           2                 not placed
C000013      no_eligible_choice                   4                 not placed
C000014      P00007              open             7      3  offered placed
C000015      P00005              open             4      2  offered placed

10 offered from run 1
?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF
run W list candidate --where status=offered --format csv
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l | tr -d ' ')" 11 "all 11 placed candidates are offered"

tui_keys q A y
tui_screen_is "A: an ambassador run, recorded and reviewed" "$norm" <<'EOF'
 wexmatch  1 Candidates   2 Placements   3 Ambassadors   4 Requests  [5 Runs]
Run 2, ambassadors, TIME by USER; policy default
0 of 9 places filled; 0 of 4 requests served; 0.0 km in all
Ambassadors taking part: 4; eligible pairs: 0

request        #  ambassador   tier   distance  reason
R00001         0  -               1          -  no_eligible
R00001         1  -               1          -  no_eligible
R00001         2  -               1          -  no_eligible
R00002         0  -               1          -  no_eligible
R00003         0  -               1          -  no_eligible
R00003         1  -               1          -  no_eligible
R00003         2  -               1          -  no_eligible
R00004         0  -               1          -  no_eligible
R00004         1  -               1          -  no_eligible







Run 2 recorded: it proposes; ambassadors are invited outside wexmatch.
?:help Enter:open r:match A:ambassadors O:offer ^O:offer all q:quit
EOF

tui_keys q r y
tui_wait_for '^Run 3, work experience' || true
like "$(tui_screen)" '^Run 3, work experience, .* policy default, seed [0-9]' "r: a work-experience run from the TUI"
like "$(tui_screen)" '^Run 3 recorded: it proposes' "recorded, and said so"
run W runs --format csv
like "$out" '^3,[^,]*,[^,]*,work_experience,[0-9]+,' "the command line sees the TUI's run"

tui_keys q q
tui_gone
is "$tui_rc" 0 "q quits with status 0"

done_testing
