#!/bin/sh
# shellcheck disable=SC2086 # the flags in $LARGS, $IARGS are split on purpose
# store.sh - the daemon's store, end to end: sh tests/store.sh build/test/mmlabd
#
# Every change reaches DIR/mmlab.db before its 2xx leaves, so a daemon
# killed at any moment comes back with every acknowledged change and
# nothing else; a store that cannot be written refuses changes (503) and
# recovers by itself; a store that is not ours is refused and left alone.
# Exits non-zero if any check failed; the last line is always
# "N passed, M failed, K skipped".
#
#   load      5 clients (4 machines, two clients share one) loop kmalloc
#             and a sixth creates and deletes machines; SIGKILL mid-run,
#             restart: every acknowledged change is there, and at most one
#             unanswered one per client; the same with SIGTERM (and a long
#             batch under way), where nothing may be unanswered
#   lock      a second daemon on the same --data; another process holding
#             the store's write lock: 503 while held (a failed delete puts
#             the machine back, a failed create leaves nothing, even if
#             the machine was deleted meanwhile), then recovery; the whole
#             load again with the lock held for a while: every 503 undone
#   ident     reports, maps, ids, names, tokens and generations are
#             bit-identical after a clean restart and after kill -9; a
#             machine of 1000+ operations (--snapshot-every 50) restarts
#             from its snapshot and then behaves exactly as a twin that
#             never restarted; DELETE removes the machine's rows
#   refused   a vmalloc refused after stealing pageblocks moves the
#             generation and ETag and survives kill -9 (journalled)
#   undo      an undo (at a snapshot, and after one) survives kill -9:
#             the machine and its history, the undo replayed; past 1000
#             changes without a snapshot the history's own base, the same
#             after kill -9
#   exercises kill -9 right after a create, an answer and a reveal: the
#             attempt, score, state and the machine are there; a format
#             error writes nothing; an answer whose write fails spends no
#             attempt; a changed exercise row is damage, named
#   bad       garbage, a foreign SQLite file, a truncated store: exit
#             non-zero naming the file, which is left untouched
#   damage    bytes changed inside a row (a machine's, a snapshot's, an
#             operation's), an operation or a machine row gone, a damaged
#             or removed -wal after kill -9: the daemon refuses to start,
#             naming the damage and the file, and leaves it alone;
#             --accept-store-damage starts without what is damaged and
#             says what was lost; a format 2 store is converted; who made
#             each machine survives a restart, and so does its count
#   model     the store records the model's fingerprint; a store with
#             machines another model wrote is refused, named, untouched;
#             --accept-model-change rebuilds them and records this model
#   expiry    --idle-expiry 1 removes the machine's rows
#   tmpfs     a 2 MiB tmpfs as --data (root only, else SKIP): full disk,
#             remount read-only under the daemon, start read-only
#
# Needs curl, jq and sqlite3 (the Debian package is installed if missing).

. "$(dirname "$0")/lib.sh"
MMLABD=${1:-build/test/mmlabd}
mm_setup store
FS=""
# the tmpfs, if mounted, goes before $TMP does
mm_cleanup_extra() {
	if [ -n "$FS" ]; then umount "$FS" 2>/dev/null || umount -l "$FS" 2>/dev/null; fi
}
P=https://mmlab.dev/problems/
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

if ! command -v sqlite3 >/dev/null 2>&1; then
	mm_install sqlite3 >/dev/null 2>&1
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "FAIL: sqlite3 is not installed and could not be installed"
	exit 1
fi

NSTART=0
# start NAME DIR ARGS... : start a daemon on DIR, set $B to its base URL,
# $PID and $LOG; 1 if it did not start
start() {
	name=$1
	dir=$2
	shift 2
	NSTART=$((NSTART + 1))
	mm_start "$name" "$TMP/$NSTART-$name.log" --data "$dir" --rate 0 "$@"
}

# crash : kill -9 $PID
crash() {
	kill -9 "$PID"
	mm_reap "$PID"
}

# fails_to_start NAME DIR REGEX DESCRIPTION [ARGS...] : the daemon exits
# non-zero at once, with a message that matches REGEX
fails_to_start() {
	NSTART=$((NSTART + 1))
	FLOG=$TMP/$NSTART-$1.log
	fs_dir=$2 fs_re=$3 fs_what=$4
	shift 4
	timeout 20 "$MMLABD" --listen 127.0.0.1:0 --data "$fs_dir" "$@" 2>"$FLOG"
	rc=$?
	set -- "" "" "$fs_re" "$fs_what"
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -qE -- "$3" "$FLOG"; then ok
	else bad "$4: exit status $rc, log: $(head -3 "$FLOG")"; fi
}

# req METHOD PATH TOKEN [CURL ARGS...] : lib.sh's req, with a token
req() {
	rq_m=$1
	rq_p=$2
	rq_t=$3
	shift 3
	[ -n "$rq_t" ] && set -- -H "Authorization: Bearer $rq_t" "$@"
	mm_req "$rq_m" "$B$rq_p" "$@"
}

# unavailable DESCRIPTION : the last answer is 503 store-unavailable,
# problem+json, with a Retry-After
unavailable() {
	ty=$(jq -r .type "$O" 2>/dev/null)
	ra=$(header_of Retry-After)
	ct=$(header_of Content-Type)
	if [ "$ST" = 503 ] && [ "$ty" = "${P}store-unavailable" ] &&
	   [ "$ct" = application/problem+json ] && [ -n "$ra" ]; then ok
	else bad "$1: want 503 store-unavailable with Retry-After, got $ST $ty ($ct) Retry-After '$ra'"; fi
}

# create NAME [CONFIG] : a machine; sets $ID and $TOK
create() {
	cfg=$2
	[ -n "$cfg" ] || cfg="{\"ram\":\"512M\",\"name\":\"$1\",\"boot\":\"bare\"}"
	req POST /v1/machines "" -d "$cfg"
	ID=$(jq -r .id "$O" 2>/dev/null)
	TOK=$(jq -r .token "$O" 2>/dev/null)
	if [ "$ST" = 201 ]; then ok; else bad "create $1: $ST $(head -c 300 "$O")"; fi
}

# gen ID TOKEN : the machine's generation (or its status if not 200)
gen() {
	req GET "/v1/machines/$1" "$2"
	if [ "$ST" = 200 ]; then jq -r .generation "$O"; else echo "status-$ST"; fi
}

# slabobjs ID TOKEN : objects in use in every slab cache (/proc/slabinfo)
slabobjs() {
	curl -s --max-time 30 -H "Authorization: Bearer $2" -H 'Accept: text/plain' \
		"$B/v1/machines/$1/proc/slabinfo" |
		awk 'NR > 2 { s += $2 } END { print s + 0 }'
}

# rows ID : the machine's rows in the store (machines, ops), e.g. "1 12"
rows() {
	sqlite3 "$DB" "SELECT (SELECT count(*) FROM machines WHERE id = '$1'), (SELECT count(*) FROM ops WHERE machine = '$1');" 2>&1 | tr '|' ' '
}

# state ID TOKEN FILE : everything a student can read of the machine
state() {
	{
		req GET "/v1/machines/$1" "$2"
		echo "== machine $ST"
		jq -S . "$O"
		for st_r in meminfo zoneinfo buddyinfo pagetypeinfo slabinfo \
			 vmallocinfo iomem; do
			req GET "/v1/machines/$1/proc/$st_r" "$2" -H 'Accept: text/plain'
			echo "== $st_r $ST"
			cat "$O"
		done
		req GET "/v1/machines/$1/dmesg" "$2" -H 'Accept: text/plain'
		echo "== dmesg $ST"
		cat "$O"
		req GET "/v1/machines/$1/processes" "$2"
		echo "== processes $ST"
		jq -S . "$O"
		for st_p in $(jq -r '(.processes // .)[]? | .pid' "$O" 2>/dev/null); do
			for st_r in maps status; do
				req GET "/v1/machines/$1/processes/$st_p/$st_r" "$2" -H 'Accept: text/plain'
				echo "== $st_p/$st_r $ST"
				cat "$O"
			done
		done
		req GET "/v1/machines/$1/frames" "$2"
		echo "== frames $ST"
		jq -S . "$O"
	} >"$3" 2>&1
}

# identical A B DESCRIPTION : two state files are the same
identical() {
	if cmp -s "$1" "$2"; then ok
	else bad "$3: $(diff "$1" "$2" | head -8 | tr '\n' '|')"; fi
}

# ops_batch FILE N SEED : a /ops body of N changes of several kinds
ops_batch() {
	awk -v n="$2" -v s="$3" 'BEGIN { printf "["
		for (i = 0; i < n; i++) {
			k = (i + s) % 5
			if (i) printf ","
			if (k == 0) printf "{\"op\":\"alloc_pages\",\"args\":{\"order\":%d}}", (i + s) % 4
			else if (k == 4) printf "{\"op\":\"vmalloc\",\"args\":{\"size\":%d}}", 4096 * (1 + i % 3)
			else printf "{\"op\":\"kmalloc\",\"args\":{\"size\":%d}}", (i * 53 + s * 7) % 6000 + 1
		}
		printf "]" }' >"$1"
}

# =============================================================================
# load: SIGKILL and SIGTERM under load from several clients
# =============================================================================

# client NAME ID TOKEN SEED : kmalloc in a loop until the daemon goes away
# (or $TMP/stop appears); each 2xx answer's addr goes to NAME.acked, each
# other answer to NAME.nack
client() {
	c=$TMP/$1
	: >"$c.acked"
	: >"$c.nack"
	n=0
	while [ ! -f "$TMP/stop" ]; do
		n=$((n + 1))
		size=$(( (n * 37 + $4 * 101) % 4000 + 1 ))
		code=$(curl -s --max-time 20 -o "$c.body" -w '%{http_code}' \
			-H "Authorization: Bearer $3" -d "{\"size\":$size}" \
			"$B/v1/machines/$2/kmalloc")
		case $code in
		2??)
			a=$(sed -n 's/^  "addr": "\(0x[0-9a-f]*\)".*/\1/p' "$c.body" | head -1)
			if [ -n "$a" ]; then echo "$a" >>"$c.acked"
			else echo "$code no addr" >>"$c.nack"; fi ;;
		000) break ;;	# the daemon is gone
		*) echo "$code $(jq -r .type "$c.body" 2>/dev/null)" >>"$c.nack" ;;
		esac
	done
}

# creator NAME TOKEN : create machines under TOKEN in a loop, and delete
# every third the one made last; NAME.log gets "+ID" per 201 and "-ID"
# per 204, NAME.nack every other answer
creator() {
	c=$TMP/$1
	: >"$c.log"
	: >"$c.nack"
	n=0
	last=""
	while [ ! -f "$TMP/stop" ]; do
		n=$((n + 1))
		if [ $((n % 3)) -eq 0 ] && [ -n "$last" ]; then
			code=$(curl -s --max-time 20 -o "$c.body" -w '%{http_code}' \
				-X DELETE -H "Authorization: Bearer $2" \
				"$B/v1/machines/$last")
			want=204
		else
			code=$(curl -s --max-time 20 -o "$c.body" -w '%{http_code}' \
				-H "Authorization: Bearer $2" -d '{"ram":"64M"}' \
				"$B/v1/machines")
			want=201
		fi
		case $code in
		"$want")
			if [ $want = 204 ]; then echo "-$last" >>"$c.log"; last=""
			else last=$(jq -r .id "$c.body"); echo "+$last" >>"$c.log"; fi ;;
		000) break ;;
		*) echo "$code $(jq -r .type "$c.body" 2>/dev/null)" >>"$c.nack" ;;
		esac
	done
}

# hold_lock SECONDS : sqlite3 holds the store's write lock (in the
# background, $LP)
hold_lock() {
	{ echo '.timeout 5000'; echo 'BEGIN IMMEDIATE;'; echo "SELECT 'locked';"
	  sleep "$1"; echo 'COMMIT;'; } | sqlite3 "$DB" >"$TMP/lock.out" 2>&1 &
	LP=$!
	mm_track "$LP"
	i=0
	while [ $i -lt 100 ] && ! grep -q locked "$TMP/lock.out"; do
		sleep 0.02
		i=$((i + 1))
	done
}

# load ROUND HOW SECONDS : 4 machines, 5 kmalloc clients (c4 and c5 share
# the fourth), a creator (c6, under a token of its own); HOW is KILL or
# TERM: that signal after SECONDS; or LOCK: another process holds the
# store's write lock for SECONDS in the middle of the run.  Leaves
# ROUND.m1..m4 and ROUND.anchor ("id token")
load() {
	rm -f "$TMP/stop"
	for ld_m in 1 2 3 4; do
		# bare: the check counts the slab objects the clients made
		create "$1-m$ld_m" "{\"ram\":\"512M\",\"boot\":\"bare\",\"name\":\"$1-m$ld_m\"}"
		echo "$ID $TOK" >"$TMP/$1.m$ld_m"
	done
	create "$1-anchor" '{"ram":"64M"}'
	echo "$ID $TOK" >"$TMP/$1.anchor"
	cpids=""
	for ld_c in 1 2 3 4 5; do
		ld_m=$ld_c
		[ $ld_c -eq 5 ] && ld_m=4
		read -r ld_id ld_tok <"$TMP/$1.m$ld_m"
		client "$1.c$ld_c" "$ld_id" "$ld_tok" "$ld_c" &
		cpids="$cpids $!"
		mm_track "$!"
	done
	read -r ld_id ld_tok <"$TMP/$1.anchor"
	creator "$1.c6" "$ld_tok" &
	cpids="$cpids $!"
	mm_track "$!"
	case $2 in
	KILL)
		sleep "$3"
		crash ;;
	TERM)
		sleep "$3"
		# and a long batch under way at the signal
		create "$1-long" "{\"ram\":\"512M\",\"boot\":\"bare\",\"name\":\"$1-long\"}"
		echo "$ID $TOK" >"$TMP/$1.long"
		awk 'BEGIN { printf "["; for (i = 0; i < 20000; i++)
			printf "%s{\"op\":\"kmalloc\",\"args\":{\"size\":8}}",
			i ? "," : ""; printf "]" }' >"$TMP/long.json"
		curl -s -o "$TMP/long.out" -w '%{http_code}' -X POST \
			-H "Authorization: Bearer $TOK" --data-binary @"$TMP/long.json" \
			"$B/v1/machines/$ID/ops" >"$TMP/long.status" &
		cpids="$cpids $!"
		mm_track "$!"
		sleep 0.2
		mm_stop TERM "load: SIGTERM under load"
		echo "   at SIGTERM: $(sed -n 's/.*\(finishing [0-9]* requests under way\).*/\1/p' "$LOG")" ;;
	LOCK)
		sleep 0.5
		hold_lock "$3"
		mm_reap "$LP"
		sleep 2
		touch "$TMP/stop" ;;
	esac
	for ld_p in $cpids; do mm_reap "$ld_p"; done
	touch "$TMP/stop"
}

# nacks ROUND CLIENT : the client's answers other than 2xx are none, or
# only 503s of the types in $ALLOW503 (such as "store-unavailable"):
# refusals that changed nothing
nacks() {
	f=$TMP/$1.$2.nack
	[ -s "$f" ] || return 0
	NREFUSED=$((NREFUSED + $(wc -l <"$f")))
	pat="^503 $P($ALLOW503)\$"
	if [ -n "$ALLOW503" ] && ! grep -qvE "$pat" "$f"; then
		return 0
	fi
	bad "$1 $2: refused: $(grep -vE "$pat" "$f" | head -2 | tr '\n' '|')"
}

# verify ROUND MACHINE CLIENTS... : after the restart, every acknowledged
# kmalloc of MACHINE is allocated, and nothing else is, except (SIGKILL
# only, $SLACK=1) one per client: the daemon may have committed a change
# and died before its 2xx left, so the invariant is
#     acked <= present <= acked + (one in flight per client)
# With SIGTERM ($SLACK=0) every request under way gets its answer, so
# present == acked exactly; and so with a live daemon whose store was
# locked for a while: each 503 was undone.
verify() {
	v_r=$1
	read -r v_id v_tok <"$TMP/$v_r.$2"
	shift 2
	v_k=0
	v_files=""
	for v_c in "$@"; do
		v_k=$((v_k + 1))
		v_files="$v_files $TMP/$v_r.$v_c.acked"
		nacks "$v_r" "$v_c"
	done
	cat $v_files | sort >"$TMP/acked"
	v_na=$(wc -l <"$TMP/acked" | tr -d ' ')
	NACKED=$((NACKED + v_na))
	same "$(uniq -d "$TMP/acked" | wc -l | tr -d ' ')" 0 "$v_r $v_id: no address acknowledged twice"
	v_g=$(gen "$v_id" "$v_tok")
	v_p=$(slabobjs "$v_id" "$v_tok")
	# each committed operation is one kmalloc: one object
	same "$v_p" "$v_g" "$v_r $v_id: objects in use = generation"
	if [ "$v_na" -gt 0 ]; then
		jq -R -s 'split("\n") | map(select(length > 0)) |
			  map({op: "kfree", args: {addr: .}})' "$TMP/acked" >"$TMP/kfree.json"
		req POST "/v1/machines/$v_id/ops" "$v_tok" --data-binary @"$TMP/kfree.json"
		v_c=$(jq -r '.completed' "$O" 2>/dev/null)
		if [ "$ST" = 200 ] && [ "$v_c" = "$v_na" ]; then ok
		else bad "$v_r $v_id: kfree of the $v_na acknowledged objects: $ST, $v_c done: $(jq -c '[.results[]? | select(.status != 200)][0]' "$O" 2>/dev/null | head -c 300)"; fi
	fi
	v_left=$(slabobjs "$v_id" "$v_tok")
	EXTRA=$((EXTRA + v_left))
	if [ "$v_left" -ge 0 ] && [ "$v_left" -le $((SLACK * v_k)) ]; then ok
	else bad "$v_r $v_id: $v_left objects beyond the $v_na acknowledged ($v_k clients, $SLACK unanswered each at most)"; fi
}

# verify_creator ROUND : the anchor's token lists exactly the machines
# acknowledged as created and not acknowledged as deleted, give or take
# $SLACK (one create or delete committed but unanswered)
verify_creator() {
	read -r vc_id vc_tok <"$TMP/$1.anchor"
	nacks "$1" c6
	awk '/^\+/ { live[substr($0, 2)] = 1 } /^-/ { delete live[substr($0, 2)] }
	     END { for (id in live) print id }' "$TMP/$1.c6.log" | sort >"$TMP/want"
	req GET /v1/machines "$vc_tok"
	jq -r ".machines[].id | select(. != \"$vc_id\")" "$O" | sort >"$TMP/got"
	vc_d=$(comm -3 "$TMP/want" "$TMP/got" | wc -l | tr -d ' ')
	NCREATED=$(grep -c '^+' "$TMP/$1.c6.log")
	NDELETED=$(grep -c '^-' "$TMP/$1.c6.log")
	EXTRA=$((EXTRA + vc_d))
	if [ "$ST" = 200 ] && [ "$vc_d" -le "$SLACK" ]; then ok
	else bad "$1: machines created and deleted: $ST, $vc_d differ: $(comm -3 "$TMP/want" "$TMP/got" | head -4 | tr '\n\t' '| ')"; fi
}

# verify_all ROUND
verify_all() {
	NACKED=0 EXTRA=0 NREFUSED=0
	for m in 1 2 3; do verify "$1" m$m c$m; done
	verify "$1" m4 c4 c5
	verify_creator "$1"
}

echo "== load"
# (the long batch's 20000 kmalloc answers, each with its why, are about
# 13 MB: past the default --max-answer the batch would stop short)
LARGS="--quiet --max-batch 100000 --max-body 2M --max-answer 64M --max-machines-per-token 100000 --snapshot-every 20"
start load "$TMP/load.data" $LARGS || exit 1
DB=$TMP/load.data/mmlab.db
load kill KILL 2
start load "$TMP/load.data" $LARGS || exit 1
if grep -q 'replayed [0-9]* machines and [0-9]* operations' "$LOG"; then ok
else bad "load: replay after kill -9: $(grep mmlabd: "$LOG" | head -3)"; fi
SLACK=1 ALLOW503=
verify_all kill
echo "   SIGKILL: $NACKED kmallocs, $NCREATED creates, $NDELETED deletes acknowledged; $EXTRA committed but unanswered"
check "load: some load ran before the kill" [ "$NACKED" -ge 20 ]
check "load: some machines were created before the kill" [ "$NCREATED" -ge 3 ]
# the machines of the first round as they are now, for after SIGTERM
for m in 1 2 3 4; do
	read -r id tok <"$TMP/kill.m$m"
	state "$id" "$tok" "$TMP/kill.m$m.state"
done

load term TERM 2
start load "$TMP/load.data" $LARGS || exit 1
# a request that comes in while the daemon drains is refused, unchanged
SLACK=0 ALLOW503=shutting-down
verify_all term
read -r id tok <"$TMP/term.long"
same "$(cat "$TMP/long.status") $(jq -r .completed "$TMP/long.out")" "200 20000" \
	"load: the batch of 20000 under way at SIGTERM"
same "$(gen "$id" "$tok") $(slabobjs "$id" "$tok")" "20000 20000" \
	"load: that batch after the restart"
echo "   SIGTERM: $NACKED kmallocs, $NCREATED creates, $NDELETED deletes acknowledged; $NREFUSED refused (shutting down); $EXTRA unanswered"
for m in 1 2 3 4; do
	read -r id tok <"$TMP/kill.m$m"
	state "$id" "$tok" "$TMP/kill.m$m.after"
	identical "$TMP/kill.m$m.state" "$TMP/kill.m$m.after" "load: machine $id across SIGTERM"
done

# --- lock: a second daemon; another process holding the write lock ----------
echo "== lock"
read -r id tok <"$TMP/kill.m1"
fails_to_start second "$TMP/load.data" 'another mmlabd' \
	"a second daemon on the same --data"
req POST "/v1/machines/$id/kmalloc" "$tok" -d '{"size":64}'
expect 200 "the first daemon still works"
g0=$(gen "$id" "$tok")
hold_lock 1.5
req DELETE "/v1/machines/$id" "$tok"
unavailable "lock held by another process: delete"
req GET "/v1/machines/$id" "$tok"
expect 200 "lock held: the machine whose delete failed is back"
req POST "/v1/machines/$id/kmalloc" "$tok" -d '{"size":64}'
unavailable "lock held: kmalloc"
req GET "/v1/machines/$id/proc/meminfo" "$tok"
expect 200 "lock held: reads work"
same "$(gen "$id" "$tok")" "$g0" "lock held: nothing changed"
if grep -q 'changes refused until the store can be written: .*another process holds the store' "$LOG"; then ok
else bad "lock held: the log says why: $(grep 'mmlabd:' "$LOG" | tail -2)"; fi
mm_reap "$LP"
req_until 200 40 0.1 POST "/v1/machines/$id/kmalloc" "$tok" -d '{"size":64}'
expect 200 "lock released: changes work again within 4 s"
same "$(gen "$id" "$tok")" "$((g0 + 1))" "lock released: one more change"
if grep -q 'the store can be written again' "$LOG"; then ok
else bad "lock released: no recovery in the log"; fi

# a create whose write fails, deleted (by a client that found it in the
# list) while that write was under way: both 503, and the machine is gone
read -r _ atok <"$TMP/term.anchor"
req GET /v1/machines "$atok"
jq -r '.machines[].id' "$O" | sort >"$TMP/before"
hold_lock 1
curl -s -o "$TMP/late.out" -w '%{http_code}' -H "Authorization: Bearer $atok" \
	-d '{"ram":"64M"}' "$B/v1/machines" >"$TMP/late.status" &
cp=$!
mm_track "$cp"
i=0
new=""
while [ $i -lt 50 ] && [ -z "$new" ]; do
	req GET /v1/machines "$atok"
	new=$(jq -r '.machines[].id' "$O" | sort | comm -13 "$TMP/before" - | head -1)
	i=$((i + 1))
done
req DELETE "/v1/machines/$new" "$atok"
if [ -n "$new" ] && [ "$ST" = 404 ]; then
	# the create's write failed (and was undone) before the delete came
	skip "lock held: the create failed before its machine could be deleted"
else
	unavailable "lock held: delete of a machine whose create is being written"
fi
mm_reap "$cp"
same "$(cat "$TMP/late.status")" 503 "lock held: that create"
mm_reap "$LP"
sleep 1.2
req GET "/v1/machines/$new" "$atok"
expect 404 "lock released: the machine whose create failed is not there"
req GET /v1/machines "$atok"
same "$(jq -r '.machines[].id' "$O" | sort | tr '\n' ' ')" "$(tr '\n' ' ' <"$TMP/before")" \
	"lock released: the token's machines are as before"

# the whole load again while the store is locked for a while: every 503
# was undone, every 2xx is there
load lk LOCK 1.5
SLACK=0 ALLOW503=store-unavailable
verify_all lk
ALLOW503=
echo "   store locked: $NACKED kmallocs, $NCREATED creates, $NDELETED deletes acknowledged; $NREFUSED refused"
check "store locked: some changes were refused" [ "$NREFUSED" -ge 1 ]
check "store locked: some changes went through" [ "$NACKED" -ge 10 ]
for m in 1 2 3 4; do
	read -r id tok <"$TMP/lk.m$m"
	state "$id" "$tok" "$TMP/lk.m$m.state"
done
read -r id tok <"$TMP/lk.anchor"
req GET /v1/machines "$tok"
jq -S . "$O" >"$TMP/lk.list"
crash
start load "$TMP/load.data" $LARGS || exit 1
for m in 1 2 3 4; do
	read -r id tok <"$TMP/lk.m$m"
	state "$id" "$tok" "$TMP/lk.m$m.after"
	identical "$TMP/lk.m$m.state" "$TMP/lk.m$m.after" "store locked: machine $id after kill -9"
done
read -r id tok <"$TMP/lk.anchor"
req GET /v1/machines "$tok"
jq -S . "$O" >"$TMP/lk.list.after"
identical "$TMP/lk.list" "$TMP/lk.list.after" "store locked: the creator's machines after kill -9"
mm_stop TERM "load: the last SIGTERM"

# =============================================================================
# ident: the same machine, bit for bit, after a restart
# =============================================================================
echo "== ident"
IARGS="--quiet --max-batch 100000 --snapshot-every 50"
start ident "$TMP/ident.data" $IARGS || exit 1
DB=$TMP/ident.data/mmlab.db
create x1 '{"ram":"1G","name":"x1","seed":7}'
X1=$ID X1T=$TOK
req POST "/v1/machines/$X1/ops" "$X1T" -d '[
 {"op":"alloc_pages","args":{"order":3}},
 {"op":"kmalloc","args":{"size":100}},
 {"op":"kmalloc","args":{"size":5000}},
 {"op":"vmalloc","args":{"size":"16K"}},
 {"op":"process_create","args":{}},
 {"op":"mmap","args":{"pid":1,"len":"64K"}},
 {"op":"access","args":{"pid":1,"addr":"0x0804a000","access":"write"}},
 {"op":"fork","args":{"pid":1}},
 {"op":"kmalloc","args":{"size":40}},
 {"op":"kmem_cache_create","args":{"name":"lab_cache","size":72}},
 {"op":"kmem_cache_alloc","args":{"cache":"lab_cache"}},
 {"op":"access","args":{"pid":2,"addr":"0x0804a000","access":"write"}}]'
if [ "$ST" = 200 ] && [ "$(jq -r .completed "$O")" = 12 ]; then ok
else bad "ident: the x1 batch: $ST $(jq -c '[.results[]? | select(.status != 200)][0]' "$O" | head -c 300)"; fi
# x2: 1200 operations, so its store row holds a snapshot (every 50)
create x2 '{"ram":"1G","name":"x2","seed":3}'
X2=$ID X2T=$TOK
for s in 1 2 3 4; do
	ops_batch "$TMP/x2.$s.json" 300 "$s"
	req POST "/v1/machines/$X2/ops" "$X2T" --data-binary @"$TMP/x2.$s.json"
	same "$ST $(jq -r .completed "$O")" "200 300" "ident: x2 batch $s"
done
same "$(sqlite3 "$DB" "SELECT snap_seq > 1000 AND length(snapshot) > 0 FROM machines WHERE id = '$X2'")" 1 \
	"ident: x2's row holds a snapshot"
# x3: reset, then more changes
create x3 '{"ram":"512M","name":"x3"}'
X3=$ID X3T=$TOK
ops_batch "$TMP/x3.json" 60 5
req POST "/v1/machines/$X3/ops" "$X3T" --data-binary @"$TMP/x3.json"
req POST "/v1/machines/$X3/reset" "$X3T" -d '{}'
expect 200 "ident: reset"
ops_batch "$TMP/x3.json" 30 6
req POST "/v1/machines/$X3/ops" "$X3T" --data-binary @"$TMP/x3.json"
same "$(gen "$X3" "$X3T")" 91 "ident: x3's generation after 60 changes, a reset and 30"
# d: deleted for good
create d
D=$ID DT=$TOK
req POST "/v1/machines/$D/ops" "$DT" -d '[{"op":"kmalloc","args":{"size":8}},{"op":"alloc_pages","args":{"order":1}}]'
same "$(rows "$D")" "1 2" "delete: the machine's rows before"
req DELETE "/v1/machines/$D" "$DT"
expect 204 "delete"
same "$(rows "$D")" "0 0" "delete: no row left in machines or ops"

for x in 1 2 3; do
	eval "state \"\$X$x\" \"\$X${x}T\" \"\$TMP/x$x.0\""
done
mm_stop TERM "ident: SIGTERM"
start ident "$TMP/ident.data" $IARGS || exit 1
# x1: 12 operations; x2: none after its last snapshot; x3: 30 after its
# reset and one snapshot (at 50 since the reset: none)
if grep -q 'replayed 3 machines and 42 operations' "$LOG"; then ok
else bad "ident: replay from the snapshots: $(grep 'mmlabd:' "$LOG" | head -4 | tr '\n' '|')"; fi
for x in 1 2 3; do
	eval "state \"\$X$x\" \"\$X${x}T\" \"\$TMP/x$x.1\""
	identical "$TMP/x$x.0" "$TMP/x$x.1" "ident: x$x after SIGTERM and restart"
done
req GET "/v1/machines/$D" "$DT"
expect 404 "delete: still gone after a restart"
req GET "/v1/machines/$X1" "0123456789abcdef0123456789abcdef"
expect 404 "ident: a wrong token still sees nothing"
req GET /v1/machines "$X1T"
same "$(jq -r '[(.machines // .)[] | .id] | join(" ")' "$O" 2>/dev/null)" "$X1" \
	"ident: the token lists its machine"
crash
start ident "$TMP/ident.data" $IARGS || exit 1
for x in 1 2 3; do
	eval "state \"\$X$x\" \"\$X${x}T\" \"\$TMP/x$x.2\""
	identical "$TMP/x$x.0" "$TMP/x$x.2" "ident: x$x after kill -9 and restart"
done
# x2 restored from its snapshot behaves as a twin that never stopped:
# the same answers to the same next operations, the same state after
create y2 '{"ram":"1G","name":"x2","seed":3}'
Y2=$ID Y2T=$TOK
for s in 1 2 3 4; do
	req POST "/v1/machines/$Y2/ops" "$Y2T" --data-binary @"$TMP/x2.$s.json"
done
ops_batch "$TMP/z.json" 200 9
req POST "/v1/machines/$X2/ops" "$X2T" --data-binary @"$TMP/z.json"
jq -S .results "$O" >"$TMP/x2.z" 2>&1
req POST "/v1/machines/$Y2/ops" "$Y2T" --data-binary @"$TMP/z.json"
jq -S .results "$O" >"$TMP/y2.z" 2>&1
identical "$TMP/x2.z" "$TMP/y2.z" "ident: x2 after restart answers as its twin"
state "$X2" "$X2T" "$TMP/x2.3"
state "$Y2" "$Y2T" "$TMP/y2.3"
sed -e "s/$Y2/ID/g" -e '/"created"/d' "$TMP/y2.3" >"$TMP/y2.3n"
sed -e "s/$X2/ID/g" -e '/"created"/d' "$TMP/x2.3" >"$TMP/x2.3n"
identical "$TMP/x2.3n" "$TMP/y2.3n" "ident: x2 after restart is in its twin's state"
mm_stop TERM "ident: the last SIGTERM"

# =============================================================================
# refused: a refusal that moved state is journalled like a change
# =============================================================================

# A vmalloc bigger than what is free takes pages, stealing movable
# pageblocks, then fails and gives the pages back; the pageblocks keep
# their new type.  That is a change: a new generation and ETag, and after
# kill -9 the machine comes back with it (and with what came after it).
echo "== refused"
start refused "$TMP/refused.data" --quiet || exit 1
create r1 '{"ram":"128M","cmdline":"vmalloc=256M","name":"r1"}'
R1=$ID R1T=$TOK
g0=$(gen "$R1" "$R1T")
req GET "/v1/machines/$R1/proc/pagetypeinfo" "$R1T" -H 'Accept: text/plain'
cp "$O" "$TMP/r1.pt0"
tag0=$(header_of ETag)
req POST "/v1/machines/$R1/kfree" "$R1T" -d '{"addr":"0xc0000001"}'
same "$ST $(gen "$R1" "$R1T")" "400 $g0" "refused: a refusal that moved nothing keeps the generation"
req POST "/v1/machines/$R1/vmalloc" "$R1T" -d '{"size":"110M"}'
same "$ST $(jq -r .type "$O")" "422 ${P}out-of-memory" "refused: the vmalloc is refused"
same "$(gen "$R1" "$R1T")" $((g0 + 1)) "refused: the refused vmalloc moved the generation"
req GET "/v1/machines/$R1/proc/pagetypeinfo" "$R1T" -H 'Accept: text/plain'
if ! cmp -s "$O" "$TMP/r1.pt0" && [ "$(header_of ETag)" != "$tag0" ]; then ok
else bad "refused: pagetypeinfo and its ETag are the same after the refused vmalloc"; fi
req POST "/v1/machines/$R1/alloc_pages" "$R1T" -d '{"order":3}'
same "$ST $(jq -r .ok "$O")" "200 true" "refused: an alloc_pages after it"
req GET "/v1/machines/$R1/proc/pagetypeinfo" "$R1T" -H 'Accept: text/plain'
cp "$O" "$TMP/r1.pt1"
state "$R1" "$R1T" "$TMP/r1.0"
crash
start refused "$TMP/refused.data" --quiet || exit 1
if grep -q 'was refused' "$LOG"; then
	bad "refused: replay complained: $(grep 'was refused' "$LOG" | head -2 | tr '\n' '|')"
else ok; fi
state "$R1" "$R1T" "$TMP/r1.1"
identical "$TMP/r1.0" "$TMP/r1.1" "refused: the machine after kill -9 and restart"
req GET "/v1/machines/$R1/proc/pagetypeinfo" "$R1T" -H 'Accept: text/plain'
identical "$O" "$TMP/r1.pt1" "refused: /proc/pagetypeinfo after kill -9 and restart"
mm_stop TERM "refused: SIGTERM"

# =============================================================================
# undo: journalled like every change, replayed after kill -9
# =============================================================================

# An undo is an op row ("undo" {"to": G}); a restart rebuilds G from the
# history it replays.  --snapshot-every 5 puts a snapshot right at the
# first undo (which the restart restores) and leaves the second to replay.
echo "== undo"
start undo "$TMP/undo.data" --quiet --snapshot-every 5 || exit 1
create u1
U1=$ID U1T=$TOK
for sz in 100 3000 200 5000; do
	req POST "/v1/machines/$U1/kmalloc" "$U1T" -d "{\"size\":$sz}"
done
state "$U1" "$U1T" "$TMP/u1.g4"
req GET "/v1/machines/$U1/proc/slabinfo?at=2" "$U1T" -H 'Accept: text/plain'
cp "$O" "$TMP/u1.slab2"
req POST "/v1/machines/$U1/undo" "$U1T" -d '{"to":2}'
same "$ST $(jq -r .generation "$O")" "200 5" "undo: to 2, at generation 5"
req GET "/v1/machines/$U1/proc/slabinfo" "$U1T" -H 'Accept: text/plain'
identical "$O" "$TMP/u1.slab2" "undo: slabinfo as at generation 2"
req GET "/v1/machines/$U1/history" "$U1T"
same "$(jq -r '[.oldest, .since, (.entries | length)] | map(tostring) | join(" ")' "$O")" \
	"5 snapshot 0" "undo: the snapshot at generation 5 is the history's new start"
req POST "/v1/machines/$U1/vmalloc" "$U1T" -d '{"size":8192}'
req POST "/v1/machines/$U1/undo" "$U1T" -d '{"to":4}'
same "$ST $(jq -r .type "$O")" "409 ${P}generation-not-kept" "undo: to before the snapshot"
req POST "/v1/machines/$U1/kmalloc" "$U1T" -d '{"size":700}'
state "$U1" "$U1T" "$TMP/u1.g7"
req POST "/v1/machines/$U1/undo" "$U1T" -d '{"ops":1}'
same "$ST $(jq -r .generation "$O")" "200 8" "undo: the last kmalloc, at generation 8"
state "$U1" "$U1T" "$TMP/u1.g8"
req GET "/v1/machines/$U1/history" "$U1T"
cp "$O" "$TMP/u1.hist"
same "$(sqlite3 "$TMP/undo.data/mmlab.db" "SELECT op || ' ' || args FROM ops WHERE machine = '$U1' AND seq = 8")" \
	'undo {"to":6}' "undo: its row in the journal"
crash
start undo "$TMP/undo.data" --quiet --snapshot-every 5 || exit 1
state "$U1" "$U1T" "$TMP/u1.g8b"
identical "$TMP/u1.g8" "$TMP/u1.g8b" "undo: the machine after kill -9 and restart"
req GET "/v1/machines/$U1/history" "$U1T"
identical "$O" "$TMP/u1.hist" "undo: the history after kill -9 and restart"
req GET "/v1/machines/$U1/frames?at=6" "$U1T"
same "$ST" 200 "undo: at= after the restart"
if grep -q 'undo) failed' "$LOG"; then
	bad "undo: replay complained: $(grep 'undo) failed' "$LOG" | head -2 | tr '\n' '|')"
else ok; fi
mm_stop TERM "undo: SIGTERM"

# Past 1000 changes without a snapshot in the store (--snapshot-every
# 1500) the history takes a base of its own in host memory at 1000; a
# restart replays from the store's base and lands on the same one.
start undo-long "$TMP/undo-long.data" --quiet --snapshot-every 1500 --max-batch 1100 || exit 1
create u2
U2=$ID U2T=$TOK
ops_batch "$TMP/u2.ops" 1003 3
req POST "/v1/machines/$U2/ops" "$U2T" --data-binary @"$TMP/u2.ops"
same "$ST $(jq -r .completed "$O")" "200 1003" "undo: 1003 changes in one batch"
req GET "/v1/machines/$U2/history" "$U2T"
same "$(jq -r '[.generation, .oldest, .since, (.entries | map(.generation) | join(","))] | map(tostring) | join(" ")' "$O")" \
	"1003 1000 snapshot 1001,1002,1003" "undo: past 1000 changes the history starts at 1000"
cp "$O" "$TMP/u2.hist"
req GET "/v1/machines/$U2/proc/buddyinfo?at=999" "$U2T"
same "$ST $(jq -r .type "$O")" "404 ${P}generation-not-kept" "undo: at= before the history's own base"
req POST "/v1/machines/$U2/undo" "$U2T" -d '{"to":1000}'
same "$ST $(jq -r .generation "$O")" "200 1004" "undo: back to the history's own base"
state "$U2" "$U2T" "$TMP/u2.a"
req GET "/v1/machines/$U2/history" "$U2T"
cp "$O" "$TMP/u2.hist2"
crash
start undo-long "$TMP/undo-long.data" --quiet --snapshot-every 1500 --max-batch 1100 || exit 1
state "$U2" "$U2T" "$TMP/u2.b"
identical "$TMP/u2.a" "$TMP/u2.b" "undo: 1004 generations, the last an undo, after kill -9"
req GET "/v1/machines/$U2/history" "$U2T"
identical "$O" "$TMP/u2.hist2" "undo: the history past 1000 after kill -9"
mm_stop TERM "undo-long: SIGTERM"

# =============================================================================
# exercises: every acknowledged answer and reveal survives kill -9
# =============================================================================
echo "== exercises"
XD=$TMP/ex.data
DB=$XD/mmlab.db
start ex "$XD" --quiet || exit 1
# exstate ID TOKEN : what the student reads of an exercise, in one line
exstate() {
	req GET "/v1/exercises/$1" "$2"
	jq -c '[.state, .score, .attempts, [.attempts_log[] | [.n, .score, .answer]], .machine.id, .key]' "$O"
}
req POST /v1/exercises "" -d '{"type":"kmalloc_size","seed":7}'
expect 201 "exercises: create"
XE=$(jq -r .id "$O") XT=$(jq -r .token "$O") XM=$(jq -r .machine.id "$O")
crash
start ex "$XD" --quiet || exit 1
same "$(exstate "$XE" "$XT")" "[\"open\",null,{\"allowed\":3,\"used\":0,\"left\":3},[],\"$XM\",null]" \
	"exercises: kill -9 right after the create: it is there"
same "$(gen "$XM" "$XT")" 0 "exercises: and its machine"
req POST "/v1/exercises/$XE/answers" "$XT" -d '{"fields":{"cache":"none","object_size":"96K","wasted":40297}}'
same "$ST $(jq -r .score "$O")" "200 2" "exercises: a partly right answer"
crash
start ex "$XD" --quiet || exit 1
same "$(exstate "$XE" "$XT")" "[\"open\",2,{\"allowed\":3,\"used\":1,\"left\":2},[[1,2,{\"cache\":\"none\",\"object_size\":\"96K\",\"wasted\":40297}]],\"$XM\",null]" \
	"exercises: kill -9 right after an answer: the attempt, the score, the state"
# a refusal journals nothing
a0=$(sqlite3 "$DB" 'SELECT count(*) FROM attempts')
req POST "/v1/exercises/$XE/answers" "$XT" -d '{"fields":{"cache":"none","object_size":"96K","wasted":"many"}}'
same "$ST $(jq -r .field "$O")" "400 wasted" "exercises: a format error"
same "$(sqlite3 "$DB" 'SELECT count(*) FROM attempts')" "$a0" "exercises: a format error writes no attempt"
# a write that fails (another process holds the store) is undone
hold_lock 1.5
req POST "/v1/exercises/$XE/answers" "$XT" -d '{"fields":{"cache":"none","object_size":"128K","wasted":40297}}'
unavailable "exercises: lock held: an answer"
mm_reap "$LP"
sleep 1.2
same "$(exstate "$XE" "$XT" | jq -c '.[2]')" '{"allowed":3,"used":1,"left":2}' \
	"exercises: lock released: the failed answer spent no attempt"
hold_lock 1.5
req POST /v1/exercises "$XT" -d '{"type":"zone","seed":1}'
unavailable "exercises: lock held: a create"
mm_reap "$LP"
sleep 1.2
req GET /v1/me "$XT"
same "$(jq -c '[.exercises[].id]' "$O")" "[\"$XE\"]" "exercises: lock released: the failed create left no exercise"
req GET /v1/machines "$XT"
same "$(jq -c '[.machines[].id]' "$O")" "[\"$XM\"]" "exercises: lock released: nor a machine"
req_until 200 40 0.1 POST "/v1/exercises/$XE/reveal" "$XT"
expect 200 "exercises: reveal"
jqis '[.key.wasted, .ops[0].result.ksize] | map(tostring) | join(" ")' "40297 131072" "exercises: reveal: the key"
g=$(gen "$XM" "$XT")
req GET "/v1/machines/$XM/proc/meminfo" "$XT" -H 'Accept: text/plain'
cp "$O" "$TMP/ex.meminfo"
crash
start ex "$XD" --quiet || exit 1
same "$(exstate "$XE" "$XT")" "[\"revealed\",2,{\"allowed\":3,\"used\":1,\"left\":2},[[1,2,{\"cache\":\"none\",\"object_size\":\"96K\",\"wasted\":40297}]],\"$XM\",{\"cache\":\"none\",\"object_size\":131072,\"wasted\":40297}]" \
	"exercises: kill -9 right after a reveal: revealed, the key made again"
same "$(gen "$XM" "$XT")" "$g" "exercises: kill -9 after a reveal: the machine's reset and reveal are there"
req GET "/v1/machines/$XM/proc/meminfo" "$XT" -H 'Accept: text/plain'
identical "$O" "$TMP/ex.meminfo" "exercises: the machine's meminfo after the reveal, kill -9 and restart"
req POST "/v1/exercises/$XE/answers" "$XT" -d '{"fields":{"cache":"none","object_size":"128K","wasted":40297}}'
same "$ST $(jq -r .type "$O")" "409 ${P}revealed" "exercises: after restart, still no attempt after the reveal"
same "$(sqlite3 "$DB" "SELECT type, seed, state, used, score FROM exercises WHERE id = '$XE'")" \
	"kmalloc_size|7|revealed|1|2" "exercises: the store holds the triple, not the key"
mm_stop TERM "exercises: SIGTERM"
# a changed byte in an exercise's row is found and named
sqlite3 "$DB" "UPDATE exercises SET score = 3 WHERE id = '$XE'"
fails_to_start exdamage "$XD" "exercise $XE: its row does not match its checksum" \
	"exercises: a changed score is damage, named"
start ex "$XD" --quiet --accept-store-damage || exit 1
req GET "/v1/exercises/$XE" "$XT"
expect 404 "exercises: accepted damage drops the exercise"
mm_stop TERM "exercises: the last SIGTERM"

# =============================================================================
# bad: stores that are not ours, or damaged, are refused and left alone
# =============================================================================
echo "== bad"
mkdir -p "$TMP/garbage"
awk 'BEGIN { for (i = 0; i < 64; i++) printf "this is not a database, line %02d ......................................\n", i }' \
	>"$TMP/garbage/mmlab.db"
sum0=$(cksum <"$TMP/garbage/mmlab.db")
fails_to_start garbage "$TMP/garbage" "$TMP/garbage/mmlab.db" "garbage store: exits non-zero naming the file"
same "$(cksum <"$TMP/garbage/mmlab.db")" "$sum0" "garbage store: untouched"

mkdir -p "$TMP/foreign"
sqlite3 "$TMP/foreign/mmlab.db" "CREATE TABLE songs(title TEXT, artist TEXT); INSERT INTO songs VALUES('Blue', 'Joni');"
sum0=$(cksum <"$TMP/foreign/mmlab.db")
fails_to_start foreign "$TMP/foreign" "$TMP/foreign/mmlab.db.*not an mmlab store" \
	"foreign SQLite file: exits non-zero naming the file"
same "$(cksum <"$TMP/foreign/mmlab.db")" "$sum0" "foreign SQLite file: untouched"
same "$(sqlite3 "$TMP/foreign/mmlab.db" 'SELECT title FROM songs')" Blue "foreign SQLite file: still readable"

# a store cut in half (after a clean stop, so no WAL)
cp "$TMP/ident.data/mmlab.db" "$TMP/whole.db"
mkdir -p "$TMP/cut"
size=$(wc -c <"$TMP/whole.db" | tr -d ' ')
head -c $((size / 2)) "$TMP/whole.db" >"$TMP/cut/mmlab.db"
check "cut store: the whole one was checkpointed (no WAL)" [ ! -s "$TMP/ident.data/mmlab.db-wal" ]
sum0=$(cksum <"$TMP/cut/mmlab.db")
fails_to_start cut "$TMP/cut" "$TMP/cut/mmlab.db.*damaged" "cut store ($size bytes cut to half): exits non-zero naming the file"
same "$(cksum <"$TMP/cut/mmlab.db")" "$sum0" "cut store: untouched"

# =============================================================================
# damage: what the store holds is checked against what it must hold
# =============================================================================
echo "== damage"
DD=$TMP/damage.data
DB=$DD/mmlab.db
start damage "$DD" --snapshot-every 3 || exit 1
create keep '{"ram":"512M","name":"keep-me"}'
K=$ID KT=$TOK
create victim '{"ram":"512M","name":"victim-row-xyz"}'
V=$ID VT=$TOK
for i in 1 2 3 4 5; do
	req POST "/v1/machines/$K/kmalloc" "$KT" -d '{"size":64}'
	req POST "/v1/machines/$V/kmalloc" "$VT" -d "{\"size\":$((100 + i))}"
done
expect 200 "damage: kmalloc"
same "$(sqlite3 "$DB" "SELECT count(*) FROM machines WHERE snapshot IS NOT NULL")" 2 \
	"damage: both machines have a snapshot (--snapshot-every 3)"
mm_stop TERM "damage: SIGTERM"
check "damage: a clean stop leaves no WAL" [ ! -s "$DD/mmlab.db-wal" ]
cp "$DB" "$TMP/damage.clean.db"
cp "$DD/mmlab.lock" "$TMP/damage.clean.lock"

# restore : the clean copy back
restore() {
	cp "$TMP/damage.clean.db" "$DB"
	cp "$TMP/damage.clean.lock" "$DD/mmlab.lock"
	rm -f "$DB-wal" "$DB-shm"
}

# flip_at OFFSET : change one byte of the store file (not its length)
flip_at() {
	b=$(od -An -tu1 -j "$1" -N1 "$DB" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" |
		dd of="$DB" bs=1 seek="$1" count=1 conv=notrunc 2>/dev/null
}

# a byte of the victim's name, inside its row: SQLite's own check passes
off=$(grep -boa 'victim-row-xyz' "$DB" | head -1 | cut -d: -f1)
check "damage: the victim's name is in the file" [ -n "$off" ]
flip_at $((off + 3))
same "$(sqlite3 "$DB" 'PRAGMA quick_check')" ok "damage: quick_check passes a changed row"
sum0=$(cksum <"$DB")
fails_to_start row "$DD" "$DB is damaged: machine $V: its row .* does not match its checksum.*--accept-store-damage" \
	"damage: a byte changed in a machine's row: refused, named"
same "$(cksum <"$DB")" "$sum0" "damage: a refused store is untouched"

# a byte inside a snapshot
restore
off=$(grep -boa 'MMSNAP' "$DB" | tail -1 | cut -d: -f1)
flip_at $((off + 200))
fails_to_start snapshot "$DD" "$DB is damaged: machine a-[0-9a-f]*: its snapshot \(generation 3, [0-9]* bytes\) does not match" \
	"damage: a byte changed in a snapshot: refused, named"

# an operation's arguments, as an editor would leave them
restore
sqlite3 "$DB" "UPDATE ops SET args = '{\"size\":999}' WHERE machine = '$V' AND seq = 5"
fails_to_start op "$DD" "machine $V: operation 5 \(row [0-9]* of the log\) does not match its checksum" \
	"damage: an operation record changed: refused, named"

# an operation gone from the middle of the log
restore
sqlite3 "$DB" "DELETE FROM ops WHERE machine = '$V' AND seq = 4"
fails_to_start gap "$DD" "machine $V: operation 4 is missing from the log \(the next one there is 5\)" \
	"damage: an operation missing: refused, named"

# a machine's row gone, its operations left
restore
sqlite3 "$DB" "DELETE FROM machines WHERE id = '$V'"
fails_to_start lost "$DD" "machine $V: [0-9]* operations in the log, but no row of the machine|counts 2 machines but holds 1" \
	"damage: a machine row missing: refused, named"
if grep -q "counts 2 machines but holds 1" "$FLOG"; then ok
else bad "damage: the count of machines is checked too: $(cat "$FLOG")"; fi

# accepted: the damaged machine goes, the log says so, the rest stays
restore
off=$(grep -boa 'victim-row-xyz' "$DB" | head -1 | cut -d: -f1)
flip_at $((off + 3))
start accept "$DD" --accept-store-damage || exit 1
if grep -q "store damage in $DB: machine $V: its row .*; accepted: this machine is dropped" "$LOG"; then ok
else bad "damage: accepted: the log names the machine dropped: $(grep mmlabd: "$LOG" | head -3)"; fi
req GET "/v1/machines/$V" "$VT"
expect 404 "damage: accepted: the damaged machine is gone"
same "$(gen "$K" "$KT")" 5 "damage: accepted: the sound machine is whole"
same "$(rows "$V")" "0 0" "damage: accepted: its rows are dropped"
mm_stop TERM "damage: accepted: SIGTERM"
start accepted "$DD" || exit 1
if grep -q "store damage" "$LOG"; then bad "damage: after acceptance the store is clean: $(grep damage "$LOG")"
else ok; fi
mm_stop TERM "damage: clean again: SIGTERM"

# a -wal removed (or damaged) after kill -9: the last commits are gone,
# their count with them; mmlab.lock remembers how many there were
restore
start wal "$DD" || exit 1
create late '{"ram":"512M","name":"late"}'
L=$ID LT=$TOK
req POST "/v1/machines/$K/kmalloc" "$KT" -d '{"size":64}'
expect 200 "damage: a change after the checkpoint"
crash
check "damage: kill -9 leaves a WAL" [ -s "$DB-wal" ]
cp "$DB-wal" "$TMP/damage.wal"
rm -f "$DB-wal" "$DB-shm"
fails_to_start nowal "$DD" "$DB holds commits up to [0-9]*, but $DD/mmlab.lock records that commit [0-9]* was acknowledged: the last 2 commits are lost .*$DB-wal was removed" \
	"damage: the -wal removed after kill -9: refused, named"
# the same WAL with a byte changed in its last frame
cp "$TMP/damage.wal" "$DB-wal"
wsize=$(wc -c <"$DB-wal" | tr -d ' ')
sdb=$DB; DB=$DB-wal; flip_at $((wsize - 100)); DB=$sdb
cp "$DB-wal" "$TMP/damage.wal.flipped"
fails_to_start badwal "$DD" "the last commit is lost" \
	"damage: a byte changed in the -wal: refused, naming the commits lost"
if grep -q "format 0" "$FLOG"; then bad "damage: a damaged WAL is not 'format 0'"; else ok; fi
same "$(cksum <"$DB-wal")" "$(cksum <"$TMP/damage.wal.flipped")" "damage: the refused -wal is left as it was"
rm -f "$DB-wal" "$DB-shm"
start nowal-accept "$DD" --accept-store-damage || exit 1
if grep -q "store damage accepted: $DB holds commits up to [0-9]* of the [0-9]* acknowledged; .* the last 2 commits" "$LOG"; then ok
else bad "damage: the loss accepted is in the log: $(grep mmlabd: "$LOG" | head -3)"; fi
req GET "/v1/machines/$L" "$LT"
expect 404 "damage: accepted: the machine of the lost commit is not there"
same "$(gen "$K" "$KT")" 5 "damage: accepted: the other is as it was before the lost commits"
mm_stop TERM "damage: accepted WAL loss: SIGTERM"
start after-loss "$DD" || exit 1
mm_stop TERM "damage: after an accepted loss the next start is clean"

# who made each machine survives a restart, and so does the count per address
restore
start origin "$DD" --max-machines-per-ip 3 --instructor-token instructor-token-0123456789 || exit 1
create third '{"ram":"512M"}'
req POST /v1/machines "" -d '{"ram":"512M"}'
expect 403 "damage: a fourth machine from the address: 403"
jqis .type "${P}machine-quota" "damage: machine-quota"
mm_stop TERM "damage: origin: SIGTERM"
start origin2 "$DD" --max-machines-per-ip 3 --instructor-token instructor-token-0123456789 || exit 1
req POST /v1/machines "" -d '{"ram":"512M"}'
expect 403 "damage: after a restart the address still has 3"
req GET /v1/machines instructor-token-0123456789
jqis '[.machines[] | .origin + " " + (.tokenless | tostring)] | unique | join(",")' "127.0.0.1 true" \
	"damage: the instructor sees each machine's address after a restart"
req DELETE "/v1/machines/$V" instructor-token-0123456789
expect 204 "damage: the instructor deletes a machine"
req POST /v1/machines "" -d '{"ram":"512M"}'
expect 201 "damage: then the address may create one again"
mm_stop TERM "damage: origin2: SIGTERM"

# a store of format 2 (before checksums) is converted, machines and all
F2=$TMP/format2.data
mkdir -p "$F2"
sqlite3 "$F2/mmlab.db" "PRAGMA journal_mode = WAL; PRAGMA application_id = 1835887714; PRAGMA user_version = 2;
CREATE TABLE machines(id TEXT PRIMARY KEY, token TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL, created INTEGER NOT NULL, snap_seq INTEGER NOT NULL DEFAULT 0, snapshot BLOB);
CREATE TABLE ops(machine TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, args TEXT NOT NULL);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
INSERT INTO meta VALUES('probe', '');
INSERT INTO machines(id, token, name, config, created) VALUES('a-0123456789ab', '0123456789abcdef0123456789abcdef', 'old', '{\"ram\":\"512M\"}', 1700000000);
INSERT INTO ops VALUES('a-0123456789ab', 1, 'kmalloc', '{\"size\":64}'), ('a-0123456789ab', 2, 'kmalloc', '{\"size\":64}');" >/dev/null
# its machine was made by a model from before fingerprints were kept
fails_to_start format2-model "$F2" "holds 1 machines made by a model from before fingerprints were kept .*--accept-model-change" \
	"format 2: a store from an older model: refused, named"
start format2 "$F2" --accept-model-change || exit 1
if grep -q "made by another model; accepted" "$LOG"; then ok
else bad "format 2: the accepted model change is in the log: $(grep mmlabd: "$LOG" | head -3)"; fi
if grep -q "converted from format 2 to 3" "$LOG"; then ok
else bad "format 2: converted: $(grep mmlabd: "$LOG" | head -3)"; fi
if grep -q "converted from format 3 to 4" "$LOG"; then ok
else bad "format 2: converted on to 4: $(grep mmlabd: "$LOG" | head -3)"; fi
same "$(gen a-0123456789ab 0123456789abcdef0123456789abcdef)" 2 "format 2: the machine and its operations are there"
same "$(sqlite3 "$F2/mmlab.db" 'PRAGMA user_version')" 4 "format 2: now format 4"
same "$(sqlite3 "$F2/mmlab.db" 'SELECT count(*) FROM exercises')" 0 "format 2: with the exercise tables, empty"
mm_stop TERM "format 2: SIGTERM"
start format2b "$F2" || exit 1
same "$(gen a-0123456789ab 0123456789abcdef0123456789abcdef)" 2 "format 2: converted, it starts again"
mm_stop TERM "format 2: the last SIGTERM"

# =============================================================================
# model: a store holds what was answered to the model that wrote it
# =============================================================================
echo "== model"
MD=$TMP/model.data
start model "$MD" || exit 1
DB=$MD/mmlab.db
fp=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'model'")
check "model: a new store records the model's fingerprint" [ ${#fp} -eq 16 ]
create m
req POST "/v1/machines/$ID/kmalloc" "$TOK" -d '{"size":64}'
expect 200 "model: a change"
mm_stop TERM "model: SIGTERM"
start model-same "$MD" || exit 1
same "$(gen "$ID" "$TOK")" 1 "model: the same model starts on its own store"
mm_stop TERM "model: the same model: SIGTERM"
sqlite3 "$DB" "UPDATE meta SET value = '0123456789abcdef' WHERE key = 'model'"
sum0=$(cksum <"$DB")
fails_to_start model-other "$MD" "$DB holds 1 machines made by another version of the model \(this mmlabd's model is $fp\).*--accept-model-change.*\[store: 0123456789abcdef\]" \
	"model: another model's store with machines: refused, named"
same "$(cksum <"$DB")" "$sum0" "model: the refused store is untouched"
start model-accept "$MD" --accept-model-change || exit 1
same "$(gen "$ID" "$TOK")" 1 "model: accepted: the machine is rebuilt"
mm_stop TERM "model: accepted: SIGTERM"
same "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'model'")" "$fp" \
	"model: accepted: the store now records this model"
start model-after "$MD" || exit 1
mm_stop TERM "model: after an accepted change the next start is clean"
# a store without machines belongs to whoever opens it
ED=$TMP/model-empty.data
start model-empty "$ED" || exit 1
mm_stop TERM "model: an empty store: SIGTERM"
sqlite3 "$ED/mmlab.db" "UPDATE meta SET value = '0123456789abcdef' WHERE key = 'model'"
start model-empty2 "$ED" || exit 1
mm_stop TERM "model: an empty store of another model starts"
same "$(sqlite3 "$ED/mmlab.db" "SELECT value FROM meta WHERE key = 'model'")" "$fp" \
	"model: an empty store takes this model's fingerprint"

# =============================================================================
# expiry: an idle machine leaves the store too
# =============================================================================
echo "== expiry"
start expiry "$TMP/expiry.data" --idle-expiry 1 || exit 1
DB=$TMP/expiry.data/mmlab.db
create e
req POST "/v1/machines/$ID/kmalloc" "$TOK" -d '{"size":8}'
same "$(rows "$ID")" "1 1" "expiry: the machine's rows before"
i=0
while [ $i -lt 40 ] && [ "$(rows "$ID")" != "0 0" ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(rows "$ID")" "0 0" "expiry: no row left within 4 s"
req GET "/v1/machines/$ID" "$TOK"
expect 404 "expiry: the machine is gone"
mm_stop TERM "expiry: SIGTERM"
start expiry "$TMP/expiry.data" --idle-expiry 1 || exit 1
if grep -q 'replayed 0 machines and 0 operations' "$LOG"; then ok
else bad "expiry: after a restart: $(grep 'mmlabd:' "$LOG" | head -2)"; fi
mm_stop TERM "expiry: the last SIGTERM"

# =============================================================================
# tmpfs: a full disk, a read-only directory
# =============================================================================
echo "== tmpfs"
FSD=$TMP/fs
mkdir -p "$FSD"
if ! mount -t tmpfs -o size=2m,mode=0755 tmpfs "$FSD" 2>"$TMP/mount.err"; then
	skip "tmpfs: cannot mount a tmpfs: $(cat "$TMP/mount.err")"
else
	FS=$FSD
	start tmpfs "$FS" --snapshot-every 3 || exit 1
	create f '{"ram":"256M","name":"f"}'
	F=$ID FT=$TOK
	req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
	expect 200 "tmpfs: kmalloc"
	g0=$(gen "$F" "$FT")
	o0=$(slabobjs "$F" "$FT")
	state "$F" "$FT" "$TMP/f.0"

	# the disk is full
	dd if=/dev/zero of="$FS/filler" bs=4096 2>/dev/null
	req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
	i=0
	# the WAL may hold a little room yet
	while [ $i -lt 20 ] && [ "$ST" = 200 ]; do
		g0=$((g0 + 1))
		o0=$((o0 + 1))
		i=$((i + 1))
		req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
	done
	unavailable "full disk: the change that failed to be written"
	# (the WAL had room for $i more: then the state before is this one)
	[ $i -eq 0 ] || state "$F" "$FT" "$TMP/f.0"
	req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
	unavailable "full disk: kmalloc"
	req POST "/v1/machines/$F/processes" "$FT"
	unavailable "full disk: a process"
	req POST "/v1/machines/$F/reset" "$FT" -d '{}'
	unavailable "full disk: reset"
	req DELETE "/v1/machines/$F" "$FT"
	unavailable "full disk: delete"
	req POST /v1/machines "" -d '{"ram":"256M"}'
	unavailable "full disk: create"
	req GET "/v1/machines/$F/proc/meminfo" "$FT" -H 'Accept: text/plain'
	expect 200 "full disk: reads work"
	same "$(gen "$F" "$FT")" "$g0" "full disk: the generation is as before"
	same "$(slabobjs "$F" "$FT")" "$o0" "full disk: the failed kmalloc was undone"
	state "$F" "$FT" "$TMP/f.1"
	identical "$TMP/f.0" "$TMP/f.1" "full disk: the machine is as before"
	if grep -q 'changes refused until the store can be written: .*disk is full' "$LOG"; then ok
	else bad "full disk: the log says why: $(grep 'mmlabd:' "$LOG" | tail -2)"; fi
	rm -f "$FS/filler"
	req_until 200 30 0.1 POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
	expect 200 "full disk: room again: changes work within 3 s"
	if grep -q 'the store can be written again' "$LOG"; then ok
	else bad "full disk: no recovery in the log"; fi
	req POST "/v1/machines/$F/processes" "$FT"
	expect 201 "full disk: room again: a process"
	state "$F" "$FT" "$TMP/f.2"
	mm_stop TERM "tmpfs: SIGTERM"
	start tmpfs "$FS" --snapshot-every 3 || exit 1
	state "$F" "$FT" "$TMP/f.3"
	identical "$TMP/f.2" "$TMP/f.3" "full disk: the state after a restart"

	# read-only under the running daemon
	if mount -o remount,ro "$FS" 2>"$TMP/mount.err"; then
		req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
		unavailable "read-only: kmalloc"
		req GET "/v1/machines/$F/proc/meminfo" "$FT"
		expect 200 "read-only: reads work"
		mount -o remount,rw "$FS"
		req_until 200 30 0.1 POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
		expect 200 "read-only: writable again: changes work within 3 s"
	else
		skip "read-only under a running daemon: remount refused: $(cat "$TMP/mount.err")"
	fi
	state "$F" "$FT" "$TMP/f.4"
	mm_stop TERM "tmpfs: SIGTERM before read-only"

	# start on a read-only directory holding a store
	if mount -o remount,ro "$FS" 2>"$TMP/mount.err"; then
		start tmpfs-ro "$FS" --snapshot-every 3 || exit 1
		state "$F" "$FT" "$TMP/f.5"
		identical "$TMP/f.4" "$TMP/f.5" "read-only start: the machine is served"
		req POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
		unavailable "read-only start: kmalloc"
		req POST /v1/machines "" -d '{}'
		unavailable "read-only start: create"
		mount -o remount,rw "$FS"
		req_until 200 30 0.1 POST "/v1/machines/$F/kmalloc" "$FT" -d '{"size":100}'
		expect 200 "read-only start: writable again: changes work within 3 s"
		state "$F" "$FT" "$TMP/f.6"
		crash
		start tmpfs "$FS" --snapshot-every 3 || exit 1
		state "$F" "$FT" "$TMP/f.7"
		identical "$TMP/f.6" "$TMP/f.7" "read-only start: the change made after recovery survives kill -9"
		mm_stop TERM "tmpfs: the last SIGTERM"
	else
		skip "read-only start: remount refused: $(cat "$TMP/mount.err")"
	fi
	umount "$FS" && FS=""
fi

# the sanitizers and the log
for l in "$TMP"/*.log; do
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|cannot be rebuilt|was refused|could not be rolled back' "$l"; then
		bad "$(basename "$l"): $(grep -E 'AddressSanitizer|LeakSanitizer|runtime error|cannot be rebuilt|was refused|could not be rolled back' "$l" | head -3 | tr '\n' '|')"
	fi
done

summary "" ", $skipped skipped ($(mm_elapsed) s)"
