#!/bin/sh
# daemon.sh - drive the real daemon over HTTP with curl and jq, as a
# student would: sh tests/daemon.sh build/test/mmlabd
#
# Each daemon is started on a port the kernel picks (--listen ...:0) and
# read back from its log.  Exits non-zero if any check failed; the last
# line is always "N passed, M failed".

MMLABD=${1:-build/test/mmlabd}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmlab-daemon.XXXXXX") || exit 1
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
passed=0
failed=0
H=$TMP/headers
O=$TMP/out

ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	echo "  status: $(cat "$TMP/status" 2>/dev/null)  body: $(head -c 400 "$O" 2>/dev/null)"
}

# start NAME ARGS... : start a daemon, set $B to its base URL and $PID
start() {
	name=$1
	shift
	log=$TMP/$name.log
	"$MMLABD" --listen 127.0.0.1:0 --data "$TMP/$name.data" "$@" 2>"$log" &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	while ! grep -q 'listening on' "$log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$PID" 2>/dev/null; then
			echo "FAIL: $name did not start: $(cat "$log")"
			failed=$((failed + 1))
			return 1
		fi
		sleep 0.05
	done
	B=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$log" | head -1)
}

# req METHOD PATH [CURL ARGS...] : status to $TMP/status, body to $O
req() {
	m=$1
	p=$2
	shift 2
	curl -s -o "$O" -D "$H" -w '%{http_code}' -X "$m" "$@" "$B$p" >"$TMP/status"
}

# expect STATUS DESCRIPTION : the last request's status
expect() {
	if [ "$(cat "$TMP/status")" = "$1" ]; then ok; else bad "$2: want $1"; fi
}

# jqis FILTER VALUE DESCRIPTION : jq -r FILTER of the body equals VALUE
jqis() {
	got=$(jq -r "$1" "$O" 2>/dev/null)
	if [ "$got" = "$2" ]; then ok; else bad "$3: $1 is '$got', want '$2'"; fi
}

# header NAME VALUE DESCRIPTION : the last response had the header
header() {
	if grep -qi "^$1: $2" "$H"; then ok; else bad "$3: no '$1: $2' in $(tr -d '\r' <"$H" | tr '\n' '|')"; fi
}

# --- a first machine ---------------------------------------------------------
start main || exit 1

req GET /healthz
expect 200 "healthz"
jqis .status ok "healthz status"

req POST /v1/machines -d '{"ram":"2G","name":"lab1"}'
expect 201 "create"
ID=$(jq -r .id "$O")
TOKEN=$(jq -r .token "$O")
AUTH="Authorization: Bearer $TOKEN"
jqis .name lab1 "create: name"
jqis '.layout.PAGE_OFFSET // .layout.page_offset' 0xc0000000 "create: layout"
header Location "/v1/machines/$ID" "create: Location"

req POST "/v1/machines/$ID/kmalloc" -H "$AUTH" -d '{"size":100}'
expect 200 "kmalloc"
jqis .addr 0xc2001000 "kmalloc: first object of kmalloc-128"

req GET "/v1/machines/$ID/translate?addr=0xc2001000" -H "$AUTH"
expect 200 "translate"
jqis .cr3 0x01e74000 "translate: cr3 is swapper_pg_dir"

req GET "/v1/machines/$ID/proc/meminfo" -H "$AUTH" -H 'Accept: text/plain'
expect 200 "meminfo as text"
if head -1 "$O" | grep -q '^MemTotal:        2060236 kB$'; then ok; else bad "meminfo text: MemTotal line"; fi

kill -TERM "$PID"
wait "$PID" 2>/dev/null
if [ $? -eq 0 ]; then ok; else bad "SIGTERM: exit status"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
