#!/bin/sh
# Run README.md's walkthroughs from the repo root, so they cannot rot.
#
# Every "    $ command" line outside a daemon block runs on its own and
# must exit 0 and print something.  The lines between
# "<!-- walkthrough: daemon -->" and "<!-- /walkthrough -->" are one
# curl session against a real mmlabd: they run in order in one bash
# (set -e, pipefail), with the README's 127.0.0.1:8080 pointed at a
# daemon this script starts on a free port.  With MMLAB_URL=http://HOST:PORT
# only the daemon walkthrough runs, against that daemon (tests/docker.sh).
cd "$(dirname "$0")/.." || exit 1
MMLABD=${1:-build/mmlabd}
pass=0 fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmlab-readme.XXXXXX") || exit 1
dpid=
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

awk '/<!-- walkthrough: daemon -->/ { d = 1; next }
     /<!-- \/walkthrough -->/ { d = 0; next }
     /^    \$ / { sub(/^    \$ /, ""); print > (d ? D : C) }' \
	D="$tmp/daemon.cmds" C="$tmp/cli.cmds" README.md
[ -n "$MMLAB_URL" ] && : > "$tmp/cli.cmds"

while IFS= read -r cmd; do
	if out=$(bash -o pipefail -c "$cmd" 2>&1) && [ -n "$out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "README walkthrough failed: $cmd"
		echo "$out" | head -20
	fi
done < "$tmp/cli.cmds"

if [ -s "$tmp/daemon.cmds" ] && [ -n "$MMLAB_URL" ]; then
	addr=${MMLAB_URL#http://}
	addr=${addr%/}
elif [ -s "$tmp/daemon.cmds" ]; then
	"$MMLABD" --listen 127.0.0.1:0 --data "$tmp/data" --quiet \
		2>"$tmp/daemon.log" &
	dpid=$!
	i=0
	until grep -q 'listening on' "$tmp/daemon.log"; do
		i=$((i + 1))
		[ $i -gt 200 ] && break
		sleep 0.05
	done
	addr=$(sed -n 's/.*listening on http:\/\/\([^/]*\)\/.*/\1/p' "$tmp/daemon.log")
fi
if [ -s "$tmp/daemon.cmds" ]; then
	n=$(wc -l < "$tmp/daemon.cmds")
	{ echo 'set -e -o pipefail'; echo "cd '$tmp'";
	  sed "s/127\.0\.0\.1:8080/$addr/g" "$tmp/daemon.cmds"; } > "$tmp/daemon.sh"
	if (cd "$tmp" && bash "$tmp/daemon.sh") > "$tmp/daemon.out" 2>&1; then
		[ -n "$README_SHOW" ] && cat "$tmp/daemon.out"
		pass=$((pass + n))
	else
		fail=$((fail + 1))
		echo "README daemon walkthrough failed (daemon at $addr):"
		tail -30 "$tmp/daemon.out"
	fi
fi
echo "readme: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
