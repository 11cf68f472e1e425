#!/bin/sh
# tests/web/run.sh [DAEMON] - the web page end to end in real headless
# Chromium: start DAEMON (default build/mmlabd) in memory on a free port,
# drive the page with tests/web/test.mjs, leave screenshots of every view
# at 1280x800 and 390x844 in build/web-artifacts/.
#
# Installs what is missing: Debian's chromium and nodejs/npm (apt-get),
# playwright-core and axe-core from npm into tests/web/node_modules
# (package-lock.json).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
MMLABD=${1:-$root/build/mmlabd}
case $MMLABD in /*) ;; *) MMLABD=$root/$MMLABD ;; esac
artifacts=${WEB_ARTIFACTS:-$root/build/web-artifacts}
# the exercises' right answers, for the test only (the page never has them)
MMLAB_CLI=${MMLAB_CLI:-$root/build/mmlab}
if [ ! -x "$MMLAB_CLI" ]; then
	echo "web: $MMLAB_CLI is missing (make build/mmlab)"
	exit 1
fi
instructor=web-test-instructor-token-0123

need=""
[ -x /usr/bin/chromium ] || need="$need chromium fonts-dejavu-core"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
	echo "web: installing$need"
	# shellcheck disable=SC2086 # one word a package
	mm_install $need
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ] ||
   [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
	echo "web: installing playwright-core and axe-core"
	(cd "$here" && npm ci --no-audit --no-fund --silent)
fi

mkdir -p "$artifacts"
mm_setup web
log=$TMP/daemon.log
mm_start web "$log" --in-memory --web "$root/web" --instructor-token "$instructor" || exit 1

status=0
MMLAB_CLI=$MMLAB_CLI MMLAB_TEST_INSTRUCTOR=$instructor \
	node "$here/test.mjs" "$B/" "$artifacts" || status=$?
if [ $status -ne 0 ]; then
	echo "web: the daemon's log (last lines):"
	tail -n 20 "$log"
fi
exit $status
