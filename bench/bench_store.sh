#!/bin/sh
# bench_store.sh - what durability costs the daemon, and how long it takes
# to come back.
#
#   sh bench/bench_store.sh [build/mmlabd]
#
# 1. Mutating operations per second with the store on versus none: the
#    same wrk load (kmalloc {"size":64} and kfree of the address it
#    returned, alternating, on as many machines as connections, one
#    request in flight per machine: bench/wrk_store.lua) against
#    `mmlabd --in-memory` and against `mmlabd --data DIR` on a fresh
#    directory of a real disk.  req/s, p50, p99 of both and the ratio
#    durable/in-memory, the daemon's CPU time and context switches per
#    request, and the WAL syncs perf counts during the durable run
#    (without perf: a short durable run under strace): requests per sync
#    is the average group-commit size.
# 2. Restart: BENCH_RESTART_MACHINES machines (2G), each given one /ops
#    batch of BENCH_RESTART_OPS mutating operations (process_create, mmap,
#    write accesses, kmalloc, vmalloc, alloc_pages order 0-3), SIGTERM,
#    start again: the daemon's "replayed N machines and M operations in
#    X ms" line and the wall time from exec to GET /healthz answering 200,
#    with each --snapshot-every of BENCH_SNAPSHOT_EVERY; the store's size
#    and the daemon's VmRSS with the machines loaded; the reports of a few
#    machines before and after must be identical.
#
# Non-zero exit when the median ratio durable/in-memory is under 0.5; when
# a run sees a non-2xx answer, a socket error or an answer the script
# cannot place; when keep-alive is not held; when a restart loses a
# machine, refuses an operation or changes a report.
#
# Environment:
#   BENCH_SECONDS           wrk duration of each load (5)
#   BENCH_CONNECTIONS       wrk connections = machines of the load (64)
#   BENCH_THREADS           wrk threads (2)
#   BENCH_ROUNDS            in-memory/durable pairs; the gate takes the
#                           median ratio (1)
#   BENCH_PERF              0: do not count the syncs with perf (1)
#   BENCH_GROUP_SECONDS     without perf, a durable run under strace that
#                           counts them, 0 for none (3)
#   BENCH_RESTART_MACHINES  machines of the restart test, 0 for none (1000)
#   BENCH_RESTART_OPS       operations per machine, in one batch (100)
#   BENCH_SNAPSHOT_EVERY    --snapshot-every values to restart with
#                           ("1000 50")
#   BENCH_PARALLEL          clients creating and loading machines (16)
#   BENCH_PARTS             what to run ("load restart")
#   BENCH_DAEMON_ARGS       more flags for every mmlabd ("--http-threads 0")
#   BENCH_KEEP              1: keep the stores and logs (0)
#   BENCH_STORE_DIR         where the stores go (${TMPDIR:-/tmp}); it must
#                           not be tmpfs: the figure is the disk's
#
# wrk and the daemon share the machine's cores: the figures are those of
# a loaded host, not of the daemon alone.
set -u

BIN=${1:-build/mmlabd}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
WTHREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-1}
GSECS=${BENCH_GROUP_SECONDS:-3}
RMACH=${BENCH_RESTART_MACHINES:-1000}
ROPS=${BENCH_RESTART_OPS:-100}
SNAPS=${BENCH_SNAPSHOT_EVERY:-"1000 50"}
PAR=${BENCH_PARALLEL:-16}
PARTS=${BENCH_PARTS:-"load restart"}
DARGS=${BENCH_DAEMON_ARGS:-}
STORE_DIR=${BENCH_STORE_DIR:-${TMPDIR:-/tmp}}
MIN_RATIO=0.5
HERE=$(cd "$(dirname "$0")" && pwd)

fail=0
err() { echo "bench_store: $*" >&2; fail=1; }
die() { echo "bench_store: $*" >&2; exit 1; }
# keepalive, ms, and the tests' harness (mm_wait_listening)
. "$(dirname "$0")/lib.sh"

[ -x "$BIN" ] || die "no daemon at $BIN (make build/mmlabd)"
[ "$CONNS" -ge "$WTHREADS" ] && [ $((CONNS % WTHREADS)) -eq 0 ] &&
	[ $((CONNS / WTHREADS)) -le 32 ] ||
	die "BENCH_CONNECTIONS must be a multiple of BENCH_THREADS," \
	    "at most 32 per thread"
[ "$ROPS" -ge 26 ] && [ "$ROPS" -le 256 ] ||
	die "BENCH_RESTART_OPS must be 26 to 256 (one batch)"

# --- what the benchmark needs, from Debian like the Makefile's deps -------
missing=""
for p in wrk curl jq; do
	command -v $p >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $missing || die "cannot install$missing"
fi

TMP=$(mktemp -d "$STORE_DIR/bench_store.XXXXXX") || die "no temp dir in $STORE_DIR"
FSTYPE=$(df -PT "$TMP" | awk 'NR == 2 { print $2 }')
FSDEV=$(df -PT "$TMP" | awk 'NR == 2 { print $1 }')
case $FSTYPE in
tmpfs|ramfs|overlay*)
	rm -rf "$TMP"
	die "$STORE_DIR is $FSTYPE: a store there measures memory, not a" \
	    "disk (set BENCH_STORE_DIR or TMPDIR to a directory on a disk)" ;;
esac

DPID=""
SPID=""
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.05; i=$((i + 1))
	done
	kill -TERM "$DPID" 2>/dev/null	# a second signal stops at once
	[ -n "$SPID" ] && wait "$SPID" 2>/dev/null || wait "$DPID" 2>/dev/null
	DPID="" SPID=""
}
cleanup() {
	stop_daemon
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_daemon LOG LISTEN ARGS...: sets DPID and PORT; LISTEN is a port or 0
start_daemon() {
	log=$1 listen=$2; shift 2
	: >"$log"
	"$BIN" --listen "127.0.0.1:$listen" --rate 0 --quiet \
		--max-connections-per-ip 0 --max-connections 4096 \
		--idle-expiry 0 $DARGS "$@" 2>"$log" &
	DPID=$!
	wait_port "$log"
}

# wait_port LOG: PORT from the daemon's "listening on" line
wait_port() {
	if ! mm_wait_listening "$1" "$DPID" 30; then
		cat "$1" >&2
		die "mmlabd did not start"
	fi
	PORT=${ADDR##*:}
}

# create_machines N OUT: N machines of 2G, each with its own token (none
# is sent), made by $PAR clients; OUT gets a line ID:TOKEN for each
create_machines() {
	rm -rf "$TMP/m"; mkdir -p "$TMP/m"
	seq 1 "$1" | xargs -P "$PAR" -I@ curl -s -o "$TMP/m/@.json" \
		-X POST "http://127.0.0.1:$PORT/v1/machines" -d '{"ram":"2G"}'
	jq -r '.id + ":" + .token' $(seq -f "$TMP/m/%g.json" 1 "$1") \
		2>/dev/null | grep -v '^:$' >"$2"
	[ "$(grep -c : "$2")" -eq "$1" ] ||
		die "created $(grep -c : "$2") machines of $1: $(cat "$TMP"/m/*.json | head -c 400)"
}

# --- 1. the same load with and without the store -------------------------------------

# load_setup: CONNS machines into $TMP/ids; machine k (0-based) gets k
# live kmalloc-64 objects, so the addresses the load sees are distinct
load_setup() {
	create_machines "$CONNS" "$TMP/ids"
	k=0
	while read -r m; do
		if [ $k -gt 0 ]; then
			seq 1 $k | awk 'BEGIN { printf "[" }
				{ printf "%s{\"op\":\"kmalloc\",\"args\":{\"size\":64}}",
					(NR > 1 ? "," : "") }
				END { print "]" }' >"$TMP/pre.json"
			curl -sf -H "Authorization: Bearer ${m#*:}" \
				"http://127.0.0.1:$PORT/v1/machines/${m%%:*}/ops" \
				-d @"$TMP/pre.json" | jq -e .ok >/dev/null ||
				die "cannot prepare machine ${m%%:*}"
		fi
		k=$((k + 1))
	done <"$TMP/ids"
	m=$(sed -n '$p' "$TMP/ids")
	keepalive "POST kmalloc, $kind" -H "Authorization: Bearer ${m#*:}" \
		-H 'Content-Type: application/json' -d '{"size":64}' \
		"http://127.0.0.1:$PORT/v1/machines/${m%%:*}/kmalloc" \
		"http://127.0.0.1:$PORT/v1/machines/${m%%:*}/kmalloc"
}

# cpu_cs PID: the daemon's CPU ticks (user + system) and context switches
# (voluntary + not, all threads)
cpu_cs() {
	c=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null)
	x=$(cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/ctxt_switches:/ { n += $2 } END { print n + 0 }')
	echo "${c:-0} $x"
}

# syncs_of PERF-DATA PID: "WAL DB OTHER" fsync/fdatasync calls recorded,
# by the file they were on (the daemon's fds, read while it runs)
syncs_of() {
	perf script -i "$1" -F event,trace 2>/dev/null |
	sed -n 's/.*fd: *\(0x[0-9a-f]*\).*/\1/p' | sort | uniq -c |
	while read -r cnt fd; do
		echo "$cnt $(readlink "/proc/$2/fd/$((fd))" 2>/dev/null)"
	done | awk '$2 ~ /-wal$/ { w += $1; next } $2 ~ /\.db$/ { d += $1; next }
		    { o += $1 } END { print w + 0, d + 0, o + 0 }'
}

# Whether perf can count the daemon's syncs (tracepoints need root or a
# low perf_event_paranoid): then the durable runs count them as they go.
PERF=""
if [ "${BENCH_PERF:-1}" != 0 ] && command -v perf >/dev/null 2>&1 &&
   perf record -q -e syscalls:sys_enter_fdatasync -o "$TMP/perf.check" \
	-- true >/dev/null 2>&1; then
	PERF=1
fi

# run_load KIND ROUND SECONDS: wrk against the daemon $DPID on $PORT,
# appended to $TMP/results as "round kind rps p50_ms p99_ms requests
# cpu_us_per_req cs_per_req wal_syncs db_syncs other_syncs"
run_load() {
	kind=$1 round=$2 secs=$3
	out="$TMP/wrk.$round.$kind"
	syncs="- - -"
	if [ -n "$PERF" ] && [ "$kind" != in-memory ]; then
		perf record -q -e syscalls:sys_enter_fdatasync \
			-e syscalls:sys_enter_fsync -p "$DPID" \
			-o "$TMP/perf.$round.$kind" -- sleep "$secs" \
			>/dev/null 2>&1 &
		ppid=$!
	fi
	set -- $(cpu_cs "$DPID")
	wrk -t "$WTHREADS" -c "$CONNS" -d "${secs}s" --latency \
		-s "$HERE/wrk_store.lua" "http://127.0.0.1:$PORT" \
		-- "$WTHREADS" $(cat "$TMP/ids") >"$out" 2>&1
	rc=$?
	set -- "$@" $(cpu_cs "$DPID")
	if [ -n "$PERF" ] && [ "$kind" != in-memory ]; then
		wait "$ppid"
		syncs=$(syncs_of "$TMP/perf.$round.$kind" "$DPID")
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	nreq=$(awk '/ requests in / { print $1 }' "$out")
	if [ $rc -ne 0 ] || [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
		err "wrk failed ($kind):"
		cat "$out" >&2
		return 1
	fi
	grep -q 'Non-2xx or 3xx responses' "$out" &&
		err "$kind: $(grep 'Non-2xx' "$out" | sed 's/^ *//')"
	grep -q 'Socket errors' "$out" &&
		err "$kind: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
	line=$(grep '^kmalloc-kfree:' "$out")
	if [ -z "$line" ] || [ "$(echo "$line" | awk '{ print $7 }')" != 0 ] ||
	   [ "$(echo "$line" | awk '{ print $9 }')" != 0 ]; then
		err "$kind: answers the script could not place: $line"
	fi
	hz=$(getconf CLK_TCK)
	echo "$round $kind $rps $(ms "$p50") $(ms "$p99") $nreq" \
		"$(awk -v c0="$1" -v x0="$2" -v c1="$3" -v x1="$4" -v n="$nreq" \
		   -v hz="$hz" 'BEGIN { printf "%.1f %.2f",
			(c1 - c0) * 1e6 / hz / n, (x1 - x0) / n }')" \
		"$syncs" >>"$TMP/results"
}

: >"$TMP/results"
case " $PARTS " in *" load "*) ;; *) ROUNDS=0 GSECS=0 ;; esac
case " $PARTS " in *" restart "*) ;; *) RMACH=0 ;; esac
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for kind in in-memory durable; do
		if [ $kind = in-memory ]; then
			start_daemon "$TMP/load.err" 0 --in-memory
		else
			start_daemon "$TMP/load.err" 0 --data "$TMP/load.$r"
		fi
		load_setup
		run_load $kind "$r" "$SECS"
		stop_daemon
	done
	r=$((r + 1))
done

# --- without perf: the group-commit size from a durable run under strace ----------
# strace --seccomp-bpf stops the daemon only at the traced calls, but
# each stop costs two context switches: the run is slower than the others
# and its groups smaller (about 4 requests per sync where perf sees 30).
if [ -z "$PERF" ] && [ "$GSECS" -gt 0 ] && command -v strace >/dev/null 2>&1; then
	: >"$TMP/group.err"
	strace -f --seccomp-bpf -ttt -y -e trace=fsync,fdatasync \
		-o "$TMP/strace.out" "$BIN" --listen 127.0.0.1:0 --rate 0 \
		--quiet --max-connections-per-ip 0 --max-connections 4096 \
		--idle-expiry 0 $DARGS --data "$TMP/group" 2>"$TMP/group.err" &
	SPID=$!
	DPID=""
	i=0
	while [ -z "$DPID" ] && [ $i -lt 100 ]; do
		DPID=$(cat /proc/$SPID/task/*/children 2>/dev/null | awk '{ print $1 }')
		[ -n "$DPID" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$DPID" ] || die "strace did not start mmlabd"
	wait_port "$TMP/group.err"
	kind=durable
	load_setup
	t0=$(date +%s.%N)
	run_load durable+strace 1 "$GSECS"
	t1=$(date +%s.%N)
	stop_daemon
	syncs=$(awk -v t0="$t0" -v t1="$t1" '
		$2 + 0 >= t0 + 0 && $2 + 0 <= t1 + 0 && / = 0$/ {
			if ($0 ~ /-wal>/) w++; else if ($0 ~ /\.db>/) d++; else o++
		}
		END { print w + 0, d + 0, o + 0 }' "$TMP/strace.out")
	awk -v s="$syncs" '$2 == "durable+strace" { split(s, a, " ")
		$9 = a[1]; $10 = a[2]; $11 = a[3] } { print }' "$TMP/results" \
		>"$TMP/results.new" && mv "$TMP/results.new" "$TMP/results"
fi

# --- 2. restart with many machines ------------------------------------------------------

# the batch: a process that maps 128K and writes 24 of its pages, then
# kmalloc (5 in 10), vmalloc (1 in 10), alloc_pages order 0-3 (4 in 10)
awk -v n="$ROPS" 'BEGIN {
	split("8 16 32 64 96 128 192 256 512 1024 2048 4096 8192", ks, " ")
	printf "[{\"op\":\"process_create\",\"args\":{}}"
	printf ",{\"op\":\"mmap\",\"args\":{\"pid\":1,\"addr\":\"0x40000000\"," \
	       "\"len\":\"128K\",\"prot\":\"PROT_READ|PROT_WRITE\"," \
	       "\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE\"}}"
	for (i = 0; i < 24; i++)
		printf ",{\"op\":\"access\",\"args\":{\"pid\":1," \
		       "\"addr\":\"0x%08x\",\"access\":\"write\"}}",
		       1073741824 + i * 4096
	nk = 0; nv = 0; np = 0
	for (i = 0; i < n - 26; i++) {
		c = i % 10
		if (c < 5)
			printf ",{\"op\":\"kmalloc\",\"args\":{\"size\":%d}}",
			       ks[nk++ % 13 + 1]
		else if (c == 5)
			printf ",{\"op\":\"vmalloc\",\"args\":{\"size\":\"%dK\"}}",
			       4 * (nv++ % 10 + 1)
		else
			printf ",{\"op\":\"alloc_pages\",\"args\":{\"order\":%d}}",
			       np++ % 4
	}
	print "]"
}' >"$TMP/batch.json"

# fingerprint FILE: the reports of the first, middle and last machines
fingerprint() {
	: >"$1"
	for k in 1 $(((RMACH + 1) / 2)) "$RMACH"; do
		m=$(sed -n "${k}p" "$TMP/rids")
		for rep in proc/meminfo proc/buddyinfo proc/slabinfo \
			   proc/vmallocinfo processes/1/maps; do
			echo "== ${m%%:*} $rep" >>"$1"
			curl -s -H "Authorization: Bearer ${m#*:}" \
				"http://127.0.0.1:$PORT/v1/machines/${m%%:*}/$rep?format=text" \
				>>"$1"
		done
	done
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

: >"$TMP/restarts"
if [ "$RMACH" -gt 0 ]; then
	for se in $SNAPS; do
		dir="$TMP/restart.$se"
		log="$TMP/restart.$se.err"
		lim="--max-machines $((RMACH + 16)) --snapshot-every $se"
		start_daemon "$log" 0 --data "$dir" $lim
		t=$(now_ms)
		create_machines "$RMACH" "$TMP/rids"
		tcreate=$(($(now_ms) - t))
		t=$(now_ms)
		rm -rf "$TMP/o"; mkdir -p "$TMP/o"
		awk '{ print NR, $0 }' "$TMP/rids" |
		OUTD="$TMP/o" BATCH="$TMP/batch.json" BASE="http://127.0.0.1:$PORT" \
		xargs -P "$PAR" -n 2 sh -c 'curl -s -o "$OUTD/$0.json" \
			-H "Authorization: Bearer ${1#*:}" -d @"$BATCH" \
			"$BASE/v1/machines/${1%%:*}/ops"'
		tops=$(($(now_ms) - t))
		nok=$(jq -r "select(.ok == true and .completed == $ROPS) | 1" \
			"$TMP"/o/*.json | wc -l)
		[ "$nok" -eq "$RMACH" ] ||
			err "snapshot-every $se: $nok of $RMACH batches ran all" \
			    "$ROPS operations: $(cat "$TMP"/o/*.json |
			    jq -c 'select(.ok != true) | .results[-1]' | head -3)"
		fingerprint "$TMP/before.$se"
		rss1=$(rss_kb "$DPID")
		t=$(now_ms)
		stop_daemon
		tstop=$(($(now_ms) - t))
		store=$(du -sb "$dir" | awk '{ print $1 }')
		dbsize=$(stat -c %s "$dir/mmlab.db")
		port=$PORT
		: >"$log"
		t=$(date +%s%N)
		"$BIN" --listen "127.0.0.1:$port" --rate 0 --quiet \
			--max-connections-per-ip 0 --max-connections 4096 \
			--idle-expiry 0 $DARGS --data "$dir" $lim 2>"$log" &
		DPID=$!
		code=""
		while [ "$code" != 200 ] && kill -0 "$DPID" 2>/dev/null; do
			code=$(curl -s -o /dev/null -w '%{http_code}' \
				"http://127.0.0.1:$port/healthz")
		done
		twall=$((($(date +%s%N) - t) / 1000000))
		[ "$code" = 200 ] || { cat "$log" >&2; die "restart failed (snapshot-every $se)"; }
		wait_port "$log"
		rss2=$(rss_kb "$DPID")
		replay=$(sed -n 's/^mmlabd: replayed \([0-9]*\) machines and \([0-9]*\) operations in \([0-9.]*\) ms.*/\1 \2 \3/p' "$log")
		[ -n "$replay" ] || err "snapshot-every $se: no replay line"
		set -- $replay
		[ "$1" -eq "$RMACH" ] ||
			err "snapshot-every $se: $1 of $RMACH machines came back"
		if grep -q 'cannot be rebuilt\|was refused' "$log"; then
			err "snapshot-every $se: the replay complained" \
			    "($(grep -c 'cannot be rebuilt' "$log") machines left out):"
			grep 'cannot be rebuilt\|was refused' "$log" | head -3 >&2
		fi
		fingerprint "$TMP/after.$se"
		if ! cmp -s "$TMP/before.$se" "$TMP/after.$se"; then
			err "snapshot-every $se: reports differ after the restart:"
			diff "$TMP/before.$se" "$TMP/after.$se" | head -10 >&2
		fi
		echo "$se $tcreate $tops $tstop $1 $2 $3 $twall $store $dbsize" \
			"$rss1 $rss2" >>"$TMP/restarts"
		stop_daemon
	done
fi

# --- the table ------------------------------------------------------------------------
if [ "$ROUNDS" -gt 0 ]; then
	echo
	echo "== durable versus in-memory: wrk -t $WTHREADS -c $CONNS -d ${SECS}s," \
		"kmalloc 64 + kfree alternating, $CONNS machines, one request in" \
		"flight per machine; $(nproc 2>/dev/null || echo '?') cores shared with wrk;" \
		"extra mmlabd flags: ${DARGS:-none}"
	echo "   store: $TMP on $FSTYPE ($FSDEV); SQLite WAL, synchronous=FULL"
	printf '%-5s %-15s %9s %8s %8s %9s %8s %7s %6s %6s\n' round daemon \
		req/s p50_ms p99_ms requests cpu_us/r cs/r syncs req/sync
	awk '{ g = $9 ~ /^[0-9]+$/ && $9 > 0 ? sprintf("%6.1f", $6 / $9) : "     -"
	       printf "%-5s %-15s %9.0f %8.3f %8.3f %9d %8.1f %7.2f %6s %s\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9, g }' "$TMP/results"
	echo "   cpu_us/r: the daemon's CPU (all threads) per request; cs/r: its" \
		"context switches per request;"
	echo "   syncs: fdatasync/fsync on the WAL during the run; req/sync: the" \
		"average group commit"
	[ -n "$PERF" ] && echo "   (syncs counted by perf on the syscall tracepoints:" \
		"the durable run itself)"
	awk '$9 ~ /^[0-9]+$/ && ($10 + $11) > 0 {
		printf "   round %s %s: also %d syncs of the database file (checkpoints)" \
		       " and %d of others\n", $1, $2, $10, $11 }' "$TMP/results"
	awk -v minr="$MIN_RATIO" '
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$2 == "in-memory" { m[$1] = $3 }
		$2 == "durable" { d[$1] = $3; if ($1 > nr) nr = $1 }
		END {
			n = 0; line = ""
			for (r = 1; r <= nr; r++)
				if ((r in d) && (r in m) && m[r] > 0) {
					ra[++n] = d[r] / m[r]
					line = line sprintf(" %.2f", ra[n])
				}
			if (!n) { print "ratio: not measured"; exit 1 }
			med = median(ra, n)
			printf "ratio durable/in-memory %.2f%s (target >= %.2f): %s\n",
				med, (n > 1 ? "  (rounds:" line ")" : ""), minr,
				(med >= minr ? "PASS" : "FAIL")
			exit med < minr
		}' "$TMP/results" || err "durable/in-memory under $MIN_RATIO"
fi
if [ -s "$TMP/restarts" ]; then
	echo
	echo "== restart: $RMACH machines of 2G, $ROPS operations each (one /ops" \
		"batch), SIGTERM, start again; $PAR clients load them"
	printf '%-9s %8s %8s %7s %9s %9s %10s %9s %10s %9s %9s\n' \
		snap_every create_s ops_s stop_ms machines ops replay_ms \
		wall_ms store_MB rss_MB rss2_MB
	awk '{ printf "%-9s %8.1f %8.1f %7d %9d %9d %10.1f %9d %10.1f %9.1f %9.1f\n",
		$1, $2 / 1000, $3 / 1000, $4, $5, $6, $7, $8, $9 / 1048576,
		$11 / 1024, $12 / 1024 }' "$TMP/restarts"
	echo "   create_s, ops_s: loading the machines; stop_ms: SIGTERM to exit;"
	echo "   machines, ops, replay_ms: the daemon's replay line; wall_ms: exec"
	echo "   to /healthz 200; store_MB: the data directory after the stop;"
	echo "   rss_MB: VmRSS loaded, rss2_MB: VmRSS after the restart"
fi

[ $fail -eq 0 ] && echo "bench_store: ok" || echo "bench_store: FAILED"
exit $fail
