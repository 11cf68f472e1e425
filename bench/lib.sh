#!/bin/sh
# bench/lib.sh - what the benchmarks share, on top of the tests' harness
# (tests/lib.sh: mm_wait_listening ...).  Sourced after the script has
# defined err() and made $TMP.

. "$(dirname "$0")/../tests/lib.sh"

# keepalive NAME CURL-ARGS...: two requests on one connection; both must
# be 2xx, the second must reuse the connection, neither may say close.
keepalive() {
	name=$1; shift
	curl -sv -o /dev/null -o /dev/null "$@" >"$TMP/ka.out" 2>&1
	n2xx=$(grep -c '^< HTTP/1\.1 2[0-9][0-9]' "$TMP/ka.out")
	if [ "$n2xx" -ne 2 ]; then
		err "keep-alive check ($name): expected two 2xx answers"
		cat "$TMP/ka.out" >&2
	elif grep -qi '^< connection: *close' "$TMP/ka.out"; then
		err "keep-alive lost ($name): the daemon answered Connection: close"
		grep -i '^< connection' "$TMP/ka.out" >&2
	elif ! grep -qi 're-using existing connection' "$TMP/ka.out"; then
		err "keep-alive lost ($name): curl did not reuse the connection"
	fi
}

# ms VALUE: wrk's "430.00us", "1.04ms", "1.20s" in milliseconds
ms() {
	echo "$1" | awk '{ v = $1 + 0
		if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0;
		else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000;
		printf "%.3f", v }'
}
