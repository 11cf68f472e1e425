#!/bin/sh
# scaleout.sh - two daemons behind nginx with deploy/nginx.conf:
#   sh tests/scaleout.sh [build/mmlabd]
#
# Daemons "a" and "b" (--node) and Debian's nginx run on loopback ports;
# the test's nginx.conf is deploy/nginx.conf with the daemons' addresses
# and the listen port replaced.  Machines are created through nginx until
# both daemons own some, and each is driven through nginx (and exercises,
# each answered on its own daemon); then b is killed (-9): its machines
# and exercise answer 503 problem+json node-down at once, a's go on, new
# machines land on a; b restarts on its store and its machines and
# exercise come back as they were.  Installs nginx if missing.  The last line is
# "N passed, M failed".

. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
MMLABD=${1:-build/mmlabd}
mm_setup scaleout
chmod 755 "$TMP"	# nginx's workers run as nobody
ITOKEN=instructor-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

finish() {
	echo "scaleout: $(mm_elapsed) s"
	summary
	exit
}

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "scaleout: installing nginx"
	mm_install nginx
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

# daemon NAME LISTEN: start mmlabd --node NAME on LISTEN; sets PID and ADDR
daemon() {
	mm_start "$1" "$TMP/$1.log" --node "$1" --listen "$2" --data "$TMP/data-$1" \
		--instructor-token "$ITOKEN" --rate 0 --max-connections-per-ip 0 \
		--quiet
}
mkdir -p "$TMP/data-a" "$TMP/data-b"
daemon a 127.0.0.1:0 || finish
PA=$PID ADDR_a=$ADDR
daemon b 127.0.0.1:0 || finish
PB=$PID ADDR_b=$ADDR

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
	mm_track "$NGINX"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do
		i=$((i + 1))
		if [ $i -gt 50 ] || ! kill -0 $NGINX 2>/dev/null; then
			mm_reap "$NGINX"
			NGINX=
			return 1
		fi
		sleep 0.05
	done
	# not some other server that had the port: ours answers, and lives
	sleep 0.1
	kill -0 $NGINX 2>/dev/null || { mm_reap "$NGINX"; NGINX=; return 1; }
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

# req METHOD PATH [TOKEN] [BODY]: through nginx; as lib.sh's req (ST,
# TYPE, TIME, the body in $O, the headers in $H), 5 s at most
req() {
	set -- "$1" "$2" "${3:-}" "${4:-}"
	if [ -n "$4" ]; then
		set -- "$@" -d "$4"
	fi
	m=$1 path=$2 tok=$3
	shift 4
	mm_req "$m" "$N$path" --max-time 5 ${tok:+-H "Authorization: Bearer $tok"} "$@"
}
fast() { awk -v t="$TIME" 'BEGIN { exit !(t < 2) }'; }

# --- both daemons behind one address ------------------------------------------
req GET /
same "$ST $TYPE" "200 text/html; charset=utf-8" "the web page through nginx"
req GET /healthz
same "$ST" 200 "/healthz through nginx"
req GET /openapi.json
same "$ST" 200 "/openapi.json through nginx"

# new machines until both daemons own some (round robin: two suffice)
: > "$TMP/machines"
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	req POST /v1/machines "" "{\"ram\":\"512M\",\"name\":\"m$i\"}"
	[ "$ST" = 201 ] || { bad "POST /v1/machines through nginx: $ST $(cat "$O")"; break; }
	jq -r '.id + " " + .token' "$O" >> "$TMP/machines"
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
		[ "$ST" = 200 ] || { bad "kmalloc on $id: $ST $(cat "$O")"; continue 2; }
	done
	req GET "/v1/machines/$id/translate?addr=0xc1000000" "$tok"
	[ "$ST" = 200 ] || { bad "translate on $id: $ST"; continue; }
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/slabinfo" > "$TMP/slab.$id"
	grep -q '^kmalloc-96 ' "$TMP/slab.$id" || { bad "slabinfo of $id"; continue; }
	drove=$((drove + 1))
done < "$TMP/machines"
same "$drove" "$(wc -l < "$TMP/machines" | tr -d ' ')" "machines driven through nginx"

# each daemon's own list, by name
req GET /nodes/a/v1/machines "$ITOKEN"
same "$(jq -r '[.machines[].id | select(startswith("a-"))] | length' "$O") $(jq '.machines | length' "$O")" \
	"$na $na" "/nodes/a/v1/machines lists a's machines"
req GET /nodes/b/healthz
same "$ST $(jq -r .machines "$O")" "200 $nb" "/nodes/b/healthz"
req GET /v1/machines/z-0123456789ab
same "$ST $(jq -r .type "$O" 2>/dev/null)" \
	"404 https://mmlab.dev/problems/no-such-machine" "an unknown node's machine"

# exercises until both daemons hold one; each answered through nginx on
# its own daemon (/v1/exercises/NAME-x...), never the other
: > "$TMP/exercises"
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	req POST /v1/exercises "" '{"type":"lowmem","seed":3}'
	[ "$ST" = 201 ] || { bad "POST /v1/exercises through nginx: $ST $(cat "$O")"; break; }
	jq -r '.id + " " + .token' "$O" >> "$TMP/exercises"
	[ "$(grep -c '^a-x' "$TMP/exercises")" -ge 1 ] &&
		[ "$(grep -c '^b-x' "$TMP/exercises")" -ge 1 ] && break
done
exok=0
while read -r xid xtok; do
	for _ in 1 2 3; do
		req GET "/v1/exercises/$xid" "$xtok"
		[ "$ST" = 200 ] && exok=$((exok + 1))
	done
	req POST "/v1/exercises/$xid/answers" "$xtok" '{"fields":{"lowmem":"1536M","highmem":0,"limited_by":"ram"}}'
	[ "$ST" = 200 ] && exok=$((exok + 1))
done < "$TMP/exercises"
same "$exok" $((4 * $(wc -l < "$TMP/exercises"))) \
	"every exercise answers on its own daemon through nginx ($(tr '\n' ' ' < "$TMP/exercises" | cut -c1-80))"

# classes through nginx until both daemons hold one; each is then always
# reached on its own daemon by its join code (a class on the other daemon
# would be 404 no-such-class half the time)
: > "$TMP/classes"
i=0
while [ $i -lt 10 ]; do
	i=$((i + 1))
	req POST /v1/classes "$ITOKEN" "{\"name\":\"c$i\"}"
	[ "$ST" = 201 ] || { bad "POST /v1/classes through nginx: $ST $(cat "$O")"; break; }
	jq -r .code "$O" >> "$TMP/classes"
	grep -q '^a-k' "$TMP/classes" && grep -q '^b-k' "$TMP/classes" && break
done
cls_a=$(grep -m1 '^a-k' "$TMP/classes")
cls_b=$(grep -m1 '^b-k' "$TMP/classes")
reached=0
for code in $cls_a $cls_b $cls_a $cls_b; do
	req POST "/v1/classes/$code/join" "" "{\"name\":\"s$reached\"}"
	same "$ST $(jq -r .class.code "$O")" "201 $code" "join $code through nginx"
	req GET "/v1/classes/$code" "$ITOKEN"
	[ "$ST" = 200 ] && reached=$((reached + 1))
done
same "$reached" 4 "classes on both daemons reached by their code ($cls_a, $cls_b)"

# --- b dies ---------------------------------------------------------------------
while read -r id tok; do
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/meminfo" > "$TMP/meminfo.$id"
done < "$TMP/machines"
kill -9 "$PB"
mm_reap "$PB"
down=0 up=0
while read -r id tok; do
	req GET "/v1/machines/$id/proc/meminfo" "$tok"
	case $id in
	b-*)
		if [ "$ST" = 503 ] && [ "$TYPE" = application/problem+json ] &&
		   [ "$(jq -r .type "$O")" = https://mmlab.dev/problems/node-down ] &&
		   grep -qi '^retry-after: ' "$H" && fast; then
			down=$((down + 1))
		else
			bad "$id with b down: $ST $TYPE in $TIME s: $(cat "$O")"
		fi
		req POST "/v1/machines/$id/kmalloc" "$tok" '{"size":64}'
		same "$ST $TYPE" "503 application/problem+json" "a POST to $id with b down"
		;;
	a-*)
		if [ "$ST" = 200 ] && fast; then
			up=$((up + 1))
		else
			bad "$id with b down: $ST in $TIME s"
		fi
		;;
	esac
done < "$TMP/machines"
same "$down $up" "$nb $na" "with b down, b's machines are 503 node-down, a's answer"
read -r bx bxt <<EOF2
$(grep '^b-x' "$TMP/exercises" | head -1)
EOF2
req GET "/v1/exercises/$bx" "$bxt"
same "$ST $(jq -r .type "$O" 2>/dev/null)" "503 https://mmlab.dev/problems/node-down" \
	"with b down, b's exercise is 503 node-down"
created=0
for _ in 1 2 3 4; do
	req POST /v1/machines "" '{"ram":"256M"}'
	case "$ST $(jq -r .id "$O")" in
	"201 a-"*) created=$((created + 1)) ;;
	*) bad "POST /v1/machines with b down: $ST in $TIME s $(cat "$O")" ;;
	esac
done
same "$created" 4 "new machines with b down (all on a)"
req GET "/v1/classes/$cls_b/grades" "$ITOKEN"
same "$ST $(jq -r .type "$O") $(jq -r .title "$O")" \
	"503 https://mmlab.dev/problems/node-down The server of this class is down" \
	"b's class with b down"
req GET "/v1/classes/$cls_a" "$ITOKEN"
same "$ST" 200 "a's class with b down"
req GET /
same "$ST" 200 "the web page with b down"
req GET /nodes/b/healthz
same "$ST $(jq -r .type "$O")" "503 https://mmlab.dev/problems/node-down" \
	"/nodes/b/healthz with b down"

# --- b comes back on its store --------------------------------------------------
daemon b "$ADDR_b" || finish
PB=$PID
back=0
while read -r id tok; do
	case $id in b-*) ;; *) continue ;; esac
	curl -s -H "Authorization: Bearer $tok" -H 'Accept: text/plain' \
		"$N/v1/machines/$id/proc/meminfo" > "$TMP/meminfo.after"
	if cmp -s "$TMP/meminfo.$id" "$TMP/meminfo.after"; then
		back=$((back + 1))
	else
		bad "$id after b restarted: $(head -3 "$TMP/meminfo.after"); nginx: $(tail -3 "$TMP/nginx.err")"
	fi
	req POST "/v1/machines/$id/kmalloc" "$tok" '{"size":64}'
	same "$ST" 200 "kmalloc on $id after b restarted"
done < "$TMP/machines"
same "$back" "$nb" "b's machines back as they were"
req GET "/v1/exercises/$bx" "$bxt"
same "$ST $(jq -r '.attempts.used' "$O")" "200 1" "b's exercise back with its attempt"
req GET "/v1/classes/$cls_b" "$ITOKEN"
same "$ST $(jq -r '.students | length' "$O")" "200 2" "b's class and roster back"

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
mm_reap "$PA"
same "$?" 0 "a exits 0 on SIGTERM"
mm_reap "$PB"
same "$?" 0 "b exits 0 on SIGTERM"
kill -QUIT "$NGINX" && mm_reap "$NGINX"
if grep -E '\[(emerg|alert|crit)\]' "$TMP/nginx.err"; then
	bad "nginx's error log"
else
	ok
fi
finish
