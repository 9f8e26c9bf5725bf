#!/bin/bash
# match.sh: match, runs, run show, explain, offer and match --ambassadors on
# a small trust whose every outcome is worked out by hand below: the gates
# (age, week, distance, not open, one placement a year), a soft reserve, a
# non-member in a spare reserved seat, the reasons, offers and what a later
# run makes of them.
. "$(dirname "$0")/lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
exit_is 0 "init" W init

# The default policy reserves 0.25 of each placement for wp (care
# experienced, NEET or returners).
# P1: 3 seats, week 20, min age 14; one taken by C8 (confirmed) leaves 2:
#     1 reserved for wp (round half up of 2 x 0.25 = 0.5) and 1 open.
# P2: 1 seat, week 22, min age 16, in York: 0 reserved (0.25 rounds to 0).
# P3: a draft.  P4: nursing, 1 seat, week 30.
cat >"$T/placements.csv" <<'EOF'
id,status,title,department,profession,min_age,site_postcode,week,capacity
P1,open,Radiography taster,Imaging,radiography,14,LS1 3EX,2027-W20,3
P2,open,Radiography in York,Imaging,radiography,16,YO1 7HH,2027-W22,1
P3,draft,Radiography draft,Imaging,radiography,14,LS1 3EX,2027-W20,1
P4,open,Ward week,Nursing,nursing,14,LS1 3EX,2027-W30,1
EOF
# Scores under the default policy: C1 care experienced + free school meals
# = 7 (the one wp member); C2 free school meals = 3; the rest 0.  At P1 the
# open seat takes C1 and the reserved one, no other member applying, the
# best of the rest: C2, a non-member in a spare reserved seat.
cat >"$T/candidates.csv" <<'EOF'
id,status,applied_at,given_name,family_name,date_of_birth,route,choices,interests,available_weeks,max_travel_km,postcode,care_experienced,fsm,prior_experience,placement
C1,received,2027-01-05T10:00:00Z,Ann,One,2010-01-01,school,P1,,,,LS1 3EX,yes,yes,yes,
C2,received,2027-01-06T10:00:00Z,Bea,Two,2011-06-01,school,P2;P1,,,,LS1 3EX,no,yes,yes,
C3,eligible,2027-01-01T10:00:00Z,Cal,Three,2010-01-01,school,P1,,,,LS1 3EX,no,no,yes,
C4,received,2027-01-02T10:00:00Z,Dee,Four,2010-01-01,school,P3,,,,LS1 3EX,no,no,yes,
C5,received,2027-01-03T10:00:00Z,Eve,Five,2010-01-01,school,,nursing,2027-W30,,LS1 3EX,no,no,yes,
C6,received,2027-01-04T10:00:00Z,Fay,Six,2010-01-01,school,,dietetics,,,LS1 3EX,no,no,yes,
C7,received,2027-01-07T10:00:00Z,Gus,Seven,2010-01-01,school,P2,,,10,LS6 2QB,no,no,yes,
C8,confirmed,2026-12-01T10:00:00Z,Hal,Eight,2010-03-03,school,,,,,LS1 3EX,no,no,yes,P1
C9,received,2027-01-08T10:00:00Z,Hal,Eight,2010-03-03,school,P1,,,,LS1 3EX,no,no,yes,
EOF
exit_is 0 "import placements" W import placement "$T/placements.csv"
exit_is 0 "import candidates" W import candidate "$T/candidates.csv"
cp -r "$db" "$T/nogeo"

cat >"$T/geo.csv" <<'EOF'
postcode,latitude,longitude
LS1 3EX,53.797,-1.549
LS6 2QB,53.821,-1.573
YO1 7HH,53.959,-1.081
EOF
exit_is 0 "geo import" W geo import "$T/geo.csv"

expected='candidate_id,placement_id,slot,score,choice_rank,reason
C1,P1,open,7,1,placed
C2,P1,reserve:wp,3,2,placed
C3,,none,0,,outranked
C4,,none,0,,no_eligible_choice
C5,P4,open,0,1,placed
C6,,none,0,,no_choices
C7,,none,0,,no_eligible_choice
C9,,none,0,,no_eligible_choice'

run W match --dry-run --seed 1 --format csv
is "$rc" 0 "match --dry-run: exit 0"
is "$(tr -d '\r' <<<"$out")" "$expected" "every outcome as worked out by hand"
like "$err" "dry run \(not recorded\): 3 of 8 candidates placed in 3 placements; blocking pairs 0, wasted seats 0" \
     "a summary on stderr"
unlike "$err" "postcode lookup" "no note about distances when the lookup locates everyone"
run W runs --format csv
is "$(tr -d '\r' <<<"$out")" "run,time,user,kind,candidates,placed,offered,requests,filled,policy_version,seed" \
   "a dry run records nothing"

run W match --seed 1 --format csv
is "$(tr -d '\r' <<<"$out")" "$expected" "the recorded run gives the same"
first="$out"
run W match --seed 1 --format csv
is "$out" "$first" "same data, policy and seed: the same bytes"
run W match --seed 99 --format csv
is "$out" "$first" "no ties here, so another seed changes nothing"

run W match --seed 1 --format json
is "$rc" 0 "JSON output"
like "$out" '^\{"run": \{"id":4,"kind":"work_experience",' "a run object first"
like "$out" '"seed":1,' "with the seed"
like "$out" '"policy_version":null,"policy_source":"default"' "and the policy it used"
like "$out" '"blocking_pairs":0,"wasted_seats":0' "and the checks"
like "$out" '"reserves":\[\{"name":"wp","share":"0.25","seats":1,"held":1,"held_by_members":0,"members":1,"members_placed":1' \
     "reserve fill per category"
like "$out" '"priority_group":\{"min_score":3,"candidates":2,"placed":2\}' "the priority group placed"
like "$out" '"counterfactual":\{"placed":3,"priority_group_placed":1' \
     "the counterfactual: without priority C3 (applied first) takes C2's seat"
like "$out" '\{"candidate_id":"C2","placement_id":"P1","slot":"reserve:wp","score":3,"choice_rank":2,"reason":"placed"\}' \
     "assignments with the CSV's fields"
like "$out" '\{"candidate_id":"C6","placement_id":null,"slot":"none","score":0,"choice_rank":null,"reason":"no_choices"\}' \
     "empty values are null"
if command -v python3 >/dev/null; then
	printf '%s' "$out" | python3 -m json.tool >/dev/null 2>&1
	is "$?" 0 "the JSON parses"
else
	skip "python3 is not installed: JSON not parsed"
fi

run W runs --format csv
is "$(tr -d '\r' <<<"$out" | sed 1d | cut -d, -f1,4-11)" "4,work_experience,8,3,0,0,0,,1
3,work_experience,8,3,0,0,0,,99
2,work_experience,8,3,0,0,0,,1
1,work_experience,8,3,0,0,0,,1" "runs: newest first, with what each placed"
run W run show 1 --format json
like "$out" '"inputs_digest": "[0-9a-f]{32}"' "run show: the inputs' digest"
like "$out" '"algorithm": "da-soft-reserves/1"' "and the algorithm version"
run W run show 2 --format json
d2=$(grep inputs_digest <<<"$out")
run W run show 3 --format json
isnt "$(grep inputs_digest <<<"$out")" "$d2" "another seed, another digest"
run W run show 1 --format json
is "$(grep inputs_digest <<<"$out")" "$d2" "the same inputs, the same digest"
run W run show 9
is "$rc" 1 "run show of a run that does not exist: exit 1"
like "$err" "no run 9" "and says so"

run W explain 1 C3
is "$rc" 0 "explain"
like "$out" "Result: not placed: every eligible placement on the list was filled" "C3: outranked"
like "$out" "1st: P1 \(Radiography taster, 2027-W20\): full\." "P1 was full"
like "$out" "open places: the last one admitted had priority score 7 .*; yours is 0: a higher score comes first" \
     "the open places' cutoff against C3's own priority"
like "$out" "places reserved for wp that its members did not need: the last one admitted had priority score 3 .*; yours is 0" \
     "the spare reserved place went to C2, ahead of C3"
run W explain 1 C2
like "$out" "Priority: free school meals: 3; total 3 \(cap 10\)" "the score in words"
like "$out" "placed at P1 .*the 2nd entry of the list, in a place reserved for wp" "where C2 went"
like "$out" "1st: P2 .*: too young on the placement's start date" "C2 was 15 on P2's start date"
run W explain 1 C7
like "$out" "1st: P2 .*: further away than the distance you can travel" "C7: York is beyond 10 km"
run W explain 1 C4
like "$out" "1st: P3 .*: not open" "C4: a draft placement"
run W explain 1 C9
like "$out" "1st: P1 .*: you already have a confirmed or completed placement that year" \
     "C9 is C8, who has a confirmed placement in 2027"
run W explain 1 C8
is "$rc" 1 "explain of a candidate who did not take part: exit 1"

# offers: C2 withdraws before the coordinator confirms
exit_is 0 "C2 withdraws" W edit candidate C2 status=withdrawn
run W offer 1 --all
is "$rc" 1 "offer --all with one that cannot be offered: exit 1"
like "$err" "C2: its status is now withdrawn, so it cannot be offered" "says which and why"
like "$err" "2 offered from run 1; 1 could not be" "the others are offered"
run W show candidate C1 --format csv
like "$out" ",offered,.*,P1"$'\r'"?$" "C1 is offered P1"
run W offer 1 C1
is "$rc" 1 "offering again: exit 1"
like "$err" "C1: was offered from this run already" "says so"
run W offer 1 C3
like "$err" "C3: was not placed in this run" "an unplaced candidate cannot be offered"
run W runs --format csv
like "$out" "1,[^,]*,[^,]*,work_experience,8,3,2," "the run counts its offers"

run W match --seed 1 --format csv --dry-run
is "$(tr -d '\r' <<<"$out")" 'candidate_id,placement_id,slot,score,choice_rank,reason
C3,P1,open,0,1,placed
C4,,none,0,,no_eligible_choice
C6,,none,0,,no_choices
C7,,none,0,,no_eligible_choice
C9,,none,0,,no_eligible_choice' "offered and withdrawn candidates take no part; C2's seat at P1 goes to C3"
exit_is 0 "record it" W match --seed 1 --format csv
run W offer 5 --all
is "$rc:$err" "0:1 offered from run 5" "offer the new run"
printf 'id,status,applied_at,given_name,family_name,date_of_birth,route,choices\nC10,received,2027-01-09T10:00:00Z,Ivy,Ten,2010-01-01,school,P1\n' >"$T/c10.csv"
exit_is 0 "a late candidate" W import candidate "$T/c10.csv"
exit_is 0 "another run" W match --seed 1 --format csv
run W explain 6 C10
like "$out" "1st: P1 .*: full\." "P1 is full"
like "$out" "no places were left" "with no seat left at all"

# without a postcode lookup the distance gate is skipped, and said so
run "$WEXMATCH" --db "$T/nogeo" match --dry-run --seed 1 --format csv
like "$err" "no postcode lookup loaded: distance gates skipped" "the run says distances were skipped"
like "$out" "C7,P2,open,0,1,placed" "and C7 gets York"

# a policy file: checked, used, recorded
printf '[priority]\ncap = 10\nfsm = 3\n[reserve wp]\nmembers = score>=3\nshare = 0.5\n[match]\nfill_order = reserve-first\n' >"$T/rf.pol"
run W match --dry-run --seed 1 --format json --policy "$T/rf.pol"
like "$out" '"policy_source":"file","policy_file":"[^"]*rf.pol","fill_order":"reserve-first"' \
     "--policy FILE is used and named"
printf '[priority]\ncap = ten\n' >"$T/bad.pol"
run W match --dry-run --policy "$T/bad.pol"
is "$rc" 1 "a bad policy file: exit 1"
like "$err" "bad.pol:2: " "with FILE:LINE"
run W match --seed x
is "$rc" 2 "a bad seed: usage error"

exit_is 0 "check: runs and offers leave the database clean" W check

# ---- ambassadors ----
cat >"$T/ambassadors.csv" <<'EOF'
id,status,given_name,family_name,email,professions,base_postcode,max_travel_km,virtual_ok,available_dates,max_events,dbs_expires,training_done
A1,active,Ada,Lovelace,a1@example.org,radiography,LS1 3EX,20,no,2027-03-01,1,2028-01-01,yes
A2,active,Bob,Hope,a2@example.org,nursing,LS6 2QB,20,yes,2027-03-01,2,2028-01-01,no
A3,paused,Cy,Young,a3@example.org,radiography,LS1 3EX,20,yes,2027-03-01,2,2028-01-01,yes
EOF
# R1 tier 1 (decile 1), R3 tier 2 (decile 3) both want A1 on 2027-03-01;
# R2 tier 3, virtual, asks for two: only A2 may go.
cat >"$T/requests.csv" <<'EOF'
id,status,school,postcode,imd_decile,fsm_pct,activity,date,virtual,professions,ambassadors_needed
R1,open,North High,LS6 2QB,1,10,talk,2027-03-01,no,radiography,1
R2,open,South High,YO1 7HH,9,5,virtual,2027-03-01,yes,,2
R3,open,East High,LS1 3EX,3,10,talk,2027-03-01,no,radiography,1
EOF
exit_is 0 "import ambassadors" W import ambassador "$T/ambassadors.csv"
exit_is 0 "import requests" W import request "$T/requests.csv"
run W match --ambassadors --format csv
is "$rc" 0 "match --ambassadors"
is "$(tr -d '\r' <<<"$out" | sed 's/,[0-9]*\.[0-9],/,KM,/')" 'request_id,ambassador_id,tier,distance_km,reason
R1,A1,1,KM,filled
R2,A2,3,KM,filled
R2,,3,,no_eligible
R3,,2,,taken_by_higher_tier' "each place: filled, or why not"
like "$out" "R2,A2,3,0.0,filled" "a virtual event is no distance"
like "$err" "run 7: 2 of 4 places filled \(tier 1: 1 of 1, tier 2: 0 of 1, tier 3: 1 of 2\); 2 of 3 requests served" \
     "a summary"
run W runs --format csv
like "$out" "7,[^,]*,[^,]*,ambassadors,0,0,0,3,2," "recorded as an ambassador run"
run W offer 7 --all
is "$rc" 1 "an ambassador run has no offers"

# a lookup with IMD deciles fills a missing one: C7 lives in decile 1
cat >"$T/geo2.csv" <<'EOF'
postcode,latitude,longitude,imd_decile
LS1 3EX,53.797,-1.549,6
LS6 2QB,53.821,-1.573,1
YO1 7HH,53.959,-1.081,5
EOF
exit_is 0 "geo import with deciles" W geo import "$T/geo2.csv"
run W match --dry-run --seed 1 --format json
like "$out" '"imd_from_lookup":[1-9]' "the run says deciles came from the lookup"
like "$out" '"candidate_id":"C7","placement_id":null,"slot":"none","score":3,' \
     "C7's area is decile 1: 3 points (imd_decile<=2)"
exit_is 0 "record a run" W match --seed 1 --format csv
run W explain 8 C7
like "$out" "area deprivation decile from the postcode lookup" "explain says where the decile came from"

done_testing
