#!/bin/bash
# policy.sh: policy show, check and set: the shipped default, every problem
# as FILE:LINE, versions kept with who set them, nothing stored from a bad file.
. "$(dirname "$0")/lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
exit_is 0 "init" W init

run W policy show
is "$rc" 0 "policy show with no policy set"
is "$(head -n 1 <<<"$out")" "# the shipped default policy (none has been set)" "says it is the default"
like "$out" "^care_experienced *= *4" "domain.md's points: care experienced 4"
like "$out" "^cap *= *10" "capped at 10"
tail -n +2 <<<"$out" >"$T/default.pol"

run W policy check "$T/default.pol"
is "$rc" 0 "the default policy checks clean"
like "$err" "default.pol: a valid policy: .* cap 10, .*fill order open-first$" "and is described"

printf '[priority]\ncap = 10\nfsm = 3\nethnicity = 2\nroute=NEET = 3\nnickname = 1\n[reserve wp]\nmembers = score>=3\nshare = 1.5\n' >"$T/bad.pol"
run W policy check "$T/bad.pol"
is "$rc" 1 "a bad policy: exit 1"
like "$err" "^$T/bad.pol:4: ethnicity: .*equality-monitoring answer.*never used for priority" \
     "an equality answer can never reach ranking"
like "$err" "^$T/bad.pol:5: route=NEET: never holds: records store 'NEET' as 'neet' \(expected route=neet\)$" \
     "a value the form would store otherwise"
like "$err" "^$T/bad.pol:6: nickname: " "a field the form does not define"
like "$err" "^$T/bad.pol:9: share '1.5' is out of range \(expected a decimal above 0 and at most 1, such as 0.5\)$" \
     "a share above 1"

run W policy set "$T/bad.pol"
is "$rc" 1 "policy set refuses a bad policy"
run W policy show
is "$(head -n 1 <<<"$out")" "# the shipped default policy (none has been set)" "and stores nothing"

sed 's/^fsm *= *3/fsm = 2/' "$T/default.pol" >"$T/v2.pol"
run W policy set "$T/default.pol"
is "$rc:$err" "0:policy version 1 set" "policy set stores version 1"
run W policy set "$T/v2.pol"
is "$rc:$err" "0:policy version 2 set" "and the next one as version 2"
run W policy show
like "$(head -n 1 <<<"$out")" "^# policy version 2, set by [^ ]+ at 20[0-9-]+T[0-9:]+Z$" "show: the latest, who and when"
is "$(tail -n +2 <<<"$out")" "$(cat "$T/v2.pol")" "and its text exactly"
run W policy show --version 1
is "$(tail -n +2 <<<"$out")" "$(cat "$T/default.pol")" "show --version 1: the first one"
run W policy show --version 3
is "$rc:$err" "1:wexmatch: policy: no version 3" "show of a version that does not exist"
exit_is 2 "policy with no action: exit 2" W policy
exit_is 2 "an unknown action: exit 2" W policy frob
run W check
is "$rc" 0 "check is clean"
like "$out" "3 audit entries" "each policy set is audited"

done_testing
