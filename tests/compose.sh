#!/bin/sh
# tests/compose.sh MMLABD - deploy/compose.yaml and compose.scaleout.yaml
# pass every variable of mmlabd --help, and the defaults they spell out
# are the daemon's own.
#
# A teacher sets limits in .env beside compose.yaml; compose hands a
# container only the variables its environment block names, so one left
# out there is silently dropped.  No engine is needed: the file is read
# as text (docker.sh checks it with docker-compose where that runs).
#
# Left out on purpose, because the image fixes them: MMLAB_LISTEN (the
# port mapping targets 8080), MMLAB_DATA (the volume's mount point) and
# MMLAB_WEB (where the image installs the page).  The scale-out file
# fixes three more (FIXED below): each daemon's MMLAB_NODE, and the
# per-address limits, which nginx keeps there.
set -u
BIN=${1:?usage: tests/compose.sh MMLABD}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

help=$("$BIN" --help) || { echo "FAIL: $BIN --help"; exit 1; }
# "  --flag V   text (DEFAULT)" then "  [MMLAB_X]": pair each variable
# with its help line's last parenthesis
pairs=$(printf '%s\n' "$help" | awk '
	/^ +\[MMLAB_[A-Z_]*\]$/ {
		v = $1; gsub(/[][]/, "", v)
		d = ""
		if (match(prev, /\([^()]*\)$/))
			d = substr(prev, RSTART + 1, RLENGTH - 2)
		print v "\t" d
	}
	{ prev = $0 }')
n=$(printf '%s\n' "$pairs" | grep -c MMLAB_)
[ "$n" -ge 30 ] && ok || bad "--help lists only $n variables"

tab=$(printf '\t')
list=${TMPDIR:-/tmp}/compose.$$
printf '%s\n' "$pairs" > "$list"
check_file() { # FILE FIXED...
	file=$1
	shift
	fixed=" $* "
	while IFS="$tab" read -r var def; do
		case $var in MMLAB_LISTEN|MMLAB_DATA|MMLAB_WEB) continue ;; esac
		line=$(grep -E "^ +$var: " "$file" | head -n 1)
		if [ -z "$line" ]; then
			bad "$file does not pass $var (a .env setting of it is dropped)"
			continue
		fi
		# MMLAB_X: ${MMLAB_X:-DEFAULT} or ${MMLAB_X:?message}
		case $line in
		*"\${$var:?"*) ok; continue ;;
		*"\${$var:-"*) ;;
		*)
			case $fixed in
			*" $var "*) ok ;;
			*) bad "$file sets $var without reading \${$var}: $line" ;;
			esac
			continue ;;
		esac
		given=${line#*:-}
		given=${given%\}}
		# an empty default leaves the daemon's own (an empty variable is unset)
		if [ -n "$given" ] && [ "$given" != "$def" ]; then
			bad "$file defaults $var to '$given'; mmlabd's default is '$def'"
		else
			ok
		fi
	done < "$list"
}
check_file deploy/compose.yaml
check_file deploy/compose.scaleout.yaml MMLAB_NODE MMLAB_RATE MMLAB_MAX_CONNECTIONS_PER_IP
rm -f "$list"

echo "compose: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
