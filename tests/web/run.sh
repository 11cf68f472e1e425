#!/bin/sh
# tests/web/run.sh [DAEMON] - the web page end to end in real headless
# Chromium: start DAEMON (default build/mmlabd) in memory on a free port,
# drive the page with tests/web/test.mjs, leave screenshots of every view
# at 1280x800 and 390x844 in build/web-artifacts/.
#
# Installs what is missing: Debian's chromium and nodejs/npm (apt-get),
# playwright-core from npm into tests/web/node_modules (package-lock.json).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
daemon=${1:-$root/build/mmlabd}
case $daemon in /*) ;; *) daemon=$root/$daemon ;; esac
artifacts=${WEB_ARTIFACTS:-$root/build/web-artifacts}

need=""
[ -x /usr/bin/chromium ] || need="$need chromium fonts-dejavu-core"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
	echo "web: installing$need"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
	echo "web: installing playwright-core"
	(cd "$here" && npm ci --no-audit --no-fund --silent)
fi

mkdir -p "$artifacts"
log=$(mktemp)
"$daemon" --listen 127.0.0.1:0 --in-memory --web "$root/web" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT INT TERM

port=""
i=0
while [ $i -lt 100 ]; do
	port=$(sed -n 's|^mmlabd: listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -n 1)
	[ -n "$port" ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.05
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "web: the daemon did not start:"
	cat "$log"
	exit 1
fi

status=0
node "$here/test.mjs" "http://127.0.0.1:$port/" "$artifacts" || status=$?
if [ $status -ne 0 ]; then
	echo "web: the daemon's log (last lines):"
	tail -n 20 "$log"
fi
exit $status
