#!/bin/sh
# scaleout.sh - two daemons behind nginx with deploy/nginx.conf:
#   sh tests/scaleout.sh [build/mmlabd]
#
# Daemons "a" and "b" (--node) and Debian's nginx run on loopback ports;
# the test's nginx.conf is deploy/nginx.conf with the daemons' addresses
# and the listen port replaced.  Machines are created through nginx until
# both daemons own some, and each is driven through nginx; then b is
# killed (-9): its machines answer 503 problem+json node-down at once, a's
# go on, new machines land on a; b restarts on its store and its machines
# come back as they were.  Installs nginx if missing.  The last line is
# "N passed, M failed".

cd "$(dirname "$0")/.." || exit 1
MMLABD=${1:-build/mmlabd}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmlab-scaleout.XXXXXX") || exit 1
chmod 755 "$TMP"	# nginx's workers run as nobody
PA=""
PB=""
NGINX=""
cleanup() {
	for p in $PA $PB $NGINX; do kill -9 "$p" 2>/dev/null; done
	for p in $PA $PB $NGINX; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
passed=0
failed=0
T0=$(date +%s)
ITOKEN=instructor-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
check() {
	d=$1
	shift
	if "$@"; then ok; else bad "$d"; fi
}
same() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: '$1' is not '$2'"; fi
}
finish() {
	echo "scaleout: $(($(date +%s) - T0)) s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "scaleout: installing nginx"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

# daemon NAME LISTEN: start mmlabd --node NAME; sets pid and addr
daemon() {
	n=$1
	: > "$TMP/$n.log"
	"$MMLABD" --node "$n" --listen "$2" --data "$TMP/data-$n" \
		--instructor-token "$ITOKEN" --rate 0 --max-connections-per-ip 0 \
		--quiet 2>>"$TMP/$n.log" &
	pid=$!
	i=0
	until grep -q 'listening on' "$TMP/$n.log"; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
			cat "$TMP/$n.log"
			return 1
		fi
		sleep 0.05
	done
	addr=$(sed -n 's/.*listening on http:\/\/\([^/]*\)\/.*/\1/p' "$TMP/$n.log")
}
mkdir -p "$TMP/data-a" "$TMP/data-b"
daemon a 127.0.0.1:0 || { bad "daemon a starts"; finish; }
PA=$pid ADDR_a=$addr
daemon b 127.0.0.1:0 || { bad "daemon b starts"; finish; }
PB=$pid ADDR_b=$addr

# nginx on a free port: deploy/nginx.conf inside a minimal nginx.conf
# (below Linux's ephemeral ports, 32768 and up, which outgoing connections take)
start_nginx() {
	port=$(( (($$ + $(date +%N | sed 's/^0*//;s/^$/0/')) % 12000) + 20000 ))
	: > "$TMP/nginx.err"
	sed -e "s/mmlab-a:8080/$ADDR_a/; s/mmlab-b:8080/$ADDR_b/" \
	    -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$port;/" \
		deploy/nginx.conf > "$TMP/mmlab.conf"
	cat > "$TMP/nginx.conf" <<-EOF
	pid $TMP/nginx.pid;
	error_log $TMP/nginx.err warn;
	worker_processes 1;
	events { worker_connections 256; }
	http {
	    access_log $TMP/access.log;
	    client_body_temp_path $TMP/nginx-body;
	    proxy_temp_path $TMP/nginx-proxy;
	    fastcgi_temp_path $TMP/nginx-fastcgi;
	    uwsgi_temp_path $TMP/nginx-uwsgi;
	    scgi_temp_path $TMP/nginx-scgi;
	    include $TMP/mmlab.conf;
	}
	EOF
	"$NGINX_BIN" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/nginx.err" \
		-g 'daemon off;' 2>>"$TMP/nginx.err" &
	NGINX=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do
		i=$((i + 1))
		if [ $i -gt 50 ] || ! kill -0 $NGINX 2>/dev/null; then
			wait $NGINX 2>/dev/null
			NGINX=
			return 1
		fi
		sleep 0.05
	done
	# not some other server that had the port: ours answers, and lives
	sleep 0.1
	kill -0 $NGINX 2>/dev/null || { NGINX=; return 1; }
	N=http://127.0.0.1:$port
}
tries=0
until start_nginx; do
	tries=$((tries + 1))
	if [ $tries -ge 5 ]; then
		cat "$TMP/nginx.err"
		bad "nginx starts with deploy/nginx.conf"
		finish
	fi
done
ok

# req METHOD PATH [TOKEN] [BODY]: through nginx; sets CODE, TYPE, TIME,
# the body in $TMP/body, the headers in $TMP/headers
req() {
	set -- "$1" "$2" "${3:-}" "${4:-}"
	if [ -n "$4" ]; then
		set -- "$@" -d "$4"
	fi
	m=$1 path=$2 tok=$3
	shift 4
	out=$(curl -s --max-time 5 -X "$m" ${tok:+-H "Authorization: Bearer $tok"} \
		-D "$TMP/headers" -o "$TMP/body" \
		-w '%{http_code} %{content_type} %{time_total}' "$@" "$N$path")
	CODE=${out%% *}
	out=${out#* }
	TYPE=${out% *}
	TIME=${out##* }
}
fast() { awk -v t="$TIME" 'BEGIN { exit !(t < 2) }'; }

# --- both daemons behind one address ------------------------------------------
req GET /
same "$CODE $TYPE" "200 text/html; charset=utf-8" "the web page through nginx"
req GET /healthz
same "$CODE" 200 "/healthz through nginx"
req GET /openapi.json
same "$CODE" 200 "/openapi.json through nginx"

# new machines until both daemons own some (round robin: two suffice)
: > "$TMP/machines"
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	req POST /v1/machines "" "{\"ram\":\"512M\",\"name\":\"m$i\"}"
	[ "$CODE" = 201 ] || { bad "POST /v1/machines through nginx: $CODE $(cat "$TMP/body")"; break; }
	jq -r '.id + " " + .token' "$TMP/body" >> "$TMP/machines"
	na=$(grep -c '^a-' "$TMP/machines")
	nb=$(grep -c '^b-' "$TMP/machines")
	[ "$na" -ge 2 ] && [ "$nb" -ge 2 ] && break
done
check "machines on both daemons ($na on a, $nb on b, from $i)" \
	test "$na" -ge 2 -a "$nb" -ge 2

# drive each through nginx, a few times over (always its own daemon)
drove=0
while read -r id tok; do
	for _ in 1 2 3; do
		req POST "/v1/machines/$id/kmalloc" "$tok" '{"size":96}'
		[ "$CODE" = 200 ] || { bad "kmalloc on $id: $CODE $(cat "$TMP/body")"; continue 2; }
	done
	req GET "/v1/machines/$id/translate?addr=0xc1000000" "$tok"
	[ "$CODE" = 200 ] || { bad "translate on $id: $CODE"; continue; }
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/slabinfo" > "$TMP/slab.$id"
	grep -q '^kmalloc-96 ' "$TMP/slab.$id" || { bad "slabinfo of $id"; continue; }
	drove=$((drove + 1))
done < "$TMP/machines"
same "$drove" "$(wc -l < "$TMP/machines" | tr -d ' ')" "machines driven through nginx"

# each daemon's own list, by name
req GET /nodes/a/v1/machines "$ITOKEN"
same "$(jq -r '[.machines[].id | select(startswith("a-"))] | length' "$TMP/body") $(jq '.machines | length' "$TMP/body")" \
	"$na $na" "/nodes/a/v1/machines lists a's machines"
req GET /nodes/b/healthz
same "$CODE $(jq -r .machines "$TMP/body")" "200 $nb" "/nodes/b/healthz"
req GET /v1/machines/z-0123456789ab
same "$CODE $(jq -r .type "$TMP/body" 2>/dev/null)" \
	"404 https://mmlab.dev/problems/no-such-machine" "an unknown node's machine"

# --- b dies ---------------------------------------------------------------------
while read -r id tok; do
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/meminfo" > "$TMP/meminfo.$id"
done < "$TMP/machines"
kill -9 "$PB"
wait "$PB" 2>/dev/null
PB=
down=0 up=0
while read -r id tok; do
	req GET "/v1/machines/$id/proc/meminfo" "$tok"
	case $id in
	b-*)
		if [ "$CODE" = 503 ] && [ "$TYPE" = application/problem+json ] &&
		   [ "$(jq -r .type "$TMP/body")" = https://mmlab.dev/problems/node-down ] &&
		   grep -qi '^retry-after: ' "$TMP/headers" && fast; then
			down=$((down + 1))
		else
			bad "$id with b down: $CODE $TYPE in $TIME s: $(cat "$TMP/body")"
		fi
		req POST "/v1/machines/$id/kmalloc" "$tok" '{"size":64}'
		same "$CODE $TYPE" "503 application/problem+json" "a POST to $id with b down"
		;;
	a-*)
		if [ "$CODE" = 200 ] && fast; then
			up=$((up + 1))
		else
			bad "$id with b down: $CODE in $TIME s"
		fi
		;;
	esac
done < "$TMP/machines"
same "$down $up" "$nb $na" "with b down, b's machines are 503 node-down, a's answer"
created=0
for _ in 1 2 3 4; do
	req POST /v1/machines "" '{"ram":"256M"}'
	case "$CODE $(jq -r .id "$TMP/body")" in
	"201 a-"*) created=$((created + 1)) ;;
	*) bad "POST /v1/machines with b down: $CODE in $TIME s $(cat "$TMP/body")" ;;
	esac
done
same "$created" 4 "new machines with b down (all on a)"
req GET /
same "$CODE" 200 "the web page with b down"
req GET /nodes/b/healthz
same "$CODE $(jq -r .type "$TMP/body")" "503 https://mmlab.dev/problems/node-down" \
	"/nodes/b/healthz with b down"

# --- b comes back on its store --------------------------------------------------
daemon b "$ADDR_b" || { bad "b restarts on $ADDR_b"; finish; }
PB=$pid
back=0
while read -r id tok; do
	case $id in b-*) ;; *) continue ;; esac
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/meminfo" > "$TMP/meminfo.after"
	if cmp -s "$TMP/meminfo.$id" "$TMP/meminfo.after"; then
		back=$((back + 1))
	else
		bad "$id after b restarted: $(head -3 "$TMP/meminfo.after")"
	fi
	req POST "/v1/machines/$id/kmalloc" "$tok" '{"size":64}'
	same "$CODE" 200 "kmalloc on $id after b restarted"
done < "$TMP/machines"
same "$back" "$nb" "b's machines back as they were"

# --- per-client rate limit in nginx -----------------------------------------------
# 300 requests at once from one address: the burst of 100 passes (and 50
# a second more), the rest get nginx's 429 as a problem like the daemons'.
seq 300 | sed "s|.*|url = \"$N/healthz\"|" > "$TMP/urls"
curl -s -Z --parallel-max 50 -K "$TMP/urls" -w '\n%{http_code} %{content_type}\n' \
	> "$TMP/burst" 2>/dev/null
n429=$(grep -c '^429 application/problem+json$' "$TMP/burst")
check "nginx limits one address ($n429 of 300 answered 429 problem+json)" \
	test "$n429" -ge 20
check "nginx's 429 is a rate-limited problem" \
	grep -q '"type":"https://mmlab.dev/problems/rate-limited"' "$TMP/burst"

# --- stop ---------------------------------------------------------------------------
kill -TERM "$PA" "$PB"
wait "$PA"
same "$?" 0 "a exits 0 on SIGTERM"
wait "$PB"
same "$?" 0 "b exits 0 on SIGTERM"
PA=
PB=
kill -QUIT "$NGINX" && wait "$NGINX"
NGINX=
if grep -E '\[(emerg|alert|crit)\]' "$TMP/nginx.err"; then
	bad "nginx's error log"
else
	ok
fi
finish
