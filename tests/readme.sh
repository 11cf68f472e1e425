#!/bin/sh
# Run every "    $ command" line of README.md's walkthrough from the repo
# root; each must exit 0 and print something.
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
tmp=$(mktemp)
sed -n 's/^    \$ //p' README.md > "$tmp.cmds"
while IFS= read -r cmd; do
	if out=$(bash -o pipefail -c "$cmd" 2>&1) && [ -n "$out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "README walkthrough failed: $cmd"
		echo "$out" | head -20
	fi
done < "$tmp.cmds"
rm -f "$tmp" "$tmp.cmds"
echo "readme: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
