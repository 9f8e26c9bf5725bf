#!/bin/bash
# tui-terminal.sh: the TUI and the terminal: too small, resize, monochrome
# and NO_COLOR, hostile names shown escaped (ESC sequences, \r, \b, U+202E
# cannot move the cursor or repaint), wide and combining characters aligned
# by display width, a non-UTF-8 locale in ASCII, Ctrl-Z and fg.
. "$(dirname "$0")/tui-lib.sh"

db="$T/db"
W() { "$WEXMATCH" --db "$db" "$@"; }
W init >/dev/null || { echo "Bail out! cannot make the database"; exit 1; }
add() { W add candidate --keep-unknown date_of_birth=2010-01-01 route=school \
	applied_at=2027-01-01T09:00Z "$@" >/dev/null 2>&1 || echo "# add failed: $*"; }
add id=C1 given_name=Zoë family_name=Şükrü
add id=C2 given_name=王芳 family_name=Siobhán
add id=C3 given_name=$'Zoe\xcc\x88' family_name=$'Nguye\xcc\x82\xcc\x83n'
add id=C4 given_name=Eve family_name=Hostile $'alias=\e[2J\e[31mRED\rX\bY\xe2\x80\xaeevil'

# forms with the extra field as a list column: an older database's field
cp -R "$WX_SRCDIR/forms" "$T/forms"
chmod -R u+w "$T/forms"
sed -i -e '/^list_column = yes$/d' -e '/^list_width/d' \
	-e 's/^\[field \(id\|given_name\)\]$/&\nlist_column = yes\nlist_width = 12/' "$T/forms/candidate"
printf '\n[field alias]\nlabel = Alias\ntype = text\nlist_column = yes\nlist_width = 50\n' \
	>>"$T/forms/candidate"

tui_start -s 70x20 -- --db "$db"
tui_screen_is "below 80x24: says the terminal is too small" <<'EOF'
The terminal is too small (70x20).
wexmatch needs at least 80x24.
q: quit
EOF

tui_resize 80 24
tui_screen_is "resized to 80x24: the list, redrawn whole" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C1          received        Zoë           Şükrü            school
C2          received        王芳          Siobhán          school
C3          received        Zoë           Nguyễn           school
C4          received        Eve           Hostile          school
















4 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF

tui_resize 90 12
tui_screen_is "resized to 90x12: too small again (lines)" <<'EOF'
The terminal is too small (90x12).
wexmatch needs at least 80x24.
q: quit
EOF

tui_resize 80 24
tui_keys q
tui_gone

tui_start -- --db "$db" --forms "$T/forms"
tui_screen_is "a hostile value in a list column is shown escaped; nothing else on screen moves" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candidate~ ^  Given name    Alias
C1            Zoë
C2            王芳
C3            Zoë
C4            Eve           \e[2J\e[31mRED\rX\x08Y\u{202E}evil
















4 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF
unlike "$(tui_screen_attrs)" $'\e\\[31m' "the value's colour sequence never reaches the terminal"
tui_keys G Enter End
tui_screen_is "the record view shows the field escaped" 's/saved by [^ ]* at [0-9T:Z-]*/saved by USER at TIME/' <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Your circumstances
  Care experienced        :
  Free school meals       :
  Young or adult carer    :
  Estranged               :
  First in family to high~:
  Refugee or asylum seeker:
  Service family          :
  Disability (for priorit~:
  Previous work experience:
  Area deprivation decile :

Checks before the placement
  Parental consent        :
  Occupational health cle~:
  Confidentiality agreeme~:
  DBS check               :

Placement
  Placement offered       :
  Alias                   : \e[2J\e[31mRED\rX\x08Y\u{202E}evil

?:help a:add e:edit d:delete h:history q:quit
EOF
tui_keys q q
tui_gone

tui_start -- --db "$db"
tui_keys G Enter End
tui_screen_is "with the shipped forms the value is an extra field, shown escaped" 's/saved by [^ ]* at [0-9T:Z-]*/saved by USER at TIME/' <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
  Free school meals       :
  Young or adult carer    :
  Estranged               :
  First in family to high~:
  Refugee or asylum seeker:
  Service family          :
  Disability (for priorit~:
  Previous work experience:
  Area deprivation decile :

Checks before the placement
  Parental consent        :
  Occupational health cle~:
  Confidentiality agreeme~:
  DBS check               :

Placement
  Placement offered       :

Extra fields (not in the form)
  alias                   : \e[2J\e[31mRED\rX\x08Y\u{202E}evil  (extra field)

?:help a:add e:edit d:delete h:history q:quit
EOF
tui_keys q q
tui_gone

tui_start NO_COLOR=1 -- --db "$db"
tui_wait_for '^C1 ' || true
attrs=$(tui_screen_attrs)
unlike "$attrs" $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)' "NO_COLOR: no colour at all"
like "$attrs" $'^\e\\[[0-9;]*7m(\e\\[[0-9;]*m)*C1 ' "NO_COLOR: the selected row in reverse video"
tui_keys q
tui_gone

tui_start -- --db "$db"
tui_wait_for '^C1 ' || true
like "$(tui_screen_attrs)" $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+)m' "with colours: the colour scheme"
tui_keys q
tui_gone

tui_start LC_ALL=C -- --db "$db"
tui_screen_is "a non-UTF-8 locale: ASCII, one ? per character, columns aligned" <<'EOF'
 wexmatch [1 Candidates]  2 Placements   3 Ambassadors   4 Requests   5 Runs
Candida~ ^  Status          Given name    Family name      Route
C1          received        Zo?           ??kr?            school
C2          received        ??            Siobh?n          school
C3          received        Zoe?          Nguye??n         school
C4          received        Eve           Hostile          school
















4 candidates
?:help /:filter o:open a:add e:edit d:delete h:history s:sort m:match q:quit
EOF
tui_keys q
tui_gone

# Ctrl-Z and fg from a shell, then the terminal is left as it was
tm new-session -d -s sh -x 80 -y 24 "env -i HOME=$HOME PATH=$PATH TERM=$TUI_TERM LC_ALL=$TUI_UTF8 PS1='$ ' bash --norc --noprofile"
tm set-option -t sh status off >/dev/null
tui_use sh
tui_type "$WEXMATCH --db $db"
tui_keys Enter
tui_wait_for '^C1 ' || true
tui_keys C-z
if tui_wait_for 'Stopped'; then ok "Ctrl-Z: back at the shell, wexmatch stopped"; else not_ok "Ctrl-Z: back at the shell"; tui_screen | sed 's/^/# /'; fi
tui_keys C-l
tui_type fg
tui_keys Enter
if tui_wait_for '^C4 '; then ok "fg: the list is drawn again"; else not_ok "fg: the list is drawn again"; tui_screen | sed 's/^/# /'; fi
tui_keys q
tui_type 'echo "done-$((40+2))"'
tui_keys Enter
if tui_wait_for '^done-42$'; then ok "after quitting the shell echoes and reads lines again"; else not_ok "the terminal is left as it was"; tui_screen | sed 's/^/# /'; fi

done_testing
