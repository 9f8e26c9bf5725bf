#!/bin/bash
# geo.sh: the postcode lookup: import (ONS column names too, rows without a
# location skipped, all or nothing), lookup with the outward-code fallback,
# great-circle distances.
. "$(dirname "$0")/lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
exit_is 0 "init" W init

# Leeds General Infirmary, St James's, and Bradford Royal Infirmary areas
cat >"$T/geo.csv" <<'CSV'
pcds,lat,long,osward,imd_decile
LS1 3EX,53.801870,-1.551760,E05001420,2
LS9 7TF,53.806910,-1.519530,E05001425,1
BD9 6RJ,53.806540,-1.796370,E05001352,
LS6,53.819000,-1.573000,E05001415,4
ZZ99 9ZZ,99.999999,0.000000,,
CSV
run W geo import "$T/geo.csv"
is "$rc" 0 "geo import of an ONS-style extract"
like "$err" "5 rows read, 4 locations stored" "rows without a location are skipped"

run W geo lookup "ls1 3ex" "LS9 7TF"
is "$rc" 0 "lookup of two postcodes (any case and spacing)"
is "$out" "postcode,latitude,longitude,imd_decile
ls1 3ex,53.801870,-1.551760,2
LS9 7TF,53.806910,-1.519530,1
distance_km,2.2" "their places and the great-circle distance"
run W geo lookup "LS1 3EX" "BD9 6RJ"
is "$(tail -n 1 <<<"$out")" "distance_km,16.1" "Leeds to Bradford: 16.1 km (0.2446 degrees of longitude at 53.8 N)"
run W geo lookup "LS6 2AB"
is "$(sed -n 2p <<<"$out")" "LS6 2AB,53.819000,-1.573000,4" "an unknown postcode falls back to its outward code"
run W geo lookup "LS7 1AA"
is "$rc:$err" "1:wexmatch: LS7 1AA: not in the postcode lookup (load one with 'wexmatch geo import')" \
   "a postcode the lookup cannot place"

printf 'postcode,latitude,longitude\nLS1 3EX,53.8,-1.55\nnot a postcode,53.8,-1.5\nLS2 9JT,153.8,-1.5\nLS1 3EX,53.8,-1.55\n' >"$T/bad.csv"
run W geo import "$T/bad.csv"
is "$rc" 1 "a bad extract: exit 1"
like "$err" "^$T/bad.csv:3: not a postcode: not a postcode or outward code" "a bad postcode"
like "$err" "^$T/bad.csv:4: latitude/longitude: '153.8,-1.5' \(expected decimal degrees" "a latitude out of range"
like "$err" "^$T/bad.csv:5: LS13EX: given twice" "a postcode twice"
run W geo lookup "LS9 7TF"
is "$rc" 0 "nothing of the bad extract was stored: the previous lookup is intact"
printf 'postcode,easting\nLS1 3EX,429000\n' >"$T/nocols.csv"
run W geo import "$T/nocols.csv"
is "$rc" 1 "an extract without coordinates"
like "$err" "needs postcode, latitude and longitude columns" "says which columns it needs"
exit_is 0 "check is clean" W check

done_testing
