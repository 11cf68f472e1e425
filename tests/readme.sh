#!/bin/sh
# Run README.md's and docs/*.md's walkthroughs from the repo root, so
# they cannot rot.
#
# Every "    $ command" line outside a daemon block runs on its own and
# must exit 0 and print something; a file that has such lines must say
# that `make test` runs them.  The lines between
# "<!-- walkthrough: daemon -->" and "<!-- /walkthrough -->", in
# README.md only (such a block elsewhere is a failure), are one
# curl session against a real mmlabd: they run in order in one bash
# (set -e, pipefail), with the README's 127.0.0.1:8080 pointed at a
# daemon this script starts on a free port, with an instructor token the
# session has in $MMLAB_INSTRUCTOR_TOKEN (the README's teacher).  With
# MMLAB_URL=http://HOST:PORT only the daemon walkthrough runs, against that
# daemon, whose token the caller gives in MMLAB_INSTRUCTOR_TOKEN
# (tests/docker.sh).
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
MMLABD=${1:-build/mmlabd}
mm_setup readme

DOCS="README.md $(ls docs/*.md)"
awk 'FNR == 1 { d = 0 }
     /<!-- walkthrough: daemon -->/ && FILENAME != "README.md" {
	print FILENAME ": a daemon walkthrough belongs in README.md" > E }
     /<!-- walkthrough: daemon -->/ { d = 1; next }
     /<!-- \/walkthrough -->/ { d = 0; next }
     /^    \$ / { sub(/^    \$ /, ""); print > (d ? D : C) }' \
	D="$TMP/daemon.cmds" C="$TMP/cli.cmds" E="$TMP/errors" $DOCS
for f in $DOCS; do
	grep -q '^    \$ ' "$f" && ! grep -q 'starts with `\$ ` is run by `make test`' "$f" &&
		echo "$f: has \`\$ \` lines but does not say \`make test\` runs them" >> "$TMP/errors"
done
if [ -s "$TMP/errors" ]; then
	while IFS= read -r e; do bad "$e"; done < "$TMP/errors"
	: > "$TMP/daemon.cmds"
fi
[ -n "$MMLAB_URL" ] && : > "$TMP/cli.cmds"

while IFS= read -r cmd; do
	if out=$(bash -o pipefail -c "$cmd" 2>&1) && [ -n "$out" ]; then
		ok
	else
		bad "walkthrough failed: $cmd"
		echo "$out" | head -20
	fi
done < "$TMP/cli.cmds"

if [ -s "$TMP/daemon.cmds" ] && [ -n "$MMLAB_URL" ]; then
	addr=${MMLAB_URL#http://}
	addr=${addr%/}
elif [ -s "$TMP/daemon.cmds" ]; then
	# (if it does not start, that is the failure: no walkthrough)
	MMLAB_INSTRUCTOR_TOKEN=readme-teacher-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	mm_start daemon "$TMP/daemon.log" --data "$TMP/data" --quiet \
		--instructor-token "$MMLAB_INSTRUCTOR_TOKEN" ||
		: > "$TMP/daemon.cmds"
	addr=$ADDR
fi
if [ -s "$TMP/daemon.cmds" ]; then
	n=$(wc -l < "$TMP/daemon.cmds")
	{ echo 'set -e -o pipefail'; echo "cd '$TMP'";
	  echo "export MMLAB_INSTRUCTOR_TOKEN='$MMLAB_INSTRUCTOR_TOKEN'";
	  sed "s/127\.0\.0\.1:8080/$addr/g" "$TMP/daemon.cmds"; } > "$TMP/daemon.sh"
	if (cd "$TMP" && bash "$TMP/daemon.sh") > "$TMP/daemon.out" 2>&1; then
		[ -n "$README_SHOW" ] && cat "$TMP/daemon.out"
		passed=$((passed + n))
	else
		bad "README daemon walkthrough failed (daemon at $addr):"
		tail -30 "$TMP/daemon.out"
	fi
fi
summary "readme: " && [ "$passed" -gt 0 ]
